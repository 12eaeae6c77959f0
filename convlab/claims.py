"""Claims as data: the TOML schema, loading and validation.

A claim file holds ``[[claim]]`` tables (schema in docs/claims.md). Loading checks every field's
presence and type, the algorithm and measure names, the bound's syntax and the instances, and
raises :class:`~convlab.errors.InputError` naming the file, the claim and the field.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from .algorithms.registry import get_algorithm
from .errors import InputError
from .runtime.kernel import TRACK_NEEDS
from .problems.base import MEASURES
from .names import closest
from .problems.registry import InstanceSpec, instance_from_table, load_instances
from .rates.checker import KINDS, Verdict
from .rates.checked import expression_names
from .rates.statistics import STATISTICS

#: Experiment designs: how the checked sequence is produced (one module each in
#: :mod:`convlab.designs`).
DESIGNS = ("anytime", "horizon", "scaling", "stability")

#: The former ``mode`` field (the designs that read a run or runs at iterations).
MODES = ("anytime", "horizon")

#: Legacy kinds that named a design; mapped to (design, bound type) on load.
_LEGACY_KINDS = ("scaling", "stability")

#: Bound types a design accepts (a stability edge has no order).
DESIGN_KINDS = {"anytime": KINDS, "horizon": KINDS, "scaling": KINDS,
                "stability": ("upper", "tight", "lower")}

#: Fields that belong to one design only.
DESIGN_FIELDS = {"horizons": "horizon", "sweep": "scaling", "target": "scaling",
                 "parameter": "stability", "bracket": "stability", "side": "stability"}

#: Field -> (required, accepted Python types, description). The schema in one place.
FIELDS: dict[str, tuple[bool, tuple[type, ...], str]] = {
    "id": (True, (str,), "a kebab-case identifier"),
    "class": (False, (str,), "the problem class (smooth convex, stochastic, monotone VI, ...)"),
    "source": (True, (str,), "the citation: paper or book, theorem"),
    "statement": (False, (str,), "the theorem in words and formulas"),
    "algorithm": (True, (str,), "a registered algorithm name"),
    "params": (False, (dict,), "algorithm parameters: numbers or expressions in the constants"),
    "instances": (True, (list,), "names of instances in problems/ or inline tables"),
    "measure": (True, (str,), "the error sequence: a measure of the instance (" +
                ", ".join(MEASURES) + ", or a family's own) or a running scalar of the kernel"),
    "iterate": (False, (str,), "the recorded point the measure is taken at (default: last)"),
    "bound": (True, (str, int, float), "B(k) with constants, or O(r(k)); for a stability "
              "claim the threshold"),
    "kind": (True, (str,), "the bound type: one of " + ", ".join(KINDS)),
    "design": (False, (str,), "the experiment design: one of " + ", ".join(DESIGNS)),
    "mode": (False, (str,), "the former name of design (anytime or horizon)"),
    "iterations": (False, (int,), "number of iterations (anytime mode)"),
    "horizons": (False, (list,), "horizons N, one run and one instance each (horizon mode)"),
    "window": (False, (list,), "[k_lo, k_hi] to check on"),
    "band": (False, (list,), "[lo, hi] around 1 for e/B to count as attained"),
    "rtol": (False, (float, int), "relative slack of the ratio test (a stability edge: of the "
             "bisection)"),
    "order_tol": (False, (float, int), "how far the fitted relative order may be from 1 for a "
                  "tight order verdict, in (0, 1) (default 0.02)"),
    "seeds": (False, (int,), "number of seeds (statistic over seeds, with confidence intervals)"),
    "max_seeds": (False, (int,), "double the seeds up to this many while inconclusive"),
    "statistic": (False, (str,), "statistic over seeds: mean or quantile"),
    "quantile": (False, (float,), "the quantile q in (0, 1) for statistic = quantile"),
    "sweep": (False, (dict,), "scaling: { name = symbol, values = [...] }"),
    "target": (False, (str, int, float), "scaling: the accuracy to reach (an expression)"),
    "parameter": (False, (str,), "stability: the algorithm parameter to bisect"),
    "bracket": (False, (list,), "stability: [low, high] expressions bracketing the threshold"),
    "side": (False, (str,), "stability, former form of the bound type: stable-below (kind = "
             "lower: the edge is at least the threshold) or unstable-above (kind = upper)"),
    "search": (False, (dict,), "falsify: the class around the first instance, parameter -> "
               "[low, high] or a list of choices"),
    "tier": (False, (str,), "how far the bound is established: one of exact, textbook, recalled, "
             "provisional"),
    "control": (False, (str,), "a negative control: negative (a false statement) or near-miss (a "
                "true bound made wrong by a small margin); its expected verdict rejects it"),
    "deviations": (False, (list, dict), "departures from the catalog's source of truth: a list "
                   "of reasons, or a table field -> reason (field 'expected': a finding)"),
    "slack": (False, (str,), "why the instances leave the bound slack (weakly informative: "
              "headroom above 10 or excess order above 0.5), and the harder instance of the class "
              "or why none exists"),
    "expected": (True, (str, dict), "a verdict, or a table instance -> verdict"),
    "notes": (False, (str,), "findings, caveats"),
}

_VERDICTS = tuple(v.value for v in Verdict)

#: How far a claim's bound is established, from the strongest: ``exact`` (a closed-form worst
#: case or exact value), ``textbook`` (a standard theorem, constant checked against its source or
#: derived in the notes), ``recalled`` (constant, update or measure from memory of the paper, not
#: re-read), ``provisional`` (a surrogate method or altered constants: not the theorem).
#: Provisional outcomes never count in the "as expected" headline (report.py).
TIERS = ("exact", "textbook", "recalled", "provisional")

#: Negative controls: ``negative`` (a false statement: rejected by ``violated`` or ``diverged``)
#: and ``near-miss`` (a true bound made wrong by a small margin: a constant halved, an off-by-one
#: denominator, a missing log factor, an exponent off by 0.1, a contraction factor without its
#: second-order term), which must be rejected on the bound itself: ``violated``.
CONTROLS = {"negative": ("violated", "diverged"), "near-miss": ("violated",)}

#: The deviation key that records a finding: the expected verdict differs from the source's.
FINDING = "expected"


@dataclass(frozen=True)
class Claim:
    """One claim of a catalog file (see :data:`FIELDS` for the meaning of each attribute).

    A claim has three independent axes: its bound type ``kind`` (upper, tight, lower, order),
    its experiment ``design`` (anytime, horizon, scaling, stability) and its statistic over
    seeds (``seeds``, ``statistic``, ``quantile``).
    """

    id: str
    source: str
    algorithm: str
    instances: tuple[InstanceSpec, ...]
    measure: str
    bound: str
    kind: str
    design: str
    expected: Mapping[str, str]
    file: str
    statement: str = ""
    problem_class: str = ""
    params: Mapping[str, Any] = field(default_factory=dict)
    iterate: str = "last"
    iterations: int = 1000
    horizons: tuple[int, ...] = ()
    window: tuple[float, float] | None = None
    band: tuple[float, float] | None = None
    rtol: float = 1e-9
    order_tol: float | None = None
    notes: str = ""
    seeds: int = 1
    max_seeds: int = 1
    statistic: str = "mean"
    quantile: float = 0.5
    sweep: tuple[str, tuple[float, ...]] | None = None
    target: str | None = None
    parameter: str | None = None
    bracket: tuple[str, str] | None = None
    search: Mapping[str, Any] | None = None
    tier: str = ""
    control: str = ""
    deviations: tuple[tuple[str, str], ...] = ()
    slack: str = ""

    @property
    def mode(self) -> str:
        """The former name of :attr:`design`."""
        return self.design

    @property
    def side(self) -> str:
        """For a stability claim, the former form of its bound type."""
        return "unstable-above" if self.kind == "upper" else "stable-below"

    @property
    def tracks(self) -> int:
        """The loop's ``track`` bits the measure needs (0 unless it is a running quantity that
        needs every iterate)."""
        return TRACK_NEEDS.get(self.measure, 0)

    def expected_for(self, instance: str) -> str:
        """The expected verdict on ``instance``."""
        return self.expected[instance]

    @property
    def finding(self) -> str:
        """The recorded finding (the expected verdict departs from the source's, with the
        reason), or ``""``."""
        return next((reason for key, reason in self.deviations if key == FINDING), "")


def find_problems_folder(path: Path) -> Path | None:
    """The ``problems/`` folder that a claim file refers to: the nearest one found walking up
    from the file's folder (``rates/x.toml`` -> ``problems/`` beside ``rates/``)."""
    for parent in [path.parent, *path.parent.parents][:4]:
        candidate = parent / "problems"
        if candidate.is_dir():
            return candidate
    return None


