"""Nothing lost, nothing stale, nothing hangs (docs/reliability.md): broken stores, interrupts
and killed runs, resource limits, provenance, numba's cache, figures of hostile claim ids."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from convlab.cli import main
from convlab.claims import load_file
from convlab.store import ResultStore, result_key
from convlab.verify import verify_paths

ROOT = Path(__file__).resolve().parents[1]

QUICK = """
[[claim]]
id = "quick"
source = "test"
algorithm = "gd"
instances = [{ name = "q", family = "quadratic", d = 4, L = 1.0, mu = 0.1 }]
measure = "f_gap"
bound = "L*R**2/(2*k)"
kind = "upper"
design = "anytime"
iterations = 50
expected = "consistent"
"""

#: Minutes of work at any -j (8 seeds x 5e7 iterations of SGD): interrupted long before it ends.
LONG = """
[[claim]]
id = "long"
source = "test"
algorithm = "sgd"
params = { step = "1/(2*L)" }
instances = [{ name = "noisy", family = "quadratic", d = 10, L = 10.0, mu = 0.1, noise = 1.0 }]
measure = "f_gap"
bound = "O(1/k)"
kind = "order"
design = "anytime"
iterations = 50000000
seeds = 8
expected = "consistent"
"""


@pytest.fixture
def quick_file(tmp_path):
    path = tmp_path / "quick.toml"
    path.write_text(textwrap.dedent(QUICK))
    return path


def _stored(db: Path) -> int:
    try:
        with sqlite3.connect(db) as con:
            return con.execute("SELECT COUNT(*) FROM results").fetchone()[0]
    except sqlite3.Error:
        return 0


# -- the store never costs a result -------------------------------------------------------------

def _warnings(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("convlab: warning: ")]


def test_a_corrupt_store_is_moved_aside_and_rebuilt(quick_file, tmp_path, capsys):
    db = tmp_path / "store.sqlite"
    db.write_bytes(b"this is not an SQLite database" * 100)
    report = verify_paths([quick_file], store=db)
    err = capsys.readouterr().err
    assert [o.verdict for o in report.outcomes] == ["consistent"]
    (warning,) = _warnings(err)
    assert "moved to store.sqlite.corrupt-" in warning
    assert list(tmp_path.glob("store.sqlite.corrupt-*"))
    assert _stored(db) == 1  # the new store holds this run's result
    again = verify_paths([quick_file], store=db)
    assert [o.from_store for o in again.outcomes] == [True]
    assert not _warnings(capsys.readouterr().err)


def test_a_truncated_store_and_one_of_another_layout_are_rebuilt(quick_file, tmp_path, capsys):
    db = tmp_path / "store.sqlite"
    verify_paths([quick_file], store=db)
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 3])
    assert [o.verdict for o in verify_paths([quick_file], store=db).outcomes] == ["consistent"]
    assert len(_warnings(capsys.readouterr().err)) <= 1
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as con:
        con.execute("CREATE TABLE results (key TEXT, verdict TEXT)")
    assert [o.verdict for o in verify_paths([quick_file], store=other).outcomes] == ["consistent"]
    (warning,) = _warnings(capsys.readouterr().err)
    assert "another layout" in warning and _stored(other) == 1


def _make_read_only(path: Path) -> None:
    """A file and its folder that this process cannot write (chmod; as root, which ignores
    permissions, the immutable attribute); skip where neither is possible."""
    if os.geteuid() != 0:
        path.chmod(0o444)
        path.parent.chmod(0o555)
        return
    for target in (path, path.parent):
        done = subprocess.run(["chattr", "+i", str(target)], capture_output=True)
        if done.returncode != 0:
            _undo_read_only(path)
            pytest.skip("cannot make a file read-only for root here (no chattr +i)")


def _undo_read_only(path: Path) -> None:
    if os.geteuid() != 0:
        path.parent.chmod(0o755)
        path.chmod(0o644)
        return
    for target in (path.parent, path):
        subprocess.run(["chattr", "-i", str(target)], capture_output=True)


def test_a_read_only_store_serves_results_and_saves_none(quick_file, tmp_path, capsys):
    folder = tmp_path / "ro"
    folder.mkdir()
    db = folder / "store.sqlite"
    verify_paths([quick_file], store=db)
    before = db.read_bytes()
    (tmp_path / "more.toml").write_text(textwrap.dedent(QUICK).replace('"quick"', '"more"'))
    capsys.readouterr()
    _make_read_only(db)
    try:
        report = verify_paths([quick_file, tmp_path / "more.toml"], store=db)
        err = capsys.readouterr().err
        assert db.read_bytes() == before
    finally:
        _undo_read_only(db)
    assert [(o.claim.id, o.from_store) for o in report.outcomes] == [("quick", True),
                                                                    ("more", False)]
    (warning,) = _warnings(err)
    assert "read-only" in warning
    assert report.exit_code == 0


def test_a_folder_at_the_store_path_runs_without_a_store(quick_file, tmp_path, capsys):
    db = tmp_path / "store.sqlite"
    db.mkdir()
    out = tmp_path / "report.json"
    code = main(["verify", str(quick_file), "--store", str(db), "--json", str(out), "-q",
                 "--no-progress"])
    err = capsys.readouterr().err
    assert code == 0
    (warning,) = _warnings(err)
    assert "is a directory" in warning and "running without it" in warning
    assert json.loads(out.read_text())["results"][0]["verdict"] == "consistent"


def test_a_full_disk_costs_the_write_not_the_result(quick_file, tmp_path):
    warned: list[str] = []
    store = ResultStore(tmp_path / "store.sqlite", warn=warned.append)
    store._db.execute("PRAGMA max_page_count = 2")  # SQLite's own "database or disk is full"
    (claim,), _ = load_file(quick_file, instances={})
    outcome = verify_paths([quick_file]).outcomes[0]
    store.put(result_key(claim, claim.instances[0]), outcome)
    store.put("another key", outcome)
    store.close()
    assert len(warned) == 1 and "could not be saved" in warned[0]
    assert "full" in warned[0]


def test_tampered_payloads_are_recomputed(quick_file, tmp_path):
    db = tmp_path / "store.sqlite"
    verify_paths([quick_file], store=db)
    for payload in ('{"claim": "quick", "instance": "q", "verdict": "tight"}', "not json",
                    '{"claim": "someone-else", "instance": "q"}', "[]"):
        with sqlite3.connect(db) as con:
            con.execute("UPDATE results SET payload = ?", (payload,))
        report = verify_paths([quick_file], store=db)
        assert [(o.verdict, o.from_store) for o in report.outcomes] == [("consistent", False)]


# -- interrupts and killed runs -----------------------------------------------------------------

def _descendants(pid: int) -> list[int]:
    """Process ids of every descendant of ``pid`` (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    out, stack = [], [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            out.append(child)
            stack.append(child)
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _start_long_run(tmp_path: Path, jobs: int) -> tuple[subprocess.Popen, Path]:
    """A verify run of QUICK and LONG, waited for until QUICK's result is stored and the long
    claim's kernel is running."""
    claims = tmp_path / "claims.toml"
    claims.write_text(textwrap.dedent(QUICK + LONG))
    db = tmp_path / "store.sqlite"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "convlab", "verify", str(claims), "--store", str(db), "-j",
         str(jobs), "--no-progress"], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and proc.poll() is None and _stored(db) < 1:
        time.sleep(0.2)
    time.sleep(1.0)  # the long claim's worker loads its kernel and runs
    if proc.poll() is not None:
        out, err = proc.communicate()
        pytest.fail(f"the run ended early ({proc.returncode}):\n{out.decode()}\n{err.decode()}")
    return proc, db


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("jobs", [1, 2])
def test_ctrl_c_exits_130_at_once_and_keeps_finished_results(tmp_path, jobs):
    proc, db = _start_long_run(tmp_path, jobs)
    workers = _descendants(proc.pid)
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    took = time.monotonic() - sent
    err = err.decode()
    assert proc.returncode == 130, err
    assert took < 2.0, f"{took:.2f} s to exit after Ctrl-C"
    assert "interrupted" in err and "internal error" not in err and "Traceback" not in err
    with sqlite3.connect(db) as con:  # the quick claim's result, kept whole
        rows = con.execute("SELECT claim, verdict, payload FROM results").fetchall()
    assert [(claim, verdict) for claim, verdict, _ in rows] == [("quick", "consistent")]
    assert json.loads(rows[0][2])["verdict"] == "consistent"
    time.sleep(1.0)
    assert not [p for p in workers if _alive(p)]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_no_worker_outlives_a_killed_run(tmp_path):
    proc, _ = _start_long_run(tmp_path, 2)
    workers = _descendants(proc.pid)
    assert workers, "the run has no worker processes to check"
    proc.kill()
    proc.communicate(timeout=60)
    deadline = time.monotonic() + 5.0
    while time.monotonic() < deadline and any(_alive(p) for p in workers):
        time.sleep(0.1)
    assert not [p for p in workers if _alive(p)], "workers outlived their parent by 5 s"


# -- resource limits ----------------------------------------------------------------------------

OVERSIZED = """
[[claim]]
id = "dense-huge"
source = "test"
algorithm = "gd"
instances = [{ name = "huge", family = "quad-diag-sam", d = 100000, lam_max = 1.0 }]
measure = "f_gap"
bound = "O(1/k)"
kind = "order"
design = "anytime"
iterations = 100
expected = "consistent"

[[claim]]
id = "long-horizon"
source = "test"
algorithm = "gd"
instances = [{ name = "q", family = "quadratic", d = 3, L = 1.0, mu = 0.1 }]
measure = "f_gap"
bound = "O(1/k)"
kind = "order"
design = "horizon"
horizons = [10, 10000000000]
expected = "consistent"

[[claim]]
id = "many-seeds"
source = "test"
algorithm = "sgd"
instances = [{ name = "noisy", family = "quadratic", d = 10, L = 10.0, mu = 0.1, noise = 1.0 }]
measure = "f_gap"
bound = "O(1/k)"
kind = "order"
design = "anytime"
iterations = 1000
seeds = 100000
expected = "consistent"
"""


def test_oversized_claims_are_refused_before_anything_is_built(tmp_path, capsys, monkeypatch):
    import convlab.designs.base as base

    def never(*args, **kwargs):
        raise AssertionError("an instance was built")

    monkeypatch.setattr(base, "build_checked", never)
    path = tmp_path / "big.toml"
    path.write_text(textwrap.dedent(OVERSIZED))
    code = main(["verify", str(path), "--no-cache", "-q", "--no-progress", "--max-memory", "4G"])
    lines = capsys.readouterr().err.splitlines()
    assert code == 2 and len(lines) == 3
    dense, horizon, seeds = lines
    assert "claim 'dense-huge': field 'instances.huge'" in dense and "74.5 GiB" in dense
    assert "--max-memory" in dense
    assert "field 'horizons'" in horizon and "1e+10 iterations" in horizon
    assert "--max-iterations" in horizon
    assert "field 'seeds'" in seeds and "GiB" in seeds


def test_the_budget_can_be_raised(tmp_path, capsys):
    from convlab.limits import Budget, check_budget

    (claim, *_), _ = load_file(_write(tmp_path, OVERSIZED), instances={})
    assert check_budget(claim, claim.instances[0], Budget(memory=2**30)) is not None
    assert check_budget(claim, claim.instances[0], Budget(memory=2**40, iterations=1e14)) is None


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "claims.toml"
    path.write_text(textwrap.dedent(text))
    return path


@pytest.mark.parametrize("text, expected", [("8G", 8e9), ("512MiB", 512 * 2**20),
                                            ("2.5e9", 2.5e9), ("1 GiB", 2**30)])
def test_memory_sizes(text, expected):
    from convlab.limits import parse_size

    assert parse_size(text) == expected


@pytest.mark.parametrize("text", ["lots", "-1G", "0", "8 parsecs"])
def test_bad_memory_sizes_are_input_errors(text, tmp_path, capsys):
    code = main(["verify", str(tmp_path), f"--max-memory={text}"])
    assert code == 2
    assert capsys.readouterr().err.startswith("convlab: error: ")


def test_the_catalog_fits_the_default_budget():
    from convlab.limits import Budget, check_budget
    from convlab.verify import load_claims

    claims, _ = load_claims([ROOT / "rates"])
    budget = Budget()
    refused = [str(e) for c in claims for s in c.instances
               if (e := check_budget(c, s, budget)) is not None]
    assert not refused


# -- provenance ---------------------------------------------------------------------------------

def test_results_record_the_blas_they_ran_with(quick_file, tmp_path):
    from convlab.outcomes import outcome_record
    from convlab.report import versions

    outcome = verify_paths([quick_file]).outcomes[0]
    blas = outcome_record(outcome)["provenance"]["blas"]
    libraries = {k: v for k, v in blas.items() if k != "env"}
    assert libraries, "no BLAS library found"
    for lib in libraries.values():
        assert lib["threads"] == 1 and lib["coretype"]
    assert "blas" in versions()


def test_the_store_key_covers_the_blas_core_type(quick_file, monkeypatch):
    import convlab.store as store

    (claim,), _ = load_file(quick_file, instances={})
    key = result_key(claim, claim.instances[0])
    monkeypatch.setattr(store, "pair_blas_key", lambda: "numpy:Prescott/1,scipy:Prescott/1")
    assert result_key(claim, claim.instances[0]) != key


def test_another_packages_blas_is_reported_but_not_in_the_key():
    """A solver's own OpenBLAS loaded in the same process (found in the pytest process once a
    test imported it) cannot change a result: the key is numpy's and scipy's libraries."""
    from convlab.runtime.blas import provenance_key

    ours = {"numpy": {"coretype": "SkylakeX", "threads": 1},
            "scipy": {"coretype": "SkylakeX", "threads": 1}}
    other = {**ours, "libopenblas-r0.so": {"coretype": "Zen", "threads": 1}}
    assert provenance_key(other) == provenance_key(ours) == "numpy:SkylakeX/1,scipy:SkylakeX/1"
    assert provenance_key({"numpy": {"coretype": "Zen", "threads": 1}}) != provenance_key(ours)
    assert provenance_key({"libopenblas.so": {"coretype": "Zen", "threads": 2}}) == \
        "libopenblas.so:Zen/2"  # on a platform where neither is found, what there is


def test_results_from_another_blas_are_reported_not_stored(quick_file, tmp_path):
    from dataclasses import replace

    outcome = verify_paths([quick_file]).outcomes[0]
    foreign = replace(outcome, provenance={"blas": {"numpy": {"coretype": "Zen", "threads": 8}}})
    warned: list[str] = []
    store = ResultStore(tmp_path / "store.sqlite", warn=warned.append)
    store.put("k", foreign)
    store.close()
    assert _stored(tmp_path / "store.sqlite") == 0 and "not stored" in warned[0]


def test_blas_threads_are_pinned_and_restored():
    from convlab.runtime.blas import blas_provenance, blas_threads

    before = {k: v["threads"] for k, v in blas_provenance().items() if k != "env"}
    with blas_threads(1):
        inside = {k: v["threads"] for k, v in blas_provenance().items() if k != "env"}
    after = {k: v["threads"] for k, v in blas_provenance().items() if k != "env"}
    assert set(inside.values()) == {1}
    assert after == before


@pytest.mark.slow
def test_dask_and_local_runs_agree_bitwise_with_blas_oracles(tmp_path):
    """d = 80 uses the BLAS oracles; local and dask runs give the same bits."""
    pytest.importorskip("distributed")
    path = _write(tmp_path, QUICK.replace("d = 4", "d = 80").replace("iterations = 50",
                                                                   "iterations = 300"))
    local = verify_paths([path], jobs=1).outcomes[0]
    remote = verify_paths([path], jobs=1, executor="dask").outcomes[0]
    assert (local.curve.y == remote.curve.y).all()
    libraries = [{k: v for k, v in o.provenance["blas"].items() if k != "env"}
                 for o in (local, remote)]
    assert libraries[0] == libraries[1]  # same core types, one thread each


# -- figures ------------------------------------------------------------------------------------

def test_figures_print_claim_ids_as_written(tmp_path):
    from convlab.plots import draw_outcome, plot_outcome

    text = QUICK.replace('"quick"', '"gd-$\\\\alpha$-$unbalanced-\\\\frac{"').replace(
        '"q"', '"q$_{x"')
    outcome = verify_paths([_write(tmp_path, text)]).outcomes[0]
    assert outcome.claim.id == "gd-$\\alpha$-$unbalanced-\\frac{"
    written = plot_outcome(outcome, tmp_path / "figures")
    assert written is not None and written.exists() and "$" not in written.name
    fig = draw_outcome(outcome)
    fig.canvas.draw()  # mathtext would fail here on "$\\frac{"
    titles = [t.get_text().replace("\n", "").replace("\\$", "$") for ax in fig.axes
              for t in (ax.title, ax._left_title)]
    assert any(outcome.claim.id in t for t in titles)


# -- numba's cache follows every source a kernel depends on -------------------------------------

HELPER = """
from convlab.runtime.jit import njit_helper


@njit_helper
def shift(x):
    return x + 1.0
"""

KERNEL = """
from convlab.runtime.jit import njit_helper

from .helper import shift


@njit_helper
def twice_shifted(x):
    return 2.0 * shift(x)
"""


def test_editing_a_helper_recompiles_the_kernels_that_call_it(tmp_path):
    """numba checks a cached function against its own file only; after a helper it calls is
    edited, convlab's cache locator must recompile it rather than load the old machine code."""
    package = tmp_path / "kernels_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "helper.py").write_text(textwrap.dedent(HELPER))
    (package / "kern.py").write_text(textwrap.dedent(KERNEL))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])}
    env.pop("NUMBA_CACHE_DIR", None)
    script = "import kernels_pkg.kern as k; print(k.twice_shifted(1.0))"

    def value() -> float:
        done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        return float(done.stdout.strip())

    assert value() == 4.0
    assert list((package / "__pycache__").glob("kern.twice_shifted*.nbi"))  # cached on disk
    assert value() == 4.0
    helper = package / "helper.py"
    helper.write_text(helper.read_text().replace("x + 1.0", "x + 2.0"))
    assert value() == 6.0


