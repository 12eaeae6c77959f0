"""What every design shares: runs, plans, samples, and executing a plan in this process.

A design turns a claim on one instance into a sequence of :class:`Plan` values (every run it will
make, with a cost estimate), executes each (:func:`execute`), and decides with a pure function of
the plans' samples. Adaptive designs (seed escalation, bisection) return their next plan from
what was decided so far; :func:`convlab.designs.decide_pair` drives the sequence.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Mapping

import numpy as np

from ..claims import Claim
from ..errors import InputError
from ..problems.base import Problem
from ..problems.registry import InstanceSpec
from ..run import run_seeds
from ..runtime.checkpoints import checkpoints as default_checkpoints


@dataclass(frozen=True)
class Run:
    """One run of the claim's algorithm on one instance, for some seeds.

    Attributes
    ----------
    context
        Symbols the instance and the parameters see (the horizon ``N``, a swept value).
    params
        Algorithm parameters: the claim's, with any value the design sets (a bisected step).
    seeds
        The seeds to run (one trace each).
    checkpoints
        The iterations to record (sorted); the run ends at the last.
    """

    context: tuple[tuple[str, float], ...] = ()
    params: tuple[tuple[str, Any], ...] = ()
    seeds: tuple[int, ...] = (0,)
    checkpoints: tuple[int, ...] = (0,)

    @property
    def iterations(self) -> int:
        return int(self.checkpoints[-1])

    @property
    def cost(self) -> float:
        """Iterations times seeds: the unit of the plan's time estimate."""
        return float(self.iterations) * len(self.seeds)

    def with_seeds(self, seeds: tuple[int, ...]) -> "Run":
        return replace(self, seeds=tuple(seeds))


@dataclass(frozen=True)
class Plan:
    """Every run of one step of a design, with what the step is for."""

    runs: tuple[Run, ...]
    note: str = ""

    @property
    def cost(self) -> float:
        return sum(r.cost for r in self.runs)


@dataclass(frozen=True)
class Samples:
    """What one run gave: the measure of each seed (rows) at each recorded k (columns).

    ``floor`` is the instance's certified floor of the measure; ``constants`` the instance's
    constants (with the run's context). A run in which some seed diverged keeps only that
    seed's row, with ``diverged_at`` and ``diverged_seed``.
    """

    run: Run
    k: np.ndarray
    errors: np.ndarray
    floor: float | None
    constants: Mapping[str, float]
    diverged_at: int | None = None
    diverged_seed: int | None = None

    @property
    def diverged(self) -> bool:
        return self.diverged_at is not None


#: (plan, samples of each of its runs): one step of a design's history.
Step = tuple[Plan, tuple[Samples, ...]]


def checkpoints_for(iterations: int) -> tuple[int, ...]:
    """The default schedule up to ``iterations`` (dense, then geometric)."""
    return tuple(int(k) for k in default_checkpoints(iterations))


@dataclass
class Problems:
    """Instances built once per (instance, context) during a pair's designs, each checked
    against its certified constants before its first run."""

    spec: InstanceSpec
    built: dict[tuple, Problem] = field(default_factory=dict)

    def get(self, context: tuple[tuple[str, float], ...] = ()) -> Problem:
        if context not in self.built:
            self.built[context] = build_checked(self.spec, dict(context) or None)
        return self.built[context]


def build_checked(instance: InstanceSpec, context: Mapping[str, float] | None = None) -> Problem:
    """Build an instance and check its certified constants (:meth:`Problem.certify`); errors
    name the instance and its parameter. An instance that fails its own check never runs."""
    try:
        problem = instance.build(context)
    except InputError as exc:
        where = f"instances.{instance.name}" + (f".{exc.field}" if exc.field else "")
        raise InputError(exc.message, file=exc.file, claim=exc.claim, field=where) from None
    failures = problem.certify()
    if failures:
        raise InputError(f"instance '{instance.name}' fails the check of its certified "
                         f"constants: {'; '.join(failures)}", field=f"instances.{instance.name}")
    return problem


def execute(claim: Claim, plan: Plan, problems: Problems) -> tuple[Samples, ...]:
    """Run every run of ``plan`` in this process (seeds in parallel threads)."""
    return tuple(execute_run(claim, run, problems) for run in plan.runs)


def execute_run(claim: Claim, run: Run, problems: Problems) -> Samples:
    """One run: the claim's measure at the recorded k, for each seed."""
    problem = problems.get(run.context)
    context = dict(run.context)
    params = dict(run.params) if run.params else dict(claim.params)
    traces = run_seeds(problem, claim.algorithm, params, seeds=run.seeds,
                       checkpoints=np.asarray(run.checkpoints, dtype=np.int64),
                       track=claim.tracks, context=context or None)
    constants = {**problem.constants, **context}
    floor = traces[0].floor(claim.measure)
    rows = []
    for trace in traces:
        errors = trace.measure(claim.measure, claim.iterate)
        if trace.diverged:
            return Samples(run, trace.k.astype(float), errors[None, :], floor, constants,
                           int(trace.diverged_at), int(trace.seed))
        rows.append(errors)
    return Samples(run, traces[0].k.astype(float), np.array(rows), floor, constants)


def merge_seeds(steps: tuple[Step, ...]) -> tuple[Samples, ...]:
    """The samples of runs repeated over plans with more seeds (seed escalation), stacked:
    run i of every plan is the same run with other seeds. A diverged run ends the stack."""
    merged: list[Samples] = []
    for _, samples in steps:
        if not merged:
            merged = list(samples)
            continue
        for i, s in enumerate(samples):
            if merged[i].diverged:
                continue
            if s.diverged:
                merged[i] = s
            else:
                merged[i] = replace(merged[i], errors=np.vstack([merged[i].errors, s.errors]),
                                    run=merged[i].run.with_seeds(merged[i].run.seeds + s.run.seeds))
    return tuple(merged)
