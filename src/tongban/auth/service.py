"""Sign-in, sessions, personal access tokens and lockout.

Tokens are random and only their SHA-256 is stored, so a copy of the database signs nobody in.
Wrong login names and wrong passwords get the same answer in the same time (a dummy hash is
verified for unknown names), and lockout counts per login name, so nothing tells whether an
account exists.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tongban.auth.models import AccessToken, AuthSession, Credential, LoginThrottle
from tongban.auth.passwords import check_policy, hash_password, verify_password
from tongban.auth.schemas import TokenCreate
from tongban.core import i18n
from tongban.core.config import Settings
from tongban.core.db import utcnow
from tongban.core.errors import AppError, Invalid, NotFound
from tongban.core.permissions import Actor
from tongban.org import service as org

i18n.register(
    {
        "invalid_credentials": ("账号或密码错误", "Wrong account or password"),
        "login_locked": (
            "登录失败次数过多，请 {minutes} 分钟后再试",
            "Too many failed sign-ins; try again in {minutes} minutes",
        ),
        "token_not_found": ("找不到该令牌", "No such token"),
    }
)

SESSION_COOKIE = "tongban_session"
CSRF_COOKIE = "tongban_csrf"
TOKEN_PREFIX = "tbp_"  # noqa: S105 - a prefix that marks personal access tokens
IP_FAILURE_FACTOR = 10  # an address may fail this many times more than one login name
_dummy_hash: str | None = None


async def _dummy() -> str:
    """A real hash to verify against for unknown names, so their answer takes as long."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = await hash_password(secrets.token_urlsafe(16))
    return _dummy_hash


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class NewSession:
    token: str
    csrf_token: str
    session: AuthSession


# ---- lockout ------------------------------------------------------------------------------


async def _throttle_keys(session: AsyncSession, login: str, ip: str) -> list[tuple[str, int]]:
    """Counters a sign-in attempt feeds: the name typed, the account behind it, the address.

    The account key makes username, mobile and e-mail share one budget; the name key applies
    whether or not an account exists, so a lockout reveals nothing.
    """
    keys = [(f"login:{login.strip().lower()}", 1), (f"ip:{ip}", IP_FAILURE_FACTOR)]
    person = await org.find_by_login(session, login)
    if person is not None:
        keys.append((f"person:{person.id}", 1))
    return keys


