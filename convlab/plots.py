"""Figures of outcomes: one figure per (claim, instance), drawn by design.

Each design has its figure, in the project's style (:mod:`convlab.figures.style`; every text at
least 8 pt, the legend under the axes):

- ``anytime`` and ``horizon`` (:func:`draw_sequence`): the error against k (or N) on log scales
  chosen by the rate (semilog-y for a linear rate, log-log otherwise); the bound evaluated on a
  dense grid (every integer up to 20,000, then geometric), so a restart bound's sawtooth is not
  aliased, an O(.) bound scaled to touch the data; the checked window shaded and the floor
  drawn. A statistic over seeds is drawn with its simultaneous confidence band and the number of
  seeds is stated. A diverged run is drawn over its whole range, the divergence marked.
- ``stability`` (:func:`draw_stability`): the growth e_T/e_0 of every stable and unstable probe
  against the bisected parameter, the edge interval and the claimed threshold as a vertical
  line; a second panel zooms on the edge (parameter/threshold - 1).
- ``scaling`` (:func:`draw_scaling`): the cost against the swept parameter on log-log axes, the
  fitted exponent with its interval, the claimed slope, censored values marked.

:func:`draw_outcome` returns a matplotlib figure (or None without data), :func:`plot_outcome`
writes it to a file, :func:`figure_bytes` renders it in memory (the HTML report embeds these).
No warning escapes (overflow in a diverged run's values included).
"""

from __future__ import annotations

import io
import math
import re
import textwrap
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from .outcomes import Outcome
from .rates.expressions import evaluate, free_names, is_order, order_argument, parse_expression

#: The per-claim look: the project's style with every text at 8 pt at least.
RC_OUTCOME = {"legend.fontsize": 8, "xtick.labelsize": 8, "ytick.labelsize": 8,
              "axes.titlesize": 8, "axes.labelsize": 8, "font.size": 8}

#: Figure size of one outcome (inches): one column, room for the legend below.
SIZE = (4.0, 3.6)

#: Colours: observed data, its band, the bound, the window, the floor, stable/unstable probes.
DATA, BOUND, WINDOW, FLOOR = "#0072B2", "#000000", "#EFEFEF", "#7F7F7F"
STABLE, UNSTABLE, DIVERGED = "#009E73", "#D55E00", "#D55E00"


