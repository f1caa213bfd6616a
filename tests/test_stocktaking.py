"""The WSIS Stocktaking: the questionnaire and its refusals, every transition and access rule, updates under
moderation while the published version stays visible, the yearly call (emails, confirmation, reminders
once, inactive after two calls), the contact form (no address shown, Reply-To, header injection, rate
limit), the report against the entries (page, CSV, PDF read back), the image (re-encoded, metadata gone,
bombs refused) and the import (dry run, all or nothing, updates by external_id)."""

from __future__ import annotations

import csv
import io
import os
from datetime import datetime, timedelta, timezone

import pytest
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import (
    AuditEntry,
    Call,
    CallAnswer,
    ContactMessage,
    Entry,
    EntryEvent,
    EntryState,
    EntryVersion,
    Organisation,
)
from portal.stocktaking import services
from tests.conftest import link_in, login, mail_to

NEXT_MONTH = (datetime.now(timezone.utc) + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def st(make, secretariat):
    org = make.organisation("Ministry of ICT of Kenya", country="KE")
    alice = make.user("alice@ict.go.ke", organisation=org, focal_point=True, name="Alice")
    ben = make.user("ben@ict.go.ke", organisation=org, name="Ben")
    other = make.organisation("Agence numérique du Bénin", country="BJ")
    olga = make.user("olga@numerique.bj", organisation=other, name="Olga")
    return type("ST", (), dict(org=org, alice=alice, ben=ben, other=other, olga=olga, sec=secretariat))


def form(**over) -> dict:
    data = {"title": "Rural broadband for schools", "description": "Connecting rural schools.\n\nAnd their teachers.",
            "action_lines": ["C2", "C4"], "main_action_line": "C2", "sdgs": ["4", "9"], "countries": ["KE", "UG"],
            "status": "ongoing", "start_date": "2009-01-15", "end_date": "", "websites": "https://schools.example.org",
            "contact_role": "Project coordinator", "language": "en", "partners-0-name": "Agence numérique du Bénin",
            "partners-0-role": "implementing", "partners-1-name": "Friends of the Schools",
            "partners-1-role": "funding", "looking_for_partners": "y"}
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


def describe(client, *, submit=False, **over):
    data = form(**over)
    data["submit" if submit else "save"] = "1"
    return client.post_form("/stocktaking/new", data, page="/stocktaking/new")


def only_entry() -> Entry:
    return db.session.scalars(select(Entry)).one()


def decide(client, entry_id, action, comment=""):
    return client.post_form(f"/secretariat/stocktaking/activities/{entry_id}/decide",
                            {action: "1", "comment": comment}, page=f"/stocktaking/activities/{entry_id}")


def published(client, st) -> Entry:
    """An entry described by Alice and published by the secretariat (client ends logged in as the secretariat)."""
    login(client, st.alice.email)
    assert describe(client, submit=True).status_code == 302
    e = only_entry()
    client.post_form("/logout", {})
    login(client, st.sec.email)
    assert decide(client, e.id, "publish").status_code == 302
    db.session.expire_all()
    return db.session.get(Entry, e.id)


# The questionnaire ---------------------------------------------------------------------------------

def test_a_member_saves_a_draft_that_only_the_organisation_and_the_secretariat_see(client, other_client, st, app):
    login(client, st.alice.email)
    page = client.get("/stocktaking/new").get_data(as_text=True)
    for label in ("Title", "Description", "Action lines", "Main action line", "SDGs", "Countries", "Status",
                  "Start date", "End date", "Website", "Looking for partners", "Looking for funding", "Save draft",
                  "Submit"):
        assert label in page
    r = describe(client)
    assert r.status_code == 302
    e = only_entry()
    assert e.state == EntryState.DRAFT and e.organisation_id == st.org.id
    v = e.latest_version
    assert [al.code for al in v.action_lines] == ["C2", "C4"] and v.main_action_line.code == "C2"
    assert v.sdgs == [4, 9] and v.countries == ["KE", "UG"]
    assert [(p.name, p.role.value, p.organisation_id) for p in v.partners] == [
        ("Agence numérique du Bénin", "implementing", st.other.id), ("Friends of the Schools", "funding", None)]
    assert "Draft saved" in client.get(r.location).get_data(as_text=True)
    assert other_client.get(f"/stocktaking/activities/{e.id}").status_code == 404
    login(other_client, st.olga.email)
    assert other_client.get(f"/stocktaking/activities/{e.id}").status_code == 404
    assert other_client.get(f"/stocktaking/activities/{e.id}/edit").status_code == 404
    client.post_form("/logout", {})
    login(client, st.ben.email)
    assert "Rural broadband for schools" in client.get(f"/stocktaking/activities/{e.id}").get_data(as_text=True)
    assert mail_to(app, st.alice.email) == []


@pytest.mark.parametrize("over, field, message", [
    ({"end_date": "2008-12-31"}, "end_date", "The end date is before the start date."),
    ({"action_lines": [], "main_action_line": ""}, "action_lines", "Choose at least one action line."),
    ({"sdgs": ["4", "18"]}, "sdgs", "numbered 1 to 17"),
    ({"countries": ["KE", "XX"]}, "countries", "Unknown country code: XX"),
    ({"countries": []}, "countries", "or Global"),
    ({"websites": "javascript:alert(1)"}, "websites", "must begin with http:// or https://"),
    ({"websites": "ftp://files.example.org"}, "websites", "must begin with http:// or https://"),
    ({"main_action_line": "C7"}, "main_action_line", "must be one of the action lines chosen"),
    ({"contact_role": "alice@ict.go.ke"}, "contact_role", "not an email address"),
    ({"funding_amount": "5000"}, "funding_amount", "Tick Looking for funding"),
    ({"status": "completed"}, "end_date", "needs its end date"),
    ({"partners-0-role": ""}, "partners-0-role", "role from the list"),
])
def test_bad_input_is_refused_at_its_field_keeping_what_was_typed(client, st, over, field, message):
    login(client, st.alice.email)
    r = describe(client, submit=True, **over)
    html = r.get_data(as_text=True)
    assert r.status_code == 400
    assert message in html
    assert f'id="{field}-error"' in html
    assert "Rural broadband for schools" in html and "Connecting rural schools." in html
    assert db.session.scalar(select(func.count(Entry.id))) == 0


def png_bytes(size=(40, 30), **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "PNG", **save)
    return out.getvalue()


def test_an_image_that_is_not_an_image_or_a_decompression_bomb_is_refused(client, st, app):
    login(client, st.alice.email)
    for payload, message in [(b"%PDF-1.4 not an image", "not a PNG or JPEG image"),
                             (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "not a PNG or JPEG image")]:
        data = form(save="1", image=(io.BytesIO(payload), "photo.png"))
        data["csrf_token"] = client.csrf_token("/stocktaking/new")
        r = client.post("/stocktaking/new", data=data, content_type="multipart/form-data")
        assert r.status_code == 400 and message in r.get_data(as_text=True)
    # 10,000 x 10,000 pixels of one colour compress to a few kilobytes (the limit is 40 million pixels).
    out = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(out, "PNG", optimize=True)
    bomb = out.getvalue()
    assert len(bomb) < 100_000
    data = form(save="1", image=(io.BytesIO(bomb), "bomb.png"))
    data["csrf_token"] = client.csrf_token("/stocktaking/new")
    r = client.post("/stocktaking/new", data=data, content_type="multipart/form-data")
    assert r.status_code == 400 and "too many pixels" in r.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Entry.id))) == 0
    from portal import storage
    assert list(storage.list_keys()) == []


