"""The catalog in rates/: a representative subset in the fast tier, everything in the slow one.

Fast tier: for every problem class, bound type and design, the cheapest claim of the catalog
(by its design's cost estimate: iterations x seeds) is verified on each of its instances and must
reach its expected verdict. Slow tier (``pytest -m slow``): every claim of the catalog.
"""

import math
import re

import pytest

from convlab.claims import TIERS, collect_files, load_file
from convlab.designs import estimated_cost
from convlab.report import parse_headline, readme_block
from convlab.verify import verify_claim, verify_paths

#: Problem classes of exact or textbook claims without a near-miss control, and why: a bound
#: made wrong by a small margin still holds on every instance of these claims, so no near miss
#: can be rejected there (a near miss needs an instance on which the bound is nearly attained).
NO_NEAR_MISS = {
    "adaptive": "AdaGrad-Norm's regret bound has headroom 2.2; AMSGrad's regret grows like T^0.45 "
                "on Reddi's instance, within 0.1 of any exponent a near miss would claim",
    "composite": "ISTA, FISTA and the strongly convex prox-gradient bound hold with headroom 1.6 "
                 "to 3.9 on the certified lasso instances",
    "constrained": "Frank-Wolfe and projected-GD bounds have headroom 30 or more; the step ranges "
                   "are sufficient thresholds, not edges",
    "games (non-monotone)": "the W-norm certificate's asymptotic factor is within 1.4e-5 of its "
                            "first-order truncation and the start's fast mode hides the gap for "
                            "1e4 steps, past the floor",
    "weakly convex": "the Moreau-envelope bounds hold with headroom 2.5 on the sharp instance",
}


def _catalog(root):
    claims = []
    for path in collect_files([root / "rates"]):
        found, errors = load_file(path)
        assert not errors, [str(e) for e in errors]
        claims.extend(found)
    return claims


def _representatives(claims):
    chosen = {}
    for key in ("problem_class", "kind", "design"):
        groups = {}
        for claim in claims:
            groups.setdefault(getattr(claim, key), []).append(claim)
        for members in groups.values():
            cheapest = min(members, key=lambda c: (sum(estimated_cost(c, s) for s in c.instances),
                                                   c.id))
            chosen[cheapest.id] = cheapest
    return sorted(chosen.values(), key=lambda c: c.id)


def test_every_claim_loads_cites_a_source_and_names_a_class(root):
    claims = _catalog(root)
    assert len(claims) >= 89
    assert all(c.source.strip() and c.problem_class for c in claims)
    ids = [c.id for c in claims]
    assert len(ids) == len(set(ids)), "claim ids must be unique across the catalog"


def test_representative_subset(root):
    claims = _catalog(root)
    subset = _representatives(claims)
    classes = {c.problem_class for c in claims}
    kinds = {c.kind for c in claims}
    designs = {c.design for c in claims}
    assert {c.problem_class for c in subset} == classes and {c.kind for c in subset} == kinds
    assert {c.design for c in subset} == designs
    for claim in subset:
        for spec in claim.instances:
            outcome = verify_claim(claim, spec)
            assert outcome.problem_text is None, outcome.problem_text
            assert outcome.matched, (claim.id, spec.name, outcome.verdict, outcome.expected,
                                     outcome.summary)


@pytest.mark.slow
def test_whole_catalog(root):
    report = verify_paths([root / "rates"], jobs=2)
    mismatched = [(o.claim.id, o.instance, o.verdict, o.expected) for o in report.outcomes
                  if not o.matched]
    assert not report.input_errors and not mismatched, mismatched


def test_every_claim_has_a_tier_and_controls_are_marked(root):
    claims = _catalog(root)
    assert all(c.tier in TIERS for c in claims), [c.id for c in claims if c.tier not in TIERS]
    assert all(c.control == "negative" for c in claims if c.id.startswith("negctl-"))
    # a control rejects a false statement; every other claim's expectation is a pass or a
    # recorded finding (an expected failure that is not a control departs from the source)
    for c in claims:
        if not c.control and set(c.expected.values()) & {"violated", "diverged", "inconclusive"}:
            assert c.finding or c.id == "sam-edge-quadratic-eta01", c.id


def _near_misses(claims):
    return [c for c in claims if c.control == "near-miss"]


def test_near_miss_controls_perturb_exact_or_textbook_claims_of_every_class(root):
    claims = _catalog(root)
    by_id = {c.id: c for c in claims}
    near = _near_misses(claims)
    assert len(near) >= 25
    for c in near:
        parent = re.match(r"Near miss of ([a-z0-9-]+)", c.source)
        assert parent is not None and parent.group(1) in by_id, (c.id, c.source)
        assert by_id[parent.group(1)].tier in ("exact", "textbook") and c.tier == \
            by_id[parent.group(1)].tier, c.id
        assert set(c.expected.values()) == {"violated"}, c.id
    classes = {c.problem_class for c in claims if c.tier in ("exact", "textbook")
               and not c.control}
    covered = {c.problem_class for c in near}
    assert classes - covered == set(NO_NEAR_MISS), sorted(classes - covered)


def _rejected_on_the_bound(outcome) -> str:
    """'' when the outcome rejects its near miss on the bound itself, else why not."""
    if outcome.verdict != "violated":
        return f"verdict {outcome.verdict}"
    if outcome.diverged_at is not None:
        return "a diverged run"
    if outcome.stability is not None:  # the edge lies below the claimed threshold
        edge = outcome.stability
        return "" if edge.smallest_unstable < edge.threshold else "edge not below"
    ev = outcome.check.evidence
    if ev.relative_order is not None:
        return ""
    if ev.violations and ev.worst_ratio is not None and math.isfinite(ev.worst_ratio):
        return ""
    return f"no ratio or order evidence ({outcome.reason})"


def test_cheapest_near_miss_controls_are_rejected_on_the_bound(root):
    claims = sorted(_near_misses(_catalog(root)),
                    key=lambda c: sum(estimated_cost(c, s) for s in c.instances))[:10]
    for claim in claims:
        for spec in claim.instances:
            outcome = verify_claim(claim, spec)
            assert _rejected_on_the_bound(outcome) == "", (claim.id, spec.name, outcome.reason)


@pytest.mark.slow
def test_every_near_miss_control_is_rejected_on_the_bound(root):
    claims = _near_misses(_catalog(root))
    failures = [(c.id, s.name, why) for c in claims for s in c.instances
                if (why := _rejected_on_the_bound(verify_claim(c, s)))]
    assert not failures, failures


def test_readme_numbers_come_from_the_catalog_run(root):
    """README's block is the generated headline of docs/catalog.md, whose claim, file and pair
    counts are those of rates/, and every weakly informative pass there has a note."""
    claims = _catalog(root)
    catalog = (root / "docs" / "catalog.md").read_text(encoding="utf-8")
    counts = parse_headline(catalog)
    assert counts["claims"] == len(claims)
    assert counts["files"] == len({c.file for c in claims})
    assert counts["all_pairs"] == sum(len(c.instances) for c in claims)
    provisional = sum(len(c.instances) for c in claims if c.tier == "provisional")
    assert counts["apart"] == provisional and counts["pairs"] == counts["all_pairs"] - provisional
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert readme_block(catalog) in readme
    assert "**no note**" not in catalog
