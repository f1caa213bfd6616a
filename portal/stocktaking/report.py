"""The yearly Stocktaking report: what the database holds for a year, as a page, a CSV and a PDF.

The report of year Y counts the entries published by the end of Y that are still published and active
(an inactive entry, not updated in two calls in a row, is left out of the counts). Each entry counts once
in every action line it serves, once in every ITU region of its countries (a global entry in the column
"Global", in no region) and once under its organisation's stakeholder type; the totals count entries,
so a row's cells can add up to more than its total. The list gives each entry once, under its main
action line."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlalchemy import select

from portal import regions
from portal.exports import csv_safe
from portal.extensions import db
from portal.models import (
    ActionLine,
    CallAnswer,
    Entry,
    EntryCountry,
    EntryState,
    EntryVersion,
    Organisation,
    StakeholderType,
)
from portal.models.stocktaking import Call, entry_version_action_lines

GLOBAL = "global"


@dataclass
class Listed:
    id: int
    title: str
    organisation: str
    stakeholder_type: StakeholderType
    countries: list[str]
    is_global: bool
    status: str
    updated: bool  # confirmed or updated for the report's year


@dataclass
class Report:
    year: int
    lines: list[tuple[str, str]]  # (code, title)
    total: int = 0
    updated: int = 0
    inactive: int = 0
    by_region: dict[str, dict[str, int]] = field(default_factory=dict)  # line -> region (or global) -> n
    region_totals: dict[str, int] = field(default_factory=dict)
    by_type: dict[str, dict[StakeholderType, int]] = field(default_factory=dict)
    type_totals: dict[StakeholderType, int] = field(default_factory=dict)
    line_totals: dict[str, int] = field(default_factory=dict)
    listed: dict[str, list[Listed]] = field(default_factory=dict)  # main line -> entries

    @property
    def region_columns(self) -> list[str]:
        return [*regions.ITU_REGIONS, GLOBAL]


def build(year: int) -> Report:
    end = datetime(year + 1, 1, 1, tzinfo=timezone.utc)
    lines = list(db.session.execute(select(ActionLine.code, ActionLine.title).order_by(ActionLine.number)).all())
    report = Report(year=year, lines=[(c, t) for c, t in lines])
    base = (Entry.state == EntryState.PUBLISHED, Entry.first_published_at < end)
    report.inactive = len(db.session.scalars(select(Entry.id).where(*base, Entry.inactive.is_(True))).all())
    rows = db.session.execute(
        select(Entry.id, Entry.current_version_id, EntryVersion.title, EntryVersion.is_global, EntryVersion.status,
               Organisation.name, Organisation.stakeholder_type, ActionLine.code)
        .join(EntryVersion, EntryVersion.id == Entry.current_version_id)
        .join(Organisation, Organisation.id == Entry.organisation_id)
        .join(ActionLine, ActionLine.id == EntryVersion.main_action_line_id)
        .where(*base, Entry.inactive.is_(False))
        .order_by(EntryVersion.title, Entry.id)).all()
    version_ids = [r.current_version_id for r in rows]
    lines_of: dict[int, list[str]] = defaultdict(list)
    countries_of: dict[int, list[str]] = defaultdict(list)
    for i in range(0, len(version_ids), 900):
        chunk = version_ids[i:i + 900]
        for vid, code in db.session.execute(
                select(entry_version_action_lines.c.version_id, ActionLine.code)
                .join(ActionLine, ActionLine.id == entry_version_action_lines.c.action_line_id)
                .where(entry_version_action_lines.c.version_id.in_(chunk))):
            lines_of[vid].append(code)
        for vid, country in db.session.execute(
                select(EntryCountry.version_id, EntryCountry.country).where(EntryCountry.version_id.in_(chunk))
                .order_by(EntryCountry.country)):
            countries_of[vid].append(country)
    call_id = db.session.scalar(select(Call.id).where(Call.year == year))
    answered = set(db.session.scalars(select(CallAnswer.entry_id).where(CallAnswer.call_id == call_id))) \
        if call_id is not None else set()

    codes = [c for c, _ in report.lines]
    report.by_region = {c: dict.fromkeys(report.region_columns, 0) for c in codes}
    report.region_totals = dict.fromkeys(report.region_columns, 0)
    report.by_type = {c: dict.fromkeys(StakeholderType, 0) for c in codes}
    report.type_totals = dict.fromkeys(StakeholderType, 0)
    report.line_totals = dict.fromkeys(codes, 0)
    report.listed = {c: [] for c in codes}
    for r in rows:
        countries = countries_of[r.current_version_id]
        where = {GLOBAL} if r.is_global else {regions.itu_region(c) for c in countries} - {None}
        report.total += 1
        report.updated += r.id in answered
        for region in where:
            report.region_totals[region] += 1
        report.type_totals[r.stakeholder_type] += 1
        for code in set(lines_of[r.current_version_id]):
            report.line_totals[code] += 1
            report.by_type[code][r.stakeholder_type] += 1
            for region in where:
                report.by_region[code][region] += 1
        report.listed[r.code].append(Listed(r.id, r.title, r.name, r.stakeholder_type, countries, r.is_global,
                                            r.status.value, r.id in answered))
    return report


def to_csv(report: Report, *, region_names: dict[str, str], type_names: dict, line_title) -> bytes:
    """Three tables one after the other, each with its heading row; UTF-8 with a byte order mark
    (spreadsheets then read the accents)."""
    out = io.StringIO()
    w = csv.writer(out)
    cols = report.region_columns
    w.writerow([f"WSIS Stocktaking {report.year}", f"entries: {report.total}", f"updated for {report.year}: "
                f"{report.updated}", f"inactive, not counted: {report.inactive}"])
    w.writerow([])
    w.writerow(["Action line", "Title", *[region_names[c] for c in cols], "Entries"])
    for code, title in report.lines:
        w.writerow([code, line_title(title, code), *[report.by_region[code][c] for c in cols], report.line_totals[code]])
    w.writerow(["Total", "", *[report.region_totals[c] for c in cols], report.total])
    w.writerow([])
    types = list(StakeholderType)
    w.writerow(["Action line", "Title", *[type_names[t] for t in types], "Entries"])
    for code, title in report.lines:
        w.writerow([code, line_title(title, code), *[report.by_type[code][t] for t in types], report.line_totals[code]])
    w.writerow(["Total", "", *[report.type_totals[t] for t in types], report.total])
    w.writerow([])
    w.writerow(["Main action line", "Entry", "Title", "Organisation", "Stakeholder type", "Countries", "Status",
                f"Updated for {report.year}"])
    for code, _title in report.lines:
        for e in report.listed[code]:
            w.writerow(csv_safe([code, e.id, e.title, e.organisation, type_names[e.stakeholder_type],
                                 "global" if e.is_global else " ".join(e.countries), e.status,
                                 "yes" if e.updated else "no"]))
    return ("\ufeff" + out.getvalue()).encode("utf-8")
