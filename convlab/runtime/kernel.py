"""The kernel contract: what a method declares, by name, next to its update.

A method is an ``advance`` function, compiled once for every problem (typed first-class oracles,
:mod:`convlab.runtime.jit`), that moves its state from iteration ``k0`` to iteration ``k1``::

    advance(oracles, A, b, p, hyper, seed, checkpoints, k0, k1, X, s) -> status

and everything around it (allocation, recording at checkpoints, running quantities, divergence,
stopping, flush-to-zero) is the one loop of :mod:`convlab.runtime.loop`. A :class:`Kernel`
declares the layout the loop and the method share:

- ``hyper``: the names of the slots of the ``hyper`` array, in order (``hyper[0]`` is
  ``hyper_names[0]``): the method's numeric parameters and variant codes;
- the state matrix ``X`` (one vector of length d per row): the recorded ``points`` first (row 0
  is the iterate the loop tracks and checks for divergence), then the working ``vectors``, then
  ``rows(hyper, d, m)`` further rows for tables (a SAGA gradient table, a covariance matrix);
- the state scalars ``s``: the recorded ``scalars`` first, then further ``state``;
- ``needs``: the oracle kinds the method calls; ``stochastic``: whether it draws samples from
  its seed;
- optional ``init`` (runs once, after every row of ``X`` was set to x0 and ``s`` to 0) and
  ``observe`` (computes the record of a checkpoint; by default the first rows of ``X`` and the
  first entries of ``s`` are copied).

``advance`` returns :data:`~convlab.runtime.jit.STATUS_OK`, ``STATUS_DIVERGED`` (the loop records
the state and ends the run) or ``STATUS_STOPPED`` (the method is finished: its state is recorded
at every remaining checkpoint). The contract tests (tests/test_contracts.py) check every
registered kernel against its declaration.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping

from .jit import ORACLE_KINDS, LazyJit

#: Running quantities the loop keeps when asked (``track``), the first scalar columns of every
#: record: min_{i<=k} f(x_i) − f*, min_{i<=k} ||∇f(x_i)||², (1/(k+1)) Σ_{i<=k} ||∇f(x_i)||².
TRACK_COLUMNS = ("best_f_gap", "min_grad_norm_sq", "avg_grad_norm_sq")

#: ``track`` bits: the value oracle (best_f_gap) and the full gradient (the two norm columns).
TRACK_VALUE = 1
TRACK_GRAD = 2

#: ``track`` bit set by :mod:`convlab.run` with ``TRACK_GRAD`` when the problem's gradient
#: oracles keep a gradient memo (``Problem.gradient_memo``): the loop then gives the run a copy
#: of ``p`` with the memo block appended (:mod:`convlab.runtime.memo`). Not a running quantity.
TRACK_MEMO = 4

#: Which ``track`` bit each running quantity needs.
TRACK_NEEDS = {"best_f_gap": TRACK_VALUE, "min_grad_norm_sq": TRACK_GRAD,
               "avg_grad_norm_sq": TRACK_GRAD}

RowsFn = Callable[[Mapping[str, float], int, int], int]


@dataclass(frozen=True)
class Kernel:
    """A method's compiled pieces and its layout (see the module docstring).

    Attributes
    ----------
    advance
        ``lazy_jit("advance")`` function: iterations k0..k1−1.
    hyper
        Names of the ``hyper`` slots, in order.
    points
        Names of the recorded points: rows 0.. of ``X``.
    vectors
        Names of further working rows of ``X``.
    scalars
        Names of the recorded scalars: entries 0.. of ``s`` (after the loop's
        :data:`TRACK_COLUMNS` in the record).
    state
        Names of further state scalars.
    rows
        ``rows(hyper_by_name, d, m)``: further rows of ``X`` (m = number of checkpoints), or None.
    needs
        Oracle kinds the method calls.
    stochastic
        Whether the method draws samples from its seed.
    init, observe
        Optional ``lazy_jit("init")`` and ``lazy_jit("observe")`` functions.
    """

    advance: LazyJit
    hyper: tuple[str, ...] = ()
    points: tuple[str, ...] = ("last",)
    vectors: tuple[str, ...] = ()
    scalars: tuple[str, ...] = ()
    state: tuple[str, ...] = ()
    rows: RowsFn | None = None
    needs: tuple[str, ...] = ("grad",)
    stochastic: bool = False
    init: LazyJit | None = None
    observe: LazyJit | None = None

    def __post_init__(self) -> None:
        for piece, kind in ((self.advance, "advance"), (self.init, "init"),
                            (self.observe, "observe")):
            if piece is not None and (not isinstance(piece, LazyJit) or piece.kind != kind):
                raise TypeError(f"a kernel's {kind} must be a lazy_jit({kind!r}) function")
        if not self.points:
            raise ValueError("a kernel records at least one point (row 0 is the iterate)")
        for group in ("hyper", "points", "scalars"):
            names = getattr(self, group)
            if len(set(names)) != len(names):
                raise ValueError(f"duplicate names in the kernel's {group}: {names}")
        rows = self.points + self.vectors
        if len(set(rows)) != len(rows):
            raise ValueError(f"points and vectors share a name: {rows}")
        unknown = set(self.needs) - set(ORACLE_KINDS)
        if unknown:
            raise ValueError(f"unknown oracle kinds {sorted(unknown)}; known: {ORACLE_KINDS}")

    @property
    def name(self) -> str:
        return self.advance.__name__

    @property
    def reads_checkpoints(self) -> bool:
        """Whether a piece of the kernel reads the ``checkpoints`` array (OGM's horizon is the
        last checkpoint, for instance): its run then depends on which iterations are recorded.
        Decided from the pieces' code: True when any of them loads the argument."""
        import dis

        for piece in (self.init, self.advance, self.observe):
            if piece is None:
                continue
            for ins in dis.get_instructions(piece.py_func):
                if ins.opname.startswith("LOAD_") and ins.argval == "checkpoints":
                    return True
        return False

    @property
    def module(self) -> str:
        return self.advance.__module__

    @property
    def record_scalars(self) -> tuple[str, ...]:
        """Scalar columns of the record: the loop's running quantities, then the kernel's."""
        return TRACK_COLUMNS + self.scalars

    def n_rows(self, hyper: Mapping[str, float], d: int, m: int) -> int:
        """Rows of the state matrix for these parameters, dimension and checkpoint count."""
        extra = int(self.rows(hyper, d, m)) if self.rows is not None else 0
        if extra < 0:
            raise ValueError(f"kernel {self.name}: negative extra rows {extra}")
        return len(self.points) + len(self.vectors) + extra

    @property
    def n_state(self) -> int:
        """Length of the state scalars ``s``."""
        return len(self.scalars) + len(self.state)

    def slot(self, name: str) -> int:
        """Index of ``name`` in ``hyper``."""
        return self.hyper.index(name)