def test_the_image_is_reencoded_without_its_metadata_and_served_as_an_image(client, other_client, st):
    img = Image.new("RGB", (3000, 1500), (10, 120, 200))
    exif = Image.Exif()
    exif[0x8298] = "Secret copyright holder"  # Copyright
    exif[0x010F] = "SecretCam"  # Make
    raw = io.BytesIO()
    img.save(raw, "JPEG", exif=exif.tobytes(), comment=b"private comment")
    assert b"SecretCam" in raw.getvalue()
    login(client, st.alice.email)
    data = form(submit="1", image=(io.BytesIO(raw.getvalue()), "photo.jpg"), image_alt="Pupils at a computer")
    data["csrf_token"] = client.csrf_token("/stocktaking/new")
    assert client.post("/stocktaking/new", data=data, content_type="multipart/form-data").status_code == 302
    v = only_entry().latest_version
    assert (v.image_type, v.image_width, v.image_height) == ("jpeg", 1600, 800)
    r = client.get(f"/stocktaking/activities/{v.entry_id}/versions/{v.id}/image")
    assert r.status_code == 200 and r.mimetype == "image/jpeg"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert b"SecretCam" not in r.data and b"Secret copyright" not in r.data and b"private comment" not in r.data
    assert Image.open(io.BytesIO(r.data)).size == (1600, 800)
    assert other_client.get(f"/stocktaking/activities/{v.entry_id}/versions/{v.id}/image").status_code == 404


def test_only_members_of_verified_organisations_describe_activities(client, make):
    unverified = make.organisation("Unverified Group", verified=False)
    make.user("u@group.example", organisation=unverified)
    pending_org = make.organisation("Verified Ministry")
    make.user("p@ministry.example", organisation=pending_org, membership="pending")
    for email in ("u@group.example", "p@ministry.example"):
        login(client, email)
        r = client.get("/stocktaking/new")
        assert r.status_code == 403 and "verified organisations" in r.get_data(as_text=True)
        assert describe(client).status_code == 403
        client.post_form("/logout", {})
    assert db.session.scalar(select(func.count(Entry.id))) == 0
    assert client.get("/stocktaking/new").status_code == 302  # to the login page


