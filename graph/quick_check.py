"""The quick check: which data surely conforms to the shapes, without pyshacl.

pyshacl costs about 1 ms per focus node (its per-shape and per-constraint machinery, rdflib's
SPARQL engine), which made it nine tenths of a build. The quick check evaluates the same shapes
for the same focus nodes over the same triples, and answers one question: does this data
surely give no violation? When it does not say yes, the caller asks pyshacl, whose report is
the one anybody reads; so the quick check may be stricter than pyshacl, never laxer.

It stays that close to pyshacl by borrowing what carries meaning from it:
 - the shapes, their paths and their constraint components are pyshacl's own objects, and each
   core constraint on values (datatype, class, counts, ranges, patterns, ...) is evaluated by
   pyshacl's own code, over an index of the triples instead of an rdflib graph;
 - shape-based constraints (sh:node, sh:property, sh:or, sh:and, sh:qualifiedValueShape) are
   followed the way pyshacl's Shape.validate follows them, including that with focus nodes
   given, a nested shape passes vacuously for a value that is not one of them;
 - each SHACL-SPARQL constraint runs in an in-memory Oxigraph store, for all its focus nodes
   at once with the meaning of pre-binding $this (as pyshacl gets it from rdflib's
   initBindings, see _SparqlCheck), every constraint in one ASK.
Shapes that use anything else make QuickCheck refuse to compile (Unsupported): then
everything goes to pyshacl, slowly but rightly.
"""

from __future__ import annotations

import os
import re
from typing import Iterable

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH
from rdflib.plugins.serializers.nt import _nt_row

_EMPTY: frozenset = frozenset()
_SCRATCH = ox.NamedNode("urn:x-whosaid:quick-check:data")
_BASE = ox.NamedNode("urn:x-whosaid:quick-check:base")


class Unsupported(Exception):
    """The shapes use a SHACL feature the quick check does not mirror: validate with pyshacl."""


class _Unsure(Exception):
    """The quick check cannot tell for this data: pyshacl must look."""


class TripleIndex:
    """Triples by subject then predicate, and by predicate then object (the lookups SHACL makes)."""

    __slots__ = ("spo", "pos")

    def __init__(self, triples=(), canon: dict | None = None):
        spo: dict = {}
        pos: dict = {}
        if canon:
            get = canon.get
            triples = [(s, get(p, p), o if isinstance(o, Literal) else get(o, o))
                       for s, p, o in triples]
        for s, p, o in triples:
            by_p = spo.get(s)
            if by_p is None:
                spo[s] = {p: {o}}
            else:
                objects = by_p.get(p)
                if objects is None:
                    by_p[p] = {o}
                else:
                    objects.add(o)
            by_o = pos.get(p)
            if by_o is None:
                pos[p] = {o: {s}}
            else:
                subjects = by_o.get(o)
                if subjects is None:
                    by_o[o] = {s}
                else:
                    subjects.add(s)
        self.spo, self.pos = spo, pos


class _View:
    """A base index (the ontology) under the data's own: the few methods of an rdflib Graph
    that pyshacl's core constraints call. Returned sets belong to the index: read them only."""

    __slots__ = ("base", "own", "_supers")

    def __init__(self, base: TripleIndex, own: TripleIndex):
        self.base, self.own = base, own
        self._supers: dict = {}

    @staticmethod
    def _get(index: dict, a, b):
        inner = index.get(a)
        return None if inner is None else inner.get(b)

    def objects(self, s, p):
        a, b = self._get(self.base.spo, s, p), self._get(self.own.spo, s, p)
        if a is None:
            return _EMPTY if b is None else b
        return a if b is None else a | b

    def subjects(self, p, o):
        a, b = self._get(self.base.pos, p, o), self._get(self.own.pos, p, o)
        if a is None:
            return _EMPTY if b is None else b
        return a if b is None else a | b

    def transitive_objects(self, subject, predicate, remember=None):
        """The subject and everything it reaches by `predicate` (rdflib's, as a set)."""
        key = (subject, predicate)
        found = self._supers.get(key)
        if found is None:
            found, todo = {subject}, [subject]
            while todo:
                for o in self.objects(todo.pop(), predicate):
                    if o not in found:
                        found.add(o)
                        todo.append(o)
            self._supers[key] = found
        return found


def _no_result(*_args, **_kwargs):
    return None


