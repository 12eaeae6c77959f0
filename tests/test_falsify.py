"""Falsification: a false claim's counterexample is found from random instances and shrunk; a
true claim survives the same budget."""

import math
import textwrap
from dataclasses import replace

import pytest

import convlab
from convlab.claims import load_file
from convlab.cli import main
from convlab.errors import InputError
from convlab.falsify import falsify

CLAIMS = """
[[claim]]
id = "gd-meets-accelerated-rate"
source = "negative control: GD does not attain 2 L R^2/(k+1)^2"
algorithm = "gd"
instances = [{{ name = "q", family = "quadratic", d = 10, L = 1.0, mu = 0.5, seed = 0 }}]
measure = "f_gap"
bound = "{bound}"
kind = "upper"
mode = "anytime"
iterations = 200
expected = "consistent"
search = {{ d = [1, 30], mu = [1e-6, 1.0], seed = [0, 1000], x0 = ["random", "ones"] }}
"""


def _claim(tmp_path, bound):
    path = tmp_path / "c.toml"
    path.write_text(textwrap.dedent(CLAIMS.format(bound=bound)))
    (claim,), errors = load_file(path, instances={})
    assert not errors
    return path, claim


def test_false_claim_is_falsified_and_shrunk(tmp_path):
    _, claim = _claim(tmp_path, "2*L*R**2/(k+1)**2")
    # the named instance (mu = 0.5) satisfies the bound: the violation needs a small mu
    assert falsify(claim, budget=1, space={"mu": [0.5, 0.5]}).falsified is False
    result = falsify(claim, budget=40, seed=1)
    assert result.falsified and result.ratio > 1
    assert result.params["d"] <= 3  # shrunk towards a small instance
    assert result.params["mu"] < 0.05


def test_true_claim_survives_the_same_budget(tmp_path):
    _, claim = _claim(tmp_path, "L*R**2/(2*k)")
    result = falsify(claim, budget=40, seed=1)
    assert not result.falsified and result.ratio <= 1 and result.examples >= 20
    assert math.isfinite(result.ratio)


def test_falsify_refuses_order_claims(tmp_path):
    _, claim = _claim(tmp_path, "O(1/k)")
    with pytest.raises(InputError, match="explicit bound"):
        falsify(claim)


def test_cli_exit_codes(tmp_path, capsys):
    path, _ = _claim(tmp_path, "2*L*R**2/(k+1)**2")
    assert main(["falsify", str(path), "--budget", "30", "--seed", "1"]) == 1
    assert "falsified" in capsys.readouterr().out
    assert main(["falsify", str(tmp_path / "missing.toml")]) == 2


# -- class search ----------------------------------------------------------------------------------

CLASS_CLAIM = """
[[claim]]
id = "{id}"
source = "Drori & Teboulle (2014), Math. Program. 145, Thm 3.1 (scaled by {factor})"
algorithm = "gd"
params = {{ step = "1/L" }}
instances = [{{ name = "q", family = "quadratic", d = 1, L = 1.0, R = 1.0 }}]
measure = "f_gap"
bound = "{factor}*L*R**2/(4*N + 2)"
kind = "upper"
mode = "horizon"
horizons = [{N}]
expected = "consistent"
search = {{ class = "smooth-convex", pieces = 3, d = 1 }}
"""


def _class_claim(tmp_path, N, factor=1.0, search=None):
    text = textwrap.dedent(CLASS_CLAIM.format(id=f"gd-N{N}", N=N, factor=factor))
    if search is not None:
        text = text.replace('search = { class = "smooth-convex", pieces = 3, d = 1 }', search)
    path = tmp_path / f"gd-{N}-{factor}.toml"
    path.write_text(text)
    (claim,), errors = load_file(path, instances={})
    assert not errors
    return path, claim


@pytest.mark.parametrize("N", [1, 2, 3])
def test_class_search_reaches_the_exact_worst_case_of_gd(tmp_path, N):
    # no worst-case family named: the instance is a quadratic, the class smooth-convex
    _, claim = _class_claim(tmp_path, N)
    result = falsify(claim, seed=0)
    assert result.search == "class" and not result.falsified
    assert 0.99 <= result.ratio <= 1 + 1e-9  # L R^2/(4N+2) is exact: reached, never exceeded
    assert result.evaluations > result.examples == 20
    # the reported member is the search's: run the ordinary way it gives the same ratio
    trace = convlab.run(result.problem, "gd", checkpoints=[N])
    assert trace.measure("f_gap")[-1] * (4 * N + 2) == pytest.approx(result.ratio, rel=1e-12)


def test_class_search_falsifies_a_bound_one_percent_below_the_worst_case(tmp_path):
    _, claim = _class_claim(tmp_path, 3, factor=0.99)
    result = falsify(claim, seed=0)
    assert result.falsified and result.ratio > 1
    assert "above the bound" in result.confirmation  # the ordinary run agrees
    assert result.params["class"] == "smooth-convex" and len(result.params["theta"]) == 10


def test_class_search_keeps_a_true_bound(tmp_path):
    # a true bound with slack (1/(4N) > 1/(4N+2)) over several horizons
    _, claim = _class_claim(tmp_path, 3, factor=1.0)
    claim = replace(claim, bound="L*R**2/(4*N)", horizons=(1, 2, 4))
    result = falsify(claim, seed=1)
    assert not result.falsified and 0.5 < result.ratio < 1


