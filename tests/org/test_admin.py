"""Administering the org chart through the API: departments and people."""

from __future__ import annotations

import pytest

from tests.factories import Org


@pytest.fixture
async def county(org: Org, as_person):
    root = await org.department("云溪县人民政府")
    farm = await org.department("农业农村局", root)
    team = await org.department("执法大队", farm)
    finance = await org.department("财政局", root)
    admin = await org.person("系统管理员", root, username="admin", role="org_admin")
    liu = await org.person("刘锋", farm, username="liufeng", email="liufeng@yunxi.gov.cn")
    return {
        "root": root,
        "farm": farm,
        "team": team,
        "finance": finance,
        "liu": liu,
        "org": org,
        "admin": await as_person(admin),
        "member": await as_person(liu),
    }


async def departments(c) -> dict[str, dict]:
    return {d["name"]: d for d in (await c.get("/api/org/departments")).json()}


async def names_in(c, department_id: int, **params) -> list[str]:
    r = await c.get("/api/org/people", params={"department_id": department_id, **params})
    return sorted(p["name"] for p in r.json()["items"])


# ---- departments --------------------------------------------------------------------------


async def test_create_rename_move_and_delete_a_department(county):
    c = county["admin"]
    r = await c.post("/api/org/departments", json={"name": "应急管理局", "parent_id": county["root"].id})
    assert r.status_code == 201, r.text
    new = r.json()
    assert new == {
        "id": new["id"],
        "name": "应急管理局",
        "parent_id": county["root"].id,
        "sort_order": 0,
        "member_count": 0,
        "head_id": None,
    }
    child = (await c.post("/api/org/departments", json={"name": "值班室", "parent_id": new["id"]})).json()

    r = await c.patch(f"/api/org/departments/{new['id']}", json={"name": "应急局"})
    assert r.status_code == 200
    assert r.json()["name"] == "应急局"

    # Moving carries the subtree along: 值班室 is now found under 农业农村局 with include_sub.
    r = await c.patch(f"/api/org/departments/{new['id']}", json={"parent_id": county["farm"].id})
    assert r.status_code == 200
    assert r.json()["parent_id"] == county["farm"].id
    person = await c.post(
        "/api/org/people", json={"name": "值班员", "username": "zhiban", "department_ids": [child["id"]]}
    )
    assert person.status_code == 201, person.text
    assert await names_in(c, county["farm"].id, include_sub=True) == ["值班员", "刘锋"]
    assert await names_in(c, county["finance"].id, include_sub=True) == []
    card = (await c.get(f"/api/org/people/{person.json()['id']}")).json()
    assert card["departments"][0]["path"] == ["云溪县人民政府", "农业农村局", "应急局", "值班室"]

    assert (await c.delete(f"/api/org/departments/{new['id']}")).status_code == 409  # has a child
    assert (
        await c.patch(
            f"/api/org/people/{person.json()['id']}", json={"department_ids": [county["finance"].id]}
        )
    ).status_code == 200
    assert (await c.delete(f"/api/org/departments/{child['id']}")).status_code == 204
    assert (await c.delete(f"/api/org/departments/{new['id']}")).status_code == 204
    assert "应急局" not in await departments(c)


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("zh-CN", "部门「{name}」下还有成员或子部门，不能删除"),
        ("en-US", "Department “{name}” still has members or sub-departments and cannot be deleted"),
    ],
)
async def test_delete_refused_while_department_has_members_or_children(county, language, message):
    c = county["admin"]
    headers = {"Accept-Language": language}
    expected = {"code": "department_not_empty", "message": message.format(name="农业农村局")}
    # 农业农村局 has a sub-department and a member.
    r = await c.delete(f"/api/org/departments/{county['farm'].id}", headers=headers)
    assert (r.status_code, r.json()) == (409, expected)
    # Only a member left.
    assert (
        await c.patch(f"/api/org/departments/{county['team'].id}", json={"parent_id": county["finance"].id})
    ).status_code == 200
    r = await c.delete(f"/api/org/departments/{county['farm'].id}", headers=headers)
    assert (r.status_code, r.json()) == (409, expected)
    # A deactivated member is still a member.
    assert (await c.post(f"/api/org/people/{county['liu'].id}/deactivate")).status_code == 200
    r = await c.delete(f"/api/org/departments/{county['farm'].id}", headers=headers)
    assert (r.status_code, r.json()) == (409, expected)
    # Only a sub-department left.
    await c.patch(f"/api/org/people/{county['liu'].id}", json={"department_ids": [county["finance"].id]})
    await c.patch(f"/api/org/departments/{county['team'].id}", json={"parent_id": county["farm"].id})
    r = await c.delete(f"/api/org/departments/{county['farm'].id}", headers=headers)
    assert (r.status_code, r.json()) == (409, expected)
    assert "农业农村局" in await departments(c)


