"""Regression families: Huber regression (smooth convex) and ℓ2-regularised logistic regression
(strongly convex).

- :func:`huber_regression`: f(x) = (1/n) Σᵢ h_δ(aᵢᵀx − bᵢ) with the Huber function
  h_δ(r) = r²/2 for |r| <= δ, δ|r| − δ²/2 otherwise, and consistent data b = A x♮, so x* = x♮ and
  f* = 0 exactly (A has full column rank). f is convex and L-smooth with L = ‖A‖₂²/n; it is
  not strongly convex (linear pieces), so μ = 0. f − f* is a sum of non-negative terms: no
  cancellation.
- :func:`ridge_logistic`: f(x) = (1/n) Σᵢ ln(1 + exp(−yᵢ aᵢᵀx)) + (λ/2)‖x‖², μ = λ and
  L = ‖A‖₂²/(4n) + λ; x* by Newton's method to ‖∇f‖ < 1e-14. f − f* is computed from e = x − x*
  as (1/n) Σ φ(σᵢ, δᵢ) + (λ/2)‖e‖² with δᵢ = zᵢᵀe, σᵢ = σ(−zᵢᵀx*) and
  φ(σ, δ) = ln(1 + σ(e^{−δ} − 1)) + σδ >= 0 (the first-order terms cancel exactly at x*, since
  ∇f(x*) = 0), with a series for small δ: no cancellation down to rounding of x*.

Oracle operands: huber ``A`` = data, ``b`` = [b, x♮], ``p`` = [n, δ]; ridge-logistic ``A`` =
Z (rows yᵢaᵢ), ``b`` = [x*, σ], ``p`` = [n, λ].
"""

from __future__ import annotations

import numpy as np

from ..runtime.jit import lazy_jit, njit_helper
from .base import UNDERFLOW, Problem

_EPS = float(np.finfo(float).eps)


# -- Huber regression ----------------------------------------------------------------------------

@lazy_jit("grad")
def huber_regression_grad(A, b, p, x, out):
    """(1/n) Σ h_δ'(aᵢᵀx − bᵢ) aᵢ, with the residual formed from e = x − x♮."""
    n, d = A.shape
    delta = p[1]
    for j in range(d):
        out[j] = 0.0
    for i in range(n):
        r = 0.0
        for j in range(d):
            r += A[i, j] * (x[j] - b[n + j])
        g = r if abs(r) <= delta else (delta if r > 0 else -delta)
        for j in range(d):
            out[j] += g * A[i, j] / n


@lazy_jit("value")
def huber_regression_value(A, b, p, x):
    """f(x) − f* = (1/n) Σ h_δ(aᵢᵀe), e = x − x♮ (f* = 0), each term non-negative."""
    n, d = A.shape
    delta = p[1]
    total = 0.0
    for i in range(n):
        r = 0.0
        for j in range(d):
            r += A[i, j] * (x[j] - b[n + j])
        a = abs(r)
        total += 0.5 * a * a if a <= delta else delta * (a - 0.5 * delta)
    return total / n


def huber_regression(n: int = 200, d: int = 20, delta: float = 0.5, seed: int = 0,
                     x0_scale: float = 3.0) -> Problem:
    """Huber regression on consistent Gaussian data (x* = x♮, f* = 0).

    Parameters
    ----------
    n, d
        Samples and dimension (n >= d, so that A has full column rank and x* is unique).
    delta
        Threshold δ > 0 of the Huber function.
    seed
        Seed of ``numpy.random.default_rng``: A, x♮ ~ N(0, I), x0 = x♮ + x0_scale · u, u a
        uniformly random unit vector.
    x0_scale
        Distance R from the start to x*.
    """
    n, d = int(n), int(d)
    if d < 1 or n < d:
        raise ValueError(f"need n >= d >= 1, got n={n}, d={d}")
    if not (delta > 0 and x0_scale > 0):
        raise ValueError(f"need delta > 0 and x0_scale > 0, got {delta}, {x0_scale}")
    rng = np.random.default_rng(int(seed))
    A = rng.standard_normal((n, d))
    xs = rng.standard_normal(d)
    u = rng.standard_normal(d)
    x0 = xs + float(x0_scale) * u / np.linalg.norm(u)
    s = np.linalg.svd(A, compute_uv=False)
    if s[-1] <= 1e-12 * s[0]:
        raise ValueError("the data matrix is rank deficient: x* would not be unique")
    L = float(s[0] ** 2 / n)
    return Problem(
        family="huber-regression", name=f"huber-regression(n={n}, d={d}, delta={delta:g}, "
        f"seed={seed})", A=A, b=np.concatenate([A @ xs, xs]), p=np.array([float(n), delta]),
        oracles={"grad": huber_regression_grad, "value": huber_regression_value},
        x0=x0, xstar=xs, fstar=0.0, L=L, mu=0.0,
        floors={"f_gap": UNDERFLOW, "dist_sq": max((4 * _EPS * float(np.linalg.norm(xs))) ** 2,
                                                   UNDERFLOW)},
        params=dict(n=n, d=d, delta=float(delta), seed=int(seed), x0_scale=float(x0_scale)),
        certified=dict(mu_quadratic_region=float(s[-1] ** 2 / n)),
    )


