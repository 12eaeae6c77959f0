"""Fixed-point problems: a nonexpansive map T, with or without fixed points (CLAIMS.md §5.12,
recipes P38, P40, P41).

Convention (shared with :mod:`.vi`): a fixed-point map T is encoded by its *residual operator*
F = I − T in the ``grad`` oracle, so T z = z − F(z) and the fixed-point residual z − T z is
F(z): the standard measures ``grad_norm`` / ``grad_norm_sq`` are the residual ||z − T z|| and its
square, also named ``residual`` / ``residual_sq``. Fixed-point kernels
(:mod:`convlab.algorithms.fixed_point`) read T this way, with T_λ z = z − λ F(z) for a scaling λ
(λ = 1: T itself). There is no objective: ``fstar`` is NaN and there is no ``value`` oracle.

When T has no fixed point, the residual tends to the infimal displacement vector v (the
min-norm element of cl ran(I − T)); the families then measure ``residual_minus_v_sq`` =
||(z − T z) − v||² and ``v_error_sq`` = ||z − v||² (for a point that estimates v).

=========================== ====== ==========================================================
family                      recipe map
=========================== ====== ==========================================================
reflection-rotation         P38    F = I − T, T = −I or a rotation R_θ of the plane
infeasible-affine-3d        P40    F = I − T, T x = blockdiag(R_θ, 1) x + w: no fixed point
drs-halfplane-disk          P41    F = I − T, T = ½(I + R_A R_B), A half-plane, B disk
=========================== ====== ==========================================================
"""

from __future__ import annotations

import math

import numpy as np

from ..runtime.jit import lazy_jit
from .base import UNDERFLOW, Problem
from .family import FINITE, POSITIVE, Family
from .vi import linear_operator

_EPS = float(np.finfo(float).eps)


# -- oracles ------------------------------------------------------------------------------------

@lazy_jit("grad")
def drs_residual(A, b, p, x, out):
    """F = I − T for Douglas–Rachford T = ½(I + R_A R_B), A = {x₂ <= 0}, B = disk(c, r).

    p = [c₁, c₂, r]. Since x − T x = P_B x − P_A(R_B x) (R_C = 2P_C − I), that is computed.
    """
    c1 = p[0]
    c2 = p[1]
    r = p[2]
    d1 = x[0] - c1
    d2 = x[1] - c2
    nrm = np.sqrt(d1 * d1 + d2 * d2)
    if nrm > r:
        pb1 = c1 + r * d1 / nrm
        pb2 = c2 + r * d2 / nrm
    else:
        pb1 = x[0]
        pb2 = x[1]
    rb1 = 2.0 * pb1 - x[0]
    rb2 = 2.0 * pb2 - x[1]
    pa1 = rb1
    pa2 = rb2 if rb2 < 0.0 else 0.0
    out[0] = pb1 - pa1
    out[1] = pb2 - pa2


# -- measures -----------------------------------------------------------------------------------

def _residual_measures() -> dict:
    """``residual`` / ``residual_sq``: the fixed-point residual ||z − T z|| = ||F(z)||."""
    def res_sq(pr: Problem, X: np.ndarray) -> np.ndarray:
        return pr.measure("grad_norm_sq", X)

    return {
        "residual_sq": (res_sq, "||z - T z||^2, the squared fixed-point residual (= ||F(z)||^2, F = I - T)"),
        "residual": (lambda pr, X: np.sqrt(res_sq(pr, X)),
                     "||z - T z||, the fixed-point residual (= ||F(z)||, F = I - T)"),
    }


def _infeasibility_measures(v: np.ndarray) -> dict:
    """Measures of a fixed-point problem without fixed points, with infimal displacement v."""
    v = np.asarray(v, dtype=float).copy()

    def resid_v(pr: Problem, X: np.ndarray) -> np.ndarray:
        grad = pr.oracle("grad")
        g = np.empty(pr.dim)
        out = np.empty(X.shape[0])
        for r, x in enumerate(X):
            grad(pr.A, pr.b, pr.p, np.ascontiguousarray(x), g)
            e = g - v
            out[r] = float(e @ e)
        return out

    def est_err(pr: Problem, X: np.ndarray) -> np.ndarray:
        E = X - v
        return np.einsum("ij,ij->i", E, E)

    return {
        "residual_minus_v_sq": (resid_v, "||(z - T z) - v||^2, v the infimal displacement vector "
                                         "(min-norm element of cl ran(I - T))"),
        "v_error_sq": (est_err, "||z - v||^2: error of a point that estimates v (take it at the "
                                "kernel's 'v_est' iterate)"),
    }


