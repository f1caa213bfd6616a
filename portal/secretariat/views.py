"""Secretariat pages: organisations to verify, membership requests, accounts, audit log.
Every route here requires the secretariat role (403 for anyone else)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select

from portal.auth import services as account_services
from portal.auth.services import AccountError
from portal.extensions import db
from portal.models import AuditEntry, Membership, MembershipStatus, Organisation, Role, StakeholderType, User
from portal.organisations import services as org_services
from portal.pagination import paginate
from portal.secretariat.forms import OrganisationForm
from portal.security import secretariat_required

bp = Blueprint("secretariat", __name__, url_prefix="/secretariat")


@bp.before_request
@secretariat_required
def _only_secretariat():
    return None


def _get(model, obj_id: int):
    obj = db.session.get(model, obj_id)
    if obj is None:
        abort(404)
    return obj


@bp.get("/")
def dashboard():
    unverified = db.session.scalar(select(func.count(Organisation.id)).where(Organisation.verified_at.is_(None)))
    pending = db.session.scalar(select(func.count(Membership.id)).where(Membership.status == MembershipStatus.PENDING))
    return render_template("secretariat/dashboard.html", unverified=unverified, pending=pending)


ORG_FILTERS = {"unverified", "verified", "all"}


@bp.get("/organisations")
def organisations():
    show = request.args.get("show", "unverified")
    if show not in ORG_FILTERS:
        show = "unverified"
    q = (request.args.get("q") or "").strip()[:100]
    stmt = select(Organisation)
    if show == "unverified":
        stmt = stmt.where(Organisation.verified_at.is_(None))
    elif show == "verified":
        stmt = stmt.where(Organisation.verified_at.is_not(None))
    if q:
        stmt = stmt.where(Organisation.name_key.contains(Organisation.key_for(q), autoescape=True))
    page = paginate(stmt.order_by(Organisation.created_at.desc()))
    return render_template("secretariat/organisations.html", page=page, show=show, q=q)


@bp.route("/organisations/<int:org_id>", methods=["GET", "POST"])
def organisation(org_id: int):
    org = _get(Organisation, org_id)
    form = OrganisationForm(obj=org)
    if request.method == "GET":
        form.stakeholder_type.data = org.stakeholder_type.value
        form.country.data = org.country or ""
    if form.validate_on_submit():
        try:
            org_services.update_organisation(
                org, current_user, name=form.name.data, country=form.country.data or None,
                stakeholder_type=StakeholderType(form.stakeholder_type.data),
                website=form.website.data, description=form.description.data)
        except AccountError as exc:
            form.name.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("The organisation is saved."), "success")
            return redirect(url_for("secretariat.organisation", org_id=org.id))
    status = 400 if request.method == "POST" else 200
    return render_template("secretariat/organisation.html", org=org, form=form), status


@bp.post("/organisations/<int:org_id>/verify")
def verify(org_id: int):
    org = _get(Organisation, org_id)
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
    stmt = (select(Membership).where(Membership.status == MembershipStatus.PENDING)
            .order_by(Membership.requested_at))
    page = paginate(stmt)
    return render_template("secretariat/memberships.html", page=page)


@bp.get("/accounts")
def accounts():
    q = (request.args.get("q") or "").strip()[:100]
    show = request.args.get("show", "all")
    stmt = select(User)
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(or_(func.lower(User.email).like(like), func.lower(User.name).like(like)))
    if show == "inactive":
        stmt = stmt.where(User.active.is_(False))
    elif show == "secretariat":
        stmt = stmt.where(User.role.in_([Role.SECRETARIAT, Role.ADMIN]))
    else:
        show = "all"
    page = paginate(stmt.order_by(User.created_at.desc()))
    return render_template("secretariat/accounts.html", page=page, q=q, show=show)


@bp.post("/accounts/<int:user_id>/active")
def set_active(user_id: int):
    user = _get(User, user_id)
    activate = request.form.get("value") == "1"
    try:
        if activate:
            account_services.reactivate(user, current_user)
        else:
            if user.is_admin and not current_user.is_admin:
                abort(403)
            account_services.deactivate(user, current_user)
    except AccountError as exc:
        flash(str(exc), "error")
        return redirect(url_for("secretariat.accounts"))
    db.session.commit()
    flash(_("%(name)s's account is active again.", name=user.name) if activate
          else _("%(name)s's account is deactivated and logged out everywhere.", name=user.name),
          "success")
    return redirect(url_for("secretariat.accounts", q=request.form.get("q", "")))


@bp.get("/audit")
def audit_log():
    action = (request.args.get("action") or "").strip()[:64]
    stmt = select(AuditEntry)
    if action:
        stmt = stmt.where(AuditEntry.action.startswith(action, autoescape=True))
    page = paginate(stmt.order_by(AuditEntry.id.desc()), per_page=50)
    return render_template("secretariat/audit.html", page=page, action=action)
