"""Weakly convex and nonsmooth convex families (CLAIMS.md recipes P09, P11-P14; section 5.5-5.6).

Families
--------
:func:`wc_absquad_box` (P09)
    φ(x) = Σ |x_i² − 1| + ι_{[−2, 2]^d}(x): 2-weakly convex (|t² − 1| + t² is convex), min φ = 0
    on {±1}^d. Additive-noise stochastic subgradient.
:func:`cos_box` (P11)
    φ(x) = Σ cos x_i + ι_{[0, 2π]^d}(x): 1-smooth, hence 1-weakly convex, min φ = −d at π·1.
:func:`l1_regression` (P12)
    f(x) = (1/m) ||A x − b||₁ with b = A x♮: convex, sharp, x* = x♮, f* = 0; stochastic oracle
    = the subgradient of one sampled row.
:func:`l1_ridge_ball` (P13)
    f(x) = ||x − c||₁ + (μ/2)||x||² on the ball of radius √d/μ: μ-strongly convex,
    x*_i = clip(c_i, −1/μ, 1/μ), subgradients bounded by G = 2√d on the ball.
:func:`maxaffine_simplex` (P14)
    f(x) = max_j a_jᵀ x on the simplex: convex, piecewise linear; f* certified by a primal and a
    dual vertex refined from the HiGHS LP solution (their gap is the floor).

The prox oracle of the weakly convex families (P09, P11)
--------------------------------------------------------
Model-based methods for weakly convex problems (Davis & Drusvyatskiy 2019) need two maps: the
projection on X = dom φ (proximal stochastic subgradient, projected SGD) and the proximal map of
the whole objective, prox_{λφ} (stochastic proximal point; the Moreau-envelope gradient
∇φ_λ(x) = (x − prox_{λφ}(x))/λ, the stationarity measure of the theory). For these two families
the ``prox`` oracle is therefore the proximal map of the **whole** objective φ (exact, separable,
for 0 < step < 1/ρ), and ``prox(x, 0)`` is its limit as the step tends to 0, the projection on X.
Every family here follows the same step-0 convention (it is the limit of prox_{t g} as t -> 0+ for
any g: the projection on the closure of dom g), so a kernel can always project with step 0.
Caution: proximal-gradient kernels, which combine ``grad`` of a smooth part with ``prox`` of a
separate nonsmooth part, do not apply to P09 and P11 (their ``grad`` is a subgradient of a part
the prox already contains).

Measures beyond the standard ones: ``moreau_grad_norm_sq`` = ||∇φ_λ(x)||² with λ = 1/(2ρ) (P09,
P11; exact prox), ``envelope_gap`` = φ_λ(x) − min φ (P09, P11).

Floors
------
Every x* here is nonzero, so an iterate resolves it only to about eps·|x*| per coordinate: dist²
has the floor (4 eps ||x*||)² (as :func:`~convlab.problems.quadratics.error_floors`). A sharp
f − f* (P09, P12, P13) grows linearly, so its floor is the slope times that resolution, about
eps rather than eps²; a smooth one (P11) L (4 eps ||x*||)². ∇φ_λ(x) = (x − prox(x))/λ is a
difference of two points near x*, each carrying eps·|x*|: floor (8 eps ||x*||/λ)²; the envelope
gap φ(y) + ||x − y||²/(2λ) has the floor of f − f* plus λ/2 times that. A subgradient that is a
row of A or ±2x (no cancellation, and no decay to 0 near x*) has an underflow floor; one formed
as a sum has the rounding of that sum.
"""

from __future__ import annotations

import math

import numpy as np

from ..runtime.jit import lazy_jit, njit_helper
from ..runtime.random import add_normals, randint
from .base import UNDERFLOW, Problem
from .family import SEED, Family, Interval, count
from .quadratics import error_floors
from .rows import row_products, shifted_row_products
from .sets import lmo_simplex, project_ball_origin, project_simplex

_EPS = float(np.finfo(float).eps)
_TWO_PI = 2.0 * math.pi


def _check_positive_int(name: str, value: int) -> None:
    if int(value) != value or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value}")


def _check_nonneg(name: str, value: float) -> None:
    if not (np.isfinite(value) and value >= 0):
        raise ValueError(f"{name} must be finite and >= 0, got {value}")


def _resolution(xstar: np.ndarray) -> float:
    """4 eps ||x*||: how far from x* an iterate can be told apart from it (module docstring)."""
    return 4.0 * _EPS * float(np.linalg.norm(xstar))


