"""Test helper: write a store's actions for a treaty as an MTDSG-style status file.

The output follows the real UN structure (Participants/Table/TGroup with Thead and Tbody rows,
date cells such as ``3 Dec\\t 2008 `` with legend letters, bracketed cells and an end note for
withdrawn participants), so the importer can be tested on a round trip.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from xml.sax.saxutils import escape

from normwatch.core.model import Action, ActionKind

CONSENT_CODE = {
    ActionKind.RATIFICATION: "",
    ActionKind.ACCEPTANCE: "A",
    ActionKind.APPROVAL: "AA",
    ActionKind.ACCESSION: "a",
    ActionKind.SUCCESSION: "d",
}


def cell(day: dt.date, code: str = "", bracketed: bool = False) -> str:
    text = (
        f"{day.day:2d} {day:%b}\t {day.year} {code}".rstrip(" ")
        if code
        else (f"{day.day:2d} {day:%b}\t {day.year} ")
    )
    return f"[{text}]" if bracketed else text


def export_mtdsg(
    actions: Iterable[Action],
    names: dict[str, str],
    *,
    reference: tuple[str, str] = ("XXVI", "6"),
    title: str = "Convention on Cluster Munitions",
    extra_rows: Iterable[tuple[str, str, str, str]] = (),
) -> bytes:
    """``extra_rows``: (name, signature cell, provisional cell, consent cell) added verbatim."""
    by_state: dict[str, list[Action]] = {}
    for a in actions:
        by_state.setdefault(a.state, []).append(a)
    rows: list[tuple[str, str, str, str]] = []
    notes: list[str] = []
    for code, acts in by_state.items():
        withdrawal = next((a for a in acts if a.kind == ActionKind.WITHDRAWAL), None)
        name = names[code]
        sig = prov = cons = ""
        for a in acts:
            if a.kind == ActionKind.SIGNATURE:
                sig = cell(a.day, bracketed=withdrawal is not None)
            elif a.kind == ActionKind.PROVISIONAL_APPLICATION:
                prov = cell(a.day, "n", bracketed=withdrawal is not None)
            elif a.kind in CONSENT_CODE:
                cons = cell(a.day, CONSENT_CODE[a.kind], bracketed=withdrawal is not None)
        if withdrawal is not None:
            index = str(len(notes) + 1)
            d = withdrawal.day
            notes.append(
                f"<Note><index>{index}</index><text>On {d.day} {d:%B %Y}, the Government of "
                f"{escape(name)} notified the Secretary-General of its decision to withdraw "
                "from the Convention in accordance with article 20.</text></Note>"
            )
            name = f"{name}<superscript>{index}</superscript>"  # escaped with the cell
        rows.append((name, sig, prov, cons))
    rows.extend(extra_rows)
    rows.sort(key=lambda r: r[0])
    body = "\n".join(
        "<Row>" + "".join(f"<Entry>{escape(c)}</Entry>" if c else "<Entry />" for c in r) + "</Row>"
        for r in rows
    )
    chapter, num = reference
    return f"""<?xml version="1.0" encoding="ISO-8859-1"?>
<Document><Treaty><Template>mtdsg</Template>
<Header><Chapter><Header>CHAPTER {chapter}</Header><Name>DISARMAMENT</Name></Chapter>
<ExternalData><Numsect>{num}</Numsect><Titlesect>{escape(title)}</Titlesect>
<Conclusion>Dublin, 30 May 2008</Conclusion>
<EIF><Label>Entry into force</Label>
<Labeltext>1 August 2010, in accordance with article 17(1).</Labeltext></EIF>
<Registration><Label>Registration</Label>
<Labeltext>1 August 2010, No. 47713</Labeltext></Registration>
</ExternalData></Header>
<Participants><Table colsep="0" frame="none" rowsep="0"><TGroup cols="4">
<Thead><Row rowsep="0"><Entry colname="1">Participant</Entry><Entry colname="2">Signature</Entry>
<Entry colname="3">Provisional application(n)</Entry>
<Entry colname="4">Approval(AA), Acceptance(A), Accession(a), Ratification</Entry></Row></Thead>
<Tbody><Rows>
{body}
</Rows></Tbody></TGroup></Table></Participants>
<SpecialTables /><Declarations /><Objections /><DeclarationsUnderArticle /><Notifications />
<TerritorialApplications show="NO" />
<EndNotes>{"".join(notes)}</EndNotes>
<Footer>{chapter} {num}. Disarmament</Footer>
</Treaty></Document>
""".encode("latin-1")
