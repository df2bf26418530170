"""Who may call what in messaging: every /api/im endpoint × every role, with the status.

Roles, seen from one group chat (项目组) and one message its owner sent in it:

    anonymous   no session
    outsider    signed in, not in the group
    org_admin   organisation admin, not in the group: running the organisation gives no
                right to read its chats
    member      a plain member of the group
    admin       a group admin
    owner       the group's owner, who also sent the message and the DING

Routes that take no conversation (the conversation list, search, DINGs) answer for the caller's
own things only; their scoping is tested in test_messaging / test_search / test_ding.
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
from tests.im.conftest import cid
from tongban.im.bots import signed_headers

ROLES = ("anonymous", "outsider", "org_admin", "member", "admin", "owner")
COVERED_PREFIXES = ("/api/im",)


@dataclass
class World:
    people: dict[str, Any]
    extra: Any  # a fourth member, whom admins may remove or promote
    department: Any
    group: dict[str, Any]
    message: dict[str, Any]
    ding: dict[str, Any]
    webhook: dict[str, Any]
    bot: dict[str, Any]
    client: httpx.AsyncClient


Call = Callable[[httpx.AsyncClient, World], Awaitable[httpx.Response]]


def statuses(
    anonymous: int, outsider: int, org_admin: int, member: int, admin: int, owner: int
) -> dict[str, int]:
    return dict(zip(ROLES, (anonymous, outsider, org_admin, member, admin, owner), strict=True))


def signed_in(ok: int = 200) -> dict[str, int]:
    return statuses(401, ok, ok, ok, ok, ok)


def members(ok: int = 200) -> dict[str, int]:
    return statuses(401, 403, 403, ok, ok, ok)


def group_admins(ok: int = 200) -> dict[str, int]:
    return statuses(401, 403, 403, 403, ok, ok)


def conv(w: World, tail: str = "") -> str:
    return f"/api/im/conversations/{w.group['id']}{tail}"


def msg(w: World, tail: str = "") -> str:
    return f"/api/im/messages/{w.message['id']}{tail}"


MATRIX: dict[tuple[str, str], tuple[dict[str, int], Call]] = {
    # ---- the caller's own lists ----
    ("GET", "/api/im/conversations"): (signed_in(), lambda c, w: c.get("/api/im/conversations")),
    ("POST", "/api/im/conversations"): (
        signed_in(),
        lambda c, w: c.post(
            "/api/im/conversations", json={"kind": "group", "name": "新群", "member_ids": []}
        ),
    ),
    ("POST", "/api/im/conversations/department"): (
        # Department groups follow the org chart: a department's admins (or the org's) create them.
        statuses(401, 403, 200, 403, 403, 403),
        lambda c, w: c.post("/api/im/conversations/department", json={"department_id": w.department.id}),
    ),
    ("GET", "/api/im/search"): (signed_in(), lambda c, w: c.get("/api/im/search", params={"q": "周报"})),
    ("GET", "/api/im/dings"): (signed_in(), lambda c, w: c.get("/api/im/dings")),
    # ---- one conversation ----
    ("GET", "/api/im/conversations/{conversation_id}"): (members(), lambda c, w: c.get(conv(w))),
    ("PATCH", "/api/im/conversations/{conversation_id}"): (
        group_admins(),
        lambda c, w: c.patch(conv(w), json={"announcement": "周五前交周报"}),
    ),
    ("PATCH", "/api/im/conversations/{conversation_id}/me"): (
        members(),
        lambda c, w: c.patch(conv(w, "/me"), json={"muted": True}),
    ),
    ("GET", "/api/im/conversations/{conversation_id}/members"): (
        members(),
        lambda c, w: c.get(conv(w, "/members")),
    ),
    ("POST", "/api/im/conversations/{conversation_id}/members"): (
        members(204),  # any member may invite, as in DingTalk's default groups
        lambda c, w: c.post(conv(w, "/members"), json={"person_ids": [w.people["outsider"].id]}),
    ),
    ("DELETE", "/api/im/conversations/{conversation_id}/members/{person_id}"): (
        group_admins(204),
        lambda c, w: c.delete(conv(w, f"/members/{w.extra.id}")),
    ),
    ("PATCH", "/api/im/conversations/{conversation_id}/members/{person_id}"): (
        statuses(401, 403, 403, 403, 403, 204),  # only the owner makes admins
        lambda c, w: c.patch(conv(w, f"/members/{w.extra.id}"), json={"role": "admin"}),
    ),
    ("GET", "/api/im/conversations/{conversation_id}/messages"): (
        members(),
        lambda c, w: c.get(conv(w, "/messages")),
    ),
    ("POST", "/api/im/conversations/{conversation_id}/messages"): (
        members(201),
        lambda c, w: c.post(conv(w, "/messages"), json={"client_msg_id": cid(), "body": "收到"}),
    ),
    ("GET", "/api/im/conversations/{conversation_id}/pins"): (
        members(),
        lambda c, w: c.get(conv(w, "/pins")),
    ),
    ("POST", "/api/im/conversations/{conversation_id}/read"): (
        members(),
        lambda c, w: c.post(conv(w, "/read"), json={"seq": w.message["seq"]}),
    ),
    ("POST", "/api/im/conversations/{conversation_id}/typing"): (
        members(204),
        lambda c, w: c.post(conv(w, "/typing")),
    ),
    ("GET", "/api/im/conversations/{conversation_id}/webhooks"): (
        members(),
        lambda c, w: c.get(conv(w, "/webhooks")),
    ),
    ("POST", "/api/im/conversations/{conversation_id}/webhooks"): (
        group_admins(201),
        lambda c, w: c.post(conv(w, "/webhooks"), json={"name": "监控告警"}),
    ),
    ("GET", "/api/im/conversations/{conversation_id}/bots"): (
        members(),
        lambda c, w: c.get(conv(w, "/bots")),
    ),
    ("POST", "/api/im/conversations/{conversation_id}/bots"): (
        group_admins(201),
        lambda c, w: c.post(
            conv(w, "/bots"), json={"name": "值班助手", "callback_url": "https://93.184.216.34/bot"}
        ),
    ),
    ("DELETE", "/api/im/webhooks/{webhook_id}"): (
        group_admins(204),
        lambda c, w: c.delete(f"/api/im/webhooks/{w.webhook['id']}"),
    ),
    ("DELETE", "/api/im/bots/{bot_id}"): (
        group_admins(204),
        lambda c, w: c.delete(f"/api/im/bots/{w.bot['id']}"),
    ),
    ("GET", "/api/im/join/{token}"): (
        signed_in(),  # the link is the credential: its holder sees the group's name and size
        lambda c, w: c.get(f"/api/im/join/{w.group['link_token']}"),
    ),
    ("POST", "/api/im/conversations/{conversation_id}/link"): (
        group_admins(),
        lambda c, w: c.post(conv(w, "/link")),
    ),
    ("POST", "/api/im/conversations/{conversation_id}/owner"): (
        statuses(401, 403, 403, 403, 403, 200),  # only the owner hands the group over
        lambda c, w: c.post(conv(w, "/owner"), json={"person_id": w.extra.id}),
    ),
    ("POST", "/api/im/join/{token}"): (
        signed_in(),  # whoever has the link, while the admins leave it on
        lambda c, w: c.post(f"/api/im/join/{w.group['link_token']}"),
    ),
    # ---- the owner's message ----
    ("PATCH", "/api/im/messages/{message_id}"): (
        statuses(401, 403, 403, 403, 403, 200),  # only its sender edits a message
        lambda c, w: c.patch(msg(w), json={"body": "本周周报（已更正）"}),
    ),
    ("POST", "/api/im/messages/{message_id}/recall"): (
        statuses(401, 403, 403, 403, 200, 200),  # its sender, or a group admin
        lambda c, w: c.post(msg(w, "/recall")),
    ),
    ("GET", "/api/im/messages/{message_id}/receipts"): (
        statuses(401, 403, 403, 403, 403, 200),  # only its sender sees who has read it
        lambda c, w: c.get(msg(w, "/receipts")),
    ),
    ("POST", "/api/im/messages/{message_id}/reactions"): (
        members(),
        lambda c, w: c.post(msg(w, "/reactions"), json={"emoji": "👍"}),
    ),
    ("POST", "/api/im/messages/{message_id}/pin"): (members(), lambda c, w: c.post(msg(w, "/pin"))),
    ("DELETE", "/api/im/messages/{message_id}/pin"): (members(), lambda c, w: c.delete(msg(w, "/pin"))),
    ("POST", "/api/im/messages/{message_id}/forward"): (
        members(),
        lambda c, w: c.post(msg(w, "/forward"), json={"conversation_ids": [w.group["id"]]}),
    ),
    ("GET", "/api/im/messages/{message_id}/thread"): (members(), lambda c, w: c.get(msg(w, "/thread"))),
    ("POST", "/api/im/messages/{message_id}/thread/read"): (
        members(204),
        lambda c, w: c.post(msg(w, "/thread/read"), json={"seq": w.message["seq"]}),
    ),
    ("POST", "/api/im/messages/{message_id}/ding"): (
        members(201),
        lambda c, w: c.post(msg(w, "/ding"), json={"person_ids": [w.extra.id]}),
    ),
    # ---- the owner's DING to the member and the admin ----
    ("GET", "/api/im/dings/{ding_id}"): (
        statuses(401, 404, 404, 200, 200, 200),  # 404, not 403: a DING id tells a stranger nothing
        lambda c, w: c.get(f"/api/im/dings/{w.ding['id']}"),
    ),
    ("POST", "/api/im/dings/{ding_id}/ack"): (
        statuses(401, 404, 404, 200, 200, 404),  # its recipients; the sender has nothing to acknowledge
        lambda c, w: c.post(f"/api/im/dings/{w.ding['id']}/ack"),
    ),
    # ---- the group's incoming webhook: its signature is the credential, never a session ----
    ("POST", "/api/im/hooks/{token}"): (
        statuses(200, 200, 200, 200, 200, 200),
        lambda c, w: c.post(
            w.webhook["path"],
            json={"msgtype": "text", "text": {"content": "构建通过"}},
            headers=signed_headers(w.webhook["secret"]),
        ),
    ),
}


@pytest.fixture
async def world(org: Org, app: FastAPI) -> Any:
    root = await org.department("云溪县人民政府")
    bigdata = await org.department("大数据中心", root)
    farm = await org.department("农业农村局", root)
    people = {
        "owner": await org.person("刘锋", bigdata, username="liufeng"),
        "admin": await org.person("韩雪", bigdata, username="hanxue"),
        "member": await org.person("宋杰", bigdata, username="songjie"),
        "outsider": await org.person("陶海锋", farm, username="taohaifeng"),
        "org_admin": await org.person("系统管理员", root, username="admin", role="org_admin"),
    }
    people["anonymous"] = people["outsider"]
    extra = await org.person("赵敏", bigdata, username="zhaomin")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as setup:
        owner = await sign_in(setup, people["owner"])
        group = (
            await owner.post(
                "/api/im/conversations",
                json={
                    "kind": "group",
                    "name": "项目组",
                    "member_ids": [people[k].id for k in ("admin", "member")] + [extra.id],
                },
            )
        ).json()
        r = await owner.patch(
            f"/api/im/conversations/{group['id']}/members/{people['admin'].id}", json={"role": "admin"}
        )
        assert r.status_code == 204, r.text
        group = (
            await owner.patch(f"/api/im/conversations/{group['id']}", json={"join_by_link": True})
        ).json()
        message = (
            await owner.post(
                f"/api/im/conversations/{group['id']}/messages",
                json={"client_msg_id": cid(), "body": "本周周报"},
            )
        ).json()
        ding = (
            await owner.post(
                f"/api/im/messages/{message['id']}/ding",
                json={"person_ids": [people["member"].id, people["admin"].id]},
            )
        ).json()
        hook = (await owner.post(f"/api/im/conversations/{group['id']}/webhooks", json={"name": "CI"})).json()
        hook["path"] = httpx.URL(hook["url"]).path
        bot = (
            await owner.post(
                f"/api/im/conversations/{group['id']}/bots",
                json={"name": "小助手", "callback_url": "https://93.184.216.34/hook"},
            )
        ).json()
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield World(people, extra, bigdata, group, message, ding, hook, bot, c)


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
