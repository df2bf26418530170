"""The typed web client is generated from the OpenAPI schema; fail when either is stale."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tongban.app import create_app
from tongban.core.config import Settings

WEB = Path(__file__).resolve().parents[2] / "web"
REGENERATE = "run `make openapi` and commit web/openapi.json and web/src/api/schema.d.ts"


def test_committed_schema_matches_the_app() -> None:
    current = create_app(Settings(_env_file=None)).openapi()  # type: ignore[call-arg]
    committed = json.loads((WEB / "openapi.json").read_text(encoding="utf-8"))
    assert committed == json.loads(json.dumps(current)), f"web/openapi.json is stale: {REGENERATE}"


def test_schema_names_are_unique_across_capabilities() -> None:
    # Two capabilities' models of one name get module-path names (tongban__docs__schemas__X)
    # and the typed client's S['X'] silently vanishes: name them per capability instead.
    schemas = create_app(Settings(_env_file=None)).openapi()["components"]["schemas"]  # type: ignore[call-arg]
    assert [name for name in schemas if name.startswith("tongban__")] == []


def test_generated_types_match_the_schema(tmp_path: Path) -> None:
    generator = WEB / "node_modules" / ".bin" / "openapi-typescript"
    if not generator.exists() or shutil.which("node") is None:
        pytest.skip("web/node_modules is not installed (make test installs it)")
    out = tmp_path / "schema.d.ts"
    # Run the same command as `npm run gen:api`, writing elsewhere.
    script = json.loads((WEB / "package.json").read_text())["scripts"]["gen:api"].split()
    args = [str(out) if a == "src/api/schema.d.ts" else a for a in script[1:]]
    subprocess.run([str(generator), *args], cwd=WEB, check=True, capture_output=True)
    committed = (WEB / "src" / "api" / "schema.d.ts").read_text(encoding="utf-8")
    assert out.read_text(encoding="utf-8") == committed, f"web/src/api/schema.d.ts is stale: {REGENERATE}"


def test_every_api_route_is_documented() -> None:
    schema = create_app(Settings(_env_file=None)).openapi()  # type: ignore[call-arg]
    for path in ("/api/auth/login", "/api/me", "/api/org/people", "/api/org/departments", "/healthz"):
        assert path in schema["paths"]
