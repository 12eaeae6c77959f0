"""A fuzzer over claim and instance documents: whatever a file holds, `convlab verify` ends with
an exit code and one-line messages, and the pytest plugin with one failing item per bad file.

Every document runs through the command line in this process (``convlab.cli.main``) with a
work budget of 1e7 iterations (``--max-iterations``: the budget is what bounds the time of a
document that asks for much, docs/reliability.md). The contract checked on each:

- exit code 0, 1 or 2; 2 exactly when the document is bad input, and then every line on stderr is
  ``convlab: error: ...`` naming the file (and, where there is one, the claim and the field);
- no traceback, no "internal error", no warning (Python warnings or stray stderr lines);
- no document takes more than 10 s (a hang, or a size that escaped the budget).

The fast tier draws 1,000 documents (claim documents, instance documents, structural TOML and
raw text); ``pytest -m slow`` draws 10,000 more. A sample of the documents also goes through the
pytest plugin in one session, which must end with its items failed, never interrupted.
"""

import time
import tomllib
import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from convlab.claims import FIELDS as CLAIM_FIELDS
from convlab.cli import main

pytest_plugins = ["pytester"]

#: Work budget of every fuzzed run (iterations x seeds; the default is 1e9).
BUDGET = ["--max-iterations", "1e7"]

#: Longest a document may take (a hang or a size the budget missed).
DEADLINE_S = 10.0

BASE = {
    "id": "base",
    "source": "fuzz",
    "algorithm": "gd",
    "params": {"step": "1/L"},
    "instances": [{"name": "q", "family": "quadratic", "d": 3, "L": 1.0, "mu": 0.1}],
    "measure": "f_gap",
    "bound": "L*R**2/(2*k)",
    "kind": "upper",
    "mode": "anytime",
    "iterations": 20,
    "expected": "consistent",
}

HOSTILE = [
    "__import__('os').system('echo pwned')", "().__class__.__bases__[0]", "lambda: 1",
    "k if k else 1", "[1, 2]", "'text'", "1/0", "9**9**9", "exp(1e6)", "sqrt(-1)*k", "",
    "L*R**2/(2*k", "L @ R", "f(k)", "k.real", "O(O(k))", "log(0)", "nan", "inf", "1e400",
    "mu - L", "-1", "0", "R/(2*N+1)", "N",
]

VALUES = st.one_of(
    st.sampled_from(HOSTILE), st.integers(-10**6, 10**6), st.floats(allow_nan=True),
    st.booleans(), st.text(max_size=12), st.lists(st.integers(-5, 5), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)

#: Valid claims of every design and statistic, the starting points of the mutations.
BASES = [
    BASE,
    dict(BASE, id="horizon", instances=[{"name": "h", "family": "huber-1d", "L": 1.0, "R": 1.0,
                                         "delta": "R/(2*N+1)"}],
         bound="L*R**2/(4*N+2)", kind="tight", mode="horizon", horizons=[1, 10, 100],
         expected="tight"),
    dict(BASE, id="scaling", instances=[{"name": "s", "family": "quadratic", "d": 5, "L": "kap",
                                         "mu": 1.0}],
         measure="dist", sweep={"name": "kap", "values": [2, 4, 8]}, target="1e-3*R",
         bound="O(kap)", mode="scaling", iterations=400),
    dict(BASE, id="stability", kind="lower", parameter="step", bracket=["0.5/L", "4/L"],
         bound="2/L", mode="stability", iterations=200, expected="tight"),
    dict(BASE, id="seeds", algorithm="sgd", params={"step": "1/(2*L)"},
         instances=[{"name": "n", "family": "quadratic", "d": 3, "L": 1.0, "mu": 0.1,
                     "noise": 1.0}], bound="O(1/k)", kind="order", iterations=200, seeds=8),
]

FIELDS = sorted(set(BASE) | set(CLAIM_FIELDS) | {"horizons", "window", "band", "rtol",
                                                 "order_tol", "seeds", "statistic", "quantile",
                                                 "sweep", "target", "parameter", "bracket",
                                                 "iterate", "unknown_field"})

#: Numbers near the edges (sizes, steps, tolerances).
EDGES = st.sampled_from([0, 1, -1, 2, 3, 0.5, 1e-300, 1e300, 10**8, 10**9, 10**5, 2**31,
                         2**63 - 1, 1e-9, 0.999999, 1.000001, 5e-324])


def _toml_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    if isinstance(v, float):
        if v != v:
            return "nan"
        if v in (float("inf"), float("-inf")):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_toml_value(str(k))} = {_toml_value(x)}"
                                for k, x in v.items()) + " }"
    raise TypeError(v)


def _document(claim: dict) -> str:
    return "[[claim]]\n" + "\n".join(f"{k} = {_toml_value(v)}" for k, v in claim.items()) + "\n"


