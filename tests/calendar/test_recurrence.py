"""Recurrence expansion on the wall clock: DST boundaries, exceptions, UNTIL/COUNT, bad rules."""

from __future__ import annotations

import datetime as dt

import pytest

from tongban.calendar import recurrence as rec

UTC = dt.UTC


def utc(*a: int) -> dt.datetime:
    return dt.datetime(*a, tzinfo=UTC)


def occurrences(rule, start, end, tz, ws, we, exdates=(), all_day=False):
    return list(
        rec.expand(
            tz=tz,
            start_local=start,
            end_local=end,
            rule=rule,
            exdates=list(exdates),
            window_start=ws,
            window_end=we,
            all_day=all_day,
        )
    )


def test_weekly_warsaw_keeps_wall_time_across_spring_forward() -> None:
    # Mondays and Thursdays 09:00 Warsaw; clocks go forward on Sunday 2026-03-29.
    start = dt.datetime(2026, 3, 23, 9, 0)
    occ = occurrences(
        "FREQ=WEEKLY;BYDAY=MO,TH",
        start,
        start + dt.timedelta(hours=1),
        "Europe/Warsaw",
        utc(2026, 3, 23),
        utc(2026, 4, 3),
    )
    assert [o.start_local.strftime("%a %H:%M") for o in occ] == [
        "Mon 09:00",
        "Thu 09:00",
        "Mon 09:00",
        "Thu 09:00",
    ]
    assert [o.start_utc.hour for o in occ] == [8, 8, 7, 7]


def test_autumn_back_and_shanghai_unchanged() -> None:
    start = dt.datetime(2026, 10, 19, 9, 0)
    occ = occurrences(
        "FREQ=WEEKLY",
        start,
        start + dt.timedelta(hours=1),
        "Europe/Warsaw",
        utc(2026, 10, 19),
        utc(2026, 10, 27),
    )
    assert [o.start_utc for o in occ] == [utc(2026, 10, 19, 7), utc(2026, 10, 26, 8)]
    sh = occurrences(
        "FREQ=DAILY",
        dt.datetime(2026, 10, 24, 9),
        dt.datetime(2026, 10, 24, 10),
        "Asia/Shanghai",
        utc(2026, 10, 24),
        utc(2026, 10, 27),
    )
    assert {o.start_utc.hour for o in sh} == {1}


def test_nonexistent_wall_time_moves_forward() -> None:
    # 02:30 does not exist in Warsaw on 2026-03-29; RFC 5545 reads it with the pre-gap offset.
    occ = occurrences(
        "FREQ=DAILY;COUNT=3",
        dt.datetime(2026, 3, 28, 2, 30),
        dt.datetime(2026, 3, 28, 3, 0),
        "Europe/Warsaw",
        utc(2026, 3, 27),
        utc(2026, 4, 1),
    )
    assert [o.start_utc for o in occ] == [
        utc(2026, 3, 28, 1, 30),
        utc(2026, 3, 29, 1, 30),
        utc(2026, 3, 30, 0, 30),
    ]


def test_exdates_skip_occurrences() -> None:
    start = dt.datetime(2026, 1, 5, 10)
    occ = occurrences(
        "FREQ=DAILY;COUNT=5",
        start,
        start + dt.timedelta(hours=1),
        "Asia/Shanghai",
        utc(2026, 1, 1),
        utc(2026, 2, 1),
        exdates=["2026-01-06T10:00:00", "2026-01-08T10:00:00"],
    )
    assert [o.key for o in occ] == ["2026-01-05T10:00:00", "2026-01-07T10:00:00", "2026-01-09T10:00:00"]


def test_monthly_by_weekday_and_yearly() -> None:
    start = dt.datetime(2026, 1, 13, 14)  # second Tuesday
    occ = occurrences(
        "FREQ=MONTHLY;BYDAY=2TU;COUNT=3",
        start,
        start + dt.timedelta(hours=1),
        "Asia/Shanghai",
        utc(2026, 1, 1),
        utc(2027, 1, 1),
    )
    assert [o.start_local.date() for o in occ] == [
        dt.date(2026, 1, 13),
        dt.date(2026, 2, 10),
        dt.date(2026, 3, 10),
    ]
    leap = occurrences(
        "FREQ=YEARLY",
        dt.datetime(2024, 2, 29, 0),
        dt.datetime(2024, 3, 1, 0),
        "Asia/Shanghai",
        utc(2024, 1, 1),
        utc(2029, 1, 1),
        all_day=True,
    )
    assert [o.start_local.year for o in leap] == [2024, 2028]


