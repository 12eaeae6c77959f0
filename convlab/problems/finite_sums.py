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
``dist_sq`` ≈ (4 eps ||x*||)² (the same convention as the quadratic families, a few ulps per
coordinate) and f_gap, grad_norm_sq follow with L and L². With σ* = 0 exactly the floor is what
the arithmetic of the update allows; with noise the SGD plateaus are far above it.
"""

from __future__ import annotations

import math

import numpy as np

from ..runtime.jit import lazy_jit
from .base import UNDERFLOW, Problem

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
    fstar = float(0.5 * np.mean(res * res) + 0.5 * np.longdouble(lam) * (xl @ xl))
    start = np.zeros(d) if x0 is None else x0
    e0 = start - xstar
    dist_sq = max((4 * _EPS * float(np.linalg.norm(xstar))) ** 2, UNDERFLOW)
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
