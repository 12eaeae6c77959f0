"""Gradient methods for smooth convex and strongly convex minimisation.

Each method is an ``advance`` function of the kernel contract (:mod:`convlab.runtime.kernel`):
it moves its state (rows of ``X``: the iterate x_k first) from iteration k0 to k1 with the
``grad`` oracle; the loop records x_k at every checkpoint, tracks running quantities and stops
a diverging run. The kernels work on local copies of their state rows and scratch vectors of
their own: loops over adjacent rows of one array defeat LLVM's vectorisation for d < 32 (rows
less than 256 bytes apart fail its runtime alias check; measured 3.3× slower on a d = 20
separable problem); the copies cost O(d) per call, once per checkpoint interval.
"""

from __future__ import annotations

import numpy as np

from ..runtime.jit import GRAD, STATUS_OK, lazy_jit
from ..runtime.kernel import Kernel
from .registry import Algorithm


@lazy_jit("advance")
def gd(oracles, A, b, p, hyper, seed, checkpoints, k0, k1, X, s):
    """Gradient descent with a constant step.

    Update: x_{k+1} = x_k − h ∇f(x_k).

    Parameters: ``step`` h (h = 1/L is the classical choice; any 0 < h < 2/L converges on
    convex L-smooth f).

    Records the last iterate x_k.

    References: Nesterov (2004), *Introductory Lectures on Convex Optimization*, §2.1.5;
    Drori & Teboulle (2014), Math. Program. 145, for the tight bound L R²/(4k+2) at h = 1/L.
    """
    h = hyper[0]
    x = X[0]
    g = np.empty(x.shape[0])  # scratch: a row of X next to x would defeat vectorisation
    grad = oracles[GRAD]
    for k in range(k0, k1):
        grad(A, b, p, x, g)
        for i in range(x.shape[0]):
            x[i] -= h * g[i]
    return STATUS_OK


@lazy_jit("advance")
def agd(oracles, A, b, p, hyper, seed, checkpoints, k0, k1, X, s):
    """Nesterov's accelerated gradient method for convex f (FISTA form without prox).

    Update, with y_0 = x_0 and t_0 = 1:

        x_{k+1} = y_k − h ∇f(y_k),
        t_{k+1} = (1 + sqrt(1 + 4 t_k²)) / 2,
        y_{k+1} = x_{k+1} + ((t_k − 1)/t_{k+1}) (x_{k+1} − x_k).

    Parameters: ``step`` h (h = 1/L gives f(x_k) − f* <= 2 L R²/(k+1)²).

    Records the sequence x_k (not y_k). State: y, x_{k−1}, the gradient at y; t_k.

    References: Nesterov (1983), Soviet Math. Dokl. 27; Beck & Teboulle (2009), SIAM J. Imaging
    Sci. 2, Thm 4.4 (with g = 0).
    """
    h = hyper[0]
    x = X[0].copy()  # local copies: adjacent rows of X would defeat vectorisation
    y = X[1].copy()
    x_prev = np.empty(x.shape[0])
    gy = np.empty(x.shape[0])
    grad = oracles[GRAD]
    t = s[0]
    for k in range(k0, k1):
        grad(A, b, p, y, gy)
        t_next = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * t * t))
        beta = (t - 1.0) / t_next
        for i in range(x.shape[0]):
            x_prev[i] = x[i]
            x[i] = y[i] - h * gy[i]
            y[i] = x[i] + beta * (x[i] - x_prev[i])
        t = t_next
    for i in range(x.shape[0]):  # loops, not X[0, :] = x: no shape-error path to compile
        X[0, i] = x[i]
        X[1, i] = y[i]
    s[0] = t
    return STATUS_OK


@lazy_jit("init")
def agd_init(oracles, A, b, p, hyper, seed, X, s):
    """t_0 = 1 (the loop set y_0 = x_{−1} = x_0)."""
    s[0] = 1.0


@lazy_jit("advance")
def agd_sc(oracles, A, b, p, hyper, seed, checkpoints, k0, k1, X, s):
    """Nesterov's accelerated gradient method for strongly convex f (constant momentum).

    Update, with x_{−1} = x_0:

        y_k = x_k + β (x_k − x_{k−1}),
        x_{k+1} = y_k − h ∇f(y_k).

    Parameters: ``step`` h and ``beta`` β; the classical choice h = 1/L and
    β = (sqrt(κ) − 1)/(sqrt(κ) + 1), κ = L/μ, gives
    f(x_k) − f* <= (1 − 1/sqrt(κ))^k (f(x_0) − f* + (μ/2) R²).

    Records the sequence x_k.

    References: Nesterov (2004), *Introductory Lectures on Convex Optimization*, scheme (2.2.19)
    and Thm 2.2.3.
    """
    h = hyper[0]
    beta = hyper[1]
    x = X[0].copy()  # local copies: adjacent rows of X would defeat vectorisation
    x_prev = X[1].copy()
    y = np.empty(x.shape[0])
    gy = np.empty(x.shape[0])
    grad = oracles[GRAD]
    for k in range(k0, k1):
        for i in range(x.shape[0]):
            y[i] = x[i] + beta * (x[i] - x_prev[i])
        grad(A, b, p, y, gy)
        for i in range(x.shape[0]):
            x_prev[i] = x[i]
            x[i] = y[i] - h * gy[i]
    for i in range(x.shape[0]):  # loops, not X[0, :] = x: no shape-error path to compile
        X[0, i] = x[i]
        X[1, i] = x_prev[i]
    return STATUS_OK


