#!/usr/bin/python3
"""Quality of the schedulers on every benchmark (issue #4, point 4): regret over simulated time.

    /usr/bin/python3 bench/quality.py build/release/tuneq [--seeds 10] [--smoke]
        [--out docs/bench]          # runs, then writes quality.json, quality.md and the plots
    /usr/bin/python3 bench/quality.py --replot docs/bench   # tables and plots from quality.json

For each benchmark (branin, hartmann3, hartmann6, curves, the recorded digits_mlp.csv), each
scheduler (random search = FIFO, synchronous Hyperband, ASHA stopping, ASHA promotion,
asynchronous Hyperband = ASHA promotion with 5 brackets, median stopping; all with random search
as the searcher, max_t 81, eta 3, first rung 1) and 4 and 32 workers, one `tuneq simulate
--seeds K --json` run with a simulated time budget T = 25 full-length trainings of the benchmark
(so 4 workers can train 100 configs to the end, 32 workers 800). From the trajectories:

- simple regret (final value of the incumbent minus the optimum; the incumbent is the config that
  reported the best value so far) at T/16, T/8, T/4, T/2 and T: median and quartiles over seeds;
- time to target: the first simulated time the regret is at or below the target, where the
  target of a benchmark and worker count is the upper quartile of the regret random search with
  as many workers reaches at T (so random search reaches it within T in about 3 of 4 seeds, by
  construction); speed-up = random search's median time to target / the method's, at the same
  worker count;
- worker utilisation (busy worker-seconds / (workers x elapsed)), median over seeds.

Writes OUT/quality.json (the recorded numbers: quantiles on a time grid, per-seed times to
target and utilisation), OUT/quality.md (the tables) and OUT/quality_4_workers.png,
OUT/quality_32_workers.png (regret vs simulated time, one panel per benchmark, median and
quartile band). --replot rebuilds the tables and plots from quality.json alone.
"""
import argparse
import json
import math
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import simlib  # noqa: E402

BENCH_NAMES = ["branin", "hartmann3", "hartmann6", "curves", "digits_mlp"]
WORKERS = [4, 32]
FRACTIONS = [1 / 16, 1 / 8, 1 / 4, 1 / 2, 1]
GRID_POINTS = 64  # log-spaced times from T/1000 to T at which the quantiles are recorded
BUDGET_TRAININGS = 25


def full_training_seconds(name):
    """Mean simulated seconds of one 81-step training of the benchmark."""
    if name in ("branin", "hartmann3", "hartmann6"):
        return 100.0  # 100 s x lambda(1) = 100 (src/sim/synthetic.cpp)
    if name == "curves":
        return 81 * 2.0  # 81 steps of 1 + 2 u seconds, u = normalised width, uniform: mean 2
    total, configs = 0.0, set()
    with open(simlib.DIGITS_CSV) as f:
        header = None
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            cells = line.strip().split(",")
            if header is None:
                header = cells
                continue
            configs.add(tuple(cells[:5]))
            total += float(cells[header.index("elapsed")])
    return total / len(configs)


def time_grid(budget):
    return [budget * 10 ** (-3 + 3 * i / (GRID_POINTS - 1)) for i in range(GRID_POINTS)]


def run_all(tuneq, names, schedulers, workers, seeds, budget_trainings):
    data = {"seeds": seeds, "budget_trainings": budget_trainings, "benchmarks": {}}
    with simlib.temp_dir() as d:
        for name in names:
            budget = budget_trainings * full_training_seconds(name)
            bench = {"budget": budget, "optimum": None, "runs": {}}
            for label, sched in schedulers.items():
                spec = simlib.write_spec(d, simlib.spec_text(name, sched))
                for w in workers:
                    t0 = time.perf_counter()
                    doc, _ = simlib.simulate(tuneq, spec, name, workers=w, seeds=seeds,
                                             seed=0, max_time=budget)
                    bench["optimum"] = doc["optimum"]
                    trajs = [[(p["time"], math.inf if p["regret"] is None else p["regret"])
                              for p in run["trajectory"]] for run in doc["runs"]]
                    bench["runs"][f"{label}|{w}"] = {
                        "trajectories": trajs,
                        "utilisation": [run["utilisation"] for run in doc["runs"]],
                        "trials": [run["trials"] for run in doc["runs"]],
                        "reports": [run["reports"] for run in doc["runs"]],
                    }
                    print(f"{name:10} {label:22} {w:2} workers: {seeds} seeds, "
                          f"{time.perf_counter() - t0:.2f} s", file=sys.stderr, flush=True)
            data["benchmarks"][name] = bench
    return data


