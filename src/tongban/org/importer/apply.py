"""The import itself: check everything, then write it through the org service's `do_*` functions.

For a person who already exists an empty cell leaves that field as it is, and the departments in
the file replace the person's memberships; the initial password is only used for new people.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tongban.auth.service import set_password
from tongban.core import i18n
from tongban.core.config import Settings
from tongban.core.permissions import Actor
from tongban.org import service
from tongban.org.importer.messages import _Report
from tongban.org.importer.reading import _parse, _Row
from tongban.org.importer.validation import (
    _check_cells,
    _check_managers,
    _check_passwords,
    _check_unique,
    _Existing,
    _Tree,
)
from tongban.org.models import Department, Person, RoleAssignment
from tongban.org.schemas import DepartmentCreate, ImportReport, PersonCreate, PersonUpdate

DEFAULT_TIMEZONE = "Asia/Shanghai"


# ---- the import ---------------------------------------------------------------------------


async def _system_actor(session: AsyncSession) -> Actor:
    """The command line acts as the first organisation admin, or as the system on a fresh install."""
    admin_id = (
        await session.execute(
            select(RoleAssignment.person_id)
            .where(RoleAssignment.role == "org_admin")
            .order_by(RoleAssignment.id)
        )
    ).scalar()
    if admin_id is not None:
        actor = await service.actor_for(session, admin_id)
        if actor is not None:
            return actor
    return Actor(person_id=0, name="system", locale=i18n.current_locale.get(), is_org_admin=True)


async def import_file(
    session: AsyncSession,
    settings: Settings,
    filename: str,
    data: bytes,
    *,
    dry_run: bool,
    actor: Actor | None = None,
) -> ImportReport:
    """Check the whole file, then (unless `dry_run` or anything is wrong) write all of it.

    `filename` is only informative: the format is sniffed from the bytes. Without `actor`
    (the command line) the import acts as the first organisation admin. The caller decides
    whether to commit; nothing is written when the report is not ok.
    """
    if actor is None:
        actor = await _system_actor(session)
    actor.require_org_admin()
    report = _Report({})
    rows = _parse(data, report)
    if not rows:
        return _result(report, dry_run, 0)

    existing = [
        _Existing(*r)
        for r in (
            await session.execute(
                select(
                    Person.id,
                    Person.username,
                    Person.name,
                    Person.mobile,
                    Person.email,
                    Person.employee_no,
                    Person.manager_id,
                )
            )
        ).all()
    ]
    by_username = {p.username.lower(): p for p in existing}
    for row in rows:
        match = by_username.get(row.key)
        row.existing_id = match.id if match else None
        _check_cells(row, report)
    _check_unique(rows, existing, report)
    _check_managers(rows, existing, report)
    _check_passwords(rows, report)
    report.errors.sort(key=lambda e: e.row)

    departments = (
        await session.execute(
            select(Department.id, Department.name, Department.parent_id).order_by(
                Department.sort_order, Department.id
            )
        )
    ).all()
    tree = _Tree([(d, n, p) for d, n, p in departments])
    new_paths = tree.missing([p for row in rows for p in row.departments])
    created = sum(1 for r in rows if r.existing_id is None)
    if report.errors:
        return _result(report, dry_run, len(rows))
    if dry_run:
        return _result(report, dry_run, len(rows), created, len(rows) - created, len(new_paths))

    await _write(session, settings, actor, rows, existing, tree, new_paths)
    return _result(report, dry_run, len(rows), created, len(rows) - created, len(new_paths))


def _result(
    report: _Report, dry_run: bool, total: int, created: int = 0, updated: int = 0, departments: int = 0
) -> ImportReport:
    ok = not report.errors
    return ImportReport(
        ok=ok,
        dry_run=dry_run,
        total_rows=total,
        created=created if ok else 0,
        updated=updated if ok else 0,
        departments_created=departments if ok else 0,
        errors=report.errors,
    )


async def _write(
    session: AsyncSession,
    settings: Settings,
    actor: Actor,
    rows: Sequence[_Row],
    existing: Sequence[_Existing],
    tree: _Tree,
    new_paths: Sequence[tuple[str, ...]],
) -> None:
    for path in new_paths:
        parent_id = tree.resolve(path[:-1]) if len(path) > 1 else None
        dept = await service.do_create_department(
            session, actor, DepartmentCreate(name=path[-1], parent_id=parent_id), emit=False
        )
        tree.created[path] = dept.id

    ids = {p.username.lower(): p.id for p in existing}
    file_rows = {row.key: row for row in rows}
    # Managers before the people who report to them, so every manager already has an id.
    # The checks above ruled out cycles, so this terminates.
    order: list[_Row] = []
    placed: set[str] = set()
    for row in rows:
        chain: list[_Row] = []
        current: _Row | None = row
        while current is not None and current.key not in placed:
            chain.append(current)
            placed.add(current.key)
            current = file_rows.get(current.get("manager").lower())
        order.extend(reversed(chain))

    for row in order:
        department_ids = [tree.resolve(p) for p in row.departments]
        dept_ids = [d for d in dict.fromkeys(department_ids) if d is not None]
        manager = row.get("manager").lower()
        manager_id = ids[manager] if manager else None
        mobile, email, employee_no = (row.get(k) or None for k in ("mobile", "email", "employee_no"))
        if row.existing_id is None:
            person = await service.do_create_person(
                session,
                actor,
                PersonCreate(
                    name=row.get("name"),
                    username=row.username,
                    title=row.get("title"),
                    department_ids=dept_ids,
                    primary_department_id=dept_ids[0],
                    manager_id=manager_id,
                    timezone=row.get("timezone") or DEFAULT_TIMEZONE,
                    mobile=mobile,
                    email=email,
                    employee_no=employee_no,
                ),
                emit=False,
            )
            ids[row.key] = person.id
            if row.get("password"):
                await set_password(session, settings, person.id, row.get("password"))
        else:
            changes: dict[str, Any] = {
                "name": row.get("name"),
                "department_ids": dept_ids,
                "primary_department_id": dept_ids[0],
            }
            for key in ("mobile", "email", "employee_no", "title", "timezone"):
                if row.get(key):
                    changes[key] = row.get(key)
            if manager_id is not None:
                changes["manager_id"] = manager_id
            await service.do_update_person(
                session, actor, row.existing_id, PersonUpdate(**changes), emit=False
            )
    await service.emit_org_changed(session, actor)
