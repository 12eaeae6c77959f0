"""The result vocabulary: what a design decided about one claim on one instance.

Every design returns an :class:`Outcome`, a frozen value that names its axis and carries typed
evidence; nothing changes an outcome after it is decided. The report, the JSON document, the
figures, the store and the pytest plugin all read these types.

- :class:`Curve`: the checked sequence on its axis: errors against the ``iteration`` (anytime),
  the ``horizon`` N, the swept value of a scaling law (the cost N(target)), or the tested value of
  a bisected parameter (the growth e_T/e_0 of each probe), with its simultaneous confidence band
  when it is a statistic over seeds;
- :class:`~convlab.rates.checker.RateCheck`: the checker's decision on the curve (window, floor,
  ratios, fits), when a bound was checked on a sequence;
- :class:`SeedsEvidence`, :class:`StabilityEvidence`, :class:`ScalingEvidence`: what the
  design itself established (seeds and looks; the edge interval and the probes; the counts).

:func:`outcome_record` and :func:`outcome_from_record` turn an outcome into plain JSON data and
back (the results store keeps these records).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Mapping

import numpy as np

from .claims import Claim
from .errors import InputError
from .rates.checker import RateCheck, Verdict

#: Version of the record layout (the store and the JSON report).
RECORD_VERSION = 3

#: What the x values of a curve are, per design.
AXES = {"anytime": "iteration", "horizon": "horizon"}


@dataclass(frozen=True)
class Curve:
    """The checked sequence.

    Attributes
    ----------
    axis
        What x is: ``"iteration"``, ``"horizon"``, the swept symbol of a scaling claim, or the
        bisected parameter of a stability claim.
    x, y
        The points and the checked values (a statistic over seeds when there are several).
    quantity
        What y is: the measure's name, ``"iterations to target"``, ``"growth e_T/e_0"``.
    low, high
        The simultaneous confidence band of y (statistic over seeds), or None.
    """

    axis: str
    x: np.ndarray = field(repr=False)
    y: np.ndarray = field(repr=False)
    quantity: str = ""
    low: np.ndarray | None = field(default=None, repr=False)
    high: np.ndarray | None = field(default=None, repr=False)

    def to_dict(self) -> dict[str, Any]:
        out = {"axis": self.axis, "quantity": self.quantity, "x": _list(self.x),
               "y": _list(self.y)}
        if self.low is not None:
            out.update(low=_list(self.low), high=_list(self.high))
        return out

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Curve":
        arr = (lambda v: None if v is None else np.asarray(v, dtype=float))
        return cls(axis=d["axis"], x=arr(d["x"]), y=arr(d["y"]), quantity=d.get("quantity", ""),
                   low=arr(d.get("low")), high=arr(d.get("high")))


@dataclass(frozen=True)
class SeedsEvidence:
    """A statistic over seeds: how many, which statistic, the confidence and the looks."""

    n: int
    statistic: str
    confidence: float
    looks: int = 1


@dataclass(frozen=True)
class StabilityEvidence:
    """A bisection for the stability edge of a parameter.

    ``largest_stable`` and ``smallest_unstable`` bound the edge (0 and inf when the bracket was
    unstable or stable throughout); ``probes`` are (value, growth e_T/e_0) pairs.
    """

    parameter: str
    threshold: float
    bracket: tuple[float, float]
    largest_stable: float
    smallest_unstable: float
    rtol: float
    probes: tuple[tuple[float, float], ...] = ()


@dataclass(frozen=True)
class ScalingEvidence:
    """A scaling law: the cost N(target) per swept value; values whose target was not reached
    within the iterations are ``censored``."""

    symbol: str
    counts: tuple[tuple[float, float], ...]
    censored: tuple[float, ...] = ()
    iterations: int = 0


@dataclass(frozen=True)
class Outcome:
    """The decision on one claim and one instance (see the module docstring).

    ``verdict`` is None when the pair could not be decided: ``error`` (bad input) or ``crash``
    (an internal failure) says why. ``fragile`` is True when the same design thinned (every
    other point, half of the seeds) gives another verdict (``thinned_verdict``); None when the
    design cannot be thinned.
    """

    claim: Claim
    instance: str
    expected: str
    design: str
    verdict_value: Verdict | None = None
    reason: str = ""
    check: RateCheck | None = None
    curve: Curve | None = None
    constants: Mapping[str, Any] = field(default_factory=dict, repr=False)
    seeds: SeedsEvidence | None = None
    stability: StabilityEvidence | None = None
    scaling: ScalingEvidence | None = None
    diverged_at: float | None = None
    error: InputError | None = None
    crash: str | None = None
    seconds: float = 0.0
    from_store: bool = False
    plans: int = 0
    runs: int = 0
    fragile: bool | None = None
    thinned_verdict: str | None = None
    provenance: Mapping[str, Any] = field(default_factory=dict, repr=False)

    # -- reading ----------------------------------------------------------------------------

    @property
    def verdict(self) -> str:
        """The verdict's name, or ``"error"``."""
        return self.verdict_value.value if self.verdict_value is not None else "error"

    @property
    def matched(self) -> bool:
        return self.verdict_value is not None and self.verdict == self.expected

    @property
    def summary(self) -> str:
        """One line of the evidence that decided the verdict."""
        return self.reason

    @property
    def weakly_informative(self) -> str:
        """Why this pass says little about its bound (:func:`weakly_informative`), or ``""``."""
        return weakly_informative(self)

    @property
    def problem_text(self) -> str | None:
        """The input error or internal failure of this outcome, if any."""
        if self.error is not None:
            return str(self.error)
        if self.crash is not None:
            return f"internal error in claim '{self.claim.id}' on '{self.instance}': {self.crash}"
        return None

    @property
    def k(self) -> np.ndarray | None:
        return None if self.curve is None else self.curve.x

    @property
    def errors(self) -> np.ndarray | None:
        return None if self.curve is None else self.curve.y

    @property
    def interval(self) -> tuple[np.ndarray, np.ndarray] | None:
        if self.curve is None or self.curve.low is None:
            return None
        return self.curve.low, self.curve.high

    @property
    def evidence(self) -> dict[str, Any]:
        """Every piece of evidence as one plain mapping (read-only use: a fresh dict)."""
        out: dict[str, Any] = {}
        if self.check is not None:
            out.update(self.check.evidence)
        for name in ("stability", "scaling"):
            part = getattr(self, name)
            if part is not None:
                out[name] = asdict(part)
        if self.seeds is not None:
            out["seeds"] = self.seeds.n
            out["statistic"] = self.seeds.statistic
            out["confidence"] = f"{self.seeds.confidence:.0%} simultaneous"
        if self.stability is not None:
            out.update(threshold=self.stability.threshold, parameter=self.stability.parameter,
                       largest_stable=self.stability.largest_stable,
                       smallest_unstable=self.stability.smallest_unstable)
        if self.diverged_at is not None:
            out["diverged_at"] = self.diverged_at
        out["reason"] = self.reason
        return out

    def instance_spec(self):
        return next(s for s in self.claim.instances if s.name == self.instance)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready record of what ran and what was decided."""
        return outcome_record(self)


# -- informativeness ---------------------------------------------------------------------------

#: A ``consistent`` explicit bound that could be divided by more than this and still hold on
#: k >= 1 (its headroom; for a lower bound: multiplied) says little about the bound.
WEAK_HEADROOM = 10.0

#: A ``consistent`` order claim whose data beat the stated order by more than this exponent (its
#: excess order, on the side the claim allows) says little about the order.
WEAK_EXCESS_ORDER = 0.5


def weakly_informative(o: Outcome) -> str:
    """Why a ``consistent`` outcome is weakly informative, or ``""``.

    A pass says little when the bound has much room on the claim's instances: an explicit upper
    bound whose headroom (the factor it could be divided by and still hold on k >= 1) is above
    :data:`WEAK_HEADROOM`, a lower bound whose smallest ratio is above it, or an order claim whose
    excess order (the fitted relative order minus 1, on the side the claim allows: faster decay
    for an upper claim, slower for a lower one, mirrored when the bound grows) is above
    :data:`WEAK_EXCESS_ORDER`. Tight verdicts, failures and stability edges are never weak.
    """
    if o.verdict != "consistent" or o.check is None:
        return ""
    ev = o.check.evidence
    kind = o.claim.kind
    if ev.excess_order is not None:
        room = ev.excess_order if kind != "lower" else -ev.excess_order
        if ev.bound_grows:
            room = -room
        if room > WEAK_EXCESS_ORDER:
            return f"excess order {room:.3g} > {WEAK_EXCESS_ORDER:g}"
        return ""
    if kind == "lower":
        if ev.worst_ratio is not None and ev.worst_ratio > WEAK_HEADROOM:
            return f"smallest ratio {ev.worst_ratio:.3g} > {WEAK_HEADROOM:g}"
        return ""
    if ev.headroom is not None and ev.headroom > WEAK_HEADROOM:
        return f"headroom {ev.headroom:.3g} > {WEAK_HEADROOM:g}"
    return ""


# -- records: plain data for the store and the JSON report ------------------------------------

def _list(a: Any) -> list | None:
    if a is None:
        return None
    return [float(v) for v in np.asarray(a, dtype=float).ravel()]


def _plain(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return _list(value)
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def outcome_record(o: Outcome) -> dict[str, Any]:
    """An outcome as plain JSON data (:data:`RECORD_VERSION`)."""
    spec = o.instance_spec()
    c = o.claim
    out: dict[str, Any] = {
        "claim": c.id, "file": c.file, "source": c.source, "instance": o.instance,
        "instance_params": _plain({"family": spec.family, **spec.params}),
        "algorithm": c.algorithm, "params": _plain(dict(c.params)), "measure": c.measure,
        "iterate": c.iterate, "kind": c.kind, "design": o.design, "bound": c.bound,
        "verdict": o.verdict, "expected": o.expected, "matched": o.matched,
        "reason": o.reason, "seconds": round(o.seconds, 4), "from_store": o.from_store,
        "plans": o.plans, "runs": o.runs, "constants": _plain(dict(o.constants)),
        "fragile": o.fragile, "thinned_verdict": o.thinned_verdict,
    }
    if o.curve is not None:
        out["curve"] = o.curve.to_dict()
    if o.check is not None:
        out["check"] = _plain(o.check.to_dict())
    for name in ("seeds", "stability", "scaling"):
        part = getattr(o, name)
        out[name] = _plain(asdict(part)) if part is not None else None
    if o.diverged_at is not None:
        out["diverged_at"] = o.diverged_at
    if o.problem_text is not None:
        out["error"] = o.problem_text
    if o.provenance:  # where it was computed: the BLAS libraries (core type, threads)
        out["provenance"] = _plain(dict(o.provenance))
    return out


def outcome_from_record(d: Mapping[str, Any], claim: Claim, instance: str) -> Outcome:
    """Rebuild an outcome from :func:`outcome_record` data (raises KeyError, TypeError or
    ValueError on a record of another layout)."""
    stab = d.get("stability")
    scal = d.get("scaling")
    seeds = d.get("seeds")
    return Outcome(
        claim=claim, instance=instance, expected=claim.expected_for(instance),
        design=d["design"], verdict_value=Verdict(d["verdict"]), reason=str(d["reason"]),
        check=RateCheck.from_dict(d["check"]) if d.get("check") else None,
        curve=Curve.from_dict(d["curve"]) if d.get("curve") else None,
        constants={k: (np.asarray(v) if isinstance(v, list) else v)
                   for k, v in dict(d["constants"]).items()},
        seeds=SeedsEvidence(**seeds) if seeds else None,
        stability=StabilityEvidence(**{**stab, "bracket": tuple(stab["bracket"]), "probes": tuple(
            tuple(p) for p in stab["probes"])}) if stab else None,
        scaling=ScalingEvidence(**{**scal, "counts": tuple(tuple(c) for c in scal["counts"]),
                                   "censored": tuple(scal["censored"])}) if scal else None,
        diverged_at=d.get("diverged_at"), seconds=float(d["seconds"]), from_store=True,
        plans=int(d.get("plans", 0)), runs=int(d.get("runs", 0)), fragile=d.get("fragile"),
        thinned_verdict=d.get("thinned_verdict"),
        provenance=dict(d.get("provenance") or {}))
