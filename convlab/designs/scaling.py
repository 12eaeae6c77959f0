"""The scaling design: a cost against a swept parameter (a complexity statement).

For each swept value v of the symbol (the claim's ``sweep``), the instance is built with v in its
context and run for ``iterations``; the cost is N(target) = 1 + the last k at which the measure
(a statistic over seeds) exceeds the target, exact: a first plan records the default checkpoints
and brackets the last crossing, a second records every iteration inside each bracket. The
claim's bound, an expression in the swept symbol (``O(sqrt(kappa))``, or explicit), is checked
against the counts with the claim's bound type: ``upper`` (the cost grows at most like the
bound), ``tight``, ``lower``, ``order``. A value whose target is not reached within the
iterations is censored (reported, not fitted). Thinned design: every other swept value. The
count reads no floor: the runs make no shadow run (:attr:`~.base.Plan.floors`).
"""

from __future__ import annotations

import numpy as np

from ..claims import Claim
from ..errors import InputError
from ..outcomes import Curve, Outcome, ScalingEvidence
from ..problems.registry import InstanceSpec
from ..rates.checker import Verdict, check_rate
from .base import Plan, Run, Samples, Step, checkpoints_for
from .seeds import statistic
from .sequence import stack_constants

NAME = "scaling"


def first_plan(claim: Claim, spec: InstanceSpec) -> Plan:
    name, values = claim.sweep
    seeds = tuple(range(claim.seeds))
    ks = checkpoints_for(claim.iterations)
    return Plan(tuple(Run(context=((name, float(v)),), seeds=seeds, checkpoints=ks)
                      for v in values), note=f"{len(values)} values of {name}, bracketing",
                floors=False)


def _target(claim: Claim, samples: Samples) -> float:
    from ..rates.expressions import evaluate_scalar  # sympy: when a design evaluates

    try:
        return evaluate_scalar(claim.target, samples.constants)
    except InputError as exc:
        raise exc.located(field="target") from None


def _crossing(claim: Claim, samples: Samples) -> tuple[str, float | tuple[int, int] | None]:
    """('count', N) when decided by these samples, ('bracket', (lo, hi)) when a dense run is
    needed, ('censored', None) when the target is not reached."""
    value = statistic(claim, samples.errors)[0]
    above = np.flatnonzero(np.asarray(value) > _target(claim, samples))
    if above.size == 0:
        return "count", 0.0
    i = int(above[-1])
    if i == len(value) - 1:
        return "censored", None
    if i + 1 < len(value) and samples.k[i + 1] == samples.k[i] + 1:
        return "count", float(samples.k[i] + 1)
    return "bracket", (int(samples.k[i]), int(samples.k[i + 1]))


def _diverged(claim: Claim, spec: InstanceSpec, samples: Samples, steps) -> Outcome:
    name = claim.sweep[0]
    v = dict(samples.run.context)[name]
    return Outcome(claim=claim, instance=spec.name, expected=claim.expected_for(spec.name),
                   design=NAME, verdict_value=Verdict.DIVERGED,
                   reason=f"diverged at k={samples.diverged_at} for {name}={v:g}",
                   diverged_at=float(samples.diverged_at), plans=len(steps),
                   runs=sum(len(p.runs) for p, _ in steps))


