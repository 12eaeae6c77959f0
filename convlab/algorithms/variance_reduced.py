"""Finite-sum methods: SVRG, SAGA and epoch-based shuffling SGD (random reshuffling).

The problem is f = (1/n) Σ_i f_i, seen only through the ``sgrad`` oracle, which a finite-sum
family (e.g. :mod:`convlab.problems.finite_sums`) defines as the gradient of component
**i = s mod n** for the sample s. These kernels therefore address component i exactly by
passing the sample ``s = i`` (0 <= i < n): a full pass is Σ_{i<n} sgrad(x, ·, i); a uniform draw
with replacement is ``sample_id(seed, u) mod n`` for a fresh counter u. On a family whose
``sgrad`` is not a finite sum (additive noise), "component i" is simply the noise of sample i.

Every kernel takes the number of components n in ``hyper`` (claims pass the instance constant
``n``), counts component-gradient evaluations in a scalar column ``grad_evals`` (after the
tracked columns of :mod:`._record`), and draws its own randomness (permutations, SVRG's
snapshot index) with ``uniform``/``randint`` counters from 1_000_003 on, far from the counters
an oracle uses.

Full gradients and SAGA's table mean are summed with Neumaier's compensated summation, so that
near x* (where the component gradients do not vanish but their mean does) rounding does not
leave a bias of order n·eps·max ||∇f_i(x*)|| in the method's fixed point.
"""

from __future__ import annotations

import numpy as np

from ..runtime.jit import SGRAD, STATUS_DIVERGED, STATUS_OK, lazy_jit
from ..runtime.random import randint, sample_id
from ._record import checkpoint, new_record, store_point, track_init, track_step

#: First counter of the kernels' own random numbers (an oracle uses small counters).
OWN_COUNTER = 1_000_003

#: SVRG snapshot options (``hyper[3]`` of :func:`svrg`).
SNAPSHOT_LAST, SNAPSHOT_RANDOM, SNAPSHOT_AVERAGE = range(3)

#: Sampling rules of :func:`shuffling` (``hyper[0]``).
RESHUFFLE, SHUFFLE_ONCE, CYCLIC, WITH_REPLACEMENT = range(4)


