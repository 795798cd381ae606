"""Where feature modules plug into the core, named as ``module:attribute`` strings.

Feature modules (obligations, meetings, coding, web ...) are imported only when needed, so the
core stays fast to start. Adding a feature means adding its names here.
"""

from __future__ import annotations

import importlib
from typing import Any

#: modules that add tables to ``schema.metadata``
SCHEMA_MODULES: tuple[str, ...] = (
    "normwatch.sources.obligations",
    "normwatch.store.meeting_tables",
    "normwatch.store.journal",
    "normwatch.store.team_tables",
)

#: loaders called as ``f(conn, codes)`` after the core bundled facts are loaded
BUNDLED_LOADERS: tuple[str, ...] = (
    "normwatch.sources.obligations:load_bundled",
    "normwatch.service.groups:load_groups",
    "normwatch.sources.meetings.bundled:load_meetings",
)

#: checks called as ``f(store, treaties) -> list[Problem]`` by ``normwatch check``: with
#: ``treaties`` a set of treaty ids, only the problems of the records of those treaties (an
#: import's scope); None for every problem
CHECKS: tuple[str, ...] = (
    "normwatch.service.obligations:check",
    "normwatch.service.checks:check_meetings",
    "normwatch.service.checks:check_confidence",
    "normwatch.service.checks:check_fiction",
)

#: CLI commands and groups: name → ``module:click_object``
COMMANDS: dict[str, str] = {
    "code": "normwatch.cli.code:code",
    "import": "normwatch.cli.untc:import_group",
    "untc": "normwatch.cli.untc_parse:untc_group",
    "sources": "normwatch.cli.untc:sources_cmd",
    "obligations": "normwatch.cli.obligations:obligations_cmd",
    "deadlines": "normwatch.cli.obligations:deadlines_cmd",
    "calendar": "normwatch.cli.obligations:calendar_cmd",
    "meetings": "normwatch.cli.meetings:meetings_group",
    "reactions": "normwatch.cli.meetings:reactions_cmd",
    "state": "normwatch.cli.state:state_cmd",
    "erosion": "normwatch.cli.erosion:erosion_cmd",
    "serve": "normwatch.cli.serve:serve_cmd",
    "export": "normwatch.cli.export:export_cmd",
    "db": "normwatch.cli.db:db_group",
    "schema": "normwatch.cli.schema:schema_cmd",
    "users": "normwatch.cli.users:users_group",
    "tokens": "normwatch.cli.users:tokens_group",
}


def resolve(dotted: str) -> Any:
    module, _, attr = dotted.partition(":")
    return getattr(importlib.import_module(module), attr)


def import_schema_modules() -> None:
    for name in SCHEMA_MODULES:
        importlib.import_module(name)
