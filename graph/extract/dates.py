"""Stated dates and periods: when a claimant said it, and the time the claim is about.

Both are written in the corpus format (corpus/README.md, "Dates"): a date is "YYYY", "YYYY-MM"
or "YYYY-MM-DD", its form being its precision. A date the text gives outright, year included,
is a plain string; anything worked out ("on Tuesday", "Jan. 19" with no year, "last month",
"two months prior") is a mapping {date, inferred: True, basis, earliest?, latest?} whose basis
quotes the words and says how they were resolved. Unknown stays unknown: None.

Everything is resolved against the article's publication date, which may itself be known only
to the month or the year; the resolution then keeps the publication's own uncertainty as
earliest/latest bounds instead of pretending to a day.

The parsing is by hand (regular expressions over the sentence), not dateparser: the hard part is
not reading "Jan. 19" but finding which words date the saying, which year a date without one
falls in, and whether that year counts as printed. dateparser answers none of these, and its
answers to the easy part would need overriding anyway: by default "Dec. 30" in an article of
3 January 2025 is 30 December 2025, "last month" is a day rather than a month, and "two months
prior" is not read at all.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

__all__ = ["stated_date", "period"]

# --------------------------------------------------------------------------------------------
# Vocabulary

MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS.update({"jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8,
               "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12})
WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
           "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
           "couple of": 2}
# Meteorological seasons, as the curators read "last fall" (September to November).
SEASONS = {"spring": (3, 5), "summer": (6, 8), "fall": (9, 11), "autumn": (9, 11),
           "winter": (12, 2)}

# Month names are matched case-sensitively so that the modal "may" is never May.
_MON = (r"(?:January|February|March|April|May|June|July|August|September|October|November|"
        r"December|Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept\.?|Sep\.?|Oct\.?|"
        r"Nov\.?|Dec\.?)(?![A-Za-z])")
_WD = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
_NUM = (r"(?:\d{1,2}|(?i:a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
        r"couple of))")
_UNIT = r"(?i:day|week|month|year)s?\b"
_YEAR = r"(?:19|20)\d{2}\b"
_PREP = r"(?:(?i:on|in|at|during)\s+)?"

# Each pattern is tried anchored at a word start; the first that matches names the kind.
_PATTERNS: list[tuple[str, re.Pattern]] = [(kind, re.compile(rx)) for kind, rx in [
    ("iso", _PREP + r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})\b"),
    ("mdy", _PREP + rf"(?:{_WD},?\s+)?(?P<mon>{_MON})\s*(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b"
                    rf"(?:,?\s+(?P<y>{_YEAR}))?"),
    ("dmy", _PREP + rf"(?:(?i:the)\s+)?(?:{_WD},?\s+)?(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+"
                    rf"(?:(?i:of)\s+)?(?P<mon>{_MON})(?:,?\s+(?P<y>{_YEAR}))?"),
    ("last_month_name", rf"(?i:last)\s+(?P<mon>{_MON})"),
    ("month", _PREP + r"(?:(?P<q>(?i:early|mid|late)|(?i:the\s+(?:beginning|start|middle|end)"
                      rf"\s+of))[-\s]*)?(?P<mon>{_MON})(?:,?\s+(?:(?i:of)\s+)?(?P<y>{_YEAR})|"
                      r"\s+(?P<thisyear>(?i:of\s+this\s+year)))?"),
    ("weekday", _PREP + rf"(?P<last>(?i:last|this\s+past|this)\s+)?(?P<wd>{_WD})"),
    ("relative", r"(?P<rel>(?i:yesterday|today|tonight|"
                 r"(?:earlier|late|early)\s+(?:this|last)\s+(?:week|month|year)|"
                 r"(?:last|this|past)\s+(?:week|month|year)|"
                 r"earlier\s+in\s+the\s+(?:week|month|year)))\b"),
    ("ago", rf"(?P<n>{_NUM})\s+(?P<unit>{_UNIT})\s+(?i:ago)\b"),
    ("prior", rf"(?P<n>{_NUM})\s+(?P<unit>{_UNIT})\s+"
              r"(?P<dir>(?i:prior|earlier|before|later|after))\b"),
    ("prior", r"(?i:the\s+(?:day|week|month|year)\s+before|"
              r"the\s+previous\s+(?:day|week|month|year)|"
              r"the\s+(?:next|following)\s+(?:day|week|month|year))\b"),
    ("year", r"(?i:in|during)\s+(?P<y>" + _YEAR + r")"),
    ("vague", r"(?i:recently|previously|earlier|lately|in\s+recent\s+(?:days|weeks|months))\b"),
]]


@dataclass
class _Expr:
    """A time expression found in the text: its kind, its words and the fields read off it."""
    kind: str
    words: str
    start: int
    end: int
    groups: dict

    def get(self, key):
        return self.groups.get(key)

    @property
    def month(self) -> int | None:
        mon = self.get("mon")
        return MONTHS[mon.lower().rstrip(".")] if mon else None

    @property
    def printed_year(self) -> int | None:
        return int(self.get("y")) if self.get("y") else None


def _match_at(text: str, pos: int) -> _Expr | None:
    for kind, rx in _PATTERNS:
        m = rx.match(text, pos)
        if m:
            groups = {k: v for k, v in m.groupdict().items() if v is not None}
            return _Expr(kind, m.group(0), m.start(), m.end(), groups)
    return None


def _find_all(text: str) -> list[_Expr]:
    out, pos = [], 0
    for w in re.finditer(r"\b\w", text):
        if w.start() < pos:
            continue
        e = _match_at(text, w.start())
        if e:
            out.append(e)
            pos = e.end
    return out


# --------------------------------------------------------------------------------------------
# Partial dates and the publication

def _day(d: date) -> str:
    return d.isoformat()


def _month(y: int, m: int) -> str:
    return f"{y:04d}-{m:02d}"


def _shift_month(y: int, m: int, n: int) -> tuple[int, int]:
    k = y * 12 + (m - 1) + n
    return k // 12, k % 12 + 1


def _last_day(y: int, m: int) -> date:
    return date(y, m, calendar.monthrange(y, m)[1])


def _human_day(d: date) -> str:
    return f"{d.day} {calendar.month_name[d.month]} {d.year}"


def _human(value: str) -> str:
    """'2025-01-31' -> '31 January 2025', '2025-01' -> 'January 2025'."""
    parts = [int(p) for p in value.split("-")]
    if len(parts) == 3:
        return _human_day(date(*parts))
    if len(parts) == 2:
        return f"{calendar.month_name[parts[1]]} {parts[0]}"
    return str(parts[0])


def _bounds(value: str) -> tuple[date, date]:
    parts = [int(p) for p in value.split("-")]
    if len(parts) == 3:
        d = date(*parts)
        return d, d
    if len(parts) == 2:
        return date(parts[0], parts[1], 1), _last_day(parts[0], parts[1])
    return date(parts[0], 1, 1), date(parts[0], 12, 31)


def _common(a: date, b: date) -> str | None:
    """The most precise date that holds both days."""
    if a == b:
        return _day(a)
    if (a.year, a.month) == (b.year, b.month):
        return _month(a.year, a.month)
    if a.year == b.year:
        return str(a.year)
    return None


@dataclass(frozen=True)
class _Pub:
    """The publication date as an interval of days: a day, or a whole month or year."""
    value: str
    lo: date
    hi: date

    @classmethod
    def parse(cls, published: str | None) -> _Pub | None:
        if not published:
            return None
        published = str(published).strip()
        if not re.fullmatch(r"\d{4}(?:-\d{2}(?:-\d{2})?)?", published):
            return None
        try:
            lo, hi = _bounds(published)
        except ValueError:
            return None
        return cls(published, lo, hi)

    @property
    def is_day(self) -> bool:
        return self.lo == self.hi

    def describe(self) -> str:
        return ("on " if self.is_day else "in ") + _human(self.value)


# --------------------------------------------------------------------------------------------
# The result

@dataclass
class _When:
    date: str | None
    inferred: bool
    basis: str = ""
    earliest: str | None = None
    latest: str | None = None
    span: tuple[int, int] | None = None     # where in the sentence the words were

    def yaml(self) -> str | dict:
        if not self.inferred:
            return self.date
        out: dict = {}
        if self.date:
            out["date"] = self.date
        out["inferred"] = True
        out["basis"] = self.basis
        # Bounds are kept even when one is the first day of the date's month: they record
        # what the weekday or range resolved to ("no earlier than 1 February, a Saturday").
        if self.earliest:
            out["earliest"] = self.earliest
        if self.latest:
            out["latest"] = self.latest
        return out


# A frame's date word that says only "some time before": it dates nothing, and it also stops
# the fallbacks (an undated earlier report is not the one dated a few sentences up).
_VAGUE = _When(None, True, "vague")


# --------------------------------------------------------------------------------------------
# Resolving one expression to a point in time

def _year_before(pub: _Pub, m: int, d: int | None = None) -> int:
    """The year that puts month m (day d) on or before the publication, not after it."""
    y = pub.hi.year
    if d is None:
        return y if (y, m) <= (pub.hi.year, pub.hi.month) else y - 1
    try:
        return y if date(y, m, d) <= pub.hi else y - 1
    except ValueError:
        return y - 1


def _year_after(pub: _Pub, m: int) -> int:
    """The year that puts month m on or after the publication (deadlines, forecasts)."""
    y = pub.lo.year
    return y if (y, m) >= (pub.lo.year, pub.lo.month) else y + 1


def _printed_dateline(article_text: str, pub: _Pub | None) -> bool:
    """Does the article print its own publication day with the year ("January 31, 2025")?

    Then a "Jan. 19" in it is given outright: its year is read off a printed date, not worked
    out, and the curators write it plainly. Without a printed dateline the year is inferred,
    even when the article prints the year elsewhere for other events.
    """
    if not pub or not pub.is_day or not article_text:
        return False
    return pub.value in _printed_days(article_text)


@lru_cache(maxsize=16)
def _printed_days(article_text: str) -> frozenset[str]:
    """Every full date, year included, that the article prints (once per article, not per
    sentence: the pipeline asks for each sentence of the same text)."""
    days = set()
    for e in _find_all(article_text):
        if e.kind in ("mdy", "dmy", "iso") and e.printed_year:
            try:
                days.add(_resolve_ymd(e))
            except ValueError:
                continue
    return frozenset(days)


def _resolve_ymd(e: _Expr) -> str:
    m = int(e.get("m")) if e.kind == "iso" else e.month
    return _day(date(e.printed_year, m, int(e.get("d"))))


def _n(e: _Expr) -> int:
    return NUMBERS.get((e.get("n") or "one").lower(), None) or int(e.get("n"))


def _quoted(e: _Expr) -> str:
    return f"'{e.words.strip()}'"


def _point(e: _Expr, pub: _Pub | None, ctx: _Context) -> _When | None:
    """When the saying was, from the expression attached to the frame."""
    q = _quoted(e)
    year_text = ctx.article_text or ctx.sentence
    if e.kind == "vague":
        return _VAGUE

    if e.kind in ("iso", "mdy", "dmy", "month", "year") and e.printed_year:
        try:
            value = (_resolve_ymd(e) if e.kind in ("iso", "mdy", "dmy") else
                     _month(e.printed_year, e.month) if e.kind == "month" else str(e.printed_year))
        except ValueError:
            return None
        if str(e.printed_year) in year_text:
            return _When(value, False)
        return _When(value, True, f"{q}: the year is printed with the date but nowhere in the "
                                  "article text given")

    if pub is None and e.kind != "prior":
        return None     # everything below counts from the publication

    if e.kind in ("mdy", "dmy"):
        m, d = e.month, int(e.get("d"))
        y = _year_before(pub, m, d)
        try:
            value = _day(date(y, m, d))
        except ValueError:
            return None
        if y == pub.hi.year and _printed_dateline(ctx.article_text, pub):
            return _When(value, False)
        return _When(value, True, f"{q}, with no year: {y}, so that it is not after the "
                                  f"article's publication {pub.describe()}" + ctx.year_note(y))

    if e.kind == "month":
        m, y = e.month, None
        if e.get("thisyear"):
            y = pub.hi.year
            how = f"'this year' being the year of the article's publication {pub.describe()}"
        else:
            y = _year_before(pub, m)
            how = (f"the {calendar.month_name[m]} not after the article's publication "
                   f"{pub.describe()}")
        value = _month(y, m)
        if y == pub.hi.year and not e.get("thisyear") and _printed_dateline(ctx.article_text, pub):
            return _When(value, False)
        return _When(value, True,
                     f"{q}, with no year: {how}, so {_human(value)}" + ctx.year_note(y))

    if e.kind == "last_month_name":
        m = e.month
        y = pub.hi.year if m < pub.hi.month else pub.hi.year - 1
        value = _month(y, m)
        return _When(value, True, f"{q}: the most recent {calendar.month_name[m]} before the "
                                  f"article's publication {pub.describe()}, so {_human(value)}")

    if e.kind == "weekday":
        return _weekday(e, pub)

    if e.kind == "relative":
        return _relative(e, pub)

    if e.kind == "ago":
        return _shifted(e, pub.value, -_n(e), f"counted back from the article's publication "
                                              f"{pub.describe()}")

    if e.kind == "prior":
        return _prior(e, pub, ctx)
    return None


def _weekday(e: _Expr, pub: _Pub) -> _When:
    """The latest such weekday on or before the publication day ("last Tuesday": before it).

    With the publication known only to the month, each possible publication day gives a
    weekday; the range of them is kept as bounds, and the date is the publication's month,
    where all but the first few days of the month put it.
    """
    wd = WEEKDAYS[e.get("wd").lower()]
    strict = (e.get("last") or "").strip().lower() in ("last", "this past")

    def back(day: date) -> date:
        delta = (day.weekday() - wd) % 7
        if strict and delta == 0:
            delta = 7
        return day - timedelta(days=delta)

    earliest, latest = back(pub.lo), back(pub.hi)
    name = calendar.day_name[wd]
    q = _quoted(e)
    if earliest == latest:
        return _When(_day(earliest), True,
                     f"{q}: the {name} {'before' if strict else 'on or before'} the article's "
                     f"publication {pub.describe()} ({calendar.day_name[pub.lo.weekday()]}), "
                     f"so {_human_day(earliest)}")
    value = _common(earliest, latest)
    if value is None or len(value) < len(pub.value):
        value = pub.value
    return _When(value, True,
                 f"{q}: a {name} {'before' if strict else 'on or before'} the article's "
                 f"publication, known only {pub.describe()}: between {_human_day(earliest)} and "
                 f"{_human_day(latest)}, taken as {_human(value)}",
                 earliest=_day(earliest), latest=_day(latest))


def _relative(e: _Expr, pub: _Pub) -> _When | None:
    words = re.sub(r"\s+", " ", e.get("rel").lower())
    unit = words.split()[-1]
    q = _quoted(e)
    counted = f"counted from the article's publication {pub.describe()}"
    if unit in ("yesterday", "today", "tonight"):
        back = 1 if unit == "yesterday" else 0
        lo, hi = pub.lo - timedelta(days=back), pub.hi - timedelta(days=back)
        return _span_when(lo, hi, f"{q}, {counted}")
    last = words.startswith("last") or words.startswith("past") or " last " in f" {words} "
    if unit == "week":
        # Calendar weeks, Monday to Sunday; "this week" ends with the publication.
        def monday(d: date) -> date:
            return d - timedelta(days=d.weekday())
        if last:
            lo = monday(pub.lo) - timedelta(days=7)
            hi = monday(pub.hi) - timedelta(days=1)
        else:
            lo, hi = monday(pub.lo), pub.hi
        return _span_when(lo, hi, f"{q}, {counted}")
    if unit == "month":
        if len(pub.value) == 4:
            return None
        y, m = _shift_month(pub.lo.year, pub.lo.month, -1 if last else 0)
        value = _month(y, m)
        return _When(value, True, f"{q}, {counted}: {_human(value)}",
                     latest=pub.value if not last and pub.is_day else None)
    if unit == "year":
        y = pub.lo.year - (1 if last else 0)
        return _When(str(y), True, f"{q}, {counted}: {y}")
    return None


def _span_when(lo: date, hi: date, basis: str) -> _When:
    value = _common(lo, hi)
    if lo == hi:
        return _When(value, True, f"{basis}: {_human_day(lo)}")
    return _When(value, True, f"{basis}: between {_human_day(lo)} and {_human_day(hi)}",
                 earliest=_day(lo), latest=_day(hi))


def _shifted(e: _Expr, anchor: str, n: int, how: str) -> _When | None:
    """The anchor moved by n units, at the precision the unit allows."""
    unit = e.get("unit").lower().rstrip("s")
    lo, _ = _bounds(anchor)
    q = _quoted(e)
    if unit in ("day", "week"):
        days = n * (7 if unit == "week" else 1)
        if len(anchor) < 10:    # a month moved by days is still about a month
            d = lo + timedelta(days=days)
            value = _month(d.year, d.month) if len(anchor) == 7 else str(d.year)
        else:
            value = _day(lo + timedelta(days=days))
    elif unit == "month":
        if len(anchor) == 4:
            return None
        value = _month(*_shift_month(lo.year, lo.month, n))
    elif unit == "year":
        value = str(lo.year + n)
    else:
        return None
    return _When(value, True, f"{q}, {how}: {_human(value)}")


def _prior(e: _Expr, pub: _Pub | None, ctx: _Context) -> _When | None:
    """'Two months prior': counted from the date of the statement the article just reported."""
    if ctx.depth > 1 or not ctx.article_text:
        return None
    words = e.words.lower()
    later = bool(re.search(r"later|after|next|following", words))
    n = _n(e) if e.get("n") else 1
    unit = e.get("unit") or re.search(r"day|week|month|year", words).group(0)
    e = _Expr(e.kind, e.words, e.start, e.end, {**e.groups, "unit": unit})
    for previous in ctx.previous_sentences()[:3]:
        found = _stated(previous, pub, ctx.child(previous))
        if found and found is not _VAGUE and found.date:
            anchor = _quote_words(previous, found)
            return _shifted(e, found.date, n if later else -n,
                            f"counted from the statement the article reports just before "
                            f"({anchor}, {_human(found.date)})")
    return None


def _quote_words(sentence: str, found: _When) -> str:
    if found.span:
        return f"'{sentence[found.span[0]:found.span[1]].strip()}'"
    return f"'{sentence.strip()[:60]}'"


# --------------------------------------------------------------------------------------------
# The frame: which time expression dates the saying

SPEECH_VERBS = re.compile(
    r"\b(?:said|says|say|told|tells|stated|states|announced|announces|reported|reports|added|"
    r"adds|noted|notes|claimed|claims|confirmed|confirms|revealed|reveals|mentioned|mentions|"
    r"wrote|writes|commented|comments|estimated|estimates|warned|warns|predicted|predicts|"
    r"acknowledged|acknowledges|disclosed|discloses|declared|declares|posted|tweeted|explained|"
    r"explains|insisted|insists|asserted|argued|argues|briefed|testified|remarked|indicated|"
    r"stressed|emphasized|emphasised|alleged|denied|denies|informed|assured|reiterated|"
    r"admitted|admits|described|describes|spoke|speaks|published|released|issued)\b", re.I)
# "published", "released", "issued" are speech verbs only for a document: "The article,
# published on Jan. 30, said" dates the article; "troops released on Monday" dates nothing said.
_DOCUMENT_ONLY = {"published", "released", "issued"}
DOCUMENT_NOUNS = r"(?:report|article|story|study|statement|assessment|analysis|document|survey|" \
                 r"investigation|paper|update|bulletin|communique|release|data|figures|video)"
_DETERMINERS = {"the", "a", "an", "these", "those", "its", "their", "his", "her", "our", "such"}

# What may stand between a verb and its date without being the reported content: an addressee,
# a channel, a place ("told the Kyiv Independent", "said in a statement", "told reporters in
# Seoul on Tuesday").
_SKIPPABLE = _DETERMINERS | {
    "to", "in", "at", "for", "on", "during", "via", "with", "of", "from", "by", "and",
    "reporters", "journalists", "lawmakers", "parliament", "statement", "interview", "briefing",
    "press", "conference", "news", "agency", "post", "social", "media", "television",
    "televised", "address", "speech", "video", "message", "nightly", "evening", "daily",
    "weekly", "online", "channel", "website", "newspaper", "broadcaster", "radio", "outlet",
    "meeting", "call", "phone", "telephone", "session", "report", "update", "summit", "forum",
    "visit", "trip", "event", "state", "local", "national", "public", "official", "joint",
    "regular", "written", "separate", "closed-door", "parliamentary", "committee", "audience",
    "remarks", "comments", "appearance", "late", "early"}
_CONTENT_START = {"that", "whether", "how", "why", "what", "if"}


def _mask_quotes(s: str) -> tuple[str, list[tuple[int, int]]]:
    """The sentence with quoted words blanked (same length), and the quoted spans.

    Quoted words are the claimant's, not the reporter's frame: '"In January ...," he said on
    Saturday' is dated by Saturday. An unclosed quote runs to the end of the sentence.
    """
    spans = []
    for m in re.finditer(r"“[^”]*(?:”|$)|\"[^\"]*(?:\"|$)", s):
        spans.append((m.start(), m.end()))
    masked = list(s)
    for a, b in spans:
        masked[a:b] = "#" * (b - a)
    return "".join(masked), spans


_TOKEN = re.compile(r"\s*((?:[A-Z]\.){2,}|[\w’'-]+|.)", re.S)


def _after_verb(masked: str, pos: int) -> tuple[_Expr | None, bool]:
    """The date attached after a speech verb, and whether reported content follows the verb.

    Walks over the addressee, channel and place the frame may name; stops at "that", at
    punctuation, or at the first word that can only be the content ("said he expects ...").
    A gerund ("reported capturing two soldiers ... on 11 January") is read with its clause:
    its date is taken for the report, as the curators do.
    """
    gerund = False
    step = 0
    while step < (25 if gerund else 10):
        ws = re.match(r"\s*", masked[pos:]).end()
        start = pos + ws
        if start >= len(masked):
            return None, False
        e = _match_at(masked, start)
        if e:
            return e, False
        if masked[start] == ",":
            after = re.match(r",\s*", masked[start:]).end() + start
            e = _match_at(masked, after)
            return (e, True) if e and e.kind != "vague" else (None, True)
        tok = _TOKEN.match(masked, start)
        word = tok.group(1)
        low = word.lower()
        if not re.match(r"[\w’']", word):
            return None, word not in ".!?"
        if low in _CONTENT_START:
            return None, True
        if step == 0 and low.endswith("ing") and word.islower() and low not in _SKIPPABLE:
            gerund = True
        elif not (gerund or low in _SKIPPABLE or word[0].isupper() or low.endswith(("’s", "'s"))):
            return None, True
        pos = tok.end()
        step += 1
    return None, True


def _before_verb(masked: str, verb_start: int) -> _Expr | None:
    """A date adverbial of a frame that opens the sentence: 'On 9 January 2025, at Ramstein,
    Zelenskyy said that ...', 'Two months prior, Umerov mentioned ...', 'Zelensky on Tuesday
    said ...'. Only asked when content follows the verb, so that a sentence-initial date of a
    report put after its content ('In December, troops advanced, the ministry said') stays the
    content's."""
    head = masked[:verb_start]
    lead = re.match(r"\s*", head).end()
    e = _match_at(head, lead)
    if e and e.kind not in ("year",) and re.match(r"\s*(?:,|[A-Z])", head[e.end:]):
        return e
    for e in _find_all(head):
        if not head[e.end:].strip(" ,"):
            return e
    return None


