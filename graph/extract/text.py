"""The article's body and its sentences, with offsets into the captured text.

The captured text is kept verbatim (corpus/README.md); the body is one span of it, and evidence
must lie inside. Page furniture (headline, byline, photo captions, "This audio is created with AI
assistance", "Read also:" lists, "Cover: ..." credits, teasers of other stories after the end) is
recognised line by line; the body is the longest run of prose lines, and furniture lines inside
it (a caption between paragraphs, a subheading) are skipped when sentences are made.

Sentences come from spaCy's rule-based sentencizer on a blank English pipeline: no model is
downloaded, and its tokenizer knows abbreviations ("Jan.", "U.S.", "Col.") that a regex split
would cut at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# Lines that are never the article's prose. Each pattern says why in its name.
_FURNITURE = [
    re.compile(r"^\s*(read also|read more|related|see also)\b.*$", re.I),           # link lists
    re.compile(r"^\s*[-•·]\s+"),                                                   # list items
    re.compile(r"^\s*this audio is created with ai assistance\s*$", re.I),
    re.compile(r"^\s*(cover|photo|image)\s*:", re.I),                              # credits
    re.compile(r"\((?:[^()]*/\s*)?(?:AFP|AP|Getty|Reuters|EPA|Shutterstock)[^()]*\)\s*$"),  # captions
    re.compile(r"^\s*by [A-Z][\w.'-]+(?: [A-Z][\w.'-]+)*\s+\w+ \d{1,2}, \d{4}"),    # byline
    re.compile(r"^\s*\d{1,2}:\d{2}\s*(AM|PM)\s*$", re.I),                          # a time stamp
]
_MIN_PROSE_WORDS = 4     # a line of prose ends a sentence and has a few words; headings do not
_SENTENCE_END = re.compile(r"[.!?][\"”’')\]]*\s*$")
# A title or month abbreviation the sentencizer took for a full stop ("citing Col. Oleksandr").
_TITLE_AT_END = re.compile(r"\b(?:Col|Gen|Lt|Maj|Capt|Sgt|Dr|Mr|Mrs|Ms|Sen|Rep|Gov|Adm|Brig|Cmdr|"
                           r"Jan|Feb|Aug|Sept|Oct|Nov|Dec|No|St)\.$")


@dataclass(frozen=True)
class Line:
    start: int
    end: int
    text: str

    @property
    def prose(self) -> bool:
        """A line of the article's own text: not furniture, and a sentence rather than a title."""
        if not self.text.strip() or any(p.search(self.text) for p in _FURNITURE):
            return False
        words = len(self.text.split())
        return words >= _MIN_PROSE_WORDS and bool(_SENTENCE_END.search(self.text))


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str
    paragraph: int   # the index of its line among the body's lines (a speaker may carry over)


def lines(text: str) -> list[Line]:
    out, pos = [], 0
    for raw in text.split("\n"):
        out.append(Line(pos, pos + len(raw), raw))
        pos += len(raw) + 1
    return out


def body_span(text: str) -> tuple[int, int]:
    """The span of the body: from the first to the last prose line of the longest run of prose
    lines, where blank lines, short headings and captions inside a run do not break it, but a
    "Read also" list or another story's teaser after the end does."""
    found = lines(text)
    best, run = None, []
    for line in found:
        if line.prose:
            run.append(line)
            continue
        ends_run = any(p.search(line.text) for p in _FURNITURE[:2]) or (
            line.text.strip() and run and _is_other_story(line, found))
        if ends_run and run:
            best = _longer(best, run)
            run = []
    if run:
        best = _longer(best, run)
    if not best:
        return 0, len(text)
    return best[0].start, best[-1].end


def _is_other_story(line: Line, found: list[Line]) -> bool:
    """A title-like line followed by a teaser line with an ellipsis: another story's card."""
    i = found.index(line)
    nxt = next((f for f in found[i + 1:] if f.text.strip()), None)
    return nxt is not None and nxt.text.rstrip().endswith(("…", "...")) and not line.prose


def _longer(best, run):
    size = sum(len(line.text) for line in run)
    return run if best is None or size > sum(len(line.text) for line in best) else best


@lru_cache(maxsize=1)
def _nlp():
    import spacy
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


def sentences(text: str, body: tuple[int, int] | None = None) -> list[Sentence]:
    """The sentences of the body's prose lines, with offsets into `text`."""
    start, end = body or body_span(text)
    out: list[Sentence] = []
    inside = [line for line in lines(text) if start <= line.start and line.end <= end]
    # A text of headlines only ("..., Ukraine's General Staff says"): its lines are what it says.
    any_prose = any(line.prose for line in inside)
    for n, line in enumerate(inside):
        if not (line.prose or (not any_prose and line.text.strip())):
            continue
        cuts = [s.start_char for s in _nlp()(line.text).sents] + [len(line.text)]
        for i in range(1, len(cuts) - 1):
            # The sentencizer may leave an opening quotation mark at the end of the sentence
            # before it: 'numbers. "South Korea's ...': it opens the next one.
            if line.text[:cuts[i]].rstrip().endswith(('"', "“")) and \
                    line.text[:cuts[i]].rstrip()[:-1].endswith((" ", ".")):
                cuts[i] = len(line.text[:cuts[i]].rstrip()) - 1
        for a, b in zip(cuts, cuts[1:]):
            chunk = line.text[a:b].strip()
            if not chunk:
                continue
            offset = line.start + a + (len(line.text[a:b]) - len(line.text[a:b].lstrip()))
            out.append(Sentence(offset, offset + len(chunk), chunk, n))
    return _joined_quotes(out, text)


def _joined_quotes(found: list[Sentence], text: str) -> list[Sentence]:
    """Rejoin a quotation the sentencizer split inside its quotation marks: the quote and its
    speaker ('..., the president announced') are one claim's evidence."""
    out: list[Sentence] = []
    for s in found:
        if out and out[-1].paragraph == s.paragraph and (_open_quote(out[-1].text)
                                                         or _TITLE_AT_END.search(out[-1].text)):
            prev = out.pop()
            out.append(Sentence(prev.start, s.end, text[prev.start:s.end], s.paragraph))
        else:
            out.append(s)
    return out


def _open_quote(sentence: str) -> bool:
    straight = sentence.count('"') % 2 == 1
    curly = sentence.count("“") > sentence.count("”")
    return straight or curly
