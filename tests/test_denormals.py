"""Flush-to-zero in the loop changes nothing a verdict reads.

The loop (:mod:`convlab.runtime.loop`) runs kernels with the flush-to-zero and denormals-are-
zero bits set, so a run converging to x* = 0 does not stall in subnormal arithmetic (the speed
is measured in benchmarks/bench_denormal.py). Here: the recorded iterates equal, bit for bit,
the same kernel run without flushing (its ``advance`` called from Python) for as long as no
value reached the subnormal range, and the verdicts of the rate checker on both traces agree.
"""

import numpy as np
import pytest

from convlab.algorithms.gradient import GD
from convlab.problems.base import UNDERFLOW
from convlab.problems.registry import build
from convlab.rates.checker import check_rate
from convlab.run import run

#: Geometric checkpoints over a run long enough to cross the subnormal range (mu = 0.1: the
#: error contracts by at least 0.9 per iteration, so it passes 1e-308 before k = 7,000).
KS = np.unique(np.geomspace(1, 20_000, 60).astype(np.int64))
KS = np.concatenate([[0], KS])


def _without_flush(problem):
    """GD from x0 recorded at KS, each interval advanced by the kernel called from Python
    (the interpreter's thread does not flush subnormals)."""
    advance = GD.advance.compiled
    oracles = problem.oracle_tuple()
    hyper = np.array([1.0 / problem.L])
    X = problem.x0.reshape(1, -1).copy()
    out = [X[0].copy()]
    for k0, k1 in zip(KS[:-1], KS[1:]):
        advance(oracles, problem.A, problem.b, problem.p, hyper, 0, KS, int(k0), int(k1), X,
                np.zeros(1))
        out.append(X[0].copy())
    return np.array(out)


@pytest.mark.parametrize("d", [3, 10])
def test_flush_to_zero_changes_no_normal_value_and_no_verdict(d):
    problem = build("quadratic", {"d": d, "L": 1.0, "mu": 0.1, "seed": 1, "xstar": "zero"})
    flushed = run(problem, "gd", checkpoints=KS).points["last"]
    plain = _without_flush(problem)
    # the run without flushing did reach the subnormal range (else this test shows nothing)
    tiny = (plain != 0) & (np.abs(plain) < UNDERFLOW)
    assert tiny.any()
    # bitwise equal up to the last checkpoint before any coordinate came within 2^60 of the
    # subnormal range (a product inside an oracle may be that much smaller than x)
    normal_until = np.flatnonzero(np.all((plain == 0) | (np.abs(plain) > UNDERFLOW * 2.0**60),
                                         axis=1))
    last = normal_until[np.flatnonzero(np.diff(np.append(normal_until, -1)) != 1)[0]]
    assert last >= 10
    assert np.array_equal(flushed[: last + 1], plain[: last + 1])
    # after it: both below the floor of every measure, so nothing is read there
    assert np.all(np.abs(flushed[last + 1:]) < 1e-290)
    # the rate checker decides the same on both traces
    gaps = {name: problem.measure("f_gap", pts) for name, pts in
            (("flushed", flushed), ("plain", plain))}
    floor = problem.floor("f_gap")
    for bound, kind in (("L*R**2/(4*k+2)", "upper"), ("(1 - mu/L)**(2*k) * Delta", "upper"),
                        ("O((1 - mu/L)**(2*k))", "order")):
        verdicts = {name: check_rate(KS, e, bound, kind=kind, constants=problem.constants,
                                     floor=floor).verdict for name, e in gaps.items()}
        assert verdicts["flushed"] == verdicts["plain"], (bound, verdicts)
