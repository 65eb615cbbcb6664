#!/usr/bin/python3
"""tuneq's schedulers and Optuna 3.1's pruners side by side (issue #4, point 5).

    /usr/bin/python3 bench/peers/optuna_side_by_side.py build/release/tuneq [--smoke]
        [--parts check,cost,regret] [--seeds 10] [--out docs/bench/optuna.md]

Run with Debian's python3 (/usr/bin/python3 imports python3-optuna). Three parts:

check   The Python benchmarks (bench/peers/benchmarks.py) equal tuneq's: for every benchmark,
        `tuneq simulate --dir` runs fixed and random configs with FIFO on one worker, `tuneq
        export` prints every reported value with its simulated time, and each value and step
        cost must match the Python one (relative 1e-9). The other parts refuse to run if it fails.
cost    Decision cost per report at 1 000, 5 000 and 20 000 trials (see COST_NOTE below for
        exactly what each side measures).
regret  Final and anytime simple regret at equal budget, measured in resource (epochs / steps):
        tuneq's ASHA stopping, asynchronous Hyperband (stopping, 5 brackets) and median stopping
        with random search on one worker, against Optuna's SuccessiveHalvingPruner,
        HyperbandPruner and MedianPruner with RandomSampler and TPESampler, same seeds.

Writes the tables as Markdown to --out (and prints them).
"""
import argparse
import math
import os
import random
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))

import optuna  # noqa: E402

import benchmarks  # noqa: E402
import simlib  # noqa: E402

optuna.logging.set_verbosity(optuna.logging.WARNING)

MAX_T = simlib.MAX_T
BENCH_NAMES = ["branin", "hartmann3", "hartmann6", "curves", "digits_mlp"]

# tuneq scheduler <-> Optuna pruner, the nearest equivalents (both: first rung 1, eta 3, 81 max).
OURS = {
    "SH": "{type: asha, variant: stopping, max_t: 81, grace_period: 1, reduction_factor: 3}",
    "HB": "{type: asha, variant: stopping, max_t: 81, grace_period: 1, reduction_factor: 3, "
          "brackets: 5}",
    "median": "{type: median, grace_period: 1, min_samples_required: 3}",
}
OURS_LABEL = {"SH": "ASHA stopping", "HB": "async Hyperband (stopping, 5 brackets)",
              "median": "median stopping"}
OPTUNA_LABEL = {"SH": "SuccessiveHalvingPruner", "HB": "HyperbandPruner",
                "median": "MedianPruner"}


def make_pruner(kind):
    if kind == "SH":
        return optuna.pruners.SuccessiveHalvingPruner(min_resource=1, reduction_factor=3,
                                                      min_early_stopping_rate=0)
    if kind == "HB":
        return optuna.pruners.HyperbandPruner(min_resource=1, max_resource=MAX_T,
                                              reduction_factor=3)
    return optuna.pruners.MedianPruner(n_startup_trials=3, n_warmup_steps=0, interval_steps=1)


def make_sampler(kind, seed):
    if kind == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    return optuna.samplers.TPESampler(seed=seed)


def bench_of(name, seed):
    return benchmarks.make(name if name != "digits_mlp" else simlib.DIGITS_CSV, MAX_T, seed)


def suggest(trial, bench):
    config = {}
    for name, kind, low, high in bench.space:
        if kind == "uniform":
            config[name] = trial.suggest_float(name, low, high)
        elif kind == "loguniform":
            config[name] = trial.suggest_float(name, low, high, log=True)
        else:
            config[name] = trial.suggest_categorical(name, kind[1])
    return config


# ---------------------------------------------------------------------------------------------
# check

def random_config(bench, rng):
    config = {}
    for name, kind, low, high in bench.space:
        if kind == "uniform":
            config[name] = rng.uniform(low, high)
        elif kind == "loguniform":
            config[name] = math.exp(rng.uniform(math.log(low), math.log(high)))
        else:
            config[name] = rng.choice(kind[1])
    return config


FIXED_POINTS = {
    "branin": [{"x1": -math.pi, "x2": 12.275}, {"x1": 0.0, "x2": 0.0}],
    "hartmann3": [{"x1": 0.114614, "x2": 0.555649, "x3": 0.852547}],
    "hartmann6": [{"x1": 0.20169, "x2": 0.150011, "x3": 0.476874, "x4": 0.275332,
                   "x5": 0.311652, "x6": 0.6573}],
    "curves": [{"lr": 10 ** -1.5, "width": 264.0, "dropout": 0.2},
               {"lr": 0.5, "width": 16.0, "dropout": 0.0}],
    "digits_mlp": [],
}


