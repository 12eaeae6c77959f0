"""Quadratic families: f(x) = ½ (x − x*)ᵀ H (x − x*) + f*.

Oracles (operands: ``A = H``, ``b = x*``, ``p`` unused; plain loops below ``BLAS_FROM_DIM``
coordinates, BLAS from there on):

- ``grad(x) = H (x − x*)``;
- ``value(x) = ½ eᵀ H e`` with ``e = x − x*``: f(x) − f* with no cancellation, so with x* = 0 the
  measure can be followed down to float64 underflow.

Families:

- :func:`quadratic`: a chosen spectrum in [μ, L] (exact endpoints), optionally rotated by a Haar
  orthogonal matrix (CLAIMS.md recipes P03, P04);
- :func:`nesterov_chain`: Nesterov's worst-case quadratic for a horizon (recipe P02,
  Nesterov 2004, §2.1.2);
- :func:`ls_interpolating_overparam`: interpolating least squares with n < d (recipe P50; its
  own operands: ``A`` = the rows, ``b`` = A x_true), a finite sum whose component is ``s % n``;
  :func:`ms_operator` and :func:`ms_threshold` give SGD's exact mean-square stability operator
  and threshold (C84);
- :func:`quad_diag_sam`: ½ xᵀHx with H = diag(linspace(λ_min, λ_max, d)), x0 = 1 (recipe P51).
"""

from __future__ import annotations

import numpy as np

from ..runtime.jit import LazyJit, lazy_jit, njit_inlined
from ..runtime.random import add_normals
from .base import UNDERFLOW, Problem
from .family import FINITE, NONNEGATIVE, POSITIVE, SEED, Family, count

_EPS = float(np.finfo(float).eps)


@njit_inlined
def symmetric_product(A, b, x, out):
    """out = A (x − b) for A's leading block exactly symmetric: every ``out[i]`` the strict
    left-to-right sum Σ_j A[i, j] (x[j] − b[j]), in plain loops.

    The loops run over the columns of the block (A[j, i] = A[i, j], exactly: every family
    that uses it builds H as ½ (H + Hᵀ); tests/test_symmetric_oracles.py), four at a time, so
    the inner loop updates all the ``out[i]`` at once (a vector instruction for several i)
    while each sum still adds its terms in the order j = 0, 1, ...: the same numbers, bit for
    bit, as a loop over rows, at a fraction of its time (benchmarks/bench_kernels.py).
    """
    n = x.shape[0]
    j = 0
    if n >= 4:  # the first four columns start the sums (0.0 + ..., as a row loop starts them)
        e0 = x[0] - b[0]
        e1 = x[1] - b[1]
        e2 = x[2] - b[2]
        e3 = x[3] - b[3]
        r0 = A[0]
        r1 = A[1]
        r2 = A[2]
        r3 = A[3]
        for i in range(n):
            out[i] = (((0.0 + r0[i] * e0) + r1[i] * e1) + r2[i] * e2) + r3[i] * e3
        j = 4
    else:
        for i in range(n):
            out[i] = 0.0
    while j + 4 <= n:  # four columns per pass over out (fewer loads and stores of out)
        e0 = x[j] - b[j]
        e1 = x[j + 1] - b[j + 1]
        e2 = x[j + 2] - b[j + 2]
        e3 = x[j + 3] - b[j + 3]
        r0 = A[j]
        r1 = A[j + 1]
        r2 = A[j + 2]
        r3 = A[j + 3]
        for i in range(n):
            out[i] = (((out[i] + r0[i] * e0) + r1[i] * e1) + r2[i] * e2) + r3[i] * e3
        j += 4
    if j + 2 <= n:
        e0 = x[j] - b[j]
        e1 = x[j + 1] - b[j + 1]
        r0 = A[j]
        r1 = A[j + 1]
        for i in range(n):
            out[i] = (out[i] + r0[i] * e0) + r1[i] * e1
        j += 2
    if j < n:
        e = x[j] - b[j]
        row = A[j]
        for i in range(n):
            out[i] += row[i] * e


