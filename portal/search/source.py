"""What the indexes should hold, read from the database (the source of truth) in bulk.

A contribution is in the public index exactly when it is published: its state is published and its
current (published) version is what the index shows, with the files of that version that have been
published. Drafts, submissions, returned and rejected items, withdrawn documents, revisions under
moderation and language versions waiting for the secretariat never reach it.

A Stocktaking entry is in its index exactly when the entry is published and its current version is set
and published: the index shows that version (an update being written or moderated is a later version,
and never reaches it), with the files of that version that the public may download (not waiting for the
virus scan, not infected). Drafts, submitted, returned, rejected and archived entries never reach it.
Inactive entries are in it (with inactive=yes): the search leaves them out unless asked.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from types import SimpleNamespace

from sqlalchemy import func, literal, select
from sqlalchemy.orm import Session

from portal import regions
from portal.models import (
    ActionLine,
    Call,
    CallAnswer,
    Contribution,
    ContributionState,
    DocumentFile,
    Entry,
    EntryCountry,
    EntryFile,
    EntryPartner,
    EntrySdg,
    EntryState,
    EntryVersion,
    Meeting,
    Organisation,
    ScanStatus,
    Version,
)
from portal.models.contribution import version_action_lines
from portal.models.stocktaking import entry_version_action_lines
from portal.search.schema import EntrySource, Source, SourceFile

BATCH = 400


def _utc(d: datetime | None) -> datetime | None:
    if d is None:
        return None
    return d if d.tzinfo else d.replace(tzinfo=timezone.utc)


def published_ids(session: Session) -> list[int]:
    """Every contribution that belongs in the public index."""
    return list(session.scalars(
        select(Contribution.id).join(Version, Version.id == Contribution.current_version_id)
        .where(Contribution.state == ContributionState.PUBLISHED, Contribution.number.is_not(None),
               Version.state == ContributionState.PUBLISHED)
        .order_by(Contribution.id)))


def any_published(session: Session) -> bool:
    return session.scalar(select(Contribution.id).where(
        Contribution.state == ContributionState.PUBLISHED, Contribution.number.is_not(None)).limit(1)) is not None


def load(session: Session, ids: Iterable[int], body_chars: int, *, with_text: bool = True) -> Iterator[Source]:
    """A Source for each id, in batches; ids with no row (deleted) come back as not indexable.
    with_text=False leaves the files' text out (enough for the stamp)."""
    ids = list(dict.fromkeys(ids))
    meetings = {m.id: m for m in session.execute(
        select(Meeting.id, Meeting.code, Meeting.symbol_prefix)).all()}
    for i in range(0, len(ids), BATCH):
        yield from _batch(session, ids[i:i + BATCH], meetings, body_chars, with_text)


