"""Frank–Wolfe (conditional gradient) methods with open-loop, short, monotone and exact steps.

The method is an ``advance`` function of the kernel contract (:mod:`convlab.runtime.kernel`); it
calls the ``grad`` and ``lmo`` oracles (and ``value`` for the monotone rules). It never leaves
the feasible set: every iterate is a convex combination of x_0 and LMO outputs.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..runtime.jit import GRAD, LMO, STATUS_OK, VALUE, lazy_jit, njit_helper
from ..runtime.kernel import Kernel
from .registry import Algorithm

#: Step rules of :func:`frank_wolfe` (the ``rule`` slot).
(OPEN_LOOP, SHORT_STEP, MONOTONE, MONOTONE_HALVING, LINE_SEARCH_QUADRATIC,
 MONOTONE_STATELESS) = range(6)

#: Halvings after which the monotone-halving rule gives up on an iteration (x stays).
MAX_HALVINGS = 80


@njit_helper
def fw_vertex(oracles, A, b, p, x, g, v):
    """g = ∇f(x), v = lmo(g); returns the Frank–Wolfe gap <g, x − v>."""
    oracles[GRAD](A, b, p, x, g)
    oracles[LMO](A, b, p, g, v)
    gap = 0.0
    for i in range(x.shape[0]):
        gap += g[i] * (x[i] - v[i])
    return gap


@lazy_jit("advance")
def frank_wolfe(oracles, A, b, p, hyper, seed, checkpoints, k0, k1, X, s):
    """Frank–Wolfe method with a choice of step rule.

    Iteration t = 0, 1, ...:

        s_t ∈ argmin_{s in X} <∇f(x_t), s>        (the ``lmo`` oracle),
        g_t = <∇f(x_t), x_t − s_t>                (the Frank–Wolfe gap, >= f(x_t) − f* by convexity),
        x_{t+1} = x_t + γ_t (s_t − x_t),

    with the step rule ``rule`` (fixed per registered variant):

    - 0, open loop: γ_t = 2/(t+2) (Frank & Wolfe 1956; Jaggi 2013, ICML, Thm 1:
      f(x_t) − f* <= 2 C_f/(t+2) with C_f <= L D²; Thm 2: min_{1<=i<=t} g_i <= 27 C_f/(4(t+2))
      for t >= 2, i.e. 2β C_f/(t+2) with β = 27/8);
    - 1, short step (Demyanov–Rubinov): γ_t = min(1, g_t/(L_s ||s_t − x_t||²)) with
      L_s = ``lipschitz``;
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

    Parameters: ``rule`` (the step rule above) and ``lipschitz`` L_s (read by the short step
    only; the other rules fix it to 0).

    Records the last iterate x_t (point 0). Scalars after the tracked ones: ``fw_gap`` = g_t at
    x_t (always, it is computed for the step), ``min_fw_gap`` = min_{1<=i<=t} g_i (g_0 at t = 0,
    following Jaggi's Thm 2 which excludes the start), and ``moved`` = the number of steps among
    the first t that changed x (t − rejected steps for the monotone rules).

    State: ∇f(x_t), s_t and g_t are computed for x_t as soon as x_t is formed (by ``init`` for
    x_0, at the end of iteration t − 1 otherwise), so the record of checkpoint t and the step
    from x_t share them; f(x_t) − f* for the monotone rules; N for rule 3.
    """
    rule = int(hyper[0])
    lip = hyper[1]
    x = X[0]
    g = X[1]
    v = X[2]
    cand = X[3]
    gs = X[4]
    grad = oracles[GRAD]
    lmo = oracles[LMO]
    value = oracles[VALUE]
    d = x.shape[0]
    gap = s[0]
    min_gap = s[1]
    moved = s[2]
    f_cur = s[3]
    halvings = int(s[4])
    for t in range(k0, k1):
        if rule == OPEN_LOOP:
            gamma = 2.0 / (t + 2.0)
        elif rule == SHORT_STEP:
            n2 = 0.0
            for i in range(d):
                n2 += (v[i] - x[i]) * (v[i] - x[i])
            gamma = min(1.0, gap / (lip * n2)) if n2 > 0.0 else 0.0
            if gamma < 0.0:
                gamma = 0.0
        elif rule == LINE_SEARCH_QUADRATIC:
            grad(A, b, p, v, gs)
            curv = 0.0
            for i in range(d):
                curv += (gs[i] - g[i]) * (v[i] - x[i])
            gamma = min(1.0, gap / curv) if curv > 0.0 else 1.0
            if gamma < 0.0:
                gamma = 0.0
        elif rule == MONOTONE:
            gamma = 2.0 / (t + 2.0)
            for i in range(d):
                cand[i] = x[i] + gamma * (v[i] - x[i])
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
                    cand[i] = x[i] + trial * (v[i] - x[i])
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
                    cand[i] = x[i] + trial * (v[i] - x[i])
                f_new = value(A, b, p, cand)
                if np.isfinite(f_new) and f_new <= f_cur:
                    f_cur = f_new
                    gamma = trial
                    break
                halvings += 1
        if gamma > 0.0:
            moved += 1.0
            for i in range(d):
                x[i] = x[i] + gamma * (v[i] - x[i])
        # fw_vertex at x_{t+1}, written out: a helper call taking the oracle tuple costs
        # about 10 % per iteration at d = 30
        grad(A, b, p, x, g)
        lmo(A, b, p, g, v)
        gap = 0.0
        for i in range(d):
            gap += g[i] * (x[i] - v[i])
        if t + 1 <= 1 or gap < min_gap:  # min over 1..t (g_0 alone at t = 0)
            min_gap = gap
    s[0] = gap
    s[1] = min_gap
    s[2] = moved
    s[3] = f_cur
    s[4] = halvings
    return STATUS_OK


@lazy_jit("init")
def frank_wolfe_init(oracles, A, b, p, hyper, seed, X, s):
    """∇f(x_0), s_0 and g_0 (``fw_gap`` = ``min_fw_gap`` = g_0, ``moved`` = 0); f(x_0) − f*
    for the monotone rules (the loop set x = x_0)."""
    rule = int(hyper[0])
    x = X[0]
    if rule == MONOTONE or rule == MONOTONE_HALVING or rule == MONOTONE_STATELESS:
        s[3] = oracles[VALUE](A, b, p, x)
    gap = fw_vertex(oracles, A, b, p, x, X[1], X[2])
    s[0] = gap
    s[1] = gap
    s[2] = 0.0
    s[4] = 0.0


FRANK_WOLFE = Kernel(frank_wolfe, hyper=("rule", "lipschitz"),
                     vectors=("grad", "vertex", "candidate", "grad_vertex"),
                     scalars=("fw_gap", "min_fw_gap", "moved"), state=("f_current", "halvings"),
                     needs=("grad", "lmo"), init=frank_wolfe_init)
#: The same kernel for the monotone rules, which also call the ``value`` oracle.
FRANK_WOLFE_MONOTONE = replace(FRANK_WOLFE, needs=("grad", "lmo", "value"))

ALGORITHMS = (
    Algorithm("frank-wolfe", FRANK_WOLFE, (), fixed={"rule": OPEN_LOOP, "lipschitz": 0.0},
              summary="Frank-Wolfe, open-loop step 2/(t+2)"),
    Algorithm("frank-wolfe-short-step", FRANK_WOLFE, (("lipschitz", "L"),),
              fixed={"rule": SHORT_STEP},
              summary="Frank-Wolfe, short step min(1, g_t/(L ||s - x||^2))"),
    Algorithm("frank-wolfe-monotone", FRANK_WOLFE_MONOTONE, (),
              fixed={"rule": MONOTONE, "lipschitz": 0.0},
              summary="monotone Frank-Wolfe: step 2/(t+2) rejected unless f does not increase"),
    Algorithm("frank-wolfe-monotone-halving", FRANK_WOLFE_MONOTONE, (),
              fixed={"rule": MONOTONE_HALVING, "lipschitz": 0.0},
              summary="Frank-Wolfe, step 2^(1-N)/(t+2) with N raised until f does not increase"),
    Algorithm("frank-wolfe-line-search-quadratic", FRANK_WOLFE, (),
              fixed={"rule": LINE_SEARCH_QUADRATIC, "lipschitz": 0.0},
              summary="Frank-Wolfe, exact line search (exact for quadratic f only)"),
    Algorithm("frank-wolfe-monotone-stateless", FRANK_WOLFE_MONOTONE, (),
              fixed={"rule": MONOTONE_STATELESS, "lipschitz": 0.0},
              summary="Frank-Wolfe, step 2^(1-k)/(t+2) with the smallest k >= 0 that does not "
                      "increase f"),
)
