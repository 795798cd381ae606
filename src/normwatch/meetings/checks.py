"""``normwatch check`` for meetings: sources present, evidence matching its text, codes known."""

from __future__ import annotations

from typing import TYPE_CHECKING

from normwatch.errors import NormwatchError
from normwatch.meetings import texts

if TYPE_CHECKING:
    from normwatch.queries import Problem
    from normwatch.store import Store


def check_meetings(store: Store) -> list[Problem]:
    from normwatch.queries import Problem

    problems: list[Problem] = []
    for r in store.query("SELECT m.id FROM meetings m WHERE NOT EXISTS "
                         "(SELECT 1 FROM meeting_sources x WHERE x.meeting_id = m.id)"):
        problems.append(Problem("meetings_sourced", f"meeting {r['id']}: no source"))
    for r in store.query("SELECT meeting_id, participant FROM participations "
                         "WHERE source_id IS NULL"):
        problems.append(Problem("meetings_sourced", f"meeting {r['meeting_id']}: participant "
                                f"{r['participant']}: no source"))
    for r in store.query("SELECT id FROM statements WHERE source_id IS NULL AND text IS NULL"):
        problems.append(Problem("meetings_sourced", f"statement {r['id']}: neither a source "
                                "nor a text"))
    for r in store.query("SELECT id, text, text_sha256 FROM statements WHERE text IS NOT NULL"):
        if texts.sha256(r["text"]) != r["text_sha256"]:
            problems.append(Problem("statement_text", f"statement {r['id']}: text does not "
                                    "match its checksum"))
    rows = store.query(
        "SELECT c.statement_id, c.codebook, c.code, c.coder, c.evidence_start, c.evidence_end, "
        "c.evidence_quote, s.text FROM codings c JOIN statements s ON s.id = c.statement_id")
    known: dict[str, list[str] | None] = {}
    for r in rows:
        label = f"coding {r['statement_id']} {r['code']} by {r['coder']}"
        if r["codebook"] not in known:
            try:
                from normwatch.coding.codebook import load_codebook

                known[r["codebook"]] = load_codebook(r["codebook"]).code_ids
            except (ImportError, NormwatchError) as exc:
                known[r["codebook"]] = None
                problems.append(Problem("coding_codes", f"codebook {r['codebook']}: {exc}"))
        codes = known[r["codebook"]]
        if codes is not None and r["code"] not in codes:
            problems.append(Problem("coding_codes", f"{label}: code not in codebook "
                                    f"{r['codebook']}"))
        if r["evidence_start"] is not None:
            text = r["text"] or ""
            if text[r["evidence_start"]:r["evidence_end"]] != r["evidence_quote"]:
                problems.append(Problem("coding_evidence", f"{label}: the evidence span does "
                                        "not hold the quoted words"))
    return problems
