"""Adaptive step-size methods: AdaGrad (diagonal and norm), RMSProp, Adam, AMSGrad, ADOPT.

Each method is an ``advance`` function of the kernel contract (:mod:`convlab.runtime.kernel`)
that calls the ``sgrad`` oracle with the sample ``s = sample_id(seed, t)`` of its iteration t
(ADOPT: of t + 1, after its initial sample 0) and projects onto the feasible set through the
``prox`` oracle after each step (the identity on unconstrained problems). For the
per-coordinate methods (AdaGrad-diagonal, RMSProp, Adam, AMSGrad, ADOPT) Reddi et al. (2018)
project in the norm weighted by the preconditioner; on a box or an interval that weighted
projection is the coordinate-wise clip, which is the Euclidean projection the ``prox`` oracle
computes, so the two coincide on every feasible set this catalog uses (intervals, boxes,
unconstrained). On a ball they would differ; no claim here needs that case.

Iterations are 0-based: iteration t (the papers' t + 1) maps x_t to x_{t+1}. A decaying step is
α_t = step / (t + 1)^decay (decay = 1/2 is the papers' α/sqrt(t)). The gradient g_t of the
iterate x_t is drawn as soon as x_t is known (by ``init`` for t = 0, at the end of iteration
t − 1 otherwise), so that the record of checkpoint k includes round k.

Recorded points (rows 0-2 of ``X``): ``last`` = x_k; ``avg`` = (1/k) Σ_{t<k} x_t (x_0 at
k = 0); ``tail`` = the mean of x_t over t = ⌊0.9 k⌋..k (the "last 10 %" average at each
checkpoint k, exactly). The kernels keep the running sum Σ_{t<k} x_t and save it at the start
⌊0.9 c⌋ of the tail of every checkpoint c (one row per checkpoint after the working vectors);
the ``observe`` functions form the averages.

Scalars: the loop's :data:`~convlab.runtime.kernel.TRACK_COLUMNS` (with ``track``), then the
online bookkeeping (hyper slot ``online`` = 1; NaN otherwise). In online mode the loss of
round t is ℓ_t(x) = ⟨g_t, x⟩ with g_t the gradient the update of iteration t uses (linear
losses, as in every online family of :mod:`convlab.problems.adaptive`; for convex losses this
is the linearised regret, an upper bound on the true regret). At checkpoint k, after round k
is played at x_k (T = k + 1 rounds):

- ``regret`` = Σ_{t<=k} ⟨g_t, x_t⟩ − min_{u∈X} ⟨Σ_{t<=k} g_t, u⟩, the minimiser being the
  ``lmo`` oracle (closed form on balls and intervals): the exact regret against the best fixed
  point in hindsight;
- ``avg_regret`` = regret / (k + 1);
- ``regret_normalized`` = regret / sqrt(Σ_{t<=k} ||g_t||²) (the adaptive bound's scale);
- ``sum_grad_sq`` = Σ_{t<=k} ||g_t||².
"""

from __future__ import annotations

import numpy as np

from ..runtime.jit import LMO, PROX, SGRAD, STATUS_OK, lazy_jit, njit_helper
from ..runtime.kernel import Kernel
from ..runtime.random import sample_id
from .registry import Algorithm

#: Points and scalar columns of every kernel of this module.
POINTS = ("last", "avg", "tail")
ONLINE_SCALARS = ("regret", "avg_regret", "regret_normalized", "sum_grad_sq")

#: Rows of ``X`` every kernel of this module shares (after the points): the gradient g_t of the
#: current iterate, the point before projection, the running sum Σ_{t<k} x_t, the running sum
#: Σ_{t<=k} g_t of the online mode and the lmo's answer.
_GRAD, _Y, _SUM, _GSUM, _LMO = range(3, 8)
SHARED_VECTORS = ("grad", "y", "sum", "grad_sum", "lmo")

