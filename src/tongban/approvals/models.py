"""Approvals (审批): templates and their versions, requests, the tasks each approver holds, CC
recipients, the immutable action log and delegations."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tongban.core.db import Base, utcnow


class ApprovalTemplate(Base):
    __tablename__ = "approval_templates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    icon: Mapped[str] = mapped_column(String(40), default="audit")
    builtin: Mapped[str | None] = mapped_column(String(40))  # which built-in template it came from
    # The template's admins: they edit it, read its requests, and receive nodes nobody resolves.
    admin_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    version_id: Mapped[int | None] = mapped_column(Integer)  # the current version
    version_count: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="RESTRICT"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ApprovalTemplateVersion(Base):
    """A form schema (the forms capability's `FormSchema`) with a flow, never changed: each
    request keeps the version it was submitted with."""

    __tablename__ = "approval_template_versions"
    __table_args__ = (UniqueConstraint("template_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("approval_templates.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    schema: Mapped[dict[str, Any]] = mapped_column(JSON)
    flow: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="RESTRICT"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ApprovalRequest(Base):
    __tablename__ = "approval_requests"
    __table_args__ = (
        Index("ix_approval_requests_submitter", "submitter_id", "id"),
        Index("ix_approval_requests_template", "template_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("approval_templates.id", ondelete="RESTRICT"))
    version_id: Mapped[int] = mapped_column(ForeignKey("approval_template_versions.id", ondelete="RESTRICT"))
    submitter_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="RESTRICT"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    values: Mapped[dict[str, Any]] = mapped_column(JSON)
    # pending | approved | rejected | withdrawn | returned (to the submitter, who may resubmit)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    plan: Mapped[list[Any]] = mapped_column(JSON)  # the flow with its conditions decided
    done: Mapped[list[str]] = mapped_column(JSON, default=list)  # finished node ids
    picks: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # "submitter picks" nodes
    file_ids: Mapped[list[str]] = mapped_column(JSON, default=list)  # signatures and attachments
    action_seq: Mapped[int] = mapped_column(Integer, default=0)
    last_urged_at: Mapped[dt.datetime | None] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column()


class ApprovalTask(Base):
    """One person's part in one node. Status: waiting (its turn has not come) → open → approved
    / rejected / returned / handled, or closed (or-sign decided by another, request ended),
    transferred (handed to someone else)."""

    __tablename__ = "approval_tasks"
    __table_args__ = (
        Index("ix_approval_tasks_assignee_status", "assignee_id", "status", "id"),
        Index("ix_approval_tasks_request", "request_id", "node_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("approval_requests.id", ondelete="CASCADE"))
    node_id: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(16), default="approve")  # approve | handle
    mode: Mapped[str] = mapped_column(String(16), default="sequence")
    seq: Mapped[int] = mapped_column(Integer, default=0)
    assignee_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="RESTRICT"))
    on_behalf_of: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16), default="waiting")
    # opens when that task is approved (add signer before/after someone)
    waits_for: Mapped[int | None] = mapped_column(Integer)
    added_by: Mapped[int | None] = mapped_column(Integer)  # 加签 or transfer: who brought them in
    opened_at: Mapped[dt.datetime | None] = mapped_column()
    decided_at: Mapped[dt.datetime | None] = mapped_column()
    due_at: Mapped[dt.datetime | None] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ApprovalCc(Base):
    __tablename__ = "approval_cc"
    __table_args__ = (
        UniqueConstraint("request_id", "person_id"),
        Index("ix_approval_cc_person", "person_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("approval_requests.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    node_id: Mapped[str] = mapped_column(String(40))
    read_at: Mapped[dt.datetime | None] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ApprovalAction(Base):
    """The timeline: immutable entries numbered per request."""

    __tablename__ = "approval_actions"
    __table_args__ = (UniqueConstraint("request_id", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("approval_requests.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    # submit | approve | reject | return | transfer | add_signer | handle | withdraw | urge |
    # resubmit | cc | skip | comment | finish
    kind: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    on_behalf_of: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    node_id: Mapped[str | None] = mapped_column(String(40))
    task_id: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    signature_file_id: Mapped[str | None] = mapped_column(String(36))
    attachments: Mapped[list[str]] = mapped_column(JSON, default=list)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # targets, diffs, outcome
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ApprovalDelegation(Base):
    """While away: my new approval tasks go to `delegate_id` from `starts_on` to `ends_on`."""

    __tablename__ = "approval_delegations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), unique=True)
    delegate_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    starts_on: Mapped[dt.date] = mapped_column()
    ends_on: Mapped[dt.date] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
