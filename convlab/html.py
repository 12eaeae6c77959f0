"""The HTML report of a verify run: one self-contained file (``convlab verify ... --html FILE``).

The page has

- a header with the provenance (date, command, versions, run time) and, for a quick look
  (``--seeds``/``--iterations``), a banner saying so;
- a summary: the number of pairs by verdict (each a button that filters the table), how many
  matched their expectation, and, when claims carry a ``tier`` or outcomes a ``fragile`` flag,
  the counts by tier and the fragile verdicts (buttons that filter too);
- a table of every (claim, instance) pair that sorts (click a column head) and filters (a text
  box, a verdict choice, mismatches only), in a few lines of inline JavaScript; the state of the
  filter can be given in the address (``report.html#q=stochastic&verdict=violated&sort=seconds``,
  ``&tier=core``, ``&fragile=1``;
  ``&open=1`` opens the evidence of every pair shown), so a filtered view can be shared;
- for every pair, its evidence (bound, source, reason, window, floor, fits with intervals, the
  typed evidence of its design) and its figure (:mod:`convlab.plots`) embedded as a PNG data
  URI.

Nothing is loaded from elsewhere (no CDN, no external style sheet or script, no web font), so the
file opens offline and can be archived or mailed as it is.
"""

from __future__ import annotations

import base64
import html
import json
from collections import Counter
from pathlib import Path
from typing import Any, Callable, Mapping

from .outcomes import Outcome
from .report import (SCHEMA_VERSION, VERDICTS, fragile_of, result_record, summary_line,
                     tier_of, versions)
from .verify import Report

_STYLE = """
:root { --fg: #1d1d1f; --muted: #5f6368; --line: #d9d9de; --bg2: #f6f6f8;
  --violated: #b3261e; --tight: #1b6e3a; --consistent: #0b57a0; --inconclusive: #8a5a00;
  --diverged: #7b1fa2; --error: #5f6368; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg);
  margin: 0 auto; max-width: 1400px; padding: 0 1.2rem 3rem; }
h1 { font-size: 1.5rem; margin: 1.2rem 0 .3rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
.meta { color: var(--muted); font-size: .85rem; }
.banner { background: #fff4ce; border: 1px solid #e0c060; padding: .5rem .8rem; margin: .8rem 0;
  font-weight: 600; }
.cards { display: flex; flex-wrap: wrap; gap: .5rem; margin: .6rem 0; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: .35rem .7rem; background: #fff;
  font: inherit; cursor: pointer; text-align: left; }
.card b { font-size: 1.2rem; display: block; }
.card[aria-pressed="true"] { outline: 2px solid var(--fg); }
.v-violated { color: var(--violated); } .v-tight { color: var(--tight); }
.v-consistent { color: var(--consistent); } .v-inconclusive { color: var(--inconclusive); }
.v-diverged { color: var(--diverged); } .v-error { color: var(--error); }
.controls { display: flex; flex-wrap: wrap; gap: .8rem; align-items: center; margin: .6rem 0;
  position: sticky; top: 0; background: #fff; padding: .4rem 0; z-index: 2; }
.controls input[type=search] { min-width: 22rem; padding: .3rem .5rem; font: inherit; }
table.results { border-collapse: collapse; width: 100%; font-size: .85rem; }
table.results th, table.results td { border-bottom: 1px solid var(--line); padding: .25rem .45rem;
  text-align: left; vertical-align: top; }
table.results th { background: var(--bg2); cursor: pointer; user-select: none; white-space: nowrap;
  position: sticky; top: 2.6rem; }
table.results th[aria-sort=ascending]::after { content: " \\25B2"; }
table.results th[aria-sort=descending]::after { content: " \\25BC"; }
table.results td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.mismatch td { background: #fdecea; }
td.evidence { max-width: 42rem; }
details.pair { border: 1px solid var(--line); border-radius: 6px; margin: .5rem 0;
  padding: .3rem .8rem; }
details.pair[open] { background: #fcfcfd; }
details.pair summary { cursor: pointer; font-weight: 600; }
.pair-body { display: flex; flex-wrap: wrap; gap: 1.2rem; align-items: flex-start; }
.pair-body dl { display: grid; grid-template-columns: max-content minmax(16rem, 44rem);
  gap: .15rem .8rem;
  margin: .6rem 0; font-size: .85rem; }
.pair-body dt { color: var(--muted); } .pair-body dd { margin: 0; overflow-wrap: anywhere; }
.pair-body img { max-width: 100%; height: auto; border: 1px solid var(--line); }
code { font-size: .85em; background: var(--bg2); padding: 0 .2em; }
"""