# Moderation -----------------------------------------------------------------------------------------

def test_submit_and_publish_mail_the_members_and_record_the_trail(client, st, app):
    e = published(client, st)
    assert e.state == EntryState.PUBLISHED and e.current_version.state == EntryState.PUBLISHED
    assert e.first_published_at is not None and e.reviewed_at is not None
    for who in (st.alice, st.ben):
        subjects = [m["Subject"] for m in mail_to(app, who.email)]
        assert "Activity submitted: Rural broadband for schools" in subjects
        assert "Published in the WSIS Stocktaking: Rural broadband for schools" in subjects
    actions = [ev.action for ev in db.session.scalars(select(EntryEvent).where(EntryEvent.entry_id == e.id))]
    assert actions == ["created", "submitted", "published"]
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "stocktaking.published")) == 1
    page = client.get(f"/stocktaking/activities/{e.id}").get_data(as_text=True)
    assert "Looking for partners" in page and "SDG 4: Quality education" in page and "Kenya" in page


def test_the_public_sees_a_published_entry_and_its_page_links_the_contact_form(client, other_client, st):
    e = published(client, st)
    page = other_client.get(f"/stocktaking/activities/{e.id}").get_data(as_text=True)
    assert "Rural broadband for schools" in page and "Contact this organisation" in page
    assert st.alice.email not in page and st.ben.email not in page
    assert "<p>Connecting rural schools.</p>" in page  # paragraphs
    org_page = other_client.get(f"/organisations/{st.org.id}").get_data(as_text=True)
    assert "Rural broadband for schools" in org_page
    line_page = other_client.get("/action-lines/C4").get_data(as_text=True)
    assert "Activities in the WSIS Stocktaking" in line_page and "Rural broadband for schools" in line_page
    assert "Rural broadband for schools" not in other_client.get("/action-lines/C9").get_data(as_text=True)


def test_description_html_is_shown_as_text(client, other_client, st):
    login(client, st.alice.email)
    describe(client, submit=True, description="<script>alert(1)</script> <b>bold</b>")
    e = only_entry()
    client.post_form("/logout", {})
    login(client, st.sec.email)
    decide(client, e.id, "publish")
    page = other_client.get(f"/stocktaking/activities/{e.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_an_update_goes_to_moderation_while_the_published_version_stays(client, other_client, st, app):
    e = published(client, st)
    first = e.current_version_id
    client.post_form("/logout", {})
    login(client, st.alice.email)
    data = form(title="Rural broadband for schools and libraries", submit="1")
    assert client.post_form(f"/stocktaking/activities/{e.id}/edit", data,
                            page=f"/stocktaking/activities/{e.id}/edit").status_code == 302
    public = other_client.get(f"/stocktaking/activities/{e.id}").get_data(as_text=True)
    assert "Rural broadband for schools" in public and "and libraries" not in public
    owner = client.get(f"/stocktaking/activities/{e.id}").get_data(as_text=True)
    assert "and libraries" in owner  # the new version, below
    # While it is with the secretariat the owner cannot change it.
    r = client.post_form(f"/stocktaking/activities/{e.id}/edit", form(title="Third"), page="/stocktaking/mine")
    assert "with the secretariat" in r.get_data(as_text=True)
    client.post_form("/logout", {})
    login(client, st.sec.email)
    assert decide(client, e.id, "publish").status_code == 302
    db.session.expire_all()
    e = db.session.get(Entry, e.id)
    assert e.current_version.title == "Rural broadband for schools and libraries"
    assert db.session.get(EntryVersion, first).state == EntryState.ARCHIVED
    assert [v.state for v in e.versions] == [EntryState.ARCHIVED, EntryState.PUBLISHED]
    assert "and libraries" in other_client.get(f"/stocktaking/activities/{e.id}").get_data(as_text=True)


def test_return_with_a_comment_then_resubmit_and_reject(client, st, app):
    login(client, st.alice.email)
    describe(client, submit=True)
    e = only_entry()
    client.post_form("/logout", {})
    login(client, st.sec.email)
    r = decide(client, e.id, "return", "")
    assert "Say why" in client.get(r.location).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Entry, e.id).state == EntryState.SUBMITTED
    decide(client, e.id, "return", "Please name the schools' districts.")
    db.session.expire_all()
    assert db.session.get(Entry, e.id).state == EntryState.RETURNED
    returned = [m for m in mail_to(app, st.alice.email) if m["Subject"].startswith("Returned for changes")]
    assert "Please name the schools' districts." in returned[0].get_body().get_content()
    client.post_form("/logout", {})
    login(client, st.alice.email)
    edit = client.get(f"/stocktaking/activities/{e.id}/edit").get_data(as_text=True)
    assert "Please name the schools&#39; districts." in edit
    client.post_form(f"/stocktaking/activities/{e.id}/edit", form(description="In Kisumu and Turkana.", submit="1"),
                     page=f"/stocktaking/activities/{e.id}/edit")
    db.session.expire_all()
    assert db.session.get(Entry, e.id).state == EntryState.SUBMITTED
    client.post_form("/logout", {})
    login(client, st.sec.email)
    decide(client, e.id, "reject", "Not an ICT activity.")
    db.session.expire_all()
    e = db.session.get(Entry, e.id)
    assert e.state == EntryState.REJECTED and e.current_version_id is None
    client.post_form("/logout", {})
    assert client.get(f"/stocktaking/activities/{e.id}").status_code == 404
    login(client, st.alice.email)
    r = client.post_form(f"/stocktaking/activities/{e.id}/edit", form(submit="1"), page="/stocktaking/mine")
    assert "refused and cannot be changed" in r.get_data(as_text=True)


