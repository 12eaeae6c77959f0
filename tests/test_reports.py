"""What people read: progress lines, the terminal table, the JSON report and its schema, the tidy
curves, one figure per design, the HTML report (structure here; in Chromium in the slow tier) and
the command-line options of issue 19."""

from __future__ import annotations

import base64
import io
import json
import os
import subprocess
import sys
import textwrap
import warnings
from html.parser import HTMLParser

import numpy as np
import pytest

from convlab.cli import main
from convlab.export import COLUMNS, curve_rows, write_curves
from convlab.html import to_html
from convlab.plots import draw_outcome, plot_outcome
from convlab.progress import Progress, eta_seconds, format_duration, model_eta
from convlab.report import (SCHEMA_VERSION, format_table, render, result_record, to_json,
                            validate_report)
from convlab.verify import Overrides, verify_paths

#: One small claim per design (and a statistic over seeds, and a diverged run): seconds to run.
DESIGNS = """
[[claim]]
id = "t-horizon-tight"
source = "Drori & Teboulle (2014)"
algorithm = "gd"
instances = [{ name = "huber", family = "huber-1d", L = 1.0, R = 1.0, delta = "R/(2*N+1)" }]
measure = "f_gap"
bound = "L*R**2/(4*N+2)"
kind = "tight"
design = "horizon"
horizons = [1, 10, 100]
expected = "tight"

[[claim]]
id = "t-anytime-seeds"
source = "test: SGD on a noisy quadratic"
algorithm = "sgd"
params = { step = 0.05 }
instances = [{ name = "noisy-quad", family = "quadratic", d = 5, L = 1.0, mu = 0.1, spectrum = "linspace", rotate = false, x0 = "ones", noise = 0.1 }]
measure = "f_gap"
bound = "Delta"
kind = "upper"
design = "anytime"
iterations = 200
seeds = 8
max_seeds = 8
expected = "consistent"

[[claim]]
id = "t-anytime-diverged"
source = "test: GD with a step past 2/L"
algorithm = "gd"
params = { step = "2.5/L" }
instances = [{ name = "quad", family = "quadratic", d = 5, L = 1.0, mu = 0.1, seed = 0 }]
measure = "f_gap"
bound = "Delta"
kind = "upper"
design = "anytime"
iterations = 2000
expected = "diverged"

[[claim]]
id = "t-scaling"
source = "test: GD iterations against kappa"
algorithm = "gd"
params = { step = "2/(mu + L)" }
instances = [{ name = "two-mode", family = "quadratic", d = 10, L = 1.0, mu = "1/kap", spectrum = "two-mode", rotate = false, x0 = "two-mode" }]
measure = "dist"
sweep = { name = "kap", values = [10, 30, 100, 300] }
target = "1e-6*R"
iterations = 4000
bound = "O(kap)"
kind = "tight"
design = "scaling"
expected = "tight"

[[claim]]
id = "t-stability"
source = "test: GD's stability edge 2/L"
algorithm = "gd"
instances = [{ name = "quad", family = "quadratic", d = 5, L = 1.0, mu = 0.1, seed = 0 }]
measure = "f_gap"
kind = "lower"
parameter = "step"
bracket = ["0.5/L", "4/L"]
bound = "2/L"
design = "stability"
iterations = 2000
rtol = 0.01
notes = "rtol 0.01: a short bisection (2,000 iterations per probe) for a fast test"
expected = "tight"
"""


@pytest.fixture(scope="module")
def designs_report(tmp_path_factory):
    """A verify run of :data:`DESIGNS` (computed once for this module)."""
    folder = tmp_path_factory.mktemp("designs")
    path = folder / "designs.toml"
    path.write_text(DESIGNS, encoding="utf-8")
    return verify_paths([path], jobs=1)


def _by_id(report, claim_id):
    return next(o for o in report.outcomes if o.claim.id == claim_id)


# -- progress ---------------------------------------------------------------------------------

class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_eta_is_the_remaining_cost_at_the_measured_rate():
    assert eta_seconds(10.0, cost_done=1.0, cost_left=3.0) == pytest.approx(30.0)
    assert eta_seconds(10.0, cost_done=0.0, cost_left=3.0) is None
    assert eta_seconds(10.0, cost_done=5.0, cost_left=0.0) == 0.0
    assert format_duration(3725) == "1:02:05" and format_duration(65) == "01:05"
    assert format_duration(None) == "?"


