"""The GraphQL types and their resolvers: who said what, through whom, where, when, with what figure.

The names and shapes of the types below are a public contract (see README, "GraphQL API"): add
fields, never rename or remove them. Resolvers are thin: they ask the read model (graph/read.py)
through the per-request DataLoaders in api/loaders.py, so that a page of claims costs a fixed
number of store queries however many claims it holds.
"""

from __future__ import annotations

from enum import Enum
from typing import NewType, Optional

import strawberry
from strawberry.types import Info

from graph.read import (ArticleRecord, ClaimFilter, ClaimRecord, CurationRecord, EntityRecord, InferenceRecord,
                        LinkRecord, Page, QuantityRecord, ReadError, ReportRecord, TopicRecord)
from graph.corpus import parse_partial_date

from .loaders import Context

def _parse_date(value: object) -> str:
    if not isinstance(value, str):
        raise ReadError(f"Date must be a string like 2025-01-19, 2025-01 or 2025, not {value!r}")
    try:
        return parse_partial_date(value).text
    except ValueError as exc:
        raise ReadError(str(exc)) from None


Date = NewType("Date", str)
DATE_SCALAR = strawberry.scalar(
    name="Date",
    description='ISO 8601 date at the precision the source gives: "2025-01-19", "2025-01" or "2025".',
    serialize=str,
    parse_value=_parse_date,
)


@strawberry.enum(description="How a claim is put, as printed.")
class Modality(Enum):
    ASSERTED = "asserted"
    HEDGED = strawberry.enum_value("hedged", description='With a hedge that weakens it ("may", "could", '
                                                         '"reportedly", "suggests"): see Claim.hedges.')
    PREDICTED = strawberry.enum_value("predicted", description='About what will or may happen ("expects", '
                                                               '"by mid-April").')
    CONDITIONAL = strawberry.enum_value("conditional", description="A prediction on a stated condition "
                                                                   '("if the current rate of losses continues").')


@strawberry.enum(description="How a claim entered the graph.")
class CurationMethod(Enum):
    HAND = strawberry.enum_value("hand", description="Curated by hand.")
    EXTRACTED = strawberry.enum_value("extracted", description="Extracted by a program (whosaid extract).")


@strawberry.enum(description="Whether a person has checked a listing of a claim against its article.")
class ReviewStatus(Enum):
    REVIEWED = "reviewed"
    UNREVIEWED = "unreviewed"


@strawberry.interface(description="An object with a stable global id: its path under the graph's base IRI.")
class Node:
    id: strawberry.ID = strawberry.field(description='Global id, e.g. "claim/nis-no-combat-since-mid-january".')


@strawberry.type(description="Where a page sits in a connection (Relay cursor connections).")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: Optional[str]
    end_cursor: Optional[str]

    @classmethod
    def of(cls, page: Page) -> "PageInfo":
        return cls(has_next_page=page.has_next, has_previous_page=page.has_previous,
                   start_cursor=page.cursors[0] if page.cursors else None,
                   end_cursor=page.cursors[-1] if page.cursors else None)


# ---------------------------------------------------------------------------------------------
# Entities and topics
# ---------------------------------------------------------------------------------------------

@strawberry.type(description="A kind of statement, from the whosaid SKOS topic scheme.")
class Topic:
    record: strawberry.Private[TopicRecord]

    @strawberry.field(description='The topic id, e.g. "casualties".')
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.record.id)

    @strawberry.field(description="The topic's IRI.")
    def iri(self) -> str:
        return self.record.iri

    @strawberry.field(description="Preferred label.")
    def label(self) -> str:
        return self.record.label

    @strawberry.field(description="What the topic covers.")
    def description(self) -> Optional[str]:
        return self.record.description

    @strawberry.field(description="Other names the topic is found by.")
    def aliases(self) -> list[str]:
        return list(self.record.aliases)

    @strawberry.field(description="The more general topic, if any (killed -> casualties).")
    def broader(self, info: Info[Context, None]) -> Optional["Topic"]:
        parent = info.context.reader.topics.get(self.record.broader or "")
        return Topic(record=parent) if parent else None

    @strawberry.field(description="The more specific topics.")
    def narrower(self, info: Info[Context, None]) -> list["Topic"]:
        return [Topic(record=t) for t in sorted(info.context.reader.topics.values(), key=lambda t: t.id)
                if t.broader == self.record.iri]


