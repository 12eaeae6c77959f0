"""Contract tests, table-driven over every registered algorithm and every problem family.

Algorithms (the kernel contract, convlab/runtime/kernel.py): the hyper slots a kernel declares
are exactly the ones it reads; every declared point is recorded and finite on a benign run; the
oracles it declares are the ones it calls (the others replaced by NaN stubs change nothing, a
declared one replaced changes the trace); a stochastic kernel depends on its seed and a
deterministic one does not; variants of a shared kernel differ.

Families (the family contract, convlab/problems/family.py): the example instance builds, states
a floor for every measure it supports, certifies its constants and evaluates every measure
finitely above its floor at x0; the default strategy draws instances that certify.

Each algorithm runs on the first instance the catalog uses it on (rates/), else on the instance
of :data:`FALLBACK`.

Compiled helpers (every module of convlab): no call from a function to a compiled helper passes
an integer literal or a module constant, which numba would type as that value and compile the
helper once per value.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest

from convlab.algorithms.registry import ALGORITHMS, LegacyKernel
from convlab.claims import collect_files, load_file
from convlab.problems.registry import FAMILIES, InstanceSpec
from convlab.run import run, run_seeds
from convlab.runtime.jit import ORACLE_KINDS, lazy_jit

ROOT = Path(__file__).resolve().parents[1]

NOISY = {"d": 5, "mu": 0.1, "noise": 0.1, "xstar": "random"}

#: Instances for algorithms no catalog claim runs, or whose catalog instance cannot show a
#: contract (a stochastic method run without noise): algorithm -> (family, params or None for
#: the family's example, algorithm params).
FALLBACK = {
    "amsgrad": ("quadratic", NOISY, {"step": 0.05}),
    "clipped-sgd-inverse-sqrt": ("quadratic", NOISY, {"step": 0.1, "clip": 1.0}),
    "adagrad": ("quadratic", NOISY, {"step": 0.1}),
    "sgd-step-decay": ("quadratic", NOISY, {"step": 0.1, "every": 5}),
    "shb": ("quadratic", NOISY, {}),  # the catalog runs it without noise (C50)
    "cyclic-sgd": ("ls-noisy-finite-sum", None, {"step": 0.01}),
    "shuffle-once": ("ls-noisy-finite-sum", None, {"step": 0.01}),
    "damped-newton-switch": ("log-separable", None, {}),
    "frank-wolfe-line-search-quadratic": ("l1ball-quadratic-certified", None, {}),
    "frank-wolfe-short-step": ("l1ball-quadratic-certified", None, {}),
    "krasnoselskii-mann": ("reflection-rotation", None, {"relax": 0.5}),
    "subgradient": ("l1-regression", None, {"step": 0.01}),
    "subgradient-diminishing": ("l1-regression", None, {"step": 0.01}),
    # the catalog runs these on Reddi's deterministic online losses
    "adam-reddi-online": ("online-linear-ball", {"d": 3, "noise": 0.5},
                          {"step": 0.5, "beta2": 0.1}),
    "amsgrad-online": ("online-linear-ball", {"d": 3, "noise": 0.5}, {"step": 0.5, "beta2": 0.1}),
}

#: Algorithms that are the same method under two names (one kernel, the same fixed values and
#: parameters), each with the reason.
ALIASES = {
    frozenset({"ista", "projected-gd"}): "the prox of an indicator is the projection",
    frozenset({"wc-projected-sgd", "wc-prox-subgradient"}):
        "projected SGD is the proximal subgradient method with the indicator's prox",
}


@lru_cache(maxsize=None)
def _catalog_cases():
    cases = {}
    for path in collect_files([ROOT / "rates"]):
        claims, _ = load_file(path)
        for claim in claims:
            if claim.algorithm in cases:
                continue
            spec = claim.instances[0]
            context = {}
            if claim.design == "horizon":
                context["N"] = float(min(claim.horizons))
            elif claim.design == "scaling":
                context[claim.sweep[0]] = float(claim.sweep[1][0])
            params = dict(claim.params)
            if claim.design == "stability":  # a stable value: the bracket's low end
                params[claim.parameter] = claim.bracket[0]
            cases[claim.algorithm] = (spec, context, params)
    return cases


def _case(name: str):
    """(problem, params, context) to run algorithm ``name`` on."""
    cases = _catalog_cases()
    if name in FALLBACK:
        family, fparams, params = FALLBACK[name]
        fparams = FAMILIES[family].example if fparams is None else fparams
        spec, context = InstanceSpec("fallback", family, dict(fparams)), {}
    else:
        spec, context, params = cases[name]
    return spec.build(context or None), params, context or None


ALGORITHM_NAMES = sorted(ALGORITHMS)
CONTRACT = [n for n in ALGORITHM_NAMES if not isinstance(ALGORITHMS[n].kernel, LegacyKernel)]
ITERATIONS = 60  # enough for methods that count component calls (n = 16 per iteration)


def test_every_algorithm_has_a_test_instance():
    missing = [n for n in ALGORITHM_NAMES if n not in _catalog_cases() and n not in FALLBACK]
    assert not missing, f"add these algorithms to FALLBACK: {missing}"


# -- declared hyper slots = the slots read -----------------------------------------------------

def _functions(module) -> dict[str, ast.FunctionDef]:
    tree = ast.parse(inspect.getsource(module))
    return {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}


def _hyper_reads(fn: ast.FunctionDef, functions, seen=None) -> set[int]:
    """Constant indices of ``hyper[...]`` read in ``fn`` and in the module's helpers it passes
    ``hyper`` to."""
    seen = set() if seen is None else seen
    seen.add(fn.name)
    reads = set()
    for node in ast.walk(fn):
        if isinstance(node, ast.Subscript) and getattr(node.value, "id", None) == "hyper":
            index = node.slice
            assert isinstance(index, ast.Constant) and isinstance(index.value, int), (
                f"{fn.name} reads hyper with a computed index: {ast.unparse(node)}")
            reads.add(index.value)
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) in functions:
            callee = node.func.id
            passes = any(getattr(a, "id", None) == "hyper" for a in node.args)
            if passes and callee not in seen:
                reads |= _hyper_reads(functions[callee], functions, seen)
    return reads


@pytest.mark.parametrize("name", CONTRACT)
def test_declared_hyper_slots_are_the_slots_read(name):
    import importlib

    kernel = ALGORITHMS[name].kernel
    module = importlib.import_module(kernel.module)
    functions = _functions(module)
    reads = set()
    for piece in (kernel.advance, kernel.init, kernel.observe):
        if piece is not None and piece.py_func.__name__ in functions:
            reads |= _hyper_reads(functions[piece.py_func.__name__], functions)
    assert reads == set(range(len(kernel.hyper))), (
        f"kernel {kernel.name} declares {kernel.hyper} but reads hyper{sorted(reads)}")


# -- points, oracles, seeds --------------------------------------------------------------------

@lazy_jit("grad")
def _nan_grad(A, b, p, x, out):
    """A stub: NaN."""
    out[:] = np.nan


@lazy_jit("sgrad")
def _nan_sgrad(A, b, p, x, t, s, out):
    """A stub: NaN."""
    out[:] = np.nan


@lazy_jit("value")
def _nan_value(A, b, p, x):
    """A stub: NaN."""
    return np.nan


@lazy_jit("prox")
def _nan_prox(A, b, p, x, step, out):
    """A stub: NaN."""
    out[:] = np.nan


@lazy_jit("lmo")
def _nan_lmo(A, b, p, g, out):
    """A stub: NaN."""
    out[:] = np.nan


@lazy_jit("hess")
def _nan_hess(A, b, p, x, out):
    """A stub: NaN."""
    out[:, :] = np.nan


NAN_STUBS = {"grad": _nan_grad, "sgrad": _nan_sgrad, "value": _nan_value, "prox": _nan_prox,
             "lmo": _nan_lmo, "hess": _nan_hess}


def _points(trace) -> np.ndarray:
    return np.stack([trace.points[n] for n in trace.points])


def _record(trace, alg) -> list[np.ndarray]:
    """Everything a kernel records: its points and its own scalars (not the loop's)."""
    return [trace.points[n] for n in trace.points] + [trace.scalars[n]
                                                      for n in alg.kernel.scalars]


def _same(a, b) -> bool:
    return all(np.array_equal(x, y, equal_nan=True) for x, y in zip(a, b))


def _with_oracles(problem, oracles):
    return dataclasses.replace(problem, oracles=oracles)


@pytest.mark.parametrize("name", ALGORITHM_NAMES)
def test_declared_points_are_recorded(name):
    problem, params, context = _case(name)
    alg = ALGORITHMS[name]
    trace = run(problem, name, params, iterations=ITERATIONS, context=context)
    assert tuple(trace.points) == alg.points
    assert tuple(trace.scalars) == alg.scalars
    for point, values in trace.points.items():
        assert values.shape == (trace.k.size, problem.dim), point
        assert np.all(np.isfinite(values)), f"point {point} is not finite on a benign run"


@pytest.mark.parametrize("name", CONTRACT)
def test_declared_oracles_are_the_ones_called(name):
    problem, params, context = _case(name)
    alg = ALGORITHMS[name]
    reference = _record(run(problem, name, params, iterations=ITERATIONS, context=context,
                            seed=3), alg)
    # every oracle the kernel does not declare replaced by NaN: nothing changes
    oracles = {kind: problem.oracle(kind) for kind in alg.needs}
    oracles.update({kind: NAN_STUBS[kind] for kind in ORACLE_KINDS if kind not in alg.needs})
    undeclared = run(_with_oracles(problem, oracles), name, params, iterations=ITERATIONS,
                     context=context, seed=3)
    assert _same(reference, _record(undeclared, alg)), (
        f"{name} calls an oracle it does not declare (needs {alg.needs})")
    # each declared oracle replaced by NaN: the trace changes (prox only where it is not the
    # identity of an unconstrained problem)
    for kind in alg.needs:
        if kind == "prox" and "prox" not in problem.oracles:
            continue
        broken = dict(problem.oracles, **{kind: NAN_STUBS[kind]})
        trace = run(_with_oracles(problem, broken), name, params, iterations=ITERATIONS,
                    context=context, seed=3)
        assert not _same(reference, _record(trace, alg)), (
            f"{name} declares the {kind} oracle but does not call it")


@pytest.mark.parametrize("name", ALGORITHM_NAMES)
def test_stochastic_kernels_depend_on_the_seed_and_deterministic_ones_do_not(name):
    problem, params, context = _case(name)
    alg = ALGORITHMS[name]
    a, b = run_seeds(problem, name, params, seeds=(0, 1), iterations=ITERATIONS,
                     context=context, parallel=False)
    same = np.array_equal(_points(a), _points(b), equal_nan=True)
    if alg.stochastic:
        # a finite-sum or noisy instance: different samples give different iterates
        assert not same, f"{name} is declared stochastic but ignores its seed here"
    else:
        assert same, f"{name} is declared deterministic but depends on its seed"


def _shared_kernel_pairs():
    by_kernel = {}
    for name in CONTRACT:
        by_kernel.setdefault(id(ALGORITHMS[name].kernel), []).append(name)
    return [tuple(names) for names in by_kernel.values() if len(names) > 1]


@pytest.mark.parametrize("names", _shared_kernel_pairs(), ids=lambda t: "+".join(t))
def test_variants_of_a_shared_kernel_are_declared_apart(names):
    declared = {}
    for n in names:
        key = (tuple(sorted(ALGORITHMS[n].fixed.items())), ALGORITHMS[n].params)
        declared.setdefault(key, set()).add(n)
    same = [group for group in declared.values() if len(group) > 1]
    assert all(frozenset(group) in ALIASES for group in same), (
        f"{same} share a kernel with the same fixed values and parameters (not listed in "
        f"ALIASES)")


# -- families ----------------------------------------------------------------------------------

FAMILY_NAMES = sorted(FAMILIES)
CONTRACT_FAMILIES = [n for n in FAMILY_NAMES if FAMILIES[n].ranges]


def test_every_family_is_on_the_contract():
    legacy = [n for n in FAMILY_NAMES if not FAMILIES[n].ranges]
    assert not legacy, f"families without the family contract: {legacy}"


@pytest.mark.parametrize("name", CONTRACT_FAMILIES)
def test_family_example_states_floors_certifies_and_measures_above_its_floor(name):
    family = FAMILIES[name]
    family.validate(family.example)
    problem = family.build(**family.example)
    assert problem.unstated_floors() == []
    assert problem.certify() == []
    for measure in problem.measures:
        value = float(problem.measure(measure, problem.x0)[0])
        assert np.isfinite(value), (measure, value)
        assert value > problem.floor(measure) or value == 0.0, (
            f"{measure} at x0 is {value:.3g}, at or below its floor {problem.floor(measure):.3g}")
    if family.memory is not None:
        assert family.estimate_memory(family.example) > 0


@pytest.mark.parametrize("name", CONTRACT_FAMILIES)
def test_family_strategy_draws_instances_that_certify(name):
    from hypothesis import HealthCheck, given, settings

    from convlab.strategies import instances

    @settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck))
    @given(instances(name))
    def check(problem):
        assert problem.family == name
        assert problem.unstated_floors() == []
        assert problem.certify() == []

    check()


