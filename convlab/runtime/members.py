"""Many members of a function class through the one loop, in one compiled call.

:func:`member_batch` runs a kernel (:mod:`convlab.runtime.kernel`) on m problem instances that
share the oracles and ``A``, ``b`` but differ in ``p``, the start and the solution (rows of
``P``, ``X0``, ``XS``), and evaluates the standard measures of one recorded point at every
checkpoint in compiled code. The falsification search (:mod:`convlab.falsify`) climbs the worst
ratio of a claim over class members with it: a call costs one dispatch for the whole batch.

Importing this module loads the compiled loop (:func:`convlab.runtime.loop.driver`); the batch
refers to it as a module global, not a closure variable, so numba's on-disk cache serves it in
every later process.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from .jit import GRAD, VALUE, signature
from .loop import N_TRACK, driver

_loop = driver()


def _batch(init, advance, observe, oracles, A, b, P, X0, XS, hyper, checkpoints, track, rows,
           n_points, n_state, n_scalars, slot, want):
    m = P.shape[0]
    c = checkpoints.shape[0]
    d = X0.shape[1]
    E = np.full((m, c, 3), np.nan)
    S = np.full((m, c, N_TRACK + n_scalars), np.nan)
    D0 = np.full(m, np.nan)
    counts = np.zeros(m, dtype=np.int64)
    status = np.zeros(m, dtype=np.int64)
    g = np.empty(d)
    value = oracles[VALUE]
    grad = oracles[GRAD]
    for i in range(m):
        p = P[i]
        x0 = X0[i]
        pts, sc, n, st = _loop(init, advance, observe, oracles, A, b, p, x0, hyper,
                               checkpoints, np.int64(0), track, rows, n_points, n_state,
                               n_scalars)
        counts[i] = n
        status[i] = st
        if want & 8:
            D0[i] = value(A, b, p, x0)
        for j in range(n):
            x = pts[j, slot]
            S[i, j, :] = sc[j]
            if want & 1:
                E[i, j, 0] = value(A, b, p, x)
            if want & 2:
                s = 0.0
                for q in range(d):
                    e = x[q] - XS[i, q]
                    s += e * e
                E[i, j, 1] = s
            if want & 4:
                grad(A, b, p, x, g)
                s = 0.0
                for q in range(d):
                    s += g[q] * g[q]
                E[i, j, 2] = s
    return E, S, D0, counts, status


@lru_cache(maxsize=None)
def member_batch():
    """The compiled batch (compiled on first use, cached on disk)::

        member_batch()(init, advance, observe, oracles, A, b, P, X0, XS, hyper, checkpoints,
                       track, rows, n_points, n_state, n_scalars, slot, want)
            -> (E, S, D0, counts, status)

    ``E[i, j]`` = [f − f*, ||x − x*||², ||∇f(x)||²] of member i at checkpoint j and recorded
    point ``slot`` (bits 1, 2, 4 of ``want``; NaN where not asked for or not recorded),
    ``S[i, j]`` the loop's scalar record, ``D0[i]`` = f(x0) − f* (bit 8), ``counts[i]`` the
    checkpoints recorded and ``status[i]`` the loop's status.
    """
    from numba import njit, types

    f8v, f8m = types.float64[::1], types.float64[:, ::1]
    i8, i8v = types.int64, types.int64[::1]
    out = types.Tuple((types.float64[:, :, ::1], types.float64[:, :, ::1], f8v, i8v, i8v))
    sig = out(types.FunctionType(signature("init")), types.FunctionType(signature("advance")),
              types.FunctionType(signature("observe")), signature("oracles"), f8m, f8v, f8m,
              f8m, f8m, f8v, i8v, i8, i8, i8, i8, i8, i8, i8)
    return njit(sig, cache=True)(_batch)