def _wc_floors(f_gap: float, xstar: np.ndarray, rho: float) -> dict[str, float]:
    """Floors of the Moreau-envelope measures with λ = 1/(2ρ) (module docstring)."""
    lam = 0.5 / rho
    moreau = max((2.0 * _resolution(xstar) / lam) ** 2, UNDERFLOW)
    return {"moreau_grad_norm_sq": moreau, "envelope_gap": max(f_gap + 0.5 * lam * moreau,
                                                               UNDERFLOW)}


# ------------------------------------------------------------------------------------------
# P09 wc-absquad-box
# ------------------------------------------------------------------------------------------

@njit_helper
def _absquad_h(y, z, lam):
    """|y² − 1| + (y − z)²/(2 lam)."""
    return abs((y - 1.0) * (y + 1.0)) + (y - z) * (y - z) / (2.0 * lam)


@njit_helper
def absquad_prox1(z, lam, lo, hi):
    """argmin over y in [lo, hi] of |y² − 1| + (y − z)²/(2 lam) (lam > 0), with lo <= −1 and
    hi >= 1; the projection of z on [lo, hi] when lam == 0.

    The minimiser is a stationary point of one of the smooth pieces or a break point: compare
    y = z/(1 + 2 lam) (piece |y| >= 1), y = z/(1 − 2 lam) (piece |y| < 1, lam < 1/2), ±1, lo, hi.
    """
    if lam <= 0.0:
        return min(max(z, lo), hi)
    best = lo
    hbest = _absquad_h(lo, z, lam)
    h = _absquad_h(hi, z, lam)
    if h < hbest:
        best, hbest = hi, h
    for y in (-1.0, 1.0):
        h = _absquad_h(y, z, lam)
        if h < hbest:
            best, hbest = y, h
    y = z / (1.0 + 2.0 * lam)
    if abs(y) >= 1.0 and lo <= y <= hi:
        h = _absquad_h(y, z, lam)
        if h < hbest:
            best, hbest = y, h
    if 2.0 * lam < 1.0:
        y = z / (1.0 - 2.0 * lam)
        if abs(y) < 1.0:
            h = _absquad_h(y, z, lam)
            if h < hbest:
                best, hbest = y, h
    return best


@lazy_jit("grad")
def absquad_grad(A, b, p, x, out):
    """Subgradient of Σ|x_i² − 1|: 2 x_i sign(x_i² − 1), 0 at the kinks x_i = ±1."""
    for i in range(x.shape[0]):
        q = (x[i] - 1.0) * (x[i] + 1.0)
        if q > 0:
            out[i] = 2.0 * x[i]
        elif q < 0:
            out[i] = -2.0 * x[i]
        else:
            out[i] = 0.0


@lazy_jit("sgrad")
def absquad_sgrad(A, b, p, x, t, s, out):
    """The subgradient of :func:`absquad_grad` plus noise p[0]·ξ, ξ ~ N(0, I) (counter j = i)."""
    sig = p[0]
    for i in range(x.shape[0]):
        q = (x[i] - 1.0) * (x[i] + 1.0)
        if q > 0:
            g = 2.0 * x[i]
        elif q < 0:
            g = -2.0 * x[i]
        else:
            g = 0.0
        out[i] = g
    add_normals(s, 0, sig, out)


@lazy_jit("value")
def absquad_value(A, b, p, x):
    """φ(x) − min φ = Σ |(x_i − 1)(x_i + 1)| (min φ = 0; the box is not checked)."""
    total = 0.0
    for i in range(x.shape[0]):
        total += abs((x[i] - 1.0) * (x[i] + 1.0))
    return total


@lazy_jit("prox")
def absquad_prox(A, b, p, x, step, out):
    """prox_{step·φ}(x) of the whole objective φ = Σ|y_i² − 1| + ι_{[p1, p2]^d}, separable and
    exact (:func:`absquad_prox1`); the projection on the box when step == 0."""
    for i in range(x.shape[0]):
        out[i] = absquad_prox1(x[i], step, p[1], p[2])