@dataclass
class _Context:
    sentence: str
    article_text: str
    depth: int = 0

    def child(self, sentence: str) -> _Context:
        return _Context(sentence, self.article_text, self.depth + 1)

    def previous_sentences(self) -> list[str]:
        """Sentences of the article before this one, nearest first."""
        at = self.article_text.find(self.sentence)
        if at < 0:
            return []
        return list(reversed(_split_sentences(self.article_text[:at])))

    def year_note(self, y: int) -> str:
        if not self.article_text:
            return ""
        if str(y) in self.article_text:
            return f" (the article prints {y} elsewhere, not with this date)"
        return f"; the article prints no {y}"


_ABBREVIATIONS = {"jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov",
                  "dec", "col", "gen", "lt", "maj", "sgt", "capt", "mr", "mrs", "ms", "dr", "st",
                  "no", "vs", "rep", "sen", "gov", "adm", "cmdr", "prof", "corp", "inc", "ltd"}


def _split_sentences(text: str) -> list[str]:
    """A small splitter, enough to find the sentences before a given one."""
    out, start = [], 0
    for m in re.finditer(r"[.!?][\"”’]?(?=\s+[\"“‘A-Z0-9])|\n+", text):
        word = re.search(r"(\w+)[.!?][\"”’]?$", text[start:m.end()])
        if m.group(0).startswith(".") and word and (word.group(1).lower() in _ABBREVIATIONS
                                                    or len(word.group(1)) == 1):
            continue
        piece = text[start:m.end()].strip()
        if piece:
            out.append(piece)
        start = m.end()
    tail = text[start:].strip()
    if tail:
        out.append(tail)
    return out


