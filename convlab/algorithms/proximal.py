"""Proximal gradient methods for composite problems F = f + g (and projected gradient methods).

Kernels have the method signature of :mod:`convlab._jit`. They call the ``grad`` oracle of the
smooth part f and the ``prox`` oracle of the nonsmooth part g, ``prox(x, γ) = prox_{γg}(x)``;
when g is the indicator of a closed convex set X the prox is the projection onto X and the
proximal gradient method is projected gradient descent.

Both kernels record the last iterate x_k as point 0; with ``track = 1`` they keep the running
quantities of :mod:`._record` at x_k (best F − F* through the ``value`` oracle, and the squared
norm of ∇f, the gradient of the smooth part only). A run stops with ``STATUS_DIVERGED`` when x_k
is non-finite or above ``DIVERGENCE_THRESHOLD``.
"""

from __future__ import annotations

import numpy as np

from ..runtime.jit import GRAD, PROX, STATUS_DIVERGED, STATUS_OK, lazy_jit
from ._record import checkpoint, new_record, store_point, track_init, track_step


@lazy_jit("method")
def prox_grad(oracles, A, b, p, x0, hyper, checkpoints, seed, track):
    """Proximal gradient method (ISTA; projected gradient descent when g is an indicator).

    Update, for k = 0, 1, ...:

        x_{k+1} = prox_{γ g}(x_k − γ ∇f(x_k)).

    Parameters (``hyper``): ``[γ]``, the constant step (γ = 1/L classical; 0 < γ < 2/L
    converges).

    Records the last iterate x_k.

    Guarantees (f convex L-smooth, g convex, γ = 1/L): F(x_k) − F* <= L R²/(2k) (Beck & Teboulle
    2009, SIAM J. Imaging Sci. 2(1), Thm 3.1); if f is also μ-strongly convex,
    ||x_k − x*|| <= (1 − μ/L)^k R (prox nonexpansive, gradient step (1 − μ/L)-Lipschitz);
    projected GD (1-indexed, x_1 the start): f(x_t) − f* <= (3L||x_1 − x*||² + f(x_1) − f*)/t
    (Bubeck 2015, Convex Optimization: Algorithms and Complexity, Thm 3.7).
    """
    gamma = hyper[0]
    d = x0.shape[0]
    x = x0.copy()
    g = np.empty(d)
    y = np.empty(d)
    work = np.empty(d)
    grad = oracles[GRAD]
    prox = oracles[PROX]
    points, scalars = new_record(checkpoints, 1, d, 3)
    acc = track_init()
    j = 0
    last = checkpoints[-1]
    for k in range(last + 1):
        if track:
            track_step(acc, oracles, A, b, p, x, work)
        if k == checkpoints[j]:
            j += 1
            if checkpoint(points, scalars, j - 1, x, acc, track):
                return points, scalars, j, STATUS_DIVERGED
            if k == last:
                break
        grad(A, b, p, x, g)
        for i in range(d):
            y[i] = x[i] - gamma * g[i]
        prox(A, b, p, y, gamma, x)
    return points, scalars, j, STATUS_OK


@lazy_jit("method")
def fista(oracles, A, b, p, x0, hyper, checkpoints, seed, track):
    """FISTA: Nesterov's accelerated proximal gradient method (Beck & Teboulle 2009).

    Update, with y_0 = x_0 and t_0 = 1:

        x_{k+1} = prox_{γ g}(y_k − γ ∇f(y_k)),
        t_{k+1} = (1 + sqrt(1 + 4 t_k²)) / 2,
        y_{k+1} = x_{k+1} + ((t_k − 1)/t_{k+1}) (x_{k+1} − x_k).

    Parameters (``hyper``): ``[γ]``, the step (γ = 1/L gives
    F(x_k) − F* <= 2 L R²/(k+1)², Beck & Teboulle 2009, SIAM J. Imaging Sci. 2(1), Thm 4.4).

    Records x_k (point 0, ``last``) and the extrapolated point y_k (point 1, ``y``).
    With g = 0 (identity prox) it is exactly the ``agd`` kernel.
    """
    gamma = hyper[0]
    d = x0.shape[0]
    x = x0.copy()
    x_prev = x0.copy()
    y = x0.copy()
    gy = np.empty(d)
    z = np.empty(d)
    work = np.empty(d)
    grad = oracles[GRAD]
    prox = oracles[PROX]
    points, scalars = new_record(checkpoints, 2, d, 3)
    acc = track_init()
    t = 1.0
    j = 0
    last = checkpoints[-1]
    for k in range(last + 1):
        if track:
            track_step(acc, oracles, A, b, p, x, work)
        if k == checkpoints[j]:
            store_point(points, j, 1, y)
            j += 1
            if checkpoint(points, scalars, j - 1, x, acc, track):
                return points, scalars, j, STATUS_DIVERGED
            if k == last:
                break
        grad(A, b, p, y, gy)
        for i in range(d):
            z[i] = y[i] - gamma * gy[i]
        for i in range(d):
            x_prev[i] = x[i]
        prox(A, b, p, z, gamma, x)
        t_next = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * t * t))
        beta = (t - 1.0) / t_next
        for i in range(d):
            y[i] = x[i] + beta * (x[i] - x_prev[i])
        t = t_next
    return points, scalars, j, STATUS_OK


# -- registry rows (legacy whole-run kernels; see convlab.algorithms.registry) --

from .registry import Algorithm, LegacyKernel  # noqa: E402

ALGORITHMS = (
    Algorithm('ista', LegacyKernel(prox_grad, hyper=('step',), points=('last',), record_scalars=('best_f_gap', 'min_grad_norm_sq', 'avg_grad_norm_sq'), needs=('grad', 'prox'), stochastic=False),
              (('step', '1/L'),),
              fixed={},
              summary='proximal gradient (ISTA), constant step'),
    Algorithm('projected-gd', LegacyKernel(prox_grad, hyper=('step',), points=('last',), record_scalars=('best_f_gap', 'min_grad_norm_sq', 'avg_grad_norm_sq'), needs=('grad', 'prox'), stochastic=False),
              (('step', '1/L'),),
              fixed={},
              summary='projected gradient descent, constant step (prox = projection)'),
    Algorithm('fista', LegacyKernel(fista, hyper=('step',), points=('last', 'y'), record_scalars=('best_f_gap', 'min_grad_norm_sq', 'avg_grad_norm_sq'), needs=('grad', 'prox'), stochastic=False),
              (('step', '1/L'),),
              fixed={},
              summary='FISTA, accelerated proximal gradient (Beck-Teboulle 2009)'),
)
