"""Function classes: every member carries its constants (certify passes), measures have no
cancellation, a batch of members packs the same operands as members one by one, and explicit
members reproduce known worst cases."""

import numpy as np
import pytest

import convlab
from convlab.problems.function_classes import (CLASS_NAMES, FAMILIES, FunctionClass, get_class,
                                               piecewise_quadratic_1d)
from convlab.problems.registry import FAMILIES as REGISTRY, build


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.name)
def test_family_contract_and_members_certify(family):
    assert REGISTRY[family.name] is family  # registered through FAMILY_MODULES
    for seed in range(6):
        params = {**family.example, "seed": seed}
        family.validate(params)
        problem = family.build(**params)
        family.check(problem)  # a floor for every measure
        assert problem.certify() == [], (family.name, seed)
        assert np.isclose(problem.R, problem.params["R"], rtol=1e-12)


@pytest.mark.parametrize("name", CLASS_NAMES)
@pytest.mark.parametrize("d", [1, 3])
def test_random_members_certify(name, d):
    size = {"pieces": 3, "d": d, "L": 2.0, "R": 0.5}
    if name == "smooth-strongly-convex":
        size["mu"] = 0.2
    if name == "monotone-piecewise":
        size["rotate"] = True
    cls = get_class(name, **size)
    for theta in cls.random(np.random.default_rng(1), 5):
        problem = cls.member(theta)
        assert problem.certify() == []
        assert problem.L == 2.0 and np.isclose(problem.R, 0.5)
    # corners of the cube are members too (knots collapse, curvatures at their limits)
    for corner in (np.zeros(cls.n), np.ones(cls.n)):
        assert cls.member(corner).certify() == []


def test_function_values_have_no_cancellation():
    cls = get_class("smooth-convex", pieces=4, d=2, rotate=True, seed=3)
    problem = cls.member(cls.random(np.random.default_rng(0))[0])
    value = problem.oracle("value")
    assert value(problem.A, problem.b, problem.p, np.zeros(2)) == 0.0
    tiny = np.array([1e-160, -3e-160])  # f - f* ~ 1e-320 is still resolved, not rounded to 0
    assert 0.0 < value(problem.A, problem.b, problem.p, tiny) < 1e-300
    assert problem.floor("f_gap") < 1e-300


def test_batch_operands_equal_single_members():
    cls = get_class("monotone-piecewise", pieces=2, d=3, seed=1)
    thetas = cls.random(np.random.default_rng(2), 4)
    ops = cls.operands(thetas)
    for i, theta in enumerate(thetas):
        one = cls.member(theta)
        assert np.array_equal(ops.P[i], one.p) and np.array_equal(ops.X0[i], one.x0)


def test_explicit_huber_member_reproduces_gd_worst_case():
    N = 10
    delta = 1 / (2 * N + 1)
    problem = piecewise_quadratic_1d(([delta], [1.0, 0.0]), ([delta], [1.0, 0.0]), x0=1.0, L=1.0)
    assert problem.certify() == []
    trace = convlab.run(problem, "gd", iterations=N)
    assert trace.measure("f_gap")[-1] == pytest.approx(1 / (4 * N + 2), rel=1e-14)


def test_flat_pieces_beside_the_minimiser_move_x_star():
    problem = piecewise_quadratic_1d(([0.2, 0.5], [0.0, 1.0, 0.0]), ([], [0.0]), x0=1.0, L=1.0)
    assert problem.xstar[0] == 0.2 and problem.R == pytest.approx(0.8)
    assert problem.certify() == []


def test_bad_sizes_are_refused():
    with pytest.raises(ValueError, match="mu > 0"):
        get_class("smooth-strongly-convex", mu=0.0)
    with pytest.raises(ValueError, match="unknown size"):
        get_class("smooth-convex", width=3)
    with pytest.raises(ValueError, match="parameters"):
        FunctionClass("smooth-convex", pieces=2).operands(np.zeros(3))
    with pytest.raises(convlab.InputError):
        build("smooth-convex", {"pieces": 0})