@st.composite
def mutated_claims(draw):
    """A claim of :data:`BASES` with one to three fields set to a hostile or edge value,
    deleted, or an instance parameter changed."""
    claim = dict(draw(st.sampled_from(BASES)))
    for _ in range(draw(st.integers(1, 3))):
        field = draw(st.sampled_from(FIELDS))
        action = draw(st.sampled_from(["set", "edge", "delete", "instance"]))
        if action == "delete":
            claim.pop(field, None)
        elif action == "instance":
            inst = dict(claim["instances"][0]) if isinstance(claim.get("instances"), list) \
                and claim["instances"] and isinstance(claim["instances"][0], dict) else {}
            inst[draw(st.sampled_from(["d", "L", "mu", "family", "seed", "x0", "noise",
                                       "name", "bogus"]))] = draw(st.one_of(VALUES, EDGES))
            claim["instances"] = [inst]
        elif action == "edge" and field in ("iterations", "seeds", "max_seeds", "horizons",
                                            "quantile", "rtol", "window", "band", "bracket"):
            value = draw(EDGES)
            claim[field] = [value, draw(EDGES)] if field in ("horizons", "window", "band",
                                                             "bracket") else value
        else:
            claim[field] = draw(VALUES)
    return _document(claim)


def _check(tmp_path, capsys, text: str, *, problems: str | None = None) -> int:
    """Run one document (and its instance file) through ``convlab verify`` and check the
    contract of the module docstring; returns the exit code."""
    path = tmp_path / "fuzz.toml"
    path.write_text(text, encoding="utf-8")
    named = []
    if problems is not None:
        folder = tmp_path / "problems"
        folder.mkdir(exist_ok=True)
        (folder / "fuzz_instances.toml").write_text(problems, encoding="utf-8")
        named = [str(folder / "fuzz_instances.toml")]
    capsys.readouterr()
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        code = main(["verify", str(path), "-j", "1", "--no-cache", "-q", "--no-progress",
                     *BUDGET])
    seconds = time.perf_counter() - start
    out, err = capsys.readouterr()
    document = text if problems is None else f"{problems}\n---\n{text}"
    assert seconds < DEADLINE_S, f"{seconds:.1f} s on\n{document}"
    assert code in (0, 1, 2), document
    assert "Traceback" not in err + out, f"{err}\n{document}"
    assert "internal error" not in err + out, f"{err}\n{document}"
    assert not [w for w in caught if "First-class function type" not in str(w.message)], \
        [str(w.message) for w in caught]
    lines = [line for line in err.splitlines() if line.strip()]
    if code == 2:
        assert lines, document
        for line in lines:
            assert line.startswith("convlab: error: "), f"{err}\n{document}"
            assert any(name in line for name in [str(path), *named]), f"{line}\n{document}"
    else:
        assert not lines, f"stray lines on stderr: {err}\n{document}"
    return code


#: A claim over the instance ``inst`` of the instance documents.
INSTANCE_CLAIM = _document(dict(BASE, instances=["inst"]))

#: Families and the parameters the instance documents draw from (real ones and bogus ones).
FAMILY_NAMES = ["quadratic", "huber-1d", "nesterov-chain", "ls-wide-consistent", "quad-diag-sam",
                "l1-ridge-ball", "monotone-linear", "smooth-convex", "cournot", "qudratic", ""]
PARAMETERS = ["d", "L", "mu", "n", "m", "N", "seed", "delta", "R", "spectrum", "rotate", "x0",
              "noise", "lam_max", "rho", "pieces", "description", "bogus"]
NUMBERS = st.one_of(st.integers(-5, 400), st.floats(-1e3, 1e3), st.sampled_from(
    [0, 1, 2, 10**6, 2**63 - 1, -(2**63), 1e308, 5e-324, "1/L", "2*d", "N", "d", "d**d",
     "1/0", "log(0)", "floor(exp(exp(50)))", "max(0/0, 1)", "10**300*10**300"]))


@st.composite
def instance_documents(draw):
    """An instance file (``[inst]`` and sometimes a second table) with mutated parameters."""
    table = {"family": draw(st.sampled_from(FAMILY_NAMES))}
    for _ in range(draw(st.integers(0, 4))):
        table[draw(st.sampled_from(PARAMETERS))] = draw(st.one_of(NUMBERS, VALUES))
    if draw(st.booleans()):
        table.pop("family")
    lines = ["[inst]"] + [f"{_toml_value(str(k))} = {_toml_value(v)}" for k, v in table.items()]
    if draw(st.integers(0, 4)) == 0:  # a duplicate or a stray top-level value
        lines = [draw(st.sampled_from(["inst = 1", "[inst]\nfamily = \"quadratic\"",
                                       "x = [[[[[[1]]]]]]"]))] + lines
    return "\n".join(lines) + "\n"


