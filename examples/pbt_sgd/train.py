"""A small neural network trained by plain minibatch SGD on scikit-learn's digits, one epoch per
report: a real training run where the best learning rate changes over time (large steps help
early, small steps late), which is what population-based training exploits.

Network: 64 -> 64 (ReLU) -> 10 (softmax), cross-entropy, weight decay, written with numpy only so
that a trial process starts in a fraction of a second (PBT restarts processes at every exploit
and time-multiplexing pause). Data: the digits CSV that ships with scikit-learn, read without
importing scikit-learn; 60% train, 20% validation (the metric, val_loss), 20% test (test_acc,
reported for the benchmark, never tuned on).

The learning rate and batch size come from the command line on every launch, so after PBT's
exploit the restored weights train on under the *explored* settings (never the cloned trial's).
The checkpoint holds the weights, the epoch and the data-order state.

By hand:  /usr/bin/python3 examples/pbt_sgd/train.py --lr 0.1 --batch 32 --epochs 5
"""
import argparse
import gzip
import importlib.util
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
import tuneq_trial as tq  # noqa: E402


def load_digits():
    spec = importlib.util.find_spec("sklearn")
    path = os.path.join(spec.submodule_search_locations[0], "datasets", "data", "digits.csv.gz")
    with gzip.open(path, "rt") as f:
        data = np.loadtxt(f, delimiter=",")
    return data[:, :-1] / 16.0, data[:, -1].astype(int)


def split(x, y):
    order = np.random.RandomState(0).permutation(len(x))
    a, b = int(0.6 * len(x)), int(0.8 * len(x))
    return [(x[i], y[i]) for i in (order[:a], order[a:b], order[b:])]


def forward(w, x):
    h = np.maximum(0.0, x @ w["w1"] + w["b1"])
    z = h @ w["w2"] + w["b2"]
    z -= z.max(axis=1, keepdims=True)
    p = np.exp(z)
    return h, p / p.sum(axis=1, keepdims=True)


def loss_and_accuracy(w, x, y):
    _, p = forward(w, x)
    return float(-np.log(p[np.arange(len(y)), y] + 1e-12).mean()), float((p.argmax(1) == y).mean())


def sgd_epoch(w, x, y, lr, batch, decay, rng):
    order = rng.permutation(len(x))
    for start in range(0, len(order), batch):
        idx = order[start:start + batch]
        xb, yb = x[idx], y[idx]
        h, p = forward(w, xb)
        p[np.arange(len(yb)), yb] -= 1.0
        p /= len(yb)
        gh = (p @ w["w2"].T) * (h > 0)
        w["w2"] -= lr * (h.T @ p + decay * w["w2"])
        w["b2"] -= lr * p.sum(0)
        w["w1"] -= lr * (xb.T @ gh + decay * w["w1"])
        w["b1"] -= lr * gh.sum(0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lr", type=float, default=0.1)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--decay", type=float, default=1e-4)
    ap.add_argument("--epochs", type=int, default=24)
    args = ap.parse_args()

    (x_train, y_train), (x_val, y_val), (x_test, y_test) = split(*load_digits())
    init = np.random.RandomState(1)
    w = {"w1": init.normal(0, 0.1, (64, 64)), "b1": np.zeros(64),
         "w2": init.normal(0, 0.1, (64, 10)), "b2": np.zeros(10)}
    epoch = 0
    if tq.restore_dir():
        state = np.load(os.path.join(tq.restore_dir(), "state.npz"))
        w = {k: state[k].copy() for k in w}
        epoch = int(state["epoch"])
    while epoch < args.epochs:
        # The data order depends on the epoch only: a restored trial sees what its source would.
        sgd_epoch(w, x_train, y_train, args.lr, args.batch, args.decay,
                  np.random.RandomState(1000 + epoch))
        epoch += 1
        val_loss, val_acc = loss_and_accuracy(w, x_val, y_val)
        _, test_acc = loss_and_accuracy(w, x_test, y_test)
        ckpt = tq.checkpoint_dir()
        np.savez(os.path.join(ckpt, "state.npz"), epoch=epoch, **w)
        tq.report(checkpoint=ckpt, epoch=epoch, val_loss=val_loss, val_acc=val_acc,
                  test_acc=test_acc, lr=args.lr)


if __name__ == "__main__":
    main()
