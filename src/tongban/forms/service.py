"""Apps and forms: who holds which role in an app, designing, and publishing versions.

Roles come from the app's grants (a person, a department with its sub-departments, or
everyone); the owner holds every role. `manage` implies `view_all` and `submit`; `view_all`
implies `view_dept`. Someone assigned a collection task may open and fill in its form without
any grant. Everything else about a form is refused with the same 404 as a missing one, so an
id tells a stranger nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from tongban.core import i18n
from tongban.core.db import utcnow
from tongban.core.errors import Conflict, Forbidden, Invalid, NotFound
from tongban.core.permissions import Actor
from tongban.forms.models import NUMBER_SLOTS, TEXT_SLOTS, AppGrant, Form, FormApp, FormVersion, TaskAssignee
from tongban.forms.schema import DIMENSION_TYPES, NUMERIC_TYPES, FormSchema, check_schema
from tongban.forms.schemas import (
    AppCreate,
    AppDetail,
    AppRead,
    AppUpdate,
    FormCreate,
    FormGrantRead,
    FormRead,
    FormSummary,
    GrantIn,
    Role,
    StatField,
)
from tongban.org import service as org

i18n.register(
    {
        "app_not_found": ("找不到该应用", "No such app"),
        "form_not_found": ("找不到该表单", "No such form"),
        "template_not_found": ("找不到该模板", "No such template"),
        "form_not_published": ("表单尚未发布，不能填写", "This form is not published yet"),
        "form_archived": ("表单已归档，不能再填写", "This form is archived and takes no more submissions"),
        "form_nothing_to_publish": ("表单还没有字段，不能发布", "Add fields before publishing the form"),
        "field.grant_subject": (
            "应指定一位成员、一个部门或所有人中的一项",
            "must name exactly one of a person, a department or everyone",
        ),
    }
)

ALL_ROLES: tuple[Role, ...] = ("manage", "view_all", "view_dept", "submit")
_IMPLIES: dict[str, tuple[Role, ...]] = {
    "manage": ("manage", "view_all", "view_dept", "submit"),
    "view_all": ("view_all", "view_dept"),
    "view_dept": ("view_dept",),
    "submit": ("submit",),
}


# ---- roles ----------------------------------------------------------------------------------


async def _in_department(session: AsyncSession, actor: Actor, department_id: int) -> bool:
    cache: dict[int, bool] = session.info.setdefault("forms_in_department", {})
    if department_id not in cache:
        cache[department_id] = actor.person_id in await org.department_member_ids(session, department_id)
    return cache[department_id]


async def _grant_applies(session: AsyncSession, actor: Actor, grant: AppGrant) -> bool:
    if grant.person_id is None and grant.department_id is None:
        return True
    if grant.person_id is not None:
        return grant.person_id == actor.person_id
    assert grant.department_id is not None
    return await _in_department(session, actor, grant.department_id)


async def app_grants(session: AsyncSession, app_id: int) -> list[AppGrant]:
    """The app's grants, read once per transaction (roles and live-update recipients use them)."""
    cache: dict[int, list[AppGrant]] = session.info.setdefault("forms_grants", {})
    if app_id not in cache:
        stmt = select(AppGrant).where(AppGrant.app_id == app_id)
        cache[app_id] = list((await session.execute(stmt)).scalars())
    return cache[app_id]


class AppOwner(Protocol):
    """What roles are worked out from: an app's id and owner (a FormApp, or the submit path's
    lean row)."""

    @property
    def id(self) -> int: ...
    @property
    def owner_id(self) -> int: ...


def prime_grants(session: AsyncSession, app_id: int, grants: list[AppGrant]) -> None:
    """Hand `app_grants` grants already read with something else in the same transaction."""
    session.info.setdefault("forms_grants", {})[app_id] = grants


