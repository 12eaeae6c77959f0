"""Figure 2: iterations to reach ||x_k - x*|| <= eps R against kappa, with fitted exponents.

Four methods in four colours and markers; grey reference slopes kappa and sqrt(kappa) (the two
orders the figure is about); each fitted exponent with its 95 % interval (kappa >= 100); GD's
exact count drawn above the data."""

from pathlib import Path

import numpy as np

from convlab import quadratic, run
from convlab.run import iterations_to_target
from convlab.figures.style import (MARKERS, PALETTE, figure, legend_below, reference_slope, save,
                                  slope_label)

EPS = 1e-6


def iterations_to(problem, algorithm, params, budget):
    def sequence(checkpoints):
        trace = run(problem, algorithm, params, checkpoints=checkpoints,
                    iterations=budget if checkpoints is None else None)
        return trace.k, trace.measure("dist")

    count = iterations_to_target(sequence, EPS * problem.R, budget)
    return np.nan if count is None else count


def make(out: Path, quick: bool) -> list[Path]:
    kappas = np.array([10, 30, 100, 300, 1000] if quick else
                      [10, 30, 100, 300, 1000, 3000, 10000], dtype=float)
    methods = {
        "GD, step 1/L": ("gd", {}, "mu-mode"),
        r"GD, step $2/(\mu+L)$": ("gd", {"step": "2/(mu+L)"}, "two-mode"),
        "AGD-SC": ("agd-sc", {}, "ones"),
        "heavy ball": ("heavy-ball", {}, "ones"),
    }
    counts = {name: [] for name in methods}
    for kappa in kappas:
        for name, (alg, params, start) in methods.items():
            spectrum = "two-mode" if start == "two-mode" else "logspace"
            pr = quadratic(d=50, L=1.0, mu=1 / kappa, spectrum=spectrum, rotate=False, x0=start,
                           seed=0)
            counts[name].append(iterations_to(pr, alg, params, int(30 * kappa * 14)))
    with figure(height=2.9) as (fig, ax):
        fit = kappas >= 100
        for i, (name, values) in enumerate(counts.items()):
            v = np.array(values)
            ax.loglog(kappas, v, marker=MARKERS[i], color=PALETTE[i], ls="none", ms=4.5,
                      mfc=PALETTE[i] if i % 2 == 0 else "none", mew=1.0, zorder=3,
                      label=f"{name} ({slope_label(kappas[fit], v[fit], 'exponent')})")
        exact = np.ceil(np.log(1 / EPS) / -np.log1p(-1 / kappas))
        ax.loglog(kappas, exact, "k-", lw=0.8, zorder=4,
                  label=r"GD, step 1/L: exact $\lceil\ln(1/\epsilon)/(-\ln(1-1/\kappa))\rceil$")
        top = max(np.nanmax(np.array(v, float)) for v in counts.values())
        low = min(np.nanmin(np.array(v, float)) for v in counts.values())
        reference_slope(ax, kappas, 0.25 * top * (kappas[0] / kappas[-1]), 1.0,
                        r"reference slope $\kappa$")
        reference_slope(ax, kappas, 0.5 * low, 0.5, r"reference slope $\sqrt{\kappa}$",
                        ls="--")
        ax.set_xlabel(r"condition number $\kappa = L/\mu$")
        ax.set_ylabel(r"iterations to $\|x_k - x^\star\| \leq 10^{-6} R$")
        legend_below(fig, ax, ncol=1)
        return save(fig, out, "fig2-iterations-vs-kappa")
