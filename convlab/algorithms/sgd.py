"""Stochastic gradient descent with step-size schedules, projection and iterate averaging.

Kernels have the method signature of :mod:`convlab._jit` and call the ``sgrad`` oracle (and
``prox`` after each step: the identity on unconstrained problems, the projection on
constrained ones). Iteration t uses the sample ``s_t = sample_id(seed, t)``, so a run is a pure
function of its seed (:mod:`convlab.algorithms._random`).
"""

from __future__ import annotations

import numpy as np

from ..runtime.jit import PROX, SGRAD, STATUS_DIVERGED, STATUS_OK, lazy_jit
from ..runtime.random import sample_id
from ._record import checkpoint, new_record, store_point, track_init, track_step

#: Schedule codes of :func:`sgd` (``hyper[0]``).
CONSTANT, INVERSE, INVERSE_SQRT, LINEAR_DECAY, STEP_DECAY = range(5)


@lazy_jit("method")
def sgd(oracles, A, b, p, x0, hyper, checkpoints, seed, track):
    """(Projected, mini-batch) stochastic gradient descent with a step-size schedule.

    Update, for t = 0, 1, ...:

        g_t = (1/B) Σ_{i<B} G(x_t, ξ_{t,i}),      x_{t+1} = Π_X(x_t − γ_t g_t),

    where G is the ``sgrad`` oracle, B the batch size and Π_X the ``prox`` oracle with step γ_t
    (the identity on unconstrained problems). Step-size schedules (``hyper[0]``):

    - 0, constant: γ_t = γ;
    - 1, inverse: γ_t = γ / (c + t)  (Bottou, Curtis & Nocedal's β/(γ + k) with β = γ, γ = c);
    - 2, inverse square root: γ_t = γ / sqrt(c + t);
    - 3, linear decay to the horizon N: γ_t = γ (1 − t/N);
    - 4, step decay: γ_t = γ · q^floor(t / E).

    Parameters (``hyper``): ``[schedule, γ, <schedule parameters>, B]``: no schedule parameter
    for 0; ``c`` for 1 and 2; ``N`` for 3; ``E, q`` for 4.

    Records three points: ``last`` (x_k), ``avg`` = (1/k) Σ_{t<k} x_t (the uniform average of
    the first k iterates; x_0 at k = 0) and ``wavg`` = Σ_{t<k} γ_t x_t / Σ_{t<k} γ_t (the
    step-weighted average). With ``track`` it keeps the running quantities of :mod:`._record`
    (with the full gradient at x_k).

    Mini-batch sample i of iteration t is ``sample_id(seed, t·B + i)``, so B = 1 draws exactly
    the stream of the plain method.

    References: Robbins & Monro (1951), Ann. Math. Stat. 22(3); Bottou, Curtis & Nocedal (2018),
    SIAM Rev. 60(2), §4; Garrigos & Gower (2023), Handbook of convergence theorems for
    (stochastic) gradient methods, arXiv:2301.11235.
    """
    sgrad = oracles[SGRAD]
    prox = oracles[PROX]
    schedule = int(hyper[0])
    gamma = hyper[1]
    a1 = hyper[2] if hyper.shape[0] > 3 else 0.0
    a2 = hyper[3] if hyper.shape[0] > 4 else 0.0
    batch = max(1, int(hyper[hyper.shape[0] - 1]))
    d = x0.shape[0]
    x = x0.copy()
    g = np.empty(d)
    gi = np.empty(d)
    y = np.empty(d)
    work = np.empty(d)
    sum_x = np.zeros(d)
    wsum_x = np.zeros(d)
    avg = np.empty(d)
    wsum = 0.0
    points, scalars = new_record(checkpoints, 3, d, 3)
    acc = track_init()
    j = 0
    last = checkpoints[-1]
    for t in range(last + 1):
        if track:
            track_step(acc, oracles, A, b, p, x, work)
        if t == checkpoints[j]:
            if t == 0:
                store_point(points, j, 1, x)
                store_point(points, j, 2, x)
            else:
                for i in range(d):
                    avg[i] = sum_x[i] / t
                store_point(points, j, 1, avg)
                for i in range(d):
                    avg[i] = wsum_x[i] / wsum if wsum > 0 else x[i]
                store_point(points, j, 2, avg)
            j += 1
            if checkpoint(points, scalars, j - 1, x, acc, track):
                return points, scalars, j, STATUS_DIVERGED
            if t == last:
                break
        if schedule == 0:
            step = gamma
        elif schedule == 1:
            step = gamma / (a1 + t)
        elif schedule == 2:
            step = gamma / np.sqrt(a1 + t)
        elif schedule == 3:
            step = gamma * max(0.0, 1.0 - t / a1)
        else:
            step = gamma * a2 ** np.floor(t / a1)
        for i in range(d):
            sum_x[i] += x[i]
            wsum_x[i] += step * x[i]
            g[i] = 0.0
        wsum += step
        for r in range(batch):
            sgrad(A, b, p, x, t, sample_id(seed, t * batch + r), gi)
            for i in range(d):
                g[i] += gi[i]
        for i in range(d):
            y[i] = x[i] - step * g[i] / batch
        prox(A, b, p, y, step, x)
    return points, scalars, j, STATUS_OK


