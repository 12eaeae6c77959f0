"""Monotone variational inequalities and saddle problems (CLAIMS.md §5.12).

Conventions
-----------
- **Operator.** The operator F of a variational inequality (find z* in Z with <F(z*), z - z*> >= 0
  for all z in Z) is the ``grad`` oracle. For a saddle problem min_x max_y f(x, y) the variable is
  z = (x, y) concatenated and F(z) = (∇_x f, −∇_y f).
- **Fixed points.** A fixed-point map T is encoded by its *residual operator* F = I − T in the
  ``grad`` oracle (the families of fixed-point problems are in :mod:`.fixed_points`); the
  fixed-point kernels (:mod:`convlab.algorithms.fixed_point`) also run on a cocoercive F here,
  with T_λ z = z − λ F(z) (λ = 2/L for a (1/L)-cocoercive F makes I − (2/L) F nonexpansive).
- **Constraints.** The feasible set Z enters through the ``prox`` oracle (its projection); the
  identity when Z is the whole space.
- **No objective.** ``fstar`` is NaN and there is no ``value`` oracle; the measures are
  ``grad_norm_sq`` (||F(z)||²), ``dist_sq`` (when z* is known) and the family measures below.
- **Floors.** With z* = 0 and a linear F, z − z* = z is exact and F(z) carries a rounding
  relative to ||z||: every floor is the underflow level. With z* ≠ 0 (an affine F(z) = M z − q),
  F carries about 4 eps (||M|| ||z*|| + ||q||) √d near z* and z − z* about 4 eps ||z*||, to which
  the error of the computed z* (estimated by one step of iterative refinement) is added
  (:func:`_linear_floors`).

Families (recipes of CLAIMS.md §4):

=========================== ====== ==========================================================
family                      recipe operator
=========================== ====== ==========================================================
matrix-game-simplex         P35    F(x, y) = (A y, −Aᵀ x) on Δ_n × Δ_m; exact duality gap
bilinear-horizon            P36    F(x, y) = σ_T (y, −x), σ_T = 2L/√T (one instance per T)
saddle-quadratic            P37    F = M z, saddle gradient of ½xᵀPx + xᵀBy − ½yᵀQy
cocoercive-linear           P39    F(z) = M z − q with sym(M) ≻ 0 (or F = L·I)
finite-sum-monotone-linear  P42    F = (1/n) Σ F_i, F_i(z) = M_i z − q_i (sgrad: one F_i)
strongly-monotone-linear    P43    F(z) = M z − q, μ-strongly monotone; optional box Z
nonmonotone-local-vi        P44    V(z) = z − z³/3 + B z, noisy oracle (sgrad)
=========================== ====== ==========================================================
"""

from __future__ import annotations

import math

import numpy as np

from ..runtime.jit import lazy_jit
from ..runtime.random import normal_pair, randint
from .base import UNDERFLOW, Problem
from .family import FINITE, NONNEGATIVE, POSITIVE, SEED, UNIT_OPEN, Family, count
from .quadratics import solve_error
from .sets import project_box, project_simplex

_EPS = float(np.finfo(float).eps)


# -- oracles ------------------------------------------------------------------------------------

@lazy_jit("grad")
def linear_operator(A, b, p, x, out):
    """out = A[:d] x − b[:d] with d = len(x): an affine operator F(z) = M z − q (plain loops
    below 64 coordinates, BLAS from there on)."""
    d = x.shape[0]
    if d >= 64:
        y = np.dot(A[:d], x)
        for i in range(d):  # a loop, not out[:] = ...: no shape-error path to compile
            out[i] = y[i] - b[i]
        return
    for i in range(d):
        s = 0.0
        for j in range(d):
            s += A[i, j] * x[j]
        out[i] = s - b[i]


