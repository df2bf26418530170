"""Recurrence in wall-clock time: RRULE expansion that stays right across daylight saving.

Occurrences are generated on the event's local wall clock (dateutil's rrule over a datetime that
carries the event's `ZoneInfo`) and only then turned into UTC, so "09:00 Europe/Warsaw every
Monday" is 08:00Z in winter and 07:00Z in summer. A wall time that does not exist (02:30 on the
spring-forward night) takes the offset from before the gap, as RFC 5545 §3.3.5 says, i.e. it
moves forward by the gap; an ambiguous one (autumn) takes the first.
"""

from __future__ import annotations

import bisect
import datetime as dt
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from dateutil.rrule import DAILY, WEEKLY, rrule, rrulestr

UTC = dt.UTC
MAX_EXPAND = 5000  # occurrences one window may yield per event (a minutely rule is not a calendar)


class RecurrenceError(ValueError):
    pass


@lru_cache(maxsize=512)
def zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise RecurrenceError(name) from exc


def is_zone(name: str) -> bool:
    try:
        zone(name)
    except RecurrenceError:
        return False
    return "/" in name or name == "UTC"


def to_utc(local: dt.datetime, tz: str) -> dt.datetime:
    """A naive wall time in `tz` as an aware UTC datetime (gap: offset from before the gap)."""
    return local.replace(tzinfo=zone(tz), fold=0).astimezone(UTC)


def to_local(moment: dt.datetime, tz: str) -> dt.datetime:
    return moment.astimezone(zone(tz)).replace(tzinfo=None)


def local_key(local: dt.datetime) -> str:
    """How an occurrence is named (its original local start): RECURRENCE-ID in ISO form."""
    return local.replace(microsecond=0).isoformat()


def normalise_rrule(rule: str, start_local: dt.datetime, tz: str) -> str:
    """Check an RRULE and return it in a canonical form (UNTIL in UTC, no "RRULE:" prefix).

    Raises RecurrenceError with a short reason when dateutil cannot read it."""
    text = rule.strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    if not text or "\n" in text:
        raise RecurrenceError("empty")
    parts: list[str] = []
    for part in text.split(";"):
        key, sep, value = part.partition("=")
        if not sep:
            raise RecurrenceError(part)
        key = key.strip().upper()
        value = value.replace(" ", "")
        if key == "UNTIL":
            value = _until_utc(value, tz)
        parts.append(f"{key}={value.upper()}")
    canonical = ";".join(parts)
    if not any(p.startswith("FREQ=") for p in parts):
        raise RecurrenceError("FREQ")
    if any(p.split("=")[0] in ("FREQ",) and p.split("=")[1] in ("SECONDLY", "MINUTELY") for p in parts):
        raise RecurrenceError("FREQ")
    try:
        parsed = _parse(canonical, start_local, tz)
        next(iter(parsed), None)
    except (ValueError, TypeError, KeyError) as exc:
        raise RecurrenceError(str(exc)) from exc
    return canonical


def _until_utc(value: str, tz: str) -> str:
    try:
        if value.endswith("Z"):
            moment = dt.datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        elif "T" in value:
            moment = to_utc(dt.datetime.strptime(value, "%Y%m%dT%H%M%S"), tz)
        else:
            # A date: the whole of that local day is included.
            day = dt.datetime.strptime(value, "%Y%m%d")
            moment = to_utc(day.replace(hour=23, minute=59, second=59), tz)
    except ValueError as exc:
        raise RecurrenceError("UNTIL") from exc
    return moment.strftime("%Y%m%dT%H%M%SZ")


@lru_cache(maxsize=4096)
def _parse(rule: str, start_local: dt.datetime, tz: str) -> rrule:
    parsed = rrulestr(rule, dtstart=start_local.replace(tzinfo=zone(tz)))
    assert isinstance(parsed, rrule)
    return parsed


@dataclass(frozen=True)
class Occurrence:
    key: str  # original local start (RECURRENCE-ID)
    start_local: dt.datetime
    end_local: dt.datetime
    start_utc: dt.datetime
    end_utc: dt.datetime


def _occurrence(
    start_local: dt.datetime, duration: dt.timedelta, elapsed: dt.timedelta, tz: str, all_day: bool
) -> Occurrence:
    end_local = start_local + duration
    start_utc = to_utc(start_local, tz)
    # An all-day event covers whole days of its own zone (23 or 25 hours on a DST day); a timed
    # one lasts the first occurrence's exact elapsed time (RFC 5545 §3.8.5.3).
    end_utc = to_utc(end_local, tz) if all_day else start_utc + elapsed
    return Occurrence(local_key(start_local), start_local, end_local, start_utc, end_utc)


