"""tuneq_trial: the trial side of tuneq's process protocol, in one file (stdlib only, Python 3.8+).

Copy this file next to your training script (or put its directory on PYTHONPATH), then::

    import tuneq_trial as tq

    cfg = tq.config(default={"lr": 0.1, "epochs": 20})   # default: used when not run by tuneq
    start = 0
    if tq.restore_dir():                                   # resuming after a pause
        start = load(tq.restore_dir())
    for epoch in range(start, cfg["epochs"]):
        loss = train_one_epoch(cfg["lr"])
        ckpt = tq.checkpoint_dir()                         # a fresh directory in the trial dir
        save(ckpt, epoch + 1)
        tq.report(checkpoint=ckpt, epoch=epoch + 1, loss=loss)
        # on "pause" or "stop" report() exits the program (SystemExit(0)) after the checkpoint
        # above was saved; pass exit_on_stop=False to get the word back and exit yourself.

What it does (docs/protocol.md has the whole protocol):

- ``report(**metrics)`` prints one line ``@tuneq {"epoch": 3, "loss": 0.41}`` to stdout, flushes,
  and reads tuneq's answer from stdin: ``continue``, ``pause`` or ``stop``. Numbers and bools are
  metrics; NaN and infinities are written as null, which tuneq records as NaN (ranked last).
- Everything else the program prints to stdout or stderr goes to the trial's ``trial.log``.
  Print reports only through ``report`` and end your own output lines with a newline: a report
  must start at the beginning of a line.
- Outside tuneq (no ``TUNEQ_TRIAL_ID`` in the environment) ``report`` only prints the line and
  returns ``"continue"``, so the same script runs by hand. Under tuneq, a closed stdin means tuneq
  itself is gone (killed): ``report`` then answers ``"stop"`` so the trial ends instead of
  training on unobserved (``tuneq resume`` restarts it from its checkpoint).

Environment set by tuneq: TUNEQ_TRIAL_ID, TUNEQ_CONFIG (JSON object), TUNEQ_TRIAL_DIR (absolute;
also the working directory), TUNEQ_RESTORE (checkpoint to resume from, or empty),
CUDA_VISIBLE_DEVICES (when the trial was given GPUs), PYTHONUNBUFFERED=1.
"""

import json
import math
import os
import sys

__all__ = [
    "config",
    "trial_id",
    "trial_dir",
    "checkpoint_dir",
    "restore_dir",
    "report",
    "under_tuneq",
]

_CHECKPOINT_PREFIX = "ckpt-"


def under_tuneq():
    """True when this process was launched by tuneq's process executor."""
    return bool(os.environ.get("TUNEQ_TRIAL_ID"))


def config(default=None):
    """The trial's config as a dict: name -> float | int | str | bool.

    Outside tuneq, a copy of ``default`` (or {}).
    """
    raw = os.environ.get("TUNEQ_CONFIG")
    if not raw:
        return dict(default or {})
    return json.loads(raw)


def trial_id():
    """The trial's id (an int), or None outside tuneq."""
    raw = os.environ.get("TUNEQ_TRIAL_ID")
    return int(raw) if raw else None


def trial_dir():
    """The trial's directory (absolute); the current directory outside tuneq."""
    return os.environ.get("TUNEQ_TRIAL_DIR") or os.getcwd()


def checkpoint_dir(name=None):
    """Creates and returns a new directory (absolute path) under the trial directory to save a
    checkpoint into: ``name`` if given, else ``ckpt-<n>`` with n one more than the largest
    existing ``ckpt-<n>`` (so a resumed trial never overwrites the checkpoint it resumed from).
    """
    base = trial_dir()
    if name is None:
        largest = 0
        for entry in os.listdir(base):
            suffix = entry[len(_CHECKPOINT_PREFIX):]
            if entry.startswith(_CHECKPOINT_PREFIX) and suffix.isdigit():
                largest = max(largest, int(suffix))
        name = _CHECKPOINT_PREFIX + str(largest + 1)
    path = os.path.join(base, name)
    os.makedirs(path, exist_ok=True)
    return os.path.abspath(path)


def restore_dir():
    """The checkpoint directory to resume from (absolute), or None on a fresh start."""
    return os.environ.get("TUNEQ_RESTORE") or None


def _metric(value):
    if isinstance(value, (bool, int, str)) or value is None:
        return value
    value = float(value)  # floats, and numpy / torch scalars
    return value if math.isfinite(value) else None


def report(checkpoint=None, exit_on_stop=True, **metrics):
    """Reports metrics (and optionally a checkpoint directory saved for this step) and returns
    tuneq's decision: "continue", "pause" or "stop".

    On "pause" or "stop" it raises SystemExit(0) unless ``exit_on_stop=False``: tuneq then
    expects the program to exit soon (it sends SIGTERM after the stop grace period).
    """
    if "checkpoint" in metrics:
        raise TypeError("'checkpoint' is reserved for the checkpoint directory")
    line = {name: _metric(value) for name, value in metrics.items()}
    if checkpoint is not None:
        checkpoint = os.fspath(checkpoint)
        relative = os.path.relpath(os.path.abspath(checkpoint), trial_dir())
        line["checkpoint"] = checkpoint if relative.startswith("..") else relative
    sys.stdout.write("@tuneq " + json.dumps(line, separators=(",", ":")) + "\n")
    sys.stdout.flush()
    if not under_tuneq():
        return "continue"
    try:
        answer = sys.stdin.readline().strip()
    except (AttributeError, OSError, ValueError):  # no stdin, closed or detached
        answer = ""
    if answer == "":
        answer = "stop"  # EOF: tuneq is gone (killed); end rather than train on unobserved
    elif answer not in ("continue", "pause", "stop"):
        answer = "continue"
    if answer != "continue" and exit_on_stop:
        raise SystemExit(0)
    return answer
