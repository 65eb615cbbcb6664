"""A PB2 trial for the tuneq command's integration tests.

acc grows by 1 - 100 * (lr - 0.04)^2 per step (best at lr = 0.04). (step, acc) live in the
checkpoint, so a trial that restores another trial's checkpoint continues from its state with
the lr it was launched with (the explored one). Every report carries the lr the process runs
under, so the tests can check that an explored config reached the command line.
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
import tuneq_trial as tq  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--lr", type=float, required=True)
ap.add_argument("--steps", type=int, default=8)
ap.add_argument("--sleep", type=float, default=0.01)
args = ap.parse_args()

step, acc = 0, 0.0
restore = tq.restore_dir()
if restore:
    with open(os.path.join(restore, "state.json")) as f:
        state = json.load(f)
    step, acc = state["step"], state["acc"]

while step < args.steps:
    time.sleep(args.sleep)
    step += 1
    acc += 1 - 100 * (args.lr - 0.04) ** 2
    ckpt = tq.checkpoint_dir()
    with open(os.path.join(ckpt, "state.json"), "w") as f:
        json.dump({"step": step, "acc": acc}, f)
    tq.report(checkpoint=ckpt, step=step, acc=acc, lr=args.lr)
