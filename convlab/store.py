"""Results store: verdicts keyed by a content hash of everything that determines them.

A finished (claim, instance) result is written to an SQLite file as soon as it is known, in
its own transaction, so an interrupted run keeps every finished result and a partial write
never corrupts the store; the next run reuses them. The key of a result hashes

- the claim as loaded (every field but the file name) and the instance (family, parameters),
- the source of every convlab module that can change the result: the verify pipeline and,
  transitively, every convlab module it imports, plus the algorithm's kernel module and the
  family's module with *their* convlab imports (so editing a kernel, or a helper it calls,
  changes the key),
- the versions of Python, numpy, scipy, sympy and numba.

An entry is therefore never stale: anything that could change it changes its key. Entries are
plain JSON (no pickle), so a store received from elsewhere cannot run code.
"""

from __future__ import annotations

import ast
import hashlib
import json
import sqlite3
import time
from dataclasses import asdict
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

from .claims import Claim
from .outcomes import RECORD_VERSION, Outcome, outcome_from_record, outcome_record
from .problems.registry import InstanceSpec, get_family

_PACKAGE_ROOT = Path(__file__).resolve().parent

#: Default location of the store, relative to the working directory.
DEFAULT_STORE = Path(".convlab-cache") / "results.sqlite"


def _module_file(name: str) -> Path | None:
    """The source file of convlab module ``name`` (``convlab.x.y``), if it exists."""
    parts = name.split(".")[1:]
    base = _PACKAGE_ROOT.joinpath(*parts)
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imports(name: str, path: Path) -> set[str]:
    """convlab modules imported by the module ``name`` stored at ``path``."""
    return set(_imports_cached(name, path, path.stat().st_mtime_ns))


@lru_cache(maxsize=None)
def _imports_cached(name: str, path: Path, mtime: int) -> frozenset[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "convlab")
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            if module.split(".")[0] != "convlab":
                continue
            found.add(module)
            found.update(f"{module}.{a.name}" for a in node.names)  # submodules imported by name
    return frozenset(found)


@lru_cache(maxsize=None)
def source_digest(*roots: str) -> str:
    """SHA-256 over the source of ``roots`` and every convlab module they import, transitively."""
    seen: dict[str, Path] = {}
    stack = list(roots)
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        path = _module_file(name)
        if path is None:
            continue
        seen[name] = path
        # parents' __init__ run too, but for convlab's own, which only re-exports the API
        parents = {name.rsplit(".", i)[0] for i in range(1, name.count(".") + 1)} - {"convlab"}
        stack.extend((_imports(name, path) | parents) - set(seen))
    digest = hashlib.sha256()
    for name in sorted(seen):
        digest.update(name.encode())
        digest.update(seen[name].read_bytes())
    return digest.hexdigest()


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
        "versions": _versions(),
        "layout": RECORD_VERSION,
    }
    text = json.dumps(record, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


class ResultStore:
    """Finished results in an SQLite file (see the module docstring)."""

    def __init__(self, path: str | Path = DEFAULT_STORE) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, timeout=30)
        with self._db:
            self._db.execute("CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, "
                             "created REAL, claim TEXT, instance TEXT, verdict TEXT, "
                             "payload TEXT)")

    def get(self, key: str, claim: Claim, instance: InstanceSpec) -> Outcome | None:
        """The stored outcome for ``key`` (marked ``from_store``), or None."""
        row = self._db.execute("SELECT payload FROM results WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        try:
            return outcome_from_record(json.loads(row[0]), claim, instance.name)
        except (KeyError, TypeError, ValueError):
            return None  # an entry from an older layout: recompute

    def put(self, key: str, outcome: Outcome) -> None:
        """Store a finished outcome (one with a verdict; errors are not stored)."""
        if outcome.verdict_value is None:
            return
        payload = json.dumps(outcome_record(outcome), default=str)
        with self._db:
            self._db.execute("INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?, ?, ?)",
                             (key, time.time(), outcome.claim.id, outcome.instance,
                              outcome.verdict, payload))

    def close(self) -> None:
        self._db.close()