def test_two_decisions_on_one_version_count_once(client, st):
    login(client, st.alice.email)
    describe(client, submit=True)
    e = only_entry()
    lock = e.latest_version.lock_version
    client.post_form("/logout", {})
    login(client, st.sec.email)
    token = client.csrf_token(f"/stocktaking/activities/{e.id}")
    first = client.post(f"/secretariat/stocktaking/activities/{e.id}/decide",
                        data={"publish": "1", "lock": str(lock), "csrf_token": token})
    second = client.post(f"/secretariat/stocktaking/activities/{e.id}/decide",
                         data={"reject": "1", "comment": "no", "lock": str(lock), "csrf_token": token})
    assert first.status_code == 302 and second.status_code == 302
    db.session.expire_all()
    assert db.session.get(Entry, e.id).state == EntryState.PUBLISHED


def test_stakeholders_cannot_reach_the_secretariat_pages(client, st):
    login(client, st.alice.email)
    describe(client, submit=True)
    e = only_entry()
    assert client.get("/secretariat/stocktaking").status_code in (403, 404)
    assert decide(client, e.id, "publish").status_code in (403, 404)
    db.session.expire_all()
    assert db.session.get(Entry, e.id).state == EntryState.SUBMITTED


def test_archive_hides_an_entry_and_the_secretariat_restores_it(client, other_client, st):
    e = published(client, st)
    client.post_form("/logout", {})
    login(client, st.alice.email)
    client.post_form(f"/stocktaking/activities/{e.id}/archive", {}, page=f"/stocktaking/activities/{e.id}")
    db.session.expire_all()
    assert db.session.get(Entry, e.id).state == EntryState.ARCHIVED
    assert other_client.get(f"/stocktaking/activities/{e.id}").status_code == 404
    assert "Archived" in client.get(f"/stocktaking/activities/{e.id}").get_data(as_text=True)
    client.post_form("/logout", {})
    login(client, st.sec.email)
    client.post_form(f"/secretariat/stocktaking/activities/{e.id}/restore", {}, page=f"/stocktaking/activities/{e.id}")
    assert other_client.get(f"/stocktaking/activities/{e.id}").status_code == 200


# The yearly call --------------------------------------------------------------------------------------

def open_call(client, year=2026, deadline=NEXT_MONTH):
    return client.post_form("/secretariat/stocktaking/calls", {"year": str(year), "deadline": deadline,
                                                                "message": "Please review."},
                            page="/secretariat/stocktaking")


def test_a_call_mails_the_owners_and_a_confirmation_counts_as_updated(client, st, app):
    e = published(client, st)
    r = open_call(client)
    assert r.status_code == 302
    call = db.session.scalars(select(Call)).one()
    msgs = [m for m in mail_to(app, st.ben.email) if "WSIS Stocktaking 2026" in m["Subject"]]
    assert msgs and msgs[0]["Subject"].startswith("Action required")
    link = link_in(msgs[0], f"/stocktaking/activities/{e.id}/review")
    assert open_call(client, year=2026).status_code == 400  # one call per year
    client.post_form("/logout", {})
    login(client, st.ben.email)
    path = link.split("localhost", 1)[-1]
    assert "Confirm as up to date" in client.get(path).get_data(as_text=True)
    client.post_form(path, {}, page=path)
    answer = db.session.scalars(select(CallAnswer)).one()
    assert (answer.call_id, answer.entry_id, answer.updated) == (call.id, e.id, False)
    assert "Updated for 2026" in client.get(f"/stocktaking/activities/{e.id}").get_data(as_text=True)
    client.post_form(path, {}, page=path)  # twice: still one answer
    assert db.session.scalar(select(func.count(CallAnswer.id))) == 1


