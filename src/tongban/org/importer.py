"""Importing an org chart (组织架构导入) from CSV or XLSX, all or nothing.

The whole file is read and checked before anything is written, and every bad row is reported
at once — an administrator fixing a 3,000-row sheet wants the full list, not one error per
attempt. Only a file without a single error is written, through the same `do_*` service
functions the admin API uses, so the import obeys the same rules and emits the same events.

Row numbers are the ones Excel shows: the header is row 1, the first person row 2. Whole-file
problems (not a spreadsheet, empty, too many rows) are reported on row 0 with no column.

For a person who already exists (matched by username, case-insensitively) an empty cell leaves
that field as it is, so a sheet with only some columns filled in cannot wipe data; the
departments in the file replace the person's memberships. The initial password is only used
for people the import creates: an import never resets somebody's existing password.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tongban.auth.passwords import check_policy
from tongban.auth.service import set_password
from tongban.core import i18n
from tongban.core.config import Settings
from tongban.core.errors import AppError, Invalid
from tongban.core.permissions import Actor
from tongban.org import service
from tongban.org.models import Department, Person, RoleAssignment
from tongban.org.schemas import (
    DepartmentCreate,
    Email,
    ImportReport,
    ImportRowError,
    Mobile,
    PersonCreate,
    PersonUpdate,
    TimeZoneName,
    Username,
)

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000
DEFAULT_TIMEZONE = "Asia/Shanghai"

i18n.register(
    {
        "import_failed": (
            "导入失败：发现 {count} 处错误，未写入任何数据",
            "Import failed: {count} problems found; nothing was written",
        ),
        "import.not_spreadsheet": (
            "文件不是 CSV 或 XLSX 表格（旧版 .xls 请另存为 .xlsx）",
            "The file is neither CSV nor XLSX (save old .xls files as .xlsx)",
        ),
        "import.too_large": ("文件超过大小上限 {limit}", "The file exceeds the size limit of {limit}"),
        "import.empty_file": ("文件中没有数据行", "The file has no data rows"),
        "import.too_many_rows": ("超过 {max} 行，请拆分后分批导入", "More than {max} rows; split the file"),
        "import.missing_column": ("缺少必需的列「{column}」", "The required column “{column}” is missing"),
        "import.duplicate_column": (
            "列「{column}」出现了多次",
            "The column “{column}” appears more than once",
        ),
        "import.missing_value": ("必填", "is required"),
        "import.too_long": ("最多 {max} 个字符", "must be at most {max} characters"),
        "import.bad_username": (
            "用户名只能包含字母、数字和 _ . -，长度 2–64",
            "may only contain letters, digits, _ . - and be 2–64 characters long",
        ),
        "import.bad_mobile": ("手机号格式不正确", "is not a valid mobile number"),
        "import.bad_email": ("邮箱格式不正确", "is not a valid e-mail address"),
        "import.bad_timezone": (
            "不是有效的时区（例如 Asia/Shanghai）",
            "is not a valid time zone (for example Asia/Shanghai)",
        ),
        "import.bad_department": (
            "部门路径「{path}」有空的层级或名称过长",
            "the department path “{path}” has an empty level or a name that is too long",
        ),
        "import.duplicate_in_file": ("与第 {first} 行重复", "duplicates row {first}"),
        "import.taken": ("已被成员 {name}（{username}）使用", "is already used by {name} ({username})"),
        "import.unknown_manager": (
            "找不到用户名为「{username}」的成员",
            "no person with the username “{username}”",
        ),
        "import.manager_self": ("不能把本人设为直属上级", "cannot be the person themselves"),
        "import.manager_cycle": ("直属上级形成循环：{chain}", "the managers form a cycle: {chain}"),
    }
)


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str
    required: bool = False
    aliases: tuple[str, ...] = ()

    def label(self) -> str:
        return self.zh if i18n.current_locale.get() == "zh-CN" else self.en


COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", "name", required=True),
    Column("username", "用户名", "username", required=True, aliases=("账号", "login")),
    Column("mobile", "手机", "mobile", aliases=("手机号", "手机号码", "phone")),
    Column("email", "邮箱", "email", aliases=("电子邮箱", "e-mail")),
    Column("employee_no", "工号", "employee_no", aliases=("employee no", "employee number")),
    Column("title", "职务", "title", aliases=("职位",)),
    Column("department", "部门", "department", required=True, aliases=("departments",)),
    Column("manager", "直属上级", "manager", aliases=("上级",)),
    Column("timezone", "时区", "timezone", aliases=("time zone",)),
    Column("password", "初始密码", "password", aliases=("密码", "initial password")),
)
_BY_HEADER: dict[str, Column] = {
    name.lower(): col for col in COLUMNS for name in (col.zh, col.en, *col.aliases)
}

TEMPLATE_ROWS = (
    (
        "陈志强",
        "chenzhiqiang",
        "13800000001",
        "chenzhiqiang@example.gov.cn",
        "A001",
        "局长",
        "云溪县人民政府/农业农村局",
        "",
        "Asia/Shanghai",
        "",
    ),
    (
        "陶海锋",
        "taohaifeng",
        "13800000002",
        "taohaifeng@example.gov.cn",
        "A002",
        "执法大队副大队长",
        "云溪县人民政府/农业农村局/执法大队;云溪县人民政府/应急管理局",
        "chenzhiqiang",
        "Asia/Shanghai",
        "Change-me-2024",
    ),
)


def template_csv() -> bytes:
    """The import template: Chinese headers and two example rows, UTF-8 with a BOM for Excel."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([col.zh for col in COLUMNS])
    writer.writerows(TEMPLATE_ROWS)
    return out.getvalue().encode("utf-8-sig")