A_KERNEL = """
[[claim]]
id = "{algorithm}-on-a-quadratic"
source = "test"
algorithm = "{algorithm}"
params = {{ step = "1/L" }}
instances = [{{ name = "q", family = "quadratic", d = 3, L = 1.0, mu = 0.5 }}]
measure = "f_gap"
bound = "{bound}"
kind = "upper"
design = "anytime"
iterations = 50
window = [10, 50]
expected = "consistent"
"""
TWO_KERNELS = A_KERNEL.format(algorithm="gd", bound="L*R^2/(2*k)") + \
    A_KERNEL.format(algorithm="agd", bound="2*L*R^2/(k+1)^2")


COMPILE_SHARED = """
import json, os, sys
import convlab.executor as ex
from convlab.runtime.jit import served_by_cache
from convlab.runtime.launch import _entry
from convlab.verify import load_claims

calls = []
compile_in_processes = ex.compile_in_processes
ex.compile_in_processes = lambda groups, *args: (calls.append([len(g) for g in groups]),
                                                 compile_in_processes(groups, *args))
if sys.argv[2:] == ["die"]:  # the first compiling process dies (killed, out of memory)
    groups = ex._cold_start_groups
    ex._cold_start_groups = lambda *args: [[lambda: os._exit(9)], *groups(*args)]
claims, errors = load_claims([sys.argv[1]])
assert not errors, errors
work = [(c, s) for c in claims for s in c.instances]
said = []
ex.compile_shared(work, range(len(work)), 2, said.append)
pieces = ex._kernel_pieces(work, range(len(work)))
oracle = work[0][1].build().oracles["grad"]
print(json.dumps({"calls": calls, "entry": served_by_cache(_entry()), "said": said,
                  "names": [p.__qualname__ for p in pieces],
                  "cached": [served_by_cache(p.compiled) for p in pieces],
                  "oracle": [oracle.__qualname__, served_by_cache(oracle.compiled)]}))
"""


