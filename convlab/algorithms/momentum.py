"""Stochastic heavy ball (SHB) with a step-decay schedule.

The kernel has the method signature of :mod:`convlab._jit`; iteration t uses the sample
``sample_id(seed, t)``.
"""

from __future__ import annotations

import numpy as np

from ..runtime.jit import SGRAD, STATUS_DIVERGED, STATUS_OK, lazy_jit
from ..runtime.random import sample_id
from ._record import checkpoint, new_record, track_init, track_step


@lazy_jit("method")
def shb(oracles, A, b, p, x0, hyper, checkpoints, seed, track):
    """Stochastic heavy ball with step decay.

    Update, with w_{−1} = w_0, for t = 0, 1, ...:

        w_{t+1} = w_t − η_t g_t + β (w_t − w_{t−1}),    g_t = G(w_t, ξ_t)  (``sgrad``),
        η_t = η_0 · q^floor(t / E)   (stages of E iterations, the step divided by 1/q per stage).

    With β = 0 this is SGD with step decay; with a noiseless oracle it is Polyak's heavy ball.
    On a quadratic with spectrum in [μ, L], η_0 = 1/L and β = (1 − sqrt(η_0 μ))² make the
    slowest mode critically damped and every other mode rotate with modulus sqrt(β) = 1 −
    1/sqrt(κ): the accelerated bias contraction of Pan, Liu, Wang & Zhang (2024).

    Parameters (``hyper``): ``[η_0, β, E, q]``.

    Records the last iterate w_k; with ``track`` the running quantities of :mod:`._record`.

    References: Polyak (1964), USSR Comput. Math. Math. Phys. 4(5); Pan, Liu, Wang & Zhang
    (2024), "Accelerated Convergence of Stochastic Heavy Ball Method under Anisotropic Gradient
    Noise", ICLR 2024 (multistage SHB with step decay on quadratics; Õ(sqrt(κ)) bias term).
    """
    sgrad = oracles[SGRAD]
    eta0 = hyper[0]
    beta = hyper[1]
    every = hyper[2]
    factor = hyper[3]
    d = x0.shape[0]
    w = x0.copy()
    w_prev = x0.copy()
    g = np.empty(d)
    work = np.empty(d)
    points, scalars = new_record(checkpoints, 1, d, 3)
    acc = track_init()
    j = 0
    last = checkpoints[-1]
    for t in range(last + 1):
        if track:
            track_step(acc, oracles, A, b, p, w, work)
        if t == checkpoints[j]:
            j += 1
            if checkpoint(points, scalars, j - 1, w, acc, track):
                return points, scalars, j, STATUS_DIVERGED
            if t == last:
                break
        step = eta0 * factor ** np.floor(t / every) if every > 0 else eta0
        sgrad(A, b, p, w, t, sample_id(seed, t), g)
        for i in range(d):
            move = -step * g[i] + beta * (w[i] - w_prev[i])
            w_prev[i] = w[i]
            w[i] += move
    return points, scalars, j, STATUS_OK


# -- registry rows (legacy whole-run kernels; see convlab.algorithms.registry) --

from .registry import Algorithm, LegacyKernel  # noqa: E402

ALGORITHMS = (
    Algorithm('shb', LegacyKernel(shb, hyper=('step', 'beta', 'every', 'factor'), points=('last',), record_scalars=('best_f_gap', 'min_grad_norm_sq', 'avg_grad_norm_sq'), needs=('sgrad',), stochastic=True),
              (('step', '1/L'), ('beta', '(1 - sqrt(mu/L))**2'), ('every', 'N + 1'), ('factor', '0.5')),
              fixed={},
              summary='stochastic heavy ball, step factor^floor(t/every) (Pan et al. 2024)'),
)
