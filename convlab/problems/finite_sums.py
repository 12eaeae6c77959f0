"""Finite-sum least-squares families: f(x) = (1/n) Σ_i f_i(x) with exactly known x* and σ*².

Components (CLAIMS.md recipes P19, P20, P22):

    f_i(x) = ½ (a_iᵀx − b_i)² + (λ_r/2) ||x||²,      f = (1/n) Σ_i f_i,

with rows a_i = s_i g_i (g_i Gaussian, s_i ~ U[0.5, 2], so the component curvatures ||a_i||²
differ), b = A x_true + σ_noise ε and a ridge weight λ_r ≥ 0 (0 except for P22).

Exact data. The rows a_i and x_true are rounded to the dyadic grid 2⁻¹² (a perturbation far
below anything a claim depends on), so that every product a_ij x_true,j and every partial sum of
A x_true is exact in float64: with σ_noise = 0 the vector b = A x_true is exact, the residuals
at x_true vanish exactly, and x* = x_true with σ*² = 0 exactly (interpolation, P20). With noise,
x* solves the normal equations (AᵀA/n + λ_r I) x* = Aᵀb/n, refined twice with residuals in
extended precision (``np.longdouble``).

Oracles (operands: ``A`` = [rows a_1..a_n; x*; H] stacked, shape (n + 1 + d, d) with
H = AᵀA/n + λ_r I; ``b`` = b; ``p`` = [n, λ_r]):

- ``grad(x) = H (x − x*)`` (the mean of the component gradients, formed from e = x − x* so that
  it has no cancellation near x*);
- ``value(x) = ½ eᵀ H e = f(x) − f*``;
- ``sgrad(x, t, s) = ∇f_{i}(x) = a_i (a_iᵀx − b_i) + λ_r x`` with component **i = s mod n**.
  A kernel that wants component i exactly passes the sample s = i (SVRG's full pass, SAGA's
  table, random reshuffling); a kernel that passes s = sample_id(seed, t) samples i uniformly
  with replacement (bias below n·2⁻⁶³).

Certified constants: ``L`` = λ_max(H), ``mu`` = λ_min(H) (> 0: the families require n ≥ d and
a full-rank A, or λ_r > 0), ``L_max`` = max_i ||a_i||² + λ_r (every f_i is L_max-smooth),
``L_mean`` = mean_i ||a_i||² + λ_r, ``sigma_star_sq`` = (1/n) Σ_i ||∇f_i(x*)||² (computed in
extended precision), ``lambda_r`` and ``n``.

Floors: an iterate cannot come closer to x* than the float64 grid around it, so
``dist_sq`` ≈ (4 eps ||x*|| + δ)² (the same convention as the quadratic families, a few ulps per
coordinate, plus the estimated error δ of the computed x*: the correction of one more refinement
step, about eps ||x*|| after the two refinements, 0 for consistent data) and f_gap,
grad_norm_sq follow with L and L². With σ* = 0 exactly the floor is what the arithmetic of the
update allows; with noise the SGD plateaus are far above it.

:func:`ef21_quadratics` (recipe P27) is a finite sum of quadratics with its own layout (see its
docstring).
"""

from __future__ import annotations

import math

import numpy as np

from ..runtime.jit import lazy_jit
from .base import UNDERFLOW, Problem
from .family import NONNEGATIVE, POSITIVE, SEED, Family, Interval, count
from .quadratics import quadratic_grad, quadratic_value

_EPS = float(np.finfo(float).eps)
_GRID = 2.0 ** -12


@lazy_jit("grad")
def finite_sum_grad(A, b, p, x, out):
    """out = H (x − x*): rows n + 1 .. n + d of A hold H, row n holds x*."""
    n = int(p[0])
    d = x.shape[0]
    for i in range(d):
        s = 0.0
        for j in range(d):
            s += A[n + 1 + i, j] * (x[j] - A[n, j])
        out[i] = s


@lazy_jit("value")
def finite_sum_value(A, b, p, x):
    """½ eᵀ H e with e = x − x*: f(x) − f* without cancellation."""
    n = int(p[0])
    d = x.shape[0]
    total = 0.0
    for i in range(d):
        s = 0.0
        for j in range(d):
            s += A[n + 1 + i, j] * (x[j] - A[n, j])
        total += s * (x[i] - A[n, i])
    return 0.5 * total


