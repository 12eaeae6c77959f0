"""Explicit Runge–Kutta integrators of the game dynamics z' = −F(z) as iterative methods.

A step of size η of an explicit Runge–Kutta method applied to the linear system z' = −Mz
multiplies z by R(−ηM), where R is the method's stability polynomial:

- Euler (order 1, = simultaneous gradient descent-ascent): R(w) = 1 + w;
- Heun / RK2 (explicit trapezoidal rule): R(w) = 1 + w + w²/2;
- classical RK4: R(w) = 1 + w + w²/2 + w³/6 + w⁴/24.

On a bilinear game the eigenvalues of M are ±iσ_j, so the iteration converges iff
|R(iησ_j)| < 1 for every j: never for Euler and Heun (|R(iy)|² = 1 + y², 1 + y⁴/4), and for
RK4 iff ησ_max < 2√2 (|R(iy)|² = 1 − y⁶/72 + y⁸/576).

The integrator is an ``advance`` function of the kernel contract (:mod:`convlab.runtime.kernel`):
it moves z_k (row 0 of ``X``) from iteration k0 to k1; the loop records z_k at every
checkpoint and stops a diverging run.
"""

from __future__ import annotations

from ..runtime.jit import GRAD, STATUS_OK, lazy_jit
from ..runtime.kernel import Kernel
from .registry import Algorithm


@lazy_jit("advance")
def runge_kutta(oracles, A, b, p, hyper, seed, checkpoints, k0, k1, X, s):
    """Explicit Runge–Kutta step of size η on z' = −F(z) (F the ``grad`` oracle).

    Update (order 1, Euler): z+ = z − η F(z).
    Order 2 (Heun): k1 = F(z), k2 = F(z − η k1), z+ = z − (η/2)(k1 + k2).
    Order 4 (classical RK4): k1 = F(z), k2 = F(z − (η/2)k1), k3 = F(z − (η/2)k2),
    k4 = F(z − η k3), z+ = z − (η/6)(k1 + 2k2 + 2k3 + k4).

    Parameters: ``order`` in {1, 2, 4} (fixed per registered variant) and ``step`` η.

    Records the last iterate z_k.

    References: Butcher (2016), *Numerical Methods for Ordinary Differential Equations*, 3rd ed.,
    ch. 2-3 (explicit Runge-Kutta methods and their stability functions); Acuna, Law, Zhang & Fidler
    (2021), "Domain Adversarial Training: A Game Perspective", ICLR 2022 (Runge–Kutta solvers for
    the game dynamics).
    """
    order = int(hyper[0])
    eta = hyper[1]
    z = X[0]
    k1v = X[1]
    k2v = X[2]
    k3v = X[3]
    k4v = X[4]
    y = X[5]
    grad = oracles[GRAD]
    d = z.shape[0]
    for k in range(k0, k1):
        grad(A, b, p, z, k1v)
        if order == 1:
            for i in range(d):
                z[i] -= eta * k1v[i]
        elif order == 2:
            for i in range(d):
                y[i] = z[i] - eta * k1v[i]
            grad(A, b, p, y, k2v)
            for i in range(d):
                z[i] -= 0.5 * eta * (k1v[i] + k2v[i])
        else:
            for i in range(d):
                y[i] = z[i] - 0.5 * eta * k1v[i]
            grad(A, b, p, y, k2v)
            for i in range(d):
                y[i] = z[i] - 0.5 * eta * k2v[i]
            grad(A, b, p, y, k3v)
            for i in range(d):
                y[i] = z[i] - eta * k3v[i]
            grad(A, b, p, y, k4v)
            for i in range(d):
                z[i] -= (eta / 6.0) * (k1v[i] + 2.0 * k2v[i] + 2.0 * k3v[i] + k4v[i])
    return STATUS_OK


RUNGE_KUTTA = Kernel(runge_kutta, hyper=("order", "step"),
                     vectors=("k1", "k2", "k3", "k4", "stage_point"))

ALGORITHMS = (
    Algorithm("heun", RUNGE_KUTTA, (("step", None),), fixed={"order": 2.0},
              summary="Heun's method (RK2) on z' = -F(z)"),
    Algorithm("rk4", RUNGE_KUTTA, (("step", None),), fixed={"order": 4.0},
              summary="classical Runge-Kutta (RK4) on z' = -F(z)"),
)
