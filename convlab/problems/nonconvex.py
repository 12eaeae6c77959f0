"""Smooth nonconvex families: a PL function, a robust regression, symmetric matrix factorisation.

Families (CLAIMS.md recipes):

- :func:`pl_sin` (P06): ``f(x) = Σᵢ (xᵢ² + 3 sin² xᵢ)``, nonconvex, L = 8, PL with the certified
  μ = 1/32 of Karimi, Nutini & Schmidt (2016); x* = 0, f* = 0;
- :func:`cauchy_regression` (P07): ``f(x) = (1/n) Σᵢ ln(1 + (aᵢᵀx − bᵢ)²)`` with 20 % gross
  outliers; nonconvex, L = 2‖A‖₂²/n, certified lower bound f_inf = 0 (no x* is known);
- :func:`matrix_factor_full` (P08): ``f(X) = ¼‖XXᵀ − M*‖²_F`` over X ∈ R^{n×k} (flattened row by
  row), M* = U*U*ᵀ of rank r with orthonormal U*; min f = 0; extra measures ``residual_sq`` =
  ‖XXᵀ − M*‖²_F and ``residual`` = ‖XXᵀ − M*‖_F.

The first two have an additive-noise stochastic oracle ``g = ∇f(x) + s ξ`` with ξ ~ N(0, I_d)
drawn from the sample (counters 0..d−1), so E‖g − ∇f‖² = s² d (certified ``sigma_sq``).
"""

from __future__ import annotations

import math

import numpy as np

from ..runtime.jit import lazy_jit, njit_helper
from ..runtime.memo import keep_gradient, recall_gradient
from ..runtime.random import add_normals
from .base import UNDERFLOW, Problem
from .family import FINITE, NONNEGATIVE, POSITIVE, SEED, Family, Interval, count
from .rows import add_weighted_rows, residuals

_EPS = float(np.finfo(float).eps)


# -- pl-sin ------------------------------------------------------------------------------------

@lazy_jit("grad")
def pl_sin_grad(A, b, p, x, out):
    """∇f(x)ᵢ = 2xᵢ + 3 sin(2xᵢ)."""
    for i in range(x.shape[0]):
        out[i] = 2.0 * x[i] + 3.0 * np.sin(2.0 * x[i])


@lazy_jit("sgrad")
def pl_sin_sgrad(A, b, p, x, t, s, out):
    """∇f(x) + p[0] ξ, ξ ~ N(0, I) from sample s (counter i for coordinate i)."""
    sigma = p[0]
    for i in range(x.shape[0]):
        out[i] = 2.0 * x[i] + 3.0 * np.sin(2.0 * x[i])
    if sigma != 0.0:
        add_normals(s, 0, sigma, out)


@lazy_jit("value")
def pl_sin_value(A, b, p, x):
    """f(x) − f* = Σ (xᵢ² + 3 sin² xᵢ): a sum of non-negative terms (f* = 0, no cancellation)."""
    total = 0.0
    for i in range(x.shape[0]):
        s = np.sin(x[i])
        total += x[i] * x[i] + 3.0 * s * s
    return total


@lazy_jit("hess")
def pl_sin_hess(A, b, p, x, out):
    """Diagonal Hessian 2 + 6 cos(2xᵢ)."""
    out[:, :] = 0.0
    for i in range(x.shape[0]):
        out[i, i] = 2.0 + 6.0 * np.cos(2.0 * x[i])


#: Certified PL constant of x² + 3 sin² x (Karimi, Nutini & Schmidt 2016, §2: μ = 1/32).
PL_SIN_MU = 1.0 / 32.0