def wc_absquad_box(d: int = 10, noise: float = 1.0, seed: int = 0, box: float = 2.0) -> Problem:
    """P09: φ(x) = Σ_i |x_i² − 1| + ι_{[−box, box]^d}(x), a 2-weakly convex function.

    Parameters
    ----------
    d
        Dimension.
    noise
        s: the stochastic subgradient is G = ∂f(x) + s ξ, ξ ~ N(0, I_d).
    seed
        x0 ~ U[−box, box]^d drawn with ``numpy.random.default_rng(seed)``.
    box
        Half-width of the box (>= 1, so that {±1}^d is feasible).

    Certified: ρ = 2 (exact), min φ = 0 on {±1}^d (x* = the sign vector nearest x0),
    ||∂f||² <= 4 box² d on the box, so E||G||² <= Lg_sq = 4 box² d + d s² (16d + ds² for box 2);
    ``env0`` = φ_{1/(2ρ)}(x0) − min φ (exact prox).

    Floors (module docstring): dist² (4 eps √d)²; f − f* = Σ|xᵢ² − 1| grows with slope 2 per
    coordinate: 2·4 eps·||x*||₁ = 8 eps d (it was underflow: φ is computed without
    cancellation, but no iterate resolves x* better than that); ||subgradient||² (±2x, no
    cancellation) underflow; the Moreau measures from those.
    """
    _check_positive_int("d", d)
    _check_nonneg("noise", noise)
    if not (np.isfinite(box) and box >= 1.0):
        raise ValueError(f"box must be >= 1 (so that the minimisers ±1 are feasible), got {box}")
    rng = np.random.default_rng(seed)
    x0 = rng.uniform(-box, box, size=d)
    xstar = np.where(x0 >= 0, 1.0, -1.0)
    rho = 2.0
    p = np.array([float(noise), -float(box), float(box)])
    f_floor = 2.0 * 4.0 * _EPS * float(np.sum(np.abs(xstar)))
    pr = Problem(
        family="wc-absquad-box", name=f"wc-absquad-box(d={d}, noise={noise:g}, seed={seed})",
        A=np.zeros((1, 1)), b=np.zeros(1), p=p,
        oracles={"grad": absquad_grad, "sgrad": absquad_sgrad, "value": absquad_value,
                 "prox": absquad_prox},
        x0=x0, xstar=xstar, fstar=0.0, L=math.inf, mu=0.0,
        floors={"f_gap": f_floor, "dist_sq": _resolution(xstar) ** 2,
                "grad_norm_sq": UNDERFLOW, **_wc_floors(f_floor, xstar, rho)},
        params=dict(d=d, noise=float(noise), seed=seed, box=float(box)),
        certified=dict(rho=rho, Lg_sq=4.0 * box * box * d + d * noise * noise,
                       G=2.0 * box * math.sqrt(d)),
        extra_measures=_WC_MEASURES,
    )
    return _with_env0(pr, rho)


# ------------------------------------------------------------------------------------------
# P11 cos-box
# ------------------------------------------------------------------------------------------

@njit_helper
def cos_prox1(z, lam):
    """argmin over y in [0, 2π] of cos y + (y − z)²/(2 lam), for 0 < lam < 1 (strongly convex:
    the root of −sin y + (y − z)/lam, clipped to the interval); the clip of z when lam == 0."""
    two_pi = 2.0 * np.pi
    if lam <= 0.0:
        return min(max(z, 0.0), two_pi)
    if -np.sin(0.0) + (0.0 - z) / lam >= 0.0:
        return 0.0
    if -np.sin(two_pi) + (two_pi - z) / lam <= 0.0:
        return two_pi
    # the root lies in (0, 2π) and, since |sin| <= 1, in [z − lam, z + lam]
    lo = max(0.0, z - lam)
    hi = min(two_pi, z + lam)
    # now h'(lo) < 0 < h'(hi): safeguarded Newton on the increasing h'
    y = 0.5 * (lo + hi)
    for _ in range(200):
        g = -np.sin(y) + (y - z) / lam
        if g == 0.0:
            return y
        if g > 0.0:
            hi = y
        else:
            lo = y
        y_new = y - g / (-np.cos(y) + 1.0 / lam)
        tol = 4e-16 * max(1.0, abs(y))
        if abs(y_new - y) <= tol:  # Newton has converged (quadratically, h'' >= 1/lam − 1 > 0)
            return min(max(y_new, lo), hi)
        if not (lo <= y_new <= hi):
            y_new = 0.5 * (lo + hi)
        if hi - lo <= tol:
            return y_new
        y = y_new
    return y


@lazy_jit("grad")
def cos_grad(A, b, p, x, out):
    """∇ Σ cos x_i = −sin x."""
    for i in range(x.shape[0]):
        out[i] = -np.sin(x[i])


