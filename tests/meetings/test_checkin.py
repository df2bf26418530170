"""QR check-in: the code decodes to the check-in URL, each person is checked in once, the rules
(window, geofence, walk-ins, rotating codes) hold, the count reaches the organiser's stream."""

from __future__ import annotations

import datetime as dt
import io
import json
from urllib.parse import parse_qs, urlsplit

import websockets
import zxingcpp
from openpyxl import load_workbook
from PIL import Image

from tests.meetings.conftest import code_of, create
from tongban.meetings import checkin as checkin_service
from tongban.meetings.models import Meeting

FENCE = {"lat": 30.2936, "lng": 108.9360, "radius_m": 200}


def decode(png: bytes) -> str:
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(results) == 1
    return results[0].text


async def test_printed_code_checks_in_once_and_answers_the_second_scan(team, as_person) -> None:
    liu = await as_person(team["liu"])
    meeting = await create(liu, person_ids=[team["nie"].id], department_ids=[team["town_b"].id])
    assert meeting["invited_count"] == 3  # 聂荣成 + the two people of 柏杨坝镇
    png = await liu.get(f"/api/meetings/{meeting['id']}/qr.png")
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    url = decode(png.content)
    parts = urlsplit(url)
    assert parts.path == f"/meetings/checkin/{meeting['id']}"
    token = parse_qs(parts.query)["t"][0]

    nie = await as_person(team["nie"])
    intro = await nie.get(f"/api/meetings/{meeting['id']}/checkin", params={"t": token})
    assert intro.status_code == 200 and intro.json()["invited"] and intro.json()["checked_in_at"] is None
    first = await nie.post(f"/api/meetings/{meeting['id']}/checkin", json={"token": token})
    assert first.status_code == 200, first.text
    assert first.json()["already"] is False and first.json()["walk_in"] is False
    again = await nie.post(f"/api/meetings/{meeting['id']}/checkin", json={"token": token})
    assert again.status_code == 200
    when = dt.datetime.fromisoformat(first.json()["checked_in_at"]).astimezone(
        dt.timezone(dt.timedelta(hours=8))
    )
    assert again.json()["already"] is True
    assert again.json()["message"] == f"你已于 {when:%H:%M} 签到，无需重复签到"
    anna = await as_person(team["anna"])
    await anna.post(f"/api/meetings/{meeting['id']}/checkin", json={"token": token})
    twice = await anna.post(f"/api/meetings/{meeting['id']}/checkin", json={"token": token})
    assert twice.json()["message"].startswith("Already checked in at ")

    att = (await liu.get(f"/api/meetings/{meeting['id']}/attendance")).json()
    assert att["checked_in"] == 2 and att["invited"] == 3  # the organiser runs it, is not counted
    town_b = next(g for g in att["by_department"] if g["department"] == "柏杨坝镇")
    assert town_b["invited"] == 2 and [p["name"] for p in town_b["missing"]] == ["韩雪"]


