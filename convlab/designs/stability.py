"""The stability design: bisection for the edge of a parameter, compared with a threshold.

A value of the parameter (the claim's ``parameter``, e.g. the step) is *stable* when no seed
diverges and the measure after ``iterations`` steps (statistic over seeds) is at most its value
at k = 0 (growth e_T/e_0 <= 1). The first plan probes both ends of the ``bracket``; each later
plan probes the geometric midpoint of the current bracket, until its ends are within ``rtol/4``
of each other (at most :data:`MAX_PROBES` probes). A bracket stable throughout places the edge
above it, unstable throughout below it; unstable below and stable above is not monotone
(inconclusive). Thinned design: half of the seeds (the bisection replayed on them, ended where
the probes run end); a single-seed bisection is not thinned. The growth reads no floor: the
probes make no shadow run (:attr:`~.base.Plan.floors`).

The bound is the threshold θ and the bound type says what is claimed about the edge e*:
``lower`` (e* >= θ: stable for every value below θ; the former ``side = "stable-below"``),
``upper`` (e* <= θ: unstable above θ; ``side = "unstable-above"``) or ``tight`` (e* = θ). With
the edge in [lo, hi] and the margins lo(1 − rtol), hi(1 + rtol): ``tight`` when θ lies between
the margins; otherwise ``violated`` when the edge is resolved on the side the claim forbids,
``consistent`` on the other side (a tight claim is violated on both), ``inconclusive`` when the
edge cannot be placed.
"""

from __future__ import annotations

import math

import numpy as np

from ..claims import Claim
from ..errors import InputError
from ..outcomes import Curve, Outcome, StabilityEvidence
from ..problems.registry import InstanceSpec
from ..rates.checker import Verdict
from .base import Plan, Run, Samples, Step
from .seeds import statistic

NAME = "stability"

#: Most probes a bisection makes (a resolution the float spacing cannot reach stops here).
MAX_PROBES = 200


def _probe(claim: Claim, value) -> Run:
    params = {**dict(claim.params), claim.parameter: value}
    return Run(params=tuple(params.items()), seeds=tuple(range(claim.seeds)),
               checkpoints=(0, claim.iterations))


def _growth(claim: Claim, samples: Samples, seeds: int | None = None) -> float:
    """e_T/e_0 of the statistic over the first ``seeds`` seeds (all by default); inf when a
    seed diverged."""
    if samples.diverged:
        return math.inf
    errors = samples.errors if seeds is None else samples.errors[:seeds]
    e = statistic(claim, errors)[0]
    if e[0] > 0:
        return float(e[-1] / e[0])
    return 0.0 if e[-1] == 0 else math.inf


def _evaluate(text: str, constants, field: str) -> float:
    from ..rates.expressions import evaluate_scalar  # sympy: when a design evaluates

    try:
        return evaluate_scalar(text, constants)
    except InputError as exc:
        raise exc.located(field=field) from None


def _replay(claim: Claim, steps: tuple[Step, ...], seeds: int | None = None):
    """The bisection replayed on the probes of ``steps``: ("probe", value, lo, hi, tested) when
    the next probe is missing, ("edge", lo, hi, tested) when the edge is placed,
    ("non-monotone", lo, hi, tested) when the bracket's low end is unstable and its high end
    stable. With ``seeds``, stability is judged on that many seeds only."""
    first = steps[0][1]
    constants = first[0].constants
    lo0, hi0 = (_evaluate(b, constants, "bracket") for b in claim.bracket)
    if not (0 < lo0 < hi0):
        raise InputError(f"expected 0 < low < high, got [{lo0:g}, {hi0:g}]", field="bracket")
    tested = {lo0: _growth(claim, first[0], seeds), hi0: _growth(claim, first[1], seeds)}
    at_lo, at_hi = tested[lo0] <= 1.0, tested[hi0] <= 1.0
    if at_lo and at_hi:
        return ("edge", hi0, math.inf, tested)  # stable over the whole bracket: edge above it
    if not at_lo and not at_hi:
        return ("edge", 0.0, lo0, tested)  # unstable over the whole bracket: edge below it
    if not at_lo and at_hi:
        return ("non-monotone", lo0, hi0, tested)
    probes = {float(dict(s.run.params)[claim.parameter]): s for _, (s,) in steps[1:]}
    lo, hi = lo0, hi0
    while hi / lo - 1 > claim.rtol / 4 and len(tested) < MAX_PROBES:
        mid = math.sqrt(lo * hi)
        if mid not in probes:
            return ("probe", mid, lo, hi, tested)
        tested[mid] = _growth(claim, probes[mid], seeds)
        if tested[mid] <= 1.0:
            lo = mid
        else:
            hi = mid
    return ("edge", lo, hi, tested)


