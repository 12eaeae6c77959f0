"""Stochastic, scaling and stability claims: the statistics and the verify modes end to end."""

import textwrap

import numpy as np
import pytest

from convlab.claims import load_file
from convlab.rates.statistics import seed_statistic
from convlab.verify import verify_claim


def _claims(tmp_path, body: str):
    path = tmp_path / "claims.toml"
    path.write_text(textwrap.dedent(body))
    claims, errors = load_file(path, instances={})
    assert not errors, [str(e) for e in errors]
    return claims


def _verdicts(claims):
    out = {}
    for claim in claims:
        outcome = verify_claim(claim, claim.instances[0])
        assert outcome.error is None, str(outcome.error)
        out[claim.id] = outcome
    return out


@pytest.mark.parametrize("statistic", ["mean", "quantile"])
def test_simultaneous_intervals_cover_together(statistic):
    """Over 300 repetitions, all 40 intervals cover their true values together in >= 90 %
    (skewed errors, 200 seeds: the mean's interval is skewness-corrected)."""
    rng = np.random.default_rng(7)
    m, n, reps = 40, 200, 300
    truth = 1.0 if statistic == "mean" else -np.log(1 - 0.8)  # Exp(1): mean 1, q0.8 = ln 5
    hits = 0
    for _ in range(reps):
        E = rng.exponential(size=(n, m))
        s = seed_statistic(E, statistic, quantile=0.8)
        hits += bool(np.all((s.low <= truth) & (truth <= s.high)))
    assert hits / reps >= 0.90


def test_quantile_interval_is_made_of_order_statistics():
    E = np.arange(100.0)[:, None] * np.ones((1, 3))
    s = seed_statistic(E, "quantile", quantile=0.5)
    assert np.all(np.isin(s.low, E[:, 0])) and np.all(np.isin(s.high, E[:, 0]))
    assert np.all(s.low < s.value) and np.all(s.value < s.high)


SGD_EXACT = """
    [[claim]]
    id = "{id}"
    source = "derived: SGD on a 1-D quadratic with additive Gaussian noise"
    algorithm = "sgd"
    params = {{ step = "0.5/L" }}
    instances = [{{ name = "q1", family = "quadratic", d = 1, L = 1.0, mu = 1.0, noise = 0.3, seed = 2 }}]
    measure = "f_gap"
    bound = "{scale}*0.5*L*(0.25**k*R**2 + 0.25*noise**2*(1 - 0.25**k)/0.75)"
    kind = "{kind}"
    mode = "anytime"
    iterations = 60
    seeds = 2000
    band = [0.75, 1.25]
    expected = "tight"
"""


def test_seeds_exact_expectation_is_tight_and_a_smaller_bound_violated(tmp_path):
    # E f(x_k) = (L/2) E x_k^2 with x_{k+1} = (1 - h L) x_k - h s xi: exactly the bound below
    body = (SGD_EXACT.format(id="exact", scale="1.0", kind="tight")
            + SGD_EXACT.format(id="too-small", scale="0.7", kind="upper"))
    out = _verdicts(_claims(tmp_path, body))
    assert out["exact"].verdict == "tight", out["exact"].summary
    assert out["exact"].evidence["seeds"] == 2000
    assert out["too-small"].verdict == "violated", out["too-small"].summary


SCALING = """
    [[claim]]
    id = "{id}"
    source = "Nesterov (2004), Thm 2.1.15: GD needs about kappa ln(1/eps) iterations"
    algorithm = "gd"
    instances = [{{ name = "qk", family = "quadratic", d = 10, L = 1.0, mu = "1/kap", x0 = "mu-mode", seed = 1 }}]
    measure = "dist"
    kind = "scaling"
    sweep = {{ name = "kap", values = [30, 100, 300, 1000, 3000] }}
    target = "1e-6*R"
    bound = "{bound}"
    mode = "anytime"
    iterations = 100000
    expected = "tight"
"""