def test_an_update_published_during_a_call_counts_as_updated(client, st):
    e = published(client, st)
    open_call(client)
    client.post_form("/logout", {})
    login(client, st.alice.email)
    client.post_form(f"/stocktaking/activities/{e.id}/edit", form(title="Updated title", submit="1"),
                     page=f"/stocktaking/activities/{e.id}/edit")
    client.post_form("/logout", {})
    login(client, st.sec.email)
    decide(client, e.id, "publish")
    answer = db.session.scalars(select(CallAnswer)).one()
    assert answer.updated is True and answer.entry_id == e.id


def test_reminders_go_once_and_two_missed_calls_make_an_entry_inactive(client, st, app, runner):
    e = published(client, st)
    now = datetime.now(timezone.utc)
    # An entry that existed before two calls, and answered neither.
    db.session.get(Entry, e.id).first_published_at = now - timedelta(days=800)
    db.session.get(Entry, e.id).reviewed_at = now - timedelta(days=800)
    db.session.add(Call(year=2024, deadline=now - timedelta(days=400), opened_at=now - timedelta(days=450),
                        closed_at=now - timedelta(days=399)))
    db.session.add(Call(year=2025, deadline=now + timedelta(days=3), opened_at=now - timedelta(days=40)))
    db.session.commit()
    before = len(mail_to(app, st.alice.email))
    out = runner.invoke(args=["send-reminders"])
    assert out.exit_code == 0 and "2 Stocktaking call messages" in out.output  # Alice and Ben
    reminders = [m for m in mail_to(app, st.alice.email)[before:] if m["Subject"].startswith("Reminder: WSIS")]
    assert len(reminders) == 1 and "Rural broadband for schools" in reminders[0].get_body().get_content()
    out = runner.invoke(args=["send-reminders"])
    assert "0 Stocktaking call messages" in out.output
    assert not db.session.get(Entry, e.id).inactive
    db.session.scalar(select(Call).where(Call.year == 2025)).deadline = now - timedelta(minutes=1)
    db.session.commit()
    out = runner.invoke(args=["send-reminders"])
    assert "marked inactive: 1" in out.output
    db.session.expire_all()
    assert db.session.get(Entry, e.id).inactive
    page = client.get(f"/stocktaking/activities/{e.id}").get_data(as_text=True)
    assert "Inactive" in page and f"Not updated since {(now - timedelta(days=800)).year}" in page
    out = runner.invoke(args=["send-reminders"])
    assert "marked inactive: 0" in out.output
    # Back when its owner updates it: the report counts it again.
    assert services.home_counts().total == 0
    open_call(client, year=2026)
    client.post_form("/logout", {})
    login(client, st.alice.email)
    client.post_form(f"/stocktaking/activities/{e.id}/review", {}, page=f"/stocktaking/activities/{e.id}/review")
    db.session.expire_all()
    assert not db.session.get(Entry, e.id).inactive
    assert services.home_counts().total == 1


# Contact ------------------------------------------------------------------------------------------------

def contact(client, entry_id, **over):
    data = {"name": "Dana Researcher", "email": "dana@university.example",
            "message": "We would like to partner on teacher training."}
    data.update(over)
    return client.post_form(f"/stocktaking/activities/{entry_id}/contact", data,
                            page=f"/stocktaking/activities/{entry_id}/contact")


def test_contact_reaches_the_members_with_reply_to_and_discloses_no_address(client, other_client, st, app):
    e = published(client, st)
    page = other_client.get(f"/stocktaking/activities/{e.id}/contact").get_data(as_text=True)
    for label in ("Your name", "Your email", "Message", "Send"):
        assert label in page
    assert st.alice.email not in page
    r = contact(other_client, e.id)
    assert r.status_code == 302
    after = other_client.get(r.location).get_data(as_text=True)
    assert "Your message was sent" in after and st.alice.email not in after
    for who in (st.alice, st.ben):
        msg = [m for m in mail_to(app, who.email) if m["Subject"].startswith("A message about your activity")][0]
        assert msg["Reply-To"] == "dana@university.example"
        assert "We would like to partner on teacher training." in msg.get_body().get_content()
    assert mail_to(app, "dana@university.example") == []
    assert db.session.scalar(select(func.count(ContactMessage.id))) == 1


@pytest.mark.parametrize("over, message", [
    ({"name": "Dana\r\nBcc: victim@example.org"}, "line breaks"),
    ({"email": "dana@university.example\r\nBcc: victim@example.org"}, "email"),
    ({"email": "dana@university.example, victim@example.org"}, "email"),
    ({"message": ""}, "Write your message."),
])
def test_contact_header_injection_and_missing_fields_are_refused(client, other_client, st, app, over, message):
    e = published(client, st)
    r = contact(other_client, e.id, **over)
    assert r.status_code == 400 and message in r.get_data(as_text=True)
    assert "Dana" in r.get_data(as_text=True) or "dana@" in r.get_data(as_text=True)
    assert not [m for m in mail_to(app, st.alice.email) if m["Subject"].startswith("A message about")]
    assert all("victim@example.org" not in (m["Bcc"] or "") + (m["To"] or "") for m in mail_to(app, st.alice.email))


