"""The hardening of issue "Hardening": no account enumeration by timing, uploads in progress limited
per account and address, the storage quota, download names, HSTS only behind trusted proxies, only
verified organisations offered to newcomers, who sees a draft."""

from __future__ import annotations

import io
import statistics
import time
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from portal import uploads
from portal.extensions import db
from portal.models import DocumentFile, Membership, MembershipStatus, UploadSlot
from tests.conftest import login, sent_mail
from tests.documents import build_pdf, text_page
from tests.test_contributions import make_world, only_contribution, publish, submit_new, txt
from tests.test_contributions import uploads as stored_files


@pytest.fixture
def world(make):
    return make_world(make)


# Enumeration by timing ---------------------------------------------------------------------------------
# Real hashing cost, so that a branch that hashes (or not) would show; medians over 20 requests each.

REAL_HASH = dict(ARGON2_TIME_COST=2, ARGON2_MEMORY_COST=32768, ARGON2_PARALLELISM=2)
ROUNDS = 20


def _hash_cost(app) -> float:
    """The median time of one password hash at the real cost, on this machine as it is now loaded: what
    a branch that hashes for one kind of address and not for the other would add to its answers."""
    from portal.auth import passwords

    times = []
    with app.app_context():
        for _ in range(5):
            started = time.perf_counter()
            passwords.hash_password("a long passphrase for timing 2027")
            times.append(time.perf_counter() - started)
    return statistics.median(times)


def _half_a_hash(app) -> float:
    """The bound for the gap between the two medians: half a password hash. No branch hashes, or does a
    hash's worth of work, for one kind of address only. (A relative bound flakes on a loaded machine
    when both paths take a few milliseconds.)"""
    return _hash_cost(app) / 2


@pytest.fixture
def real_hash(app):
    app.config.update(REAL_HASH, RESET_MAX_REQUESTS_PER_ACCOUNT=10_000, RESET_MAX_REQUESTS_PER_IP=10_000,
                      LOGIN_MAX_FAILURES_PER_ACCOUNT=10_000, LOGIN_MAX_FAILURES_PER_IP=10_000,
                      LOGIN_MAX_FAILURES_PER_ADDRESS_AND_ACCOUNT=10_000)
    app.extensions.pop("portal.hasher", None)
    app.extensions.pop("portal.dummy_hash", None)


def _alternating(known, unknown) -> tuple[float, float]:
    """Medians of both, until each response is complete (what a client can time; the server closes the
    response, and runs the work queued after its commit, once it is sent), measured in alternation so
    that a busy machine weighs on both alike."""
    k, u = [], []
    for i in range(ROUNDS):
        for fn, out in ((known, k), (unknown, u)):
            started = time.perf_counter()
            response = fn(i)
            response.get_data()
            out.append(time.perf_counter() - started)
            response.close()
    return statistics.median(k), statistics.median(u)


@pytest.mark.parametrize("path, confirmed", [("/password/forgot", True), ("/confirm", False)])
def test_reset_and_resend_take_the_same_work_for_any_address(app, client, make, real_hash, path, confirmed):
    make.user("known@gov.example", confirmed=confirmed)
    token = client.csrf_token(path)

    def ask(email):
        return lambda i: client.post(path, data={"email": email, "csrf_token": token}, buffered=False)

    ask("known@gov.example")(0).close()
    known, unknown = _alternating(ask("known@gov.example"), ask("nobody@gov.example"))
    assert abs(known - unknown) < _half_a_hash(app), (known, unknown)


def test_registration_takes_the_same_work_for_a_new_or_a_known_address(app, client, make, real_hash):
    make.user("taken@gov.example")
    make.organisation("Ministry of Timing")
    token = client.csrf_token("/register")

    def register(email_for):
        return lambda i: client.post("/register", data={
            "name": "Tester", "email": email_for(i), "password": "a long passphrase for timing 2027",
            "organisation": "Ministry of Timing", "country": "", "stakeholder_type": "", "csrf_token": token},
            buffered=False)

    register(lambda i: "warm@gov.example")(0).close()
    known, new = _alternating(register(lambda i: "taken@gov.example"), register(lambda i: f"new{i}@gov.example"))
    assert abs(known - new) < _half_a_hash(app), (known, new)