def collect_files(paths: list[str | Path]) -> list[Path]:
    """Claim files named by ``paths``: files as given, folders searched for ``*.toml``."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(sorted(path.rglob("*.toml")))
        elif path.is_file():
            files.append(path)
        else:
            raise InputError("no such file or folder", file=str(path))
    return files


_INSTANCE_CACHE: dict[Path, tuple[tuple, Mapping[str, InstanceSpec]]] = {}


def _instances_of(folder: Path) -> Mapping[str, InstanceSpec]:
    """The named instances of a folder, read once per process while its files are unchanged."""
    folder = folder.resolve()
    stamp = tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size)
                  for p in sorted(folder.glob("*.toml")))
    cached = _INSTANCE_CACHE.get(folder)
    if cached is None or cached[0] != stamp:
        cached = (stamp, load_instances(folder))
        _INSTANCE_CACHE[folder] = cached
    return cached[1]


def nearest_instances(path: Path) -> Mapping[str, InstanceSpec]:
    """The named instances a claim file sees: those of the ``problems/`` folder nearest to it,
    and the catalog's (:mod:`convlab.catalog`; the nearest folder's win a shared name)."""
    from .catalog import instances_folder

    found: dict[str, InstanceSpec] = {}
    folders = [instances_folder(), find_problems_folder(path)]
    for folder in dict.fromkeys(f.resolve() for f in folders if f is not None):
        found.update(_instances_of(folder))
    return found


def load_file(path: str | Path, instances: Mapping[str, InstanceSpec] | None = None
              ) -> tuple[list[Claim], list[InputError]]:
    """Load the claims of one file.

    Returns the valid claims and one error per invalid claim (a file that cannot be read or
    parsed gives a single error and no claims).
    """
    path = Path(path)
    name = str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        return [], [InputError(f"cannot read file: {exc}", file=name)]
    except tomllib.TOMLDecodeError as exc:
        return [], [InputError(f"invalid TOML: {exc}", file=name)]
    except RecursionError:
        return [], [InputError("invalid TOML: arrays or tables nested too deeply", file=name)]
    unknown_top = [k for k in data if k != "claim"]
    if unknown_top:
        return [], [InputError(f"unexpected top-level key '{unknown_top[0]}'; a claim file holds "
                               "[[claim]] tables", file=name)]
    tables = data.get("claim")
    if not isinstance(tables, list) or not tables:
        return [], [InputError("no [[claim]] tables in the file", file=name)]
    if instances is None:
        try:
            instances = nearest_instances(path)
        except InputError as exc:
            return [], [exc]
    claims, errors, seen = [], [], set()
    for i, table in enumerate(tables):
        if not isinstance(table, dict):
            errors.append(InputError(f"expected a [[claim]] table, got {table!r}"[:200],
                                     file=name, claim=f"#{i + 1}"))
            continue
        label = table.get("id") if isinstance(table.get("id"), str) else f"#{i + 1}"
        try:
            claim = parse_claim(table, name, instances)
            if claim.id in seen:
                raise InputError("duplicate claim id in this file", field="id")
            seen.add(claim.id)
            claims.append(claim)
        except InputError as exc:
            errors.append(exc.located(file=name, claim=label))
    return claims, errors


def parse_claim(table: Mapping[str, Any], file: str, instances: Mapping[str, InstanceSpec]) -> Claim:
    """Validate one ``[[claim]]`` table and return the :class:`Claim`."""
    for key in table:
        if key not in FIELDS:
            raise InputError(f"unknown field{closest(key, FIELDS)}; fields are: "
                             f"{', '.join(FIELDS)}", field=key)
    for key, (required, types, what) in FIELDS.items():
        if key not in table:
            if required:
                raise InputError(f"missing (expected {what})", field=key)
            continue
        value = table[key]
        if isinstance(value, bool) or not isinstance(value, types):
            raise InputError(f"expected {what}, got {value!r}", field=key)
    algorithm = get_algorithm(table["algorithm"])
    if not table["measure"].isidentifier():
        raise InputError(f"expected a measure name, got {table['measure']!r}", field="measure")
    iterate = table.get("iterate", "last")
    if iterate not in algorithm.points:
        raise InputError(f"algorithm '{algorithm.name}' records no iterate '{iterate}'"
                         f"{closest(iterate, algorithm.points)}; it records: "
                         f"{', '.join(algorithm.points)}", field="iterate")
    design, kind = _axes(table)
    try:
        expression_names(table["bound"], allow_order=True)
    except InputError as exc:
        raise exc.located(field="bound") from None
    for key, value in dict(table.get("params", {})).items():
        try:
            expression_names(value)
        except InputError as exc:
            raise exc.located(field=f"params.{key}") from None

    specs = tuple(_instance(entry, i, file, instances) for i, entry in enumerate(table["instances"]))
    if not specs:
        raise InputError("expected at least one instance", field="instances")
    names = [s.name for s in specs]
    if len(set(names)) != len(names):
        raise InputError("instance names must be unique within a claim", field="instances")

    horizons: tuple[int, ...] = ()
    if design == "horizon":
        raw = table.get("horizons")
        if not raw or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 1 for n in raw):
            raise InputError("the horizon design needs a list of positive integers",
                             field="horizons")
        horizons = tuple(sorted(set(raw)))
    else:
        for spec in specs:
            if spec.uses("N"):
                raise InputError(f"instance '{spec.name}' depends on the horizon N: use "
                                 "design = \"horizon\"", field="design")
    iterations = table.get("iterations", 1000)
    if not 1 <= iterations <= 10**8:
        raise InputError(f"expected 1 <= iterations <= 1e8, got {iterations}", field="iterations")
    mode_fields = _stochastic_fields(table, algorithm)
    mode_fields.update(_design_fields(table, design, algorithm))

    expected = table["expected"]
    if isinstance(expected, str):
        expected = {n: expected for n in names}
    else:
        missing = [n for n in names if n not in expected]
        extra = [n for n in expected if n not in names]
        if missing or extra:
            raise InputError(f"expected a verdict for every instance ({', '.join(names)})",
                             field="expected")
    for verdict in expected.values():
        if verdict not in _VERDICTS:
            raise InputError(f"expected one of {', '.join(_VERDICTS)}, got {verdict!r}",
                             field="expected")

    return Claim(
        id=table["id"], source=table["source"], algorithm=table["algorithm"], instances=specs,
        measure=table["measure"], bound=str(table["bound"]), kind=kind, design=design,
        expected=dict(expected), file=file, statement=table.get("statement", ""),
        problem_class=table.get("class", ""),
        params=dict(table.get("params", {})), iterate=iterate, iterations=iterations, horizons=horizons,
        notes=table.get("notes", ""), search=table.get("search"), **_tolerances(table, design),
        **mode_fields, **_record_fields(table, expected),
    )


def _record_fields(table: Mapping[str, Any], expected: Mapping[str, str]) -> dict[str, Any]:
    """tier, control, deviations and slack: what the claim's record says about itself."""
    tier = table.get("tier", "")
    if "tier" in table and tier not in TIERS:
        raise InputError(f"expected one of {', '.join(TIERS)}, got {tier!r}", field="tier")
    control = table.get("control", "")
    if "control" in table:
        if control not in CONTROLS:
            raise InputError(f"expected one of {', '.join(CONTROLS)}, got {control!r}",
                             field="control")
        wrong = sorted({v for v in expected.values() if v not in CONTROLS[control]})
        if wrong:
            raise InputError(f"a {control} control is rejected: expected "
                             f"{' or '.join(CONTROLS[control])}, not {wrong[0]!r}",
                             field="expected")
    raw = table.get("deviations", ())
    pairs: list[tuple[str, str]] = []
    if isinstance(raw, dict):
        for key, reason in raw.items():
            if key not in FIELDS:
                raise InputError(f"a deviation names the field that departs{closest(key, FIELDS)}"
                                 f"; fields are: {', '.join(FIELDS)}", field=f"deviations.{key}")
            pairs.append((key, reason))
    else:
        pairs = [("", reason) for reason in raw]
    for key, reason in pairs:
        if not isinstance(reason, str) or not reason.strip():
            raise InputError(f"expected the reason as a non-empty string, got {reason!r}",
                             field="deviations" + (f".{key}" if key else ""))
    return {"tier": tier, "control": control, "deviations": tuple(pairs),
            "slack": table.get("slack", "")}


