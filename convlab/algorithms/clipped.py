"""Clipped stochastic gradient descent: the stochastic gradient's norm is cut at a level λ_t.

The kernel has the method signature of :mod:`convlab._jit`; iteration t uses the sample
``sample_id(seed, t)``, so a run is a pure function of its seed.
"""

from __future__ import annotations

import numpy as np

from ..runtime.jit import PROX, SGRAD, STATUS_DIVERGED, STATUS_OK, lazy_jit
from ..runtime.random import sample_id
from ._record import checkpoint, new_record, store_point, track_init, track_step

#: Step-size schedule codes of :func:`clipped_sgd` (``hyper[0]``).
CONSTANT, INVERSE, INVERSE_SQRT = range(3)


@lazy_jit("method")
def clipped_sgd(oracles, A, b, p, x0, hyper, checkpoints, seed, track):
    """(Projected) clipped SGD with a step schedule and an exponentially decaying clip level.

    Update, for t = 0, 1, ...:

        g_t = G(x_t, ξ_t),     clip_λ(g) = min(1, λ/||g||) g,
        x_{t+1} = Π_X(x_t − γ_t clip_{λ_t}(g_t)),     λ_t = λ_0 exp(−r t),

    with G the ``sgrad`` oracle and Π_X the ``prox`` oracle (the identity when unconstrained).
    Step schedules (``hyper[0]``): 0 constant γ_t = γ; 1 inverse γ/(c + t); 2 inverse square
    root γ/sqrt(c + t). λ_0 = +inf (any value above 1e300) disables clipping: plain SGD on the
    same random stream.

    Parameters (``hyper``): ``[schedule, γ, c, λ_0, r, t_0]``: step, schedule shift c (unused by
    the constant schedule), initial clip level, clip decay rate r >= 0 (Sadiev et al. 2023 take
    λ_k ∝ exp(−γμ k/2) in the strongly convex case), and the start t_0 of the tail average.

    Records three points: ``last`` = x_k; ``avg`` = (1/k) Σ_{t<k} x_t (x_0 at k = 0);
    ``tail`` = (1/(k − t_0)) Σ_{t_0 <= t < k} x_t for k > t_0 (x_k before), the time average over
    the end of a run (t_0 = N/2: the second half). Scalars: :data:`TRACK_COLUMNS` (with
    ``track``), then ``clip_fraction``, the fraction of the steps t < k that were clipped.

    References: Koloskova, Hendrikx & Stich (2023), "Revisiting Gradient Clipping: Stochastic
    bias and tight convergence guarantees", ICML 2023 (the bias of clipping under stochastic
    noise); Zhang, Karimireddy, Veit, Kim, Reddi, Kumar & Sra (2020), "Why are adaptive methods
    good for attention models?", NeurIPS 2020; Sadiev, Danilova, Gorbunov, Horváth, Gidel,
    Dvurechensky, Gasnikov & Richtárik (2023), "High-Probability Bounds for Stochastic
    Optimization and Variational Inequalities: the Case of Unbounded Variance", ICML 2023.
    """
    sgrad = oracles[SGRAD]
    prox = oracles[PROX]
    schedule = int(hyper[0])
    gamma = hyper[1]
    shift = hyper[2]
    clip0 = hyper[3]
    rate = hyper[4]
    t0 = int(np.floor(hyper[5])) if hyper[5] > 0 else 0
    no_clip = not (clip0 <= 1e300)
    d = x0.shape[0]
    x = x0.copy()
    g = np.empty(d)
    y = np.empty(d)
    work = np.empty(d)
    avg = np.empty(d)
    sum_x = np.zeros(d)
    tail_x = np.zeros(d)
    n_clipped = 0.0
    points, scalars = new_record(checkpoints, 3, d, 4)
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
                    avg[i] = sum_x[i] / t
                store_point(points, j, 1, avg)
            if t > t0:
                for i in range(d):
                    avg[i] = tail_x[i] / (t - t0)
                store_point(points, j, 2, avg)
            else:
                store_point(points, j, 2, x)
            scalars[j, 3] = n_clipped / t if t > 0 else 0.0
            j += 1
            if checkpoint(points, scalars, j - 1, x, acc, track):
                return points, scalars, j, STATUS_DIVERGED
            if t == last:
                break
        for i in range(d):
            sum_x[i] += x[i]
        if t >= t0:
            for i in range(d):
                tail_x[i] += x[i]
        if schedule == 0:
            step = gamma
        elif schedule == 1:
            step = gamma / (shift + t)
        else:
            step = gamma / np.sqrt(shift + t)
        sgrad(A, b, p, x, t, sample_id(seed, t), g)
        scale = 1.0
        if not no_clip:
            lam = clip0 * np.exp(-rate * t)
            norm = 0.0
            for i in range(d):
                norm += g[i] * g[i]
            norm = np.sqrt(norm)
            if norm > lam:
                scale = lam / norm
                n_clipped += 1.0
        for i in range(d):
            y[i] = x[i] - step * scale * g[i]
        prox(A, b, p, y, step, x)
    return points, scalars, j, STATUS_OK


# -- registry rows (legacy whole-run kernels; see convlab.algorithms.registry) --

from .registry import Algorithm, LegacyKernel  # noqa: E402

ALGORITHMS = (
    Algorithm('clipped-sgd', LegacyKernel(clipped_sgd, hyper=('variant0', 'step', 'shift', 'clip', 'clip_rate', 'tail_start'), points=('last', 'avg', 'tail'), record_scalars=('best_f_gap', 'min_grad_norm_sq', 'avg_grad_norm_sq', 'clip_fraction'), needs=('sgrad', 'prox'), stochastic=True),
              (('step', '1/L'), ('shift', '1'), ('clip', None), ('clip_rate', '0'), ('tail_start', 'N/2')),
              fixed={'variant0': 0.0},
              summary='clipped SGD, constant step, clip level clip*exp(-clip_rate*t); tail average'),
    Algorithm('clipped-sgd-inverse-sqrt', LegacyKernel(clipped_sgd, hyper=('variant0', 'step', 'shift', 'clip', 'clip_rate', 'tail_start'), points=('last', 'avg', 'tail'), record_scalars=('best_f_gap', 'min_grad_norm_sq', 'avg_grad_norm_sq', 'clip_fraction'), needs=('sgrad', 'prox'), stochastic=True),
              (('step', None), ('shift', '1'), ('clip', None), ('clip_rate', '0'), ('tail_start', 'N/2')),
              fixed={'variant0': 2.0},
              summary='clipped SGD, step/sqrt(shift + t), clip level clip*exp(-clip_rate*t)'),
)
