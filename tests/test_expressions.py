"""Bound and parameter expressions are parsed without executing anything."""

import math
import re

import numpy as np
import pytest

from convlab import BoundError
from convlab.rates.expressions import evaluate, is_order, parse_expression


@pytest.mark.parametrize("text, values, expected", [
    ("L*R**2/(4*k+2)", {"L": 2, "R": 3, "k": 1}, 3.0),
    ("(1-mu/L)**k * R**2", {"mu": 1, "L": 4, "k": 2, "R": 2}, 2.25),
    ("log(k)/sqrt(k)", {"k": 4}, math.log(4) / 2),
    ("2^k", {"k": 3}, 8.0),
    ("max(a, b) + min(a, b)", {"a": 1, "b": 2}, 3.0),
    ("exp(-k) + abs(-2) + pi", {"k": 0}, 3.0 + math.pi),
])
def test_evaluates_mathematics(text, values, expected):
    assert evaluate(parse_expression(text), values) == pytest.approx(expected)


def test_order_wrapper():
    expr = parse_expression("O(log(k)/sqrt(k))", allow_order=True)
    assert is_order(expr)
    assert evaluate(expr, {"k": np.array([4.0])})[0] == pytest.approx(math.log(4) / 2)
    with pytest.raises(BoundError, match="whole bound"):
        parse_expression("2*O(1/k)", allow_order=True)
    with pytest.raises(BoundError):
        parse_expression("O(1/k)")  # not allowed where a value is needed


@pytest.mark.parametrize("text", [
    "__import__('os').system('echo pwned')",
    "().__class__.__bases__[0].__subclasses__()",
    "k.real",
    "lambda: 1",
    "[k for k in range(3)]",
    "open('/etc/passwd')",
    "eval('1')",
    "exec('x=1')",
    "'a string'",
    "sqrt(x=1)",
    "k if k else 1",
    "k == 1",
    "9**9**9",
    "(10**100)**(10**3)",
    "_secret + 1",
    "",
])
def test_hostile_or_invalid_strings_are_refused(text, tmp_path):
    marker = tmp_path / "pwned"
    with pytest.raises(BoundError):
        parse_expression(text.replace("echo pwned", f"touch {marker}"))
    assert not marker.exists()


def test_unknown_symbols_are_named():
    with pytest.raises(BoundError, match="kappa"):
        evaluate(parse_expression("1/kappa"), {"L": 1.0})


def test_numbers_keep_every_bit():
    from convlab.rates.expressions import evaluate_scalar

    v = 0.1 / 112.433905911228
    assert evaluate_scalar(v, {}) == v
    assert evaluate_scalar(repr(v), {}) == v
    assert evaluate_scalar(f"{v!r}*L", {"L": 1.0}) == v


def test_zero_to_the_power_k_is_one_at_k0():
    import numpy as np

    from convlab.rates.expressions import evaluate, parse_expression

    k = np.array([0.0, 1.0, 2.0])
    assert list(evaluate(parse_expression("0**k"), {"k": k})) == [1.0, 0.0, 0.0]
    assert list(evaluate(parse_expression("(1 - L*h)**(2*k)"), {"k": k, "L": 1.0, "h": 1.0})) \
        == [1.0, 0.0, 0.0]


# Resource bounds (issue 17): every case below once raised a traceback, gave an "internal
# error" or never returned; each must now be a BoundError naming the subexpression.
@pytest.mark.parametrize("text, says", [
    ("max(0/0, 1)", "division by zero"),
    ("2**(0/0)", "division by zero"),
    ("1/0", "division by zero"),
    ("k/(2-2)", "division by zero"),
    ("log(0)", "log(0)"),
    ("sqrt(-1)*k", "sqrt(-1)"),
    ("10**300*10**300", "not finite"),
    ("floor(exp(exp(10)))", "exp(exp(10))"),
    ("floor(exp(exp(50)))", "exp(exp(50))"),
    ("exp(1e6)", "exp(1000000.0)"),
    ("1e308*10", "not finite"),
    ("(2*k)**10000", "digits"),
    ("10000**(k/999999999999999999999 + 999999999999999999999)", "digits"),
    ("(k**100)**100", "degree"),
    ("-" * 300 + "k", "nested deeper"),
    ("max(" + ", ".join(f"k+{i}" for i in range(20)) + ")", "min/max"),
])
def test_unbounded_or_non_finite_constants_are_refused(text, says):
    with pytest.raises(BoundError, match=re.escape(says)):
        parse_expression(text, allow_order=True)


def test_a_long_sum_is_one_level_deep():
    expr = parse_expression("+".join(["k"] * 999))
    assert evaluate(expr, {"k": 2.0}) == 1998.0


def test_rounding_a_constant_is_exact_away_from_integers_and_deferred_near_them():
    assert evaluate(parse_expression("floor(7/2) + ceil(7/2)"), {}) == 7.0
    assert evaluate(parse_expression("floor(pi*10**300)"), {}) == math.pi * 1e300


@pytest.mark.parametrize("text, values", [
    ("k**1.5", {"k": "text"}),
    ("k + L", {"k": np.arange(3.0), "L": np.arange(2.0)}),  # shapes that do not broadcast
])
def test_evaluation_failures_are_bound_errors(text, values):
    with pytest.raises(BoundError, match="cannot evaluate"):
        evaluate(parse_expression(text), values)
