"""Which source a compiled function depends on: a digest of its module and everything it imports.

numba's on-disk cache checks only the file that defines a function. A kernel calls helpers from
other modules (random numbers, projections, the recording loop), which numba compiles into the
kernel's machine code; edit one of them and numba would load the kernel compiled from the older
helper, under a results-store key that already says "new sources". :func:`module_digest` is
the remedy: a SHA-256 over the source of a module and of every module it imports, transitively,
within convlab and within the module's own top-level package (a plugin's helpers). The numba
cache locator of :mod:`convlab.runtime.jit` adds it to the freshness stamp of every cached
function, so an edit anywhere below a kernel recompiles it; the results store keys a result by
the same digest (:func:`sources_digest` of the pipeline, the kernel's and the family's modules:
:func:`convlab.store.source_digest`).
"""

from __future__ import annotations

import ast
import bisect
import hashlib
import importlib.util
import re
import sys
from functools import lru_cache
from pathlib import Path

_ROOT = "convlab"

#: The folder of the convlab package: convlab's modules are read from here (a test may point it
#: at an edited copy), other packages' (a plugin's) where Python finds them.
PACKAGE_ROOT = Path(__file__).resolve().parents[1]


def module_file(name: str) -> Path | None:
    """The ``.py`` file of module ``name`` (imported or importable), or None."""
    if name.split(".")[0] == _ROOT:
        base = PACKAGE_ROOT.joinpath(*name.split(".")[1:])
        for candidate in (base.with_suffix(".py"), base / "__init__.py"):
            if candidate.is_file():
                return candidate
        return None
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


#: A line that starts an import statement (a parenthesised list of names may span lines).
_IMPORT_LINE = re.compile(rb"^[ \t]*(?:from[ \t]+[.\w]+[ \t]+import[ \t]*(?:\([^)]*\)|[^\n]*)"
                          rb"|import[ \t]+[^\n]*)", re.M)
_IMPORT_WORD = re.compile(rb"\bimport\b")


def import_statements(source: bytes) -> list[ast.AST]:
    """The import statements of a module's ``source``, at any depth: each line that starts one
    is parsed alone, a fraction of the time of parsing the module (the results store's keys and
    numba's cache stamps of every process need them). Where such a line does not parse alone
    (a backslash continuation) or the word ``import`` occurs outside those lines (``if x:
    import y``, prose in a docstring), the whole module is parsed instead: no statement of the
    module's syntax tree is ever missed (an example in a docstring may add one, which only
    makes a digest cover more)."""
    nodes: list[ast.AST] = []
    spans = []
    for match in _IMPORT_LINE.finditer(source):
        spans.append(match.span())
        try:
            nodes.extend(ast.parse(match.group(0).strip()).body)
        except SyntaxError:
            return _parsed_imports(source)
    # every "import" keyword must lie in a line parsed above (else: `if x: import y`, prose)
    ends = [end for _, end in spans]
    for word in _IMPORT_WORD.finditer(source):
        i = bisect.bisect_right(ends, word.start())
        if i == len(spans) or not spans[i][0] <= word.start():
            return _parsed_imports(source)
    return nodes


def _parsed_imports(source: bytes) -> list[ast.AST]:
    """The import statements of the syntax tree of ``source``."""
    return [n for n in ast.walk(ast.parse(source)) if isinstance(n, (ast.Import, ast.ImportFrom))]


@lru_cache(maxsize=None)
def _imports(name: str, path: Path, stamp: tuple[int, int]) -> tuple[bytes, frozenset[str]]:
    """(source bytes, modules imported) of module ``name`` at ``path``, followed within convlab
    and within the module's own top-level package (cached while the file is unchanged)."""
    source = path.read_bytes()
    try:
        nodes = import_statements(source)
    except (SyntaxError, ValueError):
        return source, frozenset()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    followed = {_ROOT, name.split(".")[0]}
    found: set[str] = set()
    for node in nodes:
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


def sources(*roots: str) -> dict[str, bytes]:
    """The source of the modules ``roots`` and of every module they import within convlab and
    within their own top-level package, transitively, by module name (modules without a source
    file are left out).

    Parent packages are not followed unless imported: their ``__init__`` runs when the module is
    imported, but none of its code is compiled into the module's functions (a name imported
    from a package is an import, and followed)."""
    seen: dict[str, bytes] = {}
    stack = list(roots)
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
    return {module: source for module, source in seen.items() if source}


def sources_digest(*roots: str) -> str:
    """SHA-256 over :func:`sources` of ``roots`` (module names and their sources, in order)."""
    digest = hashlib.sha256()
    for module, source in sorted(sources(*roots).items()):
        digest.update(module.encode())
        digest.update(hashlib.sha256(source).digest())
    return digest.hexdigest()


def module_digest(name: str) -> str | None:
    """:func:`sources_digest` of module ``name``; None when it has no source file."""
    if module_file(name) is None:
        return None
    return sources_digest(name)
