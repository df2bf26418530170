from __future__ import annotations

import csv
import io
import os
import subprocess
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from tests.factories import Org
from tongban.core.db import Database
from tongban.core.events import EventRecord
from tongban.org.models import Department, Membership, Person

HEADER_ZH = ["姓名", "用户名", "手机", "邮箱", "工号", "职务", "部门", "直属上级", "时区", "初始密码"]
HEADER_EN = [
    "name",
    "username",
    "mobile",
    "email",
    "employee_no",
    "title",
    "department",
    "manager",
    "timezone",
    "password",
]

GOOD_ROWS = [
    [
        "陈志强",
        "chenzhiqiang",
        "13800000001",
        "chen@yunxi.gov.cn",
        "A001",
        "局长",
        "云溪县人民政府/农业农村局",
        "",
        "",
        "",
    ],
    [
        "陶海锋",
        "taohaifeng",
        "13800000002",
        "tao@yunxi.gov.cn",
        "A002",
        "副大队长",
        "云溪县人民政府/农业农村局/执法大队;云溪县人民政府/应急管理局",
        "chenzhiqiang",
        "",
        "Strong-pass-1",
    ],
    # Reports to someone further down the file: managers may come after their reports.
    ["黄梅", "huangmei", "", "", "", "执法队员", "云溪县人民政府/农业农村局/执法大队", "lixiaolong", "", ""],
    [
        "Li Xiaolong",
        "lixiaolong",
        "+48 600 000 000",
        "",
        "",
        "联络员",
        "云溪县人民政府/驻华沙联络处",
        "",
        "Europe/Warsaw",
        "",
    ],
]


def to_csv(rows: list[list[str]], header: list[str] = HEADER_ZH, encoding: str = "utf-8-sig") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def to_xlsx(rows: list[list[object]], header: list[str] = HEADER_ZH) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


async def upload(client, data: bytes, *, dry_run: bool = False, name: str = "org.csv", **headers: str):
    return await client.post(
        "/api/org/import",
        params={"dry_run": str(dry_run).lower()},
        files={"file": (name, data, "application/octet-stream")},
        headers=headers,
    )


@pytest.fixture
async def admin(org: Org, as_person):
    root = await org.department("云溪县人民政府")
    person = await org.person("系统管理员", root, username="admin", role="org_admin")
    return {"root": root, "person": person, "client": await as_person(person)}


async def snapshot(db: Database) -> tuple[int, int, int]:
    async with db.transaction(write=False) as session:
        people = await session.scalar(select(func.count()).select_from(Person))
        depts = await session.scalar(select(func.count()).select_from(Department))
        members = await session.scalar(select(func.count()).select_from(Membership))
    return int(people or 0), int(depts or 0), int(members or 0)


async def assert_county_imported(db: Database, client) -> None:
    depts = {d["name"]: d for d in (await client.get("/api/org/departments")).json()}
    assert depts["农业农村局"]["parent_id"] == depts["云溪县人民政府"]["id"]
    assert depts["执法大队"]["parent_id"] == depts["农业农村局"]["id"]
    assert depts["应急管理局"]["parent_id"] == depts["云溪县人民政府"]["id"]
    assert (
        len([d for d in depts.values() if d["name"] == "云溪县人民政府"]) == 1
    )  # the existing root is reused

    found = (await client.get("/api/org/people", params={"q": "taohaifeng"})).json()["items"]
    tao = (await client.get(f"/api/org/people/{found[0]['id']}")).json()
    assert tao["title"] == "副大队长"
    assert tao["mobile"] == "13800000002"
    assert tao["employee_no"] == "A002"
    assert tao["manager"]["name"] == "陈志强"
    assert [d["path"] for d in tao["departments"]] == [
        ["云溪县人民政府", "农业农村局", "执法大队"],
        ["云溪县人民政府", "应急管理局"],
    ]
    assert tao["departments"][0]["is_primary"] is True

    found = (await client.get("/api/org/people", params={"q": "huangmei"})).json()["items"]
    huang = (await client.get(f"/api/org/people/{found[0]['id']}")).json()
    assert huang["manager"]["name"] == "Li Xiaolong"
    assert huang["timezone"] == "Asia/Shanghai"
    found = (await client.get("/api/org/people", params={"q": "lixiaolong"})).json()["items"]
    li = (await client.get(f"/api/org/people/{found[0]['id']}")).json()
    assert li["timezone"] == "Europe/Warsaw"