@lazy_jit("sgrad")
def cos_sgrad(A, b, p, x, t, s, out):
    """−sin x + p[0]·ξ, ξ ~ N(0, I) (counter j = i)."""
    for i in range(x.shape[0]):
        out[i] = -np.sin(x[i])
    add_normals(s, 0, p[0], out)


@lazy_jit("value")
def cos_value(A, b, p, x):
    """φ(x) − min φ = Σ (1 + cos x_i) = Σ 2 cos²(x_i/2), without cancellation."""
    total = 0.0
    for i in range(x.shape[0]):
        c = np.cos(0.5 * x[i])
        total += 2.0 * c * c
    return total


@lazy_jit("prox")
def cos_prox(A, b, p, x, step, out):
    """prox_{step·φ}(x) of the whole objective φ = Σ cos y_i + ι_{[0, 2π]^d} (0 < step < 1),
    per coordinate (:func:`cos_prox1`); the projection on the box when step == 0."""
    for i in range(x.shape[0]):
        out[i] = cos_prox1(x[i], step)


def cos_box(d: int = 10, noise: float = 1.0, seed: int = 0) -> Problem:
    """P11: φ(x) = Σ cos x_i + ι_{[0, 2π]^d}(x), smooth (L = 1) on a box, hence 1-weakly convex.

    Parameters
    ----------
    d
        Dimension.
    noise
        s: the stochastic gradient is −sin x + s ξ, ξ ~ N(0, I_d).
    seed
        x0 ~ U[0, 2π]^d (``numpy.random.default_rng(seed)``): a corner start sits on a stationary
        point of φ (CLAIMS.md C23, pitfalls).

    Certified: L = ρ = 1, min φ = −d at x* = π·1 (unique), E||G||² <= Lg_sq = d + d s²,
    ``env0`` = φ_{1/(2ρ)}(x0) − min φ.

    Floors (module docstring): :func:`~convlab.problems.quadratics.error_floors` of x* = π·1
    with L = 1 for dist², f − f* and ||∇f||² (the value Σ 2cos²(xᵢ/2) has no cancellation, but
    π itself is rounded, f(fl(π)·1) − f* ≈ 7.5e-33 d, and iterates resolve x* to eps·π);
    before, f − f* had an underflow floor and dist² a fixed 1e-30, below (4 eps π)² d. The
    prox is a safeguarded Newton iteration converged to 4e-16·|y|, within the Moreau floors.
    """
    _check_positive_int("d", d)
    _check_nonneg("noise", noise)
    rng = np.random.default_rng(seed)
    x0 = rng.uniform(0.0, _TWO_PI, size=d)
    rho = 1.0
    xstar = np.full(d, math.pi)
    floors = error_floors(xstar, 1.0)
    pr = Problem(
        family="cos-box", name=f"cos-box(d={d}, noise={noise:g}, seed={seed})",
        A=np.zeros((1, 1)), b=np.zeros(1), p=np.array([float(noise)]),
        oracles={"grad": cos_grad, "sgrad": cos_sgrad, "value": cos_value, "prox": cos_prox},
        x0=x0, xstar=xstar, fstar=-float(d), L=1.0, mu=0.0,
        floors={**floors, **_wc_floors(floors["f_gap"], xstar, rho)},
        params=dict(d=d, noise=float(noise), seed=seed),
        certified=dict(rho=rho, Lg_sq=d + d * float(noise) ** 2),
        extra_measures=_WC_MEASURES,
    )
    return _with_env0(pr, rho)


# ------------------------------------------------------------------------------------------
# Moreau-envelope measures of the weakly convex families (exact prox oracle)
# ------------------------------------------------------------------------------------------

def moreau_prox(pr: Problem, X: np.ndarray, lam: float) -> np.ndarray:
    """prox_{lam·φ} of each row of X, through the family's exact prox oracle."""
    prox = pr.oracle("prox")
    out = np.empty_like(X)
    buf = np.empty(X.shape[1])
    for r, x in enumerate(X):
        prox(pr.A, pr.b, pr.p, np.ascontiguousarray(x), float(lam), buf)
        out[r] = buf
    return out


def _moreau_grad_norm_sq(pr: Problem, X: np.ndarray) -> np.ndarray:
    lam = 0.5 / pr.certified["rho"]
    Y = moreau_prox(pr, X, lam)
    G = (X - Y) / lam
    return np.einsum("ij,ij->i", G, G)


