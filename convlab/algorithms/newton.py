"""Newton-type methods: pure, damped (self-concordant), two-phase, and stepsized Newton.

One kernel, :func:`newton`, with the method signature of :mod:`convlab._jit`, using the
``grad``, ``hess`` and ``value`` oracles. The Newton direction n_k = [∇²f(x_k)]⁻¹∇f(x_k) comes
from a Cholesky factorisation written here (a non-positive pivot ends the run as diverged
instead of raising), and λ_k = sqrt(∇f(x_k)ᵀ n_k) is the Newton decrement.

A domain exit (the ``value`` oracle is +inf or NaN at the new point, as self-concordant
families return outside dom f) ends the run with status diverged; the point that left the
domain is recorded at the next checkpoint.

Scalars at checkpoint k describe the step k -> k+1 taken from the recorded x_k (they are
computed before x_k is stored):

- ``newton_decrement`` λ_k;
- ``decrease_ratio`` (f(x_k) − f(x_{k+1})) / ω(λ_k), ω(t) = t − ln(1 + t): Nesterov's damped
  step guarantees ratio >= 1 (Thm 4.1.12); −inf when x_{k+1} leaves the domain;
- ``quad_ratio`` λ_{k+1} / (λ_k/(1 − λ_k))²: the full step guarantees ratio <= 1 when λ_k < 1
  (Thm 4.1.14); NaN when λ_k >= 1 (the bound does not apply);
- ``step`` α_k.

f(x_k) − f(x_{k+1}) is formed from the ``value`` oracle (f − f*, computed without
cancellation by the families), so it is accurate while both gaps are above their floor.

The run stops (status ok) before recording x_k once λ_k <= ``tol``: the Newton method's own
stopping test; with tol = 0 it stops only at an exact stationary point (where ω(λ) = 0 would
make the ratio 0/0).
"""

from __future__ import annotations

import numpy as np

from ..runtime.jit import GRAD, HESS, STATUS_DIVERGED, STATUS_OK, VALUE, lazy_jit, njit_helper
from ._record import checkpoint, new_record, store_point, track_init, track_step

#: Modes of :func:`newton` (``hyper[0]``).
PURE, DAMPED, DAMPED_THEN_PURE, STEPSIZED = range(4)


@njit_helper
def omega(t):
    """ω(t) = t − ln(1 + t), by its series for small t (no cancellation)."""
    if abs(t) < 1e-3:
        t2 = t * t
        return t2 * (0.5 - t / 3.0 + t2 / 4.0 - t2 * t / 5.0 + t2 * t2 / 6.0)
    return t - np.log1p(t)


@njit_helper
def cholesky_solve(H, g, Lw, z, out):
    """Solve H out = g by Cholesky (H = Lw Lwᵀ, written into Lw). Returns False when a pivot
    is not positive (H not positive definite) or not finite."""
    n = g.shape[0]
    for i in range(n):
        for k in range(i + 1):
            s = H[i, k]
            for l in range(k):
                s -= Lw[i, l] * Lw[k, l]
            if i == k:
                if not s > 0.0 or not np.isfinite(s):
                    return False
                Lw[i, i] = np.sqrt(s)
            else:
                Lw[i, k] = s / Lw[k, k]
    for i in range(n):
        s = g[i]
        for l in range(i):
            s -= Lw[i, l] * z[l]
        z[i] = s / Lw[i, i]
    for i in range(n - 1, -1, -1):
        s = z[i]
        for l in range(i + 1, n):
            s -= Lw[l, i] * out[l]
        out[i] = s / Lw[i, i]
    return True


@njit_helper
def newton_direction(oracles, A, b, p, x, g, H, Lw, z, nd):
    """Gradient, Hessian and direction at x; returns (λ, ok)."""
    oracles[GRAD](A, b, p, x, g)
    oracles[HESS](A, b, p, x, H)
    if not cholesky_solve(H, g, Lw, z, nd):
        return np.nan, False
    lam2 = 0.0
    for i in range(x.shape[0]):
        lam2 += g[i] * nd[i]
    if not (lam2 >= 0.0 and np.isfinite(lam2)):
        return np.nan, False
    return np.sqrt(lam2), True


