"""Stochastic heavy ball (SHB) with a step-decay schedule.

The method is an ``advance`` function of the kernel contract (:mod:`convlab.runtime.kernel`):
iteration t calls the ``sgrad`` oracle with the sample ``sample_id(seed, t)``, so a run is a
pure function of its seed; the loop records the iterate w_k at every checkpoint, tracks running
quantities and stops a diverging run.
"""

from __future__ import annotations

import numpy as np

from ..runtime.jit import SGRAD, STATUS_OK, lazy_jit
from ..runtime.kernel import Kernel
from ..runtime.random import sample_id
from .registry import Algorithm


@lazy_jit("advance")
def shb(oracles, A, b, p, hyper, seed, checkpoints, k0, k1, X, s):
    """Stochastic heavy ball with step decay.

    Update, with w_{−1} = w_0, for t = 0, 1, ...:

        w_{t+1} = w_t − η_t g_t + β (w_t − w_{t−1}),    g_t = G(w_t, ξ_t)  (``sgrad``),
        η_t = η_0 · q^floor(t / E)   (stages of E iterations, the step divided by 1/q per stage).

    With β = 0 this is SGD with step decay; with a noiseless oracle it is Polyak's heavy ball.
    On a quadratic with spectrum in [μ, L], η_0 = 1/L and β = (1 − sqrt(η_0 μ))² make the
    slowest mode critically damped and every other mode rotate with modulus sqrt(β) = 1 −
    1/sqrt(κ): the accelerated bias contraction of Pan, Liu, Wang & Zhang (2024).

    Parameters: ``step`` η_0 (the initial step), ``beta`` β (the momentum), ``every`` E (the
    stage length in iterations; E <= 0 keeps the step constant) and ``factor`` q (the step
    multiplier per stage).

    Records the last iterate w_k. State: w_{k−1} and the stochastic gradient.

    References: Polyak (1964), USSR Comput. Math. Math. Phys. 4(5); Pan, Liu, Wang & Zhang
    (2024), "Accelerated Convergence of Stochastic Heavy Ball Method under Anisotropic Gradient
    Noise", ICLR 2024 (multistage SHB with step decay on quadratics; Õ(sqrt(κ)) bias term).
    """
    sgrad = oracles[SGRAD]
    eta0 = hyper[0]
    beta = hyper[1]
    every = hyper[2]
    factor = hyper[3]
    w = X[0]
    w_prev = X[1]
    g = X[2]
    for t in range(k0, k1):
        step = eta0 * factor ** np.floor(t / every) if every > 0 else eta0
        sgrad(A, b, p, w, t, sample_id(seed, t), g)
        for i in range(w.shape[0]):
            move = -step * g[i] + beta * (w[i] - w_prev[i])
            w_prev[i] = w[i]
            w[i] += move
    return STATUS_OK


SHB = Kernel(shb, hyper=("step", "beta", "every", "factor"), vectors=("w_prev", "grad"),
             needs=("sgrad",), stochastic=True)

ALGORITHMS = (
    Algorithm("shb", SHB,
              (("step", "1/L"), ("beta", "(1 - sqrt(mu/L))**2"), ("every", "N + 1"),
               ("factor", "0.5")),
              summary="stochastic heavy ball, step factor^floor(t/every) (Pan et al. 2024)"),
)