def _envelope_gap(pr: Problem, X: np.ndarray) -> np.ndarray:
    lam = 0.5 / pr.certified["rho"]
    Y = moreau_prox(pr, X, lam)
    value = pr.oracle("value")
    phi = np.array([value(pr.A, pr.b, pr.p, np.ascontiguousarray(y)) for y in Y])
    D = X - Y
    return phi + np.einsum("ij,ij->i", D, D) / (2.0 * lam)


_WC_MEASURES = {
    "moreau_grad_norm_sq": (_moreau_grad_norm_sq,
                            "||grad φ_λ(x)||² = ||x − prox_{λφ}(x)||²/λ², λ = 1/(2ρ), exact prox"),
    "envelope_gap": (_envelope_gap, "φ_λ(x) − min φ, λ = 1/(2ρ) (Moreau envelope), exact prox"),
}


def _with_env0(pr: Problem, rho: float) -> Problem:
    env0 = float(_envelope_gap(pr, pr.x0[None, :])[0])
    certified = dict(pr.certified, env0=env0)
    object.__setattr__(pr, "certified", certified)
    return pr


# ------------------------------------------------------------------------------------------
# P12 l1-regression
# ------------------------------------------------------------------------------------------

@lazy_jit("grad")
def l1reg_grad(A, b, p, x, out):
    """(1/m) Aᵀ sign(A (x − x♮)) (sign 0 at 0); b = x♮."""
    m, d = A.shape
    s = np.empty(m)
    shifted_row_products(A, x, b, s)
    for i in range(d):
        out[i] = 0.0
    for r in range(m):
        if s[r] > 0:
            for i in range(d):
                out[i] += A[r, i]
        elif s[r] < 0:
            for i in range(d):
                out[i] -= A[r, i]
    for i in range(d):
        out[i] /= m


@lazy_jit("sgrad")
def l1reg_sgrad(A, b, p, x, t, s, out):
    """sign(a_iᵀ(x − x♮)) a_i for the row i = randint(s, 0, m)."""
    m, d = A.shape
    r = randint(s, 0, m)
    v = 0.0
    for i in range(d):
        v += A[r, i] * (x[i] - b[i])
    sg = 1.0 if v > 0 else (-1.0 if v < 0 else 0.0)
    for i in range(d):
        out[i] = sg * A[r, i]


@lazy_jit("value")
def l1reg_value(A, b, p, x):
    """f(x) − f* = (1/m) Σ_r |a_rᵀ (x − x♮)| (f* = 0), from the error vector."""
    m = A.shape[0]
    s = np.empty(m)
    shifted_row_products(A, x, b, s)
    total = 0.0
    for r in range(m):
        total += abs(s[r])
    return total / m


def l1_regression(m: int = 200, d: int = 50, seed: int = 0) -> Problem:
    """P12: f(x) = (1/m) ||A x − b||₁, A Gaussian m×d (m > d), b = A x♮, x♮ Gaussian, x0 = 0.

    Certified: x* = x♮ (unique: A has full column rank, so f is sharp), f* = 0;
    G = ||A||₂/√m bounds every subgradient (1/m)Aᵀs, ||s||_∞ <= 1; G_stoch = max_r ||a_r||
    bounds the stochastic oracle.

    Operands: ``A`` (m×d), ``b = x♮``; the oracles do not read ``p`` (the constrained variant
    ``l1-regression-ball`` of :mod:`convlab.problems.stochastic` reuses them with its own p).

    Floors (module docstring): dist² (4 eps ||x*||)²; f − f* <= G ||x − x*|| (sharp), so
    G·4 eps ||x*|| (it was underflow); the subgradient (1/m) Σ ±a_r is a sum of m rows, rounded
    to about eps ||A||_F/√m in norm: floor (4 eps ||A||_F)²/m.
    """
    _check_positive_int("m", m)
    _check_positive_int("d", d)
    if m <= d:
        raise ValueError(f"need m > d for a unique solution, got m={m}, d={d}")
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((m, d))
    xnat = rng.standard_normal(d)
    sv = np.linalg.svd(A, compute_uv=False)
    if sv[-1] <= 1e-10 * sv[0]:
        raise ValueError("A is rank deficient: x* is not unique")
    G = float(sv[0] / math.sqrt(m))
    return Problem(
        family="l1-regression", name=f"l1-regression(m={m}, d={d}, seed={seed})",
        A=A, b=xnat, p=np.zeros(1),
        oracles={"grad": l1reg_grad, "sgrad": l1reg_sgrad, "value": l1reg_value},
        x0=np.zeros(d), xstar=xnat, fstar=0.0, L=math.inf, mu=0.0,
        floors={"f_gap": max(G * _resolution(xnat), UNDERFLOW),
                "dist_sq": max(_resolution(xnat) ** 2, UNDERFLOW),
                "grad_norm_sq": max((4.0 * _EPS * float(np.linalg.norm(A))) ** 2 / m, UNDERFLOW)},
        params=dict(m=m, d=d, seed=seed),
        certified=dict(G=G,
                       G_stoch=float(np.max(np.linalg.norm(A, axis=1)))),
    )