@lazy_jit("sgrad")
def finite_sum_sgrad(A, b, p, x, t, s, out):
    """Component gradient ∇f_i(x) = a_i (a_iᵀx − b_i) + λ_r x with i = s mod n."""
    n = int(p[0])
    lam = p[1]
    i = s % n
    d = x.shape[0]
    r = -b[i]
    for j in range(d):
        r += A[i, j] * x[j]
    for j in range(d):
        out[j] = A[i, j] * r + lam * x[j]


def _draw(n: int, d: int, seed: int, sigma_noise: float):
    rng = np.random.default_rng(int(seed))
    scales = rng.uniform(0.5, 2.0, size=n)
    rows = scales[:, None] * rng.standard_normal((n, d))
    rows = np.round(rows / _GRID) * _GRID
    x_true = np.round(rng.standard_normal(d) / _GRID) * _GRID
    b = rows @ x_true  # exact: dyadic grid, see the module docstring
    if sigma_noise > 0:
        b = b + sigma_noise * rng.standard_normal(n)
    return rows, x_true, b


def _solve(rows: np.ndarray, b: np.ndarray, lam: float) -> np.ndarray:
    """x* of (AᵀA/n + λ I) x = Aᵀb/n with two refinement steps in extended precision."""
    n, d = rows.shape
    H = rows.T @ rows / n + lam * np.eye(d)
    Al, bl = rows.astype(np.longdouble), b.astype(np.longdouble)
    x = np.linalg.solve(H, rows.T @ b / n)
    for _ in range(2):
        xl = x.astype(np.longdouble)
        res = Al.T @ (bl - Al @ xl) / n - np.longdouble(lam) * xl
        x = x + np.linalg.solve(H, res.astype(float))
    return x


def _build(family: str, name: str, rows: np.ndarray, b: np.ndarray, xstar: np.ndarray,
           lam: float, params: dict, x0: np.ndarray | None = None,
           floor_step_lmax: float = 0.0) -> Problem:
    n, d = rows.shape
    H = rows.T @ rows / n + lam * np.eye(d)
    H = 0.5 * (H + H.T)
    eig = np.linalg.eigvalsh(H)
    L, mu = float(eig[-1]), float(eig[0])
    if not mu > 0:
        raise ValueError("the finite sum is not strongly convex (rank-deficient A and no ridge)")
    norms = np.einsum("ij,ij->i", rows, rows)
    Al, xl = rows.astype(np.longdouble), xstar.astype(np.longdouble)
    res = Al @ xl - b.astype(np.longdouble)
    comp = Al * res[:, None] + np.longdouble(lam) * xl[None, :]
    sigma_star_sq = float(np.mean(np.sum(comp * comp, axis=1)))
    # estimated error of x*: one more refinement correction from ∇f(x*) in extended precision
    # (0 for consistent data: the residuals vanish exactly)
    xstar_error = float(np.linalg.norm(np.linalg.solve(H, comp.mean(axis=0).astype(float))))
    fstar = float(0.5 * np.mean(res * res) + 0.5 * np.longdouble(lam) * (xl @ xl))
    start = np.zeros(d) if x0 is None else x0
    e0 = start - xstar
    dist_sq = max((4 * _EPS * float(np.linalg.norm(xstar)) + xstar_error) ** 2, UNDERFLOW)
    certified = dict(L_max=float(norms.max() + lam), L_mean=float(norms.mean() + lam),
                     sigma_star_sq=sigma_star_sq, lambda_r=float(lam), n=float(n))
    if floor_step_lmax > 0:
        S = sgd_stationary_covariance(rows, b, xstar, lam, floor_step_lmax / certified["L_max"])
        certified.update(sgd_floor_dist_sq=float(np.trace(S)),
                         sgd_floor_f_gap=0.5 * float(np.sum(H * S)))
    return Problem(
        family=family, name=name,
        A=np.vstack([rows, xstar[None, :], H]), b=b, p=np.array([float(n), float(lam)]),
        oracles={"grad": finite_sum_grad, "value": finite_sum_value, "sgrad": finite_sum_sgrad},
        x0=start, xstar=xstar, fstar=fstar, L=L, mu=mu, f0_gap=0.5 * float(e0 @ H @ e0),
        floors={"dist_sq": dist_sq, "f_gap": max(L * dist_sq, UNDERFLOW),
                "grad_norm_sq": max(L * L * dist_sq, UNDERFLOW)},
        params=params, certified=certified,
    )


