"""The recorded answers (no tests here): what every command of the README's tour prints in each
``--format``, and what every page and API route answers for a few dates, on the bundled data.

``scripts/record_responses.py`` writes them to ``tests/data/responses.json.gz``;
``tests/test_recorded.py`` checks that the live answers are still the same, byte for byte, once
what truly varies between runs is replaced by a placeholder: the software version, the time an
import was made, and the temporary folder the answers were made in.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import json
import os
import re
import shlex
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "data" / "responses.json.gz"

#: "today" of every recorded answer (the web tests' day: after Lithuania's CCM withdrawal)
TODAY = dt.date(2026, 3, 1)

#: tour commands that change a store or write files: run once, as typed, in the tour's order
CHANGING = (
    "import",
    "meetings import",
    "meetings remove",
    "code auto",
    "code set",
    "code unset",
    "code train",
    "db example",
    "db upgrade",
    "export",
)

#: dates asked of the pages and the API besides "today"
DATES = ("2011-08-01", "2025-03-05", "2026-01-01")
TREATIES = (
    "apmbt",
    "att",
    "ccm",
    "ccw",
    "ccw-art1",
    "ccw-p2a",
    "ccw-p4",
    "ccw-p5",
    "ctbt",
    "cwc",
    "enmod",
    "tpnw",
)
STATES = ("LTU", "UKR", "USA", "RUS", "NOR")


@dataclass(frozen=True)
class Answer:
    """One recorded answer: a name (the file it is kept in), what was asked, and the reply."""

    name: str
    asked: str
    text: str


# -- what truly varies ------------------------------------------------------------------------

_STAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:\+00:00|Z)?")


def normalise(text: str, *, tmp: str, started: dt.datetime) -> str:
    """``text`` with the version, the import times of this run, ``tmp`` and the checkout's
    folder as placeholders."""
    from normwatch import __version__

    text = text.replace(tmp, "<TMP>").replace(str(ROOT), "<ROOT>")
    text = re.sub(rf"(?<![\d.]){re.escape(__version__)}(?![\d])", "<VERSION>", text)
    return _STAMP.sub(lambda m: "<NOW>" if _of_this_run(m, started) else m.group(0), text)


def _of_this_run(stamp: re.Match[str], started: dt.datetime) -> bool:
    """Whether a date and time was made by this run (from an hour before it to now)."""
    value = dt.datetime.fromisoformat(stamp.group(0).replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return started - dt.timedelta(hours=1) <= value <= dt.datetime.now(dt.UTC)


# -- the CLI ----------------------------------------------------------------------------------


def tour_lines() -> list[str]:
    """The README's ``normwatch`` lines that run here (no server, no file from the UN)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    lines = []
    for block in re.findall(r"```sh\n(.*?)```", readme, flags=re.S):
        for line in block.splitlines():
            line = re.sub(r"\s+#.*$", "", line).strip()
            if not line.startswith("normwatch "):
                continue
            words = _words(line)
            if words[0] == "serve" or words[:2] == ["import", "untc"]:
                continue
            if words[0] in ("users", "tokens"):  # secrets read or shown once: test_accounts.py
                continue
            if words[:2] == ["code", "assign"]:  # needs the accounts: test_coding_assign.py
                continue
            lines.append(line)
    return lines


def _words(line: str) -> list[str]:
    words = shlex.split(line)[1:]
    while words[:1] == ["--db"]:
        words = words[2:]
    return words


def _takes_format(words: list[str]) -> bool:
    import click

    from normwatch.cli.main import cli

    ctx = click.Context(cli)
    command: click.Command | None = cli
    for word in words:
        if not isinstance(command, click.Group) or word.startswith("-"):
            break
        command = command.get_command(ctx, word)
    return command is not None and any(p.name == "fmt" for p in command.params)


def _variants(line: str) -> list[list[str]]:
    args = shlex.split(line)[1:]
    words = _words(line)
    if any(" ".join(words).startswith(c) for c in CHANGING) or not _takes_format(words):
        return [args]
    if "--format" in args:
        i = args.index("--format")
        args = args[:i] + args[i + 2 :]
    return [[*args, "--format", f] for f in ("table", "csv", "json")]


@contextlib.contextmanager
def frozen_today(day: dt.date) -> Iterator[None]:
    """The CLI's ``today`` (the default of every date option) is ``day``."""
    from normwatch.cli import _common

    original = _common.DateType.convert

    def convert(self: Any, value: Any, param: Any, ctx: Any) -> dt.date:
        if isinstance(value, str) and value.strip() == "today":
            return day
        return original(self, value, param, ctx)

    _common.DateType.convert = convert  # type: ignore[method-assign]
    try:
        yield
    finally:
        _common.DateType.convert = original  # type: ignore[method-assign]


