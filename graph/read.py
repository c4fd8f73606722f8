"""Answering who-said-what questions from the store: the read model behind the API.

Everything here reads through named queries (graph/queries/) with bound values, in batches: a
page of claims costs one search, one count, and one query per kind of field, however many claims
are on it. Entities and topics are few (about one entity per fifty claims) and are what references
are resolved against, so they are held in memory and reloaded when the store changes.

Claim searches and the article list go to the claim index (graph/index/) when the Reader is given
one (an embedded store: one pinned snapshot of the index matching the store snapshot it reads),
so that they cost what their page costs; without one (an external store, or a bare Reader) they
are the SPARQL queries of claim_search.rq, with the same answers.
"""

from __future__ import annotations

import base64
from bisect import bisect_right
import binascii
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable, Iterable

import pyoxigraph as ox

from .corpus import MODALITIES, parse_partial_date
from .iris import BadId, Minter
from .names import normalize_name
from .queries import NamedQuery, fragments, named
from .store import Store

MAX_PAGE = 100
TOPIC_BASE = "https://w3id.org/whosaid/topic/"
WS = "https://w3id.org/whosaid/ontology#"


class ReadError(ValueError):
    """A question the graph cannot answer as asked: the message says what to change."""


class AmbiguousReference(ReadError):
    def __init__(self, role: str, ref: str, candidates: list["EntityRecord"]):
        self.candidates = candidates
        names = ", ".join(f"{c.label} ({c.local_id})" for c in candidates)
        super().__init__(f"{role} '{ref}' is ambiguous: it matches {names}; use an id")


# ---------------------------------------------------------------------------------------------
# Records
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class EntityRecord:
    iri: str
    local_id: str
    type: str
    label: str
    aliases: tuple[str, ...] = ()
    description: str | None = None
    same_as: tuple[str, ...] = ()
    part_of: str | None = None
    located_in: str | None = None
    external_aliases: tuple[str, ...] = ()   # names from outside the corpus (ws:externalAltLabel)
    external_description: str | None = None
    kind: str | None = None      # occasions: interview, briefing, ... (ws:occasionKind)
    date: str | None = None      # occasions: when (schema:startDate)
    place: str | None = None     # occasions: where (schema:location), an entity IRI


@dataclass(frozen=True)
class TopicRecord:
    iri: str
    id: str
    label: str
    description: str | None
    broader: str | None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class QuantityRecord:
    min: float | None
    max: float | None
    amount: float | None
    approximate: bool
    exclusive_min: bool
    derived: bool
    unit: str | None
    basis: str | None
    qualifier: str | None = None

    @property
    def bounds(self) -> tuple[float | None, float | None]:
        """(lowest, highest) the figure allows; None for an open side ("up to", "more than")."""
        if self.amount is not None:
            return self.amount, self.amount
        return self.min, self.max


@dataclass(frozen=True)
class ClaimRecord:
    iri: str
    local_id: str
    statement: str
    quote: str | None
    claimant: str
    topic: str
    stated: str | None
    stated_basis: str | None
    stated_earliest: str | None
    stated_latest: str | None
    period: str | None
    period_start: str | None
    period_end: str | None
    value: QuantityRecord | None
    revises: str | None
    subject: str | None
    modality: str = "asserted"
    occasion: str | None = None


@dataclass(frozen=True)
class ReportRecord:
    iri: str
    claim: str
    article: str
    start: int
    end: int
    exact: str
    prefix: str | None
    suffix: str | None
    via: tuple[str, ...]
    attributed_to: str | None = None


@dataclass(frozen=True)
class CurationRecord:
    """How a report entered the graph (its ws:Curation)."""
    method: str                  # hand | extracted
    review: str                  # reviewed | unreviewed
    by: str | None = None
    on: str | None = None
    extractor: str | None = None
    version: str | None = None
    confidence: float | None = None
    reviewed_by: str | None = None
    reviewed_on: str | None = None
    review_note: str | None = None


@dataclass(frozen=True)
class InferenceRecord:
    """One value worked out rather than printed (a ws:Inference note)."""
    property: str                 # the IRI of the property whose value was inferred
    basis: str | None
    earliest: str | None = None
    latest: str | None = None
    via_position: int | None = None  # for a via step of a report: its position in the chain


@dataclass(frozen=True)
class LinkRecord:
    """A link an article draws between two claims in its own voice (ws:ClaimLink)."""
    iri: str
    report: str
    relation: str  # confirms, corroborates, contradicts, revises, possiblySame
    source: str    # claim IRI
    target: str    # claim IRI
    reason: str | None = None  # possiblySame: why the curators think the two may be one


@dataclass(frozen=True)
class ArticleRecord:
    iri: str
    local_id: str
    title: str | None
    outlet: str | None
    outlet_basis: str | None
    published: str | None
    published_basis: str | None
    published_earliest: str | None
    published_latest: str | None
    url: str | None
    language: str
    body_start: int
    body_end: int
    authors: tuple[str, ...]


