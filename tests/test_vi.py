"""Variational inequalities and fixed points (CLAIMS.md §5.12): families certify their constants
and solutions; kernels match plain numpy re-implementations of their updates."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from convlab import run
from convlab.runtime.random import normal, randint, sample_id, uniform
from convlab.problems import fixed_points, vi

FAST = settings(max_examples=10, deadline=None)


def F(pr, z):
    out = np.empty(pr.dim)
    pr.grad(pr.A, pr.b, pr.p, np.ascontiguousarray(z, dtype=float), out)
    return out


def prox(pr, z, step=1.0):
    out = np.empty(pr.dim)
    pr.oracle("prox")(pr.A, pr.b, pr.p, np.ascontiguousarray(z, dtype=float), step, out)
    return out


def simplex_projection(v):
    """Reference projection onto the probability simplex (bisection on the threshold)."""
    lo, hi = v.min() - 1.0, v.max()
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if np.maximum(v - mid, 0).sum() > 1:
            lo = mid
        else:
            hi = mid
    return np.maximum(v - 0.5 * (lo + hi), 0)


def random_pairs(rng, d, count=20, scale=3.0):
    return [(scale * rng.standard_normal(d), scale * rng.standard_normal(d)) for _ in range(count)]


# -- families -----------------------------------------------------------------------------------

@FAST
@given(n=st.integers(2, 7), m=st.integers(2, 7), seed=st.integers(0, 10_000))
def test_matrix_game_operator_projection_and_gap(n, m, seed):
    pr = vi.matrix_game_simplex(n=n, m=m, seed=seed)
    P = pr.A
    rng = np.random.default_rng(seed)
    for z, w in random_pairs(rng, n + m):
        Fz, Fw = F(pr, z), F(pr, w)
        assert np.allclose(Fz, np.concatenate([P @ z[n:], -P.T @ z[:n]]), atol=1e-14)
        assert np.linalg.norm(Fz - Fw) <= pr.L * np.linalg.norm(z - w) * (1 + 1e-12)
        assert abs((Fz - Fw) @ (z - w)) <= 1e-12 * (1 + np.linalg.norm(z - w) ** 2)  # skew
        pz = prox(pr, z)
        assert np.allclose(pz[:n], simplex_projection(z[:n]), atol=1e-12)
        assert np.allclose(pz[n:], simplex_projection(z[n:]), atol=1e-12)
    # the duality gap is >= 0 on Z and vanishes at an equilibrium (LP)
    for _ in range(10):
        z = np.concatenate([rng.dirichlet(np.ones(n)), rng.dirichlet(np.ones(m))])
        assert pr.measure("duality_gap", z)[0] >= -1e-15
    xs, ys = vi.game_equilibrium(P)
    assert abs(pr.measure("duality_gap", np.concatenate([xs, ys]))[0]) < 1e-8
    assert xs @ P @ ys == pytest.approx(pr.certified["value"], abs=1e-8)
    # D_sq = max over Z of ||z - z0||^2, attained at a pair of vertices
    best = max(np.sum((np.eye(n)[i] - 1 / n) ** 2) + np.sum((np.eye(m)[j] - 1 / m) ** 2)
               for i in range(n) for j in range(m))
    assert pr.certified["D_sq"] == pytest.approx(best, rel=1e-14)
    assert pr.L == pytest.approx(np.linalg.norm(P, 2), rel=1e-14)


def test_bilinear_horizon_constants():
    for T in (4, 16, 1000):
        pr = vi.bilinear_horizon(T=T, L=2.0)
        z = np.array([0.3, -1.7])
        assert np.array_equal(F(pr, z), pr.certified["sigma"] * np.array([z[1], -z[0]]))
        assert pr.certified["sigma"] == pytest.approx(4.0 / math.sqrt(T)) and pr.certified["sigma"] <= pr.L
    with pytest.raises(ValueError):
        vi.bilinear_horizon(T=3)
    with pytest.raises(ValueError):
        vi.bilinear_horizon(T=10, L=-1.0)


@FAST
@given(dx=st.integers(2, 8), dy=st.integers(2, 8), seed=st.integers(0, 10_000))
def test_saddle_quadratic_is_the_saddle_gradient(dx, dy, seed):
    try:
        pr = vi.saddle_quadratic(dx=dx, dy=dy, seed=seed)
    except ValueError:
        return  # singular draw: refused, as documented
    M = pr.A
    P, B, Q = M[:dx, :dx], M[:dx, dx:], M[dx:, dx:]
    assert np.allclose(M[dx:, :dx], -B.T)

    def f(z):
        x, y = z[:dx], z[dx:]
        return 0.5 * x @ P @ x + x @ B @ y - 0.5 * y @ Q @ y

    rng = np.random.default_rng(seed)
    z = rng.standard_normal(dx + dy)
    h = 1e-5
    fd = np.array([(f(z + h * e) - f(z - h * e)) / (2 * h) for e in np.eye(dx + dy)])
    fd[dx:] *= -1  # F = (grad_x f, -grad_y f)
    assert np.allclose(F(pr, z), fd, atol=1e-7)
    assert np.linalg.eigvalsh(0.5 * (M + M.T)).min() >= -1e-12  # monotone
    assert pr.L == pytest.approx(np.linalg.norm(M, 2), rel=1e-14)
    assert np.array_equal(F(pr, pr.xstar), np.zeros(dx + dy))


def test_reflection_rotation_nonexpansive_with_fixed_point_zero():
    rng = np.random.default_rng(0)
    for kw in (dict(kind="reflection"), dict(kind="rotation", theta=0.3),
               dict(kind="rotation", theta=math.pi / 2)):
        pr = fixed_points.reflection_rotation(**kw)
        T = lambda z: z - F(pr, z)  # noqa: E731
        for z, w in random_pairs(rng, 2):
            assert np.linalg.norm(T(z) - T(w)) <= np.linalg.norm(z - w) * (1 + 1e-14)
        assert np.array_equal(F(pr, np.zeros(2)), np.zeros(2))
        assert pr.measure("residual", np.array([[1.0, 0.0]]))[0] == pytest.approx(
            np.linalg.norm(F(pr, np.array([1.0, 0.0]))), rel=1e-15)
    with pytest.raises(ValueError):
        fixed_points.reflection_rotation(kind="shear")
    with pytest.raises(ValueError):
        fixed_points.reflection_rotation(kind="rotation", theta=2 * math.pi)


@FAST
@given(d=st.integers(2, 12), seed=st.integers(0, 10_000))
def test_cocoercive_linear_certificate(d, seed):
    pr = vi.cocoercive_linear(d=d, seed=seed)
    rng = np.random.default_rng(seed + 1)
    worst = np.inf
    for z, w in random_pairs(rng, d, 40):
        dF = F(pr, z) - F(pr, w)
        ratio = dF @ (z - w) / (dF @ dF)
        worst = min(worst, ratio)
        assert ratio >= (1 / pr.L) * (1 - 1e-10)  # (1/L)-cocoercive
    # the constant is the best one: attained along the extreme eigenvector of sym(M^-1)
    lam, V = np.linalg.eigh(0.5 * (np.linalg.inv(pr.A) + np.linalg.inv(pr.A).T))
    u = V[:, 0]
    z = np.linalg.solve(pr.A, u)  # F(z) - F(0) = u
    dF = F(pr, z) - F(pr, np.zeros(d))
    assert dF @ z / (dF @ dF) == pytest.approx(1 / pr.L, rel=1e-8)
    assert np.linalg.norm(F(pr, pr.xstar)) < 1e-12 * (1 + np.linalg.norm(pr.b))
    assert pr.L >= pr.certified["L_lip"] * (1 - 1e-12)
    with pytest.raises(ValueError):
        vi.cocoercive_linear(d=0)


def test_cocoercive_identity_and_invalid():
    pr = vi.cocoercive_linear(d=5, kind="identity", L=3.0)
    z = np.arange(5.0)
    assert np.array_equal(F(pr, z), 3.0 * z)
    with pytest.raises(ValueError):
        vi.cocoercive_linear(kind="identity", L=0.0)
    with pytest.raises(ValueError):
        vi.cocoercive_linear(kind="other")


def test_infeasible_affine_displacement_vector():
    pr = fixed_points.infeasible_affine_3d()
    v = np.array([0.0, 0.0, -1.0])
    rng = np.random.default_rng(3)
    T = lambda z: z - F(pr, z)  # noqa: E731
    for z, w in random_pairs(rng, 3):
        assert np.linalg.norm(T(z) - T(w)) <= np.linalg.norm(z - w) * (1 + 1e-14)
        r = F(pr, z)
        assert r[2] == v[2] and np.linalg.norm(r) >= np.linalg.norm(v)  # v: min-norm element
    # v is attained in the closure of the range: at the 2-D fixed point u*
    ustar = np.linalg.solve(pr.A[:2, :2], pr.b[:2])
    assert np.allclose(F(pr, np.array([*ustar, 5.0])), v, atol=1e-15)
    assert pr.certified["R_u"] == pytest.approx(np.linalg.norm(ustar), rel=1e-14)
    with pytest.raises(ValueError):
        fixed_points.infeasible_affine_3d(w3=0.0)


def _drs_T(z, c2=3.0, r=1.0):
    c = np.array([0.0, c2])
    d = z - c
    pb = c + d * min(1.0, r / np.linalg.norm(d))
    rb = 2 * pb - z
    pa = np.array([rb[0], min(rb[1], 0.0)])
    ra = 2 * pa - rb
    return 0.5 * (z + ra)


def test_drs_operator_firmly_nonexpansive_and_v():
    pr = fixed_points.drs_halfplane_disk()
    rng = np.random.default_rng(4)
    v = np.array([0.0, 2.0])
    for z, w in random_pairs(rng, 2, 50):
        assert np.allclose(F(pr, z), z - _drs_T(z), atol=1e-14)
        Tz, Tw = z - F(pr, z), w - F(pr, w)
        lhs = np.sum((Tz - Tw) ** 2) + np.sum((F(pr, z) - F(pr, w)) ** 2)
        assert lhs <= np.sum((z - w) ** 2) * (1 + 1e-12)  # firmly nonexpansive
        assert np.linalg.norm(F(pr, z)) >= np.linalg.norm(v) * (1 - 1e-12)
    # the residual approaches v far along the anchored direction
    tr = run(pr, "halpern", iterations=20000)
    assert pr.measure("residual_minus_v_sq", tr.points["last"][-1])[0] < 1e-6
    with pytest.raises(ValueError):
        fixed_points.drs_halfplane_disk(c2=0.5)


@FAST
@given(n=st.integers(1, 9), d=st.integers(1, 6), seed=st.integers(0, 10_000))
def test_finite_sum_components_and_mean(n, d, seed):
    pr = vi.finite_sum_monotone_linear(n=n, d=d, seed=seed)
    Ms = pr.A.reshape(n + 1, d, d)
    qs = pr.b.reshape(n + 1, d)
    assert np.allclose(Ms[1:].mean(axis=0), Ms[0], atol=1e-14)
    assert np.allclose(qs[1:].mean(axis=0), qs[0], atol=1e-14)
    z = np.random.default_rng(seed).standard_normal(d)
    out = np.empty(d)
    for s in (sample_id(seed, t) for t in range(5)):
        i = randint(s, 0, n)
        pr.oracle("sgrad")(pr.A, pr.b, pr.p, z, 0, s, out)
        assert np.allclose(out, Ms[i + 1] @ z - qs[i + 1], atol=1e-13)
    assert np.linalg.norm(F(pr, pr.xstar)) < 1e-12 * (1 + np.linalg.norm(qs[0]))
    rng = np.random.default_rng(seed + 2)
    for a, c in random_pairs(rng, d):
        dF = F(pr, a) - F(pr, c)
        assert dF @ (a - c) >= (1 / pr.L) * (dF @ dF) * (1 - 1e-10)
    L_avg = np.sqrt(np.mean([np.linalg.norm(M, 2) ** 2 for M in Ms[1:]]))
    assert pr.certified["L_avg"] == pytest.approx(L_avg, rel=1e-12)


def test_finite_sum_mean_operator_does_not_depend_on_n():
    a = vi.finite_sum_monotone_linear(n=4, d=5, seed=7)
    b = vi.finite_sum_monotone_linear(n=64, d=5, seed=7)
    assert np.allclose(a.A[:5], b.A[:5], atol=1e-14) and np.allclose(a.xstar, b.xstar, atol=1e-12)
    with pytest.raises(ValueError):
        vi.finite_sum_monotone_linear(n=0)


@FAST
@given(d=st.integers(2, 12), seed=st.integers(0, 10_000), box=st.sampled_from([0.0, 0.5, 1.0]))
def test_strongly_monotone_certificates(d, seed, box):
    pr = vi.strongly_monotone_linear(d=d, seed=seed, box=box)
    rng = np.random.default_rng(seed)
    for z, w in random_pairs(rng, d):
        dF = F(pr, z) - F(pr, w)
        assert dF @ (z - w) >= pr.mu * np.sum((z - w) ** 2) * (1 - 1e-12)
        assert np.linalg.norm(dF) <= pr.L * np.linalg.norm(z - w) * (1 + 1e-12)
    eta = pr.mu / pr.L**2
    zs = pr.xstar
    resid = zs - prox(pr, zs - eta * F(pr, zs))  # natural residual: zero at the VI solution
    assert np.linalg.norm(resid) < 1e-12 * (1 + np.linalg.norm(zs))
    if box > 0:
        assert np.all(np.abs(zs) <= box)
        # VI inequality <F(z*), z - z*> >= 0 on random box points
        for _ in range(20):
            z = rng.uniform(-box, box, d)
            assert F(pr, zs) @ (z - zs) >= -1e-10
    with pytest.raises(ValueError):
        vi.strongly_monotone_linear(box=-1.0)


def test_nonmonotone_local_vi():
    pr = vi.nonmonotone_local_vi()
    assert np.array_equal(F(pr, np.zeros(2)), np.zeros(2))
    rng = np.random.default_rng(5)
    B = np.array([[0.0, 1.0], [-1.0, 0.0]])
    for _ in range(10):
        z = rng.uniform(-1, 1, 2)
        h = 1e-6
        J = np.column_stack([(F(pr, z + h * e) - F(pr, z - h * e)) / (2 * h) for e in np.eye(2)])
        assert np.allclose(J, np.eye(2) - np.diag(z**2) + B, atol=1e-8)
        assert np.linalg.norm(J, 2) <= pr.L + 1e-8
    # the noisy oracle adds noise * normal(s, i)
    out = np.empty(2)
    z = np.array([0.2, -0.1])
    s = sample_id(3, 11)
    pr.oracle("sgrad")(pr.A, pr.b, pr.p, z, 0, s, out)
    assert np.array_equal(out, F(pr, z) + 0.1 * np.array([normal(s, 0), normal(s, 1)]))
    # non-monotone beyond |z_i| > 1
    z, w = np.array([2.0, 0.0]), np.array([2.5, 0.0])
    assert (F(pr, z) - F(pr, w)) @ (z - w) < 0
    with pytest.raises(ValueError):
        vi.nonmonotone_local_vi(r0=1.5)
    with pytest.raises(ValueError):
        vi.nonmonotone_local_vi(noise=-1.0)


# -- kernels against numpy references -------------------------------------------------------------

def ks(n):
    return np.arange(n + 1)


def numpy_eg(pr, gamma, n):
    z = pr.x0.copy()
    lasts, avgs, s = [z.copy()], [z.copy()], np.zeros(pr.dim)
    for k in range(n):
        zh = prox(pr, z - gamma * F(pr, z))
        z = prox(pr, z - gamma * F(pr, zh))
        s += zh
        lasts.append(z.copy())
        avgs.append(s / (k + 1))
    return np.array(lasts), np.array(avgs)


def numpy_past_eg(pr, gamma, n):
    z = pr.x0.copy()
    g = F(pr, z)
    lasts, avgs, s = [z.copy()], [z.copy()], np.zeros(pr.dim)
    for k in range(n):
        zh = prox(pr, z - gamma * g)
        g = F(pr, zh)
        z = prox(pr, z - gamma * g)
        s += zh
        lasts.append(z.copy())
        avgs.append(s / (k + 1))
    return np.array(lasts), np.array(avgs)


def numpy_eag(pr, alpha, n):
    z0 = pr.x0.copy()
    z = z0.copy()
    out = [z.copy()]
    for k in range(n):
        beta = 1 / (k + 2)
        zh = z + beta * (z0 - z) - alpha * F(pr, z)
        z = z + beta * (z0 - z) - alpha * F(pr, zh)
        out.append(z.copy())
    return np.array(out)


def numpy_aog(pr, eta, shift, n):
    z0 = pr.x0.copy()
    z = z0.copy()
    g = F(pr, z)
    out = [z.copy()]
    for k in range(n):
        beta = 1 / (k + shift)
        zh = prox(pr, z + beta * (z0 - z) - eta * g)
        g = F(pr, zh)
        z = prox(pr, z + beta * (z0 - z) - eta * g)
        out.append(z.copy())
    return np.array(out)


def numpy_halpern(pr, lam, n):
    x0 = pr.x0.copy()
    x = x0.copy()
    out, est = [x.copy()], [x0.copy()]
    for k in range(n):
        w = 1 / (k + 2)
        x = w * x0 + (1 - w) * (x - lam * F(pr, x))
        out.append(x.copy())
        est.append(2 * (x0 - x) / (lam * (k + 1)))
    return np.array(out), np.array(est)


@pytest.fixture(scope="module")
def game():
    return vi.matrix_game_simplex(n=4, m=5, seed=3)


@pytest.fixture(scope="module")
def saddle():
    return vi.saddle_quadratic(dx=4, dy=6, seed=1)


def test_extragradient_matches_numpy(game, saddle):
    for pr in (game, saddle):
        gamma = 0.7 / pr.L
        tr = run(pr, "extragradient", {"step": gamma}, checkpoints=ks(40))
        last, avg = numpy_eg(pr, gamma, 40)
        assert np.allclose(tr.points["last"], last, atol=1e-12, rtol=0)
        assert np.allclose(tr.points["avg"], avg, atol=1e-12, rtol=0)


def test_past_eg_matches_numpy_and_optimistic_form(game, saddle):
    for pr in (game, saddle):
        gamma = 0.3 / pr.L
        tr = run(pr, "past-eg", {"step": gamma}, checkpoints=ks(40))
        last, avg = numpy_past_eg(pr, gamma, 40)
        assert np.allclose(tr.points["last"], last, atol=1e-12, rtol=0)
        assert np.allclose(tr.points["avg"], avg, atol=1e-12, rtol=0)
    # unconstrained: the half steps follow w+ = w - 2 gamma F(w) + gamma F(w_prev)
    pr, gamma = saddle, 0.3 / saddle.L
    tr = run(pr, "past-eg", {"step": gamma}, checkpoints=ks(30))
    halves = np.diff(np.vstack([np.zeros(pr.dim), tr.points["avg"][1:] * np.arange(1, 31)[:, None]]),
                     axis=0)  # z_{t+1/2} recovered from the running averages
    for t in range(2, 30):
        w, wp, wpp = halves[t], halves[t - 1], halves[t - 2]
        assert np.allclose(w, wp - 2 * gamma * F(pr, wp) + gamma * F(pr, wpp), atol=1e-10)


def test_eag_and_aog_match_numpy(game, saddle):
    alpha = 1 / (8 * saddle.L)
    tr = run(saddle, "eag-c", {"step": alpha}, checkpoints=ks(50))
    assert np.allclose(tr.points["last"], numpy_eag(saddle, alpha, 50), atol=1e-12, rtol=0)
    for pr, shift in ((saddle, 1.0), (game, 2.0)):
        eta = 1 / (2 * pr.L)
        tr = run(pr, "aog", {"step": eta, "shift": shift}, checkpoints=ks(50))
        assert np.allclose(tr.points["last"], numpy_aog(pr, eta, shift, 50), atol=1e-12, rtol=0)


def test_eg_closed_form_on_bilinear_horizon():
    for T in (16, 400):
        pr = vi.bilinear_horizon(T=T)
        tr = run(pr, "extragradient", {"step": "1/(2*L)"}, checkpoints=[0, T])
        a2 = 1 / T
        expected = pr.certified["sigma"] * (1 - a2 + a2 * a2) ** (T / 2) * pr.R
        assert tr.measure("grad_norm")[-1] == pytest.approx(expected, rel=1e-12)


def test_forward_step_matches_numpy_and_contracts():
    pr = vi.strongly_monotone_linear(d=6, seed=2, box=0.5)
    eta = pr.mu / pr.L**2
    tr = run(pr, "forward-step", checkpoints=ks(60))
    z = pr.x0.copy()
    ref = [z.copy()]
    for _ in range(60):
        z = np.clip(z - eta * F(pr, z), -0.5, 0.5)
        ref.append(z.copy())
    assert np.allclose(tr.points["last"], ref, atol=1e-12, rtol=0)
    dist = tr.measure("dist_sq")
    factor = 1 - 2 * eta * pr.mu + eta**2 * pr.L**2
    assert np.all(dist[1:] <= factor * dist[:-1] * (1 + 1e-9) + 1e-26)  # per-step certificate
    assert np.all(np.diff(dist) <= 0)


def test_forward_step_divergence_is_reported():
    pr = vi.strongly_monotone_linear(d=6, seed=2)
    tr = run(pr, "forward-step", {"step": "10/L"}, iterations=5000)
    assert tr.diverged and tr.k[-1] < 5000


def test_halpern_matches_numpy_and_lieder_equality():
    pr = fixed_points.drs_halfplane_disk()
    tr = run(pr, "halpern", checkpoints=ks(40))
    last, est = numpy_halpern(pr, 1.0, 40)
    assert np.allclose(tr.points["last"], last, atol=1e-12, rtol=0)
    assert np.allclose(tr.points["v_est"], est, atol=1e-12, rtol=0)
    # T = -I: residual 2R/(k+1) at even k and 0 (up to rounding) at odd k (Lieder 2021)
    pr = fixed_points.reflection_rotation()
    tr = run(pr, "halpern", checkpoints=ks(30))
    r = tr.measure("residual")
    even = np.arange(0, 31, 2)
    assert np.allclose(r[even] * (even + 1) / 2, 1.0, rtol=1e-13)
    assert np.all(r[1::2] < 1e-14)
    # cocoercive form, F = L I
    pr = vi.cocoercive_linear(d=3, kind="identity", L=5.0)
    tr = run(pr, "halpern", {"scale": "2/L"}, checkpoints=ks(20))
    r = tr.measure("grad_norm")
    assert np.allclose(r[::2] * (np.arange(0, 21, 2) + 1) / (pr.L * pr.R), 1.0, rtol=1e-13)


def test_halpern_infeasible_affine_explicit_bound():
    pr = fixed_points.infeasible_affine_3d()
    tr = run(pr, "halpern", iterations=20000)
    e = tr.measure("residual_minus_v_sq")
    bound = 4 * pr.certified["R_u"] ** 2 / (tr.k + 1) ** 2
    assert np.all(e <= bound * (1 + 1e-9) + pr.floor("residual_minus_v_sq"))
    # the normalised iterate estimates v = (0, 0, -1) at rate O(1/k)
    err = tr.measure("v_error_sq", "v_est")
    assert err[-1] < 1e-7 and err[-1] * tr.k[-1] ** 2 < 10


def test_krasnoselskii_mann_is_a_forward_step():
    pr = vi.strongly_monotone_linear(d=5, seed=4)
    a = run(pr, "krasnoselskii-mann", {"scale": 0.2, "relax": 0.5}, checkpoints=ks(30))
    b = run(pr, "forward-step", {"step": 0.1}, checkpoints=ks(30))
    assert np.allclose(a.points["last"], b.points["last"], atol=1e-13, rtol=0)
    z0 = pr.x0
    est = (z0 - a.points["last"][1:]) / (0.1 * np.arange(1, 31))[:, None]
    assert np.allclose(a.points["v_est"][1:], est, atol=1e-12)


def numpy_stochastic_past_eg(pr, gamma, shift, seed, n):
    def V(z, t):
        s = sample_id(seed, t)
        return F(pr, z) + pr.p[0] * np.array([normal(s, 0), normal(s, 1)])

    z = pr.x0.copy()
    g = V(z, 0)
    out, esc = [z.copy()], [0.0]
    escaped = 0.0
    for t in range(n):
        step = gamma / (t + shift)
        zh = z - step * g
        g = V(zh, t + 1)
        z = z - step * g
        if np.any(np.abs(z) > 1) or np.any(np.abs(zh) > 1):
            escaped = 1.0
        out.append(z.copy())
        esc.append(escaped)
    return np.array(out), np.array(esc)


def test_stochastic_past_eg_bitwise_and_reproducible():
    pr = vi.nonmonotone_local_vi(noise=0.5, r0=0.9)
    tr = run(pr, "stochastic-past-eg", {"step": 2.0, "shift": 3.0}, checkpoints=ks(60), seed=7)
    ref, esc = numpy_stochastic_past_eg(pr, 2.0, 3.0, 7, 60)
    n = len(tr.k)  # the loop stops a diverging run: then the reference overflows after it
    if tr.diverged_at is not None:
        assert n < 61 and not np.all(np.isfinite(ref[n:]))
    assert np.array_equal(tr.points["last"], ref[:n])
    assert np.array_equal(tr.scalars["escaped"], esc[:n])
    again = run(pr, "stochastic-past-eg", {"step": 2.0, "shift": 3.0}, checkpoints=ks(60), seed=7)
    assert np.array_equal(again.points["last"], tr.points["last"])
    other = run(pr, "stochastic-past-eg", {"step": 2.0, "shift": 3.0}, checkpoints=ks(60), seed=8)
    assert not np.array_equal(other.points["last"], tr.points["last"])


def test_stochastic_past_eg_converges_at_one_over_t():
    pr = vi.nonmonotone_local_vi()
    finals = [run(pr, "stochastic-past-eg", {"step": 2.0, "shift": 10.0}, checkpoints=[0, 1000, 8000],
                  seed=s).measure("dist_sq") for s in range(40)]
    m = np.mean(finals, axis=0)
    # linearised prediction gamma^2 sigma^2 d/((2 gamma mu - 1) t) = 0.08/(3 t)
    assert 0.3 < m[1] * 1000 / (0.08 / 3) < 3 and 0.3 < m[2] * 8000 / (0.08 / 3) < 3


def numpy_vr_halpern(pr, lam, n, batch, q, seed, ckpts):
    """Reference of the call-clock VR-Halpern kernel (same random stream)."""
    Ms = pr.A.reshape(n + 1, pr.dim, pr.dim)
    qs = pr.b.reshape(n + 1, pr.dim)

    def comp(x, s):
        i = randint(s, 0, n)
        return Ms[i + 1] @ x - qs[i + 1]

    x0 = pr.x0.copy()
    x = x0.copy()
    est = F(pr, x)
    count, next_count, k = 0.0, float(n), 0
    rec, cnt, its = [], [], []
    j = 0
    while True:
        while j < len(ckpts) and ckpts[j] < next_count:
            rec.append(x.copy())
            cnt.append(count)
            its.append(k)
            j += 1
        if j >= len(ckpts):
            break
        w = 1 / (k + 2)
        x_prev = x.copy()
        x = w * x0 + (1 - w) * (x - lam * est)
        count = next_count
        k += 1
        s0 = sample_id(seed, k * batch)
        if q >= 1 or uniform(s0, 1_000_003) < q:
            est = F(pr, x)
            next_count = count + n
        else:
            for r in range(batch):
                s = sample_id(seed, k * batch + r)
                est = est + (comp(x, s) - comp(x_prev, s)) / batch
            next_count = count + 2 * batch
    return np.array(rec), np.array(cnt), np.array(its)


def test_vr_halpern_matches_numpy_and_deterministic_halpern():
    n = 9
    pr = vi.finite_sum_monotone_linear(n=n, d=4, seed=2)
    ck = np.unique(np.concatenate([np.arange(0, 60), np.arange(60, 600, 7)]))
    tr = run(pr, "vr-halpern", checkpoints=ck, seed=5)
    lam = 2 / pr.L
    rec, cnt, its = numpy_vr_halpern(pr, lam, n, 3, 1 / 3, 5, ck)
    assert np.allclose(tr.points["last"], rec, atol=1e-12, rtol=0)
    assert np.array_equal(tr.scalars["calls"], cnt) and np.array_equal(tr.scalars["iters"], its)
    again = run(pr, "vr-halpern", checkpoints=ck, seed=5)
    assert np.array_equal(again.points["last"], tr.points["last"])
    # q = 1: deterministic Halpern, n calls per iteration, iterate floor(c/n) at call c
    det = run(pr, "halpern-finite-sum", checkpoints=ck, seed=5)
    ref, _ = numpy_halpern(pr, lam, int(ck[-1] // n) + 1)
    assert np.allclose(det.points["last"], ref[ck // n], atol=1e-12, rtol=0)
    assert np.array_equal(det.scalars["iters"], ck // n)


def test_vr_halpern_costs_fewer_calls_than_halpern():
    pr = vi.finite_sum_monotone_linear(n=256, d=10, seed=0)
    target = 1e-2 * pr.certified["F0_norm"]

    def calls(alg):
        tr = run(pr, alg, iterations=3_000_000, seed=0)
        g = tr.measure("grad_norm")
        return tr.k[np.flatnonzero(g > target)[-1]] + 1

    assert calls("vr-halpern") * 3 < calls("halpern-finite-sum")


def test_extragradient_ergodic_gap_bound_on_a_game(game):
    tr = run(game, "extragradient", iterations=500)
    gap = tr.measure("duality_gap", "avg")[1:]
    assert np.all(gap <= game.L * game.certified["D_sq"] / (2 * tr.k[1:]) * (1 + 1e-9))
    assert gap[-1] < 1e-2
