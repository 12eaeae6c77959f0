"""Figures of a check: observed errors, the bound on a dense grid, the checked window, the floor
and the points that violate the bound, in the project's style (:mod:`convlab.figures.style`).

:func:`plot` draws a :class:`~convlab.run.Trace` or ``(k, errors)`` arrays of one's own;
:func:`draw_check` is the drawing itself, shared by :func:`convlab.testing.assert_rate`
(``figure=...``) and anything else that draws one check into a matplotlib axes::

    import convlab
    trace = convlab.run(convlab.quadratic(d=50, mu=0.0, spectrum="linspace"), "agd",
                        iterations=2000)
    convlab.plot(trace, "2*L*R**2/(k+1)**2", path="agd.png")
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np

from .rates.checker import RateCheck, check_rate
from .rates.expressions import evaluate, is_order, parse_expression
from .run import Trace, bound_scope

#: Points of the dense grid the bound is drawn on.
GRID_POINTS = 400


def bound_on_grid(bound: str, k: np.ndarray, e: np.ndarray, constants: Mapping[str, Any],
                  variable: str = "k", *, log_x: bool = True
                  ) -> tuple[np.ndarray, np.ndarray] | None:
    """The bound on a dense grid over the range of ``k`` (geometric on a log axis): explicit
    bounds as they are, an order bound ``O(r)`` scaled to touch the data from above. None when
    the bound cannot be evaluated (a figure never fails)."""
    expr = parse_expression(bound, allow_order=True)
    positive = k[k > 0] if log_x else k
    if positive.size == 0:
        return None
    lo, hi = float(positive.min()), float(positive.max())
    grid = np.geomspace(lo, hi, GRID_POINTS) if log_x and hi > lo else np.linspace(lo, hi,
                                                                                  GRID_POINTS)
    values = {**{n: v for n, v in constants.items() if np.ndim(v) == 0}, variable: grid}
    try:
        b = np.broadcast_to(np.asarray(evaluate(expr, values), dtype=float), grid.shape).copy()
    except Exception:
        return None
    if is_order(expr):
        at = {**values, variable: k}
        try:
            bk = np.broadcast_to(np.asarray(evaluate(expr, at), dtype=float), k.shape)
        except Exception:
            return None
        good = np.isfinite(e) & (e > 0) & np.isfinite(bk) & (bk > 0)
        if not good.any():
            return None
        b *= np.max(e[good] / bk[good])
    return grid, b


def violations(k: np.ndarray, e: np.ndarray, bound: str, check: RateCheck,
               constants: Mapping[str, Any], variable: str = "k", rtol: float = 1e-9
               ) -> np.ndarray:
    """Mask of the points the check counts against an explicit bound: inside the checked
    window, above the floor, and past the bound (above it for an upper or tight claim, below it
    for a lower one)."""
    expr = parse_expression(bound, allow_order=True)
    window = check.evidence.get("window")
    if is_order(expr) or not window:
        return np.zeros(k.shape, dtype=bool)
    try:
        b = np.broadcast_to(np.asarray(evaluate(expr, {**constants, variable: k}), dtype=float),
                            k.shape)
    except Exception:
        return np.zeros(k.shape, dtype=bool)
    inside = (k >= window[0]) & (k <= window[1]) & np.isfinite(e) & np.isfinite(b) & (b > 0)
    floor = (check.evidence.get("floor") or {}).get("value")
    if floor:
        inside &= e > floor
    with np.errstate(all="ignore"):
        ratio = np.where(inside, e / np.where(b > 0, b, 1.0), np.nan)
    past = ratio < 1 - rtol if check.kind == "lower" else ratio > 1 + rtol
    return inside & past


def draw_check(ax, k: Sequence[float], errors: Sequence[float], bound: str | None = None, *,
               check: RateCheck | None = None, constants: Mapping[str, Any] | None = None,
               variable: str = "k", label: str = "observed", color: str | None = None,
               low: Sequence[float] | None = None, high: Sequence[float] | None = None) -> None:
    """Draw one check into ``ax``: the errors (with their confidence band when ``low`` and
    ``high`` are given), the bound on a dense grid (dashed; dotted for a lower bound), the
    checked window (shaded), the floor (grey dotted) and the violating points (red crosses).
    Log-log axes for polynomial rates, semilog-y when the check fitted a linear rate."""
    from .figures.style import PALETTE

    k, e = np.asarray(k, dtype=float), np.asarray(errors, dtype=float)
    constants = dict(constants or {})
    log_x = check is None or check.contraction is None
    ax.set_yscale("log")
    if log_x:
        ax.set_xscale("log")
    show = np.isfinite(e) & (e > 0) & ((k > 0) if log_x else True)
    ax.plot(k[show], e[show], "o-" if show.sum() < 30 else "-", color=color or PALETTE[0],
            label=label)
    if low is not None and high is not None:
        lo, hi = np.asarray(low, dtype=float), np.asarray(high, dtype=float)
        ax.fill_between(k[show], np.maximum(lo[show], e[show].min() * 1e-3), hi[show],
                        color=color or PALETTE[0], alpha=0.2, lw=0, label="95 % interval")
    evidence = check.evidence if check is not None else {}
    if bound is not None and show.any():
        curve = bound_on_grid(bound, k[show], e[show], constants, variable, log_x=log_x)
        if curve is not None:
            order = is_order(parse_expression(bound, allow_order=True))
            style = ":" if check is not None and check.kind == "lower" else "--"
            ax.plot(*curve, style, color="k", lw=1.0,
                    label=f"{bound} (scaled)" if order else f"bound {bound}")
    window = evidence.get("window")
    if window and show.any() and (window[0] > k[show].min() or window[1] < k[show].max()):
        ax.axvspan(window[0], window[1], color="0.93", zorder=0, lw=0, label="checked window")
    floor = (evidence.get("floor") or {}).get("value")
    if floor and show.any() and floor > 1e-3 * e[show].min():
        ax.axhline(floor, color="0.5", lw=0.8, ls=":", label="floor")
    if bound is not None and check is not None:
        bad = violations(k, e, bound, check, constants, variable) & show
        if bad.any():
            at = np.flatnonzero(bad)
            at = at[np.unique(np.linspace(0, at.size - 1, min(at.size, 60)).round().astype(int))]
            ax.plot(k[at], e[at], "x", color=PALETTE[1], ms=4, mew=1.0,
                    label=f"violations ({int(bad.sum())} points)")
    ax.set_xlabel(variable)
    if check is not None:
        ax.set_title(f"{check.kind} claim: {check.verdict.value}")


def plot(data: Trace | Sequence[float], bound: str | None = None, *,
         k: Sequence[float] | None = None, measure: str = "f_gap", iterate: str = "last",
         kind: str = "upper", constants: Mapping[str, Any] | None = None,
         path: str | Path | None = None, ax=None, label: str | None = None,
         **options: Any):
    """Draw a run, or errors of one's own, with the theory line.

    Parameters
    ----------
    data
        A :class:`~convlab.run.Trace` (``measure`` at ``iterate``; the instance's constants
        and the algorithm's parameters are available to the bound) or an array of errors.
    bound
        An explicit bound or an order ``O(r)``, drawn on a dense grid; when given, the errors
        are checked (:func:`~convlab.rates.checker.check_rate` with ``kind`` and ``options``)
        and the figure shows the checked window, the floor and the violating points.
    k
        Iterations of an error array (default 0, 1, 2, ...).
    constants
        Values of the bound's names (added to the trace's).
    path
        Save the figure there (PNG, PDF, SVG by extension).
    ax
        Draw into this matplotlib axes instead of a new figure.
    label
        Legend entry of the errors (default: the algorithm's name, or ``observed``).

    Returns
    -------
    matplotlib.figure.Figure
        The figure (closed when saved to ``path`` without an ``ax``).
    """
    scope: dict[str, Any] = {}
    if isinstance(data, Trace):
        trace = data
        ks = trace.k.astype(float)
        e = trace.measure(measure, iterate)
        scope.update(bound_scope(trace))
        options.setdefault("floor", trace.floor(measure))
        options.setdefault("diverged_at", trace.diverged_at)
        label = label or trace.algorithm
    else:
        e = np.asarray(data, dtype=float)
        ks = np.arange(e.size, dtype=float) if k is None else np.asarray(k, dtype=float)
    scope.update(constants or {})
    check = None
    if bound is not None:
        check = check_rate(ks, e, bound, kind=kind, constants=scope, **options)
    variable = (check.evidence.get("variable") if check is not None else None) or "k"
    if ax is not None:
        draw_check(ax, ks, e, bound, check=check, constants=scope, variable=variable,
                   label=label or "observed")
        ax.set_ylabel(measure)
        return ax.figure
    import matplotlib.pyplot as plt  # headless machines fall back to Agg by themselves

    from .figures.style import RC

    with plt.rc_context(RC):
        fig, axes = plt.subplots()
        draw_check(axes, ks, e, bound, check=check, constants=scope, variable=variable,
                   label=label or "observed")
        axes.set_ylabel(measure)
        axes.legend(fontsize=5.5)
        if path is not None:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            fig.savefig(path)
            plt.close(fig)
    return fig
