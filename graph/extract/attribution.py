"""Who says it: frames of saying and reporting in English news, and the chain they form.

News English attributes a statement in a few frames, whatever the outlet:
- the speaker first: "Zelenskyy said (on Tuesday) (that) ...", "The ISW reported that ...",
  "Zelenskyy told The Associated Press that ..." (the addressee, a news outlet, relays it);
- the speaker after: '"...," the NIS said on Tuesday.', "..., Ukraine's Special Forces say",
  "..., said Zelenskyy.";
- "according to": "According to the ISW, ...", "..., according to the report.";
- citing: "The New York Times reported, citing Ukrainian and U.S. officials, ..." (the cited
  source is the claimant; the citer an intermediary).
A frame may hold another in its content ('"The NIS stated on January 13 that ...," ISW
reported'): the innermost speaker is the claimant and the outer ones are the via chain, from the
claimant towards the article. This module finds the frames by their verbs and punctuation; the
pipeline decides who the speaker spans name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Verbs of saying, reporting, estimating and predicting, in the forms news uses.
SAY = (r"said|says|say|told|tells|tell|stated|states|state|reported|reports|report|estimated|"
       r"estimates|estimate|confirmed|confirms|confirm|announced|announces|revealed|reveals|"
       r"acknowledged|acknowledges|expects|expect|expected|warned|warns|noted|notes|claimed|"
       r"claims|added|adds|predicted|predicts|predict|believes|believe|emphasized|emphasised|"
       r"emphasize|mentioned|commented|wrote|writes|assessed|assesses|suggested|indicated|"
       r"stressed|insisted|explained|described|disclosed|alleged|argued|concluded|projected|"
       r"connected|attributed|linked|blamed|commented|mentioned")
_SAY = re.compile(rf"\b(?P<verb>{SAY})\b")
# "a recent report by", "the estimate of": the noun, not the verb.
_NOUN_BEFORE = re.compile(r"\b(?:a|an|the|this|that|these|those|such|its|his|her|their|our|your|"
                          r"recent|new|latest|earlier|previous)\s+$", re.I)
_NOUN_FORMS = {"report", "reports", "estimate", "estimates", "state", "states", "claims", "notes"}
# Frames whose content may hold another speaker's frame: "ISW reported: 'NIS stated ...'".
_RELAYING = {"reported", "reports", "said", "says", "announced", "wrote", "writes", "according to",
             "stated", "told"}
_RELAYED = {"stated", "said", "told", "confirm", "confirmed", "reported", "estimated", "says", "say"}
# What may sit between the verb and its content: a date, an addressee, "during interrogations".
_BETWEEN = (r"(?:\s+(?:on|at|in|during|after|before|earlier|late|last|this|to|for)\b[^,\"“]{0,60}?"
            r"(?=\s+that\b))?")
_THAT = re.compile(r"^\s*(?:that\b|,|:)?\s*")
_QUOTE = re.compile(r"[\"“](?P<q>[^\"”]{8,})[\"”]")


@dataclass
class Frame:
    speaker: tuple[int, int]           # span in the sentence of the words naming the speaker
    verb: str
    content: tuple[int, int]           # span of what is said
    addressee: tuple[int, int] | None = None  # "told X": X, a possible intermediary
    cited: list[tuple[int, int]] = field(default_factory=list)  # "citing X": the source behind
    quote: str | None = None           # the direct quotation, when the content is one


def frames(sentence: str) -> list[Frame]:
    """The attribution frames of a sentence, outermost first (nested ones follow)."""
    outer = (_quoted_as_saying(sentence) or _speaker_after(sentence) or _according_to(sentence)
             or _report_by(sentence) or _speaker_first(sentence, 0))
    if outer is None:
        return []
    found = [outer]
    c0, c1 = outer.content
    if outer.quote:  # a frame inside the quotation: '"NIS stated on January 13 that ...," ISW reported'
        c0 = sentence.find(outer.quote, c0)
        c1 = c0 + len(outer.quote)
    inner = _speaker_first(sentence[c0:c1], c0, whole_clause=True) if outer.verb in _RELAYING else None
    if inner is not None and inner.verb in _RELAYED and not outer.cited:
        found.append(inner)
    return found


def _verbs(s: str):
    """Verbs of saying in `s`, leaving out the nouns spelled like them ("a recent report")."""
    for m in _SAY.finditer(s):
        if m.group("verb") in _NOUN_FORMS and (_NOUN_BEFORE.search(s[:m.start()])
                                               or s[:m.start()].rstrip().endswith(("’s", "'s"))):
            continue
        yield m


def _quote_in(text: str) -> str | None:
    m = _QUOTE.search(text)
    return m.group("q").strip().rstrip(",") if m else None


def _speaker_after(s: str) -> Frame | None:
    """'"...," the NIS said on Tuesday.' / '..., Ukraine's Special Forces say' / '..., said X.'
    The verb closes the sentence: at most a date, an addressee or "citing ..." follows it."""
    for m in reversed(list(_verbs(s))):
        tail = re.match(r"(?P<rest>[^,\"“”]{0,45}?)(?P<citing>,\s*(?:citing|confirming|adding|saying)\b.*)?"
                        r"\.?\s*$", s[m.end():])
        if not tail or " that " in tail.group("rest"):
            continue
        head = re.search(r"[,”\"]\s*(?P<speaker>[^,\"“”]{2,90}?)\s*,?\s*$", s[:m.start()])
        if not head or any(True for _ in _verbs(head.group("speaker"))):
            continue   # "the report states": "report" there is the speaker, not a verb
        speaker = (head.start("speaker"), head.end("speaker"))
        content_end = head.start() + 1 if s[head.start()] in "”\"" else head.start()
        quote = _quote_in(s[:content_end])
        rest_at = m.end()
        addressee = None
        if m.group("verb") in ("told", "tells"):
            a = re.match(r"\s+(?P<who>(?:the\s+)?\w[^,]*?)(?=\s+(?:on|in|during|about)\b|\s*$|\.|,)", s[rest_at:])
            if a:
                addressee = (rest_at + a.start("who"), rest_at + a.end("who"))
        # An appositive names the speaker twice ("the unit's spokesperson, Colonel X, told"):
        # the content ends before the role.
        role = re.search(r",\s*(?P<role>[^,\"“”]{2,60}),\s*$", s[:speaker[0]])
        if role and not quote:
            content_end = role.start()
        return Frame(speaker, m.group("verb"), (0, content_end), addressee=addressee,
                     quote=quote, cited=_citing(s, rest_at + len(tail.group("rest"))))
    m = re.search(r"[”\"],?\s+(?P<verb>said|says|added|wrote)\s+(?P<speaker>[^,\"“”]{2,90}?)\.?\s*$", s)
    if m:
        return Frame((m.start("speaker"), m.end("speaker")), m.group("verb"), (0, m.start()),
                     quote=_quote_in(s[:m.start()]))
    return None


def _quoted_as_saying(s: str) -> Frame | None:
    """'..., KCNA quoted Kim Jong Un as saying.' / 'KCNA quoted Kim Jong Un as saying that ...':
    the quoted speaker is the claimant, the quoting outlet relays it."""
    m = re.search(r"(?:^|[,”\"]\s*)(?P<relay>[^,\"“”]{2,80}?)\s+quoted\s+(?P<speaker>[^,\"“”]{2,80}?)"
                  r"\s+as\s+saying\b(?:\s+that\b)?", s)
    if not m:
        return None
    at_end = not s[m.end():].strip(" .")
    content = (0, m.start("relay")) if at_end else (m.end(), len(s))
    content = (content[0], content[1] - (len(s[:content[1]]) - len(s[:content[1]].rstrip(" ,"))))
    return Frame((m.start("relay"), m.end("relay")), "quoted", content,
                 cited=[(m.start("speaker"), m.end("speaker"))],
                 quote=_quote_in(s[content[0]:content[1]]))


def _report_by(s: str) -> Frame | None:
    """'... a recent report by The New York Times, which attributed the withdrawal to losses':
    the report's author says what follows "which"."""
    m = re.search(rf"\b(?:report|statement|study|assessment|analysis|investigation|article) by "
                  rf"(?P<speaker>[A-Z][^,]{{2,80}}?),\s*which\s+(?:has\s+)?(?P<verb>{SAY})\b\s*(?:that\s+)?", s)
    if not m:
        return None
    return Frame((m.start("speaker"), m.end("speaker")), m.group("verb"), (m.end(), len(s)),
                 quote=_quote_in(s[m.end():]))