async def test_csv_with_bom_imports_people_and_nested_departments(admin, db, client):
    c = admin["client"]
    r = await upload(c, to_csv(GOOD_ROWS))
    assert r.status_code == 200, r.text
    assert r.json() == {
        "ok": True,
        "dry_run": False,
        "total_rows": 4,
        "created": 4,
        "updated": 0,
        "departments_created": 4,
        "errors": [],
    }
    await assert_county_imported(db, c)
    async with db.transaction(write=False) as session:
        events = (
            await session.execute(select(EventRecord.type).where(EventRecord.person_id == admin["person"].id))
        ).all()
    assert [e.type for e in events] == ["org.changed"]  # one event for the whole import, not one per row
    # The initial password works.
    login = await client.post("/api/auth/login", json={"login": "taohaifeng", "password": "Strong-pass-1"})
    assert login.status_code == 200, login.text


async def test_xlsx_imports_people_and_nested_departments(admin, db):
    rows: list[list[object]] = [list(r) for r in GOOD_ROWS]
    rows[0][2] = 13800000001  # Excel turns a mobile typed without a leading ' into a number
    rows.insert(2, [None] * len(HEADER_ZH))  # an empty row in the middle is skipped
    r = await upload(admin["client"], to_xlsx(rows), name="org.xlsx")
    assert r.status_code == 200, r.text
    assert r.json()["created"] == 4
    await assert_county_imported(db, admin["client"])


async def test_gb18030_csv_with_english_headers(admin, db):
    data = to_csv(GOOD_ROWS, header=HEADER_EN, encoding="gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    r = await upload(admin["client"], data)
    assert r.status_code == 200, r.text
    assert r.json()["created"] == 4
    await assert_county_imported(db, admin["client"])


async def test_dry_run_writes_nothing(admin, db):
    before = await snapshot(db)
    r = await upload(admin["client"], to_csv(GOOD_ROWS), dry_run=True)
    assert r.status_code == 200, r.text
    assert r.json() == {
        "ok": True,
        "dry_run": True,
        "total_rows": 4,
        "created": 4,
        "updated": 0,
        "departments_created": 4,
        "errors": [],
    }
    assert await snapshot(db) == before


BAD_ROWS = [
    GOOD_ROWS[0],
    # row 3: bad mobile
    ["张三", "zhangsan", "138-abc", "", "", "", "云溪县人民政府", "", "", ""],
    GOOD_ROWS[1],
    # row 5: the same username as row 2
    ["李四", "chenzhiqiang", "", "", "", "", "云溪县人民政府", "", "", ""],
    # row 6: unknown manager
    ["王五", "wangwu", "", "", "", "", "云溪县人民政府", "nobody", "", ""],
]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "zh-CN",
            [
                {"row": 3, "column": "手机", "message": "手机号格式不正确"},
                {"row": 5, "column": "用户名", "message": "与第 2 行重复"},
                {"row": 6, "column": "直属上级", "message": "找不到用户名为「nobody」的成员"},
            ],
        ),
        (
            "en-US",
            [
                {"row": 3, "column": "手机", "message": "is not a valid mobile number"},
                {"row": 5, "column": "用户名", "message": "duplicates row 2"},
                {"row": 6, "column": "直属上级", "message": "no person with the username “nobody”"},
            ],
        ),
    ],
)
async def test_every_bad_row_is_reported_and_nothing_is_written(admin, db, language, expected):
    before = await snapshot(db)
    dry = await upload(admin["client"], to_csv(BAD_ROWS), dry_run=True, **{"Accept-Language": language})
    assert dry.status_code == 200
    assert dry.json()["ok"] is False
    assert dry.json()["errors"] == expected

    real = await upload(admin["client"], to_csv(BAD_ROWS), **{"Accept-Language": language})
    assert real.status_code == 422
    body = real.json()
    assert body["code"] == "import_failed"
    assert body["message"] == (
        "导入失败：发现 3 处错误，未写入任何数据"
        if language == "zh-CN"
        else "Import failed: 3 problems found; nothing was written"
    )
    assert body["report"] == {
        "ok": False,
        "dry_run": False,
        "total_rows": 5,
        "created": 0,
        "updated": 0,
        "departments_created": 0,
        "errors": expected,
    }
    assert await snapshot(db) == before


