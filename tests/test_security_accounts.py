"""SECURITY.md, "Accounts and sessions": one test (or more) per line."""

from __future__ import annotations

import statistics
import time

import pytest
from sqlalchemy import select

from portal import create_app
from portal.extensions import db
from portal.models import AuditEntry, User
from tests.conftest import PASSWORD, Client, link_in, login, mail_to

# Passwords ----------------------------------------------------------------------------------------


def test_password_is_stored_as_argon2id_hash(make):
    user = make.user("hash@example.org")
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


@pytest.mark.parametrize("password", [
    "ü" * 3 + "Ωμέγα-παράδειγμα/密码很长很长很长-" + "x" * 64,     # Unicode, over 64 characters
    "Ein sehr langes Passwort mit Leerzeichen und Ümläuten " * 3,
    "ذهب الطالب إلى المكتبة صباحا ليقرأ كتابا عن المعلومات",
])
def test_long_and_unicode_passwords_are_accepted(app, client, password):
    r = client.post_form("/register", {"name": "Long Password", "email": "long@example.org",
                                       "password": password, "organisation": "Long Org",
                                       "country": "FR", "stakeholder_type": "academia"}, page="/register")
    assert r.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "long@example.org"))
    user.confirmed_at = user.created_at
    db.session.commit()
    assert login(client, "long@example.org", password).status_code == 302


def test_unicode_password_normalised(app, client, make):
    # "é" typed as one code point or as e + combining accent is the same password.
    make.user("nfc@example.org", password="café crème au lait du matin")
    assert login(client, "nfc@example.org", "cafe\u0301 cre\u0300me au lait du matin").status_code == 302


@pytest.mark.parametrize("password", ["password123", "123456789012", "qwertyuiop12", "iloveyou2020"])
def test_common_passwords_are_refused(client, password):
    r = client.post_form("/register", {"name": "Weak", "email": "weak@example.org", "password": password,
                                       "organisation": "Weak Org", "country": "FR",
                                       "stakeholder_type": "academia"}, page="/register")
    assert r.status_code == 400
    assert "too common or too easy to guess" in r.get_data(as_text=True)


# Same answer for unknown address and wrong password -------------------------------------------

def _login_failure(client, email):
    r = login(client, email, "a wrong password entirely")
    return r.status_code, r.get_data(as_text=True)


def test_unknown_email_and_wrong_password_look_the_same(client, make):
    make.user("known@example.org")
    s1, html1 = _login_failure(client, "known@example.org")
    s2, html2 = _login_failure(client, "unknown@example.org")
    assert s1 == s2 == 200
    assert "Email or password is incorrect." in html1 and "Email or password is incorrect." in html2
    strip = lambda h: h.replace("unknown@example.org", "").replace("known@example.org", "")  # noqa: E731
    import re

    token = re.compile(r'value="[^"]{40,}"')
    assert token.sub("", strip(html1)) == token.sub("", strip(html2))


def test_reset_form_answers_the_same_for_unknown_address(client, make):
    make.user("known@example.org")
    r1 = client.post_form("/password/forgot", {"email": "known@example.org"})
    r2 = client.post_form("/password/forgot", {"email": "nobody@example.org"})
    assert r1.status_code == r2.status_code == 200
    assert "If this address belongs to an account" in r2.get_data(as_text=True)
    import re
    strip = re.compile(r'value="[^"]{40,}"')
    assert strip.sub("", r1.get_data(as_text=True)) == strip.sub("", r2.get_data(as_text=True))


def test_unknown_email_takes_about_as_long_as_wrong_password(app, client, make):
    # Real hashing cost for this test, so that the difference would show.
    app.config.update(ARGON2_TIME_COST=2, ARGON2_MEMORY_COST=32768, ARGON2_PARALLELISM=2,
                      LOGIN_MAX_FAILURES_PER_ACCOUNT=1000, LOGIN_MAX_FAILURES_PER_IP=1000,
                      LOGIN_MAX_FAILURES_PER_ADDRESS_AND_ACCOUNT=1000)
    app.extensions.pop("portal.hasher", None)
    app.extensions.pop("portal.dummy_hash", None)
    make.user("timing@example.org")

    def timed(email):
        t = time.perf_counter()
        login(client, email, "wrong password here")
        return time.perf_counter() - t

    # Warm both paths, then alternate them so that load on a shared machine falls on both alike;
    # the median of the pairwise ratios ignores the odd slow request.
    timed("timing@example.org"), timed("nobody@example.org")
    ratios = []
    for _ in range(9):
        known = timed("timing@example.org")
        ratios.append(timed("nobody@example.org") / known)
    ratio = statistics.median(ratios)
    assert 0.6 < ratio < 1.6, ratios


