"""Learning dynamics in games: Hedge, optimistic Hedge and (projected) gradient play.

A game is given by its operator F(z) (the ``grad`` oracle of the family), z = (x, y) the joint
action; a player's loss vector (or gradient) is its block of F(z). Kernels have the method
signature of :mod:`convlab._jit`. They record the last iterate (point ``last``) and the time
average of the plays ``avg`` = (1/k) Σ_{t<k} z_t (z_0 at k = 0), which no-regret guarantees
bound through the identity Gap(z̄_T) = (Reg_x + Reg_y)/T of two-player zero-sum games. Games
have no objective value, so these kernels keep no running scalars.
"""

from __future__ import annotations

import numpy as np

from ..runtime.jit import GRAD, LMO, PROX, SGRAD, STATUS_DIVERGED, STATUS_OK, lazy_jit
from ..runtime.random import sample_id
from ._record import checkpoint, new_record, store_point


@lazy_jit("method")
def hedge(oracles, A, b, p, x0, hyper, checkpoints, seed, track):
    """Hedge (exponential weights) for both players of a two-player game, log domain.

    The joint start z_0 = (x_0, y_0) (two probability vectors, x of length n_x) is the prior.
    With u_t = F(z_t) the loss vectors of round t (x-block: the x-player's losses, y-block: the
    y-player's), for t = 0, 1, ...:

        Hedge:             z_{t+1} ∝ z_0 ⊙ exp(−η (Σ_{s<=t} u_s)),
        optimistic Hedge:  z_{t+1} ∝ z_0 ⊙ exp(−η (Σ_{s<=t} u_s + u_t)),

    blockwise (each block normalised to sum 1), with η = η_x on the x-block and η_y on the
    y-block. So x_t ∝ exp(−η Σ_{s<t} u_s) (Hedge) and x_t ∝ exp(−η (Σ_{s<t} u_s + u_{t−1}))
    with u_{−1} = 0 (optimistic Hedge), from a uniform start. Weights are computed from
    log-weights shifted by their maximum, so no overflow occurs for any horizon. Loss vectors
    shifted by a constant per block (e.g. −Aᵀx instead of 1 − Aᵀx) give the same iterates.

    Parameters (``hyper``): ``[optimistic, η_x, η_y, n_x]``; optimistic = 0 (Hedge) or 1.

    Records ``last`` (z_k) and ``avg`` ((1/k) Σ_{t<k} z_t).

    References: Freund & Schapire (1999), Games Econ. Behav. 29, "Adaptive game playing using
    multiplicative weights"; Cesa-Bianchi & Lugosi (2006), *Prediction, Learning, and Games*,
    Thm 2.2; optimistic Hedge: Rakhlin & Sridharan (2013), NeurIPS; Syrgkanis, Agarwal, Luo &
    Schapire (2015), NeurIPS, "Fast convergence of regularized learning in games", Prop. 7.
    """
    opt = hyper[0]
    eta_x = hyper[1]
    eta_y = hyper[2]
    nx = int(hyper[3])
    d = x0.shape[0]
    z = x0.copy()
    logprior = np.log(x0)
    S = np.zeros(d)
    u = np.empty(d)
    sum_z = np.zeros(d)
    avg = np.empty(d)
    grad = oracles[GRAD]
    points, scalars = new_record(checkpoints, 2, d, 0)
    j = 0
    last = checkpoints[-1]
    for t in range(last + 1):
        if t == checkpoints[j]:
            if t == 0:
                store_point(points, j, 1, z)
            else:
                for i in range(d):
                    avg[i] = sum_z[i] / t
                store_point(points, j, 1, avg)
            j += 1
            if checkpoint(points, scalars, j - 1, z, scalars[0], 0):
                return points, scalars, j, STATUS_DIVERGED
            if t == last:
                break
        for i in range(d):
            sum_z[i] += z[i]
        grad(A, b, p, z, u)
        for i in range(d):
            S[i] += u[i]
        for lo, hi, eta in ((0, nx, eta_x), (nx, d, eta_y)):
            mx = -np.inf
            for i in range(lo, hi):
                avg[i] = logprior[i] - eta * (S[i] + opt * u[i])
                if avg[i] > mx:
                    mx = avg[i]
            tot = 0.0
            for i in range(lo, hi):
                z[i] = np.exp(avg[i] - mx)
                tot += z[i]
            for i in range(lo, hi):
                z[i] /= tot
    return points, scalars, j, STATUS_OK


