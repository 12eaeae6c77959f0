"""Results store: verdicts keyed by a content hash of everything that determines them.

A finished (claim, instance) result is written to an SQLite file as soon as it is known, in
its own transaction, so an interrupted run keeps every finished result and a partial write
never corrupts the store; the next run reuses them. The key of a result hashes

- the claim as loaded (every field but the file name) and the instance (family, parameters),
- the source of every module that can change the result: the verify pipeline and,
  transitively, every convlab module it imports, plus the algorithm's kernel module and the
  family's module (convlab's or a plugin's) with *their* imports within convlab and within
  their own package (so editing a kernel, a plugin's kernel, or a helper it calls, changes the
  key), and the compiled code of the kernel's and the builder's functions as loaded in this
  process (which covers code typed at a prompt or read from stdin, with no file),
- the versions of Python, numpy, scipy, sympy and numba,
- the core type of the BLAS libraries of numpy and scipy (OpenBLAS picks its kernels per CPU)
  and the thread count pairs are decided with (:mod:`convlab.runtime.blas`): a store moved to
  another kind of CPU recomputes rather than serve results whose last bits may differ.

An entry is therefore never stale: anything that could change it changes its key. Entries are
plain JSON (no pickle), so a store received from elsewhere cannot run code.
"""

from __future__ import annotations

import hashlib
import json
import math
import sqlite3
import sys
import time
import types
from dataclasses import asdict
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Callable

from .claims import Claim
from .runtime.blas import pair_blas_key, provenance_key
from .runtime.sources import sources_digest
from .outcomes import RECORD_VERSION, Outcome, outcome_from_record, outcome_record
from .problems.registry import InstanceSpec, get_family

#: Default location of the store, relative to the working directory.
DEFAULT_STORE = Path(".convlab-cache") / "results.sqlite"


@lru_cache(maxsize=None)
def source_digest(*roots: str) -> str:
    """SHA-256 over the source of ``roots`` and every module they import that can change a
    result (convlab's, and a plugin's own package), transitively: the digest numba's cache
    stamps carry too (:func:`convlab.runtime.sources.sources_digest`; read once per process)."""
    return sources_digest(*roots)


@lru_cache(maxsize=None)
def _versions_cached() -> tuple[tuple[str, str], ...]:
    return tuple(_read_versions().items())


def _versions() -> dict[str, str]:
    """Versions of Python and the numerical libraries (read once per process)."""
    return dict(_versions_cached())


