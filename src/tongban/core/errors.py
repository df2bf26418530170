"""One error format for the whole API.

    {"code": "person_not_found", "message": "<in the caller's language>",
     "fields": [{"field": "body.login", "code": "missing", "message": "..."}]}

`code` is stable for clients; `message` follows the caller's language; `fields` is present for 422.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from tongban.core.i18n import t

log = logging.getLogger(__name__)


class FieldError:
    def __init__(self, field: str, code: str, message: str) -> None:
        self.field, self.code, self.message = field, code, message

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "code": self.code, "message": self.message}


class AppError(Exception):
    """An error a client can act on. `code` names a message registered in core.i18n."""

    status_code = 400

    def __init__(
        self,
        code: str,
        *,
        status_code: int | None = None,
        fields: list[FieldError] | None = None,
        headers: dict[str, str] | None = None,
        **params: Any,
    ) -> None:
        super().__init__(code)
        self.code = code
        if status_code is not None:
            self.status_code = status_code
        self.fields = fields or []
        self.params = params
        self.headers = headers

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": t(self.code, **self.params)}
        if self.fields:
            body["fields"] = [f.as_dict() for f in self.fields]
        return body


class NotFound(AppError):
    status_code = 404

    def __init__(self, code: str = "not_found", **params: Any) -> None:
        super().__init__(code, **params)


class Forbidden(AppError):
    status_code = 403

    def __init__(self, code: str = "forbidden", **params: Any) -> None:
        super().__init__(code, **params)


class NotAuthenticated(AppError):
    status_code = 401

    def __init__(self, code: str = "not_authenticated", **params: Any) -> None:
        super().__init__(code, **params)


class Conflict(AppError):
    status_code = 409

    def __init__(self, code: str = "conflict", **params: Any) -> None:
        super().__init__(code, **params)


class Invalid(AppError):
    """A 422 for rules the schema cannot express; name the field."""

    status_code = 422

    def __init__(self, field: str, code: str, **params: Any) -> None:
        super().__init__("validation_error", fields=[FieldError(field, code, t(code, **params))], **params)


def _field_name(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc)


def translate_validation_errors(errors: list[Any]) -> tuple[str, list[FieldError]]:
    fields: list[FieldError] = []
    code = "validation_error"
    for err in errors:
        kind = str(err.get("type", "invalid"))
        if kind == "json_invalid":
            code = "malformed_json"
        ctx = {k: v for k, v in (err.get("ctx") or {}).items()}
        message_code = f"field.{kind}"
        try:
            message = t(message_code, **ctx)
        except (KeyError, IndexError):
            message = t("field.invalid")
        if message == message_code:  # no translation registered for this pydantic error type
            message = t("field.invalid")
        fields.append(FieldError(_field_name(tuple(err.get("loc", ()))), kind, message))
    return code, fields


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def _app_error(_request: Request, exc: AppError) -> JSONResponse:
        return JSONResponse(exc.body(), status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        code, fields = translate_validation_errors(list(exc.errors()))
        body = {"code": code, "message": t(code), "fields": [f.as_dict() for f in fields]}
        return JSONResponse(body, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "route_not_found", 405: "method_not_allowed", 401: "not_authenticated"}.get(
            exc.status_code, "internal_error" if exc.status_code >= 500 else "validation_error"
        )
        return JSONResponse(
            {"code": code, "message": t(code)}, status_code=exc.status_code, headers=exc.headers
        )

    @app.exception_handler(Exception)
    async def _unhandled(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse({"code": "internal_error", "message": t("internal_error")}, status_code=500)
