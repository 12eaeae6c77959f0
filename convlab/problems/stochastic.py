"""Stochastic families: smooth (or sharp) objectives with a stochastic oracle of a stated noise
model (CLAIMS.md §5.9 part B, §5.10; recipes P12 + ball, P23-P26, P31, P03 + noise).

Every family has x* and f* in closed form (or a minimiser of the basin of x0), computes f − f*
from the error e = x − x* and states the law of its ``sgrad`` oracle g(x, ξ):

=================== ====== ===================================================================
family              recipe noise model of ``sgrad``
=================== ====== ===================================================================
quad-ball-noise     P24    ∇f + s ξ, ξ ~ N(0, I) (additive), on a ball (``prox``)
clip-bias-1d        P23    x + ξ, ξ skewed two-point with mean 0 (biased under clipping)
quad-heavy-tail     P25    ∇f + scale·ξ, ξ_i i.i.d. Student-t(ν) (infinite variance if ν <= 2)
shb-anisotropic     P26    ∇f + ζ, ζ ~ N(0, σ² H / B) (anisotropic)
l1-regression-ball  P12    sign(a_iᵀ(x − x♮)) a_i, one sampled row (bounded), on a ball
quad-affine-noise   C53    ∇f (1 + σ1 ξ1) + σ0 ξ0 (affine variance)
quartic-coords      P31    ∇f ⊙ (1 + a ξ) + b ζ (coordinate-wise affine variance)
=================== ====== ===================================================================

The quadratic families share the oracles of :mod:`.quadratics` (``A = H``, ``b = x*``) and its
floor helper :func:`.quadratics.error_floors`; with x* = 0 every measure is formed without
cancellation and its floor is the underflow level.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from ..runtime.jit import lazy_jit
from ..runtime.random import add_normals, normal, uniform
from .base import UNDERFLOW, Problem
from .family import FINITE, NONNEGATIVE, POSITIVE, SEED, UNIT_OPEN, Family, Interval, count
from .quadratics import (error_floors, quadratic, quadratic_grad, quadratic_value,
                         symmetric_product)
from .sets import project_ball_origin

_EPS = float(np.finfo(float).eps)


# -- P24 quad-ball-noise ---------------------------------------------------------------------


@lazy_jit("sgrad")
def ball_quad_sgrad(A, b, p, x, t, s, out):
    """out = H (x − x*) + p[0] ξ, ξ ~ N(0, I) from sample s."""
    sigma = p[0]
    symmetric_product(A, b, x, out)  # H (x − x*), the strict row sums (H is symmetric)
    add_normals(s, 0, sigma, out)


@lazy_jit("prox")
def ball_projection(A, b, p, x, step, out):
    """Euclidean projection of x onto the ball of radius p[1] centred at 0
    (:func:`convlab.problems.sets.project_ball_origin`)."""
    project_ball_origin(x, p[1], out)


def quad_ball_noise(d: int = 20, kappa_f: float = 100.0, L: float = 1.0, radius: float = 2.0,
                    noise: float = 0.1, seed: int = 0) -> Problem:
    """Quadratic with condition number ``kappa_f`` on the ball of radius ``radius``, ||x*|| = 1.

        f(x) = ½ (x − x*)ᵀ H (x − x*),  X = {x : ||x|| <= radius},  g = ∇f(x) + s ξ, ξ ~ N(0, I_d),

    with H = Q diag(λ) Qᵀ, λ log-spaced in [1/κ, L] (exact endpoints, Q Haar orthogonal), x* a
    uniformly random direction with ||x*|| = 1 < radius (interior, so f* = 0 and ∇f(x*) = 0), and
    the start x0 = 0, the centre of the ball (recipe P24). Bubeck's constant R² := sup_{x∈X}
    ½||x − x0||² = radius²/2 is certified as ``R_B`` = radius/√2, with ``sigma_sq`` = s² d.

    Oracles (operands: ``A`` = H, ``b`` = x*, ``p`` = [s, radius]): ``grad`` = H(x − x*),
    ``value`` = ½ eᵀHe (no cancellation), ``sgrad`` = H(x − x*) + s ξ (ξ from the sample,
    counters 0..d−1 of ``normal``), ``prox`` = the Euclidean projection onto the ball (for any
    step). Floors: those of the quadratic family (:func:`.quadratics.error_floors`), e = x − x*
    carrying about eps·||x*|| = eps.

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
    return Problem(
        family="quad-ball-noise",
        name=f"quad-ball-noise(d={d}, kappa_f={kappa_f:g}, radius={radius:g}, noise={noise:g})",
        A=H, b=xs, p=np.array([noise, radius]),
        oracles={"grad": quadratic_grad, "value": quadratic_value, "sgrad": ball_quad_sgrad,
                 "prox": ball_projection},
        x0=x0, xstar=xs, fstar=0.0, L=L, mu=mu, f0_gap=0.5 * float(e0 @ H @ e0),
        floors=error_floors(xs, L),
        params=dict(d=d, kappa_f=kappa_f, L=L, radius=radius, noise=noise, seed=int(seed)),
        certified=dict(R_B=radius / math.sqrt(2.0), sigma_sq=noise * noise * d),
    )


