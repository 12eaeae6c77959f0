"""What ``import convlab`` loads, and that the lazily imported public API is the same API.

The speed of the import is measured in benchmarks/bench_import.py; here only what could break:
heavy libraries imported by ``import convlab`` or ``convlab --help``, a public name that does
not resolve, a submodule hiding the function of the same name.
"""

import subprocess
import sys

import convlab

HEAVY = ("numpy", "numba", "scipy", "sympy", "matplotlib")


def _loaded_after(code: str) -> list[str]:
    probe = (f"import sys\n{code}\n"
             f"print(); print(','.join(m for m in {HEAVY!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True)
    last = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else ""
    return [m for m in last.split(",") if m in HEAVY]


def test_import_convlab_loads_no_heavy_library():
    assert _loaded_after("import convlab") == []


def test_help_loads_no_heavy_library():
    code = ("from convlab.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass")
    assert _loaded_after(code) == []


def test_every_public_name_resolves():
    missing = [name for name in convlab.__all__ if not hasattr(convlab, name)]
    assert missing == []
    assert set(convlab.__all__) <= set(dir(convlab))


def test_submodules_do_not_hide_functions_of_the_same_name():
    import convlab.falsify  # noqa: F401  (the submodules, imported explicitly)
    import convlab.run  # noqa: F401

    from convlab.run import Trace

    assert callable(convlab.run) and convlab.run.__module__ == "convlab.run"
    assert callable(convlab.falsify) and convlab.falsify.__module__ == "convlab.falsify"
    assert convlab.Trace is Trace
    assert sys.modules["convlab.run"].run is convlab.run
