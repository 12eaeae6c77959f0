"""Smooth minimisation without a known step: linear conjugate gradient, Polyak and Armijo steps.

Each method is an ``advance`` function of the kernel contract (:mod:`convlab.runtime.kernel`):
it moves its state (rows of ``X``: the iterate x_k first) from iteration k0 to k1; the loop
records x_k at every checkpoint, tracks running quantities and stops a diverging run.
"""

from __future__ import annotations

import numpy as np

from ..runtime.jit import GRAD, STATUS_OK, VALUE, lazy_jit
from ..runtime.kernel import Kernel
from .registry import Algorithm


@lazy_jit("advance")
def cg(oracles, A, b, p, hyper, seed, checkpoints, k0, k1, X, s):
    """Linear conjugate gradient (Hestenes–Stiefel) for a convex quadratic, from gradients only.

    With r_0 = −∇f(x_0), p_0 = r_0, for k = 0, 1, ...:

        α_k = r_kᵀr_k / p_kᵀHp_k,     x_{k+1} = x_k + α_k p_k,     r_{k+1} = r_k − α_k Hp_k,
        β_k = r_{k+1}ᵀr_{k+1} / r_kᵀr_k,     p_{k+1} = r_{k+1} + β_k p_k,

    where H is the Hessian of the quadratic f. The product Hp_k is formed from one gradient
    call, Hp = (∇f(x_0 + τp) − ∇f(x_0))/τ with τ‖p‖ = 1 + ‖x_0‖ + ‖x_k‖ (exact for a quadratic;
    the probe's length, of the order of the points where f is evaluated, keeps the rounding
    error of the difference relative to ‖Hp‖ at about eps·κ), so the method needs only the
    ``grad`` oracle; the residual follows the recursion above (the classical recurrences).
    On a quadratic, x_k minimises f over the Krylov space x_0 + span{∇f(x_0), ..., ∇f(x_{k−1})},
    which is also what Fletcher–Reeves nonlinear CG with exact line search computes there (so
    this kernel is Fletcher–Reeves restricted to quadratics). When r_k = 0 (the solution is
    reached) or p_kᵀHp_k <= 0 (f is not strongly convex along p_k, outside the method's scope)
    the iterate stays where it is.

    Parameters: none.

    Records the last iterate x_k. State: x_0, ∇f(x_0), r_k, p_k, the probe point and Hp_k
    (rows); r_kᵀr_k, ‖x_0‖ and a flag set once p_kᵀHp_k <= 0 (scalars).

    References: Hestenes & Stiefel (1952), J. Res. Nat. Bur. Standards 49(6); Nocedal & Wright
    (2006), *Numerical Optimization*, Alg. 5.2 and Thm 5.2 (Krylov optimality); Fletcher & Reeves
    (1964), Comput. J. 7(2).
    """
    x = X[0]
    x0 = X[1]
    g0 = X[2]
    r = X[3]
    pdir = X[4]
    probe = X[5]
    hp = X[6]
    grad = oracles[GRAD]
    d = x.shape[0]
    rr = s[0]
    x0n = s[1]
    if s[2] != 0.0 or rr == 0.0:
        return STATUS_OK  # stalled or solved: the iterate no longer moves
    for k in range(k0, k1):
        pn = 0.0
        xn = 0.0
        for i in range(d):
            pn += pdir[i] * pdir[i]
            xn += x[i] * x[i]
        pn = np.sqrt(pn)
        tau = (1.0 + x0n + np.sqrt(xn)) / pn
        for i in range(d):
            probe[i] = x0[i] + tau * pdir[i]
        grad(A, b, p, probe, hp)
        php = 0.0
        for i in range(d):
            hp[i] = (hp[i] - g0[i]) / tau
            php += pdir[i] * hp[i]
        if not php > 0.0:
            s[2] = 1.0
            break
        alpha = rr / php
        rr_new = 0.0
        for i in range(d):
            x[i] += alpha * pdir[i]
            r[i] -= alpha * hp[i]
            rr_new += r[i] * r[i]
        beta = rr_new / rr
        for i in range(d):
            pdir[i] = r[i] + beta * pdir[i]
        rr = rr_new
        if rr == 0.0:
            break
    s[0] = rr
    return STATUS_OK


@lazy_jit("init")
def cg_init(oracles, A, b, p, hyper, seed, X, s):
    """g_0 = ∇f(x_0), r_0 = p_0 = −g_0, r_0ᵀr_0 and ‖x_0‖ (the loop set x = x_0 in rows 0-1)."""
    x0 = X[1]
    g0 = X[2]
    r = X[3]
    pdir = X[4]
    oracles[GRAD](A, b, p, x0, g0)
    rr = 0.0
    x0n = 0.0
    for i in range(x0.shape[0]):
        r[i] = -g0[i]
        pdir[i] = r[i]
        rr += r[i] * r[i]
        x0n += x0[i] * x0[i]
    s[0] = rr
    s[1] = np.sqrt(x0n)
    s[2] = 0.0


