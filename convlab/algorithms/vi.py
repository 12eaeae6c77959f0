"""Methods for monotone variational inequalities and saddle problems (CLAIMS.md §5.12).

The operator F of the VI (for a saddle problem F(x, y) = (∇_x f, −∇_y f) with z = (x, y)) is
the ``grad`` oracle; the feasible set Z enters through ``prox`` (its projection, the identity
when Z is the whole space). Each method is an ``advance`` function of the kernel contract
(:mod:`convlab.runtime.kernel`) with its :class:`~convlab.runtime.kernel.Kernel` declaration:
row 0 of the state is the last iterate z_k (point ``last``), and one iteration is one update of
z (not one operator call: EG makes two calls per iteration, past-EG one). The loop records the
points at checkpoints, keeps the running quantities when asked (``min_grad_norm_sq`` is then
min ||F(z_i)||² over the iterates) and ends a run whose iterate is non-finite or above the
divergence threshold.

Kernels: :func:`extragradient` (A38), :func:`past_extragradient` (A39, Popov / optimistic
gradient, one call per iteration), :func:`eag` (A40, EAG-C of Yoon & Ryu), :func:`aog` (A41,
anchored optimistic gradient), :func:`forward_step` (A44), :func:`stochastic_past_eg` (A45).
"""

from __future__ import annotations


from ..runtime.jit import GRAD, PROX, SGRAD, STATUS_OK, lazy_jit, njit_helper
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


# Rows of the extragradient-type state (extragradient, past_extragradient): the recorded points,
# the half step, the sum of the half steps, the operator value (extragradient writes the argument
# of the projection over it) and, for past_extragradient, the argument of the projection.
_LAST, _AVG, _HALF, _HALF_SUM, _GRAD, _WORK = range(6)


@lazy_jit("init")
def eg_init(oracles, A, b, p, hyper, seed, X, s):
    """The sum of the half steps starts at 0."""
    for i in range(X.shape[1]):
        X[_HALF_SUM, i] = 0.0


@lazy_jit("observe")
def eg_observe(oracles, A, b, p, hyper, seed, k, X, s, P, S):
    """``avg`` = (1/k) Σ_{t<k} z_{t+1/2} (z_0 at k = 0), then the default record."""
    if k > 0:
        for i in range(X.shape[1]):
            X[_AVG, i] = X[_HALF_SUM, i] / k
    else:
        for i in range(X.shape[1]):
            X[_AVG, i] = X[_LAST, i]
    copy_record(X, s, P, S)
    return STATUS_OK


@lazy_jit("advance")
def extragradient(oracles, A, b, p, hyper, seed, checkpoints, k0, k1, X, s):
    """Projected extragradient (Korpelevich 1976; mirror-prox in the Euclidean case).

    Update, for k = 0, 1, ...:

        z_{k+1/2} = Π_Z(z_k − γ F(z_k)),
        z_{k+1}   = Π_Z(z_k − γ F(z_{k+1/2})).

    Parameters: ``step`` γ (γ <= 1/L for an L-Lipschitz monotone F).

    Records ``last`` = z_k and ``avg`` = (1/k) Σ_{t<k} z_{t+1/2}, the ergodic average of the
    half-step points (z_0 at k = 0), whose restricted gap is at most max_{z∈Z} ||z_0 − z||²/(2γk).
    State: z_{k+1/2}, Σ_{t<k} z_{t+1/2}, and one vector that holds F(z_k), then the argument
    z_k − γ F(z_k) of the projection, then F(z_{k+1/2}), then z_k − γ F(z_{k+1/2}) (each value is
    dead once the next is formed, so no separate work vector is needed).

    References: Korpelevich (1976), Ekonomika i Mat. Metody 12; Nemirovski (2004), SIAM J. Optim.
    15(1), Thm 3.2 (mirror-prox); Bubeck (2015), Convex Optimization: Algorithms and Complexity,
    Found. Trends Mach. Learn. 8, §4.5.
    """
    gamma = hyper[0]
    grad = oracles[GRAD]
    prox = oracles[PROX]
    z = X[_LAST]
    zh = X[_HALF]
    s_half = X[_HALF_SUM]
    g = X[_GRAD]
    d = z.shape[0]
    for k in range(k0, k1):
        grad(A, b, p, z, g)
        for i in range(d):
            g[i] = z[i] - gamma * g[i]
        prox(A, b, p, g, gamma, zh)
        grad(A, b, p, zh, g)
        for i in range(d):
            g[i] = z[i] - gamma * g[i]
            s_half[i] += zh[i]
        prox(A, b, p, g, gamma, z)
    return STATUS_OK