def summarise(data):
    """Reduces per-seed trajectories to what quality.json keeps."""
    out = {"seeds": data["seeds"], "budget_trainings": data["budget_trainings"],
           "fractions": FRACTIONS, "benchmarks": {}}
    for name, bench in data["benchmarks"].items():
        budget = bench["budget"]
        grid = time_grid(budget)
        targets = {}  # workers -> target regret
        for key, runs in bench["runs"].items():
            label, w = key.split("|")
            if label == "random (FIFO)":
                targets[w] = simlib.quartiles([simlib.regret_at(t, budget)
                                               for t in runs["trajectories"]])[2]
        b = {"budget": budget, "optimum": bench["optimum"], "targets": targets, "grid": grid,
             "methods": {}}
        for key, runs in bench["runs"].items():
            trajs = runs["trajectories"]
            target = targets.get(key.split("|")[1])
            b["methods"][key] = {
                "grid_quartiles": [simlib.quartiles([simlib.regret_at(t, g) for t in trajs])
                                   for g in grid],
                "at_fractions": [simlib.quartiles([simlib.regret_at(t, f * budget)
                                                   for t in trajs]) for f in FRACTIONS],
                "time_to_target": [simlib.time_to(t, target) for t in trajs]
                if target is not None else [],
                "utilisation": runs["utilisation"],
                "trials": runs["trials"],
                "reports": runs["reports"],
            }
        out["benchmarks"][name] = b
    return out


def _json_safe(x):
    if isinstance(x, float):
        if math.isinf(x):
            return "inf"
        return float(f"{x:.5g}")
    if isinstance(x, (list, tuple)):
        return [_json_safe(v) for v in x]
    if isinstance(x, dict):
        return {k: _json_safe(v) for k, v in x.items()}
    return x


def _from_json(x):
    if x == "inf":
        return math.inf
    if isinstance(x, list):
        return [_from_json(v) for v in x]
    if isinstance(x, dict):
        return {k: _from_json(v) for k, v in x.items()}
    return x


def speedup_table(summary):
    """One row per scheduler and worker count, one column per benchmark: the median time to
    target and the speed-up over random search with as many workers."""
    f = simlib.fmt_num
    names = list(summary["benchmarks"])
    lines = ["| scheduler | workers | " + " | ".join(names) + " |",
             "|---" * (len(names) + 2) + "|"]
    keys = list(summary["benchmarks"][names[0]]["methods"])
    for key in sorted(keys, key=lambda k: (int(k.split("|")[1]), keys.index(k))):
        label, w = key.split("|")
        cells = []
        for name in names:
            methods = summary["benchmarks"][name]["methods"]
            t = simlib.quartiles(methods[key]["time_to_target"])[1]
            ref = simlib.quartiles(methods[f"random (FIFO)|{w}"]["time_to_target"])[1]
            speed = f"{ref / t:.1f}x" if 0 < t < math.inf and ref < math.inf else "-"
            cells.append("never" if t == math.inf else f"{f(t)} s ({speed})")
        lines.append(f"| {label} | {w} | " + " | ".join(cells) + " |")
    return lines


def tables(summary, command):
    f = simlib.fmt_num
    lines = [f"<!-- written by {command} -->", "",
             "Median simulated time to target (speed-up over random search with as many "
             "workers):", "", *speedup_table(summary), ""]
    seeds = summary["seeds"]
    for name, b in summary["benchmarks"].items():
        lines += [f"#### {name}", "",
                  f"Budget T = {f(b['budget'], 4)} simulated seconds ({summary['budget_trainings']}"
                  f" full-length trainings per worker); optimum {f(b['optimum'], 6)}; target "
                  "regret (upper quartile of random search's regret at T) " +
                  ", ".join(f"{f(t)} with {w} workers" for w, t in b["targets"].items()) +
                  f". Median [25th, 75th percentile] over {seeds} seeds.", ""]
        head = " | ".join(f"regret at T/{round(1 / x)}" if x < 1 else "regret at T"
                          for x in summary["fractions"])
        lines += [f"| scheduler | workers | {head} | time to target | speed-up vs random "
                  "| utilisation |", "|---" * (len(summary["fractions"]) + 5) + "|"]
        for key, m in b["methods"].items():
            label, w = key.split("|")
            ref = None  # random search's median time to target with as many workers
            if f"random (FIFO)|{w}" in b["methods"]:
                ref = simlib.quartiles(b["methods"][f"random (FIFO)|{w}"]["time_to_target"])[1]
            cells = [f"{f(q2)} [{f(q1)}, {f(q3)}]" for q1, q2, q3 in m["at_fractions"]]
            t1, t2, t3 = simlib.quartiles(m["time_to_target"])
            speed = ("n/a" if ref is None or t2 == math.inf or ref == math.inf
                     else f"{ref / t2:.1f}x" if t2 > 0 else "inf")
            util = simlib.quartiles(m["utilisation"])[1]
            lines.append(f"| {label} | {w} | " + " | ".join(cells) +
                         f" | {f(t2)} [{f(t1)}, {f(t3)}] | {speed} | {util:.3f} |")
        lines.append("")
    return lines


