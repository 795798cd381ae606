"""Where feature modules plug into the core, named as ``module:attribute`` strings.

Feature modules (obligations, meetings, coding, web ...) are imported only when needed, so the
core stays fast to start. Adding a feature means adding its names here.
"""

from __future__ import annotations

import importlib
from typing import Any

#: modules that add tables to ``schema.metadata``
SCHEMA_MODULES: tuple[str, ...] = (
    "normwatch.obligations.facts",
    "normwatch.meetings.tables",
)

#: loaders called as ``f(conn, codes)`` after the core bundled facts are loaded
BUNDLED_LOADERS: tuple[str, ...] = (
    "normwatch.obligations.facts:load_bundled",
    "normwatch.meetings.groups:load_groups",
    "normwatch.meetings.bundled:load_meetings",
)

#: checks called as ``f(store) -> list[Problem]`` by ``normwatch check``
CHECKS: tuple[str, ...] = (
    "normwatch.obligations.queries:check",
    "normwatch.meetings.checks:check_meetings",
)

#: CLI commands and groups: name → ``module:click_object``
COMMANDS: dict[str, str] = {
    "code": "normwatch.code_cli:code",
    "import": "normwatch.untc_cli:import_group",
    "untc": "normwatch.untc_cli:untc_group",
    "sources": "normwatch.untc_cli:sources_cmd",
    "obligations": "normwatch.obligations.cli:obligations_cmd",
    "deadlines": "normwatch.obligations.cli:deadlines_cmd",
    "calendar": "normwatch.obligations.cli:calendar_cmd",
    "meetings": "normwatch.meetings.cli:meetings_group",
    "reactions": "normwatch.meetings.cli:reactions_cmd",
    "serve": "normwatch.web.cli:serve_cmd",
    "export": "normwatch.export:export_cmd",
}


def resolve(dotted: str) -> Any:
    module, _, attr = dotted.partition(":")
    return getattr(importlib.import_module(module), attr)


def import_schema_modules() -> None:
    for name in SCHEMA_MODULES:
        importlib.import_module(name)
