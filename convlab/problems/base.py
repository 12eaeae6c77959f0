"""The problem instance: oracle operands, exact solution, certified constants and measures.

A family builds :class:`Problem` instances. An instance carries

- its oracles (:data:`convlab._jit.ORACLE_KINDS`; a missing kind is replaced by a NaN stub and
  algorithms that need it are refused), packed with the operands ``A, b, p``;
- the start x0, the solution x* (or None when only the optimal value is known) and f*;
- certified constants (L, μ and any family constant such as ρ, G, D, σ², L_max) and the floor
  below which each measure is rounding noise;
- its measures: functions of a batch of points (one per row) returning one error per row.
  Every family has the standard ones of :data:`MEASURES` it can support; a family adds its own
  (a duality gap, a Frank–Wolfe gap, a Moreau-envelope gradient, ...) in ``extra_measures``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable, Mapping

import numpy as np

from ..runtime.jit import ORACLE_KINDS, LazyJit, lazy_jit

#: Standard measures: name -> meaning. A family supports those its oracles and solution allow.
MEASURES: dict[str, str] = {
    "f_gap": "f(x) - f*, computed without cancellation (value oracle)",
    "dist_sq": "||x - x*||^2",
    "dist": "||x - x*||",
    "grad_norm_sq": "||grad f(x)||^2 (for a VI: ||F(z)||^2)",
    "grad_norm": "||grad f(x)|| (for a VI: ||F(z)||)",
}

#: Smallest positive normal float64: the floor of a measure computed with no cancellation at all.
UNDERFLOW = float(np.finfo(float).tiny)

#: A measure: (problem, points of shape (m, d)) -> errors of shape (m,).
MeasureFn = Callable[["Problem", np.ndarray], np.ndarray]


@lazy_jit("grad")
def missing_grad(A, b, p, x, out):
    """Stub for a family without this oracle: NaN."""
    out[:] = np.nan


@lazy_jit("sgrad")
def missing_sgrad(A, b, p, x, t, s, out):
    """Stub for a family without this oracle: NaN."""
    out[:] = np.nan


@lazy_jit("value")
def missing_value(A, b, p, x):
    """Stub for a family without this oracle: NaN."""
    return np.nan


@lazy_jit("prox")
def prox_identity(A, b, p, x, step, out):
    """prox of the zero function: the identity (no nonsmooth part, no constraint)."""
    for i in range(x.shape[0]):  # a plain loop: a slice assignment checks shapes on each call
        out[i] = x[i]


@lazy_jit("lmo")
def missing_lmo(A, b, p, g, out):
    """Stub for a family without this oracle: NaN."""
    out[:] = np.nan


@lazy_jit("hess")
def missing_hess(A, b, p, x, out):
    """Stub for a family without this oracle: NaN."""
    out[:, :] = np.nan


_STUBS = {"grad": missing_grad, "sgrad": missing_sgrad, "value": missing_value,
          "prox": prox_identity, "lmo": missing_lmo, "hess": missing_hess}


def _rows(fn: Callable[[np.ndarray], float], X: np.ndarray) -> np.ndarray:
    return np.array([fn(np.ascontiguousarray(x)) for x in X], dtype=float)


def _f_gap(pr: "Problem", X: np.ndarray) -> np.ndarray:
    value = pr.oracle("value")
    return _rows(lambda x: value(pr.A, pr.b, pr.p, x), X)


def _grad_norm_sq(pr: "Problem", X: np.ndarray) -> np.ndarray:
    grad = pr.oracle("grad")
    g = np.empty(pr.dim)

    def one(x):
        grad(pr.A, pr.b, pr.p, x, g)
        return float(g @ g)

    return _rows(one, X)


def _dist_sq(pr: "Problem", X: np.ndarray) -> np.ndarray:
    e = X - pr.xstar
    return np.einsum("ij,ij->i", e, e)


_STANDARD: dict[str, tuple[MeasureFn, str]] = {
    # name: (function, what it requires: an oracle kind or "xstar")
    "f_gap": (_f_gap, "value"),
    "dist_sq": (_dist_sq, "xstar"),
    "dist": (lambda pr, X: np.sqrt(_dist_sq(pr, X)), "xstar"),
    "grad_norm_sq": (_grad_norm_sq, "grad"),
    "grad_norm": (lambda pr, X: np.sqrt(_grad_norm_sq(pr, X)), "grad"),
}

#: Measures whose floor is the square root of another's.
_ROOT_OF = {"dist": "dist_sq", "grad_norm": "grad_norm_sq"}


@dataclass(frozen=True, eq=False)
class Problem:
    """A problem instance with an exactly known solution (or optimal value).

    Attributes
    ----------
    family, name
        The family (``"quadratic"``, ``"huber-1d"``, ...) and a readable instance name.
    A, b, p
        Oracle operands (see :mod:`convlab._jit`): 2-D array, 1-D array, 1-D scalar parameters.
    oracles
        Oracle kind -> typed oracle (:class:`~convlab._jit.LazyJit`) for the kinds the family
        provides; ``prox`` defaults to the identity (no nonsmooth part, no constraint).
    x0, xstar
        Start and solution; x* is the projection of x0 on the solution set, or None when only
        f* is certified (measures that need x* are then unavailable).
    fstar
        Optimal value f* (NaN when the problem is not a minimisation, e.g. a VI).
    L, mu
        Certified smoothness (``inf`` for a nonsmooth class) and strong convexity or PL
        constant (0 when none).
    floors
        Absolute level per measure below which the computed value is rounding noise.
    params
        The family parameters the instance was built from.
    certified
        Further certified constants by name (ρ, G, D, sigma_sq, L_max, ...), usable in bounds.
    extra_measures
        Family measures: name -> (function of (problem, points (m, d)) -> (m,), description).
    f0_gap
        f(x0) − f*, when the family knows it in closed form (else computed by the value oracle).
    gradient_memo
        Whether the ``grad`` and ``sgrad`` oracles keep and recall their exact gradient through
        the memo block a run may append to ``p`` (:mod:`convlab.runtime.memo`): the family's
        stochastic gradient is its exact gradient, computed by the same code, plus noise.
    """

    family: str
    name: str
    A: np.ndarray
    b: np.ndarray
    p: np.ndarray
    oracles: Mapping[str, LazyJit]
    x0: np.ndarray
    xstar: np.ndarray | None
    fstar: float
    L: float
    mu: float
    floors: Mapping[str, float] = field(default_factory=dict)
    params: Mapping[str, Any] = field(default_factory=dict)
    certified: Mapping[str, float] = field(default_factory=dict)
    extra_measures: Mapping[str, tuple[MeasureFn, str]] = field(default_factory=dict)
    f0_gap: float | None = None
    gradient_memo: bool = False

    def __post_init__(self) -> None:
        for attr in ("A", "b", "p", "x0", "xstar"):
            value = getattr(self, attr)
            if value is not None:
                object.__setattr__(self, attr, np.ascontiguousarray(value, dtype=np.float64))
        if self.A.ndim != 2 or self.b.ndim != 1 or self.p.ndim != 1:
            raise ValueError("oracle operands must be A: 2-D, b: 1-D, p: 1-D")
        if self.x0.ndim != 1 or self.x0.size == 0:
            raise ValueError("x0 must be a non-empty 1-D array")
        if self.xstar is not None and self.xstar.shape != self.x0.shape:
            raise ValueError("x0 and xstar must have the same shape")
        unknown = set(self.oracles) - set(ORACLE_KINDS)
        if unknown:
            raise ValueError(f"unknown oracle kinds {sorted(unknown)}; known: {ORACLE_KINDS}")
        for kind, fn in self.oracles.items():
            if not isinstance(fn, LazyJit) or fn.kind != kind:
                raise ValueError(f"oracle '{kind}' must be a lazy_jit('{kind}') function")
        if not (self.L > 0):
            raise ValueError(f"L must be positive (inf for a nonsmooth class), got {self.L}")
        if not (0 <= self.mu <= self.L):
            raise ValueError(f"mu must satisfy 0 <= mu <= L, got mu={self.mu}, L={self.L}")

    # -- oracles ---------------------------------------------------------------------------

    def provides(self, kind: str) -> bool:
        """Whether the family provides oracle ``kind`` (``prox`` always: identity by default)."""
        return kind in self.oracles or kind == "prox"

    def oracle(self, kind: str) -> LazyJit:
        """The oracle of ``kind`` (the NaN stub when the family lacks it)."""
        return self.oracles.get(kind, _STUBS[kind])

    def oracle_tuple(self) -> tuple:
        """Compiled oracles in the order of :data:`~convlab._jit.ORACLE_KINDS`, for kernels."""
        return tuple(self.oracle(kind).compiled for kind in ORACLE_KINDS)

    @property
    def grad(self) -> LazyJit:
        return self.oracle("grad")

    @property
    def gap(self) -> LazyJit:
        """The value oracle f(x) − f*."""
        return self.oracle("value")

    # -- constants -------------------------------------------------------------------------

    @property
    def dim(self) -> int:
        """Dimension d of x."""
        return int(self.x0.shape[0])

    @property
    def R(self) -> float:
        """Initial distance ||x0 − x*|| (NaN without x*)."""
        if self.xstar is None:
            return float("nan")
        return float(np.linalg.norm(self.x0 - self.xstar))

    @cached_property
    def Delta(self) -> float:
        """f(x0) − f*."""
        if self.f0_gap is not None:
            return float(self.f0_gap)
        if "value" not in self.oracles:
            return float("nan")
        return float(self.oracle("value")(self.A, self.b, self.p, self.x0))

    @property
    def constants(self) -> dict[str, float]:
        """Constants a bound or parameter expression may use.

        Every numeric family parameter under its own name, the certified constants, and ``L,
        mu, d``, ``R`` (with x*), ``fstar`` and ``Delta`` = f(x0) − f* (when finite), ``kappa``
        = L/mu (when mu > 0). Constants that are not finite are left out, so a bound that needs
        them is refused as using an unknown name. Computed once per instance (a new dict on
        each access).
        """
        return dict(self._constants)

    @cached_property
    def _constants(self) -> dict[str, float]:
        out: dict[str, float] = {
            k: float(v) for k, v in self.params.items()
            if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
        }
        out.update({k: float(v) for k, v in self.certified.items()})
        out.update(L=float(self.L), mu=float(self.mu), d=float(self.dim), R=self.R,
                   fstar=float(self.fstar), Delta=self.Delta)
        if self.mu > 0:
            out["kappa"] = float(self.L / self.mu)
        return {k: v for k, v in out.items() if np.isfinite(v)}

    # -- measures --------------------------------------------------------------------------

    @property
    def measures(self) -> dict[str, str]:
        """Measures this instance supports: name -> description."""
        out = {}
        for name, (_, needs) in _STANDARD.items():
            if (needs == "xstar" and self.xstar is not None) or (
                    needs != "xstar" and needs in self.oracles):
                out[name] = MEASURES[name]
        out.update({name: desc for name, (_, desc) in self.extra_measures.items()})
        return out

    def measure(self, name: str, points: np.ndarray) -> np.ndarray:
        """Measure ``name`` at each row of ``points`` (shape (m, d), or one point (d,))."""
        X = np.atleast_2d(np.asarray(points, dtype=float))
        if name in self.extra_measures:
            fn = self.extra_measures[name][0]
        elif name in self.measures:
            fn = _STANDARD[name][0]
        else:
            from ..errors import InputError
            from ..names import closest

            raise InputError(f"measure '{name}' is not available on family '{self.family}'"
                             f"{closest(name, self.measures)}; available: "
                             f"{', '.join(self.measures)}", field="measure")
        return np.asarray(fn(self, X), dtype=float)

    def unstated_floors(self) -> list[str]:
        """Measures this instance supports whose floor is not stated in :attr:`floors`
        (``dist`` and ``grad_norm`` follow from ``dist_sq`` and ``grad_norm_sq``)."""
        return sorted(name for name in self.measures
                      if _ROOT_OF.get(name, name) not in self.floors)

    def floor(self, measure: str) -> float:
        """Absolute floor of ``measure``: below it the computed value is rounding noise."""
        if measure in self.floors:
            return float(self.floors[measure])
        if measure in _ROOT_OF:
            return float(np.sqrt(self.floors.get(_ROOT_OF[measure], UNDERFLOW)))
        return UNDERFLOW

    # -- self-check ------------------------------------------------------------------------

    def certify(self, samples: int = 8, seed: int = 0) -> list[str]:
        """Check the certified constants on sample points; return the failures (empty if none).

        Points are drawn on the segment from x0 to x* and near it (the region a run visits):

        - the gradient (or operator) is L-Lipschitz between sample pairs, and a power iteration
          on its finite-difference Jacobian at x0, x* and a sample stays below L (up to 1e-6
          relative slack; skipped when L is infinite);
        - f(x*) − f* is at the floor and f(x) − f* >= 0 at the samples (with a value oracle);
        - every oracle output is finite at x0 and x*.
        """
        failures: list[str] = []
        if self.xstar is None:
            return failures
        rng = np.random.default_rng(seed)
        e0 = self.x0 - self.xstar
        scale = float(np.linalg.norm(e0)) or 1.0
        pts = [self.xstar + t * e0 + 1e-3 * scale * rng.standard_normal(self.dim) / np.sqrt(
            self.dim) for t in rng.uniform(0, 1, samples)]
        pts = [self.x0, self.xstar] + pts
        has_grad = "grad" in self.oracles
        if has_grad:
            grads = []
            for x in pts:
                g = np.empty(self.dim)
                self.oracle("grad")(self.A, self.b, self.p, np.ascontiguousarray(x), g)
                grads.append(g)
            if not all(np.all(np.isfinite(g)) for g in grads[:2]):
                failures.append("the gradient is not finite at x0 or x*")
            elif np.isfinite(self.L):
                worst = 0.0
                resolvable = 1e-6 * max(scale, float(np.linalg.norm(self.xstar)))
                for i in range(len(pts)):
                    for j in range(i + 1, len(pts)):
                        dx = float(np.linalg.norm(pts[i] - pts[j]))
                        # pairs closer than rounding can resolve say nothing about L
                        if dx > resolvable and np.all(np.isfinite(grads[i])) and np.all(
                                np.isfinite(grads[j])):
                            worst = max(worst, float(np.linalg.norm(grads[i] - grads[j])) / dx)
                worst = max(worst, self._power_lipschitz(pts[:3], rng))
                if worst > self.L * (1 + 1e-6) + 1e-12:
                    failures.append(f"the gradient varies faster than L = {self.L:.6g} between "
                                    f"sample points (ratio {worst:.6g})")
        if "value" in self.oracles and np.isfinite(self.fstar):
            value = self.oracle("value")
            at_star = float(value(self.A, self.b, self.p, self.xstar))
            level = max(1e3 * self.floor("f_gap"), 1e-12 * max(abs(self.Delta), 1e-300)
                        if np.isfinite(self.Delta) else 0.0)
            if not abs(at_star) <= level:
                failures.append(f"f(x*) - f* = {at_star:.3g}, not at the floor {level:.3g}")
            below = [float(value(self.A, self.b, self.p, np.ascontiguousarray(x))) for x in pts]
            if min(below) < -level:
                failures.append(f"f(x) - f* = {min(below):.3g} < 0 at a sample point")
        return failures

    def _power_lipschitz(self, points, rng, steps: int = 30) -> float:
        """Largest ||J v|| found by a power iteration on finite differences of the gradient at
        ``points`` (a lower bound on the local Lipschitz constant)."""
        grad = self.oracle("grad")
        best = 0.0
        g0, g1 = np.empty(self.dim), np.empty(self.dim)
        for x in points:
            x = np.ascontiguousarray(x, dtype=float)
            h = 1e-6 * max(1.0, float(np.linalg.norm(x)))
            v = rng.standard_normal(self.dim)
            v /= np.linalg.norm(v)
            grad(self.A, self.b, self.p, x, g0)
            for _ in range(steps):
                grad(self.A, self.b, self.p, np.ascontiguousarray(x + h * v), g1)
                w = (g1 - g0) / h
                size = float(np.linalg.norm(w))
                if not np.isfinite(size) or size == 0:
                    break
                best = max(best, size)
                v = w / size
        return best