def test_eta_counts_a_fixed_time_per_pair():
    """Many cheap pairs left: most of the cost is done, not most of the time."""
    timed = [(1e8, 12.0), (1e7, 3.0), (1e6, 2.1), (1e5, 2.01)]  # 2 s + 1e-7 s per unit
    elapsed = sum(t for _, t in timed) / 2                       # on 2 workers
    assert model_eta(timed, elapsed, cost_left=1e6, items_left=100) == pytest.approx(100.05)
    assert eta_seconds(elapsed, 1.111e8, 1e6) < 1  # the cost alone would say: nearly done


def test_progress_off_a_terminal_writes_a_line_every_interval():
    clock, stream = FakeClock(), io.StringIO()
    bar = Progress(4, cost=100.0, stream=stream, tty=False, clock=clock, label="verify",
                   interval=10.0, thread=False)
    clock.now += 2
    bar.advance("a on x: tight", 10.0)   # 2 s in: no line yet
    assert stream.getvalue() == ""
    clock.now += 9
    bar.advance("b on x: tight", 30.0)   # 11 s in: a line, 40 % of the work in 11 s
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1 and "\r" not in stream.getvalue()
    assert "[2/4]" in lines[0] and " 40%" in lines[0]  # 11 s of 11 + 16.5
    assert "elapsed 00:11" in lines[0] and "ETA 00:16" in lines[0]  # 60 left at 40 per 11 s
    clock.now += 1
    bar.advance("c on x: tight", 10.0)   # 1 s after the last line: none
    assert len(stream.getvalue().splitlines()) == 1
    bar.close()                          # the last state is written when the run ends
    assert len(stream.getvalue().splitlines()) == 2


def test_a_short_run_writes_no_progress_off_a_terminal():
    clock, stream = FakeClock(), io.StringIO()
    bar = Progress(2, cost=2.0, stream=stream, tty=False, clock=clock, interval=10.0,
                   header="verify: 2 pairs", thread=False)
    clock.now += 3
    bar.advance("a", 1.0)
    bar.advance("b", 1.0)
    bar.close()
    assert stream.getvalue() == ""  # a one-line error stays one line
    bar = Progress(2, cost=2.0, stream=stream, tty=False, clock=clock, interval=10.0,
                   header="verify: 2 pairs", thread=False)
    clock.now += 12
    bar.advance("a", 1.0)
    assert stream.getvalue().splitlines()[0] == "verify: 2 pairs"


def test_progress_on_a_terminal_is_one_line_that_fits_its_width():
    clock, stream = FakeClock(), io.StringIO()
    bar = Progress(3, cost=3.0, stream=stream, tty=True, clock=clock, width=60, thread=False)
    for i in range(3):
        clock.now += 5
        bar.advance(f"a-very-long-claim-identifier-number-{i} on some-instance: consistent", 1.0)
    bar.note("  ! a mismatch stays above the status line")
    bar.close()
    text = stream.getvalue()
    assert "\n" in text and text.count("\n") == 1  # only the note ends a line
    for piece in text.replace("\033[K", "").split("\r"):
        assert len(piece.rstrip("\n")) <= 59
    assert "ETA" in text and text.endswith("\r\033[K")


def test_progress_says_what_is_being_done_before_the_first_item():
    """The compiling for an empty numba cache comes before the first pair: the status line
    says so, and nothing counts as done."""
    clock, stream = FakeClock(), io.StringIO()
    bar = Progress(3, cost=3.0, stream=stream, tty=False, clock=clock, interval=10.0,
                   label="verify", thread=False)
    clock.now += 11
    bar.show("compiling for numba's empty cache: 4/40 groups")
    line = stream.getvalue().splitlines()[-1]
    assert line.startswith("verify [0/3]") and line.endswith("compiling for numba's empty "
                                                               "cache: 4/40 groups")
    clock.now += 11
    bar.advance("a on x: tight", 1.0)
    assert stream.getvalue().splitlines()[-1].endswith("a on x: tight")


