"""Games (CLAIMS.md §5.13, recipes P45-P49).

A game is a variational inequality: the joint action z = (x, y) (or q for N players) is the
variable and the pseudo-gradient F(z) is the ``grad`` oracle. These problems are not
minimisations: ``fstar`` is NaN and there is no ``value`` oracle; ``mu`` is the strong
monotonicity modulus (0 when merely monotone or not monotone at all).

Families:

- :func:`zero_sum` (P45): two-player zero-sum matrix game on Δ_n × Δ_m, F(x, y) = (Ay, −Aᵀx),
  the exact duality gap as a measure, equilibrium and value by linear programming (HiGHS);
- :func:`cournot` (P46): N-player Cournot oligopoly on q ≥ 0, F(q) = b(I + 11ᵀ)q − (a − c);
- :func:`small_gain_2p` (P47): a non-monotone 2-player quadratic game that contracts in a
  weighted norm;
- :func:`regularized_bilinear` (P48): (μ/2)‖x‖² + xᵀAy − (μ/2)‖y‖² on a box, with noisy oracles;
- :func:`bilinear_square` (P49): xᵀAy + (ε/2)(‖x‖² − ‖y‖²) with a prescribed singular spectrum.

The stability families of §5.14 (P50 ``ls-interpolating-overparam``, P51 ``quad-diag-sam``) are
quadratics and live in :mod:`.quadratics`.

Floors. With z* = 0 (P47-P49) F is linear and z − z* = z: every floor is the underflow level.
The Cournot equilibrium is a solve (floors of an affine operator, as in :mod:`.vi`); the
matrix game's equilibrium comes from a linear program, whose solution error is estimated from
the square system of its supports (:func:`equilibrium_error`).
"""

from __future__ import annotations

import math

import numpy as np

from ..runtime.jit import lazy_jit
from ..runtime.random import add_normals
from .base import UNDERFLOW, Problem
from .family import FINITE, NONNEGATIVE, POSITIVE, SEED, Family, count
from .quadratics import solve_error
from .sets import project_box, project_nonneg, project_simplex

_EPS = float(np.finfo(float).eps)


# -- shared numba oracles --------------------------------------------------------------------


@lazy_jit("grad")
def matrix_game_grad(A, b, p, x, out):
    """F(x, y) = (A y, −Aᵀ x) for z = (x, y), x of length A.shape[0], y of A.shape[1]."""
    n, m = A.shape
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
def two_simplex_projection(A, b, p, x, step, out):
    """Euclidean projection of (x, y) onto Δ_n × Δ_m (sort-based, Held et al. 1974)."""
    n, m = A.shape
    project_simplex(x[:n], 1.0, out[:n])
    project_simplex(x[n:n + m], 1.0, out[n:n + m])


@lazy_jit("grad")
def linear_operator_grad(A, b, p, x, out):
    """F(z) = A z − b (an affine operator; A need not be symmetric)."""
    d = x.shape[0]
    for i in range(d):
        s = 0.0
        for j in range(d):
            s += A[i, j] * x[j]
        out[i] = s - b[i]


@lazy_jit("prox")
def nonneg_projection(A, b, p, x, step, out):
    """Projection onto the nonnegative orthant (:func:`convlab.problems.sets.project_nonneg`)."""
    project_nonneg(x, out)


@lazy_jit("prox")
def box_projection(A, b, p, x, step, out):
    """Projection onto the box [−p[0], p[0]]^d (:func:`convlab.problems.sets.project_box`)."""
    project_box(x, -p[0], p[0], out)


@lazy_jit("sgrad")
def linear_operator_sgrad(A, b, p, x, t, s, out):
    """F̂(z) = F(z) + c ζ, ζ ~ N(0, I/d) from sample s, with c = p[1]‖F(z)‖ (p[2] = 1,
    multiplicative noise) or c = p[1] (p[2] = 0, additive noise)."""
    d = x.shape[0]
    nrm = 0.0
    for i in range(d):
        acc = 0.0
        for j in range(d):
            acc += A[i, j] * x[j]
        out[i] = acc - b[i]
        nrm += out[i] * out[i]
    c = p[1] * np.sqrt(nrm) if p[2] == 1.0 else p[1]
    scale = c / np.sqrt(d)
    add_normals(s, 0, scale, out)


