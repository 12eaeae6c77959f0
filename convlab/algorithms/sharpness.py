"""Sharpness-aware minimisation (SAM), unnormalised variant."""

from __future__ import annotations

import numpy as np

from ..runtime.jit import GRAD, STATUS_DIVERGED, STATUS_OK, lazy_jit
from ._record import checkpoint, new_record, track_init, track_step


@lazy_jit("method")
def sam(oracles, A, b, p, x0, hyper, checkpoints, seed, track):
    """Unnormalised SAM: an ascent step of radius ρ, then a gradient step from there.

    Update: x_{k+1} = x_k − η ∇f(x_k + ρ ∇f(x_k)).

    On f = ½xᵀHx this is x_{k+1} = (I − η(H + ρH²)) x_k: per eigenvalue λ the factor is
    |1 − η(λ + ρλ²)|, so SAM is stable iff λ_max < (sqrt(1 + 8ρ/η) − 1)/(2ρ), i.e. iff
    η < 2/(λ_max + ρλ_max²) (below GD's 2/λ_max). ρ = 0 gives gradient descent.

    Parameters (``hyper``): ``[η, ρ]``.

    Records the last iterate x_k; with ``track`` the running quantities of :mod:`._record`.

    References: Foret, Kleiner, Mobahi & Neyshabur (2021), "Sharpness-aware minimization for
    efficiently improving generalization", ICLR (normalised ascent step); the unnormalised
    variant and its edge of stability: Agarwala & Dauphin (2023), "SAM operates far from home:
    eigenvalue regularization as a dynamical phenomenon", ICML.
    """
    eta = hyper[0]
    rho = hyper[1]
    d = x0.shape[0]
    x = x0.copy()
    g = np.empty(d)
    y = np.empty(d)
    work = np.empty(d)
    grad = oracles[GRAD]
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
            y[i] = x[i] + rho * g[i]
        grad(A, b, p, y, g)
        for i in range(d):
            x[i] -= eta * g[i]
    return points, scalars, j, STATUS_OK


# -- registry rows (legacy whole-run kernels; see convlab.algorithms.registry) --

from .registry import Algorithm, LegacyKernel  # noqa: E402

ALGORITHMS = (
    Algorithm('sam', LegacyKernel(sam, hyper=('step', 'rho'), points=('last',), record_scalars=('best_f_gap', 'min_grad_norm_sq', 'avg_grad_norm_sq'), needs=('grad',), stochastic=False),
              (('step', None), ('rho', None)),
              fixed={},
              summary='unnormalised sharpness-aware minimisation x+ = x - step grad f(x + rho grad f(x))'),
)
