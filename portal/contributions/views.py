"""Submission and the organisation's own contributions; the public document pages and
downloads. Views are thin: forms in, services, one commit, redirect."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from portal import storage
from portal.contributions import access, services
from portal.contributions.forms import ContributionForm, LanguageVersionForm, RevisionForm, WithdrawForm
from portal.contributions.services import ContributionError, Details, Upload
from portal.extensions import db, talisman
from portal.extract import FileRejected
from portal.meetings import services as meetings
from portal.models import (
    ActionLine,
    Contribution,
    ContributionState,
    Language,
    Meeting,
    Organisation,
)
from portal.security import DOWNLOAD_CSP
from portal.storage import StorageError

bp = Blueprint("contributions", __name__)

S = ContributionState


# Helpers -----------------------------------------------------------------------------------------

def _member_org():
    """The organisation the current user submits for, or None."""
    if not current_user.is_authenticated or not current_user.is_confirmed:
        return None
    return current_user.organisation


def _file_given(fs) -> bool:
    """A file was chosen: it has a name, or (a name the browser mangled) some bytes."""
    if fs is None or not hasattr(fs, "stream"):
        return False
    if fs.filename:
        return True
    pos = fs.stream.tell()
    first = fs.stream.read(1)
    fs.stream.seek(pos)
    return bool(first)


def _receive(form_field) -> Upload | None:
    """The uploaded file of a form field, or None if none was chosen. A refused file puts
    its reason on the field and returns None."""
    fs = form_field.data
    if not _file_given(fs):
        return None
    try:
        upload = services.receive_file(fs.stream, fs.filename)
    except FileRejected as exc:
        form_field.errors.append(str(exc.message))
        raise
    except StorageError as exc:
        form_field.errors.append(str(exc))
        raise
    if not upload.extraction.ok:
        flash(_("The text of %(name)s could not be read (%(why)s). The file is kept and the "
                "secretariat will check it.", name=upload.filename, why=_error_text(upload.extraction.error)),
              "warning")
    return upload


def _error_text(recorded: str | None) -> str:
    """An extraction error recorded in English (portal.extract.EXTRACTION_ERRORS), in the reader's language."""
    return _(recorded) if recorded else ""


def _choices_for_form():
    open_meetings = meetings.open_meetings()
    drafts = services.published_drafts([m.id for m in open_meetings])
    orgs = list(db.session.scalars(select(Organisation).where(Organisation.verified_at.is_not(None))
                                   .order_by(Organisation.name)))
    return dict(meetings=open_meetings, action_lines=meetings.action_lines(), drafts=drafts,
                organisations=[o for o in orgs if o.id != getattr(_member_org(), "id", None)])


def _lines(codes: list[str]) -> list[ActionLine]:
    if not codes:
        return []
    return list(db.session.scalars(select(ActionLine).where(ActionLine.code.in_(codes))
                                   .order_by(ActionLine.number)))


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
                   action_lines=_lines(form.action_lines.data), language=Language(form.language.data),
                   comments_on=draft, cosponsors=_orgs(form.cosponsors.data))


def _apply_error(form, exc: ContributionError) -> None:
    f = getattr(form, exc.field, None) if exc.field else None
    if f is not None:
        f.errors = list(f.errors) + [str(exc.message)]
    else:
        form.form_errors.append(str(exc.message))


