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

The method is an ``advance`` function of the kernel contract (:mod:`convlab.runtime.kernel`)
with an ``init`` (the measure at x_0) and an ``observe`` (the averages at a checkpoint);
iteration t uses the sample ``sample_id(seed, t)``, so a run is a pure function of its seed.
"""

from __future__ import annotations

import numpy as np

from ..runtime.jit import GRAD, PROX, SGRAD, STATUS_OK, lazy_jit, njit_helper
from ..runtime.kernel import Kernel
from ..runtime.random import sample_id, uniform
from .registry import Algorithm

#: Variants of :func:`wc_model_based` (the ``variant`` slot).
PROX_SUBGRADIENT, STOCH_PROX_POINT = range(2)


@njit_helper
def moreau_grad_sq(prox, A, b, p, x, lam, q):
    """||∇φ_λ(x)||² = Σ_i ((x_i − q_i)/λ)² with q = prox(x, λ) = prox_{λφ}(x) (written to q)."""
    prox(A, b, p, x, lam, q)
    m2 = 0.0
    for i in range(x.shape[0]):
        r = (x[i] - q[i]) / lam
        m2 += r * r
    return m2


@lazy_jit("advance")
def wc_model_based(oracles, A, b, p, hyper, seed, checkpoints, k0, k1, X, s):
    """Stochastic model-based minimisation of a weakly convex φ = f + r (Davis & Drusvyatskiy).

    Iteration t = 0, 1, ... draws s_t = sample_id(seed, t) and G_t = G(x_t, s_t) (``sgrad``):

    - variant 0, proximal stochastic subgradient (A53a; for smooth f this is projected SGD, A53c):

          x_{t+1} = prox_{α r}(x_t − α G_t) = Π_X(x_t − α G_t)     (``prox(·, 0)``, r = ι_X);

    - variant 1, stochastic proximal point with the full stochastic model (A53b), for an
      additive-noise oracle G(x, s) = g(x) + e(s) (g = ``grad``, called by this variant only),
      whose stochastic model is f(y; s) = f(y) + ⟨e(s), y⟩:

          x_{t+1} = argmin_{y ∈ X} { f(y) + ⟨e_t, y⟩ + ||y − x_t||²/(2α) } = prox_{αφ}(x_t − α e_t),

      with e_t = G(x_t, s_t) − g(x_t) (exact up to one rounding of G); needs α < 1/ρ.

    Parameters: ``variant`` (the code above, fixed by the registry row), ``step`` α (the
    constant step; the theory's α_t = γ/sqrt(T + 1) for a horizon T is constant within a run)
    and ``lam`` λ, the Moreau parameter of the measure (λ = 1/(2ρ) in the theorem).

    Records ``last`` (x_t), ``avg`` = (1/t) Σ_{i<t} x_i (x_0 at t = 0) and ``sampled`` = x_{t*},
    the theorem's literal output: t* in 0..t drawn with P(t* = i) = α_i / Σ_{j<=t} α_j by
    reservoir sampling (x_i replaces the candidate with probability α_i / Σ_{j<=i} α_j, using
    uniform(s_i, 1_000_003), a counter far from those of the oracle), so the draw is exact at
    every checkpoint of one run. Scalars:

    - ``moreau_avg``: Σ_{i<=t} α_i ||∇φ_λ(x_i)||² / Σ_{i<=t} α_i (= the plain mean over
      x_0..x_t for a constant step), the exact value of E_{t*}||∇φ_λ(x_{t*})||² over the
      output distribution P(t* = i) ∝ α_i, i = 0..t, of one run;
    - ``moreau_min``: min_{i<=t} ||∇φ_λ(x_i)||²;
    - ``t_star``: the index t* of the ``sampled`` point;

    with ∇φ_λ(x) = (x − prox(x, λ))/λ computed by the family's exact prox of λφ (module
    docstring: one extra prox call per iteration, made right after the step that produced
    x_{t+1}, and by :func:`wc_model_based_init` for x_0). The state keeps ``sampled``,
    ``moreau_min`` and ``t_star`` as recorded, the sum Σ_{i<t} x_i, ||∇φ_λ(x_t)||² and the two
    sums of ``moreau_avg``; :func:`wc_model_based_observe` forms ``avg`` and ``moreau_avg``.

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
    x = X[0]
    xs = X[2]
    sum_x = X[3]
    G = X[4]
    g = X[5]
    y = X[6]
    q = X[7]
    d = x.shape[0]
    mmin = s[1]
    t_star = s[2]
    m2 = s[3]
    msum = s[4]
    asum = s[5]
    for t in range(k0, k1):
        for i in range(d):
            sum_x[i] += x[i]
        sgrad(A, b, p, x, t, sample_id(seed, t), G)
        if variant == PROX_SUBGRADIENT:
            for i in range(d):
                y[i] = x[i] - alpha * G[i]
            prox(A, b, p, y, 0.0, x)
        else:
            grad(A, b, p, x, g)
            for i in range(d):
                y[i] = x[i] - alpha * (G[i] - g[i])
            prox(A, b, p, y, alpha, x)
        # the measure at x_{t+1} and the reservoir draw of iteration t + 1
        m2 = moreau_grad_sq(prox, A, b, p, x, lam, q)
        msum += alpha * m2
        asum += alpha
        if m2 < mmin:
            mmin = m2
        if uniform(sample_id(seed, t + 1), 1_000_003) * asum < alpha:
            t_star = t + 1
            for i in range(d):
                xs[i] = x[i]
    s[1] = mmin
    s[2] = t_star
    s[3] = m2
    s[4] = msum
    s[5] = asum
    return STATUS_OK


