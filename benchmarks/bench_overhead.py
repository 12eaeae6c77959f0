"""The fixed cost of one ``run()`` beyond its iterations (issue 18, goal 5).

A run's compiled work is entered through :mod:`convlab.runtime.launch`: the kernel's pieces and
the problem's oracles go in as an int64 matrix of addresses resolved once per compiled function,
so numba's dispatcher types no first-class function on the call. Measured here, in one process,
on ``quadratic(d=10)`` with GD:

- ``run(problem, "gd", checkpoints=[0, k])`` for k = 1 (the whole call);
- the compiled entry alone for the same run (addresses, allocations of the record, the loop);
- the former path, in the same process: the loop entered with numba dispatchers for the
  oracles and pieces (typed on every call), the rest of ``run()`` unchanged.

Fixed cost = ``run()`` − the compiled entry. Goal: at most 30 µs. Each figure is the best of
``REPEATS`` batches of ``CALLS`` calls.

Run::

    python benchmarks/bench_overhead.py
"""

from __future__ import annotations

import time

import numpy as np

REPEATS = 7
CALLS = 2000


def per_call(fn, calls: int = CALLS) -> float:
    fn()
    best = float("inf")
    for _ in range(REPEATS):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        best = min(best, (time.perf_counter() - start) / calls)
    return best


def main() -> None:
    import convlab.runtime.launch as launch
    from convlab.problems.registry import build
    from convlab.run import _prepare, run, run_seeds
    from convlab.runtime.loop import init_nothing, observe_copy

    problem = build("quadratic", {"d": 10, "L": 1.0, "mu": 0.01, "seed": 0,
                                  "xstar": "random"})
    ks, alg, values, hyper = _prepare(problem, "gd", None, None, [0, 1], None)
    kernel = alg.kernel
    pieces = ((kernel.init or init_nothing).compiled, kernel.advance.compiled,
              (kernel.observe or observe_copy).compiled)
    oracles = problem.oracle_tuple()
    layout = (kernel.n_rows(dict(zip(kernel.hyper, hyper)), problem.dim, ks.size),
              len(kernel.points), kernel.n_state, len(kernel.scalars))
    seeds = np.zeros(1, dtype=np.int64)
    entry = launch._entry()
    F = launch.address_matrix(pieces, oracles)
    out = (np.empty((1, ks.size, layout[1], problem.dim)), np.empty((1, ks.size, 3 + layout[3])),
           np.zeros(1, dtype=np.int64), np.zeros(1, dtype=np.int64))

    def compiled_only():
        entry(F, problem.A, problem.b, problem.p, problem.x0, hyper, ks, seeds, 0, *layout, *out)

    t_run = per_call(lambda: run(problem, "gd", checkpoints=[0, 1]))
    t_entry = per_call(compiled_only)
    t_seeds = per_call(lambda: run_seeds(problem, "gd", seeds=range(16), checkpoints=[0, 1],
                                         parallel=False), CALLS // 10)
    available = launch.available
    launch.available = lambda: False  # the former path: dispatchers typed on every call
    try:
        t_former = per_call(lambda: run(problem, "gd", checkpoints=[0, 1]), CALLS // 4)
        t_former_seeds = per_call(lambda: run_seeds(problem, "gd", seeds=range(16),
                                                    checkpoints=[0, 1], parallel=False),
                                  CALLS // 40)
    finally:
        launch.available = available
    print(f"GD on quadratic(d=10), one iteration; best of {REPEATS} x {CALLS} calls")
    print(f"  run():                       {t_run * 1e6:8.1f} µs")
    print(f"  compiled entry alone:        {t_entry * 1e6:8.1f} µs")
    print(f"  fixed cost of run():         {(t_run - t_entry) * 1e6:8.1f} µs   (goal <= 30 µs)")
    print(f"  former path, run():          {t_former * 1e6:8.1f} µs   "
          f"({t_former / t_run:.1f}x the run() above)")
    print(f"  run_seeds, 16 seeds serial:  {t_seeds * 1e6:8.1f} µs   former "
          f"{t_former_seeds * 1e6:.1f} µs ({t_former_seeds / t_seeds:.1f}x)")


if __name__ == "__main__":
    main()