def _read_versions() -> dict[str, str]:
    import platform

    out = {"python": platform.python_version()}
    for package in ("numpy", "scipy", "sympy", "numba"):
        try:
            out[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            out[package] = "none"
    return out


def code_digest(*owners: object) -> str:
    """SHA-256 over the compiled code of the Python functions that make a kernel (``advance``,
    ``init``, ``observe``, a whole-run kernel, a Python method) and of a family's builder: the
    code that runs in this process, also when it has no source file (typed at a prompt, read
    from stdin, a notebook cell) or its file changed after it was imported."""
    digest = hashlib.sha256()
    for owner in owners:
        for attr in ("advance", "init", "observe", "method", None):
            fn = owner if attr is None else getattr(owner, attr, None)
            fn = getattr(fn, "py_func", fn)
            code = getattr(fn, "__code__", None)
            if code is not None:
                _digest_code(digest, code)
    return digest.hexdigest()


def _digest_code(digest: "hashlib._Hash", code: types.CodeType) -> None:
    """Feed what a code object computes into ``digest``, the same in every process: its
    bytecode, names and constants (nested functions recursively; a set constant in sorted
    order). Not ``marshal.dumps``: its output depends on the objects' reference counts, so the
    same function gave another key in another process (under a profiler, say)."""
    digest.update(code.co_code)
    for names in (code.co_names, code.co_varnames, code.co_freevars, code.co_cellvars):
        digest.update(repr(names).encode())
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            _digest_code(digest, const)
        else:
            digest.update(_const_text(const).encode())


def _const_text(const: object) -> str:
    """A constant as text, independent of the process (hash order of a frozenset)."""
    if isinstance(const, frozenset):
        return "frozenset(" + ", ".join(sorted(_const_text(c) for c in const)) + ")"
    if isinstance(const, tuple):
        return "(" + ", ".join(_const_text(c) for c in const) + ",)"
    return f"{type(const).__name__}:{const!r}"


def result_key(claim: Claim, instance: InstanceSpec) -> str:
    """The content hash that identifies the result of ``claim`` on ``instance``."""
    from .algorithms.registry import get_algorithm

    algorithm = get_algorithm(claim.algorithm)
    family = get_family(instance.family)
    fields = {k: v for k, v in asdict(claim).items() if k not in ("file", "instances")}
    record = {
        "claim": fields,
        "instance": {"name": instance.name, "family": instance.family, "params": instance.params},
        "source": source_digest("convlab.designs", "convlab.outcomes", algorithm.module,
                                family.module),
        "code": code_digest(algorithm.kernel, family.build),
        "versions": _versions(),
        "blas": pair_blas_key(),
        "layout": RECORD_VERSION,
    }
    text = json.dumps(record, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


#: Columns of the ``results`` table, in order (a table with other columns is another layout).
_COLUMNS = ("key", "created", "claim", "instance", "verdict", "payload")


def _warn_stderr(message: str) -> None:
    print(f"convlab: warning: {message}", file=sys.stderr, flush=True)


class ResultStore:
    """Finished results in an SQLite file (see the module docstring).

    A store never costs a result. Every failure is one warning line (``warn``, by default
    ``convlab: warning: ...`` on stderr) and the run goes on:

    - a file that is not an SQLite database, is truncated or corrupt, or holds a table of
      another layout is moved aside (``<name>.corrupt-<time>``) and a new store is started;
      where it cannot be moved, the run goes on without a store;
    - a directory at the path, or a folder that cannot be created: no store;
    - a store that cannot be written (a read-only file or folder): results are read from it
      and not saved;
    - a write that fails (a full disk, a lock held too long): this result is not saved, and
      no further writes are tried;
    - a payload that does not rebuild an outcome of this claim and instance (a tampered or
      older entry): treated as absent, so the pair is recomputed.
    """

    def __init__(self, path: str | Path = DEFAULT_STORE, *,
                 warn: Callable[[str], None] | None = None) -> None:
        self.path = Path(path)
        self._warn = warn or _warn_stderr
        self._db: sqlite3.Connection | None = None
        self.readable = self.writable = False
        self._warned: set[str] = set()
        try:
            self._open()
        except (sqlite3.Error, OSError) as exc:
            self._close_quietly()
            self._once("open", f"results store {self.path} cannot be used ({_reason(exc)}); "
                               "running without it")

    # -- opening -------------------------------------------------------------------------

    def _open(self) -> None:
        if self.path.is_dir():
            raise OSError(f"{self.path} is a directory")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OSError(f"cannot create the folder {self.path.parent}: "
                          f"{exc.strerror or exc}") from None
        existed = self.path.exists()
        try:
            self._connect(read_only=False)
            self._check_layout(create=True)
            self._probe_write()
            self.readable = self.writable = True
            return
        except sqlite3.DatabaseError as exc:
            self._close_quietly()
            if type(exc) is sqlite3.DatabaseError:  # not a database, malformed, other layout
                self._rebuild(exc)
                return
            if not existed or not _read_only_error(exc):
                raise  # locked, or a new file that cannot be created: no store
            self._connect(read_only=True)  # read what is there, save nothing
            self._check_layout(create=False)
            self.readable = True
            self._once("write", f"results store {self.path} is read-only ({_reason(exc)}): "
                                "stored results are used, new ones are not saved")

    def _probe_write(self) -> None:
        """Write and roll back one row: SQLite opens a file it cannot write read-only without
        a word, and a folder it cannot write fails only at the first journal."""
        db = self._db
        try:
            db.execute("INSERT OR REPLACE INTO results VALUES ('', 0, '', '', '', '')")
        finally:
            db.rollback()

    def _connect(self, *, read_only: bool) -> None:
        if read_only:
            uri = f"{self.path.resolve().as_uri()}?mode=ro"
            self._db = sqlite3.connect(uri, uri=True, timeout=30)
        else:
            self._db = sqlite3.connect(self.path, timeout=30)

    def _check_layout(self, *, create: bool) -> None:
        """Check (and, in a new store, create) the table; a table of other columns, or a file
        that is not a database, raises :class:`sqlite3.DatabaseError`."""
        db = self._db
        columns = tuple(row[1] for row in db.execute("PRAGMA table_info(results)"))
        if not columns:
            if not create:
                raise sqlite3.DatabaseError("no results table")
            with db:
                db.execute("CREATE TABLE results (key TEXT PRIMARY KEY, created REAL, "
                           "claim TEXT, instance TEXT, verdict TEXT, payload TEXT)")
        elif columns != _COLUMNS:
            raise sqlite3.DatabaseError(f"a results table of another layout ({', '.join(columns)})")
        db.execute("SELECT count(*) FROM results").fetchone()  # reads every page header

    def _rebuild(self, exc: BaseException) -> None:
        """Move an unusable file aside and start a new store in its place."""
        aside = self.path.with_name(f"{self.path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
        try:
            self.path.replace(aside)
            for suffix in ("-journal", "-wal", "-shm"):
                extra = self.path.with_name(self.path.name + suffix)
                if extra.exists():
                    extra.replace(aside.with_name(aside.name + suffix))
        except OSError as move:
            raise OSError(f"{_reason(exc)}, and it cannot be moved aside: "
                          f"{move.strerror or move}") from None
        self._connect(read_only=False)
        self._check_layout(create=True)
        self.readable = self.writable = True
        self._once("rebuilt", f"results store {self.path} was unusable ({_reason(exc)}); "
                              f"moved to {aside.name}, starting a new store")

    # -- use -------------------------------------------------------------------------------

    def get(self, key: str, claim: Claim, instance: InstanceSpec) -> Outcome | None:
        """The stored outcome for ``key`` (marked ``from_store``), or None (also when the store
        cannot be read, or the entry does not rebuild an outcome of this claim and
        instance)."""
        if not self.readable:
            return None
        try:
            row = self._db.execute("SELECT payload FROM results WHERE key = ?",
                                   (key,)).fetchone()
        except sqlite3.Error as exc:
            self.readable = False
            self._once("read", f"results store {self.path} cannot be read ({_reason(exc)}); "
                               "computing every result")
            return None
        if row is None:
            return None
        return _validated(row[0], claim, instance)

    def seconds_before(self, claim: str, instance: str) -> float | None:
        """The compute time of the newest stored result of claim ``claim`` on instance
        ``instance`` under any key (an earlier version of the claim or of the code): a
        measured cost for progress estimates. None when there is none or it cannot be read."""
        if not self.readable:
            return None
        try:
            row = self._db.execute("SELECT payload FROM results WHERE claim = ? AND instance = ?"
                                   " ORDER BY created DESC LIMIT 1", (claim, instance)).fetchone()
            seconds = json.loads(row[0]).get("seconds") if row is not None else None
        except (sqlite3.Error, ValueError, AttributeError):
            return None
        if isinstance(seconds, (int, float)) and math.isfinite(seconds) and seconds >= 0:
            return float(seconds)
        return None

    def put(self, key: str, outcome: Outcome) -> None:
        """Store a finished outcome (one with a verdict; errors are not stored). A failed
        write is one warning; the outcome itself is unaffected. An outcome computed with other
        BLAS core types or threads than the key says (a dask worker on another kind of CPU) is
        reported but not stored under this key."""
        if outcome.verdict_value is None or not self.writable:
            return
        blas = outcome.provenance.get("blas") if outcome.provenance else None
        if blas and provenance_key(blas) != pair_blas_key():
            self._once("blas", f"results computed with BLAS {provenance_key(blas)} (here: "
                               f"{pair_blas_key()}) are reported but not stored")
            return
        try:
            payload = json.dumps(outcome_record(outcome), default=str, allow_nan=True)
            with self._db:
                self._db.execute("INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?, ?, ?)",
                                 (key, time.time(), outcome.claim.id, outcome.instance,
                                  outcome.verdict, payload))
        except (sqlite3.Error, OSError, ValueError, TypeError) as exc:
            self.writable = False
            self._once("write", f"results store {self.path}: a result could not be saved "
                                f"({_reason(exc)}); results of this run are reported but not "
                                "stored")

    def close(self) -> None:
        """Close the file (a failure to close is ignored: every write was committed)."""
        self._close_quietly()

    def _close_quietly(self) -> None:
        if self._db is not None:
            try:
                self._db.close()
            except sqlite3.Error:
                pass
            self._db = None

    def _once(self, what: str, message: str) -> None:
        if what not in self._warned:
            self._warned.add(what)
            self._warn(message)


def _reason(exc: BaseException) -> str:
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return text.rstrip(".")


def _read_only_error(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "readonly" in text or "read-only" in text or "unable to open" in text


def _validated(payload: str, claim: Claim, instance: InstanceSpec) -> Outcome | None:
    """The outcome in a stored payload, or None when the payload is not a record of this claim
    and instance in the current layout (a tampered, truncated or older entry)."""
    try:
        record = json.loads(payload)
        if not isinstance(record, dict) or record.get("claim") != claim.id \
                or record.get("instance") != instance.name:
            return None
        outcome = outcome_from_record(record, claim, instance.name)
    except Exception:  # noqa: BLE001 - any malformed payload is only a cache miss
        return None
    if outcome.verdict_value is None:
        return None
    return outcome
