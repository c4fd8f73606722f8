"""What a GraphQL request would cost, worked out from its document before anything runs.

One walk over the operation measures four figures:

- depth: how many selection sets are nested (top-level fields are at 0; introspection is not
  counted, as in graphql-depth-limit), so `{ claims { nodes { id } } }` is 2;
- aliases: aliased fields, as the operation would run (a fragment spread twice counts twice);
- breadth: the most fields one selection set holds once its fragments are written out;
- cost: each field counts once per object it can be asked of. A field taking `first` multiplies
  what is under it by `first` (the default page size when absent), as GitHub's and Shopify's
  APIs do; a list without `first` (reports, via, topics...) by LIST_ESTIMATE.

A fragment spread counts as the fragment's selections written out at that place, which is what
execution does before it merges fields. Each fragment is measured once and its figures reused
(memoised by fragment and page size), so the walk is linear in the size of the document however
the fragments spread one another: the fan-out of issue 9 (F20 spreading F19 twice, and so on)
is measured in microseconds and refused on its cost, 2^20 per claim.

Introspection (`__schema`, `__type` and what is under them) reads the in-memory schema, not the
store, so it is left out of the cost and the depth; what bounds it is the nesting of its lists,
at most MAX_INTROSPECTION_LISTS (the standard introspection query nests types > fields > args;
`types { fields { type { fields { type { fields` would multiply the schema by itself).

The walk runs before graphql-core's own validation, so it must stand an invalid document:
unknown fields, types and fragments are skipped (validation reports them afterwards) and a
fragment cycle counts nothing more (NoFragmentCyclesRule reports it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql import (DocumentNode, FieldNode, FragmentDefinitionNode, FragmentSpreadNode,
                     GraphQLError, GraphQLList, GraphQLNonNull, GraphQLSchema, InlineFragmentNode,
                     IntValueNode, NullValueNode, OperationDefinitionNode, SelectionSetNode,
                     VariableNode)
from graphql.type import is_introspection_type
from graphql.type.introspection import SchemaMetaFieldDef, TypeMetaFieldDef

MAX_DEPTH = 10
MAX_ALIASES = 20
MAX_INTROSPECTION_LISTS = 3
# Fields one selection set may hold once its fragments are written out in place. graphql-core's
# OverlappingFieldsCanBeMerged compares the fields of a set pairwise, so 2,000 `__typename` in
# one set kept the event loop busy for half a second; no real query needs a tenth of this.
MAX_BREADTH = 200
LIST_ESTIMATE = 5        # objects assumed in a list that takes no `first`
_CAP = 10 ** 15          # figures saturate here: the walk never works with huge numbers


@dataclass(frozen=True)
class Figures:
    cost: int = 0
    depth: int = 0
    aliases: int = 0
    introspection_lists: int = 0
    width: int = 0      # of a selection set: the fields it holds, its fragments written out
    breadth: int = 0    # the widest selection set anywhere below

    def scaled(self, factor: int) -> "Figures":
        """Asked of `factor` objects: the cost multiplies; aliases are counted as written."""
        return Figures(min(self.cost * factor, _CAP), self.depth, self.aliases,
                       self.introspection_lists, self.width, self.breadth)


@dataclass(frozen=True)
class Limits:
    max_cost: int
    max_depth: int = MAX_DEPTH
    max_aliases: int = MAX_ALIASES
    max_introspection_lists: int = MAX_INTROSPECTION_LISTS
    max_breadth: int = MAX_BREADTH
    default_page: int = 20
    max_page: int = 100


def _unwrap(gtype):
    """(named type, is a list) of a field's type."""
    is_list = False
    while isinstance(gtype, (GraphQLNonNull, GraphQLList)):
        is_list |= isinstance(gtype, GraphQLList)
        gtype = gtype.of_type
    return gtype, is_list


