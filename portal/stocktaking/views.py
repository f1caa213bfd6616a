"""The WSIS Stocktaking: the public database of activities, the organisations' questionnaire, the
secretariat's moderation and yearly calls, the contact form and the yearly report."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from portal import pdf, regions, search, storage
from portal.errors import UserError
from portal.extensions import db, talisman
from portal.formflow import apply_error, attempt, receive, run
from portal.labels import STAKEHOLDER_TYPES, action_line_title, country_name, label, sdg_label
from portal.meetings.services import action_lines as all_action_lines
from portal.meetings.services import to_utc
from portal.models import GENEVA, ActivityStatus, EntryState, Language, Organisation, PartnerRole, ScanStatus
from portal.security import DOWNLOAD_CSP, secretariat_required
from portal.stocktaking import access, images, report, services
from portal.stocktaking.forms import ButtonForm, CallForm, ContactForm, DecisionForm, EntryForm, website_list
from portal.uploads import FileRejected

bp = Blueprint("stocktaking", __name__)

REGION_NAMES = {**regions.ITU_REGION_NAMES, report.GLOBAL: _l("Global")}


@bp.app_context_processor
def _globals():
    return {"EntryState": EntryState, "sdg_label": sdg_label, "region_name": lambda c: str(REGION_NAMES.get(c, c))}


# Public pages -------------------------------------------------------------------------------------------

@bp.get("/stocktaking")
def home():
    counts = services.home_counts()
    return render_template("stocktaking/home.html", counts=counts, lines=all_action_lines(),
                           call=services.current_call(), latest=services.latest_entries(6),
                           region_names=REGION_NAMES, this_year=services.now().year,
                           may_describe=services.owner_organisation(current_user) is not None)


FACET_NAMES = {"action_line": _l("Action line"), "sdg": _l("SDG"), "region": _l("Region"), "country": _l("Country"),
               "scope": _l("Scope"), "stakeholder_type": _l("Stakeholder type"), "status": _l("Status"),
               "partners": _l("Looking for partners"), "funding": _l("Looking for funding"),
               "updated": _l("Updated for"), "inactive": _l("Inactive"), "language": _l("Language of the entry")}
FACET_LIMIT = 12


def _ordered(facet: str, items: list[tuple[str, int]]) -> list[tuple[str, int]]:
    if facet == "action_line":
        return sorted(items, key=lambda kv: int(kv[0][1:]) if kv[0][1:].isdigit() else 99)
    if facet == "sdg":
        return sorted(items, key=lambda kv: int(kv[0]) if kv[0].isdigit() else 99)
    if facet == "updated":
        return sorted(items, reverse=True)
    if facet == "region":
        order = {r: i for i, r in enumerate(regions.ITU_REGIONS)}
        return sorted(items, key=lambda kv: order.get(kv[0], 99))
    return items  # by count


@bp.get("/stocktaking/activities")
def browse():
    params, notices = search.parse_entry_params(request.args)
    page = search.run_entries(params)
    facets = []
    for facet in search.ENTRY_FACETS:
        items = _ordered(facet, list(page.facets.get(facet, [])))[:FACET_LIMIT]
        if items and facet != "inactive":
            facets.append((facet, items))

    titles = services.action_line_titles()

    def browse_url(**changes) -> str:
        args = {"q": params.q.strip() or None, **params.filters, "sort": params.sort or None}
        args.update(changes)
        return url_for("stocktaking.browse", **{k: v for k, v in args.items() if v})

    return render_template("stocktaking/browse.html", params=params, page=page, notices=notices, facets=facets,
                           facet_names=FACET_NAMES, browse_url=browse_url,
                           facet_label=lambda f, v: _facet_label(f, v, titles))


def _facet_label(facet: str, value: str, titles: dict[str, str]) -> str:
    if facet == "sdg":
        return sdg_label(value)
    if facet == "country":
        return country_name(value)
    if facet == "region":
        return str(REGION_NAMES.get(value, value))
    if facet == "stakeholder_type":
        return str(STAKEHOLDER_TYPES.get(value, value))
    if facet == "status":
        try:
            return label(ActivityStatus(value))
        except ValueError:
            return value
    if facet == "language":
        try:
            return label(Language(value))
        except ValueError:
            return value
    if facet in ("partners", "funding", "inactive"):
        return _("Yes") if value == "yes" else _("No")
    if facet == "scope":
        return _("Global") if value == "global" else _("In given countries")
    if facet == "action_line":
        line = titles.get(value)
        return f"{value} {action_line_title(line, value)}" if line else value
    return value


@bp.get("/stocktaking/activities/<int:entry_id>")
def entry(entry_id: int):
    e = access.load_entry(entry_id)
    see_all = access.may_see_all(e)
    shown = e.current_version if e.current_version is not None else (e.latest_version if see_all else None)
    if shown is None:
        abort(404)
    call = services.current_call()
    return render_template(
        "stocktaking/entry.html", entry=e, v=shown, see_all=see_all, owner=services.is_owner(current_user, e),
        pending=e.pending_version if see_all else None, call=call,
        answer=services.answer_of(e, call) if call is not None else None, last_call=services.last_call(),
        updated_for=services.updated_for(e), decision_form=DecisionForm(), button=ButtonForm(),
        regions=sorted({r for r in (regions.itu_region(c) for c in shown.countries) if r}),
        region_names=REGION_NAMES)


@bp.get("/stocktaking/activities/<int:entry_id>/versions/<int:version_id>/image")
def image(entry_id: int, version_id: int):
    v = access.load_image(entry_id, version_id)
    path = storage.path_for(v.image_key)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype=images.MIMETYPES[v.image_type], conditional=True, etag=True, max_age=300)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = DOWNLOAD_CSP
    response.headers["X-Portal-Download"] = "1"
    return response


@bp.get("/stocktaking/activities/<int:entry_id>/files/<int:file_id>")
def download(entry_id: int, file_id: int):
    f = access.load_file(entry_id, file_id)
    return storage.download_response(f.storage_key, download_name=f.filename, mimetype=f.mimetype)


@bp.route("/stocktaking/activities/<int:entry_id>/contact", methods=["GET", "POST"])
@talisman(form_action=["'self'"])
def contact(entry_id: int):
    e = access.load_public(entry_id)
    form = ContactForm()
    if current_user.is_authenticated and request.method == "GET":
        form.name.data, form.email.data = current_user.name, current_user.email
    if form.validate_on_submit():
        sent = run(form, lambda: services.send_message(e, name=form.name.data, email=form.email.data,
                                                          body=form.message.data, ip=request.remote_addr))
        if sent is not None:
            flash(_("Your message was sent to %(org)s. They will answer you at %(email)s.",
                    org=e.organisation.name, email=form.email.data), "success")
            return redirect(url_for("stocktaking.entry", entry_id=e.id))
    return render_template("stocktaking/contact.html", entry=e, form=form), 400 if form.errors else 200


@bp.get("/stocktaking/report/<int:year>")
def report_page(year: int):
    r = _report(year)
    return render_template("stocktaking/report.html", r=r, region_names=REGION_NAMES, types=STAKEHOLDER_TYPES,
                           years=services.report_years())


def _report(year: int) -> report.Report:
    if not 1990 <= year <= 2100:
        abort(404)
    return report.build(year)


@bp.get("/stocktaking/report/<int:year>.csv")
def report_csv(year: int):
    r = _report(year)
    body = report.to_csv(r, region_names={k: str(v) for k, v in REGION_NAMES.items()},
                         type_names={k: str(v) for k, v in STAKEHOLDER_TYPES.items()}, line_title=action_line_title)
    return _attachment(body, f"wsis-stocktaking-{year}.csv", "text/csv; charset=utf-8")


@bp.get("/stocktaking/report/<int:year>.pdf")
def report_pdf(year: int):
    r = _report(year)
    cols = r.region_columns
    types = list(STAKEHOLDER_TYPES)
    tables = [
        (_("Activities by action line and region"), ["", *[str(REGION_NAMES[c]) for c in cols], _("Activities")],
         [[code, *[r.by_region[code][c] for c in cols], r.line_totals[code]] for code, _t in r.lines]
         + [[_("Total"), *[r.region_totals[c] for c in cols], r.total]]),
        (_("Activities by action line and stakeholder type"), ["", *[str(STAKEHOLDER_TYPES[t]) for t in types],
                                                                _("Activities")],
         [[code, *[r.by_type[code][t] for t in types], r.line_totals[code]] for code, _t in r.lines]
         + [[_("Total"), *[r.type_totals[t] for t in types], r.total]]),
    ]
    sections = [(f"{code} {action_line_title(title, code)}",
                 [f"{e.title} — {e.organisation} ({_('Global') if e.is_global else ', '.join(e.countries)})"
                  for e in r.listed[code]] or [_("No activity.")]) for code, title in r.lines]
    body = pdf.stocktaking_report(title=_("WSIS Stocktaking %(year)d", year=year), summary=_summary(r),
                                  tables=tables, sections=sections)
    return _attachment(body, f"wsis-stocktaking-{year}.pdf", "application/pdf")


def _summary(r: report.Report) -> str:
    return _("%(total)d activities published by the end of %(year)d, %(updated)d of them updated for %(year)d; "
             "%(inactive)d inactive activities are not counted.", total=r.total, year=r.year, updated=r.updated,
             inactive=r.inactive)


def _attachment(body: bytes, name: str, mimetype: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = DOWNLOAD_CSP
    response.headers["X-Portal-Download"] = "1"
    return response


# The organisation's activities -----------------------------------------------------------------------------

@bp.get("/stocktaking/mine")
@login_required
def mine():
    org = services.owner_organisation(current_user)
    if org is None:
        return render_template("stocktaking/mine.html", org=None, entries=[])
    return render_template("stocktaking/mine.html", org=org, call=services.current_call(),
                           entries=services.organisation_entries(org, public_only=False))


def _data(form: EntryForm) -> services.EntryData:
    by_name = services.organisations_by_name([p.form.name.data for p in form.partners if p.form.name.data])
    partners = []
    for p in form.partners:
        if p.form.name.data:
            org: Organisation | None = by_name.get(Organisation.key_for(p.form.name.data))
            partners.append(services.PartnerData(name=org.name if org else p.form.name.data,
                                                 role=PartnerRole(p.form.role.data),
                                                 organisation_id=org.id if org else None))
    return services.EntryData(
        title=form.title.data, description=form.description.data, action_lines=form.action_lines.data,
        main_action_line=form.main_action_line.data, status=ActivityStatus(form.status.data),
        language=Language(form.language.data), sdgs=[int(s) for s in form.sdgs.data or []],
        countries=form.countries.data or [], is_global=form.is_global.data, start_date=form.start_date.data,
        end_date=form.end_date.data, websites=website_list(form.websites.data), contact_role=form.contact_role.data,
        looking_for_partners=form.looking_for_partners.data, looking_for_funding=form.looking_for_funding.data,
        funding_amount=form.funding_amount.data, funding_currency=form.funding_currency.data or None,
        partners=partners, image_alt=form.image_alt.data or "")


def _receive_all(form: EntryForm):
    """The form's files and image, received; (uploads, image) or None when one is refused (the others are
    deleted and the message is on its field)."""
    uploads, image = [], None
    try:
        for fs in form.files.data or []:
            up = receive(_Single(fs))
            if up is not None:
                uploads.append(up)
        if form.image.data and getattr(form.image.data, "filename", None):
            image = images.receive_image(form.image.data.stream)
    except (FileRejected, UserError) as exc:
        for up in uploads:
            up.discard()
        field = exc.field if getattr(exc, "field", None) in ("image",) else "files"
        exc.field = field
        apply_error(form, exc)
        return None
    return uploads, image


class _Single:
    """One file of a multiple file field, in the shape formflow.receive takes."""

    def __init__(self, fs):
        self.data = fs


def _save(form: EntryForm, action) -> object | None:
    received = _receive_all(form)
    if received is None:
        return None
    uploads, image = received

    def discard():
        for up in uploads:
            up.discard()
        if image is not None:
            storage.delete(image.key)

    try:
        result = action(uploads, image)
        db.session.commit()
    except UserError as exc:
        db.session.rollback()
        discard()
        apply_error(form, exc)
        return None
    except BaseException:
        db.session.rollback()
        discard()
        raise
    return result


@bp.route("/stocktaking/new", methods=["GET", "POST"])
@login_required
def new():
    org = services.owner_organisation(current_user)
    if org is None:
        return render_template("stocktaking/not_allowed.html"), 403
    form = EntryForm(action_lines=all_action_lines())
    if form.validate_on_submit():
        held = []
        e = _save(form, lambda ups, img: services.create(org, current_user, _data(form),
                                                         submit=_submit(form, ups, held), uploads=ups, image=img))
        if e is not None:
            _saved_message(form, held, update=False)
            return redirect(url_for("stocktaking.entry", entry_id=e.id))
    return render_template("stocktaking/form.html", form=form, entry=None, version=None), 400 if form.errors else 200


@bp.route("/stocktaking/activities/<int:entry_id>/edit", methods=["GET", "POST"])
@login_required
def edit(entry_id: int):
    e = access.load_own(entry_id)
    base = e.pending_version or e.current_version or e.latest_version
    form = EntryForm(action_lines=all_action_lines())
    form.remove_files.choices = [(str(f.id), f.filename) for f in base.files]
    if request.method == "GET":
        _fill_form(form, base)
    if form.validate_on_submit():
        remove = [int(i) for i in form.remove_files.data or [] if i.isdigit()]
        held = []
        unused = _save(form, lambda ups, img: services.update(
            e, current_user, _data(form), submit=_submit(form, ups, held), uploads=ups, image=img,
            remove_image=form.remove_image.data, remove_files=remove))
        if unused is not None:
            for key in unused:
                storage.delete(key)
            _saved_message(form, held, update=e.current_version_id is not None)
            return redirect(url_for("stocktaking.entry", entry_id=e.id))
    return render_template("stocktaking/form.html", form=form, entry=e, version=base), 400 if form.errors else 200


def _submit(form: EntryForm, uploads, held: list) -> bool:
    """Submit as asked, unless a file just received waits for the virus scan (the scanner could not be
    reached): then the activity is kept as a draft, to be submitted once the file has been checked."""
    held.extend(u.filename for u in uploads if u.scan == ScanStatus.PENDING)
    return bool(form.submit.data) and not held


def _saved_message(form: EntryForm, held: list, *, update: bool) -> None:
    if held:
        flash(_("Saved as a draft: %(names)s could not be checked for viruses yet. Submit the activity once the "
                "check is done (it usually takes a few minutes).", names=", ".join(held)), "warning")
    elif form.submit.data and update:
        flash(_("Submitted: the secretariat will review the changes; the published version stays visible "
                "until then."), "success")
    elif form.submit.data:
        flash(_("Submitted: the secretariat will review the activity and you will get an email."), "success")
    else:
        flash(_("Draft saved. Nobody but your organisation and the secretariat sees it."), "success")


def _fill_form(form: EntryForm, v) -> None:
    form.title.data, form.description.data = v.title, v.description
    form.action_lines.data = [al.code for al in v.action_lines]
    form.main_action_line.data = v.main_action_line.code if v.main_action_line else ""
    form.sdgs.data = [str(g) for g in v.sdgs]
    form.countries.data = v.countries
    form.is_global.data = v.is_global
    form.status.data = v.status.value
    form.start_date.data, form.end_date.data = v.start_date, v.end_date
    form.websites.data = v.websites
    form.contact_role.data = v.contact_role
    form.looking_for_partners.data, form.looking_for_funding.data = v.looking_for_partners, v.looking_for_funding
    form.funding_amount.data, form.funding_currency.data = v.funding_amount, v.funding_currency or ""
    form.language.data = v.language.value
    form.image_alt.data = v.image_alt
    for i, p in enumerate(v.partners):
        if i >= len(form.partners):
            form.partners.append_entry()
        form.partners[i].form.name.data = p.name
        form.partners[i].form.role.data = p.role.value


@bp.post("/stocktaking/activities/<int:entry_id>/submit")
@login_required
def submit(entry_id: int):
    e = access.load_own(entry_id)
    if ButtonForm().validate_on_submit():
        ok, _v = attempt(lambda: services.submit_entry(e, current_user))
        if ok:
            flash(_("Submitted: the secretariat will review the activity and you will get an email."), "success")
    return redirect(url_for("stocktaking.entry", entry_id=e.id))


@bp.route("/stocktaking/activities/<int:entry_id>/review", methods=["GET", "POST"])
@login_required
def review(entry_id: int):
    """The link of the call's email: confirm the entry as it is, or update it."""
    e = access.load_own(entry_id)
    form = ButtonForm()
    if request.method == "POST" and form.validate_on_submit():
        ok, call = attempt(lambda: services.confirm(e, current_user))
        if ok:
            flash(_("Thank you: the activity is confirmed as up to date for %(year)d.", year=call.year), "success")
            return redirect(url_for("stocktaking.entry", entry_id=e.id))
    call = services.current_call()
    return render_template("stocktaking/review.html", entry=e, call=call, form=form,
                           answer=services.answer_of(e, call) if call else None)


