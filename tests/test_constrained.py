"""Composite and constrained section: exact sets, certified families, proximal and FW kernels.

Sets are checked against their variational characterisation (a projection p of v onto a
polytope satisfies <v − p, y − p> <= 0 at every vertex y) and LMOs against brute force over the
vertices; families against their certificates, finite differences and naive formulas; kernels
against plain numpy re-implementations of the same update.
"""

import itertools
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from convlab import InputError, quadratic, run
from convlab.problems import build
from convlab.problems import sets

FAST = settings(max_examples=15, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])


def vectors(min_d=1, max_d=8):
    return st.integers(min_d, max_d).flatmap(
        lambda d: st.lists(st.floats(-10, 10, allow_nan=False), min_size=d, max_size=d)
    ).map(lambda v: np.array(v, dtype=float))


radii = st.floats(0.1, 5.0)


# -- sets ------------------------------------------------------------------------------------

@FAST
@given(vectors(), radii)
def test_simplex_projection_is_the_projection(v, r):
    p = np.empty_like(v)
    sets.project_simplex(v, r, p)
    scale = 1 + np.abs(v).max() + r
    assert np.all(p >= 0) and abs(p.sum() - r) <= 1e-12 * scale * len(v)
    for i in range(len(v)):  # variational inequality at every vertex r e_i
        y = np.zeros_like(v)
        y[i] = r
        assert (v - p) @ (y - p) <= 1e-11 * scale**2
    q = v.copy()
    sets.project_simplex(q, r, q)  # aliasing allowed
    assert np.array_equal(q, p)


@FAST
@given(vectors(), radii)
def test_l1_ball_projection_is_the_projection(v, r):
    p = np.empty_like(v)
    sets.project_l1_ball(v, r, p)
    scale = 1 + np.abs(v).max() + r
    assert np.abs(p).sum() <= r * (1 + 1e-12) + 1e-12
    for i in range(len(v)):
        for sgn in (-1.0, 1.0):
            y = np.zeros_like(v)
            y[i] = sgn * r
            assert (v - p) @ (y - p) <= 1e-11 * scale**2
    if np.abs(v).sum() <= r:
        assert np.array_equal(p, v)


@FAST
@given(vectors(), st.floats(-3, 0), st.floats(0, 3), radii)
def test_box_ball_nonneg_projections(v, lo, hi, r):
    p = np.empty_like(v)
    sets.project_box(v, lo, hi, p)
    assert np.array_equal(p, np.clip(v, lo, hi))
    sets.project_box_arrays(v, np.full_like(v, lo), np.full_like(v, hi), p)
    assert np.array_equal(p, np.clip(v, lo, hi))
    sets.project_nonneg(v, p)
    assert np.array_equal(p, np.maximum(v, 0.0))
    c = np.linspace(-1, 1, len(v))
    sets.project_ball(v, c, r, p)
    e = v - c
    expected = v if np.linalg.norm(e) <= r else c + r * e / np.linalg.norm(e)
    np.testing.assert_allclose(p, expected, rtol=1e-13, atol=1e-13)
    rng = np.random.default_rng(0)
    for _ in range(20):  # variational inequality at random points of the ball
        z = rng.standard_normal(len(v))
        y = c + r * rng.uniform() * z / np.linalg.norm(z)
        assert (v - p) @ (y - p) <= 1e-10 * (1 + np.abs(v).max()) ** 2
    # the ball centred at 0: the same operations as project_ball with c = 0
    q = np.empty_like(v)
    sets.project_ball_origin(v, r, q)
    sets.project_ball(v, np.zeros_like(v), r, p)
    assert np.array_equal(p, q)
    q = v.copy()
    sets.project_ball_origin(q, r, q)  # aliasing allowed
    assert np.array_equal(p, q)


