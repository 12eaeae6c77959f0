"""Falsification: search a claim's problem class for an instance that violates its bound.

A claim names instances; its optional ``search`` table widens the first of them into a class,
in one of two ways.

**A box of one family's parameters**, e.g. ``search = { mu = [1e-6, 1.0], d = [1, 50],
x0 = ["random", "ones"] }``: numeric ranges (floats drawn log-uniformly when the range spans
more than two decades) or lists of choices. hypothesis draws instances from the box, steered by
``target()`` towards a larger worst ratio e_k / B(k), and shrinks a violating instance to a
simple one (small integers, round floats, the first choices). A box certifies nothing beyond
the family: a search over quadratics never meets the Huber function that is GD's worst case.

**A nonparametric class** (:mod:`convlab.problems.function_classes`), e.g.
``search = { class = "smooth-convex", pieces = 3, d = 1 }``: piecewise-quadratic functions with
curvature in [mu, L] (or monotone operators), dense in the class the theorem is about. A member
is a point θ of the unit cube; L, mu and R are the first instance's unless the table gives
them. The search has three phases, all through the compiled kernel (many members per call,
:class:`ClassObjective`):

1. hypothesis proposes ``instances`` members, steered by ``target()``; a violation found here
   is shrunk by hypothesis;
2. ``population`` uniformly random members are evaluated in one batch;
3. from the ``starts`` best members seen, L-BFGS-B (scipy) climbs log(e_k/B(k)) with
   forward-difference gradients (each gradient one batch of n + 1 members), and stops at the
   first violation, which is then simplified greedily (coordinates of θ rounded or set to 0 or
   1 while the violation persists).

A violation is confirmed on the member built as a :class:`~convlab.problems.base.Problem` and
run the ordinary way (:func:`convlab.run` and :func:`convlab.check_rate`); the result reports
the worst ratio, the member's θ, and the confirmation. Only explicit bounds can be falsified (an
O(·) claim has no constant to exceed), and the class search needs a deterministic kernel of the
kernel contract and an anytime or horizon design.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any, Mapping

import numpy as np

from .claims import Claim
from .errors import InputError
from .problems.registry import InstanceSpec, family_schema
from .rates.expressions import evaluate, free_names, is_order, parse_expression


@dataclass
class FalsifyResult:
    """What a falsification search found.

    Attributes
    ----------
    falsified
        Whether an instance with worst ratio above 1 + rtol (or a diverged run) was found.
    ratio
        Worst ratio e_k/B(k) of the reported instance (inf for a diverged run).
    params
        Parameters of the reported instance: the shrunk counterexample when falsified, else the
        worst instance seen. For a class search: ``class``, its size and ``theta``.
    at
        Where its worst ratio is (the iteration or horizon).
    examples
        Instances hypothesis proposed (the ``instances`` budget).
    worst_seen
        (ratio, params) of the worst instance seen during the search.
    evaluations
        Instances evaluated in all (hypothesis, population, climb, simplification).
    seconds
        CPU time of the search.
    search
        ``"box"`` or ``"class"``.
    theta
        The reported class member's θ (class search), else None.
    confirmation
        The checker's summary on the reported member run the ordinary way (class search).
    problem
        The reported class member as a :class:`~convlab.problems.base.Problem` (class search).
    """

    falsified: bool
    ratio: float
    params: dict[str, Any]
    at: float | None
    examples: int
    worst_seen: tuple[float, dict[str, Any]] = field(default_factory=lambda: (-math.inf, {}))
    evaluations: int = 0
    seconds: float = 0.0
    search: str = "box"
    theta: np.ndarray | None = field(default=None, repr=False)
    confirmation: str = ""
    problem: Any = field(default=None, repr=False)


class _Counterexample(Exception):
    def __init__(self, ratio: float, params: Any, at: float | None) -> None:
        super().__init__(f"ratio {ratio}")
        self.ratio, self.params, self.at = ratio, params, at


class _Stop(Exception):
    """The climb found a violation or ran out of time."""


def _check_claim(claim: Claim) -> None:
    if claim.kind not in ("upper", "tight") or is_order(parse_expression(claim.bound,
                                                                         allow_order=True)):
        raise InputError("falsify needs an upper or tight claim with an explicit bound",
                         field="bound")


def _budget(instances: int | None, budget: int | None, default: int) -> int:
    if instances is not None and budget is not None and instances != budget:
        raise InputError("give instances or its former name budget, not both", field="instances")
    value = instances if instances is not None else budget if budget is not None else default
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InputError(f"expected a number of instances >= 0, got {value!r}",
                         field="instances")
    return value


def falsify(claim: Claim, instance: InstanceSpec | None = None, *, instances: int | None = None,
            budget: int | None = None, seed: int = 0, space: Mapping[str, Any] | None = None,
            starts: int = 3, population: int = 256, time_limit: float | None = None
            ) -> FalsifyResult:
    """Search the claim's class for an instance whose errors exceed the bound.

    Parameters
    ----------
    claim
        An upper or tight claim with an explicit bound.
    instance
        The instance to widen (default: the claim's first).
    instances
        Instances hypothesis proposes (its ``max_examples``; shrinking not counted). Default
        100 for a box, 20 for a class (whose search goes on with a population and a climb).
    budget
        The former name of ``instances``.
    seed
        Seed of the search (the search is reproducible).
    space
        The class: a box (parameter -> [low, high] or a list of choices) or a table naming a
        class (``{"class": "smooth-convex", "pieces": 3}``); default: the claim's ``search``.
    starts, population
        Class search: members climbed from, and random members evaluated before the climb.
    time_limit
        Stop the search after this many CPU seconds (None: no limit); the result then
        reports the worst instance found so far.
    """
    _check_claim(claim)
    instance = instance or claim.instances[0]
    space = dict(space if space is not None else claim.search or {})
    if not space:
        raise InputError("nothing to search: give the claim a search table, e.g. "
                         "search = { class = \"smooth-convex\", pieces = 3 } or "
                         "search = { mu = [1e-6, 1.0] }", field="search")
    if time_limit is not None and not (isinstance(time_limit, (int, float))
                                       and time_limit > 0):
        raise InputError(f"expected a positive time limit in seconds, got {time_limit!r}",
                         field="time_limit")
    if "class" in space:
        return _falsify_class(claim, instance, space, _budget(instances, budget, 20), seed,
                              starts, population, time_limit)
    return _falsify_box(claim, instance, space, _budget(instances, budget, 100), seed,
                        time_limit)


# -- a box of one family's parameters -------------------------------------------------------------

def _strategy(family: str, space: Mapping[str, Any]):
    from hypothesis import strategies as st

    schema = family_schema(family)
    parts = {}
    for name, spec in space.items():
        if name not in schema:
            raise InputError(f"family '{family}' has no parameter '{name}'", field=f"search.{name}")
        kind = schema[name][0]
        if isinstance(spec, list) and len(spec) == 2 and all(
                isinstance(v, (int, float)) and not isinstance(v, bool) for v in spec) \
                and kind in (int, float):
            lo, hi = spec
            if not lo <= hi:
                raise InputError(f"expected [low, high], got {spec}", field=f"search.{name}")
            if kind is int:
                parts[name] = st.integers(int(lo), int(hi))
            elif lo > 0 and hi / lo > 100:
                parts[name] = st.floats(math.log10(lo), math.log10(hi)).map(lambda t: 10.0 ** t)
            else:
                parts[name] = st.floats(float(lo), float(hi))
        elif isinstance(spec, list) and spec:
            parts[name] = st.sampled_from(spec)
        else:
            raise InputError("expected [low, high] or a list of choices", field=f"search.{name}")
    return st.fixed_dictionaries(parts)


def worst_ratio(claim: Claim, instance: InstanceSpec) -> tuple[float, float | None]:
    """Worst e_k/B(k) of ``claim`` on ``instance`` (inf when the run diverges)."""
    from .verify import verify_claim

    outcome = verify_claim(claim, instance)
    if outcome.problem_text is not None:
        raise InputError(outcome.problem_text)
    ev = outcome.check.evidence
    if outcome.check.verdict.value == "diverged":
        return math.inf, ev.get("diverged_at")
    if "worst_ratio" not in ev:
        return -math.inf, None  # no usable point: nothing to learn from this instance
    return float(ev["worst_ratio"]), float(ev["worst_at"])


def _hypothesis_settings(examples: int, seed: int):
    from hypothesis import HealthCheck, Phase, seed as hyp_seed, settings

    def wrap(fn):
        return hyp_seed(seed)(settings(max_examples=max(examples, 1), deadline=None,
                                       database=None, derandomize=False,
                                       phases=[Phase.generate, Phase.target, Phase.shrink],
                                       suppress_health_check=list(HealthCheck))(fn))

    return wrap


def _falsify_box(claim: Claim, instance: InstanceSpec, space: Mapping[str, Any], examples: int,
                 seed: int, time_limit: float | None) -> FalsifyResult:
    from hypothesis import given, target

    start = time.process_time()
    strategy = _strategy(instance.family, space)
    state = {"worst": (-math.inf, {}), "examples": 0, "at": None}

    @_hypothesis_settings(examples, seed)
    @given(strategy)
    def search(params: dict[str, Any]) -> None:
        if time_limit is not None and time.process_time() - start > time_limit and \
                state["examples"] > 0:
            return
        state["examples"] += 1
        spec = replace(instance, params={**instance.params, **params})
        try:
            ratio, at = worst_ratio(claim, spec)
        except InputError:
            return  # an invalid corner of the box (e.g. mu > L): not a member of the class
        if ratio > state["worst"][0]:
            state["worst"], state["at"] = (ratio, dict(params)), at
        target(min(math.log(ratio), 700.0) if ratio > 0 else -700.0, label="log worst ratio")
        if ratio > 1 + claim.rtol:
            raise _Counterexample(ratio, dict(params), at)

    done = dict(examples=0, search="box")
    try:
        if examples:
            search()
    except _Counterexample as found:  # hypothesis re-raises the shrunk example
        done.update(examples=state["examples"], evaluations=state["examples"],
                    seconds=time.process_time() - start)
        return FalsifyResult(True, found.ratio, {**instance.params, **found.params}, found.at,
                             worst_seen=state["worst"], **done)
    ratio, params = state["worst"]
    done.update(examples=state["examples"], evaluations=state["examples"],
                seconds=time.process_time() - start)
    return FalsifyResult(False, ratio, {**instance.params, **params}, state["at"],
                         worst_seen=state["worst"], **done)


# -- a nonparametric class ------------------------------------------------------------------------

#: Measures the batch path computes in compiled code, with their column and transform.
_FAST_MEASURES = {"f_gap": (0, None), "dist_sq": (1, None), "dist": (1, np.sqrt),
                  "grad_norm_sq": (2, None), "grad_norm": (2, np.sqrt)}
_WANT = {0: 1, 1: 2, 2: 4}  # column -> bit of the batch's ``want``
_WANT_DELTA = 8


def _fast_functions(functions: tuple, kinds: tuple) -> tuple:
    """The compiled functions wrapped with their addresses resolved once.

    numba types a dispatcher passed as a first-class function anew on every call (about 50 µs
    each; a batch call takes nine); an object of numba's ``WrapperAddressProtocol`` is typed
    from its stored signature and address instead. Falls back to the dispatchers when numba's
    internals differ.
    """
    try:
        from numba.core.types import WrapperAddressProtocol
        from numba.experimental.function_type import _get_wrapper_address

        from .runtime.jit import signature

        class _Address(WrapperAddressProtocol):
            def __init__(self, fn, sig):
                self._sig, self._addr = sig, _get_wrapper_address(fn, sig)
                self._fn = fn  # keeps the compiled code alive

            def __wrapper_address__(self):
                return self._addr

            def signature(self):
                return self._sig

        return tuple(_Address(fn, signature(kind)) for fn, kind in zip(functions, kinds))
    except Exception:  # pragma: no cover - another numba version
        return functions


@lru_cache(maxsize=1)
def _blas_controller():
    """threadpoolctl's controller (None when threadpoolctl is not installed).

    L-BFGS-B calls BLAS on tiny arrays; OpenBLAS's worker threads then spin for milliseconds
    per call on a loaded machine (measured: 2 ms of CPU per optimiser step, against 0.1 ms with
    one thread), so the climb runs with one BLAS thread.
    """
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        return None
    return ThreadpoolController()


class ClassObjective:
    """The worst ratio e_k/B(k) of a claim on members θ of a class, many members per call.

    Each call packs the members into oracle operands (:meth:`FunctionClass.operands`) and runs
    the claim's kernel on all of them in one compiled batch
    (:func:`convlab.runtime.members.member_batch`): one run per
    member for an anytime claim (every checkpoint up to ``iterations`` in the window), one run
    per member and horizon for a horizon claim. A diverged run has ratio inf; a member with no
    usable point has ratio 0.

    Parameters
    ----------
    claim
        An upper or tight claim with an explicit bound, a deterministic algorithm of the kernel
        contract and a measure among f_gap, dist_sq, dist, grad_norm_sq, grad_norm or the
        kernel's recorded scalars.
    cls
        The :class:`~convlab.problems.function_classes.FunctionClass`.
    """

    def __init__(self, claim: Claim, cls, instance: InstanceSpec | None = None) -> None:
        from .algorithms.registry import LegacyKernel, PythonKernel, get_algorithm
        from .rates.checker import ITERATION_VARIABLES
        from .run import resolve_algorithm_params
        from .runtime.checkpoints import checkpoints as default_checkpoints
        from .runtime.jit import ORACLE_KINDS
        from .runtime.kernel import TRACK_COLUMNS, TRACK_NEEDS
        from .runtime.loop import init_nothing, observe_copy

        _check_claim(claim)
        self.claim, self.cls = claim, cls
        alg = get_algorithm(claim.algorithm)
        if isinstance(alg.kernel, (LegacyKernel, PythonKernel)) or alg.stochastic:
            raise InputError(f"a class search runs deterministic kernels of the kernel contract; "
                             f"'{claim.algorithm}' is {'stochastic' if alg.stochastic else 'a whole-run kernel' if isinstance(alg.kernel, LegacyKernel) else 'a method in plain Python'}",
                             field="algorithm")
        if claim.seeds > 1:
            raise InputError("a class search runs one seed (the claim asks for a statistic over "
                             "seeds)", field="seeds")
        if claim.design not in ("anytime", "horizon"):
            raise InputError(f"a class search needs an anytime or horizon claim, not "
                             f"'{claim.design}'", field="design")
        sample = cls.member(cls.random(np.random.default_rng(0))[0])
        missing = [kind for kind in alg.needs if not sample.provides(kind)]
        if missing:
            raise InputError(f"algorithm '{claim.algorithm}' needs the {', '.join(missing)} "
                             f"oracle(s), which class '{cls.name}' does not provide",
                             field="algorithm")
        if claim.iterate not in alg.points:
            raise InputError(f"algorithm '{claim.algorithm}' records no iterate "
                             f"'{claim.iterate}'", field="iterate")
        kernel = alg.kernel
        self.slot = alg.points.index(claim.iterate)
        self.track = TRACK_NEEDS.get(claim.measure, 0)
        scalars = TRACK_COLUMNS + tuple(kernel.scalars)
        if claim.measure in _FAST_MEASURES:
            column, self.transform = _FAST_MEASURES[claim.measure]
            if claim.measure not in sample.measures:
                raise InputError(f"measure '{claim.measure}' is not available on class "
                                 f"'{cls.name}'", field="measure")
            self.column, self.scalar = column, None
            self.want = _WANT[column]
        elif claim.measure in scalars:
            self.column, self.transform, self.scalar = None, None, scalars.index(claim.measure)
            self.want = 0
        else:
            raise InputError(f"a class search reads the measures {', '.join(_FAST_MEASURES)} "
                             f"or the kernel's scalars, not '{claim.measure}'", field="measure")
        self.expr = parse_expression(claim.bound)
        constants = dict(cls.constants)
        self.uses_delta = "Delta" in free_names(self.expr)
        if self.uses_delta:
            if cls.operator:
                raise InputError("the bound uses Delta = f(x0) - f*, undefined for an operator "
                                 "class", field="bound")
            self.want |= _WANT_DELTA
        names = free_names(self.expr)
        self.uses_r = "R" in names
        used = [v for v in ITERATION_VARIABLES if v in names]
        self.variable = used[0] if used else None
        self.unknown = names - set(constants) - {"Delta", self.variable}
        self.instance = instance
        self.constants = constants
        pieces = ((kernel.init or init_nothing).compiled, kernel.advance.compiled,
                  (kernel.observe or observe_copy).compiled)
        oracles = sample.oracle_tuple()
        self._pieces = _fast_functions(pieces, ("init", "advance", "observe"))
        self._oracles = _fast_functions(oracles, ORACLE_KINDS)
        self._slow = (pieces, oracles)
        self.runs = []  # (checkpoints, hyper, layout, k values, window mask)
        if claim.design == "horizon":
            plan = [(np.array([N], dtype=np.int64), {"N": float(N)}) for N in claim.horizons]
        else:
            plan = [(default_checkpoints(claim.iterations), {})]
        for ks, context in plan:
            scope = {**constants, **context}
            scope.setdefault("N", float(ks[-1]))
            try:
                values = resolve_algorithm_params(claim.algorithm, claim.params, scope)
            except InputError as exc:
                raise exc.located(field="params") from None
            hyper = alg.hyper_array(values)
            layout = (kernel.n_rows(dict(zip(kernel.hyper, hyper)), cls.d, ks.size),
                      len(kernel.points), kernel.n_state, len(kernel.scalars))
            keep = np.ones(ks.size, dtype=bool)
            if claim.window is not None:
                keep &= (ks >= claim.window[0]) & (ks <= claim.window[1])
            self.runs.append((np.ascontiguousarray(ks), hyper, layout, ks.astype(float), keep,
                              self._extra(context, values)))
        self._entry = None
        self.evaluations = 0

    def _extra(self, context: Mapping[str, float],
               algorithm: Mapping[str, float]) -> dict[str, float]:
        """Constants of the bound that the class does not define: the claim's instance's at
        this horizon (e.g. OGM's ``theta_N``), then the algorithm's parameters by name (a bound
        stated in the step: ``step``), as for an ordinary run (an instance constant keeps its
        name when an algorithm parameter has the same one)."""
        if not self.unknown:
            return {}
        built = {}
        if self.instance is not None:
            try:
                built = self.instance.build(dict(context) or None).constants
            except InputError:
                built = {}
        built = {**algorithm, **built}
        missing = self.unknown - set(built)
        if missing:
            raise InputError(f"the bound uses {', '.join(sorted(missing))}, a constant of "
                             f"neither class '{self.cls.name}' (known: "
                             f"{', '.join(sorted(self.constants))}), the claim's instance nor "
                             f"the algorithm's parameters", field="bound")
        return {name: float(built[name]) for name in self.unknown}

    def _batch(self, ops, run) -> tuple:
        ks, hyper, layout = run[:3]
        args = (ops.A, ops.b, ops.P, ops.X0, ops.XS, hyper, ks, self.track, *layout,
                self.slot, self.want)
        from .runtime.members import member_batch

        fn = member_batch()
        if self._entry is None:
            fn(*self._slow[0], self._slow[1], *args)  # compiles or loads; then the fast entry
            try:
                self._entry = fn.overloads[fn.signatures[0]].entry_point
                self._entry(*self._pieces, self._oracles, *args)
            except Exception:  # pragma: no cover - another numba version
                self._entry = False
        if self._entry:
            return self._entry(*self._pieces, self._oracles, *args)
        return fn(*self._slow[0], self._slow[1], *args)

    def __call__(self, thetas: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(worst ratio, where) for each member θ (rows of ``thetas``)."""
        from .runtime.jit import STATUS_DIVERGED

        T = np.atleast_2d(np.asarray(thetas, dtype=float))
        ops = self.cls.operands(T)
        m = T.shape[0]
        self.evaluations += m
        worst = np.full(m, 0.0)
        at = np.full(m, np.nan)
        for run in self.runs:
            E, S, D0, counts, status = self._batch(ops, run)
            _, _, _, kf, keep, extra = run
            if self.column is not None:
                e = E[:, :, self.column]
                if self.transform is not None:
                    e = self.transform(e)
            else:
                e = S[:, :, self.scalar]
            values = {**self.constants, **extra}
            if self.uses_r:  # a member whose solution set is not a point has its own R
                values["R"] = np.linalg.norm(ops.X0 - ops.XS, axis=1)[:, None]
            if self.variable is not None:
                values[self.variable] = kf[None, :]
            if self.uses_delta:
                values["Delta"] = D0[:, None]
            B = np.broadcast_to(np.asarray(evaluate(self.expr, values), dtype=float), e.shape)
            recorded = np.arange(kf.size)[None, :] < counts[:, None]
            usable = recorded & keep[None, :] & np.isfinite(B) & (B > 0)
            with np.errstate(all="ignore"):
                ratio = np.where(usable, e / np.where(usable, B, 1.0), -np.inf)
            ratio = np.where(usable & ~np.isfinite(e), np.inf, ratio)
            best = np.argmax(ratio, axis=1)
            r = ratio[np.arange(m), best]
            r = np.where(status == STATUS_DIVERGED, np.inf, r)
            diverged_k = kf[np.clip(counts - 1, 0, kf.size - 1)]
            where = np.where(status == STATUS_DIVERGED, diverged_k, kf[best])
            better = r > worst
            worst = np.where(better, r, worst)
            at = np.where(better, where, at)
        return worst, at

    def confirm(self, theta: np.ndarray):
        """Run member θ the ordinary way (:func:`convlab.run`, :func:`convlab.check_rate`) and
        return (problem, RateCheck) of the claim's bound checked as an upper bound."""
        from .rates.checker import check_rate
        from .run import run

        problem = self.cls.member(theta)
        claim = self.claim
        ks, errors, diverged = [], [], None
        extra = {}
        for run_ks, _, _, _, _, more in self.runs:
            extra.update(more)
            context = {"N": float(run_ks[-1])} if claim.design == "horizon" else None
            trace = run(problem, claim.algorithm, claim.params, checkpoints=run_ks,
                        track=self.track, context=context)
            e = trace.measure(claim.measure, claim.iterate)
            if claim.design == "horizon":
                ks.append(float(run_ks[-1]))
                errors.append(float(e[-1]))
            else:
                ks, errors = list(trace.k.astype(float)), list(e)
            if trace.diverged:
                diverged = trace.diverged_at
                break
        constants = {**problem.constants, **extra}
        if claim.design == "horizon" and extra:
            constants.update({name: np.array([run[5][name] for run in self.runs])[:len(ks)]
                              for name in extra})
        check = check_rate(np.array(ks), np.array(errors), claim.bound, kind="upper",
                           constants=constants, floor=problem.floor(claim.measure)
                           if claim.measure in problem.measures else None,
                           window=claim.window, rtol=claim.rtol, diverged_at=diverged)
        return problem, check


def class_of(claim: Claim, instance: InstanceSpec, space: Mapping[str, Any]):
    """The :class:`FunctionClass` a ``search`` table names; L, mu and R default to the
    instance's (built at the first horizon for a horizon claim)."""
    from .problems.function_classes import CLASS_NAMES, SIZE_PARAMETERS, get_class

    name = space.get("class")
    if name not in CLASS_NAMES:
        raise InputError(f"unknown class {name!r}; known: {', '.join(CLASS_NAMES)}",
                         field="search.class")
    size: dict[str, Any] = {}
    for key, value in space.items():
        if key == "class":
            continue
        kind = SIZE_PARAMETERS.get(key)
        if kind is None:
            raise InputError(f"class search tables take class and {', '.join(SIZE_PARAMETERS)}"
                             f"; got '{key}'", field=f"search.{key}")
        ok = isinstance(value, bool) if kind is bool else (
            isinstance(value, (int, float)) and not isinstance(value, bool)
            and (kind is float or float(value) == int(value)))
        if not ok:
            raise InputError(f"expected {'true or false' if kind is bool else 'a number'}, "
                             f"got {value!r}", field=f"search.{key}")
        size[key] = kind(value)
    if not {"L", "mu", "R"} <= set(size):
        try:
            context = {"N": float(claim.horizons[0])} if claim.horizons else None
            constants = instance.build(context).constants
        except InputError:
            constants = {}
        for key in ("L", "R") + (("mu",) if name == "smooth-strongly-convex" else ()):
            if key not in size and key in constants and math.isfinite(constants[key]):
                size[key] = float(constants[key])
    try:
        return get_class(name, **size)
    except ValueError as exc:
        raise InputError(str(exc), field="search") from None


def _falsify_class(claim: Claim, instance: InstanceSpec, space: Mapping[str, Any],
                   examples: int, seed: int, starts: int, population: int,
                   time_limit: float | None) -> FalsifyResult:
    for name, value in (("starts", starts), ("population", population)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise InputError(f"expected a count >= 0, got {value!r}", field=name)
    controller = _blas_controller()
    if controller is None:
        return _search_class(claim, instance, space, examples, seed, starts, population,
                             time_limit)
    with controller.limit(limits=1, user_api="blas"):
        return _search_class(claim, instance, space, examples, seed, starts, population,
                             time_limit)


def _search_class(claim, instance, space, examples, seed, starts, population, time_limit):
    start = time.process_time()
    cls = class_of(claim, instance, space)
    objective = ClassObjective(claim, cls, instance)
    limit = 1 + claim.rtol
    seen: list[tuple[float, float, np.ndarray]] = []  # (ratio, at, θ)
    hyp_examples = 0
    found = None

    def out_of_time() -> bool:
        return time_limit is not None and time.process_time() - start > time_limit

    # 1. hypothesis proposes (and shrinks a violation)
    if examples:
        from hypothesis import given, strategies as st, target

        state = {"n": 0}

        @_hypothesis_settings(examples, seed)
        @given(st.lists(st.floats(0.0, 1.0), min_size=cls.n, max_size=cls.n))
        def propose(theta: list[float]) -> None:
            if out_of_time() and state["n"] > 0:
                return
            state["n"] += 1
            t = np.asarray(theta, dtype=float)
            r, at = objective(t[None, :])
            seen.append((float(r[0]), float(at[0]), t))
            target(min(math.log(r[0]), 700.0) if r[0] > 0 else -700.0, label="log worst ratio")
            if r[0] > limit:
                raise _Counterexample(float(r[0]), t, float(at[0]))

        try:
            propose()
        except _Counterexample as shrunk:
            found = (shrunk.ratio, shrunk.at, shrunk.params)
        hyp_examples = state["n"]

    # 2. a random population, one batch
    if found is None and population and not out_of_time():
        rng = np.random.default_rng([int(seed), 2])
        T = cls.random(rng, population)
        # half of them with extreme curvatures (mu or L on every piece), as worst cases have
        T[population // 2:, cls.curvature_mask] = np.round(T[population // 2:,
                                                              cls.curvature_mask])
        r, at = objective(T)
        seen.extend((float(r[i]), float(at[i]), T[i]) for i in range(population))
        i = int(np.argmax(r))
        if r[i] > limit:
            found = (float(r[i]), float(at[i]), T[i])

    # 3. climb from the best members seen
    if found is None and starts and seen and not out_of_time():
        order = sorted(range(len(seen)), key=lambda i: -seen[i][0] if math.isfinite(
            seen[i][0]) else math.inf)
        chosen: list[np.ndarray] = []
        for i in order:
            if len(chosen) == starts:
                break
            t = seen[i][2]
            if all(np.max(np.abs(t - c)) > 1e-9 for c in chosen):
                chosen.append(t)
        for t in chosen:
            best = _climb(objective, t, limit, out_of_time)
            seen.append(best)
            if best[0] > limit:
                found = best
                break
            if out_of_time():
                break

    ratio_seen, at_seen, theta_seen = max(seen, key=lambda s: s[0]) if seen else (
        -math.inf, None, None)
    result = dict(examples=hyp_examples, search="class")
    if found is not None:
        ratio, at, theta = _simplify(objective, found, limit)
        problem, check = objective.confirm(theta)
        confirmed = check.verdict.value in ("violated", "diverged")
        result.update(evaluations=objective.evaluations, seconds=time.process_time() - start)
        params = {"class": cls.name, **cls.family_params, "theta": [float(v) for v in theta]}
        return FalsifyResult(confirmed, ratio, params, at,
                             worst_seen=(ratio_seen, {"theta": theta_seen}), theta=theta,
                             confirmation=check.summary, problem=problem, **result)
    result.update(evaluations=objective.evaluations, seconds=time.process_time() - start)
    if theta_seen is None:
        return FalsifyResult(False, -math.inf, {"class": cls.name, **cls.family_params}, None,
                             **result)
    params = {"class": cls.name, **cls.family_params, "theta": [float(v) for v in theta_seen]}
    return FalsifyResult(False, ratio_seen, params, at_seen,
                         worst_seen=(ratio_seen, {"theta": theta_seen}), theta=theta_seen,
                         problem=cls.member(theta_seen), **result)


def _climb(objective: ClassObjective, theta: np.ndarray, limit: float, out_of_time,
           step: float = 1e-6, maxiter: int = 200) -> tuple[float, float, np.ndarray]:
    """L-BFGS-B on log ratio from θ in the unit cube, forward differences in one batch per
    gradient; stops at the first member above ``limit`` or when time is up. Returns the best
    (ratio, at, θ) evaluated."""
    from scipy.optimize import minimize

    n = theta.size
    best = [-math.inf, math.nan, theta.copy()]

    def fg(x: np.ndarray):
        if out_of_time():
            raise _Stop
        x = np.clip(x, 0.0, 1.0)
        h = np.where(x + step <= 1.0, step, -step)
        X = np.vstack([x, x + np.diag(h)])
        r, at = objective(X)
        i = int(np.argmax(r))
        if r[i] > best[0]:
            best[:] = [float(r[i]), float(at[i]), X[i].copy()]
        if best[0] > limit:
            raise _Stop
        with np.errstate(all="ignore"):
            logs = np.log(np.maximum(r, 1e-300))
        if not np.isfinite(logs[0]):
            return 0.0, np.zeros(n)
        g = np.where(np.isfinite(logs[1:]), (logs[1:] - logs[0]) / h, 0.0)
        return -float(logs[0]), -g

    try:
        minimize(fg, np.clip(theta, 0, 1), jac=True, method="L-BFGS-B",
                 bounds=[(0.0, 1.0)] * n, options={"maxiter": maxiter})
    except _Stop:
        pass
    return best[0], best[1], best[2]


def _simplify(objective: ClassObjective, found: tuple, limit: float,
              passes: int = 2) -> tuple[float, float, np.ndarray]:
    """Simplify a violating θ greedily: each coordinate, in turn, becomes the simplest of
    0, 1 and its roundings to 1, 2, 3, 4 digits that keeps the member above ``limit`` (one
    batch per coordinate)."""
    ratio, at, theta = found
    theta = np.array(theta, dtype=float)
    if not math.isfinite(ratio) and ratio > 0:
        return ratio, at, theta
    for _ in range(passes):
        changed = False
        for i in range(theta.size):
            options = [0.0, 1.0] + [round(float(theta[i]), digits) for digits in (1, 2, 3, 4)]
            options = [v for v in dict.fromkeys(options) if v != theta[i] and 0 <= v <= 1]
            if not options:
                continue
            X = np.repeat(theta[None, :], len(options), axis=0)
            X[:, i] = options
            r, a = objective(X)
            ok = np.flatnonzero(r > limit)
            if ok.size:
                j = int(ok[0])
                theta, ratio, at = X[j], float(r[j]), float(a[j])
                changed = True
        if not changed:
            break
    return ratio, at, theta
