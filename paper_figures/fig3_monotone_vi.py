"""Figure 3: methods for monotone VIs on bilinear games, with the bounds of the monotone-VI claims
in rates/.

Six panels of at most six series: on one bilinear game (a) the last iterates under the EAG-C
bound, (b) the ergodic averages against a reference order 1, (c) simultaneous GDA, which
diverges, on its own axis; on the horizon-indexed worst cases F_T (d) the last iterates under
EG's exact curve and EAG-C's bound, (e) the averages; (f) Halpern's fixed-point residual on the
rotation by pi/2 (another quantity, so another panel). Fitted orders with 95 % intervals."""

from pathlib import Path

import numpy as np

from convlab import run
from convlab.problems.registry import build
from convlab.figures.style import color, figure, marker, reference_slope, save, slope_label


def per_step_factor(k: np.ndarray, v: np.ndarray) -> float:
    """Geometric per-step factor of a linearly converging (or diverging) sequence."""
    good = np.isfinite(v) & (v > 0)
    return float(np.exp(np.polyfit(k[good], np.log(v[good]), 1)[0]))


def fixed_game(quick: bool) -> dict:
    """(a) One bilinear game x^T A y (games-bilinear-d5), every method from the same start."""
    problem = build("bilinear-square", {"d": 5, "eps": 0.0})
    kmax = 300 if quick else 3000
    ks = np.unique(np.round(np.geomspace(1, kmax, 40 if quick else 80))).astype(int)
    curves = {}
    for key, alg, params, iterate, label in (
        ("gda", "gda", {"step": 0.5}, "last", r"GDA $\eta = 0.5$"),
        ("extragradient", "extragradient", {"step": "1/(2*L)"}, "last", "EG last"),
        ("extragradient", "extragradient", {"step": "1/(2*L)"}, "avg", "EG avg."),
        ("past-eg", "past-eg", {"step": "1/(4*L)"}, "last", "past EG last"),
        ("past-eg", "past-eg", {"step": "1/(4*L)"}, "avg", "past EG avg."),
        ("aog", "aog", {"step": "1/(2*L)"}, "last", "AOG"),
        ("eag-c", "eag-c", {"step": "1/(8*L)"}, "last", "EAG-C"),
    ):
        trace = run(problem, alg, params, checkpoints=ks)
        k = trace.k.astype(float)
        with np.errstate(over="ignore", invalid="ignore"):
            v = trace.measure("grad_norm", iterate) / (problem.L * problem.R)
        keep = np.isfinite(v) & (v < 1e150)
        curves[label] = (key, iterate, k[keep], v[keep])
    bound = np.sqrt(260.0) / (ks + 1.0)  # eag-last-iterate, divided by L R
    return {"curves": curves, "k": ks.astype(float), "bound": bound}


def worst_cases(quick: bool) -> dict:
    """(b) Horizon mode: the T-indexed bilinear family F_T = (2L/sqrt T) J, read at k = T."""
    T = np.unique(2 * np.round(np.geomspace(8, 500 if quick else 50000, 10 if quick else 40) / 2)
                  ).astype(int)
    methods = (
        ("extragradient", "extragradient", {"step": "1/(2*L)"}, "last", "EG last"),
        ("extragradient", "extragradient", {"step": "1/(2*L)"}, "avg", "EG avg."),
        ("past-eg", "past-eg", {"step": "1/(4*L)"}, "last", "past EG last"),
        ("past-eg", "past-eg", {"step": "1/(4*L)"}, "avg", "past EG avg."),
        ("aog", "aog", {"step": "1/(2*L)"}, "last", "AOG"),
        ("eag-c", "eag-c", {"step": "1/(8*L)"}, "last", "EAG-C"),
    )
    values = {m[-1]: [] for m in methods}
    for t in T:
        problem = build("bilinear-horizon", {"T": int(t), "L": 1.0})
        for _, alg, params, iterate, label in methods:
            trace = run(problem, alg, params, checkpoints=[int(t)])
            values[label].append(trace.measure("grad_norm", iterate)[-1] / problem.R)
    curves = {label: (key, iterate, T.astype(float), np.array(values[label]))
              for key, _, _, iterate, label in methods}
    # Halpern on T = rotation by pi/2 = the reflected resolvent 2(I + F)^-1 - I of the bilinear
    # game F(z) = J z; the residual ||x - T x|| is its grad_norm (F = I - T).
    rotation = build("reflection-rotation", {"kind": "rotation", "theta": "pi/2"})
    halpern = run(rotation, "halpern", {"scale": "1"}, checkpoints=T)
    curves["Halpern, rot. $\\pi/2$"] = ("halpern", "last", T.astype(float),
                                            halpern.measure("grad_norm") / rotation.R)
    t = T.astype(float)
    bounds = {
        "eg": 2 / np.sqrt(t) * (1 - 1 / t + 1 / t**2) ** (t / 2),
        "eag": np.sqrt(260.0) / (t + 1),
        "halpern": 2 / (t + 1),
    }
    return {"curves": curves, "T": t, "bounds": bounds}