@strawberry.type(description="A person, organisation, country, unit, unnamed source or place.")
class Entity(Node):
    record: strawberry.Private[EntityRecord]

    @strawberry.field(description='Global id, e.g. "entity/nis".')
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.record.local_id)

    @strawberry.field(description="The entity's IRI; it resolves on this server.")
    def iri(self) -> str:
        return self.record.iri

    @strawberry.field(description="Preferred name.")
    def label(self) -> str:
        return self.record.label

    @strawberry.field(description="Every other name or spelling the corpus uses.")
    def aliases(self) -> list[str]:
        return list(self.record.aliases)

    @strawberry.field(description="Most specific class: Person, Organization, GovernmentAgency, ArmedForce, "
                                  "MilitaryUnit, NewsOutlet, ThinkTank, Country, Place, UnnamedSource or "
                                  "Occasion.")
    def type(self) -> str:
        return self.record.type

    @strawberry.field(description="The role the articles give the entity.")
    def description(self) -> Optional[str]:
        return self.record.description

    @strawberry.field(description="Names no article of the corpus prints (knowledge from outside it, "
                                  "marked as such); references may use them.")
    def external_aliases(self) -> list[str]:
        return list(self.record.external_aliases)

    @strawberry.field(description="What is known of the entity from outside the corpus, kept apart from "
                                  "what the articles say (description).")
    def external_description(self) -> Optional[str]:
        return self.record.external_description

    @strawberry.field(description="The same entity elsewhere (checked Wikidata IRIs only).")
    def same_as(self) -> list[str]:
        return list(self.record.same_as)

    @strawberry.field(description="The organisation, force or state the entity belongs to.")
    def part_of(self, info: Info[Context, None]) -> Optional["Entity"]:
        return entity_of(info, self.record.part_of)

    @strawberry.field(description="Claims this entity made (as claimant, not as intermediary).")
    async def claims_made(self, info: Info[Context, None], topic: Optional[str] = None,
                          first: Optional[int] = 20, after: Optional[str] = None) -> "ClaimConnection":
        return await claim_connection(info, "Entity.claimsMade", first=first, after=after,
                                      topic=topic, claimant=self.record.iri)

    @strawberry.field(description="Claims about this entity.")
    async def claims_about(self, info: Info[Context, None], topic: Optional[str] = None,
                           first: Optional[int] = 20, after: Optional[str] = None) -> "ClaimConnection":
        return await claim_connection(info, "Entity.claimsAbout", first=first, after=after,
                                      topic=topic, about=self.record.iri)


# ---------------------------------------------------------------------------------------------
# Claims, their values and their reports
# ---------------------------------------------------------------------------------------------

@strawberry.type(description='A figure with asymmetric bounds: "up to 4,000" has only max; "around 3,000" '
                             "has min = max = 3000 and approximate; a derived figure says its basis.")
class Quantity:
    min: Optional[float] = strawberry.field(description="Lower bound.")
    max: Optional[float] = strawberry.field(description="Upper bound.")
    approximate: bool = strawberry.field(description='Given as approximate ("around", "roughly").')
    unit: Optional[str] = strawberry.field(description='What is counted, e.g. "soldiers".')
    basis: Optional[str] = strawberry.field(description="How a derived figure was worked out from the text.")
    derived: bool = strawberry.field(description="Computed from the text rather than printed as such.")
    exclusive_min: bool = strawberry.field(description='The minimum is excluded ("more than 15,000").')
    qualifier: Optional[str] = strawberry.field(
        description='The printed words that qualify the figure, verbatim ("nearly" in "nearly 100", which '
                    "is max 100: below it and close to it). approximate with a bound means the bound "
                    "itself is approximate.", default=None)

    @classmethod
    def of(cls, q: QuantityRecord) -> "Quantity":
        return cls(min=q.min, max=q.max, approximate=q.approximate, unit=q.unit, basis=q.basis,
                   derived=q.derived, exclusive_min=q.exclusive_min, qualifier=q.qualifier)


# The GraphQL field each inferred property is shown as (the property's local name otherwise).
_FIELD_OF = {"https://w3id.org/whosaid/ontology#agent": "via",
             "https://schema.org/datePublished": "published"}


@strawberry.type(description="A value worked out from the text rather than printed in it: which field, on "
                             "what basis, and the bounds the text allows. Nothing the graph infers is "
                             "shown as printed.")
class Inference:
    record: strawberry.Private[InferenceRecord]

    @strawberry.field(description='The field whose value was worked out: "statedOn", "periodStart", '
                                  '"periodEnd", "claimant", "via" (with viaPosition), "published", "outlet".')
    def field(self) -> str:
        iri = self.record.property
        return _FIELD_OF.get(iri) or iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]

    @strawberry.field(description="The IRI of the RDF property the value belongs to (ws:onProperty).")
    def property(self) -> str:
        return self.record.property

    @strawberry.field(description="How the value was worked out, citing the text.")
    def basis(self) -> Optional[str]:
        return self.record.basis

    @strawberry.field(description="The earliest day the text allows, for an inferred date.")
    def earliest(self) -> Optional[Date]:
        return self.record.earliest

    @strawberry.field(description="The latest day the text allows, for an inferred date.")
    def latest(self) -> Optional[Date]:
        return self.record.latest

    @strawberry.field(description="For a via step of a report: its position in the chain, from 1.")
    def via_position(self) -> Optional[int]:
        return self.record.via_position


