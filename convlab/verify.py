"""Verify claims: load them, decide every (claim, instance) pair, compare with the expectations.

The flow (docs/architecture.md): claim files -> :class:`~convlab.claims.Claim` values -> one
pair per instance -> a finished result from the store, or the claim's design decided by an
executor (:mod:`convlab.executor`, :func:`convlab.designs.decide_pair`) -> an
:class:`~convlab.outcomes.Outcome` per pair, stored as it finishes -> a :class:`Report`.
"""

from __future__ import annotations

import fnmatch
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Sequence

from .claims import Claim, collect_files, load_file
from .errors import InputError
from .outcomes import Outcome
from .problems.registry import InstanceSpec, load_instances

if TYPE_CHECKING:
    from .limits import Budget


def verify_claim(claim: Claim, instance: InstanceSpec) -> Outcome:
    """Decide ``claim`` on one instance (its design's plans, in this process), as the
    executors do (:func:`convlab.executor.decide`: BLAS on one thread, its provenance
    recorded)."""
    from .executor import decide

    return decide(claim, instance)


@dataclass(frozen=True)
class Overrides:
    """A quick look: fewer seeds or iterations than the claims ask for.

    ``seeds`` replaces the seeds (and the most seeds of an escalation) of every claim that is a
    statistic over seeds; ``iterations`` replaces the iterations of every anytime, scaling and
    stability claim and keeps the horizons up to it (at least the smallest) of horizon claims;
    ``seed_start`` makes every claim over more seeds than that an escalation that starts at
    ``seed_start`` seeds and doubles them while the verdict is inconclusive, up to the claim's
    seeds (or its ``max_seeds``): the looks share the error probability (alpha spending,
    :mod:`convlab.designs.seeds`), so the stated confidence holds over all of them, and a claim
    decided early stops early (a last look at the full seeds is at a stricter level than a
    single look, so a verdict decided only by the last one may come out inconclusive).
    An overridden claim is another claim: its results are stored under other keys, never mixed
    with full runs, and every report marks them.
    """

    seeds: int | None = None
    iterations: int | None = None
    seed_start: int | None = None

    def __bool__(self) -> bool:
        return self.seeds is not None or self.iterations is not None \
            or self.seed_start is not None

    def as_dict(self) -> dict[str, int]:
        """The overrides that are set, by name."""
        return {k: v for k, v in (("seeds", self.seeds), ("iterations", self.iterations),
                                  ("seed_start", self.seed_start))
                if v is not None}

    def apply(self, claim: Claim) -> Claim:
        """``claim`` with these overrides (unchanged when none applies to it)."""
        changes: dict = {}
        if self.seeds is not None and claim.max_seeds > 1:
            changes.update(seeds=self.seeds, max_seeds=self.seeds)
        elif self.seed_start is not None and claim.seeds > self.seed_start:
            changes.update(seeds=self.seed_start, max_seeds=max(claim.seeds, claim.max_seeds))
        if self.iterations is not None:
            if claim.design == "horizon" and claim.horizons:
                kept = tuple(h for h in claim.horizons if h <= self.iterations)
                changes["horizons"] = kept or claim.horizons[:1]
            elif claim.design != "horizon":
                changes["iterations"] = self.iterations
        return replace(claim, **changes) if changes else claim


@dataclass(frozen=True)
class VerifyEvent:
    """What a verify run reports to its ``progress`` callback.

    One ``"start"`` event when every pair is planned (``outcome`` None), then one ``"pair"``
    event per decided pair; ``"compile"`` events (``text`` says how far) while the kernels and
    oracles are compiled for an empty numba cache, before the first pair. ``cost`` is the
    pair's expected cost (0 for a result read from the store, or for a pair whose first plan's
    traces earlier pairs of its task make: :func:`convlab.designs.first_runs`);
    ``cost_total`` the expected cost of all pairs to compute. The unit is iterations times
    seeds, or seconds of compute when ``timed`` > 0 pairs have a time measured by an earlier
    run (:func:`measured_costs`).
    """

    kind: str
    done: int
    total: int
    cost: float = 0.0
    cost_total: float = 0.0
    reused: int = 0
    outcome: Outcome | None = None
    timed: int = 0
    text: str = ""


