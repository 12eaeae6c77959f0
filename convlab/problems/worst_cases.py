"""Exact worst cases of first-order methods for smooth convex functions, at a given horizon.

Families:

- :func:`huber_1d` (recipe P01): the 1-D Huber function

      f(x) = (L/2) x²            if |x| <= δ,
             L δ |x| − L δ²/2    otherwise;

  convex and L-smooth, x* = 0, f* = 0. Started at x0 = R with δ = R/(2N+1), gradient descent
  with step 1/L stays on the linear piece for N steps, moving by δ each time, and ends at
  x_N = δ(N+1) with f(x_N) = L R²/(4N+2): the tight bound of Drori & Teboulle (2014) is
  attained. Operands: ``A`` unused, ``b`` unused, ``p = [L, δ]``; the value oracle is f itself
  (f* = 0), and on the linear piece it is computed as ``L δ (|x| − δ/2)``, a sum of positive
  terms, so the measure has no floor above underflow.
- :func:`huber_ogm_worst`: the 1-D Huber function with δ = R/θ_N², on which OGM at horizon N
  attains L R²/(2θ_N²) (Kim & Fessler 2016); certifies ``theta_N``;
- :func:`nesterov_chain_horizon`: Nesterov's chain with m = 2N + 1 for horizon N, with O(m)
  tridiagonal oracles (the dense ``nesterov-chain`` of :mod:`.quadratics` costs O(m²) per
  gradient), certifying OGM's ``theta_N`` so that bounds can name it.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from ..runtime.jit import lazy_jit
from .base import UNDERFLOW, Problem
from .family import POSITIVE, Family, Interval
from .quadratics import error_floors


# -- huber-1d ----------------------------------------------------------------------------------

@lazy_jit("grad")
def huber_grad(A, b, p, x, out):
    """Coordinate-wise Huber gradient: L x inside [−δ, δ], L δ sign(x) outside."""
    L = p[0]
    delta = p[1]
    for i in range(x.shape[0]):
        if abs(x[i]) <= delta:
            out[i] = L * x[i]
        elif x[i] > 0:
            out[i] = L * delta
        else:
            out[i] = -L * delta


@lazy_jit("value")
def huber_value(A, b, p, x):
    """Σᵢ h(xᵢ) with h the Huber function above (f* = 0, so this is f − f* exactly)."""
    L = p[0]
    delta = p[1]
    total = 0.0
    for i in range(x.shape[0]):
        a = abs(x[i])
        if a <= delta:
            total += 0.5 * L * a * a
        else:
            total += L * delta * (a - 0.5 * delta)
    return total


def huber_1d(delta: float, L: float = 1.0, R: float = 1.0) -> Problem:
    """The 1-D Huber function with threshold ``delta``, started at x0 = R.

    Parameters
    ----------
    delta
        Threshold δ > 0 between the quadratic and the linear piece. The worst case of gradient
        descent with step 1/L at horizon N is δ = R/(2N+1).
    L
        Smoothness constant (the curvature of the quadratic piece).
    R
        Start x0 = R, so that ||x0 − x*|| = R.

    Floors: x* = 0, so x − x* = x is exact; f − f* is a sum of positive terms and the gradient
    a product (no cancellation): every measure can be followed down to underflow.
    """
    delta, L, R = float(delta), float(L), float(R)
    if not (delta > 0 and L > 0 and R > 0):
        raise ValueError(f"need delta > 0, L > 0, R > 0, got delta={delta}, L={L}, R={R}")
    p = np.array([L, delta])
    a = R
    f0 = 0.5 * L * a * a if a <= delta else L * delta * (a - 0.5 * delta)
    return Problem(
        family="huber-1d", name=f"huber-1d(delta={delta:.6g}, L={L:g}, R={R:g})",
        A=np.zeros((1, 1)), b=np.zeros(1), p=p, oracles={"grad": huber_grad, "value": huber_value},
        x0=np.array([R]), xstar=np.zeros(1), fstar=0.0, L=L, mu=0.0, f0_gap=f0,
        floors={"f_gap": UNDERFLOW, "dist_sq": UNDERFLOW, "grad_norm_sq": UNDERFLOW},
        params=dict(delta=delta, L=L, R=R),
    )


# -- horizon-N worst cases of OGM --------------------------------------------------------------

def ogm_theta(N: int) -> float:
    """θ_N of OGM for horizon N: θ_0 = 1, θ_k = (1 + sqrt(1 + 4θ_{k−1}²))/2 for k < N and
    θ_N = (1 + sqrt(1 + 8θ_{N−1}²))/2 (Kim & Fessler 2016)."""
    N = int(N)
    if N < 1:
        raise ValueError(f"N must be >= 1, got {N}")
    theta = 1.0
    for k in range(1, N + 1):
        factor = 8.0 if k == N else 4.0
        theta = 0.5 * (1.0 + math.sqrt(1.0 + factor * theta * theta))
    return theta


def huber_ogm_worst(N: int, L: float = 1.0, R: float = 1.0) -> Problem:
    """The 1-D Huber function with δ = R/θ_N², started at x0 = R: OGM with step 1/L attains
    f(x_N) − f* = L R²/(2θ_N²) on it (Kim & Fessler 2016, Thm 2 and §4).

    Certifies ``theta_N`` (see :func:`ogm_theta`). Oracles and floors are those of
    :func:`huber_1d` (x* = 0: every measure down to underflow).
    """
    theta = ogm_theta(N)
    base = huber_1d(delta=float(R) / theta**2, L=L, R=R)
    return dataclasses.replace(
        base, family="huber-ogm-worst", name=f"huber-ogm-worst(N={int(N)}, L={L:g}, R={R:g})",
        params=dict(N=int(N), L=float(L), R=float(R), delta=float(R) / theta**2),
        certified=dict(theta_N=theta))


@lazy_jit("grad")
def chain_grad(A, b, p, x, out):
    """∇f(x) = (L/4) A_m (x − x*) for the tridiagonal A_m = tridiag(−1, 2, −1); p[0] = L/4."""
    c = p[0]
    m = x.shape[0]
    for i in range(m):
        e = x[i] - b[i]
        s = 2.0 * e
        if i > 0:
            s -= x[i - 1] - b[i - 1]
        if i + 1 < m:
            s -= x[i + 1] - b[i + 1]
        out[i] = c * s


@lazy_jit("value")
def chain_value(A, b, p, x):
    """f(x) − f* = (L/8)(e_1² + e_m² + Σ (e_i − e_{i+1})²), e = x − x*: a sum of squares."""
    m = x.shape[0]
    e_first = x[0] - b[0]
    e_last = x[m - 1] - b[m - 1]
    total = e_first * e_first + e_last * e_last
    for i in range(m - 1):
        diff = (x[i] - b[i]) - (x[i + 1] - b[i + 1])
        total += diff * diff
    return 0.5 * p[0] * total


def nesterov_chain_horizon(N: int, L: float = 1.0) -> Problem:
    """Nesterov's chain quadratic ``(L/4)(½ xᵀA_m x − x₁)`` with m = 2N + 1 for horizon N and
    x0 = 0 (Nesterov 2004, Thm 2.1.7), with O(m) tridiagonal oracles, certifying OGM's
    ``theta_N`` for the same horizon (see :func:`ogm_theta`).

    The same function and constants as the ``nesterov-chain`` family with m = 2N + 1: x*ᵢ =
    1 − i/(m+1), f* = (L/8)(1/(m+1) − 1), R² = m(2m+1)/(6(m+1)), Hessian eigenvalues
    L sin²(iπ/(2(m+1))). Operands: ``A`` = [[L/4]] (the Hessian is not stored), ``b`` = x*,
    ``p`` = [L/4]. The value oracle is the sum of squares (L/8)(e₁² + e_m² + Σ(eᵢ − eᵢ₊₁)²).

    Floors (:func:`~convlab.problems.quadratics.error_floors`): x − x* carries about eps·|x*|
    per coordinate, so dist² has the floor (4 eps ||x*||)², f − f* (a sum of squares of those
    errors) L times that, ||∇f||² L² times that.
    """
    N, L = int(N), float(L)
    if N < 1:
        raise ValueError(f"N must be >= 1, got {N}")
    if not L > 0:
        raise ValueError(f"need L > 0, got {L}")
    m = 2 * N + 1
    i = np.arange(1, m + 1)
    xs = 1.0 - i / (m + 1)
    return Problem(
        family="nesterov-chain-horizon", name=f"nesterov-chain-horizon(N={N}, L={L:g})",
        A=np.array([[L / 4]]), b=xs, p=np.array([L / 4]),
        oracles={"grad": chain_grad, "value": chain_value},
        x0=np.zeros(m), xstar=xs, fstar=(L / 8) * (1 / (m + 1) - 1), L=L,
        mu=L * math.sin(math.pi / (2 * (m + 1))) ** 2,
        f0_gap=(L / 8) * (1 - 1 / (m + 1)), floors=error_floors(xs, L),
        params=dict(N=N, L=L), certified=dict(theta_N=ogm_theta(N), m=float(m)),
    )


#: A horizon: any N >= 1 (the builders refuse nothing else).
_HORIZON = Interval(1, math.inf)

FAMILIES = (
    Family("huber-1d", huber_1d, "smooth convex",
           ranges={"delta": POSITIVE, "L": POSITIVE, "R": POSITIVE},
           space={"delta": [1e-4, 1.0], "L": [0.1, 10.0], "R": [0.1, 10.0]},
           example={"delta": 1 / 21}),
    Family("huber-ogm-worst", huber_ogm_worst, "smooth convex (worst case)",
           ranges={"N": _HORIZON, "L": POSITIVE, "R": POSITIVE},
           space={"N": [1, 200]}, example={"N": 10}),
    # operands and the vectors the builder forms: x*, x0, the index range (m = 2N + 1 each)
    Family("nesterov-chain-horizon", nesterov_chain_horizon, "smooth convex (worst case)",
           ranges={"N": _HORIZON, "L": POSITIVE},
           space={"N": [1, 200]}, example={"N": 10},
           memory=lambda p: 8.0 * 4 * (2 * p["N"] + 1)),
)
