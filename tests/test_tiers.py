"""What a claim says about itself (issue 21): its tier, its deviations from the source of truth,
negative and near-miss controls, and the informativeness of a pass; the summary per tier that
keeps provisional claims out of the headline."""

import json
import textwrap

import pytest

from convlab.claims import CONTROLS, TIERS, load_file
from convlab.outcomes import WEAK_EXCESS_ORDER, WEAK_HEADROOM, weakly_informative
from convlab.report import (catalog_counts, summary, summary_line, tier_counts, tier_lines,
                            to_json, to_markdown, validate_report)
from convlab.verify import Report, verify_claim

QUAD = '{ name = "q", family = "quadratic", d = 10, L = 1.0, mu = 0.1 }'


def _load(tmp_path, body: str):
    path = tmp_path / "claims.toml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return load_file(path, instances={})


def _claim(cid: str, extra: str = "", bound: str = "(1 - mu/L)**k * Delta", kind: str = "upper",
           expected: str = "consistent") -> str:
    return f"""
        [[claim]]
        id = "{cid}"
        source = "s"
        algorithm = "gd"
        params = {{ step = "1/L" }}
        instances = [{QUAD}]
        measure = "f_gap"
        bound = "{bound}"
        kind = "{kind}"
        design = "anytime"
        iterations = 60
        expected = "{expected}"
        {extra}
    """


def test_tier_control_and_deviations_are_validated(tmp_path):
    claims, errors = _load(tmp_path, "".join([
        _claim("bad-tier", 'tier = "folklore"'),
        _claim("bad-control", 'control = "sanity"'),
        _claim("near-miss-expected-to-hold", 'control = "near-miss"'),
        _claim("negative-that-holds", 'control = "negative"'),
        _claim("unknown-field", 'deviations.horizon = "typo of horizons"'),
        _claim("empty-reason", 'deviations = ["  "]'),
        _claim("not-a-string", "deviations.instances = 3"),
    ]))
    assert not claims
    got = {e.claim: e.field for e in errors}
    assert got == {"bad-tier": "tier", "bad-control": "control",
                   "near-miss-expected-to-hold": "expected", "negative-that-holds": "expected",
                   "unknown-field": "deviations.horizon", "empty-reason": "deviations",
                   "not-a-string": "deviations.instances"}, [str(e) for e in errors]
    assert "horizons" in str(next(e for e in errors if e.claim == "unknown-field"))


def test_valid_tier_control_deviations_and_finding(tmp_path):
    claims, errors = _load(tmp_path, "".join([
        _claim("table", 'tier = "textbook"\ndeviations.instances = "one of three"\n'
               'deviations.expected = "tight in the source"'),
        _claim("listed", 'tier = "recalled"\ndeviations = ["a reason", "another"]'),
        _claim("near-miss", 'tier = "exact"\ncontrol = "near-miss"', bound="O(1/k)",
               kind="order", expected="violated"),
        _claim("negative", 'control = "negative"', expected="diverged"),
        _claim("plain"),
    ]))
    assert not errors, [str(e) for e in errors]
    by_id = {c.id: c for c in claims}
    assert by_id["table"].deviations == (("instances", "one of three"),
                                         ("expected", "tight in the source"))
    assert by_id["table"].finding == "tight in the source"
    assert by_id["listed"].deviations == (("", "a reason"), ("", "another"))
    assert by_id["listed"].finding == "" and by_id["plain"].tier == ""
    assert by_id["near-miss"].control == "near-miss" and by_id["negative"].control == "negative"
    assert TIERS[-1] == "provisional" and CONTROLS["near-miss"] == ("violated",)