async def _inferences(info: Info[Context, None], iri: str) -> list[Inference]:
    return [Inference(record=r) for r in await info.context.inferences.load(iri)]


@strawberry.type(description="A relation between two claims that an article draws in its own voice "
                             "(\"The NIS statement corroborates a recent report by The New York Times\"): "
                             "the judgement of the article's outlet, not of either claimant, in the words "
                             "of the report that carries it. A claimant's own confirmation is Claim.confirms.")
class ClaimLink:
    record: strawberry.Private[LinkRecord]
    article: strawberry.Private[str]

    @strawberry.field(description="confirms, corroborates, contradicts, revises (source <relation> target), "
                                  "or possiblySame: the curators' note that the two may be one statement.")
    def relation(self) -> str:
        return self.record.relation

    @strawberry.field(description='Who draws the link: "outlet" (the article, in its own voice) or "curators" '
                                  "(possiblySame).")
    def drawn_by(self) -> str:
        return "curators" if self.record.relation == "possiblySame" else "outlet"

    @strawberry.field(description="possiblySame: why the curators think the two claims may be one statement.")
    def reason(self) -> Optional[str]:
        return self.record.reason

    @strawberry.field(description="The claim that confirms, corroborates, contradicts or revises.")
    async def source(self, info: Info[Context, None]) -> Optional["Claim"]:
        found = await info.context.claims.load(self.record.source)
        return Claim(record=found) if found else None

    @strawberry.field(description="The claim it is about.")
    async def target(self, info: Info[Context, None]) -> Optional["Claim"]:
        found = await info.context.claims.load(self.record.target)
        return Claim(record=found) if found else None

    @strawberry.field(description="The outlet that draws the link, when the article names it (none for the "
                                  "curators' possiblySame).")
    async def asserted_by(self, info: Info[Context, None]) -> Optional[Entity]:
        if self.record.relation == "possiblySame":
            return None
        article = await info.context.articles.load(self.article)
        return entity_of(info, article.outlet) if article and article.outlet else None


@strawberry.type(description="How a report of a claim entered the graph (a PROV-O activity): curated by hand, "
                             "or extracted by a named extractor version with a confidence; by whom, when, "
                             "and whether a person reviewed it. Curated and extracted claims differ only here.")
class Curation:
    record: strawberry.Private[CurationRecord]

    @strawberry.field(description='"hand" or "extracted".')
    def method(self) -> str:
        return self.record.method

    @strawberry.field(description="The person, team or operator who listed the claim, when known.")
    def by(self) -> Optional[str]:
        return self.record.by

    @strawberry.field(description="When it was listed, when known.")
    def curated_on(self) -> Optional[Date]:
        return self.record.on

    @strawberry.field(description="Extracted claims: the extractor's name.")
    def extractor(self) -> Optional[str]:
        return self.record.extractor

    @strawberry.field(description="Extracted claims: the extractor's version.")
    def extractor_version(self) -> Optional[str]:
        return self.record.version

    @strawberry.field(description="Extracted claims: the extractor's confidence, 0 to 1.")
    def confidence(self) -> Optional[float]:
        return self.record.confidence

    @strawberry.field(description='"reviewed" (a person checked it against the text) or "unreviewed".')
    def review_status(self) -> str:
        return self.record.review

    @strawberry.field(description="Who reviewed it.")
    def reviewed_by(self) -> Optional[str]:
        return self.record.reviewed_by

    @strawberry.field(description="When it was reviewed.")
    def reviewed_on(self) -> Optional[Date]:
        return self.record.reviewed_on

    @strawberry.field(description="What the review checked or found.")
    def review_note(self) -> Optional[str]:
        return self.record.review_note


@strawberry.type(description="The speech event claims were made on (an interview, a briefing, a meeting, "
                             "a statement, a social-media post, a publication), with its kind, date and "
                             "place where printed.")
class Occasion(Node):
    record: strawberry.Private[EntityRecord]

    @strawberry.field(description='Global id, e.g. "entity/zelenskyy-ap-interview".')
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.record.local_id)

    @strawberry.field(description="The occasion's IRI; it resolves on this server.")
    def iri(self) -> str:
        return self.record.iri

    @strawberry.field(description="What the articles call it.")
    def label(self) -> str:
        return self.record.label

    @strawberry.field(description="interview, briefing, meeting, pressConference, speech, statement, "
                                  "socialMediaPost, publication or comment; unknown when not printed.")
    def kind(self) -> Optional[str]:
        return self.record.kind

    @strawberry.field(description="When it took place, at the precision known (see inferences).")
    def date(self) -> Optional[Date]:
        return self.record.date

    @strawberry.field(description="Where it took place.")
    def place(self, info: Info[Context, None]) -> Optional[Entity]:
        return entity_of(info, self.record.place)

    @strawberry.field(description="What the articles say of it.")
    def description(self) -> Optional[str]:
        return self.record.description

    @strawberry.field(description="Values worked out rather than printed (its date), with their basis.")
    async def inferences(self, info: Info[Context, None]) -> list[Inference]:
        return await _inferences(info, self.record.iri)

    @strawberry.field(description="The claims made on this occasion.")
    async def claims(self, info: Info[Context, None], first: Optional[int] = 20,
                     after: Optional[str] = None) -> "ClaimConnection":
        return await claim_connection(info, "Occasion.claims", first=first, after=after,
                                      occasion=self.record.iri)