def test_contact_is_rate_limited_per_address(client, other_client, st, app):
    e = published(client, st)
    app.config["STOCKTAKING_CONTACT_PER_ADDRESS"] = 2
    assert contact(other_client, e.id).status_code == 302
    assert contact(other_client, e.id).status_code == 302
    r = contact(other_client, e.id)
    assert r.status_code == 400 and "Too many messages" in r.get_data(as_text=True)
    assert db.session.scalar(select(func.count(ContactMessage.id))) == 2


def test_drafts_cannot_be_contacted(client, other_client, st):
    login(client, st.alice.email)
    describe(client)
    e = only_entry()
    assert other_client.get(f"/stocktaking/activities/{e.id}/contact").status_code == 404


# The report ---------------------------------------------------------------------------------------------

def test_the_report_counts_the_entries_by_action_line_region_and_type(client, st, make, app):
    cs = make.organisation("Caucus", stakeholder_type="civil_society")
    carol = make.user("carol@caucus.example", organisation=cs)
    year = datetime.now(timezone.utc).year
    specs = [(st.alice, ["C2", "C4"], ["KE", "EG"], False), (st.alice, ["C2"], [], True),
             (carol, ["C4"], ["FR"], False), (carol, ["C9"], ["RU"], False)]
    ids = []
    for user, codes, countries, is_global in specs:
        data = services.EntryData(title=f"Activity {len(ids)}", description="", action_lines=codes,
                                  main_action_line=codes[0], status=services.ActivityStatus.ONGOING,
                                  language=services.Language.ENGLISH, countries=countries, is_global=is_global)
        with app.test_request_context():
            e = services.create(user.organisation, user, data, submit=True)
            services.publish(e, st.sec)
        ids.append(e.id)
    db.session.get(Entry, ids[3]).inactive = True
    db.session.commit()
    login(client, st.sec.email)
    page = client.get(f"/stocktaking/report/{year}").get_data(as_text=True)
    assert "3 activities published by the end of" in page and "1 inactive" in page
    body = client.get(f"/stocktaking/report/{year}.csv")
    assert body.data.startswith(b"\xef\xbb\xbf") and "attachment" in body.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(body.data.decode("utf-8-sig"))))
    header = rows[2]
    c2 = next(r for r in rows if r[:1] == ["C2"])
    c4 = next(r for r in rows if r[:1] == ["C4"])
    c9 = next(r for r in rows if r[:1] == ["C9"])
    col = {name: i for i, name in enumerate(header)}
    assert c2[col["Africa"]] == "1" and c2[col["Arab States"]] == "1" and c2[col["Global"]] == "1"
    assert c2[col["Entries"]] == "2"
    assert c4[col["Europe"]] == "1" and c4[col["Africa"]] == "1" and c4[col["Entries"]] == "2"
    assert c9[col["Entries"]] == "0" and c9[col["CIS"]] == "0"  # the inactive one is not counted
    total = next(r for r in rows if r[:1] == ["Total"])
    assert total[col["Entries"]] == "3" and total[col["Africa"]] == "1" and total[col["Global"]] == "1"
    types = rows[rows.index(next(r for r in rows[3:] if r[:2] == ["Action line", "Title"] and "Government" in r)):]
    tcol = {name: i for i, name in enumerate(types[0])}
    c4t = next(r for r in types if r[:1] == ["C4"])
    assert c4t[tcol["Government"]] == "1" and c4t[tcol["Civil society"]] == "1"
    listed = [r for r in rows if len(r) == 8 and r[0] in ("C2", "C4", "C9") and r[1].isdigit()]
    assert sorted(r[2] for r in listed) == ["Activity 0", "Activity 1", "Activity 2"]
    pdf = client.get(f"/stocktaking/report/{year}.pdf")
    assert pdf.mimetype == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert f"WSIS Stocktaking {year}" in text and "Activity 2" in text and "Activity 3" not in text
    assert "Arab States" in text


# The import ---------------------------------------------------------------------------------------------

HEADER = ("external_id,title,description,organisation,stakeholder_type,organisation_country,action_lines,"
          "main_action_line,sdgs,countries,status,start_date,end_date,website\n")


def write(tmp_path, rows: str):
    p = tmp_path / "records.csv"
    p.write_text(HEADER + rows, encoding="utf-8")
    return str(p)


