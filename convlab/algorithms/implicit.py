"""Stochastic methods on finite sums of least-squares components, beyond plain SGD.

- :func:`implicit_sgd`: implicit (proximal) SGD, x_{k+1} = prox_{η f_i}(x_k), in closed form for
  components f_i(x) = ½(a_iᵀx − b_i)²;
- :func:`sgd_moments`: the exact first and second moments of batch-1 SGD over the uniform
  choice of the component, propagated deterministically (the mean-square dynamics whose
  stability threshold is C84's η_c).

Both are ``advance`` functions of the kernel contract (:mod:`convlab.runtime.kernel`); the loop
records row 0 of ``X`` (the iterate, or the mean), tracks its running quantities and stops a
diverging run. Both need a finite-sum family whose ``sgrad`` oracle returns the gradient of
component ``s mod n`` for sample s (so that component i is ``s = i``) and whose components are
f_i(x) = ½(a_iᵀx − b_i)², i.e. ∇f_i(x) = a_i(a_iᵀx − b_i) (affine in x, rank one).
"""

from __future__ import annotations

import numpy as np

from ..runtime.jit import (GRAD, SGRAD, STATUS_DIVERGED, STATUS_OK, VALUE, lazy_jit,
                           njit_helper)
from ..runtime.kernel import Kernel
from ..runtime.random import sample_id
from .registry import Algorithm


@lazy_jit("advance")
def implicit_sgd(oracles, A, b, p, hyper, seed, checkpoints, k0, k1, X, s):
    """Implicit SGD on a least-squares finite sum: x_{k+1} = prox_{η f_i}(x_k).

    For f_i(x) = ½(a_iᵀx − b_i)² the proximal step has the closed form

        x_{k+1} = x_k − (η/(1 + η‖a_i‖²)) a_i (a_iᵀx_k − b_i),

    i.e. e_{k+1} = (I − ω_i u_i u_iᵀ) e_k with ω_i = η‖a_i‖²/(1 + η‖a_i‖²) ∈ (0, 1): a
    non-expansive step for every η > 0. The kernel reads the component only through the
    ``sgrad`` oracle: with g = ∇f_i(x_k) = a_i r (r the residual) and h = ∇f_i(x_k − g) =
    g (1 − ‖a_i‖²), it recovers ‖a_i‖² = 1 − ⟨h, g⟩/⟨g, g⟩ (no step when g = 0).
    Component of iteration t: the ``sgrad`` sample s_t = sample_id(seed, t), the same stream as
    :func:`convlab.algorithms.sgd.sgd`, so explicit and implicit SGD see the same components.

    Parameters: ``step`` η > 0.

    Records the last iterate x_k; with ``track`` the loop's running quantities.

    References: Toulis & Airoldi (2017), "Asymptotic and finite-sample properties of estimators
    based on stochastic gradients", Ann. Statist. 45(4); Bertsekas (2011), "Incremental proximal
    methods for large scale convex optimization", Math. Program. 129.
    """
    eta = hyper[0]
    x = X[0]
    g = X[1]
    h = X[2]
    y = X[3]
    d = x.shape[0]
    sgrad = oracles[SGRAD]
    for t in range(k0, k1):
        s_t = sample_id(seed, t)
        sgrad(A, b, p, x, t, s_t, g)
        gg = 0.0
        for i in range(d):
            gg += g[i] * g[i]
        if gg == 0.0:
            continue
        for i in range(d):
            y[i] = x[i] - g[i]
        sgrad(A, b, p, y, t, s_t, h)
        hg = 0.0
        for i in range(d):
            hg += h[i] * g[i]
        a2 = 1.0 - hg / gg
        c = eta / (1.0 + eta * a2)
        for i in range(d):
            x[i] -= c * g[i]
    return STATUS_OK


@njit_helper
def _unit(col, out):
    """out = col/||col||; returns ||col|| (0 and out untouched when col = 0). Linear maps are
    applied to unit vectors and rescaled, so ∇f_i(v) − ∇f_i(0) keeps full relative accuracy
    however small v is."""
    nrm = 0.0
    for i in range(col.shape[0]):
        nrm += col[i] * col[i]
    nrm = np.sqrt(nrm)
    if nrm > 0.0:
        for i in range(col.shape[0]):
            out[i] = col[i] / nrm
    return nrm


#: Rows of the state of :func:`sgd_moments`: the mean, then the working vectors; the
#: covariance C (d rows) follows.
_MEAN, _MEAN_NEXT, _G0, _G, _V, _ZERO = range(6)
_MATRICES = 6


