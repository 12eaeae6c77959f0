"""Falsify a catalog: search every claim of some files or folders that has a ``search`` table.

``convlab falsify rates/`` runs :func:`convlab.falsify.falsify` on each claim of the catalog
whose ``search`` table widens its first instance to its class, one claim after the other, each
within a budget of CPU time (``time_limit``, default :data:`DEFAULT_TIME_LIMIT` seconds), and
reports one :class:`ClaimSearch` per claim: the worst ratio e_k/B(k) found, where, and whether a
counterexample was found and confirmed by an ordinary run.

The candidates are the claims a search can contradict: an explicit bound (an ``O(·)`` bound has
no constant to exceed), ``kind`` upper or tight, in the anytime or horizon design. A candidate
without a ``search`` table is listed as not searched, with the reason (a stochastic algorithm:
the search runs one seed and a statistic over seeds is not a single run; otherwise the claim
file says why in a comment next to the claim).

The outcome of a searched claim depends on what the claim expects on the instance it widens:

======================= ========================================================================
``held``                no member above the bound was found (the claim is expected to hold)
``falsified``           a member above the bound, confirmed by an ordinary run: a finding
``falsified-control``   a negative control (expected violated or diverged) falsified, as expected
``missed-control``      a negative control the search did not falsify within its budget
``unconfirmed``         the compiled batch saw a ratio above 1 + rtol that the ordinary run
                        (:func:`convlab.run` and the checker) does not confirm
``error``               the search failed (an internal error; bad input is reported as such)
======================= ========================================================================

:func:`to_markdown` renders the result as a section of ``docs/catalog.md``
(:func:`convlab.report.write_section` writes it there; ``convlab verify --markdown`` keeps it).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping, Sequence

from .claims import CONTROLS, Claim
from .errors import InputError
from .falsify import FalsifyResult, falsify
from .rates.expressions import is_order, parse_expression

#: CPU seconds one claim's search may take in a catalog run (the whole catalog then stays
#: within a few minutes: most searches end well before it).
DEFAULT_TIME_LIMIT = 10.0

#: The name of the generated section in ``docs/catalog.md``.
SECTION = "falsify"

#: Outcomes of a searched claim, in the order summaries list them.
STATUSES = ("falsified", "missed-control", "error", "unconfirmed", "falsified-control", "held")

#: Outcomes that make ``convlab falsify`` exit with 1: a finding, a control the search missed,
#: an internal error.
FAILING = ("falsified", "missed-control", "error")


def is_candidate(claim: Claim) -> bool:
    """Whether a search can contradict ``claim``: an explicit upper or tight bound in the
    anytime or horizon design."""
    if claim.kind not in ("upper", "tight") or claim.design not in ("anytime", "horizon"):
        return False
    try:
        return not is_order(parse_expression(claim.bound, allow_order=True))
    except InputError:
        return False


def is_control(claim: Claim) -> bool:
    """Whether ``claim`` is a negative control on the instance its search widens (declared by
    ``control``, or expected violated or diverged there)."""
    if claim.control:
        return True
    first = claim.instances[0].name
    return claim.expected.get(first) in CONTROLS["negative"]


def not_searched_reason(claim: Claim) -> str:
    """Why a candidate without a ``search`` table is not searched."""
    from .algorithms.registry import get_algorithm

    try:
        alg = get_algorithm(claim.algorithm)
    except InputError:
        return "no search table"
    if alg.stochastic or claim.seeds > 1:
        return (f"stochastic algorithm '{claim.algorithm}' (one run of a member says nothing "
                f"about a statistic over seeds)")
    return "no search table (the claim file says why)"


@dataclass(frozen=True)
class ClaimSearch:
    """One claim of a catalog run.

    Attributes
    ----------
    claim
        The claim.
    status
        One of :data:`STATUSES`, or ``"not-searched"``.
    result
        The search's result (None when not searched or on an error).
    reason
        Why the claim was not searched, or the error.
    """

    claim: Claim
    status: str
    result: FalsifyResult | None = None
    reason: str = ""

    @property
    def control(self) -> bool:
        """Whether the claim is a negative control (:func:`is_control`)."""
        return is_control(self.claim)

    @property
    def search_text(self) -> str:
        """The class or family searched, e.g. ``class smooth-convex (pieces=3, d=1)`` or
        ``box of quadratic: d, mu, seed``."""
        space = dict(self.claim.search or {})
        if "class" in space:
            name = space.pop("class")
            size = ", ".join(f"{k}={_value(v)}" for k, v in space.items())
            return f"class {name}" + (f" ({size})" if size else "")
        return f"box of {self.claim.instances[0].family}: {', '.join(space)}"

    @property
    def where(self) -> str:
        """Where the reported ratio is: ``k=...`` (anytime) or ``N=...`` (horizon)."""
        r = self.result
        if r is None or r.at is None or not math.isfinite(r.at):
            return ""
        return f"{'N' if self.claim.design == 'horizon' else 'k'}={r.at:g}"

    @property
    def member(self) -> str:
        """The reported instance: the class member's θ, or the box's parameters."""
        r = self.result
        if r is None:
            return ""
        if r.search == "class":
            if r.theta is None:
                return ""
            return "theta = [" + ", ".join(f"{v:.6g}" for v in r.theta) + "]"
        return ", ".join(f"{k}={_value(v)}" for k, v in r.params.items())

    @property
    def location(self) -> str:
        """Where the reported ratio is and on which instance: ``N=10 on d=3, mu=0.01`` for a
        box; for a class, the member's θ when it is a counterexample (its θ is long: ``convlab
        falsify FILE --claim ID`` prints it with the recipe that rebuilds the member)."""
        r = self.result
        if r is None:
            return ""
        shown = r.search == "box" or self.status in ("falsified", "falsified-control",
                                                       "unconfirmed")
        member = self.member if shown else ""
        return " on ".join(part for part in (self.where, member) if part)

    def line(self) -> str:
        """The claim's line of the report (a counterexample found by a class search and its
        confirmation by an ordinary run follow on indented lines)."""
        cid = self.claim.id
        if self.status == "not-searched":
            return f"{'not searched':<17} {cid}: {self.reason}"
        if self.status == "error":
            return f"{'error':<17} {cid}: {self.reason}"
        r = self.result
        at = f" at {self.where}" if self.where else ""
        box = f" on {self.member}" if r.search == "box" and self.member else ""
        head = (f"{self.status:<17} {cid}: worst ratio {ratio_text(r.ratio)}{at}{box}; "
                f"{self.search_text}; {r.evaluations} evaluated, {r.seconds:.1f} s CPU")
        if r.search == "class" and self.status in ("falsified", "falsified-control",
                                                   "unconfirmed"):
            head += f"\n{'':<18}{self.member}"
        if r.confirmation and self.status != "held":
            head += f"\n{'':<18}ordinary run: {r.confirmation}"
        return head


def ratio_text(value: float) -> str:
    """A ratio to the bound with the digits that tell it from 1."""
    if not math.isfinite(value):
        return "inf" if value > 0 else "none"
    return f"{value:.10g}" if abs(value - 1) < 1e-3 else f"{value:.6g}"


def _value(v) -> str:
    if isinstance(v, float):
        return f"{v:.6g}"
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


@dataclass(frozen=True)
class CatalogFalsification:
    """The searches of a catalog run (see the module docstring).

    Attributes
    ----------
    searches
        One :class:`ClaimSearch` per candidate claim, in file order.
    input_errors
        Files or claims that do not load, and search tables that are not valid.
    others
        Claims that are not candidates (an O(·) bound, a lower bound, a scaling or stability
        design).
    seconds, cpu_seconds
        Wall-clock and CPU time of the run.
    time_limit, seed
        The budget per claim (CPU seconds, None: none) and the seed of every search.
    counts
        Claims per outcome.
    """

    searches: tuple[ClaimSearch, ...]
    input_errors: tuple[InputError, ...] = ()
    others: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    time_limit: float | None = DEFAULT_TIME_LIMIT
    seed: int = 0
    counts: Mapping[str, int] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        """2 on bad input, 1 when a claim is falsified (a finding), a control is missed or a
        search fails, 0 otherwise."""
        if self.input_errors:
            return 2
        return 1 if any(s.status in FAILING for s in self.searches) else 0

    def summary_line(self) -> str:
        """``falsify: 60 claims searched in 150 s (CPU 95 s): 58 held, 1 falsified, ...``."""
        searched = [s for s in self.searches if s.status != "not-searched"]
        parts = [f"{self.counts.get(status, 0)} {status}" for status in STATUSES
                 if self.counts.get(status, 0)]
        skipped = len(self.searches) - len(searched)
        line = (f"falsify: {len(searched)} claims searched in {self.seconds:.0f} s (CPU "
                f"{self.cpu_seconds:.0f} s; at most {_limit(self.time_limit)} each)"
                + (": " + ", ".join(parts) if parts else ""))
        if skipped:
            line += f"; {skipped} not searched"
        if self.input_errors:
            line += f"; {len(self.input_errors)} input errors"
        return line


def _limit(time_limit: float | None) -> str:
    return "no limit" if time_limit is None else f"{time_limit:g} s CPU"


def _status(claim: Claim, result: FalsifyResult) -> str:
    control = is_control(claim)
    if result.falsified:
        return "falsified-control" if control else "falsified"
    if control:
        return "missed-control"
    if result.ratio > 1 + claim.rtol:
        return "unconfirmed"
    return "held"


def search_claim(claim: Claim, *, instances: int | None = None, seed: int = 0,
                 starts: int = 3, population: int = 256,
                 time_limit: float | None = DEFAULT_TIME_LIMIT) -> ClaimSearch:
    """Search one candidate claim with its ``search`` table (an :class:`InputError` on a table
    that is not valid, located at the claim)."""
    if not claim.search:
        return ClaimSearch(claim, "not-searched", reason=not_searched_reason(claim))
    try:
        result = falsify(claim, instances=instances, seed=seed, starts=starts,
                         population=population, time_limit=time_limit)
    except InputError as exc:
        raise exc.located(file=claim.file, claim=claim.id) from None
    except Exception as exc:  # a bug, not bad input: reported, the other claims still run
        return ClaimSearch(claim, "error", reason=f"{type(exc).__name__}: {exc}")
    return ClaimSearch(claim, _status(claim, result), result)


def falsify_catalog(paths: Sequence[str | Path], *, claims: Sequence[str] | None = None,
                    problems: str | Path | None = None, instances: int | None = None,
                    seed: int = 0, starts: int = 3, population: int = 256,
                    time_limit: float | None = DEFAULT_TIME_LIMIT,
                    progress: Callable[[ClaimSearch], None] | None = None
                    ) -> CatalogFalsification:
    """Search every candidate claim under ``paths`` that has a ``search`` table.

    Parameters
    ----------
    paths
        Claim files or folders of them.
    claims
        Only claims whose id matches one of these shell globs.
    problems
        Folder of named instances (default: the one nearest each claim file).
    instances, seed, starts, population
        As for :func:`convlab.falsify.falsify`, for every claim.
    time_limit
        CPU seconds each claim's search may take (None: no limit).
    progress
        Called with each claim's :class:`ClaimSearch` as soon as it is known.
    """
    from .verify import load_claims, select_claims

    wall, cpu = time.perf_counter(), time.process_time()
    found, errors = load_claims(paths, problems)
    errors = list(errors)
    if claims:
        try:
            found = select_claims(found, claims)
        except InputError as exc:
            errors.append(exc)
            found = []
    candidates = [c for c in found if is_candidate(c)]
    others = len(found) - len(candidates)
    searches = []
    for claim in found:
        if not is_candidate(claim):
            if claim.search:  # a table the search cannot use: bad input
                errors.append(InputError("a search table needs an explicit upper or tight bound "
                                         "in the anytime or horizon design", file=claim.file,
                                         claim=claim.id, field="search"))
            continue
        try:
            entry = search_claim(claim, instances=instances, seed=seed, starts=starts,
                                 population=population, time_limit=time_limit)
        except InputError as exc:
            errors.append(exc)
            entry = ClaimSearch(claim, "error", reason=str(exc))
        searches.append(entry)
        if progress is not None:
            progress(entry)
    counts: dict[str, int] = {}
    for s in searches:
        counts[s.status] = counts.get(s.status, 0) + 1
    return CatalogFalsification(tuple(searches), tuple(errors), others,
                                time.perf_counter() - wall, time.process_time() - cpu,
                                time_limit, seed, counts)


def to_markdown(catalog: CatalogFalsification, *, command: str = "convlab falsify rates/ "
                "--markdown docs/catalog.md") -> str:
    """The falsification section of the catalog summary: one row per searched claim, then the
    claims not searched with the reason."""
    def cell(text: str) -> str:
        return str(text).replace("|", "\\|").replace("\n", " ")

    lines = [
        "## Falsification: each claim's class searched for a counterexample",
        "",
        f"Generated by `{command}`; do not edit by hand. Each claim's `search` table widens "
        "its first instance to its class ([falsify.md](falsify.md)); the search reports the "
        "worst ratio e/B it found and where (a `falsified` claim: a member above the bound, "
        "confirmed by an ordinary run).",
        "",
        catalog.summary_line().removeprefix("falsify: ") + f" (seed {catalog.seed}).",
        "",
        "| claim | searched | worst ratio | where | outcome | members | CPU s |",
        "|---|---|---:|---|---|---:|---:|",
    ]
    skipped = []
    for s in catalog.searches:
        if s.status == "not-searched":
            skipped.append(s)
            continue
        r = s.result
        outcome = s.status if s.status not in FAILING else f"**{s.status}**"
        if s.status == "error":
            lines.append("| " + " | ".join(cell(x) for x in (
                f"`{s.claim.id}`", s.search_text, "", "", outcome, "", "")) + " |")
            continue
        lines.append("| " + " | ".join(cell(x) for x in (
            f"`{s.claim.id}`", s.search_text, ratio_text(r.ratio), s.location, outcome,
            r.evaluations, f"{r.seconds:.1f}")) + " |")
    if skipped:
        lines += ["", f"Not searched ({len(skipped)}):", ""]
        reasons: dict[str, list[str]] = {}
        for s in skipped:
            reasons.setdefault(s.reason, []).append(f"`{s.claim.id}`")
        for reason, ids in reasons.items():
            lines.append(f"- {reason}: {', '.join(ids)}")
    return "\n".join(lines) + "\n"


def write_markdown(catalog: CatalogFalsification, path: str | Path) -> None:
    """Write :func:`to_markdown` as the ``falsify`` section of the Markdown file ``path``
    (replacing the section, or appending it; the rest of the file is kept)."""
    from .report import write_section

    write_section(path, SECTION, to_markdown(catalog))