#: State scalars every kernel shares (after the four recorded ones): the cumulative loss
#: Σ_{t<=k} ⟨g_t, x_t⟩, Σ_{t<=k} ||g_t||², the next checkpoint whose tail start is to be saved,
#: and the number of checkpoints recorded.
_CUM, _SQ, _NEXT_TAIL, _N_OBSERVED = range(4, 8)
SHARED_STATE = ("cum_loss", "sum_sq", "next_tail", "n_observed")


def _saved_rows(hyper, d, m):
    """One saved running sum per checkpoint."""
    return m


@njit_helper
def tail_start(checkpoints, q):
    """⌊0.9 c_q⌋, the first iteration of the tail average of checkpoint q (−1 past the last)."""
    return (9 * checkpoints[q]) // 10 if q < checkpoints.shape[0] else -1


@njit_helper
def save_tail_sums(X, first, checkpoints, q, t):
    """Save the running sum Σ_{s<t} x_s (row ``_SUM``) into row ``first + q`` for every
    checkpoint q whose tail starts at t (⌊0.9 c_q⌋ = t); returns the next such q."""
    m = checkpoints.shape[0]
    while q < m and (9 * checkpoints[q]) // 10 == t:
        for i in range(X.shape[1]):
            X[first + q, i] = X[_SUM, i]
        q += 1
    return q


@njit_helper
def fold_online(X, cum, sq):
    """Add round (x_t, g_t) (rows 0 and ``_GRAD``): returns the new cumulative loss and
    Σ||g||² (the running gradient sum, row ``_GSUM``, is updated in place)."""
    for i in range(X.shape[1]):
        g = X[_GRAD, i]
        cum += g * X[0, i]
        X[_GSUM, i] += g
        sq += g * g
    return cum, sq


@njit_helper
def start_rounds(oracles, A, b, p, hyper, seed, X, s, t):
    """Zero the running sums, draw the gradient of x_0 with the sample of iteration t and play
    round 0 (online mode)."""
    d = X.shape[1]
    for i in range(d):
        X[_SUM, i] = 0.0
        X[_GSUM, i] = 0.0
    oracles[SGRAD](A, b, p, X[0], t, sample_id(seed, t), X[_GRAD])
    if hyper[0] != 0.0:
        s[_CUM], s[_SQ] = fold_online(X, s[_CUM], s[_SQ])


@njit_helper
def observe_rounds(oracles, A, b, p, hyper, k, X, s, P, S, first):
    """The record of checkpoint k (module docstring): points from the running sum and the sum
    saved at the tail start (rows from ``first`` on), and the online scalars."""
    j = int(s[_N_OBSERVED])
    s[_N_OBSERVED] = j + 1
    d = X.shape[1]
    start = (9 * k) // 10
    cnt = k + 1 - start
    saved = _SUM if start == k else first + j  # start == k only at k = 0, where the sum is 0
    for i in range(d):
        X[1, i] = X[0, i] if k == 0 else X[_SUM, i] / k
        X[2, i] = (X[_SUM, i] + X[0, i] - X[saved, i]) / cnt
    for r in range(3):
        for i in range(d):
            P[r, i] = X[r, i]
    if hyper[0] != 0.0:
        gsum = X[_GSUM]
        u = X[_LMO]
        oracles[LMO](A, b, p, gsum, u)
        best = 0.0
        for i in range(d):
            best += gsum[i] * u[i]
        reg = s[_CUM] - best
        sq = s[_SQ]
        s[0] = reg
        s[1] = reg / (k + 1)
        s[2] = reg / np.sqrt(sq) if sq > 0 else 0.0
        s[3] = sq
        for c in range(4):
            S[c] = s[c]
    return STATUS_OK


# -- AdaGrad --------------------------------------------------------------------------------

#: AdaGrad's own row (the diagonal accumulator G) and state (the norm accumulator).
_ADAGRAD_G = 8
_ADAGRAD_SAVED = 9
_ADAGRAD_GN = 8


