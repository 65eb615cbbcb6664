"""The benchmarks of `tuneq simulate` (src/sim/, docs/simulate.md), written again in Python so
that Optuna can be run on exactly the same functions and learning curves.

Each benchmark answers, like tuneq::sim::Benchmark: steps(config), value(config, step) (as
observed, with the benchmark's noise), step_cost(config, step) in simulated seconds,
final_value(config) (noise free, at the last step) and optimum. `space` lists the parameters with
the domain the bench specs draw them from: (name, kind, low, high) with kind "uniform",
"loguniform", or ("choice", values).

bench/peers/optuna_side_by_side.py --check compares these against `tuneq simulate` at fixed
points (through `tuneq export`), so a drift between the two is caught, not silently compared.
"""
import csv
import math
import struct

import numpy as np

MASK = (1 << 64) - 1


def _lam(z):
    return 0.05 + 0.95 * z * z * z


class MultiFidelity:
    """Kandasamy et al. 2017 style: step k of `steps` is fidelity z = k / steps; reaching z costs
    100 * (0.05 + 0.95 z^3) seconds; a step pays the difference from the previous one."""

    seconds_per_unit = 100.0

    def __init__(self, steps):
        self.n_steps = steps

    def steps(self, config):
        return self.n_steps

    def fidelity(self, step):
        return min(1.0, step / self.n_steps)

    def value(self, config, step):
        return self.at(config, self.fidelity(step))

    def step_cost(self, config, step):
        before = 0.0 if step <= 1 else _lam(self.fidelity(step - 1))
        return self.seconds_per_unit * (_lam(self.fidelity(step)) - before)

    def final_value(self, config):
        return self.at(config, 1.0)

    def x(self, config):
        return [min(max(float(config[n]), lo), hi) for n, _, lo, hi in self.space]


class Branin(MultiFidelity):
    name = "branin"
    space = [("x1", "uniform", -5.0, 10.0), ("x2", "uniform", 0.0, 15.0)]
    optimum = 0.397887357729738

    def at(self, config, z):
        x1, x2 = self.x(config)
        pi = math.pi
        b = 5.1 / (4 * pi * pi) - 0.01 * (1 - z)
        c = 5 / pi - 0.1 * (1 - z)
        t = 1 / (8 * pi) + 0.05 * (1 - z)
        q = x2 - b * x1 * x1 + c * x1 - 6
        return q * q + 10 * (1 - t) * math.cos(x1) + 10


_ALPHA = [1.0, 1.2, 3.0, 3.2]
_A3 = [[3, 10, 30], [0.1, 10, 35], [3, 10, 30], [0.1, 10, 35]]
_P3 = [[0.3689, 0.1170, 0.2673], [0.4699, 0.4387, 0.7470], [0.1091, 0.8732, 0.5547],
       [0.0381, 0.5743, 0.8828]]
_A6 = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8],
       [17, 8, 0.05, 10, 0.1, 14]]
