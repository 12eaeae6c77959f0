"""The rate checker: does an observed error sequence agree with a stated bound?

How a verdict is decided (docs/checker.md states each rule with its calibration figures):

1. **Divergence.** A non-finite error, or a run reported as diverged, gives ``diverged``.
2. **Usable points.** Points where the bound is not a finite number are dropped. The rest is cut
   at its **floor**: the first point at or below ``floor_margin × floor`` from the sequence's
   peak on, and every point after it, are rounding noise and never used (floor-level points
   before the peak, such as a regret that starts at 0, are dropped one by one). The floor is
   given by the caller (the instance's certified floor combined with the run's measured rounding
   level, see :mod:`convlab.designs.floors`), possibly per point; without one, a trailing
   plateau far below the sequence's peak is detected (at least 5 trailing points within a
   factor 10 of the final level, that level below 1e-10 × the peak: float64 rounding). An exact
   zero is a floor too. A real plateau above the floor is data: in ``convlab verify`` the floor
   is always given, so a real plateau far below the peak (an SGD noise floor near 1e-16) is data
   too.
3. **Window.** An explicit ``window=(k_lo, k_hi)`` is used as given. Otherwise explicit bounds use
   every usable point and order bounds the tail: the second half of the usable range of the rate
   scale ``−log r(k)`` (for r = 1/k the upper half of the range of log k).
4. **Explicit bounds** ``B(k)`` are checked as ratios ``ρ_k = e_k / B(k)`` on the window,
   one-sided with relative slack ``rtol``: ``upper``/``tight``: ``violated`` if some
   ``ρ_k > 1 + rtol``; ``lower``: if some ``ρ_k < 1 − rtol``; otherwise ``tight`` if every ``ρ_k``
   lies in ``band`` (default ``[1 − 1e-9, 1 + 1e-9]``) on at least two points, else
   ``consistent``. A point where the bound is **zero or negative** is checked too: for an upper
   or tight claim an error above the floor there is a violation (the evidence says the bound is
   not positive there); for a lower claim it holds. With a statistic over seeds the same rules
   read the confidence interval ends: ``violated`` needs a whole interval past the bound,
   ``tight`` every interval inside the band, ``consistent`` every interval on the right side,
   otherwise ``inconclusive``. The evidence carries the **headroom**: the largest factor by which
   an upper bound could be divided and still hold on k >= 1.
5. **Order bounds** ``O(r(k))``: the relative order α is the slope of ``log e_k`` on ``log r(k)``
   over the window (bin upper quartiles: the envelope of an oscillating sequence, unbiased by
   noise), with its 95 % interval [α_lo, α_hi], and the end order α_end is the same fit on the
   last third of the window (when it holds at least 8 points). α = 1 is the stated order, α > 1 faster. For ``upper``, ``order``
   and ``tight`` claims:

   - **slower, resolved** (α_hi or α_end,hi below 1 − δ/2, δ = ``order_tol``: a deviation within
     half the tolerance is the stated order): the stated rate is compared with its
     neighbours (:mod:`.models`): a saturating transient (the excess dies out like a power of
     k) against a different exponent, a log factor, a plateau. Only a transient adequate and
     no unbounded model: the claim holds (``consistent``; ``tight`` when the order fitted with
     the transient, and α itself, lie within ``order_tol`` of 1); only an unbounded model adequate: ``violated``
     (the evidence names it); both: ``inconclusive``; neither: ``violated`` when
     α_end,hi < 1 − max(0.1, order_tol), else ``inconclusive``;
   - **otherwise**: ``tight`` if [α_lo, α_hi] and the end interval lie in [1 − δ, 1 + δ] with
     δ = ``order_tol`` (default 0.02: an exponent off by 5 % is never tight on data that resolves
     it), ``consistent`` if α_lo >= 1 − max(0.1, δ) (holds at the data's resolution, which the
     evidence states), else ``inconclusive``.

   ``lower`` claims mirror these rules (faster than the bound allows is the violation; a plateau
   is no rival there). A bound that *grows* over the window (a cost such as N(ε) against κ)
   mirrors them too: growing faster than claimed is ``violated``.
6. **Too little data**: fewer than ``min_points`` usable points for an order fit, or none for an
   explicit bound, gives ``inconclusive``.

Every result carries typed evidence (:class:`Evidence`): window, floor and its source, worst
ratio and where, headroom, the fitted order α with its interval, the end order, the models
compared and the one preferred, the fitted polynomial order or contraction factor of the errors,
and the tolerance behind a ``tight``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping as MappingABC
from dataclasses import asdict, dataclass, field, fields
from enum import Enum
from typing import TYPE_CHECKING, Any, Mapping, Sequence

import numpy as np

from ..errors import BoundError
from .models import MIN_POINTS, Comparison, ModelFit, compare

if TYPE_CHECKING:
    import sympy as sp


class Verdict(str, Enum):
    """The checker's verdicts (ARCHITECTURE.md, "The checker's verdicts")."""

    VIOLATED = "violated"
    TIGHT = "tight"
    CONSISTENT = "consistent"
    INCONCLUSIVE = "inconclusive"
    DIVERGED = "diverged"

    def __str__(self) -> str:
        return self.value


