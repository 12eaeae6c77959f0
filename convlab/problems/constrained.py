"""Composite and constrained families with certified solutions (CLAIMS.md recipes P15-P18).

Each family builds its data so that the solution is known by an optimality certificate, and
computes f(x) − f* from the error e = x − x* as a sum of terms that are nonnegative on the
feasible set, so the measure has no cancellation against f*:

- :func:`lasso_certified` (P15): F(x) = ½||Ax − b||² + λ||x||₁ with a dual certificate
  Aᵀ(b − Ax*) = λu, u ∈ ∂||x*||₁, strictly dual feasible off the support. Then, for every x,

      F(x) − F* = ½||Ae||² + λ Σᵢ (|xᵢ| − uᵢxᵢ),

  and every term is >= 0 (|uᵢ| <= 1); the terms of the support vanish exactly while the signs
  agree (uᵢ = ±1). Prox: soft-thresholding.
- :func:`l1ball_quadratic_certified` (P16): f(x) = ½xᵀHx − cᵀx on the l1 ball of radius 1,
  c = Hx* + τu with ||x*||₁ = 1 and u ∈ ∂||x*||₁, so −∇f(x*) = τu lies in the normal cone. For
  every x, f(x) − f* = ½eᵀHe + τ[(1 − ||x||₁) + Σᵢ(|xᵢ| − uᵢxᵢ)]. LMO: signed vertex; prox:
  the projection onto the ball.
- :func:`portfolio_logbarrier` (P17): f(x) = −(1/m) Σᵢ ln(rᵢᵀx) on the simplex. Not globally
  smooth (L = inf); (2√m, 3)-generalized self-concordant. f* is certified by a reference point
  x_ref with a Frank–Wolfe gap g(x_ref) <= 1e-12 (convexity: f(x_ref) − f* <= g(x_ref)), and
  f(x) − f(x_ref) = −(1/m) Σᵢ log1p(rᵢᵀ(x − x_ref)/rᵢᵀx_ref) is computed without
  cancellation against f*.
- :func:`nnls_certified` (P18): f(x) = ½||Ax − b||² on R^d_+, with b chosen so that
  ∇f(x*) = λ >= 0, λ = 0 off the zero set Z of x* (KKT). For every x,
  f(x) − f* = ½||Ae||² + Σ_{i in Z} λᵢxᵢ. Prox: max(x, 0).

Operand packing (oracles see ``A, b, p``): the data matrix comes first in ``A`` and the
certificate rows (x*, u or λ) are appended as the last rows of ``A``; ``b`` is the data vector,
``p`` holds the scalar parameters.

Floors. The data are rounded to float64, so the minimiser of the stored problem differs from
the certified x* by about eps·cond·||x*|| (cond of the active block); the floors below bound
that (and the rounding of the measure itself), with a safety factor. The ``grad`` oracle is
the gradient of the smooth part, which does not vanish at a constrained or composite solution;
its ``grad_norm_sq`` floor is the rounding of the residual Ax − b (or Hx − c), which cancels,
passed through Aᵀ, plus L² times the floor of dist². The Frank–Wolfe measures: ``fw_gap`` (and
the kernels' running ``min_fw_gap``) carry the rounding of <g, x − s>; the quotient
``f_gap_over_fw_gap`` has no absolute floor of its own (underflow): it carries the relative
errors of its two parts, and is noise only where f_gap or fw_gap is at its own floor, which a
level on the quotient cannot express.
"""

from __future__ import annotations

import math

import numpy as np

from ..runtime.jit import lazy_jit
from .base import UNDERFLOW, Problem
from .family import POSITIVE, SEED, Family, count
from .rows import add_weighted_rows, residuals, row_products, shifted_row_products
from .sets import lmo_l1_ball, lmo_simplex, project_l1_ball, project_nonneg, project_simplex

_EPS = float(np.finfo(float).eps)


# -- shared measures -------------------------------------------------------------------------

def fw_gap_measure(pr: Problem, X: np.ndarray) -> np.ndarray:
    """Frank–Wolfe gap max_{s in X} <∇f(x), x − s> = <∇f(x), x − LMO(∇f(x))> at each row."""
    grad, lmo = pr.oracle("grad"), pr.oracle("lmo")
    g = np.empty(pr.dim)
    s = np.empty(pr.dim)
    out = np.empty(X.shape[0])
    for j, x in enumerate(X):
        x = np.ascontiguousarray(x)
        grad(pr.A, pr.b, pr.p, x, g)
        lmo(pr.A, pr.b, pr.p, g, s)
        out[j] = float(g @ (x - s))
    return out


