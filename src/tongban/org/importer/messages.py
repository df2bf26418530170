"""The import's messages (zh/en), the error report it builds, and the 422 a failed import raises.

Row numbers are the ones Excel shows: the header is row 1, the first person row 2. Whole-file
problems (not a spreadsheet, empty, too many rows) are reported on row 0 with no column.
"""

from __future__ import annotations

from typing import Any

from tongban.core import i18n
from tongban.core.errors import AppError
from tongban.org.schemas import ImportReport, ImportRowError

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


class ImportFailed(AppError):
    """A real import that found errors: 422 with the full report, nothing written."""

    status_code = 422

    def __init__(self, report: ImportReport) -> None:
        super().__init__("import_failed", count=len(report.errors))
        self.report = report

    def body(self) -> dict[str, Any]:
        return {**super().body(), "report": self.report.model_dump()}


class _Report:
    def __init__(self, headers: dict[str, str]) -> None:
        self.headers = headers  # column key -> header text as written in the file
        self.errors: list[ImportRowError] = []

    def add(self, row: int, key: str | None, code: str, **params: object) -> None:
        column = self.headers.get(key, "") if key else ""
        self.errors.append(ImportRowError(row=row, column=column, message=i18n.t(code, None, **params)))

    def add_text(self, row: int, key: str, message: str) -> None:
        self.errors.append(ImportRowError(row=row, column=self.headers.get(key, ""), message=message))