def _stochastic_fields(table: Mapping[str, Any], algorithm) -> dict[str, Any]:
    seeds = table.get("seeds", 1)
    if not 1 <= seeds <= 100_000:
        raise InputError(f"expected 1 <= seeds <= 100000, got {seeds}", field="seeds")
    max_seeds = table.get("max_seeds", seeds)
    if not seeds <= max_seeds <= 100_000:
        raise InputError(f"expected seeds <= max_seeds <= 100000, got {max_seeds}",
                         field="max_seeds")
    statistic = table.get("statistic", "mean")
    if statistic not in STATISTICS:
        raise InputError(f"expected one of {', '.join(STATISTICS)}, got {statistic!r}",
                         field="statistic")
    quantile = table.get("quantile", 0.5)
    if statistic == "quantile" and "quantile" not in table:
        raise InputError("statistic = quantile needs a quantile q in (0, 1)", field="quantile")
    if not 0 < quantile < 1:
        raise InputError(f"expected 0 < quantile < 1, got {quantile}", field="quantile")
    if seeds > 1 and not algorithm.stochastic:
        raise InputError(f"algorithm '{algorithm.name}' is deterministic: seeds > 1 would repeat "
                         "one run", field="seeds")
    return {"seeds": seeds, "max_seeds": max_seeds, "statistic": statistic,
            "quantile": float(quantile)}


