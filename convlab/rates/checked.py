"""Expressions checked before: loading claims without importing sympy.

Loading a catalog checks every bound and parameter expression with
:func:`~convlab.rates.expressions.parse_expression`, which builds a sympy expression: importing
sympy and parsing the catalog's expressions took 0.3 s of the 1.2 s a run served from the
results store took. Whether a text is accepted, and the names it uses, depend only on the text,
on ``allow_order`` and on the parser: its sources (:mod:`convlab.rates.expressions` and what it
imports within convlab), sympy's and numpy's versions and Python's. :func:`expression_names`
therefore records each text that parsed, with its free names, in a small JSON file named by a
digest of all of these, beside the parser's byte code (``convlab/rates/__pycache__``, as
numba's cache), and answers from it without importing sympy. A text not in it, a new or an
invalid one, is parsed as before, so every error is the parser's own and nothing is accepted
that the parser did not accept. A file that cannot be read or written is ignored: the memo only
saves time.
"""

from __future__ import annotations

import atexit
import hashlib
import importlib.util
import json
import os
import sys
import tempfile
from pathlib import Path

#: The folder of the memo files; a test may point it elsewhere.
MEMO_FOLDER = Path(__file__).resolve().parent / "__pycache__"

_memo: dict[str, list[str]] | None = None
_added: dict[str, list[str]] = {}
_registered = False


def expression_names(text: str | int | float, *, allow_order: bool = False) -> frozenset[str]:
    """The free names of the expression ``text`` once it is accepted as
    :func:`~convlab.rates.expressions.parse_expression` accepts it.

    Parameters
    ----------
    text
        A bound or parameter expression, or a number.
    allow_order
        Accept ``O(...)`` around the whole expression (a bound).

    Raises
    ------
    BoundError
        The parser's error, when the parser refuses ``text``.
    """
    global _registered
    key = _key(text, allow_order)
    memo = _load()
    if key is not None and key in memo:
        return frozenset(memo[key])
    from .expressions import free_names, parse_expression

    names = sorted(free_names(parse_expression(text, allow_order=allow_order)))
    if key is not None:
        memo[key] = names
        _added[key] = names
        if not _registered:
            atexit.register(save)
            _registered = True
    return frozenset(names)


def _key(text: object, allow_order: bool) -> str | None:
    """The memo's key of ``text``: its type and its exact text (None: not memoised)."""
    if isinstance(text, bool):
        return None
    if isinstance(text, str):
        kind = "s"
    elif isinstance(text, int):
        kind, text = "i", str(text)
    elif isinstance(text, float):
        kind, text = "f", repr(text)
    else:
        return None
    return f"{'O' if allow_order else '-'}{kind}:{text}"


def memo_path() -> Path:
    """The memo file of this parser: named by the digest of its sources and versions."""
    from ..runtime.sources import sources_digest

    digest = hashlib.sha256(sources_digest("convlab.rates.expressions").encode())
    digest.update(f"python {sys.version_info[:3]}; numpy ".encode())
    digest.update(_package_text("numpy", "version.py"))
    digest.update(b"; sympy ")
    digest.update(_package_text("sympy", "release.py"))
    return MEMO_FOLDER / f"expressions-{digest.hexdigest()[:20]}.json"


def _package_text(package: str, file: str) -> bytes:
    """The bytes of a package's version file, found without importing the package."""
    try:
        spec = importlib.util.find_spec(package)
        origin = spec.origin if spec is not None else None
        return (Path(origin).parent / file).read_bytes() if origin else b"?"
    except (ImportError, ValueError, OSError):
        return b"?"


def _load() -> dict[str, list[str]]:
    global _memo
    if _memo is None:
        try:
            data = json.loads(memo_path().read_text(encoding="utf-8"))
            _memo = {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, list)
                     and all(isinstance(n, str) for n in v)}
        except (OSError, ValueError, AttributeError):
            _memo = {}
    return _memo


def save() -> None:
    """Write the texts checked in this process into the memo file (merged with what other
    processes wrote meanwhile; written whole, then renamed, so a reader never sees half)."""
    if not _added:
        return
    try:
        path = memo_path()
        try:
            known = json.loads(path.read_text(encoding="utf-8"))
            known = known if isinstance(known, dict) else {}
        except (OSError, ValueError):
            known = {}
        known.update(_added)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.stem, suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(known, out, sort_keys=True)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    except OSError:
        pass  # a read-only installation: every process parses again
    _added.clear()


def forget() -> None:
    """Drop what this process read or added (a test's fresh start)."""
    global _memo
    _memo = None
    _added.clear()