@lazy_jit("grad")
def quadratic_grad(A, b, p, x, out):
    """out = A (x − b): the gradient of ½ (x − b)ᵀ A (x − b), in plain loops
    (:func:`symmetric_product`: A's leading block is symmetric)."""
    symmetric_product(A, b, x, out)


@lazy_jit("value")
def quadratic_value(A, b, p, x):
    """½ eᵀ A e with e = x − b, i.e. f(x) − f* computed from the error vector, in plain loops."""
    n = x.shape[0]
    total = 0.0
    for i in range(n):
        s = 0.0
        for j in range(n):
            s += A[i, j] * (x[j] - b[j])
        total += s * (x[i] - b[i])
    return 0.5 * total


@lazy_jit("grad")
def quadratic_grad_blas(A, b, p, x, out):
    """out = A (x − b) through BLAS (np.dot)."""
    g = np.dot(A, x - b)
    for i in range(out.shape[0]):  # a loop, not out[:] = ...: no shape-error path to compile
        out[i] = g[i]


@lazy_jit("value")
def quadratic_value_blas(A, b, p, x):
    """½ eᵀ A e with e = x − b through BLAS (np.dot)."""
    e = x - b
    return 0.5 * np.dot(e, np.dot(A, e))


@lazy_jit("sgrad")
def quadratic_sgrad(A, b, p, x, t, s, out):
    """out = A (x − b) + p[0] ξ with ξ ~ N(0, I) drawn from sample s (additive noise)."""
    sigma = p[0]
    symmetric_product(A, b, x, out)
    if sigma != 0.0:
        add_normals(s, 0, sigma, out)


@lazy_jit("sgrad")
def quadratic_sgrad_blas(A, b, p, x, t, s, out):
    """As :func:`quadratic_sgrad`, the product through BLAS (np.dot)."""
    g = np.dot(A, x - b)
    for i in range(out.shape[0]):
        out[i] = g[i]
    sigma = p[0]
    if sigma != 0.0:
        add_normals(s, 0, sigma, out)


#: From this dimension on, instances use the BLAS oracles. Strict floating-point order keeps
#: numba's loops scalar while BLAS is vectorised; a BLAS call costs more than the loops below a
#: few dozen coordinates (benchmarks/bench_skeleton.py: loops ~9x slower than numpy at d = 1000).
BLAS_FROM_DIM = 64


def _oracles(d: int) -> tuple[LazyJit, LazyJit, LazyJit]:
    """(grad, value, sgrad) oracles for dimension d: plain loops, or BLAS from BLAS_FROM_DIM."""
    if d >= BLAS_FROM_DIM:
        return quadratic_grad_blas, quadratic_value_blas, quadratic_sgrad_blas
    return quadratic_grad, quadratic_value, quadratic_sgrad


def _spectrum(kind: str, d: int, mu: float, L: float) -> np.ndarray:
    if kind == "logspace":
        if mu <= 0:
            raise ValueError("spectrum 'logspace' needs mu > 0 (use 'linspace' for mu = 0)")
        if mu < 1e-300 * L:  # (L/mu)**t overflows
            raise ValueError(f"spectrum 'logspace' needs mu >= 1e-300 L, got mu={mu:g}")
        lam = mu * (L / mu) ** (np.arange(d) / max(d - 1, 1))
    elif kind == "linspace":
        lam = np.linspace(mu, L, d)
    elif kind == "two-mode":
        lam = np.full(d, np.sqrt(mu * L)) if mu > 0 else np.full(d, L / 2)
    else:
        raise ValueError(f"unknown spectrum {kind!r} (expected 'logspace', 'linspace' or 'two-mode')")
    lam[0], lam[-1] = mu, L  # exact endpoints, whatever rounding the formula made
    return lam


