"""The topic a claim is about, from cue words of the SKOS scheme (ontology/topics.ttl).

Each topic has cue patterns, matched on the words around the claim's figure first (what the
figure counts decides its topic: "300 ... killed and 2,700 ... wounded" are two topics) and on
the whole content otherwise. The cues are the topics' labels and the ways English news reports
them; a topic the scheme does not hold is never proposed.
"""

from __future__ import annotations

import re

# topic id -> cue patterns (regular expressions over lowercased text), most specific first.
CUES: dict[str, tuple[str, ...]] = {
    "killed": (r"(?<!wounded or )(?<!wounded and )\bkilled\b(?! or wounded)(?! and wounded)", r"\bdead\b", r"\bdeaths?\b",
               r"\bkilled in action\b", r"\bfatalities\b", r"\blost their lives\b"),
    "wounded": (r"(?<!killed or )(?<!killed and )\bwounded\b(?! or killed)", r"\binjured\b",
                r"\bwounded in action\b"),
    "captured": (r"\bcaptur(?:ed|ing|e)\b", r"\bprisoners? of war\b", r"\btaken prisoner\b"),
    "casualties": (r"\bcasualt(?:y|ies)\b", r"\bkilled or wounded\b", r"\bwounded or killed\b",
                   r"\bkilled and wounded\b", r"\blosses\b", r"\bneutrali[sz]ed\b", r"\btoll\b",
                   r"\bhalved\b", r"\bdecimated\b", r"\bdestroyed\b",
                   r"\blost\b"),
    "loss-rate": (r"\bper day\b", r"\bdaily\b", r"\ba day\b", r"\beach day\b", r"\bpast day\b",
                  r"\bpast 24 hours\b", r"\bovernight\b"),
    "deployed-strength": (r"\bdeployed\b", r"\bstationed\b", r"\bcontingent\b", r"\barrived\b",
                          r"\bsent\b", r"\bstrong\b", r"\btroops in\b"),
    "combat-presence": (r"\bfront ?lines?\b", r"\bbattlefield\b", r"\bengag(?:ed|ing) in (?:battle|combat)\b",
                        r"(?:\bnot|n[’']t) been seen\b", r"\bwithdrawn?\b", r"\bpulled (?:back|off|from)\b",
                        r"\bin combat\b", r"\bcombat operations\b", r"\babsence\b", r"\bvanished\b",
                        r"\bskirmish(?:es)?\b", r"\binvolvement\b", r"\bcontinued fighting\b",
                        r"\bfighting in\b", r"\brotation\b", r"\btaken off\b"),
    "reinforcements": (r"\breinforcements?\b", r"\ben route\b", r"\badditional\b.*\b(?:troops|soldiers|units)\b",
                       r"\bdeploy new\b", r"\bdispatch\b", r"\breservists\b", r"\bintegrate\b",
                       r"\bmore (?:troops|soldiers)\b", r"\bsend\b",
                       r"\badditional (?:[\d,]+ )?(?:troops|soldiers|forces|units|personnel)\b"),
    "territory": (r"\bsquare (?:kilo)?met(?:er|re)s\b", r"\bkm2\b", r"\bseized\b", r"\bterritor(?:y|ial)\b",
                  r"\badvanc(?:ed|es|e|ing)\b", r"\bgain(?:ed|ing|s)? ground\b", r"\brecaptured\b",
                  r"\bcaptured? (?:the )?(?:town|village|city)\b", r"\bland\b"),
    "tactics": (r"\bassaults?\b", r"\btactics\b", r"\bhuman wave\b", r"\babandoned\b", r"\bspearhead\b",
                r"\bend their own lives\b", r"\bexecuted\b"),
    "combat-capability": (r"\bwell[- ]trained\b", r"\bmotivated\b", r"\bexperience\b", r"\bweakened\b",
                          r"\bcapabilit(?:y|ies)\b", r"\btraining\b"),
    "prisoner-testimony": (r"\bprisoner'?s?\b", r"\binterrogat(?:ion|ed|ions)\b", r"\bcaptured soldiers?\b",
                           r"\bcaptured north korean\b"),
    "acknowledgement": (r"\backnowledged?\b", r"\bnever confirmed\b", r"\bdenied\b", r"\bhave not confirmed\b",
                        r"\bconfirmed or acknowledged\b"),
    "loss-disclosure": (r"\bdisclos(?:e|es|ed)\b.*\blosses\b",),
    "verification": (r"\bindependently verify\b", r"\bcannot verify\b", r"\bcould not (?:be )?verif",),
    "outlook": (r"\bmay\b", r"\bcould\b", r"\bby mid-\w+\b", r"\bwill\b", r"\bexpects?\b", r"\btemporar",
                r"\breturn\b", r"\bresolution\b", r"\bin sight\b", r"\bcease to exist\b"),
}
_COMPILED = {t: tuple(re.compile(p) for p in ps) for t, ps in CUES.items()}
# Topics a figure may count, and the order in which a claim without a figure is read: the
# specific before the general ("disclose battlefield losses" is about disclosure, not losses).
COUNTED = ("killed", "wounded", "captured", "casualties", "loss-rate", "deployed-strength",
           "reinforcements", "territory")
