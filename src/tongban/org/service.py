"""People and departments: the rules of the organisation chart.

Everyone in the organisation may read the directory (as in DingTalk's default visibility);
deactivated people are visible only to those who administer them. Writes need org admin, or
department admin over every department the change touches.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Select, String, bindparam, func, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tongban.core import i18n
from tongban.core.errors import Conflict, Invalid, NotFound
from tongban.core.events import domain, publish
from tongban.core.permissions import Actor, Role
from tongban.org.models import Department, Membership, Person, RoleAssignment
from tongban.org.pinyin import search_keys
from tongban.org.schemas import (
    DepartmentCreate,
    DepartmentRead,
    DepartmentRef,
    DepartmentUpdate,
    OrgChanged,
    PersonCreate,
    PersonSummary,
    PersonUpdate,
)

i18n.register(
    {
        "person_not_found": ("找不到该成员", "No such person"),
        "department_not_found": ("找不到该部门", "No such department"),
        "department_not_empty": (
            "部门「{name}」下还有成员或子部门，不能删除",
            "Department “{name}” still has members or sub-departments and cannot be deleted",
        ),
        "department_cycle": ("不能把部门移到它自己或它的下级部门下", "A department cannot move under itself"),
        "username_taken": ("用户名已被使用", "This username is already taken"),
        "mobile_taken": ("手机号已被使用", "This mobile number is already in use"),
        "email_taken": ("邮箱已被使用", "This e-mail address is already in use"),
        "employee_no_taken": ("工号已被使用", "This employee number is already in use"),
        "field.primary_not_in_departments": ("主部门必须是所选部门之一", "must be one of the departments"),
        "field.manager_self": ("不能把本人设为直属上级", "cannot be the person themselves"),
        "field.manager_cycle": (
            "不能设为本人的下属（直属上级会形成循环）",
            "cannot be one of the person's own reports (the managers would form a cycle)",
        ),
        "field.unknown_person": ("成员不存在", "no such person"),
        "field.unknown_department": ("部门不存在", "no such department"),
    }
)


# ---- actors -------------------------------------------------------------------------------


async def subtree_ids(session: AsyncSession, department_ids: Iterable[int]) -> set[int]:
    ids = set(department_ids)
    if not ids:
        return set()
    paths = (await session.execute(select(Department.path).where(Department.id.in_(ids)))).scalars().all()
    result = set(ids)
    for path in paths:
        rows = await session.execute(select(Department.id).where(Department.path.startswith(path)))
        result.update(rows.scalars())
    return result


# Built once (statement construction is half the CPU of a query): these run on every request.
_PERSON_WITH_ROLES = (
    select(Person, RoleAssignment.role, RoleAssignment.department_id)
    .outerjoin(RoleAssignment, RoleAssignment.person_id == Person.id)
    .where(Person.id == bindparam("person_id"))
)
_NAMES = select(Person.id, Person.name).where(Person.id.in_(bindparam("ids", expanding=True)))


async def actor_for(
    session: AsyncSession,
    person_id: int,
    *,
    locale: i18n.Locale | None = None,
    session_id: int | None = None,
    token_id: int | None = None,
) -> Actor | None:
    # The person and their roles in one round trip: this runs on every request.
    rows = (await session.execute(_PERSON_WITH_ROLES, {"person_id": person_id})).all()
    if not rows or not rows[0][0].active:
        return None
    person = rows[0][0]
    roles = [(role, dept) for _, role, dept in rows if role is not None]
    is_org_admin = any(role == Role.ORG_ADMIN for role, _ in roles)
    admin_roots = [dept for role, dept in roles if role == Role.DEPT_ADMIN and dept is not None]
    return Actor(
        person_id=person.id,
        name=person.name,
        locale=locale or i18n.normalise_locale(person.locale) or i18n.DEFAULT_LOCALE,
        is_org_admin=is_org_admin,
        admin_department_ids=frozenset(await subtree_ids(session, admin_roots)),
        session_id=session_id,
        token_id=token_id,
    )


async def find_by_login(session: AsyncSession, login: str) -> Person | None:
    """A person by username, mobile or e-mail (usernames and e-mails are stored lower-case)."""
    value = login.strip()
    if not value:
        return None
    stmt = select(Person).where(
        or_(Person.username == value.lower(), Person.mobile == value, Person.email == value.lower())
    )
    return (await session.execute(stmt.limit(1))).scalars().first()


# ---- reading ------------------------------------------------------------------------------


def readable_people(actor: Actor, *, include_inactive: bool = False) -> Select[Person]:
    """The people `actor` may see. Every directory read starts here."""
    stmt = select(Person)
    if not include_inactive:
        return stmt.where(Person.active.is_(True))
    if actor.is_org_admin:
        return stmt
    visible_inactive = select(Membership.person_id).where(
        Membership.department_id.in_(actor.admin_department_ids)
    )
    return stmt.where(or_(Person.active.is_(True), Person.id.in_(visible_inactive)))


async def get_person(session: AsyncSession, actor: Actor, person_id: int) -> Person:
    person = (
        await session.execute(readable_people(actor, include_inactive=True).where(Person.id == person_id))
    ).scalar_one_or_none()
    if person is None:
        raise NotFound("person_not_found")
    return person


async def names_of(session: AsyncSession, person_ids: Iterable[int]) -> dict[int, str]:
    """Display names for ids other capabilities hold (senders, approvers), deactivated included."""
    ids = set(person_ids)
    if not ids:
        return {}
    rows = await session.execute(_NAMES, {"ids": list(ids)})
    return {pid: name for pid, name in rows}


async def active_ids(session: AsyncSession, person_ids: Iterable[int]) -> set[int]:
    """Which of these ids are active people."""
    ids = set(person_ids)
    if not ids:
        return set()
    rows = await session.execute(select(Person.id).where(Person.id.in_(ids), Person.active.is_(True)))
    return set(rows.scalars())


async def department_member_ids(session: AsyncSession, department_id: int) -> set[int]:
    """Active people in a department and all its sub-departments."""
    ids = await subtree_ids(session, [department_id])
    rows = await session.execute(
        select(Membership.person_id)
        .join(Person, Person.id == Membership.person_id)
        .where(Membership.department_id.in_(ids), Person.active.is_(True))
    )
    return set(rows.scalars())


async def enclosing_department_ids(session: AsyncSession, person_id: int) -> set[int]:
    """The person's departments and every department above them (grants to a department
    reach its sub-departments: documents shared with 县政府 reach 大数据中心)."""
    rows = await session.execute(
        select(Department.path)
        .join(Membership, Membership.department_id == Department.id)
        .where(Membership.person_id == person_id)
    )
    return {int(x) for path in rows.scalars() for x in path.strip("/").split("/") if x}


async def department_name(session: AsyncSession, department_id: int) -> str | None:
    dept = await session.get(Department, department_id)
    return dept.name if dept else None


async def memberships_of(session: AsyncSession, person_ids: Sequence[int]) -> dict[int, list[DepartmentRef]]:
    if not person_ids:
        return {}
    rows = await session.execute(
        select(Membership.person_id, Department.id, Department.name, Membership.is_primary)
        .join(Department, Department.id == Membership.department_id)
        .where(Membership.person_id.in_(person_ids))
        .order_by(Membership.is_primary.desc(), Department.sort_order, Department.id)
    )
    result: dict[int, list[DepartmentRef]] = {pid: [] for pid in person_ids}
    for pid, did, name, primary in rows:
        result[pid].append(DepartmentRef(id=did, name=name, is_primary=primary))
    return result


async def summaries(session: AsyncSession, people: Sequence[Person]) -> list[PersonSummary]:
    depts = await memberships_of(session, [p.id for p in people])
    return [
        PersonSummary(
            id=p.id,
            name=p.name,
            title=p.title,
            avatar_file_id=p.avatar_file_id,
            active=p.active,
            departments=depts.get(p.id, []),
        )
        for p in people
    ]


async def department_paths(session: AsyncSession, department_ids: Iterable[int]) -> dict[int, list[str]]:
    """Names from the root down to each department, for profile cards."""
    depts = (await session.execute(select(Department.id, Department.path))).all()
    wanted = {did: path for did, path in depts if did in set(department_ids)}
    needed = {int(x) for path in wanted.values() for x in path.strip("/").split("/") if x}
    names = dict(
        (await session.execute(select(Department.id, Department.name).where(Department.id.in_(needed)))).all()
    )
    return {
        did: [names[int(x)] for x in path.strip("/").split("/") if x and int(x) in names]
        for did, path in wanted.items()
    }


async def roles_of(session: AsyncSession, person_id: int) -> list[str]:
    rows = await session.execute(select(RoleAssignment.role).where(RoleAssignment.person_id == person_id))
    roles = sorted(set(rows.scalars()), key=lambda r: [Role.ORG_ADMIN, Role.DEPT_ADMIN].index(Role(r)))
    return [*roles, Role.MEMBER.value]


async def list_departments(session: AsyncSession, actor: Actor) -> list[DepartmentRead]:
    counts = dict(
        (
            await session.execute(
                select(Membership.department_id, func.count())
                .join(Person, Person.id == Membership.person_id)
                .where(Person.active.is_(True))
                .group_by(Membership.department_id)
            )
        ).all()
    )
    depts = (
        await session.execute(select(Department).order_by(Department.sort_order, Department.id))
    ).scalars()
    return [
        DepartmentRead(
            id=d.id,
            name=d.name,
            parent_id=d.parent_id,
            sort_order=d.sort_order,
            member_count=int(counts.get(d.id, 0)),
            head_id=d.head_id,
        )
        for d in depts
    ]


# ---- departments --------------------------------------------------------------------------


async def _department(session: AsyncSession, department_id: int, field: str | None = None) -> Department:
    dept = await session.get(Department, department_id)
    if dept is None:
        if field:
            raise Invalid(field, "field.unknown_department")
        raise NotFound("department_not_found")
    return dept


async def _check_person_exists(session: AsyncSession, person_id: int, field: str) -> None:
    if await session.get(Person, person_id) is None:
        raise Invalid(field, "field.unknown_person")


async def do_create_department(
    session: AsyncSession, actor: Actor, data: DepartmentCreate, *, emit: bool = True
) -> Department:
    if data.parent_id is None:
        actor.require_org_admin()
        parent_path = "/"
    else:
        parent = await _department(session, data.parent_id, "body.parent_id")
        actor.require_department_admin(parent.id)
        parent_path = parent.path
    if data.head_id is not None:
        await _check_person_exists(session, data.head_id, "body.head_id")
    dept = Department(
        name=data.name, parent_id=data.parent_id, sort_order=data.sort_order, head_id=data.head_id
    )
    session.add(dept)
    await session.flush()
    dept.path = f"{parent_path}{dept.id}/"
    if emit:
        await _emit(session, actor, department_ids=[dept.id])
    return dept


async def do_update_department(
    session: AsyncSession, actor: Actor, department_id: int, data: DepartmentUpdate
) -> Department:
    dept = await _department(session, department_id)
    actor.require_department_admin(dept.id)
    changes = data.model_dump(exclude_unset=True)
    if "name" in changes and data.name is not None:
        dept.name = data.name
    if "sort_order" in changes and data.sort_order is not None:
        dept.sort_order = data.sort_order
    if "head_id" in changes:
        if data.head_id is not None:
            await _check_person_exists(session, data.head_id, "body.head_id")
        dept.head_id = data.head_id
    if "parent_id" in changes and data.parent_id != dept.parent_id:
        await _move_department(session, actor, dept, data.parent_id)
    await session.flush()
    await _emit(session, actor, department_ids=[dept.id])
    return dept


async def _move_department(
    session: AsyncSession, actor: Actor, dept: Department, parent_id: int | None
) -> None:
    if parent_id is None:
        actor.require_org_admin()
        new_prefix = "/"
    else:
        parent = await _department(session, parent_id, "body.parent_id")
        actor.require_department_admin(parent.id)
        if parent.path.startswith(dept.path):
            raise Invalid("body.parent_id", "field.invalid")
        new_prefix = parent.path
    old_path = dept.path
    new_path = f"{new_prefix}{dept.id}/"
    # Rewrite the whole subtree's paths in one statement.
    await session.execute(
        update(Department)
        .where(Department.path.startswith(old_path))
        .values(path=literal(new_path, String) + func.substr(Department.path, len(old_path) + 1))
        .execution_options(synchronize_session=False)
    )
    dept.parent_id = parent_id
    dept.path = new_path


async def do_delete_department(session: AsyncSession, actor: Actor, department_id: int) -> None:
    dept = await _department(session, department_id)
    actor.require_department_admin(dept.id)
    if dept.parent_id is None:
        actor.require_org_admin()
    has_children = await session.scalar(select(func.count()).where(Department.parent_id == dept.id))
    has_members = await session.scalar(select(func.count()).where(Membership.department_id == dept.id))
    if has_children or has_members:
        raise Conflict("department_not_empty", name=dept.name)
    await session.delete(dept)
    await session.flush()
    await _emit(session, actor, department_ids=[department_id])


# ---- people -------------------------------------------------------------------------------


async def _check_unique(session: AsyncSession, person_id: int | None, **values: Any) -> None:
    for column, code in (
        ("username", "username_taken"),
        ("mobile", "mobile_taken"),
        ("email", "email_taken"),
        ("employee_no", "employee_no_taken"),
    ):
        value = values.get(column)
        if value is None:
            continue
        col = getattr(Person, column)
        cond = func.lower(col) == value.lower() if column in ("username", "email") else col == value
        stmt = select(Person.id).where(cond)
        if person_id is not None:
            stmt = stmt.where(Person.id != person_id)
        if (await session.execute(stmt.limit(1))).first() is not None:
            raise Invalid(f"body.{column}", code)


async def _set_memberships(
    session: AsyncSession, actor: Actor, person: Person, department_ids: list[int], primary: int | None
) -> None:
    ids = list(dict.fromkeys(department_ids))
    for did in ids:
        await _department(session, did, "body.department_ids")
        actor.require_department_admin(did)
    primary_id = primary if primary is not None else ids[0]
    if primary_id not in ids:
        raise Invalid("body.primary_department_id", "field.primary_not_in_departments")
    existing = (
        (await session.execute(select(Membership).where(Membership.person_id == person.id))).scalars().all()
    )
    for m in existing:
        if m.department_id not in ids:
            actor.require_department_admin(m.department_id)
            await session.delete(m)
    have = {m.department_id: m for m in existing}
    for did in ids:
        membership = have.get(did)
        if membership is None:
            session.add(Membership(person_id=person.id, department_id=did, is_primary=did == primary_id))
        else:
            membership.is_primary = did == primary_id


async def do_create_person(
    session: AsyncSession, actor: Actor, data: PersonCreate, *, emit: bool = True
) -> Person:
    await _check_unique(
        session,
        None,
        username=data.username,
        mobile=data.mobile,
        email=data.email,
        employee_no=data.employee_no,
    )
    if data.manager_id is not None:
        await _check_person_exists(session, data.manager_id, "body.manager_id")
    pinyin_full, initials = search_keys(data.name)
    person = Person(
        username=data.username,
        name=data.name,
        name_pinyin=pinyin_full,
        name_initials=initials,
        mobile=data.mobile,
        email=data.email,
        title=data.title,
        employee_no=data.employee_no,
        manager_id=data.manager_id,
        timezone=data.timezone,
    )
    if data.working_hours is not None:
        person.working_hours = data.working_hours.model_dump()
    session.add(person)
    await session.flush()
    await _set_memberships(session, actor, person, data.department_ids, data.primary_department_id)
    await session.flush()
    if emit:
        await _emit(session, actor, person_ids=[person.id])
    return person


async def _require_admin_of(session: AsyncSession, actor: Actor, person: Person) -> None:
    if actor.is_org_admin:
        return
    # A department admin manages the people of their departments, but not an organisation admin
    # who happens to sit there (that would let them lock the admin out).
    target_is_org_admin = await session.scalar(
        select(func.count()).where(
            RoleAssignment.person_id == person.id, RoleAssignment.role == Role.ORG_ADMIN
        )
    )
    depts = (
        await session.execute(select(Membership.department_id).where(Membership.person_id == person.id))
    ).scalars()
    if target_is_org_admin or not any(actor.can_admin_department(d) for d in depts):
        actor.require_org_admin()


async def _check_no_manager_cycle(session: AsyncSession, person_id: int, manager_id: int) -> None:
    """Refuse a manager who reports (directly or not) to the person: reporting lines that loop
    would send anything that walks up the chain — escalations, approvals — round forever."""
    seen: set[int] = set()
    current: int | None = manager_id
    while current is not None and current not in seen:
        if current == person_id:
            raise Invalid("body.manager_id", "field.manager_cycle")
        seen.add(current)
        current = await session.scalar(select(Person.manager_id).where(Person.id == current))


async def do_update_person(
    session: AsyncSession, actor: Actor, person_id: int, data: PersonUpdate, *, emit: bool = True
) -> Person:
    person = await get_person(session, actor, person_id)
    await _require_admin_of(session, actor, person)
    changes = data.model_dump(exclude_unset=True)
    await _check_unique(
        session,
        person.id,
        mobile=changes.get("mobile"),
        email=changes.get("email"),
        employee_no=changes.get("employee_no"),
    )
    if changes.get("manager_id") is not None:
        if changes["manager_id"] == person.id:
            raise Invalid("body.manager_id", "field.manager_self")
        await _check_person_exists(session, changes["manager_id"], "body.manager_id")
        await _check_no_manager_cycle(session, person.id, changes["manager_id"])
    for key in ("mobile", "email", "employee_no", "manager_id", "avatar_file_id"):
        if key in changes:
            setattr(person, key, changes[key])
    for key in ("title", "timezone"):
        if changes.get(key) is not None:
            setattr(person, key, changes[key])
    if data.name is not None:
        person.name = data.name
        person.name_pinyin, person.name_initials = search_keys(data.name)
    if data.working_hours is not None:
        person.working_hours = data.working_hours.model_dump()
    if data.department_ids is not None:
        await _set_memberships(session, actor, person, data.department_ids, data.primary_department_id)
    await session.flush()
    if emit:
        await _emit(session, actor, person_ids=[person.id])
    return person


async def do_set_active(session: AsyncSession, actor: Actor, person_id: int, active: bool) -> Person:
    person = await get_person(session, actor, person_id)
    await _require_admin_of(session, actor, person)
    if person.id == actor.person_id and not active:
        raise Invalid("path.person_id", "field.invalid")
    person.active = active
    await session.flush()
    await _emit(session, actor, person_ids=[person.id])
    return person


async def emit_org_changed(session: AsyncSession, actor: Actor) -> None:
    """Announce a bulk change (the import) once: an event without ids means "refetch everything".

    Bulk writers pass `emit=False` to each `do_*` call and call this at the end, so twenty
    thousand imported rows do not become twenty thousand events for every admin.
    """
    await _emit(session, actor)


async def _emit(
    session: AsyncSession,
    actor: Actor,
    *,
    person_ids: list[int] | None = None,
    department_ids: list[int] | None = None,
) -> None:
    """Tell admins and the people concerned; other clients refetch the directory when they open it."""
    admins = (
        await session.execute(select(RoleAssignment.person_id).where(RoleAssignment.role == Role.ORG_ADMIN))
    ).scalars()
    recipients = {actor.person_id, *admins, *(person_ids or [])}
    event = OrgChanged(person_ids=person_ids or [], department_ids=department_ids or [])
    await publish(session, recipients, event)
    # Other capabilities follow the org chart (im's department groups) in this same transaction.
    await domain.emit(session, event)