def _residual_floors(scale: float) -> dict[str, float]:
    """Floors of ``grad_norm_sq`` = ``residual_sq`` and ``residual`` when F = I − T is computed
    with an absolute rounding of ``scale`` (0: relative rounding only, floor underflow)."""
    sq = max(scale * scale, UNDERFLOW)
    return {"grad_norm_sq": sq, "residual_sq": sq, "residual": math.sqrt(sq)}


# -- P38 reflection / rotation ------------------------------------------------------------------------

def reflection_rotation(kind: str = "reflection", theta: float = 0.3) -> Problem:
    """Nonexpansive linear maps of the plane with Fix T = {0} (recipe P38), as F = I − T.

    ``kind = "reflection"``: T = −I (F = 2I): Halpern's worst case (Lieder 2021).
    ``kind = "rotation"``: T = R_θ, the rotation by θ (θ not a multiple of 2π).
    Start x0 = (1, 0), x* = 0; L = ||I − T||₂ (2 for T = −I, 2|sin(θ/2)| for R_θ).

    Floors: underflow for every measure (x* = 0 and F(z) = (I − T) z is linear: its rounding is
    relative to ||z||, and z − z* = z is exact).
    """
    if kind == "reflection":
        T = -np.eye(2)
    elif kind == "rotation":
        theta = float(theta)
        if abs(math.sin(theta / 2)) < 1e-12:
            raise ValueError("theta must not be a multiple of 2*pi (then T = I and every point is fixed)")
        c, s = math.cos(theta), math.sin(theta)
        T = np.array([[c, -s], [s, c]])
    else:
        raise ValueError(f"unknown kind {kind!r} (expected 'reflection' or 'rotation')")
    M = np.eye(2) - T
    return Problem(
        family="reflection-rotation", name=f"reflection-rotation({kind}"
        + (f", theta={theta:g})" if kind == "rotation" else ")"),
        A=M, b=np.zeros(2), p=np.zeros(1), oracles={"grad": linear_operator},
        x0=np.array([1.0, 0.0]), xstar=np.zeros(2), fstar=math.nan,
        L=float(np.linalg.norm(M, 2)), mu=0.0,
        floors={"dist_sq": UNDERFLOW, **_residual_floors(0.0)},
        params=dict(kind=kind, theta=float(theta)), extra_measures=_residual_measures(),
    )


# -- P40 infeasible affine -----------------------------------------------------------------------------

def infeasible_affine_3d(theta: float = 1.0, w1: float = 0.5, w2: float = -0.2, w3: float = 1.0,
                         x1: float = 0.0, x2: float = 0.0, x3: float = 0.0) -> Problem:
    """T x = R x + w on R³, R = blockdiag(R_θ, 1): no fixed point when w3 ≠ 0 (recipe P40).

    F = I − T, F(x) = (I − R) x − w. ran(I − T) = R² × {−w3}, so the infimal displacement
    vector (min-norm element of cl ran(I − T)) is v = (0, 0, −w3) exactly. The first two
    coordinates form the consistent affine map u ↦ R_θ u + (w1, w2) with fixed point
    u* = (I − R_θ)⁻¹(w1, w2); certified ``R_u`` = ||u0 − u*|| and the components of v.
    Start x0 = (x1, x2, x3).

    Floors. The third coordinate of F is −w3 exactly (the third column and row of I − R vanish),
    so however far x3 drifts, rounding enters through the first two coordinates only:
    (I − R_θ) u − (w1, w2) with ||I − R_θ|| <= 2 and ||u_k|| <= u_max = ||u0 − u*|| + ||u*||
    (the iterations of interest are nonexpansive in u), an absolute error of about
    8 eps (2 u_max + ||w||). Its square is the floor of ``residual_minus_v_sq`` and of
    ``v_error_sq`` (an estimate of v carries the same rounding), and of ``grad_norm_sq`` =
    ``residual_sq``, which never comes near it (the residual tends to ||v|| = |w3| > 0).
    """
    theta = float(theta)
    if abs(math.sin(theta / 2)) < 1e-12:
        raise ValueError("theta must not be a multiple of 2*pi")
    if w3 == 0:
        raise ValueError("w3 = 0 makes the map consistent; this family is the infeasible case")
    c, s = math.cos(theta), math.sin(theta)
    R = np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])
    M = np.eye(3) - R
    w = np.array([w1, w2, w3], dtype=float)
    ustar = np.linalg.solve(M[:2, :2], w[:2])
    x0 = np.array([x1, x2, x3], dtype=float)
    v = np.array([0.0, 0.0, -float(w3)])
    measures = {**_residual_measures(), **_infeasibility_measures(v)}
    u_max = float(np.linalg.norm(x0[:2] - ustar) + np.linalg.norm(ustar))
    scale = 8 * _EPS * (2 * u_max + float(np.linalg.norm(w)))
    return Problem(
        family="infeasible-affine-3d", name=f"infeasible-affine-3d(theta={theta:g})",
        A=M, b=w, p=np.zeros(1), oracles={"grad": linear_operator},
        x0=x0, xstar=None, fstar=math.nan, L=float(np.linalg.norm(M, 2)), mu=0.0,
        floors={"residual_minus_v_sq": max(scale**2, UNDERFLOW),
                "v_error_sq": max(scale**2, UNDERFLOW), **_residual_floors(scale)},
        params=dict(theta=theta, w1=float(w1), w2=float(w2), w3=float(w3),
                    x1=float(x1), x2=float(x2), x3=float(x3)),
        certified=dict(R_u=float(np.linalg.norm(x0[:2] - ustar)), v_norm=abs(float(w3)),
                       v1=0.0, v2=0.0, v3=float(v[2])),
        extra_measures=measures,
    )


