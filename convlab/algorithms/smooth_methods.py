"""Smooth minimisation without a known step: linear conjugate gradient, Polyak and Armijo steps.

Every kernel has the method signature of :mod:`convlab._jit`, records the last iterate x_k
(point 0) at every checkpoint and, with ``track = 1``, the running quantities of
:mod:`._record` (best f − f*, min and mean ||∇f||² over x_0..x_k). It stops early with status
``STATUS_DIVERGED`` when x_k is non-finite or above ``DIVERGENCE_THRESHOLD``.
"""

from __future__ import annotations

import numpy as np

from ..runtime.jit import GRAD, STATUS_DIVERGED, STATUS_OK, VALUE, lazy_jit
from ._record import checkpoint, new_record, track_init, track_step


@lazy_jit("method")
def cg(oracles, A, b, p, x0, hyper, checkpoints, seed, track):
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

    Parameters (``hyper``): none.

    Records the last iterate x_k.

    References: Hestenes & Stiefel (1952), J. Res. Nat. Bur. Standards 49(6); Nocedal & Wright
    (2006), *Numerical Optimization*, Alg. 5.2 and Thm 5.2 (Krylov optimality); Fletcher & Reeves
    (1964), Comput. J. 7(2).
    """
    d = x0.shape[0]
    x = x0.copy()
    g0 = np.empty(d)
    grad = oracles[GRAD]
    grad(A, b, p, x0, g0)
    r = -g0
    pdir = r.copy()
    probe = np.empty(d)
    hp = np.empty(d)
    work = np.empty(d)
    rr = 0.0
    x0n = 0.0
    for i in range(d):
        rr += r[i] * r[i]
        x0n += x0[i] * x0[i]
    x0n = np.sqrt(x0n)
    points, scalars = new_record(checkpoints, 1, d, 3)
    acc = track_init()
    stalled = False
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
        if stalled or rr == 0.0:
            continue
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
            stalled = True
            continue
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
    return points, scalars, j, STATUS_OK


@lazy_jit("method")
def gd_polyak(oracles, A, b, p, x0, hyper, checkpoints, seed, track):
    """Gradient descent with the Polyak step (needs f*).

    Update: x_{k+1} = x_k − h_k ∇f(x_k) with h_k = c (f(x_k) − f*)/‖∇f(x_k)‖²; the iterate stays
    where it is once ∇f(x_k) = 0 or f(x_k) = f*.

    Parameters (``hyper``): ``[c]``, a factor on the step (c = 1 is Polyak's step; any
    0 < c < 2 keeps ‖x_k − x*‖ non-increasing on convex f).

    Records the last iterate x_k. The ``value`` oracle gives f(x_k) − f* directly.

    Guarantee (c = 1, convex f): ‖x_{k+1} − x*‖² <= ‖x_k − x*‖² − (f(x_k) − f*)²/‖∇f(x_k)‖², hence
    on L-smooth f, where ‖∇f‖² <= 2L(f − f*): min_{i<k} f(x_i) − f* <= 2 L R²/k and, under
    μ-strong convexity, ‖x_k − x*‖² <= (1 − μ/(4L))^k R² (derived in three lines from the
    first inequality; the same rates are in Hazan & Kakade 2019).

    References: Polyak (1987), *Introduction to Optimization*, §5.3; Hazan & Kakade (2019),
    "Revisiting the Polyak step size", arXiv:1905.00313.
    """
    c = hyper[0]
    d = x0.shape[0]
    x = x0.copy()
    g = np.empty(d)
    grad = oracles[GRAD]
    value = oracles[VALUE]
    work = np.empty(d)
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
        g2 = 0.0
        for i in range(d):
            g2 += g[i] * g[i]
        gap = value(A, b, p, x)
        if not (g2 > 0.0 and gap > 0.0):
            continue
        h = c * gap / g2
        for i in range(d):
            x[i] -= h * g[i]
    return points, scalars, j, STATUS_OK


@lazy_jit("method")
def gd_armijo(oracles, A, b, p, x0, hyper, checkpoints, seed, track):
    """Gradient descent with Armijo backtracking (sufficient decrease), restarted at h_0 each step.

    At x_k with g = ∇f(x_k): h = h_0, and while f(x_k − h g) > f(x_k) − c h ‖g‖² (and fewer than
    ``max_backtracks`` halvings were made) h ← β h; then x_{k+1} = x_k − h g. Function values are
    compared through the ``value`` oracle f − f*, which has no cancellation.

    Parameters (``hyper``): ``[h_0, c, β, max_backtracks]``. On L-smooth f the accepted step is
    at least min(h_0, 2β(1 − c)/L), so every guarantee of GD with a constant step h <= 1/L holds
    with that step (for c = 1/2: f(x_k) − f* <= R²/(2 h_min k) on convex f).

    Records the last iterate x_k. Scalars after the tracked ones: ``step`` (the last accepted
    step, NaN at k = 0) and ``value_calls`` (cumulative calls of the value oracle by the search).

    References: Armijo (1966), Pacific J. Math. 16(1); Nocedal & Wright (2006), *Numerical
    Optimization*, §3.1 and Alg. 3.1; Beck (2017), *First-Order Methods in Optimization*, §10.4.
    """
    h0 = hyper[0]
    c = hyper[1]
    beta = hyper[2]
    max_bt = int(hyper[3])
    d = x0.shape[0]
    x = x0.copy()
    y = np.empty(d)
    g = np.empty(d)
    grad = oracles[GRAD]
    value = oracles[VALUE]
    work = np.empty(d)
    points, scalars = new_record(checkpoints, 1, d, 5)
    acc = track_init()
    step = np.nan
    calls = 0.0
    j = 0
    last = checkpoints[-1]
    for k in range(last + 1):
        if track:
            track_step(acc, oracles, A, b, p, x, work)
        if k == checkpoints[j]:
            scalars[j, 3] = step
            scalars[j, 4] = calls
            j += 1
            if checkpoint(points, scalars, j - 1, x, acc, track):
                return points, scalars, j, STATUS_DIVERGED
            if k == last:
                break
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
    return points, scalars, j, STATUS_OK


# -- registry rows (legacy whole-run kernels; see convlab.algorithms.registry) --

from .registry import Algorithm, LegacyKernel  # noqa: E402

ALGORITHMS = (
    Algorithm('cg', LegacyKernel(cg, hyper=(), points=('last',), record_scalars=('best_f_gap', 'min_grad_norm_sq', 'avg_grad_norm_sq'), needs=('grad',), stochastic=False),
              (),
              fixed={},
              summary='linear conjugate gradient for convex quadratics (gradient calls only)'),
    Algorithm('gd-polyak', LegacyKernel(gd_polyak, hyper=('c',), points=('last',), record_scalars=('best_f_gap', 'min_grad_norm_sq', 'avg_grad_norm_sq'), needs=('grad', 'value'), stochastic=False),
              (('c', '1'),),
              fixed={},
              summary='gradient descent with the Polyak step c (f - f*)/||grad f||^2'),
    Algorithm('gd-armijo', LegacyKernel(gd_armijo, hyper=('h0', 'c', 'beta', 'max_backtracks'), points=('last',), record_scalars=('best_f_gap', 'min_grad_norm_sq', 'avg_grad_norm_sq', 'step', 'value_calls'), needs=('grad', 'value'), stochastic=False),
              (('h0', '1'), ('c', '0.5'), ('beta', '0.5'), ('max_backtracks', '60')),
              fixed={},
              summary='gradient descent with Armijo backtracking from h0 at every step'),
)
