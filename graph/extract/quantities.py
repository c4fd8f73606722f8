"""Figures in a sentence, written the way curators write a claim's `value` (corpus/README.md,
"Quantities"): bounds from the words around the number, the counted noun as the unit.

    "up to 4,000 soldiers"        {max: 4000, unit: soldiers}
    "around 3,000"                {amount: 3000, approximate: true}
    "10,000 to 12,000 troops"     {min: 10000, max: 12000, unit: soldiers}
    "more than 15,000 invaders"   {min: 15000, exclusive_min: true, unit: soldiers}
    "had reached 4,000 troops"    {min: 4000, unit: soldiers}
    "nearly 100 personnel daily"  {max: 100, qualifier: nearly, unit: soldiers per day}
    "roughly half of the 11-12,000 strong contingent"
                                  {min: 5500, max: 6000, approximate: true, unit: soldiers,
                                   derived: true, basis: ...}

Decisions, where the curated data does not settle them:

- `qualifier` holds the hedging words as printed when the other fields cannot say what they
  mean: "nearly"/"almost"/"under"/"less than"/"fewer than" (a strict or near ceiling: there is
  no `exclusive_max`), "just over"/"well over" (closeness to an exclusive floor), "or fewer",
  and the words of a vague plural, in the sentence's own case ("Nearly"). "up to", "as many
  as", "at least", "more than", "over" and "had reached" are fully said by min/max/
  exclusive_min and get none, as the curators write. Hedges stack once: "up to an estimated
  4,500" is {max: 4500, approximate: true}. "estimate" as a verb hedges nothing (the curators
  do not mark "estimate 10,000 to 12,000" approximate); "an estimated" does.
- Vague plurals are floors: "dozens" is {min: 24}, "hundreds" {min: 200}, "thousands"
  {min: 2000}, "tens of thousands" {min: 20000}, "several hundred"/"a few thousand" twice the
  multiplier, each with the words in `qualifier`. "a dozen" is 12. "several" or "a few" alone
  is no figure.
- A fraction ("half", "a third", "30%") of a figure printed right after it ("half of the
  11-12,000 ...") gives a second, derived figure with the words in `basis`; a result that is
  not whole is rounded and marked approximate. A fraction of something with no printed number
  ("a third of the corps") gives no figure: the base is in another sentence, if anywhere.
- Military nouns are one unit, "soldiers", as the curators write it for troops, personnel,
  invaders, reservists...; so are nationalities in the plural ("300 North Koreans"), because
  the corpus counts troops by nationality. Other nouns are kept as printed ("tanks", "people").
  "N strong" counts soldiers when a body of troops follows ("12,000-strong contingent"). Areas
  are "square kilometres", the curators' spelling, whatever the article's. A bare number
  shares the unit of the figure before it in the sentence ("300 North Koreans ... and 2,700
  have been wounded"), or of the one after it when only "to"/"or"/"and" stands between ("from
  1,000 to 1,500 soldiers"); with neither ("the toll at around 3,000") it has no unit: the
  noun is in another sentence, and the caller that sees it may fill it in.
- Durations are figures ("four-five days" is curated as {min: 4, max: 5, unit: days}), except
  points in time ("three years ago") and ages ("a 26-year-old").
- Not figures: years, days of a date ("January 13", "Jan. 19", "9 January"), clock times,
  ordinals, decades, numbers that are part of a name ("Su-34", "COVID-19"), "one" unless it
  counts a noun ("one of them"), and hyphenated adjectives ("two-thirds", "three-member").
- A conversion in parentheses ("498 square kilometers (192 square miles)") is the same
  figure again, not a second one.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, replace
from fractions import Fraction

Number = int | float


@dataclass(frozen=True)
class Figure:
    start: int          # the whole phrase in the sentence, qualifier to unit; end exclusive
    end: int
    text: str
    min: Number | None
    max: Number | None
    amount: Number | None
    approximate: bool = False
    exclusive_min: bool = False
    qualifier: str | None = None
    unit: str | None = None
    derived: bool = False
    basis: str | None = None

    def value(self) -> dict:
        """The claim's `value` mapping in the curated format: only the keys that are set."""
        out: dict = {}
        if self.min is not None:
            out["min"] = _plain(self.min)
            if self.exclusive_min:
                out["exclusive_min"] = True
        if self.max is not None:
            out["max"] = _plain(self.max)
        if self.amount is not None:
            out["amount"] = _plain(self.amount)
        if self.approximate:
            out["approximate"] = True
        if self.qualifier:
            out["qualifier"] = self.qualifier
        if self.unit:
            out["unit"] = self.unit
        if self.derived:
            out["derived"] = True
        if self.basis:
            out["basis"] = self.basis
        return out