def _check(n: int, d: int, sigma_noise: float) -> None:
    if d < 1:
        raise ValueError(f"d must be >= 1, got {d}")
    if n < d:
        raise ValueError(f"need n >= d for a strongly convex least-squares sum, got n={n}, d={d}")
    if not (sigma_noise >= 0 and math.isfinite(sigma_noise)):
        raise ValueError(f"need a finite sigma_noise >= 0, got {sigma_noise}")


def sgd_stationary_covariance(rows: np.ndarray, b: np.ndarray, xstar: np.ndarray, lam: float,
                              step: float) -> np.ndarray:
    """Stationary E[e eᵀ] (e = x − x*) of constant-step SGD with uniform sampling, exactly.

    e_{k+1} = (I − γ a_i a_iᵀ − γλI) e_k − γ g_i*, with g_i* = ∇f_i(x*) and Σ_i g_i* = 0, so
    the stationary mean is 0 and the second moment S solves the linear (d² × d²) system

        S = E_i[(I − γ B_i) S (I − γ B_i)] + γ² E_i[g_i* g_i*ᵀ],   B_i = a_i a_iᵀ + λ I.

    Raises ValueError when the map S ↦ E[(I − γB) S (I − γB)] has spectral radius >= 1 (the
    step is not mean-square stable and there is no stationary second moment).
    """
    n, d = rows.shape
    # With M_i = αI − γ a_i a_iᵀ (α = 1 − γλ), vec(M S M) = kron(M, M) vec S (row-major vec,
    # M symmetric) and kron(M, M) = α² I − αγ (a aᵀ ⊗ I + I ⊗ a aᵀ) + γ² vec(a aᵀ) vec(a aᵀ)ᵀ.
    alpha = 1.0 - step * lam
    H0 = rows.T @ rows / n
    W = np.einsum("ij,ik->ijk", rows, rows).reshape(n, d * d)
    eye = np.eye(d)
    T = (alpha * alpha * np.eye(d * d) - alpha * step * (np.kron(H0, eye) + np.kron(eye, H0))
         + step * step * (W.T @ W) / n)
    T = 0.5 * (T + T.T)  # symmetric: a sum of kron(M, M) with M symmetric
    if np.max(np.abs(np.linalg.eigvalsh(T))) >= 1:
        raise ValueError(f"step {step:g} is not mean-square stable: no stationary second moment")
    r = rows @ xstar - b
    G = rows * r[:, None] + lam * xstar[None, :]
    C = (step * step) * (G.T @ G) / n
    S = np.linalg.solve(np.eye(d * d) - T, C.reshape(-1)).reshape(d, d)
    return 0.5 * (S + S.T)


def ls_noisy_finite_sum(n: int = 500, d: int = 20, sigma_noise: float = 0.5,
                        seed: int = 0, floor_step_lmax: float = 0.0) -> Problem:
    """Noisy least squares as a finite sum, f_i(x) = ½ (a_iᵀx − b_i)² (recipe P19).

    Parameters
    ----------
    n, d
        Number of components and dimension (n ≥ d).
    sigma_noise
        Standard deviation of the label noise: b = A x_true + sigma_noise ε. With noise,
        σ*² = (1/n) Σ ||a_i||² (a_iᵀx* − b_i)² > 0, so constant-step SGD has a positive floor.
    seed
        Seed of ``numpy.random.default_rng`` for A, x_true and the noise.
    floor_step_lmax
        If positive, also certify the exact stationary floor of constant-step SGD (uniform
        sampling with replacement) with the step γ = floor_step_lmax / L_max (e.g. 0.25 for
        γ = 1/(4 L_max)): ``sgd_floor_dist_sq`` = lim E||x_k − x*||²
        = tr S and ``sgd_floor_f_gap`` = lim E f(x_k) − f* = ½ tr(H S), with S from
        :func:`sgd_stationary_covariance` (CLAIMS.md C37).

    Start x0 = 0; x* is the least-squares solution (extended-precision refinement).
    """
    n, d, sigma_noise, floor_step_lmax = int(n), int(d), float(sigma_noise), float(floor_step_lmax)
    _check(n, d, sigma_noise)
    if not (floor_step_lmax >= 0 and math.isfinite(floor_step_lmax)):
        raise ValueError(f"need a finite floor_step_lmax >= 0, got {floor_step_lmax}")
    rows, _, b = _draw(n, d, seed, sigma_noise)
    xstar = _solve(rows, b, 0.0)
    return _build("ls-noisy-finite-sum",
                  f"ls-noisy-finite-sum(n={n}, d={d}, sigma_noise={sigma_noise:g}, seed={seed})",
                  rows, b, xstar, 0.0,
                  dict(n=n, d=d, sigma_noise=sigma_noise, seed=int(seed),
                       floor_step_lmax=floor_step_lmax), floor_step_lmax=floor_step_lmax)


