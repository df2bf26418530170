"""The notification centre's rules: storing, the event stream, mutes and quiet hours, channels."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select

from tests.factories import Org
from tongban.core.db import Database
from tongban.core.events import EventRecord
from tongban.notify import service
from tongban.notify.channels import register_channel, unregister_channel
from tongban.notify.models import Notification, NotificationSettings
from tongban.notify.schemas import NotificationDelivery

# 2025-06-02 15:00 UTC is 23:00 in Shanghai and 17:00 in Warsaw.
LATE_IN_SHANGHAI = dt.datetime(2025, 6, 2, 15, 0, tzinfo=dt.UTC)
# 2025-06-02 03:00 UTC is 11:00 in Shanghai.
MIDDAY_IN_SHANGHAI = dt.datetime(2025, 6, 2, 3, 0, tzinfo=dt.UTC)


async def events_of(db: Database, person_id: int) -> list[dict[str, Any]]:
    async with db.transaction(write=False) as session:
        rows = await session.execute(
            select(EventRecord.payload).where(EventRecord.person_id == person_id).order_by(EventRecord.seq)
        )
        return list(rows.scalars())


async def set_prefs(
    db: Database, person_id: int, muted: list[str], start: str | None, end: str | None
) -> None:
    async with db.transaction() as session:
        session.add(
            NotificationSettings(
                person_id=person_id, muted_capabilities=muted, quiet_hours_start=start, quiet_hours_end=end
            )
        )


async def test_notify_stores_one_per_person_and_streams_it(db: Database, org: Org) -> None:
    dept = await org.department("县政府办公室")
    a = await org.person("王建国", dept)
    b = await org.person("刘锋", dept)
    async with db.transaction() as session:
        sent = await service.notify(
            session,
            [a.id, b.id, a.id],
            capability="approvals",
            title="请审批：差旅报销",
            link="/approvals/12",
        )
    assert len(sent) == 2
    async with db.transaction(write=False) as session:
        rows = list((await session.execute(select(Notification).order_by(Notification.id))).scalars())
    assert [(r.person_id, r.capability, r.priority, r.read_at) for r in rows] == [
        (a.id, "approvals", "normal", None),
        (b.id, "approvals", "normal", None),
    ]
    (event,) = await events_of(db, a.id)
    assert event["type"] == "notification.created"
    assert event["alert"] is True
    assert event["notification"]["id"] == rows[0].id
    assert event["notification"]["title"] == "请审批：差旅报销"
    assert event["notification"]["link"] == "/approvals/12"


async def test_nothing_is_stored_or_streamed_when_the_transaction_rolls_back(db: Database, org: Org) -> None:
    dept = await org.department("县政府办公室")
    a = await org.person("王建国", dept)
    with pytest.raises(RuntimeError):
        async with db.transaction() as session:
            await service.notify(session, [a.id], capability="approvals", title="x")
            raise RuntimeError
    assert await events_of(db, a.id) == []


async def test_muted_capability_is_stored_and_listed_but_does_not_alert(db: Database, org: Org) -> None:
    dept = await org.department("县政府办公室")
    a = await org.person("王建国", dept)
    await set_prefs(db, a.id, ["forms"], None, None)
    async with db.transaction() as session:
        await service.notify(session, [a.id], capability="forms", title="填报提醒", now=MIDDAY_IN_SHANGHAI)
        await service.notify(session, [a.id], capability="approvals", title="审批", now=MIDDAY_IN_SHANGHAI)
        await service.notify(
            session, [a.id], capability="forms", title="紧急填报", priority="urgent", now=MIDDAY_IN_SHANGHAI
        )
    events = await events_of(db, a.id)
    assert [(e["notification"]["title"], e["alert"]) for e in events] == [
        ("填报提醒", False),
        ("审批", True),
        ("紧急填报", True),  # urgent ignores mutes
    ]


async def test_quiet_hours_follow_the_persons_own_time_zone(db: Database, org: Org) -> None:
    dept = await org.department("大数据中心")
    shanghai = await org.person("刘锋", dept)
    warsaw = await org.person("Anna Kowalska", dept, timezone="Europe/Warsaw")
    for person in (shanghai, warsaw):
        await set_prefs(db, person.id, [], "22:00", "07:00")
    async with db.transaction() as session:
        await service.notify(
            session, [shanghai.id, warsaw.id], capability="im", title="消息", now=LATE_IN_SHANGHAI
        )
        await service.notify(
            session, [shanghai.id], capability="im", title="重要", priority="high", now=LATE_IN_SHANGHAI
        )
        await service.notify(
            session, [shanghai.id], capability="im", title="DING", priority="urgent", now=LATE_IN_SHANGHAI
        )
        await service.notify(session, [shanghai.id], capability="im", title="白天", now=MIDDAY_IN_SHANGHAI)
    assert [(e["notification"]["title"], e["alert"]) for e in await events_of(db, shanghai.id)] == [
        ("消息", False),  # 23:00 in Shanghai
        ("重要", False),  # only urgent breaks through quiet hours
        ("DING", True),
        ("白天", True),
    ]
    assert [e["alert"] for e in await events_of(db, warsaw.id)] == [True]  # 17:00 in Warsaw


def test_quiet_hours_window() -> None:
    at = dt.datetime(2025, 1, 1, 0, 30, tzinfo=dt.UTC)  # 08:30 in Shanghai
    assert service.in_quiet_hours("08:00", "09:00", "Asia/Shanghai", at)
    assert not service.in_quiet_hours("09:00", "10:00", "Asia/Shanghai", at)
    assert service.in_quiet_hours("22:00", "09:00", "Asia/Shanghai", at)  # spans midnight
    assert not service.in_quiet_hours("22:00", "08:30", "Asia/Shanghai", at)  # end is exclusive
    assert not service.in_quiet_hours(None, None, "Asia/Shanghai", at)
    assert service.in_quiet_hours("00:00", "01:00", "UTC", at)
    assert service.in_quiet_hours("08:00", "09:00", "Not/AZone", at)  # falls back to Shanghai


class RecordingChannel:
    name = "test_recording"

    def __init__(self) -> None:
        self.delivered: list[NotificationDelivery] = []
        self.failures = 0

    async def deliver(self, notification: NotificationDelivery) -> None:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("gateway down")
        self.delivered.append(notification)


@pytest.fixture
async def channel() -> AsyncIterator[RecordingChannel]:
    recording = RecordingChannel()
    register_channel(recording)
    yield recording
    unregister_channel(recording.name)


async def test_outside_channels_get_alerting_notifications_after_commit(
    db: Database, org: Org, channel: RecordingChannel
) -> None:
    dept = await org.department("大数据中心")
    a = await org.person("刘锋", dept)
    b = await org.person("王建国", dept)
    await set_prefs(db, b.id, ["approvals"], None, None)
    async with db.transaction() as session:
        sent = await service.notify(session, [a.id, b.id], capability="approvals", title="请审批")
        assert channel.delivered == []
    for _ in range(200):
        if channel.delivered:
            break
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.2)
    assert [(d.person_id, d.id, d.title) for d in channel.delivered] == [(a.id, sent[0].id, "请审批")]


async def test_rolled_back_notifications_never_reach_outside_channels(
    db: Database, org: Org, channel: RecordingChannel
) -> None:
    dept = await org.department("大数据中心")
    a = await org.person("刘锋", dept)
    with pytest.raises(RuntimeError):
        async with db.transaction() as session:
            await service.notify(session, [a.id], capability="approvals", title="请审批")
            raise RuntimeError
    await asyncio.sleep(1.0)
    assert channel.delivered == []
