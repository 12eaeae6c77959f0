"""Typed oracle signatures and compile-on-first-use numba functions.

The kernel design (ARCHITECTURE.md, "Numba kernels"): every oracle of a kind has one fixed
signature, and a kernel takes oracles as typed first-class functions. Each kernel is therefore
compiled once, for every problem, and numba's on-disk cache (``cache=True``) serves it in every
later process.

Oracle operands. A problem family packs its data into three arrays:
``A`` (float64, 2-D, C order), ``b`` (float64, 1-D) and ``p`` (float64, 1-D, scalar parameters).

Oracle kinds and their signatures:

``grad(A, b, p, x, out) -> None``
    writes the gradient of f at x into ``out``;
``gap(A, b, p, x) -> float``
    returns f(x) - f* computed without cancellation (the family knows how).

First-order kernel signature (one for every deterministic first-order method)::

    kernel(grad, gap, A, b, p, x0, xstar, hyper, checkpoints)
        -> (record: f8[m, 3], n_recorded: int64, status: int64)

``hyper`` holds the method's numeric parameters (step, momentum, ...; each kernel documents its
layout) and ``checkpoints`` the sorted iteration numbers to record. The record columns are
:data:`RECORD_COLUMNS`.

Importing this module does not import numba: :func:`lazy_jit` compiles (or loads from numba's
cache) a function the first time it is used, so ``import convlab`` compiles nothing.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Callable

#: Columns of a first-order kernel's record, one row per checkpoint.
RECORD_COLUMNS = ("f_gap", "dist_sq", "grad_norm_sq")

#: Status codes a kernel returns.
STATUS_OK = 0
STATUS_DIVERGED = 1

#: A recorded value above this (or non-finite) ends the run as diverged.
DIVERGENCE_THRESHOLD = 1e150


@lru_cache(maxsize=None)
def signature(kind: str) -> Any:
    """The numba signature of an oracle or kernel kind (imports numba on first call)."""
    from numba import types

    f8v = types.float64[::1]
    f8m = types.float64[:, ::1]
    i8v = types.int64[::1]
    if kind == "grad":
        return types.void(f8m, f8v, f8v, f8v, f8v)
    if kind == "gap":
        return types.float64(f8m, f8v, f8v, f8v)
    if kind == "first_order":
        record = types.Tuple((f8m, types.int64, types.int64))
        return record(types.FunctionType(signature("grad")), types.FunctionType(signature("gap")),
                      f8m, f8v, f8v, f8v, f8v, f8v, i8v)
    raise KeyError(f"unknown signature kind {kind!r}")


class LazyJit:
    """A Python function compiled by numba with a fixed signature on first use.

    ``.compiled`` is the numba dispatcher (pass it to kernels as a typed first-class function);
    calling the object calls the compiled function. ``.py_func`` is the plain Python function.
    """

    def __init__(self, py_func: Callable, kind: str) -> None:
        self.py_func = py_func
        self.kind = kind
        self._dispatcher = None
        self.__doc__ = py_func.__doc__
        self.__name__ = py_func.__name__
        self.__qualname__ = py_func.__qualname__
        self.__module__ = py_func.__module__

    @property
    def compiled(self):
        if self._dispatcher is None:
            from numba import njit

            self._dispatcher = njit(signature(self.kind), cache=True)(self.py_func)
        return self._dispatcher

    def __call__(self, *args):
        return self.compiled(*args)

    def __repr__(self) -> str:
        return f"<{self.kind} {self.__module__}.{self.__qualname__}>"


def lazy_jit(kind: str) -> Callable[[Callable], LazyJit]:
    """Decorator: compile the function with the signature of ``kind`` the first time it is used."""

    def wrap(py_func: Callable) -> LazyJit:
        return LazyJit(py_func, kind)

    return wrap


def njit_helper(py_func: Callable) -> Any:
    """Decorator for numba helpers called from kernels: typed at first call, cached on disk.

    numba is imported here, so only modules that hold compiled code use it, and those modules
    are imported lazily.
    """
    from numba import njit

    return njit(cache=True)(py_func)