def pl_sin(d: int = 20, seed: int = 0, noise: float = 0.0, radius: float = 20.0) -> Problem:
    """``f(x) = Σᵢ (xᵢ² + 3 sin² xᵢ)``, nonconvex and PL (CLAIMS.md P06).

    Parameters
    ----------
    d
        Dimension.
    seed
        Seed of ``numpy.random.default_rng`` for the start x0 ~ U[−radius, radius]^d.
    noise
        Standard deviation s of the additive noise of the stochastic oracle ∇f + s ξ.
    radius
        Half-width of the box the start is drawn from.

    Certified: x* = 0, f* = 0; L = 8 since f''ᵢ = 2 + 6 cos 2xᵢ ∈ [−4, 8]; PL constant μ = 1/32
    (Karimi et al. 2016; the true per-coordinate constant min ½f'²/f is about 0.1755, see the
    tests); ``sigma_sq`` = s² d; ``rho`` = 4 (weak convexity: f + 2‖x‖² is convex).

    Floors: x* = 0, so x − x* = x is exact, f − f* is a sum of non-negative terms and
    ∇f = 2x + 3 sin 2x has no cancellation near 0 (both terms have the sign of x): every measure
    down to underflow.
    """
    d = int(d)
    if d < 1:
        raise ValueError(f"d must be >= 1, got {d}")
    if not noise >= 0:
        raise ValueError(f"need noise >= 0, got {noise}")
    if not radius > 0:
        raise ValueError(f"need radius > 0, got {radius}")
    rng = np.random.default_rng(int(seed))
    x0 = rng.uniform(-radius, radius, size=d)
    return Problem(
        family="pl-sin", name=f"pl-sin(d={d}, seed={seed}, noise={noise:g})",
        A=np.zeros((1, 1)), b=np.zeros(1), p=np.array([float(noise)]),
        oracles={"grad": pl_sin_grad, "sgrad": pl_sin_sgrad, "value": pl_sin_value,
                 "hess": pl_sin_hess},
        x0=x0, xstar=np.zeros(d), fstar=0.0, L=8.0, mu=PL_SIN_MU,
        floors={"f_gap": UNDERFLOW, "dist_sq": UNDERFLOW, "grad_norm_sq": UNDERFLOW},
        params=dict(d=d, seed=int(seed), noise=float(noise), radius=float(radius)),
        certified=dict(sigma_sq=float(noise) ** 2 * d, rho=4.0),
    )


# -- cauchy-regression -------------------------------------------------------------------------

#: Entries of cauchy-regression's own ``p`` (the noise s); a run's gradient memo follows them.
_CAUCHY_P = 1


@lazy_jit("grad")
def cauchy_grad(A, b, p, x, out):
    """∇f(x) = (1/n) Aᵀ w, wᵢ = 2rᵢ/(1 + rᵢ²), r = Ax − b."""
    _cauchy_gradient(A, b, p, x, out)


@njit_helper
def _cauchy_gradient(A, b, p, x, out):
    """out = (1/n) Σᵢ aᵢ 2rᵢ/(1 + rᵢ²), rows added in order (:mod:`.rows`); recalled from, or
    kept in, the gradient memo of a run that has one (:mod:`convlab.runtime.memo`)."""
    if recall_gradient(p, _CAUCHY_P, x, out):
        return
    n = A.shape[0]
    w = np.empty(n)
    residuals(A, b, x, w)
    for i in range(n):
        w[i] = 2.0 * w[i] / (1.0 + w[i] * w[i]) / n
    for j in range(out.shape[0]):
        out[j] = 0.0
    add_weighted_rows(A, w, out)
    keep_gradient(p, _CAUCHY_P, x, out)


@lazy_jit("sgrad")
def cauchy_sgrad(A, b, p, x, t, s, out):
    """∇f(x) + p[0] ξ, ξ ~ N(0, I) from sample s (counter j for coordinate j); ∇f(x) as
    :func:`cauchy_grad` computes it, through the same gradient memo."""
    _cauchy_gradient(A, b, p, x, out)
    sigma = p[0]
    if sigma != 0.0:
        add_normals(s, 0, sigma, out)


@lazy_jit("value")
def cauchy_value(A, b, p, x):
    """f(x) − f_inf = (1/n) Σ ln(1 + rᵢ²) (f_inf = 0): non-negative terms, log1p."""
    n = A.shape[0]
    r = np.empty(n)
    residuals(A, b, x, r)
    total = 0.0
    for i in range(n):
        total += np.log1p(r[i] * r[i])
    return total / n


