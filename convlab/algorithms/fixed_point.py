"""Fixed-point iterations: Halpern (anchored), Krasnosel'skii–Mann, variance-reduced Halpern.

Convention (as in :mod:`convlab.problems.vi`): a fixed-point map T is given through its
residual operator F = I − T, the ``grad`` oracle, and the kernels iterate the scaled map

    T_λ z = z − λ F(z)

(λ = 1: T itself; for a (1/L)-cocoercive F, i.e. <F(x) − F(y), x − y> >= ||F(x) − F(y)||²/L,
λ = 2/L makes T_λ nonexpansive). The fixed-point residual z − T z is F(z), so the standard
measure ``grad_norm`` is ||z − T z|| for λ = 1 and ||F(z)|| in the cocoercive setting.

Each method is an ``advance`` function of the kernel contract (:mod:`convlab.runtime.kernel`)
with its :class:`~convlab.runtime.kernel.Kernel` declaration; row 0 of the state is the iterate
x_k (point ``last``), and the loop records, tracks and checks it for divergence.

Kernels: :func:`halpern` (A42), :func:`krasnoselskii_mann` (plain/relaxed fixed-point
iteration), :func:`vr_halpern` (A43; its iteration axis is the component-call count).
"""

from __future__ import annotations

import numpy as np

from ..runtime.jit import GRAD, SGRAD, STATUS_OK, lazy_jit, njit_helper
from ..runtime.kernel import Kernel
from ..runtime.random import sample_id, uniform
from .registry import Algorithm


@njit_helper
def copy_record(X, s, P, S):
    """The record of a checkpoint: the first rows of X and the first entries of s."""
    for r in range(P.shape[0]):
        for i in range(P.shape[1]):
            P[r, i] = X[r, i]
    for c in range(S.shape[0]):
        S[c] = s[c]


# Rows of the Halpern and Krasnosel'skii-Mann state: the recorded points, the anchor x_0 and
# the operator value.
_LAST, _V_EST, _ANCHOR, _GRAD = range(4)


@lazy_jit("advance")
def halpern(oracles, A, b, p, hyper, seed, checkpoints, k0, k1, X, s):
    """Halpern iteration (anchored fixed-point iteration) with weights 1/(k + 2).

    Update, for k = 0, 1, ...:

        x_{k+1} = x_0/(k+2) + ((k+1)/(k+2)) T_λ x_k,    T_λ x = x − λ F(x).

    Parameters: ``scale`` λ.

    Records ``last`` = x_k and ``v_est`` = 2 (x_0 − x_k)/(λ k) (x_0 at k = 0), an estimate of the
    infimal displacement vector v of F (the min-norm element of cl ran F): when F(x_k) → v,
    (k+1) x_k = (k+1) x_0 − λ Σ_{i<k} (i+1) F(x_i) gives x_k ≈ x_0 − λ v k/2. State: the anchor
    x_0, the operator value.

    Guarantees: T_λ nonexpansive with a fixed point x*: ||x_k − T_λ x_k|| <= 2||x_0 − x*||/(k+1)
    (Lieder 2021, tight for T = −I); without fixed point, x_k − T_λ x_k → λ v.

    References: Halpern (1967), Bull. AMS 73; Lieder (2021), Optim. Lett. 15, "On the
    convergence rate of the Halpern-iteration", Thm 2.1; Diakonikolas (2020), COLT, "Halpern
    iteration for near-optimal and parameter-free monotone inclusion and strong solutions to
    variational inequalities"; Park & Ryu (2023), ICML, "Accelerated infeasibility detection
    of constrained optimization and fixed-point iterations".
    """
    lam = hyper[0]
    grad = oracles[GRAD]
    x = X[_LAST]
    x0 = X[_ANCHOR]
    g = X[_GRAD]
    d = x.shape[0]
    for k in range(k0, k1):
        grad(A, b, p, x, g)
        w = 1.0 / (k + 2.0)
        for i in range(d):
            x[i] = w * x0[i] + (1.0 - w) * (x[i] - lam * g[i])
    return STATUS_OK


@lazy_jit("observe")
def halpern_observe(oracles, A, b, p, hyper, seed, k, X, s, P, S):
    """``v_est`` = 2 (x_0 − x_k)/(λ k) (x_0 at k = 0), then the default record."""
    lam = hyper[0]
    for i in range(X.shape[1]):
        if k == 0:
            X[_V_EST, i] = X[_ANCHOR, i]
        else:
            X[_V_EST, i] = 2.0 * (X[_ANCHOR, i] - X[_LAST, i]) / (lam * k)
    copy_record(X, s, P, S)
    return STATUS_OK