@dataclass(frozen=True)
class ChangeRecord:
    kind: str
    article: str | None     # the article's id
    at: str
    by: str
    claims: int | None = None


@dataclass
class Page:
    """One page of a connection: the items, their cursors, and where the page sits."""
    items: list[str]
    cursors: list[str]
    total: int | None        # None: not counted (ask count_claims)
    has_next: bool
    has_previous: bool


@dataclass
class ClaimFilter:
    """Claim search criteria; all combine with AND. Entity and topic values are IRIs."""
    claimant: str | None = None
    about: str | None = None
    topics: list[str] | None = None
    topic: str | None = None   # the topic asked for (topics: it and its narrower topics)
    reported_by: str | None = None
    article: str | None = None
    modality: str | None = None   # the concept IRI (ws:Hedged, ...)
    occasion: str | None = None
    method: str | None = None     # ws:HandCuration or ws:Extraction: some report entered so
    review: str | None = None     # ws:Reviewed or ws:Unreviewed: some report is
    text: str | None = None
    words: list[list[str]] | None = None   # pieces of word tokens (parse_words)
    stated_from: str | None = None
    stated_to: str | None = None
    empty: bool = field(default=False)  # a reference matched nothing: the answer is empty


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------

ARTICLE_BATCH = 64   # articles per query (Reader.articles)


class NameText:
    """Every entity's names, normalised, in one string in the entities' order: a search for part
    of a name is str.find over it (C speed, about 5 ms for 10^5 entities) rather than a Python
    loop normalising each name per request (137 ms)."""

    def __init__(self, entities: list):
        parts, self.starts, self.entities, at = [], [], [], 0
        for e in entities:
            # \x1f between an entity's names and \x1e after them: normalize_name keeps neither.
            text = "\x1f".join(normalize_name(n) for n in (e.label, *e.aliases)) + "\x1e"
            self.starts.append(at)
            self.entities.append(e)
            parts.append(text)
            at += len(text)
        self.text = "".join(parts)

    def holding(self, wanted: str) -> list:
        """The entities one of whose names contains `wanted` (normalised), in order."""
        found, i = [], self.text.find(wanted)
        while i != -1:
            k = bisect_right(self.starts, i) - 1
            found.append(self.entities[k])
            i = self.text.find(wanted, self.starts[k + 1]) if k + 1 < len(self.starts) else -1
        return found


class Count(int):
    """A number of claims that may have been counted only up to a cap: `capped` is True when
    the true number is larger than the cap (the value is then cap + 1), and it reads "more than
    N" as text."""
    capped: bool = False

    @classmethod
    def of(cls, n: int, cap: int | None) -> "Count":
        count = cls(n)
        # A capped count stops at cap + 1; a kept count (one filter) may be larger, and exact.
        count.capped = cap is not None and n == cap + 1
        return count

    def __str__(self) -> str:
        return f"more than {self - 1:,}" if self.capped else int.__repr__(self)


def _v(row: dict, key: str):
    term = row.get(key)
    return None if term is None else term.value


def _num(row: dict, key: str) -> float | None:
    term = row.get(key)
    return None if term is None else float(term.value)


def _local_name(iri: str | None) -> str | None:
    """The local name of an IRI, lower-camel as the API gives it: ws:SocialMediaPost ->
    "socialMediaPost", schema:about -> "about"; a plain name is returned as it is."""
    if iri is None:
        return None
    name = iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
    return name[:1].lower() + name[1:]


def empty_claim_links() -> dict[str, list[str]]:
    return {"about": [], "confirms": [], "caveats": [], "caveatedBy": [], "hedge": [],
            "editorialInsertion": []}


def _bool(row: dict, key: str) -> bool:
    term = row.get(key)
    return term is not None and term.value == "true"


def _iris(values: Iterable[str]) -> list[ox.NamedNode]:
    return [ox.NamedNode(v) for v in values]


def is_iri(value: str) -> bool:
    try:
        ox.NamedNode(value)
    except ValueError:
        return False
    return True


def encode_cursor(connection: str, *parts: str) -> str:
    """An opaque cursor: the position in the order, tagged with the connection it is a cursor of
    (a cursor of another connection would point into a different order)."""
    return base64.urlsafe_b64encode(json.dumps([connection, *parts]).encode("utf-8")).decode("ascii")


def decode_cursor(cursor: str, connection: str, arity: int) -> list[str]:
    """The position a cursor of `connection` holds; ReadError for anything else."""
    try:
        parts = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))
    except (ValueError, UnicodeError, binascii.Error):
        parts = None
    if not isinstance(parts, list) or not parts or not all(isinstance(p, str) for p in parts):
        raise ReadError(f"after: {cursor[:40]!r} is not a cursor of {connection}")
    if parts[0] != connection:
        raise ReadError(f"after: that cursor belongs to {parts[0][:40]}, not to {connection}: a "
                        "cursor is only valid in the connection that gave it")
    if len(parts) != arity + 1:
        raise ReadError(f"after: {cursor[:40]!r} is not a cursor of {connection}")
    return parts[1:]