def occasion_of(info: Info[Context, None], iri: Optional[str]) -> Optional[Occasion]:
    record = info.context.reader.entities.get(iri or "")
    return Occasion(record=record) if record and record.type == "Occasion" else None


@strawberry.type(description="A claim as one article carries it: where, in which exact words, through whom.")
class Report:
    record: strawberry.Private[ReportRecord]

    @strawberry.field(description="The report's IRI.")
    def iri(self) -> str:
        return self.record.iri

    @strawberry.field(description="The article that carries the claim.")
    async def article(self, info: Info[Context, None]) -> "Article":
        return Article(record=await info.context.articles.load(self.record.article))

    @strawberry.field(description="The verbatim words of the article that state the claim.")
    def evidence(self) -> str:
        return self.record.exact

    @strawberry.field(description="Offset of the evidence in the article text, in Unicode code points.")
    def start(self) -> int:
        return self.record.start

    @strawberry.field(description="Offset just past the evidence (exclusive).")
    def end(self) -> int:
        return self.record.end

    @strawberry.field(description="Intermediaries through which the claim reached this article, "
                                  "from the claimant's end.")
    def via(self, info: Info[Context, None]) -> list[Entity]:
        return [e for e in map(lambda i: entity_of(info, i), self.record.via) if e]

    @strawberry.field(description="Links the article draws, in this report's words, between its claim and "
                                  "another claim (its outlet's judgement).")
    async def links(self, info: Info[Context, None]) -> list[ClaimLink]:
        return [ClaimLink(record=link, article=self.record.article)
                for link in await info.context.report_links.load(self.record.iri)]

    @strawberry.field(description="The source this article names for the claim when it names an "
                                  "intermediary rather than the claimant (\"The New York Times reported\", "
                                  "where other articles name the officials the Times cited): one of via. "
                                  "None: the article names the claimant.")
    def attributed_to(self, info: Info[Context, None]) -> Optional[Entity]:
        return entity_of(info, self.record.attributed_to)

    @strawberry.field(description="How this report entered the graph: by hand or extracted, by whom, when, "
                                  "reviewed or not.")
    async def curation(self, info: Info[Context, None]) -> Optional[Curation]:
        found = await info.context.curations.load(self.record.iri)
        return Curation(record=found) if found else None

    @strawberry.field(description="The steps of this report's via chain that the article does not name "
                                  "as such, each with its position and basis.")
    async def inferences(self, info: Info[Context, None]) -> list[Inference]:
        return await _inferences(info, self.record.iri)