GOOD = ('ST-1,Télécentres ruraux,"Des télécentres, partout.",Ministère des Postes du Mali,Government,ML,C2;C3,C2,'
        '4;9,ML;BF,ongoing,2008-01-01,,https://mali.example.org\n'
        'ST-2,Open data portal,Open data.,Open Data Alliance,civil_society,,C7,C7,16,global,Completed,2005-01-01,'
        '2009-12-31,\n')


def test_import_dry_run_then_apply_then_update(runner, tmp_path, st):
    path = write(tmp_path, GOOD)
    out = runner.invoke(args=["import-stocktaking", path])
    assert out.exit_code == 0 and "2 rows are correct" in out.output and "dry run" in out.output
    assert db.session.scalar(select(func.count(Entry.id))) == 0
    out = runner.invoke(args=["import-stocktaking", path, "--apply"])
    assert out.exit_code == 0, out.output
    assert "2 new entries" in out.output and "2 organisations created" in out.output
    entries = {e.external_id: e for e in db.session.scalars(select(Entry))}
    mali = entries["ST-1"]
    assert mali.state == EntryState.PUBLISHED and mali.current_version.countries == ["BF", "ML"]
    assert mali.current_version.sdgs == [4, 9] and not mali.organisation.is_verified
    assert entries["ST-2"].current_version.is_global and entries["ST-2"].organisation.stakeholder_type.value == \
        "civil_society"
    path = write(tmp_path, GOOD.replace("Télécentres ruraux", "Télécentres ruraux et urbains"))
    out = runner.invoke(args=["import-stocktaking", path, "--apply"])
    assert "0 new entries, 2 updated" in out.output
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Entry.id))) == 2
    assert db.session.scalar(select(func.count(Organisation.id)).where(
        Organisation.name == "Ministère des Postes du Mali")) == 1
    mali = db.session.scalar(select(Entry).where(Entry.external_id == "ST-1"))
    assert mali.current_version.title == "Télécentres ruraux et urbains" and len(mali.versions) == 2


def test_a_bad_row_loads_nothing_and_is_named_with_its_line_and_field(runner, tmp_path, st):
    rows = GOOD + ('ST-3,Bad,x,Someone,Government,KE,C12,C12,4,KE,ongoing,2010-01-01,,\n'
                   'ST-4,Bad dates,x,Someone,Government,KE,C1,C1,19,XX,ongoing,2010-05-01,2010-01-01,ftp://x\n')
    path = write(tmp_path, rows)
    for args in (["import-stocktaking", path], ["import-stocktaking", path, "--apply"]):
        out = runner.invoke(args=args)
        assert out.exit_code != 0
        assert "line 4, action_lines: unknown action line C12" in out.output
        assert "line 5, sdgs: unknown SDG '19'" in out.output
        assert "line 5, countries: unknown ISO 3166 country code XX" in out.output
        assert "line 5, end_date: before the start date" in out.output
        assert "line 5, website: not an http(s) address" in out.output
        assert "nothing was loaded" in out.output
    assert db.session.scalar(select(func.count(Entry.id))) == 0
    assert db.session.scalar(select(func.count(Organisation.id))) == 2  # the fixture's own


def test_import_refuses_a_file_without_the_columns_or_not_utf8(runner, tmp_path):
    p = tmp_path / "x.csv"
    p.write_text("external_id,title\nA,B\n", encoding="utf-8")
    out = runner.invoke(args=["import-stocktaking", str(p)])
    assert out.exit_code != 0 and "missing column(s): description" in out.output
    p.write_bytes(HEADER.encode() + "ST-1,Télé".encode("latin-1") + b"\n")
    out = runner.invoke(args=["import-stocktaking", str(p)])
    assert out.exit_code != 0 and "not UTF-8" in out.output


# Files are kept by the sweeper and in backups ----------------------------------------------------------------

def test_the_sweeper_keeps_stocktaking_files_and_images(client, st, app):
    from portal import backup, storage
    login(client, st.alice.email)
    data = form(save="1", image=(io.BytesIO(png_bytes()), "logo.png"),
                files=[(io.BytesIO(b"A plain text report about the schools."), "report.txt")])
    data["csrf_token"] = client.csrf_token("/stocktaking/new")
    assert client.post("/stocktaking/new", data=data, content_type="multipart/form-data").status_code == 302
    v = only_entry().latest_version
    assert v.image_key and len(v.files) == 1 and v.files[0].text.startswith("A plain text report")
    assert backup.sweep(older_than_seconds=0) == []
    assert storage.path_for(v.image_key).is_file() and storage.path_for(v.files[0].storage_key).is_file()
    assert backup.verify_storage().orphans == []


# Files go through the virus scanner like contributions ------------------------------------------------------

