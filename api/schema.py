"""The GraphQL schema as served: the read contract (api/types.py), the writes (api/mutations.py),
and the protections every request goes through (depth, tokens, aliases, masked internal errors)."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors, MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter
from strawberry.schema.config import StrawberryConfig

from graph.read import ReadError

from .mutations import Mutation
from .types import DATE_SCALAR, Article, Claim, Date, Entity, Query

MAX_DEPTH = 10
MAX_TOKENS = 2000
MAX_ALIASES = 20


def _should_mask(error) -> bool:
    """Hide unexpected failures (no internals reach a client); keep the errors written for users."""
    original = getattr(error, "original_error", None)
    while isinstance(original, GraphQLError) and original.original_error is not None:
        original = original.original_error  # variable coercion wraps the scalar's own error
    return original is not None and not isinstance(original, (ReadError, GraphQLError))


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
        lambda: QueryDepthLimiter(max_depth=MAX_DEPTH),
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
        lambda: MaskErrors(should_mask_error=_should_mask,
                           error_message="Internal error: the server could not answer this; it has been logged."),
    ],
)
