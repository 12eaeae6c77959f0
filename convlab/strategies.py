"""Hypothesis strategies that draw problem instances.

``instances(family, space)`` draws parameters from ``space`` (parameter -> [low, high] or a list
of choices; floats log-uniform over ranges wider than two decades) and builds the instance;
draws that the family refuses (e.g. mu > L) are rejected, so only valid instances come out.
Every family has a default space (:func:`default_space`), so ``instances("quadratic")`` or
``instances("zero-sum")`` works as is::

    from hypothesis import given
    from convlab.strategies import instances

    @given(instances("quadratic", {"d": [2, 20], "mu": [1e-4, 1.0]}))
    def test_my_method(problem):
        ...
"""

from __future__ import annotations

from typing import Any, Mapping

from .errors import InputError


#: Family -> a default search space (parameter -> [low, high] or choices).
DEFAULT_SPACES: dict[str, dict[str, Any]] = {
}


def default_space(family: str) -> dict[str, Any]:
    """The space :func:`instances` draws from by default: :data:`DEFAULT_SPACES`, else the
    family's random seed over [0, 10000] with every other parameter at its default (valid by
    construction), else the default instance alone."""
    from .problems.registry import family_schema, get_family

    declared = get_family(family).space
    if declared:
        return dict(declared)
    if family in DEFAULT_SPACES:
        return dict(DEFAULT_SPACES[family])
    return {"seed": [0, 10_000]} if "seed" in family_schema(family) else {}


def instances(family: str, space: Mapping[str, Any] | None = None):
    """A strategy for instances of ``family`` (see the module docstring).

    ``space`` is drawn exactly as given: parameters it does not name keep their default values
    (``None``: the family's default space). Instances that the family refuses, or that start
    at the solution (x0 = x*, or f(x0) = f*: nothing to converge), are not drawn.
    """
    from hypothesis import strategies as st

    from .falsify import _strategy
    from .problems.registry import build

    full = default_space(family) if space is None else dict(space)
    params = _strategy(family, full) if full else st.just({})

    @st.composite
    def draw(draw_fn):
        from hypothesis import reject

        raw = draw_fn(params)
        try:
            problem = build(family, raw)
        except InputError:
            reject()
        if _starts_at_solution(problem):
            reject()
        return problem

    return draw()


def _starts_at_solution(problem) -> bool:
    """x0 is a solution: R = 0 (with x*) or f(x0) − f* = 0 (with a value oracle)."""
    import math

    if problem.xstar is not None and problem.R == 0.0:
        return True
    delta = problem.Delta
    return "value" in problem.oracles and not math.isnan(delta) and delta == 0.0
