"""Stochastic methods on finite sums of least-squares components, beyond plain SGD.

- :func:`implicit_sgd`: implicit (proximal) SGD, x_{k+1} = prox_{η f_i}(x_k), in closed form for
  components f_i(x) = ½(a_iᵀx − b_i)²;
- :func:`sgd_moments`: the exact first and second moments of batch-1 SGD over the uniform
  choice of the component, propagated deterministically (the mean-square dynamics whose
  stability threshold is C84's η_c).

Both need a finite-sum family whose ``sgrad`` oracle returns the gradient of component
``s mod n`` for sample s (so that component i is ``s = i``) and whose components are
f_i(x) = ½(a_iᵀx − b_i)², i.e. ∇f_i(x) = a_i(a_iᵀx − b_i) (affine in x, rank one).
"""

from __future__ import annotations

import numpy as np

from ..runtime.jit import GRAD, SGRAD, STATUS_DIVERGED, STATUS_OK, VALUE, lazy_jit, njit_helper
from ..runtime.random import sample_id
from ._record import checkpoint, new_record, store_point, track_init, track_step


@lazy_jit("method")
def implicit_sgd(oracles, A, b, p, x0, hyper, checkpoints, seed, track):
    """Implicit SGD on a least-squares finite sum: x_{k+1} = prox_{η f_i}(x_k).

    For f_i(x) = ½(a_iᵀx − b_i)² the proximal step has the closed form

        x_{k+1} = x_k − (η/(1 + η‖a_i‖²)) a_i (a_iᵀx_k − b_i),

    i.e. e_{k+1} = (I − ω_i u_i u_iᵀ) e_k with ω_i = η‖a_i‖²/(1 + η‖a_i‖²) ∈ (0, 1): a
    non-expansive step for every η > 0. The kernel reads the component only through the
    ``sgrad`` oracle: with g = ∇f_i(x_k) = a_i r (r the residual) and h = ∇f_i(x_k − g) =
    g (1 − ‖a_i‖²), it recovers ‖a_i‖² = 1 − ⟨h, g⟩/⟨g, g⟩ (no step when g = 0).
    Component of iteration t: the ``sgrad`` sample s_t = sample_id(seed, t), the same stream as
    :func:`convlab.algorithms.sgd.sgd`, so explicit and implicit SGD see the same components.

    Parameters (``hyper``): ``[η]``.

    Records the last iterate x_k; with ``track`` the running quantities of :mod:`._record`.

    References: Toulis & Airoldi (2017), "Asymptotic and finite-sample properties of estimators
    based on stochastic gradients", Ann. Statist. 45(4); Bertsekas (2011), "Incremental proximal
    methods for large scale convex optimization", Math. Program. 129.
    """
    eta = hyper[0]
    d = x0.shape[0]
    x = x0.copy()
    g = np.empty(d)
    h = np.empty(d)
    y = np.empty(d)
    work = np.empty(d)
    sgrad = oracles[SGRAD]
    points, scalars = new_record(checkpoints, 1, d, 3)
    acc = track_init()
    j = 0
    last = checkpoints[-1]
    for t in range(last + 1):
        if track:
            track_step(acc, oracles, A, b, p, x, work)
        if t == checkpoints[j]:
            j += 1
            if checkpoint(points, scalars, j - 1, x, acc, track):
                return points, scalars, j, STATUS_DIVERGED
            if t == last:
                break
        s = sample_id(seed, t)
        sgrad(A, b, p, x, t, s, g)
        gg = 0.0
        for i in range(d):
            gg += g[i] * g[i]
        if gg == 0.0:
            continue
        for i in range(d):
            y[i] = x[i] - g[i]
        sgrad(A, b, p, y, t, s, h)
        hg = 0.0
        for i in range(d):
            hg += h[i] * g[i]
        a2 = 1.0 - hg / gg
        c = eta / (1.0 + eta * a2)
        for i in range(d):
            x[i] -= c * g[i]
    return points, scalars, j, STATUS_OK


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


