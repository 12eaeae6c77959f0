"""Frank–Wolfe (conditional gradient) methods with open-loop, short, monotone and exact steps.

The kernel has the method signature of :mod:`convlab._jit`; it calls the ``grad`` and ``lmo``
oracles (and ``value`` for the monotone rules). It never leaves the feasible set: every iterate
is a convex combination of x_0 and LMO outputs.
"""

from __future__ import annotations

import numpy as np

from ..runtime.jit import GRAD, LMO, STATUS_DIVERGED, STATUS_OK, VALUE, lazy_jit
from ._record import checkpoint, new_record, track_init, track_step

#: Step rules of :func:`frank_wolfe` (``hyper[0]``).
OPEN_LOOP, SHORT_STEP, MONOTONE, MONOTONE_HALVING, LINE_SEARCH_QUADRATIC, MONOTONE_STATELESS = range(6)

#: Halvings after which the monotone-halving rule gives up on an iteration (x stays).
MAX_HALVINGS = 80


@lazy_jit("method")
def frank_wolfe(oracles, A, b, p, x0, hyper, checkpoints, seed, track):
    """Frank–Wolfe method with a choice of step rule.

    Iteration t = 0, 1, ...:

        s_t ∈ argmin_{s in X} <∇f(x_t), s>        (the ``lmo`` oracle),
        g_t = <∇f(x_t), x_t − s_t>                (the Frank–Wolfe gap, >= f(x_t) − f* by convexity),
        x_{t+1} = x_t + γ_t (s_t − x_t),

    with the step rule ``hyper[0]``:

    - 0, open loop: γ_t = 2/(t+2) (Frank & Wolfe 1956; Jaggi 2013, ICML, Thm 1:
      f(x_t) − f* <= 2 C_f/(t+2) with C_f <= L D²; Thm 2: min_{1<=i<=t} g_i <= 27 C_f/(4(t+2))
      for t >= 2, i.e. 2β C_f/(t+2) with β = 27/8);
    - 1, short step (Demyanov–Rubinov): γ_t = min(1, g_t/(L_s ||s_t − x_t||²)) with
      L_s = ``hyper[1]``;
    - 2, monotone (Carderera, Besançon & Pokutta 2021, "Simple steps are all you need:
      Frank-Wolfe and generalized self-concordant functions", NeurIPS, Algorithm 1, M-FW):
      the open-loop candidate x' = x_t + (2/(t+2))(s_t − x_t) is accepted if it lies in dom f and
      f(x') <= f(x_t), else x_{t+1} = x_t (a rejected step);
    - 3, monotone with persistent halving (the ``MonotonicStepSize`` of FrankWolfe.jl, by the
      same authors; the journal version of the paper): γ_t = 2^(1−N)/(t+2) where the integer
      N >= 0 is kept across iterations and increased until the candidate is in dom f and does not
      increase f (after ``MAX_HALVINGS`` increases the step is rejected);
    - 4, exact line search for quadratic f: γ_t = min(1, g_t/c_t) with the curvature
      c_t = <∇f(s_t) − ∇f(x_t), s_t − x_t> (= dᵀHd for f quadratic; one extra gradient call),
      γ_t = 1 when c_t <= 0;
    - 5, monotone with stateless halving: γ_t = 2^(1−k)/(t+2) with the smallest k >= 0 (fresh at
      every iteration) whose candidate is in dom f and does not increase f (after
      ``MAX_HALVINGS`` halvings the step is rejected).

    Rules 3 and 5 differ in an important way: under rule 3 the factor 2^(1−N) never recovers, so
    once N >= 2 the steps are c/(t+2) with c <= 1/2 and the open-loop analysis only gives
    O(t^(−c)).

    Parameters (``hyper``): ``[rule]``, or ``[rule, L_s]`` for the short step.

    Records the last iterate x_t (point 0). Scalars: the ``TRACK_COLUMNS`` (with ``track``),
    then ``fw_gap`` = g_t at x_t (always, it is computed for the step), ``min_fw_gap`` =
    min_{1<=i<=t} g_i (g_0 at t = 0, following Jaggi's Thm 2 which excludes the start), and
    ``moved`` = the number of steps among the first t that changed x (t − rejected steps for
    the monotone rules).
    """
    rule = int(hyper[0])
    lip = hyper[1] if hyper.shape[0] > 1 else 0.0
    d = x0.shape[0]
    x = x0.copy()
    g = np.empty(d)
    s = np.empty(d)
    cand = np.empty(d)
    gs = np.empty(d)
    work = np.empty(d)
    grad = oracles[GRAD]
    lmo = oracles[LMO]
    value = oracles[VALUE]
    points, scalars = new_record(checkpoints, 1, d, 6)
    acc = track_init()
    min_gap = np.inf
    moved = 0
    halvings = 0
    f_cur = value(A, b, p, x) if rule in (MONOTONE, MONOTONE_HALVING, MONOTONE_STATELESS) else 0.0
    j = 0
    last = checkpoints[-1]
    for t in range(last + 1):
        grad(A, b, p, x, g)
        lmo(A, b, p, g, s)
        gap = 0.0
        for i in range(d):
            gap += g[i] * (x[i] - s[i])
        if t <= 1 or gap < min_gap:  # min over 1..t (g_0 alone at t = 0)
            min_gap = gap
        if track:
            track_step(acc, oracles, A, b, p, x, work)
        if t == checkpoints[j]:
            scalars[j, 3] = gap
            scalars[j, 4] = min_gap
            scalars[j, 5] = moved
            j += 1
            if checkpoint(points, scalars, j - 1, x, acc, track):
                return points, scalars, j, STATUS_DIVERGED
            if t == last:
                break
        if rule == OPEN_LOOP:
            gamma = 2.0 / (t + 2.0)
        elif rule == SHORT_STEP:
            n2 = 0.0
            for i in range(d):
                n2 += (s[i] - x[i]) * (s[i] - x[i])
            gamma = min(1.0, gap / (lip * n2)) if n2 > 0.0 else 0.0
            if gamma < 0.0:
                gamma = 0.0
        elif rule == LINE_SEARCH_QUADRATIC:
            grad(A, b, p, s, gs)
            curv = 0.0
            for i in range(d):
                curv += (gs[i] - g[i]) * (s[i] - x[i])
            gamma = min(1.0, gap / curv) if curv > 0.0 else 1.0
            if gamma < 0.0:
                gamma = 0.0
        elif rule == MONOTONE:
            gamma = 2.0 / (t + 2.0)
            for i in range(d):
                cand[i] = x[i] + gamma * (s[i] - x[i])
            f_new = value(A, b, p, cand)
            if np.isfinite(f_new) and f_new <= f_cur:
                f_cur = f_new
            else:
                gamma = 0.0
        elif rule == MONOTONE_STATELESS:
            gamma = 0.0
            for k in range(MAX_HALVINGS + 1):
                trial = 2.0 ** (1 - k) / (t + 2.0)
                for i in range(d):
                    cand[i] = x[i] + trial * (s[i] - x[i])
                f_new = value(A, b, p, cand)
                if np.isfinite(f_new) and f_new <= f_cur:
                    f_cur = f_new
                    gamma = trial
                    break
        else:  # MONOTONE_HALVING
            gamma = 0.0
            while halvings <= MAX_HALVINGS:
                trial = 2.0 ** (1 - halvings) / (t + 2.0)
                for i in range(d):
                    cand[i] = x[i] + trial * (s[i] - x[i])
                f_new = value(A, b, p, cand)
                if np.isfinite(f_new) and f_new <= f_cur:
                    f_cur = f_new
                    gamma = trial
                    break
                halvings += 1
        if gamma > 0.0:
            moved += 1
            for i in range(d):
                x[i] = x[i] + gamma * (s[i] - x[i])
    return points, scalars, j, STATUS_OK


