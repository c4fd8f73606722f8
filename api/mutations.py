"""GraphQL mutations: addArticle and removeArticle, through the same write path as `whosaid add`.

The input carries what an article's YAML file carries (corpus/README.md), field for field, so a
submission means the same whichever front it comes through. Writes need a bearer token
(WHOSAID_WRITE_TOKENS); a refusal is a GraphQL error listing every problem, and changes nothing.
"""

from __future__ import annotations

from enum import Enum
from typing import Optional

import strawberry
from graphql import GraphQLError
from strawberry.types import Info

from graph.build import ValidationFailed
from graph.corpus import CorpusError
from graph.ingest import Submission, WriteTimedOut
from graph.iris import BadId, Minter
from graph.review import Decision
from graph.store import StoreError

from .loaders import Context
from .types import Article, Change, Claim, Date, Modality


def _f(description: str, **kwargs):
    return strawberry.field(description=description, **kwargs)


@strawberry.input(description="A span of the article text: code point offsets, end exclusive, "
                              "and the exact text there (optional for the body).")
class SpanInput:
    start: int = _f("Offset of the first code point.")
    end: int = _f("Offset just past the last code point.")
    exact: Optional[str] = _f("The text at start:end, verbatim (required for evidence).", default=None)


@strawberry.input(description="A date as the text gives it, or worked out from it (inferred, with a basis).")
class DateSpecInput:
    date: Optional[Date] = _f("The date, at the precision known.", default=None)
    inferred: bool = _f("True when worked out rather than printed.", default=False)
    basis: Optional[str] = _f("How it was worked out (required when inferred).", default=None)
    earliest: Optional[Date] = _f("Earliest day the text allows.", default=None)
    latest: Optional[Date] = _f("Latest day the text allows.", default=None)


@strawberry.input(description='A figure: "up to 4,000" is max 4000; "around 3,000" is amount 3000, approximate.')
class ValueInput:
    min: Optional[float] = _f("Lower bound.", default=None)
    max: Optional[float] = _f("Upper bound.", default=None)
    amount: Optional[float] = _f("A single figure (sets min and max).", default=None)
    approximate: bool = _f('Given as approximate ("around", "roughly").', default=False)
    exclusive_min: bool = _f('The minimum is excluded ("more than").', default=False)
    unit: Optional[str] = _f('What is counted, e.g. "soldiers".', default=None)
    derived: bool = _f("Computed from the text rather than printed.", default=False)
    basis: Optional[str] = _f("How a derived figure was computed (required when derived).", default=None)
    qualifier: Optional[str] = _f('The printed words that qualify the figure ("nearly"), verbatim from '
                                  "the evidence.", default=None)


@strawberry.input(description="The time a claim is about.")
class PeriodInput:
    label: str = _f('In words, e.g. "since mid-January 2025".')
    start: Optional[Date] = _f("Its start, at the precision known.", default=None)
    end: Optional[Date] = _f("Its end, at the precision known.", default=None)


@strawberry.input(description="Whether a person has reviewed a listing of a claim.")
class ReviewInput:
    status: str = _f('"reviewed" or "unreviewed".', default="unreviewed")
    by: Optional[str] = _f("Who reviewed it (required when reviewed).", default=None)
    date: Optional[Date] = _f("When.", default=None)
    note: Optional[str] = _f("What the review checked or found.", default=None)


@strawberry.input(description="How claims were listed: by hand, or extracted (extractor, version and "
                              "confidence required).")
class CurationInput:
    method: str = _f('"hand" or "extracted".', default="hand")
    by: Optional[str] = _f("The person, team or operator.", default=None)
    date: Optional[Date] = _f("When.", default=None)
    extractor: Optional[str] = _f("The extractor's name.", default=None)
    version: Optional[str] = _f("The extractor's version.", default=None)
    confidence: Optional[float] = _f("The extractor's confidence, 0 to 1.", default=None)
    review: Optional[ReviewInput] = _f("Whether a person reviewed it.", default=None)


@strawberry.input(description="A link the article draws in its own voice between this claim and another "
                              "(confirms, corroborates, contradicts, revises), or the curators' possiblySame "
                              "note with its reason. Give target (this claim -> target) or source.")
