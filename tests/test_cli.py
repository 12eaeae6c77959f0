"""The command line: exit codes, one-line errors on bad input, JSON report and figures."""

import json
import subprocess
import sys
import textwrap

import pytest

from convlab.cli import main

GOOD = """
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
"""


def write(tmp_path, text, name="claims.toml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_a_catalog_file_verifies(root, capsys):
    assert main(["verify", str(root / "rates" / "drori_teboulle_2014.toml"), "-j", "1"]) == 0
    out = capsys.readouterr().out
    assert "negctl-gd-accelerated-rate" in out and "violated" in out
    assert "verdicts as expected, 0 not" in out


def test_mismatch_exits_1(tmp_path, capsys):
    path = write(tmp_path, GOOD.replace('expected = "tight"', 'expected = "violated"'))
    assert main(["verify", str(path)]) == 1
    assert "tight !" in capsys.readouterr().out


BAD_CASES = [
    ("invalid TOML", "[[claim]\nid = 1", "invalid TOML"),
    ("missing field", GOOD.replace('measure = "f_gap"\n', ""), "field 'measure': missing"),
    ("unknown field", GOOD.replace('kind = "tight"', 'kind = "tight"\nkindd = 1'),
     "field 'kindd': unknown field (did you mean 'kind'?)"),
    ("unknown algorithm", GOOD.replace('"gd"', '"gdd"'),
     "unknown algorithm 'gdd' (did you mean 'gd'?)"),
    ("unknown family", GOOD.replace("huber-1d", "hubber-1d"), "did you mean 'huber-1d'?"),
    ("bad bound", GOOD.replace("L*R**2/(4*N+2)", "L*R**2/(4*N+"), "field 'bound': cannot parse"),
    ("hostile bound", GOOD.replace("L*R**2/(4*N+2)", "__import__('os').system('true')"),
     "field 'bound'"),
    ("unknown symbol", GOOD.replace("L*R**2/(4*N+2)", "L*Rr**2/(4*N+2)"),
     "field 'bound': unknown symbol(s) Rr"),
    ("wrong type", GOOD.replace("horizons = [1, 10, 100]", 'horizons = "many"'), "field 'horizons'"),
    ("bad verdict", GOOD.replace('expected = "tight"', 'expected = "fine"'), "field 'expected'"),
    ("unknown instance", GOOD.replace(
        'instances = [{ name = "huber", family = "huber-1d", L = 1.0, R = 1.0, delta = "R/(2*N+1)" }]',
        'instances = ["nowhere"]'), "unknown instance 'nowhere'"),
    ("inconsistent constants", GOOD.replace("L = 1.0, R = 1.0", "L = -1.0, R = 1.0"),
     "field 'instances.huber.L': expected a number in (0, inf), got -1.0"),
]


@pytest.mark.parametrize("label, text, message", BAD_CASES, ids=[c[0] for c in BAD_CASES])
def test_bad_input_exits_2_with_one_line(tmp_path, capsys, label, text, message):
    path = write(tmp_path, text)
    assert main(["verify", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert str(path) in err[0] and message in err[0], err[0]
    assert "Traceback" not in err[0]


def test_other_claims_still_run(tmp_path, capsys):
    bad = GOOD.replace('id = "gd-tight"', 'id = "broken"').replace('"gd"', '"nope"')
    path = write(tmp_path, GOOD + bad)
    assert main(["verify", str(path)]) == 2
    captured = capsys.readouterr()
    assert "claim 'broken'" in captured.err
    assert "gd-tight" in captured.out and "1/1 verdicts as expected" in captured.out


def test_missing_path_exits_2(tmp_path, capsys):
    assert main(["verify", str(tmp_path / "absent.toml")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_json_report_and_figures(tmp_path, capsys):
    path = write(tmp_path, GOOD)
    report, figures = tmp_path / "out" / "report.json", tmp_path / "figs"
    assert main(["verify", str(path), "--json", str(report), "--plot", str(figures)]) == 0
    data = json.loads(report.read_text())
    assert data["exit_code"] == 0 and data["versions"]["numba"]
    (result,) = data["results"]
    assert result["verdict"] == "tight" and result["matched"]
    assert result["evidence"]["worst_ratio"] == pytest.approx(1.0, abs=1e-9)
    from convlab.report import validate_report

    assert validate_report(data) == []
    files = sorted(p.name for p in figures.iterdir())
    assert files == ["gd-tight__huber.png"]
    assert (figures / files[0]).stat().st_size > 5000


def test_console_script_end_to_end(tmp_path):
    path = write(tmp_path, GOOD.replace('"gd"', '"gdd"'))
    proc = subprocess.run([sys.executable, "-m", "convlab", "verify", str(path)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_list(root, capsys):
    assert main(["list", str(root / "rates")]) == 0
    out = capsys.readouterr().out
    assert "gd-smooth-convex-tight-drori-teboulle  [smooth convex; tight, horizon]" in out
    assert "source: Drori & Teboulle (2014)" in out
    assert main(["list", str(root / "rates"), "--class", "stability", "--design", "stability"]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if not line.startswith(" ")]
    assert lines and all("stability" in line.split("[")[1].split(";")[0] and ", stability]" in line
                         for line in lines)
