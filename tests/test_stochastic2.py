"""Section stochastic2 (CLAIMS.md §5.9 part B): families P23, P25, P26, P27 and the kernels
schedule-free SGD, clipped SGD, stochastic heavy ball and EF21."""

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats

from convlab.runtime.random import sample_id
from convlab.algorithms.compressed import top_k
from convlab.problems.finite_sums import ef21_quadratics
from convlab.problems.stochastic import clip_bias_1d, quad_heavy_tail, shb_anisotropic
from convlab.run import run

FAST = settings(max_examples=8, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])


def grad(pr, x):
    g = np.empty(pr.dim)
    pr.oracle("grad")(pr.A, pr.b, pr.p, np.ascontiguousarray(x, dtype=float), g)
    return g


def sgrad(pr, x, t, s):
    g = np.empty(pr.dim)
    pr.oracle("sgrad")(pr.A, pr.b, pr.p, np.ascontiguousarray(x, dtype=float), t, s, g)
    return g


def value(pr, x):
    return pr.oracle("value")(pr.A, pr.b, pr.p, np.ascontiguousarray(x, dtype=float))


def finite_difference_check(pr, rng, scale=1.0):
    x = pr.xstar + scale * rng.standard_normal(pr.dim)
    g = grad(pr, x)
    h = 1e-6
    fd = np.array([(value(pr, x + h * e) - value(pr, x - h * e)) / (2 * h)
                   for e in np.eye(pr.dim)])
    assert np.allclose(fd, g, rtol=1e-6, atol=1e-6 * (1 + np.abs(g).max()))


# -- families -----------------------------------------------------------------------------------


@given(jump=st.floats(0.5, 20), prob=st.floats(0.02, 0.5), clip=st.floats(0.1, 5))
@FAST
def test_clip_bias_fixed_point_is_the_zero_of_the_clipped_drift(jump, prob, clip):
    low = prob * jump / (1 - prob)
    assert prob * jump - (1 - prob) * low == pytest.approx(0, abs=1e-12 * jump)  # mean-zero noise

    def h(x):
        return prob * np.clip(x + jump, -clip, clip) + (1 - prob) * np.clip(x - low, -clip, clip)
    try:
        pr = clip_bias_1d(jump=jump, prob=prob, clip=clip)
    except ValueError as exc:
        # refused only when h vanishes on an interval (both values clipped and prob = 1/2)
        assert "not unique" in str(exc)
        a, b = clip - jump, low - clip
        assert b > a and abs(h(a)) < 1e-12 and abs(h(b)) < 1e-12
        return
    xbar = pr.certified["xbar"]
    assert abs(h(xbar)) < 1e-12 * (1 + clip)
    grid = np.linspace(xbar - 3 * (jump + clip), xbar + 3 * (jump + clip), 2001)
    hv = h(grid)
    assert np.all(np.diff(hv) >= -1e-15) and np.all(hv[grid < xbar - 1e-9] < 0)


def test_clip_bias_default_fixed_point_and_noise_frequencies():
    pr = clip_bias_1d()
    assert pr.certified["xbar"] == pytest.approx(8 / 9, abs=1e-15)
    xi = np.array([sgrad(pr, [0.0], 0, s)[0] for s in range(20000)])
    assert set(np.unique(xi)) == {9.0, -1.0}
    # binomial test of P(xi = 9) = 0.1
    assert stats.binomtest(int(np.sum(xi == 9.0)), xi.size, 0.1).pvalue > 1e-4


@pytest.mark.parametrize("kwargs", [dict(prob=0.0), dict(prob=1.0), dict(jump=-1.0),
                                    dict(clip=0.0), dict(eta=0.0),
                                    dict(jump=2.0, prob=0.5, clip=1.0)])
def test_clip_bias_rejects_invalid(kwargs):
    with pytest.raises(ValueError):
        clip_bias_1d(**kwargs)


@pytest.mark.parametrize("nu", [0.7, 1.8, 3.0])
def test_heavy_tail_noise_is_student_t(nu):
    pr = quad_heavy_tail(d=4, kappa=10, nu=nu, seed=1)
    x = np.zeros(4)
    xi = np.array([sgrad(pr, x, 0, sample_id(5, s)) for s in range(6000)])
    for i in range(4):
        assert stats.kstest(xi[:, i], "t", args=(nu,)).pvalue > 1e-4
    # coordinates are independent: rank correlation near zero
    rho = stats.spearmanr(xi[:, 0], xi[:, 1]).statistic
    assert abs(rho) < 5 / math.sqrt(xi.shape[0])


