"""Build hook: the wheel carries the claims catalog and the named instances as package data.

The repository keeps ``rates/`` (the catalog) and ``problems/`` (named instances) at its root, so
that ``convlab verify rates/`` works from a clone and a theorist edits data, not a package. A
wheel built from here copies both into ``convlab/data/`` (with the paper figures' scripts and
manifest), where :mod:`convlab.catalog` finds them when convlab is installed elsewhere. All
other settings are in pyproject.toml.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent

#: Repository folder -> file patterns shipped in ``convlab/data/<folder>``.
DATA = {"rates": ("*.toml",), "problems": ("*.toml",), "paper_figures": ("*.py", "*.toml")}


class build_py_with_data(build_py):
    """``build_py``, then the data folders copied into the built package."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the repository's folders directly
        for folder, patterns in DATA.items():
            source = ROOT / folder
            target = Path(self.build_lib) / "convlab" / "data" / folder
            for pattern in patterns:
                for path in sorted(source.glob(pattern)):
                    target.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(path, target / path.name)


setup(cmdclass={"build_py": build_py_with_data})
