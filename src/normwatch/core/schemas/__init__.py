"""The schema layer: pydantic models of the files people write (codebooks, ``meeting.yaml``
and the meeting tables, the obligations tables).

Each model states the keys, their kinds and the allowed values once; readers validate with it
(:func:`problems` turns every error into ``where: message`` with the key path or the CSV line,
all at once), ``normwatch schema`` publishes its JSON Schema, and the web API uses the same
shapes for its responses. Checks that need more than one file (a State name through the
registry, a code of another codebook) stay in the readers.
"""

from __future__ import annotations

from normwatch.core.kinds import kind_of
from normwatch.core.schemas._base import Text, listed, problems, where_of

__all__ = ["Text", "kind_of", "listed", "problems", "where_of"]
