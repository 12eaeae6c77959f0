"""Subgradient methods and entropic mirror descent for nonsmooth convex minimisation.

Kernels have the method signature of :mod:`convlab._jit`. Both call the ``value`` oracle at every
iterate, because the quantities their theorems bound are running averages or minima of
f(x_t) − f* over all iterates (one run, never restarts per budget); these are recorded as
scalars after :data:`~convlab.algorithms.registry.TRACK_COLUMNS`:

- ``avg_f_gap`` at checkpoint k: (1/k) Σ_{i<k} (f(x_i) − f*), the average over the k iterates
  at which a subgradient was taken before x_k (f(x_0) − f* at k = 0);
- ``best_f_gap_prior`` at checkpoint k: min_{i<k} f(x_i) − f* (f(x_0) − f* at k = 0). The track
  column ``best_f_gap`` is min_{i<=k}, which includes x_k.

Indexing: iterations are 0-indexed (x_0 is the start). A 1-indexed theorem (Bubeck 2015: x_1 is
the start, t subgradients taken at x_1..x_t) at "time t" corresponds to checkpoint k = t here, and
its averages over x_1..x_t are the averages over x_0..x_{t−1} recorded at k = t.
"""

from __future__ import annotations

import numpy as np

from ..runtime.jit import GRAD, PROX, STATUS_DIVERGED, STATUS_OK, VALUE, lazy_jit
from ._record import checkpoint, new_record, store_point, track_init, track_step

#: Step rules of :func:`subgradient` (``hyper[0]``).
CONSTANT, DIMINISHING, POLYAK, STRONGLY_CONVEX = range(4)


@lazy_jit("method")
def subgradient(oracles, A, b, p, x0, hyper, checkpoints, seed, track):
    """(Projected) subgradient method with four step rules and the averages their theorems use.

    Update, for k = 0, 1, ...: g_k ∈ ∂f(x_k) (``grad`` oracle),

        x_{k+1} = Π_X(x_k − γ_k g_k)      (Π_X = ``prox`` with step γ_k; identity if unconstrained)

    with the step rule ``hyper[0]`` and its parameter a = ``hyper[1]``:

    - 0, constant: γ_k = a. The fixed-horizon choice a = D/(G sqrt(T)) gives
      min_{k<T} f(x_k) − f* <= DG/sqrt(T) and f(x̄_T) − f* <= DG/sqrt(T), x̄_T = (1/T) Σ_{k<T} x_k
      (Bubeck 2015, Thm 3.2; Garrigos & Gower 2023, subgradient theorem);
    - 1, diminishing: γ_k = a/sqrt(k + 1);
    - 2, Polyak: γ_k = a (f(x_k) − f*)/||g_k||² (a = 1 is Polyak's step; γ_k = 0 when g_k = 0 or
      f(x_k) = f*, i.e. x_k optimal): ||x_{k+1} − x*||² <= ||x_k − x*||² − (f(x_k) − f*)²/||g_k||²
      for a = 1 (Polyak 1987, §5.3);
    - 3, strongly convex: γ_k = 2/(a (k + 2)) with a = μ, i.e. Bubeck's η_s = 2/(μ(s + 1)) for the
      1-indexed s = k + 1; then f(x̂_t) − f* <= 2G²/(μ(t + 1)) for the weighted average
      x̂_t = Σ_{s=1}^{t} 2s x_s/(t(t + 1)) (Bubeck 2015, Thm 3.9; Lacoste-Julien, Schmidt &
      Bach 2012), which is ``lin_avg`` at checkpoint k = t.

    Records four points: ``last`` (x_k); ``avg`` = (1/k) Σ_{i<k} x_i; ``wavg`` =
    Σ_{i<k} γ_i x_i / Σ_{i<k} γ_i (step-weighted);
    ``lin_avg`` = Σ_{i<k} (i + 1) x_i / Σ_{i<k} (i + 1)
    (all three are x_0 at k = 0, and x_0 for ``wavg`` while no positive step was taken).
    Scalars: :data:`TRACK_COLUMNS` (with ``track``), then ``avg_f_gap`` and ``best_f_gap_prior``
    (module docstring); the value oracle is called at every iterate.

    References: Shor (1985), *Minimization Methods for Non-Differentiable Functions*; Polyak
    (1987), *Introduction to Optimization*, §5.3; Bubeck (2015), *Convex Optimization:
    Algorithms and Complexity*, Found. Trends Mach. Learn. 8(3-4), Thms 3.2 and 3.9;
    Lacoste-Julien, Schmidt & Bach (2012), arXiv:1212.2002.
    """
    grad = oracles[GRAD]
    value = oracles[VALUE]
    prox = oracles[PROX]
    rule = int(hyper[0])
    a = hyper[1]
    d = x0.shape[0]
    x = x0.copy()
    g = np.empty(d)
    y = np.empty(d)
    work = np.empty(d)
    avg = np.empty(d)
    sum_x = np.zeros(d)
    wsum_x = np.zeros(d)
    lsum_x = np.zeros(d)
    wsum = 0.0
    lsum = 0.0
    sum_v = 0.0
    best_prior = np.inf
    points, scalars = new_record(checkpoints, 4, d, 5)
    acc = track_init()
    j = 0
    last = checkpoints[-1]
    for k in range(last + 1):
        v = value(A, b, p, x)
        if track:
            track_step(acc, oracles, A, b, p, x, work)
        if k == checkpoints[j]:
            if k == 0:
                for slot in range(1, 4):
                    store_point(points, j, slot, x)
                scalars[j, 3] = v
                scalars[j, 4] = v
            else:
                for i in range(d):
                    avg[i] = sum_x[i] / k
                store_point(points, j, 1, avg)
                for i in range(d):
                    avg[i] = wsum_x[i] / wsum if wsum > 0 else x0[i]
                store_point(points, j, 2, avg)
                for i in range(d):
                    avg[i] = lsum_x[i] / lsum
                store_point(points, j, 3, avg)
                scalars[j, 3] = sum_v / k
                scalars[j, 4] = best_prior
            j += 1
            if checkpoint(points, scalars, j - 1, x, acc, track):
                return points, scalars, j, STATUS_DIVERGED
            if k == last:
                break
        grad(A, b, p, x, g)
        if rule == 0:
            step = a
        elif rule == 1:
            step = a / np.sqrt(k + 1.0)
        elif rule == 2:
            g2 = 0.0
            for i in range(d):
                g2 += g[i] * g[i]
            step = a * v / g2 if (g2 > 0 and v > 0) else 0.0
        else:
            step = 2.0 / (a * (k + 2.0))
        for i in range(d):
            sum_x[i] += x[i]
            wsum_x[i] += step * x[i]
            lsum_x[i] += (k + 1.0) * x[i]
        wsum += step
        lsum += k + 1.0
        sum_v += v
        if v < best_prior:
            best_prior = v
        for i in range(d):
            y[i] = x[i] - step * g[i]
        prox(A, b, p, y, step, x)
    return points, scalars, j, STATUS_OK


