"""The problem instance: oracle operands, exact solution and certified constants."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np

from .._jit import LazyJit

#: Measures every smooth instance provides, with the record column each one comes from.
MEASURES: dict[str, str] = {
    "f_gap": "f(x_k) - f*, computed without cancellation",
    "dist_sq": "||x_k - x*||^2",
    "dist": "||x_k - x*||",
    "grad_norm_sq": "||grad f(x_k)||^2",
    "grad_norm": "||grad f(x_k)||",
}

#: Smallest positive normal float64: the floor of a measure computed with no cancellation at all.
UNDERFLOW = float(np.finfo(float).tiny)


@dataclass(frozen=True)
class Problem:
    """A problem instance with an exactly known solution.

    Attributes
    ----------
    family, name
        The family (``"quadratic"``, ``"huber-1d"``, ...) and a readable instance name.
    A, b, p
        Oracle operands (see :mod:`convlab._jit`): 2-D array, 1-D array, 1-D scalar parameters.
    grad, gap
        The family's typed oracles: gradient, and f(x) - f* without cancellation.
    x0, xstar
        Start and solution (x* is the projection of x0 on the solution set).
    fstar
        Optimal value f*.
    L, mu
        Certified smoothness and strong convexity (PL) constants; ``mu = 0`` when none.
    f0_gap
        f(x0) - f*, computed exactly like the ``f_gap`` measure.
    floors
        Absolute level per measure below which the computed value is rounding noise.
    params
        The family parameters the instance was built from (all numbers).
    """

    family: str
    name: str
    A: np.ndarray
    b: np.ndarray
    p: np.ndarray
    grad: LazyJit
    gap: LazyJit
    x0: np.ndarray
    xstar: np.ndarray
    fstar: float
    L: float
    mu: float
    f0_gap: float
    floors: Mapping[str, float]
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for attr in ("A", "b", "p", "x0", "xstar"):
            arr = np.ascontiguousarray(getattr(self, attr), dtype=np.float64)
            object.__setattr__(self, attr, arr)
        if self.A.ndim != 2 or self.b.ndim != 1 or self.p.ndim != 1:
            raise ValueError("oracle operands must be A: 2-D, b: 1-D, p: 1-D")
        if self.x0.shape != self.xstar.shape or self.x0.ndim != 1:
            raise ValueError("x0 and xstar must be 1-D arrays of the same length")
        if not (np.isfinite(self.L) and self.L > 0):
            raise ValueError(f"L must be a positive finite number, got {self.L}")
        if not (0 <= self.mu <= self.L):
            raise ValueError(f"mu must satisfy 0 <= mu <= L, got mu={self.mu}, L={self.L}")

    @property
    def dim(self) -> int:
        """Dimension d of x."""
        return int(self.x0.shape[0])

    @property
    def R(self) -> float:
        """Initial distance ||x0 - x*||."""
        return float(np.linalg.norm(self.x0 - self.xstar))

    @property
    def constants(self) -> dict[str, float]:
        """Constants a bound or parameter expression may use.

        ``L, mu, R, d, fstar, Delta`` (= f(x0) - f*), ``kappa`` (= L/mu, when mu > 0), and every
        numeric family parameter under its own name.
        """
        out: dict[str, float] = {
            k: float(v) for k, v in self.params.items()
            if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
        }
        out.update(L=float(self.L), mu=float(self.mu), R=self.R, d=float(self.dim),
                   fstar=float(self.fstar), Delta=float(self.f0_gap))
        if self.mu > 0:
            out["kappa"] = float(self.L / self.mu)
        return out

    def floor(self, measure: str) -> float:
        """Absolute floor of ``measure`` (derived measures follow their record column)."""
        if measure in self.floors:
            return float(self.floors[measure])
        if measure == "dist":
            return float(np.sqrt(self.floors.get("dist_sq", UNDERFLOW)))
        if measure == "grad_norm":
            return float(np.sqrt(self.floors.get("grad_norm_sq", UNDERFLOW)))
        return UNDERFLOW