@dataclass(frozen=True)
class Report:
    """All outcomes of a verify run and the input errors met on the way (``overrides``: the
    quick-look overrides the run used, empty for a full run)."""

    outcomes: list[Outcome]
    input_errors: list[InputError]
    seconds: float
    overrides: dict[str, int] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        """2 on bad input, 1 when a verdict differs from its expectation, else 0."""
        if self.input_errors or any(o.error is not None for o in self.outcomes):
            return 2
        return 0 if all(o.matched for o in self.outcomes) else 1


def load_claims(paths: Iterable[str | Path], problems: str | Path | None = None
                ) -> tuple[list[Claim], list[InputError]]:
    """Every claim under ``paths`` and one error per file or claim that does not load."""
    errors: list[InputError] = []
    claims: list[Claim] = []
    paths = list(paths)
    try:
        files = collect_files(paths)
        named = load_instances(problems) if problems is not None else None
    except InputError as exc:
        return [], [exc]
    if not files:
        errors.append(InputError("no claim files (*.toml) found", file=" ".join(map(str, paths))))
    for path in files:
        found, bad = load_file(path, named)
        claims.extend(found)
        errors.extend(bad)
    return claims, errors


def select_claims(claims: Sequence[Claim], patterns: Sequence[str]) -> list[Claim]:
    """The claims whose id matches one of ``patterns`` (shell globs: ``gd-*``, ``*tight*``);
    an InputError names a pattern that matches no claim."""
    chosen = [c for c in claims if any(fnmatch.fnmatchcase(c.id, p) for p in patterns)]
    for pattern in patterns:
        if not any(fnmatch.fnmatchcase(c.id, pattern) for c in claims):
            from .names import closest

            raise InputError(f"no claim matches '{pattern}'"
                             f"{closest(pattern, [c.id for c in claims])}", field="--claim")
    return chosen


