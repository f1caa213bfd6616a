"""What the public sees: published documents (and withdrawn ones, listed as withdrawn).
Counts count published documents only."""

from __future__ import annotations

from collections import OrderedDict

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.models import (
    ActionLine,
    Contribution,
    ContributionState,
    Meeting,
    Organisation,
    Series,
    Version,
)
from portal.models.contribution import contribution_cosponsors, version_action_lines

S = ContributionState

LISTED = Contribution.first_published_at.is_not(None) & Contribution.state.in_([S.PUBLISHED, S.WITHDRAWN])
PUBLISHED = Contribution.state == S.PUBLISHED


def _load():
    return (
        selectinload(Contribution.current_version).selectinload(Version.action_lines),
        selectinload(Contribution.current_version).selectinload(Version.files),
        selectinload(Contribution.organisation),
        selectinload(Contribution.meeting),
        selectinload(Contribution.cosponsors),
    )


def meeting_documents(meeting: Meeting) -> list[Contribution]:
    """Every listed document of a meeting, in symbol order (series, number)."""
    return list(db.session.scalars(
        select(Contribution).where(Contribution.meeting_id == meeting.id, LISTED)
        .options(*_load()).order_by(Contribution.series, Contribution.number)))


def group_by_action_line(items: list[Contribution], lines: list[ActionLine]) -> list[tuple[ActionLine, list]]:
    """A document appears under each of its action lines."""
    groups: OrderedDict[int, list] = OrderedDict((al.id, []) for al in lines)
    for c in items:
        for al in c.current_version.action_lines:
            groups.setdefault(al.id, []).append(c)
    by_id = {al.id: al for al in lines}
    return [(by_id[i], docs) for i, docs in groups.items() if docs and i in by_id]


def action_line_documents(line: ActionLine) -> list[tuple[Meeting, list[Contribution]]]:
    items = list(db.session.scalars(
        select(Contribution).join(Version, Contribution.current_version_id == Version.id)
        .join(version_action_lines, version_action_lines.c.version_id == Version.id)
        .where(version_action_lines.c.action_line_id == line.id, LISTED)
        .options(*_load())
        .join(Meeting, Contribution.meeting_id == Meeting.id)
        .order_by(Meeting.start_date.desc(), Contribution.series, Contribution.number)))
    groups: OrderedDict[int, tuple[Meeting, list]] = OrderedDict()
    for c in items:
        groups.setdefault(c.meeting_id, (c.meeting, []))[1].append(c)
    return list(groups.values())


def organisation_documents(org: Organisation) -> tuple[list[Contribution], list[Contribution]]:
    """(its own documents, documents it co-sponsors)."""
    own = list(db.session.scalars(
        select(Contribution).where(Contribution.organisation_id == org.id, LISTED)
        .options(*_load()).order_by(Contribution.first_published_at.desc())))
    cosponsored = list(db.session.scalars(
        select(Contribution).join(contribution_cosponsors,
                                  contribution_cosponsors.c.contribution_id == Contribution.id)
        .where(contribution_cosponsors.c.organisation_id == org.id, LISTED)
        .options(*_load()).order_by(Contribution.first_published_at.desc())))
    return own, cosponsored


def count_published(*, meeting: Meeting | None = None, line: ActionLine | None = None,
                    org: Organisation | None = None) -> int:
    stmt = select(func.count(func.distinct(Contribution.id))).where(PUBLISHED)
    if meeting is not None:
        stmt = stmt.where(Contribution.meeting_id == meeting.id)
    if line is not None:
        stmt = stmt.join(version_action_lines,
                         version_action_lines.c.version_id == Contribution.current_version_id
                         ).where(version_action_lines.c.action_line_id == line.id)
    if org is not None:
        stmt = stmt.outerjoin(contribution_cosponsors,
                              contribution_cosponsors.c.contribution_id == Contribution.id).where(
            or_(Contribution.organisation_id == org.id, contribution_cosponsors.c.organisation_id == org.id))
    return db.session.scalar(stmt) or 0


def counts_by_meeting() -> dict[int, int]:
    rows = db.session.execute(select(Contribution.meeting_id, func.count(Contribution.id))
                              .where(PUBLISHED).group_by(Contribution.meeting_id))
    return {mid: n for mid, n in rows}


def counts_by_action_line() -> dict[int, int]:
    rows = db.session.execute(
        select(version_action_lines.c.action_line_id, func.count(Contribution.id))
        .join(Contribution, Contribution.current_version_id == version_action_lines.c.version_id)
        .where(PUBLISHED).group_by(version_action_lines.c.action_line_id))
    return {lid: n for lid, n in rows}


def recent(limit: int = 8) -> list[Contribution]:
    return list(db.session.scalars(
        select(Contribution).where(PUBLISHED, Contribution.series == Series.CONTR)
        .options(*_load()).order_by(Contribution.first_published_at.desc()).limit(limit)))
