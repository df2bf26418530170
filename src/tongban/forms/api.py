"""/api/forms: apps, the designer, filling in, data, statistics, Excel and collection tasks."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, File, Query, Response, UploadFile, status

from tongban.auth.deps import CurrentActor
from tongban.core.deps import DbSession
from tongban.core.errors import AppError, Invalid
from tongban.forms import export, importer, reads, service, stats, submissions, tasks, templates
from tongban.forms.schema import FormSchema
from tongban.forms.schemas import (
    AppCreate,
    AppDetail,
    AppRead,
    AppUpdate,
    DraftUpdate,
    FormCreate,
    FormRead,
    GrantsUpdate,
    RemindResult,
    StatsRead,
    SubmissionCreate,
    SubmissionPage,
    SubmissionRead,
    SubmissionUpdate,
    TaskCreate,
    TaskDetail,
    TaskRead,
    TemplateInstall,
    TemplateRead,
)

router = APIRouter(prefix="/api/forms", tags=["forms"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# ---- apps ------------------------------------------------------------------------------------


@router.get("/apps", response_model=list[AppRead])
async def list_apps(session: DbSession, actor: CurrentActor) -> list[AppRead]:
    """Apps in which I hold a role."""
    return await service.list_apps(session, actor)


@router.post("/apps", response_model=AppDetail, status_code=status.HTTP_201_CREATED)
async def create_app(body: AppCreate, session: DbSession, actor: CurrentActor) -> AppDetail:
    app = await service.do_create_app(session, actor, body)
    return await service.get_app(session, actor, app.id)


@router.get("/templates", response_model=list[TemplateRead])
async def list_templates(actor: CurrentActor) -> list[TemplateRead]:
    return templates.list_templates()


@router.post("/templates/install", response_model=AppDetail, status_code=status.HTTP_201_CREATED)
async def install_template(body: TemplateInstall, session: DbSession, actor: CurrentActor) -> AppDetail:
    """One click: the template's app with its form, published, owned by me."""
    app = await templates.do_install(session, actor, body.template)
    return await service.get_app(session, actor, app.id)


@router.get("/apps/{app_id}", response_model=AppDetail)
async def get_app(app_id: int, session: DbSession, actor: CurrentActor) -> AppDetail:
    return await service.get_app(session, actor, app_id)


@router.patch("/apps/{app_id}", response_model=AppDetail)
async def update_app(app_id: int, body: AppUpdate, session: DbSession, actor: CurrentActor) -> AppDetail:
    await service.do_update_app(session, actor, app_id, body)
    return await service.get_app(session, actor, app_id)


@router.put("/apps/{app_id}/grants", response_model=AppDetail)
async def set_grants(app_id: int, body: GrantsUpdate, session: DbSession, actor: CurrentActor) -> AppDetail:
    """Who may submit, view their department's, view all, or manage (replaces the list)."""
    await service.do_set_grants(session, actor, app_id, body.grants)
    return await service.get_app(session, actor, app_id)


@router.post("/apps/{app_id}/forms", response_model=FormRead, status_code=status.HTTP_201_CREATED)
async def create_form(app_id: int, body: FormCreate, session: DbSession, actor: CurrentActor) -> FormRead:
    form = await service.do_create_form(session, actor, app_id, body)
    return await service.form_read(session, actor, form.id)


# ---- forms -----------------------------------------------------------------------------------


@router.get("/forms/{form_id}", response_model=FormRead)
async def get_form(form_id: int, session: DbSession, actor: CurrentActor) -> FormRead:
    """The published schema to fill in; managers also get the draft."""
    return await service.form_read(session, actor, form_id)


@router.put("/forms/{form_id}/draft", response_model=FormRead)
async def save_draft(form_id: int, body: DraftUpdate, session: DbSession, actor: CurrentActor) -> FormRead:
    """Save the designer's schema; 422 naming the problem when a formula or rule cannot work."""
    await service.do_save_draft(
        session,
        actor,
        form_id,
        body.schema_,
        name=body.name,
        name_en=body.name_en,
        description=body.description,
    )
    return await service.form_read(session, actor, form_id)


