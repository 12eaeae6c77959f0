"""Property checks for users' test suites: ``assert_rate``, ``assert_bound`` and running a method
of one's own.

``assert_rate`` decides a claim with the same checker as ``convlab verify`` and, when the claim
fails, raises an ``AssertionError`` whose message is the evidence: verdict, reason, worst ratio
and where, fitted order with its interval, the checked window, and a text sparkline of the
errors (or the path of a saved figure).

A method of one's own runs in two ways:

- as a numba kernel with the method signature of :mod:`convlab._jit`, registered with
  :func:`register_algorithm` (then usable by name in claims and :func:`convlab.run`);
- as a plain Python step ``x_next = step(x, k, oracles)`` through :func:`run_python` (about a
  thousand times slower per iteration than a kernel at d = 10; fine for a few thousand
  iterations in a test).
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence

import numpy as np

from .runtime.checkpoints import checkpoints as default_checkpoints
from .algorithms.registry import Algorithm, LegacyKernel, register
from .problems.base import Problem
from .rates.checker import RateCheck, Verdict, check_rate
from .run import Trace

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
    if "worst_ratio" in ev:
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
        Save a figure of the check to this path when it fails (PNG or PDF by extension).
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
        scope.update(trace.problem.constants)
        options.setdefault("floor", trace.floor(measure))
        options.setdefault("diverged_at", trace.diverged_at)
    e = np.asarray(errors, dtype=float)
    ks = np.arange(e.size, dtype=float) if k is None else np.asarray(k, dtype=float)
    scope.update(constants or {})
    check = check_rate(ks, e, bound, kind=kind, constants=scope, **options)
    if _at_floor_from_the_start(check):
        return check  # every point past k = 0 is rounding noise: nothing can exceed the bound
    if check.verdict not in PASSING[check.kind if check.kind in PASSING else kind]:
        saved = _save_figure(figure, ks, e, check) if figure else None
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


def _save_figure(path: str, k: np.ndarray, e: np.ndarray, check: RateCheck) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(3.4, 2.6), dpi=200)
    good = (k > 0) & (e > 0) & np.isfinite(e)
    ax.loglog(k[good], e[good], "-", lw=1.2, label="observed")
    ax.set_title(f"{check.bound}: {check.verdict.value}", fontsize=7)
    ax.set_xlabel("k")
    ax.legend(fontsize=6, frameon=False)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return str(path)


def register_algorithm(name: str, kernel: Any, params: Sequence[tuple[str, str | None]] = (),
                       *, summary: str = "", needs: Sequence[str] = ("grad",),
                       points: Sequence[str] = ("last",), scalars: Sequence[str] | None = None,
                       stochastic: bool = False) -> Algorithm:
    """Register a user's kernel under ``name`` (then usable in claims and :func:`convlab.run`).

    ``kernel`` is a :class:`~convlab.runtime.kernel.Kernel`, an ``advance`` function
    (``lazy_jit("advance")``, see :mod:`convlab.runtime.kernel`) or a whole-run kernel with the
    legacy ``method`` signature. ``params`` are ``(name, default expression)`` pairs in the
    order of the kernel's ``hyper`` array.
    """
    from .runtime.jit import LazyJit
    from .runtime.kernel import TRACK_COLUMNS, Kernel

    params = tuple(params)
    names = tuple(n for n, _ in params)
    if isinstance(kernel, LazyJit) and kernel.kind == "method":
        kernel = LegacyKernel(kernel, hyper=names, points=tuple(points),
                              record_scalars=tuple(TRACK_COLUMNS if scalars is None else scalars),
                              needs=tuple(needs), stochastic=stochastic)
    elif isinstance(kernel, LazyJit) and kernel.kind == "advance":
        kernel = Kernel(kernel, hyper=names, points=tuple(points), scalars=tuple(scalars or ()),
                        needs=tuple(needs), stochastic=stochastic)
    elif not isinstance(kernel, Kernel):
        raise TypeError("expected a Kernel, a lazy_jit('advance') or a lazy_jit('method') "
                        f"function, got {kernel!r}")
    return register(Algorithm(name, kernel, params, summary=summary or name), replace=True)


def run_python(problem: Problem, step: Callable[[np.ndarray, int, "PythonOracles"], np.ndarray],
               iterations: int, *, name: str = "python-method",
               checkpoints: Sequence[int] | None = None) -> Trace:
    """Run a plain Python method ``x_{k+1} = step(x_k, k, oracles)`` and record a trace.

    ``oracles.grad(x)``, ``oracles.value(x)`` (f(x) − f*), ``oracles.prox(x, step)``,
    ``oracles.sgrad(x, t, s)`` call the instance's compiled oracles. Slow (Python per
    iteration), for tests of a few thousand iterations.
    """
    ks = default_checkpoints(iterations) if checkpoints is None else np.unique(
        np.asarray(checkpoints, dtype=np.int64))
    oracles = PythonOracles(problem)
    x = problem.x0.copy()
    recorded, j, diverged_at = [], 0, None
    for k in range(int(ks[-1]) + 1):
        if k == ks[j]:
            recorded.append(x.copy())
            j += 1
            if not np.all(np.isfinite(x)) or np.abs(x).max() > 1e150:
                diverged_at = k
                break
            if k == ks[-1]:
                break
        x = np.asarray(step(x, k, oracles), dtype=float)
    points = np.array(recorded)
    return Trace(k=ks[:len(recorded)].copy(), points={"last": points}, scalars={},
                 diverged_at=diverged_at, algorithm=name, params={}, problem=problem)


class PythonOracles:
    """The instance's oracles as Python callables returning new arrays."""

    def __init__(self, problem: Problem) -> None:
        self._p = problem

    def grad(self, x: np.ndarray) -> np.ndarray:
        out = np.empty_like(x)
        pr = self._p
        pr.oracle("grad")(pr.A, pr.b, pr.p, np.ascontiguousarray(x, dtype=float), out)
        return out

    def value(self, x: np.ndarray) -> float:
        pr = self._p
        return float(pr.oracle("value")(pr.A, pr.b, pr.p, np.ascontiguousarray(x, dtype=float)))

    def prox(self, x: np.ndarray, step: float) -> np.ndarray:
        out = np.empty_like(x)
        pr = self._p
        pr.oracle("prox")(pr.A, pr.b, pr.p, np.ascontiguousarray(x, dtype=float), float(step),
                          out)
        return out

    def sgrad(self, x: np.ndarray, t: int, s: int) -> np.ndarray:
        out = np.empty_like(x)
        pr = self._p
        pr.oracle("sgrad")(pr.A, pr.b, pr.p, np.ascontiguousarray(x, dtype=float), int(t),
                           int(s), out)
        return out
