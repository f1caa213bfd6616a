"""The programme of a meeting and its High-Level Track: sessions and speaking slots, invitations to deliver a
policy statement and their answers, requests for a slot, the scheduling of statements, and the published
versions of the programme. Services change objects and flush; the view commits once; mail goes out after
the commit.

Times: a session's day, start and end are local times in the meeting's time zone (Meeting.deadline_tz);
deadlines are instants, given and shown in that zone.

The public reads only published versions: each publication stores a snapshot of the programme (what the
public page and iCalendar show) and, after the first, the list of what changed since the one before."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import current_app, url_for
from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from portal import audit
from portal.contributions import services as contributions
from portal.errors import UserError
from portal.extensions import db
from portal.i18n import format_in_zone
from portal.labels import invitation_state_label
from portal.meetings.services import to_utc
from portal.models import (
    Contribution,
    ContributionState,
    Delegation,
    DelegationState,
    Gender,
    Invitation,
    InvitationState,
    Meeting,
    MeetingStatus,
    MembershipStatus,
    Organisation,
    ProgrammeSession,
    ProgrammeVersion,
    SessionKind,
    Slot,
    SpeakerRank,
    StakeholderType,
    Statement,
    StatementState,
    User,
)
from portal.notify import send_to_user

INV = InvitationState
ST = StatementState
RANK_ORDER = list(SpeakerRank)  # the protocol order: Head of State or Government first
MAX_SLOTS = 200


def now() -> datetime:
    return datetime.now(timezone.utc)


def zone(meeting: Meeting) -> ZoneInfo:
    return ZoneInfo(meeting.deadline_tz)


def local_now(meeting: Meeting) -> datetime:
    return now().astimezone(zone(meeting))


# Sessions and slots ---------------------------------------------------------------------------------

@dataclass
class SessionData:
    title: str
    kind: SessionKind
    day: date
    start: time
    end: time
    room: str | None = None
    online: bool = False
    online_link: str | None = None
    description: str | None = None
    chairs: str | None = None
    slots: int = 0
    slot_minutes: int | None = None


def _validate_session(meeting: Meeting, data: SessionData, session: ProgrammeSession | None) -> None:
    if not (meeting.start_date <= data.day <= meeting.end_date):
        raise UserError(_l("The session must lie within the meeting's dates (%(start)s to %(end)s).",
                           start=meeting.start_date.isoformat(), end=meeting.end_date.isoformat()), "day")
    if data.end <= data.start:
        raise UserError(_l("The end time must be after the start time."), "end")
    if not data.room and not data.online:
        raise UserError(_l("Give the room, or tick “Online”."), "room")
    if data.online_link and not data.online:
        raise UserError(_l("Tick “Online” to give the link, or remove the link."), "online_link")
    if data.online and data.online_link and not data.online_link.lower().startswith(("https://", "http://")):
        raise UserError(_l("Enter a web address starting with https:// or http://."), "online_link")
    if data.slots:
        if not data.slot_minutes:
            raise UserError(_l("Give the length of a slot."), "slot_minutes")
        if data.slots > MAX_SLOTS:
            raise UserError(_l("At most %(n)d slots.", n=MAX_SLOTS), "slots")
        minutes = (datetime.combine(data.day, data.end) - datetime.combine(data.day, data.start)).seconds // 60
        if data.slots * data.slot_minutes > minutes:
            raise UserError(_l("The slots take %(need)d minutes (%(n)d × %(m)d); the session lasts %(total)d.",
                               need=data.slots * data.slot_minutes, n=data.slots, m=data.slot_minutes,
                               total=minutes), "slots")
    if session is not None:
        taken = [s for s in session.slots if s.statement_id is not None]
        if taken and (data.slots < max(s.position for s in taken)):
            raise UserError(_l("Speakers are assigned to the slots that would go: move them first."), "slots")


def save_session(meeting: Meeting, session: ProgrammeSession | None, data: SessionData, by: User) -> ProgrammeSession:
    _validate_session(meeting, data, session)
    created = session is None
    if session is None:
        session = ProgrammeSession(meeting=meeting)
        db.session.add(session)
    session.title = " ".join(data.title.split())
    session.kind = data.kind
    session.day, session.start, session.end = data.day, data.start, data.end
    session.room = (data.room or "").strip() or None
    session.online = data.online
    session.online_link = (data.online_link or "").strip() or None if data.online else None
    session.description = (data.description or "").strip() or None
    session.chairs = (data.chairs or "").strip() or None
    by_position = {s.position: s for s in session.slots}
    for position in range(1, data.slots + 1):
        slot = by_position.pop(position, None)
        if slot is None:
            session.slots.append(Slot(position=position, minutes=data.slot_minutes))
        else:
            slot.minutes = data.slot_minutes
    for slot in by_position.values():  # beyond the new count (checked empty)
        session.slots.remove(slot)
    db.session.flush()
    audit.record("programme.session.create" if created else "programme.session.update", actor=by, target=session,
                 detail={"meeting": meeting.id})
    return session


def delete_session(session: ProgrammeSession, by: User) -> None:
    audit.record("programme.session.delete", actor=by, target=session, detail={"meeting": session.meeting_id})
    db.session.delete(session)
    db.session.flush()


def takes_statements(meeting: Meeting) -> bool:
    """Whether the meeting's programme has policy statements (or invitations to deliver one)."""
    if meeting.end_date < date.today():
        return False
    return db.session.scalar(select(ProgrammeSession.id).where(
        ProgrammeSession.meeting_id == meeting.id, ProgrammeSession.kind == SessionKind.POLICY_STATEMENTS).limit(1)) \
        is not None or db.session.scalar(select(Invitation.id).where(Invitation.meeting_id == meeting.id).limit(1)) \
        is not None