_SCRIPT = """
(function () {
  const table = document.getElementById('results-table');
  const body = table.tBodies[0];
  const rows = Array.from(body.rows);
  const query = document.getElementById('filter');
  const verdict = document.getElementById('verdict-filter');
  const mismatch = document.getElementById('mismatch-only');
  const count = document.getElementById('shown-count');
  let sortKey = null, sortDir = 1;
  const facets = {};  // tier or fragile: one chosen value each (a summary card pressed)
  function apply() {
    const words = query.value.toLowerCase().split(/\\s+/).filter(Boolean);
    let shown = 0;
    for (const row of rows) {
      const text = row.dataset.search;
      const ok = words.every(w => text.includes(w))
        && (!verdict.value || row.dataset.verdict === verdict.value)
        && (!mismatch.checked || row.dataset.matched === '0')
        && Object.entries(facets).every(([k, v]) => row.dataset[k] === v);
      row.hidden = !ok;
      const pair = document.getElementById('pair-' + row.id.slice(4));
      if (pair) pair.hidden = !ok;
      if (ok) shown++;
    }
    count.textContent = shown + ' of ' + rows.length + ' pairs shown';
    document.body.dataset.shown = String(shown);
    for (const card of document.querySelectorAll('.card[data-verdict]')) {
      card.setAttribute('aria-pressed', String(card.dataset.verdict === verdict.value));
    }
    for (const card of document.querySelectorAll('.card[data-facet]')) {
      card.setAttribute('aria-pressed', String(facets[card.dataset.facet] === card.dataset.value));
    }
  }
  function sortBy(th) {
    const key = th.dataset.key, numeric = th.dataset.type === 'number';
    sortDir = sortKey === key ? -sortDir : 1;
    sortKey = key;
    const index = th.cellIndex;
    const value = r => numeric ? parseFloat(r.cells[index].dataset.value || 'NaN')
                               : r.cells[index].textContent.toLowerCase();
    rows.sort((a, b) => {
      const x = value(a), y = value(b);
      if (numeric) { return ((isNaN(x) ? Infinity : x) - (isNaN(y) ? Infinity : y)) * sortDir; }
      return x < y ? -sortDir : x > y ? sortDir : 0;
    });
    for (const row of rows) body.appendChild(row);
    for (const h of table.tHead.rows[0].cells) h.removeAttribute('aria-sort');
    th.setAttribute('aria-sort', sortDir > 0 ? 'ascending' : 'descending');
  }
  for (const th of table.tHead.rows[0].cells) {
    th.addEventListener('click', () => sortBy(th));
  }
  query.addEventListener('input', apply);
  verdict.addEventListener('change', apply);
  mismatch.addEventListener('change', apply);
  for (const card of document.querySelectorAll('.card[data-verdict]')) {
    card.addEventListener('click', () => {
      verdict.value = verdict.value === card.dataset.verdict ? '' : card.dataset.verdict;
      apply();
    });
  }
  for (const card of document.querySelectorAll('.card[data-facet]')) {
    card.addEventListener('click', () => {
      const k = card.dataset.facet;
      if (facets[k] === card.dataset.value) delete facets[k]; else facets[k] = card.dataset.value;
      apply();
    });
  }
  function openPair() {
    const id = location.hash.slice(1);
    const target = id.startsWith('pair-') && document.getElementById(id);
    if (target) { target.hidden = false; target.open = true; target.scrollIntoView(); }
  }
  window.addEventListener('hashchange', openPair);
  // state from the address: #q=TEXT&verdict=NAME&mismatch=1&tier=T&fragile=1&sort=KEY&desc=1
  // &open=1
  const hash = location.hash.slice(1);
  const state = new URLSearchParams(hash.startsWith('pair-') ? '' : hash);
  if (state.has('q')) query.value = state.get('q');
  if (state.has('verdict')) verdict.value = state.get('verdict');
  if (state.get('mismatch') === '1') mismatch.checked = true;
  for (const k of ['tier', 'fragile']) { if (state.has(k)) facets[k] = state.get(k); }
  if (state.has('sort')) {
    const th = table.querySelector('th[data-key="' + state.get('sort') + '"]');
    if (th) { sortBy(th); if (state.get('desc') === '1') sortBy(th); }
  }
  apply();
  if (state.get('open') === '1') {
    for (const pair of document.querySelectorAll('details.pair')) {
      if (!pair.hidden) pair.open = true;
    }
  }
  openPair();
})();
"""

