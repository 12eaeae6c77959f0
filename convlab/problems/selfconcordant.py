"""Self-concordant families for Newton-type methods (CLAIMS.md §5.11, recipes P32-P34).

Every family here has a ``hess`` oracle and the extra measure ``newton_decrement``
λ(x) = sqrt(∇f(x)ᵀ [∇²f(x)]⁻¹ ∇f(x)), computed with a Cholesky solve (``inf`` outside the
domain). Outside dom f the ``value`` oracle returns +inf and ``grad`` NaN, so kernels and the
checker see a domain exit as divergence.

f − f* is computed without cancellation through φ(w) = w − ln(1 + w) >= 0 (a series for small
|w|), which every gap below is a sum of:

- :func:`log_separable` (P32): f(x) = Σ (c_i x_i − ln x_i), x* = 1/c; with y = c ⊙ x,
  f − f* = Σ φ(y_i − 1) and λ(x)² = Σ (y_i − 1)².
- :func:`logbarrier_polytope` (P33): f(x) = cᵀx − Σ_j ln(b_j − a_jᵀx) on a bounded polytope;
  x* by Newton to λ < 1e-14. With e = x − x*, s*_j = b_j − a_jᵀx*, u_j = a_jᵀe/s*_j and
  r* = ∇f(x*) (rounding-level), f(x) − f(x*) = r*ᵀe + Σ φ(−u_j) exactly.
- :func:`logistic_newton` (P34 with a Hessian): the ``logistic-nonseparable`` family of
  :mod:`.regression` (f(x) = (1/n) Σ ln(1 + exp(−y_i a_iᵀx)), x*, f* by Newton, its
  oracles and floors) with a far start x0 = start_scale·x*/||x*|| and the decrement measure.

Floors. x* is nonzero, so an iterate resolves it to about eps·|x*| per coordinate: dist² has the
floor (c eps)²||x*||² and f − f* the local curvature times that. The gradient cancels at x*
(a sum of terms of size |c| and 1/x), so ||∇f||² has the rounding of those terms; the Newton
decrement is the gradient in the local norm, λ = ||∇f||_{H⁻¹} <= ||∇f||/√λ_min(∇²f(x*)), so
its floor is the gradient's over √λ_min.
"""

from __future__ import annotations

import math

import numpy as np

from ..runtime.jit import lazy_jit, njit_helper
from .base import UNDERFLOW, Problem
from .family import NONNEGATIVE, POSITIVE, SEED, UNIT_OPEN, Family, count

_EPS = float(np.finfo(float).eps)


@njit_helper
def phi(w):
    """w − ln(1 + w) for w > −1, accurate for small |w| (series below 1e-3); +inf otherwise."""
    if not w > -1.0:
        return np.inf
    if abs(w) < 1e-3:
        w2 = w * w
        return w2 * (0.5 - w / 3.0 + w2 / 4.0 - w2 * w / 5.0 + w2 * w2 / 6.0)
    return w - np.log1p(w)


def newton_decrement(problem: Problem, X: np.ndarray) -> np.ndarray:
    """λ(x) = sqrt(gᵀH⁻¹g) at each row of X by Cholesky (inf outside the domain)."""
    grad, hess = problem.oracle("grad"), problem.oracle("hess")
    d = problem.dim
    g, H = np.empty(d), np.empty((d, d))
    out = np.empty(X.shape[0])
    for i, x in enumerate(X):
        x = np.ascontiguousarray(x)
        grad(problem.A, problem.b, problem.p, x, g)
        hess(problem.A, problem.b, problem.p, x, H)
        if not (np.all(np.isfinite(g)) and np.all(np.isfinite(H))):
            out[i] = np.inf
            continue
        try:
            Lc = np.linalg.cholesky(H)
        except np.linalg.LinAlgError:
            out[i] = np.inf
            continue
        z = np.linalg.solve(Lc, g)
        out[i] = float(np.sqrt(z @ z))
    return out


_DECREMENT = {"newton_decrement": (newton_decrement,
                                   "Newton decrement sqrt(grad^T hess^-1 grad) (Cholesky)")}


# -- P32 log-separable ----------------------------------------------------------------------

@lazy_jit("grad")
def logsep_grad(A, b, p, x, out):
    """c_i − 1/x_i (NaN where x_i <= 0); c = b."""
    for i in range(x.shape[0]):
        out[i] = b[i] - 1.0 / x[i] if x[i] > 0 else np.nan


@lazy_jit("hess")
def logsep_hess(A, b, p, x, out):
    """diag(1/x_i²) (NaN where x_i <= 0)."""
    d = x.shape[0]
    for i in range(d):
        for j in range(d):
            out[i, j] = 0.0
        out[i, i] = 1.0 / (x[i] * x[i]) if x[i] > 0 else np.nan