async def test_pdf_poster_carries_the_same_code(team, as_person) -> None:
    liu = await as_person(team["liu"])
    meeting = await create(liu)
    r = await liu.get(f"/api/meetings/{meeting['id']}/qr.pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    png_url = decode((await liu.get(f"/api/meetings/{meeting['id']}/qr.png")).content)
    _token, display_url = await code_of(liu, meeting["id"])
    assert png_url == display_url


async def test_forged_and_expired_codes_are_refused_and_nothing_is_recorded(team, as_person, db) -> None:
    liu = await as_person(team["liu"])
    meeting = await create(liu, person_ids=[team["nie"].id], rotate_seconds=30)
    nie = await as_person(team["nie"])
    forged = await nie.post(
        f"/api/meetings/{meeting['id']}/checkin", json={"token": "123.AAAAAAAAAAAAAAAAAAAAAA"}
    )
    assert forged.status_code == 403 and forged.json()["code"] == "meetings_code_invalid"
    assert forged.json()["message"].startswith("签到码无效")
    async with db.transaction(write=False) as session:
        row = await session.get(Meeting, meeting["id"])
        old = checkin_service.make_token(row, dt.datetime.now(dt.UTC) - dt.timedelta(minutes=2))
        static = f"s.{checkin_service._mac(row, 's')}"
    expired = await nie.post(f"/api/meetings/{meeting['id']}/checkin", json={"token": old})
    assert expired.status_code == 403 and expired.json()["code"] == "meetings_code_expired"
    printed = await nie.post(f"/api/meetings/{meeting['id']}/checkin", json={"token": static})
    assert printed.json()["code"] == "meetings_code_expired"
    assert (await liu.get(f"/api/meetings/{meeting['id']}/qr.png")).json()["code"] == "meetings_qr_rotating"
    assert (await liu.get(f"/api/meetings/{meeting['id']}")).json()["checked_in_count"] == 0
    token, _url = await code_of(liu, meeting["id"])
    ok = await nie.post(f"/api/meetings/{meeting['id']}/checkin", json={"token": token})
    assert ok.status_code == 200 and ok.json()["already"] is False
    # A new secret voids the code that was just on screen.
    assert (await liu.post(f"/api/meetings/{meeting['id']}/secret")).status_code == 204
    intro = await nie.get(f"/api/meetings/{meeting['id']}/checkin", params={"t": token})
    assert intro.json()["code"] == "meetings_code_invalid"


async def test_time_window(team, as_person) -> None:
    liu = await as_person(team["liu"])
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    meeting = await create(
        liu, start=later.isoformat(), end=(later + dt.timedelta(hours=1)).isoformat(), tz="Asia/Shanghai"
    )
    token, _ = await code_of(liu, meeting["id"])
    nie = await as_person(team["nie"])
    r = await nie.post(f"/api/meetings/{meeting['id']}/checkin", json={"token": token})
    opens = (later - dt.timedelta(minutes=30)).astimezone(dt.timezone(dt.timedelta(hours=8)))
    assert r.status_code == 409 and r.json()["message"] == f"签到将于 {opens:%Y-%m-%d %H:%M} 开始"
    past = await create(
        liu,
        start=(dt.datetime.now(dt.UTC) - dt.timedelta(hours=3)).isoformat(),
        end=(dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)).isoformat(),
    )
    token, _ = await code_of(liu, past["id"])
    r = await nie.post(f"/api/meetings/{past['id']}/checkin", json={"token": token})
    assert r.status_code == 409 and r.json()["code"] == "meetings_checkin_closed"


async def test_geofence_refuses_or_flags(team, as_person) -> None:
    liu = await as_person(team["liu"])
    strict = await create(liu, geofence=FENCE)
    token, _ = await code_of(liu, strict["id"])
    nie = await as_person(team["nie"])
    base = f"/api/meetings/{strict['id']}/checkin"
    nowhere = await nie.post(base, json={"token": token})
    assert nowhere.status_code == 422 and nowhere.json()["fields"][0]["field"] == "body.lat"
    far = await nie.post(base, json={"token": token, "lat": 30.3036, "lng": 108.9360})  # ~1.1 km north
    assert far.status_code == 403 and far.json()["code"] == "meetings_outside_fence"
    assert "1112" in far.json()["message"] or "111" in far.json()["message"]
    near = await nie.post(base, json={"token": token, "lat": 30.2940, "lng": 108.9361})
    assert near.status_code == 200 and near.json()["flagged"] is False

    lax = await create(liu, geofence={**FENCE, "mode": "flag"})
    token, _ = await code_of(liu, lax["id"])
    flagged = await nie.post(
        f"/api/meetings/{lax['id']}/checkin", json={"token": token, "lat": 30.3036, "lng": 108.9360}
    )
    assert flagged.status_code == 200 and flagged.json()["flagged"] is True
    att = (await liu.get(f"/api/meetings/{lax['id']}/attendance")).json()
    assert att["flagged"] == 1 and att["attendees"][0]["distance_m"] > 1000