@given(d=st.integers(2, 12), kappa=st.floats(1.0, 1e3), seed=st.integers(0, 100))
@FAST
def test_heavy_tail_constants_and_oracles(d, kappa, seed):
    pr = quad_heavy_tail(d=d, kappa=kappa, seed=seed)
    eig = np.linalg.eigvalsh(pr.A)
    assert eig.max() == pytest.approx(pr.L, rel=1e-10)
    assert eig.min() == pytest.approx(pr.mu, rel=1e-8)
    assert np.all(grad(pr, pr.xstar) == 0)
    finite_difference_check(pr, np.random.default_rng(seed))
    # the noise is centred at the gradient: zero-scale noise gives the gradient exactly
    pr0 = quad_heavy_tail(d=d, kappa=kappa, seed=seed, scale=0.0)
    x = np.random.default_rng(seed).standard_normal(d)
    assert np.array_equal(sgrad(pr0, x, 3, 77), grad(pr0, x))


@pytest.mark.parametrize("kwargs", [dict(d=0), dict(kappa=0.5), dict(nu=0.0), dict(scale=-1.0),
                                    dict(x0="nowhere")])
def test_heavy_tail_rejects_invalid(kwargs):
    with pytest.raises(ValueError):
        quad_heavy_tail(**kwargs)


@given(d=st.integers(2, 60), kappa=st.floats(1.0, 1e4), sigma=st.floats(0.1, 3),
       batch=st.integers(1, 2048))
@FAST
def test_shb_anisotropic_constants_and_noise_covariance(d, kappa, sigma, batch):
    pr = shb_anisotropic(d=d, kappa=kappa, sigma=sigma, batch=batch)
    h = np.diag(pr.A)
    assert h.max() == pr.L == 1.0 and h.min() == pytest.approx(1 / kappa, rel=1e-14)
    assert np.all(pr.A == np.diag(h))
    finite_difference_check(pr, np.random.default_rng(d))
    x = np.linspace(-1, 1, d)
    zeta = np.array([sgrad(pr, x, 0, sample_id(1, s)) for s in range(3000)]) - grad(pr, x)
    ratio = zeta.var(axis=0) / (sigma**2 * h / batch)  # each ~ chi2(n)/n
    assert np.all(np.abs(ratio - 1) < 6 * math.sqrt(2 / zeta.shape[0]))
    assert pr.certified["sigma_sq"] == pytest.approx(sigma**2 * h.sum() / batch, rel=1e-12)


@pytest.mark.parametrize("kwargs", [dict(d=0), dict(kappa=0.9), dict(sigma=-1.0),
                                    dict(batch=0)])
def test_shb_anisotropic_rejects_invalid(kwargs):
    with pytest.raises(ValueError):
        shb_anisotropic(**kwargs)


@given(n=st.integers(1, 6), d=st.integers(2, 10), seed=st.integers(0, 50))
@FAST
def test_ef21_quadratics_solution_components_and_constants(n, d, seed):
    pr = ef21_quadratics(n=n, d=d, topk=1, seed=seed)
    Hs = [pr.A[(i + 1) * d:(i + 2) * d] for i in range(n)]
    cs = [pr.b[(i + 1) * d:(i + 2) * d] for i in range(n)]
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(d) * 3
    comps = [sgrad(pr, x, 0, i) for i in range(n)]
    for H, c, g in zip(Hs, cs, comps):
        assert np.allclose(g, H @ (x - c), rtol=1e-13, atol=1e-12)
    assert np.allclose(np.mean(comps, axis=0), grad(pr, x), rtol=1e-12, atol=1e-11)
    assert np.array_equal(sgrad(pr, x, 0, n + 1), comps[1 % n])  # component s mod n
    # x* is optimal: the mean gradient vanishes at rounding level
    assert np.linalg.norm(grad(pr, pr.xstar)) < 1e-12 * (1 + pr.L * np.linalg.norm(pr.xstar))
    # f - f* from the error equals the difference of the component sums
    direct = np.mean([0.5 * (x - c) @ H @ (x - c) for H, c in zip(Hs, cs)]) - pr.fstar
    assert value(pr, x) == pytest.approx(direct, rel=1e-9)
    Li = np.array([np.linalg.eigvalsh(H).max() for H in Hs])
    assert pr.certified["L_QM"] == pytest.approx(np.sqrt(np.mean(Li**2)), rel=1e-12)
    assert pr.certified["L_AM"] <= pr.certified["L_QM"] * (1 + 1e-12)
    assert pr.L <= pr.certified["L_AM"] * (1 + 1e-12)  # lambda_max of a mean <= mean lambda_max
    # smoothness of f on random pairs
    y = rng.standard_normal(d)
    assert np.linalg.norm(grad(pr, x) - grad(pr, y)) <= pr.L * np.linalg.norm(x - y) * (1 + 1e-12)
    finite_difference_check(pr, rng)
    a = 1 / d
    th = 1 - math.sqrt(1 - a)
    assert pr.certified["gamma_qm"] == pytest.approx(
        1 / (pr.L + pr.certified["L_QM"] * math.sqrt((1 - a) / th / th)), rel=1e-12)


