"""Figure 4: SGD step-size schedules on a quadratic with additive noise, with exact expectations.

(a) anytime schedules (constant step, the average of its iterates, steps 20/(200 + t)) and
(b) schedules that depend on the horizon N (linear decay, step decay), each a mean over seeds
with its simultaneous 95 % band, in five distinct colours and markers; the exact expectations
(moment recursion) as thin black dashes drawn above the data, the exact floor and the
Bottou-Curtis-Nocedal bound in black; fitted orders with 95 % intervals."""

from pathlib import Path

import numpy as np

from convlab.figures.style import figure, legend_below, save, slope_label
from convlab.problems.registry import build
from convlab.rates.statistics import seed_statistic
from convlab.run import run_seeds

#: The instance stoch-quad-additive-noise (CLAIMS.md P21): f = sum lambda_i x_i^2/2,
#: lambda = linspace(0.1, 10, 10), x0 = 1, oracle grad f + s xi, s = 1.
PROBLEM = {"d": 10, "L": 10.0, "mu": 0.1, "spectrum": "linspace", "rotate": False,
           "x0": "ones", "noise": 1.0}
LAM = np.linspace(0.1, 10.0, 10)
GAMMA = 0.05                        # constant step of sgd-additive-noise-exact-floor
BETA, SHIFT = 20.0, 200.0           # steps BETA/(SHIFT + t) of sgd-sc-decreasing-step-bottou


def exact_gap(steps: np.ndarray, ks: np.ndarray) -> np.ndarray:
    """E f(x_k) - f* at ks for x_{t+1} = x_t - steps[t] (grad f(x_t) + xi_t), exactly: each
    coordinate's mean and variance follow m+ = (1 - g lam) m, v+ = (1 - g lam)^2 v + g^2."""
    m, v = np.ones_like(LAM), np.zeros_like(LAM)
    out, want = [], set(int(k) for k in ks)
    for t in range(int(ks[-1]) + 1):
        if t in want:
            out.append(0.5 * np.sum(LAM * (m * m + v)))
        if t < len(steps):
            a = 1.0 - steps[t] * LAM
            m, v = a * m, a * a * v + steps[t] ** 2
    return np.array(out)


def exact_gap_average(ks: np.ndarray) -> np.ndarray:
    """E f(avg_k) - f* for avg_k = (1/k) sum_{t<k} x_t, constant step GAMMA, exactly:
    mean (1/k) sum a^t, variance (1/(lam k))^2 sum_{m=1}^{k-1} (1 - a^m)^2, a = 1 - GAMMA lam."""
    a = 1.0 - GAMMA * LAM[None, :]
    k = ks.astype(float)[:, None]
    n = k - 1
    mean = (1 - a**k) / (1 - a) / k
    var = (n - 2 * a * (1 - a**n) / (1 - a) + a * a * (1 - a ** (2 * n)) / (1 - a * a)) \
        / (LAM[None, :] * k) ** 2
    return 0.5 * np.sum(LAM[None, :] * (mean**2 + var), axis=1)


#: One colour and marker per series (five distinct colours; no two blues).
SERIES = {"constant": ("#0072B2", "o"), "average": ("#E69F00", "s"), "inverse": ("#D55E00", "^"),
          "linear": ("#009E73", "D"), "step": ("#CC79A7", "v")}


def band(ax, k, traces, key, label, iterate="last"):
    """Mean over seeds with its simultaneous 95 % band; returns the mean."""
    stat = seed_statistic(np.array([t.measure("f_gap", iterate) for t in traces]))
    c, m = SERIES[key]
    ax.fill_between(k, np.maximum(stat.low, 1e-12), stat.high, color=c, alpha=0.25, lw=0,
                    zorder=1)
    ax.loglog(k, stat.value, color=c, lw=1.8, marker=m, markevery=8, ms=3.5, label=label,
              zorder=2)
    return stat.value


def band_mean(traces, mask, iterate="last"):
    """Mean over seeds of f(x_k) - f* at the checkpoints in ``mask`` (for the fitted order)."""
    return np.mean([t.measure("f_gap", iterate)[mask] for t in traces], axis=0)


def _order(k, v):
    return slope_label(k, v, "order", sign=-1.0)


