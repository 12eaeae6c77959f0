"""Adaptive step-size methods: AdaGrad (diagonal and norm), RMSProp, Adam, AMSGrad, ADOPT.

Every kernel has the method signature of :mod:`convlab._jit`, calls the ``sgrad`` oracle with
the sample ``s = sample_id(seed, t)`` of its iteration t, and projects onto the feasible set
through the ``prox`` oracle after each step (the identity on unconstrained problems). For the
per-coordinate methods (AdaGrad-diagonal, RMSProp, Adam, AMSGrad, ADOPT) Reddi et al. (2018)
project in the norm weighted by the preconditioner; on a box or an interval that weighted
projection is the coordinate-wise clip, which is the Euclidean projection the ``prox`` oracle
computes, so the two coincide on every feasible set this catalog uses (intervals, boxes,
unconstrained). On a ball they would differ; no claim here needs that case.

Iterations are 0-based: iteration t (the papers' t + 1) maps x_t to x_{t+1}. A decaying step is
α_t = step / (t + 1)^decay (decay = 1/2 is the papers' α/sqrt(t)).

Recorded points (slots): ``last`` = x_k; ``avg`` = (1/k) Σ_{t<k} x_t (x_0 at k = 0); ``tail`` =
the mean of x_t over t = ⌊0.9 k⌋..k (the "last 10 %" average at each checkpoint k, exactly).

Scalars: :data:`~convlab.algorithms.registry.TRACK_COLUMNS` (with ``track``), then the online
bookkeeping (``hyper[0]`` = 1, online mode; NaN otherwise). In online mode the loss of round t
is ℓ_t(x) = ⟨g_t, x⟩ with g_t the gradient the update of iteration t uses (linear losses, as in
every online family of :mod:`convlab.problems.adaptive`; for convex losses this is the
linearised regret, an upper bound on the true regret). At checkpoint k, after round k is
played at x_k (T = k + 1 rounds):

- ``regret`` = Σ_{t<=k} ⟨g_t, x_t⟩ − min_{u∈X} ⟨Σ_{t<=k} g_t, u⟩, the minimiser being the
  ``lmo`` oracle (closed form on balls and intervals): the exact regret against the best fixed
  point in hindsight;
- ``avg_regret`` = regret / (k + 1);
- ``regret_normalized`` = regret / sqrt(Σ_{t<=k} ||g_t||²) (the adaptive bound's scale);
- ``sum_grad_sq`` = Σ_{t<=k} ||g_t||².
"""

from __future__ import annotations

import numpy as np

from ..runtime.jit import LMO, PROX, SGRAD, STATUS_DIVERGED, STATUS_OK, lazy_jit, njit_helper
from ..runtime.random import sample_id
from ._record import checkpoint, new_record, store_point, track_init, track_step

#: Points and scalar columns of every kernel of this module.
POINTS = ("last", "avg", "tail")
ONLINE_SCALARS = ("regret", "avg_regret", "regret_normalized", "sum_grad_sq")


@njit_helper
def tail_starts(checkpoints):
    """First iteration ⌊0.9 k⌋ of the tail average of each checkpoint k."""
    return (9 * checkpoints) // 10


@njit_helper
def save_tail_sums(saved, starts, q, t, S):
    """Save the running sum S = Σ_{s<t} x_s for every checkpoint whose tail starts at t."""
    m = starts.shape[0]
    while q < m and starts[q] == t:
        for i in range(S.shape[0]):
            saved[q, i] = S[i]
        q += 1
    return q


@njit_helper
def store_averages(points, j, t, x, S, saved, starts, buf):
    """Slots 1 (avg of x_0..x_{t-1}) and 2 (mean of x_{⌊0.9t⌋}..x_t) of checkpoint j."""
    d = x.shape[0]
    if t == 0:
        store_point(points, j, 1, x)
    else:
        for i in range(d):
            buf[i] = S[i] / t
        store_point(points, j, 1, buf)
    cnt = t + 1 - starts[j]
    for i in range(d):
        buf[i] = (S[i] + x[i] - saved[j, i]) / cnt
    store_point(points, j, 2, buf)


@njit_helper
def store_online(scalars, j, t, cum, gsum, sq, lmo, A, b, p, u):
    """Columns 3..6: regret, average regret, normalised regret, Σ||g||² after round t."""
    lmo(A, b, p, gsum, u)
    best = 0.0
    for i in range(gsum.shape[0]):
        best += gsum[i] * u[i]
    reg = cum - best
    scalars[j, 3] = reg
    scalars[j, 4] = reg / (t + 1)
    scalars[j, 5] = reg / np.sqrt(sq) if sq > 0 else 0.0
    scalars[j, 6] = sq