@strawberry.type(description="One statement by one claimant on one occasion. Disagreeing sources are separate claims.")
class Claim(Node):
    record: strawberry.Private[ClaimRecord]

    @strawberry.field(description='Global id, e.g. "claim/nis-no-combat-since-mid-january".')
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.record.local_id)

    @strawberry.field(description="The claim's IRI; it resolves on this server.")
    def iri(self) -> str:
        return self.record.iri

    @strawberry.field(description="One sentence saying who claimed what.")
    def statement(self) -> str:
        return self.record.statement

    @strawberry.field(description="The claimant's own words, where an article quotes them.")
    def quote(self) -> Optional[str]:
        return self.record.quote

    @strawberry.field(description="Who made the claim (not the intermediaries).")
    def claimant(self, info: Info[Context, None]) -> Entity:
        return entity_of(info, self.record.claimant)

    @strawberry.field(description="Every intermediary of every report, in order of first appearance; "
                                  "each report's own chain is Report.via.")
    async def via(self, info: Info[Context, None]) -> list[Entity]:
        seen: list[str] = []
        for report in await info.context.reports.load(self.record.iri):
            seen += [a for a in report.via if a not in seen]
        return [e for e in map(lambda i: entity_of(info, i), seen) if e]

    @strawberry.field(description="The entities the claim is about.")
    async def about(self, info: Info[Context, None]) -> list[Entity]:
        links = await info.context.links.load(self.record.iri)
        return [e for e in map(lambda i: entity_of(info, i), links["about"]) if e]

    @strawberry.field(description="The entity a figure is about (the rdf:subject of the claim).")
    def subject(self, info: Info[Context, None]) -> Optional[Entity]:
        return entity_of(info, self.record.subject)

    @strawberry.field(description="What kind of statement it is.")
    def topic(self, info: Info[Context, None]) -> Optional[Topic]:
        t = info.context.reader.topics.get(self.record.topic)
        return Topic(record=t) if t else None

    @strawberry.field(description="The figure, if the claim states one.")
    def value(self) -> Optional[Quantity]:
        return Quantity.of(self.record.value) if self.record.value else None

    @strawberry.field(description="When the claimant said it, at the precision known.")
    def stated_on(self) -> Optional[Date]:
        return self.record.stated

    @strawberry.field(description="True when statedOn was worked out from the text rather than printed.")
    def stated_on_inferred(self) -> bool:
        return self.record.stated_basis is not None

    @strawberry.field(description="How statedOn was worked out, when inferred.")
    def stated_on_basis(self) -> Optional[str]:
        return self.record.stated_basis

    @strawberry.field(description='The time the claim is about, in words ("since mid-January 2025").')
    def period(self) -> Optional[str]:
        return self.record.period

    @strawberry.field(description="The first day, month or year of the period, when known.")
    def period_start(self) -> Optional[Date]:
        return self.record.period_start

    @strawberry.field(description="The last day, month or year of the period, when known.")
    def period_end(self) -> Optional[Date]:
        return self.record.period_end

    @strawberry.field(description="Every value of the claim worked out rather than printed (statedOn, "
                                  "periodStart, periodEnd, claimant), with its basis. The via steps "
                                  "worked out are each report's own (Report.inferences).")
    async def inferences(self, info: Info[Context, None]) -> list[Inference]:
        return await _inferences(info, self.record.iri)

    @strawberry.field(description="Every article that carries the claim, with its evidence.")
    async def reports(self, info: Info[Context, None]) -> list[Report]:
        return [Report(record=r) for r in await info.context.reports.load(self.record.iri)]

    @strawberry.field(description="Claims this claim's claimant says are true. A link an article draws in its "
                                  "own voice is Report.links.")
    async def confirms(self, info: Info[Context, None]) -> list["Claim"]:
        links = await info.context.links.load(self.record.iri)
        found = await info.context.claims.load_many(links["confirms"])
        return [Claim(record=c) for c in found if c]

    @strawberry.field(description="An earlier figure of the same claimant that this one revises.")
    async def revises(self, info: Info[Context, None]) -> Optional["Claim"]:
        if not self.record.revises:
            return None
        found = await info.context.claims.load(self.record.revises)
        return Claim(record=found) if found else None

    @strawberry.field(description="How the claim is put, as printed: asserted outright, hedged, predicted "
                                  "or conditional.")
    def modality(self) -> Modality:
        return Modality(self.record.modality)

    @strawberry.field(description='The words that hedge it, verbatim from the evidence of each report that '
                                  'prints them ("may", "reportedly").')
    async def hedges(self, info: Info[Context, None]) -> list[str]:
        return (await info.context.links.load(self.record.iri))["hedge"]

    @strawberry.field(description='Words inside the quote that the outlet inserted ("[in Pokrovsk]"), '
                                  "not the claimant's.")
    async def editorial_insertions(self, info: Info[Context, None]) -> list[str]:
        return (await info.context.links.load(self.record.iri))["editorialInsertion"]

    @strawberry.field(description="The occasion it was made on (an interview, a briefing, a post), when known.")
    def occasion(self, info: Info[Context, None]) -> Optional[Occasion]:
        return occasion_of(info, self.record.occasion)

    @strawberry.field(description='Claims this one casts doubt on ("HNGN cannot independently verify these '
                                  'claims" is the outlet\'s claim about them).')
    async def caveats(self, info: Info[Context, None]) -> list["Claim"]:
        return await _claims_of(info, (await info.context.links.load(self.record.iri))["caveats"])

    @strawberry.field(description="Claims that cast doubt on this one (the inverse of caveats).")
    async def caveated_by(self, info: Info[Context, None]) -> list["Claim"]:
        return await _claims_of(info, (await info.context.links.load(self.record.iri))["caveatedBy"])


async def _claims_of(info: Info[Context, None], iris: list[str]) -> list[Claim]:
    return [Claim(record=c) for c in await info.context.claims.load_many(iris) if c]


