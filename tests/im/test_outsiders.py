"""Every messaging route that names a conversation or a message refuses outsiders the same way.

The routes are read from the OpenAPI schema, so a route added later is covered without being
listed here: a non-member gets 403 (`im_not_member`) or, for a message, 403/404 — never data.
"""

from __future__ import annotations

import re

import pytest

from tests.im.conftest import send


def _example(schema: dict, components: dict) -> object:
    """A valid-looking value for a JSON schema (required fields only), so the request reaches
    the authorisation check instead of stopping at validation."""
    if "$ref" in schema:
        return _example(components[schema["$ref"].rsplit("/", 1)[1]], components)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [o for o in schema[key] if o.get("type") != "null"]
            return _example(options[0], components)
    kind = schema.get("type")
    if "enum" in schema:
        return schema["enum"][0]
    if kind == "object":
        props = schema.get("properties", {})
        return {name: _example(props[name], components) for name in schema.get("required", [])} or {
            name: _example(sub, components) for name, sub in list(props.items())[:1]
        }
    if kind == "array":
        return [_example(schema.get("items", {"type": "integer"}), components)]
    if kind == "integer":
        return 1
    if kind == "boolean":
        return True
    if kind == "string":
        return "/x" if schema.get("pattern", "").startswith("^/") else "xxxxxxxxxx"
    return 1


def _body(operation: dict, components: dict) -> object | None:
    content = operation.get("requestBody", {}).get("content", {}).get("application/json")
    return _example(content["schema"], components) if content else None


async def test_outsiders_get_nothing_from_any_im_route(team, app, as_person):
    liu, tao = await as_person(team["liu"]), await as_person(team["tao"])
    chat = (
        await liu.post("/api/im/conversations", json={"kind": "direct", "person_id": team["han"].id})
    ).json()
    message = await send(liu, chat["id"], "机密")
    checked = 0
    schema = app.openapi()
    components = schema.get("components", {}).get("schemas", {})
    for path, operations in schema["paths"].items():
        if not path.startswith("/api/im/") or (
            "{conversation_id}" not in path and "{message_id}" not in path
        ):
            continue
        url = path.replace("{conversation_id}", str(chat["id"])).replace("{message_id}", str(message["id"]))
        url = re.sub(r"\{person_id\}", str(team["han"].id), url)
        if "{" in url:
            continue  # routes keyed by something else (webhook ids) are tested in their own module
        for method, operation in operations.items():
            r = await tao.request(method.upper(), url, json=_body(operation, components))
            assert r.status_code in (403, 404), f"{method.upper()} {path} gave {r.status_code}: {r.text}"
            assert "机密" not in r.text
            checked += 1
    assert checked >= 15


@pytest.mark.parametrize("who", ["anonymous"])
async def test_anonymous_gets_401(team, client, who):
    assert (await client.get("/api/im/conversations")).status_code == 401
