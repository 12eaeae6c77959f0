"""Where the claims catalog (``rates/``) and the named instances (``problems/``) are.

In the repository they are the folders ``rates/`` and ``problems/`` beside the package; a wheel
carries copies of both (and of ``paper_figures/``) as package data, in ``convlab/data/``
(``setup.py`` copies them at build time). ``convlab catalog`` prints the catalog's folder, so ``convlab verify "$(convlab
catalog)"`` runs it wherever convlab is installed, and a claim file anywhere may name a catalog
instance: named instances are looked up in the ``problems/`` folder nearest the claim file,
then in the catalog's.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _data_folder(name: str) -> Path | None:
    packaged = _PACKAGE / "data" / name
    if packaged.is_dir():
        return packaged
    repository = _PACKAGE.parent
    if (repository / "pyproject.toml").is_file() and (repository / name).is_dir():
        return repository / name
    return None


def catalog_folder() -> Path | None:
    """The folder of the claims catalog (None when this installation has none)."""
    return _data_folder("rates")


def instances_folder() -> Path | None:
    """The folder of the catalog's named instances (None when this installation has none)."""
    return _data_folder("problems")


def figures_folder() -> Path | None:
    """The folder of the paper figures' scripts and manifest (None when not installed)."""
    return _data_folder("paper_figures")