async def check_not_locked(session: AsyncSession, settings: Settings, login: str, ip: str) -> None:
    now = utcnow()
    for key, _factor in await _throttle_keys(session, login, ip):
        row = await session.get(LoginThrottle, key)
        if row is not None and row.locked_until is not None and row.locked_until > now:
            minutes = max(1, int((row.locked_until - now).total_seconds() // 60) + 1)
            raise AppError(
                "login_locked",
                status_code=429,
                headers={"Retry-After": str(minutes * 60)},
                minutes=minutes,
            )


async def record_failure(session: AsyncSession, settings: Settings, login: str, ip: str) -> None:
    """Count a failed sign-in (in its own transaction: the request itself fails)."""
    now = utcnow()
    window = dt.timedelta(minutes=settings.login_lockout_minutes)
    for key, factor in await _throttle_keys(session, login, ip):
        row = await session.get(LoginThrottle, key)
        if row is None:
            row = LoginThrottle(key=key, failures=0, window_start=now)
            session.add(row)
        if now - row.window_start > window:
            row.failures, row.window_start, row.locked_until = 0, now, None
        row.failures += 1
        if row.failures >= settings.login_max_failures * factor:
            row.locked_until = now + window


async def authenticate(session: AsyncSession, login: str, password: str) -> int | None:
    """The person id when login and password match an active account, else None."""
    person = await org.find_by_login(session, login)
    credential = await session.get(Credential, person.id) if person is not None else None
    if person is None or credential is None or not person.active:
        await verify_password(await _dummy(), password)
        return None
    if not await verify_password(credential.password_hash, password):
        return None
    return person.id


async def do_sign_in(
    session: AsyncSession, settings: Settings, person_id: int, login: str, ip: str, user_agent: str
) -> NewSession:
    await session.execute(
        delete(LoginThrottle).where(
            LoginThrottle.key.in_([f"login:{login.strip().lower()}", f"person:{person_id}"])
        )
    )
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(24)
    now = utcnow()
    row = AuthSession(
        person_id=person_id,
        token_hash=digest(token),
        csrf_token=csrf,
        user_agent=user_agent[:300],
        ip=ip[:64],
        created_at=now,
        last_seen_at=now,
        expires_at=now + dt.timedelta(days=settings.session_days),
    )
    session.add(row)
    await session.flush()
    return NewSession(token=token, csrf_token=csrf, session=row)


# ---- resolving callers --------------------------------------------------------------------


# Built once: statements on every request's path cost half the CPU when SQLAlchemy need not
# construct them again (bench/im.py: these few are ~1 ms of each chat message sent).
_SESSION_BY_HASH = select(AuthSession).where(AuthSession.token_hash == bindparam("token_hash"))


async def session_by_token(session: AsyncSession, token: str) -> AuthSession | None:
    row = (await session.execute(_SESSION_BY_HASH, {"token_hash": digest(token)})).scalar_one_or_none()
    if row is None or row.expires_at <= utcnow():
        return None
    return row


async def actor_from_session(
    session: AsyncSession, row: AuthSession, locale: i18n.Locale | None
) -> Actor | None:
    return await org.actor_for(session, row.person_id, locale=locale, session_id=row.id)


async def actor_from_bearer(session: AsyncSession, token: str, locale: i18n.Locale | None) -> Actor | None:
    if not token.startswith(TOKEN_PREFIX):
        return None
    row = (
        await session.execute(select(AccessToken).where(AccessToken.token_hash == digest(token)))
    ).scalar_one_or_none()
    if row is None or (row.expires_at is not None and row.expires_at <= utcnow()):
        return None
    return await org.actor_for(session, row.person_id, locale=locale, token_id=row.id)


async def touch_session(session: AsyncSession, settings: Settings, session_id: int) -> None:
    """Slide the expiry forward (called at most daily per session, in its own transaction)."""
    now = utcnow()
    await session.execute(
        update(AuthSession)
        .where(AuthSession.id == session_id)
        .values(last_seen_at=now, expires_at=now + dt.timedelta(days=settings.session_days))
    )


async def touch_token(session: AsyncSession, token_id: int) -> None:
    await session.execute(update(AccessToken).where(AccessToken.id == token_id).values(last_used_at=utcnow()))


# ---- signing out, passwords, tokens -------------------------------------------------------


async def do_sign_out(session: AsyncSession, actor: Actor) -> None:
    if actor.session_id is not None:
        await session.execute(delete(AuthSession).where(AuthSession.id == actor.session_id))


async def do_sign_out_everywhere(session: AsyncSession, actor: Actor) -> None:
    await session.execute(delete(AuthSession).where(AuthSession.person_id == actor.person_id))


async def set_password(session: AsyncSession, settings: Settings, person_id: int, password: str) -> None:
    password_hash = await hash_password(
        password, time_cost=settings.argon2_time_cost, memory_kib=settings.argon2_memory_kib
    )
    credential = await session.get(Credential, person_id)
    if credential is None:
        session.add(Credential(person_id=person_id, password_hash=password_hash))
    else:
        credential.password_hash = password_hash
        credential.changed_at = utcnow()
    await session.flush()


async def do_change_password(
    session: AsyncSession, settings: Settings, actor: Actor, current: str, new: str
) -> None:
    """Change the password and end every other session of this person."""
    credential = await session.get(Credential, actor.person_id)
    if credential is None or not await verify_password(credential.password_hash, current):
        raise Invalid("body.current_password", "field.password_wrong")
    person = await org.get_person(session, actor, actor.person_id)
    check_policy(new, username=person.username)
    await set_password(session, settings, actor.person_id, new)
    stmt = delete(AuthSession).where(AuthSession.person_id == actor.person_id)
    if actor.session_id is not None:
        stmt = stmt.where(AuthSession.id != actor.session_id)
    await session.execute(stmt)


async def list_tokens(session: AsyncSession, actor: Actor) -> list[AccessToken]:
    rows = await session.execute(
        select(AccessToken).where(AccessToken.person_id == actor.person_id).order_by(AccessToken.id)
    )
    return list(rows.scalars())


async def do_create_token(session: AsyncSession, actor: Actor, data: TokenCreate) -> tuple[AccessToken, str]:
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires = utcnow() + dt.timedelta(days=data.expires_days) if data.expires_days else None
    row = AccessToken(person_id=actor.person_id, name=data.name, token_hash=digest(token), expires_at=expires)
    session.add(row)
    await session.flush()
    return row, token


async def do_revoke_token(session: AsyncSession, actor: Actor, token_id: int) -> None:
    result = await session.execute(
        delete(AccessToken).where(AccessToken.id == token_id, AccessToken.person_id == actor.person_id)
    )
    if not getattr(result, "rowcount", 0):
        raise NotFound("token_not_found")
