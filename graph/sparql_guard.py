"""What a SPARQL text is, found without parsing it: a query or an update, which SERVICE endpoints
it names, how deeply it nests. /sparql asks this of every text before any store sees it.

Written by hand rather than with a parser: pyoxigraph exposes no SPARQL parser to Python (only
Store.query, which evaluates, and may federate while doing so), and rdflib's pyparsing grammar is
slow and superlinear on hostile input (1 MB of INSERT DATA held the event loop for 40 s). This
scanner reads the text once, left to right, with one regular expression whose alternatives cannot
backtrack into each other, so its time is linear in the text. It knows only where IRIs, the four
kinds of string literal, comments, variables, language tags and names begin and end, so that a
keyword written inside them is not taken for one, and what the prologue (BASE, PREFIX) declares.

Where it cannot be sure it refuses, because a text it lets through goes to an engine that may read
more into it:
- PEG parsers such as Oxigraph's match keywords without a word boundary (`SERVICE:x {...}` is read
  as SERVICE :x, `SERVICESILENT<...>` as SERVICE SILENT), so a bare word or a prefixed name that
  begins with SERVICE counts as SERVICE, and a bare word that begins with an update keyword counts
  as that keyword (no SPARQL query keyword or function begins with one, so a real query never
  trips this).
- Engines add functions of their own, some of which act on the server: Virtuoso runs SQL procedures
  named in its `bif:` and `sql:` schemes (`bif:exec('checkpoint')` from an anonymous query), so
  an IRI or a prefixed name in those schemes, or a prefix bound to them, is refused whatever the
  store behind /sparql.
- Some engines replace \\u escapes before parsing (SPARQL 1.1 section 19.2; Oxigraph does not), so
  a text holding such escapes is checked both as sent and with them replaced.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

QUERY_FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")
UPDATE_KEYWORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH")

# Deepest nesting of ( { [ allowed. Oxigraph's recursive-descent parser overflows the worker's
# 8 MB stack somewhere past 2,000 nested groups (and the process dies), and nested blank-node
# brackets cost it superlinear time (200 levels: 0.8 s, 400: 4 s, 1,000: over a minute). Queries
# people write nest under 20 levels and generated ones seldom past 50; 200 leaves room for those
# and stays ten times below the crash.
MAX_NESTING = 200

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<comment>\#[^\r\n]*)
  | (?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)
  | (?P<long>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*''')
  | (?P<string>"(?:[^"\\\r\n]|\\.)*"|'(?:[^'\\\r\n]|\\.)*')
  | (?P<open>[({\[])
  | (?P<close>[)}\]])
  | (?P<var>[?$][\w\u00B7\u0300-\u036F\u203F\u2040]*)
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<number>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
  | (?P<name>(?:[^\W\d]|:)(?:[\w\-.:%\u00B7]|\\.)*)
  | (?P<other>.)
""", re.VERBOSE | re.DOTALL)

# Schemes of engine functions that reach outside SPARQL (Virtuoso's built-in and SQL procedures).
EXTENSION_SCHEMES = ("bif:", "sql:")
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_LOCAL_ESCAPE = re.compile(r"\\(.)")


@dataclass
class Refusal:
    status: int    # 400: not a query we run; 403: an update
    message: str


@dataclass(slots=True)
class _Token:
    kind: str
    text: str
    at: int


@dataclass
class _Findings:
    form: _Token | None = None                 # the first token after the prologue
    updates: list[_Token] = field(default_factory=list)
    services: list[tuple[_Token, str | None]] = field(default_factory=list)  # (where, IRI or None)
    extensions: list[_Token] = field(default_factory=list)   # bif: / sql: functions (see above)
    depth: int = 0
    deepest_at: int = 0


def _replace_codepoints(text: str) -> str:
    def one(m: re.Match) -> str:
        code = int(m.group(1) or m.group(2), 16)
        return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd"
    return _CODEPOINT.sub(one, text)


def _tokens(text: str):
    """The significant tokens (no spaces, no comments), with the nesting depth tracked by the caller."""
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind in ("space", "comment"):
            continue
        token = m.group()
        if kind == "name" and token.endswith(".") and not token.endswith("\\."):
            token = token.rstrip(".")   # a name never ends with a dot: that one ends a triple
        yield _Token(kind, token, m.start())


def _iri_of(token: _Token, base: str | None) -> str | None:
    """The absolute IRI an IRI token denotes, or None when it is relative with no BASE."""
    iri = _replace_codepoints(token.text[1:-1])
    if _SCHEME.match(iri):
        return iri
    return urljoin(base, iri) if base else None


def _expand(name: str, prefixes: dict[str, str]) -> str | None:
    prefix, _, local = name.partition(":")
    if prefix not in prefixes:
        return None
    return prefixes[prefix] + _LOCAL_ESCAPE.sub(r"\1", local)


def _begins(word: str, keywords) -> str | None:
    upper = word.upper()
    return next((k for k in keywords if upper.startswith(k)), None)