@lazy_jit("method")
def svrg(oracles, A, b, p, x0, hyper, checkpoints, seed, track):
    """Stochastic variance-reduced gradient (SVRG); one iteration k = one epoch (outer loop).

    Epoch k, from the snapshot x̃_k (x̃_0 = x_0):

        g̃ = (1/n) Σ_{i<n} ∇f_i(x̃_k)                              (full pass, n evaluations)
        y_0 = x̃_k;  for t = 0..m−1, with i_t uniform in {0..n−1}:
            y_{t+1} = y_t − η (∇f_{i_t}(y_t) − ∇f_{i_t}(x̃_k) + g̃)      (2 evaluations)
        x̃_{k+1} = y_m                       (option I,   ``hyper[3]`` = 0)
                 = y_{t'}, t' uniform in {0..m−1}   (option II,  ``hyper[3]`` = 1)
                 = (1/m) Σ_{t<m} y_t        (inner average, ``hyper[3]`` = 2)

    Parameters (``hyper``): ``[η, m, n, option]``; m and n are rounded to integers.

    Randomness: the component of inner step t of epoch k is ``sample_id(seed, k·m + t) mod n``
    (the same sample is passed for ∇f_i(y_t) and ∇f_i(x̃_k), hence the same component); option
    II's index is ``randint(sample_id(seed, k·m), 1_000_003, m)``.

    Records two points: ``last`` = the snapshot x̃_k (the epoch output the theorems bound) and
    ``inner`` = y_m of epoch k − 1 (x_0 at k = 0). Scalars: the tracked columns (at the
    snapshots) and ``grad_evals`` = k (n + 2m), the component gradients used by k epochs.

    References: Johnson & Zhang (2013), "Accelerating stochastic gradient descent using
    predictive variance reduction", NeurIPS, Thm 1 (option II: E f(x̃_s) − f* <= α^s (f(x̃_0) −
    f*), α = 1/(μη(1 − 2Lη)m) + 2Lη/(1 − 2Lη), L the components' smoothness); Bubeck (2015),
    Convex Optimization: Algorithms and Complexity, Thm 6.5.
    """
    sgrad = oracles[SGRAD]
    eta = hyper[0]
    m = max(1, int(hyper[1] + 0.5))
    n = max(1, int(hyper[2] + 0.5))
    option = int(hyper[3] + 0.5)
    d = x0.shape[0]
    snap = x0.copy()
    y = x0.copy()
    inner = x0.copy()
    gfull = np.empty(d)
    comp = np.empty(d)
    gy = np.empty(d)
    gs = np.empty(d)
    chosen = np.empty(d)
    ysum = np.empty(d)
    carry = np.empty(d)
    work = np.empty(d)
    points, scalars = new_record(checkpoints, 2, d, 4)
    acc = track_init()
    evals = 0.0
    j = 0
    last = checkpoints[-1]
    for k in range(last + 1):
        if track:
            track_step(acc, oracles, A, b, p, snap, work)
        if k == checkpoints[j]:
            store_point(points, j, 1, inner)
            scalars[j, 3] = evals
            j += 1
            if checkpoint(points, scalars, j - 1, snap, acc, track):
                return points, scalars, j, STATUS_DIVERGED
            if k == last:
                break
        base = k * m
        # full gradient at the snapshot (Neumaier summation)
        for q in range(d):
            gfull[q] = 0.0
            carry[q] = 0.0  # Neumaier compensation
        for i in range(n):
            sgrad(A, b, p, snap, base, i, comp)
            for q in range(d):
                s = gfull[q] + comp[q]
                if abs(gfull[q]) >= abs(comp[q]):
                    carry[q] += (gfull[q] - s) + comp[q]
                else:
                    carry[q] += (comp[q] - s) + gfull[q]
                gfull[q] = s
        for q in range(d):
            gfull[q] = (gfull[q] + carry[q]) / n
        evals += n + 2.0 * m
        pick = randint(sample_id(seed, base), OWN_COUNTER, m) if option == 1 else -1
        for q in range(d):
            y[q] = snap[q]
            ysum[q] = 0.0
        for t in range(m):
            if t == pick:
                for q in range(d):
                    chosen[q] = y[q]
            if option == 2:
                for q in range(d):
                    ysum[q] += y[q]
            s_t = sample_id(seed, base + t)
            sgrad(A, b, p, y, base + t, s_t, gy)
            sgrad(A, b, p, snap, base + t, s_t, gs)
            for q in range(d):
                y[q] -= eta * (gy[q] - gs[q] + gfull[q])
        for q in range(d):
            inner[q] = y[q]
            if option == 1:
                snap[q] = chosen[q]
            elif option == 2:
                snap[q] = ysum[q] / m
            else:
                snap[q] = y[q]
    return points, scalars, j, STATUS_OK