@lazy_jit("advance")
def adagrad(oracles, A, b, p, hyper, seed, checkpoints, k0, k1, X, s):
    """AdaGrad: diagonal or norm ("AdaGrad-Norm") step sizes, projected.

    Update, with G the accumulated squared gradients (G_{−1} = 0):

    - norm (``norm`` = 1): G_t = G_{t−1} + ||g_t||²,
      x_{t+1} = Π_X(x_t − η g_t / sqrt(b0² + G_t));
    - diagonal (``norm`` = 0): G_{t,i} = G_{t−1,i} + g_{t,i}²,
      x_{t+1,i} = Π_X(x_t − η g_t / sqrt(b0² + G_t))_i (coordinate-wise);

    no move where the denominator is 0 (all gradients so far zero). With b0 = 0 and
    η = D/sqrt(2) the norm version is adaptive online gradient descent,
    η_t = D / sqrt(2 Σ_{s<=t} ||g_s||²), whose regret is at most sqrt(2) D sqrt(Σ ||g_t||²).

    Parameters: ``online`` (1: keep the regret scalars) and ``norm`` (1: AdaGrad-Norm, 0:
    diagonal), fixed per variant by the registry; ``step`` η; ``b0``.

    Records ``last``, ``avg``, ``tail`` and the scalars of the module docstring. State: g_t,
    the diagonal accumulator G (a row) or the norm accumulator (a scalar), the running sums.

    References: Duchi, Hazan & Singer (2011), JMLR 12 (diagonal AdaGrad); McMahan & Streeter
    (2010), COLT, and Streeter & McMahan (2010), arXiv:1002.4862 (norm version); Orabona (2019),
    *A Modern Introduction to Online Learning*, §4.2 (adaptive OGD regret bound); Ward, Wu &
    Bottou (2019), ICML, and Attia & Koren (2023), ICML (AdaGrad-Norm for stochastic
    optimisation, "SGD with AdaGrad stepsizes").
    """
    sgrad = oracles[SGRAD]
    prox = oracles[PROX]
    online = hyper[0] != 0.0
    norm = hyper[1] != 0.0
    eta = hyper[2]
    b0sq = hyper[3] * hyper[3]
    x = X[0]
    g = X[_GRAD]
    y = X[_Y]
    d = x.shape[0]
    Gn = s[_ADAGRAD_GN]
    cum = s[_CUM]
    sq = s[_SQ]
    q = int(s[_NEXT_TAIL])
    start = tail_start(checkpoints, q)
    for t in range(k0, k1):
        if t == start:
            q = save_tail_sums(X, np.int64(_ADAGRAD_SAVED), checkpoints, q, t)
            start = tail_start(checkpoints, q)
        for i in range(d):
            X[_SUM, i] += x[i]
        if norm:
            g2 = 0.0
            for i in range(d):
                g2 += g[i] * g[i]
            Gn += g2
            den = np.sqrt(b0sq + Gn)
            step = eta / den if den > 0 else 0.0
            for i in range(d):
                y[i] = x[i] - step * g[i]
        else:
            step = eta
            for i in range(d):
                X[_ADAGRAD_G, i] += g[i] * g[i]
                den = np.sqrt(b0sq + X[_ADAGRAD_G, i])
                y[i] = x[i] - (eta * g[i] / den if den > 0 else 0.0)
        prox(A, b, p, y, step, x)
        sgrad(A, b, p, x, t + 1, sample_id(seed, t + 1), g)
        if online:
            cum, sq = fold_online(X, cum, sq)
    s[_ADAGRAD_GN] = Gn
    s[_CUM] = cum
    s[_SQ] = sq
    s[_NEXT_TAIL] = q
    return STATUS_OK


@lazy_jit("init")
def adagrad_init(oracles, A, b, p, hyper, seed, X, s):
    """G = 0, running sums 0; g_0 and round 0."""
    for i in range(X.shape[1]):
        X[_ADAGRAD_G, i] = 0.0
    start_rounds(oracles, A, b, p, hyper, seed, X, s, np.int64(0))


