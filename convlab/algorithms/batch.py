"""Many seeds of one kernel in parallel: a numba ``prange`` over seeds.

The batch function takes the kernel as a typed first-class function (the method signature of
:mod:`convlab._jit`), so one compiled batch serves every kernel, and numba's cache keeps it.
Each seed's run is a pure function of the seed (counter-based random numbers,
:mod:`convlab.algorithms._random`), so the results do not depend on the number of threads or
the order in which seeds run.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np


@lru_cache(maxsize=None)
def seed_batch():
    """The compiled batch function (compiled on first use, cached on disk)."""
    from numba import njit, prange, types

    from ..runtime.jit import signature

    f8v = types.float64[::1]
    f8m = types.float64[:, ::1]
    i8 = types.int64
    out = types.Tuple((types.float64[:, :, :, ::1], types.float64[:, :, ::1],
                       types.int64[::1], types.int64[::1]))
    sig = out(types.FunctionType(signature("method")), signature("oracles"), f8m, f8v, f8v, f8v,
              f8v, types.int64[::1], types.int64[::1], i8, i8, i8)

    @njit(sig, parallel=True, cache=True)
    def batch(kernel, oracles, A, b, p, x0, hyper, checkpoints, seeds, track, n_points,
              n_scalars):
        n = seeds.shape[0]
        m = checkpoints.shape[0]
        d = x0.shape[0]
        points = np.full((n, m, n_points, d), np.nan)
        scalars = np.full((n, m, n_scalars), np.nan)
        counts = np.zeros(n, dtype=np.int64)
        status = np.zeros(n, dtype=np.int64)
        for i in prange(n):
            pts, sc, c, st = kernel(oracles, A, b, p, x0, hyper, checkpoints, seeds[i], track)
            points[i, :, :, :] = pts
            scalars[i, :, : sc.shape[1]] = sc
            counts[i] = c
            status[i] = st
        return points, scalars, counts, status

    return batch
