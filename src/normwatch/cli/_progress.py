"""Progress bars on stderr for the commands that can take seconds (imports of several files,
``code auto`` on a meeting, ``export``), drawn only when stderr is a terminal.

The service functions take ``progress(step, done, total)``: ``step`` names what is being done
("reading", "applying", "coding", "writing"), ``done`` of ``total`` items are finished. This
module turns those calls into a ``rich`` progress bar; off a terminal (a pipe, a file, a test)
it draws nothing and prints nothing, so scripted output is unchanged.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO, Any

ProgressCallback = Callable[[str, int, int], None]


def wants_progress(stream: IO[str] | None = None) -> bool:
    """Whether ``stream`` (default: stderr) is a terminal."""
    stream = stream if stream is not None else sys.stderr
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


@contextmanager
def progress_bar(
    title: str, stream: IO[str] | None = None, *, enabled: bool = True
) -> Iterator[ProgressCallback | None]:
    """A ``progress(step, done, total)`` callback drawing a bar on ``stream`` (default:
    stderr), or None when it is not a terminal (or not ``enabled``: too little work to show).
    The bar is removed when the block ends."""
    out = stream if stream is not None else sys.stderr
    if not enabled or not wants_progress(out):
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(file=out, force_terminal=True)
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
    tasks: dict[str, Any] = {}

    def update(step: str, done: int, total: int) -> None:
        if step not in tasks:
            tasks[step] = bar.add_task(f"{title}: {step}", total=total)
        bar.update(tasks[step], completed=done, total=total)

    with bar:
        yield update