# -- P45 zero-sum matrix games ----------------------------------------------------------------

_RPS = np.array([[0.0, 1.0, -1.0], [-1.0, 0.0, 1.0], [1.0, -1.0, 0.0]])


def game_value(M: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """Value v and an equilibrium (x*, y*) of min_x max_y xᵀMy on Δ_n × Δ_m by two LPs (HiGHS)."""
    from scipy.optimize import linprog

    n, m = M.shape

    def solve(P):  # min t s.t. Pᵀu <= t 1, u in the simplex (u of length P.shape[0])
        k, l = P.shape
        c = np.r_[np.zeros(k), 1.0]
        A_ub = np.c_[P.T, -np.ones(l)]
        A_eq = np.r_[np.ones(k), 0.0][None, :]
        res = linprog(c, A_ub=A_ub, b_ub=np.zeros(l), A_eq=A_eq, b_eq=[1.0],
                      bounds=[(0, None)] * k + [(None, None)], method="highs",
                      options=dict(primal_feasibility_tolerance=1e-10,
                                   dual_feasibility_tolerance=1e-10))
        if res.status != 0:
            raise RuntimeError(f"linprog failed: {res.message}")
        u = np.maximum(res.x[:k], 0.0)
        return float(res.x[k]), u / u.sum()

    v, x = solve(M)            # min_x max_j (Mᵀx)_j
    w, y = solve(-M.T)         # min_y max_i (−My)_i = −max_y min_i (My)_i
    return 0.5 * (v - w), x, y


def duality_gap_matrix(M: np.ndarray, Z: np.ndarray) -> np.ndarray:
    """max_j (Mᵀx)_j − min_i (My)_i for each row z = (x, y) of Z (exact, no LP needed)."""
    n = M.shape[0]
    X, Y = Z[:, :n], Z[:, n:]
    return (X @ M).max(axis=1) - (Y @ M.T).min(axis=1)


def equilibrium_error(M: np.ndarray, x: np.ndarray, y: np.ndarray) -> float | None:
    """Estimated distance from a computed equilibrium (x, y) of min_x max_y xᵀMy to the exact
    one; None when the game is degenerate at it (supports of different sizes, a singular
    support system, or a support solution with a negative entry).

    At a nondegenerate equilibrium the supports S_x, S_y have the same size k, and x solves the
    square system (Mᵀx)_j = v (j ∈ S_y), Σ_{S_x} x = 1, y the system (My)_i = v (i ∈ S_x),
    Σ_{S_y} y = 1. These are solved in float64 with one step of iterative refinement (residual in
    extended precision), and the estimate is the distance of (x, y) to their solutions.
    """
    Sx, Sy = np.flatnonzero(x > 0), np.flatnonzero(y > 0)
    k = Sx.size
    if Sy.size != k:
        return None
    B = M[np.ix_(Sx, Sy)]

    def support_solution(K: np.ndarray) -> np.ndarray:  # K u = v 1, Σ u = 1
        S = np.zeros((k + 1, k + 1))
        S[:k, :k] = K
        S[:k, k] = -1.0
        S[k, :k] = 1.0
        rhs = np.zeros(k + 1)
        rhs[k] = 1.0
        sol = np.linalg.solve(S, rhs)
        res = rhs.astype(np.longdouble) - S.astype(np.longdouble) @ sol.astype(np.longdouble)
        return (sol + np.linalg.solve(S, res.astype(float)))[:k]

    try:
        xe, ye = support_solution(B.T), support_solution(B)
    except np.linalg.LinAlgError:
        return None
    if xe.min() < 0 or ye.min() < 0:
        return None
    dx, dy = x.copy(), y.copy()
    dx[Sx] -= xe
    dy[Sy] -= ye
    return float(np.sqrt(dx @ dx + dy @ dy))


def zero_sum(n: int = 8, m: int = 6, seed: int = 1, game: str = "random",
             signed: bool = False) -> Problem:
    """Two-player zero-sum matrix game min_x max_y xᵀMy on Δ_n × Δ_m (recipe P45).

    Parameters
    ----------
    n, m
        Numbers of pure strategies (``game = "random"``; RPS has n = m = 3).
    seed
        Seed of the payoff draw M ~ U[0, 1]^{n×m}.
    game
        ``random`` or ``rps`` (rock-paper-scissors, M = (1 + M_RPS)/2, value 1/2, uniform
        equilibrium).
    signed
        Use 2M − 1 (entries in [−1, 1]) instead of M (entries in [0, 1]).

    Variable z = (x, y), start z0 = uniform strategies, operator F(z) = (My, −Mᵀx) (``grad``),
    projection onto Δ_n × Δ_m (``prox``). x* = an equilibrium by LP (HiGHS, tolerance 1e-10;
    unique for generic M). Measures: ``duality_gap`` = max_j (Mᵀx)_j − min_i (My)_i (exact).
    Certified: ``value`` (the game value), ``L`` = ‖M‖₂ (Lipschitz constant of F),
    ``D_sq`` = max ‖z − z0‖² over the domain = (1 − 1/n) + (1 − 1/m), and ``n``, ``m``.

    Floors: ``dist_sq`` = (4 eps ‖z*‖ + δ)², δ the LP solution's estimated error
    (:func:`equilibrium_error`; about 10-300 eps ‖z*‖ for n, m <= 30; 1e-9, the level of the
    LP's tolerances, when the game is degenerate at z*); ``duality_gap`` = 8 eps max(1, max|M|)
    (a difference of two numbers of the size of the entries); ``grad_norm_sq`` =
    (max(n, m) eps max|M|)² (n + m), the rounding of F's sums at points of the simplices (never
    approached: F does not vanish at a constrained equilibrium).
    """
    n, m, seed = int(n), int(m), int(seed)
    if game == "rps":
        M = (1.0 + _RPS) / 2.0
        n, m = 3, 3
    elif game == "random":
        if n < 1 or m < 1:
            raise ValueError(f"need n, m >= 1, got n={n}, m={m}")
        M = np.random.default_rng(seed).uniform(0.0, 1.0, size=(n, m))
    else:
        raise ValueError(f"unknown game {game!r} (expected 'random' or 'rps')")
    if signed:
        M = 2.0 * M - 1.0
    v, xs, ys = game_value(M)
    L = float(np.linalg.norm(M, 2))
    lp_error = equilibrium_error(M, xs, ys)
    dist = 4 * _EPS * float(np.sqrt(xs @ xs + ys @ ys)) + (1e-9 if lp_error is None else lp_error)
    z0 = np.r_[np.full(n, 1.0 / n), np.full(m, 1.0 / m)]
    return Problem(
        family="zero-sum", name=f"zero-sum({game}, n={n}, m={m}, seed={seed}, signed={signed})",
        A=np.ascontiguousarray(M), b=np.zeros(1), p=np.array([float(n), float(m)]),
        oracles={"grad": matrix_game_grad, "prox": two_simplex_projection},
        x0=z0, xstar=np.r_[xs, ys], fstar=math.nan, L=max(L, 1e-300), mu=0.0,
        floors={"duality_gap": 8 * _EPS * max(1.0, float(np.abs(M).max())),
                "dist_sq": dist**2,
                "grad_norm_sq": max((max(n, m) * _EPS * float(np.abs(M).max())) ** 2 * (n + m),
                                    UNDERFLOW)},
        params=dict(n=n, m=m, seed=seed, game=game, signed=bool(signed)),
        certified=dict(value=v, D_sq=(1 - 1 / n) + (1 - 1 / m)),
        extra_measures={"duality_gap": (lambda pr, Z: duality_gap_matrix(pr.A, Z),
                                        "max_j (M^T x)_j - min_i (M y)_i, exact duality gap")},
    )


# -- P46 Cournot oligopoly -------------------------------------------------------------------


def cournot(N: int = 5, a: float = 10.0, b: float = 1.0, c_lo: float = 1.0,
            c_hi: float = 2.0, start: str = "claim") -> Problem:
    """N-player Cournot game on q ≥ 0 (recipe P46; Rosen 1965).

    Player i's cost J_i(q) = c_i q_i − q_i (a − b Σ_j q_j), c = linspace(c_lo, c_hi, N). The
    pseudo-gradient F(q) = b (I + 11ᵀ) q − (a − c) is strongly monotone with μ = b and
    L = b (N + 1). Nash equilibrium q* = (b(I + 11ᵀ))⁻¹(a − c), required > 0 (interior).
    Start ``claim``: q0 = q* + 0.3·1 + 0.2 (e_1 − e_2) (CLAIMS.md C78); ``zero``: q0 = 0.

    Floors (an affine operator with q* from a solve, as in :mod:`.vi`): ``dist_sq`` =
    (8 eps ‖q*‖ + δ)², δ the estimated error of the solve (:func:`.quadratics.solve_error`);
    ``grad_norm_sq`` = (4 eps (‖M‖₂ ‖q*‖ + ‖a − c‖) √N)², the rounding of F = M q − (a − c)
    near q*.
    """
    N = int(N)
    a, b = float(a), float(b)
    if N < 2:
        raise ValueError(f"need N >= 2 players, got {N}")
    if not b > 0:
        raise ValueError(f"need b > 0, got {b}")
    c = np.linspace(float(c_lo), float(c_hi), N)
    M = b * (np.eye(N) + np.ones((N, N)))
    r = a - c
    qs = np.linalg.solve(M, r)
    if not np.all(qs > 0):
        raise ValueError(f"the equilibrium is not interior (q* = {qs}); lower the costs c")
    if start == "claim":
        q0 = qs + 0.3
        q0[0] += 0.2
        q0[1] -= 0.2
    elif start == "zero":
        q0 = np.zeros(N)
    else:
        raise ValueError(f"unknown start {start!r} (expected 'claim' or 'zero')")
    return Problem(
        family="cournot", name=f"cournot(N={N}, a={a:g}, b={b:g})",
        A=M, b=r, p=np.zeros(1),
        oracles={"grad": linear_operator_grad, "prox": nonneg_projection},
        x0=q0, xstar=qs, fstar=math.nan, L=b * (N + 1), mu=b,
        floors={"dist_sq": (8 * _EPS * float(np.linalg.norm(qs)) + solve_error(M, r, qs)) ** 2,
                "grad_norm_sq": (4 * _EPS * (b * (N + 1) * float(np.linalg.norm(qs))
                                             + float(np.linalg.norm(r))) * math.sqrt(N)) ** 2},
        params=dict(N=N, a=a, b=b, c_lo=float(c_lo), c_hi=float(c_hi), start=start),
    )


# -- P47 small-gain two-player game ------------------------------------------------------------


def small_gain_2p(w: float = 20.0, x0: float = 1.0, y0: float = -1.0) -> Problem:
    """Non-monotone 2-player game F(x, y) = (x + 4y, 0.2x + y), Nash z* = 0 (recipe P47).

    J = [[1, 4], [0.2, 1]], eigenvalues 1 ± √0.8; sym(J) is indefinite, so F is not monotone.
    In the metric ‖z‖²_W = x² + w y² (w in (30 − 10√5, 30 + 10√5)) F is strongly monotone:
    W^½ J W^−½ = [[1, 4/√w], [0.2√w, 1]]; with S its symmetric part and K = W^½JW^−½,
    α_W = λ_min(S) and L_W = ‖K‖₂ (w = 20: α_W = 1 − 2/√5, L_W = 1 + 2/√5).
    Certified: ``alpha_W``, ``L_W``, ``R_W`` = ‖z0‖_W, ``lam_max`` = 1 + √0.8, ``lam_min``.
    Measure ``dist_W`` = ‖z − z*‖_W.
    """
    w = float(w)
    if not w > 0:
        raise ValueError(f"need w > 0, got {w}")
    J = np.array([[1.0, 4.0], [0.2, 1.0]])
    s = math.sqrt(w)
    K = np.array([[1.0, 4.0 / s], [0.2 * s, 1.0]])
    alpha = float(np.linalg.eigvalsh(0.5 * (K + K.T)).min())
    LW = float(np.linalg.norm(K, 2))
    z0 = np.array([float(x0), float(y0)])
    RW = math.sqrt(z0[0] ** 2 + w * z0[1] ** 2)
    return Problem(
        family="small-gain-2p", name=f"small-gain-2p(w={w:g})",
        A=J, b=np.zeros(2), p=np.zeros(1), oracles={"grad": linear_operator_grad},
        x0=z0, xstar=np.zeros(2), fstar=math.nan, L=float(np.linalg.norm(J, 2)), mu=0.0,
        floors={"dist_sq": UNDERFLOW, "dist_W": math.sqrt(UNDERFLOW), "grad_norm_sq": UNDERFLOW},
        params=dict(w=w, x0=float(x0), y0=float(y0)),
        certified=dict(alpha_W=alpha, L_W=LW, R_W=RW, lam_max=1 + math.sqrt(0.8),
                       lam_min=1 - math.sqrt(0.8)),
        extra_measures={"dist_W": (lambda pr, Z: np.sqrt(Z[:, 0] ** 2 + pr.params["w"] * Z[:, 1] ** 2),
                                   "weighted distance sqrt(x^2 + w y^2) to z* = 0")},
    )


# -- P48 regularised bilinear game with noise --------------------------------------------------


def regularized_bilinear(d: int = 5, mu: float = 0.1, seed: int = 0, noise: str = "multiplicative",
                         scale: float = 0.5, box: float = 1.0, comparator: float = 2.0) -> Problem:
    """f(x, y) = (μ/2)‖x‖² + xᵀAy − (μ/2)‖y‖², A Gaussian/√d, on the box [−box, box]^{2d} (P48).

    F(z) = (μx + Ay, −Aᵀx + μy) = Mz with M = [[μI, A], [−Aᵀ, μI]]: strongly monotone with
    modulus μ, L = ‖M‖₂, z* = 0. Stochastic oracle F̂ = F + c ζ, ζ ~ N(0, I/(2d)), with
    c = scale·‖F(z)‖ (``multiplicative``, vanishing at z*) or c = scale (``additive``).
    Start: z0 = (1, ..., 1) projected onto the box (a corner). The ``lmo`` oracle minimises a
    linear function over each player's comparator set ball(0, comparator) ∩ box (for regret).
    """
    d = int(d)
    mu, scale, box = float(mu), float(scale), float(box)
    if d < 1 or not mu >= 0 or not scale >= 0 or not box > 0 or not comparator > 0:
        raise ValueError("need d >= 1, mu >= 0, scale >= 0, box > 0, comparator > 0")
    if noise not in ("multiplicative", "additive"):
        raise ValueError(f"unknown noise {noise!r} (expected 'multiplicative' or 'additive')")
    A = np.random.default_rng(int(seed)).standard_normal((d, d)) / math.sqrt(d)
    M = np.block([[mu * np.eye(d), A], [-A.T, mu * np.eye(d)]])
    return Problem(
        family="regularized-bilinear", name=f"regularized-bilinear(d={d}, mu={mu:g}, {noise})",
        A=M, b=np.zeros(2 * d),
        p=np.array([box, scale, 1.0 if noise == "multiplicative" else 0.0, float(comparator)]),
        oracles={"grad": linear_operator_grad, "sgrad": linear_operator_sgrad,
                 "prox": box_projection, "lmo": ball_box_lmo},
        x0=np.full(2 * d, box), xstar=np.zeros(2 * d), fstar=math.nan,
        L=float(np.linalg.norm(M, 2)), mu=mu,
        floors={"dist_sq": UNDERFLOW, "grad_norm_sq": UNDERFLOW},
        params=dict(d=d, mu=mu, seed=int(seed), noise=noise, scale=scale, box=box,
                    comparator=float(comparator)),
        certified=dict(sigma_sq=scale ** 2 if noise == "additive" else 0.0),
    )


@lazy_jit("lmo")
def ball_box_lmo(A, b, p, g, out):
    """argmin ⟨g, s⟩ over the comparator set P × P, P = ball(0, p[3]) ∩ [−p[0], p[0]]^{d/2},
    blockwise (each player's block of length d/2). On a block the minimiser is
    s_i = −sign(g_i) min(r, |g_i|/λ) with λ >= 0 the smallest value giving ‖s‖ <= ρ (KKT of the
    ball constraint; bisection to machine precision; the box corner −r·sign(g) when it fits)."""
    d = g.shape[0]
    h = d // 2
    r = p[0]
    rho = p[3]
    for lo, hi in ((0, h), (h, d)):
        nz = 0
        gmax = 0.0
        for i in range(lo, hi):
            if g[i] != 0.0:
                nz += 1
                gmax = max(gmax, abs(g[i]))
        if nz * r * r <= rho * rho or gmax == 0.0:
            for i in range(lo, hi):
                out[i] = -r * np.sign(g[i])
            continue
        lam_lo = 0.0
        lam_hi = gmax * np.sqrt(nz) / rho + gmax / r  # here ||s|| <= rho
        for _ in range(200):
            lam = 0.5 * (lam_lo + lam_hi)
            if lam == lam_lo or lam == lam_hi:
                break
            nrm = 0.0
            for i in range(lo, hi):
                v = min(r, abs(g[i]) / lam)
                nrm += v * v
            if nrm > rho * rho:
                lam_lo = lam
            else:
                lam_hi = lam
        for i in range(lo, hi):
            out[i] = -np.sign(g[i]) * min(r, abs(g[i]) / lam_hi)


# -- P49 bilinear game with a prescribed spectrum ----------------------------------------------


def bilinear_square(d: int = 5, sigma_min: float = 0.5, sigma_max: float = 2.0, eps: float = 0.0,
                    seed: int = 0, x0: str = "random") -> Problem:
    """f(x, y) = xᵀAy + (ε/2)(‖x‖² − ‖y‖²), A = U diag(σ) Vᵀ (U, V Haar), σ = linspace (P49).

    F(z) = (Ay + εx, −Aᵀx + εy) = Mz; eigenvalues ε ± iσ_j; z* = 0; F is ε-strongly monotone
    (monotone for ε = 0) with Lipschitz constant L = sqrt(ε² + σ_max²). In the basis of the
    singular pairs (u_j, v_j), M is block diagonal with 2×2 normal blocks [[ε, σ_j], [−σ_j, ε]],
    so any linear method multiplies the component of z on pair j by |R(−η(ε ± iσ_j))| in norm.
    Start: ``random`` (z0 ~ N(0, I) from the seed), ``top`` (z0 = (u_1, v_1)/√2, the σ_max pair,
    unit norm: the worst-case mode, on which ‖z_k‖ = |R|^k exactly).
    Certified: ``sigma_max``, ``sigma_min``, ``eps`` (parameter), ``eta_gd`` = 2ε/(ε² + σ_max²)
    (the edge of simultaneous GDA) and ``eta_rk4`` (the edge of RK4, from its stability
    polynomial by :func:`rk_threshold`; 2√2/σ_max when ε = 0).
    """
    d = int(d)
    sigma_min, sigma_max, eps = float(sigma_min), float(sigma_max), float(eps)
    if d < 1:
        raise ValueError(f"need d >= 1, got {d}")
    if not (0 < sigma_min <= sigma_max):
        raise ValueError(f"need 0 < sigma_min <= sigma_max, got {sigma_min}, {sigma_max}")
    if eps < 0:
        raise ValueError(f"need eps >= 0, got {eps}")
    rng = np.random.default_rng(int(seed))

    def haar(k):
        q, r = np.linalg.qr(rng.standard_normal((k, k)))
        return q * np.sign(np.diag(r))

    U, V = haar(d), haar(d)
    sig = np.linspace(sigma_max, sigma_min, d) if d > 1 else np.array([sigma_max])
    A = (U * sig) @ V.T
    M = np.block([[eps * np.eye(d), A], [-A.T, eps * np.eye(d)]])
    if x0 == "random":
        z0 = rng.standard_normal(2 * d)
    elif x0 == "top":
        z0 = np.r_[U[:, 0], V[:, 0]] / math.sqrt(2.0)
    else:
        raise ValueError(f"unknown x0 {x0!r} (expected 'random' or 'top')")
    return Problem(
        family="bilinear-square", name=f"bilinear-square(d={d}, eps={eps:g}, seed={seed})",
        A=M, b=np.zeros(2 * d), p=np.zeros(1), oracles={"grad": linear_operator_grad},
        x0=z0, xstar=np.zeros(2 * d), fstar=math.nan,
        L=math.sqrt(eps ** 2 + sigma_max ** 2), mu=eps,
        floors={"dist_sq": UNDERFLOW, "grad_norm_sq": UNDERFLOW},
        params=dict(d=d, sigma_min=sigma_min, sigma_max=sigma_max, eps=eps, seed=int(seed), x0=x0),
        certified=dict(sigma_max=sigma_max, sigma_min=sigma_min,
                       eta_gd=2 * eps / (eps ** 2 + sigma_max ** 2),
                       eta_rk4=rk_threshold(4, eps, sig)),
    )


def rk_stability(order: int, w: np.ndarray) -> np.ndarray:
    """|R(w)| for the stability polynomial of explicit RK of order 1, 2 or 4 (Taylor truncation)."""
    w = np.asarray(w, dtype=complex)
    terms = {1: (1, 1), 2: (1, 1, 1 / 2), 4: (1, 1, 1 / 2, 1 / 6, 1 / 24)}[order]
    return np.abs(sum(c * w ** i for i, c in enumerate(terms)))


def rk_threshold(order: int, eps: float, sigma: np.ndarray, *, hi: float = 10.0) -> float:
    """Largest η such that |R(−η(ε ± iσ_j))| <= 1 for every j and every step in (0, η]: the first
    crossing on a fine grid, refined by bisection to machine precision (0 if unstable at once)."""
    lam = np.r_[eps + 1j * np.asarray(sigma), eps - 1j * np.asarray(sigma)]

    def ok(eta):
        return bool(np.all(rk_stability(order, -eta * lam) <= 1.0 + 1e-15))

    grid = np.linspace(0.0, hi, 20001)[1:]
    flags = np.all(rk_stability(order, -np.outer(grid, lam)) <= 1.0 + 1e-15, axis=1)
    if not flags[0]:
        return 0.0
    if flags.all():
        return math.inf
    i = int(np.argmin(flags))
    lo, up = grid[i - 1], grid[i]
    for _ in range(200):
        mid = 0.5 * (lo + up)
        if mid in (lo, up):
            break
        lo, up = (mid, up) if ok(mid) else (lo, mid)
    return float(lo)


FAMILIES = (
    Family("zero-sum", zero_sum, "game (zero-sum matrix game, monotone VI on simplices)",
           ranges={"n": count(), "m": count(), "seed": SEED, "game": ("random", "rps")},
           space={"n": [1, 8], "m": [1, 8], "seed": [0, 10_000], "game": ["random", "rps"],
                  "signed": [False, True]},
           example={"n": 4, "m": 3}, memory=lambda p: 8.0 * 4 * p["n"] * p["m"]),
    Family("cournot", cournot, "game (strongly monotone, N players)",
           ranges={"N": count(2), "a": FINITE, "b": POSITIVE, "c_lo": FINITE, "c_hi": FINITE,
                   "start": ("claim", "zero")},
           space={"N": [2, 20]}, example={"N": 3}, memory=lambda p: 8.0 * 2 * p["N"] ** 2),
    Family("small-gain-2p", small_gain_2p, "game (non-monotone, weighted contraction)",
           ranges={"w": POSITIVE, "x0": FINITE, "y0": FINITE},
           space={"w": [8.0, 52.0], "x0": [-2.0, 2.0], "y0": [-2.0, 2.0]}, example={}),
    Family("regularized-bilinear", regularized_bilinear, "game (strongly monotone, stochastic)",
           ranges={"d": count(), "mu": NONNEGATIVE, "seed": SEED,
                   "noise": ("multiplicative", "additive"), "scale": NONNEGATIVE,
                   "box": POSITIVE, "comparator": POSITIVE},
           space={"d": [1, 10], "mu": [0.01, 1.0], "seed": [0, 10_000],
                  "noise": ["multiplicative", "additive"], "scale": [0.0, 1.0],
                  "box": [0.5, 2.0]},
           example={"d": 3}, memory=lambda p: 8.0 * 2 * (2 * p["d"]) ** 2),
    Family("bilinear-square", bilinear_square, "game (bilinear, prescribed spectrum)",
           ranges={"d": count(), "sigma_min": POSITIVE, "sigma_max": POSITIVE,
                   "eps": NONNEGATIVE, "seed": SEED, "x0": ("random", "top")},
           space={"d": [1, 10], "sigma_min": [0.1, 1.0], "sigma_max": [1.0, 3.0],
                  "eps": [0.0, 0.5], "seed": [0, 10_000], "x0": ["random", "top"]},
           example={"d": 3}, memory=lambda p: 8.0 * 4 * (2 * p["d"]) ** 2),
)
