"""Reports of a verify run: a text table for people, a JSON document for programs."""

from __future__ import annotations

import json
import platform
import sys
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

from .verify import Outcome, Report


def _evidence_line(o: Outcome) -> str:
    if o.error is not None:
        return str(o.error)
    return o.check.summary if o.check is not None else ""


def format_table(report: Report, *, width: int = 90) -> str:
    """The table printed by ``convlab verify``: claim, instance, verdict, expected, evidence."""
    rows = [("claim", "instance", "verdict", "expected", "evidence")]
    for o in report.outcomes:
        mark = "" if o.matched else " !"
        evidence = _evidence_line(o)
        if len(evidence) > width:
            evidence = evidence[: width - 3] + "..."
        rows.append((o.claim.id, o.instance, o.verdict + mark, o.expected, evidence))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = []
    for j, r in enumerate(rows):
        lines.append("  ".join(r[i].ljust(widths[i]) for i in range(4)) + "  " + r[4])
        if j == 0:
            lines.append("  ".join("-" * w for w in widths) + "  " + "-" * 8)
    n = len(report.outcomes)
    matched = sum(o.matched for o in report.outcomes)
    lines.append("")
    lines.append(f"{matched}/{n} verdicts as expected, {n - matched} not "
                 f"({report.seconds:.1f} s)" + ("; '!' marks a mismatch" if matched < n else ""))
    return "\n".join(lines)


def versions() -> dict[str, str]:
    """Versions that determine the numbers: Python, convlab and the numerical libraries."""
    out = {"python": platform.python_version(), "platform": platform.platform()}
    for package in ("convlab", "numpy", "scipy", "sympy", "numba"):
        try:
            out[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            out[package] = "not installed"
    return out


def to_json(report: Report) -> dict[str, Any]:
    """The JSON report: provenance, one record per (claim, instance), input errors."""
    return {
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "command": " ".join(sys.argv),
        "versions": versions(),
        "seconds": round(report.seconds, 3),
        "exit_code": report.exit_code,
        "results": [o.to_dict() for o in report.outcomes],
        "input_errors": [str(e) for e in report.input_errors],
    }


def write_json(report: Report, path: str | Path) -> None:
    """Write the JSON report to ``path`` (atomically: a temporary file renamed into place)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(to_json(report), indent=2, default=_plain) + "\n", encoding="utf-8")
    tmp.replace(path)


def _plain(value: Any) -> Any:
    try:
        return value.item()  # numpy scalars
    except AttributeError:
        return str(value)
