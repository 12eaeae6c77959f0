"""Which source a compiled function depends on: a digest of its module and everything it imports.

numba's on-disk cache checks only the file that defines a function. A kernel calls helpers from
other modules (random numbers, projections, the recording loop), which numba compiles into the
kernel's machine code; edit one of them and numba would load the kernel compiled from the older
helper, under a results-store key that already says "new sources". :func:`module_digest` is
the remedy: a SHA-256 over the source of a module and of every module it imports, transitively,
within convlab and within the module's own top-level package (a plugin's helpers). The numba
cache locator of :mod:`convlab.runtime.jit` adds it to the freshness stamp of every cached
function, so an edit anywhere below a kernel recompiles it; the results store keys a result by
the same kind of digest (:func:`convlab.store.source_digest`).
"""

from __future__ import annotations

import ast
import hashlib
import importlib.util
import sys
from functools import lru_cache
from pathlib import Path

_ROOT = "convlab"


def module_file(name: str) -> Path | None:
    """The ``.py`` file of module ``name`` (imported or importable), or None."""
    return _module_file(name)


@lru_cache(maxsize=None)
def _module_file(name: str) -> Path | None:
    module = sys.modules.get(name)
    file = getattr(module, "__file__", None)
    if not file:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError, AttributeError):
            return None
        file = getattr(spec, "origin", None)
    if not file or not file.endswith(".py"):
        return None
    path = Path(file)
    return path if path.is_file() else None


@lru_cache(maxsize=None)
def _imports(name: str, path: Path, stamp: tuple[int, int]) -> tuple[bytes, frozenset[str]]:
    """(source bytes, modules imported) of module ``name`` at ``path``, followed within convlab
    and within the module's own top-level package (cached while the file is unchanged)."""
    source = path.read_bytes()
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return source, frozenset()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    followed = {_ROOT, name.split(".")[0]}
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] in followed)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            if module.split(".")[0] not in followed:
                continue
            found.add(module)
            found.update(f"{module}.{a.name}" for a in node.names)  # submodules by name
    return source, frozenset(found)


def module_digest(name: str) -> str | None:
    """SHA-256 over the source of module ``name`` and of every module it imports within convlab
    and its own top-level package, transitively. None when ``name`` has no source file.

    Parent packages are not followed unless imported: their ``__init__`` runs when the module is
    imported, but none of its code is compiled into the module's functions (a name imported
    from a package is an import, and followed)."""
    if module_file(name) is None:
        return None
    seen: dict[str, bytes] = {}
    stack = [name]
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        path = module_file(current)
        if path is None:
            seen[current] = b""
            continue
        stat = path.stat()
        source, imported = _imports(current, path, (stat.st_mtime_ns, stat.st_size))
        seen[current] = source
        stack.extend(set(imported) - set(seen))
    digest = hashlib.sha256()
    for module in sorted(seen):
        if seen[module]:
            digest.update(module.encode())
            digest.update(hashlib.sha256(seen[module]).digest())
    return digest.hexdigest()
