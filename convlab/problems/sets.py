"""Exact Euclidean projections and linear minimization oracles of simple convex sets.

Numba helpers (compiled on first call, cached on disk) that oracles and kernels call: every
function writes its result into ``out`` (a float64 vector of the length of its input, which it
may alias only where stated) and returns nothing. Importing this module imports numba, so import
it from a family or kernel module, never from ``convlab/__init__``.

Projections Π_X(v) = argmin_{x in X} ||x − v||:

- :func:`project_simplex`: X = {x >= 0, Σ x = r}, by sorting (Held, Wolfe & Crowder 1974;
  Duchi, Shalev-Shwartz, Singer & Chandra 2008, ICML, Fig. 1), O(d log d);
- :func:`project_l1_ball`: X = {||x||₁ <= r}: the identity inside, else soft-thresholding at the
  level θ given by the simplex projection of |v| (Duchi et al. 2008, §4);
- :func:`project_box`, :func:`project_box_arrays`: X = [lo, hi]^d (scalar or per-coordinate
  bounds), coordinate-wise clipping;
- :func:`project_ball`, :func:`project_ball_origin`: X = {||x − c|| <= r} (centre c, or 0),
  radial scaling;
- :func:`project_nonneg`: X = R^d_+, x = max(v, 0).

Linear minimization oracles LMO_X(g) ∈ argmin_{s in X} <g, s> (Frank–Wolfe):

- :func:`lmo_simplex`: the vertex r·e_i, i = argmin_i g_i (first index on ties);
- :func:`lmo_l1_ball`: the vertex −r·sign(g_i)·e_i, i = argmax_i |g_i| (first index on ties;
  g = 0 gives r·e_0);
- :func:`lmo_box`, :func:`lmo_box_arrays`: s_i = lo_i if g_i > 0, hi_i if g_i < 0, lo_i if
  g_i = 0;
- :func:`lmo_ball`, :func:`lmo_ball_origin`: c − r g/||g|| (c when g = 0).

None of them allocates except the simplex and l1-ball projections (one sort of a copy). A NaN
coordinate of the input of a projection stays NaN in the output (numba's ``max(w, 0.0)`` returns
its first argument when it is NaN, and the tests are written so that a NaN fails them): a
diverged iterate is not projected back to a finite point that would look converged.
"""

from __future__ import annotations

import numpy as np

from ..runtime.jit import njit_helper


@njit_helper
def project_simplex(v, r, out):
    """out = Π(v) onto {x >= 0, Σ x = r} (r > 0), by sorting. ``out`` may alias ``v``.

    With u = v sorted decreasingly, ρ = max{j : u_j − (Σ_{i<=j} u_i − r)/j > 0} and
    θ = (Σ_{i<=ρ} u_i − r)/ρ, the projection is max(v − θ, 0).
    """
    d = v.shape[0]
    u = np.sort(v)[::-1]
    cumsum = 0.0
    theta = 0.0
    for j in range(d):
        cumsum += u[j]
        t = (cumsum - r) / (j + 1)
        if u[j] - t > 0.0:
            theta = t
    for i in range(d):
        out[i] = max(v[i] - theta, 0.0)


@njit_helper
def project_l1_ball(v, r, out):
    """out = Π(v) onto {||x||₁ <= r} (r > 0). ``out`` may alias ``v``.

    Inside the ball the identity; outside, x_i = sign(v_i) max(|v_i| − θ, 0) with θ the
    threshold of the simplex projection of |v| onto {Σ x = r}.
    """
    d = v.shape[0]
    norm1 = 0.0
    for i in range(d):
        norm1 += abs(v[i])
    if norm1 <= r:
        for i in range(d):
            out[i] = v[i]
        return
    u = np.sort(np.abs(v))[::-1]
    cumsum = 0.0
    theta = 0.0
    for j in range(d):
        cumsum += u[j]
        t = (cumsum - r) / (j + 1)
        if u[j] - t > 0.0:
            theta = t
    for i in range(d):
        a = abs(v[i]) - theta
        if a <= 0.0:
            out[i] = 0.0
        elif v[i] > 0.0:
            out[i] = a
        else:
            out[i] = -a


@njit_helper
def project_box(v, lo, hi, out):
    """out = Π(v) onto [lo, hi]^d (scalars lo <= hi). ``out`` may alias ``v``."""
    for i in range(v.shape[0]):
        a = v[i]
        out[i] = lo if a < lo else (hi if a > hi else a)


