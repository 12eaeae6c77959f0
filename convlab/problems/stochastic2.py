"""Stochastic families of CLAIMS.md §5.9 part B: clipping bias, heavy tails, anisotropic noise,
distributed quadratics for error feedback.

Families (recipes of CLAIMS.md §4):

- :func:`clip_bias_1d` (P23): f(x) = x²/2 with a skewed, mean-zero two-point noise. Clipped SGD
  is biased: its mean-field drift has the unique zero x̄ (8/9 for the default noise and clip
  level 1), certified as ``xbar``.
- :func:`quad_heavy_tail` (P25): a log-spectrum quadratic (P03) whose stochastic gradient adds
  i.i.d. Student-t(ν) noise per coordinate, drawn exactly from the counter-based generator
  (normal / sqrt(χ²_ν/ν), χ²_ν = 2 Gamma(ν/2) by Marsaglia–Tsang with boosting). For ν <= 2
  the noise has infinite variance and finite α-moments for α < ν only.
- :func:`shb_anisotropic` (P26): a diagonal quadratic with Gaussian noise of covariance σ²H/B
  (anisotropic: the noise is small on the flat directions).
- :func:`ef21_quadratics` (P27): f = (1/n) Σ f_i with f_i(x) = ½ (x − c_i)ᵀ H_i (x − c_i); the
  ``sgrad`` oracle with sample s returns the exact gradient of component s mod n, which is what
  a distributed method (EF21) needs per worker.

Every family has x* and f* in closed form and computes f − f* from the error e = x − x*.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import brentq

from ..runtime.jit import lazy_jit
from ..runtime.random import normal, uniform
from .base import Problem
from .quadratics import error_floors, quadratic_grad, quadratic_value

_EPS = float(np.finfo(float).eps)

# The quadratic oracles (A = H, b = x*) and floors are the `quadratic` family's.


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
        f0_gap=0.5 * x0 * x0, floors={},
        params=dict(jump=jump, prob=prob, clip=clip, x0=x0, eta=eta),
        certified=dict(xbar=float(xbar), sigma_sq=prob * jump**2 / (1 - prob), low=low),
    )


# -- P25 quad-heavy-tail ----------------------------------------------------------------------

#: Counter layout of the Student-t draw of coordinate i (d coordinates): the normal numerator
#: is normal(s, i) (uniform counters 2i, 2i+1 < 4d); Marsaglia-Tsang attempt r = 0, 1, ... uses
#: the uniform counters 4(d + r d + i) + {0, 1, 2} (a normal by Box-Muller and the acceptance
#: uniform) and the boosting uniform (shape < 1) is 4(d + i) + 3. Distinct (i, r) never share a
#: counter; attempts are unbounded (acceptance probability > 0.95 per attempt).


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
    for i in range(d):
        acc = 0.0
        for j in range(d):
            acc += A[i, j] * (x[j] - b[j])
        z = normal(s, i)
        gam = -1.0
        r = 0
        while gam < 0.0:
            c0 = 4 * (d + r * d + i)
            u1 = uniform(s, c0)
            u2 = uniform(s, c0 + 1)
            u3 = uniform(s, c0 + 2)
            n = np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)
            v = 1.0 + cc * n
            r += 1
            if v <= 0.0:
                continue
            v = v * v * v
            if np.log(u3) < 0.5 * n * n + dd - dd * v + dd * np.log(v):
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

    Certified: x* = 0, f* = 0, L = 1, μ = 1/κ, ``nu``.

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
        f0_gap=0.5 * float(start @ H @ start), floors={},
        params=dict(d=d, kappa=kappa, nu=nu, scale=scale, seed=int(seed), x0=x0,
                    horizon=horizon, alpha=alpha, delta=delta),
        certified=certified,
    )


# -- P26 shb-anisotropic ----------------------------------------------------------------------


@lazy_jit("sgrad")
def _anisotropic_sgrad(A, b, p, x, t, s, out):
    """out = H x + ζ, ζ_i = sqrt(h_i) σ/sqrt(B) ξ_i (H diagonal, p = [σ/sqrt(B)])."""
    c = p[0]
    for i in range(x.shape[0]):
        h = A[i, i]
        out[i] = h * (x[i] - b[i]) + (c * np.sqrt(h) * normal(s, i) if c != 0.0 else 0.0)


def shb_anisotropic(d: int = 50, kappa: float = 100.0, sigma: float = 1.0, batch: int = 1024,
                    x0: str = "ones", seed: int = 0) -> Problem:
    """Diagonal quadratic ½ wᵀHw, H = diag(h), h log-spaced in [1/κ, 1] (both attained), with the
    anisotropic oracle Hw + ζ, ζ ~ N(0, σ² H / B) (CLAIMS.md P26; the noise covariance is
    ⪯ σ²H).

    Parameters: ``d``, ``kappa`` = 1/h_min, ``sigma`` >= 0 (0 gives the noiseless bias run),
    ``batch`` B >= 1 (the oracle returns the mean of B samples), ``x0`` = ``ones`` (every mode
    excited equally) or ``random`` (Gaussian, ``seed``).

    Certified: w* = 0, f* = 0, L = 1, μ = 1/κ, ``sigma_sq`` = E||ζ||² = σ² tr(H)/B.
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
        f0_gap=0.5 * float(start @ (h * start)), floors={},
        params=dict(d=d, kappa=kappa, sigma=sigma, batch=batch, x0=x0, seed=int(seed)),
        certified=dict(sigma_sq=sigma**2 * float(h.sum()) / batch),
    )


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
    e0 = x0 - xs
    gammas = {"QM": 1.0 / (L + L_QM * math.sqrt(beta / theta)),
              "AM": 1.0 / (L + L_AM * math.sqrt(beta / theta))}
    return Problem(
        family="ef21-quadratics", name=f"ef21-quadratics(n={n}, d={d}, topk={topk}, seed={seed})",
        A=np.vstack([Hbar, *Hs]), b=np.concatenate([xs, *cs]), p=np.array([float(n)]),
        oracles={"grad": quadratic_grad, "value": quadratic_value, "sgrad": _ef21_sgrad},
        x0=x0, xstar=xs, fstar=fstar, L=L, mu=mu, f0_gap=0.5 * float(e0 @ Hbar @ e0),
        floors=error_floors(xs, L),
        params=dict(n=n, d=d, topk=topk, seed=int(seed), boost=float(boost), spread=float(spread),
                    step_rule=step_rule),
        certified=dict(L_max=float(Li.max()), L_QM=L_QM, L_AM=L_AM, alpha=alpha,
                       theta_ef=theta, beta_ef=beta, gamma_qm=gammas["QM"],
                       gamma_am=gammas["AM"], gamma=gammas[step_rule]),
    )


