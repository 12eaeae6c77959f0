"""Names: suggestions for error messages, and registries of declarations by name (bottom layer:
imports nothing of convlab but its errors)."""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping as MappingABC
from typing import Any


def closest(name: str, choices: Any) -> str:
    """' (did you mean X?)' for the closest of ``choices``, or ''."""
    match = difflib.get_close_matches(str(name), [str(c) for c in choices], n=1)
    return f" (did you mean '{match[0]}'?)" if match else ""


class Registry(MappingABC):
    """Name -> declaration, filled on first lookup from the modules that declare them (a
    module-level tuple ``attribute`` of each module in ``modules``), and by :meth:`add`.

    Parameters
    ----------
    what
        What is registered, for messages (``"algorithm"``, ``"family"``).
    package, modules, attribute
        Where the declarations are: ``package.module.attribute`` for each module.
    kind
        The type every declaration has.
    """

    def __init__(self, what: str, package: str, modules: tuple[str, ...], attribute: str,
                 kind: type) -> None:
        self._what, self._package, self._modules = what, package, modules
        self._attribute, self._kind = attribute, kind
        self._items: dict[str, Any] = {}
        self._loaded = False

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        import importlib

        for module in self._modules:
            for item in getattr(importlib.import_module(f"{self._package}.{module}"),
                                self._attribute):
                if item.name in self._items:
                    raise RuntimeError(f"{self._what} {item.name!r} registered twice")
                self._items[item.name] = item

    def add(self, item: Any, *, replace: bool = False) -> Any:
        """Register ``item`` (the same declaration again is a no-op: a plugin loaded twice);
        an :class:`~convlab.errors.InputError` when the name is taken, unless ``replace``."""
        from .errors import InputError

        self._load()
        if not isinstance(item, self._kind):
            raise TypeError(f"expected a {self._kind.__name__}, got {item!r}")
        if self._items.get(item.name) == item:
            return self._items[item.name]
        if item.name in self._items and not replace:
            raise InputError(f"{self._what} '{item.name}' is already registered "
                             f"(by {self._items[item.name].module})", field=self._what)
        self._items[item.name] = item
        return item

    def __getitem__(self, name: str) -> Any:
        self._load()
        return self._items[name]

    def __iter__(self) -> Iterator[str]:
        self._load()
        return iter(self._items)

    def __len__(self) -> int:
        self._load()
        return len(self._items)