# ------------------------------------------------------------------------------------------
# P13 l1-ridge-ball
# ------------------------------------------------------------------------------------------

@lazy_jit("grad")
def l1ridge_grad(A, b, p, x, out):
    """sign(x − c) + μ x (sign 0 at 0); b = c, p = [μ, radius]."""
    mu = p[0]
    for i in range(x.shape[0]):
        e = x[i] - b[i]
        out[i] = (1.0 if e > 0 else (-1.0 if e < 0 else 0.0)) + mu * x[i]


@lazy_jit("value")
def l1ridge_value(A, b, p, x):
    """f(x) − f* as Σ_i [|x_i − c_i| − |x*_i − c_i| − s*_i e_i] + (μ/2) e_i², e = x − x*,
    s*_i = −μ x*_i ∈ ∂|·−c_i|(x*_i): a sum of non-negative terms (no cancellation)."""
    mu = p[0]
    total = 0.0
    for i in range(x.shape[0]):
        c = b[i]
        xs = min(max(c, -1.0 / mu), 1.0 / mu)
        e = x[i] - xs
        u = x[i] - c
        if xs == c:
            # s* = −μ c with |μ c| <= 1: |e| + μ c e = |e| (1 + μ c sign e)
            if e > 0:
                term = e * (1.0 + mu * c)
            else:
                term = -e * (1.0 - mu * c)
        else:
            sstar = 1.0 if xs > c else -1.0
            # |x − c| − s*(x − c) is 0 or 2|x − c|
            if u * sstar >= 0:
                term = 0.0
            else:
                term = 2.0 * abs(u)
        total += term + 0.5 * mu * e * e
    return total


@lazy_jit("prox")
def ball_projection(A, b, p, x, step, out):
    """Projection on the Euclidean ball of radius p[1] centred at 0 (any step;
    :func:`convlab.problems.sets.project_ball_origin`)."""
    project_ball_origin(x, p[1], out)


def l1_ridge_ball(d: int = 20, mu: float = 1.0, seed: int = 0) -> Problem:
    """P13: f(x) = ||x − c||₁ + (μ/2)||x||² on X = ball(0, √d/μ), c Gaussian, x0 = 0.

    Certified: μ-strongly convex; x*_i = clip(c_i, −1/μ, 1/μ) (inside X); G = 2√d bounds
    ||sign(x − c) + μx|| on X; f* = f(x*).

    Floors (module docstring): dist² (4 eps ||x*||)²; f − f* is a sum of non-negative terms of
    slope <= 2 in each |eᵢ|, so 2·4 eps ||x*||₁ (it was underflow); the subgradient
    sign(x − c) + μx cancels on the clipped coordinates (−1 + μ·(1/μ)), where it carries about
    eps from μx and 4 eps from the resolution of x*: floor (8 eps)² d.
    """
    _check_positive_int("d", d)
    if not (np.isfinite(mu) and mu > 0):
        raise ValueError(f"mu must be positive, got {mu}")
    rng = np.random.default_rng(seed)
    c = rng.standard_normal(d)
    xstar = np.clip(c, -1.0 / mu, 1.0 / mu)
    fstar = float(np.sum(np.abs(xstar - c)) + 0.5 * mu * xstar @ xstar)
    radius = math.sqrt(d) / mu
    return Problem(
        family="l1-ridge-ball", name=f"l1-ridge-ball(d={d}, mu={mu:g}, seed={seed})",
        A=np.zeros((1, 1)), b=c, p=np.array([float(mu), radius]),
        oracles={"grad": l1ridge_grad, "value": l1ridge_value, "prox": ball_projection},
        x0=np.zeros(d), xstar=xstar, fstar=fstar, L=math.inf, mu=float(mu),
        floors={"f_gap": max(2.0 * 4.0 * _EPS * float(np.sum(np.abs(xstar))), UNDERFLOW),
                "dist_sq": max(_resolution(xstar) ** 2, UNDERFLOW),
                "grad_norm_sq": (8.0 * _EPS) ** 2 * d},
        params=dict(d=d, mu=float(mu), seed=seed),
        certified=dict(G=2.0 * math.sqrt(d), D=2.0 * radius, radius=radius),
    )