def test_scaling_claims_fit_the_growth_exponent(tmp_path):
    body = (SCALING.format(id="linear", bound="O(kap)")
            + SCALING.format(id="sqrt", bound="O(sqrt(kap))")
            + SCALING.format(id="square", bound="O(kap**2)")
            + SCALING.format(id="exact", bound="ceil(log(1e6)/(-log(1 - 1/kap)))"))
    out = _verdicts(_claims(tmp_path, body))
    assert out["linear"].verdict == "tight", out["linear"].summary
    assert out["sqrt"].verdict == "violated", out["sqrt"].summary  # grows faster
    assert out["square"].verdict == "consistent", out["square"].summary
    # from the mu-mode, ||x_k|| = (1 - 1/kap)^k R exactly: the count is the formula's
    assert out["exact"].verdict == "tight", out["exact"].summary
    assert list(out["exact"].errors) == [np.ceil(np.log(1e6) / -np.log1p(-1 / v))
                                         for v in (30, 100, 300, 1000, 3000)]


STABILITY = """
    [[claim]]
    id = "{id}"
    source = "GD on a quadratic is stable iff step <= 2/L"
    algorithm = "gd"
    instances = [{{ name = "qs", family = "quadratic", d = 5, L = 2.0, mu = 0.1, x0 = "ones", seed = 0 }}]
    measure = "dist"
    kind = "stability"
    parameter = "step"
    bracket = ["0.5/L", "8/L"]
    bound = "{bound}"
    mode = "anytime"
    iterations = 2000
    expected = "tight"
"""


def test_stability_bisection_finds_two_over_L(tmp_path):
    body = (STABILITY.format(id="edge", bound="2/L") + STABILITY.format(id="low", bound="1/L")
            + STABILITY.format(id="high", bound="3/L"))
    out = _verdicts(_claims(tmp_path, body))
    assert out["edge"].verdict == "tight", out["edge"].summary
    ev = out["edge"].evidence
    # a run of T iterations resolves the edge to about log(e_0 / e_0 of the L-mode)/T
    assert abs(ev["largest_stable"] - 1.0) <= 1e-3
    assert out["low"].verdict == "consistent"
    assert out["high"].verdict == "violated"


def test_stability_sides_and_brackets_beyond_the_edge(tmp_path):
    body = (STABILITY.format(id="above", bound="3/L").replace(
                'bracket = ["0.5/L", "8/L"]', 'bracket = ["0.5/L", "8/L"]\nside = "unstable-above"')
            + STABILITY.format(id="all-stable", bound="0.5/L").replace(
                'bracket = ["0.5/L", "8/L"]', 'bracket = ["0.1/L", "1/L"]')
            + STABILITY.format(id="all-unstable", bound="3/L").replace(
                'bracket = ["0.5/L", "8/L"]', 'bracket = ["2.5/L", "8/L"]'))
    out = _verdicts(_claims(tmp_path, body))
    assert out["above"].verdict == "consistent", out["above"].summary   # unstable above 3/L
    assert out["all-stable"].verdict == "consistent"   # stable up to 1/L > 0.5/L
    assert out["all-unstable"].verdict == "violated"   # unstable from 2.5/L < 3/L


def test_mode_fields_are_validated(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(textwrap.dedent("""
        [[claim]]
        id = "a"
        source = "s"
        algorithm = "gd"
        instances = [{ name = "q", family = "quadratic" }]
        measure = "f_gap"
        bound = "1/k"
        kind = "upper"
        mode = "anytime"
        seeds = 10
        expected = "consistent"

        [[claim]]
        id = "b"
        source = "s"
        algorithm = "gd"
        instances = [{ name = "q", family = "quadratic" }]
        measure = "f_gap"
        bound = "2/L"
        kind = "stability"
        parameter = "momentum"
        bracket = ["1/L", "3/L"]
        mode = "anytime"
        expected = "tight"

        [[claim]]
        id = "c"
        source = "s"
        algorithm = "gd"
        instances = [{ name = "q", family = "quadratic" }]
        measure = "f_gap"
        bound = "O(kap)"
        kind = "scaling"
        sweep = { name = "kap", values = [1, 2] }
        target = "1e-3"
        mode = "anytime"
        expected = "tight"
    """))
    claims, errors = load_file(path, instances={})
    assert not claims
    fields = sorted(e.field for e in errors)
    assert fields == ["parameter", "seeds", "sweep.values"], [str(e) for e in errors]


def test_few_seeds_never_make_a_true_mean_look_exceeded():
    """With 10 seeds of skewed errors and 169 points, the lower ends stay below the true mean
    (a true upper bound is not called violated) in at least 97 % of 200 repetitions."""
    rng = np.random.default_rng(3)
    false_alarms = sum(bool(np.any(seed_statistic(rng.exponential(size=(10, 169))).low > 1.0))
                       for _ in range(200))
    assert false_alarms <= 6
