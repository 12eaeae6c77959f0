"""Kernel speed against a numpy loop and a hand-inlined numba loop; products per d²; normals;
seeds in parallel (issue 18, goal 3).

Every timing of a table is taken in this process, one after the other, so each ratio compares
figures measured under the same machine load; each figure is the best of ``REPEATS`` runs after
a warm-up call; BLAS runs on one thread (numpy's and the kernels'). Instances have a random solution x* (x* = 0 would decay into subnormal
numbers, which the loop flushes to zero but a numpy loop does not: benchmarks/bench_denormal.py).

1. Time per iteration at d = 10 and d = 1000 of four methods: GD (step 1/L) and Nesterov's AGD
   on ``quadratic(d, L=1, mu=0.01, xstar=random)``, SGD (step 0.1) on the same quadratic with
   additive noise 0.1, and extragradient (step 1/L) on ``strongly-monotone-linear(d)``. Three
   implementations: a plain numpy loop; convlab's kernel through ``run()`` (one call: the loop,
   typed first-class oracles, records at k = 0 and k = n); a hand-inlined ``@njit`` loop doing
   the same arithmetic with the same primitives as the oracles. Goals: GD at d = 10 at most
   25 ns per iteration and at least 60x the numpy loop; kernel/inlined <= 1.3 for every
   method; kernel no slower than numpy at d = 1000. A short run first checks that the kernel
   and the inlined loop agree bit for bit (and numpy to rounding; SGD's numpy loop draws its
   own noise and is not compared).
2. GD per iteration per d² at d = 10..63 (plain loops over the columns of the symmetric H,
   ``symmetric_product``) against d = 64 (BLAS), and against the strict row loops the oracle
   used before (the same numbers, bit for bit). Goal: d = 20-63 no slower per d² than BLAS at
   d = 64. Two other summation orders, as oracles of the same kernel: the row sums compiled
   with ``fastmath`` (LLVM may reorder every sum as it likes: what any order can buy from the
   compiler) and four fixed lanes per row (terms j mod 4 summed apart, combined as
   (s0 + s1) + (s2 + s3): the deterministic partial sums the issue proposes). They change the
   numbers and are measured only to show whether another order would be faster.
3. Standard normals per draw: the Box–Muller cosine half alone (the issue's baseline) against
   the ziggurat draws of ``add_normals``. Goal: at most half the cost per draw.
4. Many seeds of SGD in parallel (``run_seeds``, numba ``prange``) against the same seeds one
   after the other, bitwise identical. Goal: >= 1.7x on 2 cores.

Run::

    python benchmarks/bench_kernels.py           # full run (a few minutes)
    python benchmarks/bench_kernels.py --quick   # smoke run
"""

from __future__ import annotations

import argparse
import dataclasses
import time

import numpy as np
from numba import njit

from convlab.problems.quadratics import symmetric_product
from convlab.problems.registry import build
from convlab.run import run, run_seeds
from convlab.runtime.jit import LazyJit, lazy_jit, signature
from convlab.runtime.random import add_normals, sample_id, uniform

REPEATS = 3


