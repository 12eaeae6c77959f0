"""Regression families: Huber and consistent least-squares regression (smooth convex), logistic
regression with and without ℓ2 regularisation (strongly convex, smooth convex).

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

- :func:`ls_wide_consistent` (CLAIMS.md P05): ``f(x) = ‖A(x − x*)‖²/(2n)`` with a wide Gaussian A
  (n < d), i.e. the consistent least-squares problem ‖Ax − b‖²/(2n) with b = A x*; convex, not
  strongly convex, PL with μ = σ_min(A)²/n;
- :func:`logistic_nonseparable` (CLAIMS.md P34): logistic regression on labels with 10 % flipped,
  so a minimiser exists; x*, f* by Newton's method.

Oracle operands: huber ``A`` = data, ``b`` = [b, x♮], ``p`` = [n, δ]; ridge-logistic ``A`` =
Z (rows yᵢaᵢ), ``b`` = [x*, σ], ``p`` = [n, λ]; ls-wide-consistent ``A`` = data, ``b`` = x*;
logistic-nonseparable ``A`` = Z, ``b`` = [x*, σ(−Zx*), Zx*].

Floors. x* is random (nonzero) in every family here: an iterate resolves x* only to about
eps·|x*| per coordinate, so dist² has the floor (4 eps ||x*||)², f − f* (zero gradient at x*)
L times that and ||∇f||² L² times that, as in :func:`~convlab.problems.quadratics.error_floors`;
a family adds the rounding of its own oracles and the inexactness of a computed x*.
"""

from __future__ import annotations

import math

import numpy as np

from ..runtime.jit import lazy_jit, njit_helper
from .base import UNDERFLOW, Problem
from .family import POSITIVE, SEED, UNIT_OPEN, Family, Interval, count
from .quadratics import error_floors
from .rows import shifted_row_products

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

    Floors (module docstring): :func:`~convlab.problems.quadratics.error_floors` of x* with L.
    f − f* and ∇f are formed from e = x − x♮ with no further cancellation, but x♮ is random,
    so the floor of f − f* is L (4 eps ||x*||)², not underflow.
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
        floors=error_floors(xs, L),
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

    Floors: x* by Newton to ||∇f(x*)|| = g* < 1e-12 (``grad_norm_star``). The value oracle drops
    the term ∇f(x*)ᵀe, so f − f* carries g*²/λ besides the resolution of x* (L (4 eps ||x*||)²);
    dist² carries (4 eps ||x*||)² + (g*/λ)². The gradient λx − (1/n) Σ σ(−zᵢᵀx) zᵢ cancels at
    x*: its summands are of size z_s = ||Z||₂/√n and the margins zᵢᵀx carry about
    eps·z_s·||x*||, passed on with the curvature <= z_s²; so the floor of ||∇f||² is
    (4 eps (z_s (1 + z_s ||x*||) + λ ||x*||))² + g*².
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
    norm2 = float(np.linalg.norm(Amat, 2))
    L = float(norm2**2 / (4 * n) + lam)
    xn = float(np.linalg.norm(x))
    resolution = (4 * _EPS * xn) ** 2
    zs = norm2 / math.sqrt(n)
    return Problem(
        family="ridge-logistic", name=f"ridge-logistic(n={n}, d={d}, lam={lam:g}, seed={seed})",
        A=Z, b=np.concatenate([x, sig]), p=np.array([float(n), float(lam)]),
        oracles={"grad": ridge_logistic_grad, "value": ridge_logistic_value},
        x0=start, xstar=x, fstar=fstar, L=L, mu=float(lam),
        floors={"f_gap": max(L * resolution + gnorm**2 / lam, UNDERFLOW),
                "dist_sq": max(resolution + (gnorm / lam) ** 2, UNDERFLOW),
                "grad_norm_sq": max((4 * _EPS * (zs * (1 + zs * xn) + lam * xn)) ** 2 + gnorm**2,
                                    UNDERFLOW)},
        params=dict(n=n, d=d, lam=float(lam), seed=int(seed), flip=float(flip), x0=x0),
        certified=dict(grad_norm_star=gnorm),
    )