@pytest.mark.parametrize("kwargs", [dict(n=0), dict(d=0), dict(topk=0), dict(topk=21, d=20),
                                    dict(boost=0.0)])
def test_ef21_quadratics_rejects_invalid(kwargs):
    with pytest.raises(ValueError):
        ef21_quadratics(**kwargs)


# -- kernels against numpy references -----------------------------------------------------------


def numpy_schedule_free(pr, gamma, beta, n, seed):
    x = pr.x0.copy()
    z = x.copy()
    xs = [x.copy()]
    for t in range(n):
        y = (1 - beta) * z + beta * x
        z = z - gamma * sgrad(pr, y, t, sample_id(seed, t))
        c = 1.0 / (t + 2)
        x = (1 - c) * x + c * z
        xs.append(x.copy())
    return np.array(xs)


def numpy_clipped(pr, gamma, clip, rate, n, seed, t0):
    x = pr.x0.copy()
    xs, tail = [x.copy()], []
    acc = np.zeros(pr.dim)
    for t in range(n):
        if t >= t0:
            acc += x
        tail.append(acc / (t + 1 - t0) if t + 1 > t0 else None)
        g = sgrad(pr, x, t, sample_id(seed, t))
        lam = clip * math.exp(-rate * t)
        norm = np.linalg.norm(g)
        x = x - gamma * (min(1.0, lam / norm) if norm > 0 else 1.0) * g
        xs.append(x.copy())
    return np.array(xs), tail


def numpy_shb(pr, eta, beta, every, factor, n, seed):
    w = pr.x0.copy()
    w_prev = w.copy()
    ws = [w.copy()]
    for t in range(n):
        step = eta * factor ** math.floor(t / every)
        g = sgrad(pr, w, t, sample_id(seed, t))
        w, w_prev = w - step * g + beta * (w - w_prev), w
        ws.append(w.copy())
    return np.array(ws)


def numpy_top_k(v, k):
    order = sorted(range(v.size), key=lambda i: (-abs(v[i]), i))[:k]
    out = np.zeros_like(v)
    out[order] = v[order]
    return out


def numpy_ef21(pr, gamma, k, n_workers, n):
    x = pr.x0.copy()
    gi = [sgrad(pr, x, 0, i) for i in range(n_workers)]
    xs = [x.copy()]
    for t in range(n):
        x = x - gamma * np.mean(gi, axis=0)
        gi = [g + numpy_top_k(sgrad(pr, x, 0, i) - g, k) for i, g in enumerate(gi)]
        xs.append(x.copy())
    return np.array(xs)


def test_schedule_free_matches_numpy():
    pr = quad_heavy_tail(d=5, kappa=10, nu=3.0, seed=2)
    for beta in (0.0, 0.5, 0.9, 1.0):
        tr = run(pr, "schedule-free-sgd", {"step": 0.05, "beta": beta}, checkpoints=np.arange(41),
                 seed=11)
        ref = numpy_schedule_free(pr, 0.05, beta, 40, 11)
        assert np.allclose(tr.points["last"], ref, rtol=1e-12, atol=1e-12)