@bp.post("/stocktaking/activities/<int:entry_id>/archive")
@login_required
def archive(entry_id: int):
    e = access.load_own(entry_id) if not current_user.is_secretariat else access.load_for_secretariat(entry_id)
    if ButtonForm().validate_on_submit():
        ok, _r = attempt(lambda: services.archive(e, current_user))
        if ok:
            flash(_("Archived: the activity is no longer listed. Update it to publish it again."), "success")
    return redirect(url_for("stocktaking.entry", entry_id=e.id))


# The secretariat -----------------------------------------------------------------------------------------

@bp.get("/secretariat/stocktaking")
@secretariat_required
def secretariat():
    return render_template("stocktaking/secretariat.html", queue=services.queue(), calls=services.calls(),
                           call_form=CallForm(), current=services.current_call())


@bp.post("/secretariat/stocktaking/activities/<int:entry_id>/decide")
@secretariat_required
def decide(entry_id: int):
    e = access.load_for_secretariat(entry_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        flash(_("The form had expired. Please submit it again."), "error")
        return redirect(url_for("stocktaking.entry", entry_id=e.id))
    lock = int(form.lock.data) if (form.lock.data or "").isdigit() else None
    if form.publish.data:
        ok, _r = attempt(lambda: services.publish(e, current_user, lock=lock))
        message = _("Published.")
    elif request.form.get("return"):
        ok, _r = attempt(lambda: services.return_for_changes(e, current_user, form.comment.data, lock=lock))
        message = _("Returned to the organisation for changes.")
    elif form.reject.data:
        ok, _r = attempt(lambda: services.reject(e, current_user, form.comment.data, lock=lock))
        message = _("Rejected.")
    else:
        ok, message = False, ""
    if ok:
        flash(message, "success")
        return redirect(url_for("stocktaking.secretariat"))
    return redirect(url_for("stocktaking.entry", entry_id=e.id))


@bp.post("/secretariat/stocktaking/activities/<int:entry_id>/restore")
@secretariat_required
def restore(entry_id: int):
    e = access.load_for_secretariat(entry_id)
    if ButtonForm().validate_on_submit():
        ok, _r = attempt(lambda: services.restore(e, current_user))
        if ok:
            flash(_("The activity is listed again."), "success")
    return redirect(url_for("stocktaking.entry", entry_id=e.id))


@bp.post("/secretariat/stocktaking/calls")
@secretariat_required
def open_call():
    form = CallForm()
    if form.validate_on_submit():
        deadline = to_utc(form.deadline.data, GENEVA)
        call = run(form, lambda: services.open_call(form.year.data, deadline, form.message.data or "", current_user))
        if call is not None:
            flash(_("The call for %(year)d is open; the owners of the published activities have been emailed.",
                    year=call.year), "success")
            return redirect(url_for("stocktaking.secretariat"))
    return render_template("stocktaking/secretariat.html", queue=services.queue(), calls=services.calls(),
                           call_form=form, current=services.current_call()), 400

