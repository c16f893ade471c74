"""Pagination of select statements, with the page size from the config."""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select

from examsite.core.params import parse_int
from examsite.extensions import db

#: Past the last page the list shows empty; a page number beyond this shows empty too (a
#: larger one would overflow the database's OFFSET).
PAGE_MAX = 100_000


def paginate(stmt: Select[Any], per_page: int | None = None) -> Pagination:
    """Page through a statement using ``?page=``; an out-of-range page shows empty, not 404."""
    page = parse_int(request.args.get("page"), min=1) or 1
    return db.paginate(
        stmt,
        page=min(page, PAGE_MAX),
        per_page=per_page or current_app.config["EXAMSITE_PAGE_SIZE"],
        error_out=False,
        max_per_page=200,
    )
