"""Delegation registration: the organisation's delegation and its participants, the secretariat's
decisions, visa support letters, and the figures the secretariat and the public see. Services change
objects and flush; the view commits once; mail goes out after the commit.

States: draft → submitted → confirmed, or returned (for changes, then submitted again) or refused; the
organisation may cancel. A change to a confirmed delegation (a substitution, before the meeting) sends
it back to the secretariat as a change: submitted again, flagged `changed`.

After the registration deadline, a submitted delegation can no longer be changed by its organisation; a
registration is still taken if the meeting accepts late ones (RegistrationStatus.OPEN), flagged late for
the secretariat to decide, and refused if it does not (UNTIL_DEADLINE)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln
from sqlalchemy import Select, and_, case, distinct, func, select, update

from portal import audit
from portal.errors import UserError
from portal.extensions import db
from portal.models import (
    Delegation,
    DelegationEvent,
    DelegationState,
    Gender,
    Meeting,
    MembershipStatus,
    Organisation,
    Participant,
    Participation,
    ParticipationMode,
    RegistrationStatus,
    StakeholderType,
    User,
    VisaLetter,
)
from portal.notify import send_to_address, send_to_user
from portal.registrations import passports

D = DelegationState
REGISTERED = (D.SUBMITTED, D.CONFIRMED)  # what the public counts and the summary shows
DECISIONS = ("confirm", "return", "refuse")
MAX_NAME = 200


def now() -> datetime:
    return datetime.now(timezone.utc)


def email_key(email: str) -> str:
    return email.strip().casefold()


# Who may register -----------------------------------------------------------------------------------

def may_register(user, org: Organisation | None) -> bool:
    """A confirmed, active member of a verified organisation who is its focal point or whom a focal
    point allowed to register."""
    if org is None or not org.is_verified or not (user and user.is_authenticated and user.active
                                                  and user.is_confirmed):
        return False
    m = user.membership
    return bool(m is not None and m.organisation_id == org.id and m.status == MembershipStatus.ACTIVE
                and (m.focal_point or m.may_register))


def set_may_register(membership, by: User, value: bool) -> None:
    if membership.status != MembershipStatus.ACTIVE:
        raise UserError(_l("Only members can be allowed to register delegations."))
    membership.may_register = value
    audit.record("membership.may_register", actor=by, target=membership, detail={"may_register": value})


# The organisation's delegation ---------------------------------------------------------------------------

def delegation_of(meeting: Meeting, org: Organisation) -> Delegation | None:
    return db.session.scalar(select(Delegation).where(Delegation.meeting_id == meeting.id,
                                                      Delegation.organisation_id == org.id))


def change_refusal(d: Delegation, at: datetime | None = None):
    """Why the organisation cannot change its delegation now (a sentence), or None if it can."""
    meeting = d.meeting
    if d.state in (D.REFUSED, D.CANCELLED):
        return _l("This registration is closed.")
    if meeting.registration == RegistrationStatus.CLOSED:
        return _l("Registration for this meeting is closed.")
    if d.state == D.CONFIRMED:
        if (at or now()).date() >= meeting.start_date:
            return _l("The meeting has begun: the confirmed delegation can no longer be changed.")
        return None
    accepts, _late = meeting.registration_accepts(at)
    if d.state == D.SUBMITTED and meeting.registration_deadline_passed(at):
        return _l("The registration deadline has passed: a submitted registration can no longer be changed.")
    if not accepts:
        return _l("The registration deadline has passed and this meeting does not accept late registrations.")
    return None


def _require_change(d: Delegation) -> None:
    reason = change_refusal(d)
    if reason is not None:
        raise UserError(reason)


def ensure_delegation(meeting: Meeting, org: Organisation, user: User) -> Delegation:
    """The organisation's delegation to the meeting, a new draft if it has none yet."""
    d = delegation_of(meeting, org)
    if d is not None:
        return d
    accepts, _late = meeting.registration_accepts()
    if not accepts:
        raise UserError(_l("Registration for this meeting is closed.") if meeting.registration ==
                        RegistrationStatus.CLOSED else
                        _l("The registration deadline has passed and this meeting does not accept late "
                           "registrations."))
    d = Delegation(meeting=meeting, organisation=org, state=D.DRAFT, created_by=user)
    db.session.add(d)
    db.session.flush()
    _event(d, user, "create", None, D.DRAFT)
    return d


@dataclass
class ParticipantData:
    """What the participant form holds. passport: None keeps the number stored."""

    full_name: str
    function: str
    email: str
    gender: Gender
    participation: Participation
    is_head: bool = False
    arrival: date | None = None
    departure: date | None = None
    accessibility_needs: str | None = None  # None keeps what is stored, "" removes it
    needs_visa: bool = False
    nationality: str | None = None
    passport: str | None = None


