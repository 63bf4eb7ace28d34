"""core/params.py: the one declaration of every parameter, its validation and layering."""

import math

import pytest

from grassroots.core.params import (
    GROUPS, PARAMS, ParameterError, by_group, defaults, parse_assignments, resolve,
    validate_one,
)

ALL = sorted(PARAMS)


@pytest.mark.parametrize("name", ALL)
def test_every_default_validates_to_itself(name):
    p = PARAMS[name]
    value = p.validate(p.default)
    assert value == p.default
    assert type(value) is p.kind
    if p.low is not None:
        assert p.default >= p.low
    if p.high is not None:
        assert p.default <= p.high


@pytest.mark.parametrize("name", ALL)
def test_every_parameter_is_documented(name):
    p = PARAMS[name]
    assert p.name == name
    assert p.group in GROUPS
    assert p.unit.strip() and p.doc.strip()
    assert p.kind in (int, float, str)


LEVER_GROUPS = ("prevention", "resistance", "adaptability", "recovery", "learning")


@pytest.mark.parametrize("name", [n for n in ALL if PARAMS[n].group in LEVER_GROUPS])
def test_every_lever_can_be_switched_off(name):
    p = PARAMS[name]
    off = p.off_value
    assert p.validate(off) == off
    assert off != p.default or p.default == p.low


def test_groups_partition_the_declaration():
    names = [p.name for g in GROUPS for p in by_group(g)]
    assert sorted(names) == ALL
    # the five capacities of the framework each have levers
    for g in ("prevention", "resistance", "adaptability", "recovery", "learning"):
        assert by_group(g), g


def test_defaults_are_the_declared_defaults():
    d = defaults()
    assert d == {name: p.default for name, p in PARAMS.items()}
    assert resolve() == d
    assert resolve(None, {}) == d


def test_unknown_name_is_named_with_a_suggestion():
    with pytest.raises(ParameterError) as err:
        validate_one("party_contact_rat", 1.0)
    msg = str(err.value)
    assert "'party_contact_rat'" in msg
    assert "did you mean party_contact_rate?" in msg
    assert "\n" not in msg


def test_unknown_name_without_close_match_is_still_named():
    with pytest.raises(ParameterError, match="unknown parameter 'zzzz'"):
        validate_one("zzzz", 1)


def test_unknown_name_names_its_source():
    with pytest.raises(ParameterError) as err:
        resolve({"residentz": 100}, source="policy mine.toml")
    msg = str(err.value)
    assert msg.startswith("policy mine.toml: ")
    assert "'residentz'" in msg and "residents" in msg


@pytest.mark.parametrize("name, value, allowed", [
    ("party_member_share", 1.5, "a number in [0, 1]"),
    ("party_member_share", -0.1, "a number in [0, 1]"),
    ("residents", 5, "an integer in [10, 2000000]"),
    ("days", 0, "an integer in [1, 3650]"),
    ("recovery_epsilon", 0.9, "a number in [0.001, 0.5]"),
])
def test_out_of_range_names_field_and_allowed_range(name, value, allowed):
    with pytest.raises(ParameterError) as err:
        validate_one(name, value)
    msg = str(err.value)
    assert msg.startswith(f"{name}: ")
    assert repr(value) in msg
    assert msg.endswith(f"allowed: {allowed}")
    assert "\n" not in msg


def test_bounds_are_inclusive():
    p = PARAMS["party_member_share"]
    assert p.validate(0) == 0.0 and p.validate(1) == 1.0
    r = PARAMS["residents"]
    assert r.validate(10) == 10 and r.validate(2_000_000) == 2_000_000


def test_int_parameter_rejects_a_fraction():
    with pytest.raises(ParameterError, match=r"residents: got 2\.5; allowed: an integer"):
        validate_one("residents", 2.5)
    with pytest.raises(ParameterError, match=r"residents: got '2\.5'; allowed: an integer"):
        PARAMS["residents"].parse("2.5")


def test_int_parameter_accepts_an_integral_float_and_returns_int():
    v = validate_one("residents", 300.0)
    assert v == 300 and type(v) is int


def test_float_parameter_accepts_an_int_and_returns_float():
    v = validate_one("mutual_aid_strength", 1)
    assert v == 1.0 and type(v) is float


@pytest.mark.parametrize("bad", [True, False, None, "abc", float("nan"), float("inf"), [1]])
def test_non_numbers_are_rejected(bad):
    with pytest.raises(ParameterError, match="mutual_aid_strength: got .*; allowed: a number"):
        validate_one("mutual_aid_strength", bad)


def test_parse_assignments_forms():
    got = parse_assignments(["residents=300", " days = 120 ", "mutual_aid_strength=0.8",
                             "reserve_stock=1_0", "party_contact_rate=2e0"])
    assert got == {"residents": 300, "days": 120, "mutual_aid_strength": 0.8,
                   "reserve_stock": 10.0, "party_contact_rate": 2.0}
    assert type(got["residents"]) is int and type(got["mutual_aid_strength"]) is float
    assert parse_assignments([]) == {}
    # a later assignment of the same name wins
    assert parse_assignments(["days=100", "days=200"]) == {"days": 200}


