"""pytest plugin (entry point ``pytest11``): claim files collected as test items.

``pytest rates/`` (or any path holding claim files) collects every ``*.toml`` file that holds
``[[claim]]`` tables: one item per claim and instance, named ``<file>::<claim>[<instance>]``.
An item passes when the verdict equals the claim's expectation; a failure shows the verdict,
the evidence and a sparkline of the errors. Other TOML files (``pyproject.toml``) are ignored.

Option ``--convlab-problems DIR``: the named instances (default: the ``problems/`` folder nearest
each claim file, then the catalog's). Plugins (a user's algorithms and families,
:mod:`convlab.plugins`) load at start as on the command line: installed entry points,
``[tool.convlab] plugins`` in the ``pyproject.toml`` of the root folder, and
``--convlab-plugin MODULE``. To collect claim folders on a plain ``pytest`` run, list them in ``testpaths``
(``testpaths = ["tests", "rates"]``).
"""

from __future__ import annotations

from pathlib import Path

import pytest


#: :data:`convlab.plugins.ENTRY_POINT_GROUPS`, named here without importing convlab (a test
#: checks that the two agree).
ENTRY_POINT_GROUPS = ("convlab.algorithms", "convlab.families")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("convlab")
    group.addoption("--convlab-problems", metavar="DIR", default=None,
                    help="folder of named problem instances for claim files")
    group.addoption("--convlab-plugin", metavar="MODULE", action="append", default=[],
                    help="load algorithms and families from MODULE (repeatable; also read: "
                         "[tool.convlab] plugins in pyproject.toml, and entry points)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "convlab_claim: a claim of a convlab claim file")
    # convlab's kernels take typed first-class functions, which numba flags as experimental
    config.addinivalue_line("filterwarnings",
                            "ignore:First-class function type feature is experimental")
    folders = tuple(dict.fromkeys((config.rootpath, config.invocation_params.dir)))
    if not _plugins_named(config, folders):
        return  # importing convlab costs a second or two: only a run that needs it pays
    from .errors import InputError
    from .plugins import load_plugins

    try:  # the plugins convlab's command line loads: entry points, pyproject.toml, options
        for folder in folders:
            load_plugins(folder=folder)
        load_plugins(config.getoption("--convlab-plugin"), folder=None)
    except InputError as exc:
        raise pytest.UsageError(f"convlab: {exc}") from None


def _plugins_named(config: pytest.Config, folders) -> bool:
    """Whether any convlab plugin is named: by the option, in a ``pyproject.toml`` (any
    ``[tool.convlab] plugins``, read without importing convlab), or by an installed entry
    point."""
    import tomllib
    from importlib.metadata import entry_points

    if config.getoption("--convlab-plugin"):
        return True
    for folder in folders:
        try:
            data = tomllib.loads((Path(folder) / "pyproject.toml").read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            continue
        if "plugins" in data.get("tool", {}).get("convlab", {}):
            return True
    return any(entry_points(group=group) for group in ENTRY_POINT_GROUPS)


def pytest_collect_file(file_path: Path, parent: pytest.Collector):
    if file_path.suffix != ".toml":
        return None
    try:
        text = file_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    if "[[claim]]" not in text:
        return None
    return ClaimFile.from_parent(parent, path=file_path)


class ClaimFile(pytest.File):
    """A claim file: its claims, one item per instance; a claim that does not load is one
    failing item with the loader's message."""

    def collect(self):
        from .claims import load_file
        from .errors import InputError
        from .problems.registry import load_instances

        folder = self.config.getoption("--convlab-problems")
        try:
            named = load_instances(folder) if folder else None
            claims, errors = load_file(self.path, named)
        except Exception as exc:  # noqa: BLE001 - one bad file is one failing item, never a
            # collection error (which would interrupt the whole session)
            error = exc if isinstance(exc, InputError) else InputError(
                f"cannot load the file: {type(exc).__name__}: {exc}", file=str(self.path))
            yield ClaimError.from_parent(self, name="file[load]", error=error)
            return
        for error in errors:
            yield ClaimError.from_parent(self, name=f"{error.claim or 'file'}[load]", error=error)
        for claim in claims:
            for spec in claim.instances:
                yield ClaimItem.from_parent(self, name=f"{claim.id}[{spec.name}]", claim=claim,
                                            spec=spec)


class ClaimMismatch(Exception):
    """A verdict that differs from the claim's expectation."""


class ClaimItem(pytest.Item):
    """One claim on one instance."""

    def __init__(self, *, claim, spec, **kwargs) -> None:
        super().__init__(**kwargs)
        self.claim = claim
        self.spec = spec
        self.add_marker("convlab_claim")

    def runtest(self) -> None:
        from .limits import Budget, check_budget
        from .verify import verify_claim

        over = check_budget(self.claim, self.spec, Budget())  # refused before it is built
        if over is not None:
            raise ClaimMismatch(str(over))
        outcome = verify_claim(self.claim, self.spec)
        self.user_properties.append(("verdict", outcome.verdict))
        if outcome.problem_text is not None:
            raise ClaimMismatch(outcome.problem_text)
        evidence = self._evidence(outcome)
        self.add_report_section("call", "convlab", evidence)
        if not outcome.matched:
            raise ClaimMismatch(f"verdict {outcome.verdict}, expected {outcome.expected}\n"
                                + evidence)

    @staticmethod
    def _evidence(outcome) -> str:
        from .testing import format_evidence

        if outcome.check is None or outcome.errors is None or len(outcome.errors) == 0:
            return f"reason: {outcome.summary}"
        return format_evidence(outcome.check, outcome.k, outcome.errors)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, ClaimMismatch):
            return f"{self.claim.file}: claim '{self.claim.id}' on '{self.spec.name}':\n" \
                   f"{excinfo.value}"
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):
        return self.path, None, f"{self.claim.id}[{self.spec.name}]"


class ClaimError(pytest.Item):
    """A claim that does not load: fails with the loader's one-line message."""

    def __init__(self, *, error, **kwargs) -> None:
        super().__init__(**kwargs)
        self.error = error

    def runtest(self) -> None:
        raise ClaimMismatch(str(self.error))

    def repr_failure(self, excinfo, style=None):
        return str(excinfo.value)

    def reportinfo(self):
        return self.path, None, self.name
