"""Methods for monotone variational inequalities and saddle problems (CLAIMS.md §5.12).

The operator F of the VI (for a saddle problem F(x, y) = (∇_x f, −∇_y f) with z = (x, y)) is
the ``grad`` oracle; the feasible set Z enters through ``prox`` (its projection, the identity
when Z is the whole space). Every kernel has the method signature of :mod:`convlab._jit`,
records the last iterate z_k as point 0, counts one iteration per update of z (not per
operator call: EG makes two calls per iteration, past-EG one), supports ``track`` (the running
quantities of :mod:`._record`; ``min_grad_norm_sq`` is min ||F(z_i)||² over the iterates) and
stops with ``STATUS_DIVERGED`` when an iterate is non-finite or above the divergence threshold.

Kernels: :func:`extragradient` (A38), :func:`past_extragradient` (A39, Popov / optimistic
gradient, one call per iteration), :func:`eag` (A40, EAG-C of Yoon & Ryu), :func:`aog` (A41,
anchored optimistic gradient), :func:`forward_step` (A44), :func:`stochastic_past_eg` (A45).
"""

from __future__ import annotations

import numpy as np

from ..runtime.jit import GRAD, PROX, SGRAD, STATUS_DIVERGED, STATUS_OK, lazy_jit
from ..runtime.random import sample_id
from ._record import checkpoint, new_record, store_point, track_init, track_step


@lazy_jit("method")
def extragradient(oracles, A, b, p, x0, hyper, checkpoints, seed, track):
    """Projected extragradient (Korpelevich 1976; mirror-prox in the Euclidean case).

    Update, for k = 0, 1, ...:

        z_{k+1/2} = Π_Z(z_k − γ F(z_k)),
        z_{k+1}   = Π_Z(z_k − γ F(z_{k+1/2})).

    Parameters (``hyper``): ``[γ]`` (γ <= 1/L for an L-Lipschitz monotone F).

    Records ``last`` = z_k and ``avg`` = (1/k) Σ_{t<k} z_{t+1/2}, the ergodic average of the
    half-step points (z_0 at k = 0), whose restricted gap is at most max_{z∈Z} ||z_0 − z||²/(2γk).

    References: Korpelevich (1976), Ekonomika i Mat. Metody 12; Nemirovski (2004), SIAM J. Optim.
    15(1), Thm 3.2 (mirror-prox); Bubeck (2015), Convex Optimization: Algorithms and Complexity,
    Found. Trends Mach. Learn. 8, §4.5.
    """
    gamma = hyper[0]
    grad = oracles[GRAD]
    prox = oracles[PROX]
    d = x0.shape[0]
    z = x0.copy()
    zh = np.empty(d)
    g = np.empty(d)
    y = np.empty(d)
    s_half = np.zeros(d)
    avg = np.empty(d)
    work = np.empty(d)
    points, scalars = new_record(checkpoints, 2, d, 3)
    acc = track_init()
    j = 0
    last = checkpoints[-1]
    for k in range(last + 1):
        if track:
            track_step(acc, oracles, A, b, p, z, work)
        if k == checkpoints[j]:
            if k == 0:
                store_point(points, j, 1, z)
            else:
                for i in range(d):
                    avg[i] = s_half[i] / k
                store_point(points, j, 1, avg)
            j += 1
            if checkpoint(points, scalars, j - 1, z, acc, track):
                return points, scalars, j, STATUS_DIVERGED
            if k == last:
                break
        grad(A, b, p, z, g)
        for i in range(d):
            y[i] = z[i] - gamma * g[i]
        prox(A, b, p, y, gamma, zh)
        grad(A, b, p, zh, g)
        for i in range(d):
            y[i] = z[i] - gamma * g[i]
            s_half[i] += zh[i]
        prox(A, b, p, y, gamma, z)
    return points, scalars, j, STATUS_OK


