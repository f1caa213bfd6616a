"""Submission and the organisation's own contributions; the public document pages and
downloads. Views are thin: forms in, services, one commit, redirect."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal import storage
from portal.contributions import access, documents, services
from portal.contributions.forms import ContributionForm, LanguageVersionForm, RevisionForm, WithdrawForm
from portal.extensions import talisman
from portal.formflow import attempt, carry_out, run
from portal.models import ContributionState, Language
from portal.security import DOWNLOAD_CSP

bp = Blueprint("contributions", __name__)

S = ContributionState


def _member_org():
    """The organisation the current user submits for, or None."""
    if not current_user.is_authenticated or not current_user.is_confirmed:
        return None
    return current_user.organisation


def _details(form, contribution=None):
    """The Details of a submitted form; a revision keeps its contribution's meeting and language."""
    if contribution is not None:
        meeting_code, language, draft = contribution.meeting.code, contribution.original_language.value, None
    else:
        meeting_code, language, draft = form.meeting.data, form.language.data, form.comments_on.data
    return services.details(meeting_code=meeting_code, title=form.title.data, summary=form.summary.data,
                            action_line_codes=form.action_lines.data, language=language,
                            comments_on_id=draft, cosponsor_ids=form.cosponsors.data)


def _shown_again(template: str, **context):
    """A form page: 200 when first shown, 400 when a submission came back with its errors."""
    return render_template(template, **context), 400 if request.method == "POST" else 200


# Submission -------------------------------------------------------------------------------------

@bp.route("/contributions/new", methods=["GET", "POST"])
@login_required
def create():
    org = _member_org()
    if org is None:
        return render_template("contributions/no_organisation.html"), 403
    form = ContributionForm(**services.form_choices(org))
    if request.method == "GET" and request.args.get("meeting"):
        form.meeting.data = request.args["meeting"]
    if form.validate_on_submit():
        submitting = form.submit.data
        c = carry_out(form, lambda upload: services.create(org, current_user, _details(form), upload,
                                                           submit_now=submitting),
                      require_file=_("Attach the document to submit it, or save a draft.") if submitting else None)
        if c is not None:
            flash(_("Your contribution has been submitted. The secretariat will review it.") if submitting
                  else _("Your draft is saved. Only the members of your organisation and the secretariat "
                         "can see it; your organisation's members can change it until it is submitted."),
                  "success")
            return redirect(url_for("contributions.show", contribution_id=c.id))
    return _shown_again("contributions/form.html", form=form, contribution=None)


@bp.get("/contributions/")
@login_required
def mine():
    org = _member_org()
    if org is None:
        return render_template("contributions/no_organisation.html"), 403
    return render_template("contributions/mine.html", org=org, items=services.organisation_contributions(org))


@bp.route("/contributions/<int:contribution_id>/edit", methods=["GET", "POST"])
@login_required
def edit(contribution_id: int):
    c = access.load_editable(contribution_id)
    v = services.editable_version(c)
    if v is None:
        flash(_("This contribution can no longer be changed. Submit a revision instead."), "warning")
        return redirect(url_for("contributions.show", contribution_id=c.id))
    form = ContributionForm(**services.form_choices(c.organisation, current_meeting=c.meeting))
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
        if carry_out(form, lambda upload: services.update(c, current_user, _details(form), upload,
                                                          submit_now=submitting)) is not None:
            flash(_("Your contribution has been submitted. The secretariat will review it.")
                  if submitting else _("Your changes are saved."), "success")
            return redirect(url_for("contributions.show", contribution_id=c.id))
    return _shown_again("contributions/form.html", form=form, contribution=c, version=v)


@bp.post("/contributions/<int:contribution_id>/submit")
@login_required
def submit(contribution_id: int):
    c = access.load_editable(contribution_id)
    if attempt(lambda: services.submit(c, current_user))[0]:
        flash(_("Your contribution has been submitted. The secretariat will review it."), "success")
    return redirect(url_for("contributions.show", contribution_id=c.id))


@bp.route("/contributions/<int:contribution_id>/revise", methods=["GET", "POST"])
@login_required
def revise(contribution_id: int):
    c = access.load_revisable(contribution_id)
    current = c.current_version
    choices = services.form_choices(c.organisation)
    form = RevisionForm(action_lines=choices["action_lines"], organisations=choices["organisations"])
    if request.method == "GET":
        form.title.data = current.title
        form.summary.data = current.summary
        form.action_lines.data = [al.code for al in current.action_lines]
        form.cosponsors.data = [str(o.id) for o in c.cosponsors]
    if form.validate_on_submit():
        submitting = form.submit.data
        if carry_out(form, lambda upload: services.start_revision(c, current_user, _details(form, c), upload,
                                                                  submit_now=submitting),
                     require_file=_("Attach the revised document.")) is not None:
            flash(_("The revision has been submitted. Until the secretariat publishes it, the "
                    "published version stays as it is.") if submitting
                  else _("The revision is saved as a draft."), "success")
            return redirect(url_for("contributions.show", contribution_id=c.id))
    return _shown_again("contributions/revise.html", form=form, contribution=c)


@bp.route("/contributions/<int:contribution_id>/languages/new", methods=["GET", "POST"])
@login_required
def add_language(contribution_id: int):
    c = access.load_open(contribution_id)
    form = LanguageVersionForm(exclude={c.original_language.value})
    if form.validate_on_submit():
        lang = Language(form.language.data)
        if carry_out(form, lambda upload: services.add_language_version(c, current_user, lang, upload),
                     require_file=_("Attach the document in this language.")) is not None:
            flash(_("The language version is added."), "success")
            return redirect(url_for("contributions.show", contribution_id=c.id))
    return _shown_again("contributions/language.html", form=form, contribution=c)


@bp.route("/contributions/<int:contribution_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(contribution_id: int):
    c = access.load_open(contribution_id)
    form = WithdrawForm()
    if form.validate_on_submit():
        if run(form, lambda: services.withdraw(c, current_user, form.reason.data)) is not None:
            flash(_("The contribution has been withdrawn."), "success")
            return redirect(url_for("contributions.show", contribution_id=c.id))
    return render_template("contributions/withdraw.html", form=form, contribution=c)


# Public pages ---------------------------------------------------------------------------------------

@bp.get("/documents/<int:contribution_id>")
def show(contribution_id: int):
    c = access.load_contribution(contribution_id)
    insider = access.can_see_unpublished(current_user, c)
    versions = [v for v in c.versions if insider or v.state == S.PUBLISHED]
    return render_template("contributions/show.html", c=c, versions=list(reversed(versions)),
                           insider=insider, can_edit=access.can_edit(current_user, c),
                           editable=services.editable_version(c), comments=services.comments_on(c))


@bp.get("/documents/<int:contribution_id>/files/<int:file_id>")
@talisman(content_security_policy=DOWNLOAD_CSP, frame_options="DENY")
def download(contribution_id: int, file_id: int):
    f = access.load_file_for_download(contribution_id, file_id)
    try:
        return storage.download_response(f.storage_key, download_name=documents.download_name(f),
                                         mimetype=f.mimetype)
    except FileNotFoundError:
        current_app.logger.error("stored file missing for document file %s", f.id)
        abort(404)
