"""How each claim entered the graph: curation provenance, one note per report.

A claim reaches the graph through an article's listing of it, made by hand or by an extractor.
That act is what this records (PROV-O: the report prov:wasGeneratedBy a ws:Curation activity):
its method, who or what did it and when, the extractor's name, version and confidence, and
whether a person reviewed it. Curated and extracted claims differ only here, so the extractor
(issue 12) writes the same format, and a reader or a review desk can tell them apart.

In YAML an article gives `curation:` for all its claims and a claim may give its own. An article
that says nothing was submitted by a person (`whosaid add`, `addArticle`): method "hand",
unreviewed, with who and when unknown rather than guessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

METHODS = ("hand", "extracted")
REVIEW_STATUSES = ("unreviewed", "reviewed")
# "date", not "on": YAML 1.1 (PyYAML) reads a bare `on` key as the boolean true.
KEYS = {"method", "by", "date", "extractor", "version", "confidence", "review"}
REVIEW_KEYS = {"status", "by", "date", "note"}


@dataclass(frozen=True)
class Curation:
    method: str = "hand"              # hand | extracted
    by: str | None = None             # the person or team, or the extractor's operator
    on: Any = None                    # PartialDate: when it was curated or extracted
    extractor: str | None = None      # extracted only: the extractor's name ...
    version: str | None = None        # ... its version
    confidence: float | None = None   # ... and its confidence in this claim, 0 to 1
    review: str = "unreviewed"        # unreviewed | reviewed
    reviewed_by: str | None = None
    reviewed_on: Any = None           # PartialDate
    review_note: str | None = None


HAND_UNREVIEWED = Curation()


def parse_curation(raw: Any, where: str, out, parse_date, default: Curation | None = None) -> Curation:
    """A `curation:` mapping; problems go to `out` (corpus.Problems). `parse_date` is
    corpus.parse_partial_date (passed in: corpus imports this module)."""
    if raw is None:
        return default or HAND_UNREVIEWED
    if not isinstance(raw, dict):
        out.add(where, "must be a mapping: method, by, date, extractor, version, confidence, review")
        return default or HAND_UNREVIEWED
    unknown = set(raw) - KEYS
    if unknown:
        out.add(where, f"unknown keys {sorted(map(str, unknown))}")

    def text(mapping: dict, key: str, at: str) -> str | None:
        value = mapping.get(key)
        if value is not None and not (isinstance(value, str) and value.strip()):
            out.add(f"{at}: {key}", "must be text")
            return None
        return value

    def date(mapping: dict, key: str, at: str):
        value = mapping.get(key)
        if value is None:
            return None
        try:
            return parse_date(value)
        except ValueError as exc:
            out.add(f"{at}: {key}", str(exc))
            return None

    method = raw.get("method", "hand")
    if method not in METHODS:
        out.add(f"{where}: method", f"{method!r} is not one of {', '.join(METHODS)}")
        method = "hand"
    extractor, version = text(raw, "extractor", where), text(raw, "version", where)
    confidence = raw.get("confidence")
    if confidence is not None and (isinstance(confidence, bool) or not isinstance(confidence, (int, float))
                                   or not 0 <= confidence <= 1):
        out.add(f"{where}: confidence", f"{confidence!r} is not a number from 0 to 1")
        confidence = None
    if method == "extracted" and not (extractor and version and confidence is not None):
        out.add(where, "an extracted claim names its extractor, its version and its confidence")
    if method == "hand" and (extractor or version or confidence is not None):
        out.add(where, "extractor, version and confidence are for method: extracted")
    review = raw.get("review") or {}
    status, reviewed_by, reviewed_on, note = "unreviewed", None, None, None
    if not isinstance(review, dict) or set(review) - REVIEW_KEYS:
        out.add(f"{where}: review", "must be a mapping: status, by, date, note")
    else:
        status = review.get("status", "unreviewed")
        if status not in REVIEW_STATUSES:
            out.add(f"{where}: review", f"status {status!r} is not one of {', '.join(REVIEW_STATUSES)}")
            status = "unreviewed"
        reviewed_by = text(review, "by", f"{where}: review")
        reviewed_on = date(review, "date", f"{where}: review")
        note = text(review, "note", f"{where}: review")
        if status == "reviewed" and not reviewed_by:
            out.add(f"{where}: review", "a reviewed claim names who reviewed it (by)")
        if status == "unreviewed" and (reviewed_by or reviewed_on):
            out.add(f"{where}: review", "by and date are for status: reviewed")
    return Curation(method=method, by=text(raw, "by", where), on=date(raw, "date", where),
                    extractor=extractor, version=version,
                    confidence=float(confidence) if confidence is not None else None,
                    review=status, reviewed_by=reviewed_by, reviewed_on=reviewed_on,
                    review_note=note)