def _counts(claim: Claim, spec: InstanceSpec, steps: tuple[Step, ...]):
    """From the plans so far: a dense Plan still needed, a diverged Outcome, or the counts
    (values, counts, constants rows, censored values)."""
    first = steps[0][1]
    for samples in first:
        if samples.diverged:
            return _diverged(claim, spec, samples, steps)
    crossings = [_crossing(claim, s) for s in first]
    if len(steps) == 1:
        dense = tuple(Run(context=s.run.context, seeds=s.run.seeds,
                          checkpoints=tuple(range(lo, hi + 1)))
                      for s, (what, where) in zip(first, crossings) if what == "bracket"
                      for lo, hi in [where])
        if dense:
            return Plan(dense, note=f"{len(dense)} dense runs inside the brackets", floors=False)
    dense_samples = iter(steps[1][1]) if len(steps) > 1 else iter(())
    name, _ = claim.sweep
    counts, kept, rows, censored = [], [], [], []
    for s, (what, where) in zip(first, crossings):
        v = dict(s.run.context)[name]
        if what == "censored":
            censored.append(v)
            continue
        if what == "bracket":
            d = next(dense_samples)
            if d.diverged:
                return _diverged(claim, spec, d, steps)
            value = statistic(claim, d.errors)[0]
            above = np.flatnonzero(np.asarray(value) > _target(claim, d))
            where = float(d.k[above[-1]] + 1)
        counts.append(float(where))
        kept.append(v)
        rows.append(s.constants)
    return np.array(kept), np.array(counts), rows, censored


def step(claim: Claim, spec: InstanceSpec, steps: tuple[Step, ...]) -> Plan | Outcome:
    """The bracketing plan, the dense plan inside the brackets, then the outcome."""
    if not steps:
        return first_plan(claim, spec)
    result = _counts(claim, spec, steps)
    if isinstance(result, (Plan, Outcome)):
        return result
    return _decide(claim, spec, steps, *result)


def decide(claim: Claim, spec: InstanceSpec, steps: tuple[Step, ...]) -> Outcome:
    """The decision on the samples of ``steps`` (pure)."""
    result = _counts(claim, spec, steps)
    if isinstance(result, Plan):
        raise ValueError("the scaling design needs its dense runs before it can decide")
    return result if isinstance(result, Outcome) else _decide(claim, spec, steps, *result)


def thinned(claim: Claim, spec: InstanceSpec, steps: tuple[Step, ...]) -> Outcome | None:
    """The decision on every other swept value (the last kept). The seeds are not thinned:
    the dense runs bracket the crossing of the statistic over all of them."""
    result = _counts(claim, spec, steps)
    if not isinstance(result, tuple):
        return None
    kept, counts, rows, censored = result
    keep = [i for i in range(kept.size) if i % 2 == 0 or i == kept.size - 1]
    return _decide(claim, spec, steps, kept[keep], counts[keep], [rows[i] for i in keep],
                   censored)


def _decide(claim, spec, steps, kept, counts, rows, censored) -> Outcome:
    name, _ = claim.sweep
    constants = stack_constants(rows)
    try:
        check = check_rate(kept, counts, claim.bound, kind=claim.kind, constants=constants,
                           variable=name, floor=0.0, window=claim.window, band=claim.band,
                           rtol=claim.rtol, order_tol=claim.order_tol, min_points=3)
    except InputError as exc:
        raise exc.located(field="bound") from None
    reason = check.summary
    if censored:
        reason += (f"; target not reached within {claim.iterations} iterations for "
                   f"{name} = {', '.join(f'{v:g}' for v in censored)}")
    evidence = ScalingEvidence(symbol=name, counts=tuple(zip(map(float, kept), map(float, counts))),
                               censored=tuple(float(v) for v in censored),
                               iterations=claim.iterations)
    curve = Curve(axis=name, x=kept.astype(float), y=counts.astype(float),
                  quantity="iterations to target")
    return Outcome(claim=claim, instance=spec.name, expected=claim.expected_for(spec.name),
                   design=NAME, verdict_value=check.verdict, reason=reason, check=check,
                   curve=curve, constants=constants, scaling=evidence, plans=len(steps),
                   runs=sum(len(p.runs) for p, _ in steps))


def cost(claim: Claim, spec: InstanceSpec) -> float:
    """Expected cost (iterations times seeds): the bracketing plan and about as much again for
    the dense runs inside the brackets (each runs up to its bracket's end)."""
    return 2.0 * first_plan(claim, spec).cost