@lazy_jit("method")
def past_extragradient(oracles, A, b, p, x0, hyper, checkpoints, seed, track):
    """Past extragradient (Popov 1980), i.e. optimistic gradient: one operator call per step.

    Update, with z_{−1/2} = z_0:

        z_{k+1/2} = Π_Z(z_k − γ F(z_{k−1/2})),
        z_{k+1}   = Π_Z(z_k − γ F(z_{k+1/2})),

    where F(z_{k−1/2}) is the value stored from the previous iteration (so iteration k makes the
    single call F(z_{k+1/2})). Unconstrained, this is the optimistic gradient method
    z_{k+1/2} = z_{k−1/2} − 2γ F(z_{k−1/2}) + γ F(z_{k−3/2}).

    Parameters (``hyper``): ``[γ]``. The catalog uses γ = 1/(4L); the step condition of the
    single-call analyses (γ of order 1/(2L), recalled, see the claim notes) is not relied on.

    Records ``last`` = z_k and ``avg`` = (1/k) Σ_{t<k} z_{t+1/2} (z_0 at k = 0).

    References: Popov (1980), Math. Notes 28(5); Gidel, Berard, Vignoud, Vincent & Lacoste-Julien
    (2019), ICLR, "A variational inequality perspective on GANs", Thm 1; Hsieh, Iutzeler,
    Malick & Mertikopoulos (2019), NeurIPS, "On the convergence of single-call stochastic
    extra-gradient methods".
    """
    gamma = hyper[0]
    grad = oracles[GRAD]
    prox = oracles[PROX]
    d = x0.shape[0]
    z = x0.copy()
    zh = np.empty(d)
    g = np.empty(d)
    y = np.empty(d)
    s_half = np.zeros(d)
    avg = np.empty(d)
    work = np.empty(d)
    points, scalars = new_record(checkpoints, 2, d, 3)
    acc = track_init()
    grad(A, b, p, z, g)
    j = 0
    last = checkpoints[-1]
    for k in range(last + 1):
        if track:
            track_step(acc, oracles, A, b, p, z, work)
        if k == checkpoints[j]:
            if k == 0:
                store_point(points, j, 1, z)
            else:
                for i in range(d):
                    avg[i] = s_half[i] / k
                store_point(points, j, 1, avg)
            j += 1
            if checkpoint(points, scalars, j - 1, z, acc, track):
                return points, scalars, j, STATUS_DIVERGED
            if k == last:
                break
        for i in range(d):
            y[i] = z[i] - gamma * g[i]
        prox(A, b, p, y, gamma, zh)
        grad(A, b, p, zh, g)
        for i in range(d):
            y[i] = z[i] - gamma * g[i]
            s_half[i] += zh[i]
        prox(A, b, p, y, gamma, z)
    return points, scalars, j, STATUS_OK


@lazy_jit("method")
def eag(oracles, A, b, p, x0, hyper, checkpoints, seed, track):
    """Extra anchored gradient with constant step, EAG-C (Yoon & Ryu 2021), unconstrained.

    Update, for k = 0, 1, ... with β_k = 1/(k + 2):

        z_{k+1/2} = z_k + β_k (z_0 − z_k) − α F(z_k),
        z_{k+1}   = z_k + β_k (z_0 − z_k) − α F(z_{k+1/2}).

    Parameters (``hyper``): ``[α]`` (Yoon & Ryu take α <= 1/(8L)).

    Records ``last`` = z_k. The guarantee is on ||F(z_k)||² = O(L² ||z_0 − z*||²/(k+1)²).

    Reference: Yoon & Ryu (2021), "Accelerated algorithms for smooth convex-concave minimax
    problems with O(1/k²) rate on squared gradient norm", ICML, Thm 1 (EAG-C).
    """
    alpha = hyper[0]
    grad = oracles[GRAD]
    d = x0.shape[0]
    z = x0.copy()
    zh = np.empty(d)
    g = np.empty(d)
    work = np.empty(d)
    points, scalars = new_record(checkpoints, 1, d, 3)
    acc = track_init()
    j = 0
    last = checkpoints[-1]
    for k in range(last + 1):
        if track:
            track_step(acc, oracles, A, b, p, z, work)
        if k == checkpoints[j]:
            j += 1
            if checkpoint(points, scalars, j - 1, z, acc, track):
                return points, scalars, j, STATUS_DIVERGED
            if k == last:
                break
        beta = 1.0 / (k + 2.0)
        grad(A, b, p, z, g)
        for i in range(d):
            zh[i] = z[i] + beta * (x0[i] - z[i]) - alpha * g[i]
        grad(A, b, p, zh, g)
        for i in range(d):
            z[i] = z[i] + beta * (x0[i] - z[i]) - alpha * g[i]
    return points, scalars, j, STATUS_OK


