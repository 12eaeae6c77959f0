"""Newton-type methods: pure, damped (self-concordant), two-phase, and stepsized Newton.

One kernel, :func:`newton`, on the kernel contract (:mod:`convlab.runtime.kernel`), using the
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

The run stops (status ok, ``STATUS_FINISHED``) before recording x_k once λ_k <= ``tol``: the
Newton method's own stopping test; with tol = 0 it stops only at an exact stationary point
(where ω(λ) = 0 would make the ratio 0/0). The step from x_k is prepared as soon as x_k is
known (``init``, then the end of each step), so the record of checkpoint k describes it.
"""

from __future__ import annotations

import numpy as np

from ..runtime.jit import (GRAD, HESS, STATUS_DIVERGED, STATUS_FINISHED, STATUS_OK, VALUE,
                           lazy_jit, njit_helper)
from ..runtime.kernel import Kernel
from .registry import Algorithm

#: Modes of :func:`newton` (the ``mode`` slot).
PURE, DAMPED, DAMPED_THEN_PURE, STEPSIZED = range(4)

#: Phases of the state (the ``phase`` state scalar): the step from x_k is prepared; x_k is
#: outside dom f; the Newton direction at x_k failed; λ_k <= tol (the method has ended).
READY, OUTSIDE, FAILED, CONVERGED = range(4)


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


@njit_helper
def prepare_step(oracles, A, b, p, hyper, X, s):
    """At x_k (row 0) with its direction n_k (row 3), gap f(x_k) − f* and λ_k: the step rule,
    the candidate x_{k+1} (row 1), f(x_{k+1}) − f*, and, inside dom f, the direction at
    x_{k+1} (row 3, overwriting n_k) with λ_{k+1}; the record of x_k (s[0:4])."""
    mode = int(hyper[0])
    switch = hyper[2]
    c = hyper[3]
    q = hyper[4]
    d = X.shape[1]
    x = X[0]
    xn = X[1]
    nd = X[3]
    lam = s[0]
    if mode == DAMPED_THEN_PURE and lam < switch:
        s[8] = 1.0
    if s[8] != 0.0:
        alpha = 1.0
    elif mode == STEPSIZED:
        alpha = 1.0 / (1.0 + (c * lam) ** q)
    else:
        alpha = 1.0 / (1.0 + lam)
    for i in range(d):
        xn[i] = x[i] - alpha * nd[i]
    gap_new = oracles[VALUE](A, b, p, xn)
    inside = np.isfinite(gap_new)
    lam_new = np.nan
    ok_new = False
    if inside:
        lam_new, ok_new = newton_direction(oracles, A, b, p, xn, X[2], X[5:5 + d],
                                           X[5 + d:5 + 2 * d], X[4], nd)
    s[1] = (s[4] - gap_new) / omega(lam) if inside else -np.inf
    if lam < 1.0:
        bound = lam / (1.0 - lam)
        s[2] = lam_new / (bound * bound)
    else:
        s[2] = np.nan
    s[3] = alpha
    s[5] = gap_new
    s[6] = lam_new
    s[7] = READY if ok_new else FAILED
    if not inside:
        s[7] = OUTSIDE


@njit_helper
def enter(oracles, A, b, p, hyper, X, s, gap, lam, phase):
    """x_k with gap, λ_k and phase (READY when its direction was found): set the phase and
    prepare the step when the method goes on; returns the status of the run."""
    s[4] = gap
    s[0] = lam
    if phase == READY and not lam <= hyper[1]:
        prepare_step(oracles, A, b, p, hyper, X, s)
        s[9] = READY
        return STATUS_OK
    if phase == READY:
        s[9] = CONVERGED
        return STATUS_FINISHED
    s[9] = phase
    return STATUS_DIVERGED