# -- registry rows (legacy whole-run kernels; see convlab.algorithms.registry) --

from .registry import Algorithm, LegacyKernel  # noqa: E402

ALGORITHMS = (
    Algorithm('sgd', LegacyKernel(sgd, hyper=('variant0', 'step', 'batch'), points=('last', 'avg', 'wavg'), record_scalars=('best_f_gap', 'min_grad_norm_sq', 'avg_grad_norm_sq'), needs=('sgrad', 'prox'), stochastic=True),
              (('step', '1/L'), ('batch', '1')),
              fixed={'variant0': 0.0},
              summary='SGD, constant step (projected when the problem has a prox)'),
    Algorithm('sgd-inverse', LegacyKernel(sgd, hyper=('variant0', 'step', 'shift', 'batch'), points=('last', 'avg', 'wavg'), record_scalars=('best_f_gap', 'min_grad_norm_sq', 'avg_grad_norm_sq'), needs=('sgrad', 'prox'), stochastic=True),
              (('step', None), ('shift', '1'), ('batch', '1')),
              fixed={'variant0': 1.0},
              summary='SGD, step/(shift + t)'),
    Algorithm('sgd-inverse-sqrt', LegacyKernel(sgd, hyper=('variant0', 'step', 'shift', 'batch'), points=('last', 'avg', 'wavg'), record_scalars=('best_f_gap', 'min_grad_norm_sq', 'avg_grad_norm_sq'), needs=('sgrad', 'prox'), stochastic=True),
              (('step', None), ('shift', '1'), ('batch', '1')),
              fixed={'variant0': 2.0},
              summary='SGD, step/sqrt(shift + t)'),
    Algorithm('sgd-linear-decay', LegacyKernel(sgd, hyper=('variant0', 'step', 'horizon', 'batch'), points=('last', 'avg', 'wavg'), record_scalars=('best_f_gap', 'min_grad_norm_sq', 'avg_grad_norm_sq'), needs=('sgrad', 'prox'), stochastic=True),
              (('step', None), ('horizon', 'N'), ('batch', '1')),
              fixed={'variant0': 3.0},
              summary='SGD, step (1 - t/horizon)'),
    Algorithm('sgd-step-decay', LegacyKernel(sgd, hyper=('variant0', 'step', 'every', 'factor', 'batch'), points=('last', 'avg', 'wavg'), record_scalars=('best_f_gap', 'min_grad_norm_sq', 'avg_grad_norm_sq'), needs=('sgrad', 'prox'), stochastic=True),
              (('step', None), ('every', None), ('factor', '0.5'), ('batch', '1')),
              fixed={'variant0': 4.0},
              summary='SGD, step factor^floor(t/every)'),
)
