from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Query, Request, Response, UploadFile, status

from tongban.auth.deps import CurrentActor
from tongban.auth.passwords import check_policy
from tongban.auth.service import set_password
from tongban.core.deps import AppSettings, DbSession
from tongban.core.errors import AppError
from tongban.core.events.presence import PresenceStore, Status
from tongban.core.pagination import Page
from tongban.org import directory, importer, service
from tongban.org.models import Person
from tongban.org.schemas import (
    DepartmentCreate,
    DepartmentPathRef,
    DepartmentRead,
    DepartmentUpdate,
    ImportReport,
    PersonCreate,
    PersonRead,
    PersonRef,
    PersonSummary,
    PersonUpdate,
    WorkingHours,
)

router = APIRouter(prefix="/api/org", tags=["org"])


def _presence(request: Request) -> PresenceStore:
    store: PresenceStore = request.app.state.presence
    return store


async def _read(request: Request, session: DbSession, person: Person) -> PersonRead:
    depts = (await service.memberships_of(session, [person.id]))[person.id]
    paths = await service.department_paths(session, [d.id for d in depts])
    manager = await session.get(Person, person.manager_id) if person.manager_id else None
    presence = (await _presence(request).get([person.id]))[person.id]
    return PersonRead(
        id=person.id,
        name=person.name,
        username=person.username,
        employee_no=person.employee_no,
        title=person.title,
        mobile=person.mobile,
        email=person.email,
        avatar_file_id=person.avatar_file_id,
        timezone=person.timezone,
        working_hours=WorkingHours.model_validate(person.working_hours),
        active=person.active,
        manager=PersonRef(id=manager.id, name=manager.name) if manager else None,
        departments=[DepartmentPathRef(**d.model_dump(), path=paths.get(d.id, [d.name])) for d in depts],
        presence=presence if person.active else "offline",
        roles=await service.roles_of(session, person.id),
    )


@router.get("/people", response_model=Page[PersonSummary])
async def search_people(
    session: DbSession,
    actor: CurrentActor,
    q: Annotated[str | None, Query(max_length=100)] = None,
    department_id: int | None = None,
    include_sub: bool = False,
    include_inactive: bool = False,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Page[PersonSummary]:
    """Search by name, pinyin, pinyin initials ("lf" → 刘锋), mobile or e-mail; or list a department."""
    return await directory.search_people(
        session,
        actor,
        q=q,
        department_id=department_id,
        include_sub=include_sub,
        include_inactive=include_inactive,
        cursor=cursor,
        limit=limit,
    )


@router.get("/people/{person_id}", response_model=PersonRead)
async def get_person(person_id: int, request: Request, session: DbSession, actor: CurrentActor) -> PersonRead:
    """A profile card."""
    return await _read(request, session, await service.get_person(session, actor, person_id))


@router.post("/people", response_model=PersonRead, status_code=status.HTTP_201_CREATED)
async def create_person(
    body: PersonCreate, request: Request, session: DbSession, actor: CurrentActor
) -> PersonRead:
    person = await service.do_create_person(session, actor, body)
    if body.password:
        check_policy(body.password, username=body.username, field="body.password")
        await set_password(session, request.app.state.settings, person.id, body.password)
    return await _read(request, session, person)


@router.patch("/people/{person_id}", response_model=PersonRead)
async def update_person(
    person_id: int, body: PersonUpdate, request: Request, session: DbSession, actor: CurrentActor
) -> PersonRead:
    return await _read(request, session, await service.do_update_person(session, actor, person_id, body))


@router.post("/people/{person_id}/deactivate", response_model=PersonRead)
async def deactivate_person(
    person_id: int, request: Request, session: DbSession, actor: CurrentActor
) -> PersonRead:
    """Deactivate: the person can no longer sign in and leaves the directory; their data stays."""
    return await _read(request, session, await service.do_set_active(session, actor, person_id, False))


@router.post("/people/{person_id}/reactivate", response_model=PersonRead)
async def reactivate_person(
    person_id: int, request: Request, session: DbSession, actor: CurrentActor
) -> PersonRead:
    return await _read(request, session, await service.do_set_active(session, actor, person_id, True))


@router.get("/presence", response_model=dict[str, Status])
async def presence(
    request: Request,
    actor: CurrentActor,
    ids: Annotated[str, Query(max_length=2000, pattern=r"^\d+(,\d+)*$")],
) -> dict[str, Status]:
    """Online status of up to 200 people, polled by the directory."""
    wanted = [int(x) for x in ids.split(",")][:200]
    return {str(k): v for k, v in (await _presence(request).get(wanted)).items()}


@router.get("/departments", response_model=list[DepartmentRead])
async def list_departments(session: DbSession, actor: CurrentActor) -> list[DepartmentRead]:
    """Every department, flat, in display order; the client builds the tree."""
    return await service.list_departments(session, actor)


async def _department_read(session: DbSession, actor: CurrentActor, department_id: int) -> DepartmentRead:
    return next(d for d in await service.list_departments(session, actor) if d.id == department_id)


@router.post("/departments", response_model=DepartmentRead, status_code=status.HTTP_201_CREATED)
async def create_department(
    body: DepartmentCreate, session: DbSession, actor: CurrentActor
) -> DepartmentRead:
    dept = await service.do_create_department(session, actor, body)
    return await _department_read(session, actor, dept.id)


@router.patch("/departments/{department_id}", response_model=DepartmentRead)
async def update_department(
    department_id: int, body: DepartmentUpdate, session: DbSession, actor: CurrentActor
) -> DepartmentRead:
    dept = await service.do_update_department(session, actor, department_id, body)
    return await _department_read(session, actor, dept.id)


@router.delete("/departments/{department_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_department(department_id: int, session: DbSession, actor: CurrentActor) -> None:
    """Delete an empty department (409 while it has members or sub-departments)."""
    await service.do_delete_department(session, actor, department_id)


@router.post(
    "/import",
    response_model=ImportReport,
    responses={
        413: {"description": "The file is larger than 10 MB."},
        422: {
            "description": "A real import found errors: `report` holds the ImportReport; nothing was written."
        },
    },
)
async def import_org(
    file: Annotated[UploadFile, File(description="CSV (UTF-8 or GB18030) or XLSX, at most 10 MB")],
    session: DbSession,
    actor: CurrentActor,
    settings: AppSettings,
    dry_run: bool = False,
) -> ImportReport:
    """Import people and departments from a spreadsheet, all or nothing (org admin only).

    A dry run answers 200 with every error found and changes nothing. A real import answers
    200 when everything was written, or 422 `{"code": "import_failed", "message", "report"}`
    with the same report when any row is wrong — and then nothing is written.
    """
    actor.require_org_admin()
    if file.size is not None and file.size > importer.MAX_BYTES:
        raise AppError("payload_too_large", status_code=413, limit="10 MB")
    data = await file.read(importer.MAX_BYTES + 1)
    if len(data) > importer.MAX_BYTES:
        raise AppError("payload_too_large", status_code=413, limit="10 MB")
    report = await importer.import_file(
        session, settings, file.filename or "", data, dry_run=dry_run, actor=actor
    )
    if not report.ok and not dry_run:
        raise importer.ImportFailed(report)
    return report


@router.get(
    "/import/template.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "The import template (UTF-8 with BOM)."}},
)
async def import_template(actor: CurrentActor) -> Response:
    """The CSV template for `POST /api/org/import`, with the Chinese headers and two example rows."""
    actor.require_org_admin()
    return Response(
        importer.template_csv(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="org-import-template.csv"'},
    )
