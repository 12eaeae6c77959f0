"""Subgradient methods and entropic mirror descent for nonsmooth convex minimisation.

Each method is an ``advance`` function of the kernel contract (:mod:`convlab.runtime.kernel`)
with an ``observe`` that forms its averages at a checkpoint. Both call the ``value`` oracle at
every iterate, because the quantities their theorems bound are running averages or minima of
f(x_t) − f* over all iterates (one run, never restarts per budget); these are recorded as
scalars after the loop's :data:`~convlab.runtime.kernel.TRACK_COLUMNS`:

- ``avg_f_gap`` at checkpoint k: (1/k) Σ_{i<k} (f(x_i) − f*), the average over the k iterates
  at which a subgradient was taken before x_k (f(x_0) − f* at k = 0);
- ``best_f_gap_prior`` at checkpoint k: min_{i<k} f(x_i) − f* (f(x_0) − f* at k = 0). The track
  column ``best_f_gap`` is min_{i<=k}, which includes x_k.

Indexing: iterations are 0-indexed (x_0 is the start). A 1-indexed theorem (Bubeck 2015: x_1 is
the start, t subgradients taken at x_1..x_t) at "time t" corresponds to checkpoint k = t here, and
its averages over x_1..x_t are the averages over x_0..x_{t−1} recorded at k = t.
"""

from __future__ import annotations

import numpy as np

from ..runtime.jit import GRAD, PROX, STATUS_OK, VALUE, lazy_jit
from ..runtime.kernel import Kernel
from .registry import Algorithm

#: Step rules of :func:`subgradient` (the ``rule`` slot).
CONSTANT, DIMINISHING, POLYAK, STRONGLY_CONVEX = range(4)


@lazy_jit("advance")
def subgradient(oracles, A, b, p, hyper, seed, checkpoints, k0, k1, X, s):
    """(Projected) subgradient method with four step rules and the averages their theorems use.

    Update, for k = 0, 1, ...: g_k ∈ ∂f(x_k) (``grad`` oracle),

        x_{k+1} = Π_X(x_k − γ_k g_k)      (Π_X = ``prox`` with step γ_k; identity if unconstrained)

    with the step rule ``rule`` and its parameter a (the slot named below):

    - 0, constant: γ_k = a = ``step``. The fixed-horizon choice a = D/(G sqrt(T)) gives
      min_{k<T} f(x_k) − f* <= DG/sqrt(T) and f(x̄_T) − f* <= DG/sqrt(T), x̄_T = (1/T) Σ_{k<T} x_k
      (Bubeck 2015, Thm 3.2; Garrigos & Gower 2023, subgradient theorem);
    - 1, diminishing: γ_k = a/sqrt(k + 1), a = ``step``;
    - 2, Polyak: γ_k = a (f(x_k) − f*)/||g_k||², a = ``scale`` (a = 1 is Polyak's step; γ_k = 0
      when g_k = 0 or f(x_k) = f*, i.e. x_k optimal): ||x_{k+1} − x*||² <= ||x_k − x*||² −
      (f(x_k) − f*)²/||g_k||² for a = 1 (Polyak 1987, §5.3);
    - 3, strongly convex: γ_k = 2/(a (k + 2)) with a = ``mu`` = μ, i.e. Bubeck's
      η_s = 2/(μ(s + 1)) for the 1-indexed s = k + 1; then f(x̂_t) − f* <= 2G²/(μ(t + 1)) for
      the weighted average x̂_t = Σ_{s=1}^{t} 2s x_s/(t(t + 1)) (Bubeck 2015, Thm 3.9;
      Lacoste-Julien, Schmidt & Bach 2012), which is ``lin_avg`` at checkpoint k = t.

    A rule reads only its own parameter slot (the others are fixed to 0 by its registry row).

    Records four points: ``last`` (x_k); ``avg`` = (1/k) Σ_{i<k} x_i; ``wavg`` =
    Σ_{i<k} γ_i x_i / Σ_{i<k} γ_i (step-weighted);
    ``lin_avg`` = Σ_{i<k} (i + 1) x_i / Σ_{i<k} (i + 1)
    (all three are x_0 at k = 0, and x_0 for ``wavg`` while no positive step was taken).
    Scalars: ``avg_f_gap`` and ``best_f_gap_prior`` (module docstring); the value oracle is
    called at every iterate, right after the step that produced it (:func:`subgradient_init`
    for x_0), and its value kept in the state until the next step uses it. The record is formed
    by :func:`subgradient_observe` from the state: x_0, the sums Σ x_i, Σ γ_i x_i,
    Σ (i + 1) x_i, the subgradient, the step point before the projection; the scalars
    f(x_k) − f*, Σ_{i<k} (f(x_i) − f*), min_{i<k} (f(x_i) − f*), Σ γ_i, Σ (i + 1).

    References: Shor (1985), *Minimization Methods for Non-Differentiable Functions*; Polyak
    (1987), *Introduction to Optimization*, §5.3; Bubeck (2015), *Convex Optimization:
    Algorithms and Complexity*, Found. Trends Mach. Learn. 8(3-4), Thms 3.2 and 3.9;
    Lacoste-Julien, Schmidt & Bach (2012), arXiv:1212.2002.
    """
    grad = oracles[GRAD]
    value = oracles[VALUE]
    prox = oracles[PROX]
    rule = int(hyper[0])
    if rule == POLYAK:
        a = hyper[2]
    elif rule == STRONGLY_CONVEX:
        a = hyper[3]
    else:
        a = hyper[1]
    x = X[0]
    sum_x = X[5]
    wsum_x = X[6]
    lsum_x = X[7]
    g = X[8]
    y = X[9]
    v = s[2]
    sum_v = s[3]
    best_prior = s[4]
    wsum = s[5]
    lsum = s[6]
    d = x.shape[0]
    for k in range(k0, k1):
        grad(A, b, p, x, g)
        if rule == CONSTANT:
            step = a
        elif rule == DIMINISHING:
            step = a / np.sqrt(k + 1.0)
        elif rule == POLYAK:
            g2 = 0.0
            for i in range(d):
                g2 += g[i] * g[i]
            step = a * v / g2 if (g2 > 0 and v > 0) else 0.0
        else:
            step = 2.0 / (a * (k + 2.0))
        for i in range(d):
            sum_x[i] += x[i]
            wsum_x[i] += step * x[i]
            lsum_x[i] += (k + 1.0) * x[i]
        wsum += step
        lsum += k + 1.0
        sum_v += v
        if v < best_prior:
            best_prior = v
        for i in range(d):
            y[i] = x[i] - step * g[i]
        prox(A, b, p, y, step, x)
        v = value(A, b, p, x)
    s[2] = v
    s[3] = sum_v
    s[4] = best_prior
    s[5] = wsum
    s[6] = lsum
    return STATUS_OK


