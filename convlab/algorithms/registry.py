"""Algorithms by name.

An :class:`Algorithm` is a :class:`~convlab.runtime.kernel.Kernel` with user-facing parameters
(names and default expressions) and fixed variant codes; each kernel module declares its own
algorithms next to its kernels, in a module-level tuple ``ALGORITHMS``. The registry collects
them from the modules of :data:`KERNEL_MODULES` the first time a name is looked up (importing a
kernel module compiles nothing: kernels compile, or load from numba's cache, on first run), and
plugins add theirs with :func:`register`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import InputError
from ..names import Registry
from ..runtime.jit import LazyJit
from ..runtime.kernel import TRACK_COLUMNS, Kernel

#: Kernel modules of convlab (``convlab.algorithms.<name>``), one per family of methods.
KERNEL_MODULES = (
    "gradient", "smooth_methods", "newton", "subgradient", "weakly_convex", "proximal",
    "frank_wolfe", "sgd", "variance_reduced", "smd", "schedule_free", "clipped", "momentum",
    "compressed", "adaptive", "vi", "fixed_point", "games", "dynamics", "sharpness", "implicit",
)


@dataclass(frozen=True)
class LegacyKernel:
    """A whole-run kernel with the ``method`` signature (:mod:`convlab.runtime.jit`), which
    writes its own loop; kept for kernels written before the kernel contract."""

    method: LazyJit
    hyper: tuple[str, ...] = ()
    points: tuple[str, ...] = ("last",)
    record_scalars: tuple[str, ...] = TRACK_COLUMNS
    needs: tuple[str, ...] = ("grad",)
    stochastic: bool = False

    @property
    def name(self) -> str:
        return self.method.__name__

    @property
    def module(self) -> str:
        return self.method.__module__


@dataclass(frozen=True)
class PythonKernel:
    """A method written as plain Python (a generator of iterates), run by
    :func:`convlab.run` without numba: slow (Python per iteration), for short runs and for
    methods whose state is awkward in a kernel.

    ``method(oracles, x0, c)`` yields x_0, x_1, x_2, ... (or, when the method records several
    points, a tuple of arrays in the order of ``points``); ``oracles`` calls the instance's
    compiled oracles (``oracles.grad(x)``, ``oracles.value(x)``, ``oracles.prox(x, h)``,
    ``oracles.sgrad(x, t)``, ...), and ``c`` holds the instance's constants, the method's
    parameters and the seed by name (``c.L``, ``c.mu``, ``c.step``, ``c.seed``).
    """

    method: Any
    hyper: tuple[str, ...] = ()
    points: tuple[str, ...] = ("last",)
    needs: tuple[str, ...] = ("grad",)
    stochastic: bool = False

    @property
    def record_scalars(self) -> tuple[str, ...]:
        return TRACK_COLUMNS

    @property
    def name(self) -> str:
        return self.method.__name__

    @property
    def module(self) -> str:
        return self.method.__module__


@dataclass(frozen=True)
class Algorithm:
    """A registered method.

    Attributes
    ----------
    name
        Name used in claim files.
    kernel
        The kernel and its declared layout (a :class:`~convlab.runtime.kernel.Kernel`, or a
        :class:`PythonKernel` for a method in plain Python).
    params
        ``(name, default)`` pairs (or a mapping name -> default) of the parameters a claim may
        set; the default is an expression in the instance constants (``L``, ``mu``, ``kappa``,
        ``N`` the horizon, ...) and the other parameters, or None when the parameter is
        required.
    fixed
        Values of the other ``hyper`` slots, fixing a variant of a shared kernel (e.g. the
        step-size schedule of ``sgd``).
    summary
        One line for listings.
    deterministic
        A variant of a stochastic kernel that draws no sample (a cyclic order): its runs do not
        depend on the seed.
    """

    name: str
    kernel: Kernel | LegacyKernel | PythonKernel
    params: tuple[tuple[str, str | None], ...] = ()
    fixed: Mapping[str, float] = field(default_factory=dict)
    summary: str = ""
    deterministic: bool = False

    def __post_init__(self) -> None:
        params = self.params.items() if isinstance(self.params, Mapping) else self.params
        object.__setattr__(self, "params", tuple((str(n), None if d is None else str(d))
                                                 for n, d in params))
        object.__setattr__(self, "fixed", dict(self.fixed))
        names = [n for n, _ in self.params]
        if len(set(names)) != len(names):
            raise ValueError(f"algorithm {self.name}: duplicate parameter names {names}")
        declared = set(names) | set(self.fixed)
        if declared != set(self.kernel.hyper) or set(names) & set(self.fixed):
            raise ValueError(
                f"algorithm {self.name}: parameters {names} and fixed {sorted(self.fixed)} must "
                f"name every hyper slot of kernel {self.kernel.name} once: "
                f"{list(self.kernel.hyper)}")

    @property
    def param_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.params)

    @property
    def needs(self) -> tuple[str, ...]:
        return self.kernel.needs

    @property
    def points(self) -> tuple[str, ...]:
        return self.kernel.points

    @property
    def scalars(self) -> tuple[str, ...]:
        """Scalar columns of a trace: the running quantities, then the kernel's own."""
        return self.kernel.record_scalars

    @property
    def stochastic(self) -> bool:
        return self.kernel.stochastic and not self.deterministic

    @property
    def module(self) -> str:
        return self.kernel.module

    def hyper_array(self, values: Mapping[str, float]) -> np.ndarray:
        """The ``hyper`` array: fixed codes and parameter values in the kernel's slot order."""
        merged = {**self.fixed, **values}
        return np.array([float(merged[n]) for n in self.kernel.hyper] or [0.0], dtype=np.float64)


#: Algorithm name -> registered algorithm (loads convlab's kernel modules on first use).
ALGORITHMS = Registry("algorithm", "convlab.algorithms", KERNEL_MODULES, "ALGORITHMS",
                      Algorithm)


def register(alg: Algorithm, *, replace: bool = False) -> Algorithm:
    """Add an algorithm to the registry (an :class:`InputError` if the name is taken, unless
    ``replace``)."""
    return ALGORITHMS.add(alg, replace=replace)


def get_algorithm(name: str) -> Algorithm:
    """The registered algorithm ``name``; an :class:`InputError` suggesting the closest name."""
    from ..names import closest

    if name not in ALGORITHMS:
        raise InputError(f"unknown algorithm '{name}'{closest(name, ALGORITHMS)}; "
                         f"known: {', '.join(sorted(ALGORITHMS))}", field="algorithm")
    return ALGORITHMS[name]


def describe(alg: Algorithm) -> dict[str, Any]:
    """Plain-data description of an algorithm (listings, reports)."""
    return {"name": alg.name, "summary": alg.summary, "params": dict(alg.params),
            "fixed": dict(alg.fixed), "needs": list(alg.needs), "points": list(alg.points),
            "scalars": list(alg.scalars), "stochastic": alg.stochastic,
            "kernel": f"{alg.module}.{alg.kernel.name}"}
