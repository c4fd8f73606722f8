"""The article and claim pages for people (issue 13), on a real server, checked against what the
GraphQL API says the graph holds:

- an article page highlights every report's evidence with <mark>s whose data-start/data-end are
  the code point offsets of the words they hold, whose data-claims name the claims they are
  evidence of and whose data-claimant names the first claim's claimant; each claimant gets
  colours of its own, the text keeping a 4.5:1 contrast on them; the claims are listed beside
  the text, each with its claimant's swatch;
- a claim page draws, per report, the path claimant -> via ... -> outlet -> article, each step
  a link with its role named.

Pages are read with the standard library's HTML parser into a small tree."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import httpx
import pytest

from api.charts import PALETTE
from api.linked_data import Link, Span, claimant_colour, segments

from .conftest import GraphQLClient

BROWSER = {"accept": "text/html"}
VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                 "source", "track", "wbr"}


# ---------------------------------------------------------------------------------------------
# A page as a tree
# ---------------------------------------------------------------------------------------------

@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    children: list["Element | str"] = field(default_factory=list)

    @property
    def classes(self) -> list[str]:
        return self.attrs.get("class", "").split()

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def iter(self, tag: str | None = None, cls: str | None = None):
        """This element and every element under it, in document order, of this tag and class."""
        if (tag is None or self.tag == tag) and (cls is None or cls in self.classes):
            yield self
        for c in self.children:
            if isinstance(c, Element):
                yield from c.iter(tag, cls)

    def find(self, tag: str | None = None, cls: str | None = None) -> "Element | None":
        return next(self.iter(tag, cls), None)


class TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(element)
        if tag not in VOID_ELEMENTS:
            self.stack.append(element)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Element(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag):
        # close up to the matching open element (the pages are well formed; this is a guard)
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def page(server: str, path: str) -> Element:
    response = httpx.get(f"{server}{path}", headers=BROWSER, timeout=30)
    assert response.status_code == 200, (path, response.status_code, response.text[:300])
    assert response.headers["content-type"].startswith("text/html")
    builder = TreeBuilder()
    builder.feed(response.text)
    builder.close()
    return builder.root


# ---------------------------------------------------------------------------------------------
# What GraphQL says
# ---------------------------------------------------------------------------------------------

ARTICLE = """query($id: ID!) { article(id: $id) { id text outlet { id } outletBasis
  claims(first: 50) { totalCount nodes { id claimant { id }
    reports { article { id outlet { id } outletBasis } evidence start end via { id }
              attributedTo { id } } } } } }"""


@pytest.fixture(scope="module")
def articles(embedded_server) -> list[dict]:
    """Every article with its text and its claims, each claim with all of its reports."""
    client = GraphQLClient(embedded_server)
    ids = [a["id"] for a in client.data("{ articles(first: 50) { nodes { id } } }")["articles"]["nodes"]]
    found = []
    for article_id in ids:
        article = client.data(ARTICLE, {"id": article_id})["article"]
        claims = article["claims"]
        assert len(claims["nodes"]) == claims["totalCount"], "a page of 50 holds every claim"
        found.append(article)
    assert len(found) == 5, "the five seed articles"
    return found


def href(graphql_id: str) -> str:
    """The page of a resource the API names by id ("entity/nis" -> "/entity/nis")."""
    return "/" + graphql_id


# ---------------------------------------------------------------------------------------------
# Colour contrast, as WCAG 2 defines it (written here, not taken from the code under test)
# ---------------------------------------------------------------------------------------------

def luminance(colour: str) -> float:
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (linear(int(colour[i:i + 2], 16) / 255) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def claimant_styles(root: Element) -> dict[str, dict[str, str]]:
    """The page's claimant-N classes: N -> their custom properties (--claimant-tint ...)."""
    css = "".join(s.text() for s in root.iter("style"))
    return {m.group(1): dict(re.findall(r"--([\w-]+):\s*([^;]+?)\s*;", m.group(2)))
            for m in re.finditer(r"\.claimant-(\d+)\s*\{([^}]*)\}", css)}


def claimant_class(element: Element) -> str:
    [found] = [c[len("claimant-"):] for c in element.classes if c.startswith("claimant-")]
    return found


# ---------------------------------------------------------------------------------------------
# The article page
# ---------------------------------------------------------------------------------------------