def primal_over_fw_gap(pr: Problem, X: np.ndarray) -> np.ndarray:
    """(f(x) − f*)/g(x) with g the Frank–Wolfe gap: at most 1 at every point by convexity
    (f* >= f(x) + min_s <∇f(x), s − x> = f(x) − g(x)). At a point where both vanish (Frank-Wolfe
    can land on a vertex solution exactly) the inequality holds as 0 <= 0: the ratio is 0, not
    0/0."""
    gap, fw = pr.measure("f_gap", X), fw_gap_measure(pr, X)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where((gap == 0) & (fw == 0), 0.0, gap / fw)


_FW_MEASURES = {
    "fw_gap": (fw_gap_measure, "Frank-Wolfe gap max_s <grad f(x), x - s> over the feasible set"),
    "f_gap_over_fw_gap": (primal_over_fw_gap,
                          "(f(x) - f*)/fw_gap(x), at most 1 by convexity (Jaggi 2013)"),
}


def _fw_floors(fw_floor: float) -> dict[str, float]:
    """Floors of the Frank–Wolfe measures (module docstring)."""
    return {"fw_gap": fw_floor, "min_fw_gap": fw_floor, "f_gap_over_fw_gap": UNDERFLOW}


def _residual_grad_floor(L: float, data_norm: float, xstar_norm: float, dist_sq: float) -> float:
    """Floor of ||Aᵀ(Ax − b)||² near x*: the residual carries about eps·(||b|| + ||A|| ||x*||),
    Aᵀ multiplies it by ||A|| = √L (4 eps with margin), and x carries the floor of dist²."""
    root = math.sqrt(L)
    return max((4 * _EPS * root * (data_norm + root * xstar_norm)) ** 2 + L * L * dist_sq,
               UNDERFLOW)


# -- lasso (P15) -----------------------------------------------------------------------------

@lazy_jit("grad")
def least_squares_grad(A, b, p, x, out):
    """out = Aᵀ(Ax − b) over the first n = A.shape[0] − 2 rows (the design matrix; the last two
    rows hold x* and the certificate). Shared by the lasso and NNLS families."""
    r = np.empty(A.shape[0] - 2)
    residuals(A, b, x, r)
    for i in range(x.shape[0]):
        out[i] = 0.0
    add_weighted_rows(A, r, out)


@lazy_jit("value")
def lasso_value(A, b, p, x):
    """F(x) − F* = ½||A e||² + λ Σ (|xᵢ| − uᵢ xᵢ), e = x − x* (x* = row n, u = row n + 1)."""
    n = A.shape[0] - 2
    d = x.shape[0]
    lam = p[0]
    r = np.empty(n)
    shifted_row_products(A, x, A[n], r)
    quad = 0.0
    for k in range(n):
        quad += r[k] * r[k]
    lin = 0.0
    for i in range(d):
        lin += abs(x[i]) - A[n + 1, i] * x[i]
    return 0.5 * quad + lam * lin


@lazy_jit("prox")
def lasso_prox(A, b, p, x, step, out):
    """Soft-thresholding at step·λ: the prox of step·λ||.||₁."""
    t = step * p[0]
    for i in range(x.shape[0]):
        a = abs(x[i]) - t
        if a <= 0.0:
            out[i] = 0.0
        elif x[i] > 0.0:
            out[i] = a
        else:
            out[i] = -a


@lazy_jit("hess")
def least_squares_hess(A, b, p, x, out):
    """AᵀA over the first n = A.shape[0] − 2 rows: the Hessian of the smooth part."""
    n = A.shape[0] - 2
    d = x.shape[0]
    for i in range(d):
        for j in range(d):
            s = 0.0
            for k in range(n):
                s += A[k, i] * A[k, j]
            out[i, j] = s


