"""Learning dynamics in games: Hedge, optimistic Hedge and (projected) gradient play.

A game is given by its operator F(z) (the ``grad`` oracle of the family), z = (x, y) the joint
action; a player's loss vector (or gradient) is its block of F(z). Each method is an
``advance`` function of the kernel contract (:mod:`convlab.runtime.kernel`) with its
:class:`~convlab.runtime.kernel.Kernel` declaration. They record the last iterate (point
``last``, row 0 of the state) and the time average of the plays ``avg`` = (1/k) Σ_{t<k} z_t (z_0
at k = 0), which no-regret guarantees bound through the identity Gap(z̄_T) = (Reg_x + Reg_y)/T
of two-player zero-sum games. Games have no objective value, so these kernels keep no running
scalars of their own (og-separation records its regret).
"""

from __future__ import annotations

import numpy as np

from ..runtime.jit import GRAD, LMO, PROX, SGRAD, STATUS_OK, lazy_jit, njit_helper
from ..runtime.kernel import Kernel
from ..runtime.random import sample_id
from .registry import Algorithm


@njit_helper
def copy_record(X, s, P, S):
    """The record of a checkpoint: the first rows of X and the first entries of s."""
    for r in range(P.shape[0]):
        for i in range(P.shape[1]):
            P[r, i] = X[r, i]
    for c in range(S.shape[0]):
        S[c] = s[c]


@njit_helper
def store_average(X, k, src):
    """Row 1 (``avg``) = X[src]/k, or row 0 (the start z_0) at k = 0."""
    if k > 0:
        for i in range(X.shape[1]):
            X[1, i] = X[src, i] / k
    else:
        for i in range(X.shape[1]):
            X[1, i] = X[0, i]


# Rows of the Hedge state: the recorded points, the log-prior, the cumulative loss, the loss of
# the round, the sum of the plays and the log-weights.
_H_LAST, _H_AVG, _H_LOGPRIOR, _H_LOSS_SUM, _H_LOSS, _H_PLAY_SUM, _H_LOGW = range(7)


@lazy_jit("init")
def hedge_init(oracles, A, b, p, hyper, seed, X, s):
    """log z_0 (the prior), cumulative loss 0, sum of the plays 0."""
    for i in range(X.shape[1]):
        X[_H_LOGPRIOR, i] = np.log(X[_H_LAST, i])
        X[_H_LOSS_SUM, i] = 0.0
        X[_H_PLAY_SUM, i] = 0.0


@lazy_jit("observe")
def hedge_observe(oracles, A, b, p, hyper, seed, k, X, s, P, S):
    """``avg`` = (1/k) Σ_{t<k} z_t (z_0 at k = 0), then the default record."""
    store_average(X, k, np.int64(_H_PLAY_SUM))
    copy_record(X, s, P, S)
    return STATUS_OK


