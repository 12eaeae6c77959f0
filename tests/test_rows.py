"""The four-row helpers of convlab/problems/rows.py give the plain row loops' numbers, bit for bit.

Each helper is compared with the row loop it replaces, written here as the families wrote it
before (one row at a time, every sum left to right), compiled by numba like the helpers; then
every family oracle that uses the helpers is compared with its former row loop. Shapes cover
every remainder of the rows modulo four; scales go from near underflow to near overflow.
"""

import math

import numpy as np
import pytest
from numba import njit

from convlab.problems import constrained, nonconvex, nonsmooth, regression
from convlab.problems.registry import build
from convlab.problems.rows import add_weighted_rows, residuals, row_products, shifted_row_products

SHAPES = [(1, 1), (2, 3), (3, 5), (4, 4), (5, 7), (6, 1), (7, 20), (8, 13), (9, 2), (200, 20),
          (203, 50)]
SCALES = [1e-150, 1e-3, 1.0, 1e100]


@njit
def _plain_residuals(A, b, x, r):
    for k in range(r.shape[0]):
        s = -b[k]
        for j in range(x.shape[0]):
            s += A[k, j] * x[j]
        r[k] = s


@njit
def _plain_row_products(A, x, r):
    for k in range(r.shape[0]):
        s = 0.0
        for j in range(x.shape[0]):
            s += A[k, j] * x[j]
        r[k] = s


@njit
def _plain_shifted_row_products(A, x, c, r):
    for k in range(r.shape[0]):
        s = 0.0
        for j in range(x.shape[0]):
            s += A[k, j] * (x[j] - c[j])
        r[k] = s


@njit
def _plain_add_weighted_rows(A, w, out):
    for k in range(w.shape[0]):
        for j in range(out.shape[0]):
            out[j] += w[k] * A[k, j]


@njit
def _blocked(A, b, x, c, w, r1, r2, r3, out):
    """The helpers as the oracles use them: inlined into one compiled caller."""
    residuals(A, b, x, r1)
    row_products(A, x, r2)
    shifted_row_products(A, x, c, r3)
    add_weighted_rows(A, w, out)


def _data(n, d, scale, seed):
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((n, d))
    A[rng.random((n, d)) < 0.1] = -0.0  # signed zeros and exact cancellations
    x = scale * rng.standard_normal(d)
    return A, scale * rng.standard_normal(n), x, scale * rng.standard_normal(d), \
        rng.standard_normal(n), scale * rng.standard_normal(d)


@pytest.mark.parametrize("n,d", SHAPES)
def test_helpers_equal_the_row_loops_bit_for_bit(n, d):
    for seed, scale in enumerate(SCALES):
        A, b, x, c, w, out0 = _data(n, d, scale, seed)
        got = [np.empty(n), np.empty(n), np.empty(n), out0.copy()]
        _blocked(A, b, x, c, w, *got)
        want = [np.empty(n), np.empty(n), np.empty(n), out0.copy()]
        _plain_residuals(A, b, x, want[0])
        _plain_row_products(A, x, want[1])
        _plain_shifted_row_products(A, x, c, want[2])
        _plain_add_weighted_rows(A, w, want[3])
        for g, e in zip(got, want):
            assert np.array_equal(g.view(np.int64), e.view(np.int64))  # signed zeros too


# -- the families' former row loops ---------------------------------------------------------

@njit
def _cauchy_grad_rows(A, b, x, out):
    n = A.shape[0]
    for j in range(x.shape[0]):
        out[j] = 0.0
    for i in range(n):
        r = -b[i]
        for j in range(x.shape[0]):
            r += A[i, j] * x[j]
        w = 2.0 * r / (1.0 + r * r) / n
        for j in range(x.shape[0]):
            out[j] += w * A[i, j]


@njit
def _cauchy_value_rows(A, b, x):
    total = 0.0
    for i in range(A.shape[0]):
        r = -b[i]
        for j in range(x.shape[0]):
            r += A[i, j] * x[j]
        total += np.log1p(r * r)
    return total / A.shape[0]


