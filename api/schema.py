"""The GraphQL schema as served: the read contract (api/types.py), the writes (api/mutations.py),
and the protections every request goes through (tokens, depth, aliases, cost, masked internal
errors)."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors, MaxTokensLimiter, SchemaExtension
from strawberry.schema.config import StrawberryConfig

from graph.config import SETTINGS
from graph.read import MAX_PAGE, ReadError
from graph.store import Interrupted

from .mutations import Mutation
from .query_cost import Limits, measure, refusal
from .types import DATE_SCALAR, DEFAULT_PAGE, Article, Claim, Date, Entity, Query

MAX_TOKENS = 2000


class RequestLimits(SchemaExtension):
    """Reuses the document api/graphql_http.py parsed (the text is parsed once per request), and
    refuses a request over its depth, alias or cost limit (api/query_cost.py) before
    graphql-core validates it: the measure is linear in the document, whatever its fragments do.
    Strawberry's QueryDepthLimiter and MaxAliasesLimiter walked each fragment spread anew, which
    made the fan-out of issue 9 take minutes."""

    def on_operation(self):
        ec = self.execution_context
        parsed = getattr(ec.context, "document", None)
        if parsed is not None and ec.graphql_document is None:
            ec.graphql_document = parsed
        yield

    def on_validate(self):
        ec = self.execution_context
        limits = Limits(max_cost=getattr(ec.context, "max_query_cost", SETTINGS["max_query_cost"].default),
                        default_page=DEFAULT_PAGE, max_page=MAX_PAGE)
        if ec.graphql_document is not None:
            figures = measure(ec.schema._schema, ec.graphql_document, ec.operation_name,
                              ec.variables, limits)
            error = refusal(figures, limits)
            if error is not None:
                ec.pre_execution_errors = [error]  # strawberry then skips validation and answers it
        yield


def _should_mask(error) -> bool:
    """Hide unexpected failures (no internals reach a client); keep the errors written for users."""
    original = getattr(error, "original_error", None)
    while isinstance(original, GraphQLError) and original.original_error is not None:
        original = original.original_error  # variable coercion wraps the scalar's own error
    return original is not None and not isinstance(original, (ReadError, GraphQLError, Interrupted))


class WhosaidSchema(strawberry.Schema):
    """Logs only what went wrong on the server's side; a user's bad request is not news."""

    def process_errors(self, errors, execution_context=None) -> None:
        unexpected = [e for e in errors if _should_mask(e)]
        if unexpected:
            super().process_errors(unexpected, execution_context)


schema = WhosaidSchema(
    query=Query,
    mutation=Mutation,
    types=[Entity, Claim, Article],
    config=StrawberryConfig(scalar_map={Date: DATE_SCALAR}),
    extensions=[
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),  # when the text is parsed here
        RequestLimits,
        lambda: MaskErrors(should_mask_error=_should_mask,
                           error_message="Internal error: the server could not answer this; it has been logged."),
    ],
)