# -- ls-wide-consistent ------------------------------------------------------------------------

@lazy_jit("grad")
def ls_grad(A, b, p, x, out):
    """∇f(x) = Aᵀ A (x − x*)/n with A (n×d) and x* = b."""
    n = A.shape[0]
    g = np.dot(np.dot(A, x - b), A)
    for j in range(out.shape[0]):  # a loop, not out[:] = ...: no shape-error path to compile
        out[j] = g[j] / n


@lazy_jit("value")
def ls_value(A, b, p, x):
    """f(x) − f* = ‖A (x − x*)‖²/(2n), from the error vector (f* = 0, no cancellation)."""
    r = np.dot(A, x - b)
    return 0.5 * np.dot(r, r) / A.shape[0]


@lazy_jit("hess")
def ls_hess(A, b, p, x, out):
    """AᵀA/n."""
    H = np.dot(A.T, A)
    n = A.shape[0]
    for i in range(out.shape[0]):  # loops, not out[:, :] = ...: no shape-error path to compile
        for j in range(out.shape[1]):
            out[i, j] = H[i, j] / n


def ls_wide_consistent(n: int = 50, d: int = 100, seed: int = 0, x0: str = "zero") -> Problem:
    """Consistent underdetermined least squares ``‖Ax − b‖²/(2n)``, b = A x_true (CLAIMS.md P05).

    Parameters
    ----------
    n, d
        Rows and columns of A (n < d: infinitely many solutions).
    seed
        Seed of ``numpy.random.default_rng``: A and x_true with i.i.d. N(0, 1) entries.
    x0
        ``zero`` (x0 = 0) or ``random`` (x0 ~ N(0, I), drawn after the data).

    The solution set is x_true + null(A); x* = x0 + A⁺(b − A x0) is the projection of x0 on it,
    so R = ‖x0 − x*‖ is the distance to the solution set and gradient descent from x0 converges
    to x*. The oracles are written in the error e = x − x* (f = ‖Ae‖²/(2n) is the same function
    with b = A x*), so f(x*) = 0 exactly and f − f* has no cancellation. Certified: f* = 0,
    L = σ_max(A)²/n, PL constant μ = σ_min(A)²/n (smallest of the n nonzero singular values).

    Floors: :func:`~convlab.problems.quadratics.error_floors` of x* with L (x* is random: an
    iterate resolves it to about eps·|x*| per coordinate).
    """
    n, d = int(n), int(d)
    if n < 1 or d < 1:
        raise ValueError(f"n and d must be >= 1, got n={n}, d={d}")
    if n >= d:
        raise ValueError(f"ls-wide-consistent needs n < d (underdetermined), got n={n}, d={d}")
    if x0 not in ("zero", "random"):
        raise ValueError(f"unknown x0 {x0!r} (expected 'zero' or 'random')")
    rng = np.random.default_rng(int(seed))
    A = rng.standard_normal((n, d))
    x_true = rng.standard_normal(d)
    start = rng.standard_normal(d) if x0 == "random" else np.zeros(d)
    sv = np.linalg.svd(A, compute_uv=False)
    if sv[-1] <= 1e-10 * sv[0]:
        raise ValueError("A is numerically rank deficient; choose another seed")
    xs = start + np.linalg.lstsq(A, A @ (x_true - start), rcond=None)[0]
    L, mu = float(sv[0] ** 2 / n), float(sv[-1] ** 2 / n)
    e0 = start - xs
    r0 = A @ e0
    return Problem(
        family="ls-wide-consistent", name=f"ls-wide-consistent(n={n}, d={d}, seed={seed})",
        A=A, b=xs, p=np.zeros(1), oracles={"grad": ls_grad, "value": ls_value, "hess": ls_hess},
        x0=start, xstar=xs, fstar=0.0, L=L, mu=mu, f0_gap=0.5 * float(r0 @ r0) / n,
        floors=error_floors(xs, L), params=dict(n=n, d=d, seed=int(seed), x0=x0),
    )


