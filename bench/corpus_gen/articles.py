"""Synthetic articles: a verbatim text with furniture around its body, and its YAML of claims.

Each claim is drawn as facts (claimant, topic, subject, figure, date, quote...) and rendered as a
news sentence; the sentence is the claim's evidence, at the offsets where it was put in the text.
The figure printed is the one in `value`, the quote is the text inside quotation marks, the date
phrase matches `stated`. Filler sentences between the claims use ranked vocabularies so that words
recur as they do in news.
"""

from __future__ import annotations

import random
import re
from collections import deque
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from . import words as W
from .emit import Zipf, dump
from .entities import Ent, World, entity_count

TOPICS_TTL = Path(__file__).resolve().parents[2] / "ontology" / "topics.ttl"
START = date(2022, 2, 24)
SPAN_DAYS = 1400

COUNT_TOPICS = {"casualties", "killed", "wounded", "captured", "deployed-strength",
                "reinforcements"}
VALUE_TOPICS = COUNT_TOPICS | {"loss-rate", "territory"}
# How often each topic comes up (topics not listed here, e.g. ones added to topics.ttl later, get 2).
TOPIC_WEIGHT = {"casualties": 12, "killed": 8, "wounded": 4, "captured": 5, "loss-rate": 3,
                "deployed-strength": 10, "combat-presence": 12, "reinforcements": 6, "territory": 6,
                "tactics": 6, "combat-capability": 4, "prisoner-testimony": 3, "acknowledgement": 4,
                "outlook": 7}
SHARE_P, REVISE_P, CONFIRM_P = 0.02, 0.1, 0.03


def read_topics(path: Path = TOPICS_TTL) -> list[str]:
    """The topic ids of ontology/topics.ttl, in file order."""
    return re.findall(r"^topic:([a-z0-9-]+) a ws:Topic", path.read_text(encoding="utf-8"), re.M)


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _iso(d: date, precision: str = "day") -> str:
    return {"day": d.isoformat(), "month": d.isoformat()[:7], "year": str(d.year)}[precision]


def _long(d: date) -> str:
    return f"{W.MONTHS[d.month - 1]} {d.day}, {d.year}"


@dataclass
class Facts:
    """What a claim says, enough to print it again in another article's words."""

    claimant: Ent
    content: str        # the clause: "around 3,000 soldiers of X had been killed in Y"
    date_phrase: str    # " on Jan. 19", "" ...
    utterance: str | None
    tail: str           # ", revising an earlier estimate" ...