# -- P23 clip-bias-1d ------------------------------------------------------------------------


@lazy_jit("sgrad")
def _clip_bias_sgrad(A, b, p, x, t, s, out):
    """out = x + ξ, ξ = jump with probability prob, −low otherwise (p = [jump, prob, low])."""
    u = uniform(s, 0)
    out[0] = x[0] + (p[0] if u < p[1] else -p[2])


def _clipped_mean_drift(x: float, jump: float, prob: float, low: float, clip: float) -> float:
    """h(x) = E[clip_c(x + ξ)] with clip_c(g) = g min(1, c/|g|)."""
    def cl(g):
        return g if abs(g) <= clip else math.copysign(clip, g)
    return prob * cl(x + jump) + (1 - prob) * cl(x - low)


def clip_bias_1d(jump: float = 9.0, prob: float = 0.1, clip: float = 1.0, x0: float = 0.0,
                 eta: float = 0.01) -> Problem:
    """f(x) = x²/2 on R with the oracle g = x + ξ, ξ = ``jump`` w.p. ``prob`` and
    −low = −prob·jump/(1 − prob) otherwise (mean zero). CLAIMS.md P23 (defaults: ξ = +9 w.p.
    0.1, −1 w.p. 0.9).

    Parameters
    ----------
    jump, prob
        The rare large noise value and its probability (0 < prob < 1, jump > 0).
    clip
        Clip level c at which the biased fixed point ``xbar`` is certified: the unique zero of
        h(x) = E[clip_c(x + ξ)], which is nondecreasing in x. A claim passes the same level to
        the clipped kernel (``clip = "clip"``).
    x0
        Start.
    eta
        A step size carried as an instance constant, so that one claim can run several steps
        over several instances (``step = "eta"``); it does not change the problem.

    Certified: x* = 0, f* = 0, L = mu = 1, ``xbar`` (8/9 for the defaults, derived: h(x) =
    0.1·1 + 0.9·(x − 1) on (0, 2)), ``sigma_sq`` = Var ξ = prob·jump²/(1 − prob).

    Floors: underflow for every measure (x* = 0: x − x*, ½x² and the gradient x are formed
    without cancellation).
    """
    jump, prob, clip, x0, eta = float(jump), float(prob), float(clip), float(x0), float(eta)
    if not jump > 0:
        raise ValueError(f"jump must be positive, got {jump}")
    if not 0 < prob < 1:
        raise ValueError(f"prob must be in (0, 1), got {prob}")
    if not clip > 0:
        raise ValueError(f"clip must be positive, got {clip}")
    if not eta > 0:
        raise ValueError(f"eta must be positive, got {eta}")
    low = prob * jump / (1 - prob)
    lo, hi = -jump - low - clip, jump + low + clip
    args = (jump, prob, low, clip)
    from scipy.optimize import brentq  # on first use: scipy.optimize costs 0.1 s to import

    xbar = brentq(_clipped_mean_drift, lo, hi, args=args, xtol=1e-15, rtol=4 * _EPS)
    # h is nondecreasing and piecewise linear; it can vanish on a whole interval (both noise
    # values clipped, on opposite sides), and then the biased fixed point is not unique
    step = 1e-6 * (1.0 + abs(xbar))
    if _clipped_mean_drift(xbar - step, *args) >= 0 or _clipped_mean_drift(xbar + step, *args) <= 0:
        raise ValueError(f"the clipped drift E[clip_c(x + xi)] vanishes on an interval around "
                         f"{xbar:.6g}: the fixed point is not unique (jump={jump}, low={low:.6g}, "
                         f"clip={clip})")
    return Problem(
        family="clip-bias-1d", name=f"clip-bias-1d(jump={jump:g}, prob={prob:g}, clip={clip:g})",
        A=np.ones((1, 1)), b=np.zeros(1), p=np.array([jump, prob, low]),
        oracles={"grad": quadratic_grad, "value": quadratic_value, "sgrad": _clip_bias_sgrad},
        x0=np.array([x0]), xstar=np.zeros(1), fstar=0.0, L=1.0, mu=1.0,
        f0_gap=0.5 * x0 * x0, floors=error_floors(np.zeros(1), 1.0),
        params=dict(jump=jump, prob=prob, clip=clip, x0=x0, eta=eta),
        certified=dict(xbar=float(xbar), sigma_sq=prob * jump**2 / (1 - prob), low=low),
    )