def _run(form, upload: Upload | None, action):
    """Run a service and commit; on any failure roll back and remove the stored upload, so
    that nothing of a refused request stays behind."""
    try:
        result = action()
        db.session.commit()
        return result
    except ContributionError as exc:
        db.session.rollback()
        if upload is not None:
            upload.discard()
        _apply_error(form, exc)
        return None
    except BaseException:
        db.session.rollback()
        if upload is not None:
            upload.discard()
        raise


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
        try:
            upload = _receive(form.file)
        except (FileRejected, StorageError):
            upload = None
        else:
            if submitting and upload is None:
                form.file.errors = [_("Attach the document to submit it, or save a draft.")]
            else:
                def action():
                    c = services.create(org, current_user, _details(form), upload)
                    if submitting:
                        services.submit(c, current_user)
                    return c

                c = _run(form, upload, action)
                if c is not None:
                    flash(_("Your contribution has been submitted. The secretariat will review it.")
                          if submitting else _("Your draft is saved. Members of your organisation can "
                                               "see and change it until it is submitted."), "success")
                    return redirect(url_for("contributions.show", contribution_id=c.id))
    status = 400 if request.method == "POST" else 200
    return render_template("contributions/form.html", form=form, contribution=None,
                           upload_mb=current_app.config["UPLOAD_MAX_BYTES"] // (1024 * 1024)), status


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
        try:
            upload = _receive(form.file)
        except (FileRejected, StorageError):
            upload = None
        else:
            def action():
                services.update(c, current_user, _details(form), upload)
                if submitting:
                    services.submit(c, current_user)
                return c

            if _run(form, upload, action) is not None:
                flash(_("Your contribution has been submitted. The secretariat will review it.")
                      if submitting else _("Your changes are saved."), "success")
                return redirect(url_for("contributions.show", contribution_id=c.id))
    status = 400 if request.method == "POST" else 200
    return render_template("contributions/form.html", form=form, contribution=c, version=v,
                           upload_mb=current_app.config["UPLOAD_MAX_BYTES"] // (1024 * 1024)), status


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
        try:
            upload = _receive(form.file)
        except (FileRejected, StorageError):
            upload = None
        else:
            if upload is None:
                form.file.errors = [_("Attach the revised document.")]
            else:
                d = Details(meeting=c.meeting, title=form.title.data, summary=form.summary.data or "",
                            action_lines=_lines(form.action_lines.data), language=c.original_language,
                            cosponsors=_orgs(form.cosponsors.data))

                def action():
                    services.start_revision(c, current_user, d, upload)
                    if submitting:
                        services.submit(c, current_user)
                    return c

                if _run(form, upload, action) is not None:
                    flash(_("The revision has been submitted. Until the secretariat publishes it, the "
                            "published version stays as it is.") if submitting
                          else _("The revision is saved as a draft."), "success")
                    return redirect(url_for("contributions.show", contribution_id=c.id))
    status = 400 if request.method == "POST" else 200
    return render_template("contributions/revise.html", form=form, contribution=c,
                           upload_mb=current_app.config["UPLOAD_MAX_BYTES"] // (1024 * 1024)), status


@bp.route("/contributions/<int:contribution_id>/languages/new", methods=["GET", "POST"])
@login_required
def add_language(contribution_id: int):
    c = access.load_editable(contribution_id)
    if c.state in (S.WITHDRAWN, S.REJECTED):
        abort(404)
    form = LanguageVersionForm(exclude={c.original_language.value})
    if form.validate_on_submit():
        try:
            upload = _receive(form.file)
        except (FileRejected, StorageError):
            upload = None
        else:
            if upload is None:
                form.file.errors = [_("Attach the document in this language.")]
            else:
                lang = Language(form.language.data)
                if _run(form, upload, lambda: services.add_language_version(
                        c, current_user, lang, upload)) is not None:
                    flash(_("The language version is added."), "success")
                    return redirect(url_for("contributions.show", contribution_id=c.id))
    status = 400 if request.method == "POST" else 200
    return render_template("contributions/language.html", form=form, contribution=c,
                           upload_mb=current_app.config["UPLOAD_MAX_BYTES"] // (1024 * 1024)), status


@bp.route("/contributions/<int:contribution_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(contribution_id: int):
    c = access.load_editable(contribution_id)
    if c.state in (S.WITHDRAWN, S.REJECTED):
        abort(404)
    form = WithdrawForm()
    if form.validate_on_submit():
        if _run(form, None, lambda: services.withdraw(c, current_user, form.reason.data)) is not None or \
                c.state == S.WITHDRAWN:
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