@lazy_jit("init")
def subgradient_init(oracles, A, b, p, hyper, seed, X, s):
    """f(x_0) − f*, empty sums (0; the row ``x0`` keeps the start) and min_{i<0} f(x_i) − f* =
    +inf."""
    for r in range(5, 8):
        for i in range(X.shape[1]):
            X[r, i] = 0.0
    s[2] = oracles[VALUE](A, b, p, X[0])
    s[4] = np.inf


@lazy_jit("observe")
def subgradient_observe(oracles, A, b, p, hyper, seed, k, X, s, P, S):
    """The points and scalars of :func:`subgradient` at checkpoint k: the sums divided by
    their weights (x_0 and f(x_0) − f* at k = 0)."""
    x = X[0]
    x0 = X[4]
    sum_x = X[5]
    wsum_x = X[6]
    lsum_x = X[7]
    wsum = s[5]
    lsum = s[6]
    for i in range(x.shape[0]):
        P[0, i] = x[i]
    if k == 0:
        for i in range(x.shape[0]):
            P[1, i] = x[i]
            P[2, i] = x[i]
            P[3, i] = x[i]
        S[0] = s[2]
        S[1] = s[2]
    else:
        for i in range(x.shape[0]):
            P[1, i] = sum_x[i] / k
            P[2, i] = wsum_x[i] / wsum if wsum > 0 else x0[i]
            P[3, i] = lsum_x[i] / lsum
        S[0] = s[3] / k
        S[1] = s[4]
    return STATUS_OK


@lazy_jit("advance")
def mirror_descent_entropic(oracles, A, b, p, hyper, seed, checkpoints, k0, k1, X, s):
    """Mirror descent on the probability simplex with the negative-entropy mirror map
    (exponentiated subgradient), computed in the log domain.

    Update, for k = 0, 1, ..., with g_k ∈ ∂f(x_k) and w_0 = ln x_0:

        w_{k+1} = w_k − η g_k,
        x_{k+1,i} = exp(w_{k+1,i} − max w_{k+1}) / Σ_l exp(w_{k+1,l} − max w_{k+1})

    i.e. x_{k+1,i} ∝ x_{k,i} exp(−η g_{k,i}); the shift by the maximum keeps the exponentials in
    range (w is re-centred at every step). x_0 must lie in the simplex (zero coordinates stay 0).

    Parameters: ``step`` η. With η = sqrt(2 ln n)/(L_inf sqrt(t)), ||g||_∞ <= L_inf and
    x_0 uniform, (1/t) Σ_{s<t} f(x_s) − f* <= L_inf sqrt(2 ln n / t) and the same for
    f(x̄_t), x̄_t = (1/t) Σ_{s<t} x_s (Bubeck 2015, Thm 4.2 with R² = ln n, ρ = 1, 1-indexed
    x_1..x_t = x_0..x_{t−1} here).

    Records ``last`` (x_k) and ``avg`` = (1/k) Σ_{i<k} x_i (x_0 at k = 0). Scalars:
    ``avg_f_gap`` and ``best_f_gap_prior`` (module docstring), formed by
    :func:`mirror_descent_observe`; the value oracle is called at every iterate, right after the
    step that produced it (:func:`mirror_descent_init` for x_0). State: w_k, the sum Σ x_i, the
    subgradient; the scalars f(x_k) − f*, Σ_{i<k} (f(x_i) − f*) and min_{i<k} (f(x_i) − f*).

    References: Nemirovski & Yudin (1983), *Problem Complexity and Method Efficiency in
    Optimization*; Beck & Teboulle (2003), Oper. Res. Lett. 31(3); Bubeck (2015), Thm 4.2.
    """
    grad = oracles[GRAD]
    value = oracles[VALUE]
    eta = hyper[0]
    x = X[0]
    w = X[2]
    sum_x = X[3]
    g = X[4]
    v = s[2]
    sum_v = s[3]
    best_prior = s[4]
    d = x.shape[0]
    for k in range(k0, k1):
        grad(A, b, p, x, g)
        for i in range(d):
            sum_x[i] += x[i]
        sum_v += v
        if v < best_prior:
            best_prior = v
        wmax = -np.inf
        for i in range(d):
            w[i] -= eta * g[i]
            if w[i] > wmax:
                wmax = w[i]
        total = 0.0
        for i in range(d):
            w[i] -= wmax
            x[i] = np.exp(w[i])
            total += x[i]
        for i in range(d):
            x[i] /= total
        v = value(A, b, p, x)
    s[2] = v
    s[3] = sum_v
    s[4] = best_prior
    return STATUS_OK