@lazy_jit("advance")
def heavy_ball(oracles, A, b, p, hyper, seed, checkpoints, k0, k1, X, s):
    """Polyak's heavy-ball method.

    Update, with x_{−1} = x_0:

        x_{k+1} = x_k − α ∇f(x_k) + β (x_k − x_{k−1}).

    Parameters: ``alpha`` α and ``beta`` β; on quadratics with spectrum in [μ, L] the choice
    α = 4/(sqrt(L) + sqrt(μ))², β = q², q = (sqrt(κ) − 1)/(sqrt(κ) + 1), gives every mode a
    characteristic root of modulus q.

    Records the sequence x_k.

    References: Polyak (1964), USSR Comput. Math. Math. Phys. 4(5); Polyak (1987),
    *Introduction to Optimization*, §3.2.
    """
    alpha = hyper[0]
    beta = hyper[1]
    x = X[0].copy()  # local copies: adjacent rows of X would defeat vectorisation
    x_prev = X[1].copy()
    g = np.empty(x.shape[0])
    grad = oracles[GRAD]
    for k in range(k0, k1):
        grad(A, b, p, x, g)
        for i in range(x.shape[0]):
            step = -alpha * g[i] + beta * (x[i] - x_prev[i])
            x_prev[i] = x[i]
            x[i] += step
    for i in range(x.shape[0]):  # loops, not X[0, :] = x: no shape-error path to compile
        X[0, i] = x[i]
        X[1, i] = x_prev[i]
    return STATUS_OK


@lazy_jit("advance")
def ogm(oracles, A, b, p, hyper, seed, checkpoints, k0, k1, X, s):
    """Optimized gradient method (OGM) of Kim & Fessler for a horizon N = checkpoints[-1].

    With θ_0 = 1, θ_k = (1 + sqrt(1 + 4 θ_{k−1}²))/2 for 1 <= k <= N−1 and
    θ_N = (1 + sqrt(1 + 8 θ_{N−1}²))/2, and y_0 = x_0, for k = 0..N−1:

        y_{k+1} = x_k − h ∇f(x_k),
        x_{k+1} = y_{k+1} + ((θ_k − 1)/θ_{k+1}) (y_{k+1} − y_k) + (θ_k/θ_{k+1}) (y_{k+1} − x_k).

    Parameters: ``step`` h (h = 1/L gives the tight bound f(x_N) − f* <= L R²/(2 θ_N²),
    attained by a 1-D Huber function with δ = R/θ_N²).

    Records the sequence x_k. The last step uses θ_N, so one run serves one horizon: only x_N
    carries the guarantee.

    References: Kim & Fessler (2016), Math. Program. 159(1-2):81-107, Thm 2;
    Drori & Teboulle (2014), Math. Program. 145(1-2):451-482.
    """
    h = hyper[0]
    x = X[0].copy()  # local copies: adjacent rows of X would defeat vectorisation
    y = X[1].copy()
    y_next = np.empty(x.shape[0])
    g = np.empty(x.shape[0])
    grad = oracles[GRAD]
    last = checkpoints[-1]
    theta = s[0]
    for k in range(k0, k1):
        grad(A, b, p, x, g)
        factor = 8.0 if k + 1 == last else 4.0
        theta_next = 0.5 * (1.0 + np.sqrt(1.0 + factor * theta * theta))
        c_mom = (theta - 1.0) / theta_next
        c_grad = theta / theta_next
        for i in range(x.shape[0]):
            y_next[i] = x[i] - h * g[i]
            x[i] = y_next[i] + c_mom * (y_next[i] - y[i]) + c_grad * (y_next[i] - x[i])
            y[i] = y_next[i]
        theta = theta_next
    for i in range(x.shape[0]):  # loops, not X[0, :] = x: no shape-error path to compile
        X[0, i] = x[i]
        X[1, i] = y[i]
    s[0] = theta
    return STATUS_OK


GD = Kernel(gd, hyper=("step",))
AGD = Kernel(agd, hyper=("step",), vectors=("y",), state=("t",), init=agd_init)
AGD_SC = Kernel(agd_sc, hyper=("step", "beta"), vectors=("x_prev",))
HEAVY_BALL = Kernel(heavy_ball, hyper=("alpha", "beta"), vectors=("x_prev",))
OGM = Kernel(ogm, hyper=("step",), vectors=("y",), state=("theta",), init=agd_init)

ALGORITHMS = (
    Algorithm("gd", GD, (("step", "1/L"),), summary="gradient descent, constant step"),
    Algorithm("agd", AGD, (("step", "1/L"),),
              summary="Nesterov's accelerated gradient (convex, FISTA momentum)"),
    Algorithm("agd-sc", AGD_SC,
              (("step", "1/L"), ("beta", "(sqrt(kappa) - 1)/(sqrt(kappa) + 1)")),
              summary="Nesterov's accelerated gradient (strongly convex, constant momentum)"),
    Algorithm("heavy-ball", HEAVY_BALL,
              (("alpha", "4/(sqrt(L) + sqrt(mu))**2"),
               ("beta", "((sqrt(kappa) - 1)/(sqrt(kappa) + 1))**2")),
              summary="Polyak's heavy-ball method"),
    Algorithm("ogm", OGM, (("step", "1/L"),),
              summary="optimized gradient method of Kim & Fessler (horizon = last checkpoint)"),
)
