"""A strongly convex quadratic on a Euclidean ball with an additive-noise oracle (recipe P24).

    f(x) = ½ (x − x*)ᵀ H (x − x*),   X = {x : ||x|| <= radius},   g = ∇f(x) + s ξ, ξ ~ N(0, I_d),

with H = Q diag(λ) Qᵀ, λ log-spaced in [1/κ, L] (exact endpoints, Q Haar orthogonal), x* a
uniformly random direction with ||x*|| = 1 < radius (interior, so f* = 0 and ∇f(x*) = 0), and the
start x0 = 0, the centre of the ball. Bubeck's constant R² := sup_{x∈X} ½||x − x0||² = radius²/2
is certified as ``R_B`` = radius/√2, with ``sigma_sq`` = s² d.

Oracles (operands: ``A`` = H, ``b`` = x*, ``p`` = [s, radius]): ``grad`` = H(x − x*),
``value`` = ½ eᵀHe (no cancellation), ``sgrad`` = H(x − x*) + s ξ (ξ from the sample, counters
0..d−1 of ``normal``), ``prox`` = the Euclidean projection onto the ball (for any step).
"""

from __future__ import annotations

import math

import numpy as np

from ..runtime.jit import lazy_jit
from ..runtime.random import normal
from .base import UNDERFLOW, Problem
from .quadratics import quadratic_grad, quadratic_value


@lazy_jit("sgrad")
def ball_quad_sgrad(A, b, p, x, t, s, out):
    """out = H (x − x*) + p[0] ξ, ξ ~ N(0, I) from sample s."""
    d = x.shape[0]
    sigma = p[0]
    for i in range(d):
        acc = 0.0
        for j in range(d):
            acc += A[i, j] * (x[j] - b[j])
        out[i] = acc + sigma * normal(s, i)


@lazy_jit("prox")
def ball_projection(A, b, p, x, step, out):
    """Euclidean projection of x onto the ball of radius p[1] centred at 0."""
    r = p[1]
    nrm = 0.0
    for i in range(x.shape[0]):
        nrm += x[i] * x[i]
    nrm = np.sqrt(nrm)
    scale = r / nrm if nrm > r else 1.0
    for i in range(x.shape[0]):
        out[i] = x[i] * scale


def quad_ball_noise(d: int = 20, kappa_f: float = 100.0, L: float = 1.0, radius: float = 2.0,
                    noise: float = 0.1, seed: int = 0) -> Problem:
    """Quadratic with condition number ``kappa_f`` on the ball of radius ``radius``, ||x*|| = 1.

    Parameters
    ----------
    d
        Dimension.
    kappa_f
        L/μ of H (log-spaced spectrum in [L/kappa_f, L]). Named ``kappa_f`` because the instance
        constant ``kappa`` is L/mu (the same number here).
    L
        Largest eigenvalue of H.
    radius
        Radius of the feasible ball; must exceed ||x*|| = 1 so that x* is interior.
    noise
        Standard deviation s of the additive Gaussian noise of the oracle.
    seed
        Seed of ``numpy.random.default_rng`` (rotation, direction of x*).
    """
    d, kappa_f, L, radius, noise = int(d), float(kappa_f), float(L), float(radius), float(noise)
    if d < 1:
        raise ValueError(f"d must be >= 1, got {d}")
    if not (kappa_f >= 1 and math.isfinite(kappa_f)):
        raise ValueError(f"need a finite kappa_f >= 1, got {kappa_f}")
    if not L > 0:
        raise ValueError(f"need L > 0, got {L}")
    if d == 1 and kappa_f != 1:
        raise ValueError(f"d = 1 has a single eigenvalue: need kappa_f = 1, got {kappa_f}")
    if not radius > 1:
        raise ValueError(f"need radius > 1 = ||x*|| (x* interior), got {radius}")
    if not (noise >= 0 and math.isfinite(noise)):
        raise ValueError(f"need a finite noise >= 0, got {noise}")
    rng = np.random.default_rng(int(seed))
    mu = L / kappa_f
    lam = mu * kappa_f ** (np.arange(d) / max(d - 1, 1))
    lam[0], lam[-1] = mu, L
    q, r = np.linalg.qr(rng.standard_normal((d, d)))
    Q = q * np.sign(np.diag(r))
    H = (Q * lam) @ Q.T
    H = 0.5 * (H + H.T)
    u = rng.standard_normal(d)
    xs = u / np.linalg.norm(u)
    x0 = np.zeros(d)
    e0 = x0 - xs
    dist_sq = max((4 * np.finfo(float).eps) ** 2, UNDERFLOW)
    return Problem(
        family="quad-ball-noise",
        name=f"quad-ball-noise(d={d}, kappa_f={kappa_f:g}, radius={radius:g}, noise={noise:g})",
        A=H, b=xs, p=np.array([noise, radius]),
        oracles={"grad": quadratic_grad, "value": quadratic_value, "sgrad": ball_quad_sgrad,
                 "prox": ball_projection},
        x0=x0, xstar=xs, fstar=0.0, L=L, mu=mu, f0_gap=0.5 * float(e0 @ H @ e0),
        floors={"dist_sq": dist_sq, "f_gap": L * dist_sq, "grad_norm_sq": L * L * dist_sq},
        params=dict(d=d, kappa_f=kappa_f, L=L, radius=radius, noise=noise, seed=int(seed)),
        certified=dict(R_B=radius / math.sqrt(2.0), sigma_sq=noise * noise * d),
    )
