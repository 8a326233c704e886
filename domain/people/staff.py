"""Taking a staff member off a store: the account stops signing in and its tokens stop working."""

from __future__ import annotations

from domain.access.visibility import visible_staff
from domain.enums import StaffRole
from domain.errors import Forbidden, Invalid, NotFound
from domain.people.models import Staff
from domain.principal import Principal, Role


async def remove_staff(actor: Principal, staff_id: int) -> Staff:
    """Admins remove anyone; a manager removes the clerks of their own store.

    The caller still has to revoke the staff member's tokens (``sessions.revoke_all``).
    """
    staff = await visible_staff(actor).get_or_none(id=staff_id)
    if staff is None:
        raise NotFound("No such staff member.", "id")
    if actor.is_staff and actor.user_id == staff.id:
        raise Invalid("You cannot remove yourself.", "id")
    if not (actor.is_admin or (actor.role is Role.MANAGER and staff.role is StaffRole.CLERK)):
        raise Forbidden("Only an admin can remove a manager.")
    await Staff.filter(id=staff.id).update(active=False)
    staff.active = False
    return staff
