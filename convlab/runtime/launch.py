"""Entering the one loop without numba's per-call typing of first-class functions.

Why. The loop (:mod:`convlab.runtime.loop`) takes the kernel's pieces and the problem's six
oracles as typed first-class functions. A numba dispatcher passed as such an argument is typed
and unboxed anew on every call: ``typeof`` of the tuple of six functions, then, for each of
the nine functions, a compile-result lookup and two address look-ups (measured: 0.3-0.6 ms per
call, which dominates short runs, the serial seed path and users' loops). Objects of numba's
``WrapperAddressProtocol`` skip the lookups but are still typed and unboxed through Python on
every call (about 40 µs).

How. Every compiled function's three addresses (its C wrapper, its Python object, its native
entry) are resolved once (:func:`addresses`, cached per compiled function) and handed to the
compiled entries of this module as one ``int64`` matrix, which numba's dispatcher types in C.
Inside, :func:`_function` rebuilds numba's first-class function value from the three addresses
exactly as numba's own unboxing does, so the kernel calls its oracles through the same native
entries as before (bitwise the same results, the same speed per iteration).

Seeds side by side. The entry is compiled without the GIL (``nogil``), so the seeds of one
call run in contiguous chunks on Python threads (:func:`threads`, set by the executors so that
jobs × threads does not exceed the cores: :func:`set_threads`). Every run is a pure function of
its seed (counter-based random numbers), so the result does not depend on the number of
threads; and no parallel (OpenMP) runtime is started, which a forked worker could not inherit,
nor compiled (a numba ``prange`` entry takes about 20 s to compile).

Safety. An address row is only ever made here, from a function compiled with the signature of
its kind (``addresses(dispatcher, kind)``), and the rows are placed by kind (:data:`SLOTS`);
the compiled functions are kept alive by :func:`addresses`' cache. A numba version whose first-
class function layout differs from (c_addr, py_addr, jit_addr) makes :func:`available` False,
and :mod:`convlab.run` falls back to passing the dispatchers.
"""

from __future__ import annotations

import os
from functools import lru_cache

import numpy as np

from .jit import ORACLE_KINDS, signature

#: Rows of the address matrix, in order: the kernel's pieces, then the oracles.
SLOTS = ("init", "advance", "observe") + ORACLE_KINDS

_KEEP: list = []  # compiled functions whose addresses were handed out (never freed)


@lru_cache(maxsize=None)
def _addresses(dispatcher, kind: str) -> tuple[int, int, int]:
    from numba.experimental.function_type import _get_jit_address, _get_wrapper_address

    sig = signature(kind)
    _KEEP.append(dispatcher)
    return (int(_get_wrapper_address(dispatcher, sig)), id(dispatcher),
            int(_get_jit_address(dispatcher, sig)))


def addresses(dispatcher, kind: str) -> tuple[int, int, int]:
    """(C wrapper, Python object, native entry) addresses of a function compiled with the
    signature of ``kind`` (resolved once per function)."""
    return _addresses(dispatcher, kind)


def address_matrix(pieces: tuple, oracles: tuple) -> np.ndarray:
    """The (9, 3) int64 matrix of the three kernel pieces and the six oracles (dispatchers, in
    the order of :data:`SLOTS`); made once per combination (do not write into it)."""
    return _matrix(tuple(pieces) + tuple(oracles))


@lru_cache(maxsize=4096)
def _matrix(functions: tuple) -> np.ndarray:
    rows = [addresses(fn, kind) for fn, kind in zip(functions, SLOTS)]
    return np.array(rows, dtype=np.int64)


def _function_maker(kind: str):
    """An intrinsic ``make(c_addr, py_addr, jit_addr)`` returning the first-class function of
    ``kind`` at these addresses (numba's FunctionModel: c_addr, py_addr, jit_addr)."""
    from numba import types
    from numba.core import cgutils
    from numba.extending import intrinsic

    fnty = types.FunctionType(signature(kind))

    @intrinsic
    def make(typingctx, c_addr, py_addr, jit_addr):
        def codegen(context, builder, sig, args):
            voidptr = context.get_value_type(types.voidptr)
            value = cgutils.create_struct_proxy(fnty)(context, builder)
            value.c_addr = builder.inttoptr(args[0], voidptr)
            value.py_addr = builder.inttoptr(args[1], voidptr)
            value.jit_addr = builder.inttoptr(args[2], voidptr)
            return value._getvalue()

        return fnty(types.int64, types.int64, types.int64), codegen

    return make


@lru_cache(maxsize=None)
def available() -> bool:
    """Whether numba's first-class function layout is the one this module rebuilds."""
    try:
        import numba.experimental.function_type  # noqa: F401 (registers the model)
        from numba import types
        from numba.core.datamodel import default_manager

        model = default_manager.lookup(types.FunctionType(signature("value")))
        return tuple(model._fields) == ("c_addr", "py_addr", "jit_addr")
    except Exception:  # pragma: no cover - another numba version
        return False


# module globals, set by _entry() before it compiles (numba's disk cache misses on closures)
_LOOP = None
_M_INIT = _M_ADVANCE = _M_OBSERVE = None
_M_GRAD = _M_SGRAD = _M_VALUE = _M_PROX = _M_LMO = _M_HESS = None