@lazy_jit("value")
def logsep_value(A, b, p, x):
    """Σ φ(c_i x_i − 1) (+inf outside x > 0)."""
    total = 0.0
    for i in range(x.shape[0]):
        if not x[i] > 0:
            return np.inf
        total += phi(b[i] * x[i] - 1.0)
    return total


def _logsep_decrement(problem: Problem, X: np.ndarray) -> np.ndarray:
    c = problem.b
    out = np.sqrt(np.sum((X * c - 1.0) ** 2, axis=1))
    out[np.any(~(X > 0), axis=1)] = np.inf
    return out


def log_separable(d: int = 20, seed: int = 0, start: float = 3.0) -> Problem:
    """f(x) = Σ (c_i x_i − ln x_i), c_i = exp(u_i), u_i ~ U[−2, 2] (CLAIMS.md P32).

    Standard self-concordant (each term is −ln plus a linear function). x* = 1/c,
    f* = Σ (1 + ln c_i), x0 = start·x* (so y_i = c_i x_i = start for every i; pure Newton
    converges iff 0 < start < 2, C63). λ(x)² = Σ (c_i x_i − 1)², so λ(x0) = |start − 1| sqrt(d).
    L = inf (not globally smooth), mu = 0.

    Floors: yᵢ = cᵢxᵢ − 1 carries about eps (the product rounds at 1, and xᵢ resolves x*ᵢ to
    eps·x*ᵢ), so f − f* = Σ φ(yᵢ) ≈ Σ yᵢ²/2 has the floor d eps² and the decrement
    sqrt(Σ yᵢ²) the floor 4 eps √d; dist² (4 eps ||x*||)²; the gradient cᵢ − 1/xᵢ cancels at
    x* with terms of size cᵢ: (4 eps ||c||)².
    """
    d = int(d)
    if d < 1:
        raise ValueError(f"d must be >= 1, got {d}")
    if not start > 0:
        raise ValueError(f"start must be positive (x0 = start*x* must lie in x > 0), got {start}")
    rng = np.random.default_rng(int(seed))
    c = np.exp(rng.uniform(-2.0, 2.0, size=d))
    xs = 1.0 / c
    x0 = float(start) * xs
    return Problem(
        family="log-separable", name=f"log-separable(d={d}, seed={seed}, start={start:g})",
        A=np.zeros((1, 1)), b=c, p=np.zeros(1),
        oracles={"grad": logsep_grad, "hess": logsep_hess, "value": logsep_value},
        x0=x0, xstar=xs, fstar=float(np.sum(1.0 + np.log(c))), L=math.inf, mu=0.0,
        f0_gap=None, params=dict(d=d, seed=int(seed), start=float(start)),  # Delta: value oracle
        floors={"f_gap": d * _EPS**2, "dist_sq": float((4 * _EPS) ** 2 * xs @ xs),
                "grad_norm_sq": float((4 * _EPS) ** 2 * c @ c),
                "newton_decrement": 4 * _EPS * math.sqrt(d)},
        extra_measures={"newton_decrement": (_logsep_decrement,
                                             "Newton decrement sqrt(sum (c_i x_i - 1)^2)")},
    )


# -- P33 logbarrier-polytope ----------------------------------------------------------------
# Operands: A rows 0..m-1 = a_j, row m = c, row m+1 = x*, row m+2 = r* = grad f(x*);
# b[:m] = b_j, b[m:] = s*_j = b_j - a_j^T x*; p = [m].

@lazy_jit("grad")
def barrier_grad(A, b, p, x, out):
    """c + Σ_j a_j/(b_j − a_jᵀx) (NaN outside the polytope)."""
    m = int(p[0])
    d = x.shape[0]
    for i in range(d):
        out[i] = A[m, i]
    for j in range(m):
        s = b[j]
        for i in range(d):
            s -= A[j, i] * x[i]
        if not s > 0:
            out[:] = np.nan
            return
        for i in range(d):
            out[i] += A[j, i] / s


@lazy_jit("hess")
def barrier_hess(A, b, p, x, out):
    """Σ_j a_j a_jᵀ/(b_j − a_jᵀx)² (NaN outside the polytope)."""
    m = int(p[0])
    d = x.shape[0]
    out[:, :] = 0.0
    for j in range(m):
        s = b[j]
        for i in range(d):
            s -= A[j, i] * x[i]
        if not s > 0:
            out[:, :] = np.nan
            return
        w = 1.0 / (s * s)
        for i in range(d):
            ai = A[j, i] * w
            for k in range(d):
                out[i, k] += ai * A[j, k]


