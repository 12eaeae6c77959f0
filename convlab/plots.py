"""Figures: observed errors against k with the bound overlaid (log-log), one file per outcome."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from .rates.expressions import evaluate, is_order, parse_expression
from .outcomes import Outcome


def safe_name(text: str) -> str:
    """A file-name-safe version of ``text``: letters, digits, '.', '-', '_' only."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._")
    return name[:120] or "figure"


def plot_outcome(outcome: Outcome, folder: str | Path, *, fmt: str = "png") -> Path | None:
    """Draw ``outcome`` into ``folder``; returns the file written (None without data).

    Errors against k (or N) with the bound dashed (an O(.) bound scaled to touch the data), the
    checked window shaded and the floor dotted when it is in view; log-log axes for polynomial
    rates, semilog-y for linear rates.
    """
    if outcome.k is None or outcome.errors is None or outcome.verdict_value is None:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    claim, evidence = outcome.claim, outcome.evidence
    k, e = np.asarray(outcome.k, float), np.asarray(outcome.errors, float)
    show = (k > 0) & np.isfinite(e) & (e > 0)
    fig, ax = plt.subplots(figsize=(3.4, 2.6), dpi=200)
    variable = evidence.get("variable") or outcome.curve.axis
    if outcome.check is None or outcome.check.contraction is None:
        ax.set_xscale("log")  # polynomial rates: log-log; linear rates: semilog-y
    ax.set_yscale("log")
    ax.plot(k[show], e[show], "o-" if show.sum() < 30 else "-", ms=3, lw=1.2,
            label=f"observed ({claim.measure})")
    expr = parse_expression(claim.bound, allow_order=True)
    if show.any():
        bound = _bound_curve(outcome, expr, k, e, show)
        if bound is not None:
            label = f"bound {claim.bound}" if not is_order(expr) else f"{claim.bound} (scaled)"
            ax.plot(k[show], bound[show], "--", lw=1.0, color="k", label=label)
    window = evidence.get("window")
    if window:
        ax.axvspan(max(window[0], k[show].min() if show.any() else 1), window[1], color="0.9",
                   zorder=0, label="checked window")
    floor = evidence.get("floor")
    if floor and floor.get("value") and show.any() and floor["value"] > 1e-3 * e[show].min():
        ax.axhline(floor["value"], color="0.5", lw=0.8, ls=":", label="floor")
    ax.set_xlabel(variable)
    ax.set_ylabel(claim.measure)
    ax.set_title(f"{claim.id}\n{outcome.instance}: {outcome.verdict}", fontsize=7)
    ax.legend(fontsize=5, frameon=False)
    ax.tick_params(labelsize=6)
    ax.xaxis.label.set_size(7)
    ax.yaxis.label.set_size(7)
    fig.tight_layout()
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{safe_name(claim.id)}__{safe_name(outcome.instance)}.{fmt}"
    fig.savefig(path)
    plt.close(fig)
    return path


def _bound_curve(outcome: Outcome, expr, k, e, show):
    """The bound at k: explicit bounds as they are, order bounds scaled to touch the data."""
    variable = outcome.evidence.get("variable")
    values = {}
    if variable:
        values[variable] = k
    values.update({n: v for n, v in outcome.constants.items() if n != variable})
    try:
        b = np.broadcast_to(np.asarray(evaluate(expr, values), dtype=float), k.shape).copy()
    except Exception:  # a figure never fails a run
        return None
    if is_order(expr):
        good = show & np.isfinite(b) & (b > 0)
        if not good.any():
            return None
        b *= np.max(e[good] / b[good])
    return b