def lasso_certified(n: int = 50, d: int = 200, s: int = 5, lam: float = 0.1, seed: int = 0,
                    x0: str = "zero") -> Problem:
    """Lasso F(x) = ½||Ax − b||² + lam·||x||₁ with a certified unique solution (recipe P15).

    Parameters
    ----------
    n, d
        Rows and columns of A (Gaussian entries / sqrt(n)). ``n < d`` is regime (i)
        (underdetermined, F not strongly convex), ``n >= d`` regime (ii) (full column rank,
        strongly convex with mu = λ_min(AᵀA)).
    s
        Support size of x*: x*_S = σ_S (1 + |N(0, 1)|) with random signs σ.
    lam
        Regularisation λ > 0.
    seed
        Seed of ``numpy.random.default_rng``.
    x0
        Start: ``zero`` (x0 = 0) or ``random`` (Gaussian).

    Certificate. (i) r = λ A_S (A_SᵀA_S)⁻¹ σ, accepted only if ||A_{Sᶜ}ᵀ r||_∞ <= 0.9 λ (else A is
    redrawn, at most 2000 times). (ii) u_S = σ, u_{Sᶜ} ~ U(−0.9, 0.9), r = λ A (AᵀA)⁻¹ u. Then
    b = A x* + r and Aᵀ(b − Ax*) = λu with u ∈ ∂||x*||₁: x* is optimal; it is unique by strict
    dual feasibility off S and full column rank of A_S (Fuchs 2004; Tibshirani 2013, Lemma 2),
    or by strong convexity in (ii). F* = ½||r||² + λ||x*||₁, L = ||A||₂².
    """
    n, d, s, lam = int(n), int(d), int(s), float(lam)
    if n < 1 or d < 1:
        raise ValueError(f"need n >= 1 and d >= 1, got n={n}, d={d}")
    if not (1 <= s <= min(n, d)):
        raise ValueError(f"need 1 <= s <= min(n, d), got s={s}, n={n}, d={d}")
    if not lam > 0:
        raise ValueError(f"need lam > 0, got {lam}")
    if x0 not in ("zero", "random"):
        raise ValueError(f"unknown x0 {x0!r} (expected 'zero' or 'random')")
    rng = np.random.default_rng(int(seed))
    support = np.sort(rng.choice(d, size=s, replace=False))
    sigma = rng.choice([-1.0, 1.0], size=s)
    xs = np.zeros(d)
    xs[support] = sigma * (1.0 + np.abs(rng.standard_normal(s)))
    off = np.setdiff1d(np.arange(d), support)
    for _ in range(2000):
        M = rng.standard_normal((n, d)) / np.sqrt(n)
        if n < d:
            MS = M[:, support]
            if np.linalg.matrix_rank(MS) < s:
                continue
            r = lam * MS @ np.linalg.solve(MS.T @ MS, sigma)
            if off.size and np.max(np.abs(M[:, off].T @ r)) > 0.9 * lam:
                continue
        else:
            if np.linalg.matrix_rank(M) < d:
                continue
            u = np.empty(d)
            u[support] = sigma
            u[off] = rng.uniform(-0.9, 0.9, size=off.size)
            r = lam * M @ np.linalg.solve(M.T @ M, u)
        break
    else:
        raise ValueError(f"no dual certificate found in 2000 draws for n={n}, d={d}, s={s}; "
                         "use a smaller support or more rows")
    b = M @ xs + r
    # the certificate of the stored (rounded) data
    u = M.T @ (b - M @ xs) / lam
    if np.max(np.abs(u[support] - sigma)) > 1e-8 or (off.size and np.max(np.abs(u[off])) > 0.9 + 1e-8):
        raise ValueError("dual certificate lost to rounding; draw another seed")
    u[support] = sigma
    svals = np.linalg.svd(M, compute_uv=False)
    L = float(svals[0] ** 2)
    mu = float(svals[-1] ** 2) if n >= d else 0.0
    act = M if n >= d else M[:, support]
    sv_act = np.linalg.svd(act, compute_uv=False)
    cond = float(sv_act[0] / sv_act[-1])
    start = np.zeros(d) if x0 == "zero" else rng.standard_normal(d)
    fstar = 0.5 * float(r @ r) + lam * float(np.sum(np.abs(xs)))
    # rounding floor: the minimiser of the stored problem is within ~eps·cond·scale of x*
    scale = float(np.linalg.norm(xs)) + float(np.linalg.norm(b)) / float(sv_act[-1])
    dist_sq = max((16 * _EPS * cond * scale) ** 2, UNDERFLOW)
    e0 = start - xs
    f0 = 0.5 * float(np.sum((M @ e0) ** 2)) + lam * float(np.sum(np.abs(start) - u * start))
    return Problem(
        family="lasso-certified",
        name=f"lasso-certified(n={n}, d={d}, s={s}, lam={lam:g}, seed={seed})",
        A=np.vstack([M, xs, u]), b=b, p=np.array([lam]),
        oracles={"grad": least_squares_grad, "value": lasso_value, "prox": lasso_prox,
                 "hess": least_squares_hess},
        x0=start, xstar=xs, fstar=fstar, L=L, mu=min(mu, L), f0_gap=f0,
        floors={"dist_sq": dist_sq, "f_gap": max(L * dist_sq, UNDERFLOW),
                "grad_norm_sq": _residual_grad_floor(L, float(np.linalg.norm(b)),
                                                     float(np.linalg.norm(xs)), dist_sq)},
        params=dict(n=n, d=d, s=s, lam=lam, seed=int(seed), x0=x0),
        certified=dict(cond_active=cond, dual_margin=float(1.0 - np.max(np.abs(u[off]))) if off.size else 1.0),
    )


# -- l1-ball constrained quadratic (P16) -------------------------------------------------------

