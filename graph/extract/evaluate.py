"""Scoring extracted claims against the curated ones (`whosaid eval`).

The extractor (graph/extract/pipeline.py) writes an article's YAML document in the curated format
of corpus/README.md; this module compares its claims with the claims the curators listed for the
same article and says how many it found, how many it missed and how many it made up.

Matching, within one article
----------------------------
Each curated claim is taken as that article reports it: the `graph.corpus.Claim` with its report
whose `article_id` is the article (its evidence span and via chain there). An extracted claim
and a curated claim can pair only when their evidence spans overlap: the character intervals
[start, end) intersect. Among the candidates, pairs are taken greedily, largest overlap (in
characters) first, each claim in at most one pair. Pairing is done separately at each level:

1. "claimant": the same claimant entity id;
2. "claimant+topic": also the same topic id (equal ids only: a broader or narrower topic is not
   credited);
3. "claimant+topic+value": also the same value: both without one, or both with one and equal
   min, max and exclusive_min, compared as floats ("amount" folds into min = max; unit,
   approximate, qualifier, derived and basis are ignored). A value that is not a number never
   matches.

Ties in overlap are frequent, because one sentence often carries several claims (three claimants
"estimate 10,000 to 12,000"; ISW's 498 km² and 593 km² in one sentence). They are broken in
favour of the pair that agrees on more (topic, then value, then via chain, then date), then by
the order of the claims in their documents, so that a pairing never swaps two claims of one
sentence when keeping them straight was possible. Since the levels are paired separately, a
stricter level can, in a rare crossing of spans, pair more claims than a looser one.

Scores
------
At each level: TP = pairs; precision = TP / extracted claims; recall = TP / curated claims,
summed over the articles evaluated (a claim that several articles report counts once in each,
with its report there); F1 their harmonic mean. A ratio whose denominator is 0 is given as 0.

Over the level-1 pairs only (the claims found at all), three finer measures:
- via-chain accuracy: the share whose via agents (ids, in order; a worked-out step's basis is
  ignored) are equal;
- date accuracy: among the pairs whose curated claim has a stated date, the share whose extracted
  `stated` (plain, or the `date` of a mapping) is the same string. A curated `stated` that gives
  only bounds (earliest/latest, no date) has no date to compare and is left out;
- evidence overlap: the mean over the pairs of intersection / union of the two spans.
An accuracy with nothing to measure is None (shown "n/a").
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.corpus import Article, Claim, Corpus, Quantity, Report, TimeSpec

LEVELS = ("claimant", "claimant+topic", "claimant+topic+value")
STATEMENT_CHARS = 80  # how much of a statement the table shows: enough to recognise the claim


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------

def _ratio(part: float, whole: float) -> float:
    # 0 rather than an error: an extractor that finds nothing has precision 0, not a crash.
    return part / whole if whole else 0.0


@dataclass(frozen=True)
class ClaimRef:
    """A claim as a list of misses or false claims names it."""
    id: str
    statement: str


@dataclass(frozen=True)
class Pair:
    """A curated claim and the extracted claim paired with it."""
    curated: str      # curated claim id
    extracted: str    # extracted claim id
    overlap: int      # characters their evidence spans share
    iou: float        # intersection / union of the two spans


@dataclass(frozen=True)
class Accuracy:
    """How many of the pairs checked were right."""
    correct: int = 0
    checked: int = 0

    @property
    def value(self) -> float | None:
        return self.correct / self.checked if self.checked else None

    def __add__(self, other: Accuracy) -> Accuracy:
        return Accuracy(self.correct + other.correct, self.checked + other.checked)


@dataclass(frozen=True)
class LevelScore:
    level: str
    tp: int
    extracted: int
    curated: int

    @property
    def precision(self) -> float:
        return _ratio(self.tp, self.extracted)

    @property
    def recall(self) -> float:
        return _ratio(self.tp, self.curated)

    @property
    def f1(self) -> float:
        return _ratio(2 * self.precision * self.recall, self.precision + self.recall)


@dataclass
class ArticleScore:
    """One article: its pairs, misses and false claims at each level (keyed by LEVELS)."""
    article_id: str
    extracted: int                     # claims the extractor listed
    curated: int                       # claims the curators listed
    pairs: dict[str, list[Pair]]
    misses: dict[str, list[ClaimRef]]  # curated claims not paired at that level
    false: dict[str, list[ClaimRef]]   # extracted claims not paired at that level
    via: Accuracy = Accuracy()         # over the level-1 pairs
    date: Accuracy = Accuracy()        # over the level-1 pairs whose curated claim has a date
    # Level-1 pairs whose topic differs, or else whose value does ("topic", "value"): read
    # beside the misses, they tell a wrong figure from a claim not found at all.
    differs: list[tuple[Pair, str]] = field(default_factory=list)

    def level(self, level: str) -> LevelScore:
        return LevelScore(level, len(self.pairs[level]), self.extracted, self.curated)


@dataclass
class EvalResult:
    articles: list[ArticleScore]
    extracted: int
    curated: int
    levels: dict[str, LevelScore]
    via: Accuracy
    date: Accuracy
    evidence_overlap: float | None     # mean intersection / union over the level-1 pairs

    @property
    def via_accuracy(self) -> float | None:
        return self.via.value

    @property
    def date_accuracy(self) -> float | None:
        return self.date.value


# --------------------------------------------------------------------------------------------
# Both sides, reduced to what is compared
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Side:
    id: str
    statement: str
    claimant: Any
    topic: Any
    value: Any                 # _value_key: None (no value) or (min, max, exclusive_min)
    via: tuple                 # agent ids, in order
    date: str | None           # the stated date as written; None: none given, or bounds only
    span: tuple[int, int] | None   # None: no usable evidence, so it pairs with nothing


class _Unequal:
    """A value that equals nothing, itself included: what an unreadable figure compares as."""
    def __eq__(self, other: object) -> bool:
        return False

    __hash__ = object.__hash__


def _number(x: Any) -> Any:
    if x is None:
        return None
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return _Unequal()
    return float(x)   # 5500 and 5500.0 are one figure


def _value_key(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, Quantity):
        amount, lo, hi, exclusive = value.amount, value.min, value.max, value.exclusive_min
    elif isinstance(value, dict):
        amount, lo, hi = value.get("amount"), value.get("min"), value.get("max")
        exclusive = value.get("exclusive_min", False)
    else:
        return _Unequal()
    if amount is not None:   # "around 3,000" is the range 3,000 to 3,000
        lo = hi = amount
    return (_number(lo), _number(hi), bool(exclusive))


def _date_text(raw: Any) -> str | None:
    """A stated date as written: plain, or the `date` of a mapping (YAML may give a date or int)."""
    if isinstance(raw, TimeSpec):
        return raw.date.text if raw.date else None
    if isinstance(raw, dict):
        raw = raw.get("date")
    if raw is None:
        return None
    return raw.isoformat() if isinstance(raw, datetime.date) else str(raw)


def _publication(spec: TimeSpec | None) -> str | None:
    """The publication date to give the extractor: the date, else the earliest day known."""
    if spec is None:
        return None
    found = spec.date or spec.earliest
    return found.text if found else None


def _span(evidence: Any) -> tuple[int, int] | None:
    if not isinstance(evidence, dict):
        return None
    start, end = evidence.get("start"), evidence.get("end")
    ok = all(isinstance(x, int) and not isinstance(x, bool) for x in (start, end))
    return (start, end) if ok and start < end else None


def _via_agents(via: Any) -> tuple:
    steps = via if isinstance(via, list) else []
    return tuple(s.get("agent") if isinstance(s, dict) else s for s in steps)


def _curated_side(claim: Claim, report: Report) -> _Side:
    return _Side(claim.id, claim.statement, claim.claimant, claim.topic, _value_key(claim.value),
                 tuple(report.via), _date_text(claim.stated),
                 (report.evidence.start, report.evidence.end))


def _extracted_side(item: Any, i: int) -> _Side:
    item = item if isinstance(item, dict) else {}
    # An extracted claim without an id is still counted: it is named by its position.
    cid = item.get("id") if isinstance(item.get("id"), str) else f"#{i + 1}"
    return _Side(cid, str(item.get("statement") or ""), item.get("claimant"), item.get("topic"),
                 _value_key(item.get("value")), _via_agents(item.get("via")),
                 _date_text(item.get("stated")), _span(item.get("evidence")))


def _report_in(claim: Claim, article_id: str) -> Report:
    return next(r for r in claim.reports if r.article_id == article_id)


# --------------------------------------------------------------------------------------------
# Pairing and scoring
# --------------------------------------------------------------------------------------------

def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def _iou(a: tuple[int, int], b: tuple[int, int]) -> float:
    inter = _overlap(a, b)
    # Overlapping intervals: their union runs from the first start to the last end.
    return inter / (max(a[1], b[1]) - min(a[0], b[0])) if inter else 0.0


def _agrees(c: _Side, e: _Side, level: int) -> bool:
    """Whether two claims may pair at `level` (1, 2 or 3), their spans aside."""
    return (c.claimant == e.claimant
            and (level < 2 or c.topic == e.topic)
            and (level < 3 or c.value == e.value))


def _pair(curated: list[_Side], extracted: list[_Side], level: int) -> list[tuple[int, int]]:
    """The pairs at `level`, as (curated index, extracted index): by position, since extracted
    ids may repeat curated ones or each other."""
    candidates = []
    for ci, c in enumerate(curated):
        for ei, e in enumerate(extracted):
            if e.span is None or not _agrees(c, e, level):
                continue
            overlap = _overlap(c.span, e.span)
            if overlap:
                # Ties in overlap go to the pair that agrees on more; see the module docstring.
                disagreement = (c.topic != e.topic, c.value != e.value, c.via != e.via,
                                c.date != e.date)
                candidates.append((-overlap, disagreement, ci, ei))
    candidates.sort()
    pairs, used_c, used_e = [], set(), set()
    for _, _, ci, ei in candidates:
        if ci not in used_c and ei not in used_e:
            used_c.add(ci)
            used_e.add(ei)
            pairs.append((ci, ei))
    return pairs


def score_article(extracted: dict, curated: Article) -> ArticleScore:
    """Score one extracted document against the curated article (`graph.corpus.Article`)."""
    cur = [_curated_side(c, _report_in(c, curated.id)) for c in curated.claims]
    items = (extracted.get("claims") or []) if isinstance(extracted, dict) else []
    ext = [_extracted_side(item, i) for i, item in enumerate(items)]

    found_at, pairs, misses, false = {}, {}, {}, {}
    for n, level in enumerate(LEVELS, start=1):
        found = found_at[level] = _pair(cur, ext, n)
        pairs[level] = [Pair(cur[ci].id, ext[ei].id, _overlap(cur[ci].span, ext[ei].span),
                             _iou(cur[ci].span, ext[ei].span)) for ci, ei in found]
        paired_c, paired_e = {ci for ci, _ in found}, {ei for _, ei in found}
        misses[level] = [ClaimRef(c.id, c.statement)
                         for i, c in enumerate(cur) if i not in paired_c]
        false[level] = [ClaimRef(e.id, e.statement)
                        for i, e in enumerate(ext) if i not in paired_e]

    # The finer measures, over the claims found at all (level 1).
    via, date, differs = Accuracy(), Accuracy(), []
    for (ci, ei), pair in zip(found_at[LEVELS[0]], pairs[LEVELS[0]]):
        c, e = cur[ci], ext[ei]
        via += Accuracy(int(c.via == e.via), 1)
        if c.date is not None:
            date += Accuracy(int(c.date == e.date), 1)
        if c.topic != e.topic:
            differs.append((pair, "topic"))
        elif c.value != e.value:
            differs.append((pair, "value"))
    return ArticleScore(curated.id, len(ext), len(cur), pairs, misses, false, via, date, differs)


def score(extracted: dict[str, dict], corpus: Corpus) -> EvalResult:
    """Score extracted documents (article id -> document) against the corpus's curated claims.
    Only the articles given are evaluated; an id the corpus does not have is an error."""
    unknown = sorted(set(extracted) - set(corpus.articles))
    if unknown:
        raise KeyError(f"not articles of the corpus: {', '.join(unknown)}")
    articles = [score_article(extracted[aid], corpus.articles[aid])
                for aid in sorted(extracted)]
    return _total(articles)


def _total(articles: list[ArticleScore]) -> EvalResult:
    n_ext = sum(a.extracted for a in articles)
    n_cur = sum(a.curated for a in articles)
    levels = {level: LevelScore(level, sum(len(a.pairs[level]) for a in articles), n_ext, n_cur)
              for level in LEVELS}
    ious = [p.iou for a in articles for p in a.pairs[LEVELS[0]]]
    return EvalResult(
        articles=articles, extracted=n_ext, curated=n_cur, levels=levels,
        via=sum((a.via for a in articles), Accuracy()),
        date=sum((a.date for a in articles), Accuracy()),
        evidence_overlap=sum(ious) / len(ious) if ious else None)


# --------------------------------------------------------------------------------------------
# Running the extractor over the corpus, and the report
# --------------------------------------------------------------------------------------------

def evaluate_corpus(corpus_dir: Path, extract: Callable[..., dict] | None = None) -> EvalResult:
    """Load the corpus at `corpus_dir`, run `extract` on each article's text and score it.

    `extract` is called as the pipeline's `extract_article(text, article_id=, published=,
    outlet=, corpus=)`, with what the curators recorded of the article: its published date
    (plain, or the date of an inferred one, or its earliest bound when only bounds are known,
    as an analyst would give --published) and its outlet.
    """
    # Imported here: loading the ontology and the extractor's language pipeline is only needed
    # when an extractor is run, not to score documents already extracted.
    from graph.build import topic_ids
    from graph.corpus import load_corpus
    from graph.rdf import ontology_graph
    if extract is None:
        from graph.extract.pipeline import extract_article as extract
    corpus = load_corpus(Path(corpus_dir), topic_ids(ontology_graph()))
    extracted = {
        aid: extract(article.text, article_id=aid, published=_publication(article.published),
                     outlet=article.outlet, corpus=corpus)
        for aid, article in sorted(corpus.articles.items())}
    return score(extracted, corpus)


def _f(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"


def _short(text: str) -> str:
    text = " ".join(text.split())   # one line: a statement may hold newlines
    return text if len(text) <= STATEMENT_CHARS else text[:STATEMENT_CHARS - 1] + "…"


def format_table(result: EvalResult) -> str:
    """The result as Markdown: one table of the levels and the accuracies, then, per article,
    the curated claims not found and the extracted claims not matched (at level 1), and the
    claims found with another topic or value."""
    lines = ["| measure | precision | recall | F1 | accuracy | counts |",
             "|---|---|---|---|---|---|"]
    for s in result.levels.values():
        lines.append(f"| {s.level} | {_f(s.precision)} | {_f(s.recall)} | {_f(s.f1)} | | "
                     f"TP {s.tp}, extracted {s.extracted}, curated {s.curated} |")
    for name, acc in (("via chain", result.via), ("stated date", result.date)):
        lines.append(f"| {name} | | | | {_f(acc.value)} | {acc.correct} of {acc.checked} pairs |")
    pairs = result.levels[LEVELS[0]].tp
    lines.append(f"| evidence overlap (IoU) | | | | {_f(result.evidence_overlap)} | "
                 f"mean over {pairs} pairs |")

    for a in result.articles:
        lines += ["", f"### {a.article_id}", "",
                  f"{a.extracted} extracted, {a.curated} curated; paired: "
                  + ", ".join(f"{level} {len(a.pairs[level])}" for level in LEVELS)]
        entries = [f"- missed `{m.id}`: {_short(m.statement)}" for m in a.misses[LEVELS[0]]]
        entries += [f"- false `{f.id}`: {_short(f.statement)}" for f in a.false[LEVELS[0]]]
        entries += [f"- found `{p.curated}` with another {what} (extracted `{p.extracted}`)"
                    for p, what in a.differs]
        lines += [""] + (entries or ["all curated claims found, none extra"])
    return "\n".join(lines) + "\n"