@pytest.mark.parametrize("name", CONTRACT_FAMILIES)
def test_family_refuses_a_value_out_of_range(name):
    from convlab.errors import InputError
    from convlab.problems.family import Interval
    from convlab.problems.registry import build

    family = FAMILIES[name]
    for param, allowed in family.ranges.items():
        if isinstance(allowed, Interval) and np.isfinite(allowed.low):
            bad = allowed.low - 1.0
            with pytest.raises(InputError, match=param):
                build(name, {**family.example, param: bad})
            return
    pytest.skip("no numeric parameter with a finite lower end")


# -- compiled helpers: one compiled version, not one per constant ---------------------------------

def _helper_calls_with_constants() -> list[str]:
    """Calls, in any convlab module, of a compiled helper (a numba dispatcher of the module's
    namespace, not inlined) with an int literal or a module's int constant as an argument."""
    import importlib
    import pkgutil

    import convlab
    from numba.core.dispatcher import Dispatcher

    found = []
    for info in pkgutil.walk_packages(convlab.__path__, "convlab."):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        names = vars(module)
        for fn in ast.walk(ast.parse(inspect.getsource(module))):
            if not isinstance(fn, ast.FunctionDef):
                continue
            for call in ast.walk(fn):
                if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name)):
                    continue
                callee = names.get(call.func.id)
                if (not isinstance(callee, Dispatcher)
                        or callee.targetoptions.get("inline") == "always"):
                    continue
                for arg in call.args:
                    value = (arg.value if isinstance(arg, ast.Constant) else
                             names.get(arg.id) if isinstance(arg, ast.Name) else None)
                    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
                        found.append(f"{info.name}.{fn.name}: {ast.unparse(call)}")
    return found


def test_compiled_helpers_are_not_called_with_constants():
    """numba types an int literal or a module constant passed to a compiled helper as that very
    value and compiles the helper once per value (observe_rounds was compiled three times, once
    for each of AdaGrad, Adam and ADOPT: 2 s CPU of compiling on an empty cache). Pass
    ``np.int64(c)`` (or a float) instead: one compiled version."""
    assert _helper_calls_with_constants() == []


def test_a_constant_passed_as_np_int64_compiles_the_helper_once():
    """The rule above, checked on numba itself: a helper called with two module constants is
    compiled twice, with np.int64 of them once."""
    from numba import njit

    helper = njit(lambda x, first: x[first])
    helper_typed = njit(lambda x, first: x[first])
    by_value = njit(lambda x: helper(x, _FIRST) + helper(x, _SECOND))
    typed = njit(lambda x: helper_typed(x, np.int64(_FIRST)) + helper_typed(x, np.int64(_SECOND)))
    x = np.arange(4.0)
    assert by_value(x) == typed(x) == 3.0
    assert len(helper.signatures) == 2 and len(helper_typed.signatures) == 1


_FIRST, _SECOND = 1, 2  # module constants, as the kernels' state rows are