def _validate(d: Delegation, data: ParticipantData, participant: Participant | None) -> None:
    meeting = d.meeting
    if meeting.participation == ParticipationMode.ONLINE and data.participation == Participation.IN_PERSON:
        raise UserError(_l("This meeting is held online only."), "participation")
    if meeting.participation == ParticipationMode.IN_PERSON and data.participation == Participation.ONLINE:
        raise UserError(_l("This meeting is attended in person only."), "participation")
    if data.participation == Participation.IN_PERSON:
        if data.arrival and data.departure and data.departure < data.arrival:
            raise UserError(_l("The departure cannot be before the arrival."), "departure")
    if data.needs_visa:
        if data.participation != Participation.IN_PERSON:
            raise UserError(_l("A visa support letter is for a participant who comes in person."), "needs_visa")
        if not data.nationality:
            raise UserError(_l("Give the nationality for the visa support letter."), "nationality")
        has_number = data.passport or (participant is not None and participant.passport_encrypted)
        if not has_number:
            raise UserError(_l("Give the passport number for the visa support letter."), "passport")
    others = [p for p in d.participants if p is not participant]
    if data.is_head:
        head = next((p for p in others if p.is_head), None)
        if head is not None:
            raise UserError(_l("%(name)s is already the head of delegation. Untick “Head of delegation”, or "
                               "first change %(name)s.", name=head.full_name), "is_head")
    key = email_key(data.email)
    clash = db.session.scalar(select(Participant).where(
        Participant.meeting_id == meeting.id, Participant.email_key == key,
        Participant.id != (participant.id if participant is not None and participant.id else -1)))
    if clash is not None:
        if clash.delegation_id == d.id:
            raise UserError(_l("This person is already in your delegation."), "email")
        raise UserError(_l("This person is already registered for this meeting, in the delegation of "
                           "%(org)s.", org=clash.delegation.organisation.name), "email")
    if participant is None and meeting.max_delegation_size and len(others) + 1 > meeting.max_delegation_size:
        raise UserError(_ln("A delegation to this meeting has at most %(num)d participant.",
                            "A delegation to this meeting has at most %(num)d participants.",
                            meeting.max_delegation_size))


def _apply(p: Participant, data: ParticipantData) -> None:
    p.full_name = " ".join(data.full_name.split())[:MAX_NAME]
    p.function = " ".join(data.function.split())[:MAX_NAME]
    p.email = data.email.strip()
    p.email_key = email_key(data.email)
    p.gender = data.gender
    p.participation = data.participation
    p.is_head = data.is_head
    in_person = data.participation == Participation.IN_PERSON
    p.arrival = data.arrival if in_person else None
    p.departure = data.departure if in_person else None
    if data.accessibility_needs is not None:
        p.accessibility_needs = data.accessibility_needs.strip() or None
    p.needs_visa = bool(data.needs_visa and in_person)
    if p.needs_visa:
        p.nationality = data.nationality.upper() if data.nationality else None
        if data.passport:
            p.passport_encrypted = passports.encrypt(" ".join(data.passport.split()).upper())
    else:
        p.nationality = None
        p.passport_encrypted = None


def _changed_by_org(d: Delegation, user: User, action: str, comment: str | None = None) -> None:
    """A change of the organisation's: a confirmed delegation goes back to the secretariat."""
    if d.state == D.CONFIRMED:
        d.state = D.SUBMITTED
        d.changed = True
        d.submitted_at = now()
        d.lock_version += 1
        _event(d, user, action, D.CONFIRMED, D.SUBMITTED, comment)
        _tell(d, "changed")
        _tell_secretariat(d)
    else:
        d.lock_version += 1
        _event(d, user, action, d.state, d.state, comment)


def add_participant(meeting: Meeting, org: Organisation, user: User, data: ParticipantData) -> Participant:
    d = ensure_delegation(meeting, org, user)
    _require_change(d)
    _validate(d, data, None)
    p = Participant(delegation=d, meeting_id=meeting.id,
                    position=max((x.position for x in d.participants), default=0) + 1)
    _apply(p, data)
    db.session.add(p)
    db.session.flush()
    _changed_by_org(d, user, "participant.add", p.full_name)
    return p