@lazy_jit("observe")
def adagrad_observe(oracles, A, b, p, hyper, seed, k, X, s, P, S):
    """Averages and online scalars of checkpoint k (module docstring)."""
    return observe_rounds(oracles, A, b, p, hyper, k, X, s, P, S, np.int64(_ADAGRAD_SAVED))


# -- Adam, AMSGrad, RMSProp -----------------------------------------------------------------

#: Adam's own rows (moments m, v, v̂) and state (β1^{t+1}, β2^{t+1}).
_ADAM_M, _ADAM_V, _ADAM_VHAT = 8, 9, 10
_ADAM_SAVED = 11
_ADAM_B1P, _ADAM_B2P = 8, 9


@lazy_jit("advance")
def adam(oracles, A, b, p, hyper, seed, checkpoints, k0, k1, X, s):
    """Adam and its relatives: RMSProp, Adam without bias correction (Reddi form), AMSGrad.

    Update for t = 0, 1, ... (the papers' t + 1), m_{−1} = v_{−1} = v̂_{−1} = 0:

        m_t = β1 m_{t−1} + (1 − β1) g_t,
        v_t = β2 v_{t−1} + (1 − β2) g_t²,
        v̂_t = max(v̂_{t−1}, v_t) with ``amsgrad``, else v̂_t = v_t,
        with ``bias``: m̃ = m_t/(1 − β1^{t+1}), ṽ = v̂_t/(1 − β2^{t+1}); else m̃ = m_t, ṽ = v̂_t,
        x_{t+1} = Π_X(x_t − α_t m̃/(sqrt(ṽ) + ε)),   α_t = α/(t + 1)^decay,

    coordinate-wise; a coordinate with sqrt(ṽ) + ε = 0 does not move (ε = 0 and all gradients
    zero so far). Variants (``fixed`` in the registry):

    - Kingma & Ba (2015) Adam: bias = 1, amsgrad = 0, ε = 1e-8;
    - Reddi, Kale & Kumar (2018) Adam (their eq. with α_t = α/sqrt(t), no bias correction,
      ε = 0): bias = 0, amsgrad = 0, decay = 1/2;
    - AMSGrad (Reddi et al. 2018, Algorithm 2 with β1 constant): bias = 0, amsgrad = 1;
    - RMSProp (Tieleman & Hinton 2012): β1 = 0, bias = 0, amsgrad = 0, so
      x_{t+1} = x_t − α_t g_t/(sqrt(v_t) + ε).

    Parameters: ``online`` (1: keep the regret scalars), ``bias`` (1: bias correction) and
    ``amsgrad`` (1: the running maximum v̂), fixed per variant; ``beta1`` β1 (fixed to 0 for
    RMSProp), ``step`` α, ``beta2`` β2, ``eps`` ε, ``decay``.

    Records ``last``, ``avg``, ``tail`` and the scalars of the module docstring. State: g_t,
    the moments m, v, v̂ (rows), β1^t and β2^t, the running sums.

    References: Kingma & Ba (2015), ICLR, Algorithm 1; Reddi, Kale & Kumar (2018), ICLR, "On the
    convergence of Adam and beyond", Thm 1 and 3 (counterexamples), Algorithm 2 and Thm 4
    (AMSGrad); Tieleman & Hinton (2012), Lecture 6.5 of "Neural networks for machine
    learning" (RMSProp); "Convergence guarantees for RMSProp and Adam in generalized-smooth
    non-convex optimization with affine noise variance" (2024) for the (L0, L1) analysis.
    """
    sgrad = oracles[SGRAD]
    prox = oracles[PROX]
    online = hyper[0] != 0.0
    bias = hyper[1] != 0.0
    ams = hyper[2] != 0.0
    beta1 = hyper[3]
    alpha = hyper[4]
    beta2 = hyper[5]
    eps = hyper[6]
    decay = hyper[7]
    x = X[0]
    g = X[_GRAD]
    y = X[_Y]
    d = x.shape[0]
    b1p = s[_ADAM_B1P]
    b2p = s[_ADAM_B2P]
    cum = s[_CUM]
    sq = s[_SQ]
    q = int(s[_NEXT_TAIL])
    start = tail_start(checkpoints, q)
    for t in range(k0, k1):
        if t == start:
            q = save_tail_sums(X, np.int64(_ADAM_SAVED), checkpoints, q, t)
            start = tail_start(checkpoints, q)
        for i in range(d):
            X[_SUM, i] += x[i]
        b1p *= beta1
        b2p *= beta2
        step = alpha / (t + 1.0) ** decay
        for i in range(d):
            mi = beta1 * X[_ADAM_M, i] + (1.0 - beta1) * g[i]
            vi = beta2 * X[_ADAM_V, i] + (1.0 - beta2) * g[i] * g[i]
            X[_ADAM_M, i] = mi
            X[_ADAM_V, i] = vi
            if ams:
                if vi > X[_ADAM_VHAT, i]:
                    X[_ADAM_VHAT, i] = vi
            else:
                X[_ADAM_VHAT, i] = vi
            if bias:
                mt = mi / (1.0 - b1p)
                vt = X[_ADAM_VHAT, i] / (1.0 - b2p)
            else:
                mt = mi
                vt = X[_ADAM_VHAT, i]
            den = np.sqrt(vt) + eps
            y[i] = x[i] - (step * mt / den if den > 0 else 0.0)
        prox(A, b, p, y, step, x)
        sgrad(A, b, p, x, t + 1, sample_id(seed, t + 1), g)
        if online:
            cum, sq = fold_online(X, cum, sq)
    s[_ADAM_B1P] = b1p
    s[_ADAM_B2P] = b2p
    s[_CUM] = cum
    s[_SQ] = sq
    s[_NEXT_TAIL] = q
    return STATUS_OK


