"""The family contract: one template for every problem family.

A family module declares, next to its builder, a :class:`Family`::

    FAMILIES = (
        Family("quadratic", quadratic, "smooth (strongly) convex",
               ranges={"d": Interval(1, 20_000), "L": POSITIVE, "mu": NONNEGATIVE, ...},
               space={"d": [1, 30], "L": [0.1, 10.0], ...},
               example={"d": 6, "mu": 0.1}, memory=lambda p: 8.0 * p["d"] ** 2),
    )

- the **schema** is the builder's signature (names, annotated types, defaults; a parameter
  without a default is required) with a **range** per numeric parameter and the choices of a
  text parameter (``ranges``): a value outside is refused with a one-line error naming the
  parameter and the range, before anything is built;
- the builder returns a :class:`~convlab.problems.base.Problem` with x* (or f* only), the
  certified constants by name, its oracles, and **a floor for every measure it supports**
  (:meth:`Family.check` refuses an instance with a measure and no stated floor: a floor is never
  silently the underflow level);
- ``space``: the default strategy space (:mod:`convlab.strategies` draws from it; parameter ->
  [low, high] or a list of choices); ``example``: the parameters of a small instance, used by the
  contract tests and by :func:`register_family` to check the family once;
- ``memory``: an estimate in bytes of an instance's operands from its parameters (a claim whose
  instance would exceed the memory budget is refused before it is built).

Projections and linear minimisation oracles of the feasible sets live once, in
:mod:`convlab.problems.sets`.
"""

from __future__ import annotations

import inspect
import math
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from ..errors import InputError
from .base import Problem

_TYPES = {"int": int, "float": float, "str": str, "bool": bool}

#: The default of a required parameter.
REQUIRED = inspect.Parameter.empty


@dataclass(frozen=True)
class Interval:
    """A range of finite numbers, closed unless ``open_low``/``open_high`` (an infinite end
    only says the range is unbounded: inf and NaN are never in a range)."""

    low: float = -math.inf
    high: float = math.inf
    open_low: bool = False
    open_high: bool = False

    def __contains__(self, value: float) -> bool:
        v = float(value)
        if not math.isfinite(v):  # no family parameter is infinite or NaN
            return False
        above = v > self.low if self.open_low else v >= self.low
        below = v < self.high if self.open_high else v <= self.high
        return above and below

    def __str__(self) -> str:
        lo = "(" if self.open_low or self.low == -math.inf else "["
        hi = ")" if self.open_high or self.high == math.inf else "]"
        return f"{lo}{self.low:g}, {self.high:g}{hi}"


#: Common ranges.
POSITIVE = Interval(0.0, math.inf, open_low=True)
NONNEGATIVE = Interval(0.0, math.inf)
UNIT_OPEN = Interval(0.0, 1.0, open_low=True, open_high=True)
FINITE = Interval()
SEED = Interval(0, 2**32 - 1)


def count(low: int = 1, high: int = 10**6) -> Interval:
    """A range of counts (dimensions, sample sizes)."""
    return Interval(low, high)


@dataclass(frozen=True)
class Family:
    """A problem family (see the module docstring).

    Attributes
    ----------
    name
        Name in instance files (``family = "quadratic"``).
    build
        The builder: keyword arguments of the schema -> :class:`Problem`.
    problem_class
        The mathematical class, e.g. ``"smooth convex"``, ``"monotone VI"``.
    ranges
        Parameter -> :class:`Interval` (numbers) or tuple of choices (text).
    space
        Default strategy space: parameter -> [low, high] or a list of choices.
    example
        Parameters of a small valid instance (the required ones at least).
    memory
        Bytes of an instance's operands as a function of its typed parameters (defaults filled).
    """

    name: str
    build: Callable[..., Problem]
    problem_class: str
    ranges: Mapping[str, Interval | tuple[str, ...]] = field(default_factory=dict)
    space: Mapping[str, Any] = field(default_factory=dict)
    example: Mapping[str, Any] = field(default_factory=dict)
    memory: Callable[[Mapping[str, Any]], float] | None = None

    def __post_init__(self) -> None:
        schema = self.schema
        for group in ("ranges", "space", "example"):
            unknown = set(getattr(self, group)) - set(schema)
            if unknown:
                raise ValueError(f"family {self.name}: {group} names unknown parameter(s) "
                                 f"{sorted(unknown)}; the builder takes {list(schema)}")
        for name, (kind, _) in schema.items():
            if kind in (int, float) and name not in self.ranges:
                raise ValueError(f"family {self.name}: numeric parameter '{name}' has no range")
            if kind is str and name not in self.ranges:
                raise ValueError(f"family {self.name}: text parameter '{name}' has no choices")

    @property
    def schema(self) -> dict[str, tuple[type, Any]]:
        """Parameter -> (type, default); the default is :data:`REQUIRED` when required."""
        out = {}
        for name, par in inspect.signature(self.build).parameters.items():
            annotation = par.annotation if isinstance(par.annotation, str) else getattr(
                par.annotation, "__name__", "float")
            out[name] = (_TYPES.get(annotation, float), par.default)
        return out

    @property
    def summary(self) -> str:
        doc = (self.build.__doc__ or "").strip().splitlines()
        return doc[0] if doc else ""

    @property
    def module(self) -> str:
        return self.build.__module__

    def validate(self, values: Mapping[str, Any]) -> None:
        """Refuse (:class:`InputError` naming the parameter) a value outside its range."""
        for name, value in values.items():
            allowed = self.ranges.get(name)
            if allowed is None:
                continue
            if isinstance(allowed, Interval):
                if isinstance(value, bool) or not isinstance(value, (int, float)) or \
                        value not in allowed:
                    raise InputError(f"expected a number in {allowed}, got {value!r}", field=name)
            elif value not in allowed:
                raise InputError(f"expected one of {', '.join(map(str, allowed))}, got "
                                 f"{value!r}", field=name)

    def with_defaults(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """``values`` completed with the defaults of the schema."""
        out = {n: d for n, (_, d) in self.schema.items() if d is not REQUIRED}
        out.update(values)
        return out

    def estimate_memory(self, values: Mapping[str, Any]) -> float:
        """Bytes of the instance's operands (0 when the family states no estimate)."""
        if self.memory is None:
            return 0.0
        return float(self.memory(self.with_defaults(values)))

    def check(self, problem: Problem) -> None:
        """The family contract on a built instance: a stated floor for every measure it
        supports (``dist`` and ``grad_norm`` follow from their squares)."""
        missing = problem.unstated_floors()
        if missing:
            raise ValueError(f"family {self.name}: no floor stated for measure(s) "
                             f"{', '.join(missing)} (state each in Problem.floors)")
