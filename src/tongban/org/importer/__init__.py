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

from tongban.org.importer.apply import DEFAULT_TIMEZONE, import_file
from tongban.org.importer.messages import ImportFailed
from tongban.org.importer.reading import COLUMNS, MAX_BYTES, MAX_ROWS, TEMPLATE_ROWS, Column, template_csv

__all__ = [
    "COLUMNS",
    "DEFAULT_TIMEZONE",
    "MAX_BYTES",
    "MAX_ROWS",
    "TEMPLATE_ROWS",
    "Column",
    "ImportFailed",
    "import_file",
    "template_csv",
]
