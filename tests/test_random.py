"""Normals by the ziggurat method (convlab/runtime/random.py, convlab/runtime/ziggurat.py).

``normal(s, j)`` is one ziggurat draw on bits(s, j); ``normal_pair`` and ``add_normals`` (what
oracles use) must give exactly the same numbers. The tables must be the ones their derivation
gives, every layer of the same area, and the draws standard normal, in the centre, at the
layers' edges and in the tail, and uncorrelated from one counter to the next.
"""

import math

import numpy as np
import pytest
from numba import njit

from convlab.runtime import ziggurat
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
def _many(seed, n, per_sample):
    """n samples of the run `seed`, `per_sample` normals each (counters 0..per_sample-1)."""
    out = np.empty((n, per_sample))
    for t in range(n):
        s = sample_id(seed, t)
        for j in range(per_sample):
            out[t, j] = normal(s, j)
    return out


# -- a reference in Python integers and the math module ---------------------------------------

_MASK = (1 << 64) - 1


def _mix64(z: int) -> int:
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


def _bits(s: int, j: int) -> int:
    return _mix64((s + (j + 1) * 0x9E3779B97F4A7C15) & _MASK)


def _uniform(s: int, j: int) -> float:
    return ((_bits(s, j) >> 11) + 0.5) * 2.0**-53


def _reference_normal(s: int, j: int) -> tuple[float, str]:
    """Marsaglia & Tsang's ziggurat written out from the paper, on the same bits; also which
    path decided the draw."""
    X, F, r = ziggurat.X, ziggurat.F, ziggurat.R
    w = _bits(s, j)
    sign = -1.0 if (w >> 8) & 1 else 1.0
    i, x = w & 0xFF, (w >> 11) * 2.0**-53 * X[w & 0xFF]
    if x < X[i + 1]:
        return sign * x, "fast"
    k = 0
    while True:
        if i == 0:
            while True:
                a = -math.log(_uniform(w, k)) / r
                b = -math.log(_uniform(w, k + 1))
                k += 2
                if b + b > a * a:
                    return sign * (r + a), "tail"
        height = F[i] + _uniform(w, k) * (F[i + 1] - F[i])
        k += 1
        if height < math.exp(-0.5 * x * x):
            return sign * x, "wedge"
        v = _bits(w, k)
        k += 1
        i, x = v & 0xFF, (v >> 11) * 2.0**-53 * X[v & 0xFF]
        if x < X[i + 1]:
            return sign * x, "retry"


# -- the tables --------------------------------------------------------------------------------

def test_tables_are_their_derivation():
    xs, fs, v = ziggurat.derive()
    assert np.array_equal(ziggurat.X, xs) and np.array_equal(ziggurat.F, fs)
    assert ziggurat.V == v and ziggurat.R == float(ziggurat.R_TEXT)


def test_every_layer_has_the_same_area():
    X, F, V = ziggurat.X, ziggurat.F, ziggurat.V
    assert X.shape == F.shape == (257,) and X[256] == 0.0 and F[256] == 1.0
    assert np.all(np.diff(X) < 0) and np.all(np.diff(F) > 0)
    assert np.allclose(F, np.exp(-0.5 * X * X), rtol=1e-15, atol=0)
    areas = X[1:256] * (F[2:257] - F[1:256])  # rectangles [0, x_i] x [f(x_i), f(x_{i+1})]
    assert np.max(np.abs(areas / V - 1)) < 1e-13  # the top one closes: r is the root
    base = ziggurat.R * F[1] + math.sqrt(math.pi / 2) * math.erfc(ziggurat.R / math.sqrt(2))
    assert abs(base / V - 1) < 1e-14 and abs(X[0] * F[1] / V - 1) < 1e-15


# -- the draws ---------------------------------------------------------------------------------

def test_normal_is_the_reference_ziggurat_bit_for_bit():
    seen = set()
    for t in range(400):
        s = int(sample_id(3, t))
        got = _stream(s, 0, 64)
        for j in range(64):
            value, path = _reference_normal(s, j)
            assert got[j] == value, (t, j, path)
            seen.add(path)
    assert seen == {"fast", "tail", "wedge", "retry"}  # 25,600 draws reach every path


@pytest.mark.parametrize("j0", [0, 1, 2, 7])
@pytest.mark.parametrize("n", [0, 1, 2, 3, 10, 11])
def test_add_normals_adds_exactly_the_stream(j0, n):
    s = int(sample_id(5, 17))
    base = np.linspace(-1.0, 1.0, n)
    expected = base + 0.3 * _stream(s, j0, n)
    assert np.array_equal(_added(s, j0, 0.3, base), expected)


def test_pair_is_the_even_and_odd_normals():
    for t in range(50):
        s = int(sample_id(3, t))
        for m in range(4):
            assert normal_pair(s, m) == (normal(s, 2 * m), normal(s, 2 * m + 1))


def test_normals_are_standard_normal_and_uncorrelated():
    z = _many(11, 250_000, 4)  # a million draws, four counters per sample
    n = z.size
    flat = z.ravel()
    assert abs(flat.mean()) < 5 / np.sqrt(n)
    assert abs(flat.var() - 1.0) < 5 * np.sqrt(2.0 / n)
    assert abs(np.mean(flat**4) - 3.0) < 5 * np.sqrt(96.0 / n)  # kurtosis of N(0, 1)
    for a, b in ((0, 1), (1, 2), (0, 3)):  # counters of one sample
        assert abs(np.mean(z[:, a] * z[:, b])) < 5 / np.sqrt(z.shape[0])
    assert abs(np.mean(flat[:-4] * flat[4:])) < 5 / np.sqrt(n)  # one sample to the next
    assert abs(np.mean(flat > 0) - 0.5) < 5 * 0.5 / np.sqrt(n)


def test_mass_at_the_layers_edges_and_in_the_tail():
    """P(|Z| in [x_{i+1}, x_i)) for every layer i >= 1 and P(|Z| >= r), by a chi-square test
    on a million draws (256 cells, 255 degrees of freedom, at level 1e-6: it fails by chance
    once in a million runs), and the tail beyond r by a normal approximation."""
    a = np.abs(_many(12, 250_000, 4).ravel())
    n = a.size
    edges = np.concatenate([ziggurat.X[1:257][::-1], [np.inf]])  # 0 = x_256 < ... < x_1 = r
    counts = np.histogram(a, bins=edges)[0]
    cdf = np.array([math.erf(e / math.sqrt(2)) if np.isfinite(e) else 1.0 for e in edges])
    expected = n * np.diff(cdf)
    chi2 = float(np.sum((counts - expected) ** 2 / expected))
    assert chi2 < 377.0  # the chi-square(255) quantile at 1 - 1e-6 is 377.08
    tail = expected[-1]
    assert abs(counts[-1] - tail) < 5 * math.sqrt(tail)
    # within the tail: P(|Z| > 4.5 | |Z| > r) against its exact value
    beyond = np.sum(a > 4.5)
    p = math.erfc(4.5 / math.sqrt(2)) / math.erfc(ziggurat.R / math.sqrt(2))
    assert abs(beyond - counts[-1] * p) < 5 * math.sqrt(counts[-1] * p * (1 - p)) + 1