@njit_helper
def project_box_arrays(v, lo, hi, out):
    """out = Π(v) onto the box Π_i [lo_i, hi_i] (arrays lo <= hi). ``out`` may alias ``v``."""
    for i in range(v.shape[0]):
        a = v[i]
        out[i] = lo[i] if a < lo[i] else (hi[i] if a > hi[i] else a)


@njit_helper
def project_nonneg(v, out):
    """out = max(v, 0), the projection onto the nonnegative orthant. ``out`` may alias ``v``."""
    for i in range(v.shape[0]):
        out[i] = max(v[i], 0.0)


@njit_helper
def project_ball(v, c, r, out):
    """out = Π(v) onto the Euclidean ball {||x − c|| <= r} (c an array, r >= 0): the identity
    when ||v − c|| <= r, else c + (v − c)·(r/||v − c||). ``out`` may alias ``v``.

    With c = 0 the result equals :func:`project_ball_origin` (same operations)."""
    d = v.shape[0]
    n2 = 0.0
    for i in range(d):
        e = v[i] - c[i]
        n2 += e * e
    nrm = np.sqrt(n2)
    if nrm > r:
        scale = r / nrm
        for i in range(d):
            out[i] = c[i] + (v[i] - c[i]) * scale
    else:
        for i in range(d):
            out[i] = v[i]


@njit_helper
def project_ball_origin(v, r, out):
    """out = Π(v) onto the Euclidean ball {||x|| <= r} centred at 0 (r >= 0): the identity when
    ||v|| <= r, else v·(r/||v||). ``out`` may alias ``v``."""
    d = v.shape[0]
    n2 = 0.0
    for i in range(d):
        n2 += v[i] * v[i]
    nrm = np.sqrt(n2)
    if nrm > r:
        scale = r / nrm
        for i in range(d):
            out[i] = v[i] * scale
    else:
        for i in range(d):
            out[i] = v[i]


@njit_helper
def lmo_simplex(g, r, out):
    """out = r·e_i with i = argmin_i g_i: a minimiser of <g, s> on {s >= 0, Σ s = r}."""
    best = 0
    for i in range(1, g.shape[0]):
        if g[i] < g[best]:
            best = i
    for i in range(g.shape[0]):
        out[i] = 0.0
    out[best] = r


@njit_helper
def lmo_l1_ball(g, r, out):
    """out = −r·sign(g_i)·e_i with i = argmax_i |g_i|: a minimiser of <g, s> on {||s||₁ <= r}."""
    best = 0
    for i in range(1, g.shape[0]):
        if abs(g[i]) > abs(g[best]):
            best = i
    for i in range(g.shape[0]):
        out[i] = 0.0
    out[best] = -r if g[best] > 0.0 else r


@njit_helper
def lmo_box(g, lo, hi, out):
    """A minimiser of <g, s> on [lo, hi]^d: s_i = lo if g_i >= 0, else hi."""
    for i in range(g.shape[0]):
        out[i] = lo if g[i] >= 0.0 else hi


@njit_helper
def lmo_box_arrays(g, lo, hi, out):
    """A minimiser of <g, s> on the box Π_i [lo_i, hi_i]: s_i = lo_i if g_i >= 0, else hi_i."""
    for i in range(g.shape[0]):
        out[i] = lo[i] if g[i] >= 0.0 else hi[i]


@njit_helper
def lmo_ball(g, c, r, out):
    """A minimiser of <g, s> on {||s − c|| <= r}: c − r g/||g|| (c when g = 0 or ||g|| is NaN).

    With c = 0 the result equals :func:`lmo_ball_origin` (same operations)."""
    d = g.shape[0]
    n2 = 0.0
    for i in range(d):
        n2 += g[i] * g[i]
    nrm = np.sqrt(n2)
    for i in range(d):
        out[i] = c[i] - r * g[i] / nrm if nrm > 0.0 else c[i]


@njit_helper
def lmo_ball_origin(g, r, out):
    """A minimiser of <g, s> on {||s|| <= r}: −r g/||g|| (0 when g = 0 or ||g|| is NaN)."""
    d = g.shape[0]
    n2 = 0.0
    for i in range(d):
        n2 += g[i] * g[i]
    nrm = np.sqrt(n2)
    for i in range(d):
        out[i] = -r * g[i] / nrm if nrm > 0.0 else 0.0
