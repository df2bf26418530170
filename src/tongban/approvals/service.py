"""Templates (a forms `FormSchema` plus a flow, versioned) and submitting requests.

The form part is the forms capability's: its schema model and design checks when a template is
saved, its validation (with people, department and file look-ups) when a request is submitted.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tongban.approvals import flow as flow_lang
from tongban.approvals.builtins import BUILTINS
from tongban.approvals.engine import Run, record
from tongban.approvals.models import ApprovalRequest, ApprovalTemplate, ApprovalTemplateVersion
from tongban.approvals.resolve import OrgView, resolve_who, submitter_info
from tongban.approvals.schemas import (
    ApprovalTemplateRead,
    ApprovalTemplateSummary,
    ApprovalTemplateWrite,
    BuiltinRead,
)
from tongban.core import i18n
from tongban.core.db import utcnow
from tongban.core.errors import AppError, Conflict, FieldError, Forbidden, Invalid, NotFound
from tongban.core.permissions import Actor
from tongban.forms.schema import FormSchema, check_schema
from tongban.forms.submissions import check_values
from tongban.org import service as org

i18n.register(
    {
        "approval_template_not_found": ("找不到该审批模板", "No such approval template"),
        "approval_template_archived": ("该审批模板已停用", "This approval template is archived"),
        "approval_template_in_use": (
            "该模板已有审批记录，不能删除，请改为停用",
            "This template has requests; archive it instead of deleting it",
        ),
        "approval_builtin_not_found": ("没有这个内置模板", "No such built-in template"),
        "field.approvals_not_person": ("不是有效的成员", "is not an active person"),
        "field.approvals_no_resolver": (
            "节点「{name}」找不到审批人，无法提交",
            "Nobody can be found for node “{name}”, so the request cannot be submitted",
        ),
        "field.approvals_pick_required": ("请为「{name}」选择审批人", "Choose who approves at “{name}”"),
    }
)


def can_manage(actor: Actor, template: ApprovalTemplate) -> bool:
    return actor.is_org_admin or actor.person_id in (template.admin_ids or [])


async def get_template(session: AsyncSession, template_id: int) -> ApprovalTemplate:
    template = await session.get(ApprovalTemplate, template_id)
    if template is None:
        raise NotFound("approval_template_not_found")
    return template


async def access_template(
    session: AsyncSession, actor: Actor, template_id: int, *, manage: bool = False
) -> ApprovalTemplate:
    """Every member may see and use an active template; archived ones only their managers."""
    template = await get_template(session, template_id)
    managing = can_manage(actor, template)
    if (manage or template.archived) and not managing:
        if template.archived and not manage:
            raise NotFound("approval_template_not_found")
        raise Forbidden()
    return template


_VERSIONS: dict[int, tuple[dict[str, Any], dict[str, Any], FormSchema, flow_lang.Flow]] = {}


async def version_of(
    session: AsyncSession, version_id: int
) -> tuple[ApprovalTemplateVersion, FormSchema, flow_lang.Flow]:
    """A version with its parsed schema and flow. Versions never change, so parsing is cached;
    an id can come back after its template was deleted, so the cached copy must match."""
    version = await session.get(ApprovalTemplateVersion, version_id)
    if version is None:
        raise NotFound("approval_template_not_found")
    cached = _VERSIONS.get(version_id)
    if cached is None or cached[0] != version.schema or cached[1] != version.flow:
        if len(_VERSIONS) > 1000:
            _VERSIONS.clear()
        cached = (
            version.schema,
            version.flow,
            FormSchema.model_validate(version.schema),
            flow_lang.Flow.model_validate(version.flow),
        )
        _VERSIONS[version_id] = cached
    return version, cached[2], cached[3]


def _summary(actor: Actor, t: ApprovalTemplate) -> ApprovalTemplateSummary:
    return ApprovalTemplateSummary(
        id=t.id,
        name=t.name,
        name_en=t.name_en,
        description=t.description,
        icon=t.icon,
        builtin=t.builtin,
        archived=t.archived,
        version_number=t.version_count,
        can_manage=can_manage(actor, t),
    )


async def list_templates(session: AsyncSession, actor: Actor) -> list[ApprovalTemplateSummary]:
    rows = (await session.execute(select(ApprovalTemplate).order_by(ApprovalTemplate.id))).scalars()
    return [_summary(actor, t) for t in rows if not t.archived or can_manage(actor, t)]


async def template_read(session: AsyncSession, actor: Actor, template_id: int) -> ApprovalTemplateRead:
    template = await access_template(session, actor, template_id)
    assert template.version_id is not None
    version, _, _ = await version_of(session, template.version_id)
    return ApprovalTemplateRead(
        **_summary(actor, template).model_dump(),
        admin_ids=template.admin_ids or [],
        version_id=version.id,
        schema_=version.schema,
        flow=version.flow,
    )


async def _check_design(session: AsyncSession, data: ApprovalTemplateWrite) -> None:
    check_schema(data.schema_, path="schema")
    flow_lang.check_flow(data.flow, data.schema_, path="flow")
    ids = set(data.admin_ids) | {
        pid for n in flow_lang.walk(data.flow.nodes) if hasattr(n, "who") for w in n.who for pid in w.people
    }
    active = await org.active_ids(session, ids)
    errors = (
        [FieldError("admin_ids", "approvals_not_person", i18n.t("field.approvals_not_person"))]
        if set(data.admin_ids) - active
        else []
    )
    if ids - set(data.admin_ids) - active:
        errors.append(FieldError("flow", "approvals_not_person", i18n.t("field.approvals_not_person")))
    if errors:
        raise AppError("validation_error", status_code=422, fields=errors)


async def _new_version(
    session: AsyncSession, actor: Actor, template: ApprovalTemplate, data: ApprovalTemplateWrite
) -> None:
    template.version_count += 1
    version = ApprovalTemplateVersion(
        template_id=template.id,
        number=template.version_count,
        schema=data.schema_.model_dump(mode="json", exclude_defaults=True),
        flow=data.flow.model_dump(mode="json", exclude_none=True),
        created_by=actor.person_id,
    )
    session.add(version)
    await session.flush()
    template.version_id = version.id


async def do_create_template(
    session: AsyncSession, actor: Actor, data: ApprovalTemplateWrite, *, builtin: str | None = None
) -> ApprovalTemplate:
    actor.require_org_admin()
    await _check_design(session, data)
    template = ApprovalTemplate(
        name=data.name,
        name_en=data.name_en,
        description=data.description,
        icon=data.icon,
        builtin=builtin,
        admin_ids=list(dict.fromkeys([actor.person_id, *data.admin_ids])),
        created_by=actor.person_id,
    )
    session.add(template)
    await session.flush()
    await _new_version(session, actor, template, data)
    return template


async def do_update_template(
    session: AsyncSession, actor: Actor, template_id: int, data: ApprovalTemplateWrite
) -> ApprovalTemplate:
    """A new version; requests already submitted keep running on theirs."""
    template = await access_template(session, actor, template_id, manage=True)
    await _check_design(session, data)
    template.name, template.name_en = data.name, data.name_en
    template.description, template.icon = data.description, data.icon
    template.admin_ids = list(dict.fromkeys(data.admin_ids or [actor.person_id]))
    await _new_version(session, actor, template, data)
    return template


async def do_archive(
    session: AsyncSession, actor: Actor, template_id: int, archived: bool
) -> ApprovalTemplate:
    template = await access_template(session, actor, template_id, manage=True)
    template.archived = archived
    return template


async def do_delete(session: AsyncSession, actor: Actor, template_id: int) -> None:
    template = await access_template(session, actor, template_id, manage=True)
    used = (
        await session.execute(select(func.count()).where(ApprovalRequest.template_id == template.id))
    ).scalar_one()
    if used:
        raise Conflict("approval_template_in_use")
    await session.delete(template)


def list_builtins() -> list[BuiltinRead]:
    return [
        BuiltinRead(key=b.key, name=b.name, name_en=b.name_en, description=b.description, icon=b.icon)
        for b in BUILTINS.values()
    ]


async def do_install(session: AsyncSession, actor: Actor, key: str) -> ApprovalTemplate:
    builtin = BUILTINS.get(key)
    if builtin is None:
        raise NotFound("approval_builtin_not_found")
    data = ApprovalTemplateWrite.model_validate(
        {
            "name": builtin.name,
            "name_en": builtin.name_en,
            "description": builtin.description,
            "icon": builtin.icon,
            "schema": {"fields": builtin.fields},
            "flow": {"nodes": builtin.flow},
        }
    )
    return await do_create_template(session, actor, data, builtin=key)


# ---- submitting -------------------------------------------------------------------------------


async def resolve_plan(
    session: AsyncSession,
    actor: Actor,
    template: ApprovalTemplate,
    schema: FormSchema,
    flow: flow_lang.Flow,
    values: dict[str, Any],
    picks: dict[str, list[int]],
) -> list[Any]:
    """The plan for these values with each node's people filled in, or a 422 for a node whose
    policy refuses to submit without anyone to ask."""
    submitter = await submitter_info(session, actor)
    plan = flow_lang.plan_for(flow, schema, values, submitter)
    view = OrgView(session, actor)
    admins = await view.active(list(template.admin_ids or []))
    errors: list[FieldError] = []
    for node in flow_lang.plan_nodes(plan):
        found: list[int] = []
        for who in (flow_lang.Who.model_validate(w) for w in node["who"]):
            found += await resolve_who(view, who, actor.person_id, values, picks.get(node["id"], []))
        found = list(dict.fromkeys(found))
        name = (
            node["name"]["en"]
            if i18n.current_locale.get() == "en-US" and node["name"].get("en")
            else node["name"]["zh"]
        )
        if not found and node["type"] != "cc":
            policy = node.get("on_empty", "admin" if node["type"] == "approver" else "skip")
            picking = any(w["kind"] == "submitter_picks" for w in node["who"])
            if picking and policy != "skip":
                errors.append(
                    FieldError(
                        f"picks.{node['id']}",
                        "approvals_pick_required",
                        i18n.t("field.approvals_pick_required", name=name),
                    )
                )
            elif policy == "admin":
                found = admins
            elif policy == "refuse":
                errors.append(
                    FieldError(
                        "flow", "approvals_no_resolver", i18n.t("field.approvals_no_resolver", name=name)
                    )
                )
        node["people"] = found
    if errors:
        raise AppError("validation_error", status_code=422, fields=errors)
    return plan


def _title(template: ApprovalTemplate, actor: Actor) -> str:
    name = template.name_en if i18n.current_locale.get() == "en-US" and template.name_en else template.name
    return f"{actor.name} · {name}"[:200]


async def _check_picks(session: AsyncSession, picks: dict[str, list[int]]) -> None:
    wanted = {pid for ids in picks.values() for pid in ids}
    active = await org.active_ids(session, wanted)
    for node_id, ids in picks.items():
        if set(ids) - active:
            raise Invalid(f"picks.{node_id}", "field.approvals_not_person")


async def do_submit(
    session: AsyncSession, actor: Actor, template_id: int, raw: dict[str, Any], picks: dict[str, list[int]]
) -> ApprovalRequest:
    template = await access_template(session, actor, template_id)
    if template.archived:
        raise Conflict("approval_template_archived")
    assert template.version_id is not None
    version, schema, flow = await version_of(session, template.version_id)
    values, primary = await check_values(session, actor, schema, raw)
    await _check_picks(session, picks)
    plan = await resolve_plan(session, actor, template, schema, flow, values, picks)
    now = utcnow()
    request = ApprovalRequest(
        template_id=template.id,
        version_id=version.id,
        submitter_id=actor.person_id,
        department_id=primary.id if primary else None,
        title=_title(template, actor),
        values=values,
        status="pending",
        plan=plan,
        done=[],
        picks=picks,
        action_seq=0,
        created_at=now,
        updated_at=now,
    )
    session.add(request)
    await session.flush()
    record(session, request, "submit", actor.person_id, now=now)
    run = Run(session, request)
    await run.advance()
    await run.deliver()
    return request


def values_diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[Any]]:
    """What a resubmission changed, field by field: {key: [before, after]}."""
    return {k: [old.get(k), new.get(k)] for k in sorted(set(old) | set(new)) if old.get(k) != new.get(k)}
