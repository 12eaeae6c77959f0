"""The one loop every kernel runs in: recording, running quantities, divergence, stop.

:func:`driver` runs a :class:`~convlab.runtime.kernel.Kernel` from x0 to the last checkpoint::

    X[r] = x0 for every row r, s = 0; init(...)
    for each checkpoint c_j:
        advance from the current k to c_j          (one call, or one per iteration when tracking)
        observe(c_j) -> points[j], scalars[j]      (the kernel's record of x_{c_j})
        stop if the iterate (row 0) is non-finite or above DIVERGENCE_THRESHOLD

``advance`` may return STATUS_DIVERGED (record this checkpoint, end as diverged),
STATUS_STOPPED (the state is final: record it at every remaining checkpoint) or STATUS_FINISHED
(end here with status ok, recording nothing more); ``observe`` may return STATUS_DIVERGED or
STATUS_FINISHED.

Running quantities (``track``, bits :data:`~convlab.runtime.kernel.TRACK_VALUE` and
``TRACK_GRAD``) need every iterate x_0, x_1, ...: the loop then advances one iteration at a
time and folds f(x_k) − f* (value oracle) and ||∇f(x_k)||² (full gradient) of row 0 into the
columns :data:`~convlab.runtime.kernel.TRACK_COLUMNS`; a bit not set costs no oracle call and
leaves its columns NaN. With the bit :data:`~convlab.runtime.kernel.TRACK_MEMO` the run's
oracles get a copy of ``p`` followed by a gradient memo block (:mod:`convlab.runtime.memo`),
so that a stochastic gradient at the iterate just tracked, or a tracked iterate whose
stochastic gradient was just drawn, reuses the exact gradient instead of computing it again.

Subnormal numbers. A run converging to x* = 0 decays through the subnormal range, where
arithmetic is 25-60 times slower; no measure is read there (the floor of every measure is at
least the smallest normal number). The loop therefore sets the flush-to-zero and
denormals-are-zero bits of the thread's MXCSR register for the duration of the run (x86-64;
restored on return), so a result that would be subnormal is 0. Results above the subnormal
range are unchanged bit for bit.

:func:`seed_batch` runs many seeds of a kernel in a numba ``prange``; every run is a pure
function of its seed, so the traces equal serial runs bitwise, whatever the thread count.
"""

from __future__ import annotations

import platform
from functools import lru_cache

import numpy as np

from .jit import (DIVERGENCE_THRESHOLD, GRAD, STATUS_DIVERGED, STATUS_FINISHED, STATUS_OK,
                  STATUS_STOPPED, VALUE, lazy_jit, njit_helper, signature)
from .kernel import TRACK_GRAD, TRACK_MEMO, TRACK_VALUE
from .memo import memo_size

#: Number of running-quantity columns the loop writes first in every record.
N_TRACK = 3

_FTZ_DAZ = 0x8040  # MXCSR bits 15 (flush to zero) and 6 (denormals are zero)

FLUSH_TO_ZERO = platform.machine().lower() in ("x86_64", "amd64")


def _mxcsr_intrinsics():
    """(get, set) of the thread's MXCSR register as numba intrinsics (x86-64 only)."""
    from llvmlite import ir
    from numba import types
    from numba.core import cgutils
    from numba.extending import intrinsic

    i8p = ir.IntType(8).as_pointer()

    def _call(builder, name, ptr):
        fnty = ir.FunctionType(ir.VoidType(), [i8p])
        fn = cgutils.get_or_insert_function(builder.module, fnty, name)
        builder.call(fn, [builder.bitcast(ptr, i8p)])

    @intrinsic
    def get_mxcsr(typingctx):
        def codegen(context, builder, sig, args):
            ptr = cgutils.alloca_once(builder, ir.IntType(32))
            _call(builder, "llvm.x86.sse.stmxcsr", ptr)
            return builder.zext(builder.load(ptr), ir.IntType(64))
        return types.int64(), codegen

    @intrinsic
    def set_mxcsr(typingctx, value):
        def codegen(context, builder, sig, args):
            ptr = cgutils.alloca_once(builder, ir.IntType(32))
            builder.store(builder.trunc(args[0], ir.IntType(32)), ptr)
            _call(builder, "llvm.x86.sse.ldmxcsr", ptr)
            return context.get_dummy_value()
        return types.void(types.int64), codegen

    return get_mxcsr, set_mxcsr


