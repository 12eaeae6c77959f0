"""Typed oracle signatures and compile-on-first-use numba functions.

The kernel design (ARCHITECTURE.md, "Numba kernels"): every oracle of a kind has one fixed
signature, and a kernel takes the oracles as typed first-class functions. Each kernel is
therefore compiled once, for every problem, and numba's on-disk cache (``cache=True``) serves it
in every later process.

Oracle operands. A problem family packs its data into three arrays:
``A`` (float64, 2-D, C order), ``b`` (float64, 1-D) and ``p`` (float64, 1-D, scalar parameters).

Oracle kinds (:data:`ORACLE_KINDS`, in the order of the ``oracles`` tuple a kernel receives):

``grad(A, b, p, x, out) -> None``
    writes ∇f(x) into ``out``: a gradient, a subgradient, or the operator F(z) of a variational
    inequality;
``sgrad(A, b, p, x, t, s, out) -> None``
    a stochastic gradient at x for iteration ``t`` and sample ``s`` (a non-negative int64 drawn
    by the kernel, see :mod:`convlab.algorithms._random`). The oracle is a pure function of
    ``(x, t, s)``: two calls with the same sample see the same noise or the same component
    (finite sums take component ``s % n``), which SVRG-type methods need; online problems read
    the loss of round ``t``;
``value(A, b, p, x) -> float``
    f(x) − f*, computed without cancellation (the family knows how);
``prox(A, b, p, x, step, out) -> None``
    prox_{step·g}(x) of the nonsmooth part g (the indicator of the feasible set makes this the
    projection); the identity when the problem has neither;
``lmo(A, b, p, g, out) -> None``
    a minimiser of ⟨g, s⟩ over the feasible set (Frank–Wolfe);
``hess(A, b, p, x, out) -> None``
    writes the Hessian ∇²f(x) into the square array ``out``.

A family that lacks an oracle passes a stub that fills ``out`` with NaN (:mod:`convlab.problems.
base`); algorithms declare the oracles they need and :func:`convlab.run` refuses a pair that
does not fit before anything runs.

Kernel pieces (the kernel contract, :mod:`convlab.runtime.kernel`): a method is written as an
``advance`` function that moves its state from iteration k0 to k1, with optional ``init`` and
``observe`` functions; the one loop of :mod:`convlab.runtime.loop` calls them::

    init(oracles, A, b, p, hyper, seed, X, s) -> None
    advance(oracles, A, b, p, hyper, seed, checkpoints, k0, k1, X, s) -> status
    observe(oracles, A, b, p, hyper, seed, k, X, s, P, S) -> status

``X`` (float64, 2-D) holds the state vectors one per row (the recorded points first), ``s``
(float64, 1-D) the state scalars (the recorded scalars first), ``P`` and ``S`` the record of
one checkpoint. A legacy whole-run kernel has the ``method`` signature::

    kernel(oracles, A, b, p, x0, hyper, checkpoints, seed, track)
        -> (points: f8[m, P, d], scalars: f8[m, S], n_recorded: int64, status: int64)

Importing this module does not import numba: :func:`lazy_jit` compiles (or loads from numba's
cache) a function the first time it is used, so ``import convlab`` compiles nothing.
"""

from __future__ import annotations

import warnings
from functools import lru_cache
from typing import Any, Callable

#: Oracle kinds, in the order of the ``oracles`` tuple every kernel receives.
ORACLE_KINDS = ("grad", "sgrad", "value", "prox", "lmo", "hess")

#: Index of each oracle in the tuple (kernels write ``grad = oracles[GRAD]``).
GRAD, SGRAD, VALUE, PROX, LMO, HESS = range(len(ORACLE_KINDS))

#: Status codes a kernel returns.
STATUS_OK = 0
STATUS_DIVERGED = 1
#: A kernel that has finished (its state no longer changes) returns this from ``advance``; the
#: loop records the final state at every remaining checkpoint.
STATUS_STOPPED = 2
#: A kernel whose run ends here (a stopping test met, e.g. Newton's decrement below its
#: tolerance) returns this from ``advance`` or ``observe``: the loop records nothing more (not
#: this checkpoint either) and the run ends with status ok.
STATUS_FINISHED = 3

#: A recorded coordinate above this in magnitude (or non-finite) ends the run as diverged.
DIVERGENCE_THRESHOLD = 1e150

warnings.filterwarnings("ignore", message="First-class function type feature is experimental")


