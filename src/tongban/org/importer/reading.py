"""Reading the file: CSV or XLSX sniffed from the bytes, cells as text, headers mapped to columns."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from tongban.core import i18n
from tongban.org.importer.messages import _Report

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000


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
