"""Fixed-point iterations: Halpern (anchored), Krasnosel'skii–Mann, variance-reduced Halpern.

Convention (as in :mod:`convlab.problems.vi`): a fixed-point map T is given through its
residual operator F = I − T, the ``grad`` oracle, and the kernels iterate the scaled map

    T_λ z = z − λ F(z)

(λ = 1: T itself; for a (1/L)-cocoercive F, i.e. <F(x) − F(y), x − y> >= ||F(x) − F(y)||²/L,
λ = 2/L makes T_λ nonexpansive). The fixed-point residual z − T z is F(z), so the standard
measure ``grad_norm`` is ||z − T z|| for λ = 1 and ||F(z)|| in the cocoercive setting.

Kernels: :func:`halpern` (A42), :func:`krasnoselskii_mann` (plain/relaxed fixed-point
iteration), :func:`vr_halpern` (A43; its iteration axis is the component-call count).
"""

from __future__ import annotations

import numpy as np

from ..runtime.jit import GRAD, SGRAD, STATUS_DIVERGED, STATUS_OK, lazy_jit
from ..runtime.random import sample_id, uniform
from ._record import checkpoint, diverging, new_record, store_point, track_init, track_step


@lazy_jit("method")
def halpern(oracles, A, b, p, x0, hyper, checkpoints, seed, track):
    """Halpern iteration (anchored fixed-point iteration) with weights 1/(k + 2).

    Update, for k = 0, 1, ...:

        x_{k+1} = x_0/(k+2) + ((k+1)/(k+2)) T_λ x_k,    T_λ x = x − λ F(x).

    Parameters (``hyper``): ``[λ]``.

    Records ``last`` = x_k and ``v_est`` = 2 (x_0 − x_k)/(λ k) (x_0 at k = 0), an estimate of the
    infimal displacement vector v of F (the min-norm element of cl ran F): when F(x_k) → v,
    (k+1) x_k = (k+1) x_0 − λ Σ_{i<k} (i+1) F(x_i) gives x_k ≈ x_0 − λ v k/2.

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
    d = x0.shape[0]
    x = x0.copy()
    g = np.empty(d)
    est = np.empty(d)
    work = np.empty(d)
    points, scalars = new_record(checkpoints, 2, d, 3)
    acc = track_init()
    j = 0
    last = checkpoints[-1]
    for k in range(last + 1):
        if track:
            track_step(acc, oracles, A, b, p, x, work)
        if k == checkpoints[j]:
            if k == 0:
                store_point(points, j, 1, x0)
            else:
                for i in range(d):
                    est[i] = 2.0 * (x0[i] - x[i]) / (lam * k)
                store_point(points, j, 1, est)
            j += 1
            if checkpoint(points, scalars, j - 1, x, acc, track):
                return points, scalars, j, STATUS_DIVERGED
            if k == last:
                break
        grad(A, b, p, x, g)
        w = 1.0 / (k + 2.0)
        for i in range(d):
            x[i] = w * x0[i] + (1.0 - w) * (x[i] - lam * g[i])
    return points, scalars, j, STATUS_OK


@lazy_jit("method")
def krasnoselskii_mann(oracles, A, b, p, x0, hyper, checkpoints, seed, track):
    """Krasnosel'skii–Mann iteration (α = 1: the plain fixed-point iteration x+ = T_λ x).

    Update: x_{k+1} = (1 − α) x_k + α T_λ x_k = x_k − α λ F(x_k).

    Parameters (``hyper``): ``[λ, α]``.

    Records ``last`` = x_k and ``v_est`` = (x_0 − x_k)/(α λ k) (x_0 at k = 0), the average
    residual, which tends to the infimal displacement vector v of F (Pazy 1971).

    References: Krasnosel'skii (1955); Mann (1953), Proc. AMS 4; Pazy (1971), Israel J. Math. 9
    (x_k/k → −v for nonexpansive maps); Bauschke & Combettes (2017), Convex Analysis and
    Monotone Operator Theory in Hilbert Spaces, §5.2.
    """
    lam = hyper[0]
    alpha = hyper[1]
    grad = oracles[GRAD]
    d = x0.shape[0]
    x = x0.copy()
    g = np.empty(d)
    est = np.empty(d)
    work = np.empty(d)
    points, scalars = new_record(checkpoints, 2, d, 3)
    acc = track_init()
    j = 0
    last = checkpoints[-1]
    for k in range(last + 1):
        if track:
            track_step(acc, oracles, A, b, p, x, work)
        if k == checkpoints[j]:
            if k == 0:
                store_point(points, j, 1, x0)
            else:
                for i in range(d):
                    est[i] = (x0[i] - x[i]) / (alpha * lam * k)
                store_point(points, j, 1, est)
            j += 1
            if checkpoint(points, scalars, j - 1, x, acc, track):
                return points, scalars, j, STATUS_DIVERGED
            if k == last:
                break
        grad(A, b, p, x, g)
        for i in range(d):
            x[i] -= alpha * lam * g[i]
    return points, scalars, j, STATUS_OK


@lazy_jit("method")
def vr_halpern(oracles, A, b, p, x0, hyper, checkpoints, seed, track):
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

    Parameters (``hyper``): ``[B, q, λ, n]`` (catalog choice: λ = 2/L for a (1/L)-cocoercive F,
    B = ceil(sqrt(n)), q = 1/sqrt(n), so an iteration costs about 3 sqrt(n) component calls on
    average; the registered ``halpern-finite-sum`` fixes B = 1, q = 1).

    **Iteration axis = component calls.** A full evaluation costs n calls, a correction 2B.
    Checkpoint c records the latest iterate whose cumulative call count is <= c (x_0 has count
    0), so ``k`` in the trace counts component-oracle calls; the run stops once the last
    checkpoint is passed. Scalars: ``calls`` (the count of the recorded iterate) and ``iters``
    (its iteration number). No tracking.

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
    d = x0.shape[0]
    x = x0.copy()
    x_prev = x0.copy()
    est = np.empty(d)
    gi = np.empty(d)
    gj = np.empty(d)
    points, scalars = new_record(checkpoints, 1, d, 2)
    m = checkpoints.shape[0]
    count = 0.0
    grad(A, b, p, x, est)
    next_count = n
    j = 0
    k = 0
    while True:
        # x (count) is the current iterate; the next one will cost up to next_count
        while j < m and checkpoints[j] < next_count:
            store_point(points, j, 0, x)
            scalars[j, 0] = count
            scalars[j, 1] = k
            j += 1
            if diverging(x):
                return points, scalars, j, STATUS_DIVERGED
        if j >= m:
            break
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
                s = sample_id(seed, k * batch + r)
                sgrad(A, b, p, x, k, s, gi)
                sgrad(A, b, p, x_prev, k, s, gj)
                for i in range(d):
                    est[i] += (gi[i] - gj[i]) / batch
            next_count = count + 2.0 * batch
    return points, scalars, j, STATUS_OK


# -- registry rows (legacy whole-run kernels; see convlab.algorithms.registry) --

from .registry import Algorithm, LegacyKernel  # noqa: E402

ALGORITHMS = (
    Algorithm('halpern', LegacyKernel(halpern, hyper=('scale',), points=('last', 'v_est'), record_scalars=('best_f_gap', 'min_grad_norm_sq', 'avg_grad_norm_sq'), needs=('grad',), stochastic=False),
              (('scale', '1'),),
              fixed={},
              summary='Halpern iteration x+ = x0/(k+2) + (k+1)/(k+2) (x - scale F(x)), F = I - T'),
    Algorithm('krasnoselskii-mann', LegacyKernel(krasnoselskii_mann, hyper=('scale', 'relax'), points=('last', 'v_est'), record_scalars=('best_f_gap', 'min_grad_norm_sq', 'avg_grad_norm_sq'), needs=('grad',), stochastic=False),
              (('scale', '1'), ('relax', '1')),
              fixed={},
              summary='fixed-point iteration x+ = x - relax scale F(x), F = I - T'),
    Algorithm('vr-halpern', LegacyKernel(vr_halpern, hyper=('batch', 'prob', 'scale', 'n'), points=('last',), record_scalars=('calls', 'iters'), needs=('grad', 'sgrad'), stochastic=True),
              (('batch', 'ceil(sqrt(n))'), ('prob', '1/sqrt(n)'), ('scale', '2/L'), ('n', 'n')),
              fixed={},
              summary='variance-reduced Halpern (PAGE-type estimator); k counts component calls'),
    Algorithm('halpern-finite-sum', LegacyKernel(vr_halpern, hyper=('variant0', 'variant1', 'scale', 'n'), points=('last',), record_scalars=('calls', 'iters'), needs=('grad', 'sgrad'), stochastic=False),
              (('scale', '2/L'), ('n', 'n')),
              fixed={'variant0': 1.0, 'variant1': 1.0},
              summary='deterministic Halpern on a finite sum; k counts component calls (n per iteration)'),
)
