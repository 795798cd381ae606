"""The README's examples run, and every command is documented there."""

from __future__ import annotations

import io
import re
import shlex
from pathlib import Path

import pytest

from clirun import run
from normwatch.cli.main import cli
from normwatch.features import COMMANDS

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def examples() -> list[str]:
    lines = []
    for block in re.findall(r"```sh\n(.*?)```", README, flags=re.S):
        for line in block.splitlines():
            line = re.sub(r"\s+#.*$", "", line).strip()
            if line.startswith("normwatch "):
                lines.append(line)
    return lines


def _command_words(line: str) -> list[str]:
    """The words of an example after ``normwatch`` and its global ``--db PATH``."""
    words = shlex.split(line)[1:]
    while words[:1] == ["--db"]:
        words = words[2:]
    return words


def test_every_command_is_documented_in_the_readme() -> None:
    commands = set(cli.commands) | set(COMMANDS)
    documented = {_command_words(line)[0] for line in examples()}
    assert commands - documented == set()


def test_every_subcommand_of_a_group_is_documented_in_the_readme() -> None:
    import click

    from normwatch.features import resolve

    wanted = set()
    for name in sorted(set(cli.commands) | set(COMMANDS)):
        command = cli.commands.get(name) or resolve(COMMANDS[name])
        if isinstance(command, click.Group):
            wanted |= {f"{name} {sub}" for sub in command.commands}
    documented = {" ".join(_command_words(line)[:2]) for line in examples()}
    assert wanted - documented == set()


def test_the_readme_examples_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(Path(__file__).resolve().parents[1])
    db = str(tmp_path / "readme.sqlite")
    ran = 0
    for line in examples():
        words = _command_words(line)
        if words[0] == "serve" or words[:2] == ["import", "untc"]:  # a server; the UN's files
            continue
        # the README's own paths, moved into the test's folder: the default store (no --db in
        # the line), the throw-away example store of the tour, the export folder
        args = shlex.split(line)[1:]
        if args[:1] != ["--db"]:
            args = ["--db", db, *args]
        paths = {
            "/tmp/normwatch-data": "export",
            "/tmp/normwatch-tour.sqlite": "tour.sqlite",
            "/tmp/normwatch-team.sqlite": "team.sqlite",
            "/tmp/normwatch-plan.csv": "plan.csv",
        }
        args = [str(tmp_path / paths[a]) if a in paths else a for a in args]
        # what a person types after a --password-stdin line
        monkeypatch.setattr("sys.stdin", io.StringIO("a long password for the tour\n"))
        code, out, err = run(capsys, *args)
        assert code == 0, (line, err)
        assert out.strip(), line
        ran += 1
    assert ran >= 20
    # the tour's fiction stayed in the example store: the default store has none of it
    code, out, _ = run(capsys, "--db", db, "meetings", "list", "--format", "json")
    assert code == 0 and "ccm-test-msp" not in out


def test_the_tour_keeps_fiction_out_of_the_default_store() -> None:
    for line in examples():
        if "tests/fixtures/meetings" in line or "tests/fixtures/obligations" in line:
            assert _command_words(line) != shlex.split(line)[1:], line  # it names --db
            assert "--db /tmp/normwatch-tour.sqlite" in line, line


def test_the_tour_activates_the_environment_before_its_first_normwatch_command() -> None:
    tour = README.split("## Quick tour", 1)[1]
    first_block = re.findall(r"```sh\n(.*?)```", tour, flags=re.S)[0]
    lines = [re.sub(r"\s+#.*$", "", line).strip() for line in first_block.splitlines()]
    assert lines[0] == ". .venv/bin/activate"
    assert lines[1].startswith("normwatch ")


def test_the_readme_keeps_its_two_setup_commands_first() -> None:
    first_block = re.findall(r"```sh\n(.*?)```", README, flags=re.S)[0]
    assert first_block.splitlines() == [
        "python3 -m venv .venv && .venv/bin/pip install -q -e . && .venv/bin/normwatch serve",
        'python3 -m venv .venv && .venv/bin/pip install -q -e ".[test]"'
        " && .venv/bin/python -m pytest",
    ]


def test_the_readme_says_how_to_stop_and_restart_the_server() -> None:
    assert "Ctrl-C" in README
    assert "start it again" in README
