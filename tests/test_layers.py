"""The package's layering: no import cycles, and each layer imports only the layers below it.

Every import counts, at module level or inside a function: an import deferred for start-up
speed is still a dependency.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src"
PACKAGE = SRC / "normwatch"

#: layer → the layers (top-level subpackages or modules) it may import, besides itself
ALLOWED: dict[str, set[str]] = {
    "__main__": {"cli"},
    "errors": set(),
    "inputs": {"errors"},
    "core": {"errors"},
    "catalog": {"core", "errors", "inputs"},
    "formats": set(),
    "features": set(),
    "coding": {"errors", "core", "catalog", "inputs"},
    "store": {"errors", "core", "catalog", "features"},
    "sources": {"errors", "core", "catalog", "store", "coding", "features", "inputs"},
    "service": {
        "errors",
        "core",
        "catalog",
        "store",
        "sources",
        "coding",
        "features",
        "formats",
        "inputs",
    },
    "web": {"errors", "core", "catalog", "store", "sources", "coding", "service", "formats", "web"},
    "cli": {
        "errors",
        "core",
        "catalog",
        "store",
        "sources",
        "coding",
        "service",
        "formats",
        "web",
        "features",
        "inputs",
    },
}


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> Iterator[str]:
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*up, base] if base else up)
            targets = [f"{base}.{a.name}" for a in node.names] + [base]
        for target in targets:
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if target and target != name:
                yield target
                break


GRAPH = {name: set(_imports(name, path)) for name, path in MODULES.items()}


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "normwatch"


def test_no_module_imports_a_module_that_imports_it_back() -> None:
    # Tarjan's strongly connected components: any component of two or more is a cycle
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in GRAPH[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for v in sorted(GRAPH):
        if v not in index:
            visit(v)
    assert cycles == []


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m != "normwatch"))
def test_a_module_imports_only_the_layers_below_it(module: str) -> None:
    layer = _layer(module)
    allowed = ALLOWED[layer] | {layer}
    wrong = sorted(t for t in GRAPH[module] if _layer(t) not in allowed and t != "normwatch")
    assert wrong == [], f"{module} ({layer}) imports {wrong}"


def test_routers_never_import_the_app() -> None:
    routers = [m for m in MODULES if m.startswith("normwatch.web.routers.")]
    assert routers
    assert [m for m in routers if "normwatch.web.app" in GRAPH[m]] == []


def test_the_core_reads_no_files_and_no_clock() -> None:
    banned = (
        "open(",
        "read_text(",
        "resources.files(",
        "date.today(",
        "datetime.now(",
        "os.environ",
        "sqlalchemy",
        "import click",
        "fastapi",
    )
    found = [
        (m, b)
        for m, p in MODULES.items()
        if _layer(m) == "core"
        for b in banned
        if b in p.read_text(encoding="utf-8")
    ]
    assert found == []


def test_web_handlers_run_in_the_thread_pool_not_on_the_event_loop() -> None:
    # every handler reads the store or computes: an ``async def`` one would block the loop
    import inspect

    from fastapi.routing import APIRoute

    from normwatch.web.routers import api, downloads, feeds, pages

    routes = [r for m in (api, downloads, feeds, pages) for r in m.router.routes]
    handlers = [r for r in routes if isinstance(r, APIRoute)]
    assert len(handlers) > 20
    assert [r.path for r in handlers if inspect.iscoroutinefunction(r.endpoint)] == []
