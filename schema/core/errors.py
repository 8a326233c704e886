"""How failures reach a client: payload ``errors`` for expected ones, GraphQL errors for auth."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import strawberry
from graphql import GraphQLError

from domain.errors import DomainError, ErrorCode, Forbidden

T = TypeVar("T")

strawberry.enum(ErrorCode)


@strawberry.type
class UserError:
    code: ErrorCode
    message: str
    field: str | None = None

    @classmethod
    def of(cls, exc: DomainError) -> UserError:
        return cls(code=exc.code, message=exc.message, field=exc.field)


class PublicError(GraphQLError):
    """An error whose message and code are meant for the client: never masked."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message, extensions={"code": code})


def unauthenticated(message: str = "Sign in first.") -> PublicError:
    return PublicError(message, "UNAUTHENTICATED")


def forbidden(message: str = "You may not do this.") -> PublicError:
    return PublicError(message, "FORBIDDEN")


def bad_input(message: str) -> PublicError:
    return PublicError(message, "BAD_USER_INPUT")


async def attempt(action: Callable[[], Awaitable[T]]) -> tuple[T | None, list[UserError]]:
    """Run one domain action: its result, or the expected failure as payload errors.

    ``action`` is called here, so that failures while preparing its arguments (an id that
    names nothing) are caught too.
    """
    try:
        return await action(), []
    except Forbidden as exc:
        raise forbidden(exc.message) from None
    except DomainError as exc:
        return None, [UserError.of(exc)]
