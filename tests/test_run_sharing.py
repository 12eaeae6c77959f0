"""Runs shared by the pairs of a group (convlab/designs/__init__.py ``sharing_groups``,
convlab/designs/base.py ``Problems.run``, convlab/executor.py ``decide_group``).

Two claims with different bounds on one experiment ask for the same runs. A run is a pure
function of the instance, the algorithm, its parameters, the checkpoints, the tracking and the
context, for each of its seeds, so such pairs are decided one after the other in one worker and
each seed of each run is made once: checked here by counting the runs made, and by comparing
every outcome with the pair decided alone.
"""

import textwrap

import numpy as np
import pytest

import convlab.designs.base as base
from convlab.designs import decide_pair, sharing_groups
from convlab.executor import decided
from convlab.verify import load_claims, verify_paths

def _sgd(claim_id: str, *, bound: str = "O(1)", kind: str = "order", seeds: int = 8,
         step: str = "1/L", expected: str = "consistent") -> str:
    return f"""
[[claim]]
id = "{claim_id}"
source = "test"
algorithm = "sgd"
params = {{ step = "{step}" }}
instances = ["noisy"]
measure = "f_gap"
bound = "{bound}"
kind = "{kind}"
design = "anytime"
iterations = 400
seeds = {seeds}
statistic = "mean"
expected = "{expected}"
"""


def _gd_horizons(claim_id: str, *, instances: str, bound: str, kind: str) -> str:
    return f"""
[[claim]]
id = "{claim_id}"
source = "test"
algorithm = "gd"
instances = {instances}
measure = "f_gap"
bound = "{bound}"
kind = "{kind}"
design = "horizon"
horizons = [10, 40, 160]
expected = "consistent"
"""


CLAIMS = "".join([
    _sgd("sgd-order"),
    _sgd("sgd-wrong-bound", bound="L*R**2/k**2", kind="upper", expected="violated"),
    _sgd("sgd-fewer-seeds", seeds=4),
    _sgd("sgd-other-step", step="0.5/L"),
    _gd_horizons("gd-horizons", instances='["noisy", "other"]', bound="L*R**2/(2*N)",
                 kind="upper"),
    _gd_horizons("gd-horizons-order", instances='["noisy"]', bound="O(1/N)", kind="order"),
])

PROBLEMS = """
[noisy]
family = "quadratic"
d = 6
L = 1.0
mu = 0.01
noise = 0.1

[other]
family = "quadratic"
d = 6
L = 1.0
mu = 0.02
noise = 0.1
"""


@pytest.fixture
def claims_file(tmp_path):
    (tmp_path / "problems").mkdir()
    (tmp_path / "problems" / "p.toml").write_text(textwrap.dedent(PROBLEMS))
    path = tmp_path / "claims.toml"
    path.write_text(textwrap.dedent(CLAIMS))
    return path


def _pairs(path):
    claims, errors = load_claims([path])
    assert not errors
    return [(c, spec) for c in claims for spec in c.instances]


def _names(pairs, group):
    return [f"{pairs[i][0].id}@{pairs[i][1].name}" for i in group]


def _counting(monkeypatch):
    calls = []
    real = base.run_seeds

    def counting(*args, **kwargs):
        calls.append(len(kwargs["seeds"]))
        return real(*args, **kwargs)

    monkeypatch.setattr(base, "run_seeds", counting)
    return calls


def _same(a, b):
    assert (a.claim.id, a.instance) == (b.claim.id, b.instance)
    assert (a.verdict, a.evidence, a.fragile, a.thinned_verdict) == \
        (b.verdict, b.evidence, b.fragile, b.thinned_verdict)
    assert np.array_equal(np.asarray(a.curve.y), np.asarray(b.curve.y), equal_nan=True)
    assert np.array_equal(np.asarray(a.curve.x), np.asarray(b.curve.x))


def test_only_pairs_that_make_the_same_run_are_grouped(claims_file):
    pairs = _pairs(claims_file)
    groups = [_names(pairs, g) for g in sharing_groups(pairs)]
    assert groups == [
        # another bound, the same experiment; the same run over fewer seeds
        ["sgd-order@noisy", "sgd-wrong-bound@noisy", "sgd-fewer-seeds@noisy"],
        ["sgd-other-step@noisy"],  # another parameter
        ["gd-horizons@noisy", "gd-horizons-order@noisy"],
        ["gd-horizons@other"],  # another instance
    ]