def _plain(n) -> Number:
    n = float(n) if isinstance(n, Fraction) else n
    return int(n) if float(n).is_integer() else n


# --- words -----------------------------------------------------------------------------------

_SMALL = {w: n for n, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen".split())}
_TENS = {w: 10 * n for n, w in enumerate(
    "twenty thirty forty fifty sixty seventy eighty ninety".split(), start=2)}
_SCALES = {"thousand": 1000, "million": 10**6, "billion": 10**9}

_MONTHS = set("January February March April May June July August September October November "
              "December Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec".split())

# The counted noun, normalised to what the curators write.
_SOLDIERS = ("soldier soldiers troops troop personnel servicemen serviceman servicemembers "
             "fighters fighter invaders occupiers reservists reservist conscripts recruits "
             "mercenaries paratroopers marines infantrymen combatants").split()
_TIME = {"day": "days", "week": "weeks", "month": "months", "year": "years", "hour": "hours",
         "minute": "minutes", "decade": "decades"}
_NOUNS = {**{w: "soldiers" for w in _SOLDIERS},
          **{w: w for w in "people civilians children men women prisoners".split()},
          **_TIME, **{plural: plural for plural in _TIME.values()}}
# Nationalities in the plural: "North Koreans", "Russians", "Ukrainians".
_DEMONYMS = re.compile(r"[A-Z][a-z]+(?:ans|ens)")
# Bodies of troops: "a 12,000-strong contingent".
_GROUPS = set("contingent force forces army corps unit units brigade brigades division "
              "battalion regiment deployment detachment garrison group".split())
# Words between a number and its noun that do not change what is counted.
_MODIFIERS = set("additional more other new extra fresh further elite regular active enemy "
                 "foreign military armed special wounded injured captured dead killed missing "
                 "civilian combat frontline front-line mobilised mobilized allied".split())
# Words ending in "s" that follow a number without being its noun.
_NOT_NOUNS = set("was has is its his this thus as us yes does goes across towards besides unless "
                 "plus less whereas always perhaps sometimes afterwards nevertheless news says "
                 "remains means seems includes marks makes comes times others".split())

_MEASURES = [
    (re.compile(r"\s*(?:square\s+kilomet(?:er|re)s?|sq\.?\s*km|square\s+km|km2|km²)(?![\w²])",
                re.I), "square kilometres"),
    (re.compile(r"\s*(?:square\s+miles?|sq\.?\s*mi(?:les?)?)\b", re.I), "square miles"),
    (re.compile(r"\s*hectares?\b", re.I), "hectares"),
    (re.compile(r"\s*(?:kilomet(?:er|re)s?|km)\b", re.I), "kilometres"),
    (re.compile(r"\s*miles?\b", re.I), "miles"),
]
_DIMENSION = {"square kilometres": "area", "square miles": "area", "hectares": "area",
              "kilometres": "length", "miles": "length"}
_PERCENT = re.compile(r"\s*(%|percentage\s+points?\b|per\s*cent\b)", re.I)
_RATE = re.compile(r"\s*(?:(?:per|a|an|each|every)\s+(day|week|month|year|hour)|"
                   r"(daily|weekly|monthly|yearly|annually|hourly))\b"
                   r"(?!\s+(?:ago|after|before|later|earlier)\b)", re.I)
_PERIODS = {"daily": "day", "weekly": "week", "monthly": "month", "yearly": "year",
            "annually": "year", "hourly": "hour"}
_COORDINATED = re.compile(r"\s*(?:,\s*)?(?:to|or|and)\s+", re.I)
_POINT_IN_TIME = re.compile(r"\s+(?:ago|later|earlier|prior)\b", re.I)
_CLOCK = re.compile(r"\s*(?:[ap]\.m\.|[ap]m\b)", re.I)

# Words before a number and what they make of it.
_APPROX, _MAX, _MAX_Q, _MIN, _XMIN, _XMIN_Q = "approx", "max", "max_q", "min", "xmin", "xmin_q"
_BEFORE = {
    _APPROX: ["about", "around", "approximately", "approx.", "roughly", "some", "an estimated",
             "circa", "close to"],
    _MAX: ["up to", "as many as", "at most", "no more than", "not more than", "a maximum of"],
    _MAX_Q: ["nearly", "almost", "just under", "under", "less than", "fewer than", "below"],
    _MIN: ["at least", "no fewer than", "no less than", "not less than", "a minimum of",
          "had reached", "has reached", "have reached", "reached"],
    _XMIN: ["more than", "over", "above", "in excess of", "exceeding", "exceeded", "surpassed",
           "topped", "upwards of"],
    _XMIN_Q: ["just over", "well over", "just above", "slightly more than"],
}
_KIND = {phrase: kind for kind, phrases in _BEFORE.items() for phrase in phrases}
_QUALIFIER_ALT = "|".join(re.escape(p).replace(r"\ ", r"\s+")
                          for p in sorted(_KIND, key=len, reverse=True))
_QUALIFIER_BEFORE = re.compile(rf"(?i)(?<![\w-])({_QUALIFIER_ALT})\s+$")
_AFTER = re.compile(r"(?i)\s+or\s+(so|more|fewer|less)\b")
_AFTER_KIND = {"so": _APPROX, "more": _MIN, "fewer": _MAX_Q, "less": _MAX_Q}

# "Rose from 10,000 to 12,000" is two figures, not a range.
_CHANGE_VERBS = set("rose risen increased grew grown climbed jumped fell fallen dropped "
                    "decreased declined shrank surged soared".split())

_VAGUE = re.compile(r"(?i)(?:(?:several|a\s+few)\s+)?(tens\s+of\s+thousands|"
                    r"hundreds\s+of\s+thousands|dozens?|hundreds?|thousands?|millions?)\b")
_VAGUE_SCALE = {"tens of thousands": 10_000, "hundreds of thousands": 100_000, "dozen": 12,
                "hundred": 100, "thousand": 1000, "million": 10**6}

_FRACTIONS = {"half": Fraction(1, 2), "third": Fraction(1, 3), "quarter": Fraction(1, 4),
              "fourth": Fraction(1, 4), "fifth": Fraction(1, 5), "tenth": Fraction(1, 10),
              "thirds": Fraction(2, 3), "quarters": Fraction(3, 4), "fourths": Fraction(3, 4)}
_FRACTION_BEFORE = re.compile(
    rf"(?i)(?:(?<![\w-])(?P<q>{_QUALIFIER_ALT})\s+)?(?<![\w-])(?P<frac>"
    r"(?:one[\s-]|a\s+)?half|(?:a|one)[\s-](?:third|quarter|fourth|fifth|tenth)|two[\s-]thirds|"
    r"three[\s-](?:quarters|fourths)|(?P<pct>\d+(?:\.\d+)?)\s*(?:%|percent|per\s+cent))"
    r"(?P<of>\s+of\s+(?:(?:the|its|their|his|her|this|that|these|those|a|an)\s+)?)$")


# --- tokens ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Tok:
    text: str
    start: int
    end: int
    kind: str          # "num", "word" or "punct"
    suffix: str = ""   # letters glued to a number: "th" of 13th, "s" of 1990s, "M" of 400M


_TOKEN = re.compile(r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?P<suffix>[^\W\d_]*)"
                    r"|(?P<word>[^\W\d_]+(?:['’][^\W\d_]+)*)|(?P<punct>\S)")


