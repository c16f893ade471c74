"""Values a user sent in a query string or a form, outside any form class.

Each reader returns the value, its default when the value is absent or blank, or refuses the
request with :class:`InvalidParameter` (a 400 page whose message names the value, through the
error pages of ``core/web.py``): never a ``ValueError`` or an overflow further down.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from flask import request
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest

#: Years a statistics page or a calendar may show.
YEAR_MIN, YEAR_MAX = 2000, 2100
#: Dates a person may enter or ask for (the date arithmetic around them cannot overflow).
DATE_MIN, DATE_MAX = date(1900, 1, 1), date(2100, 12, 31)
#: The largest row id (PostgreSQL ``integer``); a larger number names no row.
ID_MAX = 2**31 - 1

_INTEGER = re.compile(r"-?[0-9]{1,18}")  # ASCII digits only: "²".isdigit() is True
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_MONTH = re.compile(r"([0-9]{4})-([0-9]{1,2})")


class InvalidParameter(BadRequest):
    """A 400 whose description is a message for the user (shown on the error page)."""


def parse_int(text: str | None, *, min: int | None = None, max: int | None = None) -> int | None:
    """The integer written in ASCII digits (an optional minus sign), within the bounds; None
    for anything else."""
    if text is None or not _INTEGER.fullmatch(text.strip()):
        return None
    value = int(text)
    if (min is not None and value < min) or (max is not None and value > max):
        return None
    return value


def parse_id(text: str | None) -> int | None:
    """A row id (1 … ``ID_MAX``), or None."""
    return parse_int(text, min=1, max=ID_MAX)


def parse_date(text: str | None, *, min: date = DATE_MIN, max: date = DATE_MAX) -> date | None:
    """A YYYY-MM-DD date within the bounds, or None."""
    if text is None or not _DATE.fullmatch(text.strip()):
        return None
    try:
        value = date.fromisoformat(text.strip())
    except ValueError:
        return None
    return value if min <= value <= max else None


def _source(source: MultiDict[str, Any] | None) -> MultiDict[str, Any]:
    return request.args if source is None else source


def _raw(name: str, source: MultiDict[str, Any] | None) -> str | None:
    raw = _source(source).get(name)
    return raw if isinstance(raw, str) and raw.strip() else None


def int_arg(
    name: str,
    *,
    min: int,
    max: int,
    default: int | None = None,
    label: Any = None,
    source: MultiDict[str, Any] | None = None,
) -> int | None:
    """An integer query parameter (``source``: another MultiDict, e.g. ``request.form``)."""
    raw = _raw(name, source)
    if raw is None:
        return default
    value = parse_int(raw, min=min, max=max)
    if value is None:
        raise InvalidParameter(
            _l(
                "%(label)s应为 %(min)s 至 %(max)s 之间的整数。",
                label=label or name,
                min=min,
                max=max,
            )
        )
    return value


def id_arg(name: str, *, source: MultiDict[str, Any] | None = None) -> int | None:
    """A row id, or None when absent; anything else is refused."""
    raw = _raw(name, source)
    if raw is None:
        return None
    value = parse_id(raw)
    if value is None:
        raise InvalidParameter(_l("所选项目无效，请返回上一页重新选择。"))
    return value


def ids_arg(name: str, *, source: MultiDict[str, Any] | None = None) -> list[int]:
    """Every row id sent under the name (checkboxes), in order, without repeats."""
    values: list[int] = []
    for raw in _source(source).getlist(name):
        value = parse_id(raw) if isinstance(raw, str) else None
        if value is None:
            raise InvalidParameter(_l("所选项目无效，请返回上一页重新选择。"))
        if value not in values:
            values.append(value)
    return values


def date_arg(
    name: str,
    *,
    default: date | None = None,
    label: Any = None,
    source: MultiDict[str, Any] | None = None,
) -> date | None:
    """A YYYY-MM-DD date between ``DATE_MIN`` and ``DATE_MAX``."""
    raw = _raw(name, source)
    if raw is None:
        return default
    value = parse_date(raw)
    if value is None:
        raise InvalidParameter(
            _l(
                "%(label)s应为 %(min)s 至 %(max)s 之间的日期（年-月-日）。",
                label=label or name,
                min=DATE_MIN.isoformat(),
                max=DATE_MAX.isoformat(),
            )
        )
    return value


def month_arg(name: str, *, default: date, label: Any = None) -> date:
    """A YYYY-MM query parameter (``YEAR_MIN`` … ``YEAR_MAX``), as the month's first day."""
    raw = _raw(name, None)
    if raw is None:
        return default
    match = _MONTH.fullmatch(raw.strip())
    year, month = (int(match.group(1)), int(match.group(2))) if match else (0, 0)
    if not (YEAR_MIN <= year <= YEAR_MAX and 1 <= month <= 12):
        raise InvalidParameter(
            _l(
                "%(label)s应为 %(min)s 至 %(max)s 之间的月份（年-月）。",
                label=label or name,
                min=f"{YEAR_MIN}-01",
                max=f"{YEAR_MAX}-12",
            )
        )
    return date(year, month, 1)


# --------------------------------------------------------------------------- next=

_CONTROL_OR_SPACE = re.compile(r"[\x00-\x1f\x7f]|\s")


def safe_next(target: str | None) -> str | None:
    """``target`` when it is a path of this site, else None (then go to a default page).

    Browsers drop tabs and line breaks from a URL and read a backslash as a slash, so
    ``/<TAB>/evil.example`` and ``/\\evil.example`` both lead to ``//evil.example``, another
    site: whatever could read as a scheme or a host is refused.
    """
    if not isinstance(target, str) or not target.startswith("/"):
        return None
    bare = _CONTROL_OR_SPACE.sub("", target)
    if bare.startswith(("//", "/\\")) or "\\" in bare:
        return None
    parts = urlsplit(bare)
    if parts.scheme or parts.netloc:
        return None
    if bare != target.replace(" ", ""):
        return None  # a control character or an unusual space: never in a link of this site
    return target