def sessions(meeting: Meeting) -> list[ProgrammeSession]:
    """The meeting's sessions in time order, with their slots, speakers and organisations loaded."""
    return list(db.session.scalars(
        select(ProgrammeSession).where(ProgrammeSession.meeting_id == meeting.id)
        .options(selectinload(ProgrammeSession.slots).selectinload(Slot.statement)
                 .selectinload(Statement.organisation))
        .order_by(ProgrammeSession.day, ProgrammeSession.start, ProgrammeSession.id)))


# Invitations ---------------------------------------------------------------------------------------------

def effective_state(inv: Invitation, at: datetime | None = None) -> str:
    """sent, accepted, declined, withdrawn, or expired (sent, and its deadline passed without answer)."""
    if inv.state == INV.SENT and (at or now()) > inv.deadline_at:
        return "expired"
    return inv.state.value


def candidates(*, stakeholder_type: str | None, country: str | None) -> list[Organisation]:
    """Verified organisations that can be invited, filtered."""
    stmt = select(Organisation).where(Organisation.verified_at.is_not(None))
    if stakeholder_type in {t.value for t in StakeholderType}:
        stmt = stmt.where(Organisation.stakeholder_type == StakeholderType(stakeholder_type))
    if country:
        stmt = stmt.where(Organisation.country == country.upper())
    return list(db.session.scalars(stmt.order_by(func.lower(Organisation.name))))


def fill_letter(template: str, org: Organisation, meeting: Meeting, deadline: datetime) -> str:
    """The letter with {organisation}, {meeting} and {deadline} filled in (plain text, nothing evaluated)."""
    text = template.replace("{organisation}", org.name).replace("{meeting}", meeting.title)
    return text.replace("{deadline}", format_in_zone(deadline.astimezone(zone(meeting)), meeting.deadline_tz))


@dataclass
class InvitationOutcome:
    sent: list[Invitation] = field(default_factory=list)
    already: list[str] = field(default_factory=list)  # organisations invited before


def _check_deadline(meeting: Meeting, deadline: datetime) -> None:
    if deadline <= now():
        raise UserError(_l("The confirmation deadline must be in the future."), "deadline")
    if deadline.astimezone(zone(meeting)).date() > meeting.end_date:
        raise UserError(_l("The confirmation deadline must be before the end of the meeting (%(day)s).",
                           day=format_date(meeting.end_date, "long")), "deadline")


