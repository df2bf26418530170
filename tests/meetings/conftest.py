from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import Org


@pytest.fixture
async def team(org: Org):
    """The county office (刘锋 organises), two townships with two officers each, an outsider."""
    root = await org.department("利川市人民政府")
    office = await org.department("县政府办公室", root)
    town_a = await org.department("谋道镇", root)
    town_b = await org.department("柏杨坝镇", root)
    return {
        "root": root,
        "office": office,
        "town_a": town_a,
        "town_b": town_b,
        "liu": await org.person("刘锋", office, username="liufeng"),
        "nie": await org.person("聂荣成", town_a, username="nierongcheng"),
        "wang": await org.person("王强", town_a, username="wangqiang"),
        "han": await org.person("韩雪", town_b, username="hanxue"),
        "anna": await org.person("Anna Kowalska", town_b, username="anna", locale="en-US"),
        "tao": await org.person("陶海锋", root, username="taohaifeng"),
        "admin": await org.person("系统管理员", root, username="admin", role="org_admin"),
    }


def now_meeting(**extra):
    """An in-person meeting that is on now (so check-in is open)."""
    start = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10)
    body = {
        "title": "防汛调度会",
        "location": "三楼会议室",
        "start": start.isoformat(),
        "end": (start + dt.timedelta(hours=2)).isoformat(),
    }
    body.update(extra)
    return body


async def create(client, **extra) -> dict:
    r = await client.post("/api/meetings", json=now_meeting(**extra))
    assert r.status_code == 201, r.text
    return r.json()


async def code_of(client, meeting_id: int) -> tuple[str, str]:
    """(token, url) the display shows now."""
    r = await client.get(f"/api/meetings/{meeting_id}/display")
    assert r.status_code == 200, r.text
    return r.json()["token"], r.json()["url"]
