"""Clipped stochastic gradient descent: the stochastic gradient's norm is cut at a level λ_t.

The method is an ``advance`` function of the kernel contract (:mod:`convlab.runtime.kernel`):
iteration t uses the sample ``sample_id(seed, t)``, so a run is a pure function of its seed; the
loop tracks the running quantities of the iterate (row 0 of ``X``) and stops a diverging run,
and :func:`clipped_sgd_observe` computes the averages and the clipped fraction at checkpoints.
"""

from __future__ import annotations

import numpy as np

from ..runtime.jit import PROX, SGRAD, STATUS_OK, lazy_jit
from ..runtime.kernel import Kernel
from ..runtime.random import sample_id
from .registry import Algorithm

#: Step-size schedule codes of :func:`clipped_sgd` (hyper slot ``schedule``).
CONSTANT, INVERSE, INVERSE_SQRT = range(3)


@lazy_jit("advance")
def clipped_sgd(oracles, A, b, p, hyper, seed, checkpoints, k0, k1, X, s):
    """(Projected) clipped SGD with a step schedule and an exponentially decaying clip level.

    Update, for t = 0, 1, ...:

        g_t = G(x_t, ξ_t),     clip_λ(g) = min(1, λ/||g||) g,
        x_{t+1} = Π_X(x_t − γ_t clip_{λ_t}(g_t)),     λ_t = λ_0 exp(−r t),

    with G the ``sgrad`` oracle and Π_X the ``prox`` oracle (the identity when unconstrained).
    Step schedules (``schedule``): 0 constant γ_t = γ; 1 inverse γ/(c + t); 2 inverse square
    root γ/sqrt(c + t). λ_0 = +inf (any value above 1e300) disables clipping: plain SGD on the
    same random stream.

    Parameters: ``schedule`` (fixed by the registry per variant); ``step`` γ; ``shift`` c, the
    schedule shift (unused by the constant schedule); ``clip`` λ_0, the initial clip level;
    ``clip_rate`` r >= 0, the clip decay rate (Sadiev et al. 2023 take λ_k ∝ exp(−γμ k/2) in
    the strongly convex case); ``tail_start`` t_0, the start of the tail average (rounded down).

    Records three points: ``last`` = x_k; ``avg`` = (1/k) Σ_{t<k} x_t (x_0 at k = 0);
    ``tail`` = (1/(k − t_0)) Σ_{t_0 <= t < k} x_t for k > t_0 (x_k before), the time average over
    the end of a run (t_0 = N/2: the second half). Scalars: :data:`TRACK_COLUMNS` (with
    ``track``), then ``clip_fraction``, the fraction of the steps t < k that were clipped.
    State: the running sums Σ_{t<k} x_t and Σ_{t_0<=t<k} x_t, the number of clipped steps.

    References: Koloskova, Hendrikx & Stich (2023), "Revisiting Gradient Clipping: Stochastic
    bias and tight convergence guarantees", ICML 2023 (the bias of clipping under stochastic
    noise); Zhang, Karimireddy, Veit, Kim, Reddi, Kumar & Sra (2020), "Why are adaptive methods
    good for attention models?", NeurIPS 2020; Sadiev, Danilova, Gorbunov, Horváth, Gidel,
    Dvurechensky, Gasnikov & Richtárik (2023), "High-Probability Bounds for Stochastic
    Optimization and Variational Inequalities: the Case of Unbounded Variance", ICML 2023.
    """
    sgrad = oracles[SGRAD]
    prox = oracles[PROX]
    schedule = int(hyper[0])
    gamma = hyper[1]
    shift = hyper[2]
    clip0 = hyper[3]
    rate = hyper[4]
    t0 = int(np.floor(hyper[5])) if hyper[5] > 0 else 0
    no_clip = not (clip0 <= 1e300)
    x = X[0]
    g = X[3]
    y = X[4]
    d = x.shape[0]
    n_clipped = s[1]
    for t in range(k0, k1):
        for i in range(d):
            X[5, i] += x[i]
        if t >= t0:
            for i in range(d):
                X[6, i] += x[i]
        if schedule == 0:
            step = gamma
        elif schedule == 1:
            step = gamma / (shift + t)
        else:
            step = gamma / np.sqrt(shift + t)
        sgrad(A, b, p, x, t, sample_id(seed, t), g)
        scale = 1.0
        if not no_clip:
            lam = clip0 * np.exp(-rate * t)
            norm = 0.0
            for i in range(d):
                norm += g[i] * g[i]
            norm = np.sqrt(norm)
            if norm > lam:
                scale = lam / norm
                n_clipped += 1.0
        for i in range(d):
            y[i] = x[i] - step * scale * g[i]
        prox(A, b, p, y, step, x)
    s[1] = n_clipped
    return STATUS_OK


@lazy_jit("init")
def clipped_sgd_init(oracles, A, b, p, hyper, seed, X, s):
    """Zero the running sums (the loop set every row to x0)."""
    for i in range(X.shape[1]):
        X[5, i] = 0.0
        X[6, i] = 0.0


@lazy_jit("observe")
def clipped_sgd_observe(oracles, A, b, p, hyper, seed, k, X, s, P, S):
    """At checkpoint k: rows ``avg`` and ``tail`` from the running sums, ``clip_fraction``."""
    t0 = int(np.floor(hyper[5])) if hyper[5] > 0 else 0
    x = X[0]
    sum_x = X[5]
    tail_x = X[6]
    d = x.shape[0]
    for i in range(d):
        X[1, i] = x[i] if k == 0 else sum_x[i] / k
        X[2, i] = tail_x[i] / (k - t0) if k > t0 else x[i]
    s[0] = s[1] / k if k > 0 else 0.0
    for r in range(3):
        for i in range(d):
            P[r, i] = X[r, i]
    S[0] = s[0]
    return STATUS_OK


CLIPPED_SGD = Kernel(clipped_sgd,
                     hyper=("schedule", "step", "shift", "clip", "clip_rate", "tail_start"),
                     points=("last", "avg", "tail"), vectors=("grad", "y", "sum", "tail_sum"),
                     scalars=("clip_fraction",), state=("n_clipped",), needs=("sgrad", "prox"),
                     stochastic=True, init=clipped_sgd_init, observe=clipped_sgd_observe)

ALGORITHMS = (
    Algorithm("clipped-sgd", CLIPPED_SGD,
              (("step", "1/L"), ("shift", "1"), ("clip", None), ("clip_rate", "0"),
               ("tail_start", "N/2")),
              fixed={"schedule": CONSTANT},
              summary="clipped SGD, constant step, clip level clip*exp(-clip_rate*t); "
                      "tail average"),
    Algorithm("clipped-sgd-inverse-sqrt", CLIPPED_SGD,
              (("step", None), ("shift", "1"), ("clip", None), ("clip_rate", "0"),
               ("tail_start", "N/2")),
              fixed={"schedule": INVERSE_SQRT},
              summary="clipped SGD, step/sqrt(shift + t), clip level clip*exp(-clip_rate*t)"),
)