class LinkInput:
    relation: str = _f("confirms, corroborates, contradicts, revises or possiblySame.")
    target: Optional[str] = _f("The other claim's id, when this claim is the source.", default=None)
    source: Optional[str] = _f("The other claim's id, when this claim is the target.", default=None)
    reason: Optional[str] = _f("possiblySame only: why the two may be one statement.", default=None)


@strawberry.input(description="A claim as the article reports it; entity fields take any reference "
                              "(id, label, alias) or the id of an entity defined in the same input.")
class ClaimInput:
    id: str = _f("Slug, unique in the graph; the same id in two articles means the same statement.")
    claimant: Optional[str] = _f("Who made the claim.")
    statement: str = _f("One sentence saying who claimed what.")
    topic: str = _f("A topic id (see Query.topics).")
    evidence: SpanInput = _f("The article's words that state the claim, with their offsets.")
    via: list[str] = _f("Intermediaries, from the claimant towards the article.", default_factory=list)
    about: list[str] = _f("Entities the claim is about (the first is the figure's subject).", default_factory=list)
    subject: Optional[str] = _f("The entity the figure is about, if not the first of about.", default=None)
    quote: Optional[str] = _f("The claimant's words as quoted, verbatim inside the evidence.", default=None)
    value: Optional[ValueInput] = _f("The figure, if any.", default=None)
    stated: Optional[DateSpecInput] = _f("When the claimant said it.", default=None)
    period: Optional[PeriodInput] = _f("The time the claim is about.", default=None)
    confirms: list[str] = _f("Ids of claims this one says are true.", default_factory=list)
    revises: Optional[str] = _f("Id of an earlier figure of the same claimant that this one revises.", default=None)
    claimant_basis: Optional[str] = _f("How the claimant was worked out, when the text does not name it "
                                       "as the speaker.", default=None)
    links: list[LinkInput] = _f("Links the article draws in its own voice.", default_factory=list)
    occasion: Optional[str] = _f("The occasion it was made on (an Occasion entity).", default=None)
    modality: Optional[Modality] = _f("How it is put, as printed (default ASSERTED).", default=None)
    hedges: list[str] = _f("The hedging words as printed.", default_factory=list)
    insertions: list[str] = _f("Editorial insertions inside the quote.", default_factory=list)
    caveats: list[str] = _f("Ids of claims this one casts doubt on.", default_factory=list)
    attributed_to: Optional[str] = _f("The via agent the article names as the source instead of the "
                                      "claimant.", default=None)
    curation: Optional[CurationInput] = _f("How it was listed, if not as the article's curation says.",
                                           default=None)


@strawberry.input(description="A new entity the article's claims refer to.")
class EntityInput:
    id: str = _f("Slug: the entity's IRI is <base>entity/<id>.")
    type: str = _f("Person, Organization, GovernmentAgency, ArmedForce, MilitaryUnit, NewsOutlet, "
                   "ThinkTank, Country, Place, UnnamedSource or Occasion.")
    label: str = _f("Preferred name.")
    aliases: list[str] = _f("Other names and spellings.", default_factory=list)
    description: Optional[str] = _f("The role the article gives it.", default=None)
    part_of: Optional[str] = _f("Id of the organisation, force or state it belongs to.", default=None)
    located_in: Optional[str] = _f("Id of the place it lies in.", default=None)
    different_from: list[str] = _f("Ids of existing entities that share a name with this one but are "
                                   "not it; without them, a new entity whose id, label or alias names "
                                   "an existing entity is refused (references would turn ambiguous).",
                                   default_factory=list)
    disambiguation: Optional[str] = _f("How to tell it from the entities in differentFrom (required "
                                       "with them).", default=None)
    kind: Optional[str] = _f("Occasions: interview, briefing, meeting, pressConference, speech, "
                             "statement, socialMediaPost, publication or comment.", default=None)
    date: Optional[DateSpecInput] = _f("Occasions: when.", default=None)
    place: Optional[str] = _f("Occasions: id of the place.", default=None)


