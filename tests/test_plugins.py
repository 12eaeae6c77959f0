"""A user's own method, problem family and theorem, without touching convlab: plugins on the
command line, in pyproject.toml, as entry points and in pytest; the public kernel API; methods
in plain Python; bound symbols; no stale results after a plugin's kernel is edited."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import numpy as np
import pytest

from convlab import plugins
from convlab.algorithms.registry import ALGORITHMS
from convlab.cli import main
from convlab.errors import InputError
from convlab.problems.registry import FAMILIES

pytest_plugins = ["pytester"]

#: A plugin module: a kernel (heavy ball with restarts), a method in plain Python and a family.
PLUGIN = '''
import numpy as np
from convlab import POSITIVE, UNDERFLOW, Algorithm, Family, Problem, count
from convlab.kernels import GRAD, OK, kernel, oracle, python_method


@kernel(hyper=("alpha", "beta", "K"), vectors=("x_prev", "g"))
def hb_restart(oracles, A, b, p, hyper, seed, checkpoints, k0, k1, X, s):
    alpha, beta, K = hyper[0], hyper[1], int(hyper[2])
    x, x_prev, g = X[0], X[1], X[2]
    for k in range(k0, k1):
        oracles[GRAD](A, b, p, x, g)
        m = 0.0 if k % K == 0 else beta
        for i in range(x.shape[0]):
            x_next = x[i] - alpha * g[i] + m * (x[i] - x_prev[i])
            x_prev[i] = x[i]
            x[i] = x_next
    return OK


@python_method(params={{"step": "1/L"}}, name="py-gd{tag}")
def py_gd(oracles, x, c):
    while True:
        yield x
        x = x - c.step * oracles.grad(x)


@oracle("grad")
def diag_grad(A, b, p, x, out):
    out[:] = b * x


def diag_quadratic(d: int = 20, L: float = 1.0, mu: float = 0.01, R: float = 1.0) -> Problem:
    """Diagonal quadratic with spectrum linspace(mu, L, d), x* = 0."""
    if mu > L:
        raise ValueError(f"need mu <= L, got mu={{mu}}, L={{L}}")
    return Problem("diag{tag}", "diag", A=np.zeros((1, 1)), b=np.linspace(mu, L, d),
                   p=np.zeros(1), oracles={{"grad": diag_grad}}, x0=np.full(d, R / np.sqrt(d)),
                   xstar=np.zeros(d), fstar=0.0, L=L, mu=mu,
                   floors={{"dist_sq": UNDERFLOW, "grad_norm_sq": UNDERFLOW}})


ALGORITHMS = (
    Algorithm("hb-restart{tag}", hb_restart, {{"alpha": "4/(sqrt(L) + sqrt(mu))**2",
              "beta": "((sqrt(kappa) - 1)/(sqrt(kappa) + 1))**2", "K": "20"}}),
    py_gd,
)
FAMILIES = (Family("diag{tag}", diag_quadratic, "smooth strongly convex",
                   ranges={{"d": count(), "L": POSITIVE, "mu": POSITIVE, "R": POSITIVE}}),)
'''

CLAIMS = '''
[[claim]]
id = "restart-bound"
source = "per-mode analysis of heavy ball restarted every K steps"
algorithm = "hb-restart{tag}"
params = {{ K = 20 }}
instances = [{{ name = "kappa100", family = "diag{tag}", d = 20, mu = 0.01 }}]
measure = "dist_sq"
bound = "R**2 * beta**k * (2*K + 1)**(2*ceil(k/K))"
kind = "upper"
design = "anytime"
iterations = 400
expected = "consistent"

[[claim]]
id = "python-gd-rate"
source = "gradient descent with step 1/L on a mu-strongly convex quadratic"
algorithm = "py-gd{tag}"
instances = [{{ name = "kappa100", family = "diag{tag}", d = 20, mu = 0.01 }}]
measure = "dist_sq"
bound = "R**2 * (1 - step*mu)**(2*k)"
kind = "upper"
design = "anytime"
iterations = 200
expected = "consistent"
'''


@pytest.fixture
def clean_registries():
    """Registries, loaded plugins and imported modules as they were before the test."""
    len(ALGORITHMS), len(FAMILIES)  # convlab's own, loaded before the snapshot
    algorithms, families = dict(ALGORITHMS._items), dict(FAMILIES._items)
    loaded, modules, path = dict(plugins._LOADED), set(sys.modules), list(sys.path)
    yield
    ALGORITHMS._items.clear()
    ALGORITHMS._items.update(algorithms)
    FAMILIES._items.clear()
    FAMILIES._items.update(families)
    plugins._LOADED.clear()
    plugins._LOADED.update(loaded)
    for name in set(sys.modules) - modules:
        if name.startswith(("myplugin_", "broken_", "nofloor_")):  # the tests' plugins only
            del sys.modules[name]
    sys.path[:] = path


def project(folder: Path, tag: str | None = None) -> str:
    """Write a user's project (plugin module and claim file) into ``folder``; return its tag."""
    tag = tag or f"-{uuid.uuid4().hex[:8]}"
    module = f"myplugin_{tag.strip('-')}"
    (folder / f"{module}.py").write_text(PLUGIN.format(tag=tag))
    (folder / "claims").mkdir(exist_ok=True)
    (folder / "claims" / "mine.toml").write_text(CLAIMS.format(tag=tag))
    return tag