def check(tuneq, n_random=6, seed=3):
    """Returns a list of mismatch messages (empty: the two implementations agree)."""
    import json
    problems = []
    rng = random.Random(1234)
    for name in BENCH_NAMES:
        bench = bench_of(name, seed)
        points = list(FIXED_POINTS[name]) + [random_config(bench, rng) for _ in range(n_random)]
        with simlib.temp_dir() as d:
            spec = simlib.write_spec(d, simlib.spec_text(
                name, "{type: fifo}", points=[{k: repr(v) if isinstance(v, float) else v
                                               for k, v in p.items()} for p in points],
                num_samples=len(points), seed=seed))
            out = subprocess.run([tuneq, "simulate", spec, "--benchmark",
                                  simlib.BENCHMARKS[name]["arg"], "--workers", "1", "--dir",
                                  os.path.join(d, "exp")], capture_output=True, text=True)
            if out.returncode != 0:
                problems.append(f"{name}: tuneq simulate failed: {out.stderr.strip()}")
                continue
            trials = json.loads(subprocess.run(
                [tuneq, "export", os.path.join(d, "exp"), "--format", "json"], check=True,
                capture_output=True, text=True).stdout)
        metric, res = simlib.BENCHMARKS[name]["metric"], simlib.BENCHMARKS[name]["resource"]
        checked = 0
        for t in trials:
            config = t["config"]
            prev_time = None
            for k, r in enumerate(t["results"], start=1):
                want = bench.value(config, k)
                got = r[metric]
                if not math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-12):
                    problems.append(f"{name}: trial {t['id']} {config} step {k}: tuneq {got!r}, "
                                    f"python {want!r}")
                if r[res] != k and name != "digits_mlp":
                    problems.append(f"{name}: step {k} reported resource {r[res]}")
                if prev_time is not None:
                    cost = bench.step_cost(config, k)
                    if not math.isclose(r["time"] - prev_time, cost, rel_tol=1e-6, abs_tol=1e-9):
                        problems.append(f"{name}: trial {t['id']} step {k}: step cost tuneq "
                                        f"{r['time'] - prev_time!r}, python {cost!r}")
                prev_time = r["time"]
                checked += 1
            if len(t["results"]) != bench.steps(config):
                problems.append(f"{name}: trial {t['id']}: {len(t['results'])} steps, python "
                                f"{bench.steps(config)}")
        print(f"check {name}: {len(trials)} configs, {checked} values compared", file=sys.stderr)
    return problems


# ---------------------------------------------------------------------------------------------
# cost

COST_NOTE = """\
What each side measures, per report (one `report` of a metric at one step):

- **tuneq**: the CPU time of the whole `tuneq simulate` process (spec parsing, the random
  searcher, the simulated executor computing the `curves` benchmark, the production tuner loop,
  the event log in memory, and the scheduler) divided by the reports it made, for a run of N
  trials on one worker. This is an upper bound on the decision cost; the scheduler alone is in
  the "Cost per scheduler decision" table above.
- **Optuna, pruner**: the CPU time of `trial.report(value, step)` plus `trial.should_prune()`
  per report (InMemoryStorage), i.e. only the pruning decision, measured around those two calls.
- **Optuna, loop**: the CPU time of `study.optimize` per report (sampler `RandomSampler`,
  pruner, storage, and the Python objective computing the same `curves` benchmark).

All are CPU times of one process (`time.process_time`, `getrusage`), so other work on the
machine does not count against either side.

Optuna's pruners read every trial of the study on each decision, so their cost grows with the
number of trials already in the study. To measure it at N trials without running N^2 work, the
study is first filled with N finished trials copied (`study.add_trials`) from a real run of
min(N, 1000) trials with the same pruner, so rung attributes and intermediate values have the
real distribution; then K more trials run and only their reports are timed (cost at N, not
averaged from 0 to N: for a cost linear in N the run average is about half). tuneq's figure is
the average over the whole run of N trials (its cost does not grow with N: compare the columns).
"""