# -- P25 quad-heavy-tail ----------------------------------------------------------------------

#: Counter layout of the Student-t draw of coordinate i (d coordinates): the normal numerator
#: is normal(s, i) (counter i); Marsaglia-Tsang attempt r = 0, 1, ... uses the counters
#: c = 4(d + r d + i) (its normal, by the ziggurat of :func:`~convlab.runtime.random.normal`)
#: and c + 1 (the acceptance uniform), and the boosting uniform (shape < 1) is 4(d + i) + 3.
#: Distinct (i, r) never share a counter; attempts are unbounded (acceptance probability
#: > 0.95 per attempt). Until 2026-12 the attempt's normal was Box-Muller on the uniforms c and
#: c + 1 and the acceptance uniform c + 2, without the squeeze: the same distribution, another
#: stream, about 1.8x the time per draw (benchmarks/bench_oracles.py).


@lazy_jit("sgrad")
def _heavy_tail_sgrad(A, b, p, x, t, s, out):
    """out = H x + ξ, ξ_i i.i.d. Student-t(ν) with ν = p[0] (scaled by p[1])."""
    d = x.shape[0]
    nu = p[0]
    scale = p[1]
    a = 0.5 * nu  # chi2(nu) = 2 Gamma(nu/2)
    boost = a < 1.0
    aa = a + 1.0 if boost else a
    dd = aa - 1.0 / 3.0
    cc = 1.0 / np.sqrt(9.0 * dd)
    symmetric_product(A, b, x, out)  # H (x − b), the strict row sums (H is symmetric)
    for i in range(d):
        acc = out[i]
        z = normal(s, i)  # the numerator
        gam = -1.0
        r = 0
        while gam < 0.0:
            c0 = 4 * (d + r * d + i)
            n = normal(s, c0)
            u = uniform(s, c0 + 1)
            v = 1.0 + cc * n
            r += 1
            if v <= 0.0:
                continue
            v = v * v * v
            # Marsaglia & Tsang's squeeze (inside the acceptance region) spares the logarithms
            # of most attempts; the test after it is the exact one
            if u < 1.0 - 0.0331 * (n * n) * (n * n):
                gam = dd * v
            elif np.log(u) < 0.5 * n * n + dd - dd * v + dd * np.log(v):
                gam = dd * v
        if boost:
            gam *= uniform(s, 4 * (d + i) + 3) ** (1.0 / a)
        chi2 = 2.0 * gam
        out[i] = acc + scale * z / np.sqrt(chi2 / nu)