@lazy_jit("advance")
def sgd_moments(oracles, A, b, p, hyper, seed, checkpoints, k0, k1, X, s):
    """Exact mean and covariance of batch-1 SGD with a uniformly sampled component.

    SGD x_{k+1} = T_i(x_k) := x_k − η ∇f_i(x_k), i uniform in {0..n−1}, with affine T_i(v) =
    P_i v + c_i. The moments m_k = E x_k and C_k = Cov(x_k) (x_0 deterministic) follow

        m_{k+1} = (1/n) Σ_i T_i(m_k),
        C_{k+1} = (1/n) Σ_i [P_i C_k P_iᵀ + (T_i(m_k) − m_{k+1})(T_i(m_k) − m_{k+1})ᵀ],

    with P_i v = v − η‖v‖(∇f_i(v/‖v‖) − ∇f_i(0)) from the ``sgrad`` oracle (sample s = i;
    the unit-vector form keeps full relative accuracy for tiny v). For a
    quadratic f, E[f(x_k)] − f* = (f(m_k) − f*) + ½ tr(H C_k), H v = ∇f(v) − ∇f(0) (``grad``
    oracle), reported as the scalar ``mean_f_gap``: the mean-square error of SGD in the H-norm,
    which grows or decays with ρ(M(η)), M(η) = (1/n) Σ P_i ⊗ P_i on the row space (an
    interpolating problem has T_i(x*) = x* for all i, so e_k = x_k − x* obeys
    E[e_{k+1}e_{k+1}ᵀ] = (1/n) Σ P_i E[e_k e_kᵀ] P_iᵀ).

    Parameters: ``step`` η and ``n``, the number of components (truncated to an integer).

    Records the mean m_k as point ``last`` (the row the loop tracks with ``track``) and the
    scalars ``mean_f_gap`` (E f(x_k) − f*) and ``trace_cov`` (tr C_k), computed at checkpoints
    by :func:`sgd_moments_observe`. State: m_k and C_k (d rows of ``X``). Deterministic (no
    seed). The run stops with status diverged at the first iteration where tr C_k is
    non-finite or above 1e300; that state is recorded at the next checkpoint (with
    ``mean_f_gap`` = inf). A checkpoint where ``mean_f_gap`` is non-finite or above 1e300 also
    ends the run as diverged.

    References: the mean-square analysis of SGD on interpolating least squares: Ma, Bassily &
    Belkin (2018), "The power of interpolation", ICML; Wu, Wang & Su (2022), "The alignment
    property of SGD noise and how it helps select flat minima: a stability analysis", NeurIPS;
    CLAIMS.md C84.
    """
    eta = hyper[0]
    n = int(hyper[1])
    m = X[_MEAN]
    m_next = X[_MEAN_NEXT]
    g0 = X[_G0]
    g = X[_G]
    v = X[_V]
    zero = X[_ZERO]
    d = m.shape[0]
    C = X[_MATRICES:_MATRICES + d]
    # scratch of one iteration, allocated here rather than taken from X: rows of X may alias
    # in the compiler's view, which costs 4 % on these d x d loops
    C_next_t = np.empty((d, d))  # C_{k+1} transposed: row c is column c, updated contiguously
    U = np.empty((d, d))  # row c: the unit vector C[:, c]/||C[:, c]||
    norms = np.empty(d)  # ||C[:, c]||
    row_norms = np.empty(d)  # ||W[c, :]||²
    W = np.empty((d, d))
    Tm = np.empty((n, d))
    sgrad = oracles[SGRAD]
    for k in range(k0, k1):
        for i in range(d):
            m_next[i] = 0.0
            for c in range(d):
                C_next_t[c, i] = 0.0
        for r in range(n):
            sgrad(A, b, p, m, k, r, g)
            for i in range(d):
                Tm[r, i] = m[i] - eta * g[i]
                m_next[i] += Tm[r, i] / n
        # the columns of C as unit vectors, once per iteration (the same for every r): each norm
        # the sum over i = 0, 1, ... of C[i, c]², as _unit forms it, for all c at once
        for c in range(d):
            norms[c] = 0.0
        for i in range(d):
            for c in range(d):
                norms[c] += C[i, c] * C[i, c]
        for c in range(d):
            norms[c] = np.sqrt(norms[c])
            if norms[c] > 0.0:
                for i in range(d):
                    U[c, i] = C[i, c] / norms[c]
        for r in range(n):
            sgrad(A, b, p, zero, k, r, g0)
            # W[:, c] = P_r C[:, c]; with it the squared norms of W's rows, each summed over
            # its entries in order (column c of W holds entry c of every row)
            for i in range(d):
                row_norms[i] = 0.0
            for c in range(d):
                scale = norms[c]
                if scale > 0.0:
                    sgrad(A, b, p, U[c], k, r, g)
                for i in range(d):
                    W[i, c] = C[i, c] - eta * scale * (g[i] - g0[i]) if scale > 0.0 else 0.0
                    row_norms[i] += W[i, c] * W[i, c]
            # C_next += P_r W^T (column c of P_r W^T = P_r applied to row c of W)
            for c in range(d):
                scale = np.sqrt(row_norms[c])
                if scale > 0.0:  # v = W[c, :]/||W[c, :]|| as _unit forms it
                    for i in range(d):
                        v[i] = W[c, i] / scale
                    sgrad(A, b, p, v, k, r, g)
                    for i in range(d):
                        C_next_t[c, i] += (W[c, i] - eta * scale * (g[i] - g0[i])) / n
            for c in range(d):
                dev_c = Tm[r, c] - m_next[c]
                for i in range(d):
                    C_next_t[c, i] += (Tm[r, i] - m_next[i]) * dev_c / n
        tr_c = 0.0
        for i in range(d):
            m[i] = m_next[i]
            tr_c += C_next_t[i, i]
            for c in range(d):
                C[i, c] = C_next_t[c, i]
        if not tr_c < 1e300:  # non-finite or overflowing second moment: stop, record it
            s[0] = np.inf
            s[1] = tr_c
            s[2] = 1.0
            return STATUS_DIVERGED
    return STATUS_OK


