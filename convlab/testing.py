"""Property checks for users' test suites: ``assert_rate``, ``assert_bound`` and running a method
of one's own.

``assert_rate`` decides a claim with the same checker as ``convlab verify`` and, when the claim
fails, raises an ``AssertionError`` whose message is the evidence: verdict, reason, worst ratio
and where, fitted order with its interval, the checked window, and a text sparkline of the
errors (or the path of a saved figure).

A method of one's own runs in two ways:

- as a numba kernel (:mod:`convlab.kernels`: the update only; the library's loop records,
  tracks and stops diverging runs), registered with :func:`register_algorithm` or declared in a
  plugin (then usable by name in claims, :func:`convlab.run` and ``convlab verify``);
- in plain Python, as a generator of iterates with the instance's constants by name, or a step
  ``x_next = step(x, k, oracles)``, through :func:`run_python` or registered the same way
  (about a thousand times slower per iteration than a kernel at d = 10; fine for a few
  thousand iterations in a test).
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence

import numpy as np

from .runtime.checkpoints import checkpoints as default_checkpoints
from .algorithms.registry import Algorithm, LegacyKernel, register
from .problems.base import Problem
from .rates.checker import RateCheck, Verdict, check_rate
from .run import Trace, bound_scope

#: Verdicts that pass each claim kind.
PASSING: dict[str, frozenset[Verdict]] = {
    "upper": frozenset({Verdict.CONSISTENT, Verdict.TIGHT}),
    "order": frozenset({Verdict.CONSISTENT, Verdict.TIGHT}),
    "lower": frozenset({Verdict.CONSISTENT, Verdict.TIGHT}),
    "tight": frozenset({Verdict.TIGHT}),
}

_BLOCKS = "▁▂▃▄▅▆▇█"


def sparkline(values: Sequence[float], width: int = 48) -> str:
    """A one-line picture of log10 of positive values (``·`` marks zeros and non-finite)."""
    v = np.asarray(values, dtype=float)
    if v.size > width:
        v = v[np.linspace(0, v.size - 1, width).round().astype(int)]
    good = np.isfinite(v) & (v > 0)
    if not good.any():
        return "·" * v.size
    logs = np.log10(v[good])
    lo, hi = logs.min(), logs.max()
    scaled = np.zeros(v.size, dtype=int)
    scaled[good] = np.round((logs - lo) / (hi - lo) * (len(_BLOCKS) - 1)) if hi > lo else 0
    return "".join(_BLOCKS[s] if g else "·" for s, g in zip(scaled, good))


def format_evidence(check: RateCheck, k: np.ndarray, errors: np.ndarray,
                    figure: str | None = None) -> str:
    """The evidence of a check as a few readable lines."""
    ev = check.evidence
    lines = [f"verdict: {check.verdict.value} ({check.kind} claim, bound {check.bound})",
             f"reason: {check.summary}"]
    if "worst_ratio" in ev and "ratio_range" in ev:
        lines.append(f"worst ratio e/B: {ev['worst_ratio']:.6g} at {ev.get('variable') or 'k'}"
                     f"={ev['worst_at']:g}; ratios in [{ev['ratio_range'][0]:.4g}, "
                     f"{ev['ratio_range'][1]:.4g}]")
    for name in ("relative_order", "fitted_order", "contraction"):
        fit = getattr(check, name)
        if fit is not None:
            lines.append(f"{name.replace('_', ' ')}: {fit} ({fit.points} points)")
    if "window" in ev:
        lines.append(f"window: {ev['window']}")
    if ev.get("floor"):
        lines.append(f"floor: {ev['floor']}")
    lines.append(f"errors ({len(errors)} points, log scale, k = {k[0]:g}..{k[-1]:g}):")
    lines.append("  " + sparkline(errors))
    if figure:
        lines.append(f"figure: {figure}")
    return "\n".join(lines)


def assert_rate(errors: Sequence[float] | Trace, bound: str, *, k: Sequence[float] | None = None,
                kind: str = "upper", measure: str = "f_gap", iterate: str = "last",
                constants: Mapping[str, Any] | None = None, figure: str | None = None,
                **options: Any) -> RateCheck:
    """Assert that errors agree with ``bound``; return the check when they do.

    Parameters
    ----------
    errors
        The error sequence, or a :class:`~convlab.run.Trace` (then ``measure`` and ``iterate``
        pick the sequence and the instance's constants are available to the bound).
    bound
        An explicit bound (``"L*R**2/(2*k)"``) or an order (``"O(1/k)"``).
    k
        Iterations of ``errors`` (default 0, 1, 2, ...); taken from the trace when given one.
    kind
        ``upper``, ``tight``, ``lower`` or ``order``. Passing verdicts: ``tight`` for a tight
        claim, ``consistent`` or ``tight`` otherwise; an upper claim also passes when the run
        reached its rounding floor before the first checkable point (it holds vacuously).
    constants
        Values of the bound's constants (added to the trace's instance constants).
    figure
        Save a figure of the check to this path when it fails (PNG or PDF by extension): the
        errors, the bound on a dense grid, the checked window, the floor and the violating
        points marked.
    options
        Passed to :func:`~convlab.rates.checker.check_rate` (``window``, ``band``, ``rtol``,
        ``order_tol``, ``floor``, ...).

    Raises
    ------
    AssertionError
        With the evidence, when the verdict does not pass the claim's kind.
    """
    scope: dict[str, Any] = {}
    if isinstance(errors, Trace):
        trace = errors
        k = trace.k
        errors = trace.measure(measure, iterate)
        scope.update(bound_scope(trace))  # instance constants, algorithm parameters
        options.setdefault("floor", trace.floor(measure))
        options.setdefault("diverged_at", trace.diverged_at)
    e = np.asarray(errors, dtype=float)
    ks = np.arange(e.size, dtype=float) if k is None else np.asarray(k, dtype=float)
    scope.update(constants or {})
    check = check_rate(ks, e, bound, kind=kind, constants=scope, **options)
    if _at_floor_from_the_start(check):
        return check  # every point past k = 0 is rounding noise: nothing can exceed the bound
    if check.verdict not in PASSING[check.kind if check.kind in PASSING else kind]:
        saved = _save_figure(figure, ks, e, check, bound, scope) if figure else None
        raise AssertionError("rate claim failed\n" + format_evidence(check, ks, e, saved))
    return check


def _at_floor_from_the_start(check: RateCheck) -> bool:
    """An upper claim on a run that reached its floor before any checkable point (an instance
    solved exactly in a step or two): it holds vacuously."""
    floor = check.evidence.get("floor") or {}
    return (check.kind == "upper" and check.verdict == Verdict.INCONCLUSIVE
            and floor.get("reached_at") is not None and "window" not in check.evidence)


def assert_bound(errors: Sequence[float] | Trace, bound: str, **kwargs: Any) -> RateCheck:
    """Assert an explicit upper bound ``e_k <= B(k)`` at every point (see :func:`assert_rate`)."""
    return assert_rate(errors, bound, kind="upper", **kwargs)


def _save_figure(path: str, k: np.ndarray, e: np.ndarray, check: RateCheck, bound: str,
                 constants: Mapping[str, Any]) -> str:
    """The failed check as a figure: errors, the bound on a dense grid, the checked window, the
    floor and the violating points (:func:`convlab.plotting.draw_check`)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .figures.style import RC
    from .plotting import draw_check

    with plt.rc_context(RC):
        fig, ax = plt.subplots()
        draw_check(ax, k, e, bound, check=check, constants=constants,
                   variable=check.evidence.get("variable") or "k")
        ax.legend(fontsize=5.5)
        fig.savefig(path)
        plt.close(fig)
    return str(path)


