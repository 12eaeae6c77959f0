"""Seeds as a statistic any design can use: the checked value over seeds, and escalation.

A claim with ``seeds = n`` runs seeds 0..n−1 and checks, at every point, the ``statistic`` of
the per-seed errors (the mean, or a quantile) with simultaneous confidence intervals
(:mod:`convlab.rates.statistics`). While the verdict is ``inconclusive``, the seeds double up to
``max_seeds``: each doubling is a new plan with the seeds not yet run, a new *look* at the data.

Looking again until a verdict comes would spend the error probability more than once. The looks
therefore share it (alpha spending): with J = 1 + ceil(log2(max_seeds / seeds)) possible looks
and α = 0.05, look j (1-based) uses the level 1 − α_j with α_j = α 2^(−j) / (1 − 2^(−J)), so
Σ_j α_j = α over all looks, whatever the data decide. A claim without escalation (max_seeds =
seeds) has one look at the full 95 %.
"""

from __future__ import annotations

import math

import numpy as np

from ..claims import Claim
from ..outcomes import SeedsEvidence
from ..rates.statistics import seed_statistic


#: Family-wise error probability of a claim's intervals over all its looks.
ALPHA = 0.05


def possible_looks(claim: Claim) -> int:
    """How many looks seed escalation can make: 1 + the doublings from seeds to max_seeds."""
    if claim.max_seeds <= claim.seeds:
        return 1
    return 1 + math.ceil(math.log2(claim.max_seeds / claim.seeds))


def level(claim: Claim, look: int) -> float:
    """The confidence level of look ``look`` (1-based) under alpha spending."""
    total = possible_looks(claim)
    if total == 1:
        return 1.0 - ALPHA
    return 1.0 - ALPHA * 2.0 ** (-look) / (1.0 - 2.0 ** (-total))


def statistic(claim: Claim, errors: np.ndarray, looks: int = 1
              ) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None, SeedsEvidence | None]:
    """(value, low, high, evidence) of the claim's statistic over the rows of ``errors`` at look
    ``looks``; one row is a single run (no interval, no evidence)."""
    E = np.atleast_2d(errors)
    if E.shape[0] <= 1:
        return (E[0] if E.size else np.zeros(0)), None, None, None
    stat = seed_statistic(E, claim.statistic, claim.quantile, level=level(claim, looks))
    return stat.value, stat.low, stat.high, SeedsEvidence(stat.n_seeds, stat.statistic,
                                                          stat.level, looks)


def more_seeds(claim: Claim, done: int) -> tuple[int, ...] | None:
    """The seeds of the next look (double the seeds so far, up to ``max_seeds``), or None."""
    if done >= claim.max_seeds:
        return None
    return tuple(range(done, min(2 * done, claim.max_seeds)))
