"""Problem instances certify what they claim: constants, solutions, measures."""

import numpy as np
import pytest

from convlab import InputError, huber_1d, nesterov_chain, quadratic
from convlab.problems import build
from convlab.problems.registry import resolve_parameters


@pytest.mark.parametrize("kwargs", [
    dict(d=20, L=3.0, mu=0.01, seed=1),
    dict(d=20, L=1.0, mu=0.0, spectrum="linspace", seed=2),
    dict(d=8, L=100.0, mu=1.0, spectrum="two-mode", rotate=False, x0="two-mode"),
    dict(d=12, L=2.0, mu=0.5, xstar="random", fstar=-3.0, R=2.5),
])
def test_quadratic_constants_and_solution(kwargs):
    pr = quadratic(**kwargs)
    eig = np.linalg.eigvalsh(pr.A)
    assert eig.max() == pytest.approx(pr.L, rel=1e-12)
    assert eig.min() == pytest.approx(pr.mu, abs=1e-12 * pr.L)
    g = np.empty(pr.dim)
    pr.grad(pr.A, pr.b, pr.p, pr.xstar, g)
    assert np.all(g == 0)
    e = pr.x0 - pr.xstar
    assert pr.f0_gap == pytest.approx(0.5 * e @ pr.A @ e, rel=1e-12)
    if kwargs.get("R"):
        assert pr.R == pytest.approx(kwargs["R"], rel=1e-12)


def test_quadratic_with_flat_directions_projects_the_start():
    pr = quadratic(d=10, L=1.0, mu=0.0, spectrum="linspace", seed=0)
    # x0 - x* has no component on the null space, so R is the distance to the solution set
    null = np.linalg.eigh(pr.A)[1][:, 0]
    assert abs(null @ (pr.x0 - pr.xstar)) < 1e-12


def test_two_mode_start_has_equal_components():
    pr = quadratic(d=10, L=100.0, mu=1.0, spectrum="two-mode", rotate=False, x0="two-mode")
    assert pr.x0[0] == 1.0 and pr.x0[-1] == 1.0 and np.all(pr.x0[1:-1] == 0)


def test_nesterov_chain_certificates():
    for m, L in [(1, 1.0), (21, 2.0), (401, 1.0)]:
        pr = nesterov_chain(m=m, L=L)
        g = np.empty(m)
        pr.grad(pr.A, pr.b, pr.p, pr.xstar, g)
        assert np.max(np.abs(g)) < 1e-14 * L
        assert pr.R**2 == pytest.approx(m * (2 * m + 1) / (6 * (m + 1)), rel=1e-12)
        # f(0) - f* from the closed form f* = (L/8)(1/(m+1) - 1) and f(0) = 0
        assert pr.f0_gap == pytest.approx(-pr.fstar, rel=1e-12)
        eig = np.linalg.eigvalsh(pr.A)
        assert eig.max() < L and eig.min() == pytest.approx(pr.mu, rel=1e-8)


def test_huber_values_and_constants():
    pr = huber_1d(delta=0.1, L=2.0, R=1.5)
    assert pr.x0[0] == 1.5 and pr.fstar == 0 and pr.R == 1.5
    for x, f in [(0.05, 0.5 * 2 * 0.05**2), (-1.0, 2 * 0.1 * 1.0 - 2 * 0.01 / 2)]:
        assert pr.gap(pr.A, pr.b, pr.p, np.array([x])) == pytest.approx(f, rel=1e-14)
    assert pr.f0_gap == pytest.approx(2 * 0.1 * 1.5 - 0.01, rel=1e-14)


def test_problem_refuses_inconsistent_constants():
    with pytest.raises(ValueError, match="mu"):
        quadratic(d=3, L=1.0, mu=2.0)
    with pytest.raises(ValueError):
        huber_1d(delta=-1.0)


def test_parameters_may_be_expressions_of_the_horizon():
    values = resolve_parameters("huber-1d", {"L": 1.0, "R": 2.0, "delta": "R/(2*N+1)"}, {"N": 10})
    assert values == {"L": 1.0, "R": 2.0, "delta": pytest.approx(2.0 / 21)}
    pr = build("nesterov-chain", {"m": "2*N+1"}, {"N": 5})
    assert pr.dim == 11


@pytest.mark.parametrize("family, raw, match", [
    ("quadratik", {}, "did you mean 'quadratic'"),
    ("quadratic", {"sede": 3}, "did you mean 'seed'"),
    ("huber-1d", {}, "needs parameter"),
    ("huber-1d", {"delta": "R/(2*N+1)"}, "unknown or circular"),
    ("quadratic", {"d": 2.5}, "integer"),
    ("quadratic", {"rotate": "yes"}, "bool"),
    ("quadratic", {"mu": 5.0}, "mu"),
])
def test_bad_instance_parameters(family, raw, match):
    with pytest.raises(InputError, match=match):
        build(family, raw)