@lazy_jit("init")
def sgd_moments_init(oracles, A, b, p, hyper, seed, X, s):
    """C_0 = 0 (x_0 is deterministic) and the zero vector (the loop set every row to x0)."""
    d = X.shape[1]
    for i in range(d):
        X[_ZERO, i] = 0.0
        for c in range(d):
            X[_MATRICES + i, c] = 0.0


@lazy_jit("observe")
def sgd_moments_observe(oracles, A, b, p, hyper, seed, k, X, s, P, S):
    """At checkpoint k: ``mean_f_gap`` = f(m_k) − f* + ½ tr(H C_k) and ``trace_cov`` = tr C_k
    (after a divergence inside :func:`sgd_moments`: inf and the overflowing trace)."""
    m = X[_MEAN]
    d = m.shape[0]
    for i in range(d):
        P[0, i] = m[i]
    if s[2] != 0.0:
        S[0] = s[0]
        S[1] = s[1]
        return STATUS_DIVERGED
    grad = oracles[GRAD]
    value = oracles[VALUE]
    g0 = X[_G0]
    g = X[_G]
    v = X[_V]
    zero = X[_ZERO]
    C = X[_MATRICES:_MATRICES + d]
    # E f − f* = f(m) − f* + ½ tr(H C)
    grad(A, b, p, zero, g0)
    tr_hc = 0.0
    tr_c = 0.0
    for c in range(d):
        scale = _unit(C[:, c], v)
        if scale > 0.0:
            grad(A, b, p, v, g)
            tr_hc += scale * (g[c] - g0[c])
        tr_c += C[c, c]
    s[0] = value(A, b, p, m) + 0.5 * tr_hc
    s[1] = tr_c
    S[0] = s[0]
    S[1] = s[1]
    if not np.isfinite(s[0]) or s[0] > 1e300:
        return STATUS_DIVERGED
    return STATUS_OK


def _moment_rows(hyper, d, m):
    """The covariance C: d rows."""
    return d


IMPLICIT_SGD = Kernel(implicit_sgd, hyper=("step",), vectors=("grad", "grad_shifted", "y"),
                      needs=("sgrad",), stochastic=True)
SGD_MOMENTS = Kernel(sgd_moments, hyper=("step", "n"),
                     vectors=("mean_next", "grad_zero", "grad", "unit", "zero"),
                     scalars=("mean_f_gap", "trace_cov"), state=("overflow",), rows=_moment_rows,
                     needs=("sgrad", "grad", "value"), init=sgd_moments_init,
                     observe=sgd_moments_observe)

ALGORITHMS = (
    Algorithm("implicit-sgd", IMPLICIT_SGD, (("step", None),),
              summary="implicit (proximal) SGD on least-squares components"),
    Algorithm("sgd-moments", SGD_MOMENTS, (("step", None), ("n", "n")),
              summary="exact mean and covariance of batch-1 SGD (least-squares components)"),
)