def test_login_takes_the_same_work_for_a_wrong_password_or_an_unknown_address(app, client, make, real_hash):
    make.user("member@gov.example")
    token = client.csrf_token("/login")

    def try_(email):
        return lambda i: client.post("/login", data={"email": email, "password": "not the password",
                                                     "csrf_token": token}, buffered=False)

    try_("member@gov.example")(0).close()
    known, unknown = _alternating(try_("member@gov.example"), try_("nobody@gov.example"))
    assert abs(known - unknown) < _half_a_hash(app), (known, unknown)


def test_the_reset_link_still_reaches_a_known_address_and_nothing_else(app, client, make):
    make.user("known@gov.example")
    client.post_form("/password/forgot", {"email": "known@gov.example"}, page="/password/forgot")
    client.post_form("/password/forgot", {"email": "nobody@gov.example"}, page="/password/forgot")
    assert [m["To"] for m in sent_mail(app)] == ["known@gov.example"]


# Uploads in progress and the quota ---------------------------------------------------------------------

def test_an_upload_beyond_the_concurrent_limit_is_refused_before_its_body_is_read(app, client, world):
    login(client, world.alice.email)
    held = uploads.acquire_slots([(f"account:{world.alice.id}", 2)], timedelta(minutes=10))
    held += uploads.acquire_slots([(f"account:{world.alice.id}", 2)], timedelta(minutes=10))
    r = submit_new(client, world.meeting)
    assert r.status_code == 429 and r.headers["Retry-After"] == "30"
    assert "You already have 2 uploads in progress" in r.get_data(as_text=True)
    assert only_contribution() is None
    # The address's slot taken for this request was given back; the account's are still held.
    assert {s.key for s in db.session.scalars(select(UploadSlot))} == {f"account:{world.alice.id}"}
    uploads.release_slots(held)
    assert submit_new(client, world.meeting).status_code == 302
    assert db.session.scalars(select(UploadSlot)).all() == []  # released after the request


def test_the_limit_holds_per_address_for_anyone(app, client, world):
    login(client, world.alice.email)
    held = uploads.acquire_slots([("address:127.0.0.1", 2)], timedelta(minutes=10))
    held += uploads.acquire_slots([("address:127.0.0.1", 2)], timedelta(minutes=10))
    assert submit_new(client, world.meeting).status_code == 429
    uploads.release_slots(held)


def test_a_slot_left_by_a_killed_process_is_free_again(app, client, world):
    import socket
    import subprocess

    gone = subprocess.Popen(["true"])
    gone.wait()  # a process of this machine that has ended
    now = datetime.now(timezone.utc)
    db.session.add_all([
        UploadSlot(key=f"account:{world.alice.id}", slot=0, token="dead", acquired_at=now,
                   holder=f"{socket.gethostname()[:60]}:{gone.pid}"),
        UploadSlot(key=f"account:{world.alice.id}", slot=1, token="old", acquired_at=now - timedelta(hours=1),
                   holder="another-machine:1234")])
    db.session.commit()
    login(client, world.alice.email)
    assert submit_new(client, world.meeting).status_code == 302


def test_a_slot_of_another_machine_counts_until_it_expires(app, client, world):
    now = datetime.now(timezone.utc)
    db.session.add_all([UploadSlot(key=f"account:{world.alice.id}", slot=s, token="busy", acquired_at=now,
                                   holder="another-machine:1234") for s in range(2)])
    db.session.commit()
    login(client, world.alice.email)
    assert submit_new(client, world.meeting).status_code == 429


def test_the_storage_quota_is_stated_and_enforced(app, client, world):
    app.config["STORAGE_QUOTA_BYTES"] = 3000
    login(client, world.alice.email)
    form = client.get("/contributions/new").get_data(as_text=True)
    assert "Your organisation uses 0 B of its 3 KB of storage." in form
    assert submit_new(client, world.meeting, button="save", file=txt(b"a" * 2000, "one.txt")).status_code == 302
    r = submit_new(client, world.meeting, title="Second", file=txt(b"b" * 2000, "two.txt"))
    assert r.status_code == 400
    assert "past its storage quota of 2.93 KB (1.95 KB used)" in r.get_data(as_text=True)
    assert len(db.session.scalars(select(DocumentFile)).all()) == 1
    assert len(stored_files(app)) == 1  # the refused file was not kept
    # Replacing the file of a draft frees what the old one took.
    c = only_contribution()
    r = client.post_form(f"/contributions/{c.id}/edit", {
        "meeting": world.meeting.code, "title": "Réduire la fracture numérique", "summary": "",
        "action_lines": ["C2"], "language": "fr", "comments_on": "", "save": "1",
        "file": txt(b"c" * 2500, "replacement.txt")}, page=f"/contributions/{c.id}/edit",
        content_type="multipart/form-data")
    assert r.status_code == 302


