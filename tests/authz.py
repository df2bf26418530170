"""Shared pieces of the authorisation matrices.

Each capability declares who may call each of its endpoints in its own
`tests/<capability>/test_authz.py`: a module-level `MATRIX` keyed by `(method, path)`, whose
values start with the expected status per role (the roles are the capability's own: org
roles for org, conversation roles for im, owner/editor/viewer for docs, …). The module also
sets `COVERED_PREFIXES`, the /api prefixes it owns. `tests/test_authz_coverage.py` walks the
app's routes and fails when an /api route is in no capability's matrix, so a new endpoint
cannot ship without saying who may call it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from fastapi.routing import APIRoute


def api_routes(routes: Sequence[Any], prefix: str = "") -> Iterator[tuple[str, str]]:
    """(method, path) of every API route, following included routers."""
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:  # FastAPI ≥ 0.16x keeps included routers as lazy branches
            sub_prefix = getattr(getattr(route, "include_context", None), "prefix", "") or ""
            yield from api_routes(included.routes, prefix + sub_prefix)
        elif isinstance(route, APIRoute):
            for method in route.methods - {"HEAD", "OPTIONS"}:
                yield method, prefix + route.path


def app_api_routes() -> set[tuple[str, str]]:
    """Every /api route of a freshly built app, checked against its OpenAPI schema."""
    from tongban.app import create_app

    app = create_app()
    walked = {(m, p) for m, p in api_routes(app.routes) if p.startswith("/api/")}
    # The OpenAPI schema is the public view of the same routes: if walking the router ever
    # misses something (FastAPI internals change), this catches it instead of passing quietly.
    documented = {
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        if path.startswith("/api/")
        for method in operations
    }
    assert documented <= walked, f"walking app.routes missed documented routes: {documented - walked}"
    return walked


def check_matrix_is_current(matrix: dict[tuple[str, str], Any], prefixes: tuple[str, ...]) -> None:
    """A capability's matrix names every route under its prefixes, and no route that is gone."""
    # Whole path segments: "/api/me" covers "/api/me/locale", not "/api/meetings".
    routes = {
        (m, p)
        for m, p in app_api_routes()
        if any(p == prefix or p.startswith(prefix.rstrip("/") + "/") for prefix in prefixes)
    }
    missing = sorted(routes - set(matrix))
    assert not missing, f"add these endpoints to the capability's MATRIX: {missing}"
    stale = sorted(set(matrix) - routes)
    assert not stale, f"MATRIX lists endpoints that no longer exist: {stale}"


def matrix_cases(
    matrix: dict[tuple[str, str], tuple[dict[str, int], Any]], roles: Sequence[str]
) -> list[Any]:
    """One pytest case per endpoint and role: (method, path, role, expected status)."""

    return [
        pytest.param(method, path, role, expected[role], id=f"{method} {path} as {role}")
        for (method, path), (expected, _call) in matrix.items()
        for role in roles
    ]