def _tokenize(s: str) -> list[_Tok]:
    out = []
    for m in _TOKEN.finditer(s):
        if m.group("num"):
            out.append(_Tok(m.group("num"), m.start(), m.end("num"), "num", m.group("suffix")))
        else:
            out.append(_Tok(m.group(), m.start(), m.end(), "word" if m.group("word") else "punct"))
    return out


def _w(toks: list[_Tok], k: int) -> str | None:
    return toks[k].text.lower() if 0 <= k < len(toks) and toks[k].kind == "word" else None


def _glued(toks: list[_Tok], k: int, char: str = "-") -> bool:
    """toks[k] is `char` with no space on either side."""
    return (0 < k < len(toks) - 1 and toks[k].text == char
            and toks[k - 1].end == toks[k].start and toks[k].end == toks[k + 1].start)


# --- numbers ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Num:
    value: Fraction
    i: int                  # its first token
    j: int                  # the token after it
    digits: bool = False
    comma: bool = False     # printed with a thousands separator
    scale: int = 1          # 1000 for "12 thousand", a million for "1.5 million"
    vague: str | None = None


def _number(s: str, toks: list[_Tok], i: int) -> _Num | None:
    t = toks[i]
    if t.kind == "num":
        value = Fraction(t.text.replace(",", ""))
        scale = _SCALES.get(_w(toks, i + 1) or "", 1)
        return _Num(value * scale, i, i + 1 + (scale > 1), digits=True, comma="," in t.text,
                    scale=scale)
    if t.kind != "word":
        return None
    m = _VAGUE.match(s, t.start)
    if m:
        # A plural is at least two of its kind: "hundreds" at least 200.
        kind = " ".join(m.group(1).lower().split())
        if kind in ("dozen", "hundred", "thousand", "million") and m.group(1) == m.group():
            return None       # a bare "hundred" is no plural ("a hundred" is read as 100)
        floor = 2 * _VAGUE_SCALE.get(kind, _VAGUE_SCALE.get(kind[:-1]))
        return _Num(Fraction(floor), i, bisect_left([k.start for k in toks], m.end()),
                    vague=m.group())
    got = _word_number(toks, i)
    if got is None:
        return None
    value, j, scale = got
    return _Num(Fraction(value), i, j, scale=scale)


