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


def test_class_search_reads_algorithm_parameters_in_the_bound(tmp_path):
    # a bound stated in the step by name, as the checker reads it: R^2/(step (4N+2)) at step 1/L
    _, claim = _class_claim(tmp_path, 2)
    stated = replace(claim, bound="R**2/(step*(4*N + 2))")
    result = falsify(stated, seed=0)
    assert not result.falsified and 0.99 <= result.ratio <= 1 + 1e-9
    halved = replace(stated, params={"step": "1/(2*L)"})  # a smaller step: its own bound
    assert falsify(halved, seed=0).ratio < 0.99 * result.ratio


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


# -- a catalog: every claim with a search table (convlab falsify PATH...) --------------------------

CATALOG = """
[[claim]]
id = "gd-exact"
source = "Drori & Teboulle (2014), Thm 3.1"
algorithm = "gd"
params = {{ step = "1/L" }}
instances = [{{ name = "q", family = "quadratic", d = 1, L = 1.0, R = 1.0 }}]
measure = "f_gap"
bound = "L*R**2/(4*N + 2)"
kind = "upper"
design = "horizon"
horizons = [1, 2]
expected = "consistent"
search = {{ class = "smooth-convex", pieces = 3, d = 1 }}

[[claim]]
id = "gd-below"
source = "0.99 times the exact worst case, stated as a theorem"
algorithm = "gd"
params = {{ step = "1/L" }}
instances = [{{ name = "q", family = "quadratic", d = 1, L = 1.0, R = 1.0 }}]
measure = "f_gap"
bound = "0.99*L*R**2/(4*N + 2)"
kind = "upper"
design = "horizon"
horizons = [1, 2]
expected = "{below}"
search = {{ class = "smooth-convex", pieces = 3, d = 1 }}

[[claim]]
id = "gd-box"
source = "Garrigos & Gower (2023), GD on smooth convex functions"
algorithm = "gd"
instances = [{{ name = "q", family = "quadratic", d = 5, L = 1.0, mu = 0.0, seed = 0 }}]
measure = "f_gap"
bound = "L*R**2/(2*k)"
kind = "upper"
design = "anytime"
iterations = 50
window = [1, 50]
expected = "consistent"
search = {{ d = [1, 10], seed = [0, 100] }}

[[claim]]
id = "sgd-floor"
source = "a stochastic claim: not searched"
algorithm = "sgd"
params = {{ step = "0.1" }}
instances = [{{ name = "q", family = "quadratic", d = 2, L = 1.0, mu = 0.5, noise = 0.1 }}]
measure = "dist_sq"
bound = "R**2"
kind = "upper"
design = "anytime"
iterations = 20
seeds = 2
expected = "consistent"

[[claim]]
id = "gd-order"
source = "an O(.) claim: not a candidate"
algorithm = "gd"
instances = [{{ name = "q", family = "quadratic", d = 2, L = 1.0, mu = 0.0 }}]
measure = "f_gap"
bound = "O(1/k)"
kind = "upper"
design = "anytime"
expected = "consistent"
"""


def _catalog(tmp_path, below="violated"):
    folder = tmp_path / "rates"
    folder.mkdir(exist_ok=True)
    path = folder / "catalog.toml"
    path.write_text(textwrap.dedent(CATALOG.format(below=below)))
    return folder


def test_catalog_search_reports_every_candidate(tmp_path):
    from convlab.falsify_catalog import falsify_catalog

    catalog = falsify_catalog([_catalog(tmp_path)], instances=5, time_limit=5.0)
    by_id = {s.claim.id: s for s in catalog.searches}
    assert set(by_id) == {"gd-exact", "gd-below", "gd-box", "sgd-floor"}  # gd-order: no candidate
    assert catalog.others == 1 and not catalog.input_errors
    exact, below, box = by_id["gd-exact"], by_id["gd-below"], by_id["gd-box"]
    assert exact.status == "held" and 0.99 <= exact.result.ratio <= 1 + 1e-9, exact.reason
    assert exact.where in ("N=1", "N=2")
    # a bound below the exact worst case, expected violated: a control falsified as expected
    assert below.status == "falsified-control" and below.result.ratio > 1
    assert "above the bound" in below.result.confirmation
    assert box.status == "held" and box.result.search == "box" and box.result.ratio < 1
    assert box.where.startswith("k=") and "seed=" in box.member
    assert by_id["sgd-floor"].status == "not-searched"
    assert "stochastic" in by_id["sgd-floor"].reason
    assert catalog.exit_code == 0  # nothing differs from its expectation