def invite(meeting: Meeting, orgs: list[Organisation], *, reference: str, letter: str, deadline_local: datetime,
           by: User) -> InvitationOutcome:
    if not orgs:
        raise UserError(_l("Choose the organisations to invite."), "organisations")
    deadline = to_utc(deadline_local, meeting.deadline_tz)
    _check_deadline(meeting, deadline)
    if not letter.strip():
        raise UserError(_l("Write the letter."), "letter")
    out = InvitationOutcome()
    invited = set(db.session.scalars(select(Invitation.organisation_id).where(Invitation.meeting_id == meeting.id)))
    for org in orgs:
        if org.id in invited or not org.is_verified:
            out.already.append(org.name)
            continue
        inv = Invitation(meeting=meeting, organisation=org, reference=reference.strip(), deadline_at=deadline,
                         letter=fill_letter(letter, org, meeting, deadline), sent_by_id=by.id)
        db.session.add(inv)
        db.session.flush()
        audit.record("programme.invite", actor=by, target=inv, detail={"meeting": meeting.id, "organisation": org.id})
        _tell(inv.organisation, "mail/invitation.txt", invitation=inv, meeting=meeting,
              link=url_for("programme.invitation", invitation_id=inv.id, _external=True))
        out.sent.append(inv)
    return out


@dataclass
class Speaker:
    name: str
    title: str
    gender: Gender | None = None
    rank: SpeakerRank = SpeakerRank.OTHER
    participant_id: int | None = None
    preferred_day: date | None = None


def _check_speaker(meeting: Meeting, org: Organisation, s: Speaker) -> None:
    if not s.name.strip():
        raise UserError(_l("Give the speaker's name."), "speaker_name")
    if not s.title.strip():
        raise UserError(_l("Give the speaker's title."), "speaker_title")
    if s.preferred_day and not (meeting.start_date <= s.preferred_day <= meeting.end_date):
        raise UserError(_l("Choose a day of the meeting."), "preferred_day")


def _answer(inv: Invitation, user: User, new: InvitationState, reason: str | None = None) -> None:
    """One answer counts: a compare-and-set on a sent invitation whose deadline has not passed."""
    done = db.session.execute(update(Invitation).where(
        Invitation.id == inv.id, Invitation.state == INV.SENT, Invitation.deadline_at > now())
        .values(state=new, answered_at=now(), answered_by_id=user.id, decline_reason=reason)
        .execution_options(synchronize_session=False)).rowcount
    db.session.refresh(inv)
    if done != 1:
        if inv.state == INV.WITHDRAWN:
            raise UserError(_l("The secretariat has withdrawn this invitation; it can no longer be answered."))
        if inv.state != INV.SENT:
            raise UserError(_l("This invitation has already been answered (%(state)s).",
                                 state=invitation_state_label(inv.state.value)))
        raise UserError(_l("The confirmation deadline has passed; ask the secretariat to extend it."))


def accept(inv: Invitation, user: User, speaker: Speaker) -> Statement:
    _check_speaker(inv.meeting, inv.organisation, speaker)
    _answer(inv, user, INV.ACCEPTED)
    st = Statement(meeting=inv.meeting, organisation=inv.organisation, invitation=inv, state=ST.ACCEPTED,
                   accepted_at=now(), created_by=user, **_speaker_columns(speaker))
    db.session.add(st)
    db.session.flush()
    audit.record("programme.invitation.accept", actor=user, target=inv, detail={"statement": st.id})
    return st


def decline(inv: Invitation, user: User, reason: str | None) -> None:
    _answer(inv, user, INV.DECLINED, (reason or "").strip() or None)
    audit.record("programme.invitation.decline", actor=user, target=inv)


def withdraw_invitation(inv: Invitation, by: User) -> None:
    """A compare-and-set, like an answer: an invitation accepted meanwhile is withdrawn with its statement."""
    done = db.session.execute(update(Invitation).where(
        Invitation.id == inv.id, Invitation.state.in_((INV.SENT, INV.ACCEPTED)))
        .values(state=INV.WITHDRAWN).execution_options(synchronize_session=False)).rowcount
    db.session.refresh(inv)
    if done != 1:
        raise UserError(_l("This invitation is closed."))
    st = inv.statement
    if st is not None:
        _unschedule(st)
        st.state = ST.WITHDRAWN
    audit.record("programme.invitation.withdraw", actor=by, target=inv)
    _tell(inv.organisation, "mail/invitation_withdrawn.txt", invitation=inv, meeting=inv.meeting, statement=st,
          link=url_for("programme.mine", code=inv.meeting.code, _external=True))