def test_schedule_free_beta0_is_averaged_sgd():
    # beta = 0: z is plain SGD from x0 and x_k = mean(z_0..z_k) = (k avg_k + z_k)/(k+1), where
    # avg_k = mean of the first k SGD iterates recorded by the sgd kernel (same random stream)
    pr = shb_anisotropic(d=6, kappa=10, sigma=1.0, batch=1)
    ks = np.arange(31)
    sf = run(pr, "schedule-free-sgd", {"step": 0.3, "beta": 0.0}, checkpoints=ks, seed=4)
    sg = run(pr, "sgd", {"step": 0.3}, checkpoints=ks, seed=4)
    assert np.array_equal(sf.points["z"], sg.points["last"])
    expect = (ks[:, None] * sg.points["avg"] + sg.points["last"]) / (ks[:, None] + 1)
    assert np.allclose(sf.points["last"], expect, rtol=1e-12, atol=1e-13)


def test_clipped_sgd_matches_numpy_and_tail_average():
    pr = quad_heavy_tail(d=3, kappa=5, nu=1.8, seed=0)
    n, t0 = 60, 25
    tr = run(pr, "clipped-sgd", {"step": 0.1, "clip": 2.0, "clip_rate": 0.01, "tail_start": t0},
             checkpoints=np.arange(n + 1), seed=3)
    xs, tail = numpy_clipped(pr, 0.1, 2.0, 0.01, n, 3, t0)
    assert np.allclose(tr.points["last"], xs, rtol=1e-12, atol=1e-12)
    for k in range(t0 + 1, n + 1):
        assert np.allclose(tr.points["tail"][k], tail[k - 1], rtol=1e-12, atol=1e-12)
    avg = np.cumsum(xs, axis=0)[:-1] / np.arange(1, n + 1)[:, None]
    assert np.allclose(tr.points["avg"][1:], avg, rtol=1e-12, atol=1e-12)
    assert 0 < tr.scalars["clip_fraction"][-1] < 1


def test_clipped_sgd_without_clipping_is_sgd():
    pr = quad_heavy_tail(d=4, kappa=10, nu=2.5, seed=1)
    ks = np.arange(51)
    a = run(pr, "clipped-sgd", {"step": 0.05, "clip": "1e308"}, checkpoints=ks, seed=8)
    b = run(pr, "sgd", {"step": 0.05}, checkpoints=ks, seed=8)
    assert np.array_equal(a.points["last"], b.points["last"])
    assert np.array_equal(a.points["avg"], b.points["avg"])
    assert np.all(a.scalars["clip_fraction"] == 0)


def test_clipped_sgd_inverse_sqrt_matches_numpy():
    """The ``clipped-sgd-inverse-sqrt`` row: steps gamma/sqrt(shift + t) and the clip level
    clip*exp(-clip_rate*t), against a plain loop in the kernel's order of operations; part of
    the steps are clipped, and the tail average starts at tail_start."""
    pr = quad_heavy_tail(d=3, kappa=5, nu=1.8, seed=0)
    n, t0, gamma, shift, clip, rate, seed = 60, 20, 0.3, 4.0, 2.0, 0.01, 5
    tr = run(pr, "clipped-sgd-inverse-sqrt",
             {"step": gamma, "shift": shift, "clip": clip, "clip_rate": rate, "tail_start": t0},
             checkpoints=np.arange(n + 1), seed=seed)
    x = pr.x0.copy()
    xs, n_clipped = [x.copy()], 0
    for t in range(n):
        step = gamma / math.sqrt(shift + t)
        g = sgrad(pr, x, t, sample_id(seed, t))
        lam = clip * math.exp(-rate * t)
        norm = math.sqrt(sum(gi * gi for gi in g))
        scale = lam / norm if norm > lam else 1.0
        n_clipped += norm > lam
        x = x - step * scale * g
        xs.append(x.copy())
    xs = np.array(xs)
    assert np.allclose(tr.points["last"], xs, rtol=1e-12, atol=1e-12)
    assert np.allclose(tr.points["tail"][-1], xs[t0:n].mean(axis=0), rtol=1e-12, atol=1e-13)
    assert 0 < n_clipped < n
    assert tr.scalars["clip_fraction"][-1] == n_clipped / n
    # the schedule is read: the constant-step row with the same parameters moves differently
    const = run(pr, "clipped-sgd",
                {"step": gamma, "shift": shift, "clip": clip, "clip_rate": rate, "tail_start": t0},
                checkpoints=np.arange(n + 1), seed=seed)
    assert not np.allclose(const.points["last"], xs, rtol=1e-6, atol=1e-6)