async def roles_in(session: AsyncSession, actor: Actor, app: AppOwner) -> list[Role]:
    """The caller's roles in an app, implied ones included, in a stable order."""
    cache: dict[int, list[Role]] = session.info.setdefault("forms_roles", {})
    if app.id in cache:
        return cache[app.id]
    held: set[str] = set()
    if app.owner_id == actor.person_id:
        held.update(ALL_ROLES)
    else:
        for grant in await app_grants(session, app.id):
            if grant.role not in held and await _grant_applies(session, actor, grant):
                held.update(_IMPLIES[grant.role])
    roles = [r for r in ALL_ROLES if r in held]
    cache[app.id] = roles
    return roles


async def is_assignee(session: AsyncSession, actor: Actor, form_id: int) -> bool:
    from tongban.forms.models import CollectionTask

    row = await session.execute(
        select(TaskAssignee.id)
        .join(CollectionTask, CollectionTask.id == TaskAssignee.task_id)
        .where(CollectionTask.form_id == form_id, TaskAssignee.person_id == actor.person_id)
        .limit(1)
    )
    return row.first() is not None


async def access_app(session: AsyncSession, actor: Actor, app_id: int, need: Role | None = None) -> FormApp:
    """The app, if the caller holds some role in it (and `need`, when given)."""
    app = await session.get(FormApp, app_id)
    if app is None:
        raise NotFound("app_not_found")
    roles = await roles_in(session, actor, app)
    if not roles:
        raise NotFound("app_not_found")
    if need is not None and need not in roles:
        raise Forbidden()
    return app


# Built once: it runs on every submission.
_FORM_WITH_APP = (
    select(Form, FormApp).join(FormApp, FormApp.id == Form.app_id).where(Form.id == bindparam("form_id"))
)


async def access_form(
    session: AsyncSession, actor: Actor, form_id: int, need: Role | None = None
) -> tuple[Form, FormApp, list[Role]]:
    """The form, its app and the caller's roles. `need=None` asks only to see the form, which a
    task assignee may do without any role."""
    found = (await session.execute(_FORM_WITH_APP, {"form_id": form_id})).first()
    if found is None:
        raise NotFound("form_not_found")
    form, app = found
    roles = await roles_in(session, actor, app)
    if not roles and not await is_assignee(session, actor, form.id):
        raise NotFound("form_not_found")
    if need is not None and need not in roles:
        raise Forbidden()
    return form, app, roles


# ---- apps -----------------------------------------------------------------------------------


async def list_apps(session: AsyncSession, actor: Actor) -> list[AppRead]:
    """Apps in which the caller holds a role, newest first."""
    apps = (
        (
            await session.execute(
                select(FormApp).where(FormApp.archived.is_(False)).order_by(FormApp.id.desc())
            )
        )
        .scalars()
        .all()
    )
    readable = [(a, await roles_in(session, actor, a)) for a in apps]
    readable = [(a, r) for a, r in readable if r]
    forms = await _forms_of(session, [a.id for a, _ in readable])
    return [_app_read(a, roles, forms.get(a.id, [])) for a, roles in readable]


async def _forms_of(session: AsyncSession, app_ids: list[int]) -> dict[int, list[FormSummary]]:
    if not app_ids:
        return {}
    rows = (
        await session.execute(
            select(Form, FormVersion.number)
            .outerjoin(FormVersion, FormVersion.id == Form.version_id)
            .where(Form.app_id.in_(app_ids))
            .order_by(Form.id)
        )
    ).all()
    out: dict[int, list[FormSummary]] = {}
    for form, number in rows:
        out.setdefault(form.app_id, []).append(
            FormSummary(
                id=form.id,
                app_id=form.app_id,
                name=form.name,
                name_en=form.name_en,
                status=form.status,
                version_number=number,
            )
        )
    return out


def _app_read(app: FormApp, roles: list[Role], forms: list[FormSummary]) -> AppRead:
    return AppRead(
        id=app.id,
        name=app.name,
        name_en=app.name_en,
        description=app.description,
        icon=app.icon,
        template=app.template,
        owner_id=app.owner_id,
        archived=app.archived,
        created_at=app.created_at,
        my_roles=roles,
        forms=forms,
    )


