"""Smooth section: families (pl-sin, cauchy-regression, matrix-factor-full, ls-wide-consistent,
logistic-nonseparable, OGM horizon worst cases) and kernels (cg, gd-polyak, gd-armijo)."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from convlab import InputError, run
from convlab.runtime.random import normal
from convlab.problems import build

FAST = settings(max_examples=8, deadline=None)


def call_grad(pr, x):
    g = np.empty(pr.dim)
    pr.grad(pr.A, pr.b, pr.p, np.ascontiguousarray(x, dtype=float), g)
    return g


def call_value(pr, x):
    return float(pr.gap(pr.A, pr.b, pr.p, np.ascontiguousarray(x, dtype=float)))


def call_hess(pr, x):
    H = np.empty((pr.dim, pr.dim))
    pr.oracle("hess")(pr.A, pr.b, pr.p, np.ascontiguousarray(x, dtype=float), H)
    return H


def fd_grad(pr, x, h=1e-6):
    """Central differences of the value oracle."""
    g = np.empty(pr.dim)
    for i in range(pr.dim):
        e = np.zeros(pr.dim)
        e[i] = h
        g[i] = (call_value(pr, x + e) - call_value(pr, x - e)) / (2 * h)
    return g


def check_fd(pr, x, rtol=1e-6):
    g = call_grad(pr, x)
    np.testing.assert_allclose(fd_grad(pr, x), g, rtol=rtol, atol=rtol * (1 + np.abs(g).max()))
    if "hess" in pr.oracles:
        H = call_hess(pr, x)
        h = 1e-6
        Hfd = np.column_stack([(call_grad(pr, x + h * e) - call_grad(pr, x - h * e)) / (2 * h)
                               for e in np.eye(pr.dim)])
        np.testing.assert_allclose(Hfd, H, rtol=1e-5, atol=1e-5 * (1 + np.abs(H).max()))


# -- pl-sin -------------------------------------------------------------------------------------

def pl_terms(t):
    return t * t + 3 * np.sin(t) ** 2, 2 * t + 3 * np.sin(2 * t)


def test_pl_sin_certified_constant_on_a_fine_grid():
    # per-coordinate PL ratio ½ f'(t)²/f(t); the sum over coordinates inherits its minimum
    t = np.linspace(-60, 60, 2_400_001)
    t = t[t != 0]
    f, g = pl_terms(t)
    ratio = 0.5 * g * g / f
    assert ratio.min() > 1 / 32
    assert ratio.min() == pytest.approx(0.1755, abs=5e-4)  # CLAIMS.md P06: ~0.1755
    # curvature 2 + 6 cos 2t spans exactly [-4, 8]: L = 8, weak convexity 4
    curv = 2 + 6 * np.cos(2 * t)
    assert curv.max() <= 8 and curv.max() > 8 - 1e-9 and curv.min() >= -4


@FAST
@given(d=st.integers(1, 12), seed=st.integers(0, 2**31), noise=st.floats(0, 3))
def test_pl_sin_oracles(d, seed, noise):
    pr = build("pl-sin", dict(d=d, seed=seed, noise=noise))
    assert np.all(np.abs(pr.x0) <= 20) and pr.L == 8 and pr.mu == 1 / 32
    rng = np.random.default_rng(seed)
    x = rng.uniform(-5, 5, d)
    check_fd(pr, x)
    f = call_value(pr, x)
    g = call_grad(pr, x)
    assert 0.5 * g @ g >= pr.mu * f
    assert f == pytest.approx(float(np.sum(pl_terms(x)[0])), rel=1e-13)
    assert np.all(call_grad(pr, pr.xstar) == 0) and call_value(pr, pr.xstar) == 0
    y = rng.uniform(-5, 5, d)
    lip = np.linalg.norm(call_grad(pr, x) - call_grad(pr, y)) / np.linalg.norm(x - y)
    assert lip <= pr.L * (1 + 1e-12)
    # stochastic oracle: exactly grad + noise * normal(s, i)
    out = np.empty(d)
    s = int(rng.integers(0, 2**62))
    pr.oracle("sgrad")(pr.A, pr.b, pr.p, x, 3, s, out)
    xi = np.array([normal(s, i) for i in range(d)])
    np.testing.assert_allclose(out, g + noise * xi, rtol=1e-14, atol=1e-14)
    assert pr.certified["sigma_sq"] == pytest.approx(noise**2 * d)


def test_pl_sin_noise_has_the_certified_variance():
    pr = build("pl-sin", dict(d=4, noise=2.0))
    x = pr.x0
    g = call_grad(pr, x)
    out = np.empty(4)
    dev = []
    for s in range(4000):
        pr.oracle("sgrad")(pr.A, pr.b, pr.p, x, 0, s * 7919 + 1, out)
        dev.append(out - g)
    dev = np.array(dev)
    assert np.abs(dev.mean(axis=0)).max() < 4 * 2.0 / math.sqrt(4000)
    assert np.mean(np.sum(dev**2, axis=1)) == pytest.approx(pr.certified["sigma_sq"], rel=0.06)


# -- cauchy-regression ----------------------------------------------------------------------

@FAST
@given(n=st.integers(5, 60), d=st.integers(1, 8), seed=st.integers(0, 2**31))
def test_cauchy_regression_oracles_and_constants(n, d, seed):
    pr = build("cauchy-regression", dict(n=n, d=d, seed=seed, noise=0.5, x0="random"))
    rng = np.random.default_rng(seed + 1)
    for _ in range(3):
        x = rng.standard_normal(d) * 3
        check_fd(pr, x)
        assert call_value(pr, x) >= 0  # f_inf = 0
        eig = np.linalg.eigvalsh(call_hess(pr, x))
        assert eig.max() <= pr.L * (1 + 1e-12)
        assert eig.min() >= -pr.certified["rho"] * (1 + 1e-12)
        y = x + rng.standard_normal(d)
        lip = np.linalg.norm(call_grad(pr, x) - call_grad(pr, y)) / np.linalg.norm(x - y)
        assert lip <= pr.L * (1 + 1e-12)
    r = pr.A @ x - pr.b
    assert call_value(pr, x) == pytest.approx(np.mean(np.log1p(r * r)), rel=1e-13)
    out = np.empty(d)
    pr.oracle("sgrad")(pr.A, pr.b, pr.p, x, 0, 12345, out)
    xi = np.array([normal(12345, j) for j in range(d)])
    np.testing.assert_allclose(out, call_grad(pr, x) + 0.5 * xi, rtol=1e-13, atol=1e-14)
    assert pr.xstar is None and pr.fstar == 0 and pr.Delta == pytest.approx(call_value(pr, pr.x0))


def test_cauchy_regression_has_outliers_and_the_stated_start():
    pr = build("cauchy-regression", dict(n=200, d=20, seed=0))
    assert np.all(pr.x0 == 0)
    # recover x_true by the rows that are not outliers: exactly 40 rows are off the fit
    rng = np.random.default_rng(0)
    A = rng.standard_normal((200, 20)) / math.sqrt(20)
    x_true = rng.standard_normal(20)
    np.testing.assert_array_equal(A, pr.A)
    assert np.sum(np.abs(pr.A @ x_true - pr.b) > 1e-12) == 40


# -- matrix-factor-full ---------------------------------------------------------------------

@FAST
@given(n=st.integers(2, 7), r=st.integers(1, 3), extra=st.integers(0, 2),
       seed=st.integers(0, 2**31))
def test_matrix_factor_oracles_and_solution(n, r, extra, seed):
    r = min(r, n)
    k = r + extra
    pr = build("matrix-factor-full", dict(n=n, r=r, width=k, alpha=0.3, seed=seed))
    assert pr.dim == n * k
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(n * k)
    check_fd(pr, x)
    X = x.reshape(n, k)
    E = X @ X.T - pr.A
    assert pr.measure("residual_sq", x)[0] == pytest.approx(np.sum(E * E), rel=1e-12)
    assert call_value(pr, x) == pytest.approx(0.25 * np.sum(E * E), rel=1e-12)
    # M* is a rank-r projector, and X = [U*, 0] (or U* rotated) is a global minimiser
    w, V = np.linalg.eigh(pr.A)
    assert np.allclose(w[-r:], 1, atol=1e-12) and np.allclose(w[:-r], 0, atol=1e-12)
    Q, _ = np.linalg.qr(rng.standard_normal((k, k)))
    Xs = np.hstack([V[:, -r:], np.zeros((n, k - r))]) @ Q.T
    xs = Xs.ravel()
    assert call_value(pr, xs) < 1e-28
    assert np.abs(call_grad(pr, xs)).max() < 1e-14


# -- ls-wide-consistent ---------------------------------------------------------------------

@FAST
@given(n=st.integers(1, 12), extra=st.integers(1, 15), seed=st.integers(0, 2**31),
       x0=st.sampled_from(["zero", "random"]))
def test_ls_wide_consistent_certificates(n, extra, seed, x0):
    d = n + extra
    pr = build("ls-wide-consistent", dict(n=n, d=d, seed=seed, x0=x0))
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((n, d))
    x_true = rng.standard_normal(d)
    np.testing.assert_array_equal(pr.A, A)
    # x* solves Ax = b and x* - x0 lies in the row space (projection of x0 on the solution set)
    np.testing.assert_allclose(A @ pr.xstar, A @ x_true, rtol=1e-10, atol=1e-10)
    P_row = np.linalg.pinv(A) @ A
    e = pr.xstar - pr.x0
    np.testing.assert_allclose(P_row @ e, e, atol=1e-10 * (1 + np.linalg.norm(e)))
    eig = np.linalg.eigvalsh(A @ A.T / n)
    assert pr.L == pytest.approx(eig.max(), rel=1e-10)
    assert pr.mu == pytest.approx(eig.min(), rel=1e-8)
    y = rng.standard_normal(d)
    check_fd(pr, y, rtol=1e-5)
    f, g = call_value(pr, y), call_grad(pr, y)
    assert f == pytest.approx(np.sum((A @ y - A @ pr.xstar) ** 2) / (2 * n), rel=1e-10)
    # PL along the iterates' space: x - x* in the row space (y projected)
    z = pr.xstar + P_row @ (y - pr.xstar)
    fz, gz = call_value(pr, z), call_grad(pr, z)
    assert 0.5 * gz @ gz >= pr.mu * fz * (1 - 1e-9)
    assert 0.5 * g @ g >= pr.mu * f * (1 - 1e-9)  # PL holds on all of R^d (gradient in row space)
    assert pr.Delta == pytest.approx(call_value(pr, pr.x0), rel=1e-12)
    assert call_value(pr, pr.xstar) == 0


# -- logistic-nonseparable ------------------------------------------------------------------

@pytest.fixture(scope="module")
def logistic():
    return build("logistic-nonseparable", dict(n=300, d=8, seed=2))


def test_logistic_solution_and_constants(logistic):
    pr = logistic
    assert np.linalg.norm(call_grad(pr, pr.xstar)) < 1e-14
    f_direct = lambda x: float(np.mean(np.logaddexp(0.0, -(pr.A @ x))))
    assert pr.fstar == pytest.approx(f_direct(pr.xstar), rel=1e-15)
    rng = np.random.default_rng(0)
    for scale in (1e-3, 0.1, 1.0, 5.0):
        x = pr.xstar + scale * rng.standard_normal(pr.dim)
        gap = call_value(pr, x)
        assert gap == pytest.approx(f_direct(x) - pr.fstar, rel=1e-9, abs=1e-15)
        assert gap > 0
        check_fd(pr, x, rtol=1e-5)
        assert np.linalg.eigvalsh(call_hess(pr, x)).max() <= pr.L * (1 + 1e-12)
    # far from x* (margins beyond 709 in size) the value stays finite and exact
    for scale in (50.0, 1e3):
        x = pr.xstar * scale
        assert call_value(pr, x) == pytest.approx(f_direct(x) - pr.fstar, rel=1e-12)
        x = -pr.xstar * scale
        assert np.isfinite(call_value(pr, x))
        assert call_value(pr, x) == pytest.approx(f_direct(x) - pr.fstar, rel=1e-12)
    # the cancellation-free value keeps digits where the direct difference has none
    x = pr.xstar + 1e-9 * rng.standard_normal(pr.dim)
    e = x - pr.xstar
    quad = 0.5 * e @ call_hess(pr, pr.xstar) @ e
    assert call_value(pr, x) == pytest.approx(quad, rel=1e-5)
    assert pr.certified["mu_local"] == pytest.approx(np.linalg.eigvalsh(call_hess(pr, pr.xstar))[0])


# -- invalid parameters -----------------------------------------------------------------------

@pytest.mark.parametrize("family, params", [
    ("pl-sin", dict(d=0)), ("pl-sin", dict(noise=-1.0)),
    ("cauchy-regression", dict(n=0)), ("cauchy-regression", dict(x0="nowhere")),
    ("cauchy-regression", dict(outliers=1.5)),
    ("matrix-factor-full", dict(n=5, r=2, width=1)), ("matrix-factor-full", dict(alpha=0.0)),
    ("matrix-factor-full", dict(n=3, r=4, width=4)),
    ("ls-wide-consistent", dict(n=10, d=10)), ("ls-wide-consistent", dict(n=0, d=3)),
    ("logistic-nonseparable", dict(flip=0.0)), ("logistic-nonseparable", dict(x0="far")),
    ("huber-ogm-worst", dict(N=0)), ("nesterov-chain-horizon", dict(N=0)),
])
def test_invalid_parameters_are_refused(family, params):
    with pytest.raises(InputError):
        build(family, params)


# -- OGM horizon worst cases ------------------------------------------------------------------

@pytest.mark.parametrize("N", [1, 2, 5, 50])
def test_ogm_attains_its_bound_on_the_horizon_huber(N):
    pr = build("huber-ogm-worst", dict(N=N, L=2.0, R=1.5))
    theta = pr.certified["theta_N"]
    assert theta**2 >= (N + 1) ** 2 / 2
    trace = run(pr, "ogm", iterations=N)
    assert trace.measure("f_gap")[-1] == pytest.approx(2.0 * 1.5**2 / (2 * theta**2), rel=1e-12)
    chain = build("nesterov-chain-horizon", dict(N=N))
    assert chain.dim == 2 * N + 1 and chain.certified["theta_N"] == theta


@pytest.mark.parametrize("N, L", [(1, 1.0), (7, 2.5), (60, 1.0)])
def test_tridiagonal_chain_is_the_dense_chain(N, L):
    a = build("nesterov-chain-horizon", dict(N=N, L=L))
    b = build("nesterov-chain", dict(m=2 * N + 1, L=L))
    np.testing.assert_array_equal(a.xstar, b.xstar)
    assert (a.fstar, a.mu, a.R) == pytest.approx((b.fstar, b.mu, b.R), rel=1e-14)
    assert a.Delta == pytest.approx(b.Delta, rel=1e-14)
    rng = np.random.default_rng(N)
    for x in (rng.standard_normal(a.dim), a.xstar + 1e-9 * rng.standard_normal(a.dim)):
        np.testing.assert_allclose(call_grad(a, x), call_grad(b, x), rtol=1e-12,
                                   atol=1e-14 * np.abs(call_grad(b, x)).max())
        e = x - b.xstar
        assert call_value(a, x) == pytest.approx(0.5 * e @ b.A @ e, rel=1e-9)


# -- kernels against numpy --------------------------------------------------------------------

def numpy_cg(H, c, x0, n):
    """Textbook linear CG for H x = c."""
    x = x0.copy()
    r = c - H @ x
    p = r.copy()
    xs = [x.copy()]
    for _ in range(n):
        rr = r @ r
        if rr == 0:
            xs.append(x.copy())
            continue
        Hp = H @ p
        a = rr / (p @ Hp)
        x = x + a * p
        r = r - a * Hp
        p = r + (r @ r / rr) * p
        xs.append(x.copy())
    return xs


def sum_sq(g):
    """||g||^2 summed left to right, the kernels' order (``g @ g`` goes through BLAS, whose
    summation order depends on the CPU: a 1-ulp difference the step recursion amplifies)."""
    total = 0.0
    for v in g:
        total += float(v) * float(v)
    return total


def numpy_polyak(pr, c, n):
    x = pr.x0.copy()
    xs = [x.copy()]
    for _ in range(n):
        g = call_grad(pr, x)
        gap = call_value(pr, x)
        g2 = sum_sq(g)
        if g2 > 0 and gap > 0:
            x = x - c * gap / g2 * g
        xs.append(x.copy())
    return xs


def numpy_armijo(pr, h0, c, beta, max_bt, n):
    x = pr.x0.copy()
    xs, steps = [x.copy()], []
    for _ in range(n):
        g = call_grad(pr, x)
        fx = call_value(pr, x)
        h = h0
        for attempt in range(max_bt + 1):
            y = x - h * g
            if call_value(pr, y) <= fx - c * h * sum_sq(g) or attempt == max_bt:
                break
            h *= beta
        x = y
        xs.append(x.copy())
        steps.append(h)
    return xs, steps


def quad(**kw):
    return build("quadratic", dict(d=6, L=3.0, mu=0.05, seed=5, xstar="random", **kw))


def test_cg_matches_numpy_and_is_exact_in_d_steps():
    pr = quad()
    trace = run(pr, "cg", iterations=8)
    xs = numpy_cg(pr.A, pr.A @ pr.xstar, pr.x0, 8)
    for k in range(5):  # before convergence, where both are meaningful
        np.testing.assert_allclose(trace.points["last"][k], xs[k], rtol=1e-12, atol=1e-12)
    # exact arithmetic reaches x* in d = 6 steps; in floating point (loss of conjugacy,
    # kappa = 60) numpy's CG and the kernel both get there within two more steps
    f = trace.measure("f_gap")
    assert f[5] > 1e-6 * pr.Delta and f[8] < 1e-27 * pr.Delta


def test_cg_is_krylov_optimal_on_the_chain():
    # x_k minimises f over span{grad f(x_0), ..., H^{k-1} grad f(x_0)} (x_0 = 0)
    pr = build("nesterov-chain", dict(m=21))
    trace = run(pr, "cg", iterations=8)
    H, c = pr.A, pr.A @ pr.xstar
    for k in range(1, 9):
        K = np.column_stack([np.linalg.matrix_power(H, i) @ c for i in range(k)])
        Q, _ = np.linalg.qr(K)
        y = np.linalg.solve(Q.T @ H @ Q, Q.T @ c)
        best = 0.5 * (Q @ y - pr.xstar) @ H @ (Q @ y - pr.xstar)
        assert trace.measure("f_gap")[k] == pytest.approx(best, rel=1e-10)
        # Nesterov 2004 (proof of Thm 2.1.7): the Krylov minimum is (L/8)(1/(k+1) - 1/(m+1))
        krylov_min = (1 / 8) * (1 / (k + 1) - 1 / 22)
        assert trace.measure("f_gap")[k] == pytest.approx(krylov_min, rel=1e-10)


def test_cg_two_eigenvalues_two_steps():
    pr = build("quadratic", dict(d=8, L=4.0, mu=1.0, spectrum="two-mode", seed=1))
    # two-mode spectrum has three distinct eigenvalues (mu, sqrt(mu L), L): three steps
    trace = run(pr, "cg", iterations=4)
    f = trace.measure("f_gap")
    assert f[2] > 1e-6 * f[0] and f[3] < 1e-26 * f[0]


@pytest.mark.parametrize("family, params", [
    ("quadratic", dict(d=6, L=3.0, mu=0.05, seed=5, xstar="random")),
    ("pl-sin", dict(d=5, seed=3)),
    ("logistic-nonseparable", dict(n=60, d=4, seed=1)),
])
def test_polyak_and_armijo_match_numpy(family, params):
    pr = build(family, params)
    n = 40
    trace = run(pr, "gd-polyak", {"c": 0.8}, iterations=n)
    xs = numpy_polyak(pr, 0.8, n)
    np.testing.assert_allclose(trace.points["last"], np.array(xs), rtol=1e-12, atol=1e-12)
    trace = run(pr, "gd-armijo", {"h0": 2.0, "c": 0.3, "beta": 0.7, "max_backtracks": 30},
                iterations=n)
    xs, steps = numpy_armijo(pr, 2.0, 0.3, 0.7, 30, n)
    np.testing.assert_allclose(trace.points["last"], np.array(xs), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(trace.scalars["step"][1:], steps, rtol=1e-15)


def test_polyak_on_isotropic_quadratic_is_gd_with_half_inverse_L():
    # f = (L/2)||x - x*||^2: (f - f*)/||grad f||^2 = 1/(2L) at every x
    pr = build("quadratic", dict(d=5, L=2.0, mu=2.0, seed=0, xstar="random"))
    a = run(pr, "gd-polyak", iterations=30).points["last"]
    b = run(pr, "gd", {"step": 0.25}, iterations=30).points["last"]
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12 * np.abs(pr.xstar).max())


def test_armijo_with_a_safe_first_step_is_gd():
    # on a quadratic h <= 2(1 - c)/L always passes the test: no backtracking, plain GD
    pr = quad()
    a = run(pr, "gd-armijo", {"h0": "1/L", "c": 0.5}, iterations=50)
    b = run(pr, "gd", {"step": "1/L"}, iterations=50)
    np.testing.assert_array_equal(a.points["last"], b.points["last"])
    assert np.array_equal(a.scalars["value_calls"][1:], 2.0 * np.arange(1, 51))


@pytest.mark.parametrize("algorithm, params", [
    ("cg", {}), ("gd-polyak", {}), ("gd-armijo", {"h0": "10/L"}),
])
def test_kernels_converge_on_an_easy_instance(algorithm, params):
    pr = build("quadratic", dict(d=10, L=1.0, mu=0.1, seed=2))
    trace = run(pr, algorithm, params, iterations=400)
    assert not trace.diverged
    assert trace.measure("f_gap")[-1] < 1e-18 * pr.Delta


def test_armijo_guarantee_on_logistic(logistic):
    # accepted steps are >= min(h0, 2 beta (1 - c)/L), and f decreases monotonically
    pr = logistic
    trace = run(pr, "gd-armijo", {"h0": "20/L", "c": 0.5, "beta": 0.5}, iterations=100,
                track=True)
    f = trace.measure("f_gap")
    # in exact arithmetic; once f - f* reaches rounding level the test compares noise
    above = f[:-1] > 1e-20
    assert above.sum() > 20
    steps = trace.scalars["step"][1:][above]
    assert steps.min() >= 2 * 0.5 * 0.5 / pr.L
    assert np.all(np.diff(f[f > 1e-25]) <= 0)
    min_g2 = trace.measure("grad_norm_sq").min()
    assert trace.scalars["min_grad_norm_sq"][-1] <= min_g2 * (1 + 1e-12)


def test_divergence_is_reported_not_raised():
    pr = build("quadratic", dict(d=4, L=1.0, mu=1.0, seed=0))
    trace = run(pr, "gd-polyak", {"c": 50.0}, iterations=2000)
    assert trace.diverged and trace.diverged_at < 2000
    trace = run(pr, "gd-armijo", {"h0": 30.0, "max_backtracks": 0}, iterations=2000)
    assert trace.diverged


def test_same_input_same_trace():
    pr = build("pl-sin", dict(d=6, seed=4, noise=1.0))
    for alg, params in [("gd-armijo", {}), ("gd-polyak", {}), ("sgd", {"step": 0.05})]:
        a = run(pr, alg, params, iterations=50, seed=7)
        b = run(pr, alg, params, iterations=50, seed=7)
        np.testing.assert_array_equal(a.points["last"], b.points["last"])
    # different seeds: a stochastic run differs, a deterministic one does not
    a = run(pr, "sgd", {"step": 0.05}, iterations=50, seed=1)
    b = run(pr, "sgd", {"step": 0.05}, iterations=50, seed=2)
    assert not np.array_equal(a.points["last"], b.points["last"])


def test_gd_pl_linear_rate_on_pl_sin():
    # Karimi et al. 2016 Thm 1: f(x_k) - f* <= (1 - mu/L)^k (f(x_0) - f*) with mu = 1/32, L = 8
    pr = build("pl-sin", dict(d=20, seed=0))
    trace = run(pr, "gd", iterations=300)
    f = trace.measure("f_gap")
    assert np.all(f <= (1 - pr.mu / pr.L) ** trace.k * pr.Delta * (1 + 1e-12))


def test_no_family_parameter_shadows_an_iteration_variable():
    # a parameter named k (or t, T, n_iter) would replace the iteration variable of a bound by a
    # constant; N is meant to be the horizon in the horizon-N families only
    from convlab.problems.registry import family_schema
    from convlab.rates.checker import ITERATION_VARIABLES

    for family in ("pl-sin", "cauchy-regression", "matrix-factor-full", "ls-wide-consistent",
                   "logistic-nonseparable"):
        assert not set(family_schema(family)) & set(ITERATION_VARIABLES), family
    for family in ("huber-ogm-worst", "nesterov-chain-horizon"):
        assert set(family_schema(family)) & set(ITERATION_VARIABLES) == {"N"}
