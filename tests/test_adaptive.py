"""Adaptive, online and Newton-type methods (CLAIMS.md §5.10-5.11): families and kernels.

Families: oracles against finite differences and closed forms, certified constants on random
points, optimality of the stated solution, invalid parameters. Kernels: against plain numpy
re-implementations (stochastic ones bitwise, with the same counter-based random stream),
metamorphic identities, one convergence sanity check each, divergence reported by status.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from convlab.runtime.random import normal, sample_id
from convlab.problems.online import adopt_toy, online_linear_ball, reddi_online
from convlab.problems.stochastic import quad_affine_noise, quartic_coords
from convlab.problems.selfconcordant import (log_separable, logbarrier_polytope,
                                             logistic_newton, newton_decrement)
from convlab.run import run

FAST = settings(max_examples=8, deadline=None)


def call(pr, kind, *args):
    return pr.oracle(kind)(pr.A, pr.b, pr.p, *args)


def grad_of(pr, x):
    g = np.empty(pr.dim)
    call(pr, "grad", np.ascontiguousarray(x, dtype=float), g)
    return g


def sgrad_of(pr, x, t, s):
    g = np.empty(pr.dim)
    call(pr, "sgrad", np.ascontiguousarray(x, dtype=float), t, s, g)
    return g


def hess_of(pr, x):
    H = np.empty((pr.dim, pr.dim))
    call(pr, "hess", np.ascontiguousarray(x, dtype=float), H)
    return H


def prox_of(pr, x, step=1.0):
    out = np.empty(pr.dim)
    call(pr, "prox", np.ascontiguousarray(x, dtype=float), step, out)
    return out


def lmo_of(pr, g):
    out = np.empty(pr.dim)
    call(pr, "lmo", np.ascontiguousarray(g, dtype=float), out)
    return out


def fd_grad(f, x, h=1e-6):
    g = np.empty_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e[i] = h
        g[i] = (f(x + e) - f(x - e)) / (2 * h)
    return g


# -- families ------------------------------------------------------------------------------

@FAST
@given(d=st.integers(1, 12), r=st.floats(0.1, 5.0), seed=st.integers(0, 10**6))
def test_online_linear_ball_oracles(d, r, seed):
    pr = online_linear_ball(d=d, r=r, seed=seed)
    rng = np.random.default_rng(seed)
    assert pr.certified["D"] == 2 * r
    assert np.linalg.norm(pr.b) == pytest.approx(0.3, rel=1e-12)
    for _ in range(5):
        x = rng.standard_normal(d) * 3 * r
        y = prox_of(pr, x)
        assert np.linalg.norm(y) <= r * (1 + 1e-12)
        # projection: <x - y, z - y> <= 0 for z in the ball, and idempotent
        z = rng.standard_normal(d)
        z *= rng.uniform(0, r) / np.linalg.norm(z)
        assert (x - y) @ (z - y) <= 1e-12 * (1 + np.linalg.norm(x))
        np.testing.assert_allclose(prox_of(pr, y), y, rtol=1e-15, atol=0)
        g = rng.standard_normal(d)
        u = lmo_of(pr, g)
        assert np.linalg.norm(u) == pytest.approx(r, rel=1e-12)
        assert g @ u <= g @ z + 1e-12
        assert g @ u == pytest.approx(-r * np.linalg.norm(g), rel=1e-12)
    s = int(sample_id(seed, 3))
    np.testing.assert_array_equal(sgrad_of(pr, np.zeros(d), 3, s),
                                  pr.b + np.array([normal(s, i) for i in range(d)]))


def test_online_linear_ball_invalid():
    for kw in (dict(d=0), dict(r=0.0), dict(m_norm=-1.0), dict(noise=-0.1)):
        with pytest.raises(ValueError):
            online_linear_ball(**kw)


@FAST
@given(C=st.floats(2.01, 50.0))
def test_reddi_online(C):
    pr = reddi_online(C)
    gs = [sgrad_of(pr, np.zeros(1), t, 0)[0] for t in range(9)]
    assert gs == [C, -1, -1] * 3
    # the average loss per round is (C - 2) x / 3; value = its gap to u* = -1
    for x in (-1.0, -0.3, 0.0, 1.0):
        assert call(pr, "value", np.array([x])) == pytest.approx(np.mean(gs[:3]) * x + (C - 2) / 3,
                                                                abs=1e-12)
    assert lmo_of(pr, np.array([1.0]))[0] == -1 and lmo_of(pr, np.array([-2.0]))[0] == 1
    np.testing.assert_array_equal(prox_of(pr, np.array([3.0])), [1.0])
    np.testing.assert_array_equal(prox_of(pr, np.array([-3.0])), [-1.0])
    with pytest.raises(ValueError):
        reddi_online(2.0)


def test_adopt_toy_oracle_distribution():
    k = 10.0
    pr = adopt_toy(k)
    g = np.array([sgrad_of(pr, np.zeros(1), t, int(sample_id(7, t)))[0] for t in range(40000)])
    assert set(np.unique(g)) == {k, -1.0}
    p_hat = np.mean(g == k)
    assert abs(p_hat - 1 / k) < 5 * math.sqrt(0.1 * 0.9 / g.size)
    # E g = 1/k = the gradient of E f
    assert abs(g.mean() - grad_of(pr, np.zeros(1))[0]) < 5 * g.std() / math.sqrt(g.size)
    assert call(pr, "value", np.array([-1.0])) == 0.0
    assert call(pr, "value", np.array([1.0])) == pytest.approx(2 / k)
    with pytest.raises(ValueError):
        adopt_toy(1.0)


@FAST
@given(d=st.integers(1, 8), seed=st.integers(0, 10**6))
def test_quartic_coords(d, seed):
    pr = quartic_coords(d=d, seed=seed)
    rng = np.random.default_rng(seed + 1)
    x = rng.uniform(-3, 3, d)

    def f(z):
        return float(np.sum((z**2 - 1) ** 2) / 4)

    np.testing.assert_allclose(grad_of(pr, x), fd_grad(f, x), rtol=1e-6, atol=1e-6)
    assert call(pr, "value", x) == pytest.approx(f(x), rel=1e-12)
    np.testing.assert_allclose(hess_of(pr, x), np.diag(3 * x**2 - 1), rtol=1e-14)
    # coordinate-wise (L0, L1) smoothness: |f_i''| <= L0 + L1 |f_i'|
    t = np.linspace(-10, 10, 200001)
    assert np.all(np.abs(3 * t**2 - 1) <= pr.certified["L0"] + pr.certified["L1"] * np.abs(t**3 - t)
                  + 1e-9)
    # minimisers: value and gradient vanish on {±1}^d
    assert call(pr, "value", pr.xstar) == 0.0
    assert np.all(grad_of(pr, pr.xstar) == 0)
    s = int(sample_id(seed, 5))
    expect = (x**3 - x) * (1 + 0.5 * np.array([normal(s, i) for i in range(d)])) \
        + 0.5 * np.array([normal(s, d + i) for i in range(d)])
    np.testing.assert_allclose(sgrad_of(pr, x, 5, s), expect, rtol=1e-14, atol=1e-14)


def test_quartic_invalid():
    for kw in (dict(d=0), dict(box=0.0), dict(noise_mult=-1.0)):
        with pytest.raises(ValueError):
            quartic_coords(**kw)


def test_quad_affine_noise():
    pr = quad_affine_noise(d=6, mu=1e-2, seed=3, sigma0=0.3, sigma1=0.7)
    x = np.arange(6.0)
    s = int(sample_id(1, 2))
    g = grad_of(pr, x)
    expect = g * (1 + 0.7 * normal(s, 0)) + 0.3 * np.array([normal(s, 1 + i) for i in range(6)])
    np.testing.assert_allclose(sgrad_of(pr, x, 2, s), expect, rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(g, pr.A @ x, rtol=1e-13)
    assert pr.certified["sigma0_sq"] == pytest.approx(0.09 * 6)
    with pytest.raises(ValueError):
        quad_affine_noise(sigma0=-1.0)


@FAST
@given(d=st.integers(1, 10), seed=st.integers(0, 10**6), start=st.floats(0.05, 20.0))
def test_log_separable(d, seed, start):
    pr = log_separable(d=d, seed=seed, start=start)
    c = pr.b
    np.testing.assert_allclose(pr.xstar, 1 / c)
    assert np.max(np.abs(grad_of(pr, pr.xstar))) < 1e-12 * np.max(c)
    x = pr.x0 * np.random.default_rng(seed).uniform(0.5, 1.5, d)

    def f(z):
        return float(np.sum(c * z - np.log(z)))

    gap = call(pr, "value", x)
    assert gap == pytest.approx(f(x) - pr.fstar, rel=1e-9, abs=1e-12 * abs(pr.fstar) + 1e-12)
    np.testing.assert_allclose(grad_of(pr, x), fd_grad(f, x, 1e-7 * np.min(x)), rtol=1e-5,
                               atol=1e-6 * np.max(c))
    np.testing.assert_allclose(hess_of(pr, x), np.diag(1 / x**2), rtol=1e-14)
    lam = pr.measure("newton_decrement", x[None])[0]
    assert lam == pytest.approx(newton_decrement(pr, x[None])[0], rel=1e-10)
    assert pr.measure("newton_decrement", pr.x0[None])[0] == pytest.approx(abs(start - 1) * math.sqrt(d),
                                                                          rel=1e-12, abs=1e-15)
    assert pr.Delta == pytest.approx(call(pr, "value", pr.x0), rel=1e-12, abs=1e-300)
    assert call(pr, "value", -x) == math.inf


def test_log_separable_invalid():
    for kw in (dict(d=0), dict(start=0.0), dict(start=-1.0)):
        with pytest.raises(ValueError):
            log_separable(**kw)


@pytest.fixture(scope="module")
def polytope():
    return logbarrier_polytope(m=30, d=5, seed=2)


def test_logbarrier_polytope(polytope):
    pr = polytope
    m = 30
    a, bb, c = pr.A[:m], pr.b[:m], pr.A[m]

    def f(z):
        s = bb - a @ z
        return float(c @ z - np.sum(np.log(s))) if np.all(s > 0) else math.inf

    assert np.linalg.norm(grad_of(pr, pr.xstar)) < 1e-12
    assert newton_decrement(pr, pr.xstar[None])[0] < 1e-13
    rng = np.random.default_rng(0)
    for _ in range(5):
        x = pr.xstar + 0.1 * rng.standard_normal(5)
        if not np.isfinite(f(x)):
            continue
        assert call(pr, "value", x) == pytest.approx(f(x) - pr.fstar, rel=1e-8, abs=1e-13)
        np.testing.assert_allclose(grad_of(pr, x), fd_grad(f, x, 1e-6), rtol=1e-6, atol=1e-7)
        H = hess_of(pr, x)
        np.testing.assert_allclose(H, np.array([fd_grad(lambda z, i=i: grad_of(pr, z)[i], x, 1e-6)
                                                for i in range(5)]), rtol=1e-5, atol=1e-6)
        # convexity and optimality of x*: f(x) >= f(x*)
        assert call(pr, "value", x) >= 0
    assert call(pr, "value", pr.xstar + 1e6 * rng.standard_normal(5)) == math.inf
    # standard self-concordance along random directions: |D3f[h,h,h]| <= 2 (D2f[h,h])^(3/2),
    # with D2f[h,h] = sum (a_j h / s_j)^2 and D3f[h,h,h] = 2 sum (a_j h / s_j)^3, and D2f
    # equal to the hess oracle's quadratic form
    for _ in range(20):
        x = pr.xstar + 0.2 * rng.standard_normal(5)
        s = bb - a @ x
        if np.any(s <= 0):
            continue
        h = rng.standard_normal(5)
        w = (a @ h) / s
        d2, d3 = float(np.sum(w**2)), 2 * float(np.sum(w**3))
        assert h @ hess_of(pr, x) @ h == pytest.approx(d2, rel=1e-12)
        assert abs(d3) <= 2 * d2**1.5 * (1 + 1e-12)
    # the start_lambda option puts x0 at the requested Newton decrement
    pr2 = logbarrier_polytope(m=30, d=5, seed=2, start_lambda=0.5)
    assert pr2.measure("newton_decrement", pr2.x0[None])[0] == pytest.approx(0.5, rel=1e-9)


def test_logbarrier_invalid():
    for kw in (dict(m=5, d=5), dict(d=0), dict(start_lambda=-1.0)):
        with pytest.raises(ValueError):
            logbarrier_polytope(**kw)


def test_logistic_newton_start():
    pr = logistic_newton(n=200, d=5, seed=1)
    assert np.linalg.norm(pr.x0) == pytest.approx(50.0)
    assert np.linalg.norm(grad_of(pr, pr.xstar)) < 1e-12
    assert pr.Delta > 0 and np.isfinite(pr.Delta)
    Z = pr.A

    def f(z):
        return float(np.mean(np.logaddexp(0.0, -Z @ z)))

    # the value oracle is f - f*, finite far away (no overflow past margins of 709) and
    # accurate near x*
    rng = np.random.default_rng(0)
    for scale in (1e-3, 1.0, 1e2, 1e4):
        x = pr.xstar + scale * rng.standard_normal(5)
        assert call(pr, "value", x) == pytest.approx(f(x) - pr.fstar, rel=1e-9, abs=1e-13)
    with pytest.raises(ValueError):
        logistic_newton(start_scale=0.0)


# -- numpy references of the adaptive kernels (bitwise, same random stream) ---------------

def ref_adaptive(pr, kind, hyper, n, seed):
    """Plain numpy/Python re-implementation; returns the iterates x_0..x_n and the online
    scalars (regret, sum of squares) after each round 0..n."""
    d = pr.dim
    x = pr.x0.copy()
    xs, regrets, sqs = [x.copy()], [], []
    gsum, cum, sq = np.zeros(d), 0.0, 0.0
    m, v, vhat, G, Gn = np.zeros(d), np.zeros(d), np.zeros(d), np.zeros(d), 0.0
    b1p = b2p = 1.0
    if kind == "adopt":
        g0 = sgrad_of(pr, x, 0, int(sample_id(seed, 0)))
        v = g0 * g0
    for t in range(n + 1):
        if kind == "adopt":
            g = sgrad_of(pr, x, t + 1, int(sample_id(seed, t + 1)))
        else:
            g = sgrad_of(pr, x, t, int(sample_id(seed, t)))
        for i in range(d):
            cum += g[i] * x[i]
            gsum[i] += g[i]
            sq += g[i] * g[i]
        if pr.provides("lmo") and "lmo" in pr.oracles:
            u = lmo_of(pr, gsum)
            regrets.append(cum - sum(gsum[i] * u[i] for i in range(d)))
        sqs.append(sq)
        if t == n:
            break
        y = np.empty(d)
        if kind == "adagrad-norm":
            eta, b0 = hyper
            g2 = 0.0
            for i in range(d):
                g2 += g[i] * g[i]
            Gn += g2
            den = math.sqrt(b0 * b0 + Gn)
            step = eta / den if den > 0 else 0.0
            for i in range(d):
                y[i] = x[i] - step * g[i]
        elif kind == "adagrad":
            eta, b0 = hyper
            step = eta
            for i in range(d):
                G[i] += g[i] * g[i]
                den = math.sqrt(b0 * b0 + G[i])
                y[i] = x[i] - (eta * g[i] / den if den > 0 else 0.0)
        elif kind == "adam":
            bias, ams, beta1, alpha, beta2, eps, decay = hyper
            b1p *= beta1
            b2p *= beta2
            step = alpha / (t + 1.0) ** decay
            for i in range(d):
                m[i] = beta1 * m[i] + (1.0 - beta1) * g[i]
                v[i] = beta2 * v[i] + (1.0 - beta2) * g[i] * g[i]
                vhat[i] = max(vhat[i], v[i]) if ams else v[i]
                mt = m[i] / (1.0 - b1p) if bias else m[i]
                vt = vhat[i] / (1.0 - b2p) if bias else vhat[i]
                den = math.sqrt(vt) + eps
                y[i] = x[i] - (step * mt / den if den > 0 else 0.0)
        elif kind == "adopt":
            alpha, beta1, beta2, eps, decay = hyper
            step = alpha / (t + 1.0) ** decay
            for i in range(d):
                den = max(math.sqrt(v[i]), eps)
                m[i] = beta1 * m[i] + (1.0 - beta1) * g[i] / den
                y[i] = x[i] - step * m[i]
                v[i] = beta2 * v[i] + (1.0 - beta2) * g[i] * g[i]
        x = prox_of(pr, y, step)
        xs.append(x.copy())
    return np.array(xs), np.array(regrets), np.array(sqs)


N_REF = 60
CK = np.arange(N_REF + 1)


@pytest.fixture(scope="module")
def ball():
    return online_linear_ball(d=4, r=1.5, seed=3)


@pytest.fixture(scope="module")
def affine_quad():
    return quad_affine_noise(d=5, mu=0.05, seed=1, sigma0=0.2, sigma1=0.5)


@pytest.mark.parametrize("name, kind, params, hyper", [
    ("adagrad-norm-online", "adagrad-norm", {}, None),
    ("adagrad", "adagrad", dict(step=0.3, b0=0.1), (0.3, 0.1)),
    ("adagrad-norm", "adagrad-norm", dict(step=0.7, b0=0.01), (0.7, 0.01)),
    ("adam", "adam", dict(step=0.05, beta1=0.9, beta2=0.99, eps=1e-8, decay=0.5),
     (1, 0, 0.9, 0.05, 0.99, 1e-8, 0.5)),
    ("adam-reddi-online", "adam", dict(step=0.2, beta2=0.5), (0, 0, 0.0, 0.2, 0.5, 0.0, 0.5)),
    ("amsgrad-online", "adam", dict(step=0.2, beta2=0.5, beta1=0.3),
     (0, 1, 0.3, 0.2, 0.5, 0.0, 0.5)),
    ("rmsprop", "adam", dict(step=0.1, beta2=0.9, eps=1e-3), (0, 0, 0.0, 0.1, 0.9, 1e-3, 0.0)),
    ("adopt", "adopt", dict(step=0.1, beta1=0.9, beta2=0.5, eps=1e-6, decay=0.5),
     (0.1, 0.9, 0.5, 1e-6, 0.5)),
])
@pytest.mark.parametrize("problem", ["ball", "affine_quad"])
def test_adaptive_kernels_match_numpy(name, kind, params, hyper, problem, request):
    pr = request.getfixturevalue(problem)
    if name.endswith("online") and problem != "ball":
        pytest.skip("online variants need the lmo oracle")
    tr = run(pr, name, params, checkpoints=CK, seed=11)
    if hyper is None:  # the default step D/sqrt(2), as the expression evaluator rounds it
        hyper = (tr.params["step"], 0.0)
    xs, regrets, sqs = ref_adaptive(pr, kind, hyper, N_REF, 11)
    np.testing.assert_array_equal(tr.points["last"], xs)
    np.testing.assert_allclose(tr.points["avg"][1:], np.cumsum(xs, 0)[:-1] / CK[1:, None],
                               rtol=1e-12, atol=1e-14)
    k = N_REF
    np.testing.assert_allclose(tr.points["tail"][-1], xs[(9 * k) // 10:].mean(0), rtol=1e-12,
                               atol=1e-14)
    if name.endswith("online"):
        np.testing.assert_allclose(tr.scalars["regret"], regrets, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(tr.scalars["sum_grad_sq"], sqs, rtol=1e-14)
        np.testing.assert_allclose(tr.scalars["avg_regret"], regrets / (CK + 1), rtol=1e-12,
                                   atol=1e-12)
    else:
        assert np.all(np.isnan(tr.scalars["regret"]))


def test_amsgrad_matches_numpy_and_uses_the_running_max(affine_quad):
    """The offline ``amsgrad`` row with its registered defaults eps = 0 and decay = 1/2: the
    iterates equal the numpy reference bit for bit, and the running maximum of the second
    moment is active on this run (the reference without it differs), so the comparison checks
    the maximum, not only the shared Adam update."""
    tr = run(affine_quad, "amsgrad", dict(step=0.05, beta1=0.9, beta2=0.99), checkpoints=CK,
             seed=5)
    assert (tr.params["eps"], tr.params["decay"]) == (0.0, 0.5)
    hyper = (0, 1, 0.9, 0.05, 0.99, 0.0, 0.5)  # bias, amsgrad, beta1, step, beta2, eps, decay
    xs, _, _ = ref_adaptive(affine_quad, "adam", hyper, N_REF, 5)
    np.testing.assert_array_equal(tr.points["last"], xs)
    without_max, _, _ = ref_adaptive(affine_quad, "adam", (0, 0) + hyper[2:], N_REF, 5)
    assert not np.array_equal(without_max, xs)
    k = N_REF
    np.testing.assert_allclose(tr.points["tail"][-1], xs[(9 * k) // 10:].mean(0), rtol=1e-12,
                               atol=1e-14)
    assert np.all(np.isnan(tr.scalars["regret"]))


def test_ball_regret_closed_form(ball):
    """On P28 the regret is Σ<g_t, x_t> + r ||Σ g_t|| (CLAIMS.md P28), and the adaptive OGD
    bound sqrt(2) D sqrt(Σ||g_t||²) holds on the run."""
    tr = run(ball, "adagrad-norm-online", checkpoints=CK, seed=4)
    xs = tr.points["last"]
    gs = np.array([sgrad_of(ball, xs[t], t, int(sample_id(4, t))) for t in range(N_REF + 1)])
    expect = np.cumsum(np.einsum("ij,ij->i", gs, xs)) + 1.5 * np.linalg.norm(np.cumsum(gs, 0), axis=1)
    np.testing.assert_allclose(tr.scalars["regret"], expect, rtol=1e-12)
    assert np.all(tr.scalars["regret_normalized"] <= math.sqrt(2) * ball.certified["D"])


def test_adagrad_diag_equals_norm_in_1d():
    pr = reddi_online(4.0)
    a = run(pr, "adagrad", dict(step=0.3, b0=0.2), iterations=200, seed=1)
    b = run(pr, "adagrad-norm", dict(step=0.3, b0=0.2), iterations=200, seed=1)
    np.testing.assert_array_equal(a.points["last"], b.points["last"])


def test_rmsprop_is_reddi_adam_with_beta1_zero(ball):
    a = run(ball, "rmsprop", dict(step=0.2, beta2=0.7, eps=0.0, decay=0.5), iterations=300, seed=5)
    b = run(ball, "adam-reddi-online", dict(step=0.2, beta2=0.7), iterations=300, seed=5)
    np.testing.assert_array_equal(a.points["last"], b.points["last"])


def test_reddi_adam_fails_amsgrad_converges():
    """Reddi et al. (2018) Thm 1 instance: Adam drifts to +1, AMSGrad to u* = -1."""
    pr = reddi_online(3.0)
    params = dict(step=0.5, beta2="1/(1 + C**2)")
    adam = run(pr, "adam-reddi-online", params, iterations=30000)
    ams = run(pr, "amsgrad-online", params, iterations=30000)
    assert adam.points["last"][-1, 0] == 1.0
    assert adam.scalars["avg_regret"][-1] > 0.6
    assert ams.points["last"][-1, 0] < -0.99
    assert ams.scalars["avg_regret"][-1] < 0.02


def test_adopt_converges_adam_small_beta2_does_not():
    pr = adopt_toy(10.0)
    a = run(pr, "adopt", dict(step=0.1, beta1=0.9, beta2=0.1, eps=1e-8, decay=0.5),
            iterations=20000, seed=2)
    b = run(pr, "adam", dict(step=0.1, beta1=0.0, beta2=0.1, eps=1e-8, decay=0.5),
            iterations=20000, seed=2)
    assert a.points["tail"][-1, 0] < -0.9  # from theta_0 = 0 toward -1 (Adam: toward +1)
    assert b.points["tail"][-1, 0] > 0.9


def test_seed_reproducible(affine_quad):
    a = run(affine_quad, "adopt", dict(step=0.05), iterations=500, seed=3)
    b = run(affine_quad, "adopt", dict(step=0.05), iterations=500, seed=3)
    c = run(affine_quad, "adopt", dict(step=0.05), iterations=500, seed=4)
    np.testing.assert_array_equal(a.points["last"], b.points["last"])
    assert not np.array_equal(a.points["last"], c.points["last"])


def test_adaptive_divergence_is_a_status(affine_quad):
    tr = run(affine_quad, "adagrad-norm", dict(step=1e200, b0=1e-3), iterations=50)
    assert tr.diverged and tr.diverged_at <= 5


# -- Newton ---------------------------------------------------------------------------------

def ref_newton(pr, mode, n, tol=0.0, a=0.25, q=1.0):
    x = pr.x0.copy()
    xs, lams = [], []
    pure = mode == 0
    for _ in range(n + 1):
        g, H = grad_of(pr, x), hess_of(pr, x)
        nd = np.linalg.solve(H, g)
        lam = math.sqrt(g @ nd)
        if lam <= tol:
            break
        xs.append(x.copy())
        lams.append(lam)
        if mode == 2 and lam < a:
            pure = True
        alpha = 1.0 if pure else (1 / (1 + (a * lam) ** q) if mode == 3 else 1 / (1 + lam))
        x = x - alpha * nd
    return np.array(xs), np.array(lams)


@pytest.mark.parametrize("name, mode, params", [
    ("newton", 0, {}), ("damped-newton", 1, {}), ("damped-newton-switch", 2, {}),
    ("newton-stepsized", 3, dict(c=2.0, q=0.5)),
])
def test_newton_matches_numpy(polytope, name, mode, params):
    n = 12
    tr = run(polytope, name, dict(params, tol=1e-9), checkpoints=np.arange(n + 1))
    xs, lams = ref_newton(polytope, mode, n, 1e-9, a=params.get("c", 0.25), q=params.get("q", 1.0))
    assert tr.k.size == xs.shape[0]
    np.testing.assert_allclose(tr.points["last"], xs, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(tr.scalars["newton_decrement"], lams, rtol=1e-9, atol=1e-13)


def test_damped_newton_decrease_and_pure_newton_quadratic():
    pr = log_separable(d=20, seed=0, start=20.0)
    tr = run(pr, "damped-newton", dict(tol=1e-6), iterations=200)
    assert not tr.diverged
    assert np.all(tr.scalars["decrease_ratio"] >= 1 - 1e-9)
    # equal components: lambda_{k+1} = lambda_k^2/sqrt(d) for the full step (derived)
    d = 16
    pr = log_separable(d=d, seed=1, start=1 + 0.5 / math.sqrt(d))
    tr = run(pr, "newton", dict(tol=1e-6), iterations=20)
    lam = tr.scalars["newton_decrement"]
    assert lam[0] == pytest.approx(0.5, rel=1e-12)
    np.testing.assert_allclose(lam[1:], lam[:-1] ** 2 / math.sqrt(d), rtol=1e-8)
    assert np.all(tr.scalars["quad_ratio"] <= 1)


def test_pure_newton_leaves_domain():
    """C63: y = c x = 3 maps to 2y - y² = -3 < 0, outside dom f, at k = 1."""
    pr = log_separable(d=20, seed=0, start=3.0)
    tr = run(pr, "newton", iterations=50)
    assert tr.diverged and tr.diverged_at == 1
    np.testing.assert_allclose(tr.points["last"][1] * pr.b, -3.0, rtol=1e-14)


def test_newton_non_convex_hessian_is_divergence():
    pr = quartic_coords(d=3, seed=0)
    pr = __import__("dataclasses").replace(pr, x0=np.array([0.1, 0.2, -0.1]))
    tr = run(pr, "damped-newton", iterations=10)
    assert tr.diverged and tr.diverged_at == 0