LAST = ("EG last", "past EG last", "AOG", "EAG-C")
AVERAGES = ("EG avg.", "past EG avg.")


def _series(ax, curves, labels, fit_from, linear=()):
    """The curves named in ``labels``: a fitted order with its interval (or a per-step factor
    for a linearly converging one) in the legend."""
    for label in labels:
        key, iterate, k, v = curves[label]
        if label in linear:
            tail = k >= k[-1] / 3
            extra = f"$\\times${per_step_factor(k[tail], v[tail]):.3g}/step"
        else:
            fit = k >= fit_from
            extra = slope_label(k[fit], v[fit], "order", sign=-1.0)
        filled = iterate == "last"
        ax.loglog(k, v, marker=marker(key) if len(k) < 45 else None, color=color(key), lw=1.0,
                  ls="-" if filled else "--", markersize=3, mfc=color(key) if filled else "none",
                  label=f"{label} ({extra})", zorder=2)


def _limits(ax, curves, labels, extra=()):
    values = np.concatenate([curves[label][3] for label in labels] + [np.asarray(e) for e in extra])
    values = values[np.isfinite(values) & (values > 0)]
    ax.set_ylim(values.min() / 3, values.max() * 3)


def make(out: Path, quick: bool) -> list[Path]:
    a, b = fixed_game(quick), worst_cases(quick)
    fit_a, fit_b = (30, 30) if quick else (300, 100)
    with figure(2, 3, width=7.2, height=6.4) as (fig, axes):
        (a1, a2, a3), (b1, b2, b3) = axes
        # (a) one bilinear game: last iterates, under the EAG-C bound
        _series(a1, a["curves"], LAST, fit_a, linear={"EG last", "past EG last"})
        a1.loglog(a["k"], a["bound"], "k-.", lw=1.0, zorder=5,
                  label=r"EAG-C bound $\sqrt{260}\,LR/(k+1)$")
        _limits(a1, a["curves"], LAST, [a["bound"]])
        a1.set_title("(a) one game: last iterates", loc="left")
        # (b) the ergodic averages, order 1
        _series(a2, a["curves"], AVERAGES, fit_a)
        k = a["k"]
        v0 = a["curves"]["EG avg."][3]
        reference_slope(a2, k, 3 * v0[0], -1.0, r"reference order 1: $1/k$")
        a2.set_title("(b) one game: averages", loc="left")
        # (c) simultaneous GDA leaves: its own axis
        key, _, kg, vg = a["curves"][r"GDA $\eta = 0.5$"]
        tail = kg >= 2
        a3.semilogy(kg, vg, marker=marker(key), color=color(key), ms=2.5, lw=1.0,
                    label=rf"GDA $\eta = 0.5$ ($\times${per_step_factor(kg[tail], vg[tail]):.3g}"
                          "/step)")
        a3.set_title("(c) one game: simultaneous GDA", loc="left")
        for ax in (a1, a2, a3):
            ax.set_xlabel("iteration $k$")
            ax.set_ylabel(r"$\|F(z_k)\|/(LR)$")
        # (d) horizon family: last iterates under EG's exact curve and EAG-C's bound
        t = b["T"]
        _series(b1, b["curves"], LAST, fit_b)
        b1.loglog(t, b["bounds"]["eg"], "k--", lw=1.0, zorder=5,
                  label=r"EG exact $\frac{2}{\sqrt{T}}(1-\frac{1}{T}+\frac{1}{T^2})^{T/2}$")
        b1.loglog(t, b["bounds"]["eag"], "k-.", lw=1.0, zorder=5,
                  label=r"EAG-C bound $\sqrt{260}/(T+1)$")
        b1.set_title("(d) worst cases $F_T$: last iterates", loc="left")
        # (e) horizon family: averages
        _series(b2, b["curves"], AVERAGES, fit_b)
        reference_slope(b2, t, 3 * b["curves"]["EG avg."][3][0], -1.0,
                        r"reference order 1: $1/T$")
        b2.set_title("(e) worst cases $F_T$: averages", loc="left")
        for ax in (b1, b2):
            ax.set_xlabel("horizon $T$ (read at $k = T$)")
            ax.set_ylabel(r"$\|F(z_T)\|/(LR)$")
        # (f) Halpern on the rotation by pi/2: the fixed-point residual, its own quantity
        label = "Halpern, rot. $\\pi/2$"
        _series(b3, b["curves"], (label,), fit_b)
        b3.loglog(t, b["bounds"]["halpern"], "k:", lw=1.1, zorder=5,
                  label=r"bound $2/(T+1)$ (tight)")
        b3.set_xlabel("iteration $T$")
        b3.set_ylabel(r"$\|x_T - \mathcal{T}x_T\|/R$")
        b3.set_title(r"(f) Halpern, rotation by $\pi/2$", loc="left")
        for ax in axes.ravel():
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.28), ncol=1, frameon=False,
                      fontsize=6.5)
        fig.subplots_adjust(wspace=0.45, hspace=1.25)
        return save(fig, out, "fig3-monotone-vi")