@lazy_jit("method")
def mirror_descent_entropic(oracles, A, b, p, x0, hyper, checkpoints, seed, track):
    """Mirror descent on the probability simplex with the negative-entropy mirror map
    (exponentiated subgradient), computed in the log domain.

    Update, for k = 0, 1, ..., with g_k ∈ ∂f(x_k) and w_0 = ln x_0:

        w_{k+1} = w_k − η g_k,
        x_{k+1,i} = exp(w_{k+1,i} − max w_{k+1}) / Σ_l exp(w_{k+1,l} − max w_{k+1})

    i.e. x_{k+1,i} ∝ x_{k,i} exp(−η g_{k,i}); the shift by the maximum keeps the exponentials in
    range (w is re-centred at every step). x_0 must lie in the simplex (zero coordinates stay 0).

    Parameters (``hyper``): ``[η]``. With η = sqrt(2 ln n)/(L_inf sqrt(t)), ||g||_∞ <= L_inf and
    x_0 uniform, (1/t) Σ_{s<t} f(x_s) − f* <= L_inf sqrt(2 ln n / t) and the same for
    f(x̄_t), x̄_t = (1/t) Σ_{s<t} x_s (Bubeck 2015, Thm 4.2 with R² = ln n, ρ = 1, 1-indexed
    x_1..x_t = x_0..x_{t−1} here).

    Records ``last`` (x_k) and ``avg`` = (1/k) Σ_{i<k} x_i (x_0 at k = 0). Scalars:
    :data:`TRACK_COLUMNS` (with ``track``), then ``avg_f_gap`` and ``best_f_gap_prior``.

    References: Nemirovski & Yudin (1983), *Problem Complexity and Method Efficiency in
    Optimization*; Beck & Teboulle (2003), Oper. Res. Lett. 31(3); Bubeck (2015), Thm 4.2.
    """
    grad = oracles[GRAD]
    value = oracles[VALUE]
    eta = hyper[0]
    d = x0.shape[0]
    x = x0.copy()
    w = np.log(x0)
    g = np.empty(d)
    work = np.empty(d)
    avg = np.empty(d)
    sum_x = np.zeros(d)
    sum_v = 0.0
    best_prior = np.inf
    points, scalars = new_record(checkpoints, 2, d, 5)
    acc = track_init()
    j = 0
    last = checkpoints[-1]
    for k in range(last + 1):
        v = value(A, b, p, x)
        if track:
            track_step(acc, oracles, A, b, p, x, work)
        if k == checkpoints[j]:
            if k == 0:
                store_point(points, j, 1, x)
                scalars[j, 3] = v
                scalars[j, 4] = v
            else:
                for i in range(d):
                    avg[i] = sum_x[i] / k
                store_point(points, j, 1, avg)
                scalars[j, 3] = sum_v / k
                scalars[j, 4] = best_prior
            j += 1
            if checkpoint(points, scalars, j - 1, x, acc, track):
                return points, scalars, j, STATUS_DIVERGED
            if k == last:
                break
        grad(A, b, p, x, g)
        for i in range(d):
            sum_x[i] += x[i]
        sum_v += v
        if v < best_prior:
            best_prior = v
        wmax = -np.inf
        for i in range(d):
            w[i] -= eta * g[i]
            if w[i] > wmax:
                wmax = w[i]
        total = 0.0
        for i in range(d):
            w[i] -= wmax
            x[i] = np.exp(w[i])
            total += x[i]
        for i in range(d):
            x[i] /= total
    return points, scalars, j, STATUS_OK