def ls_consistent_finite_sum(n: int = 500, d: int = 20, seed: int = 0) -> Problem:
    """Consistent least squares as a finite sum (interpolation, recipe P20).

    b = A x_true exactly (dyadic data), so every f_i is minimised at x* = x_true and
    σ*² = 0 exactly. Start x0 = 0.
    """
    n, d = int(n), int(d)
    _check(n, d, 0.0)
    rows, x_true, b = _draw(n, d, seed, 0.0)
    problem = _build("ls-consistent-finite-sum",
                     f"ls-consistent-finite-sum(n={n}, d={d}, seed={seed})",
                     rows, b, x_true, 0.0, dict(n=n, d=d, seed=int(seed)))
    assert problem.certified["sigma_star_sq"] == 0.0
    return problem


def ridge_finite_sum(n: int = 200, d: int = 20, kappa_max: float = 100.0,
                     sigma_noise: float = 0.5, seed: int = 0) -> Problem:
    """Ridge regression as a finite sum with a prescribed L_max/μ (recipe P22).

    f_i(x) = ½ (a_iᵀx − b_i)² + (λ_r/2)||x||² with a_i, b as in P19 and
    λ_r = (L_max0 − κ μ_0)/(κ − 1), where L_max0 = max ||a_i||², μ_0 = λ_min(AᵀA/n) and
    κ = ``kappa_max``; then L_max/μ = (L_max0 + λ_r)/(μ_0 + λ_r) = κ (to rounding).

    Parameters
    ----------
    n, d, sigma_noise, seed
        As in :func:`ls_noisy_finite_sum` (n ≥ d is not required here: the ridge makes f
        strongly convex).
    kappa_max
        Target L_max/μ; needs 1 < kappa_max < L_max0/μ_0 (so that λ_r > 0); a larger target
        cannot be reached by a ridge and is refused.

    (The family parameter is ``kappa_max``, not ``kappa``: the instance constant ``kappa`` is
    L/μ with L = λ_max(H).)
    """
    n, d, kappa_max, sigma_noise = int(n), int(d), float(kappa_max), float(sigma_noise)
    if n < 1 or d < 1:
        raise ValueError(f"need n >= 1 and d >= 1, got n={n}, d={d}")
    if not (sigma_noise >= 0 and math.isfinite(sigma_noise)):
        raise ValueError(f"need a finite sigma_noise >= 0, got {sigma_noise}")
    if not kappa_max > 1:
        raise ValueError(f"need kappa_max > 1, got {kappa_max}")
    rows, _, b = _draw(n, d, seed, sigma_noise)
    l_max0 = float(np.einsum("ij,ij->i", rows, rows).max())
    mu0 = max(float(np.linalg.eigvalsh(rows.T @ rows / n)[0]), 0.0)
    lam = (l_max0 - kappa_max * mu0) / (kappa_max - 1)
    if not lam > 0:
        raise ValueError(f"kappa_max={kappa_max:g} is not reachable with a ridge for this draw: "
                         f"need kappa_max < L_max0/mu0 = {l_max0 / max(mu0, 1e-300):.6g}")
    xstar = _solve(rows, b, lam)
    return _build("ridge-finite-sum",
                  f"ridge-finite-sum(n={n}, d={d}, kappa_max={kappa_max:g}, seed={seed})",
                  rows, b, xstar, lam,
                  dict(n=n, d=d, kappa_max=kappa_max, sigma_noise=sigma_noise, seed=int(seed)))


# -- P27 ef21-quadratics ----------------------------------------------------------------------


@lazy_jit("sgrad")
def _ef21_sgrad(A, b, p, x, t, s, out):
    """Exact gradient of component i = s mod n: H_i (x − c_i), H_i = A[(i+1)d:(i+2)d],
    c_i = b[(i+1)d:(i+2)d]."""
    d = x.shape[0]
    n = np.int64(p[0])
    i0 = (s % n + 1) * d
    for r in range(d):
        acc = 0.0
        for j in range(d):
            acc += A[i0 + r, j] * (x[j] - b[i0 + j])
        out[r] = acc