def test_an_infected_file_is_refused_and_a_held_one_waits_for_the_rescan(client, st, app, runner, tmp_path):
    from portal.models import EntryFile, ScanStatus
    from tests.test_antivirus import EICAR

    url = os.environ.get("TEST_ANTIVIRUS_URL")
    if not url:
        if os.environ.get("REQUIRE_ANTIVIRUS_TESTS"):
            pytest.fail("TEST_ANTIVIRUS_URL is not set: run the suite through scripts/with-clamd.sh (make test)")
        pytest.skip("no clamd: run through scripts/with-clamd.sh (make test does)")
    app.config["ANTIVIRUS_URL"] = url
    login(client, st.alice.email)
    data = form(submit="1", files=[(io.BytesIO(EICAR), "report.txt")])
    data["csrf_token"] = client.csrf_token("/stocktaking/new")
    r = client.post("/stocktaking/new", data=data, content_type="multipart/form-data")
    assert r.status_code == 400 and "the virus scanner found" in r.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Entry.id))) == 0
    # The scanner cannot be reached: the activity is kept as a draft and the file held.
    app.config["ANTIVIRUS_URL"] = f"unix://{tmp_path}/no-clamd-here.sock"
    data = form(submit="1", files=[(io.BytesIO(b"A clean report about the schools."), "report.txt")])
    data["csrf_token"] = client.csrf_token("/stocktaking/new")
    r = client.post("/stocktaking/new", data=data, content_type="multipart/form-data")
    assert r.status_code == 302
    assert "could not be checked for viruses yet" in client.get(r.location).get_data(as_text=True)
    e = only_entry()
    (f,) = e.latest_version.files
    assert e.state == EntryState.DRAFT and f.scan_status == ScanStatus.PENDING
    r = client.post_form(f"/stocktaking/activities/{e.id}/submit", {}, page=f"/stocktaking/activities/{e.id}")
    assert "waiting for the virus scan" in client.get(r.location).get_data(as_text=True)
    app.config["ANTIVIRUS_URL"] = url
    out = runner.invoke(args=["rescan", "--pending"])
    assert out.exit_code == 0 and "1 of 1 files scanned: 1 clean" in out.output
    db.session.expire_all()
    assert db.session.get(EntryFile, f.id).scan_status == ScanStatus.CLEAN
    client.post_form(f"/stocktaking/activities/{e.id}/submit", {}, page=f"/stocktaking/activities/{e.id}")
    db.session.expire_all()
    assert db.session.get(Entry, e.id).state == EntryState.SUBMITTED


# Browse and search ------------------------------------------------------------------------------------------

def test_browse_finds_published_entries_by_facet_and_word_and_never_a_draft(client, other_client, st):
    e = published(client, st)
    client.post_form("/logout", {})
    login(client, st.olga.email)
    describe(client, title="Draft about water pumps", sdgs=["6"], countries=["BJ"])
    page = other_client.get("/stocktaking/activities?sdg=4").get_data(as_text=True)
    assert "Rural broadband for schools" in page and "1 activity" in page
    assert "SDG 4: Quality education" in page and "Draft about water pumps" not in page
    assert "Rural broadband" not in other_client.get("/stocktaking/activities?sdg=6").get_data(as_text=True)
    assert "Rural broadband" in other_client.get("/stocktaking/activities?region=africa&partners=yes").get_data(
        as_text=True)
    assert "Rural broadband" not in other_client.get("/stocktaking/activities?region=europe").get_data(as_text=True)
    assert "Rural broadband" in other_client.get("/stocktaking/activities?q=teachers").get_data(as_text=True)
    assert "Draft about water pumps" not in other_client.get("/stocktaking/activities?q=pumps").get_data(as_text=True)
    odd = other_client.get("/stocktaking/activities?sdg=99&colour=red")
    assert odd.status_code == 200 and "is not known and was ignored" in odd.get_data(as_text=True)
    home = other_client.get("/stocktaking").get_data(as_text=True)
    assert "Browse the 1 activity" in home and "Describe an activity" in home
    assert f"/stocktaking/activities/{e.id}" in home


def test_renaming_the_organisation_renames_it_in_the_activities_search(client, other_client, st):
    from portal.db import run_committed_hooks
    from portal.organisations.services import update_organisation
    published(client, st)
    assert "Ministry of ICT of Kenya" in other_client.get("/stocktaking/activities").get_data(as_text=True)
    org = db.session.get(Organisation, st.org.id)
    update_organisation(org, st.sec, name="Ministry of ICT and Digital Economy of Kenya", country="KE",
                        stakeholder_type=org.stakeholder_type, website=None, description=None)
    db.session.commit()
    run_committed_hooks()
    page = other_client.get("/stocktaking/activities?q=digital").get_data(as_text=True)
    assert "Ministry of ICT and Digital Economy of Kenya" in page and "Rural broadband for schools" in page