def test_projections_keep_a_nan():
    v = np.array([0.5, np.nan, -2.0, 3.0])
    p = np.empty_like(v)
    for project in (lambda: sets.project_simplex(v, 1.0, p), lambda: sets.project_nonneg(v, p),
                    lambda: sets.project_l1_ball(v, 1.0, p),
                    lambda: sets.project_box(v, -1.0, 1.0, p),
                    lambda: sets.project_ball(v, np.zeros(4), 1.0, p),
                    lambda: sets.project_ball_origin(v, 1.0, p)):
        p[:] = 0.0
        project()
        assert np.isnan(p[1])


@FAST
@given(vectors(max_d=6), radii)
def test_lmos_match_brute_force(g, r):
    d = len(g)
    s = np.empty(d)
    verts = r * np.eye(d)
    sets.lmo_simplex(g, r, s)
    assert g @ s == pytest.approx(min(verts @ g), abs=1e-12)
    assert np.any(np.all(verts == s, axis=1))
    sets.lmo_l1_ball(g, r, s)
    assert g @ s == pytest.approx(min(np.concatenate([verts @ g, -verts @ g])), abs=1e-12)
    lo, hi = -0.5, 2.0
    sets.lmo_box(g, lo, hi, s)
    best = min(g @ np.array(c) for c in itertools.product((lo, hi), repeat=d))
    assert g @ s == pytest.approx(best, abs=1e-12)
    sets.lmo_box_arrays(g, np.full(d, lo), np.full(d, hi), s)
    assert g @ s == pytest.approx(best, abs=1e-12)
    c = np.ones(d)
    sets.lmo_ball(g, c, r, s)
    assert np.linalg.norm(s - c) <= r * (1 + 1e-12)
    assert g @ s == pytest.approx(g @ c - r * np.linalg.norm(g), abs=1e-12 * (1 + np.abs(g).sum()))
    sets.lmo_ball_origin(g, r, s)
    assert np.linalg.norm(s) <= r * (1 + 1e-12)
    assert g @ s == pytest.approx(-r * np.linalg.norm(g), abs=1e-12 * (1 + np.abs(g).sum()))
    s0 = np.empty(d)
    sets.lmo_ball(g, np.zeros(d), r, s0)
    assert np.array_equal(s, s0)


# -- helpers ---------------------------------------------------------------------------------

def fd_grad(f, x, h=1e-6):
    out = np.empty_like(x)
    for i in range(len(x)):
        e = np.zeros_like(x)
        e[i] = h
        out[i] = (f(x + e) - f(x - e)) / (2 * h)
    return out


def oracle_grad(pr, x):
    g = np.empty(pr.dim)
    pr.grad(pr.A, pr.b, pr.p, np.ascontiguousarray(x), g)
    return g


def oracle_value(pr, x):
    return pr.gap(pr.A, pr.b, pr.p, np.ascontiguousarray(x))


def lasso_parts(pr):
    n = pr.A.shape[0] - 2
    return pr.A[:n], pr.b, pr.p[0]


def lasso_F(pr, x):
    M, b, lam = lasso_parts(pr)
    r = M @ x - b
    return 0.5 * r @ r + lam * np.abs(x).sum()


# -- lasso (P15) -----------------------------------------------------------------------------

lasso_params = st.one_of(
    st.fixed_dictionaries({"n": st.integers(10, 30), "d": st.integers(31, 60),
                           "s": st.integers(1, 3), "lam": st.floats(0.01, 1.0),
                           "seed": st.integers(0, 10**6)}),
    st.fixed_dictionaries({"n": st.integers(30, 60), "d": st.integers(3, 25),
                           "s": st.integers(1, 3), "lam": st.floats(0.01, 1.0),
                           "seed": st.integers(0, 10**6)}),
)