class _Walk:
    def __init__(self, schema: GraphQLSchema, document: DocumentNode, variables: dict, limits: Limits):
        self.schema, self.variables, self.limits = schema, variables or {}, limits
        self.fragments = {d.name.value: d for d in document.definitions
                          if isinstance(d, FragmentDefinitionNode)}
        self.memo: dict[tuple[str, int | None, bool], Figures] = {}
        self.in_progress: set[str] = set()
        self.variable_defaults: dict[str, Any] = {}

    # -- the page size a field asks for -----------------------------------------------------

    def _first(self, node: FieldNode, field_def) -> int | None:
        """The `first` a field asks for, or None if it takes no `first`. Out-of-range values
        are clamped: the resolver refuses them before anything under them runs."""
        if "first" not in field_def.args:
            return None
        value: Any = field_def.args["first"].default_value
        for arg in node.arguments or ():
            if arg.name.value != "first":
                continue
            v = arg.value
            if isinstance(v, IntValueNode):
                value = int(v.value)
            elif isinstance(v, NullValueNode):
                value = None
            elif isinstance(v, VariableNode):
                name = v.name.value
                value = self.variables.get(name, self.variable_defaults.get(name))
            else:
                value = None  # not an Int: validation refuses it
        if not isinstance(value, int) or isinstance(value, bool):
            value = self.limits.default_page
        return max(0, min(value, self.limits.max_page))

    # -- the walk ---------------------------------------------------------------------------

    def selection_set(self, sel: SelectionSetNode | None, parent, page: int | None,
                      introspection: bool) -> Figures:
        if sel is None or parent is None or not hasattr(parent, "fields") and not hasattr(parent, "types"):
            return Figures()
        cost = depth = aliases = lists = width = breadth = 0
        for s in sel.selections:
            if isinstance(s, FieldNode):
                f = self.field(s, parent, page, introspection)
                width += 1
            elif isinstance(s, InlineFragmentNode):
                on = self.schema.get_type(s.type_condition.name.value) if s.type_condition else parent
                f = self.selection_set(s.selection_set, on, page, introspection)
                width = min(width + f.width, _CAP)
            elif isinstance(s, FragmentSpreadNode):
                f = self.spread(s.name.value, page, introspection)
                width = min(width + f.width, _CAP)
            else:
                continue
            depth = max(depth, f.depth)
            cost = min(cost + f.cost, _CAP)
            aliases = min(aliases + f.aliases, _CAP)
            lists = max(lists, f.introspection_lists)
            breadth = max(breadth, f.breadth)
        return Figures(cost, depth, aliases, lists, width, max(breadth, width))

    def spread(self, name: str, page: int | None, introspection: bool) -> Figures:
        key = (name, page, introspection)
        if key in self.memo:
            return self.memo[key]
        fragment = self.fragments.get(name)
        if fragment is None or name in self.in_progress:
            return Figures()  # unknown fragment or a cycle: validation refuses the document
        self.in_progress.add(name)
        try:
            on = self.schema.get_type(fragment.type_condition.name.value)
            found = self.selection_set(fragment.selection_set, on, page, introspection)
        finally:
            self.in_progress.discard(name)
        self.memo[key] = found
        return found

    def field(self, node: FieldNode, parent, page: int | None, introspection: bool) -> Figures:
        name = node.name.value
        alias = 1 if node.alias else 0
        if name == "__typename":
            return Figures(aliases=alias)
        fields = getattr(parent, "fields", None) or {}
        field_def = fields.get(name)
        if field_def is None:
            if parent is self.schema.query_type:
                field_def = {"__schema": _SCHEMA_META, "__type": _TYPE_META}.get(name)
        if field_def is None:
            return Figures(aliases=alias)  # unknown field: validation refuses it
        named, is_list = _unwrap(field_def.type)
        inside = introspection or name.startswith("__") or is_introspection_type(named)
        if inside:
            below = self.selection_set(node.selection_set, named, None, True)
            return Figures(0, 0, below.aliases + alias,
                           below.introspection_lists + (1 if is_list else 0), breadth=below.breadth)
        first = self._first(node, field_def)
        if is_list:
            # a list field multiplies its items: by its own `first`, else by the page of the
            # connection it is on (nodes, edges), else by an estimate
            size = first if first is not None else page if page is not None else LIST_ESTIMATE
            below = self.selection_set(node.selection_set, named, None, False).scaled(size)
        else:
            # an object taking `first` is a connection: its lists are pages of that size
            below = self.selection_set(node.selection_set, named, first, False)
        depth = below.depth + 1 if node.selection_set else 0
        return Figures(min(1 + below.cost, _CAP), depth, min(below.aliases + alias, _CAP),
                       below.introspection_lists, breadth=below.breadth)