@lazy_jit("hess")
def cauchy_hess(A, b, p, x, out):
    """(1/n) Aᵀ diag(φ''(rᵢ)) A with φ''(r) = 2(1 − r²)/(1 + r²)²."""
    n = A.shape[0]
    d = A.shape[1]
    out[:, :] = 0.0
    for i in range(n):
        r = -b[i]
        for j in range(d):
            r += A[i, j] * x[j]
        q = 1.0 + r * r
        c = 2.0 * (1.0 - r * r) / (q * q) / n
        for j in range(d):
            for l in range(d):
                out[j, l] += c * A[i, j] * A[i, l]


def cauchy_regression(n: int = 200, d: int = 20, seed: int = 0, noise: float = 0.0,
                      x0: str = "zero", x0_scale: float = 10.0,
                      outliers: float = 0.2) -> Problem:
    """Robust regression with the Cauchy loss ``(1/n) Σ ln(1 + (aᵢᵀx − bᵢ)²)`` (CLAIMS.md P07).

    Parameters
    ----------
    n, d
        Samples and dimension.
    seed
        Seed of ``numpy.random.default_rng``: A has i.i.d. N(0, 1/d) entries, x_true ~ N(0, I),
        b = A x_true with a fraction ``outliers`` of the entries replaced by N(0, 10²).
    noise
        Standard deviation s of the additive noise of the stochastic oracle ∇f + s ξ.
    x0
        ``zero`` (x0 = 0) or ``random`` (x0 = x0_scale · N(0, I), drawn after the data).
    x0_scale
        Scale of the random start.
    outliers
        Fraction of gross outliers in b.

    Certified: f ≥ f_inf = 0 (a lower bound; the global minimum is not known, so x* is None and
    ``fstar`` holds f_inf, which makes ``Delta`` = f(x0) − f_inf); L = 2‖A‖₂²/n because
    φ(r) = ln(1 + r²) has φ'' ∈ [−1/4, 2]; ``rho`` = ‖A‖₂²/(4n) (weak convexity);
    ``sigma_sq`` = s² d; ``f_inf`` = 0.

    Floors: f − f_inf is a sum of non-negative log1p terms (relative rounding only, and f stays
    far above f_inf = 0 with outliers): underflow. ||∇f||² cancels at a stationary point: the
    floor below is the rounding of the residuals passed through φ' and averaged by Aᵀ/n.
    """
    n, d = int(n), int(d)
    if n < 1 or d < 1:
        raise ValueError(f"n and d must be >= 1, got n={n}, d={d}")
    if not noise >= 0:
        raise ValueError(f"need noise >= 0, got {noise}")
    if not 0 <= outliers <= 1:
        raise ValueError(f"need 0 <= outliers <= 1, got {outliers}")
    if x0 not in ("zero", "random"):
        raise ValueError(f"unknown x0 {x0!r} (expected 'zero' or 'random')")
    rng = np.random.default_rng(int(seed))
    A = rng.standard_normal((n, d)) / math.sqrt(d)
    x_true = rng.standard_normal(d)
    b = A @ x_true
    n_out = int(round(outliers * n))
    idx = rng.choice(n, size=n_out, replace=False)
    b[idx] = 10.0 * rng.standard_normal(n_out)
    start = x0_scale * rng.standard_normal(d) if x0 == "random" else np.zeros(d)
    norm2 = float(np.linalg.norm(A, 2)) ** 2
    # rounding of ∇f: a residual rᵢ carries about sqrt(d)·eps·(‖aᵢ‖‖x‖ + |bᵢ|), φ' passes it on
    # amplified by |φ''| <= 2, and (1/n)Aᵀ averages n such errors (‖A‖₂/n times a vector of norm
    # ~sqrt(n) times the per-residual error); x stays within ‖x_true‖ + ‖x0‖ of the origin. A
    # factor 4 of margin on the norm.
    row = float(np.linalg.norm(A, axis=1).max())
    per_residual = math.sqrt(d) * _EPS * (
        row * (np.linalg.norm(x_true) + np.linalg.norm(start) + 1.0) + np.abs(b).max())
    scale = 2.0 * math.sqrt(norm2) / math.sqrt(n) * per_residual
    gfloor = max((4.0 * scale) ** 2, UNDERFLOW)
    return Problem(
        family="cauchy-regression", name=f"cauchy-regression(n={n}, d={d}, seed={seed})",
        A=A, b=b, p=np.array([float(noise)]),
        oracles={"grad": cauchy_grad, "sgrad": cauchy_sgrad, "value": cauchy_value,
                 "hess": cauchy_hess},
        x0=start, xstar=None, fstar=0.0, L=2.0 * norm2 / n, mu=0.0,
        floors={"grad_norm_sq": gfloor, "f_gap": UNDERFLOW},
        params=dict(n=n, d=d, seed=int(seed), noise=float(noise), x0=x0,
                    x0_scale=float(x0_scale), outliers=float(outliers)),
        certified=dict(sigma_sq=float(noise) ** 2 * d, rho=norm2 / (4.0 * n), f_inf=0.0),
        gradient_memo=True,
    )