@lazy_jit("grad")
def l1q_grad(A, b, p, x, out):
    """out = Hx − c (H = first d rows of A, c = b)."""
    d = x.shape[0]
    for i in range(d):
        s = -b[i]
        for j in range(d):
            s += A[i, j] * x[j]
        out[i] = s


@lazy_jit("value")
def l1q_value(A, b, p, x):
    """f(x) − f* = ½eᵀHe + τ[(||x*||₁ − ||x||₁) + Σ(|xᵢ| − uᵢxᵢ)] (x* = row d, u = row d+1)."""
    d = x.shape[0]
    tau = p[0]
    quad = 0.0
    for i in range(d):
        s = 0.0
        for j in range(d):
            s += A[i, j] * (x[j] - A[d, j])
        quad += s * (x[i] - A[d, i])
    norm1 = 0.0
    lin = 0.0
    for i in range(d):
        norm1 += abs(x[i])
        lin += abs(x[i]) - A[d + 1, i] * x[i]
    return 0.5 * quad + tau * ((p[2] - norm1) + lin)


@lazy_jit("lmo")
def l1q_lmo(A, b, p, g, out):
    """The signed vertex of the l1 ball of radius p[1] minimising <g, s>."""
    lmo_l1_ball(g, p[1], out)


@lazy_jit("prox")
def l1q_prox(A, b, p, x, step, out):
    """Projection onto the l1 ball of radius p[1]."""
    project_l1_ball(x, p[1], out)


@lazy_jit("hess")
def l1q_hess(A, b, p, x, out):
    """H."""
    d = x.shape[0]
    for i in range(d):
        for j in range(d):
            out[i, j] = A[i, j]


def l1ball_quadratic_certified(d: int = 30, seed: int = 0, m: int = 40, support: int = 3,
                               tau: float = 1.0, x0: str = "e1") -> Problem:
    """Quadratic on the unit l1 ball with a certified solution on a sparse face (recipe P16).

    H = BᵀB/m + 0.01 I (B Gaussian m × d); x* has support {0, .., support−1} with positive
    weights summing to 1 (uniform in [0.2, 1], normalised) times random signs σ; u_S = σ,
    u_{Sᶜ} ~ U(−0.5, 0.5); c = Hx* + τu; f(x) = ½xᵀHx − cᵀx on X = {||x||₁ <= 1}.

    −∇f(x*) = τu ∈ N_X(x*), so x* is optimal, and unique since H ≻ 0. f* = −½x*ᵀHx* − τ;
    L = λ_max(H), mu = λ_min(H); certified D = 2 (the diameter of X) and radius 1.
    x0: ``e1`` (the vertex e_1), ``zero`` or ``uniform-vertex`` (−e_d).
    """
    d, m, support, tau = int(d), int(m), int(support), float(tau)
    if d < 1 or m < 1:
        raise ValueError(f"need d >= 1 and m >= 1, got d={d}, m={m}")
    if not (1 <= support <= d):
        raise ValueError(f"need 1 <= support <= d, got support={support}, d={d}")
    if not tau > 0:
        raise ValueError(f"need tau > 0, got {tau}")
    starts = {"e1": 0, "zero": -1, "uniform-vertex": d - 1}
    if x0 not in starts:
        raise ValueError(f"unknown x0 {x0!r} (expected one of {', '.join(starts)})")
    rng = np.random.default_rng(int(seed))
    B = rng.standard_normal((m, d))
    H = B.T @ B / m + 0.01 * np.eye(d)
    H = 0.5 * (H + H.T)
    w = rng.uniform(0.2, 1.0, size=support)
    w /= w.sum()
    sigma = rng.choice([-1.0, 1.0], size=support)
    xs = np.zeros(d)
    xs[:support] = sigma * w
    u = rng.uniform(-0.5, 0.5, size=d)
    u[:support] = sigma
    c = H @ xs + tau * u
    start = np.zeros(d)
    if x0 == "e1":
        start[0] = 1.0
    elif x0 == "uniform-vertex":
        start[-1] = -1.0
    eig = np.linalg.eigvalsh(H)
    L, mu = float(eig[-1]), float(eig[0])
    norm1_star = float(np.sum(np.abs(xs)))
    fstar = -0.5 * float(xs @ H @ xs) - tau * float(u @ xs)
    e0 = start - xs
    f0 = 0.5 * float(e0 @ H @ e0) + tau * ((norm1_star - np.sum(np.abs(start)))
                                          + float(np.sum(np.abs(start) - u * start)))
    dist_sq = max((64 * _EPS * (L / mu)) ** 2, UNDERFLOW)
    fw_floor = 4 * (d + 2) * _EPS * (L + float(np.abs(c).max()))
    return Problem(
        family="l1ball-quadratic-certified",
        name=f"l1ball-quadratic-certified(d={d}, seed={seed})",
        A=np.vstack([H, xs, u]), b=c, p=np.array([tau, 1.0, norm1_star]),
        oracles={"grad": l1q_grad, "value": l1q_value, "lmo": l1q_lmo, "prox": l1q_prox,
                 "hess": l1q_hess},
        x0=start, xstar=xs, fstar=fstar, L=L, mu=mu, f0_gap=f0,
        # 1 − ||x||₁ is formed from d rounded terms: tau·4·d·eps; the quadratic part is tiny.
        # Hx − c cancels: d products of size L||x*|| and c, about √d eps each (4 with margin)
        floors={"f_gap": tau * 4 * (d + 2) * _EPS + L * dist_sq, "dist_sq": dist_sq,
                "grad_norm_sq": max(d * (4 * _EPS * (L * float(np.linalg.norm(xs))
                                                     + float(np.linalg.norm(c)))) ** 2
                                    + L * L * dist_sq, UNDERFLOW),
                **_fw_floors(fw_floor)},
        params=dict(d=d, seed=int(seed), m=m, support=support, tau=tau, x0=x0),
        certified=dict(D=2.0, radius=1.0),
        extra_measures=dict(_FW_MEASURES),
    )


