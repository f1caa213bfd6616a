"""Secretariat pages: organisations to verify, membership requests, accounts, audit log.
Every route here requires the secretariat role (403 for anyone else)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.extensions import db
from portal.formflow import attempt, run
from portal.models import StakeholderType, User
from portal.organisations import services as org_services
from portal.organisations.access import load_any_organisation
from portal.pagination import paginate
from portal.secretariat import services
from portal.secretariat.forms import OrganisationForm
from portal.security import secretariat_required

bp = Blueprint("secretariat", __name__, url_prefix="/secretariat")


@bp.before_request
@secretariat_required
def _only_secretariat():
    return None


def _choice(name: str, allowed: tuple[str, ...]) -> str:
    """A filter parameter from its allow-list (the first value by default)."""
    value = request.args.get(name, allowed[0])
    return value if value in allowed else allowed[0]


def _q() -> str:
    return (request.args.get("q") or "").strip()[:100]


@bp.get("/")
def dashboard():
    return render_template("secretariat/dashboard.html", d=services.dashboard())


@bp.get("/organisations")
def organisations():
    show, q = _choice("show", services.ORGANISATION_FILTERS), _q()
    return render_template("secretariat/organisations.html", page=paginate(services.organisations(show, q)),
                           show=show, q=q)


@bp.route("/organisations/<int:org_id>", methods=["GET", "POST"])
def organisation(org_id: int):
    org = load_any_organisation(org_id)
    form = OrganisationForm(obj=org)
    if request.method == "GET":
        form.stakeholder_type.data = org.stakeholder_type.value
        form.country.data = org.country or ""
    if form.validate_on_submit():
        saved = run(form, lambda: org_services.update_organisation(
            org, current_user, name=form.name.data, country=form.country.data or None,
            stakeholder_type=StakeholderType(form.stakeholder_type.data),
            website=form.website.data, description=form.description.data))
        if saved is not None:
            flash(_("The organisation is saved."), "success")
            return redirect(url_for("secretariat.organisation", org_id=org.id))
    status = 400 if request.method == "POST" else 200
    return render_template("secretariat/organisation.html", org=org, form=form), status


@bp.post("/organisations/<int:org_id>/verify")
def verify(org_id: int):
    org = load_any_organisation(org_id)
    verified = request.form.get("value", "1") == "1"
    org_services.set_verified(org, current_user, verified)
    db.session.commit()
    flash(_("%(name)s is verified.", name=org.name) if verified
          else _("%(name)s is no longer verified.", name=org.name), "success")
    return redirect(request.form.get("back") == "detail"
                    and url_for("secretariat.organisation", org_id=org.id)
                    or url_for("secretariat.organisations"))


@bp.get("/memberships")
def memberships():
    return render_template("secretariat/memberships.html", page=paginate(services.pending_memberships()))


@bp.get("/accounts")
def accounts():
    show, q = _choice("show", services.ACCOUNT_FILTERS), _q()
    return render_template("secretariat/accounts.html", page=paginate(services.accounts_list(show, q)),
                           q=q, show=show)


@bp.post("/accounts/<int:user_id>/active")
def set_active(user_id: int):
    user = db.get_or_404(User, user_id)
    activate = request.form.get("value") == "1"
    if not activate and user.is_admin and not current_user.is_admin:
        abort(403)
    if not attempt(lambda: services.set_active(user, current_user, activate))[0]:
        return redirect(url_for("secretariat.accounts"))
    flash(_("%(name)s's account is active again.", name=user.name) if activate
          else _("%(name)s's account is deactivated and logged out everywhere.", name=user.name),
          "success")
    return redirect(url_for("secretariat.accounts", q=request.form.get("q", "")))


@bp.get("/audit")
def audit_log():
    action = (request.args.get("action") or "").strip()[:64]
    return render_template("secretariat/audit.html", page=paginate(services.audit_entries(action), per_page=50),
                           action=action)