@lazy_jit("value")
def barrier_value(A, b, p, x):
    """f(x) − f(x*) = r*ᵀe + Σ_j φ(−a_jᵀe/s*_j), e = x − x* (+inf outside the polytope)."""
    m = int(p[0])
    d = x.shape[0]
    total = 0.0
    for i in range(d):
        total += A[m + 2, i] * (x[i] - A[m + 1, i])
    for j in range(m):
        ae = 0.0
        for i in range(d):
            ae += A[j, i] * (x[i] - A[m + 1, i])
        total += phi(-ae / b[m + j])
        if not np.isfinite(total):
            return np.inf
    return total


def _barrier_newton(a: np.ndarray, bb: np.ndarray, c: np.ndarray, x: np.ndarray,
                    tol: float = 1e-14, max_iter: int = 500) -> tuple[np.ndarray, float]:
    """Damped Newton (pure once λ < 1/4) on cᵀx − Σ ln(b − a x) from a strictly feasible x."""
    lam = math.inf
    for _ in range(max_iter):
        s = bb - a @ x
        g = c + a.T @ (1.0 / s)
        H = (a / s[:, None] ** 2).T @ a
        Lc = np.linalg.cholesky(H)
        step = np.linalg.solve(Lc.T, np.linalg.solve(Lc, g))
        lam = float(np.sqrt(max(g @ step, 0.0)))
        if lam < tol:
            break
        x = x - (step if lam < 0.25 else step / (1.0 + lam))
    return x, lam


def _bounded(a: np.ndarray) -> bool:
    """{x : a x <= b} is bounded iff some y > 0 has aᵀy = 0 (Stiemke): an LP with y >= 1."""
    from scipy.optimize import linprog

    m, d = a.shape
    res = linprog(np.zeros(m), A_eq=a.T, b_eq=np.zeros(d), bounds=[(1.0, None)] * m,
                  method="highs")
    return res.status == 0


def logbarrier_polytope(m: int = 100, d: int = 20, seed: int = 0,
                        start_lambda: float = 0.0) -> Problem:
    """f(x) = cᵀx − Σ_j ln(b_j − a_jᵀx) (CLAIMS.md P33).

    a_j ~ N(0, I_d), b_j = 1 + |N(0, 1)|, c = 0.1·N(0, I_d) (``default_rng(seed)``); draws whose
    polytope is unbounded are rejected (LP check, redrawn up to 100 times). Standard
    self-concordant. x* by Newton to λ < 1e-14, f* = f(x*). x0 = 0 (strictly feasible since
    b > 0), or, with ``start_lambda`` > 0, the point of the segment [x*, 0] closest to 0 whose
    Newton decrement is ``start_lambda`` (bisection). L = inf, mu = λ_min(∇²f(x*)) is not
    global, so mu = 0.

    Floors, with H* = ∇²f(x*) and λ* the decrement reached at x*: dist² (8 eps)²(||x*||² + 1);
    f − f* λ*² (the inexactness of x*) + λ_max(H*) dist² (it was λ*² alone); the gradient
    c + Σ_j a_j/s_j cancels at x*, with terms of total size ||c|| + Σ_j ||a_j||/s*_j:
    (4 eps (||c|| + Σ_j ||a_j||/s*_j))² + λ_max(H*)² dist²; the decrement that over
    λ_min(H*) (square root).
    """
    m, d = int(m), int(d)
    if d < 1 or m < d + 1:
        raise ValueError(f"need d >= 1 and m >= d + 1 (else the polytope is unbounded), got m={m}, d={d}")
    if not start_lambda >= 0:
        raise ValueError(f"start_lambda must be >= 0, got {start_lambda}")
    rng = np.random.default_rng(int(seed))
    for _ in range(100):
        a = rng.standard_normal((m, d))
        bb = 1.0 + np.abs(rng.standard_normal(m))
        c = 0.1 * rng.standard_normal(d)
        if _bounded(a):
            break
    else:
        raise ValueError("no bounded polytope in 100 draws; increase m")
    xs, lam_star = _barrier_newton(a, bb, c, np.zeros(d))
    if not lam_star < 1e-13:
        raise ValueError(f"Newton did not certify x* (decrement {lam_star:.3g})")
    s_star = bb - a @ xs
    r_star = c + a.T @ (1.0 / s_star)
    fstar = float(c @ xs - np.sum(np.log(s_star)))
    A = np.vstack([a, c, xs, r_star])
    b = np.concatenate([bb, s_star])
    p = np.array([float(m)])
    oracles = {"grad": barrier_grad, "hess": barrier_hess, "value": barrier_value}
    proto = Problem(family="logbarrier-polytope", name="", A=A, b=b, p=p, oracles=oracles,
                    x0=np.zeros(d), xstar=xs, fstar=fstar, L=math.inf, mu=0.0)
    x0 = np.zeros(d)
    if start_lambda > 0:
        lam0 = float(newton_decrement(proto, x0[None, :])[0])
        if lam0 < start_lambda:
            raise ValueError(f"start_lambda={start_lambda} exceeds lambda(0) = {lam0:.4g}")
        lo, hi = 0.0, 1.0  # x(t) = x* + t (0 − x*); lambda(x(lo)) < target <= lambda(x(hi))
        for _ in range(200):
            mid = 0.5 * (lo + hi)
            if newton_decrement(proto, ((1 - mid) * xs)[None, :])[0] < start_lambda:
                lo = mid
            else:
                hi = mid
        x0 = (1 - hi) * xs
    H_star = (a / s_star[:, None] ** 2).T @ a
    eig = np.linalg.eigvalsh(H_star)
    dist_sq = float((8 * _EPS) ** 2 * (xs @ xs + 1.0))
    terms = float(np.linalg.norm(c)) + float(np.sum(np.linalg.norm(a, axis=1) / s_star))
    grad_floor = (4 * _EPS * terms) ** 2 + eig[-1] ** 2 * dist_sq
    return Problem(
        family="logbarrier-polytope",
        name=f"logbarrier-polytope(m={m}, d={d}, seed={seed})",
        A=A, b=b, p=p, oracles=oracles, x0=x0, xstar=xs, fstar=fstar, L=math.inf, mu=0.0,
        params=dict(m=m, d=d, seed=int(seed), start_lambda=float(start_lambda)),
        floors={"f_gap": max(lam_star**2 + eig[-1] * dist_sq, UNDERFLOW), "dist_sq": dist_sq,
                "grad_norm_sq": max(grad_floor, UNDERFLOW),
                "newton_decrement": max(math.sqrt(grad_floor / eig[0]), UNDERFLOW)},
        certified=dict(lambda_star=lam_star),
        extra_measures=dict(_DECREMENT),
    )


