"""Each kernel against a plain numpy implementation of the same update, to 1e-12."""

import numpy as np
import pytest

from convlab import huber_1d, nesterov_chain, quadratic, run
from convlab.algorithms import checkpoints


def numpy_grad(problem, x):
    if problem.family == "huber-1d":
        L, delta = problem.p
        return np.where(np.abs(x) <= delta, L * x, L * delta * np.sign(x))
    return problem.A @ (x - problem.xstar)


def numpy_gap(problem, x):
    if problem.family == "huber-1d":
        L, delta = problem.p
        a = np.abs(x)
        return float(np.sum(np.where(a <= delta, 0.5 * L * a * a, L * delta * (a - 0.5 * delta))))
    e = x - problem.xstar
    return 0.5 * float(e @ problem.A @ e)


def numpy_gd(problem, h, n):
    x = problem.x0.copy()
    xs = [x.copy()]
    for _ in range(n):
        x = x - h * numpy_grad(problem, x)
        xs.append(x.copy())
    return xs


def numpy_agd(problem, h, n):
    x = problem.x0.copy()
    y = x.copy()
    t = 1.0
    xs = [x.copy()]
    for _ in range(n):
        x_new = y - h * numpy_grad(problem, y)
        t_new = (1 + np.sqrt(1 + 4 * t * t)) / 2
        y = x_new + ((t - 1) / t_new) * (x_new - x)
        x, t = x_new, t_new
        xs.append(x.copy())
    return xs


def numpy_agd_sc(problem, h, beta, n):
    x = problem.x0.copy()
    x_prev = x.copy()
    xs = [x.copy()]
    for _ in range(n):
        y = x + beta * (x - x_prev)
        x_prev, x = x, y - h * numpy_grad(problem, y)
        xs.append(x.copy())
    return xs


def numpy_heavy_ball(problem, alpha, beta, n):
    x = problem.x0.copy()
    x_prev = x.copy()
    xs = [x.copy()]
    for _ in range(n):
        x, x_prev = x - alpha * numpy_grad(problem, x) + beta * (x - x_prev), x
        xs.append(x.copy())
    return xs


def ogm_thetas(n):
    theta = [1.0]
    for k in range(1, n + 1):
        factor = 8.0 if k == n else 4.0
        theta.append((1 + np.sqrt(1 + factor * theta[-1] ** 2)) / 2)
    return theta


def numpy_ogm(problem, h, n):
    theta = ogm_thetas(n)
    x = problem.x0.copy()
    y = x.copy()
    xs = [x.copy()]
    for k in range(n):
        y_next = x - h * numpy_grad(problem, x)
        x = (y_next + (theta[k] - 1) / theta[k + 1] * (y_next - y)
             + theta[k] / theta[k + 1] * (y_next - x))
        y = y_next
        xs.append(x.copy())
    return xs


PROBLEMS = {
    "quadratic": lambda: quadratic(d=6, L=2.0, mu=0.1, seed=3, xstar="random"),
    "chain": lambda: nesterov_chain(m=7, L=1.5),
    "huber": lambda: huber_1d(delta=0.05, L=2.0, R=1.5),
    "quadratic-blas": lambda: quadratic(d=80, L=2.0, mu=0.1, seed=4, xstar="random"),
}

METHODS = {
    "gd": (lambda pr: {"step": 1.0 / pr.L}, lambda pr, p, n: numpy_gd(pr, p["step"], n)),
    "gd-long-step": (lambda pr: {"step": 1.7 / pr.L}, lambda pr, p, n: numpy_gd(pr, p["step"], n)),
    "agd": (lambda pr: {"step": 1.0 / pr.L}, lambda pr, p, n: numpy_agd(pr, p["step"], n)),
    "agd-sc": (lambda pr: {"step": 1.0 / pr.L, "beta": 0.6},
               lambda pr, p, n: numpy_agd_sc(pr, p["step"], p["beta"], n)),
    "heavy-ball": (lambda pr: {"alpha": 1.0 / pr.L, "beta": 0.5},
                   lambda pr, p, n: numpy_heavy_ball(pr, p["alpha"], p["beta"], n)),
    "ogm": (lambda pr: {"step": 1.0 / pr.L}, lambda pr, p, n: numpy_ogm(pr, p["step"], n)),
}


