"""Plugins: a user's algorithms and problem families, with the contracts of the built-in ones.

A plugin is a Python module that declares, like convlab's own kernel and family modules, a
module-level ``ALGORITHMS`` tuple (:class:`~convlab.algorithms.registry.Algorithm` rows) and/or
a ``FAMILIES`` tuple (:class:`~convlab.problems.family.Family` declarations); loading it
registers them (a module may also call :func:`~convlab.algorithms.registry.register` or
:func:`~convlab.problems.registry.register_family` itself). Three ways to name plugins, all
loaded by :func:`load_plugins` (the command line and the pytest plugin call it at start):

- ``--plugin MODULE`` on every ``convlab`` command (repeatable): a module name, imported with
  the working directory on ``sys.path``, or the path of a ``.py`` file;
- ``[tool.convlab] plugins = ["MODULE", ...]`` in the ``pyproject.toml`` of the working
  directory (names relative to that folder);
- entry points of an installed package in the groups ``convlab.algorithms`` and
  ``convlab.families`` (``[project.entry-points."convlab.algorithms"] mine = "my_pkg.methods"``):
  the value is a module (its tuples are registered), an Algorithm or Family, or a sequence of
  them.

A plugin that cannot be imported, or declares something that is not an Algorithm or a Family,
is an :class:`~convlab.errors.InputError` naming the plugin and where it was named (one line;
exit code 2 on the command line).

Worker processes: the pool executor forks, so its workers inherit every loaded plugin; other
workers (dask) call :func:`load_plugins` with :func:`loaded` before deciding anything.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import tomllib
from pathlib import Path
from types import ModuleType
from typing import Any, Iterable, Sequence

from .algorithms.registry import Algorithm, register
from .errors import InputError
from .problems.family import Family
from .problems.registry import register_family

#: Entry-point groups a package declares its plugins in.
ENTRY_POINT_GROUPS = ("convlab.algorithms", "convlab.families")

#: Plugins loaded in this process: (name or file, the folder it is resolved against).
_LOADED: dict[tuple[str, str | None], ModuleType] = {}
_ENTRY_POINTS_LOADED = False


def _import(spec: str, base: str | None, where: str) -> ModuleType:
    """Import a plugin named by a module name or a ``.py`` path (relative to ``base``)."""
    try:
        if spec.endswith(".py") or "/" in spec or "\\" in spec:
            path = Path(base or ".", spec).resolve()
            if not path.is_file():
                raise FileNotFoundError(f"no such file {path}")
            name = path.stem
            if name in sys.modules and getattr(sys.modules[name], "__file__", None) == str(path):
                return sys.modules[name]
            module_spec = importlib.util.spec_from_file_location(name, path)
            module = importlib.util.module_from_spec(module_spec)
            sys.modules[name] = module
            try:
                module_spec.loader.exec_module(module)
            except BaseException:
                sys.modules.pop(name, None)
                raise
            return module
        if base is not None and base not in sys.path:
            sys.path.insert(0, base)
        return importlib.import_module(spec)
    except InputError as exc:
        raise InputError(f"plugin '{spec}' ({where}): {exc.message}") from None
    except Exception as exc:  # any failure of user code while importing it
        raise InputError(f"plugin '{spec}' ({where}) failed to import: "
                         f"{type(exc).__name__}: {exc}") from None


def register_declarations(obj: Any, where: str) -> list[str]:
    """Register what a plugin provides: a module's ``ALGORITHMS`` and ``FAMILIES`` tuples, one
    Algorithm or Family, or a sequence of them. Returns the registered names."""
    if isinstance(obj, ModuleType):
        items = [*getattr(obj, "ALGORITHMS", ()), *getattr(obj, "FAMILIES", ())]
    elif isinstance(obj, (Algorithm, Family)):
        items = [obj]
    elif isinstance(obj, (list, tuple)):
        items = list(obj)
    else:
        raise InputError(f"plugin {where}: expected a module, an Algorithm, a Family or a "
                         f"sequence of them, got {obj!r}")
    names = []
    for item in items:
        try:
            if isinstance(item, Algorithm):
                names.append(register(item).name)
            elif isinstance(item, Family):
                names.append(register_family(item).name)
            else:
                raise InputError(f"expected an Algorithm or a Family, got {item!r}")
        except InputError as exc:
            raise InputError(f"plugin {where}: {exc.message}") from None
        except (TypeError, ValueError) as exc:  # a declaration that breaks its contract
            raise InputError(f"plugin {where}: {exc}") from None
    return names


def load_plugin(spec: str, base: str | Path | None = None, *, where: str = "--plugin"
                ) -> ModuleType:
    """Import one plugin module (a module name, or a ``.py`` path relative to ``base``) and
    register its declarations; loading it again does nothing."""
    key = (spec, None if base is None else str(Path(base).resolve()))
    if key in _LOADED:
        return _LOADED[key]
    module = _import(spec, key[1], where)
    register_declarations(module, f"'{spec}' ({where})")
    _LOADED[key] = module
    return module


def pyproject_plugins(folder: str | Path = ".") -> list[str]:
    """The plugins named in ``[tool.convlab] plugins`` of ``folder/pyproject.toml`` (none when
    the file or the table is absent)."""
    path = Path(folder) / "pyproject.toml"
    if not path.is_file():
        return []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"cannot read the convlab settings: {exc}", file=str(path)) from None
    plugins = data.get("tool", {}).get("convlab", {}).get("plugins", [])
    if not isinstance(plugins, list) or not all(isinstance(p, str) for p in plugins):
        raise InputError(f"expected a list of module names, got {plugins!r}", file=str(path),
                         field="tool.convlab.plugins")
    return plugins


def load_entry_points() -> list[str]:
    """Register the plugins that installed packages declare in :data:`ENTRY_POINT_GROUPS`
    (once per process)."""
    global _ENTRY_POINTS_LOADED
    if _ENTRY_POINTS_LOADED:
        return []
    from importlib.metadata import entry_points

    names: list[str] = []
    for group in ENTRY_POINT_GROUPS:
        for ep in entry_points(group=group):
            where = f"entry point '{ep.name} = {ep.value}' in group {group}"
            try:
                obj = ep.load()
            except Exception as exc:
                raise InputError(f"plugin {where} failed to import: "
                                 f"{type(exc).__name__}: {exc}") from None
            names.extend(register_declarations(obj, where))
    _ENTRY_POINTS_LOADED = True
    return names


def load_plugins(plugins: Iterable[str | tuple[str, str | None]] = (), *,
                 folder: str | Path | None = ".", entry_points: bool = True) -> list[ModuleType]:
    """Load every plugin: the installed packages' entry points, then those named in
    ``[tool.convlab] plugins`` of ``folder/pyproject.toml`` (None: skip it), then ``plugins``
    (module names or ``.py`` paths, resolved against the working directory; or
    ``(name, folder)`` pairs as :func:`loaded` returns them)."""
    if entry_points:
        load_entry_points()
    modules = []
    if folder is not None:
        base = str(Path(folder).resolve())
        for spec in pyproject_plugins(folder):
            modules.append(load_plugin(spec, base, where=f"{Path(base, 'pyproject.toml')} "
                                                         "[tool.convlab] plugins"))
    for entry in plugins:
        spec, base = entry if isinstance(entry, tuple) else (entry, str(Path.cwd()))
        modules.append(load_plugin(spec, base))
    return modules


def loaded() -> tuple[tuple[str, str | None], ...]:
    """The plugins loaded in this process, as ``(name, folder)`` pairs for
    :func:`load_plugins` in another process (a dask worker)."""
    return tuple(_LOADED)


def plugin_modules() -> Sequence[str]:
    """Names of the modules loaded as plugins (for the results store and reports)."""
    return tuple(m.__name__ for m in _LOADED.values())