def optuna_cost(kind, n, k, seed=0):
    """(pruner seconds per report, loop seconds per report) for K trials at N trials."""
    bench = benchmarks.Curves(MAX_T, seed)
    acc = {"pruner": 0.0, "reports": 0}

    def objective(trial):
        config = suggest(trial, bench)
        v = math.nan
        for step in range(1, MAX_T + 1):
            v = bench.value(config, step)
            t0 = time.process_time()
            trial.report(v, step)
            pruned = trial.should_prune()
            acc["pruner"] += time.process_time() - t0
            acc["reports"] += 1
            if pruned:
                raise optuna.TrialPruned()
        return v

    seed_study = optuna.create_study(sampler=make_sampler("random", seed), pruner=make_pruner(kind),
                                     study_name=f"cost-{kind}-{n}-seed")
    seed_study.optimize(objective, n_trials=min(n, 1000))
    templates = seed_study.get_trials(deepcopy=False)
    study = optuna.create_study(sampler=make_sampler("random", seed + 1), pruner=make_pruner(kind),
                                study_name=f"cost-{kind}-{n}")
    copies = []
    while len(copies) < n:
        for t in templates[: n - len(copies)]:
            copies.append(optuna.trial.create_trial(
                state=t.state, value=t.value if t.state == optuna.trial.TrialState.COMPLETE
                else None, params=t.params, distributions=t.distributions,
                intermediate_values=t.intermediate_values, system_attrs=t.system_attrs))
    study.add_trials(copies)
    acc["pruner"], acc["reports"] = 0.0, 0
    t0 = time.process_time()
    study.optimize(objective, n_trials=k)
    loop = time.process_time() - t0
    return acc["pruner"] / acc["reports"], loop / acc["reports"]


def ours_cost(tuneq, kind, n):
    """CPU seconds per report of `tuneq simulate` over a run of N trials (median of 3)."""
    with simlib.temp_dir() as d:
        spec = simlib.write_spec(d, simlib.spec_text("curves", OURS[kind], budget=f"{{trials: {n}}}"))
        per = []
        for _ in range(3):
            doc, cpu = simlib.simulate(tuneq, spec, "curves", workers=1)
            per.append(cpu / doc["runs"][0]["reports"])
        return statistics.median(per)


def cost_table(tuneq, sizes, k_of):
    lines = ["| pruner / scheduler | trials | tuneq (whole process) | Optuna pruner calls | "
             "Optuna loop | Optuna pruner / tuneq |", "|---|---|---|---|---|---|"]
    for kind in ["SH", "HB", "median"]:
        for n in sizes:
            ours = ours_cost(tuneq, kind, n)
            pruner, loop = optuna_cost(kind, n, k_of(n))
            lines.append(f"| {OPTUNA_LABEL[kind]} / {OURS_LABEL[kind]} | {n:,} | "
                         f"{ours * 1e6:.2f} us | {pruner * 1e6:.0f} us | {loop * 1e6:.0f} us | "
                         f"{pruner / ours:,.0f}x |")
            print(lines[-1], file=sys.stderr, flush=True)
    return lines


# ---------------------------------------------------------------------------------------------
# regret at equal budget

FRACTIONS = [0.1, 0.25, 0.5, 1.0]


def optuna_regret(name, kind, sampler, seed, budget):
    """Regret of the incumbent after each fraction of `budget` resource units (one per step).
    The incumbent is the config that reported the best value so far (any step), as in tuneq
    simulate; its regret is final_value(config) - optimum."""
    bench = bench_of(name, seed)
    state = {"used": 0, "best": math.inf, "regret": math.inf}
    marks = [f * budget for f in FRACTIONS]
    out = []

    def objective(trial):
        config = suggest(trial, bench)
        v = math.nan
        for step in range(1, bench.steps(config) + 1):
            v = bench.value(config, step)
            state["used"] += 1
            if v < state["best"]:
                state["best"] = v
                state["regret"] = bench.final_value(config) - bench.optimum
            while marks and state["used"] >= marks[0]:
                out.append(state["regret"])
                marks.pop(0)
            if not marks:  # budget spent: end this trial and the study
                trial.study.stop()
                raise optuna.TrialPruned()
            trial.report(v, step)
            if trial.should_prune():
                raise optuna.TrialPruned()
        return v

    # A fixed study name: HyperbandPruner puts trial k in a bracket by a hash of (study name, k),
    # and the default name is random, which would make the runs differ from one call to the next.
    study = optuna.create_study(sampler=make_sampler(sampler, seed), pruner=make_pruner(kind),
                                study_name=f"{name}-{kind}-{sampler}-{seed}")
    study.optimize(objective)
    return out