def test_clipped_sgd_bias_on_clip_bias_1d():
    # short run, step 0.05: the time average sits near 8/9, far from x* = 0 (CLAIMS.md C47)
    pr = clip_bias_1d()
    tr = run(pr, "clipped-sgd", {"step": 0.05, "clip": 1.0}, iterations=100_000, seed=0)
    assert abs(tr.points["tail"][-1, 0] - 8 / 9) < 0.02
    assert tr.scalars["clip_fraction"][-1] == pytest.approx(0.1, abs=0.01)


def test_shb_matches_numpy_and_beta0_is_step_decay_sgd():
    pr = shb_anisotropic(d=5, kappa=20, sigma=1.0, batch=4)
    ks = np.arange(41)
    tr = run(pr, "shb", {"step": 0.5, "beta": 0.7, "every": 10, "factor": 0.5},
             checkpoints=ks, seed=6)
    ref = numpy_shb(pr, 0.5, 0.7, 10, 0.5, 40, 6)
    assert np.allclose(tr.points["last"], ref, rtol=1e-12, atol=1e-12)
    a = run(pr, "shb", {"step": 0.5, "beta": 0.0, "every": 10, "factor": 0.5},
            checkpoints=ks, seed=6)
    b = run(pr, "sgd-step-decay", {"step": 0.5, "every": 10, "factor": 0.5}, checkpoints=ks,
            seed=6)
    assert np.array_equal(a.points["last"], b.points["last"])


def test_shb_noiseless_is_heavy_ball_and_accelerates():
    pr = shb_anisotropic(d=20, kappa=400, sigma=0.0)
    ks = np.arange(201)
    a = run(pr, "shb", {}, checkpoints=ks, seed=0)
    hb = run(pr, "heavy-ball", {"alpha": "1/L", "beta": "(1 - sqrt(mu/L))**2"}, checkpoints=ks)
    assert np.allclose(a.points["last"], hb.points["last"], rtol=1e-12, atol=1e-14)
    f_shb = pr.measure("f_gap", run(pr, "shb", {}, iterations=600).points["last"][-1])[0]
    f_gd = pr.measure("f_gap", run(pr, "sgd", {}, iterations=600).points["last"][-1])[0]
    assert f_shb < 1e-6 * f_gd  # 1 - 1/sqrt(kappa) per step against 1 - 1/kappa


def test_top_k_keeps_largest_with_lowest_index_ties():
    rng = np.random.default_rng(0)
    out = np.empty(9)
    for _ in range(50):
        v = rng.integers(-3, 4, 9).astype(float)
        for k in (1, 3, 9):
            top_k(v, k, out)
            assert np.array_equal(out, numpy_top_k(v, k))
            assert np.sum((out - v) ** 2) <= (1 - k / 9) * np.sum(v**2) + 1e-15


def test_ef21_matches_numpy_and_full_topk_is_gd():
    pr = ef21_quadratics(n=4, d=6, topk=2, seed=1)
    ks = np.arange(31)
    g = pr.certified["gamma_qm"]
    tr = run(pr, "ef21", {"step": g}, checkpoints=ks)
    assert np.allclose(tr.points["last"], numpy_ef21(pr, g, 2, 4, 30), rtol=1e-12, atol=1e-12)
    full = run(pr, "ef21", {"step": "1/L", "topk": 6}, checkpoints=ks)
    gd = run(pr, "gd", {"step": "1/L"}, checkpoints=ks)
    assert np.allclose(full.points["last"], gd.points["last"], rtol=1e-12, atol=1e-12)


def test_ef21_converges_and_respects_theorem_bound():
    pr = ef21_quadratics(n=10, d=20, topk=1, seed=3)
    for name in ("gamma_qm", "gamma_am"):
        tr = run(pr, "ef21", {"step": name}, iterations=3000, track=True)
        avg = tr.scalars["avg_grad_norm_sq"]
        bound = 2 * pr.Delta / (pr.certified[name] * (tr.k + 1))
        assert np.all(avg <= bound)
        assert pr.measure("grad_norm_sq", tr.points["last"])[-1] < 1e-8


