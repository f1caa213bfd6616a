"""Pagination of select() statements, with a page number that can never break a page."""

from __future__ import annotations

from flask import current_app, request, url_for
from flask_sqlalchemy.pagination import Pagination

from portal.extensions import db


def page_number(arg: str = "page") -> int:
    try:
        n = int(request.args.get(arg, "1"))
    except ValueError:
        return 1
    return min(max(n, 1), 100_000)


def paginate(stmt, per_page: int | None = None) -> Pagination:
    return db.paginate(stmt, page=page_number(), per_page=per_page or current_app.config["PAGE_SIZE"],
                       error_out=False, max_per_page=100)


def page_url(number: int) -> str:
    """This page's address with another page number, keeping every other parameter."""
    args = request.args.to_dict(flat=False)
    args["page"] = [str(number)]
    return url_for(request.endpoint, **(request.view_args or {}), **args)