@lazy_jit("init")
def past_eg_init(oracles, A, b, p, hyper, seed, X, s):
    """The sum of the half steps starts at 0; the stored operator value is F(z_{−1/2}) = F(z_0)."""
    for i in range(X.shape[1]):
        X[_HALF_SUM, i] = 0.0
    oracles[GRAD](A, b, p, X[_LAST], X[_GRAD])


@lazy_jit("advance")
def past_extragradient(oracles, A, b, p, hyper, seed, checkpoints, k0, k1, X, s):
    """Past extragradient (Popov 1980), i.e. optimistic gradient: one operator call per step.

    Update, with z_{−1/2} = z_0:

        z_{k+1/2} = Π_Z(z_k − γ F(z_{k−1/2})),
        z_{k+1}   = Π_Z(z_k − γ F(z_{k+1/2})),

    where F(z_{k−1/2}) is the value stored from the previous iteration (so iteration k makes the
    single call F(z_{k+1/2})). Unconstrained, this is the optimistic gradient method
    z_{k+1/2} = z_{k−1/2} − 2γ F(z_{k−1/2}) + γ F(z_{k−3/2}).

    Parameters: ``step`` γ. The catalog uses γ = 1/(4L); the step condition of the single-call
    analyses (γ of order 1/(2L), recalled, see the claim notes) is not relied on.

    Records ``last`` = z_k and ``avg`` = (1/k) Σ_{t<k} z_{t+1/2} (z_0 at k = 0). State:
    z_{k−1/2}, Σ_{t<k} z_{t+1/2}, F(z_{k−1/2}), a work vector.

    References: Popov (1980), Math. Notes 28(5); Gidel, Berard, Vignoud, Vincent & Lacoste-Julien
    (2019), ICLR, "A variational inequality perspective on GANs", Thm 1; Hsieh, Iutzeler,
    Malick & Mertikopoulos (2019), NeurIPS, "On the convergence of single-call stochastic
    extra-gradient methods".
    """
    gamma = hyper[0]
    grad = oracles[GRAD]
    prox = oracles[PROX]
    z = X[_LAST]
    zh = X[_HALF]
    s_half = X[_HALF_SUM]
    g = X[_GRAD]
    y = X[_WORK]
    d = z.shape[0]
    for k in range(k0, k1):
        for i in range(d):
            y[i] = z[i] - gamma * g[i]
        prox(A, b, p, y, gamma, zh)
        grad(A, b, p, zh, g)
        for i in range(d):
            y[i] = z[i] - gamma * g[i]
            s_half[i] += zh[i]
        prox(A, b, p, y, gamma, z)
    return STATUS_OK


@lazy_jit("advance")
def eag(oracles, A, b, p, hyper, seed, checkpoints, k0, k1, X, s):
    """Extra anchored gradient with constant step, EAG-C (Yoon & Ryu 2021), unconstrained.

    Update, for k = 0, 1, ... with β_k = 1/(k + 2):

        z_{k+1/2} = z_k + β_k (z_0 − z_k) − α F(z_k),
        z_{k+1}   = z_k + β_k (z_0 − z_k) − α F(z_{k+1/2}).

    Parameters: ``step`` α (Yoon & Ryu take α <= 1/(8L)).

    Records ``last`` = z_k. The guarantee is on ||F(z_k)||² = O(L² ||z_0 − z*||²/(k+1)²).
    State: the anchor z_0, z_{k+1/2}, the operator value.

    Reference: Yoon & Ryu (2021), "Accelerated algorithms for smooth convex-concave minimax
    problems with O(1/k²) rate on squared gradient norm", ICML, Thm 1 (EAG-C).
    """
    alpha = hyper[0]
    grad = oracles[GRAD]
    z = X[0]
    x0 = X[1]
    zh = X[2]
    g = X[3]
    d = z.shape[0]
    for k in range(k0, k1):
        beta = 1.0 / (k + 2.0)
        grad(A, b, p, z, g)
        for i in range(d):
            zh[i] = z[i] + beta * (x0[i] - z[i]) - alpha * g[i]
        grad(A, b, p, zh, g)
        for i in range(d):
            z[i] = z[i] + beta * (x0[i] - z[i]) - alpha * g[i]
    return STATUS_OK


