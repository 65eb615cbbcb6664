"""A deterministic training program for the tuneq command's integration tests.

loss(step) = (x - 0.3)^2 + 1 / step, one report per step (resource "step"), a checkpoint per
step, a short sleep per step so that tests can kill the tuner mid-run. Same config, same
numbers, whatever happens around it. Config comes on the command line: --x X --steps N.
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
import tuneq_trial as tq  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--x", type=float, required=True)
ap.add_argument("--steps", type=int, default=9)
ap.add_argument("--sleep", type=float, default=0.02)
ap.add_argument("--metric", default="loss")
args = ap.parse_args()

step = 0
if tq.restore_dir():
    with open(os.path.join(tq.restore_dir(), "state.json")) as f:
        step = json.load(f)["step"]
while step < args.steps:
    time.sleep(args.sleep)
    step += 1
    ckpt = tq.checkpoint_dir(f"ckpt-{step}")
    with open(os.path.join(ckpt, "state.json"), "w") as f:
        json.dump({"step": step}, f)
    tq.report(checkpoint=ckpt, step=step, **{args.metric: (args.x - 0.3) ** 2 + 1.0 / step})
