"""Load benchmark of team coding on PostgreSQL: concurrent coders saving decisions.

Starts a throw-away PostgreSQL cluster as the tests do (tests/pg_cluster.py), loads an example
store with a fictional meeting of 32 statements written here, adds one account per coder,
serves it with ``normwatch serve`` in its own process, then runs ``--coders`` clients (16) for
``--duration`` seconds (60). Each client, with its own API token, picks a statement, reads
its version, and toggles its own decision on one code (accept ↔ reject), so every save it is
told succeeded is a change; a 409 (another coder saved the statement first) is counted and
the client reads the version again.

Reported: saves/s, conflicts (409), 5xx and other errors, and lost writes, which must be 0:
a save answered 200 with no matching entry in the coding history, or a coder whose stored
decision is not the last one it was told succeeded.

    .venv/bin/python bench/bench_team.py --coders 16 --duration 60
"""

from __future__ import annotations

import argparse
import json
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from pg_cluster import cluster  # noqa: E402

MEETING = "ccm-bench-msp"
SPEAKERS = ("Norway", "Austria", "Ireland", "Mexico", "Germany", "Kenya")
CODES = ("concern", "call_to_reconsider", "mention")


def write_meeting(root: Path, statements: int) -> Path:
    """A fictional meeting folder written for the benchmark."""
    d = root / MEETING
    d.mkdir(parents=True)
    (d / "meeting.yaml").write_text(
        f"id: {MEETING}\ntreaty: ccm\nkind: msp\nnumber: 97\n"
        "name: Benchmark Meeting of States Parties (fictional)\nstart_date: 2024-09-10\n"
        "venue: nowhere (fictional)\ncompleteness: complete\nfictional: true\nsources:\n"
        f"  - url: https://example.org/{MEETING}\n    title: fictional meeting page\n",
        encoding="utf-8",
    )
    src = f"https://example.org/{MEETING}/participants"
    (d / "participants.csv").write_text(
        "participant,capacity,source\n" + "".join(f"{s},state_party,{src}\n" for s in SPEAKERS),
        encoding="utf-8",
    )
    rows = ["id,speaker,on_behalf_of,agenda_item,language,date,file,source_url,role"]
    for i in range(1, statements + 1):
        sid = f"s{i:02d}"
        rows.append(
            f"{sid},{SPEAKERS[i % len(SPEAKERS)]},,general exchange of views,en,2024-09-10,"
            f"{sid}.txt,https://example.org/{MEETING}/{sid},"
        )
        (d / f"{sid}.txt").write_text(
            f"Fictional statement {i}. We regret the withdrawal of one State Party and call "
            "on it to reconsider its decision.\n",
            encoding="utf-8",
        )
    (d / "statements.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return d


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Coder:
    name: str
    token: str
    saves: list[dict[str, Any]] = field(default_factory=list)
    last: dict[tuple[str, str], str] = field(default_factory=dict)
    conflicts: int = 0
    server_errors: int = 0
    other_errors: int = 0


def run_coder(base: str, coder: Coder, statements: int, until: float, seed: int) -> None:
    import httpx

    rng = random.Random(seed)
    headers = {"authorization": f"Bearer {coder.token}"}
    with httpx.Client(base_url=base, headers=headers, timeout=60) as http:
        while time.monotonic() < until:
            local = f"s{rng.randint(1, statements):02d}"
            code = rng.choice(CODES)
            r = http.get(f"/api/v1/meetings/{MEETING}/statements/{local}/history")
            if r.status_code != 200:
                coder.server_errors += r.status_code >= 500
                coder.other_errors += r.status_code < 500
                continue
            version = r.json()["version"]
            action = "reject" if coder.last.get((local, code)) == "accepted" else "accept"
            r = http.post(
                f"/api/v1/meetings/{MEETING}/statements/{local}/decisions",
                json={"code": code, "action": action, "version": version},
            )
            if r.status_code == 200:
                answer = r.json()
                coder.last[(local, code)] = answer["review_state"]
                coder.saves.append({**answer, "sent_version": version})
            elif r.status_code == 409:
                coder.conflicts += 1
            elif r.status_code >= 500:
                coder.server_errors += 1
            else:
                coder.other_errors += 1


def lost_writes(url: str, coders: list[Coder]) -> int:
    from normwatch.store.db import open_store

    store = open_store(url)
    history = store.query(
        "SELECT statement_id, code, actor, new_review_state, revision FROM coding_history "
        "WHERE actor LIKE 'human:%' AND coder = actor"
    )
    seen = {
        (h["statement_id"], h["code"], h["actor"], h["new_review_state"], h["revision"])
        for h in history
    }
    lost = 0
    for c in coders:
        for s in c.saves:
            if not any(
                (s["statement"], s["code"], s["coder"], s["review_state"], rev) in seen
                for rev in range(s["sent_version"] + 1, s["version"] + 1)
            ):
                lost += 1
        stored = {
            (r["statement_id"].rsplit("/", 1)[-1], r["code"]): r["review_state"]
            for r in store.query(
                "SELECT statement_id, code, review_state FROM codings WHERE coder = :c",
                {"c": f"human:{c.name}"},
            )
        }
        lost += sum(1 for key, state in c.last.items() if stored.get(key) != state)
    return lost


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--coders", type=int, default=16)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--statements", type=int, default=32)
    args = parser.parse_args()

    from normwatch.service import accounts
    from normwatch.sources.meetings.importer import import_meeting
    from normwatch.store.db import open_store

    with (
        cluster(port=54331, options="-c max_connections=100") as url,
        tempfile.TemporaryDirectory() as tmp,
    ):
        store = open_store(url, example=True)
        import_meeting(store, write_meeting(Path(tmp), args.statements))
        coders = []
        for i in range(args.coders):
            name = f"coder{i:02d}"
            accounts.add_user(store, name, "coder", f"password-of-{name}")
            made = accounts.create_token(store, name, today=__import__("datetime").date.today())
            coders.append(Coder(name, made["token"]))
        port = free_port()
        server = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "normwatch"),
                "--db",
                url,
                "serve",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
        )
        base = f"http://127.0.0.1:{port}"
        try:
            import httpx

            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(base + "/api/v1/meetings", timeout=5).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("the server did not start")
                time.sleep(0.2)
            # one save before the clock starts: the server's first loads its coding modules
            warm = Coder(coders[0].name, coders[0].token)
            run_coder(base, warm, args.statements, time.monotonic() + 0.1, -1)
            coders[0].last, coders[0].saves = warm.last, warm.saves
            start = time.monotonic()
            until = start + args.duration
            threads = [
                threading.Thread(target=run_coder, args=(base, c, args.statements, until, i))
                for i, c in enumerate(coders)
            ]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            elapsed = time.monotonic() - start
        finally:
            server.terminate()
            server.wait(timeout=30)
        saves = sum(len(c.saves) for c in coders)
        result = {
            "coders": args.coders,
            "statements": args.statements,
            "seconds": round(elapsed, 1),
            "saves": saves,
            "saves_per_s": round(saves / elapsed, 1),
            "conflicts_409": sum(c.conflicts for c in coders),
            "errors_5xx": sum(c.server_errors for c in coders),
            "errors_other": sum(c.other_errors for c in coders),
            "lost_writes": lost_writes(url, coders),
        }
    print(json.dumps(result, indent=2))
    if result["lost_writes"] or result["errors_5xx"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