COLORS = {"random (FIFO)": "tab:gray", "synchronous Hyperband": "tab:purple",
          "ASHA stopping": "tab:blue", "ASHA promotion": "tab:orange",
          "async Hyperband": "tab:green", "median stopping": "tab:red"}


def plots(summary, out_dir):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    written = []
    for w in WORKERS:
        names = list(summary["benchmarks"])
        cols = 3
        rows = math.ceil(len(names) / cols)
        fig, axes = plt.subplots(rows, cols, figsize=(5 * cols, 3.8 * rows), squeeze=False)
        for ax, name in zip(axes.flat, names):
            b = summary["benchmarks"][name]
            # Regret 0 (the optimum found) cannot be drawn on a log axis: it is drawn at a floor
            # half the smallest positive quartile in the panel.
            positive = [v for key, m in b["methods"].items() if key.endswith(f"|{w}")
                        for q in m["grid_quartiles"] for v in q if 0 < v < math.inf]
            floor = min(positive) / 2 if positive else 1e-6
            for key, m in b["methods"].items():
                label, mw = key.split("|")
                if int(mw) != w:
                    continue
                q = m["grid_quartiles"]
                keep = [i for i, (_, med, _) in enumerate(q) if math.isfinite(med)]
                if not keep:
                    continue
                ts = [b["grid"][i] for i in keep]
                med = [max(q[i][1], floor) for i in keep]
                lo = [max(q[i][0], floor) for i in keep]
                hi = [max(q[i][2], floor) if math.isfinite(q[i][2]) else float("nan")
                      for i in keep]
                ax.plot(ts, med, label=label, color=COLORS.get(label))
                ax.fill_between(ts, lo, hi, alpha=0.15, color=COLORS.get(label))
            if b["targets"].get(str(w)):
                ax.axhline(b["targets"][str(w)], color="black", lw=0.6, ls=":")
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_title(f"{name} ({w} workers)")
            ax.set_xlabel("simulated time (s)")
            ax.set_ylabel("simple regret (0 drawn at the bottom)")
            ax.grid(True, which="major", alpha=0.3)
        for ax in list(axes.flat)[len(names):]:
            ax.axis("off")
        handles, labels = axes.flat[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="lower right", bbox_to_anchor=(0.97, 0.08), fontsize=9)
        fig.suptitle(f"Simple regret vs simulated time, {w} workers: median and quartiles over "
                     f"{summary['seeds']} seeds (dotted: target)", fontsize=11)
        fig.tight_layout()
        path = os.path.join(out_dir, f"quality_{w}_workers.png")
        fig.savefig(path, dpi=80)
        plt.close(fig)
        written.append(path)
    return written


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("tuneq", nargs="?", help="the tuneq binary, e.g. build/release/tuneq")
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(simlib.BENCH_DIR), "docs",
                                                  "bench"))
    ap.add_argument("--smoke", action="store_true",
                    help="2 seeds, two benchmarks, 4 workers, a short budget; writes nothing "
                         "unless --out is given explicitly")
    ap.add_argument("--replot", metavar="DIR", help="tables and plots from DIR/quality.json")
    args = ap.parse_args()

    if args.replot:
        with open(os.path.join(args.replot, "quality.json")) as f:
            summary = _from_json(json.load(f))
        out_dir = args.replot
        command = summary.get("command", "bench/quality.py")
    else:
        if not args.tuneq:
            ap.error("give the tuneq binary, or --replot DIR")
        names, workers, seeds, budget = BENCH_NAMES, WORKERS, args.seeds, BUDGET_TRAININGS
        if args.smoke:
            names, workers, seeds, budget = ["branin", "digits_mlp"], [4], 2, 4
        t0 = time.perf_counter()
        data = run_all(args.tuneq, names, simlib.SCHEDULERS, workers, seeds, budget)
        summary = summarise(data)
        command = "bench/quality.py " + " ".join(sys.argv[1:])
        summary["command"] = command
        print(f"all runs: {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        out_dir = args.out
        if args.smoke and "--out" not in sys.argv:
            print("\n".join(tables(summary, command)))
            return 0
        os.makedirs(out_dir, exist_ok=True)
        with open(os.path.join(out_dir, "quality.json"), "w") as f:
            json.dump(_json_safe(summary), f, separators=(",", ":"))
    text = "\n".join(tables(summary, command)) + "\n"
    with open(os.path.join(out_dir, "quality.md"), "w") as f:
        f.write(text)
    print(text)
    for p in plots(summary, out_dir):
        print("wrote", p, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