@lru_cache(maxsize=None)
def signature(kind: str) -> Any:
    """The numba signature of an oracle kind or of ``"method"`` (imports numba on first call)."""
    install_cache_locator()
    from numba import types

    f8v = types.float64[::1]
    f8m = types.float64[:, ::1]
    i8 = types.int64
    if kind in ("grad", "lmo"):
        return types.void(f8m, f8v, f8v, f8v, f8v)
    if kind == "sgrad":
        return types.void(f8m, f8v, f8v, f8v, i8, i8, f8v)
    if kind == "value":
        return types.float64(f8m, f8v, f8v, f8v)
    if kind == "prox":
        return types.void(f8m, f8v, f8v, f8v, types.float64, f8v)
    if kind == "hess":
        return types.void(f8m, f8v, f8v, f8v, f8m)
    if kind == "oracles":
        return types.Tuple(tuple(types.FunctionType(signature(k)) for k in ORACLE_KINDS))
    i8v = types.int64[::1]
    oracles = signature("oracles")
    if kind == "init":
        return types.void(oracles, f8m, f8v, f8v, f8v, i8, f8m, f8v)
    if kind == "advance":
        return i8(oracles, f8m, f8v, f8v, f8v, i8, i8v, i8, i8, f8m, f8v)
    if kind == "observe":
        return i8(oracles, f8m, f8v, f8v, f8v, i8, i8, f8m, f8v, f8m, f8v)
    record = types.Tuple((types.float64[:, :, ::1], f8m, i8, i8))
    if kind == "method":
        return record(oracles, f8m, f8v, f8v, f8v, f8v, i8v, i8, i8)
    if kind == "driver":
        return record(types.FunctionType(signature("init")), types.FunctionType(
            signature("advance")), types.FunctionType(signature("observe")), oracles, f8m, f8v,
            f8v, f8v, f8v, i8v, i8, i8, i8, i8, i8, i8)
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
            self._dispatcher = _compile(self.py_func, signature(self.kind))
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


def has_source_file(py_func: Callable) -> bool:
    """Whether numba can cache ``py_func`` on disk: it was defined in a file that exists (not
    typed at a prompt, read from stdin or built by ``exec``)."""
    import inspect
    import os

    try:
        path = inspect.getsourcefile(py_func)
    except TypeError:
        return False
    return bool(path) and os.path.isfile(path)


@lru_cache(maxsize=None)
def install_cache_locator() -> bool:
    """Make numba's on-disk cache depend on every source a compiled function depends on.

    numba checks a cached function against its own file only; a kernel that calls a helper of
    another module (compiled into the kernel's code) would be loaded stale after that helper
    changed. This puts a locator in front of numba's own: for a function defined in a module
    with a source file it finds the cache where numba would, and adds to numba's freshness
    stamp the digest of the module and everything it imports within convlab and within its own
    package (:func:`convlab.runtime.sources.module_digest`), so an edit anywhere below a kernel
    recompiles it. Returns False when numba's cache internals are not the expected ones (the
    cache then works as numba's own).
    """
    from numba.core import caching

    impl = getattr(caching, "CacheImpl", None) or getattr(caching, "_CacheImpl", None)
    base = getattr(caching, "_CacheLocator", None)
    if impl is None or base is None:
        return False
    locators = getattr(impl, "_locator_classes", None)
    if not isinstance(locators, list):
        return False

    class SourceDigestLocator(base):
        """numba's locator for a function, with the digest of its imports in the stamp."""

        def __init__(self, inner: Any, digest: str) -> None:
            self._inner = inner
            self._digest = digest

        def ensure_cache_path(self) -> None:
            self._inner.ensure_cache_path()

        def get_cache_path(self) -> str:
            return self._inner.get_cache_path()

        def get_source_stamp(self) -> Any:
            return (self._inner.get_source_stamp(), self._digest)

        def get_disambiguator(self) -> str:
            return self._inner.get_disambiguator()

        @classmethod
        def from_function(cls, py_func: Callable, py_file: str) -> Any:
            from .sources import module_digest

            digest = module_digest(getattr(py_func, "__module__", "") or "")
            if digest is None:
                return None
            for other in list(impl._locator_classes):
                if other is cls:
                    continue
                inner = other.from_function(py_func, py_file)
                if inner is not None:
                    return cls(inner, digest)
            return None

    if not any(getattr(c, "__name__", "") == "SourceDigestLocator" for c in locators):
        locators.insert(0, SourceDigestLocator)
    return True


def _compile(py_func: Callable, sig: Any) -> Any:
    """Compile ``py_func`` eagerly with ``sig``; cached on disk when it has a source file."""
    install_cache_locator()
    from numba import njit

    if has_source_file(py_func):
        try:
            return njit(sig, cache=True)(py_func)
        except RuntimeError as exc:  # numba found no cache locator (an IPython cell, say)
            if "cannot cache" not in str(exc):
                raise
    return njit(sig)(py_func)


def served_by_cache(dispatcher: Any) -> bool:
    """Whether numba loaded a compiled function's machine code from its disk cache (False: it
    compiled it in this process)."""
    stats = getattr(dispatcher, "stats", None)
    return bool(stats is not None and sum(stats.cache_hits.values()))


def njit_helper(py_func: Callable) -> Any:
    """Decorator for numba helpers called from kernels: typed at first call, cached on disk
    (when the function has a source file).

    numba is imported here, so only modules that hold compiled code use it, and those modules
    are imported lazily.
    """
    install_cache_locator()
    from numba import njit

    return njit(cache=has_source_file(py_func))(py_func)


def njit_inlined(py_func: Callable) -> Any:
    """As :func:`njit_helper`, and inlined into every compiled caller at numba's IR level
    (``inline="always"``): the same operations in the same order, so the same numbers, without
    a call. Measured: an oracle that called :func:`~convlab.problems.quadratics.symmetric_product`
    was not inlined by LLVM and paid a call and the product's setup on every iteration (GD at
    d = 10: 53 ns per iteration; 35 ns with the product inlined; benchmarks/README.md). For
    small, hot helpers whose call costs as much as their work: every caller compiles its own
    copy, and numba types and lowers it again in each (a helper that runs for microseconds is
    better called: :mod:`convlab.problems.rows`)."""
    install_cache_locator()
    from numba import njit

    return njit(cache=has_source_file(py_func), inline="always")(py_func)
