from __future__ import annotations

import uuid

import pytest

from tests.factories import Org


@pytest.fixture
async def team(org: Org):
    """刘锋 and 韩雪 in 大数据中心, 宋杰 their head, 陶海锋 elsewhere (not in their chats)."""
    root = await org.department("云溪县人民政府")
    bigdata = await org.department("大数据中心", root)
    farm = await org.department("农业农村局", root)
    return {
        "root": root,
        "bigdata": bigdata,
        "farm": farm,
        "liu": await org.person("刘锋", bigdata, username="liufeng"),
        "han": await org.person("韩雪", bigdata, username="hanxue"),
        "song": await org.person("宋杰", bigdata, username="songjie", admin_of=bigdata),
        "tao": await org.person("陶海锋", farm, username="taohaifeng"),
    }


def cid() -> str:
    return uuid.uuid4().hex


async def send(client, conversation_id: int, body: str, **extra) -> dict:
    r = await client.post(
        f"/api/im/conversations/{conversation_id}/messages",
        json={"client_msg_id": cid(), "body": body, **extra},
    )
    assert r.status_code in (200, 201), r.text
    return r.json()
