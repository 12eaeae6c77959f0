"""Executors: where the (claim, instance) pairs of a verify run are decided.

Each pair is one task (:func:`convlab.designs.decide_pair`: its design's plans, executed in the
worker, seeds in parallel threads there). ``serial`` decides the pairs in this process, ``pool``
on forked worker processes (they share the loaded claims and numba's compiled kernels), ``dask``
on a dask.distributed cluster. Pairs are submitted most expensive first (the plan's cost
estimate), so the workers stay busy to the end. ``finish(i, outcome)`` is called in this process
as each pair is decided.
"""

from __future__ import annotations

import sys
from typing import Callable, Sequence

from .claims import Claim
from .designs import decide_pair, estimated_cost
from .errors import InputError
from .outcomes import Outcome
from .problems.registry import InstanceSpec

Pair = tuple[Claim, InstanceSpec]
Finish = Callable[[int, Outcome], None]

EXECUTORS = ("local", "dask")


def _cost(pair: Pair) -> float:
    try:
        return estimated_cost(*pair)
    except Exception:  # a claim that cannot be planned fails in its task, with its message
        return 0.0


def by_cost(work: Sequence[Pair], pending: Sequence[int]) -> list[int]:
    """``pending`` ordered by decreasing expected cost."""
    return sorted(pending, key=lambda i: -_cost(work[i]))


def run_serial(work: Sequence[Pair], pending: Sequence[int], finish: Finish) -> None:
    for i in pending:
        finish(i, decide_pair(*work[i]))


def run_pool(work: Sequence[Pair], pending: Sequence[int], jobs: int, finish: Finish) -> None:
    """Decide the pending pairs on ``jobs`` forked worker processes."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    context = multiprocessing.get_context("fork" if sys.platform != "win32" else "spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        futures = {pool.submit(decide_pair, *work[i]): i for i in by_cost(work, pending)}
        try:
            for future in as_completed(futures):
                finish(futures[future], future.result())
        except BaseException:
            for future in futures:
                future.cancel()
            raise


def run_dask(work: Sequence[Pair], pending: Sequence[int], jobs: int, scheduler: str | None,
             finish: Finish) -> None:
    """Decide the pending pairs on a dask.distributed cluster at ``scheduler`` (None: a local
    cluster of ``jobs`` workers, its dashboard on 127.0.0.1 only)."""
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise InputError("the dask executor needs dask.distributed: pip install "
                         "'convlab[dask]'") from None
    cluster = None
    if scheduler is None:
        cluster = LocalCluster(n_workers=max(1, jobs), threads_per_worker=1, processes=True,
                               host="127.0.0.1", dashboard_address="127.0.0.1:0")
    try:
        with Client(cluster if cluster is not None else scheduler) as client:
            futures = {client.submit(decide_pair, *work[i], pure=False): i
                       for i in by_cost(work, pending)}
            for future in as_completed(futures):
                finish(futures[future], future.result())
    except OSError as exc:
        raise InputError(f"cannot reach the dask scheduler {scheduler!r}: {exc}") from None
    finally:
        if cluster is not None:
            cluster.close()


def run_pairs(work: Sequence[Pair], pending: Sequence[int], finish: Finish, *, jobs: int = 1,
              executor: str = "local", scheduler: str | None = None) -> None:
    """Decide ``work[i]`` for every ``i`` in ``pending`` with the chosen executor."""
    if executor == "dask":
        run_dask(work, pending, jobs, scheduler, finish)
    elif jobs <= 1 or len(pending) <= 1:
        run_serial(work, pending, finish)
    else:
        run_pool(work, pending, jobs, finish)