#: Columns of the results table: (key, heading, numeric).
COLUMNS = (("claim", "claim", False), ("instance", "instance", False),
           ("design", "design", False), ("kind", "kind", False), ("verdict", "verdict", False),
           ("expected", "expected", False), ("seconds", "seconds", True),
           ("evidence", "evidence", False))


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _fmt(value: Any) -> str:
    """A value of the evidence as short text."""
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, list):
        if len(value) > 8:
            return "[" + ", ".join(_fmt(v) for v in value[:4]) + f", … ({len(value)} values)]"
        return "[" + ", ".join(_fmt(v) for v in value) + "]"
    if isinstance(value, dict):
        return ", ".join(f"{k} {_fmt(v)}" for k, v in value.items())
    if value is None:
        return "–"
    return str(value)


def _fit_text(fit: Mapping[str, Any] | None) -> str | None:
    if not fit:
        return None
    return (f"{_fmt(fit.get('value'))}, 95 % interval [{_fmt(fit.get('low'))}, "
            f"{_fmt(fit.get('high'))}] ({fit.get('points')} points)")


def _evidence_rows(o: Outcome, record: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(label, text) pairs of a pair's evidence, most telling first."""
    c = o.claim
    rows = [("claim", c.id), ("source", c.source), ("algorithm",
            f"{c.algorithm} ({_fmt(record['params']) or 'default parameters'})"),
            ("instance", f"{o.instance}: {_fmt(record['instance_params'])}"),
            ("measure", f"{c.measure} ({c.iterate} iterate)"),
            ("bound", f"{c.kind}: {c.bound}"), ("design", o.design),
            ("verdict", f"{o.verdict} (expected {o.expected})"), ("reason", o.reason)]
    if o.problem_text:
        rows.append(("error", o.problem_text))
    for name in ("tier", "fragile"):
        if name in record:
            rows.append((name, _fmt(record[name])))
    for key, value in record.get("evidence", {}).items():
        rows.append((key.replace("_", " "), _fmt(value)))
    for key, fit in record.get("fits", {}).items():
        text = _fit_text(fit)
        if text:
            rows.append((key.replace("_", " "), text))
    for name in ("seeds", "stability", "scaling"):
        part = record.get(name)
        if part:
            shown = {k: v for k, v in part.items() if k not in ("probes", "counts")}
            rows.append((name, _fmt(shown)))
    if record.get("diverged_at") is not None:
        rows.append(("diverged at", _fmt(record["diverged_at"])))
    constants = {k: v for k, v in record.get("constants", {}).items()}
    if constants:
        rows.append(("constants", _fmt(constants)))
    rows.append(("run", f"{o.seconds:.3g} s of compute, {o.plans} plan(s), {o.runs} run(s)"
                 + (", read from the results store" if o.from_store else "")))
    return rows


def _figure(o: Outcome, data: bytes | str | None) -> str:
    if isinstance(data, str):
        return f'<p class="meta">figure not drawn: {_e(data)}</p>'
    if not data:
        return '<p class="meta">no figure (no curve)</p>'
    uri = "data:image/png;base64," + base64.b64encode(data).decode("ascii")
    return f'<img src="{uri}" alt="{_e(f"figure of {o.claim.id} on {o.instance}")}">'


def default_figure(o: Outcome) -> bytes | None:
    """A pair's figure as PNG bytes (:func:`convlab.plots.figure_bytes`, 100 dpi)."""
    from .plots import figure_bytes

    return figure_bytes(o, "png", dpi=100)


def _draw_one(args) -> bytes | str | None:
    draw, o = args
    try:
        return draw(o)
    except Exception as exc:  # a figure never stops a report
        return f"{type(exc).__name__}: {exc}"


def draw_figures(outcomes: list[Outcome], draw: Callable[[Outcome], bytes | None], *,
                 jobs: int = 1, progress: Callable[[Outcome], None] | None = None
                 ) -> list[bytes | str | None]:
    """Every outcome's figure (bytes, None without a curve, or the text of a failure), on
    ``jobs`` forked processes; ``progress`` is called after each."""
    results: list[bytes | str | None] = [None] * len(outcomes)
    if jobs > 1 and len(outcomes) > 1 and hasattr(__import__("os"), "fork"):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot  # noqa: F401  (loaded once, before the workers fork)

        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            for i, data in enumerate(pool.map(_draw_one, [(draw, o) for o in outcomes],
                                              chunksize=4)):
                results[i] = data
                if progress is not None:
                    progress(outcomes[i])
        return results
    for i, o in enumerate(outcomes):
        results[i] = _draw_one((draw, o))
        if progress is not None:
            progress(o)
    return results


def to_html(report: Report, *, figures: bool = True,
            figure: Callable[[Outcome], bytes | None] | None = None, jobs: int = 1,
            progress: Callable[[Outcome], None] | None = None) -> str:
    """The HTML report as text (see the module docstring).

    Parameters
    ----------
    report
        The outcomes of a verify run.
    figures
        Embed one figure per pair (False: evidence only, much faster for a large catalog).
    figure
        The function that renders a pair's figure as PNG bytes (default:
        :func:`default_figure`).
    jobs
        Processes that draw the figures (about 0.5 s per figure each).
    progress
        Called after each figure is drawn.
    """
    outcomes = report.outcomes
    records = [result_record(o) for o in outcomes]
    drawn = (draw_figures(outcomes, figure or default_figure, jobs=jobs, progress=progress)
             if figures else [""] * len(outcomes))
    counts = Counter(o.verdict for o in outcomes)
    matched = sum(o.matched for o in outcomes)
    vers = versions()
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<title>convlab report: {matched}/{len(outcomes)} as expected</title>",
             f"<style>{_STYLE}</style></head><body>",
             f'<header><h1>convlab verify report</h1><p class="meta">'
             f"{_e(summary_line(report))}<br>"
             + _e(", ".join(f"{k} {v}" for k, v in vers.items()))
             + f"; report schema {SCHEMA_VERSION}</p>"]
    if report.overrides:
        parts.append('<p class="banner" id="quick-look">Quick look: '
                     + _e(", ".join(f"--{k.replace('_', '-')} {v}" for k, v in report.overrides.items()))
                     + " — not the claims' own seeds and iterations; verdicts may differ from "
                       "a full run.</p>")
    if report.input_errors:
        parts.append('<section id="input-errors"><h2>Input errors</h2><ul>'
                     + "".join(f"<li>{_e(e)}</li>" for e in report.input_errors)
                     + "</ul></section>")
    parts.append("</header>")
    # summary
    parts.append('<section id="summary"><h2>Summary</h2><div class="cards" id="by-verdict">')
    parts.append(f'<div class="card" id="matched"><b>{matched}/{len(outcomes)}</b>'
                 f"as expected</div>")
    for v in VERDICTS:
        if counts.get(v):
            parts.append(f'<button type="button" class="card v-{v}" data-verdict="{v}" '
                         f'aria-pressed="false"><b>{counts[v]}</b>{v}</button>')
    parts.append("</div>")
    tiers = Counter(t for o in outcomes if (t := tier_of(o)) is not None)
    if tiers:
        parts.append('<div class="cards" id="by-tier">' + "".join(
            f'<button type="button" class="card" data-facet="tier" data-value="{_e(t)}" '
            f'aria-pressed="false"><b>{n}</b>tier {_e(t)}</button>'
            for t, n in sorted(tiers.items())) + "</div>")
    fragile = [f for o in outcomes if (f := fragile_of(o)) is not None]
    if fragile:
        parts.append(f'<div class="cards" id="fragility"><button type="button" class="card" '
                     f'data-facet="fragile" data-value="1" aria-pressed="false">'
                     f"<b>{sum(fragile)}</b>fragile (flips when the design is thinned)"
                     f"</button></div>")
    parts.append("</section>")
    # the table
    parts.append('<section id="results"><h2>Results</h2><div class="controls">'
                 '<input type="search" id="filter" placeholder="filter: words in any column" '
                 'aria-label="filter the table">'
                 '<select id="verdict-filter" aria-label="verdict"><option value="">every '
                 "verdict</option>"
                 + "".join(f'<option value="{v}">{v}</option>' for v in VERDICTS if counts.get(v))
                 + '</select><label><input type="checkbox" id="mismatch-only"> mismatches only'
                   '</label><span id="shown-count" class="meta"></span></div>')
    parts.append('<table class="results" id="results-table"><thead><tr>'
                 + "".join(f'<th data-key="{k}" data-type="{"number" if num else "text"}" '
                           f'scope="col">{_e(h)}</th>' for k, h, num in COLUMNS)
                 + "</tr></thead><tbody>")
    for i, o in enumerate(outcomes):
        tier, frag = tier_of(o), fragile_of(o)
        evidence = o.problem_text or o.reason
        search = " ".join(str(x) for x in (o.claim.id, o.instance, o.design, o.claim.kind,
                                           o.verdict, o.expected, o.claim.algorithm,
                                           o.claim.source, o.claim.problem_class, evidence,
                                           tier or "", "fragile" if frag else "")).lower()
        parts.append(
            f'<tr id="row-{i}" data-verdict="{_e(o.verdict)}" data-matched="{int(o.matched)}"'
            + (f' data-tier="{_e(tier)}"' if tier is not None else "")
            + (f' data-fragile="{int(frag)}"' if frag is not None else "")
            + f' data-search="{_e(search)}"' + (' class="mismatch"' if not o.matched else "")
            + f'><td><a href="#pair-{i}">{_e(o.claim.id)}</a></td><td>{_e(o.instance)}</td>'
            f"<td>{_e(o.design)}</td><td>{_e(o.claim.kind)}</td>"
            f'<td class="v-{_e(o.verdict)}">{_e(o.verdict)}{" !" if not o.matched else ""}'
            + (" (fragile)" if frag else "") + "</td>"
            f"<td>{_e(o.expected)}</td>"
            f'<td class="num" data-value="{o.seconds:.6g}">{o.seconds:.3g}</td>'
            f'<td class="evidence">{_e(evidence)}</td></tr>')
    parts.append("</tbody></table></section>")
    # every pair
    parts.append('<section id="pairs"><h2>Evidence and figures</h2>')
    for i, (o, record) in enumerate(zip(outcomes, records)):
        rows = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in _evidence_rows(o, record))
        parts.append(
            f'<details class="pair" id="pair-{i}" data-verdict="{_e(o.verdict)}"><summary>'
            f'{_e(o.claim.id)} on {_e(o.instance)}: <span class="v-{_e(o.verdict)}">'
            f"{_e(o.verdict)}</span>{' (expected ' + _e(o.expected) + ')' if not o.matched else ''}"
            f'</summary><div class="pair-body"><dl>{rows}</dl>'
            f'{_figure(o, drawn[i]) if figures else ""}</div></details>')
    parts.append("</section>")
    data = {"schema_version": SCHEMA_VERSION, "pairs": len(outcomes), "matched": matched,
            "by_verdict": dict(counts)}
    parts.append('<script type="application/json" id="report-summary">'
                 + json.dumps(data).replace("</", "<\\/") + "</script>")
    parts.append(f"<script>{_SCRIPT}</script></body></html>")
    return "\n".join(parts) + "\n"


def write_html(report: Report, path: str | Path, **options: Any) -> Path:
    """Write :func:`to_html` to ``path`` (atomically); returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(to_html(report, **options), encoding="utf-8")
    tmp.replace(path)
    return path