@lazy_jit("method")
def gradient_play(oracles, A, b, p, x0, hyper, checkpoints, seed, track):
    """Projected gradient play / simultaneous gradient descent-ascent (forward step).

    Update: z_{k+1} = Π(z_k − η F(z_k)), with Π the ``prox`` oracle (the projection onto the
    joint action set; the identity on unconstrained games, where this is simultaneous GDA,
    i.e. explicit Euler on z' = −F(z)).

    Parameters (``hyper``): ``[η]``. For μ-strongly monotone, L-Lipschitz F and
    0 < η < 2μ/L²: ‖z_{k+1} − z*‖ <= sqrt(1 − 2ημ + η²L²) ‖z_k − z*‖ (in any norm in which the
    constants hold).

    Records ``last`` (z_k) and ``avg`` ((1/k) Σ_{t<k} z_t).

    References: Rosen (1965), Econometrica 33, "Existence and uniqueness of equilibrium points
    for concave N-person games"; Facchinei & Pang (2003), *Finite-Dimensional Variational
    Inequalities and Complementarity Problems*, §12.1 (projection method).
    """
    eta = hyper[0]
    d = x0.shape[0]
    z = x0.copy()
    g = np.empty(d)
    y = np.empty(d)
    sum_z = np.zeros(d)
    avg = np.empty(d)
    grad = oracles[GRAD]
    prox = oracles[PROX]
    points, scalars = new_record(checkpoints, 2, d, 0)
    j = 0
    last = checkpoints[-1]
    for k in range(last + 1):
        if k == checkpoints[j]:
            if k == 0:
                store_point(points, j, 1, z)
            else:
                for i in range(d):
                    avg[i] = sum_z[i] / k
                store_point(points, j, 1, avg)
            j += 1
            if checkpoint(points, scalars, j - 1, z, scalars[0], 0):
                return points, scalars, j, STATUS_DIVERGED
            if k == last:
                break
        grad(A, b, p, z, g)
        for i in range(d):
            sum_z[i] += z[i]
            y[i] = z[i] - eta * g[i]
        prox(A, b, p, y, eta, z)
    return points, scalars, j, STATUS_OK


@lazy_jit("method")
def og_separation(oracles, A, b, p, x0, hyper, checkpoints, seed, track):
    """Optimistic gradient with learning-rate separation, noisy feedback, player-1 regret.

    Update (t = 0, 1, ...; V̂ the ``sgrad`` oracle with sample s_t = sample_id(seed, t), Π the
    ``prox`` oracle, V̂_{−1/2} = 0):

        X_{t+1/2} = Π(X_t − γ_t V̂_{t−1/2}),    V̂_{t+1/2} = V̂(X_{t+1/2}),
        X_{t+1}   = Π(X_t − η_t V̂_{t+1/2}),

    with the extrapolation step γ_t >= the update step η_t. Schedules (``hyper[0]``): 0,
    constant γ_t = γ, η_t = η; 1, γ_t = γ/sqrt(t+1), η_t = η/sqrt(t+1).

    Regret of player 1 (the first n_x coordinates) at the played points X_{t+1/2}, for the
    linearised losses with exact gradients g_t = V_1(X_{t+1/2}) (``grad`` oracle; for convex
    losses this upper-bounds the regret of the true losses):
    R_T = Σ_{t<T} ⟨g_t, x_{t+1/2}⟩ − min_{p ∈ P} ⟨Σ_{t<T} g_t, p⟩, the minimum taken by the
    ``lmo`` oracle (the family's comparator set, blockwise).

    Parameters (``hyper``): ``[schedule, γ, η, n_x]``.

    Records ``last`` (X_k), ``avg`` ((1/k) Σ_{t<k} X_{t+1/2}) and the scalars ``regret`` (R_k)
    and ``avg_regret`` (R_k/k; both 0 at k = 0, before any round).

    References: Hsieh, Antonakopoulos, Cevher & Mertikopoulos (2022), "No-regret learning in
    games with noisy feedback: faster rates and adaptivity via learning rate separation",
    NeurIPS; Popov (1980), Math. Notes 28 (past extra-gradient).
    """
    schedule = int(hyper[0])
    gamma = hyper[1]
    eta = hyper[2]
    nx = int(hyper[3])
    d = x0.shape[0]
    X = x0.copy()
    Xh = np.empty(d)
    Vh = np.zeros(d)
    g = np.empty(d)
    y = np.empty(d)
    G = np.zeros(d)
    s_min = np.empty(d)
    sum_z = np.zeros(d)
    avg = np.empty(d)
    played = 0.0
    grad = oracles[GRAD]
    sgrad = oracles[SGRAD]
    prox = oracles[PROX]
    lmo = oracles[LMO]
    points, scalars = new_record(checkpoints, 2, d, 2)
    j = 0
    last = checkpoints[-1]
    for t in range(last + 1):
        if t == checkpoints[j]:
            if t == 0:
                store_point(points, j, 1, X)
                scalars[j, 0] = 0.0
                scalars[j, 1] = 0.0
            else:
                for i in range(d):
                    avg[i] = sum_z[i] / t
                store_point(points, j, 1, avg)
                lmo(A, b, p, G, s_min)
                best = 0.0
                for i in range(nx):
                    best += G[i] * s_min[i]
                scalars[j, 0] = played - best
                scalars[j, 1] = scalars[j, 0] / t
            j += 1
            if checkpoint(points, scalars, j - 1, X, scalars[0], 0):
                return points, scalars, j, STATUS_DIVERGED
            if t == last:
                break
        if schedule == 0:
            gam, et = gamma, eta
        else:
            gam, et = gamma / np.sqrt(t + 1.0), eta / np.sqrt(t + 1.0)
        for i in range(d):
            y[i] = X[i] - gam * Vh[i]
        prox(A, b, p, y, gam, Xh)
        sgrad(A, b, p, Xh, t, sample_id(seed, t), Vh)
        grad(A, b, p, Xh, g)
        for i in range(nx):
            played += g[i] * Xh[i]
            G[i] += g[i]
        for i in range(d):
            sum_z[i] += Xh[i]
            y[i] = X[i] - et * Vh[i]
        prox(A, b, p, y, et, X)
    return points, scalars, j, STATUS_OK


