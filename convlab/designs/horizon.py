"""The horizon design: one instance and one run per horizon N, read at k = N.

For claims whose instance or parameters depend on the horizon (a worst case built for N, a step
1/sqrt(N), a method that uses N): the instance is built with ``N`` in its context and the run
records only k = N. Plan: one run per horizon, seeds 0..n−1 (more while inconclusive).
Decision: the bound at the horizons, the constants evaluated per horizon.
"""

from __future__ import annotations

import numpy as np

from ..claims import Claim
from ..outcomes import Outcome
from ..problems.registry import InstanceSpec
from ..rates.checker import Verdict
from .base import Plan, Run, Step, merge_seeds
from .seeds import more_seeds
from .sequence import decide_sequence, stack_constants

NAME = "horizon"


def first_plan(claim: Claim, spec: InstanceSpec) -> Plan:
    seeds = tuple(range(claim.seeds))
    runs = tuple(Run(context=(("N", float(N)),), seeds=seeds, checkpoints=(int(N),))
                 for N in claim.horizons)
    return Plan(runs, note=f"{len(runs)} horizons, {claim.seeds} seed(s)")


def decide(claim: Claim, spec: InstanceSpec, steps: tuple[Step, ...]) -> Outcome:
    samples = merge_seeds(steps)
    xs, columns, constants = [], [], []
    diverged_at = None
    for s in samples:
        if s.diverged:
            diverged_at = float(s.run.checkpoints[-1])
            break
        xs.append(float(s.run.checkpoints[-1]))
        columns.append(s.errors[:, -1])
        constants.append(s.constants)
    rows = np.array(columns).T if columns else np.zeros((1, 0))
    return decide_sequence(claim, spec, NAME, "horizon", np.array(xs), rows,
                           stack_constants(constants), None, diverged_at, looks=len(steps),
                           plans=len(steps), runs=sum(len(plan.runs) for plan, _ in steps))


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
