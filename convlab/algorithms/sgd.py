"""Stochastic gradient descent with step-size schedules, projection and iterate averaging.

The method is an ``advance`` function of the kernel contract (:mod:`convlab.runtime.kernel`)
with an ``observe`` that forms the averages at a checkpoint. It calls the ``sgrad`` oracle (and
``prox`` after each step: the identity on unconstrained problems, the projection on
constrained ones). Iteration t uses the sample ``s_t = sample_id(seed, t)``, so a run is a pure
function of its seed (:mod:`convlab.runtime.random`).
"""

from __future__ import annotations

import numpy as np

from ..runtime.jit import PROX, SGRAD, STATUS_OK, lazy_jit
from ..runtime.kernel import Kernel
from ..runtime.random import sample_id
from .registry import Algorithm

#: Schedule codes of :func:`sgd` (the ``schedule`` slot).
CONSTANT, INVERSE, INVERSE_SQRT, LINEAR_DECAY, STEP_DECAY = range(5)


@lazy_jit("advance")
def sgd(oracles, A, b, p, hyper, seed, checkpoints, k0, k1, X, s):
    """(Projected, mini-batch) stochastic gradient descent with a step-size schedule.

    Update, for t = 0, 1, ...:

        g_t = (1/B) Σ_{i<B} G(x_t, ξ_{t,i}),      x_{t+1} = Π_X(x_t − γ_t g_t),

    where G is the ``sgrad`` oracle, B the batch size and Π_X the ``prox`` oracle with step γ_t
    (the identity on unconstrained problems). Step-size schedules (``schedule``):

    - 0, constant: γ_t = γ;
    - 1, inverse: γ_t = γ / (c + t)  (Bottou, Curtis & Nocedal's β/(γ + k) with β = γ, γ = c);
    - 2, inverse square root: γ_t = γ / sqrt(c + t);
    - 3, linear decay to the horizon N: γ_t = γ max(0, 1 − t/N);
    - 4, step decay: γ_t = γ · q^floor(t / E).

    Parameters: ``step`` γ; ``shift`` c (schedules 1 and 2); ``horizon`` N (schedule 3);
    ``every`` E and ``factor`` q (schedule 4); ``batch`` B (mini-batch size, at least 1).
    A schedule reads only its own slots (the others are fixed to 0 by its registry row).

    Records three points: ``last`` (x_k), ``avg`` = (1/k) Σ_{t<k} x_t (the uniform average of
    the first k iterates; x_0 at k = 0) and ``wavg`` = Σ_{t<k} γ_t x_t / Σ_{t<k} γ_t (the
    step-weighted average; x_k while no positive step was taken), formed by :func:`sgd_observe`.
    State: the sums Σ x_t and Σ γ_t x_t, the mini-batch gradient, one sample's gradient, the
    gradient step before the projection; the scalar Σ γ_t.

    Mini-batch sample i of iteration t is ``sample_id(seed, t·B + i)``, so B = 1 draws exactly
    the stream of the plain method.

    References: Robbins & Monro (1951), Ann. Math. Stat. 22(3); Bottou, Curtis & Nocedal (2018),
    SIAM Rev. 60(2), §4; Garrigos & Gower (2023), Handbook of convergence theorems for
    (stochastic) gradient methods, arXiv:2301.11235.
    """
    sgrad = oracles[SGRAD]
    prox = oracles[PROX]
    schedule = int(hyper[0])
    gamma = hyper[1]
    shift = hyper[2]
    horizon = hyper[3]
    every = hyper[4]
    factor = hyper[5]
    batch = max(1, int(hyper[6]))
    x = X[0]
    sum_x = X[3]
    wsum_x = X[4]
    g = X[5]
    gi = X[6]
    y = X[7]
    wsum = s[0]
    for t in range(k0, k1):
        if schedule == CONSTANT:
            step = gamma
        elif schedule == INVERSE:
            step = gamma / (shift + t)
        elif schedule == INVERSE_SQRT:
            step = gamma / np.sqrt(shift + t)
        elif schedule == LINEAR_DECAY:
            step = gamma * max(0.0, 1.0 - t / horizon)
        else:
            step = gamma * factor ** np.floor(t / every)
        for i in range(x.shape[0]):
            sum_x[i] += x[i]
            wsum_x[i] += step * x[i]
        wsum += step
        if batch == 1:  # the general lines below with B = 1, in one pass: the same numbers
            sgrad(A, b, p, x, t, sample_id(seed, t), gi)
            for i in range(x.shape[0]):
                y[i] = x[i] - step * (0.0 + gi[i])
        else:
            for i in range(x.shape[0]):
                g[i] = 0.0
            for r in range(batch):
                sgrad(A, b, p, x, t, sample_id(seed, t * batch + r), gi)
                for i in range(x.shape[0]):
                    g[i] += gi[i]
            for i in range(x.shape[0]):
                y[i] = x[i] - step * g[i] / batch
        prox(A, b, p, y, step, x)
    s[0] = wsum
    return STATUS_OK