#: Documents that are not a list of claim tables, or are TOML at its edges.
STRUCTURAL = [
    "claim = [1, 2]", "claim = 1", "[claim]\nid = 'x'", "[[claim]]", "[[claim]]\n[[claim]]",
    "x = " + "[" * 2000 + "]" * 2000, "[[claim]]\nid = " + "[" * 500 + "]" * 500,
    "[[claim]]\nparams = " + "{a = " * 300 + "1" + "}" * 300, "[[claim]]\nid = 1979-05-27",
    "[[claim]]\niterations = 1979-05-27T07:32:00Z", "[[claim]]\nseeds = 9223372036854775807",
    "\ufeff[[claim]]", "[[claim]]\nid = \"\u0000\"", "[[claim]]\n" + "a" * 5000 + " = 1",
]


@st.composite
def structural_documents(draw):
    """An edge of TOML, or a valid claim with one of them spliced in."""
    base = draw(st.sampled_from(STRUCTURAL))
    if draw(st.booleans()):
        return base
    claim = dict(BASE)
    claim[draw(st.sampled_from(FIELDS))] = draw(VALUES)
    return _document(claim) + base + "\n"


FAST = dict(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                  HealthCheck.too_slow])


@pytest.fixture(scope="module", autouse=True)
def _kernels_loaded(tmp_path_factory):
    """Load (or compile, on a cold cache) the kernels of the base claim once, so that the
    deadline of each document measures the document."""
    path = tmp_path_factory.mktemp("warm") / "base.toml"
    path.write_text(_document(BASE), encoding="utf-8")
    assert main(["verify", str(path), "-j", "1", "--no-cache", "-q", "--no-progress"]) == 0


# The fast tier: 1,000 documents (500 + 300 + 120 + 80).
@settings(max_examples=500, **FAST)
@given(mutated_claims())
def test_mutated_claims_never_crash(tmp_path, capsys, text):
    _check(tmp_path, capsys, text)


@settings(max_examples=300, **FAST)
@given(instance_documents())
def test_mutated_instances_never_crash(tmp_path, capsys, problems):
    _check(tmp_path, capsys, INSTANCE_CLAIM, problems=problems)


@settings(max_examples=120, **FAST)
@given(structural_documents())
def test_structural_documents_never_crash(tmp_path, capsys, text):
    _check(tmp_path, capsys, text)


@settings(max_examples=80, **FAST)
@given(st.text(max_size=200))
def test_random_text_never_crashes(tmp_path, capsys, text):
    _check(tmp_path, capsys, text)


# The slow tier: 10,000 more.
@pytest.mark.slow
@settings(max_examples=6000, **FAST)
@given(mutated_claims())
def test_mutated_claims_never_crash_slow(tmp_path, capsys, text):
    _check(tmp_path, capsys, text)


@pytest.mark.slow
@settings(max_examples=3000, **FAST)
@given(instance_documents())
def test_mutated_instances_never_crash_slow(tmp_path, capsys, problems):
    _check(tmp_path, capsys, INSTANCE_CLAIM, problems=problems)


@pytest.mark.slow
@settings(max_examples=1000, **FAST)
@given(st.one_of(structural_documents(), st.text(max_size=400)))
def test_structural_documents_never_crash_slow(tmp_path, capsys, text):
    _check(tmp_path, capsys, text)


def _plugin_session(pytester, documents: list[str]) -> None:
    """Run the pytest plugin over ``documents`` (one file each) in one session: it must end
    with every bad file as failing items, never interrupted or with collection errors."""
    for i, text in enumerate(documents):
        pytester.path.joinpath(f"claims_{i:03d}.toml").write_text(text, encoding="utf-8")
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-q", "-W",
                                          "error::UserWarning")
    outcomes = result.parseoutcomes()
    assert result.ret in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED), result.stdout.str()
    assert outcomes.get("errors", 0) == 0 and outcomes.get("error", 0) == 0, result.stdout.str()
    claim_files = sum("[[claim]]" in d for d in documents)  # what the plugin collects
    assert outcomes.get("passed", 0) + outcomes.get("failed", 0) >= claim_files
    assert "Traceback" not in result.stdout.str()
    assert "internal error" not in result.stdout.str()


@settings(max_examples=2, **FAST)
@given(st.lists(st.one_of(mutated_claims(), structural_documents()), min_size=40, max_size=40,
                unique=True))
def test_bad_claim_files_are_failing_items_in_one_pytest_session(pytester, documents):
    _plugin_session(pytester, documents + STRUCTURAL)


@pytest.mark.parametrize("bound", HOSTILE)
def test_hostile_bounds_are_one_line_errors_or_verdicts(tmp_path, capsys, bound):
    claim = dict(BASE, bound=bound)
    try:
        tomllib.loads(_document(claim))
    except tomllib.TOMLDecodeError:
        pytest.skip("not TOML")
    _check(tmp_path, capsys, _document(claim))