def ef21_quadratics(n: int = 10, d: int = 20, topk: int = 1, seed: int = 3,
                    boost: float = 10.0, spread: float = 3.0, step_rule: str = "QM") -> Problem:
    """f = (1/n) Σ_i ½ (x − c_i)ᵀ H_i (x − c_i) (CLAIMS.md P27): H_i = Q_i diag(U[0.1, 1]) Q_iᵀ
    (Q_i Haar), H_1 multiplied by ``boost``, c_i ~ N(0, spread² I); start x0 = 0.

    The ``sgrad`` oracle with sample s returns ∇f_{s mod n} exactly (no noise): worker i of a
    distributed method calls it with s = i.

    Certified: x* = (Σ H_i)⁻¹ Σ H_i c_i, f* = f(x*), f − f* = ½ eᵀ H̄ e (H̄ = mean H_i), L =
    λ_max(H̄), μ = λ_min(H̄); ``n``; ``L_max`` = max L_i, ``L_QM`` = sqrt(mean L_i²), ``L_AM`` =
    mean L_i (L_i = λ_max(H_i)); for Top-k with α = topk/d (Richtárik, Sokolov & Fatkhullin
    2021): ``theta_ef`` = 1 − sqrt(1 − α), ``beta_ef`` = (1 − α)/(1 − sqrt(1 − α)) and the steps
    ``gamma_qm`` = 1/(L + L_QM sqrt(β/θ)), ``gamma_am`` = 1/(L + L_AM sqrt(β/θ)), and ``gamma``,
    the one of the two that ``step_rule`` (``QM`` or ``AM``) names, so that one claim can use
    either step on two instances.

    Oracles (operands: ``A`` = [H̄; H_1; ...; H_n] stacked, ``b`` = [x*; c_1; ...; c_n], ``p`` =
    [n]): ``grad`` and ``value`` are the quadratic family's on (H̄, x*) (f − f* from e = x − x*),
    ``sgrad`` is :func:`_ef21_sgrad`.

    Floors: those of the quadratic family (:func:`.quadratics.error_floors`, e carrying about
    eps ||x*||) with the estimated error δ of the computed x* added to the distance:
    dist_sq = (4 eps ||x*|| + δ)², f_gap = L dist_sq, grad_norm_sq = L² dist_sq. δ is the
    correction of one refinement step whose residual Σ_i H_i (c_i − x*) is formed in extended
    precision from the stored components (the ones ``sgrad`` returns, so a method that uses only
    them converges to the exact x* of the stored data).
    """
    n, d, topk = int(n), int(d), int(topk)
    if n < 1 or d < 1:
        raise ValueError(f"n and d must be >= 1, got n={n}, d={d}")
    if not 1 <= topk <= d:
        raise ValueError(f"topk must be in 1..d, got {topk} (d={d})")
    if not boost > 0 or not spread >= 0:
        raise ValueError(f"need boost > 0 and spread >= 0, got {boost}, {spread}")
    if step_rule not in ("QM", "AM"):
        raise ValueError(f"step_rule must be 'QM' or 'AM', got {step_rule!r}")
    rng = np.random.default_rng(int(seed))
    Hs, cs = [], []
    for i in range(n):
        q, r = np.linalg.qr(rng.standard_normal((d, d)))
        Q = q * np.sign(np.diag(r))
        lam = rng.uniform(0.1, 1.0, d) * (boost if i == 0 else 1.0)
        H = (Q * lam) @ Q.T
        Hs.append(0.5 * (H + H.T))
        cs.append(spread * rng.standard_normal(d))
    Hbar = sum(Hs) / n
    xs = np.linalg.solve(sum(Hs), sum(H @ c for H, c in zip(Hs, cs)))
    x0 = np.zeros(d)
    Li = np.array([np.linalg.eigvalsh(H).max() for H in Hs])
    eig = np.linalg.eigvalsh(Hbar)
    L, mu = float(eig.max()), float(eig.min())
    alpha = topk / d
    theta = 1.0 - math.sqrt(1.0 - alpha)
    beta = (1.0 - alpha) / theta
    L_QM, L_AM = float(np.sqrt(np.mean(Li**2))), float(np.mean(Li))
    fstar = float(np.mean([0.5 * (xs - c) @ H @ (xs - c) for H, c in zip(Hs, cs)]))
    res = sum(H.astype(np.longdouble) @ (c.astype(np.longdouble) - xs.astype(np.longdouble))
              for H, c in zip(Hs, cs))
    dist = 4 * _EPS * float(np.linalg.norm(xs)) + float(
        np.linalg.norm(np.linalg.solve(sum(Hs), res.astype(float))))
    e0 = x0 - xs
    gammas = {"QM": 1.0 / (L + L_QM * math.sqrt(beta / theta)),
              "AM": 1.0 / (L + L_AM * math.sqrt(beta / theta))}
    return Problem(
        family="ef21-quadratics", name=f"ef21-quadratics(n={n}, d={d}, topk={topk}, seed={seed})",
        A=np.vstack([Hbar, *Hs]), b=np.concatenate([xs, *cs]), p=np.array([float(n)]),
        oracles={"grad": quadratic_grad, "value": quadratic_value, "sgrad": _ef21_sgrad},
        x0=x0, xstar=xs, fstar=fstar, L=L, mu=mu, f0_gap=0.5 * float(e0 @ Hbar @ e0),
        floors={"dist_sq": max(dist**2, UNDERFLOW), "f_gap": max(L * dist**2, UNDERFLOW),
                "grad_norm_sq": max(L * L * dist**2, UNDERFLOW)},
        params=dict(n=n, d=d, topk=topk, seed=int(seed), boost=float(boost), spread=float(spread),
                    step_rule=step_rule),
        certified=dict(L_max=float(Li.max()), L_QM=L_QM, L_AM=L_AM, alpha=alpha,
                       theta_ef=theta, beta_ef=beta, gamma_qm=gammas["QM"],
                       gamma_am=gammas["AM"], gamma=gammas[step_rule]),
    )