def update_participant(p: Participant, user: User, data: ParticipantData) -> Participant:
    d = p.delegation
    _require_change(d)
    _validate(d, data, p)
    _apply(p, data)
    for letter in p.letters:  # a letter names what it was issued for: a change takes it back
        if letter.withdrawn_at is None:
            letter.withdrawn_at = now()
    db.session.flush()
    _changed_by_org(d, user, "participant.edit", p.full_name)
    return p


def remove_participant(p: Participant, user: User) -> Delegation:
    d = p.delegation
    _require_change(d)
    name = p.full_name
    d.participants.remove(p)
    db.session.flush()
    _changed_by_org(d, user, "participant.remove", name)
    return d


def submit(d: Delegation, user: User) -> Delegation:
    if d.state not in (D.DRAFT, D.RETURNED):
        raise UserError(_l("There is nothing to submit."))
    accepts, late = d.meeting.registration_accepts()
    if not accepts:
        raise UserError(_l("Registration for this meeting is closed.") if d.meeting.registration ==
                        RegistrationStatus.CLOSED else
                        _l("The registration deadline has passed and this meeting does not accept late "
                           "registrations."))
    if not d.participants:
        raise UserError(_l("Add the participants first."))
    if sum(1 for p in d.participants if p.is_head) != 1:
        raise UserError(_l("Name exactly one head of delegation."))
    if d.meeting.max_delegation_size and len(d.participants) > d.meeting.max_delegation_size:
        raise UserError(_ln("A delegation to this meeting has at most %(num)d participant.",
                            "A delegation to this meeting has at most %(num)d participants.",
                            d.meeting.max_delegation_size))
    before = d.state
    d.state = D.SUBMITTED
    d.late = d.late or late
    d.submitted_at = now()
    d.lock_version += 1
    _event(d, user, "submit" if before == D.DRAFT else "resubmit", before, D.SUBMITTED)
    _tell(d, "submitted")
    _tell_secretariat(d)
    return d


def cancel(d: Delegation, user: User, reason: str | None = None) -> Delegation:
    if d.state in (D.REFUSED, D.CANCELLED):
        raise UserError(_l("This registration is closed."))
    before = d.state
    d.state = D.CANCELLED
    d.lock_version += 1
    for p in d.participants:
        for letter in p.letters:
            if letter.withdrawn_at is None:
                letter.withdrawn_at = now()
    _event(d, user, "cancel", before, D.CANCELLED, reason)
    _tell(d, "cancelled", comment=reason)
    return d


# The secretariat's decisions ------------------------------------------------------------------------------

def _claim(d: Delegation, expected_lock: int | None, new: D, by: User) -> None:
    """A compare-and-set: only a submitted delegation nobody has decided meanwhile."""
    conditions = [Delegation.id == d.id, Delegation.state == D.SUBMITTED]
    if expected_lock is not None:
        conditions.append(Delegation.lock_version == expected_lock)
    done = db.session.execute(update(Delegation).where(*conditions).values(
        state=new, lock_version=Delegation.lock_version + 1, decided_by_id=by.id, decided_at=now())
        .execution_options(synchronize_session=False)).rowcount
    db.session.refresh(d)
    if done != 1:
        raise UserError(_l("This registration has changed or been decided meanwhile; nothing was changed. "
                           "Look at it again."))


def decide(d: Delegation, by: User, decision: str, comment: str = "", expected_lock: int | None = None) -> None:
    """Confirm, return for changes (with a comment) or refuse (with a comment) a submitted delegation.
    Every refusal is raised before anything changes."""
    comment = (comment or "").strip()
    if decision in ("return", "refuse") and not comment:
        raise UserError(_l("Say what should be changed.") if decision == "return"
                        else _l("Give the reason for the refusal."), "comment")
    new = {"confirm": D.CONFIRMED, "return": D.RETURNED, "refuse": D.REFUSED}[decision]
    _claim(d, expected_lock, new, by)
    d.comment = comment or None
    was_change = d.changed
    d.changed = False
    _event(d, by, decision, D.SUBMITTED, new, comment)
    if new == D.CONFIRMED:
        for p in d.participants:
            if p.needs_visa and p.participation == Participation.IN_PERSON and p.letter is None:
                issue_letter(p, by)
    elif new == D.REFUSED:
        for p in d.participants:
            for letter in p.letters:
                if letter.withdrawn_at is None:
                    letter.withdrawn_at = now()
    _tell(d, {"confirm": "confirmed", "return": "returned", "refuse": "refused"}[decision], comment=comment,
          change=was_change)


@dataclass
class BulkOutcome:
    done: list[str] = field(default_factory=list)  # organisation names
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (organisation, reason)


