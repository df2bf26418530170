"""Every /api route is in some capability's authorisation matrix (see tests/authz.py)."""

from __future__ import annotations

import importlib
from pathlib import Path

from tests.authz import app_api_routes

TESTS = Path(__file__).parent


def _matrices() -> dict[str, dict[tuple[str, str], object]]:
    found = {}
    for path in sorted(TESTS.glob("*/test_authz.py")):
        module = importlib.import_module(f"tests.{path.parent.name}.test_authz")
        found[path.parent.name] = module.MATRIX
    return found


def test_every_api_route_is_in_a_matrix() -> None:
    matrices = _matrices()
    assert "org" in matrices
    covered = set().union(*(set(m) for m in matrices.values()))
    missing = sorted(app_api_routes() - covered)
    assert not missing, (
        "these endpoints are in no authorisation matrix; add them to tests/<capability>/test_authz.py: "
        f"{missing}"
    )