@strawberry.input(description="An article with its metadata and curated claims: what its YAML file holds.")
class ArticleInput:
    id: str = _f("Slug; adding an existing id replaces that article.")
    text: str = _f("The article as captured, verbatim; offsets count into it.")
    claims: list[ClaimInput] = _f("Every attributed statement of the article.")
    title: Optional[str] = _f("The headline, if printed.", default=None)
    outlet: Optional[str] = _f("The outlet that published it, if the text says.", default=None)
    outlet_basis: Optional[str] = _f("How the outlet was inferred, if it is not printed as such.", default=None)
    authors: list[str] = _f("Author names as printed.", default_factory=list)
    published: Optional[DateSpecInput] = _f("When it appeared.", default=None)
    url: Optional[str] = _f("Its URL, only if the text gives it.", default=None)
    language: str = _f("BCP 47 language tag.", default="en")
    body: Optional[SpanInput] = _f("The span of the article's own text (default: all of it).", default=None)
    entities: list[EntityInput] = _f("New entities its claims refer to.", default_factory=list)
    curation: Optional[CurationInput] = _f("How its claims were listed (default: by hand, unreviewed).",
                                           default=None)


@strawberry.input(description="An article to read claims from: its text, or a saved HTML page, and what "
                              "is known of it that the text may not say.")
class ExtractInput:
    id: str = _f("Slug for the article.")
    text: Optional[str] = _f("The article as captured (give text or html).", default=None)
    html: Optional[str] = _f("A saved page; its body and metadata are found in it.", default=None)
    published: Optional[Date] = _f("Publication date, when the text does not say.", default=None)
    outlet: Optional[str] = _f("The outlet: an entity id, label or alias.", default=None)


@strawberry.type(description="What the extractor proposes for an article, and what was written if asked.")
class ExtractArticlePayload:
    proposal: str = strawberry.field(description="The article's YAML in the curated format: every claim "
                                                 "marked extracted and unreviewed, for review.")
    claims: int = strawberry.field(description="How many claims it proposes.")
    text: str = strawberry.field(description="The text the offsets count into (a page's extracted text).")
    change: Optional[Change] = strawberry.field(description="With add: what was done.")
    article: Optional[Article] = strawberry.field(description="With add: the article as it now reads.")


@strawberry.type(description="What addArticle did, and the article as it now reads.")
class AddArticlePayload:
    change: Change = strawberry.field(description="What was done (unchanged: identical content, nothing written).")
    article: Optional[Article] = strawberry.field(description="The article as it now reads.")


@strawberry.enum(description="What a reviewer decides about a proposed (extracted, unreviewed) claim.")
class Verdict(Enum):
    ACCEPT = strawberry.enum_value("accept", description="Keep it as extracted.")
    EDIT = strawberry.enum_value("edit", description="Keep it with the fields given in `edits` corrected.")
    REJECT = strawberry.enum_value("reject", description="Take it out of the article (and the graph, if "
                                                         "no other article reports it).")


@strawberry.input(description="Corrections to a proposed claim; only the fields given change. The "
                              "statement and the evidence stay the extractor's.")
class ClaimEditInput:
    claimant: Optional[str] = _f("The claimant: an entity id, label or alias.", default=strawberry.UNSET)
    via: Optional[list[str]] = _f("The chain of intermediaries, in order.", default=strawberry.UNSET)
    value: Optional[ValueInput] = _f("The figure (replaces the bounds, unit and approximation given).",
                                     default=strawberry.UNSET)
    stated: Optional[DateSpecInput] = _f("When it was stated.", default=strawberry.UNSET)
    topic: Optional[str] = _f("The topic's id.", default=strawberry.UNSET)


@strawberry.type(description="What reviewClaim did.")
class ReviewClaimPayload:
    decision: str = strawberry.field(description='"accepted", "edited" (an edit that changes nothing is an '
                                                 'acceptance) or "rejected".')
    change: Change = strawberry.field(description="The write that carried it out.")
    claim: Optional[Claim] = strawberry.field(description="The claim as it now reads; null once rejected "
                                                          "and reported by no other article.")


