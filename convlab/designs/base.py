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
from ..run import bound_scope, run_seeds
from ..runtime.checkpoints import checkpoints as default_checkpoints
from .floors import PERTURBATION_ULPS, measured_floor, needs_shadow, shadow_problem


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
    """Every run of one step of a design, with what the step is for.

    ``floors``: whether the design's decision reads the runs' floors (:attr:`Samples.floor`).
    A measured floor costs a shadow run (:mod:`.floors`); a design that never reads it (the
    growth of a stability probe, the crossing count of a scaling run) says False, and its
    samples carry the certified floor without the shadow run.
    """

    runs: tuple[Run, ...]
    note: str = ""
    floors: bool = True

    @property
    def cost(self) -> float:
        return sum(r.cost for r in self.runs)


@dataclass(frozen=True)
class Samples:
    """What one run gave: the measure of each seed (rows) at each recorded k (columns).

    ``floor`` is the level below which the measure is noise: the instance's certified floor, or
    the run's own rounding level when a shadow run measured it higher (:mod:`.floors`; only
    for a plan with :attr:`Plan.floors`); ``floor_source`` says which. ``constants`` are the
    names a bound may use (:func:`convlab.run.bound_scope`: the instance's constants and
    numeric parameters, the algorithm's resolved parameters, the run's context). A run in
    which some seed diverged keeps only that seed's row, with ``diverged_at`` and
    ``diverged_seed``.
    """

    run: Run
    k: np.ndarray
    errors: np.ndarray
    floor: float | None
    constants: Mapping[str, float]
    diverged_at: int | None = None
    diverged_seed: int | None = None
    floor_source: str = "certified"

    @property
    def diverged(self) -> bool:
        return self.diverged_at is not None


#: (plan, samples of each of its runs): one step of a design's history.
Step = tuple[Plan, tuple[Samples, ...]]


def checkpoints_for(iterations: int) -> tuple[int, ...]:
    """The default schedule up to ``iterations`` (dense, then geometric)."""
    return tuple(int(k) for k in default_checkpoints(iterations))


def run_key(claim: Claim, params: Mapping[str, Any], checkpoints, *,
            problem_context: tuple[tuple[str, float], ...] = (),
            context: Mapping[str, float] | None = None, shadow: bool = False) -> str:
    """What makes two runs on one instance the same run, giving the same trace for each seed:
    the claim's algorithm and tracking, the parameters, the checkpoints, the context the
    instance is built in and the one the parameters see, and whether it is the shadow run."""
    return repr((tuple(problem_context), shadow, claim.algorithm, claim.tracks,
                 sorted(dict(params).items()), [int(k) for k in checkpoints],
                 sorted((context or {}).items())))


#: Most bytes of traces :class:`Problems` keeps for the other pairs of its group; traces past it
#: are made again when asked for again.
SHARED_TRACE_BYTES = 256 * 2**20


@dataclass
class Problems:
    """Instances built once per (instance, context) during a pair's designs, each checked
    against its certified constants before its first run.

    With ``share_runs`` (the pairs of a group decided one after the other on one instance:
    :func:`convlab.executor.decide_group`), the trace of every seed of every run is kept too,
    and a seed of a run asked for again (the same algorithm, parameters, checkpoints, tracking
    and context; any seeds) is read from them rather than made again: the same trace, since a
    run is a pure function of these and of its seed (up to :data:`SHARED_TRACE_BYTES` of
    traces).
    """

    spec: InstanceSpec
    built: dict[tuple, Problem] = field(default_factory=dict)
    share_runs: bool = False
    traces: dict[str, dict[int, Any]] = field(default_factory=dict)
    trace_bytes: int = 0

    def get(self, context: tuple[tuple[str, float], ...] = ()) -> Problem:
        if context not in self.built:
            self.built[context] = build_checked(self.spec, dict(context) or None)
        return self.built[context]

    def run(self, claim: Claim, params: Mapping[str, Any], seeds, checkpoints: np.ndarray, *,
            problem_context: tuple[tuple[str, float], ...] = (),
            context: Mapping[str, float] | None = None, shadow: bool = False) -> list:
        """The traces of :func:`convlab.run.run_seeds` of the claim's algorithm on the instance
        built in ``problem_context`` (``shadow``: started a few ulps away,
        :func:`.floors.shadow_problem`), one per seed; with ``share_runs``, the seeds made
        already are read, and only the others run."""
        def make(some_seeds) -> list:
            problem = self.get(problem_context)
            return run_seeds(shadow_problem(problem) if shadow else problem, claim.algorithm,
                             params, seeds=some_seeds, checkpoints=checkpoints,
                             track=claim.tracks, context=context)

        if not self.share_runs:
            return make(seeds)
        key = run_key(claim, params, checkpoints, problem_context=problem_context,
                      context=context, shadow=shadow)
        kept = self.traces.setdefault(key, {})
        missing = list(dict.fromkeys(int(s) for s in seeds if int(s) not in kept))
        made = dict(zip(missing, make(missing))) if missing else {}
        for seed, trace in made.items():
            size = sum(a.nbytes for a in (trace.k, *trace.points.values(),
                                          *trace.scalars.values()))
            if self.trace_bytes + size <= SHARED_TRACE_BYTES:
                kept[seed] = trace
                self.trace_bytes += size
        return [made[int(s)] if int(s) in made else kept[int(s)] for s in seeds]