@njit_helper
def fold_online(x, g, gsum, cum, sq):
    """Add round (x, g): returns the new cumulative loss and Σ||g||² (gsum updated in place)."""
    for i in range(x.shape[0]):
        cum += g[i] * x[i]
        gsum[i] += g[i]
        sq += g[i] * g[i]
    return cum, sq


@lazy_jit("method")
def adagrad(oracles, A, b, p, x0, hyper, checkpoints, seed, track):
    """AdaGrad: diagonal or norm ("AdaGrad-Norm") step sizes, projected.

    Update, with G the accumulated squared gradients (G_{−1} = 0):

    - norm (``hyper[1]`` = 1): G_t = G_{t−1} + ||g_t||²,
      x_{t+1} = Π_X(x_t − η g_t / sqrt(b0² + G_t));
    - diagonal (``hyper[1]`` = 0): G_{t,i} = G_{t−1,i} + g_{t,i}²,
      x_{t+1,i} = Π_X(x_t − η g_t / sqrt(b0² + G_t))_i (coordinate-wise);

    no move where the denominator is 0 (all gradients so far zero). With b0 = 0 and
    η = D/sqrt(2) the norm version is adaptive online gradient descent,
    η_t = D / sqrt(2 Σ_{s<=t} ||g_s||²), whose regret is at most sqrt(2) D sqrt(Σ ||g_t||²).

    Parameters (``hyper``): ``[online, norm, η, b0]``.

    Records ``last``, ``avg``, ``tail`` and the scalars of the module docstring.

    References: Duchi, Hazan & Singer (2011), JMLR 12 (diagonal AdaGrad); McMahan & Streeter
    (2010), COLT, and Streeter & McMahan (2010), arXiv:1002.4862 (norm version); Orabona (2019),
    *A Modern Introduction to Online Learning*, §4.2 (adaptive OGD regret bound); Ward, Wu &
    Bottou (2019), ICML, and Attia & Koren (2023), ICML (AdaGrad-Norm for stochastic
    optimisation, "SGD with AdaGrad stepsizes").
    """
    sgrad = oracles[SGRAD]
    prox = oracles[PROX]
    lmo = oracles[LMO]
    online = hyper[0] != 0.0
    norm = hyper[1] != 0.0
    eta = hyper[2]
    b0sq = hyper[3] * hyper[3]
    d = x0.shape[0]
    x = x0.copy()
    g = np.empty(d)
    y = np.empty(d)
    work = np.empty(d)
    buf = np.empty(d)
    u = np.empty(d)
    G = np.zeros(d)
    Gn = 0.0
    S = np.zeros(d)
    gsum = np.zeros(d)
    cum = 0.0
    sq = 0.0
    starts = tail_starts(checkpoints)
    saved = np.zeros((checkpoints.shape[0], d))
    q = 0
    points, scalars = new_record(checkpoints, 3, d, 7)
    acc = track_init()
    j = 0
    last = checkpoints[-1]
    for t in range(last + 1):
        q = save_tail_sums(saved, starts, q, t, S)
        if track:
            track_step(acc, oracles, A, b, p, x, work)
        sgrad(A, b, p, x, t, sample_id(seed, t), g)
        if online:
            cum, sq = fold_online(x, g, gsum, cum, sq)
        if t == checkpoints[j]:
            store_averages(points, j, t, x, S, saved, starts, buf)
            if online:
                store_online(scalars, j, t, cum, gsum, sq, lmo, A, b, p, u)
            j += 1
            if checkpoint(points, scalars, j - 1, x, acc, track):
                return points, scalars, j, STATUS_DIVERGED
            if t == last:
                break
        for i in range(d):
            S[i] += x[i]
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
                G[i] += g[i] * g[i]
                den = np.sqrt(b0sq + G[i])
                y[i] = x[i] - (eta * g[i] / den if den > 0 else 0.0)
        prox(A, b, p, y, step, x)
    return points, scalars, j, STATUS_OK


