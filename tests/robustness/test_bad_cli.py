"""A catalogue of bad command lines: each ends in one ``error:`` message and a non-zero exit,
never a traceback; the store is unchanged after each."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
from pathlib import Path

import pytest
from robust_tally import trial

from normwatch.cli.main import main

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
MEETING = FIXTURES / "meetings" / "ccm-test-msp"


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory, bundled_db: str) -> dict[str, str]:
    root = tmp_path_factory.mktemp("badcli")
    store = root / "store.sqlite"
    shutil.copy(bundled_db, store)
    data = store.read_bytes()
    page = 4096
    (root / "corrupt.sqlite").write_bytes(data[: 3 * page] + b"\xa5" * 5 * page + data[8 * page :])
    (root / "truncated.sqlite").write_bytes(data[: len(data) // 2])
    (root / "notdb.sqlite").write_bytes(b"not a database\n" * 400)
    long_cell = "a" * 200_000
    (root / "long.csv").write_text(
        f"iso3,obligation,source_url\nAUT,clearance,https://www.gov.example/{long_cell}\n",
        encoding="utf-8",
    )
    meeting = root / "long-meeting"
    shutil.copytree(MEETING, meeting)
    statements = (meeting / "statements.csv").read_text(encoding="utf-8").splitlines()
    statements[1] += long_cell
    (meeting / "statements.csv").write_text("\n".join(statements) + "\n", encoding="utf-8")
    (root / "folder").mkdir()
    os.mkfifo(root / "pipe.xml")
    (root / "markup.xml").write_bytes(b"<not [/bold] a status file")
    return {"root": str(root), "db": str(store)}


CATALOGUE: list[tuple[str, list[str]]] = [
    ("deadlines at the calendar's end", ["deadlines", "ccm", "--on", "9999-12-31"]),
    ("overdue at the calendar's end", ["deadlines", "ccm", "--on", "9999-12-31", "--overdue"]),
    ("obligations at the calendar's end", ["obligations", "ccm", "Bulgaria", "--on", "9999-12-31"]),
    ("calendar at the calendar's end", ["calendar", "ccm", "Chad", "--on", "9999-12-31"]),
    ("counts in year 1", ["counts", "ccm", "--on", "0001-01-01"]),
    ("changes to the calendar's end", ["changes", "ccm", "--until", "9999-12-31"]),
    ("an impossible date", ["counts", "ccm", "--on", "2025-02-30"]),
    ("an unknown treaty", ["counts", "nosuch"]),
    ("a State name that is markup", ["status", "ccm", "[/x]"]),
    ("a meeting id that is markup", ["meetings", "show", "[bold][/x]"]),
    ("a codebook that is markup", ["code", "text", "--codebook", "[/x]", "hi"]),
    (
        "double coding assigned by no account",
        ["code", "assign", "[/x]", "--coders", "a,b", "--share", "0.5", "--by", "[bold]"],
    ),
    ("a status file that is markup", ["untc", "parse", "{root}/markup.xml"]),
    ("a status file that is a folder", ["import", "untc", "{root}/folder"]),
    ("a meeting that is an empty folder", ["import", "meeting", "{root}/folder"]),
    ("a CSV field of 200,000 characters", ["import", "obligations", "ccm", "{root}/long.csv"]),
    ("a meeting CSV field of 200,000 characters", ["import", "meeting", "{root}/long-meeting"]),
    ("a NUL in a status file's path", ["import", "untc", "a\x00b"]),
    ("a NUL in a meeting's path", ["import", "meeting", "{root}/a\x00b"]),
    ("a NUL in an obligations path", ["import", "obligations", "ccm", "a\x00b"]),
    ("a NUL in an export folder", ["export", "{root}/out\x00"]),
    ("a NUL in a gold file", ["code", "evaluate", "--codebook", "withdrawal-reaction", "x\x00"]),
    ("a missing status file", ["import", "untc", "{root}/nosuch.xml"]),
    ("a named pipe as a status file", ["import", "untc", "{root}/pipe.xml"]),
    ("a device as a status file", ["untc", "parse", "/dev/zero"]),
    ("a device as an obligations table", ["import", "obligations", "ccm", "/dev/zero"]),
    (
        "a pipe as a labelled set",
        ["code", "evaluate", "--codebook", "withdrawal-reaction", "{root}/pipe.xml"],
    ),
    ("a bad --within", ["deadlines", "ccm", "--within", "12 parsecs"]),
    ("a huge --within", ["deadlines", "ccm", "--within", "99999999m"]),
]
STORES: list[tuple[str, str]] = [
    ("a store with corrupted pages", "{root}/corrupt.sqlite"),
    ("a truncated store", "{root}/truncated.sqlite"),
    ("a file that is no database", "{root}/notdb.sqlite"),
    ("a folder as the store", "{root}/folder"),
    ("a NUL in the store's path", "{root}/x\x00.sqlite"),
    ("an unclosed IPv6 bracket", "postgresql+psycopg://u:s3cr3t-pw@[::1/normwatch"),
    ("an IPv6 address and port without brackets", "postgresql+psycopg://u:s3cr3t-pw@[::1:5432/db"),
    ("a port that is no number", "postgresql+psycopg://u:s3cr3t-pw@localhost:port/normwatch"),
    ("a port beyond 65535", "postgresql+psycopg://u:s3cr3t-pw@127.0.0.1:99999/normwatch"),
    ("a port where no server listens", "postgresql+psycopg://u:s3cr3t-pw@127.0.0.1:1/normwatch"),
    ("a password in the query", "postgresql+psycopg://u@127.0.0.1:1/normwatch?password=s3cr3t-pw"),
    ("an unknown driver", "postgresql+nosuchdriver://u:s3cr3t-pw@localhost/normwatch"),
    ("an unknown database kind", "nosuchdb://u:s3cr3t-pw@x/y"),
]
#: the password in the URLs above: never shown
SECRET = "s3cr3t-pw"


def _run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(argv)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        else:
            code = 0
    return code, out.getvalue(), err.getvalue()


def _fill(arg: str, files: dict[str, str]) -> str:
    return arg.replace("{root}", files["root"])


@pytest.mark.parametrize(("what", "args"), CATALOGUE, ids=[c[0] for c in CATALOGUE])
def test_a_bad_command_line_is_one_clear_error(
    files: dict[str, str], what: str, args: list[str]
) -> None:
    before = Path(files["db"]).read_bytes()
    with trial("bad command lines") as case:
        code, _, err = _run(["--db", files["db"], *[_fill(a, files) for a in args]])
        case.refused() if code else case.accepted()
    assert "Traceback" not in err
    if code == 0:  # a date far off is answered (counts in year 1 …), never a crash
        assert what.startswith(("counts", "changes")), what
    else:
        assert err.startswith("error: "), err
    assert Path(files["db"]).read_bytes() == before


@pytest.mark.parametrize(("what", "db"), STORES, ids=[s[0] for s in STORES])
def test_a_bad_store_is_one_clear_error_that_hides_its_password(
    files: dict[str, str], what: str, db: str
) -> None:
    os.environ.setdefault("PGCONNECT_TIMEOUT", "3")
    # a URL's password is hidden from every command's error (a bad file fails only counts)
    commands = [["counts", "ccm"], *([["sources"], ["db", "version"]] if SECRET in db else [])]
    for command in commands:
        with trial("bad stores") as case:
            code, out, err = _run(["--db", _fill(db, files), *command])
            case.refused() if code else case.accepted()
        assert code != 0 and out == "", what
        assert err.startswith("error: ") and len(err.strip().splitlines()) == 1, err
        assert SECRET not in err
        if SECRET in db:
            assert ":***@" in err or "password=***" in err, err


@pytest.mark.parametrize(
    ("variable", "args"),
    [
        ("NORMWATCH_MAX_STATUS_BYTES", ["import", "untc", "{fixture}/untc/buoys_2020s.xml"]),
        ("NORMWATCH_MAX_INPUT_BYTES", ["import", "meeting", "{fixture}/meetings/ccm-test-msp"]),
    ],
)
def test_an_input_over_its_size_limit_is_refused(
    files: dict[str, str], monkeypatch: pytest.MonkeyPatch, variable: str, args: list[str]
) -> None:
    monkeypatch.setenv(variable, "100")
    before = Path(files["db"]).read_bytes()
    with trial("inputs over a size limit") as case:
        code, _, err = _run(
            ["--db", files["db"], *[a.replace("{fixture}", str(FIXTURES)) for a in args]]
        )
        case.refused() if code else case.accepted()
    assert code != 0 and "over the limit of 100" in err and f"set {variable}" in err
    assert Path(files["db"]).read_bytes() == before