# -- logistic-nonseparable ---------------------------------------------------------------------

@lazy_jit("grad")
def logistic_grad(A, b, p, x, out):
    """∇f(x) = −(1/n) Zᵀ σ(−Zx), Z = A (rows yᵢaᵢ), σ the logistic function."""
    n = A.shape[0]
    m = np.dot(A, x)
    w = np.empty(n)
    for i in range(n):
        if m[i] >= 0:
            e = math.exp(-m[i])
            w[i] = -e / (1.0 + e) / n
        else:
            w[i] = -1.0 / (1.0 + math.exp(m[i])) / n
    g = np.dot(w, A)
    for j in range(out.shape[0]):
        out[j] = g[j]


@lazy_jit("value")
def logistic_value(A, b, p, x):
    """f(x) − f* = (1/n) Σ ln(1 + σ(−mᵢ*) expm1(−δᵢ)), δ = Z(x − x*), m* = Zx*.

    Each term is ln((1 + e^{−mᵢ})/(1 + e^{−mᵢ*})) exactly, formed from the error x − x*
    (operands: b = [x*, σ(−Zx*), Zx*]), so no f*-sized number is subtracted: the rounding error
    is about eps·(1/n)Σσᵢ|δᵢ| instead of eps·f*. For δᵢ < −30 (far from x*) the term is the
    plain difference of the two softplus values, which cannot overflow.
    """
    n = A.shape[0]
    d = A.shape[1]
    deltas = np.empty(n)
    shifted_row_products(A, x, b, deltas)  # b[:d] = x* (the first d entries are read)
    total = 0.0
    for i in range(n):
        delta = deltas[i]
        if delta > -30.0:
            total += math.log1p(b[d + i] * math.expm1(-delta))
        else:
            # far from x* (expm1 would overflow past −709): the plain difference of softplus
            # values, which are then far apart, so nothing cancels
            z = -(b[d + n + i] + delta)
            zs = -b[d + n + i]
            total += (max(z, 0.0) + math.log1p(math.exp(-abs(z)))
                      - max(zs, 0.0) - math.log1p(math.exp(-abs(zs))))
    return total / n


@lazy_jit("hess")
def logistic_hess(A, b, p, x, out):
    """(1/n) Zᵀ diag(σ(mᵢ)σ(−mᵢ)) Z, m = Zx."""
    n = A.shape[0]
    m = np.dot(A, x)
    w = np.empty(n)
    for i in range(n):
        s = 1.0 / (1.0 + math.exp(-abs(m[i])))
        w[i] = s * (1.0 - s) / n
    H = np.dot(A.T * w, A)
    for i in range(out.shape[0]):  # loops, not out[:, :] = ...: no shape-error path to compile
        for j in range(out.shape[1]):
            out[i, j] = H[i, j]


def _sigmoid(t: np.ndarray) -> np.ndarray:
    """σ(t) = 1/(1 + e^{−t}) without overflow."""
    out = np.empty_like(t)
    pos = t >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-t[pos]))
    e = np.exp(t[~pos])
    out[~pos] = e / (1.0 + e)
    return out


