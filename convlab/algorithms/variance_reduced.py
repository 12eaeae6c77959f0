"""Finite-sum methods: SVRG, SAGA and epoch-based shuffling SGD (random reshuffling).

The problem is f = (1/n) Σ_i f_i, seen only through the ``sgrad`` oracle, which a finite-sum
family (e.g. :mod:`convlab.problems.finite_sums`) defines as the gradient of component
**i = s mod n** for the sample s. These kernels therefore address component i exactly by
passing the sample ``s = i`` (0 <= i < n): a full pass is Σ_{i<n} sgrad(x, ·, i); a uniform draw
with replacement is ``sample_id(seed, u) mod n`` for a fresh counter u. On a family whose
``sgrad`` is not a finite sum (additive noise), "component i" is simply the noise of sample i.

Each method is an ``advance`` function of the kernel contract (:mod:`convlab.runtime.kernel`);
the loop records the rows of ``X`` the kernel names as points (row 0 is the iterate it tracks
and checks for divergence). Every kernel takes the number of components ``n`` as a parameter
(claims pass the instance constant ``n``), counts component-gradient evaluations in the
recorded scalar ``grad_evals`` (after the loop's tracked columns), and draws its own
randomness (permutations, SVRG's snapshot index) with ``randint`` counters from 1_000_003 on,
far from the counters an oracle uses.

Full gradients and SAGA's table mean are summed with Neumaier's compensated summation, so that
near x* (where the component gradients do not vanish but their mean does) rounding does not
leave a bias of order n·eps·max ||∇f_i(x*)|| in the method's fixed point.
"""

from __future__ import annotations

import numpy as np

from ..runtime.jit import SGRAD, STATUS_OK, lazy_jit, njit_helper
from ..runtime.kernel import Kernel
from ..runtime.random import randint, sample_id
from .registry import Algorithm

#: First counter of the kernels' own random numbers (an oracle uses small counters).
OWN_COUNTER = 1_000_003

#: SVRG snapshot options (parameter ``option`` of :func:`svrg`).
SNAPSHOT_LAST, SNAPSHOT_RANDOM, SNAPSHOT_AVERAGE = range(3)

#: Sampling rules of :func:`shuffling` (hyper slot ``rule``).
RESHUFFLE, SHUFFLE_ONCE, CYCLIC, WITH_REPLACEMENT = range(4)


@njit_helper
def _store_perm(X, first, perm):
    """Write the integers perm[0..n) as floats into X row after row, from row ``first``."""
    n = perm.shape[0]
    d = X.shape[1]
    i = 0
    r = first
    while i < n:
        c = 0
        while c < d and i < n:
            X[r, c] = perm[i]
            i += 1
            c += 1
        r += 1


@njit_helper
def _load_perm(X, first, perm):
    """Read perm[0..n) back from the rows written by :func:`_store_perm`."""
    n = perm.shape[0]
    d = X.shape[1]
    i = 0
    r = first
    while i < n:
        c = 0
        while c < d and i < n:
            perm[i] = int(X[r, c])
            i += 1
            c += 1
        r += 1


@njit_helper
def _fisher_yates(perm, n, s_k):
    """perm[:n] = a uniform permutation of 0..n−1 from the sample s_k: Fisher–Yates from the
    identity, swapping r with ``randint(s_k, 1_000_003 + r, r + 1)`` for r = n−1..1."""
    for i in range(n):
        perm[i] = i
    for r in range(n - 1, 0, -1):
        u = randint(s_k, OWN_COUNTER + r, r + 1)
        tmp = perm[r]
        perm[r] = perm[u]
        perm[u] = tmp