# -- P12 with a ball constraint (C46) ---------------------------------------------------------


@lazy_jit("prox")
def _ball_projection(A, b, p, x, step, out):
    """Euclidean projection of x onto the ball of radius p[0] centred at 0."""
    r = p[0]
    s = 0.0
    for i in range(x.shape[0]):
        s += x[i] * x[i]
    scale = r / np.sqrt(s) if s > r * r else 1.0
    for i in range(x.shape[0]):
        out[i] = scale * x[i]


def l1_regression_ball(m: int = 200, d: int = 50, seed: int = 0,
                       radius_factor: float = 2.0) -> Problem:
    """The l1-regression family (CLAIMS.md P12, :func:`convlab.problems.nonsmooth.l1_regression`)
    restricted to X = ball(0, r), r = ``radius_factor`` ||x♮|| (> ||x♮||, so x* = x♮ stays the
    solution): the ``prox`` oracle is the projection onto X. Oracles, x0 = 0 and measures are the
    family's own (its oracles do not read ``p``; here p = [r]).

    Certified in addition to the family's (G, G_stoch): ``radius`` r and ``D`` = 2r, the
    diameter of X.
    """
    from .nonsmooth import l1_regression

    if not radius_factor > 1:
        raise ValueError(f"radius_factor must be > 1 (x* inside the ball), got {radius_factor}")
    base = l1_regression(m=m, d=d, seed=seed)
    r = float(radius_factor) * float(np.linalg.norm(base.xstar))
    return Problem(
        family="l1-regression-ball",
        name=f"l1-regression-ball(m={m}, d={d}, seed={seed}, r={r:.4g})",
        A=base.A, b=base.b, p=np.array([r]), oracles={**base.oracles, "prox": _ball_projection},
        x0=base.x0, xstar=base.xstar, fstar=base.fstar, L=base.L, mu=base.mu,
        floors=dict(base.floors), params=dict(m=m, d=d, seed=seed, radius_factor=radius_factor),
        certified={**base.certified, "radius": r, "D": 2 * r},
    )
