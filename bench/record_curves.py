#!/usr/bin/python3
"""Records real learning curves as a tabular benchmark for `tuneq simulate` (docs/simulate.md).

    /usr/bin/python3 bench/record_curves.py [--configs 300] [--epochs 81] [--seed 0]
                                            [--out bench/data/digits_mlp.csv]

Trains scikit-learn's MLPClassifier on the digits data set (1 797 8x8 images, 10 classes; 75 %
train, 25 % validation, stratified, fixed split) for `--epochs` epochs, one `partial_fit` pass
over the shuffled training set per epoch, for `--configs` configurations drawn from a seeded
random generator:

    lr      log-uniform in [1e-4, 0.3)     learning_rate_init
    alpha   log-uniform in [1e-6, 1e-1)    L2 penalty
    hidden  one of 16, 32, 64, 128         width of the one hidden layer
    batch   one of 16, 32, 64, 128, 256    minibatch size
    solver  sgd (momentum 0.9) or adam

After each epoch it records the validation log-loss (`val_loss`, to minimise), the validation
accuracy (`val_accuracy`) and the CPU seconds the epoch took (training pass plus evaluation) in
this process with one BLAS thread (`elapsed`). CPU time rather than wall time, so that other work
on the machine does not leak into the recorded costs; it still varies by some percent between
recordings. Everything else (configs, curves) is a deterministic function of the seed.

A run whose weights overflow (possible at the largest learning rates) cannot be evaluated; from
that epoch on its val_loss is recorded as 10.0 (worse than the 2.30 of a uniform guess) and its
accuracy as 0.1. The script prints how many configs that happened to.

The CSV is the tabular format of docs/simulate.md. It is recorded once and committed
(bench/data/digits_mlp.csv); a rerun reproduces every column except `elapsed` up to timing noise.
"""
import argparse
import math
import os
import sys
import time

# One BLAS thread: the recorded CPU seconds are those of one core, and the recording shares the
# machine politely. Must be set before numpy is imported.
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

import warnings  # noqa: E402

import numpy as np  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.metrics import log_loss  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402

HIDDEN = [16, 32, 64, 128]
BATCH = [16, 32, 64, 128, 256]
SOLVER = ["sgd", "adam"]
DIVERGED_LOSS = 10.0
DIVERGED_ACCURACY = 0.1
HEADER_COMMENT = ("digits MLP learning curves, recorded by bench/record_curves.py "
                  "(elapsed: CPU seconds per epoch, one core)")


def sample_configs(n, seed):
    rng = np.random.RandomState(seed)
    configs = []
    for _ in range(n):
        configs.append({
            "lr": float(math.exp(rng.uniform(math.log(1e-4), math.log(0.3)))),
            "alpha": float(math.exp(rng.uniform(math.log(1e-6), math.log(1e-1)))),
            "hidden": int(HIDDEN[rng.randint(len(HIDDEN))]),
            "batch": int(BATCH[rng.randint(len(BATCH))]),
            "solver": SOLVER[rng.randint(len(SOLVER))],
        })
    return configs


def record(config, index, epochs, data):
    """Returns [(epoch, val_loss, val_accuracy, cpu_seconds)] for one config."""
    x_train, x_val, y_train, y_val, classes = data
    model = MLPClassifier(hidden_layer_sizes=(config["hidden"],), solver=config["solver"],
                          learning_rate_init=config["lr"], alpha=config["alpha"],
                          batch_size=config["batch"], momentum=0.9, shuffle=True,
                          random_state=index)
    rows = []
    diverged = False
    for epoch in range(1, epochs + 1):
        start = time.process_time()
        if not diverged:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                warnings.simplefilter("ignore", RuntimeWarning)  # overflow in a diverging run
                model.partial_fit(x_train, y_train, classes=classes)
                proba = model.predict_proba(x_val)
            if np.all(np.isfinite(proba)):
                val_loss = float(log_loss(y_val, proba, labels=classes))
                val_accuracy = float((proba.argmax(axis=1) == y_val).mean())
            else:
                diverged = True
        if diverged:
            val_loss, val_accuracy = DIVERGED_LOSS, DIVERGED_ACCURACY
        rows.append((epoch, val_loss, val_accuracy, time.process_time() - start))
    return rows, diverged


def write_csv(path, configs, curves):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as f:
        f.write(f"# {HEADER_COMMENT}\n")
        f.write("lr,alpha,hidden,batch,solver,resource:epoch,metric:val_loss,metric:val_accuracy,"
                "elapsed\n")
        for config, rows in zip(configs, curves):
            head = (f"{config['lr']:.6g},{config['alpha']:.6g},{config['hidden']},"
                    f"{config['batch']},{config['solver']}")
            for epoch, loss, acc, secs in rows:
                f.write(f"{head},{epoch},{loss:.6g},{acc:.6g},{secs:.4g}\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--configs", type=int, default=300)
    ap.add_argument("--epochs", type=int, default=81)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                  "data", "digits_mlp.csv"))
    args = ap.parse_args()

    x, y = load_digits(return_X_y=True)
    x = x / 16.0
    x_train, x_val, y_train, y_val = train_test_split(x, y, test_size=0.25, random_state=0,
                                                      stratify=y)
    data = (x_train, x_val, y_train, y_val, np.unique(y))

    configs = sample_configs(args.configs, args.seed)
    curves = []
    diverged = 0
    wall = time.perf_counter()
    for i, config in enumerate(configs):
        rows, div = record(config, i, args.epochs, data)
        curves.append(rows)
        diverged += div
        if (i + 1) % 25 == 0 or i + 1 == len(configs):
            print(f"{i + 1}/{len(configs)} configs, {time.perf_counter() - wall:.0f} s",
                  file=sys.stderr, flush=True)
    write_csv(args.out, configs, curves)
    finals = [rows[-1][1] for rows in curves]
    best = int(np.argmin(finals))
    print(f"wrote {args.out}: {len(configs)} configs x {args.epochs} epochs; "
          f"{diverged} diverged; best final val_loss {finals[best]:.4f} ({configs[best]}); "
          f"{time.perf_counter() - wall:.0f} s")


if __name__ == "__main__":
    main()