def _according_to(s: str) -> Frame | None:
    m = re.match(r"^\s*According to (?P<speaker>[^,]{2,90}?),\s*(?P<content>.+)$", s)
    if m:
        return Frame((m.start("speaker"), m.end("speaker")), "according to",
                     (m.start("content"), len(s)), quote=_quote_in(m.group("content")))
    m = re.search(r",\s*according to (?P<speaker>[^,]{2,90}?)\.?\s*$", s)
    if m:
        return Frame((m.start("speaker"), m.end("speaker")), "according to", (0, m.start()),
                     quote=_quote_in(s[:m.start()]))
    return None


def _speaker_first(s: str, offset: int, whole_clause: bool = False) -> Frame | None:
    """'X said (on ...) (that) ...', 'X told Y that ...', 'X reported, citing Y, ...'. The
    speaker is the words before the first verb of saying, within the clause; with
    `whole_clause`, only a speaker that opens `s` (the subject of the content itself)."""
    for m in _verbs(s):
        before = s[:m.start()]
        clause = max(before.rfind(","), before.rfind(";"), before.rfind(" as "), before.rfind(" while "),
                     before.rfind(" when "), before.rfind(" but "))
        start = clause + (4 if before[clause:clause + 4] == " as " else 1) if clause >= 0 else 0
        if not before[start:].strip() and clause > 0:
            # "The article, published on Jan. 30, said" / "The intelligence chief, Kyrylo Budanov,
            # said": the subject and its appositive together name the speaker.
            prior = max(before.rfind(",", 0, clause), before.rfind(";", 0, clause))
            prior = max(before.rfind(",", 0, prior), before.rfind(";", 0, prior)) if prior > 0 else prior
            start = prior + 1 if prior >= 0 else 0
        elif before[start:].lstrip().startswith(("and ", "or ")):
            start = 0  # "The United States, South Korea, and Ukraine estimate": one subject
        if before[start:].count('"') % 2 or before[start:].count("“") > before[start:].count("”"):
            continue  # a verb inside a quotation is part of what is said
        speaker = (start, m.start())
        if not s[speaker[0]:speaker[1]].strip() or (whole_clause and start > 0):
            continue
        rest = m.end()
        addressee = None
        if m.group("verb") in ("told", "tells", "tell"):
            a = re.match(r"\s+(?P<who>(?:the\s+)?[A-Z][^,\"“]*?)(?=\s+(?:that|on|in|during|about)\b|,|\s*$)", s[rest:])
            if a:
                addressee = (rest + a.start("who"), rest + a.end("who"))
                rest += a.end()
        cited = _citing(s, rest)
        between = re.match(_BETWEEN, s[rest:])
        rest += between.end() if between else 0
        if cited:
            rest = max(rest, cited[-1][1])
        lead = _THAT.match(s[rest:])
        rest += lead.end() if lead else 0
        if len(s) - rest < 12:
            continue  # nothing left to be the content: not a frame of saying
        content = (rest, len(s))
        return Frame((offset + speaker[0], offset + speaker[1]), m.group("verb"),
                     (offset + content[0], offset + content[1]),
                     addressee=(offset + addressee[0], offset + addressee[1]) if addressee else None,
                     cited=[(offset + a, offset + b) for a, b in cited],
                     quote=_quote_in(s[content[0]:content[1]]))
    return None


def _citing(s: str, at: int) -> list[tuple[int, int]]:
    m = re.match(r"\s*,?\s*citing (?P<who>[^,;]{2,120}?)(?=\s*[,;]|\.?\s*$)", s[at:])
    return [(at + m.start("who"), at + m.end("who"))] if m else []
