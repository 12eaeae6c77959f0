"""Write your own method: the public API for kernels, oracles and methods in plain Python.

A method is its update only. The library's loop (:mod:`convlab.runtime.loop`) allocates the
state, records the iterates at the checkpoints, keeps the running quantities, stops a diverging
run and flushes subnormal numbers to zero; one compiled kernel serves every problem. Heavy ball
with a momentum restart every K iterations::

    from convlab.kernels import GRAD, OK, Algorithm, kernel

    @kernel(hyper=("alpha", "beta", "K"), vectors=("x_prev", "g"))
    def hb_restart(oracles, A, b, p, hyper, seed, checkpoints, k0, k1, X, s):
        alpha, beta, K = hyper[0], hyper[1], int(hyper[2])
        x, x_prev, g = X[0], X[1], X[2]          # rows of the state: points, then vectors
        for k in range(k0, k1):                  # iterations k0 .. k1-1
            oracles[GRAD](A, b, p, x, g)
            m = 0.0 if k % K == 0 else beta      # no momentum on the first step of a period
            for i in range(x.shape[0]):
                x_next = x[i] - alpha * g[i] + m * (x[i] - x_prev[i])
                x_prev[i] = x[i]
                x[i] = x_next
        return OK

    ALGORITHMS = (Algorithm("hb-restart", hb_restart,
                            {"alpha": "1/L", "beta": "0.5", "K": "20"}),)

``advance(oracles, A, b, p, hyper, seed, checkpoints, k0, k1, X, s)`` moves the state from
iteration k0 to k1. ``hyper`` holds the parameters in the order of ``hyper=``; ``X`` the state
vectors, one per row (the recorded ``points`` first, row 0 the iterate the loop tracks, then the
``vectors``), all equal to x0 at the start; ``s`` the state scalars (the recorded ``scalars``
first, then ``state``), 0 at the start. Call oracles as ``oracles[GRAD](A, b, p, x, out)``
(signatures in :mod:`convlab.runtime.jit`); return :data:`OK`, :data:`DIVERGED` or
:data:`STOPPED` (the method is finished). A stochastic method draws the sample of iteration k
with ``sample_id(seed, k)`` and its random numbers with ``normal(sample, j)``,
``uniform(sample, j)`` (counter-based: bit-for-bit reproducible, seeds in parallel).

The kernel compiles the first time it runs, and numba caches it on disk when it was defined in
a file (a kernel typed at a prompt, read from stdin, or defined in a notebook cell compiles in
each process).

A method in plain Python (no numba; about a thousand times slower per iteration at d = 10) is
a generator of iterates with the instance's constants and its parameters by name::

    @python_method(params={"step": "1/L"})
    def barzilai_borwein(oracles, x, c):
        g, h = oracles.grad(x), c.step
        while True:
            yield x
            x_next = x - h * g
            g_next = oracles.grad(x_next)
            s, y = x_next - x, g_next - g
            h = s @ s / (s @ y) if s @ y > 0 else c.step
            x, g = x_next, g_next

Either kind is named in claim files once registered: declare the module's ``ALGORITHMS`` (and
``FAMILIES``, :class:`convlab.Family`) and load it as a plugin (``convlab verify --plugin
MODULE``, an entry point, or ``[tool.convlab] plugins`` in pyproject.toml; see
docs/tutorial.md), or call :func:`register`.
"""

from __future__ import annotations

from typing import Callable, Mapping, Sequence

from .algorithms.registry import Algorithm, PythonKernel, register
from .runtime.jit import (DIVERGENCE_THRESHOLD, GRAD, HESS, LMO, ORACLE_KINDS, PROX, SGRAD,
                          STATUS_DIVERGED, STATUS_OK, STATUS_STOPPED, VALUE, LazyJit, lazy_jit,
                          njit_helper)
from .runtime.kernel import Kernel
from .runtime.random import normal, randint, sample_id, uniform

#: Status codes ``advance`` returns: go on, the run diverged, the method is finished.
OK, DIVERGED, STOPPED = STATUS_OK, STATUS_DIVERGED, STATUS_STOPPED

#: A numba helper called from kernels or oracles (compiled at first call, cached on disk).
helper = njit_helper


def _piece(fn: Callable | LazyJit | None, kind: str) -> LazyJit | None:
    if fn is None or isinstance(fn, LazyJit):
        return fn
    return lazy_jit(kind)(fn)


