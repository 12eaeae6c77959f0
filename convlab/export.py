"""Tidy export of every curve of a verify run, for pandas users.

One row per point of every outcome's checked curve (long format): ``claim``, ``instance``,
``algorithm``, ``design``, ``verdict``, ``axis`` (``iteration``, ``horizon``, the swept symbol
or the bisected parameter), ``quantity`` (the measure, ``iterations to target``,
``growth e_T/e_0``), ``series`` (``one run``, or the statistic over seeds: ``mean of 500
seeds``, ``quantile 0.9 of 64 seeds``), ``x``, ``y``, ``low`` and ``high`` (the simultaneous
confidence band, empty without one) and ``bound`` (the claim's explicit bound at x, empty for an
O(.) bound or where it cannot be evaluated). Written as CSV, or as Parquet when ``pyarrow`` is
installed (``.parquet``)::

    import pandas as pd
    curves = pd.read_csv("curves.csv")
    curves[curves.claim == "gd-smooth-convex-tight-drori-teboulle"].plot.scatter("x", "y")
"""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from .errors import InputError
from .outcomes import Outcome
from .verify import Report

#: The columns of the tidy table, in order.
COLUMNS = ("claim", "instance", "algorithm", "design", "verdict", "axis", "quantity", "series",
           "x", "y", "low", "high", "bound")


def _series(o: Outcome) -> str:
    return "one run" if o.seeds is None else f"{o.seeds.statistic} of {o.seeds.n} seeds"


def _number(value: float) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None


def curve_rows(report: Report) -> Iterator[dict[str, Any]]:
    """The tidy rows of every outcome with a curve (see the module docstring)."""
    from .plots import bound_at
    from .rates.expressions import is_order, parse_expression

    for o in report.outcomes:
        c = o.curve
        if c is None:
            continue
        x = np.asarray(c.x, dtype=float)
        bound = None
        if o.design in ("anytime", "horizon", "scaling"):
            try:
                if not is_order(parse_expression(o.claim.bound, allow_order=True)):
                    bound = bound_at(o, x)
            except Exception:  # the bound of an errored claim: no column value
                bound = None
        low = None if c.low is None else np.asarray(c.low, dtype=float)
        high = None if c.high is None else np.asarray(c.high, dtype=float)
        base = {"claim": o.claim.id, "instance": o.instance, "algorithm": o.claim.algorithm,
                "design": o.design, "verdict": o.verdict, "axis": c.axis,
                "quantity": c.quantity, "series": _series(o)}
        for i, xi in enumerate(x):
            yield {**base, "x": _number(xi), "y": _number(c.y[i]),
                   "low": None if low is None else _number(low[i]),
                   "high": None if high is None else _number(high[i]),
                   "bound": None if bound is None else _number(bound[i])}


def write_curves(report: Report, path: str | Path) -> int:
    """Write the tidy curves to ``path``: ``.parquet`` (needs pyarrow) or CSV (any other
    suffix). Returns the number of rows."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = list(curve_rows(report))
    tmp = path.with_name(path.name + ".tmp")
    if path.suffix == ".parquet":
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError:
            raise InputError("writing Parquet needs pyarrow (pip install 'convlab[parquet]'); "
                             "or write CSV with a .csv file name", file=str(path)) from None
        table = pa.table({name: [r[name] for r in rows] for name in COLUMNS},
                         schema=pa.schema([(n, pa.string()) for n in COLUMNS[:8]]
                                          + [(n, pa.float64()) for n in COLUMNS[8:]]))
        pq.write_table(table, tmp)
    else:
        with tmp.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
            writer.writeheader()
            for row in rows:
                writer.writerow({k: ("" if v is None else (repr(v) if isinstance(v, float)
                                                           else v)) for k, v in row.items()})
    tmp.replace(path)
    return len(rows)
