"""Reading the curated corpus: entities.yaml and one YAML file per article beside its verbatim text.

The corpus format is documented in corpus/README.md. This module turns it into plain domain
objects and refuses anything that is not honest to the text: an evidence span that is not the
article's text at its offsets, a quote the evidence does not contain, an unknown reference, a date
that is not a date, a range upside down. Every problem names its file and claim, and all problems
are reported together so that a curator can fix a file in one pass.
"""

from __future__ import annotations

import re
import reprlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Iterable

import yaml

from .curation import HAND_UNREVIEWED, Curation, parse_curation
from .names import normalize_name

ENTITY_TYPES = (
    "Person", "Organization", "GovernmentAgency", "ArmedForce", "MilitaryUnit",
    "NewsOutlet", "ThinkTank", "Country", "Place", "UnnamedSource", "Occasion",
)
AGENT_TYPES = frozenset(ENTITY_TYPES) - {"Place", "Occasion"}
PLACE_TYPES = frozenset({"Place", "Country"})
# What an occasion was, as the text names it: the AP interview, the Ramstein meeting, a post.
OCCASION_KINDS = ("interview", "briefing", "meeting", "pressConference", "speech", "statement",
                  "socialMediaPost", "publication", "comment")
# How a claim is put, as printed: outright; hedged ("may", "could", "reportedly", "suggests");
# a prediction ("expects", "by mid-April"); or a prediction on a condition ("if ... continues").
MODALITIES = ("asserted", "hedged", "predicted", "conditional")
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
QUOTE_CONTEXT = 32  # code points of prefix/suffix kept by the TextQuoteSelector
MAX_YAML_DEPTH = 50  # the format nests 4 deep (article, claims, claim, evidence); 50 is generous
MAX_MESSAGE = 300    # characters of one problem's message: a refusal is read, not scrolled
MAX_PROBLEMS = 50    # problems listed in one refusal; the rest are counted

# BCP 47 language tags (RFC 5646, section 2.1), written out from its ABNF: the syntax only,
# not the registry (a well-formed tag such as "qq" is accepted).
_ALNUM = "[a-z0-9]"
_LANGTAG = (r"(?:[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4,8})"      # language, with extlang
            r"(?:-[a-z]{4})?"                                     # script
            r"(?:-(?:[a-z]{2}|[0-9]{3}))?"                        # region
            rf"(?:-(?:{_ALNUM}{{5,8}}|[0-9]{_ALNUM}{{3}}))*"      # variants
            rf"(?:-[0-9a-wyz](?:-{_ALNUM}{{2,8}})+)*"             # extensions
            rf"(?:-x(?:-{_ALNUM}{{1,8}})+)?")                     # private use
_GRANDFATHERED = {
    "en-gb-oed", "i-ami", "i-bnn", "i-default", "i-enochian", "i-hak", "i-klingon", "i-lux",
    "i-mingo", "i-navajo", "i-pwn", "i-tao", "i-tay", "i-tsu", "sgn-be-fr", "sgn-be-nl",
    "sgn-ch-de", "art-lojban", "cel-gaulish", "no-bok", "no-nyn", "zh-guoyu", "zh-hakka",
    "zh-min", "zh-min-nan", "zh-xiang"}
_LANGUAGE_TAG = re.compile(rf"^(?:{_LANGTAG}|x(?:-{_ALNUM}{{1,8}})+)$", re.IGNORECASE | re.ASCII)


def is_slug(text: Any) -> bool:
    """Whether `text` is an id as the corpus writes them: lowercase letters, digits, - and _."""
    return isinstance(text, str) and bool(_ID.fullmatch(text))


def is_language_tag(tag: str) -> bool:
    """Whether `tag` is a well-formed BCP 47 (RFC 5646) language tag."""
    return bool(_LANGUAGE_TAG.fullmatch(tag)) or tag.lower() in _GRANDFATHERED


_SHOWN = reprlib.Repr()
_SHOWN.maxstring, _SHOWN.maxother, _SHOWN.maxlevel = 60, 60, 2
_SHOWN.maxlist = _SHOWN.maxdict = _SHOWN.maxtuple = _SHOWN.maxset = 4


def shown(value: Any) -> str:
    """A value as a message quotes it: its repr, cut short (a value may be megabytes)."""
    return _SHOWN.repr(value)


# --------------------------------------------------------------------------------------------
# Domain objects
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PartialDate:
    """A date known to a day, a month or a year ("2025-01-19", "2025-01", "2025")."""

    text: str

    @property
    def precision(self) -> str:
        return {4: "year", 7: "month", 10: "day"}[len(self.text)]

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class TimeSpec:
    """When something happened, and whether the text says so or it was worked out."""

    date: PartialDate | None
    inferred: bool = False
    basis: str | None = None
    earliest: PartialDate | None = None
    latest: PartialDate | None = None


@dataclass(frozen=True)
class Quantity:
    min: float | int | None = None
    max: float | int | None = None
    amount: float | int | None = None
    approximate: bool = False
    exclusive_min: bool = False
    unit: str | None = None
    derived: bool = False
    basis: str | None = None
    # The printed words that qualify the figure ("nearly", "up to", "more than"), verbatim from
    # the evidence: "nearly 100" is {max: 100, qualifier: nearly}, below 100 and close to it.
    qualifier: str | None = None


@dataclass(frozen=True)
class Period:
    label: str
    start: PartialDate | None = None
    end: PartialDate | None = None
    inferred: bool = False        # start and end were worked out, not printed (e.g. a year)
    basis: str | None = None


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    exact: str


@dataclass(frozen=True)
class Entity:
    id: str
    type: str
    label: str
    aliases: tuple[str, ...] = ()
    description: str | None = None
    part_of: str | None = None
    located_in: str | None = None
    same_as: tuple[str, ...] = ()
    different_from: tuple[str, ...] = ()  # entities sharing a name with it that it is not
    disambiguation: str | None = None     # how to tell it from those (required with them)
    # Knowledge from outside the corpus, kept apart and marked as such: names the articles never
    # print ("HUR", "Republic of Korea") and what is known of the entity beyond what they say.
    external_aliases: tuple[str, ...] = ()
    external_description: str | None = None
    # Occasions only: the speech event claims were made on (an interview, a briefing, a post).
    kind: str | None = None
    date: TimeSpec | None = None
    place: str | None = None

    @property
    def names(self) -> tuple[str, ...]:
        """Every name a reference may use: id, label, the corpus's aliases and the external ones."""
        return (self.id, self.label, *self.aliases, *self.external_aliases)


