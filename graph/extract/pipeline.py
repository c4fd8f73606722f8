"""The extractor: an article's text in, its YAML in the curated format out (corpus/README.md).

For each sentence of the body: find the attribution frames (attribution.py); name the claimant
and the chain from the innermost speaker outwards (entities.py, with role nouns and pronouns
resolved to the entity last named in that role); take each figure of the content as one claim
(quantities.py), its topic from the words around the figure (topics.py); date it (dates.py);
mark hedges. A sentence with no frame is the outlet's own voice, kept when it reports a figure or
something a topic covers. Every claim says it was extracted, by which version, with what
confidence, and awaits review; what was worked out carries its basis.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..corpus import Corpus, Entity
from ..names import normalize_name
from . import attribution, dates, quantities, text as text_stage
from .entities import Gazetteer, Mention
from .topics import topic_of

EXTRACTOR = "whosaid-extract"
VERSION = "0.1.0"

# Role nouns that name a speaker already named ("the intelligence agency", "the Ukrainian
# president"): the entity types each may refer back to.
_ROLES = [
    (re.compile(r"\b(?:president|minister|commander|chief|spokes(?:person|man|woman)|general|"
                r"colonel|official|leader)\b", re.I), ("Person",)),
    (re.compile(r"\b(?:agency|intelligence|service|ministry|government)\b", re.I),
     ("GovernmentAgency",)),
    (re.compile(r"\b(?:think tank|institute)\b", re.I), ("ThinkTank",)),
    (re.compile(r"\b(?:newspaper|paper|report|article|outlet|site)\b", re.I), ("NewsOutlet",)),
    (re.compile(r"^\W*(?:he|she)\b", re.I), ("Person",)),
    (re.compile(r"^\W*(?:it)\b", re.I), ("GovernmentAgency", "ThinkTank", "Organization")),
]
# Speakers the text does not name: kept as unnamed sources, never merged with a named one.
_UNNAMED = re.compile(r"\b(?:officials?|sources?|experts?|analysts?|commanders?|diplomats?|"
                      r"observers?|residents?|witnesses|soldiers|prisoners?|lawmakers?)\b", re.I)
# Words that hedge a claim, and those that make it a prediction or put a condition on it.
_HEDGES = re.compile(r"\b(?:may|might|could|likely|unlikely|possibly|possible|reportedly|"
                     r"suggests?|suggesting|suggested|appears? to|seems? to|unclear whether|"
                     r"allegedly|probably)\b", re.I)
_PREDICTS = re.compile(r"\b(?:expects?|expected to|predicts?|will|by (?:mid-|early |late |the end of )?"
                       r"(?:january|february|march|april|may|june|july|august|september|october|"
                       r"november|december))\b", re.I)
_CONDITION = re.compile(r"\bif\b[^,]{3,80}", re.I)
# "never confirmed", "Neither Moscow nor Pyongyang have confirmed": a frame that says nobody spoke.
_NEGATED = re.compile(r"\b(?:never|neither|nor|not|no one|nobody|declined to)\b", re.I)
# Frames whose account the next sentence of the paragraph may go on with.
_CARRYING = {"reported", "reports", "according to", "wrote", "writes"}
_DURATIONS = {"day", "days", "week", "weeks", "month", "months", "year", "years", "hours"}


@dataclass
class _Context:
    gazetteer: Gazetteer
    entities: dict[str, Entity]
    topics: set[str]
    outlet: str | None
    last_of_type: dict[str, str]        # entity type -> the entity of that type named last
    new_entities: dict[str, dict]       # unnamed sources proposed by this article
    carry: tuple | None = None          # (paragraph, chain) an unattributed sentence may continue


def extract_article(text: str, *, article_id: str, published: str | None = None,
                    outlet: str | None = None, corpus: Corpus | None = None) -> dict:
    """The article's YAML document (a dict), every claim marked as extracted and proposed."""
    if corpus is None:
        corpus = _seed_corpus()
    topics = _topics()
    if outlet:
        from ..corpus import EntityIndex
        found = EntityIndex(corpus.entities).candidates(outlet)
        if len(found) != 1:
            raise ValueError(f"outlet {outlet!r} is {'ambiguous' if found else 'not a known entity'}"
                             f"{': ' + ', '.join(found) if found else ''}; give an entity id")
        outlet = found[0]
    ctx = _Context(_gazetteer(corpus.entities), corpus.entities, topics, outlet, {}, {})
    body = text_stage.body_span(text)
    claims: list[dict] = []
    for sentence in text_stage.sentences(text, body):
        claims += _claims_of(sentence, text, published, ctx)
    claims = [{"id": slug(f"{article_id}-{n:02d}-{c['claimant']}-{c['topic']}"), **c}
              for n, c in enumerate(claims, start=1)]
    doc: dict = {"id": article_id}
    # What the caller says of the article is not printed in it: marked so, as any inference.
    if outlet:
        doc["outlet"] = outlet
        doc["outlet_basis"] = "Given with the article to the extractor (--outlet), not read from its text."
    if published:
        doc["published"] = {"date": published, "inferred": True,
                            "basis": "Given with the article to the extractor (--published), not read from its text."}
    doc["language"] = "en"
    doc["body"] = {"start": body[0], "end": body[1]}
    # The article's confidence is its least sure claim's (each claim's is taken off it here).
    doc["curation"] = {"method": "extracted", "extractor": EXTRACTOR, "version": VERSION,
                       "confidence": round(min((c.pop("_confidence") for c in claims), default=0.5), 2),
                       "review": {"status": "unreviewed"}}
    if ctx.new_entities:
        doc["entities"] = list(ctx.new_entities.values())
    doc["claims"] = claims
    return doc