@lazy_jit("method")
def saga(oracles, A, b, p, x0, hyper, checkpoints, seed, track):
    """SAGA: incremental gradient with a table of the last gradient of every component.

    Table φ_i = ∇f_i(x_0) for all i (n evaluations), ḡ = (1/n) Σ φ_i. Step k, with j_k uniform:

        g_k = ∇f_{j}(x_k),   x_{k+1} = x_k − γ (g_k − φ_j + ḡ),
        ḡ ← ḡ + (g_k − φ_j)/n,   φ_j ← g_k.

    Parameters (``hyper``): ``[γ, n]``.

    Randomness: j_k = ``sample_id(seed, k) mod n`` (the kernel then asks for component j
    exactly, sample s = j). The running mean ḡ is recomputed from the table with compensated
    summation every n steps, so that its rounding does not accumulate.

    Records ``last`` = x_k; scalars: the tracked columns and ``grad_evals`` = n + k.

    References: Defazio, Bach & Lacoste-Julien (2014), "SAGA: A fast incremental gradient method
    with support for non-strongly convex composite objectives", NeurIPS, Thm 1 (γ = 1/(3L):
    E||x_k − x*||² <= (1 − min{1/(4n), μ/(3L)})^k [||x_0 − x*||² + (2n/(3L))(f(x_0) −
    ⟨∇f(x*), x_0 − x*⟩ − f(x*))], every f_i μ-strongly convex and L-smooth).
    """
    sgrad = oracles[SGRAD]
    gamma = hyper[0]
    n = max(1, int(hyper[1] + 0.5))
    d = x0.shape[0]
    x = x0.copy()
    table = np.empty((n, d))
    gbar = np.zeros(d)
    g = np.empty(d)
    work = np.empty(d)
    for i in range(n):
        sgrad(A, b, p, x, 0, i, table[i])
    points, scalars = new_record(checkpoints, 1, d, 4)
    acc = track_init()
    j = 0
    last = checkpoints[-1]
    for k in range(last + 1):
        if k % n == 0:
            for q in range(d):
                s = 0.0
                c = 0.0
                for i in range(n):
                    v = table[i, q]
                    u = s + v
                    if abs(s) >= abs(v):
                        c += (s - u) + v
                    else:
                        c += (v - u) + s
                    s = u
                gbar[q] = (s + c) / n
        if track:
            track_step(acc, oracles, A, b, p, x, work)
        if k == checkpoints[j]:
            scalars[j, 3] = n + k
            j += 1
            if checkpoint(points, scalars, j - 1, x, acc, track):
                return points, scalars, j, STATUS_DIVERGED
            if k == last:
                break
        jj = sample_id(seed, k) % n
        sgrad(A, b, p, x, k, jj, g)
        for q in range(d):
            diff = g[q] - table[jj, q]
            x[q] -= gamma * (diff + gbar[q])
            gbar[q] += diff / n
            table[jj, q] = g[q]
    return points, scalars, j, STATUS_OK


@lazy_jit("method")
def shuffling(oracles, A, b, p, x0, hyper, checkpoints, seed, track):
    """Epoch-based SGD on a finite sum: random reshuffling, shuffle-once, cyclic, or with
    replacement; one iteration k = one epoch of n steps.

    Epoch k (k = 0, 1, ...), from x^{(k)}:

        x_{k,0} = x^{(k)};  x_{k,j+1} = x_{k,j} − γ ∇f_{π_k(j)}(x_{k,j}),  j = 0..n−1;
        x^{(k+1)} = x_{k,n}.

    Sampling rule (``hyper[0]``):

    - 0, random reshuffling (RR): π_k a fresh uniform permutation every epoch (Fisher–Yates with
      ``randint(sample_id(seed, k), 1_000_003 + r, r + 1)``, r = n−1..1);
    - 1, shuffle once: π_k = π_0 for every k;
    - 2, cyclic (incremental gradient): π_k = identity;
    - 3, with replacement: π_k(j) = ``sample_id(seed, k·n + j) mod n`` (plain SGD counted in
      epochs, for comparisons with the same step and budget).

    Parameters (``hyper``): ``[rule, γ, n]`` (the registry fixes the rule per variant).

    Records ``last`` = x^{(k)} (the end of epoch k); scalars: the tracked columns (at epoch
    ends) and ``grad_evals`` = k n.

    References: Mishchenko, Khaled & Richtárik (2020), "Random reshuffling: simple analysis
    with vast improvements", NeurIPS; Gürbüzbalaban, Ozdaglar & Parrilo (2021), "Why random
    reshuffling beats stochastic gradient descent", Math. Program. 186; Cha, Lee & Yun (2023),
    "Tighter lower bounds for shuffling SGD: random permutations and beyond", ICML.
    """
    sgrad = oracles[SGRAD]
    rule = int(hyper[0] + 0.5)
    gamma = hyper[1]
    n = max(1, int(hyper[2] + 0.5))
    d = x0.shape[0]
    x = x0.copy()
    g = np.empty(d)
    work = np.empty(d)
    perm = np.arange(n)
    points, scalars = new_record(checkpoints, 1, d, 4)
    acc = track_init()
    j = 0
    last = checkpoints[-1]
    for k in range(last + 1):
        if track:
            track_step(acc, oracles, A, b, p, x, work)
        if k == checkpoints[j]:
            scalars[j, 3] = float(k) * n
            j += 1
            if checkpoint(points, scalars, j - 1, x, acc, track):
                return points, scalars, j, STATUS_DIVERGED
            if k == last:
                break
        if rule == 0 or (rule == 1 and k == 0):
            s_k = sample_id(seed, k)
            for i in range(n):
                perm[i] = i
            for r in range(n - 1, 0, -1):
                u = randint(s_k, OWN_COUNTER + r, r + 1)
                tmp = perm[r]
                perm[r] = perm[u]
                perm[u] = tmp
        for jj in range(n):
            if rule == 3:
                s = sample_id(seed, k * n + jj)
            else:
                s = perm[jj]
            sgrad(A, b, p, x, k * n + jj, s, g)
            for q in range(d):
                x[q] -= gamma * g[q]
    return points, scalars, j, STATUS_OK