@lazy_jit("method")
def adam(oracles, A, b, p, x0, hyper, checkpoints, seed, track):
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

    Parameters (``hyper``): ``[online, bias, amsgrad, β1, α, β2, ε, decay]``.

    Records ``last``, ``avg``, ``tail`` and the scalars of the module docstring.

    References: Kingma & Ba (2015), ICLR, Algorithm 1; Reddi, Kale & Kumar (2018), ICLR, "On the
    convergence of Adam and beyond", Thm 1 and 3 (counterexamples), Algorithm 2 and Thm 4
    (AMSGrad); Tieleman & Hinton (2012), Lecture 6.5 of "Neural networks for machine
    learning" (RMSProp); "Convergence guarantees for RMSProp and Adam in generalized-smooth
    non-convex optimization with affine noise variance" (2024) for the (L0, L1) analysis.
    """
    sgrad = oracles[SGRAD]
    prox = oracles[PROX]
    lmo = oracles[LMO]
    online = hyper[0] != 0.0
    bias = hyper[1] != 0.0
    ams = hyper[2] != 0.0
    beta1 = hyper[3]
    alpha = hyper[4]
    beta2 = hyper[5]
    eps = hyper[6]
    decay = hyper[7]
    d = x0.shape[0]
    x = x0.copy()
    g = np.empty(d)
    y = np.empty(d)
    m = np.zeros(d)
    v = np.zeros(d)
    vhat = np.zeros(d)
    work = np.empty(d)
    buf = np.empty(d)
    u = np.empty(d)
    S = np.zeros(d)
    gsum = np.zeros(d)
    cum = 0.0
    sq = 0.0
    b1p = 1.0
    b2p = 1.0
    starts = tail_starts(checkpoints)
    saved = np.zeros((checkpoints.shape[0], d))
    q = 0
    points, scalars = new_record(checkpoints, 3, d, 7)
    acc = track_init()
    j = 0
    last = checkpoints[-1]
    for t in range(last + 1):
        q = save_tail_sums(saved, starts, q, t, S)
        if track:
            track_step(acc, oracles, A, b, p, x, work)
        sgrad(A, b, p, x, t, sample_id(seed, t), g)
        if online:
            cum, sq = fold_online(x, g, gsum, cum, sq)
        if t == checkpoints[j]:
            store_averages(points, j, t, x, S, saved, starts, buf)
            if online:
                store_online(scalars, j, t, cum, gsum, sq, lmo, A, b, p, u)
            j += 1
            if checkpoint(points, scalars, j - 1, x, acc, track):
                return points, scalars, j, STATUS_DIVERGED
            if t == last:
                break
        for i in range(d):
            S[i] += x[i]
        b1p *= beta1
        b2p *= beta2
        step = alpha / (t + 1.0) ** decay
        for i in range(d):
            m[i] = beta1 * m[i] + (1.0 - beta1) * g[i]
            v[i] = beta2 * v[i] + (1.0 - beta2) * g[i] * g[i]
            if ams:
                if v[i] > vhat[i]:
                    vhat[i] = v[i]
            else:
                vhat[i] = v[i]
            if bias:
                mt = m[i] / (1.0 - b1p)
                vt = vhat[i] / (1.0 - b2p)
            else:
                mt = m[i]
                vt = vhat[i]
            den = np.sqrt(vt) + eps
            y[i] = x[i] - (step * mt / den if den > 0 else 0.0)
        prox(A, b, p, y, step, x)
    return points, scalars, j, STATUS_OK


@lazy_jit("method")
def adopt(oracles, A, b, p, x0, hyper, checkpoints, seed, track):
    """ADOPT (Taniguchi et al. 2024): normalise by the previous second moment, then momentum.

    Initialisation: v_0 = g_0² from an extra sample at x_0 (``sgrad(x_0, 0, sample_id(seed,
    0))``); m = 0; the parameters do not move at this step. Then for t = 0, 1, ... (the paper's
    t + 1), with g_{t+1} = ``sgrad(x_t, t+1, sample_id(seed, t+1))``:

        m_{t+1} = β1 m_t + (1 − β1) g_{t+1} / max(sqrt(v_t), ε),
        x_{t+1} = Π_X(x_t − α_t m_{t+1}),   α_t = α/(t + 1)^decay,
        v_{t+1} = β2 v_t + (1 − β2) g_{t+1}²       (coordinate-wise).

    Parameters (``hyper``): ``[online, α, β1, β2, ε, decay]``.

    Records ``last``, ``avg``, ``tail`` and the scalars of the module docstring (the loss of
    iteration t's round is the one of g_{t+1}).

    Reference: Taniguchi, Harada, Minegishi, Oshima, Jeong, Nagahara, Iiyama, Suzuki, Iwasawa &
    Matsuo (2024), "ADOPT: Modified Adam can converge with any β2 with the optimal rate",
    NeurIPS 2024, Algorithm 1 (the later clipped variant is not implemented).
    """
    sgrad = oracles[SGRAD]
    prox = oracles[PROX]
    lmo = oracles[LMO]
    online = hyper[0] != 0.0
    alpha = hyper[1]
    beta1 = hyper[2]
    beta2 = hyper[3]
    eps = hyper[4]
    decay = hyper[5]
    d = x0.shape[0]
    x = x0.copy()
    g = np.empty(d)
    y = np.empty(d)
    m = np.zeros(d)
    v = np.empty(d)
    work = np.empty(d)
    buf = np.empty(d)
    u = np.empty(d)
    S = np.zeros(d)
    gsum = np.zeros(d)
    cum = 0.0
    sq = 0.0
    sgrad(A, b, p, x, 0, sample_id(seed, 0), g)
    for i in range(d):
        v[i] = g[i] * g[i]
    starts = tail_starts(checkpoints)
    saved = np.zeros((checkpoints.shape[0], d))
    q = 0
    points, scalars = new_record(checkpoints, 3, d, 7)
    acc = track_init()
    j = 0
    last = checkpoints[-1]
    for t in range(last + 1):
        q = save_tail_sums(saved, starts, q, t, S)
        if track:
            track_step(acc, oracles, A, b, p, x, work)
        sgrad(A, b, p, x, t + 1, sample_id(seed, t + 1), g)
        if online:
            cum, sq = fold_online(x, g, gsum, cum, sq)
        if t == checkpoints[j]:
            store_averages(points, j, t, x, S, saved, starts, buf)
            if online:
                store_online(scalars, j, t, cum, gsum, sq, lmo, A, b, p, u)
            j += 1
            if checkpoint(points, scalars, j - 1, x, acc, track):
                return points, scalars, j, STATUS_DIVERGED
            if t == last:
                break
        for i in range(d):
            S[i] += x[i]
        step = alpha / (t + 1.0) ** decay
        for i in range(d):
            den = np.sqrt(v[i])
            if den < eps:
                den = eps
            m[i] = beta1 * m[i] + (1.0 - beta1) * g[i] / den
            y[i] = x[i] - step * m[i]
            v[i] = beta2 * v[i] + (1.0 - beta2) * g[i] * g[i]
        prox(A, b, p, y, step, x)
    return points, scalars, j, STATUS_OK


# -- registry rows (legacy whole-run kernels; see convlab.algorithms.registry) --

from .registry import Algorithm, LegacyKernel  # noqa: E402

ALGORITHMS = (
    Algorithm('adagrad', LegacyKernel(adagrad, hyper=('variant0', 'variant1', 'step', 'b0'), points=('last', 'avg', 'tail'), record_scalars=('best_f_gap', 'min_grad_norm_sq', 'avg_grad_norm_sq', 'regret', 'avg_regret', 'regret_normalized', 'sum_grad_sq'), needs=('sgrad', 'prox'), stochastic=True),
              (('step', None), ('b0', '0')),
              fixed={'variant0': 0.0, 'variant1': 0.0},
              summary='diagonal AdaGrad, step/sqrt(b0^2 + sum g_i^2) per coordinate'),
    Algorithm('adagrad-norm', LegacyKernel(adagrad, hyper=('variant0', 'variant1', 'step', 'b0'), points=('last', 'avg', 'tail'), record_scalars=('best_f_gap', 'min_grad_norm_sq', 'avg_grad_norm_sq', 'regret', 'avg_regret', 'regret_normalized', 'sum_grad_sq'), needs=('sgrad', 'prox'), stochastic=True),
              (('step', None), ('b0', '1e-2')),
              fixed={'variant0': 0.0, 'variant1': 1.0},
              summary='AdaGrad-Norm, step/sqrt(b0^2 + sum ||g||^2)'),
    Algorithm('adagrad-norm-online', LegacyKernel(adagrad, hyper=('variant0', 'variant1', 'step', 'b0'), points=('last', 'avg', 'tail'), record_scalars=('best_f_gap', 'min_grad_norm_sq', 'avg_grad_norm_sq', 'regret', 'avg_regret', 'regret_normalized', 'sum_grad_sq'), needs=('sgrad', 'prox', 'lmo'), stochastic=True),
              (('step', 'D/sqrt(2)'), ('b0', '0')),
              fixed={'variant0': 1.0, 'variant1': 1.0},
              summary='adaptive online gradient descent, eta_t = D/sqrt(2 sum ||g||^2), with regret'),
    Algorithm('adam', LegacyKernel(adam, hyper=('variant0', 'variant1', 'variant2', 'beta1', 'step', 'beta2', 'eps', 'decay'), points=('last', 'avg', 'tail'), record_scalars=('best_f_gap', 'min_grad_norm_sq', 'avg_grad_norm_sq', 'regret', 'avg_regret', 'regret_normalized', 'sum_grad_sq'), needs=('sgrad', 'prox'), stochastic=True),
              (('beta1', '0.9'), ('step', None), ('beta2', '0.999'), ('eps', '1e-8'), ('decay', '0')),
              fixed={'variant0': 0.0, 'variant1': 1.0, 'variant2': 0.0},
              summary='Adam (Kingma & Ba, bias correction), step/(t+1)^decay'),
    Algorithm('adam-reddi-online', LegacyKernel(adam, hyper=('variant0', 'variant1', 'variant2', 'beta1', 'step', 'beta2', 'eps', 'decay'), points=('last', 'avg', 'tail'), record_scalars=('best_f_gap', 'min_grad_norm_sq', 'avg_grad_norm_sq', 'regret', 'avg_regret', 'regret_normalized', 'sum_grad_sq'), needs=('sgrad', 'prox', 'lmo'), stochastic=True),
              (('beta1', '0'), ('step', None), ('beta2', None), ('eps', '0'), ('decay', '1/2')),
              fixed={'variant0': 1.0, 'variant1': 0.0, 'variant2': 0.0},
              summary="Adam in Reddi et al.'s form (no bias correction, eps = 0), with regret"),
    Algorithm('amsgrad', LegacyKernel(adam, hyper=('variant0', 'variant1', 'variant2', 'beta1', 'step', 'beta2', 'eps', 'decay'), points=('last', 'avg', 'tail'), record_scalars=('best_f_gap', 'min_grad_norm_sq', 'avg_grad_norm_sq', 'regret', 'avg_regret', 'regret_normalized', 'sum_grad_sq'), needs=('sgrad', 'prox'), stochastic=True),
              (('beta1', '0.9'), ('step', None), ('beta2', '0.999'), ('eps', '0'), ('decay', '1/2')),
              fixed={'variant0': 0.0, 'variant1': 0.0, 'variant2': 1.0},
              summary='AMSGrad (Reddi et al.), max of second moments'),
    Algorithm('amsgrad-online', LegacyKernel(adam, hyper=('variant0', 'variant1', 'variant2', 'beta1', 'step', 'beta2', 'eps', 'decay'), points=('last', 'avg', 'tail'), record_scalars=('best_f_gap', 'min_grad_norm_sq', 'avg_grad_norm_sq', 'regret', 'avg_regret', 'regret_normalized', 'sum_grad_sq'), needs=('sgrad', 'prox', 'lmo'), stochastic=True),
              (('beta1', '0'), ('step', None), ('beta2', None), ('eps', '0'), ('decay', '1/2')),
              fixed={'variant0': 1.0, 'variant1': 0.0, 'variant2': 1.0},
              summary='AMSGrad (Reddi et al.), with regret'),
    Algorithm('rmsprop', LegacyKernel(adam, hyper=('variant0', 'variant1', 'variant2', 'variant3', 'step', 'beta2', 'eps', 'decay'), points=('last', 'avg', 'tail'), record_scalars=('best_f_gap', 'min_grad_norm_sq', 'avg_grad_norm_sq', 'regret', 'avg_regret', 'regret_normalized', 'sum_grad_sq'), needs=('sgrad', 'prox'), stochastic=True),
              (('step', None), ('beta2', '0.999'), ('eps', '1e-8'), ('decay', '0')),
              fixed={'variant0': 0.0, 'variant1': 0.0, 'variant2': 0.0, 'variant3': 0.0},
              summary='RMSProp, step g/(sqrt(v) + eps)'),
    Algorithm('adopt', LegacyKernel(adopt, hyper=('variant0', 'step', 'beta1', 'beta2', 'eps', 'decay'), points=('last', 'avg', 'tail'), record_scalars=('best_f_gap', 'min_grad_norm_sq', 'avg_grad_norm_sq', 'regret', 'avg_regret', 'regret_normalized', 'sum_grad_sq'), needs=('sgrad', 'prox'), stochastic=True),
              (('step', None), ('beta1', '0.9'), ('beta2', '0.9999'), ('eps', '1e-6'), ('decay', '0')),
              fixed={'variant0': 0.0},
              summary='ADOPT (Taniguchi et al. 2024): normalise by v_{t-1}, then momentum'),
)
