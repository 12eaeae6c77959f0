"""Resource limits: a claim's memory and work, estimated from its plan before anything is built.

A claim file is data from anyone, and a size in it (the dimension of an instance, the seeds,
the iterations, the horizons, the swept values) can ask for more than the machine has: a dense
matrix of 74.5 GiB, 7.5 GB of records for 100,000 seeds, a horizon of 10**10 iterations that
runs for hours. Before a pair runs, :func:`check_budget` estimates from its design's first plan
(:func:`convlab.designs.first_plan`; no instance is built) and the family's declared memory
(:meth:`convlab.problems.family.Family.estimate_memory`):

- **memory**: the largest instance the plan builds (the family's estimate of its operands, for
  each run's context: a horizon N, a swept value) plus the records of its largest run, seeds x
  checkpoints x (points x d + scalars) doubles, twice (the batch and the traces);
- **work**: iterations x seeds of the whole design (:func:`convlab.designs.estimated_cost`),
  with seed escalation up to ``max_seeds``, plus the build of the largest instance counted in
  iterations: a dense factorization of its operands, (operand doubles)**1.5 flops at
  :data:`BUILD_FLOPS` a second, against :data:`NS_PER_ITERATION` an iteration (a quadratic with
  d = 20,000 is an hour's eigendecomposition before its first iteration).

A pair over the :class:`Budget` (default: half of this machine's memory, or of the container's
limit; 10**9 iterations x seeds) is refused with an :class:`~convlab.errors.InputError` that
names the file, the claim and the field that drives the estimate, and gives the estimate; the
command line changes the budget with ``--max-memory`` and ``--max-iterations``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import lru_cache

from .algorithms.registry import get_algorithm
from .claims import Claim
from .designs import estimated_cost, first_plan
from .errors import InputError
from .outcomes import Outcome
from .problems.registry import InstanceSpec, get_family, resolve_parameters

#: Default work budget of one pair, in iterations x seeds (the catalog's largest pair plans
#: 6.4e7; at about 150 ns per iteration of a small problem, 1e9 is a few minutes, and hours at
#: large dimensions).
DEFAULT_ITERATIONS = 1e9

#: Nanoseconds per iteration of a small problem (d = 10) measured on the reference machine; only
#: used to state a time in messages.
NS_PER_ITERATION = 150.0

#: Flops a second assumed for building an instance (a dense factorization, one thread).
BUILD_FLOPS = 1e9

#: Integer family parameters that are not a dimension.
_NOT_DIMENSIONS = {"seed", "batch", "topk", "support", "zeros", "pieces", "s", "r", "width", "J",
                   "T"}


@lru_cache(maxsize=None)
def machine_memory() -> float:
    """Bytes of memory of this machine, or of the container's limit when lower (cgroups)."""
    total = 0.0
    try:
        total = float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        pass
    for path in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            text = open(path, encoding="ascii").read().strip()
        except OSError:
            continue
        if text.isdigit() and 0 < int(text) < (total or float("inf")):
            total = float(text)
    return total or 8.0 * 2**30


@dataclass(frozen=True)
class Budget:
    """What one (claim, instance) pair may use: ``memory`` in bytes (default: half of
    :func:`machine_memory`), ``iterations`` in iterations x seeds."""

    memory: float = field(default_factory=lambda: machine_memory() / 2)
    iterations: float = DEFAULT_ITERATIONS


@dataclass(frozen=True)
class Estimate:
    """What a pair's design will use, estimated from its first plan (see the module docstring).

    ``instance_memory`` is the largest instance's operands, ``records_memory`` the records of
    the largest run, ``iterations`` the runs' work in iterations x seeds, ``build`` the build
    of the largest instance in iterations; ``context`` the run context of the largest instance
    (a horizon, a swept value), ``dimension`` the dimension assumed for the records.
    """

    instance_memory: float
    records_memory: float
    iterations: float
    dimension: int = 1
    context: tuple[tuple[str, float], ...] = ()
    build: float = 0.0

    @property
    def memory(self) -> float:
        return self.instance_memory + self.records_memory

    @property
    def work(self) -> float:
        """Iterations x seeds and the build, in iterations."""
        return self.iterations + self.build


def _dimension(values: dict) -> int:
    """The dimension of an instance from its parameters, as families name it (d; dx + dy;
    otherwise the largest size parameter); 1 when it has none."""
    if "d" in values:
        return max(1, int(values["d"]))
    if "dx" in values or "dy" in values:
        return max(1, int(values.get("dx", 0)) + int(values.get("dy", 0)))
    sizes = [int(v) for k, v in values.items() if k not in _NOT_DIMENSIONS
             and isinstance(v, int) and not isinstance(v, bool)]
    return max([1, *sizes])