def _below_hundred(toks: list[_Tok], k: int) -> tuple[int, int] | None:
    w = _w(toks, k)
    if w in _SMALL:
        return _SMALL[w], k + 1
    if w in _TENS:
        # "twenty-five", "twenty five"
        if _glued(toks, k + 1) and 0 < _SMALL.get(_w(toks, k + 2) or "", 0) < 10:
            return _TENS[w] + _SMALL[_w(toks, k + 2)], k + 3
        if 0 < _SMALL.get(_w(toks, k + 1) or "", 0) < 10:
            return _TENS[w] + _SMALL[_w(toks, k + 1)], k + 2
        return _TENS[w], k + 1
    return None


def _word_number(toks: list[_Tok], i: int) -> tuple[int, int, int] | None:
    """"two", "twenty-five", "a dozen", "two hundred and fifty", "three million": the value,
    the token after it, and the last scale word's multiplier (for "two to three million")."""
    total, k, scale = 0, i, 1
    while True:
        if _w(toks, k) == "a" and _w(toks, k + 1) in ("hundred", "dozen", *_SCALES):
            part, k = 1, k + 1
        else:
            got = _below_hundred(toks, k)
            if got is None:
                break
            part, k = got
        if _w(toks, k) == "hundred":
            part, k = part * 100, k + 1
            if _w(toks, k) == "and" and _below_hundred(toks, k + 1):
                k += 1
            rest = _below_hundred(toks, k)
            if rest:
                part, k = part + rest[0], rest[1]
        if _w(toks, k) == "dozen":
            part, k = part * 12, k + 1
        if _w(toks, k) in _SCALES:
            scale = _SCALES[_w(toks, k)]
            total, k = total + part * scale, k + 1
            continue
        total += part
        break
    return (total, k, scale) if k > i else None


def _range(s: str, toks: list[_Tok], left: _Num) -> _Num | None:
    """The upper end of "10,000 to 12,000", "11-12,000", "between 2 and 3", "four-five"."""
    j = left.j
    if left.vague or j >= len(toks):
        return None
    joiner = toks[j].text.lower()
    if joiner in ("-", "–", "—"):
        if not (_glued(toks, j, toks[j].text) or joiner == "–"):
            return None
    elif joiner == "and":
        if _w(toks, left.i - 1) != "between":
            return None
    elif joiner in ("to", "or"):
        if _w(toks, left.i - 1) == "from" and any(
                _w(toks, k) in _CHANGE_VERBS for k in range(left.i - 4, left.i - 1)):
            return None
    else:
        return None
    right = _number(s, toks, j + 1) if j + 1 < len(toks) else None
    if right is None or right.vague or right.digits != left.digits:
        return None
    return right


def _share_magnitude(left: _Num, right: _Num) -> Fraction:
    """The lower end as meant: "11-12,000" is 11,000 to 12,000; "2 to 3 million" is millions."""
    lo, hi = left.value, right.value
    if right.scale > 1 and left.scale == 1 and lo * right.scale <= hi:
        return lo * right.scale
    if right.comma and not left.comma and lo < 1000 and hi % 1000 == 0 and lo * 1000 <= hi:
        return lo * 1000
    return lo


# --- what is not a quantity ------------------------------------------------------------------

