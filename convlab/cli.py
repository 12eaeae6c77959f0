"""Command line: ``convlab verify PATH...``, ``convlab list PATH...``, ``convlab algorithms``,
``convlab families``.

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
    sub = parser.add_subparsers(dest="command", required=True)
    v = sub.add_parser("verify", help="run claims and compare verdicts with their expectations")
    v.add_argument("paths", nargs="+", metavar="PATH", help="claim files or folders of them")
    v.add_argument("--json", metavar="FILE", help="write a JSON report to FILE")
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
    v.add_argument("-q", "--quiet", action="store_true", help="print only the summary line")
    ls = sub.add_parser("list", help="list the claims of files or folders")
    ls.add_argument("paths", nargs="+", metavar="PATH")
    ls.add_argument("--problems", metavar="DIR", help="folder of named instances")
    for name, what in (("class", "problem class, e.g. stochastic"),
                       ("algorithm", "algorithm name"), ("kind", "claim kind"),
                       ("source", "citation"), ("family", "problem family of an instance")):
        ls.add_argument(f"--{name}", metavar="TEXT", dest=f"filter_{name}",
                        help=f"only claims whose {what} contains TEXT (case-insensitive)")
    f = sub.add_parser("falsify", help="search a claim's problem class for a violating instance")
    f.add_argument("path", metavar="FILE", help="the claim file")
    f.add_argument("--claim", metavar="ID", help="the claim (default: the file's only claim)")
    f.add_argument("--budget", type=int, default=100, help="instances to try (default 100)")
    f.add_argument("--seed", type=int, default=0, help="seed of the search (default 0)")
    f.add_argument("--problems", metavar="DIR", help="folder of named instances")
    fg = sub.add_parser("figures", help="rebuild paper figures (PNG and PDF)")
    fg.add_argument("names", nargs="*", metavar="NAME", help="figures to build (default: all)")
    fg.add_argument("--folder", default="paper_figures", help="the figures folder with its "
                    "manifest.toml (default: %(default)s)")
    fg.add_argument("--out", default="figures", help="output folder (default: %(default)s)")
    fg.add_argument("--quick", action="store_true", help="tiny budgets (a smoke test)")
    sub.add_parser("algorithms", help="list the registered algorithms and their parameters")
    sub.add_parser("families", help="list the problem families and their parameters")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``convlab`` console script."""
    args = _parser().parse_args(argv)
    try:
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



def _emit(text: str) -> None:
    """Print to stdout; a reader that stopped early (``| head``) silences the rest quietly."""
    try:
        print(text, flush=True)
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _verify(args: argparse.Namespace) -> int:
    from .report import format_table, write_json
    from .verify import stderr_progress, verify_paths

    store = None if args.no_cache else args.store
    report = verify_paths(args.paths, problems=args.problems, progress=stderr_progress,
                          jobs=args.jobs, store=store, force=args.force,
                          executor=args.executor, scheduler=args.scheduler)
    if sys.stderr.isatty():
        sys.stderr.write("\r\033[K")
    for error in report.input_errors:
        print(f"convlab: error: {error}", file=sys.stderr)
    for outcome in report.outcomes:
        if outcome.problem_text is not None:
            print(f"convlab: error: {outcome.problem_text}", file=sys.stderr)
    table = format_table(report)
    _emit(table.splitlines()[-1] if args.quiet else table)
    if args.json:
        write_json(report, args.json)
        _emit(f"report written to {args.json}")
    if args.markdown:
        from .report import write_markdown

        write_markdown(report, args.markdown)
        _emit(f"catalog summary written to {args.markdown}")
    if args.plot:
        from .plots import plot_outcome

        written = [p for o in report.outcomes if (p := plot_outcome(o, args.plot)) is not None]
        _emit(f"{len(written)} figures written to {Path(args.plot)}")
    return report.exit_code


def _list(args: argparse.Namespace) -> int:
    from .claims import collect_files, load_file
    from .problems.registry import load_instances

    named = load_instances(args.problems) if args.problems else None
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
            where = f"{c.problem_class}; " if c.problem_class else ""
            _emit(f"{c.id}  [{where}{c.kind}, {c.design}]  {c.algorithm} on {names}: {c.bound}\n"
                  f"    source: {c.source}")
    return code


def _selected(claim, path: Path, args: argparse.Namespace) -> bool:
    """Whether a claim passes the filters of ``convlab list``."""
    fields = {
        "class": [claim.problem_class], "algorithm": [claim.algorithm], "kind": [claim.kind],
        "source": [claim.source], "family": [s.family for s in claim.instances],
    }
    for name, values in fields.items():
        wanted = getattr(args, f"filter_{name}", None)
        if wanted and not any(wanted.lower() in v.lower() for v in values):
            return False
    return True


def _falsify(args: argparse.Namespace) -> int:
    """Exit 1 when a counterexample is found, 0 when none is within the budget, 2 on bad input."""
    from .claims import load_file
    from .falsify import falsify
    from .problems.registry import load_instances

    named = load_instances(args.problems) if args.problems else None
    claims, errors = load_file(args.path, named)
    if errors:
        raise errors[0]
    chosen = [c for c in claims if args.claim in (None, c.id)]
    if len(chosen) != 1:
        ids = ", ".join(c.id for c in claims)
        raise InputError(f"name one claim with --claim (claims: {ids})", file=args.path)
    claim = chosen[0]
    try:
        result = falsify(claim, budget=args.budget, seed=args.seed)
    except InputError as exc:
        raise exc.located(file=args.path, claim=claim.id) from None
    params = ", ".join(f"{k}={v!r}" for k, v in result.params.items())
    if result.falsified:
        _emit(f"falsified: {claim.id} exceeds its bound by a factor {result.ratio:.6g} at "
              f"k={result.at:g} on the shrunk instance\n    {params}\n"
              f"({result.examples} instances tried; worst seen: ratio {result.worst_seen[0]:.6g})")
        return 1
    _emit(f"not falsified: {claim.id} held on {result.examples} instances; worst ratio "
          f"{result.ratio:.6g} on\n    {params}")
    return 0


def _figures(args: argparse.Namespace) -> int:
    from .figures import build_figures

    written = build_figures(args.folder, args.out, args.names or None, quick=args.quick,
                            progress=lambda line: print(line, file=sys.stderr, flush=True))
    _emit(f"{sum(len(v) for v in written.values())} files written to {args.out}")
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
