"""Schedule-Free SGD (Defazio, Yang, Mehta, Mishchenko, Khaled & Cutkosky 2024).

The kernel has the method signature of :mod:`convlab._jit`, calls the ``sgrad`` oracle at the
interpolated point y_t with the sample ``sample_id(seed, t)``, and records the x-sequence (the
one the theorem bounds) together with y and z.
"""

from __future__ import annotations

import numpy as np

from ..runtime.jit import SGRAD, STATUS_DIVERGED, STATUS_OK, lazy_jit
from ..runtime.random import sample_id
from ._record import checkpoint, new_record, store_point, track_init, track_step


@lazy_jit("method")
def schedule_free_sgd(oracles, A, b, p, x0, hyper, checkpoints, seed, track):
    """Schedule-Free SGD.

    Update, 0-indexed (the paper's x_1 = z_1 is our x_0 = z_0), for t = 0, 1, ...:

        y_t     = (1 − β) z_t + β x_t,
        z_{t+1} = z_t − γ g_t,              g_t = G(y_t, ξ_t)  (``sgrad`` at y_t),
        x_{t+1} = (1 − c_{t+1}) x_t + c_{t+1} z_{t+1},   c_{t+1} = 1/(t + 2),

    so x_k is the uniform average of z_0, ..., z_k (the paper's c_{t+1} = 1/(t+1), 1-indexed).
    β = 0 gives Polyak–Ruppert averaging of SGD; β = 1 gives primal averaging.

    Parameters (``hyper``): ``[γ, β]``: the constant step and the interpolation weight in [0, 1].
    The paper's Theorem 1 (convex f, ||g|| <= G, ||x_1 − x*|| <= D) takes γ = D/(G sqrt(T)) and
    bounds E f(x_T) − f* <= D G / sqrt(T), where x_T (1-indexed) has used T − 1 gradients: our
    x_k with T = k + 1.

    Records three points: ``last`` = x_k (the averaged sequence), ``y`` = y_k, ``z`` = z_k. With
    ``track`` it keeps the running quantities of :mod:`._record` along x_k.

    Reference: Defazio, Yang, Mehta, Mishchenko, Khaled & Cutkosky (2024), "The Road Less
    Scheduled", NeurIPS 2024, Algorithm 1 and Theorem 1.
    """
    sgrad = oracles[SGRAD]
    gamma = hyper[0]
    beta = hyper[1]
    d = x0.shape[0]
    x = x0.copy()
    z = x0.copy()
    y = x0.copy()
    g = np.empty(d)
    work = np.empty(d)
    points, scalars = new_record(checkpoints, 3, d, 3)
    acc = track_init()
    j = 0
    last = checkpoints[-1]
    for t in range(last + 1):
        for i in range(d):
            y[i] = (1.0 - beta) * z[i] + beta * x[i]
        if track:
            track_step(acc, oracles, A, b, p, x, work)
        if t == checkpoints[j]:
            store_point(points, j, 1, y)
            store_point(points, j, 2, z)
            j += 1
            if checkpoint(points, scalars, j - 1, x, acc, track):
                return points, scalars, j, STATUS_DIVERGED
            if t == last:
                break
        sgrad(A, b, p, y, t, sample_id(seed, t), g)
        c = 1.0 / (t + 2.0)
        for i in range(d):
            z[i] -= gamma * g[i]
            x[i] = (1.0 - c) * x[i] + c * z[i]
    return points, scalars, j, STATUS_OK


# -- registry rows (legacy whole-run kernels; see convlab.algorithms.registry) --

from .registry import Algorithm, LegacyKernel  # noqa: E402

ALGORITHMS = (
    Algorithm('schedule-free-sgd', LegacyKernel(schedule_free_sgd, hyper=('step', 'beta'), points=('last', 'y', 'z'), record_scalars=('best_f_gap', 'min_grad_norm_sq', 'avg_grad_norm_sq'), needs=('sgrad',), stochastic=True),
              (('step', None), ('beta', '0.9')),
              fixed={},
              summary='Schedule-Free SGD (Defazio et al. 2024); records x (last), y, z'),
)