def test_divergence_is_reported_and_seeds_reproduce():
    pr = shb_anisotropic(d=5, kappa=10, sigma=1.0)
    tr = run(pr, "shb", {"step": "3/L", "beta": 0.0}, iterations=5000, seed=1)
    assert tr.diverged and tr.diverged_at < 5000
    tr = run(pr, "schedule-free-sgd", {"step": "5/L", "beta": 0.0}, iterations=5000, seed=1)
    assert tr.diverged and tr.diverged_at < 5000
    ef = ef21_quadratics(n=3, d=4, topk=4, seed=0)
    tr = run(ef, "ef21", {"step": "3/L"}, iterations=5000)
    assert tr.diverged and tr.diverged_at < 5000
    for alg, params in [("schedule-free-sgd", {"step": 0.1}), ("clipped-sgd", {"clip": 1.0}),
                        ("shb", {})]:
        a = run(pr, alg, params, iterations=300, seed=9)
        b = run(pr, alg, params, iterations=300, seed=9)
        c = run(pr, alg, params, iterations=300, seed=10)
        assert np.array_equal(a.points["last"], b.points["last"])
        assert not np.array_equal(a.points["last"], c.points["last"])


def test_ef21_step_rule_selects_the_certified_step():
    qm = ef21_quadratics(n=3, d=5, topk=1, seed=0, step_rule="QM")
    am = ef21_quadratics(n=3, d=5, topk=1, seed=0, step_rule="AM")
    assert qm.certified["gamma"] == qm.certified["gamma_qm"] < am.certified["gamma"]
    assert am.certified["gamma"] == am.certified["gamma_am"]
    with pytest.raises(ValueError):
        ef21_quadratics(step_rule="GM")


def test_l1_regression_ball_projection_and_constants():
    from convlab.problems.stochastic import l1_regression_ball

    pr = l1_regression_ball(m=30, d=5, seed=2, radius_factor=2.0)
    r = pr.certified["radius"]
    assert r == pytest.approx(2 * np.linalg.norm(pr.xstar), rel=1e-14)
    assert pr.certified["D"] == 2 * r
    prox = pr.oracle("prox")
    out = np.empty(5)
    rng = np.random.default_rng(0)
    for _ in range(20):
        x = rng.standard_normal(5) * r
        prox(pr.A, pr.b, pr.p, x, 0.1, out)
        if np.linalg.norm(x) <= r:
            assert np.array_equal(out, x)
        else:  # the projection: on the sphere, along x
            assert np.linalg.norm(out) == pytest.approx(r, rel=1e-14)
            assert np.allclose(out, x * r / np.linalg.norm(x), rtol=1e-14)
    assert value(pr, pr.xstar) == 0.0 and np.linalg.norm(pr.xstar) < r
    with pytest.raises(ValueError):
        l1_regression_ball(radius_factor=1.0)


def test_schedule_free_converges_on_an_easy_instance():
    # noiseless well-conditioned quadratic: z converges linearly, so x (the running average of
    # the z's) has f(x_k) - f* = O(1/k^2) and falls far below f(x0) - f*
    pr = shb_anisotropic(d=10, kappa=4, sigma=0.0)
    tr = run(pr, "schedule-free-sgd", {"step": "1/L", "beta": 0.9}, iterations=2000, seed=0)
    f = pr.measure("f_gap", tr.points["last"])
    assert f[-1] < 1e-5 * f[0]
    assert f[-1] < f[len(f) // 2]


def test_heavy_tail_schedule_constants():
    pr = quad_heavy_tail(d=10, kappa=10, nu=1.8, scale=0.1, horizon=1000, alpha=1.5, delta=0.01)
    c = pr.certified
    R2 = float(pr.x0 @ pr.x0)
    B = max(2.0, 1001 ** (2 / 3) * 0.1**2 * R2 / 0.1**2)
    gamma = min(1.0, math.log(B) / (0.1 * 1001))
    assert c["B_K"] == pytest.approx(B, rel=1e-12)
    assert c["clip_step"] == pytest.approx(gamma, rel=1e-12)
    assert c["clip_rate"] == pytest.approx(gamma * 0.1 / 2, rel=1e-12)
    assert c["clip_level"] == pytest.approx(
        math.exp(-gamma * 0.1) * math.sqrt(R2) / (gamma * math.log(4 * 1001 / 0.01)), rel=1e-12)
    assert "clip_step" not in quad_heavy_tail().certified
    with pytest.raises(ValueError):
        quad_heavy_tail(alpha=2.5)