def quad_heavy_tail(d: int = 10, kappa: float = 10.0, nu: float = 1.8, scale: float = 1.0,
                    seed: int = 0, x0: str = "ones", horizon: float = 0.0, alpha: float = 1.5,
                    delta: float = 0.01) -> Problem:
    """Quadratic ½ xᵀHx (CLAIMS.md P03 with μ = 1/κ, L = 1, log-spaced spectrum, Haar rotation)
    with the heavy-tailed oracle g = Hx + scale·ξ, ξ_i i.i.d. Student-t(ν) (CLAIMS.md P25).

    The t variate is Z/sqrt(V/ν) with Z ~ N(0, 1) and V = 2 Gamma(ν/2) ~ χ²_ν; Gamma(a) is drawn
    by Marsaglia & Tsang (2000, ACM TOMS 26(3)) on Gamma(a + 1) times U^(1/a) when a < 1, all from
    the counter-based generator (exact, not an approximation). E|ξ_i|^α < ∞ iff α < ν.

    Parameters: ``d`` dimension, ``kappa`` = L/μ, ``nu`` > 0 degrees of freedom, ``scale`` of the
    noise, ``seed`` of the rotation, ``x0`` = ``ones`` (Σ q_i over the eigenvectors) or
    ``random`` (Gaussian).

    Certified: x* = 0, f* = 0, L = 1, μ = 1/κ, ``nu``. Floors: underflow for every measure
    (x* = 0: the error is x itself and f − f* = ½ xᵀHx is formed from it).

    With ``horizon`` K > 0 the instance also carries the clipped-SGD schedule of the strongly
    convex theorem of Sadiev et al. (2023) for moment order ``alpha`` and confidence ``delta``,
    with its absolute constants set to 1 (see the claim notes of C49), as constants a claim can
    pass to the kernel without re-deriving them per run: ``B_K`` = max(2, (K+1)^(2(α−1)/α)
    μ² R²/scale²), ``clip_step`` γ = min(1/L, ln(B_K)/(μ(K+1))), ``clip_level`` =
    exp(−γμ) R/(γ ln(4(K+1)/δ)) and ``clip_rate`` = γμ/2 (λ_k = clip_level·exp(−clip_rate·k)).
    """
    d, kappa, nu, scale = int(d), float(kappa), float(nu), float(scale)
    horizon, alpha, delta = float(horizon), float(alpha), float(delta)
    if horizon < 0 or not 1 < alpha <= 2 or not 0 < delta < 1:
        raise ValueError(f"need horizon >= 0, 1 < alpha <= 2, 0 < delta < 1; got {horizon}, "
                         f"{alpha}, {delta}")
    if d < 1:
        raise ValueError(f"d must be >= 1, got {d}")
    if not kappa >= 1:
        raise ValueError(f"kappa must be >= 1, got {kappa}")
    if not nu > 0:
        raise ValueError(f"nu must be positive, got {nu}")
    if not scale >= 0:
        raise ValueError(f"scale must be >= 0, got {scale}")
    rng = np.random.default_rng(int(seed))
    mu, L = 1.0 / kappa, 1.0
    lam = mu * (L / mu) ** (np.arange(d) / max(d - 1, 1))
    lam[0], lam[-1] = mu, L
    q, r = np.linalg.qr(rng.standard_normal((d, d)))
    Q = q * np.sign(np.diag(r))
    H = (Q * lam) @ Q.T
    H = 0.5 * (H + H.T)
    if x0 == "ones":
        start = Q.sum(axis=1)
    elif x0 == "random":
        start = rng.standard_normal(d)
    else:
        raise ValueError(f"unknown x0 {x0!r} (expected 'ones' or 'random')")
    certified = dict(nu=nu)
    if horizon > 0:
        K1 = horizon + 1.0
        R2 = float(start @ start)
        B = max(2.0, K1 ** (2 * (alpha - 1) / alpha) * mu**2 * R2 / scale**2) if scale > 0 else 2.0
        gamma = min(1.0 / L, math.log(B) / (mu * K1))
        certified.update(B_K=B, clip_step=gamma, clip_rate=gamma * mu / 2,
                         clip_level=math.exp(-gamma * mu) * math.sqrt(R2)
                         / (gamma * math.log(4 * K1 / delta)))
    return Problem(
        family="quad-heavy-tail", name=f"quad-heavy-tail(d={d}, kappa={kappa:g}, nu={nu:g})",
        A=H, b=np.zeros(d), p=np.array([nu, scale]),
        oracles={"grad": quadratic_grad, "value": quadratic_value, "sgrad": _heavy_tail_sgrad},
        x0=start, xstar=np.zeros(d), fstar=0.0, L=L, mu=mu,
        f0_gap=0.5 * float(start @ H @ start), floors=error_floors(np.zeros(d), L),
        params=dict(d=d, kappa=kappa, nu=nu, scale=scale, seed=int(seed), x0=x0,
                    horizon=horizon, alpha=alpha, delta=delta),
        certified=certified,
    )


# -- P26 shb-anisotropic ----------------------------------------------------------------------