KINDS = ("upper", "tight", "lower", "order")

#: Names tried, in this order, as the iteration variable of a bound.
ITERATION_VARIABLES = ("k", "t", "N", "T", "n_iter")

#: Default tolerance δ of a tight order verdict: the fitted relative order within [1 − δ, 1 + δ].
DEFAULT_ORDER_TOL = 0.02

#: Slowness an order claim may show without being called inconclusive when the data cannot
#: resolve it (the verdict is then ``consistent`` with the resolution stated).
SLOWNESS_TOL = 0.1

#: Default band of a tight explicit bound.
DEFAULT_BAND = (1 - 1e-9, 1 + 1e-9)


@dataclass(frozen=True)
class Fit:
    """A least-squares slope with its 95 % confidence interval."""

    value: float
    low: float
    high: float
    points: int

    def __str__(self) -> str:
        return f"{self.value:.4g} [{self.low:.4g}, {self.high:.4g}]"


@dataclass(frozen=True)
class Floor:
    """The level below which the measure is rounding noise, where it came from, and the first
    point the sequence reached it (None: not reached)."""

    value: float | None
    source: str
    reached_at: float | None = None


_TUPLE_FIELDS = {"window", "ratio_range", "band", "worst_ratio_interval", "bound_undefined_at",
                 "bound_nonpositive_at", "dropped_at_floor_before_peak"}
_FIT_FIELDS = {"relative_order", "end_order", "asymptotic_order", "fitted_order", "contraction"}


@dataclass(frozen=True)
class Evidence(MappingABC):
    """What decided a verdict: typed, and readable as a plain mapping of its set fields
    (``evidence["worst_ratio"]``, ``dict(evidence)``, JSON)."""

    reason: str
    n_points: int = 0
    variable: str | None = None
    window: tuple[float, float] | None = None
    floor: Floor | None = None
    bound_undefined_at: tuple[float, ...] = ()
    bound_nonpositive_at: tuple[float, ...] = ()
    dropped_at_floor_before_peak: tuple[float, ...] = ()
    bound_grows: bool = False
    diverged_at: float | None = None
    # explicit bounds
    rtol: float | None = None
    band: tuple[float, float] | None = None
    worst_ratio: float | None = None
    worst_at: float | None = None
    worst_ratio_interval: tuple[float, float] | None = None
    ratio_range: tuple[float, float] | None = None
    violations: int | None = None
    first_violation_at: float | None = None
    headroom: float | None = None
    # order bounds
    order_tol: float | None = None
    relative_order: Fit | None = None
    end_order: Fit | None = None
    asymptotic_order: Fit | None = None
    excess_order: float | None = None
    fitted_order: Fit | None = None
    contraction: Fit | None = None
    models: tuple[ModelFit, ...] = ()
    preferred: str | None = None
    support: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The set fields as plain JSON data."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None or value == () or (f.name == "bound_grows" and not value):
                continue
            if isinstance(value, (Fit, Floor)):
                value = asdict(value)
            elif f.name == "models":
                value = [m.to_dict() for m in value]
            elif f.name in _TUPLE_FIELDS:
                value = [float(v) for v in value]
            out[f.name] = value
        return out

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Evidence":
        known = {f.name for f in fields(cls)}
        kw: dict[str, Any] = {}
        for name, value in d.items():
            if name not in known:
                continue
            if name in _FIT_FIELDS:
                value = Fit(**value)
            elif name == "floor":
                value = Floor(**value)
            elif name == "models":
                value = tuple(ModelFit(m["name"], tuple(m["params"].items()), m["rss"], m["dof"],
                                       m["adequate"]) for m in value)
            elif name in _TUPLE_FIELDS:
                value = tuple(value)
            kw[name] = value
        return cls(**kw)

    def __getitem__(self, key: str) -> Any:
        return self.to_dict()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.to_dict())

    def __len__(self) -> int:
        return len(self.to_dict())