def _seeds(F, A, b, p, x0, hyper, checkpoints, seeds, track, rows, n_points, n_state,
           n_scalars, points, scalars, counts, status):
    """One run of the loop per seed, written into row i of the outputs (compiled without the
    GIL: threads run chunks of seeds side by side)."""
    init = _M_INIT(F[0, 0], F[0, 1], F[0, 2])
    advance = _M_ADVANCE(F[1, 0], F[1, 1], F[1, 2])
    observe = _M_OBSERVE(F[2, 0], F[2, 1], F[2, 2])
    oracles = (_M_GRAD(F[3, 0], F[3, 1], F[3, 2]), _M_SGRAD(F[4, 0], F[4, 1], F[4, 2]),
               _M_VALUE(F[5, 0], F[5, 1], F[5, 2]), _M_PROX(F[6, 0], F[6, 1], F[6, 2]),
               _M_LMO(F[7, 0], F[7, 1], F[7, 2]), _M_HESS(F[8, 0], F[8, 1], F[8, 2]))
    for i in range(seeds.shape[0]):
        pts, sc, c, st = _LOOP(init, advance, observe, oracles, A, b, p, x0, hyper,
                               checkpoints, seeds[i], track, rows, n_points, n_state, n_scalars)
        for j in range(pts.shape[0]):  # loops, not points[i] = pts: no shape-error path
            for q in range(pts.shape[1]):
                for r in range(pts.shape[2]):
                    points[i, j, q, r] = pts[j, q, r]
            for q in range(sc.shape[1]):
                scalars[i, j, q] = sc[j, q]
        counts[i] = c
        status[i] = st


@lru_cache(maxsize=None)
def _entry():
    """The compiled entry (compiled on first use, cached on disk)."""
    from numba import njit, types

    from .loop import driver

    global _LOOP, _M_INIT, _M_ADVANCE, _M_OBSERVE
    global _M_GRAD, _M_SGRAD, _M_VALUE, _M_PROX, _M_LMO, _M_HESS
    _LOOP = driver()
    (_M_INIT, _M_ADVANCE, _M_OBSERVE, _M_GRAD, _M_SGRAD, _M_VALUE, _M_PROX, _M_LMO,
     _M_HESS) = (_function_maker(kind) for kind in SLOTS)
    f8v = types.float64[::1]
    i8, i8v = types.int64, types.int64[::1]
    sig = types.void(types.int64[:, ::1], types.float64[:, ::1], f8v, f8v, f8v, f8v, i8v, i8v,
                     i8, i8, i8, i8, i8, types.float64[:, :, :, ::1], types.float64[:, :, ::1],
                     i8v, i8v)
    return njit(sig, cache=True, nogil=True)(_seeds)


def ready() -> None:
    """Compile (or load from numba's cache) the loop and the entry now: a process about to
    fork its workers does it once for all of them."""
    _entry()


# -- threads -------------------------------------------------------------------------------------

_THREADS: int | None = None
_POOL: tuple[int, int, object] | None = None  # (pid, threads, ThreadPoolExecutor)


def set_threads(n: int | None) -> None:
    """Run the seeds of one call on at most ``n`` threads (None: one per CPU core). The
    executors set it so that jobs × threads does not exceed the cores."""
    global _THREADS
    if n is not None and int(n) < 1:
        raise ValueError(f"threads must be >= 1, got {n}")
    _THREADS = None if n is None else int(n)


def threads() -> int:
    """The number of threads the seeds of one call run on (:func:`set_threads`)."""
    return _THREADS if _THREADS is not None else max(1, os.cpu_count() or 1)


def _pool(n: int):
    """A thread pool of n threads, made anew in a forked child (a parent's threads do not
    survive a fork)."""
    global _POOL
    from concurrent.futures import ThreadPoolExecutor

    if _POOL is None or _POOL[0] != os.getpid() or _POOL[1] != n:
        _POOL = (os.getpid(), n, ThreadPoolExecutor(max_workers=n,
                                                    thread_name_prefix="convlab-seeds"))
    return _POOL[2]


def launch(pieces: tuple, oracles: tuple, A, b, p, x0, hyper, checkpoints, seeds, track: int,
           layout: tuple[int, int, int, int], parallel: bool):
    """Run the kernel (``pieces`` = compiled init, advance, observe) with the compiled
    ``oracles`` for each seed through the one loop: stacked (points (n, m, P, d), scalars
    (n, m, 3 + S), counts (n,), status (n,)). With ``parallel``, the seeds are split into
    contiguous chunks run side by side on :func:`threads` threads; every run is a pure
    function of its seed, so the result is the same bit for bit."""
    entry = _entry()
    F = address_matrix(pieces, oracles)
    n, m, d = seeds.shape[0], checkpoints.shape[0], x0.shape[0]
    rows, n_points, n_state, n_scalars = layout
    points = np.empty((n, m, n_points, d))
    scalars = np.empty((n, m, 3 + n_scalars))
    counts = np.zeros(n, dtype=np.int64)
    status = np.zeros(n, dtype=np.int64)
    common = (F, A, b, p, x0, hyper, checkpoints)
    tail = (int(track), rows, n_points, n_state, n_scalars)
    k = min(threads(), n) if parallel else 1
    if k <= 1:
        entry(*common, seeds, *tail, points, scalars, counts, status)
        return points, scalars, counts, status
    bounds = [round(n * c / k) for c in range(k + 1)]
    jobs = [_pool(k).submit(entry, *common, seeds[lo:hi], *tail, points[lo:hi],
                            scalars[lo:hi], counts[lo:hi], status[lo:hi])
            for lo, hi in zip(bounds[:-1], bounds[1:]) if hi > lo]
    for job in jobs:
        job.result()
    return points, scalars, counts, status