async def test_more_kinds_of_bad_rows(admin, org: Org, db):
    await org.person(
        "已有成员", admin["root"], username="existing", mobile="13900000009", email="old@yunxi.gov.cn"
    )
    header = [*HEADER_EN, "notes"]  # unknown columns are ignored
    rows = [
        ["", "nameless", "", "", "", "", "云溪县人民政府", "", "", "", "x"],  # 2: missing name
        ["甲", "jia", "13900000009", "", "", "", "云溪县人民政府", "", "", "", ""],  # 3: mobile taken
        ["乙", "yi", "", "OLD@yunxi.gov.cn", "", "", "云溪县人民政府", "", "", "", ""],  # 4: e-mail taken
        [
            "丙",
            "bing",
            "",
            "not-an-email",
            "",
            "",
            "云溪县人民政府",
            "",
            "Mars/Base",
            "",
            "",
        ],  # 5: e-mail, tz
        ["丁", "ding", "", "", "", "", "云溪县人民政府", "wu", "", "", ""],  # 6: cycle ding → wu → ding
        ["戊", "wu", "", "", "", "", "云溪县人民政府", "ding", "", "", ""],  # 7
        ["己", "ji", "", "", "", "", "云溪县人民政府//科", "ji", "", "short", ""],  # 8: dept, self, password
        ["庚", "geng", "", "", "", "", "", "", "", "", ""],  # 9: missing department
    ]
    r = await upload(
        admin["client"], to_csv(rows, header=header), dry_run=True, **{"Accept-Language": "en-US"}
    )
    errors = [(e["row"], e["column"], e["message"]) for e in r.json()["errors"]]
    assert errors == [
        (2, "name", "is required"),
        (3, "mobile", "is already used by 已有成员 (existing)"),
        (4, "email", "is already used by 已有成员 (existing)"),
        (5, "email", "is not a valid e-mail address"),
        (5, "timezone", "is not a valid time zone (for example Asia/Shanghai)"),
        (6, "manager", "the managers form a cycle: ding → wu → ding"),
        (7, "manager", "the managers form a cycle: wu → ding → wu"),
        (
            8,
            "department",
            "the department path “云溪县人民政府//科” has an empty level or a name that is too long",
        ),
        (8, "manager", "cannot be the person themselves"),
        (8, "password", "must be at least 8 characters"),
        (9, "department", "is required"),
    ]


@pytest.mark.parametrize(
    ("data", "row", "message"),
    [
        (b"", 0, "The file has no data rows"),
        ("姓名,用户名,部门\r\n".encode(), 0, "The file has no data rows"),
        (b"%PDF-1.4\x00\x01\x02binary", 0, "The file is neither CSV nor XLSX (save old .xls files as .xlsx)"),
        (
            b"PK\x03\x04 not really a zip",
            0,
            "The file is neither CSV nor XLSX (save old .xls files as .xlsx)",
        ),
        ("姓名,用户名\r\n张三,zhangsan\r\n".encode(), 1, "The required column “department” is missing"),
    ],
)
async def test_file_level_problems(admin, data, row, message):
    r = await upload(admin["client"], data, dry_run=True, **{"Accept-Language": "en-US"})
    assert r.status_code == 200
    assert r.json()["ok"] is False
    assert r.json()["errors"] == [{"row": row, "column": "", "message": message}]


async def test_more_than_20000_rows_is_refused(admin):
    rows = [[f"人{i}", f"u{i}", "", "", "", "", "云溪县人民政府", "", "", ""] for i in range(20_001)]
    r = await upload(admin["client"], to_csv(rows), dry_run=True, **{"Accept-Language": "en-US"})
    assert r.json()["errors"] == [{"row": 0, "column": "", "message": "More than 20000 rows; split the file"}]


async def test_file_over_10_mb_is_413(admin):
    r = await upload(admin["client"], b"x" * (10 * 1024 * 1024 + 1), dry_run=True)
    assert r.status_code == 413
    assert r.json()["code"] == "payload_too_large"


