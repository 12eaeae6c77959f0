"""Horizons read from one long run (convlab/designs/base.py, ``shared_horizons``).

A horizon claim whose run does not depend on N (the instance does not use N, the parameters
resolve to the same numbers, no kernel piece reads the recorded iterations) runs once to the
largest horizon. That is exact only if recording more checkpoints changes nothing a kernel
computes: checked here for every algorithm of the kernel contract that does not read them, and
on catalog claims (the same outcomes with and without sharing).
"""

from pathlib import Path

import numpy as np
import pytest
from test_contracts import ALGORITHM_NAMES, _case

import convlab.designs.base as base
from convlab.algorithms.registry import ALGORITHMS
from convlab.designs import decide_pair
from convlab.run import run
from convlab.runtime.kernel import Kernel
from convlab.verify import load_claims

RATES = Path(__file__).resolve().parents[1] / "rates"
SHAREABLE = [n for n in ALGORITHM_NAMES if isinstance(ALGORITHMS[n].kernel, Kernel)
             and not ALGORITHMS[n].kernel.reads_checkpoints]


def test_only_kernels_that_read_the_checkpoints_are_excluded():
    readers = {n for n in ALGORITHM_NAMES if isinstance(ALGORITHMS[n].kernel, Kernel)
               and ALGORITHMS[n].kernel.reads_checkpoints}
    assert "ogm" in readers  # its horizon is the last checkpoint
    assert "gd" not in readers and "sgd" not in readers


@pytest.mark.parametrize("name", SHAREABLE)
def test_recording_more_checkpoints_changes_nothing_at_the_last(name):
    problem, params, context = _case(name)
    context = {**(context or {}), "N": 60.0}
    alone = run(problem, name, params, checkpoints=[0, 60], context=context, seed=2,
                track=True)
    shared = run(problem, name, params, checkpoints=[0, 7, 20, 33, 60], context=context,
                 seed=2, track=True)
    if shared.diverged or shared.k.size < 5:
        return  # a long run that diverges or ends early is not shared: horizons run apart
    assert not alone.diverged and alone.k.size == 2
    for point in alone.points:
        assert np.array_equal(alone.points[point][-1], shared.points[point][-1],
                              equal_nan=True), point
    for scalar in alone.scalars:
        assert np.array_equal(alone.scalars[scalar][-1], shared.scalars[scalar][-1],
                              equal_nan=True), scalar


def _outcomes(claims, share: bool, monkeypatch):
    if not share:
        monkeypatch.setattr(base, "shared_horizons", lambda *args: None)
    out = [decide_pair(c, spec) for c in claims for spec in c.instances]
    monkeypatch.undo()
    return out


def test_catalog_horizon_claims_decide_the_same_from_one_long_run(monkeypatch):
    claims, errors = load_claims([RATES / "lieder_2021_halpern.toml",
                                  RATES / "yoon_ryu_2021_eag.toml"])
    assert not errors
    claims = [c for c in claims if c.design == "horizon"]
    calls = []
    real = base.shared_horizons

    def counting(*args):
        out = real(*args)
        calls.append(out is not None)
        return out

    monkeypatch.setattr(base, "shared_horizons", counting)
    shared = [decide_pair(c, spec) for c in claims for spec in c.instances]
    monkeypatch.undo()
    assert any(calls)  # some plans were read from one long run
    separate = _outcomes(claims, False, monkeypatch)
    for a, b in zip(shared, separate):
        assert (a.verdict, a.evidence.get("reason")) == (b.verdict, b.evidence.get("reason"))
        assert np.array_equal(np.asarray(a.curve.y), np.asarray(b.curve.y),
                              equal_nan=True)