def extend(inv: Invitation, by: User, deadline_local: datetime) -> None:
    deadline = to_utc(deadline_local, inv.meeting.deadline_tz)
    _check_deadline(inv.meeting, deadline)
    if inv.state != INV.SENT:
        raise UserError(_l("Only an invitation awaiting its answer can be extended."))
    inv.deadline_at = deadline
    inv.reminded_at = None  # a new reminder before the new deadline
    audit.record("programme.invitation.extend", actor=by, target=inv, detail={"deadline": deadline.isoformat()})
    _tell(inv.organisation, "mail/invitation.txt", invitation=inv, meeting=inv.meeting, extended=True,
          link=url_for("programme.invitation", invitation_id=inv.id, _external=True))


def invitations(meeting: Meeting) -> list[Invitation]:
    return list(db.session.scalars(select(Invitation).join(Invitation.organisation)
                                   .where(Invitation.meeting_id == meeting.id)
                                   .order_by(func.lower(Organisation.name))))


def invitation_of(meeting: Meeting, org: Organisation) -> Invitation | None:
    return db.session.scalar(select(Invitation).where(Invitation.meeting_id == meeting.id,
                                                      Invitation.organisation_id == org.id))


def awaiting_answer(meeting: Meeting, org: Organisation | None) -> Invitation | None:
    """The organisation's invitation to this meeting while it can still be answered."""
    inv = invitation_of(meeting, org) if org is not None else None
    return inv if inv is not None and effective_state(inv) == "sent" else None


def send_reminders(before: timedelta) -> int:
    """Remind every invited organisation that has not answered and whose deadline comes within `before`:
    each invitation at most once (a conditional update claims it first). Safe to run again at any time."""
    at = now()
    due = list(db.session.scalars(select(Invitation.id).where(
        Invitation.state == INV.SENT, Invitation.reminded_at.is_(None), Invitation.deadline_at > at,
        Invitation.deadline_at <= at + before)))
    sent = 0
    for inv_id in due:
        claimed = db.session.execute(update(Invitation).where(Invitation.id == inv_id, Invitation.reminded_at.is_(None))
                                     .values(reminded_at=at).execution_options(synchronize_session=False)).rowcount
        if not claimed:
            continue
        inv = db.session.get(Invitation, inv_id)
        _tell(inv.organisation, "mail/invitation.txt", invitation=inv, meeting=inv.meeting, reminder=True,
              link=url_for("programme.invitation", invitation_id=inv.id, _external=True))
        sent += 1
    return sent


# Requests, and the statements ---------------------------------------------------------------------------

def _speaker_columns(s: Speaker) -> dict:
    return dict(speaker_name=" ".join(s.name.split()), speaker_title=" ".join(s.title.split()),
                speaker_gender=s.gender, speaker_rank=s.rank, participant_id=s.participant_id,
                preferred_day=s.preferred_day)


def statement_of(meeting: Meeting, org: Organisation) -> Statement | None:
    return db.session.scalar(select(Statement).where(Statement.meeting_id == meeting.id,
                                                     Statement.organisation_id == org.id,
                                                     Statement.state.in_([ST.REQUESTED, ST.ACCEPTED])))


def request_slot(meeting: Meeting, org: Organisation, user: User, speaker: Speaker, reason: str) -> Statement:
    if meeting.status == MeetingStatus.ARCHIVED or meeting.end_date < now().astimezone(zone(meeting)).date():
        raise UserError(_l("This meeting is over: its programme takes no more requests."))
    if not org.is_verified:
        raise UserError(_l("Only a verified organisation can ask for a statement slot."))
    inv = invitation_of(meeting, org)
    if inv is not None and inv.state in (INV.SENT, INV.ACCEPTED):
        raise UserError(_l("Your organisation is invited: answer the invitation instead."))
    if statement_of(meeting, org) is not None:
        raise UserError(_l("Your organisation has already asked for a statement slot."))
    _check_speaker(meeting, org, speaker)
    if not reason.strip():
        raise UserError(_l("Say why the statement should be heard."), "reason")
    st = Statement(meeting=meeting, organisation=org, state=ST.REQUESTED, reason=reason.strip(), created_by=user,
                   **_speaker_columns(speaker))
    db.session.add(st)
    db.session.flush()
    audit.record("programme.request", actor=user, target=st, detail={"meeting": meeting.id})
    return st