@dataclass(frozen=True)
class Link:
    """A relation between two claims that is not a claimant's own: drawn by an article in its own
    voice (confirms, corroborates, contradicts, revises), or noted by the curators
    (possiblySame, with its reason), on the report whose article they read it in."""
    relation: str
    source: str
    target: str
    reason: str | None = None   # possiblySame only: why the two may be one statement

    @property
    def by_curators(self) -> bool:
        return self.relation == "possiblySame"


@dataclass(frozen=True)
class Report:
    """A claim as one article carries it."""

    article_id: str
    evidence: Span
    via: tuple[str, ...] = ()
    via_basis: tuple[str | None, ...] = ()  # per step: how it was worked out, None if printed
    unprinted: tuple[str, ...] = ()  # the claim's dates given as printed whose year this article does not print
    # Links between this report's claim and another, drawn by the article or its curators.
    links: tuple[Link, ...] = ()
    # The source this article names for the claim, when it names an intermediary rather than the
    # claimant ("The New York Times reported" where other articles name the officials the NYT
    # cited): one of its via agents. None: the article names the claimant.
    attributed_to: str | None = None
    curation: Curation = HAND_UNREVIEWED   # how this listing of the claim was made
    # The hedging words this article prints ("could", "may"), each in its evidence. Per report:
    # two articles may word one hedged statement differently ("could lose" / "may cease").
    hedges: tuple[str, ...] = ()


@dataclass
class Claim:
    id: str
    claimant: str
    statement: str
    topic: str
    about: tuple[str, ...]
    subject: str | None = None
    quote: str | None = None
    value: Quantity | None = None
    stated: TimeSpec | None = None
    period: Period | None = None
    confirms: tuple[str, ...] = ()
    revises: str | None = None
    claimant_basis: str | None = None  # how the claimant was worked out, when no report names it so
    occasion: str | None = None        # the Occasion entity it was said on
    modality: str = "asserted"         # one of MODALITIES
    insertions: tuple[str, ...] = ()   # editorial insertions inside the quote ("[in Pokrovsk]")
    caveats: tuple[str, ...] = ()      # claims this one casts doubt on ("cannot independently verify")
    reports: list[Report] = field(default_factory=list)

    def referenced_claims(self) -> tuple[str, ...]:
        """Every other claim this one refers to: what its claimant confirms, revises or casts
        doubt on, and the other end of each link its articles draw."""
        ends = (e for r in self.reports for link in r.links for e in (link.source, link.target))
        found = (*self.confirms, *([self.revises] if self.revises else ()), *self.caveats, *ends)
        return tuple(dict.fromkeys(e for e in found if e != self.id))

    @property
    def hedges(self) -> tuple[str, ...]:
        """The hedging words its reports print, each once."""
        return tuple(dict.fromkeys(h for r in self.reports for h in r.hedges))

    def core(self) -> tuple:
        """The fields every article reporting this claim must agree on."""
        return tuple(getattr(self, name) for name in CORE_FIELDS)


# What every article reporting one claim must agree on (the rest is each report's own).
CORE_FIELDS = ("claimant", "statement", "topic", "about", "subject", "quote", "value", "stated",
               "period", "confirms", "revises", "claimant_basis", "occasion", "modality",
               "insertions", "caveats")


@dataclass
class Article:
    id: str
    text: str
    body: Span
    outlet: str | None = None
    outlet_basis: str | None = None
    title: str | None = None
    authors: tuple[str, ...] = ()
    published: TimeSpec | None = None
    url: str | None = None
    language: str = "en"
    curation: Curation = HAND_UNREVIEWED   # how its claims were listed, unless a claim says otherwise
    claims: list[Claim] = field(default_factory=list)  # each with the one report from this article
    source: Path | None = None


@dataclass
class Corpus:
    entities: dict[str, Entity]
    articles: dict[str, Article]
    claims: dict[str, Claim]  # joined across articles: one claim, its reports from every article


