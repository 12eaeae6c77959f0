"""Numba kernels of optimisation methods, one module per family of methods.

Kernels are reached through :data:`ALGORITHMS` (``get_algorithm(name).kernel``) or
:func:`convlab.run`; importing this package compiles nothing.
"""

from ..runtime.checkpoints import checkpoints
from .registry import ALGORITHMS, Algorithm, get_algorithm

__all__ = ["ALGORITHMS", "Algorithm", "checkpoints", "get_algorithm"]
