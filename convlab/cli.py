"""Command line: ``convlab verify PATH...`` and ``convlab list PATH...``.

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
    v.add_argument("-q", "--quiet", action="store_true", help="print only the summary line")
    ls = sub.add_parser("list", help="list the claims of files or folders")
    ls.add_argument("paths", nargs="+", metavar="PATH")
    ls.add_argument("--problems", metavar="DIR", help="folder of named instances")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``convlab`` console script."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "verify":
            return _verify(args)
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

    report = verify_paths(args.paths, problems=args.problems, progress=stderr_progress)
    if sys.stderr.isatty():
        sys.stderr.write("\r\033[K")
    for error in report.input_errors:
        print(f"convlab: error: {error}", file=sys.stderr)
    for outcome in report.outcomes:
        if outcome.error is not None:
            print(f"convlab: error: {outcome.error}", file=sys.stderr)
    table = format_table(report)
    _emit(table.splitlines()[-1] if args.quiet else table)
    if args.json:
        write_json(report, args.json)
        _emit(f"report written to {args.json}")
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
            names = ", ".join(s.name for s in c.instances)
            _emit(f"{c.id}  [{c.kind}, {c.mode}]  {c.algorithm} on {names}: {c.bound}\n"
                  f"    source: {c.source}")
    return code


if __name__ == "__main__":
    sys.exit(main())