def _claims_of(sentence, text: str, published, ctx: _Context) -> list[dict]:
    s = sentence.text
    mentions = ctx.gazetteer.mentions(s)
    found = attribution.frames(s)
    if found and _NEGATED.search(s[found[0].speaker[0]:found[0].content[0] or found[0].speaker[1] + 40]):
        found = []   # "Moscow never confirmed ...": the outlet says who did not speak
    chain: list[str] = []       # speakers from the outermost inwards
    co_claimants: list[str] = []
    content = (0, len(s))
    quote = None
    confidence, claimant_basis = 0.8, None
    for frame in found:
        speakers = _speakers(s, frame, mentions, ctx)
        if not speakers:
            break
        cited = [c for c in (_resolve_span(s, span, mentions, ctx) for span in frame.cited) if c]
        addressee = _resolve_span(s, frame.addressee, mentions, ctx) if frame.addressee else None
        # Outermost first: "X told The AP" is relayed by the AP; "NYT reported, citing
        # officials" comes from the officials through the NYT.
        if addressee and addressee in ctx.entities and ctx.entities[addressee].type == "NewsOutlet":
            chain.append(addressee)
        chain += [speakers[0], *cited]
        co_claimants = speakers[1:] if not cited else []
        content = frame.content
        quote = frame.quote or quote
    carried = ctx.carry if (not chain and ctx.carry and ctx.carry[0] == sentence.paragraph) else None
    if chain:
        # "..., as Zelensky reported on January 11." attributes that sentence only.
        aside = s[:found[0].speaker[0]].rstrip().endswith((", as", ",as")) or \
            s[found[0].speaker[0]:].lstrip().startswith("as ")
        ctx.carry = (sentence.paragraph, list(chain)) if found[0].verb in _CARRYING and not aside else None
    elif carried:
        # A sentence with no speaker right after "ISW reported that ..." in the same paragraph
        # goes on with that account; worked out, so marked.
        chain, confidence = list(carried[1]), 0.6
        claimant_basis = ("The sentence names no speaker; it continues the account of the sentence "
                          "before it in the same paragraph.")
    else:
        ctx.carry = None
        if not ctx.outlet:
            return []
        chain, confidence = [ctx.outlet], 0.5   # the outlet's own voice
    claimant = chain[-1]
    # The article's own outlet is not an intermediary of its own report.
    via = list(dict.fromkeys(a for a in reversed(chain[:-1]) if a not in (ctx.outlet, claimant)))
    for m in mentions:
        if m.entity != ctx.outlet:   # "the report" refers to a source, not the article itself
            ctx.last_of_type[m.type] = m.entity
    if claimant != ctx.outlet:
        ctx.last_of_type[ctx.entities[claimant].type if claimant in ctx.entities else "UnnamedSource"] = claimant
    out = []
    # "... reported that A and that B": two statements.
    parts = _clauses(s, content)
    for part in parts:
        out += _claims_in(sentence, text, published, ctx, s, part, mentions, claimant, via, quote,
                          confidence, claimant_basis, own_voice=claimant == ctx.outlet and not found)
    for other in co_claimants:  # "The United States, South Korea and Ukraine estimate ...": one each
        out += [{**c, "claimant": other} for c in out if c["claimant"] == claimant]
    return out