@lazy_jit("advance")
def hedge(oracles, A, b, p, hyper, seed, checkpoints, k0, k1, X, s):
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

    Parameters: ``optimistic`` (0: Hedge, 1: optimistic Hedge), ``eta_x`` η_x, ``eta_y`` η_y and
    ``n_x`` the length of the x-block.

    Records ``last`` (z_k) and ``avg`` ((1/k) Σ_{t<k} z_t). State: log z_0, Σ_{s<t} u_s, u_{t−1},
    Σ_{s<t} z_s, the log-weights.

    References: Freund & Schapire (1999), Games Econ. Behav. 29, "Adaptive game playing using
    multiplicative weights"; Cesa-Bianchi & Lugosi (2006), *Prediction, Learning, and Games*,
    Thm 2.2; optimistic Hedge: Rakhlin & Sridharan (2013), NeurIPS; Syrgkanis, Agarwal, Luo &
    Schapire (2015), NeurIPS, "Fast convergence of regularized learning in games", Prop. 7.
    """
    opt = hyper[0]
    eta_x = hyper[1]
    eta_y = hyper[2]
    nx = int(hyper[3])
    grad = oracles[GRAD]
    z = X[_H_LAST]
    logprior = X[_H_LOGPRIOR]
    S = X[_H_LOSS_SUM]
    u = X[_H_LOSS]
    sum_z = X[_H_PLAY_SUM]
    logw = X[_H_LOGW]
    d = z.shape[0]
    for t in range(k0, k1):
        for i in range(d):
            sum_z[i] += z[i]
        grad(A, b, p, z, u)
        for i in range(d):
            S[i] += u[i]
        for lo, hi, eta in ((0, nx, eta_x), (nx, d, eta_y)):
            mx = -np.inf
            for i in range(lo, hi):
                logw[i] = logprior[i] - eta * (S[i] + opt * u[i])
                if logw[i] > mx:
                    mx = logw[i]
            tot = 0.0
            for i in range(lo, hi):
                z[i] = np.exp(logw[i] - mx)
                tot += z[i]
            for i in range(lo, hi):
                z[i] /= tot
    return STATUS_OK


# Rows of the gradient-play state: the recorded points, the operator value, a work vector and
# the sum of the plays.
_GP_LAST, _GP_AVG, _GP_GRAD, _GP_WORK, _GP_PLAY_SUM = range(5)


@lazy_jit("init")
def gradient_play_init(oracles, A, b, p, hyper, seed, X, s):
    """The sum of the plays starts at 0."""
    for i in range(X.shape[1]):
        X[_GP_PLAY_SUM, i] = 0.0


@lazy_jit("observe")
def gradient_play_observe(oracles, A, b, p, hyper, seed, k, X, s, P, S):
    """``avg`` = (1/k) Σ_{t<k} z_t (z_0 at k = 0), then the default record."""
    store_average(X, k, np.int64(_GP_PLAY_SUM))
    copy_record(X, s, P, S)
    return STATUS_OK


@lazy_jit("advance")
def gradient_play(oracles, A, b, p, hyper, seed, checkpoints, k0, k1, X, s):
    """Projected gradient play / simultaneous gradient descent-ascent (forward step).

    Update: z_{k+1} = Π(z_k − η F(z_k)), with Π the ``prox`` oracle (the projection onto the
    joint action set; the identity on unconstrained games, where this is simultaneous GDA,
    i.e. explicit Euler on z' = −F(z)); without projection (``project`` = 0, the registered
    ``gda``), z_{k+1} = z_k − η F(z_k) on every family.

    Parameters: ``project`` (1: project with ``prox``, 0: do not call it) and ``step`` η. For
    μ-strongly monotone, L-Lipschitz F and 0 < η < 2μ/L²:
    ‖z_{k+1} − z*‖ <= sqrt(1 − 2ημ + η²L²) ‖z_k − z*‖ (in any norm in which the constants hold).

    Records ``last`` (z_k) and ``avg`` ((1/k) Σ_{t<k} z_t). State: the operator value, a work
    vector, Σ_{t<k} z_t.

    References: Rosen (1965), Econometrica 33, "Existence and uniqueness of equilibrium points
    for concave N-person games"; Facchinei & Pang (2003), *Finite-Dimensional Variational
    Inequalities and Complementarity Problems*, §12.1 (projection method).
    """
    project = hyper[0] != 0.0
    eta = hyper[1]
    grad = oracles[GRAD]
    prox = oracles[PROX]
    z = X[_GP_LAST]
    g = X[_GP_GRAD]
    y = X[_GP_WORK]
    sum_z = X[_GP_PLAY_SUM]
    d = z.shape[0]
    for k in range(k0, k1):
        grad(A, b, p, z, g)
        if project:
            for i in range(d):
                sum_z[i] += z[i]
                y[i] = z[i] - eta * g[i]
            prox(A, b, p, y, eta, z)
        else:
            for i in range(d):
                sum_z[i] += z[i]
                z[i] = z[i] - eta * g[i]
    return STATUS_OK


# State of og_separation: rows (the recorded points, X_{t+1/2}, V̂_{t+1/2}, the exact gradient,
# a work vector, the cumulative gradient G, the comparator, the sum of the half steps) and
# scalars (the recorded regret and average regret, then the played loss).
(_OG_LAST, _OG_AVG, _OG_HALF, _OG_VHALF, _OG_GRAD, _OG_WORK, _OG_GRAD_SUM, _OG_COMPARATOR,
 _OG_HALF_SUM) = range(9)
_OG_REGRET, _OG_AVG_REGRET, _OG_PLAYED = range(3)


@lazy_jit("init")
def og_separation_init(oracles, A, b, p, hyper, seed, X, s):
    """V̂_{−1/2} = 0, G = 0, sum of the half steps 0 (s: regret, average regret, played = 0)."""
    for i in range(X.shape[1]):
        X[_OG_VHALF, i] = 0.0
        X[_OG_GRAD_SUM, i] = 0.0
        X[_OG_HALF_SUM, i] = 0.0


@lazy_jit("observe")
def og_separation_observe(oracles, A, b, p, hyper, seed, k, X, s, P, S):
    """``avg``, and the regret R_k = played − min_{p ∈ P} ⟨G, p⟩ (``lmo``) and R_k/k (both 0
    at k = 0), then the default record."""
    store_average(X, k, np.int64(_OG_HALF_SUM))
    if k == 0:
        s[_OG_REGRET] = 0.0
        s[_OG_AVG_REGRET] = 0.0
    else:
        nx = int(hyper[3])
        G = X[_OG_GRAD_SUM]
        s_min = X[_OG_COMPARATOR]
        oracles[LMO](A, b, p, G, s_min)
        best = 0.0
        for i in range(nx):
            best += G[i] * s_min[i]
        s[_OG_REGRET] = s[_OG_PLAYED] - best
        s[_OG_AVG_REGRET] = s[_OG_REGRET] / k
    copy_record(X, s, P, S)
    return STATUS_OK


@lazy_jit("advance")
def og_separation(oracles, A, b, p, hyper, seed, checkpoints, k0, k1, X, s):
    """Optimistic gradient with learning-rate separation, noisy feedback, player-1 regret.

    Update (t = 0, 1, ...; V̂ the ``sgrad`` oracle with sample s_t = sample_id(seed, t), Π the
    ``prox`` oracle, V̂_{−1/2} = 0):

        X_{t+1/2} = Π(X_t − γ_t V̂_{t−1/2}),    V̂_{t+1/2} = V̂(X_{t+1/2}),
        X_{t+1}   = Π(X_t − η_t V̂_{t+1/2}),

    with the extrapolation step γ_t >= the update step η_t. Schedules (``schedule``): 0,
    constant γ_t = γ, η_t = η; 1, γ_t = γ/sqrt(t+1), η_t = η/sqrt(t+1).

    Regret of player 1 (the first n_x coordinates) at the played points X_{t+1/2}, for the
    linearised losses with exact gradients g_t = V_1(X_{t+1/2}) (``grad`` oracle; for convex
    losses this upper-bounds the regret of the true losses):
    R_T = Σ_{t<T} ⟨g_t, x_{t+1/2}⟩ − min_{p ∈ P} ⟨Σ_{t<T} g_t, p⟩, the minimum taken by the
    ``lmo`` oracle (the family's comparator set, blockwise).

    Parameters: ``schedule`` (0 or 1, above), ``gamma`` γ, ``eta`` η and ``n_x`` the length of
    player 1's block.

    Records ``last`` (X_k), ``avg`` ((1/k) Σ_{t<k} X_{t+1/2}) and the scalars ``regret`` (R_k)
    and ``avg_regret`` (R_k/k; both 0 at k = 0, before any round). State: X_{t−1/2},
    V̂_{t−1/2}, the exact gradient, a work vector, G = Σ_{t<k} g_t, the comparator,
    Σ_{t<k} X_{t+1/2}; the played loss Σ_{t<k} ⟨g_t, x_{t+1/2}⟩.

    References: Hsieh, Antonakopoulos, Cevher & Mertikopoulos (2022), "No-regret learning in
    games with noisy feedback: faster rates and adaptivity via learning rate separation",
    NeurIPS; Popov (1980), Math. Notes 28 (past extra-gradient).
    """
    schedule = int(hyper[0])
    gamma = hyper[1]
    eta = hyper[2]
    nx = int(hyper[3])
    grad = oracles[GRAD]
    sgrad = oracles[SGRAD]
    prox = oracles[PROX]
    Z = X[_OG_LAST]
    Xh = X[_OG_HALF]
    Vh = X[_OG_VHALF]
    g = X[_OG_GRAD]
    y = X[_OG_WORK]
    G = X[_OG_GRAD_SUM]
    sum_z = X[_OG_HALF_SUM]
    d = Z.shape[0]
    played = s[_OG_PLAYED]
    for t in range(k0, k1):
        if schedule == 0:
            gam, et = gamma, eta
        else:
            gam, et = gamma / np.sqrt(t + 1.0), eta / np.sqrt(t + 1.0)
        for i in range(d):
            y[i] = Z[i] - gam * Vh[i]
        prox(A, b, p, y, gam, Xh)
        sgrad(A, b, p, Xh, t, sample_id(seed, t), Vh)
        grad(A, b, p, Xh, g)
        for i in range(nx):
            played += g[i] * Xh[i]
            G[i] += g[i]
        for i in range(d):
            sum_z[i] += Xh[i]
            y[i] = Z[i] - et * Vh[i]
        prox(A, b, p, y, et, Z)
    s[_OG_PLAYED] = played
    return STATUS_OK


HEDGE = Kernel(hedge, hyper=("optimistic", "eta_x", "eta_y", "n_x"), points=("last", "avg"),
               vectors=("log_prior", "loss_sum", "loss", "play_sum", "log_weights"),
               init=hedge_init, observe=hedge_observe)
_GRADIENT_PLAY_LAYOUT = dict(hyper=("project", "step"), points=("last", "avg"),
                             vectors=("grad", "work", "play_sum"), init=gradient_play_init,
                             observe=gradient_play_observe)
GRADIENT_PLAY = Kernel(gradient_play, needs=("grad", "prox"), **_GRADIENT_PLAY_LAYOUT)
#: The same kernel with project = 0 (gda) does not call ``prox``.
GDA = Kernel(gradient_play, needs=("grad",), **_GRADIENT_PLAY_LAYOUT)
OG_SEPARATION = Kernel(og_separation, hyper=("schedule", "gamma", "eta", "n_x"),
                       points=("last", "avg"),
                       vectors=("half", "v_half", "grad", "work", "grad_sum", "comparator",
                                "half_sum"),
                       scalars=("regret", "avg_regret"), state=("played",),
                       needs=("grad", "sgrad", "prox", "lmo"), stochastic=True,
                       init=og_separation_init, observe=og_separation_observe)

ALGORITHMS = (
    Algorithm("hedge", HEDGE,
              (("eta_x", "sqrt(8*log(n)/N)"), ("eta_y", "sqrt(8*log(m)/N)"), ("n_x", "n")),
              fixed={"optimistic": 0.0},
              summary="Hedge (exponential weights) for both players of a matrix game"),
    Algorithm("optimistic-hedge", HEDGE, (("eta_x", "0.5"), ("eta_y", "0.5"), ("n_x", "n")),
              fixed={"optimistic": 1.0},
              summary="optimistic Hedge for both players of a matrix game"),
    Algorithm("gradient-play", GRADIENT_PLAY, (("step", None),), fixed={"project": 1.0},
              summary="projected gradient play z+ = P(z - step F(z)) (simultaneous GDA when "
                      "unconstrained)"),
    Algorithm("gda", GDA, (("step", None),), fixed={"project": 0.0},
              summary="simultaneous gradient descent-ascent z+ = z - step F(z) (explicit Euler)"),
    Algorithm("og-separation", OG_SEPARATION, (("gamma", None), ("eta", None), ("n_x", "d/2")),
              fixed={"schedule": 0.0},
              summary="optimistic gradient, separate constant extrapolation/update steps"),
    Algorithm("og-separation-sqrt", OG_SEPARATION,
              (("gamma", None), ("eta", None), ("n_x", "d/2")),
              fixed={"schedule": 1.0},
              summary="optimistic gradient, steps gamma/sqrt(t+1), eta/sqrt(t+1)"),
)
