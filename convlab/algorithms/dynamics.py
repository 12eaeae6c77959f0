"""Explicit Runge–Kutta integrators of the game dynamics z' = −F(z) as iterative methods.

A step of size η of an explicit Runge–Kutta method applied to the linear system z' = −Mz
multiplies z by R(−ηM), where R is the method's stability polynomial:

- Euler (order 1, = simultaneous gradient descent-ascent): R(w) = 1 + w;
- Heun / RK2 (explicit trapezoidal rule): R(w) = 1 + w + w²/2;
- classical RK4: R(w) = 1 + w + w²/2 + w³/6 + w⁴/24.

On a bilinear game the eigenvalues of M are ±iσ_j, so the iteration converges iff
|R(iησ_j)| < 1 for every j: never for Euler and Heun (|R(iy)|² = 1 + y², 1 + y⁴/4), and for
RK4 iff ησ_max < 2√2 (|R(iy)|² = 1 − y⁶/72 + y⁸/576).
"""

from __future__ import annotations

import numpy as np

from ..runtime.jit import GRAD, STATUS_DIVERGED, STATUS_OK, lazy_jit
from ._record import checkpoint, new_record


@lazy_jit("method")
def runge_kutta(oracles, A, b, p, x0, hyper, checkpoints, seed, track):
    """Explicit Runge–Kutta step of size η on z' = −F(z) (F the ``grad`` oracle).

    Update (order 1, Euler): z+ = z − η F(z).
    Order 2 (Heun): k1 = F(z), k2 = F(z − η k1), z+ = z − (η/2)(k1 + k2).
    Order 4 (classical RK4): k1 = F(z), k2 = F(z − (η/2)k1), k3 = F(z − (η/2)k2),
    k4 = F(z − η k3), z+ = z − (η/6)(k1 + 2k2 + 2k3 + k4).

    Parameters (``hyper``): ``[order, η]`` with order in {1, 2, 4}.

    Records the last iterate z_k.

    References: Butcher (2016), *Numerical Methods for Ordinary Differential Equations*, 3rd ed.,
    ch. 2-3 (explicit Runge-Kutta methods and their stability functions); Acuna, Law, Zhang & Fidler
    (2021), "Domain Adversarial Training: A Game Perspective", ICLR 2022 (Runge–Kutta solvers for
    the game dynamics).
    """
    order = int(hyper[0])
    eta = hyper[1]
    d = x0.shape[0]
    z = x0.copy()
    k1 = np.empty(d)
    k2 = np.empty(d)
    k3 = np.empty(d)
    k4 = np.empty(d)
    y = np.empty(d)
    grad = oracles[GRAD]
    points, scalars = new_record(checkpoints, 1, d, 0)
    j = 0
    last = checkpoints[-1]
    for k in range(last + 1):
        if k == checkpoints[j]:
            j += 1
            if checkpoint(points, scalars, j - 1, z, scalars[0], 0):
                return points, scalars, j, STATUS_DIVERGED
            if k == last:
                break
        grad(A, b, p, z, k1)
        if order == 1:
            for i in range(d):
                z[i] -= eta * k1[i]
        elif order == 2:
            for i in range(d):
                y[i] = z[i] - eta * k1[i]
            grad(A, b, p, y, k2)
            for i in range(d):
                z[i] -= 0.5 * eta * (k1[i] + k2[i])
        else:
            for i in range(d):
                y[i] = z[i] - 0.5 * eta * k1[i]
            grad(A, b, p, y, k2)
            for i in range(d):
                y[i] = z[i] - 0.5 * eta * k2[i]
            grad(A, b, p, y, k3)
            for i in range(d):
                y[i] = z[i] - eta * k3[i]
            grad(A, b, p, y, k4)
            for i in range(d):
                z[i] -= (eta / 6.0) * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i])
    return points, scalars, j, STATUS_OK


# -- registry rows (legacy whole-run kernels; see convlab.algorithms.registry) --

from .registry import Algorithm, LegacyKernel  # noqa: E402

ALGORITHMS = (
    Algorithm('heun', LegacyKernel(runge_kutta, hyper=('variant0', 'step'), points=('last',), record_scalars=(), needs=('grad',), stochastic=False),
              (('step', None),),
              fixed={'variant0': 2.0},
              summary="Heun's method (RK2) on z' = -F(z)"),
    Algorithm('rk4', LegacyKernel(runge_kutta, hyper=('variant0', 'step'), points=('last',), record_scalars=(), needs=('grad',), stochastic=False),
              (('step', None),),
              fixed={'variant0': 4.0},
              summary="classical Runge-Kutta (RK4) on z' = -F(z)"),
)
