"""Counter-based random numbers for stochastic kernels: bit-for-bit reproducible, thread-safe.

A stochastic kernel draws nothing from a global state. Iteration t of the run with seed ``seed``
uses the sample ``s = sample_id(seed, t)`` (a non-negative int64), and every random number of
that iteration is a pure function of ``(s, j)`` for a counter j: ``uniform(s, j)``,
``normal(s, j)``, ``randint(s, j, n)``. Normals come in Box–Muller pairs: normals 2m and 2m+1
are the two halves of one draw (:func:`normal_pair`), so a kernel or oracle that needs a vector
of normals pays one logarithm and one square root per two (:func:`add_normals`). The same seed therefore gives the same trace in any
process and in any order of execution, so seeds can run in parallel with results identical to a
serial run, and two oracle calls with the same sample see the same noise (SVRG, common random
numbers across compared parameters).

The mixing function is SplitMix64's finaliser (Steele, Lea & Flood 2014, "Fast splittable
pseudorandom number generators", OOPSLA), applied to ``s + (j + 1)·γ`` with γ the 64-bit golden
ratio: exactly the SplitMix64 stream started at s.
"""

from __future__ import annotations

import numpy as np

from .jit import njit_helper

_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)
_ONE = np.uint64(1)
_TWO_M53 = 2.0 ** -53


@njit_helper
def mix64(z):
    """SplitMix64 finaliser of a uint64."""
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@njit_helper
def bits(s, j):
    """64 random bits (uint64) from sample s and counter j."""
    return mix64(np.uint64(s) + (np.uint64(j) + _ONE) * _GAMMA)


@njit_helper
def sample_id(seed, t):
    """The sample of iteration t of the run with this seed: a non-negative int64."""
    z = mix64(mix64(np.uint64(seed) * _GAMMA + _ONE) + np.uint64(t) * _GAMMA)
    return np.int64(z >> _ONE)


@njit_helper
def uniform(s, j):
    """A uniform float in the open interval (0, 1)."""
    return (np.float64(bits(s, j) >> _S11) + 0.5) * _TWO_M53


@njit_helper
def normal_pair(s, m):
    """Standard normals 2m and 2m+1 of sample s: both halves of one Box–Muller draw on the
    uniforms 2m and 2m+1, (r cos θ, r sin θ) with r = sqrt(−2 ln u₁), θ = 2π u₂ (independent
    standard normals)."""
    u1 = uniform(s, 2 * m)
    u2 = uniform(s, 2 * m + 1)
    r = np.sqrt(-2.0 * np.log(u1))
    theta = 2.0 * np.pi * u2
    return r * np.cos(theta), r * np.sin(theta)


@njit_helper
def normal(s, j):
    """Standard normal j of sample s: the cosine half of Box–Muller draw j // 2 for an even j,
    its sine half for an odd j (the same number :func:`normal_pair` and :func:`add_normals`
    give; normals 0..n−1 use the uniforms 0..n, so other counters of a sample stay free)."""
    m = j >> 1
    u1 = uniform(s, 2 * m)
    u2 = uniform(s, 2 * m + 1)
    r = np.sqrt(-2.0 * np.log(u1))
    theta = 2.0 * np.pi * u2
    if j & 1:
        return r * np.sin(theta)
    return r * np.cos(theta)


@njit_helper
def add_normals(s, j0, scale, out):
    """out[i] += scale · normal(s, j0 + i) for every i: two normals per logarithm and square
    root (half the cost of drawing them one by one)."""
    n = out.shape[0]
    i = 0
    if j0 & 1 and n > 0:
        out[0] += scale * normal(s, j0)
        i = 1
    while i + 1 < n:
        z0, z1 = normal_pair(s, (j0 + i) >> 1)
        out[i] += scale * z0
        out[i + 1] += scale * z1
        i += 2
    if i < n:
        out[i] += scale * normal(s, j0 + i)


@njit_helper
def randint(s, j, n):
    """A uniform integer in 0..n−1 (n >= 1; bias below n·2⁻⁵³)."""
    k = np.int64(uniform(s, j) * n)
    return k if k < n else n - 1