class Generator:
    def __init__(self, articles: int, seed: int = 1, topics: list[str] | None = None):
        self.n = articles
        self.rng = rng = random.Random(seed)
        self.world = world = World(rng, entity_count(articles))
        self.topics = topics or read_topics()
        self.topic_draw = (self.topics, [TOPIC_WEIGHT.get(t, 2) for t in self.topics])
        by = world.by_type
        agents = [e for e in world.entities if e.type != "Place"]
        prominence = {"Person": 1.0, "GovernmentAgency": 0.7, "ArmedForce": 0.8, "Country": 0.6,
                      "NewsOutlet": 1.5, "ThinkTank": 1.2, "MilitaryUnit": 2.0,
                      "Organization": 3.0, "UnnamedSource": 1.5}
        ranked = sorted(agents, key=lambda e: (rng.random() * prominence[e.type], e.id))
        self.claimants = Zipf(ranked, 1.05)
        self.outlets = Zipf(self._shuffled(by["NewsOutlet"]), 1.1)
        self.vias = Zipf(self._shuffled(by["NewsOutlet"] + by["ThinkTank"] + by["GovernmentAgency"]), 1.0)
        self.forces = Zipf(self._shuffled(by["ArmedForce"] + by["MilitaryUnit"]), 1.0)
        self.places = Zipf(self._shuffled(by["Place"]), 1.0)
        self.anything = Zipf(self._shuffled(world.entities), 1.0)
        self.adj, self.noun, self.verb = Zipf(W.ADJECTIVES), Zipf(W.NOUNS), Zipf(W.VERBS)
        self.det, self.prep = Zipf(W.DETERMINERS), Zipf(W.PREPOSITIONS)
        self.pool: deque = deque(maxlen=300)   # (id, core, facts) of claims of earlier articles
        self.latest: dict[tuple[str, str], str] = {}  # (claimant, topic) -> claim id, earlier articles
        self.claims_written = 0   # claim entries written (a shared claim once per article)
        self.unique_claims = 0    # distinct claim ids

    def _shuffled(self, items: list[Ent]) -> list[Ent]:
        items = list(items)
        self.rng.shuffle(items)
        return items

    # -- small pieces of text ----------------------------------------------------------------

    def name(self, e: Ent) -> str:
        """How the text prints an entity: mostly its label, sometimes an alias or title."""
        r = self.rng.random()
        if r < 0.6 or len(e.names) == 1:
            return f"{e.title} {e.label}" if e.title and r < 0.15 else e.label
        return self.rng.choice(e.names[1:])

    def the(self, e: Ent) -> str:
        """An entity as the subject of a clause: "the 4th Brigade", "Leland", "Jeania's army"."""
        printed = self.name(e)
        if e.type in ("Person", "Country", "UnnamedSource") or printed[:4].lower() == "the " \
                or "'s " in printed or "’s " in printed or e.type == "Place" and " " not in printed:
            return printed
        return "the " + printed

    def noun_phrase(self) -> str:
        rng = self.rng
        return f"{self.det.draw(rng)} {self.adj.draw(rng)} {self.noun.draw(rng)}"

    def filler(self) -> str:
        rng = self.rng
        e = self.name(self.anything.draw(rng))
        k = rng.randrange(4)
        if k == 0:
            s = f"{rng.choice(W.CONNECTIVES)} {self.noun_phrase()} {self.verb.draw(rng)} {self.prep.draw(rng)} {e}."
        elif k == 1:
            s = f"{_cap(e)} {self.verb.draw(rng)} {self.noun_phrase()} {self.prep.draw(rng)} {self.noun_phrase()}."
        elif k == 2:
            s = (f"{_cap(self.noun_phrase())} {self.prep.draw(rng)} {e} {self.verb.draw(rng)} "
                 f"{self.prep.draw(rng)} {self.noun_phrase()}, and {self.noun_phrase()} {self.verb.draw(rng)}.")
        else:
            words = " ".join(self.noun.draws(rng, rng.randint(1, 3)))
            s = f"{_cap(self.det.draw(rng))} {words} {self.verb.draw(rng)} {self.prep.draw(rng)} {e}, {self.noun_phrase()} {self.verb.draw(rng)}."
        return s

    # -- figures, dates, periods -------------------------------------------------------------

    def figure(self, topic: str) -> tuple[str, dict]:
        """The figure as printed and its value mapping."""
        rng = self.rng
        if topic == "territory":
            unit, printed_unit = "square kilometres", "square kilometres"
            base = rng.choice((2, 5, 8, 12, 20, 30, 45, 60, 100, 150, 250, 400, 600, 1000))
        elif topic == "loss-rate":
            unit, printed_unit = "soldiers per day", "soldiers a day"
            base = rng.choice((50, 80, 100, 150, 200, 300, 500, 800, 1000, 1200, 1500))
        else:
            printed_unit = rng.choice(("soldiers", "soldiers", "troops", "servicemen"))
            unit = printed_unit
            base = rng.choice((20, 50, 100, 200, 300, 500, 800, 1000, 1500, 2000, 3000, 5000, 8000,
                               10000, 12000, 15000, 20000, 30000, 50000))
        r = rng.random()
        if topic == "territory" and r < 0.1:
            amount = base + 0.5
            return f"{amount} {printed_unit}", {"amount": amount, "unit": unit}
        if r < 0.2:
            amount = base + rng.randrange(1, max(2, base // 10))
            return f"{amount:,} {printed_unit}", {"amount": amount, "unit": unit}
        if r < 0.5:
            return (f"{rng.choice(W.APPROX)} {base:,} {printed_unit}",
                    {"amount": base, "approximate": True, "unit": unit})
        if r < 0.62:
            return f"up to {base:,} {printed_unit}", {"max": base, "unit": unit}
        if r < 0.8:
            hi = base + base // rng.choice((10, 5, 4, 2, 1))
            form = rng.randrange(3)
            text = (f"{base:,} to {hi:,}", f"between {base:,} and {hi:,}", f"{base:,}-{hi:,}")[form]
            return f"{text} {printed_unit}", {"min": base, "max": hi, "unit": unit}
        if r < 0.92:
            return f"more than {base:,} {printed_unit}", {"min": base, "exclusive_min": True, "unit": unit}
        if r < 0.97 or base < 20:
            return f"at least {base:,} {printed_unit}", {"min": base, "unit": unit}
        lo2, hi2 = base * 2, base * 2 + (base // 5) * 2
        return (f"roughly half of the {lo2:,}-{hi2:,} {printed_unit}",
                {"min": lo2 // 2, "max": hi2 // 2, "approximate": True, "unit": unit, "derived": True,
                 "basis": f"'roughly half' of '{lo2:,}-{hi2:,}': half of {lo2:,} to half of {hi2:,}"})

    def stated(self, pub: date, pub_known: bool) -> tuple[str, object]:
        """(date phrase, the `stated` value or None), at mixed precision, some inferred."""
        rng = self.rng
        r = rng.random()
        # A date given as printed has its year printed: in the phrase, or in the article's own
        # printed date (pub_known) when it is the same year.
        if r < 0.35:
            d = pub - timedelta(days=rng.randrange(0, 5))
            year = "" if pub_known and d.year == pub.year else f", {d.year}"
            return f" on {W.MONTH_ABBR[d.month - 1]} {d.day}{year}", _iso(d)
        if r < 0.43:
            d = pub - timedelta(days=rng.randrange(0, 20))
            return f" on {_long(d)}", _iso(d)
        if r < 0.53:
            d = pub - timedelta(days=rng.randrange(0, 40))
            same = pub_known and d.year == pub.year
            return f" in {W.MONTHS[d.month - 1]}{'' if same else f' {d.year}'}", _iso(d, "month")
        if r < 0.57:
            y = pub.year - rng.randrange(2)
            return f" in {y}", str(y)
        if not pub_known or r >= 0.72:
            return "", None
        shown = _long(pub)
        if r < 0.62:
            back = rng.randrange(1, 7)
            d = pub - timedelta(days=back)
            day = W.WEEKDAYS[d.weekday()]
            return f" on {day}", {"date": _iso(d), "inferred": True,
                                   "basis": f"'on {day}' in an article published on {shown}: the {day} before it",
                                   "earliest": _iso(pub - timedelta(days=6)), "latest": _iso(pub)}
        if r < 0.67:
            d = pub.replace(day=1) - timedelta(days=1)
            return " last month", {"date": _iso(d, "month"), "inferred": True,
                                   "basis": f"'last month' in an article published on {shown}",
                                   "earliest": _iso(d.replace(day=1))}
        return " recently", {"inferred": True,
                             "basis": f"'recently' in an article published on {shown}; no date is given",
                             "latest": _iso(pub)}

    def period(self, pub: date) -> tuple[str, object]:
        rng = self.rng
        r = rng.random()
        if r < 0.4:
            d = pub - timedelta(days=rng.randrange(30, 400))
            label = f"since {W.MONTHS[d.month - 1]} {d.year}"
            return f" {label}", {"label": label, "start": _iso(d, "month")}
        if r < 0.7:
            a = pub - timedelta(days=rng.randrange(60, 200))
            b = a + timedelta(days=rng.randrange(28, 58))
            label = (f"between {W.MONTHS[a.month - 1]} and {W.MONTHS[b.month - 1]} {b.year}"
                     if a.year == b.year else
                     f"between {W.MONTHS[a.month - 1]} {a.year} and {W.MONTHS[b.month - 1]} {b.year}")
            return f" {label}", {"label": label, "start": _iso(a, "month"), "end": _iso(b, "month")}
        if r < 0.9:
            n = rng.randrange(2, 6)
            phrase = rng.choice(W.PERIOD_PHRASES).format(n=n)
            # the end is the publication day, which the phrase does not print: an inference
            return f" {phrase}", {"label": f"{phrase} up to {_long(pub)}", "end": _iso(pub),
                                  "inferred": True,
                                  "basis": f"'{phrase}' in an article published on {_long(pub)}"}
        y = pub.year - 1
        return f" in {y}", {"label": str(y), "start": str(y), "end": str(y)}

    # -- claims ------------------------------------------------------------------------------

    def content(self, topic: str, subject: Ent, place: Ent | None, figure: str, when: str) -> str:
        rng = self.rng
        s, where = self.the(subject), (f" in {self.name(place)}" if place else "")
        if topic in VALUE_TOPICS:
            return {
                "casualties": f"{figure} of {s} had been killed or wounded{where}{when}",
                "killed": f"{figure} of {s} had been killed{where}{when}",
                "wounded": f"{figure} of {s} had been wounded{where}{when}",
                "captured": f"{figure} of {s} had been taken prisoner{where}{when}",
                "loss-rate": f"{s} was losing {figure}{where}{when}",
                "deployed-strength": f"{s} numbered {figure}{where}{when}",
                "reinforcements": f"{figure} would be sent to reinforce {s}{where}{when}",
                "territory": f"{s} had taken {figure}{where}{when}",
            }[topic]
        if topic == "combat-presence":
            state = rng.choice(("had been withdrawn from the front line", "had returned to combat",
                                "had not been seen", "was taking part in the fighting"))
            return f"{s} {state}{where}{when}"
        if topic == "tactics":
            return f"{s} relied on {self.noun_phrase()}{where}{when}"
        if topic == "combat-capability":
            return f"{s} was {self.adj.draw(rng)} and {self.adj.draw(rng)}{where}"
        if topic == "prisoner-testimony":
            return f"a captured soldier of {s} had described {self.noun_phrase()}{where}{when}"
        if topic == "acknowledgement":
            return f"{s} had acknowledged {self.noun_phrase()}{where}"
        if topic == "outlook":
            return f"{s} was likely to face {self.noun_phrase()}{where} in the coming weeks"
        return f"{s} {self.verb.draw(rng)} {self.noun_phrase()}{where}{when}"

    def utterance(self) -> str:
        rng = self.rng
        return (f"{rng.choice(W.UTTERANCE_OPENERS)} {self.noun_phrase()} {self.prep.draw(rng)} "
                f"{self.noun_phrase()}")

    def render(self, f: Facts, via: list[Ent]) -> str:
        """The evidence sentence: the facts in one of several news phrasings."""
        rng = self.rng
        who = self.name(f.claimant)
        say = rng.choice(W.SAY_VERBS)
        if via:
            v0 = self.name(via[0])
            if len(via) == 1:
                head = rng.choice((f"{_cap(who)} told {v0}{f.date_phrase} that {f.content}",
                                   f"According to {v0}, {who} {say}{f.date_phrase} that {f.content}"))
            else:
                head = (f"According to {self.name(via[1])}, which cited {v0}, {who} "
                        f"{say}{f.date_phrase} that {f.content}")
        elif f.utterance is None and rng.random() < 0.4:
            return f"{_cap(f.content)}, {who} {say}{f.date_phrase}{f.tail}."
        else:
            head = f"{_cap(who)} {say}{f.date_phrase} that {f.content}"
        if f.utterance is not None:
            open_, close = ('"', '"') if rng.random() < 0.8 else ("“", "”")
            return f"{head}{f.tail}, adding: {open_}{f.utterance}.{close}"
        return f"{head}{f.tail}."

    def new_claim(self, pub: date, pub_known: bool, earlier: list) -> tuple[dict, Facts]:
        """A claim's core fields (no id, via or evidence) and its facts."""
        rng = self.rng
        claimant = self.claimants.draw(rng)
        topic = rng.choices(*self.topic_draw)[0]
        subject = self.forces.draw(rng) if topic in VALUE_TOPICS or rng.random() < 0.6 \
            else self.anything.draw(rng)
        while subject.type == "UnnamedSource":
            subject = self.anything.draw(rng)
        place = self.places.draw(rng) if rng.random() < 0.5 else None
        if place is subject:
            place = None
        figure, value = self.figure(topic) if topic in VALUE_TOPICS else ("", None)
        when, period = self.period(pub) if rng.random() < 0.2 else ("", None)
        date_phrase, stated = self.stated(pub, pub_known)
        content = self.content(topic, subject, place, figure, when)
        utterance = self.utterance() if rng.random() < 0.25 else None
        revises = confirms = None
        tail = ""
        if value is not None and rng.random() < REVISE_P:
            revises = self.latest.get((claimant.id, topic))
            if revises:
                tail += ", revising an earlier estimate"
        if earlier and rng.random() < CONFIRM_P:
            target_id, target_core, target_facts = rng.choice(earlier)
            if target_core["claimant"] != claimant.id:
                confirms = [target_id]
                tail += f", confirming earlier reports by {self.name(target_facts.claimant)}"
        about = [subject.id] + ([place.id] if place else [])
        core: dict = {"claimant": claimant.id,
                      "statement": f"{claimant.label} said{date_phrase} that {content}{tail}."}
        core["topic"] = topic
        core["about"] = about
        if value is not None and place and rng.random() < 0.3:
            core["subject"] = subject.id
        core["quote"] = utterance
        if value is not None:
            core["value"] = value
        if stated is not None:
            core["stated"] = stated
        if period is not None and when.strip() in content:  # a period the sentence prints
            core["period"] = period
        if confirms:
            core["confirms"] = confirms
        if revises:
            core["revises"] = revises
        return core, Facts(claimant, content, date_phrase, utterance, tail)

    def via(self, claimant: Ent) -> list[Ent]:
        rng = self.rng
        r = rng.random()
        n = 0 if r < 0.75 else 1 if r < 0.95 else 2
        out: list[Ent] = []
        while len(out) < n:
            v = self.vias.draw(rng)
            if v is not claimant and v not in out:
                out.append(v)
        return out

    # -- articles ----------------------------------------------------------------------------

    def article(self, i: int) -> tuple[str, str, str]:
        """(id, text, YAML) of the i-th article (0-based); call for i = 0, 1, 2... in order."""
        aid, text, doc = self.article_doc(i)
        return aid, text, self.yaml(doc, i)

    def yaml(self, doc: dict, i: int) -> str:
        return dump(doc, flow_keys=frozenset({"body"}),
                    header=f"# Synthetic article {i + 1} of {self.n} (bench/corpus_gen).\n")

    def article_doc(self, i: int) -> tuple[str, str, dict]:
        """(id, text, YAML document) of the i-th article."""
        rng = self.rng
        aid = f"g{i + 1:06d}_{rng.getrandbits(64):016x}"
        pub = START + timedelta(days=int(i * SPAN_DAYS / max(1, self.n)) + rng.randrange(3))
        r = rng.random()
        pub_precision = "day" if r < 0.9 else "month" if r < 0.97 else None
        outlet = self.outlets.draw(rng) if rng.random() < 0.92 else None
        n_authors = rng.choices((0, 1, 2), (25, 60, 15))[0]
        authors = [" ".join(self.world.person_name_plain()) for _ in range(n_authors)]

        earlier = list(self.pool)
        claims: list[tuple[dict, str]] = []   # (claim document without evidence, sentence)
        new: list[tuple[str, dict, Facts]] = []
        used: set[str] = set()
        for k in range(rng.randint(5, 25)):
            if earlier and rng.random() < SHARE_P:
                cid, core, facts = rng.choice(earlier)
                if cid not in used:
                    used.add(cid)
                    via = self.via(facts.claimant)
                    claims.append(({"id": cid, "claimant": core["claimant"], "via": [v.id for v in via],
                                    **{k2: v2 for k2, v2 in core.items() if k2 != "claimant"}},
                                   self.render(facts, via)))
                    continue
            core, facts = self.new_claim(pub, pub_precision is not None, earlier)
            topic = core["topic"]
            cid = f"{core['claimant'][:32].rstrip('-')}-{topic}-{i + 1:06d}-{k + 1:02d}"
            via = self.via(facts.claimant)
            claims.append(({"id": cid, "claimant": core["claimant"], "via": [v.id for v in via],
                            **{k2: v2 for k2, v2 in core.items() if k2 != "claimant"}},
                           self.render(facts, via)))
            new.append((cid, core, facts))
            used.add(cid)

        # The text: furniture, then the body (claims' sentences among filler), then furniture.
        first = claims[0][1]
        title = _cap(re.sub(r"[.”\"]+$", "", first.split(", adding:")[0]))[:140].rstrip(" ,")
        parts: list[str] = [title, "\n\n"]
        byline = " and ".join(authors)
        when = (f"{_long(pub)} {rng.randint(1, 12)}:{rng.randrange(60):02d} {rng.choice(('AM', 'PM'))}"
                if pub_precision else "")
        parts.append(f"by {byline} {when} {rng.randint(1, 6)} min read\n" if byline else
                     (f"{when}\n" if when else "\n"))
        photographer = " ".join(self.world.person_name_plain())
        parts.append(f"{rng.choice(W.CAPTION_SUBJECTS)} {rng.choice(W.CAPTION_ACTIONS)} in "
                     f"{self.name(self.places.draw(rng))} on {_long(pub - timedelta(days=rng.randrange(400)))}. "
                     f"({photographer} / {rng.choice(W.PHOTO_AGENCIES)})\n")
        if rng.random() < 0.3:
            parts.append("This audio is created with AI assistance\n")
        parts.append("\n")
        pos = sum(len(p) for p in parts)
        body_start = pos
        docs = []
        paragraph_left = rng.randint(1, 3)
        for j, (doc, sentence) in enumerate(claims):
            if rng.random() < 0.5:
                f = self.filler() + " "
                parts.append(f)
                pos += len(f)
            doc["evidence"] = {"start": pos, "end": pos + len(sentence), "exact": sentence}
            parts.append(sentence)
            pos += len(sentence)
            docs.append(doc)
            paragraph_left -= 1
            sep = "\n\n" if paragraph_left == 0 or j == len(claims) - 1 else " "
            if paragraph_left == 0:
                paragraph_left = rng.randint(1, 3)
            if j == len(claims) - 1:
                break
            parts.append(sep)
            pos += len(sep)
        if rng.random() < 0.5:
            f = " " + self.filler()
            parts.append(f)
            pos += len(f)
        body_end = pos
        parts.append(f"\n\nRead also: {_cap(self.filler()[:-1])}\n\n")
        if outlet:
            parts.append(f"{outlet.label}{byline}\n")
        text = "".join(parts)

        doc: dict = {"id": aid}
        if outlet:
            doc["outlet"] = outlet.id
            if rng.random() < 0.1:
                doc["outlet_basis"] = f"Not printed as a masthead: the footer reads '{outlet.label}{byline}'."
        doc["title"] = title
        if authors:
            doc["authors"] = authors
        if pub_precision:
            doc["published"] = _iso(pub, pub_precision)
        doc["url"] = None
        doc["language"] = "en"
        doc["body"] = {"start": body_start, "end": body_end}
        doc["claims"] = docs

        for cid, core, facts in new:
            self.pool.append((cid, core, facts))
            if "value" in core:
                self.latest[(core["claimant"], core["topic"])] = cid
        self.claims_written += len(docs)
        self.unique_claims += len(new)
        return aid, text, doc