def test_a_run_with_stderr_in_a_file_shows_progress_lines_with_an_eta(tmp_path):
    path = tmp_path / "claims.toml"
    path.write_text(DESIGNS.split("[[claim]]")[1].join(["[[claim]]", ""]), encoding="utf-8")
    env = {**os.environ, "CONVLAB_PROGRESS_INTERVAL": "0"}  # a line at every event
    with open(tmp_path / "stderr.txt", "w") as err:
        proc = subprocess.run([sys.executable, "-m", "convlab", "verify", str(path),
                               "--no-cache", "-j", "1"], stdout=subprocess.PIPE, stderr=err,
                              text=True, timeout=300, cwd=tmp_path, env=env)
    assert proc.returncode == 0, proc.stdout
    lines = (tmp_path / "stderr.txt").read_text().splitlines()
    assert lines[0].startswith("verify: 1 pairs, 0 from the store, 1 to compute")
    assert any("[1/1]" in line and "ETA 00:00" in line and "elapsed" in line for line in lines)
    assert not any("\r" in line or "\033" in line for line in lines)


def test_verify_reports_the_planned_cost_then_each_pair(root):
    events = []
    report = verify_paths([root / "rates" / "drori_teboulle_2014.toml"], progress=events.append)
    start, *pairs = events
    assert start.kind == "start" and start.total == len(report.outcomes) == len(pairs)
    assert start.cost_total > 0 and start.reused == 0
    assert [e.done for e in pairs] == list(range(1, len(pairs) + 1))
    assert sum(e.cost for e in pairs) == pytest.approx(start.cost_total)
    assert {e.outcome.instance for e in pairs} == {o.instance for o in report.outcomes}


# -- the table --------------------------------------------------------------------------------

def test_the_table_fits_the_terminal(designs_report):
    for width in (60, 80, 120, 250):
        table = format_table(designs_report, width=width)
        body = table.splitlines()[:-1]
        assert all(len(line) <= width for line in body), width
        assert all(o.claim.id in table and o.instance in table for o in designs_report.outcomes)
    assert format_table(designs_report, width=250).splitlines()[0].startswith("claim ")
    assert format_table(designs_report, width=60).splitlines()[0] == "claim"  # grouped layout


def test_render_formats(designs_report):
    assert render(designs_report, "markdown").startswith("# Catalog summary")
    rows = render(designs_report, "csv").splitlines()
    assert rows[0].startswith("claim,instance,algorithm,design") and len(rows) == 6
    doc = json.loads(render(designs_report, "json"))
    assert doc["schema_version"] == SCHEMA_VERSION


# -- the JSON report and its schema -------------------------------------------------------------

def _strict(text):
    def refuse(name):
        raise ValueError(f"not strict JSON: {name}")
    return json.loads(text, parse_constant=refuse)


def test_every_report_validates_against_the_schema(designs_report):
    doc = _strict(render(designs_report, "json"))
    assert validate_report(doc) == []
    assert {r["design"] for r in doc["results"]} == {"anytime", "horizon", "scaling",
                                                     "stability"}
    for r in doc["results"]:
        assert "evidence" not in r["evidence"] and "check" not in r  # no double nesting
        assert not set(r["fits"]) & set(r["evidence"])               # fits at one level only
        assert r["from_store"] is False and r["seconds"] > 0
        assert r["instance_params"]["family"] and r["constants"]
    horizon = next(r for r in doc["results"] if r["claim"] == "t-horizon-tight")
    assert horizon["curve"]["x"] == [1.0, 10.0, 100.0] and len(horizon["curve"]["y"]) == 3
    assert horizon["evidence"]["worst_ratio"] == pytest.approx(1.0, abs=1e-9)
    alpha = horizon["fits"]["relative_order"]
    assert alpha["low"] - 1e-9 <= 1 <= alpha["high"] + 1e-9  # the stated order, attained
    seeds = next(r for r in doc["results"] if r["claim"] == "t-anytime-seeds")
    assert seeds["seeds"]["n"] == 8 and len(seeds["curve"]["low"]) == len(seeds["curve"]["x"])
    assert doc["summary"]["pairs"] == 5 and sum(doc["summary"]["by_verdict"].values()) == 5


