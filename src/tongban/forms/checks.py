"""Checking a submission on the server: the schema's rules (validation.py), then what needs the
database — people, departments and files exist and may be used, unique answers are unique."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tongban.core import i18n
from tongban.core.db import utcnow
from tongban.core.errors import AppError, FieldError
from tongban.core.permissions import Actor
from tongban.files import service as files
from tongban.forms.models import SubmissionRow
from tongban.forms.rows import FormSlots, slot_value
from tongban.forms.schema import FormSchema
from tongban.forms.validation import accepts, validate_submission, where_text
from tongban.org import service as org
from tongban.org.schemas import DepartmentRef


async def _defaults(session: AsyncSession, actor: Actor) -> tuple[dict[str, Any], DepartmentRef | None]:
    departments = (await org.memberships_of(session, [actor.person_id])).get(actor.person_id, [])
    primary = next((d for d in departments if d.is_primary), departments[0] if departments else None)
    now = utcnow()
    return (
        {
            "$me": actor.person_id,
            "$my_department": primary.id if primary else None,
            "$today": now.date().isoformat(),
            "$now": now.isoformat(),
        },
        primary,
    )


async def _check_refs(session: AsyncSession, actor: Actor, result: Any) -> list[FieldError]:
    errors: list[FieldError] = []
    people = {pid for _, _, pid in result.refs.people}
    known = await org.names_of(session, people) if people else {}
    for at, where, pid in result.refs.people:
        if pid not in known:
            errors.append(FieldError(at, "not_person", i18n.t("value.not_person", where=where)))
    for at, where, did in result.refs.departments:
        if await org.department_name(session, did) is None:
            errors.append(FieldError(at, "not_department", i18n.t("value.not_department", where=where)))
    for at, where, ids, accept in result.refs.files:
        for file_id in ids:
            try:
                file = await files.access_file(session, actor, file_id)
            except AppError:
                errors.append(FieldError(at, "not_files", i18n.t("value.not_files", where=where)))
                break
            if not accepts(accept, file.content_type):
                errors.append(
                    FieldError(
                        at, "file_type", i18n.t("value.file_type", where=where, type=file.content_type)
                    )
                )
                break
    return errors


async def _check_unique(
    session: AsyncSession, form: FormSlots, schema: FormSchema, values: dict[str, Any], exclude: int | None
) -> list[FieldError]:
    errors: list[FieldError] = []
    for f in schema.fields:
        slot = (form.slots or {}).get(f.key)
        if not f.unique or slot is None or not slot.startswith("t") or f.key not in values:
            continue
        column = getattr(SubmissionRow, slot)
        stmt = select(SubmissionRow.id).where(
            SubmissionRow.form_id == form.id,
            SubmissionRow.table == "",
            column == str(slot_value(values[f.key])),
        )
        if exclude is not None:
            stmt = stmt.where(SubmissionRow.submission_id != exclude)
        if (await session.execute(stmt.limit(1))).first() is not None:
            errors.append(
                FieldError(f"values.{f.key}", "duplicate", i18n.t("value.duplicate", where=where_text(f)))
            )
    return errors


async def validated(
    session: AsyncSession,
    actor: Actor,
    form: FormSlots,
    schema: FormSchema,
    raw: dict[str, Any],
    exclude: int | None,
) -> tuple[dict[str, Any], DepartmentRef | None, list[str]]:
    """Cleaned values, the submitter's primary department, and the ids of the files attached."""
    defaults, primary = await _defaults(session, actor)
    result = validate_submission(schema, raw, defaults=defaults)
    errors = list(result.errors)
    if not errors:
        errors += await _check_refs(session, actor, result)
        errors += await _check_unique(session, form, schema, result.values, exclude)
    if errors:
        raise AppError("submission_invalid", status_code=422, fields=errors)
    return result.values, primary, [fid for _at, _where, ids, _accept in result.refs.files for fid in ids]


async def check_values(
    session: AsyncSession, actor: Actor, schema: FormSchema, raw: dict[str, Any]
) -> tuple[dict[str, Any], DepartmentRef | None]:
    """A schema's checks for another capability that stores its own answers (approvals): the
    cleaned values and the actor's primary department, or a 422 naming every field."""
    defaults, primary = await _defaults(session, actor)
    result = validate_submission(schema, raw, defaults=defaults)
    errors = list(result.errors) or await _check_refs(session, actor, result)
    if errors:
        raise AppError("submission_invalid", status_code=422, fields=errors)
    return result.values, primary