# ------------------------------------------------------------------------------------------
# P14 maxaffine-simplex
# ------------------------------------------------------------------------------------------

@lazy_jit("grad")
def maxaffine_grad(A, b, p, x, out):
    """a_j for the first j attaining max_j a_jᵀ x (rows of A)."""
    J, n = A.shape
    s = np.empty(J)
    row_products(A, x, s)
    best = -np.inf
    jb = 0
    for j in range(J):
        if s[j] > best:
            best = s[j]
            jb = j
    for i in range(n):
        out[i] = A[jb, i]


@lazy_jit("value")
def maxaffine_value(A, b, p, x):
    """max_j a_jᵀ x − f* (f* = p[0], certified to the floor p[1])."""
    J = A.shape[0]
    s = np.empty(J)
    row_products(A, x, s)
    best = -np.inf
    for j in range(J):
        if s[j] > best:
            best = s[j]
    return best - p[0]


@lazy_jit("prox")
def simplex_projection(A, b, p, x, step, out):
    """Euclidean projection on the probability simplex (any step; sort-based,
    :func:`convlab.problems.sets.project_simplex`)."""
    project_simplex(x, 1.0, out)


@lazy_jit("lmo")
def simplex_lmo(A, b, p, g, out):
    """The vertex e_i of the simplex with i = argmin g_i (first index on ties;
    :func:`convlab.problems.sets.lmo_simplex`)."""
    lmo_simplex(g, 1.0, out)


def _maxaffine_fstar(a: np.ndarray) -> tuple[float, float, np.ndarray]:
    """(f*, certified gap, primal solution) of min_{x in simplex} max_j a_jᵀx.

    HiGHS solves the LP min t s.t. A x <= t, 1ᵀx = 1, x >= 0; its primal support and active rows
    then define square linear systems whose solutions are a primal point x (f(x) >= f*) and a
    dual point y in the simplex over rows (min_i (Aᵀy)_i <= f*, weak duality). The gap between
    the two values bounds the error of f* = their midpoint.
    """
    from scipy.optimize import linprog

    J, n = a.shape
    c = np.zeros(n + 1)
    c[-1] = 1.0
    A_ub = np.hstack([a, -np.ones((J, 1))])
    A_eq = np.concatenate([np.ones(n), [0.0]])[None, :]
    res = linprog(c, A_ub=A_ub, b_ub=np.zeros(J), A_eq=A_eq, b_eq=[1.0],
                  bounds=[(0, None)] * n + [(None, None)], method="highs",
                  options=dict(primal_feasibility_tolerance=1e-10,
                               dual_feasibility_tolerance=1e-10))
    if res.status != 0:
        raise ValueError(f"LP for f* failed: {res.message}")
    x = np.clip(res.x[:n], 0.0, None)
    x /= x.sum()
    y = np.clip(-res.ineqlin.marginals, 0.0, None)
    y = y / y.sum() if y.sum() > 0 else np.full(J, 1.0 / J)
    upper = float(np.max(a @ x))
    lower = float(np.min(a.T @ y))
    # refine on the active set: rows with y_j > 0, coordinates with x_i > 0
    S = np.flatnonzero(x > 1e-9)
    Ja = np.flatnonzero(y > 1e-9)
    if S.size == Ja.size:
        K = np.zeros((S.size + 1, S.size + 1))
        K[:-1, :-1] = a[np.ix_(Ja, S)]
        K[:-1, -1] = -1.0
        K[-1, :-1] = 1.0
        rhs = np.zeros(S.size + 1)
        rhs[-1] = 1.0
        try:
            sol = np.linalg.solve(K, rhs)
            solT = np.linalg.solve(np.block([[a[np.ix_(Ja, S)].T, -np.ones((S.size, 1))],
                                             [np.ones((1, Ja.size)), np.zeros((1, 1))]]), rhs)
        except np.linalg.LinAlgError:
            sol = solT = None
        if sol is not None and np.all(sol[:-1] >= 0) and np.all(solT[:-1] >= 0):
            x2 = np.zeros(n)
            x2[S] = sol[:-1]
            y2 = np.zeros(J)
            y2[Ja] = solT[:-1]
            up2, lo2 = float(np.max(a @ x2)), float(np.min(a.T @ y2))
            if up2 - lo2 < upper - lower:
                x, upper, lower = x2, up2, lo2
    return 0.5 * (upper + lower), max(upper - lower, 0.0), x


