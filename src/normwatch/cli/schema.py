"""``normwatch schema NAME``: the JSON Schema of a file people write, for editors."""

from __future__ import annotations

import click

from normwatch.core.schemas.published import PUBLISHED


@click.command("schema")
@click.argument("name", type=click.Choice(sorted(PUBLISHED)))
def schema_cmd(name: str) -> None:
    """Print the JSON Schema of a codebook, a meeting.yaml, an obligations row or a treaty file.

    Point an editor at it (the YAML language server: a `# yaml-language-server: $schema=...`
    line; Taplo's `#:schema` line for a TOML treaty file) to have a file checked as it is typed.
    The same files are in the repository's
    schemas/ folder.

    \\b
    Example:
      normwatch schema codebook > codebook.schema.json
    """
    from normwatch.core.schemas.published import schema_text

    click.echo(schema_text(name), nl=False)
