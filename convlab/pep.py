"""Exact worst cases by performance estimation (PEPit), checked against claims and kernels.

A performance estimation problem (PEP; Drori & Teboulle 2014, Taylor, Hendrickx & Glineur 2017)
computes the worst value of a measure after N steps of a method over a whole function class, as
a semidefinite program. PEPit (the optional extra ``pep``: ``pip install "convlab[pep]"``)
writes and solves it. This module describes convlab's kernels in PEPit's terms, each as the
update its kernel's docstring states:

================= ===================================== ================================
algorithm         class                                 update (parameters as the kernel's)
================= ===================================== ================================
gd                L-smooth (mu-strongly) convex f       x+ = x − h ∇f(x)
agd               idem                                  FISTA momentum, t_0 = 1
ogm               idem                                  Kim & Fessler, θ_N with factor 8
heavy-ball        idem                                  x+ = x − α ∇f(x) + β (x − x−)
ista              f as above + a closed convex g        x+ = prox_{hg}(x − h ∇f(x))
fista             idem                                  FISTA
extragradient     monotone L-Lipschitz operator F       z½ = z − γF(z), z+ = z − γF(z½)
================= ===================================== ================================

For the smooth classes PEPit's interpolation conditions are exact, so the PEP value is the
exact worst case (to the solver's accuracy); for Lipschitz monotone operators no interpolation
conditions are known and PEPit's constraints are necessary only: the value is an upper bound
on the worst case (:attr:`WorstCase.exact` says which).

:func:`worst_case` solves one PEP; :meth:`WorstCase.instance` turns a one-dimensional worst
case (a Gram matrix of rank one, found with PEPit's trace heuristic) into a convlab instance, a
piecewise-quadratic function interpolating PEPit's iterates (slopes of f' in {mu, L}), on which
the compiled kernel reproduces the worst case: "exact worst case -> the code's own trace".
:func:`cross_check` compares a claim's bound with the worst case at each horizon.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np

from .claims import Claim
from .errors import InputError

#: Algorithms with a PEP description here.
METHODS = ("gd", "agd", "ogm", "heavy-ball", "ista", "fista", "extragradient")

#: Measures a PEP here can take at the last (or averaged) iterate.
PEP_MEASURES = ("f_gap", "dist_sq", "dist", "grad_norm_sq", "grad_norm")

#: Relative accuracy of PEPit's default solver (SCS) assumed when comparing values.
SOLVER_RTOL = 1e-4

#: Parameters that are step sizes (they scale as 1/L).
_STEP_PARAMS = ("step", "alpha")


def unavailable() -> str | None:
    """None when PEPit is installed, else the reason (for skipped tests and the CLI)."""
    try:
        import PEPit  # noqa: F401
    except ImportError:
        return "PEPit is not installed (pip install 'convlab[pep]')"
    return None


def _require() -> None:
    reason = unavailable()
    if reason:
        raise InputError(reason)


@dataclass
class WorstCase:
    """One solved PEP.

    Attributes
    ----------
    algorithm, N, measure, iterate
        The method, horizon, measure and iterate (``last``, or ``avg`` for extragradient).
    value
        The worst value of the measure (PEPit's dual value: an upper bound, tight to the
        solver's accuracy when :attr:`exact`).
    params
        The method's numeric parameters.
    L, mu, R, Delta
        Class constants and the initial condition: ||x0 − x*|| <= R, or f(x0) − f* <= Delta
        when ``initial == "Delta"``.
    initial
        ``"R"`` or ``"Delta"``.
    exact
        Whether the class has exact interpolation conditions (the value is then the worst
        case, not only an upper bound).
    seconds
        CPU time of the solve.
    rank
        Numerical rank of the worst-case Gram matrix (1: a one-dimensional worst case).
    points
        For a rank-one worst case of a smooth class: the (x, f'(x), f(x) − f*) triples of
        every point PEPit evaluated, x* first, start second (1-D, x* at 0).
    """

    algorithm: str
    N: int
    measure: str
    iterate: str
    value: float
    params: dict[str, float]
    L: float
    mu: float
    R: float
    Delta: float | None
    initial: str
    exact: bool
    seconds: float
    rank: int | None = None
    points: np.ndarray | None = field(default=None, repr=False)

    def instance(self):
        """The 1-D worst case as a convlab :class:`~convlab.problems.base.Problem` (None when
        the worst case is not one-dimensional or the class is not a smooth one)."""
        if self.points is None:
            return None
        return interpolating_instance(self.points, L=self.L, mu=self.mu,
                                      name=f"pep-worst-{self.algorithm}-N{self.N}")


# -- the PEPs -------------------------------------------------------------------------------------

def _steps(algorithm: str, params: Mapping[str, float], N: int, grad, prox, x0):
    """The iterates x_1..x_N of ``algorithm`` as PEPit points; returns (last, half-step average)."""
    if algorithm == "gd":
        h = params["step"]
        x = x0
        for _ in range(N):
            x = x - h * grad(x)
        return x, None
    if algorithm in ("agd", "fista"):
        h = params["step"]
        x = y = x0
        t = 1.0
        for _ in range(N):
            x_prev = x
            x = prox(y - h * grad(y), h)
            t_next = 0.5 * (1.0 + math.sqrt(1.0 + 4.0 * t * t))
            y = x + ((t - 1.0) / t_next) * (x - x_prev)
            t = t_next
        return x, None
    if algorithm == "ogm":
        h = params["step"]
        x = y = x0
        theta = 1.0
        for k in range(N):
            factor = 8.0 if k + 1 == N else 4.0
            theta_next = 0.5 * (1.0 + math.sqrt(1.0 + factor * theta * theta))
            y_next = x - h * grad(x)
            x = y_next + ((theta - 1.0) / theta_next) * (y_next - y) + (
                theta / theta_next) * (y_next - x)
            y = y_next
            theta = theta_next
        return x, None
    if algorithm == "heavy-ball":
        alpha, beta = params["alpha"], params["beta"]
        x = x_prev = x0
        for _ in range(N):
            x, x_prev = x - alpha * grad(x) + beta * (x - x_prev), x
        return x, None
    if algorithm == "ista":
        h = params["step"]
        x = x0
        for _ in range(N):
            x = prox(x - h * grad(x), h)
        return x, None
    if algorithm == "extragradient":
        gamma = params["step"]
        z = x0
        total = None
        for _ in range(N):
            half = z - gamma * grad(z)
            total = half if total is None else total + half
            z = z - gamma * grad(half)
        return z, (total / N if N else x0)
    raise InputError(f"no PEP description of '{algorithm}' (known: {', '.join(METHODS)})",
                     field="algorithm")


def worst_case(algorithm: str, N: int, *, params: Mapping[str, Any] | None = None,
               L: float = 1.0, mu: float = 0.0, R: float = 1.0, Delta: float | None = None,
               measure: str = "f_gap", iterate: str = "last", one_dimensional: bool = False,
               solver: str | None = None, reduction_rtol: float = 1e-7) -> WorstCase:
    """Solve the PEP of ``algorithm`` after ``N`` steps.

    Parameters
    ----------
    algorithm
        One of :data:`METHODS`.
    N
        Horizon (number of iterations; OGM's last step is tuned to it).
    params
        The algorithm's parameters: numbers or expressions in L, mu, N (default: the
        registered defaults, e.g. ``step = 1/L``).
    L, mu
        Smoothness (Lipschitz constant of the operator) and strong convexity.
    R, Delta
        Initial condition: ||x0 − x*|| <= R, or, when ``Delta`` is given, f(x0) − f* <= Delta.
    measure, iterate
        One of :data:`PEP_MEASURES`, taken at the last iterate (or ``avg``, the average of
        extragradient's half steps).
    one_dimensional
        Ask PEPit for a low-rank worst case (its trace heuristic, one more SDP) and keep the
        evaluated points when the Gram matrix has rank one.
    solver
        A CVXPY solver name (default: PEPit's choice).
    reduction_rtol
        The low-rank worst case may lose this fraction of the worst value.
    """
    _require()
    from PEPit import PEP
    from PEPit.functions import (ConvexFunction, SmoothConvexFunction,
                                 SmoothStronglyConvexFunction)
    from PEPit.operators import LipschitzStronglyMonotoneOperatorCheap
    from PEPit.primitive_steps import proximal_step

    from .run import resolve_algorithm_params

    if algorithm not in METHODS:
        raise InputError(f"no PEP description of '{algorithm}' (known: {', '.join(METHODS)})",
                         field="algorithm")
    if measure not in PEP_MEASURES:
        raise InputError(f"a PEP here measures {', '.join(PEP_MEASURES)}, not '{measure}'",
                         field="measure")
    N = int(N)
    if N < 1:
        raise InputError(f"expected a horizon N >= 1, got {N}", field="horizons")
    if iterate not in ("last", "avg") or (iterate == "avg" and algorithm != "extragradient"):
        raise InputError(f"no PEP of the iterate '{iterate}' of '{algorithm}'", field="iterate")
    operator = algorithm == "extragradient"
    if operator and (measure == "f_gap" or Delta is not None):
        raise InputError("an operator has no function value: measure the operator or the "
                         "distance, with an initial distance R", field="measure")
    if operator and mu:
        raise InputError("the extragradient PEP here is for monotone operators (mu = 0)",
                         field="mu")
    values = resolve_algorithm_params(algorithm, params, {"L": float(L), "mu": float(mu),
                                                          "N": float(N), "R": float(R)})
    if not (L > 0 and math.isfinite(L) and 0 <= mu <= L):
        raise InputError(f"need 0 <= mu <= L < inf, got L={L}, mu={mu}", field="L")
    # Solved in units where L = 1 and the start is at distance (or gap) 1: x ~ s, f' ~ L s,
    # f ~ L s²; a step size h becomes h L. The solver's accuracy is then the same at any scale.
    s = math.sqrt(Delta / L) if Delta is not None else float(R)
    unit = {name: (v * L if name in _STEP_PARAMS else v) for name, v in values.items()}
    start = time.process_time()
    problem = PEP()
    if operator:
        F = problem.declare_function(LipschitzStronglyMonotoneOperatorCheap, mu=0.0, L=1.0)
        smooth, total = F, F
        nonsmooth = None
    else:
        if mu > 0:
            smooth = problem.declare_function(SmoothStronglyConvexFunction, mu=mu / L, L=1.0)
        else:
            smooth = problem.declare_function(SmoothConvexFunction, L=1.0)
        if algorithm in ("ista", "fista"):
            nonsmooth = problem.declare_function(ConvexFunction)
            total = smooth + nonsmooth
        else:
            nonsmooth, total = None, smooth
    xs = total.stationary_point()
    x0 = problem.set_initial_point()
    if Delta is not None:
        problem.set_initial_condition(total(x0) - total(xs) <= 1.0)
    else:
        problem.set_initial_condition((x0 - xs) ** 2 <= 1.0)

    def prox(y, h):
        if nonsmooth is None:
            return y
        return proximal_step(y, nonsmooth, h)[0]

    last, average = _steps("agd" if algorithm == "fista" else algorithm, unit, N,
                           smooth.gradient, prox, x0)
    x = average if iterate == "avg" else last
    if measure == "f_gap":
        metric = total(x) - total(xs)
    elif measure in ("dist_sq", "dist"):
        metric = (x - xs) ** 2
    else:
        if nonsmooth is not None:
            raise InputError("the gradient norm of a composite objective is not defined here",
                             field="measure")
        metric = smooth.gradient(x) ** 2
    problem.set_performance_metric(metric)
    kwargs = {"solver": solver} if solver else {}
    tau = problem.solve(verbose=0, **kwargs)
    rank, points = None, None
    if one_dimensional and not operator and nonsmooth is None:
        for tol in (reduction_rtol, 100 * reduction_rtol, 1e4 * reduction_rtol):
            try:
                problem.solve(verbose=0, dimension_reduction_heuristic="trace",
                              tol_dimension_reduction=tol * abs(float(tau)), **kwargs)
            except Exception:  # the solver found no point this close to the optimum
                continue
            ev = np.linalg.eigvalsh(np.asarray(problem.G_value, dtype=float))
            top = float(ev.max()) if ev.size else 0.0
            rank = int(np.sum(ev > 1e-4 * top)) if top > 0 else 0
            if rank == 1:
                points = _points(smooth, xs, x0)
                if points is not None:
                    points = points * np.array([s, L * s, L * s * s])
                break
    scale = {"f_gap": L * s * s, "dist_sq": s * s, "dist": s * s, "grad_norm_sq": (L * s) ** 2,
             "grad_norm": (L * s) ** 2}[measure]
    value = float(tau) * scale
    if measure in ("dist", "grad_norm"):
        value = math.sqrt(max(value, 0.0))
    return WorstCase(algorithm, N, measure, iterate, value, values, float(L), float(mu),
                     float(R), None if Delta is None else float(Delta),
                     "Delta" if Delta is not None else "R", not operator,
                     time.process_time() - start, rank, points)


def _points(func, xs, x0) -> np.ndarray | None:
    """(x, f'(x), f(x) − f*) of every point PEPit evaluated, projected on the direction of
    x0 − x* (exact for a rank-one Gram matrix) and shifted so that x* = 0: x* first, x0
    second, then the others."""
    origin = np.atleast_1d(xs.eval())
    direction = np.atleast_1d(x0.eval()) - origin
    norm = float(np.linalg.norm(direction))
    if norm == 0:
        return None
    direction = direction / norm
    f_star = float(func(xs).eval())
    first, second, rest = None, None, []
    for point, grad, value in func.list_of_points:
        row = (float(np.dot(np.atleast_1d(point.eval()) - origin, direction)),
               float(np.dot(np.atleast_1d(grad.eval()), direction)),
               float(value.eval()) - f_star)
        if point is xs:
            first = (0.0, 0.0, 0.0)
        elif point is x0:
            second = row
        else:
            rest.append(row)
    if first is None or second is None:
        return None
    return np.array([first, second] + rest)


# -- the worst case as an instance ----------------------------------------------------------------

def interpolating_instance(points: np.ndarray, *, L: float, mu: float = 0.0, name: str = ""):
    """A 1-D L-smooth, mu-strongly convex piecewise-quadratic function through the triples
    ``points`` = rows (x, f'(x), f(x) − f*), x* = 0 first and the start x0 second.

    After subtracting mu x²/2 (which leaves an (L − mu)-smooth convex h), between consecutive
    points a < b h' stays at h'(a), rises with slope L − mu to h'(b) and stays there, the rise
    placed so that h(b) − h(a) is matched: the interpolation conditions of the class say that
    such a placement exists (solver noise is clipped). Outside the points h' is constant. The
    pieces are then written as the two half functions of
    :func:`~convlab.problems.function_classes.piecewise_quadratic_1d`.
    """
    from .problems.function_classes import piecewise_quadratic_1d

    pts = np.asarray(points, dtype=float)
    x0 = float(pts[1, 0])
    if x0 < 0:  # reflect: the start on the right
        pts = pts * np.array([-1.0, -1.0, 1.0])
        x0 = -x0
    x = pts[:, 0]
    g = pts[:, 1] - mu * x
    f = pts[:, 2] - 0.5 * mu * x * x
    order = np.argsort(x, kind="stable")
    x, g, f = x[order], g[order], f[order]
    keep = np.concatenate([[True], np.diff(x) > 1e-12 * max(1.0, float(np.max(np.abs(x))))])
    x, g, f = x[keep], np.maximum.accumulate(g[keep]), f[keep]
    c = L - mu
    breaks: list[tuple[float, float]] = []  # (position, curvature of h from there on)
    for i in range(x.size - 1):
        a, b, jump = x[i], x[i + 1], g[i + 1] - g[i]
        if jump <= 0 or c <= 0:
            continue
        rise = min(jump / c, b - a)
        t1 = b - 0.5 * rise - (f[i + 1] - f[i] - g[i] * (b - a)) / jump
        t1 = min(max(t1, a), b - rise)
        breaks += [(t1, c), (t1 + rise, 0.0)]
    breaks.sort()

    def level(pos: float, strict: bool) -> float:
        out = 0.0
        for p, cv in breaks:
            if p < pos or (p == pos and not strict):
                out = cv
        return out

    right = sorted({p for p, _ in breaks if p > 0})
    left = sorted({p for p, _ in breaks if p < 0}, reverse=True)
    right_side = ([0.0] + right, [mu + level(0.0, False)] + [mu + level(p, False) for p in right])
    left_side = ([0.0] + [-p for p in left],
                 [mu + level(0.0, True)] + [mu + level(p, True) for p in left])
    return piecewise_quadratic_1d(right_side, left_side, x0=x0, L=L, mu=mu,
                                  name=name or "pep-worst-case")


# -- claims ---------------------------------------------------------------------------------------

@dataclass
class CrossCheckRow:
    """One horizon of a cross-check."""

    N: int
    worst: float
    bound: float
    seconds: float
    exact: bool
    kernel: float | None = None  # the kernel's measure on the 1-D worst case (None: no 1-D case)

    @property
    def ratio(self) -> float:
        """PEP worst case / claimed bound."""
        return self.worst / self.bound if self.bound > 0 else math.inf


@dataclass
class CrossCheck:
    """A claim's bound against the exact worst case, horizon by horizon.

    ``verdict``: ``agrees`` (a tight claim within the solver's accuracy of the worst case, or
    an upper claim at or above it), ``violated`` (the bound is below the worst case: the claim
    is false on the class), ``loose`` (a tight claim strictly above the worst case), or
    ``upper-bound-only`` (an operator class, whose PEP value only bounds the worst case: only a
    bound above it is conclusive, as ``agrees``).
    """

    claim: str
    algorithm: str
    rows: list[CrossCheckRow]
    kind: str
    rtol: float

    @property
    def verdict(self) -> str:
        lo, hi = 1 - self.rtol, 1 + self.rtol
        exact = all(r.exact for r in self.rows)
        if any(r.ratio > hi for r in self.rows):
            return "violated" if exact else "upper-bound-only"
        if self.kind == "tight" and any(r.ratio < lo for r in self.rows):
            return "loose" if exact else "upper-bound-only"
        return "agrees"

    def table(self) -> str:
        lines = [f"{'N':>5} {'worst case (PEP)':>18} {'bound':>14} {'worst/bound':>12} "
                 f"{'kernel/worst':>13} {'PEP s':>7}"]
        for r in self.rows:
            kern = f"{r.kernel / r.worst:13.9f}" if r.kernel is not None and r.worst else \
                f"{'-':>13}"
            lines.append(f"{r.N:5d} {r.worst:18.10g} {r.bound:14.10g} {r.ratio:12.8f} {kern} "
                         f"{r.seconds:7.3f}")
        return "\n".join(lines)


def cross_check(claim: Claim, instance=None, *, horizons: Sequence[int] | None = None,
                max_horizon: int = 20, run_kernel: bool = True,
                rtol: float = SOLVER_RTOL) -> CrossCheck:
    """PEPit's worst case of ``claim``'s algorithm on its class at each horizon, against the
    claim's bound (built from the instance's constants at that horizon).

    The class is the instance's: L, mu (mu > 0: strongly convex), R (or Delta when the bound
    uses it). Horizons: the claim's (horizon design) or ``horizons``, those above
    ``max_horizon`` left out (an SDP of size about N). With ``run_kernel``, a one-dimensional
    worst case is turned into an instance (:meth:`WorstCase.instance`) and the compiled kernel
    is run on it: its measure at N should equal the worst case.
    """
    _require()
    from .rates.expressions import evaluate, free_names, parse_expression
    from .run import run

    if claim.algorithm not in METHODS:
        raise InputError(f"no PEP description of '{claim.algorithm}' (known: "
                         f"{', '.join(METHODS)})", field="algorithm")
    if claim.kind not in ("upper", "tight"):
        raise InputError("a cross-check compares an upper or tight claim's bound",
                         field="kind")
    expr = parse_expression(claim.bound)
    if horizons is None:
        if claim.design == "horizon":
            horizons = claim.horizons
        else:
            horizons = [n for n in (1, 2, 5, 10, 20) if n <= claim.iterations]
    horizons = [int(n) for n in horizons if 1 <= int(n) <= max_horizon]
    if not horizons:
        raise InputError(f"no horizon in 1..{max_horizon} to check (pass horizons, or raise "
                         f"max_horizon)", field="horizons")
    instance = instance or claim.instances[0]
    uses_delta = "Delta" in free_names(expr)
    rows = []
    for N in horizons:
        try:
            problem = instance.build({"N": float(N)})
        except InputError as exc:
            raise exc.located(field=f"instances.{instance.name}") from None
        constants = dict(problem.constants)
        L, mu = constants.get("L", math.nan), constants.get("mu", 0.0)
        if not math.isfinite(L):
            raise InputError("the instance certifies no finite L", field="instances")
        wc = worst_case(claim.algorithm, N, params=claim.params, L=L, mu=mu,
                        R=constants.get("R", 1.0),
                        Delta=constants.get("Delta") if uses_delta else None,
                        measure=claim.measure, iterate=claim.iterate,
                        one_dimensional=run_kernel)
        values = dict(constants)
        for var in ("k", "t", "N", "T", "n_iter"):
            values[var] = float(N)
        bound = float(np.asarray(evaluate(expr, values)))
        kernel = None
        if run_kernel and wc.points is not None:
            member = wc.instance()
            trace = run(member, claim.algorithm, wc.params, checkpoints=np.array([N]),
                        context={"N": float(N)})
            kernel = float(trace.measure(claim.measure, claim.iterate)[-1])
        rows.append(CrossCheckRow(N, wc.value, bound, wc.seconds, wc.exact, kernel))
    return CrossCheck(claim.id, claim.algorithm, rows, claim.kind, rtol)
