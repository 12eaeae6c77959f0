"""The checker's mechanisms end to end (issue 15): each fails on the landed code before them.

Measured floors in every design, bounds that reach zero, plateaus after a transient, the
resolution of a tight verdict, validated tolerances, fragile verdicts, alpha spending.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

from convlab import Verdict, check_rate
from convlab.claims import load_file
from convlab.verify import verify_claim

K = np.arange(1, 2001, dtype=float)


def _claim(tmp_path, body: str):
    path = tmp_path / "claims.toml"
    path.write_text(textwrap.dedent(body))
    claims, errors = load_file(path, instances={})
    assert not errors, [str(e) for e in errors]
    return claims


def _decide(tmp_path, body: str):
    (claim,) = _claim(tmp_path, body)
    outcome = verify_claim(claim, claim.instances[0])
    assert outcome.problem_text is None, outcome.problem_text
    return outcome


# -- bounds that reach zero ---------------------------------------------------------------------

def test_a_false_finite_termination_bound_is_violated_where_it_is_zero():
    # "the error is 0 from k = 100 on": false, the error is 1/k there
    e = 1 / K
    result = check_rate(K, e, "max(0, 1/k - 1/100)*1e3", kind="upper")
    assert result.verdict == Verdict.VIOLATED
    assert result.evidence["bound_nonpositive_at"][0] == 100.0
    assert "not positive" in result.summary


def test_a_bound_zero_where_the_error_is_at_its_floor_holds():
    e = np.where(K < 100, 1 / K, 1e-300)
    result = check_rate(K, e, "max(0, 1/k - 1/100)*1e3 + 0*k", kind="upper", floor=1e-300)
    assert result.verdict == Verdict.CONSISTENT


def test_a_lower_bound_at_or_below_zero_holds():
    assert check_rate(K, 1 / K, "max(0, 1/k - 1/100)", kind="lower").verdict != \
        Verdict.VIOLATED


# -- plateaus, transients, resolution --------------------------------------------------------------

def test_a_plateau_after_a_fast_decay_fails_an_order_claim():
    e = 1 / K**2 + 1e-6  # decays like 1/k^2, then flat at 1e-6 from k ~ 1000 (above any floor)
    result = check_rate(K, e, "O(1/k**2)", kind="order", floor=1e-300)
    assert result.verdict == Verdict.VIOLATED
    assert result.evidence["preferred"] == "plateau"


def test_a_pre_asymptotic_transient_does_not_fail_a_true_order():
    k = np.arange(1, 1001, dtype=float)
    result = check_rate(k, 1 / (k + 100), "O(1/k)", kind="order")
    assert result.verdict != Verdict.VIOLATED, result.summary
    assert result.evidence["preferred"] == "transient"


@pytest.mark.parametrize("e, bound, kind, expected", [
    (1 / K, "O(k**-1.1)", "order", Verdict.VIOLATED),
    (1 / K, "O(k**-1.05)", "order", Verdict.VIOLATED),
    (K**-0.5, "O(k**-0.55)", "order", Verdict.VIOLATED),
    (K**-1.92, "O(k**-1.8)", "lower", Verdict.VIOLATED),
    (0.818**K, "O(0.805**k)", "order", Verdict.VIOLATED),
    (0.818**K, "O(0.83**k)", "order", Verdict.CONSISTENT),
    (np.log(K + 2) / K, "O(1/k)", "order", Verdict.VIOLATED),         # a missing log factor
    (1 / K, "O(log(k + 2)/k)", "order", Verdict.CONSISTENT),           # an extra one: not tight
])
def test_five_percent_and_log_factors_are_never_tight(e, bound, kind, expected):
    k = K[K <= 200] if "0.8" in bound else K
    e = e[: k.size]
    result = check_rate(k, e, bound, kind=kind)
    assert result.verdict == expected, result.summary


def test_a_tight_order_states_its_resolution_and_tolerance():
    result = check_rate(K, 3 / K, "O(1/k)", kind="order")
    assert result.verdict == Verdict.TIGHT
    assert result.evidence["order_tol"] == 0.02
    fit = result.relative_order
    assert fit.low <= 1 <= fit.high and fit.high - fit.low < 1e-6


# -- validation -------------------------------------------------------------------------------------

@pytest.mark.parametrize("field, value, message", [
    ("rtol", "inf", "finite"), ("rtol", "nan", "finite"), ("rtol", "-1e-3", ">= 0"),
    ("order_tol", "1.5", "(0, 1)"), ("order_tol", "0", "(0, 1)"),
    ("band", "[1.1, 1.2]", "around 1"), ("window", "[5, 1]", "low < high"),
])
def test_tolerances_are_validated(tmp_path, field, value, message):
    path = tmp_path / "c.toml"
    path.write_text(textwrap.dedent(f"""
        [[claim]]
        id = "c"
        source = "s"
        algorithm = "gd"
        instances = [{{ name = "q", family = "quadratic", d = 3 }}]
        measure = "f_gap"
        bound = "L*R**2/(2*k)"
        kind = "upper"
        design = "anytime"
        notes = "a reason"
        {field} = {value}
        expected = "consistent"
    """))
    claims, errors = load_file(path, instances={})
    assert not claims and len(errors) == 1
    assert errors[0].field == field and message in errors[0].message


def test_a_widened_tolerance_needs_a_reason(tmp_path):
    body = """
        [[claim]]
        id = "c"
        source = "s"
        algorithm = "gd"
        instances = [{ name = "q", family = "quadratic", d = 3 }]
        measure = "f_gap"
        bound = "O(1/k)"
        kind = "order"
        design = "anytime"
        order_tol = 0.1
        expected = "consistent"
    """
    path = tmp_path / "c.toml"
    path.write_text(textwrap.dedent(body))
    _, errors = load_file(path, instances={})
    assert errors and errors[0].field == "order_tol" and "notes" in errors[0].message
    path.write_text(textwrap.dedent(body).replace('order_tol = 0.1', 'order_tol = 0.1\nnotes = "the source states +-10 %"'))
    claims, errors = load_file(path, instances={})
    assert claims and not errors


def test_check_rate_refuses_tolerances_out_of_range():
    for kwargs in ({"rtol": float("inf")}, {"rtol": float("nan")}, {"rtol": -1.0},
                   {"order_tol": 2.0}, {"band": (1.1, 1.2)}):
        with pytest.raises(ValueError):
            check_rate(K, 1 / K, "1/k", **kwargs)


def test_a_stability_claim_with_a_zero_resolution_is_refused(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text(textwrap.dedent("""
        [[claim]]
        id = "c"
        source = "s"
        algorithm = "gd"
        instances = [{ name = "q", family = "quadratic", d = 3 }]
        measure = "dist"
        bound = "2/L"
        kind = "lower"
        design = "stability"
        parameter = "step"
        bracket = ["0.5/L", "8/L"]
        rtol = 0
        expected = "tight"
    """))
    _, errors = load_file(path, instances={})
    assert errors and errors[0].field == "rtol"


# -- floors in every design ---------------------------------------------------------------------

CG_STAGNATION = """
    [[claim]]
    id = "cg-chebyshev"
    source = "Nocedal & Wright (2006), Thm 5.5 (CG on a strongly convex quadratic)"
    algorithm = "cg"
    instances = [{ name = "q", family = "quadratic", d = 50, L = 1.0, mu = 0.01, seed = 0 }]
    measure = "f_gap"
    bound = "4*((sqrt(kappa) - 1)/(sqrt(kappa) + 1))**(2*k) * Delta"
    kind = "upper"
    design = "anytime"
    iterations = 400
    expected = "consistent"