def safe_name(text: str) -> str:
    """A file-name-safe version of ``text``: letters, digits, '.', '-', '_' only."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._")
    return name[:120] or "figure"


@contextmanager
def _quiet() -> Iterator[None]:
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        yield


def draw_outcome(outcome: Outcome):
    """The figure of ``outcome`` for its design (a matplotlib Figure; the caller closes it), or
    None when there is nothing to draw (an input error, a run with no curve)."""
    if outcome.verdict_value is None or outcome.curve is None:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .figures.style import RC

    with _quiet(), plt.rc_context({**RC, **RC_OUTCOME}):
        if outcome.stability is not None:
            return draw_stability(outcome)
        if outcome.scaling is not None:
            return draw_scaling(outcome)
        return draw_sequence(outcome)


def plot_outcome(outcome: Outcome, folder: str | Path, *, fmt: str = "png") -> Path | None:
    """Draw ``outcome`` into ``folder`` as ``<claim>__<instance>.<fmt>``; returns the file
    written (None without data)."""
    fig = draw_outcome(outcome)
    if fig is None:
        return None
    import matplotlib.pyplot as plt

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{safe_name(outcome.claim.id)}__{safe_name(outcome.instance)}.{fmt}"
    try:
        with _quiet():
            fig.savefig(path, dpi=200, metadata=_metadata(fmt), bbox_inches="tight")
    finally:
        plt.close(fig)
    return path


def figure_bytes(outcome: Outcome, fmt: str = "png", dpi: int = 110) -> bytes | None:
    """The figure of ``outcome`` rendered in memory (PNG or SVG), or None without data."""
    fig = draw_outcome(outcome)
    if fig is None:
        return None
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    try:
        with _quiet():
            fig.savefig(buffer, format=fmt, dpi=dpi, metadata=_metadata(fmt),
                        bbox_inches="tight")
    finally:
        plt.close(fig)
    return buffer.getvalue()


def _metadata(fmt: str) -> dict:
    return {"Software": None} if fmt == "png" else ({"Date": None} if fmt == "svg" else {})


def _title(ax, outcome: Outcome) -> None:
    text = f"{outcome.claim.id} on {outcome.instance}: {outcome.verdict}"
    if not outcome.matched:
        text += f" (expected {outcome.expected})"
    ax.set_title(_t("\n".join(textwrap.wrap(text, 58))), loc="left")


def _legend(fig, axes, ncol: int = 1) -> None:
    """One legend under the figure for every handle of ``axes``."""
    handles, labels = [], []
    for ax in np.atleast_1d(axes):
        for h, label in zip(*ax.get_legend_handles_labels()):
            if label not in labels and not label.startswith("_"):
                handles.append(h)
                labels.append(label)
    if handles:
        fig.legend(handles, labels, loc="lower center", ncol=ncol, frameon=False,
                   bbox_to_anchor=(0.5, 0.0))
        rows = math.ceil(len(labels) / ncol)
        fig.subplots_adjust(bottom=min(0.55, 0.16 + 0.065 * rows))


def _t(text: str) -> str:
    """Text from a claim file (an id, a bound, a name) as matplotlib prints it literally: a
    ``$`` is escaped, so it never starts mathtext (which can fail on such text). Tick labels
    keep their mathtext (``10^4``)."""
    return str(text).replace("$", r"\$")


def _percent(p: float) -> str:
    """``0.95`` -> ``"95 %"``, ``0.99677`` -> ``"99.7 %"`` (never rounded up to 100 %)."""
    text = f"{100 * p:.3g}"
    return f"{text} %" if float(text) < 100 or p >= 1 else f"{100 * p:.6g} %"


def _axis_symbol(axis: str) -> str:
    return {"iteration": "k", "horizon": "N"}.get(axis, axis)


def _short(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


# -- the bound on a dense grid ----------------------------------------------------------------

def dense_grid(lo: float, hi: float, integer: bool = True, n: int = 4000) -> np.ndarray:
    """Points between ``lo`` and ``hi``: every integer up to 20,000 (``integer``), then a
    geometric grid of ``n`` points, so a bound with a sawtooth is drawn as it is."""
    lo = max(float(lo), 1e-300)
    hi = max(float(hi), lo)
    parts = []
    if integer:
        top = min(hi, 20000.0)
        if top >= math.ceil(lo):
            parts.append(np.arange(math.ceil(lo), math.floor(top) + 1, dtype=float))
        if hi > 20000.0:
            parts.append(np.geomspace(max(lo, 20000.0), hi, n))
    else:
        parts.append(np.geomspace(lo, hi, n))
    parts.append(np.array([lo, hi]))
    return np.unique(np.concatenate(parts))


def bound_at(outcome: Outcome, x: np.ndarray) -> np.ndarray | None:
    """The claim's bound at ``x`` (its variable: k, N or the swept symbol), with the outcome's
    constants; None when it cannot be evaluated there (constants that change from point to
    point, as in the horizon design, are only known at the curve's points). An O(.) bound is
    returned unscaled."""
    expr = parse_expression(outcome.claim.bound, allow_order=True)
    variable = outcome.evidence.get("variable")
    if variable is None and outcome.scaling is not None:
        variable = outcome.scaling.symbol
    values: dict[str, Any] = {}
    x = np.asarray(x, dtype=float)
    used = free_names(order_argument(expr))
    for name, value in outcome.constants.items():
        if name == variable or name not in used:
            continue
        arr = np.asarray(value)
        if arr.ndim == 0:
            values[name] = value
        elif arr.size and np.all(arr == arr.ravel()[0]):
            values[name] = float(arr.ravel()[0])
        elif outcome.curve is not None and arr.shape == np.shape(outcome.curve.x) and \
                np.shape(x) == arr.shape and np.allclose(x, outcome.curve.x):
            values[name] = arr
        else:
            return None
    if variable:
        values[variable] = x
    try:
        with _quiet():
            b = np.broadcast_to(np.asarray(evaluate(expr, values), dtype=float), x.shape).copy()
    except Exception:  # a figure never fails a run
        return None
    return b


def _scaled(outcome: Outcome, b: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """An O(.) bound scaled by the smallest C with y <= C b on the checked window."""
    window = outcome.evidence.get("window")
    bx = bound_at(outcome, x)
    if bx is None:
        return b
    good = np.isfinite(bx) & (bx > 0) & np.isfinite(y) & (y > 0)
    if window:
        good &= (x >= window[0]) & (x <= window[1])
    if not good.any():
        return b
    return b * np.max(y[good] / bx[good])


# -- anytime and horizon ----------------------------------------------------------------------

def draw_sequence(outcome: Outcome):
    """Error against k or N: observed (and band), bound on a dense grid, window, floor,
    divergence."""
    import matplotlib.pyplot as plt

    claim, curve, ev = outcome.claim, outcome.curve, outcome.evidence
    x = np.asarray(curve.x, dtype=float)
    y = np.asarray(curve.y, dtype=float)
    fig, ax = plt.subplots(figsize=SIZE)
    positive = np.isfinite(y) & (y > 0)
    linear_rate = outcome.check is not None and outcome.check.contraction is not None
    xlog = not linear_rate and bool((x[positive] > 0).any())
    shown = positive & (x > 0) if xlog else positive
    if xlog:
        ax.set_xscale("log")
    ax.set_yscale("log")
    few = shown.sum() < 30
    seeds = outcome.seeds
    what = claim.measure if seeds is None else (
        f"{seeds.statistic} of {claim.measure} over {seeds.n} seeds")
    ax.plot(x[shown], y[shown], "o-" if few else "-", color=DATA, ms=3, lw=1.2,
            label=_t(f"observed: {what}"), zorder=3)
    if curve.low is not None and curve.high is not None:
        lo, hi = np.asarray(curve.low, float), np.asarray(curve.high, float)
        ok = shown & np.isfinite(hi) & (hi > 0)
        floor_y = np.nanmin(y[shown]) * 1e-3 if shown.any() else 1e-300
        ax.fill_between(x[ok], np.where(lo[ok] > 0, lo[ok], floor_y), hi[ok], color=DATA,
                        alpha=0.25, lw=0, zorder=2,
                        label=(f"{_percent(seeds.confidence)} simultaneous band" if seeds
                               else "band"))
    # the bound on a dense grid
    if shown.any():
        _draw_bound(ax, outcome, x, y, shown, xlog)
    window = ev.get("window")
    if window and shown.any():
        left = max(window[0], x[shown].min()) if xlog else window[0]
        ax.axvspan(left, window[1], color=WINDOW, zorder=0, lw=0, label="checked window")
    floor = ev.get("floor")
    if isinstance(floor, dict) and floor.get("value") and shown.any():
        value = float(floor["value"])
        if value > 0 and value > 1e-6 * np.min(y[shown]):
            source = str(floor.get("source", "")).split(":")[0].strip()
            ax.axhline(value, color=FLOOR, lw=0.9, ls=":", zorder=1,
                       label=_t(f"floor {value:.2g}" + (f" ({_short(source, 30)})" if source
                                                        else "")))
    if outcome.diverged_at is not None:
        d = float(outcome.diverged_at)
        if not xlog or d > 0:
            ax.axvline(d, color=DIVERGED, lw=1.0, ls="-", zorder=4,
                       label=f"diverged at {_axis_symbol(curve.axis)} = {d:g}")
        if shown.any():
            last = np.flatnonzero(shown)[-1]
            ax.plot([x[last]], [y[last]], "X", color=DIVERGED, ms=7, zorder=5)
    if shown.any() and ax.get_autoscaley_on():  # no bound set the limits
        _log_limits(ax, np.min(y[shown]), np.max(y[shown]))
    ax.set_xlabel(_t({"iteration": "iteration k", "horizon": "horizon N (one run per N, read at "
                      "k = N)"}.get(curve.axis, curve.axis)))
    ax.set_ylabel(_t(_short(curve.quantity or claim.measure)))
    _title(ax, outcome)
    _legend(fig, ax)
    return fig


def _draw_bound(ax, outcome: Outcome, x, y, shown, xlog: bool) -> None:
    claim = outcome.claim
    expr = parse_expression(claim.bound, allow_order=True)
    order = is_order(expr)
    xs = x[shown]
    grid = dense_grid(xs.min() if xlog else max(xs.min(), 0.0), xs.max(),
                      integer=outcome.design == "anytime")
    if not xlog and xs.min() <= 0:
        grid = np.unique(np.concatenate([[0.0], grid]))
    b = bound_at(outcome, grid)
    points = False
    if b is None:  # constants per point (horizon design): the bound at the curve's points
        grid, b, points = xs, bound_at(outcome, xs), True
        if b is None:
            return
    if order:
        b = _scaled(outcome, b, x, y)
    good = np.isfinite(b) & (b > 0)
    if not good.any():
        return
    label = (f"{_short(claim.bound, 48)}, scaled to touch the data" if order else
             f"bound {_short(claim.bound, 48)}")
    style = {"lower": ":", "upper": "--", "tight": "--", "order": "-."}.get(claim.kind, "--")
    ax.plot(grid[good], b[good], style + ("o" if points else ""), color=BOUND, lw=1.1, ms=2.5,
            mfc="none", label=_t(label), zorder=4)
    # keep the axes on the data: a bound far away is clipped, not allowed to flatten the data
    lo, hi = np.min(y[shown]), np.max(y[shown])
    blo, bhi = np.min(b[good]), np.max(b[good])
    _log_limits(ax, max(min(lo, blo), lo * 1e-4), min(max(hi, bhi), hi * 1e4))


def _log_limits(ax, lo: float, hi: float) -> None:
    """Log-scale y limits around [lo, hi] with a margin, kept inside the finite floats."""
    lo = min(max(float(lo), 1e-300), 1e299)
    hi = min(max(float(hi), lo), 1e299)
    bottom, top = max(lo / 2, 1e-300), min(hi * 2, 1e300)
    ax.set_ylim(bottom, top)
    first, last = math.ceil(math.log10(bottom)), math.floor(math.log10(top))
    if last - first > 12:  # a wide range (a diverged run): a few decades, all finite
        from matplotlib.ticker import FixedLocator, NullLocator

        step = math.ceil((last - first) / 6)
        ax.yaxis.set_major_locator(FixedLocator(10.0 ** np.arange(first, last + 1, step)))
        ax.yaxis.set_minor_locator(NullLocator())


# -- stability --------------------------------------------------------------------------------

def draw_stability(outcome: Outcome):
    """Stable and unstable probes against the parameter, the edge interval and the threshold;
    the right panel zooms on the edge."""
    import matplotlib.pyplot as plt

    st = outcome.stability
    probes = np.array(st.probes, dtype=float).reshape(-1, 2)
    v, g = probes[:, 0], probes[:, 1]
    stable = g <= 1.0
    fig, (ax, zoom) = plt.subplots(1, 2, figsize=(SIZE[0] * 1.7, SIZE[1]),
                                   gridspec_kw={"width_ratios": [1.3, 1]})
    finite = np.isfinite(g) & (g > 0)
    top = np.max(g[finite]) if finite.any() else 10.0
    bottom = np.min(g[finite]) if finite.any() else 0.1
    top, bottom = min(max(top, 10.0), 1e30), max(min(bottom, 0.1), 1e-30)
    shown = np.clip(np.where(np.isfinite(g), g, top), bottom, top)
    shown = np.where(g <= 0, bottom, shown)
    clipped = (g > top) | ~np.isfinite(g) | (g < bottom)
    theta = st.threshold
    lo_edge, hi_edge = st.largest_stable, st.smallest_unstable
    for a, xv, xname in ((ax, v, st.parameter),
                         (zoom, v / theta - 1 if theta else v, f"{st.parameter}/threshold − 1")):
        a.set_yscale("log")
        a.axhline(1.0, color=FLOOR, lw=0.8, ls=":", zorder=1,
                  label="growth 1 (stable at or below)")
        a.scatter(xv[stable & ~clipped], shown[stable & ~clipped], s=16, color=STABLE,
                  marker="o", zorder=3, label="stable probe")
        a.scatter(xv[~stable & ~clipped], shown[~stable & ~clipped], s=22, color=UNSTABLE,
                  marker="x", zorder=3, label="unstable probe")
        a.scatter(xv[clipped & ~stable], shown[clipped & ~stable], s=22, color=UNSTABLE,
                  marker="^", zorder=3, label="unstable, growth off the axis (or diverged)")
        a.scatter(xv[clipped & stable], shown[clipped & stable], s=22, color=STABLE,
                  marker="v", zorder=3, label="stable, growth below the axis")
        a.set_xlabel(_t(xname))
    ax.set_ylabel("growth e_T/e_0 after T iterations")
    # edge interval and threshold
    finite_edge = 0 < lo_edge and math.isfinite(hi_edge)
    if finite_edge:
        ax.axvspan(lo_edge, hi_edge, color=STABLE, alpha=0.2, lw=0, zorder=0)
    ax.axvline(theta, color=BOUND, ls="--", lw=1.1, zorder=4,
               label=_t(f"claimed threshold {theta:.6g} ({_short(outcome.claim.bound, 24)})"))
    if v.max() / max(v.min(), 1e-300) > 10:
        from matplotlib.ticker import NullFormatter

        ax.set_xscale("log")
        ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_ylim(bottom / 2, top * 2)
    # zoom: the probes within a few rtol of the edge
    if theta:
        rel = v / theta - 1
        if finite_edge:
            elo, ehi = lo_edge / theta - 1, hi_edge / theta - 1
            zoom.axvspan(elo, ehi, color=STABLE, alpha=0.3, lw=0, zorder=0,
                         label=f"edge interval [{lo_edge:.8g}, {hi_edge:.8g}]")
            span = 2 * max(abs(elo), abs(ehi), 1e-12)
        else:
            span = max(np.min(np.abs(rel)) * 2, 4 * st.rtol)
        zoom.axvline(0.0, color=BOUND, ls="--", lw=1.1, zorder=4)
        zoom.set_xlim(-span, span)
        zoom.set_ylim(bottom / 2, top * 2)
        zoom.ticklabel_format(axis="x", style="sci", scilimits=(-2, 2))
        zoom.set_title(f"near the edge (tolerance rtol = {st.rtol:g})", loc="left")
    _title(ax, outcome)
    _legend(fig, (ax, zoom), ncol=2)
    return fig


# -- scaling ----------------------------------------------------------------------------------

def draw_scaling(outcome: Outcome):
    """Cost against the swept parameter (log-log): counts, the fitted exponent and its interval,
    the claimed slope, censored values."""
    import matplotlib.pyplot as plt

    sc, claim = outcome.scaling, outcome.claim
    x = np.asarray(outcome.curve.x, dtype=float)
    y = np.asarray(outcome.curve.y, dtype=float)
    fig, ax = plt.subplots(figsize=SIZE)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ok = (x > 0) & (y > 0) & np.isfinite(y)
    ax.plot(x[ok], y[ok], "o", color=DATA, ms=4.5, zorder=3,
            label=_t(f"observed: {outcome.curve.quantity}"))
    fit = outcome.check.fitted_order if outcome.check is not None else None
    if fit is not None and ok.sum() >= 2 and math.isfinite(fit.value):
        window = outcome.evidence.get("window") or [x[ok].min(), x[ok].max()]
        inw = ok & (x >= window[0]) & (x <= window[1])
        if inw.sum() >= 2:
            p = abs(fit.value)
            c = np.exp(np.mean(np.log(y[inw]) - p * np.log(x[inw])))
            xs = np.geomspace(x[inw].min(), x[inw].max(), 50)
            ax.plot(xs, c * xs ** p, "-", color=DATA, lw=0.9, alpha=0.8, zorder=2,
                    label=f"fitted exponent {p:.4g}, 95 % interval "
                          f"[{min(abs(fit.low), abs(fit.high)):.4g}, "
                          f"{max(abs(fit.low), abs(fit.high)):.4g}]")
            lo_p, hi_p = sorted((abs(fit.low), abs(fit.high)))
            xm = np.exp(np.mean(np.log(x[inw])))
            ym = c * xm ** p
            ax.fill_between(xs, ym * (xs / xm) ** np.where(xs < xm, hi_p, lo_p),
                            ym * (xs / xm) ** np.where(xs < xm, lo_p, hi_p), color=DATA,
                            alpha=0.15, lw=0, zorder=1)
    if ok.any():
        grid = np.geomspace(x[ok].min(), x[ok].max(), 200)
        b = bound_at(outcome, grid)
        if b is None:  # constants per swept value: the bound at the swept values
            grid = x
            b = bound_at(outcome, x)
        expr = parse_expression(claim.bound, allow_order=True)
        if b is not None:
            if is_order(expr):
                b = _scaled(outcome, b, x, y)
            good = np.isfinite(b) & (b > 0)
            if good.any():
                slope = np.polyfit(np.log(grid[good]), np.log(b[good]), 1)[0]
                what = "scaled to touch the data" if is_order(expr) else "the bound"
                ax.plot(grid[good], b[good], "--", color=BOUND, lw=1.1, zorder=4,
                        label=_t(f"claimed {_short(claim.bound, 30)} ({what}, slope "
                                 f"{slope:.3g})"))
    if sc.censored:
        cens = np.asarray(sc.censored, dtype=float)
        level = max(sc.iterations, np.max(y[ok]) if ok.any() else 1.0)
        ax.plot(cens, np.full(cens.shape, level), "^", color=UNSTABLE, ms=6, zorder=3,
                label=f"target not reached in {sc.iterations} iterations")
    ax.set_xlabel(_t(f"{sc.symbol} (swept)"))
    ax.set_ylabel(_t(outcome.curve.quantity))
    _title(ax, outcome)
    _legend(fig, ax)
    return fig
