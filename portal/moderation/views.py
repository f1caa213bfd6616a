"""The moderation queue and the secretariat's decisions; its own official documents."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import and_, exists, false, or_, select

from portal.contributions.formflow import carry_out
from portal.contributions.services import ContributionError, Details
from portal.extensions import db
from portal.meetings.services import action_lines as all_action_lines
from portal.meetings.services import lines_by_codes
from portal.meetings.views import load_meeting
from portal.models import (
    Contribution,
    ContributionState,
    DocumentFile,
    ExtractionStatus,
    Language,
    Meeting,
    Organisation,
    Series,
    Version,
)
from portal.moderation import services
from portal.moderation.forms import DecisionForm, OfficialDocumentForm
from portal.pagination import paginate
from portal.security import secretariat_required

bp = Blueprint("moderation", __name__, url_prefix="/secretariat")

S = ContributionState
STATE_FILTERS = {"submitted", "returned", "published", "rejected", "withdrawn", "draft", "all"}


@bp.before_request
@secretariat_required
def _only_secretariat():
    return None


def _queue_statement(args):
    """Versions in the queue, filtered by the allow-listed parameters."""
    state = args.get("state", "submitted")
    if state not in STATE_FILTERS:
        state = "submitted"
    stmt = (select(Version).join(Version.contribution).join(Contribution.meeting)
            .outerjoin(Contribution.organisation).where(Contribution.organisation_id.is_not(None)))
    pending_language = exists().where(and_(DocumentFile.version_id == Version.id,
                                           DocumentFile.published_at.is_(None)))
    if state == "submitted":
        stmt = stmt.where(or_(Version.state == S.SUBMITTED,
                              and_(Version.state == S.PUBLISHED, pending_language,
                                   Contribution.state == S.PUBLISHED)))
    elif state != "all":
        stmt = stmt.where(Version.state == S(state))
    meeting = args.get("meeting")
    if meeting:
        stmt = stmt.where(Meeting.code == meeting)
    if args.get("late") == "1":
        stmt = stmt.where(Version.late.is_(True))
    if args.get("extraction") == "failed":
        stmt = stmt.where(exists().where(and_(DocumentFile.version_id == Version.id,
                                              DocumentFile.extraction_status == ExtractionStatus.FAILED)))
    if args.get("unverified") == "1":
        stmt = stmt.where(Organisation.verified_at.is_(None))
    order = Version.submitted_at.asc() if state == "submitted" else Version.updated_at.desc()
    return stmt.order_by(order, Version.id), state


@bp.get("/moderation")
def queue():
    from portal.search import pending

    stmt, state = _queue_statement(request.args)
    q = (request.args.get("q") or "").strip()[:500]
    q_error = None
    if q:
        try:
            found = pending.condition(q, db.session)
        except pending.QueueQueryError as exc:
            q_error = str(exc.message)
            stmt = stmt.where(false())
        else:
            if found is not None:
                stmt = stmt.where(found)
    page = paginate(stmt)
    meetings = list(db.session.scalars(select(Meeting).order_by(Meeting.start_date.desc())))
    return render_template("moderation/queue.html", page=page, state=state, meetings=meetings,
                           args=request.args, form=DecisionForm(), q=q, q_error=q_error)


def _load_version(version_id: int) -> Version:
    v = db.session.get(Version, version_id)
    if v is None or v.contribution.organisation_id is None:
        abort(404)
    return v


@bp.get("/moderation/<int:version_id>")
def item(version_id: int):
    v = _load_version(version_id)
    form = DecisionForm(lock=v.lock_version)
    return render_template("moderation/item.html", v=v, c=v.contribution, form=form)


@bp.post("/moderation/<int:version_id>/decide")
def decide(version_id: int):
    v = _load_version(version_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        return render_template("moderation/item.html", v=v, c=v.contribution, form=form), 400
    decision = request.form.get("decision")
    lock = form.lock.data
    try:
        if decision == "publish":
            symbol = services.publish(v, current_user, confirm_unverified=form.confirm_unverified.data,
                                      expected_lock=lock)
            message = _("Published as %(symbol)s.", symbol=symbol)
        elif decision == "return":
            services.return_for_changes(v, current_user, form.comment.data or "", expected_lock=lock)
            message = _("Returned to the organisation for changes.")
        elif decision == "reject":
            services.reject(v, current_user, form.comment.data or "", expected_lock=lock)
            message = _("Rejected.")
        else:
            abort(400)
        db.session.commit()
    except services.NeedsConfirmation as exc:
        db.session.rollback()
        form.confirm_unverified.errors = [str(exc.message)]
        return render_template("moderation/item.html", v=v, c=v.contribution, form=form), 400
    except ContributionError as exc:
        db.session.rollback()
        if exc.field == "comment":
            form.comment.errors = [str(exc.message)]
            return render_template("moderation/item.html", v=v, c=v.contribution, form=form), 400
        flash(str(exc.message), "error")
        return redirect(url_for("moderation.item", version_id=v.id))
    flash(message, "success")
    return redirect(url_for("moderation.queue"))


@bp.post("/moderation/publish-selected")
def publish_selected():
    form = DecisionForm()
    if not form.validate_on_submit():
        abort(400)
    ids = [int(i) for i in request.form.getlist("selected") if i.isdigit()][:200]
    if not ids:
        flash(_("Select the items to publish."), "warning")
        return redirect(url_for("moderation.queue"))
    published, skipped = [], []
    for vid in ids:
        v = db.session.get(Version, vid)
        if v is None or v.contribution.organisation_id is None:
            continue
        try:
            symbol = services.publish(v, current_user, confirm_unverified=form.confirm_unverified.data)
            db.session.commit()
            published.append(symbol)
        except ContributionError as exc:
            db.session.rollback()
            skipped.append(_("%(title)s: %(reason)s", title=v.title[:60], reason=exc.message))
    if published:
        flash(_("Published: %(list)s.", list=", ".join(published)), "success")
    for s in skipped:
        flash(s, "warning")
    return redirect(url_for("moderation.queue"))


@bp.post("/moderation/files/<int:file_id>")
def decide_file(file_id: int):
    f = db.session.get(DocumentFile, file_id)
    if f is None or f.version.contribution.organisation_id is None:
        abort(404)
    form = DecisionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        if request.form.get("decision") == "publish":
            symbol = services.publish_language_file(f, current_user)
            message = _("Published as %(symbol)s.", symbol=symbol)
        else:
            services.discard_language_file(f, current_user, form.comment.data or "")
            message = _("The language version has been refused.")
        db.session.commit()
    except ContributionError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
    else:
        flash(message, "success")
    return redirect(url_for("moderation.queue"))


# Official documents of the secretariat --------------------------------------------------------------

@bp.route("/meetings/<code>/documents/new", methods=["GET", "POST"])
def new_official(code: str):
    meeting = load_meeting(code)
    form = OfficialDocumentForm(action_lines=all_action_lines())
    if form.validate_on_submit():
        d = Details(meeting=meeting, title=form.title.data, summary=form.summary.data or "",
                    action_lines=lines_by_codes(form.action_lines.data), language=Language(form.language.data))
        c = carry_out(form, lambda upload: services.publish_official(meeting, current_user, d, upload,
                                                                      Series(form.series.data)),
                      require_file=_("Attach the document."))
        if c is not None:
            flash(_("Published as %(symbol)s.", symbol=c.symbol(0)), "success")
            return redirect(url_for("contributions.show", contribution_id=c.id))
    status = 400 if request.method == "POST" else 200
    return render_template("moderation/official.html", form=form, meeting=meeting, contribution=None), status


@bp.route("/documents/<int:contribution_id>/revise", methods=["GET", "POST"])
def revise_official(contribution_id: int):
    c = db.session.get(Contribution, contribution_id)
    if c is None or c.organisation_id is not None or c.state != S.PUBLISHED:
        abort(404)
    form = OfficialDocumentForm(action_lines=all_action_lines(), revision=True)
    if request.method == "GET":
        form.title.data = c.current_version.title
        form.summary.data = c.current_version.summary
        form.action_lines.data = [al.code for al in c.current_version.action_lines]
    if form.validate_on_submit():
        d = Details(meeting=c.meeting, title=form.title.data, summary=form.summary.data or "",
                    action_lines=lines_by_codes(form.action_lines.data), language=c.original_language)
        v = carry_out(form, lambda upload: services.revise_official(c, current_user, d, upload),
                      require_file=_("Attach the revised document."))
        if v is not None:
            flash(_("Published as %(symbol)s.", symbol=c.symbol(v.revision)), "success")
            return redirect(url_for("contributions.show", contribution_id=c.id))
    status = 400 if request.method == "POST" else 200
    return render_template("moderation/official.html", form=form, meeting=c.meeting, contribution=c), status