def _frame_date(text: str, offset: int, ctx: _Context, pub: _Pub | None) -> _When | None:
    """The date of the frame of `text` (the sentence, or a quote inside it)."""
    masked, quotes = _mask_quotes(text)
    first_with_content = None
    for v in SPEECH_VERBS.finditer(masked):
        word = v.group(0).lower()
        before = masked[:v.start()].split()
        if before and before[-1].lower() in _DETERMINERS:
            continue    # "the reports", "these claims": nouns
        if word in _DOCUMENT_ONLY and not re.search(DOCUMENT_NOUNS + r"\b[\w\s,’']{0,40}$",
                                                    masked[:v.start()], re.I):
            continue
        e, content = _after_verb(masked, v.end())
        if e is not None:
            return _located(_point(e, pub, ctx), e, offset)
        if content and first_with_content is None:
            first_with_content = v
    if first_with_content is not None:
        e = _before_verb(masked, first_with_content.start())
        if e is not None:
            return _located(_point(e, pub, ctx), e, offset)
    # A quote that is itself a report ('"The NIS stated on January 13 that ...," ISW reported')
    # dates the statement it quotes.
    for a, b in quotes:
        inner = text[a + 1:b - 1] if b - a > 1 else ""
        if SPEECH_VERBS.search(inner):
            found = _frame_date(inner, offset + a + 1, ctx, pub)
            if found is not None:
                return found
    return None


