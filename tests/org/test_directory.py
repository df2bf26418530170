from __future__ import annotations

import pytest

from tests.factories import Org


@pytest.fixture
async def county(org: Org):
    root = await org.department("云溪县人民政府")
    bigdata = await org.department("大数据中心", root)
    farm = await org.department("农业农村局", root)
    liu = await org.person(
        "刘锋", bigdata, username="liufeng", mobile="13900000022", email="liufeng@yunxi.gov.cn"
    )
    zeng = await org.person("曾小明", farm, username="zengxm")
    anna = await org.person("Anna Kowalska", farm, username="anna", timezone="Europe/Warsaw")
    return {"root": root, "bigdata": bigdata, "farm": farm, "liu": liu, "zeng": zeng, "anna": anna}


@pytest.mark.parametrize("q", ["lf", "liufeng", "liu", "刘锋", "刘", "13900000022", "liufeng@yunxi"])
async def test_search_finds_liufeng(county, as_person, q):
    c = await as_person(county["anna"])
    r = await c.get("/api/org/people", params={"q": q})
    assert r.status_code == 200
    names = [p["name"] for p in r.json()["items"]]
    assert names[0] == "刘锋", names
    assert r.json()["items"][0]["departments"] == [
        {"id": county["bigdata"].id, "name": "大数据中心", "is_primary": True}
    ]


async def test_surname_heteronym_and_latin_names(county, as_person):
    c = await as_person(county["liu"])
    assert [p["name"] for p in (await c.get("/api/org/people", params={"q": "zxm"})).json()["items"]] == [
        "曾小明"
    ]
    assert [p["name"] for p in (await c.get("/api/org/people", params={"q": "kowal"})).json()["items"]] == [
        "Anna Kowalska"
    ]
    assert (await c.get("/api/org/people", params={"q": "zzzz"})).json()["items"] == []


async def test_like_wildcards_are_literal(county, as_person):
    c = await as_person(county["liu"])
    assert (await c.get("/api/org/people", params={"q": "%"})).json()["items"] == []
    assert (await c.get("/api/org/people", params={"q": "_"})).json()["items"] == []


async def test_department_listing_with_subdepartments(county, as_person):
    c = await as_person(county["liu"])
    direct = (await c.get("/api/org/people", params={"department_id": county["root"].id})).json()["items"]
    assert direct == []
    sub = (
        await c.get("/api/org/people", params={"department_id": county["root"].id, "include_sub": True})
    ).json()
    assert sorted(p["name"] for p in sub["items"]) == sorted(["刘锋", "曾小明", "Anna Kowalska"])


async def test_cursor_pagination_visits_everyone_once(county, org: Org, as_person):
    for i in range(7):
        await org.person(f"测试{i}", county["farm"])
    c = await as_person(county["liu"])
    seen, cursor = [], None
    while True:
        params = {"department_id": county["farm"].id, "limit": 3}
        if cursor:
            params["cursor"] = cursor
        page = (await c.get("/api/org/people", params=params)).json()
        seen += [p["id"] for p in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == 9


async def test_profile_card(county, as_person, org: Org):
    boss = await org.person("宋杰", county["bigdata"], username="songjie", title="主任")
    c = await as_person(county["anna"])
    admin_client = await as_person(await org.person("管理员", county["root"], role="org_admin"))
    r = await admin_client.patch(
        f"/api/org/people/{county['liu'].id}", json={"manager_id": boss.id, "title": "系统架构师"}
    )
    assert r.status_code == 200, r.text
    card = (await c.get(f"/api/org/people/{county['liu'].id}")).json()
    assert card["name"] == "刘锋"
    assert card["title"] == "系统架构师"
    assert card["manager"] == {"id": boss.id, "name": "宋杰"}
    assert card["departments"][0]["path"] == ["云溪县人民政府", "大数据中心"]
    assert card["timezone"] == "Asia/Shanghai"
    assert card["presence"] == "offline"
    assert (await c.get(f"/api/org/people/{county['anna'].id}")).json()["timezone"] == "Europe/Warsaw"


async def test_unknown_person_is_404_in_the_callers_language(county, as_person):
    c = await as_person(county["liu"])
    r = await c.get("/api/org/people/999999", headers={"Accept-Language": "en-US"})
    assert r.status_code == 404
    assert r.json() == {"code": "person_not_found", "message": "No such person"}


async def test_search_by_employee_number_keeps_its_case(org: Org, as_person):
    dept = await org.department("财政局")
    lin = await org.person("林国华", dept, username="linguohua", employee_no="YX0042")
    c = await as_person(lin)
    found = (await c.get("/api/org/people", params={"q": "YX0042"})).json()["items"]
    assert [p["name"] for p in found] == ["林国华"]