def _axes(table: Mapping[str, Any]) -> tuple[str, str]:
    """The claim's design and bound type, from ``design`` and ``kind`` (or their former forms:
    ``mode``; ``kind = "scaling"``, which was checked as tight; ``kind = "stability"`` with
    ``side``)."""
    kind = table["kind"]
    if "design" in table and "mode" in table:
        raise InputError("give design (mode is its former name), not both", field="mode")
    design = table.get("design", table.get("mode"))
    if design is not None and design not in DESIGNS:
        raise InputError(f"expected one of {', '.join(DESIGNS)}, got {design!r}",
                         field="design" if "design" in table else "mode")
    if kind in _LEGACY_KINDS:
        if design not in (None, "anytime", kind):
            raise InputError(f"kind = \"{kind}\" runs the {kind} design, not {design!r}",
                             field="design" if "design" in table else "mode")
        design = kind
        kind = "tight" if kind == "scaling" else _side_kind(table.get("side", "stable-below"))
    elif kind not in KINDS:
        raise InputError(f"expected one of {', '.join(KINDS)}, got {kind!r}", field="kind")
    if design is None:
        raise InputError(f"missing (expected {FIELDS['design'][2]})", field="design")
    if kind not in DESIGN_KINDS[design]:
        raise InputError(f"the {design} design takes a bound of kind "
                         f"{', '.join(DESIGN_KINDS[design])}, not {kind!r}", field="kind")
    if design == "stability" and "side" in table and table["kind"] not in _LEGACY_KINDS:
        if _side_kind(table["side"]) != kind and kind != "tight":
            raise InputError(f"side = {table['side']!r} says kind = "
                             f"\"{_side_kind(table['side'])}\", not {kind!r}", field="side")
    return design, kind


