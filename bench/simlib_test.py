#!/usr/bin/python3
"""Table-driven tests of the helpers the benchmark tables are computed with (bench/simlib.py).

    /usr/bin/python3 bench/simlib_test.py      (scripts/bench.sh --smoke runs it)
"""
import math
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import simlib  # noqa: E402

INF = math.inf
# A trajectory: the incumbent's regret changes at times 5, 20 and 60.
TRAJ = [(5.0, 3.0), (20.0, 1.0), (60.0, 0.25)]


class RegretAt(unittest.TestCase):
    def test_table(self):
        cases = [
            (0.0, INF),    # before the first result: no incumbent
            (4.99, INF),
            (5.0, 3.0),    # a point counts from its own time on
            (19.0, 3.0),
            (20.0, 1.0),
            (1e9, 0.25),   # after the last point: the last regret
        ]
        for t, want in cases:
            self.assertEqual(simlib.regret_at(TRAJ, t), want, t)

    def test_empty_trajectory_never_has_an_incumbent(self):
        self.assertEqual(simlib.regret_at([], 100.0), INF)


class TimeTo(unittest.TestCase):
    def test_table(self):
        cases = [
            (5.0, 5.0),    # the first point already reaches it
            (3.0, 5.0),    # at or below: equal counts
            (2.0, 20.0),
            (1.0, 20.0),
            (0.3, 60.0),
            (0.2, INF),    # never reached
        ]
        for target, want in cases:
            self.assertEqual(simlib.time_to(TRAJ, target), want, target)


class Quartiles(unittest.TestCase):
    def test_table(self):
        # Linear interpolation between order statistics at p (n - 1):
        #   [1, 2, 3, 4]: 25th at 0.75 -> 1.75, median at 1.5 -> 2.5, 75th at 2.25 -> 3.25
        #   [4, 1, 3, 2, 5]: sorted 1..5, positions 1, 2, 3 -> 2, 3, 4
        #   [1, 2, inf, inf]: 25th 1.75; median between 2 and inf -> inf; 75th inf
        #   [7]: 7, 7, 7
        cases = [
            ([1, 2, 3, 4], (1.75, 2.5, 3.25)),
            ([4, 1, 3, 2, 5], (2, 3, 4)),
            ([1, 2, INF, INF], (1.75, INF, INF)),
            ([1, INF, INF, INF, INF], (INF, INF, INF)),
            ([7], (7, 7, 7)),
        ]
        for values, want in cases:
            self.assertEqual(simlib.quartiles(values), want, values)

    def test_no_values_is_nan(self):
        self.assertTrue(all(math.isnan(q) for q in simlib.quartiles([])))


class Spec(unittest.TestCase):
    def test_spec_names_the_benchmark_space_scheduler_and_points(self):
        text = simlib.spec_text("branin", "{type: fifo}", budget="{trials: 3}",
                                points=[{"x1": 1.5, "x2": 2}], num_samples=2, seed=4)
        self.assertIn("  x1: uniform(-5, 10)\n  x2: uniform(0, 15)\n", text)
        self.assertIn("searcher: {type: random, seed: 4, num_samples: 2, "
                      "points_to_evaluate: [{x1: 1.5, x2: 2}]}\n", text)
        self.assertIn("scheduler: {type: fifo}\nbudget: {trials: 3}\n", text)
        self.assertIn("metric: loss\nmode: min\nresource: step\n", text)


if __name__ == "__main__":
    unittest.main()