def decide_many(ids: list[int], meeting: Meeting, by: User, decision: str, comment: str = "") -> BulkOutcome:
    out = BulkOutcome()
    for did in dict.fromkeys(ids):
        d = db.session.get(Delegation, did)
        if d is None or d.meeting_id != meeting.id:
            continue
        try:
            decide(d, by, decision, comment)
        except UserError as exc:
            if exc.field == "comment":
                raise
            out.skipped.append((d.organisation.name, str(exc.message)))
        else:
            out.done.append(d.organisation.name)
    return out


def issue_letter(p: Participant, by: User | None) -> VisaLetter:
    letter = VisaLetter(participant=p, reference="", issued_by=by)
    db.session.add(letter)
    db.session.flush()
    letter.reference = f"{p.delegation.meeting.symbol_prefix}/VISA/{letter.id}"
    audit.record("visa_letter.issue", actor=by, target=letter, detail={"participant": p.id})
    return letter


def withdraw_letter(letter: VisaLetter, by: User) -> None:
    if letter.withdrawn_at is not None:
        raise UserError(_l("This letter has already been withdrawn."))
    letter.withdrawn_at = now()
    letter.withdrawn_by_id = by.id
    audit.record("visa_letter.withdraw", actor=by, target=letter, detail={"participant": letter.participant_id})


def reissue_letter(p: Participant, by: User) -> VisaLetter:
    d = p.delegation
    if d.state != D.CONFIRMED or not p.needs_visa or p.participation != Participation.IN_PERSON:
        raise UserError(_l("A letter is issued only to an in-person participant of a confirmed delegation who "
                           "asked for one."))
    if p.letter is not None:
        raise UserError(_l("This participant already has a letter in force."))
    return issue_letter(p, by)


def publish_participants(meeting: Meeting, by: User, publish: bool) -> None:
    meeting.participants_published_at = now() if publish else None
    audit.record("meeting.participants_published" if publish else "meeting.participants_withdrawn",
                 actor=by, target=meeting)


# Trail and mail -----------------------------------------------------------------------------------------------

def _event(d: Delegation, actor: User | None, action: str, from_state: D | None, to_state: D | None,
           comment: str | None = None) -> None:
    db.session.add(DelegationEvent(delegation=d, actor=actor, action=action,
                                   from_state=from_state.value if from_state else None,
                                   to_state=to_state.value if to_state else None, comment=comment or None))
    audit.record(f"delegation.{action}", actor=actor, target=d,
                 detail={"meeting": d.meeting_id, "organisation": d.organisation_id,
                         "from": from_state.value if from_state else None,
                         "to": to_state.value if to_state else None})


def _tell(d: Delegation, what: str, **context) -> None:
    """Mail the organisation's focal points, each in their language."""
    link = url_for("registrations.delegation", code=d.meeting.code, _external=True)
    for m in d.organisation.memberships:
        if m.status == MembershipStatus.ACTIVE and m.focal_point and m.user.active and m.user.is_confirmed:
            send_to_user(m.user, "mail/delegation.txt", what=what, delegation=d, meeting=d.meeting,
                         link=link, **context)


def _tell_secretariat(d: Delegation) -> None:
    address = current_app.config.get("SECRETARIAT_EMAIL")
    if address:
        send_to_address(address, "mail/delegation.txt", what="received", delegation=d, meeting=d.meeting,
                        link=url_for("registrations.item", delegation_id=d.id, _external=True))


# What the secretariat and the public see ---------------------------------------------------------------------

FILTER_STATES = ("submitted", "confirmed", "returned", "refused", "cancelled", "draft", "all")


@dataclass
class Filters:
    state: str = "submitted"
    stakeholder_type: str | None = None
    late: bool = False
    needs_visa: bool = False

    @classmethod
    def from_args(cls, args) -> Filters:
        state = args.get("state", "submitted")
        kind = args.get("stakeholder_type") or None
        return cls(state=state if state in FILTER_STATES else "submitted",
                   stakeholder_type=kind if kind in {k.value for k in StakeholderType} else None,
                   late=args.get("late") == "1", needs_visa=args.get("visa") == "1")


def registrations(meeting: Meeting, f: Filters) -> Select:
    stmt = (select(Delegation).join(Delegation.organisation).where(Delegation.meeting_id == meeting.id))
    if f.state != "all":
        stmt = stmt.where(Delegation.state == D(f.state))
    if f.stakeholder_type:
        stmt = stmt.where(Organisation.stakeholder_type == StakeholderType(f.stakeholder_type))
    if f.late:
        stmt = stmt.where(Delegation.late.is_(True))
    if f.needs_visa:
        stmt = stmt.where(Delegation.participants.any(Participant.needs_visa.is_(True)))
    order = Delegation.submitted_at.asc() if f.state == "submitted" else func.lower(Organisation.name)
    return stmt.order_by(order, Delegation.id)