def module_of(tag: str) -> str:
    return f"myplugin_{tag.strip('-')}"


def test_plugin_on_the_command_line_runs_claims_on_its_own_family(tmp_path, clean_registries,
                                                                  capsys):
    tag = project(tmp_path)
    assert main(["verify", "--plugin", module_of(tag), "claims/", "--no-cache", "-j", "1",
                 "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "2/2 verdicts as expected" in out
    assert main(["algorithms", "--plugin", module_of(tag)]) == 0
    assert f"hb-restart{tag}" in capsys.readouterr().out


def test_plugins_named_in_pyproject_toml_and_by_path(tmp_path, clean_registries, capsys):
    tag = project(tmp_path)
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.convlab]\nplugins = ["{module_of(tag)}"]\n')
    assert main(["families"]) == 0
    assert f"diag{tag}" in capsys.readouterr().out
    other = tmp_path / "sub"
    other.mkdir()
    tag2 = project(other)
    assert main(["families", "--plugin", f"sub/{module_of(tag2)}.py"]) == 0
    assert f"diag{tag2}" in capsys.readouterr().out


@pytest.mark.parametrize("source, message", [
    ("import no_such_module_xyz\n", "ModuleNotFoundError: No module named 'no_such_module_xyz'"),
    ("raise RuntimeError('boom')\n", "RuntimeError: boom"),
    ("ALGORITHMS = (42,)\n", "expected an Algorithm or a Family, got 42"),
])
def test_a_broken_plugin_is_one_line_and_exit_2(tmp_path, clean_registries, capsys, source,
                                               message):
    name = f"broken_{uuid.uuid4().hex[:8]}"
    (tmp_path / f"{name}.py").write_text(source)
    assert main(["algorithms", "--plugin", name]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"convlab: error: plugin '{name}'")
    assert message in err and "Traceback" not in err


def test_a_missing_plugin_in_pyproject_names_the_file(tmp_path, clean_registries, capsys):
    (tmp_path / "pyproject.toml").write_text('[tool.convlab]\nplugins = ["not_there_abc"]\n')
    assert main(["families"]) == 2
    err = capsys.readouterr().err
    assert "pyproject.toml [tool.convlab] plugins" in err and "not_there_abc" in err
    (tmp_path / "pyproject.toml").write_text('[tool.convlab]\nplugins = "not-a-list"\n')
    assert main(["families"]) == 2
    assert "tool.convlab.plugins" in capsys.readouterr().err


def test_entry_points_are_discovered(tmp_path, clean_registries, monkeypatch):
    """An installed package's entry points, as pip leaves them: a dist-info on sys.path."""
    tag = project(tmp_path)
    dist = tmp_path / f"my_plugin{tag.replace('-', '_')}-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: my-plugin{tag}\n"
                                   "Version: 0.1\n")
    (dist / "entry_points.txt").write_text(
        f"[convlab.algorithms]\nmine = {module_of(tag)}\n\n"
        f"[convlab.families]\nmine = {module_of(tag)}:FAMILIES\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(plugins, "_ENTRY_POINTS_LOADED", False)
    plugins.load_entry_points()
    assert f"hb-restart{tag}" in ALGORITHMS and f"py-gd{tag}" in ALGORITHMS
    assert f"diag{tag}" in FAMILIES


def test_a_broken_entry_point_is_an_input_error(tmp_path, clean_registries, monkeypatch):
    dist = tmp_path / "broken_plugin-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-plugin\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[convlab.families]\nbad = not_a_module_qq\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(plugins, "_ENTRY_POINTS_LOADED", False)
    with pytest.raises(InputError, match="entry point 'bad = not_a_module_qq' in group "
                                         "convlab.families failed to import"):
        plugins.load_entry_points()


def test_a_family_that_breaks_its_contract_is_refused(tmp_path, clean_registries):
    name = f"nofloor_{uuid.uuid4().hex[:8]}"
    source = PLUGIN.format(tag="-nf").replace(
        'floors={"dist_sq": UNDERFLOW, "grad_norm_sq": UNDERFLOW}', 'floors={}')
    (tmp_path / f"{name}.py").write_text(source)
    with pytest.raises(InputError, match=r"no floor stated for measure\(s\) dist, dist_sq"):
        plugins.load_plugins([name], folder=None, entry_points=False)


@pytest.mark.slow  # the fast tier runs the same through docs/tutorial.md (tests/test_docs.py)
def test_pytest_collects_claim_files_on_a_plugin_named_in_pyproject(pytester, clean_registries):
    tag = project(pytester.path)
    pytester.makepyprojecttoml(f'[tool.convlab]\nplugins = ["{module_of(tag)}"]\n')
    result = pytester.runpytest_subprocess("-q", "claims/", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_editing_a_plugin_kernel_changes_the_next_verdict(tmp_path):
    """Two runs of the command line with the results store on: the second, after the kernel
    was broken on purpose, recomputes (no --force) and reports the new verdict."""
    tag = project(tmp_path)
    command = [sys.executable, "-m", "convlab", "verify", "--plugin", module_of(tag),
               "claims/mine.toml", "-j", "1", "--no-progress", "--claim", "restart-bound"]
    first = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True)
    assert first.returncode == 0, first.stdout + first.stderr
    assert re.search(r"kappa100\s+consistent\s+consistent", first.stdout), first.stdout
    plugin = tmp_path / f"{module_of(tag)}.py"
    plugin.write_text(plugin.read_text().replace("x[i] - alpha * g[i]", "x[i] - 3.0 * alpha * g[i]"))
    second = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True)
    assert second.returncode == 1, second.stdout + second.stderr
    assert re.search(r"kappa100\s+(diverged|violated)\b", second.stdout), second.stdout


