"""Delegation registration: the organisation's delegation page, the secretariat's registrations of a
meeting, the summary and exports, visa support letters, and the published list of participants."""

from __future__ import annotations

import csv
import io
import tempfile

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from openpyxl import Workbook

from portal import pdf
from portal.exports import csv_safe, xlsx_text
from portal.extensions import talisman
from portal.formflow import attempt, run
from portal.i18n import format_date_range
from portal.ids import as_id
from portal.labels import country_name, label
from portal.meetings.access import load_meeting
from portal.models import DelegationState, Gender, Participation
from portal.organisations.access import load_membership_for_decision
from portal.pagination import paginate
from portal.registrations import access, passports, services
from portal.registrations.forms import CancelForm, DecisionForm, ParticipantForm
from portal.security import DOWNLOAD_CSP, secretariat_required

bp = Blueprint("registrations", __name__)

D = DelegationState


# The organisation's delegation ------------------------------------------------------------------------------

def _data(form: ParticipantForm) -> services.ParticipantData:
    needs = form.accessibility_needs.data or None
    if getattr(form, "remove_needs", None) is not None and form.remove_needs.data:
        needs = ""
    return services.ParticipantData(
        full_name=form.full_name.data, function=form.function.data, email=form.email.data,
        gender=Gender(form.gender.data), participation=Participation(form.participation.data),
        is_head=form.is_head.data, arrival=form.arrival.data, departure=form.departure.data,
        accessibility_needs=needs, needs_visa=form.needs_visa.data,
        nationality=form.nationality.data or None, passport=form.passport.data or None)


def _delegation_page(meeting, org, d, form, status=200):
    return render_template("registrations/delegation.html", meeting=meeting, org=org, d=d, form=form,
                           refusal=services.change_refusal(d) if d is not None else None,
                           accepts=meeting.registration_accepts(), cancel_form=CancelForm()), status


@bp.get("/meetings/<code>/delegation")
@login_required
def delegation(code: str):
    meeting, org, d = access.load_for_registering(code)
    form = ParticipantForm(mode=meeting.participation)
    if d is None or not d.participants:
        form.is_head.data = True  # the first person named usually leads
    return _delegation_page(meeting, org, d, form)


@bp.post("/meetings/<code>/delegation/participants")
@login_required
def add_participant(code: str):
    meeting, org, d = access.load_for_registering(code)
    form = ParticipantForm(mode=meeting.participation)
    if form.validate_on_submit():
        p = run(form, lambda: services.add_participant(meeting, org, current_user, _data(form)))
        if p is not None:
            flash(_("%(name)s is added to the delegation.", name=p.full_name), "success")
            return redirect(url_for("registrations.delegation", code=meeting.code) + "#participants")
    return _delegation_page(meeting, org, services.delegation_of(meeting, org), form, 400)


@bp.route("/meetings/<code>/delegation/participants/<int:participant_id>", methods=["GET", "POST"])
@login_required
def edit_participant(code: str, participant_id: int):
    p = access.load_own_participant(code, participant_id)
    meeting = p.delegation.meeting
    form = ParticipantForm(mode=meeting.participation, editing=True, has_needs=bool(p.accessibility_needs))
    if request.method == "GET":
        # Accessibility needs and the passport number are not shown again (the secretariat's only).
        for name in ("full_name", "function", "email", "is_head", "arrival", "departure", "needs_visa",
                     "nationality"):
            getattr(form, name).data = getattr(p, name)
        form.gender.data = p.gender.value
        form.participation.data = p.participation.value
    if form.validate_on_submit():
        if run(form, lambda: services.update_participant(p, current_user, _data(form))) is not None:
            flash(_("The participant is saved."), "success")
            return redirect(url_for("registrations.delegation", code=meeting.code) + "#participants")
    status = 400 if request.method == "POST" else 200
    return render_template("registrations/participant.html", meeting=meeting, p=p, form=form,
                           refusal=services.change_refusal(p.delegation)), status


@bp.post("/meetings/<code>/delegation/participants/<int:participant_id>/remove")
@login_required
def remove_participant(code: str, participant_id: int):
    p = access.load_own_participant(code, participant_id)
    name = p.full_name
    if attempt(lambda: services.remove_participant(p, current_user))[0]:
        flash(_("%(name)s is removed from the delegation.", name=name), "success")
    return redirect(url_for("registrations.delegation", code=code) + "#participants")


@bp.post("/meetings/<code>/delegation/submit")
@login_required
def submit(code: str):
    meeting, org, d = access.load_for_registering(code)
    if d is None:
        abort(404)
    if attempt(lambda: services.submit(d, current_user))[0]:
        flash(_("Your registration is submitted. The secretariat will confirm it; the focal points are told by "
                "email."), "success")
    return redirect(url_for("registrations.delegation", code=code))