def _located(found: _When | None, e: _Expr, offset: int) -> _When | None:
    if found is None or found is _VAGUE:
        return found
    found.span = (offset + e.start, offset + e.end)
    return found


_ANAPHORA = re.compile(
    rf"\b(?:according\s+to|citing|in)\s+the\s+{DOCUMENT_NOUNS}\b|"
    rf"\bthe\s+{DOCUMENT_NOUNS}\s+(?:said|says|states|stated|notes|noted|adds|added|reads|"
    r"read|claims|claimed|estimates|estimated|writes|wrote|found|finds|concluded|concludes)\b",
    re.I)


def _anaphora(ctx: _Context, pub: _Pub | None) -> _When | None:
    """'According to the report, ...': the report an earlier sentence dated."""
    if ctx.depth > 0 or not ctx.article_text:
        return None
    m = _ANAPHORA.search(_mask_quotes(ctx.sentence)[0])
    if not m:
        return None
    for previous in ctx.previous_sentences()[:8]:
        if not re.search(rf"\b{DOCUMENT_NOUNS}\b", previous, re.I):
            continue
        found = _frame_date(previous, 0, ctx.child(previous), pub)
        if found and found is not _VAGUE and found.date:
            return _When(found.date, True,
                         f"'{m.group(0).strip()}', the report an earlier sentence dates: "
                         f"{_quote_words(previous, found)}, so {_human(found.date)}",
                         earliest=found.earliest, latest=found.latest)
    return None