@lazy_jit("init")
def sgd_init(oracles, A, b, p, hyper, seed, X, s):
    """The sums Σ x_t and Σ γ_t x_t start empty (0); Σ γ_t = 0 (the loop set s = 0)."""
    for i in range(X.shape[1]):
        X[3, i] = 0.0
        X[4, i] = 0.0


@lazy_jit("observe")
def sgd_observe(oracles, A, b, p, hyper, seed, k, X, s, P, S):
    """``last`` = x_k, ``avg`` = Σ_{t<k} x_t / k, ``wavg`` = Σ_{t<k} γ_t x_t / Σ_{t<k} γ_t
    (x_k for both at k = 0, and for ``wavg`` while Σ γ_t = 0)."""
    x = X[0]
    sum_x = X[3]
    wsum_x = X[4]
    wsum = s[0]
    for i in range(x.shape[0]):
        P[0, i] = x[i]
        if k == 0:
            P[1, i] = x[i]
            P[2, i] = x[i]
        else:
            P[1, i] = sum_x[i] / k
            P[2, i] = wsum_x[i] / wsum if wsum > 0 else x[i]
    return STATUS_OK


SGD = Kernel(sgd, hyper=("schedule", "step", "shift", "horizon", "every", "factor", "batch"),
             points=("last", "avg", "wavg"),
             vectors=("sum_x", "wsum_x", "grad", "grad_sample", "step_point"),
             state=("wsum",), needs=("sgrad", "prox"), stochastic=True, init=sgd_init,
             observe=sgd_observe)

# A schedule's row fixes its code and 0 in the slots the schedule does not read.
ALGORITHMS = (
    Algorithm("sgd", SGD, (("step", "1/L"), ("batch", "1")),
              fixed={"schedule": CONSTANT, "shift": 0.0, "horizon": 0.0, "every": 0.0,
                     "factor": 0.0},
              summary="SGD, constant step (projected when the problem has a prox)"),
    Algorithm("sgd-inverse", SGD, (("step", None), ("shift", "1"), ("batch", "1")),
              fixed={"schedule": INVERSE, "horizon": 0.0, "every": 0.0, "factor": 0.0},
              summary="SGD, step/(shift + t)"),
    Algorithm("sgd-inverse-sqrt", SGD, (("step", None), ("shift", "1"), ("batch", "1")),
              fixed={"schedule": INVERSE_SQRT, "horizon": 0.0, "every": 0.0, "factor": 0.0},
              summary="SGD, step/sqrt(shift + t)"),
    Algorithm("sgd-linear-decay", SGD, (("step", None), ("horizon", "N"), ("batch", "1")),
              fixed={"schedule": LINEAR_DECAY, "shift": 0.0, "every": 0.0, "factor": 0.0},
              summary="SGD, step (1 - t/horizon)"),
    Algorithm("sgd-step-decay", SGD,
              (("step", None), ("every", None), ("factor", "0.5"), ("batch", "1")),
              fixed={"schedule": STEP_DECAY, "shift": 0.0, "horizon": 0.0},
              summary="SGD, step factor^floor(t/every)"),
)