# Throttling ------------------------------------------------------------------------------------------

def _from(app, address: str) -> Client:
    """A browser on another address."""
    c = app.test_client()
    c.environ_base["REMOTE_ADDR"] = address
    return c


def test_repeated_failures_on_one_account_from_one_address_are_throttled(app, client, make):
    make.user("target@example.org")
    limit = app.config["LOGIN_MAX_FAILURES_PER_ADDRESS_AND_ACCOUNT"]
    for _ in range(limit):
        assert _login_failure(client, "target@example.org")[0] == 200
    # Now even the right password is refused from this address, with the same message as for an unknown one.
    r = login(client, "target@example.org", PASSWORD)
    assert r.status_code == 429 and "Too many failed attempts" in r.get_data(as_text=True)
    r = login(client, "unknown-target@example.org", PASSWORD)
    assert r.status_code == 200  # another account from this address is not affected
    assert db.session.scalar(select(db.func.count(AuditEntry.id)).where(AuditEntry.action == "login.throttled")) >= 1
    # The owner, from an address that has not failed, logs in.
    assert login(_from(app, "10.1.2.3"), "target@example.org", PASSWORD).status_code == 302


def test_unknown_address_is_throttled_like_a_known_one(app, client):
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ADDRESS_AND_ACCOUNT"]):
        _login_failure(client, "ghost@example.org")
    assert login(client, "ghost@example.org", PASSWORD).status_code == 429


def test_an_attack_from_many_addresses_spends_the_accounts_budget_but_not_the_owners(app, make):
    app.config.update(LOGIN_MAX_FAILURES_PER_ACCOUNT=8)
    user = make.user("minister@gov.example")
    owner_browser = _from(app, "10.0.0.1")
    assert login(owner_browser, user.email, PASSWORD).status_code == 302  # earlier: sets the device cookie
    owner_browser.post_form("/logout")
    office = "10.0.0.2"
    assert login(_from(app, office), user.email, PASSWORD).status_code == 302  # an address known to work

    # The attack: 4 addresses, 2 wrong passwords each (below the per-address budget), then more.
    for i in range(4):
        for _ in range(2):
            assert _login_failure(_from(app, f"192.0.2.{i}"), user.email)[0] == 200
    assert _login_failure(_from(app, "192.0.2.99"), user.email)[0] == 429  # the account's budget is spent
    # An untrusted client cannot even try the right password ...
    assert login(_from(app, "198.51.100.7"), user.email, PASSWORD).status_code == 429
    # ... but the owner's browser (device cookie, new address) and a known address still log in.
    owner_browser.environ_base["REMOTE_ADDR"] = "203.0.113.5"
    assert login(owner_browser, user.email, PASSWORD).status_code == 302
    assert login(_from(app, office), user.email, PASSWORD).status_code == 302
    checks = db.session.scalar(select(db.func.count(AuditEntry.id)).where(AuditEntry.action == "login.failure"))
    assert checks == 8  # never more passwords checked than the account's budget


def test_a_device_cookie_of_another_account_or_forged_gives_no_trust(app, make):
    app.config.update(LOGIN_MAX_FAILURES_PER_ACCOUNT=2)
    make.user("a@example.org")
    b = make.user("b@example.org")
    browser = _from(app, "10.0.0.1")
    login(browser, "a@example.org", PASSWORD)  # a device cookie for a@, not b@
    browser.post_form("/logout")
    for i in range(2):
        _login_failure(_from(app, f"192.0.2.{i}"), b.email)
    browser.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    assert login(browser, b.email, PASSWORD).status_code == 429
    forged = _from(app, "203.0.113.10")
    forged.set_cookie(app.config["DEVICE_COOKIE_NAME"], "eyJrIjoiYiJ9.forged.signature")
    assert login(forged, b.email, PASSWORD).status_code == 429


