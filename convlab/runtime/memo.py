"""The gradient memo: one exact gradient kept between oracle calls of a run.

Why. A claim on a stationarity measure (min or mean of ||∇f(x_k)||² over the iterates) has the
loop evaluate the exact gradient at every iterate, and a stochastic method evaluates its
stochastic gradient at the same iterate. When the stochastic gradient is the exact gradient
plus noise, both calls compute the same exact gradient: on a finite sum (cauchy-regression,
n = 200, d = 20) that is two passes over the data per iteration where one suffices.

How. A family whose ``grad`` and ``sgrad`` oracles compute the exact gradient the same way
declares ``gradient_memo`` (:class:`~convlab.problems.base.Problem`); its oracles then call
:func:`recall_gradient` before computing and :func:`keep_gradient` after. The memo lives in a
block after the family's own parameters ``p[:n]``::

    p[n] = 1 when a gradient is kept, p[n + 1 : n + 1 + d] = its point x, p[n + 1 + d :] = ∇f(x)

The loop (:mod:`convlab.runtime.loop`) appends the block to a copy of ``p`` for each run when
the run tracks the gradient (``track`` bit :data:`~convlab.runtime.kernel.TRACK_MEMO`, set by
:mod:`convlab.run`); every other caller passes the family's own ``p`` (length n), and the
helpers then do nothing. A recalled gradient is the one the oracle computed at a point equal
to x bit for bit (both zeros' signs and every NaN tell points apart), so a run gives the same
numbers with the memo as without it (tests/test_gradient_memo.py).
"""

from __future__ import annotations

import numpy as np

from .jit import njit_inlined


@njit_inlined
def memo_size(d):
    """Length of the memo block for dimension d: a flag, the point, the gradient."""
    return 1 + 2 * d


@njit_inlined
def _same_bits(a, b):
    """a and b are the same double (−0.0 and 0.0 differ; NaN differs from everything)."""
    return a == b and np.signbit(a) == np.signbit(b)


@njit_inlined
def recall_gradient(p, n, x, out):
    """If ``p`` carries a memo block after its first n entries and the gradient kept there was
    computed at x, copy it into ``out`` and return True; otherwise return False."""
    d = x.shape[0]
    if p.shape[0] != n + memo_size(d) or p[n] == 0.0:
        return False
    for i in range(d):
        if not _same_bits(x[i], p[n + 1 + i]):
            return False
    for i in range(d):
        out[i] = p[n + 1 + d + i]
    return True


@njit_inlined
def keep_gradient(p, n, x, g):
    """Keep the gradient g computed at x in the memo block of ``p`` (if it carries one)."""
    d = x.shape[0]
    if p.shape[0] != n + memo_size(d):
        return
    for i in range(d):
        p[n + 1 + i] = x[i]
        p[n + 1 + d + i] = g[i]
    p[n] = 1.0