# The meta fields graphql-core keeps out of Query.fields.
_SCHEMA_META, _TYPE_META = SchemaMetaFieldDef, TypeMetaFieldDef


def measure(schema: GraphQLSchema, document: DocumentNode, operation_name: str | None,
            variables: dict | None, limits: Limits) -> Figures:
    """The figures of the operation that would run (every operation's largest when the name
    does not pick one: execution then refuses the request anyway)."""
    walk = _Walk(schema, document, variables or {}, limits)
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [o for o in operations if operation_name is None or (o.name and o.name.value == operation_name)]
    worst = Figures()
    for op in chosen:
        walk.variable_defaults = {
            v.variable.name.value: int(v.default_value.value)
            for v in op.variable_definitions or ()
            if isinstance(v.default_value, IntValueNode)}
        root = schema.get_root_type(op.operation)
        f = walk.selection_set(op.selection_set, root, None, False)
        worst = Figures(max(worst.cost, f.cost), max(worst.depth, f.depth),
                        max(worst.aliases, f.aliases), max(worst.introspection_lists, f.introspection_lists),
                        breadth=max(worst.breadth, f.breadth))
    return worst


def refusal(figures: Figures, limits: Limits) -> GraphQLError | None:
    """The error a request over a limit gets, naming the limit, its value and the request's figure."""
    if figures.depth > limits.max_depth:
        return GraphQLError(
            f"the query nests {figures.depth} levels of fields, over the limit of {limits.max_depth} "
            "(maximum operation depth): ask for fewer nested fields",
            extensions={"code": "QUERY_TOO_DEEP", "limit": limits.max_depth, "depth": figures.depth})
    if figures.introspection_lists > limits.max_introspection_lists:
        return GraphQLError(
            f"the introspection query nests {figures.introspection_lists} lists, over the limit of "
            f"{limits.max_introspection_lists} (the standard introspection query nests 3)",
            extensions={"code": "QUERY_TOO_DEEP", "limit": limits.max_introspection_lists,
                        "depth": figures.introspection_lists})
    if figures.aliases > limits.max_aliases:
        return GraphQLError(
            f"the query uses {figures.aliases:,} aliases, over the limit of {limits.max_aliases}",
            extensions={"code": "TOO_MANY_ALIASES", "limit": limits.max_aliases,
                        "aliases": figures.aliases})
    if figures.cost > limits.max_cost:
        shown = f"{figures.cost:,}" if figures.cost < _CAP else f"over {_CAP:,}"
        return GraphQLError(
            f"the query would cost {shown}, over the limit of {limits.max_cost:,} "
            "(WHOSAID_MAX_QUERY_COST): each field counts once per object it is asked of, and a "
            "list multiplies what is under it by its `first`; ask for smaller pages or fewer "
            "nested fields",
            extensions={"code": "QUERY_TOO_COSTLY", "limit": limits.max_cost,
                        "cost": figures.cost})
    if figures.breadth > limits.max_breadth:
        shown = f"{figures.breadth:,}" if figures.breadth < _CAP else f"over {_CAP:,}"
        return GraphQLError(
            f"one selection set of the query holds {shown} fields once its fragments are written "
            f"out, over the limit of {limits.max_breadth}",
            extensions={"code": "QUERY_TOO_WIDE", "limit": limits.max_breadth,
                        "breadth": figures.breadth})
    return None
