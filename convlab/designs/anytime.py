"""The anytime design: one run per seed, the bound checked at every recorded iteration k.

Plan: the claim's algorithm on the instance for ``iterations`` steps, recorded at the default
checkpoints (every k up to 100, then about 40 per decade), seeds 0..n−1; more seeds while
inconclusive (:mod:`.seeds`). Decision: the bound on the statistic over seeds at every k, with
the run's floor (:mod:`.floors`). Thinned design: every other checkpoint, half of the seeds.
"""

from __future__ import annotations

from dataclasses import replace

from ..claims import Claim
from ..outcomes import Outcome
from ..problems.registry import InstanceSpec
from ..rates.checker import Verdict
from .base import Plan, Run, Step, checkpoints_for, merge_seeds, thin_samples
from .seeds import more_seeds
from .sequence import decide_sequence

NAME = "anytime"


def first_plan(claim: Claim, spec: InstanceSpec) -> Plan:
    run = Run(seeds=tuple(range(claim.seeds)), checkpoints=checkpoints_for(claim.iterations))
    return Plan((run,), note=f"{claim.seeds} seed(s), {claim.iterations} iterations")


def decide(claim: Claim, spec: InstanceSpec, steps: tuple[Step, ...]) -> Outcome:
    """The decision on the samples of ``steps`` (pure)."""
    (samples,) = merge_seeds(steps)
    return decide_sequence(claim, spec, NAME, "iteration", samples.k, samples.errors,
                           samples.constants, samples.floor, samples.floor_source,
                           samples.diverged_at, looks=len(steps), plans=len(steps),
                           runs=len(steps))


def thinned(claim: Claim, spec: InstanceSpec, steps: tuple[Step, ...]) -> Outcome | None:
    """The decision on every other checkpoint and half of the seeds."""
    (samples,) = merge_seeds(steps)
    return decide(claim, spec, ((replace(steps[0][0], note="thinned"), (thin_samples(samples),)),))


def step(claim: Claim, spec: InstanceSpec, steps: tuple[Step, ...]) -> Plan | Outcome:
    """The next plan (the first; more seeds while inconclusive) or the outcome."""
    if not steps:
        return first_plan(claim, spec)
    outcome = decide(claim, spec, steps)
    (samples,) = merge_seeds(steps)
    if outcome.verdict_value != Verdict.INCONCLUSIVE or samples.diverged:
        return outcome
    seeds = more_seeds(claim, len(samples.run.seeds))
    if seeds is None:
        return outcome
    return Plan((samples.run.with_seeds(seeds),), note=f"seeds {seeds[0]}..{seeds[-1]}")


def cost(claim: Claim, spec: InstanceSpec) -> float:
    """Expected cost (iterations times seeds) of the whole design."""
    return first_plan(claim, spec).cost
