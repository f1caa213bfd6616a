"""Rendered fragments of the public listing pages (a meeting's documents, an action line's), kept
in each worker process while nothing they show has changed.

A meeting page with a few hundred documents costs tens of milliseconds of database and template
work; the same fragment, cached, costs one small read. Correctness rests on the listing generations
(models/listing.py): a flush that changes what a listing shows increments the generation of that
listing's scope in the same transaction (a publication: its meeting, its action lines and the home
page; a renamed organisation: everything), so a fragment is served only while the committed data
it was rendered from is unchanged, in every process, and a publication re-renders only the pages
it appears on. LISTING_CACHE_ENTRIES = 0 turns the cache off."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from itertools import chain

from flask import current_app
from flask_babel import get_locale
from markupsafe import Markup
from sqlalchemy import event, select
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
from portal.models.contribution import version_action_lines

_lock = threading.Lock()
_fragments: OrderedDict[tuple, tuple[tuple[int, ...], Markup]] = OrderedDict()

_PENDING = "listing_scopes"  # session.info key: scopes changed by the open transaction
_generations = ListingGeneration.__table__
_versions = Version.__table__
_contributions = Contribution.__table__


def _changed(session: Session, obj, dirty) -> bool:
    """New, deleted, or with a changed column (a collection appended to, e.g. an organisation's
    members, is not a change any listing shows)."""
    return obj not in dirty or session.is_modified(obj, include_collections=False)


def _scopes(session: Session) -> set[str]:
    """The listing scopes that this flush changes."""
    contribution_ids: set[int] = set()
    version_ids: set[int] = set()
    dirty, deleted = session.dirty, session.deleted  # each is rebuilt when read
    for obj in chain(session.new, dirty, deleted):
        if isinstance(obj, (Organisation, Meeting, ActionLine)):
            if _changed(session, obj, dirty):
                return {"all"}
        elif isinstance(obj, Contribution):
            if obj.first_published_at is not None and _changed(session, obj, dirty):
                if obj in deleted:
                    return {"all"}
                contribution_ids.add(obj.id)
        elif isinstance(obj, Version):
            if obj.published_at is not None and _changed(session, obj, dirty):
                contribution_ids.add(obj.contribution_id)
        elif isinstance(obj, DocumentFile):
            if obj.published_at is not None and _changed(session, obj, dirty):
                version_ids.add(obj.version_id)
    if not contribution_ids and not version_ids:
        return set()
    conn = session.connection()
    if version_ids:
        contribution_ids |= set(conn.scalars(select(_versions.c.contribution_id).where(_versions.c.id.in_(version_ids))))
    return _scopes_of(conn, contribution_ids)


def _scopes_of(conn, contribution_ids: set[int]) -> set[str]:
    """The listings a listed contribution appears on: the home page, its meeting, and every action line
    of every one of its versions (a revision may have moved it to other lines)."""
    contribution_ids = contribution_ids - {None}
    if not contribution_ids:
        return set()
    scopes = {"home"}
    scopes |= {f"meeting:{m}" for m in conn.scalars(
        select(_contributions.c.meeting_id).where(_contributions.c.id.in_(contribution_ids)))}
    scopes |= {f"line:{line}" for line in conn.scalars(
        select(version_action_lines.c.action_line_id).distinct()
        .join(_versions, _versions.c.id == version_action_lines.c.version_id)
        .where(_versions.c.contribution_id.in_(contribution_ids)))}
    return scopes


def contribution_changed(contribution_id: int) -> None:
    """For services that change a listed contribution with an UPDATE statement (a conditional update
    that decides a race), which no flush sees: its listings move on when the transaction commits."""
    scopes = _scopes_of(db.session.connection(), {contribution_id})
    db.session.info.setdefault(_PENDING, set()).update(scopes)


def _insert(dialect: str):
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


@event.listens_for(Session, "after_flush")
def _collect_scopes(session: Session, _context) -> None:
    """Note which listings this flush changed; the generations move just before the commit."""
    scopes = _scopes(session)
    if scopes:
        session.info.setdefault(_PENDING, set()).update(scopes)


@event.listens_for(Session, "before_commit")
def _bump_before_commit(session: Session) -> None:
    """Move on the generations of every listing the transaction changed, once, in the transaction
    itself (they commit or roll back with the change), and in one sorted batch: two transactions
    bumping the same rows always take their locks in the same order, so they cannot deadlock."""
    session.flush()  # the commit's own flush would come after this hook
    scopes = session.info.pop(_PENDING, None)
    if scopes:
        _bump(session.connection(), scopes)


@event.listens_for(Session, "after_soft_rollback")
def _forget_scopes(session: Session, previous_transaction) -> None:
    if not previous_transaction.nested:
        session.info.pop(_PENDING, None)


def _bump(conn, scopes: set[str]) -> None:
    insert = _insert(conn.dialect.name)
    for scope in sorted(scopes):
        stmt = insert(_generations).values(scope=scope, n=1)
        conn.execute(stmt.on_conflict_do_update(index_elements=[_generations.c.scope],
                                                set_={"n": _generations.c.n + 1}))


def restart_all() -> None:
    """Set the generation every listing depends on to the current time in seconds: above any number
    increments reach, so that after a restore no worker serves a fragment of the replaced data."""
    conn = db.session.connection()
    stmt = _insert(conn.dialect.name)(_generations).values(scope="all", n=int(time.time()))
    conn.execute(stmt.on_conflict_do_update(index_elements=[_generations.c.scope],
                                            set_={"n": stmt.excluded.n}))


def generations(scopes: list[str]) -> tuple[int, ...]:
    """The committed generations of these scopes, as this request's transaction sees them."""
    found = dict(db.session.execute(select(_generations.c.scope, _generations.c.n)
                                    .where(_generations.c.scope.in_(scopes))).all())
    return tuple(found.get(s, 0) for s in scopes)


def _rendered(render: Callable[[], str]) -> Markup:
    # render() returns the output of an autoescaped Jinja template: already safe HTML.
    return Markup(render())  # noqa: S704 # nosec B704


def fragment(key: tuple, scopes: list[str], render: Callable[[], str]) -> Markup:
    """The fragment for `key` in the current language: from the cache if it was rendered at the
    current generations of `scopes` (and of "all"), else rendered now and kept."""
    size = current_app.config["LISTING_CACHE_ENTRIES"]
    if not size:
        return _rendered(render)
    scopes = ["all", *scopes]
    stamp = generations(scopes)
    full = (db.engine.url, *key, str(get_locale()))
    with _lock:
        hit = _fragments.get(full)
        if hit is not None and hit[0] == stamp:
            _fragments.move_to_end(full)
            return hit[1]
    html = _rendered(render)
    with _lock:
        _fragments[full] = (stamp, html)
        _fragments.move_to_end(full)
        while len(_fragments) > size:
            _fragments.popitem(last=False)
    return html