def best_time(fn, n: int) -> float:
    """Best wall time per iteration of ``fn(n)`` over REPEATS runs (after a warm-up)."""
    fn(max(1, n // 100))
    best = float("inf")
    for _ in range(REPEATS):
        start = time.perf_counter()
        fn(n)
        best = min(best, time.perf_counter() - start)
    return best / n


# -- hand-inlined numba loops (the oracles' arithmetic, no function pointers, no loop) -----------

@njit(cache=True)
def _grad_loops(H, xs, x, out):
    """The quadratic family's gradient below 64 coordinates (``quadratic_grad``)."""
    symmetric_product(H, xs, x, out)


@njit(cache=True)
def _grad_blas(H, xs, x, out):
    """The quadratic family's gradient from 64 coordinates on (``quadratic_grad_blas``)."""
    out[:] = np.dot(H, x - xs)


@njit(cache=True)
def _operator(M, q, z, out):
    d = z.shape[0]
    if d >= 64:
        out[:] = np.dot(M, z) - q
        return
    for i in range(d):
        s = 0.0
        for j in range(d):
            s += M[i, j] * z[j]
        out[i] = s - q[i]


def quadratic_loops(grad):
    """Hand-inlined GD, AGD and SGD loops on the quadratic gradient ``grad`` (one set per
    oracle: the family picks one per dimension, so the kernel never branches between them; a
    branch inside the loop cost the former reference 20 ns per iteration at d = 10)."""

    @njit
    def inlined_gd(H, xs, x0, h, n):
        x = x0.copy()
        g = np.empty_like(x)
        for _ in range(n):
            grad(H, xs, x, g)
            for i in range(x.shape[0]):
                x[i] -= h * g[i]
        return x

    @njit
    def inlined_agd(H, xs, x0, h, n):
        x = x0.copy()
        y = x0.copy()
        g = np.empty_like(x)
        t = 1.0
        for _ in range(n):
            grad(H, xs, y, g)
            t_next = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * t * t))
            beta = (t - 1.0) / t_next
            for i in range(x.shape[0]):
                x_new = y[i] - h * g[i]
                y[i] = x_new + beta * (x_new - x[i])
                x[i] = x_new
            t = t_next
        return x

    @njit
    def inlined_sgd(H, xs, x0, h, sigma, seed, n):
        """SGD with the two averages the kernel records (Σ x_t and Σ γ_t x_t, as the
        extragradient loop below keeps its average)."""
        x = x0.copy()
        g = np.empty_like(x)
        sum_x = np.zeros_like(x)
        wsum_x = np.zeros_like(x)
        for t in range(n):
            s = sample_id(seed, t)
            for i in range(x.shape[0]):
                sum_x[i] += x[i]
                wsum_x[i] += h * x[i]
            grad(H, xs, x, g)
            add_normals(s, 0, sigma, g)
            for i in range(x.shape[0]):
                x[i] -= h * g[i]
        return x, sum_x, wsum_x

    return inlined_gd, inlined_agd, inlined_sgd


#: The inlined loops with the family's gradient of each regime (BLAS_FROM_DIM = 64).
LOOPS = {False: quadratic_loops(_grad_loops), True: quadratic_loops(_grad_blas)}


@njit(cache=True)
def inlined_eg(M, q, z0, h, n):
    z = z0.copy()
    w = np.empty_like(z)
    f = np.empty_like(z)
    acc = np.zeros_like(z)
    for _ in range(n):
        _operator(M, q, z, f)
        for i in range(z.shape[0]):
            w[i] = z[i] - h * f[i]
        _operator(M, q, w, f)
        for i in range(z.shape[0]):
            z[i] = z[i] - h * f[i]
            acc[i] += w[i]
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
    acc = np.zeros_like(z)
    for _ in range(n):
        w = z - h * (M @ z - q)
        z = z - h * (M @ w - q)
        acc += w
    return z


# -- 1. the table -------------------------------------------------------------------------------

def cases(d: int):
    """(method, problem, algorithm, params, numpy runner, inlined runner) at dimension d."""
    quad = build("quadratic", {"d": d, "L": 1.0, "mu": 0.01, "seed": 0, "xstar": "random"})
    noisy = build("quadratic", {"d": d, "L": 1.0, "mu": 0.01, "seed": 0, "xstar": "random",
                                "noise": 0.1})
    vi = build("strongly-monotone-linear", {"d": d, "seed": 0})
    H, xs, x0 = quad.A, quad.b, quad.x0
    h = 1.0 / quad.L
    M, q = vi.A, vi.b
    h_vi = 1.0 / vi.L
    rng = np.random.default_rng(0)
    inlined_gd, inlined_agd, inlined_sgd = LOOPS[d >= 64]
    return [
        ("GD", quad, "gd", {"step": h}, lambda n: numpy_gd(H, xs, x0, h, n),
         lambda n: inlined_gd(H, xs, x0, h, n)),
        ("AGD", quad, "agd", {"step": h}, lambda n: numpy_agd(H, xs, x0, h, n),
         lambda n: inlined_agd(H, xs, x0, h, n)),
        ("SGD", noisy, "sgd", {"step": 0.1}, lambda n: numpy_sgd(H, xs, x0, 0.1, 0.1, rng, n),
         lambda n: inlined_sgd(H, xs, x0, 0.1, 0.1, 0, n)[0]),
        ("EG", vi, "extragradient", {"step": h_vi}, lambda n: numpy_eg(M, q, vi.x0, h_vi, n),
         lambda n: inlined_eg(M, q, vi.x0, h_vi, n)),
    ]


def kernel_runner(problem, algorithm, params):
    def go(n: int):
        return run(problem, algorithm, params, checkpoints=[0, n]).points["last"][-1]

    return go