@strawberry.type(description="What removeArticle did.")
class RemoveArticlePayload:
    id: strawberry.ID = strawberry.field(description="The removed article's id.")
    change: Change = strawberry.field(description="What was done.")


# ---------------------------------------------------------------------------------------------

def _plain(value):
    """Strawberry input objects to the plain dicts and lists of the YAML format (snake_case keys,
    as the YAML uses: outlet_basis, exclusive_min, partOf/locatedIn for entities)."""
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, Modality):  # before the next test: enum members carry the definition too
        return value.value
    if hasattr(value, "__strawberry_definition__"):
        out = {}
        for name, v in vars(value).items():
            if v is None:
                continue
            key = {"part_of": "partOf", "located_in": "locatedIn",
                   "different_from": "differentFrom"}.get(name, name)
            out[key] = _plain(v)
        return out
    if isinstance(value, float) and value.is_integer():
        return int(value)  # GraphQL Floats: 4000.0 means the 4000 a YAML file would hold
    return value


def _submission(input: ArticleInput) -> Submission:
    raw = _plain(input)
    text = raw.pop("text")
    if raw.get("body") is not None:
        raw["body"].pop("exact", None)
    if not raw.get("entities"):
        raw.pop("entities", None)
    for entity in raw.get("entities", []):
        if not entity.get("differentFrom"):
            entity.pop("differentFrom", None)  # as a YAML file leaves it out
    for claim in raw.get("claims", []):
        for key in ("links", "hedges", "insertions", "caveats"):
            if not claim.get(key):
                claim.pop(key, None)
    return Submission("addArticle input", raw, text)


def _extract(input: ExtractInput, reader):
    """(text, proposal) for an extraction input, or the GraphQLError saying what is wrong. Runs on
    a read thread; the entities linked to are the store's."""
    from types import SimpleNamespace
    from graph.corpus import Entity
    from graph.extract.cli import proposal, read_page
    from graph.iris import SLUG
    problems = []
    if (input.text is None) == (input.html is None):
        problems.append({"where": "input", "message": "give the article's text or a saved page's html, one of them"})
    if not SLUG.match(input.id):
        problems.append({"where": "input.id", "message": f"{input.id[:40]!r} is not a slug "
                                                         "(lowercase letters, digits, '-' or '_')"})
    if problems:
        return GraphQLError(f"refused: {problems[0]['message']}",
                            extensions={"code": "REFUSED", "problems": problems})
    entities = {}
    for e in reader.entities.values():
        eid = e.local_id.rsplit("/", 1)[-1]
        entities[eid] = Entity(eid, e.type, e.label, e.aliases, external_aliases=e.external_aliases)
    try:
        text, meta = (input.text, {}) if input.text is not None else read_page(input.html, "input.html")
        return text, proposal(text, meta, input.id, input.published, input.outlet,
                              corpus=SimpleNamespace(entities=entities))
    except ValueError as exc:
        return GraphQLError(f"refused: {exc}", extensions={
            "code": "REFUSED", "problems": [{"where": "input", "message": str(exc)}]})


def _refused(exc: Exception) -> GraphQLError:
    if isinstance(exc, WriteTimedOut):
        return GraphQLError(str(exc), extensions={"code": "WRITE_TIMEOUT"})
    if isinstance(exc, CorpusError):
        return GraphQLError(f"refused, nothing was written: {exc.problems[0]}"
                            + (f" (and {len(exc.problems) - 1} more)" if len(exc.problems) > 1 else ""),
                            extensions={"code": "REFUSED", "problems": [
                                {"where": p.where, "message": p.message} for p in exc.problems]})
    if isinstance(exc, ValidationFailed):
        return GraphQLError(f"refused, nothing was written: {len(exc.violations)} SHACL violation(s); "
                            f"first: {exc.violations[0]}", extensions={"code": "REFUSED", "violations": [
                                {"focus": v.focus, "path": v.path, "message": v.message}
                                for v in exc.violations]})
    return GraphQLError(f"the store could not be written: {exc}", extensions={"code": "STORE"})