def grant(st: Statement, by: User) -> None:
    _decide_request(st, by, ST.ACCEPTED)
    st.accepted_at = now()
    audit.record("programme.request.grant", actor=by, target=st)
    _tell(st.organisation, "mail/statement_request.txt", statement=st, meeting=st.meeting, granted=True,
          link=url_for("programme.mine", code=st.meeting.code, _external=True))


def refuse(st: Statement, by: User, reason: str) -> None:
    if not (reason or "").strip():
        raise UserError(_l("Give the reason for the refusal."), "comment")
    _decide_request(st, by, ST.REFUSED)
    st.refusal_reason = reason.strip()
    audit.record("programme.request.refuse", actor=by, target=st)
    _tell(st.organisation, "mail/statement_request.txt", statement=st, meeting=st.meeting, granted=False,
          link=url_for("programme.mine", code=st.meeting.code, _external=True))


def _decide_request(st: Statement, by: User, new: StatementState) -> None:
    done = db.session.execute(update(Statement).where(Statement.id == st.id, Statement.state == ST.REQUESTED)
                              .values(state=new).execution_options(synchronize_session=False)).rowcount
    db.session.refresh(st)
    if done != 1:
        raise UserError(_l("This request has already been decided."))


def statements(meeting: Meeting, states=(ST.REQUESTED, ST.ACCEPTED)) -> list[Statement]:
    return list(db.session.scalars(
        select(Statement).where(Statement.meeting_id == meeting.id, Statement.state.in_(states))
        .options(selectinload(Statement.organisation),
                 selectinload(Statement.slot).selectinload(Slot.session).selectinload(ProgrammeSession.slots))
        .order_by(Statement.created_at)))


def slot_candidates(slot: Slot) -> list[Statement]:
    """Whom a slot can be given to: the accepted statements not scheduled elsewhere (its own speaker
    included), in protocol order."""
    free = [st for st in statements(slot.session.meeting, (ST.ACCEPTED,))
            if st.slot is None or st.slot.id == slot.id]
    return sorted(free, key=protocol_key)


def upload_text(st: Statement, user: User, language, upload) -> None:
    """The statement's text, through the upload pipeline and the secretariat's moderation."""
    if st.state != ST.ACCEPTED:
        raise UserError(_l("Only an accepted statement has a text to upload."))
    c = st.contribution
    if c is not None and c.state not in (ContributionState.REJECTED, ContributionState.WITHDRAWN):
        raise UserError(_l("The text is already with the secretariat; change or revise it from its page."), "file")
    st.contribution = contributions.create_statement_text(
        st.organisation, user, st.meeting, title=f"{st.speaker_title}, {st.speaker_name}",
        summary=f"{st.organisation.name} — {st.meeting.title}", language=language, upload=upload)
    db.session.flush()
    audit.record("programme.statement.text", actor=user, target=st, detail={"contribution": st.contribution_id})


def protocol_key(st: Statement):
    return (RANK_ORDER.index(st.speaker_rank), st.accepted_at or st.created_at, st.id)


# Scheduling -----------------------------------------------------------------------------------------------

def _window(slot: Slot) -> tuple[datetime, datetime]:
    start = datetime.combine(slot.session.day, slot.starts)
    return start, start + timedelta(minutes=slot.minutes)


def _same_speaker(a: Statement, b: Statement) -> bool:
    return a.id != b.id and a.speaker_name.casefold() == b.speaker_name.casefold()


def _check_slot(slot: Slot, st: Statement) -> None:
    meeting = slot.session.meeting
    if st.state != ST.ACCEPTED or st.meeting_id != meeting.id:
        raise UserError(_l("Only an accepted statement of this meeting can be scheduled."))
    if slot.statement_id is not None and slot.statement_id != st.id:
        raise UserError(_l("This slot already has a speaker (%(name)s): free it first.",
                           name=slot.statement.speaker_name))
    if not (meeting.start_date <= slot.session.day <= meeting.end_date):
        raise UserError(_l("This slot lies outside the meeting's dates."))
    start, end = _window(slot)
    others = db.session.scalars(select(Slot).join(Slot.statement).where(Statement.meeting_id == meeting.id,
                                                                         Slot.id != slot.id))
    for other in others:
        if _same_speaker(other.statement, st):
            o_start, o_end = _window(other)
            if start < o_end and o_start < end:
                raise UserError(_l("%(name)s already speaks at that time (%(session)s).", name=st.speaker_name,
                                   session=other.session.title))


