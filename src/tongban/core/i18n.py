"""Server-side messages in the caller's language (zh-CN first, en-US second).

Capabilities register their own messages with `register`; a message is looked up by a stable
code, so clients can rely on the code and show the text.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any, Literal

Locale = Literal["zh-CN", "en-US"]
LOCALES: tuple[Locale, ...] = ("zh-CN", "en-US")
DEFAULT_LOCALE: Locale = "zh-CN"

current_locale: ContextVar[Locale] = ContextVar("current_locale", default=DEFAULT_LOCALE)

_MESSAGES: dict[str, dict[Locale, str]] = {}


def register(messages: dict[str, tuple[str, str]]) -> None:
    """Add messages as {code: (zh-CN text, en-US text)}."""
    for code, (zh, en) in messages.items():
        if code in _MESSAGES:
            raise ValueError(f"message code {code!r} registered twice")
        _MESSAGES[code] = {"zh-CN": zh, "en-US": en}


def t(code: str, locale: Locale | None = None, **params: Any) -> str:
    texts = _MESSAGES.get(code)
    if texts is None:
        return code
    text = texts[locale or current_locale.get()]
    return text.format(**params) if params else text


def parse_accept_language(header: str | None) -> Locale | None:
    """Pick zh-CN or en-US from an Accept-Language header, honouring q-values."""
    if not header:
        return None
    choices: list[tuple[float, int, Locale]] = []
    for index, part in enumerate(header.split(",")):
        lang, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        tag = lang.strip().lower()
        if tag.startswith("zh"):
            choices.append((quality, -index, "zh-CN"))
        elif tag.startswith("en"):
            choices.append((quality, -index, "en-US"))
    if not choices:
        return None
    return max(choices)[2]


def normalise_locale(value: str | None) -> Locale | None:
    if value in LOCALES:
        return value
    return parse_accept_language(value)


register(
    {
        "validation_error": ("请求内容有误，请检查标出的字段", "Some fields are invalid"),
        "malformed_json": ("请求体不是有效的 JSON", "The request body is not valid JSON"),
        "not_found": ("找不到该对象", "Not found"),
        "route_not_found": ("接口不存在", "No such endpoint"),
        "method_not_allowed": ("不支持该请求方法", "Method not allowed"),
        "not_authenticated": ("请先登录", "Please sign in"),
        "forbidden": ("没有权限执行此操作", "You do not have permission to do this"),
        "csrf_failed": ("安全校验失败，请刷新页面后重试", "Security check failed; reload the page and retry"),
        "origin_refused": ("请求来源不被允许", "Request origin is not allowed"),
        "conflict": ("与现有数据冲突", "Conflicts with existing data"),
        "internal_error": ("服务器内部错误", "Internal server error"),
        "payload_too_large": ("文件超过大小上限 {limit}", "The file exceeds the size limit of {limit}"),
        # pydantic error types -> field messages
        "field.missing": ("必填", "is required"),
        "field.string_type": ("应为文本", "must be text"),
        "field.int_type": ("应为整数", "must be a whole number"),
        "field.int_parsing": ("应为整数", "must be a whole number"),
        "field.float_type": ("应为数字", "must be a number"),
        "field.float_parsing": ("应为数字", "must be a number"),
        "field.bool_type": ("应为是/否", "must be true or false"),
        "field.bool_parsing": ("应为是/否", "must be true or false"),
        "field.string_too_short": ("至少 {min_length} 个字符", "must be at least {min_length} characters"),
        "field.string_too_long": ("最多 {max_length} 个字符", "must be at most {max_length} characters"),
        "field.too_short": ("至少 {min_length} 项", "must have at least {min_length} items"),
        "field.too_long": ("最多 {max_length} 项", "must have at most {max_length} items"),
        "field.greater_than_equal": ("应不小于 {ge}", "must be at least {ge}"),
        "field.less_than_equal": ("应不大于 {le}", "must be at most {le}"),
        "field.greater_than": ("应大于 {gt}", "must be greater than {gt}"),
        "field.less_than": ("应小于 {lt}", "must be less than {lt}"),
        "field.literal_error": ("取值应为 {expected} 之一", "must be one of {expected}"),
        "field.enum": ("取值应为 {expected} 之一", "must be one of {expected}"),
        "field.value_error": ("取值无效：{error}", "is invalid: {error}"),
        "field.string_pattern_mismatch": ("格式不正确", "has the wrong format"),
        "field.datetime_parsing": ("应为日期时间", "must be a date and time"),
        "field.datetime_type": ("应为日期时间", "must be a date and time"),
        "field.date_parsing": ("应为日期", "must be a date"),
        "field.model_type": ("应为对象", "must be an object"),
        "field.dict_type": ("应为对象", "must be an object"),
        "field.list_type": ("应为列表", "must be a list"),
        "field.json_invalid": ("不是有效的 JSON", "is not valid JSON"),
        "field.extra_forbidden": ("不允许的字段", "is not an allowed field"),
        "field.invalid": ("取值无效", "is invalid"),
    }
)