@lazy_jit("advance")
def svrg(oracles, A, b, p, hyper, seed, checkpoints, k0, k1, X, s):
    """Stochastic variance-reduced gradient (SVRG); one iteration k = one epoch (outer loop).

    Epoch k, from the snapshot x̃_k (x̃_0 = x_0):

        g̃ = (1/n) Σ_{i<n} ∇f_i(x̃_k)                              (full pass, n evaluations)
        y_0 = x̃_k;  for t = 0..m−1, with i_t uniform in {0..n−1}:
            y_{t+1} = y_t − η (∇f_{i_t}(y_t) − ∇f_{i_t}(x̃_k) + g̃)      (2 evaluations)
        x̃_{k+1} = y_m                       (option I,   ``option`` = 0)
                 = y_{t'}, t' uniform in {0..m−1}   (option II,  ``option`` = 1)
                 = (1/m) Σ_{t<m} y_t        (inner average, ``option`` = 2)

    Parameters: ``step`` η, ``m`` (inner steps per epoch), ``n`` (number of components) and
    ``option`` (the snapshot rule above); m, n and option are rounded to integers.

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
    snap = X[0]
    inner = X[1]
    y = X[2]
    gfull = X[3]
    comp = X[4]
    gy = X[5]
    gs = X[6]
    chosen = X[7]
    ysum = X[8]
    carry = X[9]
    d = snap.shape[0]
    evals = s[0]
    for k in range(k0, k1):
        base = k * m
        # full gradient at the snapshot (Neumaier summation)
        for q in range(d):
            gfull[q] = 0.0
            carry[q] = 0.0  # Neumaier compensation
        for i in range(n):
            sgrad(A, b, p, snap, base, i, comp)
            for q in range(d):
                t_sum = gfull[q] + comp[q]
                if abs(gfull[q]) >= abs(comp[q]):
                    carry[q] += (gfull[q] - t_sum) + comp[q]
                else:
                    carry[q] += (comp[q] - t_sum) + gfull[q]
                gfull[q] = t_sum
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
    s[0] = evals
    return STATUS_OK


@lazy_jit("advance")
def saga(oracles, A, b, p, hyper, seed, checkpoints, k0, k1, X, s):
    """SAGA: incremental gradient with a table of the last gradient of every component.

    Table φ_i = ∇f_i(x_0) for all i (n evaluations), ḡ = (1/n) Σ φ_i. Step k, with j_k uniform:

        g_k = ∇f_{j}(x_k),   x_{k+1} = x_k − γ (g_k − φ_j + ḡ),
        ḡ ← ḡ + (g_k − φ_j)/n,   φ_j ← g_k.

    Parameters: ``step`` γ and ``n`` (number of components, rounded to an integer).

    Randomness: j_k = ``sample_id(seed, k) mod n`` (the kernel then asks for component j
    exactly, sample s = j). The running mean ḡ is recomputed from the table with compensated
    summation at every step k that is a multiple of n, so that its rounding does not accumulate.

    Records ``last`` = x_k; scalars: the tracked columns and ``grad_evals`` = n + k. State: ḡ
    and the table φ (n rows of ``X``).

    References: Defazio, Bach & Lacoste-Julien (2014), "SAGA: A fast incremental gradient method
    with support for non-strongly convex composite objectives", NeurIPS, Thm 1 (γ = 1/(3L):
    E||x_k − x*||² <= (1 − min{1/(4n), μ/(3L)})^k [||x_0 − x*||² + (2n/(3L))(f(x_0) −
    ⟨∇f(x*), x_0 − x*⟩ − f(x*))], every f_i μ-strongly convex and L-smooth).
    """
    sgrad = oracles[SGRAD]
    gamma = hyper[0]
    n = max(1, int(hyper[1] + 0.5))
    x = X[0]
    g = X[2]
    d = x.shape[0]
    for k in range(k0, k1):
        if k % n == 0:
            for q in range(d):
                t_sum = 0.0
                c = 0.0
                for i in range(n):
                    v = X[3 + i, q]
                    u = t_sum + v
                    if abs(t_sum) >= abs(v):
                        c += (t_sum - u) + v
                    else:
                        c += (v - u) + t_sum
                    t_sum = u
                X[1, q] = (t_sum + c) / n
        jj = sample_id(seed, k) % n
        sgrad(A, b, p, x, k, jj, g)
        row = 3 + jj
        for q in range(d):
            diff = g[q] - X[row, q]
            x[q] -= gamma * (diff + X[1, q])
            X[1, q] += diff / n
            X[row, q] = g[q]
    return STATUS_OK


@lazy_jit("init")
def saga_init(oracles, A, b, p, hyper, seed, X, s):
    """φ_i = ∇f_i(x_0) for every i (ḡ is computed from the table at step 0); n evaluations."""
    sgrad = oracles[SGRAD]
    n = max(1, int(hyper[1] + 0.5))
    for i in range(n):
        sgrad(A, b, p, X[0], 0, i, X[3 + i])


@lazy_jit("observe")
def saga_observe(oracles, A, b, p, hyper, seed, k, X, s, P, S):
    """Records x_k and ``grad_evals`` = n + k (written here, not by every step)."""
    n = max(1, int(hyper[1] + 0.5))
    for i in range(X.shape[1]):
        P[0, i] = X[0, i]
    s[0] = n + k
    S[0] = s[0]
    return STATUS_OK


@lazy_jit("advance")
def shuffling(oracles, A, b, p, hyper, seed, checkpoints, k0, k1, X, s):
    """Epoch-based SGD on a finite sum: random reshuffling, shuffle-once, cyclic, or with
    replacement; one iteration k = one epoch of n steps.

    Epoch k (k = 0, 1, ...), from x^{(k)}:

        x_{k,0} = x^{(k)};  x_{k,j+1} = x_{k,j} − γ ∇f_{π_k(j)}(x_{k,j}),  j = 0..n−1;
        x^{(k+1)} = x_{k,n}.

    Sampling rule (``rule``, fixed by the registry per variant):

    - 0, random reshuffling (RR): π_k a fresh uniform permutation every epoch (Fisher–Yates with
      ``randint(sample_id(seed, k), 1_000_003 + r, r + 1)``, r = n−1..1, from the identity);
    - 1, shuffle once: π_k = π_0 for every k;
    - 2, cyclic (incremental gradient): π_k = identity;
    - 3, with replacement: π_k(j) = ``sample_id(seed, k·n + j) mod n`` (plain SGD counted in
      epochs, for comparisons with the same step and budget).

    Parameters: ``step`` γ and ``n`` (number of components, rounded to an integer).

    Records ``last`` = x^{(k)} (the end of epoch k); scalars: the tracked columns (at epoch
    ends) and ``grad_evals`` = k n. State: shuffle-once's π_0 (from :func:`shuffling_init`),
    stored as floats (exact integers) row after row in the rows after x. Each call works on a
    local integer permutation and a local gradient vector (rows of ``X`` may alias in the
    compiler's view, which costs several per cent on small d).

    References: Mishchenko, Khaled & Richtárik (2020), "Random reshuffling: simple analysis
    with vast improvements", NeurIPS; Gürbüzbalaban, Ozdaglar & Parrilo (2021), "Why random
    reshuffling beats stochastic gradient descent", Math. Program. 186; Cha, Lee & Yun (2023),
    "Tighter lower bounds for shuffling SGD: random permutations and beyond", ICML.
    """
    sgrad = oracles[SGRAD]
    rule = int(hyper[0] + 0.5)
    gamma = hyper[1]
    n = max(1, int(hyper[2] + 0.5))
    x = X[0]
    d = x.shape[0]
    g = np.empty(d)
    perm = np.empty(n, dtype=np.int64)
    if rule == SHUFFLE_ONCE:
        _load_perm(X, np.int64(1), perm)
    elif rule == CYCLIC:
        for i in range(n):
            perm[i] = i
    for k in range(k0, k1):
        if rule == RESHUFFLE:
            _fisher_yates(perm, n, sample_id(seed, k))
        for jj in range(n):
            if rule == WITH_REPLACEMENT:
                s_j = sample_id(seed, k * n + jj)
            else:
                s_j = perm[jj]
            sgrad(A, b, p, x, k * n + jj, s_j, g)
            for q in range(d):
                x[q] -= gamma * g[q]
    s[0] = float(k1) * n
    return STATUS_OK


@lazy_jit("init")
def shuffling_init(oracles, A, b, p, hyper, seed, X, s):
    """Shuffle-once: store π_0, the permutation of the sample of epoch 0."""
    rule = int(hyper[0] + 0.5)
    n = max(1, int(hyper[2] + 0.5))
    if rule == SHUFFLE_ONCE:
        perm = np.empty(n, dtype=np.int64)
        _fisher_yates(perm, n, sample_id(seed, 0))
        _store_perm(X, np.int64(1), perm)
    s[0] = 0.0


def _table_rows(hyper, d, m):
    """SAGA's table of the last gradient of every component: n rows."""
    return max(1, int(hyper["n"] + 0.5))


def _permutation_rows(hyper, d, m):
    """Rows that hold shuffle-once's permutation: n entries, ceil(n/d) rows."""
    if int(hyper["rule"] + 0.5) != SHUFFLE_ONCE:
        return 0
    return (max(1, int(hyper["n"] + 0.5)) + d - 1) // d


SVRG = Kernel(svrg, hyper=("step", "m", "n", "option"), points=("last", "inner"),
              vectors=("y", "full_grad", "comp", "grad_y", "grad_snap", "chosen", "y_sum",
                       "carry"),
              scalars=("grad_evals",), needs=("sgrad",), stochastic=True)
SAGA = Kernel(saga, hyper=("step", "n"), vectors=("grad_mean", "grad"), scalars=("grad_evals",),
              rows=_table_rows, needs=("sgrad",), stochastic=True, init=saga_init,
              observe=saga_observe)
SHUFFLING = Kernel(shuffling, hyper=("rule", "step", "n"), scalars=("grad_evals",),
                   rows=_permutation_rows, needs=("sgrad",), stochastic=True,
                   init=shuffling_init)

ALGORITHMS = (
    Algorithm("svrg", SVRG,
              (("step", "1/(10*L_max)"), ("m", "20*L_max/mu"), ("n", "n"), ("option", "1")),
              summary="SVRG (Johnson & Zhang 2013); k = epoch; "
                      "option 0 last, 1 random, 2 average inner"),
    Algorithm("saga", SAGA, (("step", "1/(3*L_max)"), ("n", "n")),
              summary="SAGA (Defazio, Bach & Lacoste-Julien 2014), gradient table"),
    Algorithm("rr", SHUFFLING, (("step", None), ("n", "n")), fixed={"rule": RESHUFFLE},
              summary="random reshuffling, constant step; k = epoch (n component steps)"),
    Algorithm("shuffle-once", SHUFFLING, (("step", None), ("n", "n")),
              fixed={"rule": SHUFFLE_ONCE}, summary="shuffle-once SGD, constant step; k = epoch"),
    Algorithm("cyclic-sgd", SHUFFLING, (("step", None), ("n", "n")), fixed={"rule": CYCLIC},
              summary="incremental gradient (cyclic order), constant step; k = epoch",
              deterministic=True),
    Algorithm("sgd-epochs", SHUFFLING, (("step", None), ("n", "n")),
              fixed={"rule": WITH_REPLACEMENT},
              summary="SGD with replacement counted in epochs of n steps; k = epoch"),
)
