"""Euclidean stochastic mirror descent (projected SGD) with Bubeck's averaged output.

The lead's :func:`convlab.algorithms.sgd.sgd` averages x_0..x_{k−1}; Bubeck's Thm 6.3 bounds the
average of the iterates *after* each step, x̄_t = (1/t) Σ_{s=1}^{t} x_{s+1} in his 1-indexing
(x_1 the start), i.e. (1/k) Σ_{s=1}^{k} x_s here. On a nonlinear f the two are different points,
so this kernel records Bubeck's.

The method is an ``advance`` function of the kernel contract (:mod:`convlab.runtime.kernel`)
with an ``observe`` that forms the average at a checkpoint; iteration t uses the sample
``sample_id(seed, t)``, so a run is a pure function of its seed.
"""

from __future__ import annotations

from ..runtime.jit import PROX, SGRAD, STATUS_OK, lazy_jit
from ..runtime.kernel import Kernel
from ..runtime.random import sample_id
from .registry import Algorithm


@lazy_jit("advance")
def smd_euclid(oracles, A, b, p, hyper, seed, checkpoints, k0, k1, X, s):
    """Projected SGD (stochastic mirror descent with the Euclidean mirror map), constant step.

    Update, for t = 0, 1, ...:  x_{t+1} = Π_X(x_t − γ g_t),  g_t = G(x_t, ξ_t) (``sgrad``,
    sample ``sample_id(seed, t)``; Π_X the ``prox`` oracle with step γ).

    Parameters: ``step`` γ (Bubeck's step 1/(β + 1/η), with η = (R/σ) sqrt(2/t) for a
    horizon t, is passed as an expression).

    Records ``last`` = x_k and ``avg`` = (1/k) Σ_{s=1}^{k} x_s, the average of the iterates after
    each step (x_0 at k = 0; :func:`smd_euclid_observe`). State: the sum Σ_{s=1}^{k} x_s, the
    gradient step before the projection and the stochastic gradient.

    Reference: Bubeck (2015), Convex Optimization: Algorithms and Complexity, Found. Trends
    Mach. Learn. 8(3-4), Thm 6.3 (E f(x̄_t) − f* <= R σ sqrt(2/t) + β R²/t, R² = sup_X Φ − Φ(x_1)).
    """
    sgrad = oracles[SGRAD]
    prox = oracles[PROX]
    gamma = hyper[0]
    x = X[0]
    total = X[2]
    y = X[3]
    g = X[4]
    for t in range(k0, k1):
        sgrad(A, b, p, x, t, sample_id(seed, t), g)
        for i in range(x.shape[0]):
            y[i] = x[i] - gamma * g[i]
        prox(A, b, p, y, gamma, x)
        for i in range(x.shape[0]):
            total[i] += x[i]
    return STATUS_OK


@lazy_jit("init")
def smd_euclid_init(oracles, A, b, p, hyper, seed, X, s):
    """The sum Σ_{s=1}^{k} x_s starts empty (0)."""
    total = X[2]
    for i in range(total.shape[0]):
        total[i] = 0.0


@lazy_jit("observe")
def smd_euclid_observe(oracles, A, b, p, hyper, seed, k, X, s, P, S):
    """``last`` = x_k; ``avg`` = Σ_{s=1}^{k} x_s / k (x_0 at k = 0)."""
    x = X[0]
    total = X[2]
    for i in range(x.shape[0]):
        P[0, i] = x[i]
        P[1, i] = x[i] if k == 0 else total[i] / k
    return STATUS_OK


SMD_EUCLID = Kernel(smd_euclid, hyper=("step",), points=("last", "avg"),
                    vectors=("sum", "step_point", "grad"), needs=("sgrad", "prox"),
                    stochastic=True, init=smd_euclid_init, observe=smd_euclid_observe)

ALGORITHMS = (
    Algorithm("smd-euclid", SMD_EUCLID, (("step", None),),
              summary="projected SGD (Euclidean SMD), constant step; avg = mean of x_1..x_k "
                      "(Bubeck 6.3)"),
)
