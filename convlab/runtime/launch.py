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

Safety. An address row is only ever made here, from a function compiled with the signature of
its kind (``addresses(dispatcher, kind)``), and the rows are placed by kind (:data:`SLOTS`);
the compiled functions are kept alive by :func:`addresses`' cache. A numba version whose first-
class function layout differs from (c_addr, py_addr, jit_addr) makes :func:`available` False,
and :mod:`convlab.run` falls back to passing the dispatchers.
"""

from __future__ import annotations

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


# module globals, set by _entries() before it compiles (numba's disk cache misses on closures)
_LOOP = None
_M_INIT = _M_ADVANCE = _M_OBSERVE = None
_M_GRAD = _M_SGRAD = _M_VALUE = _M_PROX = _M_LMO = _M_HESS = None


def _serial(F, A, b, p, x0, hyper, checkpoints, seeds, track, rows, n_points, n_state,
            n_scalars):
    init = _M_INIT(F[0, 0], F[0, 1], F[0, 2])
    advance = _M_ADVANCE(F[1, 0], F[1, 1], F[1, 2])
    observe = _M_OBSERVE(F[2, 0], F[2, 1], F[2, 2])
    oracles = (_M_GRAD(F[3, 0], F[3, 1], F[3, 2]), _M_SGRAD(F[4, 0], F[4, 1], F[4, 2]),
               _M_VALUE(F[5, 0], F[5, 1], F[5, 2]), _M_PROX(F[6, 0], F[6, 1], F[6, 2]),
               _M_LMO(F[7, 0], F[7, 1], F[7, 2]), _M_HESS(F[8, 0], F[8, 1], F[8, 2]))
    n = seeds.shape[0]
    m = checkpoints.shape[0]
    d = x0.shape[0]
    points = np.empty((n, m, n_points, d))
    scalars = np.empty((n, m, 3 + n_scalars))
    counts = np.zeros(n, dtype=np.int64)
    status = np.zeros(n, dtype=np.int64)
    for i in range(n):
        pts, sc, c, st = _LOOP(init, advance, observe, oracles, A, b, p, x0, hyper,
                               checkpoints, seeds[i], track, rows, n_points, n_state, n_scalars)
        points[i] = pts
        scalars[i] = sc
        counts[i] = c
        status[i] = st
    return points, scalars, counts, status


def _parallel(F, A, b, p, x0, hyper, checkpoints, seeds, track, rows, n_points, n_state,
              n_scalars):
    init = _M_INIT(F[0, 0], F[0, 1], F[0, 2])
    advance = _M_ADVANCE(F[1, 0], F[1, 1], F[1, 2])
    observe = _M_OBSERVE(F[2, 0], F[2, 1], F[2, 2])
    oracles = (_M_GRAD(F[3, 0], F[3, 1], F[3, 2]), _M_SGRAD(F[4, 0], F[4, 1], F[4, 2]),
               _M_VALUE(F[5, 0], F[5, 1], F[5, 2]), _M_PROX(F[6, 0], F[6, 1], F[6, 2]),
               _M_LMO(F[7, 0], F[7, 1], F[7, 2]), _M_HESS(F[8, 0], F[8, 1], F[8, 2]))
    n = seeds.shape[0]
    m = checkpoints.shape[0]
    d = x0.shape[0]
    points = np.empty((n, m, n_points, d))
    scalars = np.empty((n, m, 3 + n_scalars))
    counts = np.zeros(n, dtype=np.int64)
    status = np.zeros(n, dtype=np.int64)
    for i in _prange(n):
        pts, sc, c, st = _LOOP(init, advance, observe, oracles, A, b, p, x0, hyper,
                               checkpoints, seeds[i], track, rows, n_points, n_state, n_scalars)
        points[i] = pts
        scalars[i] = sc
        counts[i] = c
        status[i] = st
    return points, scalars, counts, status


_prange = range  # replaced by numba.prange in _entries()


@lru_cache(maxsize=None)
def _entries():
    """The compiled (serial, parallel) entries (compiled on first use, cached on disk)."""
    from numba import njit, prange, types

    from .loop import driver

    global _LOOP, _prange, _M_INIT, _M_ADVANCE, _M_OBSERVE
    global _M_GRAD, _M_SGRAD, _M_VALUE, _M_PROX, _M_LMO, _M_HESS
    _LOOP = driver()
    _prange = prange
    (_M_INIT, _M_ADVANCE, _M_OBSERVE, _M_GRAD, _M_SGRAD, _M_VALUE, _M_PROX, _M_LMO,
     _M_HESS) = (_function_maker(kind) for kind in SLOTS)
    f8v = types.float64[::1]
    i8, i8v = types.int64, types.int64[::1]
    out = types.Tuple((types.float64[:, :, :, ::1], types.float64[:, :, ::1], i8v, i8v))
    sig = out(types.int64[:, ::1], types.float64[:, ::1], f8v, f8v, f8v, f8v, i8v, i8v, i8, i8,
              i8, i8, i8)
    return njit(sig, cache=True)(_serial), njit(sig, cache=True, parallel=True)(_parallel)


def launch(pieces: tuple, oracles: tuple, A, b, p, x0, hyper, checkpoints, seeds, track: int,
           layout: tuple[int, int, int, int], parallel: bool):
    """Run the kernel (``pieces`` = compiled init, advance, observe) with the compiled
    ``oracles`` for each seed through the one loop: stacked (points (n, m, P, d), scalars
    (n, m, 3 + S), counts (n,), status (n,)), seeds in a ``prange`` when ``parallel``."""
    serial, batch = _entries()
    F = address_matrix(pieces, oracles)
    entry = batch if parallel and seeds.shape[0] > 1 else serial
    return entry(F, A, b, p, x0, hyper, checkpoints, seeds, int(track), *layout)