def _not_a_quantity(s: str, toks: list[_Tok], first: _Num, last: _Num) -> bool:
    i, t = first.i, toks[first.i]
    if t.kind == "num":
        if t.suffix:                                   # 13th, 1990s, 400M
            return True
        before = toks[i - 1] if i > 0 else None
        if before and before.end == t.start and before.kind == "word":        # G7
            return True
        if _glued(toks, i - 1) and toks[i - 2].kind in ("word", "num"):       # Su-34, 2024-25
            return True
        if before and before.end == t.start and before.text in (":", "/", "#", "."):
            return True
        nxt = toks[last.j] if last.j < len(toks) else None
        if nxt and nxt.start == toks[last.j - 1].end and nxt.text in (":", "/"):
            return True                                # 1:02, 24/7
        if _CLOCK.match(s, toks[last.j - 1].end):      # 10 a.m.
            return True
        if _is_year(first) and last is not first:      # 2022-2024
            return True
    return _is_day(toks, first, last)


def _is_year(n: _Num) -> bool:
    return n.digits and not n.comma and n.scale == 1 and n.value.denominator == 1 \
        and 1800 <= n.value <= 2199


def _is_day(toks: list[_Tok], first: _Num, last: _Num) -> bool:
    if not (first.digits and first.value.denominator == 1 and 1 <= first.value <= 31
            and not first.comma):
        return False
    i = first.i
    before = toks[i - 1].text if i > 0 else ""
    if before in _MONTHS or (before == "." and i > 1 and toks[i - 2].text in _MONTHS):
        return True                                    # January 13, Jan. 19
    return last.j < len(toks) and toks[last.j].text in _MONTHS   # 9 January


# --- the words around a number ---------------------------------------------------------------

def _qualifiers(s: str, start: int) -> tuple[list[tuple[str, str]], int]:
    """The hedging phrases right before `start`, nearest first: "up to an estimated" gives a
    bound and an approximation. Returns [(kind, words as printed)] and the new start."""
    found: list[tuple[str, str]] = []
    while len(found) < 2:
        m = _QUALIFIER_BEFORE.search(s, 0, start)
        if not m:
            break
        kind = _KIND[" ".join(m.group(1).lower().split())]
        if any((k == _APPROX) == (kind == _APPROX) for k, _ in found):
            break
        found.append((kind, m.group(1)))
        start = m.start(1)
    return found, start


def _noun_after(toks: list[_Tok], k: int, vague: bool) -> tuple[str | None, int | None, bool]:
    """The counted noun after a number: (unit, its end, whether it is a known noun)."""
    if vague and _w(toks, k) == "of":                  # "hundreds of soldiers"
        k += 1
    for _ in range(6):
        if k >= len(toks):
            break
        t = toks[k]
        if t.kind == "punct":
            if _glued(toks, k) and toks[k + 1].kind == "word":   # "Korean-speaking"
                k += 1
                continue
            break
        if t.kind != "word":
            break
        low = t.text.lower()
        if low == "service" and _w(toks, k + 1) == "members":
            return "soldiers", toks[k + 1].end, True
        if low in _NOUNS:
            return _NOUNS[low], t.end, True
        if t.text[0].isupper():
            if _DEMONYMS.fullmatch(t.text):
                return "soldiers", t.end, True
            k += 1
            continue
        if low in _MODIFIERS:
            k += 1
            continue
        if low.endswith("s") and not low.endswith(("ss", "ous")) and low not in _NOT_NOUNS \
                and len(low) > 2:
            return t.text, t.end, False
        break
    return None, None, False


@dataclass
class _Unit:
    name: str | None
    end: int
    known: bool = False
    skip: bool = False   # the number is not a quantity after all ("two-thirds", "26-year-old")


_HYPHENATED = re.compile(r"-([^\W\d_]+)(?:-([^\W\d_]+))?")
_STRONG = re.compile(r"[\s-]strong\b", re.I)


