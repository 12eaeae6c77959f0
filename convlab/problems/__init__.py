"""Problem families with exactly known solutions and certified constants.

Each family module builds :class:`Problem` instances and holds the family's typed oracles;
:mod:`.registry` names the families and builds instances from data (``problems/*.toml``).
"""

from .base import MEASURES, Problem
from .huber import huber_1d
from .quadratic import nesterov_chain, quadratic
from .registry import FAMILIES, InstanceSpec, build, load_instances

__all__ = ["FAMILIES", "MEASURES", "InstanceSpec", "Problem", "build", "huber_1d",
           "load_instances", "nesterov_chain", "quadratic"]
