"""Communication-compressed distributed gradient methods: EF21 with the Top-k compressor.

The kernel has the method signature of :mod:`convlab._jit`. Worker i of n evaluates its local
gradient ∇f_i through the ``sgrad`` oracle with sample s = i (finite-sum families return the
exact gradient of component s mod n), so the method is deterministic.
"""

from __future__ import annotations

import numpy as np

from ..runtime.jit import SGRAD, STATUS_DIVERGED, STATUS_OK, lazy_jit, njit_helper
from ._record import checkpoint, new_record, track_init, track_step


@njit_helper
def top_k(v, k, out):
    """out = Top-k(v): keep the k entries of largest |v_i| (ties: lowest index), zero the rest."""
    d = v.shape[0]
    for i in range(d):
        out[i] = 0.0
    for _ in range(min(k, d)):
        best = -1
        best_abs = -1.0
        for i in range(d):
            if out[i] == 0.0 and v[i] != 0.0 and abs(v[i]) > best_abs:
                best = i
                best_abs = abs(v[i])
        if best < 0:
            break
        out[best] = v[best]


@lazy_jit("method")
def ef21(oracles, A, b, p, x0, hyper, checkpoints, seed, track):
    """EF21 (error feedback of Richtárik, Sokolov & Fatkhullin) with Top-k compression.

    With g_i^0 = ∇f_i(x_0) and g^t = (1/n) Σ_i g_i^t, for t = 0, 1, ...:

        x_{t+1} = x_t − γ g^t,
        c_i^t = TopK(∇f_i(x_{t+1}) − g_i^t),    g_i^{t+1} = g_i^t + c_i^t   (each worker i).

    Only c_i^t (k numbers and k indices) would be communicated. Top-k is contractive with
    α = k/d: ||TopK(v) − v||² <= (1 − α)||v||². Ties are broken towards the lowest index, so a
    run is deterministic.

    Parameters (``hyper``): ``[γ, k, n]``: step, Top-k size, number of workers. Theorem 1 of the
    reference takes γ <= 1/(L + L̃ sqrt(β/θ)), θ = 1 − sqrt(1 − α), β = (1 − α)/(1 − sqrt(1 − α)),
    L̃ = sqrt((1/n) Σ L_i²), and bounds (1/T) Σ_{t<T} ||∇f(x_t)||² <= 2 (f(x_0) − f_inf)/(γ T) +
    G_0/(θ T), G_0 = (1/n) Σ ||g_i^0 − ∇f_i(x_0)||² (= 0 here).

    Records the last iterate x_k; with ``track`` the running quantities of :mod:`._record`
    (``avg_grad_norm_sq`` at k is (1/(k+1)) Σ_{t<=k} ||∇f(x_t)||², the left side with T = k + 1).
    Scalar ``compression_error`` = (1/n) Σ ||g_i^k − ∇f_i(x_k)||² (the G_k of the analysis).

    References: Richtárik, Sokolov & Fatkhullin (2021), "EF21: A New, Simpler, Theoretically
    Better, and Practically Faster Error Feedback", NeurIPS 2021, Algorithm 1 and Theorem 1;
    Richtárik, Gasanov & Burlachenko (2024), "Error Feedback Reloaded: From Quadratic to
    Arithmetic Mean of Smoothness Constants", ICLR 2024.
    """
    sgrad = oracles[SGRAD]
    gamma = hyper[0]
    k = int(hyper[1])
    n = int(hyper[2])
    d = x0.shape[0]
    x = x0.copy()
    gi = np.empty((n, d))
    gbar = np.zeros(d)
    local = np.empty(d)
    diff = np.empty(d)
    comp = np.empty(d)
    work = np.empty(d)
    for i in range(n):
        sgrad(A, b, p, x, 0, i, local)
        for r in range(d):
            gi[i, r] = local[r]
            gbar[r] += local[r] / n
    err = 0.0
    points, scalars = new_record(checkpoints, 1, d, 4)
    acc = track_init()
    j = 0
    last = checkpoints[-1]
    for t in range(last + 1):
        if track:
            track_step(acc, oracles, A, b, p, x, work)
        if t == checkpoints[j]:
            scalars[j, 3] = err
            j += 1
            if checkpoint(points, scalars, j - 1, x, acc, track):
                return points, scalars, j, STATUS_DIVERGED
            if t == last:
                break
        for r in range(d):
            x[r] -= gamma * gbar[r]
            gbar[r] = 0.0
        err = 0.0
        for i in range(n):
            sgrad(A, b, p, x, t + 1, i, local)
            for r in range(d):
                diff[r] = local[r] - gi[i, r]
            top_k(diff, k, comp)
            for r in range(d):
                gi[i, r] += comp[r]
                gbar[r] += gi[i, r] / n
                e = local[r] - gi[i, r]
                err += e * e / n
    return points, scalars, j, STATUS_OK


# -- registry rows (legacy whole-run kernels; see convlab.algorithms.registry) --

from .registry import Algorithm, LegacyKernel  # noqa: E402

ALGORITHMS = (
    Algorithm('ef21', LegacyKernel(ef21, hyper=('step', 'topk', 'n'), points=('last',), record_scalars=('best_f_gap', 'min_grad_norm_sq', 'avg_grad_norm_sq', 'compression_error'), needs=('sgrad',), stochastic=False),
              (('step', None), ('topk', 'topk'), ('n', 'n')),
              fixed={},
              summary='EF21 with Top-k compression over n workers (Richtarik, Sokolov & Fatkhullin 2021)'),
)