def test_a_group_makes_each_run_once_and_decides_as_its_pairs_alone(claims_file,
                                                                    monkeypatch):
    pairs = _pairs(claims_file)
    calls = _counting(monkeypatch)
    alone = [decide_pair(*pair) for pair in pairs]
    runs_alone = len(calls)
    calls.clear()
    grouped = [None] * len(pairs)
    for group in sharing_groups(pairs):
        for i, outcome in zip(group, decided([pairs[i] for i in group])):
            grouped[i] = outcome
    assert all(o.error is None and o.crash is None for o in alone)
    for a, b in zip(alone, grouped):
        _same(a, b)
    runs_grouped = len(calls)
    second = [i for i, (c, _) in enumerate(pairs)
              if c.id in ("sgd-wrong-bound", "sgd-fewer-seeds", "gd-horizons-order")]
    assert grouped[second[0]].verdict != grouped[0].verdict  # other claims, the same runs
    calls.clear()
    for i in second:
        decide_pair(*pairs[i])
    assert len(calls) >= 2
    assert runs_grouped == runs_alone - len(calls)  # the second pairs ran nothing


def test_a_run_over_more_seeds_makes_only_the_seeds_not_made_yet(claims_file, monkeypatch):
    pairs = {c.id: (c, spec) for c, spec in _pairs(claims_file)}
    fewer, more = pairs["sgd-fewer-seeds"], pairs["sgd-order"]
    alone = [decide_pair(*fewer), decide_pair(*more)]
    calls = _counting(monkeypatch)
    shared = decided([fewer, more])
    assert calls == [4, 4]  # seeds 0..3, then 4..7 only
    for a, b in zip(alone, shared):
        _same(a, b)


def test_runs_past_the_trace_budget_are_made_again(claims_file, monkeypatch):
    pairs = [p for p in _pairs(claims_file) if p[0].id in ("sgd-order", "sgd-wrong-bound")]
    calls = _counting(monkeypatch)
    monkeypatch.setattr(base, "SHARED_TRACE_BYTES", 0)
    kept_none = decided(pairs)
    runs_kept_none = len(calls)
    monkeypatch.setattr(base, "SHARED_TRACE_BYTES", 256 * 2**20)
    calls.clear()
    shared = decided(pairs)
    assert len(calls) >= 1 and runs_kept_none == 2 * len(calls)
    for a, b in zip(kept_none, shared):
        _same(a, b)


def test_pool_workers_decide_groups_as_this_process_does(claims_file):
    serial = verify_paths([claims_file], jobs=1)
    parallel = verify_paths([claims_file], jobs=2)
    assert not serial.input_errors and len(serial.outcomes) == 7
    assert all(o.error is None and o.crash is None for o in serial.outcomes)
    for a, b in zip(serial.outcomes, parallel.outcomes):
        _same(a, b)


def test_a_worker_that_dies_fails_every_pair_of_its_group(claims_file, monkeypatch):
    import os

    import convlab.executor as executor_mod

    real = executor_mod.decide

    def dies_on_the_wrong_bound(claim, instance, problems=None):
        if claim.id == "sgd-wrong-bound":  # the second pair of its group, in a forked worker
            os._exit(1)
        return real(claim, instance, problems)

    monkeypatch.setattr(executor_mod, "decide", dies_on_the_wrong_bound)
    report = verify_paths([claims_file], jobs=2)
    by_id = {(o.claim.id, o.instance): o for o in report.outcomes}
    assert len(by_id) == 7
    for pair in (("sgd-order", "noisy"), ("sgd-wrong-bound", "noisy")):
        assert "worker process died" in (by_id[pair].crash or ""), pair


def test_the_progress_cost_counts_a_shared_run_once(claims_file):
    from convlab.designs import estimated_cost

    pairs = _pairs(claims_file)
    events = []
    verify_paths([claims_file], jobs=1, progress=events.append)
    start = next(e for e in events if e.kind == "start")
    costs = {(e.outcome.claim.id, e.outcome.instance): e.cost for e in events if e.kind == "pair"}
    readers = {("sgd-wrong-bound", "noisy"), ("sgd-fewer-seeds", "noisy"),
               ("gd-horizons-order", "noisy")}
    for claim, spec in pairs:
        expected = 0.0 if (claim.id, spec.name) in readers else estimated_cost(claim, spec)
        assert costs[(claim.id, spec.name)] == expected, claim.id
    assert start.cost_total == sum(costs.values()) > 0


def test_instances_of_one_name_but_other_parameters_are_not_grouped(tmp_path):
    inline = '[{{ name = "q", family = "quadratic", d = {d}, L = 1.0, mu = 0.1 }}]'
    text = "".join(_gd_horizons(f"gd-{n}", instances=inline.format(d=d), bound="O(1/N)",
                                kind="order") for n, d in ((1, 4), (2, 5), (3, 4)))
    path = tmp_path / "inline.toml"
    path.write_text(text)
    pairs = _pairs(path)
    assert [p[1].params["d"] for p in pairs] == [4, 5, 4]
    assert [_names(pairs, g) for g in sharing_groups(pairs)] == [["gd-1@q", "gd-3@q"],
                                                                 ["gd-2@q"]]
