"""The BLAS libraries a result may depend on: their core type and thread count, and pinning.

Results can depend on the BLAS library below numpy and scipy, bit for bit. OpenBLAS picks its
kernels for the CPU it runs on (the *core type*: Haswell, SkylakeX, Zen, ...; the environment
variable ``OPENBLAS_CORETYPE`` forces one), and splits a large product between its threads, which
changes the order of a sum. Instance builders use numpy's linear algebra (eigendecompositions,
QR, products), and the oracles of instances with d >= 64 call BLAS through numba (scipy's
library). So:

- :func:`blas_provenance` reports, for each loaded BLAS library (numpy's, scipy's), its
  implementation, version, core type and thread count; the results store keys every result by
  it (:func:`convlab.store.result_key`) and every JSON record carries it, so a result computed on
  another core type is never served as this one's;
- :func:`blas_threads` limits every loaded BLAS library to ``n`` threads within a ``with``
  block; the executors decide every pair inside ``blas_threads(1)`` (and worker processes are
  pinned for good), so a pair gives the same bits on one core or many, in this process, in a
  pool worker or on a dask worker (dask pins its workers to one thread too).

threadpoolctl is used when it is installed; otherwise the libraries are found in the process's
memory map (Linux) and driven through their own ``openblas_*`` functions with ctypes. Where
neither works (another platform, another BLAS), the environment variables are reported and
nothing is pinned.
"""

from __future__ import annotations

import ctypes
import os
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterator

#: Environment variables that choose OpenBLAS's kernels and threads.
BLAS_ENV = ("OPENBLAS_CORETYPE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


#: The packages whose BLAS libraries a result can depend on (instance builders call numpy's,
#: compiled oracles scipy's); the key of :func:`blas_key` is made of these where they are found.
RESULT_LIBRARIES = ("numpy", "scipy")


@dataclass(frozen=True)
class _Library:
    """One loaded OpenBLAS, driven through ctypes."""

    path: str
    owner: str
    handle: Any
    prefix: str
    suffix: str

    def _fn(self, name: str, restype: Any = ctypes.c_int) -> Any:
        fn = getattr(self.handle, f"{self.prefix}{name}{self.suffix}", None)
        if fn is not None:
            fn.restype = restype
        return fn

    def info(self) -> dict[str, Any]:
        corename = self._fn("get_corename", ctypes.c_char_p)
        config = self._fn("get_config", ctypes.c_char_p)
        threads = self._fn("get_num_threads")
        text = config().decode(errors="replace") if config else ""
        version = text.split()[1] if text.startswith("OpenBLAS ") and len(text.split()) > 1 \
            else ""
        return {"implementation": "openblas", "version": version,
                "coretype": corename().decode(errors="replace") if corename else "unknown",
                "threads": int(threads()) if threads else None}

    def set_threads(self, n: int) -> None:
        fn = self._fn("set_num_threads", None)
        if fn is not None:
            fn(ctypes.c_int(int(n)))


def _owner(path: str) -> str:
    """Which package a BLAS library came with (numpy.libs/..., scipy.libs/...)."""
    lowered = path.replace("\\", "/").lower()
    for name in RESULT_LIBRARIES:
        if f"/{name}.libs/" in lowered or f"/{name}/" in lowered:
            return name
    return os.path.basename(path)


def _loaded_paths() -> list[str]:
    """Paths of the OpenBLAS libraries mapped into this process (Linux)."""
    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
            lines = maps.read().splitlines()
    except OSError:
        return []
    paths = []
    for line in lines:
        path = line.split(maxsplit=5)[-1] if len(line.split(maxsplit=5)) == 6 else ""
        if "openblas" in os.path.basename(path).lower() and path not in paths:
            paths.append(path)
    return paths


def _ctypes_libraries() -> list[_Library]:
    out = []
    for path in _loaded_paths():
        try:
            handle = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix, suffix in (("scipy_openblas_", "64_"), ("scipy_openblas_", ""),
                               ("openblas_", "64_"), ("openblas_", "")):
            if getattr(handle, f"{prefix}get_num_threads{suffix}", None) is not None:
                out.append(_Library(path, _owner(path), handle, prefix, suffix))
                break
    return out


def _threadpoolctl():
    try:
        import threadpoolctl
    except ImportError:
        return None
    return threadpoolctl


def _load_both() -> None:
    """Load scipy's BLAS too (numba's compiled products call it), so both are reported."""
    try:
        import scipy.linalg  # noqa: F401
    except ImportError:
        pass


def blas_provenance() -> dict[str, Any]:
    """What the BLAS libraries of this process are: ``{"numpy": {...}, "scipy": {...},
    "env": {...}}``, each library with ``implementation``, ``version``, ``coretype`` and
    ``threads``; ``env`` holds the variables of :data:`BLAS_ENV` that are set."""
    import numpy  # noqa: F401  (its BLAS is loaded with it)

    _load_both()
    out: dict[str, Any] = {}
    tpc = _threadpoolctl()
    if tpc is not None:
        for lib in tpc.threadpool_info():
            if lib.get("user_api") != "blas":
                continue
            out[_owner(lib.get("filepath", ""))] = {
                "implementation": lib.get("internal_api", ""), "version": lib.get("version") or "",
                "coretype": lib.get("architecture") or "unknown",
                "threads": lib.get("num_threads")}
    else:
        for lib in _ctypes_libraries():
            out[lib.owner] = lib.info()
    env = {name: os.environ[name] for name in BLAS_ENV if name in os.environ}
    if env:
        out["env"] = env
    return out


def blas_key() -> str:
    """A short text of the core types and thread counts of :func:`blas_provenance` (for the
    results store's key and for reports), e.g. ``numpy:SkylakeX/1,scipy:SkylakeX/1``."""
    return provenance_key(blas_provenance())


def provenance_key(info: Any) -> str:
    """:func:`blas_key` of a BLAS provenance (as :func:`blas_provenance` gives it, or as a
    result recorded it): the libraries of :data:`RESULT_LIBRARIES` where there are any (another
    package's OpenBLAS in the same process, a solver's say, cannot change a result), else all."""
    if not isinstance(info, dict):
        return str(info)
    libraries = {name: lib for name, lib in info.items()
                 if name != "env" and isinstance(lib, dict)}
    ours = {name: lib for name, lib in libraries.items() if name in RESULT_LIBRARIES}
    parts = [f"{name}:{lib.get('coretype')}/{lib.get('threads')}"
             for name, lib in sorted((ours or libraries).items())]
    env = info.get("env", {})
    if not parts and isinstance(env, dict) and "OPENBLAS_CORETYPE" in env:
        parts.append(f"env:{env['OPENBLAS_CORETYPE']}")
    return ",".join(parts) or "unknown"


@contextmanager
def blas_threads(n: int = 1) -> Iterator[None]:
    """Limit every loaded BLAS library (numpy's and scipy's) to ``n`` threads inside the block,
    and restore the previous counts after it."""
    _load_both()
    tpc = _threadpoolctl()
    if tpc is not None:
        with tpc.threadpool_limits(limits=int(n), user_api="blas"):
            yield
        return
    libs = _ctypes_libraries()
    before = [lib.info().get("threads") for lib in libs]
    for lib in libs:
        lib.set_threads(n)
    try:
        yield
    finally:
        for lib, count in zip(libs, before):
            if count:
                lib.set_threads(count)


def pin_blas_threads(n: int = 1) -> None:
    """Set every loaded BLAS library (and any loaded later, through the environment) to ``n``
    threads for the rest of the process (worker processes)."""
    for name in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):  # not OMP_NUM_THREADS: numba's
        os.environ[name] = str(int(n))                          # parallel seeds read it
    _load_both()
    tpc = _threadpoolctl()
    if tpc is not None:
        tpc.threadpool_limits(limits=int(n), user_api="blas")
        return
    for lib in _ctypes_libraries():
        lib.set_threads(n)


#: BLAS threads every (claim, instance) pair is decided with (:mod:`convlab.executor`).
PAIR_THREADS = 1


@lru_cache(maxsize=None)
def pair_blas_key() -> str:
    """:func:`blas_key` as a pair decided in this process sees it: this process's core types,
    with :data:`PAIR_THREADS` threads (the results store keys results by it; read once per
    process, the core type does not change while it runs)."""
    with blas_threads(PAIR_THREADS):
        return blas_key()
