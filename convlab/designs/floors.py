"""Floors measured on a run: below what level is the measure rounding noise?

A floor has two parts. The family's **certified** floor says how much cancellation the measure
itself suffers (f(x) − f* formed as a difference, x − x* rounded). The run's **own rounding**
can stagnate far above it: a method whose iterates stop moving at ‖x‖ ~ 1e-16 when x* = 0 (a
finite-difference Hessian-vector product, a recursion that loses digits) has a measure that
plateaus at 1e-31 while the certified floor is the underflow level. That level is measured, in
the spirit of Monte Carlo arithmetic, by a **shadow run**: the same run (same seed, so the same
samples) from a start perturbed by a few units in the last place. While the exact arithmetic
dominates, the two runs agree to about 1e-15 relative (the perturbation contracts with the
error); where rounding dominates they disagree by O(1). So

    measured floor = the largest error at which the two runs differ by more than
                     :data:`DISAGREEMENT` (relative), among points that decayed by at least
                     :data:`DEEP_DECAY` from the run's largest error,

and the floor the checker uses is the larger of the certified and the measured one. A real
plateau (an SGD noise floor, a cycle, a method that stops converging) is reproduced by the
shadow run and never cut; a rounding plateau always is. A shadow run is made only for runs that
decay by :data:`DEEP_DECAY` or more (rounding cannot matter above 1e-8 of the initial error in
float64), so most runs cost nothing extra.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ..problems.base import Problem

#: A run is shadowed when its smallest positive error is at most this times its largest.
DEEP_DECAY = 1e-8

#: Relative difference between a run and its shadow above which a point is rounding noise.
DISAGREEMENT = 0.1

#: The start's perturbation, in units of the float64 spacing of its largest coordinate.
PERTURBATION_ULPS = 4.0


def needs_shadow(errors: np.ndarray) -> bool:
    """Whether a run decayed deep enough for its own rounding to show."""
    e = np.asarray(errors, dtype=float)
    positive = e[np.isfinite(e) & (e > 0)]
    return positive.size >= 2 and float(positive.min()) <= DEEP_DECAY * float(positive.max())


def shadow_problem(problem: Problem) -> Problem:
    """The same instance started a few ulps away: x0 + PERTURBATION_ULPS · eps · max|x0| · u
    with fixed signs u (a deterministic perturbation)."""
    x0 = problem.x0
    scale = float(np.max(np.abs(x0))) or 1.0
    signs = np.where(np.random.default_rng(20260101).random(x0.size) < 0.5, -1.0, 1.0)
    shifted = x0 + PERTURBATION_ULPS * np.finfo(float).eps * scale * signs
    return dataclasses.replace(problem, x0=shifted)


def measured_floor(errors: np.ndarray, shadow: np.ndarray) -> float:
    """The largest error at which a run and its shadow disagree (0 when they never do)."""
    e = np.asarray(errors, dtype=float)
    s = np.asarray(shadow, dtype=float)
    n = min(e.size, s.size)
    e, s = e[:n], s[:n]
    both = np.isfinite(e) & np.isfinite(s)
    top = float(np.max(np.where(both, np.maximum(e, s), 0.0), initial=0.0))
    if top <= 0:
        return 0.0
    larger = np.maximum(e, s)
    deep = both & (larger <= DEEP_DECAY * top)
    differ = deep & (np.abs(e - s) > DISAGREEMENT * larger)
    return float(larger[differ].max()) if differ.any() else 0.0