@lazy_jit("sgrad")
def finite_sum_component(A, b, p, x, t, s, out):
    """One component F_i(z) = M_i z − q_i of a finite sum, i = randint(s, 0, n), n = p[0].

    Layout: ``A`` stacks M̄ (rows 0..d−1) and M_1..M_n (rows (i+1)d..(i+2)d−1), ``b`` stacks
    q̄ and q_1..q_n the same way.
    """
    d = x.shape[0]
    n = np.int64(p[0])
    i = randint(s, 0, n)
    r0 = (i + 1) * d
    for r in range(d):
        acc = 0.0
        for j in range(d):
            acc += A[r0 + r, j] * x[j]
        out[r] = acc - b[r0 + r]


@lazy_jit("grad")
def matrix_game_operator(A, b, p, x, out):
    """F(x, y) = (A y, −Aᵀ x) for the payoff matrix A (n × m), z = (x, y)."""
    n = A.shape[0]
    m = A.shape[1]
    for i in range(n):
        s = 0.0
        for j in range(m):
            s += A[i, j] * x[n + j]
        out[i] = s
    for j in range(m):
        s = 0.0
        for i in range(n):
            s += A[i, j] * x[i]
        out[n + j] = -s


@lazy_jit("prox")
def product_simplex_projection(A, b, p, x, step, out):
    """Projection of z = (x, y) onto Δ_n × Δ_m (n, m = A.shape): each block by sorting
    (:func:`convlab.problems.sets.project_simplex`)."""
    n = A.shape[0]
    m = A.shape[1]
    project_simplex(x[:n], 1.0, out[:n])
    project_simplex(x[n:n + m], 1.0, out[n:n + m])


@lazy_jit("prox")
def box_projection(A, b, p, x, step, out):
    """Projection onto the box [−p[0], p[0]]^d (:func:`convlab.problems.sets.project_box`)."""
    project_box(x, -p[0], p[0], out)


@lazy_jit("grad")
def cubic_local_operator(A, b, p, x, out):
    """V(z) = z − z³/3 (componentwise) + B z with B = [[0, 1], [−1, 0]] (d = 2)."""
    out[0] = x[0] - x[0] * x[0] * x[0] / 3.0 + x[1]
    out[1] = x[1] - x[1] * x[1] * x[1] / 3.0 - x[0]


@lazy_jit("sgrad")
def cubic_local_noisy(A, b, p, x, t, s, out):
    """V(z) + p[0] ξ, ξ ~ N(0, I₂) from sample s (counters 0 and 1)."""
    sigma = p[0]
    z0, z1 = normal_pair(s, 0)  # normal(s, 0) and normal(s, 1)
    out[0] = x[0] - x[0] * x[0] * x[0] / 3.0 + x[1] + sigma * z0
    out[1] = x[1] - x[1] * x[1] * x[1] / 3.0 - x[0] + sigma * z1


# -- helpers ------------------------------------------------------------------------------------

def _check_dim(name: str, value: int, least: int = 1) -> int:
    value = int(value)
    if value < least:
        raise ValueError(f"{name} must be >= {least}, got {value}")
    return value


def _skew(rng: np.random.Generator, d: int, scale: float) -> np.ndarray:
    G = rng.standard_normal((d, d)) * scale
    return np.triu(G, 1) - np.triu(G, 1).T


def _sym(M: np.ndarray) -> np.ndarray:
    return 0.5 * (M + M.T)


def _linear_floors(M: np.ndarray, q: np.ndarray, zstar: np.ndarray | None,
                   zstar_error: float = 0.0) -> dict[str, float]:
    """Floors of an affine operator F(z) = M z − q evaluated near z*: F carries rounding of
    order eps (||M|| ||z*|| + ||q||) and z − z* of order eps ||z*||, plus ``zstar_error``, the
    error of the computed z* (:func:`.quadratics.solve_error`)."""
    zn = 0.0 if zstar is None else float(np.linalg.norm(zstar))
    fscale = 4 * _EPS * (float(np.linalg.norm(M, 2)) * zn + float(np.linalg.norm(q))) * math.sqrt(len(q))
    dscale = 4 * _EPS * zn + zstar_error
    return {"grad_norm_sq": max(fscale**2, UNDERFLOW), "dist_sq": max(dscale**2, UNDERFLOW)}


# -- P35 matrix game ------------------------------------------------------------------------------

