"""Trains scikit-learn's MLPClassifier on the digits data set, one epoch per report.

A real training program for tuneq: it reads its hyperparameters from the command line (tuneq
fills them in from the spec's {placeholders}), reports validation loss and accuracy after every
epoch through python/tuneq_trial.py, and saves a checkpoint (the pickled model and the epoch) so
that a paused, promoted or resumed trial continues where it stopped.

By hand:  /usr/bin/python3 examples/digits_sklearn/train.py --lr 0.01 --hidden 64 --epochs 5
"""
import argparse
import os
import pickle
import sys
import warnings

import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import log_loss
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
import tuneq_trial as tq  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lr", type=float, default=0.01)
    ap.add_argument("--alpha", type=float, default=1e-4)
    ap.add_argument("--hidden", type=int, default=64)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--epochs", type=int, default=27)
    args = ap.parse_args()

    x, y = load_digits(return_X_y=True)
    x = x / 16.0
    x_train, x_val, y_train, y_val = train_test_split(x, y, test_size=0.25, random_state=0,
                                                      stratify=y)
    classes = np.unique(y)

    epoch = 0
    model = MLPClassifier(hidden_layer_sizes=(args.hidden,), learning_rate_init=args.lr,
                          alpha=args.alpha, batch_size=args.batch, random_state=0)
    if tq.restore_dir():
        with open(os.path.join(tq.restore_dir(), "model.pkl"), "rb") as f:
            epoch, model = pickle.load(f)
        print(f"resumed at epoch {epoch} from {tq.restore_dir()}")

    rng = np.random.RandomState(epoch)
    while epoch < args.epochs:
        order = rng.permutation(len(x_train))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            for start in range(0, len(order), args.batch):
                batch = order[start:start + args.batch]
                model.partial_fit(x_train[batch], y_train[batch], classes=classes)
        epoch += 1
        proba = model.predict_proba(x_val)
        val_loss = log_loss(y_val, proba, labels=classes)
        val_accuracy = float((proba.argmax(axis=1) == y_val).mean())
        ckpt = tq.checkpoint_dir(f"ckpt-{epoch}")
        with open(os.path.join(ckpt, "model.pkl"), "wb") as f:
            pickle.dump((epoch, model), f)
        tq.report(checkpoint=ckpt, epoch=epoch, val_loss=val_loss, val_accuracy=val_accuracy)


if __name__ == "__main__":
    main()