# -- ℓ2-regularised logistic regression -----------------------------------------------------------

@njit_helper
def _phi(sig, delta):
    """ln(1 + σ(e^{−δ} − 1)) + σδ >= 0, by its Taylor series for small |δ|."""
    if abs(delta) < 1e-3:
        c2 = sig * (1 - sig)
        c3 = c2 * (1 - 2 * sig)
        c4 = c2 * (1 - 6 * sig + 6 * sig * sig)
        return delta * delta * (c2 / 2 - c3 * delta / 6 + c4 * delta * delta / 24)
    return np.log1p(sig * np.expm1(-delta)) + sig * delta


@lazy_jit("grad")
def ridge_logistic_grad(A, b, p, x, out):
    """−(1/n) Σ σ(−zᵢᵀx) zᵢ + λ x."""
    n, d = A.shape
    lam = p[1]
    for j in range(d):
        out[j] = lam * x[j]
    for i in range(n):
        m = 0.0
        for j in range(d):
            m += A[i, j] * x[j]
        s = 0.5 * (1.0 - np.tanh(0.5 * m))  # σ(−m), stable for every m
        for j in range(d):
            out[j] -= s * A[i, j] / n


@lazy_jit("value")
def ridge_logistic_value(A, b, p, x):
    """f(x) − f* = (1/n) Σ φ(σᵢ, zᵢᵀe) + (λ/2)‖e‖² (module docstring)."""
    n, d = A.shape
    lam = p[1]
    total = 0.0
    e2 = 0.0
    for j in range(d):
        e = x[j] - b[j]
        e2 += e * e
    for i in range(n):
        delta = 0.0
        for j in range(d):
            delta += A[i, j] * (x[j] - b[j])
        total += _phi(b[d + i], delta)
    return total / n + 0.5 * lam * e2


def ridge_logistic(n: int = 300, d: int = 20, lam: float = 1e-2, seed: int = 0,
                   flip: float = 0.1, x0: str = "zero") -> Problem:
    """ℓ2-regularised logistic regression (strongly convex: μ = λ, L = ‖A‖₂²/(4n) + λ).

    Parameters
    ----------
    n, d
        Samples and dimension.
    lam
        Regularisation λ > 0.
    seed
        Seed of ``numpy.random.default_rng``: aᵢ ~ N(0, I), yᵢ = sign(aᵢᵀw) with a fraction
        ``flip`` flipped.
    flip
        Fraction of flipped labels in [0, 1).
    x0
        ``zero`` or ``random``.
    """
    n, d = int(n), int(d)
    if n < 1 or d < 1:
        raise ValueError(f"need n, d >= 1, got n={n}, d={d}")
    if not (lam > 0 and 0 <= flip < 1):
        raise ValueError(f"need lam > 0 and 0 <= flip < 1, got lam={lam}, flip={flip}")
    if x0 not in ("zero", "random"):
        raise ValueError(f"unknown x0 {x0!r} (expected 'zero' or 'random')")
    rng = np.random.default_rng(int(seed))
    Amat = rng.standard_normal((n, d))
    w = rng.standard_normal(d)
    y = np.where(Amat @ w >= 0, 1.0, -1.0)
    flipped = rng.random(n) < flip
    y[flipped] = -y[flipped]
    start = rng.standard_normal(d) if x0 == "random" else np.zeros(d)
    Z = Amat * y[:, None]
    x = np.zeros(d)
    for _ in range(100):  # Newton: the objective is λ-strongly convex, so this converges
        m = Z @ x
        s = 0.5 * (1 - np.tanh(0.5 * m))
        g = -(Z.T @ s) / n + lam * x
        if np.linalg.norm(g) < 1e-15:
            break
        H = (Z.T * (s * (1 - s))) @ Z / n + lam * np.eye(d)
        x = x - np.linalg.solve(H, g)
    m = Z @ x
    sig = 0.5 * (1 - np.tanh(0.5 * m))
    gnorm = float(np.linalg.norm(-(Z.T @ sig) / n + lam * x))
    if not gnorm < 1e-12:
        raise ValueError(f"Newton's method did not converge: ||grad|| = {gnorm:.3g}")
    fstar = float(np.mean(np.logaddexp(0.0, -m)) + 0.5 * lam * x @ x)
    L = float(np.linalg.norm(Amat, 2) ** 2 / (4 * n) + lam)
    return Problem(
        family="ridge-logistic", name=f"ridge-logistic(n={n}, d={d}, lam={lam:g}, seed={seed})",
        A=Z, b=np.concatenate([x, sig]), p=np.array([float(n), float(lam)]),
        oracles={"grad": ridge_logistic_grad, "value": ridge_logistic_value},
        x0=start, xstar=x, fstar=fstar, L=L, mu=float(lam),
        floors={"f_gap": max(gnorm**2 / lam, UNDERFLOW),
                "dist_sq": max((4 * _EPS * float(np.linalg.norm(x))) ** 2 + (gnorm / lam) ** 2,
                               UNDERFLOW)},
        params=dict(n=n, d=d, lam=float(lam), seed=int(seed), flip=float(flip), x0=x0),
        certified=dict(grad_norm_star=gnorm),
    )


__all__ = ["huber_regression", "ridge_logistic"]