async def get_app(session: AsyncSession, actor: Actor, app_id: int) -> AppDetail:
    app = await access_app(session, actor, app_id)
    roles = await roles_in(session, actor, app)
    forms = (await _forms_of(session, [app.id])).get(app.id, [])
    grants: list[FormGrantRead] = []
    if "manage" in roles:
        grants = await _grants_read(session, app.id)
    return AppDetail(**_app_read(app, roles, forms).model_dump(), grants=grants)


async def _grants_read(session: AsyncSession, app_id: int) -> list[FormGrantRead]:
    rows = (await session.execute(select(AppGrant).where(AppGrant.app_id == app_id))).scalars().all()
    names = await org.names_of(session, [g.person_id for g in rows if g.person_id])
    out: list[FormGrantRead] = []
    for g in rows:
        name = ""
        if g.person_id:
            name = names.get(g.person_id, "")
        elif g.department_id:
            name = await org.department_name(session, g.department_id) or ""
        out.append(
            FormGrantRead(
                role=g.role,
                person_id=g.person_id,
                department_id=g.department_id,
                everyone=g.person_id is None and g.department_id is None,
                name=name,
            )
        )
    return out


async def do_create_app(
    session: AsyncSession, actor: Actor, data: AppCreate, template: str | None = None
) -> FormApp:
    app = FormApp(
        name=data.name,
        name_en=data.name_en,
        description=data.description,
        icon=data.icon,
        owner_id=actor.person_id,
        template=template,
    )
    session.add(app)
    await session.flush()
    return app


async def do_update_app(session: AsyncSession, actor: Actor, app_id: int, data: AppUpdate) -> FormApp:
    app = await access_app(session, actor, app_id, "manage")
    for key, value in data.model_dump(exclude_unset=True).items():
        if value is not None:
            setattr(app, key, value)
    await session.flush()
    return app


async def do_set_grants(session: AsyncSession, actor: Actor, app_id: int, grants: Iterable[GrantIn]) -> None:
    """Replace the app's grants (the owner always keeps every role)."""
    app = await access_app(session, actor, app_id, "manage")
    wanted = list(grants)
    for index, g in enumerate(wanted):
        subjects = sum([g.person_id is not None, g.department_id is not None, g.everyone])
        if subjects != 1:
            raise Invalid(f"body.grants.{index}", "field.grant_subject")
        if g.person_id is not None and not await org.names_of(session, [g.person_id]):
            raise Invalid(f"body.grants.{index}.person_id", "field.unknown_person")
        if g.department_id is not None and await org.department_name(session, g.department_id) is None:
            raise Invalid(f"body.grants.{index}.department_id", "field.unknown_department")
    existing = (await session.execute(select(AppGrant).where(AppGrant.app_id == app.id))).scalars().all()
    for row in existing:
        await session.delete(row)
    seen: set[tuple[str, int | None, int | None]] = set()
    for g in wanted:
        key = (g.role, g.person_id, g.department_id)
        if key not in seen:
            seen.add(key)
            session.add(
                AppGrant(app_id=app.id, role=g.role, person_id=g.person_id, department_id=g.department_id)
            )
    session.info.pop("forms_roles", None)
    session.info.pop("forms_grants", None)
    await session.flush()


# ---- forms ----------------------------------------------------------------------------------


async def do_create_form(session: AsyncSession, actor: Actor, app_id: int, data: FormCreate) -> Form:
    app = await access_app(session, actor, app_id, "manage")
    check_schema(data.schema_)
    form = Form(
        app_id=app.id,
        name=data.name,
        name_en=data.name_en,
        description=data.description,
        draft=data.schema_.model_dump(mode="json", exclude_none=True),
        created_by=actor.person_id,
    )
    session.add(form)
    await session.flush()
    return form


