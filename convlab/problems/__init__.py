"""Problem families with exactly known solutions and certified constants.

Each family module builds :class:`Problem` instances and holds the family's typed oracles;
:mod:`.registry` names the families (imported on first use) and builds instances from data
(``problems/*.toml``).
"""

from .base import MEASURES, Problem
from .registry import FAMILIES, InstanceSpec, build, get_builder, load_instances


def quadratic(*args, **kwargs) -> Problem:
    """Quadratic family; see :func:`convlab.problems.quadratics.quadratic`."""
    return get_builder("quadratic")(*args, **kwargs)


def nesterov_chain(*args, **kwargs) -> Problem:
    """Nesterov's chain; see :func:`convlab.problems.quadratics.nesterov_chain`."""
    return get_builder("nesterov-chain")(*args, **kwargs)


def huber_1d(*args, **kwargs) -> Problem:
    """1-D Huber worst case; see :func:`convlab.problems.worst_cases.huber_1d`."""
    return get_builder("huber-1d")(*args, **kwargs)


__all__ = ["FAMILIES", "MEASURES", "InstanceSpec", "Problem", "build", "get_builder",
           "huber_1d", "load_instances", "nesterov_chain", "quadratic"]
