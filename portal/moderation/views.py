"""The moderation queue and the secretariat's decisions; its own official documents."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.contributions.documents import Details
from portal.formflow import attempt, carry_out, run
from portal.ids import as_id
from portal.meetings import services as meetings
from portal.meetings.access import load_meeting
from portal.models import Language, Series
from portal.moderation import access, queue, services
from portal.moderation.forms import DecisionForm, OfficialDocumentForm
from portal.pagination import paginate
from portal.security import secretariat_required

bp = Blueprint("moderation", __name__, url_prefix="/secretariat")

MAX_SELECTED = 200


@bp.before_request
@secretariat_required
def _only_secretariat():
    return None


@bp.get("/moderation", endpoint="queue")
def queue_page():
    filters = queue.Filters.from_args(request.args)
    listed = queue.queue(filters)
    return render_template("moderation/queue.html", page=paginate(listed.statement), state=filters.state,
                           meetings=queue.meetings(), args=request.args, form=DecisionForm(),
                           q=filters.q, q_error=listed.q_error)


@bp.get("/moderation/<int:version_id>")
def item(version_id: int):
    v = access.load_version(version_id)
    return render_template("moderation/item.html", v=v, c=v.contribution, form=DecisionForm(lock=v.lock_version))


@bp.post("/moderation/<int:version_id>/decide")
def decide(version_id: int):
    v = access.load_version(version_id)
    form = DecisionForm()
    decision = request.form.get("decision")
    if decision not in services.DECISIONS:
        abort(400)
    if form.validate_on_submit():
        done = run(form, lambda: services.decide(v, current_user, decision, comment=form.comment.data or "",
                                                 confirm_unverified=form.confirm_unverified.data,
                                                 expected_lock=form.lock.data) or "")
        if done is not None:
            flash(_("Published as %(symbol)s.", symbol=done) if decision == "publish"
                  else _("Returned to the organisation for changes.") if decision == "return"
                  else _("Rejected."), "success")
            return redirect(url_for("moderation.queue"))
        if form.form_errors:  # decided meanwhile, or no longer possible: said on the item's page
            for message in form.form_errors:
                flash(message, "error")
            return redirect(url_for("moderation.item", version_id=v.id))
    return render_template("moderation/item.html", v=v, c=v.contribution, form=form), 400


@bp.post("/moderation/publish-selected")
def publish_selected():
    form = DecisionForm()
    if not form.validate_on_submit():
        abort(400)
    ids = [i for i in map(as_id, request.form.getlist("selected")) if i is not None][:MAX_SELECTED]
    if not ids:
        flash(_("Select the items to publish."), "warning")
        return redirect(url_for("moderation.queue"))
    outcome = run(form, lambda: services.publish_many(ids, current_user,
                                                      confirm_unverified=form.confirm_unverified.data))
    if outcome is not None:
        if outcome.published:
            flash(_("Published: %(list)s.", list=", ".join(outcome.published)), "success")
        for title, reason in outcome.skipped:
            flash(_("%(title)s: %(reason)s", title=title[:60], reason=reason), "warning")
    return redirect(url_for("moderation.queue"))


@bp.post("/moderation/files/<int:file_id>")
def decide_file(file_id: int):
    f = access.load_file(file_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        abort(400)
    publishing = request.form.get("decision") == "publish"
    done, symbol = attempt(lambda: services.decide_language_file(f, current_user, publishing,
                                                                 form.comment.data or ""))
    if done:
        flash(_("Published as %(symbol)s.", symbol=symbol) if publishing
              else _("The language version has been refused."), "success")
    return redirect(url_for("moderation.queue"))


# Official documents of the secretariat --------------------------------------------------------------

def _official_details(form: OfficialDocumentForm, meeting, language: Language) -> Details:
    return Details(meeting=meeting, title=form.title.data, summary=form.summary.data or "",
                   action_lines=meetings.lines_by_codes(form.action_lines.data), language=language)


@bp.route("/meetings/<code>/documents/new", methods=["GET", "POST"])
def new_official(code: str):
    meeting = load_meeting(code)
    form = OfficialDocumentForm(action_lines=meetings.action_lines())
    if form.validate_on_submit():
        d = _official_details(form, meeting, Language(form.language.data))
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
    c = access.load_official(contribution_id)
    form = OfficialDocumentForm(action_lines=meetings.action_lines(), revision=True)
    if request.method == "GET":
        form.title.data = c.current_version.title
        form.summary.data = c.current_version.summary
        form.action_lines.data = [al.code for al in c.current_version.action_lines]
    if form.validate_on_submit():
        d = _official_details(form, c.meeting, c.original_language)
        v = carry_out(form, lambda upload: services.revise_official(c, current_user, d, upload),
                      require_file=_("Attach the revised document."))
        if v is not None:
            flash(_("Published as %(symbol)s.", symbol=c.symbol(v.revision)), "success")
            return redirect(url_for("contributions.show", contribution_id=c.id))
    status = 400 if request.method == "POST" else 200
    return render_template("moderation/official.html", form=form, meeting=c.meeting, contribution=c), status