# -- P41 Douglas-Rachford on a half-plane and a disk --------------------------------------------------

def drs_halfplane_disk(c2: float = 3.0, r: float = 1.0, x1: float = 1.0, x2: float = -1.0) -> Problem:
    """Douglas–Rachford map T = ½(I + R_A R_B), A = {x₂ <= 0}, B = disk((0, c2), r) (recipe P41).

    The sets do not intersect when c2 > r: T has no fixed point. F = I − T is firmly
    nonexpansive, x − T x = P_B x − P_A(R_B x). The infimal displacement vector is the gap vector
    between the sets, v = P_{cl(B − A)}(0) = (0, c2 − r) (Bauschke, Combettes & Luke 2004;
    Bauschke & Moursi 2016 for DRS); for the default (0, 2). Start (x1, x2).

    Floors. The projections are formed from points of size up to c2 + r (P_B x) and |x1|,
    max(x2, 0) (the start; later iterates have smaller first coordinates, and the divergence
    x2 → −∞ along −v never enters: there (R_B x)₂ > 0 and P_A sets it to 0), so F carries an
    absolute rounding of about 8 eps (c2 + r + |x1| + max(x2, 0)) (checked against a 50-digit
    evaluation along 10⁵ Halpern steps: at most 12 eps). Its square is the floor of
    ``residual_minus_v_sq``, ``v_error_sq`` and ``grad_norm_sq`` = ``residual_sq`` (which tends to
    ||v||² > 0 and never comes near it).
    """
    c2, r = float(c2), float(r)
    if not r > 0:
        raise ValueError(f"r must be positive, got {r}")
    if not c2 > r:
        raise ValueError(f"need c2 > r (disjoint sets: the infeasible case), got c2={c2}, r={r}")
    v = np.array([0.0, c2 - r])
    scale = 8 * _EPS * (c2 + r + abs(float(x1)) + max(float(x2), 0.0))
    return Problem(
        family="drs-halfplane-disk", name=f"drs-halfplane-disk(c2={c2:g}, r={r:g})",
        A=np.zeros((1, 1)), b=np.zeros(1), p=np.array([0.0, c2, r]),
        oracles={"grad": drs_residual}, x0=np.array([float(x1), float(x2)]), xstar=None,
        fstar=math.nan, L=1.0, mu=0.0,
        floors={"residual_minus_v_sq": max(scale**2, UNDERFLOW),
                "v_error_sq": max(scale**2, UNDERFLOW), **_residual_floors(scale)},
        params=dict(c2=c2, r=r, x1=float(x1), x2=float(x2)),
        certified=dict(v_norm=c2 - r, v1=0.0, v2=c2 - r),
        extra_measures={**_residual_measures(), **_infeasibility_measures(v)},
    )


FAMILIES = (
    Family("reflection-rotation", reflection_rotation, "fixed point (nonexpansive linear)",
           ranges={"kind": ("reflection", "rotation"), "theta": FINITE},
           space={"kind": ["reflection", "rotation"], "theta": [0.1, 3.0]}, example={}),
    Family("infeasible-affine-3d", infeasible_affine_3d, "fixed point (infeasible)",
           ranges={"theta": FINITE, "w1": FINITE, "w2": FINITE, "w3": FINITE, "x1": FINITE,
                   "x2": FINITE, "x3": FINITE},
           space={"theta": [0.2, 3.0], "w1": [-1.0, 1.0], "w2": [-1.0, 1.0], "w3": [0.1, 2.0],
                  "x1": [-2.0, 2.0], "x2": [-2.0, 2.0], "x3": [-2.0, 2.0]},
           example={}),
    Family("drs-halfplane-disk", drs_halfplane_disk, "fixed point (infeasible)",
           ranges={"c2": FINITE, "r": POSITIVE, "x1": FINITE, "x2": FINITE},
           space={"c2": [1.5, 6.0], "r": [0.1, 1.4], "x1": [-2.0, 2.0], "x2": [-3.0, 1.0]},
           example={}),
)