# -- registry rows (legacy whole-run kernels; see convlab.algorithms.registry) --

from .registry import Algorithm, LegacyKernel  # noqa: E402

ALGORITHMS = (
    Algorithm('svrg', LegacyKernel(svrg, hyper=('step', 'm', 'n', 'option'), points=('last', 'inner'), record_scalars=('best_f_gap', 'min_grad_norm_sq', 'avg_grad_norm_sq', 'grad_evals'), needs=('sgrad',), stochastic=True),
              (('step', '1/(10*L_max)'), ('m', '20*L_max/mu'), ('n', 'n'), ('option', '1')),
              fixed={},
              summary='SVRG (Johnson & Zhang 2013); k = epoch; option 0 last, 1 random, 2 average inner'),
    Algorithm('saga', LegacyKernel(saga, hyper=('step', 'n'), points=('last',), record_scalars=('best_f_gap', 'min_grad_norm_sq', 'avg_grad_norm_sq', 'grad_evals'), needs=('sgrad',), stochastic=True),
              (('step', '1/(3*L_max)'), ('n', 'n')),
              fixed={},
              summary='SAGA (Defazio, Bach & Lacoste-Julien 2014), gradient table'),
    Algorithm('rr', LegacyKernel(shuffling, hyper=('variant0', 'step', 'n'), points=('last',), record_scalars=('best_f_gap', 'min_grad_norm_sq', 'avg_grad_norm_sq', 'grad_evals'), needs=('sgrad',), stochastic=True),
              (('step', None), ('n', 'n')),
              fixed={'variant0': 0.0},
              summary='random reshuffling, constant step; k = epoch (n component steps)'),
    Algorithm('shuffle-once', LegacyKernel(shuffling, hyper=('variant0', 'step', 'n'), points=('last',), record_scalars=('best_f_gap', 'min_grad_norm_sq', 'avg_grad_norm_sq', 'grad_evals'), needs=('sgrad',), stochastic=True),
              (('step', None), ('n', 'n')),
              fixed={'variant0': 1.0},
              summary='shuffle-once SGD, constant step; k = epoch'),
    Algorithm('cyclic-sgd', LegacyKernel(shuffling, hyper=('variant0', 'step', 'n'), points=('last',), record_scalars=('best_f_gap', 'min_grad_norm_sq', 'avg_grad_norm_sq', 'grad_evals'), needs=('sgrad',), stochastic=True),
              (('step', None), ('n', 'n')),
              fixed={'variant0': 2.0},
              summary='incremental gradient (cyclic order), constant step; k = epoch'),
    Algorithm('sgd-epochs', LegacyKernel(shuffling, hyper=('variant0', 'step', 'n'), points=('last',), record_scalars=('best_f_gap', 'min_grad_norm_sq', 'avg_grad_norm_sq', 'grad_evals'), needs=('sgrad',), stochastic=True),
              (('step', None), ('n', 'n')),
              fixed={'variant0': 3.0},
              summary='SGD with replacement counted in epochs of n steps; k = epoch'),
)
