"""``normwatch code``: the coder's commands (text, evaluate, train, codebooks) and the store's
coding commands (set, unset, show, agreement, auto) in one group."""

from __future__ import annotations

from normwatch.coding.cli import code
from normwatch.meetings.coding_cli import COMMANDS

for _command in COMMANDS:
    code.add_command(_command)

__all__ = ["code"]