# --------------------------------------------------------------------------------------------
# Problems
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Problem:
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class CorpusError(ValueError):
    """The corpus (or a submitted article) is not acceptable; `problems` lists every reason."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class Problems:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

        self.unlisted = 0

    def add(self, where: str, message: str) -> None:
        if len(self.problems) >= MAX_PROBLEMS:
            self.unlisted += 1
            return
        self.problems.append(Problem(_cut(where), _cut(message)))

    def raise_if_any(self) -> None:
        if self.problems:
            more = [Problem("...", f"and {self.unlisted} more problem(s) not listed")] if self.unlisted else []
            raise CorpusError(self.problems + more)


def _cut(text: str) -> str:
    return text if len(text) <= MAX_MESSAGE else text[:MAX_MESSAGE - 3] + "..."


# --------------------------------------------------------------------------------------------
# Parsing helpers
# --------------------------------------------------------------------------------------------

def parse_partial_date(value: Any) -> PartialDate:
    """Accept "2025", "2025-01", "2025-01-19" (or a YAML date) and check it is a real date."""
    if isinstance(value, date):
        return PartialDate(value.isoformat())
    if isinstance(value, bool) or not isinstance(value, (str, int)):  # before str(): it may be huge
        raise ValueError(f"{shown(value)} is not a date: write YYYY, YYYY-MM or YYYY-MM-DD")
    text = str(value).strip()
    m = _PARTIAL_DATE.match(text)
    if not m:
        raise ValueError(f"{shown(value)} is not a date: write YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = m.groups()
    try:
        date(int(year), int(month or 1), int(day or 1))
    except ValueError as exc:
        raise ValueError(f"{shown(value)} is not a date: {exc}") from None
    return PartialDate(text)


def _ends_before(end: PartialDate, start: PartialDate) -> bool:
    """Whether every day `end` allows is before every day `start` allows: compared at the
    coarser precision of the two, so 2025-01 may end a period that starts 2025-01-15."""
    common = min(len(end.text), len(start.text))
    return end.text[:common] < start.text[:common]


def _time_spec(raw: Any, where: str, out: Problems) -> TimeSpec | None:
    if raw is None:
        return None
    try:
        if not isinstance(raw, dict):
            return TimeSpec(date=parse_partial_date(raw))
        unknown = set(raw) - {"date", "inferred", "basis", "earliest", "latest"}
        if unknown:
            out.add(where, f"unknown keys {shown(sorted(map(str, unknown)))}")
        _texts(raw, ("basis",), where, out)
        inferred = bool(raw.get("inferred", False))
        basis = raw.get("basis")
        if inferred and not basis:
            out.add(where, "an inferred date needs its basis")
        if not inferred and (basis or raw.get("earliest") or raw.get("latest")):
            out.add(where, "basis and bounds are only for inferred dates: add 'inferred: true'")
        spec = TimeSpec(
            date=parse_partial_date(raw["date"]) if raw.get("date") is not None else None,
            inferred=inferred,
            basis=basis,
            earliest=parse_partial_date(raw["earliest"]) if raw.get("earliest") else None,
            latest=parse_partial_date(raw["latest"]) if raw.get("latest") else None,
        )
        if spec.date is None and spec.earliest is None and spec.latest is None:
            out.add(where, "give a date or at least one bound (earliest, latest)")
        if spec.earliest and spec.latest and spec.earliest.text > spec.latest.text:
            out.add(where, f"earliest {spec.earliest} is after latest {spec.latest}")
        return spec
    except ValueError as exc:
        out.add(where, str(exc))
        return None


def _number(value: Any, where: str, key: str, out: Problems) -> float | int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        out.add(where, f"value.{key} must be a number, not {shown(value)}")
        return None
    return value


def _quantity(raw: Any, where: str, out: Problems) -> Quantity | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        out.add(where, f"value must be a mapping (min, max, amount, ...), not {shown(raw)}")
        return None
    allowed = {"min", "max", "amount", "approximate", "exclusive_min", "unit", "derived", "basis",
               "qualifier"}
    unknown = set(raw) - allowed
    if unknown:
        out.add(where, f"value has unknown keys {shown(sorted(map(str, unknown)))}")
    _texts(raw, ("unit", "basis", "qualifier"), f"{where}: value", out)
    amount = _number(raw.get("amount"), where, "amount", out)
    lo = _number(raw.get("min"), where, "min", out)
    hi = _number(raw.get("max"), where, "max", out)
    if amount is not None:
        if lo is not None or hi is not None:
            out.add(where, "value: give either amount or min/max, not both")
        lo = hi = amount
    if lo is None and hi is None:
        out.add(where, "value needs amount, min or max")
    if lo is not None and hi is not None and lo > hi:
        out.add(where, f"value range is upside down: min {lo} > max {hi}")
    derived = bool(raw.get("derived", False))
    if derived and not raw.get("basis"):
        out.add(where, "a derived value needs its basis")
    return Quantity(min=lo, max=hi, amount=amount, approximate=bool(raw.get("approximate", False)),
                    exclusive_min=bool(raw.get("exclusive_min", False)), unit=raw.get("unit"),
                    derived=derived, basis=raw.get("basis"), qualifier=raw.get("qualifier"))


def _span(raw: Any, where: str, text: str, out: Problems) -> Span | None:
    if not isinstance(raw, dict) or not {"start", "end", "exact"} <= set(raw):
        out.add(where, "needs start, end and exact")
        return None
    start, end, exact = raw["start"], raw["end"], raw["exact"]
    if not (isinstance(start, int) and isinstance(end, int)) or isinstance(start, bool):
        out.add(where, f"start and end must be whole numbers, not {shown(start)} and {shown(end)}")
        return None
    if not isinstance(exact, str):
        out.add(where, "exact must be text")
        return None
    if not 0 <= start < end <= len(text):
        out.add(where, f"offsets {start}:{end} are outside the text (0:{len(text)})")
        return None
    if text[start:end] != exact:
        found = text.find(exact)
        hint = f"; the exact text occurs at {found}:{found + len(exact)}" if found >= 0 else \
            "; the exact text does not occur anywhere in the article"
        out.add(where, f"evidence is not verbatim at {start}:{end}: the text there is "
                       f"{text[start:end][:80]!r}{hint}")
        return None
    return Span(start, end, exact)


def _body(raw: Any, where: str, text: str, out: Problems) -> Span | None:
    """The article body is given by offsets alone; its text is the article's at those offsets."""
    if raw is None:
        return Span(0, len(text), text)
    if not isinstance(raw, dict) or not {"start", "end"} <= set(raw):
        out.add(where, "needs start and end")
        return None
    start, end = raw["start"], raw["end"]
    if not (isinstance(start, int) and isinstance(end, int)) or isinstance(start, bool):
        out.add(where, f"start and end must be whole numbers, not {shown(start)} and {shown(end)}")
        return None
    if not 0 <= start < end <= len(text):
        out.add(where, f"offsets {start}:{end} are outside the text (0:{len(text)})")
        return None
    return Span(start, end, text[start:end])


def _texts(raw: dict, keys: tuple[str, ...], where: str, out: Problems) -> None:
    """Free-text fields must be text (a list or a mapping there is a mistake, not a value)."""
    for key in keys:
        if raw.get(key) is not None and not isinstance(raw[key], str):
            out.add(f"{where}: {key}", f"must be text, not {shown(raw[key])}")
            raw[key] = None


def _strings(raw: Any, where: str, key: str, out: Problems) -> tuple[str, ...]:
    if raw is None:
        return ()
    if isinstance(raw, str):
        return (raw,)
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        out.add(where, f"{key} must be a list of strings")
        return ()
    return tuple(raw)


class _RefusedYaml(yaml.MarkedYAMLError):
    """Well-formed YAML that the corpus format refuses (an alias, too deep)."""