def maxaffine_simplex(n: int = 50, J: int = 20, seed: int = 0) -> Problem:
    """P14: f(x) = max_j a_jᵀ x on the simplex Δ_n, a_j ~ U[−1, 1]^n, x0 = uniform.

    Certified: f* by the LP (HiGHS) refined to a primal-dual vertex pair; the floor of ``f_gap``
    is their gap (plus rounding); L_inf = max |a_ji| bounds ||g||_∞; ``lnn`` = ln n.
    The prox oracle is the projection on Δ_n (any step), the LMO returns a vertex.

    Floors: f − f* has 10 × (the LP gap + 4 eps max(1, |f*|)), the accuracy of the certified f*
    (a high floor: f(x) − f* is a difference of two numbers of size |f*|); the subgradient is a
    row of A, copied (no rounding, never small): underflow.
    """
    _check_positive_int("n", n)
    _check_positive_int("J", J)
    if n < 2:
        raise ValueError(f"need n >= 2, got n={n}")
    rng = np.random.default_rng(seed)
    a = rng.uniform(-1.0, 1.0, size=(J, n))
    fstar, gap, _ = _maxaffine_fstar(a)
    floor = 10.0 * (gap + 4.0 * _EPS * max(1.0, abs(fstar)))
    return Problem(
        family="maxaffine-simplex", name=f"maxaffine-simplex(n={n}, J={J}, seed={seed})",
        A=a, b=np.zeros(1), p=np.array([fstar, gap]),
        oracles={"grad": maxaffine_grad, "value": maxaffine_value, "prox": simplex_projection,
                 "lmo": simplex_lmo},
        x0=np.full(n, 1.0 / n), xstar=None, fstar=fstar, L=math.inf, mu=0.0,
        floors={"f_gap": floor, "grad_norm_sq": UNDERFLOW},
        params=dict(n=n, J=J, seed=seed),
        certified=dict(L_inf=float(np.max(np.abs(a))), lnn=math.log(n), D=math.sqrt(2.0),
                       fstar_gap=gap),
    )


#: Finite non-negative and finite positive numbers (the builders refuse inf).
_FINITE_NONNEG = Interval(0.0, math.inf, open_high=True)
_FINITE_POSITIVE = Interval(0.0, math.inf, open_low=True, open_high=True)

FAMILIES = (
    Family("wc-absquad-box", wc_absquad_box, "weakly convex",
           ranges={"d": count(1), "noise": _FINITE_NONNEG, "seed": SEED,
                   "box": Interval(1.0, math.inf, open_high=True)},
           space={"d": [1, 20], "noise": [0.0, 2.0], "seed": [0, 10_000], "box": [1.0, 4.0]},
           example={"d": 5}, memory=lambda p: 8.0 * 4 * p["d"]),
    Family("cos-box", cos_box, "weakly convex",
           ranges={"d": count(1), "noise": _FINITE_NONNEG, "seed": SEED},
           space={"d": [1, 20], "noise": [0.0, 2.0], "seed": [0, 10_000]},
           example={"d": 5}, memory=lambda p: 8.0 * 4 * p["d"]),
    # A (m×d) and its copy in the SVD
    Family("l1-regression", l1_regression, "nonsmooth convex",
           ranges={"m": count(2), "d": count(1), "seed": SEED},
           space={"m": [10, 200], "d": [1, 8], "seed": [0, 10_000]},
           example={"m": 30, "d": 5}, memory=lambda p: 8.0 * (2 * p["m"] * p["d"] + 3 * p["d"])),
    Family("l1-ridge-ball", l1_ridge_ball, "nonsmooth strongly convex",
           ranges={"d": count(1), "mu": _FINITE_POSITIVE, "seed": SEED},
           space={"d": [1, 30], "mu": [0.1, 10.0], "seed": [0, 10_000]},
           example={"d": 5}, memory=lambda p: 8.0 * 4 * p["d"]),
    # the payoffs (J×n) and the LP's constraint matrix [A, −1] (J×(n+1)) with HiGHS's copies
    Family("maxaffine-simplex", maxaffine_simplex, "nonsmooth convex",
           ranges={"n": count(2), "J": count(1), "seed": SEED},
           space={"n": [2, 30], "J": [1, 20], "seed": [0, 10_000]},
           example={"n": 6, "J": 4}, memory=lambda p: 8.0 * 4 * p["J"] * (p["n"] + 1)),
)
