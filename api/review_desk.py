"""The review desk: a person accepts, edits or rejects the claims an extractor proposed.

/review lists the proposed claims (listed by an extractor, not yet reviewed: the claim index's
curation and review filters), each beside its evidence highlighted in the article's words. Each
decision is a form POST, carried out by graph/review.py through the one write path (Ingest), on
the writes' own thread within the write time limit, like a GraphQL mutation; a refusal shows what
was wrong and where, and changes nothing.

Behind the write token: a person signs in by pasting a token once; the desk keeps it in an
HttpOnly, SameSite=Strict cookie scoped to /review, so other sites can neither read it nor send it
with a forged form, and a POST whose Origin is another site is refused besides. A client may send
Authorization: Bearer instead. The pages work without JavaScript; api/static/whosaid/review.js only
adds keyboard shortcuts.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import parse_qs, quote, urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from graph.build import ValidationFailed
from graph.corpus import CorpusError
from graph.ingest import WriteTimedOut
from graph.iris import SLUG
from graph.read import ClaimRecord, ReportRecord
from graph.review import EDITABLE, Decision
from graph.store import StoreError

from .linked_data import PAGE_COUNT_CAP, TEMPLATES, Link, Site, quantity_text
from .loaders import Context

router = APIRouter(include_in_schema=False)

COOKIE = "whosaid_review"
PAGE = 20          # proposals per page of the queue
CONTEXT = 240      # characters of the article shown on each side of the evidence


# ---------------------------------------------------------------------------------------------
# Who is reviewing
# ---------------------------------------------------------------------------------------------

def reviewer(request: Request) -> str | None:
    """The name of the write token the request carries (cookie or bearer header), if valid."""
    tokens = request.app.state.write_tokens
    if not tokens or request.app.state.writes is None:
        return None
    secret = request.cookies.get(COOKIE)
    scheme, _, bearer = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and bearer.strip():
        secret = bearer.strip()
    return tokens.name_of(secret) if secret else None


def same_origin(request: Request) -> bool:
    """A browser names the page a form was sent from; a form from another site is refused. (The
    SameSite=Strict cookie already keeps a forged form unsigned: this is the second lock.)"""
    origin = request.headers.get("origin") or request.headers.get("referer")
    if not origin or origin == "null":
        return origin is None    # a client that is not a browser sends neither
    return urlsplit(origin).netloc == request.headers.get("host")


# same-origin rather than the site's no-referrer: a browser then names this server as the Origin
# of the desk's own forms (under no-referrer it sends "null"), which same_origin() checks.
DESK_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "same-origin"}
DEFAULTS = {"signed_in": None, "enabled": True, "problem": None, "refused": None, "done": None,
            "editing": None, "proposals": None, "total": None, "next_page": None, "iri": None}


def render(template: str, status: int = 200, **context) -> HTMLResponse:
    html = TEMPLATES.get_template(template).render(alternates=[], **{**DEFAULTS, **context})
    return HTMLResponse(html, status_code=status, headers=DESK_HEADERS)


def sign_in_page(request: Request, status: int = 401, problem: str | None = None) -> HTMLResponse:
    enabled = request.app.state.writes is not None
    return render("review.html", status if enabled else 403, signed_in=None, enabled=enabled,
                  problem=problem)


async def form(request: Request) -> dict[str, str]:
    """The urlencoded form, each field once (its first value). The body is already held to the
    read size limit by api/protection.py."""
    body = (await request.body()).decode("utf-8", "replace")
    return {k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()}


# ---------------------------------------------------------------------------------------------
# The queue
# ---------------------------------------------------------------------------------------------

@dataclass
class Proposal:
    claim: ClaimRecord
    report: ReportRecord
    article: Link
    article_id: str
    confidence: float | None
    extractor: str | None
    link: Link
    claimant: Link | None
    via: list[Link]
    value: str | None
    topic: Link
    before: str       # the article's words before the evidence, within CONTEXT
    evidence: str
    after: str

    @property
    def action(self) -> str:
        return f"/review/{self.article_id}/{self.claim.local_id.rsplit('/', 1)[-1]}"


def proposals(site: Site, after: str | None) -> tuple[list[Proposal], object]:
    """A page of the proposed claims, oldest decision first: what the claim index says is
    extracted and unreviewed, each with the report that awaits review."""
    reader = site.reader
    found = reader.search_claims(reader.claim_filter(curation="extracted", review="unreviewed"),
                                 first=PAGE, after=after, count_cap=PAGE_COUNT_CAP)
    records = reader.claims(found.items)
    reports = reader.reports(found.items)
    curations = reader.curations([r.iri for rs in reports.values() for r in rs])
    pending = {iri: next((r for r in reports.get(iri, [])
                          if (c := curations.get(r.iri)) and c.method == "extracted" and c.review == "unreviewed"),
                         None) for iri in found.items}
    texts = reader.article_texts(sorted({r.article for r in pending.values() if r}))
    articles = reader.articles(sorted({r.article for r in pending.values() if r}))
    out = []
    for iri in found.items:
        c, r = records.get(iri), pending.get(iri)
        if c is None or r is None:
            continue
        text, a = texts.get(r.article, ""), articles.get(r.article)
        curation = curations[r.iri]
        title = (a.title or a.local_id) if a else r.article.rsplit("/", 1)[-1]
        out.append(Proposal(
            claim=c, report=r, article=Link(site.href(r.article), title),
            article_id=r.article.rsplit("/", 1)[-1], confidence=curation.confidence,
            extractor=" ".join(filter(None, (curation.extractor, curation.version))) or None,
            link=site.claim(c), claimant=site.entity(c.claimant), via=[site.entity(v) for v in r.via],
            value=quantity_text(c.value), topic=site.topic(c.topic),
            before=text[max(0, r.start - CONTEXT):r.start], evidence=text[r.start:r.end],
            after=text[r.end:r.end + CONTEXT]))
    return out, found


@router.get("/review")
def queue(request: Request, after: str | None = None, decided: str | None = None,
          verdict: str | None = None) -> Response:
    """The proposed claims awaiting review, a page at a time."""
    name = reviewer(request)
    if name is None:
        return sign_in_page(request)
    site = Site(request)
    try:
        items, found = proposals(site, after)
    except ValueError as exc:   # a cursor that is not one of ours
        return render("review.html", 400, signed_in=name, enabled=True, problem=f"after: {exc}")
    done = None
    if decided and verdict in ("accepted", "edited", "rejected") and SLUG.match(decided):
        done = {"claim": decided, "verdict": verdict,
                "href": None if verdict == "rejected" else f"/claim/{decided}"}
    return render("review.html", signed_in=name, enabled=True, proposals=items, total=found.total,
                  next_page=found.cursors[-1] if found.has_next else None, done=done)


# ---------------------------------------------------------------------------------------------
# Signing in and out
# ---------------------------------------------------------------------------------------------

@router.post("/review/session")
async def sign_in(request: Request) -> Response:
    if request.app.state.writes is None:
        return sign_in_page(request, 403)
    if not same_origin(request):
        return sign_in_page(request, 403, "this form was sent from another site")
    secret = (await form(request)).get("token", "").strip()
    if not secret or request.app.state.write_tokens.name_of(secret) is None:
        return sign_in_page(request, 401, "token: not a write token this server was started with")
    response = RedirectResponse("/review", status_code=303)
    response.set_cookie(COOKIE, secret, httponly=True, samesite="strict", path="/review",
                        secure=request.url.scheme == "https")
    return response


@router.post("/review/session/end")
def sign_out(request: Request) -> Response:
    response = RedirectResponse("/review", status_code=303)
    response.delete_cookie(COOKIE, path="/review")
    return response


# ---------------------------------------------------------------------------------------------
# A decision
# ---------------------------------------------------------------------------------------------

def current_values(site: Site, c: ClaimRecord, r: ReportRecord) -> dict[str, str]:
    """The editable fields as the edit form shows them: ids, not labels, so that they can be
    sent back unchanged."""
    v = c.value
    shown = lambda n: "" if n is None else (f"{int(n)}" if n == int(n) else f"{n}")  # noqa: E731
    low, high = v.bounds if v else (None, None)
    return {"claimant": site.id_of(c.claimant).removeprefix("entity/"),
            "via": ", ".join(site.id_of(x).removeprefix("entity/") for x in r.via),
            "min": shown(low), "max": shown(high), "unit": (v.unit or "") if v else "",
            "approximate": "on" if v and v.approximate else "",
            "stated": c.stated or "", "topic": c.topic.rsplit("/", 1)[-1]}


def edits_from(fields: dict[str, str], was: dict[str, str]) -> dict:
    """The corpus-format values of the fields the reviewer changed (graph/review.py EDITABLE)."""
    def changed(*names: str) -> bool:
        return any(fields.get(n, "").strip() != was[n] for n in names)
    edits: dict = {}
    if changed("claimant"):
        edits["claimant"] = fields.get("claimant", "").strip()
    if changed("via"):
        edits["via"] = [v.strip() for v in fields.get("via", "").split(",") if v.strip()]
    if changed("min", "max", "unit") or (fields.get("approximate", "") == "on") != (was["approximate"] == "on"):
        edits["value"] = {"min": _number(fields.get("min")), "max": _number(fields.get("max")),
                          "unit": fields.get("unit", "").strip() or None,
                          "approximate": fields.get("approximate") == "on"}
    if changed("stated"):
        stated = fields.get("stated", "").strip()
        basis = fields.get("stated_basis", "").strip()
        edits["stated"] = ({"date": stated, "inferred": True, "basis": basis} if stated and basis
                           else stated or None)
    if changed("topic"):
        edits["topic"] = fields.get("topic", "").strip()
    return edits


def _number(text: str | None):
    text = (text or "").strip().replace(",", "")
    if not text:
        return None
    try:
        n = float(text)
    except ValueError:
        return text   # refused by the corpus check, which says where
    return int(n) if n.is_integer() else n


def pending_report(site: Site, article_id: str, claim_id: str) -> tuple[ClaimRecord, ReportRecord] | None:
    """The claim and its report in the article; None when either is not in the graph (or the
    ids cannot be ids)."""
    if not (SLUG.match(article_id) and SLUG.match(claim_id)):
        return None
    iri = site.reader.iri_of_id("claim", claim_id)
    c = site.reader.claims([iri]).get(iri)
    article = site.reader.iri_of_id("article", article_id)
    r = next((r for r in site.reader.reports([iri]).get(iri, []) if r.article == article), None)
    return (c, r) if c and r else None


@router.get("/review/{article_id}/{claim_id}")
def edit_form(article_id: str, claim_id: str, request: Request) -> Response:
    """The form to edit a proposed claim's claimant, chain, figure, date or topic."""
    name = reviewer(request)
    if name is None:
        return sign_in_page(request)
    site = Site(request)
    found = pending_report(site, article_id, claim_id)
    if found is None:
        return render("review.html", 404, signed_in=name, enabled=True,
                      problem=f"claim '{claim_id[:80]}' of article '{article_id[:80]}' is not in the graph")
    c, r = found
    topics = sorted(((t.id, t.label) for t in site.reader.topics.values()), key=lambda t: t[1])
    return render("review.html", signed_in=name, enabled=True, editing={
        "claim": c, "link": site.claim(c), "action": f"/review/{article_id}/{claim_id}",
        "current": current_values(site, c, r), "topics": topics, "evidence": r.exact})


