"""Accounts: registration, confirmation, login and logout, reset, change of password, profile."""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy import select

from portal.extensions import db
from portal.models import Membership, MembershipStatus, Organisation, User
from tests.conftest import PASSWORD, link_in, login, mail_to


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def register(client, **over):
    data = {"name": "Amina Diallo", "email": "amina@gov.example", "password": PASSWORD,
            "organisation": "Ministère de l'Économie numérique", "country": "SN",
            "stakeholder_type": "government"}
    data.update(over)
    return client.post_form("/register", data, page="/register")


def test_register_new_organisation_confirm_login_logout(app, client):
    r = register(client)
    assert r.status_code == 302 and r.headers["Location"].endswith("/register/done")

    user = db.session.scalar(select(User).where(User.email == "amina@gov.example"))
    assert user is not None and not user.is_confirmed
    assert user.password_hash.startswith("$argon2id$")
    org = db.session.scalar(select(Organisation).where(Organisation.name == "Ministère de l'Économie numérique"))
    assert org.country == "SN" and not org.is_verified
    assert user.membership.status == MembershipStatus.ACTIVE and user.membership.focal_point

    # Unconfirmed: cannot log in yet, and gets a new link.
    r = login(client, "amina@gov.example")
    assert r.status_code == 302
    assert "not confirmed" in client.get("/login").get_data(as_text=True)

    messages = mail_to(app, "amina@gov.example")
    assert len(messages) == 2 and "Confirm" in messages[0]["Subject"]
    r = client.get(_path(link_in(messages[0], "/confirm/")))
    assert r.status_code == 302
    db.session.refresh(user)
    assert user.is_confirmed

    r = login(client, "amina@gov.example")
    assert r.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "Log out" in page and "Amina Diallo" in page

    r = client.post_form("/logout")
    assert r.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "Log out" not in page and "Log in" in page


def test_register_into_existing_organisation_waits_for_approval(app, client, make):
    org = make.organisation("Internet Society")
    focal = make.user("focal@isoc.example", organisation=org, focal_point=True)
    r = register(client, email="new@isoc.example", organisation="internet  society", country="",
                 stakeholder_type="")
    assert r.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "new@isoc.example"))
    assert user.membership.organisation_id == org.id
    assert user.membership.status == MembershipStatus.PENDING
    assert user.organisation is None  # sees nothing of the organisation until approved
    assert db.session.scalar(select(db.func.count(Organisation.id)).where(
        Organisation.name_key == "internet society")) == 1
    request_mail = mail_to(app, focal.email)
    assert request_mail and "asks to join Internet Society" in request_mail[0]["Subject"]


def test_registration_errors_keep_input_and_save_nothing(app, client):
    r = register(client, email="not-an-address", password="short", organisation="New Org",
                 country="", stakeholder_type="")
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert 'value="Amina Diallo"' in html and 'value="not-an-address"' in html
    assert 'value="New Org"' in html
    assert "Enter a valid email address." in html
    assert "at least 10 characters" in html
    assert "A new organisation needs its country." in html
    assert "A new organisation needs its stakeholder type." in html
    assert 'aria-invalid="true"' in html
    assert db.session.scalar(select(db.func.count(User.id))) == 0
    assert db.session.scalar(select(db.func.count(Organisation.id))) == 0


def test_registering_an_existing_address_reveals_nothing(app, client, make):
    make.user("taken@example.org", name="Original Owner")
    r = register(client, email="Taken@Example.org", name="Someone Else")
    assert r.status_code == 302 and r.headers["Location"].endswith("/register/done")
    assert db.session.scalar(select(db.func.count(User.id))) == 1
    (msg,) = mail_to(app, "taken@example.org")
    assert "already exists" in msg["Subject"]


def test_extra_fields_in_registration_are_ignored(app, client, make):
    other = make.organisation("Other Org")
    r = register(client, role="admin", organisation_id=str(other.id), status="active",
                 confirmed_at="2020-01-01")
    assert r.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "amina@gov.example"))
    assert user.role.value == "stakeholder" and not user.is_confirmed
    assert user.membership.organisation_id != other.id


def test_confirmation_link_tampered_or_expired(app, client, make, monkeypatch):
    register(client)
    link = _path(link_in(mail_to(app, "amina@gov.example")[0], "/confirm/"))
    r = client.get(link[:-3] + "abc")
    assert r.status_code == 400 and "This link does not work" in r.get_data(as_text=True)
    app.config["CONFIRM_TOKEN_MAX_AGE"] = -1
    assert client.get(link).status_code == 400
    user = db.session.scalar(select(User).where(User.email == "amina@gov.example"))
    assert not user.is_confirmed


def test_login_page_has_labelled_fields(client):
    html = client.get("/login").get_data(as_text=True)
    for label_text, field in (("Email", "email"), ("Password", "password"), ("Remember me", "remember")):
        assert f'<label for="{field}">{label_text}</label>' in html
    assert 'value="Log in"' in html


def test_registration_page_has_labelled_fields(client):
    html = client.get("/register").get_data(as_text=True)
    for label_text, field in (("Full name", "name"), ("Email", "email"), ("Password", "password"),
                              ("Organisation", "organisation"), ("Country", "country"),
                              ("Stakeholder type", "stakeholder_type")):
        assert f'<label for="{field}">{label_text}</label>' in html