def _stated(sentence: str, pub: _Pub | None, ctx: _Context) -> _When | None:
    found = _frame_date(sentence, 0, ctx, pub)
    if found is None:
        found = _anaphora(ctx, pub)
    return found


# --------------------------------------------------------------------------------------------
# Public API

def stated_date(sentence: str, published: str | None, article_text: str = "") -> str | dict | None:
    """When the claimant said it, from the sentence's frame.

    'said on Tuesday', 'said on Jan. 19', 'stated on January 13', 'On 9 January 2025, ... said',
    'told X on Jan. 31', 'announced at the beginning of January', 'two months prior' (counted
    from the statement the article reported just before), 'According to the report' (the report
    an earlier sentence dates), 'recently' (-> None). `published` is the article's publication
    date, "YYYY", "YYYY-MM" or "YYYY-MM-DD", or None.

    Returns the YAML value: a plain string when the date is given outright with its year printed
    (in the sentence, or for a date without year in the article's own printed dateline);
    otherwise a dict {date, inferred: True, basis, earliest?, latest?}; None when nothing dates
    it.
    """
    pub = _Pub.parse(published)
    found = _stated(sentence, pub, _Context(sentence, article_text or ""))
    if found is None or found is _VAGUE:
        return None
    return found.yaml()


# Period expressions beyond the point ones: openings and deadlines, spans up to a date, seasons.
_OPENING = re.compile(r"(?P<op>(?i:since|by|until|till|through|from))\s+")
_BARE_YEAR = re.compile(r"(?P<y>" + _YEAR + r")")
_SINCE_EVENT = re.compile(
    r"(?i:since\s+(?:the\s+)?(?:(?:start|beginning|outbreak)\s+of\s+(?:the\s+)?)?"
    r"(?:full-scale\s+)?(?:war|invasion|conflict|deployment|offensive)(?:\s+began)?)\b")