@lazy_jit("sgrad")
def _anisotropic_sgrad(A, b, p, x, t, s, out):
    """out = H x + ζ, ζ_i = sqrt(h_i) σ/sqrt(B) ξ_i (H diagonal, p = [σ/sqrt(B)])."""
    c = p[0]
    d = x.shape[0]
    if c == 0.0:
        for i in range(d):
            out[i] = A[i, i] * (x[i] - b[i]) + 0.0
        return
    for i in range(d):
        h = A[i, i]
        out[i] = h * (x[i] - b[i]) + c * np.sqrt(h) * normal(s, i)


def shb_anisotropic(d: int = 50, kappa: float = 100.0, sigma: float = 1.0, batch: int = 1024,
                    x0: str = "ones", seed: int = 0) -> Problem:
    """Diagonal quadratic ½ wᵀHw, H = diag(h), h log-spaced in [1/κ, 1] (both attained), with the
    anisotropic oracle Hw + ζ, ζ ~ N(0, σ² H / B) (CLAIMS.md P26; the noise covariance is
    ⪯ σ²H).

    Parameters: ``d``, ``kappa`` = 1/h_min, ``sigma`` >= 0 (0 gives the noiseless bias run),
    ``batch`` B >= 1 (the oracle returns the mean of B samples), ``x0`` = ``ones`` (every mode
    excited equally) or ``random`` (Gaussian, ``seed``).

    Certified: w* = 0, f* = 0, L = 1, μ = 1/κ, ``sigma_sq`` = E||ζ||² = σ² tr(H)/B.
    Floors: underflow for every measure (w* = 0, H diagonal: no cancellation).
    """
    d, kappa, sigma, batch = int(d), float(kappa), float(sigma), int(batch)
    if d < 1:
        raise ValueError(f"d must be >= 1, got {d}")
    if not kappa >= 1:
        raise ValueError(f"kappa must be >= 1, got {kappa}")
    if not sigma >= 0:
        raise ValueError(f"sigma must be >= 0, got {sigma}")
    if batch < 1:
        raise ValueError(f"batch must be >= 1, got {batch}")
    h = (1.0 / kappa) * kappa ** (np.arange(d) / max(d - 1, 1))
    h[0], h[-1] = 1.0 / kappa, 1.0
    if x0 == "ones":
        start = np.ones(d)
    elif x0 == "random":
        start = np.random.default_rng(int(seed)).standard_normal(d)
    else:
        raise ValueError(f"unknown x0 {x0!r} (expected 'ones' or 'random')")
    return Problem(
        family="shb-anisotropic", name=f"shb-anisotropic(d={d}, kappa={kappa:g}, sigma={sigma:g})",
        A=np.diag(h), b=np.zeros(d), p=np.array([sigma / math.sqrt(batch)]),
        oracles={"grad": quadratic_grad, "value": quadratic_value, "sgrad": _anisotropic_sgrad},
        x0=start, xstar=np.zeros(d), fstar=0.0, L=1.0, mu=1.0 / kappa,
        f0_gap=0.5 * float(start @ (h * start)), floors=error_floors(np.zeros(d), 1.0),
        params=dict(d=d, kappa=kappa, sigma=sigma, batch=batch, x0=x0, seed=int(seed)),
        certified=dict(sigma_sq=sigma**2 * float(h.sum()) / batch),
    )


# -- P12 with a ball constraint (C46) ---------------------------------------------------------


@lazy_jit("prox")
def _ball_projection(A, b, p, x, step, out):
    """Euclidean projection of x onto the ball of radius p[0] centred at 0
    (:func:`convlab.problems.sets.project_ball_origin`)."""
    project_ball_origin(x, p[0], out)