def _haar_orthogonal(d: int, rng: np.random.Generator) -> np.ndarray:
    q, r = np.linalg.qr(rng.standard_normal((d, d)))
    return q * np.sign(np.diag(r))  # sign fix makes Q Haar distributed


def quadratic(d: int = 10, L: float = 1.0, mu: float = 0.0, *, seed: int = 0,
              spectrum: str = "auto", rotate: bool = True, x0: str = "random",
              R: float = 0.0, xstar: str = "zero", fstar: float = 0.0,
              noise: float = 0.0) -> Problem:
    """Quadratic ``½ (x − x*)ᵀ H (x − x*) + f*`` with eigenvalues in [mu, L].

    Parameters
    ----------
    d
        Dimension.
    L, mu
        Largest and smallest eigenvalue of H (both attained exactly; ``mu = 0`` allowed with the
        ``linspace`` spectrum).
    seed
        Seed of ``numpy.random.default_rng`` for the rotation, x* and a random start.
    spectrum
        ``logspace`` (λᵢ = μ (L/μ)^((i−1)/(d−1))), ``linspace``, or ``two-mode`` (μ, L and the
        geometric mean in between; recipe P04 puts the start on the μ and L modes); ``auto``
        (the default) is ``logspace`` when mu > 0 and ``linspace`` when mu = 0.
    rotate
        H = Q diag(λ) Qᵀ with Q Haar orthogonal; otherwise H is diagonal.
    x0
        Start, in the eigenbasis q₁..q_d of H (q₁ belongs to μ): ``random`` (Gaussian),
        ``ones`` (Σ qᵢ, every mode), ``mu-mode`` (q₁), ``L-mode`` (q_d), ``two-mode`` (q₁ + q_d).
    R
        If positive, x0 − x* is rescaled to have norm R.

    When mu = 0 the solution set is x* + null(H); x* is moved to the projection of x0 onto it,
    so that R = ||x0 − x*|| is the distance to the solution set.
    xstar
        ``zero`` (x* = 0: measures have no floor above underflow) or ``random`` (Gaussian).
    fstar
        Optimal value.
    noise
        Standard deviation s of the additive Gaussian noise of the stochastic oracle
        g = ∇f(x) + s ξ, ξ ~ N(0, I) (recipe P21); certified ``sigma_sq`` = E||g − ∇f||² = s² d.
    """
    d, L, mu = int(d), float(L), float(mu)
    if d < 1:
        raise ValueError(f"d must be >= 1, got {d}")
    if not (L > 0 and 0 <= mu <= L):
        raise ValueError(f"need 0 <= mu <= L and L > 0, got mu={mu}, L={L}")
    if not noise >= 0:
        raise ValueError(f"need noise >= 0, got {noise}")
    rng = np.random.default_rng(int(seed))
    if spectrum == "auto":
        spectrum = "logspace" if mu > 0 else "linspace"
    lam = _spectrum(spectrum, d, mu, L)
    Q = _haar_orthogonal(d, rng) if rotate else np.eye(d)
    H = (Q * lam) @ Q.T
    H = 0.5 * (H + H.T)
    if xstar == "zero":
        xs = np.zeros(d)
    elif xstar == "random":
        xs = rng.standard_normal(d)
    else:
        raise ValueError(f"unknown xstar {xstar!r} (expected 'zero' or 'random')")
    starts = {
        "random": lambda: rng.standard_normal(d),
        "ones": lambda: Q.sum(axis=1),
        "mu-mode": lambda: Q[:, 0].copy(),
        "L-mode": lambda: Q[:, -1].copy(),
        "two-mode": lambda: Q[:, 0] + Q[:, -1],
    }
    if x0 not in starts:
        raise ValueError(f"unknown x0 {x0!r} (expected one of {', '.join(starts)})")
    e0 = starts[x0]()
    null = Q[:, lam == 0]
    if null.size:  # x* is the projection of x0 on the solution set x* + null(H)
        shift = null @ (null.T @ e0)
        xs, e0 = xs + shift, e0 - shift
    if R > 0:
        e0 *= R / np.linalg.norm(e0)
    start = xs + e0
    grad, value, sgrad = _oracles(d)
    return Problem(
        family="quadratic", name=f"quadratic(d={d}, L={L:g}, mu={mu:g}, seed={seed})",
        A=H, b=xs, p=np.array([float(noise)]),
        oracles={"grad": grad, "value": value, "sgrad": sgrad},
        x0=start, xstar=xs, fstar=float(fstar), L=L, mu=mu,
        f0_gap=0.5 * float(e0 @ H @ e0), floors=error_floors(xs, L),
        params=dict(d=d, L=L, mu=mu, seed=int(seed), spectrum=spectrum, rotate=bool(rotate),
                    x0=x0, xstar=xstar, fstar=float(fstar), noise=float(noise)),
        certified=dict(sigma_sq=float(noise) ** 2 * d),
    )


