"""The catalog in rates/: a representative subset in the fast tier, everything in the slow one.

Fast tier: for every problem class, bound type and design, the cheapest claim of the catalog
(by its design's cost estimate: iterations x seeds) is verified on each of its instances and must
reach its expected verdict. Slow tier (``pytest -m slow``): every claim of the catalog.
"""

import pytest

from convlab.claims import collect_files, load_file
from convlab.designs import estimated_cost
from convlab.verify import verify_claim, verify_paths


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
