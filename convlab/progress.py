"""Progress of a long command on any stream: elapsed time, work done, an ETA from the plans' cost.

A verify run knows the work of every (claim, instance) pair before anything runs: its design's
plans have a cost in iterations times seeds (:func:`convlab.designs.estimated_cost`), or, where
the results store holds an earlier result of the pair (the code or the claim changed since), the
seconds it took then (:func:`convlab.verify.measured_costs`; a pair's cost per iteration can
differ a thousandfold from another's, so a measured time is the better estimate). The ETA is
the remaining cost at the rate measured so far (elapsed time over the cost of the pairs computed
in this run; pairs read from the results store cost nothing). When the items report their own
compute time, a pair's time is modelled as ``a * cost + b`` (a fixed part per pair: building the
instance, checking, compiling), fitted on the pairs done, and the remaining time is that model
over the pairs left divided by the parallelism measured so far (compute time over wall time):
a catalog whose cheap pairs are many is not announced as nearly done when most of its cost is.

- On a terminal: one status line, redrawn in place about once a second and cut to the terminal's
  width (``\\r`` and erase-to-end-of-line, so nothing wraps and no debris is left).
- Anywhere else (a CI log, ``2>log``): a plain line every ``interval`` seconds (10 by default;
  the environment variable ``CONVLAB_PROGRESS_INTERVAL`` sets another), the first one (after the
  ``header``) once the first interval has passed, and one when the run ends if any was written:
  a run shorter than the interval writes nothing, so a one-line error stays one line. A line
  never carries a carriage return.

Lines printed through :meth:`Progress.note` (a mismatch found while the run goes on) appear above
the status line on a terminal and as plain lines elsewhere. A background thread keeps the clock
moving while no pair finishes (a 2-minute pair still gives a line every ``interval`` seconds).
No third-party library is used, so ``import convlab`` stays light.
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
import time
from typing import Callable, TextIO

import numpy as np


def format_duration(seconds: float | None) -> str:
    """``"1:02:03"``, ``"02:03"``, or ``"?"`` for an unknown duration."""
    if seconds is None or seconds != seconds or seconds < 0 or seconds > 1e7:
        return "?"
    s = int(round(seconds))
    h, rem = divmod(s, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


def eta_seconds(elapsed: float, cost_done: float, cost_left: float) -> float | None:
    """Remaining time at the rate measured so far, or None before any cost was done."""
    if cost_left <= 0:
        return 0.0
    if cost_done <= 0 or elapsed <= 0:
        return None
    return elapsed * cost_left / cost_done


def model_eta(timed: list[tuple[float, float]], elapsed: float, cost_left: float,
              items_left: int) -> float | None:
    """Remaining time when each item's compute time is ``a * cost + b``, fitted (least squares,
    ``a, b >= 0``) on ``timed`` (cost, seconds) pairs, run with the parallelism measured so far
    (compute seconds over ``elapsed``)."""
    if elapsed <= 0 or not timed:
        return None
    cost = np.array([c for c, _ in timed])
    secs = np.array([t for _, t in timed])
    if secs.sum() <= 0:
        return None
    a = b = 0.0
    if np.ptp(cost) > 0:
        a, b = np.linalg.lstsq(np.column_stack([cost, np.ones_like(cost)]), secs, rcond=None)[0]
    if a <= 0 or b < 0 or np.ptp(cost) == 0:  # one of the parts alone
        a = max(0.0, float(secs.sum() / cost.sum())) if cost.sum() > 0 else 0.0
        b = 0.0 if a > 0 else float(secs.mean())
    parallel = max(secs.sum() / elapsed, 1e-9)
    return float((a * max(cost_left, 0.0) + b * items_left) / parallel)


def _fit(text: str, width: int) -> str:
    """``text`` cut to ``width`` columns (an ellipsis marks the cut)."""
    if width <= 0 or len(text) <= width:
        return text
    return text[: max(0, width - 1)] + "…"


class Progress:
    """A progress display for ``total`` units of work (see the module docstring).

    Parameters
    ----------
    total
        Number of items (pairs, figures).
    cost
        Total cost of the items still to compute (any unit; the ETA is proportional to it).
    stream
        Where to write (default: stderr).
    interval
        Seconds between plain lines when ``stream`` is not a terminal.
    label
        The first word of every line (``"verify"``, ``"figures"``).
    tty
        Force the terminal behaviour (True) or the plain one (False); None asks the stream.
    clock
        The time source (seconds); tests pass a fake one.
    width
        Terminal width; None reads it (``COLUMNS`` or the terminal's size).
    header
        A line written before the first status line (off a terminal), e.g. what the run will do.
    thread
        Keep the clock moving in a background thread (False: only events draw; for tests).
    """

    def __init__(self, total: int, cost: float = 0.0, *, stream: TextIO | None = None,
                 interval: float | None = None, label: str = "progress",
                 tty: bool | None = None, clock: Callable[[], float] = time.monotonic,
                 width: int | None = None, header: str = "", thread: bool = True) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.total = int(total)
        self.cost_total = float(cost)
        self.interval = float(interval) if interval is not None else default_interval()
        self.header = header
        self._wrote = False
        self.label = label
        self.tty = _isatty(self.stream) if tty is None else bool(tty)
        self.clock = clock
        self._width = width
        self.start = clock()
        self.done = 0
        self.reused = 0
        self.cost_done = 0.0
        self._timed: list[tuple[float, float]] = []  # (cost, compute seconds) of items done
        self.last = ""
        self._drawn = False
        self._last_line = self.start
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._thread = None
        if thread:
            self._thread = threading.Thread(target=self._tick, name="convlab-progress",
                                            daemon=True)
            self._thread.start()

    # -- state --------------------------------------------------------------------------------

    @property
    def elapsed(self) -> float:
        return self.clock() - self.start

    @property
    def eta(self) -> float | None:
        left = self.total - self.done
        if len(self._timed) >= 2 and left > 0:
            return model_eta(self._timed, self.elapsed, self.cost_total - self.cost_done, left)
        return eta_seconds(self.elapsed, self.cost_done, self.cost_total - self.cost_done)

    def status(self) -> str:
        """The status text: items done of total, share of the time (elapsed over elapsed plus
        ETA), elapsed, ETA, last item."""
        elapsed, eta = self.elapsed, self.eta
        share = (f" {100 * elapsed / (elapsed + eta):3.0f}%" if eta is not None and
                 elapsed + eta > 0 else "")
        reused = f" ({self.reused} from store)" if self.reused else ""
        text = (f"{self.label} [{self.done}/{self.total}]{reused}{share}  "
                f"elapsed {format_duration(elapsed)}  ETA {format_duration(eta)}")
        if self.last:
            text += f"  {self.last}"
        return text

    # -- events -------------------------------------------------------------------------------

    def advance(self, what: str = "", cost: float = 0.0, *, reused: bool = False,
                seconds: float | None = None) -> None:
        """One item finished (``cost`` of the work; ``reused``: read from a store; ``seconds``:
        its compute time, when known)."""
        with self._lock:
            self.done += 1
            self.reused += bool(reused)
            self.cost_done += float(cost)
            if seconds is not None and not reused:
                self._timed.append((float(cost), float(seconds)))
            if what:
                self.last = what
            self._show(final=self.done >= self.total)

    def show(self, what: str) -> None:
        """Say what is being done now (the end of the status line) without finishing an item."""
        with self._lock:
            self.last = what
            self._show()

    def note(self, line: str) -> None:
        """A line that stays (above the status line on a terminal)."""
        with self._lock:
            if self.tty:
                self._write("\r\033[K" + line + "\n")
                self._drawn = False
                self._show(force=True)
            else:
                self._write(line + "\n")

    def close(self) -> None:
        """Stop the clock and clear the status line (a terminal) or write the last line."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=2)
        with self._lock:
            if self.tty:
                if self._drawn:
                    self._write("\r\033[K")
                    self._drawn = False
            elif self._wrote and self._last_line != -1:
                self._write(self.status() + " (done)\n" if self.done >= self.total else
                            self.status() + "\n")
                self._last_line = -1

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- drawing ------------------------------------------------------------------------------

    def width(self) -> int:
        if self._width is not None:
            return self._width
        return terminal_width(self.stream)

    def _show(self, final: bool = False, force: bool = False) -> None:
        now = self.clock()
        if self.tty:
            self._write("\r" + _fit(self.status(), self.width() - 1) + "\033[K")
            self._drawn = True
        elif force or now - self._last_line >= self.interval:
            if not self._wrote and self.header:
                self._write(self.header + "\n")
            self._write(self.status() + "\n")
            self._wrote = True
            self._last_line = now

    def _tick(self) -> None:
        step = 1.0 if self.tty else min(1.0, self.interval / 4)
        while not self._stop.wait(step):
            with self._lock:
                if self._stop.is_set():
                    return
                self._show()

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # a closed stream never stops a run
            pass


def default_interval() -> float:
    """Seconds between progress lines off a terminal: ``CONVLAB_PROGRESS_INTERVAL`` or 10."""
    try:
        value = float(os.environ.get("CONVLAB_PROGRESS_INTERVAL", "10"))
    except ValueError:
        value = 10.0
    return value if value >= 0 else 10.0


def _isatty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def terminal_width(stream: TextIO | None = None, default: int = 100) -> int:
    """Columns of the terminal behind ``stream`` (``COLUMNS`` first; ``default`` otherwise)."""
    if os.environ.get("COLUMNS", "").isdigit():
        return int(os.environ["COLUMNS"])
    stream = stream if stream is not None else sys.stdout
    try:
        if _isatty(stream):
            return os.get_terminal_size(stream.fileno()).columns
    except (OSError, ValueError, AttributeError):
        pass
    return shutil.get_terminal_size((default, 24)).columns if _isatty(sys.stdout) else default