def nesterov_chain(m: int, L: float = 1.0) -> Problem:
    """Nesterov's worst-case quadratic ``f(x) = (L/4)(½ xᵀ A_m x − x₁)`` with x0 = 0.

    ``A_m = tridiag(−1, 2, −1)`` of size m. For a horizon N take m = 2N + 1 (Nesterov 2004,
    Thm 2.1.7). Exact solution ``x*_i = 1 − i/(m+1)``, ``f* = (L/8)(1/(m+1) − 1)``,
    ``R² = m(2m+1)/(6(m+1))``; eigenvalues of the Hessian ``L sin²(iπ/(2(m+1)))``, all below L.
    """
    m, L = int(m), float(L)
    if m < 1:
        raise ValueError(f"m must be >= 1, got {m}")
    H = (L / 4) * (2 * np.eye(m) - np.eye(m, k=1) - np.eye(m, k=-1))
    i = np.arange(1, m + 1)
    xs = 1.0 - i / (m + 1)
    e0 = -xs
    grad, value, _ = _oracles(m)
    return Problem(
        family="nesterov-chain", name=f"nesterov-chain(m={m}, L={L:g})",
        A=H, b=xs, p=np.zeros(1), oracles={"grad": grad, "value": value},
        x0=np.zeros(m), xstar=xs, fstar=(L / 8) * (1 / (m + 1) - 1), L=L,
        mu=L * np.sin(np.pi / (2 * (m + 1))) ** 2,
        f0_gap=0.5 * float(e0 @ H @ e0), floors=error_floors(xs, L), params=dict(m=m, L=L),
    )


def error_floors(xstar: np.ndarray, L: float) -> dict[str, float]:
    """Rounding floors when errors are formed as x − x*: e carries ~eps·|x*| per coordinate."""
    scale = 4 * _EPS * float(np.linalg.norm(xstar))
    dist_sq = max(scale**2, UNDERFLOW)
    return {"dist_sq": dist_sq, "f_gap": max(L * dist_sq, UNDERFLOW),
            "grad_norm_sq": max(L * L * dist_sq, UNDERFLOW)}


def solve_error(M: np.ndarray, q: np.ndarray, z: np.ndarray) -> float:
    """Estimated error ||z_exact − z|| of a computed solution z of M z = q: the correction of
    one step of iterative refinement, the residual q − M z formed in extended precision
    (``np.longdouble``) so that it is the residual of z, not rounding."""
    r = q.astype(np.longdouble) - M.astype(np.longdouble) @ z.astype(np.longdouble)
    return float(np.linalg.norm(np.linalg.solve(M, r.astype(float))))


# -- P50 interpolating over-parameterised least squares --------------------------------------


@lazy_jit("grad")
def ls_grad(A, b, p, x, out):
    """∇f(x) = (1/n) Aᵀ(Ax − b)."""
    n, d = A.shape
    for j in range(d):
        out[j] = 0.0
    for i in range(n):
        r = -b[i]
        for j in range(d):
            r += A[i, j] * x[j]
        for j in range(d):
            out[j] += A[i, j] * r / n