_P6 = [[0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886],
       [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
       [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650],
       [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381]]


class Hartmann(MultiFidelity):
    def __init__(self, dim, steps):
        super().__init__(steps)
        self.name = f"hartmann{dim}"
        self.space = [(f"x{j}", "uniform", 0.0, 1.0) for j in range(1, dim + 1)]
        self.a, self.p = (_A3, _P3) if dim == 3 else (_A6, _P6)
        self.optimum = -3.86278214782076 if dim == 3 else -3.32236801141551

    def at(self, config, z):
        xs = self.x(config)
        total = 0.0
        for i in range(4):
            inner = 0.0
            for j, xj in enumerate(xs):
                d = xj - self.p[i][j]
                inner += self.a[i][j] * d * d
            total += (_ALPHA[i] - 0.1 * (1 - z)) * math.exp(-inner)
        return -total


def _mix(h):
    h &= MASK
    h ^= h >> 30
    h = (h * 0xBF58476D1CE4E5B9) & MASK
    h ^= h >> 27
    h = (h * 0x94D049BB133111EB) & MASK
    h ^= h >> 31
    return h


def _bits(v):
    return struct.unpack("<Q", struct.pack("<d", v))[0]


def _unit(h):
    return ((h >> 11) + 0.5) * 2.0 ** -53


class Curves:
    """Saturating learning curves whose speed grows with the distance from the optimum (fast
    starters end worse), plus N(0, 0.02^2) noise hashed from (seed, config, step)."""

    name = "curves"
    space = [("lr", "loguniform", 1e-4, 1.0), ("width", "uniform", 16.0, 512.0),
             ("dropout", "uniform", 0.0, 0.5)]
    optimum = 0.1
    best = (0.625, 0.5, 0.4)
    noise = 0.02

    def __init__(self, steps, seed):
        self.n_steps = steps
        self.seed = seed

    def steps(self, config):
        return self.n_steps

    def coords(self, config):
        lr = min(max(float(config["lr"]), 1e-4), 1.0)
        width = min(max(float(config["width"]), 16.0), 512.0)
        dropout = min(max(float(config["dropout"]), 0.0), 0.5)
        return ((math.log10(lr) + 4) / 4, (width - 16) / 496, dropout / 0.5)

    def distance(self, u):
        return math.sqrt(sum((u[i] - self.best[i]) ** 2 for i in range(3)) / 3)

    def mean(self, u, step):
        d = self.distance(u)
        g = 0.1 + 1.2 * d * d
        k = 0.5 + 15 * d
        p = min(1.0, step / self.n_steps)
        return g + (1 - g) * (math.exp(-k * p) - math.exp(-k)) / (1 - math.exp(-k))

    def gaussian(self, u, step):
        h = _mix(self.seed ^ 0x6A09E667F3BCC909)
        for v in u:
            h = _mix(h ^ _bits(v))
        h = _mix(h ^ step)
        u1, u2 = _unit(h), _unit(_mix((h + 0x9E3779B97F4A7C15) & MASK))
        return math.sqrt(-2 * math.log(u1)) * math.cos(2 * math.pi * u2)

    def value(self, config, step):
        u = self.coords(config)
        return self.mean(u, step) + self.noise * self.gaussian(u, step)

    def step_cost(self, config, step):
        return 1 + 2 * self.coords(config)[1]

    def final_value(self, config):
        d = self.distance(self.coords(config))
        return 0.1 + 1.2 * d * d


class Tabular:
    """Recorded curves (docs/simulate.md's CSV): a config's curve is that of the nearest listed
    config (categorical cells equal as text; numeric columns normalised by their listed range,
    in log space for `log_params`; ties to the first listed)."""

    def __init__(self, path, metric, mode, space):
        self.name = path.rsplit("/", 1)[-1]
        self.space = space
        with open(path) as f:
            rows = list(csv.reader(line for line in f if line.strip() and not line.startswith("#")))
        header = [h.strip() for h in rows[0]]
        self.params = [h for h in header if ":" not in h and h != "elapsed"]
        pcol = [header.index(p) for p in self.params]
        rcol = next(i for i, h in enumerate(header) if h.startswith("resource:"))
        mcol = header.index("metric:" + metric)
        ecol = header.index("elapsed")
        curves = {}
        for row in rows[1:]:
            row = [c.strip() for c in row]
            key = tuple(row[i] for i in pcol)
            curves.setdefault(key, []).append((float(row[rcol]), float(row[mcol]),
                                               float(row[ecol])))
        self.keys = list(curves)
        self.curves = [sorted(c) for c in curves.values()]
        self.numeric = []
        for j in range(len(self.params)):
            try:
                [float(k[j]) for k in self.keys]
                self.numeric.append(True)
            except ValueError:
                self.numeric.append(False)
        log_params = {n for n, kind, *_ in space if kind == "loguniform"}
        n = len(self.keys)
        self.coords = np.zeros((n, len(self.params)))
        self.offset, self.scale, self.log = [], [], []
        for j, p in enumerate(self.params):
            if not self.numeric[j]:
                self.offset.append(0.0), self.scale.append(0.0), self.log.append(False)
                continue
            col = np.array([float(k[j]) for k in self.keys])
            use_log = p in log_params and col.min() > 0
            t = np.log(col) if use_log else col
            lo, hi = t.min(), t.max()
            self.offset.append(lo)
            self.scale.append(1 / (hi - lo) if hi > lo else 0.0)
            self.log.append(use_log)
            self.coords[:, j] = (t - lo) * self.scale[-1]
        finals = [c[-1][1] for c in self.curves if not math.isnan(c[-1][1])]
        self.optimum = min(finals) if mode == "min" else max(finals)
        self._cache = {}

    def _curve(self, config):
        key = tuple((n, str(v)) for n, v in sorted(config.items()))
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        q = np.zeros(len(self.params))
        match = np.ones(len(self.keys), dtype=bool)
        for j, p in enumerate(self.params):
            v = config[p]
            if self.numeric[j]:
                t = math.log(max(float(v), 5e-324)) if self.log[j] else float(v)
                q[j] = (t - self.offset[j]) * self.scale[j]
            else:
                match &= np.array([k[j] == str(v) for k in self.keys])
        dist = ((self.coords - q) ** 2).sum(axis=1)
        dist[~match] = np.inf
        curve = self.curves[int(np.argmin(dist))]
        self._cache[key] = curve
        return curve

    def steps(self, config):
        return len(self._curve(config))

    def value(self, config, step):
        c = self._curve(config)
        return c[min(max(step, 1), len(c)) - 1][1]

    def step_cost(self, config, step):
        c = self._curve(config)
        return c[min(max(step, 1), len(c)) - 1][2]

    def final_value(self, config):
        return self._curve(config)[-1][1]


DIGITS_SPACE = [("lr", "loguniform", 1e-4, 0.3), ("alpha", "loguniform", 1e-6, 1e-1),
                ("hidden", ("choice", [16, 32, 64, 128]), None, None),
                ("batch", ("choice", [16, 32, 64, 128, 256]), None, None),
                ("solver", ("choice", ["sgd", "adam"]), None, None)]


def make(name, steps=81, seed=0, csv_path=None):
    """The benchmark `tuneq simulate --benchmark name` builds (with --max-steps steps)."""
    if name == "branin":
        return Branin(steps)
    if name in ("hartmann3", "hartmann6"):
        return Hartmann(int(name[-1]), steps)
    if name == "curves":
        return Curves(steps, seed)
    if name.endswith(".csv"):
        return Tabular(csv_path or name, "val_loss", "min", DIGITS_SPACE)
    raise ValueError(f"unknown benchmark {name}")
