"""Problem families by name, and instances built from (possibly symbolic) parameters.

Each family module declares its families next to their builders (:class:`~.family.Family`, in a
module-level tuple ``FAMILIES``); the registry collects them from :data:`FAMILY_MODULES` the
first time a name is looked up, and plugins add theirs with :func:`register_family`. A numeric
parameter may be given as an expression of the other numeric parameters and of the horizon ``N``
(e.g. ``delta = "R/(2*N+1)"``), parsed safely (:mod:`convlab.rates.expressions`).
"""

from __future__ import annotations

import inspect
import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

from ..errors import InputError
from ..names import Registry, closest
from .base import Problem
from .family import Family

#: Family modules of convlab (``convlab.problems.<name>``), one per mathematical class.
FAMILY_MODULES = ("quadratics", "worst_cases", "regression", "nonconvex", "nonsmooth",
                  "constrained", "selfconcordant", "function_classes", "finite_sums",
                  "stochastic", "online", "vi", "fixed_points", "games")

#: Family name -> :class:`Family` (loads convlab's family modules on first use).
FAMILIES = Registry("family", "convlab.problems", FAMILY_MODULES, "FAMILIES", Family)


def register_family(family: Family, *, replace: bool = False) -> Family:
    """Add a family (a :class:`Family` declaration) to the registry, after checking it once on
    its ``example`` instance: the parameters are in range, the instance builds, states a floor
    for every measure it supports and passes its own check of certified constants."""
    if not isinstance(family, Family):
        raise TypeError(f"expected a Family, got {family!r}")
    check_names_of(family, family.example)
    family.validate(family.example)
    problem = family.build(**family.example)
    family.check(problem)
    failures = problem.certify()
    if failures:
        raise ValueError(f"family {family.name}: example instance fails its check: "
                         f"{'; '.join(failures)}")
    return FAMILIES.add(family, replace=replace)


def get_family(family: str) -> Family:
    """The registered family ``family``; an :class:`InputError` suggesting the closest name."""
    if family not in FAMILIES:
        raise InputError(f"unknown problem family '{family}'{closest(family, FAMILIES)}; "
                         f"known: {', '.join(sorted(FAMILIES))}", field="family")
    return FAMILIES[family]


def family_schema(family: str) -> dict[str, tuple[type, Any]]:
    """Parameter name -> (type, default) of a family; the default is ``inspect.Parameter.empty``
    for a required parameter."""
    return get_family(family).schema


def get_builder(family: str) -> Callable[..., Problem]:
    """The builder function of ``family`` (imports its module)."""
    return get_family(family).build


def check_names_of(family: Family, raw: Mapping[str, Any]) -> dict[str, tuple[type, Any]]:
    """Check that ``raw`` names only parameters of ``family`` and all required ones; return the
    family's schema."""
    schema = family.schema
    unknown = [k for k in raw if k not in schema]
    if unknown:
        k = unknown[0]
        raise InputError(f"unknown parameter '{k}' for family '{family.name}'"
                         f"{closest(k, schema)}; expected some of: {', '.join(schema)}", field=k)
    missing = [k for k, (_, default) in schema.items()
               if default is inspect.Parameter.empty and k not in raw]
    if missing:
        raise InputError(f"family '{family.name}' needs parameter(s) {', '.join(missing)}",
                         field=missing[0])
    return schema


def check_names(family: str, raw: Mapping[str, Any]) -> dict[str, tuple[type, Any]]:
    """Check that ``raw`` names only parameters of ``family`` and all required ones; return the
    family's schema."""
    return check_names_of(get_family(family), raw)


def resolve_parameters(family: str, raw: Mapping[str, Any],
                       context: Mapping[str, float] | None = None) -> dict[str, Any]:
    """Turn raw instance parameters into the builder's typed arguments.

    Numeric parameters given as strings are expressions; they may refer to the other numeric
    parameters and to ``context`` (for instance the horizon ``N``).
    """
    schema = check_names(family, raw)
    values: dict[str, Any] = {}
    pending: dict[str, str] = {}
    for key, value in raw.items():
        kind = schema[key][0]
        if kind in (str, bool):
            if not isinstance(value, kind):
                raise InputError(f"expected a {kind.__name__}, got {value!r}", field=key)
            values[key] = value
        elif isinstance(value, str):
            pending[key] = value
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            values[key] = value
        else:
            raise InputError(f"expected a number or an expression string, got {value!r}", field=key)
    scope = dict(context or {})
    scope.update({k: v for k, v in values.items() if isinstance(v, (int, float))
                  and not isinstance(v, bool)})
    if pending:  # here, not at the top: sympy is imported only when an expression is given
        from ..rates.expressions import evaluate_scalar
    while pending:
        ready = {k: s for k, s in pending.items() if _names(s, k) <= set(scope)}
        if not ready:
            key, text = next(iter(pending.items()))
            names = sorted(_names(text, key) - set(scope))
            raise InputError(f"expression {text!r} uses unknown or circular name(s) "
                             f"{', '.join(names)} (known: {', '.join(sorted(scope)) or 'none'})",
                             field=key)
        for key, text in ready.items():
            try:
                scope[key] = values[key] = evaluate_scalar(text, scope)
            except InputError as exc:
                raise exc.located(field=key) from None
            del pending[key]
    for key, value in list(values.items()):
        if schema[key][0] is int:
            if not math.isfinite(float(value)) or float(value) != round(float(value)):
                raise InputError(f"expected an integer, got {value!r}", field=key)
            values[key] = int(round(float(value)))
        elif schema[key][0] is float:
            values[key] = float(value)
    return values


