"""How failures reach a client: payload ``errors`` for expected ones, GraphQL errors for auth."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import TypeVar

import strawberry
from graphql import GraphQLError

from domain.errors import DomainError, ErrorCode, Forbidden

T = TypeVar("T")


class Code(StrEnum):
    """``extensions.code`` of the GraphQL errors a client can be sent (limits: ``LimitCode``)."""

    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    BAD_USER_INPUT = "BAD_USER_INPUT"
    NOT_FOUND = "NOT_FOUND"
    RATE_LIMITED = "RATE_LIMITED"
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
    INTERNAL_ERROR = "INTERNAL_ERROR"


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
        super().__init__(message, extensions={"code": str(code)})


def unauthenticated(message: str = "Sign in first.") -> PublicError:
    return PublicError(message, Code.UNAUTHENTICATED)


def forbidden(message: str = "You may not do this.") -> PublicError:
    return PublicError(message, Code.FORBIDDEN)


def bad_input(message: str) -> PublicError:
    return PublicError(message, Code.BAD_USER_INPUT)


def not_found(message: str) -> PublicError:
    return PublicError(message, Code.NOT_FOUND)


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