@strawberry.type(description="A news article, kept verbatim.")
class Article(Node):
    record: strawberry.Private[ArticleRecord]

    @strawberry.field(description='Global id, e.g. "article/002_394fee5181a7713e".')
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.record.local_id)

    @strawberry.field(description="The article's IRI; it resolves on this server.")
    def iri(self) -> str:
        return self.record.iri

    @strawberry.field(description="The headline, when the text has one.")
    def title(self) -> Optional[str]:
        return self.record.title

    @strawberry.field(description="The outlet that published it, when known.")
    def outlet(self, info: Info[Context, None]) -> Optional[Entity]:
        return entity_of(info, self.record.outlet)

    @strawberry.field(description="How the outlet was inferred, when the text does not print it as such.")
    def outlet_basis(self) -> Optional[str]:
        return self.record.outlet_basis

    @strawberry.field(description="Author names as printed, joined with ', '; null when unknown.")
    def author(self) -> Optional[str]:
        return ", ".join(self.record.authors) or None

    @strawberry.field(description="Author names as printed.")
    def authors(self) -> list[str]:
        return list(self.record.authors)

    @strawberry.field(description="When it appeared, at the precision known.")
    def published(self) -> Optional[Date]:
        return self.record.published

    @strawberry.field(description="How the publication date was worked out, when inferred.")
    def published_basis(self) -> Optional[str]:
        return self.record.published_basis

    @strawberry.field(description="Earliest day the text allows for an inferred publication date.")
    def published_earliest(self) -> Optional[Date]:
        return self.record.published_earliest

    @strawberry.field(description="The article's URL, only when the captured text gives it.")
    def url(self) -> Optional[str]:
        return self.record.url

    @strawberry.field(description="Every value of the article worked out rather than printed "
                                  "(published, outlet), with its basis and bounds.")
    async def inferences(self, info: Info[Context, None]) -> list[Inference]:
        return await _inferences(info, self.record.iri)

    @strawberry.field(description="The full captured text, verbatim (evidence offsets count into it).")
    async def text(self, info: Info[Context, None]) -> str:
        return await info.context.texts.load(self.record.iri)

    @strawberry.field(description="Start offset of the article's own body within text.")
    def body_start(self) -> int:
        return self.record.body_start

    @strawberry.field(description="End offset (exclusive) of the article's own body within text.")
    def body_end(self) -> int:
        return self.record.body_end

    @strawberry.field(description="Claims reported in this article.")
    async def claims(self, info: Info[Context, None], first: Optional[int] = 20,
                     after: Optional[str] = None) -> "ClaimConnection":
        return await claim_connection(info, "Article.claims", first=first, after=after,
                                      article=self.record.iri)


@strawberry.type(description="Claims on one topic about the same entity whose figures do not all overlap.")
class Disagreement:
    group: strawberry.Private[dict]
    topic: Topic = strawberry.field(description="The topic the claims share.")
    about: list[Entity] = strawberry.field(description="The entity the figures are about.")
    low: Optional[float] = strawberry.field(description="Lowest figure across the group.")
    high: Optional[float] = strawberry.field(description="Highest figure across the group.")

    @strawberry.field(description="The claims of the group in id order, each with its own figure: the "
                                  "first `first` of them (claimCount says how many there are).")
    async def claims(self, info: Info[Context, None], first: Optional[int] = 20) -> list[Claim]:
        iris = await info.context.run(info.context.reader.disagreement_claims, self.group, _size(first))
        records = await info.context.claims.load_many(iris)
        return [Claim(record=r) for r in records if r]

    @strawberry.field(description="How many claims the group holds.")
    def claim_count(self) -> int:
        return self.group["count"]

    @strawberry.field(description="This group's place in the list: pass it as `after` for the groups "
                                  "that follow.")
    def cursor(self) -> str:
        return self.group["cursor"]


@strawberry.type(description="One write to the store, as the history records it.")
class Change:
    kind: str = strawberry.field(description="added, replaced, removed or unchanged (identical content: nothing written).")
    article: Optional[strawberry.ID] = strawberry.field(description="The article's id.")
    at: str = strawberry.field(description="When it was committed (UTC, ISO 8601).")
    by: str = strawberry.field(description="The name of the token that wrote it.")
    claims: Optional[int] = strawberry.field(description="How many claims the article reported "
                                                         "(known for changes made in this request).")

    @classmethod
    def of(cls, c) -> "Change":
        """From a graph.ingest.Change or a row of the history (graph.read.ChangeRecord)."""
        return cls(kind=c.kind, article=strawberry.ID(f"article/{c.article}") if c.article else None,
                   at=c.at, by=c.by, claims=c.claims)



# ---------------------------------------------------------------------------------------------
# Connections
# ---------------------------------------------------------------------------------------------

@strawberry.type
class ClaimEdge:
    cursor: str
    node: Claim


@strawberry.type(description="A page of claims, ordered by statedOn (unknown last), then id.")
class ClaimConnection:
    # Each field does its own work when asked for, so that a page costs what the query selects:
    # totalCount alone loads no claim, nodes alone counts nothing.
    page: strawberry.Private[Page]
    filter: strawberry.Private[ClaimFilter]

    @strawberry.field
    async def total_count(self, info: Info[Context, None]) -> int:
        if self.page.total is not None:
            return self.page.total
        return await info.context.run(info.context.reader.count_claims, self.filter)

    @strawberry.field
    async def nodes(self, info: Info[Context, None]) -> list[Claim]:
        records = await info.context.claims.load_many(self.page.items)
        return [Claim(record=r) for r in records if r]

    @strawberry.field
    async def edges(self, info: Info[Context, None]) -> list[ClaimEdge]:
        records = await info.context.claims.load_many(self.page.items)
        return [ClaimEdge(cursor=c, node=Claim(record=r)) for c, r in zip(self.page.cursors, records) if r]

    @strawberry.field
    def page_info(self) -> PageInfo:
        return PageInfo.of(self.page)