@dataclass(frozen=True)
class RateCheck:
    """A verdict and its evidence.

    Attributes
    ----------
    verdict
        One of :class:`Verdict` (a ``str`` enum).
    kind
        The claim kind checked: ``upper``, ``tight``, ``lower`` or ``order``.
    bound
        The bound as given.
    evidence
        What decided the verdict (:class:`Evidence`, also a read-only mapping).
    relative_order
        Fitted α in ``e ~ r(k)^α`` with its interval (1 = the stated order), when fitted.
    fitted_order
        Fitted p in ``e ~ k^(−p)`` with its interval (for polynomial rates), when fitted.
    contraction
        Fitted q in ``e ~ q^k`` with its interval (for linear rates), when fitted.
    """

    verdict: Verdict
    kind: str
    bound: str
    evidence: Evidence = field(default_factory=lambda: Evidence(""))
    relative_order: Fit | None = None
    fitted_order: Fit | None = None
    contraction: Fit | None = None

    @property
    def summary(self) -> str:
        """One line of the evidence that decided the verdict."""
        return self.evidence.reason

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: verdict, kind, bound and the evidence's fields, one level."""
        return {"verdict": self.verdict.value, "kind": self.kind, "bound": self.bound,
                **self.evidence.to_dict()}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "RateCheck":
        evidence = Evidence.from_dict(d)
        return cls(verdict=Verdict(d["verdict"]), kind=d["kind"], bound=d["bound"],
                   evidence=evidence, relative_order=evidence.relative_order,
                   fitted_order=evidence.fitted_order, contraction=evidence.contraction)


def validate_tolerances(*, rtol: float = 1e-9, order_tol: float | None = None,
                        band: tuple[float, float] | None = None,
                        floor_margin: float = 10.0) -> None:
    """Refuse (ValueError naming the argument) a tolerance that is not finite or out of range:
    rtol >= 0, order_tol in (0, 1), a band lo <= 1 <= hi with lo < hi, floor_margin >= 1."""
    if not (isinstance(rtol, (int, float)) and math.isfinite(rtol) and rtol >= 0):
        raise ValueError(f"rtol must be a finite number >= 0, got {rtol!r}")
    if order_tol is not None and not (isinstance(order_tol, (int, float))
                                      and 0 < order_tol < 1):
        raise ValueError(f"order_tol must lie in (0, 1), got {order_tol!r}")
    if band is not None:
        lo, hi = band
        if not (math.isfinite(lo) and math.isfinite(hi) and lo <= 1 <= hi and lo < hi):
            raise ValueError(f"band must be finite with low <= 1 <= high, got {band!r}")
    if not (math.isfinite(floor_margin) and floor_margin >= 1):
        raise ValueError(f"floor_margin must be a finite number >= 1, got {floor_margin!r}")