def _unit_after(s: str, toks: list[_Tok], pos: int, vague: bool) -> _Unit:
    m = _PERCENT.match(s, pos)
    if m:
        return _Unit("percentage points" if m.group(1).lower().startswith("percentage")
                     else "percent", m.end(), True)
    m = _STRONG.match(s, pos)
    if m:
        # "a 12,000-strong contingent" counts soldiers; "a 5,000-strong crowd" we cannot say.
        first = bisect_left([t.start for t in toks], m.end())
        for k in range(first, min(first + 4, len(toks))):
            if _w(toks, k) in _GROUPS:
                return _Unit("soldiers", toks[k].end, True)
            if not toks[k].text[:1].isupper():
                break
        return _Unit(None, m.end())
    m = _HYPHENATED.match(s, pos)
    if m:
        word = m.group(1).lower()
        if word in _TIME or word in _TIME.values():
            if (m.group(2) or "").lower() == "old":          # a 26-year-old
                return _Unit(None, m.end(), skip=True)
            return _Unit(_TIME.get(word, word), m.end(1), True)
        for pattern, name in _MEASURES:
            if pattern.fullmatch(word):
                return _Unit(name, m.end(1), True)
        return _Unit(None, m.end(), skip=True)               # two-thirds, three-member
    for pattern, name in _MEASURES:
        m = pattern.match(s, pos)
        if m:
            return _Unit(name, m.end(), True)
    name, end, known = _noun_after(toks, bisect_left([t.start for t in toks], pos), vague)
    return _Unit(name, end if end is not None else pos, known)


# --- figures ---------------------------------------------------------------------------------

def _figure_at(s: str, toks: list[_Tok], i: int) -> tuple[Figure | None, int] | None:
    """The figure whose number starts at token i, and the token after it; None when no number
    starts there, (None, next) when one does but it is no quantity."""
    left = _number(s, toks, i)
    if left is None:
        return None
    lo = hi = left.value
    last = left
    right = _range(s, toks, left)
    if right is not None and _share_magnitude(left, right) < right.value:
        lo, hi, last = _share_magnitude(left, right), right.value, right
    if _not_a_quantity(s, toks, left, last):
        return None, last.j
    return _in_context(s, toks, left, last, lo, hi), last.j


def _in_context(s: str, toks: list[_Tok], left: _Num, last: _Num, lo: Fraction,
                hi: Fraction) -> Figure | None:
    """The number with the words around it: hedges before, unit and rate after."""
    kinds, start = _qualifiers(s, toks[left.i].start)
    if last is not left and _w(toks, left.i - 1) == "between":
        start = toks[left.i - 1].start
    end = toks[last.j - 1].end
    after = _AFTER.match(s, end)                       # "4,000 or more troops"
    if after:
        kinds.append((_AFTER_KIND[after.group(1).lower()], after.group().strip()))
        end = after.end()
    unit = _unit_after(s, toks, end, bool(left.vague))
    if unit.skip:
        return None
    if _is_year(left) and last is left and not unit.known:
        return None
    if not (left.digits or left.vague) and left.value == 1 and last is left \
            and (not unit.known or unit.name in _TIME.values()):
        return None                                    # "one of them", "one day"
    end, name = max(end, unit.end), unit.name
    if name in _TIME.values() and _POINT_IN_TIME.match(s, end):
        return None                                    # "three years ago"
    later = None if after else _AFTER.match(s, end)    # "4,000 troops or more"
    if later:
        kinds.append((_AFTER_KIND[later.group(1).lower()], later.group().strip()))
        end = later.end()
    rate = _RATE.match(s, end)
    if rate:
        period = (rate.group(1) or _PERIODS[rate.group(2).lower()]).lower()
        name = f"{name} per {period}" if name else f"per {period}"
        end = rate.end()
    return Figure(start, end, s[start:end], unit=name, **_bounds(lo, hi, kinds, left.vague))


def _bounds(lo: Fraction, hi: Fraction, kinds: list[tuple[str, str]], vague: str | None) -> dict:
    approximate = any(k == _APPROX for k, _ in kinds)
    out = {"min": None, "max": None, "amount": None, "approximate": approximate}
    if vague:
        return {**out, "min": _plain(lo), "qualifier": vague}
    if lo != hi:
        return {**out, "min": _plain(lo), "max": _plain(hi)}
    bound = next(((k, words) for k, words in kinds if k != _APPROX), None)
    if bound is None:
        out["amount"] = _plain(lo)
    elif bound[0] in (_MAX, _MAX_Q):
        out["max"] = _plain(lo)
    else:
        out["min"] = _plain(lo)
        out["exclusive_min"] = bound[0] in (_XMIN, _XMIN_Q)
    if bound and bound[0] in (_MAX_Q, _XMIN_Q):
        out["qualifier"] = bound[1]
    return out


