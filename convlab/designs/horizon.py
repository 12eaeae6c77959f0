"""The horizon design: one instance and one run per horizon N, read at k = N.

For claims whose instance or parameters depend on the horizon (a worst case built for N, a step
1/sqrt(N), a method that uses N): the instance is built with ``N`` in its context and the run
records k = 0 and k = N. Plan: one run per horizon, seeds 0..n−1 (more while inconclusive).
Decision: the bound at the horizons, the constants and the floor (certified, or measured by a
shadow run, :mod:`.floors`) of each horizon's run. Thinned design: every other horizon, half of
the seeds.
"""

from __future__ import annotations


import numpy as np

from ..claims import Claim
from ..outcomes import Outcome
from ..problems.registry import InstanceSpec
from ..rates.checker import Verdict
from .base import Plan, Run, Step, merge_seeds, thin_samples
from .seeds import more_seeds
from .sequence import decide_sequence, stack_constants

NAME = "horizon"


def first_plan(claim: Claim, spec: InstanceSpec) -> Plan:
    seeds = tuple(range(claim.seeds))
    runs = tuple(Run(context=(("N", float(N)),), seeds=seeds, checkpoints=(0, int(N)))
                 for N in claim.horizons)
    return Plan(runs, note=f"{len(runs)} horizons, {claim.seeds} seed(s)")


def decide(claim: Claim, spec: InstanceSpec, steps: tuple[Step, ...]) -> Outcome:
    """The decision on the samples of ``steps`` (pure)."""
    return _decide(claim, spec, merge_seeds(steps), len(steps),
                   sum(len(plan.runs) for plan, _ in steps))


def _decide(claim, spec, samples, looks, runs) -> Outcome:
    xs, columns, constants, floors, sources = [], [], [], [], []
    diverged_at = None
    for s in samples:
        if s.diverged:
            diverged_at = float(s.run.checkpoints[-1])
            break
        xs.append(float(s.run.checkpoints[-1]))
        columns.append(s.errors[:, -1])
        constants.append(s.constants)
        floors.append(s.floor if s.floor is not None else 0.0)
        if s.floor_source != "certified":
            sources.append(f"N={xs[-1]:g}")
    rows = np.array(columns).T if columns else np.zeros((1, 0))
    source = "certified" + (f"; measured by shadow runs at {', '.join(sources)}"
                            if sources else "")
    return decide_sequence(claim, spec, NAME, "horizon", np.array(xs), rows,
                           stack_constants(constants), np.array(floors) if floors else None,
                           source, diverged_at, looks=looks, plans=looks, runs=runs)


def thinned(claim: Claim, spec: InstanceSpec, steps: tuple[Step, ...]) -> Outcome | None:
    """The decision on every other horizon (the last kept) and half of the seeds."""
    samples = merge_seeds(steps)
    keep = [s for i, s in enumerate(samples) if i % 2 == 0 or i == len(samples) - 1]
    return _decide(claim, spec, tuple(thin_samples(s, columns=False) for s in keep), len(steps),
                   len(keep))


def step(claim: Claim, spec: InstanceSpec, steps: tuple[Step, ...]) -> Plan | Outcome:
    """The next plan (the first; more seeds while inconclusive) or the outcome."""
    if not steps:
        return first_plan(claim, spec)
    outcome = decide(claim, spec, steps)
    samples = merge_seeds(steps)
    if outcome.verdict_value != Verdict.INCONCLUSIVE or any(s.diverged for s in samples):
        return outcome
    seeds = more_seeds(claim, len(samples[0].run.seeds))
    if seeds is None:
        return outcome
    return Plan(tuple(s.run.with_seeds(seeds) for s in samples),
                note=f"seeds {seeds[0]}..{seeds[-1]}")


def cost(claim: Claim, spec: InstanceSpec) -> float:
    """Expected cost (iterations times seeds) of the whole design."""
    return first_plan(claim, spec).cost