@lazy_jit("init")
def adam_init(oracles, A, b, p, hyper, seed, X, s):
    """m = v = v̂ = 0, β1^0 = β2^0 = 1, running sums 0; g_0 and round 0."""
    for i in range(X.shape[1]):
        X[_ADAM_M, i] = 0.0
        X[_ADAM_V, i] = 0.0
        X[_ADAM_VHAT, i] = 0.0
    s[_ADAM_B1P] = 1.0
    s[_ADAM_B2P] = 1.0
    start_rounds(oracles, A, b, p, hyper, seed, X, s, np.int64(0))


@lazy_jit("observe")
def adam_observe(oracles, A, b, p, hyper, seed, k, X, s, P, S):
    """Averages and online scalars of checkpoint k (module docstring)."""
    return observe_rounds(oracles, A, b, p, hyper, k, X, s, P, S, np.int64(_ADAM_SAVED))


# -- ADOPT ----------------------------------------------------------------------------------

#: ADOPT's own rows (moments m and v).
_ADOPT_M, _ADOPT_V = 8, 9
_ADOPT_SAVED = 10


@lazy_jit("advance")
def adopt(oracles, A, b, p, hyper, seed, checkpoints, k0, k1, X, s):
    """ADOPT (Taniguchi et al. 2024): normalise by the previous second moment, then momentum.

    Initialisation: v_0 = g_0² from an extra sample at x_0 (``sgrad(x_0, 0, sample_id(seed,
    0))``); m = 0; the parameters do not move at this step. Then for t = 0, 1, ... (the paper's
    t + 1), with g_{t+1} = ``sgrad(x_t, t+1, sample_id(seed, t+1))``:

        m_{t+1} = β1 m_t + (1 − β1) g_{t+1} / max(sqrt(v_t), ε),
        x_{t+1} = Π_X(x_t − α_t m_{t+1}),   α_t = α/(t + 1)^decay,
        v_{t+1} = β2 v_t + (1 − β2) g_{t+1}²       (coordinate-wise).

    Parameters: ``online`` (1: keep the regret scalars; fixed to 0 by the registry), ``step``
    α, ``beta1`` β1, ``beta2`` β2, ``eps`` ε, ``decay``.

    Records ``last``, ``avg``, ``tail`` and the scalars of the module docstring (the loss of
    iteration t's round is the one of g_{t+1}). State: g_{t+1}, the moments m and v (rows),
    the running sums.

    Reference: Taniguchi, Harada, Minegishi, Oshima, Jeong, Nagahara, Iiyama, Suzuki, Iwasawa &
    Matsuo (2024), "ADOPT: Modified Adam can converge with any β2 with the optimal rate",
    NeurIPS 2024, Algorithm 1 (the later clipped variant is not implemented).
    """
    sgrad = oracles[SGRAD]
    prox = oracles[PROX]
    online = hyper[0] != 0.0
    alpha = hyper[1]
    beta1 = hyper[2]
    beta2 = hyper[3]
    eps = hyper[4]
    decay = hyper[5]
    x = X[0]
    g = X[_GRAD]
    y = X[_Y]
    d = x.shape[0]
    cum = s[_CUM]
    sq = s[_SQ]
    q = int(s[_NEXT_TAIL])
    start = tail_start(checkpoints, q)
    for t in range(k0, k1):
        if t == start:
            q = save_tail_sums(X, np.int64(_ADOPT_SAVED), checkpoints, q, t)
            start = tail_start(checkpoints, q)
        for i in range(d):
            X[_SUM, i] += x[i]
        step = alpha / (t + 1.0) ** decay
        for i in range(d):
            den = np.sqrt(X[_ADOPT_V, i])
            if den < eps:
                den = eps
            mi = beta1 * X[_ADOPT_M, i] + (1.0 - beta1) * g[i] / den
            X[_ADOPT_M, i] = mi
            y[i] = x[i] - step * mi
            X[_ADOPT_V, i] = beta2 * X[_ADOPT_V, i] + (1.0 - beta2) * g[i] * g[i]
        prox(A, b, p, y, step, x)
        sgrad(A, b, p, x, t + 2, sample_id(seed, t + 2), g)
        if online:
            cum, sq = fold_online(X, cum, sq)
    s[_CUM] = cum
    s[_SQ] = sq
    s[_NEXT_TAIL] = q
    return STATUS_OK


