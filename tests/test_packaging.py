"""The wheel carries the catalog and the named instances: outside the repository, a claim that
names a catalog instance runs, and ``convlab catalog`` says where the catalog is."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: What a source distribution holds (MANIFEST.in): the package, its data and the build files.
SOURCES = ("convlab", "rates", "problems", "paper_figures", "pyproject.toml", "setup.py",
           "MANIFEST.in", "README.md")

CLAIM = """
[[claim]]
id = "gd-tight-on-a-catalog-instance"
source = "Drori & Teboulle (2014), Thm 3.1"
algorithm = "gd"
instances = ["huber-gd-worst"]
measure = "f_gap"
bound = "L*R**2/(4*N+2)"
kind = "tight"
design = "horizon"
horizons = [1, 10, 100]
expected = "tight"
"""


def _run(command, cwd, **kwargs):
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=900,
                          **kwargs)
    assert done.returncode == 0, f"{command}: {done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    return done.stdout


@pytest.mark.slow
def test_a_wheel_outside_the_repository_runs_catalog_instances(tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    for name in SOURCES:  # build from a copy: the working tree gets no build/ folder
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, source / name, ignore=shutil.ignore_patterns(
                "__pycache__", "*.nbi", "*.nbc"))
        else:
            shutil.copy2(path, source / name)
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path / "dist"),
          str(source)], tmp_path)
    (wheel,) = (tmp_path / "dist").glob("convlab-*.whl")
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], tmp_path)
    python = venv / "bin" / "python"
    site = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                tmp_path).strip()
    # convlab's dependencies from this environment (a .pth line adds a path; it does not run
    # the editable install's hooks there), convlab itself from the wheel
    Path(site, "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _run([str(python), "-m", "pip", "install", "--no-deps", "--no-index", "-q", str(wheel)],
         tmp_path)
    project = tmp_path / "project"
    project.mkdir()
    (project / "claim.toml").write_text(CLAIM)
    where = _run([str(python), "-c", "import convlab; print(convlab.__file__)"], project)
    assert where.startswith(site)
    catalog = _run([str(venv / "bin" / "convlab"), "catalog"], project).strip()
    assert catalog.startswith(site) and Path(catalog, "drori_teboulle_2014.toml").is_file()
    listed = _run([str(venv / "bin" / "convlab"), "list", catalog, "--source", "Drori"],
                  project)
    assert "gd-smooth-convex-tight-drori-teboulle" in listed
    out = _run([str(venv / "bin" / "convlab"), "verify", "claim.toml", "--no-progress", "-j",
                "1"], project)
    assert "1/1 verdicts as expected" in out
    instances = _run([str(venv / "bin" / "convlab"), "catalog", "--problems"], project).strip()
    assert "huber-gd-worst" in Path(instances, "smooth.toml").read_text()