def test_every_evidence_span_is_marked_at_its_offsets_with_its_words_and_claimant(embedded_server, articles):
    for article in articles:
        root = page(embedded_server, href(article["id"]))
        text = article["text"]
        [shown] = root.iter("div", "text")
        marks = list(shown.iter("mark"))
        claimant_of = {c["id"]: c["claimant"]["id"] for c in article["claims"]["nodes"]}
        assert marks, article["id"]
        for mark in marks:
            start, end = int(mark.attrs["data-start"]), int(mark.attrs["data-end"])
            claims = mark.attrs["data-claims"].split()
            # every mark holds the words at its offsets, and is evidence of claims of this article
            assert mark.text() == text[start:end] and start < end, (article["id"], start, end)
            assert claims and set(claims) <= set(claimant_of), (article["id"], claims)
            assert mark.attrs["data-claimant"] == claimant_of[claims[0]]
        for claim in article["claims"]["nodes"]:
            [report] = [r for r in claim["reports"] if r["article"]["id"] == article["id"]]
            covering = sorted((m for m in marks if claim["id"] in m.attrs["data-claims"].split()),
                              key=lambda m: int(m.attrs["data-start"]))
            # the claim's marks tile its evidence exactly: no gap, no overlap, nothing beyond it
            bounds = [(int(m.attrs["data-start"]), int(m.attrs["data-end"])) for m in covering]
            assert bounds and bounds[0][0] == report["start"] and bounds[-1][1] == report["end"], \
                (claim["id"], bounds, report["start"], report["end"])
            assert all(a[1] == b[0] for a, b in zip(bounds, bounds[1:])), (claim["id"], bounds)
            assert "".join(m.text() for m in covering) == report["evidence"], claim["id"]
            # and where the claim comes first in a mark, the mark names its claimant
            assert {m.attrs["data-claimant"] for m in covering
                    if m.attrs["data-claims"].split()[0] == claim["id"]} <= {claim["claimant"]["id"]}


def listed_claims(root: Element) -> list[tuple[Element, str, str, str]]:
    """The claims listed beside the text, in order: (item, claim id, claimant id, the
    claimant-N class of its swatch)."""
    found = []
    for item in root.find("ol", "claims").iter("li"):
        targets = [a.attrs["href"][1:] for a in item.iter("a")]
        [claim_id] = [t for t in targets if t.startswith("claim/")]
        [claimant_id] = [t for t in targets if t.startswith("entity/")]
        found.append((item, claim_id, claimant_id, claimant_class(item.find("span", "swatch"))))
    return found


def test_each_claimant_of_an_article_has_its_own_readable_colour(embedded_server, articles):
    several = 0
    for article in articles:
        root = page(embedded_server, href(article["id"]))
        styles = claimant_styles(root)
        ink = re.search(r"--ink:\s*(#[0-9a-fA-F]{6})", "".join(s.text() for s in root.iter("style"))).group(1)
        claimant_of = {c["id"]: c["claimant"]["id"] for c in article["claims"]["nodes"]}
        style_of: dict[str, str] = {}   # claimant id -> its claimant-N class
        for _, _, claimant, style in listed_claims(root):
            assert style_of.setdefault(claimant, style) == style, "one claimant, one colour"
        assert set(style_of) == set(claimant_of.values()), article["id"]
        # a mark takes the colour of its first claim's claimant; where evidence overlaps, the line
        # above it the colour of the second claim's claimant
        for mark in root.find("div", "text").iter("mark"):
            claims = mark.attrs["data-claims"].split()
            assert claimant_class(mark) == style_of[mark.attrs["data-claimant"]]
            over = [c[len("over-"):] for c in mark.classes if c.startswith("over-")]
            assert over == ([style_of[claimant_of[claims[1]]]] if len(claims) > 1 else []), claims
        looks = [(styles[n]["claimant-tint"], styles[n]["claimant-rule"]) for n in style_of.values()]
        # two claimants never look the same: a colour, or failing that the line under it, differs
        assert len(set(looks)) == len(looks), (article["id"], looks)
        several += len(looks) >= 2
        tints = [tint for tint, _ in looks]
        assert len(set(tints)) >= min(len(tints), len(PALETTE)), "the palette's colours come first"
        for tint in tints:
            assert contrast(ink, tint) >= 4.5, (article["id"], tint)
    assert several, "some article has two claimants or more"


def test_the_claims_are_listed_beside_the_text_numbered_with_their_claimants_swatch(embedded_server, articles):
    for article in articles:
        root = page(embedded_server, href(article["id"]))
        claimant_of = {c["id"]: c["claimant"]["id"] for c in article["claims"]["nodes"]}
        # the text and the list are the two columns of one grid
        [beside] = root.iter("div", "beside")
        assert beside.find("div", "text") is not None and beside.find("ol", "claims") is not None
        listed = listed_claims(beside)
        assert sorted(claim for _, claim, _, _ in listed) == sorted(claimant_of)
        for number, (item, claim, claimant, _) in enumerate(listed, start=1):
            assert item.attrs["id"] == f"claim-{number}"   # the target of the footnote [number]
            assert claimant == claimant_of[claim]
        # the claims are numbered in the order their evidence appears, and every footnote
        # number after a span leads to its claim in the list
        starts = {claim: r["start"] for c in article["claims"]["nodes"] for r in c["reports"]
                  for claim in [c["id"]] if r["article"]["id"] == article["id"]}
        assert [starts[claim] for _, claim, _, _ in listed] == sorted(starts.values())
        footnotes = [a.attrs["href"] for sup in root.iter("sup", "ref") for a in sup.iter("a")]
        assert sorted(footnotes) == sorted(f"#claim-{n}" for n in range(1, len(listed) + 1))


