"""Stochastic part A: finite-sum families (P19, P20, P22) and the SVRG, SAGA, shuffling kernels.

Kernels are checked against plain numpy re-implementations that draw the same random stream
(the compiled helpers of convlab.algorithms._random) and must agree bit for bit.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from numba import njit

from convlab.runtime.random import randint, sample_id
from convlab.algorithms.variance_reduced import OWN_COUNTER
from convlab.problems.stochastic import quad_ball_noise
from convlab.problems.finite_sums import (ls_consistent_finite_sum, ls_noisy_finite_sum,
                                          ridge_finite_sum)
from convlab.run import run

FAST = settings(max_examples=12, deadline=None)


def components(pr):
    n = int(pr.p[0])
    return pr.A[:n], pr.b, pr.p[1]


def comp_grad(pr, x, i):
    rows, b, lam = components(pr)
    return rows[i] * (rows[i] @ x - b[i]) + lam * x


def full_grad(pr, x):
    rows, b, lam = components(pr)
    return rows.T @ (rows @ x - b) / rows.shape[0] + lam * x


def f_value(pr, x):
    rows, b, lam = components(pr)
    r = rows @ x - b
    return 0.5 * np.mean(r * r) + 0.5 * lam * x @ x


def reachable_ridge(n, d, u, seed):
    """A ridge instance with kappa_max a fraction u of the way from 1 to the largest reachable
    L_max0/mu0 of the draw."""
    from convlab.problems.finite_sums import _draw
    rows, _, _ = _draw(n, d, seed, 0.0)
    ratio = np.einsum("ij,ij->i", rows, rows).max() / np.linalg.eigvalsh(rows.T @ rows / n)[0]
    return ridge_finite_sum(n=n, d=d, kappa_max=1 + u * (ratio - 1), seed=seed)


noise_levels = st.just(0.0) | st.floats(0.01, 2.0)
instances = st.one_of(
    st.builds(lambda n, d, s, seed: ls_noisy_finite_sum(n=n, d=d, sigma_noise=s, seed=seed),
              st.integers(8, 60), st.integers(1, 6), noise_levels, st.integers(0, 10**6)),
    st.builds(lambda n, d, seed: ls_consistent_finite_sum(n=n, d=d, seed=seed),
              st.integers(8, 60), st.integers(1, 6), st.integers(0, 10**6)),
    st.builds(reachable_ridge, st.integers(20, 60), st.integers(1, 4), st.floats(0.05, 0.95),
              st.integers(0, 10**6)),
)


# -- families ---------------------------------------------------------------------------------

@FAST
@given(instances, st.integers(0, 2**31 - 1))
def test_certified_constants_hold_on_random_points(pr, pseed):
    rows, b, lam = components(pr)
    n, d = rows.shape
    H = rows.T @ rows / n + lam * np.eye(d)
    eig = np.linalg.eigvalsh(H)
    assert pr.L == pytest.approx(eig[-1], rel=1e-12)
    assert pr.mu == pytest.approx(eig[0], rel=1e-9)
    # every component Hessian a_i a_i^T + lam I has largest eigenvalue ||a_i||^2 + lam
    assert pr.certified["L_max"] == pytest.approx(max(np.linalg.eigvalsh(
        np.outer(a, a) + lam * np.eye(d))[-1] for a in rows), rel=1e-12)
    rng = np.random.default_rng(pseed)
    for _ in range(5):
        x, y = 3 * rng.standard_normal((2, d))
        gx, gy = full_grad(pr, x), full_grad(pr, y)
        # mu-strong convexity and L-smoothness of f; L_max-smoothness of each component
        assert (gx - gy) @ (x - y) >= pr.mu * (x - y) @ (x - y) * (1 - 1e-9)
        assert np.linalg.norm(gx - gy) <= pr.L * np.linalg.norm(x - y) * (1 + 1e-9)
        i = rng.integers(n)
        gi = comp_grad(pr, x, i) - comp_grad(pr, y, i)
        assert np.linalg.norm(gi) <= pr.certified["L_max"] * np.linalg.norm(x - y) * (1 + 1e-9)


@FAST
@given(instances)
def test_solution_is_optimal_and_sigma_star_is_exact(pr):
    rows, b, lam = components(pr)
    n = rows.shape[0]
    g = full_grad(pr, pr.xstar)
    scale = np.abs(rows).max() * (np.abs(rows @ pr.xstar).max() + np.abs(b).max()) + 1
    assert np.abs(g).max() <= 1e-13 * scale
    G = np.array([comp_grad(pr, pr.xstar, i) for i in range(n)])
    assert pr.certified["sigma_star_sq"] == pytest.approx(np.mean(np.sum(G * G, axis=1)),
                                                          rel=1e-9, abs=1e-25)
    assert pr.fstar == pytest.approx(f_value(pr, pr.xstar), rel=1e-12)
    out = np.empty(pr.dim)
    pr.grad(pr.A, pr.b, pr.p, pr.xstar, out)
    assert np.all(out == 0)


@FAST
@given(st.integers(8, 60), st.integers(1, 6), st.integers(0, 10**6))
def test_consistent_family_interpolates_exactly(n, d, seed):
    pr = ls_consistent_finite_sum(n=n, d=d, seed=seed)
    assert pr.certified["sigma_star_sq"] == 0.0
    out = np.empty(d)
    sgrad = pr.oracle("sgrad")
    for i in range(n):
        sgrad(pr.A, pr.b, pr.p, pr.xstar, 0, i, out)
        assert np.all(out == 0)


@FAST
@given(instances, st.integers(0, 2**31 - 1))
def test_oracles_agree_with_numpy_and_finite_differences(pr, pseed):
    rng = np.random.default_rng(pseed)
    d, n = pr.dim, int(pr.p[0])
    x = pr.xstar + rng.standard_normal(d)
    out = np.empty(d)
    pr.grad(pr.A, pr.b, pr.p, x, out)
    np.testing.assert_allclose(out, full_grad(pr, x), rtol=1e-10, atol=1e-10)
    gap = pr.gap(pr.A, pr.b, pr.p, x)
    assert gap == pytest.approx(f_value(pr, x) - pr.fstar, rel=1e-8)
    # central differences of the value oracle (a quadratic: exact up to rounding)
    h = 1e-4
    fd = np.array([(pr.gap(pr.A, pr.b, pr.p, x + h * e) - pr.gap(pr.A, pr.b, pr.p, x - h * e))
                   / (2 * h) for e in np.eye(d)])
    np.testing.assert_allclose(fd, out, rtol=1e-6, atol=1e-8)
    # the component of sample s is s mod n, and the components average to the gradient
    sgrad = pr.oracle("sgrad")
    mean = np.zeros(d)
    for i in range(n):
        sgrad(pr.A, pr.b, pr.p, x, 7, i, out)
        np.testing.assert_allclose(out, comp_grad(pr, x, i), rtol=1e-12, atol=1e-12)
        mean += out / n
    np.testing.assert_allclose(mean, full_grad(pr, x), rtol=1e-10, atol=1e-10)
    s = int(rng.integers(0, 2**62))
    sgrad(pr.A, pr.b, pr.p, x, 0, s, out)
    same = np.empty(d)
    sgrad(pr.A, pr.b, pr.p, x, 3, s % n, same)
    np.testing.assert_array_equal(out, same)


def test_ridge_family_reaches_the_prescribed_condition_number():
    pr = ridge_finite_sum(n=200, d=20, kappa_max=100, seed=0)
    assert pr.certified["L_max"] / pr.mu == pytest.approx(100, rel=1e-12)
    assert pr.certified["lambda_r"] > 0


@pytest.mark.parametrize("family, params", [
    ("ls-noisy-finite-sum", dict(n=5, d=10)),
    ("ls-noisy-finite-sum", dict(d=0)),
    ("ls-noisy-finite-sum", dict(sigma_noise=-1.0)),
    ("ls-consistent-finite-sum", dict(n=3, d=4)),
    ("ridge-finite-sum", dict(kappa_max=1.0)),
    ("ridge-finite-sum", dict(kappa_max=1e6)),
    ("ridge-finite-sum", dict(n=0)),
])
def test_invalid_parameters_are_refused(family, params):
    from convlab.problems.registry import get_builder
    with pytest.raises(ValueError):
        get_builder(family)(**params)


# -- kernels: numpy references on the same random stream ---------------------------------------

def cg(pr, x, i):
    """Component gradient i through the family's compiled oracle (checked against numpy above),
    so that the references below differ from the kernels only in the update rules."""
    out = np.empty(pr.dim)
    pr.oracle("sgrad")(pr.A, pr.b, pr.p, np.ascontiguousarray(x), 0, int(i), out)
    return out


def neumaier_mean(vectors):
    """Column sums with Neumaier's compensation, in the kernels' order, divided by n."""
    s = np.zeros(vectors.shape[1])
    c = np.zeros_like(s)
    for v in vectors:
        t = s + v
        big = np.abs(s) >= np.abs(v)
        c += np.where(big, (s - t) + v, (v - t) + s)
        s = t
    return (s + c) / vectors.shape[0]


def ref_svrg(pr, eta, m, option, epochs, seed):
    n = int(pr.p[0])
    snap = pr.x0.copy()
    out = [snap.copy()]
    for k in range(epochs):
        base = k * m
        gfull = neumaier_mean(np.array([cg(pr, snap, i) for i in range(n)]))
        pick = randint(sample_id(seed, base), OWN_COUNTER, m) if option == 1 else -1
        y = snap.copy()
        ysum = np.zeros_like(y)
        for t in range(m):
            if t == pick:
                chosen = y.copy()
            ysum += y
            i = sample_id(seed, base + t) % n
            y = y - eta * (cg(pr, y, i) - cg(pr, snap, i) + gfull)
        snap = {0: y, 1: chosen if option == 1 else None, 2: ysum / m}[option]
        out.append(snap.copy())
    return np.array(out)


def ref_saga(pr, gamma, steps, seed):
    n = int(pr.p[0])
    x = pr.x0.copy()
    table = np.array([cg(pr, x, i) for i in range(n)])
    out = []
    gbar = None
    for k in range(steps + 1):
        if k % n == 0:
            gbar = neumaier_mean(table)
        out.append(x.copy())
        if k == steps:
            break
        j = sample_id(seed, k) % n
        g = cg(pr, x, j)
        diff = g - table[j]
        x = x - gamma * (diff + gbar)
        gbar = gbar + diff / n
        table[j] = g
    return np.array(out)


def ref_permutation(n, s_k):
    perm = list(range(n))
    for r in range(n - 1, 0, -1):
        u = randint(s_k, OWN_COUNTER + r, r + 1)
        perm[r], perm[u] = perm[u], perm[r]
    return perm


def ref_shuffling(pr, gamma, rule, epochs, seed):
    n = int(pr.p[0])
    x = pr.x0.copy()
    out = [x.copy()]
    perm = list(range(n))
    for k in range(epochs):
        if rule == 0 or (rule == 1 and k == 0):
            perm = ref_permutation(n, sample_id(seed, k))
        order = [sample_id(seed, k * n + j) % n for j in range(n)] if rule == 3 else perm
        for i in order:
            x = x - gamma * cg(pr, x, i)
        out.append(x.copy())
    return np.array(out)


@pytest.fixture(scope="module")
def small():
    return ridge_finite_sum(n=12, d=3, kappa_max=6, seed=3)


@pytest.mark.parametrize("option", [0, 1, 2])
def test_svrg_matches_numpy_bitwise(small, option):
    eta, m, epochs = 0.3 / small.certified["L_max"], 17, 6
    tr = run(small, "svrg", dict(step=eta, m=m, n=12, option=option),
             checkpoints=np.arange(epochs + 1), seed=5)
    ref = ref_svrg(small, tr.params["step"], m, option, epochs, 5)
    np.testing.assert_array_equal(tr.points["last"], ref)
    assert list(tr.scalars["grad_evals"]) == [k * (12 + 2 * m) for k in range(epochs + 1)]


def test_saga_matches_numpy_bitwise(small):
    gamma, steps = 1 / (3 * small.certified["L_max"]), 60
    tr = run(small, "saga", dict(step=gamma), checkpoints=np.arange(steps + 1), seed=9)
    np.testing.assert_array_equal(tr.points["last"], ref_saga(small, tr.params["step"], steps, 9))
    assert list(tr.scalars["grad_evals"]) == [12 + k for k in range(steps + 1)]


@pytest.mark.parametrize("name, rule", [("rr", 0), ("shuffle-once", 1), ("cyclic-sgd", 2),
                                        ("sgd-epochs", 3)])
def test_shuffling_matches_numpy_bitwise(small, name, rule):
    gamma, epochs = 0.1 / small.certified["L_max"], 5
    tr = run(small, name, dict(step=gamma), checkpoints=np.arange(epochs + 1), seed=4)
    ref = ref_shuffling(small, tr.params["step"], rule, epochs, 4)
    np.testing.assert_array_equal(tr.points["last"], ref)


def test_reshuffling_draws_permutations():
    for n in (1, 2, 7, 64):
        for k in range(20):
            assert sorted(ref_permutation(n, sample_id(3, k))) == list(range(n))
    perms = {tuple(ref_permutation(6, sample_id(0, k))) for k in range(200)}
    assert len(perms) > 100  # fresh permutations, not a fixed order


# -- metamorphic checks ------------------------------------------------------------------------

def test_one_component_methods_coincide_with_gradient_descent():
    """With n = 1 the finite sum is f itself: SAGA, RR and SVRG (m = 1, option I) are all GD."""
    pr = ridge_finite_sum(n=1, d=3, kappa_max=3, seed=1)
    h = 0.5 / pr.certified["L_max"]
    ks = np.arange(30)
    gd = run(pr, "gd", dict(step=h), checkpoints=ks).points["last"]
    saga = run(pr, "saga", dict(step=h, n=1), checkpoints=ks, seed=2).points["last"]
    rr = run(pr, "rr", dict(step=h, n=1), checkpoints=ks, seed=2).points["last"]
    svrg = run(pr, "svrg", dict(step=h, m=1, n=1, option=0), checkpoints=ks, seed=2).points["last"]
    for other in (saga, rr, svrg):
        np.testing.assert_allclose(other, gd, rtol=1e-12, atol=1e-14)


def test_rr_and_shuffle_once_share_the_first_epoch(small):
    ks = np.arange(4)
    rr = run(small, "rr", dict(step=0.01), checkpoints=ks, seed=8).points["last"]
    so = run(small, "shuffle-once", dict(step=0.01), checkpoints=ks, seed=8).points["last"]
    np.testing.assert_array_equal(rr[:2], so[:2])
    assert not np.array_equal(rr[2:], so[2:])


# -- convergence, divergence, reproducibility ---------------------------------------------------

def test_variance_reduction_converges_linearly_to_the_floor():
    pr = ridge_finite_sum(n=50, d=5, kappa_max=10, seed=0)
    floor = pr.floor("dist_sq")
    svrg = run(pr, "svrg", dict(m="20*kappa_max"), iterations=40, seed=0).measure("dist_sq")
    saga = run(pr, "saga", {}, iterations=20000, seed=0).measure("dist_sq")
    R2 = pr.R ** 2
    assert svrg[10] < 1e-6 * R2 and svrg[-1] <= 100 * floor
    assert saga[-1] <= 100 * floor
    # plain constant-step SGD plateaus far above (sigma* > 0)
    sgd = run(pr, "sgd", dict(step="1/(3*L_max)"), iterations=20000, seed=0).measure("dist_sq")
    assert sgd[-1] > 1e6 * floor


def test_divergence_is_reported_not_raised(small):
    big = 5 / small.certified["L_max"] * 12
    for name, params in (("saga", dict(step=big)), ("rr", dict(step=big)),
                         ("svrg", dict(step=big, m=20, n=12, option=0))):
        tr = run(small, name, params, iterations=3000, seed=0)
        assert tr.diverged and tr.diverged_at < 3000


@pytest.mark.parametrize("name", ["svrg", "saga", "rr", "sgd-epochs"])
def test_same_seed_same_trace_other_seed_other_trace(small, name):
    params = dict(step=0.02) if name != "svrg" else dict(m=10, n=12)
    a = run(small, name, params, iterations=8, seed=11, track=True)
    b = run(small, name, params, iterations=8, seed=11, track=True)
    c = run(small, name, params, iterations=8, seed=12)
    np.testing.assert_array_equal(a.points["last"], b.points["last"])
    np.testing.assert_array_equal(a.scalars["best_f_gap"], b.scalars["best_f_gap"])
    assert not np.array_equal(a.points["last"][1:], c.points["last"][1:])
    assert np.all(np.isfinite(a.scalars["best_f_gap"]))


def test_registry_builds_the_named_instances(root):
    from convlab.problems.registry import load_instances
    specs = load_instances(root / "problems")
    mine = [s for s in specs.values() if s.name.startswith("stoch-")]
    assert mine
    for spec in mine:
        pr = spec.build({"N": 10})
        assert math.isfinite(pr.L) and math.isfinite(pr.Delta) and pr.Delta > 0


# -- quad-ball-noise (P24) and the Euclidean SMD kernel ------------------------------------------



@FAST
@given(st.integers(2, 8), st.floats(1.0, 1e3), st.floats(1.01, 5.0), st.integers(0, 10**6),
       st.integers(0, 2**31 - 1))
def test_quad_ball_noise_certifies_its_constants(d, kappa_f, radius, seed, pseed):
    pr = quad_ball_noise(d=d, kappa_f=kappa_f, radius=radius, noise=0.3, seed=seed)
    eig = np.linalg.eigvalsh(pr.A)
    assert eig[-1] == pytest.approx(pr.L, rel=1e-10) and eig[0] == pytest.approx(pr.mu, rel=1e-8)
    assert np.linalg.norm(pr.xstar) == pytest.approx(1.0, rel=1e-14) and radius > 1
    assert pr.certified["R_B"] ** 2 == pytest.approx(radius ** 2 / 2, rel=1e-14)
    assert pr.certified["sigma_sq"] == pytest.approx(0.09 * d, rel=1e-14)
    rng = np.random.default_rng(pseed)
    out, proj = np.empty(d), np.empty(d)
    pr.grad(pr.A, pr.b, pr.p, pr.xstar, out)
    assert np.all(out == 0)  # interior minimiser: the unconstrained gradient vanishes
    for _ in range(5):
        x = 4 * radius * rng.standard_normal(d) / math.sqrt(d)
        pr.oracle("prox")(pr.A, pr.b, pr.p, x, 0.7, proj)
        # projection onto the ball: feasible, and <x - P x, y - P x> <= 0 for feasible y
        assert np.linalg.norm(proj) <= radius * (1 + 1e-15)
        y = rng.standard_normal(d)
        y *= rng.uniform(0, radius) / np.linalg.norm(y)
        assert (x - proj) @ (y - proj) <= 1e-12
        pr.grad(pr.A, pr.b, pr.p, x, out)
        np.testing.assert_allclose(out, pr.A @ (x - pr.xstar), rtol=1e-12, atol=1e-12)
        e = x - pr.xstar
        assert pr.gap(pr.A, pr.b, pr.p, x) == pytest.approx(0.5 * e @ pr.A @ e, rel=1e-12)


def test_quad_ball_noise_oracle_noise_has_the_certified_variance():
    pr = quad_ball_noise(d=5, noise=0.7, seed=1)
    x = np.ones(5)
    g, out = np.empty(5), np.empty(5)
    pr.grad(pr.A, pr.b, pr.p, x, g)
    sq = []
    for s in range(20000):
        pr.oracle("sgrad")(pr.A, pr.b, pr.p, x, 0, int(sample_id(0, s)), out)
        sq.append(np.sum((out - g) ** 2))
    # mean of 20000 scaled chi-square(5) draws: relative standard error sqrt(2/5/20000) = 0.45 %
    assert np.mean(sq) == pytest.approx(pr.certified["sigma_sq"], rel=0.025)


@pytest.mark.parametrize("params", [dict(radius=1.0), dict(kappa_f=0.5), dict(noise=-0.1),
                                    dict(d=0), dict(L=0.0), dict(d=1, kappa_f=10.0)])
def test_quad_ball_noise_refuses_invalid_parameters(params):
    with pytest.raises(ValueError):
        quad_ball_noise(**params)


def ref_smd(pr, gamma, steps, seed):
    x = pr.x0.copy()
    xs, avgs, total = [x.copy()], [x.copy()], np.zeros_like(x)
    out = np.empty(pr.dim)
    for t in range(steps):
        pr.oracle("sgrad")(pr.A, pr.b, pr.p, x, t, int(sample_id(seed, t)), out)
        y = x - gamma * out
        nrm = math.sqrt(float(np.sum(y * y)))  # the kernel's order: sum of squares, then sqrt
        r = pr.p[1]
        x = y * (r / nrm if nrm > r else 1.0)
        total = total + x
        xs.append(x.copy())
        avgs.append(total / (t + 1))
    return np.array(xs), np.array(avgs)


def test_smd_matches_numpy_bitwise_and_projects():
    pr = quad_ball_noise(d=4, kappa_f=10, radius=1.2, noise=3.0, seed=2)
    tr = run(pr, "smd-euclid", dict(step=0.4), checkpoints=np.arange(40), seed=6)
    xs, avgs = ref_smd(pr, tr.params["step"], 39, 6)
    np.testing.assert_array_equal(tr.points["last"], xs)
    np.testing.assert_allclose(tr.points["avg"], avgs, rtol=1e-13, atol=1e-15)
    assert np.all(np.linalg.norm(tr.points["last"], axis=1) <= 1.2 * (1 + 1e-15))
    assert np.any(np.linalg.norm(tr.points["last"], axis=1) > 1.2 * (1 - 1e-12))  # it projected


def test_smd_without_noise_and_constraint_is_gradient_descent():
    pr = quad_ball_noise(d=6, kappa_f=10, radius=50.0, noise=0.0, seed=3)
    ks = np.arange(50)
    a = run(pr, "smd-euclid", dict(step="1/L"), checkpoints=ks, seed=1).points["last"]
    b = run(pr, "gd", dict(step="1/L"), checkpoints=ks).points["last"]
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


# -- exact stationary floor of SGD on the noisy finite sum (C37) --------------------------------

def test_stationary_floor_closed_form_in_one_dimension():
    pr = ls_noisy_finite_sum(n=30, d=1, sigma_noise=0.7, seed=4, floor_step_lmax=0.5)
    rows, b, _ = components(pr)
    a, r = rows[:, 0], rows[:, 0] * pr.xstar[0] - b
    gamma = 0.5 / pr.certified["L_max"]
    exact = gamma**2 * np.mean(a**2 * r**2) / (1 - np.mean((1 - gamma * a**2) ** 2))
    assert pr.certified["sgd_floor_dist_sq"] == pytest.approx(exact, rel=1e-10)


@settings(max_examples=6, deadline=None)
@given(st.integers(6, 25), st.integers(2, 4), st.floats(0.2, 0.9), st.integers(0, 10**6))
def test_stationary_floor_is_the_fixed_point_of_the_second_moment_recursion(n, d, c, seed):
    pr = ls_noisy_finite_sum(n=max(n, d), d=d, sigma_noise=0.5, seed=seed, floor_step_lmax=c)
    rows, b, _ = components(pr)
    gamma = c / pr.certified["L_max"]
    r = rows @ pr.xstar - b
    Ms = np.eye(d)[None] - gamma * np.einsum("ij,ik->ijk", rows, rows)
    C = gamma**2 * np.einsum("i,ij,ik->jk", r**2, rows, rows) / rows.shape[0]
    S = np.zeros((d, d))
    for _ in range(200000):  # iterate S <- E[(I - g a a')S(I - g a a')] + g^2 E[r^2 a a'] directly
        new = np.einsum("nij,jk,nkl->il", Ms, S, Ms) / rows.shape[0] + C
        if np.allclose(new, S, rtol=1e-13, atol=0):
            break
        S = new
    assert pr.certified["sgd_floor_dist_sq"] == pytest.approx(np.trace(S), rel=1e-8)
    H = rows.T @ rows / rows.shape[0]
    assert pr.certified["sgd_floor_f_gap"] == pytest.approx(0.5 * np.sum(H * S), rel=1e-8)


def test_unstable_floor_step_is_refused():
    with pytest.raises(ValueError):
        ls_noisy_finite_sum(n=20, d=2, floor_step_lmax=100.0)


@njit
def _sgd_by_the_batch_formula(sgrad, prox, A, b, p, x0, step, seed, n):
    """x_{t+1} = Π(x_t − γ g_t / B), g_t = 0 + G(x_t, ξ_t): the kernel's general lines, B = 1."""
    x = x0.copy()
    g, gi, y = np.empty_like(x), np.empty_like(x), np.empty_like(x)
    for t in range(n):
        for i in range(x.shape[0]):
            g[i] = 0.0
        sgrad(A, b, p, x, t, sample_id(seed, t), gi)
        for i in range(x.shape[0]):
            g[i] += gi[i]
        for i in range(x.shape[0]):
            y[i] = x[i] - step * g[i] / 1
        prox(A, b, p, y, step, x)
    return x


@pytest.mark.parametrize("family,params,step", [
    ("quadratic", {"d": 7, "L": 1.0, "mu": 0.1, "seed": 1, "noise": 0.3}, 0.2),
    ("l1-regression-ball", {"m": 30, "d": 6, "seed": 2, "radius_factor": 1.1}, 0.05),
])
def test_sgd_single_sample_path_equals_the_batch_formula_bit_for_bit(family, params, step):
    """The kernel's B = 1 path (one pass, no batch sum) gives the general formula's numbers."""
    from convlab.problems.base import prox_identity
    from convlab.problems.registry import build

    pr = build(family, params)
    prox = pr.oracles.get("prox", prox_identity)  # the identity where the family has none
    for seed in (0, 5):
        got = run(pr, "sgd", {"step": step}, iterations=200, seed=seed).points["last"][-1]
        want = _sgd_by_the_batch_formula(pr.oracles["sgrad"].compiled,
                                         prox.compiled, pr.A, pr.b, pr.p,
                                         pr.x0, step, seed, 200)
        assert np.array_equal(got.view(np.int64), want.view(np.int64))