# sh: terms the quick check mirrors; any other in the shapes graph makes it Unsupported.
_SH_TERMS = {SH[n] for n in (
    "targetClass targetNode targetObjectsOf targetSubjectsOf property path inversePath node or and "
    "qualifiedValueShape qualifiedMinCount qualifiedMaxCount sparql select prefixes declare prefix "
    "namespace message name description order group defaultValue severity Violation "
    "NodeShape PropertyShape SPARQLConstraint "
    "minCount maxCount datatype class nodeKind minLength maxLength pattern flags minInclusive "
    "maxInclusive minExclusive maxExclusive lessThan lessThanOrEquals equals disjoint in hasValue "
    "languageIn uniqueLang IRI BlankNode Literal BlankNodeOrIRI BlankNodeOrLiteral IRIOrLiteral"
).split()}


class _SparqlCheck:
    """One SHACL-SPARQL constraint, to be asked for many focus nodes at once.

    Its WHERE group becomes `{ VALUES ?this { <f1> <f2> ... } ... }` when that means the same
    as pre-binding $this (every group that mentions $this binds it first, so nothing reads it
    before the VALUES row is joined in); otherwise one copy per focus node with $this written
    in, joined by UNION. Either way: a solution for some node is a violation for that node."""

    def __init__(self, key: str, pieces: list, holes: int, joinable: bool):
        self.key, self.pieces, self.holes, self.joinable = key, pieces, holes, joinable

    def group(self, focus: list) -> str:
        iris = []
        for f in focus:
            if not isinstance(f, URIRef) or not _IRI_INSIDE.fullmatch(str(f)):
                raise _Unsure(f"cannot write {f!r} into a query")
            iris.append(f"<{f}>")
        if not self.holes:
            return self.pieces[0]  # without $this the query is the same for every focus node
        if self.joinable:
            inner = "?this".join(self.pieces)
            return f"{{ VALUES ?this {{ {' '.join(iris)} }} {inner[inner.index('{') + 1:]}"
        return "{ " + " UNION ".join(iri.join(self.pieces) for iri in iris) + " }"


_IRI_INSIDE = re.compile(r'[^<>"{}|^`\\\x00-\x20]*')
_IRIREF = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
_VARIABLE = re.compile(r"[?$]([A-Za-z0-9_\u00B7\u00C0-\U000EFFFF]+)")
_WORD = re.compile(r"[A-Za-z0-9_]+")


def _sparql_tokens(text: str) -> list[tuple[str, str]]:
    """SPARQL text as (kind, text) tokens: space, comment, string, iri, var, word, punct. Enough
    to find the query's parts and its variables without mistaking a string or an IRI for them."""
    tokens, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            j = i + 1
            while j < n and text[j].isspace():
                j += 1
            kind = "space"
        elif c == "#":
            j = text.find("\n", i)
            j, kind = (n if j < 0 else j), "comment"
        elif c in "\"'":
            quote = text[i:i + 3] if text[i:i + 3] in ('"""', "'''") else c
            j = i + len(quote)
            while True:
                if j >= n:
                    raise Unsupported("an unterminated string in a SPARQL constraint")
                if text[j] == "\\":
                    j += 2
                elif text.startswith(quote, j):
                    j += len(quote)
                    break
                elif len(quote) == 1 and text[j] in "\r\n":
                    raise Unsupported("a line break in a short string in a SPARQL constraint")
                else:
                    j += 1
            kind = "string"
        elif c == "<" and _IRIREF.match(text, i):
            j, kind = _IRIREF.match(text, i).end(), "iri"
        elif c in "?$" and _VARIABLE.match(text, i):
            j, kind = _VARIABLE.match(text, i).end(), "var"
        elif _WORD.match(text, i):
            j, kind = _WORD.match(text, i).end(), "word"
        else:
            j, kind = i + 1, "punct"
        tokens.append((kind, text[i:j]))
        i = j
    return tokens


def _keyword(tokens, k: int) -> str | None:
    """The keyword a word token is, unless it is part of a prefixed name (ex:select, select:x)."""
    kind, text = tokens[k]
    if kind != "word":
        return None
    if (k > 0 and tokens[k - 1][1] == ":") or (k + 1 < len(tokens) and tokens[k + 1][1] == ":"):
        return None
    return text.upper()


