"""The rate checker: bounds as safely parsed sympy expressions, fits and verdicts.

The names below are imported on first use (PEP 562): a module that only parses expressions
(``convlab.rates.expressions``, as the instance registry does) does not load the checker and
scipy's optimisers with it.
"""

import importlib
from typing import TYPE_CHECKING, Any

_WHERE = {"KINDS": "checker", "Fit": "checker", "RateCheck": "checker", "Verdict": "checker",
          "check_rate": "checker", "evaluate": "expressions", "is_order": "expressions",
          "parse_expression": "expressions"}

if TYPE_CHECKING:
    from .checker import KINDS, Fit, RateCheck, Verdict, check_rate
    from .expressions import evaluate, is_order, parse_expression


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'convlab.rates' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


__all__ = ["KINDS", "Fit", "RateCheck", "Verdict", "check_rate", "evaluate", "is_order",
           "parse_expression"]