def _logistic_newton(Z: np.ndarray, tol: float = 1e-14, max_iter: int = 100):
    """Newton's method with backtracking for (1/n) Σ ln(1 + e^{−zᵢᵀx}); returns (x, ‖∇f‖)."""
    n, d = Z.shape

    def f(x):
        return float(np.mean(np.logaddexp(0.0, -(Z @ x))))

    def grad_hess(x):
        m = Z @ x
        s = _sigmoid(-m)
        g = -(Z.T @ s) / n
        H = (Z.T * (s * (1 - s))) @ Z / n
        return g, H

    x = np.zeros(d)
    best = (x.copy(), np.inf)
    for _ in range(max_iter):
        g, H = grad_hess(x)
        gn = float(np.linalg.norm(g))
        if gn < best[1]:
            best = (x.copy(), gn)
        if gn < tol:
            break
        step = np.linalg.solve(H, -g)
        t, fx = 1.0, f(x)
        while f(x + t * step) > fx + 1e-4 * t * float(g @ step) and t > 1e-10:
            t *= 0.5
        x = x + t * step
    # a few pure Newton polishing steps: keep the point with the smallest gradient
    for _ in range(5):
        g, H = grad_hess(x)
        gn = float(np.linalg.norm(g))
        if gn < best[1]:
            best = (x.copy(), gn)
        x = x - np.linalg.solve(H, g)
    return best


def logistic_nonseparable(n: int = 500, d: int = 20, seed: int = 0, flip: float = 0.1,
                          x0: str = "zero") -> Problem:
    """Logistic regression ``(1/n) Σ ln(1 + exp(−yᵢ aᵢᵀx))`` on non-separable data (CLAIMS.md P34).

    Parameters
    ----------
    n, d
        Samples and dimension.
    seed
        Seed of ``numpy.random.default_rng``: aᵢ ~ N(0, I), w ~ N(0, I), yᵢ = sign(aᵢᵀw) with a
        fraction ``flip`` of the labels flipped.
    flip
        Fraction of flipped labels (> 0 makes the data non-separable in practice; a separable
        draw, with no minimiser, is refused).
    x0
        ``zero`` or ``random`` (N(0, I), drawn after the data).

    Certified: x* and f* by Newton's method to ‖∇f(x*)‖ < 1e-14 (``grad_norm_star`` records the
    value reached), so f(x*) − min f <= ‖∇f(x*)‖²/(2μ_loc); L = ‖A‖₂²/(4n) (the logistic loss
    has curvature <= 1/4); μ = 0 globally (the curvature vanishes far away); ``mu_local`` =
    λ_min(∇²f(x*)).

    Floors, with g* = ``grad_norm_star`` and z_s = ||Z||₂/√n: f − f* carries the rounding of the
    value oracle near x* (eps·(1/n)Σσᵢ|δᵢ| against μ_loc||e||²/2: 4 (eps z_s)²/μ_loc), the
    inexactness of x* (g*²/μ_loc) and the resolution of x* (L (4 eps ||x*||)²); dist² carries
    (4 eps ||x*||)² + (g*/μ_loc)²; ||∇f||² (a sum that cancels at x*, margins carrying about
    eps·z_s·||x*||) (4 eps z_s (1 + z_s ||x*||))² + g*².
    """
    n, d = int(n), int(d)
    if n < 1 or d < 1:
        raise ValueError(f"n and d must be >= 1, got n={n}, d={d}")
    if not 0 < flip < 1:
        raise ValueError(f"need 0 < flip < 1, got {flip}")
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
    xs, gnorm = _logistic_newton(Z)
    if not (gnorm < 1e-12 and np.all(np.isfinite(xs))):
        raise ValueError(f"no minimiser found (the data may be separable): ||grad|| = {gnorm:.3g}")
    ms = Z @ xs
    sig = _sigmoid(-ms)
    fstar = float(np.mean(np.logaddexp(0.0, -ms)))
    H = (Z.T * (sig * (1 - sig))) @ Z / n
    mu_loc = float(np.linalg.eigvalsh(H)[0])
    L = float(np.linalg.norm(Amat, 2) ** 2 / (4 * n))
    # the value oracle's rounding near x*: eps·(1/n)Σσᵢ|δᵢ| against f − f* ~ μ_loc‖e‖²/2; it
    # dominates below ‖e‖ ~ eps·‖Z‖/(√n μ_loc). Plus the inexactness of x* and its resolution.
    zs = float(np.linalg.norm(Z, 2) / math.sqrt(n))
    resolution = (4 * _EPS * float(np.linalg.norm(xs))) ** 2
    f_floor = max(4 * (_EPS * zs) ** 2 / mu_loc + gnorm**2 / mu_loc + L * resolution, UNDERFLOW)
    dist_floor = max(resolution + (gnorm / mu_loc) ** 2, UNDERFLOW)
    b = np.concatenate([xs, sig, ms])
    e0 = start - xs
    delta0 = Z @ e0
    f0_gap = float(np.mean(np.log1p(sig * np.expm1(-delta0))))
    return Problem(
        family="logistic-nonseparable",
        name=f"logistic-nonseparable(n={n}, d={d}, seed={seed})",
        A=Z, b=b, p=np.zeros(1),
        oracles={"grad": logistic_grad, "value": logistic_value, "hess": logistic_hess},
        x0=start, xstar=xs, fstar=fstar, L=L, mu=0.0, f0_gap=f0_gap,
        floors={"f_gap": f_floor, "dist_sq": dist_floor,
                "grad_norm_sq": max(float((4 * _EPS * zs) ** 2 * (1 + zs * np.linalg.norm(xs)) ** 2)
                                    + gnorm**2, UNDERFLOW)},
        params=dict(n=n, d=d, seed=int(seed), flip=float(flip), x0=x0),
        certified=dict(mu_local=mu_loc, grad_norm_star=gnorm),
    )


