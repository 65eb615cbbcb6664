#!/usr/bin/env python3
"""PBT against the best fixed configuration of random search and of ASHA, at equal compute.

Runs the real `tuneq` binary on examples/pbt_sgd/train.py (a numpy network trained by SGD on
digits, one epoch per report) for each seed:
  pbt     population 8, 24 epochs each, perturbation_interval 4 (examples/pbt_sgd/experiment.yaml)
  random  8 fixed configs from the same space, FIFO, 24 epochs each (8 x 24 = 192 epochs)
  asha    ASHA (stopping, max_t 24, grace 2, eta 3) on random configs until 192 epochs are spent
All on 2 slots. For each run it takes the best val_loss any trial reported (what `tuneq best`
shows) and the test accuracy of that same report (test data is never tuned on), plus the epochs
actually trained (the number of reports). Prints a markdown table.

  /usr/bin/python3 bench/pbt_vs_fixed.py build/release [--seeds 1 2 3] [--smoke]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TRAIN = os.path.join(ROOT, "examples", "pbt_sgd", "train.py")

def specs(epochs, population, interval):
    """The three specs at equal compute: population x epochs epochs each."""
    common = f"""command: /usr/bin/python3 {TRAIN} --lr {{lr}} --batch {{batch}} --epochs {epochs}
metric: val_loss
mode: min
resource: epoch
space:
  lr: loguniform(1e-3, 2)
  batch: choice([16, 32, 64])
pool: {{cpu: 2}}
max_concurrent: 2
"""
    return {
        "pbt": common + f"""scheduler:
  type: pbt
  perturbation_interval: {interval}
  quantile_fraction: 0.25
  resample_probability: 0.25
  hyperparam_mutations:
    lr: loguniform(1e-3, 2)
    batch: [16, 32, 64]
budget: {{trials: {population}}}
checkpoint_keep: 2
""",
        "random": common + f"scheduler: fifo\nbudget: {{trials: {population}}}\n",
        "asha": common + f"""scheduler: {{type: asha, variant: stopping, max_t: {epochs},
  grace_period: {max(1, epochs // 12)}, reduction_factor: 3}}
budget: {{total_resource: {population * epochs}}}
""",
    }


def run(tuneq, name, text, seed, workdir):
    spec = os.path.join(workdir, f"{name}-{seed}.yaml")
    with open(spec, "w") as f:
        f.write(f"name: {name}-{seed}\n" + text)
    out = os.path.join(workdir, f"{name}-{seed}")
    start = time.monotonic()
    subprocess.run([tuneq, "run", spec, "--dir", out, "--seed", str(seed), "--quiet"], check=True,
                   stdout=subprocess.DEVNULL)
    wall = time.monotonic() - start
    trials = json.loads(subprocess.run([tuneq, "export", out, "--format", "json"], check=True,
                                       capture_output=True, text=True).stdout)
    best = None
    for t in trials:
        for r in t["results"]:
            if r.get("val_loss") is not None and (best is None or r["val_loss"] < best[0]):
                best = (r["val_loss"], r["test_acc"], t["id"], len(t["schedule"]))
    epochs = sum(len(t["results"]) for t in trials)
    return {"val_loss": best[0], "test_acc": best[1], "epochs": epochs, "trials": len(trials),
            "wall": wall, "schedule_steps": best[3]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--smoke", action="store_true", help="one seed, 4 trials x 4 epochs")
    args = ap.parse_args()
    epochs, population, interval = (4, 4, 2) if args.smoke else (24, 8, 4)
    if args.smoke:
        args.seeds = args.seeds[:1]
    tuneq = os.path.join(os.path.abspath(args.build), "tuneq")
    texts = specs(epochs, population, interval)
    rows = {name: [] for name in texts}
    with tempfile.TemporaryDirectory(prefix="tuneq-pbt-bench-") as workdir:
        for seed in args.seeds:
            for name, text in texts.items():
                r = run(tuneq, name, text, seed, workdir)
                rows[name].append(r)
                print(f"seed {seed} {name}: {r}", file=sys.stderr, flush=True)
    print("| method | seed | best val_loss | test acc at it | epochs trained | trials | wall s |")
    print("|---|---|---|---|---|---|---|")
    for name, results in rows.items():
        for seed, r in zip(args.seeds, results):
            print(f"| {name} | {seed} | {r['val_loss']:.4f} | {r['test_acc']:.4f} | {r['epochs']} "
                  f"| {r['trials']} | {r['wall']:.0f} |")
    print()
    print("| method | median best val_loss | median test acc | median epochs |")
    print("|---|---|---|---|")
    for name, results in rows.items():
        print(f"| {name} | {statistics.median(r['val_loss'] for r in results):.4f} "
              f"| {statistics.median(r['test_acc'] for r in results):.4f} "
              f"| {statistics.median(r['epochs'] for r in results):.0f} |")


if __name__ == "__main__":
    main()