async def test_reimport_updates_instead_of_duplicating(admin, db):
    c = admin["client"]
    assert (await upload(c, to_csv(GOOD_ROWS))).status_code == 200
    before = await snapshot(db)
    changed = [list(r) for r in GOOD_ROWS]
    changed[1][5] = "大队长"  # title
    changed[1][6] = "云溪县人民政府/应急管理局"  # departments are replaced
    changed[1][2] = ""  # an empty cell keeps the mobile
    changed[1][9] = ""
    r = await upload(c, to_csv(changed))
    assert r.status_code == 200, r.text
    assert r.json()["created"] == 0
    assert r.json()["updated"] == 4
    assert r.json()["departments_created"] == 0
    people, depts, members = await snapshot(db)
    assert (people, depts) == before[:2]
    assert members == before[2] - 1
    found = (await c.get("/api/org/people", params={"q": "taohaifeng"})).json()["items"]
    tao = (await c.get(f"/api/org/people/{found[0]['id']}")).json()
    assert tao["title"] == "大队长"
    assert tao["mobile"] == "13800000002"
    assert [d["name"] for d in tao["departments"]] == ["应急管理局"]


async def test_manager_may_be_an_existing_person(admin, org: Org):
    boss = await org.person("宋杰", admin["root"], username="songjie")
    rows = [["刘锋", "liufeng", "", "", "", "", "云溪县人民政府/大数据中心", "SongJie", "", ""]]
    r = await upload(admin["client"], to_csv(rows))
    assert r.status_code == 200, r.text
    found = (await admin["client"].get("/api/org/people", params={"q": "liufeng"})).json()["items"]
    card = (await admin["client"].get(f"/api/org/people/{found[0]['id']}")).json()
    assert card["manager"] == {"id": boss.id, "name": "宋杰"}


async def test_only_org_admins_may_import(admin, org: Org, as_person, db):
    dept = await org.department("农业农村局", admin["root"])
    member = await as_person(await org.person("成员", dept))
    dept_admin = await as_person(await org.person("局管理员", dept, admin_of=dept))
    before = await snapshot(db)
    for c in (member, dept_admin):
        assert (await upload(c, to_csv(GOOD_ROWS))).status_code == 403
        assert (await upload(c, to_csv(GOOD_ROWS), dry_run=True)).status_code == 403
        assert (await c.get("/api/org/import/template.csv")).status_code == 403
    assert await snapshot(db) == before


async def test_template_is_a_valid_import(admin, client):
    r = await admin["client"].get("/api/org/import/template.csv")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    assert r.content.startswith(b"\xef\xbb\xbf")
    lines = r.content.decode("utf-8-sig").splitlines()
    assert lines[0] == ",".join(HEADER_ZH)
    assert len(lines) == 3
    check = await upload(admin["client"], r.content, dry_run=True)
    assert check.json()["ok"] is True, check.json()
    assert check.json()["created"] == 2


def test_command_line_import(tmp_path: Path, repo_root: Path):
    env = {
        **os.environ,
        "TONGBAN_DATA_DIR": str(tmp_path / "data"),
        "TONGBAN_DATABASE_URL": "",
        "TONGBAN_ARGON2_TIME_COST": "1",
        "TONGBAN_ARGON2_MEMORY_KIB": "1024",
    }
    tongban = ["uv", "run", "--no-sync", "--project", str(repo_root), "tongban"]

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*tongban, *args], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120
        )

    assert run("migrate").returncode == 0
    good = tmp_path / "org.csv"
    good.write_bytes(to_csv(GOOD_ROWS))
    dry = run("import-org", str(good), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert '"dry_run": true' in dry.stdout
    assert '"created": 4' in dry.stdout

    bad = tmp_path / "bad.csv"
    bad.write_bytes(to_csv(BAD_ROWS))
    failed = run("import-org", str(bad))
    assert failed.returncode == 1
    assert "与第 2 行重复" in failed.stdout

    done = run("import-org", str(good))
    assert done.returncode == 0, done.stderr
    assert '"created": 4' in done.stdout
    again = run("import-org", str(good))
    assert again.returncode == 0, again.stderr
    assert '"updated": 4' in again.stdout
    assert '"created": 0' in again.stdout