def _run_cli(args: list[str]) -> tuple[int, str, str]:
    from click.testing import CliRunner

    from normwatch.cli.main import cli

    result = CliRunner().invoke(cli, args, env={"COLUMNS": "500"})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def cli_answers(tmp: Path) -> Iterator[Answer]:
    """Every tour line (each ``--format`` of those that change nothing) on fresh stores."""
    db = str(tmp / "normwatch.sqlite")
    paths = {
        "/tmp/normwatch-data": str(tmp / "export"),
        "/tmp/normwatch-tour.sqlite": str(tmp / "tour.sqlite"),
        "/tmp/normwatch-model.bin": str(tmp / "model.bin"),
        "/tmp/normwatch-plan.csv": str(tmp / "plan.csv"),
    }
    seen: dict[str, int] = {}
    with frozen_today(TODAY):
        for line in tour_lines():
            for asked in _variants(line):
                args = [paths.get(a, a) for a in asked]
                if args[:1] != ["--db"]:
                    args = ["--db", db, *args]
                code, out, err = _run_cli(args)
                shown = shlex.join(["normwatch", *asked])
                slug = _slug(" ".join(_words(shown)))
                seen[slug] = seen.get(slug, 0) + 1
                if seen[slug] > 1:
                    slug = f"{slug}-{seen[slug]}"
                yield Answer(
                    f"cli/{slug}.txt", shown, f"exit {code}\n--- stdout\n{out}--- stderr\n{err}"
                )


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9.]+", "-", text).strip("-")[:120]


# -- the web ----------------------------------------------------------------------------------


def web_paths() -> list[str]:
    """Every page and API route, each with a few dates where it takes one."""
    on = ["", *(f"?on={d}" for d in DATES)]
    paths = [f"/{q}" for q in on]
    paths += [
        "/methods",
        "/api/v1/docs",
        "/meetings",
        "/meetings/ccm-12msp",
        "/meetings/apmbt-22msp",
        "/data",
        "/api/v1/openapi.json",
    ]
    for t in TREATIES:
        paths += [f"/treaties/{t}{q}" for q in on[:2]]
        paths += [
            f"/treaties/{t}/states.csv",
            f"/api/v1/treaties/{t}",
            f"/api/v1/treaties/{t}/counts?on=2026-01-01",
            f"/api/v1/treaties/{t}/roll?on=2026-01-01",
        ]
    for t in ("ccm", "apmbt"):
        paths += [f"/treaties/{t}{q}" for q in on[2:]]
        paths += [f"/treaties/{t}/deadlines{q}" for q in on]
        paths += [f"/api/v1/treaties/{t}/counts{q}" for q in on]
        paths += [f"/api/v1/treaties/{t}/roll{q}" for q in on]
        paths += [f"/api/v1/treaties/{t}/deadlines{q}" for q in on]
        paths += [
            f"/treaties/{t}?status=party&region=WEOG&sort=consent&order=desc",
            f"/treaties/{t}?q=lit&group=nato",
            f"/treaties/{t}/states.csv?status=withdrawn,withdrawing&on=2026-01-01",
            f"/treaties/{t}/deadlines?within=all&overdue=1",
            f"/api/v1/treaties/{t}/roll?status=withdrawing,withdrawn&on=2025-03-05",
            f"/api/v1/treaties/{t}/roll?format=csv&on=2025-03-05",
            f"/api/v1/treaties/{t}/status?on=2025-03-05",
            f"/api/v1/treaties/{t}/changes?since=2024-01-01&until=2026-01-01",
            f"/api/v1/treaties/{t}/states/LTU",
            f"/api/v1/treaties/{t}/states/LTU?on=2025-03-05",
            f"/api/v1/treaties/{t}/states/LTU/timeline",
            f"/api/v1/treaties/{t}/states/LTU/obligations?on=2024-01-01",
            f"/api/v1/treaties/{t}/states/UKR/obligations",
        ]
    for s in STATES:
        paths += [f"/states/{s}{q}" for q in on]
        paths += [f"/api/v1/states/{s}{q}" for q in on[:2]]
    paths += [
        "/api/v1/treaties",
        "/api/v1/treaties?on=2011-08-01",
        "/api/v1/states",
        "/api/v1/states?on=2011-08-01",
        "/api/v1/sources",
        "/api/v1/freshness",
        "/api/v1/meetings",
        "/api/v1/meetings/ccm-12msp",
        "/api/v1/meetings/ccm-12msp/statements",
        "/api/v1/meetings/ccm-12msp/codings",
        "/api/v1/meetings/ccm-12msp/reactions?codebook=withdrawal-reaction",
        "/api/v1/meetings/apmbt-22msp/statements",
        "/feeds/changes.atom",
        "/feeds/changes.atom?treaty=ccm",
        "/feeds/deadlines.ics",
        "/feeds/deadlines.ics?treaty=ccm",
        "/data/datapackage.json",
        "/data/status_periods.csv",
        "/data/actions.csv",
        # answers that refuse: the one error shape
        "/?on=2024-02-30",
        "/treaties/nope",
        "/states/XXX",
        "/api/v1/treaties/ccm/roll?on=tomorrow",
        "/api/v1/treaties/ccm/states/XXX",
    ]
    return paths


