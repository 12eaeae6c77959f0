"""Normals in Box–Muller pairs (convlab/runtime/random.py): one stream, however it is drawn.

``normal(s, j)`` is the cosine half of draw j // 2 for an even j and its sine half for an odd
j; ``normal_pair`` and ``add_normals`` (what oracles use: two normals per logarithm) must give
exactly the same numbers, and the halves must be standard normal and uncorrelated.
"""

import numpy as np
import pytest
from numba import njit

from convlab.runtime.random import add_normals, normal, normal_pair, sample_id


@njit(cache=False)
def _stream(s, j0, n):
    out = np.empty(n)
    for i in range(n):
        out[i] = normal(s, j0 + i)
    return out


@njit(cache=False)
def _added(s, j0, scale, base):
    out = base.copy()
    add_normals(s, j0, scale, out)
    return out


@njit(cache=False)
def _many(seed, n):
    out = np.empty((n, 2))
    for t in range(n):
        out[t, 0], out[t, 1] = normal_pair(sample_id(seed, t), 3)
    return out


@pytest.mark.parametrize("j0", [0, 1, 2, 7])
@pytest.mark.parametrize("n", [0, 1, 2, 3, 10, 11])
def test_add_normals_adds_exactly_the_stream(j0, n):
    s = int(sample_id(5, 17))
    base = np.linspace(-1.0, 1.0, n)
    expected = base + 0.3 * _stream(s, j0, n)
    assert np.array_equal(_added(s, j0, 0.3, base), expected)


def test_pair_halves_are_the_even_and_odd_normals():
    for t in range(50):
        s = int(sample_id(3, t))
        for m in range(4):
            z0, z1 = normal_pair(s, m)
            assert (z0, z1) == (normal(s, 2 * m), normal(s, 2 * m + 1))


def test_halves_are_standard_normal_and_uncorrelated():
    z = _many(11, 200_000)
    n = z.shape[0]
    for half in (z[:, 0], z[:, 1]):
        assert abs(half.mean()) < 5 / np.sqrt(n)
        assert abs(half.var() - 1.0) < 5 * np.sqrt(2.0 / n)
        assert abs(np.mean(half**4) - 3.0) < 5 * np.sqrt(96.0 / n)  # kurtosis of N(0, 1)
    assert abs(np.mean(z[:, 0] * z[:, 1])) < 5 / np.sqrt(n)
    # the radius r² = z0² + z1² is exponential with mean 2: P(r² > 2) = 1/e
    tail = np.mean(z[:, 0] ** 2 + z[:, 1] ** 2 > 2.0)
    assert abs(tail - np.exp(-1.0)) < 5 * np.sqrt(np.exp(-1.0) * (1 - np.exp(-1.0)) / n)
