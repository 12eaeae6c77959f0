"""Run a kernel on a problem instance: one run, a trace recorded at checkpoints."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Mapping, Sequence

import numpy as np

from .algorithms.registry import Algorithm, LegacyKernel, PythonKernel, get_algorithm
from .errors import InputError
from .problems.base import Problem
from .runtime.checkpoints import checkpoints as default_checkpoints
from .runtime.jit import STATUS_DIVERGED
from .runtime.kernel import TRACK_GRAD, TRACK_MEMO, TRACK_VALUE


@dataclass(frozen=True)
class Trace:
    """What one run recorded.

    Attributes
    ----------
    k
        Recorded iteration numbers (int64, increasing).
    points
        Point name -> array (len(k), d): the iterates the kernel records (``last``, ``avg``, ...).
    scalars
        Running scalar name -> values at ``k`` (NaN when the run did not track them).
    diverged_at
        The checkpoint at which the run left the finite numbers (or passed the divergence
        threshold), else None. Values up to and including it are kept.
    algorithm, params, problem, seed
        What ran: algorithm name, its resolved numeric parameters, the instance, the seed.
    """

    k: np.ndarray
    points: Mapping[str, np.ndarray]
    scalars: Mapping[str, np.ndarray]
    diverged_at: int | None
    algorithm: str
    params: Mapping[str, float]
    problem: Problem = field(repr=False)
    seed: int = 0

    @property
    def diverged(self) -> bool:
        return self.diverged_at is not None

    def measure(self, name: str, iterate: str = "last") -> np.ndarray:
        """The error sequence ``name`` at ``k``: a running scalar of the kernel, or a measure of
        the problem evaluated at the recorded point ``iterate``."""
        if name in self.scalars:
            return self.scalars[name]
        if iterate not in self.points:
            from .names import closest

            raise InputError(f"algorithm '{self.algorithm}' records no iterate '{iterate}'"
                             f"{closest(iterate, self.points)}; it records: "
                             f"{', '.join(self.points)}", field="iterate")
        return self.problem.measure(name, self.points[iterate])

    def floor(self, name: str) -> float:
        """Floor of measure ``name`` (a running scalar follows the measure it is made of)."""
        base = {"best_f_gap": "f_gap", "min_grad_norm_sq": "grad_norm_sq",
                "avg_grad_norm_sq": "grad_norm_sq"}.get(name, name)
        return self.problem.floor(base)


def resolve_algorithm_params(algorithm: str, params: Mapping[str, Any] | None,
                             constants: Mapping[str, float]) -> dict[str, float]:
    """Numeric values of an algorithm's parameters: given values (numbers or expressions in the
    instance constants) or the registered defaults."""
    alg = get_algorithm(algorithm)
    params = dict(params or {})
    unknown = [k for k in params if k not in alg.param_names]
    if unknown:
        from .names import closest

        raise InputError(f"unknown parameter '{unknown[0]}' for algorithm '{algorithm}'"
                         f"{closest(unknown[0], alg.param_names)}; expected some of: "
                         f"{', '.join(alg.param_names) or 'none'}", field="params")
    raw = {}
    for name, default in alg.params:
        value = params.get(name, default)
        if value is None:
            raise InputError(f"algorithm '{algorithm}' needs parameter '{name}'", field="params")
        raw[name] = value
    try:  # the same parameters on the same instance resolve to the same numbers
        key = (tuple((k, type(v), v) for k, v in raw.items()), tuple(constants.items()))
        hash(key)
    except TypeError:  # a value that is not hashable: resolve it (and let it be refused)
        return _resolve_in_order(raw, constants)
    return dict(_resolve_memo(key))


@lru_cache(maxsize=4096)
def _resolve_memo(key: tuple) -> dict[str, float]:
    """:func:`_resolve_in_order` of ``(raw items, constants items)``, remembered (a run's fixed
    cost is otherwise mostly evaluating ``step = 1/L`` again)."""
    raw, constants = key
    return _resolve_in_order({k: v for k, _, v in raw}, dict(constants))


def _resolve_in_order(raw: Mapping[str, Any], constants: Mapping[str, float]
                      ) -> dict[str, float]:
    """Evaluate parameter expressions that may use the constants and each other (``beta =
    "1 - 1/K"`` with ``K`` another parameter), each once its names are known; a circle or an
    unknown name is an :class:`InputError` naming the parameter."""
    from .rates.expressions import evaluate_scalar, free_names, parse_expression

    names = {}
    for name, value in raw.items():
        try:
            names[name] = free_names(parse_expression(value)) if isinstance(value, str) else set()
        except InputError as exc:
            raise exc.located(field=f"params.{name}") from None
    out: dict[str, float] = {}
    pending = dict(raw)
    while pending:
        scope = {**constants, **out}
        ready = [n for n in pending
                 if not (names[n] & set(pending)) or names[n] <= set(constants)]
        if not ready:  # a circle: report the first parameter with the names it waits for
            name = next(iter(pending))
            raise InputError(f"parameter expression {pending[name]!r} depends on itself through "
                             f"{', '.join(sorted(names[name] & set(pending)))}",
                             field=f"params.{name}")
        for name in ready:
            try:
                out[name] = evaluate_scalar(pending.pop(name), scope)
            except InputError as exc:
                raise exc.located(field=f"params.{name}") from None
    return {n: out[n] for n in raw}


def bound_scope(trace_or_problem: "Trace | Problem", params: Mapping[str, float] | None = None,
                context: Mapping[str, float] | None = None) -> dict[str, float]:
    """The names a bound may use for a run: the instance's constants (its certified constants
    and numeric family parameters), the algorithm's resolved parameters (a step, a momentum, a
    restart period) and the run's context (the horizon ``N``, a swept symbol), in increasing
    precedence. A parameter may not shadow a constant with a different value."""
    if isinstance(trace_or_problem, Trace):
        problem = trace_or_problem.problem
        params = dict(trace_or_problem.params) if params is None else params
    else:
        problem = trace_or_problem
    scope = dict(problem.constants)
    for name, value in (params or {}).items():
        if name in scope and scope[name] != value:
            continue  # the instance's constant keeps its name (e.g. a parameter named L)
        scope[name] = float(value)
    scope.update(context or {})
    return scope


def check_fit(problem: Problem, algorithm: str) -> None:
    """Refuse (InputError) an algorithm that needs an oracle the problem does not provide."""
    alg = get_algorithm(algorithm)
    missing = [kind for kind in alg.needs if not problem.provides(kind)]
    if missing:
        raise InputError(f"algorithm '{algorithm}' needs the {', '.join(missing)} oracle(s), "
                         f"which family '{problem.family}' does not provide", field="algorithm")


def _prepare(problem: Problem, algorithm: str, params, iterations, checkpoints, context):
    """Checkpoints, the resolved parameters and the hyper array of one run."""
    if checkpoints is None:
        if iterations is None:
            raise ValueError("give iterations or checkpoints")
        ks = default_checkpoints(iterations)
    else:
        ks = np.unique(np.asarray(checkpoints, dtype=np.int64))
        if ks.size == 0 or ks[0] < 0:
            raise ValueError("checkpoints must be non-negative and non-empty")
    check_fit(problem, algorithm)
    alg = get_algorithm(algorithm)
    scope = dict(problem.constants)
    scope.setdefault("N", float(ks[-1]))
    scope.update(context or {})
    values = resolve_algorithm_params(algorithm, params, scope)
    return np.ascontiguousarray(ks), alg, values, alg.hyper_array(values)


def track_bits(track: bool | int) -> int:
    """The loop's ``track`` bits: True asks for every running quantity, an int is taken as
    bits (:data:`~convlab.runtime.kernel.TRACK_VALUE`, ``TRACK_GRAD``)."""
    if track is True:
        return TRACK_VALUE | TRACK_GRAD
    return int(track or 0)


def _launch(alg: Algorithm, problem: Problem, hyper: np.ndarray, ks: np.ndarray,
            seeds: np.ndarray, track: int, parallel: bool):
    """Run the kernel of ``alg`` for each seed: stacked (points, scalars, counts, status)."""
    from .runtime.loop import driver, init_nothing, method_batch, observe_copy, seed_batch
    from .runtime.launch import available as launch_available, launch

    kernel = alg.kernel
    if isinstance(kernel, PythonKernel):
        values = {name: float(v) for name, v in zip(kernel.hyper, hyper)}
        outs = [run_python_kernel(kernel, problem, values, ks, int(seed), track) for seed in seeds]
        return (np.stack([o[0] for o in outs]), np.stack([o[1] for o in outs]),
                np.array([o[2] for o in outs]), np.array([o[3] for o in outs]))
    oracles = problem.oracle_tuple()
    args = (oracles, problem.A, problem.b, problem.p, problem.x0, hyper, ks)
    if isinstance(kernel, LegacyKernel):
        n_points, n_scalars = len(kernel.points), max(len(kernel.record_scalars), 1)
        if parallel and seeds.size > 1:
            return method_batch()(kernel.method.compiled, *args, seeds, track, n_points,
                                  n_scalars)
        outs = [kernel.method.compiled(*args, int(seed), track) for seed in seeds]
    else:
        if track & TRACK_GRAD and problem.gradient_memo:
            track |= TRACK_MEMO  # the tracked gradient and the kernel's share their exact part
        values = dict(zip(kernel.hyper, hyper))
        layout = (kernel.n_rows(values, problem.dim, ks.size), len(kernel.points),
                  kernel.n_state, len(kernel.scalars))
        pieces = ((kernel.init or init_nothing).compiled, kernel.advance.compiled,
                  (kernel.observe or observe_copy).compiled)
        if launch_available():  # addresses resolved once: no per-call typing of functions
            return launch(pieces, oracles, *args[1:], seeds, track, layout, parallel)
        if parallel and seeds.size > 1:
            return seed_batch()(*pieces, *args, seeds, track, *layout)
        loop = driver()
        outs = [loop(*pieces, *args, int(seed), track, *layout) for seed in seeds]
    return (np.stack([o[0] for o in outs]), np.stack([o[1] for o in outs]),
            np.array([o[2] for o in outs]), np.array([o[3] for o in outs]))


class PythonOracles:
    """The instance's compiled oracles as Python callables returning new arrays (for methods
    written in plain Python: :class:`~convlab.algorithms.registry.PythonKernel`,
    :func:`convlab.testing.run_python`)."""

    def __init__(self, problem: Problem, seed: int = 0) -> None:
        self.problem = problem
        self.seed = int(seed)

    def _x(self, x: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(x, dtype=np.float64)

    def grad(self, x: np.ndarray) -> np.ndarray:
        """∇f(x) (a subgradient, or the operator of a VI)."""
        out = np.empty(self.problem.dim)
        pr = self.problem
        pr.oracle("grad")(pr.A, pr.b, pr.p, self._x(x), out)
        return out

    def value(self, x: np.ndarray) -> float:
        """f(x) − f*, computed without cancellation."""
        pr = self.problem
        return float(pr.oracle("value")(pr.A, pr.b, pr.p, self._x(x)))

    def prox(self, x: np.ndarray, step: float) -> np.ndarray:
        """prox_{step·g}(x) (a projection for a constrained problem)."""
        out = np.empty(self.problem.dim)
        pr = self.problem
        pr.oracle("prox")(pr.A, pr.b, pr.p, self._x(x), float(step), out)
        return out

    def lmo(self, g: np.ndarray) -> np.ndarray:
        """A minimiser of ⟨g, s⟩ over the feasible set."""
        out = np.empty(self.problem.dim)
        pr = self.problem
        pr.oracle("lmo")(pr.A, pr.b, pr.p, self._x(g), out)
        return out

    def hess(self, x: np.ndarray) -> np.ndarray:
        """∇²f(x)."""
        out = np.empty((self.problem.dim, self.problem.dim))
        pr = self.problem
        pr.oracle("hess")(pr.A, pr.b, pr.p, self._x(x), out)
        return out

    def sample(self, t: int) -> int:
        """The sample of iteration t of this run (a pure function of the seed and t)."""
        from .runtime.random import sample_id

        return int(sample_id(self.seed, int(t)))

    def sgrad(self, x: np.ndarray, t: int, s: int | None = None) -> np.ndarray:
        """A stochastic gradient at x for iteration t (sample s, by default
        :meth:`sample` (t))."""
        out = np.empty(self.problem.dim)
        pr = self.problem
        s = self.sample(t) if s is None else int(s)
        pr.oracle("sgrad")(pr.A, pr.b, pr.p, self._x(x), int(t), s, out)
        return out


def run_python_kernel(kernel: PythonKernel, problem: Problem, params: Mapping[str, float],
                      ks: np.ndarray, seed: int, track: int):
    """The loop of a method in plain Python: its generator's iterates recorded at the
    checkpoints ``ks``, with the running quantities of ``track`` and the divergence check of
    the compiled loop. Returns (points (m, P, d), scalars (m, 3), n_recorded, status)."""
    from types import SimpleNamespace

    from .runtime.jit import DIVERGENCE_THRESHOLD, STATUS_OK

    d, m, n_points = problem.dim, ks.size, len(kernel.points)
    points = np.full((m, n_points, d), np.nan)
    scalars = np.full((m, len(kernel.record_scalars)), np.nan)
    oracles = PythonOracles(problem, seed)
    names = SimpleNamespace(**{**problem.constants, "N": float(ks[-1]), **params,
                               "seed": int(seed)})
    best, g_min, g_sum = np.inf, np.inf, 0.0
    j, status, last = 0, STATUS_OK, None
    with np.errstate(all="ignore"):
        for k, item in enumerate(kernel.method(oracles, problem.x0.copy(), names)):
            pts = item if isinstance(item, tuple) else (item,)
            if len(pts) != n_points:
                raise ValueError(f"python method {kernel.name} yielded {len(pts)} point(s); it "
                                 f"declares {n_points}: {', '.join(kernel.points)}")
            last = np.array([np.asarray(x, dtype=float).reshape(d) for x in pts])
            if track & 1:
                best = min(best, oracles.value(last[0]))
            if track & 2:
                g = oracles.grad(last[0])
                g_min, g_sum = min(g_min, float(g @ g)), g_sum + float(g @ g)
            if k < ks[j]:
                continue
            points[j] = last
            scalars[j, :3] = (best if track & 1 else np.nan, g_min if track & 2 else np.nan,
                              g_sum / (k + 1) if track & 2 else np.nan)
            j += 1
            x = last[0]
            if not np.all(np.isfinite(x)) or np.abs(x).max() > DIVERGENCE_THRESHOLD:
                return points, scalars, j, STATUS_DIVERGED
            if j == m:
                break
        else:  # the method finished early: its last state holds at every later checkpoint
            if last is None:
                raise ValueError(f"python method {kernel.name} yielded no iterate")
            points[j:] = last
            scalars[j:] = scalars[j - 1] if j else np.nan
            j = m
    return points, scalars, j, status


def _trace(problem, alg, values, ks, points, scalars, n, status, seed) -> Trace:
    n = int(n)
    return Trace(
        k=ks[:n].copy(),
        points={name: points[:n, slot].copy() for slot, name in enumerate(alg.points)},
        scalars={name: scalars[:n, c].copy() for c, name in enumerate(alg.scalars)},
        diverged_at=int(ks[n - 1]) if status == STATUS_DIVERGED else None,
        algorithm=alg.name, params=values, problem=problem, seed=int(seed))


def algorithm_name(algorithm: str | Algorithm) -> str:
    """The registry name of ``algorithm``: a name as given, or an :class:`Algorithm` declared
    in user code, registered on first use (registering the same declaration again is a
    no-op)."""
    if isinstance(algorithm, Algorithm):
        from .algorithms.registry import register

        return register(algorithm).name
    return algorithm


def run(problem: Problem, algorithm: str | Algorithm, params: Mapping[str, Any] | None = None, *,
        iterations: int | None = None, checkpoints: np.ndarray | None = None, seed: int = 0,
        track: bool = False, context: Mapping[str, float] | None = None) -> Trace:
    """Run ``algorithm`` on ``problem`` once and record the trace at checkpoints.

    Parameters
    ----------
    problem
        The instance.
    algorithm
        A registered algorithm name (see :data:`convlab.algorithms.ALGORITHMS`), or an
        :class:`~convlab.algorithms.registry.Algorithm` of one's own (registered on first use).
    params
        Algorithm parameters as numbers or expressions in ``problem.constants`` (and
        ``context``); missing ones take the registered defaults (e.g. ``step = 1/L``).
    iterations
        Run this many iterations with the default checkpoint schedule (dense, then geometric).
    checkpoints
        Or record exactly these iterations (sorted; the run ends at the last one).
    seed
        Seed of a stochastic kernel (ignored by deterministic ones).
    track
        Keep the running quantities that need every iterate (best value, min and mean squared
        gradient norm): True for all, or the bits ``TRACK_VALUE`` (an extra value call per
        iteration) and ``TRACK_GRAD`` (an extra gradient call).
    context
        Extra names for parameter expressions, e.g. the horizon ``N`` (defaults to the last
        checkpoint).
    """
    algorithm = algorithm_name(algorithm)
    ks, alg, values, hyper = _prepare(problem, algorithm, params, iterations, checkpoints,
                                      context)
    points, scalars, n, status = _launch(alg, problem, hyper, ks, np.array([int(seed)]),
                                         track_bits(track), parallel=False)
    return _trace(problem, alg, values, ks, points[0], scalars[0], n[0], status[0], seed)


#: Seeds per parallel batch of :func:`run_seeds` (bounds the memory of one batch).
SEED_BATCH = 256


def run_seeds(problem: Problem, algorithm: str | Algorithm, params: Mapping[str, Any] | None = None, *,
              seeds: Sequence[int] = range(1), iterations: int | None = None,
              checkpoints: np.ndarray | None = None, track: bool = False,
              context: Mapping[str, float] | None = None, parallel: bool = True
              ) -> list[Trace]:
    """One run per seed, the seeds spread over the CPU cores (numba ``prange``).

    Each seed's run is the same pure function of the seed as :func:`run` (counter-based random
    numbers), so the traces are bitwise identical to serial runs, whatever the number of
    threads. Arguments as for :func:`run`; ``parallel=False`` runs the seeds one after the
    other in this thread.
    """
    seeds = [int(s) for s in seeds]
    algorithm = algorithm_name(algorithm)
    ks, alg, values, hyper = _prepare(problem, algorithm, params, iterations, checkpoints,
                                      context)
    traces: list[Trace] = []
    for start in range(0, len(seeds), SEED_BATCH):
        chunk = np.array(seeds[start:start + SEED_BATCH], dtype=np.int64)
        points, scalars, counts, status = _launch(alg, problem, hyper, ks, chunk,
                                                  track_bits(track), parallel)
        for i, seed in enumerate(chunk):
            traces.append(_trace(problem, alg, values, ks, points[i], scalars[i], counts[i],
                                 status[i], seed))
    return traces


def iterations_to_target(sequence, target: float, iterations: int) -> float | None:
    """N(target) = 1 + the last k at which a recorded error exceeds ``target`` (0 if none does),
    exact for the recorded sequence; None when the target is not reached within ``iterations``.

    ``sequence(checkpoints)`` returns ``(k, errors)`` for the given checkpoints (None: the
    default schedule up to ``iterations``). A first call at the default checkpoints brackets
    the last crossing; a second records every iteration inside the bracket, so no run stores
    more than the bracket.
    """
    k, e = sequence(None)
    above = np.flatnonzero(np.asarray(e) > target)
    if above.size == 0:
        return 0.0
    if above[-1] == len(e) - 1:
        return None
    lo, hi = int(k[above[-1]]), int(k[above[-1] + 1])
    dense = np.arange(lo, hi + 1)
    k_fine, e_fine = sequence(dense)
    return float(k_fine[np.flatnonzero(np.asarray(e_fine) > target)[-1]] + 1)