@lazy_jit("advance")
def gd_polyak(oracles, A, b, p, hyper, seed, checkpoints, k0, k1, X, s):
    """Gradient descent with the Polyak step (needs f*).

    Update: x_{k+1} = x_k − h_k ∇f(x_k) with h_k = c (f(x_k) − f*)/‖∇f(x_k)‖²; the iterate stays
    where it is once ∇f(x_k) = 0 or f(x_k) = f*.

    Parameters: ``c``, a factor on the step (c = 1 is Polyak's step; any 0 < c < 2 keeps
    ‖x_k − x*‖ non-increasing on convex f).

    Records the last iterate x_k. The ``value`` oracle gives f(x_k) − f* directly.

    Guarantee (c = 1, convex f): ‖x_{k+1} − x*‖² <= ‖x_k − x*‖² − (f(x_k) − f*)²/‖∇f(x_k)‖², hence
    on L-smooth f, where ‖∇f‖² <= 2L(f − f*): min_{i<k} f(x_i) − f* <= 2 L R²/k and, under
    μ-strong convexity, ‖x_k − x*‖² <= (1 − μ/(4L))^k R² (derived in three lines from the
    first inequality; the same rates are in Hazan & Kakade 2019).

    References: Polyak (1987), *Introduction to Optimization*, §5.3; Hazan & Kakade (2019),
    "Revisiting the Polyak step size", arXiv:1905.00313.
    """
    c = hyper[0]
    x = X[0]
    g = X[1]
    grad = oracles[GRAD]
    value = oracles[VALUE]
    d = x.shape[0]
    for k in range(k0, k1):
        grad(A, b, p, x, g)
        g2 = 0.0
        for i in range(d):
            g2 += g[i] * g[i]
        gap = value(A, b, p, x)
        if not (g2 > 0.0 and gap > 0.0):
            continue
        h = c * gap / g2
        for i in range(d):
            x[i] -= h * g[i]
    return STATUS_OK


@lazy_jit("advance")
def gd_armijo(oracles, A, b, p, hyper, seed, checkpoints, k0, k1, X, s):
    """Gradient descent with Armijo backtracking (sufficient decrease), restarted at h_0 each step.

    At x_k with g = ∇f(x_k): h = h_0, and while f(x_k − h g) > f(x_k) − c h ‖g‖² (and fewer than
    ``max_backtracks`` reductions were made) h ← β h; then x_{k+1} = x_k − h g. Function values are
    compared through the ``value`` oracle f − f*, which has no cancellation.

    Parameters: ``h0`` h_0 (the first trial step), ``c`` (the sufficient-decrease factor),
    ``beta`` β (the reduction factor) and ``max_backtracks`` (the most reductions per step).
    On L-smooth f the accepted step is at least min(h_0, 2β(1 − c)/L), so every guarantee of
    GD with a constant step h <= 1/L holds with that step (for c = 1/2:
    f(x_k) − f* <= R²/(2 h_min k) on convex f).

    Records the last iterate x_k. Scalars after the tracked ones: ``step`` (the last accepted
    step, NaN at k = 0) and ``value_calls`` (cumulative calls of the value oracle by the search).

    References: Armijo (1966), Pacific J. Math. 16(1); Nocedal & Wright (2006), *Numerical
    Optimization*, §3.1 and Alg. 3.1; Beck (2017), *First-Order Methods in Optimization*, §10.4.
    """
    h0 = hyper[0]
    c = hyper[1]
    beta = hyper[2]
    max_bt = int(hyper[3])
    x = X[0]
    y = X[1]
    g = X[2]
    grad = oracles[GRAD]
    value = oracles[VALUE]
    d = x.shape[0]
    step = s[0]
    calls = s[1]
    for k in range(k0, k1):
        grad(A, b, p, x, g)
        g2 = 0.0
        for i in range(d):
            g2 += g[i] * g[i]
        fx = value(A, b, p, x)
        calls += 1.0
        h = h0
        for attempt in range(max_bt + 1):
            for i in range(d):
                y[i] = x[i] - h * g[i]
            fy = value(A, b, p, y)
            calls += 1.0
            if fy <= fx - c * h * g2 or attempt == max_bt:
                break  # after max_backtracks reductions the last trial step is taken as it is
            h *= beta
        for i in range(d):
            x[i] = y[i]
        step = h
    s[0] = step
    s[1] = calls
    return STATUS_OK


@lazy_jit("init")
def gd_armijo_init(oracles, A, b, p, hyper, seed, X, s):
    """No step taken yet: ``step`` = NaN, ``value_calls`` = 0."""
    s[0] = np.nan


CG = Kernel(cg, points=("last",),
            vectors=("x0", "grad0", "residual", "direction", "probe", "hess_direction"),
            state=("residual_sq", "x0_norm", "stalled"), init=cg_init)
GD_POLYAK = Kernel(gd_polyak, hyper=("c",), vectors=("grad",), needs=("grad", "value"))
GD_ARMIJO = Kernel(gd_armijo, hyper=("h0", "c", "beta", "max_backtracks"),
                   vectors=("trial", "grad"), scalars=("step", "value_calls"),
                   needs=("grad", "value"), init=gd_armijo_init)

ALGORITHMS = (
    Algorithm("cg", CG, (),
              summary="linear conjugate gradient for convex quadratics (gradient calls only)"),
    Algorithm("gd-polyak", GD_POLYAK, (("c", "1"),),
              summary="gradient descent with the Polyak step c (f - f*)/||grad f||^2"),
    Algorithm("gd-armijo", GD_ARMIJO,
              (("h0", "1"), ("c", "0.5"), ("beta", "0.5"), ("max_backtracks", "60")),
              summary="gradient descent with Armijo backtracking from h0 at every step"),
)