def verify_paths(paths: Iterable[str | Path], *, problems: str | Path | None = None,
                 progress: Callable[[VerifyEvent], None] | None = None, jobs: int = 1,
                 store: str | Path | None = None, force: bool = False,
                 executor: str = "local", scheduler: str | None = None,
                 claims: Sequence[str] | None = None,
                 overrides: Overrides | None = None, isolate: bool = False,
                 budget: "Budget | None" = None) -> Report:
    """Load every claim under ``paths`` and decide each on each of its instances.

    Parameters
    ----------
    paths
        Claim files or folders of them.
    problems
        Folder of named instances; by default the ``problems/`` folder nearest each claim file.
    progress
        Called with a :class:`VerifyEvent` once all pairs are planned and after each
        (claim, instance) result (:class:`convlab.progress.Progress` draws them).
    jobs
        Worker processes (1: decide in this process).
    store
        Results store file (:mod:`convlab.store`): finished results are reused from it and new
        ones written to it as they finish; None runs without a store.
    force
        Recompute every result (and overwrite the store's entries).
    executor, scheduler
        ``"local"`` (worker processes on this machine) or ``"dask"``: the pairs are submitted to
        a dask.distributed scheduler at ``scheduler`` (an address such as ``tcp://host:8786``;
        None starts a local cluster of ``jobs`` workers). Needs the ``convlab[dask]`` extra, and
        convlab installed on the workers.
    claims
        Only the claims whose id matches one of these globs (InputError when one matches none).
    overrides
        Fewer seeds or iterations for a quick look (:class:`Overrides`): marked in the report
        and stored apart from full results.
    isolate
        Decide the pairs in worker processes even with one job (the command line does this, so
        that Ctrl-C stops a running kernel at once and a worker that runs out of memory costs
        only its pair).
    budget
        Memory and work one pair may use (:class:`convlab.limits.Budget`; None: the default,
        half of this machine's memory and 1e9 iterations); a pair whose plan is estimated over
        it is refused before anything is built (an input error naming the field and giving the
        estimate).
    """
    from .designs import estimated_cost, first_runs
    from .executor import run_pairs

    start = time.perf_counter()
    loaded, errors = load_claims(paths, problems)
    if claims:
        loaded = select_claims(loaded, claims)
    if overrides:
        loaded = [overrides.apply(c) for c in loaded]
    work = [(c, spec) for c in loaded for spec in c.instances]
    outcomes: list[Outcome | None] = [None] * len(work)
    results = keys = None
    if store is not None:
        from .store import ResultStore, result_key

        results = ResultStore(store)
        keys = [_key(result_key, c, spec) for c, spec in work]
    done = 0
    costs = [0.0] * len(work)

    def finish(i: int, outcome: Outcome) -> None:
        nonlocal done
        outcomes[i] = outcome
        done += 1
        if results is not None and keys[i] is not None and not outcome.from_store:
            results.put(keys[i], outcome)
        if progress is not None:
            progress(VerifyEvent("pair", done, len(work), 0.0 if outcome.from_store
                                 else costs[i], outcome=outcome))

    pending, reused = [], []
    for i, (claim, spec) in enumerate(work):
        stored = None
        if results is not None and keys[i] is not None and not force:
            stored = results.get(keys[i], claim, spec)
        if stored is not None:
            reused.append((i, stored))
        else:
            pending.append(i)
    from .limits import Budget, check_budget, refused

    budget = budget if budget is not None else Budget()
    over = {i: e for i in pending if (e := check_budget(*work[i], budget)) is not None}
    pending = [i for i in pending if i not in over]
    refusals = [(i, refused(*work[i], e)) for i, e in over.items()]
    made: set[tuple[str, int]] = set()
    for i in pending:
        # a pair whose first plan's traces earlier pairs make is decided after them, in their
        # task, and reads their traces (convlab.executor): it costs next to nothing
        traces = first_runs(*work[i])
        costs[i] = 0.0 if traces and traces <= made else _cost(estimated_cost, *work[i])
        made |= traces
    timed = 0
    if results is not None:
        costs, timed = measured_costs(costs, pending, work, results)
    if progress is not None:
        progress(VerifyEvent("start", 0, len(work), cost_total=sum(costs), reused=len(reused),
                             timed=timed))
    for i, stored in reused:
        finish(i, stored)
    for i, outcome in refusals:
        finish(i, outcome)
    try:
        run_pairs(work, pending, finish, jobs=jobs, executor=executor, scheduler=scheduler,
                  isolate=isolate, compiling=None if progress is None else (
                      lambda text: progress(VerifyEvent("compile", done, len(work), text=text))))
    finally:
        if results is not None:
            results.close()
    return Report([o for o in outcomes if o is not None], errors, time.perf_counter() - start,
                  overrides=overrides.as_dict() if overrides else {})


def measured_costs(costs: list[float], pending: Sequence[int],
                   work: Sequence[tuple[Claim, InstanceSpec]], results
                   ) -> tuple[list[float], int]:
    """The pairs' costs for progress, in seconds where the store measured them, and how many
    were: a pair with an earlier result (under another key: the code or the claim changed
    since) costs its compute time then; the others their plan's iterations times seeds at the
    rate of the measured ones (per-iteration costs differ a thousandfold between pairs, so a
    measured time is the better estimate). Unchanged when no pending pair was measured."""
    measured = {i: t for i in pending
                if (t := results.seconds_before(work[i][0].id, work[i][1].name)) is not None}
    if not measured:
        return costs, 0
    from .limits import NS_PER_ITERATION

    units, seconds = sum(costs[i] for i in measured), sum(measured.values())
    rate = seconds / units if units > 0 and seconds > 0 else NS_PER_ITERATION * 1e-9
    expected = [measured[i] if i in measured else c * rate for i, c in enumerate(costs)]
    return expected, len(measured)


def _cost(estimated_cost, claim: Claim, spec: InstanceSpec) -> float:
    try:
        return float(estimated_cost(claim, spec))
    except Exception:  # a claim that cannot be planned fails in its task, with its message
        return 0.0


def _key(result_key, claim: Claim, spec: InstanceSpec) -> str | None:
    try:
        return result_key(claim, spec)
    except InputError:
        return None  # an unknown family or algorithm: its pair reports it
