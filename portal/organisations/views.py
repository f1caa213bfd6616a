"""Public organisation pages and the member list a focal point manages."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.contributions import listing
from portal.formflow import attempt
from portal.models import MembershipStatus
from portal.organisations import services
from portal.organisations.access import load_membership_for_decision, load_organisation
from portal.pagination import paginate
from portal.stocktaking import services as stocktaking

bp = Blueprint("organisations", __name__)


@bp.get("/organisations/")
def index():
    q = (request.args.get("q") or "").strip()[:100]
    return render_template("organisations/index.html", page=paginate(services.public_directory(q)), q=q)


@bp.get("/organisations/<int:org_id>")
def show(org_id: int):
    org = load_organisation(org_id)
    own, cosponsored = listing.organisation_documents(org)
    return render_template("organisations/show.html", org=org, own=own, cosponsored=cosponsored,
                           published_count=listing.count_published(org=org),
                           activities=stocktaking.organisation_entries(org, public_only=True))


@bp.get("/organisation/members")
@login_required
def members():
    m = current_user.membership
    if m is None:
        abort(404)
    if m.status != MembershipStatus.ACTIVE:
        return render_template("organisations/pending.html", membership=m)
    return render_template("organisations/members.html", org=m.organisation,
                           memberships=services.memberships_of(m.organisation), is_focal=current_user.is_focal_point)


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
    if attempt(lambda: services.decide_membership(m, current_user, approve=decision == "approve"))[0]:
        flash(_("%(name)s is now a member.", name=m.user.name) if decision == "approve"
              else _("The request of %(name)s has been refused.", name=m.user.name), "success")
    return _after_decision()


@bp.post("/memberships/<int:membership_id>/focal-point")
@login_required
def focal_point(membership_id: int):
    m = load_membership_for_decision(membership_id)
    value = request.form.get("value") == "1"
    if attempt(lambda: services.set_focal_point(m, current_user, value))[0]:
        flash(_("%(name)s is now a focal point.", name=m.user.name) if value
              else _("%(name)s is no longer a focal point.", name=m.user.name), "success")
    return _after_decision()


@bp.post("/memberships/<int:membership_id>/remove")
@login_required
def remove(membership_id: int):
    m = load_membership_for_decision(membership_id)
    name = m.user.name
    if attempt(lambda: services.remove_member(m, current_user))[0]:
        flash(_("%(name)s has been removed from the organisation.", name=name), "success")
    return _after_decision()
