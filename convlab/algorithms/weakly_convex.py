"""Stochastic model-based methods for weakly convex problems (Davis & Drusvyatskiy 2019; A53).

The problem is min φ = f + r with f ρ-weakly convex and r convex (an indicator here). The theory
measures near-stationarity by the gradient of the Moreau envelope φ_λ, λ < 1/ρ:

    ∇φ_λ(x) = (x − prox_{λφ}(x))/λ,

and bounds the α_t-weighted average of E||∇φ_λ(x_t)||² over t = 0..T (the expectation of
||∇φ_λ(x_{t*})||² for t* drawn with P(t* = t) ∝ α_t).

Design: the kernel needs the proximal map of the **whole** objective φ, so it runs on families
whose ``prox`` oracle is prox_{step·φ} (CLAIMS.md P09 and P11, :mod:`convlab.problems.nonsmooth`),
and uses the step-0 convention of those families: ``prox(x, 0)`` is the projection on dom φ = X.
The weighted Moreau-gradient average is a sum over every iterate of a measure that needs a prox:
recording every iterate (up to 1e5 per run, times seeds) and solving the prox afterwards in Python
would cost far more than one extra exact prox call per iteration in the kernel, so the kernel
keeps the running sum itself, exactly (the families' proxes are exact, separable 1-D solves).
Recorded points at a checkpoint are still available for any measure of the problem
(``moreau_grad_norm_sq`` at the last iterate, ...).
"""

from __future__ import annotations

import numpy as np

from ..runtime.jit import GRAD, PROX, SGRAD, STATUS_DIVERGED, STATUS_OK, lazy_jit
from ..runtime.random import sample_id, uniform
from ._record import checkpoint, new_record, store_point, track_init, track_step

#: Variants of :func:`wc_model_based` (``hyper[0]``).
PROX_SUBGRADIENT, STOCH_PROX_POINT = range(2)


@lazy_jit("method")
def wc_model_based(oracles, A, b, p, x0, hyper, checkpoints, seed, track):
    """Stochastic model-based minimisation of a weakly convex φ = f + r (Davis & Drusvyatskiy).

    Iteration t = 0, 1, ... draws s_t = sample_id(seed, t) and G_t = G(x_t, s_t) (``sgrad``):

    - variant 0, proximal stochastic subgradient (A53a; for smooth f this is projected SGD, A53c):

          x_{t+1} = prox_{α r}(x_t − α G_t) = Π_X(x_t − α G_t)     (``prox(·, 0)``, r = ι_X);

    - variant 1, stochastic proximal point with the full stochastic model (A53b), for an
      additive-noise oracle G(x, s) = g(x) + e(s) (g = ``grad``), whose stochastic model is
      f(y; s) = f(y) + ⟨e(s), y⟩:

          x_{t+1} = argmin_{y ∈ X} { f(y) + ⟨e_t, y⟩ + ||y − x_t||²/(2α) } = prox_{αφ}(x_t − α e_t),

      with e_t = G(x_t, s_t) − g(x_t) (exact up to one rounding of G); needs α < 1/ρ.

    Parameters (``hyper``): ``[variant, α, λ]``: the constant step α (the theory's
    α_t = γ/sqrt(T + 1) for a horizon T is constant within a run) and the Moreau parameter λ
    of the measure (λ = 1/(2ρ) in the theorem).

    Records ``last`` (x_t), ``avg`` = (1/t) Σ_{i<t} x_i (x_0 at t = 0) and ``sampled`` = x_{t*},
    the theorem's literal output: t* in 0..t drawn with P(t* = i) = α_i / Σ_{j<=t} α_j by
    reservoir sampling (x_i replaces the candidate with probability α_i / Σ_{j<=i} α_j, using
    uniform(s_i, 1_000_003), a counter far from those of the oracle), so the draw is exact at
    every checkpoint of one run. Scalars: :data:`TRACK_COLUMNS` (with ``track``), then

    - ``moreau_avg``: Σ_{i<=t} α_i ||∇φ_λ(x_i)||² / Σ_{i<=t} α_i (= the plain mean over
      x_0..x_t for a constant step), the exact value of E_{t*}||∇φ_λ(x_{t*})||² over the
      output distribution P(t* = i) ∝ α_i, i = 0..t, of one run;
    - ``moreau_min``: min_{i<=t} ||∇φ_λ(x_i)||²;
    - ``t_star``: the index t* of the ``sampled`` point;

    with ∇φ_λ(x) = (x − prox(x, λ))/λ computed by the family's exact prox of λφ (module
    docstring: one extra prox call per iteration).

    References: Davis & Drusvyatskiy (2019), Stochastic model-based minimization of weakly
    convex functions, SIAM J. Optim. 29(1):207-239 (the proximal stochastic subgradient bound
    E||∇φ_{1/ρ̄}(x_{t*})||² <= ρ̄/(ρ̄ − ρ) (φ_{1/ρ̄}(x_0) − min φ + (ρ̄ L²/2) Σ α_t²)/Σ α_t);
    Davis & Drusvyatskiy (2018), Stochastic subgradient method converges at the rate O(k^{-1/4})
    on weakly convex functions, arXiv:1802.02988.
    """
    sgrad = oracles[SGRAD]
    grad = oracles[GRAD]
    prox = oracles[PROX]
    variant = int(hyper[0])
    alpha = hyper[1]
    lam = hyper[2]
    d = x0.shape[0]
    x = x0.copy()
    G = np.empty(d)
    g = np.empty(d)
    y = np.empty(d)
    q = np.empty(d)
    work = np.empty(d)
    avg = np.empty(d)
    sum_x = np.zeros(d)
    msum = 0.0
    asum = 0.0
    mmin = np.inf
    xs = x0.copy()
    t_star = 0
    points, scalars = new_record(checkpoints, 3, d, 6)
    acc = track_init()
    j = 0
    last = checkpoints[-1]
    for t in range(last + 1):
        prox(A, b, p, x, lam, q)
        m2 = 0.0
        for i in range(d):
            r = (x[i] - q[i]) / lam
            m2 += r * r
        msum += alpha * m2
        asum += alpha
        if m2 < mmin:
            mmin = m2
        if t > 0 and uniform(sample_id(seed, t), 1_000_003) * asum < alpha:
            t_star = t
            for i in range(d):
                xs[i] = x[i]
        if track:
            track_step(acc, oracles, A, b, p, x, work)
        if t == checkpoints[j]:
            if t == 0:
                store_point(points, j, 1, x)
            else:
                for i in range(d):
                    avg[i] = sum_x[i] / t
                store_point(points, j, 1, avg)
            store_point(points, j, 2, xs)
            scalars[j, 3] = msum / asum if asum > 0 else m2
            scalars[j, 4] = mmin
            scalars[j, 5] = t_star
            j += 1
            if checkpoint(points, scalars, j - 1, x, acc, track):
                return points, scalars, j, STATUS_DIVERGED
            if t == last:
                break
        for i in range(d):
            sum_x[i] += x[i]
        sgrad(A, b, p, x, t, sample_id(seed, t), G)
        if variant == 0:
            for i in range(d):
                y[i] = x[i] - alpha * G[i]
            prox(A, b, p, y, 0.0, x)
        else:
            grad(A, b, p, x, g)
            for i in range(d):
                y[i] = x[i] - alpha * (G[i] - g[i])
            prox(A, b, p, y, alpha, x)
    return points, scalars, j, STATUS_OK