# -- matrix-factor-full ------------------------------------------------------------------------

@lazy_jit("grad")
def factor_grad(A, b, p, x, out):
    """∇f(X) = (XXᵀ − M*) X for X = x reshaped n×k row by row; A = M* (n×n)."""
    n = A.shape[0]
    k = x.shape[0] // n
    for i in range(n):
        for c in range(k):
            out[i * k + c] = 0.0
    for i in range(n):
        for j in range(n):
            e = -A[i, j]
            for c in range(k):
                e += x[i * k + c] * x[j * k + c]
            for c in range(k):
                out[i * k + c] += e * x[j * k + c]


@lazy_jit("value")
def factor_value(A, b, p, x):
    """f(X) − f* = ¼‖XXᵀ − M*‖²_F (f* = 0)."""
    n = A.shape[0]
    k = x.shape[0] // n
    total = 0.0
    for i in range(n):
        for j in range(n):
            e = -A[i, j]
            for c in range(k):
                e += x[i * k + c] * x[j * k + c]
            total += e * e
    return 0.25 * total


def _factor_residual_sq(pr: Problem, X: np.ndarray) -> np.ndarray:
    n, k = pr.params["n"], pr.params["width"]
    F = X.reshape(X.shape[0], n, k)
    E = np.einsum("mic,mjc->mij", F, F) - pr.A
    return np.einsum("mij,mij->m", E, E)