def _batch(session: Session, ids: list[int], meetings: dict, body_chars: int,
           with_text: bool) -> Iterator[Source]:
    rows = {r.id: r for r in session.execute(
        select(Contribution.id, Contribution.state, Contribution.number, Contribution.series,
               Contribution.original_language, Contribution.meeting_id, Contribution.organisation_id,
               Contribution.current_version_id, Contribution.first_published_at)
        .where(Contribution.id.in_(ids))).all()}
    version_ids = [r.current_version_id for r in rows.values() if r.current_version_id]
    versions = {v.id: v for v in session.execute(
        select(Version.id, Version.state, Version.title, Version.summary, Version.revision,
               Version.published_at).where(Version.id.in_(version_ids))).all()}
    org_ids = {r.organisation_id for r in rows.values() if r.organisation_id}
    orgs = {o.id: o for o in session.execute(
        select(Organisation.id, Organisation.name, Organisation.stakeholder_type)
        .where(Organisation.id.in_(org_ids))).all()}
    lines: dict[int, list[str]] = defaultdict(list)
    for vid, code in session.execute(
            select(version_action_lines.c.version_id, ActionLine.code)
            .join(ActionLine, ActionLine.id == version_action_lines.c.action_line_id)
            .where(version_action_lines.c.version_id.in_(version_ids)).order_by(ActionLine.number)):
        lines[vid].append(code)
    files: dict[int, list[SourceFile]] = defaultdict(list)
    text = func.substr(DocumentFile.text, 1, body_chars) if with_text else literal("")
    for f in session.execute(
            select(DocumentFile.id, DocumentFile.version_id, DocumentFile.language, text.label("text"))
            .where(DocumentFile.version_id.in_(version_ids), DocumentFile.published_at.is_not(None))
            .order_by(DocumentFile.id)):
        files[f.version_id].append(SourceFile(id=f.id, language=f.language.value, text=f.text or ""))

    for cid in ids:
        r = rows.get(cid)
        v = versions.get(r.current_version_id) if r is not None and r.current_version_id else None
        if (r is None or v is None or r.state != ContributionState.PUBLISHED or r.number is None
                or v.state != ContributionState.PUBLISHED):
            yield Source(id=cid, indexable=False)
            continue
        m = meetings[r.meeting_id]
        org = orgs.get(r.organisation_id)
        shim = SimpleNamespace(number=r.number, series=r.series, original_language=r.original_language,
                               meeting=SimpleNamespace(symbol_prefix=m.symbol_prefix))
        yield Source(
            id=cid, indexable=True,
            symbol=Contribution.symbol(shim, v.revision) or "",
            title=v.title, summary=v.summary or "",
            organisation=org.name if org else "",
            stakeholder_type=org.stakeholder_type.value if org else "",
            meeting=m.code, series=r.series.value, original_language=r.original_language.value,
            version_id=v.id, revision=v.revision,
            published_at=_utc(v.published_at or r.first_published_at),
            action_lines=lines.get(v.id, []), files=files.get(v.id, []), body_chars=body_chars,
        )


# --- Stocktaking entries ------------------------------------------------------------------------------

_PUBLIC_SCANS = (ScanStatus.CLEAN, ScanStatus.UNSCANNED)  # what the public may download (access.py)


def published_entry_ids(session: Session) -> list[int]:
    """Every Stocktaking entry that belongs in its index."""
    return list(session.scalars(
        select(Entry.id).join(EntryVersion, EntryVersion.id == Entry.current_version_id)
        .where(Entry.state == EntryState.PUBLISHED, EntryVersion.state == EntryState.PUBLISHED)
        .order_by(Entry.id)))


def any_published_entry(session: Session) -> bool:
    return session.scalar(select(Entry.id).where(
        Entry.state == EntryState.PUBLISHED, Entry.current_version_id.is_not(None)).limit(1)) is not None


def load_entries(session: Session, ids: Iterable[int], body_chars: int, *,
                 with_text: bool = True) -> Iterator[EntrySource]:
    """An EntrySource for each id, in batches; ids with no row, or not published, come back as not
    indexable. with_text=False leaves the files' text out (enough for the stamp)."""
    ids = list(dict.fromkeys(ids))
    for i in range(0, len(ids), BATCH):
        yield from _entry_batch(session, ids[i:i + BATCH], body_chars, with_text)