@FAST
@given(lasso_params)
def test_lasso_certificate_constants_and_oracles(kw):
    pr = build("lasso-certified", kw)
    M, b, lam = lasso_parts(pr)
    xs = pr.xstar
    S = xs != 0
    # certificate: A^T (b - A x*) in lam * subdifferential, strict off the support
    c = M.T @ (b - M @ xs) / lam
    assert np.max(np.abs(c[S] - np.sign(xs[S]))) < 1e-10
    assert np.all(np.abs(c[~S]) <= 0.9 + 1e-10)
    assert S.sum() == kw["s"]
    svals = np.linalg.svd(M, compute_uv=False)
    assert pr.L == pytest.approx(svals[0] ** 2, rel=1e-12)
    if kw["n"] >= kw["d"]:
        assert pr.mu == pytest.approx(svals[-1] ** 2, rel=1e-10) and pr.mu > 0
    else:
        assert pr.mu == 0
    assert oracle_value(pr, xs) == 0.0
    assert pr.fstar == pytest.approx(lasso_F(pr, xs), rel=1e-12)
    rng = np.random.default_rng(kw["seed"])
    for _ in range(5):
        x = xs + rng.standard_normal(pr.dim) * rng.uniform(0.01, 1)
        v = oracle_value(pr, x)
        assert v >= 0
        assert v == pytest.approx(lasso_F(pr, x) - pr.fstar, rel=1e-9, abs=1e-12 * pr.fstar)
        f = lambda z: 0.5 * np.sum((M @ z - b) ** 2)
        np.testing.assert_allclose(oracle_grad(pr, x), fd_grad(f, x), rtol=1e-6, atol=1e-6)
        y = xs + rng.standard_normal(pr.dim)
        gx, gy = oracle_grad(pr, x), oracle_grad(pr, y)
        assert np.linalg.norm(gx - gy) <= pr.L * np.linalg.norm(x - y) * (1 + 1e-12)
        assert (gx - gy) @ (x - y) >= pr.mu * np.sum((x - y) ** 2) * (1 - 1e-10)
        # prox optimality: (z - p)/step in lam * d|p|
        step = rng.uniform(0.1, 2.0)
        p = np.empty(pr.dim)
        pr.oracle("prox")(pr.A, pr.b, pr.p, x, step, p)
        w = (x - p) / (step * lam)
        nz = p != 0
        np.testing.assert_allclose(w[nz], np.sign(p[nz]), atol=1e-12 * (1 + np.abs(x).max()))
        assert np.all(np.abs(w[~nz]) <= 1 + 1e-12)


def test_lasso_floor_bounds_the_rounded_problem_optimum():
    # the minimiser of the stored problem (support system solved in float) sits below the floors
    pr = build("lasso-certified", {"n": 200, "d": 50, "s": 5})
    M, b, lam = lasso_parts(pr)
    S = pr.xstar != 0
    z = np.zeros(pr.dim)
    z[S] = np.linalg.solve(M[:, S].T @ M[:, S], M[:, S].T @ b - lam * np.sign(pr.xstar[S]))
    assert np.sum((z - pr.xstar) ** 2) <= pr.floor("dist_sq")
    assert 0 <= oracle_value(pr, z) <= pr.floor("f_gap")


@pytest.mark.parametrize("kw", [dict(s=0), dict(n=0), dict(lam=0.0), dict(lam=-1.0),
                                dict(n=5, d=10, s=6), dict(x0="ones")])
def test_lasso_invalid_parameters(kw):
    with pytest.raises(InputError):
        build("lasso-certified", kw)


# -- l1-ball quadratic (P16) -----------------------------------------------------------------

@FAST
@given(st.integers(4, 40), st.integers(0, 10**6), st.floats(0.1, 3.0))
def test_l1ball_quadratic_certificate_and_oracles(d, seed, tau):
    pr = build("l1ball-quadratic-certified", {"d": d, "seed": seed, "tau": tau})
    H, c, xs = pr.A[:d], pr.b, pr.xstar
    assert np.abs(xs).sum() == pytest.approx(1.0, abs=4e-16)
    g = H @ xs - c
    # -grad f(x*) in the normal cone: <grad f(x*), y - x*> >= 0 at every vertex +-e_i
    for i in range(d):
        for sgn in (-1.0, 1.0):
            y = np.zeros(d)
            y[i] = sgn
            assert g @ (y - xs) >= -1e-12 * (1 + np.abs(g).max())
    eig = np.linalg.eigvalsh(H)
    assert pr.L == pytest.approx(eig[-1], rel=1e-12) and pr.mu == pytest.approx(eig[0], rel=1e-10)
    assert pr.certified["D"] == 2.0
    f = lambda z: 0.5 * z @ H @ z - c @ z
    assert pr.fstar == pytest.approx(f(xs), rel=1e-12, abs=1e-14)
    rng = np.random.default_rng(seed)
    P = np.empty(d)
    for _ in range(5):
        x = rng.standard_normal(d)
        pr.oracle("prox")(pr.A, pr.b, pr.p, x, 1.0, P)  # a feasible point
        for z in (x, P.copy()):
            v = oracle_value(pr, z)
            assert v == pytest.approx(f(z) - pr.fstar, rel=1e-9, abs=1e-12)
        assert oracle_value(pr, P) >= -pr.floor("f_gap")
        np.testing.assert_allclose(oracle_grad(pr, x), fd_grad(f, x), rtol=1e-6, atol=1e-6)
    assert pr.measure("fw_gap", xs)[0] <= pr.floor("fw_gap")
    assert abs(oracle_value(pr, xs)) <= pr.floor("f_gap")


