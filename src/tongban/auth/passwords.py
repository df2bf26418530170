"""argon2id hashing (off the event loop) and the password policy."""

from __future__ import annotations

import asyncio
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from tongban.core import i18n
from tongban.core.errors import Invalid

i18n.register(
    {
        "field.password_too_short": ("密码至少 {min} 位", "must be at least {min} characters"),
        "field.password_too_simple": (
            "密码需包含字母、数字、符号中的至少两类",
            "must mix at least two of letters, digits and symbols",
        ),
        "field.password_is_username": ("密码不能与用户名相同", "must not be the username"),
        "field.password_wrong": ("当前密码不正确", "is not your current password"),
    }
)

MIN_LENGTH = 8


@lru_cache(maxsize=4)
def hasher(time_cost: int, memory_kib: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=1)


async def hash_password(password: str, *, time_cost: int = 2, memory_kib: int = 19456) -> str:
    return await asyncio.to_thread(hasher(time_cost, memory_kib).hash, password)


async def verify_password(password_hash: str, password: str) -> bool:
    def _verify() -> bool:
        try:
            return PasswordHasher().verify(password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    return await asyncio.to_thread(_verify)


def check_policy(password: str, *, username: str, field: str = "body.new_password") -> None:
    if len(password) < MIN_LENGTH:
        raise Invalid(field, "field.password_too_short", min=MIN_LENGTH)
    classes = sum(
        [
            any(c.isalpha() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
    )
    if classes < 2:
        raise Invalid(field, "field.password_too_simple")
    if password.lower() == username.lower():
        raise Invalid(field, "field.password_is_username")
