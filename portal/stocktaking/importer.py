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
from sqlalchemy import insert, select, update

from portal.errors import UserError
from portal.extensions import db
from portal.models import (
    ActionLine,
    ActivityStatus,
    Entry,
    EntryCountry,
    EntryEvent,
    EntrySdg,
    EntryState,
    EntryVersion,
    Language,
    Organisation,
    StakeholderType,
)
from portal.models.stocktaking import entry_version_action_lines
from portal.search import enqueue_entries
from portal.stocktaking import services
from portal.stocktaking.forms import is_web_address

COLUMNS = ("external_id", "title", "description", "organisation", "stakeholder_type", "organisation_country",
           "action_lines", "main_action_line", "sdgs", "countries", "status", "start_date", "end_date", "website")
OPTIONAL = ("language", "looking_for_partners", "looking_for_funding", "contact_role")
MAX_ROWS = 200_000
CHUNK = 1_000  # new entries written per bulk statement
# From this many rows loaded, import-stocktaking rebuilds the entries' index rather than draining a job per
# row into the live index (small segments, slower searches until a reindex; benchmarks/RESULTS.md).
REINDEX_FROM = 2_000

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
    naming the line of a row the services refuse; nothing is then kept. New entries are written with
    bulk statements (an ORM object per row made the import slower than a thousand rows a second);
    entries imported before are updated through the models, with their history."""
    at = at or datetime.now(timezone.utc)
    lines = {al.code: al for al in db.session.scalars(select(ActionLine))}
    for r in out.rows:
        try:
            services.check(r.data)
        except UserError as exc:
            raise UserError(f"line {r.line}, {exc.field or 'row'}: {exc.message}") from None
    orgs = _organisations(out)
    existing = _existing([r.external_id for r in out.rows])
    new = [r for r in out.rows if r.external_id not in existing]
    ids: list[int] = []
    for i in range(0, len(new), CHUNK):  # one RETURNING statement per chunk: SQLAlchemy splices the returned
        ids += _insert_new(new[i:i + CHUNK], orgs, lines, at)  # rows of one call again for each batch of it
    out.created = len(new)
    for r in out.rows:
        entry = existing.get(r.external_id)
        if entry is None:
            continue
        if entry.current_version is not None:
            entry.current_version.state = EntryState.ARCHIVED
        v = EntryVersion(state=EntryState.PUBLISHED, published_at=at, submitted_at=at, entry=entry)
        services.fill_version(v, r.data, lines)
        entry.organisation = orgs[Organisation.key_for(r.organisation)]
        entry.state = EntryState.PUBLISHED
        entry.reviewed_at = at
        entry.inactive = False
        entry.current_version = v
        db.session.add(EntryEvent(entry=entry, action="published", to_state=EntryState.PUBLISHED.value,
                                  comment=f"import, {r.external_id}", at=at))
        ids.append(entry.id)
        out.updated += 1
    db.session.flush()
    enqueue_entries(ids)
    return out


def _organisations(out: Outcome) -> dict[str, Organisation]:
    """The owners by name key; those missing are created, unverified."""
    keys = list({Organisation.key_for(r.organisation) for r in out.rows})
    orgs: dict[str, Organisation] = {}
    for i in range(0, len(keys), 500):
        orgs.update({o.name_key: o for o in db.session.scalars(
            select(Organisation).where(Organisation.name_key.in_(keys[i:i + 500])))})
    for r in out.rows:
        key = Organisation.key_for(r.organisation)
        if key not in orgs:
            orgs[key] = Organisation(name=" ".join(r.organisation.split()), name_key=key,
                                     country=r.organisation_country, stakeholder_type=r.stakeholder_type)
            db.session.add(orgs[key])
            out.organisations_created += 1
    db.session.flush()
    return orgs


def _existing(ext_ids: list[str]) -> dict[str, Entry]:
    found: dict[str, Entry] = {}
    for i in range(0, len(ext_ids), 500):
        found.update({e.external_id: e for e in db.session.scalars(
            select(Entry).where(Entry.external_id.in_(ext_ids[i:i + 500])))})
    return found


def _insert_new(rows: list[Row], orgs: dict[str, Organisation], lines: dict[str, ActionLine],
                at: datetime) -> list[int]:
    if not rows:
        return []
    entry_ids = list(db.session.scalars(insert(Entry).returning(Entry.id, sort_by_parameter_order=True), [
        {"organisation_id": orgs[Organisation.key_for(r.organisation)].id, "external_id": r.external_id,
         "state": EntryState.PUBLISHED, "first_published_at": at, "reviewed_at": at, "created_at": at,
         "updated_at": at, "inactive": False} for r in rows]))
    version_ids = list(db.session.scalars(
        insert(EntryVersion).returning(EntryVersion.id, sort_by_parameter_order=True), [
            {"entry_id": eid, "state": EntryState.PUBLISHED, "title": r.data.title.strip(),
             "description": r.data.description.strip(), "status": r.data.status, "start_date": r.data.start_date,
             "end_date": r.data.end_date, "websites": "\n".join(r.data.websites),
             "contact_role": r.data.contact_role.strip(), "looking_for_partners": r.data.looking_for_partners,
             "looking_for_funding": r.data.looking_for_funding, "language": r.data.language,
             "is_global": r.data.is_global, "main_action_line_id": lines[r.data.main_action_line].id,
             "image_alt": "", "published_at": at, "submitted_at": at, "created_at": at, "updated_at": at,
             "lock_version": 0} for eid, r in zip(entry_ids, rows, strict=True)]))
    db.session.execute(update(Entry), [{"id": eid, "current_version_id": vid}
                                       for eid, vid in zip(entry_ids, version_ids, strict=True)])
    pairs = list(zip(version_ids, rows, strict=True))
    _many(insert(entry_version_action_lines), [{"version_id": vid, "action_line_id": lines[c].id}
                                               for vid, r in pairs for c in dict.fromkeys(r.data.action_lines)])
    _many(insert(EntrySdg), [{"version_id": vid, "goal": g} for vid, r in pairs for g in sorted(set(r.data.sdgs))])
    _many(insert(EntryCountry), [{"version_id": vid, "country": c} for vid, r in pairs
                                 for c in sorted(set(r.data.countries))])
    _many(insert(EntryEvent), [{"entry_id": eid, "version_id": vid, "at": at, "action": "published",
                                "to_state": EntryState.PUBLISHED.value, "comment": f"import, {r.external_id}"}
                               for eid, (vid, r) in zip(entry_ids, pairs, strict=True)])
    return entry_ids


def _many(statement, rows: list[dict]) -> None:
    if rows:
        db.session.execute(statement, rows)
