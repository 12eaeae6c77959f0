"""Figure 7: damped Newton's global phase, stepsized Newton, and pure Newton's local phase.

(a) three damped-Newton runs in three colours and markers, each under its own guarantee (dashed,
same colour, drawn above the data); (b) stepsized Newton on log-log axes, where an O(k^-3) claim
is a straight line, with the smallest C k^-3 above the run and the fitted order with its 95 %
interval; (c) pure Newton's local phase with fitted slopes and their intervals."""

from pathlib import Path

import numpy as np

from convlab import run
from convlab.figures.style import PALETTE, color, figure, legend_below, save, slope_label
from convlab.problems.registry import build

#: The instances of damped-newton-self-concordant-decrease (problems/adaptive.toml).
DAMPED = (
    (r"$\sum c_i x_i - \ln x_i$, $x_0 = 20x^\star$", "log-separable",
     {"d": 20, "seed": 0, "start": 20.0}, "o"),
    (r"$\sum c_i x_i - \ln x_i$, $x_0 = x^\star/20$", "log-separable",
     {"d": 20, "seed": 0, "start": 0.05}, "s"),
    ("log-barrier polytope, $x_0 = 0$", "logbarrier-polytope", {"m": 100, "d": 20, "seed": 0},
     "^"),
)
#: The instances of newton-local-quadratic: started where lambda(x0) = 0.5.
LOCAL = (
    (r"$\sum c_i x_i - \ln x_i$", "log-separable", {"d": 20, "seed": 0,
                                                     "start": "1 + 0.5/sqrt(d)"}, "o"),
    ("log-barrier polytope", "logbarrier-polytope",
     {"m": 100, "d": 20, "seed": 0, "start_lambda": 0.5}, "^"),
)
FLOOR = 1e-13   # gaps below this are rounding, not the method


def omega(t):
    return t - np.log1p(t)


#: Distinct colours for the three damped-Newton runs (their guarantees share them).
RUN_COLORS = (PALETTE[0], PALETTE[1], PALETTE[2])


def make(out: Path, quick: bool) -> list[Path]:
    budget = 60 if quick else 200
    with figure(3, 1, height=8.4) as (fig, (ax1, ax3, ax2)):
        # (a) global phase: f(x_k) - f* with Nesterov's guarantee f(x_0) - f* - sum omega(lambda_j)
        for (label, family, params, mk), c in zip(DAMPED, RUN_COLORS):
            tr = run(build(family, params), "damped-newton", {"tol": 1e-9}, iterations=budget)
            gap, lam = tr.measure("f_gap"), tr.measure("newton_decrement")
            k = tr.k.astype(float)
            keep = gap > FLOOR
            ax1.semilogy(k[keep], gap[keep], mk + "-", color=c, lw=1.0, ms=3.5, zorder=2,
                         label=f"damped Newton, {label}")
            bound = gap[0] - np.concatenate([[0.0], np.cumsum(omega(lam))[:-1]])
            ok = keep & (bound > 0)
            ax1.semilogy(k[ok], bound[ok], ls=(0, (4, 2)), color=c, lw=1.3, zorder=5)
        ax1.plot([], [], ls=(0, (4, 2)), color="k", lw=1.3,
                 label=r"its guarantee $f(x_0) - f^\star - \Sigma_{j<k}\,\omega(\lambda_j)$ "
                       "(Nesterov, Thm 4.1.12; same colour)")
        ax1.set_xlabel("iteration $k$")
        ax1.set_ylabel(r"$f(x_k) - f^\star$")
        ax1.set_title("(a) damped Newton: global phase", loc="left")
        legend_below(fig, ax1, ncol=1)
        ax1.get_legend().set_bbox_to_anchor((0.5, -0.3))
        # (b) stepsized Newton: the O(k^-3) claim on log-log axes
        tr = run(build("logistic-newton", {"n": 500, "d": 20, "seed": 0, "start_scale": 50.0}),
                 "newton-stepsized", {"c": 10.0, "q": 1.0}, iterations=budget)
        gap, k = tr.measure("f_gap"), tr.k.astype(float)
        keep = (gap > FLOOR) & (k >= 1)
        fit = keep & (gap > 1e-6)   # the order before the local phase
        c = color("newton-stepsized")
        ax3.loglog(k[keep], gap[keep], "D-", color=c, lw=1.0, ms=3, zorder=2,
                   label=r"Newton, step $1/(1+10\lambda_k)$, logistic regression ("
                         + slope_label(k[fit], gap[fit], "order", sign=-1.0) + ")")
        kr = k[keep]
        C = np.max(gap[keep] * kr**3)   # the smallest C with gap <= C k^-3, k >= 1
        ax3.loglog(kr, C / kr**3, "k-.", lw=1.0, zorder=5,
                   label=rf"$C k^{{-3}}$ (Hanzely et al.), smallest $C = {C:.4g}$")
        ax3.set_xlabel("iteration $k$")
        ax3.set_ylabel(r"$f(x_k) - f^\star$")
        ax3.set_title(r"(b) stepsized Newton: the $O(k^{-3})$ claim", loc="left")
        legend_below(fig, ax3, ncol=1)
        ax3.get_legend().set_bbox_to_anchor((0.5, -0.3))
        # (c) local phase of pure Newton: lambda_{k+1} against lambda_k
        lo = []
        for (label, family, params, mk), c in zip(LOCAL, (PALETTE[3], PALETTE[4])):
            tr = run(build(family, params), "newton", {"tol": 1e-9}, iterations=20)
            lam = tr.measure("newton_decrement")
            lam = lam[lam > 1e-14]
            x, y = lam[:-1], lam[1:]
            lo.append(x.min())
            ax2.loglog(x, y, mk, color=c, ms=4.5, zorder=2,
                       label=f"pure Newton, {label} ({slope_label(x, y)})")
        t = np.geomspace(min(lo) / 3, 0.6, 100)
        ax2.loglog(t, (t / (1 - t)) ** 2, "k--", lw=1.0, zorder=5,
                   label=r"$(\lambda_k/(1-\lambda_k))^2$ (Nesterov, Thm 4.1.14)")
        ax2.set_xlabel(r"Newton decrement $\lambda_k$")
        ax2.set_ylabel(r"$\lambda_{k+1}$")
        ax2.set_title(r"(c) pure Newton: local phase, $\lambda(x_0) = 0.5$", loc="left")
        legend_below(fig, ax2, ncol=1)
        ax2.get_legend().set_bbox_to_anchor((0.5, -0.3))
        fig.subplots_adjust(hspace=1.25)
        return save(fig, out, "fig7-newton")