def _compile_sparql(helper) -> _SparqlCheck:
    """pyshacl's SPARQL helper (select text and prefixes) as a template for ASK queries."""
    text = helper.select_text
    tokens = _sparql_tokens(text)
    select = next((k for k in range(len(tokens)) if _keyword(tokens, k) == "SELECT"), None)
    if select is None:
        raise Unsupported("a SPARQL constraint without SELECT")
    prologue = "".join(t for _, t in tokens[:select])
    k = select + 1
    while k < len(tokens) and tokens[k][1] != "{":
        kind, word = tokens[k]
        if not (kind in ("space", "comment", "var") or word == "*"
                or _keyword(tokens, k) in ("DISTINCT", "REDUCED", "WHERE")):
            raise Unsupported(f"a SPARQL constraint whose SELECT clause has {word!r}")
        k += 1
    start, depth = k, 0
    for k in range(start, len(tokens)):
        if tokens[k][0] == "punct" and tokens[k][1] in "{}":
            depth += 1 if tokens[k][1] == "{" else -1
            if depth == 0:
                break
    else:
        raise Unsupported("a SPARQL constraint without a WHERE group")
    end = k
    if any(kind not in ("space", "comment") for kind, _ in tokens[end + 1:]):
        raise Unsupported("a SPARQL constraint with solution modifiers")
    body = tokens[start:end + 1]
    for k in range(start, end + 1):
        if _keyword(tokens, k) in ("SELECT", "SERVICE", "MINUS", "VALUES", "GRAPH", "FROM"):
            raise Unsupported(f"a SPARQL constraint with {tokens[k][1]}")
        if tokens[k] == ("word", "_"):  # _:label, which UNION copies would share
            raise Unsupported("a SPARQL constraint with a labelled blank node")
    names = {_VARIABLE.match(t).group(1) for kind, t in body if kind == "var"}
    if "this" in helper.has_as_var_regex.findall(text):
        raise Unsupported("a SPARQL constraint that binds $this with AS")
    # On a node shape pyshacl pre-binds $this, and $currentShape, $shapesGraph, $PATH if present.
    if names & {"PATH", "shapesGraph", "currentShape"}:
        raise Unsupported("a SPARQL constraint with a pre-bound variable besides $this")
    # pyshacl binds $this only where its own pattern finds it; the same test decides here.
    bound = bool(helper.bind_this_regex.search(text))
    if "this" in names and not bound:
        raise Unsupported("a SPARQL constraint whose $this pyshacl would not bind")
    pieces, current = [], []
    for kind, t in body:
        if bound and kind == "var" and t[1:] == "this":
            pieces.append("".join(current))
            current = []
        else:
            current.append(t)
    pieces.append("".join(current))
    prefixes = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in helper.prefixes.items())
    return _SparqlCheck(f"{prefixes}\n{prologue}", pieces, len(pieces) - 1, _joinable(body))


def _joinable(body: list) -> bool:
    """Whether joining a VALUES row for ?this into the outer group gives what pre-binding gives:
    SPARQL evaluates an inner group on its own, before the join, so an inner group that mentions
    ?this must start by binding it (a triple pattern with ?this as subject). EXISTS bodies see the
    outer solution, bound ?this included, and need no such care."""
    significant = [(k, t) for k, t in body if k not in ("space", "comment")]
    stack = []   # per open group: [first token, mentions ?this, exempt]
    for i, (kind, t) in enumerate(significant):
        if kind == "punct" and t == "{":
            previous = significant[i - 1][1].upper() if i else ""
            exempt = bool(stack) and (stack[-1][2] or previous == "EXISTS")
            first = significant[i + 1] if i + 1 < len(significant) else None
            stack.append([first, False, exempt])
        elif kind == "punct" and t == "}":
            first, mentions, exempt = stack.pop()
            if stack and mentions and not exempt and first != ("var", "?this") \
                    and first != ("var", "$this"):
                return False
            if stack and mentions:
                stack[-1][1] = True
        elif kind == "var" and t[1:] == "this" and stack:
            stack[-1][1] = True
    return True


class _QShape:
    __slots__ = ("shape", "property", "path", "inverse", "leaves", "nodes", "properties", "ors",
                 "ands", "qualified", "sparql", "targets")

    def __init__(self, shape):
        self.shape = shape
        self.property = shape.is_property_shape
        self.path, self.inverse = None, False
        self.leaves, self.nodes, self.properties, self.ors, self.ands = [], [], [], [], []
        self.qualified, self.sparql = [], []
        self.targets = None   # (nodes, classes, objects_of, subjects_of) for a shape with targets