def register_algorithm(name: str, kernel: Any,
                       params: Sequence[tuple[str, str | None]] | Mapping[str, str | None] = (),
                       *, summary: str = "", needs: Sequence[str] = ("grad",),
                       points: Sequence[str] = ("last",), scalars: Sequence[str] | None = None,
                       stochastic: bool = False) -> Algorithm:
    """Register a user's kernel under ``name`` (then usable in claims and :func:`convlab.run`).

    ``kernel`` is a :class:`~convlab.runtime.kernel.Kernel` (:func:`convlab.kernels.kernel`),
    an ``advance`` function (``lazy_jit("advance")``), a whole-run kernel with the legacy
    ``method`` signature, or a method in plain Python: a generator ``method(oracles, x0, c)``
    (see :func:`run_python`). ``params`` are ``(name, default expression)`` pairs (or a
    mapping) in the order of the kernel's ``hyper`` array.
    """
    import inspect

    from .algorithms.registry import PythonKernel
    from .runtime.jit import LazyJit
    from .runtime.kernel import TRACK_COLUMNS, Kernel

    params = tuple(params.items()) if isinstance(params, Mapping) else tuple(params)
    names = tuple(n for n, _ in params)
    if inspect.isgeneratorfunction(kernel):
        kernel = PythonKernel(kernel, hyper=names, points=tuple(points), needs=tuple(needs),
                              stochastic=stochastic)
    elif isinstance(kernel, PythonKernel) and not kernel.hyper and names:
        kernel = PythonKernel(kernel.method, hyper=names, points=kernel.points,
                              needs=kernel.needs, stochastic=kernel.stochastic)
    if isinstance(kernel, PythonKernel):
        pass
    elif isinstance(kernel, LazyJit) and kernel.kind == "method":
        kernel = LegacyKernel(kernel, hyper=names, points=tuple(points),
                              record_scalars=tuple(TRACK_COLUMNS if scalars is None else scalars),
                              needs=tuple(needs), stochastic=stochastic)
    elif isinstance(kernel, LazyJit) and kernel.kind == "advance":
        kernel = Kernel(kernel, hyper=names, points=tuple(points), scalars=tuple(scalars or ()),
                        needs=tuple(needs), stochastic=stochastic)
    elif not isinstance(kernel, Kernel):
        raise TypeError("expected a Kernel, a lazy_jit('advance') or a lazy_jit('method') "
                        f"function, or a Python generator method, got {kernel!r}")
    return register(Algorithm(name, kernel, params, summary=summary or name), replace=True)


