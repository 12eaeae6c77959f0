"""The results store: reuse, invalidation by source edits, --force, resume after interruption."""

import shutil
import textwrap

import pytest

from convlab.cli import main
from convlab.claims import load_file
from convlab.store import ResultStore, result_key, source_digest
from convlab.verify import verify_paths

CLAIMS = """
[[claim]]
id = "gd-tight"
source = "Drori & Teboulle (2014)"
algorithm = "gd"
instances = [{ name = "huber", family = "huber-1d", L = 1.0, R = 1.0, delta = "R/(2*N+1)" }]
measure = "f_gap"
bound = "L*R**2/(4*N+2)"
kind = "tight"
mode = "horizon"
horizons = [1, 10, 100]
expected = "tight"

[[claim]]
id = "gd-rate"
source = "Nesterov (2004)"
algorithm = "gd"
instances = [{ name = "quad", family = "quadratic", d = 5, L = 1.0, mu = 0.1 }]
measure = "f_gap"
bound = "L*R**2/(2*k)"
kind = "upper"
mode = "anytime"
expected = "consistent"
"""


@pytest.fixture
def claims_file(tmp_path):
    path = tmp_path / "claims.toml"
    path.write_text(textwrap.dedent(CLAIMS))
    return path


def test_results_are_reused_with_identical_verdicts(claims_file, tmp_path):
    db = tmp_path / "store.sqlite"
    first = verify_paths([claims_file], store=db)
    again = verify_paths([claims_file], store=db)
    assert [o.from_store for o in first.outcomes] == [False, False]
    assert [o.from_store for o in again.outcomes] == [True, True]
    for a, b in zip(first.outcomes, again.outcomes):
        assert a.verdict == b.verdict and a.evidence == b.evidence
        assert (a.errors == b.errors).all() and (a.k == b.k).all()
    forced = verify_paths([claims_file], store=db, force=True)
    assert [o.from_store for o in forced.outcomes] == [False, False]


def test_editing_the_claim_changes_its_key(claims_file, tmp_path):
    (claim, _), _ = load_file(claims_file, instances={})
    key = result_key(claim, claim.instances[0])
    claims_file.write_text(claims_file.read_text().replace("horizons = [1, 10, 100]",
                                                           "horizons = [1, 10, 200]"))
    (edited, _), _ = load_file(claims_file, instances={})
    assert result_key(edited, edited.instances[0]) != key


