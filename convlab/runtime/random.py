"""Counter-based random numbers for stochastic kernels: bit-for-bit reproducible, thread-safe.

A stochastic kernel draws nothing from a global state. Iteration t of the run with seed ``seed``
uses the sample ``s = sample_id(seed, t)`` (a non-negative int64), and every random number of
that iteration is a pure function of ``(s, j)`` for a counter j: ``uniform(s, j)``,
``normal(s, j)``, ``randint(s, j, n)``. A normal is one ziggurat draw on the bits of its
own counter (:func:`normal`: 3 ns per normal, where Box–Muller's logarithm, square root and
cosine took 23 ns). The same seed therefore gives the same trace in any process and in any
order of execution, so seeds can run in parallel with results identical to a serial run, and
two oracle calls with the same sample see the same noise (SVRG, common random numbers across
compared parameters).

The mixing function is SplitMix64's finaliser (Steele, Lea & Flood 2014, "Fast splittable
pseudorandom number generators", OOPSLA), applied to ``s + (j + 1)·γ`` with γ the 64-bit golden
ratio: exactly the SplitMix64 stream started at s.
"""

from __future__ import annotations

import numpy as np

from .jit import njit_helper, njit_inlined
from .ziggurat import F as _ZF
from .ziggurat import R as _ZR
from .ziggurat import X as _ZX

_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)
_ONE = np.uint64(1)
_TWO_M53 = 2.0 ** -53


@njit_inlined
def mix64(z):
    """SplitMix64 finaliser of a uint64."""
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@njit_inlined
def bits(s, j):
    """64 random bits (uint64) from sample s and counter j."""
    return mix64(np.uint64(s) + (np.uint64(j) + _ONE) * _GAMMA)


@njit_inlined
def sample_id(seed, t):
    """The sample of iteration t of the run with this seed: a non-negative int64."""
    z = mix64(mix64(np.uint64(seed) * _GAMMA + _ONE) + np.uint64(t) * _GAMMA)
    return np.int64(z >> _ONE)


@njit_inlined
def uniform(s, j):
    """A uniform float in the open interval (0, 1)."""
    return (np.float64(bits(s, j) >> _S11) + 0.5) * _TWO_M53


_LAYER = np.uint64(0xFF)
_S8 = np.uint64(8)


@njit_inlined
def normal(s, j):
    """Standard normal j of sample s, by the ziggurat method (Marsaglia & Tsang 2000; tables in
    :mod:`convlab.runtime.ziggurat`) on the 64 bits w = bits(s, j): layer i = w mod 256, sign
    bit 8, u = the top 53 bits / 2⁵³, x = u·x_i; x < x_{i+1} (98.5 % of draws) is returned
    with its sign at once. Otherwise :func:`_ziggurat_rest` settles the draw on random numbers
    of the sample w (a stream of its own), so normal j uses counter j of s and no other:
    normals 0..n−1 use the counters 0..n−1 and a sample's other counters stay free. The layers'
    bits and u's bits are disjoint (no correlation between the layer and the value, Doornik
    2005)."""
    w = bits(s, j)
    i = np.int64(w & _LAYER)
    x = np.float64(w >> _S11) * _TWO_M53 * _ZX[i]
    if x >= _ZX[i + 1]:
        x = _ziggurat_rest(w, i, x)
    return -x if (w >> _S8) & _ONE else x


@njit_helper
def _ziggurat_rest(w, i, x):
    """The magnitude of a draw whose first try x = u·x_i in layer i fell outside x_{i+1}: in
    the base layer (i = 0) a draw from the tail x > r (Marsaglia 1964: a = −ln(u₁)/r,
    b = −ln(u₂) until 2b > a², then r + a); in another layer x is kept when a uniform height in
    [f(x_i), f(x_{i+1})] lies under exp(−x²/2); else a new try (layer, u) is made. Every
    number comes from the sample w, counters 0, 1, 2, ..."""
    k = 0
    while True:
        if i == 0:
            while True:
                a = -np.log(uniform(w, k)) / _ZR
                b = -np.log(uniform(w, k + 1))
                k += 2
                if b + b > a * a:
                    return _ZR + a
        height = _ZF[i] + uniform(w, k) * (_ZF[i + 1] - _ZF[i])
        k += 1
        if height < np.exp(-0.5 * x * x):
            return x
        v = bits(w, k)
        k += 1
        i = np.int64(v & _LAYER)
        x = np.float64(v >> _S11) * _TWO_M53 * _ZX[i]
        if x < _ZX[i + 1]:
            return x


@njit_inlined
def normal_pair(s, m):
    """Standard normals 2m and 2m+1 of sample s: (normal(s, 2m), normal(s, 2m+1))."""
    return normal(s, 2 * m), normal(s, 2 * m + 1)


@njit_inlined
def add_normals(s, j0, scale, out):
    """out[i] += scale · normal(s, j0 + i) for every i."""
    for i in range(out.shape[0]):
        out[i] += scale * normal(s, j0 + i)


@njit_inlined
def randint(s, j, n):
    """A uniform integer in 0..n−1 (n >= 1; bias below n·2⁻⁵³)."""
    k = np.int64(uniform(s, j) * n)
    return k if k < n else n - 1
