"""Nonparametric function classes: members that carry their constants by construction.

A parametric family (a quadratic, a Huber function) holds the worst case of a method only when
it happens to contain it. The classes here are dense in the classes the theorems are about, so
a search over them (:mod:`convlab.falsify`) can approach the exact worst case of a method:

=========================== ==================================================================
class (family)              members
=========================== ==================================================================
smooth-convex               f(x) = Σ_j h_j((Qᵀx)_j): each h_j convex, piecewise quadratic, C¹,
                            with curvature h_j'' piecewise constant in [0, L]
smooth-strongly-convex      the same with curvature in [mu, L]
monotone-linear             F(z) = M z with M = a S + (1 − a) K (S PSD, K skew), ||M||₂ <= L
monotone-piecewise          F(z) = K z + ∇φ(z): K skew, φ a member of smooth-convex; the
                            operator is monotone, piecewise linear and L-Lipschitz
=========================== ==================================================================

Structure of a smooth member (one coordinate, d = 1). x* = 0 and f* = 0. Each side of x* is a
*half function* h(u), u = |x| >= 0, with h(0) = h'(0) = 0 and ``pieces`` pieces of constant
curvature: knots 0 = u_0 <= u_1 <= ... <= u_{k−1} and curvature c_i on [u_{i−1}, u_i)
(the last piece extends to infinity). On the piece starting at u_i,

    h(u)  = F_i + G_i (u − u_i) + (c_{i+1}/2) (u − u_i)²,    h'(u) = G_i + c_{i+1} (u − u_i),

with G_i = h'(u_i) and F_i = h(u_i) accumulated from 0: every term is non-negative, so
f(x) − f* is computed without cancellation and every measure's floor is the underflow level.
f is C¹ (h'(0) = 0 on both sides), convex, L-smooth (c_i <= L) and mu-strongly convex
(c_i >= mu). The first piece on each side has curvature at least ``max(mu, C_FLOOR·L)``, so
f' ≠ 0 away from x*: x* = 0 is the unique minimiser, the projection of every start. For d > 1
the member is a separable sum in the coordinates y = Qᵀx (Q = I, or a Haar rotation drawn
from the seed with ``rotate``), and the start points in a direction of the search space.

Parametrisation (a class member is a point θ of the unit cube). The families take scalar
parameters, so a member is named by its class, its size and θ:

- ``pieces`` (per side of x*, per coordinate) and ``d`` fix the size of θ;
- per coordinate and side: ``pieces − 1`` knots, u = sort(θ)·SPAN·R (knots within SPAN·R of
  x*; the region a run from distance R visits), then ``pieces`` curvatures, c = lo + (hi − lo)θ;
- for d > 1, ``d`` more numbers give the start's direction: x0 = R·Q v/||v||, v = θ − 1/2;
  for d = 1 the start is x0 = +R (the left side covers the reflected case);
- the operator classes add a matrix block (entries 2θ − 1) and mixing weights (see their
  builders).

The family builders (``smooth_convex(pieces=4, d=1, seed=0, ...)``) draw θ uniformly from
``seed``: a random member. A search climbs θ directly through :class:`FunctionClass`
(:meth:`FunctionClass.operands` packs a batch of members into oracle operands,
:meth:`FunctionClass.member` builds one as a :class:`Problem`), and a counterexample is
reported as its θ, rebuilt with ``get_class(name, pieces=..., d=...).member(theta)``.
:func:`piecewise_quadratic_1d` builds a 1-D member from explicit knots and curvatures (PEPit's
worst cases turned into instances, :mod:`convlab.pep`).

Oracle operands: ``A`` holds Q (rows 0..d−1); ``p`` holds a header, the matrix block (row-major)
and the piece blocks ``[u_0..u_{k−1}, c_1..c_k, G_0..G_{k−1}, F_0..F_{k−1}]``, one per
coordinate and side (right side first).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from ..runtime.jit import lazy_jit, njit_helper
from .base import UNDERFLOW, Problem
from .family import POSITIVE, SEED, Family, count

#: Knots lie within SPAN·R of x* on each side.
SPAN = 2.0
#: The first piece beside x* has curvature at least max(mu, C_FLOOR·L) (x* is then unique).
C_FLOOR = 1e-3
#: Header of ``p``: d, pieces, rotate, offset of the matrix block (−1: none), offset of the
#: piece blocks (−1: none), curvature scale (unused by the oracles), reserved x2.
_HEADER = 8
_EPS = float(np.finfo(float).eps)


# -- oracles ------------------------------------------------------------------------------------

@njit_helper
def _half(p, base, k, u):
    """(h(u), h'(u)) of the half function whose piece block starts at p[base], u >= 0."""
    i = 0
    while i + 1 < k and p[base + i + 1] <= u:
        i += 1
    t = u - p[base + i]
    c = p[base + k + i]
    g = p[base + 2 * k + i]
    return p[base + 3 * k + i] + t * (g + 0.5 * c * t), g + c * t


@njit_helper
def _coordinate(A, p, x, j, rotate):
    """y_j = (Qᵀx)_j (x_j without rotation)."""
    if not rotate:
        return x[j]
    s = 0.0
    for i in range(x.shape[0]):
        s += A[i, j] * x[i]
    return s


@lazy_jit("value")
def class_value(A, b, p, x):
    """f(x) − f* = Σ_j h_j(|y_j|), y = Qᵀx (sums of non-negative terms: no cancellation)."""
    d = x.shape[0]
    k = np.int64(p[1])
    rotate = p[2] != 0.0
    off = np.int64(p[4])
    total = 0.0
    for j in range(d):
        y = _coordinate(A, p, x, j, rotate)
        side = 0 if y >= 0.0 else 1
        h, _ = _half(p, off + (2 * j + side) * 4 * k, k, abs(y))
        total += h
    return total


@lazy_jit("grad")
def class_grad(A, b, p, x, out):
    """∇f(x) = Q g(Qᵀx) with g_j = sign(y_j) h_j'(|y_j|), plus M x when the member has a matrix
    block (the operator classes: F(z) = M z + Q g(Qᵀz))."""
    d = x.shape[0]
    k = np.int64(p[1])
    rotate = p[2] != 0.0
    moff = np.int64(p[3])
    off = np.int64(p[4])
    for i in range(d):
        out[i] = 0.0
    if moff >= 0:
        for i in range(d):
            s = 0.0
            for j in range(d):
                s += p[moff + i * d + j] * x[j]
            out[i] = s
    if off >= 0:
        for j in range(d):
            y = _coordinate(A, p, x, j, rotate)
            side = 0 if y >= 0.0 else 1
            _, g = _half(p, off + (2 * j + side) * 4 * k, k, abs(y))
            if y < 0.0:
                g = -g
            if rotate:
                for i in range(d):
                    out[i] += A[i, j] * g
            else:
                out[j] += g


# -- piece blocks -------------------------------------------------------------------------------

def _blocks(knots: np.ndarray, curv: np.ndarray) -> np.ndarray:
    """Piece blocks [u, c, G, F] from knots (..., k) with u_0 = 0 and curvatures (..., k)."""
    width = np.diff(knots, axis=-1)
    G = np.zeros_like(knots)
    F = np.zeros_like(knots)
    G[..., 1:] = np.cumsum(curv[..., :-1] * width, axis=-1)
    F[..., 1:] = np.cumsum(G[..., :-1] * width + 0.5 * curv[..., :-1] * width * width, axis=-1)
    return np.concatenate([knots, curv, G, F], axis=-1)


def _half_numpy(block: np.ndarray, k: int, u: float) -> tuple[float, float]:
    i = 0
    while i + 1 < k and block[i + 1] <= u:
        i += 1
    t = u - block[i]
    c, g, f = block[k + i], block[2 * k + i], block[3 * k + i]
    return float(f + t * (g + 0.5 * c * t)), float(g + c * t)


def _header(m: int, d: int, k: int, rotate: bool, moff: int, off: int) -> np.ndarray:
    head = np.zeros((m, _HEADER))
    head[:, 0], head[:, 1], head[:, 2], head[:, 3], head[:, 4] = d, k, float(rotate), moff, off
    return head


def _haar(d: int, rng: np.random.Generator) -> np.ndarray:
    q, r = np.linalg.qr(rng.standard_normal((d, d)))
    return q * np.sign(np.diag(r))


# -- classes ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Operands:
    """A batch of m members packed for the oracles: shared ``A``, ``b``; one row of ``P``
    (the ``p`` operand), of ``X0`` (start) and of ``XS`` (solution x*) per member."""

    A: np.ndarray
    b: np.ndarray
    P: np.ndarray
    X0: np.ndarray
    XS: np.ndarray


@dataclass(frozen=True)
class FunctionClass:
    """A class of members indexed by θ in the unit cube (see the module docstring).

    Attributes
    ----------
    name
        ``smooth-convex``, ``smooth-strongly-convex``, ``monotone-linear`` or
        ``monotone-piecewise``.
    pieces, d
        Size: pieces of constant curvature per side of x* and coordinate; dimension.
    L, mu, R
        Class constants: smoothness (Lipschitz constant of the operator), strong convexity
        (0 for the convex and operator classes), distance ||x0 − x*|| of every member.
    seed, rotate
        The rotation Q (Haar, from ``seed``) when ``rotate``; otherwise Q = I.
    """

    name: str
    pieces: int = 4
    d: int = 1
    L: float = 1.0
    mu: float = 0.0
    R: float = 1.0
    seed: int = 0
    rotate: bool = False

    def __post_init__(self) -> None:
        if self.name not in CLASS_NAMES:
            raise ValueError(f"unknown class {self.name!r}; known: {', '.join(CLASS_NAMES)}")
        if int(self.pieces) < 1 or int(self.d) < 1:
            raise ValueError(f"need pieces >= 1 and d >= 1, got pieces={self.pieces}, d={self.d}")
        if not (self.L > 0 and 0 <= self.mu <= self.L and self.R > 0):
            raise ValueError(f"need L > 0, 0 <= mu <= L, R > 0, got L={self.L}, mu={self.mu}, "
                             f"R={self.R}")
        if self.name == "smooth-strongly-convex" and not self.mu > 0:
            raise ValueError("class smooth-strongly-convex needs mu > 0")
        if self.name != "smooth-strongly-convex" and self.mu != 0:
            raise ValueError(f"class {self.name} has mu = 0 (use smooth-strongly-convex)")

    # -- layout ---------------------------------------------------------------------------

    @property
    def operator(self) -> bool:
        """Whether members are operators (a VI: no value oracle, f* undefined)."""
        return self.name.startswith("monotone")

    @property
    def has_pieces(self) -> bool:
        return self.name != "monotone-linear"

    @property
    def n_pieces_params(self) -> int:
        return 2 * self.d * (2 * self.pieces - 1) if self.has_pieces else 0

    @property
    def n_matrix_params(self) -> int:
        if self.name == "monotone-linear":
            return 2 * self.d * self.d + 2  # S factor, skew factor, mix a, scale s
        if self.name == "monotone-piecewise":
            return self.d * self.d + 1  # skew factor, weight w of the skew part
        return 0

    @property
    def n_direction_params(self) -> int:
        return self.d if self.d > 1 else 0

    @property
    def n(self) -> int:
        """Number of coordinates of θ."""
        return self.n_pieces_params + self.n_matrix_params + self.n_direction_params

    @property
    def names(self) -> tuple[str, ...]:
        """A name per coordinate of θ (for reports)."""
        out = []
        if self.has_pieces:
            for j in range(self.d):
                for side in ("right", "left"):
                    out += [f"y{j}.{side}.knot{i}" for i in range(1, self.pieces)]
                    out += [f"y{j}.{side}.curv{i}" for i in range(1, self.pieces + 1)]
        if self.name == "monotone-linear":
            out += [f"S.{i}{j}" for i in range(self.d) for j in range(self.d)]
            out += [f"K.{i}{j}" for i in range(self.d) for j in range(self.d)]
            out += ["mix", "scale"]
        elif self.name == "monotone-piecewise":
            out += [f"K.{i}{j}" for i in range(self.d) for j in range(self.d)] + ["skew_weight"]
        out += [f"x0.{j}" for j in range(self.n_direction_params)]
        return tuple(out)

    @property
    def constants(self) -> dict[str, float]:
        """Constants every member shares: L, mu, R, d (kappa = L/mu when mu > 0; f* = 0 for
        the function classes)."""
        out = {"L": float(self.L), "mu": float(self.mu), "R": float(self.R), "d": float(self.d)}
        if self.mu > 0:
            out["kappa"] = float(self.L / self.mu)
        if not self.operator:
            out["fstar"] = 0.0
        return out

    @property
    def curvature_mask(self) -> np.ndarray:
        """Which coordinates of θ set a curvature (0: the lowest allowed, 1: the highest)."""
        return np.array([".curv" in name for name in self.names], dtype=bool)

    @property
    def Q(self) -> np.ndarray:
        """The rotation (identity without ``rotate``)."""
        if not self.rotate:
            return np.eye(self.d)
        return _haar(self.d, np.random.default_rng(int(self.seed)))

    @property
    def family_params(self) -> dict:
        out = {"pieces": self.pieces, "d": self.d, "L": self.L, "R": self.R,
               "seed": self.seed, "rotate": self.rotate}
        if self.name == "smooth-strongly-convex":
            out["mu"] = self.mu
        if self.name == "monotone-linear":
            out.pop("pieces")
            out.pop("rotate")
        return out

    # -- packing --------------------------------------------------------------------------

    def random(self, rng: np.random.Generator, m: int = 1) -> np.ndarray:
        """m members drawn uniformly: an array (m, n) of θ."""
        return rng.uniform(0.0, 1.0, size=(m, self.n))

    def operands(self, thetas: np.ndarray) -> Operands:
        """Oracle operands of the members ``thetas`` (shape (m, n), or (n,) for one)."""
        T = np.clip(np.atleast_2d(np.asarray(thetas, dtype=float)), 0.0, 1.0)
        if T.shape[1] != self.n:
            raise ValueError(f"class {self.name} (pieces={self.pieces}, d={self.d}) has "
                             f"{self.n} parameters, got {T.shape[1]}")
        m, d, k = T.shape[0], self.d, self.pieces
        Q = self.Q
        pos = self.n_pieces_params  # θ = [pieces | matrix block | start direction]
        parts = []
        moff = off = -1
        M = None
        skew_w = np.zeros(m)
        if self.name == "monotone-linear":
            nd = d * d
            Bf = 2 * T[:, pos:pos + nd].reshape(m, d, d) - 1
            Cf = 2 * T[:, pos + nd:pos + 2 * nd].reshape(m, d, d) - 1
            mix, scale = T[:, pos + 2 * nd], 10.0 ** (-3.0 * (1.0 - T[:, pos + 2 * nd + 1]))
            pos += 2 * nd + 2
            S = Bf @ Bf.transpose(0, 2, 1)
            K = Cf - Cf.transpose(0, 2, 1)
            M = mix[:, None, None] * _unit(S) + (1 - mix)[:, None, None] * _unit(K)
            M = (self.L * scale)[:, None, None] * _unit(M)
        elif self.name == "monotone-piecewise":
            nd = d * d
            Cf = 2 * T[:, pos:pos + nd].reshape(m, d, d) - 1
            skew_w = 0.99 * T[:, pos + nd]
            pos += nd + 1
            M = (self.L * skew_w)[:, None, None] * _unit(Cf - Cf.transpose(0, 2, 1))
        if M is not None:
            moff = _HEADER
            parts.append(M.reshape(m, d * d))
        if self.has_pieces:
            off = _HEADER + (d * d if M is not None else 0)
            hi = self.L * (1.0 - skew_w) if self.name == "monotone-piecewise" else np.full(
                m, self.L)
            blocks = []
            start = 0
            for _ in range(2 * d):
                raw = T[:, start:start + k - 1]
                cv = T[:, start + k - 1:start + 2 * k - 1]
                start += 2 * k - 1
                knots = np.concatenate([np.zeros((m, 1)), np.sort(raw, axis=1) * SPAN * self.R],
                                       axis=1)
                lo = np.full((m, k), self.mu)
                lo[:, 0] = np.maximum(self.mu, C_FLOOR * hi)
                curv = lo + (hi[:, None] - lo) * cv
                blocks.append(_blocks(knots, curv))
            parts.append(np.concatenate(blocks, axis=1))
        T_dir = T[:, self.n_pieces_params + self.n_matrix_params:]
        head = _header(m, d, k if self.has_pieces else 0, self.rotate and self.has_pieces,
                       moff, off)
        P = np.ascontiguousarray(np.concatenate([head] + parts, axis=1))
        if d == 1:
            X0 = np.full((m, 1), float(self.R))
        else:
            v = T_dir - 0.5
            norm = np.linalg.norm(v, axis=1)
            v[norm < 1e-12] = np.eye(d)[0]
            v /= np.linalg.norm(v, axis=1)[:, None]
            X0 = self.R * (v @ Q.T if self.rotate and self.has_pieces else v)
        XS = np.zeros((m, d))
        if self.name == "monotone-linear":  # x* = projection of x0 on null(M) (generically 0)
            for r in range(m):
                u, sv, vt = np.linalg.svd(M[r])
                null = vt[sv <= 1e-10 * self.L]
                if null.size:
                    XS[r] = null.T @ (null @ X0[r])
        A = np.ascontiguousarray(Q if self.has_pieces else np.eye(d))
        return Operands(A=A, b=np.zeros(1), P=P, X0=np.ascontiguousarray(X0),
                        XS=np.ascontiguousarray(XS))

    def member(self, theta: Sequence[float]) -> Problem:
        """The member θ as a :class:`Problem`."""
        ops = self.operands(np.asarray(theta, dtype=float)[None, :])
        return self._problem(ops, 0, np.clip(np.asarray(theta, dtype=float), 0, 1))

    def _problem(self, ops: Operands, r: int, theta: np.ndarray) -> Problem:
        p = ops.P[r].copy()
        x0, xs = ops.X0[r].copy(), ops.XS[r].copy()
        params = {**self.family_params}
        name = f"{self.name}({', '.join(f'{k}={v}' for k, v in params.items())}, theta)"
        if self.operator:
            zn = float(np.linalg.norm(xs))
            floors = {"grad_norm_sq": max((4 * _EPS * self.L * zn) ** 2, UNDERFLOW),
                      "dist_sq": max((4 * _EPS * zn) ** 2, UNDERFLOW)}
            return Problem(family=self.name, name=name, A=ops.A, b=ops.b, p=p,
                           oracles={"grad": class_grad}, x0=x0, xstar=xs, fstar=float("nan"),
                           L=self.L, mu=0.0, floors=floors, params=params,
                           certified={"theta_dim": float(self.n)})
        f0 = _value_numpy(ops.A, p, x0)
        return Problem(family=self.name, name=name, A=ops.A, b=ops.b, p=p,
                       oracles={"grad": class_grad, "value": class_value}, x0=x0, xstar=xs,
                       fstar=0.0, L=self.L, mu=self.mu, f0_gap=f0,
                       floors={"f_gap": UNDERFLOW, "dist_sq": UNDERFLOW,
                               "grad_norm_sq": UNDERFLOW}, params=params)


def _unit(M: np.ndarray) -> np.ndarray:
    """Each matrix of the stack divided by its spectral norm (a zero matrix stays zero)."""
    norms = np.linalg.norm(M, ord=2, axis=(1, 2))
    out = np.zeros_like(M)
    nz = norms > 0
    out[nz] = M[nz] / norms[nz, None, None]
    return out


def _value_numpy(A: np.ndarray, p: np.ndarray, x: np.ndarray) -> float:
    """f(x) − f* in numpy (the value oracle without compiling it)."""
    d, k, rotate, off = int(p[0]), int(p[1]), p[2] != 0, int(p[4])
    y = A.T @ x if rotate else x
    total = 0.0
    for j in range(d):
        side = 0 if y[j] >= 0 else 1
        base = off + (2 * j + side) * 4 * k
        total += _half_numpy(p[base:base + 4 * k], k, abs(float(y[j])))[0]
    return total


#: Class names (each also a problem family).
CLASS_NAMES = ("smooth-convex", "smooth-strongly-convex", "monotone-linear", "monotone-piecewise")

#: Size parameters a ``search`` table may give for a class, with their types.
SIZE_PARAMETERS = {"pieces": int, "d": int, "L": float, "mu": float, "R": float, "seed": int,
                   "rotate": bool}


def get_class(name: str, **size) -> FunctionClass:
    """The class ``name`` with its size parameters (``pieces``, ``d``, ``L``, ``mu``, ``R``,
    ``seed``, ``rotate``); a ValueError names a bad one."""
    unknown = set(size) - set(SIZE_PARAMETERS)
    if unknown:
        raise ValueError(f"unknown size parameter(s) {sorted(unknown)} for class {name!r}; "
                         f"expected some of: {', '.join(SIZE_PARAMETERS)}")
    if name == "monotone-linear":
        size.pop("pieces", None)
    return FunctionClass(name, **size)


# -- explicit members ---------------------------------------------------------------------------

def piecewise_quadratic_1d(right: tuple[Sequence[float], Sequence[float]],
                           left: tuple[Sequence[float], Sequence[float]], *, x0: float,
                           L: float, mu: float = 0.0, name: str = "") -> Problem:
    """A 1-D member from explicit pieces, minimiser at 0 with f* = 0.

    ``right = (knots, curvatures)``: knots 0 = u_0 < u_1 < ... of the half function for x >= 0
    (u_0 = 0 may be omitted) and the curvature of each piece, in [mu, L]; ``left`` likewise for
    x <= 0 (distances |x|). The solution set is the interval on which f' = 0 (flat pieces
    beside 0); x* is the projection of ``x0`` on it.
    """
    blocks, ks = [], []
    for knots, curv in (right, left):
        u = np.asarray(knots, dtype=float)
        if u.size == 0 or u[0] != 0.0:
            u = np.concatenate([[0.0], u])
        c = np.asarray(curv, dtype=float)
        if c.size != u.size or np.any(np.diff(u) < 0) or np.any(u < 0):
            raise ValueError("each side needs increasing knots >= 0 and one curvature per piece")
        if np.any(c < mu * (1 - 1e-12)) or np.any(c > L * (1 + 1e-12)):
            raise ValueError(f"curvatures must lie in [mu, L] = [{mu}, {L}]")
        blocks.append((u, np.clip(c, mu, L)))
        ks.append(u.size)
    k = max(ks)
    packed = []
    for u, c in blocks:  # pad with zero-width pieces at the last knot (same curvature)
        pad = k - u.size
        u = np.concatenate([u, np.full(pad, u[-1])])
        c = np.concatenate([c, np.full(pad, c[-1])])
        packed.append(_blocks(u[None, :], c[None, :])[0])
    p = np.concatenate([_header(1, 1, k, False, -1, _HEADER)[0]] + packed)
    side, sign = (packed[0], 1.0) if x0 >= 0 else (packed[1], -1.0)
    curved = np.flatnonzero(side[k:2 * k] > 0)  # f' = 0 up to the first curved piece
    flat_end = float(side[curved[0]]) if curved.size else math.inf
    xs = sign * min(abs(float(x0)), flat_end)
    A = np.eye(1)
    f0 = _value_numpy(A, p, np.array([float(x0)]))
    return Problem(family="piecewise-quadratic-1d", name=name or "piecewise-quadratic-1d",
                   A=A, b=np.zeros(1), p=p,
                   oracles={"grad": class_grad, "value": class_value},
                   x0=np.array([float(x0)]), xstar=np.array([xs]), fstar=0.0, L=float(L),
                   mu=float(mu), f0_gap=f0,
                   floors={"f_gap": UNDERFLOW, "dist_sq": max((4 * _EPS * xs) ** 2, UNDERFLOW),
                           "grad_norm_sq": UNDERFLOW}, params={"L": float(L), "mu": float(mu)})


# -- families -----------------------------------------------------------------------------------

def _random_member(cls: FunctionClass) -> Problem:
    rng = np.random.default_rng([int(cls.seed), 1])  # θ; the rotation uses the seed alone
    return cls.member(cls.random(rng, 1)[0])


def smooth_convex(pieces: int = 4, d: int = 1, L: float = 1.0, R: float = 1.0, seed: int = 0,
                  rotate: bool = False) -> Problem:
    """A random convex L-smooth piecewise-quadratic function (curvature in [0, L]).

    Parameters
    ----------
    pieces
        Pieces of constant curvature on each side of x* = 0, per coordinate.
    d
        Dimension: a separable sum of d such functions in the coordinates y = Qᵀx.
    L
        Largest curvature (the smoothness constant).
    R
        ||x0 − x*||.
    seed
        Draws the member θ (uniform in the unit cube) and the rotation Q.
    rotate
        Q Haar orthogonal (else Q = I).
    """
    return _random_member(FunctionClass("smooth-convex", int(pieces), int(d), float(L), 0.0,
                                        float(R), int(seed), bool(rotate)))


def smooth_strongly_convex(pieces: int = 4, d: int = 1, L: float = 1.0, mu: float = 0.1,
                           R: float = 1.0, seed: int = 0, rotate: bool = False) -> Problem:
    """A random mu-strongly convex L-smooth piecewise-quadratic function.

    Curvature in [mu, L]; parameters as :func:`smooth_convex`.
    """
    return _random_member(FunctionClass("smooth-strongly-convex", int(pieces), int(d),
                                        float(L), float(mu), float(R), int(seed), bool(rotate)))


def monotone_linear(d: int = 2, L: float = 1.0, R: float = 1.0, seed: int = 0) -> Problem:
    """A random monotone linear operator F(z) = M z with ||M||₂ <= L.

    M = a S + (1 − a) K (S PSD, K skew, both of unit norm), rescaled to ||M||₂ = s·L with s in
    [1e-3, 1] (log scale); z* = 0 unless M is singular (then the projection of z0 on its null
    space).
    """
    return _random_member(FunctionClass("monotone-linear", 1, int(d), float(L), 0.0, float(R),
                                        int(seed), False))


def monotone_piecewise(pieces: int = 4, d: int = 2, L: float = 1.0, R: float = 1.0,
                       seed: int = 0, rotate: bool = True) -> Problem:
    """A random monotone, L-Lipschitz, piecewise-linear operator F(z) = K z + ∇φ(z).

    K skew with ||K||₂ = wL (w in [0, 0.99]) and φ a member of smooth-convex with curvature at
    most (1 − w)L, so F is L-Lipschitz; z* = 0.
    """
    return _random_member(FunctionClass("monotone-piecewise", int(pieces), int(d), float(L), 0.0,
                                        float(R), int(seed), bool(rotate)))


def _memory(p: Mapping) -> float:
    d = p["d"]
    return 8.0 * (d * d * 2 + 8 * p.get("pieces", 1) * d + 16)


_SMOOTH_RANGES = {"pieces": count(1, 256), "d": count(1, 64), "L": POSITIVE, "R": POSITIVE,
                  "seed": SEED}

FAMILIES = (
    Family("smooth-convex", smooth_convex, "smooth convex",
           ranges=_SMOOTH_RANGES,
           space={"pieces": [1, 8], "d": [1, 4], "seed": [0, 10_000]},
           example={"pieces": 3, "d": 2, "rotate": True}, memory=_memory),
    Family("smooth-strongly-convex", smooth_strongly_convex, "smooth strongly convex",
           ranges={**_SMOOTH_RANGES, "mu": POSITIVE},
           space={"pieces": [1, 8], "d": [1, 4], "mu": [1e-3, 0.5], "seed": [0, 10_000]},
           example={"pieces": 3, "d": 2, "mu": 0.1}, memory=_memory),
    Family("monotone-linear", monotone_linear, "monotone VI (Lipschitz)",
           ranges={"d": count(1, 64), "L": POSITIVE, "R": POSITIVE, "seed": SEED},
           space={"d": [1, 6], "seed": [0, 10_000]}, example={"d": 3}, memory=_memory),
    Family("monotone-piecewise", monotone_piecewise, "monotone VI (Lipschitz)",
           ranges=_SMOOTH_RANGES,
           space={"pieces": [1, 8], "d": [2, 4], "seed": [0, 10_000]},
           example={"pieces": 3, "d": 2}, memory=_memory),
)

