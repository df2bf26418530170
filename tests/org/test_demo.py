"""`tongban demo` loads the demo county into an empty database only."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys


def _cli(data_dir, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "TONGBAN_DATA_DIR": str(data_dir),
        "TONGBAN_DATABASE_URL": "",
        "TONGBAN_REDIS_URL": "",
    }
    return subprocess.run(
        [sys.executable, "-m", "tongban.cli", *args], env=env, capture_output=True, text=True, check=True
    )


def test_demo_loads_once_and_greets_everyone(tmp_path):
    _cli(tmp_path, "migrate")
    first = _cli(tmp_path, "demo")
    assert "loaded the demo organisation" in first.stdout
    assert "liufeng" in first.stdout and "tongban-demo" in first.stdout
    again = _cli(tmp_path, "demo")
    assert "already has people" in again.stdout
    db = sqlite3.connect(tmp_path / "tongban.db")
    people = db.execute("select count(*) from people").fetchone()[0]
    assert 50 <= people <= 70
    liu_dept = db.execute(
        "select d.name from people p join department_members m on m.person_id = p.id "
        "join departments d on d.id = m.department_id where p.username = 'liufeng'"
    ).fetchone()[0]
    assert liu_dept == "大数据中心"
    zones = {row[0] for row in db.execute("select distinct timezone from people")}
    assert {"Asia/Shanghai", "Europe/Warsaw", "Asia/Singapore"} <= zones
    assert db.execute("select count(*) from notifications").fetchone()[0] == people
    assert db.execute("select count(*) from role_assignments where role = 'org_admin'").fetchone()[0] == 1