def test_a_cold_cache_is_compiled_by_several_processes_before_the_workers_fork(tmp_path):
    """With an empty numba cache, the parent compiles the first kernel piece itself, finds it
    was not cached, and has the rest, the loop's entry and the instances' oracles compiled by
    two forked processes: it then loads the entry and every other piece from the disk cache
    they wrote, and so would a worker the instance's oracles. With that cache warm, every
    piece loads and no process is forked."""
    claims = _write(tmp_path, TWO_KERNELS)
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "numba")}

    def shared() -> dict:
        done = subprocess.run([sys.executable, "-c", COMPILE_SHARED, str(claims)], env=env,
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    cold = shared()
    assert cold["names"] == ["init_nothing", "observe_copy", "gd", "agd_init", "agd"]
    assert cold["cached"][0] is False  # compiled here: the probe that finds the cache cold
    assert all(cold["cached"][1:]), cold  # compiled by the forked processes, loaded here
    entry, *groups = cold["calls"][0]  # the entry; the family's instance, the pieces' modules
    assert entry == 1 and sum(groups) == len(cold["names"]) and len(cold["calls"]) == 1
    assert cold["oracle"] == ["quadratic_grad", True]  # compiled there, loaded here
    assert cold["entry"] is True
    *counts, last = cold["said"]  # the progress line's text: groups done, then the time
    assert [line.split(": ")[1].split()[0] for line in counts] == \
        [f"{k}/{len(groups) + 1}" for k in range(len(groups) + 2)]
    assert last.startswith(f"compiled for numba's empty cache: {len(groups) + 1} groups in ")
    warm = shared()
    assert warm["names"] == cold["names"]
    assert all(warm["cached"]) and warm["calls"] == [] and warm["said"] == [], warm


def test_a_compiling_process_that_dies_leaves_its_work_to_the_parent(tmp_path):
    """A process compiling ahead that dies breaks its pool: the parent stops waiting and
    compiles, or loads, what it needs itself (no hang, every piece compiled)."""
    claims = _write(tmp_path, TWO_KERNELS)
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "numba")}
    done = subprocess.run([sys.executable, "-c", COMPILE_SHARED, str(claims), "die"], env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert len(out["calls"]) == 1 and out["names"][0] == "init_nothing"
    assert out["cached"][0] is False and out["oracle"][0] == "quadratic_grad"


BROKEN_KERNEL = """
from convlab import Algorithm
from convlab.kernels import GRAD, OK, kernel


@kernel(hyper=("step",), vectors=("g",))
def broken_gd(oracles, A, b, p, hyper, seed, checkpoints, k0, k1, X, s):
    x, g = X[0], X[1]
    for k in range(k0, k1):
        oracles[GRAD](A, b, p, x, g)
        for i in range(x.shape[0]):
            x[i] -= hyper[0] * g[i] + undefined_name
    return OK


ALGORITHMS = (Algorithm("broken-gd", broken_gd, {"step": "1/L"}),)
"""


def test_a_kernel_that_does_not_compile_fails_its_pair_not_the_run(tmp_path):
    """The parent compiles the kernels before forking its workers (-j 2): a user's kernel with
    an error there is left to its pair, which fails with numba's message; the other pairs are
    decided and no traceback is printed."""
    (tmp_path / "broken_kernel_plugin.py").write_text(BROKEN_KERNEL)
    claims = _write(tmp_path, A_KERNEL.format(algorithm="gd", bound="L*R^2/(2*k)") +
                    A_KERNEL.format(algorithm="broken-gd", bound="L*R^2/(2*k)"))
    out = tmp_path / "report.json"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])}
    done = subprocess.run([sys.executable, "-m", "convlab", "verify", str(claims), "--plugin",
                           "broken_kernel_plugin", "-j", "2", "--no-cache", "--no-progress",
                           "--json", str(out)], env=env, cwd=tmp_path, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    verdicts = {r["claim"]: (r["verdict"], r["reason"] or r["error"] or "")
                for r in json.loads(out.read_text())["results"]}
    assert verdicts["gd-on-a-quadratic"][0] == "consistent"
    assert verdicts["broken-gd-on-a-quadratic"][0] == "error"
    assert "undefined_name" in json.dumps(verdicts["broken-gd-on-a-quadratic"])


STALE_CLAIM = """
[[claim]]
id = "noisy-plateau"
source = "test"
algorithm = "sgd"
params = { step = "1/(2*L)" }
instances = [{ name = "n", family = "quadratic", d = 3, L = 1.0, mu = 0.5, noise = 1.0 }]
measure = "f_gap"
bound = "1e-8"
kind = "upper"
design = "anytime"
iterations = 400
window = [200, 400]
expected = "consistent"
"""


@pytest.mark.slow
def test_editing_a_helper_a_kernel_calls_changes_the_verdict(tmp_path):
    """A copy of convlab (with its warm numba cache); the random-number helper its stochastic
    oracle calls is edited to draw no noise; the verdict on the noise plateau must change in the
    next process, with no results store involved."""
    import shutil

    copy = tmp_path / "src" / "convlab"
    shutil.copytree(ROOT / "convlab", copy)
    claims = _write(tmp_path, STALE_CLAIM)
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "src")}
    env.pop("NUMBA_CACHE_DIR", None)

    def verdict() -> str:
        out = tmp_path / "report.json"
        done = subprocess.run([sys.executable, "-m", "convlab", "verify", str(claims),
                               "--no-cache", "-j", "1", "-q", "--no-progress", "--json",
                               str(out)], env=env, cwd=tmp_path, capture_output=True, text=True,
                              timeout=900)
        assert done.returncode in (0, 1), done.stderr
        return json.loads(out.read_text())["results"][0]["verdict"]

    assert verdict() == "violated"  # the noise keeps f - f* far above 1e-8
    helper = copy / "runtime" / "random.py"  # compiled into the oracle's noise
    helper.write_text(helper.read_text() + textwrap.dedent("""

        from .jit import njit_helper as _edited


        @_edited
        def bits(s, j):  # edited: all bits 0, so every normal is 0 (layer 0, u = 0)
            return np.uint64(0)
        """))
    assert verdict() != "violated"  # noiseless: linear convergence below 1e-8
