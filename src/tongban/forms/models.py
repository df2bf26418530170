"""No-code apps (应用): apps, their forms and form versions, submissions, the flattened rows
statistics read, and collection tasks (填报任务) with their assignees."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tongban.core.db import Base, utcnow

# Statistics slots of a flattened row: text slots hold what is grouped on (a township, a crop),
# number slots what is summed. A form maps its fields to slots once, by key, so the same field
# keeps its slot across versions and old rows stay comparable.
TEXT_SLOTS = 12
NUMBER_SLOTS = 12


class FormApp(Base):
    __tablename__ = "form_apps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    icon: Mapped[str] = mapped_column(String(40), default="form")
    template: Mapped[str | None] = mapped_column(String(40))
    owner_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="RESTRICT"), index=True)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class AppGrant(Base):
    """A role in an app for a person, a department (and its sub-departments), or everyone (both
    null). Roles: manage > view_all > view_dept; submit. Everyone may view their own submissions."""

    __tablename__ = "form_app_grants"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    app_id: Mapped[int] = mapped_column(ForeignKey("form_apps.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id", ondelete="CASCADE"))


class Form(Base):
    __tablename__ = "forms"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    app_id: Mapped[int] = mapped_column(ForeignKey("form_apps.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    draft: Mapped[dict[str, Any]] = mapped_column(JSON)  # the designer's working schema
    status: Mapped[str] = mapped_column(String(16), default="draft")  # draft | published | archived
    version_id: Mapped[int | None] = mapped_column(Integer)  # the published version
    version_count: Mapped[int] = mapped_column(Integer, default=0)
    slots: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)  # "crops.area" -> "n1"
    created_by: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="RESTRICT"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class FormVersion(Base):
    """A published schema, never changed: each submission keeps the version it was made with."""

    __tablename__ = "form_versions"
    __table_args__ = (UniqueConstraint("form_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("forms.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    schema: Mapped[dict[str, Any]] = mapped_column(JSON)
    published_by: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="RESTRICT"))
    published_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Submission(Base):
    __tablename__ = "form_submissions"
    __table_args__ = (
        Index("ix_form_submissions_form_created", "form_id", "created_at"),
        Index("ix_form_submissions_form_submitter", "form_id", "submitter_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("forms.id", ondelete="CASCADE"))
    version_id: Mapped[int] = mapped_column(ForeignKey("form_versions.id", ondelete="RESTRICT"))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("form_tasks.id", ondelete="SET NULL"), index=True)
    submitter_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="RESTRICT"))
    # The submitter's primary department when they submitted: "view my department's" reads this.
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id", ondelete="SET NULL"))
    values: Mapped[dict[str, Any]] = mapped_column(JSON)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class SubmissionRow(Base):
    """A submission flattened for statistics: one row with `table` "" for the top-level answers,
    and one per sub-table row (`table` = its key) carrying the top-level answers as well, so
    "loss by township × crop" is a GROUP BY over one table."""

    __tablename__ = "form_rows"
    __table_args__ = (Index("ix_form_rows_form_table", "form_id", "table"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    form_id: Mapped[int] = mapped_column(Integer)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("form_submissions.id", ondelete="CASCADE"), index=True
    )
    table: Mapped[str] = mapped_column(String(40), default="")
    task_id: Mapped[int | None] = mapped_column(Integer)
    row_index: Mapped[int] = mapped_column(Integer, default=0)
    submitter_id: Mapped[int] = mapped_column(Integer)
    department_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    t0: Mapped[str | None] = mapped_column(String(200))
    t1: Mapped[str | None] = mapped_column(String(200))
    t2: Mapped[str | None] = mapped_column(String(200))
    t3: Mapped[str | None] = mapped_column(String(200))
    t4: Mapped[str | None] = mapped_column(String(200))
    t5: Mapped[str | None] = mapped_column(String(200))
    t6: Mapped[str | None] = mapped_column(String(200))
    t7: Mapped[str | None] = mapped_column(String(200))
    t8: Mapped[str | None] = mapped_column(String(200))
    t9: Mapped[str | None] = mapped_column(String(200))
    t10: Mapped[str | None] = mapped_column(String(200))
    t11: Mapped[str | None] = mapped_column(String(200))
    n0: Mapped[float | None] = mapped_column(Float)
    n1: Mapped[float | None] = mapped_column(Float)
    n2: Mapped[float | None] = mapped_column(Float)
    n3: Mapped[float | None] = mapped_column(Float)
    n4: Mapped[float | None] = mapped_column(Float)
    n5: Mapped[float | None] = mapped_column(Float)
    n6: Mapped[float | None] = mapped_column(Float)
    n7: Mapped[float | None] = mapped_column(Float)
    n8: Mapped[float | None] = mapped_column(Float)
    n9: Mapped[float | None] = mapped_column(Float)
    n10: Mapped[float | None] = mapped_column(Float)
    n11: Mapped[float | None] = mapped_column(Float)


class CollectionTask(Base):
    """填报任务: a form sent to people with a deadline; reminders before it, late submissions
    accepted (and marked) or refused."""

    __tablename__ = "form_tasks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("forms.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    deadline: Mapped[dt.datetime] = mapped_column(index=True)
    allow_late: Mapped[bool] = mapped_column(Boolean, default=True)
    remind_before_minutes: Mapped[int] = mapped_column(Integer, default=30)
    auto_reminded_at: Mapped[dt.datetime | None] = mapped_column()
    created_by: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="RESTRICT"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class TaskAssignee(Base):
    __tablename__ = "form_task_assignees"
    __table_args__ = (UniqueConstraint("task_id", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("form_tasks.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    # The department this person reports for (their department, or the one they were picked as
    # the designated reporter of): "submitted / missing by department" groups on it.
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id", ondelete="SET NULL"))
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("form_submissions.id", ondelete="SET NULL"))
    submitted_at: Mapped[dt.datetime | None] = mapped_column()
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    reminders: Mapped[int] = mapped_column(Integer, default=0)
    last_reminded_at: Mapped[dt.datetime | None] = mapped_column()
