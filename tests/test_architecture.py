"""The import rule and the layers, checked on the source (issue 16).

`grassroots.<x>` lives in `./<x>/`; imports are absolute; no module imports another in a
cycle; packages form layers, each importing only from layers below it (or within itself):

    core (vocabulary, parameter declaration, I/O and validation)
    -> community, policies (state and community; policy packages)
    -> agents, scenarios, measures (rules; shocks; pure measures)
    -> model (the daily step, the run entry point)
    -> sweeps -> analysis, optimise (policy search) -> validation (published patterns)
    -> dashboard
    -> grassroots (the facade: root, __main__, CLI)

so nothing in the core (core .. model) imports a surface.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parent.parent
LAYERS = {"core": 0, "community": 1, "policies": 1, "agents": 2, "scenarios": 2,
          "measures": 3, "model": 4, "sweeps": 5, "analysis": 6, "optimise": 6,
          "validation": 7, "dashboard": 8, "grassroots": 9}
CORE = {name for name, rank in LAYERS.items() if rank <= LAYERS["model"]}


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(["grassroots", *parts] if parts[0] != "grassroots" else parts)


def our_modules() -> dict[str, Path]:
    mods = {}
    for pkg in LAYERS:
        for path in sorted((ROOT / pkg).rglob("*.py")):
            mods[module_name(path)] = path
    return mods


MODULES = our_modules()


def imports_of(path: Path) -> list[tuple[str, int, int]]:
    """(imported module of ours, line, level) for every import in the file, function-level
    imports included."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                out.append((node.module or ".", node.lineno, node.level))
                continue
            base = node.module or ""
            if base.split(".")[0] != "grassroots":
                continue
            for alias in node.names:
                full = f"{base}.{alias.name}"
                out.append((full if full in MODULES else base, node.lineno, 0))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "grassroots":
                    out.append((alias.name, node.lineno, 0))
    return out


def graph() -> nx.DiGraph:
    g = nx.DiGraph()
    for mod, path in MODULES.items():
        g.add_node(mod)
        for target, _, _ in imports_of(path):
            if target in MODULES and target != mod:
                g.add_edge(mod, target)
    return g


def package(mod: str) -> str:
    parts = mod.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS and parts[1] != "grassroots" \
        and (ROOT / parts[1]).is_dir() else "grassroots"


def test_every_code_folder_is_a_package_of_the_same_name():
    for pkg in LAYERS:
        assert (ROOT / pkg / "__init__.py").is_file(), f"{pkg}/ has no __init__.py"
    assert set(MODULES) >= {"grassroots", "grassroots.core.vocabulary", "grassroots.cli"}


def test_imports_are_absolute():
    relative = [f"{path.relative_to(ROOT)}:{line}" for path in MODULES.values()
                for _, line, level in imports_of(path) if level]
    assert not relative, f"relative imports: {relative}"


def test_imports_resolve_to_our_modules():
    missing = [f"{path.relative_to(ROOT)}:{line} {target}" for path in MODULES.values()
               for target, line, _ in imports_of(path) if target not in MODULES]
    assert not missing, f"imports of modules that do not exist: {missing}"


def test_no_import_cycle_between_modules():
    cycles = list(nx.simple_cycles(graph()))
    assert not cycles, f"import cycles: {cycles[:5]}"


def test_packages_form_layers():
    wrong = []
    for src, dst in graph().edges:
        a, b = package(src), package(dst)
        if a != b and LAYERS[b] >= LAYERS[a]:
            wrong.append(f"{src} ({a}, layer {LAYERS[a]}) imports {dst} ({b}, layer {LAYERS[b]})")
    assert not wrong, "imports against the layers:\n" + "\n".join(wrong)


def test_the_core_never_imports_a_surface():
    for src, dst in graph().edges:
        if package(src) in CORE:
            assert package(dst) in CORE, f"{src} (core) imports the surface {dst}"


def test_the_vocabulary_imports_nothing_of_ours():
    assert not list(graph().successors("grassroots.core.vocabulary"))
    for mod in ("grassroots.core.io", "grassroots.core.params"):
        assert all(package(d) == "core" for d in graph().successors(mod)), mod


def test_the_layer_test_sees_a_cycle_when_there_is_one():
    # the checks above are only as good as the graph: a known import must be in it
    g = graph()
    assert g.has_edge("grassroots.model.model", "grassroots.agents.resident")
    assert g.has_edge("grassroots.model.run", "grassroots.measures.summary")