def _unschedule(st: Statement) -> Slot | None:
    old = st.slot
    if old is not None:
        old.statement = None
        db.session.flush()
    return old


def assign(slot: Slot, st: Statement | None, by: User) -> None:
    """Put a statement in a slot (moving it from the slot it had), or free the slot."""
    if st is None:
        if slot.statement is not None:
            freed = slot.statement
            slot.statement = None
            db.session.flush()
            audit.record("programme.unassign", actor=by, target=slot, detail={"statement": freed.id})
        return
    _check_slot(slot, st)
    moved = _unschedule(st)
    slot.statement = st
    db.session.flush()
    audit.record("programme.assign", actor=by, target=slot, detail={"statement": st.id})
    if moved is not None and moved.id != slot.id:
        _tell(st.organisation, "mail/statement_moved.txt", statement=st, meeting=st.meeting, slot=slot,
              link=url_for("programme.show", code=st.meeting.code, _external=True))


def proposal(meeting: Meeting) -> list[tuple[Slot, Statement]]:
    """Where the unscheduled accepted statements would go, in protocol order then order of acceptance: each
    in the earliest free slot of a policy-statement session, on its preferred day if one is free."""
    free = [slot for s in sessions(meeting) if s.kind == SessionKind.POLICY_STATEMENTS for slot in s.slots
            if slot.statement_id is None]
    waiting = sorted((st for st in statements(meeting, (ST.ACCEPTED,)) if st.slot is None), key=protocol_key)
    out = []
    for st in waiting:
        if not free:
            break
        pick = next((slot for slot in free if st.preferred_day and slot.session.day == st.preferred_day), free[0])
        free.remove(pick)
        out.append((pick, st))
    return out


def apply_proposal(meeting: Meeting, by: User) -> int:
    placed = 0
    for slot, st in proposal(meeting):
        assign(slot, st, by)
        placed += 1
    if not placed:
        raise UserError(_l("Nothing to schedule: no accepted statement waits, or no slot is free."))
    return placed


# Publication --------------------------------------------------------------------------------------------------

def snapshot(meeting: Meeting) -> dict:
    """What a publication shows: every session, each slot's times and its speaker."""
    out = []
    for s in sessions(meeting):
        slots = []
        for slot in s.slots:
            st = slot.statement
            slots.append({
                "position": slot.position, "start": slot.starts.strftime("%H:%M"), "end": slot.ends.strftime("%H:%M"),
                "speaker": st.speaker_name if st else None, "title": st.speaker_title if st else None,
                "organisation": st.organisation.name if st else None, "country": st.organisation.country if st else None,
                "statement": st.id if st else None,
            })
        out.append({"uid": s.uid, "title": s.title, "kind": s.kind.value, "day": s.day.isoformat(),
                    "start": s.start.strftime("%H:%M"), "end": s.end.strftime("%H:%M"), "room": s.room,
                    "online": s.online, "link": s.online_link, "description": s.description, "chairs": s.chairs,
                    "slots": slots})
    return {"tz": meeting.deadline_tz, "sessions": out}


def _what(session: dict) -> tuple:
    return (session["title"], session["kind"], session["day"], session["start"], session["end"], session["room"],
            session["online"], session["description"], session["chairs"],
            tuple((x["start"], x["speaker"], x["title"], x["organisation"]) for x in session["slots"]))


def changes_between(old: dict, new: dict) -> list[dict]:
    """What changed, as {"what": ..., parameters}: rendered in the reader's language."""
    before = {s["uid"]: s for s in old["sessions"]}
    after = {s["uid"]: s for s in new["sessions"]}
    out: list[dict] = []
    for uid, s in after.items():
        o = before.get(uid)
        if o is None:
            out.append({"what": "added", "session": s["title"], "day": s["day"], "start": s["start"]})
            continue
        if (o["day"], o["start"]) != (s["day"], s["start"]):
            out.append({"what": "moved", "session": s["title"], "day": s["day"], "start": s["start"]})
        if (o["room"], o["online"]) != (s["room"], s["online"]):
            out.append({"what": "room", "session": s["title"], "room": s["room"] or ""})
        old_speakers = {x["speaker"]: x["start"] for x in o["slots"] if x["speaker"]}
        for x in s["slots"]:
            if x["speaker"] and old_speakers.get(x["speaker"]) != x["start"]:
                out.append({"what": "speaker", "session": s["title"], "speaker": x["speaker"], "start": x["start"]})
        for name in set(old_speakers) - {x["speaker"] for x in s["slots"] if x["speaker"]}:
            out.append({"what": "speaker_gone", "session": s["title"], "speaker": name})
    for uid, o in before.items():
        if uid not in after:
            out.append({"what": "removed", "session": o["title"]})
    return out


