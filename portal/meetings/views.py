"""Public meeting and action-line pages; the secretariat's meeting form."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.contributions import listing, listing_cache
from portal.formflow import run
from portal.meetings import services
from portal.meetings.access import load_action_line, load_meeting
from portal.meetings.forms import MeetingForm
from portal.models import (
    GENEVA,
    ContributionState,
    Meeting,
    MeetingStatus,
    MeetingType,
    ParticipationMode,
    RegistrationStatus,
    Series,
)
from portal.programme import services as programme
from portal.registrations import access as registration_access
from portal.registrations import services as registrations
from portal.security import secretariat_required
from portal.stocktaking import services as stocktaking

bp = Blueprint("meetings", __name__)


@bp.get("/meetings/")
def index():
    upcoming, past = services.listing()
    return render_template("meetings/index.html", upcoming=upcoming, past=past,
                           counts=listing.counts_by_meeting())


@bp.get("/meetings/<code>")
def show(code: str):
    meeting = load_meeting(code)
    view = request.args.get("view", "lines")
    if view not in ("lines", "table"):
        view = "lines"

    def render_documents() -> str:
        docs = listing.meeting_documents(meeting)
        official = [c for c in docs if c.series != Series.CONTR]
        contributions = [c for c in docs if c.series == Series.CONTR]
        return render_template(
            "meetings/_meeting_documents.html", meeting=meeting, official=official, contributions=contributions,
            groups=listing.group_by_action_line(contributions, services.action_lines()),
            published_count=sum(1 for c in contributions if c.state == ContributionState.PUBLISHED),
            view=view)

    documents = listing_cache.fragment(("meeting", meeting.id, view), [f"meeting:{meeting.id}"], render_documents)
    return render_template("meetings/show.html", meeting=meeting, documents=documents,
                           registration=registrations.public_counts(meeting),
                           programme=programme.latest_version(meeting), statements=programme.takes_statements(meeting),
                           invitation=programme.awaiting_answer(meeting, registration_access.my_organisation()))


def _data_from(form: MeetingForm) -> services.MeetingData:
    return services.MeetingData(
        code=form.code.data, title=form.title.data, type=MeetingType(form.type.data),
        place=form.place.data, virtual=form.virtual.data, start_date=form.start_date.data,
        end_date=form.end_date.data, deadline_local=form.deadline.data,
        deadline_tz=form.deadline_tz.data, accept_late=form.accept_late.data,
        symbol_prefix=form.symbol_prefix.data, status=MeetingStatus(form.status.data),
        description=form.description.data, registration=RegistrationStatus(form.registration.data),
        registration_deadline_local=form.registration_deadline.data,
        max_delegation_size=form.max_delegation_size.data, participation=ParticipationMode(form.participation.data),
    )


def _edit(meeting: Meeting | None):
    form = MeetingForm(obj=meeting)
    if request.method == "GET":
        if meeting is not None:
            form.type.data = meeting.type.value
            form.status.data = meeting.status.value
            local = meeting.deadline_local
            form.deadline.data = local.replace(tzinfo=None) if local else None
            form.registration.data = meeting.registration.value
            form.participation.data = meeting.participation.value
            local = meeting.registration_deadline_local
            form.registration_deadline.data = local.replace(tzinfo=None) if local else None
        else:
            form.deadline_tz.data = GENEVA
            form.status.data = MeetingStatus.UPCOMING.value
    if form.validate_on_submit():
        saved = run(form, lambda: services.save_meeting(meeting, _data_from(form), current_user))
        if saved is not None:
            flash(_("The meeting %(code)s is saved.", code=saved.code), "success")
            return redirect(url_for("meetings.show", code=saved.code))
    status = 400 if request.method == "POST" else 200
    return render_template("meetings/edit.html", form=form, meeting=meeting), status


@bp.route("/meetings/new", methods=["GET", "POST"])
@secretariat_required
def create():
    return _edit(None)


@bp.route("/meetings/<code>/edit", methods=["GET", "POST"])
@secretariat_required
def edit(code: str):
    return _edit(load_meeting(code))


@bp.get("/action-lines/")
def action_lines():
    return render_template("meetings/action_lines.html", action_lines=services.action_lines(),
                           counts=listing.counts_by_action_line())


@bp.get("/action-lines/<code>")
def action_line(code: str):
    line = load_action_line(code)
    if line.code != code:
        return redirect(url_for("meetings.action_line", code=line.code), 301)

    def render_documents() -> str:
        return render_template("meetings/_action_line_documents.html", line=line,
                               groups=listing.action_line_documents(line),
                               published_count=listing.count_published(line=line))

    documents = listing_cache.fragment(("action_line", line.id), [f"line:{line.id}"], render_documents)
    activities, activity_count = stocktaking.action_line_entries(line)
    return render_template("meetings/action_line.html", line=line, documents=documents, activities=activities,
                           activity_count=activity_count)