def _names(text: str, key: str) -> frozenset[str]:
    """The names the expression ``text`` (parameter ``key``) uses, once it is accepted (from the
    memo of expressions checked before: :mod:`convlab.rates.checked`)."""
    from ..rates.checked import expression_names

    try:
        return expression_names(text)
    except InputError as exc:
        raise exc.located(field=key) from None


def build(family: str, raw: Mapping[str, Any], context: Mapping[str, float] | None = None) -> Problem:
    """Build an instance of ``family`` from raw parameters (see :func:`resolve_parameters`)."""
    values = resolve_parameters(family, raw, context)
    fam = get_family(family)
    fam.validate(values)
    try:
        problem = fam.build(**values)
    except ValueError as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError(f"invalid parameters for family '{family}': {exc}") from None
    except ArithmeticError as exc:  # an extreme value: noise = 1e154 squares to an overflow
        raise InputError(f"invalid parameters for family '{family}': the builder's "
                         f"arithmetic fails ({type(exc).__name__}: {exc})") from None
    if fam.ranges:  # declared with the family contract
        fam.check(problem)
    return problem


@dataclass(frozen=True)
class InstanceSpec:
    """A named instance: a family and its raw parameters, as written in ``problems/*.toml``."""

    name: str
    family: str
    params: Mapping[str, Any] = field(default_factory=dict)
    description: str = ""
    file: str = ""

    def build(self, context: Mapping[str, float] | None = None) -> Problem:
        """Build the instance (``context`` supplies symbols such as the horizon ``N``)."""
        try:
            return build(self.family, self.params, context)
        except InputError as exc:
            raise exc.located(file=self.file or None) from None

    def uses(self, name: str) -> bool:
        """True when a parameter expression refers to ``name`` (e.g. the horizon ``N``)."""
        return any(isinstance(v, str) and name in _names(v, k)
                   for k, v in self.params.items() if family_schema(self.family)[k][0] in (int, float))


def instance_from_table(name: str, table: Mapping[str, Any], file: str = "") -> InstanceSpec:
    """Validate an instance table ``{family = ..., <parameters>...}`` and return its spec."""
    if not isinstance(table, Mapping):
        raise InputError(f"instance '{name}' must be a table", file=file or None, field=name)
    if "family" not in table or not isinstance(table["family"], str):
        raise InputError(f"instance '{name}' needs a string field 'family'", file=file or None,
                         field="family")
    params = {k: v for k, v in table.items() if k not in ("family", "description")}
    description = table.get("description", "")
    spec = InstanceSpec(name=name, family=table["family"], params=params,
                        description=str(description), file=file)
    try:
        check_names(spec.family, params)
        for key, text in params.items():
            if isinstance(text, str) and family_schema(spec.family)[key][0] in (int, float):
                _names(text, key)
    except InputError as exc:
        raise exc.located(file=file or None) from None
    return spec


def load_instances(folder: str | Path) -> dict[str, InstanceSpec]:
    """Read every ``*.toml`` file of a folder of named instances (one table per instance)."""
    out: dict[str, InstanceSpec] = {}
    for path in sorted(Path(folder).glob("*.toml")):
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot read file: {exc}", file=str(path)) from None
        except tomllib.TOMLDecodeError as exc:
            raise InputError(f"invalid TOML: {exc}", file=str(path)) from None
        except RecursionError:
            raise InputError("invalid TOML: arrays or tables nested too deeply",
                             file=str(path)) from None
        for name, table in data.items():
            if name in out:
                raise InputError(f"instance '{name}' also defined in {out[name].file}",
                                 file=str(path), field=name)
            out[name] = instance_from_table(name, table, str(path))
    return out
