"""Schedule-Free SGD (Defazio, Yang, Mehta, Mishchenko, Khaled & Cutkosky 2024).

The method is an ``advance`` function of the kernel contract (:mod:`convlab.runtime.kernel`):
iteration t calls the ``sgrad`` oracle at the interpolated point y_t with the sample
``sample_id(seed, t)``; the loop records the x-sequence (the one the theorem bounds, row 0:
tracked and checked for divergence) together with y and z.
"""

from __future__ import annotations

from ..runtime.jit import SGRAD, STATUS_OK, lazy_jit
from ..runtime.kernel import Kernel
from ..runtime.random import sample_id
from .registry import Algorithm


@lazy_jit("advance")
def schedule_free_sgd(oracles, A, b, p, hyper, seed, checkpoints, k0, k1, X, s):
    """Schedule-Free SGD.

    Update, 0-indexed (the paper's x_1 = z_1 is our x_0 = z_0), for t = 0, 1, ...:

        y_t     = (1 − β) z_t + β x_t,
        z_{t+1} = z_t − γ g_t,              g_t = G(y_t, ξ_t)  (``sgrad`` at y_t),
        x_{t+1} = (1 − c_{t+1}) x_t + c_{t+1} z_{t+1},   c_{t+1} = 1/(t + 2),

    so x_k is the uniform average of z_0, ..., z_k (the paper's c_{t+1} = 1/(t+1), 1-indexed).
    β = 0 gives Polyak–Ruppert averaging of SGD; β = 1 gives primal averaging.

    Parameters: ``step`` γ (the constant step) and ``beta`` β (the interpolation weight in
    [0, 1]). The paper's Theorem 1 (convex f, ||g|| <= G, ||x_1 − x*|| <= D) takes
    γ = D/(G sqrt(T)) and bounds E f(x_T) − f* <= D G / sqrt(T), where x_T (1-indexed) has used
    T − 1 gradients: our x_k with T = k + 1.

    Records three points: ``last`` = x_k (the averaged sequence), ``y`` = y_k, ``z`` = z_k.
    The state after iteration k holds y_k, computed from z_k and x_k at the end of the
    iteration (:func:`schedule_free_init` for y_0), so every row is the record.

    Reference: Defazio, Yang, Mehta, Mishchenko, Khaled & Cutkosky (2024), "The Road Less
    Scheduled", NeurIPS 2024, Algorithm 1 and Theorem 1.
    """
    sgrad = oracles[SGRAD]
    gamma = hyper[0]
    beta = hyper[1]
    x = X[0]
    y = X[1]
    z = X[2]
    g = X[3]
    for t in range(k0, k1):
        sgrad(A, b, p, y, t, sample_id(seed, t), g)
        c = 1.0 / (t + 2.0)
        for i in range(x.shape[0]):
            z[i] -= gamma * g[i]
            x[i] = (1.0 - c) * x[i] + c * z[i]
            y[i] = (1.0 - beta) * z[i] + beta * x[i]
    return STATUS_OK


@lazy_jit("init")
def schedule_free_init(oracles, A, b, p, hyper, seed, X, s):
    """y_0 = (1 − β) z_0 + β x_0 (the loop set x_0 = z_0 = the start; y_0 is computed, not
    copied, as in every later iteration)."""
    beta = hyper[1]
    x = X[0]
    y = X[1]
    z = X[2]
    for i in range(x.shape[0]):
        y[i] = (1.0 - beta) * z[i] + beta * x[i]


SCHEDULE_FREE_SGD = Kernel(schedule_free_sgd, hyper=("step", "beta"), points=("last", "y", "z"),
                           vectors=("grad",), needs=("sgrad",), stochastic=True,
                           init=schedule_free_init)

ALGORITHMS = (
    Algorithm("schedule-free-sgd", SCHEDULE_FREE_SGD, (("step", None), ("beta", "0.9")),
              summary="Schedule-Free SGD (Defazio et al. 2024); records x (last), y, z"),
)