# -- nonnegative least squares (P18) ---------------------------------------------------------

@lazy_jit("value")
def nnls_value(A, b, p, x):
    """f(x) − f* = ½||Ae||² + <λ, e> (x* = row n, λ = row n + 1; λ = 0 where x* > 0)."""
    n = A.shape[0] - 2
    d = x.shape[0]
    r = np.empty(n)
    shifted_row_products(A, x, A[n], r)
    quad = 0.0
    for k in range(n):
        quad += r[k] * r[k]
    lin = 0.0
    for i in range(d):
        lin += A[n + 1, i] * (x[i] - A[n, i])
    return 0.5 * quad + lin


@lazy_jit("prox")
def nnls_prox(A, b, p, x, step, out):
    """Projection onto the nonnegative orthant."""
    project_nonneg(x, out)


def nnls_certified(n: int = 100, d: int = 50, seed: int = 0, zeros: int = 20,
                   x0: str = "ones") -> Problem:
    """Nonnegative least squares ½||Ax − b||² over R^d_+ with a KKT-certified solution (P18).

    A Gaussian n × d (n > d); x* >= 0 with ``zeros`` zero coordinates Z (random), 1 + |N(0, 1)|
    elsewhere; λ_Z ~ U[0.1, 1], λ = 0 elsewhere; b = Ax* − A(AᵀA)⁻¹λ. Then ∇f(x*) = λ >= 0 with
    λᵢx*ᵢ = 0: the KKT conditions hold, x* is optimal and unique (AᵀA ≻ 0).
    f* = ½||A(AᵀA)⁻¹λ||²; L = λ_max(AᵀA), mu = λ_min(AᵀA). x0: ``ones`` or ``zero``.
    """
    n, d, zeros = int(n), int(d), int(zeros)
    if d < 1 or n <= d:
        raise ValueError(f"need n > d >= 1, got n={n}, d={d}")
    if not (0 <= zeros <= d):
        raise ValueError(f"need 0 <= zeros <= d, got zeros={zeros}, d={d}")
    if x0 not in ("ones", "zero"):
        raise ValueError(f"unknown x0 {x0!r} (expected 'ones' or 'zero')")
    rng = np.random.default_rng(int(seed))
    M = rng.standard_normal((n, d))
    Z = np.sort(rng.choice(d, size=zeros, replace=False))
    xs = 1.0 + np.abs(rng.standard_normal(d))
    xs[Z] = 0.0
    lam = np.zeros(d)
    lam[Z] = rng.uniform(0.1, 1.0, size=zeros)
    G = M.T @ M
    r = M @ np.linalg.solve(G, lam)
    b = M @ xs - r
    lam_f = M.T @ (M @ xs - b)  # the certificate of the stored data
    pos = np.setdiff1d(np.arange(d), Z)
    if (pos.size and np.max(np.abs(lam_f[pos])) > 1e-8 * (1 + np.abs(lam).max())) or \
            (zeros and np.min(lam_f[Z]) <= 0):
        raise ValueError("KKT certificate lost to rounding; draw another seed")
    lam_f[pos] = 0.0
    eig = np.linalg.eigvalsh(G)
    L, mu = float(eig[-1]), float(eig[0])
    start = np.ones(d) if x0 == "ones" else np.zeros(d)
    e0 = start - xs
    f0 = 0.5 * float(np.sum((M @ e0) ** 2)) + float(lam_f @ e0)
    scale = float(np.linalg.norm(xs)) + float(np.linalg.norm(b)) / math.sqrt(mu)
    dist_sq = max((16 * _EPS * math.sqrt(L / mu) * scale) ** 2, UNDERFLOW)
    return Problem(
        family="nnls-certified", name=f"nnls-certified(n={n}, d={d}, seed={seed})",
        A=np.vstack([M, xs, lam_f]), b=b, p=np.zeros(1),
        oracles={"grad": least_squares_grad, "value": nnls_value, "prox": nnls_prox, "hess": least_squares_hess},
        x0=start, xstar=xs, fstar=0.5 * float(r @ r), L=L, mu=mu, f0_gap=f0,
        floors={"dist_sq": dist_sq, "f_gap": max(L * dist_sq, UNDERFLOW),
                "grad_norm_sq": _residual_grad_floor(L, float(np.linalg.norm(b)),
                                                     float(np.linalg.norm(xs)), dist_sq)},
        params=dict(n=n, d=d, seed=int(seed), zeros=zeros, x0=x0),
    )