# -- registry rows (legacy whole-run kernels; see convlab.algorithms.registry) --

from .registry import Algorithm, LegacyKernel  # noqa: E402

ALGORITHMS = (
    Algorithm('subgradient', LegacyKernel(subgradient, hyper=('variant0', 'step'), points=('last', 'avg', 'wavg', 'lin_avg'), record_scalars=('best_f_gap', 'min_grad_norm_sq', 'avg_grad_norm_sq', 'avg_f_gap', 'best_f_gap_prior'), needs=('grad', 'value', 'prox'), stochastic=False),
              (('step', None),),
              fixed={'variant0': 0.0},
              summary='(projected) subgradient method, constant step'),
    Algorithm('subgradient-fixed-horizon', LegacyKernel(subgradient, hyper=('variant0', 'step'), points=('last', 'avg', 'wavg', 'lin_avg'), record_scalars=('best_f_gap', 'min_grad_norm_sq', 'avg_grad_norm_sq', 'avg_f_gap', 'best_f_gap_prior'), needs=('grad', 'value', 'prox'), stochastic=False),
              (('step', 'R/(G*sqrt(N))'),),
              fixed={'variant0': 0.0},
              summary='subgradient method, fixed-horizon step D/(G sqrt(N)) with D = R'),
    Algorithm('subgradient-diminishing', LegacyKernel(subgradient, hyper=('variant0', 'step'), points=('last', 'avg', 'wavg', 'lin_avg'), record_scalars=('best_f_gap', 'min_grad_norm_sq', 'avg_grad_norm_sq', 'avg_f_gap', 'best_f_gap_prior'), needs=('grad', 'value', 'prox'), stochastic=False),
              (('step', None),),
              fixed={'variant0': 1.0},
              summary='subgradient method, step/sqrt(k+1)'),
    Algorithm('subgradient-polyak', LegacyKernel(subgradient, hyper=('variant0', 'scale'), points=('last', 'avg', 'wavg', 'lin_avg'), record_scalars=('best_f_gap', 'min_grad_norm_sq', 'avg_grad_norm_sq', 'avg_f_gap', 'best_f_gap_prior'), needs=('grad', 'value', 'prox'), stochastic=False),
              (('scale', '1'),),
              fixed={'variant0': 2.0},
              summary='subgradient method, Polyak step (f - f*)/||g||^2'),
    Algorithm('subgradient-sc', LegacyKernel(subgradient, hyper=('variant0', 'mu'), points=('last', 'avg', 'wavg', 'lin_avg'), record_scalars=('best_f_gap', 'min_grad_norm_sq', 'avg_grad_norm_sq', 'avg_f_gap', 'best_f_gap_prior'), needs=('grad', 'value', 'prox'), stochastic=False),
              (('mu', 'mu'),),
              fixed={'variant0': 3.0},
              summary='projected subgradient, strongly convex steps 2/(mu(k+2)), (k+1)-weighted average'),
    Algorithm('mirror-descent-entropic', LegacyKernel(mirror_descent_entropic, hyper=('step',), points=('last', 'avg'), record_scalars=('best_f_gap', 'min_grad_norm_sq', 'avg_grad_norm_sq', 'avg_f_gap', 'best_f_gap_prior'), needs=('grad', 'value'), stochastic=False),
              (('step', 'sqrt(2*log(d))/(L_inf*sqrt(N))'),),
              fixed={},
              summary='entropic mirror descent (exponentiated subgradient) on the simplex'),
)
