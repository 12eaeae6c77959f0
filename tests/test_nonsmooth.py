"""Weakly convex and nonsmooth convex section (CLAIMS.md 5.5-5.6): families P09, P11-P14, the
subgradient / mirror-descent kernels and the weakly convex model-based kernels.

Families: certified constants on drawn points, the stated solution, oracles against finite
differences and brute force. Kernels: against plain numpy re-implementations (1e-12; stochastic
kernels with the same random stream), metamorphic relations, a convergence sanity check,
divergence reported by status, reproducibility.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog, minimize_scalar

from convlab.runtime.random import normal, randint, sample_id, uniform
from convlab.problems.base import Problem
from convlab.problems.nonsmooth import (absquad_prox1, cos_box, cos_prox1, l1_regression,
                                        l1_ridge_ball, maxaffine_simplex, wc_absquad_box)
from convlab.problems.registry import build
from convlab.run import run

FAST = settings(max_examples=12, deadline=None)
seeds = st.integers(0, 2**31 - 1)


def _call(pr: Problem, kind: str, x, *args):
    fn = pr.oracle(kind)
    x = np.ascontiguousarray(x, dtype=float)
    if kind == "value":
        return fn(pr.A, pr.b, pr.p, x)
    out = np.empty(pr.dim)
    fn(pr.A, pr.b, pr.p, x, *args, out)
    return out


def _fd_grad(f, x, h=1e-6):
    g = np.empty_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e[i] = h
        g[i] = (f(x + e) - f(x - e)) / (2 * h)
    return g


# ---------------------------------------------------------------------------------------------
# P09 wc-absquad-box
# ---------------------------------------------------------------------------------------------

def _brute_absquad_prox1(z, lam, lo=-2.0, hi=2.0):
    """Minimise |y^2 - 1| + (y - z)^2/(2 lam) over [lo, hi] piece by piece with scipy."""
    h = lambda y: abs(y * y - 1.0) + (y - z) ** 2 / (2 * lam)  # noqa: E731
    best = None
    for a, b in ((lo, -1.0), (-1.0, 1.0), (1.0, hi)):
        r = minimize_scalar(h, bounds=(a, b), method="bounded", options={"xatol": 1e-12})
        for y in (r.x, a, b):
            if best is None or h(y) < h(best):
                best = y
    return best, h


@FAST
@given(z=st.floats(-4, 4), lam=st.floats(0.01, 0.49))
def test_absquad_prox_matches_brute_force(z, lam):
    y = absquad_prox1(z, lam, -2.0, 2.0)
    yb, h = _brute_absquad_prox1(z, lam)
    assert -2.0 <= y <= 2.0
    assert h(y) <= h(yb) + 1e-12
    # strongly convex with modulus 1/lam - 2 > 0: if y is the minimiser, the brute-force point
    # obeys h(yb) - h(y) >= (1/lam - 2)/2 |yb - y|^2 (up to the rounding of the two h values)
    kappa = 1 / lam - 2
    gap = max(h(yb) - h(y), 0.0) + 4e-16 * abs(h(y))
    assert abs(y - yb) <= math.sqrt(2 * gap / kappa)
    assert absquad_prox1(z, 0.0, -2.0, 2.0) == min(max(z, -2.0), 2.0)


@FAST
@given(seed=seeds, d=st.integers(1, 12), noise=st.floats(0.0, 3.0))
def test_absquad_family_constants(seed, d, noise):
    pr = wc_absquad_box(d=d, noise=noise, seed=seed)
    rng = np.random.default_rng(seed)
    rho = pr.certified["rho"]
    assert rho == 2.0
    for _ in range(5):
        x, y = rng.uniform(-2, 2, size=(2, d))
        gx = _call(pr, "grad", x)
        fx, fy = _call(pr, "value", x), _call(pr, "value", y)
        # rho-weak convexity: f(y) >= f(x) + <g, y - x> - rho/2 ||y - x||^2
        assert fy >= fx + gx @ (y - x) - rho / 2 * (y - x) @ (y - x) - 1e-12
        assert gx @ gx <= 16 * d + 1e-9
        # the value oracle is phi - min phi = sum |x^2 - 1| (direct formula)
        assert fx == pytest.approx(np.sum(np.abs(x * x - 1)), rel=1e-13, abs=1e-15)
        # finite differences away from the kinks
        if np.min(np.abs(np.abs(x) - 1)) > 1e-3:
            fd = _fd_grad(lambda u: _call(pr, "value", u), x)
            assert np.allclose(fd, gx, atol=1e-6)
        # the stochastic oracle adds noise * N(0, 1) with counter j = i
        s = int(rng.integers(0, 2**62))
        G = _call(pr, "sgrad", x, 3, s)
        assert np.allclose(G - gx, [noise * normal(s, i) for i in range(d)], atol=1e-12)
    assert pr.certified["Lg_sq"] == pytest.approx(16 * d + d * noise**2)
    # x* = the sign vector nearest x0 is a global minimiser (value 0), in the box
    assert _call(pr, "value", pr.xstar) == 0.0
    assert np.all(np.abs(pr.xstar) == 1) and np.all(np.sign(pr.x0) == pr.xstar)
    # env0 = phi_lambda(x0), lambda = 1/(2 rho), by brute force per coordinate
    lam = 1 / (2 * rho)
    env = sum(h(y) for y, h in (_brute_absquad_prox1(z, lam) for z in pr.x0))
    assert pr.certified["env0"] == pytest.approx(env, rel=1e-9)


def test_absquad_invalid():
    for kw in (dict(d=0), dict(noise=-1.0), dict(box=0.5), dict(d=2.5)):
        with pytest.raises(ValueError):
            wc_absquad_box(**kw)


def test_moreau_measure_definition():
    pr = wc_absquad_box(d=5, seed=3)
    X = np.random.default_rng(0).uniform(-2, 2, size=(4, 5))
    lam = 1 / (2 * pr.certified["rho"])
    Y = np.array([[absquad_prox1(z, lam, -2.0, 2.0) for z in x] for x in X])
    want = np.sum(((X - Y) / lam) ** 2, axis=1)
    assert np.allclose(pr.measure("moreau_grad_norm_sq", X), want, rtol=1e-14)
    # a minimiser is a fixed point of the prox: zero Moreau gradient
    assert pr.measure("moreau_grad_norm_sq", pr.xstar)[0] == 0.0


# ---------------------------------------------------------------------------------------------
# P11 cos-box
# ---------------------------------------------------------------------------------------------

@FAST
@given(z=st.floats(-2, 9), lam=st.floats(0.01, 0.95))
def test_cos_prox_matches_brute_force(z, lam):
    y = cos_prox1(z, lam)
    h = lambda u: math.cos(u) + (u - z) ** 2 / (2 * lam)  # noqa: E731
    r = minimize_scalar(h, bounds=(0, 2 * math.pi), method="bounded", options={"xatol": 1e-12})
    yb = min((r.x, 0.0, 2 * math.pi), key=h)
    assert 0.0 <= y <= 2 * math.pi
    assert h(y) <= h(yb) + 1e-13
    kappa = 1 / lam - 1  # strong convexity modulus of h (h values rounded to 4e-16 |h|)
    gap = max(h(yb) - h(y), 0.0) + 4e-16 * abs(h(y))
    assert abs(y - yb) <= math.sqrt(2 * gap / kappa)
    if 0 < y < 2 * math.pi:  # interior: the stationarity equation holds to rounding
        assert abs(-math.sin(y) + (y - z) / lam) <= 1e-12 * (1 + abs(z) / lam)


@FAST
@given(seed=seeds, d=st.integers(1, 12))
def test_cos_family_constants(seed, d):
    pr = cos_box(d=d, seed=seed)
    rng = np.random.default_rng(seed)
    for _ in range(5):
        x, y = rng.uniform(0, 2 * math.pi, size=(2, d))
        gx, gy = _call(pr, "grad", x), _call(pr, "grad", y)
        assert np.linalg.norm(gx - gy) <= pr.L * np.linalg.norm(x - y) * (1 + 1e-12)
        assert _call(pr, "value", x) == pytest.approx(np.sum(np.cos(x)) + d, abs=1e-12)
        assert np.allclose(_fd_grad(lambda u: _call(pr, "value", u), x), gx, atol=1e-7)
        assert gx @ gx + d * pr.params["noise"] ** 2 <= pr.certified["Lg_sq"] + 1e-12
    assert _call(pr, "value", pr.xstar) == pytest.approx(0.0, abs=1e-30)
    assert np.allclose(_call(pr, "grad", pr.xstar), 0.0, atol=1e-15)
    assert np.all((pr.x0 >= 0) & (pr.x0 <= 2 * math.pi))


def test_cos_invalid():
    for kw in (dict(d=0), dict(noise=float("nan"))):
        with pytest.raises(ValueError):
            cos_box(**kw)


# ---------------------------------------------------------------------------------------------
# P12 l1-regression, P13 l1-ridge-ball, P14 maxaffine-simplex
# ---------------------------------------------------------------------------------------------

@FAST
@given(seed=seeds, d=st.integers(1, 8), extra=st.integers(1, 20))
def test_l1_regression(seed, d, extra):
    m = d + extra
    pr = l1_regression(m=m, d=d, seed=seed)
    rng = np.random.default_rng(seed)
    A, xs = pr.A, pr.xstar
    assert _call(pr, "value", xs) == 0.0
    for _ in range(5):
        x, y = rng.standard_normal((2, d)) * 3
        g = _call(pr, "grad", x)
        f = lambda u: np.sum(np.abs(A @ u - A @ xs)) / m  # noqa: E731
        assert _call(pr, "value", x) == pytest.approx(f(x), rel=1e-12)
        assert f(y) >= f(x) + g @ (y - x) - 1e-12  # subgradient inequality
        assert np.linalg.norm(g) <= pr.certified["G"] * (1 + 1e-12)
        assert np.allclose(_fd_grad(f, x), g, atol=1e-6)
        s = int(rng.integers(0, 2**62))
        r = randint(s, 0, m)
        G = _call(pr, "sgrad", x, 0, s)
        assert np.array_equal(G, np.sign(A[r] @ (x - xs)) * A[r])
        assert np.linalg.norm(G) <= pr.certified["G_stoch"] * (1 + 1e-12)


def test_l1_regression_invalid():
    for kw in (dict(m=5, d=5), dict(m=0, d=1), dict(d=0)):
        with pytest.raises(ValueError):
            l1_regression(**kw)


@FAST
@given(seed=seeds, d=st.integers(1, 25), mu=st.floats(0.1, 5.0))
def test_l1_ridge_ball(seed, d, mu):
    pr = l1_ridge_ball(d=d, mu=mu, seed=seed)
    c = pr.b
    f = lambda u: np.sum(np.abs(u - c)) + 0.5 * mu * u @ u  # noqa: E731
    xs = pr.xstar
    # optimality per coordinate: 0 in sign(x* - c) + mu x*, and x* in the ball
    for i in range(d):
        if xs[i] == c[i]:
            assert abs(mu * xs[i]) <= 1 + 1e-15
        else:
            assert np.sign(xs[i] - c[i]) + mu * xs[i] == pytest.approx(0, abs=1e-15)
    assert np.linalg.norm(xs) <= pr.certified["radius"] * (1 + 1e-15)
    assert pr.fstar == pytest.approx(f(xs), rel=1e-15)
    rng = np.random.default_rng(seed)
    for _ in range(5):
        x, y = rng.standard_normal((2, d)) * 2
        x = _call(pr, "prox", x, 1.0)
        y = _call(pr, "prox", y, 1.0)
        g = _call(pr, "grad", x)
        assert f(y) >= f(x) + g @ (y - x) + mu / 2 * (y - x) @ (y - x) - 1e-10
        assert np.linalg.norm(g) <= pr.certified["G"] * (1 + 1e-12)
        assert _call(pr, "value", x) == pytest.approx(f(x) - pr.fstar, rel=1e-9, abs=1e-12)
        # small perturbations: the cancellation-free value oracle stays exact relative to itself
        e = rng.standard_normal(d) * 1e-9
        v = _call(pr, "value", xs + e)
        assert v >= 0 and v <= 2 * np.abs(e).sum() + mu * np.abs(xs).sum() * 1e-9 + 1e-15
    z = rng.standard_normal(d) * 10
    pz = _call(pr, "prox", z, 0.3)
    r = pr.certified["radius"]
    want = z if np.linalg.norm(z) <= r else z * (r / np.linalg.norm(z))
    assert np.allclose(pz, want, rtol=1e-15)


def test_l1_ridge_invalid():
    for kw in (dict(mu=0.0), dict(mu=-1.0), dict(d=0)):
        with pytest.raises(ValueError):
            l1_ridge_ball(**kw)


def _numpy_simplex_projection(z):
    lo, hi = z.min() - 1, z.max()
    for _ in range(200):
        th = 0.5 * (lo + hi)
        if np.maximum(z - th, 0).sum() > 1:
            lo = th
        else:
            hi = th
    return np.maximum(z - 0.5 * (lo + hi), 0)


@FAST
@given(seed=st.integers(0, 1000), n=st.integers(2, 12), J=st.integers(1, 10))
def test_maxaffine_simplex(seed, n, J):
    pr = maxaffine_simplex(n=n, J=J, seed=seed)
    a = pr.A
    # f* against an independent LP solve (HiGHS defaults)
    c = np.r_[np.zeros(n), 1.0]
    res = linprog(c, A_ub=np.hstack([a, -np.ones((J, 1))]), b_ub=np.zeros(J),
                  A_eq=np.r_[np.ones(n), 0.0][None], b_eq=[1.0],
                  bounds=[(0, None)] * n + [(None, None)], method="highs")
    assert pr.fstar == pytest.approx(res.fun, abs=1e-8)
    assert pr.certified["fstar_gap"] <= 1e-12
    rng = np.random.default_rng(seed)
    for _ in range(5):
        z = rng.standard_normal(n)
        x = _call(pr, "prox", z, 1.0)
        assert np.allclose(x, _numpy_simplex_projection(z), atol=1e-12)
        y = _call(pr, "prox", rng.standard_normal(n), 1.0)
        assert _call(pr, "value", x) >= -pr.floor("f_gap")
        g = _call(pr, "grad", x)
        fx, fy = np.max(a @ x), np.max(a @ y)
        assert fy >= fx + g @ (y - x) - 1e-12
        assert np.max(np.abs(g)) <= pr.certified["L_inf"]
        s = _call(pr, "lmo", z)
        assert s.sum() == 1 and s @ z == z.min()


def test_maxaffine_invalid():
    for kw in (dict(n=1), dict(J=0)):
        with pytest.raises(ValueError):
            maxaffine_simplex(**kw)


# ---------------------------------------------------------------------------------------------
# Kernels against numpy references
# ---------------------------------------------------------------------------------------------

def numpy_subgradient(pr, rule, a, n):
    """Plain numpy subgradient method; returns iterates x_0..x_n and the values."""
    x = pr.x0.copy()
    xs, vs, steps = [x.copy()], [], []
    for k in range(n + 1):
        v = _call(pr, "value", x)
        vs.append(v)
        if k == n:
            break
        g = _call(pr, "grad", x)
        if rule == 0:
            step = a
        elif rule == 1:
            step = a / np.sqrt(k + 1.0)
        elif rule == 2:
            step = a * v / (g @ g) if (g @ g > 0 and v > 0) else 0.0
        else:
            step = 2.0 / (a * (k + 2.0))
        steps.append(step)
        x = _call(pr, "prox", x - step * g, step)
        xs.append(x.copy())
    return np.array(xs), np.array(vs), np.array(steps)


@pytest.mark.parametrize("alg,rule,fam,param", [
    ("subgradient", 0, "l1-regression", 0.05),
    ("subgradient-diminishing", 1, "l1-regression", 0.2),
    ("subgradient-polyak", 2, "l1-regression", 1.0),
    ("subgradient-sc", 3, "l1-ridge-ball", 1.0),
])
def test_subgradient_matches_numpy(alg, rule, fam, param):
    pr = build(fam, {"d": 6, **({"m": 15} if fam == "l1-regression" else {})})
    n = 40
    name = {0: "step", 1: "step", 2: "scale", 3: "mu"}[rule]
    tr = run(pr, alg, {name: param}, checkpoints=np.arange(n + 1))
    xs, vs, steps = numpy_subgradient(pr, rule, param, n)
    assert np.allclose(tr.points["last"], xs, rtol=1e-12, atol=1e-13)
    for k in range(1, n + 1):
        assert np.allclose(tr.points["avg"][k], xs[:k].mean(0), rtol=1e-12, atol=1e-13)
        w = np.arange(1, k + 1)
        assert np.allclose(tr.points["lin_avg"][k], w @ xs[:k] / w.sum(), rtol=1e-12, atol=1e-13)
        if steps[:k].sum() > 0:
            assert np.allclose(tr.points["wavg"][k], steps[:k] @ xs[:k] / steps[:k].sum(),
                               rtol=1e-12, atol=1e-13)
        assert tr.scalars["avg_f_gap"][k] == pytest.approx(vs[:k].mean(), rel=1e-12)
        assert tr.scalars["best_f_gap_prior"][k] == pytest.approx(vs[:k].min(), rel=1e-12)
    assert tr.scalars["avg_f_gap"][0] == vs[0]


def test_polyak_invariant_and_convergence():
    pr = l1_regression(m=60, d=10, seed=4)
    tr = run(pr, "subgradient-polyak", checkpoints=np.arange(301), track=True)
    X = tr.points["last"]
    dist2 = np.sum((X - pr.xstar) ** 2, axis=1)
    for k in range(300):
        v = _call(pr, "value", X[k])
        g = _call(pr, "grad", X[k])
        if g @ g > 0:
            assert dist2[k + 1] <= dist2[k] - v * v / (g @ g) + 1e-12 * dist2[0]
    # sharp f: the Polyak step converges fast on this easy instance
    assert tr.scalars["best_f_gap"][-1] <= 1e-10 * pr.Delta


def test_subgradient_constant_average_equals_step_weighted_average():
    pr = l1_regression(m=30, d=5, seed=1)
    tr = run(pr, "subgradient", {"step": 0.01}, iterations=200)
    assert np.allclose(tr.points["avg"][1:], tr.points["wavg"][1:], rtol=1e-12, atol=1e-14)


def test_subgradient_sc_bound_and_divergence():
    pr = l1_ridge_ball(d=20, mu=1.0, seed=0)
    tr = run(pr, "subgradient-sc", iterations=2000)
    k = tr.k[1:]
    gap = pr.measure("f_gap", tr.points["lin_avg"][1:])
    assert np.all(gap <= 2 * pr.certified["G"] ** 2 / (pr.mu * (k + 1)))
    pr12 = l1_regression(m=30, d=5, seed=1)
    bad = run(pr12, "subgradient", {"step": 1e200}, iterations=50)
    assert bad.diverged and bad.diverged_at == 1


def numpy_mirror_descent(pr, eta, n):
    x = pr.x0.copy()
    xs, vs = [x.copy()], []
    for k in range(n):
        vs.append(_call(pr, "value", x))
        g = _call(pr, "grad", x)
        w = x * np.exp(-eta * (g - g.min()))
        x = w / w.sum()
        xs.append(x.copy())
    return np.array(xs), np.array(vs)


def test_mirror_descent_matches_numpy_and_bound():
    pr = maxaffine_simplex(n=8, J=5, seed=2)
    n = 60
    tr = run(pr, "mirror-descent-entropic", {"step": 0.3}, checkpoints=np.arange(n + 1))
    xs, vs = numpy_mirror_descent(pr, 0.3, n)
    assert np.allclose(tr.points["last"], xs, rtol=1e-12, atol=1e-14)
    for k in (1, 7, n):
        assert np.allclose(tr.points["avg"][k], xs[:k].mean(0), rtol=1e-12)
        assert tr.scalars["avg_f_gap"][k] == pytest.approx(vs[:k].mean(), rel=1e-11)
    # Bubeck Thm 4.2 at a horizon t, with its step
    t = 400
    tr = run(pr, "mirror-descent-entropic", checkpoints=np.array([t]))
    bound = pr.certified["L_inf"] * math.sqrt(2 * math.log(8) / t)
    assert tr.scalars["avg_f_gap"][-1] <= bound
    assert pr.measure("f_gap", tr.points["avg"])[-1] <= bound


def numpy_wc(pr, variant, alpha, lam, n, seed):
    """Numpy model-based method with the same random stream (compiled sample_id and normal)."""
    d = pr.dim
    x = pr.x0.copy()
    xs, m2, stars = [x.copy()], [], []
    noise = pr.params["noise"]
    t_star = 0
    for t in range(n + 1):
        q = _call(pr, "prox", x, lam)
        m2.append(np.sum(((x - q) / lam) ** 2))
        # reservoir draw of t* with P(t* = i) = alpha_i / sum alpha (constant alpha: uniform)
        if t > 0 and uniform(sample_id(seed, t), 1_000_003) * (alpha * (t + 1)) < alpha:
            t_star = t
        stars.append(t_star)
        if t == n:
            break
        s = sample_id(seed, t)
        e = np.array([noise * normal(s, i) for i in range(d)])
        g = _call(pr, "grad", x)
        if variant == 0:
            x = _call(pr, "prox", x - alpha * (g + e), 0.0)
        else:
            x = _call(pr, "prox", x - alpha * e, alpha)
        xs.append(x.copy())
    return np.array(xs), np.array(m2), np.array(stars)


@pytest.mark.parametrize("alg,variant,fam", [
    ("wc-prox-subgradient", 0, "wc-absquad-box"),
    ("wc-stoch-prox-point", 1, "wc-absquad-box"),
    ("wc-projected-sgd", 0, "cos-box"),
])
def test_wc_kernels_match_numpy(alg, variant, fam):
    pr = build(fam, {"d": 4, "seed": 5})
    n, alpha, seed = 60, 0.05, 11
    lam = 0.5 / pr.certified["rho"]
    tr = run(pr, alg, {"step": alpha}, checkpoints=np.arange(n + 1), seed=seed)
    xs, m2, stars = numpy_wc(pr, variant, alpha, lam, n, seed)
    assert np.allclose(tr.points["last"], xs, rtol=1e-12, atol=1e-13)
    assert np.array_equal(tr.scalars["t_star"], stars)
    assert np.array_equal(tr.points["sampled"], xs[stars])
    for k in (0, 1, 10, n):
        assert tr.scalars["moreau_avg"][k] == pytest.approx(m2[:k + 1].mean(), rel=1e-11,
                                                            abs=1e-300)
        assert tr.scalars["moreau_min"][k] == pytest.approx(m2[:k + 1].min(), rel=1e-11, abs=1e-300)
    # the kernel's running Moreau average agrees with the problem's Python measure
    meas = pr.measure("moreau_grad_norm_sq", tr.points["last"])
    assert np.allclose(np.cumsum(meas) / np.arange(1, n + 2), tr.scalars["moreau_avg"],
                       rtol=1e-11, atol=1e-300)
    # same seed, same trace; another seed, another trace
    again = run(pr, alg, {"step": alpha}, checkpoints=np.arange(n + 1), seed=seed)
    assert np.array_equal(again.points["last"], tr.points["last"])
    other = run(pr, alg, {"step": alpha}, checkpoints=np.arange(n + 1), seed=seed + 1)
    assert not np.array_equal(other.points["last"], tr.points["last"])


def test_wc_noiseless_methods_coincide_with_deterministic_references():
    # noise 0: the stochastic proximal point is the exact proximal point method
    pr = wc_absquad_box(d=3, noise=0.0, seed=7)
    alpha = 0.1
    tr = run(pr, "wc-stoch-prox-point", {"step": alpha}, checkpoints=np.arange(20), seed=3)
    x = pr.x0.copy()
    for k in range(1, 20):
        x = np.array([absquad_prox1(z, alpha, -2.0, 2.0) for z in x])
        assert np.array_equal(tr.points["last"][k], x)
    # the proximal point method decreases phi monotonically and reaches the sharp minimum
    vals = pr.measure("f_gap", tr.points["last"])
    assert np.all(np.diff(vals) <= 1e-15) and vals[-1] == 0.0


def test_wc_convergence_sanity():
    pr = wc_absquad_box(d=10, noise=1.0, seed=0)
    tr = run(pr, "wc-prox-subgradient", {"step": 0.01}, iterations=3000, seed=0)
    m = tr.scalars["moreau_avg"]
    assert m[-1] < 0.3 * m[0]
    assert pr.measure("moreau_grad_norm_sq", tr.points["last"])[-1] < 1e-2 * m[0]
    # divergence is a status, not an exception (unconstrained l1-regression: prox(., 0) = id)
    bad = run(l1_regression(m=20, d=4), "wc-prox-subgradient", {"step": 1e200, "lam": 1.0},
              iterations=10, seed=0)
    assert bad.diverged and bad.diverged_at == 1


def test_wc_sampled_output_is_uniform_over_iterates():
    # constant step: t* is uniform on 0..T (P(t* = t) = alpha_t / sum alpha); chi-square test
    from scipy.stats import chisquare

    pr = wc_absquad_box(d=2, seed=0)
    T, n_seeds = 9, 1000
    counts = np.zeros(T + 1)
    for seed in range(n_seeds):
        tr = run(pr, "wc-prox-subgradient", {"step": 0.01}, checkpoints=np.array([T]), seed=seed)
        counts[int(tr.scalars["t_star"][-1])] += 1
    assert chisquare(counts).pvalue > 1e-4
