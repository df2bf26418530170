"""Collecting a request into its PDF record (see pdf.render_record)."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from tongban.approvals.pdf import Entry, render_record
from tongban.approvals.reads import request_read
from tongban.core import i18n
from tongban.core.permissions import Actor
from tongban.core.storage import BlobStore, read_all
from tongban.files import service as files
from tongban.org import service as org

i18n.register(
    {
        "approvals.pdf_footer": (
            "通办审批记录 · 第 {id} 号 · 共 {steps} 条记录",
            "Tongban approval record no. {id} · {steps} entries",
        ),
        "approvals.kind.submit": ("提交", "submitted"),
        "approvals.kind.approve": ("同意", "approved"),
        "approvals.kind.reject": ("拒绝", "rejected"),
        "approvals.kind.return": ("退回", "returned"),
        "approvals.kind.transfer": ("转交", "transferred"),
        "approvals.kind.add_signer": ("加签", "added a signer"),
        "approvals.kind.handle": ("已办理", "handled"),
        "approvals.kind.withdraw": ("撤回", "withdrew"),
        "approvals.kind.urge": ("催办", "urged"),
        "approvals.kind.resubmit": ("重新提交", "resubmitted"),
        "approvals.kind.cc": ("抄送", "CC"),
        "approvals.kind.skip": ("自动跳过（无审批人）", "skipped (nobody to ask)"),
        "approvals.on_behalf": ("{name}（代 {other}）", "{name} (on behalf of {other})"),
    }
)

SIGNATURE_LIMIT = 2 * 1024 * 1024


def _label(label: dict[str, str]) -> str:
    return (label.get("en") or label["zh"]) if i18n.current_locale.get() == "en-US" else label["zh"]


async def _value(session: AsyncSession, field: dict[str, Any], value: Any) -> str:
    if value is None or value == "" or value == []:
        return "—"
    kind = field["type"]
    if kind == "member":
        ids = value if isinstance(value, list) else [value]
        names = await org.names_of(session, [i for i in ids if isinstance(i, int)])
        return "、".join(names.get(i, "") for i in ids if isinstance(i, int))
    if kind == "department" and isinstance(value, int):
        return await org.department_name(session, value) or "—"
    if kind in ("select", "multiselect"):
        options = {o["value"]: _label(o["label"]) for o in field.get("options", [])}
        items = value if isinstance(value, list) else [value]
        return "、".join(options.get(v, str(v)) for v in items)
    if kind in ("attachment", "image", "signature"):
        return str(len(value)) if isinstance(value, list) else "1"
    if kind == "daterange" and isinstance(value, list):
        return " ~ ".join(str(v) for v in value)
    if kind == "boolean":
        return "✓" if value else "✗"
    return str(value)


async def record_pdf(
    session: AsyncSession, actor: Actor, store: BlobStore, request_id: int, zone: str
) -> tuple[str, bytes]:
    detail = await request_read(session, actor, request_id)
    tz = ZoneInfo(zone)
    fields = [
        (_label(f["label"]), await _value(session, f, detail.values.get(f["key"])))
        for f in detail.schema_.get("fields", [])
        if f["type"] not in ("description", "subtable")
    ]
    signatures = await files.files_by_id(
        session, [a.signature_file_id for a in detail.timeline if a.signature_file_id]
    )
    entries: list[Entry] = []
    for a in detail.timeline:
        who = a.actor.name if a.actor else ""
        if a.actor and a.on_behalf_of:
            who = i18n.t("approvals.on_behalf", name=a.actor.name, other=a.on_behalf_of.name)
        what = i18n.t(f"approvals.kind.{a.kind}") + (f" · {a.node_name}" if a.node_name else "")
        signature = None
        file = signatures.get(a.signature_file_id or "")
        if file is not None:
            signature = await read_all(store, file.storage_key, limit=SIGNATURE_LIMIT)
        entries.append(
            Entry(
                when=a.created_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
                who=who,
                what=what,
                comment=a.comment,
                signature=signature,
            )
        )
    status = i18n.t(f"approvals.card_status.{detail.status}")
    footer = i18n.t("approvals.pdf_footer", id=detail.id, steps=len(entries))
    return detail.title, render_record(detail.title, status, fields, entries, footer)
