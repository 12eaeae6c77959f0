"""Run a kernel on a problem instance: one run, a trace recorded at checkpoints."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np

from ._jit import RECORD_COLUMNS, STATUS_DIVERGED
from .algorithms.checkpoints import checkpoints as default_checkpoints
from .algorithms.registry import get_algorithm
from .errors import InputError
from .problems.base import MEASURES, Problem
from .rates.expressions import evaluate_scalar


@dataclass(frozen=True)
class Trace:
    """What one run recorded.

    Attributes
    ----------
    k
        Recorded iteration numbers (int64, increasing).
    columns
        Record column name -> values at ``k`` (see :data:`convlab._jit.RECORD_COLUMNS`).
    diverged_at
        The checkpoint at which the run left the finite numbers (or passed the divergence
        threshold), else None. Values up to and including it are kept.
    algorithm, params, problem
        What ran: algorithm name, its resolved numeric parameters, the instance.
    """

    k: np.ndarray
    columns: Mapping[str, np.ndarray]
    diverged_at: int | None
    algorithm: str
    params: Mapping[str, float]
    problem: Problem = field(repr=False)

    @property
    def diverged(self) -> bool:
        return self.diverged_at is not None

    def measure(self, name: str) -> np.ndarray:
        """The error sequence ``name`` (one of :data:`convlab.problems.MEASURES`) at ``k``."""
        if name in self.columns:
            return self.columns[name]
        if name == "dist":
            return np.sqrt(self.columns["dist_sq"])
        if name == "grad_norm":
            return np.sqrt(self.columns["grad_norm_sq"])
        raise InputError(f"unknown measure '{name}'; known: {', '.join(MEASURES)}", field="measure")


def resolve_algorithm_params(algorithm: str, params: Mapping[str, Any] | None,
                             constants: Mapping[str, float]) -> dict[str, float]:
    """Numeric values of an algorithm's parameters: given values (numbers or expressions in the
    instance constants) or the registered defaults."""
    alg = get_algorithm(algorithm)
    params = dict(params or {})
    unknown = [k for k in params if k not in alg.param_names]
    if unknown:
        from .problems.registry import closest

        raise InputError(f"unknown parameter '{unknown[0]}' for algorithm '{algorithm}'"
                         f"{closest(unknown[0], alg.param_names)}; expected some of: "
                         f"{', '.join(alg.param_names)}", field="params")
    out = {}
    for name, default in alg.params:
        value = params.get(name, default)
        if value is None:
            raise InputError(f"algorithm '{algorithm}' needs parameter '{name}'", field="params")
        try:
            out[name] = evaluate_scalar(value, constants)
        except InputError as exc:
            raise exc.located(field=f"params.{name}") from None
    return out


def run(problem: Problem, algorithm: str, params: Mapping[str, Any] | None = None, *,
        iterations: int | None = None, checkpoints: np.ndarray | None = None) -> Trace:
    """Run ``algorithm`` on ``problem`` once and record the trace at checkpoints.

    Parameters
    ----------
    problem
        The instance.
    algorithm
        A registered algorithm name (see :data:`convlab.algorithms.ALGORITHMS`).
    params
        Algorithm parameters as numbers or expressions in ``problem.constants``; missing ones take
        the registered defaults (e.g. ``step = 1/L``).
    iterations
        Run this many iterations with the default checkpoint schedule (dense, then geometric).
    checkpoints
        Or record exactly these iterations (sorted; the run ends at the last one).
    """
    if checkpoints is None:
        if iterations is None:
            raise ValueError("give iterations or checkpoints")
        ks = default_checkpoints(iterations)
    else:
        ks = np.unique(np.asarray(checkpoints, dtype=np.int64))
        if ks.size == 0 or ks[0] < 0:
            raise ValueError("checkpoints must be non-negative and non-empty")
    values = resolve_algorithm_params(algorithm, params, problem.constants)
    kernel = get_algorithm(algorithm).kernel()
    hyper = np.array([values[n] for n in get_algorithm(algorithm).param_names], dtype=np.float64)
    rec, n, status = kernel(problem.grad.compiled, problem.gap.compiled, problem.A, problem.b,
                            problem.p, problem.x0, problem.xstar, hyper,
                            np.ascontiguousarray(ks))
    n = int(n)
    columns = {name: rec[:n, c].copy() for c, name in enumerate(RECORD_COLUMNS)}
    diverged_at = int(ks[n - 1]) if status == STATUS_DIVERGED else None
    return Trace(k=ks[:n].copy(), columns=columns, diverged_at=diverged_at, algorithm=algorithm,
                 params=values, problem=problem)