@router.post("/forms/{form_id}/publish", response_model=FormRead)
async def publish_form(form_id: int, session: DbSession, actor: CurrentActor) -> FormRead:
    """Publish the draft as a new version; earlier submissions keep theirs."""
    await service.do_publish(session, actor, form_id)
    return await service.form_read(session, actor, form_id)


@router.post("/forms/{form_id}/archive", response_model=FormRead)
async def archive_form(form_id: int, session: DbSession, actor: CurrentActor) -> FormRead:
    await service.do_archive(session, actor, form_id)
    return await service.form_read(session, actor, form_id)


@router.post("/forms/{form_id}/check", response_model=FormSchema)
async def check_form_schema(
    form_id: int, body: FormSchema, session: DbSession, actor: CurrentActor
) -> FormSchema:
    """Check a schema without saving it (the designer's live check)."""
    await service.access_form(session, actor, form_id, "manage")
    from tongban.forms.schema import check_schema

    check_schema(body)
    return body


# ---- submissions -----------------------------------------------------------------------------


@router.post(
    "/forms/{form_id}/submissions", response_model=SubmissionRead, status_code=status.HTTP_201_CREATED
)
async def submit(
    form_id: int, body: SubmissionCreate, session: DbSession, actor: CurrentActor
) -> SubmissionRead:
    """Submit; 422 naming every wrong field (sub-table fields with their row), nothing stored."""
    return await submissions.do_submit(session, actor, form_id, body.values, body.task_id)