@router.post("/review/{article_id}/{claim_id}")
async def decide(article_id: str, claim_id: str, request: Request) -> Response:
    """Accept, edit or reject a proposed claim; then back to the queue, saying what was done."""
    name = reviewer(request)
    if name is None:
        return sign_in_page(request)
    if not same_origin(request):
        return render("review.html", 403, signed_in=name, enabled=True,
                      problem="this form was sent from another site: nothing was changed")
    fields = await form(request)
    verdict = fields.get("decision", "")
    edits: dict = {}
    site = Site(request)
    ctx = Context(site.reader, writer=name, writes=request.app.state.writes,
                  arrived=getattr(request.state, "arrived", None) or time.monotonic())
    if verdict == "edit":
        found = await ctx.run(pending_report, site, article_id, claim_id)
        if found is not None:
            edits = edits_from(fields, current_values(site, *found))
    decision = Decision(article=article_id, claim=claim_id, verdict=verdict, by=name,
                        note=fields.get("note", "").strip() or None, edits=edits)
    try:
        change = await ctx.write(lambda ingest, by, window: ingest.review(decision, window))
    except CorpusError as exc:
        return render("review.html", 400, signed_in=name, enabled=True, refused=exc.problems,
                      problem="refused, nothing was changed")
    except ValidationFailed as exc:
        return render("review.html", 400, signed_in=name, enabled=True, problem="refused, nothing was "
                      f"changed: {len(exc.violations)} SHACL violation(s); first: {exc.violations[0]}")
    except (WriteTimedOut, StoreError) as exc:
        return render("review.html", 503, signed_in=name, enabled=True,
                      problem=f"not done, nothing was changed: {exc}")
    return RedirectResponse(f"/review?decided={quote(claim_id)}&verdict={change.verdict}", status_code=303)