@lazy_jit("init")
def wc_model_based_init(oracles, A, b, p, hyper, seed, X, s):
    """The measure at x_0 (no draw: t* = 0 and ``sampled`` = x_0 as the loop set them) and an
    empty sum Σ x_i (0)."""
    alpha = hyper[1]
    lam = hyper[2]
    for i in range(X.shape[1]):
        X[3, i] = 0.0
    m2 = moreau_grad_sq(oracles[PROX], A, b, p, X[0], lam, X[7])
    s[3] = m2
    s[4] += alpha * m2
    s[5] += alpha
    s[1] = np.inf
    if m2 < s[1]:
        s[1] = m2


@lazy_jit("observe")
def wc_model_based_observe(oracles, A, b, p, hyper, seed, k, X, s, P, S):
    """``avg`` = Σ_{i<k} x_i / k (x_0 at k = 0), ``moreau_avg`` = Σ α_i m_i / Σ α_i (m_k when
    Σ α_i = 0); the other records are copied from the state."""
    x = X[0]
    for i in range(x.shape[0]):
        P[0, i] = x[i]
        P[1, i] = x[i] if k == 0 else X[3, i] / k
        P[2, i] = X[2, i]
    S[0] = s[4] / s[5] if s[5] > 0 else s[3]
    S[1] = s[1]
    S[2] = s[2]
    return STATUS_OK


# One advance for both variants, declared twice: the proximal subgradient variant does not call
# the ``grad`` oracle, so it runs on families without one.
_LAYOUT = dict(hyper=("variant", "step", "lam"), points=("last", "avg", "sampled"),
               vectors=("sum_x", "sgrad", "grad", "step_point", "prox_point"),
               scalars=("moreau_avg", "moreau_min", "t_star"),
               state=("moreau_sq", "moreau_wsum", "step_sum"), stochastic=True,
               init=wc_model_based_init, observe=wc_model_based_observe)
WC_PROX_SUBGRADIENT = Kernel(wc_model_based, needs=("sgrad", "prox"), **_LAYOUT)
WC_STOCH_PROX_POINT = Kernel(wc_model_based, needs=("sgrad", "grad", "prox"), **_LAYOUT)

ALGORITHMS = (
    Algorithm("wc-prox-subgradient", WC_PROX_SUBGRADIENT,
              (("step", None), ("lam", "1/(2*rho)")),
              fixed={"variant": PROX_SUBGRADIENT},
              summary="proximal stochastic subgradient (weakly convex), constant step"),
    Algorithm("wc-projected-sgd", WC_PROX_SUBGRADIENT,
              (("step", None), ("lam", "1/(2*rho)")),
              fixed={"variant": PROX_SUBGRADIENT},
              summary="projected SGD (smooth weakly convex), constant step"),
    Algorithm("wc-stoch-prox-point", WC_STOCH_PROX_POINT,
              (("step", None), ("lam", "1/(2*rho)")),
              fixed={"variant": STOCH_PROX_POINT},
              summary="stochastic proximal point (additive-noise model), constant step"),
)