if FLUSH_TO_ZERO:
    _get_mxcsr, _set_mxcsr = _mxcsr_intrinsics()

    @njit_helper
    def enter_flush_to_zero():
        """Set flush-to-zero and denormals-are-zero; return the previous MXCSR."""
        old = _get_mxcsr()
        _set_mxcsr(old | _FTZ_DAZ)
        return old

    @njit_helper
    def leave_flush_to_zero(old):
        """Restore the MXCSR saved by :func:`enter_flush_to_zero`."""
        _set_mxcsr(old)
else:
    @njit_helper
    def enter_flush_to_zero():
        """No-op on this architecture."""
        return 0

    @njit_helper
    def leave_flush_to_zero(old):
        """No-op on this architecture."""
        return None


@njit_helper
def diverging(x):
    """True when a coordinate of x is non-finite or above the divergence threshold."""
    for i in range(x.shape[0]):
        v = x[i]
        if not np.isfinite(v) or abs(v) > DIVERGENCE_THRESHOLD:
            return True
    return False


@njit_helper
def track_step(acc, oracles, A, b, p, x, work, track):
    """Fold iterate x into ``acc`` = [best f − f*, min ||∇f||², Σ ||∇f||², count]: the value
    oracle with bit 1 of ``track``, the full gradient with bit 2."""
    if track & 1:
        f_gap = oracles[VALUE](A, b, p, x)
        if f_gap < acc[0]:
            acc[0] = f_gap
    if track & 2:
        oracles[GRAD](A, b, p, x, work)
        g2 = 0.0
        for i in range(x.shape[0]):
            g2 += work[i] * work[i]
        if g2 < acc[1]:
            acc[1] = g2
        acc[2] += g2
        acc[3] += 1.0


@njit_helper
def track_store(row, acc, track):
    """Write the running quantities into ``row[0:3]`` (NaN for a bit not tracked)."""
    if track & 1:
        row[0] = acc[0]
    if track & 2:
        row[1] = acc[1]
        row[2] = acc[2] / acc[3] if acc[3] > 0 else np.nan


@lazy_jit("init")
def init_nothing(oracles, A, b, p, hyper, seed, X, s):
    """The default init: the state stays as the loop set it (every row x0, scalars 0)."""
    return None


@lazy_jit("observe")
def observe_copy(oracles, A, b, p, hyper, seed, k, X, s, P, S):
    """The default record: the first rows of X are the points, the first entries of s the
    scalars."""
    for r in range(P.shape[0]):
        for i in range(P.shape[1]):
            P[r, i] = X[r, i]
    for c in range(S.shape[0]):
        S[c] = s[c]
    return STATUS_OK


