"""Write the bundled acts of the Chapter XXVI treaties from the depositary's 2026-02-03 pages.

    python scripts/bundle_untc_2026.py [--shared ../shared/data] [--only ctbt,att] [--out DIR]

For each treaty it reads ``untc-2026/<page>.html`` with normwatch's own HTML status-page parser
and the participant names with the bundled registry (the same path as ``normwatch import
untc``), and writes ``src/normwatch/data/<id>/actions.csv``: one row per act, sourced to the page
(status as at 2026-02-03); an act the 2018 MTDSG XML (``untc-2018/<MTDSG>.en.xml``) already
listed on the same date also cites that file. Withdrawals carry the C.N. symbol of their end
note. For the CCW it also writes ``data/ccw/records.csv`` from the page's table "Consent to be
bound by Protocols I, II, and III" (companion consents, CCW art. 4(3)); the page gives no dates.

Acts the page does not show as a row or end note are not written here: they are listed in
``EXTRA`` with their own sources (and the page's silence is part of the note). Re-running the
script on the same pages writes the same files. APMBT and CCM keep their vetted files.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from bs4 import BeautifulSoup, Tag  # noqa: E402

from normwatch.catalog import get_treaty  # noqa: E402
from normwatch.core.model import Action, ActionKind, Source  # noqa: E402
from normwatch.sources.untc.importer import incoming_actions  # noqa: E402
from normwatch.sources.untc.viewdetails import parse_status_file  # noqa: E402
from normwatch.store.db import Store, open_store  # noqa: E402

PAGES = {
    "enmod": "enmod.html",
    "ccw": "ccw.html",
    "ccw-p4": "ccw_p4.html",
    "ccw-p2a": "ccw_p2a.html",
    "ccw-art1": "ccw_art1.html",
    "ccw-p5": "ccw_p5.html",
    "cwc": "cwc.html",
    "ctbt": "ctbt.html",
    "att": "att.html",
    "tpnw": "tpnw.html",
}
AS_AT = "status as at 2026-02-03"
CAPTURED = "status as captured 2018-01-15"
COLUMNS = (
    "state",
    "action",
    "date",
    "source",
    "confidence",
    "notification",
    "notification_date",
    "further_sources",
    "no_notification_reason",
    "note",
)
RECORD_COLUMNS = ("state", "kind", "date", "actor", "subject", "source", "confidence", "note")

# Acts the 2026 page records only as an end note (not as a row), or not at all, with their
# sources. (treaty, state, action, date, source, no_notification_reason, note)
EXTRA: tuple[tuple[str, str, str, str, str, str, str], ...] = (
    (
        "att",
        "USA",
        "intent_not_to_become_party",
        "2019-07-18",
        "page",
        "the end note quotes the communication received on 18 July 2019 and cites no C.N. symbol",
        "end note 3: 'the United States does not intend to become a party to the treaty. "
        "Accordingly, the United States has no legal obligations arising from its signature on "
        "September 25, 2013'; the page still lists the signature",
    ),
    (
        "ctbt",
        "RUS",
        "ratification_revoked",
        "2023-11",
        "page",
        "no C.N. symbol of the revocation is known here; the 2026-02-03 page has no end note on it",
        "the ratification of 30 Jun 2000 is in the 2018 XML and no longer on the 2026-02-03 page, "
        "which shows only the signature of 24 Sep 1996; the revocation was recorded by the UN in "
        "November 2023 (project shared data, untc-2026/README.md); day not known",
    ),
)
# The Russian Federation's CTBT ratification as the 2018 XML listed it (the 2026 page no longer
# shows it): kept so that the timeline shows the ratification and its revocation.
FROM_2018_ONLY = (("ctbt", "RUS", "ratification", "2000-06-30"),)


def page_url(mtdsg: str) -> str:
    return (
        "https://treaties.un.org/Pages/ViewDetails.aspx?src=TREATY"
        f"&mtdsg_no={mtdsg}&chapter=26&clang=_en"
    )


def xml_url(mtdsg: str) -> str:
    return (
        f"https://treaties.un.org/doc/Publication/MTDSG/Volume%20II/Chapter%20XXVI/{mtdsg}.en.xml"
    )


def _key(a: Action) -> tuple[str, str, str]:
    return (a.state, a.kind.value, str(a.date))


def acts_of(store: Store, path: Path, treaty: str) -> list[Action]:
    rules = get_treaty(treaty)
    doc = parse_status_file(path)
    acts, warnings = incoming_actions(store, doc, rules, Source(str(path)))
    for w in warnings:
        if "not imported" in w or "skipped" in w:
            print(f"{treaty}: {w}", file=sys.stderr)
    by_key: dict[tuple[str, str, str], Action] = {}
    for a in acts:
        by_key.setdefault(_key(a), a)
    return sorted(by_key.values(), key=lambda a: (a.state, a.day, a.kind.value))


def write_treaty(store: Store, shared: Path, treaty: str, data: Path) -> int:
    rules = get_treaty(treaty)
    mtdsg = rules.untc_id
    assert mtdsg is not None and rules.data is not None
    page = shared / "untc-2026" / PAGES[treaty]
    doc = parse_status_file(page)
    now = acts_of(store, page, treaty)
    old_path = shared / "untc-2018" / f"{mtdsg}.en.xml"
    old: set[tuple[str, str, str]] = set()
    if old_path.exists():
        old = {_key(a) for a in acts_of(store, old_path, treaty)}
    symbols = {str(w.notified): w.symbol for w in doc.withdrawals if w.symbol and w.notified}
    rows: list[dict[str, str]] = []
    for a in now:
        note = a.sources[0].note or ""
        row = {
            "state": a.state,
            "action": a.kind.value,
            "date": str(a.date),
            "source": f"{page_url(mtdsg)} ({AS_AT})",
            "confidence": "high",
            "further_sources": f"{xml_url(mtdsg)} ({CAPTURED})" if _key(a) in old else "",
            "note": note,
        }
        if a.kind == ActionKind.WITHDRAWAL:
            symbol = symbols.get(str(a.date))
            if symbol:
                row["notification"] = symbol
            else:
                row["no_notification_reason"] = "the page's end note cites no C.N. symbol"
        rows.append(row)
    for t, state, kind, date in FROM_2018_ONLY:
        if t == treaty and (state, kind, date) in old:
            rows.append(
                {
                    "state": state,
                    "action": kind,
                    "date": date,
                    "source": f"{xml_url(mtdsg)} ({CAPTURED})",
                    "confidence": "high",
                    "note": "listed in the 2018 XML; no longer on the 2026-02-03 page "
                    "(ratification revoked, see the ratification_revoked row)",
                }
            )
    for t, state, kind, date, source, reason, note in EXTRA:
        if t == treaty:
            rows.append(
                {
                    "state": state,
                    "action": kind,
                    "date": date,
                    "source": f"{page_url(mtdsg)} ({AS_AT})" if source == "page" else source,
                    "confidence": "high" if len(date) == 10 else "medium",
                    "no_notification_reason": reason,
                    "note": note,
                }
            )
    rows.sort(key=lambda r: (r["state"], r["date"], r["action"]))
    out = data / rules.data / "actions.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in COLUMNS})
    if treaty == "ccw":
        write_protocol_consents(store, page, mtdsg, data)
    return len(rows)


def write_protocol_consents(store: Store, page: Path, mtdsg: str, data: Path) -> None:
    """The page's "Consent to be bound by Protocols I, II, and III" table → records.csv."""
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    table = soup.find(id="ctl00_ctl00_ContentPlaceHolder1_ContentPlaceHolderInnerPage_Table1")
    if not isinstance(table, Tag):
        raise SystemExit(f"{page}: no table of consents to Protocols I-III")
    lines = [tr for tr in table.find_all("tr") if isinstance(tr, Tag)]
    header = [td.get_text(" ", strip=True) for td in lines[0].find_all(["td", "th"])]
    if header[1:] != ["Protocol I", "Protocol II", "Protocol III"]:
        raise SystemExit(f"{page}: unexpected header of the Protocols table: {header}")
    registry = store.registry()
    rows: list[dict[str, str]] = []
    unknown: list[str] = []
    for tr in lines[1:]:
        cells = [td.get_text(" ", strip=True) for td in tr.find_all(["td", "th"])]
        name = cells[0].rstrip("0123456789 ").strip()
        code = registry.lookup(name)
        if code is None:
            unknown.append(name)
            continue
        for protocol, mark in zip(header[1:], cells[1:], strict=False):
            if not mark.lower().startswith("x"):
                continue
            when = mark[1:].strip(" ()")
            rows.append(
                {
                    "state": code,
                    "kind": "companion_consent",
                    "date": "",
                    "subject": protocol,
                    "source": f"{page_url(mtdsg)} ({AS_AT})",
                    "confidence": "high",
                    "note": "table 'Consent to be bound by Protocols I, II, and III' (art. 4(3)"
                    " and (4)); the page gives no date" + (f"; marked '{mark}'" if when else ""),
                }
            )
    if unknown:
        raise SystemExit(f"{page}: unknown participants in the Protocols table: {unknown}")
    out = data / "ccw" / "records.csv"
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, RECORD_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in sorted(rows, key=lambda r: (r["state"], r["subject"])):
            writer.writerow({c: row.get(c, "") for c in RECORD_COLUMNS})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = os.environ.get("NORMWATCH_SHARED") or str(ROOT.parent / "shared" / "data")
    parser.add_argument("--shared", type=Path, default=Path(default))
    parser.add_argument("--only", default=",".join(PAGES))
    parser.add_argument(
        "--out",
        type=Path,
        default=ROOT / "src" / "normwatch" / "data",
        help="the data folder to write into (default: the package's)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(str(Path(tmp) / "registry.sqlite"))
        for treaty in args.only.split(","):
            n = write_treaty(store, args.shared, treaty.strip(), args.out)
            print(f"{treaty}: {n} acts")


if __name__ == "__main__":
    main()