@strawberry.type
class EntityEdge:
    cursor: str
    node: Entity


@strawberry.type(description="A page of entities, ordered by label.")
class EntityConnection:
    total_count: int
    nodes: list[Entity]
    edges: list[EntityEdge]
    page_info: PageInfo


@strawberry.type
class ArticleEdge:
    cursor: str
    node: Article


@strawberry.type(description="A page of articles, ordered by id.")
class ArticleConnection:
    total_count: int
    nodes: list[Article]
    edges: list[ArticleEdge]
    page_info: PageInfo


# ---------------------------------------------------------------------------------------------
# What resolvers share: turning read-model records and pages into GraphQL objects
# ---------------------------------------------------------------------------------------------

def _size(first: Optional[int]) -> int:
    """`first: null` means the default page size, as if it had been left out."""
    return DEFAULT_PAGE if first is None else first


def entity_of(info: Info[Context, None], iri: Optional[str]) -> Optional[Entity]:
    record = info.context.reader.entities.get(iri or "")
    return Entity(record=record) if record else None


def entity_by_ref(info: Info[Context, None], ref: str) -> Optional[Entity]:
    iri, _ = info.context.reader.entity_filter("ref", ref)
    return entity_of(info, iri)


DEFAULT_PAGE = 20


async def claim_connection(info: Info[Context, None], connection: str, *, first: Optional[int],
                           after: Optional[str], **filters) -> ClaimConnection:
    """A page of claims of `connection` (its cursors are refused by any other). Filters are
    references (names, ids, IRIs); IRIs from parent objects resolve to themselves."""
    reader = info.context.reader
    f = await info.context.run(reader.claim_filter, **filters)  # an article id is looked up
    page = await info.context.run(reader.search_claims, f, _size(first), after, connection, False)
    return ClaimConnection(page=page, filter=f)


def entity_connection(info: Info[Context, None], search: Optional[str], type_: Optional[str],
                      first: Optional[int], after: Optional[str]) -> EntityConnection:
    page = info.context.reader.entity_page(search, type_, _size(first), after)
    nodes = [entity_of(info, iri) for iri in page.items]
    return EntityConnection(total_count=page.total, nodes=nodes,
                            edges=[EntityEdge(cursor=c, node=n) for c, n in zip(page.cursors, nodes)],
                            page_info=PageInfo.of(page))


async def article_connection(info: Info[Context, None], first: Optional[int],
                             after: Optional[str]) -> ArticleConnection:
    page = await info.context.run(info.context.reader.article_page, _size(first), after)
    records = await info.context.articles.load_many(page.items)
    nodes = [Article(record=r) for r in records if r]
    return ArticleConnection(total_count=page.total, nodes=nodes,
                             edges=[ArticleEdge(cursor=c, node=n) for c, n in zip(page.cursors, nodes)],
                             page_info=PageInfo.of(page))


async def node_by_id(info: Info[Context, None], id_: str, kind: Optional[str] = None) -> Optional[Node]:
    """The object an id names (of `kind` when given), None if there is none; ReadError naming
    an id that cannot be one."""
    reader = info.context.reader
    if kind is None:
        try:
            kind, iri = reader.mint.iri_of_node_id(id_)
        except ValueError as exc:
            raise ReadError(str(exc)) from None
    else:
        iri = reader.iri_of_id(kind, id_)
    if kind == "entity":
        return entity_of(info, iri)
    if kind == "claim":
        record = await info.context.claims.load(iri)
        return Claim(record=record) if record else None
    if kind == "article":
        record = await info.context.articles.load(iri)
        return Article(record=record) if record else None
    return None


async def disagreements(info: Info[Context, None], topic: Optional[str], about: Optional[str],
                        first: Optional[int], after: Optional[str]) -> list[Disagreement]:
    reader = info.context.reader
    groups = await info.context.run(reader.disagreements, topic, about, _size(first), after)
    return [Disagreement(group=g, topic=Topic(record=reader.topics[g["topic"]]),
                         about=[e for e in (entity_of(info, i) for i in g["about"]) if e],
                         low=g["low"], high=g["high"]) for g in groups]


# ---------------------------------------------------------------------------------------------
# Query
# ---------------------------------------------------------------------------------------------