def _driver(init, advance, observe, oracles, A, b, p_in, x0, hyper, checkpoints, seed, track,
            rows, n_points, n_state, n_scalars):
    """The loop of the module docstring; returns (points, scalars, n_recorded, status)."""
    d = x0.shape[0]
    m = checkpoints.shape[0]
    X = np.empty((rows, d))
    for r in range(rows):
        for i in range(d):
            X[r, i] = x0[i]
    s = np.zeros(max(n_state, 1))
    points = np.full((m, n_points, d), np.nan)
    scalars = np.full((m, N_TRACK + n_scalars), np.nan)
    acc = np.empty(4)
    acc[0] = np.inf
    acc[1] = np.inf
    acc[2] = 0.0
    acc[3] = 0.0
    work = np.empty(d)
    if track & TRACK_MEMO:  # the run's own p, with an empty gradient memo block after it
        n_p = p_in.shape[0]
        p = np.zeros(n_p + memo_size(d))
        for i in range(n_p):
            p[i] = p_in[i]
    else:
        p = p_in
    tracking = track & (TRACK_VALUE | TRACK_GRAD)
    saved = enter_flush_to_zero()
    init(oracles, A, b, p, hyper, seed, X, s)
    status = STATUS_OK
    stopped = False
    tracked = -1  # the last k whose iterate was folded into acc
    k = 0
    n = 0
    for j in range(m):
        target = checkpoints[j]
        if not stopped:
            if tracking != 0:
                while k < target and status == STATUS_OK:
                    if k > tracked:
                        track_step(acc, oracles, A, b, p, X[0], work, track)
                        tracked = k
                    status = advance(oracles, A, b, p, hyper, seed, checkpoints, k, k + 1, X, s)
                    k += 1
            elif k < target:
                status = advance(oracles, A, b, p, hyper, seed, checkpoints, k, target, X, s)
                k = target
            if status == STATUS_STOPPED:
                stopped = True
                status = STATUS_OK
            if status == STATUS_FINISHED:
                status = STATUS_OK
                break
            if tracking != 0 and k > tracked and status == STATUS_OK:
                track_step(acc, oracles, A, b, p, X[0], work, track)
                tracked = k
        P = points[j]
        S = scalars[j, N_TRACK:]
        observed = observe(oracles, A, b, p, hyper, seed, target, X, s, P, S)
        if observed == STATUS_FINISHED:
            break
        if tracking != 0:
            track_store(scalars[j], acc, track)
        n = j + 1
        if status != STATUS_OK or observed != STATUS_OK or diverging(P[0]):
            status = STATUS_DIVERGED
            break
    leave_flush_to_zero(saved)
    return points, scalars, n, status


@lru_cache(maxsize=None)
def driver():
    """The compiled loop (compiled on first use with its signature, cached on disk)."""
    from numba import njit

    return njit(signature("driver"), cache=True)(_driver)


def _batch_signature():
    from numba import types

    f8v = types.float64[::1]
    f8m = types.float64[:, ::1]
    i8 = types.int64
    i8v = types.int64[::1]
    out = types.Tuple((types.float64[:, :, :, ::1], types.float64[:, :, ::1], i8v, i8v))
    return out, f8v, f8m, i8, i8v


_LOOP = None  # the compiled loop, set by seed_batch() before it compiles the batch


@lru_cache(maxsize=None)
def seed_batch():
    """Many seeds of one kernel through the loop, in a numba ``prange`` (compiled on first use,
    cached on disk). Returns stacked (points, scalars, n_recorded, status), one row per seed."""
    from numba import njit, prange, types

    out, f8v, f8m, i8, i8v = _batch_signature()
    sig = out(types.FunctionType(signature("init")), types.FunctionType(signature("advance")),
              types.FunctionType(signature("observe")), signature("oracles"), f8m, f8v, f8v,
              f8v, f8v, i8v, i8v, i8, i8, i8, i8, i8)
    # a module global, not a closure variable: numba's disk cache misses on closures
    global _LOOP
    _LOOP = driver()

    @njit(sig, parallel=True, cache=True)
    def batch(init, advance, observe, oracles, A, b, p, x0, hyper, checkpoints, seeds, track,
              rows, n_points, n_state, n_scalars):
        n = seeds.shape[0]
        m = checkpoints.shape[0]
        d = x0.shape[0]
        points = np.full((n, m, n_points, d), np.nan)
        scalars = np.full((n, m, N_TRACK + n_scalars), np.nan)
        counts = np.zeros(n, dtype=np.int64)
        status = np.zeros(n, dtype=np.int64)
        for i in prange(n):
            pts, sc, c, st = _LOOP(init, advance, observe, oracles, A, b, p, x0, hyper,
                                   checkpoints, seeds[i], track, rows, n_points, n_state,
                                   n_scalars)
            points[i, :, :, :] = pts
            scalars[i, :, :] = sc
            counts[i] = c
            status[i] = st
        return points, scalars, counts, status

    return batch


@lru_cache(maxsize=None)
def method_batch():
    """Many seeds of a whole-run kernel (the legacy ``method`` signature) in a ``prange``."""
    from numba import njit, prange, types

    out, f8v, f8m, i8, i8v = _batch_signature()
    sig = out(types.FunctionType(signature("method")), signature("oracles"), f8m, f8v, f8v, f8v,
              f8v, i8v, i8v, i8, i8, i8)

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
