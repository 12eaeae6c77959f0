"""Games and stability (CLAIMS.md §5.13-5.14): families P45-P51 and their kernels.

Families: certified constants on random points, optimality of the stated solution, oracles
against plain numpy, invalid parameters. Kernels: against plain numpy re-implementations of
the same update, metamorphic identities, exact per-mode factors, divergence reported by status.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numba import njit

from convlab import run
from convlab.algorithms.implicit import _unit
from convlab.runtime.random import sample_id
from convlab.problems.games import (
    bilinear_square, cournot, duality_gap_matrix, regularized_bilinear, small_gain_2p, zero_sum)
from convlab.problems.quadratics import (
    ls_interpolating_overparam, ms_operator, ms_spectral_radius, ms_threshold, quad_diag_sam)

FAST = settings(max_examples=15, deadline=None)


def F(pr, z):
    out = np.empty(pr.dim)
    pr.grad(pr.A, pr.b, pr.p, np.ascontiguousarray(z, dtype=float), out)
    return out


def prox(pr, z, step=1.0):
    out = np.empty(pr.dim)
    pr.oracle("prox")(pr.A, pr.b, pr.p, np.ascontiguousarray(z, dtype=float), step, out)
    return out


# -- families --------------------------------------------------------------------------------


@FAST
@given(n=st.integers(1, 7), m=st.integers(1, 7), seed=st.integers(0, 10_000), signed=st.booleans())
def test_zero_sum_equilibrium_operator_and_projection(n, m, seed, signed):
    pr = zero_sum(n=n, m=m, seed=seed, signed=signed)
    M = pr.A
    # the LP equilibrium has zero exact duality gap and attains the value on both sides
    xs, ys = pr.xstar[:n], pr.xstar[n:]
    assert duality_gap_matrix(M, pr.xstar[None])[0] <= 1e-9
    v = pr.certified["value"]
    assert (M.T @ xs).max() == pytest.approx(v, abs=1e-9)
    assert (M @ ys).min() == pytest.approx(v, abs=1e-9)
    # F = (My, -M^T x): skew, hence monotone with (F(z) - F(w)).(z - w) = 0, Lipschitz ||M||
    rng = np.random.default_rng(seed)
    z, w = rng.standard_normal((2, n + m))
    assert np.allclose(F(pr, z), np.r_[M @ z[n:], -M.T @ z[:n]], atol=1e-13)
    assert abs((F(pr, z) - F(pr, w)) @ (z - w)) <= 1e-12 * (1 + np.linalg.norm(z - w) ** 2)
    assert np.linalg.norm(F(pr, z) - F(pr, w)) <= pr.L * np.linalg.norm(z - w) * (1 + 1e-12)
    # projection onto the two simplices: feasible, and optimal (<z - P z, q - P z> <= 0 for
    # every vertex q of the product set)
    P = prox(pr, 3 * z)
    assert P.min() >= 0 and P[:n].sum() == pytest.approx(1) and P[n:].sum() == pytest.approx(1)
    r = 3 * z - P
    for lo, hi in ((0, n), (n, n + m)):
        for i in range(lo, hi):
            assert r[i] - r[lo:hi] @ P[lo:hi] <= 1e-12
    # gap of the uniform start is nonnegative and equals the formula
    assert pr.measure("duality_gap", pr.x0)[0] >= -1e-15


def test_rps_value_and_invalid():
    pr = zero_sum(game="rps")
    assert pr.certified["value"] == pytest.approx(0.5, abs=1e-12)
    assert np.allclose(pr.xstar, 1 / 3, atol=1e-9)
    assert pr.measure("duality_gap", pr.x0)[0] == pytest.approx(0.0, abs=1e-15)
    with pytest.raises(ValueError):
        zero_sum(game="chess")
    with pytest.raises(ValueError):
        zero_sum(n=0)


@FAST
@given(N=st.integers(2, 12), b=st.floats(0.1, 5.0), seed=st.integers(0, 1000))
def test_cournot_constants_and_equilibrium(N, b, seed):
    pr = cournot(N=N, a=10.0 * N, b=b, c_lo=1.0, c_hi=2.0)
    assert np.linalg.norm(F(pr, pr.xstar)) <= 1e-11 * (1 + np.linalg.norm(pr.b))
    assert np.all(pr.xstar > 0)
    rng = np.random.default_rng(seed)
    q, r = rng.standard_normal((2, N))
    dF, dq = F(pr, q) - F(pr, r), q - r
    assert dF @ dq >= pr.mu * (dq @ dq) * (1 - 1e-12)
    assert np.linalg.norm(dF) <= pr.L * np.linalg.norm(dq) * (1 + 1e-12)
    # both constants are attained: eigenvalues of b(I + 11^T) are b and b(N + 1)
    lam = np.linalg.eigvalsh(pr.A)
    assert lam[0] == pytest.approx(pr.mu) and lam[-1] == pytest.approx(pr.L)


def test_cournot_invalid():
    with pytest.raises(ValueError):
        cournot(N=1)
    with pytest.raises(ValueError):
        cournot(b=0.0)
    with pytest.raises(ValueError):
        cournot(N=5, a=1.0, c_lo=1.0, c_hi=2.0)  # equilibrium not interior


@FAST
@given(seed=st.integers(0, 10_000))
def test_small_gain_weighted_strong_monotonicity(seed):
    pr = small_gain_2p()
    w = 20.0
    assert pr.certified["alpha_W"] == pytest.approx(1 - 2 / math.sqrt(5), rel=1e-12)
    assert pr.certified["L_W"] == pytest.approx(1 + 2 / math.sqrt(5), rel=1e-12)
    rng = np.random.default_rng(seed)
    z, v = rng.standard_normal((2, 2))
    dz, dF = z - v, F(pr, z) - F(pr, v)
    Wd = np.array([1.0, w])
    assert (dF * Wd) @ dz >= pr.certified["alpha_W"] * (dz * Wd) @ dz * (1 - 1e-12)
    assert math.sqrt((dF * Wd) @ dF) <= pr.certified["L_W"] * math.sqrt((dz * Wd) @ dz) * (1 + 1e-12)
    # not monotone in the Euclidean metric: along (1, -1), <F(z), z> = 2 - 4.2 < 0
    e = np.array([1.0, -1.0])
    assert F(pr, e) @ e < 0
    with pytest.raises(ValueError):
        small_gain_2p(w=-1.0)


@FAST
@given(d=st.integers(1, 6), eps=st.floats(0.0, 1.0), seed=st.integers(0, 1000))
def test_bilinear_square_spectrum(d, eps, seed):
    pr = bilinear_square(d=d, sigma_min=0.5, sigma_max=2.0, eps=eps, seed=seed)
    ev = np.linalg.eigvals(pr.A)
    sig = np.linspace(2.0, 0.5, d) if d > 1 else np.array([2.0])
    assert np.allclose(np.sort(ev.real), eps, atol=1e-12)
    assert np.allclose(np.sort(np.abs(ev.imag)), np.sort(np.r_[sig, sig]), atol=1e-12)
    z = np.random.default_rng(seed).standard_normal(2 * d)
    assert F(pr, z) @ z == pytest.approx(eps * (z @ z), abs=1e-12 * (1 + z @ z))
    top = bilinear_square(d=d, eps=eps, seed=seed, x0="top")
    assert np.linalg.norm(top.x0) == pytest.approx(1.0)
    with pytest.raises(ValueError):
        bilinear_square(sigma_min=3.0, sigma_max=2.0)
    with pytest.raises(ValueError):
        bilinear_square(eps=-1.0)


def test_regularized_bilinear_monotone_and_noise():
    for noise in ("multiplicative", "additive"):
        pr = regularized_bilinear(d=4, mu=0.1, noise=noise)
        rng = np.random.default_rng(0)
        z = rng.standard_normal(8)
        assert F(pr, z) @ z >= pr.mu * (z @ z) * (1 - 1e-12)
        # the noise has mean zero: averaging many samples returns F
        g = np.empty(8)
        acc = np.zeros(8)
        for s in range(4000):
            pr.oracle("sgrad")(pr.A, pr.b, pr.p, z, 0, sample_id(1, s), g)
            acc += g
        scale = 0.5 * (np.linalg.norm(F(pr, z)) if noise == "multiplicative" else 1.0)
        assert np.linalg.norm(acc / 4000 - F(pr, z)) <= 5 * scale / math.sqrt(4000)
        # at z* = 0 the multiplicative noise vanishes
        pr.oracle("sgrad")(pr.A, pr.b, pr.p, np.zeros(8), 0, 7, g)
        assert (np.abs(g).max() == 0.0) == (noise == "multiplicative")
    with pytest.raises(ValueError):
        regularized_bilinear(noise="gaussian")


@FAST
@given(n=st.integers(2, 6), extra=st.integers(1, 6), seed=st.integers(0, 1000),
       norms=st.sampled_from(["hetero", "equal"]))
def test_ls_interpolating_oracles_and_solution(n, extra, seed, norms):
    d = n + extra
    pr = ls_interpolating_overparam(n=n, d=d, norms=norms, seed=seed)
    A, b = pr.A, pr.b
    assert np.linalg.norm(F(pr, pr.xstar)) <= 1e-12 * (1 + np.linalg.norm(b))
    assert pr.gap(A, b, pr.p, pr.xstar) <= 1e-26 * (1 + b @ b)
    # x* is the projection of x0 = 0 onto {Ax = b}: the minimum-norm solution, in the row space
    assert np.allclose(pr.xstar, np.linalg.lstsq(A, b, rcond=None)[0], atol=1e-10)
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(d)
    assert np.allclose(F(pr, x), A.T @ (A @ x - b) / n, atol=1e-12)
    assert pr.gap(A, b, pr.p, x) == pytest.approx(0.5 * np.sum((A @ x - b) ** 2) / n, rel=1e-12)
    g, comps = np.empty(d), []
    for i in range(n):
        pr.oracle("sgrad")(A, b, pr.p, x, 0, i + 5 * n, g)  # component (i + 5n) mod n = i
        comps.append(g.copy())
    assert np.allclose(np.mean(comps, axis=0), F(pr, x), atol=1e-12)
    lam = np.linalg.eigvalsh(A.T @ A / n)
    assert pr.L == pytest.approx(lam[-1]) and pr.mu == pytest.approx(lam[d - n])
    assert pr.certified["trH"] == pytest.approx(lam.sum())


def test_ls_invalid():
    with pytest.raises(ValueError):
        ls_interpolating_overparam(n=10, d=10)
    with pytest.raises(ValueError):
        ls_interpolating_overparam(norms="unit")


def test_ms_threshold_equal_norms_is_two_over_trace():
    # derived (CLAIMS.md C84): with ||a_i|| = 1, E||e+||^2 = E||e||^2 - eta(2 - eta) E[e^T H e],
    # so the mean-square edge is exactly eta = 2 = 2/tr(H)
    A = ls_interpolating_overparam(n=5, d=12, norms="equal", seed=3).A
    assert ms_threshold(A) == pytest.approx(2.0, rel=1e-9)
    assert ms_spectral_radius(A, 1.99) < 1 < ms_spectral_radius(A, 2.01)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_ms_threshold_hetero_below_trace_bound(seed):
    pr = ls_interpolating_overparam(n=5, d=12, norms="hetero", seed=seed)
    eta_c = pr.certified["eta_ms"]
    assert eta_c < 2 / pr.certified["trH"]
    assert eta_c < 2 / pr.L  # and below the GD edge
    assert ms_spectral_radius(pr.A, 0.999 * eta_c) <= 1 < ms_spectral_radius(pr.A, 1.001 * eta_c)


def test_quad_diag_sam():
    pr = quad_diag_sam(lam_max=15.0, rho=0.05)
    assert pr.certified["eta_sam"] == pytest.approx(2 / (15 + 0.05 * 225))
    assert np.allclose(np.diag(pr.A), np.linspace(0.1, 15, 20)) and pr.A[-1, -1] == 15.0
    # lambda_SAM at eta = 0.1 (CLAIMS.md C86): (sqrt(1 + 8 rho/eta) - 1)/(2 rho) = 12.36
    lam_sam = (math.sqrt(1 + 8 * 0.05 / 0.1) - 1) / (2 * 0.05)
    assert lam_sam == pytest.approx(12.3606797749979)
    assert quad_diag_sam(lam_max=lam_sam, rho=0.05).certified["eta_sam"] == pytest.approx(0.1)
    with pytest.raises(ValueError):
        quad_diag_sam(lam_max=0.05)


# -- kernels ---------------------------------------------------------------------------------


def numpy_hedge(pr, eta_x, eta_y, T, optimistic):
    n = int(pr.params["n"])
    z = pr.x0.copy()
    S = np.zeros(pr.dim)
    zs = [z.copy()]
    for _ in range(T):
        u = F(pr, z)
        S += u
        logits = np.log(pr.x0) - np.r_[np.full(n, eta_x), np.full(pr.dim - n, eta_y)] * (
            S + optimistic * u)
        z = np.empty(pr.dim)
        for lo, hi in ((0, n), (n, pr.dim)):
            w = np.exp(logits[lo:hi] - logits[lo:hi].max())
            z[lo:hi] = w / w.sum()
        zs.append(z.copy())
    return np.array(zs)


@pytest.mark.parametrize("alg,opt", [("hedge", 0), ("optimistic-hedge", 1)])
def test_hedge_against_numpy(alg, opt):
    pr = zero_sum(n=5, m=4, seed=2)
    T = 60
    tr = run(pr, alg, {"eta_x": 0.3, "eta_y": 0.2}, checkpoints=np.arange(T + 1))
    ref = numpy_hedge(pr, 0.3, 0.2, T, opt)
    assert np.allclose(tr.points["last"], ref, rtol=0, atol=1e-12)
    avg = np.array([ref[0]] + [ref[:k].mean(axis=0) for k in range(1, T + 1)])
    assert np.allclose(tr.points["avg"], avg, rtol=0, atol=1e-12)


def test_hedge_regret_identity_and_bound():
    # Gap(avg) = (Reg_x + Reg_y)/T exactly; with the tuned steps it is below the Hedge bound
    pr = zero_sum(n=8, m=6, seed=1)
    T = 400
    tr = run(pr, "hedge", checkpoints=np.array([T]))
    z = numpy_hedge(pr, math.sqrt(8 * math.log(8) / T), math.sqrt(8 * math.log(6) / T), T, 0)[:T]
    M = pr.A
    X, Y = z[:, :8], z[:, 8:]
    play = np.einsum("ti,ij,tj->", X, M, Y)
    reg = (play - (M @ Y.sum(axis=0)).min()) + ((M.T @ X.sum(axis=0)).max() - play)
    gap = pr.measure("duality_gap", tr.points["avg"])[-1]
    assert gap == pytest.approx(reg / T, rel=1e-10)
    assert gap <= math.sqrt(math.log(8) / (2 * T)) + math.sqrt(math.log(6) / (2 * T))


def test_hedge_zero_step_stays_at_prior_and_shift_invariance():
    pr = zero_sum(n=4, m=3, seed=5)
    tr = run(pr, "hedge", {"eta_x": 0.0, "eta_y": 0.0}, iterations=20)
    assert np.allclose(tr.points["last"], pr.x0, atol=0)
    # shifting every loss by a constant per block (signed = 2M - 1 rescales and shifts) gives
    # the same iterates as doubling the step on the unsigned game
    pr2 = zero_sum(n=4, m=3, seed=5, signed=True)
    a = run(pr, "hedge", {"eta_x": 0.2, "eta_y": 0.2}, iterations=50).points["last"]
    b = run(pr2, "hedge", {"eta_x": 0.1, "eta_y": 0.1}, iterations=50).points["last"]
    assert np.allclose(a, b, atol=1e-12)


def numpy_gradient_play(pr, eta, T, project=True):
    z = pr.x0.copy()
    zs = [z.copy()]
    for _ in range(T):
        y = z - eta * F(pr, z)
        z = prox(pr, y, eta) if project else y
        zs.append(z.copy())
    return np.array(zs)


def test_gradient_play_against_numpy_and_cournot_exact_factor():
    pr = zero_sum(n=4, m=5, seed=3)
    tr = run(pr, "gradient-play", {"step": 0.3}, checkpoints=np.arange(41))
    assert np.allclose(tr.points["last"], numpy_gradient_play(pr, 0.3, 40), atol=1e-12)
    # Cournot with eta = 2/(b(N+2)): I - eta F' is N/(N+2) times an orthogonal matrix, so the
    # distance contracts by exactly N/(N+2) per step while the iterates stay interior
    c = cournot(N=5)
    tr = run(c, "gradient-play", {"step": "2/(b*(N+2))"}, iterations=30)
    dist = c.measure("dist", tr.points["last"])
    # errors are formed as q - q*, so each carries ~eps |q*| of rounding (the family's floor)
    assert np.all(np.abs(dist - c.R * (5 / 7) ** tr.k) <= 16 * np.finfo(float).eps * np.linalg.norm(c.xstar))
    assert np.all(tr.points["last"] > 0)


def test_gda_expands_on_bilinear_and_equals_euler():
    pr = bilinear_square(d=4, eps=0.0, seed=1)
    tr = run(pr, "gda", {"step": 0.1}, checkpoints=np.arange(51))
    norms2 = pr.measure("dist_sq", tr.points["last"])
    ref = numpy_gradient_play(pr, 0.1, 50, project=False)
    assert np.allclose(tr.points["last"], ref, atol=1e-12)
    # ||z+||^2 = ||z||^2 + eta^2 ||F(z)||^2 (skew F)
    FF = np.array([F(pr, z) @ F(pr, z) for z in tr.points["last"][:-1]])
    assert np.allclose(norms2[1:], norms2[:-1] + 0.01 * FF, rtol=1e-12)
    assert np.all(np.diff(norms2) > 0)
    from convlab.algorithms.dynamics import RUNGE_KUTTA
    from convlab.algorithms.registry import Algorithm
    from convlab.run import _launch
    from convlab.runtime.checkpoints import checkpoints
    ks = checkpoints(50)
    euler = Algorithm("rk-euler", RUNGE_KUTTA, (("step", None),), fixed={"order": 1.0})
    pts = _launch(euler, pr, euler.hyper_array({"step": 0.1}), ks, np.array([0]), 0, False)[0][0]
    assert np.allclose(pts[:, 0], run(pr, "gda", {"step": 0.1}, checkpoints=ks).points["last"],
                       atol=1e-13)


def test_gda_divergence_is_reported():
    pr = bilinear_square(d=3, eps=0.0, seed=0)
    tr = run(pr, "gda", {"step": 1.0}, iterations=5000)
    assert tr.diverged and tr.diverged_at < 5000


def numpy_rk(pr, order, eta, T):
    z = pr.x0.copy()
    zs = [z.copy()]
    for _ in range(T):
        k1 = F(pr, z)
        if order == 2:
            k2 = F(pr, z - eta * k1)
            z = z - 0.5 * eta * (k1 + k2)
        else:
            k2 = F(pr, z - 0.5 * eta * k1)
            k3 = F(pr, z - 0.5 * eta * k2)
            k4 = F(pr, z - eta * k3)
            z = z - (eta / 6) * (k1 + 2 * k2 + 2 * k3 + k4)
        zs.append(z.copy())
    return np.array(zs)


@pytest.mark.parametrize("alg,order", [("heun", 2), ("rk4", 4)])
def test_runge_kutta_against_numpy(alg, order):
    pr = bilinear_square(d=3, eps=0.1, seed=4)
    tr = run(pr, alg, {"step": 0.4}, checkpoints=np.arange(31))
    assert np.allclose(tr.points["last"], numpy_rk(pr, order, 0.4, 30), rtol=0, atol=1e-12)


@pytest.mark.parametrize("eta", [0.5, 1.0, 1.4])
def test_rk_exact_mode_factor_on_top_pair(eta):
    # on the sigma_max singular pair the iteration is |R(i eta sigma_max)| times a rotation
    pr = bilinear_square(d=5, eps=0.0, seed=0, x0="top")
    y = eta * 2.0
    for alg, mod2 in (("rk4", 1 - y**6 / 72 + y**8 / 576), ("heun", 1 + y**4 / 4)):
        tr = run(pr, alg, {"step": eta}, iterations=40)
        dist = pr.measure("dist", tr.points["last"])
        assert np.allclose(dist, math.sqrt(mod2) ** tr.k, rtol=1e-12, atol=0)


def numpy_sam(pr, eta, rho, T):
    x = pr.x0.copy()
    xs = [x.copy()]
    for _ in range(T):
        x = x - eta * F(pr, x + rho * F(pr, x))
        xs.append(x.copy())
    return np.array(xs)


def test_sam_against_numpy_rho_zero_is_gd_and_mode_factor():
    pr = quad_diag_sam(lam_max=12.0)
    tr = run(pr, "sam", {"step": 0.1, "rho": 0.05}, checkpoints=np.arange(41))
    assert np.allclose(tr.points["last"], numpy_sam(pr, 0.1, 0.05, 40), rtol=0, atol=1e-12)
    lam = np.diag(pr.A)
    assert np.allclose(tr.points["last"][-1], (1 - 0.1 * (lam + 0.05 * lam**2)) ** 40, atol=1e-12)
    ks = np.arange(31)
    a = run(pr, "sam", {"step": 0.1, "rho": 0.0}, checkpoints=ks, track=True)
    b = run(pr, "gd", {"step": 0.1}, checkpoints=ks, track=True)
    assert np.array_equal(a.points["last"], b.points["last"])
    assert np.array_equal(a.scalars["best_f_gap"], b.scalars["best_f_gap"])


def test_sam_divergence_above_its_edge():
    tr = run(quad_diag_sam(lam_max=15.0), "sam", {"step": 0.1, "rho": 0.05}, iterations=3000)
    assert tr.diverged and tr.diverged_at < 3000


def numpy_implicit_sgd(pr, eta, T, seed):
    n = pr.A.shape[0]
    x = pr.x0.copy()
    xs = [x.copy()]
    for t in range(T):
        i = int(sample_id(seed, t)) % n
        a = pr.A[i]
        x = x - (eta / (1 + eta * (a @ a))) * a * (a @ x - pr.b[i])
        xs.append(x.copy())
    return np.array(xs)


@pytest.mark.parametrize("eta", [1e-2, 1.0, 1e3])
def test_implicit_sgd_against_numpy_and_monotone(eta):
    pr = ls_interpolating_overparam(n=6, d=15, seed=2)
    tr = run(pr, "implicit-sgd", {"step": eta}, checkpoints=np.arange(201), seed=11)
    ref = numpy_implicit_sgd(pr, eta, 200, 11)
    assert np.allclose(tr.points["last"], ref, rtol=0, atol=1e-12)
    dist = pr.measure("dist", tr.points["last"])
    assert np.all(np.diff(dist) <= 1e-12)
    again = run(pr, "implicit-sgd", {"step": eta}, checkpoints=np.arange(201), seed=11)
    assert np.array_equal(again.points["last"], tr.points["last"])


def test_implicit_sgd_converges_at_huge_step_while_sgd_diverges():
    pr = ls_interpolating_overparam(n=10, d=30, seed=0)
    imp = run(pr, "implicit-sgd", {"step": 1e3}, iterations=3000, seed=0)
    assert pr.measure("dist", imp.points["last"])[-1] < 1e-6 * pr.R
    exp = run(pr, "sgd", {"step": 10.0}, iterations=3000, seed=0)
    assert exp.diverged


def numpy_moments(pr, eta, T):
    A, b = pr.A, pr.b
    n, d = A.shape
    m, C = pr.x0.copy(), np.zeros((d, d))
    H = A.T @ A / n
    out = []
    for _ in range(T + 1):
        out.append(0.5 * np.sum((A @ m - b) ** 2) / n + 0.5 * np.trace(H @ C))
        Ps = [np.eye(d) - eta * np.outer(a, a) for a in A]
        Tm = np.array([m - eta * a * (a @ m - bi) for a, bi in zip(A, b)])
        m_new = Tm.mean(axis=0)
        C = sum(P @ C @ P.T for P in Ps) / n + (Tm - m_new).T @ (Tm - m_new) / n
        m = m_new
    return np.array(out)


def test_sgd_moments_against_numpy_and_operator():
    pr = ls_interpolating_overparam(n=4, d=9, seed=1)
    eta = 0.8 * pr.certified["eta_ms"]
    tr = run(pr, "sgd-moments", {"step": eta}, checkpoints=np.arange(31))
    ref = numpy_moments(pr, eta, 30)
    assert np.allclose(tr.scalars["mean_f_gap"], ref, rtol=1e-11, atol=0)
    # E[e e^T] in row-space coordinates evolves by M(eta): E f = 1/2 tr(H_row Sigma)
    from convlab.problems.quadratics import _row_basis
    _, s, Vt = np.linalg.svd(pr.A, full_matrices=False)
    B = Vt.T  # d x n orthonormal basis of the row space
    e0 = B.T @ (pr.x0 - pr.xstar)
    Mop = ms_operator(pr.A, eta)
    Hr = B.T @ (pr.A.T @ pr.A / 4) @ B
    vec = np.outer(e0, e0).ravel()
    for k in range(31):
        assert 0.5 * np.trace(Hr @ vec.reshape(4, 4)) == pytest.approx(ref[k], rel=1e-9)
        vec = Mop @ vec
    assert _row_basis(pr.A).shape == (4, 4)


@njit
def _moments_column_by_column(A, b, p, sgrad, x0, eta, K):
    """sgd-moments' recursion as first written: every column's unit vector formed anew for
    every component, every covariance entry updated in place. Returns (m_K, tr C_K)."""
    n, d = A.shape
    m = x0.copy()
    C = np.zeros((d, d))
    zero = np.zeros(d)
    g, g0, v = np.empty(d), np.empty(d), np.empty(d)
    W = np.empty((d, d))
    Tm = np.empty((n, d))
    for k in range(K):
        m_next = np.zeros(d)
        C_next = np.zeros((d, d))
        for r in range(n):
            sgrad(A, b, p, m, k, r, g)
            for i in range(d):
                Tm[r, i] = m[i] - eta * g[i]
                m_next[i] += Tm[r, i] / n
        for r in range(n):
            sgrad(A, b, p, zero, k, r, g0)
            for c in range(d):
                scale = _unit(C[:, c], v)
                if scale > 0.0:
                    sgrad(A, b, p, v, k, r, g)
                for i in range(d):
                    W[i, c] = C[i, c] - eta * scale * (g[i] - g0[i]) if scale > 0.0 else 0.0
            for c in range(d):
                scale = _unit(W[c, :], v)
                if scale > 0.0:
                    sgrad(A, b, p, v, k, r, g)
                    for i in range(d):
                        C_next[i, c] += (W[c, i] - eta * scale * (g[i] - g0[i])) / n
            for i in range(d):
                dev_i = Tm[r, i] - m_next[i]
                for c in range(d):
                    C_next[i, c] += dev_i * (Tm[r, c] - m_next[c]) / n
        m = m_next
        C = C_next
    tr = 0.0
    for i in range(d):
        tr += C[i, i]
    return m, tr


@pytest.mark.parametrize("norms,scale", [("hetero", 0.8), ("equal", 1.5)])
def test_sgd_moments_equal_the_column_by_column_recursion_bit_for_bit(norms, scale):
    """The kernel forms each column's unit vector once per iteration and accumulates the
    transposed covariance: the same operations on every number, so the same bits."""
    pr = ls_interpolating_overparam(n=5, d=11, norms=norms, seed=2)
    eta = scale * pr.certified["eta_ms"]
    K = 40
    tr = run(pr, "sgd-moments", {"step": eta}, checkpoints=np.array([K]))
    m, trace = _moments_column_by_column(pr.A, pr.b, pr.p, pr.oracles["sgrad"].compiled,
                                         pr.x0, eta, K)
    assert np.array_equal(tr.points["last"][-1], m)
    assert tr.scalars["trace_cov"][-1] == trace


def test_sgd_moments_match_monte_carlo():
    pr = ls_interpolating_overparam(n=4, d=9, seed=1)
    eta = 0.9 * pr.certified["eta_ms"]
    K = 20
    mom = run(pr, "sgd-moments", {"step": eta}, checkpoints=np.array([K])).scalars["mean_f_gap"][-1]
    vals = np.array([pr.measure("f_gap", run(pr, "sgd", {"step": eta}, checkpoints=np.array([K]),
                                             seed=s).points["last"])[-1] for s in range(1000)])
    se = vals.std() / math.sqrt(vals.size)
    assert abs(vals.mean() - mom) <= 4 * se


def test_sgd_moments_edge_matches_exact_operator():
    pr = ls_interpolating_overparam(n=4, d=9, seed=1)
    eta_c = pr.certified["eta_ms"]
    below = run(pr, "sgd-moments", {"step": 0.99 * eta_c}, checkpoints=np.array([0, 3000]))
    above = run(pr, "sgd-moments", {"step": 1.01 * eta_c}, checkpoints=np.array([0, 3000]))
    g_below = below.scalars["mean_f_gap"]
    g_above = above.scalars["mean_f_gap"]
    assert g_below[-1] < g_below[0] and g_above[-1] > g_above[0]


def test_sgd_moments_divergence_is_reported():
    # far above the edge the second moment overflows within a few hundred steps: the kernel
    # must stop with status diverged rather than let inf/nan propagate into a finite value
    pr = ls_interpolating_overparam(n=10, d=30, seed=0)
    tr = run(pr, "sgd-moments", {"step": 4 / pr.certified["trH"]}, checkpoints=np.array([0, 5000]))
    assert tr.diverged
    assert not np.isfinite(tr.scalars["mean_f_gap"][-1])


@FAST
@given(seed=st.integers(0, 10_000), rho=st.floats(0.3, 3.0))
def test_ball_box_lmo_is_optimal(seed, rho):
    from scipy.optimize import minimize

    pr = regularized_bilinear(d=4, comparator=rho)
    g = np.random.default_rng(seed).standard_normal(8)
    s = np.empty(8)
    pr.oracle("lmo")(pr.A, pr.b, pr.p, g, s)
    for lo in (0, 4):
        blk, gb = s[lo:lo + 4], g[lo:lo + 4]
        assert np.abs(blk).max() <= 1 + 1e-12 and blk @ blk <= rho**2 * (1 + 1e-9)
        res = minimize(lambda q: gb @ q, np.zeros(4), bounds=[(-1, 1)] * 4,
                       constraints=[{"type": "ineq", "fun": lambda q: rho**2 - q @ q}],
                       method="SLSQP", options={"ftol": 1e-12, "maxiter": 500})
        assert gb @ blk <= res.fun + 1e-7


def numpy_og(pr, gamma, eta, T, seed, schedule):
    nx = pr.dim // 2
    X = pr.x0.copy()
    Vh = np.zeros(pr.dim)
    played, G = 0.0, np.zeros(pr.dim)
    regrets, Xs = [0.0], [X.copy()]
    s_min = np.empty(pr.dim)
    for t in range(T):
        c = 1.0 if schedule == 0 else 1 / math.sqrt(t + 1)
        Xh = prox(pr, X - gamma * c * Vh)
        pr.oracle("sgrad")(pr.A, pr.b, pr.p, Xh, t, sample_id(seed, t), Vh)
        g = F(pr, Xh)
        played += g[:nx] @ Xh[:nx]
        G[:nx] += g[:nx]
        X = prox(pr, X - eta * c * Vh)
        pr.oracle("lmo")(pr.A, pr.b, pr.p, G, s_min)
        regrets.append(played - G[:nx] @ s_min[:nx])
        Xs.append(X.copy())
    return np.array(Xs), np.array(regrets)


@pytest.mark.parametrize("alg,schedule,noise", [("og-separation", 0, "multiplicative"),
                                                ("og-separation-sqrt", 1, "additive")])
def test_og_separation_against_numpy(alg, schedule, noise):
    pr = regularized_bilinear(d=3, noise=noise)
    T = 80
    tr = run(pr, alg, {"gamma": 0.4, "eta": 0.2}, checkpoints=np.arange(T + 1), seed=5)
    Xs, reg = numpy_og(pr, 0.4, 0.2, T, 5, schedule)
    assert np.allclose(tr.points["last"], Xs, rtol=0, atol=1e-12)
    assert np.allclose(tr.scalars["regret"], reg, rtol=1e-10, atol=1e-12)
    assert np.allclose(tr.scalars["avg_regret"][1:], reg[1:] / np.arange(1, T + 1), rtol=1e-10)
    again = run(pr, alg, {"gamma": 0.4, "eta": 0.2}, checkpoints=np.arange(T + 1), seed=5)
    assert np.array_equal(again.scalars["regret"], tr.scalars["regret"])


def test_og_separation_converges_without_noise():
    # scale = 0: deterministic optimistic gradient on a strongly monotone game -> z* = 0
    pr = regularized_bilinear(d=5, scale=0.0)
    tr = run(pr, "og-separation", {"gamma": 0.2, "eta": 0.1}, iterations=3000)
    assert pr.measure("dist", tr.points["last"])[-1] < 1e-8 * pr.R


def test_rk_thresholds_from_stability_polynomials():
    from convlab.problems.games import rk_stability, rk_threshold

    sig = np.linspace(2.0, 0.5, 5)
    # eps = 0: |R4(iy)|^2 = 1 - y^6/72 + y^8/576 <= 1 iff y <= 2 sqrt(2) (textbook)
    assert rk_threshold(4, 0.0, sig) == pytest.approx(2 * math.sqrt(2) / 2.0, rel=1e-12)
    y = np.linspace(0.1, 3.0, 50)
    assert np.allclose(rk_stability(4, 1j * y) ** 2, 1 - y**6 / 72 + y**8 / 576, rtol=1e-12)
    assert np.allclose(rk_stability(2, 1j * y) ** 2, 1 + y**4 / 4, rtol=1e-12)
    # Euler and Heun are unstable at every step on the imaginary axis
    assert rk_threshold(1, 0.0, sig) == 0.0 and rk_threshold(2, 0.0, sig) == 0.0
    # Euler with damping eps: |1 - eta(eps + i sigma)|^2 <= 1 iff eta <= 2 eps/(eps^2 + sigma^2)
    for eps in (0.01, 0.1):
        assert rk_threshold(1, eps, sig) == pytest.approx(2 * eps / (eps**2 + 4.0), rel=1e-10)
        assert bilinear_square(eps=eps).certified["eta_rk4"] == pytest.approx(
            rk_threshold(4, eps, sig), rel=1e-12)