# -- P34 logistic regression with a far start (C62) -------------------------------------------

def logistic_newton(n: int = 500, d: int = 20, seed: int = 0, flip: float = 0.1,
                    start_scale: float = 50.0) -> Problem:
    """The ``logistic-nonseparable`` family of :mod:`.regression` (CLAIMS.md P34, with
    its ``hess`` oracle, x* and f* by Newton) started far away: x0 = start_scale·x*/||x*||.

    Adds the ``newton_decrement`` measure. Every constant and floor is the base family's; the
    decrement's floor is that of ||∇f|| over √``mu_local``.
    """
    import dataclasses

    from .regression import logistic_nonseparable

    if not start_scale > 0:
        raise ValueError(f"start_scale must be positive, got {start_scale}")
    base = logistic_nonseparable(n=n, d=d, seed=seed, flip=flip)
    xs = base.xstar
    x0 = float(start_scale) * xs / np.linalg.norm(xs)
    return dataclasses.replace(
        base, family="logistic-newton",
        name=f"logistic-newton(n={n}, d={d}, seed={seed}, start_scale={start_scale:g})",
        x0=x0, f0_gap=None, params=dict(n=int(n), d=int(d), seed=int(seed), flip=float(flip),
                                        start_scale=float(start_scale)),
        floors=dict(base.floors, newton_decrement=math.sqrt(
            base.floors["grad_norm_sq"] / base.certified["mu_local"])),
        extra_measures=dict(base.extra_measures, **_DECREMENT))


FAMILIES = (
    Family("log-separable", log_separable, "self-concordant",
           ranges={"d": count(1), "seed": SEED, "start": POSITIVE},
           space={"d": [1, 30], "seed": [0, 10_000], "start": [0.1, 3.0]},
           example={"d": 5}, memory=lambda p: 8.0 * 4 * p["d"]),
    # the constraints a (m×d), [a; c; x*; r*], the Hessian (d×d) with its Cholesky factor, and
    # the boundedness LP on aᵀ (HiGHS's copies)
    Family("logbarrier-polytope", logbarrier_polytope, "self-concordant",
           ranges={"m": count(2), "d": count(1), "seed": SEED, "start_lambda": NONNEGATIVE},
           space={"m": [10, 60], "d": [1, 5], "seed": [0, 10_000]},
           example={"m": 12, "d": 3},
           memory=lambda p: 8.0 * (4 * p["m"] * p["d"] + 3 * p["d"] ** 2 + 3 * p["m"])),
    # as logistic-nonseparable
    Family("logistic-newton", logistic_newton, "self-concordant (logistic)",
           ranges={"n": count(1), "d": count(1), "seed": SEED, "flip": UNIT_OPEN,
                   "start_scale": POSITIVE},
           space={"n": [50, 300], "d": [1, 10], "seed": [0, 10_000], "flip": [0.05, 0.3],
                  "start_scale": [1.0, 100.0]},
           example={"n": 100, "d": 5},
           memory=lambda p: 8.0 * (3 * p["n"] * p["d"] + 2 * p["d"] ** 2 + 4 * p["n"])),
)