@lazy_jit("init")
def adopt_init(oracles, A, b, p, hyper, seed, X, s):
    """v_0 = g_0² (sample 0), m = 0, running sums 0; g_1 (sample 1) and round 0."""
    oracles[SGRAD](A, b, p, X[0], 0, sample_id(seed, 0), X[_GRAD])
    for i in range(X.shape[1]):
        X[_ADOPT_V, i] = X[_GRAD, i] * X[_GRAD, i]
        X[_ADOPT_M, i] = 0.0
    start_rounds(oracles, A, b, p, hyper, seed, X, s, np.int64(1))


@lazy_jit("observe")
def adopt_observe(oracles, A, b, p, hyper, seed, k, X, s, P, S):
    """Averages and online scalars of checkpoint k (module docstring)."""
    return observe_rounds(oracles, A, b, p, hyper, k, X, s, P, S, np.int64(_ADOPT_SAVED))


# -- declarations and registry rows ---------------------------------------------------------

_COMMON = dict(points=POINTS, scalars=ONLINE_SCALARS, rows=_saved_rows, stochastic=True)
_OFFLINE = ("sgrad", "prox")
_ONLINE = ("sgrad", "prox", "lmo")

_ADAGRAD_HYPER = ("online", "norm", "step", "b0")
ADAGRAD = Kernel(adagrad, hyper=_ADAGRAD_HYPER, vectors=SHARED_VECTORS + ("G",),
                 state=SHARED_STATE + ("G_norm",), needs=_OFFLINE, init=adagrad_init,
                 observe=adagrad_observe, **_COMMON)
#: The same kernel in online mode, which also calls the lmo oracle.
ADAGRAD_ONLINE = Kernel(adagrad, hyper=_ADAGRAD_HYPER, vectors=SHARED_VECTORS + ("G",),
                        state=SHARED_STATE + ("G_norm",), needs=_ONLINE, init=adagrad_init,
                        observe=adagrad_observe, **_COMMON)