def l1_regression_ball(m: int = 200, d: int = 50, seed: int = 0,
                       radius_factor: float = 2.0) -> Problem:
    """The l1-regression family (CLAIMS.md P12, :func:`convlab.problems.nonsmooth.l1_regression`)
    restricted to X = ball(0, r), r = ``radius_factor`` ||x♮|| (> ||x♮||, so x* = x♮ stays the
    solution): the ``prox`` oracle is the projection onto X. Oracles, x0 = 0 and measures are the
    family's own (its oracles do not read ``p``; here p = [r]).

    Certified in addition to the family's (G, G_stoch): ``radius`` r and ``D`` = 2r, the
    diameter of X.

    Floors (x♮ Gaussian, so e = x − x♮ carries about eps·||x♮||, the convention of
    :func:`.quadratics.error_floors`): ``dist_sq`` = (4 eps ||x♮||)²; ``f_gap`` = G·4 eps ||x♮||
    ((1/m)||A e||₁ <= G ||e||: the function is sharp, so its floor is linear in the error);
    ``grad_norm_sq`` = (eps ||Σ_r |a_r| ||)², the rounding bound of the sum (1/m) Σ_r ±a_r of the
    subgradient (which does not vanish near x*: the measure stays of order G²).
    """
    from .registry import get_builder

    if not radius_factor > 1:
        raise ValueError(f"radius_factor must be > 1 (x* inside the ball), got {radius_factor}")
    base = get_builder("l1-regression")(m=m, d=d, seed=seed)
    r = float(radius_factor) * float(np.linalg.norm(base.xstar))
    dist = 4 * _EPS * float(np.linalg.norm(base.xstar))
    sum_scale = _EPS * float(np.linalg.norm(np.abs(base.A).sum(axis=0)))
    return Problem(
        family="l1-regression-ball",
        name=f"l1-regression-ball(m={m}, d={d}, seed={seed}, r={r:.4g})",
        A=base.A, b=base.b, p=np.array([r]), oracles={**base.oracles, "prox": _ball_projection},
        x0=base.x0, xstar=base.xstar, fstar=base.fstar, L=base.L, mu=base.mu,
        floors={"dist_sq": max(dist**2, UNDERFLOW),
                "f_gap": max(base.certified["G"] * dist, UNDERFLOW),
                "grad_norm_sq": max(sum_scale**2, UNDERFLOW)},
        params=dict(m=m, d=d, seed=seed, radius_factor=radius_factor),
        certified={**base.certified, "radius": r, "D": 2 * r},
    )


# -- P31 quartic-coords -------------------------------------------------------------------

@lazy_jit("grad")
def quartic_grad(A, b, p, x, out):
    """∇f_i = x_i³ − x_i."""
    for i in range(x.shape[0]):
        out[i] = x[i] * (x[i] * x[i] - 1.0)


@lazy_jit("sgrad")
def quartic_sgrad(A, b, p, x, t, s, out):
    """(x_i³ − x_i)(1 + p[0] ξ_i) + p[1] ζ_i, ξ = normal(s, i), ζ = normal(s, d + i)."""
    d = x.shape[0]
    for i in range(d):
        out[i] = x[i] * (x[i] * x[i] - 1.0) * (1.0 + p[0] * normal(s, i))
    add_normals(s, d, p[1], out)


@lazy_jit("value")
def quartic_value(A, b, p, x):
    """Σ (x_i² − 1)²/4 with (x² − 1) = (x − 1)(x + 1) (accurate near ±1); f* = 0."""
    total = 0.0
    for i in range(x.shape[0]):
        u = (x[i] - 1.0) * (x[i] + 1.0)
        total += 0.25 * u * u
    return total


@lazy_jit("hess")
def quartic_hess(A, b, p, x, out):
    """diag(3 x_i² − 1)."""
    d = x.shape[0]
    for i in range(d):
        for j in range(d):
            out[i, j] = 0.0
        out[i, i] = 3.0 * x[i] * x[i] - 1.0


