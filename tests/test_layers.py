"""Layers one way (#23 point 3): models → records → core → process → workflows/activities →
starter → service → worker. No module imports from a layer above its own, and no modules import each
other in a circle (runtime and type-checking imports alike; the tests and the scripts sit
on top and may import anything)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYER = {
    "models": 0,
    "records": 1,
    "core": 2,
    "process": 3,
    "workflows": 4,
    "activities": 4,
    "starter": 5,
    "service": 6,
    "worker": 7,
}


def imports(path: Path) -> set[str]:
    """The project modules ``path`` imports (``from pkg import module`` names the module)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module in LAYER and (ROOT / node.module).is_dir():
                found |= {f"{node.module}.{a.name}" for a in node.names}
            else:
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
    return {name for name in found if name.split(".")[0] in LAYER}


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


MODULES = {
    module_name(p): p
    for layer in LAYER
    for p in ([ROOT / f"{layer}.py"] if (ROOT / f"{layer}.py").is_file() else sorted((ROOT / layer).rglob("*.py")))
}
GRAPH = {name: imports(path) for name, path in MODULES.items()}


def upward(graph: dict[str, set[str]]) -> list[str]:
    return sorted(
        f"{module} imports {target}"
        for module, targets in graph.items()
        for target in targets
        if LAYER[target.split(".")[0]] > LAYER[module.split(".")[0]]
    )


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""

    def known(target: str) -> str | None:
        while target not in graph:
            if "." not in target:
                return None
            target = target.rsplit(".", 1)[0]
        return target

    edges = {m: {k for t in ts if (k := known(t)) and k != m} for m, ts in graph.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in edges:
        if v not in index:
            visit(v)
    return found


def test_no_module_imports_from_a_layer_above_its_own() -> None:
    assert len(GRAPH) > 80 and "worker" in GRAPH  # every layer is read
    assert upward(GRAPH) == []


def test_no_modules_import_each_other_in_a_circle() -> None:
    assert circles(GRAPH) == []


@pytest.mark.parametrize(
    ("graph", "up", "circle"),
    [
        ({"process.engine": {"workflows.case_rules"}, "workflows.case_rules": set()}, 1, 0),
        ({"models.case": {"models.deadlines"}, "models.deadlines": {"models.case"}}, 0, 1),
        (
            {"starter.cli": {"workflows.registry", "models.case"}, "workflows.registry": set(), "models.case": set()},
            0,
            0,
        ),
    ],
)
def test_the_checks_find_what_they_look_for(graph: dict[str, set[str]], up: int, circle: int) -> None:
    assert (len(upward(graph)), len(circles(graph))) == (up, circle)