@pytest.mark.parametrize("kw", [dict(d=0), dict(support=0), dict(d=3, support=4),
                                dict(tau=0.0), dict(x0="corner")])
def test_l1ball_quadratic_invalid_parameters(kw):
    with pytest.raises(InputError):
        build("l1ball-quadratic-certified", kw)


# -- NNLS (P18) ------------------------------------------------------------------------------

@FAST
@given(st.integers(3, 20), st.integers(1, 20), st.integers(0, 10**6))
def test_nnls_kkt_and_oracles(d, extra, seed):
    zeros = d // 3
    pr = build("nnls-certified", {"n": d + extra, "d": d, "seed": seed, "zeros": zeros})
    n = d + extra
    M, b, xs = pr.A[:n], pr.b, pr.xstar
    g = M.T @ (M @ xs - b)
    scale = 1 + np.abs(M.T @ b).max()
    assert np.all(xs >= 0) and np.sum(xs == 0) == zeros
    assert np.all(g >= -1e-12 * scale)  # dual feasibility
    assert np.max(np.abs(g[xs > 0])) <= 1e-11 * scale  # complementarity
    f = lambda z: 0.5 * np.sum((M @ z - b) ** 2)
    assert pr.fstar == pytest.approx(f(xs), rel=1e-9, abs=1e-12)
    eig = np.linalg.eigvalsh(M.T @ M)
    assert pr.L == pytest.approx(eig[-1], rel=1e-12) and pr.mu == pytest.approx(eig[0], rel=1e-9)
    rng = np.random.default_rng(seed)
    for _ in range(5):
        x = np.abs(xs + rng.standard_normal(d))
        assert oracle_value(pr, x) >= 0
        assert oracle_value(pr, x) == pytest.approx(f(x) - pr.fstar, rel=1e-8, abs=1e-10 * scale)
        np.testing.assert_allclose(oracle_grad(pr, x), fd_grad(f, x), rtol=1e-6, atol=1e-5)


@pytest.mark.parametrize("kw", [dict(n=10, d=10), dict(d=0), dict(zeros=60), dict(zeros=-1),
                                dict(x0="random")])
def test_nnls_invalid_parameters(kw):
    with pytest.raises(InputError):
        build("nnls-certified", kw)


# -- portfolio (P17) -------------------------------------------------------------------------