def _drop_conversions(s: str, figures: list[Figure]) -> list[Figure]:
    """"498 square kilometers (192 square miles)": the parenthesis restates the figure."""
    out: list[Figure] = []
    for f in figures:
        dimension = _DIMENSION.get(f.unit or "")
        if out and dimension and dimension == _DIMENSION.get(out[-1].unit or "") \
                and re.fullmatch(r"\s*\(\s*", s[out[-1].end:f.start]):
            continue
        out.append(f)
    return out


def _share_units(s: str, figures: list[Figure]) -> list[Figure]:
    """"300 North Koreans have been killed and 2,700 have been wounded": the second figure
    counts what the first one does, and in "from 1,000 to 1,500 soldiers" the first counts
    what the second does. A rate is not shared ("3,000 in all" after "90 a day"), nor a
    duration ("for two years ... 300 were killed")."""
    def counted(f: Figure | None) -> str | None:
        unit = f.unit.partition(" per ")[0] if f and f.unit else None
        return None if not unit or unit.startswith("per ") or unit in _TIME.values() else unit

    out = list(figures)
    for n in range(len(out) - 2, -1, -1):
        if out[n].unit is None and counted(out[n + 1]) \
                and _COORDINATED.fullmatch(s[out[n].end:out[n + 1].start]):
            out[n] = replace(out[n], unit=counted(out[n + 1]))
    for n in range(1, len(out)):
        if out[n].unit is None and counted(out[n - 1]):
            out[n] = replace(out[n], unit=counted(out[n - 1]))
    return out


def _derived(s: str, base: Figure) -> Figure | None:
    """"roughly half of the 11-12,000 strong contingent": a share of the figure printed after it."""
    if base.derived or _VAGUE.fullmatch(base.qualifier or ""):
        return None               # "half of the hundreds" has no number to take half of
    m = _FRACTION_BEFORE.search(s, 0, base.start)
    if not m:
        return None
    said = " ".join(m.group("frac").lower().replace("-", " ").split())
    share = Fraction(m.group("pct")) / 100 if m.group("pct") else _FRACTIONS[said.split()[-1]]
    fields = {k: None if getattr(base, k) is None else Fraction(str(getattr(base, k))) * share
              for k in ("min", "max", "amount")}
    fields.update(approximate=base.approximate, exclusive_min=base.exclusive_min)
    if m.group("q"):
        kind = _KIND[" ".join(m.group("q").lower().split())]
        point = fields["amount"]
        if kind == _APPROX:
            fields["approximate"] = True
        elif point is not None and kind in (_MAX, _MAX_Q):
            fields.update(max=point, amount=None)
        elif point is not None:
            fields.update(min=point, amount=None, exclusive_min=kind in (_XMIN, _XMIN_Q))
        if kind in (_MAX_Q, _XMIN_Q):
            fields["qualifier"] = m.group("q")
    for k in ("min", "max", "amount"):
        v = fields[k]
        if v is not None and v.denominator != 1:
            # A third of 11,000 is no whole number of soldiers: say it roughly.
            fields[k] = round(v) if abs(v) >= 10 else round(float(v), 2)
            fields["approximate"] = True
        elif v is not None:
            fields[k] = int(v)
    share_words = m.group("frac") if m.group("pct") else said
    if base.min is not None and base.max is not None:
        worked = f"{share_words} of {_plain(base.min):,} to {share_words} of {_plain(base.max):,}"
    else:
        point = next(v for v in (base.amount, base.min, base.max) if v is not None)
        worked = f"{share_words} of {_plain(point):,}"
    basis = f"'{s[m.start():m.end('frac')]}'{m.group('of').rstrip()} '{base.text}': {worked}"
    return Figure(m.start(), base.end, s[m.start():base.end], unit=base.unit, derived=True,
                  basis=basis, **fields)


def find_figures(sentence: str) -> list[Figure]:
    """The figures of one sentence, in order of appearance; a derived figure starts where its
    fraction does, before the figure it is derived from."""
    toks = _tokenize(sentence)
    figures: list[Figure] = []
    i = 0
    while i < len(toks):
        got = _figure_at(sentence, toks, i)
        if got is None:
            i += 1
            continue
        figure, i = got
        if figure is not None:
            figures.append(figure)
    figures = _share_units(sentence, _drop_conversions(sentence, figures))
    figures += [d for d in (_derived(sentence, f) for f in figures) if d is not None]
    return sorted(figures, key=lambda f: (f.start, f.end))