def check_rate(k: Sequence[float] | np.ndarray, errors: Sequence[float] | np.ndarray,
               bound: str | sp.Expr, *, kind: str = "upper",
               constants: Mapping[str, Any] | None = None, variable: str | None = None,
               floor: float | Sequence[float] | np.ndarray | None = None,
               floor_source: str | None = None, window: tuple[float, float] | None = None,
               band: tuple[float, float] | None = None, rtol: float = 1e-9,
               order_tol: float | None = None, min_points: int = 5,
               floor_margin: float = 10.0, diverged_at: int | None = None,
               interval: tuple[Sequence[float], Sequence[float]] | None = None) -> RateCheck:
    """Decide whether the errors ``e_k`` agree with ``bound`` (see the module docstring).

    Parameters
    ----------
    k, errors
        Iteration numbers (or horizons, or swept values) and the observed errors, same length.
    bound
        An explicit bound such as ``"L*R**2/(4*k+2)"`` or ``"(1-mu/L)**k * R**2"``, or an order
        ``"O(log(k)/sqrt(k))"``. Parsed safely; symbols other than the iteration variable take
        their values from ``constants``.
    kind
        ``upper`` (the bound holds), ``tight`` (holds and is attained), ``lower`` (the errors stay
        above it) or ``order`` (O(.) with an unknown constant).
    constants
        Values of the bound's constants: scalars, or arrays of the length of ``k`` when they
        change from point to point (one instance per horizon).
    variable
        The iteration variable's name; by default the one of ``k, t, N, T, n_iter`` that the bound
        uses (or its only unknown symbol).
    floor
        Absolute floor of the measure (rounding noise below it), a number or one per point; None
        detects a trailing rounding plateau.
    floor_source
        Where the floor comes from (reported; default ``"given"``).
    window
        ``(k_lo, k_hi)``, inclusive, to restrict the check to.
    band
        ``(lo, hi)`` for ``e_k / B(k)`` in which an explicit bound counts as attained
        (default ``(1 - 1e-9, 1 + 1e-9)``).
    rtol
        Relative slack of the one-sided ratio test.
    order_tol
        δ: how far the fitted relative order may be from 1 for a ``tight`` order verdict
        (default :data:`DEFAULT_ORDER_TOL`).
    min_points
        Fewest points an order fit needs.
    floor_margin
        Points at or below ``floor_margin × floor`` are treated as floor.
    diverged_at
        The run diverged at this iteration (reported as ``diverged``).
    interval
        ``(low, high)`` arrays: a simultaneous confidence interval of each error when the errors
        are a statistic over seeds (mean or quantile). Explicit bounds are then decided on the
        interval ends (module docstring, rule 4).

    Returns
    -------
    RateCheck
        Verdict, evidence and fitted rates.

    Raises
    ------
    BoundError
        When the bound does not parse or uses a symbol without a value.
    ValueError
        For arrays of different lengths, an unknown kind or a tolerance out of range.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
    validate_tolerances(rtol=rtol, order_tol=order_tol, band=band, floor_margin=floor_margin)
    delta = DEFAULT_ORDER_TOL if order_tol is None else float(order_tol)
    from .expressions import evaluate, is_order, parse_expression  # sympy: on the first check

    text = bound if isinstance(bound, str) else str(bound)
    expr = parse_expression(bound, allow_order=True) if isinstance(bound, str) else bound
    ks = np.asarray(k, dtype=float).ravel()
    es = np.asarray(errors, dtype=float).ravel()
    if ks.shape != es.shape:
        raise ValueError(f"k and errors differ in length ({ks.size} and {es.size})")
    order = is_order(expr)
    if kind == "order" and not order:
        kind = "upper"  # an explicit bound checked as an order claim is simply an upper bound
    constants = dict(constants or {})
    var = _iteration_variable(expr, constants, variable)
    base: dict[str, Any] = {"n_points": int(ks.size), "variable": var}

    def make(verdict: Verdict, reason: str, **more: Any) -> RateCheck:
        ev = Evidence(reason=reason, **{**base, **more})
        return RateCheck(verdict=verdict, kind=kind, bound=text, evidence=ev,
                         relative_order=ev.relative_order, fitted_order=ev.fitted_order,
                         contraction=ev.contraction)

    ci_lo = ci_hi = None
    if interval is not None:
        ci_lo = np.asarray(interval[0], dtype=float).ravel()
        ci_hi = np.asarray(interval[1], dtype=float).ravel()
        if ci_lo.shape != es.shape or ci_hi.shape != es.shape:
            raise ValueError("interval arrays must have the length of errors")
    bad = ~np.isfinite(es)
    if diverged_at is not None or bad.any():
        at = float(diverged_at) if diverged_at is not None else float(ks[np.argmax(bad)])
        base["diverged_at"] = at
        return make(Verdict.DIVERGED, f"diverged at k={at:g}")
    if ks.size == 0:
        return make(Verdict.INCONCLUSIVE, "no data")

    values = dict(constants)
    if var is not None:
        values[var] = ks  # the iteration variable shadows a constant of the same name
    B = np.broadcast_to(np.asarray(evaluate(expr, values), dtype=float), ks.shape)
    defined = np.isfinite(B)
    if not order:
        pass  # explicit bounds: a zero or negative bound is checked (rule 4)
    else:
        defined &= B > 0  # an order's rate must be positive to mean anything
    if (~defined).any():
        base["bound_undefined_at"] = tuple(float(x) for x in ks[~defined][:5])

    # -- floor: given (per point or one number) or detected ------------------------------------
    positive = defined & (B > 0)
    if floor is None:
        level_value = _detect_floor(es[positive])
        source = "detected"
        levels = np.full(ks.shape, 0.0 if level_value is None else level_value)
    else:
        levels = np.broadcast_to(np.asarray(floor, dtype=float), ks.shape).astype(float)
        if not np.all(np.isfinite(levels) & (levels >= 0)):
            raise ValueError("floor must be finite and >= 0")
        level_value = float(levels.max()) if levels.size else None
        source = floor_source or "given"
    cut_level = floor_margin * levels
    idx_defined = np.flatnonzero(defined)
    peak = int(idx_defined[np.argmax(es[idx_defined])]) if idx_defined.size else 0
    usable = defined.copy()
    early = usable & (np.arange(es.size) < peak) & (es <= cut_level)
    usable &= ~early
    after = idx_defined[idx_defined >= peak]
    hit = es[after] <= cut_level[after]
    cut = int(after[np.argmax(hit)]) if hit.any() else None
    if early.any():
        base["dropped_at_floor_before_peak"] = tuple(float(x) for x in ks[early][:5])
    if cut is not None:
        usable[cut:] = False
    if level_value is not None or cut is not None:
        base["floor"] = Floor(level_value, source, float(ks[cut]) if cut is not None else None)

    # -- window ----------------------------------------------------------------------------------
    in_window = usable.copy()
    if window is not None:
        lo, hi = float(window[0]), float(window[1])
        in_window &= (ks >= lo) & (ks <= hi)
    elif order:
        in_window &= _tail_of_rate_scale(np.where(usable, B, np.nan), usable, min_points,
                                         _is_growing(B[usable]))
    idx = np.flatnonzero(in_window)
    if idx.size:
        base["window"] = (float(ks[idx[0]]), float(ks[idx[-1]]))
    kk, ee, bb = ks[idx], es[idx], B[idx]
    pos = bb > 0
    growing = _is_growing(bb[pos] if pos.sum() >= 2 else B[usable & (B > 0)])
    if growing:
        base["bound_grows"] = True
    geometric = _is_geometric(ks[positive], B[positive])
    fits = _rate_fits(kk[pos], ee[pos], bb[pos], geometric, growing)
    if not order:
        base.update(rtol=float(rtol))
        if interval is not None:
            return _explicit_interval_verdict(kk, ee, bb, ci_lo[idx], ci_hi[idx], kind, band,
                                              rtol, cut_level[idx], make, fits)
        return _explicit_verdict(kk, ee, bb, kind, band, rtol, cut_level[idx], make, fits)
    return _order_verdict(kk, ee, bb, fits, kind, delta, min_points, geometric, growing, make)


# -- explicit bounds ---------------------------------------------------------------------------

def _headroom(kk: np.ndarray, ratio_hi: np.ndarray) -> float | None:
    """The largest factor an upper bound could be divided by and still hold on k >= 1."""
    later = (kk >= 1) & np.isfinite(ratio_hi)
    if not later.any():
        return None
    worst = float(ratio_hi[later].max())
    return math.inf if worst <= 0 else 1.0 / worst


def _nonpositive(kk, ee, bb, kind, level, make) -> tuple[np.ndarray, RateCheck | None]:
    """Points with B <= 0: a violation of an upper or tight claim where the error is above the
    floor; nothing to check for a lower claim. Returns (mask of points with B > 0, violation)."""
    nonpos = bb <= 0
    if not nonpos.any():
        return ~nonpos, None
    at = kk[nonpos]
    extra = {"bound_nonpositive_at": tuple(float(x) for x in at[:5])}
    if kind != "lower":
        above = nonpos & (ee > level)
        if above.any():
            first = int(np.argmax(above))
            return ~nonpos, make(
                Verdict.VIOLATED,
                f"the bound is {bb[first]:.3g} (not positive) at k={kk[first]:g} while the error "
                f"is {ee[first]:.3g}, above its floor; {int(above.sum())} such point(s)",
                violations=int(above.sum()), first_violation_at=float(kk[first]),
                worst_ratio=math.inf, worst_at=float(kk[first]), **extra)
    return ~nonpos, None


def _explicit_verdict(kk, ee, bb, kind, band, rtol, level, make, fits):
    pos, violation = _nonpositive(kk, ee, bb, kind, level, make)
    if violation is not None:
        return violation
    kk, ee, bb = kk[pos], ee[pos], bb[pos]
    if kk.size == 0:
        return make(Verdict.INCONCLUSIVE, "no usable point (all below the floor or outside the "
                    "window)", **fits)
    ratio = ee / bb
    worst = int(np.argmin(ratio) if kind == "lower" else np.argmax(ratio))
    lo, hi = band if band is not None else DEFAULT_BAND
    info = dict(worst_ratio=float(ratio[worst]), worst_at=float(kk[worst]),
                ratio_range=(float(ratio.min()), float(ratio.max())), band=(float(lo), float(hi)))
    if kind != "lower":
        info["headroom"] = _headroom(kk, ratio)
    viol = ratio < 1 - rtol if kind == "lower" else ratio > 1 + rtol
    if viol.any():
        first = int(np.argmax(viol))
        side = "below" if kind == "lower" else "above"
        reason = (f"{int(viol.sum())}/{kk.size} points {side} the bound, first at "
                  f"k={kk[first]:g}; worst ratio {ratio[worst]:.6g} at k={kk[worst]:g}")
        return make(Verdict.VIOLATED, reason, violations=int(viol.sum()),
                    first_violation_at=float(kk[first]), **info, **fits)
    if kk.size >= 2 and np.all((ratio >= lo) & (ratio <= hi)):
        reason = (f"attained: ratio within {np.max(np.abs(ratio - 1)):.1e} of 1 on {kk.size} "
                  f"points (band [{lo:.10g}, {hi:.10g}])")
        return make(Verdict.TIGHT, reason, **info, **fits)
    reason = f"holds: worst ratio {ratio[worst]:.6g} at k={kk[worst]:g} ({kk.size} points)"
    return make(Verdict.CONSISTENT, reason, **info, **fits)


def _explicit_interval_verdict(kk, ee, bb, lo_e, hi_e, kind, band, rtol, level, make, fits):
    """Rule 4 on confidence intervals: violated only when a whole interval is past the bound."""
    pos, violation = _nonpositive(kk, lo_e, bb, kind, level, make)  # the whole interval above
    if violation is not None:
        return violation
    kk, ee, bb, lo_e, hi_e = kk[pos], ee[pos], bb[pos], lo_e[pos], hi_e[pos]
    if kk.size == 0:
        return make(Verdict.INCONCLUSIVE, "no usable point (all below the floor or outside the "
                    "window)", **fits)
    ratio, r_lo, r_hi = ee / bb, lo_e / bb, hi_e / bb
    lo, hi = band if band is not None else DEFAULT_BAND
    worst = int(np.argmin(r_hi) if kind == "lower" else np.argmax(r_lo))
    info = dict(worst_ratio=float(ratio[worst]), worst_at=float(kk[worst]),
                worst_ratio_interval=(float(r_lo[worst]), float(r_hi[worst])),
                ratio_range=(float(ratio.min()), float(ratio.max())), band=(float(lo), float(hi)))
    if kind != "lower":
        info["headroom"] = _headroom(kk, r_hi)
    if kind == "lower":
        viol, holds = r_hi < 1 - rtol, r_lo >= 1 - rtol
    else:
        viol, holds = r_lo > 1 + rtol, r_hi <= 1 + rtol
    if viol.any():
        first = int(np.argmax(viol))
        side = "below" if kind == "lower" else "above"
        reason = (f"{int(viol.sum())}/{kk.size} confidence intervals wholly {side} the bound, "
                  f"first at k={kk[first]:g}; ratio {ratio[worst]:.6g} "
                  f"[{r_lo[worst]:.4g}, {r_hi[worst]:.4g}] at k={kk[worst]:g}")
        return make(Verdict.VIOLATED, reason, violations=int(viol.sum()),
                    first_violation_at=float(kk[first]), **info, **fits)
    if kk.size >= 2 and np.all((r_lo >= lo) & (r_hi <= hi)):
        reason = (f"attained: every ratio interval lies in the band [{lo:.6g}, {hi:.6g}] "
                  f"({kk.size} points; ratios {ratio.min():.4g}..{ratio.max():.4g})")
        return make(Verdict.TIGHT, reason, **info, **fits)
    if holds.all():
        reason = (f"holds: worst ratio {ratio[worst]:.6g} [{r_lo[worst]:.4g}, "
                  f"{r_hi[worst]:.4g}] at k={kk[worst]:g} ({kk.size} points)")
        return make(Verdict.CONSISTENT, reason, **info, **fits)
    undecided = int((~holds).sum())
    # name the point that keeps the verdict open: the undecided interval reaching furthest
    # past the bound
    beyond = 1 - r_lo if kind == "lower" else r_hi
    at = int(np.flatnonzero(~holds)[np.argmax(beyond[~holds])])
    reason = (f"cannot decide: {undecided}/{kk.size} confidence intervals straddle the bound; "
              f"ratio {ratio[at]:.6g} [{r_lo[at]:.4g}, {r_hi[at]:.4g}] at k={kk[at]:g}")
    return make(Verdict.INCONCLUSIVE, reason, **info, **fits)


# -- order bounds ------------------------------------------------------------------------------

def _order_verdict(kk, ee, bb, fits, kind, delta, min_points, geometric, growing, make):
    good = (ee > 0) & (kk > 0) & (bb > 0)
    alpha: Fit | None = fits.get("relative_order")
    n = int(good.sum())
    tol = {"order_tol": delta}
    if alpha is None or n < min_points:
        return make(Verdict.INCONCLUSIVE, f"{n} usable points in the window, need "
                    f"{min_points}", **tol, **fits)
    k, le, lb = kk[good], np.log(ee[good]), np.log(bb[good])
    order = np.argsort(k)
    k, le, lb = k[order], le[order], lb[order]
    scale = lb if growing else -lb
    end = scale >= scale.min() + (2.0 / 3.0) * np.ptp(scale)
    end_fit = _slope(*_bin_quartiles(lb[end], le[end])) if end.sum() >= MIN_POINTS else None
    info = {**tol, "end_order": end_fit, "excess_order": float(alpha.value - 1.0)}
    slack = max(SLOWNESS_TOL, delta)
    sign = 1.0
    side = kind
    if growing:  # e ~ r^α with r growing: a larger α grows faster, which an upper bound forbids
        side = {"lower": "upper", "upper": "lower", "order": "lower", "tight": "lower"}[kind]
    if side == "lower":
        sign = -1.0
    # slowness (for an upper claim) measured as 1 − α; a lower claim mirrors it
    def worse(fit: Fit | None) -> bool:
        """Resolved on the violating side of 1 by more than half the tolerance: a deviation
        within δ/2 is the stated order at the claim's tolerance."""
        if fit is None:
            return False
        return fit.high < 1.0 - delta / 2 if sign > 0 else fit.low > 1.0 + delta / 2

    def within(fit: Fit | None, width: float) -> bool:
        return fit is None or (1 - width <= fit.low and fit.high <= 1 + width)

    desc = f"relative order {alpha} (1 = stated)"
    if end_fit is not None:
        desc += f", at the end {end_fit}"
    if growing:
        desc += ", growing bound"
    toward = "slower" if sign > 0 else "faster"
    if (worse(alpha) or worse(end_fit)) and not growing:
        bins_k, bins_l, bins_y = _binned(k, lb, le)
        comparison = compare(bins_k, bins_l, bins_y, sign=sign, geometric=geometric)
        if comparison is not None:
            info.update(models=comparison.models, preferred=comparison.preferred,
                        support=comparison.support)
        if comparison is not None and comparison.support in ("holds", "fails"):
            if comparison.support == "holds":
                asym = _asymptotic(comparison, bins_k, bins_l, bins_y, sign)
                info["asymptotic_order"] = asym
                reason = (f"{toward} than claimed on the window only by a transient "
                          f"({_describe(comparison.get(comparison.preferred))}); {desc}")
                if kind in ("order", "tight") and asym is not None and within(asym, delta) \
                        and within(alpha, delta):
                    return make(Verdict.TIGHT, f"attains the order, {reason}; order with the "
                                f"transient {asym} (tolerance {delta:g})", **info, **fits)
                return make(Verdict.CONSISTENT, f"holds: {reason}", **info, **fits)
            else:
                model = comparison.get(comparison.preferred)
                return make(Verdict.VIOLATED, f"{toward} than claimed: {_describe(model)} "
                            f"explains the data and no transient does; {desc}", **info, **fits)
        # the models cannot decide (or there are too few points): only a gross excess at the
        # end of the window decides
        gross = [f for f in (alpha, end_fit) if f is not None]
        if all((f.high < 1 - slack) if sign > 0 else (f.low > 1 + slack) for f in gross):
            return make(Verdict.VIOLATED, f"{toward} than claimed by more than {slack:g} at "
                        f"the end of the window: {desc}", **info, **fits)
        rivals = "" if comparison is None else (
            f" (cannot tell a transient from "
            f"{_describe(comparison.get(comparison.preferred))})"
            if comparison.support == "both" else " (no model explains the data)")
        return make(Verdict.INCONCLUSIVE, f"cannot decide: {toward} than claimed on the "
                    f"window, by less than {slack:g} at its end{rivals}; {desc}", **info, **fits)
    if worse(alpha) and growing:
        return make(Verdict.VIOLATED, f"{'faster' if sign < 0 else 'slower'} than claimed: "
                    f"{desc}", **info, **fits)
    if within(alpha, delta) and within(end_fit, delta):
        return make(Verdict.TIGHT, f"attains the order: {desc} (tolerance {delta:g})", **info,
                    **fits)
    unresolved = alpha.low < 1 - slack if sign > 0 else alpha.high > 1 + slack
    if unresolved:
        return make(Verdict.INCONCLUSIVE, f"cannot decide: {desc} may be {toward} than "
                    f"claimed by more than {slack:g}", **info, **fits)
    resolution = f"resolution [{alpha.low:.4g}, {alpha.high:.4g}]"
    return make(Verdict.CONSISTENT, f"holds: {desc}; {resolution}", **info, **fits)