@router.get("/forms/{form_id}/submissions", response_model=SubmissionPage)
async def list_submissions(
    form_id: int,
    session: DbSession,
    actor: CurrentActor,
    scope: Literal["mine", "department", "all"] = "all",
    task_id: int | None = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    filters: Annotated[
        str | None, Query(max_length=2000, description='JSON: [{"field","op","value"}], top-level fields')
    ] = None,
    order: Annotated[
        str,
        Query(
            max_length=80,
            pattern=r"^-?[A-Za-z0-9_]+$",
            description='"created_at" or a field key; "-" first for descending',
        ),
    ] = "-created_at",
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> SubmissionPage:
    """Submissions I may read: all (view all), my department's (view department), else my own."""
    return await reads.list_submissions(
        session,
        actor,
        form_id,
        scope=scope,
        task_id=task_id,
        search=q,
        filters=_filters(filters),
        order=order,
        offset=offset,
        limit=limit,
    )


@router.get("/submissions/{submission_id}", response_model=SubmissionRead)
async def get_submission(submission_id: int, session: DbSession, actor: CurrentActor) -> SubmissionRead:
    submission, *_ = await reads.access_submission(session, actor, submission_id)
    (read,) = await reads.render(session, [submission])
    return read


@router.patch("/submissions/{submission_id}", response_model=SubmissionRead)
async def update_submission(
    submission_id: int, body: SubmissionUpdate, session: DbSession, actor: CurrentActor
) -> SubmissionRead:
    """Correct a submission (managers), checked against the version it was made with."""
    submission = await submissions.do_update_submission(session, actor, submission_id, body.values)
    (read,) = await reads.render(session, [submission])
    return read


# ---- statistics and Excel ----------------------------------------------------------------------


def _filters(raw: str | None) -> list[dict[str, Any]]:
    if not raw:
        return []
    try:
        value = json.loads(raw)
    except ValueError:
        raise Invalid("query.filters", "field.json_invalid") from None
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise Invalid("query.filters", "field.list_type")
    return value


@router.get("/forms/{form_id}/stats", response_model=StatsRead)
async def form_stats(
    form_id: int,
    session: DbSession,
    actor: CurrentActor,
    group_by: Annotated[list[str], Query(max_length=2)] = [],  # noqa: B006 - FastAPI copies it
    measure: Annotated[list[str], Query(max_length=10)] = [],  # noqa: B006
    filters: Annotated[
        str | None, Query(max_length=2000, description='JSON: [{"field","op","value"}]')
    ] = None,
    task_id: int | None = None,
) -> StatsRead:
    """Sum/count/avg/min/max grouped by one or two fields (sub-table rows included)."""
    return await stats.compute(
        session,
        actor,
        form_id,
        group_by=group_by,
        measures=measure,
        filters=_filters(filters),
        task_id=task_id,
    )


@router.get("/forms/{form_id}/export.xlsx", response_class=Response, responses={200: {"content": {XLSX: {}}}})
async def export_form(
    form_id: int,
    session: DbSession,
    actor: CurrentActor,
    subtables: Literal["sheets", "flat"] = "sheets",
    group_by: Annotated[list[str], Query(max_length=2)] = [],  # noqa: B006
    measure: Annotated[list[str], Query(max_length=10)] = [],  # noqa: B006
    task_id: int | None = None,
) -> Response:
    """The submissions I may read as .xlsx; with group_by, a statistics sheet as well."""
    pivot = None
    if group_by:
        pivot = await stats.compute(
            session, actor, form_id, group_by=group_by, measures=measure, task_id=task_id
        )
    name, data = await export.export_xlsx(session, actor, form_id, subtables=subtables, pivot=pivot)
    return Response(
        data,
        media_type=XLSX,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )


MAX_IMPORT_BYTES = 10 * 1024 * 1024


@router.post(
    "/forms/{form_id}/import.xlsx",
    response_model=importer.FormImportReport,
    responses={
        422: {"description": "A real import found bad rows: `report` lists them; nothing was stored."}
    },
)
async def import_form(
    form_id: int,
    file: Annotated[UploadFile, File(description="XLSX whose first row holds field labels, at most 10 MB")],
    session: DbSession,
    actor: CurrentActor,
    dry_run: bool = False,
) -> Any:
    """Rows of a spreadsheet as submissions (managers), all or nothing.

    A dry run answers 200 with every bad row and stores nothing. A real import answers 200 when
    every row was stored, or 422 `{"code": "form_import_failed", "message", "report"}` and stores none.
    """
    data = await file.read(MAX_IMPORT_BYTES + 1)
    if len(data) > MAX_IMPORT_BYTES:
        raise AppError("payload_too_large", status_code=413, limit="10 MB")
    report = await importer.import_xlsx(session, actor, form_id, data, dry_run=dry_run)
    if report.errors and not dry_run:
        raise ImportFailed(report)
    return report


class ImportFailed(AppError):
    status_code = 422

    def __init__(self, report: importer.FormImportReport) -> None:
        super().__init__("form_import_failed", count=len(report.errors))
        self.report = report

    def body(self) -> dict[str, Any]:
        return {**super().body(), "report": self.report.model_dump(mode="json")}


# ---- collection tasks --------------------------------------------------------------------------


@router.post("/forms/{form_id}/tasks", response_model=TaskDetail, status_code=status.HTTP_201_CREATED)
async def create_task(form_id: int, body: TaskCreate, session: DbSession, actor: CurrentActor) -> TaskDetail:
    """Send the form to people and departments with a deadline; they are notified."""
    task = await tasks.do_create_task(session, actor, form_id, body)
    return await tasks.task_detail(session, actor, task.id)


@router.get("/forms/{form_id}/tasks", response_model=list[TaskRead])
async def list_form_tasks(form_id: int, session: DbSession, actor: CurrentActor) -> list[TaskRead]:
    return await tasks.list_form_tasks(session, actor, form_id)


@router.get("/tasks", response_model=list[TaskRead])
async def my_tasks(session: DbSession, actor: CurrentActor) -> list[TaskRead]:
    """My to-do list: collection tasks assigned to me."""
    return await tasks.list_my_tasks(session, actor)


@router.get("/tasks/{task_id}", response_model=TaskDetail)
async def get_task(task_id: int, session: DbSession, actor: CurrentActor) -> TaskDetail:
    """Who has submitted and who has not, by department."""
    return await tasks.task_detail(session, actor, task_id)


@router.post("/tasks/{task_id}/remind", response_model=RemindResult)
async def remind(task_id: int, session: DbSession, actor: CurrentActor) -> RemindResult:
    """Remind everyone who has not submitted yet."""
    return RemindResult(reminded=await tasks.do_remind(session, actor, task_id))
