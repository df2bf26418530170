from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from tongban.auth import service
from tongban.auth.deps import CurrentActor, origin_allowed
from tongban.auth.schemas import (
    LoginRequest,
    Me,
    MeUpdate,
    PasswordChange,
    TokenCreate,
    TokenCreated,
    TokenRead,
)
from tongban.core.deps import DB, AppSettings, DbSession
from tongban.core.errors import AppError, NotAuthenticated
from tongban.core.i18n import current_locale
from tongban.core.permissions import Actor
from tongban.org import service as org
from tongban.org.models import Person

router = APIRouter(tags=["auth"])


async def _me(session: DbSession, actor: Actor, person: Person, csrf_token: str | None) -> Me:
    depts = await org.memberships_of(session, [person.id])
    return Me(
        id=person.id,
        name=person.name,
        username=person.username,
        title=person.title,
        avatar_file_id=person.avatar_file_id,
        locale="en-US" if person.locale == "en-US" else "zh-CN",
        timezone=person.timezone,
        roles=[r.value for r in actor.roles],
        admin_department_ids=sorted(actor.admin_department_ids),
        departments=depts.get(person.id, []),
        csrf_token=csrf_token,
    )


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


@router.post("/api/auth/login", response_model=Me)
async def login(
    body: LoginRequest, request: Request, response: Response, db: DB, settings: AppSettings
) -> Me:
    """Sign in with username, mobile or e-mail and a password; sets the session cookie."""
    if not origin_allowed(request.headers.get("origin"), request.headers.get("host"), settings):
        raise AppError("origin_refused", status_code=403)
    ip = _client_ip(request)
    async with db.transaction(write=False) as session:
        await service.check_not_locked(session, settings, body.login, ip)
        person_id = await service.authenticate(session, body.login, body.password)
    if person_id is None:
        # The failure is counted in a transaction of its own: this request answers with an error.
        async with db.transaction() as session:
            await service.record_failure(session, settings, body.login, ip)
        raise AppError("invalid_credentials", status_code=401)
    async with db.transaction() as session:
        new = await service.do_sign_in(
            session, settings, person_id, body.login, ip, request.headers.get("user-agent", "")
        )
        actor = await service.actor_from_session(session, new.session, None)
        person = await session.get(Person, person_id)
        assert actor is not None and person is not None
        current_locale.set(actor.locale)
        me = await _me(session, actor, person, new.csrf_token)
    max_age = settings.session_days * 86400
    response.set_cookie(
        service.SESSION_COOKIE,
        new.token,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        path="/",
    )
    response.set_cookie(
        service.CSRF_COOKIE,
        new.csrf_token,
        max_age=max_age,
        httponly=False,
        samesite="strict",
        secure=settings.secure_cookies,
        path="/",
    )
    return me


def _clear_cookies(response: Response) -> None:
    response.delete_cookie(service.SESSION_COOKIE, path="/")
    response.delete_cookie(service.CSRF_COOKIE, path="/")


@router.post("/api/auth/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(session: DbSession, actor: CurrentActor, response: Response) -> None:
    await service.do_sign_out(session, actor)
    _clear_cookies(response)


@router.post("/api/auth/logout-all", status_code=status.HTTP_204_NO_CONTENT)
async def logout_all(session: DbSession, actor: CurrentActor, response: Response) -> None:
    """End every session of the caller, on every device."""
    await service.do_sign_out_everywhere(session, actor)
    _clear_cookies(response)


@router.post("/api/auth/password", status_code=status.HTTP_204_NO_CONTENT)
async def change_password(
    body: PasswordChange, session: DbSession, actor: CurrentActor, settings: AppSettings
) -> None:
    await service.do_change_password(session, settings, actor, body.current_password, body.new_password)


@router.get("/api/me", response_model=Me)
async def me(request: Request, session: DbSession, actor: CurrentActor) -> Me:
    person = await org.get_person(session, actor, actor.person_id)
    csrf = None
    if actor.session_id is not None:
        row = await service.session_by_token(session, request.cookies.get(service.SESSION_COOKIE, ""))
        csrf = row.csrf_token if row else None
    return await _me(session, actor, person, csrf)


@router.patch("/api/me", response_model=Me)
async def update_me(body: MeUpdate, request: Request, session: DbSession, actor: CurrentActor) -> Me:
    """Change one's own language or time zone."""
    person = await org.get_person(session, actor, actor.person_id)
    if body.locale is not None:
        person.locale = body.locale
        current_locale.set(body.locale)
    if body.timezone is not None:
        person.timezone = body.timezone
    await session.flush()
    return await me(request, session, actor)


@router.get("/api/auth/tokens", response_model=list[TokenRead])
async def list_tokens(session: DbSession, actor: CurrentActor) -> list[TokenRead]:
    return [
        TokenRead.model_validate(t, from_attributes=True) for t in await service.list_tokens(session, actor)
    ]


@router.post("/api/auth/tokens", response_model=TokenCreated, status_code=status.HTTP_201_CREATED)
async def create_token(body: TokenCreate, session: DbSession, actor: CurrentActor) -> TokenCreated:
    """Create a personal access token; the token itself is shown only in this answer."""
    if actor.session_id is None:
        raise NotAuthenticated()  # a token may not mint tokens
    row, token = await service.do_create_token(session, actor, body)
    return TokenCreated(**TokenRead.model_validate(row, from_attributes=True).model_dump(), token=token)


@router.delete("/api/auth/tokens/{token_id}", status_code=status.HTTP_204_NO_CONTENT)
async def revoke_token(token_id: int, session: DbSession, actor: CurrentActor) -> None:
    await service.do_revoke_token(session, actor, token_id)
