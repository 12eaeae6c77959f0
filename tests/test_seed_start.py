"""``--seed-start``: claims over many seeds start small and double while inconclusive.

The override turns ``seeds = n`` into an escalation from ``seed_start`` seeds up to n, with
alpha spending over the looks (convlab/designs/seeds.py); a claim decided on the first look
stops there. It is a quick look like ``--seeds``: marked in reports and stored apart.
"""

from convlab.report import to_json, validate_report
from convlab.verify import Overrides, verify_paths

CLAIMS = """
[[claim]]
id = "t-many-seeds"
source = "test: SGD on a noisy quadratic, a generous bound"
algorithm = "sgd"
params = { step = 0.05 }
instances = [{ name = "noisy-quad", family = "quadratic", d = 5, L = 1.0, mu = 0.1, spectrum = "linspace", rotate = false, x0 = "ones", noise = 0.1 }]
measure = "f_gap"
bound = "Delta"
kind = "upper"
design = "anytime"
iterations = 200
seeds = 64
expected = "consistent"

[[claim]]
id = "t-one-run"
source = "test: GD"
algorithm = "gd"
instances = [{ name = "quad", family = "quadratic", d = 5, L = 1.0, mu = 0.1, seed = 0 }]
measure = "f_gap"
bound = "Delta"
kind = "upper"
design = "anytime"
iterations = 100
expected = "consistent"
"""


def _claims(tmp_path):
    path = tmp_path / "claims.toml"
    path.write_text(CLAIMS, encoding="utf-8")
    return path


def test_seed_start_makes_an_escalation_up_to_the_claims_seeds(tmp_path):
    full = verify_paths([_claims(tmp_path)])
    many = next(o.claim for o in full.outcomes if o.claim.id == "t-many-seeds")
    one = next(o.claim for o in full.outcomes if o.claim.id == "t-one-run")
    started = Overrides(seed_start=8).apply(many)
    assert (started.seeds, started.max_seeds) == (8, 64)
    assert Overrides(seed_start=64).apply(many) is many  # no fewer seeds: unchanged
    assert Overrides(seed_start=8).apply(one) is one  # one run: nothing to escalate


def test_a_claim_decided_on_the_first_look_stops_there(tmp_path):
    path = _claims(tmp_path)
    full = verify_paths([path], claims=["t-many-seeds"])
    quick = verify_paths([path], claims=["t-many-seeds"], overrides=Overrides(seed_start=8))
    (f,), (q,) = full.outcomes, quick.outcomes
    assert f.verdict == q.verdict == "consistent"
    assert f.seeds.n == 64 and q.seeds.n == 8 and q.seeds.looks == 1
    assert q.seeds.confidence > f.seeds.confidence  # the first of four looks spends part of alpha
    doc = to_json(quick)
    assert doc["overrides"] == {"seed_start": 8} and validate_report(doc) == []