def _side_kind(side: Any) -> str:
    if side not in ("stable-below", "unstable-above"):
        raise InputError(f"expected stable-below or unstable-above, got {side!r}", field="side")
    return "lower" if side == "stable-below" else "upper"


def _design_fields(table: Mapping[str, Any], design: str, algorithm) -> dict[str, Any]:
    for key, owner in DESIGN_FIELDS.items():
        if key in table and owner != design:
            raise InputError(f"only the {owner} design takes {key} (this claim's design is "
                             f"{design})", field=key)
    if design == "scaling":
        sweep = table.get("sweep")
        if not sweep or set(sweep) != {"name", "values"} or not isinstance(sweep["name"], str) \
                or not sweep["name"].isidentifier():
            raise InputError("expected { name = \"symbol\", values = [numbers...] }", field="sweep")
        values = sweep["values"]
        if (not isinstance(values, list) or len(values) < 3 or not all(
                isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0
                and math.isfinite(v) for v in values)):
            raise InputError("expected at least 3 positive finite numbers", field="sweep.values")
        if "target" not in table:
            raise InputError("a scaling claim needs the accuracy to reach", field="target")
        _expression(table["target"], "target")
        return {"sweep": (sweep["name"], tuple(float(v) for v in sorted(values))),
                "target": str(table["target"])}
    if design == "stability":
        if "parameter" not in table:
            raise InputError("a stability claim needs the algorithm parameter to bisect",
                             field="parameter")
        if table["parameter"] not in algorithm.param_names:
            name = table["parameter"]
            raise InputError(f"algorithm '{algorithm.name}' has no parameter '{name}'"
                             f"{closest(name, algorithm.param_names)}; it has: "
                             f"{', '.join(algorithm.param_names) or 'none'}", field="parameter")
        bracket = table.get("bracket")
        if not isinstance(bracket, list) or len(bracket) != 2:
            raise InputError("expected [low, high] expressions", field="bracket")
        for value in bracket:
            _expression(value, "bracket")
        return {"parameter": table["parameter"], "bracket": tuple(str(v) for v in bracket)}
    return {}


