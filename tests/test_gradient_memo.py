"""The gradient memo (convlab/runtime/memo.py): a family's exact gradient computed once per point.

Three things are checked: every family that declares ``gradient_memo`` gives the same numbers
through a memo block as without one, and really reads the kept gradient; a run that tracks the
gradient gives the same trace with the memo as without it, for kernels that draw their
stochastic gradient before the loop tracks the iterate (ADOPT) and after (SGD); and the memo
halves the exact gradients computed, counted by a test family's own oracles.
"""

import dataclasses

import numpy as np
import pytest

from convlab.problems.base import Problem
from convlab.problems.registry import FAMILIES, build
from convlab.run import run, run_seeds
from convlab.runtime.jit import lazy_jit
from convlab.runtime.memo import keep_gradient, memo_size, recall_gradient
from convlab.runtime.random import add_normals

MEMO_FAMILIES = sorted(name for name in FAMILIES
                       if FAMILIES[name].ranges
                       and FAMILIES[name].build(**FAMILIES[name].example).gradient_memo)


def test_the_catalog_has_a_family_with_a_gradient_memo():
    assert "cauchy-regression" in MEMO_FAMILIES


def _with_block(p, d):
    return np.concatenate([p, np.zeros(memo_size(d))])


@pytest.mark.parametrize("name", MEMO_FAMILIES)
def test_a_family_with_a_memo_gives_the_same_numbers_and_reads_what_it_kept(name):
    family = FAMILIES[name]
    pr = family.build(**family.example)
    grad, sgrad = pr.oracle("grad"), pr.oracle("sgrad")
    d, n = pr.dim, pr.p.shape[0]
    rng = np.random.default_rng(3)
    x1, x2 = rng.standard_normal(d), rng.standard_normal(d)
    memo = _with_block(pr.p, d)

    def g(x, p):
        out = np.empty(d)
        grad(pr.A, pr.b, p, x, out)
        return out

    def sg(x, p, sample=12345):
        out = np.empty(d)
        sgrad(pr.A, pr.b, p, x, 7, sample, out)
        return out

    assert np.array_equal(g(x1, memo), g(x1, pr.p))  # computed and kept
    assert memo[n] == 1.0 and np.array_equal(memo[n + 1:n + 1 + d], x1)
    assert np.array_equal(sg(x1, memo), sg(x1, pr.p))  # recalled, then the noise added
    assert np.array_equal(sg(x2, memo), sg(x2, pr.p))  # computed at a new point and kept
    assert np.array_equal(g(x2, memo), g(x2, pr.p))
    assert np.array_equal(g(x1, memo), g(x1, pr.p))
    # the oracles read the kept gradient: a planted one comes back at its point only
    memo[n + 1 + d:] = np.arange(d, dtype=float)
    assert np.array_equal(g(x1, memo), np.arange(d, dtype=float))
    assert np.array_equal(sg(x1, memo) - sg(x1, pr.p), np.arange(d) - g(x1, pr.p))
    assert np.array_equal(g(x2, memo), g(x2, pr.p))
    # -0.0 is not the point 0.0: the gradient is computed again
    zero = np.zeros(d)
    g(zero, memo)
    memo[n + 1 + d:] = np.nan
    assert np.array_equal(g(-zero, memo), g(-zero, pr.p))


@pytest.mark.parametrize("algorithm, params", [
    ("adopt", {"step": 0.01, "beta1": 0.9, "beta2": 0.5, "eps": 1e-6}),  # draws after the step
    ("sgd", {"step": 0.01}),  # draws at the start of the step
    ("gd", None),  # the kernel's exact gradient and the tracked one
])
@pytest.mark.parametrize("parallel", [False, True])
def test_a_tracked_run_with_the_memo_equals_the_run_without(algorithm, params, parallel):
    pr = build("cauchy-regression", {"n": 50, "d": 7, "seed": 1, "noise": 0.5})
    assert pr.gradient_memo
    plain = dataclasses.replace(pr, gradient_memo=False)
    for track in (True, 2):
        kw = dict(seeds=range(4), iterations=300, track=track, parallel=parallel)
        with_memo = run_seeds(pr, algorithm, params, **kw)
        without = run_seeds(plain, algorithm, params, **kw)
        for a, b in zip(with_memo, without):
            assert np.array_equal(a.points["last"], b.points["last"])
            for name in a.scalars:
                assert np.array_equal(a.scalars[name], b.scalars[name], equal_nan=True), name


# -- a family that counts the exact gradients it computes ------------------------------------

@lazy_jit("grad")
def counting_grad(A, b, p, x, out):
    """∇ ½||x||² = x, through the memo; every gradient computed adds 1 to A[0, 0]."""
    if recall_gradient(p, 1, x, out):
        return
    for i in range(x.shape[0]):
        out[i] = x[i]
    A[0, 0] += 1.0
    keep_gradient(p, 1, x, out)


@lazy_jit("sgrad")
def counting_sgrad(A, b, p, x, t, s, out):
    """x + p[0] ξ, the exact part through the memo (counted as in :func:`counting_grad`)."""
    if not recall_gradient(p, 1, x, out):
        for i in range(x.shape[0]):
            out[i] = x[i]
        A[0, 0] += 1.0
        keep_gradient(p, 1, x, out)
    add_normals(s, 0, p[0], out)


def _counting_problem(memo: bool) -> Problem:
    return Problem(family="counting", name="counting", A=np.zeros((1, 1)), b=np.zeros(1),
                   p=np.array([0.1]), oracles={"grad": counting_grad, "sgrad": counting_sgrad},
                   x0=np.ones(3), xstar=np.zeros(3), fstar=0.0, L=1.0, mu=1.0,
                   gradient_memo=memo)


@pytest.mark.parametrize("algorithm, params", [
    ("sgd", {"step": 0.1}),
    ("adopt", {"step": 0.01, "beta1": 0.9, "beta2": 0.5, "eps": 1e-6}),
])
def test_the_memo_computes_each_iterates_gradient_once(algorithm, params):
    n = 100
    counts = {}
    for memo in (True, False):
        pr = _counting_problem(memo)
        run(pr, algorithm, params, iterations=n, track=2)
        counts[memo] = pr.A[0, 0]
    # tracked: x_0..x_n; drawn: x_0..x_{n-1} (SGD), or x_0 twice (v_0 from an extra sample)
    # and x_1..x_n (ADOPT, which draws the next gradient at the end of a step)
    drawn = n if algorithm == "sgd" else n + 2
    assert counts[False] == (n + 1) + drawn
    assert counts[True] == n + 1


def test_without_gradient_tracking_the_run_has_no_memo():
    pr = _counting_problem(True)
    run(pr, "sgd", {"step": 0.1}, iterations=50)
    assert pr.A[0, 0] == 50  # one gradient per step: nothing tracked, nothing kept
