"""Pagination of select statements, with the page size from the config."""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select

from examsite.extensions import db


def paginate(stmt: Select[Any], per_page: int | None = None) -> Pagination:
    """Page through a statement using ``?page=``; an out-of-range page shows empty, not 404."""
    page = request.args.get("page", 1, type=int) or 1
    return db.paginate(
        stmt,
        page=max(page, 1),
        per_page=per_page or current_app.config["EXAMSITE_PAGE_SIZE"],
        error_out=False,
        max_per_page=200,
    )