@pytest.mark.parametrize("n,d", [(200, 20), (7, 3), (1, 1)])
def test_cauchy_oracles_equal_their_row_loops(n, d):
    problem = build("cauchy-regression", {"n": n, "d": d, "seed": 3, "noise": 0.0})
    rng = np.random.default_rng(n)
    for scale in SCALES:
        x = problem.x0 + scale * rng.standard_normal(d)
        got, want = np.empty(d), np.empty(d)
        nonconvex.cauchy_grad(problem.A, problem.b, problem.p, x, got)
        _cauchy_grad_rows(problem.A, problem.b, x, want)
        assert np.array_equal(got, want)
        nonconvex.cauchy_sgrad(problem.A, problem.b, problem.p, x, 0, 5, got)
        assert np.array_equal(got, want)  # noise 0: the gradient itself
        assert nonconvex.cauchy_value(problem.A, problem.b, problem.p, x) == \
            _cauchy_value_rows(problem.A, problem.b, x)


@njit
def _least_squares_grad_rows(A, b, x, out):
    for i in range(x.shape[0]):
        out[i] = 0.0
    for k in range(A.shape[0] - 2):
        r = -b[k]
        for i in range(x.shape[0]):
            r += A[k, i] * x[i]
        for i in range(x.shape[0]):
            out[i] += A[k, i] * r


@njit
def _shifted_quad_rows(A, x, n):
    quad = 0.0
    for k in range(n):
        r = 0.0
        for i in range(x.shape[0]):
            r += A[k, i] * (x[i] - A[n, i])
        quad += r * r
    return quad


def _lasso_value_rows(A, p, x):
    n = A.shape[0] - 2
    lin = 0.0
    for i in range(x.shape[0]):
        lin += abs(x[i]) - A[n + 1, i] * x[i]
    return 0.5 * _shifted_quad_rows(A, x, n) + p[0] * lin


def _nnls_value_rows(A, p, x):
    n = A.shape[0] - 2
    lin = 0.0
    for i in range(x.shape[0]):
        lin += A[n + 1, i] * (x[i] - A[n, i])
    return 0.5 * _shifted_quad_rows(A, x, n) + lin


@njit
def _portfolio_grad_rows(A, x, out):
    m = A.shape[0] - 1
    for i in range(x.shape[0]):
        out[i] = 0.0
    for k in range(m):
        t = 0.0
        for i in range(x.shape[0]):
            t += A[k, i] * x[i]
        if not t > 0.0:
            for i in range(x.shape[0]):
                out[i] = np.nan
            return
        w = 1.0 / (m * t)
        for i in range(x.shape[0]):
            out[i] -= w * A[k, i]


@njit
def _portfolio_value_rows(A, b, x):
    m = A.shape[0] - 1
    total = 0.0
    for k in range(m):
        t = 0.0
        for i in range(x.shape[0]):
            t += A[k, i] * (x[i] - A[m, i])
        q = t / b[k]
        if not q > -1.0:
            return np.inf
        total += np.log1p(q)
    return -total / m


@pytest.mark.parametrize("family,params,value_rows", [
    ("lasso-certified", {"n": 30, "d": 13, "seed": 1}, _lasso_value_rows),
    ("nnls-certified", {"n": 21, "d": 6, "zeros": 2, "seed": 2}, _nnls_value_rows),
])
def test_least_squares_oracles_equal_their_row_loops(family, params, value_rows):
    problem = build(family, params)
    A, b, p = problem.A, problem.b, problem.p
    d = problem.dim
    rng = np.random.default_rng(0)
    for scale in SCALES:
        x = problem.xstar + scale * rng.standard_normal(d)
        got, want = np.empty(d), np.empty(d)
        constrained.least_squares_grad(A, b, p, x, got)
        _least_squares_grad_rows(A, b, x, want)
        assert np.array_equal(got, want)
        assert problem.oracles["value"](A, b, p, x) == value_rows(A, p, x)


