"""The programme: the secretariat builds it, invites and schedules, publishes; invited organisations answer;
anyone reads the published programme and takes it as iCalendar."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from icalendar import Calendar, Event
from markupsafe import Markup

from portal import pdf
from portal.extensions import talisman
from portal.formflow import attempt, carry_out, run
from portal.i18n import format_date_range
from portal.ids import as_id
from portal.labels import country_name
from portal.meetings.access import load_meeting
from portal.models import Gender, Language, SessionKind, SpeakerRank, StakeholderType
from portal.programme import access, rendered, services
from portal.programme.forms import (
    AcceptForm,
    DeclineForm,
    ExtendForm,
    FilterForm,
    InviteForm,
    RefuseForm,
    RequestForm,
    SessionForm,
    StatementTextForm,
)
from portal.registrations import services as registrations
from portal.security import DOWNLOAD_CSP, secretariat_required

bp = Blueprint("programme", __name__)

DEFAULT_LETTER = _l("On behalf of the WSIS Executive Secretariat, I have the honour to invite {organisation} to deliver a "
                  "policy statement in the High-Level Track of the {meeting}.\n\nPlease confirm by {deadline}, on the "
                  "portal, the name and title of the person who will speak.")


def _days(meeting) -> list[date]:
    return [meeting.start_date + timedelta(days=i) for i in range((meeting.end_date - meeting.start_date).days + 1)]


def _speaker(form, participants) -> services.Speaker:
    by_id = {str(p.id): p for p in participants}
    p = by_id.get(form.participant.data or "")
    return services.Speaker(
        name=form.speaker_name.data or (p.full_name if p else ""),
        title=form.speaker_title.data or (p.function if p else ""),
        gender=Gender(form.speaker_gender.data) if form.speaker_gender.data in {g.value for g in Gender} else
        (p.gender if p else None),
        rank=SpeakerRank(form.speaker_rank.data), participant_id=p.id if p else None,
        preferred_day=date.fromisoformat(form.preferred_day.data) if form.preferred_day.data else None)


def _participants(meeting, org):
    d = registrations.delegation_of(meeting, org)
    return list(d.participants) if d is not None else []


# The secretariat: sessions and slots ---------------------------------------------------------------------

@bp.get("/secretariat/meetings/<code>/programme")
@secretariat_required
def manage(code: str):
    meeting = load_meeting(code)
    accepted = services.statements(meeting, (services.ST.ACCEPTED,))
    return render_template("programme/manage.html", meeting=meeting, sessions=services.sessions(meeting),
                           accepted=sorted(accepted, key=services.protocol_key), latest=services.latest_version(meeting),
                           requests=services.statements(meeting, (services.ST.REQUESTED,)), refuse_form=RefuseForm())


def _session_data(form: SessionForm) -> services.SessionData:
    return services.SessionData(
        title=form.title.data, kind=SessionKind(form.kind.data), day=form.day.data, start=form.start.data,
        end=form.end.data, room=form.room.data, online=form.online.data, online_link=form.online_link.data,
        description=form.description.data, chairs=form.chairs.data, slots=form.slots.data or 0,
        slot_minutes=form.slot_minutes.data)


def _edit_session(meeting, session):
    form = SessionForm()
    if request.method == "GET":
        if session is not None:
            for name in ("title", "day", "start", "end", "room", "online", "online_link", "description", "chairs"):
                getattr(form, name).data = getattr(session, name)
            form.kind.data = session.kind.value
            form.slots.data = len(session.slots)
            form.slot_minutes.data = session.slots[0].minutes if session.slots else None
        else:
            form.day.data = meeting.start_date
    if form.validate_on_submit():
        saved = run(form, lambda: services.save_session(meeting, session, _session_data(form), current_user))
        if saved is not None:
            flash(_("The session “%(title)s” is saved.", title=saved.title), "success")
            return redirect(url_for("programme.manage", code=meeting.code) + f"#session-{saved.id}")
    status = 400 if request.method == "POST" else 200
    return render_template("programme/session_form.html", meeting=meeting, session=session, form=form), status


@bp.route("/secretariat/meetings/<code>/programme/sessions/new", methods=["GET", "POST"])
@secretariat_required
def add_session(code: str):
    return _edit_session(load_meeting(code), None)


@bp.route("/secretariat/meetings/<code>/programme/sessions/<int:session_id>", methods=["GET", "POST"])
@secretariat_required
def edit_session(code: str, session_id: int):
    meeting = load_meeting(code)
    return _edit_session(meeting, access.load_session(meeting, session_id))


@bp.post("/secretariat/meetings/<code>/programme/sessions/<int:session_id>/delete")
@secretariat_required
def delete_session(code: str, session_id: int):
    meeting = load_meeting(code)
    s = access.load_session(meeting, session_id)
    title = s.title
    if attempt(lambda: services.delete_session(s, current_user))[0]:
        flash(_("The session “%(title)s” is deleted.", title=title), "success")
    return redirect(url_for("programme.manage", code=code))


@bp.get("/secretariat/meetings/<code>/programme/slots/<int:slot_id>")
@secretariat_required
def slot(code: str, slot_id: int):
    meeting = load_meeting(code)
    chosen = access.load_slot(meeting, slot_id)
    return render_template("programme/slot.html", meeting=meeting, slot=chosen,
                           candidates=services.slot_candidates(chosen))


@bp.post("/secretariat/meetings/<code>/programme/slots/<int:slot_id>")
@secretariat_required
def assign(code: str, slot_id: int):
    meeting = load_meeting(code)
    slot = access.load_slot(meeting, slot_id)
    wanted = request.form.get("statement", "")
    if wanted and as_id(wanted) is None:
        abort(400)
    st = access.load_statement(meeting, as_id(wanted)) if wanted else None
    if attempt(lambda: services.assign(slot, st, current_user))[0]:
        flash(_("%(name)s speaks at %(time)s.", name=st.speaker_name, time=slot.starts.strftime("%H:%M")) if st
              else _("The slot is free."), "success")
    return redirect(url_for("programme.manage", code=code) + f"#session-{slot.session_id}")


@bp.get("/secretariat/meetings/<code>/programme/proposal")
@secretariat_required
def proposal(code: str):
    meeting = load_meeting(code)
    return render_template("programme/proposal.html", meeting=meeting, proposal=services.proposal(meeting))


@bp.post("/secretariat/meetings/<code>/programme/proposal")
@secretariat_required
def apply_proposal(code: str):
    meeting = load_meeting(code)
    ok, placed = attempt(lambda: services.apply_proposal(meeting, current_user))
    if ok:
        flash(ngettext("%(num)d statement is scheduled as proposed.", "%(num)d statements are scheduled as proposed.",
                       placed), "success")
    return redirect(url_for("programme.manage", code=code))


@bp.post("/secretariat/meetings/<code>/programme/publish")
@secretariat_required
def publish(code: str):
    meeting = load_meeting(code)
    ok, version = attempt(lambda: services.publish(meeting, current_user))
    if ok:
        flash(_("The programme is published (version %(n)d).", n=version.number), "success")
    return redirect(url_for("programme.manage", code=code))


# The secretariat: invitations and requests -----------------------------------------------------------------

@bp.route("/secretariat/meetings/<code>/programme/invite", methods=["GET", "POST"])
@secretariat_required
def invite(code: str):
    meeting = load_meeting(code)
    filters = FilterForm(request.args)
    orgs = services.candidates(stakeholder_type=filters.stakeholder_type.data or None,
                               country=filters.country.data or None)
    form = InviteForm(organisations=orgs)
    if request.method == "GET":
        form.letter.data = str(DEFAULT_LETTER)
    if form.validate_on_submit():
        chosen_ids = {i for i in map(as_id, form.organisations.data) if i is not None}
        everyone = form.all_governments.data
        chosen = [o for o in services.candidates(stakeholder_type=None, country=None)
                  if o.id in chosen_ids or (everyone and o.stakeholder_type == StakeholderType.GOVERNMENT)]
        outcome = run(form, lambda: services.invite(meeting, chosen, reference=form.reference.data,
                                                    letter=form.letter.data, deadline_local=form.deadline.data,
                                                    by=current_user))
        if outcome is not None:
            flash(ngettext("%(num)d invitation sent.", "%(num)d invitations sent.", len(outcome.sent)), "success")
            if outcome.already:
                flash(_("Invited before, not again: %(list)s.", list="; ".join(outcome.already)), "info")
            return redirect(url_for("programme.invitations", code=code))
    status = 400 if request.method == "POST" else 200
    return render_template("programme/invite.html", meeting=meeting, form=form, filters=filters), status


@bp.get("/secretariat/meetings/<code>/programme/invitations")
@secretariat_required
def invitations(code: str):
    meeting = load_meeting(code)
    return render_template("programme/invitations.html", meeting=meeting, invitations=services.invitations(meeting),
                           state=services.effective_state, extend_form=ExtendForm())


@bp.post("/secretariat/meetings/<code>/programme/invitations/<int:invitation_id>/withdraw")
@secretariat_required
def withdraw_invitation(code: str, invitation_id: int):
    meeting = load_meeting(code)
    inv = access.load_invitation(meeting, invitation_id)
    if attempt(lambda: services.withdraw_invitation(inv, current_user))[0]:
        flash(_("The invitation of %(org)s is withdrawn.", org=inv.organisation.name), "success")
    return redirect(url_for("programme.invitations", code=code))


@bp.post("/secretariat/meetings/<code>/programme/invitations/<int:invitation_id>/extend")
@secretariat_required
def extend(code: str, invitation_id: int):
    meeting = load_meeting(code)
    inv = access.load_invitation(meeting, invitation_id)
    form = ExtendForm()
    if form.validate_on_submit():
        if attempt(lambda: services.extend(inv, current_user, form.deadline.data))[0]:
            flash(_("The deadline for %(org)s is extended.", org=inv.organisation.name), "success")
    else:
        flash(_("Enter the new deadline."), "error")
    return redirect(url_for("programme.invitations", code=code))


@bp.post("/secretariat/meetings/<code>/programme/requests/<int:statement_id>")
@secretariat_required
def decide_request(code: str, statement_id: int):
    meeting = load_meeting(code)
    st = access.load_statement(meeting, statement_id)
    form = RefuseForm()
    if not form.validate_on_submit():
        abort(400)
    granting = request.form.get("decision") == "grant"
    if attempt(lambda: services.grant(st, current_user) if granting
               else services.refuse(st, current_user, form.comment.data or ""))[0]:
        flash(_("The request of %(org)s is granted.", org=st.organisation.name) if granting
              else _("The request of %(org)s is refused.", org=st.organisation.name), "success")
    return redirect(url_for("programme.manage", code=code) + "#requests")


@bp.get("/secretariat/meetings/<code>/programme/compendium.pdf")
@secretariat_required
@talisman(content_security_policy=DOWNLOAD_CSP, frame_options="DENY")
def compendium(code: str):
    meeting = load_meeting(code)
    items = []
    for st in services.compendium_items(meeting):
        v = st.contribution.current_version
        f = next((x for x in v.files if x.language == st.contribution.original_language), None)
        items.append({"speaker": st.speaker_name, "title": st.speaker_title, "organisation": st.organisation.name,
                      "country": country_name(st.organisation.country) if st.organisation.country else "",
                      "when": f"{st.slot.session.day.isoformat()} {st.slot.starts.strftime('%H:%M')}",
                      "symbol": st.contribution.symbol(v.revision), "text": f.text if f is not None else ""})
    if not items:
        flash(_("No statement has a published text yet."), "warning")
        return redirect(url_for("programme.manage", code=code))
    body = pdf.compendium(meeting_title=meeting.title, items=items,
                          meeting_dates=format_date_range(meeting.start_date, meeting.end_date))
    return Response(body, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="statements-{meeting.code}.pdf"', "Cache-Control": "no-store"})


# Invited organisations -------------------------------------------------------------------------------------

@bp.route("/invitations/<int:invitation_id>", methods=["GET", "POST"])
@login_required
def invitation(invitation_id: int):
    inv = access.load_invitation_for_org(invitation_id)
    meeting = inv.meeting
    people = _participants(meeting, inv.organisation)
    accept_form = AcceptForm(days=_days(meeting), participants=people)
    decline_form = DeclineForm()
    status = 200
    if request.method == "POST":
        if request.form.get("answer") == "decline":
            if decline_form.validate_on_submit() and run(
                    decline_form, lambda: services.decline(inv, current_user, decline_form.reason.data) or inv):
                flash(_("You have declined the invitation. The secretariat is told."), "success")
                return redirect(url_for("programme.invitation", invitation_id=inv.id))
        elif accept_form.validate_on_submit():
            if run(accept_form, lambda: services.accept(inv, current_user, _speaker(accept_form, people))) is not None:
                flash(_("You have accepted the invitation. The secretariat will give the speaker a slot."), "success")
                return redirect(url_for("programme.invitation", invitation_id=inv.id))
        status = 400
    return render_template("programme/invitation.html", inv=inv, meeting=meeting, state=services.effective_state(inv),
                           accept_form=accept_form, decline_form=decline_form), status


@bp.route("/meetings/<code>/statement", methods=["GET", "POST"])
@login_required
def mine(code: str):
    meeting = load_meeting(code)
    org = access.my_organisation()
    people = _participants(meeting, org)
    st = services.statement_of(meeting, org)
    form = RequestForm(days=_days(meeting), participants=people)
    text_form = StatementTextForm()
    status = 200
    if request.method == "POST" and st is None:
        if form.validate_on_submit():
            if run(form, lambda: services.request_slot(meeting, org, current_user, _speaker(form, people),
                                                       form.reason.data)) is not None:
                flash(_("Your request is sent to the secretariat."), "success")
                return redirect(url_for("programme.mine", code=code))
        status = 400
    return render_template("programme/mine.html", meeting=meeting, org=org, st=st, form=form, text_form=text_form,
                           invitation=services.invitation_of(meeting, org), state=services.effective_state), status


@bp.post("/meetings/<code>/statement/text")
@login_required
def upload_text(code: str):
    meeting = load_meeting(code)
    org = access.my_organisation()
    st = services.statement_of(meeting, org)
    if st is None:
        abort(404)
    form = StatementTextForm()
    if form.validate_on_submit():
        if carry_out(form, lambda upload: services.upload_text(st, current_user, Language(form.language.data), upload)
                     or st, require_file=_("Attach the text of the statement.")) is not None:
            flash(_("The text is sent to the secretariat, which publishes it."), "success")
            return redirect(url_for("programme.mine", code=code))
    for message in [e for f in form for e in f.errors] + list(form.form_errors):
        flash(str(message), "error")
    return redirect(url_for("programme.mine", code=code))


# The public --------------------------------------------------------------------------------------------------

@bp.get("/meetings/<code>/programme")
def show(code: str):
    meeting = load_meeting(code)
    version = services.latest_version(meeting)
    by_day: dict[str, list] = {}
    if version is not None:
        for s in version.snapshot["sessions"]:
            by_day.setdefault(s["day"], []).append(s)
    texts = services.published_texts(x["statement"] for items in by_day.values() for s in items for x in s["slots"])
    links = services.may_see_links(current_user, meeting)
    days = None
    if version is not None:
        key = ("days", version.id, meeting.code, str(get_locale()), links, tuple(sorted(texts.items())))
        days = rendered.cached(key, lambda: Markup(render_template(  # noqa: S704 # nosec B704 - an autoescaped template's output
            "programme/_days.html", meeting=meeting, by_day=by_day, texts=texts, links=links)))
    return render_template("programme/show.html", meeting=meeting, version=version, days=days,
                           versions=services.versions(meeting))


def _event(meeting, version, s: dict) -> Event:
    tz = services.zone(meeting)
    day = date.fromisoformat(s["day"])
    e = Event()
    e.add("uid", s["uid"])
    e.add("sequence", s.get("sequence", 0))
    e.add("dtstamp", version.published_at)
    e.add("last-modified", version.published_at)
    e.add("dtstart", datetime.combine(day, datetime.strptime(s["start"], "%H:%M").time(), tzinfo=tz))
    e.add("dtend", datetime.combine(day, datetime.strptime(s["end"], "%H:%M").time(), tzinfo=tz))
    e.add("summary", s["title"])
    e.add("location", s["room"] or ("Online" if s["online"] else ""))
    speakers = [f"{x['start']} {x['speaker']}, {x['title']} ({x['organisation']})" for x in s["slots"] if x["speaker"]]
    e.add("description", "\n".join(filter(None, [s.get("description"), s.get("chairs"), *speakers])))
    e.add("url", url_for("programme.show", code=meeting.code, _external=True) + f"#{s['uid']}")
    return e


def _calendar(meeting, version, items, uid: str | None = None) -> Response:
    def build() -> bytes:
        cal = Calendar()
        cal.add("prodid", "-//WSIS contribution portal//programme//EN")
        cal.add("version", "2.0")
        cal.add("x-wr-calname", meeting.title)
        for s in items:
            cal.add_component(_event(meeting, version, s))
        cal.add_missing_timezones()
        return cal.to_ical()

    key = ("ics", version.id, uid, meeting.code, meeting.title, meeting.deadline_tz, request.host_url)
    response = Response(rendered.cached(key, build), mimetype="text/calendar", headers={
        "Content-Disposition": f'attachment; filename="programme-{meeting.code}.ics"'})
    response.add_etag()
    response.last_modified = version.published_at
    return response.make_conditional(request)


@bp.get("/meetings/<code>/programme.ics")
def calendar(code: str):
    meeting = load_meeting(code)
    version = services.latest_version(meeting)
    if version is None:
        abort(404)
    return _calendar(meeting, version, version.snapshot["sessions"])


@bp.get("/meetings/<code>/programme/<uid>.ics")
def session_calendar(code: str, uid: str):
    meeting = load_meeting(code)
    version = services.latest_version(meeting)
    found = [s for s in (version.snapshot["sessions"] if version else []) if s["uid"] == uid]
    if not found:
        abort(404)
    return _calendar(meeting, version, found, uid)
