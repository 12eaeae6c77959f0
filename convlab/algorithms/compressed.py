"""Communication-compressed distributed gradient methods: EF21 with the Top-k compressor.

The method is an ``advance`` function of the kernel contract (:mod:`convlab.runtime.kernel`).
Worker i of n evaluates its local gradient ∇f_i through the ``sgrad`` oracle with sample s = i
(finite-sum families return the exact gradient of component s mod n), so the method is
deterministic; the workers' gradient estimates g_i are a table of n rows of the state ``X``.
"""

from __future__ import annotations

from ..runtime.jit import SGRAD, STATUS_OK, lazy_jit, njit_helper
from ..runtime.kernel import Kernel
from .registry import Algorithm


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


@lazy_jit("advance")
def ef21(oracles, A, b, p, hyper, seed, checkpoints, k0, k1, X, s):
    """EF21 (error feedback of Richtárik, Sokolov & Fatkhullin) with Top-k compression.

    With g_i^0 = ∇f_i(x_0) and g^t = (1/n) Σ_i g_i^t, for t = 0, 1, ...:

        x_{t+1} = x_t − γ g^t,
        c_i^t = TopK(∇f_i(x_{t+1}) − g_i^t),    g_i^{t+1} = g_i^t + c_i^t   (each worker i).

    Only c_i^t (k numbers and k indices) would be communicated. Top-k is contractive with
    α = k/d: ||TopK(v) − v||² <= (1 − α)||v||². Ties are broken towards the lowest index, so a
    run is deterministic.

    Parameters: ``step`` γ, ``topk`` k (the Top-k size) and ``n`` (the number of workers); k and
    n are truncated to integers. Theorem 1 of the reference takes
    γ <= 1/(L + L̃ sqrt(β/θ)), θ = 1 − sqrt(1 − α), β = (1 − α)/(1 − sqrt(1 − α)),
    L̃ = sqrt((1/n) Σ L_i²), and bounds (1/T) Σ_{t<T} ||∇f(x_t)||² <= 2 (f(x_0) − f_inf)/(γ T) +
    G_0/(θ T), G_0 = (1/n) Σ ||g_i^0 − ∇f_i(x_0)||² (= 0 here).

    Records the last iterate x_k; with ``track`` the loop's running quantities
    (``avg_grad_norm_sq`` at k is (1/(k+1)) Σ_{t<=k} ||∇f(x_t)||², the left side with T = k + 1).
    Scalar ``compression_error`` = (1/n) Σ ||g_i^k − ∇f_i(x_k)||² (the G_k of the analysis).
    State: the mean g^k, scratch rows, and the table of the g_i^k (n rows).

    References: Richtárik, Sokolov & Fatkhullin (2021), "EF21: A New, Simpler, Theoretically
    Better, and Practically Faster Error Feedback", NeurIPS 2021, Algorithm 1 and Theorem 1;
    Richtárik, Gasanov & Burlachenko (2024), "Error Feedback Reloaded: From Quadratic to
    Arithmetic Mean of Smoothness Constants", ICLR 2024.
    """
    sgrad = oracles[SGRAD]
    gamma = hyper[0]
    k = int(hyper[1])
    n = int(hyper[2])
    x = X[0]
    gbar = X[1]
    local = X[2]
    diff = X[3]
    comp = X[4]
    gi = X[5:5 + n]
    d = x.shape[0]
    err = s[0]
    for t in range(k0, k1):
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
    s[0] = err
    return STATUS_OK


@lazy_jit("init")
def ef21_init(oracles, A, b, p, hyper, seed, X, s):
    """g_i^0 = ∇f_i(x_0) and their mean g^0; compression error 0."""
    sgrad = oracles[SGRAD]
    n = int(hyper[2])
    x = X[0]
    gbar = X[1]
    local = X[2]
    gi = X[5:5 + n]
    d = x.shape[0]
    for r in range(d):
        gbar[r] = 0.0
    for i in range(n):
        sgrad(A, b, p, x, 0, i, local)
        for r in range(d):
            gi[i, r] = local[r]
            gbar[r] += local[r] / n
    s[0] = 0.0


def _workers(hyper, d, m):
    """The table of the workers' estimates g_i: n rows."""
    return int(hyper["n"])


EF21 = Kernel(ef21, hyper=("step", "topk", "n"), vectors=("grad_mean", "local", "diff", "comp"),
              scalars=("compression_error",), rows=_workers, needs=("sgrad",), init=ef21_init)

ALGORITHMS = (
    Algorithm("ef21", EF21, (("step", None), ("topk", "topk"), ("n", "n")),
              summary="EF21 with Top-k compression over n workers "
                      "(Richtarik, Sokolov & Fatkhullin 2021)"),
)
