"""/api/approvals: templates, submitting, the inbox, the detail page, actions and the record."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel

from tongban.approvals import actions, reads, record, service
from tongban.approvals import cards as _cards  # noqa: F401 - registers the "approval" card type
from tongban.approvals.schemas import (
    AddSignerBody,
    ApprovalActionBody,
    ApprovalCounts,
    ApprovalTemplateRead,
    ApprovalTemplateSummary,
    ApprovalTemplateWrite,
    BuiltinInstall,
    BuiltinRead,
    DelegationRead,
    DelegationWrite,
    PersonName,
    RequestCreate,
    RequestPage,
    RequestRead,
    Resubmit,
    ReturnBody,
    TransferBody,
)
from tongban.auth.deps import CurrentActor
from tongban.core.deps import DbSession
from tongban.files.api import Blobs
from tongban.org import service as org

router = APIRouter(prefix="/api/approvals", tags=["approvals"])


class ArchiveBody(BaseModel):
    archived: bool


class ReassignBody(BaseModel):
    from_id: int
    to_id: int


class Reassigned(BaseModel):
    moved: int


class Urged(BaseModel):
    reminded: int


# ---- templates ---------------------------------------------------------------------------------


@router.get("/templates", response_model=list[ApprovalTemplateSummary])
async def list_templates(session: DbSession, actor: CurrentActor) -> list[ApprovalTemplateSummary]:
    return await service.list_templates(session, actor)


@router.post("/templates", response_model=ApprovalTemplateRead, status_code=status.HTTP_201_CREATED)
async def create_template(
    body: ApprovalTemplateWrite, session: DbSession, actor: CurrentActor
) -> ApprovalTemplateRead:
    """Org admins design templates; the designer sends the form schema and the flow together."""
    template = await service.do_create_template(session, actor, body)
    return await service.template_read(session, actor, template.id)


@router.get("/builtins", response_model=list[BuiltinRead])
async def list_builtins(actor: CurrentActor) -> list[BuiltinRead]:
    return service.list_builtins()


@router.post("/builtins/install", response_model=ApprovalTemplateRead, status_code=status.HTTP_201_CREATED)
async def install_builtin(
    body: BuiltinInstall, session: DbSession, actor: CurrentActor
) -> ApprovalTemplateRead:
    template = await service.do_install(session, actor, body.key)
    return await service.template_read(session, actor, template.id)


@router.get("/templates/{template_id}", response_model=ApprovalTemplateRead, response_model_by_alias=True)
async def get_template(template_id: int, session: DbSession, actor: CurrentActor) -> ApprovalTemplateRead:
    return await service.template_read(session, actor, template_id)


@router.put("/templates/{template_id}", response_model=ApprovalTemplateRead)
async def update_template(
    template_id: int, body: ApprovalTemplateWrite, session: DbSession, actor: CurrentActor
) -> ApprovalTemplateRead:
    """Saves a new version; requests already submitted keep theirs."""
    await service.do_update_template(session, actor, template_id, body)
    return await service.template_read(session, actor, template_id)


@router.post("/templates/{template_id}/archive", response_model=ApprovalTemplateSummary)
async def archive_template(
    template_id: int, body: ArchiveBody, session: DbSession, actor: CurrentActor
) -> ApprovalTemplateSummary:
    template = await service.do_archive(session, actor, template_id, body.archived)
    return service._summary(actor, template)


@router.delete("/templates/{template_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_template(template_id: int, session: DbSession, actor: CurrentActor) -> Response:
    """Only a template nobody has used; one with requests is archived instead (409)."""
    await service.do_delete(session, actor, template_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# ---- requests ----------------------------------------------------------------------------------


@router.post("/requests", response_model=RequestRead, status_code=status.HTTP_201_CREATED)
async def submit(body: RequestCreate, session: DbSession, actor: CurrentActor) -> RequestRead:
    request = await service.do_submit(session, actor, body.template_id, body.values, body.picks)
    return await reads.request_read(session, actor, request.id)


@router.get("/requests", response_model=RequestPage)
async def list_requests(
    session: DbSession,
    actor: CurrentActor,
    box: Literal["pending", "processed", "submitted", "cc"] = "pending",
    q: Annotated[str, Query(max_length=100)] = "",
    status_: Annotated[
        Literal["pending", "approved", "rejected", "withdrawn", "returned"] | None, Query(alias="status")
    ] = None,
    cursor: int | None = None,
) -> RequestPage:
    """待我审批 / 我已审批 / 我发起的 / 抄送我的, newest first."""
    return await reads.list_box(session, actor, box, q=q, status=status_, cursor=cursor)


@router.get("/counts", response_model=ApprovalCounts)
async def get_counts(session: DbSession, actor: CurrentActor) -> ApprovalCounts:
    return await reads.counts(session, actor)


@router.get("/requests/{request_id}", response_model=RequestRead)
async def get_request(request_id: int, session: DbSession, actor: CurrentActor) -> RequestRead:
    return await reads.request_read(session, actor, request_id)


@router.post("/requests/{request_id}/read", status_code=status.HTTP_204_NO_CONTENT)
async def mark_read(request_id: int, session: DbSession, actor: CurrentActor) -> Response:
    """Clears the request from my unread CC count."""
    await reads.mark_read(session, actor, request_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/requests/{request_id}/record.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
async def record_pdf(request_id: int, session: DbSession, actor: CurrentActor, store: Blobs) -> Response:
    """The request as a PDF: form, timeline and signatures."""
    me = await org.get_person(session, actor, actor.person_id)
    title, data = await record.record_pdf(session, actor, store, request_id, me.timezone)
    name = quote(f"{title}.pdf")
    return Response(
        data,
        media_type="application/pdf",
        headers={"Content-Disposition": f"inline; filename*=UTF-8''{name}"},
    )


@router.post("/requests/{request_id}/withdraw", response_model=RequestRead)
async def withdraw(request_id: int, session: DbSession, actor: CurrentActor) -> RequestRead:
    await actions.do_withdraw(session, actor, request_id)
    return await reads.request_read(session, actor, request_id)


@router.post("/requests/{request_id}/urge", response_model=Urged)
async def urge(request_id: int, session: DbSession, actor: CurrentActor) -> Urged:
    return Urged(reminded=await actions.do_urge(session, actor, request_id))


@router.post("/requests/{request_id}/resubmit", response_model=RequestRead)
async def resubmit(request_id: int, body: Resubmit, session: DbSession, actor: CurrentActor) -> RequestRead:
    await actions.do_resubmit(session, actor, request_id, body.values, body.picks)
    return await reads.request_read(session, actor, request_id)


# ---- tasks -------------------------------------------------------------------------------------


@router.post("/tasks/{task_id}/approve", response_model=RequestRead)
async def approve(
    task_id: int, body: ApprovalActionBody, session: DbSession, actor: CurrentActor
) -> RequestRead:
    request = await actions.decide(session, actor, task_id, "approve", body)
    return await reads.request_read(session, actor, request.id)


@router.post("/tasks/{task_id}/reject", response_model=RequestRead)
async def reject(
    task_id: int, body: ApprovalActionBody, session: DbSession, actor: CurrentActor
) -> RequestRead:
    request = await actions.decide(session, actor, task_id, "reject", body)
    return await reads.request_read(session, actor, request.id)


@router.post("/tasks/{task_id}/return", response_model=RequestRead)
async def return_(task_id: int, body: ReturnBody, session: DbSession, actor: CurrentActor) -> RequestRead:
    request = await actions.do_return(session, actor, task_id, body)
    return await reads.request_read(session, actor, request.id)


@router.post("/tasks/{task_id}/transfer", response_model=RequestRead)
async def transfer(task_id: int, body: TransferBody, session: DbSession, actor: CurrentActor) -> RequestRead:
    request = await actions.do_transfer(session, actor, task_id, body)
    return await reads.request_read(session, actor, request.id)


@router.post("/tasks/{task_id}/add-signer", response_model=RequestRead)
async def add_signer(
    task_id: int, body: AddSignerBody, session: DbSession, actor: CurrentActor
) -> RequestRead:
    request = await actions.do_add_signer(session, actor, task_id, body)
    return await reads.request_read(session, actor, request.id)


@router.post("/reassign", response_model=Reassigned)
async def reassign(body: ReassignBody, session: DbSession, actor: CurrentActor) -> Reassigned:
    """Org admin: the open tasks of someone who left go to someone else."""
    return Reassigned(moved=await actions.do_reassign(session, actor, body.from_id, body.to_id))


# ---- delegation --------------------------------------------------------------------------------


@router.get("/delegation", response_model=DelegationRead | None)
async def get_delegation(session: DbSession, actor: CurrentActor) -> DelegationRead | None:
    row = await actions.get_delegation(session, actor)
    if row is None:
        return None
    names = await org.names_of(session, [row.delegate_id])
    return DelegationRead(
        delegate=PersonName(id=row.delegate_id, name=names.get(row.delegate_id, "")),
        starts_on=row.starts_on,
        ends_on=row.ends_on,
    )


@router.put("/delegation", response_model=DelegationRead)
async def set_delegation(body: DelegationWrite, session: DbSession, actor: CurrentActor) -> DelegationRead:
    """While I am away, my new approval tasks go to someone else ("X on behalf of me")."""
    row = await actions.set_delegation(session, actor, body)
    names = await org.names_of(session, [row.delegate_id])
    return DelegationRead(
        delegate=PersonName(id=row.delegate_id, name=names.get(row.delegate_id, "")),
        starts_on=row.starts_on,
        ends_on=row.ends_on,
    )


@router.delete("/delegation", status_code=status.HTTP_204_NO_CONTENT)
async def clear_delegation(session: DbSession, actor: CurrentActor) -> Response:
    await actions.clear_delegation(session, actor)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