def test_editing_a_kernel_helper_invalidates_only_what_uses_it(tmp_path, monkeypatch):
    import convlab.runtime.sources as sources_mod

    copy = tmp_path / "convlab"
    shutil.copytree(sources_mod.PACKAGE_ROOT, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(sources_mod, "PACKAGE_ROOT", copy)
    source_digest.cache_clear()
    gd_roots = ("convlab.verify", "convlab.algorithms.gradient", "convlab.problems.worst_cases")
    before = source_digest(*gd_roots)
    checker_only = source_digest("convlab.rates.statistics")
    helper = copy / "runtime" / "loop.py"  # the loop every kernel runs in
    helper.write_text(helper.read_text() + "\n# edited\n")
    source_digest.cache_clear()
    assert source_digest(*gd_roots) != before
    assert source_digest("convlab.rates.statistics") == checker_only
    source_digest.cache_clear()


def test_interrupted_run_keeps_finished_results(claims_file, tmp_path, monkeypatch):
    import convlab.executor as executor_mod

    db = tmp_path / "store.sqlite"
    real = executor_mod.decide_pair
    calls = []

    def interrupt_second(claim, spec, *shared):
        calls.append(claim.id)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(claim, spec, *shared)

    monkeypatch.setattr(executor_mod, "decide_pair", interrupt_second)
    with pytest.raises(KeyboardInterrupt):
        verify_paths([claims_file], store=db, jobs=1)
    monkeypatch.setattr(executor_mod, "decide_pair", real)
    resumed = verify_paths([claims_file], store=db, jobs=1)
    assert [o.from_store for o in resumed.outcomes] == [True, False]  # the first was not redone
    assert resumed.exit_code == 0
    conn = ResultStore(db)
    assert conn._db.execute("SELECT COUNT(*) FROM results").fetchone()[0] == 2
    conn.close()


def test_cli_store_flags(claims_file, tmp_path, capsys):
    db = tmp_path / "s.sqlite"
    assert main(["verify", str(claims_file), "--store", str(db), "-j", "1"]) == 0
    assert db.exists()
    assert main(["verify", str(claims_file), "--no-cache", "--store", str(tmp_path / "x.sqlite"),
                 "-j", "1"]) == 0
    assert not (tmp_path / "x.sqlite").exists()


def test_parallel_run_gives_the_serial_verdicts(claims_file):
    serial = verify_paths([claims_file], jobs=1)
    parallel = verify_paths([claims_file], jobs=2)
    assert [(o.claim.id, o.verdict, o.evidence["reason"]) for o in serial.outcomes] == \
        [(o.claim.id, o.verdict, o.evidence["reason"]) for o in parallel.outcomes]


def test_dask_local_cluster_gives_the_local_verdicts(claims_file):
    pytest.importorskip("distributed")
    local = verify_paths([claims_file], jobs=1)
    remote = verify_paths([claims_file], jobs=2, executor="dask")
    assert [(o.claim.id, o.verdict, o.evidence["reason"]) for o in local.outcomes] == \
        [(o.claim.id, o.verdict, o.evidence["reason"]) for o in remote.outcomes]


def test_unreachable_dask_scheduler_is_an_input_error(claims_file, capsys):
    pytest.importorskip("distributed")
    code = main(["verify", str(claims_file), "--no-cache", "--executor", "dask",
                 "--scheduler", "tcp://127.0.0.1:1", "--no-progress"])
    assert code == 2
    assert capsys.readouterr().err.startswith("convlab: error:")


def test_a_killed_run_leaves_a_usable_store_and_resumes(root, tmp_path):
    """SIGKILL a verify run once it has stored a result; the store still opens, the finished
    results are reused, and the rerun completes the rest."""
    import os
    import signal
    import sqlite3
    import subprocess
    import sys
    import time

    db = tmp_path / "killed.sqlite"
    claims = root / "rates" / "stability_textbook.toml"
    cmd = [sys.executable, "-m", "convlab", "verify", str(claims), "--store", str(db), "-j", "1",
           "-q"]
    proc = subprocess.Popen(cmd, cwd=tmp_path, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    stored = 0
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None and stored == 0:
        time.sleep(0.2)
        if db.exists():
            try:
                stored = sqlite3.connect(db).execute("SELECT COUNT(*) FROM results").fetchone()[0]
            except sqlite3.OperationalError:
                stored = 0  # the table is being created
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert stored >= 1
    resumed = verify_paths([claims], store=db, jobs=1)
    assert resumed.exit_code == 0
    assert sum(o.from_store for o in resumed.outcomes) >= 1


def test_code_digests_are_the_same_in_every_process(tmp_path):
    """The digest of a builder's and a kernel's code does not depend on the process: the
    marshal bytes it was once made of depend on reference counts (under a profiler 236 of 313
    catalog keys changed) and a set constant's order on the hash seed."""
    import os
    import subprocess
    import sys

    from convlab.algorithms.registry import get_algorithm
    from convlab.problems.registry import get_family
    from convlab.store import code_digest

    script = ("from convlab.algorithms.registry import get_algorithm\n"
              "from convlab.problems.registry import get_family\n"
              "from convlab.store import code_digest\n"
              "print(code_digest(get_family('finite-sum-monotone-linear').build),"
              " code_digest(get_algorithm('gd').kernel))\n")
    here = f"{code_digest(get_family('finite-sum-monotone-linear').build)} " \
           f"{code_digest(get_algorithm('gd').kernel)}"
    (tmp_path / "digest.py").write_text(script)
    for runner, seed in ((["-m", "cProfile", "-o", os.devnull], "1"), ([], "2")):
        done = subprocess.run([sys.executable, *runner, str(tmp_path / "digest.py")],
                              capture_output=True, text=True,
                              env={**os.environ, "PYTHONHASHSEED": seed}, check=True)
        assert done.stdout.split() == here.split()


def test_the_import_scan_misses_no_import_of_any_module():
    """The keys and numba's cache stamps read modules' imports line by line (a fraction of the
    time of parsing them): never fewer statements than the syntax tree has, for every convlab
    module and for the forms a line scan alone would miss."""
    import ast

    from convlab.runtime.sources import PACKAGE_ROOT, import_statements

    def tree(source: bytes) -> set[str]:
        return {ast.dump(n) for n in ast.walk(ast.parse(source))
                if isinstance(n, (ast.Import, ast.ImportFrom))}

    tricky = [b"import os\nif True: import json\n",
              b"from a import (b,  # a ) in a comment\n    c)\n",
              b"from a import b, \\\n    c\n",
              b"x = 1; import os\n",
              b'"""Say import here."""\nfrom . import z\n']
    modules = [p.read_bytes() for p in PACKAGE_ROOT.rglob("*.py")]
    assert len(modules) > 50
    for source in tricky + modules:
        assert tree(source) <= {ast.dump(n) for n in import_statements(source)}


def test_progress_counts_the_times_an_earlier_run_measured(claims_file, tmp_path):
    """A pair the store holds a result of (under another key: after an edit, or --force) is
    expected to cost the time it took then; the ETA no longer rests on iterations x seeds
    alone, whose cost per unit differs a thousandfold between pairs."""
    db = tmp_path / "store.sqlite"
    first = verify_paths([claims_file], store=db)
    events = []
    verify_paths([claims_file], store=db, force=True, progress=events.append)
    assert events[0].kind == "start" and events[0].timed == len(first.outcomes)
    # records keep a pair's seconds to 1e-4
    assert events[0].cost_total == pytest.approx(sum(o.seconds for o in first.outcomes),
                                                 abs=1e-4 * len(first.outcomes))
    fresh = []
    verify_paths([claims_file], store=tmp_path / "empty.sqlite", progress=fresh.append)
    assert fresh[0].timed == 0 and fresh[0].cost_total > 1000  # iterations x seeds
