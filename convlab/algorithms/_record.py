"""Numba helpers every kernel shares: the record it returns, divergence, running quantities.

A kernel allocates its record with :func:`new_record`, stores the points it documents at each
checkpoint with :func:`store_point`, and checks :func:`diverging` on its iterate there.

Running quantities (``track = 1``). Some measures need every iterate, not only the recorded
ones. A kernel that supports tracking keeps an accumulator from :func:`track_init`, calls
:func:`track_step` once per iterate x_k (k = 0, 1, ...) and :func:`track_store` at checkpoints;
the scalar columns are :data:`TRACK_COLUMNS`:

- ``best_f_gap``: min_{i<=k} f(x_i) − f*;
- ``min_grad_norm_sq``: min_{i<=k} ||∇f(x_i)||² (the full gradient, also for stochastic methods);
- ``avg_grad_norm_sq``: (1/(k+1)) Σ_{i<=k} ||∇f(x_i)||², the expected squared gradient norm at
  an iterate drawn uniformly from x_0..x_k.

With ``track = 0`` these columns are NaN and no extra oracle call is made.
"""

from __future__ import annotations

import numpy as np

from ..runtime.jit import DIVERGENCE_THRESHOLD, GRAD, VALUE, njit_helper

#: Scalar columns of :func:`track_store`, in order.
from .registry import TRACK_COLUMNS


@njit_helper
def new_record(checkpoints, n_points, d, n_scalars):
    """Empty ``(points[m, n_points, d], scalars[m, n_scalars])`` for m checkpoints (NaN-filled)."""
    m = checkpoints.shape[0]
    points = np.full((m, n_points, d), np.nan)
    scalars = np.full((m, n_scalars), np.nan)
    return points, scalars


@njit_helper
def store_point(points, j, slot, x):
    """points[j, slot, :] = x."""
    for i in range(x.shape[0]):
        points[j, slot, i] = x[i]


@njit_helper
def diverging(x):
    """True when a coordinate of x is non-finite or above the divergence threshold."""
    for i in range(x.shape[0]):
        v = x[i]
        if not np.isfinite(v) or abs(v) > DIVERGENCE_THRESHOLD:
            return True
    return False


@njit_helper
def track_init():
    """Accumulator [best f − f*, min ||∇f||², Σ ||∇f||², count]."""
    acc = np.empty(4)
    acc[0] = np.inf
    acc[1] = np.inf
    acc[2] = 0.0
    acc[3] = 0.0
    return acc


@njit_helper
def track_step(acc, oracles, A, b, p, x, work):
    """Fold iterate x into the accumulator (one value and one full-gradient call; ``work`` is
    a scratch vector of x's length)."""
    value = oracles[VALUE]
    grad = oracles[GRAD]
    f_gap = value(A, b, p, x)
    if f_gap < acc[0]:
        acc[0] = f_gap
    grad(A, b, p, x, work)
    g2 = 0.0
    for i in range(x.shape[0]):
        g2 += work[i] * work[i]
    if g2 < acc[1]:
        acc[1] = g2
    acc[2] += g2
    acc[3] += 1.0


@njit_helper
def track_store(scalars, j, first, acc):
    """Write the tracked quantities into scalars[j, first:first + 3]."""
    scalars[j, first] = acc[0]
    scalars[j, first + 1] = acc[1]
    scalars[j, first + 2] = acc[2] / acc[3] if acc[3] > 0 else np.nan


@njit_helper
def checkpoint(points, scalars, j, x, acc, track):
    """The common checkpoint: store x as point 0 and the tracked scalars (columns 0..2) in row
    j; return True when x is diverging."""
    store_point(points, j, 0, x)
    if track:
        track_store(scalars, j, 0, acc)
    return diverging(x)


__all__ = ["TRACK_COLUMNS", "checkpoint", "diverging", "new_record", "store_point",
           "track_init", "track_step", "track_store"]
