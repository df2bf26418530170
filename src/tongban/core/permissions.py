"""Who is asking: the `Actor`, and the role checks every capability uses.

Authentication (auth/) turns a cookie or a bearer token into an Actor; capabilities only ever
see the Actor. Per-resource checks live in each capability's `access_*` functions and its
`readable(actor)` query scope; the role checks here are the shared vocabulary.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from tongban.core.errors import Forbidden
from tongban.core.i18n import Locale


class Role(enum.StrEnum):
    ORG_ADMIN = "org_admin"  # 组织管理员: everything in the organisation
    DEPT_ADMIN = "dept_admin"  # 部门管理员: members and sub-departments of some departments
    MEMBER = "member"


@dataclass(frozen=True)
class Actor:
    person_id: int
    name: str
    locale: Locale
    is_org_admin: bool = False
    # Departments this person administers, each with all its descendants already expanded.
    admin_department_ids: frozenset[int] = field(default_factory=frozenset)
    session_id: int | None = None  # None when the caller uses a personal access token
    token_id: int | None = None

    @property
    def roles(self) -> list[Role]:
        roles = [Role.MEMBER]
        if self.admin_department_ids:
            roles.insert(0, Role.DEPT_ADMIN)
        if self.is_org_admin:
            roles.insert(0, Role.ORG_ADMIN)
        return roles

    def can_admin_department(self, department_id: int | None) -> bool:
        if self.is_org_admin:
            return True
        return department_id is not None and department_id in self.admin_department_ids

    def require_org_admin(self) -> None:
        if not self.is_org_admin:
            raise Forbidden()

    def require_department_admin(self, department_id: int | None) -> None:
        if not self.can_admin_department(department_id):
            raise Forbidden()

    def require_any_admin(self) -> None:
        if not (self.is_org_admin or self.admin_department_ids):
            raise Forbidden()