def kernel(*, hyper: Sequence[str] = (), points: Sequence[str] = ("last",),
           vectors: Sequence[str] = (), scalars: Sequence[str] = (), state: Sequence[str] = (),
           rows: Callable[[Mapping[str, float], int, int], int] | None = None,
           needs: Sequence[str] = ("grad",), stochastic: bool = False,
           init: Callable | None = None, observe: Callable | None = None
           ) -> Callable[[Callable], Kernel]:
    """Decorator: an ``advance`` function and its layout as a :class:`Kernel`.

    Parameters
    ----------
    hyper
        Names of the parameter slots, in the order of the ``hyper`` array.
    points
        Recorded points: rows 0.. of ``X`` (row 0 is the iterate; ``("last",)`` by default).
    vectors
        Further working rows of ``X``.
    scalars, state
        Recorded state scalars (entries 0.. of ``s``), then further ones.
    rows
        ``rows(hyper_by_name, d, m)``: extra rows of ``X`` (tables), or None.
    needs
        Oracle kinds the method calls (``grad``, ``sgrad``, ``value``, ``prox``, ``lmo``,
        ``hess``): a problem without one of them is refused before anything runs.
    stochastic
        Whether the method draws samples from its seed.
    init, observe
        Optional ``init(oracles, A, b, p, hyper, seed, X, s)`` (after every row of ``X`` was
        set to x0) and ``observe(oracles, A, b, p, hyper, seed, k, X, s, P, S) -> status``
        (writes a checkpoint's record: points ``P``, scalars ``S``), plain functions compiled
        like the kernel.
    """

    def wrap(fn: Callable) -> Kernel:
        return Kernel(_piece(fn, "advance"), hyper=tuple(hyper), points=tuple(points),
                      vectors=tuple(vectors), scalars=tuple(scalars), state=tuple(state),
                      rows=rows, needs=tuple(needs), stochastic=stochastic,
                      init=_piece(init, "init"), observe=_piece(observe, "observe"))

    return wrap


def oracle(kind: str) -> Callable[[Callable], LazyJit]:
    """Decorator for a problem family's oracle of ``kind`` (``grad(A, b, p, x, out)``,
    ``value(A, b, p, x) -> f(x) − f*``, ``sgrad(A, b, p, x, t, s, out)``,
    ``prox(A, b, p, x, step, out)``, ``lmo(A, b, p, g, out)``, ``hess(A, b, p, x, out)``),
    compiled with its fixed signature on first use."""
    if kind not in ORACLE_KINDS:
        raise ValueError(f"unknown oracle kind {kind!r}; known: {', '.join(ORACLE_KINDS)}")
    return lazy_jit(kind)


def python_method(*, params: Mapping[str, str | None] | Sequence[tuple[str, str | None]] = (),
                  points: Sequence[str] = ("last",), needs: Sequence[str] = ("grad",),
                  stochastic: bool = False, name: str | None = None, summary: str = ""
                  ) -> Callable[[Callable], Algorithm]:
    """Decorator: a method in plain Python as an :class:`Algorithm` (registered by name when
    its module is loaded as a plugin, or with :func:`register`).

    The method is a generator ``method(oracles, x0, c)`` that yields x_0, x_1, ... (a tuple of
    arrays when it records several ``points``). ``c`` holds the instance's constants (``c.L``,
    ``c.mu``, ``c.R``, ``c.kappa``, its certified constants and numeric family parameters), the
    method's parameters (``c.step``), the horizon ``c.N`` (the last checkpoint) and ``c.seed``;
    ``oracles`` calls the instance's oracles (``grad``, ``value``, ``prox``, ``lmo``, ``hess``,
    ``sgrad(x, t)``). The algorithm's name is ``name`` or the function's, with ``_`` as ``-``.
    """
    pairs = tuple(params.items()) if isinstance(params, Mapping) else tuple(params)

    def wrap(fn: Callable) -> Algorithm:
        doc = (fn.__doc__ or "").strip().splitlines()
        method = PythonKernel(fn, hyper=tuple(n for n, _ in pairs), points=tuple(points),
                              needs=tuple(needs), stochastic=stochastic)
        return Algorithm(name or fn.__name__.replace("_", "-"), method, pairs,
                         summary=summary or (doc[0] if doc else fn.__name__))

    return wrap


__all__ = [
    "Algorithm", "DIVERGED", "DIVERGENCE_THRESHOLD", "GRAD", "HESS", "Kernel", "LMO", "OK",
    "ORACLE_KINDS", "PROX", "PythonKernel", "SGRAD", "STOPPED", "VALUE", "helper", "kernel",
    "lazy_jit", "normal", "oracle", "python_method", "randint", "register", "sample_id",
    "uniform",
]