@lazy_jit("init")
def aog_init(oracles, A, b, p, hyper, seed, X, s):
    """The stored operator value is F(z_{−1/2}) = F(z_0) (the anchor row holds z_0)."""
    oracles[GRAD](A, b, p, X[0], X[3])


@lazy_jit("advance")
def aog(oracles, A, b, p, hyper, seed, checkpoints, k0, k1, X, s):
    """Accelerated (anchored) optimistic gradient, AOG: optimism plus Halpern anchoring.

    Update, for k = 0, 1, ... with anchor weight β_k = 1/(k + c) and F(z_{−1/2}) := F(z_0):

        z_{k+1/2} = Π_Z(z_k + β_k (z_0 − z_k) − η F(z_{k−1/2})),
        z_{k+1}   = Π_Z(z_k + β_k (z_0 − z_k) − η F(z_{k+1/2})),

    one operator call per iteration (F(z_{k+1/2}) is reused as the optimistic term of the next
    step).

    Parameters: ``step`` η and ``shift`` c (the anchor shift; the catalog's recalled form is
    c = 1, the first step then being anchored fully at z_0).

    Records ``last`` = z_k. State: the anchor z_0, z_{k−1/2}, F(z_{k−1/2}), a work vector.

    Reference: Cai & Zheng (2023), "Doubly optimal no-regret learning in monotone games", ICML
    (AOG; O(1/T) last-iterate rate); Cai & Zheng (2023), "Accelerated single-call methods for
    constrained min-max optimization", ICLR.
    """
    eta = hyper[0]
    shift = hyper[1]
    grad = oracles[GRAD]
    prox = oracles[PROX]
    z = X[0]
    x0 = X[1]
    zh = X[2]
    g = X[3]
    y = X[4]
    d = z.shape[0]
    for k in range(k0, k1):
        beta = 1.0 / (k + shift)
        for i in range(d):
            y[i] = z[i] + beta * (x0[i] - z[i]) - eta * g[i]
        prox(A, b, p, y, eta, zh)
        grad(A, b, p, zh, g)
        for i in range(d):
            y[i] = z[i] + beta * (x0[i] - z[i]) - eta * g[i]
        prox(A, b, p, y, eta, z)
    return STATUS_OK


@lazy_jit("advance")
def forward_step(oracles, A, b, p, hyper, seed, checkpoints, k0, k1, X, s):
    """Projected forward step (projection method for VIs, simultaneous gradient play).

    Update: z_{k+1} = Π_Z(z_k − η F(z_k)).

    Parameters: ``step`` η. For μ-strongly monotone, L-Lipschitz F and 0 < η < 2μ/L²:
    ||z_{k+1} − z*||² <= (1 − 2ημ + η²L²) ||z_k − z*||².

    Records ``last`` = z_k.

    References: Facchinei & Pang (2003), Finite-Dimensional Variational Inequalities and
    Complementarity Problems, Springer, §12.1 (projection methods); Sibony (1970).
    """
    eta = hyper[0]
    grad = oracles[GRAD]
    prox = oracles[PROX]
    z = X[0]
    g = X[1]
    y = X[2]
    d = z.shape[0]
    for k in range(k0, k1):
        grad(A, b, p, z, g)
        for i in range(d):
            y[i] = z[i] - eta * g[i]
        prox(A, b, p, y, eta, z)
    return STATUS_OK


@lazy_jit("init")
def stochastic_past_eg_init(oracles, A, b, p, hyper, seed, X, s):
    """``escaped`` from X_0, and the stored value V̂(X_{−1/2}; s_0) = V̂(X_0; s_0)."""
    z = X[0]
    escaped = 0.0
    for i in range(z.shape[0]):
        if abs(z[i]) > 1.0:
            escaped = 1.0
    s[0] = escaped
    oracles[SGRAD](A, b, p, z, 0, sample_id(seed, 0), X[2])