@lazy_jit("init")
def mirror_descent_init(oracles, A, b, p, hyper, seed, X, s):
    """w_0 = ln x_0, f(x_0) − f*, an empty sum (0) and min_{i<0} f(x_i) − f* = +inf."""
    w0 = np.log(X[0])
    for i in range(X.shape[1]):
        X[2, i] = w0[i]
        X[3, i] = 0.0
    s[2] = oracles[VALUE](A, b, p, X[0])
    s[4] = np.inf


@lazy_jit("observe")
def mirror_descent_observe(oracles, A, b, p, hyper, seed, k, X, s, P, S):
    """The points and scalars of :func:`mirror_descent_entropic` at checkpoint k (x_0 and
    f(x_0) − f* at k = 0)."""
    x = X[0]
    sum_x = X[3]
    for i in range(x.shape[0]):
        P[0, i] = x[i]
        P[1, i] = x[i] if k == 0 else sum_x[i] / k
    if k == 0:
        S[0] = s[2]
        S[1] = s[2]
    else:
        S[0] = s[3] / k
        S[1] = s[4]
    return STATUS_OK


SUBGRADIENT = Kernel(subgradient, hyper=("rule", "step", "scale", "mu"),
                     points=("last", "avg", "wavg", "lin_avg"),
                     vectors=("x0", "sum_x", "wsum_x", "lsum_x", "grad", "step_point"),
                     scalars=("avg_f_gap", "best_f_gap_prior"),
                     state=("f_gap", "sum_f_gap", "min_f_gap", "wsum", "lsum"),
                     needs=("grad", "value", "prox"), init=subgradient_init,
                     observe=subgradient_observe)
MIRROR_DESCENT_ENTROPIC = Kernel(mirror_descent_entropic, hyper=("step",), points=("last", "avg"),
                                 vectors=("w", "sum_x", "grad"),
                                 scalars=("avg_f_gap", "best_f_gap_prior"),
                                 state=("f_gap", "sum_f_gap", "min_f_gap"),
                                 needs=("grad", "value"),
                                 init=mirror_descent_init, observe=mirror_descent_observe)

# A rule's row fixes its code and 0 in the parameter slots the rule does not read.
ALGORITHMS = (
    Algorithm("subgradient", SUBGRADIENT, (("step", None),),
              fixed={"rule": CONSTANT, "scale": 0.0, "mu": 0.0},
              summary="(projected) subgradient method, constant step"),
    Algorithm("subgradient-fixed-horizon", SUBGRADIENT, (("step", "R/(G*sqrt(N))"),),
              fixed={"rule": CONSTANT, "scale": 0.0, "mu": 0.0},
              summary="subgradient method, fixed-horizon step D/(G sqrt(N)) with D = R"),
    Algorithm("subgradient-diminishing", SUBGRADIENT, (("step", None),),
              fixed={"rule": DIMINISHING, "scale": 0.0, "mu": 0.0},
              summary="subgradient method, step/sqrt(k+1)"),
    Algorithm("subgradient-polyak", SUBGRADIENT, (("scale", "1"),),
              fixed={"rule": POLYAK, "step": 0.0, "mu": 0.0},
              summary="subgradient method, Polyak step (f - f*)/||g||^2"),
    Algorithm("subgradient-sc", SUBGRADIENT, (("mu", "mu"),),
              fixed={"rule": STRONGLY_CONVEX, "step": 0.0, "scale": 0.0},
              summary="projected subgradient, strongly convex steps 2/(mu(k+2)), "
                      "(k+1)-weighted average"),
    Algorithm("mirror-descent-entropic", MIRROR_DESCENT_ENTROPIC,
              (("step", "sqrt(2*log(d))/(L_inf*sqrt(N))"),),
              summary="entropic mirror descent (exponentiated subgradient) on the simplex"),
)