def expand(
    *,
    tz: str,
    start_local: dt.datetime,
    end_local: dt.datetime,
    rule: str | None,
    exdates: list[str] | tuple[str, ...] = (),
    window_start: dt.datetime,
    window_end: dt.datetime,
    all_day: bool = False,
) -> Iterator[Occurrence]:
    """The occurrences that overlap [window_start, window_end) (aware datetimes), in order."""
    duration = end_local - start_local
    elapsed = to_utc(end_local, tz) - to_utc(start_local, tz)
    if not rule:
        occ = _occurrence(start_local, duration, elapsed, tz, all_day)
        if occ.start_utc < window_end and occ.end_utc > window_start:
            yield occ
        return
    zinfo = zone(tz)
    # Look a little wider on the wall clock (offsets, long events), filter exactly in UTC below.
    lo = (window_start.astimezone(zinfo) - duration - dt.timedelta(days=1)).replace(tzinfo=zinfo)
    hi = (window_end.astimezone(zinfo) + dt.timedelta(days=1)).replace(tzinfo=zinfo)
    simple = _simple(rule)
    moments: Iterator[dt.datetime]
    if simple is not None:
        moments = _simple_moments(simple, start_local, zinfo, lo)
    else:
        listed, complete = _listed(rule, start_local, tz)
        if complete or (listed and listed[-1] >= hi):
            # Compare as wall times in one zone (the list's and `lo`'s tzinfo are the same object).
            moments = iter(listed[bisect.bisect_left(listed, lo) :])
        else:
            moments = _fast_forward(_parse(rule, start_local, tz), rule, start_local, tz, lo).xafter(
                lo, inc=True
            )
    skipped = set(exdates)
    count = 0
    for moment in moments:
        if moment > hi:
            break
        start_utc = moment.astimezone(UTC)
        if start_utc >= window_end:
            break
        local = moment.replace(tzinfo=None)
        end_utc = to_utc(local + duration, tz) if all_day else start_utc + elapsed
        if end_utc <= window_start:
            continue
        key = local.isoformat()
        if key in skipped:
            continue
        yield Occurrence(key, local, local + duration, start_utc, end_utc)
        count += 1
        if count >= MAX_EXPAND:
            return


_DAYS = {"MO": 0, "TU": 1, "WE": 2, "TH": 3, "FR": 4, "SA": 5, "SU": 6}


@dataclass(frozen=True)
class _Simple:
    weekly: bool
    interval: int
    days: tuple[int, ...]  # weekdays (0 = Monday), weekly rules only; empty = DTSTART's
    wkst: int
    until: dt.datetime | None