@pytest.mark.parametrize("problem_name", sorted(PROBLEMS))
@pytest.mark.parametrize("method", sorted(METHODS))
def test_kernel_matches_numpy(problem_name, method):
    problem = PROBLEMS[problem_name]()
    make_params, reference = METHODS[method]
    params = make_params(problem)
    algorithm = "gd" if method.startswith("gd") else method
    n = 60
    trace = run(problem, algorithm, params, iterations=n)
    xs = reference(problem, params, n)
    assert np.array_equal(trace.k, np.arange(n + 1))
    expected = {
        "f_gap": [numpy_gap(problem, x) for x in xs],
        "dist_sq": [float(np.sum((x - problem.xstar) ** 2)) for x in xs],
        "grad_norm_sq": [float(np.sum(numpy_grad(problem, x) ** 2)) for x in xs],
    }
    for name, values in expected.items():
        values = np.asarray(values)
        scale = np.max(np.abs(values))
        np.testing.assert_allclose(trace.measure(name), values, rtol=1e-12, atol=1e-12 * scale,
                                   err_msg=f"{method} on {problem_name}: {name}")


def test_huber_worst_case_is_exact():
    # Drori & Teboulle: GD(1/L) on Huber with delta = R/(2N+1) gives exactly L R^2 / (4N+2).
    for N, L, R in [(1, 1.0, 1.0), (10, 2.0, 1.5), (1000, 1.0, 1.0)]:
        problem = huber_1d(delta=R / (2 * N + 1), L=L, R=R)
        trace = run(problem, "gd", iterations=N)
        assert trace.measure("f_gap")[-1] == pytest.approx(L * R**2 / (4 * N + 2), rel=1e-12)


def test_ogm_worst_case_is_exact():
    # Kim & Fessler: OGM on Huber with delta = R/theta_N^2 gives exactly L R^2 / (2 theta_N^2).
    for N, L, R in [(1, 1.0, 1.0), (5, 2.0, 1.5), (50, 1.0, 1.0)]:
        theta_N = ogm_thetas(N)[-1]
        problem = huber_1d(delta=R / theta_N**2, L=L, R=R)
        trace = run(problem, "ogm", iterations=N)
        assert trace.measure("f_gap")[-1] == pytest.approx(L * R**2 / (2 * theta_N**2), rel=1e-12)


def test_checkpoints_schedule_is_dense_then_geometric():
    ks = checkpoints(10_000, dense=100, per_decade=40)
    assert ks[0] == 0 and ks[-1] == 10_000
    assert np.all(np.diff(ks) > 0)
    assert np.array_equal(ks[:101], np.arange(101))
    tail_ratios = ks[102:] / ks[101:-1]
    assert tail_ratios.max() < 10 ** (1 / 40) * 1.02
    assert 70 <= len(ks) - 101 <= 90  # two decades at ~40 per decade


def test_divergence_stops_the_run_with_its_iteration():
    problem = quadratic(d=5, L=1.0, mu=0.1, seed=0)
    trace = run(problem, "gd", {"step": "2.5/L"}, iterations=5000)
    assert trace.diverged
    assert trace.k[-1] == trace.diverged_at < 5000
    # the L-mode grows by |1 - 2.5| = 1.5 per step, so a coordinate passes the threshold 1e150
    # after about 150 / log10 1.5 = 852 steps; the run stops at the next checkpoint
    from convlab.runtime.jit import DIVERGENCE_THRESHOLD

    largest = np.abs(trace.points["last"]).max(axis=1)
    assert np.all(largest[:-1] <= DIVERGENCE_THRESHOLD) and largest[-1] > DIVERGENCE_THRESHOLD
    assert 800 < trace.diverged_at < 900


def test_kernel_compiles_once_for_all_problems():
    from convlab.algorithms import get_algorithm

    kernel = get_algorithm("gd").kernel.advance
    for make in PROBLEMS.values():
        run(make(), "gd", iterations=3)
    assert len(kernel.compiled.signatures) == 1


def test_seeds_in_parallel_equal_serial_runs_bit_for_bit():
    from convlab.run import run_seeds

    problem = quadratic(d=6, L=1.0, mu=0.1, seed=2, noise=0.3)
    params = {"step": 0.5, "shift": 3.0}
    parallel = run_seeds(problem, "sgd-inverse", params, seeds=range(40), iterations=300,
                         track=True)
    serial = [run(problem, "sgd-inverse", params, iterations=300, seed=s, track=True)
              for s in range(40)]
    for a, b in zip(parallel, serial):
        assert a.seed == b.seed
        for name in ("last", "avg", "wavg"):
            assert np.array_equal(a.points[name], b.points[name])
        assert np.array_equal(a.scalars["avg_grad_norm_sq"], b.scalars["avg_grad_norm_sq"])
    # different seeds see different noise
    assert not np.array_equal(parallel[0].points["last"], parallel[1].points["last"])