def estimate(claim: Claim, instance: InstanceSpec) -> Estimate:
    """The memory and work of ``claim`` on ``instance`` (no instance is built). Raises
    :class:`InputError` when the instance's parameters do not resolve (the pair would fail
    with the same message)."""
    family = get_family(instance.family)
    algorithm = get_algorithm(claim.algorithm)
    plan = first_plan(claim, instance)
    escalation = max(1.0, claim.max_seeds / max(claim.seeds, 1))
    per_point = len(algorithm.points)
    per_record = 3 + len(getattr(algorithm, "scalars", ()) or ())
    instance_memory = records = 0.0
    dimension, where = 1, ()
    for run in plan.runs:
        values = resolve_parameters(instance.family, instance.params, dict(run.context) or None)
        operands = family.estimate_memory(values)
        d = _dimension(values)
        if operands >= instance_memory:
            instance_memory, where = operands, run.context
        dimension = max(dimension, d)
        seeds = len(run.seeds) * escalation
        records = max(records, 2 * 8.0 * seeds * len(run.checkpoints) * (per_point * d
                                                                          + per_record))
    build = (instance_memory / 8.0) ** 1.5 / BUILD_FLOPS / (NS_PER_ITERATION * 1e-9)
    return Estimate(instance_memory, records, float(estimated_cost(claim, instance)) * escalation,
                    dimension, where, build)


def _size(n: float) -> str:
    for unit, scale in (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= scale:
            return f"{n / scale:.3g} {unit}"
    return f"{n:.0f} bytes"


def _duration(seconds: float) -> str:
    for unit, scale in (("days", 86400), ("hours", 3600), ("minutes", 60)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds:.3g} s"


def check_budget(claim: Claim, instance: InstanceSpec, budget: Budget) -> InputError | None:
    """None when the pair fits the budget; otherwise the error that refuses it, naming the
    field that drives the estimate and giving the estimate."""
    try:
        est = estimate(claim, instance)
    except Exception:  # noqa: BLE001 - a pair that cannot be planned fails in its task
        return None
    where = dict(file=claim.file, claim=claim.id)
    if est.memory > budget.memory:
        if est.instance_memory >= est.records_memory:
            context = ", ".join(f"{k} = {v:g}" for k, v in est.context)
            what = (f"instance '{instance.name}' ({instance.family}"
                    + (f" at {context}" if context else "") + f") holds about "
                    f"{_size(est.instance_memory)} of operands")
            field_name = f"instances.{instance.name}"
        else:
            what = (f"the records of {claim.max_seeds} seed(s) x checkpoints x dimension "
                    f"{est.dimension} take about {_size(est.records_memory)}")
            field_name = "seeds" if claim.max_seeds > 1 else (
                "horizons" if claim.design == "horizon" else "iterations")
        return InputError(f"needs about {_size(est.memory)} of memory ({what}), over the budget "
                          f"of {_size(budget.memory)} (--max-memory)", field=field_name, **where)
    if est.work > budget.iterations:
        seconds = est.work * NS_PER_ITERATION * 1e-9
        if est.build > est.iterations:
            field_name = f"instances.{instance.name}"
            what = (f"building instance '{instance.name}' ({_size(est.instance_memory)} of "
                    f"operands) counts as about {est.build:.3g} iterations")
        else:
            field_name = {"horizon": "horizons", "scaling": "sweep"}.get(claim.design,
                                                                         "iterations")
            if claim.max_seeds > 1 and claim.design != "horizon" \
                    and claim.max_seeds * 1000 > claim.iterations:
                field_name = "seeds"
            what = f"plans about {est.iterations:.3g} iterations x seeds"
        return InputError(f"{what} (at {NS_PER_ITERATION:g} ns an iteration, "
                          f"{_duration(seconds)} or more), over the budget of "
                          f"{budget.iterations:.3g} (--max-iterations)", field=field_name,
                          **where)
    return None


def refused(claim: Claim, instance: InstanceSpec, error: InputError) -> Outcome:
    """The outcome of a pair refused before it ran."""
    return Outcome(claim=claim, instance=instance.name,
                   expected=claim.expected_for(instance.name), design=claim.design, error=error)


_UNITS = {"": 1, "b": 1, "k": 1e3, "kb": 1e3, "m": 1e6, "mb": 1e6, "g": 1e9, "gb": 1e9,
          "t": 1e12, "tb": 1e12, "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}


def parse_size(text: str) -> float:
    """Bytes from ``"8G"``, ``"512 MiB"``, ``"2.5e9"`` (k, M, G, T are powers of 1000; KiB,
    MiB, GiB, TiB of 1024). Raises :class:`InputError` on anything else."""
    match = re.fullmatch(r"\s*([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*([A-Za-z]*)\s*", str(text))
    unit = match.group(2).lower() if match else None
    if match is None or unit not in _UNITS:
        raise InputError(f"expected a size such as 8G, 512MiB or 2e9 bytes, got {text!r}",
                         field="--max-memory")
    value = float(match.group(1)) * _UNITS[unit]
    if not value > 0:
        raise InputError(f"expected a positive size, got {text!r}", field="--max-memory")
    return value