def test_the_validator_finds_departures(designs_report):
    doc = _strict(render(designs_report, "json"))
    doc["results"][0]["verdict"] = "maybe"
    doc["results"][1].pop("curve")
    doc["results"][2]["surprise"] = 1
    doc["results"][3]["curve"] = {"axis": "k", "quantity": "", "x": ["a"], "y": []}
    errors = validate_report(doc)
    assert any("results[0].verdict" in e and "'maybe'" in e for e in errors)
    assert any("results[1]: missing field 'curve'" in e for e in errors)
    assert any("results[2]: unknown field 'surprise'" in e for e in errors)
    assert any("results[3].curve" in e for e in errors)


def test_non_finite_numbers_are_written_as_null(designs_report):
    stability = _by_id(designs_report, "t-stability")
    assert not np.all(np.isfinite(stability.curve.y))  # a diverged probe's growth is inf
    record = result_record(stability)
    assert None in record["curve"]["y"]
    json.dumps(record, allow_nan=False)


def test_results_read_from_the_store_are_flagged(tmp_path):
    path = tmp_path / "claims.toml"
    path.write_text(DESIGNS.split("[[claim]]")[1].join(["[[claim]]", ""]), encoding="utf-8")
    store = tmp_path / "store.sqlite"
    first = verify_paths([path], store=store)
    again = to_json(verify_paths([path], store=store))
    (record,) = again["results"]
    assert record["from_store"] is True and again["summary"]["from_store"] == 1
    assert record["seconds"] == pytest.approx(first.outcomes[0].seconds, abs=1e-4)
    assert validate_report(again) == []


# -- quick-look overrides ---------------------------------------------------------------------

def test_overrides_change_the_claims_and_are_stored_apart(tmp_path):
    path = tmp_path / "claims.toml"
    path.write_text(DESIGNS, encoding="utf-8")
    store = tmp_path / "store.sqlite"
    full = verify_paths([path], store=store, claims=["t-anytime-*"])
    quick = verify_paths([path], store=store, claims=["t-anytime-*"],
                         overrides=Overrides(seeds=2, iterations=50))
    assert quick.overrides == {"seeds": 2, "iterations": 50} and not full.overrides
    seeds = _by_id(quick, "t-anytime-seeds")
    assert not seeds.from_store and seeds.seeds.n == 2 and seeds.curve.x[-1] == 50
    again = verify_paths([path], store=store, claims=["t-anytime-*"])
    assert all(o.from_store for o in again.outcomes)
    assert _by_id(again, "t-anytime-seeds").curve.x[-1] == 200
    doc = to_json(quick)
    assert doc["overrides"] == {"seeds": 2, "iterations": 50} and validate_report(doc) == []
    assert "QUICK LOOK" in format_table(quick)
    horizon = Overrides(iterations=10).apply(_by_id(full, "t-anytime-seeds").claim)
    assert horizon.iterations == 10


def test_horizon_overrides_keep_the_horizons_up_to_the_iterations(designs_report):
    claim = _by_id(designs_report, "t-horizon-tight").claim
    assert Overrides(iterations=10).apply(claim).horizons == (1, 10)
    assert Overrides(iterations=0 + 1).apply(claim).horizons == (1,)
    assert Overrides(seeds=4).apply(claim) is claim  # one run: no seeds to change


# -- tidy curves ------------------------------------------------------------------------------

def test_tidy_curves_have_one_row_per_point(designs_report, tmp_path):
    rows = list(curve_rows(designs_report))
    total = sum(len(o.curve.x) for o in designs_report.outcomes if o.curve is not None)
    assert len(rows) == total and all(set(r) == set(COLUMNS) for r in rows)
    tight = [r for r in rows if r["claim"] == "t-horizon-tight"]
    assert [r["x"] for r in tight] == [1.0, 10.0, 100.0]
    for r in tight:  # an explicit bound attained: the bound column equals the error
        assert r["bound"] == pytest.approx(r["y"], rel=1e-9)
    seeds = [r for r in rows if r["claim"] == "t-anytime-seeds"]
    assert seeds[0]["series"] == "mean of 8 seeds"
    assert all(r["low"] <= r["y"] <= r["high"] for r in seeds if r["low"] is not None)
    n = write_curves(designs_report, tmp_path / "curves.csv")
    lines = (tmp_path / "curves.csv").read_text().splitlines()
    assert n == total and len(lines) == total + 1 and lines[0] == ",".join(COLUMNS)


