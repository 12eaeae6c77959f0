"""Smooth convex regression families and horizon-N worst cases of the optimized gradient method.

Families (CLAIMS.md recipes):

- :func:`ls_wide_consistent` (P05): ``f(x) = ‖A(x − x*)‖²/(2n)`` with a wide Gaussian A (n < d),
  i.e. the consistent least-squares problem ‖Ax − b‖²/(2n) with b = A x*; convex, not strongly
  convex, PL with μ = σ_min(A)²/n;
- :func:`logistic_nonseparable` (P34): logistic regression on labels with 10 % flipped, so a
  minimiser exists; x*, f* by Newton's method;
- :func:`huber_ogm_worst`: the 1-D Huber function with δ = R/θ_N², on which OGM at horizon N
  attains L R²/(2θ_N²) (Kim & Fessler 2016); certifies ``theta_N``;
- :func:`nesterov_chain_horizon`: Nesterov's chain with m = 2N + 1 for horizon N, with O(m)
  tridiagonal oracles (the dense ``nesterov-chain`` costs O(m²) per gradient), certifying OGM's
  ``theta_N`` so that bounds can name it.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from ..runtime.jit import lazy_jit
from .base import UNDERFLOW, Problem

_EPS = float(np.finfo(float).eps)


# -- ls-wide-consistent ------------------------------------------------------------------------

@lazy_jit("grad")
def ls_grad(A, b, p, x, out):
    """∇f(x) = Aᵀ A (x − x*)/n with A (n×d) and x* = b."""
    n = A.shape[0]
    r = np.dot(A, x - b)
    out[:] = np.dot(r, A) / n


@lazy_jit("value")
def ls_value(A, b, p, x):
    """f(x) − f* = ‖A (x − x*)‖²/(2n), from the error vector (f* = 0, no cancellation)."""
    r = np.dot(A, x - b)
    return 0.5 * np.dot(r, r) / A.shape[0]


@lazy_jit("hess")
def ls_hess(A, b, p, x, out):
    """AᵀA/n."""
    out[:, :] = np.dot(A.T, A) / A.shape[0]


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
    scale = 4 * _EPS * float(np.linalg.norm(xs))
    dist_floor = max(scale**2, UNDERFLOW)
    e0 = start - xs
    r0 = A @ e0
    return Problem(
        family="ls-wide-consistent", name=f"ls-wide-consistent(n={n}, d={d}, seed={seed})",
        A=A, b=xs, p=np.zeros(1), oracles={"grad": ls_grad, "value": ls_value, "hess": ls_hess},
        x0=start, xstar=xs, fstar=0.0, L=L, mu=mu, f0_gap=0.5 * float(r0 @ r0) / n,
        floors={"dist_sq": dist_floor, "f_gap": max(L * dist_floor, UNDERFLOW),
                "grad_norm_sq": max(L * L * dist_floor, UNDERFLOW)},
        params=dict(n=n, d=d, seed=int(seed), x0=x0),
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
    out[:] = np.dot(w, A)


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
    total = 0.0
    for i in range(n):
        delta = 0.0
        for j in range(d):
            delta += A[i, j] * (x[j] - b[j])
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
    out[:, :] = np.dot(A.T * w, A)


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
    # dominates below ‖e‖ ~ eps·‖Z‖/(√n μ_loc). Plus the inexactness of x*.
    zs = float(np.linalg.norm(Z, 2) / math.sqrt(n))
    f_floor = max(4 * (_EPS * zs) ** 2 / mu_loc + gnorm**2 / mu_loc, UNDERFLOW)
    dist_floor = max((4 * _EPS * float(np.linalg.norm(xs))) ** 2 + (gnorm / mu_loc) ** 2,
                     UNDERFLOW)
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


# -- horizon-N worst cases of OGM --------------------------------------------------------------

def ogm_theta(N: int) -> float:
    """θ_N of OGM for horizon N: θ_0 = 1, θ_k = (1 + sqrt(1 + 4θ_{k−1}²))/2 for k < N and
    θ_N = (1 + sqrt(1 + 8θ_{N−1}²))/2 (Kim & Fessler 2016)."""
    N = int(N)
    if N < 1:
        raise ValueError(f"N must be >= 1, got {N}")
    theta = 1.0
    for k in range(1, N + 1):
        factor = 8.0 if k == N else 4.0
        theta = 0.5 * (1.0 + math.sqrt(1.0 + factor * theta * theta))
    return theta


def huber_ogm_worst(N: int, L: float = 1.0, R: float = 1.0) -> Problem:
    """The 1-D Huber function with δ = R/θ_N², started at x0 = R: OGM with step 1/L attains
    f(x_N) − f* = L R²/(2θ_N²) on it (Kim & Fessler 2016, Thm 2 and §4).

    Certifies ``theta_N`` (see :func:`ogm_theta`).
    """
    from .huber import huber_1d

    theta = ogm_theta(N)
    base = huber_1d(delta=float(R) / theta**2, L=L, R=R)
    return dataclasses.replace(
        base, family="huber-ogm-worst", name=f"huber-ogm-worst(N={int(N)}, L={L:g}, R={R:g})",
        params=dict(N=int(N), L=float(L), R=float(R), delta=float(R) / theta**2),
        certified=dict(theta_N=theta))


@lazy_jit("grad")
def chain_grad(A, b, p, x, out):
    """∇f(x) = (L/4) A_m (x − x*) for the tridiagonal A_m = tridiag(−1, 2, −1); p[0] = L/4."""
    c = p[0]
    m = x.shape[0]
    for i in range(m):
        e = x[i] - b[i]
        s = 2.0 * e
        if i > 0:
            s -= x[i - 1] - b[i - 1]
        if i + 1 < m:
            s -= x[i + 1] - b[i + 1]
        out[i] = c * s


@lazy_jit("value")
def chain_value(A, b, p, x):
    """f(x) − f* = (L/8)(e_1² + e_m² + Σ (e_i − e_{i+1})²), e = x − x*: a sum of squares."""
    m = x.shape[0]
    e_first = x[0] - b[0]
    e_last = x[m - 1] - b[m - 1]
    total = e_first * e_first + e_last * e_last
    for i in range(m - 1):
        diff = (x[i] - b[i]) - (x[i + 1] - b[i + 1])
        total += diff * diff
    return 0.5 * p[0] * total


def nesterov_chain_horizon(N: int, L: float = 1.0) -> Problem:
    """Nesterov's chain quadratic ``(L/4)(½ xᵀA_m x − x₁)`` with m = 2N + 1 for horizon N and
    x0 = 0 (Nesterov 2004, Thm 2.1.7), with O(m) tridiagonal oracles, certifying OGM's
    ``theta_N`` for the same horizon (see :func:`ogm_theta`).

    The same function and constants as the ``nesterov-chain`` family with m = 2N + 1: x*ᵢ =
    1 − i/(m+1), f* = (L/8)(1/(m+1) − 1), R² = m(2m+1)/(6(m+1)), Hessian eigenvalues
    L sin²(iπ/(2(m+1))). Operands: ``A`` = [[L/4]] (the Hessian is not stored), ``b`` = x*,
    ``p`` = [L/4]. The value oracle is the sum of squares (L/8)(e₁² + e_m² + Σ(eᵢ − eᵢ₊₁)²).
    """
    N, L = int(N), float(L)
    if N < 1:
        raise ValueError(f"N must be >= 1, got {N}")
    if not L > 0:
        raise ValueError(f"need L > 0, got {L}")
    m = 2 * N + 1
    i = np.arange(1, m + 1)
    xs = 1.0 - i / (m + 1)
    scale = 4 * _EPS * float(np.linalg.norm(xs))
    dist_floor = max(scale**2, UNDERFLOW)
    return Problem(
        family="nesterov-chain-horizon", name=f"nesterov-chain-horizon(N={N}, L={L:g})",
        A=np.array([[L / 4]]), b=xs, p=np.array([L / 4]),
        oracles={"grad": chain_grad, "value": chain_value},
        x0=np.zeros(m), xstar=xs, fstar=(L / 8) * (1 / (m + 1) - 1), L=L,
        mu=L * math.sin(math.pi / (2 * (m + 1))) ** 2,
        f0_gap=(L / 8) * (1 - 1 / (m + 1)),
        floors={"dist_sq": dist_floor, "f_gap": max(L * dist_floor, UNDERFLOW),
                "grad_norm_sq": max(L * L * dist_floor, UNDERFLOW)},
        params=dict(N=N, L=L), certified=dict(theta_N=ogm_theta(N), m=float(m)),
    )