# -- log-optimal portfolio on the simplex (P17) ----------------------------------------------

@lazy_jit("grad")
def portfolio_grad(A, b, p, x, out):
    """out = −(1/m) Σᵢ rᵢ/(rᵢᵀx) over the first m = A.shape[0] − 1 rows; NaN outside the domain."""
    m = A.shape[0] - 1
    d = x.shape[0]
    w = np.empty(m)
    row_products(A, x, w)
    for k in range(m):
        if not w[k] > 0.0:
            for i in range(d):
                out[i] = np.nan
            return
        w[k] = -(1.0 / (m * w[k]))  # out − w a = out + (−w) a, bit for bit
    for i in range(d):
        out[i] = 0.0
    add_weighted_rows(A, w, out)


@lazy_jit("value")
def portfolio_value(A, b, p, x):
    """f(x) − f(x_ref) = −(1/m) Σᵢ log1p(rᵢᵀ(x − x_ref)/rᵢᵀx_ref) (x_ref = row m, rᵢᵀx_ref = bᵢ);
    +inf outside the domain."""
    m = A.shape[0] - 1
    t = np.empty(m)
    shifted_row_products(A, x, A[m], t)
    total = 0.0
    for k in range(m):
        q = t[k] / b[k]
        if not q > -1.0:
            return np.inf
        total += np.log1p(q)
    return -total / m


@lazy_jit("lmo")
def portfolio_lmo(A, b, p, g, out):
    """The simplex vertex e_i, i = argmin gᵢ."""
    lmo_simplex(g, 1.0, out)


@lazy_jit("prox")
def portfolio_prox(A, b, p, x, step, out):
    """Projection onto the probability simplex."""
    project_simplex(x, 1.0, out)


@lazy_jit("hess")
def portfolio_hess(A, b, p, x, out):
    """(1/m) Σᵢ rᵢrᵢᵀ/(rᵢᵀx)²."""
    m = A.shape[0] - 1
    d = x.shape[0]
    for i in range(d):
        for j in range(d):
            out[i, j] = 0.0
    for k in range(m):
        t = 0.0
        for i in range(d):
            t += A[k, i] * x[i]
        w = 1.0 / (m * t * t)
        for i in range(d):
            for j in range(d):
                out[i, j] += w * A[k, i] * A[k, j]


def _portfolio_derivatives(R: np.ndarray, x: np.ndarray):
    t = R @ x
    m = R.shape[0]
    f = -float(np.mean(np.log(t)))
    g = -(R.T @ (1.0 / t)) / m
    H = (R.T * (1.0 / t**2)) @ R / m
    return f, g, H


def _newton_direction(g, H, S, x, mu):
    """Newton direction on the face {Σ x_S = 1} for f − mu Σ_S ln x_S; returns (dx_S, decrement²)."""
    gs, Hs = g[S], H[np.ix_(S, S)]
    if mu > 0:
        gs = gs - mu / x[S]
        Hs = Hs + np.diag(mu / x[S] ** 2)
    gs = gs - gs.mean()  # the face ignores constant shifts; centring avoids cancellation
    one = np.ones(len(S))
    K1 = np.linalg.solve(Hs, gs)
    K2 = np.linalg.solve(Hs, one)
    dx = -(K1 - ((one @ K1) / (one @ K2)) * K2)
    return dx, -float(gs @ dx)


def _barrier_path(R, x, mus, iters=60):
    """Damped Newton on min f(x) − mu Σ ln xᵢ over the relative interior of the simplex, for
    each mu of the decreasing sequence ``mus`` (warm started)."""
    allidx = np.arange(R.shape[1])
    for mu in mus:
        for _ in range(iters):
            f, g, H = _portfolio_derivatives(R, x)
            dx, dec = _newton_direction(g, H, allidx, x, mu)
            if dec <= 1e-24:
                break
            neg = dx < 0
            alpha = min(1.0, 0.99 * float(np.min(-x[neg] / dx[neg]))) if np.any(neg) else 1.0
            phi0 = f - mu * np.sum(np.log(x))
            while alpha > 1e-16:
                xn = x + alpha * dx
                if np.all(xn > 0):
                    phin = -float(np.mean(np.log(R @ xn))) - mu * np.sum(np.log(xn))
                    if phin <= phi0 - 0.25 * alpha * dec:
                        break
                alpha *= 0.5
            else:
                break
            x = xn
    return x


