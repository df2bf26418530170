from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.factories import Org
from tongban.core.db import utcnow

TOWNSHIPS = ["海口镇", "沙埕镇", "前岐镇", "秦屿镇", "店下镇", "桐山街道", "点头镇", "白琳镇", "硖门乡"]


@pytest.fixture
async def county(org: Org) -> dict[str, Any]:
    """陶海锋 of the agricultural enforcement team, and the reporting officer (head) of 9 townships."""
    root = await org.department("云溪县人民政府")
    farm = await org.department("农业执法大队", root)
    tao = await org.person("陶海锋", farm, username="taohaifeng")
    towns = []
    reporters = []
    for i, name in enumerate(TOWNSHIPS):
        dept = await org.department(name, root)
        officer = await org.person(f"报送员{i + 1}", dept, username=f"officer{i + 1}")
        async with org.db.transaction() as session:
            from tongban.org.models import Department

            row = await session.get(Department, dept.id)
            assert row is not None
            row.head_id = officer.id
        towns.append(dept)
        reporters.append(officer)
    stranger = await org.person("路人", root, username="stranger")
    return {
        "root": root,
        "farm": farm,
        "tao": tao,
        "towns": towns,
        "reporters": reporters,
        "stranger": stranger,
    }


def deadline(hours: float = 2) -> str:
    return (utcnow() + dt.timedelta(hours=hours)).isoformat()


def disaster_values(town_id: int, crops: list[tuple[str, float, float]]) -> dict[str, Any]:
    return {
        "township": town_id,
        "crops": [{"crop": c, "area": a, "loss": loss} for c, a, loss in crops],
        "remarks": "台风过境",
    }
