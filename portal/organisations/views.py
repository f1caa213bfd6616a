"""Public organisation pages and the member list a focal point manages."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select

from portal.auth.services import AccountError
from portal.contributions import listing
from portal.extensions import db
from portal.models import Membership, MembershipStatus, Organisation
from portal.organisations import services
from portal.pagination import paginate

bp = Blueprint("organisations", __name__)


def load_organisation(org_id: int) -> Organisation:
    """The one loader for organisation pages: unverified organisations are visible only to
    their members and the secretariat."""
    org = db.session.get(Organisation, org_id)
    if org is None:
        abort(404)
    if org.is_verified:
        return org
    if current_user.is_authenticated and (
        current_user.is_secretariat
        or (current_user.organisation is not None and current_user.organisation.id == org.id)
    ):
        return org
    abort(404)


def load_membership_for_decision(membership_id: int) -> Membership:
    m = db.session.get(Membership, membership_id)
    if m is None or not services.can_decide_membership(current_user, m):
        abort(404)
    return m


@bp.get("/organisations/")
def index():
    q = (request.args.get("q") or "").strip()[:100]
    stmt = select(Organisation).where(Organisation.verified_at.is_not(None))
    if q:
        stmt = stmt.where(Organisation.name_key.contains(Organisation.key_for(q), autoescape=True))
    page = paginate(stmt.order_by(func.lower(Organisation.name)))
    return render_template("organisations/index.html", page=page, q=q)


@bp.get("/organisations/<int:org_id>")
def show(org_id: int):
    org = load_organisation(org_id)
    own, cosponsored = listing.organisation_documents(org)
    return render_template("organisations/show.html", org=org, own=own, cosponsored=cosponsored,
                           published_count=listing.count_published(org=org))


@bp.get("/organisation/members")
@login_required
def members():
    m = current_user.membership
    if m is None:
        abort(404)
    if m.status != MembershipStatus.ACTIVE:
        return render_template("organisations/pending.html", membership=m)
    org = m.organisation
    memberships = db.session.scalars(
        select(Membership).where(Membership.organisation_id == org.id)
        .order_by(Membership.status, Membership.requested_at)
    ).all()
    return render_template("organisations/members.html", org=org, memberships=memberships,
                           is_focal=current_user.is_focal_point)


def _after_decision():
    nxt = request.form.get("back")
    if nxt == "secretariat" and current_user.is_secretariat:
        return redirect(url_for("secretariat.memberships"))
    return redirect(url_for("organisations.members"))


@bp.post("/memberships/<int:membership_id>/decide")
@login_required
def decide(membership_id: int):
    m = load_membership_for_decision(membership_id)
    decision = request.form.get("decision")
    if decision not in ("approve", "refuse"):
        abort(400)
    try:
        services.decide_membership(m, current_user, approve=decision == "approve")
    except AccountError as exc:
        flash(str(exc), "error")
        return _after_decision()
    db.session.commit()
    flash(_("%(name)s is now a member.", name=m.user.name) if decision == "approve"
          else _("The request of %(name)s has been refused.", name=m.user.name), "success")
    return _after_decision()


@bp.post("/memberships/<int:membership_id>/focal-point")
@login_required
def focal_point(membership_id: int):
    m = load_membership_for_decision(membership_id)
    value = request.form.get("value") == "1"
    try:
        services.set_focal_point(m, current_user, value)
    except AccountError as exc:
        flash(str(exc), "error")
        return _after_decision()
    db.session.commit()
    flash(_("%(name)s is now a focal point.", name=m.user.name) if value
          else _("%(name)s is no longer a focal point.", name=m.user.name), "success")
    return _after_decision()


@bp.post("/memberships/<int:membership_id>/remove")
@login_required
def remove(membership_id: int):
    m = load_membership_for_decision(membership_id)
    name = m.user.name
    try:
        services.remove_member(m, current_user)
    except AccountError as exc:
        flash(str(exc), "error")
        return _after_decision()
    db.session.commit()
    flash(_("%(name)s has been removed from the organisation.", name=name), "success")
    return _after_decision()
