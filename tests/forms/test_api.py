"""Forms through the API: J4 end to end, versions, bad input, scopes, reminders and Excel."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
from sqlalchemy import func, select

from tests.forms.conftest import deadline, disaster_values
from tongban.core.db import Database, utcnow
from tongban.forms.models import CollectionTask, Submission, SubmissionRow
from tongban.forms.tasks import remind_due
from tongban.notify.models import Notification


async def install(client: Any, template: str = "disaster") -> tuple[dict[str, Any], int]:
    r = await client.post("/api/forms/templates/install", json={"template": template})
    assert r.status_code == 201, r.text
    app = r.json()
    return app, app["forms"][0]["id"]


async def test_templates_install_in_one_click(as_person: Any, county: dict[str, Any]) -> None:
    tao = await as_person(county["tao"])
    listed = (await tao.get("/api/forms/templates")).json()
    assert {t["key"] for t in listed} == {"disaster", "leave", "trip", "vehicle", "boat", "report"}
    for t in listed:
        _app, form_id = await install(tao, t["key"])
        form = (await tao.get(f"/api/forms/forms/{form_id}")).json()
        assert form["status"] == "published" and form["version_number"] == 1
        assert all(f["label"]["en"] for f in form["schema"]["fields"])
    r = await tao.get(f"/api/forms/forms/{form_id}", headers={"Accept-Language": "en-US"})
    assert r.status_code == 200
    assert len((await tao.get("/api/forms/apps")).json()) == 6


async def test_j4_collect_from_nine_townships(as_person: Any, county: dict[str, Any], db: Database) -> None:
    tao = await as_person(county["tao"])
    _app, form_id = await install(tao)
    towns, reporters = county["towns"], county["reporters"]
    r = await tao.post(
        f"/api/forms/forms/{form_id}/tasks",
        json={
            "title": "台风“海葵”灾情统计",
            "deadline": deadline(2),
            "department_ids": [t.id for t in towns],
            "department_mode": "reporter",
        },
    )
    assert r.status_code == 201, r.text
    task = r.json()
    assert task["total"] == 9 and task["submitted"] == 0
    assert {a["person_id"] for a in task["assignees"]} == {p.id for p in reporters}

    # Each reporter has it in the to-do list, and a notification.
    officer = await as_person(reporters[0])
    todo = (await officer.get("/api/forms/tasks")).json()
    assert [t["id"] for t in todo] == [task["id"]]
    reports = [
        [("rice", 120, 96000), ("cabbage", 30, 15000)],
        [("rice", 80, 64000), ("wheat", 20.5, 8200)],
        [("other", 5, 1000)],
    ]
    for i, crops in enumerate(reports):
        c = await as_person(reporters[i])
        # The township defaults to the reporter's own department.
        values = disaster_values(towns[i].id, crops)
        del values["township"]
        r = await c.post(
            f"/api/forms/forms/{form_id}/submissions", json={"values": values, "task_id": task["id"]}
        )
        assert r.status_code == 201, r.text
        assert r.json()["values"]["township"] == towns[i].id
        assert r.json()["values"]["total_loss"] == sum(loss for _, _, loss in crops)

    detail = (await tao.get(f"/api/forms/tasks/{task['id']}")).json()
    assert detail["submitted"] == 3
    missing = [d for d in detail["by_department"] if d["missing"]]
    assert len(missing) == 6

    stats = (
        await tao.get(
            f"/api/forms/forms/{form_id}/stats",
            params={"group_by": ["crops.crop"], "measure": ["sum:crops.area", "sum:crops.loss"]},
        )
    ).json()
    by_crop = {g["labels"][0]: g["values"] for g in stats["groups"]}
    assert by_crop == {"水稻": [200, 160000], "白菜": [30, 15000], "小麦": [20.5, 8200], "其他": [5, 1000]}
    assert stats["totals"] == [255.5, 184200]
    two = (
        await tao.get(
            f"/api/forms/forms/{form_id}/stats",
            params={
                "group_by": ["township", "crops.crop"],
                "measure": ["sum:crops.loss"],
                "task_id": task["id"],
            },
        )
    ).json()
    assert {(g["labels"][0], g["labels"][1]): g["values"][0] for g in two["groups"]}[
        ("海口镇", "水稻")
    ] == 96000
    filtered = (
        await tao.get(
            f"/api/forms/forms/{form_id}/stats",
            params={
                "group_by": ["township"],
                "measure": ["sum:total_loss", "count"],
                "filters": '[{"field": "crops.crop", "op": "eq", "value": "rice"}]',
            },
        )
    ).json()
    assert filtered["table"] == "crops" and filtered["totals"][0] is not None

    r = await tao.post(f"/api/forms/tasks/{task['id']}/remind")
    assert r.json() == {"reminded": 6}
    async with db.transaction() as session:
        reminders = (
            await session.execute(
                select(func.count()).select_from(Notification).where(Notification.title.like("请尽快填报%"))
            )
        ).scalar_one()
    assert reminders == 6

    r = await tao.get(
        f"/api/forms/forms/{form_id}/export.xlsx",
        params={"group_by": ["crops.crop"], "measure": ["sum:crops.loss"]},
    )
    assert r.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(r.content))
    assert book.sheetnames == ["数据", "受灾作物", "统计"]
    crop_rows = list(book["受灾作物"].iter_rows(min_row=2, values_only=True))
    assert len(crop_rows) == 5 and sum(row[4] for row in crop_rows) == 184200
    pivot = list(book["统计"].iter_rows(values_only=True))
    assert pivot[-1][-1] == 184200
    flat = await tao.get(f"/api/forms/forms/{form_id}/export.xlsx", params={"subtables": "flat"})
    sheet = openpyxl.load_workbook(io.BytesIO(flat.content))["数据"]
    assert sheet.max_row == 1 + 5


async def test_bad_submission_names_each_field_and_stores_nothing(
    as_person: Any, county: dict[str, Any], db: Database
) -> None:
    tao = await as_person(county["tao"])
    _app, form_id = await install(tao)
    bad = {
        "township": county["towns"][0].id,
        "crops": [{"crop": "rice", "area": 1, "loss": 1}, {"crop": "corn", "area": -1}],
    }
    r = await tao.post(f"/api/forms/forms/{form_id}/submissions", json={"values": bad})
    assert r.status_code == 422
    fields = {f["field"]: f["message"] for f in r.json()["fields"]}
    assert fields == {
        "values.crops.1.crop": "「受灾作物」第 2 行「作物」的「corn」不是可选项",
        "values.crops.1.area": "「受灾作物」第 2 行「受灾面积」应不小于 0",
        "values.crops.1.loss": "「受灾作物」第 2 行「预计损失」必填",
    }
    r = await tao.post(
        f"/api/forms/forms/{form_id}/submissions",
        json={"values": {**bad, "township": 999999, "crops": bad["crops"][:1]}},
        headers={"Accept-Language": "en-US"},
    )
    assert r.status_code == 422
    assert r.json()["fields"] == [
        {
            "field": "values.township",
            "code": "not_department",
            "message": "“Township” is not a valid department",
        }
    ]
    async with db.transaction() as session:
        assert (await session.execute(select(func.count()).select_from(Submission))).scalar_one() == 0
        assert (await session.execute(select(func.count()).select_from(SubmissionRow))).scalar_one() == 0


async def test_design_time_refusals_and_versions(as_person: Any, county: dict[str, Any]) -> None:
    tao = await as_person(county["tao"])
    r = await tao.post("/api/forms/apps", json={"name": "测试应用"})
    app = r.json()
    r = await tao.post(f"/api/forms/apps/{app['id']}/forms", json={"name": "表"})
    form_id = r.json()["id"]
    assert r.json()["status"] == "draft"
    r = await tao.post(f"/api/forms/forms/{form_id}/publish")
    assert r.status_code == 409
    fields = [
        {"key": "a", "type": "number", "label": {"zh": "数量"}},
        {"key": "t", "type": "formula", "label": {"zh": "合计"}, "formula": "a * price"},
    ]
    r = await tao.put(f"/api/forms/forms/{form_id}/draft", json={"schema": {"fields": fields}})
    assert r.status_code == 422
    assert r.json()["fields"][0]["message"] == "「合计」的公式引用了不存在的字段「price」"
    fields[1]["formula"] = "a * 2"
    assert (
        await tao.put(f"/api/forms/forms/{form_id}/draft", json={"schema": {"fields": fields}})
    ).status_code == 200
    # Not published yet: no one can submit.
    r = await tao.post(f"/api/forms/forms/{form_id}/submissions", json={"values": {"a": 1}})
    assert r.status_code == 409 and r.json()["code"] == "form_not_published"
    assert (await tao.post(f"/api/forms/forms/{form_id}/publish")).json()["version_number"] == 1
    first = (await tao.post(f"/api/forms/forms/{form_id}/submissions", json={"values": {"a": 2}})).json()
    assert first["values"] == {"a": 2, "t": 4}
    # Version 2 drops `a`'s formula and adds a required field: v1's submission is untouched.
    fields = [
        {"key": "a", "type": "number", "label": {"zh": "数量"}},
        {"key": "b", "type": "text", "label": {"zh": "说明"}, "required": True},
    ]
    await tao.put(f"/api/forms/forms/{form_id}/draft", json={"schema": {"fields": fields}})
    assert (await tao.post(f"/api/forms/forms/{form_id}/publish")).json()["version_number"] == 2
    r = await tao.post(f"/api/forms/forms/{form_id}/submissions", json={"values": {"a": 3}})
    assert r.status_code == 422
    page = (await tao.get(f"/api/forms/forms/{form_id}/submissions")).json()
    assert page["total"] == 1 and page["items"][0]["version_number"] == 1
    assert page["items"][0]["values"] == {"a": 2, "t": 4}
    assert (await tao.post(f"/api/forms/forms/{form_id}/archive")).json()["status"] == "archived"
    r = await tao.post(f"/api/forms/forms/{form_id}/submissions", json={"values": {"a": 3, "b": "x"}})
    assert r.status_code == 409 and r.json()["code"] == "form_archived"


async def test_late_submissions_accepted_and_marked_or_refused(
    as_person: Any, county: dict[str, Any], db: Database
) -> None:
    tao = await as_person(county["tao"])
    _app, form_id = await install(tao)
    reporter = county["reporters"][0]
    ids = []
    for allow in (True, False):
        r = await tao.post(
            f"/api/forms/forms/{form_id}/tasks",
            json={
                "title": f"任务{allow}",
                "deadline": deadline(1),
                "person_ids": [reporter.id],
                "allow_late": allow,
            },
        )
        ids.append(r.json()["id"])
    async with db.transaction() as session:
        for task_id in ids:
            task = await session.get(CollectionTask, task_id)
            assert task is not None
            task.deadline = utcnow() - dt.timedelta(minutes=5)
    officer = await as_person(reporter)
    values = disaster_values(county["towns"][0].id, [("rice", 1, 1)])
    r = await officer.post(
        f"/api/forms/forms/{form_id}/submissions", json={"values": values, "task_id": ids[0]}
    )
    assert r.status_code == 201 and r.json()["late"] is True
    r = await officer.post(
        f"/api/forms/forms/{form_id}/submissions", json={"values": values, "task_id": ids[1]}
    )
    assert r.status_code == 409 and r.json()["code"] == "task_closed"
    # Someone not assigned cannot use the task, nor submit without a grant.
    stranger = await as_person(county["stranger"])
    r = await stranger.post(
        f"/api/forms/forms/{form_id}/submissions", json={"values": values, "task_id": ids[0]}
    )
    assert r.status_code == 404
    detail = (await tao.get(f"/api/forms/tasks/{ids[0]}")).json()
    assert detail["assignees"][0]["late"] is True


async def test_automatic_reminder_goes_out_once_before_the_deadline(
    as_person: Any, county: dict[str, Any], db: Database
) -> None:
    tao = await as_person(county["tao"])
    _app, form_id = await install(tao)
    r = await tao.post(
        f"/api/forms/forms/{form_id}/tasks",
        json={
            "title": "提前提醒",
            "deadline": deadline(1),
            "person_ids": [p.id for p in county["reporters"][:3]],
            "remind_before_minutes": 30,
        },
    )
    task_id = r.json()["id"]
    async with db.transaction() as session:
        assert await remind_due(session) == 0  # an hour to go: not yet
    async with db.transaction() as session:
        assert await remind_due(session, now=utcnow() + dt.timedelta(minutes=35)) == 3
    async with db.transaction() as session:
        assert await remind_due(session, now=utcnow() + dt.timedelta(minutes=40)) == 0
    detail = (await tao.get(f"/api/forms/tasks/{task_id}")).json()
    assert all(a["reminders"] == 1 for a in detail["assignees"])


async def test_scopes_own_department_all(as_person: Any, county: dict[str, Any]) -> None:
    tao = await as_person(county["tao"])
    app, form_id = await install(tao)
    towns, reporters = county["towns"], county["reporters"]
    r = await tao.put(
        f"/api/forms/apps/{app['id']}/grants",
        json={
            "grants": [
                {"role": "submit", "everyone": True},
                {"role": "view_dept", "department_id": towns[0].id},
            ]
        },
    )
    assert r.status_code == 200, r.text
    for i in range(2):
        c = await as_person(reporters[i])
        values = disaster_values(towns[i].id, [("rice", 1, 1)])
        assert (
            await c.post(f"/api/forms/forms/{form_id}/submissions", json={"values": values})
        ).status_code == 201
    stranger = await as_person(county["stranger"])
    assert (await stranger.get(f"/api/forms/forms/{form_id}/submissions")).json()["total"] == 0
    second = await as_person(reporters[1])
    mine = (await second.get(f"/api/forms/forms/{form_id}/submissions")).json()
    assert mine["total"] == 1 and mine["items"][0]["submitter_id"] == reporters[1].id
    assert (await tao.get(f"/api/forms/forms/{form_id}/submissions")).json()["total"] == 2
    stats = (await second.get(f"/api/forms/forms/{form_id}/stats", params={"measure": ["count"]})).json()
    assert stats["rows"] == 1


async def test_rollup_agrees_with_the_rows_and_follows_edits(as_person: Any, county: dict[str, Any]) -> None:
    tao = await as_person(county["tao"])
    _app, form_id = await install(tao)
    towns = county["towns"]
    made = []
    for i, crops in enumerate([[("rice", 10, 100), ("wheat", 2, 50)], [("rice", 5, 30)], [("other", 1, 7)]]):
        r = await tao.post(
            f"/api/forms/forms/{form_id}/submissions",
            json={"values": disaster_values(towns[i % 2].id, crops)},
        )
        made.append(r.json())
    params = {
        "group_by": ["township", "crops.crop"],
        "measure": ["sum:crops.area", "avg:crops.loss", "min:crops.loss", "max:crops.area", "count"],
    }
    url = f"/api/forms/forms/{form_id}/stats"
    rolled = (await tao.get(url, params=params)).json()
    # A filter on a number cannot use the rollup: the same figures come from the rows.
    raw = (
        await tao.get(url, params={**params, "filters": '[{"field": "crops.area", "op": "ge", "value": 0}]'})
    ).json()
    assert rolled["groups"] == raw["groups"] and rolled["totals"] == raw["totals"]
    assert rolled["totals"] == [18, 46.75, 7, 10, 4]
    # An edit moves 10 亩 of rice to 3 亩: min/max/sum follow.
    values = disaster_values(towns[0].id, [("rice", 3, 100), ("wheat", 2, 50)])
    r = await tao.patch(f"/api/forms/submissions/{made[0]['id']}", json={"values": values})
    assert r.status_code == 200, r.text
    rolled = (await tao.get(url, params=params)).json()
    raw = (
        await tao.get(url, params={**params, "filters": '[{"field": "crops.area", "op": "ge", "value": 0}]'})
    ).json()
    assert rolled["totals"] == raw["totals"] == [11, 46.75, 7, 5, 4]


async def test_photos_are_checked_and_shared_with_the_owner(as_person: Any, county: dict[str, Any]) -> None:
    from PIL import Image

    tao = await as_person(county["tao"])
    app, form_id = await install(tao)
    await tao.put(
        f"/api/forms/apps/{app['id']}/grants", json={"grants": [{"role": "submit", "everyone": True}]}
    )
    officer = await as_person(county["reporters"][0])
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 10, 10)).save(out, "PNG")
    photo = (
        await officer.post("/api/files", files={"file": ("field.png", out.getvalue(), "image/png")})
    ).json()
    text = (await officer.post("/api/files", files={"file": ("notes.txt", b"hello", "text/plain")})).json()
    assert (await tao.get(f"/api/files/{photo['id']}")).status_code == 404  # not shared yet
    values = disaster_values(county["towns"][0].id, [("rice", 1, 1)])
    r = await officer.post(
        f"/api/forms/forms/{form_id}/submissions", json={"values": {**values, "photos": [text["id"]]}}
    )
    assert r.status_code == 422 and r.json()["fields"][0]["field"] == "values.photos"
    r = await tao.post(
        f"/api/forms/forms/{form_id}/submissions", json={"values": {**values, "photos": [photo["id"]]}}
    )
    assert r.status_code == 422  # someone else's file
    r = await officer.post(
        f"/api/forms/forms/{form_id}/submissions", json={"values": {**values, "photos": [photo["id"]]}}
    )
    assert r.status_code == 201, r.text
    assert (await tao.get(f"/api/files/{photo['id']}")).status_code == 200


def xlsx(rows: list[list[Any]]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def test_excel_import_dry_run_reports_each_row_and_all_or_nothing(
    as_person: Any, county: dict[str, Any], db: Database
) -> None:
    tao = await as_person(county["tao"])
    app = (await tao.post("/api/forms/apps", json={"name": "导入"})).json()
    fields = [
        {"key": "town", "type": "department", "label": {"zh": "乡镇", "en": "Township"}, "required": True},
        {
            "key": "crop",
            "type": "select",
            "label": {"zh": "作物", "en": "Crop"},
            "options": [{"value": "rice", "label": {"zh": "水稻", "en": "Rice"}}],
        },
        {"key": "area", "type": "number", "label": {"zh": "面积", "en": "Area"}, "min": 0},
    ]
    form = (
        await tao.post(
            f"/api/forms/apps/{app['id']}/forms", json={"name": "表", "schema": {"fields": fields}}
        )
    ).json()
    await tao.post(f"/api/forms/forms/{form['id']}/publish")
    url = f"/api/forms/forms/{form['id']}/import.xlsx"
    bad = xlsx(
        [["乡镇", "作物", "面积"], ["海口镇", "水稻", 12], ["无此镇", "水稻", 1], ["沙埕镇", "玉米", -3]]
    )
    r = await tao.post(url, params={"dry_run": "true"}, files={"file": ("a.xlsx", bad)})
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["imported"] == 0 and report["rows"] == 3
    assert [(e["row"], [f["field"] for f in e["fields"]]) for e in report["errors"]] == [
        (3, ["values.town"]),
        (4, ["values.crop", "values.area"]),
    ]
    r = await tao.post(url, files={"file": ("a.xlsx", bad)})
    assert r.status_code == 422 and r.json()["code"] == "form_import_failed"
    assert len(r.json()["report"]["errors"]) == 2
    async with db.transaction() as session:
        assert (await session.execute(select(func.count()).select_from(Submission))).scalar_one() == 0
    good = xlsx([["Township", "Crop", "Area"], ["海口镇", "Rice", 12], ["沙埕镇", "水稻", 3.5]])
    r = await tao.post(url, files={"file": ("b.xlsx", good)})
    assert r.status_code == 200 and r.json()["imported"] == 2
    stats = (await tao.get(f"/api/forms/forms/{form['id']}/stats", params={"measure": ["sum:area"]})).json()
    assert stats["totals"] == [15.5]
    r = await tao.post(url, files={"file": ("c.xlsx", b"not a workbook")})
    assert r.status_code == 422 and r.json()["fields"][0]["field"] == "body.file"


async def test_search_finds_chinese_and_ascii_answers(as_person: Any, county: dict[str, Any]) -> None:
    """Answers are JSON whose non-ASCII text may be stored escaped; a Chinese search still finds it."""
    tao = await as_person(county["tao"])
    _app, form_id = await install(tao)
    towns = county["towns"]
    for i, remarks in enumerate(["海堤受损 50%", "农田被淹 road_B"]):
        values = {**disaster_values(towns[i].id, [("rice", 1, 1)]), "remarks": remarks}
        r = await tao.post(f"/api/forms/forms/{form_id}/submissions", json={"values": values})
        assert r.status_code == 201, r.text

    async def found(q: str) -> list[str]:
        r = await tao.get(f"/api/forms/forms/{form_id}/submissions", params={"q": q})
        assert r.status_code == 200, r.text
        return sorted(item["values"]["remarks"] for item in r.json()["items"])

    assert await found("海堤") == ["海堤受损 50%"]
    assert await found("被淹") == ["农田被淹 road_B"]
    assert await found("road_B") == ["农田被淹 road_B"]
    assert await found("50%") == ["海堤受损 50%"]
    assert await found("d_") == ["农田被淹 road_B"]  # _ is a literal, not a wildcard
    assert await found("雪灾") == []


async def test_data_view_filters_and_sorts_by_field(as_person: Any, county: dict[str, Any]) -> None:
    tao = await as_person(county["tao"])
    _app, form_id = await install(tao)
    towns = county["towns"]
    for town, loss in [(towns[0], 300.0), (towns[1], 100.0), (towns[0], 200.0)]:
        values = disaster_values(town.id, [("rice", 1, loss)])
        r = await tao.post(f"/api/forms/forms/{form_id}/submissions", json={"values": values})
        assert r.status_code == 201, r.text
    url = f"/api/forms/forms/{form_id}/submissions"

    async def losses(**params: str) -> list[float]:
        r = await tao.get(url, params=params)
        assert r.status_code == 200, r.text
        return [item["values"]["total_loss"] for item in r.json()["items"]]

    assert await losses(order="total_loss") == [100.0, 200.0, 300.0]
    assert await losses(order="-total_loss") == [300.0, 200.0, 100.0]
    town0 = f'[{{"field": "township", "op": "eq", "value": {towns[0].id}}}]'
    assert await losses(filters=town0, order="-total_loss") == [300.0, 200.0]
    r = await tao.get(url, params={"filters": town0})
    assert r.json()["total"] == 2
    big = '[{"field": "total_loss", "op": "ge", "value": 200}]'
    assert sorted(await losses(filters=big)) == [200.0, 300.0]
    # Unknown fields and sub-table columns are refused naming the parameter, in the user's language.
    r = await tao.get(url, params={"order": "nonsense"}, headers={"Accept-Language": "en-US"})
    assert r.status_code == 422 and "nonsense" in r.text
    r = await tao.get(url, params={"filters": '[{"field": "crops.loss", "op": "ge", "value": 1}]'})
    assert r.status_code == 422
    # A filter opens nothing to someone without a role in the app.
    stranger = await as_person(county["stranger"])
    assert (await stranger.get(url, params={"filters": town0})).status_code == 404
