"""Who may call what in forms: every /api/forms endpoint × every role, with the status.

Roles, seen from one app (灾情统计, installed from its template by its owner), its published
form, one collection task, and one submission the owner made:

    anonymous   no session
    outsider    signed in, no role in the app and not assigned
    assignee    assigned the task, no role in the app: may open the form and see their to-do
    submitter   granted `submit`: fills in, sees only their own submissions
    viewer      granted `view_all`: reads every submission and the statistics, changes nothing
    manager     granted `manage`
    owner       created the app

Routes that take no app (the app list, templates, the to-do list) answer for the caller's own
things only; their scoping is tested in test_api.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.authz import check_matrix_is_current, matrix_cases
from tests.factories import Org, sign_in
from tests.forms.conftest import deadline, disaster_values

ROLES = ("anonymous", "outsider", "assignee", "submitter", "viewer", "manager", "owner")
COVERED_PREFIXES = ("/api/forms",)


@dataclass
class World:
    people: dict[str, Any]
    town: Any
    app: dict[str, Any]
    form_id: int
    task: dict[str, Any]
    submission: dict[str, Any]
    grants: list[dict[str, Any]]
    client: httpx.AsyncClient


Call = Callable[[httpx.AsyncClient, World], Awaitable[httpx.Response]]


def statuses(*codes: int) -> dict[str, int]:
    return dict(zip(ROLES, codes, strict=True))


def signed_in(ok: int = 200) -> dict[str, int]:
    return statuses(401, ok, ok, ok, ok, ok, ok)


def app_roles(ok: int = 200) -> dict[str, int]:
    """Anyone with a role in the app; the assignee has none."""
    return statuses(401, 404, 404, ok, ok, ok, ok)


def form_readers(ok: int = 200) -> dict[str, int]:
    return statuses(401, 404, ok, ok, ok, ok, ok)


def form_managers(ok: int = 200) -> dict[str, int]:
    return statuses(401, 404, 403, 403, 403, ok, ok)


def app_managers(ok: int = 200) -> dict[str, int]:
    return statuses(401, 404, 404, 403, 403, ok, ok)


def task_managers(ok: int = 200) -> dict[str, int]:
    return statuses(401, 404, 404, 404, 404, ok, ok)


def form(w: World, tail: str = "") -> str:
    return f"/api/forms/forms/{w.form_id}{tail}"


def values(w: World) -> dict[str, Any]:
    return disaster_values(w.town.id, [("rice", 10, 5000)])


def _workbook() -> bytes:
    import io

    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["乡镇", "备注"])
    book.active.append(["海口镇", "补录"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


IMPORT_XLSX = _workbook()
FIELDS = [{"key": "n", "type": "number", "label": {"zh": "数量"}}]

MATRIX: dict[tuple[str, str], tuple[dict[str, int], Call]] = {
    # ---- the caller's own lists ----
    ("GET", "/api/forms/apps"): (signed_in(), lambda c, w: c.get("/api/forms/apps")),
    ("POST", "/api/forms/apps"): (
        signed_in(201),
        lambda c, w: c.post("/api/forms/apps", json={"name": "新应用"}),
    ),
    ("GET", "/api/forms/templates"): (signed_in(), lambda c, w: c.get("/api/forms/templates")),
    ("POST", "/api/forms/templates/install"): (
        signed_in(201),
        lambda c, w: c.post("/api/forms/templates/install", json={"template": "leave"}),
    ),
    ("GET", "/api/forms/tasks"): (signed_in(), lambda c, w: c.get("/api/forms/tasks")),
    # ---- the app ----
    ("GET", "/api/forms/apps/{app_id}"): (app_roles(), lambda c, w: c.get(f"/api/forms/apps/{w.app['id']}")),
    ("PATCH", "/api/forms/apps/{app_id}"): (
        app_managers(),
        lambda c, w: c.patch(f"/api/forms/apps/{w.app['id']}", json={"description": "台风季"}),
    ),
    ("PUT", "/api/forms/apps/{app_id}/grants"): (
        app_managers(),
        lambda c, w: c.put(f"/api/forms/apps/{w.app['id']}/grants", json={"grants": w.grants}),
    ),
    ("POST", "/api/forms/apps/{app_id}/forms"): (
        app_managers(201),
        lambda c, w: c.post(f"/api/forms/apps/{w.app['id']}/forms", json={"name": "附表"}),
    ),
    # ---- the form ----
    ("GET", "/api/forms/forms/{form_id}"): (form_readers(), lambda c, w: c.get(form(w))),
    ("PUT", "/api/forms/forms/{form_id}/draft"): (
        form_managers(),
        lambda c, w: c.put(form(w, "/draft"), json={"schema": {"fields": FIELDS}}),
    ),
    ("POST", "/api/forms/forms/{form_id}/publish"): (
        form_managers(),
        lambda c, w: c.post(form(w, "/publish")),
    ),
    ("POST", "/api/forms/forms/{form_id}/archive"): (
        form_managers(),
        lambda c, w: c.post(form(w, "/archive")),
    ),
    ("POST", "/api/forms/forms/{form_id}/check"): (
        form_managers(),
        lambda c, w: c.post(form(w, "/check"), json={"fields": FIELDS}),
    ),
    # ---- submissions: the assignee submits through the task (test_api), not without it ----
    ("POST", "/api/forms/forms/{form_id}/submissions"): (
        statuses(401, 404, 403, 201, 403, 201, 201),
        lambda c, w: c.post(form(w, "/submissions"), json={"values": values(w)}),
    ),
    ("GET", "/api/forms/forms/{form_id}/submissions"): (
        form_readers(),
        lambda c, w: c.get(form(w, "/submissions")),
    ),
    ("GET", "/api/forms/submissions/{submission_id}"): (
        statuses(401, 404, 404, 404, 200, 200, 200),  # the owner's submission: not the submitter's own
        lambda c, w: c.get(f"/api/forms/submissions/{w.submission['id']}"),
    ),
    ("PATCH", "/api/forms/submissions/{submission_id}"): (
        statuses(401, 404, 404, 404, 403, 200, 200),
        lambda c, w: c.patch(f"/api/forms/submissions/{w.submission['id']}", json={"values": values(w)}),
    ),
    # ---- statistics and Excel, each within the caller's scope ----
    ("GET", "/api/forms/forms/{form_id}/stats"): (
        form_readers(),
        lambda c, w: c.get(form(w, "/stats"), params={"group_by": "crops.crop", "measure": "sum:crops.area"}),
    ),
    ("GET", "/api/forms/forms/{form_id}/export.xlsx"): (
        form_readers(),
        lambda c, w: c.get(form(w, "/export.xlsx")),
    ),
    ("POST", "/api/forms/forms/{form_id}/import.xlsx"): (
        form_managers(),
        lambda c, w: c.post(
            form(w, "/import.xlsx"), params={"dry_run": "true"}, files={"file": ("a.xlsx", IMPORT_XLSX)}
        ),
    ),
    # ---- collection tasks ----
    ("POST", "/api/forms/forms/{form_id}/tasks"): (
        form_managers(201),
        lambda c, w: c.post(
            form(w, "/tasks"),
            json={"title": "补报", "deadline": deadline(), "person_ids": [w.people["assignee"].id]},
        ),
    ),
    ("GET", "/api/forms/forms/{form_id}/tasks"): (form_managers(), lambda c, w: c.get(form(w, "/tasks"))),
    ("GET", "/api/forms/tasks/{task_id}"): (
        task_managers(),
        lambda c, w: c.get(f"/api/forms/tasks/{w.task['id']}"),
    ),
    ("POST", "/api/forms/tasks/{task_id}/remind"): (
        task_managers(),
        lambda c, w: c.post(f"/api/forms/tasks/{w.task['id']}/remind"),
    ),
}


@pytest.fixture
async def world(org: Org, app: FastAPI) -> Any:
    root = await org.department("云溪县人民政府")
    town = await org.department("海口镇", root)
    people = {
        role: await org.person(f"{role}人", town, username=role)
        for role in ("owner", "manager", "viewer", "submitter", "assignee", "outsider")
    }
    people["anonymous"] = people["outsider"]
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as setup:
        owner = await sign_in(setup, people["owner"])
        installed = (await owner.post("/api/forms/templates/install", json={"template": "disaster"})).json()
        form_id = installed["forms"][0]["id"]
        grants = [
            {"role": "manage", "person_id": people["manager"].id},
            {"role": "view_all", "person_id": people["viewer"].id},
            {"role": "submit", "person_id": people["submitter"].id},
        ]
        r = await owner.put(f"/api/forms/apps/{installed['id']}/grants", json={"grants": grants})
        assert r.status_code == 200, r.text
        task = (
            await owner.post(
                f"/api/forms/forms/{form_id}/tasks",
                json={"title": "灾情统计", "deadline": deadline(), "person_ids": [people["assignee"].id]},
            )
        ).json()
        submission = (
            await owner.post(
                f"/api/forms/forms/{form_id}/submissions",
                json={"values": disaster_values(town.id, [("wheat", 3, 900)])},
            )
        ).json()
        assert "id" in submission, submission
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield World(people, town, installed, form_id, task, submission, grants, c)


@pytest.mark.parametrize(("method", "path", "role", "expected"), matrix_cases(MATRIX, ROLES))
async def test_matrix(world: World, method: str, path: str, role: str, expected: int) -> None:
    c = world.client
    if role != "anonymous":
        await sign_in(c, world.people[role])
    _expected, call = MATRIX[(method, path)]
    r = await call(c, world)
    assert r.status_code == expected, r.text


def test_matrix_is_current() -> None:
    check_matrix_is_current(MATRIX, COVERED_PREFIXES)
