"""Sharpness-aware minimisation (SAM), unnormalised variant.

The method is an ``advance`` function of the kernel contract (:mod:`convlab.runtime.kernel`):
it moves the iterate x_k (row 0 of ``X``) from iteration k0 to k1 with the ``grad`` oracle;
the loop records x_k at every checkpoint, tracks running quantities and stops a diverging run.
"""

from __future__ import annotations

from ..runtime.jit import GRAD, STATUS_OK, lazy_jit
from ..runtime.kernel import Kernel
from .registry import Algorithm


@lazy_jit("advance")
def sam(oracles, A, b, p, hyper, seed, checkpoints, k0, k1, X, s):
    """Unnormalised SAM: an ascent step of radius ρ, then a gradient step from there.

    Update: x_{k+1} = x_k − η ∇f(x_k + ρ ∇f(x_k)).

    On f = ½xᵀHx this is x_{k+1} = (I − η(H + ρH²)) x_k: per eigenvalue λ the factor is
    |1 − η(λ + ρλ²)|, so SAM is stable iff λ_max < (sqrt(1 + 8ρ/η) − 1)/(2ρ), i.e. iff
    η < 2/(λ_max + ρλ_max²) (below GD's 2/λ_max). ρ = 0 gives gradient descent.

    Parameters: ``step`` η and ``rho`` ρ.

    Records the last iterate x_k.

    References: Foret, Kleiner, Mobahi & Neyshabur (2021), "Sharpness-aware minimization for
    efficiently improving generalization", ICLR (normalised ascent step); the unnormalised
    variant and its edge of stability: Agarwala & Dauphin (2023), "SAM operates far from home:
    eigenvalue regularization as a dynamical phenomenon", ICML.
    """
    eta = hyper[0]
    rho = hyper[1]
    x = X[0]
    g = X[1]
    y = X[2]
    grad = oracles[GRAD]
    d = x.shape[0]
    for k in range(k0, k1):
        grad(A, b, p, x, g)
        for i in range(d):
            y[i] = x[i] + rho * g[i]
        grad(A, b, p, y, g)
        for i in range(d):
            x[i] -= eta * g[i]
    return STATUS_OK


SAM = Kernel(sam, hyper=("step", "rho"), vectors=("grad", "ascent_point"))

ALGORITHMS = (
    Algorithm("sam", SAM, (("step", None), ("rho", None)),
              summary="unnormalised sharpness-aware minimisation "
                      "x+ = x - step grad f(x + rho grad f(x))"),
)