def _describe(model: ModelFit | None) -> str:
    if model is None:
        return "no model"
    p = dict(model.params)
    if model.name == "transient":
        return f"a transient D k^-{p['gamma']:.3g}, D = {p['D']:.3g}"
    if model.name == "power":
        return f"another exponent (relative order {p['alpha']:.4g})"
    if model.name == "log":
        return f"a log factor (log k)^{p['beta']:.3g}"
    if model.name == "plateau":
        return f"a plateau at {p['P']:.3g}"
    if model.name == "stated":
        return "the stated rate"
    return model.name


def _binned(k, lb, le):
    """The bin upper-quartile points (k, log r, log e), sorted by k."""
    chosen = _bin_quartile_index(-lb, le)
    order = np.argsort(k[chosen])
    c = chosen[order]
    return k[c], lb[c], le[c]


def _asymptotic(comparison: Comparison, k, l, y, sign) -> Fit | None:
    """The relative order fitted with the preferred saturating model's correction removed."""
    model = comparison.get(comparison.preferred)
    if model is None:
        return None
    if model.name == "transient":
        p = dict(model.params)
        y = y + sign * np.log1p(p["D"] * k ** -p["gamma"])
    return _slope(l, y)


# -- helpers -----------------------------------------------------------------------------------

def _iteration_variable(expr, constants: Mapping[str, Any], variable: str | None) -> str | None:
    """The bound's iteration variable: ``variable`` when given; else the first of
    :data:`ITERATION_VARIABLES` the bound uses (even when a constant has the same name: in a
    bound, ``k`` is the iteration), else the bound's only symbol without a value."""
    from .expressions import free_names, order_argument

    names = free_names(order_argument(expr))
    if variable is None:
        used = [v for v in ITERATION_VARIABLES if v in names]
        unknown = names - set(constants)
        if used:
            variable = used[0]
        elif len(unknown) == 1:
            variable = next(iter(unknown))
        elif not unknown:
            return None
    extra = names - set(constants) - {variable}
    if extra:
        raise BoundError(f"unknown symbol(s) {', '.join(sorted(extra))} in the bound "
                         f"(constants given: {', '.join(sorted(constants)) or 'none'})")
    return variable


