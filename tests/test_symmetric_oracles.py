"""The quadratic oracles sum over the columns of A's leading block: the same numbers as the rows.

``symmetric_product`` (convlab/problems/quadratics.py; used by ``quadratic_grad``,
``quadratic_sgrad`` and the quadratic oracles of convlab/problems/stochastic.py) computes every
out[i] = Σ_j A[i, j] (x[j] − b[j]) left to right, looping over the columns of A so that the
inner loop is a vector instruction. That gives the row sums bit for bit only when A's leading
d×d block is exactly symmetric; every family that passes these oracles must build it so.
"""

import numpy as np
import pytest

from convlab.problems import stochastic
from convlab.problems.quadratics import quadratic_grad, quadratic_sgrad
from convlab.problems.registry import FAMILIES, build
from convlab.runtime.random import normal

#: Oracles that compute A (x − b) by ``symmetric_product``.
COLUMN_ORACLES = {quadratic_grad, quadratic_sgrad, stochastic.ball_quad_sgrad,
                  stochastic._heavy_tail_sgrad, stochastic.affine_noise_sgrad}


def _row_sums(A, b, x):
    """The strict left-to-right row sums in Python floats (IEEE doubles, same rounding)."""
    d = x.shape[0]
    out = np.empty(d)
    for i in range(d):
        s = 0.0
        for j in range(d):
            s += float(A[i, j]) * (float(x[j]) - float(b[j]))
        out[i] = s
    return out


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_families_with_column_oracles_have_an_exactly_symmetric_block(name):
    family = FAMILIES[name]
    if not family.ranges:
        pytest.skip("not on the family contract")
    problem = family.build(**family.example)
    if not COLUMN_ORACLES & {problem.oracles.get("grad"), problem.oracles.get("sgrad")}:
        pytest.skip("no column oracle")
    d = problem.dim
    block = problem.A[:d, :d]
    assert np.array_equal(block, block.T)


@pytest.mark.parametrize("d", [1, 2, 3, 5, 8, 10, 13])
def test_column_sums_equal_row_sums_bit_for_bit(d):
    rng = np.random.default_rng(d)
    problem = build("quadratic", {"d": d, "L": 1.0, "mu": 1e-3, "seed": d, "xstar": "random",
                                  "noise": 0.5})
    for scale in (1e-200, 1e-3, 1.0, 1e150):
        x = scale * rng.standard_normal(d)
        expected = _row_sums(problem.A, problem.b, x)
        out = np.empty(d)
        quadratic_grad(problem.A, problem.b, problem.p, x, out)
        assert np.array_equal(out, expected)
        quadratic_sgrad(problem.A, problem.b, problem.p, x, 7, 12345, out)
        noise = np.array([normal(12345, i) for i in range(d)])
        assert np.array_equal(out, expected + 0.5 * noise)
