"""Who may call a field, declared on the field (strawberry's ``permission_classes``).

Each class names the roles it lets through. A refused caller gets the GraphQL error that
``Context.require`` raises: ``UNAUTHENTICATED`` without a usable token (with the reason a
refused token was refused), ``FORBIDDEN`` for another role. What is a business rule rather than
a role (which store may accept an offer) stays in the domain.
"""

from __future__ import annotations

from typing import Any, ClassVar

from strawberry.permission import BasePermission

from domain.principal import Role
from schema.core.context import Info


class _Roles(BasePermission):
    # Empty: any signed-in caller.
    roles: ClassVar[tuple[Role, ...]] = ()

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        # Raises the precise refusal itself, rather than one fixed message for every cause.
        info.context.require(*self.roles)
        return True


class IsSignedIn(_Roles):
    """Any caller with a valid token."""


class IsMember(_Roles):
    roles = (Role.MEMBER,)


class IsAdmin(_Roles):
    roles = (Role.ADMIN,)


class IsStoreStaff(_Roles):
    """A clerk or a manager: someone at a store's counter."""

    roles = (Role.CLERK, Role.MANAGER)


class IsManagerOrAdmin(_Roles):
    roles = (Role.ADMIN, Role.MANAGER)


class IsStaffOrAdmin(_Roles):
    roles = (Role.ADMIN, Role.MANAGER, Role.CLERK)


class IsMemberStaffOrAdmin(_Roles):
    roles = (Role.MEMBER, Role.CLERK, Role.MANAGER, Role.ADMIN)


class IsDistributorOrAdmin(_Roles):
    """An admin, or a distributor's own sign-in (which the resolvers keep to its own rows)."""

    roles = (Role.ADMIN, Role.DISTRIBUTOR)