def _detect_floor(es: np.ndarray) -> float | None:
    """Level of a trailing rounding plateau, or None (see step 2 of the module docstring)."""
    n = es.size
    if n < 10:
        return None
    positive = es[es > 0]
    if positive.size == 0:
        return None
    top = float(np.max(es))
    final = float(np.median(es[-5:]))
    if not (0 < final <= 1e-10 * top):
        return None
    within = (es <= 10 * final) & (es >= final / 10)
    run = 0
    for flag in within[::-1]:
        if not flag:
            break
        run += 1
    if run >= 5:
        return float(np.max(es[n - run:]))
    return None


def _is_growing(rate: np.ndarray) -> bool:
    """True when the bound increases over the later half of the points (a cost such as N(ε)
    against κ, a regret): its trend where it is asymptotic, so that a rate such as
    log(k)²/sqrt(k), which rises before it decays, counts as decaying."""
    r = rate[np.isfinite(rate) & (rate > 0)]
    return bool(r.size >= 2 and r[-1] > r[(r.size - 1) // 2])


def _tail_of_rate_scale(rate: np.ndarray, usable: np.ndarray, min_points: int,
                        growing: bool = False) -> np.ndarray:
    """The second half of the usable range of −log r(k) (log r(k) for a growing bound),
    widened to ``min_points`` points."""
    out = np.zeros(rate.shape, dtype=bool)
    idx = np.flatnonzero(usable & np.isfinite(rate) & (rate > 0))
    if idx.size == 0:
        return out
    x = np.log(rate[idx]) if growing else -np.log(rate[idx])
    mid = x.min() + 0.5 * (x.max() - x.min())
    chosen = idx[x >= mid]
    if chosen.size < min_points:
        chosen = idx[-min_points:]
    out[chosen] = True
    return out


def _is_geometric(k: np.ndarray, rate: np.ndarray) -> bool:
    """True when log r(k) is better explained as linear in k than linear in log k."""
    good = k > 0
    if good.sum() < 3:
        return False
    y = np.log(rate[good])
    r_lin = _residual(k[good], y)
    r_log = _residual(np.log(k[good]), y)
    return r_lin < r_log


def _residual(x: np.ndarray, y: np.ndarray) -> float:
    A = np.vstack([x, np.ones_like(x)]).T
    _, res, *_ = np.linalg.lstsq(A, y, rcond=None)
    return float(res[0]) if res.size else 0.0


def _bin_quartile_index(x: np.ndarray, y: np.ndarray, n_bins: int = 20) -> np.ndarray:
    """Index of the upper-quartile point of each of ``n_bins`` equal-width bins of x.

    The upper quartile follows the envelope of an oscillating sequence, and unlike a bin maximum
    its expectation does not depend on how many points a bin holds, so noise adds no slope.
    """
    if x.size <= n_bins:
        return np.arange(x.size)
    edges = np.linspace(x.min(), x.max(), n_bins + 1)
    which = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, n_bins - 1)
    chosen = []
    for b in range(n_bins):
        members = np.flatnonzero(which == b)
        if members.size:
            order = members[np.argsort(y[members], kind="stable")]
            chosen.append(order[int(round(0.75 * (members.size - 1)))])
    return np.array(chosen)


def _bin_quartiles(x: np.ndarray, y: np.ndarray, n_bins: int = 20
                   ) -> tuple[np.ndarray, np.ndarray]:
    """The upper-quartile point (x, y) of each of ``n_bins`` equal-width bins of x."""
    chosen = _bin_quartile_index(x, y, n_bins)
    return x[chosen], y[chosen]


def _slope(x: np.ndarray, y: np.ndarray) -> Fit | None:
    """Least-squares slope of y on x with a 95 % t-interval (infinite with two points)."""
    n = x.size
    if n < 2 or np.ptp(x) == 0:
        return None
    xc = x - x.mean()
    sxx = float(xc @ xc)
    slope = float(xc @ (y - y.mean())) / sxx
    if n > 2:
        resid = y - y.mean() - slope * xc
        stderr = math.sqrt(float(resid @ resid) / (n - 2) / sxx)
        from scipy.special import stdtrit

        half = float(stdtrit(n - 2, 0.975)) * stderr
    else:
        half = math.inf
    return Fit(slope, slope - half, slope + half, int(n))


def _rate_fits(kk, ee, bb, geometric: bool, growing: bool = False) -> dict[str, Fit | None]:
    """Relative order α (log e on log r), and the order or contraction of the errors (for a
    growing bound, ``fitted_order`` is the exponent p of e ~ k^p)."""
    fits: dict[str, Fit | None] = {"relative_order": None, "fitted_order": None,
                                   "contraction": None}
    good = (ee > 0) & (kk > 0) & (bb > 0)
    if good.sum() < 3:
        return fits
    k, log_e, log_b = kk[good], np.log(ee[good]), np.log(bb[good])
    fits["relative_order"] = _slope(*_bin_quartiles(log_b, log_e))
    if geometric:
        s = _slope(*_bin_quartiles(k, log_e))
        if s is not None:
            fits["contraction"] = Fit(math.exp(s.value), math.exp(s.low), math.exp(s.high),
                                      s.points)
    else:
        s = _slope(*_bin_quartiles(np.log(k), log_e))
        if s is not None:
            fits["fitted_order"] = s if growing else Fit(-s.value, -s.high, -s.low, s.points)
    return fits
