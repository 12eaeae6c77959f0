"""Row-wise products of a finite sum's data matrix, four rows at a time.

A finite-sum oracle reads its rows twice: the residuals rₖ = aₖᵀx (− bₖ) and the weighted sum
Σₖ wₖ aₖ. Written as one loop over rows, every residual is a chain of dependent additions, so the
processor waits on each add in turn. These helpers carry four rows' chains at once: every sum
still adds its terms in the order j = 0, 1, ... from the same start, and the weighted sum adds
the rows to each coordinate in the order k = 0, 1, ..., so the numbers are those of the plain
row loop, bit for bit (tests/test_rows.py), in a fraction of its time (cauchy-regression's
gradient, n = 200, d = 20: 0.71-0.74x; the portfolio's value, m = 500, d = 50: 0.40-0.41x;
benchmarks/bench_oracles.py).

The helpers are compiled functions that the oracles call (``njit_helper``), not inlined at
numba's IR level (``njit_inlined``): a call costs nanoseconds against the microseconds of a
pass over the rows, while inlining had numba type and lower their unrolled loops again in every
oracle that uses them (13 oracles; compiling for the catalog took 3.4 s CPU more;
benchmarks/README.md).
"""

from __future__ import annotations

import numpy as np

from ..runtime.jit import njit_helper


@njit_helper
def _add_row_products(A, x, r):
    """r[k] += Σ_j A[k, j] x[j] for k < len(r), the terms added to r[k] in the order j = 0, 1,
    ...; four rows per pass over x."""
    n = r.shape[0]
    d = x.shape[0]
    k = 0
    while k + 4 <= n:
        a0 = A[k]
        a1 = A[k + 1]
        a2 = A[k + 2]
        a3 = A[k + 3]
        r0 = r[k]
        r1 = r[k + 1]
        r2 = r[k + 2]
        r3 = r[k + 3]
        for j in range(d):
            xj = x[j]
            r0 += a0[j] * xj
            r1 += a1[j] * xj
            r2 += a2[j] * xj
            r3 += a3[j] * xj
        r[k] = r0
        r[k + 1] = r1
        r[k + 2] = r2
        r[k + 3] = r3
        k += 4
    while k < n:
        rk = r[k]
        for j in range(d):
            rk += A[k, j] * x[j]
        r[k] = rk
        k += 1


@njit_helper
def residuals(A, b, x, r):
    """r[k] = −b[k] + Σ_j A[k, j] x[j] for k < len(r): each sum from −b[k], left to right."""
    for k in range(r.shape[0]):
        r[k] = -b[k]
    _add_row_products(A, x, r)


@njit_helper
def row_products(A, x, r):
    """r[k] = Σ_j A[k, j] x[j] for k < len(r): each sum from 0.0, left to right."""
    for k in range(r.shape[0]):
        r[k] = 0.0
    _add_row_products(A, x, r)


@njit_helper
def shifted_row_products(A, x, c, r):
    """r[k] = Σ_j A[k, j] (x[j] − c[j]) for k < len(r): each sum from 0.0, left to right (the
    differences rounded once, as the row loop rounds them)."""
    e = np.empty(x.shape[0])
    for j in range(x.shape[0]):
        e[j] = x[j] - c[j]
    row_products(A, e, r)


@njit_helper
def add_weighted_rows(A, w, out):
    """out[j] += Σ_k w[k] A[k, j] for k < len(w): the terms added to each out[j] one at a time,
    in the order k = 0, 1, ... (as ``out[j] += w[k] * A[k, j]`` in a loop over rows)."""
    n = w.shape[0]
    d = out.shape[0]
    k = 0
    while k + 4 <= n:
        a0 = A[k]
        a1 = A[k + 1]
        a2 = A[k + 2]
        a3 = A[k + 3]
        w0 = w[k]
        w1 = w[k + 1]
        w2 = w[k + 2]
        w3 = w[k + 3]
        for j in range(d):
            out[j] = (((out[j] + w0 * a0[j]) + w1 * a1[j]) + w2 * a2[j]) + w3 * a3[j]
        k += 4
    while k < n:
        wk = w[k]
        for j in range(d):
            out[j] += wk * A[k, j]
        k += 1
