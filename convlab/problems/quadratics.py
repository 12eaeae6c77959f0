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
  Nesterov 2004, §2.1.2).
"""

from __future__ import annotations

import numpy as np

from ..runtime.jit import LazyJit, lazy_jit
from ..runtime.random import normal
from .base import UNDERFLOW, Problem
from .family import FINITE, NONNEGATIVE, POSITIVE, SEED, Family, count

_EPS = float(np.finfo(float).eps)


@lazy_jit("grad")
def quadratic_grad(A, b, p, x, out):
    """out = A (x − b): the gradient of ½ (x − b)ᵀ A (x − b), in plain loops."""
    n = x.shape[0]
    for i in range(n):
        s = 0.0
        for j in range(n):
            s += A[i, j] * (x[j] - b[j])
        out[i] = s


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
    out[:] = np.dot(A, x - b)


@lazy_jit("value")
def quadratic_value_blas(A, b, p, x):
    """½ eᵀ A e with e = x − b through BLAS (np.dot)."""
    e = x - b
    return 0.5 * np.dot(e, np.dot(A, e))


@lazy_jit("sgrad")
def quadratic_sgrad(A, b, p, x, t, s, out):
    """out = A (x − b) + p[0] ξ with ξ ~ N(0, I) drawn from sample s (additive noise)."""
    n = x.shape[0]
    sigma = p[0]
    for i in range(n):
        acc = 0.0
        for j in range(n):
            acc += A[i, j] * (x[j] - b[j])
        out[i] = acc + sigma * normal(s, i) if sigma != 0.0 else acc


@lazy_jit("sgrad")
def quadratic_sgrad_blas(A, b, p, x, t, s, out):
    """As :func:`quadratic_sgrad`, the product through BLAS (np.dot)."""
    out[:] = np.dot(A, x - b)
    sigma = p[0]
    if sigma != 0.0:
        for i in range(x.shape[0]):
            out[i] += sigma * normal(s, i)


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
)