# -- registry rows (legacy whole-run kernels; see convlab.algorithms.registry) --

from .registry import Algorithm, LegacyKernel  # noqa: E402

ALGORITHMS = (
    Algorithm('hedge', LegacyKernel(hedge, hyper=('variant0', 'eta_x', 'eta_y', 'n_x'), points=('last', 'avg'), record_scalars=(), needs=('grad',), stochastic=False),
              (('eta_x', 'sqrt(8*log(n)/N)'), ('eta_y', 'sqrt(8*log(m)/N)'), ('n_x', 'n')),
              fixed={'variant0': 0.0},
              summary='Hedge (exponential weights) for both players of a matrix game'),
    Algorithm('optimistic-hedge', LegacyKernel(hedge, hyper=('variant0', 'eta_x', 'eta_y', 'n_x'), points=('last', 'avg'), record_scalars=(), needs=('grad',), stochastic=False),
              (('eta_x', '0.5'), ('eta_y', '0.5'), ('n_x', 'n')),
              fixed={'variant0': 1.0},
              summary='optimistic Hedge for both players of a matrix game'),
    Algorithm('gradient-play', LegacyKernel(gradient_play, hyper=('step',), points=('last', 'avg'), record_scalars=(), needs=('grad', 'prox'), stochastic=False),
              (('step', None),),
              fixed={},
              summary='projected gradient play z+ = P(z - step F(z)) (simultaneous GDA when unconstrained)'),
    Algorithm('gda', LegacyKernel(gradient_play, hyper=('step',), points=('last', 'avg'), record_scalars=(), needs=('grad',), stochastic=False),
              (('step', None),),
              fixed={},
              summary='simultaneous gradient descent-ascent z+ = z - step F(z) (explicit Euler)'),
    Algorithm('og-separation', LegacyKernel(og_separation, hyper=('variant0', 'gamma', 'eta', 'n_x'), points=('last', 'avg'), record_scalars=('regret', 'avg_regret'), needs=('grad', 'sgrad', 'prox', 'lmo'), stochastic=True),
              (('gamma', None), ('eta', None), ('n_x', 'd/2')),
              fixed={'variant0': 0.0},
              summary='optimistic gradient, separate constant extrapolation/update steps'),
    Algorithm('og-separation-sqrt', LegacyKernel(og_separation, hyper=('variant0', 'gamma', 'eta', 'n_x'), points=('last', 'avg'), record_scalars=('regret', 'avg_regret'), needs=('grad', 'sgrad', 'prox', 'lmo'), stochastic=True),
              (('gamma', None), ('eta', None), ('n_x', 'd/2')),
              fixed={'variant0': 1.0},
              summary='optimistic gradient, steps gamma/sqrt(t+1), eta/sqrt(t+1)'),
)