@pytest.mark.parametrize("m,d", [(500, 50), (7, 3), (9, 5)])
def test_portfolio_oracles_equal_their_row_loops(m, d):
    problem = build("portfolio-logbarrier", {"m": m, "d": d, "seed": 4})
    A, b, p = problem.A, problem.b, problem.p
    rng = np.random.default_rng(m)
    for scale in (1e-150, 1e-3, 0.3):
        x = np.abs(problem.x0 + scale * rng.standard_normal(d))
        x /= x.sum()
        got, want = np.empty(d), np.empty(d)
        constrained.portfolio_grad(A, b, p, x, got)
        _portfolio_grad_rows(A, x, want)
        assert np.array_equal(got, want)
        assert constrained.portfolio_value(A, b, p, x) == _portfolio_value_rows(A, b, x)
    outside = -np.ones(d)  # every rᵢᵀx < 0: NaN gradient, infinite value, as the row loops
    constrained.portfolio_grad(A, b, p, outside, got)
    _portfolio_grad_rows(A, outside, want)
    assert np.isnan(got).all() and np.isnan(want).all()
    assert constrained.portfolio_value(A, b, p, outside) == _portfolio_value_rows(A, b, outside)


@njit
def _l1reg_grad_rows(A, b, x, out):
    m, d = A.shape
    for i in range(d):
        out[i] = 0.0
    for r in range(m):
        s = 0.0
        for i in range(d):
            s += A[r, i] * (x[i] - b[i])
        if s > 0:
            for i in range(d):
                out[i] += A[r, i]
        elif s < 0:
            for i in range(d):
                out[i] -= A[r, i]
    for i in range(d):
        out[i] /= m


@njit
def _l1reg_value_rows(A, b, x):
    total = 0.0
    for r in range(A.shape[0]):
        s = 0.0
        for i in range(A.shape[1]):
            s += A[r, i] * (x[i] - b[i])
        total += abs(s)
    return total / A.shape[0]


@njit
def _maxaffine_rows(A, x, out):
    best = -np.inf
    jb = 0
    for j in range(A.shape[0]):
        s = 0.0
        for i in range(A.shape[1]):
            s += A[j, i] * x[i]
        if s > best:
            best = s
            jb = j
    for i in range(A.shape[1]):
        out[i] = A[jb, i]
    return best


def test_nonsmooth_oracles_equal_their_row_loops():
    l1 = build("l1-regression", {"m": 203, "d": 50, "seed": 1})
    mx = build("maxaffine-simplex", {"n": 50, "J": 23, "seed": 2})
    rng = np.random.default_rng(5)
    for scale in SCALES:
        x = l1.xstar + scale * rng.standard_normal(50)
        got, want = np.empty(50), np.empty(50)
        nonsmooth.l1reg_grad(l1.A, l1.b, l1.p, x, got)
        _l1reg_grad_rows(l1.A, l1.b, x, want)
        assert np.array_equal(got, want)
        assert nonsmooth.l1reg_value(l1.A, l1.b, l1.p, x) == _l1reg_value_rows(l1.A, l1.b, x)
    x = l1.xstar.copy()  # every residual exactly 0: no row added
    nonsmooth.l1reg_grad(l1.A, l1.b, l1.p, x, got)
    _l1reg_grad_rows(l1.A, l1.b, x, want)
    assert np.array_equal(got.view(np.int64), want.view(np.int64))
    for scale in SCALES:
        x = np.abs(mx.x0 + scale * rng.standard_normal(50))
        nonsmooth.maxaffine_grad(mx.A, mx.b, mx.p, x, got)
        best = _maxaffine_rows(mx.A, x, want)
        assert np.array_equal(got, want)
        assert nonsmooth.maxaffine_value(mx.A, mx.b, mx.p, x) == best - mx.p[0]


@njit
def _logistic_value_rows(A, b, x):
    n, d = A.shape
    total = 0.0
    for i in range(n):
        delta = 0.0
        for j in range(d):
            delta += A[i, j] * (x[j] - b[j])
        if delta > -30.0:
            total += math.log1p(b[d + i] * math.expm1(-delta))
        else:
            z = -(b[d + n + i] + delta)
            zs = -b[d + n + i]
            total += (max(z, 0.0) + math.log1p(math.exp(-abs(z)))
                      - max(zs, 0.0) - math.log1p(math.exp(-abs(zs))))
    return total / n


def test_logistic_value_equals_its_row_loop():
    problem = build("logistic-nonseparable", {"n": 203, "d": 20, "seed": 3})
    rng = np.random.default_rng(6)
    for scale in SCALES[:-1] + [100.0]:  # 100: far from x*, the softplus branch
        x = problem.xstar + scale * rng.standard_normal(20)
        assert regression.logistic_value(problem.A, problem.b, problem.p, x) == \
            _logistic_value_rows(problem.A, problem.b, x)