@lazy_jit("advance")
def stochastic_past_eg(oracles, A, b, p, hyper, seed, checkpoints, k0, k1, X, s):
    """Stochastic past extragradient (single-call SEG) with steps γ_t = γ/(t + b).

    Update, for t = 0, 1, ..., with V̂ the ``sgrad`` oracle:

        X_{t+1/2} = Π_Z(X_t − γ_t V̂(X_{t−1/2}; s_t)),
        X_{t+1}   = Π_Z(X_t − γ_t V̂(X_{t+1/2}; s_{t+1})),

    where s_t = sample_id(seed, t), X_{−1/2} = X_0 (so V̂(X_{−1/2}; s_0) is one extra call
    before the loop) and the value V̂(X_{t+1/2}; s_{t+1}) is reused by iteration t + 1: one
    stochastic call per iteration.

    Parameters: ``step`` γ and ``shift`` b.

    Records ``last`` = X_t; scalars: the tracked columns, then ``escaped`` = 1 if some
    coordinate of some X_s or X_{s+1/2} (s < t) exceeded 1 in absolute value (for the local VI
    of recipe P44 this is the non-monotone region), else 0. State: X_{t−1/2},
    V̂(X_{t−1/2}; s_t), a work vector.

    Reference: Hsieh, Iutzeler, Malick & Mertikopoulos (2019), "On the convergence of
    single-call stochastic extra-gradient methods", NeurIPS (local O(1/t) rate near a solution
    where sym DV(x*) ≻ 0).
    """
    gamma = hyper[0]
    shift = hyper[1]
    sgrad = oracles[SGRAD]
    prox = oracles[PROX]
    z = X[0]
    zh = X[1]
    g = X[2]
    y = X[3]
    d = z.shape[0]
    escaped = s[0]
    for t in range(k0, k1):
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
    s[0] = escaped
    return STATUS_OK


EXTRAGRADIENT = Kernel(extragradient, hyper=("step",), points=("last", "avg"),
                       vectors=("half", "half_sum", "grad"), needs=("grad", "prox"),
                       init=eg_init, observe=eg_observe)
PAST_EXTRAGRADIENT = Kernel(past_extragradient, hyper=("step",), points=("last", "avg"),
                            vectors=("half", "half_sum", "grad", "work"),
                            needs=("grad", "prox"), init=past_eg_init, observe=eg_observe)
EAG = Kernel(eag, hyper=("step",), vectors=("anchor", "half", "grad"))
AOG = Kernel(aog, hyper=("step", "shift"), vectors=("anchor", "half", "grad", "work"),
             needs=("grad", "prox"), init=aog_init)
FORWARD_STEP = Kernel(forward_step, hyper=("step",), vectors=("grad", "work"),
                      needs=("grad", "prox"))
STOCHASTIC_PAST_EG = Kernel(stochastic_past_eg, hyper=("step", "shift"),
                            vectors=("half", "grad", "work"), scalars=("escaped",),
                            needs=("sgrad", "prox"), stochastic=True,
                            init=stochastic_past_eg_init)

ALGORITHMS = (
    Algorithm("extragradient", EXTRAGRADIENT, (("step", "1/L"),),
              summary="projected extragradient (two operator calls per iteration)"),
    Algorithm("past-eg", PAST_EXTRAGRADIENT, (("step", "1/(4*L)"),),
              summary="past extragradient (Popov) / optimistic gradient, one operator call per "
                      "iteration"),
    Algorithm("eag-c", EAG, (("step", "1/(8*L)"),),
              summary="extra anchored gradient, constant step (Yoon & Ryu 2021), unconstrained"),
    Algorithm("aog", AOG, (("step", "1/(2*L)"), ("shift", "1")),
              summary="anchored (accelerated) optimistic gradient, anchor weight 1/(k + shift)"),
    Algorithm("forward-step", FORWARD_STEP, (("step", "mu/L**2"),),
              summary="projected forward step z+ = P(z - step F(z))"),
    Algorithm("stochastic-past-eg", STOCHASTIC_PAST_EG, (("step", None), ("shift", "1")),
              summary="stochastic past extragradient, step/(t + shift)"),
)