@lazy_jit("method")
def aog(oracles, A, b, p, x0, hyper, checkpoints, seed, track):
    """Accelerated (anchored) optimistic gradient, AOG: optimism plus Halpern anchoring.

    Update, for k = 0, 1, ... with anchor weight β_k = 1/(k + c) and F(z_{−1/2}) := F(z_0):

        z_{k+1/2} = Π_Z(z_k + β_k (z_0 − z_k) − η F(z_{k−1/2})),
        z_{k+1}   = Π_Z(z_k + β_k (z_0 − z_k) − η F(z_{k+1/2})),

    one operator call per iteration (F(z_{k+1/2}) is reused as the optimistic term of the next
    step).

    Parameters (``hyper``): ``[η, c]`` (step and anchor shift; the catalog's recalled form is
    c = 1, the first step then being anchored fully at z_0).

    Records ``last`` = z_k.

    Reference: Cai & Zheng (2023), "Doubly optimal no-regret learning in monotone games", ICML
    (AOG; O(1/T) last-iterate rate); Cai & Zheng (2023), "Accelerated single-call methods for
    constrained min-max optimization", ICLR.
    """
    eta = hyper[0]
    shift = hyper[1]
    grad = oracles[GRAD]
    prox = oracles[PROX]
    d = x0.shape[0]
    z = x0.copy()
    zh = np.empty(d)
    g = np.empty(d)
    y = np.empty(d)
    work = np.empty(d)
    points, scalars = new_record(checkpoints, 1, d, 3)
    acc = track_init()
    grad(A, b, p, z, g)
    j = 0
    last = checkpoints[-1]
    for k in range(last + 1):
        if track:
            track_step(acc, oracles, A, b, p, z, work)
        if k == checkpoints[j]:
            j += 1
            if checkpoint(points, scalars, j - 1, z, acc, track):
                return points, scalars, j, STATUS_DIVERGED
            if k == last:
                break
        beta = 1.0 / (k + shift)
        for i in range(d):
            y[i] = z[i] + beta * (x0[i] - z[i]) - eta * g[i]
        prox(A, b, p, y, eta, zh)
        grad(A, b, p, zh, g)
        for i in range(d):
            y[i] = z[i] + beta * (x0[i] - z[i]) - eta * g[i]
        prox(A, b, p, y, eta, z)
    return points, scalars, j, STATUS_OK


@lazy_jit("method")
def forward_step(oracles, A, b, p, x0, hyper, checkpoints, seed, track):
    """Projected forward step (projection method for VIs, simultaneous gradient play).

    Update: z_{k+1} = Π_Z(z_k − η F(z_k)).

    Parameters (``hyper``): ``[η]``. For μ-strongly monotone, L-Lipschitz F and 0 < η < 2μ/L²:
    ||z_{k+1} − z*||² <= (1 − 2ημ + η²L²) ||z_k − z*||².

    Records ``last`` = z_k.

    References: Facchinei & Pang (2003), Finite-Dimensional Variational Inequalities and
    Complementarity Problems, Springer, §12.1 (projection methods); Sibony (1970).
    """
    eta = hyper[0]
    grad = oracles[GRAD]
    prox = oracles[PROX]
    d = x0.shape[0]
    z = x0.copy()
    g = np.empty(d)
    y = np.empty(d)
    work = np.empty(d)
    points, scalars = new_record(checkpoints, 1, d, 3)
    acc = track_init()
    j = 0
    last = checkpoints[-1]
    for k in range(last + 1):
        if track:
            track_step(acc, oracles, A, b, p, z, work)
        if k == checkpoints[j]:
            j += 1
            if checkpoint(points, scalars, j - 1, z, acc, track):
                return points, scalars, j, STATUS_DIVERGED
            if k == last:
                break
        grad(A, b, p, z, g)
        for i in range(d):
            y[i] = z[i] - eta * g[i]
        prox(A, b, p, y, eta, z)
    return points, scalars, j, STATUS_OK


