"""Recurrence in wall-clock time: RRULE expansion that stays right across daylight saving.

Occurrences are generated on the event's local wall clock (dateutil's rrule over a datetime that
carries the event's `ZoneInfo`) and only then turned into UTC, so "09:00 Europe/Warsaw every
Monday" is 08:00Z in winter and 07:00Z in summer. A wall time that does not exist (02:30 on the
spring-forward night) takes the offset from before the gap, as RFC 5545 §3.3.5 says, i.e. it
moves forward by the gap; an ambiguous one (autumn) takes the first.
"""

from __future__ import annotations

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


def _occurrence(start_local: dt.datetime, duration: dt.timedelta, tz: str, all_day: bool) -> Occurrence:
    end_local = start_local + duration
    if all_day:
        # An all-day event covers whole days wherever you look at it from its own zone.
        start_utc, end_utc = to_utc(start_local, tz), to_utc(end_local, tz)
    else:
        start_utc = to_utc(start_local, tz)
        end_utc = start_utc + (to_utc(end_local, tz) - to_utc(start_local, tz))
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
    if not rule:
        occ = _occurrence(start_local, duration, tz, all_day)
        if occ.start_utc < window_end and occ.end_utc > window_start:
            yield occ
        return
    parsed = _parse(rule, start_local, tz)
    zinfo = zone(tz)
    # Look a little wider on the wall clock (offsets, long events), filter exactly in UTC below.
    lo = (window_start.astimezone(zinfo) - duration - dt.timedelta(days=1)).replace(tzinfo=zinfo)
    hi = (window_end.astimezone(zinfo) + dt.timedelta(days=1)).replace(tzinfo=zinfo)
    parsed = _fast_forward(parsed, lo)
    skipped = set(exdates)
    count = 0
    for moment in parsed.xafter(lo, inc=True):
        if moment > hi:
            break
        local = moment.replace(tzinfo=None)
        occ = _occurrence(local, duration, tz, all_day)
        if occ.key in skipped or occ.end_utc <= window_start or occ.start_utc >= window_end:
            continue
        yield occ
        count += 1
        if count >= MAX_EXPAND:
            return


def _fast_forward(parsed: rrule, lo: dt.datetime) -> rrule:
    """Start a long-running daily or weekly rule near the window instead of at its first day.

    dateutil walks every occurrence from DTSTART; a series begun years ago would cost hundreds
    of steps per expansion. Moving DTSTART forward by whole periods keeps the same occurrences
    (same weekdays, same interval phase) when there is no COUNT to honour."""
    raw: Any = parsed  # dateutil keeps a rule's parts in private attributes only
    freq = raw._freq
    if raw._count is not None or freq not in (DAILY, WEEKLY):
        return parsed
    start: dt.datetime = raw._dtstart
    period = dt.timedelta(days=raw._interval * (7 if freq == WEEKLY else 1))
    steps = (lo.replace(tzinfo=None) - start.replace(tzinfo=None)) // period - 1
    if steps <= 0:
        return parsed
    moved = (start.replace(tzinfo=None) + steps * period).replace(tzinfo=start.tzinfo)
    return parsed.replace(dtstart=moved)


def range_end(
    *, tz: str, start_local: dt.datetime, end_local: dt.datetime, rule: str | None, all_day: bool = False
) -> dt.datetime | None:
    """When the last occurrence ends, in UTC; None for a rule without UNTIL or COUNT."""
    duration = end_local - start_local
    if not rule:
        return _occurrence(start_local, duration, tz, all_day).end_utc
    parsed = _parse(rule, start_local, tz)
    raw: Any = parsed
    if raw._count is None and raw._until is None:
        return None
    last: dt.datetime | None = None
    for last in parsed:  # noqa: B007 - bounded by COUNT or UNTIL
        pass
    if last is None:
        return _occurrence(start_local, duration, tz, all_day).end_utc
    return _occurrence(last.replace(tzinfo=None), duration, tz, all_day).end_utc


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