@lazy_jit("sgrad")
def ls_sgrad(A, b, p, x, t, s, out):
    """Component i = s mod n: ∇f_i(x) = a_i (a_iᵀx − b_i)."""
    n, d = A.shape
    i = s % n
    r = -b[i]
    for j in range(d):
        r += A[i, j] * x[j]
    for j in range(d):
        out[j] = A[i, j] * r


@lazy_jit("value")
def ls_value(A, b, p, x):
    """f(x) − f* = (1/(2n))‖Ax − b‖² (f* = 0: interpolation)."""
    n, d = A.shape
    tot = 0.0
    for i in range(n):
        r = -b[i]
        for j in range(d):
            r += A[i, j] * x[j]
        tot += r * r
    return 0.5 * tot / n


def ls_interpolating_overparam(n: int = 10, d: int = 30, norms: str = "hetero",
                               seed: int = 0) -> Problem:
    """Interpolating least squares f(x) = (1/(2n)) Σ (a_iᵀx − b_i)², b = A x_true, n < d (P50).

    Rows a_i Gaussian, rescaled to norms U[0.3, 2] (``hetero``) or to norm 1 (``equal``);
    x_true Gaussian; x0 = 0. f* = 0; the solution set is x_true + null(A) and x* is the
    projection of x0 on it, x* = A⁺b, so x_k − x* stays in the row space for SGD and implicit SGD.
    H = AᵀA/n; L = λ_max(H), mu = the smallest nonzero eigenvalue (PL constant).
    The stochastic oracle samples component s mod n (uniform, with replacement).
    Certified: ``n``, ``trH`` = tr(H), ``lam_max`` = λ_max(H), ``L_max`` = max ‖a_i‖²,
    ``eta_ms`` = SGD's exact mean-square threshold (:func:`ms_threshold`).

    Floors: ``dist_sq`` = (8 eps ||x*|| + δ)², δ the estimated error of the computed x* = A⁺b
    (the row-space correction A⁺ r of one refinement step, r = b − A x* in extended precision);
    the residual Ax − b is formed with cancellation, each r_i carrying about
    4 eps (|b_i| + Σ_j |A_ij x*_j|) =: ρ_i, so ``f_gap`` = max(L·dist_sq, ||ρ||²/(2n)) and
    ``grad_norm_sq`` = max(L²·dist_sq, (||A||₂ ||ρ|| / n)²).
    """
    n, d = int(n), int(d)
    if n < 1 or d <= n:
        raise ValueError(f"need 1 <= n < d (over-parameterised), got n={n}, d={d}")
    rng = np.random.default_rng(int(seed))
    A = rng.standard_normal((n, d))
    A /= np.linalg.norm(A, axis=1, keepdims=True)
    if norms == "hetero":
        A *= rng.uniform(0.3, 2.0, size=(n, 1))
    elif norms != "equal":
        raise ValueError(f"unknown norms {norms!r} (expected 'hetero' or 'equal')")
    x_true = rng.standard_normal(d)
    b = A @ x_true
    A_pinv = np.linalg.pinv(A)
    xs = A_pinv @ b
    H = A.T @ A / n
    lam = np.linalg.eigvalsh(H)
    r = b.astype(np.longdouble) - A.astype(np.longdouble) @ xs.astype(np.longdouble)
    dist_sq = (8 * _EPS * float(np.linalg.norm(xs))
               + float(np.linalg.norm(A_pinv @ r.astype(float)))) ** 2
    rho = 4 * _EPS * float(np.linalg.norm(np.abs(b) + np.abs(A) @ np.abs(xs)))
    pr = Problem(
        family="ls-interpolating-overparam", name=f"ls-interpolating-overparam(n={n}, d={d}, {norms})",
        A=A, b=b, p=np.zeros(1), oracles={"grad": ls_grad, "sgrad": ls_sgrad, "value": ls_value},
        x0=np.zeros(d), xstar=xs, fstar=0.0, L=float(lam[-1]), mu=float(lam[d - n]),
        floors={"dist_sq": max(dist_sq, UNDERFLOW),
                "f_gap": max(float(lam[-1]) * dist_sq, rho**2 / (2 * n), UNDERFLOW),
                "grad_norm_sq": max(float(lam[-1]) ** 2 * dist_sq,
                                    (float(np.linalg.norm(A, 2)) * rho / n) ** 2, UNDERFLOW)},
        params=dict(n=n, d=d, norms=norms, seed=int(seed)),
        certified=dict(trH=float(np.trace(H)), lam_max=float(lam[-1]),
                       L_max=float((A * A).sum(axis=1).max())),
    )
    object.__setattr__(pr, "certified", dict(pr.certified, eta_ms=ms_threshold(A)))
    return pr