async def test_department_cannot_move_under_itself_or_its_descendant(county):
    c = county["admin"]
    for parent in (county["team"].id, county["farm"].id):
        r = await c.patch(
            f"/api/org/departments/{county['farm'].id}",
            json={"parent_id": parent},
            headers={"Accept-Language": "en-US"},
        )
        assert r.status_code == 422, r.text
        assert r.json()["fields"][0]["field"] == "body.parent_id"
    depts = await departments(c)
    assert depts["农业农村局"]["parent_id"] == county["root"].id
    assert depts["执法大队"]["parent_id"] == county["farm"].id


async def test_unknown_department_is_404_and_unknown_parent_422(county):
    c = county["admin"]
    assert (await c.patch("/api/org/departments/999999", json={"name": "x"})).status_code == 404
    assert (await c.delete("/api/org/departments/999999")).status_code == 404
    r = await c.post("/api/org/departments", json={"name": "x", "parent_id": 999999})
    assert r.status_code == 422
    assert r.json()["fields"][0]["field"] == "body.parent_id"


# ---- people -------------------------------------------------------------------------------


async def test_add_edit_and_move_a_person(county, client):
    c = county["admin"]
    r = await c.post(
        "/api/org/people",
        json={
            "name": "陶海锋",
            "username": "taohaifeng",
            "mobile": "13800000002",
            "email": "tao@yunxi.gov.cn",
            "title": "副大队长",
            "department_ids": [county["team"].id, county["finance"].id],
            "manager_id": county["liu"].id,
            "password": "Strong-pass-1",
        },
    )
    assert r.status_code == 201, r.text
    tao = r.json()
    assert tao["username"] == "taohaifeng"
    assert tao["manager"] == {"id": county["liu"].id, "name": "刘锋"}
    assert [(d["name"], d["is_primary"]) for d in tao["departments"]] == [
        ("执法大队", True),
        ("财政局", False),
    ]
    assert tao["roles"] == ["member"]

    login = await client.post("/api/auth/login", json={"login": "13800000002", "password": "Strong-pass-1"})
    assert login.status_code == 200

    r = await c.patch(f"/api/org/people/{tao['id']}", json={"name": "陶海峰", "title": "大队长"})
    assert r.status_code == 200
    assert (r.json()["name"], r.json()["title"]) == ("陶海峰", "大队长")
    assert [p["name"] for p in (await c.get("/api/org/people", params={"q": "thf"})).json()["items"]] == [
        "陶海峰"
    ]

    r = await c.patch(
        f"/api/org/people/{tao['id']}",
        json={
            "department_ids": [county["finance"].id, county["farm"].id],
            "primary_department_id": county["farm"].id,
        },
    )
    assert r.status_code == 200
    assert [(d["name"], d["is_primary"]) for d in r.json()["departments"]] == [
        ("农业农村局", True),
        ("财政局", False),
    ]
    assert await names_in(c, county["team"].id) == []
    assert await names_in(c, county["farm"].id) == ["刘锋", "陶海峰"]


async def test_deactivate_and_reactivate(county, client, as_person):
    c = county["admin"]
    member = county["member"]
    other = await as_person(await county_person(county, "王建国", "wangjianguo"))
    liu_id = county["liu"].id

    r = await c.post(f"/api/org/people/{liu_id}/deactivate")
    assert r.status_code == 200
    assert r.json()["active"] is False
    # Signed out everywhere and cannot sign in again.
    assert (await member.get("/api/me")).status_code == 401
    assert (
        await client.post("/api/auth/login", json={"login": "liufeng", "password": "correct-horse-9"})
    ).status_code == 401
    # Gone from the directory for members, even when they ask for inactive people…
    assert (await other.get("/api/org/people", params={"q": "liufeng"})).json()["items"] == []
    assert (await other.get("/api/org/people", params={"q": "liufeng", "include_inactive": True})).json()[
        "items"
    ] == []
    assert (await other.get(f"/api/org/people/{liu_id}")).status_code == 404
    # …but admins still see it when they ask.
    assert (await c.get("/api/org/people", params={"q": "liufeng"})).json()["items"] == []
    found = (await c.get("/api/org/people", params={"q": "liufeng", "include_inactive": True})).json()[
        "items"
    ]
    assert [(p["name"], p["active"]) for p in found] == [("刘锋", False)]

    r = await c.post(f"/api/org/people/{liu_id}/reactivate")
    assert r.status_code == 200
    assert r.json()["active"] is True
    assert (
        await client.post("/api/auth/login", json={"login": "liufeng", "password": "correct-horse-9"})
    ).status_code == 200
    assert [
        p["name"] for p in (await other.get("/api/org/people", params={"q": "liufeng"})).json()["items"]
    ] == ["刘锋"]