def _scan(text: str) -> _Findings:
    found = _Findings()
    prefixes: dict[str, str] = {}
    base: str | None = None
    tokens = list(_tokens(text))
    depth, in_prologue, i = 0, True, 0
    while i < len(tokens):
        t = tokens[i]
        if t.kind == "open":
            depth += 1
            if depth > found.depth:
                found.depth, found.deepest_at = depth, t.at
        elif t.kind == "close":
            depth = max(depth - 1, 0)
        elif t.kind == "iri" and (_iri_of(t, base) or "").lower().startswith(EXTENSION_SCHEMES):
            found.extensions.append(t)
        elif t.kind == "name":
            if t.text.lower().startswith(EXTENSION_SCHEMES):   # a prefix engines predeclare
                found.extensions.append(t)
            word = t.text.upper()
            nxt = tokens[i + 1] if i + 1 < len(tokens) else None
            # Prologue declarations may appear anywhere here: wherever an engine accepts them,
            # the SERVICE names after them are expanded with them.
            if word == "BASE" and nxt is not None and nxt.kind == "iri":
                base = _iri_of(nxt, base) or base
                if base.lower().startswith(EXTENSION_SCHEMES):
                    found.extensions.append(nxt)
                i += 2
                continue
            if word == "PREFIX" and i + 2 < len(tokens) and tokens[i + 2].kind == "iri" \
                    and nxt.kind == "name" and nxt.text.endswith(":"):
                prefixes[nxt.text[:-1]] = _iri_of(tokens[i + 2], base) or ""
                if prefixes[nxt.text[:-1]].lower().startswith(EXTENSION_SCHEMES):
                    found.extensions.append(tokens[i + 2])
                i += 3
                continue
            if in_prologue:
                found.form, in_prologue = t, False
            if ":" not in t.text and _begins(t.text, UPDATE_KEYWORDS):
                found.updates.append(t)
            if word.startswith("SERVICE"):
                i = _service(tokens, i, prefixes, base, found)
                continue
        elif in_prologue:
            found.form, in_prologue = t, False
        i += 1
    return found


def _service(tokens: list[_Token], i: int, prefixes, base, found: _Findings) -> int:
    """Record the SERVICE at tokens[i] with the endpoint it names (None when a variable or
    anything not resolvable); return the index of the next token to scan."""
    where = tokens[i]
    rest = where.text[len("SERVICE"):]
    i += 1
    if rest.upper().startswith("SILENT"):
        rest = rest[len("SILENT"):]
    elif not rest and i < len(tokens) and tokens[i].kind == "name" \
            and tokens[i].text.upper().startswith("SILENT"):
        rest = tokens[i].text[len("SILENT"):]
        i += 1
    if rest:                                   # glued: SERVICE:x, SERVICESILENTe:x
        target = _Token("name", rest, where.at)
    elif i < len(tokens):
        target = tokens[i]
        i += 1
    else:
        target = _Token("other", "", where.at)
    if target.kind == "iri":
        found.services.append((where, _iri_of(target, base)))
    elif target.kind == "name" and ":" in target.text:
        found.services.append((where, _expand(target.text, prefixes)))
    else:
        found.services.append((where, None))
        if target.kind != "var":
            i -= 1                             # not a target after all: scan it normally
    return i


def _where(text: str, at: int) -> str:
    line = text.count("\n", 0, at) + 1
    column = at - (text.rfind("\n", 0, at) + 1) + 1
    return f"line {line}, column {column}"


def check(text: str, federation_allow: tuple[str, ...] | list[str] = (),
          max_nesting: int = MAX_NESTING) -> Refusal | None:
    """None when `text` is a read-only query that calls no endpoint outside `federation_allow`;
    otherwise why not (403 for an update, 400 for anything else)."""
    views = [text]
    if _CODEPOINT.search(text):
        views.append(_replace_codepoints(text))
    for view in views:
        refusal = _judge(view, _scan(view), federation_allow, max_nesting)
        if refusal is not None:
            return refusal
    return None


def query_form(text: str) -> str | None:
    """SELECT, CONSTRUCT, DESCRIBE or ASK: the form of a query check() let through (the first
    word after the prologue), read from the tokens up to it only; None when there is none."""
    tokens = _tokens(text)
    for t in tokens:
        word = t.text.upper() if t.kind == "name" else None
        if word == "BASE":
            next(tokens, None)
        elif word == "PREFIX":
            next(tokens, None), next(tokens, None)
        else:
            return word if word in QUERY_FORMS else None
    return None


READ_ONLY = ("this endpoint is read-only: SPARQL updates (INSERT, DELETE, LOAD, CLEAR, DROP, "
             "CREATE, ADD, MOVE, COPY, WITH) are refused")


def _judge(text: str, found: _Findings, allow, max_nesting: int) -> Refusal | None:
    if found.form is None:
        return Refusal(400, "the query is empty: send SELECT, CONSTRUCT, DESCRIBE or ASK")
    if found.updates:
        t = found.updates[0]
        return Refusal(403, f"{READ_ONLY} (found {t.text[:40]!r} at {_where(text, t.at)})")
    form = found.form
    if form.kind != "name" or form.text.upper() not in QUERY_FORMS:
        return Refusal(400, f"not a SPARQL query: expected SELECT, CONSTRUCT, DESCRIBE or ASK after "
                            f"the prologue, found {form.text[:40]!r} at {_where(text, form.at)}")
    if found.extensions:
        t = found.extensions[0]
        return Refusal(400, f"engine functions outside SPARQL ({', '.join(EXTENSION_SCHEMES)}) are not "
                            f"allowed here: found {t.text[:40]!r} at {_where(text, t.at)}")
    if found.depth > max_nesting:
        return Refusal(400, f"the query nests brackets {found.depth} deep (at "
                            f"{_where(text, found.deepest_at)}); at most {max_nesting} are accepted")
    for where, iri in found.services:
        if iri is None or iri not in allow:
            called = f"<{iri}>" if iri else "an endpoint given by a variable or not resolvable"
            note = "" if where.text.upper() == "SERVICE" else \
                " (a name that begins with SERVICE is read as that keyword by SPARQL parsers)"
            return Refusal(400, f"federated queries are not allowed here: SERVICE at "
                                f"{_where(text, where.at)} calls {called}{note}. This server only "
                                f"calls endpoints its operator lists in WHOSAID_FEDERATION_ALLOW"
                                + (f" ({', '.join(allow)})" if allow else " (none)"))
    return None