class QuickCheck:
    """The shapes, compiled for `passes`. Raise Unsupported for shapes it does not mirror."""

    def __init__(self, shapes: Graph, ignored_messages: Iterable[str] = ()):
        from pyshacl.constraints import CONSTRAINT_PARAMETERS_MAP
        from pyshacl.constraints.core.logical_constraints import (AndConstraintComponent,
                                                                  OrConstraintComponent)
        from pyshacl.constraints.core.shape_based_constraints import (
            NodeConstraintComponent, PropertyConstraintComponent,
            QualifiedValueShapeConstraintComponent)
        from pyshacl.constraints.sparql.sparql_based_constraints import SPARQLBasedConstraint
        from pyshacl.consts import SH_Violation
        from pyshacl.errors import ConstraintLoadWarning
        from pyshacl.pytypes import SHACLExecutor
        from pyshacl.shapes_graph import ShapesGraph

        g = Graph()  # pyshacl adds its system triples to the graph it is given: not the shared one
        for t in shapes:
            g.add(t)
        for s, p, o in g:
            if (str(p).startswith(str(SH)) and p not in _SH_TERMS) or \
                    (isinstance(o, URIRef) and str(o).startswith(str(SH)) and o not in _SH_TERMS):
                raise Unsupported(f"the shapes use {p if p not in _SH_TERMS else o}")
        sg = ShapesGraph(g)
        if sg.custom_constraints:
            raise Unsupported("the shapes declare constraint components")
        self.executor = SHACLExecutor()
        ignored = {str(m) for m in ignored_messages}
        shapes_by_node = {s.node: s for s in sg.shapes}
        compiled: dict = {}
        leaf_classes = set(CONSTRAINT_PARAMETERS_MAP.values()) - {
            AndConstraintComponent, OrConstraintComponent, NodeConstraintComponent,
            PropertyConstraintComponent, QualifiedValueShapeConstraintComponent,
            SPARQLBasedConstraint}
        leaf_classes = {c for c in leaf_classes if c.__name__ in _LEAVES}

        def other(node):
            found = shapes_by_node.get(node)
            if found is None:
                raise Unsupported(f"no shape {node}")
            return found

        for node, shape in shapes_by_node.items():
            q = compiled[node] = _QShape(shape)
            if shape.deactivated or shape.severity != SH_Violation:
                raise Unsupported(f"{node} is deactivated or not a violation")
            if shape.implicit_class_targets():
                raise Unsupported(f"{node} is a class")
            if q.property:
                path = shape.path()
                if isinstance(path, URIRef):
                    q.path = path
                else:
                    inverse = list(g.objects(path, SH.inversePath))
                    if len(inverse) != 1 or not isinstance(inverse[0], URIRef) or \
                            len(list(g.predicate_objects(path))) != 1:
                        raise Unsupported(f"the path of {node}")
                    q.path, q.inverse = inverse[0], True
            targets = [set(shape.target_nodes()), set(shape.target_classes()),
                       set(shape.target_objects_of()), set(shape.target_subjects_of())]
            if any(targets):
                q.targets = targets
            # The components pyshacl's Shape.validate builds for this shape, in the same way.
            seen = []
            for p, _v in g.predicate_objects(node):
                component = CONSTRAINT_PARAMETERS_MAP.get(p)
                if component is not None and component not in seen:
                    seen.append(component)
            for component in seen:
                try:
                    c = component(shape)
                except ConstraintLoadWarning:
                    continue
                except Exception as exc:
                    raise Unsupported(f"{node}: {exc}") from None
                if component is NodeConstraintComponent:
                    q.nodes += c.node_shapes
                elif component is PropertyConstraintComponent:
                    q.properties += c.property_shapes
                elif component in (OrConstraintComponent, AndConstraintComponent):
                    lists = c.or_list if component is OrConstraintComponent else c.and_list
                    for lst in lists:
                        members = list(g.items(lst))
                        if not members:
                            raise Unsupported(f"an empty list in {node}")
                        (q.ors if component is OrConstraintComponent else q.ands).append(members)
                elif component is QualifiedValueShapeConstraintComponent:
                    if c.is_disjoint:
                        raise Unsupported(f"{node}: sh:qualifiedValueShapesDisjoint")
                    q.qualified += [(v, c.min_count, c.max_count) for v in c.value_shapes]
                elif component is SPARQLBasedConstraint:
                    for helper in c.sparql_constraints:
                        messages = {str(m) for m in (helper.unbound_messages or ())}
                        if helper.deactivated or (len(messages) == 1 and messages <= ignored
                                                  and "{" not in next(iter(messages))
                                                  and not list(shape.message)):
                            continue
                        if q.property:
                            raise Unsupported(f"{node}: SPARQL on a property shape")
                        q.sparql.append(_compile_sparql(helper))
                elif component in leaf_classes:
                    c.make_v_result = _no_result  # only whether it conforms is wanted
                    q.leaves.append(c)
                else:
                    raise Unsupported(f"{node}: {component.__name__}")

        for q in compiled.values():
            q.nodes = [compiled[other(n).node] for n in q.nodes]
            q.properties = [compiled[other(n).node] for n in q.properties]
            q.ors = [[compiled[other(n).node] for n in members] for members in q.ors]
            q.ands = [[compiled[other(n).node] for n in members] for members in q.ands]
            q.qualified = [(compiled[other(n).node], lo, hi) for n, lo, hi in q.qualified]
        # A shape reached through another is checked in a nested way that has no SPARQL here, and
        # recursion (which pyshacl cuts with a warning) is not followed.
        for q in compiled.values():
            stack, seen_nodes = list(self._children(q)), set()
            while stack:
                child = stack.pop()
                if child is q:
                    raise Unsupported(f"{q.shape.node} is recursive")
                if child.sparql:
                    raise Unsupported(f"{child.shape.node} has SPARQL and is nested")
                if id(child) not in seen_nodes:
                    seen_nodes.add(id(child))
                    stack.extend(self._children(child))
        self.top = [q for q in compiled.values() if q.targets is not None]
        # Which shapes target a node, by how: looked up per focus node rather than per shape.
        self._by_node: dict = {}
        self._by_class: dict = {}
        self._objects_of, self._subjects_of = [], []
        for q in self.top:
            nodes, classes, objects_of, subjects_of = q.targets
            for n in nodes:
                self._by_node.setdefault(n, []).append(q)
            for c in classes:
                self._by_class.setdefault(c, []).append(q)
            self._objects_of += [(p, q) for p in objects_of]
            self._subjects_of += [(p, q) for p in subjects_of]
        # Terms by which the data is looked up (shape paths and classes, pyshacl's constants):
        # the index keys the data's equal terms to these very objects, so that a lookup finds
        # its key by identity instead of calling rdflib's __eq__ (a Python function).
        from pyshacl import consts
        self._canon: dict = {}
        for t in (*(v for v in vars(consts).values() if isinstance(v, URIRef)),
                  *(t for triple in g for t in triple if isinstance(t, URIRef))):
            self._canon.setdefault(t, t)

    @staticmethod
    def _children(q: _QShape):
        yield from q.nodes
        yield from q.properties
        for members in (*q.ors, *q.ands):
            yield from members
        for child, _lo, _hi in q.qualified:
            yield child

    # -- checking --------------------------------------------------------------------------

    def passes(self, base: "QuickBase", triples, focus_nodes,
               rows: list[str] | None = None) -> bool:
        """Whether validate_graph(base + triples, focus_nodes) surely finds no violation (but
        those with an ignored message). `rows`: each triple's N-Triples line, if at hand."""
        try:
            return self._passes(base, triples, focus_nodes, rows)
        except Exception:
            return False  # whatever went wrong, pyshacl decides

    def _passes(self, base, triples, focus_nodes, rows) -> bool:
        view = _View(base.indexed(self._canon), TripleIndex(triples, self._canon))
        focus = {f for f in focus_nodes if isinstance(f, URIRef)}
        if not focus:  # pyshacl given no focus node validates every target instead
            return False
        by_shape: dict = {}
        rdf_type = self._canon.get(RDF.type, RDF.type)
        subclass = self._canon.get(RDFS.subClassOf, RDFS.subClassOf)
        by_node, by_class = self._by_node, self._by_class
        for f in focus:
            targeted = set(by_node.get(f, ()))
            for t in view.objects(f, rdf_type):
                for c in view.transitive_objects(t, subclass):
                    targeted.update(by_class.get(c, ()))
            targeted.update(q for p, q in self._subjects_of if view.objects(f, p))
            targeted.update(q for p, q in self._objects_of if view.subjects(p, f))
            for q in targeted:
                by_shape.setdefault(id(q), (q, []))[1].append(f)
        groups: dict = {}
        for q, fl in by_shape.values():
            if not self._conforms(q, fl, view, focus):
                return False
            for check in q.sparql:
                groups.setdefault(check.key, []).append(check.group(fl))
        if not groups:
            return True
        # One query for all: each parse and plan costs more than a small article's evaluation.
        data = "".join(rows if rows is not None else map(_nt_row, triples)).encode("utf-8")
        return base.ask([f"{key}ASK {{ {' UNION '.join(g)} }}" for key, g in groups.items()], data)

    def _conforms(self, q: _QShape, focus_list, view: _View, focus: set) -> bool:
        """Whether every node of focus_list conforms to q, as pyshacl's Shape.validate decides
        with these focus nodes given (SPARQL constraints aside: the caller runs them)."""
        fl = [f for f in focus_list if isinstance(f, URIRef) and f in focus]
        if not fl:
            return True
        if not q.property:
            values = {f: {f} for f in fl}
        elif q.inverse:
            values = {f: view.subjects(q.path, f) for f in fl}
        else:
            values = {f: view.objects(f, q.path) for f in fl}
        for c in q.leaves:
            conforms, _ = c.evaluate(self.executor, view, values, [])
            if not conforms:
                return False
        if q.nodes or q.properties or q.ands:
            every = [v for vs in values.values() for v in vs]
            for child in (*q.nodes, *q.properties, *(m for ms in q.ands for m in ms)):
                if not self._conforms(child, every, view, focus):
                    return False
        for members in q.ors:
            for vs in values.values():
                for v in vs:
                    if not any(self._conforms(m, [v], view, focus) for m in members):
                        return False
        for child, lo, hi in q.qualified:
            for vs in values.values():
                n = sum(1 for v in vs if self._conforms(child, [v], view, focus))
                if (hi is not None and n > hi) or (lo is not None and n < lo):
                    return False
        return True


