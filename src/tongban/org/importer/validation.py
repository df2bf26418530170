"""Checking the rows: cell formats, uniqueness, managers (no unknowns, no cycles), passwords.

Every problem is reported, not only the first; departments are resolved against the existing tree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import TypeAdapter, ValidationError

from tongban.auth.passwords import check_policy
from tongban.core.errors import Invalid
from tongban.org.importer.messages import _Report
from tongban.org.importer.reading import COLUMNS, _Row
from tongban.org.schemas import Email, Mobile, TimeZoneName, Username


@dataclass(frozen=True)
class _Existing:
    id: int
    username: str
    name: str
    mobile: str | None
    email: str | None
    employee_no: str | None
    manager_id: int | None


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