#: x0 choices of the regression families.
_STARTS = ("zero", "random")

FAMILIES = (
    # A (n×d), its copy in the SVD, b = [A x♮, x♮]
    Family("huber-regression", huber_regression, "smooth convex",
           ranges={"n": count(1), "d": count(1), "delta": POSITIVE, "seed": SEED,
                   "x0_scale": POSITIVE},
           space={"n": [20, 100], "d": [1, 10], "delta": [0.05, 2.0], "seed": [0, 10_000]},
           example={"n": 40, "d": 5},
           memory=lambda p: 8.0 * (2 * p["n"] * p["d"] + p["n"] + 3 * p["d"])),
    # A and Z = yA (n×d), Zᵀ diag(s) (d×n) and the Newton Hessian (d×d) with its solve
    Family("ridge-logistic", ridge_logistic, "strongly convex",
           ranges={"n": count(1), "d": count(1), "lam": POSITIVE, "seed": SEED,
                   "flip": Interval(0.0, 1.0, open_high=True), "x0": _STARTS},
           space={"n": [20, 200], "d": [1, 10], "lam": [0.01, 1.0], "seed": [0, 10_000],
                  "flip": [0.05, 0.3], "x0": list(_STARTS)},
           example={"n": 60, "d": 5},
           memory=lambda p: 8.0 * (3 * p["n"] * p["d"] + 2 * p["d"] ** 2 + 3 * p["n"])),
    # A (n×d) and its copies in the SVD and the least-squares solve
    Family("ls-wide-consistent", ls_wide_consistent, "smooth convex, PL",
           ranges={"n": count(1), "d": count(2), "seed": SEED, "x0": _STARTS},
           space={"seed": [0, 10_000]}, example={"n": 10, "d": 20},
           memory=lambda p: 8.0 * (3 * p["n"] * p["d"] + 4 * p["d"])),
    # A and Z (n×d), Zᵀ diag(s) (d×n) and the Newton Hessian (d×d) with its solve
    Family("logistic-nonseparable", logistic_nonseparable, "smooth convex",
           ranges={"n": count(1), "d": count(1), "seed": SEED, "flip": UNIT_OPEN,
                   "x0": _STARTS},
           space={"n": [50, 300], "d": [1, 10], "seed": [0, 10_000], "flip": [0.05, 0.3],
                  "x0": list(_STARTS)},
           example={"n": 100, "d": 5},
           memory=lambda p: 8.0 * (3 * p["n"] * p["d"] + 2 * p["d"] ** 2 + 4 * p["n"])),
)

