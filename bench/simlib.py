"""Shared by bench/quality.py and bench/peers/optuna_side_by_side.py: the benchmarks' search
spaces as spec text, writing a spec, running `tuneq simulate --json`, and reading trajectories.

Nothing here measures anything by itself.
"""
import json
import math
import os
import resource
import subprocess
import tempfile
import time

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
DIGITS_CSV = os.path.join(BENCH_DIR, "data", "digits_mlp.csv")

# Per benchmark: `tuneq simulate --benchmark` argument, metric and resource report keys, the spec's
# space (YAML lines), and the simulated seconds one full-length training run takes on average
# (sets the time budgets; measured from the benchmark definitions, see quality.py).
BENCHMARKS = {
    "branin": {
        "arg": "branin", "metric": "loss", "resource": "step",
        "space": ["x1: uniform(-5, 10)", "x2: uniform(0, 15)"],
    },
    "hartmann3": {
        "arg": "hartmann3", "metric": "loss", "resource": "step",
        "space": [f"x{j}: uniform(0, 1)" for j in range(1, 4)],
    },
    "hartmann6": {
        "arg": "hartmann6", "metric": "loss", "resource": "step",
        "space": [f"x{j}: uniform(0, 1)" for j in range(1, 7)],
    },
    "curves": {
        "arg": "curves", "metric": "loss", "resource": "step",
        "space": ["lr: loguniform(1e-4, 1)", "width: uniform(16, 512)",
                  "dropout: uniform(0, 0.5)"],
    },
    "digits_mlp": {
        "arg": DIGITS_CSV, "metric": "val_loss", "resource": "epoch",
        "space": ["lr: loguniform(1e-4, 0.3)", "alpha: loguniform(1e-6, 0.1)",
                  "hidden: choice([16, 32, 64, 128])", "batch: choice([16, 32, 64, 128, 256])",
                  "solver: choice([sgd, adam])"],
    },
}

MAX_T = 81  # every benchmark here: 81 steps to a full-length trial; rungs 1, 3, 9, 27, 81 at eta 3

# The schedulers compared, as spec text (max_t 81, eta 3, first rung 1).
SCHEDULERS = {
    "random (FIFO)": "{type: fifo}",
    "synchronous Hyperband": "{type: hyperband, max_t: 81, reduction_factor: 3}",
    "ASHA stopping": "{type: asha, variant: stopping, max_t: 81, grace_period: 1, "
                     "reduction_factor: 3}",
    "ASHA promotion": "{type: asha, variant: promotion, max_t: 81, grace_period: 1, "
                      "reduction_factor: 3}",
    "async Hyperband": "{type: asha, variant: promotion, max_t: 81, grace_period: 1, "
                       "reduction_factor: 3, brackets: 5}",
    "median stopping": "{type: median, grace_period: 1, min_samples_required: 3}",
}


def spec_text(bench, scheduler, budget="", points=None, num_samples=0, seed=0):
    b = BENCHMARKS[bench]
    lines = [
        f"name: bench-{bench}",
        "command: 'true'  # never run: tuneq simulate simulates the trials",
        f"metric: {b['metric']}",
        "mode: min",
        f"resource: {b['resource']}",
        "space:",
    ]
    lines += [f"  {s}" for s in b["space"]]
    lines.append(f"searcher: {{type: random, seed: {seed}, num_samples: {num_samples}}}")
    if points:
        lines[-1] = lines[-1][:-1] + ", points_to_evaluate: ["
        lines[-1] += ", ".join("{" + ", ".join(f"{k}: {v}" for k, v in p.items()) + "}"
                               for p in points) + "]}"
    lines.append(f"scheduler: {scheduler}")
    if budget:
        lines.append(f"budget: {budget}")
    return "\n".join(lines) + "\n"


def write_spec(directory, text, name="spec.yaml"):
    path = os.path.join(directory, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def simulate(tuneq, spec_path, bench, workers, seeds=1, seed=None, max_time=None, extra=()):
    """Runs `tuneq simulate --json`; returns (document, CPU seconds the process used)."""
    cmd = [tuneq, "simulate", spec_path, "--benchmark", BENCHMARKS[bench]["arg"], "--workers",
           str(workers), "--seeds", str(seeds), "--json", *extra]
    if seed is not None:
        cmd += ["--seed", str(seed)]
    if max_time is not None:
        cmd += ["--max-time", f"{max_time:.6g}"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(cmd, check=False, capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {out.returncode}: {out.stderr.strip()}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return json.loads(out.stdout), cpu


def regret_at(trajectory, t):
    """Regret of the incumbent at time t: the last trajectory point at or before t (inf before
    the first result). `trajectory` is [(time, regret)] in time order."""
    r = math.inf
    for when, regret in trajectory:
        if when > t:
            break
        r = regret
    return r


def time_to(trajectory, target):
    """First time the regret is <= target (inf: never)."""
    for when, regret in trajectory:
        if regret <= target:
            return when
    return math.inf


def quartiles(values):
    """(25th, 50th, 75th) percentiles, inf-aware (linear interpolation between order stats)."""
    v = sorted(values)

    def q(p):
        if not v:
            return math.nan
        x = p * (len(v) - 1)
        lo, hi = math.floor(x), math.ceil(x)
        if v[lo] == math.inf or v[hi] == math.inf:
            return v[hi] if x - lo > 0 else v[lo]
        return v[lo] + (v[hi] - v[lo]) * (x - lo)
    return q(0.25), q(0.5), q(0.75)


def fmt_num(x, digits=3):
    if x == math.inf:
        return "never"
    if math.isnan(x):
        return "n/a"
    if x == 0:
        return "0"
    return f"{x:.{digits}g}"


def temp_dir():
    return tempfile.TemporaryDirectory(prefix="tuneq-bench-")


def wall():
    return time.perf_counter()