#: the reply headers that are part of an answer (the rest is the server's business)
HEADERS = ("content-type", "content-disposition", "x-data-as-of", "warning", "link")


def web_answers(tmp: Path, started: dt.datetime) -> Iterator[Answer]:
    """Every page and API route of :func:`web_paths` on a fresh store of the bundled data."""
    from fastapi.testclient import TestClient

    from normwatch.store.db import Store, open_store
    from normwatch.web import create_app

    store = open_store(str(tmp / "web.sqlite"))
    app = create_app(Store(store.url), today=lambda: TODAY)
    with TestClient(app, raise_server_exceptions=False) as client:
        for path in web_paths():
            reply = client.get(path)
            head = "".join(f"{h}: {reply.headers[h]}\n" for h in HEADERS if h in reply.headers)
            body = reply.text if "sqlite" not in reply.headers.get("content-type", "") else ""
            if path == "/data/datapackage.json" and reply.status_code == 200:
                body = _without_stamped_hashes(body, client, started)
            if path == "/data" and reply.status_code == 200:
                body = _without_stamped_sizes(body, client, started)
            yield Answer(
                f"web/{_slug(path.lstrip('/') or 'home')}.txt",
                f"GET {path}",
                f"{reply.status_code}\n{head}\n{body}",
            )


def _without_stamped_hashes(text: str, client: Any, started: dt.datetime) -> str:
    """The data package's description with the hashes of the tables that hold a time of this
    run (an import's, the store's making) as a placeholder, in every form (CSV, JSON, Parquet),
    and of the SQLite file that holds them all, with the sizes of the compressed forms; the
    sizes of the others and every other hash are kept."""
    package = json.loads(text)
    stamped = {"normwatch"}
    for resource in package["resources"]:
        path = resource.get("path", "")
        if path.endswith(".csv") and _has_stamp(client.get(f"/data/{path}").text, started):
            stamped.add(path.removesuffix(".csv"))
    for resource in package["resources"]:
        name, _, form = resource.get("path", "").rpartition(".")
        if name not in stamped:
            continue
        resource["hash"] = "<HASH OF A FILE WITH A TIME OF THIS RUN>"
        if form in ("parquet", "sqlite"):  # compressed or paged: the size moves with the time
            resource["bytes"] = "<SIZE OF A FILE WITH A TIME OF THIS RUN>"
    return json.dumps(package, indent=2, ensure_ascii=False)


def _without_stamped_sizes(text: str, client: Any, started: dt.datetime) -> str:
    """The /data page with the sizes of the compressed files (Parquet, SQLite) of the tables
    that hold a time of this run as a placeholder."""
    package = json.loads(client.get("/data/datapackage.json").text)
    for resource in package["resources"]:
        path = resource.get("path", "")
        if path.endswith(".csv") and _has_stamp(client.get(f"/data/{path}").text, started):
            name = re.escape(path.removesuffix(".csv"))
            text = re.sub(
                rf'(href="/data/{name}\.parquet">.*?<td class="num">)\d+<',
                r"\1<SIZE OF A FILE WITH A TIME OF THIS RUN><",
                text,
            )
    return re.sub(
        r'(href="/data/normwatch\.sqlite">.*?<td class="num">)\d+<',
        r"\1<SIZE OF A FILE WITH A TIME OF THIS RUN><",
        text,
    )


def _has_stamp(text: str, started: dt.datetime) -> bool:
    return any(_of_this_run(m, started) for m in _STAMP.finditer(text))


def answers() -> Iterator[Answer]:
    """All recorded answers, normalised, made in a fresh temporary folder."""
    started = dt.datetime.now(dt.UTC)
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(os.path.realpath(folder))
        for answer in (*cli_answers(tmp), *web_answers(tmp, started)):
            yield Answer(
                answer.name, answer.asked, normalise(answer.text, tmp=str(tmp), started=started)
            )


def write(out: Path = OUT) -> int:
    """Write every answer to ``out``: JSON, name → what was asked and the answer, gzipped
    with no time stamp (the same answers make the same file)."""
    recorded = {a.name: {"asked": a.asked, "text": a.text} for a in answers()}
    data = json.dumps(recorded, indent=0, sort_keys=True, ensure_ascii=False).encode("utf-8")
    out.write_bytes(gzip.compress(data, compresslevel=9, mtime=0))
    return len(recorded)


def load(path: Path = OUT) -> dict[str, Answer]:
    """The recorded answers by name."""
    data = json.loads(gzip.decompress(path.read_bytes()))
    return {name: Answer(name, a["asked"], a["text"]) for name, a in data.items()}
