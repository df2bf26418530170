"""CalDAV (RFC 4791 over WebDAV, RFC 4918) for Thunderbird, Apple Calendar and DAVx⁵.

A small hand-written server rather than Radicale: Radicale's storage plugins are synchronous
and file-shaped (a collection is a folder of items), while our events are rows with access
levels, attendees, rooms and notifications. Mapping the few requests sync clients make
(discovery by PROPFIND, REPORT calendar-query / calendar-multiget, GET, PUT, DELETE with
ETags) onto calendar/davstore.py keeps one set of rules for the web app and for CalDAV.

URLs: /.well-known/caldav → /dav/ → principal /dav/principals/<person>/ → calendar home
/dav/calendars/<person>/ → one collection per readable calendar /dav/calendars/<person>/<id>/
→ resources <name>.ics.

Clients sign in with HTTP Basic: the login (username, mobile or e-mail) and a personal access
token as the password (an app password, made at /settings/tokens, revocable on its own; the
account password itself is not accepted, so a lost phone never holds it). CSRF tokens do not
apply to Basic auth, but browsers replay cached Basic credentials, so a request that carries
a foreign Origin is refused like any other cross-site write.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import xml.etree.ElementTree as ET
from typing import Any

from fastapi import APIRouter, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from tongban.auth import service as auth
from tongban.auth.deps import origin_allowed, request_locale
from tongban.calendar import davstore
from tongban.calendar.access import access_calendar, at_least, display_name
from tongban.calendar.models import Calendar
from tongban.core import i18n
from tongban.core.db import Database
from tongban.core.errors import AppError, Invalid
from tongban.core.permissions import Actor
from tongban.org import service as org

i18n.register(
    {
        "calendar_dav_precondition": (
            "日程已被修改（ETag 不符）",
            "The event changed meanwhile (ETag mismatch)",
        ),
        "calendar_dav_uid_taken": (
            "这个日历里已有同一 UID 的日程",
            "An event with this UID already exists in this calendar",
        ),
    }
)

D, C, CS, ICAL = (
    "DAV:",
    "urn:ietf:params:xml:ns:caldav",
    "http://calendarserver.org/ns/",
    "http://apple.com/ns/ical/",
)
for prefix, uri in (("d", D), ("c", C), ("cs", CS), ("ical", ICAL)):
    ET.register_namespace(prefix, uri)
ROOT = "/dav"
DAV_METHODS = "OPTIONS, GET, HEAD, PUT, DELETE, PROPFIND, REPORT"
MAX_BODY = 5 * 1024 * 1024
WRITE_METHODS = frozenset({"PUT", "DELETE", "PROPPATCH", "MKCOL", "MKCALENDAR", "MOVE", "COPY"})

router = APIRouter(include_in_schema=False)


def q(ns: str, name: str) -> str:
    return f"{{{ns}}}{name}"


def home_href(person_id: int) -> str:
    return f"{ROOT}/calendars/{person_id}/"


def principal_href(person_id: int) -> str:
    return f"{ROOT}/principals/{person_id}/"


# ---- responses ------------------------------------------------------------------------------


def xml_response(root: ET.Element, status: int = 207) -> Response:
    body = b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root)
    return Response(body, status_code=status, media_type="application/xml; charset=utf-8")


def error_response(status: int, condition: tuple[str, str] | None = None, text: str = "") -> Response:
    root = ET.Element(q(D, "error"))
    if condition is not None:
        ET.SubElement(root, q(*condition))
    if text:
        ET.SubElement(root, q("http://tongban.org/ns/", "message")).text = text
    response = xml_response(root, status)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Basic realm="Tongban", charset="UTF-8"'
    return response


def multistatus(rows: list[tuple[str, dict[str, Any], list[str]]]) -> Response:
    """rows: (href, {prop tag: value}, [tags not found]). A value is text, an Element, a list of
    Elements, or None for an empty property."""
    root = ET.Element(q(D, "multistatus"))
    for href, found, missing in rows:
        response = ET.SubElement(root, q(D, "response"))
        ET.SubElement(response, q(D, "href")).text = href
        if found:
            _propstat(response, found, "HTTP/1.1 200 OK")
        if missing:
            _propstat(response, dict.fromkeys(missing), "HTTP/1.1 404 Not Found")
    return xml_response(root)


def _propstat(parent: ET.Element, props: dict[str, Any], status: str) -> None:
    propstat = ET.SubElement(parent, q(D, "propstat"))
    prop = ET.SubElement(propstat, q(D, "prop"))
    for tag, value in props.items():
        element = ET.SubElement(prop, tag)
        if isinstance(value, ET.Element):
            element.append(value)
        elif isinstance(value, list):
            element.extend(value)
        elif value is not None:
            element.text = str(value)
    ET.SubElement(propstat, q(D, "status")).text = status


def href(url: str) -> ET.Element:
    element = ET.Element(q(D, "href"))
    element.text = url
    return element


def el(ns: str, tag: str, **attrs: str) -> ET.Element:
    return ET.Element(q(ns, tag), attrs)


def privileges(level: str | None) -> list[ET.Element]:
    names = ["read"] + (
        ["write", "write-content", "write-properties", "bind", "unbind"] if at_least(level, "edit") else []
    )
    result = []
    for name in names:
        privilege = el(D, "privilege")
        privilege.append(el(D, name))
        result.append(privilege)
    return result


def answer(found: dict[str, Any], wanted: list[str] | None) -> tuple[dict[str, Any], list[str]]:
    """The asked-for properties split into found and missing (all found ones for allprop)."""
    if wanted is None:
        return {k: v for k, v in found.items() if k != q(C, "calendar-data")}, []
    return {k: found[k] for k in wanted if k in found}, [k for k in wanted if k not in found]


def wanted_props(body: bytes) -> list[str] | None:
    """The property tags a PROPFIND/REPORT asks for; None for allprop (or an empty body)."""
    if not body.strip():
        return None
    root = parse_xml(body)
    prop = root.find(q(D, "prop"))
    if prop is None:
        return None
    return [child.tag for child in prop]


def parse_xml(body: bytes) -> ET.Element:
    try:
        return ET.fromstring(body)  # noqa: S314 - authenticated callers; expat refuses entity bombs
    except ET.ParseError as exc:
        raise Invalid("body", "field.calendar_bad_ics", reason=f"XML: {exc}") from exc


# ---- the request cycle ----------------------------------------------------------------------


async def authenticate(session: AsyncSession, request: Request) -> Actor | None:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("basic "):
        return None
    try:
        login, _, password = base64.b64decode(header[6:].strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    actor = await auth.actor_from_bearer(session, password, request_locale(request))
    person = await org.find_by_login(session, login) if actor is not None else None
    if actor is None or person is None or person.id != actor.person_id:
        return None
    i18n.current_locale.set(actor.locale)
    return actor


async def run(request: Request, handler: Any, **params: Any) -> Response:
    """One DAV request: authenticate, one transaction, AppErrors as DAV status codes.
    The transaction is closed (and rolled back) before an error becomes a response."""
    if request.method in WRITE_METHODS and not origin_allowed(
        request.headers.get("origin"), request.headers.get("host"), request.app.state.settings
    ):
        return error_response(403, text=i18n.t("origin_refused"))
    db: Database = request.app.state.db
    body = await request.body()
    if len(body) > MAX_BODY:
        return error_response(413)
    try:
        async with db.transaction(write=request.method in WRITE_METHODS) as session:
            actor = await authenticate(session, request)
            if actor is None:
                return error_response(401, text=i18n.t("not_authenticated"))
            response: Response = await handler(session, actor, request, body, **params)
    except AppError as exc:
        condition = None
        status = exc.status_code
        if isinstance(exc, davstore.PreconditionFailed):
            status = 412
        elif exc.status_code == 422 and request.method == "PUT":
            # RFC 4791 §5.3.2.1: data the server cannot take is a 403 naming the precondition.
            status, condition = 403, (C, "valid-calendar-data")
        elif exc.code == "calendar_dav_uid_taken":
            status, condition = 403, (C, "no-uid-conflict")
        elif exc.status_code == 422:
            status = 400
        detail = "; ".join(f"{f.field}: {f.message}" for f in exc.fields) or i18n.t(exc.code, **exc.params)
        return error_response(status, condition, detail)
    response.headers.setdefault("DAV", "1, 3, calendar-access")
    return response


# ---- handlers -------------------------------------------------------------------------------


def _depth(request: Request) -> str:
    return request.headers.get("depth", "1" if request.method == "REPORT" else "0")


async def _root(session: AsyncSession, actor: Actor, request: Request, body: bytes) -> Response:
    found = {
        q(D, "resourcetype"): el(D, "collection"),
        q(D, "current-user-principal"): href(principal_href(actor.person_id)),
        q(D, "displayname"): "Tongban",
    }
    return multistatus([(f"{ROOT}/", *answer(found, wanted_props(body)))])


def _principal_props(actor: Actor, email: str | None) -> dict[str, Any]:
    addresses = [href(f"mailto:{email}")] if email else []
    return {
        q(D, "resourcetype"): [el(D, "principal"), el(D, "collection")],
        q(D, "displayname"): actor.name,
        q(D, "current-user-principal"): href(principal_href(actor.person_id)),
        q(D, "principal-URL"): href(principal_href(actor.person_id)),
        q(C, "calendar-home-set"): href(home_href(actor.person_id)),
        q(C, "calendar-user-address-set"): addresses,
    }


async def _principal(
    session: AsyncSession, actor: Actor, request: Request, body: bytes, person_id: int
) -> Response:
    if person_id != actor.person_id:
        return error_response(403)
    email = await _email_of(session, actor.person_id)
    found = _principal_props(actor, email)
    return multistatus([(principal_href(person_id), *answer(found, wanted_props(body)))])


async def _email_of(session: AsyncSession, person_id: int) -> str | None:
    from sqlalchemy import select

    from tongban.org.models import Person

    return (await session.execute(select(Person.email).where(Person.id == person_id))).scalar_one_or_none()


async def _collection_props(
    session: AsyncSession, actor: Actor, calendar: Calendar, level: str, items: list[davstore.Resource]
) -> dict[str, Any]:
    owner = (await org.names_of(session, [calendar.owner_id])).get(calendar.owner_id, "")
    components = el(C, "supported-calendar-component-set")
    components.append(el(C, "comp", name="VEVENT"))
    reports = []
    for name in ("calendar-query", "calendar-multiget"):
        report = el(D, "supported-report")
        inner = el(D, "report")
        inner.append(el(C, name))
        report.append(inner)
        reports.append(report)
    return {
        q(D, "resourcetype"): [el(D, "collection"), el(C, "calendar")],
        q(D, "displayname"): display_name(calendar, actor.person_id, owner),
        q(D, "owner"): href(principal_href(calendar.owner_id)),
        q(D, "current-user-principal"): href(principal_href(actor.person_id)),
        q(D, "current-user-privilege-set"): privileges(level),
        q(D, "supported-report-set"): reports,
        q(C, "calendar-description"): calendar.description or None,
        q(C, "supported-calendar-component-set"): components,
        q(C, "supported-calendar-data"): [
            el(C, "calendar-data", **{"content-type": "text/calendar", "version": "2.0"})
        ],
        q(CS, "getctag"): davstore.ctag(items),
        q(ICAL, "calendar-color"): calendar.color,
    }


def _collection_href(actor: Actor, calendar_id: int) -> str:
    return f"{home_href(actor.person_id)}{calendar_id}/"


async def _home(
    session: AsyncSession, actor: Actor, request: Request, body: bytes, person_id: int
) -> Response:
    if person_id != actor.person_id:
        return error_response(403)
    wanted = wanted_props(body)
    found = {
        q(D, "resourcetype"): el(D, "collection"),
        q(D, "displayname"): actor.name,
        q(D, "current-user-principal"): href(principal_href(actor.person_id)),
    }
    rows = [(home_href(person_id), *answer(found, wanted))]
    if _depth(request) != "0":
        for calendar, level in await davstore.readable_calendars(session, actor):
            items = await davstore.resources(session, calendar.id)
            props = await _collection_props(session, actor, calendar, level, items)
            rows.append((_collection_href(actor, calendar.id), *answer(props, wanted)))
    return multistatus(rows)


async def _level(session: AsyncSession, actor: Actor, calendar_id: int) -> tuple[Calendar, str]:
    from tongban.calendar.access import level_on

    calendar = await access_calendar(session, actor, calendar_id, "read")
    return calendar, await level_on(session, actor, calendar_id) or "read"


def _resource_props(item: davstore.Resource, data: bytes | None) -> dict[str, Any]:
    found: dict[str, Any] = {
        q(D, "resourcetype"): None,
        q(D, "getetag"): item.etag,
        q(D, "getcontenttype"): "text/calendar; charset=utf-8; component=VEVENT",
    }
    if data is not None:
        found[q(C, "calendar-data")] = data.decode()
    return found


async def _calendar_propfind(
    session: AsyncSession, actor: Actor, request: Request, body: bytes, person_id: int, calendar_id: int
) -> Response:
    if person_id != actor.person_id:
        return error_response(403)
    calendar, level = await _level(session, actor, calendar_id)
    items = await davstore.resources(session, calendar.id)
    wanted = wanted_props(body)
    base = _collection_href(actor, calendar.id)
    rows = [(base, *answer(await _collection_props(session, actor, calendar, level, items), wanted))]
    if _depth(request) != "0":
        rows += [(base + item.href_name, *answer(_resource_props(item, None), wanted)) for item in items]
    return multistatus(rows)


def _time_range(root: ET.Element) -> tuple[dt.datetime, dt.datetime] | None:
    found = root.find(f".//{q(C, 'time-range')}")
    if found is None:
        return None

    def moment(value: str | None, default: dt.datetime) -> dt.datetime:
        if not value:
            return default
        try:
            return dt.datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
        except ValueError as exc:
            raise Invalid("body.time-range", "field.calendar_aware") from exc

    start = moment(found.get("start"), dt.datetime(1970, 1, 1, tzinfo=dt.UTC))
    end = moment(found.get("end"), dt.datetime(2200, 1, 1, tzinfo=dt.UTC))
    return start, end


async def _report(
    session: AsyncSession, actor: Actor, request: Request, body: bytes, person_id: int, calendar_id: int
) -> Response:
    if person_id != actor.person_id:
        return error_response(403)
    calendar, _level_name = await _level(session, actor, calendar_id)
    root = parse_xml(body)
    wanted = wanted_props(body) or [q(D, "getetag"), q(C, "calendar-data")]
    base = _collection_href(actor, calendar.id)
    rows: list[tuple[str, dict[str, Any], list[str]]] = []
    if root.tag == q(C, "calendar-multiget"):
        names = []
        for element in root.findall(q(D, "href")):
            path = (element.text or "").strip()
            names.append((path, path.rsplit("/", 1)[-1]))
        items = {i.href_name: i for i in await davstore.resources(session, calendar.id)}
        for path, name in names:
            item = items.get(name)
            if item is None:
                rows.append((path, {}, wanted))
                continue
            rows.append((path, *await _item_answer(session, item, wanted)))
        return multistatus_with_missing(rows)
    if root.tag != q(C, "calendar-query"):
        return error_response(403, (D, "supported-report"))
    if root.find(f".//{q(C, 'comp-filter')}[@name='VTODO']") is not None:
        return multistatus([])
    for item in await davstore.resources(session, calendar.id, window=_time_range(root)):
        rows.append((base + item.href_name, *await _item_answer(session, item, wanted)))
    return multistatus(rows)


def multistatus_with_missing(rows: list[tuple[str, dict[str, Any], list[str]]]) -> Response:
    """A multiget answer: an unknown href is a 404 response, not a 404 property."""
    root = ET.Element(q(D, "multistatus"))
    for path, found, missing in rows:
        response = ET.SubElement(root, q(D, "response"))
        ET.SubElement(response, q(D, "href")).text = path
        if not found:
            ET.SubElement(response, q(D, "status")).text = "HTTP/1.1 404 Not Found"
            continue
        _propstat(response, found, "HTTP/1.1 200 OK")
        if missing:
            _propstat(response, dict.fromkeys(missing), "HTTP/1.1 404 Not Found")
    return xml_response(root)


async def _item_answer(
    session: AsyncSession, item: davstore.Resource, wanted: list[str]
) -> tuple[dict[str, Any], list[str]]:
    data = None
    if q(C, "calendar-data") in wanted:
        from tongban.calendar.models import Event

        event = await session.get(Event, item.event_id)
        assert event is not None
        data = await davstore.get_ics(session, event)
    return answer(_resource_props(item, data), wanted)


async def _get(
    session: AsyncSession,
    actor: Actor,
    request: Request,
    body: bytes,
    person_id: int,
    calendar_id: int,
    name: str,
) -> Response:
    if person_id != actor.person_id:
        return error_response(403)
    await _level(session, actor, calendar_id)
    event = await davstore.find(session, calendar_id, name)
    if event is None:
        return error_response(404)
    etag = await davstore.etag_of(session, event)
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers={"ETag": etag})
    data = await davstore.get_ics(session, event)
    return Response(
        b"" if request.method == "HEAD" else data,
        media_type="text/calendar; charset=utf-8",
        headers={"ETag": etag},
    )


async def _put(
    session: AsyncSession,
    actor: Actor,
    request: Request,
    body: bytes,
    person_id: int,
    calendar_id: int,
    name: str,
) -> Response:
    if person_id != actor.person_id:
        return error_response(403)
    event, created = await davstore.put(
        session,
        actor,
        calendar_id,
        name,
        body,
        request.headers.get("if-match"),
        request.headers.get("if-none-match"),
    )
    etag = await davstore.etag_of(session, event)
    return Response(status_code=201 if created else 204, headers={"ETag": etag})


async def _delete(
    session: AsyncSession,
    actor: Actor,
    request: Request,
    body: bytes,
    person_id: int,
    calendar_id: int,
    name: str,
) -> Response:
    if person_id != actor.person_id:
        return error_response(403)
    await davstore.delete(session, actor, calendar_id, name, request.headers.get("if-match"))
    return Response(status_code=204)


# ---- routes ---------------------------------------------------------------------------------


def _options() -> Response:
    return Response(headers={"DAV": "1, 3, calendar-access", "Allow": DAV_METHODS})


@router.api_route("/.well-known/caldav", methods=["GET", "HEAD", "PROPFIND", "OPTIONS"])
async def well_known(request: Request) -> Response:
    """RFC 6764: clients given only the host name find the service here."""
    return Response(status_code=301, headers={"Location": f"{ROOT}/"})


@router.api_route(f"{ROOT}/", methods=["PROPFIND", "OPTIONS", "GET"])
@router.api_route(ROOT, methods=["PROPFIND", "OPTIONS", "GET"])
# Clients given only the server's address ask its root for the principal (no web page answers
# PROPFIND, so this takes nothing from the web app).
@router.api_route("/", methods=["PROPFIND"])
async def dav_root(request: Request) -> Response:
    if request.method == "OPTIONS":
        return _options()
    return await run(request, _root)


@router.api_route(f"{ROOT}/principals/{{person_id}}/", methods=["PROPFIND", "OPTIONS"])
async def dav_principal(request: Request, person_id: int) -> Response:
    if request.method == "OPTIONS":
        return _options()
    return await run(request, _principal, person_id=person_id)


@router.api_route(f"{ROOT}/calendars/{{person_id}}/", methods=["PROPFIND", "OPTIONS"])
async def dav_home(request: Request, person_id: int) -> Response:
    if request.method == "OPTIONS":
        return _options()
    return await run(request, _home, person_id=person_id)


@router.api_route(
    f"{ROOT}/calendars/{{person_id}}/{{calendar_id}}/", methods=["PROPFIND", "REPORT", "OPTIONS"]
)
async def dav_calendar(request: Request, person_id: int, calendar_id: int) -> Response:
    if request.method == "OPTIONS":
        return _options()
    handler = _report if request.method == "REPORT" else _calendar_propfind
    return await run(request, handler, person_id=person_id, calendar_id=calendar_id)


@router.api_route(
    f"{ROOT}/calendars/{{person_id}}/{{calendar_id}}/{{name}}",
    methods=["GET", "HEAD", "PUT", "DELETE", "OPTIONS", "PROPFIND"],
)
async def dav_resource(request: Request, person_id: int, calendar_id: int, name: str) -> Response:
    if request.method == "OPTIONS":
        return _options()
    handler = {"PUT": _put, "DELETE": _delete}.get(request.method, _get)
    if request.method == "PROPFIND":
        handler = _resource_propfind
    return await run(request, handler, person_id=person_id, calendar_id=calendar_id, name=name)


async def _resource_propfind(
    session: AsyncSession,
    actor: Actor,
    request: Request,
    body: bytes,
    person_id: int,
    calendar_id: int,
    name: str,
) -> Response:
    if person_id != actor.person_id:
        return error_response(403)
    await _level(session, actor, calendar_id)
    event = await davstore.find(session, calendar_id, name)
    if event is None:
        return error_response(404)
    items = await davstore.resources(session, calendar_id, series_ids=[event.id])
    wanted = wanted_props(body)
    path = _collection_href(actor, calendar_id) + name
    if wanted is None:
        return multistatus([(path, *answer(_resource_props(items[0], None), None))])
    return multistatus([(path, *await _item_answer(session, items[0], wanted))])
