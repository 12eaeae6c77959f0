"""Experiment designs: how a claim's checked sequence is produced, and how it is decided.

One module per design (:data:`DESIGNS`): ``anytime`` (one run read at every k), ``horizon`` (one
run per horizon N), ``scaling`` (a cost against a swept parameter), ``stability`` (a bisection
for the edge of a parameter); :mod:`.seeds` makes any of them a statistic over seeds. A design
module provides ``step(claim, instance, steps) -> Plan | Outcome``: given the plans executed so
far with their samples, the next plan (:class:`~.base.Plan`, every run with its cost) or the
decided :class:`~convlab.outcomes.Outcome`, a pure function of the samples; ``decide`` (the
decision alone), ``thinned`` (the decision on the design thinned: every other point, half of
the seeds; an outcome whose verdict changes is *fragile*) and ``cost``. :func:`decide_pair`
drives the sequence for one claim and one instance.
"""

from __future__ import annotations

import time
from dataclasses import replace
from types import ModuleType
from typing import Sequence

from ..claims import Claim
from ..errors import InputError
from ..outcomes import Outcome
from ..problems.registry import InstanceSpec
from . import anytime, horizon, scaling, stability
from .base import Plan, Problems, Run, Samples, execute, run_arguments, run_key

#: Design name -> module.
DESIGNS: dict[str, ModuleType] = {m.NAME: m for m in (anytime, horizon, scaling, stability)}


def first_plan(claim: Claim, instance: InstanceSpec) -> Plan:
    """The first plan of the claim's design on ``instance`` (nothing runs)."""
    return DESIGNS[claim.design].step(claim, instance, ())


def estimated_cost(claim: Claim, instance: InstanceSpec) -> float:
    """The expected cost of the whole design, in iterations times seeds (for progress and
    scheduling; adaptive designs may stop earlier or go further)."""
    return DESIGNS[claim.design].cost(claim, instance)


def first_runs(claim: Claim, instance: InstanceSpec) -> frozenset[tuple[str, int]]:
    """The traces the pair's first plan makes: (run, seed), the run named by the instance and
    :func:`.base.run_key`, so that two equal elements are the same trace (a run is a pure
    function of each of its seeds). Empty for a pair that cannot be planned (it fails in its
    task)."""
    try:
        plan = first_plan(claim, instance)
    except Exception:  # noqa: BLE001 - it fails in its task, with its message
        return frozenset()
    if not isinstance(plan, Plan):
        return frozenset()
    where = repr((instance.name, instance.family, sorted(instance.params.items()), instance.file))
    traces = set()
    for run in plan.runs:
        key = where + run_key(claim, **run_arguments(claim, run))
        traces.update((key, int(seed)) for seed in run.seeds)
    return frozenset(traces)


def sharing_groups(pairs: Sequence[tuple[Claim, InstanceSpec]]) -> list[list[int]]:
    """The pairs (their indices) in groups: two pairs whose first plans make the same run for
    some seeds (:func:`first_runs`; e.g. two claims with different bounds on one experiment,
    or one over fewer seeds) are in one group, to be decided one after the other with one
    :class:`~.base.Problems` that shares their traces. Groups keep the order of their first
    pair, and pairs their order within a group; a pair that cannot be planned is alone."""
    group_of: dict[str, int] = {}
    parent = list(range(len(pairs)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, pair in enumerate(pairs):
        for key in {run for run, _ in first_runs(*pair)}:
            a, b = root(i), root(group_of.setdefault(key, i))
            parent[max(a, b)] = min(a, b)
    groups: dict[int, list[int]] = {}
    for i in range(len(pairs)):
        groups.setdefault(root(i), []).append(i)
    return list(groups.values())


def decide_pair(claim: Claim, instance: InstanceSpec, problems: Problems | None = None
                ) -> Outcome:
    """Run the claim's design on one instance: plans executed in this process until the design
    decides. Bad input becomes an outcome with ``error``, an internal failure one with
    ``crash``; neither stops a catalog. ``problems``: the instance's :class:`~.base.Problems`
    shared with other pairs on it (built instances, and runs with ``share_runs``)."""
    start = time.perf_counter()
    design = DESIGNS[claim.design]
    problems = problems if problems is not None else Problems(instance)
    steps: tuple = ()
    try:
        while True:
            result = design.step(claim, instance, steps)
            if isinstance(result, Outcome):
                break
            steps += ((result, execute(claim, result, problems)),)
        result = _with_robustness(design, claim, instance, steps, result)
    except InputError as exc:
        result = _failed(claim, instance, error=exc.located(file=claim.file, claim=claim.id))
    except Exception as exc:  # a failure inside convlab: report it, keep the catalog running
        result = _failed(claim, instance, crash=f"{type(exc).__name__}: {exc}")
    return replace(result, seconds=time.perf_counter() - start)


def _with_robustness(design, claim: Claim, instance: InstanceSpec, steps, outcome: Outcome
                     ) -> Outcome:
    """The outcome with its verdict on the thinned design (:func:`thinned` of the design
    module): fragile when the two differ."""
    if outcome.verdict_value is None or outcome.diverged_at is not None or not steps:
        return outcome
    thin = design.thinned(claim, instance, steps)
    if thin is None:
        return outcome
    return replace(outcome, fragile=thin.verdict != outcome.verdict,
                   thinned_verdict=thin.verdict)


def _failed(claim: Claim, instance: InstanceSpec, **why) -> Outcome:
    return Outcome(claim=claim, instance=instance.name, expected=claim.expected_for(instance.name),
                   design=claim.design, **why)


__all__ = ["DESIGNS", "Plan", "Problems", "Run", "Samples", "decide_pair", "estimated_cost",
           "first_plan", "first_runs", "sharing_groups"]