def matrix_game_simplex(n: int = 20, m: int = 30, seed: int = 0) -> Problem:
    """Bilinear matrix game min_{x∈Δ_n} max_{y∈Δ_m} xᵀ A y with A ~ U[−1, 1]^{n×m} (recipe P35).

    Operator F(x, y) = (A y, −Aᵀ x) on Z = Δ_n × Δ_m (``prox`` = projection on Z), monotone and
    L-Lipschitz with L = ||A||₂. Start z0 = (uniform, uniform). Certified ``D_sq`` =
    max_{z∈Z} ||z − z0||² = (1 − 1/n) + (1 − 1/m) (attained at a pair of vertices: ||e_i − 1/n||²
    = 1 − 1/n) and ``value``, the value of the game (LP by HiGHS; used for checks only).

    Measure ``duality_gap`` = max_j (Aᵀx)_j − min_i (A y)_i, exact (no inner solve). For a
    bilinear game it equals the restricted gap max_{z'∈Z} <F(z'), z − z'> (Nemirovski 2004).
    x* is not stated (a numerical LP solution is not exact), so ``dist`` is not offered.

    Floors: ``duality_gap`` = 8 eps max(1, max|A|) (a difference of two numbers of the size of
    the entries); ``grad_norm_sq``: F is a sum of at most max(n, m) terms of size <= max|A|
    per coordinate at points of Z (the blocks sum to 1), so it carries at most
    max(n, m) eps max|A| per coordinate: (max(n, m) eps max|A| √(n + m))² (never approached:
    F does not vanish at a constrained equilibrium).
    """
    n = _check_dim("n", n, 2)
    m = _check_dim("m", m, 2)
    rng = np.random.default_rng(int(seed))
    P = rng.uniform(-1.0, 1.0, size=(n, m))
    L = float(np.linalg.norm(P, 2))
    z0 = np.concatenate([np.full(n, 1.0 / n), np.full(m, 1.0 / m)])

    def gap(pr: Problem, X: np.ndarray) -> np.ndarray:
        Pm = pr.A
        x, y = X[:, :n], X[:, n:]
        return (x @ Pm).max(axis=1) - (y @ Pm.T).min(axis=1)

    value = _game_value(P)
    return Problem(
        family="matrix-game-simplex", name=f"matrix-game-simplex(n={n}, m={m}, seed={seed})",
        A=P, b=np.zeros(n + m), p=np.array([float(n), float(m)]),
        oracles={"grad": matrix_game_operator, "prox": product_simplex_projection},
        x0=z0, xstar=None, fstar=math.nan, L=L, mu=0.0,
        floors={"duality_gap": 8 * _EPS * max(1.0, float(np.abs(P).max())),
                "grad_norm_sq": (max(n, m) * _EPS * float(np.abs(P).max())) ** 2 * (n + m)},
        params=dict(n=n, m=m, seed=int(seed)),
        certified=dict(D_sq=(1 - 1 / n) + (1 - 1 / m), value=value),
        extra_measures={"duality_gap": (gap, "exact duality gap max_j (A^T x)_j - min_i (A y)_i "
                                             "of the point z = (x, y) (assumed in the simplices)")},
    )


def _game_value(P: np.ndarray) -> float:
    """Value of min_x max_y xᵀ P y by linear programming (HiGHS)."""
    from scipy.optimize import linprog

    n, m = P.shape
    # variables (x, t): minimise t s.t. (Pᵀ x)_j <= t, Σx = 1, x >= 0
    c = np.zeros(n + 1)
    c[-1] = 1.0
    A_ub = np.hstack([P.T, -np.ones((m, 1))])
    A_eq = np.hstack([np.ones((1, n)), np.zeros((1, 1))])
    res = linprog(c, A_ub=A_ub, b_ub=np.zeros(m), A_eq=A_eq, b_eq=[1.0],
                  bounds=[(0, None)] * n + [(None, None)], method="highs")
    if not res.success:  # pragma: no cover - a bounded feasible LP
        raise ValueError(f"game LP failed: {res.message}")
    return float(res.fun)


