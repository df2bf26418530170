"""A county bureau for approvals: 办公室 with its head, the finance director, the deputy director
and the office manager found by their titles (J3)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.factories import Org
from tongban.org.models import Department, Person


@dataclass
class Bureau:
    root: Department
    office: Department
    admin: Person  # org admin, who installs templates
    staff: Person  # 刘芳, who travels
    head: Person  # 王主任, head of 综合科
    finance: Person  # 财务总监
    deputy: Person  # 副主任
    manager: Person  # 办公室主任 (CC)
    other: Person  # 路人, in another department
    spare: Person  # 张三, to transfer or add signers


@pytest.fixture
async def bureau(org: Org) -> Bureau:
    root = await org.department("云溪县财政局")
    office = await org.department("综合科", root)
    admin = await org.person("管理员", root, username="admin", role="org_admin")
    head = await org.person("王主任", office, username="wang", title="科长")
    staff = await org.person("刘芳", office, username="liufang", title="科员", manager_id=head.id)
    finance = await org.person("赵财务", root, username="zhao", title="财务总监")
    deputy = await org.person("钱副主任", root, username="qian", title="副主任")
    manager = await org.person("孙办公室", root, username="sun", title="办公室主任")
    other = await org.person("路人", root, username="passer")
    spare = await org.person("张三", office, username="zhangsan")
    async with org.db.transaction() as session:
        row = await session.get(Department, office.id)
        assert row is not None
        row.head_id = head.id
    return Bureau(root, office, admin, staff, head, finance, deputy, manager, other, spare)


async def install(client: httpx.AsyncClient, key: str = "trip") -> dict[str, Any]:
    r = await client.post("/api/approvals/builtins/install", json={"key": key})
    assert r.status_code == 201, r.text
    data: dict[str, Any] = r.json()
    return data


def trip(budget: float) -> dict[str, Any]:
    return {
        "destination": "福州",
        "dates": ["2026-12-10", "2026-12-12"],
        "purpose": "参加全省财政工作会议",
        "budget": budget,
    }


async def my_task(client: httpx.AsyncClient, request_id: int) -> int:
    r = await client.get(f"/api/approvals/requests/{request_id}")
    assert r.status_code == 200, r.text
    task_id = r.json()["my_task_id"]
    assert task_id is not None, r.json()
    return int(task_id)
