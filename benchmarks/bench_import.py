"""Start-up: the CPU time of ``import convlab`` and ``convlab --help`` against a bare
interpreter (issue 18, goal 2), and the time to have every kernel and oracle compiled, cold (an
empty numba cache: everything compiles) and warm (loaded from numba's on-disk cache).

Each figure is a fresh subprocess; CPU time is user + system time of the child
(``resource.getrusage``), the best of ``REPEATS``:

- ``python -c pass`` (the baseline), ``python -c "import convlab"`` (the public API is imported
  on first use: no numpy, numba, scipy or sympy) and ``python -m convlab --help``. Goal: at
  most 0.3 s CPU each;
- with ``--compile``: ``import convlab`` then every registered kernel and every family's
  oracles made ready (``LazyJit.compiled``), cold and warm (minutes when cold).

Run::

    python benchmarks/bench_import.py [--compile]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time

REPEATS = 5

READY_ALL = """
import importlib
import convlab
from convlab.algorithms.registry import ALGORITHMS
from convlab.problems.registry import FAMILIES
from convlab.runtime.jit import LazyJit
from convlab.runtime.launch import ready
ready()
pieces = 0
for alg in ALGORITHMS.values():
    for name in ("init", "advance", "observe", "method"):
        piece = getattr(alg.kernel, name, None)
        if isinstance(piece, LazyJit):
            piece.compiled
            pieces += 1
seen = set()
for family in FAMILIES.values():
    module = importlib.import_module(family.build.__module__)
    for value in vars(module).values():
        if isinstance(value, LazyJit) and id(value) not in seen:
            seen.add(id(value))
            value.compiled
print(len(ALGORITHMS), "algorithms,", pieces, "kernel pieces,", len(seen), "oracles")
"""


def timed(code: str, cache: str) -> tuple[float, str]:
    env = dict(os.environ, NUMBA_CACHE_DIR=cache)
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr)
    return time.perf_counter() - start, proc.stdout.strip()


def cpu_seconds(cmd: list[str]) -> float:
    """User + system CPU time of a child process running ``cmd`` (best of REPEATS)."""
    best = float("inf")
    for _ in range(REPEATS):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(cmd, check=True, capture_output=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        best = min(best, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
    return best


def startup() -> None:
    bare = cpu_seconds([sys.executable, "-c", "pass"])
    imported = cpu_seconds([sys.executable, "-c", "import convlab"])
    helped = cpu_seconds([sys.executable, "-m", "convlab", "--help"])
    heavy = subprocess.run(
        [sys.executable, "-c", "import sys, convlab; print(sorted(m for m in ('numpy', 'numba', "
         "'scipy', 'sympy') if m in sys.modules))"], capture_output=True, text=True).stdout
    print(f"CPU time, best of {REPEATS} fresh processes")
    print(f"  python -c pass                 {bare:6.3f} s")
    print(f"  python -c 'import convlab'     {imported:6.3f} s   ({imported / bare:.1f}x bare; "
          f"heavy modules loaded: {heavy.strip()})")
    print(f"  python -m convlab --help       {helped:6.3f} s   ({helped / bare:.1f}x bare)")


def compile_all() -> None:
    with tempfile.TemporaryDirectory() as cache:
        cold, what = timed(READY_ALL, cache)
        warm, _ = timed(READY_ALL, cache)
    print(f"every kernel and oracle ready, cold cache    {cold:7.2f} s   ({what})")
    print(f"every kernel and oracle ready, warm cache    {warm:7.2f} s   (cold/warm {cold / warm:.1f}x)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compile", action="store_true",
                        help="also compile every kernel and oracle, cold and warm (minutes)")
    args = parser.parse_args()
    startup()
    if args.compile:
        compile_all()
