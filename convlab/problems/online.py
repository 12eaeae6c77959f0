"""Online families: linear losses revealed one round at a time (CLAIMS.md §5.10, recipes
P28-P30).

The loss of round t (0-based; the papers' round t + 1) is linear, ℓ_t(x) = ⟨g_t, x⟩, and
``sgrad(x, t, s)`` returns g_t (it does not depend on x). Regret is kept by the online variants
of the adaptive kernels (:mod:`convlab.algorithms.adaptive`): the cumulative loss
Σ_t ⟨g_t, x_t⟩ and the running sum G = Σ_t g_t give the exact regret against the best fixed
point, Σ_t ⟨g_t, x_t⟩ − min_{u∈X} ⟨G, u⟩, where the minimiser is the family's ``lmo`` oracle
(closed form on balls and intervals). That is the simplest correct design: the comparator needs
the whole sequence, and for linear losses the running sum is all of it. The feasible set X
enters through ``prox`` (its projection) and ``lmo``.

Families:

- :func:`online_linear_ball` (P28): X = ball(0, r), g_t = m + ξ_t with ||m|| = m_norm and
  ξ_t ~ N(0, I); D = 2r.
- :func:`reddi_online` (P29): X = [−1, 1], f_t(x) = C x when t ≡ 0 (mod 3) (the papers' round
  t + 1 ≡ 1), else −x (Reddi, Kale & Kumar 2018, Thm 1). Per 3-round period the best point is
  u* = −1; ``value`` is the average loss per round minus its minimum, (C − 2)(x + 1)/3.
- :func:`adopt_toy` (P30): X = [−1, 1], stochastic loss kθ w.p. 1/k, −θ otherwise (Taniguchi et
  al. 2024, §3 toy; the stochastic counterexample of Reddi et al. 2018, Thm 3, with δ = 0).
  E f(θ) = θ/k, θ* = −1, ``value`` = (θ + 1)/k exactly.

Floors. The mean loss is linear: its gradient is a constant (``grad_norm_sq`` never decays; it
is a sum of squares, floor underflow), and on the intervals f − f* = G_avg (x + 1) is sharp at
x* = −1, so an iterate that comes as close to x* as the float64 grid allows (4 eps, the
convention of :func:`.quadratics.error_floors`) leaves f − f* = 4 eps·G_avg and
||x − x*||² = (4 eps)².
"""

from __future__ import annotations

import math

import numpy as np

from ..runtime.jit import lazy_jit
from ..runtime.random import add_normals, uniform
from .base import UNDERFLOW, Problem
from .family import NONNEGATIVE, POSITIVE, SEED, Family, Interval, count
from .sets import lmo_ball_origin, lmo_box, project_ball_origin, project_box

_EPS = float(np.finfo(float).eps)


# -- shared oracles: intervals and balls ----------------------------------------------------

@lazy_jit("prox")
def clip_interval_prox(A, b, p, x, step, out):
    """Projection onto the box [p[0], p[1]]^d (coordinate-wise clip;
    :func:`convlab.problems.sets.project_box`)."""
    project_box(x, p[0], p[1], out)


@lazy_jit("lmo")
def interval_lmo(A, b, p, g, out):
    """argmin over [p[0], p[1]]^d of ⟨g, u⟩: the lower end where g_i >= 0, the upper where
    g_i < 0 (:func:`convlab.problems.sets.lmo_box`; where g_i = 0 every point is a minimiser,
    and the regret ⟨G, u⟩ does not depend on the choice)."""
    lmo_box(g, p[0], p[1], out)


@lazy_jit("prox")
def ball_prox(A, b, p, x, step, out):
    """Projection onto the Euclidean ball of radius p[0] centred at 0
    (:func:`convlab.problems.sets.project_ball_origin`)."""
    project_ball_origin(x, p[0], out)


@lazy_jit("lmo")
def ball_lmo(A, b, p, g, out):
    """argmin over the ball of radius p[0] of ⟨g, u⟩ = −p[0] g/||g|| (0 when g = 0;
    :func:`convlab.problems.sets.lmo_ball_origin`)."""
    lmo_ball_origin(g, p[0], out)


def _interval_floors(slope: float) -> dict[str, float]:
    """Floors of a mean loss slope·(x + 1) on [−1, 1] with x* = −1 (module docstring)."""
    dist = 4 * _EPS
    return {"dist_sq": dist**2, "f_gap": slope * dist, "grad_norm_sq": UNDERFLOW}


# -- P28 online-linear-ball ---------------------------------------------------------------

@lazy_jit("sgrad")
def online_ball_sgrad(A, b, p, x, t, s, out):
    """g_t = m + p[1] ξ_t, m = b, ξ_t ~ N(0, I) from sample s (independent of x)."""
    for i in range(x.shape[0]):
        out[i] = b[i]
    add_normals(s, 0, p[1], out)


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
        floors={"grad_norm_sq": UNDERFLOW},  # ||m||², a sum of squares (module docstring)
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
        f0_gap=(C - 2) / 3, floors=_interval_floors((C - 2) / 3), params=dict(C=C),
        certified=dict(D=2.0, G=C),
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
        f0_gap=1.0 / k, floors=_interval_floors(1.0 / k), params=dict(K=k),
        certified=dict(D=2.0, G=k),
    )


FAMILIES = (
    Family("online-linear-ball", online_linear_ball, "online (linear losses, ball)",
           ranges={"d": count(), "r": POSITIVE, "seed": SEED, "m_norm": NONNEGATIVE,
                   "noise": NONNEGATIVE},
           space={"d": [1, 30], "r": [0.1, 10.0], "seed": [0, 10_000], "m_norm": [0.0, 1.0],
                  "noise": [0.0, 2.0]},
           example={"d": 5}, memory=lambda p: 8.0 * 3 * p["d"]),
    Family("reddi-online", reddi_online, "online (linear losses, interval)",
           ranges={"C": Interval(2.0, math.inf, open_low=True)},
           space={"C": [2.5, 10.0]}, example={"C": 3.0}),
    Family("adopt-toy", adopt_toy, "online (stochastic linear loss, interval)",
           ranges={"K": Interval(1.0, math.inf, open_low=True)},
           space={"K": [2.0, 50.0]}, example={"K": 10.0}),
)
