"""``normwatch code assign``: double coding given from the command line, through the same
service as the web form and the API."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from clirun import run
from normwatch.store.db import open_store
from team_support import log_in, token_for
from test_web_support import MEETING, web_app


def assigned(db: str) -> list[tuple[str, str, str, str]]:
    rows = open_store(db).query(
        "SELECT statement_id, coder_a, coder_b, assigned_by FROM double_codings "
        "ORDER BY statement_id"
    )
    return [(r["statement_id"], r["coder_a"], r["coder_b"], r["assigned_by"]) for r in rows]


def assign(capsys: pytest.CaptureFixture[str], db: str, *args: str) -> tuple[int, str, str]:
    return run(capsys, "--db", db, "code", "assign", MEETING, *args)


def test_a_reviewer_assigns_listed_statements_and_the_coders_are_blind_on_the_web(
    team_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = assign(
        capsys, team_db, "--coders", "carol,dora", "--statements", "s01,s03", "--by", "rita"
    )
    assert code == 0, err
    assert "2 statements" in out and "s03" in out
    assert assigned(team_db) == [
        (f"{MEETING}/{s}", "human:carol", "human:dora", "human:rita") for s in ("s01", "s03")
    ]
    with TestClient(web_app(team_db)) as browser:  # type: ignore[arg-type]
        log_in(browser, "carol")
        page = browser.get(f"/meetings/{MEETING}/coding?all=1").text
        s01 = page.split('id="st-s01"')[1].split("</article>")[0]
        s02 = page.split('id="st-s02"')[1].split("</article>")[0]
        assert "<strong>double coding</strong>" in s01
        assert "double coding" not in s02


def test_a_share_is_the_same_sample_as_the_api_s_and_a_seed_draws_another(
    team_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["--coders", "carol,dora", "--by", "rita", "--share", "0.5", "--format", "json"]
    code, out, err = assign(capsys, team_db, *base)
    assert code == 0, err
    from_cli = json.loads(out)["statements"]
    assert len(from_cli) == 2  # at least half of the three statements with text
    with TestClient(web_app(team_db)) as c:  # type: ignore[arg-type]
        r = c.post(
            f"/api/v1/meetings/{MEETING}/double-coding",
            json={"coders": ["carol", "dora"], "share": 0.5},
            headers={"authorization": f"Bearer {token_for(team_db, 'rita')}"},
        )
    assert r.status_code == 200 and r.json()["statements"] == from_cli
    samples = set()
    for seed in range(12):
        code, out, err = assign(capsys, team_db, *base, "--seed", str(seed))
        assert code == 0, err
        sample = tuple(json.loads(out)["statements"])
        code, again, _ = assign(capsys, team_db, *base, "--seed", str(seed))
        assert tuple(json.loads(again)["statements"]) == sample  # repeatable
        samples.add(sample)
    assert len(samples) > 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--coders", "carol,dora", "--share", "0.5", "--by", "carol"], "needs a reviewer"),
        (["--coders", "carol,dora", "--share", "0.5", "--by", "nobody"], "no user 'nobody'"),
        (["--coders", "carol,vic", "--share", "0.5", "--by", "rita"], "'vic' is not an active"),
        (["--coders", "carol", "--share", "0.5", "--by", "rita"], "two different coders"),
        (["--coders", "carol,dora", "--by", "rita"], "either a share or a list"),
        (
            ["--coders", "carol,dora", "--statements", "s01", "--share", "0.5", "--by", "rita"],
            "either a share or a list",
        ),
        (["--coders", "carol,dora", "--statements", "s09", "--by", "rita"], "s09"),
        (
            ["--coders", "carol,dora", "--statements", "s01", "--seed", "3", "--by", "rita"],
            "give it with a share",
        ),
        (["--coders", "carol,dora", "--share", "0", "--by", "rita"], "--share"),
    ],
)
def test_a_bad_assignment_is_refused_in_one_line_and_nothing_is_written(
    team_db: str, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, _, err = assign(capsys, team_db, *args)
    assert code != 0 and message in err
    assert assigned(team_db) == []


def test_a_disabled_reviewer_may_not_assign(
    team_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from normwatch.service.accounts import disable_user

    disable_user(open_store(team_db), "rita")
    code, _, err = assign(capsys, team_db, "--coders", "carol,dora", "--share", "1", "--by", "rita")
    assert code != 0 and "disabled" in err
    assert assigned(team_db) == []
