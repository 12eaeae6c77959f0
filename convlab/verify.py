"""Verify claims: load them, decide every (claim, instance) pair, compare with the expectations.

The flow (docs/architecture.md): claim files -> :class:`~convlab.claims.Claim` values -> one
pair per instance -> a finished result from the store, or the claim's design decided by an
executor (:mod:`convlab.executor`, :func:`convlab.designs.decide_pair`) -> an
:class:`~convlab.outcomes.Outcome` per pair, stored as it finishes -> a :class:`Report`.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from .claims import Claim, collect_files, load_file
from .designs import decide_pair
from .errors import InputError
from .outcomes import Outcome
from .problems.registry import InstanceSpec, load_instances


def verify_claim(claim: Claim, instance: InstanceSpec) -> Outcome:
    """Decide ``claim`` on one instance (its design's plans, in this process)."""
    return decide_pair(claim, instance)


@dataclass(frozen=True)
class Report:
    """All outcomes of a verify run and the input errors met on the way."""

    outcomes: list[Outcome]
    input_errors: list[InputError]
    seconds: float

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


def verify_paths(paths: Iterable[str | Path], *, problems: str | Path | None = None,
                 progress: Callable[[int, int, Outcome], None] | None = None, jobs: int = 1,
                 store: str | Path | None = None, force: bool = False,
                 executor: str = "local", scheduler: str | None = None) -> Report:
    """Load every claim under ``paths`` and decide each on each of its instances.

    Parameters
    ----------
    paths
        Claim files or folders of them.
    problems
        Folder of named instances; by default the ``problems/`` folder nearest each claim file.
    progress
        Called after each (claim, instance) result with the number done, the total and the
        outcome.
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
    """
    from .executor import run_pairs

    start = time.perf_counter()
    claims, errors = load_claims(paths, problems)
    work = [(c, spec) for c in claims for spec in c.instances]
    outcomes: list[Outcome | None] = [None] * len(work)
    results = keys = None
    if store is not None:
        from .store import ResultStore, result_key

        results = ResultStore(store)
        keys = [_key(result_key, c, spec) for c, spec in work]
    done = 0

    def finish(i: int, outcome: Outcome) -> None:
        nonlocal done
        outcomes[i] = outcome
        done += 1
        if results is not None and keys[i] is not None and not outcome.from_store:
            results.put(keys[i], outcome)
        if progress is not None:
            progress(done, len(work), outcome)

    pending = []
    for i, (claim, spec) in enumerate(work):
        stored = None
        if results is not None and keys[i] is not None and not force:
            stored = results.get(keys[i], claim, spec)
        if stored is not None:
            finish(i, stored)
        else:
            pending.append(i)
    try:
        run_pairs(work, pending, finish, jobs=jobs, executor=executor, scheduler=scheduler)
    finally:
        if results is not None:
            results.close()
    return Report([o for o in outcomes if o is not None], errors, time.perf_counter() - start)


def _key(result_key, claim: Claim, spec: InstanceSpec) -> str | None:
    try:
        return result_key(claim, spec)
    except InputError:
        return None  # an unknown family or algorithm: its pair reports it


def stderr_progress(done: int, total: int, outcome: Outcome) -> None:
    """A progress line on a terminal (nothing when stderr is not one)."""
    if sys.stderr.isatty():
        mark = "" if outcome.matched else " (!)"
        sys.stderr.write(f"\r[{done}/{total}] {outcome.claim.id} on {outcome.instance}: "
                         f"{outcome.verdict}{mark}\033[K")
        sys.stderr.flush()
