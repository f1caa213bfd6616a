"""The secretariat verifies organisations, decides membership requests, deactivates accounts."""

from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEntry, MembershipStatus, Organisation
from tests.conftest import login


def test_verify_and_unverify_an_organisation(secretariat_client, secretariat, make):
    org = make.organisation("Ministry of ICT of Kenya", verified=False, country="KE")
    page = secretariat_client.get("/secretariat/organisations").get_data(as_text=True)
    assert "Ministry of ICT of Kenya" in page and "Kenya" in page
    r = secretariat_client.post_form(f"/secretariat/organisations/{org.id}/verify", {"value": "1"})
    assert r.status_code == 302
    db.session.refresh(org)
    assert org.is_verified and org.verified_by_id == secretariat.id
    assert "is verified" in secretariat_client.get("/secretariat/organisations").get_data(as_text=True)
    assert "No organisation is waiting for verification." in secretariat_client.get(
        "/secretariat/organisations").get_data(as_text=True)
    secretariat_client.post_form(f"/secretariat/organisations/{org.id}/verify", {"value": "0"})
    db.session.refresh(org)
    assert not org.is_verified
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"organisation.verify", "organisation.unverify"} <= actions


def test_edit_organisation_errors_and_rename(secretariat_client, make):
    make.organisation("Existing Name")
    org = make.organisation("Old Name")
    url = f"/secretariat/organisations/{org.id}"
    r = secretariat_client.post_form(url, {"name": "existing  name", "country": "XX",
                                           "stakeholder_type": "academia", "website": "ftp://x"}, page=url)
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert "Choose a country from the list." in html and "https://" in html
    r = secretariat_client.post_form(url, {"name": "existing  name", "country": "FR",
                                           "stakeholder_type": "academia", "website": ""}, page=url)
    assert r.status_code == 400 and "Another organisation already has this name." in r.get_data(as_text=True)
    r = secretariat_client.post_form(url, {"name": "Université de Genève", "country": "CH",
                                           "stakeholder_type": "academia", "website": "https://unige.ch"}, page=url)
    assert r.status_code == 302
    db.session.refresh(org)
    assert org.name == "Université de Genève" and org.stakeholder_type.value == "academia"


def test_secretariat_decides_membership_requests(app, secretariat_client, make):
    org = make.organisation("ITU-D")
    applicant = make.user("join@itu-d.example", organisation=org, membership="pending")
    page = secretariat_client.get("/secretariat/memberships").get_data(as_text=True)
    assert "join@itu-d.example" in page
    # The decision buttons of the row come back to this page.
    assert f'action="/memberships/{applicant.membership.id}/decide"' in page
    assert '<input type="hidden" name="back" value="secretariat">' in page
    r = secretariat_client.post_form(f"/memberships/{applicant.membership.id}/decide",
                                     {"decision": "refuse", "back": "secretariat"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/secretariat/memberships")
    db.session.refresh(applicant.membership)
    assert applicant.membership.status == MembershipStatus.REFUSED
    # Deciding again changes nothing.
    secretariat_client.post_form(f"/memberships/{applicant.membership.id}/decide", {"decision": "approve"})
    db.session.refresh(applicant.membership)
    assert applicant.membership.status == MembershipStatus.REFUSED


def test_deactivate_and_reactivate_account(app, secretariat_client, secretariat, make):
    user = make.user("leaver@example.org")
    r = secretariat_client.post_form(f"/secretariat/accounts/{user.id}/active", {"value": "0"})
    assert r.status_code == 302
    assert login(app.test_client(), user.email).status_code == 200
    r = secretariat_client.post_form(f"/secretariat/accounts/{user.id}/active", {"value": "1"})
    assert login(app.test_client(), user.email).status_code == 302
    # Nobody deactivates themself by mistake.
    secretariat_client.post_form(f"/secretariat/accounts/{secretariat.id}/active", {"value": "0"})
    db.session.refresh(secretariat)
    assert secretariat.active


def test_secretariat_cannot_deactivate_an_admin(secretariat_client, make):
    admin = make.user("admin@example.org", role="admin")
    r = secretariat_client.post_form(f"/secretariat/accounts/{admin.id}/active", {"value": "0"})
    assert r.status_code == 403
    db.session.refresh(admin)
    assert admin.active


def test_accounts_search_and_pagination(app, secretariat_client, make):
    app.config["PAGE_SIZE"] = 5
    for i in range(12):
        make.user(f"member{i:02d}@pagination.example")
    page1 = secretariat_client.get("/secretariat/accounts?q=pagination").get_data(as_text=True)
    assert "Page 1 of 3" in page1
    page3 = secretariat_client.get("/secretariat/accounts?q=pagination&page=3").get_data(as_text=True)
    assert page3.count("@pagination.example") == 2
    assert secretariat_client.get("/secretariat/accounts?page=abc").status_code == 200
    assert secretariat_client.get("/secretariat/accounts?page=99999999999").status_code == 200


def test_unknown_ids_give_404(secretariat_client):
    assert secretariat_client.get("/secretariat/organisations/999999").status_code == 404
    assert secretariat_client.post_form("/secretariat/accounts/999999/active", {"value": "0"}).status_code == 404
    assert db.session.scalar(select(db.func.count(Organisation.id))) == 0