def test_until_in_local_date_is_normalised_to_utc() -> None:
    start = dt.datetime(2026, 3, 2, 9)
    rule = rec.normalise_rrule("RRULE:FREQ=WEEKLY;UNTIL=20260316", start, "Europe/Warsaw")
    assert rule == "FREQ=WEEKLY;UNTIL=20260316T225959Z"
    occ = occurrences(
        rule, start, start + dt.timedelta(hours=1), "Europe/Warsaw", utc(2026, 1, 1), utc(2027, 1, 1)
    )
    assert len(occ) == 3
    end = rec.range_end(
        tz="Europe/Warsaw", start_local=start, end_local=start + dt.timedelta(hours=1), rule=rule
    )
    assert end == utc(2026, 3, 16, 9)
    assert (
        rec.range_end(tz="UTC", start_local=start, end_local=start + dt.timedelta(hours=1), rule="FREQ=DAILY")
        is None
    )


def test_fast_forward_gives_the_same_occurrences() -> None:
    # A series begun years ago expands a late window exactly as walking from its start would.
    start = dt.datetime(2019, 1, 1, 9)
    window = (utc(2026, 3, 23), utc(2026, 4, 6))
    rule = "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,FR"
    fast = occurrences(rule, start, start + dt.timedelta(hours=1), "Europe/Warsaw", *window)
    parsed = rec._parse(rule, start, "Europe/Warsaw")
    slow = [
        m
        for m in parsed.between(
            dt.datetime(2026, 3, 20, tzinfo=rec.zone("Europe/Warsaw")),
            dt.datetime(2026, 4, 8, tzinfo=rec.zone("Europe/Warsaw")),
        )
        if window[0] <= m.astimezone(UTC) < window[1]
    ]
    assert [o.start_utc for o in fast] == [m.astimezone(UTC) for m in slow]
    assert len(fast) == 2


@pytest.mark.parametrize(
    "rule",
    ["FREQ=FORTNIGHTLY", "BYDAY=MO", "FREQ=WEEKLY;BYDAY=XX", "FREQ=WEEKLY;UNTIL=notadate", "FREQ=MINUTELY"],
)
def test_bad_rules_are_refused(rule: str) -> None:
    with pytest.raises(rec.RecurrenceError):
        rec.normalise_rrule(rule, dt.datetime(2026, 1, 1, 9), "Asia/Shanghai")


def test_is_occurrence() -> None:
    start = dt.datetime(2026, 3, 2, 9)
    assert rec.is_occurrence("FREQ=WEEKLY", start, "Europe/Warsaw", "2026-03-30T09:00:00")
    assert not rec.is_occurrence("FREQ=WEEKLY", start, "Europe/Warsaw", "2026-03-31T09:00:00")
    assert not rec.is_occurrence("FREQ=WEEKLY", start, "Europe/Warsaw", "garbage")


def test_zones() -> None:
    assert rec.is_zone("Europe/Warsaw") and rec.is_zone("UTC")
    assert not rec.is_zone("Mars/Olympus") and not rec.is_zone("")


def test_simple_rules_match_dateutil() -> None:
    """The date-arithmetic path for daily and weekly rules gives exactly dateutil's occurrences."""
    import random

    rng = random.Random(4)
    rules = [
        "FREQ=DAILY",
        "FREQ=DAILY;INTERVAL=3",
        "FREQ=WEEKLY",
        "FREQ=WEEKLY;BYDAY=MO,TH",
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=SU,WE,FR",
        "FREQ=WEEKLY;INTERVAL=3;BYDAY=MO;WKST=SU",
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=SA,SU;WKST=SU",
        "FREQ=DAILY;UNTIL=20260410T000000Z",
        "FREQ=WEEKLY;BYDAY=TU,SA;UNTIL=20260501T070000Z",
    ]
    for _ in range(300):
        rule = rng.choice(rules)
        tz = rng.choice(["Europe/Warsaw", "Asia/Shanghai", "America/New_York"])
        start = dt.datetime(2025, 1, 1, rng.randrange(0, 24), rng.choice((0, 30))) + dt.timedelta(
            days=rng.randrange(0, 500)
        )
        lo = start + dt.timedelta(days=rng.randrange(-20, 200))
        ws = rec.to_utc(lo, tz)
        we = ws + dt.timedelta(days=rng.choice((1, 7, 31)))
        assert rec._simple(rule) is not None
        fast = [o.start_utc for o in occurrences(rule, start, start + dt.timedelta(hours=1), tz, ws, we)]
        zone = rec.zone(tz)
        slow = [
            m.astimezone(UTC)
            for m in rec._parse(rule, start, tz).between(
                (ws - dt.timedelta(days=2)).astimezone(zone),
                (we + dt.timedelta(days=2)).astimezone(zone),
                inc=True,
            )
            if m.astimezone(UTC) + dt.timedelta(hours=1) > ws and m.astimezone(UTC) < we
        ]
        assert fast == slow, (rule, tz, start, lo)