def build_checked(instance: InstanceSpec, context: Mapping[str, float] | None = None) -> Problem:
    """Build an instance and check its certified constants (:meth:`Problem.certify`); errors
    name the instance and its parameter. An instance that fails its own check never runs."""
    # parameters come from claim files: an overflow while building or checking (L = 1e154)
    # is the check's business (a non-finite constant fails it), not a warning on stderr
    with np.errstate(all="ignore"):
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
    """Run every run of ``plan`` in this process (seeds in parallel threads); horizons that
    do not change the run are read from one long run (:func:`shared_horizons`)."""
    shared = shared_horizons(claim, plan, problems)
    if shared is not None:
        return shared
    return tuple(execute_run(claim, run, problems, floors=plan.floors) for run in plan.runs)


def run_params(claim: Claim, run: Run) -> dict[str, Any]:
    """The algorithm parameters of ``run``: its own, or else the claim's."""
    return dict(run.params) if run.params else dict(claim.params)


def run_arguments(claim: Claim, run: Run) -> dict[str, Any]:
    """What a planned ``run`` passes to :meth:`Problems.run` (and so to :func:`run_key`) besides
    the seeds: its parameters, checkpoints, and its context, both to build the instance in and
    for the parameters to see."""
    return dict(params=run_params(claim, run),
                checkpoints=np.asarray(run.checkpoints, dtype=np.int64),
                problem_context=run.context, context=dict(run.context) or None)


def execute_run(claim: Claim, run: Run, problems: Problems, *, floors: bool = True) -> Samples:
    """One run: the claim's measure at the recorded k, for each seed, with its floor (certified,
    or, with ``floors``, measured by a shadow run when the run decays deep enough for rounding
    to show)."""
    arguments = run_arguments(claim, run)

    def traces_of(seeds, shadow=False):
        return problems.run(claim, seeds=seeds, shadow=shadow, **arguments)

    shadow = (lambda: traces_of(run.seeds[:1], True)[0]) if floors else None
    return _samples(claim, run, traces_of(run.seeds), shadow)


def _samples(claim: Claim, run: Run, traces, shadow) -> Samples:
    """The :class:`Samples` of ``run`` from its traces (one per seed); ``shadow()`` gives the
    trace of the first seed started a few ulps away, asked for only when the run decays deep
    enough for rounding to show (None: the certified floor, no shadow run)."""
    context = dict(run.context)
    constants = bound_scope(traces[0], context=context)
    floor = traces[0].floor(claim.measure)
    rows = []
    for trace in traces:
        errors = trace.measure(claim.measure, claim.iterate)
        if trace.diverged:
            return Samples(run, trace.k.astype(float), errors[None, :], floor, constants,
                           int(trace.diverged_at), int(trace.seed))
        rows.append(errors)
    source = "certified"
    if shadow is not None and needs_shadow(rows[0]):
        shadow_trace = shadow()
        if not shadow_trace.diverged:
            level = measured_floor(rows[0], shadow_trace.measure(claim.measure, claim.iterate))
            if level > floor:
                floor, source = level, (f"measured: a shadow run started {PERTURBATION_ULPS:g} "
                                        f"ulps away disagrees below {level:.3g}")
    return Samples(run, traces[0].k.astype(float), np.array(rows), floor, constants,
                   floor_source=source)


