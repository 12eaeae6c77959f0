"""The memo of expressions checked before (convlab/rates/checked.py): the same answers as the
parser, errors always the parser's, and loading claims without sympy once it is warm."""

import json
import shutil
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest

from convlab.errors import BoundError
from convlab.rates import checked
from convlab.rates.expressions import free_names, parse_expression
from convlab.runtime import sources

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def memo(tmp_path, monkeypatch):
    """A fresh memo in its own folder."""
    monkeypatch.setattr(checked, "MEMO_FOLDER", tmp_path / "memo")
    checked.forget()
    yield tmp_path / "memo"
    checked.forget()


def _catalog_expressions() -> list[tuple[object, bool]]:
    """Every bound (O(...) allowed) and parameter expression of the catalog's claims."""
    found = []
    for path in sorted((ROOT / "rates").glob("*.toml")):
        data = tomllib.loads(path.read_text())
        for claim in data.get("claims", data.get("claim", [])):
            if "bound" in claim:
                found.append((claim["bound"], True))
            found.extend((v, False) for v in claim.get("params", {}).values()
                         if isinstance(v, (str, int, float)) and not isinstance(v, bool))
    return found


def test_the_memo_answers_what_the_parser_answers(memo):
    texts = _catalog_expressions()
    assert len(texts) > 300
    expected = [frozenset(free_names(parse_expression(t, allow_order=o))) for t, o in texts]
    assert [checked.expression_names(t, allow_order=o) for t, o in texts] == expected
    checked.save()
    assert checked.memo_path().parent == memo and checked.memo_path().is_file()
    checked.forget()  # another process: answers read back from the file
    assert [checked.expression_names(t, allow_order=o) for t, o in texts] == expected
    assert not checked._added  # every one from the file


@pytest.mark.parametrize("text", ["1/0", "x.y", "__import__('os')", "O(1/k)", "", "sqrt(-1)",
                                  float("nan"), 2**70, True])
def test_a_refused_text_raises_the_parsers_error_and_is_never_remembered(memo, text):
    with pytest.raises(BoundError) as parser:
        parse_expression(text)
    for _ in range(2):
        with pytest.raises(BoundError) as ours:
            checked.expression_names(text)
        assert str(ours.value) == str(parser.value)
    checked.save()
    path = checked.memo_path()
    assert not path.exists() or json.loads(path.read_text()) == {}


def test_order_is_remembered_apart(memo):
    assert checked.expression_names("O(1/k)", allow_order=True) == {"k"}
    checked.save()
    checked.forget()
    with pytest.raises(BoundError):
        checked.expression_names("O(1/k)")  # not allowed here, whatever the memo holds


def test_an_unreadable_memo_is_ignored_and_rewritten(memo):
    memo.mkdir()
    checked.memo_path().write_text("{ not json")
    assert checked.expression_names("L/(k+1)") == {"L", "k"}
    checked.save()
    assert json.loads(checked.memo_path().read_text()) == {"-s:L/(k+1)": ["L", "k"]}


def test_the_memo_file_is_named_by_the_parsers_sources(memo, tmp_path, monkeypatch):
    before = checked.memo_path()
    copy = tmp_path / "copy" / "convlab"
    shutil.copytree(ROOT / "convlab", copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(sources, "PACKAGE_ROOT", copy)
    assert checked.memo_path() == before  # the same sources
    parser = copy / "rates" / "expressions.py"
    parser.write_text(parser.read_text() + "\n_MAX_DEPTH = 50\n")
    assert checked.memo_path() != before  # an edited parser starts a memo of its own


_LOAD = textwrap.dedent("""
    import sys
    from pathlib import Path
    from convlab.rates import checked
    checked.MEMO_FOLDER = Path(sys.argv[1])
    from convlab.claims import load_file
    claims, errors = load_file(Path(sys.argv[2]))
    assert not errors, errors
    print(repr(claims))
    print("sympy" in sys.modules)
""")


def test_a_warm_memo_loads_claims_without_sympy(tmp_path):
    """Two processes load the same claim file: the second, from the memo the first wrote,
    builds the same claims and never imports sympy."""
    claim_file = ROOT / "rates" / "drori_teboulle_2014.toml"

    def load() -> list[str]:
        done = subprocess.run([sys.executable, "-c", _LOAD, str(tmp_path / "memo"),
                               str(claim_file)], capture_output=True, text=True, timeout=300,
                              cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        return done.stdout.splitlines()

    first = load()
    second = load()
    assert first[-1] == "True" and second[-1] == "False"
    assert first[:-1] == second[:-1]
