"""Made-up entities of every type the corpus format allows, with aliases that never collide.

Every id, label and alias is unique across all entities once normalised as the corpus reader
normalises names (graph.names.normalize_name: case, accents, apostrophes, punctuation), so that a
reference by any of them is unambiguous. Names are built from syllables and word lists; none is
an entity of corpus/entities.yaml.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from graph.names import normalize_name

from . import words as W

# Share of each type among the entities (sums to 100).
SHARES = (("Country", 2), ("Place", 12), ("GovernmentAgency", 8), ("ArmedForce", 3),
          ("MilitaryUnit", 10), ("NewsOutlet", 5), ("ThinkTank", 3), ("Organization", 7),
          ("Person", 42), ("UnnamedSource", 8))
MINIMUM = {"Country": 8, "Place": 12, "GovernmentAgency": 8, "ArmedForce": 6, "MilitaryUnit": 8,
           "NewsOutlet": 10, "ThinkTank": 4, "Organization": 6, "Person": 40, "UnnamedSource": 10}


@dataclass
class Ent:
    id: str
    type: str
    label: str
    aliases: list[str]
    description: str
    part_of: "Ent | None" = None
    located_in: "Ent | None" = None
    dem: str = ""                 # countries: the demonym ("Valdorian")
    title: str = ""               # persons: how the text may introduce them ("General")
    names: list[str] = field(default_factory=list)  # label and aliases: the ways text prints it

    def doc(self) -> dict:
        d: dict = {"id": self.id, "type": self.type, "label": self.label, "aliases": self.aliases,
                   "description": self.description}
        if self.part_of is not None:
            d["partOf"] = self.part_of.id
        if self.located_in is not None:
            d["locatedIn"] = self.located_in.id
        return d


def entity_count(articles: int) -> int:
    """About N/10 plus a few hundred, at most 10^4."""
    return min(10_000, 300 + articles // 10)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", normalize_name(text)).strip("-")


_TRANSLIT = (("kh", "h"), ("y", "i"), ("v", "w"), ("k", "c"), ("ch", "tch"), ("sh", "sch"),
             ("ov", "off"), ("j", "y"), ("z", "s"), ("e", "ë"), ("c", "ć"))


def _variant(name: str) -> str | None:
    """Another transliteration of a name ("Syrskyi", "Syrskii"), or None if none applies."""
    for a, b in _TRANSLIT:
        if a in name:
            return name.replace(a, b, 1)
    return None


def _acronym(label: str) -> str:
    return "".join(w[0] for w in re.findall(r"[A-Za-z][\w']*", label)
                   if w[0].isupper() or w.lower() not in {"of", "the", "for", "and"}).upper()


class World:
    """All entities, their names, and the ranked lists the article generator draws from."""

    def __init__(self, rng: random.Random, total: int):
        self.rng = rng
        self.taken: set[str] = set()   # normalised names in use
        self.roots: set[str] = set()   # made-up words in use
        self.entities: list[Ent] = []
        self.by_type: dict[str, list[Ent]] = {t: [] for t, _ in SHARES}
        counts = {t: max(MINIMUM[t], total * share // 100) for t, share in SHARES}
        counts["Person"] += total - sum(counts.values())  # the exact total goes to persons
        counts["Person"] = max(counts["Person"], MINIMUM["Person"])
        makers = {"Country": self._country, "Place": self._place, "GovernmentAgency": self._agency,
                  "ArmedForce": self._force, "MilitaryUnit": self._unit, "NewsOutlet": self._outlet,
                  "ThinkTank": self._think_tank, "Organization": self._org, "Person": self._person,
                  "UnnamedSource": self._unnamed}
        for etype, _ in SHARES:  # order matters: partOf/locatedIn point at earlier types
            for _ in range(counts[etype]):
                makers[etype]()

    # -- names -------------------------------------------------------------------------------

    def root(self, endings: tuple[str, ...], syllables: int | None = None) -> str:
        rng = self.rng
        while True:
            n = syllables or rng.choice((1, 2, 2, 3))
            word = "".join(rng.choice(W.ONSETS) + rng.choice(W.VOWELS) for _ in range(n))
            word = (word + rng.choice(endings)).capitalize()
            if word not in self.roots and 4 <= len(word) <= 14:
                self.roots.add(word)
                return word

    def _free(self, name: str, own: set[str]) -> bool:
        n = normalize_name(name)
        return bool(n) and (n in own or n not in self.taken)

    def add(self, etype: str, label: str, alias_candidates: list[str], description: str,
            part_of: Ent | None = None, located_in: Ent | None = None, **extra) -> Ent | None:
        """Register an entity if its label is free; keep 1-3 free aliases (at least one)."""
        if not self._free(label, set()):
            return None
        base = _slug(label)[:48].strip("-")
        eid, n = base, 2
        while not eid or normalize_name(eid) in self.taken and normalize_name(eid) != normalize_name(label):
            eid, n = f"{base}-{n}", n + 1
        own = {normalize_name(label), normalize_name(eid)}
        want = self.rng.choice((1, 2, 2, 3))
        aliases: list[str] = []
        for cand in alias_candidates:
            if len(aliases) == want:
                break
            c = normalize_name(cand) if cand else ""
            if c and c not in own and c not in self.taken:
                aliases.append(cand)
                own.add(c)
        k = 1
        while not aliases:  # a last resort that is always free
            cand = f"{label} ({etype[0]}{len(self.entities) + k})"
            if normalize_name(cand) not in self.taken:
                aliases.append(cand)
                own.add(normalize_name(cand))
            k += 1
        self.taken |= own
        e = Ent(eid, etype, label, aliases, description, part_of, located_in,
                names=[label, *aliases], **extra)
        self.entities.append(e)
        self.by_type[etype].append(e)
        return e

    def pick(self, etype: str) -> Ent:
        """An entity of a type, the first ones far more often (partOf targets, capitals...)."""
        items = self.by_type[etype]
        i = min(int(self.rng.paretovariate(1.0)) - 1, len(items) - 1)
        return items[i] if self.rng.random() < 0.7 else self.rng.choice(items)

    # -- one maker per type ------------------------------------------------------------------

    def _country(self) -> None:
        while True:
            ending = self.rng.choice(W.COUNTRY_ENDINGS)
            name = self.root((ending,), self.rng.choice((1, 2)))
            dem = name[: -len(ending)] + W.DEMONYM_FOR[ending]
            capital = self.root(W.PLACE_ENDINGS)
            e = self.add("Country", name,
                         [capital, f"Republic of {name}", f"the {dem} state", f"{dem} Federation"],
                         f"Country whose forces and officials the articles cite; capital {capital}.",
                         dem=dem)
            if e:
                return

    def _place(self) -> None:
        rng = self.rng
        while True:
            root = self.root(W.PLACE_ENDINGS)
            if rng.random() < 0.45:
                kind = rng.choice(W.PLACE_KINDS)
                label, within = f"{root} {kind}", self.pick("Country")
                cands = [f"{root} region", f"{root} {kind.lower()}", f"the {root} area"]
                desc = f"{kind} of {within.label} where fighting has been reported."
            else:
                regions = [p for p in self.by_type["Place"][-40:] if " " in p.label]
                within = rng.choice(regions) if regions and rng.random() < 0.7 else self.pick("Country")
                label = root
                cands = [_variant(root) or f"{root} city", f"{root} city", f"the town of {root}"]
                desc = f"Town in {within.label}."
            if self.add("Place", label, cands, desc, located_in=within):
                return

    def _agency(self) -> None:
        for _ in range(200):
            c = self.pick("Country")
            kind, short = self.rng.choice(W.AGENCY_KINDS)
            label = f"{kind} of {c.label}"
            e = self.add("GovernmentAgency", label,
                         [f"{c.label}'s {kind}", f"{c.dem} {short}", f"{_acronym(kind)} of {c.label}",
                          f"{c.label}’s {kind}"],
                         f"{c.dem} state body; the articles cite its statements and estimates.",
                         part_of=c)
            if e:
                return
        self._org()

    def _force(self) -> None:
        for _ in range(200):
            c = self.pick("Country")
            kind, short = self.rng.choice(W.FORCE_KINDS)
            if kind == "Expeditionary Force":
                place = self.pick("Place")
                label = f"{c.dem} {kind} in {place.label}"
                cands = [f"{c.dem} troops in {place.label}", f"{c.dem} contingent in {place.label}"]
            else:
                label = f"{kind} of {c.label}"
                cands = [f"{c.label}'s {short}", f"{c.dem} {short}", f"{c.dem} forces"]
            if self.add("ArmedForce", label, cands, f"{c.dem} military force.", part_of=c):
                return
        self._org()

    def _unit(self) -> None:
        for _ in range(200):
            force = self.pick("ArmedForce")
            c = force.part_of
            n = int(self.rng.paretovariate(0.6))
            ordinal = f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"
            kind = self.rng.choice(W.UNIT_KINDS)
            label = f"{ordinal} {c.dem} {kind}"
            if self.add("MilitaryUnit", label,
                        [f"{ordinal} {kind}", f"{c.dem} {ordinal} {kind.split()[-1].lower()}",
                         f"the {ordinal} {kind.split()[-1].lower()} of {c.label}"],
                        f"Unit of the {force.label}.", part_of=force):
                return

    def _outlet(self) -> None:
        while True:
            root = self.rng.choice([self.root(W.PLACE_ENDINGS), self.pick("Country").label])
            label = self.rng.choice(W.OUTLET_PATTERNS).format(root=root)
            cands = [label[4:] if label.startswith("The ") else f"the {label}", _acronym(label),
                     f"{root} newspaper"]
            loc = self.pick("Country") if self.rng.random() < 0.5 else None
            if self.add("NewsOutlet", label, cands, "News outlet whose articles are in the corpus.",
                        located_in=loc):
                return

    def _think_tank(self) -> None:
        while True:
            root = self.root(W.PLACE_ENDINGS + W.COUNTRY_ENDINGS)
            label = self.rng.choice(W.THINK_TANK_PATTERNS).format(root=root)
            loc = self.pick("Country") if self.rng.random() < 0.6 else None
            if self.add("ThinkTank", label, [_acronym(label), f"the {root} institute", f"{root} analysts"],
                        "Research institute whose assessments the articles cite.", located_in=loc):
                return

    def _org(self) -> None:
        while True:
            root = self.root(W.SURNAME_ENDINGS + W.PLACE_ENDINGS)
            kind = self.rng.choice(W.ORG_KINDS)
            label = f"{root} {kind}"
            c = self.pick("Country") if self.rng.random() < 0.5 else None
            if self.add("Organization", label, [_acronym(label), root, f"the {root} group"],
                        f"Organisation ({kind.lower()}).", part_of=c):
                return

    def person_name(self) -> tuple[str, str]:
        return self.rng.choice(W.FIRST_NAMES), self.root(W.SURNAME_ENDINGS)

    def person_name_plain(self) -> tuple[str, str]:
        """A name for an author or photographer: not an entity, so not registered."""
        rng = self.rng
        word = "".join(rng.choice(W.ONSETS) + rng.choice(W.VOWELS) for _ in range(rng.choice((1, 2))))
        return rng.choice(W.FIRST_NAMES), (word + rng.choice(W.SURNAME_ENDINGS)).capitalize()

    def _person(self) -> None:
        rng = self.rng
        while True:
            first, last = self.person_name()
            label = f"{first} {last}"
            r = rng.random()
            org_type = ("ArmedForce" if r < 0.2 else "MilitaryUnit" if r < 0.35 else
                        "GovernmentAgency" if r < 0.6 else "Organization" if r < 0.68 else
                        "NewsOutlet" if r < 0.74 else "ThinkTank" if r < 0.8 else None)
            org = self.pick(org_type) if org_type else None
            title = {"ArmedForce": rng.choice(("General", "Colonel", "Lieutenant General", "Admiral")),
                     "MilitaryUnit": rng.choice(("Colonel", "Major", "Commander", "Spokesperson")),
                     "GovernmentAgency": rng.choice(("Minister", "Deputy Minister", "Spokesperson")),
                     }.get(org_type or "", "")
            variant = _variant(label)
            cands = [last, f"{title} {last}" if title else f"{first[0]}. {last}", variant or "",
                     f"{first[0]}. {last}", f"{last}, {first}"]
            desc = (f"{title or 'Member'} of the {org.label}." if org else
                    "Person quoted in the articles.")
            if self.add("Person", label, cands, desc, part_of=org, title=title):
                return

    def _unnamed(self) -> None:
        while True:
            pattern = self.rng.choice(W.UNNAMED_ROLES)
            c = self.pick("Country")
            o = self.pick("NewsOutlet")
            label = re.sub(r"\ba ([AEIOU])", r"an \1", pattern.format(dem=c.dem, outlet=o.label))
            bare = re.sub(r"^(an?|two) ", "", label)
            cands = [bare if bare != label else f"unnamed {label}", f"{label} (unnamed)",
                     f"anonymous {bare}"]
            if self.add("UnnamedSource", label, cands, f"Unnamed source: {label}."):
                return
