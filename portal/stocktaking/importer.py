"""`flask --app app import-stocktaking FILE.csv`: the secretariat's existing Stocktaking records.

UTF-8 (a byte order mark is allowed), one header row with at least COLUMNS. Every row is checked first;
with a bad row nothing is loaded, and each problem is reported with its line and column. Rows are
loaded published, owned by the organisation of that name (created unverified when there is none), in
one transaction. A row whose external_id was imported before updates that entry (a new published
version; the previous one stays in the history) instead of adding a second one. Importing sends no
mail."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

import pycountry
from sqlalchemy import select

from portal.errors import UserError
from portal.extensions import db
from portal.models import (
    ActionLine,
    ActivityStatus,
    Entry,
    EntryEvent,
    EntryState,
    EntryVersion,
    Language,
    Organisation,
    StakeholderType,
)
from portal.search import enqueue_entry
from portal.stocktaking import services
from portal.stocktaking.forms import is_web_address

COLUMNS = ("external_id", "title", "description", "organisation", "stakeholder_type", "organisation_country",
           "action_lines", "main_action_line", "sdgs", "countries", "status", "start_date", "end_date", "website")
OPTIONAL = ("language", "looking_for_partners", "looking_for_funding", "contact_role")
MAX_ROWS = 200_000

STAKEHOLDER_NAMES = {
    "government": StakeholderType.GOVERNMENT, "international organisation": StakeholderType.INTERNATIONAL_ORGANISATION,
    "international organization": StakeholderType.INTERNATIONAL_ORGANISATION,
    "private sector": StakeholderType.PRIVATE_SECTOR, "civil society": StakeholderType.CIVIL_SOCIETY,
    "academia": StakeholderType.ACADEMIA, "technical community": StakeholderType.TECHNICAL_COMMUNITY,
}
STATUS_NAMES = {"planned": ActivityStatus.PLANNED, "ongoing": ActivityStatus.ONGOING,
                "completed": ActivityStatus.COMPLETED}
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0", ""}


@dataclass
class Problem:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, {self.column}: {self.message}"


@dataclass
class Row:
    line: int
    external_id: str
    organisation: str
    stakeholder_type: StakeholderType
    organisation_country: str | None
    data: services.EntryData


@dataclass
class Outcome:
    rows: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    organisations_created: int = 0


def _choice(value: str, names: dict, enum_cls):
    v = " ".join(value.replace("_", " ").split()).casefold()
    if v in names:
        return names[v]
    try:
        return enum_cls(value.strip().lower())
    except ValueError:
        return None


def _date(value: str) -> date | None:
    value = value.strip()
    if not value:
        return None
    d = date.fromisoformat(value)
    if not 1970 <= d.year <= 2100:
        raise ValueError(value)
    return d


def _split(value: str) -> list[str]:
    return [p.strip() for p in value.replace(",", ";").split(";") if p.strip()]


def read(text: str, line_codes: set[str]) -> Outcome:
    """Check every row; the rows that pass and every problem found."""
    out = Outcome()
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        out.problems.append(Problem(1, "header", "missing column(s): " + ", ".join(missing)))
        return out
    reader.fieldnames = header
    seen: dict[str, int] = {}
    line = 1
    for raw in reader:
        line = reader.line_num
        if len(out.rows) + len(out.problems) > MAX_ROWS:
            out.problems.append(Problem(line, "file", f"more than {MAX_ROWS} rows"))
            break
        if None in raw:
            out.problems.append(Problem(line, "row", "more cells than columns in the header"))
            continue
        row = {k: (v or "").strip() for k, v in raw.items()}
        if not any(row.values()):
            continue
        problems = len(out.problems)

        def bad(column: str, message: str) -> None:
            out.problems.append(Problem(line, column, message))  # noqa: B023 - used at once, in this iteration

        ext = row["external_id"]
        if not ext:
            bad("external_id", "empty")
        elif len(ext) > 100:
            bad("external_id", "longer than 100 characters")
        elif ext in seen:
            bad("external_id", f"the same as on line {seen[ext]}")
        else:
            seen[ext] = line
        for column, limit in (("title", 300), ("organisation", 200)):
            if not row[column]:
                bad(column, "empty")
            elif len(row[column]) > limit:
                bad(column, f"longer than {limit} characters")
        stype = _choice(row["stakeholder_type"], STAKEHOLDER_NAMES, StakeholderType)
        if stype is None:
            bad("stakeholder_type", f"unknown stakeholder type {row['stakeholder_type']!r}")
        org_country = row["organisation_country"].upper() or None
        if org_country and pycountry.countries.get(alpha_2=org_country) is None:
            bad("organisation_country", f"unknown ISO 3166 country code {org_country!r}")
        lines = [c.upper() for c in _split(row["action_lines"])]
        if not lines:
            bad("action_lines", "at least one action line (C1-C11)")
        unknown = [c for c in lines if c not in line_codes]
        if unknown:
            bad("action_lines", "unknown action line " + ", ".join(unknown))
        main = row["main_action_line"].upper() or (lines[0] if lines else "")
        if lines and main not in lines:
            bad("main_action_line", f"{main} is not one of the action lines")
        sdgs: list[int] = []
        for s in _split(row["sdgs"]):
            if not s.isdigit() or not 1 <= int(s) <= 17:
                bad("sdgs", f"unknown SDG {s!r} (1-17)")
            else:
                sdgs.append(int(s))
        places = [c.upper() for c in _split(row["countries"])]
        is_global = places == ["GLOBAL"]
        if not places:
            bad("countries", "ISO 3166 codes, or global")
        elif not is_global:
            wrong = [c for c in places if c == "GLOBAL" or pycountry.countries.get(alpha_2=c) is None]
            if wrong:
                bad("countries", "unknown ISO 3166 country code " + ", ".join(wrong) +
                    (" (global cannot be combined with countries)" if "GLOBAL" in wrong else ""))
        status = _choice(row["status"], STATUS_NAMES, ActivityStatus)
        if status is None:
            bad("status", f"unknown status {row['status']!r} (planned, ongoing, completed)")
        dates = {}
        for column in ("start_date", "end_date"):
            try:
                dates[column] = _date(row[column])
            except ValueError:
                bad(column, f"not an ISO 8601 date (YYYY-MM-DD): {row[column]!r}")
                dates[column] = None
        if dates["start_date"] and dates["end_date"] and dates["end_date"] < dates["start_date"]:
            bad("end_date", "before the start date")
        sites = row["website"].split()
        for site in sites:
            if not is_web_address(site):
                bad("website", f"not an http(s) address: {site[:80]!r}")
        flags = {}
        for column in ("looking_for_partners", "looking_for_funding"):
            value = (row.get(column) or "").lower()
            if value not in YES | NO:
                bad(column, "yes or no")
            flags[column] = value in YES
        language = (row.get("language") or "en").lower()
        if language not in {lang.value for lang in Language}:
            bad("language", f"unknown language {language!r} (ar, zh, en, fr, ru, es, other)")
            language = "en"
        if len(out.problems) > problems:
            continue
        data = services.EntryData(
            title=row["title"], description=row["description"], action_lines=lines, main_action_line=main,
            status=status, language=Language(language), sdgs=sdgs, countries=[] if is_global else places,
            is_global=is_global, start_date=dates["start_date"], end_date=dates["end_date"], websites=sites,
            contact_role=(row.get("contact_role") or "")[:200], **flags)
        if data.status == ActivityStatus.COMPLETED and data.end_date is None:
            bad("end_date", "a completed activity needs its end date")
            continue
        out.rows.append(Row(line, ext, row["organisation"], stype, org_country, data))
    return out


def apply(out: Outcome, *, at: datetime | None = None) -> Outcome:
    """Load the checked rows into the current transaction (the caller commits once). Raises UserError
    naming the line of a row the services refuse; nothing is then kept."""
    at = at or datetime.now(timezone.utc)
    lines = {al.code: al for al in db.session.scalars(select(ActionLine))}
    keys = {Organisation.key_for(r.organisation) for r in out.rows}
    orgs: dict[str, Organisation] = {}
    key_list = list(keys)
    for i in range(0, len(key_list), 500):
        orgs.update({o.name_key: o for o in db.session.scalars(
            select(Organisation).where(Organisation.name_key.in_(key_list[i:i + 500])))})
    ext_ids = [r.external_id for r in out.rows]
    existing: dict[str, Entry] = {}
    for i in range(0, len(ext_ids), 500):
        existing.update({e.external_id: e for e in db.session.scalars(
            select(Entry).where(Entry.external_id.in_(ext_ids[i:i + 500])))})
    loaded: list[Entry] = []
    for r in out.rows:
        key = Organisation.key_for(r.organisation)
        org = orgs.get(key)
        if org is None:
            org = orgs[key] = Organisation(name=" ".join(r.organisation.split()), name_key=key,
                                           country=r.organisation_country, stakeholder_type=r.stakeholder_type)
            db.session.add(org)
            out.organisations_created += 1
        entry = existing.get(r.external_id)
        v = EntryVersion(state=EntryState.PUBLISHED, published_at=at, submitted_at=at)
        try:
            services.fill_version(v, r.data, lines)
        except UserError as exc:
            raise UserError(f"line {r.line}, {exc.field or 'row'}: {exc.message}") from None
        if entry is None:
            entry = Entry(organisation=org, external_id=r.external_id, state=EntryState.PUBLISHED,
                          first_published_at=at, reviewed_at=at)
            db.session.add(entry)
            out.created += 1
        else:
            if entry.current_version is not None:
                entry.current_version.state = EntryState.ARCHIVED
            entry.organisation = org
            entry.state = EntryState.PUBLISHED
            entry.reviewed_at = at
            entry.inactive = False
            out.updated += 1
        v.entry = entry
        entry.current_version = v
        db.session.add(EntryEvent(entry=entry, action="published", to_state=EntryState.PUBLISHED.value,
                                  comment=f"import, {r.external_id}", at=at))
        loaded.append(entry)
    db.session.flush()
    for entry in loaded:
        enqueue_entry(entry.id)
    return out