def _clauses(s: str, content: tuple[int, int]) -> list[tuple[int, int]]:
    """The statements of a content: "A and that B" is two, and so is "forces have been engaged in
    combat, suffering losses of about 90 a day" (the participle states a figure of its own)."""
    a, b = content
    cut = re.search(r"\s+and that\s+|,\s+(?=(?:suffering|losing|killing|leaving|causing)\b)", s[a:b])
    if not cut:
        return [content]
    return [(a, a + cut.start()), (a + cut.end(), b)]


def _claims_in(sentence, text, published, ctx, s, content, mentions, claimant, via, quote,
               confidence, claimant_basis, own_voice) -> list[dict]:
    body = s[content[0]:content[1]]
    # A duration ("for three weeks") says when, not how many: it is the period's, not a value.
    figures = [f for f in quantities.find_figures(body)
               if (f.unit or "").lower() not in _DURATIONS]
    modality, hedges = _modality(body)
    if own_voice and not figures and topic_of(body, ctx.topics, hedges=hedges) is None:
        return []
    about = [m.entity for m in mentions
             if content[0] <= m.start < content[1] and m.entity not in (claimant, *via)
             and ctx.entities[m.entity].type not in ("NewsOutlet",)]
    about = list(dict.fromkeys(about))
    stated = dates.stated_date(s, published, text)
    period = dates.period(s, published)
    out = []
    starts = [f.start for f in figures]
    candidates: list = list(figures or [None])
    if figures and modality != "asserted" and all(_descriptive(body, f) for f in figures):
        # "could lose its entire contingent of approximately 12,000 troops": the figure describes
        # what the prediction is about; the prediction is a claim of its own.
        candidates.append(None)
    for i, figure in enumerate(candidates):
        following = next((x for x in starts if figure and x > figure.start), None)
        topic = topic_of(body, ctx.topics, figure, following, hedges=hedges)
        if figure is None and _PRISONER.search(_label(claimant, ctx)) and "prisoner-testimony" in ctx.topics:
            topic = "prisoner-testimony"   # what a prisoner says is testimony, whatever it is about
        if topic is None and not own_voice and "outlook" in ctx.topics:
            # A named speaker's statement that no cue places: kept for review rather than lost,
            # as an assessment.
            topic = "outlook"
        if topic is None:
            continue
        claim = {"claimant": claimant, "via": via,
                 "statement": _statement(claimant, ctx, body, quote), "topic": topic,
                 "about": about}
        if claimant_basis:
            claim["claimant_basis"] = claimant_basis
        if figure is not None:
            claim["value"] = figure.value()
        if quote and quote in s:
            claim["quote"] = quote
        if stated:
            claim["stated"] = stated
        if period:
            claim["period"] = period
        if modality != "asserted":
            claim["modality"] = modality
            claim["hedges"] = hedges
        claim["evidence"] = {"start": sentence.start, "end": sentence.end, "exact": sentence.text}
        claim["_confidence"] = confidence if figure is None or not figure.derived else confidence - 0.1
        out.append(claim)
    return out


_PRISONER = re.compile(r"\b(?:prisoners?|captured|captive|detainees?)\b", re.I)


def _label(entity_id: str, ctx: _Context) -> str:
    if entity_id in ctx.entities:
        return ctx.entities[entity_id].label
    return ctx.new_entities.get(entity_id, {}).get("label", entity_id)


def _descriptive(body: str, figure) -> bool:
    """A figure that describes a noun ("its contingent of approximately 12,000 troops") rather
    than being what the sentence asserts."""
    return bool(re.search(r"\bof\s*$", body[:figure.start]))


def _speakers(s: str, frame, mentions: list[Mention], ctx: _Context) -> list[str]:
    """Who the frame's speaker words name: several for "The United States, South Korea, and
    Ukraine estimate"; else the one entity _resolve_span finds, or the agent named last before
    the words ("The Institute for the Study of War (ISW), a Washington-based think tank,
    reported")."""
    a, b = frame.speaker
    # "North Korean soldiers who fought ... and were captured by Ukrainian forces confirm": the
    # head of the phrase speaks, not what its relative clause names.
    relative = re.search(r"\s(?:who|which|whose)\s", s[a:b])
    if relative:
        b = a + relative.start()
        frame = attribution.Frame((a, b), frame.verb, frame.content)
    inside = [m for m in mentions if a <= m.start and m.end <= b and ctx.gazetteer.is_agent(m.entity)]
    # Names joined only by commas and "and" are several speakers of one verb.
    if len(inside) > 1 and all(re.fullmatch(r"\s*(?:,\s*(?:and\s+)?|and\s+)", s[x.end:y.start])
                               for x, y in zip(inside, inside[1:])):
        return [m.entity for m in inside]
    found = _resolve_span(s, frame.speaker, mentions, ctx, propose=True)
    if found:
        return [found]
    before = [m for m in mentions if m.end <= a and ctx.gazetteer.is_agent(m.entity)]
    return [before[-1].entity] if before else []


