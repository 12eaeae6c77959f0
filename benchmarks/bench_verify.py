"""Start-up, catalog and store timings of ``convlab verify``; single-run traces against restarts.

1. One claim file (``rates/drori_teboulle_2014.toml``, run as a subprocess): cold (an empty
   ``NUMBA_CACHE_DIR``: numba compiles what it runs) and warm (the same cache again). Goal:
   warm <= 2 s.
2. The whole catalog ``convlab verify rates/ -j 2`` with a warm numba cache and an empty
   results store (wall and CPU time of the process and its workers), then the same command
   again, served by the store; with ``--cold``, first with an empty numba cache (before it
   forks its workers, the parent has the loop, the kernels and the oracles compiled by two
   processes at once, :func:`convlab.executor.compile_shared`).
   Goals (issue 18, goal 1): warm <= 60 s wall on 2 cores, cold <= 1.3x warm, from the store
   <= 1 s.
3. A benchopt-style curve (each point of the curve a fresh run to that budget) against one
   convlab run recording the same points, for GD and AGD on ``quadratic(d=100, mu=1e-3)``:
   same values, and the ratio of the costs.

Run::

    python benchmarks/bench_verify.py            # everything (several minutes: the catalog)
    python benchmarks/bench_verify.py --cold     # and the catalog with an empty numba cache
    python benchmarks/bench_verify.py --no-catalog
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, str]:
    elapsed, _, out = timed_cpu(cmd, env)
    return elapsed, out


def timed_cpu(cmd: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds of the child and its workers, last line of its output)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    last = (proc.stdout.strip().splitlines() or [""])[-1]
    return elapsed, cpu, f"exit {proc.returncode}: {last}"


def startup(cache: Path) -> None:
    env = dict(os.environ, NUMBA_CACHE_DIR=str(cache))
    cmd = [sys.executable, "-m", "convlab", "verify", "rates/drori_teboulle_2014.toml", "-q", "--no-cache",
           "-j", "1"]
    cold, out = timed(cmd, env)
    warm, _ = timed(cmd, env)
    print(f"one claim file (rates/drori_teboulle_2014.toml, {out})")
    print(f"  cold numba cache {cold:6.2f} s   warm {warm:6.2f} s   (goal: warm <= 2 s)")


def catalog(cold: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "results.sqlite"
        cmd = [sys.executable, "-m", "convlab", "verify", "rates/", "-q", "-j", "2",
               "--no-progress"]
        env = dict(os.environ)
        if cold:
            cache = Path(tmp) / "numba-cache"
            cache.mkdir()
            env["NUMBA_CACHE_DIR"] = str(cache)
            c_wall, c_cpu, c_out = timed_cpu(cmd + ["--store", str(Path(tmp) / "cold.sqlite")],
                                             env)
        wall, cpu, out = timed_cpu(cmd + ["--store", str(store)], env)
        again, _, out2 = timed_cpu(cmd + ["--store", str(store)], env)
    print(f"whole catalog, -j 2, {os.cpu_count()} CPUs ({out})")
    print(f"  warm numba cache, empty store {wall:7.1f} s wall, {cpu:7.1f} s CPU (goal <= 60 s)")
    if cold:
        print(f"  cold numba cache              {c_wall:7.1f} s wall, {c_cpu:7.1f} s CPU: "
              f"{c_wall / wall:.2f}x warm (goal <= 1.3x; {c_out})")
    print(f"  from the store                {again:7.2f} s wall (goal <= 1 s; {out2})")


def restarts() -> None:
    from convlab import quadratic, run
    from convlab.algorithms import checkpoints

    problem = quadratic(d=100, L=1.0, mu=1e-3, seed=0)
    ks = checkpoints(20_000)
    print(f"curves of {ks.size} points up to k = {ks[-1]}: restarts (benchopt) against one run")
    for algorithm in ("gd", "agd"):
        run(problem, algorithm, iterations=10)  # compile
        start = time.perf_counter()
        single = run(problem, algorithm, checkpoints=ks).measure("f_gap")
        t_single = time.perf_counter() - start
        start = time.perf_counter()
        restarted = np.array([run(problem, algorithm, checkpoints=[k]).measure("f_gap")[-1]
                              for k in ks])
        t_restart = time.perf_counter() - start
        same = np.array_equal(single, restarted)
        print(f"  {algorithm:<4} one run {t_single:6.3f} s   restarts {t_restart:7.2f} s   "
              f"ratio {t_restart / t_single:6.1f}x   identical values: {same}")


def main(with_catalog: bool, cold: bool) -> None:
    with tempfile.TemporaryDirectory() as cache:
        startup(Path(cache))
    if with_catalog:
        catalog(cold)
    restarts()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-catalog", action="store_true", help="skip the whole-catalog run")
    parser.add_argument("--cold", action="store_true",
                        help="also run the catalog with an empty numba cache first")
    args = parser.parse_args()
    main(not args.no_catalog, args.cold)