_PERIOD_EXTRA: list[tuple[str, re.Pattern]] = [(k, re.compile(rx)) for k, rx in [
    ("sofar", r"(?i:so\s+far|to\s+date|thus\s+far|up\s+to\s+now|until\s+now)\b"),
    ("duration", r"(?i:(?:for|over|in|during)\s+(?:the\s+)?(?:past|last|previous)?\s*)"
                 r"(?:(?i:roughly|about|around|nearly|almost|some|more\s+than|over|"
                 rf"at\s+least)\s+)?(?P<n>{_NUM})\s+(?P<unit>{_UNIT})"),
    ("season", r"(?i:(?P<last>last|this\s+past)\s+(?P<season>fall|autumn|spring|summer|winter)|"
               r"(?:in\s+)?(?:the\s+)?(?P<season2>fall|autumn|spring|summer|winter)"
               r"(?:\s+of)?\s+(?P<y>" + _YEAR + r"))"),
]]
# Words that make a sentence look ahead, so that "by mid-March" is the coming March.
_FUTURE = re.compile(r"\b(?:will|would|could|may|might|expects?|expected|predicts?|predicted|"
                     r"forecasts?|projected|likely)\b", re.I)


def _period_at(text: str, pos: int) -> tuple[str, _Expr] | None:
    """A period expression at pos: an opening ('since'), a deadline ('by'), a span or a point."""
    m = _OPENING.match(text, pos)
    if m:
        event = _SINCE_EVENT.match(text, pos)
        if event:
            return "event", _Expr("event", event.group(0), pos, event.end(), {})
        e = _match_at(text, m.end())
        if e is None:
            year = _BARE_YEAR.match(text, m.end())
            e = year and _Expr("year", year.group(0), year.start(), year.end(), year.groupdict())
        if e is None or e.kind in ("vague", "ago", "prior"):
            return None
        e.words, e.start = text[pos:e.end], pos
        return ("since" if m.group("op").lower() in ("since", "from") else "by"), e
    for kind, rx in _PERIOD_EXTRA:
        m = rx.match(text, pos)
        if m:
            groups = {k: v for k, v in m.groupdict().items() if v is not None}
            return kind, _Expr(kind, m.group(0), m.start(), m.end(), groups)
    e = _match_at(text, pos)
    if e and e.kind not in ("vague", "prior"):
        return "point", e
    return None


