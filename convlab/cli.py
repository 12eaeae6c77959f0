"""Command line: ``convlab verify PATH...``, ``convlab list PATH...``, ``convlab algorithms``,
``convlab families``, ``convlab catalog`` (where the installed catalog is), ...

Every command takes ``--plugin MODULE`` (repeatable) and loads, before anything else, the
plugins of :mod:`convlab.plugins`: installed entry points, ``[tool.convlab] plugins`` in the
working directory's ``pyproject.toml``, and the ``--plugin`` modules.

Exit codes: 0 every verdict as expected, 1 some verdict differs, 2 bad input (one line per
problem on stderr naming the file, the claim and the field; no traceback).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .errors import InputError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="convlab", description="Check convergence theorems against numba-compiled kernels.")
    parser.add_argument("--version", action="version", version=f"convlab {_version()}")
    sub = parser.add_subparsers(dest="command", required=True)
    v = sub.add_parser("verify", help="run claims and compare verdicts with their expectations")
    v.add_argument("paths", nargs="+", metavar="PATH", help="claim files or folders of them")
    v.add_argument("--claim", action="append", metavar="ID", dest="claims",
                   help="only claims whose id matches ID (a glob such as 'gd-*'; repeatable)")
    v.add_argument("--seeds", type=_positive, metavar="N",
                   help="quick look: N seeds for every claim over seeds (no escalation); "
                        "marked in the report, stored apart from full results")
    v.add_argument("--iterations", type=_positive, metavar="N",
                   help="quick look: N iterations (horizons up to N); marked in the report, "
                        "stored apart from full results")
    v.add_argument("--seed-start", type=_positive, metavar="N",
                   help="start every claim over more seeds at N seeds and double them while "
                        "inconclusive, up to its seeds (alpha spending over the looks); "
                        "marked in the report, stored apart from full results")
    v.add_argument("--format", choices=("table", "markdown", "json", "csv"), default="table",
                   help="what to print on stdout (default: %(default)s)")
    v.add_argument("--json", metavar="FILE", help="write a JSON report to FILE "
                   "(docs/report-schema.md)")
    v.add_argument("--html", metavar="FILE", help="write a self-contained HTML report to FILE "
                   "(summary, a table that sorts and filters, every pair's evidence and figure)")
    v.add_argument("--curves", metavar="FILE", help="write every curve in tidy form to FILE "
                   "(.csv, or .parquet with pyarrow installed)")
    v.add_argument("--plot", metavar="DIR", help="draw one figure per claim and instance into DIR")
    v.add_argument("--problems", metavar="DIR",
                   help="folder of named instances (default: problems/ nearest each claim file)")
    v.add_argument("--markdown", metavar="FILE",
                   help="write the catalog summary (claim, source, verdict, evidence) to FILE")
    v.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1, metavar="N",
                   help="worker processes (default: the number of CPUs)")
    v.add_argument("--store", metavar="FILE", default=".convlab-cache/results.sqlite",
                   help="results store: finished results are reused and new ones saved "
                        "(default: %(default)s)")
    v.add_argument("--no-cache", action="store_true", help="neither read nor write the store")
    v.add_argument("--executor", choices=("local", "dask"), default="local",
                   help="local worker processes (default) or a dask.distributed cluster")
    v.add_argument("--scheduler", metavar="ADDRESS", help="dask scheduler address (default: "
                   "a local cluster of --jobs workers)")
    v.add_argument("--force", action="store_true", help="recompute every result, then store it")
    v.add_argument("--max-memory", metavar="SIZE", default=None,
                   help="memory one claim and instance may use, e.g. 8G or 512MiB (default: "
                        "half of this machine's memory); a claim estimated over it is refused "
                        "before anything is built")
    v.add_argument("--max-iterations", metavar="N", type=_count, default=None,
                   help="iterations x seeds one claim and instance may plan (default: 1e9); a "
                        "claim estimated over it is refused before it runs")
    v.add_argument("-q", "--quiet", action="store_true", help="print only the summary line")
    v.add_argument("--no-progress", action="store_true",
                   help="no progress lines on stderr (a terminal: one status line; elsewhere "
                        "a line every 10 s)")
    ls = sub.add_parser("list", help="list the claims of files or folders")
    ls.add_argument("paths", nargs="+", metavar="PATH")
    ls.add_argument("--problems", metavar="DIR", help="folder of named instances")
    for name, what in (("class", "problem class, e.g. stochastic"),
                       ("algorithm", "algorithm name"), ("kind", "bound type"),
                       ("design", "design (anytime, horizon, scaling, stability)"),
                       ("source", "citation"), ("family", "problem family of an instance")):
        ls.add_argument(f"--{name}", metavar="TEXT", dest=f"filter_{name}",
                        help=f"only claims whose {what} contains TEXT (case-insensitive)")
    f = sub.add_parser("falsify", help="search a claim's problem class for a violating instance "
                       "(one claim in detail, or every claim with a search table of a catalog)")
    f.add_argument("paths", nargs="+", metavar="PATH",
                   help="claim files or folders of them: one claim is searched in detail, "
                   "several (e.g. rates/) one line each")
    f.add_argument("--claim", action="append", metavar="ID", dest="claims",
                   help="only claims whose id matches ID (a glob such as 'gd-*'; repeatable)")
    f.add_argument("--markdown", metavar="FILE",
                   help="write the summary table as the falsify section of FILE (e.g. "
                   "docs/catalog.md; the rest of the file is kept)")
    f.add_argument("--instances", "--budget", dest="instances", default=None,
                   metavar="N", help="instances hypothesis proposes (default: 100 for a box of "
                   "parameters, 20 for a class, whose search goes on with a random population "
                   "and a climb); --budget is the former name")
    f.add_argument("--seed", default="0", help="seed of the search (default 0)")
    f.add_argument("--time-limit", default=None, metavar="SECONDS",
                   help="stop each claim's search after this much CPU time and report the worst "
                   "found (default: none for one claim, 10 s per claim for several)")
    f.add_argument("--starts", default="3", metavar="K",
                   help="class search: members the local optimiser climbs from (default 3)")
    f.add_argument("--population", default="256", metavar="M",
                   help="class search: random members evaluated before the climb (default 256)")
    f.add_argument("--search", metavar="TABLE", default=None,
                   help="the class to search instead of the claim's search table, as an inline "
                   "TOML table, e.g. '{ class = \"smooth-convex\", pieces = 3 }'")
    f.add_argument("--pep", action="store_true",
                   help="instead of searching, compare the bound with PEPit's exact worst case "
                   "at each horizon and run the kernel on a one-dimensional worst case "
                   "(needs the pep extra)")
    f.add_argument("--max-horizon", default="20", metavar="N",
                   help="--pep: largest horizon to solve (an SDP of size about N; default 20)")
    f.add_argument("--problems", metavar="DIR", help="folder of named instances")
    fg = sub.add_parser("figures", help="rebuild paper figures (PNG and PDF)")
    fg.add_argument("names", nargs="*", metavar="NAME", help="figures to build (default: all)")
    fg.add_argument("--folder", default="paper_figures", help="the figures folder with its "
                    "manifest.toml (default: %(default)s)")
    fg.add_argument("--out", default="figures", help="output folder (default: %(default)s)")
    fg.add_argument("--quick", action="store_true", help="tiny budgets (a smoke test)")
    sub.add_parser("algorithms", help="list the registered algorithms and their parameters")
    sub.add_parser("families", help="list the problem families and their parameters")
    cat = sub.add_parser("catalog", help="print where the claims catalog is (convlab verify "
                         "\"$(convlab catalog)\" runs it)")
    cat.add_argument("--problems", action="store_true",
                     help="print where the named instances are instead")
    for command in sub.choices.values():  # plugins on every command
        command.add_argument("--plugin", action="append", default=[], metavar="MODULE",
                             help="load algorithms and families from MODULE (a module name or "
                                  "a .py file; repeatable); see docs/tutorial.md")
    return parser


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("convlab")
    except metadata.PackageNotFoundError:
        from . import __version__

        return __version__


def _count(text: str) -> float:
    """A positive number of iterations, also written 1e9."""
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 1 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``convlab`` console script."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "catalog":
            return _catalog(args)
        from .plugins import load_plugins

        load_plugins(args.plugin)
        if args.command == "verify":
            return _verify(args)
        if args.command == "algorithms":
            return _algorithms()
        if args.command == "falsify":
            return _falsify(args)
        if args.command == "figures":
            return _figures(args)
        if args.command == "families":
            return _families()
        return _list(args)
    except InputError as exc:
        print(f"convlab: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("convlab: interrupted", file=sys.stderr)
        return 130
    except OSError as exc:  # an output file or folder that cannot be written
        where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
        print(f"convlab: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 2



def _emit(text: str) -> None:
    """Print to stdout; a reader that stopped early (``| head``) silences the rest quietly."""
    try:
        print(text, flush=True)
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _verify(args: argparse.Namespace) -> int:
    from .report import format_table, render, write_json
    from .verify import Overrides, verify_paths

    from .limits import DEFAULT_ITERATIONS, Budget, parse_size

    store = None if args.no_cache else args.store
    overrides = Overrides(seeds=args.seeds, iterations=args.iterations,
                          seed_start=args.seed_start)
    budget = Budget(iterations=args.max_iterations or DEFAULT_ITERATIONS)
    if args.max_memory is not None:
        budget = Budget(memory=parse_size(args.max_memory), iterations=budget.iterations)
    progress = None if args.no_progress else _VerifyProgress()
    try:
        report = verify_paths(args.paths, problems=args.problems,
                              progress=progress, jobs=args.jobs, store=store,
                              force=args.force, executor=args.executor,
                              scheduler=args.scheduler, claims=args.claims,
                              overrides=overrides, isolate=True, budget=budget)
    finally:
        if progress is not None:
            progress.close()
    for error in report.input_errors:
        print(f"convlab: error: {error}", file=sys.stderr)
    for outcome in report.outcomes:
        if outcome.problem_text is not None:
            print(f"convlab: error: {outcome.problem_text}", file=sys.stderr)
    if args.format == "table":
        from .progress import terminal_width

        table = format_table(report, width=terminal_width(sys.stdout))
        _emit(table.splitlines()[-1] if args.quiet else table)
    else:
        _emit(render(report, args.format).rstrip("\n"))
    say = _emit if args.format == "table" else (lambda line: print(line, file=sys.stderr))
    if args.json:
        write_json(report, args.json)
        say(f"report written to {args.json}")
    if args.markdown:
        from .report import write_markdown

        write_markdown(report, args.markdown)
        say(f"catalog summary written to {args.markdown}")
    if args.curves:
        from .export import write_curves

        rows = write_curves(report, args.curves)
        say(f"{rows} curve points written to {args.curves}")
    if args.plot:
        from .plots import plot_outcome

        with _steps(len(report.outcomes), "plot", args) as step:
            written = []
            for o in report.outcomes:
                path = plot_outcome(o, args.plot)
                if path is not None:
                    written.append(path)
                step(o)
        say(f"{len(written)} figures written to {Path(args.plot)}")
    if args.html:
        from .html import write_html

        with _steps(len(report.outcomes), "html figures", args) as step:
            write_html(report, args.html, jobs=args.jobs, progress=step)
        say(f"HTML report written to {args.html}")
    return report.exit_code


class _steps:
    """``with _steps(n, label, args) as step:`` progress of n figures (no-op with
    --no-progress)."""

    def __init__(self, total: int, label: str, args: argparse.Namespace) -> None:
        from .progress import Progress

        self.bar = None if args.no_progress else Progress(total, float(total), label=label)

    def __enter__(self):
        def step(outcome=None) -> None:
            if self.bar is not None:
                what = f"{outcome.claim.id} on {outcome.instance}" if outcome is not None else ""
                self.bar.advance(what, 1.0)
        return step

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.close()


class _VerifyProgress:
    """Draws the events of a verify run with :class:`convlab.progress.Progress`; a verdict
    that differs from its expectation is printed as soon as it is known."""

    def __init__(self) -> None:
        self.bar = None

    def __call__(self, event) -> None:
        from .progress import Progress

        if event.kind == "start":
            if event.total == 0:
                return
            self.bar = Progress(
                event.total, event.cost_total, label="verify",
                header=f"verify: {event.total} pairs, {event.reused} from the store, "
                       f"{event.total - event.reused} to compute (" + (
                           f"about {event.cost_total:.3g} s of compute, {event.timed} pairs "
                           "timed by an earlier run)" if event.timed else
                           f"{event.cost_total:.3g} iterations x seeds)"))
            return
        if event.kind == "compile" and self.bar is not None:
            self.bar.show(event.text)
            return
        o = event.outcome
        if self.bar is None or o is None:
            return
        if o.verdict_value is not None and not o.matched:
            self.bar.note(f"  ! {o.claim.id} on {o.instance}: {o.verdict} (expected "
                          f"{o.expected})")
        self.bar.advance(f"{o.claim.id} on {o.instance}: {o.verdict}", event.cost,
                         reused=o.from_store, seconds=o.seconds)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _list(args: argparse.Namespace) -> int:
    from .claims import collect_files, load_file
    from .problems.registry import load_instances
    from .progress import terminal_width

    named = load_instances(args.problems) if args.problems else None
    width = terminal_width(sys.stdout)
    code = 0
    for path in collect_files(args.paths):
        claims, errors = load_file(path, named)
        for error in errors:
            print(f"convlab: error: {error}", file=sys.stderr)
            code = 2
        for c in claims:
            if not _selected(c, path, args):
                continue
            names = ", ".join(s.name for s in c.instances)
            if len(c.instances) > 1 and len(names) > 40:
                names = f"{c.instances[0].name} and {len(c.instances) - 1} more"
            where = f"{c.problem_class}; " if c.problem_class else ""
            _emit(_fit_line(f"{c.id}  [{where}{c.kind}, {c.design}]  ", f"{c.algorithm} on "
                            f"{names}", width) + "\n" + _fit_line("    bound: ", c.bound, width)
                  + "\n" + _fit_line("    source: ", c.source, width))
    return code


def _fit_line(head: str, tail: str, width: int) -> str:
    """``head + tail`` cut to ``width`` columns (the tail first, with an ellipsis; at least 20
    characters of it stay)."""
    room = max(width - len(head), 20)
    return head + (tail if len(tail) <= room else tail[: room - 1] + "…")


def _selected(claim, path: Path, args: argparse.Namespace) -> bool:
    """Whether a claim passes the filters of ``convlab list``."""
    fields = {
        "class": [claim.problem_class], "algorithm": [claim.algorithm], "kind": [claim.kind],
        "design": [claim.design],
        "source": [claim.source], "family": [s.family for s in claim.instances],
    }
    for name, values in fields.items():
        wanted = getattr(args, f"filter_{name}", None)
        if wanted and not any(wanted.lower() in v.lower() for v in values):
            return False
    return True


def _falsify(args: argparse.Namespace) -> int:
    """Exit 1 when a counterexample is found (or, with --pep, the bound disagrees with the exact
    worst case), 0 when none is, 2 on bad input."""
    from .falsify import falsify
    from .verify import load_claims, select_claims

    for name in ("instances", "seed", "starts", "population", "max_horizon"):
        value = getattr(args, name)
        if value is not None:  # parsed here, so that a bad value is one line, not a usage
            try:
                number = int(value)
            except ValueError:
                number = -1
            if number < 0:
                raise InputError(f"--{name.replace('_', '-')} must be an integer >= 0, got "
                                 f"{value!r}")
            setattr(args, name, number)
    if args.time_limit is not None:
        raw = args.time_limit
        try:
            args.time_limit = float(raw)
        except ValueError:
            args.time_limit = float("nan")
        if not args.time_limit > 0:
            raise InputError(f"--time-limit must be a positive number of seconds, got {raw!r}")
    claims, errors = load_claims(args.paths, args.problems)
    chosen = select_claims(claims, args.claims) if args.claims else claims
    if errors and len(chosen) <= 1:
        raise errors[0]  # nothing else to search: the error is the answer
    if len(chosen) != 1 or args.markdown:  # a catalog: one line per claim, errors reported
        return _falsify_catalog(args, len(chosen))
    claim = chosen[0]
    args.path = claim.file
    if args.pep:
        return _falsify_pep(args, claim)
    space = None
    if args.search is not None:
        import tomllib

        try:
            space = tomllib.loads(f"search = {args.search}")["search"]
        except tomllib.TOMLDecodeError as exc:
            raise InputError(f"--search: not an inline TOML table ({exc})") from None
        if not isinstance(space, dict):
            raise InputError("--search: expected an inline table { ... }")
    try:
        result = falsify(claim, instances=args.instances, seed=args.seed, space=space,
                         starts=args.starts, population=args.population,
                         time_limit=args.time_limit)
    except InputError as exc:
        raise exc.located(file=args.path, claim=claim.id) from None
    at = f" at k={result.at:g}" if result.at is not None and result.at == result.at else ""
    if result.search == "class":
        return _report_class(claim, result, at)
    params = ", ".join(f"{k}={v!r}" for k, v in result.params.items())
    if result.falsified:
        _emit(f"falsified: {claim.id} exceeds its bound by a factor {result.ratio:.6g}{at} on "
              f"the shrunk instance\n    {params}\n"
              f"({result.examples} instances tried; worst seen: ratio {result.worst_seen[0]:.6g})")
        return 1
    _emit(f"not falsified: {claim.id} held on {result.examples} instances; worst ratio "
          f"{result.ratio:.6g} on\n    {params}")
    return 0


def _falsify_catalog(args: argparse.Namespace, chosen: int) -> int:
    """Every selected claim with a search table, one line each (exit 1 on a finding)."""
    from .falsify_catalog import DEFAULT_TIME_LIMIT, falsify_catalog, write_markdown

    for flag, given in (("--pep", args.pep), ("--search", args.search is not None)):
        if given:
            raise InputError(f"{flag} takes one claim ({chosen} selected): name it with --claim")
    catalog = falsify_catalog(
        args.paths, claims=args.claims, problems=args.problems, instances=args.instances,
        seed=args.seed, starts=args.starts, population=args.population,
        time_limit=DEFAULT_TIME_LIMIT if args.time_limit is None else args.time_limit,
        progress=lambda entry: _emit(entry.line()))
    for error in catalog.input_errors:
        print(f"convlab: error: {error}", file=sys.stderr)
    _emit(catalog.summary_line())
    if args.markdown:
        write_markdown(catalog, args.markdown)
        _emit(f"falsify section written to {args.markdown}")
    return catalog.exit_code


def _report_class(claim, result, at: str) -> int:
    size = {k: v for k, v in result.params.items() if k not in ("class", "theta")}
    where = f"class {result.params['class']} ({', '.join(f'{k}={v}' for k, v in size.items())})"
    effort = (f"{result.examples} members proposed by hypothesis, {result.evaluations} "
              f"evaluated, {result.seconds:.2f} s CPU")
    lines = []
    if result.theta is not None:
        theta = ", ".join(f"{v:.6g}" for v in result.theta)
        args = ", ".join(f"{k}={v!r}" for k, v in size.items())
        lines.append(f"    theta = [{theta}]")
        lines.append(f"    rebuild: get_class({result.params['class']!r}, {args}).member(theta)"
                     f"  (convlab.problems.function_classes)")
        pieces = _pieces_text(result.problem)
        if pieces:
            lines.append(f"    {pieces}")
    if result.falsified:
        _emit(f"falsified: {claim.id} exceeds its bound by a factor {_ratio(result.ratio)}{at} "
              f"on a member of {where}\n" + "\n".join(lines) +
              f"\n    confirmed by an ordinary run: {result.confirmation}\n({effort})")
        return 1
    _emit(f"not falsified: {claim.id} held on {where}; worst ratio {_ratio(result.ratio)}{at} "
          f"on\n"
          + "\n".join(lines) + f"\n({effort})")
    return 0


def _ratio(value: float) -> str:
    """A ratio to the bound, with the digits that tell it from 1."""
    return f"{value:.10g}" if abs(value - 1) < 1e-3 else f"{value:.6g}"


def _pieces_text(problem) -> str:
    """The pieces of a one-dimensional smooth member, readably."""
    if problem is None or problem.dim != 1 or "value" not in problem.oracles:
        return ""
    p = problem.p
    k, off = int(p[1]), int(p[4])
    if k < 1 or off < 0:
        return ""
    sides = []
    for side, name in ((0, "x >= 0"), (1, "x <= 0")):
        block = p[off + side * 4 * k: off + (side + 1) * 4 * k]
        knots = ", ".join(f"{v:.6g}" for v in block[:k])
        curv = ", ".join(f"{v:.6g}" for v in block[k:2 * k])
        sides.append(f"{name}: f'' = [{curv}] from |x| = [{knots}]")
    return "; ".join(sides)


def _falsify_pep(args: argparse.Namespace, claim) -> int:
    from .pep import cross_check

    try:
        check = cross_check(claim, max_horizon=args.max_horizon)
    except InputError as exc:
        raise exc.located(file=args.path, claim=claim.id) from None
    exact = all(r.exact for r in check.rows)
    _emit(f"{claim.id}: {claim.kind} bound {claim.bound!r} against PEPit's "
          f"{'exact worst case' if exact else 'worst-case upper bound'} of {claim.algorithm}\n"
          f"{check.table()}\nverdict: {check.verdict} (solver accuracy {check.rtol:g})")
    return 1 if check.verdict in ("violated", "loose") else 0


def _figures(args: argparse.Namespace) -> int:
    from .figures import build_figures

    if args.folder == "paper_figures" and not Path(args.folder).is_dir():
        from .catalog import figures_folder  # outside the repository: the installed copy

        args.folder = str(figures_folder() or args.folder)
    written = build_figures(args.folder, args.out, args.names or None, quick=args.quick,
                            progress=lambda line: print(line, file=sys.stderr, flush=True))
    _emit(f"{sum(len(v) for v in written.values())} files written to {args.out}")
    return 0


def _catalog(args: argparse.Namespace) -> int:
    from .catalog import catalog_folder, instances_folder

    folder = instances_folder() if args.problems else catalog_folder()
    if folder is None:
        raise InputError("this installation of convlab has no catalog (reinstall it from a "
                         "wheel or the repository)")
    _emit(str(folder))
    return 0


def _algorithms() -> int:
    from .algorithms.registry import ALGORITHMS

    for alg in ALGORITHMS.values():
        params = ", ".join(f"{n}={d}" if d is not None else f"{n} (required)"
                           for n, d in alg.params) or "none"
        _emit(f"{alg.name}  {alg.summary}\n    parameters: {params}\n"
              f"    needs: {', '.join(alg.needs)}; records: {', '.join(alg.points)}"
              + ("; stochastic" if alg.stochastic else ""))
    return 0


def _families() -> int:
    import inspect

    from .problems.registry import FAMILIES, get_builder

    for name in FAMILIES:
        builder = get_builder(name)
        params = ", ".join(
            p.name if p.default is inspect.Parameter.empty else f"{p.name}={p.default!r}"
            for p in inspect.signature(builder).parameters.values())
        doc = (builder.__doc__ or "").strip().splitlines()
        _emit(f"{name}  {doc[0] if doc else ''}\n    parameters: {params}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
