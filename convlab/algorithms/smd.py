"""Euclidean stochastic mirror descent (projected SGD) with Bubeck's averaged output.

The lead's :func:`convlab.algorithms.sgd.sgd` averages x_0..x_{k−1}; Bubeck's Thm 6.3 bounds the
average of the iterates *after* each step, x̄_t = (1/t) Σ_{s=1}^{t} x_{s+1} in his 1-indexing
(x_1 the start), i.e. (1/k) Σ_{s=1}^{k} x_s here. On a nonlinear f the two are different points,
so this kernel records Bubeck's.
"""

from __future__ import annotations

import numpy as np

from ..runtime.jit import PROX, SGRAD, STATUS_DIVERGED, STATUS_OK, lazy_jit
from ..runtime.random import sample_id
from ._record import checkpoint, new_record, store_point, track_init, track_step


@lazy_jit("method")
def smd_euclid(oracles, A, b, p, x0, hyper, checkpoints, seed, track):
    """Projected SGD (stochastic mirror descent with the Euclidean mirror map), constant step.

    Update, for t = 0, 1, ...:  x_{t+1} = Π_X(x_t − γ g_t),  g_t = G(x_t, ξ_t) (``sgrad``,
    sample ``sample_id(seed, t)``; Π_X the ``prox`` oracle with step γ).

    Parameters (``hyper``): ``[γ]`` (Bubeck's step 1/(β + 1/η), with η = (R/σ) sqrt(2/t) for
    a horizon t, is passed as an expression).

    Records ``last`` = x_k and ``avg`` = (1/k) Σ_{s=1}^{k} x_s, the average of the iterates after
    each step (x_0 at k = 0). With ``track`` it keeps the running quantities of :mod:`._record`.

    Reference: Bubeck (2015), Convex Optimization: Algorithms and Complexity, Found. Trends
    Mach. Learn. 8(3-4), Thm 6.3 (E f(x̄_t) − f* <= R σ sqrt(2/t) + β R²/t, R² = sup_X Φ − Φ(x_1)).
    """
    sgrad = oracles[SGRAD]
    prox = oracles[PROX]
    gamma = hyper[0]
    d = x0.shape[0]
    x = x0.copy()
    g = np.empty(d)
    y = np.empty(d)
    work = np.empty(d)
    total = np.zeros(d)
    avg = np.empty(d)
    points, scalars = new_record(checkpoints, 2, d, 3)
    acc = track_init()
    j = 0
    last = checkpoints[-1]
    for t in range(last + 1):
        if track:
            track_step(acc, oracles, A, b, p, x, work)
        if t == checkpoints[j]:
            if t == 0:
                store_point(points, j, 1, x)
            else:
                for i in range(d):
                    avg[i] = total[i] / t
                store_point(points, j, 1, avg)
            j += 1
            if checkpoint(points, scalars, j - 1, x, acc, track):
                return points, scalars, j, STATUS_DIVERGED
            if t == last:
                break
        sgrad(A, b, p, x, t, sample_id(seed, t), g)
        for i in range(d):
            y[i] = x[i] - gamma * g[i]
        prox(A, b, p, y, gamma, x)
        for i in range(d):
            total[i] += x[i]
    return points, scalars, j, STATUS_OK


# -- registry rows (legacy whole-run kernels; see convlab.algorithms.registry) --

from .registry import Algorithm, LegacyKernel  # noqa: E402

ALGORITHMS = (
    Algorithm('smd-euclid', LegacyKernel(smd_euclid, hyper=('step',), points=('last', 'avg'), record_scalars=('best_f_gap', 'min_grad_norm_sq', 'avg_grad_norm_sq'), needs=('sgrad', 'prox'), stochastic=True),
              (('step', None),),
              fixed={},
              summary='projected SGD (Euclidean SMD), constant step; avg = mean of x_1..x_k (Bubeck 6.3)'),
)