@bp.post("/meetings/<code>/delegation/cancel")
@login_required
def cancel(code: str):
    meeting, org, d = access.load_for_registering(code)
    if d is None:
        abort(404)
    form = CancelForm()
    if form.validate_on_submit() and attempt(lambda: services.cancel(d, current_user, form.reason.data))[0]:
        flash(_("The registration is cancelled."), "success")
    return redirect(url_for("registrations.delegation", code=code))


@bp.get("/delegations/")
@login_required
def mine():
    org = access.my_organisation()
    if org is None:
        abort(404)
    return render_template("registrations/mine.html", org=org, delegations=services.my_registrations(org),
                           meetings=services.open_for_registration())


@bp.post("/memberships/<int:membership_id>/may-register")
@login_required
def may_register(membership_id: int):
    m = load_membership_for_decision(membership_id)
    value = request.form.get("value") == "1"
    if attempt(lambda: services.set_may_register(m, current_user, value))[0]:
        flash(_("%(name)s may now register delegations.", name=m.user.name) if value
              else _("%(name)s may no longer register delegations.", name=m.user.name), "success")
    if request.form.get("back") == "secretariat" and current_user.is_secretariat:
        return redirect(url_for("secretariat.organisation", org_id=m.organisation_id))
    return redirect(url_for("organisations.members"))


# Visa support letters ---------------------------------------------------------------------------------------

