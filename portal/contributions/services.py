"""Contribution services: create, edit, submit, revise, add a language version, withdraw, and
the queries the submission pages need. They change objects and flush; the view commits once. Mail
and indexing run after commit."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.contributions.documents import (
    Details,
    apply_details,
    attach,
    notify_owner,
    now,
    record,
    set_version_state,
)
from portal.errors import UserError
from portal.extensions import db
from portal.ids import as_id
from portal.meetings import services as meetings
from portal.models import (
    Contribution,
    ContributionState,
    DocumentFile,
    Language,
    MeetingStatus,
    Organisation,
    Series,
    User,
    Version,
)
from portal.search import jobs
from portal.uploads import Upload

S = ContributionState
PENDING_STATES = (S.DRAFT, S.SUBMITTED, S.RETURNED)
MAX_COSPONSORS = 50


def _check_comments_on(d: Details) -> None:
    c = d.comments_on
    if c is None:
        return
    if c.meeting_id != d.meeting.id or c.series != Series.DOC or c.state != S.PUBLISHED:
        raise UserError(_l("Choose a published draft of the same meeting."), "comments_on")


# Creating and editing ------------------------------------------------------------------------------

def create(org: Organisation, user: User, d: Details, upload: Upload | None, *,
           submit_now: bool = False) -> Contribution:
    """A new contribution of the organisation, saved as a draft (and submitted at once if asked)."""
    if d.meeting.status != MeetingStatus.OPEN:
        raise UserError(_l("This meeting is not open for contributions."), "meeting")
    _check_comments_on(d)
    c = Contribution(meeting=d.meeting, organisation=org, created_by=user, series=Series.CONTR,
                     original_language=d.language, comments_on=d.comments_on, state=S.DRAFT,
                     cosponsors=[o for o in d.cosponsors if o.id != org.id])
    v = Version(state=S.DRAFT, created_by=user, title="", summary="")
    apply_details(v, d)
    c.versions.append(v)
    db.session.add(c)
    if upload is not None:
        attach(v, upload, d.language, user)
    db.session.flush()
    record(c, v, user, "create", None, S.DRAFT)
    if submit_now:
        submit(c, user)
    return c


def create_statement_text(org: Organisation, user: User, meeting, *, title: str, summary: str, language: Language,
                          upload: Upload) -> Contribution:
    """The text of a policy statement: a document of the meeting in series STMT, submitted at once to the
    secretariat's moderation like any contribution (same file checks; published with its own symbol)."""
    c = Contribution(meeting=meeting, organisation=org, created_by=user, series=Series.STMT,
                     original_language=language, state=S.DRAFT)
    v = Version(state=S.DRAFT, created_by=user, title=" ".join(title.split())[:500], summary=summary)
    c.versions.append(v)
    db.session.add(c)
    attach(v, upload, language, user)
    db.session.flush()
    record(c, v, user, "create", None, S.DRAFT)
    submit(c, user)
    return c


def editable_version(c: Contribution) -> Version | None:
    """The version the organisation may still change: a draft or one returned for changes."""
    v = c.latest_version
    if v is not None and v.state in (S.DRAFT, S.RETURNED) and c.state != S.WITHDRAWN:
        return v
    return None


def update(c: Contribution, user: User, d: Details, upload: Upload | None, *,
           submit_now: bool = False) -> Version:
    """Change the draft (or the version returned for changes), and submit it if asked."""
    v = editable_version(c)
    if v is None:
        raise UserError(_l("This contribution can no longer be changed. Submit a revision instead."))
    if c.first_published_at is None:
        if d.meeting.id != c.meeting_id and d.meeting.status != MeetingStatus.OPEN:
            raise UserError(_l("This meeting is not open for contributions."), "meeting")
        c.meeting = d.meeting
        c.original_language = d.language
        _check_comments_on(d)
        c.comments_on = d.comments_on
        c.cosponsors = [o for o in d.cosponsors if o.id != c.organisation_id]
    else:
        d.meeting = c.meeting
        d.language = c.original_language
        c.cosponsors = [o for o in d.cosponsors if o.id != c.organisation_id]
    apply_details(v, d)
    if upload is not None:
        attach(v, upload, c.original_language, user)
    v.lock_version += 1
    db.session.flush()
    record(c, v, user, "edit", v.state, v.state)
    if submit_now:
        submit(c, user)
    return v


def submit(c: Contribution, user: User) -> Version:
    v = editable_version(c)
    if v is None:
        raise UserError(_l("There is nothing to submit."))
    if not any(f.language == c.original_language for f in v.files):
        raise UserError(_l("Attach the document before submitting."), "file")
    meeting = c.meeting
    first = c.first_published_at is None
    statement = c.series == Series.STMT  # a statement's text follows the programme, not the call for contributions
    if first and meeting.status != MeetingStatus.OPEN and not statement:
        raise UserError(_l("This meeting is not open for contributions."), "meeting")
    late = meeting.deadline_passed() and not statement
    if late and first and not meeting.accept_late and v.state == S.DRAFT:
        raise UserError(
            _l("The deadline for this meeting has passed and it does not accept late contributions."),
            "meeting")
    before = v.state
    v.late = v.late or late
    v.submitted_at = now()
    set_version_state(v, S.SUBMITTED)
    record(c, v, user, "submit" if before == S.DRAFT else "resubmit", before, S.SUBMITTED)
    notify_owner(c, "mail/contribution_submitted.txt", version=v, late=v.late)
    return v


