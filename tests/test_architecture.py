"""The import graph of convlab: layers from the runtime up to the command line, no circles.

Every import counts, including those inside functions (a lazy import is still a dependency).
A module may import from its own layer or lower ones, never from a higher one; and no two
modules import each other, directly or through others.
"""

import ast
from pathlib import Path

import convlab

PACKAGE = Path(convlab.__file__).resolve().parent

#: Layers, lowest first: a module belongs to the first layer one of whose prefixes it matches.
LAYERS = (
    ("convlab.errors", "convlab.names", "convlab.catalog"),
    ("convlab.runtime",),
    ("convlab.rates",),
    ("convlab.problems", "convlab.algorithms"),
    ("convlab.plugins",),
    ("convlab.run",),
    ("convlab.claims",),
    ("convlab.outcomes",),
    ("convlab.designs",),
    ("convlab.executor", "convlab.store", "convlab.limits"),
    ("convlab.verify",),
    ("convlab.report", "convlab.plots", "convlab.figures", "convlab.testing",
     "convlab.strategies", "convlab.falsify", "convlab.falsify_catalog", "convlab.pep",
     "convlab.pytest_plugin", "convlab.kernels", "convlab.plotting", "convlab.html",
     "convlab.progress", "convlab.export"),
    ("convlab.cli", "convlab.__main__"),
)


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """convlab modules imported anywhere in the module (resolved to modules, not names)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            targets = [module] + [f"{module}.{a.name}" for a in node.names]
        for target in targets:
            if target.split(".")[0] != "convlab":
                continue
            while target and target not in known:  # a name imported from a module
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def _layer(name: str) -> int:
    for i, prefixes in enumerate(LAYERS):
        if any(name == p or name.startswith(p + ".") for p in prefixes):
            return i
    raise AssertionError(f"module {name} belongs to no layer: add it to LAYERS")


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    # convlab/__init__.py only re-exports the public API: it is no module's dependency
    return {name: _imports(name, path, known) - {"convlab"}
            for name, path in modules.items() if name != "convlab"}


def test_every_module_has_a_layer():
    for name in _graph():
        _layer(name)


def test_no_import_from_a_higher_layer():
    upward = sorted((name, target) for name, targets in _graph().items() for target in targets
                    if _layer(target) > _layer(name))
    assert not upward, upward


def test_problems_and_algorithms_do_not_import_each_other():
    crossing = sorted((name, target) for name, targets in _graph().items() for target in targets
                      if {name.split(".")[1], target.split(".")[1]} == {"problems", "algorithms"})
    assert not crossing, crossing


def test_no_import_circles():
    graph = _graph()
    state: dict[str, int] = {}
    cycles = []

    def visit(node, stack):
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, stack)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [])
    assert not cycles, cycles
