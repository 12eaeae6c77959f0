"""The look of every convlab figure: one column wide, readable, deterministic files.

- size 3.4 × 2.5 in (a one-column figure), 8 pt text, thin spines, no top/right spines;
- one colour and marker per method, the same everywhere (:func:`color`), a colour-blind-safe
  palette (Okabe & Ito 2008);
- theory lines black (dashed: an upper bound, dotted: a lower bound), observed data coloured;
- files in PNG (300 dpi) and PDF, without creation dates in their metadata, so the same data
  gives the same bytes and a figure's name is its identity (:func:`save`).
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import numpy as np

#: Okabe–Ito palette, colour-blind safe.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#7F7F7F",
           "#000000")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")

#: Methods with a fixed colour and marker in every figure (keys are algorithm names).
_ASSIGNED: dict[str, int] = {
    "gd": 0, "agd": 1, "ogm": 2, "heavy-ball": 3, "agd-sc": 4, "cg": 5,
    "sgd": 0, "extragradient": 1, "past-eg": 2, "gda": 3, "halpern": 4, "aog": 5,
    "eag-c": 6, "wc-prox-subgradient": 0, "wc-stoch-prox-point": 1, "wc-projected-sgd": 2,
    "sgd-moments": 4, "rk4": 2, "heun": 5,
    "sgd-inverse": 1, "sgd-linear-decay": 2, "sgd-step-decay": 3, "sgd-avg": 5, "adam": 1,
    "adam-reddi-online": 1, "amsgrad": 2, "amsgrad-online": 2, "adopt": 0, "newton": 0,
    "damped-newton": 1, "newton-stepsized": 2, "damped-newton-switch": 3,
}

RC = {
    "figure.figsize": (3.4, 2.5), "figure.dpi": 150, "savefig.dpi": 300,
    "font.size": 8, "axes.titlesize": 8, "axes.labelsize": 8, "legend.fontsize": 6.5,
    "xtick.labelsize": 7, "ytick.labelsize": 7, "axes.linewidth": 0.6,
    "axes.spines.top": False, "axes.spines.right": False, "lines.linewidth": 1.2,
    "lines.markersize": 3.5, "legend.frameon": False, "legend.handlelength": 1.8,
    "savefig.bbox": "tight", "savefig.pad_inches": 0.02, "pdf.fonttype": 42,
    "svg.hashsalt": "convlab", "path.simplify": False,
}


def color(method: str) -> str:
    """The fixed colour of ``method`` (an algorithm name; others in order of first use)."""
    i = _ASSIGNED.setdefault(method, len(_ASSIGNED))
    return PALETTE[i % len(PALETTE)]


def marker(method: str) -> str:
    """The fixed marker of ``method``."""
    i = _ASSIGNED.setdefault(method, len(_ASSIGNED))
    return MARKERS[i % len(MARKERS)]


@contextmanager
def figure(nrows: int = 1, ncols: int = 1, *, width: float = 3.4, height: float = 2.5
           ) -> Iterator[tuple]:
    """``with figure() as (fig, ax):`` a figure in the convlab style (closed on exit)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with plt.rc_context(RC):
        fig, ax = plt.subplots(nrows, ncols, figsize=(width, height))
        try:
            yield fig, ax
        finally:
            plt.close(fig)


def legend_below(fig, ax, ncol: int = 2) -> None:
    """The legend under the axes and their x label, so it never hides data."""
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=ncol, frameon=False)


def save(fig, out: str | Path, name: str) -> list[Path]:
    """Write ``name.png`` and ``name.pdf`` into ``out`` with date-free metadata."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / f"{name}.png", out / f"{name}.pdf"]
    fig.savefig(paths[0], metadata={"Software": None})
    fig.savefig(paths[1], metadata={"Creator": None, "Producer": None, "CreationDate": None})
    return paths


def fitted_slope(x: np.ndarray, y: np.ndarray) -> float:
    """Least-squares slope of log y on log x (for legends: 'fitted order')."""
    good = (x > 0) & (y > 0) & np.isfinite(y)
    return float(np.polyfit(np.log(x[good]), np.log(y[good]), 1)[0])


def slope_interval(x: np.ndarray, y: np.ndarray, level: float = 0.95
                   ) -> tuple[float, float, float]:
    """Least-squares slope of log y on log x with its ``level`` confidence interval (t
    distribution; the interval is the slope itself when the points lie on a line)."""
    from scipy.stats import t as student

    x, y = np.asarray(x, float), np.asarray(y, float)
    good = (x > 0) & (y > 0) & np.isfinite(y)
    u, v = np.log(x[good]), np.log(y[good])
    slope, intercept = np.polyfit(u, v, 1)
    n = u.size
    if n <= 2:
        return float(slope), float(slope), float(slope)
    resid = v - (slope * u + intercept)
    se = np.sqrt(np.sum(resid**2) / (n - 2) / np.sum((u - u.mean()) ** 2))
    half = float(student.ppf(0.5 + level / 2, n - 2) * se)
    return float(slope), float(slope - half), float(slope + half)


def slope_label(x: np.ndarray, y: np.ndarray, name: str = "slope", sign: float = 1.0) -> str:
    """``"slope 0.98 [0.95, 1.01]"``: a fitted log-log slope (times ``sign``) with its 95 %
    interval, for legends."""
    s, lo, hi = (sign * v for v in slope_interval(x, y))
    lo, hi = min(lo, hi), max(lo, hi)

    def text(v: float) -> str:
        return f"{0.0 if abs(v) < 0.005 else v:.2f}"  # never a negative zero

    return f"{name} {text(s)} [{text(lo)}, {text(hi)}]"


def reference_slope(ax, x: np.ndarray, y0: float, slope: float, label: str, *,
                    ls: str = ":", color: str = "0.45") -> None:
    """A grey reference line y = y0 (x/x[0])^slope over ``x`` (log-log), for an order that is
    the point of a figure."""
    x = np.asarray(x, float)
    ax.plot(x, y0 * (x / x[0]) ** slope, ls=ls, color=color, lw=0.9, label=label, zorder=1)