def game_equilibrium(P: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """An equilibrium (x*, y*) of min_x max_y xᵀ P y by two LPs (HiGHS); for checks."""
    from scipy.optimize import linprog

    def solve(Q):
        n, m = Q.shape
        c = np.zeros(n + 1)
        c[-1] = 1.0
        res = linprog(c, A_ub=np.hstack([Q.T, -np.ones((m, 1))]), b_ub=np.zeros(m),
                      A_eq=np.hstack([np.ones((1, n)), np.zeros((1, 1))]), b_eq=[1.0],
                      bounds=[(0, None)] * n + [(None, None)], method="highs")
        return res.x[:n]

    return solve(P), solve(-P.T)


# -- P36 bilinear horizon ---------------------------------------------------------------------------

def bilinear_horizon(T: int, L: float = 1.0, x0: float = 1.0, y0: float = 0.5) -> Problem:
    """Bilinear saddle f(x, y) = σ_T x y on R², σ_T = 2L/√T, for the horizon T (recipe P36).

    F(z) = σ_T (y, −x) = σ_T J z with J = [[0, 1], [−1, 0]]; z* = 0; F is σ_T-Lipschitz and
    σ_T <= L for T >= 4, so the instance belongs to the class "monotone, L-Lipschitz" with the
    stated L. One instance per horizon (claims in horizon mode set T = N). Certified ``sigma``
    = σ_T. Floors: underflow (z* = 0, F linear; module docstring).
    """
    T = _check_dim("T", T, 4)
    L = float(L)
    if not L > 0:
        raise ValueError(f"L must be positive, got {L}")
    sigma = 2.0 * L / math.sqrt(T)
    M = np.array([[0.0, sigma], [-sigma, 0.0]])
    z0 = np.array([float(x0), float(y0)])
    if not np.any(z0):
        raise ValueError("the start must not be the solution z* = 0")
    return Problem(
        family="bilinear-horizon", name=f"bilinear-horizon(T={T}, L={L:g})",
        A=M, b=np.zeros(2), p=np.zeros(1), oracles={"grad": linear_operator},
        x0=z0, xstar=np.zeros(2), fstar=math.nan, L=L, mu=0.0,
        floors=_linear_floors(M, np.zeros(2), np.zeros(2)),
        params=dict(T=T, L=L, x0=float(x0), y0=float(y0)), certified=dict(sigma=sigma),
    )


# -- P37 saddle quadratic -----------------------------------------------------------------------------

def saddle_quadratic(dx: int = 10, dy: int = 10, seed: int = 0, scale: float = 0.1) -> Problem:
    """Convex-concave quadratic f(x, y) = ½xᵀPx + xᵀBy − ½yᵀQy (recipe P37).

    P = scale·UUᵀ (rank dx/2), Q = scale·VVᵀ (rank dy/2), U, V, B Gaussian, B/√(dx+dy).
    F(z) = M z with M = [[P, B], [−Bᵀ, Q]]: monotone (sym M = blockdiag(P, Q) ⪰ 0), L = ||M||₂,
    z* = 0 (M is checked nonsingular). Start z0 Gaussian. As an N-player game (C69) the
    coordinates are split into blocks; unconstrained, this leaves F unchanged. Floors:
    underflow (z* = 0, F linear; module docstring).
    """
    dx = _check_dim("dx", dx)
    dy = _check_dim("dy", dy)
    if not scale >= 0:
        raise ValueError(f"scale must be >= 0, got {scale}")
    rng = np.random.default_rng(int(seed))
    d = dx + dy
    U = rng.standard_normal((dx, max(dx // 2, 1)))
    V = rng.standard_normal((dy, max(dy // 2, 1)))
    B = rng.standard_normal((dx, dy)) / math.sqrt(d)
    P = scale * U @ U.T
    Q = scale * V @ V.T
    M = np.block([[P, B], [-B.T, Q]])
    if np.linalg.svd(M, compute_uv=False).min() < 1e-8 * np.linalg.norm(M, 2):
        raise ValueError("M is (numerically) singular for this seed: the solution is not unique")
    z0 = rng.standard_normal(d)
    return Problem(
        family="saddle-quadratic", name=f"saddle-quadratic(dx={dx}, dy={dy}, seed={seed})",
        A=M, b=np.zeros(d), p=np.zeros(1), oracles={"grad": linear_operator},
        x0=z0, xstar=np.zeros(d), fstar=math.nan, L=float(np.linalg.norm(M, 2)), mu=0.0,
        floors=_linear_floors(M, np.zeros(d), np.zeros(d)),
        params=dict(dx=dx, dy=dy, seed=int(seed), scale=float(scale)),
    )


# -- P39 cocoercive linear ------------------------------------------------------------------------------

def cocoercive_linear(d: int = 20, seed: int = 0, kind: str = "random", L: float = 1.0) -> Problem:
    """A cocoercive affine operator F(z) = M z − q (recipe P39).

    ``kind = "random"``: M = S + K, S = UUᵀ + 0.5 I (U Gaussian d×d/√d), K skew with entries
    0.5·N(0, 1); q Gaussian; z* = M⁻¹q; start z0 = 0. F is β-cocoercive with
    β = λ_min(sym(M⁻¹)) (<F(z) − F(z'), z − z'> = uᵀM⁻ᵀu >= β||u||² for u = M(z − z')), and the
    certified L := 1/β (not ||M||₂, which is smaller for non-symmetric M); ``L_lip`` = ||M||₂.
    ``kind = "identity"``: F(z) = L z (the worst case of Halpern on I − (2/L)F), z* = 0,
    z0 = e_1. The parameter ``L`` is used only by this kind. Floors: :func:`_linear_floors`
    with the estimated error of z* = M⁻¹q.
    """
    d = _check_dim("d", d)
    if kind == "random":
        rng = np.random.default_rng(int(seed))
        U = rng.standard_normal((d, d)) / math.sqrt(d)
        M = U @ U.T + 0.5 * np.eye(d) + _skew(rng, d, 0.5)
        q = rng.standard_normal(d)
        zs = np.linalg.solve(M, q)
        beta = float(np.linalg.eigvalsh(_sym(np.linalg.inv(M))).min())
        Lc = 1.0 / beta
        z0 = np.zeros(d)
    elif kind == "identity":
        Lc = float(L)
        if not Lc > 0:
            raise ValueError(f"L must be positive, got {L}")
        M = Lc * np.eye(d)
        q = np.zeros(d)
        zs = np.zeros(d)
        z0 = np.zeros(d)
        z0[0] = 1.0
    else:
        raise ValueError(f"unknown kind {kind!r} (expected 'random' or 'identity')")
    return Problem(
        family="cocoercive-linear", name=f"cocoercive-linear(d={d}, kind={kind}, seed={seed})",
        A=M, b=q, p=np.zeros(1), oracles={"grad": linear_operator},
        x0=z0, xstar=zs, fstar=math.nan, L=Lc, mu=0.0,
        floors=_linear_floors(M, q, zs, solve_error(M, q, zs)),
        params=dict(d=d, seed=int(seed), kind=kind, L=float(L)),
        certified=dict(beta=1.0 / Lc, L_lip=float(np.linalg.norm(M, 2))),
    )


# -- P42 finite-sum monotone linear --------------------------------------------------------------------

def finite_sum_monotone_linear(n: int = 16, d: int = 20, seed: int = 0, spread: float = 0.3,
                               centered: bool = True) -> Problem:
    """F = (1/n) Σ_i F_i with affine components F_i(z) = M_i z − q_i (recipe P42).

    ``centered = True`` (default): a mean operator M̄ = S + K (S = 0.5 I + 0.1 UUᵀ ≻ 0, U
    Gaussian d×d/√d, K skew with 0.5·Gaussian/√d entries: better conditioned than the literal
    recipe, so that deterministic baselines stay affordable) drawn from ``seed`` alone, and components
    M_i = M̄ + spread·(G_i − Ḡ), q_i = q̄ + (r_i − r̄) with G_i Gaussian/√d, r_i Gaussian:
    the mean operator and z* do not depend on n, which isolates the dependence of a method's
    cost on n (C73). ``centered = False``: the literal recipe, M_i = 0.1(U_iU_iᵀ + I) + K_i.
    F is β-cocoercive (β = λ_min(sym(M̄⁻¹))), certified L = 1/β; ``L_avg`` =
    sqrt((1/n) Σ ||M_i||₂²) (mean-square Lipschitz constant of the components), ``L_max`` =
    max ||M_i||₂, ``n``. The ``sgrad`` oracle returns one component F_i, i = randint(s, 0, n).
    z* = M̄⁻¹q̄, start z0 = 0. Floors: :func:`_linear_floors` of (M̄, q̄) with the estimated
    error of z*.
    """
    n = _check_dim("n", n)
    d = _check_dim("d", d)
    rng = np.random.default_rng(int(seed))
    if centered:
        U = rng.standard_normal((d, d)) / math.sqrt(d)
        Mbar = 0.5 * np.eye(d) + 0.1 * U @ U.T + _skew(rng, d, 0.5 / math.sqrt(d))
        qbar = rng.standard_normal(d)
        crng = np.random.default_rng([int(seed), n])
        G = crng.standard_normal((n, d, d)) / math.sqrt(d)
        G -= G.mean(axis=0)
        rr = crng.standard_normal((n, d))
        rr -= rr.mean(axis=0)
        Ms = Mbar[None] + float(spread) * G
        qs = qbar[None] + rr
        Mbar = Ms.mean(axis=0)
        qbar = qs.mean(axis=0)
    else:
        Ms = np.empty((n, d, d))
        qs = rng.standard_normal((n, d))
        for i in range(n):
            U = rng.standard_normal((d, d)) / math.sqrt(d)
            Ms[i] = 0.1 * (U @ U.T + np.eye(d)) + _skew(rng, d, 1.0 / math.sqrt(d))
        Mbar = Ms.mean(axis=0)
        qbar = qs.mean(axis=0)
    smin = np.linalg.eigvalsh(_sym(Mbar)).min()
    if smin <= 0:
        raise ValueError("the mean operator is not strictly monotone for these parameters "
                         "(lower spread)")
    zs = np.linalg.solve(Mbar, qbar)
    beta = float(np.linalg.eigvalsh(_sym(np.linalg.inv(Mbar))).min())
    norms = np.linalg.norm(Ms, 2, axis=(1, 2))
    A = np.ascontiguousarray(np.concatenate([Mbar[None], Ms]).reshape((n + 1) * d, d))
    b = np.concatenate([qbar, qs.reshape(-1)])
    return Problem(
        family="finite-sum-monotone-linear",
        name=f"finite-sum-monotone-linear(n={n}, d={d}, seed={seed})",
        A=A, b=b, p=np.array([float(n)]),
        oracles={"grad": linear_operator, "sgrad": finite_sum_component},
        x0=np.zeros(d), xstar=zs, fstar=math.nan, L=1.0 / beta, mu=0.0,
        floors=_linear_floors(Mbar, qbar, zs, solve_error(Mbar, qbar, zs)),
        params=dict(n=n, d=d, seed=int(seed), spread=float(spread), centered=bool(centered)),
        certified=dict(n=float(n), beta=beta, L_lip=float(np.linalg.norm(Mbar, 2)),
                       L_avg=float(np.sqrt(np.mean(norms**2))), L_max=float(norms.max()),
                       F0_norm=float(np.linalg.norm(qbar))),
    )


# -- P43 strongly monotone linear ----------------------------------------------------------------------

def strongly_monotone_linear(d: int = 20, seed: int = 0, box: float = 0.0,
                             q_scale: float = 1.0) -> Problem:
    """A strongly monotone affine VI F(z) = M z − q, M = 0.5 I + K + 0.1 UUᵀ (recipe P43).

    K skew with Gaussian/√d entries, U Gaussian d×d/√d, q = q_scale·Gaussian. μ = λ_min(sym M),
    L = ||M||₂. ``box = 0``: Z = R^d and z* = M⁻¹q. ``box = r > 0``: Z = [−r, r]^d (``prox`` =
    projection) and z* is computed by the projected forward iteration with η = μ/L² (factor
    sqrt(1 − μ²/L²) per step in distance) run to its fixed point; the natural residual
    ||z* − Π(z* − η F(z*))|| is checked to be at rounding level. Start z0 = 0.

    Floors: :func:`_linear_floors`, with the estimated error of z* = M⁻¹q (``box = 0``) or,
    on the box, the distance bound (L/μ)·(natural residual bound 1e-13 max(1, ||z*||)) of the
    computed z*.
    """
    d = _check_dim("d", d)
    box = float(box)
    if box < 0:
        raise ValueError(f"box must be >= 0, got {box}")
    rng = np.random.default_rng(int(seed))
    K = _skew(rng, d, 1.0 / math.sqrt(d))
    U = rng.standard_normal((d, d)) / math.sqrt(d)
    M = 0.5 * np.eye(d) + K + 0.1 * U @ U.T
    q = float(q_scale) * rng.standard_normal(d)
    mu = float(np.linalg.eigvalsh(_sym(M)).min())
    L = float(np.linalg.norm(M, 2))
    zs = np.linalg.solve(M, q)
    oracles = {"grad": linear_operator}
    if box > 0:
        oracles["prox"] = box_projection
        eta = mu / L**2
        z = np.clip(zs, -box, box)
        factor = math.sqrt(1 - (mu / L) ** 2)
        steps = int(math.ceil(math.log(1e-18) / math.log(factor))) + 10
        for _ in range(steps):
            z = np.clip(z - eta * (M @ z - q), -box, box)
        resid = np.linalg.norm(z - np.clip(z - eta * (M @ z - q), -box, box))
        if resid > 1e-13 * max(1.0, np.linalg.norm(z)):  # pragma: no cover
            raise ValueError(f"box solution not certified (natural residual {resid:.2e})")
        zs = z
    floors = _linear_floors(M, q, zs, 0.0 if box > 0 else solve_error(M, q, zs))
    if box > 0:  # z* from an iteration: certified to the natural-residual level
        floors["dist_sq"] = max(floors["dist_sq"], (1e-13 * max(1.0, np.linalg.norm(zs)) * L / mu) ** 2)
    return Problem(
        family="strongly-monotone-linear", name=f"strongly-monotone-linear(d={d}, seed={seed}, box={box:g})",
        A=M, b=q, p=np.array([box]), oracles=oracles,
        x0=np.zeros(d), xstar=zs, fstar=math.nan, L=L, mu=mu, floors=floors,
        params=dict(d=d, seed=int(seed), box=box, q_scale=float(q_scale)),
    )


# -- P44 non-monotone local VI ------------------------------------------------------------------------

def nonmonotone_local_vi(noise: float = 0.1, r0: float = 0.3, angle: float = 0.7) -> Problem:
    """V(z) = z − z³/3 (componentwise) + B z, B = [[0, 1], [−1, 0]] on R² (recipe P44).

    z* = 0 with DV(0) = I + B, sym DV(0) = I ≻ 0 (certified ``mu_loc`` = 1); DV(z) = I −
    diag(z²) + B, so V is monotone only on |z_i| <= 1 and not beyond (non-monotone). On the box
    [−1, 1]² V is Lipschitz with the certified L = (1 + √5)/2: ||DV(z)||₂ is a convex function of
    (z₁², z₂²) ∈ [0, 1]², so its maximum is at a vertex: √2 at (0, 0), 1 at (1, 1) and the golden
    ratio at (0, 1) and (1, 0), where DV = [[1, 1], [−1, 0]]. Noisy oracle ``sgrad`` = V(z) + noise·ξ, ξ ~ N(0, I); certified ``sigma_sq``
    = 2 noise². Start z0 = r0 (cos angle, sin angle). Floors: underflow (z* = 0; V(z) is
    formed from z with rounding relative to ||z||).
    """
    if not noise >= 0:
        raise ValueError(f"noise must be >= 0, got {noise}")
    if not 0 < r0 < 1:
        raise ValueError(f"r0 must lie in (0, 1) (inside the monotone region), got {r0}")
    z0 = float(r0) * np.array([math.cos(angle), math.sin(angle)])
    return Problem(
        family="nonmonotone-local-vi", name=f"nonmonotone-local-vi(noise={noise:g})",
        A=np.zeros((1, 1)), b=np.zeros(1), p=np.array([float(noise)]),
        oracles={"grad": cubic_local_operator, "sgrad": cubic_local_noisy},
        x0=z0, xstar=np.zeros(2), fstar=math.nan, L=(1.0 + math.sqrt(5.0)) / 2.0, mu=0.0,
        floors={"dist_sq": UNDERFLOW, "grad_norm_sq": UNDERFLOW},
        params=dict(noise=float(noise), r0=float(r0), angle=float(angle)),
        certified=dict(mu_loc=1.0, sigma_sq=2 * float(noise) ** 2),
    )


FAMILIES = (
    Family("matrix-game-simplex", matrix_game_simplex, "monotone VI (bilinear game, simplices)",
           ranges={"n": count(2), "m": count(2), "seed": SEED},
           space={"n": [2, 20], "m": [2, 20], "seed": [0, 10_000]},
           example={"n": 5, "m": 4}, memory=lambda p: 8.0 * 2 * p["n"] * p["m"]),
    Family("bilinear-horizon", bilinear_horizon, "monotone VI (bilinear, worst case)",
           ranges={"T": count(4), "L": POSITIVE, "x0": FINITE, "y0": FINITE},
           space={"T": [4, 10_000]}, example={"T": 16}),
    Family("saddle-quadratic", saddle_quadratic, "monotone VI (convex-concave saddle)",
           ranges={"dx": count(), "dy": count(), "seed": SEED, "scale": NONNEGATIVE},
           space={"dx": [1, 15], "dy": [1, 15], "seed": [0, 10_000], "scale": [0.0, 1.0]},
           example={"dx": 4, "dy": 3}, memory=lambda p: 8.0 * 3 * (p["dx"] + p["dy"]) ** 2),
    Family("cocoercive-linear", cocoercive_linear, "monotone VI (cocoercive)",
           ranges={"d": count(), "seed": SEED, "kind": ("random", "identity"), "L": POSITIVE},
           space={"d": [1, 30], "seed": [0, 10_000], "kind": ["random", "identity"],
                  "L": [0.1, 10.0]},
           example={"d": 6}, memory=lambda p: 8.0 * 4 * p["d"] ** 2),
    Family("finite-sum-monotone-linear", finite_sum_monotone_linear,
           "monotone VI (cocoercive finite sum)",
           ranges={"n": count(), "d": count(), "seed": SEED, "spread": NONNEGATIVE},
           space={"n": [1, 16], "d": [1, 20], "seed": [0, 10_000], "spread": [0.0, 0.5],
                  "centered": [True, False]},
           example={"n": 4, "d": 5}, memory=lambda p: 8.0 * 3 * (p["n"] + 1) * p["d"] ** 2),
    Family("strongly-monotone-linear", strongly_monotone_linear, "strongly monotone VI",
           ranges={"d": count(), "seed": SEED, "box": NONNEGATIVE, "q_scale": FINITE},
           space={"d": [1, 20], "seed": [0, 10_000], "box": [0.0, 0.25, 0.5, 1.0, 2.0],
                  "q_scale": [0.1, 2.0]},
           example={"d": 6}, memory=lambda p: 8.0 * 4 * p["d"] ** 2),
    Family("nonmonotone-local-vi", nonmonotone_local_vi, "VI (locally strongly monotone)",
           ranges={"noise": NONNEGATIVE, "r0": UNIT_OPEN, "angle": FINITE},
           space={"noise": [0.0, 0.5], "r0": [0.05, 0.95], "angle": [0.0, 6.28]}, example={}),
)