def decide(claim: Claim, spec: InstanceSpec, steps: tuple[Step, ...],
           seeds: int | None = None) -> Outcome:
    """The decision on the probes of ``steps`` (pure): the bisection replayed, and ended where
    its probes end (the thinned design may need a probe that was not run)."""
    result = _replay(claim, steps, seeds)
    constants = steps[0][1][0].constants
    threshold = _evaluate(claim.bound, constants, "bound")
    bracket = tuple(_evaluate(b, constants, "bracket") for b in claim.bracket)
    lo, hi, tested = result[-3:]
    if result[0] == "non-monotone":
        return _outcome(claim, spec, steps, Verdict.INCONCLUSIVE,
                        f"unstable at {lo:.6g} but stable at {hi:.6g}: stability is not "
                        f"monotone in {claim.parameter} over the bracket", threshold, bracket,
                        lo, hi, tested)
    return _verdict(claim, spec, steps, threshold, bracket, lo, hi, tested)


def thinned(claim: Claim, spec: InstanceSpec, steps: tuple[Step, ...]) -> Outcome | None:
    """The decision on half of the seeds (None with one seed: a bisection cannot be thinned
    without new runs)."""
    n = steps[0][1][0].errors.shape[0]
    return decide(claim, spec, steps, seeds=(n + 1) // 2) if n > 1 else None


def step(claim: Claim, spec: InstanceSpec, steps: tuple[Step, ...]) -> Plan | Outcome:
    """The probes at the bracket's ends, a probe at each midpoint, then the outcome."""
    if not steps:
        return Plan((_probe(claim, claim.bracket[0]), _probe(claim, claim.bracket[1])),
                    note="the bracket's ends", floors=False)
    result = _replay(claim, steps)
    if result[0] == "probe":
        mid = result[1]
        return Plan((_probe(claim, mid),), note=f"probe {claim.parameter} = {mid:.8g}",
                    floors=False)
    return decide(claim, spec, steps)


def _verdict(claim, spec, steps, threshold, bracket, lo, hi, tested) -> Outcome:
    edge = f"stability edge of {claim.parameter} in [{lo:.8g}, {hi:.8g}]"
    margin_lo, margin_hi = lo * (1 - claim.rtol), hi * (1 + claim.rtol)
    if lo > 0 and math.isfinite(hi) and margin_lo <= threshold <= margin_hi:
        verdict, why = Verdict.TIGHT, f"{edge} contains the threshold {threshold:.8g}"
    elif threshold < margin_lo:  # the edge is above the threshold: stable beyond it
        verdict = Verdict.VIOLATED if claim.kind in ("upper", "tight") else Verdict.CONSISTENT
        why = (f"{edge}: stable above the threshold {threshold:.8g}" if claim.kind != "lower"
               else f"{edge}: stable beyond the threshold {threshold:.8g}")
    elif threshold > margin_hi:  # the edge is below the threshold: unstable before it
        verdict = Verdict.VIOLATED if claim.kind in ("lower", "tight") else Verdict.CONSISTENT
        why = (f"{edge}: unstable below the threshold {threshold:.8g}" if claim.kind != "upper"
               else f"{edge}: unstable before the threshold {threshold:.8g}")
    else:
        verdict, why = Verdict.INCONCLUSIVE, f"{edge} cannot place the threshold {threshold:.8g}"
    return _outcome(claim, spec, steps, verdict, why, threshold, bracket, lo, hi, tested)


def _outcome(claim, spec, steps, verdict, reason, threshold, bracket, lo, hi, tested) -> Outcome:
    values = np.array(sorted(tested))
    evidence = StabilityEvidence(parameter=claim.parameter, threshold=float(threshold),
                                 bracket=(float(bracket[0]), float(bracket[1])),
                                 largest_stable=float(lo), smallest_unstable=float(hi),
                                 rtol=claim.rtol,
                                 probes=tuple((float(v), float(tested[v])) for v in values))
    curve = Curve(axis=claim.parameter, x=values.astype(float),
                  y=np.array([tested[v] for v in values], dtype=float),
                  quantity="growth e_T/e_0")
    first = steps[0][1][0]
    return Outcome(claim=claim, instance=spec.name, expected=claim.expected_for(spec.name),
                   design=NAME, verdict_value=verdict, reason=reason, curve=curve,
                   constants=dict(first.constants), stability=evidence, plans=len(steps),
                   runs=sum(len(p.runs) for p, _ in steps))


def cost(claim: Claim, spec: InstanceSpec) -> float:
    """Expected cost (iterations times seeds): the two ends and a bisection of a bracket of a
    factor 16 down to rtol/4."""
    probes = 2 + math.ceil(math.log2(math.log(16.0) / math.log1p(max(claim.rtol, 1e-12) / 4)))
    return float(min(probes, MAX_PROBES)) * claim.iterations * claim.seeds
