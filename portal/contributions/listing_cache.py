"""Rendered fragments of the public listing pages (a meeting's documents, an action line's), kept
in each worker process while nothing they show has changed.

A meeting page with a few hundred documents costs tens of milliseconds of database and template
work; the same fragment, cached, costs one primary-key read. Correctness rests on the listing
generation (models/listing.py): a flush that touches anything a listing shows increments it in
the same transaction, so a fragment is served only while the committed data it was rendered from
is unchanged, in every process. LISTING_CACHE_ENTRIES = 0 turns the cache off."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from itertools import chain

from flask import current_app
from flask_babel import get_locale
from markupsafe import Markup
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from portal.extensions import db
from portal.models import (
    ActionLine,
    Contribution,
    DocumentFile,
    ListingGeneration,
    Meeting,
    Organisation,
    Version,
)

_lock = threading.Lock()
_fragments: OrderedDict[tuple, tuple[int, Markup]] = OrderedDict()


def _shown_in_listings(obj) -> bool:
    if isinstance(obj, (Organisation, Meeting, ActionLine)):
        return True
    if isinstance(obj, Contribution):
        return obj.first_published_at is not None
    if isinstance(obj, (Version, DocumentFile)):
        return obj.published_at is not None
    return False


@event.listens_for(Session, "after_flush")
def _bump_generation(session: Session, _context) -> None:
    """In the flushing transaction: if the flush changed what a public listing shows, move the
    generation on (it commits or rolls back with the change itself)."""
    if any(_shown_in_listings(o) for o in chain(session.new, session.dirty, session.deleted)):
        session.connection().execute(
            update(ListingGeneration.__table__).where(ListingGeneration.__table__.c.id == 1)
            .values(n=ListingGeneration.__table__.c.n + 1))


def generation() -> int | None:
    """The committed generation as this request's transaction sees it (None: no row, no caching)."""
    return db.session.scalar(select(ListingGeneration.n).where(ListingGeneration.id == 1))


def fragment(key: tuple, render: Callable[[], str]) -> Markup:
    """The fragment for `key` in the current language: from the cache if it was rendered at the
    current generation, else rendered now (and kept)."""
    size = current_app.config["LISTING_CACHE_ENTRIES"]
    gen = generation() if size else None
    if gen is None:
        return Markup(render())  # noqa: S704 - render() is an autoescaped template
    full = (db.engine.url.render_as_string(hide_password=True), *key, str(get_locale()))
    with _lock:
        hit = _fragments.get(full)
        if hit is not None and hit[0] == gen:
            _fragments.move_to_end(full)
            return hit[1]
    html = Markup(render())  # noqa: S704 - render() is an autoescaped template
    with _lock:
        _fragments[full] = (gen, html)
        _fragments.move_to_end(full)
        while len(_fragments) > size:
            _fragments.popitem(last=False)
    return html


def clear() -> None:
    with _lock:
        _fragments.clear()
