"""The oracles and the kernel the catalog spends most in, against their former loops (issue 18,
goal 1).

The former loops are those the tests keep as references (tests/test_rows.py, tests/test_games.py;
the former Student-t draw is below). Each line times the former code and the current one in this
process, one after the other, and prints the ratio (current / former, lower is faster) after
checking that both give the same numbers, bit for bit, or (the Student-t draw, whose stream
changed) the same law. CPU time, best of ``REPEATS`` after a warm-up call.

1. Finite-sum oracles, one row at a time (the former loops) against the four-row
   helpers of ``convlab/problems/rows.py``: cauchy-regression's gradient (n = 200, d = 20: the
   ADOPT and SGD stationarity claims call it twice per step), the portfolio's value (m = 500,
   d = 50: the stateless Frank-Wolfe rule evaluates it about ten times per step) and
   l1-regression's subgradient (m = 200, d = 50: the fixed-horizon subgradient claims).
2. quad-heavy-tail's Student-t oracle at d = 10: the Gamma step's normal by Box-Muller with the
   exact acceptance test only (the former draw, below) against the ziggurat normal and
   Marsaglia-Tsang's squeeze (clipped-sgd-heavy-tail-high-prob: 2000 seeds).
3. sgd-moments, one run of 1000 steps on stab-ls-hetero-s0's instance (n = 10, d = 30): the
   former recursion (every column's unit vector formed again for every component) against the
   kernel (the catalog's nine mean-square stability pairs bisect on it).

Run::

    python benchmarks/bench_oracles.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
from numba import njit

from convlab.problems import constrained, nonconvex, nonsmooth
from convlab.problems.quadratics import symmetric_product
from convlab.problems.registry import build
from convlab.run import run
from convlab.runtime.random import normal, sample_id, uniform

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from test_games import _moments_column_by_column as former_moments  # noqa: E402
from test_rows import _cauchy_grad_rows as former_cauchy_grad  # noqa: E402
from test_rows import _l1reg_grad_rows as former_l1reg_grad  # noqa: E402
from test_rows import _portfolio_value_rows as former_portfolio_value  # noqa: E402

REPEATS = 5


def best_cpu(fn, *args) -> float:
    """Best CPU seconds of ``fn(*args)`` over REPEATS calls, after a warm-up call."""
    fn(*args)
    best = float("inf")
    for _ in range(REPEATS):
        start = time.process_time()
        fn(*args)
        best = min(best, time.process_time() - start)
    return best


# -- 1. the former row loops (kept in the tests, which check the helpers against them) -----------

@njit(cache=True)
def cauchy_grad_rows(A, b, p, x, out):
    former_cauchy_grad(A, b, x, out)


@njit(cache=True)
def portfolio_value_rows(A, b, p, x):
    return former_portfolio_value(A, b, x)


@njit(cache=True)
def l1reg_grad_rows(A, b, p, x, out):
    former_l1reg_grad(A, b, x, out)


@njit(cache=True)
def repeat_grad(grad, A, b, p, x, out, n):
    """n gradient calls, each at a point moved by the last result (no call is hoisted)."""
    for _ in range(n):
        grad(A, b, p, x, out)
        x[0] += 1e-12 * out[0]


@njit(cache=True)
def repeat_value(value, A, b, p, x, n):
    total = 0.0
    for _ in range(n):
        total += value(A, b, p, x)
        x[0] += 1e-16 * total
    return total


def finite_sums() -> None:
    print("1. finite-sum oracles: former row loop, four-row helpers (same bits)")
    cases = [
        ("cauchy-regression gradient", "cauchy-regression", {"n": 200, "d": 20, "seed": 0},
         cauchy_grad_rows, nonconvex.cauchy_grad, "grad", 20_000),
        ("l1-regression subgradient", "l1-regression", {"m": 200, "d": 50, "seed": 0},
         l1reg_grad_rows, nonsmooth.l1reg_grad, "grad", 10_000),
        ("portfolio value", "portfolio-logbarrier", {"m": 500, "d": 50, "seed": 0},
         portfolio_value_rows, constrained.portfolio_value, "value", 5_000),
    ]
    for label, family, params, former, current, kind, n in cases:
        pr = build(family, params)
        x0 = pr.x0.copy()
        if kind == "grad":
            a, b = np.empty(pr.dim), np.empty(pr.dim)
            former(pr.A, pr.b, pr.p, x0, a)
            current(pr.A, pr.b, pr.p, x0, b)
            same = np.array_equal(a, b)
            times = [best_cpu(lambda f: repeat_grad(f, pr.A, pr.b, pr.p, x0.copy(),
                                                    np.empty(pr.dim), n), f)
                     for f in (former, current.compiled)]
        else:
            same = former(pr.A, pr.b, pr.p, x0) == current(pr.A, pr.b, pr.p, x0)
            times = [best_cpu(lambda f: repeat_value(f, pr.A, pr.b, pr.p, x0.copy(), n), f)
                     for f in (former, current.compiled)]
        t0, t1 = (t / n * 1e9 for t in times)
        print(f"   {label:<28} {t0:>8.0f} ns  {t1:>8.0f} ns  {t1 / t0:.2f}x  same bits: {same}")


# -- 2. the former Student-t draw -----------------------------------------------------------------

@njit(cache=True)
def heavy_tail_box_muller(A, b, p, x, t, s, out):
    """quad-heavy-tail's oracle before 2026-12: Box-Muller normals in the Gamma step, no squeeze."""
    d = x.shape[0]
    nu = p[0]
    scale = p[1]
    a = 0.5 * nu
    boost = a < 1.0
    aa = a + 1.0 if boost else a
    dd = aa - 1.0 / 3.0
    cc = 1.0 / np.sqrt(9.0 * dd)
    symmetric_product(A, b, x, out)
    for i in range(d):
        acc = out[i]
        z = normal(s, i)
        gam = -1.0
        r = 0
        while gam < 0.0:
            c0 = 4 * (d + r * d + i)
            u1 = uniform(s, c0)
            u2 = uniform(s, c0 + 1)
            u3 = uniform(s, c0 + 2)
            n = np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)
            v = 1.0 + cc * n
            r += 1
            if v <= 0.0:
                continue
            v = v * v * v
            if np.log(u3) < 0.5 * n * n + dd - dd * v + dd * np.log(v):
                gam = dd * v
        if boost:
            gam *= uniform(s, 4 * (d + i) + 3) ** (1.0 / a)
        out[i] = acc + scale * z / np.sqrt(2.0 * gam / nu)