def _active_set_newton(R, x, S, iters=300):
    """Primal active-set Newton method on the simplex from x with working face S: Newton steps
    on the face with a ratio test (a coordinate that reaches 0 leaves S); at a face optimum the
    most violated dual condition gᵢ >= ν adds its coordinate. Returns x."""
    d = R.shape[1]
    allidx = np.arange(d)
    for _ in range(iters):
        f, g, H = _portfolio_derivatives(R, x)
        dx, dec = _newton_direction(g, H, S, x, 0.0)
        if dec <= 1e-26 or not dec > 0:
            nu = float(np.mean(g[S]))
            out = np.setdiff1d(allidx, S)
            if out.size and np.min(g[out]) < nu - 1e-15 * abs(nu):
                S = np.sort(np.append(S, out[np.argmin(g[out])]))
                continue
            break
        xs = x[S]
        neg = dx < 0
        ratio = np.full(len(S), np.inf)
        ratio[neg] = -xs[neg] / dx[neg]
        alpha = min(1.0, float(ratio.min()))
        blocked = alpha < 1.0
        while True:  # backtracking on f (rarely needed near the optimum)
            xn = x.copy()
            xn[S] = xs + alpha * dx
            if np.all(R @ xn > 0) and (-float(np.mean(np.log(R @ xn))) <= f - 0.25 * alpha * dec
                                       or alpha * dec < 1e-26):
                break
            alpha *= 0.5
            blocked = False
        if blocked:  # the ratio test stopped the step: the blocking coordinate leaves the face
            j = int(np.argmin(ratio))
            xn[S[j]] = 0.0
            S = np.delete(S, j)
        xn[xn < 0] = 0.0
        x = xn / xn.sum()
    return x


def _portfolio_reference(R: np.ndarray):
    """A point of the simplex with a Frank–Wolfe gap at rounding level: barrier path to
    mu = 1e-8, then an active-set Newton polish from the face it suggests. Returns
    (x_ref, an upper bound of fw_gap(x_ref) including its rounding)."""
    d = R.shape[1]
    x = _barrier_path(R, np.full(d, 1.0 / d), 10.0 ** -np.arange(1, 9))
    keep = x > 1e-5 * x.max()  # a guess: the active-set phase corrects it both ways
    S = np.flatnonzero(keep)
    x = np.where(keep, x, 0.0)
    x = _active_set_newton(R, x / x.sum(), S)
    _, g, _ = _portfolio_derivatives(R, x)
    # the computed gap plus the rounding of <g, x> - min g (d products of size |g|)
    return x, max(float(g @ x - g.min()), 0.0) + 8 * d * _EPS * float(np.abs(g).max())