@lazy_jit("method")
def stochastic_past_eg(oracles, A, b, p, x0, hyper, checkpoints, seed, track):
    """Stochastic past extragradient (single-call SEG) with steps γ_t = γ/(t + b).

    Update, for t = 0, 1, ..., with V̂ the ``sgrad`` oracle:

        X_{t+1/2} = Π_Z(X_t − γ_t V̂(X_{t−1/2}; s_t)),
        X_{t+1}   = Π_Z(X_t − γ_t V̂(X_{t+1/2}; s_{t+1})),

    where s_t = sample_id(seed, t), X_{−1/2} = X_0 (so V̂(X_{−1/2}; s_0) is one extra call
    before the loop) and the value V̂(X_{t+1/2}; s_{t+1}) is reused by iteration t + 1: one
    stochastic call per iteration.

    Parameters (``hyper``): ``[γ, b]``.

    Records ``last`` = X_t; scalars: the tracked columns, then ``escaped`` = 1 if some
    coordinate of some X_s or X_{s+1/2} (s < t) exceeded 1 in absolute value (for the local VI
    of recipe P44 this is the non-monotone region), else 0.

    Reference: Hsieh, Iutzeler, Malick & Mertikopoulos (2019), "On the convergence of
    single-call stochastic extra-gradient methods", NeurIPS (local O(1/t) rate near a solution
    where sym DV(x*) ≻ 0).
    """
    gamma = hyper[0]
    shift = hyper[1]
    sgrad = oracles[SGRAD]
    prox = oracles[PROX]
    d = x0.shape[0]
    z = x0.copy()
    zh = np.empty(d)
    g = np.empty(d)
    y = np.empty(d)
    work = np.empty(d)
    points, scalars = new_record(checkpoints, 1, d, 4)
    acc = track_init()
    escaped = 0.0
    for i in range(d):
        if abs(z[i]) > 1.0:
            escaped = 1.0
    sgrad(A, b, p, z, 0, sample_id(seed, 0), g)
    j = 0
    last = checkpoints[-1]
    for t in range(last + 1):
        if track:
            track_step(acc, oracles, A, b, p, z, work)
        if t == checkpoints[j]:
            scalars[j, 3] = escaped
            j += 1
            if checkpoint(points, scalars, j - 1, z, acc, track):
                return points, scalars, j, STATUS_DIVERGED
            if t == last:
                break
        step = gamma / (t + shift)
        for i in range(d):
            y[i] = z[i] - step * g[i]
        prox(A, b, p, y, step, zh)
        sgrad(A, b, p, zh, t + 1, sample_id(seed, t + 1), g)
        for i in range(d):
            y[i] = z[i] - step * g[i]
        prox(A, b, p, y, step, z)
        for i in range(d):
            if abs(z[i]) > 1.0 or abs(zh[i]) > 1.0:
                escaped = 1.0
    return points, scalars, j, STATUS_OK


# -- registry rows (legacy whole-run kernels; see convlab.algorithms.registry) --

from .registry import Algorithm, LegacyKernel  # noqa: E402

ALGORITHMS = (
    Algorithm('extragradient', LegacyKernel(extragradient, hyper=('step',), points=('last', 'avg'), record_scalars=('best_f_gap', 'min_grad_norm_sq', 'avg_grad_norm_sq'), needs=('grad', 'prox'), stochastic=False),
              (('step', '1/L'),),
              fixed={},
              summary='projected extragradient (two operator calls per iteration)'),
    Algorithm('past-eg', LegacyKernel(past_extragradient, hyper=('step',), points=('last', 'avg'), record_scalars=('best_f_gap', 'min_grad_norm_sq', 'avg_grad_norm_sq'), needs=('grad', 'prox'), stochastic=False),
              (('step', '1/(4*L)'),),
              fixed={},
              summary='past extragradient (Popov) / optimistic gradient, one operator call per iteration'),
    Algorithm('eag-c', LegacyKernel(eag, hyper=('step',), points=('last',), record_scalars=('best_f_gap', 'min_grad_norm_sq', 'avg_grad_norm_sq'), needs=('grad',), stochastic=False),
              (('step', '1/(8*L)'),),
              fixed={},
              summary='extra anchored gradient, constant step (Yoon & Ryu 2021), unconstrained'),
    Algorithm('aog', LegacyKernel(aog, hyper=('step', 'shift'), points=('last',), record_scalars=('best_f_gap', 'min_grad_norm_sq', 'avg_grad_norm_sq'), needs=('grad', 'prox'), stochastic=False),
              (('step', '1/(2*L)'), ('shift', '1')),
              fixed={},
              summary='anchored (accelerated) optimistic gradient, anchor weight 1/(k + shift)'),
    Algorithm('forward-step', LegacyKernel(forward_step, hyper=('step',), points=('last',), record_scalars=('best_f_gap', 'min_grad_norm_sq', 'avg_grad_norm_sq'), needs=('grad', 'prox'), stochastic=False),
              (('step', 'mu/L**2'),),
              fixed={},
              summary='projected forward step z+ = P(z - step F(z))'),
    Algorithm('stochastic-past-eg', LegacyKernel(stochastic_past_eg, hyper=('step', 'shift'), points=('last',), record_scalars=('best_f_gap', 'min_grad_norm_sq', 'avg_grad_norm_sq', 'escaped'), needs=('sgrad', 'prox'), stochastic=True),
              (('step', None), ('shift', '1')),
              fixed={},
              summary='stochastic past extragradient, step/(t + shift)'),
)