async def do_save_draft(
    session: AsyncSession,
    actor: Actor,
    form_id: int,
    schema: FormSchema,
    *,
    name: str | None = None,
    name_en: str | None = None,
    description: str | None = None,
) -> Form:
    """Save the designer's schema; refused (nothing saved) when a formula or rule cannot work."""
    form, _app, _roles = await access_form(session, actor, form_id, "manage")
    check_schema(schema)
    form.draft = schema.model_dump(mode="json", exclude_none=True)
    if name is not None:
        form.name = name
    if name_en is not None:
        form.name_en = name_en
    if description is not None:
        form.description = description
    form.updated_at = utcnow()
    await session.flush()
    return form


async def do_publish(session: AsyncSession, actor: Actor, form_id: int) -> FormVersion:
    """Publish the draft as a new version; earlier submissions keep theirs."""
    form, _app, _roles = await access_form(session, actor, form_id, "manage")
    schema = FormSchema.model_validate(form.draft)
    check_schema(schema)
    if not [f for f in schema.fields if f.type != "description"]:
        raise Conflict("form_nothing_to_publish")
    form.version_count += 1
    version = FormVersion(
        form_id=form.id,
        number=form.version_count,
        schema=form.draft,
        published_by=actor.person_id,
    )
    session.add(version)
    await session.flush()
    form.version_id = version.id
    form.status = "published"
    form.slots = assign_slots(schema, dict(form.slots or {}))
    form.updated_at = utcnow()
    await session.flush()
    return version


async def do_archive(session: AsyncSession, actor: Actor, form_id: int) -> Form:
    form, _app, _roles = await access_form(session, actor, form_id, "manage")
    form.status = "archived"
    await session.flush()
    return form


def assign_slots(schema: FormSchema, slots: dict[str, str]) -> dict[str, str]:
    """Give each groupable and each numeric field a statistics slot, keeping existing ones."""
    used = set(slots.values())

    def take(prefix: str, limit: int) -> str | None:
        for i in range(limit):
            slot = f"{prefix}{i}"
            if slot not in used:
                used.add(slot)
                return slot
        return None

    def visit(key: str, type_: str) -> None:
        if key in slots:
            return
        if type_ in DIMENSION_TYPES:
            slot = take("t", TEXT_SLOTS)
        elif type_ in NUMERIC_TYPES:
            slot = take("n", NUMBER_SLOTS)
        else:
            return
        if slot is not None:
            slots[key] = slot

    for f in schema.fields:
        if f.type == "subtable":
            for c in f.fields:
                visit(f"{f.key}.{c.key}", c.type)
        else:
            visit(f.key, f.type)
    return slots


def stat_fields(schema: FormSchema, slots: dict[str, str]) -> list[StatField]:
    out: list[StatField] = []
    for f in schema.fields:
        items = (
            [(f"{f.key}.{c.key}", c, f.key) for c in f.fields] if f.type == "subtable" else [(f.key, f, "")]
        )
        for key, field, table in items:
            slot = slots.get(key)
            if slot is None:
                continue
            label = field.label.text() if not table else f"{f.label.text()} · {field.label.text()}"
            out.append(
                StatField(
                    key=key,
                    label=label,
                    kind="dimension" if slot.startswith("t") else "measure",
                    table=table,
                    type=field.type,
                )
            )
    return out


async def published_version(session: AsyncSession, form: Form) -> FormVersion | None:
    if form.version_id is None:
        return None
    return await session.get(FormVersion, form.version_id)


async def form_read(session: AsyncSession, actor: Actor, form_id: int) -> FormRead:
    form, app, roles = await access_form(session, actor, form_id)
    version = await published_version(session, form)
    schema = FormSchema.model_validate(version.schema) if version else None
    return FormRead(
        id=form.id,
        app_id=app.id,
        app_name=app.name,
        name=form.name,
        name_en=form.name_en,
        description=form.description,
        status=form.status,
        version_id=version.id if version else None,
        version_number=version.number if version else None,
        schema_=schema,
        draft=FormSchema.model_validate(form.draft) if "manage" in roles else None,
        stat_fields=stat_fields(schema, form.slots or {}) if schema and "view_dept" in roles else [],
        my_roles=roles,
        updated_at=form.updated_at,
    )