# -- registry rows (legacy whole-run kernels; see convlab.algorithms.registry) --

from .registry import Algorithm, LegacyKernel  # noqa: E402

ALGORITHMS = (
    Algorithm('frank-wolfe', LegacyKernel(frank_wolfe, hyper=('variant0',), points=('last',), record_scalars=('best_f_gap', 'min_grad_norm_sq', 'avg_grad_norm_sq', 'fw_gap', 'min_fw_gap', 'moved'), needs=('grad', 'lmo'), stochastic=False),
              (),
              fixed={'variant0': 0.0},
              summary='Frank-Wolfe, open-loop step 2/(t+2)'),
    Algorithm('frank-wolfe-short-step', LegacyKernel(frank_wolfe, hyper=('variant0', 'lipschitz'), points=('last',), record_scalars=('best_f_gap', 'min_grad_norm_sq', 'avg_grad_norm_sq', 'fw_gap', 'min_fw_gap', 'moved'), needs=('grad', 'lmo'), stochastic=False),
              (('lipschitz', 'L'),),
              fixed={'variant0': 1.0},
              summary='Frank-Wolfe, short step min(1, g_t/(L ||s - x||^2))'),
    Algorithm('frank-wolfe-monotone', LegacyKernel(frank_wolfe, hyper=('variant0',), points=('last',), record_scalars=('best_f_gap', 'min_grad_norm_sq', 'avg_grad_norm_sq', 'fw_gap', 'min_fw_gap', 'moved'), needs=('grad', 'lmo', 'value'), stochastic=False),
              (),
              fixed={'variant0': 2.0},
              summary='monotone Frank-Wolfe: step 2/(t+2) rejected unless f does not increase'),
    Algorithm('frank-wolfe-monotone-halving', LegacyKernel(frank_wolfe, hyper=('variant0',), points=('last',), record_scalars=('best_f_gap', 'min_grad_norm_sq', 'avg_grad_norm_sq', 'fw_gap', 'min_fw_gap', 'moved'), needs=('grad', 'lmo', 'value'), stochastic=False),
              (),
              fixed={'variant0': 3.0},
              summary='Frank-Wolfe, step 2^(1-N)/(t+2) with N raised until f does not increase'),
    Algorithm('frank-wolfe-line-search-quadratic', LegacyKernel(frank_wolfe, hyper=('variant0',), points=('last',), record_scalars=('best_f_gap', 'min_grad_norm_sq', 'avg_grad_norm_sq', 'fw_gap', 'min_fw_gap', 'moved'), needs=('grad', 'lmo'), stochastic=False),
              (),
              fixed={'variant0': 4.0},
              summary='Frank-Wolfe, exact line search (exact for quadratic f only)'),
    Algorithm('frank-wolfe-monotone-stateless', LegacyKernel(frank_wolfe, hyper=('variant0',), points=('last',), record_scalars=('best_f_gap', 'min_grad_norm_sq', 'avg_grad_norm_sq', 'fw_gap', 'min_fw_gap', 'moved'), needs=('grad', 'lmo', 'value'), stochastic=False),
              (),
              fixed={'variant0': 5.0},
              summary='Frank-Wolfe, step 2^(1-k)/(t+2) with the smallest k >= 0 that does not increase f'),
)