_ADAM_HYPER = ("online", "bias", "amsgrad", "beta1", "step", "beta2", "eps", "decay")
ADAM = Kernel(adam, hyper=_ADAM_HYPER, vectors=SHARED_VECTORS + ("m", "v", "vhat"),
              state=SHARED_STATE + ("beta1_power", "beta2_power"), needs=_OFFLINE,
              init=adam_init, observe=adam_observe, **_COMMON)
ADAM_ONLINE = Kernel(adam, hyper=_ADAM_HYPER, vectors=SHARED_VECTORS + ("m", "v", "vhat"),
                     state=SHARED_STATE + ("beta1_power", "beta2_power"), needs=_ONLINE,
                     init=adam_init, observe=adam_observe, **_COMMON)

ADOPT = Kernel(adopt, hyper=("online", "step", "beta1", "beta2", "eps", "decay"),
               vectors=SHARED_VECTORS + ("m", "v"), state=SHARED_STATE, needs=_OFFLINE,
               init=adopt_init, observe=adopt_observe, **_COMMON)

ALGORITHMS = (
    Algorithm("adagrad", ADAGRAD, (("step", None), ("b0", "0")),
              fixed={"online": 0.0, "norm": 0.0},
              summary="diagonal AdaGrad, step/sqrt(b0^2 + sum g_i^2) per coordinate"),
    Algorithm("adagrad-norm", ADAGRAD, (("step", None), ("b0", "1e-2")),
              fixed={"online": 0.0, "norm": 1.0},
              summary="AdaGrad-Norm, step/sqrt(b0^2 + sum ||g||^2)"),
    Algorithm("adagrad-norm-online", ADAGRAD_ONLINE, (("step", "D/sqrt(2)"), ("b0", "0")),
              fixed={"online": 1.0, "norm": 1.0},
              summary="adaptive online gradient descent, eta_t = D/sqrt(2 sum ||g||^2), "
                      "with regret"),
    Algorithm("adam", ADAM,
              (("beta1", "0.9"), ("step", None), ("beta2", "0.999"), ("eps", "1e-8"),
               ("decay", "0")),
              fixed={"online": 0.0, "bias": 1.0, "amsgrad": 0.0},
              summary="Adam (Kingma & Ba, bias correction), step/(t+1)^decay"),
    Algorithm("adam-reddi-online", ADAM_ONLINE,
              (("beta1", "0"), ("step", None), ("beta2", None), ("eps", "0"), ("decay", "1/2")),
              fixed={"online": 1.0, "bias": 0.0, "amsgrad": 0.0},
              summary="Adam in Reddi et al.'s form (no bias correction, eps = 0), with regret"),
    Algorithm("amsgrad", ADAM,
              (("beta1", "0.9"), ("step", None), ("beta2", "0.999"), ("eps", "0"),
               ("decay", "1/2")),
              fixed={"online": 0.0, "bias": 0.0, "amsgrad": 1.0},
              summary="AMSGrad (Reddi et al.), max of second moments"),
    Algorithm("amsgrad-online", ADAM_ONLINE,
              (("beta1", "0"), ("step", None), ("beta2", None), ("eps", "0"), ("decay", "1/2")),
              fixed={"online": 1.0, "bias": 0.0, "amsgrad": 1.0},
              summary="AMSGrad (Reddi et al.), with regret"),
    Algorithm("rmsprop", ADAM, (("step", None), ("beta2", "0.999"), ("eps", "1e-8"),
                                ("decay", "0")),
              fixed={"online": 0.0, "bias": 0.0, "amsgrad": 0.0, "beta1": 0.0},
              summary="RMSProp, step g/(sqrt(v) + eps)"),
    Algorithm("adopt", ADOPT,
              (("step", None), ("beta1", "0.9"), ("beta2", "0.9999"), ("eps", "1e-6"),
               ("decay", "0")),
              fixed={"online": 0.0},
              summary="ADOPT (Taniguchi et al. 2024): normalise by v_{t-1}, then momentum"),
)
