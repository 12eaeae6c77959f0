"""One-dimensional Huber function, the exact worst case of gradient descent (recipe P01).

    f(x) = (L/2) x²            if |x| <= δ,
           L δ |x| − L δ²/2    otherwise;

convex and L-smooth, x* = 0, f* = 0. Started at x0 = R with δ = R/(2N+1), gradient descent with
step 1/L stays on the linear piece for N steps, moving by δ each time, and ends at x_N = δ(N+1)
with f(x_N) = L R²/(4N+2): the tight bound of Drori & Teboulle (2014) is attained.

Oracles (operands: ``A`` unused, ``b`` unused, ``p = [L, δ]``): the value oracle is f itself (f* = 0), and
on the linear piece it is computed as ``L δ (|x| − δ/2)``, a sum of positive terms, so the measure
has no floor above underflow.
"""

from __future__ import annotations

import numpy as np

from ..runtime.jit import lazy_jit
from .base import UNDERFLOW, Problem
from .family import POSITIVE, Family


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


FAMILIES = (
    Family("huber-1d", huber_1d, "smooth convex",
           ranges={"delta": POSITIVE, "L": POSITIVE, "R": POSITIVE},
           space={"delta": [1e-4, 1.0], "L": [0.1, 10.0], "R": [0.1, 10.0]},
           example={"delta": 1 / 21}),
)