class ImportFailed(AppError):
    """A real import that found errors: 422 with the full report, nothing written."""

    status_code = 422

    def __init__(self, report: ImportReport) -> None:
        super().__init__("import_failed", count=len(report.errors))
        self.report = report

    def body(self) -> dict[str, Any]:
        return {**super().body(), "report": self.report.model_dump()}


# ---- reading the file ---------------------------------------------------------------------


class _FileProblem(Exception):
    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code, self.params = code, params


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        # Excel stores a mobile number typed without a leading ' as a float.
        return str(int(value))
    return str(value).strip()


def _read_xlsx(data: bytes) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a zip that is not a workbook
        raise _FileProblem("import.not_spreadsheet") from exc
    try:
        sheet = workbook.worksheets[0]
        for values in sheet.iter_rows(min_row=1, values_only=True):
            yield [_cell_text(v) for v in values]
    finally:
        workbook.close()


def _decode_csv(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        text = data[3:].decode("utf-8", errors="strict")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            # Excel on Chinese Windows saves "CSV" in the ANSI code page: GBK, a subset of GB18030.
            try:
                text = data.decode("gb18030")
            except UnicodeDecodeError as exc:
                raise _FileProblem("import.not_spreadsheet") from exc
    if any(ch < " " and ch not in "\t\r\n" for ch in text[:65536]):
        raise _FileProblem("import.not_spreadsheet")  # binary data, e.g. an old .xls or a PDF
    return text


def _read_csv(data: bytes) -> Iterator[list[str]]:
    text = _decode_csv(data)
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    try:
        for record in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            yield [cell.strip() for cell in record]
    except csv.Error as exc:
        raise _FileProblem("import.not_spreadsheet") from exc


def _read_table(data: bytes) -> Iterator[list[str]]:
    """Rows of cell texts; the format is sniffed from the bytes, never taken from the name."""
    if data.startswith(b"PK\x03\x04"):
        if not zipfile.is_zipfile(io.BytesIO(data)):
            raise _FileProblem("import.not_spreadsheet")
        return _read_xlsx(data)
    return _read_csv(data)


# ---- checking -----------------------------------------------------------------------------


@dataclass
class _Row:
    number: int
    cells: dict[str, str]
    username: str = ""
    departments: list[tuple[str, ...]] = field(default_factory=list)
    existing_id: int | None = None

    def get(self, key: str) -> str:
        return self.cells.get(key, "")

    @property
    def key(self) -> str:
        return self.username.lower()


@dataclass(frozen=True)
class _Existing:
    id: int
    username: str
    name: str
    mobile: str | None
    email: str | None
    employee_no: str | None
    manager_id: int | None


class _Report:
    def __init__(self, headers: dict[str, str]) -> None:
        self.headers = headers  # column key -> header text as written in the file
        self.errors: list[ImportRowError] = []

    def add(self, row: int, key: str | None, code: str, **params: object) -> None:
        column = self.headers.get(key, "") if key else ""
        self.errors.append(ImportRowError(row=row, column=column, message=i18n.t(code, None, **params)))

    def add_text(self, row: int, key: str, message: str) -> None:
        self.errors.append(ImportRowError(row=row, column=self.headers.get(key, ""), message=message))


def _valid(adapter: TypeAdapter[str], value: str) -> bool:
    try:
        adapter.validate_python(value)
    except ValidationError:
        return False
    return True


_USERNAME: TypeAdapter[str] = TypeAdapter(Username)
_MOBILE: TypeAdapter[str] = TypeAdapter(Mobile)
_EMAIL: TypeAdapter[str] = TypeAdapter(Email)
_TIMEZONE: TypeAdapter[str] = TypeAdapter(TimeZoneName)
_LIMITS = {"name": 100, "title": 100, "employee_no": 64}


def _department_paths(cell: str) -> list[tuple[str, ...]] | None:
    """`A/B/C;A/D` → [(A, B, C), (A, D)]; None when a path has an empty or over-long level."""
    paths: list[tuple[str, ...]] = []
    for raw in cell.replace("；", ";").split(";"):
        if not raw.strip():
            continue
        parts = tuple(p.strip() for p in raw.replace("／", "/").strip().strip("/").split("/"))
        if any(not p or len(p) > 100 for p in parts):
            return None
        if parts not in paths:
            paths.append(parts)
    return paths


def _check_cells(row: _Row, report: _Report) -> None:
    for col in COLUMNS:
        if col.required and not row.get(col.key):
            report.add(row.number, col.key, "import.missing_value")
    for key, limit in _LIMITS.items():
        if len(row.get(key)) > limit:
            report.add(row.number, key, "import.too_long", max=limit)
    username = row.get("username")
    if username and not _valid(_USERNAME, username):
        report.add(row.number, "username", "import.bad_username")
    if row.get("mobile") and not _valid(_MOBILE, row.get("mobile")):
        report.add(row.number, "mobile", "import.bad_mobile")
    if row.get("email") and not _valid(_EMAIL, row.get("email")):
        report.add(row.number, "email", "import.bad_email")
    if row.get("timezone") and not _valid(_TIMEZONE, row.get("timezone")):
        report.add(row.number, "timezone", "import.bad_timezone")
    if row.get("department"):
        paths = _department_paths(row.get("department"))
        if paths is None:
            report.add(row.number, "department", "import.bad_department", path=row.get("department"))
        else:
            row.departments = paths


def _check_unique(rows: Sequence[_Row], existing: Sequence[_Existing], report: _Report) -> None:
    """Usernames, mobiles, e-mails and employee numbers: unique in the file and against others.

    A value held by another existing person counts as taken even if the same file changes
    that person's value: writes happen row by row, so a swap would collide half-way through.
    """
    keys: list[tuple[str, bool]] = [
        ("username", True),
        ("mobile", False),
        ("email", True),
        ("employee_no", False),
    ]
    for key, fold in keys:
        holders: dict[str, _Existing] = {}
        for person in existing:
            value = getattr(person, key)
            if value:
                holders[value.lower() if fold else value] = person
        seen: dict[str, int] = {}
        for row in rows:
            value = row.get(key)
            if not value:
                continue
            norm = value.lower() if fold else value
            if norm in seen:
                report.add(row.number, key, "import.duplicate_in_file", first=seen[norm])
                continue
            seen[norm] = row.number
            holder = holders.get(norm)
            if key != "username" and holder is not None and holder.id != row.existing_id:
                report.add(row.number, key, "import.taken", name=holder.name, username=holder.username)


def _check_managers(rows: Sequence[_Row], existing: Sequence[_Existing], report: _Report) -> None:
    by_id = {p.id: p for p in existing}
    known = {p.username.lower() for p in existing} | {r.key for r in rows if r.key}
    # The manager graph after the import: existing edges, overridden by the file's.
    boss: dict[str, str] = {}
    for person in existing:
        if person.manager_id is not None and person.manager_id in by_id:
            boss[person.username.lower()] = by_id[person.manager_id].username.lower()
    bad_rows: set[int] = set()
    for row in rows:
        manager = row.get("manager").lower()
        if not row.key:
            continue
        if not manager:
            if row.existing_id is None:
                boss.pop(row.key, None)
            continue
        if manager == row.key:
            report.add(row.number, "manager", "import.manager_self")
        elif manager not in known:
            report.add(row.number, "manager", "import.unknown_manager", username=row.get("manager"))
        else:
            boss[row.key] = manager
            continue
        boss.pop(row.key, None)
        bad_rows.add(row.number)
    # Each person has at most one manager, so following the edges from every node once finds
    # every cycle in linear time.
    on_cycle: dict[str, list[str]] = {}
    done: set[str] = set()
    for start in list(boss):
        path: list[str] = []
        index: dict[str, int] = {}
        node: str | None = start
        while node is not None and node not in done and node not in index:
            index[node] = len(path)
            path.append(node)
            node = boss.get(node)
        if node is not None and node in index:
            cycle = path[index[node] :]
            for member in cycle:
                on_cycle[member] = cycle
        done.update(path)
    for row in rows:
        loop = on_cycle.get(row.key)
        if loop is not None and row.number not in bad_rows:
            at = loop.index(row.key)
            names = (loop[at:] + loop[:at])[:10]
            report.add(row.number, "manager", "import.manager_cycle", chain=" → ".join([*names, row.key]))


def _check_passwords(rows: Sequence[_Row], report: _Report) -> None:
    for row in rows:
        password = row.get("password")
        if password and row.existing_id is None:
            try:
                check_policy(password, username=row.username, field="password")
            except Invalid as exc:
                report.add_text(row.number, "password", exc.fields[0].message)


class _Tree:
    """Existing departments by (parent id, name), and the paths the import has to create."""

    def __init__(self, departments: Sequence[tuple[int, str, int | None]]) -> None:
        self.child: dict[tuple[int | None, str], int] = {}
        for did, name, parent_id in departments:  # in display order: the first namesake wins
            self.child.setdefault((parent_id, name), did)
        self.created: dict[tuple[str, ...], int] = {}

    def resolve(self, path: tuple[str, ...]) -> int | None:
        parent: int | None = None
        for name in path:
            found = self.child.get((parent, name))
            if found is None:
                return self.created.get(path)  # below the first missing level all is created
            parent = found
        return parent

    def missing(self, paths: Sequence[tuple[str, ...]]) -> list[tuple[str, ...]]:
        """Every prefix of `paths` that does not exist yet, parents before children."""
        result: set[tuple[str, ...]] = set()
        for path in paths:
            parent: int | None = None
            for depth, name in enumerate(path):
                found = self.child.get((parent, name))
                if found is None:
                    result.update(path[: d + 1] for d in range(depth, len(path)))
                    break
                parent = found
        return sorted(result, key=lambda p: (len(p), p))


# ---- the import ---------------------------------------------------------------------------


async def _system_actor(session: AsyncSession) -> Actor:
    """The command line acts as the first organisation admin, or as the system on a fresh install."""
    admin_id = (
        await session.execute(
            select(RoleAssignment.person_id)
            .where(RoleAssignment.role == "org_admin")
            .order_by(RoleAssignment.id)
        )
    ).scalar()
    if admin_id is not None:
        actor = await service.actor_for(session, admin_id)
        if actor is not None:
            return actor
    return Actor(person_id=0, name="system", locale=i18n.current_locale.get(), is_org_admin=True)


def _parse(data: bytes, report: _Report) -> list[_Row]:
    """Header and data rows; file-level problems go into `report` and give no rows."""
    if len(data) > MAX_BYTES:
        report.add(0, None, "import.too_large", limit="10 MB")
        return []
    if not data.strip():
        report.add(0, None, "import.empty_file")
        return []
    try:
        table = _read_table(data)
        header = next(table, None)
        if header is None:
            report.add(0, None, "import.empty_file")
            return []
        columns: dict[int, str] = {}
        for index, text in enumerate(header):
            col = _BY_HEADER.get(text.replace("\ufeff", "").strip().strip("*").strip().lower())
            if col is None:
                continue  # unknown columns are ignored: sheets often carry notes
            if col.key in report.headers:
                report.add(1, None, "import.duplicate_column", column=text)
                continue
            report.headers[col.key] = text
            columns[index] = col.key
        missing = [col for col in COLUMNS if col.required and col.key not in report.headers]
        for col in missing:
            report.add(1, None, "import.missing_column", column=col.label())
        rows: list[_Row] = []
        for number, values in enumerate(table, start=2):
            if not any(values):
                continue  # Excel keeps formatted but empty rows at the end
            if len(rows) == MAX_ROWS:
                report.errors.clear()
                report.add(0, None, "import.too_many_rows", max=MAX_ROWS)
                return []
            cells = {key: values[i] for i, key in columns.items() if i < len(values)}
            rows.append(_Row(number=number, cells=cells, username=cells.get("username", "")))
    except _FileProblem as problem:
        report.errors.clear()
        report.add(0, None, problem.code, **problem.params)
        return []
    if not rows and not missing:
        report.add(0, None, "import.empty_file")
    return [] if missing else rows


async def import_file(
    session: AsyncSession,
    settings: Settings,
    filename: str,
    data: bytes,
    *,
    dry_run: bool,
    actor: Actor | None = None,
) -> ImportReport:
    """Check the whole file, then (unless `dry_run` or anything is wrong) write all of it.

    `filename` is only informative: the format is sniffed from the bytes. Without `actor`
    (the command line) the import acts as the first organisation admin. The caller decides
    whether to commit; nothing is written when the report is not ok.
    """
    if actor is None:
        actor = await _system_actor(session)
    actor.require_org_admin()
    report = _Report({})
    rows = _parse(data, report)
    if not rows:
        return _result(report, dry_run, 0)

    existing = [
        _Existing(*r)
        for r in (
            await session.execute(
                select(
                    Person.id,
                    Person.username,
                    Person.name,
                    Person.mobile,
                    Person.email,
                    Person.employee_no,
                    Person.manager_id,
                )
            )
        ).all()
    ]
    by_username = {p.username.lower(): p for p in existing}
    for row in rows:
        match = by_username.get(row.key)
        row.existing_id = match.id if match else None
        _check_cells(row, report)
    _check_unique(rows, existing, report)
    _check_managers(rows, existing, report)
    _check_passwords(rows, report)
    report.errors.sort(key=lambda e: e.row)

    departments = (
        await session.execute(
            select(Department.id, Department.name, Department.parent_id).order_by(
                Department.sort_order, Department.id
            )
        )
    ).all()
    tree = _Tree([(d, n, p) for d, n, p in departments])
    new_paths = tree.missing([p for row in rows for p in row.departments])
    created = sum(1 for r in rows if r.existing_id is None)
    if report.errors:
        return _result(report, dry_run, len(rows))
    if dry_run:
        return _result(report, dry_run, len(rows), created, len(rows) - created, len(new_paths))

    await _write(session, settings, actor, rows, existing, tree, new_paths)
    return _result(report, dry_run, len(rows), created, len(rows) - created, len(new_paths))


def _result(
    report: _Report, dry_run: bool, total: int, created: int = 0, updated: int = 0, departments: int = 0
) -> ImportReport:
    ok = not report.errors
    return ImportReport(
        ok=ok,
        dry_run=dry_run,
        total_rows=total,
        created=created if ok else 0,
        updated=updated if ok else 0,
        departments_created=departments if ok else 0,
        errors=report.errors,
    )


async def _write(
    session: AsyncSession,
    settings: Settings,
    actor: Actor,
    rows: Sequence[_Row],
    existing: Sequence[_Existing],
    tree: _Tree,
    new_paths: Sequence[tuple[str, ...]],
) -> None:
    for path in new_paths:
        parent_id = tree.resolve(path[:-1]) if len(path) > 1 else None
        dept = await service.do_create_department(
            session, actor, DepartmentCreate(name=path[-1], parent_id=parent_id), emit=False
        )
        tree.created[path] = dept.id

    ids = {p.username.lower(): p.id for p in existing}
    file_rows = {row.key: row for row in rows}
    # Managers before the people who report to them, so every manager already has an id.
    # The checks above ruled out cycles, so this terminates.
    order: list[_Row] = []
    placed: set[str] = set()
    for row in rows:
        chain: list[_Row] = []
        current: _Row | None = row
        while current is not None and current.key not in placed:
            chain.append(current)
            placed.add(current.key)
            current = file_rows.get(current.get("manager").lower())
        order.extend(reversed(chain))

    for row in order:
        department_ids = [tree.resolve(p) for p in row.departments]
        dept_ids = [d for d in dict.fromkeys(department_ids) if d is not None]
        manager = row.get("manager").lower()
        manager_id = ids[manager] if manager else None
        mobile, email, employee_no = (row.get(k) or None for k in ("mobile", "email", "employee_no"))
        if row.existing_id is None:
            person = await service.do_create_person(
                session,
                actor,
                PersonCreate(
                    name=row.get("name"),
                    username=row.username,
                    title=row.get("title"),
                    department_ids=dept_ids,
                    primary_department_id=dept_ids[0],
                    manager_id=manager_id,
                    timezone=row.get("timezone") or DEFAULT_TIMEZONE,
                    mobile=mobile,
                    email=email,
                    employee_no=employee_no,
                ),
                emit=False,
            )
            ids[row.key] = person.id
            if row.get("password"):
                await set_password(session, settings, person.id, row.get("password"))
        else:
            changes: dict[str, Any] = {
                "name": row.get("name"),
                "department_ids": dept_ids,
                "primary_department_id": dept_ids[0],
            }
            for key in ("mobile", "email", "employee_no", "title", "timezone"):
                if row.get(key):
                    changes[key] = row.get(key)
            if manager_id is not None:
                changes["manager_id"] = manager_id
            await service.do_update_person(
                session, actor, row.existing_id, PersonUpdate(**changes), emit=False
            )
    await service.emit_org_changed(session, actor)
