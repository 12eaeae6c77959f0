"""What a stale numba cache costs: compiling the catalog's kernels, oracles and loops cold, against
loading them warm (docs/reliability.md, "Caches that cannot disagree").

convlab's cache locator recompiles a function whenever a source it depends on changes; this
measures the price of that: every algorithm's kernel pieces, every family's example oracles and
the loops, compiled in a fresh process with an empty cache folder (``NUMBA_CACHE_DIR``), then
loaded in a second fresh process from that folder. Run ``python benchmarks/bench_cold_compile.py``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time

CHILD = r"""
import time, warnings
warnings.simplefilter("ignore")
start = time.perf_counter()
from convlab.algorithms.registry import ALGORITHMS
from convlab.problems.registry import FAMILIES
from convlab.runtime import loop
from convlab.runtime.jit import LazyJit

seen = set()

def compile_(obj):
    if isinstance(obj, LazyJit) and id(obj) not in seen:
        seen.add(id(obj))
        obj.compiled

for alg in ALGORITHMS.values():
    for attr in ("advance", "init", "observe", "method"):
        compile_(getattr(alg.kernel, attr, None))
kernels = time.perf_counter()
for name in FAMILIES:
    family = FAMILIES[name]
    try:
        problem = family.build(**family.example)
    except Exception:
        continue
    for oracle in getattr(problem, "oracles", {}).values():
        compile_(oracle)
loop.driver()
loop.seed_batch()
print(len(seen), kernels - start, time.perf_counter() - kernels)
"""


def _run(cache: str) -> tuple[int, float, float, float]:
    env = {**os.environ, "NUMBA_CACHE_DIR": cache}
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True, text=True,
                         check=True).stdout.split()
    return int(out[0]), float(out[1]), float(out[2]), time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory() as cache:
        n, k_cold, o_cold, cold = _run(cache)
        _, k_warm, o_warm, warm = _run(cache)
    print(f"{n} functions (kernel pieces, oracles, loops)")
    print(f"cold cache: {cold:6.1f} s  (kernels {k_cold:.1f} s, oracles and loops {o_cold:.1f} s)")
    print(f"warm cache: {warm:6.1f} s  (kernels {k_warm:.1f} s, oracles and loops {o_warm:.1f} s)")
    print(f"cold / warm: {cold / warm:.1f}")


if __name__ == "__main__":
    main()
