"""Who may open which page: every secretariat route refuses stakeholders, every form needs
POST and a CSRF token, and every response carries the security headers."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEntry, Meeting, Organisation, User
from tests.conftest import login

SECRETARIAT_GET = [
    "/secretariat/", "/secretariat/organisations", "/secretariat/memberships",
    "/secretariat/accounts", "/secretariat/audit", "/meetings/new", "/meetings/PC-3/edit",
]


@pytest.fixture
def stakeholder_client(client, make):
    org = make.organisation()
    user = make.user("stakeholder@example.org", organisation=org, focal_point=True)
    login(client, user.email)
    return client


@pytest.mark.parametrize("url", SECRETARIAT_GET)
def test_stakeholder_gets_403_on_secretariat_pages(stakeholder_client, url):
    r = stakeholder_client.get(url)
    assert r.status_code == 403
    assert "You do not have access to this page" in r.get_data(as_text=True)


@pytest.mark.parametrize("url", SECRETARIAT_GET)
def test_anonymous_is_sent_to_login(client, url):
    r = client.get(url)
    assert r.status_code == 302 and "/login" in r.headers["Location"]


@pytest.mark.parametrize("url", SECRETARIAT_GET)
def test_secretariat_opens_its_pages(secretariat_client, url):
    assert secretariat_client.get(url).status_code == 200


def test_refused_access_is_audited(stakeholder_client):
    stakeholder_client.get("/secretariat/accounts")
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "access.denied"))
    assert entry is not None and "/secretariat/accounts" in entry.detail


def test_stakeholder_cannot_post_secretariat_actions(stakeholder_client, make):
    org = make.organisation(verified=False)
    victim = make.user()
    c = stakeholder_client
    assert c.post_form(f"/secretariat/organisations/{org.id}/verify", {"value": "1"}).status_code == 403
    assert c.post_form(f"/secretariat/accounts/{victim.id}/active", {"value": "0"}).status_code == 403
    assert c.post_form("/meetings/new", {"code": "HACK", "title": "x"}).status_code == 403
    db.session.expire_all()
    assert not db.session.get(Organisation, org.id).is_verified
    assert db.session.get(User, victim.id).active
    assert db.session.scalar(select(Meeting).where(Meeting.code == "HACK")) is None


@pytest.mark.parametrize("url", ["/logout", "/secretariat/organisations/1/verify",
                                 "/secretariat/accounts/1/active", "/memberships/1/decide",
                                 "/language"])
def test_state_changing_routes_refuse_get(client, url):
    assert client.get(url).status_code == 405


def test_post_without_csrf_token_is_refused(app, client, make, secretariat):
    login(client, secretariat.email)
    org = make.organisation(verified=False)
    r = client.post(f"/secretariat/organisations/{org.id}/verify", data={"value": "1"})
    assert r.status_code == 400 and "The form has expired" in r.get_data(as_text=True)
    r = client.post(f"/secretariat/organisations/{org.id}/verify", data={"value": "1", "csrf_token": "forged"})
    assert r.status_code == 400
    db.session.expire_all()
    assert not db.session.get(Organisation, org.id).is_verified


def test_login_without_csrf_token_is_refused(client, make):
    user = make.user()
    r = client.post("/login", data={"email": user.email, "password": "correct horse battery staple"})
    assert r.status_code == 400
    assert "Log out" not in client.get("/").get_data(as_text=True)


def test_pending_member_sees_nothing_of_the_organisation(client, make):
    org = make.organisation("Secret Ministry", verified=False)
    make.user("insider@example.org", organisation=org, focal_point=True)
    pending = make.user("pending@example.org", organisation=org, membership="pending")
    login(client, pending.email)
    page = client.get("/organisation/members").get_data(as_text=True)
    assert "insider@example.org" not in page
    assert client.get(f"/organisations/{org.id}").status_code == 404


def test_unverified_organisation_page_is_hidden_from_public(client, make):
    org = make.organisation("Unverified Org", verified=False)
    assert client.get(f"/organisations/{org.id}").status_code == 404
    assert "Unverified Org" not in client.get("/organisations/").get_data(as_text=True)
    verified = make.organisation("Verified Org")
    assert client.get(f"/organisations/{verified.id}").status_code == 200


# Headers -----------------------------------------------------------------------------------------

def _check_headers(r):
    csp = r.headers.get("Content-Security-Policy", "")
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert r.headers.get("X-Content-Type-Options") == "nosniff"
    assert r.headers.get("Referrer-Policy") == "strict-origin-when-cross-origin"
    assert r.headers.get("X-Frame-Options") == "DENY"


@pytest.mark.parametrize(("url", "status"), [
    ("/", 200), ("/meetings/", 200), ("/meetings/PC-3", 200), ("/login", 200), ("/register", 200),
    ("/no-such-page", 404), ("/meetings/NOPE", 404), ("/static/css/portal.css", 200)])
def test_every_response_has_security_headers(client, url, status):
    r = client.get(url)
    assert r.status_code == status
    _check_headers(r)


def test_error_and_refusal_responses_have_security_headers(client, stakeholder_client):
    refusals = [(client.post("/logout"), 400),  # CSRF refusal
                (stakeholder_client.get("/secretariat/"), 403),
                (client.get("/language"), 405)]
    for r, status in refusals:
        assert r.status_code == status
        _check_headers(r)


def test_500_page_is_a_portal_page_with_headers(app, client):
    @app.get("/boom-for-test")
    def boom():
        raise RuntimeError("test failure")

    r = client.get("/boom-for-test")
    assert r.status_code == 500
    assert "Something went wrong on our side" in r.get_data(as_text=True)
    assert "RuntimeError" not in r.get_data(as_text=True)
    _check_headers(r)


def test_pages_of_logged_in_users_are_not_cached(stakeholder_client):
    r = stakeholder_client.get("/account")
    assert r.headers["Cache-Control"] == "no-store"
    assert "Cookie" in r.headers.get("Vary", "")


def test_script_in_names_is_shown_as_text(client, make, secretariat_client):
    org = make.organisation('<script>alert("org")</script>', verified=False)
    make.user(name='<img src=x onerror=alert(1)>', organisation=org)
    for url in ["/secretariat/organisations", f"/secretariat/organisations/{org.id}", "/secretariat/accounts"]:
        html = secretariat_client.get(url).get_data(as_text=True)
        assert '<script>alert("org")</script>' not in html
        assert "<img src=x" not in html
        assert "&lt;script&gt;" in html or "&lt;img" in html