# The core constraint components whose evaluation needs nothing of the data graph but the
# _View methods (objects, subjects, transitive_objects): checked against pyshacl 0.40's source.
_LEAVES = {
    "MinCountConstraintComponent", "MaxCountConstraintComponent", "DatatypeConstraintComponent",
    "ClassConstraintComponent", "NodeKindConstraintComponent", "MinLengthConstraintComponent",
    "MaxLengthConstraintComponent", "PatternConstraintComponent", "LanguageInConstraintComponent",
    "UniqueLangConstraintComponent", "MinInclusiveConstraintComponent",
    "MaxInclusiveConstraintComponent", "MinExclusiveConstraintComponent",
    "MaxExclusiveConstraintComponent", "LessThanConstraintComponent",
    "LessThanOrEqualsConstraintComponent", "EqualsConstraintComponent",
    "DisjointConstraintComponent", "InConstraintComponent", "HasValueConstraintComponent",
}


class QuickBase:
    """The triples every check shares (the ontology): indexed once, and loaded once per process
    into the in-memory Oxigraph store the SPARQL constraints run in."""

    RENEW = 64  # checks per store: each leaves its data in a graph of its own, never cleared

    def __init__(self, triples):
        self.triples = list(triples)
        self._indexes: dict = {}
        self._store: ox.Store | None = None
        self._pid = None
        self._used = 0

    def indexed(self, canon: dict) -> TripleIndex:
        """The base's index, its terms keyed to `canon`'s (see QuickCheck._canon)."""
        found = self._indexes.get(id(canon))
        if found is None or found[0] is not canon:
            found = self._indexes[id(canon)] = (canon, TripleIndex(self.triples, canon))
        return found[1]

    def _oxigraph(self) -> ox.Store:
        # A new store every RENEW checks: dropping a graph from Oxigraph's memory store costs
        # more than the check itself. Not shared over fork.
        if self._store is None or self._pid != os.getpid() or self._used >= self.RENEW:
            store = ox.Store()
            store.load("".join(map(_nt_row, self.triples)).encode("utf-8"),
                       format=ox.RdfFormat.N_TRIPLES, to_graph=_BASE)
            self._store, self._pid, self._used = store, os.getpid(), 0
        self._used += 1
        return self._store

    def ask(self, queries: list[str], ntriples: bytes) -> bool:
        """True when none of the ASK queries finds anything in the base plus `ntriples`."""
        store = self._oxigraph()
        graph = ox.NamedNode(f"{_SCRATCH.value}:{self._used}")
        store.load(ntriples, format=ox.RdfFormat.N_TRIPLES, to_graph=graph)
        return not any(bool(store.query(q, default_graph=[_BASE, graph])) for q in queries)