def quartic_coords(d: int = 50, seed: int = 0, box: float = 3.0, noise_mult: float = 0.5,
                   noise_add: float = 0.5) -> Problem:
    """f(x) = Σ (x_i² − 1)²/4 with an affine-variance oracle (CLAIMS.md P31).

    x0 ~ U[−box, box]^d (``default_rng(seed)``); min f = 0 on {±1}^d, x* = sign(x0) (the
    minimiser of the basin of x0's orthant; measures use f_gap and grad_norm, not x*).
    Nonconvex, not globally smooth (L = inf); coordinate-wise (L0, L1)-smooth,
    |f_i''| = |3x² − 1| <= L0 + L1 |x³ − x| with L0 = 2, L1 = 3 (certified as L0, L1).
    Oracle: ∇f ⊙ (1 + noise_mult ξ) + noise_add ζ, so
    E||g − ∇f||² = noise_mult² ||∇f||² + noise_add² d (certified sigma0_sq, sigma1_sq).

    Floors: those of a quadratic with curvature f''(±1) = 2 around x* ∈ {±1}^d
    (:func:`.quadratics.error_floors` with L = 2): e = x − x* carries about eps per coordinate
    (dist_sq = (4 eps √d)²), f − f* = Σ ¼((x − 1)(x + 1))² ≈ ||e||² is formed without further
    cancellation, and the gradient x(x² − 1) carries the rounding of x² (about eps per
    coordinate), below the 2·4 eps per coordinate of the floor.
    """
    d = int(d)
    if d < 1:
        raise ValueError(f"d must be >= 1, got {d}")
    if not box > 0:
        raise ValueError(f"box must be positive, got {box}")
    if not (noise_mult >= 0 and noise_add >= 0):
        raise ValueError("noise_mult and noise_add must be >= 0")
    rng = np.random.default_rng(int(seed))
    x0 = rng.uniform(-box, box, size=d)
    xs = np.where(x0 >= 0, 1.0, -1.0)
    return Problem(
        family="quartic-coords", name=f"quartic-coords(d={d}, seed={seed})",
        A=np.zeros((1, 1)), b=np.zeros(1), p=np.array([float(noise_mult), float(noise_add)]),
        oracles={"grad": quartic_grad, "sgrad": quartic_sgrad, "value": quartic_value,
                 "hess": quartic_hess},
        x0=x0, xstar=xs, fstar=0.0, L=math.inf, mu=0.0, floors=error_floors(xs, 2.0),
        params=dict(d=d, seed=int(seed), box=float(box), noise_mult=float(noise_mult),
                    noise_add=float(noise_add)),
        certified=dict(L0=2.0, L1=3.0, sigma1_sq=float(noise_mult) ** 2,
                       sigma0_sq=float(noise_add) ** 2 * d),
    )


# -- P03 with affine noise (C53) ----------------------------------------------------------

@lazy_jit("sgrad")
def affine_noise_sgrad(A, b, p, x, t, s, out):
    """H(x − x*)(1 + p[0] ξ1) + p[1] ξ0: ξ1 = normal(s, 0) scalar, ξ0_i = normal(s, 1 + i)."""
    n = x.shape[0]
    m = 1.0 + p[0] * normal(s, 0)
    symmetric_product(A, b, x, out)  # H (x − x*), the strict row sums (H is symmetric)
    for i in range(n):
        out[i] = out[i] * m
    add_normals(s, 1, p[1], out)


def quad_affine_noise(d: int = 20, L: float = 1.0, mu: float = 1e-3, seed: int = 0,
                      sigma0: float = 0.0, sigma1: float = 0.0, x0: str = "random",
                      R: float = 0.0) -> Problem:
    """The quadratic of :func:`.quadratics.quadratic` (log-spaced spectrum in [mu, L], Haar
    rotation, x* = 0) with the affine-variance oracle g = ∇f (1 + σ1 ξ1) + σ0 ξ0 of C53.

    Certified: sigma0_sq = σ0² d and sigma1_sq = σ1² (E||g − ∇f||² = σ0² d + σ1² ||∇f||²).
    Floors: the quadratic family's with x* = 0 (underflow: no cancellation).
    """
    if not (sigma0 >= 0 and sigma1 >= 0):
        raise ValueError(f"sigma0 and sigma1 must be >= 0, got {sigma0}, {sigma1}")
    if d >= 64:
        raise ValueError("quad-affine-noise uses loop oracles; take d < 64")
    base = quadratic(d=d, L=L, mu=mu, seed=seed, x0=x0, R=R)
    oracles = dict(base.oracles)
    oracles["sgrad"] = affine_noise_sgrad
    return dataclasses.replace(
        base, family="quad-affine-noise",
        name=f"quad-affine-noise(d={d}, mu={mu:g}, sigma0={sigma0:g}, sigma1={sigma1:g})",
        p=np.array([float(sigma1), float(sigma0)]), oracles=oracles,
        params=dict(base.params, sigma0=float(sigma0), sigma1=float(sigma1)),
        certified=dict(sigma0_sq=float(sigma0) ** 2 * int(d), sigma1_sq=float(sigma1) ** 2),
    )


#: Parameters of the form "at least 1" (condition numbers) and "more than 1" (radius ratios).
_AT_LEAST_ONE = Interval(1.0, math.inf)
_ABOVE_ONE = Interval(1.0, math.inf, open_low=True)
_QUADRATIC_STARTS = ("random", "ones", "mu-mode", "L-mode", "two-mode")

