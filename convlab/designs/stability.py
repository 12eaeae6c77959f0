"""The stability design: bisection for the edge of a parameter, compared with a threshold.

A value of the parameter (the claim's ``parameter``, e.g. the step) is *stable* when no seed
diverges and the measure after ``iterations`` steps (statistic over seeds) is at most its value
at k = 0 (growth e_T/e_0 <= 1). The first plan probes both ends of the ``bracket``; each later
plan probes the geometric midpoint of the current bracket, until its ends are within ``rtol/4``
of each other (at most :data:`MAX_PROBES` probes). A bracket stable throughout places the edge
above it, unstable throughout below it; unstable below and stable above is not monotone
(inconclusive).

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
from ..rates.expressions import evaluate_scalar
from .base import Plan, Run, Samples, Step
from .seeds import statistic

NAME = "stability"

#: Most probes a bisection makes (a resolution the float spacing cannot reach stops here).
MAX_PROBES = 200


def _probe(claim: Claim, value) -> Run:
    params = {**dict(claim.params), claim.parameter: value}
    return Run(params=tuple(params.items()), seeds=tuple(range(claim.seeds)),
               checkpoints=(0, claim.iterations))


def _growth(claim: Claim, samples: Samples) -> float:
    if samples.diverged:
        return math.inf
    e = statistic(claim, samples.errors)[0]
    if e[0] > 0:
        return float(e[-1] / e[0])
    return 0.0 if e[-1] == 0 else math.inf


def _evaluate(text: str, constants, field: str) -> float:
    try:
        return evaluate_scalar(text, constants)
    except InputError as exc:
        raise exc.located(field=field) from None


def step(claim: Claim, spec: InstanceSpec, steps: tuple[Step, ...]) -> Plan | Outcome:
    """The probes at the bracket's ends, a probe at each midpoint, then the outcome."""
    if not steps:
        return Plan((_probe(claim, claim.bracket[0]), _probe(claim, claim.bracket[1])),
                    note="the bracket's ends")
    first = steps[0][1]
    constants = first[0].constants
    lo0, hi0 = (_evaluate(b, constants, "bracket") for b in claim.bracket)
    if not (0 < lo0 < hi0):
        raise InputError(f"expected 0 < low < high, got [{lo0:g}, {hi0:g}]", field="bracket")
    threshold = _evaluate(claim.bound, constants, "bound")
    tested = {lo0: _growth(claim, first[0]), hi0: _growth(claim, first[1])}
    at_lo, at_hi = tested[lo0] <= 1.0, tested[hi0] <= 1.0
    lo, hi = lo0, hi0
    if at_lo and at_hi:
        lo, hi = hi0, math.inf  # stable over the whole bracket: the edge lies above it
    elif not at_lo and not at_hi:
        lo, hi = 0.0, lo0  # unstable over the whole bracket: the edge lies below it
    elif not at_lo and at_hi:
        return _outcome(claim, spec, steps, Verdict.INCONCLUSIVE,
                        f"unstable at {lo0:.6g} but stable at {hi0:.6g}: stability is not "
                        f"monotone in {claim.parameter} over the bracket", threshold,
                        (lo0, hi0), lo0, hi0, tested)
    else:
        for _, (samples,) in steps[1:]:
            mid = float(dict(samples.run.params)[claim.parameter])
            tested[mid] = _growth(claim, samples)
            if tested[mid] <= 1.0:
                lo = mid
            else:
                hi = mid
        if hi / lo - 1 > claim.rtol / 4 and len(tested) < MAX_PROBES:
            mid = math.sqrt(lo * hi)
            return Plan((_probe(claim, mid),), note=f"probe {claim.parameter} = {mid:.8g}")
    return _verdict(claim, spec, steps, threshold, (lo0, hi0), lo, hi, tested)


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
