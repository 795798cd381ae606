"""``python -m normwatch``: the same as the ``normwatch`` command."""

from normwatch.cli.main import main

main()