def valid_text(role: str, value: str) -> str:
    """`value` if it is valid Unicode text (no lone UTF-16 surrogate), which the store can hold."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ReadError(f"{role}: a lone UTF-16 surrogate ({value[exc.start]!r}) at character "
                        f"{exc.start}: text must be valid Unicode") from None
    return value


MAX_WORD_PIECES = 20


def parse_words(value: str) -> list[list[str]]:
    """`words` as pieces to find together in one text: each bare word, and each "quoted phrase"
    as its words in that order. Words are runs of letters and digits, compared without case
    or diacritics; anything else separates them."""
    valid_text("words", value)
    pieces = []
    for phrase, word in re.findall(r'"([^"]*)"|([^\s"]+)', value):
        tokens = re.findall(r"[^\W_]+", (phrase or word).casefold())
        if tokens:
            pieces.append(tokens)
    if not pieces:
        raise ReadError(f"words: {value[:40]!r} holds no word (letters or digits) to look for")
    if len(pieces) > MAX_WORD_PIECES:
        raise ReadError(f"words: at most {MAX_WORD_PIECES} words or phrases, not {len(pieces)}")
    return pieces


def check_page_size(first: int) -> None:
    if first < 0 or first > MAX_PAGE:
        raise ReadError(f"first must be between 0 and {MAX_PAGE}, not {first}")


def date_span(value: str, role: str) -> tuple[str, str]:
    """The first and last day (as ISO strings) of a partial date; "-31" is a safe upper bound
    for string comparison in any month."""
    try:
        d = parse_partial_date(value)
    except ValueError as exc:
        raise ReadError(f"{role}: {exc}") from None
    if d.precision == "year":
        return f"{d.text}-01-01", f"{d.text}-12-31"
    if d.precision == "month":
        return f"{d.text}-01", f"{d.text}-31"
    return d.text, d.text


# ---------------------------------------------------------------------------------------------
# The reader
# ---------------------------------------------------------------------------------------------

class Reader:
    def __init__(self, store: Store, base_iri: str, index=None, references: "Reader | None" = None):
        """`index`: an IndexView (graph/index/) of the same state as `store`, or None.
        `references`: a Reader of an earlier state whose entities and topics this one's store
        still holds unchanged (a write that added none): they are carried over rather than
        read again, which costs what the entities hold (seconds at 10^4 entities)."""
        self.store = store
        self.index = index
        self.base = base_iri
        self.mint = Minter(base_iri)
        if references is None:
            self.refresh()
        else:
            for name in ("entities", "_names", "_entity_order", "_name_text", "_superclasses", "topics"):
                setattr(self, name, getattr(references, name))

    # -- references ------------------------------------------------------------------------

    def refresh(self) -> None:
        """Reload entities and topics (after a write)."""
        grouped: dict[str, dict] = {}
        for row in self.store.select(named("entities")):
            iri = row["entity"].value
            e = grouped.setdefault(iri, {"id": _v(row, "id"), "types": set(), "label": _v(row, "label"),
                                         "aliases": set(), "description": _v(row, "description"),
                                         "same_as": set(), "part_of": _v(row, "partOf"),
                                         "located_in": _v(row, "locatedIn"), "external": set(),
                                         "external_description": _v(row, "externalDescription"),
                                         "kind": _local_name(_v(row, "kind")), "date": _v(row, "date"),
                                         "place": _v(row, "place")})
            e["types"].add(row["type"].value[len(WS):])
            if row.get("alias"):
                e["aliases"].add(row["alias"].value)
            if row.get("sameAs"):
                e["same_as"].add(row["sameAs"].value)
            if row.get("externalAlias"):
                e["external"].add(row["externalAlias"].value)
        self.entities: dict[str, EntityRecord] = {}
        for iri, e in grouped.items():
            # The data asserts one whosaid class per entity; superclasses come from the ontology.
            self.entities[iri] = EntityRecord(
                iri=iri, local_id=self._local(iri), type=min(e["types"]),
                label=e["label"], aliases=tuple(sorted(e["aliases"])), description=e["description"],
                same_as=tuple(sorted(e["same_as"])), part_of=e["part_of"], located_in=e["located_in"],
                external_aliases=tuple(sorted(e["external"])),
                external_description=e["external_description"], kind=e["kind"], date=e["date"],
                place=e["place"])
        self._names: dict[str, set[str]] = defaultdict(set)
        for e in self.entities.values():
            for name in (e.label, *e.aliases, *e.external_aliases, e.local_id.rsplit("/", 1)[-1]):
                self._names[normalize_name(name)].add(e.iri)
        self._entity_order = sorted(self.entities.values(), key=lambda e: (e.label.casefold(), e.iri))
        self._name_text = NameText(self._entity_order)

        topics: dict[str, dict] = {}
        for row in self.store.select(named("topics")):
            iri = row["topic"].value
            t = topics.setdefault(iri, {"label": _v(row, "label"), "description": _v(row, "description"),
                                        "broader": _v(row, "broader"), "aliases": set()})
            if row.get("alias"):
                t["aliases"].add(row["alias"].value)
        self._superclasses: dict[str, set[str]] = defaultdict(set)
        for row in self.store.select(named("class_hierarchy")):
            self._superclasses[row["class"].value[len(WS):]].add(row["super"].value[len(WS):])
        self.topics = {iri: TopicRecord(iri, iri[len(TOPIC_BASE):], t["label"], t["description"],
                                        t["broader"], tuple(sorted(t["aliases"])))
                       for iri, t in topics.items()}

    def _local(self, iri: str) -> str:
        return self.mint.local_id(iri) or iri

    def iri_of_id(self, kind: str, ref: str) -> str:
        """The IRI an API id of `kind` names (graph/iris.py); ReadError naming a malformed id."""
        try:
            return self.mint.iri_of_id(kind, ref)
        except BadId as exc:
            raise ReadError(str(exc)) from None

    def resolve_entity(self, ref: str) -> list[EntityRecord]:
        """Entities a reference names: its IRI, its id ("entity/nis" or "nis"), its label or an
        alias, compared without regard to case, accents, apostrophes and punctuation."""
        ref = ref.strip()
        if ref in self.entities:
            return [self.entities[ref]]
        if self.base + ref in self.entities:
            return [self.entities[self.base + ref]]
        if f"{self.base}entity/{ref}" in self.entities:
            return [self.entities[f"{self.base}entity/{ref}"]]
        return [self.entities[i] for i in sorted(self._names.get(normalize_name(ref), ()))]

    def entity_filter(self, role: str, ref: str | None) -> tuple[str | None, bool]:
        """(IRI, matched) for a filter argument; raises AmbiguousReference."""
        if ref is None:
            return None, True
        found = self.resolve_entity(ref)
        if len(found) > 1:
            raise AmbiguousReference(role, ref, found)
        return (found[0].iri, True) if found else (None, False)

    def resolve_topic(self, ref: str) -> TopicRecord | None:
        ref = ref.strip()
        for t in self.topics.values():
            if ref in (t.iri, t.id, f"topic/{t.id}"):
                return t
        wanted = normalize_name(ref)
        for t in self.topics.values():
            if wanted in (normalize_name(t.label), *map(normalize_name, t.aliases)):
                return t
        return None

    def topic_and_narrower(self, topic: TopicRecord) -> list[str]:
        found, frontier = {topic.iri}, [topic.iri]
        while frontier:
            parent = frontier.pop()
            for t in self.topics.values():
                if t.broader == parent and t.iri not in found:
                    found.add(t.iri)
                    frontier.append(t.iri)
        return sorted(found)

    def claim_filter(self, *, claimant=None, about=None, topic=None, reported_by=None,
                     article=None, text=None, words=None, stated_from=None,
                     stated_to=None, modality=None, occasion=None, curation=None,
                     review=None) -> ClaimFilter:
        """Turn API arguments into a filter; references that match nothing make it empty.
        `modality` is a format value ("hedged"); `curation` "hand" or "extracted"; `review`
        "reviewed" or "unreviewed"."""
        f = ClaimFilter()
        for name, value, allowed, iris in (
                ("curation", curation, ("hand", "extracted"), ("HandCuration", "Extraction")),
                ("review", review, ("reviewed", "unreviewed"), ("Reviewed", "Unreviewed"))):
            if value is not None:
                if value not in allowed:
                    raise ReadError(f"{name} must be one of {', '.join(allowed)}, not {value[:40]!r}")
                setattr(f, "method" if name == "curation" else "review", WS + iris[allowed.index(value)])
        if modality is not None:
            if modality not in MODALITIES:
                raise ReadError(f"modality must be one of {', '.join(MODALITIES)}, not {modality[:40]!r}")
            f.modality = WS + modality[:1].upper() + modality[1:]
        for role, ref, attr in (("claimant", claimant, "claimant"), ("about", about, "about"),
                                ("reportedBy", reported_by, "reported_by"),
                                ("occasion", occasion, "occasion")):
            iri, matched = self.entity_filter(role, ref)
            setattr(f, attr, iri)
            f.empty |= not matched
        if topic is not None:
            t = self.resolve_topic(topic)
            f.topics = self.topic_and_narrower(t) if t else None
            f.topic = t.iri if t else None
            f.empty |= t is None
        if article is not None:
            iri = self.article_iri(article)
            f.article, f.empty = iri, f.empty or iri is None
        if text is not None:
            f.text = valid_text("text", text).lower()
        if words is not None:
            f.words = parse_words(words)
            if not self.has_word_search:
                raise ReadError("words: word search needs the claim index of the embedded store "
                                "or Virtuoso's text index (WHOSAID_STORE_TEXT_INDEX); use text "
                                "(a substring) on this store")
        if stated_from is not None:
            f.stated_from = date_span(stated_from, "statedFrom")[0]
        if stated_to is not None:
            f.stated_to = date_span(stated_to, "statedTo")[1]
        return f

    @property
    def has_word_search(self) -> bool:
        """Whether `words` can be answered: by the claim index, or by the store's text index."""
        return self.index is not None or self.store.word_search

    def article_iri(self, ref: str) -> str | None:
        """The IRI of the article an id (IRI, "article/ID" or ID) names, if it exists;
        ReadError if `ref` cannot be an article id."""
        iri = self.iri_of_id("article", ref)
        return iri if self.articles([iri]) else None

    # -- claim search ----------------------------------------------------------------------

    def _claim_query(self, f: ClaimFilter, *, count: bool, after: tuple[str, str] | None,
                     limit: int) -> tuple[NamedQuery, dict]:
        parts = fragments("claim_search")
        body, values = [parts["base"]], {}
        if f.claimant:
            body.append(parts["claimant"]); values["claimant"] = ox.NamedNode(f.claimant)
        if f.about:
            body.append(parts["about"]); values["about"] = ox.NamedNode(f.about)
        if f.topics is not None:
            body.append(parts["topic"]); values["topic"] = _iris(f.topics)
        if f.reported_by:
            body.append(parts["reportedBy"]); values["reporter"] = ox.NamedNode(f.reported_by)
        if f.article:
            body.append(parts["article"]); values["article"] = ox.NamedNode(f.article)
        for name in ("modality", "occasion", "method", "review"):
            if getattr(f, name):
                body.append(parts[name]); values[name] = ox.NamedNode(getattr(f, name))
        if f.text:  # every claim has a statement, which holds "" (Virtuoso says it does not)
            body.append(parts["text"]); values["text"] = ox.Literal(f.text)
        if f.words:  # not served by the claim index: by the store's own text index, if any
            if not self.store.word_search:
                raise ReadError("words: this store has no text index to search; use text")
            expression = self.store.words_expression(f.words)
            body.append(parts["wordsOnVirtuoso"].replace("?wordsExpression", str(expression)))
        if f.stated_from or f.stated_to:
            body.append(parts["stated"])
            if f.stated_from:
                body.append(parts["statedFrom"]); values["statedFrom"] = ox.Literal(f.stated_from)
            if f.stated_to:
                body.append(parts["statedTo"]); values["statedTo"] = ox.Literal(f.stated_to)
        where = "\n".join(body)
        if count:
            text = f"{parts['prefixes']}\nSELECT (COUNT(DISTINCT ?claim) AS ?n) WHERE {{\n{where}\n}}"
        else:
            where += "\n" + parts["sortkey"]
            if after:
                where += "\n" + parts["after"]
                values["afterKey"], values["afterId"] = ox.Literal(after[0]), ox.Literal(after[1])
            # `limit` is an int checked by check_page_size, never text from a request.
            text = (f"{parts['prefixes']}\nSELECT DISTINCT ?claim ?key ?id WHERE {{\n{where}\n}}\n"
                    f"ORDER BY ?key ?id\nLIMIT {int(limit)}")
        return NamedQuery("claim_search", text), values

    def _indexed(self, f: ClaimFilter) -> bool:
        return self.index is not None and (f.topics is None or f.topic is not None)

    def _index_filter(self, f: ClaimFilter) -> dict:
        return dict(claimant=f.claimant, about=f.about, topic=f.topic, reporter=f.reported_by,
                    article=f.article, modality=f.modality, occasion=f.occasion, method=f.method,
                    review=f.review, text=f.text, words=f.words, stated_from=f.stated_from,
                    stated_to=f.stated_to)

    def count_claims(self, f: ClaimFilter, cap: int | None = None) -> int:
        """How many claims `f` selects: a kept count for one filter or none (with the index),
        else the cost of the matches. With `cap` (the index only), a count of combined filters
        stops past it, so that it costs at most cap rows: the answer is then a Count whose
        `capped` says the true count is larger (pages say "more than 10,000"; the GraphQL
        totalCount stays exact)."""
        if f.empty:
            return 0
        if self._indexed(f):
            return Count.of(self.index.count(**self._index_filter(f), cap=cap), cap)
        count_query, count_values = self._claim_query(f, count=True, after=None, limit=0)
        return int(self.store.select(count_query, **count_values)[0]["n"].value)

    def search_claims(self, f: ClaimFilter, first: int = 20, after: str | None = None,
                      connection: str = "claims", count: bool = True,
                      count_cap: int | None = None) -> Page:
        """A page of the claims `f` selects; `connection` names the connection for its cursors.
        count=False leaves the total out (None): a page costs what it holds, and a client that
        asks for totalCount pays for it then (count_claims). `count_cap`: count no further than
        that, and give a Count that says "more than" (see count_claims)."""
        check_page_size(first)
        position = tuple(decode_cursor(after, connection, 2)) if after else None
        if f.empty:
            return Page([], [], 0, False, position is not None)
        if self._indexed(f):
            found = self.index.search(**self._index_filter(f), after=position, limit=first + 1,
                                      count=count, count_cap=count_cap)
            page = found.rows[:first]
            return Page(items=[r[0] for r in page],
                        cursors=[encode_cursor(connection, r[1], r[2]) for r in page],
                        total=None if found.total is None else Count.of(found.total, count_cap),
                        has_next=len(found.rows) > first,
                        has_previous=position is not None)
        query, values = self._claim_query(f, count=False, after=position, limit=first + 1)
        rows = self.store.select(query, **values)
        total = self.count_claims(f) if count else None
        page = rows[:first]
        return Page(items=[r["claim"].value for r in page],
                    cursors=[encode_cursor(connection, r["key"].value, r["id"].value) for r in page],
                    total=total, has_next=len(rows) > first, has_previous=position is not None)

    # -- batched loads ---------------------------------------------------------------------

    def claims(self, iris: list[str]) -> dict[str, ClaimRecord]:
        if not iris:
            return {}
        out = {}
        for row in self.store.select(named("claims"), claim=_iris(iris)):
            value = None
            if row.get("value"):
                value = QuantityRecord(_num(row, "min"), _num(row, "max"), _num(row, "amount"),
                                       _bool(row, "approximate"), _bool(row, "exclusiveMin"),
                                       _bool(row, "derived"), _v(row, "unit"), _v(row, "basis"),
                                       _v(row, "qualifier"))
            iri = row["claim"].value
            out[iri] = ClaimRecord(
                iri=iri, local_id=self._local(iri), statement=_v(row, "statement"),
                quote=_v(row, "quote"), claimant=_v(row, "claimant"), topic=_v(row, "topic"),
                stated=_v(row, "stated"), stated_basis=_v(row, "statedBasis"),
                stated_earliest=_v(row, "statedEarliest"), stated_latest=_v(row, "statedLatest"),
                period=_v(row, "period"), period_start=_v(row, "periodStart"),
                period_end=_v(row, "periodEnd"), value=value, revises=_v(row, "revises"),
                subject=_v(row, "subject"), modality=_local_name(_v(row, "modality")) or "asserted",
                occasion=_v(row, "occasion"))
        return out

    def claim_links(self, iris: list[str]) -> dict[str, dict[str, list[str]]]:
        """claim IRI -> {"about", "confirms", "caveats", "caveatedBy": IRIs; "hedge",
        "editorialInsertion": texts}, each sorted."""
        out: dict[str, dict[str, list[str]]] = {i: empty_claim_links() for i in iris}
        if not iris:
            return out
        for row in self.store.select(named("claim_links"), claim=_iris(iris)):
            kind = _local_name(row["link"].value)
            out[row["claim"].value][kind].append(row["target"].value)
        for links in out.values():
            for found in links.values():
                found.sort()
        return out

    def reports(self, claim_iris: list[str]) -> dict[str, list[ReportRecord]]:
        """claim IRI -> its reports, in article order, each with its ordered via chain."""
        out: dict[str, list[ReportRecord]] = {i: [] for i in claim_iris}
        if not claim_iris:
            return out
        steps: dict[str, dict[int, str]] = defaultdict(dict)
        base: dict[str, dict] = {}
        for row in self.store.select(named("reports"), claim=_iris(claim_iris)):
            iri = row["report"].value
            base.setdefault(iri, row)
            if row.get("position"):
                steps[iri][int(row["position"].value)] = row["agent"].value
        for iri, row in sorted(base.items(), key=lambda kv: kv[1]["article"].value):
            out[row["claim"].value].append(ReportRecord(
                iri=iri, claim=row["claim"].value, article=row["article"].value,
                start=int(row["start"].value), end=int(row["end"].value), exact=row["exact"].value,
                prefix=_v(row, "prefix"), suffix=_v(row, "suffix"),
                via=tuple(agent for _, agent in sorted(steps[iri].items())),
                attributed_to=_v(row, "attributedTo")))
        return out

    def curations(self, report_iris: list[str]) -> dict[str, CurationRecord]:
        """report IRI -> how it entered the graph."""
        out: dict[str, CurationRecord] = {}
        if not report_iris:
            return out
        for row in self.store.select(named("curations"), report=_iris(report_iris)):
            confidence = _num(row, "confidence")
            out[row["report"].value] = CurationRecord(
                method="hand" if row["method"].value.endswith("HandCuration") else "extracted",
                review="reviewed" if row["status"].value.endswith("#Reviewed") else "unreviewed",
                by=_v(row, "by"), on=_v(row, "on"), extractor=_v(row, "extractor"),
                version=_v(row, "version"), confidence=confidence,
                reviewed_by=_v(row, "reviewedBy"), reviewed_on=_v(row, "reviewedOn"),
                review_note=_v(row, "note"))
        return out

    def _rows_by(self, query: str, slot: str, iris: list[str], make: Callable, order: Callable) -> dict:
        """IRI -> the records `make` builds from the rows of `query` for it, for a batch of IRIs
        bound to `slot` (one row per record), each list sorted by `order`."""
        out: dict[str, list] = {i: [] for i in iris}
        if iris:
            for row in self.store.select(named(query), **{slot: _iris(iris)}):
                out[row[slot].value].append(make(row))
            for found in out.values():
                found.sort(key=order)
        return out

    def inferences(self, iris: list[str]) -> dict[str, list[InferenceRecord]]:
        """resource IRI (claim, report or article) -> its inferred values, in a stable order."""
        def note(row) -> InferenceRecord:
            position = _v(row, "position")
            return InferenceRecord(property=row["property"].value, basis=_v(row, "basis"),
                                   earliest=_v(row, "earliest"), latest=_v(row, "latest"),
                                   via_position=int(position) if position is not None else None)
        return self._rows_by("inferences", "node", iris, note,
                             lambda n: (n.via_position or 0, n.property))

    def report_links(self, iris: list[str]) -> dict[str, list[LinkRecord]]:
        """report IRI -> the links its article draws, in IRI order."""
        def link(row) -> LinkRecord:
            return LinkRecord(iri=row["link"].value, report=row["report"].value,
                              relation=row["relation"].value.rsplit("#", 1)[-1],
                              source=row["source"].value, target=row["target"].value,
                              reason=_v(row, "reason"))
        return self._rows_by("report_links", "report", iris, link, lambda found: found.iri)

    def articles(self, iris: list[str] | None) -> dict[str, ArticleRecord]:
        """Articles by IRI; None means all of them."""
        if iris is not None and not iris:
            return {}
        if iris is None:
            rows = self.store.select(named("articles"))
        else:
            # In batches: past about 90 articles in its VALUES, Oxigraph plans this query another
            # way and it costs ten times more (10^5 articles: 64 in 24 ms, 100 in 447 ms).
            rows = [row for i in range(0, len(iris), ARTICLE_BATCH)
                    for row in self.store.select(named("articles"), article=_iris(iris[i:i + ARTICLE_BATCH]))]
        out = {}
        for row in rows:
            iri = row["article"].value
            authors = _v(row, "authors")
            out[iri] = ArticleRecord(
                iri=iri, local_id=self._local(iri), title=_v(row, "title"), outlet=_v(row, "outlet"),
                outlet_basis=_v(row, "outletBasis"), published=_v(row, "published"),
                published_basis=_v(row, "publishedBasis"),
                published_earliest=_v(row, "publishedEarliest"),
                published_latest=_v(row, "publishedLatest"), url=_v(row, "url"),
                language=_v(row, "language"), body_start=int(row["bodyStart"].value),
                body_end=int(row["bodyEnd"].value),
                authors=tuple(sorted(authors.split("\u001f"))) if authors else ())
        return out

    def article_texts(self, iris: list[str]) -> dict[str, str]:
        if not iris:
            return {}
        return {r["article"].value: r["text"].value
                for r in self.store.select(named("article_texts"), article=_iris(iris))}

    def rejection(self, claim_iri: str) -> dict[str, str] | None:
        """When, by whom and why a claim no longer in the graph was rejected at review, if it was."""
        try:
            node = ox.NamedNode(claim_iri)
        except ValueError:   # not an IRI at all: nothing was ever rejected under it
            return None
        rows = self.store.select(named("rejection"), claim=node)
        return {k: v.value for k, v in rows[0].items()} if rows else None

    def latest_articles(self, first: int = 20) -> list[str]:
        """The IRIs of the articles published last, newest first (those with a known date);
        without the index, none: ordering every article by date is the scan a page must not do."""
        check_page_size(first)
        return self.index.latest_articles(first) if self.index is not None else []

    def stated_range(self) -> tuple[str | None, str | None]:
        """The dates the first and the last claim were stated on, at the precision given (a
        claim stated in "2024-11" is not said to be of the 1st); None, None without the index."""
        if self.index is None:
            return None, None
        ends = self.index.stated_range()
        records = self.claims([i for i in ends if i])
        return tuple(records[i].stated if i in records else None for i in ends)

    def article_page(self, first: int = 20, after: str | None = None) -> Page:
        check_page_size(first)
        start_after = decode_cursor(after, "articles", 1)[0] if after else None
        if self.index is not None:
            rows, total = self.index.article_page(start_after, first + 1)
            return Page([r[0] for r in rows[:first]],
                        [encode_cursor("articles", r[1]) for r in rows[:first]],
                        total, len(rows) > first, start_after is not None)
        # The articles the index would list (index_articles.rq), by id: their fields are loaded
        # for the page alone. (Reading every article's fields here, with the slot of articles.rq
        # left UNDEF, cost Virtuoso 20-40 times what the same query costs with IRIs bound.)
        ordered = sorted({(self._local(r["article"].value), r["article"].value)
                          for r in self.store.select(named("index_articles"))})
        remaining = [(i, iri) for i, iri in ordered if start_after is None or i > start_after]
        page = remaining[:first]
        return Page([iri for _, iri in page], [encode_cursor("articles", i) for i, _ in page],
                    len(ordered), len(remaining) > first, start_after is not None)

    def entity_page(self, search: str | None, type_: str | None, first: int = 20,
                    after: str | None = None) -> Page:
        """Entities by name; occasions (events, not people, bodies or places) only when asked
        for by type."""
        check_page_size(first)
        position = tuple(decode_cursor(after, "entities", 2)) if after else None
        wanted = normalize_name(valid_text("search", search)) if search else None
        type_wanted = type_.strip().casefold() if type_ else None
        matches = []
        for e in (self._name_text.holding(wanted) if wanted else self._entity_order):
            if type_wanted and type_wanted not in {t.casefold() for t in self.types_of(e)}:
                continue
            if e.type == "Occasion" and type_wanted != "occasion":
                continue
            matches.append(e)
        keyed = [((e.label.casefold(), e.iri), e) for e in matches]
        remaining = [e for k, e in keyed if position is None or k > position]
        page = remaining[:first]
        return Page([e.iri for e in page], [encode_cursor("entities", e.label.casefold(), e.iri) for e in page],
                    len(matches), len(remaining) > first, position is not None)

    def types_of(self, e: EntityRecord) -> set[str]:
        """The entity's class and its superclasses in the ontology (for the type filter)."""
        found, frontier = {e.type}, [e.type]
        while frontier:
            for parent in self._superclasses.get(frontier.pop(), ()):
                if parent not in found:
                    found.add(parent)
                    frontier.append(parent)
        return found

    # -- history ---------------------------------------------------------------------------

    def changes(self, article: str | None, first: int) -> list[ChangeRecord]:
        """The history of writes, newest first, optionally of one article (id or IRI)."""
        check_page_size(first)
        bound = None if article is None else ox.NamedNode(self.iri_of_id("article", article))
        if self.index is not None:
            return [ChangeRecord(kind=kind, article=None if iri is None else iri.rsplit("/", 1)[-1],
                                 at=at, by=by)
                    for kind, iri, at, by in self.index.changes(None if bound is None else bound.value, first)]
        rows = self.store.select(named("history"), article=bound)[:first]
        return [ChangeRecord(kind=r["kind"].value,
                             article=r["changed"].value.rsplit("/", 1)[-1] if r.get("changed") else None,
                             at=r["at"].value, by=r["by"].value) for r in rows]

    # -- size ------------------------------------------------------------------------------

    def quads(self) -> int:
        """How many quads the store holds: the index's kept count, else a count of the store."""
        return self.index.total("quads") if self.index is not None else len(self.store)

    def claim_total(self) -> int:
        """How many claims the store holds: the index's kept count, else a count of the store."""
        if self.index is not None:
            return self.index.total("claims")
        return int(self.store.select(named("totals"))[0]["claims"].value)

    # -- disagreements ---------------------------------------------------------------------

    def disagreements(self, topic: str | None, about: str | None, first: int = 20,
                      after: str | None = None) -> list[dict]:
        """Groups of claims on one topic, about one subject, in one unit, whose ranges do not
        all overlap, in (topic, subject, unit) order: at most `first`, after the group whose
        cursor is `after`. Nothing is merged: each group lists its claims, each with its own
        figure (disagreement_claims). With the claim index this walks the index's disagreeing
        groups; without it (an external store) it reads every valued claim of the topic."""
        check_page_size(first)
        position = tuple(decode_cursor(after, "disagreements", 3)) if after else None
        topics = None
        if topic is not None:
            t = self.resolve_topic(topic)
            if t is None:
                return []
            topics = self.topic_and_narrower(t)
        subject, matched = self.entity_filter("about", about)
        if not matched:
            return []
        if self.index is not None:
            return [{"topic": t, "about": [s], "cursor": encode_cursor("disagreements", t, s, u),
                     "group": g, "count": n, "low": low, "high": high}
                    for g, t, s, u, n, low, high in self.index.disagreements(topics, subject, position, first)]
        rows = self.store.select(named("valued_claims"), topic=None if topics is None else _iris(topics),
                                 subject=None if subject is None else ox.NamedNode(subject))
        groups: dict[tuple, list[dict]] = defaultdict(list)
        for row in rows:
            key = (row["topic"].value, row["subject"].value, (_v(row, "unit") or "").casefold())
            groups[key].append({"claim": row["claim"].value, "min": _num(row, "min"),
                                "max": _num(row, "max")})
        out = []
        for (topic_iri, subject_iri, unit), members in sorted(groups.items()):
            if len(members) < 2 or (position is not None and (topic_iri, subject_iri, unit) <= position):
                continue
            lows = [m["min"] for m in members if m["min"] is not None]
            highs = [m["max"] for m in members if m["max"] is not None]
            overlap = not lows or not highs or max(lows) <= min(highs)
            if overlap:
                continue
            figures = lows + highs
            out.append({"topic": topic_iri, "about": [subject_iri],
                        "cursor": encode_cursor("disagreements", topic_iri, subject_iri, unit),
                        "claims": [m["claim"] for m in members], "count": len(members),
                        "low": min(figures), "high": max(figures)})
            if len(out) == first:
                break
        return out

    def disagreement_claims(self, group: dict, first: int = 20) -> list[str]:
        """The first `first` claims (IRIs) of a group from disagreements(), in id order."""
        check_page_size(first)
        if "claims" in group:
            return group["claims"][:first]
        return self.index.group_members(group["group"], first)