def run_python(problem: Problem, method: Callable, iterations: int | None = None, *,
               params: Mapping[str, Any] | None = None, name: str = "python-method",
               checkpoints: Sequence[int] | None = None, seed: int = 0,
               track: bool | int = False) -> Trace:
    """Run a method written in plain Python and record a trace.

    ``method`` is either a generator ``method(oracles, x0, c)`` yielding x_0, x_1, ... (state
    lives in its local variables; ``c.L``, ``c.mu``, ``c.R``, ... are the instance's constants,
    ``c.<param>`` the values of ``params`` and ``c.seed`` the seed), or a step function
    ``x_next = method(x, k, oracles)``. ``oracles.grad(x)``, ``oracles.value(x)`` (f(x) − f*),
    ``oracles.prox(x, step)``, ``oracles.sgrad(x, t)`` call the instance's compiled oracles.
    Slow (Python per iteration), for tests of a few thousand iterations; register the method
    (:func:`register_algorithm`) to name it in claim files.
    """
    import inspect

    from .algorithms.registry import PythonKernel
    from .run import _resolve_in_order, run_python_kernel, track_bits

    if checkpoints is None:
        if iterations is None:
            raise ValueError("give iterations or checkpoints")
        ks = default_checkpoints(iterations)
    else:
        ks = np.unique(np.asarray(checkpoints, dtype=np.int64))
    generator = method if inspect.isgeneratorfunction(method) else _stepper(method)
    kernel = PythonKernel(generator, hyper=tuple(params or ()))
    values = _resolve_in_order(dict(params or {}), {**problem.constants, "N": float(ks[-1])})
    points, scalars, n, status = run_python_kernel(kernel, problem, values, ks, seed,
                                                   track_bits(track))
    alg = Algorithm(name, kernel, tuple((p, None) for p in kernel.hyper))
    from .run import _trace

    return _trace(problem, alg, values, ks, points, scalars, n, status, seed)


def _stepper(step: Callable) -> Callable:
    """A step function ``x_next = step(x, k, oracles)`` as a generator of iterates."""

    def iterates(oracles, x, c):
        k = 0
        while True:
            yield x
            x = np.asarray(step(x, k, oracles), dtype=float)
            k += 1

    iterates.__name__ = getattr(step, "__name__", "step")
    iterates.__module__ = getattr(step, "__module__", __name__)
    return iterates