def ours_regret(tuneq, name, kind, seeds, budget):
    """Per seed, the regret at the end of runs with budget.total_resource = f * budget, one
    worker (a run with a smaller budget is the prefix of a larger one)."""
    per_seed = [[] for _ in seeds]
    with simlib.temp_dir() as d:
        for f in FRACTIONS:
            spec = simlib.write_spec(d, simlib.spec_text(
                name, OURS[kind], budget=f"{{total_resource: {f * budget:g}}}"))
            doc, _ = simlib.simulate(tuneq, spec, name, workers=1, seeds=len(seeds),
                                     seed=seeds[0])
            for i, run in enumerate(doc["runs"]):
                r = run["best"]["regret"] if run["best"] else None
                per_seed[i].append(math.inf if r is None else r)
    return per_seed


def regret_tables(tuneq, names, seeds, budget_units):
    head = " | ".join(f"{f:g} B" for f in FRACTIONS)
    lines = []
    for name in names:
        budget = budget_units * MAX_T
        lines += [f"\n**{name}** (budget B = {budget:,} resource units = {budget_units} full-length "
                  f"trainings; median [quartiles] of simple regret over {len(seeds)} seeds)\n",
                  f"| method | {head} |", "|---" * (len(FRACTIONS) + 1) + "|"]
        rows = []
        for kind in ["SH", "HB", "median"]:
            per = ours_regret(tuneq, name, kind, seeds, budget)
            rows.append((f"tuneq {OURS_LABEL[kind]} + random", per))
            for sampler in ["random", "tpe"]:
                per = [optuna_regret(name, kind, sampler, s, budget) for s in seeds]
                rows.append((f"Optuna {OPTUNA_LABEL[kind]} + {'TPE' if sampler == 'tpe' else 'random'}", per))
        for label, per in rows:
            cells = []
            for i in range(len(FRACTIONS)):
                q1, q2, q3 = simlib.quartiles([p[i] for p in per])
                cells.append(f"{simlib.fmt_num(q2)} [{simlib.fmt_num(q1)}, {simlib.fmt_num(q3)}]")
            lines.append(f"| {label} | " + " | ".join(cells) + " |")
            print(lines[-1], file=sys.stderr, flush=True)
    return lines


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("tuneq", help="the tuneq binary, e.g. build/release/tuneq")
    ap.add_argument("--smoke", action="store_true", help="tiny sizes: checks that it runs")
    ap.add_argument("--parts", default="check,cost,regret")
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--budget", type=int, default=20, help="budget in full-length trainings")
    ap.add_argument("--out", default="")
    args = ap.parse_args()
    parts = args.parts.split(",")
    sizes, k_of = [1000, 5000, 20000], (lambda n: 100 if n < 20000 else 50)
    names, seeds, budget = BENCH_NAMES, list(range(args.seeds)), args.budget
    if args.smoke:
        sizes, k_of = [200], (lambda n: 10)
        names, seeds, budget = ["branin", "digits_mlp"], [0, 1], 3

    problems = check(args.tuneq, n_random=6 if not args.smoke else 2)
    if problems:
        print("the Python benchmarks differ from tuneq's:\n  " + "\n  ".join(problems[:20]),
              file=sys.stderr)
        return 1
    doc = [f"<!-- written by bench/peers/optuna_side_by_side.py {' '.join(sys.argv[1:])}; "
           f"Optuna {optuna.__version__} -->",
           "Benchmark check: the Python benchmarks equal tuneq's on every compared value."]
    if "cost" in parts:
        doc += ["", "### Decision cost per report", "", *cost_table(args.tuneq, sizes, k_of), "",
                COST_NOTE]
    if "regret" in parts:
        doc += ["", "### Simple regret at equal budget", *regret_tables(args.tuneq, names, seeds,
                                                                          budget)]
    text = "\n".join(doc) + "\n"
    print(text)
    if args.out:
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(args.out, "w") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
