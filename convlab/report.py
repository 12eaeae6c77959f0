"""Reports of a verify run: a text table for people, a JSON document for programs.

- :func:`format_table`: the table ``convlab verify`` prints, fitted to the terminal's width;
- :func:`to_json` / :func:`write_json`: the JSON report, in the layout of
  ``docs/report-schema.md`` (:data:`SCHEMA_VERSION`; :func:`validate_report` checks a document
  against the JSON schema shipped with the package, ``convlab/report-schema.json``);
- :func:`to_markdown`, :func:`to_csv`: the catalog summary and one CSV row per pair;
- :func:`render`: any of them by name (``--format table|markdown|json|csv``).
"""

from __future__ import annotations

import csv
import io
import json
import math
import platform
import re
import sys
from collections import Counter
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any, Mapping

from .outcomes import Outcome, outcome_record
from .verify import Report

#: Version of the JSON report's layout (docs/report-schema.md): MAJOR.MINOR. MINOR grows when
#: fields are added (readers ignore fields they do not know); MAJOR when a field is removed,
#: renamed or changes its meaning.
SCHEMA_VERSION = "1.1"

#: The fits every record names, each ``{value, low, high, points}`` (a 95 % interval) or null;
#: any other fit the checker reports (a value of that shape in its evidence) joins them.
FITS = ("relative_order", "fitted_order", "contraction")


def _is_fit(value: Any) -> bool:
    return isinstance(value, Mapping) and {"value", "low", "high", "points"} <= set(value)

#: Verdicts in the order summaries list them.
VERDICTS = ("violated", "tight", "consistent", "inconclusive", "diverged", "error")


def _evidence_line(o: Outcome) -> str:
    if o.problem_text is not None:
        return o.problem_text
    return o.summary


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(1, width - 1)] + "…"


