"""Submission and the organisation's own contributions; the public document pages and
downloads. Views are thin: forms in, services, one commit, redirect."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from portal import storage
from portal.contributions import access, services
from portal.contributions.formflow import carry_out, run
from portal.contributions.forms import ContributionForm, LanguageVersionForm, RevisionForm, WithdrawForm
from portal.contributions.services import ContributionError, Details
from portal.extensions import db, talisman
from portal.meetings import services as meetings
from portal.models import (
    Contribution,
    ContributionState,
    Language,
    Meeting,
    Organisation,
)
from portal.security import DOWNLOAD_CSP

bp = Blueprint("contributions", __name__)

S = ContributionState


# Helpers -----------------------------------------------------------------------------------------

def _member_org():
    """The organisation the current user submits for, or None."""
    if not current_user.is_authenticated or not current_user.is_confirmed:
        return None
    return current_user.organisation


def _choices_for_form():
    open_meetings = meetings.open_meetings()
    drafts = services.published_drafts([m.id for m in open_meetings])
    orgs = list(db.session.scalars(select(Organisation).where(Organisation.verified_at.is_not(None))
                                   .order_by(Organisation.name)))
    return dict(meetings=open_meetings, action_lines=meetings.action_lines(), drafts=drafts,
                organisations=[o for o in orgs if o.id != getattr(_member_org(), "id", None)])


def _orgs(ids: list[str]) -> list[Organisation]:
    nums = [int(i) for i in ids if str(i).isdigit()][:50]
    if not nums:
        return []
    return list(db.session.scalars(select(Organisation).where(
        Organisation.id.in_(nums), Organisation.verified_at.is_not(None))))


def _details(form: ContributionForm) -> Details:
    meeting = db.session.scalar(select(Meeting).where(Meeting.code == form.meeting.data))
    draft = None
    if form.comments_on.data and form.comments_on.data.isdigit():
        draft = db.session.get(Contribution, int(form.comments_on.data))
    return Details(meeting=meeting, title=form.title.data, summary=form.summary.data or "",
                   action_lines=meetings.lines_by_codes(form.action_lines.data), language=Language(form.language.data),
                   comments_on=draft, cosponsors=_orgs(form.cosponsors.data))


# Submission -------------------------------------------------------------------------------------

@bp.route("/contributions/new", methods=["GET", "POST"])
@login_required
def create():
    org = _member_org()
    if org is None:
        return render_template("contributions/no_organisation.html"), 403
    form = ContributionForm(**_choices_for_form())
    if request.method == "GET":
        wanted = request.args.get("meeting")
        if wanted:
            form.meeting.data = wanted
    if form.validate_on_submit():
        submitting = form.submit.data

        def action(upload):
            c = services.create(org, current_user, _details(form), upload)
            if submitting:
                services.submit(c, current_user)
            return c

        c = carry_out(form, action, require_file=_("Attach the document to submit it, or save a draft.")
                      if submitting else None)
        if c is not None:
            flash(_("Your contribution has been submitted. The secretariat will review it.")
                  if submitting else _("Your draft is saved. Members of your organisation can "
                                       "see and change it until it is submitted."), "success")
            return redirect(url_for("contributions.show", contribution_id=c.id))
    status = 400 if request.method == "POST" else 200
    return render_template("contributions/form.html", form=form, contribution=None), status


@bp.get("/contributions/")
@login_required
def mine():
    org = _member_org()
    if org is None:
        return render_template("contributions/no_organisation.html"), 403
    items = services.organisation_contributions(org)
    return render_template("contributions/mine.html", org=org, items=items)


@bp.route("/contributions/<int:contribution_id>/edit", methods=["GET", "POST"])
@login_required
def edit(contribution_id: int):
    c = access.load_editable(contribution_id)
    v = services.editable_version(c)
    if v is None:
        flash(_("This contribution can no longer be changed. Submit a revision instead."), "warning")
        return redirect(url_for("contributions.show", contribution_id=c.id))
    choices = _choices_for_form()
    if c.meeting not in choices["meetings"]:
        choices["meetings"] = [c.meeting] + choices["meetings"]
    form = ContributionForm(**choices)
    if request.method == "GET":
        form.meeting.data = c.meeting.code
        form.title.data = v.title
        form.summary.data = v.summary
        form.action_lines.data = [al.code for al in v.action_lines]
        form.language.data = c.original_language.value
        form.comments_on.data = str(c.comments_on_id or "")
        form.cosponsors.data = [str(o.id) for o in c.cosponsors]
    if form.validate_on_submit():
        submitting = form.submit.data

        def action(upload):
            services.update(c, current_user, _details(form), upload)
            if submitting:
                services.submit(c, current_user)
            return c

        if carry_out(form, action) is not None:
            flash(_("Your contribution has been submitted. The secretariat will review it.")
                  if submitting else _("Your changes are saved."), "success")
            return redirect(url_for("contributions.show", contribution_id=c.id))
    status = 400 if request.method == "POST" else 200
    return render_template("contributions/form.html", form=form, contribution=c, version=v), status


@bp.post("/contributions/<int:contribution_id>/submit")
@login_required
def submit(contribution_id: int):
    c = access.load_editable(contribution_id)
    try:
        services.submit(c, current_user)
        db.session.commit()
    except ContributionError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
    else:
        flash(_("Your contribution has been submitted. The secretariat will review it."), "success")
    return redirect(url_for("contributions.show", contribution_id=c.id))


@bp.route("/contributions/<int:contribution_id>/revise", methods=["GET", "POST"])
@login_required
def revise(contribution_id: int):
    c = access.load_editable(contribution_id)
    if c.state != S.PUBLISHED or c.organisation_id is None:
        abort(404)
    current = c.current_version
    choices = _choices_for_form()
    form = RevisionForm(action_lines=choices["action_lines"], organisations=choices["organisations"])
    if request.method == "GET":
        form.title.data = current.title
        form.summary.data = current.summary
        form.action_lines.data = [al.code for al in current.action_lines]
        form.cosponsors.data = [str(o.id) for o in c.cosponsors]
    if form.validate_on_submit():
        submitting = form.submit.data
        d = Details(meeting=c.meeting, title=form.title.data, summary=form.summary.data or "",
                    action_lines=meetings.lines_by_codes(form.action_lines.data), language=c.original_language,
                    cosponsors=_orgs(form.cosponsors.data))

        def action(upload):
            services.start_revision(c, current_user, d, upload)
            if submitting:
                services.submit(c, current_user)
            return c

        if carry_out(form, action, require_file=_("Attach the revised document.")) is not None:
            flash(_("The revision has been submitted. Until the secretariat publishes it, the "
                    "published version stays as it is.") if submitting
                  else _("The revision is saved as a draft."), "success")
            return redirect(url_for("contributions.show", contribution_id=c.id))
    status = 400 if request.method == "POST" else 200
    return render_template("contributions/revise.html", form=form, contribution=c), status


@bp.route("/contributions/<int:contribution_id>/languages/new", methods=["GET", "POST"])
@login_required
def add_language(contribution_id: int):
    c = access.load_editable(contribution_id)
    if c.state in (S.WITHDRAWN, S.REJECTED):
        abort(404)
    form = LanguageVersionForm(exclude={c.original_language.value})
    if form.validate_on_submit():
        lang = Language(form.language.data)
        if carry_out(form, lambda upload: services.add_language_version(c, current_user, lang, upload),
                     require_file=_("Attach the document in this language.")) is not None:
            flash(_("The language version is added."), "success")
            return redirect(url_for("contributions.show", contribution_id=c.id))
    status = 400 if request.method == "POST" else 200
    return render_template("contributions/language.html", form=form, contribution=c), status


@bp.route("/contributions/<int:contribution_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(contribution_id: int):
    c = access.load_editable(contribution_id)
    if c.state in (S.WITHDRAWN, S.REJECTED):
        abort(404)
    form = WithdrawForm()
    if form.validate_on_submit():
        if run(form, None, lambda: services.withdraw(c, current_user, form.reason.data)) is not None:
            flash(_("The contribution has been withdrawn."), "success")
            return redirect(url_for("contributions.show", contribution_id=c.id))
    return render_template("contributions/withdraw.html", form=form, contribution=c)


# Public pages ---------------------------------------------------------------------------------------

@bp.get("/documents/<int:contribution_id>")
def show(contribution_id: int):
    c = access.load_contribution(contribution_id)
    insider = access.can_see_unpublished(current_user, c)
    versions = [v for v in c.versions if insider or v.state == S.PUBLISHED]
    comments = []
    if c.series.value == "DOC":
        comments = list(db.session.scalars(
            select(Contribution).where(Contribution.comments_on_id == c.id, Contribution.state == S.PUBLISHED)
            .order_by(Contribution.number)))
    return render_template("contributions/show.html", c=c, versions=list(reversed(versions)),
                           insider=insider, can_edit=access.can_edit(current_user, c),
                           editable=services.editable_version(c), comments=comments)


@bp.get("/documents/<int:contribution_id>/files/<int:file_id>")
@talisman(content_security_policy=DOWNLOAD_CSP, frame_options="DENY")
def download(contribution_id: int, file_id: int):
    f = access.load_file_for_download(contribution_id, file_id)
    try:
        return storage.download_response(f.storage_key, download_name=f.filename, mimetype=f.mimetype)
    except FileNotFoundError:
        current_app.logger.error("stored file missing for document file %s", f.id)
        abort(404)
