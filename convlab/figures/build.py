"""The figure manifest and the command that rebuilds figures.

``paper_figures/manifest.toml`` has one ``[[figure]]`` table per figure: ``name`` (also the
output file name), ``script`` (a Python file beside the manifest defining
``make(out: Path, quick: bool) -> list[Path]``), ``title``, ``shows`` (what the figure shows) and
``claims`` (the catalog claims it draws on).
"""

from __future__ import annotations

import importlib.util
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..errors import InputError


@dataclass(frozen=True)
class FigureSpec:
    """One entry of the manifest."""

    name: str
    script: Path
    title: str
    shows: str
    claims: tuple[str, ...]


def load_manifest(folder: str | Path) -> list[FigureSpec]:
    """Read ``folder/manifest.toml``; InputError naming the field on bad input."""
    path = Path(folder) / "manifest.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read the figure manifest: {exc}", file=str(path)) from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"invalid TOML: {exc}", file=str(path)) from None
    specs = []
    for i, table in enumerate(data.get("figure", [])):
        where = table.get("name", f"#{i + 1}")
        for key in ("name", "script", "title", "shows"):
            if not isinstance(table.get(key), str):
                raise InputError(f"figure '{where}' needs a string field '{key}'",
                                 file=str(path), field=key)
        script = (path.parent / table["script"]).resolve()
        if path.parent.resolve() not in script.parents:
            raise InputError("the script must be inside the figures folder", file=str(path),
                             field="script")
        specs.append(FigureSpec(table["name"], script, table["title"], table["shows"],
                                tuple(table.get("claims", []))))
    if not specs:
        raise InputError("no [[figure]] tables", file=str(path))
    return specs


def _maker(spec: FigureSpec) -> Callable:
    module_spec = importlib.util.spec_from_file_location(f"paper_figure_{spec.name}", spec.script)
    if module_spec is None or not spec.script.is_file():
        raise InputError(f"no such script {spec.script}", field="script")
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module.make


def build_figures(folder: str | Path, out: str | Path, names: list[str] | None = None, *,
                  quick: bool = False,
                  progress: Callable[[str], None] | None = None) -> dict[str, list[Path]]:
    """Build the figures of the manifest in ``folder`` (all, or those named) into ``out``;
    ``progress`` receives a line as each figure starts and as it ends."""
    specs = load_manifest(folder)
    known = {s.name for s in specs}
    for name in names or []:
        if name not in known:
            from ..names import closest

            raise InputError(f"unknown figure '{name}'{closest(name, known)}; known: "
                             f"{', '.join(sorted(known))}")
    chosen = [s for s in specs if not names or s.name in names]
    written = {}
    begin = time.perf_counter()
    for i, spec in enumerate(chosen):
        start = time.perf_counter()
        if progress is not None:
            progress(f"[{i + 1}/{len(chosen)}] {spec.name}: started "
                     f"(elapsed {start - begin:.0f} s)")
        files = _maker(spec)(Path(out), quick)
        written[spec.name] = files
        if progress is not None:
            progress(f"[{i + 1}/{len(chosen)}] {spec.name}: done, {len(files)} files in "
                     f"{time.perf_counter() - start:.1f} s")
    return written
