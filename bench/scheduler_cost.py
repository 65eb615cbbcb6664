#!/usr/bin/env python3
"""Runs bench/scheduler_bench and prints the cost-per-report table of docs/BENCHMARKS.md.

    bench/scheduler_cost.py build/release [--sizes 1000,10000,100000,1000000] [--repetitions 3]

For each scheduler: median ns per report at each size, and the ratio of the largest size's cost
to the smallest's (the target: under 1000 ns at 10^6 trials, ratio under 3).
"""
import argparse
import json
import subprocess
import sys


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("build_dir")
    ap.add_argument("--sizes", default="1000,10000,100000,1000000")
    ap.add_argument("--repetitions", type=int, default=3)
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    size_filter = "|".join(str(s) for s in sizes)
    out = subprocess.run(
        [f"{args.build_dir}/bench/scheduler_bench", "--benchmark_format=json",
         f"--benchmark_filter=/({size_filter})/",
         f"--benchmark_repetitions={args.repetitions}"],
        check=True, capture_output=True, text=True).stdout
    rows = {}
    for b in json.loads(out)["benchmarks"]:
        if b.get("aggregate_name") != "median":
            continue
        name, size = b["run_name"].split("/")[:2]
        rows.setdefault(name.removeprefix("BM_"), {})[int(size)] = b["per_report"] * 1e9
    head = " | ".join(f"{s:,} trials" for s in sizes)
    print(f"| scheduler | {head} | {sizes[-1]:,} / {sizes[0]:,} |")
    print("|---" * (len(sizes) + 2) + "|")
    ok = True
    for name, by_size in rows.items():
        cells = " | ".join(f"{by_size.get(s, float('nan')):.0f} ns" for s in sizes)
        ratio = by_size[sizes[-1]] / by_size[sizes[0]]
        print(f"| {name} | {cells} | {ratio:.2f}x |")
        ok &= by_size[sizes[-1]] < 1000 and ratio < 3
    print("\ntargets (< 1000 ns at the largest size, ratio < 3x):", "met" if ok else "NOT met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