def test_cli_catalog_lines_exit_codes_and_markdown(tmp_path, capsys):
    from convlab.report import write_markdown
    from convlab.verify import Report

    folder = _catalog(tmp_path, below="consistent")  # gd-below now claims to hold: a finding
    md = tmp_path / "catalog.md"
    md.write_text("# Catalog summary\n\nverify's table\n")
    args = ["falsify", str(folder), "--instances", "5", "--time-limit", "5", "--markdown", str(md)]
    assert main(args) == 1
    out = capsys.readouterr().out.splitlines()
    heads = {line[18:].split(":")[0]: line[:17].strip() for line in out[:-2]
             if not line.startswith(" ")}  # one line per claim: the status, then the claim
    assert heads == {"gd-exact": "held", "gd-below": "falsified", "gd-box": "held",
                     "sgd-floor": "not searched"}
    assert out[-2].startswith("falsify: 3 claims searched") and "1 falsified" in out[-2]
    text = md.read_text()
    assert text.startswith("# Catalog summary\n\nverify's table\n")  # the rest is kept
    assert text.count("<!-- convlab falsify: begin -->") == 1
    assert "| `gd-below` | class smooth-convex (pieces=3, d=1) |" in text
    assert "**falsified**" in text and "`sgd-floor`" in text
    # a second run replaces the section; verify's summary, rewritten, keeps it
    assert main(args + ["--claim", "gd-exact"]) == 0
    capsys.readouterr()
    text = md.read_text()
    assert text.count("<!-- convlab falsify: begin -->") == 1 and "`gd-below`" not in text
    write_markdown(Report(outcomes=[], input_errors=[], seconds=0.0), md)
    kept = md.read_text()
    assert "verify's table" not in kept and kept.count("<!-- convlab falsify: end -->") == 1
    assert "| `gd-exact` |" in kept


def test_cli_catalog_bad_input(tmp_path, capsys):
    folder = _catalog(tmp_path)
    path = folder / "catalog.toml"
    path.write_text(path.read_text().replace("d = [1, 10], seed", "width = [1, 10], seed"))
    assert main(["falsify", str(folder), "--instances", "2", "--time-limit", "2"]) == 2
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and "gd-box" in captured.err and "width" in captured.err
    assert "error             gd-box" in captured.out  # the other claims still run
    assert main(["falsify", str(folder), "--pep"]) == 2
    assert "--pep takes one claim" in capsys.readouterr().err


@pytest.mark.slow
def test_catalog_falsification(root):
    """Issue 20: every explicit upper or tight claim of the catalog (anytime or horizon) is
    searched over its class, or is stochastic, or says in its notes why it is not searched (an
    exact value on one family); a claim the search falsifies has
    the finding recorded in its notes; the negative controls are all falsified."""
    from convlab.algorithms.registry import get_algorithm
    from convlab.falsify_catalog import falsify_catalog, is_candidate, to_markdown
    from convlab.verify import load_claims

    claims, errors = load_claims([root / "rates"])
    assert not errors
    catalog = falsify_catalog([root / "rates"])
    assert not catalog.input_errors, [str(e) for e in catalog.input_errors]
    ids = [s.claim.id for s in catalog.searches]
    assert sorted(ids) == sorted(c.id for c in claims if is_candidate(c))
    for s in catalog.searches:
        claim, r = s.claim, s.result
        assert s.status != "error", (claim.id, s.reason)
        if s.status == "not-searched":  # the rest have a table
            assert get_algorithm(claim.algorithm).stochastic or \
                "not searched" in claim.notes.lower(), claim.id
            continue
        assert r is not None and r.ratio > 0 and r.evaluations > 0, claim.id
        assert s.status != "missed-control", claim.id
        if s.status == "held":
            assert r.ratio <= 1 + claim.rtol, claim.id
        if s.status in ("falsified", "falsified-control"):
            assert r.ratio > 1 + claim.rtol, claim.id
            if r.search == "class":
                assert "above the bound" in r.confirmation, claim.id
        if s.status == "falsified":  # a finding: recorded where the claim is
            assert "falsif" in claim.notes.lower(), f"{claim.id}: record the finding in notes"
    text = to_markdown(catalog)
    searched = [s for s in catalog.searches if s.status != "not-searched"]
    assert sum(line.startswith("| `") for line in text.splitlines()) == len(searched)
