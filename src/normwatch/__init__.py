"""normwatch: who is bound by a humanitarian disarmament treaty, what is due, and who spoke up."""

from __future__ import annotations

__version__ = "0.1.0"
