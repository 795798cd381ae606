"""``python -m normwatch``: the same as the ``normwatch`` command."""

from normwatch.cli import main

main()
