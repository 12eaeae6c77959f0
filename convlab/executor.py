"""Executors: where the (claim, instance) pairs of a verify run are decided.

Each pair is decided by :func:`convlab.designs.decide_pair` (its design's plans, executed in
the worker, seeds in parallel threads there). A task is a group of pairs whose first plans
make the same run (:func:`convlab.designs.sharing_groups`: claims with different bounds on one
experiment, or over fewer seeds), decided one after the other by one worker, each seed's trace
they share made once (:func:`decide_group`). ``serial`` decides the groups in this process,
``pool`` on forked worker processes (they share the loaded claims, plugins and numba's compiled
kernels), ``dask`` on a dask.distributed cluster (each task loads the plugins of this process
first). Groups are submitted most expensive first (their plans' cost estimates), so the
workers stay busy to the end. Before forking its workers, ``pool`` loads the loop and the
kernels they will share; on a cold numba cache it first has them, and the instances' oracles,
compiled by ``jobs`` processes at once (:func:`compile_shared`). ``finish(i, outcome)`` is
called in this process as each pair is decided (with ``pool`` and ``dask``, a group's pairs
when the group is).

Reliability (docs/reliability.md):

- every pair is decided with its BLAS libraries pinned to one thread (:func:`decide`), so it
  gives the same bits in this process, in a pool worker or on a dask worker; its outcome carries
  the core type and thread count it ran with (``provenance``);
- worker processes ignore Ctrl-C (this process decides) and die with this process, even when it
  is killed with SIGKILL (Linux: ``PR_SET_PDEATHSIG``; elsewhere a thread that watches the
  parent); on Ctrl-C this process collects the pairs already finished, kills its workers at once
  and re-raises :class:`KeyboardInterrupt` (the command line exits with 130);
- ``isolate=True`` (the command line) decides the pairs in a worker process even at one job, so
  that Ctrl-C stops a running kernel at once (compiled code does not return to Python until it
  finishes); only pairs light enough to end within a fraction of a second run in this process;
- a worker that dies (killed, out of memory) fails its pairs with the reason, not the run.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from dataclasses import replace
from typing import Callable, Sequence

from .claims import Claim
from .designs import Problems, decide_pair, estimated_cost, sharing_groups
from .errors import InputError
from .outcomes import Outcome
from .plugins import load_plugins, loaded
from .problems.registry import InstanceSpec

Pair = tuple[Claim, InstanceSpec]
Finish = Callable[[int, Outcome], None]

EXECUTORS = ("local", "dask")


def _cost(pair: Pair) -> float:
    try:
        return estimated_cost(*pair)
    except Exception:  # a claim that cannot be planned fails in its task, with its message
        return 0.0


def groups(work: Sequence[Pair], pending: Sequence[int]) -> list[list[int]]:
    """``pending`` in the groups of :func:`convlab.designs.sharing_groups`."""
    return [[pending[j] for j in group] for group in sharing_groups([work[i] for i in pending])]


def by_cost(work: Sequence[Pair], pending: Sequence[int]) -> list[list[int]]:
    """The :func:`groups` of ``pending``, by decreasing expected cost."""
    return sorted(groups(work, pending), key=lambda group: -sum(_cost(work[i]) for i in group))


def decide(claim: Claim, instance: InstanceSpec, problems: Problems | None = None) -> Outcome:
    """:func:`decide_pair` with the BLAS libraries pinned to
    :data:`~convlab.runtime.blas.PAIR_THREADS` thread(s) and numpy's floating-point warnings
    off; the outcome records the BLAS core types and thread counts it ran with
    (``provenance["blas"]``)."""
    import numpy as np

    from .runtime.blas import PAIR_THREADS, blas_provenance, blas_threads

    # an overflow to inf is the design's to judge (divergence, a non-finite statistic), never a
    # warning line: the numbers of a claim file can be anything
    with blas_threads(PAIR_THREADS), np.errstate(all="ignore"):
        outcome = decide_pair(claim, instance, problems)
        blas = blas_provenance()
    return replace(outcome, provenance={**outcome.provenance, "blas": blas})


def decide_group(pairs: Sequence[Pair], finish: Callable[[int, Outcome], None]) -> None:
    """:func:`decide` for each pair of a group of :func:`convlab.designs.sharing_groups`, in
    order, each seed's trace they share made once; ``finish(j, outcome)`` as pair j is
    decided."""
    problems = Problems(pairs[0][1], share_runs=True) if len(pairs) > 1 else None
    for j, (claim, instance) in enumerate(pairs):
        finish(j, decide(claim, instance, problems))


def decided(pairs: Sequence[Pair]) -> list[Outcome]:
    """The outcomes of :func:`decide_group` (a worker's task)."""
    outcomes: list[Outcome] = []
    decide_group(pairs, lambda j, outcome: outcomes.append(outcome))
    return outcomes


def run_serial(work: Sequence[Pair], pending: Sequence[int], finish: Finish) -> None:
    for group in groups(work, pending):
        decide_group([work[i] for i in group], lambda j, outcome: finish(group[j], outcome))


def _die_with_parent(parent: int) -> None:
    """End this (worker) process when the process ``parent`` ends, however it ends."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: the kernel kills us with it
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # it ended before we were watching
        os._exit(1)

    def watch() -> None:  # elsewhere (and as a second line): poll the parent
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="convlab-parent-watch", daemon=True).start()


def _worker_start(seed_threads: int | None = None) -> None:
    """Initializer of a pool worker: Ctrl-C is the parent's to handle, the worker ends with its
    parent (this process, or the fork server, which ends with this process), its BLAS runs
    on one thread and the seeds of a run on ``seed_threads`` threads
    (:func:`convlab.runtime.launch.set_threads`)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent(os.getppid())
    from .runtime.blas import PAIR_THREADS, pin_blas_threads
    from .runtime.launch import set_threads

    pin_blas_threads(PAIR_THREADS)
    set_threads(seed_threads)


def seed_threads(jobs: int) -> int:
    """Threads for the seeds of a run in each of ``jobs`` workers: the cores shared out, so
    that jobs × threads does not exceed them (at least one)."""
    return max(1, (os.cpu_count() or 1) // max(1, jobs))


def _lost(pair: Pair, why: str) -> Outcome:
    """The outcome of a pair whose worker died."""
    claim, instance = pair
    return Outcome(claim=claim, instance=instance.name, expected=claim.expected_for(instance.name),
                   design=claim.design, crash=why)


def _kill_pool(pool) -> None:
    """Kill the workers of a ProcessPoolExecutor now (a running kernel does not stop on
    request), then let the executor wind down without waiting."""
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        try:
            process.kill()
        except (OSError, AttributeError, ValueError):
            pass
    try:
        pool.shutdown(wait=False, cancel_futures=True)
    except Exception:  # noqa: BLE001 - a broken pool may complain while winding down
        pass


def _openmp_started() -> bool:
    """Whether numba's parallel threads (GNU OpenMP, say) run in this process: a child forked
    now would be terminated by OpenMP the moment it runs a parallel loop."""
    parallel = sys.modules.get("numba.np.ufunc.parallel")
    return bool(getattr(parallel, "_is_initialized", False))


def _pool_context():
    """Forked workers (they share what this process loaded), unless this process already ran
    parallel numba code; then workers forked from a fresh fork server."""
    import multiprocessing

    if sys.platform == "win32":
        return multiprocessing.get_context("spawn"), False
    if _openmp_started():
        return multiprocessing.get_context("forkserver"), False
    return multiprocessing.get_context("fork"), True


def run_pool(work: Sequence[Pair], pending: Sequence[int], jobs: int, finish: Finish,
             compiling: Callable[[str], None] | None = None) -> None:
    """Decide the pending pairs on ``jobs`` worker processes (see the module docstring for
    interrupts, parent death and workers that die; ``compiling``: see :func:`compile_shared`)."""
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool

    context, forked = _pool_context()
    if forked:
        compile_shared(work, pending, jobs, compiling)
    pool = ProcessPoolExecutor(max_workers=max(1, jobs), mp_context=context,
                               initializer=_worker_start, initargs=(seed_threads(jobs),))
    plugins = () if forked else loaded()  # a fresh worker loads this process's plugins
    futures: dict = {}
    collected: set = set()

    def collect(future) -> None:
        collected.add(future)
        group = futures[future]
        try:
            outcomes = future.result()
        except BrokenProcessPool:
            outcomes = [_lost(work[i], "its worker process died (killed, or out of memory?)")
                        for i in group]
        for i, outcome in zip(group, outcomes):
            finish(i, outcome)

    try:
        futures = {(pool.submit(decided, [work[i] for i in group]) if forked else
                    pool.submit(decided_with_plugins, plugins, [work[i] for i in group])): group
                   for group in by_cost(work, pending)}
        for future in as_completed(futures):
            collect(future)
    except BaseException:
        try:  # keep what finished before the interrupt, then stop at once
            for future in futures:
                if future not in collected and future.done() and not future.cancelled() \
                        and future.exception() is None:
                    collect(future)
        finally:
            _kill_pool(pool)
        raise
    pool.shutdown(wait=True)


def compile_shared(work: Sequence[Pair], pending: Sequence[int], jobs: int = 1,
                   compiling: Callable[[str], None] | None = None) -> None:
    """Compile (or load from numba's disk cache) the loop, its entry and the kernels of the
    pending pairs' algorithms before the workers fork: they inherit them, and no worker
    compiles what another one has.

    Kernels numba finds in its disk cache load here, one after another (a fraction of a
    second in all). From the first that had to be compiled (a cold cache), the loop and its
    entry, the other kernels and the oracles of the pending pairs' instances are compiled by
    ``jobs`` forked processes at once (:func:`compile_in_processes`); the loop and the
    kernels are then loaded here from numba's disk cache, and each worker loads the oracles
    it needs from it. ``compiling`` (a progress line) is told how far that has got. A kernel
    that does not compile is left to its pairs, which fail with the error."""
    from .runtime.jit import has_source_file, served_by_cache
    from .runtime.launch import ready

    pieces = _kernel_pieces(work, pending)
    for n, piece in enumerate(pieces):
        compiled = _compiled(piece)
        if compiled is not None and has_source_file(piece.py_func) and \
                not served_by_cache(compiled):
            compile_in_processes(_cold_start_groups(work, pending, pieces[n + 1:]), jobs,
                                 compiling)
            break
    ready()
    for piece in pieces:
        _compiled(piece)


def _compiled(piece):
    """``piece.compiled``, or None when it does not compile (a user's kernel with an error)."""
    try:
        return piece.compiled
    except Exception:  # noqa: BLE001 - reported by the pairs that use it
        return None


def _kernel_pieces(work: Sequence[Pair], pending: Sequence[int]) -> list:
    """The loop's default pieces and the init, advance and observe functions
    (:class:`convlab.runtime.jit.LazyJit`) of the pending pairs' algorithms, each once."""
    from .algorithms.registry import get_algorithm
    from .runtime.kernel import Kernel
    from .runtime.loop import init_nothing, observe_copy

    pieces = [init_nothing, observe_copy]
    for name in dict.fromkeys(work[i][0].algorithm for i in pending):
        try:
            kernel = get_algorithm(name).kernel
        except Exception:  # noqa: BLE001 - an unknown algorithm fails in its task
            continue
        if isinstance(kernel, Kernel):
            pieces += [p for p in (kernel.init, kernel.advance, kernel.observe)
                       if p is not None and p not in pieces]
    return pieces


def _cold_start_groups(work: Sequence[Pair], pending: Sequence[int],
                       pieces: Sequence) -> list[list]:
    """What :func:`compile_in_processes` compiles on a cold cache: the loop's entry first (the
    longest), then one group per family (its distinct instances, which share its oracles)
    and per module of kernel pieces (which share its helpers), largest first: no helper or
    oracle is compiled in two processes at once."""
    from .runtime.launch import ready

    groups: dict[str, list] = {}
    for spec in {(s.family, repr(s.params)): s for s in (work[i][1] for i in pending)}.values():
        groups.setdefault(f"family {spec.family}", []).append(spec)
    for piece in pieces:
        groups.setdefault(f"module {piece.py_func.__module__}", []).append(piece)
    return [[ready], *sorted(groups.values(), key=len, reverse=True)]


_AHEAD: Sequence = ()  # what the processes of compile_in_processes compile (set before fork)


def compile_in_processes(groups: Sequence[Sequence], jobs: int,
                         compiling: Callable[[str], None] | None = None) -> None:
    """Compile into numba's disk cache, in ``jobs`` processes forked from this one (each
    takes the next group as it finishes one), each group's tasks in turn. A task is a compiled
    function (:class:`convlab.runtime.jit.LazyJit`), an instance (:class:`InstanceSpec`),
    whose oracles are compiled (an instance that cannot be built without the horizon is left
    to its worker), or a function that compiles when called
    (:func:`convlab.runtime.launch.ready`). Anything that fails there is done again, and
    reported, where it is used; so is what a process that dies (killed, out of memory) left.
    ``compiling`` is called with a line saying how many groups are done."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    global _AHEAD
    if jobs < 2 or len(groups) < 2:
        return
    _AHEAD = groups
    processes = min(jobs, len(groups))
    pool = ProcessPoolExecutor(max_workers=processes,
                               mp_context=multiprocessing.get_context("fork"),
                               initializer=_compiler_start)

    def say(done: int) -> None:
        if compiling is not None:
            compiling(f"compiling for numba's empty cache: {done}/{len(groups)} groups of "
                      f"kernels and oracles, {processes} processes")

    start = time.perf_counter()
    try:
        say(0)
        for done, _ in enumerate(pool.map(_compile_ahead, range(len(groups))), 1):
            say(done)
        if compiling is not None:
            compiling(f"compiled for numba's empty cache: {len(groups)} groups in "
                      f"{time.perf_counter() - start:.0f} s")
    except BrokenProcessPool:
        pass
    except BaseException:
        _kill_pool(pool)
        raise
    finally:
        _AHEAD = ()
    pool.shutdown(wait=True)


def _compiler_start() -> None:
    """Initializer of a compiling process: Ctrl-C is the parent's, and it ends with it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent(os.getppid())


def _compile_ahead(i: int) -> None:
    from .runtime.jit import LazyJit, has_source_file

    for task in _AHEAD[i]:
        try:
            if not isinstance(task, (InstanceSpec, LazyJit)):
                task()
                continue
            functions = (task.build().oracles.values() if isinstance(task, InstanceSpec)
                         else [task])
            for function in functions:
                if isinstance(function, LazyJit) and has_source_file(function.py_func):
                    function.compiled
        except Exception:  # noqa: BLE001 - done again, and reported, where it is used
            pass


def decided_with_plugins(plugins: Sequence[tuple[str, str | None]], pairs: Sequence[Pair]
                         ) -> list[Outcome]:
    """:func:`decided` in a worker that did not fork from this process (dask): the plugins
    loaded here (:func:`convlab.plugins.loaded`) and the installed entry points are loaded
    there first."""
    load_plugins(plugins, folder=None)
    return decided(pairs)


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
    interrupted = False
    try:
        with Client(cluster if cluster is not None else scheduler) as client:
            plugins = loaded()
            futures = {client.submit(decided_with_plugins, plugins, [work[i] for i in group],
                                     pure=False): group
                       for group in by_cost(work, pending)}
            try:
                for future in as_completed(futures):
                    for i, outcome in zip(futures[future], future.result()):
                        finish(i, outcome)
            except KeyboardInterrupt:
                interrupted = True
                client.cancel(list(futures), force=True)
                raise
    except OSError as exc:
        raise InputError(f"cannot reach the dask scheduler {scheduler!r}: {exc}") from None
    finally:
        if cluster is not None:
            if interrupted:  # a running task does not stop on request: end its process
                _kill_local_cluster(cluster)
            cluster.close(timeout=2 if interrupted else None)


def _kill_local_cluster(cluster) -> None:
    """Kill the worker processes of a dask LocalCluster (after Ctrl-C)."""
    for nanny in list(getattr(cluster, "workers", {}).values()):
        process = getattr(getattr(getattr(nanny, "process", None), "process", None), "_process",
                          None)
        pid = getattr(process, "pid", None)
        if pid:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass


def run_pairs(work: Sequence[Pair], pending: Sequence[int], finish: Finish, *, jobs: int = 1,
              executor: str = "local", scheduler: str | None = None,
              isolate: bool = False, compiling: Callable[[str], None] | None = None) -> None:
    """Decide ``work[i]`` for every ``i`` in ``pending`` with the chosen executor
    (``isolate``: in worker processes even at one job, so that Ctrl-C stops at once;
    ``compiling``: told how far compiling for an empty numba cache has got, with several
    local workers)."""
    if executor == "dask":
        run_dask(work, pending, jobs, scheduler, finish)
    elif not pending:
        return
    elif jobs <= 1 or len(pending) <= 1:
        heavy = [i for group in (groups(work, pending) if isolate else ())
                 if any(_heavy(work[i]) for i in group) for i in group]
        run_serial(work, [i for i in pending if i not in set(heavy)], finish)
        if heavy:  # forked, or from a fork server once this process ran parallel code
            run_pool(work, heavy, 1, finish)
    else:
        run_pool(work, pending, min(jobs, len(pending)), finish, compiling)


#: A pair that plans more than this many iterations x seeds, or builds more than this many bytes
#: of operands, is decided in a worker process when isolated (Ctrl-C cannot stop compiled code
#: in this process); lighter pairs take well under a second and run here, without the cost of
#: starting a worker.
ISOLATE_ITERATIONS = 2e6
ISOLATE_BYTES = 8e6


def _heavy(pair: Pair) -> bool:
    from .limits import estimate

    try:
        est = estimate(*pair)
    except Exception:  # noqa: BLE001 - a pair that cannot be planned fails fast, here
        return False
    return est.work > ISOLATE_ITERATIONS or est.instance_memory > ISOLATE_BYTES
