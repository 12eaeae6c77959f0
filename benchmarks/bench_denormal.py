"""No denormal stall: GD on a quadratic whose solution is x* = 0 against the same run with x*
random (issue 18, goal 4).

A run converging to x* = 0 decays through the subnormal numbers (below 2.2e-308), where x86
arithmetic is 25-60 times slower per operation. The loop (:mod:`convlab.runtime.loop`) sets
flush-to-zero and denormals-are-zero for the duration of a run. Measured here, in one process:

- ``run()``: GD (step 1/L) for 10^6 iterations on ``quadratic(d, L=1, mu=0.01, xstar=...)``,
  x* = 0 against x* random (the baseline). Goal: zero/random <= 1.2.
- the same kernel's ``advance`` called from Python for the same iterations, outside the loop
  (so without flush-to-zero): what the stall costs without it.

Each figure is the best of ``REPEATS`` runs after a warm-up. Run::

    python benchmarks/bench_denormal.py [--iterations N] [--dims 10 50]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from convlab.problems.registry import build
from convlab.run import run

REPEATS = 3
MU = 1e-3  # x_k decays like 0.999^k: the run spends most of 10^6 iterations below 1e-308


def best(fn) -> float:
    fn()
    out = float("inf")
    for _ in range(REPEATS):
        start = time.perf_counter()
        fn()
        out = min(out, time.perf_counter() - start)
    return out


def without_flush(problem, n: int):
    """GD's advance for n iterations called from Python (no flush-to-zero): the final x."""
    from convlab.algorithms.gradient import GD

    advance = GD.advance.compiled
    oracles = problem.oracle_tuple()
    hyper = np.array([1.0 / problem.L])
    ks = np.array([0, n], dtype=np.int64)

    def go():
        X = problem.x0.reshape(1, -1).copy()
        advance(oracles, problem.A, problem.b, problem.p, hyper, 0, ks, 0, n, X, np.zeros(1))
        return X[0]

    return go


def main(n: int, dims: tuple[int, ...]) -> None:
    print(f"GD, {n:,} iterations, step 1/L on quadratic(d, L=1, mu={MU:g}); best of {REPEATS}")
    print(f"{'d':>4} {'path':<24} {'x*=0':>9} {'x* random':>10} {'zero/random':>12} "
          f"{'smallest |x_N|':>15}")
    for d in dims:
        problems = {xs: build("quadratic", {"d": d, "L": 1.0, "mu": MU, "seed": 0,
                                            "xstar": xs}) for xs in ("zero", "random")}
        rows = []
        t = {xs: best(lambda pr=pr: run(pr, "gd", checkpoints=[0, n]))
             for xs, pr in problems.items()}
        last = run(problems["zero"], "gd", checkpoints=[0, n]).points["last"][-1]
        rows.append(("run() (flush-to-zero)", t, np.min(np.abs(last))))
        t = {xs: best(without_flush(pr, n)) for xs, pr in problems.items()}
        last = without_flush(problems["zero"], n)()
        rows.append(("advance, no flush", t, np.min(np.abs(last))))
        for name, t, small in rows:
            print(f"{d:>4} {name:<24} {t['zero']:>8.3f}s {t['random']:>9.3f}s "
                  f"{t['zero'] / t['random']:>11.2f}x {small:>15.3g}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=1_000_000)
    parser.add_argument("--dims", type=int, nargs="+", default=[10, 50])
    args = parser.parse_args()
    main(args.iterations, tuple(args.dims))