FAMILIES = (
    Family("ls-noisy-finite-sum", ls_noisy_finite_sum, "finite sum (strongly convex)",
           ranges={"n": count(), "d": count(), "sigma_noise": NONNEGATIVE, "seed": SEED,
                   "floor_step_lmax": NONNEGATIVE},
           space={"n": [5, 60], "d": [1, 5], "sigma_noise": [0.0, 1.0], "seed": [0, 10_000]},
           example={"n": 30, "d": 4},
           memory=lambda p: 8.0 * (3 * p["n"] * p["d"] + 3 * p["d"] ** 2
                                   + (p["n"] * p["d"] ** 2 + 4 * p["d"] ** 4
                                      if p["floor_step_lmax"] > 0 else 0))),
    Family("ls-consistent-finite-sum", ls_consistent_finite_sum,
           "finite sum (strongly convex, interpolation)",
           ranges={"n": count(), "d": count(), "seed": SEED},
           space={"n": [5, 60], "d": [1, 5], "seed": [0, 10_000]},
           example={"n": 30, "d": 4},
           memory=lambda p: 8.0 * (3 * p["n"] * p["d"] + 3 * p["d"] ** 2)),
    Family("ridge-finite-sum", ridge_finite_sum, "finite sum (strongly convex)",
           ranges={"n": count(), "d": count(), "kappa_max": Interval(1.0, math.inf, open_low=True),
                   "sigma_noise": NONNEGATIVE, "seed": SEED},
           space={"n": [5, 60], "d": [1, 5], "kappa_max": [2.0, 20.0],
                  "sigma_noise": [0.0, 1.0], "seed": [0, 10_000]},
           example={"n": 30, "d": 4, "kappa_max": 10.0},
           memory=lambda p: 8.0 * (3 * p["n"] * p["d"] + 3 * p["d"] ** 2)),
    Family("ef21-quadratics", ef21_quadratics, "finite sum (strongly convex, distributed)",
           ranges={"n": count(), "d": count(), "topk": count(), "seed": SEED,
                   "boost": POSITIVE, "spread": NONNEGATIVE, "step_rule": ("QM", "AM")},
           space={"n": [1, 10], "d": [3, 10], "topk": [1, 3], "seed": [0, 10_000],
                  "step_rule": ["QM", "AM"]},
           example={"n": 3, "d": 4},
           memory=lambda p: 8.0 * 3 * (p["n"] + 1) * p["d"] ** 2),
)
