"""Problem families for adaptive and online methods (CLAIMS.md §5.10, recipes P28-P31, P03+noise).

Online problems. The loss of round t (0-based; the papers' round t + 1) is linear,
ℓ_t(x) = ⟨g_t, x⟩, and ``sgrad(x, t, s)`` returns g_t (it does not depend on x). Regret is
kept by the online variants of the adaptive kernels (:mod:`convlab.algorithms.adaptive`): the
cumulative loss Σ_t ⟨g_t, x_t⟩ and the running sum G = Σ_t g_t give the exact regret against
the best fixed point, Σ_t ⟨g_t, x_t⟩ − min_{u∈X} ⟨G, u⟩, where the minimiser is the family's
``lmo`` oracle (closed form on balls and intervals). That is the simplest correct design: the
comparator needs the whole sequence, and for linear losses the running sum is all of it.

Families:

- :func:`online_linear_ball` (P28): X = ball(0, r), g_t = m + ξ_t with ||m|| = m_norm and
  ξ_t ~ N(0, I); D = 2r.
- :func:`reddi_online` (P29): X = [−1, 1], f_t(x) = C x when t ≡ 0 (mod 3) (the papers' round
  t + 1 ≡ 1), else −x (Reddi, Kale & Kumar 2018, Thm 1). Per 3-round period the best point is
  u* = −1; ``value`` is the average loss per round minus its minimum, (C − 2)(x + 1)/3.
- :func:`adopt_toy` (P30): X = [−1, 1], stochastic loss kθ w.p. 1/k, −θ otherwise (Taniguchi et
  al. 2024, §3 toy; the stochastic counterexample of Reddi et al. 2018, Thm 3, with δ = 0).
  E f(θ) = θ/k, θ* = −1, ``value`` = (θ + 1)/k exactly.
- :func:`quartic_coords` (P31): f(x) = Σ (x_i² − 1)²/4, nonconvex, coordinate-wise
  (L0, L1)-smooth with (L0, L1) = (2, 3); affine-variance oracle
  ∇f ⊙ (1 + a ξ) + b ζ (ξ, ζ ~ N(0, I)).
- :func:`quad_affine_noise` (P03 with the oracle of C53): the quadratic family of
  :mod:`.quadratics` with g = ∇f (1 + σ1 ξ1) + σ0 ξ0, ξ1 a scalar N(0, 1), ξ0 ~ N(0, I), so
  E||g − ∇f||² = σ0² d + σ1² ||∇f||².
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from ..runtime.jit import lazy_jit
from ..runtime.random import normal, uniform
from .base import Problem
from .quadratics import quadratic

# -- shared oracles: intervals and balls ----------------------------------------------------

@lazy_jit("prox")
def clip_interval_prox(A, b, p, x, step, out):
    """Projection onto the box [p[0], p[1]]^d (coordinate-wise clip)."""
    lo = p[0]
    hi = p[1]
    for i in range(x.shape[0]):
        v = x[i]
        out[i] = lo if v < lo else (hi if v > hi else v)


@lazy_jit("lmo")
def interval_lmo(A, b, p, g, out):
    """argmin over [p[0], p[1]]^d of ⟨g, u⟩: the lower end where g_i > 0, the upper where
    g_i < 0, the midpoint where g_i = 0."""
    lo = p[0]
    hi = p[1]
    for i in range(g.shape[0]):
        out[i] = lo if g[i] > 0 else (hi if g[i] < 0 else 0.5 * (lo + hi))


@lazy_jit("prox")
def ball_prox(A, b, p, x, step, out):
    """Projection onto the Euclidean ball of radius p[0] centred at 0."""
    r = p[0]
    nrm = 0.0
    for i in range(x.shape[0]):
        nrm += x[i] * x[i]
    nrm = np.sqrt(nrm)
    scale = r / nrm if nrm > r else 1.0
    for i in range(x.shape[0]):
        out[i] = scale * x[i]


@lazy_jit("lmo")
def ball_lmo(A, b, p, g, out):
    """argmin over the ball of radius p[0] of ⟨g, u⟩ = −p[0] g/||g|| (0 when g = 0)."""
    r = p[0]
    nrm = 0.0
    for i in range(g.shape[0]):
        nrm += g[i] * g[i]
    nrm = np.sqrt(nrm)
    for i in range(g.shape[0]):
        out[i] = -r * g[i] / nrm if nrm > 0 else 0.0


# -- P28 online-linear-ball ---------------------------------------------------------------

@lazy_jit("sgrad")
def online_ball_sgrad(A, b, p, x, t, s, out):
    """g_t = m + p[1] ξ_t, m = b, ξ_t ~ N(0, I) from sample s (independent of x)."""
    for i in range(x.shape[0]):
        out[i] = b[i] + p[1] * normal(s, i)


@lazy_jit("grad")
def online_ball_grad(A, b, p, x, out):
    """The expected loss gradient m (the mean loss is linear)."""
    for i in range(x.shape[0]):
        out[i] = b[i]


def online_linear_ball(d: int = 10, r: float = 1.0, seed: int = 0, m_norm: float = 0.3,
                       noise: float = 1.0) -> Problem:
    """Online linear losses ⟨g_t, x⟩ on the ball of radius r (CLAIMS.md P28).

    g_t = m + noise·ξ_t, ξ_t ~ N(0, I_d), m a fixed random direction of norm ``m_norm``
    (``numpy.random.default_rng(seed)``). Start x0 = 0. Certified: D = 2r (diameter), r.
    Regret is kept by the online adaptive kernels (module docstring); the exact regret of a
    run is Σ⟨g_t, x_t⟩ + r ||Σ g_t||.
    """
    d, r = int(d), float(r)
    if d < 1:
        raise ValueError(f"d must be >= 1, got {d}")
    if not r > 0:
        raise ValueError(f"r must be positive, got {r}")
    if not (m_norm >= 0 and noise >= 0):
        raise ValueError(f"m_norm and noise must be >= 0, got {m_norm}, {noise}")
    rng = np.random.default_rng(int(seed))
    u = rng.standard_normal(d)
    m = float(m_norm) * u / np.linalg.norm(u)
    return Problem(
        family="online-linear-ball", name=f"online-linear-ball(d={d}, r={r:g}, seed={seed})",
        A=np.zeros((1, 1)), b=m, p=np.array([r, float(noise)]),
        oracles={"sgrad": online_ball_sgrad, "grad": online_ball_grad, "prox": ball_prox,
                 "lmo": ball_lmo},
        x0=np.zeros(d), xstar=None, fstar=math.nan, L=math.inf, mu=0.0,
        params=dict(d=d, r=r, seed=int(seed), m_norm=float(m_norm), noise=float(noise)),
        certified=dict(D=2 * r),
    )


# -- P29 reddi-online ---------------------------------------------------------------------

@lazy_jit("sgrad")
def reddi_sgrad(A, b, p, x, t, s, out):
    """Round t (0-based): g = C = p[2] when t % 3 == 0, else −1."""
    out[0] = p[2] if t % 3 == 0 else -1.0


@lazy_jit("grad")
def reddi_grad(A, b, p, x, out):
    """Gradient of the average loss per round, (C − 2)/3."""
    out[0] = (p[2] - 2.0) / 3.0


@lazy_jit("value")
def reddi_value(A, b, p, x):
    """Average loss per round minus its minimum over [−1, 1]: (C − 2)(x + 1)/3."""
    return (p[2] - 2.0) * (x[0] + 1.0) / 3.0


def reddi_online(C: float = 3.0) -> Problem:
    """Reddi, Kale & Kumar (2018) Thm 1 online problem on X = [−1, 1] (CLAIMS.md P29).

    f_t(x) = C x for rounds t ≡ 0 (mod 3) (0-based), −x otherwise; C > 2 so that the best
    fixed point is u* = −1 and each 3-round period costs 2(C − 2) more at x = +1 than at −1.
    Start x0 = 0. Certified: D = 2, G = C (gradient bound). ``value``/f_gap is the average
    loss per round minus its minimum, (C − 2)(x + 1)/3; x* = −1.
    """
    C = float(C)
    if not C > 2:
        raise ValueError(f"C must be > 2 (else u* = -1 is not the best point), got {C}")
    return Problem(
        family="reddi-online", name=f"reddi-online(C={C:g})",
        A=np.zeros((1, 1)), b=np.zeros(1), p=np.array([-1.0, 1.0, C]),
        oracles={"sgrad": reddi_sgrad, "grad": reddi_grad, "value": reddi_value,
                 "prox": clip_interval_prox, "lmo": interval_lmo},
        x0=np.zeros(1), xstar=np.array([-1.0]), fstar=-(C - 2) / 3, L=math.inf, mu=0.0,
        f0_gap=(C - 2) / 3, params=dict(C=C), certified=dict(D=2.0, G=C),
    )


# -- P30 adopt-toy ------------------------------------------------------------------------

@lazy_jit("sgrad")
def adopt_toy_sgrad(A, b, p, x, t, s, out):
    """g = k w.p. 1/k, −1 otherwise (uniform(s, 0) < 1/k), k = p[2]."""
    k = p[2]
    out[0] = k if uniform(s, 0) < 1.0 / k else -1.0


@lazy_jit("grad")
def adopt_toy_grad(A, b, p, x, out):
    """Gradient of E f(θ) = θ/k."""
    out[0] = 1.0 / p[2]


@lazy_jit("value")
def adopt_toy_value(A, b, p, x):
    """E f(θ) − E f(θ*) = (θ + 1)/k."""
    return (x[0] + 1.0) / p[2]


def adopt_toy(K: float = 10.0) -> Problem:
    """Stochastic linear toy on [−1, 1] (CLAIMS.md P30): loss Kθ w.p. 1/K, −θ otherwise.

    E f(θ) = θ/K, θ* = −1, f* = −1/K; x0 = 0. Certified: D = 2, G = K. (The recipe calls the
    parameter k; it is K here because k is the iteration variable of bounds, and a constant
    of that name would shadow it.)
    """
    k = float(K)
    if not k > 1:
        raise ValueError(f"K must be > 1, got {k}")
    return Problem(
        family="adopt-toy", name=f"adopt-toy(K={k:g})",
        A=np.zeros((1, 1)), b=np.zeros(1), p=np.array([-1.0, 1.0, k]),
        oracles={"sgrad": adopt_toy_sgrad, "grad": adopt_toy_grad, "value": adopt_toy_value,
                 "prox": clip_interval_prox, "lmo": interval_lmo},
        x0=np.zeros(1), xstar=np.array([-1.0]), fstar=-1.0 / k, L=math.inf, mu=0.0,
        f0_gap=1.0 / k, params=dict(K=k), certified=dict(D=2.0, G=k),
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
        gi = x[i] * (x[i] * x[i] - 1.0)
        out[i] = gi * (1.0 + p[0] * normal(s, i)) + p[1] * normal(s, d + i)


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
        x0=x0, xstar=xs, fstar=0.0, L=math.inf, mu=0.0,
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
    for i in range(n):
        acc = 0.0
        for j in range(n):
            acc += A[i, j] * (x[j] - b[j])
        out[i] = acc * m + p[1] * normal(s, 1 + i)


def quad_affine_noise(d: int = 20, L: float = 1.0, mu: float = 1e-3, seed: int = 0,
                      sigma0: float = 0.0, sigma1: float = 0.0, x0: str = "random",
                      R: float = 0.0) -> Problem:
    """The quadratic of :func:`.quadratics.quadratic` (log-spaced spectrum in [mu, L], Haar
    rotation, x* = 0) with the affine-variance oracle g = ∇f (1 + σ1 ξ1) + σ0 ξ0 of C53.

    Certified: sigma0_sq = σ0² d and sigma1_sq = σ1² (E||g − ∇f||² = σ0² d + σ1² ||∇f||²).
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