async def _write(info: Info[Context, None], action):
    ctx = info.context
    ctx.require_writer()
    try:
        return await ctx.write(action)
    except (CorpusError, ValidationFailed, StoreError, WriteTimedOut) as exc:
        raise _refused(exc) from None


@strawberry.type(description="Writes; each needs an Authorization: Bearer token.")
class Mutation:
    @strawberry.mutation(description="Add an article with its claims, or replace the article with the "
                                     "same id. Checked and validated first; refused whole or written whole. "
                                     "Adding identical content twice changes nothing.")
    async def add_article(self, info: Info[Context, None], input: ArticleInput) -> AddArticlePayload:
        sub = _submission(input)
        change = await _write(info, lambda ingest, by, window: ingest.add(sub, by, window))
        record = await info.context.articles.load(change.iri) if change.iri else None
        return AddArticlePayload(change=Change.of(change), article=Article(record=record) if record else None)

    @strawberry.mutation(description="Read an article's claims with the extractor (whosaid extract) and "
                                     "return the proposal; with add, write it too, through the same checks "
                                     "as addArticle. Needs a token either way: extraction costs CPU.")
    async def extract_article(self, info: Info[Context, None], input: ExtractInput,
                              add: bool = False) -> ExtractArticlePayload:
        info.context.require_writer()
        found = await info.context.run(_extract, input, info.context.reader)
        if isinstance(found, GraphQLError):
            raise found
        text, doc = found
        change = record = None
        if add:
            sub = Submission("extractArticle proposal", doc, text)
            done = await _write(info, lambda ingest, by, window: ingest.add(sub, by, window))
            change = Change.of(done)
            record = await info.context.articles.load(done.iri) if done.iri else None
        from graph.extract.cli import dump
        return ExtractArticlePayload(proposal=dump(doc), claims=len(doc["claims"]), text=text,
                                     change=change, article=Article(record=record) if record else None)

    @strawberry.mutation(description="Remove an article, with the claims no other article reports.")
    async def remove_article(self, info: Info[Context, None], id: strawberry.ID) -> RemoveArticlePayload:
        info.context.require_writer()
        try:  # the one id -> IRI resolver: an id that cannot be one goes no further
            _, article_id = Minter(info.context.writes.settings.base_iri).split_id(str(id), "article")
        except BadId as exc:
            raise GraphQLError(f"refused, nothing was written: id: {exc}", extensions={
                "code": "REFUSED", "problems": [{"where": "id", "message": str(exc)}]}) from None
        change = await _write(info, lambda ingest, by, window: ingest.remove(article_id, by, window))
        return RemoveArticlePayload(id=strawberry.ID(f"article/{article_id}"), change=Change.of(change))

    @strawberry.mutation(description="Accept, edit or reject a claim an extractor proposed (the review desk, "
                                     "/review, does the same). Recorded in the claim's curation (reviewed, by "
                                     "the token's name, today, with a note of what changed) and in the history. "
                                     "Checked like addArticle: refused whole, or written whole.")
    async def review_claim(self, info: Info[Context, None], article: strawberry.ID, claim: strawberry.ID,
                           decision: Verdict, note: Optional[str] = None,
                           edits: Optional[ClaimEditInput] = None) -> ReviewClaimPayload:
        info.context.require_writer()
        mint = Minter(info.context.writes.settings.base_iri)
        try:
            _, article_id = mint.split_id(str(article), "article")
            _, claim_id = mint.split_id(str(claim), "claim")
        except BadId as exc:
            raise GraphQLError(f"refused, nothing was written: {exc}", extensions={
                "code": "REFUSED", "problems": [{"where": "article or claim", "message": str(exc)}]}) from None
        changes = {} if edits is None else {
            name: _plain(value) for name, value in vars(edits).items() if value is not strawberry.UNSET}
        review = Decision(article=article_id, claim=claim_id, verdict=decision.value,
                          by=info.context.writer, note=note, edits=changes)
        done = await _write(info, lambda ingest, by, window: ingest.review(review, window))
        record = await info.context.claims.load(str(mint.claim(claim_id)))
        return ReviewClaimPayload(decision=done.verdict, change=Change.of(done),
                                  claim=Claim(record=record) if record else None)