def shared_horizons(claim: Claim, plan: Plan, problems: Problems
                    ) -> tuple[Samples, ...] | None:
    """The samples of a plan of horizon runs read from one long run, or None when they may
    differ from separate runs.

    A horizon run (context ``N`` only, recording k = 0 and k = N) is the same run, bit for bit,
    at every horizon when nothing in it depends on N: the instance does not use N, the
    algorithm's parameters resolve to the same numbers at every horizon (defaults included),
    and no piece of the kernel reads the recorded iterations (OGM's horizon is the last
    checkpoint: :attr:`~convlab.runtime.kernel.Kernel.reads_checkpoints`). Such a plan runs
    once to the largest horizon, recording every horizon, and each horizon's samples are cut
    from it (the shadow run for a measured floor likewise). A long run that diverges or ends
    early falls back to separate runs, so every outcome is what separate runs give.
    """
    from ..algorithms.registry import get_algorithm
    from ..run import Trace, resolve_algorithm_params
    from ..runtime.kernel import Kernel

    runs = plan.runs
    if len(runs) < 2 or problems.spec.uses("N"):
        return None
    first = runs[0]
    for run in runs:
        if (len(run.context) != 1 or run.context[0][0] != "N" or run.params != first.params
                or run.seeds != first.seeds
                or run.checkpoints != (0, int(run.context[0][1]))):
            return None
    kernel = get_algorithm(claim.algorithm).kernel
    if not isinstance(kernel, Kernel) or kernel.reads_checkpoints:
        return None
    problem = problems.get(first.context)
    params = run_params(claim, first)
    resolved = [resolve_algorithm_params(claim.algorithm, params,
                                         {**problem.constants, **dict(run.context)})
                for run in runs]
    if any(r != resolved[0] for r in resolved[1:]):
        return None
    horizons = sorted({int(run.context[0][1]) for run in runs})
    checkpoints = np.array([0] + horizons, dtype=np.int64)
    context = {"N": float(horizons[-1])}

    def traces_of(seeds, shadow=False):
        return problems.run(claim, params, seeds, checkpoints, problem_context=first.context,
                            context=context, shadow=shadow)

    traces = traces_of(first.seeds)
    if any(t.diverged or t.k.size != checkpoints.size for t in traces):
        return None
    shadows: list[Trace] = []

    def cut(trace: Trace, N: int) -> Trace:
        """The trace a separate run to horizon N records: k = 0 and k = N."""
        j = [0, horizons.index(N) + 1]
        return replace(trace, k=trace.k[j], points={n: v[j] for n, v in trace.points.items()},
                       scalars={n: v[j] for n, v in trace.scalars.items()}, params=resolved[0])

    def shadow_at(N: int):
        def get():
            if not shadows:
                shadows.extend(traces_of(first.seeds[:1], True))
            if shadows[0].diverged or shadows[0].k.size != checkpoints.size:
                # the long shadow run stopped early: the separate shadow run of this horizon
                ks = np.array([0, N], dtype=np.int64)
                return run_seeds(shadow_problem(problem), claim.algorithm, params,
                                 seeds=first.seeds[:1], checkpoints=ks, track=claim.tracks,
                                 context={"N": float(N)})[0]
            return cut(shadows[0], N)
        return get

    out = []
    for run in runs:
        N = int(run.context[0][1])
        shadow = shadow_at(N) if plan.floors else None
        out.append(_samples(claim, run, [cut(t, N) for t in traces], shadow))
    return tuple(out)


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
                higher = s.floor is not None and (merged[i].floor is None
                                                  or s.floor > merged[i].floor)
                merged[i] = replace(merged[i], errors=np.vstack([merged[i].errors, s.errors]),
                                    run=merged[i].run.with_seeds(merged[i].run.seeds + s.run.seeds),
                                    floor=s.floor if higher else merged[i].floor,
                                    floor_source=s.floor_source if higher
                                    else merged[i].floor_source)
    return tuple(merged)


def thin_samples(samples: Samples, *, columns: bool = True) -> Samples:
    """Half the design: every other recorded point (``columns``) and the first half of the
    seeds (when there are several)."""
    errors = samples.errors
    k = samples.k
    if columns and k.size > 2:
        keep = np.arange(k.size) % 2 == 0
        keep[-1] = True
        errors, k = errors[:, keep], k[keep]
    if errors.shape[0] > 1:
        errors = errors[: (errors.shape[0] + 1) // 2]
    return replace(samples, k=k, errors=errors,
                   run=samples.run.with_seeds(samples.run.seeds[: errors.shape[0]]))