@lru_cache(maxsize=4096)
def _simple(rule: str) -> _Simple | None:
    """The daily and weekly rules most calendars are made of, when they need no counting.

    These are generated by date arithmetic (a few hundred times faster than walking dateutil's
    iterator); everything else — COUNT, BYSETPOS, BYMONTH, monthly and yearly — goes to dateutil.
    tests/calendar/test_recurrence.py checks both give the same occurrences."""
    parts = dict(p.split("=", 1) for p in rule.split(";"))
    if set(parts) - {"FREQ", "INTERVAL", "BYDAY", "UNTIL", "WKST"} or parts.get("FREQ") not in (
        "DAILY",
        "WEEKLY",
    ):
        return None
    weekly = parts["FREQ"] == "WEEKLY"
    try:
        interval = int(parts.get("INTERVAL", "1"))
        days = tuple(sorted({_DAYS[d] for d in parts["BYDAY"].split(",")})) if "BYDAY" in parts else ()
        wkst = _DAYS[parts.get("WKST", "MO")]
        until = (
            dt.datetime.strptime(parts["UNTIL"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
            if "UNTIL" in parts
            else None
        )
    except (KeyError, ValueError):
        return None
    if interval < 1 or (days and not weekly):
        return None
    return _Simple(weekly, interval, days, wkst, until)


def _simple_moments(
    rule: _Simple, start: dt.datetime, zinfo: zoneinfo.ZoneInfo, lo: dt.datetime
) -> Iterator[dt.datetime]:
    """Occurrences of a simple rule from the wall time `lo` on, as aware wall times in `zinfo`."""
    lo_naive = lo.replace(tzinfo=None)
    at = start.time()
    if not rule.weekly:
        step = dt.timedelta(days=rule.interval)
        k = max(0, -(-(lo_naive - start) // step))
        t = start + k * step
        while True:
            moment = t.replace(tzinfo=zinfo)
            if rule.until is not None and moment > rule.until:
                return
            yield moment
            t += step
    days = rule.days or (start.weekday(),)
    offsets = sorted((d - rule.wkst) % 7 for d in days)
    week0 = start.date() - dt.timedelta(days=(start.weekday() - rule.wkst) % 7)
    week = max(0, (lo_naive.date() - week0).days // 7 // rule.interval * rule.interval)
    while True:
        base = week0 + dt.timedelta(weeks=week)
        for offset in offsets:
            t = dt.datetime.combine(base + dt.timedelta(days=offset), at)
            if t < start or t < lo_naive:
                continue
            moment = t.replace(tzinfo=zinfo)
            if rule.until is not None and moment > rule.until:
                return
            yield moment
        week += rule.interval


LISTED_UNTIL = dt.datetime(2040, 1, 1)
LISTED_MAX = 20_000


@lru_cache(maxsize=2048)
def _listed(rule: str, start_local: dt.datetime, tz: str) -> tuple[list[dt.datetime], bool]:
    """Every occurrence of a rule that is not simple (monthly, yearly, COUNT, BYSETPOS…) up to
    2040, computed once: dateutil walks from DTSTART on every call otherwise (a COUNT=300
    weekday series begun last year costs 300 steps per week shown). `complete` when the rule
    ends before the horizon."""
    horizon = LISTED_UNTIL.replace(tzinfo=zone(tz))
    listed: list[dt.datetime] = []
    for moment in _parse(rule, start_local, tz):
        if moment > horizon or len(listed) >= LISTED_MAX:
            return listed, False
        listed.append(moment)
    return listed, True


def _fast_forward(parsed: rrule, rule: str, start_local: dt.datetime, tz: str, lo: dt.datetime) -> rrule:
    """Start a long-running daily or weekly rule near the window instead of at its first day.

    dateutil walks every occurrence from DTSTART; a series begun years ago would cost hundreds
    of steps per expansion. Moving DTSTART forward by whole periods keeps the same occurrences
    (same weekdays, same interval phase) when there is no COUNT to honour."""
    raw: Any = parsed  # dateutil keeps a rule's parts in private attributes only
    freq = raw._freq
    if raw._count is not None or freq not in (DAILY, WEEKLY):
        return parsed
    period = dt.timedelta(days=raw._interval * (7 if freq == WEEKLY else 1))
    steps = (lo.replace(tzinfo=None) - start_local) // period - 1
    if steps <= 0:
        return parsed
    return _moved(rule, start_local, tz, start_local + steps * period)


@lru_cache(maxsize=4096)
def _moved(rule: str, start_local: dt.datetime, tz: str, moved: dt.datetime) -> rrule:
    return _parse(rule, start_local, tz).replace(dtstart=moved.replace(tzinfo=zone(tz)))


def range_end(
    *, tz: str, start_local: dt.datetime, end_local: dt.datetime, rule: str | None, all_day: bool = False
) -> dt.datetime | None:
    """When the last occurrence ends, in UTC; None for a rule without UNTIL or COUNT."""
    duration = end_local - start_local
    elapsed = to_utc(end_local, tz) - to_utc(start_local, tz)
    if not rule:
        return _occurrence(start_local, duration, elapsed, tz, all_day).end_utc
    parsed = _parse(rule, start_local, tz)
    raw: Any = parsed
    if raw._count is None and raw._until is None:
        return None
    last: dt.datetime | None = None
    for last in parsed:  # noqa: B007 - bounded by COUNT or UNTIL
        pass
    if last is None:
        return _occurrence(start_local, duration, elapsed, tz, all_day).end_utc
    return _occurrence(last.replace(tzinfo=None), duration, elapsed, tz, all_day).end_utc


def occurrences_before(rule: str, start_local: dt.datetime, tz: str, before_local: dt.datetime) -> int:
    """How many occurrences a rule has before `before_local` (to split a COUNT series)."""
    parsed = _parse(rule, start_local, tz)
    limit = before_local.replace(tzinfo=zone(tz))
    return sum(1 for _ in parsed.between(start_local.replace(tzinfo=zone(tz)), limit, inc=True) if _ < limit)


def with_until(rule: str, until_utc: dt.datetime) -> str:
    """The same rule ending at `until_utc` (COUNT dropped): the first half of a split series."""
    parts = [p for p in rule.split(";") if not p.startswith(("UNTIL=", "COUNT="))]
    parts.append("UNTIL=" + until_utc.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ"))
    return ";".join(parts)


def with_count(rule: str, count: int) -> str:
    parts = [p for p in rule.split(";") if not p.startswith(("UNTIL=", "COUNT="))]
    parts.append(f"COUNT={count}")
    return ";".join(parts)


def rule_count(rule: str) -> int | None:
    for part in rule.split(";"):
        if part.startswith("COUNT="):
            return int(part[6:])
    return None


def is_occurrence(rule: str | None, start_local: dt.datetime, tz: str, key: str) -> bool:
    """Whether `key` (a local ISO start) is one of the rule's occurrences."""
    try:
        wanted = dt.datetime.fromisoformat(key)
    except ValueError:
        return False
    if wanted.tzinfo is not None:
        return False
    if not rule:
        return local_key(start_local) == local_key(wanted)
    parsed = _parse(rule, start_local, tz)
    at = wanted.replace(tzinfo=zone(tz))
    hit = parsed.after(at - dt.timedelta(seconds=1), inc=False)
    return hit is not None and hit.replace(tzinfo=None) == wanted.replace(microsecond=0)