@njit(cache=True)
def draws(sgrad, A, b, p, x, n):
    out = np.empty(x.shape[0])
    res = np.empty((n, x.shape[0]))
    for k in range(n):
        sgrad(A, b, p, x, k, sample_id(3, k), out)
        res[k] = out
    return res


def student_t() -> None:
    from scipy import stats

    pr = build("quad-heavy-tail", {"d": 10, "kappa": 10.0, "nu": 1.8, "scale": 1.0, "seed": 0})
    x = np.zeros(10)
    n = 100_000
    former, current = heavy_tail_box_muller, pr.oracles["sgrad"].compiled
    t0, t1 = (best_cpu(draws, f, pr.A, pr.b, pr.p, x, n) / n * 1e9 for f in (former, current))
    pvalues = [min(stats.kstest(draws(f, pr.A, pr.b, pr.p, x, n)[:, i], "t", args=(1.8,)).pvalue
                   for i in range(10)) for f in (former, current)]
    print(f"\n2. Student-t(1.8) oracle, d = 10: Box-Muller {t0:.0f} ns, ziggurat and squeeze "
          f"{t1:.0f} ns per call: {t1 / t0:.2f}x; smallest KS p-value over the coordinates "
          f"({n} draws): {pvalues[0]:.3f} and {pvalues[1]:.3f}")


# -- 3. the former moment recursion (tests/test_games.py) ----------------------------------------

def moments() -> None:
    pr = build("ls-interpolating-overparam", {"n": 10, "d": 30, "norms": "hetero", "seed": 0})
    eta = 0.9 * pr.certified["eta_ms"]
    K = 1000
    sgrad = pr.oracles["sgrad"].compiled
    t0 = best_cpu(former_moments, pr.A, pr.b, pr.p, sgrad, pr.x0, eta, K)
    t1 = best_cpu(lambda: run(pr, "sgd-moments", {"step": eta}, checkpoints=np.array([K])))
    m, tr = former_moments(pr.A, pr.b, pr.p, sgrad, pr.x0, eta, K)
    trace = run(pr, "sgd-moments", {"step": eta}, checkpoints=np.array([K]))
    same = np.array_equal(trace.points["last"][-1], m) and trace.scalars["trace_cov"][-1] == tr
    print(f"\n3. sgd-moments, {K} steps (n = 10, d = 30): former {t0:.3f} s, kernel {t1:.3f} s: "
          f"{t1 / t0:.2f}x; same bits: {same}")


if __name__ == "__main__":
    finite_sums()
    student_t()
    moments()