"""


def test_an_algorithms_own_rounding_stagnation_is_cut_by_the_measured_floor(tmp_path):
    """CG with x* = 0 stagnates at its own rounding level while the true bound decays to
    1e-100: the certified floor is the underflow level, a shadow run started 4 ulps away
    measures where the trajectory is decided by rounding (finite-precision CG loses
    orthogonality: below that level two runs disagree by more than 10 %), and the bound holds."""
    outcome = _decide(tmp_path, CG_STAGNATION)
    assert outcome.verdict == "consistent", outcome.summary
    floor = outcome.evidence["floor"]
    assert floor["source"].startswith("measured") and 1e-300 < floor["value"] < 1e-6


SGD_PLATEAU = """
    [[claim]]
    id = "sgd-false-rate"
    source = "false: constant-step SGD has a stationary level, not O(1/N)"
    algorithm = "sgd"
    params = {{ step = "0.5/L" }}
    instances = [{{ name = "q", family = "quadratic", d = 4, L = 1.0, mu = 1.0, noise = 1e-8, seed = 1 }}]
    measure = "f_gap"
    seeds = 40
    bound = "O(1/N)"
    kind = "order"
    design = "{design}"
    {grid}
    expected = "violated"
"""


@pytest.mark.parametrize("design, grid", [
    ("horizon", "horizons = [10, 20, 40, 80, 160, 320, 640, 1280]"),
    ("anytime", "iterations = 1280"),
])
def test_a_real_plateau_near_1e_16_is_data_in_every_design(tmp_path, design, grid):
    """The stationary level of constant-step SGD with noise 1e-8 is about 1e-16 (f - f*
    computed without cancellation; its mean over 40 seeds): a real plateau, reproduced by the
    shadow run, never cut, in the horizon design as in the anytime one."""
    outcome = _decide(tmp_path, SGD_PLATEAU.format(design=design, grid=grid))
    assert outcome.verdict == "violated", outcome.summary
    assert outcome.evidence["floor"]["value"] < 1e-25


DESIGNS_WITHOUT_FLOORS = {
    "stability": """
        [[claim]]
        id = "gd-edge"
        source = "GD on an L-smooth quadratic is stable exactly for steps below 2/L"
        algorithm = "gd"
        instances = [{ name = "q", family = "quadratic", d = 8, L = 2.0, mu = 0.2, seed = 3 }]
        measure = "dist"
        kind = "lower"
        parameter = "step"
        bracket = ["0.25/L", "4/L"]
        bound = "2/L"
        design = "stability"
        iterations = 3000
        rtol = 0.01
        notes = "rtol 0.01: a short bisection (3,000 iterations per probe) for a fast test"
        expected = "tight"
    """,
    "scaling": """
        [[claim]]
        id = "gd-kappa"
        source = "GD with step 1/L: iterations to a target grow like kappa"
        algorithm = "gd"
        params = { step = "1/L" }
        instances = [{ name = "two-mode", family = "quadratic", d = 6, L = 1.0, mu = "1/kap", spectrum = "two-mode", rotate = false, x0 = "two-mode" }]
        measure = "f_gap"
        sweep = { name = "kap", values = [10, 20, 40, 80] }
        target = "1e-8*Delta"
        iterations = 3000
        bound = "O(kap)"
        kind = "upper"
        design = "scaling"
        expected = "consistent"
    """,
}


@pytest.mark.parametrize("design", sorted(DESIGNS_WITHOUT_FLOORS))
def test_a_design_that_never_reads_floors_makes_no_shadow_run(tmp_path, monkeypatch, design):
    """The growth of a stability probe and the crossing count of a scaling run never read the
    run's floor: no shadow run is made (Plan.floors), though these runs decay by more than
    DEEP_DECAY; the anytime claim above shows that the count sees shadow runs."""
    from convlab.designs import base

    shadows = []
    real = base.shadow_problem
    monkeypatch.setattr(base, "shadow_problem", lambda p: shadows.append(p) or real(p))
    outcome = _decide(tmp_path, DESIGNS_WITHOUT_FLOORS[design])
    assert outcome.verdict == outcome.expected, outcome.summary
    assert shadows == []
    _decide(tmp_path, CG_STAGNATION)
    assert len(shadows) >= 1


# -- robustness and looks -------------------------------------------------------------------------

def test_every_outcome_is_decided_again_on_a_thinned_design(tmp_path):
    outcome = _decide(tmp_path, CG_STAGNATION)
    assert outcome.fragile is not None and outcome.thinned_verdict is not None


def test_seed_looks_share_the_error_probability():
    from convlab.designs.seeds import ALPHA, level, possible_looks

    class Claim:
        seeds, max_seeds = 10, 80

    looks = possible_looks(Claim)
    assert looks == 4
    spent = sum(1 - level(Claim, j) for j in range(1, looks + 1))
    assert spent == pytest.approx(ALPHA)

    class Single:
        seeds, max_seeds = 10, 10

    assert level(Single, 1) == pytest.approx(1 - ALPHA)
