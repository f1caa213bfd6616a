"""The WSIS Stocktaking: activities described by organisations, moderated by the secretariat, reviewed
every year. Services change objects and flush; the view commits once; mail and the index follow the
commit.

An entry's states: draft → submitted → published, or returned (with a comment; changed and submitted
again) or rejected. An update to a published entry is a new version, moderated the same way while the
published one stays visible; each publication archives the version it replaces (the history). The
owner or the secretariat may archive an entry (no longer listed); an update brings it back.

A yearly call asks the owners of published entries to confirm or update them by a deadline. An entry
confirmed, or updated and published, while a call is open is "updated for" its year. When a call's
deadline has passed, `close_due_calls` marks inactive every entry that answered neither it nor the call
before (it had to exist for both); an answer, or any later update, makes it active again."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select

from portal import audit, regions
from portal.auth import throttle
from portal.errors import UserError
from portal.extensions import db
from portal.models import (
    ActionLine,
    ActivityStatus,
    Call,
    CallAnswer,
    ContactMessage,
    Entry,
    EntryCountry,
    EntryEvent,
    EntryFile,
    EntryPartner,
    EntrySdg,
    EntryState,
    EntryVersion,
    ExtractionStatus,
    Language,
    Organisation,
    PartnerRole,
    ScanStatus,
    User,
)
from portal.notify import send_to_user
from portal.search import enqueue_entry
from portal.stocktaking.images import StoredImage
from portal.uploads import Upload

S = EntryState
EDITABLE = (S.DRAFT, S.RETURNED)  # versions the owner may change
PUBLIC = (S.PUBLISHED,)
MAX_FILES = 5
MAX_PARTNERS = 20


def now() -> datetime:
    return datetime.now(timezone.utc)


# Who may do what ------------------------------------------------------------------------------------

def owner_organisation(user) -> Organisation | None:
    """The verified organisation a confirmed, active member describes activities for."""
    if not (user and user.is_authenticated and user.active and user.is_confirmed):
        return None
    org = user.organisation
    return org if org is not None and org.is_verified else None


def is_owner(user, entry: Entry) -> bool:
    org = owner_organisation(user)
    return org is not None and org.id == entry.organisation_id


def is_public(entry: Entry) -> bool:
    return entry.state == S.PUBLISHED and entry.current_version_id is not None


# What is typed -----------------------------------------------------------------------------------------

@dataclass
class PartnerData:
    name: str
    role: PartnerRole
    organisation_id: int | None = None


@dataclass
class EntryData:
    title: str
    description: str
    action_lines: list[str]
    main_action_line: str
    status: ActivityStatus
    language: Language
    sdgs: list[int] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    is_global: bool = False
    start_date: date | None = None
    end_date: date | None = None
    websites: list[str] = field(default_factory=list)
    contact_role: str = ""
    looking_for_partners: bool = False
    looking_for_funding: bool = False
    funding_amount: int | None = None
    funding_currency: str | None = None
    partners: list[PartnerData] = field(default_factory=list)
    image_alt: str = ""


def check(data: EntryData) -> None:
    """What a service checks whoever calls it (the form, the import)."""
    if not data.title.strip():
        raise UserError(_l("Enter the title."), "title")
    if not data.action_lines:
        raise UserError(_l("Choose at least one action line."), "action_lines")
    if data.main_action_line not in data.action_lines:
        raise UserError(_l("The main action line must be one of the action lines chosen."), "main_action_line")
    if any(not 1 <= g <= 17 for g in data.sdgs):
        raise UserError(_l("The Sustainable Development Goals are numbered 1 to 17."), "sdgs")
    if not data.countries and not data.is_global:
        raise UserError(_l("Choose the countries where the activity takes place, or Global."), "countries")
    if data.is_global and data.countries:
        raise UserError(_l("A global activity names no countries: choose Global or countries, not both."),
                        "countries")
    if data.start_date and data.end_date and data.end_date < data.start_date:
        raise UserError(_l("The end date is before the start date."), "end_date")
    if data.status == ActivityStatus.COMPLETED and data.end_date is None:
        raise UserError(_l("A completed activity needs its end date."), "end_date")
    if data.funding_amount is not None and not data.looking_for_funding:
        raise UserError(_l("Tick Looking for funding to give an amount."), "funding_amount")
    if data.funding_amount is not None and not data.funding_currency:
        raise UserError(_l("Choose the currency of the amount."), "funding_currency")
    if len(data.partners) > MAX_PARTNERS:
        raise UserError(_l("At most %(n)d partners.", n=MAX_PARTNERS), "partners")


def _lines(codes: list[str]) -> dict[str, ActionLine]:
    found = {al.code: al for al in db.session.scalars(select(ActionLine).where(ActionLine.code.in_(codes)))}
    if len(found) != len(set(codes)):
        raise UserError(_l("Choose action lines from the list."), "action_lines")
    return found


def fill_version(v: EntryVersion, data: EntryData, lines: dict[str, ActionLine] | None = None) -> None:
    """Put what was typed (or imported) into a version; lines: the action lines by code, when the caller
    has them already."""
    check(data)
    lines = lines if lines is not None else _lines(data.action_lines)
    v.title = data.title.strip()
    v.description = data.description.strip()
    v.status = data.status
    v.language = data.language
    v.start_date, v.end_date = data.start_date, data.end_date
    v.websites = "\n".join(data.websites)
    v.contact_role = data.contact_role.strip()
    v.looking_for_partners = data.looking_for_partners
    v.looking_for_funding = data.looking_for_funding
    v.funding_amount = data.funding_amount if data.looking_for_funding else None
    v.funding_currency = data.funding_currency if data.funding_amount is not None else None
    v.is_global = data.is_global
    v.image_alt = data.image_alt.strip()
    v.action_lines = sorted(lines.values(), key=lambda al: al.number)
    v.main_action_line = lines[data.main_action_line]
    v.sdg_rows = [EntrySdg(goal=g) for g in sorted(set(data.sdgs))]
    v.country_rows = [EntryCountry(country=c.upper()) for c in sorted(set(data.countries))]
    v.partners = [EntryPartner(organisation_id=p.organisation_id, name=p.name.strip()[:200], role=p.role)
                  for p in data.partners]


def _event(entry: Entry, action: str, by: User | None, *, version: EntryVersion | None = None,
           from_state: EntryState | None = None, to_state: EntryState | None = None,
           comment: str | None = None) -> None:
    db.session.add(EntryEvent(entry=entry, version_id=version.id if version is not None else None,
                              actor_id=by.id if by is not None else None, action=action,
                              from_state=from_state.value if from_state else None,
                              to_state=to_state.value if to_state else None, comment=comment))
    audit.record(f"stocktaking.{action}", actor=by, target=entry,
                 detail={"version": version.id if version is not None else None,
                         "to": to_state.value if to_state else None})


def _attach(v: EntryVersion, uploads: list[Upload], by: User | None) -> None:
    if len(v.files) + len(uploads) > MAX_FILES:
        raise UserError(_l("At most %(n)d files per activity.", n=MAX_FILES), "files")
    for up in uploads:
        v.files.append(EntryFile(
            storage_key=up.stored.key, sha256=up.stored.sha256, size=up.stored.size, filename=up.filename,
            kind=up.inspection.kind.value, mimetype=up.inspection.mimetype,
            text=up.extraction.text if up.extraction.ok else None,
            extraction_status=ExtractionStatus.OK if up.extraction.ok else ExtractionStatus.FAILED,
            pages=up.extraction.pages, scan_status=up.scan,
            scanned_at=now() if up.scan == ScanStatus.CLEAN else None,
            uploaded_by_id=by.id if by is not None else None))


def _set_image(v: EntryVersion, image: StoredImage | None, remove: bool) -> str | None:
    """The key of an image no version uses any more once this change commits, or None."""
    old = v.image_key
    if image is not None:
        v.image_key, v.image_sha256, v.image_type = image.key, image.sha256, image.kind
        v.image_width, v.image_height = image.width, image.height
    elif remove:
        v.image_key = v.image_sha256 = v.image_type = v.image_width = v.image_height = None
    else:
        return None
    return old


# The owner's entry -------------------------------------------------------------------------------------

def create(org: Organisation, by: User | None, data: EntryData, *, submit: bool,
           uploads: list[Upload] = (), image: StoredImage | None = None) -> Entry:
    entry = Entry(organisation=org, created_by_id=by.id if by is not None else None, state=S.DRAFT)
    v = EntryVersion(entry=entry, state=S.DRAFT, created_by_id=by.id if by is not None else None)
    fill_version(v, data)
    _attach(v, list(uploads), by)
    _set_image(v, image, False)
    db.session.add(entry)
    db.session.flush()
    _event(entry, "created", by, version=v, to_state=S.DRAFT)
    if submit:
        submit_entry(entry, by)
    return entry


def editable_version(entry: Entry, by: User | None) -> EntryVersion:
    """The version the owner changes: the draft or returned one, or a new one made from the published
    version (an update). A version with the secretariat cannot be changed."""
    pending = entry.pending_version
    if pending is not None:
        if pending.state == S.SUBMITTED:
            raise UserError(_l("This activity is with the secretariat; it can be changed once they have decided."))
        return pending
    base = entry.current_version or entry.latest_version
    if base is None or entry.state == S.REJECTED and entry.current_version is None:
        raise UserError(_l("This activity was refused and cannot be changed."))
    with db.session.no_autoflush:
        return _copy(entry, base, by)


def _copy(entry: Entry, base: EntryVersion, by: User | None) -> EntryVersion:
    v = EntryVersion(
        entry=entry, state=S.DRAFT, created_by_id=by.id if by is not None else None, title=base.title,
        description=base.description, status=base.status, start_date=base.start_date, end_date=base.end_date,
        websites=base.websites, contact_role=base.contact_role, looking_for_partners=base.looking_for_partners,
        looking_for_funding=base.looking_for_funding, funding_amount=base.funding_amount,
        funding_currency=base.funding_currency, language=base.language, is_global=base.is_global,
        main_action_line=base.main_action_line, image_key=base.image_key, image_sha256=base.image_sha256,
        image_type=base.image_type,
        image_width=base.image_width, image_height=base.image_height, image_alt=base.image_alt)
    v.action_lines = list(base.action_lines)
    v.sdg_rows = [EntrySdg(goal=g) for g in base.sdgs]
    v.country_rows = [EntryCountry(country=c) for c in base.countries]
    v.partners = [EntryPartner(organisation_id=p.organisation_id, name=p.name, role=p.role) for p in base.partners]
    v.files = [EntryFile(storage_key=f.storage_key, sha256=f.sha256, size=f.size, filename=f.filename, kind=f.kind,
                         mimetype=f.mimetype, text=f.text, extraction_status=f.extraction_status, pages=f.pages,
                         scan_status=f.scan_status, uploaded_by_id=f.uploaded_by_id, uploaded_at=f.uploaded_at)
               for f in base.files]
    db.session.add(v)
    return v


def update(entry: Entry, by: User | None, data: EntryData, *, submit: bool, uploads: list[Upload] = (),
           image: StoredImage | None = None, remove_image: bool = False,
           remove_files: list[int] = ()) -> list[str]:
    """Change the entry's draft (or start an update of the published entry). Returns the stored keys
    that nothing uses any more, for deletion after the commit."""
    if entry.state == S.REJECTED:
        raise UserError(_l("This activity was refused and cannot be changed."))
    v = editable_version(entry, by)
    v.lock_version = (v.lock_version or 0) + 1
    fill_version(v, data)
    gone = [f for f in v.files if f.id is not None and f.id in set(remove_files)]
    for f in gone:
        v.files.remove(f)
    _attach(v, list(uploads), by)
    old_image = _set_image(v, image, remove_image)
    db.session.flush()
    _event(entry, "changed", by, version=v, to_state=v.state)
    if submit:
        submit_entry(entry, by)
    unused = [f.storage_key for f in gone]
    if old_image:
        unused.append(old_image)
    return [k for k in unused if not key_in_use(k)]


def key_in_use(key: str) -> bool:
    """Whether any version still refers to these stored bytes (versions share them)."""
    return db.session.scalar(select(EntryFile.id).where(EntryFile.storage_key == key).limit(1)) is not None or \
        db.session.scalar(select(EntryVersion.id).where(EntryVersion.image_key == key).limit(1)) is not None


def submit_entry(entry: Entry, by: User | None) -> EntryVersion:
    v = entry.latest_version
    if v is None or v.state not in EDITABLE:
        raise UserError(_l("There is nothing to submit: the activity is already with the secretariat or published."))
    if any(f.quarantined for f in v.files):
        raise UserError(_l("A file is waiting for the virus scan; submit again once it has been checked."), "files")
    before = v.state
    v.state = S.SUBMITTED
    v.submitted_at = now()
    v.lock_version = (v.lock_version or 0) + 1
    v.comment = None
    if entry.current_version_id is None:
        entry.state = S.SUBMITTED
    db.session.flush()
    _event(entry, "submitted", by, version=v, from_state=before, to_state=S.SUBMITTED)
    _notify_owner(entry, "mail/stocktaking_submitted.txt", version=v)
    return v


def archive(entry: Entry, by: User) -> None:
    if entry.state != S.PUBLISHED:
        raise UserError(_l("Only a published activity can be archived."))
    entry.state = S.ARCHIVED
    db.session.flush()
    _event(entry, "archived", by, from_state=S.PUBLISHED, to_state=S.ARCHIVED)
    enqueue_entry(entry.id)
    _notify_owner(entry, "mail/stocktaking_archived.txt", by=by)


def restore(entry: Entry, by: User) -> None:
    """The secretariat lists an archived entry again (the owner brings it back by updating it)."""
    if entry.state != S.ARCHIVED or entry.current_version_id is None:
        raise UserError(_l("Only an archived activity can be restored."))
    entry.state = S.PUBLISHED
    db.session.flush()
    _event(entry, "restored", by, from_state=S.ARCHIVED, to_state=S.PUBLISHED)
    enqueue_entry(entry.id)


# The secretariat's decisions -----------------------------------------------------------------------------

DECISIONS = ("publish", "return", "reject")


def _submitted(entry: Entry, lock: int | None) -> EntryVersion:
    v = entry.latest_version
    if v is None or v.state != S.SUBMITTED:
        raise UserError(_l("This activity is no longer waiting for a decision."))
    if lock is not None and v.lock_version != lock:
        raise UserError(_l("The activity was changed or decided while you were reading it. Look again before deciding."))
    return v


def publish(entry: Entry, by: User, *, lock: int | None = None, at: datetime | None = None) -> EntryVersion:
    v = _submitted(entry, lock)
    at = at or now()
    previous = entry.current_version
    if previous is not None and previous.id != v.id:
        previous.state = S.ARCHIVED  # replaced: kept in the history
    v.state = S.PUBLISHED
    v.published_at = at
    v.decided_by_id = by.id if by is not None else None
    v.lock_version = (v.lock_version or 0) + 1
    before = entry.state
    entry.current_version = v
    entry.state = S.PUBLISHED
    entry.first_published_at = entry.first_published_at or at
    if previous is not None:
        _answered(entry, at, updated=True)
    entry.reviewed_at = at
    entry.inactive = False
    db.session.flush()
    _event(entry, "published", by, version=v, from_state=before if previous is None else S.SUBMITTED,
           to_state=S.PUBLISHED)
    enqueue_entry(entry.id)
    _notify_owner(entry, "mail/stocktaking_decided.txt", version=v, decision="publish")
    return v


def return_for_changes(entry: Entry, by: User, comment: str, *, lock: int | None = None) -> EntryVersion:
    return _send_back(entry, by, comment, lock, S.RETURNED, "return")


def reject(entry: Entry, by: User, comment: str, *, lock: int | None = None) -> EntryVersion:
    return _send_back(entry, by, comment, lock, S.REJECTED, "reject")


def _send_back(entry: Entry, by: User, comment: str, lock: int | None, to: EntryState, decision: str) -> EntryVersion:
    comment = (comment or "").strip()
    if not comment:
        raise UserError(_l("Say why, for the organisation."), "comment")
    v = _submitted(entry, lock)
    v.state = to
    v.comment = comment
    v.decided_by_id = by.id
    v.lock_version = (v.lock_version or 0) + 1
    if entry.current_version_id is None:
        entry.state = to
    db.session.flush()
    _event(entry, "returned" if to == S.RETURNED else "rejected", by, version=v, from_state=S.SUBMITTED,
           to_state=to, comment=comment)
    _notify_owner(entry, "mail/stocktaking_decided.txt", version=v, decision=decision)
    return v


def queue() -> list[Entry]:
    """Entries with a version waiting for the secretariat, oldest submission first."""
    latest = select(func.max(EntryVersion.id)).group_by(EntryVersion.entry_id).scalar_subquery()
    return list(db.session.scalars(
        select(Entry).join(EntryVersion, EntryVersion.entry_id == Entry.id)
        .where(EntryVersion.id.in_(latest), EntryVersion.state == S.SUBMITTED)
        .order_by(EntryVersion.submitted_at, Entry.id)))


# Mail ----------------------------------------------------------------------------------------------------

def _members(org: Organisation) -> list[User]:
    return [u for u in org.active_members if u.active and u.is_confirmed]


def _notify_owner(entry: Entry, template: str, **context) -> None:
    for user in _members(entry.organisation):
        send_to_user(user, template, entry=entry, organisation=entry.organisation,
                     link=url_for("stocktaking.entry", entry_id=entry.id, _external=True), **context)


# Yearly calls --------------------------------------------------------------------------------------------

def open_call(year: int, deadline: datetime, message: str, by: User, *, at: datetime | None = None) -> Call:
    at = at or now()
    if db.session.scalar(select(Call.id).where(Call.year == year)) is not None:
        raise UserError(_l("There is already a call for %(year)d.", year=year), "year")
    if deadline <= at:
        raise UserError(_l("The deadline must be in the future."), "deadline")
    if current_call(at) is not None:
        raise UserError(_l("A call is open until its deadline; open the next one after it."), "year")
    call = Call(year=year, deadline=deadline, message=message.strip(), opened_at=at, opened_by_id=by.id)
    db.session.add(call)
    db.session.flush()
    audit.record("stocktaking.call_opened", actor=by, target=call, detail={"year": year})
    _mail_owners(call, published_entries(), "mail/stocktaking_call.txt")
    return call


def current_call(at: datetime | None = None) -> Call | None:
    at = at or now()
    return db.session.scalar(select(Call).where(Call.opened_at <= at, Call.deadline >= at)
                             .order_by(Call.year.desc()).limit(1))


def calls() -> list[Call]:
    return list(db.session.scalars(select(Call).order_by(Call.year.desc())))


def published_entries() -> list[Entry]:
    return list(db.session.scalars(select(Entry).where(Entry.state == S.PUBLISHED).order_by(Entry.id)))


def _mail_owners(call: Call, entries: list[Entry], template: str) -> int:
    """One message per member of each owner organisation, listing its entries."""
    by_org: dict[int, list[Entry]] = {}
    for e in entries:
        by_org.setdefault(e.organisation_id, []).append(e)
    sent = 0
    for group in by_org.values():
        org = group[0].organisation
        links = [(e.current_version.title, url_for("stocktaking.review", entry_id=e.id, _external=True))
                 for e in group]
        for user in _members(org):
            send_to_user(user, template, call=call, organisation=org, entries=links)
            sent += 1
    return sent


def answer_of(entry: Entry, call: Call) -> CallAnswer | None:
    return db.session.scalar(select(CallAnswer).where(CallAnswer.call_id == call.id, CallAnswer.entry_id == entry.id))


def _answered(entry: Entry, at: datetime, *, updated: bool) -> None:
    call = current_call(at)
    if call is None:
        return
    found = answer_of(entry, call)
    if found is None:
        db.session.add(CallAnswer(call=call, entry=entry, at=at, updated=updated))
    elif updated:
        found.updated = True
        found.at = at


def confirm(entry: Entry, by: User, *, at: datetime | None = None) -> Call:
    """The owner says the published entry is still true, for the open call."""
    at = at or now()
    call = current_call(at)
    if call is None:
        raise UserError(_l("No Stocktaking call is open: there is nothing to confirm for."))
    if not is_public(entry):
        raise UserError(_l("Only a published activity can be confirmed."))
    _answered(entry, at, updated=False)
    entry.reviewed_at = at
    was_inactive, entry.inactive = entry.inactive, False
    db.session.flush()
    _event(entry, "confirmed", by, version=entry.current_version, comment=str(call.year))
    enqueue_entry(entry.id)
    if was_inactive:
        audit.record("stocktaking.active_again", actor=by, target=entry)
    return call


def reminder_window() -> timedelta:
    return timedelta(days=current_app.config["STOCKTAKING_CALL_REMINDER_DAYS"])


def send_call_reminders(window: timedelta, *, at: datetime | None = None) -> int:
    """Remind the owners of entries that have not answered the open call, `window` before its deadline.
    Each call is reminded at most once. Returns the number of messages."""
    at = at or now()
    sent = 0
    for call in db.session.scalars(select(Call).where(Call.reminded_at.is_(None), Call.opened_at <= at,
                                                      Call.deadline >= at, Call.deadline <= at + window)):
        answered = set(db.session.scalars(select(CallAnswer.entry_id).where(CallAnswer.call_id == call.id)))
        waiting = [e for e in published_entries() if e.id not in answered and e.first_published_at < call.opened_at]
        sent += _mail_owners(call, waiting, "mail/stocktaking_call_reminder.txt")
        call.reminded_at = at
    db.session.flush()
    return sent


def close_due_calls(*, at: datetime | None = None) -> int:
    """Close every call whose deadline has passed (once): entries that answered neither it nor the call
    before it, and existed for both, become inactive. Returns the number marked inactive."""
    at = at or now()
    marked = 0
    for call in db.session.scalars(select(Call).where(Call.closed_at.is_(None), Call.deadline < at)
                                   .order_by(Call.year)):
        before = db.session.scalar(select(Call).where(Call.year < call.year).order_by(Call.year.desc()).limit(1))
        if before is not None:
            answered = set(db.session.scalars(select(CallAnswer.entry_id).where(
                CallAnswer.call_id.in_((call.id, before.id)))))
            for e in published_entries():
                if not e.inactive and e.id not in answered and e.first_published_at < before.opened_at \
                        and (e.reviewed_at is None or e.reviewed_at < before.opened_at):
                    e.inactive = True
                    _event(e, "inactive", None, comment=f"{before.year}, {call.year}")
                    enqueue_entry(e.id)
                    marked += 1
        call.closed_at = at
        audit.record("stocktaking.call_closed", target=call, detail={"year": call.year, "inactive": marked})
    db.session.flush()
    return marked


def updated_for(entry: Entry) -> int | None:
    """The latest call year the entry was confirmed or updated for."""
    years = entry.updated_years
    return years[-1] if years else None


def last_call() -> Call | None:
    return db.session.scalar(select(Call).where(Call.opened_at <= now()).order_by(Call.year.desc()).limit(1))


# Contact -------------------------------------------------------------------------------------------------

def send_message(entry: Entry, *, name: str, email: str, body: str, ip: str | None) -> ContactMessage:
    """Pass a message on to the members of the entry's organisation, with the sender as Reply-To; their
    addresses are never shown. Limited per sender address and per entry across processes."""
    if any(ch in name + email for ch in "\r\n\x00"):
        raise UserError(_l("A name or address cannot contain line breaks."), "name")
    recipients = _members(entry.organisation)
    if not recipients:
        raise UserError(_l("This organisation cannot be reached through the portal at the moment."))
    cfg = current_app.config
    taken = throttle.reserve([throttle.Budget(f"contact:address:{ip or '-'}", cfg["STOCKTAKING_CONTACT_PER_ADDRESS"]),
                              throttle.Budget(f"contact:entry:{entry.id}", cfg["STOCKTAKING_CONTACT_PER_ENTRY"])],
                             timedelta(hours=1))
    if taken is None:
        raise UserError(_l("Too many messages were sent from here or to this organisation in the last hour. "
                           "Please try again later."))
    msg = ContactMessage(entry_id=entry.id, sender_name=name, sender_email=email, body=body, ip=ip)
    db.session.add(msg)
    db.session.flush()
    for user in recipients:
        send_to_user(user, "mail/stocktaking_contact.txt", reply_to=email, entry=entry, sender_name=name,
                     sender_email=email, body=body,
                     link=url_for("stocktaking.entry", entry_id=entry.id, _external=True))
    audit.record("stocktaking.contact", target=entry, detail={"message": msg.id})
    return msg


# Lists ---------------------------------------------------------------------------------------------------

def organisation_entries(org: Organisation, *, public_only: bool) -> list[Entry]:
    stmt: Select = select(Entry).where(Entry.organisation_id == org.id)
    if public_only:
        stmt = stmt.where(Entry.state == S.PUBLISHED)
    return list(db.session.scalars(stmt.order_by(Entry.updated_at.desc(), Entry.id.desc())))


def action_line_entries(line: ActionLine, limit: int = 10) -> tuple[list[Entry], int]:
    """Published, active entries serving this action line, newest first, and how many there are."""
    base = select(Entry).join(EntryVersion, EntryVersion.id == Entry.current_version_id).where(
        Entry.state == S.PUBLISHED, Entry.inactive.is_(False), EntryVersion.id.in_(
            select(EntryVersion.id).join(EntryVersion.action_lines).where(ActionLine.id == line.id)))
    total = db.session.scalar(select(func.count()).select_from(base.subquery()))
    rows = list(db.session.scalars(base.order_by(Entry.first_published_at.desc(), Entry.id.desc()).limit(limit)))
    return rows, total or 0


def latest_entries(limit: int) -> list[Entry]:
    return list(db.session.scalars(select(Entry).where(Entry.state == S.PUBLISHED, Entry.inactive.is_(False))
                                   .order_by(Entry.first_published_at.desc(), Entry.id.desc()).limit(limit)))


@dataclass
class HomeCounts:
    total: int
    inactive: int
    partners: int
    by_line: dict[str, int]
    by_region: dict[str, int]


def home_counts() -> HomeCounts:
    """Published, active entries: in all, by action line (each line an entry serves) and by ITU region
    (each region of its countries; a global entry in none), from the database."""
    live = (Entry.state == S.PUBLISHED, Entry.inactive.is_(False))
    current = EntryVersion.id == Entry.current_version_id
    total = db.session.scalar(select(func.count(Entry.id)).where(*live)) or 0
    inactive = db.session.scalar(select(func.count(Entry.id)).where(Entry.state == S.PUBLISHED,
                                                                    Entry.inactive.is_(True))) or 0
    partners = db.session.scalar(select(func.count(Entry.id)).join(EntryVersion, current).where(
        *live, EntryVersion.looking_for_partners.is_(True))) or 0
    by_line = dict(db.session.execute(
        select(ActionLine.code, func.count(Entry.id)).select_from(Entry).join(EntryVersion, current)
        .join(EntryVersion.action_lines).where(*live).group_by(ActionLine.code)).all())
    by_region: dict[str, set[int]] = {r: set() for r in regions.ITU_REGIONS}
    for entry_id, country in db.session.execute(
            select(Entry.id, EntryCountry.country).join(EntryVersion, current)
            .join(EntryCountry, EntryCountry.version_id == EntryVersion.id).where(*live)):
        region = regions.itu_region(country)
        if region:
            by_region[region].add(entry_id)
    return HomeCounts(total, inactive, partners, by_line, {r: len(ids) for r, ids in by_region.items()})


def report_years() -> list[int]:
    """The years a report can be asked for: from the first publication to this year."""
    first = db.session.scalar(select(func.min(Entry.first_published_at)))
    this = now().year
    return list(range(this, (first.year if first else this) - 1, -1))


def organisations_by_name(names: list[str]) -> dict[str, Organisation]:
    keys = {Organisation.key_for(n) for n in names if n.strip()}
    if not keys:
        return {}
    return {o.name_key: o for o in db.session.scalars(select(Organisation).where(Organisation.name_key.in_(keys)))}


def action_line_titles() -> dict[str, str]:
    return dict(db.session.execute(select(ActionLine.code, ActionLine.title)).all())
