"""A trial program written with the Python trial helper (python/tuneq_trial.py): gradient descent
on f(w) = (w - 3)^2 + 0.1 (w - 3)^4, one report per step, a checkpoint per step.

Config: lr (default 0.05), steps (default 30), w0 (default -2). Reports: step, loss, w.
On "pause"/"stop" the helper exits the program (status 0) after the checkpoint was saved; when
launched with TUNEQ_RESTORE it continues from the saved step and w.

Run by hand it trains with the defaults and prints its report lines:
    /usr/bin/python3 examples/trial_helper/train_quadratic.py
Under tuneq, with a spec such as:
    command: /usr/bin/python3 /abs/path/examples/trial_helper/train_quadratic.py
    metric: loss
    resource: step
    space: {lr: loguniform(1e-3, 0.5), w0: uniform(-5, 5)}
"""
import json
import math
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
import tuneq_trial as tq  # noqa: E402


def loss_of(w):
    d = w - 3
    return d * d + 0.1 * d ** 4


def gradient_of(w):
    d = w - 3
    return 2 * d + 0.4 * d ** 3


def main():
    cfg = tq.config(default={"lr": 0.05, "steps": 30, "w0": -2.0})
    lr, steps = float(cfg.get("lr", 0.05)), int(cfg.get("steps", 30))
    state = {"step": 0, "w": float(cfg.get("w0", -2.0))}
    if tq.restore_dir():
        with open(os.path.join(tq.restore_dir(), "state.json")) as f:
            state = json.load(f)
        print("resuming at step", state["step"], "from", tq.restore_dir())
    while state["step"] < steps:
        state["w"] -= lr * gradient_of(state["w"])
        state["step"] += 1
        loss = loss_of(state["w"])
        if not math.isfinite(loss):
            print("diverged at step", state["step"], file=sys.stderr)
            return 1
        ckpt = tq.checkpoint_dir()
        with open(os.path.join(ckpt, "state.json"), "w") as f:
            json.dump(state, f)
        tq.report(checkpoint=ckpt, step=state["step"], loss=loss, w=state["w"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