@bp.get("/visa-letters/<int:letter_id>")
@login_required
@talisman(content_security_policy=DOWNLOAD_CSP, frame_options="DENY")
def letter(letter_id: int):
    v = access.load_letter(letter_id)
    p = v.participant
    meeting = p.delegation.meeting
    number = passports.decrypt(p.passport_encrypted)
    if number is None:
        abort(404)
    body = pdf.visa_letter(
        reference=v.reference, issued=v.issued_at.date(), meeting_title=meeting.title,
        meeting_dates=format_date_range(meeting.start_date, meeting.end_date), place=meeting.place or "",
        full_name=p.full_name, function=p.function, organisation=p.delegation.organisation.name,
        nationality=country_name(p.nationality), passport=number,
        arrival=p.arrival.isoformat() if p.arrival else None, departure=p.departure.isoformat() if p.departure else None)
    name = "visa-letter-" + v.reference.replace("/", "-") + ".pdf"
    return Response(body, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff"})


# The secretariat -------------------------------------------------------------------------------------------

@bp.get("/secretariat/registrations")
@secretariat_required
def meetings():
    return render_template("registrations/secretariat_meetings.html", meetings=services.open_for_registration())


@bp.get("/secretariat/meetings/<code>/registrations")
@secretariat_required
def listing(code: str):
    meeting = load_meeting(code)
    f = services.Filters.from_args(request.args)
    page = paginate(services.registrations(meeting, f))
    return render_template("registrations/secretariat_list.html", meeting=meeting, page=page, f=f,
                           form=DecisionForm(), args=request.args)


@bp.post("/secretariat/meetings/<code>/registrations/decide")
@secretariat_required
def decide_selected(code: str):
    meeting = load_meeting(code)
    form = DecisionForm()
    decision = request.form.get("decision")
    if not form.validate_on_submit() or decision not in services.DECISIONS:
        abort(400)
    ids = [i for i in map(as_id, request.form.getlist("selected")) if i is not None][:500]
    if not ids:
        flash(_("Select the registrations to decide."), "warning")
        return redirect(url_for("registrations.listing", code=code))
    outcome = run(form, lambda: services.decide_many(ids, meeting, current_user, decision, form.comment.data or ""))
    if outcome is None:
        for message in form.comment.errors or form.form_errors:
            flash(message, "error")
    else:
        if outcome.done:
            flash(_("Decided for: %(list)s.", list=", ".join(outcome.done)), "success")
        for org, reason in outcome.skipped:
            flash(_("%(title)s: %(reason)s", title=org, reason=reason), "warning")
    return redirect(url_for("registrations.listing", code=code))


@bp.get("/secretariat/delegations/<int:delegation_id>")
@secretariat_required
def item(delegation_id: int):
    d = access.load_delegation(delegation_id)
    return render_template("registrations/secretariat_item.html", d=d, meeting=d.meeting,
                           form=DecisionForm(lock=d.lock_version), passport=passports.decrypt,
                           masked=passports.masked)


@bp.post("/secretariat/delegations/<int:delegation_id>/decide")
@secretariat_required
def decide(delegation_id: int):
    d = access.load_delegation(delegation_id)
    form = DecisionForm()
    decision = request.form.get("decision")
    if decision not in services.DECISIONS:
        abort(400)
    if form.validate_on_submit():
        if run(form, lambda: services.decide(d, current_user, decision, form.comment.data or "",
                                             expected_lock=form.lock.data) or d) is not None:
            flash({"confirm": _("The delegation is confirmed."), "return": _("Returned to the organisation for changes."),
                   "refuse": _("The registration is refused.")}[decision], "success")
            return redirect(url_for("registrations.listing", code=d.meeting.code))
        if form.form_errors:
            for message in form.form_errors:
                flash(message, "error")
            return redirect(url_for("registrations.item", delegation_id=d.id))
    return render_template("registrations/secretariat_item.html", d=d, meeting=d.meeting, form=form,
                           passport=passports.decrypt, masked=passports.masked), 400


@bp.post("/secretariat/visa-letters/<int:letter_id>/withdraw")
@secretariat_required
def withdraw_letter(letter_id: int):
    v = access.load_letter_for_secretariat(letter_id)
    if attempt(lambda: services.withdraw_letter(v, current_user))[0]:
        flash(_("The visa support letter %(ref)s is withdrawn.", ref=v.reference), "success")
    return redirect(url_for("registrations.item", delegation_id=v.participant.delegation_id))


@bp.post("/secretariat/participants/<int:participant_id>/letter")
@secretariat_required
def reissue_letter(participant_id: int):
    p = access.load_participant_for_secretariat(participant_id)
    ok, v = attempt(lambda: services.reissue_letter(p, current_user))
    if ok:
        flash(_("A new visa support letter %(ref)s is issued.", ref=v.reference), "success")
    return redirect(url_for("registrations.item", delegation_id=p.delegation_id))


@bp.get("/secretariat/meetings/<code>/registrations/summary")
@secretariat_required
def summary(code: str):
    meeting = load_meeting(code)
    confirmed_only = request.args.get("states") == "confirmed"
    rows = services.summary(meeting, (D.CONFIRMED,) if confirmed_only else services.REGISTERED)
    return render_template("registrations/summary.html", meeting=meeting, rows=rows, confirmed_only=confirmed_only)


def _export_states():
    return services.REGISTERED if request.args.get("states") == "registered" else (D.CONFIRMED,)


def _header() -> list[str]:
    return [_("Organisation"), _("Country"), _("Stakeholder type"), _("Full name"), _("Function"),
            _("Head of delegation"), _("Participation"), _("Arrival"), _("Departure")]


def _rows(meeting, states):
    """The export's rows, the names of countries and the labels looked up once each."""
    countries: dict = {}
    labels: dict = {}
    yes = _("yes")
    for r in services.participant_rows(meeting, states):
        country = countries.get(r[1])
        if country is None:
            country = countries[r[1]] = country_name(r[1]) if r[1] else ""
        kind = labels.get(r[2]) or labels.setdefault(r[2], label(r[2]))
        mode = labels.get(r[6]) or labels.setdefault(r[6], label(r[6]))
        yield [r[0], country, kind, r[3], r[4], yes if r[5] else "", mode,
               r[7].isoformat() if r[7] else "", r[8].isoformat() if r[8] else ""]


@bp.get("/secretariat/meetings/<code>/participants.csv")
@secretariat_required
def export_csv(code: str):
    meeting = load_meeting(code)
    states = _export_states()

    def rows():
        buf = io.StringIO()
        out = csv.writer(buf)
        yield "\ufeff"  # a byte order mark: spreadsheets then read UTF-8
        out.writerow(_header())
        for row in _rows(meeting, states):
            out.writerow(csv_safe(row))
            if buf.tell() > 64 * 1024:
                yield buf.getvalue()
                buf.seek(0)
                buf.truncate()
        yield buf.getvalue()

    return Response(stream_with_context(rows()), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="participants-{meeting.code}.csv"', "Cache-Control": "no-store"})


@bp.get("/secretariat/meetings/<code>/participants.xlsx")
@secretariat_required
def export_xlsx(code: str):
    meeting = load_meeting(code)
    wb = Workbook(write_only=True)  # rows go to a temporary file as they come: memory stays flat
    ws = wb.create_sheet(meeting.code[:31])
    ws.append(_header())
    for row in _rows(meeting, _export_states()):
        ws.append(xlsx_text(ws, row))
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    wb.save(spool)
    spool.seek(0)

    def chunks():
        with spool:
            while data := spool.read(256 * 1024):
                yield data

    return Response(chunks(), mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="participants-{meeting.code}.xlsx"',
                             "Cache-Control": "no-store"})


@bp.post("/secretariat/meetings/<code>/participants/publish")
@secretariat_required
def publish_participants(code: str):
    meeting = load_meeting(code)
    publish = request.form.get("value") == "1"
    if attempt(lambda: services.publish_participants(meeting, current_user, publish))[0]:
        flash(_("The list of participants is published on the meeting's page.") if publish
              else _("The list of participants is no longer published."), "success")
    return redirect(url_for("registrations.listing", code=code))


# The public -----------------------------------------------------------------------------------------------

@bp.get("/meetings/<code>/participants")
def participants(code: str):
    meeting = load_meeting(code)
    if meeting.participants_published_at is None:
        abort(404)
    return render_template("registrations/participants.html", meeting=meeting,
                           rows=services.published_participants(meeting))
