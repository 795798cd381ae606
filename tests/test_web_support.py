"""Shared set-up for the web tests (no tests here): a store with the bundled data plus a small
fictional meeting written for these tests, one statement of which contains markup."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from normwatch.store.db import Store, open_store

#: "today" for the web tests: after Lithuania's CCM withdrawal took effect (2025-03-06)
TODAY = dt.date(2026, 3, 1)
MEETING = "ccm-web-msp"
SCRIPT = "<script>alert('pwned')</script>"

MEETING_YAML = """\
id: ccm-web-msp
treaty: ccm
kind: msp
number: 98
name: Web Test Meeting <b>of</b> States Parties (fictional)
start_date: 2024-09-10
end_date: 2024-09-11
venue: Geneva (fictional)
president: Mexico
completeness: complete
fictional: true
sources:
  - url: https://example.org/ccm-web-msp
    title: fictional meeting page
"""

PARTICIPANTS = """\
participant,capacity,source
Norway,state_party,https://example.org/ccm-web-msp/participants
Austria,state_party,https://example.org/ccm-web-msp/participants
Ireland,state_party,https://example.org/ccm-web-msp/participants
Mexico,state_party,https://example.org/ccm-web-msp/participants
Germany,state_party,https://example.org/ccm-web-msp/participants
Kenya,signatory,https://example.org/ccm-web-msp/participants
"""

STATEMENTS = """\
id,speaker,on_behalf_of,agenda_item,language,date,file,source_url,role
s01,Norway,,general exchange of views,en,2024-09-10,s01.txt,https://example.org/ccm-web-msp/s01,
s02,Austria,Austria;Ireland,general exchange of views,en,2024-09-10,s02.txt,https://example.org/ccm-web-msp/s02,
s03,Germany,,general exchange of views,en,2024-09-11,s03.txt,javascript:alert(1),
"""

CODINGS = """\
statement_id,code,coder,evidence
s01,concern,alice,We deeply regret the decision of Lithuania
s02,call_to_reconsider,alice,We call on Lithuania to reconsider
s03,mention,alice,the withdrawal of one State Party
"""

TEXTS = {
    "s01.txt": "Madam President,\n\nWe deeply regret the decision of Lithuania to withdraw "
    f"from the Convention. {SCRIPT} Norway remains committed to the Convention.\n",
    "s02.txt": "We call on Lithuania to reconsider its decision before it takes effect.\n",
    "s03.txt": "Germany takes note of the withdrawal of one State Party from the Convention.\n",
}


def write_meeting_dir(root: Path) -> Path:
    d = root / MEETING
    d.mkdir(parents=True, exist_ok=True)
    (d / "meeting.yaml").write_text(MEETING_YAML, encoding="utf-8")
    (d / "participants.csv").write_text(PARTICIPANTS, encoding="utf-8")
    (d / "statements.csv").write_text(STATEMENTS, encoding="utf-8")
    (d / "codings.csv").write_text(CODINGS, encoding="utf-8")
    for name, text in TEXTS.items():
        (d / name).write_text(text, encoding="utf-8")
    return d


def make_web_db(root: Path) -> str:
    """A store file with the bundled data and the fictional meeting imported."""
    from normwatch.sources.meetings.importer import import_meeting

    db = str(root / "web.sqlite")
    store = open_store(db, example=True)  # the fictional meeting needs an example store
    import_meeting(store, write_meeting_dir(root / "meetings"))
    return db


def web_app(db: str, **kwargs: object) -> object:
    from normwatch.web import create_app

    return create_app(Store(open_store(db).url), today=lambda: TODAY, **kwargs)
