"""Who is calling: the subject of a verified token."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    MEMBER = "MEMBER"
    CLERK = "CLERK"
    MANAGER = "MANAGER"
    ADMIN = "ADMIN"
    # A distributor's own staff: its shipments, alerts and statements, nothing else.
    DISTRIBUTOR = "DISTRIBUTOR"


STAFF_ROLES = frozenset({Role.CLERK, Role.MANAGER})


@dataclass(frozen=True)
class Principal:
    role: Role
    user_id: int
    store_id: int | None = None

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_member(self) -> bool:
        return self.role is Role.MEMBER

    @property
    def is_distributor(self) -> bool:
        return self.role is Role.DISTRIBUTOR