async def county_person(county, name: str, username: str):
    return await county["org"].person(name, county["finance"], username=username)


async def test_admin_cannot_deactivate_themselves(county):
    me = (await county["admin"].get("/api/me")).json()
    r = await county["admin"].post(f"/api/org/people/{me['id']}/deactivate")
    assert r.status_code == 422


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "zh-CN",
            [
                {"field": "body.name", "code": "missing", "message": "必填"},
                {"field": "body.email", "code": "string_pattern_mismatch", "message": "格式不正确"},
            ],
        ),
        (
            "en-US",
            [
                {"field": "body.name", "code": "missing", "message": "is required"},
                {"field": "body.email", "code": "string_pattern_mismatch", "message": "has the wrong format"},
            ],
        ),
    ],
)
async def test_bad_input_names_each_field_in_the_callers_language(county, language, expected):
    c = county["admin"]
    headers = {"Accept-Language": language}
    r = await c.post(
        "/api/org/people",
        json={"username": "newbie", "email": "not-an-email", "department_ids": [county["farm"].id]},
        headers=headers,
    )
    assert r.status_code == 422
    assert r.json()["code"] == "validation_error"
    assert r.json()["fields"] == expected

    dup = await c.post(
        "/api/org/people",
        json={"name": "另一个刘锋", "username": "LiuFeng", "department_ids": [county["farm"].id]},
        headers=headers,
    )
    assert dup.status_code == 422
    message = "用户名已被使用" if language == "zh-CN" else "This username is already taken"
    assert dup.json()["fields"] == [{"field": "body.username", "code": "username_taken", "message": message}]

    dup_email = await c.patch(
        f"/api/org/people/{(await county_person(county, '赵丽', 'zhaoli')).id}",
        json={"email": "LIUFENG@yunxi.gov.cn"},
        headers=headers,
    )
    assert dup_email.status_code == 422
    assert dup_email.json()["fields"][0]["field"] == "body.email"


async def test_unknown_department_or_manager_is_422(county):
    c = county["admin"]
    r = await c.post("/api/org/people", json={"name": "甲", "username": "jia", "department_ids": [999999]})
    assert r.status_code == 422
    assert r.json()["fields"][0]["field"] == "body.department_ids"
    r = await c.post(
        "/api/org/people",
        json={"name": "甲", "username": "jia", "department_ids": [county["farm"].id], "manager_id": 999999},
    )
    assert r.status_code == 422
    assert r.json()["fields"][0]["field"] == "body.manager_id"
    r = await c.patch(f"/api/org/people/{county['liu'].id}", json={"manager_id": county["liu"].id})
    assert r.status_code == 422
    assert r.json()["fields"][0]["field"] == "body.manager_id"


async def test_manager_cycles_are_refused(county):
    c = county["admin"]
    boss = await county_person(county, "宋杰", "songjie")
    deputy = await county_person(county, "赵丽", "zhaoli")
    assert (await c.patch(f"/api/org/people/{deputy.id}", json={"manager_id": boss.id})).status_code == 200
    assert (
        await c.patch(f"/api/org/people/{county['liu'].id}", json={"manager_id": deputy.id})
    ).status_code == 200
    # 宋杰 ← 赵丽 ← 刘锋: making 刘锋 (or 赵丽) 宋杰's manager would close the loop.
    for manager in (county["liu"].id, deputy.id):
        r = await c.patch(
            f"/api/org/people/{boss.id}", json={"manager_id": manager}, headers={"Accept-Language": "en-US"}
        )
        assert r.status_code == 422
        assert r.json()["fields"] == [
            {
                "field": "body.manager_id",
                "code": "field.manager_cycle",
                "message": "cannot be one of the person's own reports (the managers would form a cycle)",
            }
        ]
    card = (await c.get(f"/api/org/people/{boss.id}")).json()
    assert card["manager"] is None