WITHOUT_FIGURE = ("verification", "loss-disclosure", "acknowledgement", "prisoner-testimony",
                  "reinforcements", "combat-presence", "tactics", "combat-capability", "territory",
                  "captured", "wounded", "killed", "casualties", "outlook")
# What only a statement about the future says, hedged or not; and the hedges of possibility
# that make a claim one about what may come ("may", "could"; not "reportedly" or "likely", which
# hedge a report of what happened).
_OUTLOOK = re.compile(r"\bin sight\b|\bresolution\b|\bcease to exist\b")
_POSSIBLY = re.compile(r"^(?:may|might|could|possible|entirely possible|unclear whether|if\b.*)$", re.I)
# Topics that stay theirs when hedged: an expected reinforcement is still about reinforcements.
_BEFORE_OUTLOOK = ("verification", "loss-disclosure", "acknowledgement", "reinforcements")
_UNIT_TOPICS = ((re.compile(r"per (?:day|week|month)"), "loss-rate"),
                (re.compile(r"square"), "territory"))
_WINDOW = 90   # characters after a figure in which what it counts is named


def topic_of(content: str, topics: set[str], figure=None, next_start: int | None = None,
             hedges: tuple[str, ...] | list[str] = ()) -> str | None:
    """The topic of a claim whose content is `content`. With a figure (quantities.Figure, offsets
    in `content`), what it counts decides: its unit, else the counting cue nearest after it
    (before the next figure), else the nearest before it. Without one, the most specific topic
    whose cues occur; outlook only for a hedged or predicted claim."""
    text = content.lower()
    if figure is not None:
        unit = (figure.unit or "").lower()
        for pattern, topic in _UNIT_TOPICS:
            if pattern.search(unit) and topic in topics:
                return topic
        end = min(next_start if next_start is not None else len(text), figure.end + _WINDOW)
        if figure.derived:  # "half of the 12,000 strong contingent ... killed or wounded"
            end = min(len(text), figure.end + _WINDOW)
        best = None
        for topic in COUNTED:
            if topic not in topics or (figure.derived and topic == "deployed-strength"):
                continue
            for p in _COMPILED[topic]:
                for m in p.finditer(text):
                    if m.start() < figure.end and m.end() > figure.start:
                        distance = 0   # the cue is part of the figure's phrase ("10,000 more troops")
                    elif figure.end <= m.start() < end:
                        distance = m.start() - figure.end
                    elif m.end() <= figure.start:
                        distance = 2 * _WINDOW + figure.start - m.end()
                    else:
                        continue
                    key = (distance, COUNTED.index(topic))
                    if best is None or key < best[0]:
                        best = (key, topic)
        if best is not None:
            return best[1]
    for topic in _BEFORE_OUTLOOK:
        if topic in topics and any(p.search(text) for p in _COMPILED[topic]):
            return topic
    if "outlook" in topics and (any(_POSSIBLY.match(h) for h in hedges) or _OUTLOOK.search(text)):
        return "outlook"   # a claim about what may come is about the outlook, whatever it names
    for topic in WITHOUT_FIGURE:
        if topic in topics and topic != "outlook" and \
                any(p.search(text) for p in _COMPILED[topic]):
            return topic
    return None
