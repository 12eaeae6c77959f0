"""Kernel speed against a numpy loop and a hand-inlined numba loop; seeds in parallel.

All timings of one table are taken in this process, one after the other, so every ratio compares
figures measured under the same machine load. Each figure is the best of ``REPEATS`` runs after a
warm-up call.

1. Time per iteration at d = 10 and d = 1000 for four methods:
   GD (step 1/L) and Nesterov's AGD on ``quadratic(d, L=1, mu=0.01)``, SGD (step 0.1) on the same
   quadratic with additive noise, and extragradient (step 1/L) on ``strongly-monotone-linear(d)``.
   Three implementations of each: a plain numpy loop, convlab's kernel (typed first-class
   oracles, recording only at k = 0 and k = n), and a hand-inlined ``@njit`` loop doing the same
   arithmetic with the same primitives as the oracles (plain loops below 64 coordinates, BLAS
   ``np.dot`` from 64 on). Goals (issue 9): numpy/kernel >= 100 at d = 10, >= 1 at d = 1000;
   kernel/inlined <= 1.3. A short run first checks that the three agree.
2. Many seeds of SGD in parallel (``run_seeds``, numba ``prange``) against the same seeds one
   after the other, with a check that the traces are bitwise identical. Goal: >= 1.7x on 2 cores.

Run::

    python benchmarks/bench_kernels.py           # full run (a few minutes)
    python benchmarks/bench_kernels.py --quick   # smoke run
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from numba import njit

from convlab.runtime.random import normal, sample_id
from convlab.algorithms.registry import get_algorithm
from convlab.problems.registry import build
from convlab.run import run_seeds

REPEATS = 3
DIMS = (10, 1000)


def best_time(fn, n: int) -> float:
    """Best wall time per iteration of ``fn(n)`` over REPEATS runs (after a warm-up)."""
    fn(max(1, n // 100))
    best = float("inf")
    for _ in range(REPEATS):
        start = time.perf_counter()
        fn(n)
        best = min(best, time.perf_counter() - start)
    return best / n


# -- hand-inlined numba loops --------------------------------------------------------------------

@njit(cache=True)
def _matvec(H, v, out):
    d = v.shape[0]
    if d >= 64:
        out[:] = np.dot(H, v)
    else:
        for i in range(d):
            s = 0.0
            for j in range(d):
                s += H[i, j] * v[j]
            out[i] = s


@njit(cache=True)
def inlined_gd(H, xs, x0, h, n):
    x = x0.copy()
    e = np.empty_like(x)
    g = np.empty_like(x)
    for _ in range(n):
        for i in range(x.shape[0]):
            e[i] = x[i] - xs[i]
        _matvec(H, e, g)
        for i in range(x.shape[0]):
            x[i] -= h * g[i]
    return x


@njit(cache=True)
def inlined_agd(H, xs, x0, h, n):
    x = x0.copy()
    x_prev = x0.copy()
    y = x0.copy()
    e = np.empty_like(x)
    g = np.empty_like(x)
    t = 1.0
    for _ in range(n):
        for i in range(x.shape[0]):
            e[i] = y[i] - xs[i]
        _matvec(H, e, g)
        t_next = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * t * t))
        beta = (t - 1.0) / t_next
        for i in range(x.shape[0]):
            x_prev[i] = x[i]
            x[i] = y[i] - h * g[i]
            y[i] = x[i] + beta * (x[i] - x_prev[i])
        t = t_next
    return x


@njit(cache=True)
def inlined_sgd(H, xs, x0, h, sigma, seed, n):
    x = x0.copy()
    e = np.empty_like(x)
    g = np.empty_like(x)
    for t in range(n):
        s = sample_id(seed, t)
        for i in range(x.shape[0]):
            e[i] = x[i] - xs[i]
        _matvec(H, e, g)
        for i in range(x.shape[0]):
            x[i] -= h * (g[i] + sigma * normal(s, i))
    return x


@njit(cache=True)
def inlined_eg(M, q, z0, h, n):
    z = z0.copy()
    w = np.empty_like(z)
    f = np.empty_like(z)
    for _ in range(n):
        _matvec(M, z, f)
        for i in range(z.shape[0]):
            w[i] = z[i] - h * (f[i] - q[i])
        _matvec(M, w, f)
        for i in range(z.shape[0]):
            z[i] -= h * (f[i] - q[i])
    return z


# -- numpy loops --------------------------------------------------------------------------------

def numpy_gd(H, xs, x0, h, n):
    x = x0.copy()
    for _ in range(n):
        x -= h * (H @ (x - xs))
    return x


def numpy_agd(H, xs, x0, h, n):
    x, y, t = x0.copy(), x0.copy(), 1.0
    for _ in range(n):
        x_new = y - h * (H @ (y - xs))
        t_new = 0.5 * (1 + np.sqrt(1 + 4 * t * t))
        y = x_new + ((t - 1) / t_new) * (x_new - x)
        x, t = x_new, t_new
    return x


def numpy_sgd(H, xs, x0, h, sigma, rng, n):
    x = x0.copy()
    for _ in range(n):
        x -= h * (H @ (x - xs) + sigma * rng.standard_normal(x.shape[0]))
    return x


def numpy_eg(M, q, z0, h, n):
    z = z0.copy()
    for _ in range(n):
        w = z - h * (M @ z - q)
        z = z - h * (M @ w - q)
    return z


# -- the table ----------------------------------------------------------------------------------

def cases(d: int):
    """(method, problem, algorithm, params, numpy runner, inlined runner) at dimension d."""
    quad = build("quadratic", {"d": d, "L": 1.0, "mu": 0.01, "seed": 0})
    noisy = build("quadratic", {"d": d, "L": 1.0, "mu": 0.01, "seed": 0, "noise": 0.1})
    vi = build("strongly-monotone-linear", {"d": d, "seed": 0})
    H, xs, x0 = quad.A, quad.b, quad.x0
    h = 1.0 / quad.L
    M, q = vi.A, vi.b
    h_vi = 1.0 / vi.L
    rng = np.random.default_rng(0)
    return [
        ("GD", quad, "gd", {"step": h}, lambda n: numpy_gd(H, xs, x0, h, n),
         lambda n: inlined_gd(H, xs, x0, h, n)),
        ("AGD", quad, "agd", {"step": h}, lambda n: numpy_agd(H, xs, x0, h, n),
         lambda n: inlined_agd(H, xs, x0, h, n)),
        ("SGD", noisy, "sgd", {"step": 0.1}, lambda n: numpy_sgd(H, xs, x0, 0.1, 0.1, rng, n),
         lambda n: inlined_sgd(H, xs, x0, 0.1, 0.1, 0, n)),
        ("EG", vi, "extragradient", {"step": h_vi}, lambda n: numpy_eg(M, q, vi.x0, h_vi, n),
         lambda n: inlined_eg(M, q, vi.x0, h_vi, n)),
    ]


def kernel_runner(problem, algorithm, params):
    from convlab.run import _prepare

    ks, alg, _, hyper = _prepare(problem, algorithm, params, 1, None, None)
    kernel = alg.kernel()
    oracles = problem.oracle_tuple()

    def go(n: int):
        cps = np.array([0, n], dtype=np.int64)
        points, _, j, _ = kernel(oracles, problem.A, problem.b, problem.p, problem.x0, hyper,
                                 cps, 0, 0)
        return points[j - 1, 0]

    return go


def check(name, problem, runners, n=200):
    """The three implementations agree after n iterations (SGD: kernel and inlined only)."""
    out = {k: np.asarray(fn(n)) for k, fn in runners.items() if not (name == "SGD" and
                                                                     k == "numpy")}
    ref = out["kernel"]
    worst = max(float(np.max(np.abs(v - ref)) / max(1e-300, float(np.max(np.abs(ref)))))
                for v in out.values())
    return worst


def main(quick: bool) -> None:
    budget = {10: (2_000_000, 20_000), 1000: (5_000, 5_000)}  # (compiled, numpy) iterations
    shrink = 50 if quick else 1
    print("time per iteration; best of 3; kernel records only at k = 0 and k = n")
    print(f"{'method':<6} {'d':>5} {'numpy':>10} {'kernel':>10} {'inlined':>10} "
          f"{'numpy/kernel':>13} {'kernel/inlined':>15} {'agree':>8}")
    for d in DIMS:
        n_fast, n_numpy = (v // shrink for v in budget[d])
        for name, problem, algorithm, params, np_run, inl_run in cases(d):
            kern = kernel_runner(problem, algorithm, params)
            agree = check(name, problem, {"numpy": np_run, "kernel": kern, "inlined": inl_run})
            t_np = best_time(np_run, max(1, n_numpy))
            t_k = best_time(kern, max(1, n_fast))
            t_in = best_time(inl_run, max(1, n_fast))
            print(f"{name:<6} {d:>5} {t_np * 1e9:>8.0f}ns {t_k * 1e9:>8.0f}ns {t_in * 1e9:>8.0f}ns "
                  f"{t_np / t_k:>12.1f}x {t_k / t_in:>14.2f}x {agree:>8.0e}")

    print("\nSGD, seeds in parallel (numba prange) against one after the other")
    problem = build("quadratic", {"d": 10, "L": 1.0, "mu": 0.01, "seed": 0, "noise": 0.1})
    n_seeds, n_iter = (64, 2_000) if quick else (256, 20_000)
    run_seeds(problem, "sgd", {"step": 0.1}, seeds=range(4), iterations=100)  # compile
    timings = {}
    traces = {}
    for parallel in (False, True):
        best = float("inf")
        for _ in range(REPEATS):
            start = time.perf_counter()
            traces[parallel] = run_seeds(problem, "sgd", {"step": 0.1}, seeds=range(n_seeds),
                                         iterations=n_iter, parallel=parallel)
            best = min(best, time.perf_counter() - start)
        timings[parallel] = best
    same = all(np.array_equal(a.points[p], b.points[p]) for a, b in
               zip(traces[False], traces[True]) for p in ("last", "avg", "wavg"))
    import numba

    print(f"  {n_seeds} seeds x {n_iter} iterations: serial {timings[False]:.2f} s, parallel "
          f"{timings[True]:.2f} s on {numba.get_num_threads()} threads: "
          f"{timings[False] / timings[True]:.2f}x; identical traces: {same}")
    print(f"\nkernels: {', '.join(get_algorithm(a).name for a in ('gd', 'agd', 'sgd', 'extragradient'))}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small budgets (a smoke run)")
    main(parser.parse_args().quick)