def test_forgotten_password_single_use_link(app, client, make):
    user = make.user("reset@example.org")
    r = client.post_form("/password/forgot", {"email": "reset@example.org"})
    assert r.status_code == 200 and "If this address belongs to an account" in r.get_data(as_text=True)
    (msg,) = mail_to(app, "reset@example.org")
    link = _path(link_in(msg, "/password/reset/"))

    new = "a completely new passphrase 2027"
    r = client.post_form(link, {"password": new}, page=link)
    assert r.status_code == 302
    db.session.refresh(user)
    assert login(client, "reset@example.org", PASSWORD).status_code == 200  # old one refused
    assert login(client, "reset@example.org", new).status_code == 302

    # The link works once.
    other = user.__class__  # noqa: F841 - keep names short
    r = client.get(link)
    assert r.status_code == 400 and "This link does not work" in r.get_data(as_text=True)


def test_reset_link_expires(app, client, make):
    make.user("late@example.org")
    client.post_form("/password/forgot", {"email": "late@example.org"})
    link = _path(link_in(mail_to(app, "late@example.org")[0], "/password/reset/"))
    app.config["RESET_TOKEN_MAX_AGE"] = -1
    assert client.get(link).status_code == 400


def test_reset_refuses_weak_password_and_keeps_link(app, client, make):
    make.user("weak@example.org")
    client.post_form("/password/forgot", {"email": "weak@example.org"})
    link = _path(link_in(mail_to(app, "weak@example.org")[0], "/password/reset/"))
    r = client.post_form(link, {"password": "password123"}, page=link)
    assert r.status_code == 400 and "too common" in r.get_data(as_text=True)
    assert client.get(link).status_code == 200


def test_change_password_and_profile(app, client, make):
    user = make.user("change@example.org", name="Old Name")
    login(client, user.email)
    r = client.post_form("/account/password", {"current": "wrong one", "password": "another long passphrase 42"},
                         page="/account/password")
    assert r.status_code == 400 and "This is not your current password." in r.get_data(as_text=True)
    r = client.post_form("/account/password", {"current": PASSWORD, "password": "another long passphrase 42"},
                         page="/account/password")
    assert r.status_code == 302
    assert "Log out" in client.get("/account").get_data(as_text=True)  # still logged in here
    assert any("password has been changed" in m["Subject"] for m in mail_to(app, user.email))

    r = client.post_form("/account", {"name": "  New   Name ", "locale": "fr"}, page="/account")
    assert r.status_code == 302
    db.session.refresh(user)
    assert user.name == "New Name" and user.locale == "fr"
    assert 'lang="fr"' in client.get("/account").get_data(as_text=True)


def test_profile_requires_login(client):
    r = client.get("/account")
    assert r.status_code == 302 and "/login?next=" in r.headers["Location"]


def test_membership_approved_by_focal_point(app, client, make):
    org = make.organisation("UNESCO", stakeholder_type="international_organisation")
    focal = make.user("focal@unesco.example", organisation=org, focal_point=True)
    applicant = make.user("applicant@unesco.example", organisation=org, membership="pending")
    m = applicant.membership

    login(client, applicant.email)
    page = client.get("/organisation/members").get_data(as_text=True)
    assert "waiting for approval" in page and "focal@unesco.example" not in page
    client.post_form("/logout")

    login(client, focal.email)
    page = client.get("/organisation/members").get_data(as_text=True)
    assert "applicant@unesco.example" in page
    r = client.post_form(f"/memberships/{m.id}/decide", {"decision": "approve"}, page="/organisation/members")
    assert r.status_code == 302
    db.session.refresh(m)
    assert m.status == MembershipStatus.ACTIVE and m.decided_by_id == focal.id
    assert any("now a member" in x["Subject"] for x in mail_to(app, applicant.email))


def test_member_who_is_not_focal_point_cannot_decide(app, client, make):
    org = make.organisation()
    member = make.user(organisation=org)
    applicant = make.user(organisation=org, membership="pending")
    login(client, member.email)
    r = client.post_form(f"/memberships/{applicant.membership.id}/decide", {"decision": "approve"})
    assert r.status_code == 404
    db.session.refresh(applicant.membership)
    assert applicant.membership.status == MembershipStatus.PENDING


def test_focal_point_of_another_organisation_cannot_decide(app, client, make):
    org_a, org_b = make.organisation(), make.organisation()
    focal_b = make.user(organisation=org_b, focal_point=True)
    applicant = make.user(organisation=org_a, membership="pending")
    login(client, focal_b.email)
    r = client.post_form(f"/memberships/{applicant.membership.id}/decide", {"decision": "approve"})
    assert r.status_code == 404
    assert db.session.get(Membership, applicant.membership.id).status == MembershipStatus.PENDING


def test_focal_point_names_another_focal_point_and_keeps_one(app, client, make):
    org = make.organisation()
    focal = make.user(organisation=org, focal_point=True)
    member = make.user(organisation=org)
    login(client, focal.email)
    client.post_form(f"/memberships/{member.membership.id}/focal-point", {"value": "1"})
    db.session.refresh(member.membership)
    assert member.membership.focal_point
    client.post_form(f"/memberships/{member.membership.id}/focal-point", {"value": "0"})
    r = client.post_form(f"/memberships/{focal.membership.id}/focal-point", {"value": "0"})
    assert r.status_code == 302
    db.session.refresh(focal.membership)
    assert focal.membership.focal_point  # the last focal point stays
