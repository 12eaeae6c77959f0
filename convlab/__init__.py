"""convlab: check convergence theorems against code.

Public API (importing convlab compiles nothing; kernels compile, or load from numba's cache, on
first use):

- :func:`check_rate` decides whether an error sequence agrees with a bound (:class:`RateCheck`,
  :class:`Verdict`);
- :func:`run` runs a registered kernel on a :class:`Problem` and returns a :class:`Trace`;
- problem families :func:`quadratic`, :func:`nesterov_chain`, :func:`huber_1d`;
- :func:`load_file`, :func:`verify_paths` for claim files (a claim's :data:`TIERS` tier; a pass
  with much room on its instances is :func:`weakly_informative`); :func:`falsify` searches a claim's
  class for a counterexample, :func:`falsify_catalog` every claim of a catalog with a search
  table;
- :func:`assert_rate`, :func:`assert_bound` for test suites (:mod:`convlab.testing`), and
  hypothesis strategies in :mod:`convlab.strategies`;
- reports of a verify run: :func:`to_json` (docs/report-schema.md, :data:`SCHEMA_VERSION`) and
  :func:`validate_report`; :mod:`convlab.html` (the HTML report), :mod:`convlab.export` (tidy
  curves, CSV or Parquet); :class:`Overrides` for a quick look with fewer seeds or iterations;
  :class:`Budget` and :func:`check_budget`, the memory and work a pair may use
  (docs/reliability.md);
- :func:`plot` draws a run or one's own errors with the bound, the checked window and the floor;
- one's own methods and problems: :mod:`convlab.kernels` (numba kernels, oracles, methods in
  plain Python), :class:`Algorithm`, :class:`Family` with :func:`register_family`, and
  :func:`load_plugins` (what ``convlab --plugin`` and the pytest plugin load; docs/tutorial.md).
"""

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

# The public API is imported on first use (PEP 562), so ``import convlab`` and ``convlab --help``
# load neither numpy, numba, scipy nor sympy: module -> the names it exports. A name added to
# the public API goes here (and in ``__all__``).
_EXPORTS: dict[str, tuple[str, ...]] = {
    "algorithms": ("ALGORITHMS", "checkpoints"),
    "claims": ("Claim", "TIERS", "load_file"),
    "outcomes": ("weakly_informative",),
    "errors": ("BoundError", "InputError"),
    "problems": ("FAMILIES", "MEASURES", "Problem", "huber_1d", "nesterov_chain", "quadratic"),
    "rates": ("Fit", "RateCheck", "Verdict", "check_rate", "parse_expression"),
    "falsify": ("FalsifyResult", "falsify"),
    "falsify_catalog": ("CatalogFalsification", "ClaimSearch", "falsify_catalog"),
    "rates.statistics": ("SeedStatistic", "seed_statistic"),
    "run": ("Trace", "run"),
    "testing": ("assert_bound", "assert_rate", "register_algorithm", "run_python"),
    "algorithms.registry": ("Algorithm",),
    "problems.base": ("UNDERFLOW",),
    "problems.family": ("FINITE", "NONNEGATIVE", "POSITIVE", "UNIT_OPEN", "Family", "Interval",
                        "count"),
    "problems.registry": ("register_family",),
    "plugins": ("load_plugins",),
    "plotting": ("plot",),
    "verify": ("Outcome", "Overrides", "Report", "verify_paths"),
    "report": ("SCHEMA_VERSION", "to_json", "validate_report"),
    "limits": ("Budget", "check_budget"),
}
_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}

if TYPE_CHECKING:  # what static tools and IDEs read
    from .algorithms import ALGORITHMS, checkpoints
    from .claims import TIERS, Claim, load_file
    from .outcomes import weakly_informative
    from .errors import BoundError, InputError
    from .problems import FAMILIES, MEASURES, Problem, huber_1d, nesterov_chain, quadratic
    from .rates import Fit, RateCheck, Verdict, check_rate, parse_expression
    from .falsify import FalsifyResult, falsify
    from .falsify_catalog import CatalogFalsification, ClaimSearch, falsify_catalog
    from .rates.statistics import SeedStatistic, seed_statistic
    from .run import Trace, run
    from .testing import assert_bound, assert_rate, register_algorithm, run_python
    from .algorithms.registry import Algorithm
    from .problems.base import UNDERFLOW
    from .problems.family import (FINITE, NONNEGATIVE, POSITIVE, UNIT_OPEN, Family, Interval,
                                  count)
    from .problems.registry import register_family
    from .plugins import load_plugins
    from .plotting import plot
    from .verify import Outcome, Overrides, Report, verify_paths
    from .report import SCHEMA_VERSION, to_json, validate_report
    from .limits import Budget, check_budget


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'convlab' has no attribute {name!r}")
    value = getattr(importlib.import_module("." + module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))


class _Package(types.ModuleType):
    """convlab's module type: a submodule imported for the first time does not hide the
    exported function of the same name (``convlab.run`` and ``convlab.falsify`` stay the
    functions, as they were when the package imported them eagerly)."""

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, types.ModuleType) and name in _WHERE:
            return  # the submodule stays reachable through sys.modules and import statements
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package

__version__ = "0.1.0"

__all__ = [
    "Algorithm", "FINITE", "Family", "Interval", "NONNEGATIVE", "POSITIVE", "UNDERFLOW",
    "UNIT_OPEN", "count", "load_plugins", "plot", "register_family",
    "ALGORITHMS", "BoundError", "Claim", "FAMILIES", "FalsifyResult", "Fit", "InputError",
    "MEASURES", "Outcome", "Problem", "RateCheck", "Report", "SeedStatistic", "Trace", "Verdict",
    "assert_bound", "assert_rate", "check_rate", "checkpoints", "falsify", "huber_1d",
    "load_file", "nesterov_chain", "parse_expression", "quadratic", "register_algorithm", "run",
    "run_python", "seed_statistic", "verify_paths",
    "Overrides", "SCHEMA_VERSION", "to_json", "validate_report",
    "CatalogFalsification", "ClaimSearch", "falsify_catalog",
    "TIERS", "weakly_informative",
    "Budget", "check_budget",
]