def test_page_furniture_is_labelled_for_screen_readers(embedded_server, articles):
    labelled = 0
    for article in articles:
        shown = page(embedded_server, href(article["id"])).find("div", "text")
        parts = shown.children
        for i, part in enumerate(parts):
            if isinstance(part, Element) and "furniture" in part.classes:
                # a note before and after it that a screen reader reads and nobody sees
                before, after = parts[i - 1], parts[i + 1] if i + 1 < len(parts) else None
                assert isinstance(before, Element) and "visually-hidden" in before.classes \
                    and "not part of the article" in before.text(), (article["id"], part.text())
                assert after is None or (isinstance(after, Element) and "visually-hidden" in after.classes)
                labelled += 1
        # the notes are not the article's words: the text without them is the captured text
        assert "".join(_shown_text(shown)) == article["text"], article["id"]
    assert labelled, "some article has page furniture"


def _shown_text(element: Element):
    """The text a reader sees: no screen reader notes, no footnote numbers."""
    for c in element.children:
        if isinstance(c, str):
            yield c
        elif "visually-hidden" not in c.classes and c.tag != "sup":
            yield from _shown_text(c)


# ---------------------------------------------------------------------------------------------
# The claim page
# ---------------------------------------------------------------------------------------------

def test_a_claim_page_draws_each_reports_path_from_claimant_to_article(embedded_server, articles):
    claims = {c["id"]: c for a in articles for c in a["claims"]["nodes"]}
    relayed = [c for c in claims.values() if any(r["via"] for r in c["reports"])]
    assert relayed, "the seed graph has claims reported through intermediaries"
    named, inferred = 0, 0
    for claim in relayed:
        root = page(embedded_server, href(claim["id"]))
        drawn = []
        for path in root.iter("ol", "path"):
            steps = [(li.find("span", "role").text(), li.find("a").attrs["href"], li)
                     for li in path.children if isinstance(li, Element) and li.tag == "li"]
            drawn.append(steps)
        expected = [[("claimant", href(claim["claimant"]["id"])),
                     *(("via", href(v["id"])) for v in r["via"]),
                     ("outlet", href(r["article"]["outlet"]["id"])),
                     ("article", href(r["article"]["id"]))]
                    for r in claim["reports"]]
        assert sorted([(role, link) for role, link, _ in steps] for steps in drawn) == sorted(expected), \
            claim["id"]
        for r in claim["reports"]:
            [steps] = [s for s in drawn if s[-1][1] == href(r["article"]["id"])]
            # the intermediary the article names as its source, instead of the claimant
            flagged = [link for _, link, li in steps if "named" in li.find("span", "step").classes]
            assert flagged == ([href(r["attributedTo"]["id"])] if r["attributedTo"] else [])
            named += bool(flagged)
            # an outlet the article does not print is marked inferred
            [outlet] = [li for role, _, li in steps if role == "outlet"]
            assert ("(inferred)" in outlet.text()) == bool(r["article"]["outletBasis"]), claim["id"]
            inferred += bool(r["article"]["outletBasis"])
    assert named and inferred, "the seed graph has a report naming an intermediary and an inferred outlet"


def test_a_segment_knows_its_offsets_and_lists_the_innermost_claim_first():
    outer = Span(0, 9, Link("/claim/outer", "Outer"), 1, "claim/outer", "entity/a", claimant_colour(0))
    inner = Span(3, 6, Link("/claim/inner", "Inner"), 2, "claim/inner", "entity/b", claimant_colour(1))
    segs = segments("0123456789", (0, 10), [outer, inner])
    assert [(s.start, s.end, s.text) for s in segs] == [(0, 3, "012"), (3, 6, "345"), (6, 9, "678"),
                                                       (9, 10, "9")]
    # the nested claim's evidence is coloured for its own claimant, the outer one's line above it
    assert [x.claim_id for x in segs[1].spans] == ["claim/inner", "claim/outer"]
    assert segs[1].mark_class == "claimant-1 overlap over-0"
    assert segs[0].mark_class == "claimant-0"
