"""Deciding a checked sequence: the claim's bound against errors on an axis (the anytime and
horizon designs), with a statistic over seeds."""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from ..claims import Claim
from ..errors import InputError
from ..outcomes import Curve, Outcome
from ..rates.checker import check_rate
from ..problems.registry import InstanceSpec
from .seeds import statistic


def decide_sequence(claim: Claim, spec: InstanceSpec, design: str, axis: str, x: np.ndarray,
                    rows: np.ndarray, constants: Mapping[str, Any], floor: Any,
                    floor_source: str, diverged_at: float | None, looks: int, plans: int,
                    runs: int) -> Outcome:
    """Check the claim's bound on the statistic of ``rows`` (seeds x points) at ``x``, with the
    floor (a number, or one per point) the runs established."""
    value, low, high, seeds = statistic(claim, rows, looks)
    try:
        check = check_rate(x, value, claim.bound, kind=claim.kind, constants=constants,
                           floor=floor, floor_source=floor_source, window=claim.window,
                           band=claim.band, rtol=claim.rtol, order_tol=claim.order_tol,
                           diverged_at=diverged_at,
                           interval=(low, high) if low is not None else None)
    except InputError as exc:
        raise exc.located(field="bound") from None
    curve = Curve(axis=axis, x=np.asarray(x, dtype=float), y=np.asarray(value, dtype=float),
                  quantity=claim.measure, low=low, high=high)
    return Outcome(claim=claim, instance=spec.name, expected=claim.expected_for(spec.name),
                   design=design, verdict_value=check.verdict, reason=check.summary, check=check,
                   curve=curve, constants=dict(constants), seeds=seeds, diverged_at=diverged_at,
                   plans=plans, runs=runs)


def stack_constants(rows: list[Mapping[str, float]]) -> dict[str, np.ndarray]:
    """Constants that change from point to point (one instance per point), as arrays."""
    common = set.intersection(*(set(r) for r in rows)) if rows else set()
    return {name: np.array([r[name] for r in rows]) for name in common}