@dataclass
class SummaryRow:
    stakeholder_type: StakeholderType | None  # None: all
    delegations: int = 0
    in_person: int = 0
    online: int = 0
    women: int = 0
    heads: int = 0
    heads_women: int = 0

    @property
    def participants(self) -> int:
        return self.in_person + self.online

    @property
    def women_share(self) -> float | None:
        return self.women / self.participants if self.participants else None


def summary(meeting: Meeting, states=REGISTERED) -> list[SummaryRow]:
    """Per stakeholder type (and in all): delegations, participants in person and online, women (number and
    share), heads of delegation who are women. One aggregate query."""
    woman = Participant.gender == Gender.WOMAN
    rows = db.session.execute(
        select(Organisation.stakeholder_type,
               func.count(distinct(Delegation.id)),
               func.coalesce(func.sum(case((Participant.participation == Participation.IN_PERSON, 1), else_=0)), 0),
               func.coalesce(func.sum(case((Participant.participation == Participation.ONLINE, 1), else_=0)), 0),
               func.coalesce(func.sum(case((woman, 1), else_=0)), 0),
               func.coalesce(func.sum(case((Participant.is_head, 1), else_=0)), 0),
               func.coalesce(func.sum(case((and_(Participant.is_head, woman), 1), else_=0)), 0))
        .select_from(Delegation).join(Delegation.organisation)
        .outerjoin(Participant, Participant.delegation_id == Delegation.id)
        .where(Delegation.meeting_id == meeting.id, Delegation.state.in_(states))
        .group_by(Organisation.stakeholder_type)).all()
    by_type = {r[0]: SummaryRow(r[0], *map(int, r[1:])) for r in rows}
    out = [by_type.get(kind, SummaryRow(kind)) for kind in StakeholderType]
    total = SummaryRow(None)
    for r in out:
        for name in ("delegations", "in_person", "online", "women", "heads", "heads_women"):
            setattr(total, name, getattr(total, name) + getattr(r, name))
    return out + [total]


def public_counts(meeting: Meeting) -> list[SummaryRow] | None:
    """What the public sees once registration has opened: counts only, never who."""
    if not meeting.registration_has_opened and not _any_registered(meeting):
        return None
    return summary(meeting)


def _any_registered(meeting: Meeting) -> bool:
    return db.session.scalar(select(Delegation.id).where(Delegation.meeting_id == meeting.id,
                                                         Delegation.state.in_(REGISTERED)).limit(1)) is not None


EXPORT_COLUMNS = ("organisation", "country", "stakeholder_type", "full_name", "function", "head_of_delegation",
                  "participation", "arrival", "departure")


def participant_rows(meeting: Meeting, states=(D.CONFIRMED,)) -> Iterator[tuple]:
    """The participants for badges, in organisation order, heads first: never a passport, a nationality,
    an email or accessibility needs. Read in batches (memory stays flat)."""
    stmt = (select(Organisation.name, Organisation.country, Organisation.stakeholder_type, Participant.full_name,
                   Participant.function, Participant.is_head, Participant.participation, Participant.arrival,
                   Participant.departure)
            .select_from(Participant).join(Participant.delegation).join(Delegation.organisation)
            .where(Delegation.meeting_id == meeting.id, Delegation.state.in_(states))
            .order_by(func.lower(Organisation.name), Delegation.id, Participant.is_head.desc(), Participant.position,
                      Participant.id)
            .execution_options(yield_per=1000))
    yield from db.session.execute(stmt)


def published_participants(meeting: Meeting) -> list[tuple]:
    """The published list of participants: organisation, country, name, function."""
    return list(db.session.execute(
        select(Organisation.name, Organisation.country, Participant.full_name, Participant.function,
               Participant.is_head)
        .select_from(Participant).join(Participant.delegation).join(Delegation.organisation)
        .where(Delegation.meeting_id == meeting.id, Delegation.state == D.CONFIRMED)
        .order_by(func.lower(Organisation.name), Participant.is_head.desc(), Participant.position)))


def my_registrations(org: Organisation) -> list[Delegation]:
    return list(db.session.scalars(select(Delegation).where(Delegation.organisation_id == org.id)
                                   .order_by(Delegation.created_at.desc())))


def open_for_registration() -> list[Meeting]:
    return list(db.session.scalars(select(Meeting).where(Meeting.registration != RegistrationStatus.CLOSED)
                                   .order_by(Meeting.start_date)))