@lazy_jit("advance")
def krasnoselskii_mann(oracles, A, b, p, hyper, seed, checkpoints, k0, k1, X, s):
    """Krasnosel'skii–Mann iteration (α = 1: the plain fixed-point iteration x+ = T_λ x).

    Update: x_{k+1} = (1 − α) x_k + α T_λ x_k = x_k − α λ F(x_k).

    Parameters: ``scale`` λ and ``relax`` α.

    Records ``last`` = x_k and ``v_est`` = (x_0 − x_k)/(α λ k) (x_0 at k = 0), the average
    residual, which tends to the infimal displacement vector v of F (Pazy 1971). State: the
    anchor x_0, the operator value.

    References: Krasnosel'skii (1955); Mann (1953), Proc. AMS 4; Pazy (1971), Israel J. Math. 9
    (x_k/k → −v for nonexpansive maps); Bauschke & Combettes (2017), Convex Analysis and
    Monotone Operator Theory in Hilbert Spaces, §5.2.
    """
    lam = hyper[0]
    alpha = hyper[1]
    grad = oracles[GRAD]
    x = X[_LAST]
    g = X[_GRAD]
    d = x.shape[0]
    for k in range(k0, k1):
        grad(A, b, p, x, g)
        for i in range(d):
            x[i] -= alpha * lam * g[i]
    return STATUS_OK


@lazy_jit("observe")
def krasnoselskii_mann_observe(oracles, A, b, p, hyper, seed, k, X, s, P, S):
    """``v_est`` = (x_0 − x_k)/(α λ k) (x_0 at k = 0), then the default record."""
    lam = hyper[0]
    alpha = hyper[1]
    for i in range(X.shape[1]):
        if k == 0:
            X[_V_EST, i] = X[_ANCHOR, i]
        else:
            X[_V_EST, i] = (X[_ANCHOR, i] - X[_LAST, i]) / (alpha * lam * k)
    copy_record(X, s, P, S)
    return STATUS_OK


# State of vr_halpern: rows (the iterate, the anchor, the previous iterate, the estimator, two
# component values) and scalars (the recorded calls and iters, then the cost of the next iterate).
_VR_X, _VR_ANCHOR, _VR_PREV, _VR_EST, _VR_GI, _VR_GJ = range(6)
_CALLS, _ITERS, _NEXT = range(3)


@lazy_jit("init")
def vr_halpern_init(oracles, A, b, p, hyper, seed, X, s):
    """F̃_0 = F(x_0), a full evaluation: x_0 has count 0 and x_1 will have count n."""
    oracles[GRAD](A, b, p, X[_VR_X], X[_VR_EST])
    s[_CALLS] = 0.0
    s[_ITERS] = 0.0
    s[_NEXT] = hyper[3]