def make(out: Path, quick: bool) -> list[Path]:
    N = 2000 if quick else 100000
    seeds = range(20 if quick else 200)
    pr = build("quadratic", PROBLEM)
    ks = np.unique(np.round(np.geomspace(1, N, 40 if quick else 80))).astype(np.int64)
    horizons = np.unique(np.round(np.geomspace(100, N, 5 if quick else 8))).astype(np.int64)
    tail = ks >= N / 100
    kf = ks.astype(float)
    floor = 0.5 * GAMMA * np.sum(1 / (2 - GAMMA * LAM))
    with figure(2, 1, height=6.2) as (fig, (ax, bx)):
        # (a) constant step, its average, 1/k steps: anytime
        const = run_seeds(pr, "sgd", {"step": GAMMA}, seeds=seeds, checkpoints=ks)
        band(ax, kf, const, "constant", rf"constant $\gamma={GAMMA:g}$ "
             f"({_order(kf[tail], band_mean(const, tail))})")
        band(ax, kf, const, "average", rf"average of $x_t$, $\gamma={GAMMA:g}$ "
             f"({_order(kf[tail], band_mean(const, tail, 'avg'))})", iterate="avg")
        inv = run_seeds(pr, "sgd-inverse", {"step": BETA, "shift": SHIFT}, seeds=seeds,
                        checkpoints=ks)
        band(ax, kf, inv, "inverse", rf"$\gamma_t = {BETA:g}/({SHIFT:g}+t)$ "
             f"({_order(kf[tail], band_mean(inv, tail))})")
        t = np.arange(N)
        # theory above the data: thin black dashes, so the data show through
        dashes = {"color": "k", "ls": (0, (4, 3)), "lw": 0.7, "zorder": 5}
        ax.loglog(kf, exact_gap(np.full(N, GAMMA), ks), **dashes,
                  label=r"exact $\mathbb{E}f - f^\star$ (moment recursion)")
        ax.loglog(kf, exact_gap(BETA / (SHIFT + t), ks), **dashes)
        ax.loglog(kf, exact_gap_average(ks), **dashes)
        ax.axhline(floor, color="k", ls="-.", lw=0.8, zorder=5,
                   label=rf"exact floor $(\gamma/2)\,\Sigma_i\,1/(2-\gamma\lambda_i) = "
                         rf"{floor:.4f}$")
        # nu = max(beta^2 L M/(2(beta c - 1)), (shift)(f(x0) - f*)), L = 10, M = d s^2 = 10,
        # c = 0.1
        nu = max(BETA**2 * 10 * 10 / (2 * (BETA * 0.1 - 1)), SHIFT * 25.25)
        ax.loglog(kf, nu / (SHIFT + kf), "k:", lw=1.0, zorder=5,
                  label=r"Bottou et al. bound $\nu/(200+k)$ for $1/k$ steps")
        ax.set_xlabel("iteration $k$")
        ax.set_ylabel(r"$\mathbb{E} f(x_k) - f^\star$")
        ax.set_title("(a) anytime: one run per seed, read at every $k$", loc="left")
        legend_below(fig, ax, ncol=1)
        ax.get_legend().set_bbox_to_anchor((0.5, -0.25))
        # (b) horizon-dependent schedules, read at their horizon N
        h = horizons.astype(float)
        for key, alg, params, label, steps in (
                ("linear", "sgd-linear-decay", lambda n: {"step": GAMMA, "horizon": n},
                 r"linear decay $\gamma(1-t/N)$",
                 lambda n: GAMMA * (1 - np.arange(n) / n)),
                ("step", "sgd-step-decay", lambda n: {"step": GAMMA, "every": max(1, n // 10)},
                 r"step decay $\gamma\,2^{-\lfloor 10t/N\rfloor}$",
                 lambda n: GAMMA * 0.5 ** np.floor(np.arange(n) / max(1, n // 10)))):
            means, lows, highs = [], [], []
            for n in horizons:
                traces = run_seeds(pr, alg, params(int(n)), seeds=seeds, checkpoints=[n])
                stat = seed_statistic(np.array([t.measure("f_gap")[-1:] for t in traces]))
                means.append(stat.value[0])
                lows.append(stat.low[0])
                highs.append(stat.high[0])
            m = np.array(means)
            fit = h >= h[len(h) // 2]
            c, mk = SERIES[key]
            bx.fill_between(h, np.maximum(lows, 1e-12), highs, color=c, alpha=0.25, lw=0,
                            zorder=1)
            bx.loglog(h, m, marker=mk, color=c, ms=4.5, lw=1.4, zorder=2,
                      label=f"{label} ({_order(h[fit], m[fit])})")
            bx.loglog(h, [exact_gap(steps(int(n)), np.array([n]))[0] for n in horizons],
                      **dashes, label=None if key == "step" else
                      r"exact $\mathbb{E}f(x_N) - f^\star$ (moment recursion)")
        bx.axhline(floor, color="k", ls="-.", lw=0.8, zorder=5,
                   label=rf"floor of the constant step $\gamma = {GAMMA:g}$")
        bx.set_xlabel("horizon $N$ (one run per $N$, read at $k = N$)")
        bx.set_ylabel(r"$\mathbb{E} f(x_N) - f^\star$")
        bx.set_title("(b) horizon: schedules that depend on $N$", loc="left")
        legend_below(fig, bx, ncol=1)
        bx.get_legend().set_bbox_to_anchor((0.5, -0.25))
        fig.subplots_adjust(hspace=1.2)
        return save(fig, out, "fig4-sgd-schedules")