def period(sentence: str, published: str | None) -> dict | None:
    """The time the claim is about.

    'since mid-January', 'in December', 'last month', 'last August', 'in January ... alone',
    'so far' (up to the statement's date, or the publication), 'by mid-April' (a deadline:
    forward from the publication when the sentence looks ahead), 'last fall', 'on 31 January',
    'for roughly three weeks' (up to the statement's date). The words that date the saying itself
    ('said on Tuesday') are not the period. Returns {label, start?, end?, inferred?, basis?} in
    the YAML format, or None.
    """
    pub = _Pub.parse(published)
    ctx = _Context(sentence, "")
    frame = _frame_date(sentence, 0, ctx, pub)
    skip = frame.span if frame and frame is not _VAGUE else None
    if skip is None:
        # Given only the reported content, it may still open with the frame's date ("Jan. 19
        # that roughly half ..." cut from "said on Jan. 19 that ..."): that dates the saying.
        lead = _match_at(sentence, len(sentence) - len(sentence.lstrip()))
        if lead and re.match(r",?\s+that\b", sentence[lead.end:]):
            skip = (lead.start, lead.end)
    future = bool(_FUTURE.search(sentence))
    pos = 0
    for w in re.finditer(r"\b\w", sentence):
        if w.start() < pos:
            continue
        if skip and skip[0] <= w.start() < skip[1]:
            continue
        found = _period_at(sentence, w.start())
        if not found:
            continue
        kind, e = found
        pos = e.end
        result = _period_value(kind, e, pub, frame if frame is not _VAGUE else None, future)
        if result is not None:
            return result
    return None


_LOWER_FIRST = {"since", "in", "by", "until", "till", "through", "from", "last", "this", "so",
                "for", "over", "during", "early", "late", "mid", "the", "to", "thus", "up"}


def _label(e: _Expr) -> str:
    words = re.sub(r"\s+", " ", e.words.strip())
    words = re.sub(r"^(?i:on)\s+", "", words)
    if e.printed_year or e.get("q") or e.get("thisyear"):
        words = re.sub(r"^(?i:in|during)\s+", "", words)
    # A sentence-initial "Since" is still a preposition in a label.
    first = re.match(r"[A-Za-z]+", words)
    if first and first.group(0).lower() in _LOWER_FIRST:
        words = words[0].lower() + words[1:]
    return words