@pytest.mark.parametrize("item", ["days", "days:100", ""])
def test_parse_assignments_bad_syntax(item):
    with pytest.raises(ParameterError) as err:
        parse_assignments([item])
    msg = str(err.value)
    assert msg == f"--set: expected NAME=VALUE, got {item!r}"


def test_parse_assignments_bad_value_and_unknown_name():
    with pytest.raises(ParameterError, match=r"^party_member_share: got '1\.5'; allowed: "
                                             r"a number in \[0, 1\]$"):
        parse_assignments(["party_member_share=1.5"])
    with pytest.raises(ParameterError, match=r"^unknown parameter 'nosuch'"):
        parse_assignments(["nosuch=1"])
    with pytest.raises(ParameterError, match=r"^days: got 'many'"):
        parse_assignments(["days=many"])
    with pytest.raises(ParameterError, match=r"^days: got ''"):
        parse_assignments(["days="])


def test_resolve_later_layers_win():
    a = {"residents": 300, "days": 100}
    b = {"days": 200, "mutual_aid_strength": 0.9}
    c = {"mutual_aid_strength": 0.1}
    got = resolve(a, b, c)
    assert got["residents"] == 300  # only in a
    assert got["days"] == 200  # b over a
    assert got["mutual_aid_strength"] == 0.1  # c over b
    assert got["party_contact_rate"] == PARAMS["party_contact_rate"].default  # untouched
    # order matters
    assert resolve(b, a)["days"] == 100


def test_resolve_validates_and_coerces_every_layer():
    got = resolve({"residents": "500"}, {"days": 90.0})
    assert got["residents"] == 500 and type(got["residents"]) is int
    assert got["days"] == 90 and type(got["days"]) is int
    with pytest.raises(ParameterError, match="^days: got 0"):
        resolve({"days": 100}, {"days": 0})


def test_resolve_does_not_mutate_its_inputs():
    layer = {"residents": "500"}
    resolve(layer)
    assert layer == {"residents": "500"}


def test_allowed_texts():
    assert PARAMS["residents"].allowed() == "an integer in [10, 2000000]"
    assert PARAMS["household_size"].allowed() == "a number in [1, 8]"
    assert PARAMS["pilot_share"].allowed() == "a number in [0, 0.5]"
    # every message is one line and finite
    for p in PARAMS.values():
        text = p.allowed()
        assert "\n" not in text and "nan" not in text
        if p.low is not None:
            assert math.isfinite(p.low)


# -- every behaviour constant declared (issue 16) ---------------------------------------------
def test_each_parameter_is_a_lever_or_a_constant():
    from grassroots.core.params import LEVER_GROUPS, constants, levers

    assert {p.role for p in PARAMS.values()} == {"lever", "constant"}
    assert {p.group for p in levers()} == set(LEVER_GROUPS)
    assert len(levers()) + len(constants()) == len(PARAMS)


def _numeric_module_constants(path):
    """Module-level NAME = <number or tuple of numbers> assignments in a source file."""
    import ast

    found = []
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            value = node.value
            if value is None:
                continue
            numbers = [n for n in ast.walk(value) if isinstance(n, ast.Constant)
                       and isinstance(n.value, (int, float)) and not isinstance(n.value, bool)]
            names = [t.id for t in targets if isinstance(t, ast.Name) and t.id.isupper()]
            if names and numbers and not isinstance(value, ast.Call):
                found.append((names[0], node.lineno))
    return found


def test_no_behaviour_constant_outside_the_declaration():
    # The rules, shocks, community builder and model read every number from `p`. Allowed:
    # the vocabulary's indices and calendar units (core/vocabulary.py), and the bounds of
    # scenario-file validation (scenarios/__init__.py MAX_DAYS).
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    # (measures/ is not scanned: its constants define what is reported, such as the 95% of
    # an interval, not how the community behaves.)
    # and the bounds of community-file validation and the tolerances of iterative
    # proportional fitting (community/geo.py): how a file is checked and fitted, not how the
    # community behaves.
    allowed = {("scenarios/__init__.py", "MAX_DAYS"), ("community/geo.py", "SUM_TOLERANCE"),
               ("community/geo.py", "IPF_TOLERANCE"), ("community/geo.py", "IPF_MAX_ITERATIONS")}
    found = []
    for folder in ("agents", "scenarios", "community", "model", "policies"):
        for path in sorted((root / folder).glob("*.py")):
            rel = str(path.relative_to(root))
            found += [f"{rel}:{line} {name}" for name, line in _numeric_module_constants(path)
                      if (rel, name) not in allowed]
    assert not found, f"undeclared behaviour constants: {found}"


def test_params_command_lists_every_declared_parameter():
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "grassroots", "params"], capture_output=True,
                         text=True, check=True).stdout
    for name, p in PARAMS.items():
        assert f"  {name} = " in out, name
    assert f"{len(PARAMS)} parameters:" in out
    levers = subprocess.run([sys.executable, "-m", "grassroots", "params", "--role", "lever"],
                            capture_output=True, text=True, check=True).stdout
    assert all((f"  {n} = " in levers) == (p.role == "lever") for n, p in PARAMS.items())
