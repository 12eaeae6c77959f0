"""Checkpoint schedules: which iterations a kernel records in its one run."""

from __future__ import annotations

import numpy as np


def checkpoints(n_iter: int, *, dense: int = 100, per_decade: int = 40) -> np.ndarray:
    """Iterations 0..n_iter to record: every k up to ``dense``, then about ``per_decade`` points
    per decade (geometric), always including ``n_iter``.

    Returns a sorted, unique ``int64`` array.
    """
    n_iter = int(n_iter)
    if n_iter < 0:
        raise ValueError(f"n_iter must be >= 0, got {n_iter}")
    head = np.arange(min(dense, n_iter) + 1)
    if n_iter <= dense:
        return head.astype(np.int64)
    n_tail = max(2, int(np.ceil(per_decade * np.log10(n_iter / dense))) + 1)
    tail = np.unique(np.round(np.geomspace(dense, n_iter, n_tail)).astype(np.int64))
    return np.unique(np.concatenate([head, tail, [n_iter]])).astype(np.int64)