def test_a_password_reset_lets_the_owner_in_during_an_attack(app, make):
    app.config.update(LOGIN_MAX_FAILURES_PER_ACCOUNT=2)
    user = make.user("reset-owner@example.org")
    for i in range(2):
        _login_failure(_from(app, f"192.0.2.{i}"), user.email)
    browser = _from(app, "203.0.113.20")
    assert login(browser, user.email, PASSWORD).status_code == 429
    browser.post_form("/password/forgot", {"email": user.email}, page="/password/forgot")
    link = link_in(mail_to(app, user.email)[-1], "/password/reset/")
    r = browser.post_form(link, {"password": "a brand new passphrase 2027", "confirm": "a brand new passphrase 2027"},
                          page=link)
    assert r.status_code == 302
    assert login(browser, user.email, "a brand new passphrase 2027").status_code == 302


def test_many_accounts_from_one_address_are_throttled(app, client, make):
    app.config["LOGIN_MAX_FAILURES_PER_IP"] = 6
    make.user("victim@example.org")
    for i in range(6):
        _login_failure(client, f"spray{i}@example.org")
    r = login(client, "victim@example.org", PASSWORD)
    assert r.status_code == 429
    # From another address, the same account can still log in.
    assert login(_from(app, "10.9.8.7"), "victim@example.org", PASSWORD).status_code == 302


def test_throttle_is_shared_by_separate_processes(app, make, tmp_path):
    """Two application instances on one database (as two gunicorn workers are) share the count."""
    make.user("shared@example.org")
    second = create_app(dict(app.config), instance_path=app.instance_path)
    second.test_client_class = Client
    c1, c2 = app.test_client(), second.test_client()
    limit = app.config["LOGIN_MAX_FAILURES_PER_ADDRESS_AND_ACCOUNT"]
    for i in range(limit):
        _login_failure(c1 if i % 2 else c2, "shared@example.org")
    assert login(c1, "shared@example.org").status_code == 429
    assert login(c2, "shared@example.org").status_code == 429
    with second.app_context():
        db.engine.dispose()


# Sessions and cookies ------------------------------------------------------------------------------

def _cookie(client, name):
    c = client.get_cookie(name)
    return c.value if c else None


def _logged_in(client) -> bool:
    return "Log out" in client.get("/").get_data(as_text=True)


def test_session_cookie_planted_before_login_is_replaced(app, client, make):
    user = make.user("fixation@example.org")
    client.get("/login")
    planted = _cookie(client, app.config["SESSION_COOKIE_NAME"])
    assert planted
    login(client, user.email)
    after = _cookie(client, app.config["SESSION_COOKIE_NAME"])
    assert after and after != planted
    # The planted cookie, used by an attacker, is not logged in.
    attacker = app.test_client()
    attacker.set_cookie(app.config["SESSION_COOKIE_NAME"], planted)
    assert not _logged_in(attacker)
    assert _logged_in(client)


def _copy_cookies(src, dst, app):
    for name in (app.config["SESSION_COOKIE_NAME"], app.config["REMEMBER_COOKIE_NAME"]):
        v = _cookie(src, name)
        if v:
            dst.set_cookie(name, v)


def test_cookie_copied_before_logout_no_longer_works(app, client, make):
    user = make.user("copy@example.org")
    login(client, user.email, remember=True)
    thief = app.test_client()
    _copy_cookies(client, thief, app)
    assert _logged_in(thief)
    client.post_form("/logout")
    assert not _logged_in(thief)
    # Not even the remember-me cookie alone.
    thief2 = app.test_client()
    thief2.set_cookie(app.config["REMEMBER_COOKIE_NAME"], "x")
    assert not _logged_in(thief2)


def test_remember_me_cookie_alone_logs_in_until_logout(app, client, make):
    user = make.user("remember@example.org")
    login(client, user.email, remember=True)
    remember = _cookie(client, app.config["REMEMBER_COOKIE_NAME"])
    assert remember
    fresh = app.test_client()
    fresh.set_cookie(app.config["REMEMBER_COOKIE_NAME"], remember)
    assert _logged_in(fresh)
    client.post_form("/logout")
    again = app.test_client()
    again.set_cookie(app.config["REMEMBER_COOKIE_NAME"], remember)
    assert not _logged_in(again)


def test_cookie_copied_before_password_change_no_longer_works(app, client, make):
    user = make.user("pw@example.org")
    login(client, user.email, remember=True)
    thief = app.test_client()
    _copy_cookies(client, thief, app)
    r = client.post_form("/account/password", {"current": PASSWORD, "password": "brand new long passphrase 9"},
                         page="/account/password")
    assert r.status_code == 302
    assert _logged_in(client)
    assert not _logged_in(thief)