def test_a_kernel_typed_on_stdin_compiles_without_a_cache(tmp_path):
    script = textwrap.dedent('''
        import numpy as np
        from convlab import quadratic, run
        from convlab.kernels import GRAD, OK, Algorithm, kernel

        @kernel(hyper=("step",), vectors=("g",))
        def stdin_gd(oracles, A, b, p, hyper, seed, checkpoints, k0, k1, X, s):
            x, g = X[0], X[1]
            for k in range(k0, k1):
                oracles[GRAD](A, b, p, x, g)
                for i in range(x.shape[0]):
                    x[i] -= hyper[0] * g[i]
            return OK

        problem = quadratic(d=5, L=1.0, mu=0.5, seed=1)
        mine = run(problem, Algorithm("stdin-gd", stdin_gd, {"step": "1/L"}), iterations=30)
        ref = run(problem, "gd", iterations=30)
        print(np.array_equal(mine.points["last"], ref.points["last"]))
    ''')
    done = subprocess.run([sys.executable, "-"], input=script, cwd=tmp_path,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"
    assert not any(p.suffix in (".nbi", ".nbc") for p in tmp_path.rglob("*"))


def test_a_python_method_has_state_and_the_constants_by_name():
    from convlab import quadratic, run
    from convlab.kernels import python_method

    @python_method(params={"step": "1/L", "momentum": "1 - step*mu"}, name="py-hb-test")
    def python_heavy_ball(oracles, x, c):
        x_prev = x
        while True:
            yield x
            x, x_prev = x - c.step * oracles.grad(x) + (c.momentum / 2) * (x - x_prev), x

    problem = quadratic(d=6, L=2.0, mu=0.5, seed=3)
    trace = run(problem, python_heavy_ball, iterations=60)
    assert trace.params == {"step": 0.5, "momentum": 0.75}  # momentum resolved after step
    x, x_prev = problem.x0.copy(), problem.x0.copy()
    expected = [x.copy()]
    for _ in range(60):
        g = np.empty(6)
        problem.oracle("grad")(problem.A, problem.b, problem.p, x, g)
        x, x_prev = x - 0.5 * g + 0.375 * (x - x_prev), x
        expected.append(x.copy())
    assert np.allclose(trace.points["last"], np.array(expected)[trace.k], rtol=1e-14, atol=0)


def test_parameter_expressions_see_each_other_and_refuse_circles():
    from convlab.run import _resolve_in_order

    assert _resolve_in_order({"beta": "1 - 1/K", "K": "2*d"}, {"d": 5.0}) == \
        {"beta": 0.9, "K": 10.0}
    with pytest.raises(InputError, match="depends on itself") as info:
        _resolve_in_order({"a": "b + 1", "b": "a"}, {})
    assert info.value.field == "params.a"


def test_a_bound_uses_the_algorithm_parameters():
    from convlab import assert_bound, quadratic, run

    problem = quadratic(d=10, L=1.0, mu=0.1, seed=2)
    for step in (0.5, 1.0):
        trace = run(problem, "gd", {"step": step}, iterations=200)
        assert_bound(trace, "(1 - step*mu)**(2*k) * R**2", measure="dist_sq")
    with pytest.raises(AssertionError, match="violated"):
        assert_bound(run(problem, "gd", {"step": 0.5}, iterations=200),
                     "(1 - 2*step*mu)**(2*k) * R**2", measure="dist_sq")


@pytest.mark.slow
def test_dask_workers_load_the_plugins(tmp_path, clean_registries):
    """dask workers are new processes: the plugins loaded here are loaded there first."""
    pytest.importorskip("distributed")
    from convlab import verify_paths

    tag = project(tmp_path)
    plugins.load_plugins([module_of(tag)], folder=None, entry_points=False)
    report = verify_paths([tmp_path / "claims"], jobs=1, executor="dask")
    assert [o.verdict for o in report.outcomes] == ["consistent", "consistent"], \
        [o.problem_text for o in report.outcomes]


def test_a_kernel_defined_in_a_notebook_cell_runs():
    """IPython compiles a cell under a file name that does not exist on disk
    (``/tmp/ipykernel_<pid>/<hash>.py``): the kernel compiles without numba's disk cache."""
    from convlab import quadratic, run

    cell = textwrap.dedent('''
        from convlab.kernels import GRAD, OK, Algorithm, kernel

        @kernel(hyper=("step",), vectors=("g",))
        def cell_gd(oracles, A, b, p, hyper, seed, checkpoints, k0, k1, X, s):
            x, g = X[0], X[1]
            for k in range(k0, k1):
                oracles[GRAD](A, b, p, x, g)
                for i in range(x.shape[0]):
                    x[i] -= hyper[0] * g[i]
            return OK

        ALG = Algorithm("cell-gd-test", cell_gd, {"step": "1/L"})
    ''')
    namespace: dict = {"__name__": "__main__"}
    exec(compile(cell, f"/tmp/ipykernel_{uuid.uuid4().hex[:6]}/1234567.py", "exec"), namespace)
    problem = quadratic(d=4, L=1.0, mu=0.25, seed=5)
    mine = run(problem, namespace["ALG"], iterations=20)
    assert np.array_equal(mine.points["last"], run(problem, "gd", iterations=20).points["last"])


def test_the_pytest_plugin_looks_for_the_same_entry_point_groups():
    from convlab import pytest_plugin

    assert pytest_plugin.ENTRY_POINT_GROUPS == plugins.ENTRY_POINT_GROUPS


def test_the_store_key_covers_a_plugin_package_and_its_helpers(tmp_path, clean_registries,
                                                               monkeypatch):
    from convlab.store import code_digest, source_digest

    package = tmp_path / "myplugin_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("from .helpers import SCALE\n")
    (package / "helpers.py").write_text("SCALE = 1.0\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    __import__("myplugin_pkg")
    before = source_digest("myplugin_pkg")
    source_digest.cache_clear()
    (package / "helpers.py").write_text("SCALE = 2.0\n")
    assert source_digest("myplugin_pkg") != before  # a helper of the plugin changed
    source_digest.cache_clear()

    def first(x):
        return x + 1

    def second(x):
        return x + 2

    assert code_digest(first) != code_digest(second)
