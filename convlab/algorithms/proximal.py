"""Proximal gradient methods for composite problems F = f + g (and projected gradient methods).

Each method is an ``advance`` function of the kernel contract (:mod:`convlab.runtime.kernel`).
It calls the ``grad`` oracle of the smooth part f and the ``prox`` oracle of the nonsmooth part
g, ``prox(x, γ) = prox_{γg}(x)``; when g is the indicator of a closed convex set X the prox is
the projection onto X and the proximal gradient method is projected gradient descent.

Both kernels keep the iterate x_k in row 0 of ``X``; the loop records it at every checkpoint and
stops a diverging run. Its running quantities (``track``) are taken at x_k: best F − F* through
the ``value`` oracle, and the squared norm of ∇f, the gradient of the smooth part only.
"""

from __future__ import annotations

import numpy as np

from ..runtime.jit import GRAD, PROX, STATUS_OK, lazy_jit
from ..runtime.kernel import Kernel
from .registry import Algorithm


@lazy_jit("advance")
def prox_grad(oracles, A, b, p, hyper, seed, checkpoints, k0, k1, X, s):
    """Proximal gradient method (ISTA; projected gradient descent when g is an indicator).

    Update, for k = 0, 1, ...:

        x_{k+1} = prox_{γ g}(x_k − γ ∇f(x_k)).

    Parameters: ``step`` γ, the constant step (γ = 1/L classical; 0 < γ < 2/L converges).

    Records the last iterate x_k.

    Guarantees (f convex L-smooth, g convex, γ = 1/L): F(x_k) − F* <= L R²/(2k) (Beck & Teboulle
    2009, SIAM J. Imaging Sci. 2(1), Thm 3.1); if f is also μ-strongly convex,
    ||x_k − x*|| <= (1 − μ/L)^k R (prox nonexpansive, gradient step (1 − μ/L)-Lipschitz);
    projected GD (1-indexed, x_1 the start): f(x_t) − f* <= (3L||x_1 − x*||² + f(x_1) − f*)/t
    (Bubeck 2015, Convex Optimization: Algorithms and Complexity, Thm 3.7).
    """
    gamma = hyper[0]
    x = X[0]
    g = X[1]
    y = X[2]
    grad = oracles[GRAD]
    prox = oracles[PROX]
    for k in range(k0, k1):
        grad(A, b, p, x, g)
        for i in range(x.shape[0]):
            y[i] = x[i] - gamma * g[i]
        prox(A, b, p, y, gamma, x)
    return STATUS_OK


@lazy_jit("advance")
def fista(oracles, A, b, p, hyper, seed, checkpoints, k0, k1, X, s):
    """FISTA: Nesterov's accelerated proximal gradient method (Beck & Teboulle 2009).

    Update, with y_0 = x_0 and t_0 = 1:

        x_{k+1} = prox_{γ g}(y_k − γ ∇f(y_k)),
        t_{k+1} = (1 + sqrt(1 + 4 t_k²)) / 2,
        y_{k+1} = x_{k+1} + ((t_k − 1)/t_{k+1}) (x_{k+1} − x_k).

    Parameters: ``step`` γ (γ = 1/L gives F(x_k) − F* <= 2 L R²/(k+1)², Beck & Teboulle 2009,
    SIAM J. Imaging Sci. 2(1), Thm 4.4).

    Records x_k (point 0, ``last``) and the extrapolated point y_k (point 1, ``y``).
    With g = 0 (identity prox) it is exactly the ``agd`` kernel. State: x_{k−1}, the gradient
    at y_k, the gradient step from y_k; t_k.
    """
    gamma = hyper[0]
    x = X[0]
    y = X[1]
    x_prev = X[2]
    gy = X[3]
    z = X[4]
    grad = oracles[GRAD]
    prox = oracles[PROX]
    d = x.shape[0]
    t = s[0]
    for k in range(k0, k1):
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
    s[0] = t
    return STATUS_OK


@lazy_jit("init")
def fista_init(oracles, A, b, p, hyper, seed, X, s):
    """t_0 = 1 (the loop set y_0 = x_{−1} = x_0)."""
    s[0] = 1.0


PROX_GRAD = Kernel(prox_grad, hyper=("step",), vectors=("grad", "grad_step"),
                   needs=("grad", "prox"))
FISTA = Kernel(fista, hyper=("step",), points=("last", "y"),
               vectors=("x_prev", "grad_y", "grad_step"), state=("t",), needs=("grad", "prox"),
               init=fista_init)

ALGORITHMS = (
    Algorithm("ista", PROX_GRAD, (("step", "1/L"),),
              summary="proximal gradient (ISTA), constant step"),
    Algorithm("projected-gd", PROX_GRAD, (("step", "1/L"),),
              summary="projected gradient descent, constant step (prox = projection)"),
    Algorithm("fista", FISTA, (("step", "1/L"),),
              summary="FISTA, accelerated proximal gradient (Beck-Teboulle 2009)"),
)