class _CorpusYamlLoader(yaml.SafeLoader):
    """YAML as the corpus format uses it: no aliases and at most MAX_YAML_DEPTH levels.

    Nothing in the format repeats, so aliases are never needed, and a few bytes of them expand
    into gigabytes (a "billion laughs"). Depth is counted while composing, the one recursive
    step of PyYAML's pure-Python loader, so deep nesting is refused before Python's recursion
    limit is near."""

    def __init__(self, stream):
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise _RefusedYaml(
                None, None, f"the alias *{shown(event.anchor)} is not allowed: the corpus format "
                            "has no anchors or aliases; write the value out", event.start_mark)
        self._depth += 1
        try:
            if self._depth > MAX_YAML_DEPTH:
                raise _RefusedYaml(
                    None, None, f"nested more than {MAX_YAML_DEPTH} levels deep", event.start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


_FAST_LOADER = getattr(yaml, "CSafeLoader", None)  # libyaml: ten times faster than pure Python


def _refuse_aliases_and_depth(loader) -> None:
    """The protections of _CorpusYamlLoader for the libyaml loader, whose composer cannot be
    hooked: one pass over the parser's events (a loop, no recursion, no node built) refuses an
    alias, and a node nested deeper than MAX_YAML_DEPTH, before the document is composed."""
    depth = 0  # open collections around the next node
    while loader.check_event():
        event = loader.get_event()
        if isinstance(event, yaml.AliasEvent):
            raise _RefusedYaml(
                None, None, f"the alias *{shown(event.anchor)} is not allowed: the corpus format "
                            "has no anchors or aliases; write the value out", event.start_mark)
        if isinstance(event, (yaml.ScalarEvent, yaml.CollectionStartEvent)) \
                and depth + 1 > MAX_YAML_DEPTH:
            raise _RefusedYaml(
                None, None, f"nested more than {MAX_YAML_DEPTH} levels deep", event.start_mark)
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def parse_yaml(data: bytes, where: str, out: Problems, max_bytes: int | None = None) -> Any:
    """A corpus YAML document, or None with the problem added: too large, not UTF-8, malformed,
    an alias, nested too deep. Size is checked before anything is parsed."""
    if max_bytes is not None and len(data) > max_bytes:
        out.add(where, f"is {len(data):,} bytes, over the {max_bytes:,}-byte limit "
                       "(WHOSAID_MAX_SUBMISSION_BYTES)")
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        out.add(where, f"not UTF-8 text (byte {exc.start})")
        return None
    fast = _FAST_LOADER is not None
    loader = _FAST_LOADER(text) if fast else _CorpusYamlLoader(text)
    try:
        if fast:
            try:
                _refuse_aliases_and_depth(loader)    # events only: iterative, nothing built
                loader.dispose()
                loader = _FAST_LOADER(text)
                return loader.get_single_data()
            except _RefusedYaml:
                raise
            except yaml.YAMLError:
                # Refused either way; the pure-Python loader says why as it always has (libyaml
                # words some errors differently, and refuses escapes it would let the checks name).
                loader.dispose()
                loader = _CorpusYamlLoader(text)
        return loader.get_single_data()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        reason = getattr(exc, "problem", None) or str(exc)
        kind = "refused YAML" if isinstance(exc, _RefusedYaml) else "malformed YAML"
        out.add(where, f"{kind}{at}: {reason}")
    except RecursionError:  # defence in depth: the depth limit should come first
        out.add(where, "malformed YAML: nested too deep")
    finally:
        loader.dispose()
    return None


def _load_yaml(path: Path, out: Problems, max_bytes: int | None = None) -> Any:
    try:
        size = path.stat().st_size
        if max_bytes is not None and size > max_bytes:  # before reading it
            out.add(str(path), f"is {size:,} bytes, over the {max_bytes:,}-byte limit "
                               "(WHOSAID_MAX_SUBMISSION_BYTES)")
            return None
        data = path.read_bytes()
    except OSError as exc:
        out.add(str(path), f"cannot read: {exc.strerror}")
        return None
    return parse_yaml(data, str(path), out)


def unencodable(value: Any, where: str, out: Problems) -> None:
    """Add a problem for every string in `value` that UTF-8 cannot encode (a lone surrogate,
    which JSON's \\ud800 escapes and YAML's can produce): RDF text must be Unicode text."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            out.add(where, f"has a lone surrogate (U+{ord(value[exc.start]):04X}) at offset "
                           f"{exc.start}: text must be valid Unicode")
    elif isinstance(value, dict):
        for key, item in value.items():
            unencodable(key, where, out)
            unencodable(item, f"{where}.{key}" if isinstance(key, str) and key.isidentifier()
                        else where, out)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            unencodable(item, f"{where}[{i}]", out)


# --------------------------------------------------------------------------------------------
# Entities
# --------------------------------------------------------------------------------------------

class EntityIndex:
    """Finds entities by id, label or alias, regardless of case, accents and punctuation."""

    def __init__(self, entities: dict[str, Entity]):
        self.entities = entities
        self._by_name: dict[str, set[str]] = {}
        for e in entities.values():
            for name in e.names:
                self._by_name.setdefault(normalize_name(name), set()).add(e.id)

    def extended(self, more: dict[str, Entity]) -> "EntityIndex":
        """This index with `more` entities added, leaving this one as it is: a copy of the name
        table's references (fast) rather than normalising every name again."""
        if not more:
            return self
        other = EntityIndex({})
        other.entities = {**self.entities, **more}
        other._by_name = dict(self._by_name)
        for e in more.values():
            for name in e.names:
                key = normalize_name(name)
                other._by_name[key] = other._by_name.get(key, set()) | {e.id}
        return other

    def candidates(self, ref: str) -> list[str]:
        if ref in self.entities:
            return [ref]
        return sorted(self._by_name.get(normalize_name(ref), ()))

    def named(self, name: str) -> set[str]:
        """Ids of the entities that have `name` as id, label or alias (normalised)."""
        return self._by_name.get(normalize_name(name), set())


def refuse_name_collisions(new: dict[str, Entity], stored: dict[str, Entity], where: str,
                           out: Problems, index: EntityIndex | None = None) -> None:
    """A new entity may not take a name (id, label or alias, compared as references are) that an
    existing entity has: every reference to that name would turn ambiguous, the README's
    `claims(claimant: "NIS")` among them. A different entity that really shares a name says so
    with `differentFrom: [id]` and a `disambiguation`."""
    index = index if index is not None else EntityIndex(stored)
    for e in new.values():
        if e.id in stored:
            continue  # the same entity described again: compared triple by triple elsewhere
        clashes: dict[str, list[str]] = {}
        for kind, name in (("id", e.id), ("label", e.label), *(("alias", a) for a in e.aliases)):
            if not normalize_name(name):
                continue
            for other in sorted(index.named(name) - {e.id} - set(e.different_from)):
                clashes.setdefault(other, []).append(f"{kind} '{name}'")
        for other, names in clashes.items():
            out.add(f"{where}: entity '{e.id}'",
                    f"its {', '.join(names[:3])} would also name entity '{other}' "
                    f"({stored[other].label}), making references to it ambiguous: refer to "
                    f"'{other}' by id if you mean it; if not, add differentFrom: [{other}] and a "
                    "disambiguation saying how to tell them apart")


def parse_entities(raw: Any, where: str, out: Problems,
                   known_ids: set[str] = frozenset()) -> dict[str, Entity]:
    """Entity definitions; partOf/locatedIn may name these or `known_ids` (entities stored already)."""
    entities: dict[str, Entity] = {}
    if not isinstance(raw, list):
        out.add(where, "must be a list of entities")
        return entities
    unencodable(raw, where, out)
    for i, item in enumerate(raw):
        w = f"{where}: entity #{i + 1}"
        if not isinstance(item, dict):
            out.add(w, "must be a mapping")
            continue
        eid = item.get("id")
        if not isinstance(eid, str) or not _ID.fullmatch(eid):
            out.add(w, f"id {shown(eid)} must be a slug (lowercase letters, digits, '-' or '_')")
            continue
        w = f"{where}: entity '{eid}'"
        if eid in entities:
            out.add(w, "defined twice")
        etype = item.get("type")
        if etype not in ENTITY_TYPES:
            out.add(w, f"type {shown(etype)} is not one of {', '.join(ENTITY_TYPES)}")
        label = item.get("label")
        if not isinstance(label, str) or not label.strip():
            out.add(w, "needs a label")
            label = eid
        unknown = set(item) - _ENTITY_KEYS
        if unknown:
            out.add(w, f"unknown keys {shown(sorted(map(str, unknown)))}")
        same_as = _strings(item.get("sameAs"), w, "sameAs", out)
        for iri in same_as:
            if not iri.startswith("http://www.wikidata.org/entity/Q"):
                out.add(w, f"sameAs {shown(iri)} is not a Wikidata entity IRI")
        _texts(item, ("description",), w, out)
        different_from = _strings(item.get("differentFrom"), w, "differentFrom", out)
        disambiguation = item.get("disambiguation")
        if disambiguation is not None and (not isinstance(disambiguation, str) or not disambiguation.strip()):
            out.add(w, "disambiguation must be text saying how to tell the entities apart")
            disambiguation = None
        if different_from and disambiguation is None:
            out.add(w, "differentFrom needs a disambiguation: how to tell the entities apart")
        if disambiguation and not different_from:
            out.add(w, "a disambiguation goes with differentFrom: [ids of the entities it is not]")
        if eid in different_from:
            out.add(w, "differentFrom lists the entity itself")
        external = item.get("external") or {}
        if not isinstance(external, dict) or set(external) - {"aliases", "description"}:
            out.add(f"{w}: external", "must be a mapping with aliases and/or description: what is "
                                      "known of the entity from outside the corpus")
            external = {}
        _texts(external, ("description",), f"{w}: external", out)
        kind, place = item.get("kind"), item.get("place")
        if etype == "Occasion":
            if kind is not None and kind not in OCCASION_KINDS:
                out.add(w, f"kind {shown(kind)} is not one of {', '.join(OCCASION_KINDS)}")
                kind = None
        elif any(k in item for k in ("kind", "date", "place")):
            out.add(w, "kind, date and place are for an Occasion")
        entities[eid] = Entity(
            id=eid, type=etype or "Organization", label=label,
            aliases=_strings(item.get("aliases"), w, "aliases", out),
            description=item.get("description"), part_of=item.get("partOf"),
            located_in=item.get("locatedIn"), same_as=same_as,
            different_from=different_from, disambiguation=disambiguation,
            external_aliases=_strings(external.get("aliases"), f"{w}: external", "aliases", out),
            external_description=external.get("description"),
            kind=kind, date=_time_spec(item.get("date"), f"{w}: date", out),
            place=place if isinstance(place, str) else None,
        )
    for e in entities.values():
        refs = [("partOf", e.part_of), ("locatedIn", e.located_in), ("place", e.place),
                *(("differentFrom", d) for d in e.different_from)]
        for key, ref in refs:
            if ref is not None and ref not in entities and ref not in known_ids:
                out.add(f"{where}: entity '{e.id}'", f"{key} {shown(ref)} is not a known entity id")
        if e.place in entities and entities[e.place].type not in PLACE_TYPES:
            out.add(f"{where}: entity '{e.id}'", f"place '{e.place}' is a {entities[e.place].type}, "
                                                 "not a Place or Country")
    return entities


# --------------------------------------------------------------------------------------------
# Articles
# --------------------------------------------------------------------------------------------

_ENTITY_KEYS = {"id", "type", "label", "aliases", "description", "partOf", "locatedIn", "sameAs",
                "differentFrom", "disambiguation", "external", "kind", "date", "place"}
_ARTICLE_KEYS = {"id", "outlet", "outlet_basis", "title", "authors", "published", "url", "language",
                 "body", "claims", "entities", "curation"}
_CLAIM_KEYS = {"id", "claimant", "claimant_basis", "via", "statement", "topic", "about", "subject",
               "quote", "value", "stated", "period", "evidence", "confirms", "revises", "links",
               "occasion", "modality", "hedges", "insertions", "caveats", "attributed_to",
               "curation"}
# Relations between claims. `confirms` and `revises` on a claim are its claimant's; `links` on a
# report are drawn by the article itself ("The NIS statement corroborates a recent report by The
# New York Times" is the outlet's judgement, not the NIS's).
# `possiblySame` is the curators' note that two claims of different articles may be one
# statement that was not joined (a reason is required): the graph shows it, it never merges them.
LINK_RELATIONS = ("confirms", "corroborates", "contradicts", "revises", "possiblySame")


def read_article_text(path: Path, out: Problems) -> str | None:
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        out.add(str(path), f"the article text is not UTF-8 (byte {exc.start})")
    except OSError as exc:
        out.add(str(path), f"cannot read the article text: {exc.strerror}")
    return None


class _Resolver:
    """Resolves entity references in an article; unknown or ambiguous ones become problems."""

    def __init__(self, index: EntityIndex, out: Problems):
        self.index, self.out = index, out

    def __call__(self, ref: Any, where: str, role: str, agent: bool = False) -> str | None:
        if not isinstance(ref, str) or not ref.strip():
            self.out.add(where, f"{role} must be an entity reference, not {shown(ref)}")
            return None
        found = self.index.candidates(ref)
        if not found:
            self.out.add(where, f"{role} '{ref}' is not a known entity (id, label or alias)")
            return None
        if len(found) > 1:
            self.out.add(where, f"{role} '{ref}' is ambiguous: it matches {', '.join(found)}")
            return None
        eid = found[0]
        if agent and self.index.entities[eid].type not in AGENT_TYPES:
            self.out.add(where, f"{role} '{ref}' is a {self.index.entities[eid].type}, not an agent")
        return eid


def parse_article(raw: Any, text: str, where: str, index: EntityIndex, topics: set[str],
                  out: Problems) -> Article | None:
    if not isinstance(raw, dict):
        out.add(where, "must be a mapping with id, body and claims")
        return None
    unknown = set(raw) - _ARTICLE_KEYS
    if unknown:
        out.add(where, f"unknown keys {shown(sorted(map(str, unknown)))}")
    aid = raw.get("id")
    if not isinstance(aid, str) or not _ID.fullmatch(aid):
        out.add(where, f"id {shown(aid)} must be a slug (lowercase letters, digits, '-' or '_')")
        return None
    unencodable(raw, where, out)
    unencodable(text, f"{where}: text", out)
    _texts(raw, ("title", "outlet_basis"), where, out)
    language = raw.get("language") or "en"
    if not isinstance(language, str) or not is_language_tag(language):
        out.add(f"{where}: language", f"{shown(language)} is not a BCP 47 language tag "
                                      "(e.g. en, uk, pt-BR, zh-Hant)")
        language = "en"
    resolve = _Resolver(index, out)
    body = _body(raw.get("body"), f"{where}: body", text, out)
    outlet = resolve(raw["outlet"], where, "outlet") if raw.get("outlet") else None
    if outlet and index.entities[outlet].type != "NewsOutlet":
        out.add(where, f"outlet '{outlet}' is a {index.entities[outlet].type}, not a NewsOutlet")
    url = raw.get("url")
    if url is not None and not (isinstance(url, str) and re.fullmatch(r"https?://\S+", url)):
        out.add(where, f"url {shown(url)} is not an http(s) URL")
    article = Article(
        id=aid, text=text, body=body or Span(0, len(text), text),
        outlet=outlet, outlet_basis=raw.get("outlet_basis"),
        title=raw.get("title"), authors=_strings(raw.get("authors"), where, "authors", out),
        published=_time_spec(raw.get("published"), f"{where}: published", out),
        url=url, language=language,
        curation=parse_curation(raw.get("curation"), f"{where}: curation", out, parse_partial_date),
    )
    claims = raw.get("claims") or []
    if not isinstance(claims, list):
        out.add(where, "claims must be a list")
        claims = []
    seen: set[str] = set()
    for i, item in enumerate(claims):
        claim = _parse_claim(item, i, article, where, resolve, topics, out)
        if claim is None:
            continue
        if claim.id in seen:
            out.add(f"{where}: claim '{claim.id}'", "listed twice in this article")
        seen.add(claim.id)
        article.claims.append(claim)
    return article


def _parse_claim(item: Any, i: int, article: Article, where: str, resolve: _Resolver,
                 topics: set[str], out: Problems) -> Claim | None:
    w = f"{where}: claim #{i + 1}"
    if not isinstance(item, dict):
        out.add(w, "must be a mapping")
        return None
    cid = item.get("id")
    if not isinstance(cid, str) or not _ID.fullmatch(cid):
        out.add(w, f"id {shown(cid)} must be a slug (lowercase letters, digits, '-' or '_')")
        return None
    w = f"{where}: claim '{cid}'"
    unknown = set(item) - _CLAIM_KEYS
    if unknown:
        out.add(w, f"unknown keys {shown(sorted(map(str, unknown)))}")
    if not item.get("claimant"):
        out.add(w, "has no claimant")
        claimant = None
    else:
        claimant = resolve(item["claimant"], w, "claimant", agent=True)
    via, via_basis = _via(item.get("via"), w, resolve, out)
    claimant_basis = item.get("claimant_basis")
    if claimant_basis is not None and not (isinstance(claimant_basis, str) and claimant_basis.strip()):
        out.add(w, "claimant_basis must be text: how the claimant was worked out")
        claimant_basis = None
    about = tuple(a for a in (resolve(r, w, "about")
                              for r in _strings(item.get("about"), w, "about", out)) if a)
    subject = resolve(item["subject"], w, "subject") if item.get("subject") else None
    statement = item.get("statement")
    if not isinstance(statement, str) or not statement.strip():
        out.add(w, "needs a statement")
    topic = item.get("topic")
    if topic not in topics:
        out.add(w, f"topic {shown(topic)} is not in the topic scheme ({', '.join(sorted(topics))})")
    quote = item.get("quote")
    if quote is not None and not isinstance(quote, str):
        out.add(w, "quote must be text")
        quote = None
    evidence = _span(item.get("evidence"), f"{w}: evidence", article.text, out)
    if evidence and not (article.body.start <= evidence.start and evidence.end <= article.body.end):
        out.add(f"{w}: evidence", f"{evidence.start}:{evidence.end} lies outside the article body "
                                  f"{article.body.start}:{article.body.end}")
    period = _period(item.get("period"), f"{w}: period", out)
    confirms = _strings(item.get("confirms"), w, "confirms", out)
    revises = item.get("revises")
    for key, target in (*(("confirms", c) for c in confirms), ("revises", revises)):
        if target is not None and not (isinstance(target, str) and _ID.fullmatch(target)):
            out.add(f"{w}: {key}", f"{shown(target)} is not a claim id (a slug)")
            return None
    links = _links(item.get("links"), cid, f"{w}: links", out)
    caveats = _strings(item.get("caveats"), w, "caveats", out)
    for target in caveats:
        if not _ID.fullmatch(target) or target == cid:
            out.add(f"{w}: caveats", f"{shown(target)} is not the id of another claim")
            return None
    occasion = resolve(item["occasion"], w, "occasion") if item.get("occasion") else None
    if occasion and resolve.index.entities[occasion].type != "Occasion":
        out.add(w, f"occasion '{occasion}' is a {resolve.index.entities[occasion].type}, not an Occasion")
    modality = item.get("modality", "asserted")
    if modality not in MODALITIES:
        out.add(w, f"modality {shown(modality)} is not one of {', '.join(MODALITIES)}")
        modality = "asserted"
    hedges = _strings(item.get("hedges"), w, "hedges", out)
    if hedges and modality == "asserted":
        out.add(w, "hedges go with modality hedged, predicted or conditional, not asserted")
    for words in hedges:
        if evidence is not None and words.lower() not in evidence.exact.lower():
            out.add(f"{w}: hedges", f"hedge {words[:40]!r} is not in this report's evidence")
    insertions = _strings(item.get("insertions"), w, "insertions", out)
    for insertion in insertions:
        if not (isinstance(quote, str) and insertion in quote):
            out.add(f"{w}: insertions", f"{insertion!r} is not inside the claim's quote")
    attributed_to = resolve(item["attributed_to"], w, "attributed_to", agent=True) \
        if item.get("attributed_to") else None
    if attributed_to and attributed_to not in via:
        out.add(w, f"attributed_to '{attributed_to}' must be one of this report's via agents: the "
                   "article names an intermediary the claim reached it through")
    if cid in confirms:
        out.add(f"{w}: confirms", "a claim cannot confirm itself")
    if item.get("revises") == cid:
        out.add(f"{w}: revises", "a claim cannot revise itself")
    if claimant is None or evidence is None or topic not in topics or not statement:
        return None
    claim = Claim(
        id=cid, claimant=claimant, statement=statement.strip(), topic=topic, about=about,
        subject=subject, quote=quote, value=_quantity(item.get("value"), f"{w}: value", out),
        stated=_time_spec(item.get("stated"), f"{w}: stated", out), period=period,
        confirms=confirms, revises=revises, claimant_basis=claimant_basis,
        occasion=occasion, modality=modality, insertions=insertions, caveats=caveats,
    )
    curation = parse_curation(item.get("curation"), f"{w}: curation", out, parse_partial_date,
                              default=article.curation)
    claim.reports.append(Report(article.id, evidence, via, via_basis,
                                unprinted_years(claim, article.text), links, attributed_to,
                                curation, hedges))
    return claim


def _links(raw: Any, cid: str, where: str, out: Problems) -> tuple[Link, ...]:
    """The links recorded on this report between its claim and others: {relation, target}
    (this claim <relation> target) or {relation, source} (source <relation> this claim, as in
    "The NIS statement corroborates a recent report by The New York Times", the evidence of the
    NYT claim's report); `possiblySame` also takes the `reason`."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        out.add(where, "must be a list of {relation, target} or {relation, source}")
        return ()
    found = []
    for item in raw:
        keys = set(item) - {"reason"} if isinstance(item, dict) else None
        if keys not in ({"relation", "target"}, {"relation", "source"}):
            out.add(where, f"each link is {{relation, target}} or {{relation, source}}, not {shown(item)}")
            continue
        relation, reason = item["relation"], item.get("reason")
        other = item.get("target", item.get("source"))
        if relation not in LINK_RELATIONS:
            out.add(where, f"relation {shown(relation)} is not one of {', '.join(LINK_RELATIONS)}")
        elif not (isinstance(other, str) and _ID.fullmatch(other)):
            out.add(where, f"{shown(other)} is not a claim id (a slug)")
        elif other == cid:
            out.add(where, "a claim cannot be linked to itself")
        elif (relation == "possiblySame") != (isinstance(reason, str) and bool(reason.strip())):
            out.add(where, "a possiblySame link needs its reason (text), and only it takes one")
        else:
            source, target = (cid, other) if "target" in item else (other, cid)
            found.append(Link(relation, source, target, reason))
    return tuple(found)


def _via(raw: Any, where: str, resolve: "_Resolver", out: Problems) -> tuple[tuple, tuple]:
    """The via chain: each step an entity reference, or {agent, basis} for a step the text does
    not name as such (worked out, with how)."""
    if raw is None:
        return (), ()
    if not isinstance(raw, list):
        out.add(where, "via must be a list of entity references")
        return (), ()
    agents, bases = [], []
    for step in raw:
        basis = None
        if isinstance(step, dict):
            unknown = set(step) - {"agent", "basis"}
            if unknown:
                out.add(f"{where}: via", f"unknown keys {shown(sorted(map(str, unknown)))} "
                                         "(a step is an entity, or agent and basis)")
            basis = step.get("basis")
            if not (isinstance(basis, str) and basis.strip()):
                out.add(f"{where}: via", "a step given as a mapping is worked out: give its basis")
                basis = None
            step = step.get("agent")
        agent = resolve(step, where, "via", agent=True)
        if agent:
            agents.append(agent)
            bases.append(basis)
    return tuple(agents), tuple(bases)


def _period(raw: Any, where: str, out: Problems) -> Period | None:
    if raw is None:
        return None
    if isinstance(raw, str):
        return Period(raw)
    if not (isinstance(raw, dict) and isinstance(raw.get("label"), str)):
        out.add(where, "must be text or a mapping with label, start, end (and inferred, basis)")
        return None
    unknown = set(raw) - {"label", "start", "end", "inferred", "basis"}
    if unknown:
        out.add(where, f"unknown keys {shown(sorted(map(str, unknown)))}")
    _texts(raw, ("basis",), where, out)
    inferred, basis = bool(raw.get("inferred", False)), raw.get("basis")
    if inferred and not basis:
        out.add(where, "an inferred period needs its basis")
    if basis and not inferred:
        out.add(where, "a basis is only for an inferred period: add 'inferred: true'")
    try:
        period = Period(raw["label"],
                        parse_partial_date(raw["start"]) if raw.get("start") else None,
                        parse_partial_date(raw["end"]) if raw.get("end") else None,
                        inferred, basis if inferred else None)
    except ValueError as exc:
        out.add(where, str(exc))
        return None
    if inferred and not (period.start or period.end):
        out.add(where, "only a start or an end can be inferred: give one")
    if period.start and period.end and _ends_before(period.end, period.start):
        out.add(where, f"ends ({period.end}) before it starts ({period.start})")
    return period


def unprinted_years(claim: Claim, text: str) -> tuple[str, ...]:
    """The claim's dates given as printed (not marked inferred) whose year `text` never prints,
    as "stated 2025-01-30". A year that no article reporting the claim prints was worked out
    (from the publication date, "last month", another article) and must be marked inferred with
    its basis, so that the graph never presents an inference as what an article says;
    join_claims and the build's cross-article rules refuse it otherwise."""
    dates = []
    if claim.stated and claim.stated.date and not claim.stated.inferred:
        dates.append(("stated", claim.stated.date))
    if claim.period and not claim.period.inferred:
        dates += [("period", d) for d in (claim.period.start, claim.period.end) if d]
    printed = set(re.findall(r"(?<!\d)(\d{4})(?!\d)", text))
    found: list[str] = []
    for key, date in dates:
        if date.text[:4] not in printed and f"{key} {date}" not in found:
            found.append(f"{key} {date}")
    return tuple(found)


UNPRINTED_RULE = ("has the year of {what} printed in none of the articles that report it "
                  "({articles}): mark the date 'inferred: true' with the basis it was worked out on")


# --------------------------------------------------------------------------------------------
# The whole corpus
# --------------------------------------------------------------------------------------------

def join_claims(articles: Iterable[Article], out: Problems,
                known_claims: set[str] = frozenset()) -> dict[str, Claim]:
    """One statement, one claim: join the reports of a claim id across articles.

    Refuses a claim id whose core fields differ between articles, a quote found in none of its
    evidence spans, and a confirms/revises target that is not a claim. `known_claims` are claims
    already stored: they may be targets, and their quote may lie in a stored report's evidence
    (which SHACL then checks, with those reports loaded).
    """
    joined: dict[str, Claim] = {}
    first_seen: dict[str, str] = {}
    for article in articles:
        for claim in article.claims:
            if claim.id not in joined:
                joined[claim.id] = Claim(**{**claim.__dict__, "reports": list(claim.reports)})
                first_seen[claim.id] = article.id
                continue
            have = joined[claim.id]
            if have.core() != claim.core():
                differ = [n for n, a, b in zip(CORE_FIELDS, have.core(), claim.core()) if a != b]
                out.add(f"article {article.id}: claim '{claim.id}'",
                        f"also in article {first_seen[claim.id]} with different "
                        f"{', '.join(differ)}: one claim id must mean one statement")
                continue
            have.reports.extend(claim.reports)
    for claim in joined.values():
        where = f"claim '{claim.id}'"
        if claim.quote and claim.id not in known_claims and \
                not any(claim.quote in r.evidence.exact for r in claim.reports):
            out.add(where, f"quote {claim.quote[:60]!r} is not inside its evidence in "
                           f"{', '.join(r.article_id for r in claim.reports)}")
        words = claim.value.qualifier if claim.value else None
        if words and claim.id not in known_claims and \
                not any(words.lower() in r.evidence.exact.lower() for r in claim.reports):
            out.add(where, f"value qualifier {words[:40]!r} is printed in none of its evidence "
                           f"({', '.join(r.article_id for r in claim.reports)})")
        if claim.id not in known_claims and all(r.unprinted for r in claim.reports):
            out.add(where, UNPRINTED_RULE.format(
                what=", ".join(claim.reports[0].unprinted),
                articles=", ".join(r.article_id for r in claim.reports)))
        for target in claim.referenced_claims():
            if target not in joined and target not in known_claims:
                out.add(where, f"refers to claim '{target}', which does not exist")
    return joined


def load_corpus(corpus_dir: Path, topics: set[str], max_file_bytes: int | None = None) -> Corpus:
    """Read and check the whole corpus; raise CorpusError with every problem found.
    A YAML file over `max_file_bytes` is refused before it is read."""
    out = Problems()
    raw_entities = _load_yaml(corpus_dir / "entities.yaml", out, max_file_bytes)
    entities = parse_entities(raw_entities, str(corpus_dir / "entities.yaml"), out) \
        if raw_entities is not None or not out.problems else {}
    index = EntityIndex(entities)
    articles: dict[str, Article] = {}
    for meta in sorted((corpus_dir / "articles").glob("*.yaml")):
        text_path = meta.with_suffix(".txt")
        text = read_article_text(text_path, out)
        raw = _load_yaml(meta, out, max_file_bytes)
        if text is None or raw is None or raw_entities is None:
            continue  # without entities every reference would fail: report the files' own problems
        article = parse_article(raw, text, str(meta), index, topics, out)
        if article is None:
            continue
        if article.id != meta.stem:
            out.add(str(meta), f"id '{article.id}' must equal the file name '{meta.stem}'")
        article.source = meta
        articles[article.id] = article
    claims = join_claims(articles.values(), out)
    out.raise_if_any()
    return Corpus(entities, articles, claims)