async def test_walk_ins_recorded_or_refused(team, as_person) -> None:
    liu = await as_person(team["liu"])
    open_door = await create(liu, person_ids=[team["nie"].id])
    token, _ = await code_of(liu, open_door["id"])
    tao = await as_person(team["tao"])
    r = await tao.post(f"/api/meetings/{open_door['id']}/checkin", json={"token": token})
    assert r.status_code == 200 and r.json()["walk_in"] is True
    att = (await liu.get(f"/api/meetings/{open_door['id']}/attendance")).json()
    assert att["walk_ins"] == 1
    assert next(a for a in att["attendees"] if a["name"] == "陶海锋")["role"] == "walk_in"
    # The walk-in sees the meeting from now on? No: a code lets them check in, not read it.
    assert (await tao.get(f"/api/meetings/{open_door['id']}")).status_code == 404

    closed = await create(liu, person_ids=[team["nie"].id], allow_walk_ins=False)
    token, _ = await code_of(liu, closed["id"])
    r = await tao.post(f"/api/meetings/{closed['id']}/checkin", json={"token": token})
    assert r.status_code == 403 and r.json()["code"] == "meetings_not_invited"


async def test_manual_checkin_and_excel_export(team, as_person) -> None:
    liu = await as_person(team["liu"])
    meeting = await create(liu, department_ids=[team["town_a"].id])
    r = await liu.post(f"/api/meetings/{meeting['id']}/attendance", json={"person_id": team["wang"].id})
    assert r.status_code == 200 and r.json()["already"] is False
    again = await liu.post(f"/api/meetings/{meeting['id']}/attendance", json={"person_id": team["wang"].id})
    assert again.json()["already"] is True
    x = await liu.get(f"/api/meetings/{meeting['id']}/attendance.xlsx")
    assert x.status_code == 200
    sheet = load_workbook(io.BytesIO(x.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("姓名", "部门", "状态")
    assert rows[1][0] == "王强" and rows[1][2] == "已签到" and rows[1][4] == "手动"
    assert {r[0] for r in rows[2:]} == {"聂荣成"}
    assert (
        await liu.delete(f"/api/meetings/{meeting['id']}/attendance/{team['wang'].id}")
    ).status_code == 204
    assert (await liu.get(f"/api/meetings/{meeting['id']}")).json()["checked_in_count"] == 0


async def test_from_calendar_event(team, as_person) -> None:
    liu = await as_person(team["liu"])
    start = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(hours=1)
    event = await liu.post(
        "/api/calendar/events",
        json={
            "title": "安全生产会",
            "start": start.isoformat(),
            "end": (start + dt.timedelta(hours=1)).isoformat(),
            "tz": "Asia/Shanghai",
            "location": "五楼会议室",
            "attendee_ids": [team["han"].id],
        },
    )
    assert event.status_code == 201, event.text
    r = await liu.post("/api/meetings", json={"calendar_event_id": event.json()["id"]})
    assert r.status_code == 201, r.text
    m = r.json()
    assert (m["title"], m["location"], m["invited_count"]) == ("安全生产会", "五楼会议室", 1)
    assert dt.datetime.fromisoformat(m["start_utc"]) == start
    tao = await as_person(team["tao"])
    hidden = await tao.post("/api/meetings", json={"calendar_event_id": event.json()["id"]})
    assert hidden.status_code == 404


async def test_live_count_reaches_the_organiser(team, app, live_server, as_person) -> None:
    liu_http = await as_person(team["liu"])
    meeting = await create(liu_http, person_ids=[team["nie"].id])
    token, _ = await code_of(liu_http, meeting["id"])
    login = liu_http.cookies.get("tongban_session") or next(iter(liu_http.cookies.values()))
    headers = {"Cookie": f"{next(iter(liu_http.cookies.keys()))}={login}", "Origin": f"http://{live_server}"}
    async with websockets.connect(f"ws://{live_server}/api/events", additional_headers=headers) as ws:
        assert json.loads(await ws.recv())["type"] == "hello"
        nie = await as_person(team["nie"])
        await nie.post(f"/api/meetings/{meeting['id']}/checkin", json={"token": token})
        while True:
            frame = json.loads(await ws.recv())
            if frame["type"] == "event" and frame["event"]["type"] == "meetings.checked_in":
                break
        assert frame["event"]["checked_in"] == 1 and frame["event"]["name"] == "聂荣成"
