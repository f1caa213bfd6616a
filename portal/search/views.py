"""The search page: GET /search?q=&meeting=&action_line=&stakeholder_type=&language=&year=&series=&sort=&page=
Every state lives in the address, so a search can be shared as a link."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.extensions import db
from portal.labels import action_line_title, label
from portal.models import ActionLine, Language, Meeting, Series, StakeholderType
from portal.search import service
from portal.search.schema import FACETS

bp = Blueprint("search", __name__)

FACET_LIMIT = 12
FACET_NAMES = {"meeting": _l("Meeting"), "action_line": _l("Action line"),
               "stakeholder_type": _l("Stakeholder type"), "language": _l("Language"),
               "year": _l("Year"), "series": _l("Series")}


@bp.app_template_filter("language_name")
def language_name(code: str) -> str:
    """A document language's name, or the code itself if it is not one of Language."""
    try:
        return label(Language(code))
    except ValueError:
        return code


def _labels(page: service.Page) -> dict[str, dict[str, str]]:
    meetings = {m.code: m for m in db.session.scalars(select(Meeting))}
    lines = {al.code: al for al in db.session.scalars(select(ActionLine))}
    out: dict[str, dict[str, str]] = {f: {} for f in FACETS}
    values = {f: {v for v, _ in page.facets.get(f, [])} | {page.params.filters.get(f)} for f in FACETS}
    for code in values["meeting"]:
        if code in meetings:
            out["meeting"][code] = meetings[code].title
    for code in values["action_line"]:
        if code in lines:
            out["action_line"][code] = f"{code} {action_line_title(lines[code].title, code)}"
    for enum, facet in ((StakeholderType, "stakeholder_type"), (Language, "language"), (Series, "series")):
        for v in values[facet]:
            try:
                out[facet][v] = label(enum(v))
            except ValueError:
                continue
    for v in values["year"]:
        if v:
            out["year"][v] = v
    out["_meeting_order"] = {code: i for i, code in enumerate(
        sorted(meetings, key=lambda c: meetings[c].start_date, reverse=True))}
    return out


def _ordered(facet: str, items: list[tuple[str, int]], labels) -> list[tuple[str, int]]:
    if facet == "year":
        return sorted(items, reverse=True)
    if facet == "action_line":
        return sorted(items, key=lambda kv: int(kv[0][1:]) if kv[0][1:].isdigit() else 99)
    if facet == "meeting":
        order = labels["_meeting_order"]
        return sorted(items, key=lambda kv: order.get(kv[0], 999))
    return items  # by count


def search_url(params: service.Params, **changes) -> str:
    """This search with some parameters changed (None removes one); back to the first page."""
    args = {"q": params.q.strip() or None, **params.filters, "sort": params.sort or None}
    args.update(changes)
    return url_for("search.search", **{k: v for k, v in args.items() if v})


@bp.get("/search")
def search():
    params, notices = service.parse_params(request.args)
    page = service.run(params)
    page.notices = notices + page.notices
    labels = _labels(page)
    facets = []
    for facet in FACETS:
        items = [(v, n) for v, n in page.facets.get(facet, []) if v in labels[facet]]
        items = _ordered(facet, items, labels)[:FACET_LIMIT]
        if items:
            facets.append((facet, items))
    return render_template(
        "search/results.html", page=page, params=params, q=params.q, facets=facets, labels=labels,
        facet_names=FACET_NAMES,
        with_filter=lambda facet, value: search_url(params, **{facet: value}),
        without=lambda facet: search_url(params, **{facet: None}),
        without_all=lambda: search_url(params, **{f: None for f in FACETS}),
        this_search=lambda: search_url(params, page=page.page if page.page > 1 else None),
        suggestion_url=search_url(params, q=page.suggestion) if page.suggestion else None)
