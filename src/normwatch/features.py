"""Where feature modules plug into the core, named as ``module:attribute`` strings.

Feature modules (obligations, meetings, coding, web ...) are imported only when needed, so the
core stays fast to start. Adding a feature means adding its names here.
"""

from __future__ import annotations

import importlib
from typing import Any

#: modules that add tables to ``schema.metadata``
SCHEMA_MODULES: tuple[str, ...] = ()

#: loaders called as ``f(conn, codes)`` after the core bundled facts are loaded
BUNDLED_LOADERS: tuple[str, ...] = ()

#: checks called as ``f(store) -> list[Problem]`` by ``normwatch check``
CHECKS: tuple[str, ...] = ()

#: CLI commands and groups: name → ``module:click_object``
COMMANDS: dict[str, str] = {
    "import": "normwatch.untc_cli:import_group",
    "untc": "normwatch.untc_cli:untc_group",
    "sources": "normwatch.untc_cli:sources_cmd",
}


def resolve(dotted: str) -> Any:
    module, _, attr = dotted.partition(":")
    return getattr(importlib.import_module(module), attr)


def import_schema_modules() -> None:
    for name in SCHEMA_MODULES:
        importlib.import_module(name)