def _row_basis(A: np.ndarray) -> np.ndarray:
    """Coordinates of the rows of A in an orthonormal basis of the row space (n × r)."""
    _, s, Vt = np.linalg.svd(A, full_matrices=False)
    r = int((s > s[0] * 1e-12).sum())
    return A @ Vt[:r].T


def ms_operator(A: np.ndarray, eta: float) -> np.ndarray:
    """M(η) = (1/n) Σ_i (I − η c_i c_iᵀ) ⊗ (I − η c_i c_iᵀ) (r² × r²), c_i = a_i in row-space
    coordinates: E[e_{k+1} e_{k+1}ᵀ] = unvec(M(η) vec(E[e_k e_kᵀ])) for batch-1 SGD (C84)."""
    C = _row_basis(np.asarray(A, dtype=float))
    n, r = C.shape
    out = np.zeros((r * r, r * r))
    for c in C:
        P = np.eye(r) - eta * np.outer(c, c)
        out += np.kron(P, P)
    return out / n


def ms_spectral_radius(A: np.ndarray, eta: float) -> float:
    """ρ(M(η)), the mean-square growth factor of batch-1 SGD per step."""
    return float(np.abs(np.linalg.eigvals(ms_operator(A, eta))).max())


def ms_threshold(A: np.ndarray, *, iters: int = 60) -> float:
    """η_c = sup{η > 0 : ρ(M(η)) <= 1} by bisection (ρ(M(η)) − 1 changes sign once: M(η) is
    the mean of P_i ⊗ P_i, and ρ(M(η)) is the largest eigenvalue of the symmetric map S ↦ E[P S P]
    on symmetric matrices, a convex function of η that equals 1 at η = 0).

    The bracket starts at [0, 2/tr(H)] and its upper end doubles until ρ(M) > 1.
    """
    A = np.asarray(A, dtype=float)
    lo, hi = 0.0, 2.0 / ((A * A).sum(axis=1).mean())
    C = _row_basis(A)
    n, r = C.shape

    def rho(eta):  # largest eigenvalue of the symmetric (in the trace inner product) map
        M = np.zeros((r * r, r * r))
        for c in C:
            P = np.eye(r) - eta * np.outer(c, c)
            M += np.kron(P, P)
        return float(np.abs(np.linalg.eigvalsh(M / n)).max())

    while rho(hi) <= 1.0 + 1e-13:
        lo, hi = hi, 2.0 * hi
    for _ in range(iters):
        mid = 0.5 * (lo + hi)
        if rho(mid) <= 1.0 + 1e-13:
            lo = mid
        else:
            hi = mid
    return lo


# -- P51 diagonal quadratic for SAM ------------------------------------------------------------