def _resolve_span(s: str, span, mentions: list[Mention], ctx: _Context, propose: bool = False) -> str | None:
    """The entity the words at `span` name: the agent named closest to the verb; else a role
    noun or pronoun referring back; else, for a speaker, a new unnamed source."""
    a, b = span
    inside = [m for m in mentions if a <= m.start and m.end <= b and ctx.gazetteer.is_agent(m.entity)]
    if inside:
        return max(inside, key=lambda m: (m.end, m.end - m.start)).entity
    words = s[a:b].strip()
    for pattern, types in _ROLES:
        if pattern.search(words):
            for t in types:
                if t in ctx.last_of_type:
                    return ctx.last_of_type[t]
    if propose and _UNNAMED.search(words):
        return _unnamed_source(words, ctx)
    return None


def _unnamed_source(words: str, ctx: _Context) -> str:
    label = re.sub(r"^(?:the|a|an)\s+", "", words.strip(" ,.;:"), flags=re.I)
    label = re.sub(r"\s+(?:have|has|had|nevertheless|also|previously|recently)$", "", label)
    for e in ctx.entities.values():  # a spelling the graph already knows
        if normalize_name(label) in (normalize_name(n) for n in (e.label, *e.aliases)):
            return e.id
    eid = slug(f"unnamed-{label}")[:60]
    ctx.new_entities.setdefault(eid, {"id": eid, "type": "UnnamedSource",
                                      "label": f"{label[:1].upper()}{label[1:]} (unnamed)",
                                      "aliases": [],
                                      "description": "Proposed by the extractor: speakers the article does not name."})
    return eid


def _modality(content: str) -> tuple[str, list[str]]:
    hedges = [m.group() for m in _HEDGES.finditer(content)]
    condition = _CONDITION.search(content)
    predicts = _PREDICTS.search(content)
    if condition and (predicts or hedges):
        return "conditional", list(dict.fromkeys([*hedges, condition.group().strip()]))
    if predicts:
        return "predicted", list(dict.fromkeys([predicts.group(), *hedges]))
    if hedges:
        return "hedged", list(dict.fromkeys(hedges))
    return "asserted", []


def _statement(claimant: str, ctx: _Context, content: str, quote: str | None) -> str:
    name = _label(claimant, ctx)
    said = (quote or content).strip().strip('"“”').rstrip(",.;: ")
    said = re.sub(r"^(?:that|,)\s+", "", said)
    return f"{name} said: {said}."


def slug(text: str) -> str:
    """A corpus id made from words: lowercase letters, digits, '-' and '_'."""
    return re.sub(r"-{2,}", "-", re.sub(r"[^a-z0-9_-]+", "-", text.lower())).strip("-")


_GAZETTEER: tuple = (None, None)


def _gazetteer(entities: dict) -> Gazetteer:
    """The gazetteer of these entities, built once for a run over many articles (building it
    folds every name of the graph, which costs more than reading an article)."""
    global _GAZETTEER
    if _GAZETTEER[0] is not entities:
        _GAZETTEER = (entities, Gazetteer(entities))
    return _GAZETTEER[1]


@lru_cache(maxsize=1)
def _topics() -> frozenset[str]:
    """The topic scheme's ids (read once: parsing the ontology costs more than an article)."""
    from ..build import topic_ids
    from ..rdf import ontology_graph
    return frozenset(topic_ids(ontology_graph()))


_SEED = None


def _seed_corpus() -> Corpus:
    """The project's corpus, whose entities the extractor links names to by default."""
    global _SEED
    if _SEED is None:
        from pathlib import Path
        from ..build import topic_ids
        from ..corpus import load_corpus
        from ..rdf import ontology_graph
        _SEED = load_corpus(Path(__file__).resolve().parents[2] / "corpus", topic_ids(ontology_graph()))
    return _SEED
