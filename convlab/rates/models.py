"""Rival explanations of an error sequence that decays slower (or faster) than a stated rate.

An order claim O(r(k)) holds when g(k) = log(e_k / r(k)) stays bounded. A finite run can show g
increasing; whether it keeps increasing is the question, and one slope cannot answer it. So the
stated rate is compared with its neighbours, each fitted by least squares to the binned points
(x = the iteration k, l = log r(k), y = log e_k):

saturating (the claim holds, the excess is pre-asymptotic)
    ``stated``     y = c + l
    ``transient``  y = c + l − s·log(1 + D k^(−γ)),  D ≥ 0, γ in [1/2, 2], and D k^(−γ) <= 0.25
                   at the window's end: a correction that dies out like a power of k
                   (1/(k + k0) against 1/k is γ = 1);
unbounded (the claim fails: e_k / r(k) → ∞, or → 0 for a lower bound)
    ``power``      y = c + α l, α ≠ 1: a different exponent or contraction factor;
    ``log``        y = c + l + β log(log k): a log factor (polynomial rates only);
    ``plateau``    y = log(C r(k) + P), P > 0: the sequence stops decaying (upper claims only);
and ``flexible``, a cubic in log k (or in k for a linear rate), which only estimates the noise.

``s`` is +1 when the question is "slower than claimed" (upper, tight and order claims) and −1
when it is "faster than claimed" (lower claims). A model is *adequate* when its residual variance
is not significantly above the smallest one among all models (F test at level 1 %); the noise
level has a floor of :data:`NOISE_FLOOR` in log units, the resolution of float64 logarithms. An
unbounded model counts only when it improves on the stated rate significantly (a nested F test
at the same level): a deviation the noise explains is no evidence.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

#: Smallest residual standard deviation (log units) taken as noise: float64 rounding.
NOISE_FLOOR = 1e-9

#: Level of the adequacy F test.
ADEQUACY_LEVEL = 0.01

#: Fewest points a model comparison needs.
MIN_POINTS = 8

#: Range of the transient's decay exponent γ: a correction at least as fast as k^(−1/2).
GAMMA_RANGE = (0.5, 2.0)

#: Largest relative correction D k^(−γ) a transient may still make at the window's end.
TRANSIENT_END = 0.25
A_MAX = math.log(TRANSIENT_END)


@dataclass(frozen=True)
class ModelFit:
    """A fitted model: its name, parameters, residual sum of squares and adequacy."""

    name: str
    params: tuple[tuple[str, float], ...]
    rss: float
    dof: int
    adequate: bool = False

    @property
    def variance(self) -> float:
        return self.rss / max(self.dof, 1)

    def param(self, name: str) -> float:
        return dict(self.params)[name]

    def to_dict(self) -> dict:
        return {"name": self.name, "params": dict(self.params), "rss": self.rss,
                "dof": self.dof, "adequate": self.adequate}


def _linear(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    coef, *_ = np.linalg.lstsq(X, y, rcond=None)
    r = y - X @ coef
    return coef, float(r @ r)


def _stated(k, l, y) -> ModelFit:
    c = float(np.mean(y - l))
    r = y - c - l
    return ModelFit("stated", (("c", c),), float(r @ r), y.size - 1)


def _power(k, l, y) -> ModelFit:
    coef, rss = _linear(np.column_stack([np.ones_like(l), l]), y)
    return ModelFit("power", (("c", float(coef[0])), ("alpha", float(coef[1]))), rss, y.size - 2)


def _log_factor(k, l, y) -> ModelFit | None:
    if np.any(k < 3):
        return None
    coef, rss = _linear(np.column_stack([np.ones_like(l), np.log(np.log(k))]), y - l)
    return ModelFit("log", (("c", float(coef[0])), ("beta", float(coef[1]))), rss, y.size - 2)


def _transient(k, l, y, sign: float) -> ModelFit:
    """y = c + l − sign·log(1 + D k^−γ), the correction at most :data:`TRANSIENT_END` at the
    window's end (a transient dies out; a large one over the whole window would be a power law
    in disguise). Parametrised by a = log(D k_end^−γ) and γ; c in closed form."""
    g = y - l
    logk = np.log(k)
    rel = float(logk.max()) - logk  # log(k_end / k) >= 0

    def shape(a, gamma):
        return -sign * np.log1p(np.exp(a + gamma * rel))

    def residual(theta):
        s = shape(*theta)
        return g - np.mean(g - s) - s

    # a grid over (a, γ) (c in closed form), then a local refinement from its best point
    a_grid = np.linspace(-25.0, A_MAX, 48)
    g_grid = np.linspace(*GAMMA_RANGE, 13)
    s = -sign * np.log1p(np.exp(a_grid[:, None, None] + g_grid[None, :, None] * rel))
    r = g - s
    r -= r.mean(axis=2, keepdims=True)
    rss_grid = np.einsum("ijk,ijk->ij", r, r)
    i, j = np.unravel_index(int(np.argmin(rss_grid)), rss_grid.shape)
    from scipy.optimize import least_squares  # scipy on first fit: imports stay light

    sol = least_squares(residual, x0=[a_grid[i], g_grid[j]], method="trf",
                        bounds=([-60.0, GAMMA_RANGE[0]], [A_MAX, GAMMA_RANGE[1]]))
    best = min((float(sol.fun @ sol.fun), tuple(sol.x)),
               (float(rss_grid[i, j]), (float(a_grid[i]), float(g_grid[j]))))
    rss, (a, gamma) = best
    c = float(np.mean(g - shape(a, gamma)))
    d = math.exp(a + gamma * float(logk.max()))
    return ModelFit("transient", (("c", c), ("D", d), ("gamma", float(gamma))), rss, y.size - 3)


def _plateau(k, l, y) -> ModelFit:
    """y = log(C r + P) with C, P > 0."""
    r = np.exp(l)

    def residual(theta):
        return y - np.log(np.exp(theta[0]) * r + np.exp(theta[1]))

    # a grid over (log C, log P), then a local refinement from its best point
    c0 = float(np.mean(y - l))
    log_c = c0 + np.linspace(-6.0, 2.0, 41)
    log_p = float(y.min()) + np.linspace(-12.0, 1.0, 40)
    model = np.log(np.exp(log_c[:, None, None]) * r + np.exp(log_p[None, :, None]))
    res = y - model
    rss_grid = np.einsum("ijk,ijk->ij", res, res)
    i, j = np.unravel_index(int(np.argmin(rss_grid)), rss_grid.shape)
    from scipy.optimize import least_squares

    sol = least_squares(residual, x0=[log_c[i], log_p[j]], method="trf")
    best = min((float(sol.fun @ sol.fun), tuple(sol.x)),
               (float(rss_grid[i, j]), (float(log_c[i]), float(log_p[j]))))
    rss, (log_c, log_p) = best
    return ModelFit("plateau", (("C", math.exp(log_c)), ("P", math.exp(log_p))), rss,
                    y.size - 2)


def _flexible(k, l, y, geometric: bool) -> ModelFit:
    x = k if geometric else np.log(k)
    x = (x - x.mean()) / (np.ptp(x) or 1.0)
    coef, rss = _linear(np.column_stack([x**p for p in range(4)]), y)
    return ModelFit("flexible", tuple((f"a{p}", float(c)) for p, c in enumerate(coef)), rss,
                    y.size - 4)


@dataclass(frozen=True)
class Comparison:
    """The models fitted to one sequence, with the verdict they support.

    ``support`` is ``"holds"`` (a saturating model is adequate and no unbounded one is),
    ``"fails"`` (an unbounded model, its deviation in the violating direction and significant
    against the stated rate, is adequate and no saturating one is), ``"both"`` (the data cannot
    tell them apart) or ``"neither"``.
    """

    models: tuple[ModelFit, ...]
    support: str
    preferred: str

    def get(self, name: str) -> ModelFit | None:
        return next((m for m in self.models if m.name == name), None)


def compare(k: np.ndarray, l: np.ndarray, y: np.ndarray, *, sign: float, geometric: bool
            ) -> Comparison | None:
    """Fit the models of the module docstring to points (k, log r, log e); None when there are
    fewer than :data:`MIN_POINTS` points."""
    if y.size < MIN_POINTS or np.ptp(l) == 0:
        return None
    fits = [_stated(k, l, y), _power(k, l, y), _transient(k, l, y, sign),
            _flexible(k, l, y, geometric)]
    if not geometric:
        log_fit = _log_factor(k, l, y)
        if log_fit is not None:
            fits.append(log_fit)
    if sign > 0:
        fits.append(_plateau(k, l, y))
    from scipy.special import fdtri

    noise = max(min(f.variance for f in fits), NOISE_FLOOR**2)
    best_dof = min(fits, key=lambda f: f.variance).dof
    judged = []
    for f in fits:
        crit = float(fdtri(max(f.dof, 1), max(best_dof, 1), 1 - ADEQUACY_LEVEL))
        judged.append(ModelFit(f.name, f.params, f.rss, f.dof, f.variance <= crit * noise))
    by = {f.name: f for f in judged}
    saturating = [by["stated"], by["transient"]]
    best_sat = min(saturating, key=lambda f: f.variance)
    unbounded = [f for f in judged if f.name in ("power", "log", "plateau")
                 and _deviates(f, sign, y) and _needed(f, by["stated"], noise)]
    best_unb = min(unbounded, key=lambda f: f.variance) if unbounded else None
    sat_ok = any(f.adequate for f in saturating)
    unb_ok = any(f.adequate for f in unbounded)
    if unb_ok:
        best_unb = min((f for f in unbounded if f.adequate), key=lambda f: f.variance)
    if sat_ok and not unb_ok:
        support, preferred = "holds", best_sat.name
    elif unb_ok and not sat_ok:
        support, preferred = "fails", best_unb.name
    elif sat_ok and unb_ok:
        support = "both"
        preferred = min([best_sat, best_unb], key=lambda f: f.variance).name
    else:
        support, preferred = "neither", min(judged, key=lambda f: f.variance).name
    return Comparison(tuple(judged), support, preferred)


def _needed(f: ModelFit, stated: ModelFit, noise: float) -> bool:
    """Whether an unbounded model improves significantly on the stated rate it extends (a
    nested F test at :data:`ADEQUACY_LEVEL`, with the noise floor): a deviation the noise can
    explain is no evidence against the claim."""
    from scipy.special import fdtri

    extra = stated.dof - f.dof
    if extra <= 0:
        return False
    gain = (stated.rss - f.rss) / extra
    scale = max(f.variance, noise)
    return gain > float(fdtri(extra, max(f.dof, 1), 1 - ADEQUACY_LEVEL)) * scale


def _deviates(f: ModelFit, sign: float, y: np.ndarray) -> bool:
    """Whether an unbounded model's deviation is in the violating direction and not negligible:
    a slower exponent (faster for sign < 0), a log factor of that sign, or a plateau that
    carries at least 5 % of the last error."""
    if f.name == "power":
        return sign * (1.0 - f.param("alpha")) > 1e-6
    if f.name == "log":
        return sign * f.param("beta") > 1e-6
    if f.name == "plateau":
        return f.param("P") >= 0.05 * math.exp(float(y[-1]))
    return False
