"""docs/ODD.md agrees with the code: its parameter tables are the declaration's
(core/params.py, rendered by core/odd.py), every parameter is described, and every file and
function it cites exists."""

import ast
import re
from pathlib import Path

import pytest

from grassroots.core import odd
from grassroots.core.params import PARAMS

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parent.parent
ODD = ROOT / "docs" / "ODD.md"
TEXT = ODD.read_text(encoding="utf-8")
PATH = re.compile(r"[a-z_]+/[a-z_]+\.py")
#: a citation `dir/file.py: name, Class.method, ...` (a backticked span, may wrap lines)
CITATION = re.compile(r"`([a-z_]+/[a-z_]+\.py): ([^`]+)`")


def prose(text: str = TEXT) -> str:
    """The hand-written part of the ODD: everything but the generated tables."""
    return text.replace(odd.generated_section(text), "")


def test_generated_tables_match_the_declaration():
    assert odd.generated_section(TEXT) == odd.parameter_tables(), (
        "docs/ODD.md's parameter tables differ from core/params.py; run "
        "`python -m grassroots.core.odd`")


def test_update_is_idempotent_and_keeps_the_prose():
    updated = odd.update_odd(TEXT)
    assert odd.update_odd(updated) == updated
    assert prose(updated) == prose()


def test_update_needs_both_markers():
    with pytest.raises(odd.OddError):
        odd.update_odd("no markers here\n")
    with pytest.raises(odd.OddError):
        odd.update_odd(f"{odd.END}\n{odd.BEGIN}\n")


def test_every_parameter_is_in_a_table_and_described_in_the_text():
    tables = odd.parameter_tables()
    assert all(f"| `{name}` |" in tables for name in PARAMS)
    text = prose()
    missing = [name for name in PARAMS if f"`{name}`" not in text]
    assert not missing, f"docs/ODD.md's text never names these parameters: {missing}"


def test_no_references_to_files_outside_the_repository():
    for stale in ("../shared", "FRAMEWORK.txt", "DESIGN.md"):
        assert stale not in TEXT, f"docs/ODD.md mentions {stale!r}"


def test_every_cited_path_exists():
    cited = set(PATH.findall(TEXT))
    assert cited, "no paths found: the pattern is wrong"
    missing = sorted(p for p in cited if not (ROOT / p).is_file())
    assert not missing, f"docs/ODD.md cites files that do not exist: {missing}"


def _defined_names(path: Path) -> set[str]:
    """Functions, classes, methods and module-level assignments of a Python file."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(t.id for t in targets if isinstance(t, ast.Name))
    return names


def test_every_cited_rule_is_found_by_its_name():
    """`agents/resident.py: mutual_aid` names a function (or class, method, constant) that
    the file defines."""
    bad = []
    citations = CITATION.findall(TEXT)
    assert citations, "no citations found: the pattern is wrong"
    for path, names in citations:
        if not (ROOT / path).is_file():
            continue  # reported by test_every_cited_path_exists
        defined = _defined_names(ROOT / path)
        for name in " ".join(names.split()).split(", "):
            leaf = name.strip().split(".")[-1]
            if leaf not in defined:
                bad.append(f"{path}: {name}")
    assert not bad, f"docs/ODD.md cites names its files do not define: {bad}"


def test_cli_check_and_write(tmp_path, capsys):
    stale = tmp_path / "ODD.md"
    stale.write_text(f"# x\n\n{odd.BEGIN}\nold table\n{odd.END}\n\nafter\n", encoding="utf-8")
    assert odd.main(["--check", str(stale)]) == 1
    message = capsys.readouterr().err.strip()
    assert "python -m grassroots.core.odd" in message and "\n" not in message
    assert odd.main([str(stale)]) == 0
    assert odd.main(["--check", str(stale)]) == 0
    text = stale.read_text(encoding="utf-8")
    assert odd.generated_section(text) == odd.parameter_tables()
    assert text.startswith("# x\n\n") and text.endswith(f"{odd.END}\n\nafter\n")
    assert odd.main([str(tmp_path / "missing.md")]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
