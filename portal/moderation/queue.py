"""The secretariat's moderation queue: which versions it lists, under the allow-listed filters, and
its search box.

Pending items are never in the public index, and the queue is small, so the search runs in SQL: each
word (or "quoted phrase") must appear in the title, the summary or the first SCAN_CHARS characters of
a file's extracted text, compared case- and accent-folded (SQLite gets a `portal_fold` function; other
databases fold with lower() and translate(): accents of Latin, Greek and Cyrillic letters, Arabic
diacritics). The syntax is the public search's, as far as SQL allows: words are AND-ed, OR between
them, NOT or -word excludes, a trailing * is accepted (every word matches as a prefix, and inside
words)."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, exists, false, func, not_, or_, select

from portal.errors import UserError
from portal.extensions import db
from portal.models import (
    Contribution,
    ContributionState,
    DocumentFile,
    ExtractionStatus,
    Meeting,
    Organisation,
    Version,
)
from portal.search import analysis as a

S = ContributionState
STATES = {"submitted", "returned", "published", "rejected", "withdrawn", "draft", "all"}
Q_MAX_CHARS = 500


@dataclass
class Filters:
    """The queue's parameters, each one allow-listed."""

    state: str = "submitted"
    meeting: str | None = None
    late: bool = False
    extraction_failed: bool = False
    unverified: bool = False
    q: str = ""

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> Filters:
        state = args.get("state", "submitted")
        return cls(state=state if state in STATES else "submitted", meeting=args.get("meeting") or None,
                   late=args.get("late") == "1", extraction_failed=args.get("extraction") == "failed",
                   unverified=args.get("unverified") == "1", q=(args.get("q") or "").strip()[:Q_MAX_CHARS])


@dataclass
class Queue:
    statement: Select
    q_error: str | None


def queue(f: Filters) -> Queue:
    """The versions the queue lists under these filters, in its order (the oldest submission first in
    the "submitted" view, the latest change first otherwise). A search query that cannot be run lists
    nothing and says why."""
    stmt = (select(Version).join(Version.contribution).join(Contribution.meeting)
            .outerjoin(Contribution.organisation).where(Contribution.organisation_id.is_not(None)))
    pending_language = exists().where(and_(DocumentFile.version_id == Version.id,
                                           DocumentFile.published_at.is_(None)))
    if f.state == "submitted":
        stmt = stmt.where(or_(Version.state == S.SUBMITTED,
                              and_(Version.state == S.PUBLISHED, pending_language,
                                   Contribution.state == S.PUBLISHED)))
    elif f.state != "all":
        stmt = stmt.where(Version.state == S(f.state))
    if f.meeting:
        stmt = stmt.where(Meeting.code == f.meeting)
    if f.late:
        stmt = stmt.where(Version.late.is_(True))
    if f.extraction_failed:
        stmt = stmt.where(exists().where(and_(DocumentFile.version_id == Version.id,
                                              DocumentFile.extraction_status == ExtractionStatus.FAILED)))
    if f.unverified:
        stmt = stmt.where(Organisation.verified_at.is_(None))
    q_error = None
    if f.q:
        try:
            found = search_condition(f.q, db.session)
        except UserError as exc:
            q_error = str(exc.message)
            stmt = stmt.where(false())
        else:
            if found is not None:
                stmt = stmt.where(found)
    order = Version.submitted_at.asc() if f.state == "submitted" else Version.updated_at.desc()
    return Queue(stmt.order_by(order, Version.id), q_error)


def meetings() -> list[Meeting]:
    """The meetings the queue can be filtered by, the latest first."""
    return list(db.session.scalars(select(Meeting).order_by(Meeting.start_date.desc())))


# --- The search box ----------------------------------------------------------------------------------

SCAN_CHARS = 20_000
MAX_TERMS = 12
_TOKEN = re.compile(r'"([^"]*)"?|(\S+)')


def fold_text(value: str | None) -> str | None:
    """analysis.fold for a whole text (its uncached function: texts do not repeat like words)."""
    return None if value is None else a.fold.__wrapped__(value)


def parse(q: str) -> list[list[tuple[bool, str]]]:
    """OR-groups of (negated, folded text) terms."""
    groups: list[list[tuple[bool, str]]] = [[]]
    negate = False
    count = 0
    for m in _TOKEN.finditer(q):
        phrase, word = m.group(1), m.group(2)
        if word is not None and phrase is None:
            if word == "OR":
                if groups[-1]:
                    groups.append([])
                continue
            if word in ("AND", "&&"):
                continue
            if word in ("NOT", "ANDNOT"):
                negate = True
                continue
            if word.startswith("-") and len(word) > 1:
                negate, word = True, word[1:]
            text = word.strip("()+*?")
        else:
            text = phrase or ""
        text = " ".join(fold_text(text).split())
        if len(text) < 2:
            negate = False
            continue
        count += 1
        if count > MAX_TERMS:
            raise UserError(_l("Use at most %(n)d words.", n=MAX_TERMS), "q")
        groups[-1].append((negate, text))
        negate = False
    return [g for g in groups if g]


def _translation_table() -> tuple[str, str]:
    """translate() arguments that fold the one-to-one accents of Latin, Greek and Cyrillic letters and
    delete Arabic diacritics: SQL's own folding, on databases other than SQLite."""
    src, dst = [], []
    for cp in list(range(0xC0, 0x250)) + list(range(0x370, 0x3FF)) + list(range(0x400, 0x4FF)):
        ch = chr(cp)
        if ch != ch.lower():
            continue
        folded = fold_text(ch)
        if len(folded) == 1 and folded != ch:
            src.append(ch)
            dst.append(folded)
    marks = [chr(cp) for cp in list(range(0x064B, 0x0660)) + [0x0670, 0x0640]]
    return "".join(src) + "".join(marks), "".join(dst)


_FROM, _TO = _translation_table()


def _like(column, text: str, folded: bool):
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    target = func.portal_fold(column) if folded else func.translate(func.lower(column), _FROM, _TO)
    return target.like(pattern, escape="\\")


def _ensure_function(session) -> bool:
    """portal_fold on the session's own SQLite connection, made before each use. False on other
    databases."""
    raw = session.connection().connection.dbapi_connection
    if not isinstance(raw, sqlite3.Connection):
        return False
    raw.create_function("portal_fold", 1, fold_text, deterministic=True)
    return True


def search_condition(q: str, session):
    """A WHERE clause over Version rows for the queue's search box, or None for an empty query. A query
    with nothing to search for raises UserError (field "q")."""
    groups = parse(q)
    if not groups:
        if q.strip():
            raise UserError(_l("There are no words to search for."), "q")
        return None
    folded = _ensure_function(session)
    ors = []
    for group in groups:
        ands = []
        for negated, text in group:
            file_text = func.substr(DocumentFile.text, 1, SCAN_CHARS)
            found = or_(_like(Version.title, text, folded), _like(Version.summary, text, folded),
                        exists().where(and_(DocumentFile.version_id == Version.id,
                                            _like(file_text, text, folded))))
            ands.append(not_(found) if negated else found)
        ors.append(and_(*ands))
    return or_(*ors)