def matrix_factor_full(n: int = 10, r: int = 1, width: int = 1, alpha: float = 0.1,
                       seed: int = 0) -> Problem:
    """Symmetric matrix factorisation ``f(X) = ¼‖XXᵀ − M*‖²_F``, X ∈ R^{n×k} (CLAIMS.md P08).

    Parameters
    ----------
    n, r, width
        Matrix size, rank of M* and factor width k (k > r: over-parameterised, k = r: exact;
        CLAIMS.md calls it k, renamed here because ``k`` is the iteration variable of bounds and
        a family parameter of that name would shadow it).
    alpha
        Scale of the small random start X0 = α G, G with i.i.d. N(0, 1) entries.
    seed
        Seed of ``numpy.random.default_rng`` for U* (QR of a Gaussian n×r) and G.

    M* = U*U*ᵀ with orthonormal U*, so its nonzero singular values are 1. The variable is X
    flattened row by row (x[i·k + c] = X[i, c]). min f = 0, attained iff XXᵀ = M* (k >= r); the
    solution set is a manifold, so x* is None. f is quartic, not globally smooth: L = inf (step
    sizes are set by the claims). Extra measures ``residual_sq`` = ‖XXᵀ − M*‖²_F = 4 f and
    ``residual`` = ‖XXᵀ − M*‖_F.

    Floors: each entry of XXᵀ − M* is a sum of k products minus an entry of size <= 1, so near
    the solution it carries about (k + 1)·eps: residual² has the floor (2 (k + 1) eps)² n²
    (residual its square root, f − f* a quarter of it) and ||∇f||² = ||(XXᵀ − M*)X||² that
    times (1 + k).
    """
    n, r, k = int(n), int(r), int(width)
    if not (n >= 1 and 1 <= r <= n and k >= 1):
        raise ValueError(f"need n >= 1, 1 <= r <= n, width >= 1, got n={n}, r={r}, width={k}")
    if k < r:
        raise ValueError(f"need width >= r (else min f > 0 is unknown), got width={k}, r={r}")
    if not alpha > 0:
        raise ValueError(f"need alpha > 0, got {alpha}")
    rng = np.random.default_rng(int(seed))
    U, _ = np.linalg.qr(rng.standard_normal((n, r)))
    M = U @ U.T
    M = 0.5 * (M + M.T)
    X0 = float(alpha) * rng.standard_normal((n, k))
    # entries of XXᵀ − M* carry about (k + 1)·eps of rounding near the solution (|entries| <= 1)
    res_floor = max((2.0 * (k + 1) * _EPS) ** 2 * n * n, UNDERFLOW)
    return Problem(
        family="matrix-factor-full",
        name=f"matrix-factor-full(n={n}, r={r}, width={k}, alpha={alpha:g}, seed={seed})",
        A=M, b=np.zeros(1), p=np.zeros(1),
        oracles={"grad": factor_grad, "value": factor_value},
        x0=X0.ravel(), xstar=None, fstar=0.0, L=math.inf, mu=0.0,
        floors={"f_gap": res_floor / 4, "residual_sq": res_floor,
                "residual": math.sqrt(res_floor),
                "grad_norm_sq": res_floor * (1.0 + k)},
        params=dict(n=n, r=r, width=k, alpha=float(alpha), seed=int(seed)),
        extra_measures={"residual_sq": (_factor_residual_sq, "||X X^T - M*||_F^2"),
                        "residual": (lambda pr, X: np.sqrt(_factor_residual_sq(pr, X)),
                                     "||X X^T - M*||_F")},
    )


FAMILIES = (
    Family("pl-sin", pl_sin, "PL",
           ranges={"d": count(1), "seed": SEED, "noise": NONNEGATIVE, "radius": POSITIVE},
           space={"d": [1, 30], "seed": [0, 10_000]}, example={"d": 5},
           memory=lambda p: 8.0 * 4 * p["d"]),
    # A (n×d) and its copy in the spectral norm, b, x_true, x0
    Family("cauchy-regression", cauchy_regression, "smooth nonconvex",
           ranges={"n": count(1), "d": count(1), "seed": SEED, "noise": NONNEGATIVE,
                   "x0": ("zero", "random"), "x0_scale": FINITE, "outliers": Interval(0.0, 1.0)},
           space={"n": [20, 200], "d": [1, 20], "seed": [0, 10_000], "x0": ["zero", "random"]},
           example={"n": 40, "d": 5},
           memory=lambda p: 8.0 * (2 * p["n"] * p["d"] + 3 * p["n"] + 3 * p["d"])),
    # M* (n×n), its symmetrised copy, U* (n×r) and X0 (n×width)
    Family("matrix-factor-full", matrix_factor_full, "nonconvex (quartic, not globally smooth)",
           ranges={"n": count(1), "r": count(1), "width": count(1), "alpha": POSITIVE,
                   "seed": SEED},
           space={"n": [2, 10], "r": [1, 2], "width": [2, 4], "alpha": [0.01, 1.0],
                  "seed": [0, 10_000]},
           example={"n": 5, "r": 1, "width": 2},
           memory=lambda p: 8.0 * (3 * p["n"] ** 2 + p["n"] * (p["r"] + p["width"]))),
)