@lazy_jit("method")
def sgd_moments(oracles, A, b, p, x0, hyper, checkpoints, seed, track):
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

    Parameters (``hyper``): ``[η, n]`` (n = the number of components).

    Records the mean m_k as point ``last`` and the scalars ``mean_f_gap`` (E f(x_k) − f*) and
    ``trace_cov`` (tr C_k). Deterministic (no seed). The run stops with status diverged at the
    first iteration where tr C_k is non-finite or above 1e300; that state is recorded at the next
    checkpoint (with ``mean_f_gap`` = inf).

    References: the mean-square analysis of SGD on interpolating least squares: Ma, Bassily &
    Belkin (2018), "The power of interpolation", ICML; Wu, Wang & Su (2022), "The alignment
    property of SGD noise and how it helps select flat minima: a stability analysis", NeurIPS;
    CLAIMS.md C84.
    """
    eta = hyper[0]
    n = int(hyper[1])
    d = x0.shape[0]
    m = x0.copy()
    m_next = np.empty(d)
    C = np.zeros((d, d))
    C_next = np.empty((d, d))
    W = np.empty((d, d))
    Tm = np.empty((n, d))
    g0 = np.empty(d)
    g = np.empty(d)
    v = np.empty(d)
    zero = np.zeros(d)
    sgrad = oracles[SGRAD]
    grad = oracles[GRAD]
    value = oracles[VALUE]
    points, scalars = new_record(checkpoints, 1, d, 2)
    j = 0
    last = checkpoints[-1]
    for k in range(last + 1):
        if k == checkpoints[j]:
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
            scalars[j, 0] = value(A, b, p, m) + 0.5 * tr_hc
            scalars[j, 1] = tr_c
            j += 1
            if checkpoint(points, scalars, j - 1, m, scalars[0], 0) or not np.isfinite(
                    scalars[j - 1, 0]) or scalars[j - 1, 0] > 1e300:
                return points, scalars, j, STATUS_DIVERGED
            if k == last:
                break
        for i in range(d):
            m_next[i] = 0.0
            for c in range(d):
                C_next[i, c] = 0.0
        for r in range(n):
            sgrad(A, b, p, m, k, r, g)
            for i in range(d):
                Tm[r, i] = m[i] - eta * g[i]
                m_next[i] += Tm[r, i] / n
        for r in range(n):
            sgrad(A, b, p, zero, k, r, g0)
            # W[:, c] = P_r C[:, c]
            for c in range(d):
                scale = _unit(C[:, c], v)
                if scale > 0.0:
                    sgrad(A, b, p, v, k, r, g)
                for i in range(d):
                    W[i, c] = C[i, c] - eta * scale * (g[i] - g0[i]) if scale > 0.0 else 0.0
            # C_next += P_r W^T (column c of P_r W^T = P_r applied to row c of W)
            for c in range(d):
                scale = _unit(W[c, :], v)
                if scale > 0.0:
                    sgrad(A, b, p, v, k, r, g)
                    for i in range(d):
                        C_next[i, c] += (W[c, i] - eta * scale * (g[i] - g0[i])) / n
            for i in range(d):
                dev_i = Tm[r, i] - m_next[i]
                for c in range(d):
                    C_next[i, c] += dev_i * (Tm[r, c] - m_next[c]) / n
        tr_c = 0.0
        for i in range(d):
            m[i] = m_next[i]
            tr_c += C_next[i, i]
            for c in range(d):
                C[i, c] = C_next[i, c]
        if not tr_c < 1e300:  # non-finite or overflowing second moment: stop, record it
            scalars[j, 0] = np.inf
            scalars[j, 1] = tr_c
            store_point(points, j, 0, m)
            return points, scalars, j + 1, STATUS_DIVERGED
    return points, scalars, j, STATUS_OK


# -- registry rows (legacy whole-run kernels; see convlab.algorithms.registry) --

from .registry import Algorithm, LegacyKernel  # noqa: E402

ALGORITHMS = (
    Algorithm('implicit-sgd', LegacyKernel(implicit_sgd, hyper=('step',), points=('last',), record_scalars=('best_f_gap', 'min_grad_norm_sq', 'avg_grad_norm_sq'), needs=('sgrad',), stochastic=True),
              (('step', None),),
              fixed={},
              summary='implicit (proximal) SGD on least-squares components'),
    Algorithm('sgd-moments', LegacyKernel(sgd_moments, hyper=('step', 'n'), points=('last',), record_scalars=('mean_f_gap', 'trace_cov'), needs=('sgrad', 'grad', 'value'), stochastic=False),
              (('step', None), ('n', 'n')),
              fixed={},
              summary='exact mean and covariance of batch-1 SGD (least-squares components)'),
)