# -- registry rows (legacy whole-run kernels; see convlab.algorithms.registry) --

from .registry import Algorithm, LegacyKernel  # noqa: E402

ALGORITHMS = (
    Algorithm('wc-prox-subgradient', LegacyKernel(wc_model_based, hyper=('variant0', 'step', 'lam'), points=('last', 'avg', 'sampled'), record_scalars=('best_f_gap', 'min_grad_norm_sq', 'avg_grad_norm_sq', 'moreau_avg', 'moreau_min', 't_star'), needs=('sgrad', 'grad', 'prox'), stochastic=True),
              (('step', None), ('lam', '1/(2*rho)')),
              fixed={'variant0': 0.0},
              summary='proximal stochastic subgradient (weakly convex), constant step'),
    Algorithm('wc-projected-sgd', LegacyKernel(wc_model_based, hyper=('variant0', 'step', 'lam'), points=('last', 'avg', 'sampled'), record_scalars=('best_f_gap', 'min_grad_norm_sq', 'avg_grad_norm_sq', 'moreau_avg', 'moreau_min', 't_star'), needs=('sgrad', 'grad', 'prox'), stochastic=True),
              (('step', None), ('lam', '1/(2*rho)')),
              fixed={'variant0': 0.0},
              summary='projected SGD (smooth weakly convex), constant step'),
    Algorithm('wc-stoch-prox-point', LegacyKernel(wc_model_based, hyper=('variant0', 'step', 'lam'), points=('last', 'avg', 'sampled'), record_scalars=('best_f_gap', 'min_grad_norm_sq', 'avg_grad_norm_sq', 'moreau_avg', 'moreau_min', 't_star'), needs=('sgrad', 'grad', 'prox'), stochastic=True),
              (('step', None), ('lam', '1/(2*rho)')),
              fixed={'variant0': 1.0},
              summary='stochastic proximal point (additive-noise model), constant step'),
)