def _entry_batch(session: Session, ids: list[int], body_chars: int, with_text: bool) -> Iterator[EntrySource]:
    rows = {r.id: r for r in session.execute(
        select(Entry.id, Entry.state, Entry.organisation_id, Entry.current_version_id, Entry.inactive,
               Entry.first_published_at)
        .where(Entry.id.in_(ids))).all()}
    version_ids = [r.current_version_id for r in rows.values() if r.current_version_id]
    versions = {v.id: v for v in session.execute(
        select(EntryVersion.id, EntryVersion.state, EntryVersion.title, EntryVersion.description,
               EntryVersion.status, EntryVersion.start_date, EntryVersion.end_date,
               EntryVersion.looking_for_partners, EntryVersion.looking_for_funding, EntryVersion.language,
               EntryVersion.is_global, EntryVersion.main_action_line_id, EntryVersion.published_at)
        .where(EntryVersion.id.in_(version_ids))).all()}
    org_ids = {r.organisation_id for r in rows.values()}
    orgs = {o.id: o for o in session.execute(
        select(Organisation.id, Organisation.name, Organisation.stakeholder_type)
        .where(Organisation.id.in_(org_ids))).all()}
    codes = dict(session.execute(select(ActionLine.id, ActionLine.code)).all())
    lines: dict[int, list[str]] = defaultdict(list)
    for vid, code in session.execute(
            select(entry_version_action_lines.c.version_id, ActionLine.code)
            .join(ActionLine, ActionLine.id == entry_version_action_lines.c.action_line_id)
            .where(entry_version_action_lines.c.version_id.in_(version_ids)).order_by(ActionLine.number)):
        lines[vid].append(code)
    sdgs: dict[int, list[int]] = defaultdict(list)
    for vid, goal in session.execute(select(EntrySdg.version_id, EntrySdg.goal)
                                     .where(EntrySdg.version_id.in_(version_ids)).order_by(EntrySdg.goal)):
        sdgs[vid].append(goal)
    countries: dict[int, list[str]] = defaultdict(list)
    for vid, code in session.execute(select(EntryCountry.version_id, EntryCountry.country)
                                     .where(EntryCountry.version_id.in_(version_ids))
                                     .order_by(EntryCountry.country)):
        countries[vid].append(code.upper())
    partners: dict[int, list[str]] = defaultdict(list)
    for vid, name in session.execute(select(EntryPartner.version_id, EntryPartner.name)
                                     .where(EntryPartner.version_id.in_(version_ids)).order_by(EntryPartner.id)):
        partners[vid].append(name)
    updated: dict[int, set[int]] = defaultdict(set)
    for eid, year in session.execute(select(CallAnswer.entry_id, Call.year).join(Call, Call.id == CallAnswer.call_id)
                                     .where(CallAnswer.entry_id.in_(ids))):
        updated[eid].add(year)
    files: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    text = func.substr(EntryFile.text, 1, body_chars) if with_text else literal("")
    for f in session.execute(
            select(EntryFile.id, EntryFile.version_id, func.length(EntryFile.text).label("chars"),
                   text.label("text"))
            .where(EntryFile.version_id.in_(version_ids), EntryFile.scan_status.in_(_PUBLIC_SCANS))
            .order_by(EntryFile.id)):
        files[f.version_id].append((f.id, f.chars or 0, f.text or ""))

    for eid in ids:
        r = rows.get(eid)
        v = versions.get(r.current_version_id) if r is not None and r.current_version_id else None
        if r is None or v is None or r.state != EntryState.PUBLISHED or v.state != EntryState.PUBLISHED:
            yield EntrySource(id=eid, indexable=False)
            continue
        org = orgs.get(r.organisation_id)
        language = v.language.value
        where = [] if v.is_global else countries.get(v.id, [])
        yield EntrySource(
            id=eid, indexable=True, title=v.title, description=v.description or "",
            organisation=org.name if org else "", organisation_id=r.organisation_id,
            stakeholder_type=org.stakeholder_type.value if org else "",
            status=v.status.value, language=language, is_global=v.is_global, countries=where,
            regions=sorted({code for code in map(regions.itu_region, where) if code}),
            action_lines=lines.get(v.id, []), main_action_line=codes.get(v.main_action_line_id),
            sdgs=sdgs.get(v.id, []), partners=partners.get(v.id, []),
            looking_for_partners=v.looking_for_partners, looking_for_funding=v.looking_for_funding,
            start_date=v.start_date, end_date=v.end_date, updated=sorted(updated.get(eid, ())),
            inactive=r.inactive, version_id=v.id, published_at=_utc(v.published_at or r.first_published_at),
            files=[SourceFile(id=fid, language=language, text=t) for fid, _, t in files.get(v.id, [])],
            file_marks=[(fid, n) for fid, n, _ in files.get(v.id, [])], body_chars=body_chars,
        )