@strawberry.type(description="Who said what: read-only questions to the claims graph.")
class Query:
    @strawberry.field(description='Any object by global id ("entity/nis", "claim/...", "article/...").')
    async def node(self, info: Info[Context, None], id: strawberry.ID) -> Optional[Node]:
        return await node_by_id(info, str(id))

    @strawberry.field(description="An entity by id, IRI, label or alias (case, accents and punctuation "
                                  "ignored). Several matches are an error listing them.")
    def entity(self, info: Info[Context, None], ref: str) -> Optional[Entity]:
        return entity_by_ref(info, ref)

    @strawberry.field(description="Entities, optionally whose names contain `search` and of a `type` "
                                  "(a class name; superclasses match too: Organization finds NewsOutlet). "
                                  "Occasions are listed only when the type asked for is Occasion.")
    def entities(self, info: Info[Context, None], search: Optional[str] = None,
                 type: Optional[str] = None, first: Optional[int] = 20,
                 after: Optional[str] = None) -> EntityConnection:
        return entity_connection(info, search, type, first, after)

    @strawberry.field(description="Claims matching every filter given. claimant: who made it; about: an "
                                  "entity it is about; topic: a topic (narrower ones included); reportedBy: "
                                  "an outlet whose article reports it or an intermediary of it; article: an "
                                  "article id; text: a substring (any case) of the statement, quote or "
                                  "evidence; words: whole words and \"quoted phrases\", all in one of "
                                  "those texts (case ignored; accents too, except on Virtuoso); "
                                  "statedFrom/statedTo: stated within the window (partial dates overlap); "
                                  "modality: how it is put (HEDGED finds hedged claims); occasion: the "
                                  "occasion it was made on (id, label or alias); curation and "
                                  "reviewStatus: how some report of it entered the graph, and whether "
                                  "it was reviewed (EXTRACTED and UNREVIEWED: the extractor's "
                                  "proposals awaiting review).")
    async def claims(self, info: Info[Context, None], claimant: Optional[str] = None,
                     about: Optional[str] = None, topic: Optional[str] = None,
                     reported_by: Optional[str] = None, article: Optional[strawberry.ID] = None,
                     text: Optional[str] = None, stated_from: Optional[Date] = None,
                     stated_to: Optional[Date] = None, first: Optional[int] = 20,
                     after: Optional[str] = None, words: Optional[str] = None,
                     modality: Optional[Modality] = None,
                     occasion: Optional[str] = None, curation: Optional[CurationMethod] = None,
                     review_status: Optional[ReviewStatus] = None) -> ClaimConnection:
        return await claim_connection(
            info, "claims", first=first, after=after, claimant=claimant, about=about, topic=topic,
            reported_by=reported_by, article=article, text=text, words=words,
            stated_from=stated_from, stated_to=stated_to,
            modality=modality.value if modality else None, occasion=occasion,
            curation=curation.value if curation else None,
            review=review_status.value if review_status else None)

    @strawberry.field(description="An occasion by id, IRI, label or alias.")
    def occasion(self, info: Info[Context, None], id: str) -> Optional[Occasion]:
        iri, _ = info.context.reader.entity_filter("occasion", id)
        return occasion_of(info, iri)

    @strawberry.field(description='A claim by global id ("claim/...") or IRI.')
    async def claim(self, info: Info[Context, None], id: strawberry.ID) -> Optional[Claim]:
        return await node_by_id(info, str(id), "claim")

    @strawberry.field(description="Articles, ordered by id.")
    async def articles(self, info: Info[Context, None], first: Optional[int] = 20,
                       after: Optional[str] = None) -> ArticleConnection:
        return await article_connection(info, first, after)

    @strawberry.field(description='An article by global id ("article/...") or IRI.')
    async def article(self, info: Info[Context, None], id: strawberry.ID) -> Optional[Article]:
        return await node_by_id(info, str(id), "article")

    @strawberry.field(description="The topic scheme.")
    def topics(self, info: Info[Context, None]) -> list[Topic]:
        return [Topic(record=t) for t in sorted(info.context.reader.topics.values(), key=lambda t: t.id)]

    @strawberry.field(description="Changes to the store, newest first: when an article (and so its "
                                  "claims) entered, was replaced or left the graph, and by which token.")
    async def changes(self, info: Info[Context, None], article: Optional[strawberry.ID] = None,
                      first: Optional[int] = 20) -> list[Change]:
        reader = info.context.reader
        records = await info.context.run(reader.changes, article, _size(first))
        return [Change.of(r) for r in records]

    @strawberry.field(description="Where sources disagree: groups of claims on the same topic about the "
                                  "same entity, in the same unit, whose ranges do not all overlap, in "
                                  "(topic, entity, unit) order: the first `first` groups after the "
                                  "group whose cursor is `after`.")
    async def disagreements(self, info: Info[Context, None], topic: Optional[str] = None,
                            about: Optional[str] = None, first: Optional[int] = 20,
                            after: Optional[str] = None) -> list[Disagreement]:
        return await disagreements(info, topic, about, first, after)