def test_cookie_copied_before_deactivation_no_longer_works(app, client, other_client, make, secretariat):
    user = make.user("deact@example.org")
    login(client, user.email, remember=True)
    assert _logged_in(client)
    login(other_client, secretariat.email)
    r = other_client.post_form(f"/secretariat/accounts/{user.id}/active", {"value": "0"},
                               page="/secretariat/accounts")
    assert r.status_code == 302
    assert not _logged_in(client)
    assert login(app.test_client(), user.email).status_code == 200  # cannot log in again
    db.session.refresh(user)
    assert not user.active


def test_cookie_flags_over_http(app, client, make):
    user = make.user("flags@example.org")
    r = login(client, user.email, remember=True)
    cookies = r.headers.getlist("Set-Cookie")
    assert cookies
    for c in cookies:
        assert "HttpOnly" in c and "SameSite=Lax" in c
        assert "Secure" not in c  # plain HTTP on 127.0.0.1: a Secure cookie would never come back


def test_cookie_flags_over_https(app, make):
    user = make.user("tls@example.org")
    c = app.test_client()
    token = c.csrf_token("https://localhost/login")
    r = c.post("https://localhost/login", data={"email": user.email, "password": PASSWORD,
                                                "remember": "y", "csrf_token": token},
               headers={"Referer": "https://localhost/login"})
    assert r.status_code == 302
    cookies = r.headers.getlist("Set-Cookie")
    names = {x.split("=", 1)[0] for x in cookies}
    assert {app.config["SESSION_COOKIE_NAME"], app.config["REMEMBER_COOKIE_NAME"]} <= names
    for x in cookies:
        assert "Secure" in x and "HttpOnly" in x and "SameSite=Lax" in x
    assert "max-age" in r.headers.get("Strict-Transport-Security", "")


# Redirects after login -------------------------------------------------------------------------------

@pytest.mark.parametrize("target", [
    "//evil.example", "////evil.example", "/\\evil.example", "https:evil.example",
    "%2F%2Fevil.example", "\t//evil.example", "/\t/evil.example", "https://evil.example/",
    "javascript:alert(1)", "/%09/evil.example", "\\\\evil.example", " //evil.example",
])
def test_next_parameter_never_leaves_the_site(app, client, make, target):
    from urllib.parse import quote

    user = make.user()
    r = client.post_form("/login?next=" + quote(target, safe=""),
                         {"email": user.email, "password": PASSWORD}, page="/login")
    assert r.status_code == 302
    location = r.headers["Location"]
    assert location.startswith("/") and not location.startswith("//") and "\\" not in location
    assert "evil.example" not in location.split("?")[0].lstrip("/").split("/")[0]


def test_next_parameter_to_a_portal_page_is_followed(client, make):
    user = make.user()
    r = login(client, user.email, next_="/meetings/PC-3")
    assert r.headers["Location"] == "/meetings/PC-3"


# Audit -------------------------------------------------------------------------------------------------

def test_logins_and_failures_are_in_the_audit_log_without_secrets(app, client, make, caplog):
    user = make.user("audit@example.org")
    caplog.set_level("INFO")
    login(client, user.email, "wrong password value")
    login(client, user.email)
    actions = list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert "login.failure" in actions and "login.success" in actions
    logged = caplog.text + " ".join(str(e.detail) for e in db.session.scalars(select(AuditEntry)))
    assert PASSWORD not in logged and "wrong password value" not in logged


def test_reset_token_never_logged(app, client, make, caplog):
    from tests.conftest import link_in, mail_to

    make.user("tok@example.org")
    caplog.set_level("DEBUG")
    client.post_form("/password/forgot", {"email": "tok@example.org"})
    link = link_in(mail_to(app, "tok@example.org")[0], "/password/reset/")
    token = link.rsplit("/", 1)[1]
    assert token not in caplog.text


def test_pages_opened_at_once_after_login_share_one_csrf_secret(client, make):
    """Two tabs opened right after login must not each create a CSRF secret (one would fail)."""
    user = make.user("tabs@example.org")
    login(client, user.email)
    with client.session_transaction() as s:
        secret = s.get("csrf_token")
    assert secret
    client.get("/account")
    with client.session_transaction() as s:
        assert s.get("csrf_token") == secret