# Downloads ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["polyglot.html", "x.pdf.html", "report.exe", "../../evil.svg"])
def test_a_download_is_named_by_its_symbol_and_detected_type(app, client, other_client, world, name):
    pdf = build_pdf(text_page("Contribution du Sénégal"))
    login(client, world.alice.email)
    assert submit_new(client, world.meeting, file=(io.BytesIO(pdf), name)).status_code == 302
    c = only_contribution()
    f = c.latest_version.files[0]
    r = client.get(f"/documents/{c.id}/files/{f.id}")
    assert r.status_code == 200
    assert 'filename="Reduire la fracture numerique.pdf"' in r.headers["Content-Disposition"]
    assert "filename*=UTF-8''R%C3%A9duire%20la%20fracture%20num%C3%A9rique.pdf" in r.headers["Content-Disposition"]
    login(other_client, world.sec.email)
    publish(other_client, c.latest_version)
    r = app.test_client().get(f"/documents/{c.id}/files/{f.id}")
    assert "filename=WSIS-FORUM-2027-CONTR-1-F.pdf" in r.headers["Content-Disposition"]
    assert ".html" not in r.headers["Content-Disposition"] and ".exe" not in r.headers["Content-Disposition"]
    page = app.test_client().get(f"/documents/{c.id}").get_data(as_text=True)
    assert name.split("/")[-1] in page  # the uploader's name is shown, as text


# Headers ----------------------------------------------------------------------------------------------

def test_hsts_is_not_sent_for_a_client_that_claims_https(app, client):
    r = client.get("/", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in r.headers


def test_hsts_is_sent_behind_a_trusted_proxy_that_says_https(make, tmp_path, databases):
    from portal import create_app
    from tests.conftest import _config

    uri = databases.new(tmp_path)
    behind = create_app({**_config(tmp_path, uri), "PROXY_COUNT": 1}, instance_path=str(tmp_path / "proxied"))
    with behind.test_client() as c:
        assert "max-age" in c.get("/", headers={"X-Forwarded-Proto": "https"}).headers["Strict-Transport-Security"]
        assert "Strict-Transport-Security" not in c.get("/").headers
    with behind.app_context():
        db.engine.dispose()
    databases.drop(uri)


# Organisations offered to newcomers -------------------------------------------------------------------

def test_only_verified_organisations_are_offered_on_the_registration_form(client, make):
    make.organisation("Ministry of Communications of Kenya")
    make.organisation("Ministry of Communications of Kenia", verified=False)  # a look-alike
    page = client.get("/register").get_data(as_text=True)
    assert '<option value="Ministry of Communications of Kenya">' in page
    assert "Kenia" not in page


def test_a_request_to_join_an_unverified_organisation_goes_to_the_secretariat(app, client, make):
    fake = make.organisation("Look-alike Ministry", verified=False)
    owner = make.user("owner@lookalike.example", organisation=fake, focal_point=True)
    r = client.post_form("/register", {"name": "Newcomer", "email": "new@gov.example",
                                       "password": "a long passphrase for joining", "organisation": fake.name,
                                       "country": "", "stakeholder_type": ""}, page="/register")
    assert r.status_code == 302
    assert all(m["To"] != owner.email for m in sent_mail(app))  # the look-alike's maker is not asked
    membership = db.session.scalar(select(Membership.id).where(Membership.status == MembershipStatus.PENDING))
    login(client, owner.email)
    page = client.get("/organisation/members").get_data(as_text=True)
    assert "The secretariat decides this request" in page and 'value="approve"' not in page
    r = client.post_form(f"/memberships/{membership}/decide", {"decision": "approve"}, page="/organisation/members")
    assert r.status_code == 404
    db.session.expire_all()
    assert db.session.get(Membership, membership).status == MembershipStatus.PENDING


# Who sees a draft ------------------------------------------------------------------------------------

def test_the_draft_confirmation_says_who_can_see_it(client, world):
    login(client, world.alice.email)
    r = submit_new(client, world.meeting, button="save")
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert ("Only the members of your organisation and the secretariat can see it; your organisation&#39;s "
            "members can change it until it is submitted.") in page