@lazy_jit("method")
def newton(oracles, A, b, p, x0, hyper, checkpoints, seed, track):
    """Newton's method x_{k+1} = x_k − α_k [∇²f(x_k)]⁻¹ ∇f(x_k) with four step rules.

    Modes (``hyper[0]``, fixed per registered variant), λ_k the Newton decrement:

    - 0, pure Newton: α_k = 1 (Nesterov 2004, §4.1.5, Thm 4.1.14: quadratic convergence of λ
      when λ_k < 1; no global convergence, C63);
    - 1, damped Newton: α_k = 1/(1 + λ_k) (Nesterov 2004, scheme (4.1.14), Thm 4.1.12:
      f(x_{k+1}) <= f(x_k) − ω(λ_k) on standard self-concordant f);
    - 2, damped while λ_k >= ``switch``, then pure for good (Nesterov 2004, §4.1.5: the
      two-phase scheme, valid for any switch β < λ̄ = (3 − √5)/2; default 1/4);
    - 3, stepsized Newton: α_k = 1/(1 + (c λ_k)^q), a decrement-dependent schedule in the
      spirit of Hanzely, Abdukhakimov & Takáč (2024), "Newton method revisited: global
      convergence rates up to O(k^-3) for stepsize schedules and linesearch procedures" (the
      exact schedule of that paper was not re-read: c, q are parameters; see the C62 notes).

    Parameters (``hyper``): ``[mode, tol, a, q]`` with a = ``switch`` (mode 2) or ``c``
    (mode 3); ``tol`` stops the run once λ_k <= tol (module docstring).

    Records ``last`` = x_k and the scalars of the module docstring after
    :data:`~convlab.algorithms.registry.TRACK_COLUMNS`.

    References: Nesterov (2004), *Introductory Lectures on Convex Optimization*, §4.1.4-4.1.5;
    Boyd & Vandenberghe (2004), *Convex Optimization*, §9.5-9.6.
    """
    mode = int(hyper[0])
    tol = hyper[1] if hyper.shape[0] > 1 else 0.0
    a1 = hyper[2] if hyper.shape[0] > 2 else 0.25
    a2 = hyper[3] if hyper.shape[0] > 3 else 1.0
    value = oracles[VALUE]
    d = x0.shape[0]
    x = x0.copy()
    xn = np.empty(d)
    g = np.empty(d)
    H = np.empty((d, d))
    Lw = np.zeros((d, d))
    z = np.empty(d)
    nd = np.empty(d)
    work = np.empty(d)
    points, scalars = new_record(checkpoints, 1, d, 7)
    acc = track_init()
    j = 0
    last = checkpoints[-1]
    gap = value(A, b, p, x)
    if not np.isfinite(gap):
        store_point(points, 0, 0, x)
        return points, scalars, 1, STATUS_DIVERGED
    lam, ok = newton_direction(oracles, A, b, p, x, g, H, Lw, z, nd)
    pure = mode == PURE
    for k in range(last + 1):
        if not ok:
            store_point(points, j, 0, x)
            return points, scalars, j + 1, STATUS_DIVERGED
        if lam <= tol:
            return points, scalars, j, STATUS_OK
        if track:
            track_step(acc, oracles, A, b, p, x, work)
        if mode == DAMPED_THEN_PURE and lam < a1:
            pure = True
        if pure:
            alpha = 1.0
        elif mode == STEPSIZED:
            alpha = 1.0 / (1.0 + (a1 * lam) ** a2)
        else:
            alpha = 1.0 / (1.0 + lam)
        for i in range(d):
            xn[i] = x[i] - alpha * nd[i]
        gap_new = value(A, b, p, xn)
        inside = np.isfinite(gap_new)
        lam_new = np.nan
        ok_new = False
        if inside:
            lam_new, ok_new = newton_direction(oracles, A, b, p, xn, g, H, Lw, z, nd)
        if k == checkpoints[j]:
            scalars[j, 3] = lam
            scalars[j, 4] = (gap - gap_new) / omega(lam) if inside else -np.inf
            if lam < 1.0:
                bound = lam / (1.0 - lam)
                scalars[j, 5] = lam_new / (bound * bound)
            scalars[j, 6] = alpha
            j += 1
            if checkpoint(points, scalars, j - 1, x, acc, track):
                return points, scalars, j, STATUS_DIVERGED
            if k == last:
                break
        for i in range(d):
            x[i] = xn[i]
        gap = gap_new
        lam = lam_new
        ok = ok_new
        if not inside:
            if j < checkpoints.shape[0] and k + 1 == checkpoints[j]:
                store_point(points, j, 0, x)
                j += 1
            return points, scalars, j, STATUS_DIVERGED
    return points, scalars, j, STATUS_OK


# -- registry rows (legacy whole-run kernels; see convlab.algorithms.registry) --

from .registry import Algorithm, LegacyKernel  # noqa: E402

ALGORITHMS = (
    Algorithm('newton', LegacyKernel(newton, hyper=('variant0', 'tol'), points=('last',), record_scalars=('best_f_gap', 'min_grad_norm_sq', 'avg_grad_norm_sq', 'newton_decrement', 'decrease_ratio', 'quad_ratio', 'step'), needs=('grad', 'hess', 'value'), stochastic=False),
              (('tol', '0'),),
              fixed={'variant0': 0.0},
              summary='pure Newton, unit step (Cholesky solve)'),
    Algorithm('damped-newton', LegacyKernel(newton, hyper=('variant0', 'tol'), points=('last',), record_scalars=('best_f_gap', 'min_grad_norm_sq', 'avg_grad_norm_sq', 'newton_decrement', 'decrease_ratio', 'quad_ratio', 'step'), needs=('grad', 'hess', 'value'), stochastic=False),
              (('tol', '0'),),
              fixed={'variant0': 1.0},
              summary='damped Newton, step 1/(1 + lambda) (self-concordant)'),
    Algorithm('damped-newton-switch', LegacyKernel(newton, hyper=('variant0', 'tol', 'switch'), points=('last',), record_scalars=('best_f_gap', 'min_grad_norm_sq', 'avg_grad_norm_sq', 'newton_decrement', 'decrease_ratio', 'quad_ratio', 'step'), needs=('grad', 'hess', 'value'), stochastic=False),
              (('tol', '0'), ('switch', '1/4')),
              fixed={'variant0': 2.0},
              summary='damped Newton while lambda >= switch, then pure Newton'),
    Algorithm('newton-stepsized', LegacyKernel(newton, hyper=('variant0', 'tol', 'c', 'q'), points=('last',), record_scalars=('best_f_gap', 'min_grad_norm_sq', 'avg_grad_norm_sq', 'newton_decrement', 'decrease_ratio', 'quad_ratio', 'step'), needs=('grad', 'hess', 'value'), stochastic=False),
              (('tol', '0'), ('c', None), ('q', '1')),
              fixed={'variant0': 3.0},
              summary='Newton with step 1/(1 + (c lambda)^q)'),
)