def start_revision(c: Contribution, user: User, d: Details, upload: Upload, *,
                   submit_now: bool = False) -> Version:
    """A new version of a published contribution: it goes back to moderation (once submitted) while
    the published one stays as it is."""
    if c.state != S.PUBLISHED:
        raise UserError(_l("Only a published contribution can be revised."))
    if editable_version(c) is not None or any(v.state == S.SUBMITTED for v in c.versions):
        raise UserError(_l("A revision of this contribution is already under way."))
    if c.meeting.status == MeetingStatus.ARCHIVED:
        raise UserError(_l("This meeting is archived: its documents can no longer be revised."))
    d.meeting = c.meeting
    d.language = c.original_language
    v = Version(state=S.DRAFT, created_by=user, title="", summary="")
    apply_details(v, d)
    c.versions.append(v)
    c.cosponsors = [o for o in d.cosponsors if o.id != c.organisation_id]
    attach(v, upload, c.original_language, user)
    db.session.flush()
    record(c, v, user, "revise", None, S.DRAFT)
    if submit_now:
        submit(c, user)
    return v


def add_language_version(c: Contribution, user: User, language: Language, upload: Upload) -> DocumentFile:
    """Another language version of the current text: while the contribution is pending it
    joins the pending version; once published it waits for the secretariat on its own."""
    if c.state == S.WITHDRAWN or c.state == S.REJECTED:
        raise UserError(_l("This contribution is closed."))
    if language == c.original_language:
        raise UserError(_l("This is the original language; replace the document instead."), "language")
    target = editable_version(c) or (c.current_version if c.state == S.PUBLISHED else c.latest_version)
    if target is None:
        raise UserError(_l("There is no version to add a language to."))
    if any(f.language == language and f.published_at is not None for f in target.files):
        raise UserError(_l("This language version is already published."), "language")
    f = attach(target, upload, language, user)
    db.session.flush()
    record(c, target, user, "add_language", target.state, target.state, comment=language.value)
    if target.state == S.PUBLISHED:
        notify_owner(c, "mail/contribution_language_added.txt", language=language)
    return f


def withdraw(c: Contribution, user: User, reason: str | None) -> Contribution:
    if c.state in (S.WITHDRAWN, S.REJECTED):
        raise UserError(_l("This contribution is already closed."))
    before = c.state
    for v in c.versions:
        if v.state in PENDING_STATES:
            v.state = S.WITHDRAWN
            v.lock_version += 1
    c.state = S.WITHDRAWN
    c.withdrawn_at = now()
    record(c, c.latest_version, user, "withdraw", before, S.WITHDRAWN, reason)
    notify_owner(c, "mail/contribution_withdrawn.txt", reason=reason)
    if c.first_published_at is not None:
        jobs.enqueue(c.id)
    return c


# Queries -----------------------------------------------------------------------------------------------

def details(*, meeting_code: str | None, title: str, summary: str, action_line_codes: list[str],
            language: str, comments_on_id: str | None = None, cosponsor_ids: list[str] = ()) -> Details:
    """The Details of a submission form's values: the meeting, the draft answered and the co-sponsors
    looked up (unknown or unverified ones left out; the service checks the rest)."""
    meeting = meetings.get_by_code(meeting_code) if meeting_code else None
    if meeting is None:
        raise UserError(_l("Choose a meeting."), "meeting")
    draft = None
    if as_id(comments_on_id) is not None:
        draft = db.session.get(Contribution, as_id(comments_on_id))
    return Details(meeting=meeting, title=title, summary=summary or "",
                   action_lines=meetings.lines_by_codes(action_line_codes), language=Language(language),
                   comments_on=draft, cosponsors=cosponsors(cosponsor_ids))


def cosponsors(ids: list[str]) -> list[Organisation]:
    """The verified organisations among these ids (at most MAX_COSPONSORS)."""
    nums = [i for i in map(as_id, ids) if i is not None][:MAX_COSPONSORS]
    if not nums:
        return []
    return list(db.session.scalars(select(Organisation).where(
        Organisation.id.in_(nums), Organisation.verified_at.is_not(None))))


def form_choices(org: Organisation | None, current_meeting=None) -> dict:
    """What the submission form offers: the open meetings (and the contribution's own, if it is no
    longer open), the action lines, the published drafts of those meetings, and the verified
    organisations that may co-sponsor."""
    open_meetings = meetings.open_meetings()
    if current_meeting is not None and current_meeting not in open_meetings:
        open_meetings = [current_meeting] + open_meetings
    orgs = db.session.scalars(select(Organisation).where(Organisation.verified_at.is_not(None))
                              .order_by(Organisation.name))
    return dict(meetings=open_meetings, action_lines=meetings.action_lines(),
                drafts=published_drafts([m.id for m in open_meetings]),
                organisations=[o for o in orgs if org is None or o.id != org.id])


def comments_on(c: Contribution) -> list[Contribution]:
    """The published contributions that answer a draft of the secretariat."""
    if c.series != Series.DOC:
        return []
    return list(db.session.scalars(
        select(Contribution).where(Contribution.comments_on_id == c.id, Contribution.state == S.PUBLISHED)
        .order_by(Contribution.number)))


def published_drafts(meeting_ids: list[int] | None = None) -> list[Contribution]:
    stmt = select(Contribution).where(Contribution.series == Series.DOC, Contribution.state == S.PUBLISHED)
    if meeting_ids is not None:
        stmt = stmt.where(Contribution.meeting_id.in_(meeting_ids))
    return list(db.session.scalars(stmt.order_by(Contribution.meeting_id, Contribution.number)))


def organisation_contributions(org: Organisation) -> list[Contribution]:
    return list(db.session.scalars(
        select(Contribution).where(Contribution.organisation_id == org.id)
        .order_by(Contribution.updated_at.desc())))
