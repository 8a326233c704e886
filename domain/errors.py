"""Expected business failures, as codes a client can act on."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    INVALID = "INVALID"
    NOT_FOUND = "NOT_FOUND"
    FORBIDDEN = "FORBIDDEN"
    DUPLICATE = "DUPLICATE"
    INVALID_TRANSITION = "INVALID_TRANSITION"
    OFFER_NOT_PENDING = "OFFER_NOT_PENDING"
    INSUFFICIENT_POINTS = "INSUFFICIENT_POINTS"
    NO_STORE_AVAILABLE = "NO_STORE_AVAILABLE"


class DomainError(Exception):
    """A request the rules refuse; nothing has been written when it is raised."""

    def __init__(self, code: ErrorCode, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


class Invalid(DomainError):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(ErrorCode.INVALID, message, field)


class NotFound(DomainError):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(ErrorCode.NOT_FOUND, message, field)


class Duplicate(DomainError):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(ErrorCode.DUPLICATE, message, field)


class Forbidden(DomainError):
    """The caller may not do this; the API reports it as a GraphQL error, not a payload error."""

    def __init__(self, message: str = "You may not do this.") -> None:
        super().__init__(ErrorCode.FORBIDDEN, message)


class Unauthenticated(Exception):
    """No valid credentials where some are needed."""

    def __init__(self, message: str = "Sign in first.") -> None:
        super().__init__(message)
        self.message = message