@settings(max_examples=4, deadline=None)
@given(st.integers(3, 12), st.integers(5, 60), st.integers(0, 10**6))
def test_portfolio_reference_and_self_concordance(d, m, seed):
    pr = build("portfolio-logbarrier", {"d": d, "m": m, "seed": seed})
    R = pr.A[:m]
    xr = pr.A[m]
    assert np.all(xr >= 0) and xr.sum() == pytest.approx(1.0, abs=1e-14)
    gap_ref = pr.certified["fw_gap_ref"]
    assert 0 <= gap_ref <= 1e-12
    f = lambda z: -np.mean(np.log(R @ z))
    g = -(R.T @ (1 / (R @ xr))) / m
    assert g @ xr - g.min() <= gap_ref  # the certified gap bounds the computed one
    assert pr.fstar == pytest.approx(f(xr), rel=1e-14)
    rng = np.random.default_rng(seed)
    M = pr.certified["gsc_M"]
    assert M == pytest.approx(2 * math.sqrt(m))
    Hx = np.empty((d, d))
    for _ in range(5):
        x = rng.dirichlet(np.ones(d))
        v = oracle_value(pr, x)
        assert v >= -gap_ref  # f(x) - f* >= 0 and f(x_ref) - f* <= gap_ref
        assert v == pytest.approx(f(x) - pr.fstar, rel=1e-8, abs=1e-14)
        np.testing.assert_allclose(oracle_grad(pr, x), fd_grad(f, x), rtol=1e-6, atol=1e-8)
        pr.oracle("hess")(pr.A, pr.b, pr.p, x, Hx)
        np.testing.assert_allclose(Hx, np.array([fd_grad(lambda z: oracle_grad(pr, z)[i], x)
                                                 for i in range(d)]), rtol=1e-5, atol=1e-6)
        # generalized self-concordance (nu = 3): |D^3 f[u,u,u]| <= M ||u||_x^3
        u = rng.standard_normal(d)
        q = (R @ u) / (R @ x)
        d3 = -2 * np.mean(q**3)
        assert abs(d3) <= M * np.mean(q**2) ** 1.5 * (1 + 1e-12)
    assert pr.measure("fw_gap", xr)[0] <= pr.floor("fw_gap")


@pytest.mark.parametrize("kw", [dict(d=1), dict(m=0), dict(scale=0.0)])
def test_portfolio_invalid_parameters(kw):
    with pytest.raises(InputError):
        build("portfolio-logbarrier", kw)


# -- kernels against numpy -------------------------------------------------------------------

def np_ista(pr, step, n, grad, prox):
    x = pr.x0.copy()
    xs = [x.copy()]
    for _ in range(n):
        x = prox(x - step * grad(x), step)
        xs.append(x.copy())
    return np.array(xs)


def np_fista(pr, step, n, grad, prox):
    x = pr.x0.copy()
    y = x.copy()
    t = 1.0
    xs, ys = [x.copy()], [y.copy()]
    for _ in range(n):
        x_new = prox(y - step * grad(y), step)
        t_new = (1 + np.sqrt(1 + 4 * t * t)) / 2
        y = x_new + ((t - 1) / t_new) * (x_new - x)
        x, t = x_new, t_new
        xs.append(x.copy())
        ys.append(y.copy())
    return np.array(xs), np.array(ys)


def soft(lam):
    return lambda z, step: np.sign(z) * np.maximum(np.abs(z) - step * lam, 0.0)


def lasso_small():
    return build("lasso-certified", {"n": 20, "d": 40, "s": 3, "lam": 0.1, "seed": 1,
                                     "x0": "random"})


def nnls_small():
    return build("nnls-certified", {"n": 30, "d": 12, "zeros": 4, "seed": 2, "x0": "zero"})


def close(a, b):
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12 * max(1.0, np.abs(b).max()))


@pytest.mark.parametrize("algorithm", ["ista", "fista", "projected-gd"])
@pytest.mark.parametrize("make", [lasso_small, nnls_small])
def test_proximal_kernels_match_numpy(algorithm, make):
    pr = make()
    if pr.family == "lasso-certified":
        M, b, lam = lasso_parts(pr)
        prox = soft(lam)
    else:
        M, b = pr.A[:-2], pr.b
        prox = lambda z, step: np.maximum(z, 0.0)
    grad = lambda z: M.T @ (M @ z - b)
    n = 80
    step = 0.9 / pr.L
    trace = run(pr, algorithm, {"step": step}, iterations=n)
    assert np.array_equal(trace.k, np.arange(n + 1))
    if algorithm == "fista":
        xs, ys = np_fista(pr, step, n, grad, prox)
        close(trace.points["y"], ys)
    else:
        xs = np_ista(pr, step, n, grad, prox)
    close(trace.points["last"], xs)
    close(trace.measure("f_gap"), [oracle_value(pr, x) for x in xs])