def check(name, runners, n=200):
    """(kernel == inlined bit for bit, max relative difference of numpy) after n iterations."""
    out = {k: np.asarray(fn(n)) for k, fn in runners.items()}
    ref = out["kernel"]
    same = bool(np.array_equal(out["inlined"], ref))
    if name == "SGD":
        return same, float("nan")
    rel = float(np.max(np.abs(out["numpy"] - ref)) / max(1e-300, float(np.max(np.abs(ref)))))
    return same, rel


def table(quick: bool) -> None:
    budget = {10: (2_000_000, 20_000), 1000: (5_000, 2_000)}  # (compiled, numpy) iterations
    shrink = 50 if quick else 1
    print("1. time per iteration; best of 3; kernel = run() recording at k = 0 and k = n")
    print(f"{'method':<6} {'d':>5} {'numpy':>10} {'kernel':>10} {'inlined':>10} "
          f"{'numpy/kernel':>13} {'kernel/inlined':>15} {'bitwise':>8} {'numpy rel':>10}")
    for d in (10, 1000):
        n_fast, n_numpy = (max(1, v // shrink) for v in budget[d])
        for name, problem, algorithm, params, np_run, inl_run in cases(d):
            kern = kernel_runner(problem, algorithm, params)
            same, rel = check(name, {"numpy": np_run, "kernel": kern, "inlined": inl_run})
            t_np = best_time(np_run, n_numpy)
            t_k = best_time(kern, n_fast)
            t_in = best_time(inl_run, n_fast)
            print(f"{name:<6} {d:>5} {t_np * 1e9:>8.0f}ns {t_k * 1e9:>8.1f}ns "
                  f"{t_in * 1e9:>8.1f}ns {t_np / t_k:>12.1f}x {t_k / t_in:>14.2f}x "
                  f"{str(same):>8} {rel:>10.1e}")


# -- 2. per d² ------------------------------------------------------------------------------------

@lazy_jit("grad")
def rows_grad(A, b, p, x, out):
    """The former quadratic gradient: strict row sums, one row after the other."""
    n = x.shape[0]
    for i in range(n):
        s = 0.0
        for j in range(n):
            s += A[i, j] * (x[j] - b[j])
        out[i] = s


def _lanes_grad(A, b, p, x, out):
    """Row sums in four fixed lanes: s_l = Σ_{j ≡ l mod 4} A[i, j] (x[j] − b[j]), each from 0.0
    in the order of j, then out[i] = (s0 + s1) + (s2 + s3)."""
    n = x.shape[0]
    for i in range(n):
        a = A[i]
        s0 = 0.0
        s1 = 0.0
        s2 = 0.0
        s3 = 0.0
        j = 0
        while j + 4 <= n:
            s0 += a[j] * (x[j] - b[j])
            s1 += a[j + 1] * (x[j + 1] - b[j + 1])
            s2 += a[j + 2] * (x[j + 2] - b[j + 2])
            s3 += a[j + 3] * (x[j + 3] - b[j + 3])
            j += 4
        if j < n:
            s0 += a[j] * (x[j] - b[j])
        if j + 1 < n:
            s1 += a[j + 1] * (x[j + 1] - b[j + 1])
        if j + 2 < n:
            s2 += a[j + 2] * (x[j + 2] - b[j + 2])
        out[i] = (s0 + s1) + (s2 + s3)


def _compiled_grad(py_func, **options) -> LazyJit:
    """A gradient oracle compiled now with numba ``options`` (``fastmath=True``, ...); not
    cached on disk, where numba's index would not tell it from the function compiled without
    the options."""
    oracle = LazyJit(py_func, "grad")
    oracle._dispatcher = njit(signature("grad"), **options)(py_func)
    return oracle


def per_d2(quick: bool) -> None:
    print("\n2. GD per iteration per d² (ns); d < 64: plain loops (columns of H; the former rows, "
          "the rows with fastmath and four lanes per row in the last columns), d = 64: BLAS")
    others = {"rows": rows_grad, "fastmath": _compiled_grad(rows_grad.py_func, fastmath=True),
              "4 lanes": _compiled_grad(_lanes_grad)}
    base = None
    rows = []
    for d in (64, 10, 20, 32, 50, 63):
        problem = build("quadratic", {"d": d, "L": 1.0, "mu": 0.01, "seed": 0,
                                      "xstar": "random"})
        n = max(200, int((2e7 if not quick else 4e5) / d**2))
        t = best_time(kernel_runner(problem, "gd", None), n) / d**2 * 1e9
        if d == 64:
            base = t
            rows.append((d, t, None))
            continue
        variants = {name: dataclasses.replace(problem, oracles={**problem.oracles, "grad": g})
                    for name, g in others.items()}
        same = np.array_equal(run(problem, "gd", iterations=50).points["last"],
                              run(variants["rows"], "gd", iterations=50).points["last"])
        times = {name: best_time(kernel_runner(v, "gd", None), n) / d**2 * 1e9
                 for name, v in variants.items()}
        rows.append((d, t, (times, same)))
    print(f"{'d':>4} {'ns/d²':>8} {'/ BLAS d=64':>12} {'rows ns/d²':>11} {'rows/columns':>13} "
          f"{'bitwise':>8} {'fastmath/columns':>17} {'4 lanes/columns':>16}")
    for d, t, other in rows:
        extra = ""
        if other:
            times, same = other
            extra = (f"{times['rows']:>11.3f} {times['rows'] / t:>12.2f}x {str(same):>8} "
                     f"{times['fastmath'] / t:>16.2f}x {times['4 lanes'] / t:>15.2f}x")
        print(f"{d:>4} {t:>8.3f} {t / base:>11.2f}x {extra}")


# -- 3. normals -----------------------------------------------------------------------------------

@njit(cache=True)
def _normal_cosine_only(s, j):
    """The former normal(s, j): Box–Muller on uniforms 2j, 2j+1, the sine half discarded."""
    u1 = uniform(s, 2 * j)
    u2 = uniform(s, 2 * j + 1)
    return np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)


@njit(cache=True)
def normals_cosine_only(n, d):
    out = np.zeros(d)
    for t in range(n):
        s = sample_id(0, t)
        for i in range(d):
            out[i] += _normal_cosine_only(s, i)
    return out


@njit(cache=True)
def normals_ziggurat(n, d):
    out = np.zeros(d)
    for t in range(n):
        add_normals(sample_id(0, t), 0, 1.0, out)
    return out


def normals(quick: bool) -> None:
    d = 10
    n = 20_000 if quick else 1_000_000
    t_one = best_time(lambda k: normals_cosine_only(k, d), n) / d
    t_two = best_time(lambda k: normals_ziggurat(k, d), n) / d
    print(f"\n3. standard normals, {d} per sample: cosine half only {t_one * 1e9:.1f} ns per draw, "
          f"ziggurat {t_two * 1e9:.1f} ns per draw: {t_two / t_one:.2f}x the cost")


# -- 4. seeds in parallel -----------------------------------------------------------------------

def seeds_parallel(quick: bool) -> None:
    import numba

    problem = build("quadratic", {"d": 10, "L": 1.0, "mu": 0.01, "seed": 0, "noise": 0.1,
                                  "xstar": "random"})
    n_seeds, n_iter = (64, 2_000) if quick else (256, 20_000)
    run_seeds(problem, "sgd", {"step": 0.1}, seeds=range(4), iterations=100)  # compile
    timings, traces = {}, {}
    for parallel in (False, True):
        best = float("inf")
        for _ in range(REPEATS):
            start = time.perf_counter()
            traces[parallel] = run_seeds(problem, "sgd", {"step": 0.1}, seeds=range(n_seeds),
                                         iterations=n_iter, parallel=parallel)
            best = min(best, time.perf_counter() - start)
        timings[parallel] = best
    same = all(np.array_equal(a.points["last"], b.points["last"]) for a, b in
               zip(traces[False], traces[True]))
    print(f"\n4. SGD, {n_seeds} seeds x {n_iter} iterations: serial {timings[False]:.2f} s, "
          f"parallel {timings[True]:.2f} s on {numba.get_num_threads()} threads: "
          f"{timings[False] / timings[True]:.2f}x; identical traces: {same}")


def main(quick: bool, parts: list[int]) -> None:
    from convlab.runtime.blas import blas_threads

    steps = {1: table, 2: per_d2, 3: normals, 4: seeds_parallel}
    # one BLAS thread for numpy's products and the kernels' (as the executors decide every
    # pair): on a shared machine, BLAS threads waiting for each other make d = 1000 erratic
    with blas_threads(1):
        for part in parts:
            steps[part](quick)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small budgets (a smoke run)")
    parser.add_argument("--parts", type=int, nargs="+", default=[1, 2, 3, 4],
                        help="which tables (1-4)")
    args = parser.parse_args()
    main(args.quick, args.parts)
