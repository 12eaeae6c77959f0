"""Seeds as a statistic any design can use: the checked value over seeds, and escalation.

A claim with ``seeds = n`` runs seeds 0..n−1 and checks, at every point, the ``statistic`` of
the per-seed errors (the mean, or a quantile) with simultaneous confidence intervals
(:mod:`convlab.rates.statistics`). While the verdict is ``inconclusive``, the seeds double up to
``max_seeds``: each doubling is a new plan with the seeds not yet run.
"""

from __future__ import annotations

import numpy as np

from ..claims import Claim
from ..outcomes import SeedsEvidence
from ..rates.statistics import seed_statistic


def statistic(claim: Claim, errors: np.ndarray, looks: int = 1
              ) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None, SeedsEvidence | None]:
    """(value, low, high, evidence) of the claim's statistic over the rows of ``errors``; one
    row is a single run (no interval, no evidence)."""
    E = np.atleast_2d(errors)
    if E.shape[0] <= 1:
        return (E[0] if E.size else np.zeros(0)), None, None, None
    stat = seed_statistic(E, claim.statistic, claim.quantile)
    return stat.value, stat.low, stat.high, SeedsEvidence(stat.n_seeds, stat.statistic,
                                                          stat.level, looks)


def more_seeds(claim: Claim, done: int) -> tuple[int, ...] | None:
    """The seeds of the next look (double the seeds so far, up to ``max_seeds``), or None."""
    if done >= claim.max_seeds:
        return None
    return tuple(range(done, min(2 * done, claim.max_seeds)))
