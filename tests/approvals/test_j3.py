"""J3 through the API: a trip over 5,000 goes to the department head, then the finance director
and the deputy director together (会签), with the office manager CC'd; every step and signature
ends up in the timeline and the PDF record."""

from __future__ import annotations

import io

from PIL import Image

from tests.approvals.conftest import Bureau, install, my_task, trip


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (200, 80), (0, 0, 0, 0)).save(out, format="PNG")
    return out.getvalue()


async def upload_signature(client) -> str:  # type: ignore[no-untyped-def]
    r = await client.post("/api/files", files={"file": ("sign.png", png(), "image/png")})
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def test_trip_over_5000_countersigned_and_recorded(bureau: Bureau, as_person) -> None:  # type: ignore[no-untyped-def]
    admin = await as_person(bureau.admin)
    template = await install(admin)
    staff = await as_person(bureau.staff)
    r = await staff.post(
        "/api/approvals/requests", json={"template_id": template["id"], "values": trip(8000)}
    )
    assert r.status_code == 201, r.text
    req = r.json()
    assert [n["id"] for n in req["route"]] == ["head", "finance", "office"]
    assert req["route"][1]["mode"] == "all"
    assert req["current"] == ["王主任"]

    head = await as_person(bureau.head)
    pending = (await head.get("/api/approvals/requests?box=pending")).json()["items"]
    assert [p["id"] for p in pending] == [req["id"]]
    signature = await upload_signature(head)
    r = await head.post(
        f"/api/approvals/tasks/{pending[0]['my_task_id']}/approve",
        json={"comment": "同意出差", "signature_file_id": signature},
    )
    assert r.status_code == 200, r.text
    assert sorted(r.json()["current"]) == sorted(["赵财务", "钱副主任"])

    finance = await as_person(bureau.finance)
    deputy = await as_person(bureau.deputy)
    manager = await as_person(bureau.manager)
    # the countersigners see the head's signature
    assert (await finance.get(f"/api/files/{signature}/content")).status_code == 200
    r = await finance.post(
        f"/api/approvals/tasks/{await my_task(finance, req['id'])}/approve", json={"comment": "费用合理"}
    )
    assert r.json()["status"] == "pending"  # 会签: the deputy director is still to sign
    assert (await manager.get("/api/approvals/requests?box=cc")).json()["items"] == []
    r = await deputy.post(
        f"/api/approvals/tasks/{await my_task(deputy, req['id'])}/approve",
        json={"comment": "同意", "signature_file_id": await upload_signature(deputy)},
    )
    done = r.json()
    assert done["status"] == "approved"
    assert [a["kind"] for a in done["timeline"]] == ["submit", "approve", "approve", "approve", "cc"]
    assert [t["status"] for t in done["tasks"]] == ["approved", "approved", "approved"]

    cc = (await manager.get("/api/approvals/requests?box=cc")).json()["items"]
    assert [c["id"] for c in cc] == [req["id"]]
    assert (await manager.get(f"/api/approvals/requests/{req['id']}")).status_code == 200
    outsider = await as_person(bureau.other)
    assert (await outsider.get(f"/api/approvals/requests/{req['id']}")).status_code == 404

    pdf = await staff.get(f"/api/approvals/requests/{req['id']}/record.pdf")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")

    mine = (await staff.get("/api/approvals/requests?box=submitted")).json()["items"]
    assert mine[0]["status"] == "approved"
    notes = (await head.get("/api/notify/notifications")).json()["items"]
    assert any("待你审批" in n["title"] for n in notes)


async def test_trip_under_5000_skips_countersign(bureau: Bureau, as_person) -> None:  # type: ignore[no-untyped-def]
    template = await install(await as_person(bureau.admin))
    staff = await as_person(bureau.staff)
    r = await staff.post(
        "/api/approvals/requests", json={"template_id": template["id"], "values": trip(3000)}
    )
    assert [n["id"] for n in r.json()["route"]] == ["head", "office"]


async def test_invalid_form_values_name_the_field(bureau: Bureau, as_person) -> None:  # type: ignore[no-untyped-def]
    template = await install(await as_person(bureau.admin))
    staff = await as_person(bureau.staff)
    r = await staff.post(
        "/api/approvals/requests",
        json={"template_id": template["id"], "values": {"budget": -5}},
        headers={"Accept-Language": "en-US"},
    )
    assert r.status_code == 422
    fields = {f["field"] for f in r.json()["fields"]}
    assert {"values.destination", "values.dates", "values.purpose", "values.budget"} <= fields