@lazy_jit("advance")
def vr_halpern(oracles, A, b, p, hyper, seed, checkpoints, k0, k1, X, s):
    """Variance-reduced Halpern iteration for F = (1/n) Σ F_i (loopless PAGE-type estimator).

    Iteration k = 0, 1, ...:

        x_{k+1} = x_0/(k+2) + ((k+1)/(k+2)) (x_k − λ F̃_k),

    with the estimator F̃_0 = F(x_0) and, for k >= 1, F̃_k = F(x_k) with probability q (a full
    evaluation) and otherwise

        F̃_k = F̃_{k−1} + (1/B) Σ_{r<B} (F_{i_r}(x_k) − F_{i_r}(x_{k−1})),

    i_r uniform components (the ``sgrad`` oracle with sample s = sample_id(seed, kB + r) returns
    F_{i_r}; the two calls share the sample, hence the component). The coin of iteration k is
    uniform(sample_id(seed, kB), 1_000_003) < q. With q = 1 this is deterministic Halpern paying n
    component calls per iteration.

    Parameters: ``batch`` B, ``prob`` q, ``scale`` λ and ``n`` the number of components (catalog
    choice: λ = 2/L for a (1/L)-cocoercive F, B = ceil(sqrt(n)), q = 1/sqrt(n), so an iteration
    costs about 3 sqrt(n) component calls on average; the registered ``halpern-finite-sum``
    fixes B = 1, q = 1).

    **Iteration axis = component calls.** A full evaluation costs n calls, a correction 2B.
    Checkpoint c records the latest iterate whose cumulative call count is <= c (x_0 has count
    0), so ``k`` in the trace counts component-oracle calls: ``advance`` from k0 to k1 computes
    the iterates whose count is at most k1, and the run stops once the last checkpoint is
    passed. Scalars: ``calls`` (the count of the recorded iterate) and ``iters`` (its iteration
    number). State: the anchor x_0, x_{k−1}, F̃_k, two component values; the count of the next
    iterate. The loop's running quantities, when asked, fold the iterate of every call count
    (so their average weighs each iterate by the calls it holds).

    This is a reconstruction in the spirit of Cai, Alacaoglu & Diakonikolas (2024),
    "Variance reduced Halpern iteration for finite-sum monotone inclusions", ICLR (Halpern +
    PAGE-type estimator, cocoercive case); their exact batch/probability schedule was not
    re-read (CLAIMS.md §8): the claim that uses it tests only the sqrt(n) scaling of the cost.
    """
    batch = max(1, np.int64(hyper[0]))
    q = hyper[1]
    lam = hyper[2]
    n = hyper[3]
    grad = oracles[GRAD]
    sgrad = oracles[SGRAD]
    x = X[_VR_X]
    x0 = X[_VR_ANCHOR]
    x_prev = X[_VR_PREV]
    est = X[_VR_EST]
    gi = X[_VR_GI]
    gj = X[_VR_GJ]
    d = x.shape[0]
    count = s[_CALLS]
    k = np.int64(s[_ITERS])
    next_count = s[_NEXT]
    # x (count) is the current iterate; the next one will cost up to next_count
    while next_count <= k1:
        w = 1.0 / (k + 2.0)
        for i in range(d):
            x_prev[i] = x[i]
            x[i] = w * x0[i] + (1.0 - w) * (x[i] - lam * est[i])
        count = next_count
        k += 1
        # estimator at the new iterate, and its cost
        s0 = sample_id(seed, k * batch)
        if q >= 1.0 or uniform(s0, 1_000_003) < q:
            grad(A, b, p, x, est)
            next_count = count + n
        else:
            for r in range(batch):
                sample = sample_id(seed, k * batch + r)
                sgrad(A, b, p, x, k, sample, gi)
                sgrad(A, b, p, x_prev, k, sample, gj)
                for i in range(d):
                    est[i] += (gi[i] - gj[i]) / batch
            next_count = count + 2.0 * batch
    s[_CALLS] = count
    s[_ITERS] = k
    s[_NEXT] = next_count
    return STATUS_OK


HALPERN = Kernel(halpern, hyper=("scale",), points=("last", "v_est"), vectors=("anchor", "grad"),
                 observe=halpern_observe)
KRASNOSELSKII_MANN = Kernel(krasnoselskii_mann, hyper=("scale", "relax"),
                            points=("last", "v_est"), vectors=("anchor", "grad"),
                            observe=krasnoselskii_mann_observe)
_VR_LAYOUT = dict(hyper=("batch", "prob", "scale", "n"),
                  vectors=("anchor", "x_prev", "estimator", "component", "component_prev"),
                  scalars=("calls", "iters"), state=("next_calls",), init=vr_halpern_init)
VR_HALPERN = Kernel(vr_halpern, needs=("grad", "sgrad"), stochastic=True, **_VR_LAYOUT)
#: The same kernel with prob = 1 (halpern-finite-sum) makes only full evaluations: it calls
#: no ``sgrad`` and its run does not depend on the seed.
VR_HALPERN_FULL = Kernel(vr_halpern, needs=("grad",), stochastic=False, **_VR_LAYOUT)

ALGORITHMS = (
    Algorithm("halpern", HALPERN, (("scale", "1"),),
              summary="Halpern iteration x+ = x0/(k+2) + (k+1)/(k+2) (x - scale F(x)), F = I - T"),
    Algorithm("krasnoselskii-mann", KRASNOSELSKII_MANN, (("scale", "1"), ("relax", "1")),
              summary="fixed-point iteration x+ = x - relax scale F(x), F = I - T"),
    Algorithm("vr-halpern", VR_HALPERN,
              (("batch", "ceil(sqrt(n))"), ("prob", "1/sqrt(n)"), ("scale", "2/L"), ("n", "n")),
              summary="variance-reduced Halpern (PAGE-type estimator); k counts component calls"),
    Algorithm("halpern-finite-sum", VR_HALPERN_FULL, (("scale", "2/L"), ("n", "n")),
              fixed={"batch": 1.0, "prob": 1.0},
              summary="deterministic Halpern on a finite sum; k counts component calls (n per "
                      "iteration)"),
)