def quad_diag_sam(lam_max: float = 15.0, rho: float = 0.05, d: int = 20,
                  lam_min: float = 0.1) -> Problem:
    """f(x) = ½xᵀHx, H = diag(linspace(lam_min, lam_max, d)), x0 = 1, x* = 0 (recipe P51).

    ``rho`` is the SAM radius the instance is meant for; it only enters the certified
    ``eta_sam`` = 2/(λ_max + ρλ_max²) (the largest stable step of unnormalised SAM) and
    ``lam_sam(eta)`` is left to claims: λ_SAM = (sqrt(1 + 8ρ/η) − 1)/(2ρ). Floors: underflow
    (x* = 0, H diagonal: no cancellation).
    """
    d, lam_max, lam_min, rho = int(d), float(lam_max), float(lam_min), float(rho)
    if d < 1 or not (0 < lam_min <= lam_max) or rho < 0:
        raise ValueError("need d >= 1, 0 < lam_min <= lam_max and rho >= 0")
    lam = np.linspace(lam_min, lam_max, d)
    lam[-1] = lam_max
    H = np.diag(lam)
    x0 = np.ones(d)
    return Problem(
        family="quad-diag-sam", name=f"quad-diag-sam(lam_max={lam_max:g})",
        A=H, b=np.zeros(d), p=np.zeros(1),
        oracles={"grad": quadratic_grad, "value": quadratic_value},
        x0=x0, xstar=np.zeros(d), fstar=0.0, L=lam_max, mu=lam_min,
        f0_gap=0.5 * float(lam.sum()),
        floors={"dist_sq": UNDERFLOW, "f_gap": UNDERFLOW, "grad_norm_sq": UNDERFLOW},
        params=dict(lam_max=lam_max, rho=rho, d=d, lam_min=lam_min),
        certified=dict(eta_sam=2.0 / (lam_max + rho * lam_max ** 2)),
    )


FAMILIES = (
    Family("quadratic", quadratic, "smooth (strongly) convex",
           ranges={"d": count(1, 100_000), "L": POSITIVE, "mu": NONNEGATIVE, "seed": SEED,
                   "spectrum": ("auto", "logspace", "linspace", "two-mode"),
                   "x0": ("random", "ones", "mu-mode", "L-mode", "two-mode"), "R": NONNEGATIVE,
                   "xstar": ("zero", "random"), "fstar": FINITE, "noise": NONNEGATIVE},
           space={"d": [1, 30], "L": [0.1, 10.0], "mu": [0.0, 0.1], "seed": [0, 10_000],
                  "spectrum": ["linspace", "logspace", "two-mode"],
                  "x0": ["random", "ones", "mu-mode", "L-mode", "two-mode"]},
           example={"d": 6, "mu": 0.1}, memory=lambda p: 8.0 * 3 * p["d"] ** 2),
    Family("nesterov-chain", nesterov_chain, "smooth convex (worst case)",
           ranges={"m": count(1, 100_000), "L": POSITIVE},
           space={"m": [1, 60], "L": [0.1, 10.0]}, example={"m": 5},
           memory=lambda p: 8.0 * 3 * p["m"] ** 2),
    Family("ls-interpolating-overparam", ls_interpolating_overparam,
           "smooth convex, PL (interpolating finite sum)",
           ranges={"n": count(1), "d": count(2), "norms": ("hetero", "equal"), "seed": SEED},
           space={"n": [1, 8], "d": [9, 24], "norms": ["hetero", "equal"], "seed": [0, 10_000]},
           example={"n": 4, "d": 10},
           memory=lambda p: 8.0 * (3 * p["n"] * p["d"] + 2 * p["d"] ** 2 + 2 * p["n"] ** 4)),
    Family("quad-diag-sam", quad_diag_sam, "strongly convex (diagonal quadratic)",
           ranges={"lam_max": POSITIVE, "rho": NONNEGATIVE, "d": count(), "lam_min": POSITIVE},
           space={"lam_max": [1.0, 20.0], "rho": [0.0, 0.1], "d": [1, 30], "lam_min": [0.01, 1.0]},
           example={"d": 5}, memory=lambda p: 8.0 * p["d"] ** 2),
)