def portfolio_logbarrier(d: int = 50, m: int = 500, seed: int = 0, scale: float = 0.1) -> Problem:
    """Log-optimal portfolio f(x) = −(1/m) Σᵢ ln(rᵢᵀx) on the probability simplex (recipe P17).

    Returns r_ij = exp(scale·N(0, 1)) > 0, so rᵢᵀx > 0 on the whole simplex; x0 = uniform.
    Not globally smooth (L = inf; ∇²f blows up where some rᵢᵀx -> 0, outside the simplex here).
    Each −ln(t) satisfies |φ'''| = 2 φ''^(3/2), so f is (M, ν) = (2√m, 3) generalized
    self-concordant in the sense of Sun & Tran-Dinh (2019, Math. Program. 178), the setting of
    Carderera, Besançon & Pokutta (2021); certified ``gsc_M``, ``gsc_nu``, ``D`` = √2 (diameter of
    the simplex).

    f* is certified by a reference point x_ref (barrier path then active-set Newton polish) whose
    Frank–Wolfe gap ``fw_gap_ref`` <= 1e-12 (else ValueError): by convexity
    f(x_ref) − f* <= fw_gap_ref, so the ``f_gap`` measure f(x) − f(x_ref) is f(x) − f* up to
    that floor. x* = x_ref (certified to dist² <= 2·fw_gap_ref/λ_min of the face Hessian, not
    exactly), so only f_gap and fw_gap are offered as measures.
    """
    d, m, scale = int(d), int(m), float(scale)
    if d < 2 or m < 1:
        raise ValueError(f"need d >= 2 and m >= 1, got d={d}, m={m}")
    if not scale > 0:
        raise ValueError(f"need scale > 0, got {scale}")
    rng = np.random.default_rng(int(seed))
    R = np.exp(scale * rng.standard_normal((m, d)))
    x_ref, gap = _portfolio_reference(R)
    if not gap <= 1e-12:
        raise ValueError(f"reference solve reached a Frank-Wolfe gap of {gap:.3g} > 1e-12")
    start = np.full(d, 1.0 / d)
    fstar = -float(np.mean(np.log(R @ x_ref)))
    bref = R @ x_ref
    f0 = -float(np.mean(np.log1p(R @ (start - x_ref) / bref)))
    return Problem(
        family="portfolio-logbarrier", name=f"portfolio-logbarrier(d={d}, m={m}, seed={seed})",
        A=np.vstack([R, x_ref]), b=bref, p=np.zeros(1),
        oracles={"grad": portfolio_grad, "value": portfolio_value, "lmo": portfolio_lmo,
                 "prox": portfolio_prox, "hess": portfolio_hess},
        x0=start, xstar=None, fstar=fstar, L=math.inf, mu=0.0, f0_gap=f0,
        # f_gap and fw_gap: the certified accuracy of f* (a high floor, <= 1e-12); the gradient
        # −(1/m) Σ rᵢ/(rᵢᵀx) is a sum of terms of one sign (r > 0): no cancellation, underflow
        floors={"f_gap": gap, "grad_norm_sq": UNDERFLOW, **_fw_floors(gap)},
        params=dict(d=d, m=m, seed=int(seed), scale=scale),
        certified=dict(gsc_M=2.0 * math.sqrt(m), gsc_nu=3.0, D=math.sqrt(2.0), fw_gap_ref=gap,
                       n_support=float(np.count_nonzero(x_ref))),
        extra_measures=dict(_FW_MEASURES),
    )


FAMILIES = (
    # M (n×d) with the copies of the certificate search, SVDs and rank tests, [M; x*; u], and
    # MᵀM (d×d) when n >= d
    Family("lasso-certified", lasso_certified, "composite",
           ranges={"n": count(1), "d": count(1), "s": count(1), "lam": POSITIVE, "seed": SEED,
                   "x0": ("zero", "random")},
           space={"n": [10, 40], "d": [5, 60], "s": [1, 3], "lam": [0.01, 1.0],
                  "seed": [0, 10_000], "x0": ["zero", "random"]},
           example={"n": 20, "d": 40, "s": 3},
           memory=lambda p: 8.0 * (5 * p["n"] * p["d"] + min(p["n"], p["d"]) ** 2
                                   + 4 * (p["n"] + p["d"]))),
    # B (m×d), H (d×d), [H; x*; u] and the eigendecomposition of H. The space leaves out the
    # start e1: Problem.certify samples points around x0 without projecting them on the ball,
    # and outside the ball the value oracle (valid on the feasible set) can be negative
    Family("l1ball-quadratic-certified", l1ball_quadratic_certified, "constrained",
           ranges={"d": count(1), "seed": SEED, "m": count(1), "support": count(1),
                   "tau": POSITIVE, "x0": ("e1", "zero", "uniform-vertex")},
           space={"d": [3, 30], "seed": [0, 10_000], "m": [5, 50], "support": [1, 3],
                  "tau": [0.1, 10.0], "x0": ["zero", "uniform-vertex"]},
           example={"d": 8, "m": 10},
           memory=lambda p: 8.0 * (p["m"] * p["d"] + 4 * p["d"] ** 2)),
    # R (m×d), [R; x_ref], Rᵀ diag(1/t²) (d×m) and the Newton Hessian (d×d)
    Family("portfolio-logbarrier", portfolio_logbarrier, "constrained (generalized self-concordant)",
           ranges={"d": count(2), "m": count(1), "seed": SEED, "scale": POSITIVE},
           space={"d": [2, 20], "m": [10, 200], "seed": [0, 10_000], "scale": [0.01, 0.5]},
           example={"d": 5, "m": 50},
           memory=lambda p: 8.0 * (3 * p["m"] * p["d"] + 3 * p["d"] ** 2)),
    # M (n×d), [M; x*; λ], MᵀM (d×d) with its solve and eigendecomposition
    Family("nnls-certified", nnls_certified, "constrained",
           ranges={"n": count(2), "d": count(1), "seed": SEED, "zeros": count(0),
                   "x0": ("ones", "zero")},
           space={"n": [20, 100], "d": [5, 15], "seed": [0, 10_000], "zeros": [0, 4],
                  "x0": ["ones", "zero"]},
           example={"n": 20, "d": 8, "zeros": 3},
           memory=lambda p: 8.0 * (2 * p["n"] * p["d"] + 3 * p["d"] ** 2 + 2 * p["n"])),
)
