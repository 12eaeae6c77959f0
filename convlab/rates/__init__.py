"""The rate checker: bounds as safely parsed sympy expressions, fits and verdicts."""

from .checker import KINDS, Fit, RateCheck, Verdict, check_rate
from .expressions import evaluate, is_order, parse_expression

__all__ = ["KINDS", "Fit", "RateCheck", "Verdict", "check_rate", "evaluate", "is_order",
           "parse_expression"]