def test_proximal_kernels_without_prox_are_gd_and_agd():
    pr = quadratic(d=8, L=2.0, mu=0.05, seed=5, xstar="random")
    for prox_alg, smooth_alg in [("ista", "gd"), ("fista", "agd"), ("projected-gd", "gd")]:
        a = run(pr, prox_alg, iterations=200).points["last"]
        b = run(pr, smooth_alg, iterations=200).points["last"]
        assert np.array_equal(a, b), prox_alg


def ordered_dot(a, b):
    """<a, b> summed in index order, as the kernels do (BLAS sums in another order, which
    differs from core type to core type; a step rule that compares or takes an argmax turns a
    last-bit difference into another trajectory)."""
    total = 0.0
    for u, v in zip(a.tolist(), b.tolist()):
        total += u * v
    return total


def np_frank_wolfe(pr, rule, n, lmo, f, grad, lip=None):
    x = pr.x0.copy()
    out, gaps, mins, moved = [], [], [], []
    min_gap, count, halv = np.inf, 0, 0
    for t in range(n + 1):
        g = grad(x)
        s = lmo(g)
        gap = ordered_dot(g, x - s)
        min_gap = gap if t <= 1 else min(min_gap, gap)
        out.append(x.copy()); gaps.append(gap); mins.append(min_gap); moved.append(count)
        if t == n:
            break
        if rule == 0:
            gamma = 2 / (t + 2)
        elif rule == 1:
            gamma = max(0.0, min(1.0, gap / (lip * ordered_dot(s - x, s - x))))
        elif rule == 2:
            gamma = 2 / (t + 2)
            if not f(x + gamma * (s - x)) <= f(x):
                gamma = 0.0
        elif rule == 3:
            while True:
                gamma = 2.0 ** (1 - halv) / (t + 2)
                if f(x + gamma * (s - x)) <= f(x):
                    break
                halv += 1
        elif rule == 5:
            for k in range(81):
                gamma = 2.0 ** (1 - k) / (t + 2)
                if f(x + gamma * (s - x)) <= f(x):
                    break
        else:
            curv = ordered_dot(grad(s) - g, s - x)
            gamma = min(1.0, gap / curv) if curv > 0 else 1.0
        if gamma > 0:
            count += 1
            x = x + gamma * (s - x)
    return np.array(out), np.array(gaps), np.array(mins), np.array(moved)


FW = {0: "frank-wolfe", 1: "frank-wolfe-short-step", 2: "frank-wolfe-monotone",
      3: "frank-wolfe-monotone-halving", 4: "frank-wolfe-line-search-quadratic",
      5: "frank-wolfe-monotone-stateless"}


@pytest.mark.parametrize("rule", sorted(FW))
@pytest.mark.parametrize("family", ["l1ball", "portfolio"])
def test_frank_wolfe_matches_numpy(rule, family):
    if family == "l1ball":
        pr = build("l1ball-quadratic-certified", {"d": 10, "seed": 3})
        grad = lambda z: oracle_grad(pr, z)  # the method under test, not the oracle's sums
        f = lambda z: oracle_value(pr, z)  # the kernel compares the value oracle itself

        def lmo(g):
            s = np.zeros_like(g)
            i = np.argmax(np.abs(g))
            s[i] = -1.0 if g[i] > 0 else 1.0
            return s
    else:
        if rule in (1, 4):
            pytest.skip("short step and quadratic line search need a smooth quadratic")
        pr = build("portfolio-logbarrier", {"d": 6, "m": 40, "seed": 4})
        grad = lambda z: oracle_grad(pr, z)
        f = lambda z: oracle_value(pr, z)  # the kernel compares f - f(x_ref): same order

        def lmo(g):
            s = np.zeros_like(g)
            s[np.argmin(g)] = 1.0
            return s
    n = 150
    trace = run(pr, FW[rule], checkpoints=np.arange(n + 1))
    xs, gaps, mins, moved = np_frank_wolfe(pr, rule, n, lmo, f, grad, lip=pr.L)
    close(trace.points["last"], xs)
    close(trace.scalars["fw_gap"], gaps)
    close(trace.scalars["min_fw_gap"], mins)
    # moved counts steps with gamma > 0: rounding decides it once the gap is at rounding level
    live = np.cumprod(np.abs(gaps) > 1e-10).astype(bool)
    assert live.sum() > 10
    assert np.array_equal(trace.scalars["moved"][live], moved[live])
    close(trace.scalars["fw_gap"], pr.measure("fw_gap", xs))


