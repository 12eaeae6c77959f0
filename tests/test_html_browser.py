"""The HTML report in a real browser (slow tier): headless Chromium opens the report, filters
and sorts its table, and takes a screenshot.

Chromium comes from the distribution's packages (Debian: ``chromium``). Where it is missing, the
set-up installs it with apt-get when it can (as root, with apt-get on the machine); otherwise the
tests are skipped with the reason. The filter runs in the page's own JavaScript: the report reads
its filter from the address (``#q=...&verdict=...``), exactly as when a reader types it, and the
test reads the DOM that Chromium produced (``--dump-dom``).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from convlab.html import write_html
from convlab.verify import verify_paths

from test_reports import DESIGNS

pytestmark = pytest.mark.slow

#: Flags for a headless Chromium on a machine with no network (nothing is fetched).
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage")


def _find() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


@pytest.fixture(scope="session")
def chromium() -> str:
    """The Chromium executable, installed with apt-get where it is missing and possible."""
    path = _find()
    if path is None and shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        try:
            subprocess.run(["apt-get", "update", "-qq"], env=env, timeout=600,
                           capture_output=True)
            subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], env=env,
                           timeout=1200, capture_output=True)
        except (OSError, subprocess.TimeoutExpired) as exc:
            pytest.skip(f"Chromium is not installed and apt-get failed: {exc}")
        path = _find()
    if path is None:
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium) and cannot be "
                    "installed here (needs root and apt-get)")
    return path


def _run(chromium: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory(prefix="convlab-chromium-") as profile:
        return subprocess.run([chromium, *FLAGS, f"--user-data-dir={profile}", *args],
                              capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def report_file(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("html")
    claims = folder / "designs.toml"
    claims.write_text(DESIGNS, encoding="utf-8")
    return write_html(verify_paths([claims], jobs=1), folder / "report.html")


def _rows(dom: str) -> list[str]:
    body = dom.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr [^>]*>", body)


def _hidden(row: str) -> bool:
    return re.search(r'\shidden(=""|\s|>)', row) is not None


def test_the_report_opens_and_its_table_filters(chromium, report_file):
    url = report_file.resolve().as_uri()
    full = _run(chromium, "--dump-dom", url)
    assert full.returncode == 0, full.stderr[-2000:]
    rows = _rows(full.stdout)
    assert len(rows) == 5 and not any(_hidden(r) for r in rows)
    assert "5 of 5 pairs shown" in full.stdout  # written by the page's script
    filtered = _run(chromium, "--dump-dom", url + "#q=stability")
    rows = _rows(filtered.stdout)
    shown = [r for r in rows if not _hidden(r)]
    assert len(shown) == 1 and 'data-verdict="tight"' in shown[0]
    assert "1 of 5 pairs shown" in filtered.stdout
    by_verdict = _run(chromium, "--dump-dom", url + "#verdict=diverged")
    shown = [r for r in _rows(by_verdict.stdout) if not _hidden(r)]
    assert len(shown) == 1 and 'data-verdict="diverged"' in shown[0]
    ordered = _run(chromium, "--dump-dom", url + "#sort=claim&desc=1")
    ids = re.findall(r'<a href="#pair-\d+">([^<]+)</a>', ordered.stdout.split("<tbody>")[1])
    assert ids == sorted(ids, reverse=True) and len(ids) == 5


def test_a_screenshot_of_the_filtered_report(chromium, report_file, tmp_path):
    shot = tmp_path / "report.png"
    done = _run(chromium, "--window-size=1280,1600", f"--screenshot={shot}",
                report_file.resolve().as_uri() + "#q=scaling&open=1")
    assert done.returncode == 0 and shot.exists(), done.stderr[-2000:]
    import matplotlib.image as mpimg

    pixels = mpimg.imread(shot)
    assert pixels.shape[0] == 1600 and pixels.shape[1] == 1280
    assert pixels[..., :3].std() > 0.05  # text and a figure, not a blank page


def test_the_catalog_report_filters(chromium):
    """The report of the whole catalog (CI writes it with ``convlab verify rates/ --html`` and
    names it in CONVLAB_CATALOG_HTML) opens, and its table filters."""
    path = os.environ.get("CONVLAB_CATALOG_HTML")
    if not path or not Path(path).is_file():
        pytest.skip("no catalog report: set CONVLAB_CATALOG_HTML to the file written by "
                    "convlab verify rates/ --html FILE")
    url = Path(path).resolve().as_uri()
    full = _run(chromium, "--dump-dom", url, timeout=300)
    rows = _rows(full.stdout)
    assert len(rows) > 100 and f"{len(rows)} of {len(rows)} pairs shown" in full.stdout
    filtered = _run(chromium, "--dump-dom", url + "#verdict=violated", timeout=300)
    shown = [r for r in _rows(filtered.stdout) if not _hidden(r)]
    assert shown and all('data-verdict="violated"' in r for r in shown)
    assert f"{len(shown)} of {len(rows)} pairs shown" in filtered.stdout
    if 'data-facet="fragile"' in full.stdout:  # outcomes say whether they are fragile
        fragile = _run(chromium, "--dump-dom", url + "#fragile=1", timeout=300)
        shown = [r for r in _rows(fragile.stdout) if not _hidden(r)]
        assert shown and all('data-fragile="1"' in r for r in shown)
        assert len(shown) == sum('data-fragile="1"' in r for r in rows)
