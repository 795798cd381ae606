"""The ``normwatch`` command line, one module per command group (see :mod:`.main`)."""

from normwatch.cli.main import cli, main

__all__ = ["cli", "main"]