@lazy_jit("advance")
def newton(oracles, A, b, p, hyper, seed, checkpoints, k0, k1, X, s):
    """Newton's method x_{k+1} = x_k − α_k [∇²f(x_k)]⁻¹ ∇f(x_k) with four step rules.

    Modes (the ``mode`` slot, fixed per registered variant), λ_k the Newton decrement:

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

    Parameters: ``tol`` (the run stops once λ_k <= tol, module docstring), ``switch`` (mode 2)
    and ``c``, ``q`` (mode 3); the variants fix the slots they do not use.

    Records ``last`` = x_k and the scalars of the module docstring. State: the candidate x_{k+1}
    (row ``next``), the gradient, the direction, a solve vector, and 2d rows for the Hessian and
    its Cholesky factor; scalars: the record of the step, f(x_k) − f*, the quantities at
    x_{k+1}, the pure-phase flag and the phase.

    References: Nesterov (2004), *Introductory Lectures on Convex Optimization*, §4.1.4-4.1.5;
    Boyd & Vandenberghe (2004), *Convex Optimization*, §9.5-9.6.
    """
    if s[9] != READY:
        return STATUS_FINISHED if s[9] == CONVERGED else STATUS_DIVERGED
    x = X[0]
    xn = X[1]
    for k in range(k0, k1):
        for i in range(x.shape[0]):
            x[i] = xn[i]
        status = enter(oracles, A, b, p, hyper, X, s, s[5], s[6], s[7])
        if status != STATUS_OK:
            return status
    return STATUS_OK


@lazy_jit("init")
def newton_init(oracles, A, b, p, hyper, seed, X, s):
    """f(x_0) − f*, the direction at x_0 and the first step (the loop set x = x_0)."""
    d = X.shape[1]
    s[8] = 1.0 if int(hyper[0]) == PURE else 0.0
    gap = oracles[VALUE](A, b, p, X[0])
    if not np.isfinite(gap):
        s[9] = OUTSIDE
        return
    lam, ok = newton_direction(oracles, A, b, p, X[0], X[2], X[5:5 + d], X[5 + d:5 + 2 * d],
                               X[4], X[3])
    enter(oracles, A, b, p, hyper, X, s, gap, lam, float(READY if ok else FAILED))


@lazy_jit("observe")
def newton_observe(oracles, A, b, p, hyper, seed, k, X, s, P, S):
    """x_k and the record of the step from it; x_k alone (scalars NaN) and status diverged
    when x_k left dom f or its Newton direction failed."""
    for i in range(P.shape[1]):
        P[0, i] = X[0, i]
    if s[9] == READY:
        for c in range(4):
            S[c] = s[c]
        return STATUS_OK
    if s[9] == CONVERGED:
        return STATUS_FINISHED  # λ_0 <= tol: not even x_0 is recorded
    return STATUS_DIVERGED


def _rows(hyper, d, m):
    return 2 * d  # the Hessian and its Cholesky factor


NEWTON = Kernel(newton, hyper=("mode", "tol", "switch", "c", "q"),
                vectors=("next", "grad", "direction", "solve_work"),
                scalars=("newton_decrement", "decrease_ratio", "quad_ratio", "step"),
                state=("gap", "gap_next", "decrement_next", "phase_next", "pure", "phase"),
                rows=_rows, needs=("grad", "hess", "value"), init=newton_init,
                observe=newton_observe)

ALGORITHMS = (
    Algorithm("newton", NEWTON, (("tol", "0"),),
              fixed={"mode": PURE, "switch": 0.0, "c": 0.0, "q": 1.0},
              summary="pure Newton, unit step (Cholesky solve)"),
    Algorithm("damped-newton", NEWTON, (("tol", "0"),),
              fixed={"mode": DAMPED, "switch": 0.0, "c": 0.0, "q": 1.0},
              summary="damped Newton, step 1/(1 + lambda) (self-concordant)"),
    Algorithm("damped-newton-switch", NEWTON, (("tol", "0"), ("switch", "1/4")),
              fixed={"mode": DAMPED_THEN_PURE, "c": 0.0, "q": 1.0},
              summary="damped Newton while lambda >= switch, then pure Newton"),
    Algorithm("newton-stepsized", NEWTON, (("tol", "0"), ("c", None), ("q", "1")),
              fixed={"mode": STEPSIZED, "switch": 0.0},
              summary="Newton with step 1/(1 + (c lambda)^q)"),
)