def test_class_search_table_errors(tmp_path):
    _, claim = _class_claim(tmp_path, 2)
    with pytest.raises(InputError, match="unknown class"):
        falsify(claim, space={"class": "smooth"})
    with pytest.raises(InputError, match="search.width"):
        falsify(claim, space={"class": "smooth-convex", "width": 3})
    with pytest.raises(InputError, match="mu > 0"):
        falsify(claim, space={"class": "smooth-strongly-convex", "mu": 0.0})
    with pytest.raises(InputError, match="not a constant|neither"):
        falsify(replace(claim, bound="G*R/sqrt(N)"), space={"class": "smooth-convex"})
    with pytest.raises(InputError, match="instances"):
        falsify(claim, instances=-1)


def test_time_limit_stops_the_search(tmp_path):
    _, claim = _class_claim(tmp_path, 10)
    result = falsify(claim, seed=0, time_limit=1e-9, instances=50)
    assert result.examples <= 1 and result.evaluations < 50


def test_cli_class_search(tmp_path, capsys):
    path, _ = _class_claim(tmp_path, 3, factor=0.99)
    assert main(["falsify", str(path), "--instances", "10", "--seed", "0"]) == 1
    out = capsys.readouterr().out
    assert "falsified" in out and "theta = [" in out and "confirmed by an ordinary run" in out
    path, _ = _class_claim(tmp_path, 2)
    assert main(["falsify", str(path), "--budget", "5"]) == 0  # the former name still works
    assert "not falsified" in capsys.readouterr().out
    assert main(["falsify", str(path), "--time-limit", "0"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "time-limit" in err
    # a class named on the command line replaces the claim's search table
    box_path, _ = _claim(tmp_path, "L*R**2/(2*k)")
    assert main(["falsify", str(box_path), "--search",
                 '{ class = "smooth-convex", pieces = 2 }', "--instances", "5"]) == 0
    assert "class smooth-convex (pieces=2" in capsys.readouterr().out
    assert main(["falsify", str(box_path), "--search", "{ class = "]) == 2
    assert capsys.readouterr().err.count("\n") == 1


# -- exact worst cases (PEPit) --------------------------------------------------------------------

pep_reason = None
try:
    from convlab.pep import unavailable

    pep_reason = unavailable()
except ImportError as exc:  # pragma: no cover
    pep_reason = str(exc)
needs_pep = pytest.mark.skipif(pep_reason is not None, reason=pep_reason or "")


@needs_pep
def test_pep_worst_case_of_gd_is_drori_teboulle():
    from convlab.pep import SOLVER_RTOL, worst_case

    for N in (1, 2, 3):
        wc = worst_case("gd", N, L=2.0, R=0.5, one_dimensional=True)
        assert wc.exact and wc.rank == 1
        assert wc.value == pytest.approx(2.0 * 0.25 / (4 * N + 2), rel=10 * SOLVER_RTOL)
        # exact worst case -> the code's own trace
        member = wc.instance()
        assert member.certify() == []
        e = convlab.run(member, "gd", checkpoints=[N]).measure("f_gap")[-1]
        assert e == pytest.approx(wc.value, rel=1e-3)


@needs_pep
def test_pep_cross_check_of_claims(tmp_path):
    from convlab.pep import cross_check

    _, claim = _class_claim(tmp_path, 3)
    tight = replace(claim, kind="tight", horizons=(1, 3))
    check = cross_check(tight)
    assert check.verdict == "agrees"
    assert all(abs(r.ratio - 1) < 1e-4 and abs(r.kernel / r.worst - 1) < 1e-3
               for r in check.rows)
    fast = dict(horizons=[2], run_kernel=False)
    below = replace(tight, bound="0.99*L*R**2/(4*N + 2)")
    assert cross_check(below, **fast).verdict == "violated"
    assert cross_check(replace(tight, bound="L*R**2/(4*N)"), **fast).verdict == "loose"
    upper = replace(claim, bound="L*R**2/(4*N)")
    assert cross_check(upper, **fast).verdict == "agrees"


@needs_pep
def test_cli_pep(tmp_path, capsys):
    path, _ = _class_claim(tmp_path, 2, factor=0.99)
    assert main(["falsify", str(path), "--pep"]) == 1
    assert "violated" in capsys.readouterr().out
    path, _ = _class_claim(tmp_path, 2)
    assert main(["falsify", str(path), "--pep"]) == 0


@needs_pep
@pytest.mark.slow
@pytest.mark.parametrize("algorithm, params", [
    ("gd", {"step": "1/L"}), ("agd", {"step": "1/L"}), ("ogm", {"step": "1/L"}),
    ("heavy-ball", {"alpha": "1/L", "beta": "1/4"})])
def test_class_search_reaches_pepit_worst_cases(tmp_path, algorithm, params):
    """The goal of issue 20 at N = 1..10: >= 99 % of PEPit's exact worst case from the class,
    and a bound 1 % below it falsified."""
    from convlab.pep import worst_case

    for N in range(1, 11):
        tau = worst_case(algorithm, N, params=params).value
        _, claim = _class_claim(tmp_path, N)
        claim = replace(claim, algorithm=algorithm, params=params,
                        bound=f"{tau!r}*L*R**2")
        assert falsify(claim, seed=0).ratio >= 0.99, (algorithm, N)
        below = replace(claim, bound=f"{0.99 * tau!r}*L*R**2")
        assert falsify(below, seed=0).falsified, (algorithm, N)