def _period_value(kind: str, e: _Expr, pub: _Pub | None, frame: _When | None,
                  future: bool) -> dict | None:
    label = _label(e)
    q = f"'{e.words.strip()}'"
    if kind == "event":
        return {"label": label}

    if kind in ("sofar", "duration"):
        # Counted up to when it was said; failing that, up to the publication, which is a
        # reading of the words and so always inferred.
        if frame and frame.date:
            end = frame.date
            basis = (f"{q}, up to the statement's date, {_human(end)} ({frame.basis})"
                     if frame.inferred else None)
        elif pub and pub.is_day:
            end = pub.value
            basis = f"{q}: no date of the statement is given; counted up to the article's " \
                    f"publication {pub.describe()}"
        else:
            return {"label": label}
        text = _human(end)
        out = {"label": f"{label} (to {text})" if kind == "sofar" else f"{label} up to {text}",
               "end": end}
        if basis:
            out.update(inferred=True, basis=basis)
        return out

    if kind == "season":
        return _season(e, label, q, pub)

    if kind in ("since", "by"):
        ahead = kind == "by" and future
        point = _period_point(e, pub, future=ahead)
        if point is None:
            return None
        start, end, inferred, how = point
        out = {"label": f"{label} ({how})" if inferred else label}
        if kind == "since":
            out["start"] = start
        else:
            out["end"] = end
        if inferred:
            out.update(inferred=True, basis=f"{q}, {_basis_how(e, pub, ahead, _human(start))}")
        return out

    point = _period_point(e, pub, future=future)
    if point is None:
        return None
    start, end, inferred, how = point
    out = {"label": f"{label} ({how})" if inferred else label, "start": start, "end": end}
    if inferred:
        resolved = _human(start) if start == end else f"{_human(start)} to {_human(end)}"
        out.update(inferred=True, basis=f"{q}, {_basis_how(e, pub, future, resolved)}")
    return out


def _basis_how(e: _Expr, pub: _Pub | None, future: bool, resolved: str) -> str:
    where = f"the article's publication {pub.describe()}" if pub else "the publication"
    if e.kind in ("relative", "last_month_name", "weekday", "ago"):
        return f"counted back from {where}: {resolved}"
    if e.get("thisyear"):
        return f"'this year' being the year of {where}: {resolved}"
    what = calendar.month_name[e.month] if e.month else "date"
    if e.kind in ("mdy", "dmy"):
        what = f"{int(e.get('d'))} {what}"
    if future:
        return f"with no year, and looking ahead: the first {what} not before {where}, {resolved}"
    return f"with no year: the most recent {what} not after {where}, {resolved}"


def _period_point(e: _Expr, pub: _Pub | None, future: bool) -> tuple | None:
    """(start, end, inferred, resolution words) of a point-like expression."""
    if e.kind in ("iso", "mdy", "dmy") and e.printed_year:
        try:
            d = _resolve_ymd(e)
        except ValueError:
            return None
        return d, d, False, ""
    if e.kind == "month" and e.printed_year:
        v = _month(e.printed_year, e.month)
        return v, v, False, ""
    if e.kind == "year":
        return e.get("y"), e.get("y"), False, ""
    if pub is None:
        return None
    if e.kind in ("mdy", "dmy"):
        m, d = e.month, int(e.get("d"))
        y = _year_after(pub, m) if future else _year_before(pub, m, d)
        try:
            v = _day(date(y, m, d))
        except ValueError:
            return None
        return v, v, True, str(y)
    if e.kind == "month":
        if e.get("thisyear"):
            y = pub.hi.year
        else:
            y = _year_after(pub, e.month) if future else _year_before(pub, e.month)
        v = _month(y, e.month)
        return v, v, True, str(y)
    if e.kind in ("last_month_name", "weekday", "relative", "ago"):
        w = _point(e, pub, _Context("", ""))
        if w is None or w is _VAGUE or not (w.date or w.earliest):
            return None
        start, end = w.earliest or w.date, w.latest or w.date
        shown = w.date[:4] if e.kind == "last_month_name" else _human(w.date) if w.date else \
            f"{_human(start)} to {_human(end)}"
        return start, end, True, shown
    return None


def _season(e: _Expr, label: str, q: str, pub: _Pub | None) -> dict | None:
    name = (e.get("season") or e.get("season2")).lower()
    first, last = SEASONS[name]
    shown = "autumn" if name == "fall" else name
    y = e.printed_year
    if y is not None:
        # "the winter of 2024" is taken as the winter that begins in 2024
        start = _month(y, first)
        end = _month(y + 1 if first > last else y, last)
        return {"label": label, "start": start, "end": end}
    if pub is None:
        return {"label": label}
    # "last fall": the most recent such season that was over before the publication month
    y = pub.lo.year
    while True:
        end_y = y + 1 if first > last else y
        if (end_y, last) < (pub.lo.year, pub.lo.month):
            break
        y -= 1
    start, end = _month(y, first), _month(end_y, last)
    years = str(y) if y == end_y else f"{y}-{str(end_y)[2:]}"
    return {"label": f"{label} ({shown} {years})", "start": start, "end": end, "inferred": True,
            "basis": f"{q}, counted back from the article's publication {pub.describe()}: the "
                     f"{shown} of {years}, taken as {calendar.month_name[first]} to "
                     f"{calendar.month_name[last]}"}