def format_table(report: Report, *, width: int = 100) -> str:
    """The table printed by ``convlab verify``: claim, instance, verdict, expected and the
    evidence, cut to fit ``width`` columns.

    When the claim and instance columns leave the evidence at least 30 columns, one row per
    pair; otherwise (a narrow terminal, long claim ids) one line per claim followed by its
    instances, indented. A '!' marks a verdict that differs from its expectation.
    """
    width = max(int(width), 40)
    outcomes = report.outcomes
    rows = [(o.claim.id, o.instance, o.verdict + ("" if o.matched else " !"), o.expected,
             _evidence_line(o)) for o in outcomes]
    head = ("claim", "instance", "verdict", "expected", "evidence")
    lines: list[str] = []
    w = [max([len(head[i])] + [len(r[i]) for r in rows]) for i in range(4)]
    if sum(w) + 8 + 30 <= width:
        lines.append("  ".join(head[i].ljust(w[i]) for i in range(4)) + "  " + head[4])
        lines.append("  ".join("-" * w[i] for i in range(4)) + "  " + "-" * 8)
        room = width - sum(w) - 8
        for r in rows:
            lines.append("  ".join(r[i].ljust(w[i]) for i in range(4)) + "  "
                         + _cut(r[4], room))
    else:
        wi = min(max([len(head[1])] + [len(r[1]) for r in rows]), max(12, width // 3))
        wv = max([len(head[2])] + [len(r[2]) for r in rows])
        we = max([len(head[3])] + [len(r[3]) for r in rows])
        room = max(10, width - 2 - wi - wv - we - 6)
        lines.append("claim")
        lines.append("  " + "  ".join((head[1].ljust(wi), head[2].ljust(wv), head[3].ljust(we),
                                       head[4])))
        lines.append("-" * min(width, 2 + wi + wv + we + 6 + 8))
        current = None
        for r in rows:
            if r[0] != current:
                lines.append(_cut(r[0], width))
                current = r[0]
            lines.append("  " + "  ".join((_cut(r[1], wi).ljust(wi), r[2].ljust(wv),
                                           r[3].ljust(we), _cut(r[4], room))))
    lines.append("")
    lines.append(summary_line(report))
    lines.extend(tier_lines(report))
    return "\n".join(lines)


def summary_line(report: Report) -> str:
    """``"267/269 verdicts as expected, 2 not (12.3 s)"`` with the quick-look overrides.

    Outcomes of ``provisional`` claims (a surrogate method or altered constants, not the
    theorem) never count in this headline: they are given apart, after it.
    """
    counted = [o for o in report.outcomes if tier_of(o) != "provisional"]
    apart = [o for o in report.outcomes if tier_of(o) == "provisional"]
    n = len(counted)
    matched = sum(o.matched for o in counted)
    everything = sum(o.matched for o in report.outcomes) == len(report.outcomes)
    text = (f"{matched}/{n} verdicts as expected, {n - matched} not ({report.seconds:.1f} s)"
            + (f"; provisional claims apart: {sum(o.matched for o in apart)}/{len(apart)} as "
               "expected" if apart else "")
            + ("" if everything else "; '!' marks a mismatch"))
    if report.overrides:
        text += "; QUICK LOOK (" + ", ".join(f"--{k.replace('_', '-')} {v}" for k, v in report.overrides.items()) \
            + "): not the claims' own seeds and iterations"
    return text


def versions() -> dict[str, str]:
    """Versions that determine the numbers: Python, convlab and the numerical libraries."""
    out = {"python": platform.python_version(), "platform": platform.platform()}
    for package in ("convlab", "numpy", "scipy", "sympy", "numba"):
        try:
            out[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            out[package] = "not installed"
    from .runtime.blas import pair_blas_key

    out["blas"] = pair_blas_key()  # core types and the threads pairs are decided with
    return out


def summary(report: Report) -> dict[str, Any]:
    """Counts of a report: pairs, matched, per verdict, from the store (and, when the claims or
    outcomes carry them, per tier and fragile)."""
    out: dict[str, Any] = {
        "pairs": len(report.outcomes),
        "matched": sum(o.matched for o in report.outcomes),
        "by_verdict": dict(Counter(o.verdict for o in report.outcomes)),
        "from_store": sum(o.from_store for o in report.outcomes),
    }
    tiers = [t for o in report.outcomes if (t := tier_of(o)) is not None]
    if tiers:
        out["by_tier"] = dict(Counter(tiers))
    fragile = [f for o in report.outcomes if (f := fragile_of(o)) is not None]
    if fragile:
        out["fragile"] = sum(bool(f) for f in fragile)
    rows = tier_counts(report)
    if rows:
        out["tiers"] = {r["tier"]: {k: v for k, v in r.items() if k != "tier"} for r in rows}
        counted = [o for o in report.outcomes if tier_of(o) != "provisional"]
        out["headline"] = {"pairs": len(counted), "matched": sum(o.matched for o in counted)}
    controls = control_counts(report)
    if controls:
        out["controls"] = controls
    return out


def tier_counts(report: Report) -> list[dict[str, Any]]:
    """Per tier (in the order of :data:`convlab.claims.TIERS`, then claims without one): pairs,
    as expected, fragile, weakly informative (:func:`convlab.outcomes.weakly_informative`),
    inconclusive, findings (the claim records that its expected verdict departs from its
    source's). Empty when no claim has a tier."""
    from .claims import TIERS

    groups: dict[str, list[Outcome]] = {}
    for o in report.outcomes:
        groups.setdefault(tier_of(o) or "no tier", []).append(o)
    if set(groups) == {"no tier"}:
        return []
    order = [t for t in (*TIERS, "no tier") if t in groups]
    return [{"tier": t, "pairs": len(groups[t]),
             "as_expected": sum(o.matched for o in groups[t]),
             "fragile": sum(bool(fragile_of(o)) for o in groups[t]),
             "weakly_informative": sum(bool(o.weakly_informative) for o in groups[t]),
             "inconclusive": sum(o.verdict == "inconclusive" for o in groups[t]),
             "findings": sum(bool(getattr(o.claim, "finding", "")) for o in groups[t])}
            for t in order]


def control_counts(report: Report) -> dict[str, dict[str, int]]:
    """Per kind of negative control (``negative``, ``near-miss``): pairs and rejections as
    expected."""
    out: dict[str, dict[str, int]] = {}
    for o in report.outcomes:
        control = getattr(o.claim, "control", "")
        if control:
            row = out.setdefault(control, {"pairs": 0, "rejected": 0})
            row["pairs"] += 1
            row["rejected"] += int(o.matched)
    return out


def tier_lines(report: Report) -> list[str]:
    """The per-tier summary under the headline (nothing when no claim has a tier)."""
    rows = tier_counts(report)
    if not rows:
        return []
    lines = ["by tier (provisional: a surrogate method or altered constants, outside the "
             "headline):"]
    width = max(len(r["tier"]) for r in rows)
    for r in rows:
        lines.append(f"  {r['tier'].ljust(width)}  {r['as_expected']}/{r['pairs']} as expected, "
                     f"{r['fragile']} fragile, {r['weakly_informative']} weakly informative, "
                     f"{r['inconclusive']} inconclusive, {r['findings']} findings")
    for control, c in control_counts(report).items():
        lines.append(f"{control} controls: {c['rejected']}/{c['pairs']} rejected as expected")
    return lines


def tier_of(o: Outcome) -> str | None:
    """The claim's tier, when claims have one."""
    tier = getattr(o.claim, "tier", None)
    return None if tier in (None, "") else str(tier)


def fragile_of(o: Outcome) -> bool | None:
    """Whether the verdict flips when the design is thinned, when the outcome says."""
    value = getattr(o, "fragile", None)
    return None if value is None else bool(value)


def result_record(o: Outcome) -> dict[str, Any]:
    """One outcome as a record of the JSON report (docs/report-schema.md).

    Built from :func:`convlab.outcomes.outcome_record` (the store's record): the rate check is
    flattened into ``evidence`` (one plain mapping: window, floor, ratios, ...) and ``fits``
    (the fitted orders with their intervals), so nothing is nested twice; every other field of
    the outcome record is kept as it is, so evidence added to outcomes reaches the report.
    Non-finite numbers become null (JSON has none).
    """
    rec = dict(outcome_record(o))
    check = rec.pop("check", None) or {}
    check = dict(check)
    evidence = dict(check.pop("evidence", None) or {})
    for name in ("verdict", "kind", "bound"):
        check.pop(name, None)  # the record's own fields
    evidence.update(check)
    evidence.pop("reason", None)  # the record's reason
    fits = {name: evidence.pop(name, None) for name in FITS}
    fits.update({name: evidence.pop(name) for name in list(evidence)
                 if _is_fit(evidence[name])})
    rec["evidence"] = evidence
    rec["fits"] = fits
    for name in ("tier", "fragile"):
        value = tier_of(o) if name == "tier" else fragile_of(o)
        if value is not None:
            rec[name] = value
        else:
            rec.pop(name, None)
    if "fragile" not in rec or rec.get("thinned_verdict") is None:
        rec.pop("thinned_verdict", None)
    claim = o.claim
    if getattr(claim, "control", ""):
        rec["control"] = claim.control
    if o.weakly_informative:
        rec["weakly_informative"] = o.weakly_informative
    if getattr(claim, "deviations", ()):
        rec["deviations"] = [{"field": k, "reason": r} for k, r in claim.deviations]
    rec.setdefault("diverged_at", None)
    rec.setdefault("error", None)
    rec.setdefault("curve", None)
    return _finite(rec)


def _finite(value: Any) -> Any:
    """JSON-ready data: numpy values as Python ones, non-finite floats as None."""
    if isinstance(value, Mapping):
        return {str(k): _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        return _finite(value.tolist())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def to_json(report: Report) -> dict[str, Any]:
    """The JSON report (docs/report-schema.md): provenance, a summary, one record per
    (claim, instance), input errors."""
    return {
        "schema_version": SCHEMA_VERSION,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "command": " ".join(sys.argv),
        "versions": versions(),
        "seconds": round(report.seconds, 3),
        "exit_code": report.exit_code,
        "overrides": dict(report.overrides),
        "summary": summary(report),
        "results": [result_record(o) for o in report.outcomes],
        "input_errors": [str(e) for e in report.input_errors],
    }


def dumps(document: Mapping[str, Any]) -> str:
    """Strict JSON text (no NaN or Infinity)."""
    return json.dumps(document, indent=2, allow_nan=False) + "\n"


def write_json(report: Report, path: str | Path) -> None:
    """Write the JSON report to ``path`` (atomically: a temporary file renamed into place)."""
    _write_text(path, dumps(to_json(report)))


def _write_text(path: str | Path, text: str) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def schema() -> dict[str, Any]:
    """The JSON schema of the report (``convlab/report-schema.json``)."""
    return json.loads((Path(__file__).parent / "report-schema.json").read_text(encoding="utf-8"))


def validate_report(document: Any, schema_: Mapping[str, Any] | None = None) -> list[str]:
    """Every place where ``document`` departs from the report schema (empty: valid).

    A small validator of the JSON-schema keywords the schema uses: ``type``, ``properties``,
    ``required``, ``additionalProperties``, ``items``, ``enum``, ``minimum``, ``pattern``,
    ``anyOf`` and local ``$ref``.
    """
    import re

    root = dict(schema_ if schema_ is not None else schema())
    errors: list[str] = []
    types = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}

    def is_type(value: Any, name: str) -> bool:
        if name == "integer":
            return isinstance(value, int) and not isinstance(value, bool)
        if name == "number":
            return isinstance(value, (int, float)) and not isinstance(value, bool)
        return isinstance(value, types[name])

    def check(value: Any, node: Mapping[str, Any], where: str) -> None:
        if "$ref" in node:
            target: Any = root
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target[part]
            check(value, target, where)
            return
        if "anyOf" in node:
            trials = []
            for option in node["anyOf"]:
                before = len(errors)
                check(value, option, where)
                trials.append(errors[before:])
                del errors[before:]
                if not trials[-1]:
                    break
            else:
                errors.append(f"{where}: matches none of the allowed forms "
                              f"({'; '.join(t[0] for t in trials if t)})")
            return
        wanted = node.get("type")
        if wanted is not None:
            names = wanted if isinstance(wanted, list) else [wanted]
            if not any(is_type(value, n) for n in names):
                errors.append(f"{where}: expected {' or '.join(names)}, got "
                              f"{type(value).__name__} {str(value)[:40]!r}")
                return
        if "enum" in node and value not in node["enum"]:
            errors.append(f"{where}: {value!r} is not one of {node['enum']}")
        if "minimum" in node and is_type(value, "number") and value < node["minimum"]:
            errors.append(f"{where}: {value} is below {node['minimum']}")
        if "pattern" in node and isinstance(value, str) and not re.search(node["pattern"], value):
            errors.append(f"{where}: {value!r} does not match {node['pattern']}")
        if isinstance(value, dict):
            props = node.get("properties", {})
            for name in node.get("required", ()):
                if name not in value:
                    errors.append(f"{where}: missing field '{name}'")
            extra = node.get("additionalProperties", True)
            for name, item in value.items():
                if name in props:
                    check(item, props[name], f"{where}.{name}")
                elif extra is False:
                    errors.append(f"{where}: unknown field '{name}' (add it to the schema and "
                                  f"docs/report-schema.md)")
                elif isinstance(extra, dict):
                    check(item, extra, f"{where}.{name}")
        if isinstance(value, list) and "items" in node:
            for i, item in enumerate(value):
                check(item, node["items"], f"{where}[{i}]")

    check(document, root, "report")
    return errors


def to_csv(report: Report) -> str:
    """One CSV row per (claim, instance): ids, design, verdict, expectation, the reason."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["claim", "instance", "algorithm", "design", "kind", "verdict", "expected",
                     "matched", "from_store", "seconds", "reason"])
    for o in report.outcomes:
        writer.writerow([o.claim.id, o.instance, o.claim.algorithm, o.design, o.claim.kind,
                         o.verdict, o.expected, o.matched, o.from_store, f"{o.seconds:.4g}",
                         _evidence_line(o)])
    return buffer.getvalue()


def render(report: Report, fmt: str, *, width: int = 100) -> str:
    """The report as ``table``, ``markdown``, ``json`` or ``csv`` text."""
    if fmt == "table":
        return format_table(report, width=width)
    if fmt == "markdown":
        return to_markdown(report)
    if fmt == "json":
        return dumps(to_json(report))
    if fmt == "csv":
        return to_csv(report)
    raise ValueError(f"unknown format {fmt!r}: table, markdown, json or csv")


def _flags(o: Outcome) -> str:
    """The markers of a catalog row: fragile, weakly informative, a finding, a control."""
    out = []
    if fragile_of(o):
        out.append(f"fragile (thinned: {o.thinned_verdict})")
    if o.weakly_informative:
        out.append(f"weak: {o.weakly_informative}")
    if getattr(o.claim, "finding", ""):
        out.append("finding")
    if getattr(o.claim, "control", ""):
        out.append(f"{o.claim.control} control")
    return "; ".join(out)


#: The headline of the catalog summary, as :func:`to_markdown` writes it (tests and README
#: read the counts back with this pattern).
HEADLINE = ("{matched}/{pairs} verdicts as expected on exact, textbook and recalled claims, "
            "{apart_matched}/{apart} on provisional claims; {all_pairs} pairs of {claims} claims "
            "from {files} files")


#: The markers of the block of README.md that carries the catalog's numbers (:func:`sync_readme`).
README_MARKERS = ("<!-- catalog-counts: generated from docs/catalog.md by "
                  "convlab.report.sync_readme; do not edit by hand -->", "<!-- /catalog-counts -->")


def parse_headline(markdown: str) -> dict[str, int]:
    """The counts of the :data:`HEADLINE` of a catalog summary (``to_markdown``'s text)."""
    pattern = re.escape(HEADLINE)
    pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>\\d+)", pattern)
    found = re.search(pattern, markdown)
    if found is None:
        raise ValueError("no catalog headline found")
    return {k: int(v) for k, v in found.groupdict().items()}


def readme_block(markdown: str) -> str:
    """The README block for a catalog summary: its headline (without the timing) and its table
    per tier and controls, between :data:`README_MARKERS`."""
    counts = parse_headline(markdown)
    lines = markdown.split("\n")
    tiers = ("tier", "exact", "textbook", "recalled", "provisional", "no tier")
    table = [line for line in lines if line == "|---|---|---|---|---|---|---|"
             or (line.startswith("| ") and line.split(" | ")[0][2:] in tiers)]
    controls = [line for line in lines if line.endswith("rejected as expected.")]
    body = [README_MARKERS[0], HEADLINE.format(**counts) + ".", "", *table, "", *controls,
            README_MARKERS[1]]
    return "\n".join(body)


def sync_readme(readme: str | Path, catalog: str | Path) -> bool:
    """Replace the block of ``readme`` between :data:`README_MARKERS` by :func:`readme_block` of
    the catalog summary ``catalog`` (run after ``convlab verify rates/ --markdown
    docs/catalog.md``). Returns whether the file changed."""
    readme, catalog = Path(readme), Path(catalog)
    text = readme.read_text(encoding="utf-8")
    start, end = text.index(README_MARKERS[0]), text.index(README_MARKERS[1])
    new = text[:start] + readme_block(catalog.read_text(encoding="utf-8")) + \
        text[end + len(README_MARKERS[1]):]
    if new != text:
        _write_text(readme, new)
    return new != text


def catalog_counts(report: Report) -> dict[str, int]:
    """The numbers of the catalog headline: pairs and matched outside the provisional tier,
    claims and files, the provisional pairs apart."""
    counted = [o for o in report.outcomes if tier_of(o) != "provisional"]
    apart = [o for o in report.outcomes if tier_of(o) == "provisional"]
    claims = {(o.claim.file, o.claim.id) for o in report.outcomes}
    return {"matched": sum(o.matched for o in counted), "pairs": len(counted),
            "claims": len(claims), "files": len({f for f, _ in claims}),
            "apart_matched": sum(o.matched for o in apart), "apart": len(apart),
            "all_pairs": len(report.outcomes)}


def to_markdown(report: Report) -> str:
    """The catalog summary, built from a verify run (docs/catalog.md is written by ``convlab
    verify rates/ --markdown``): the headline (:data:`HEADLINE`, provisional claims apart), the
    counts per tier and of the controls, one row per claim and instance with its tier, verdict,
    flags (fragile, weakly informative, finding, control), evidence and source; then the
    weakly informative passes with the claim's note on its slack, and every deviation from the
    catalog's source of truth."""
    counts = catalog_counts(report)
    lines = [
        "# Catalog summary",
        "",
        "Generated by `convlab verify rates/ --markdown docs/catalog.md`; do not edit by hand.",
        "",
        HEADLINE.format(**counts) + f" ({report.seconds:.0f} s; "
        + ", ".join(f"{k} {v}" for k, v in versions().items() if k != "platform") + ").",
        "",
    ]
    if report.overrides:
        lines += ["**Quick look** (" + ", ".join(f"--{k.replace('_', '-')} {v}" for k, v in report.overrides.items())
                  + "): not the claims' own seeds and iterations.", ""]

    def cell(text: str) -> str:
        return str(text).replace("|", "\\|").replace("\n", " ")

    rows = tier_counts(report)
    if rows:
        lines += ["| tier | pairs | as expected | fragile | weakly informative | inconclusive | "
                  "findings |", "|---|---|---|---|---|---|---|"]
        lines += [f"| {r['tier']} | {r['pairs']} | {r['as_expected']} | {r['fragile']} | "
                  f"{r['weakly_informative']} | {r['inconclusive']} | {r['findings']} |"
                  for r in rows]
        lines.append("")
        lines += [f"{control.capitalize()} controls: {c['rejected']}/{c['pairs']} rejected as "
                  "expected." for control, c in control_counts(report).items()]
        lines.append("")
    lines += [
        "| claim | instance | tier | kind | verdict | expected | flags | evidence | source |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for o in report.outcomes:
        verdict = o.verdict if o.matched else f"**{o.verdict}**"
        lines.append("| " + " | ".join(cell(x) for x in (
            f"`{o.claim.id}`", o.instance, tier_of(o) or "", o.claim.kind, verdict, o.expected,
            _flags(o), _evidence_line(o), o.claim.source)) + " |")
    weak = [o for o in report.outcomes if o.weakly_informative]
    if weak:
        lines += ["", "## Weakly informative passes", "",
                  "Headroom above 10 or excess order above 0.5: the bound holds with much room "
                  "on these instances. Each claim says why, and names the harder instance of its "
                  "class or why none exists.", "",
                  "| claim | instance | why weak | the claim's note |", "|---|---|---|---|"]
        lines += ["| " + " | ".join(cell(x) for x in (
            f"`{o.claim.id}`", o.instance, o.weakly_informative,
            getattr(o.claim, "slack", "") or "**no note**")) + " |" for o in weak]
    seen: dict[tuple[str, str], Outcome] = {}
    for o in report.outcomes:
        if getattr(o.claim, "deviations", ()):
            seen.setdefault((o.claim.file, o.claim.id), o)
    if seen:
        lines += ["", "## Deviations from the catalog's source of truth", "",
                  "Every departure of a claim from `../shared/CLAIMS.md` (instances, horizons, "
                  "seeds, windows, tolerances, bound, expected verdict), with its reason; a "
                  "departure of the expected verdict is a finding.", "",
                  "| claim | field | reason |", "|---|---|---|"]
        for o in seen.values():
            lines += ["| " + " | ".join(cell(x) for x in (
                f"`{o.claim.id}`", key or "-", reason)) + " |"
                      for key, reason in o.claim.deviations]
    return "\n".join(lines) + "\n"


def write_markdown(report: Report, path: str | Path) -> None:
    """Write :func:`to_markdown` to ``path`` atomically, keeping the sections other commands
    generated in the file (:func:`write_section`: ``convlab falsify --markdown``)."""
    _write_text(path, to_markdown(report) + "".join(_sections(path).values()))


#: Markers of a section another command generates in a Markdown summary (``convlab falsify
#: rates/ --markdown docs/catalog.md`` writes the section ``falsify``).
_SECTION = re.compile(r"\n?<!-- convlab ([\w-]+): begin -->\n.*?<!-- convlab \1: end -->\n?",
                      re.S)


def _sections(path: str | Path) -> dict[str, str]:
    """The generated sections of the Markdown file ``path`` (none when it does not exist), by
    name, each with its markers."""
    path = Path(path)
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    return {m.group(1): "\n" + m.group(0).strip("\n") + "\n" for m in _SECTION.finditer(text)}


def write_section(path: str | Path, name: str, text: str) -> None:
    """Write ``text`` as the generated section ``name`` of the Markdown file ``path``, between
    its markers: the section replaces the one of that name, or is appended; the rest of the
    file is kept (a file that does not exist is created)."""
    path = Path(path)
    old = path.read_text(encoding="utf-8") if path.is_file() else ""
    block = (f"<!-- convlab {name}: begin -->\n{text.rstrip()}\n<!-- convlab {name}: end -->\n")
    kept = [m for m in _SECTION.finditer(old) if m.group(1) == name]
    if kept:
        m = kept[0]
        new = old[:m.start()] + ("\n" if m.group(0).startswith("\n") else "") + block \
            + old[m.end():]
    else:
        new = old.rstrip("\n") + ("\n\n" if old.strip() else "") + block
    _write_text(path, new)
