"""Review of proposed claims: a person accepts, edits or rejects what an extractor listed.

A proposed claim is one whose listing was extracted (graph/extract) and that no person has
reviewed yet. While an article has any, the store keeps the article's submission beside it
(ws:sourceDocument: the document as submitted, without its text), because a decision changes the
article's listing and the changed article must pass every check the first submission passed
(verbatim evidence, references, dates, SHACL). So a decision is applied to that document here, and
the result is written through the one write path (Ingest.add), in one transaction with its entry
in the history:

- accepted: the claim stays as extracted; its curation records who reviewed it, when, and that it
  was accepted as extracted;
- edited: the claimant, the via chain, the figure, the stated date or the topic is replaced; the
  curation records which and what each was before;
- rejected: the claim leaves the article (and the graph, if no other article reports it); the
  history records the decision, the claim's IRI, who and why.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .corpus import CorpusError, Problem

VERDICTS = ("accept", "edit", "reject")
# What a reviewer may change: who said it, through whom, the figure, when, and what it is about.
# The statement and the evidence stay the extractor's: a wrong span is a rejection.
EDITABLE = ("claimant", "via", "value", "stated", "topic")


@dataclass(frozen=True)
class Decision:
    article: str                 # the article whose listing is reviewed
    claim: str                   # the claim's id in that article
    verdict: str                 # accept | edit | reject
    by: str                      # the reviewer: the write token's name
    note: str | None = None      # the reviewer's words, if any
    edits: dict[str, Any] = field(default_factory=dict)   # for edit: EDITABLE key -> new value

    @property
    def where(self) -> str:
        return f"article '{self.article}': claim '{self.claim}'"


def refuse(where: str, message: str) -> CorpusError:
    return CorpusError([Problem(where, message)])


def curation_of(document: dict, claim: dict) -> dict:
    """The claim's curation as the document gives it: its own, else its article's."""
    return claim.get("curation") or document.get("curation") or {}


def awaits_review(curation: dict) -> bool:
    review = curation.get("review") or {}
    return curation.get("method") == "extracted" and review.get("status", "unreviewed") == "unreviewed"


def decided(document: dict, decision: Decision, on: date) -> tuple[dict, str]:
    """The article's document after the decision, and what was decided: "accepted", "edited" or
    "rejected" (an edit that changes nothing is an acceptance). Refused (CorpusError) when the
    claim is not in the document or is not awaiting review."""
    if decision.verdict not in VERDICTS:
        raise refuse(decision.where, f"decision {decision.verdict!r} is not one of {', '.join(VERDICTS)}")
    doc = copy.deepcopy(document)
    claims = doc.get("claims") or []
    position = next((i for i, c in enumerate(claims) if isinstance(c, dict) and c.get("id") == decision.claim), None)
    if position is None:
        raise refuse(decision.where, "is not among the article's claims")
    claim = claims[position]
    curation = curation_of(doc, claim)
    if not awaits_review(curation):
        raise refuse(decision.where, "is not awaiting review: it was curated by hand or has been reviewed")
    if decision.verdict == "reject":
        del claims[position]
        return doc, "rejected"
    unknown = sorted(set(decision.edits) - set(EDITABLE))
    if unknown or (decision.verdict == "accept" and decision.edits):
        raise refuse(decision.where, f"only an edit changes the claim, and only its {', '.join(EDITABLE)}"
                     + (f"; not {', '.join(unknown)}" if unknown else ""))
    changed = []
    for key, value in decision.edits.items():
        if _same(claim.get(key), value):
            continue
        changed.append(f"{key} (was {_shown(claim.get(key))})")
        if value is None:
            claim.pop(key, None)
        else:
            claim[key] = value
    verdict = "edited" if changed else "accepted"
    words = f"edited: {'; '.join(changed)}" if changed else "accepted as extracted"
    if decision.note:
        words += f". {decision.note}"
    claim["curation"] = {**curation, "review": {"status": "reviewed", "by": decision.by,
                                                "date": on.isoformat(), "note": words}}
    return doc, verdict


def _same(a: Any, b: Any) -> bool:
    return document_json(a) == document_json(b)


def _shown(value: Any) -> str:
    if value is None or value == []:
        return "none"
    return json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)


def document_json(raw: dict) -> str:
    """The submission as kept in the store: canonical JSON (sorted keys), so that submitting the
    same document twice writes the same literal and changes nothing. YAML dates become their
    ISO text, which the corpus format reads back as the same date."""
    return json.dumps(raw, sort_keys=True, default=str, ensure_ascii=False, separators=(",", ":"))