def _expression(value: Any, key: str) -> None:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise InputError(f"expected a number or an expression, got {value!r}", field=key)
    try:
        expression_names(value)
    except InputError as exc:
        raise exc.located(field=key) from None


def _pair(table: Mapping[str, Any], key: str) -> tuple[float, float] | None:
    if key not in table:
        return None
    value = table[key]
    if (len(value) != 2 or not all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                   and math.isfinite(v) for v in value) or value[0] >= value[1]):
        raise InputError(f"expected [low, high] finite with low < high, got {value!r}", field=key)
    return float(value[0]), float(value[1])


#: Default relative slack of a ratio test, and of a stability edge.
DEFAULT_RTOL = {"stability": 1e-3}
DEFAULT_RTOL_OTHER = 1e-9

#: A stability bisection stops at a relative width of rtol/4; below this, float64 spacing.
MIN_STABILITY_RTOL = 1e-12


def _tolerances(table: Mapping[str, Any], design: str) -> dict[str, Any]:
    """rtol, order_tol, window and band: finite and in range; rtol or order_tol widened beyond
    its default needs a reason in ``notes`` (a band is the claim's own definition of attainment,
    shown with every tight verdict)."""
    default_rtol = DEFAULT_RTOL.get(design, DEFAULT_RTOL_OTHER)
    rtol = table.get("rtol", default_rtol)
    if not (isinstance(rtol, (int, float)) and math.isfinite(rtol) and rtol >= 0):
        raise InputError(f"expected a finite number >= 0, got {rtol!r}", field="rtol")
    if design == "stability" and not MIN_STABILITY_RTOL <= rtol < 1:
        raise InputError(f"a stability edge needs {MIN_STABILITY_RTOL:g} <= rtol < 1 (the "
                         f"bisection's relative resolution), got {rtol!r}", field="rtol")
    order_tol = table.get("order_tol")
    if order_tol is not None and not (isinstance(order_tol, (int, float))
                                      and 0 < order_tol < 1):
        raise InputError(f"expected a number in (0, 1), got {order_tol!r}", field="order_tol")
    window = _pair(table, "window")
    band = _pair(table, "band")
    if band is not None and not band[0] <= 1 <= band[1]:
        raise InputError(f"expected a band [low, high] around 1, got {list(band)}", field="band")
    from .rates.checker import DEFAULT_ORDER_TOL

    widened = [name for name, wider in (("rtol", rtol > default_rtol),
                                        ("order_tol", order_tol is not None
                                         and order_tol > DEFAULT_ORDER_TOL)) if wider]
    if widened and not str(table.get("notes", "")).strip():
        raise InputError(f"{widened[0]} is wider than its default: give the reason in notes",
                         field=widened[0])
    return {"rtol": float(rtol), "order_tol": None if order_tol is None else float(order_tol),
            "window": window, "band": band}


def _instance(entry: Any, i: int, file: str, instances: Mapping[str, InstanceSpec]) -> InstanceSpec:
    if isinstance(entry, str):
        if entry not in instances:
            known = ", ".join(sorted(instances)) or "none found in problems/"
            raise InputError(f"unknown instance '{entry}'{closest(entry, instances)}; known: {known}",
                             field="instances")
        return instances[entry]
    if isinstance(entry, dict):
        table = dict(entry)
        name = table.pop("name", f"inline-{i + 1}")
        if not isinstance(name, str):
            raise InputError("an inline instance's name must be a string", field="instances")
        try:
            return instance_from_table(name, table, file)
        except InputError as exc:
            raise InputError(exc.message, field=f"instances.{exc.field or name}") from None
    raise InputError(f"expected an instance name or table, got {entry!r}", field="instances")