def test_tidy_curves_to_parquet(designs_report, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    n = write_curves(designs_report, tmp_path / "curves.parquet")
    table = pq.read_table(tmp_path / "curves.parquet")
    assert table.num_rows == n and table.column_names == list(COLUMNS)


# -- one figure per design --------------------------------------------------------------------

@pytest.mark.parametrize("claim_id", ["t-horizon-tight", "t-anytime-seeds", "t-anytime-diverged",
                                      "t-scaling", "t-stability"])
def test_one_figure_of_each_design(designs_report, tmp_path, claim_id):
    outcome = _by_id(designs_report, claim_id)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = draw_outcome(outcome)
        try:
            from matplotlib.text import Text

            fig.canvas.draw()  # tick labels exist once drawn
            texts = [t for t in fig.findobj(Text) if t.get_text() and t.get_visible()]
            assert len(texts) > 5 and min(t.get_fontsize() for t in texts) >= 8
        finally:
            import matplotlib.pyplot as plt

            plt.close(fig)
        path = plot_outcome(outcome, tmp_path)
    assert path is not None and path.stat().st_size > 10000
    legend = " ".join(t.get_text() for t in _legend_texts(outcome))
    expected = {"t-horizon-tight": "bound L*R**2/(4*N+2)",
                "t-anytime-seeds": "95 % simultaneous band",
                "t-anytime-diverged": "diverged at k = ",
                "t-scaling": "fitted exponent",
                "t-stability": "claimed threshold 2"}[claim_id]
    assert expected in legend, legend


def test_claim_text_is_printed_literally_and_tick_labels_stay_math(designs_report):
    """A '$' in a name from a claim file is printed as written (never mathtext, which can
    fail), while the log axes keep their mathtext tick labels (10^4, not the raw source)."""
    from dataclasses import replace

    import matplotlib.pyplot as plt

    outcome = _by_id(designs_report, "t-scaling")
    odd = replace(outcome, instance="two-mode $x_0$ $broken")
    fig = draw_outcome(odd)
    try:
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        title = fig.axes[0].get_title(loc="left")
        assert "$x_0$ $broken" in title.replace("\\$", "$")
        for ax in fig.axes:
            for t in ax.get_yticklabels() + ax.get_yticklabels(minor=True):
                if t.get_text():
                    assert t.get_window_extent(renderer).width < 150, t.get_text()
    finally:
        plt.close(fig)


def _legend_texts(outcome):
    import matplotlib.pyplot as plt

    fig = draw_outcome(outcome)
    try:
        return [t for legend in fig.legends for t in legend.get_texts()]
    finally:
        plt.close(fig)


# -- the HTML report --------------------------------------------------------------------------

class _Page(HTMLParser):
    """The parts of the HTML report a test looks at."""

    def __init__(self) -> None:
        super().__init__()
        self.ids, self.rows, self.links, self.images, self.scripts = {}, [], [], [], []
        self.external = []
        self._in_body = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids[a["id"]] = (tag, a)
        if tag == "tbody":
            self._in_body = True
        if tag == "tr" and self._in_body:
            self.rows.append(a)
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        if tag == "img":
            self.images.append(a["src"])
        if tag == "script":
            self.scripts.append(a)
        for name in ("src", "href"):
            value = a.get(name, "")
            if value.startswith(("http:", "https:", "//")):
                self.external.append(value)
        if tag == "link":
            self.external.append(str(a))


def test_html_report_structure(designs_report):
    text = to_html(designs_report)
    page = _Page()
    page.feed(text)
    n = len(designs_report.outcomes)
    assert not page.external and all("src" not in s for s in page.scripts)  # self-contained
    assert page.ids["results-table"][0] == "table" and page.ids["filter"][0] == "input"
    assert page.ids["verdict-filter"][0] == "select" and "mismatch-only" in page.ids
    assert len(page.rows) == n
    assert {r["data-verdict"] for r in page.rows} == {o.verdict for o in designs_report.outcomes}
    for i in range(n):
        assert f"#pair-{i}" in page.links and page.ids[f"pair-{i}"][0] == "details"
    assert len(page.images) == n  # one figure per pair, embedded
    for src in page.images:
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
    counts = {}
    for o in designs_report.outcomes:
        counts[o.verdict] = counts.get(o.verdict, 0) + 1
    for verdict, count in counts.items():
        assert f'data-verdict="{verdict}" aria-pressed="false"><b>{count}</b>' in text
    summary = json.loads(text.split('id="report-summary">')[1].split("</script>")[0])
    assert summary["pairs"] == n and summary["by_verdict"] == counts
    assert "by-tier" not in page.ids  # no claim has a tier
    has_fragility = any(getattr(o, "fragile", None) is not None for o in designs_report.outcomes)
    assert ("fragility" in page.ids) == has_fragility


def test_html_report_shows_tier_fragility_and_quick_look(designs_report):
    from dataclasses import replace

    class Tiered:
        def __init__(self, claim, tier):
            self._claim, self.tier = claim, tier

        def __getattr__(self, name):
            return getattr(self._claim, name)

    outcomes = []
    for i, o in enumerate(designs_report.outcomes):
        outcomes.append(replace(o, claim=Tiered(o.claim, "core" if i % 2 else "extended"),
                                fragile=i == 0))
    report = replace(designs_report, outcomes=outcomes, overrides={"seeds": 2})
    page = _Page()
    text = to_html(report, figures=False)
    page.feed(text)
    assert "by-tier" in page.ids and "fragility" in page.ids and "quick-look" in page.ids
    assert "tier core" in text and "tier extended" in text
    assert sum(1 for r in page.rows if r.get("data-fragile") == "1") == 1


# -- the command line -------------------------------------------------------------------------

def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0 and capsys.readouterr().out.startswith("convlab ")


def test_claim_filter_globs_and_refuses_an_unknown_pattern(tmp_path, capsys):
    path = tmp_path / "claims.toml"
    path.write_text(DESIGNS, encoding="utf-8")
    out = tmp_path / "r.json"
    assert main(["verify", str(path), "--claim", "t-horizon-*", "--claim", "t-anytime-div*",
                 "--no-cache", "--json", str(out), "--no-progress"]) == 0
    doc = json.loads(out.read_text())
    assert sorted(r["claim"] for r in doc["results"]) == ["t-anytime-diverged", "t-horizon-tight"]
    capsys.readouterr()
    assert main(["verify", str(path), "--claim", "t-horizn-tight", "--no-cache"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no claim matches 't-horizn-tight'" in err[0]
    assert "did you mean 't-horizon-tight'" in err[0]


def test_quick_look_is_marked_in_every_output(tmp_path, capsys):
    path = tmp_path / "claims.toml"
    path.write_text(DESIGNS, encoding="utf-8")
    out, page = tmp_path / "r.json", tmp_path / "r.html"
    code = main(["verify", str(path), "--claim", "t-anytime-seeds", "--seeds", "2",
                 "--iterations", "30", "--no-cache", "--json", str(out), "--html", str(page),
                 "--no-progress"])
    assert code in (0, 1)
    assert "QUICK LOOK (--seeds 2, --iterations 30)" in capsys.readouterr().out
    assert json.loads(out.read_text())["overrides"] == {"seeds": 2, "iterations": 30}
    assert 'id="quick-look"' in page.read_text()
    with pytest.raises(SystemExit):
        main(["verify", str(path), "--seeds", "0"])
    assert "expected a positive integer" in capsys.readouterr().err


def test_format_option_prints_json_and_csv(tmp_path, capsys):
    path = tmp_path / "claims.toml"
    path.write_text(textwrap.dedent(DESIGNS.split("[[claim]]")[1].join(["[[claim]]", ""])),
                    encoding="utf-8")
    assert main(["verify", str(path), "--no-cache", "--format", "json", "--no-progress"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert validate_report(doc) == [] and doc["results"][0]["claim"] == "t-horizon-tight"
    assert main(["verify", str(path), "--no-cache", "--format", "csv", "--no-progress"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("claim,instance") and lines[1].startswith("t-horizon-tight,huber")