def test_weakly_informative_passes(tmp_path):
    claims, errors = _load(tmp_path, "".join([
        # GD on a kappa = 10 quadratic: the O(1/k) bound has a large headroom, the order a
        # large excess; the exact contraction (1 - mu/L)^(2k) of the slowest mode is not weak
        _claim("loose-explicit", bound="L*R**2/k"),
        _claim("loose-order", bound="O(1/k)", kind="order"),
        _claim("close", bound="(1 - mu/L)**k * Delta"),
        _claim("loose-lower", bound="1e-12*(1 - mu/L)**(3*k) * Delta", kind="lower"),
        _claim("failed", bound="(1 - mu/L)**(3*k) * Delta", expected="violated"),
    ]))
    assert not errors, [str(e) for e in errors]
    out = {c.id: verify_claim(c, c.instances[0]) for c in claims}
    assert {k: o.verdict for k, o in out.items()} == {
        "loose-explicit": "consistent", "loose-order": "consistent", "close": "consistent",
        "loose-lower": "consistent", "failed": "violated"}
    assert out["loose-explicit"].weakly_informative.startswith("headroom")
    assert out["loose-explicit"].check.evidence.headroom > WEAK_HEADROOM
    assert out["loose-order"].weakly_informative.startswith("excess order")
    assert out["loose-order"].check.evidence.excess_order > WEAK_EXCESS_ORDER
    assert out["loose-lower"].weakly_informative.startswith("smallest ratio")
    assert out["close"].weakly_informative == "" and out["failed"].weakly_informative == ""
    assert weakly_informative(out["close"]) == ""


@pytest.fixture(scope="module")
def tiered_report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tiers")
    path = folder / "claims.toml"
    path.write_text(textwrap.dedent("".join([
        _claim("exact-pass", 'tier = "exact"'),
        _claim("textbook-weak", 'tier = "textbook"\nslack = "a quadratic is far from the worst '
               'case"', bound="L*R**2/k"),
        _claim("recalled-finding", 'tier = "recalled"\ndeviations.expected = "the source says '
               'tight"\ndeviations.iterations = "fewer"'),
        _claim("near-miss", 'tier = "exact"\ncontrol = "near-miss"',
               bound="(1 - mu/L)**(3*k) * Delta", expected="violated"),
        _claim("provisional-miss", 'tier = "provisional"', expected="tight"),
    ])), encoding="utf-8")
    claims, errors = load_file(path, instances={})
    assert not errors, [str(e) for e in errors]
    return Report([verify_claim(c, c.instances[0]) for c in claims], [], 1.0)


def test_provisional_outcomes_stay_out_of_the_headline(tiered_report):
    assert [o.matched for o in tiered_report.outcomes] == [True, True, True, True, False]
    line = summary_line(tiered_report)
    assert line.startswith("4/4 verdicts as expected, 0 not")
    assert "provisional claims apart: 0/1 as expected" in line and "'!' marks" in line
    rows = {r["tier"]: r for r in tier_counts(tiered_report)}
    assert list(rows) == ["exact", "textbook", "recalled", "provisional"]
    assert rows["exact"] == {"tier": "exact", "pairs": 2, "as_expected": 2, "fragile": 0,
                             "weakly_informative": 0, "inconclusive": 0, "findings": 0}
    assert rows["textbook"]["weakly_informative"] == 1
    assert rows["recalled"]["findings"] == 1 and rows["provisional"]["as_expected"] == 0
    lines = tier_lines(tiered_report)
    assert any(l.strip().startswith("textbook") and "1 weakly informative" in l for l in lines)
    assert "near-miss controls: 1/1 rejected as expected" in lines


def test_summary_json_and_markdown_carry_tiers_deviations_and_flags(tiered_report):
    doc = json.loads(json.dumps(to_json(tiered_report)))
    assert validate_report(doc) == []
    s = summary(tiered_report)
    assert s["headline"] == {"pairs": 4, "matched": 4}
    assert s["tiers"]["textbook"]["weakly_informative"] == 1
    assert s["controls"] == {"near-miss": {"pairs": 1, "rejected": 1}}
    records = {r["claim"]: r for r in doc["results"]}
    assert records["near-miss"]["control"] == "near-miss"
    assert records["textbook-weak"]["weakly_informative"].startswith("headroom")
    assert {"field": "expected", "reason": "the source says tight"} in \
        records["recalled-finding"]["deviations"]
    text = to_markdown(tiered_report)
    counts = catalog_counts(tiered_report)
    assert counts == {"matched": 4, "pairs": 4, "claims": 5, "files": 1, "apart_matched": 0,
                      "apart": 1, "all_pairs": 5}
    assert ("4/4 verdicts as expected on exact, textbook and recalled claims, 0/1 on "
            "provisional claims; 5 pairs of 5 claims from 1 files") in text
    assert "| textbook | 1 | 1 | 0 | 1 | 0 | 0 |" in text
    assert "## Weakly informative passes" in text and "a quadratic is far from" in text
    assert "| `recalled-finding` | expected | the source says tight |" in text
    assert "| `recalled-finding` | iterations | fewer |" in text
