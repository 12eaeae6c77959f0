"""Numba helpers shared by the first-order kernels: what a checkpoint records."""

from __future__ import annotations

import numpy as np

from .._jit import DIVERGENCE_THRESHOLD, njit_helper


@njit_helper
def record_point(rec, j, gap, A, b, p, x, xstar, gx):
    """Write row ``j`` of ``rec``: f(x) − f*, ||x − x*||², ||∇f(x)||² (``gx`` holds ∇f(x)).

    Returns False when a value is non-finite or above the divergence threshold.
    """
    dist_sq = 0.0
    grad_sq = 0.0
    for i in range(x.shape[0]):
        e = x[i] - xstar[i]
        dist_sq += e * e
        grad_sq += gx[i] * gx[i]
    f_gap = gap(A, b, p, x)
    rec[j, 0] = f_gap
    rec[j, 1] = dist_sq
    rec[j, 2] = grad_sq
    ok = True
    for c in range(3):
        v = rec[j, c]
        if not np.isfinite(v) or abs(v) > DIVERGENCE_THRESHOLD:
            ok = False
    return ok