def test_fw_gap_bounds_the_primal_gap_and_jaggi_rate():
    pr = build("l1ball-quadratic-certified", {"d": 30, "seed": 0})
    trace = run(pr, "frank-wolfe", iterations=3000)
    t = trace.k
    gap, f_gap = trace.scalars["fw_gap"], trace.measure("f_gap")
    assert np.all(gap >= f_gap - pr.floor("f_gap"))  # convexity: g_t >= f(x_t) - f*
    D = pr.certified["D"]
    assert np.all(f_gap[1:] <= 2 * pr.L * D**2 / (t[1:] + 2))
    assert np.all(trace.scalars["min_fw_gap"][2:] <= 27 * pr.L * D**2 / (4 * (t[2:] + 2)))
    assert trace.scalars["min_fw_gap"][-1] < 1e-3


def test_ista_converges_linearly_on_strongly_convex_lasso():
    pr = build("lasso-certified", {"n": 200, "d": 50, "s": 5})
    trace = run(pr, "ista", iterations=500)
    dist = trace.measure("dist")
    assert dist[-1] <= 1e3 * math.sqrt(pr.floor("dist_sq"))
    k = trace.k
    assert np.all(dist <= (1 - pr.mu / pr.L) ** k * pr.R * (1 + 1e-9) + 1e-15)


def test_projected_gd_reaches_the_certified_nnls_solution():
    pr = build("nnls-certified", {})
    trace = run(pr, "projected-gd", iterations=3000)
    assert trace.measure("f_gap")[-1] <= 10 * pr.floor("f_gap")
    assert np.all(trace.points["last"] >= 0)


def test_divergence_is_reported_not_raised():
    pr = build("lasso-certified", {"n": 60, "d": 20, "s": 2})
    trace = run(pr, "ista", {"step": "3/L"}, iterations=5000)
    assert trace.diverged and trace.k[-1] == trace.diverged_at < 5000
    trace = run(pr, "fista", {"step": "3/L"}, iterations=5000)
    assert trace.diverged


def test_runs_are_deterministic_and_compile_once():
    from convlab.algorithms import get_algorithm

    pr = build("l1ball-quadratic-certified", {"d": 8, "seed": 1})
    a = run(pr, "frank-wolfe-monotone", iterations=300, seed=0, track=True)
    b = run(pr, "frank-wolfe-monotone", iterations=300, seed=0, track=True)
    assert np.array_equal(a.points["last"], b.points["last"])
    assert np.array_equal(a.scalars["fw_gap"], b.scalars["fw_gap"], equal_nan=True)
    # tracking: best f gap is the running minimum of the recorded f gaps (dense checkpoints)
    fg = a.measure("f_gap")
    np.testing.assert_array_equal(a.scalars["best_f_gap"], np.minimum.accumulate(fg))
    pairs = {"frank-wolfe": [pr, build("portfolio-logbarrier", {"d": 4, "m": 10})],
             "ista": [build("nnls-certified", {"n": 12, "d": 5, "zeros": 1}),
                      build("lasso-certified", {"n": 12, "d": 5, "s": 1}), pr]}
    for name, problems in pairs.items():
        for problem in problems:
            trace = run(problem, name, iterations=20)
            if name == "frank-wolfe" and problem.family == "portfolio-logbarrier":
                x = trace.points["last"]
                assert np.all(x >= 0) and np.allclose(x.sum(axis=1), 1.0, atol=1e-14)
        k = get_algorithm(name).kernel
        assert len(getattr(k, "advance", getattr(k, "method", None)).compiled.signatures) == 1
