"""Gradient methods for smooth convex and strongly convex minimisation.

Every kernel has the first-order signature of :mod:`convlab._jit`::

    kernel(grad, gap, A, b, p, x0, xstar, hyper, checkpoints) -> (record, n_recorded, status)

It runs to ``checkpoints[-1]`` iterations, records f(x_k) − f*, ||x_k − x*||² and
||∇f(x_k)||² of the *last iterate* x_k at every checkpoint, and stops early with status
``STATUS_DIVERGED`` when a recorded value is non-finite or above ``DIVERGENCE_THRESHOLD``.
"""

from __future__ import annotations

import numpy as np

from .._jit import STATUS_DIVERGED, STATUS_OK, lazy_jit
from ._record import record_point


@lazy_jit("first_order")
def gd(grad, gap, A, b, p, x0, xstar, hyper, checkpoints):
    """Gradient descent with a constant step.

    Update: x_{k+1} = x_k − h ∇f(x_k).

    Parameters (``hyper``): ``[h]``, the step size (h = 1/L is the classical choice; any
    0 < h < 2/L converges on convex L-smooth f).

    Records the last iterate x_k.

    References: Nesterov (2004), *Introductory Lectures on Convex Optimization*, §2.1.5;
    Drori & Teboulle (2014), Math. Program. 145, for the tight bound L R²/(4k+2) at h = 1/L.
    """
    h = hyper[0]
    x = x0.copy()
    g = np.empty_like(x)
    rec = np.empty((checkpoints.shape[0], 3))
    j = 0
    last = checkpoints[-1]
    for k in range(last + 1):
        grad(A, b, p, x, g)
        if k == checkpoints[j]:
            ok = record_point(rec, j, gap, A, b, p, x, xstar, g)
            j += 1
            if not ok:
                return rec, j, STATUS_DIVERGED
            if k == last:
                break
        for i in range(x.shape[0]):
            x[i] -= h * g[i]
    return rec, j, STATUS_OK


@lazy_jit("first_order")
def agd(grad, gap, A, b, p, x0, xstar, hyper, checkpoints):
    """Nesterov's accelerated gradient method for convex f (FISTA form without prox).

    Update, with y_0 = x_0 and t_0 = 1:

        x_{k+1} = y_k − h ∇f(y_k),
        t_{k+1} = (1 + sqrt(1 + 4 t_k²)) / 2,
        y_{k+1} = x_{k+1} + ((t_k − 1)/t_{k+1}) (x_{k+1} − x_k).

    Parameters (``hyper``): ``[h]``, the step size (h = 1/L gives f(x_k) − f* <= 2 L R²/(k+1)²).

    Records the sequence x_k (not y_k).

    References: Nesterov (1983), Soviet Math. Dokl. 27; Beck & Teboulle (2009), SIAM J. Imaging
    Sci. 2, Thm 4.4 (with g = 0).
    """
    h = hyper[0]
    x = x0.copy()
    x_prev = x0.copy()
    y = x0.copy()
    gy = np.empty_like(x)
    gx = np.empty_like(x)
    rec = np.empty((checkpoints.shape[0], 3))
    t = 1.0
    j = 0
    last = checkpoints[-1]
    for k in range(last + 1):
        if k == checkpoints[j]:
            grad(A, b, p, x, gx)
            ok = record_point(rec, j, gap, A, b, p, x, xstar, gx)
            j += 1
            if not ok:
                return rec, j, STATUS_DIVERGED
            if k == last:
                break
        grad(A, b, p, y, gy)
        t_next = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * t * t))
        beta = (t - 1.0) / t_next
        for i in range(x.shape[0]):
            x_prev[i] = x[i]
            x[i] = y[i] - h * gy[i]
            y[i] = x[i] + beta * (x[i] - x_prev[i])
        t = t_next
    return rec, j, STATUS_OK


@lazy_jit("first_order")
def agd_sc(grad, gap, A, b, p, x0, xstar, hyper, checkpoints):
    """Nesterov's accelerated gradient method for strongly convex f (constant momentum).

    Update, with x_{−1} = x_0:

        y_k = x_k + β (x_k − x_{k−1}),
        x_{k+1} = y_k − h ∇f(y_k).

    Parameters (``hyper``): ``[h, β]``; the classical choice h = 1/L and
    β = (sqrt(κ) − 1)/(sqrt(κ) + 1), κ = L/μ, gives
    f(x_k) − f* <= (1 − 1/sqrt(κ))^k (f(x_0) − f* + (μ/2) R²).

    Records the sequence x_k.

    References: Nesterov (2004), *Introductory Lectures on Convex Optimization*, scheme (2.2.19)
    and Thm 2.2.3.
    """
    h = hyper[0]
    beta = hyper[1]
    x = x0.copy()
    x_prev = x0.copy()
    y = x0.copy()
    gy = np.empty_like(x)
    gx = np.empty_like(x)
    rec = np.empty((checkpoints.shape[0], 3))
    j = 0
    last = checkpoints[-1]
    for k in range(last + 1):
        if k == checkpoints[j]:
            grad(A, b, p, x, gx)
            ok = record_point(rec, j, gap, A, b, p, x, xstar, gx)
            j += 1
            if not ok:
                return rec, j, STATUS_DIVERGED
            if k == last:
                break
        for i in range(x.shape[0]):
            y[i] = x[i] + beta * (x[i] - x_prev[i])
        grad(A, b, p, y, gy)
        for i in range(x.shape[0]):
            x_prev[i] = x[i]
            x[i] = y[i] - h * gy[i]
    return rec, j, STATUS_OK
