"""Test trial for the process executor, written with python/tuneq_trial.py.

Config: steps (int, default 3), exit_on_stop (bool, default true).
Resumes from the checkpoint in TUNEQ_RESTORE (state.json holds the last step done). Per step it
saves a checkpoint, reports step and loss = 1/step, and appends the helper's answer to
replies.txt. It also records its argv (argv.json) and environment (env.json), and writes one line
to stdout and one to stderr, which must land in trial.log.
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
import tuneq_trial as tq  # noqa: E402

with open("argv.json", "w") as f:
    json.dump(sys.argv[1:], f)
names = ["TUNEQ_TRIAL_ID", "TUNEQ_CONFIG", "TUNEQ_TRIAL_DIR", "TUNEQ_RESTORE",
         "CUDA_VISIBLE_DEVICES", "PYTHONUNBUFFERED", "TUNEQ_TEST_EXTRA"]
with open("env.json", "w") as f:
    json.dump({"env": {n: os.environ[n] for n in names if n in os.environ}, "cwd": os.getcwd()}, f)

cfg = tq.config(default={"steps": 3})
print("hello from trial", tq.trial_id())
print("a line on stderr", file=sys.stderr)

start = 0
if tq.restore_dir():
    with open(os.path.join(tq.restore_dir(), "state.json")) as f:
        start = json.load(f)["step"]

for step in range(start + 1, int(cfg.get("steps", 3)) + 1):
    ckpt = tq.checkpoint_dir()
    with open(os.path.join(ckpt, "state.json"), "w") as f:
        json.dump({"step": step}, f)
    answer = tq.report(checkpoint=ckpt, exit_on_stop=cfg.get("exit_on_stop", True),
                       step=step, loss=1.0 / step, note="not a metric")
    with open("replies.txt", "a") as f:
        f.write(answer + "\n")
    if answer != "continue":
        sys.exit(0)
