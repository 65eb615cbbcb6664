"""A PBT trial for the tuneq command's integration tests: checkpoint safety under exploit.

score = step + a, where a starts as --a and afterwards lives only in the checkpoint, so a trial
that restores another trial's checkpoint takes over its offset. Each checkpoint is a directory
with a 256 KiB weights.bin derived from (a, step), written in two halves with a pause between
them (a slow writer), and state.json naming the file's checksum. On restore the program checks
that the checkpoint is complete and lies inside its own trial directory; when it was another
trial's checkpoint it then scribbles over the copy, which would corrupt the source if tuneq had
handed it the source's directory. (A trial's own checkpoints are never changed: the protocol
makes a reported checkpoint read-only.) Any violation exits with status 3 (a failed trial,
which the tests forbid).
"""
import argparse
import hashlib
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
import tuneq_trial as tq  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--a", type=float, required=True)
ap.add_argument("--lr", type=float, required=True)
ap.add_argument("--steps", type=int, default=8)
ap.add_argument("--sleep", type=float, default=0.01)
args = ap.parse_args()


def weights(a, step):
    seed = hashlib.sha256(f"{a} {step}".encode()).digest()
    return (seed * (256 * 1024 // len(seed)))


def fail(message):
    print(f"checkpoint violation: {message}", file=sys.stderr)
    sys.exit(3)


step, a = 0, args.a
restore = tq.restore_dir()
if restore:
    own = os.path.realpath(tq.trial_dir())
    if os.path.commonpath([own, os.path.realpath(restore)]) != own:
        fail(f"restore {restore} is outside the trial directory {own}")
    try:
        with open(os.path.join(restore, "state.json")) as f:
            state = json.load(f)
        with open(os.path.join(restore, "weights.bin"), "rb") as f:
            data = f.read()
    except OSError as e:
        fail(f"restore {restore} unreadable: {e}")
    if hashlib.sha256(data).hexdigest() != state["sha256"] or data != weights(state["a"], state["step"]):
        fail(f"restore {restore} is torn or corrupt")
    step, a = state["step"], state["a"]
    if state["owner"] != tq.trial_id():  # another trial's checkpoint: scribble over our copy
        with open(os.path.join(restore, "weights.bin"), "r+b") as f:
            f.write(b"scribbled")

while step < args.steps:
    time.sleep(args.sleep)
    step += 1
    ckpt = tq.checkpoint_dir()
    data = weights(a, step)
    with open(os.path.join(ckpt, "weights.bin"), "wb") as f:
        f.write(data[: len(data) // 2])
        f.flush()
        time.sleep(0.005)
        f.write(data[len(data) // 2:])
    with open(os.path.join(ckpt, "state.json"), "w") as f:
        json.dump({"step": step, "a": a, "owner": tq.trial_id(),
                   "sha256": hashlib.sha256(data).hexdigest()}, f)
    tq.report(checkpoint=ckpt, step=step, score=step + a, lr=args.lr)
