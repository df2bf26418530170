"""A plain Node client (yjs + the y-websocket provider, not our front end) edits a document on
our server next to a pycrdt client: each sees the other's edit and presence."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path

import pytest

from tests.docs.conftest import new_doc, ydoc
from tests.docs.yclient import awareness_frame

WEB = Path(__file__).resolve().parents[2] / "web"
SCRIPT = WEB / "scripts" / "docs-yclient.mjs"

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None or not (WEB / "node_modules" / "y-websocket").is_dir(),
    reason="needs node and web/node_modules (make web)",
)


async def test_node_y_websocket_client_and_pycrdt_client_edit_together(team, as_person, live_server) -> None:
    liu = await as_person(team["liu"])
    doc = await new_doc(liu)
    py = await ydoc(live_server, liu, doc["id"])
    await py.send_raw(awareness_frame(4242, 1, {"user": {"name": "pycrdt-client"}}))
    py.text += "from-python;"
    cookie = f"tongban_session={liu.cookies['tongban_session']}"
    node = await asyncio.create_subprocess_exec(
        "node",
        str(SCRIPT),
        f"ws://{live_server}/api/docs/ws",
        str(doc["id"]),
        cookie,
        f"http://{live_server}",
        "from-node;",
        "from-python;",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    await py.wait(lambda: "from-node;" in str(py.text), timeout=20)
    out, err = await asyncio.wait_for(node.communicate(), 30)
    assert node.returncode == 0, err.decode()
    result = json.loads(out)
    assert "from-python;" in result["text"] and "from-node;" in result["text"]
    assert "pycrdt-client" in result["peers"]  # our awareness reached the Node client
    await py.wait(
        lambda: any((s or {}).get("user", {}).get("name") == "node-client" for s in py.awareness.values())
    )
    await py.close()