def latest_version(meeting: Meeting) -> ProgrammeVersion | None:
    return db.session.scalar(select(ProgrammeVersion).where(ProgrammeVersion.meeting_id == meeting.id)
                             .order_by(ProgrammeVersion.number.desc()).limit(1))


def versions(meeting: Meeting) -> list[ProgrammeVersion]:
    return list(db.session.scalars(select(ProgrammeVersion).where(ProgrammeVersion.meeting_id == meeting.id)
                                   .order_by(ProgrammeVersion.number.desc())))


def publish(meeting: Meeting, by: User) -> ProgrammeVersion:
    """A new published version; each session's iCalendar SEQUENCE grows when what it shows changed."""
    new = snapshot(meeting)
    if not new["sessions"]:
        raise UserError(_l("Add a session first."))
    last = latest_version(meeting)
    sequences = {}
    if last is not None:
        if _comparable(last.snapshot) == _comparable(new):
            raise UserError(_l("Nothing has changed since the last publication."))
        before = {s["uid"]: s for s in last.snapshot["sessions"]}
        for s in new["sessions"]:
            o = before.get(s["uid"])
            sequences[s["uid"]] = 0 if o is None else o.get("sequence", 0) + (_what(o) != _what(s))
    for s in new["sessions"]:
        s["sequence"] = sequences.get(s["uid"], 0)
    version = ProgrammeVersion(meeting=meeting, number=(last.number + 1) if last else 1, published_by_id=by.id,
                               snapshot=new, changes=changes_between(last.snapshot, new) if last else [])
    db.session.add(version)
    db.session.flush()
    audit.record("programme.publish", actor=by, target=version, detail={"meeting": meeting.id,
                                                                      "number": version.number})
    return version


def _comparable(snap: dict) -> list:
    return [_what(s) + (s["uid"], s.get("link")) for s in snap["sessions"]]


def published_texts(statement_ids) -> dict[int, int]:
    """{statement id: its published text's document id}: a text published after the programme is linked
    at once, without a new version of the programme."""
    ids = [i for i in statement_ids if i]
    if not ids:
        return {}
    rows = db.session.execute(select(Statement.id, Statement.contribution_id).join(Statement.contribution)
                              .where(Statement.id.in_(ids), Contribution.state == ContributionState.PUBLISHED))
    return dict(rows.all())


def may_see_links(user, meeting: Meeting) -> bool:
    """Online links: the secretariat, and logged-in members of an organisation with a registered delegation."""
    if not (user and user.is_authenticated):
        return False
    if user.is_secretariat:
        return True
    m = user.membership
    if m is None or m.status != MembershipStatus.ACTIVE:
        return False
    return db.session.scalar(select(Delegation.id).where(
        Delegation.meeting_id == meeting.id, Delegation.organisation_id == m.organisation_id,
        Delegation.state.in_([DelegationState.SUBMITTED, DelegationState.CONFIRMED])).limit(1)) is not None


def compendium_items(meeting: Meeting) -> list[Statement]:
    """The published statements with a published text, in programme order."""
    scheduled = [slot.statement for s in sessions(meeting) for slot in s.slots if slot.statement is not None]
    return [st for st in scheduled if st.contribution is not None and st.contribution.state == ContributionState.PUBLISHED]


# Mail ---------------------------------------------------------------------------------------------------

def _tell(org: Organisation, template: str, **context) -> None:
    for m in org.memberships:
        if m.status == MembershipStatus.ACTIVE and m.focal_point and m.user.active and m.user.is_confirmed:
            send_to_user(m.user, template, organisation=org, **context)


def reminder_window() -> timedelta:
    return timedelta(hours=current_app.config["INVITATION_REMINDER_HOURS"])
