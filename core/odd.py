"""The ODD's parameter tables, generated from the declaration (core/params.py).

docs/ODD.md holds one generated section between two marker lines (BEGIN and END below): one
Markdown table per parameter group, listing every declared parameter with its role, default,
unit, allowed values and meaning. No default is written by hand anywhere in the ODD; this
module writes them.

    python -m grassroots.core.odd [PATH]          rewrite the section of PATH in place
    python -m grassroots.core.odd --check [PATH]  exit 1 if PATH is out of date

PATH defaults to the repository's docs/ODD.md, found beside the package folders (it is not
part of an installed copy). tests/test_odd.py fails when the ODD and the declaration disagree.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from grassroots.core.params import GROUPS, Param, by_group

BEGIN = ("<!-- parameters: begin (generated from core/params.py by "
         "`python -m grassroots.core.odd`; do not edit) -->")
END = "<!-- parameters: end -->"
#: docs/ODD.md of the repository this module sits in (absent from an installed copy)
DEFAULT_PATH = Path(__file__).resolve().parent.parent / "docs" / "ODD.md"

COLUMNS = ("name", "role", "default", "unit", "allowed", "meaning")


class OddError(ValueError):
    """The ODD text has no well-formed generated section; the message is one line."""


def _cell(text: str) -> str:
    """Text made safe for one Markdown table cell."""
    return " ".join(str(text).split()).replace("|", "\\|")


def format_default(param: Param) -> str:
    """The default as the tables show it: integers as such, other numbers to 6 significant
    digits (`1/3` shows as 0.333333), text as is."""
    value = param.default
    if param.kind is str:
        return str(value)
    if param.kind is int:
        return str(int(value))
    return f"{float(value):.6g}"


def _table(group: str) -> str:
    params = by_group(group)
    roles = sorted({p.role for p in params})
    noun = "/".join(f"{r}s" for r in roles)
    lines = [
        f"### `{group}` — {len(params)} {noun}",
        "",
        "| " + " | ".join(COLUMNS) + " |",
        "|" + "---|" * len(COLUMNS),
    ]
    for p in params:
        row = (f"`{p.name}`", p.role, format_default(p), p.unit, p.allowed(), p.doc)
        lines.append("| " + " | ".join(_cell(x) for x in row) + " |")
    costed = [p for p in params if p.cost is not None]
    if costed:
        lines += ["", "Cost models (core/costs.py; unit costs in `policies/costs.toml`):", "",
                  "| name | amount | per | one-off unit cost | recurring unit cost (per year) |",
                  "|---|---|---|---|---|"]
        for p in costed:
            c = p.cost
            row = (f"`{p.name}`", c.amount, c.per, c.one_off or "—", c.recurring or "—")
            lines.append("| " + " | ".join(_cell(x) for x in row) + " |")
    return "\n".join(lines) + "\n"


def parameter_tables() -> str:
    """One Markdown table per group (GROUPS order), every declared parameter once, in
    declaration order. The text between the ODD's marker lines is exactly this."""
    return "\n".join(_table(g) for g in GROUPS if by_group(g))


def _bounds(text: str) -> tuple[int, int]:
    """Offsets of the generated section: just after the BEGIN line, and the start of the
    END line."""
    lines = text.splitlines(keepends=True)
    begin = [k for k, line in enumerate(lines) if line.strip() == BEGIN]
    end = [k for k, line in enumerate(lines) if line.strip() == END]
    if len(begin) != 1 or len(end) != 1 or end[0] < begin[0]:
        raise OddError(f"expected one line {BEGIN!r} followed by one line {END!r}; found "
                       f"{len(begin)} begin and {len(end)} end marker(s)")
    start = sum(len(line) for line in lines[:begin[0] + 1])
    stop = sum(len(line) for line in lines[:end[0]])
    return start, stop


def generated_section(text: str) -> str:
    """The text between the marker lines, less the blank line after the begin marker and
    the one before the end marker (so it equals `parameter_tables()` when up to date)."""
    start, stop = _bounds(text)
    section = text[start:stop]
    if section.startswith("\n"):
        section = section[1:]
    if section.endswith("\n\n"):
        section = section[:-1]
    return section


def update_odd(text: str) -> str:
    """`text` with everything between the marker lines replaced by the tables (a blank line
    after the begin marker and before the end marker)."""
    start, stop = _bounds(text)
    return text[:start] + "\n" + parameter_tables() + "\n" + text[stop:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m grassroots.core.odd",
        description="Regenerate the parameter tables of docs/ODD.md from core/params.py.")
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_PATH,
                        help="the ODD file (default: the repository's docs/ODD.md)")
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 if the file is out of date")
    args = parser.parse_args(argv)
    path: Path = args.path
    if not path.is_file():
        print(f"odd: no file {str(path)!r} (the ODD lives in a source checkout, not in an "
              "installed copy); give its path", file=sys.stderr)
        return 2
    text = path.read_text(encoding="utf-8")
    try:
        new = update_odd(text)
    except OddError as err:
        print(f"odd: {path}: {err}", file=sys.stderr)
        return 2
    if args.check:
        if new != text:
            print(f"odd: {path} is out of date with core/params.py; run "
                  "`python -m grassroots.core.odd`", file=sys.stderr)
            return 1
        return 0
    if new != text:
        from grassroots.core.io import atomic_write_text  # only the writer needs it

        atomic_write_text(new, path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