FAMILIES = (
    Family("quad-ball-noise", quad_ball_noise, "stochastic (strongly convex, constrained)",
           ranges={"d": count(), "kappa_f": _AT_LEAST_ONE, "L": POSITIVE, "radius": _ABOVE_ONE,
                   "noise": NONNEGATIVE, "seed": SEED},
           space={"d": [2, 20], "kappa_f": [1.0, 100.0], "L": [0.1, 10.0], "radius": [1.5, 5.0],
                  "noise": [0.0, 1.0], "seed": [0, 10_000]},
           example={"d": 5}, memory=lambda p: 8.0 * 3 * p["d"] ** 2),
    Family("clip-bias-1d", clip_bias_1d, "stochastic (strongly convex)",
           ranges={"jump": POSITIVE, "prob": UNIT_OPEN, "clip": POSITIVE, "x0": FINITE,
                   "eta": POSITIVE},
           space={"jump": [1.0, 20.0], "prob": [0.05, 0.5], "clip": [0.1, 5.0],
                  "x0": [0.5, 5.0]},
           example={"x0": 2.0}),
    Family("quad-heavy-tail", quad_heavy_tail, "stochastic (strongly convex, heavy-tailed noise)",
           ranges={"d": count(), "kappa": _AT_LEAST_ONE, "nu": POSITIVE, "scale": NONNEGATIVE,
                   "seed": SEED, "x0": ("ones", "random"), "horizon": NONNEGATIVE,
                   "alpha": Interval(1.0, 2.0, open_low=True), "delta": UNIT_OPEN},
           space={"d": [1, 20], "kappa": [1.0, 100.0], "nu": [0.5, 5.0], "scale": [0.0, 2.0],
                  "seed": [0, 10_000], "x0": ["ones", "random"]},
           example={"d": 5}, memory=lambda p: 8.0 * 3 * p["d"] ** 2),
    Family("shb-anisotropic", shb_anisotropic, "stochastic (strongly convex)",
           ranges={"d": count(), "kappa": _AT_LEAST_ONE, "sigma": NONNEGATIVE,
                   "batch": Interval(1, math.inf), "x0": ("ones", "random"), "seed": SEED},
           space={"d": [1, 50], "kappa": [1.0, 1000.0], "sigma": [0.0, 2.0], "batch": [1, 1024],
                  "x0": ["ones", "random"], "seed": [0, 10_000]},
           example={"d": 10}, memory=lambda p: 8.0 * p["d"] ** 2),
    Family("l1-regression-ball", l1_regression_ball, "stochastic (nonsmooth convex, constrained)",
           ranges={"m": count(2), "d": count(), "seed": SEED, "radius_factor": _ABOVE_ONE},
           space={"m": [10, 60], "d": [1, 8], "seed": [0, 10_000], "radius_factor": [1.1, 4.0]},
           example={"m": 40, "d": 5}, memory=lambda p: 8.0 * 2 * p["m"] * p["d"]),
    Family("quad-affine-noise", quad_affine_noise, "stochastic (smooth (strongly) convex)",
           ranges={"d": count(1, 63), "L": POSITIVE, "mu": NONNEGATIVE, "seed": SEED,
                   "sigma0": NONNEGATIVE, "sigma1": NONNEGATIVE, "x0": _QUADRATIC_STARTS,
                   "R": NONNEGATIVE},
           space={"d": [1, 30], "L": [0.1, 10.0], "mu": [1e-4, 0.1], "seed": [0, 10_000],
                  "sigma0": [0.0, 1.0], "sigma1": [0.0, 1.0], "x0": list(_QUADRATIC_STARTS)},
           example={"d": 6}, memory=lambda p: 8.0 * 3 * p["d"] ** 2),
    Family("quartic-coords", quartic_coords, "stochastic (nonconvex, (L0, L1)-smooth)",
           ranges={"d": count(), "seed": SEED, "box": POSITIVE, "noise_mult": NONNEGATIVE,
                   "noise_add": NONNEGATIVE},
           space={"d": [1, 30], "seed": [0, 10_000], "box": [0.5, 3.0], "noise_mult": [0.0, 1.0],
                  "noise_add": [0.0, 1.0]},
           example={"d": 5}, memory=lambda p: 8.0 * 3 * p["d"]),
)
