"""Figure 6: Adam, AMSGrad and ADOPT on the counterexamples of Reddi et al. and Taniguchi et al."""

from pathlib import Path

import numpy as np

from convlab import run
from convlab.figures.style import color, figure, legend_below, save, slope_interval
from convlab.problems.registry import build
from convlab.rates.statistics import seed_statistic
from convlab.run import run_seeds

#: Reddi et al.'s Thm 1 setting (negctl-adam-regret-reddi, amsgrad-regret-reddi).
REDDI = {"step": 0.5, "beta1": 0, "beta2": "1/(1 + C**2)", "eps": 0, "decay": 0.5}
#: The ADOPT toy setting (adopt-converges-any-beta2*, negctl-adam-small-beta2-toy*).
TOY = {"step": 0.1, "eps": 1e-8, "decay": 0.5}
K_TOY = 10.0


def order_text(x, y):
    """``"order 0.50 [0.48, 0.52]"``: the fitted order with its 95 % interval."""
    s, lo, hi = slope_interval(x, y)

    def clean(v):
        return 0.0 if abs(v) < 0.005 else v

    return f"order {clean(-s):.2f} [{clean(-hi):.2f}, {clean(-lo):.2f}]"


def make(out: Path, quick: bool) -> list[Path]:
    T = 20000 if quick else 300000
    N = 20000 if quick else 200000
    seeds = range(8 if quick else 40)
    ks_r = np.unique(np.round(np.geomspace(1, T, 60))).astype(np.int64)
    ks_t = np.unique(np.round(np.geomspace(10, N, 50))).astype(np.int64)
    with figure(2, 1, height=5.6) as (fig, (ax1, ax2)):
        # (a) Reddi et al.'s online problem: average regret R_T/T, T = k + 1 rounds
        for C, ls in ((3.0, "-"), (10.0, "--")):
            pr = build("reddi-online", {"C": C})
            for alg, name in (("adam-reddi-online", "Adam"), ("amsgrad-online", "AMSGrad")):
                tr = run(pr, alg, REDDI, checkpoints=ks_r)
                T_ = tr.k + 1.0
                v = tr.measure("avg_regret")
                tail = T_ >= T / 100
                ax1.loglog(T_, v, color=color(alg), ls=ls, label=f"{name}, $C={C:g}$ "
                           f"({order_text(T_[tail], v[tail])})")
            ax1.axhline(2 * (C - 2) / 3, color="k", ls=":" if C == 3 else "-.", lw=0.9, zorder=5,
                        label=rf"Adam's limit $2(C-2)/3$, $C={C:g}$")
        ax1.set_xlabel("rounds $T$")
        ax1.set_ylabel(r"average regret $R_T/T$")
        ax1.set_title(r"(a) Reddi et al.'s problem, $\beta_1 = 0$, "
                      r"$\beta_2 = 1/(1+C^2)$", loc="left")
        legend_below(fig, ax1, ncol=2)
        ax1.get_legend().set_bbox_to_anchor((0.5, -0.3))  # clear of the x label
        # (b) the ADOPT toy problem: excess E f at the tail average, mean over seeds
        pr = build("adopt-toy", {"K": K_TOY})
        k = ks_t.astype(float)
        drawn = []
        for alg, name in (("adam", "Adam"), ("adopt", "ADOPT")):
            for beta2, ls in ((0.1, "-"), (0.5, "--")):
                beta1 = 0.0 if alg == "adam" else 0.9
                traces = run_seeds(pr, alg, {**TOY, "beta1": beta1, "beta2": beta2},
                                   seeds=seeds, checkpoints=ks_t)
                stat = seed_statistic(np.array([t.measure("f_gap", "tail") for t in traces]))
                tail = k >= N / 100
                drawn.append((alg, name, beta1, beta2, ls, stat, tail))
        # the axis holds every band: its bottom is below the lowest positive band edge; a band
        # whose interval reaches 0 is drawn down to the axis (said in the legend)
        positive = np.concatenate([np.r_[s.value[s.value > 0], s.low[s.low > 0]]
                                   for *_, s, _ in drawn])
        bottom = positive.min() / 2
        reaches_zero = False
        shades = {("adam", 0.1): "#D55E00", ("adam", 0.5): "#E69F00",
                  ("adopt", 0.1): "#0072B2", ("adopt", 0.5): "#009E73"}
        for alg, name, beta1, beta2, ls, stat, tail in drawn:
            c = shades[alg, beta2]
            low = np.where(stat.low > 0, stat.low, bottom)
            reaches_zero |= bool((stat.low <= 0).any())
            ax2.fill_between(k, low, stat.high, color=c, alpha=0.18, lw=0)
            ax2.loglog(k, stat.value, color=c, ls=ls,
                       label=rf"{name}, $\beta_1={beta1:g}$, $\beta_2={beta2:g}$ "
                             f"({order_text(k[tail], stat.value[tail])})")
        ax2.set_ylim(bottom, None)
        if reaches_zero:
            ax2.fill_between([], [], [], color="0.6", alpha=0.25, lw=0,
                             label="band reaching the axis: its interval contains 0")
        ax2.axhline(2 / K_TOY, color="k", ls=":", lw=0.9, zorder=5,
                    label=rf"excess at $\theta = +1$: $2/K = {2 / K_TOY:g}$")
        ax2.set_xlabel(r"iteration $k$ ($\bar\theta_k$ = mean of $\theta_t$, $0.9k \leq t < k$)")
        ax2.set_ylabel(r"$\mathbb{E} f(\bar\theta_k) - f^\star$")
        ax2.set_title(rf"(b) ADOPT toy, $K = {K_TOY:g}$, $\alpha_t = 0.1/\sqrt{{t}}$",
                      loc="left")
        legend_below(fig, ax2, ncol=1)
        ax2.get_legend().set_bbox_to_anchor((0.5, -0.3))
        fig.subplots_adjust(hspace=1.1)
        return save(fig, out, "fig6-adaptive-counterexamples")
