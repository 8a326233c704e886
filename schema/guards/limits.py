"""What one document may ask: depth, aliases and tokens, each refusal coded by the limit hit.

The validation rule classes are built once per schema, not per request: strawberry's
``ValidationCache`` keys on the rule classes, so a class made afresh for every request (as the
stock limiter extensions do when given as factories) would never hit the cache.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum

from graphql import ASTValidationRule, GraphQLError
from strawberry.extensions import AddValidationRules, MaxTokensLimiter, SchemaExtension
from strawberry.extensions.max_aliases import create_validator as aliases_validator
from strawberry.extensions.query_depth_limiter import create_validator as depth_validator


class LimitCode(StrEnum):
    """``extensions.code`` of a document refused for its size or shape."""

    DEPTH_LIMIT = "DEPTH_LIMIT"
    ALIAS_LIMIT = "ALIAS_LIMIT"
    TOKEN_LIMIT = "TOKEN_LIMIT"


@dataclass(frozen=True)
class Limits:
    max_depth: int = 12
    max_aliases: int = 15
    max_tokens: int = 2000


# The stock rules' messages, matched to name the limit (their texts are covered by tests).
_MESSAGES: tuple[tuple[str, LimitCode], ...] = (
    ("exceeds maximum operation depth", LimitCode.DEPTH_LIMIT),
    ("aliases found. Allowed:", LimitCode.ALIAS_LIMIT),
    ("Document contains more than", LimitCode.TOKEN_LIMIT),
)


def limit_code(error: GraphQLError) -> LimitCode | None:
    return next((code for text, code in _MESSAGES if text in error.message), None)


class CodeLimitErrors(SchemaExtension):
    """Put the limit's code in ``extensions.code`` of every refusal of a document."""

    def on_operation(self) -> Iterator[None]:
        try:
            yield
        except GraphQLError as refused:
            # ParserCache parses in its own hook, so a document over the token limit is
            # refused by an exception passing through here rather than as a result error.
            _tag(refused)
            raise
        for error in self.execution_context.pre_execution_errors or ():
            _tag(error)


def _tag(error: GraphQLError) -> None:
    code = limit_code(error)
    if code is not None:
        error.extensions = {**(error.extensions or {}), "code": code.value}


def validation_rules(limits: Limits) -> list[type[ASTValidationRule]]:
    """The rules refusing a document too deep or with too many aliases."""
    return [depth_validator(limits.max_depth, None), aliases_validator(limits.max_aliases)]


def limit_extensions(
    limits: Limits, rules: list[type[ASTValidationRule]]
) -> list[Callable[[], SchemaExtension]]:
    """Extension factories enforcing ``limits`` with ``validation_rules(limits)``, made once."""
    return [
        lambda: AddValidationRules(rules),
        lambda: MaxTokensLimiter(max_token_count=limits.max_tokens),
        CodeLimitErrors,
    ]