def test_registry_names_are_unique():
    import importlib

    import convlab.problems.registry as registry

    declared = [family.name for module in registry.FAMILY_MODULES
                for family in importlib.import_module(f"convlab.problems.{module}").FAMILIES]
    assert len(declared) == len(set(declared)), "a family is declared twice"


def test_certify_catches_a_wrong_constant():
    import dataclasses

    problem = quadratic(d=5, L=1.0, mu=0.1, seed=3)
    assert problem.certify() == []
    assert any("faster than L" in f for f in dataclasses.replace(problem, L=0.5).certify())
    shifted = dataclasses.replace(problem, b=problem.b + 0.1)  # x* no longer the minimiser
    assert shifted.certify() != []


def test_verify_refuses_an_instance_that_fails_its_check(tmp_path, monkeypatch):
    import textwrap

    from convlab.claims import load_file
    from convlab.problems.base import Problem
    from convlab.verify import verify_claim

    path = tmp_path / "c.toml"
    path.write_text(textwrap.dedent("""
        [[claim]]
        id = "c"
        source = "s"
        algorithm = "gd"
        instances = [{ name = "q", family = "quadratic", d = 3 }]
        measure = "f_gap"
        bound = "L*R**2/(2*k)"
        kind = "upper"
        mode = "anytime"
        expected = "consistent"
    """))
    (claim,), _ = load_file(path, instances={})
    monkeypatch.setattr(Problem, "certify", lambda self, **kw: ["L is wrong"])
    outcome = verify_claim(claim, claim.instances[0])
    assert outcome.check is None and "fails the check of its certified constants" in str(
        outcome.error)


@pytest.mark.parametrize("family", sorted(__import__("convlab").FAMILIES))
def test_every_family_strategy_draws_instances_that_pass_their_own_check(family):
    from hypothesis import HealthCheck, given, settings

    from convlab.strategies import instances

    @settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck))
    @given(instances(family))
    def check(problem):
        assert problem.family == family
        assert problem.certify() == []

    check()


def test_huber_and_ridge_logistic_regression():
    import numpy as np

    from convlab.problems.registry import build

    rng = np.random.default_rng(5)
    hub = build("huber-regression", {"n": 60, "d": 8, "delta": 0.3, "seed": 2})
    rid = build("ridge-logistic", {"n": 80, "d": 6, "lam": 0.05, "seed": 2})

    def f_hub(x):
        r = hub.A @ x - hub.b[:60]
        a = np.abs(r)
        return float(np.mean(np.where(a <= 0.3, 0.5 * r * r, 0.3 * (a - 0.15))))

    def f_rid(x):
        return float(np.mean(np.logaddexp(0.0, -rid.A @ x)) + 0.025 * x @ x) - rid.fstar

    for pr, f in ((hub, f_hub), (rid, f_rid)):
        g, gy = np.empty(pr.dim), np.empty(pr.dim)
        for _ in range(5):
            x = pr.xstar + rng.standard_normal(pr.dim)
            y = pr.xstar + rng.standard_normal(pr.dim)
            assert pr.gap(pr.A, pr.b, pr.p, x) == pytest.approx(f(x), rel=1e-9, abs=1e-14)
            pr.grad(pr.A, pr.b, pr.p, x, g)
            pr.grad(pr.A, pr.b, pr.p, y, gy)
            fd = [(f(x + 1e-6 * e) - f(x - 1e-6 * e)) / 2e-6 for e in np.eye(pr.dim)]
            np.testing.assert_allclose(g, fd, atol=1e-6)
            assert np.linalg.norm(g - gy) <= pr.L * np.linalg.norm(x - y) * (1 + 1e-12)
            gap = f(y) - f(x) - g @ (y - x)
            assert gap >= 0.5 * pr.mu * np.sum((y - x) ** 2) * (1 - 1e-9) - 1e-12
        assert pr.certify() == []
    # f - f* stays exact near x*: far below 1e-16 |f*|
    near = rid.xstar + 1e-9 * rng.standard_normal(rid.dim)
    assert 0 < rid.gap(rid.A, rid.b, rid.p, near) < 1e-17
    with pytest.raises(ValueError):
        build("huber-regression", {"n": 3, "d": 8})
    with pytest.raises(InputError):
        build("ridge-logistic", {"lam": -1.0})
