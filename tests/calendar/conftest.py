from __future__ import annotations

import pytest

from tests.factories import Org

WARSAW = {"start": "09:00", "end": "17:00", "days": [1, 2, 3, 4, 5]}


@pytest.fixture
async def team(org: Org):
    """The county office (刘锋 organises), two township officers, a Warsaw colleague, an outsider."""
    root = await org.department("利川市人民政府")
    office = await org.department("县政府办公室", root)
    towns = await org.department("乡镇", root)
    town_a = await org.department("谋道镇", towns)
    town_b = await org.department("柏杨坝镇", towns)
    return {
        "root": root,
        "office": office,
        "towns": towns,
        "town_a": town_a,
        "town_b": town_b,
        "liu": await org.person("刘锋", office, username="liufeng"),
        "nie": await org.person("聂荣成", town_a, username="nierongcheng"),
        "han": await org.person("韩雪", town_b, username="hanxue"),
        "anna": await org.person(
            "Anna Kowalska",
            root,
            username="anna",
            timezone="Europe/Warsaw",
            locale="en-US",
            working_hours=WARSAW,
        ),
        "tao": await org.person("陶海锋", root, username="taohaifeng"),
        "admin": await org.person("系统管理员", root, username="admin", role="org_admin"),
    }


def meeting(**extra):
    body = {
        "title": "调度会",
        "start": "2026-03-23T09:00:00",
        "end": "2026-03-23T10:00:00",
        "tz": "Asia/Shanghai",
    }
    body.update(extra)
    return body


async def create(client, **extra) -> dict:
    r = await client.post("/api/calendar/events", json=meeting(**extra))
    assert r.status_code == 201, r.text
    return r.json()


async def window(client, start: str, end: str, **params) -> list[dict]:
    r = await client.get("/api/calendar/events", params={"start": start, "end": end, **params})
    assert r.status_code == 200, r.text
    return r.json()
