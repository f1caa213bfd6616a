"""The High-Level Track: sessions and slots, invitations and their answers (one counts; the deadline in the
meeting's own time zone), reminders sent once, requests, scheduling by protocol and its refusals,
publication with versions and changes, the public programme and iCalendar parsed back, online links,
statement texts and their compendium."""

from __future__ import annotations

import io
import re
from datetime import date, datetime, time, timedelta, timezone

import pytest
from icalendar import Calendar
from pypdf import PdfReader
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import (
    AuditEntry,
    Contribution,
    ContributionState,
    Invitation,
    InvitationState,
    ProgrammeSession,
    ProgrammeVersion,
    Series,
    Slot,
    Statement,
    StatementState,
)
from portal.programme import services
from tests.conftest import login, mail_to

TOMORROW = (datetime.now(timezone.utc) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def hlt(make):
    meeting = make.meeting("FORUM-2027", title="WSIS Forum 2027", symbol_prefix="WSIS/FORUM-2027",
                           start_date=date(2027, 3, 1), end_date=date(2027, 3, 5), deadline_tz="Europe/Zurich")
    gov = make.organisation("Ministry of ICT of Kenya", country="KE")
    alice = make.user("alice@ict.go.ke", organisation=gov, focal_point=True, name="Alice")
    gov2 = make.organisation("Ministère de l'Économie numérique du Sénégal", country="SN")
    bob = make.user("bob@gouv.sn", organisation=gov2, focal_point=True, name="Bob")
    cs = make.organisation("Civil Society Caucus", stakeholder_type="civil_society", country="CH")
    carol = make.user("carol@caucus.example", organisation=cs, focal_point=True, name="Carol")
    sec = make.user("sec@itu.example", role="secretariat", name="Officer")
    return type("HLT", (), dict(meeting=meeting, gov=gov, alice=alice, gov2=gov2, bob=bob, cs=cs, carol=carol, sec=sec))


def add_session(client, meeting, **over):
    data = {"title": "Policy statements", "kind": "policy_statements", "day": "2027-03-02", "start": "10:00",
            "end": "11:00", "room": "Room A", "slots": "4", "slot_minutes": "5"}
    data.update(over)
    return client.post_form(f"/secretariat/meetings/{meeting.code}/programme/sessions/new", data,
                            page=f"/secretariat/meetings/{meeting.code}/programme/sessions/new")


def invite(client, meeting, orgs, deadline=TOMORROW, **over):
    data = {"organisations": [str(o.id) for o in orgs], "reference": "CL-17/051",
            "letter": "Dear {organisation}, please confirm by {deadline} for the {meeting}.", "deadline": deadline}
    data.update(over)
    return client.post_form(f"/secretariat/meetings/{meeting.code}/programme/invite", data,
                            page=f"/secretariat/meetings/{meeting.code}/programme/invite")


def accept(client, inv, **over):
    data = {"answer": "accept", "speaker_name": "Hon. Eliud Owalo", "speaker_title": "Minister of ICT",
            "speaker_rank": "minister", "speaker_gender": "man", "participant": "",
            "preferred_day": ""}
    data.update(over)
    return client.post_form(f"/invitations/{inv.id}", data, page=f"/invitations/{inv.id}")


def the_invitation(org) -> Invitation:
    db.session.expire_all()
    return db.session.scalar(select(Invitation).where(Invitation.organisation_id == org.id))


# Sessions -----------------------------------------------------------------------------------------

def test_the_secretariat_adds_a_session_with_its_slots(client, hlt):
    login(client, hlt.sec.email)
    page = client.get("/secretariat/meetings/FORUM-2027/programme/sessions/new").get_data(as_text=True)
    for label in ("Title", "Kind", "Date", "Start time", "End time", "Slots", "Slot length (minutes)"):
        assert f">{label}</label>" in page, label
    assert 'value="Save"' in page
    assert add_session(client, hlt.meeting).status_code == 302
    s = db.session.scalar(select(ProgrammeSession))
    assert (s.day, s.start, s.end, len(s.slots)) == (date(2027, 3, 2), time(10), time(11), 4)
    assert [slot.starts for slot in s.slots] == [time(10), time(10, 5), time(10, 10), time(10, 15)]


@pytest.mark.parametrize("over, field, message", [
    (dict(day="2027-03-09"), "day", "The session must lie within the meeting&#39;s dates"),
    (dict(end="09:00"), "end", "The end time must be after the start time."),
    (dict(slots="13"), "slots", "The slots take 65 minutes (13 × 5); the session lasts 60."),
    (dict(room=""), "room", "Give the room, or tick “Online”."),
    (dict(online_link="https://meet.example/x"), "online_link", "Tick “Online” to give the link, or remove the link."),
    (dict(online="y", online_link="javascript:alert(1)"), "online_link",
     "Enter a web address starting with https:// or http://."),
])
def test_a_session_that_does_not_fit_is_refused_and_nothing_saved(client, hlt, over, field, message):
    login(client, hlt.sec.email)
    r = add_session(client, hlt.meeting, **over)
    page = r.get_data(as_text=True)
    assert r.status_code == 400 and message in page
    assert re.search(rf'id="{field}-error"', page)
    assert db.session.scalar(select(func.count(ProgrammeSession.id))) == 0


# Invitations ---------------------------------------------------------------------------------------

def test_invitations_are_sent_with_the_letter_filled_in_and_an_action_required_subject(app, client, hlt):
    login(client, hlt.sec.email)
    page = client.get("/secretariat/meetings/FORUM-2027/programme/invite").get_data(as_text=True)
    for label in ("Organisations", "Reference", "Letter", "Confirmation deadline"):
        assert f">{label}</label>" in page, label
    assert 'value="Send invitations"' in page
    r = invite(client, hlt.meeting, [hlt.gov], deadline="2027-01-22T23:59")
    assert r.status_code == 302
    inv = the_invitation(hlt.gov)
    assert inv.letter.startswith("Dear Ministry of ICT of Kenya, please confirm by 22 January 2027, 23:59 (Geneva time)")
    assert inv.deadline_at == datetime(2027, 1, 22, 22, 59, tzinfo=timezone.utc)  # 23:59 in Geneva
    (mail,) = mail_to(app, hlt.alice.email)
    assert mail["Subject"] == "Action required: confirm by January 22, 2027 — WSIS Forum 2027"
    assert f"/invitations/{inv.id}" in mail.get_content()


def test_all_governments_in_one_go_and_nobody_twice(client, hlt):
    login(client, hlt.sec.email)
    invite(client, hlt.meeting, [hlt.gov])
    r = invite(client, hlt.meeting, [], all_governments="y")
    assert r.status_code == 302
    invited = {i.organisation_id for i in db.session.scalars(select(Invitation))}
    assert invited == {hlt.gov.id, hlt.gov2.id}  # the two governments, not the civil society organisation
    assert "Invited before, not again: Ministry of ICT of Kenya." in client.get(r.headers["Location"]).get_data(
        as_text=True)


def test_the_deadline_in_another_time_zone(client, make, hlt):
    hlt.meeting.deadline_tz = "America/New_York"
    db.session.commit()
    login(client, hlt.sec.email)
    invite(client, hlt.meeting, [hlt.gov], deadline="2027-01-22T23:59")
    inv = the_invitation(hlt.gov)
    assert inv.deadline_at == datetime(2027, 1, 23, 4, 59, tzinfo=timezone.utc)
    assert "22 January 2027, 23:59 (America/New York)" in inv.letter


def test_the_invited_focal_point_accepts_and_names_the_speaker(app, client, other_client, hlt):
    login(client, hlt.sec.email)
    invite(client, hlt.meeting, [hlt.gov])
    inv = the_invitation(hlt.gov)
    login(other_client, hlt.alice.email)
    meeting_page = other_client.get("/meetings/FORUM-2027").get_data(as_text=True)
    assert "Your organisation is invited to deliver a policy statement" in meeting_page
    assert f'href="/invitations/{inv.id}">Answer the invitation' in meeting_page
    page = other_client.get(f"/invitations/{inv.id}").get_data(as_text=True)
    assert ">Speaker's name</label>" in page and ">Speaker's title</label>" in page
    assert 'value="Accept"' in page and 'value="Decline"' in page
    assert accept(other_client, inv, **{"preferred_day": "2027-03-02"}).status_code == 302
    inv = the_invitation(hlt.gov)
    assert inv.state == InvitationState.ACCEPTED and inv.answered_by_id == hlt.alice.id
    st = inv.statement
    assert (st.state, st.speaker_name, st.speaker_title, st.preferred_day) == (
        StatementState.ACCEPTED, "Hon. Eliud Owalo", "Minister of ICT", date(2027, 3, 2))
    # Answered twice (a second tab): one answer counts.
    r = other_client.post_form(f"/invitations/{inv.id}", {"answer": "decline", "reason": "changed our mind"},
                               page=f"/invitations/{inv.id}")
    assert r.status_code == 400 and "already been answered" in r.get_data(as_text=True)
    assert the_invitation(hlt.gov).state == InvitationState.ACCEPTED
    assert db.session.scalar(select(func.count(Statement.id))) == 1
    assert "Answer the invitation" not in other_client.get("/meetings/FORUM-2027").get_data(as_text=True)


def test_declining(client, other_client, hlt):
    login(client, hlt.sec.email)
    invite(client, hlt.meeting, [hlt.gov])
    inv = the_invitation(hlt.gov)
    login(other_client, hlt.alice.email)
    r = other_client.post_form(f"/invitations/{inv.id}", {"answer": "decline", "reason": "Budget"},
                               page=f"/invitations/{inv.id}")
    assert r.status_code == 302
    inv = the_invitation(hlt.gov)
    assert inv.state == InvitationState.DECLINED and inv.decline_reason == "Budget" and inv.statement is None


def test_after_the_deadline_an_invitation_cannot_be_accepted_until_extended(client, other_client, hlt):
    login(client, hlt.sec.email)
    invite(client, hlt.meeting, [hlt.gov])
    inv = the_invitation(hlt.gov)
    inv.deadline_at = datetime.now(timezone.utc) - timedelta(minutes=1)
    db.session.commit()
    login(other_client, hlt.alice.email)
    assert "The confirmation deadline has passed" in other_client.get(f"/invitations/{inv.id}").get_data(as_text=True)
    r = accept(other_client, inv)
    assert r.status_code == 400 and "The confirmation deadline has passed" in r.get_data(as_text=True)
    assert services.effective_state(the_invitation(hlt.gov)) == "expired"
    assert "Expired (no answer by the deadline)" in client.get(
        "/secretariat/meetings/FORUM-2027/programme/invitations").get_data(as_text=True)
    client.post_form(f"/secretariat/meetings/FORUM-2027/programme/invitations/{inv.id}/extend",
                     {"deadline": TOMORROW}, page="/secretariat/meetings/FORUM-2027/programme/invitations")
    assert accept(other_client, the_invitation(hlt.gov)).status_code == 302


def test_another_organisation_cannot_answer_an_invitation(app, client, hlt):
    login(client, hlt.sec.email)
    invite(client, hlt.meeting, [hlt.gov])
    inv = the_invitation(hlt.gov)
    bob = app.test_client()
    login(bob, hlt.bob.email)
    assert bob.get(f"/invitations/{inv.id}").status_code == 404
    assert bob.post_form(f"/invitations/{inv.id}", {"answer": "decline"}, page="/").status_code == 404
    assert the_invitation(hlt.gov).state == InvitationState.SENT


def test_reminders_are_sent_once_when_the_command_runs_twice(app, client, runner, hlt):
    login(client, hlt.sec.email)
    invite(client, hlt.meeting, [hlt.gov, hlt.gov2])
    soon = the_invitation(hlt.gov)
    later = the_invitation(hlt.gov2)
    later.deadline_at = datetime.now(timezone.utc) + timedelta(days=30)
    db.session.commit()
    first = runner.invoke(args=["send-reminders"])
    second = runner.invoke(args=["send-reminders"])
    assert first.exit_code == 0 and "Reminders sent: 1 invitations" in first.output
    assert second.exit_code == 0 and "Reminders sent: 0 invitations" in second.output
    subjects = [m["Subject"] for m in mail_to(app, hlt.alice.email)]
    assert len([s for s in subjects if s.startswith("Reminder — action required")]) == 1
    assert not [m for m in mail_to(app, hlt.bob.email) if m["Subject"].startswith("Reminder")]
    assert the_invitation(hlt.gov).reminded_at is not None and soon.id != later.id


def test_withdrawing_an_accepted_invitation_frees_the_slot_and_tells_the_organisation(app, client, hlt):
    login(client, hlt.sec.email)
    add_session(client, hlt.meeting)
    invite(client, hlt.meeting, [hlt.gov])
    alice = app.test_client()
    login(alice, hlt.alice.email)
    assert accept(alice, the_invitation(hlt.gov), speaker_name="Hon. Withdrawn").status_code == 302
    st = the_invitation(hlt.gov).statement
    slot = db.session.scalar(select(ProgrammeSession)).slots[0]
    client.post_form(f"/secretariat/meetings/FORUM-2027/programme/slots/{slot.id}", {"statement": str(st.id)},
                     page="/secretariat/meetings/FORUM-2027/programme")
    inv = the_invitation(hlt.gov)
    url = f"/secretariat/meetings/FORUM-2027/programme/invitations/{inv.id}/withdraw"
    r = client.post_form(url, page="/secretariat/meetings/FORUM-2027/programme/invitations")
    assert r.status_code == 302
    assert "is withdrawn" in client.get(r.headers["Location"]).get_data(as_text=True)
    inv = the_invitation(hlt.gov)
    assert inv.state == InvitationState.WITHDRAWN and inv.statement.state == StatementState.WITHDRAWN
    assert db.session.get(Slot, slot.id).statement_id is None
    mails = [m for m in mail_to(app, hlt.alice.email) if m["Subject"].startswith("Invitation withdrawn")]
    assert len(mails) == 1 and "Hon. Withdrawn is no longer in the programme." in mails[0].get_content()
    # Twice (two tabs): a clear message, one mail.
    r = client.post_form(url, page="/secretariat/meetings/FORUM-2027/programme/invitations")
    assert "This invitation is closed." in client.get(r.headers["Location"]).get_data(as_text=True)
    assert len([m for m in mail_to(app, hlt.alice.email) if m["Subject"].startswith("Invitation withdrawn")]) == 1


# Requests -----------------------------------------------------------------------------------------

def test_an_organisation_not_invited_requests_a_slot_and_the_secretariat_grants_it(app, client, other_client, hlt):
    login(other_client, hlt.carol.email)
    r = other_client.post_form("/meetings/FORUM-2027/statement", {
        "speaker_name": "Dr. Carol Ong", "speaker_title": "Chair, Civil Society Plenary", "speaker_rank": "other",
        "speaker_gender": "woman", "participant": "", "preferred_day": "", "reason": "The voice of civil society."},
        page="/meetings/FORUM-2027/statement")
    assert r.status_code == 302
    st = db.session.scalar(select(Statement))
    assert st.state == StatementState.REQUESTED
    login(client, hlt.sec.email)
    client.post_form(f"/secretariat/meetings/FORUM-2027/programme/requests/{st.id}", {"decision": "refuse", "comment": ""},
                     page="/secretariat/meetings/FORUM-2027/programme")
    db.session.expire_all()
    assert db.session.get(Statement, st.id).state == StatementState.REQUESTED  # a refusal needs its reason
    client.post_form(f"/secretariat/meetings/FORUM-2027/programme/requests/{st.id}", {"decision": "grant", "comment": ""},
                     page="/secretariat/meetings/FORUM-2027/programme")
    db.session.expire_all()
    assert db.session.get(Statement, st.id).state == StatementState.ACCEPTED
    assert "Statement slot granted: WSIS Forum 2027" in [m["Subject"] for m in mail_to(app, hlt.carol.email)]


# Scheduling -----------------------------------------------------------------------------------------

def _accepted(client, hlt, org, name, rank, when=None):
    st = Statement(meeting=hlt.meeting, organisation=org, state=StatementState.ACCEPTED, speaker_name=name,
                   speaker_title="Speaker", speaker_rank=rank,
                   accepted_at=when or datetime.now(timezone.utc))
    db.session.add(st)
    db.session.commit()
    return st


def test_the_proposal_follows_protocol_then_the_order_of_acceptance(client, hlt):
    login(client, hlt.sec.email)
    add_session(client, hlt.meeting)
    t0 = datetime(2026, 11, 1, tzinfo=timezone.utc)
    amb = _accepted(client, hlt, hlt.cs, "Ambassador A", "ambassador", t0)
    minister_late = _accepted(client, hlt, hlt.gov2, "Minister Late", "minister", t0 + timedelta(hours=2))
    minister_early = _accepted(client, hlt, hlt.gov, "Minister Early", "minister", t0 + timedelta(hours=1))
    r = client.post_form("/secretariat/meetings/FORUM-2027/programme/proposal", page="/secretariat/meetings/FORUM-2027/programme/proposal")
    assert r.status_code == 302
    db.session.expire_all()
    order = [s.statement_id for s in db.session.scalar(select(ProgrammeSession)).slots]
    assert order == [minister_early.id, minister_late.id, amb.id, None]


def test_scheduling_refuses_two_speakers_in_a_slot_and_one_speaker_twice_at_once(app, client, hlt):
    login(client, hlt.sec.email)
    add_session(client, hlt.meeting)
    add_session(client, hlt.meeting, title="Dialogue", kind="dialogue", start="10:00", end="10:30", slots="2",
                slot_minutes="15")
    one = _accepted(client, hlt, hlt.gov, "Hon. Same Person", "minister")
    two = _accepted(client, hlt, hlt.gov2, "Other Speaker", "minister")
    again = _accepted(client, hlt, hlt.cs, "Hon. Same Person", "other")
    statements_, dialogue = db.session.scalars(select(ProgrammeSession).order_by(ProgrammeSession.id)).all()
    slot = statements_.slots[0]

    def assign(slot, st):
        return client.post_form(f"/secretariat/meetings/FORUM-2027/programme/slots/{slot.id}", {"statement": str(st.id)},
                                page="/secretariat/meetings/FORUM-2027/programme")

    page = lambda r: client.get(r.headers["Location"]).get_data(as_text=True)  # noqa: E731
    assign(slot, one)
    assert "This slot already has a speaker (Hon. Same Person)" in page(assign(slot, two))
    assert "Hon. Same Person already speaks at that time" in page(assign(dialogue.slots[0], again))
    db.session.expire_all()
    assert db.session.get(Slot, dialogue.slots[0].id).statement_id is None


def test_a_slot_offers_the_speakers_without_a_slot_and_frees_with_one_button(app, client, hlt):
    login(client, hlt.sec.email)
    add_session(client, hlt.meeting)
    scheduled = _accepted(client, hlt, hlt.gov, "Hon. Already Placed", "minister")
    _accepted(client, hlt, hlt.gov2, "Hon. Still Waiting", "ambassador")
    first, second = db.session.scalar(select(ProgrammeSession)).slots[:2]
    client.post_form(f"/secretariat/meetings/FORUM-2027/programme/slots/{first.id}", {"statement": str(scheduled.id)},
                     page="/secretariat/meetings/FORUM-2027/programme")
    manage = client.get("/secretariat/meetings/FORUM-2027/programme").get_data(as_text=True)
    assert "Hon. Already Placed, Speaker" in manage and "Free the slot" in manage
    assert f'href="/secretariat/meetings/FORUM-2027/programme/slots/{second.id}">Assign a speaker' in manage
    assert "<select" not in manage  # no list of every speaker for every slot
    other = client.get(f"/secretariat/meetings/FORUM-2027/programme/slots/{second.id}").get_data(as_text=True)
    assert "<h1>Speaker at 10:05</h1>" in other
    assert "Hon. Still Waiting" in other and "Hon. Already Placed" not in other
    own = client.get(f"/secretariat/meetings/FORUM-2027/programme/slots/{first.id}").get_data(as_text=True)
    assert f'<option value="{scheduled.id}" selected>' in own and "Hon. Still Waiting" in own
    r = client.post_form(f"/secretariat/meetings/FORUM-2027/programme/slots/{first.id}", {"statement": ""},
                         page="/secretariat/meetings/FORUM-2027/programme")
    assert "The slot is free." in client.get(r.headers["Location"]).get_data(as_text=True)
    assert db.session.get(Slot, first.id).statement_id is None
    # Another meeting's slot, or a member of an organisation: not found / not allowed.
    assert client.get(f"/secretariat/meetings/PC-3/programme/slots/{first.id}").status_code == 404
    alice = app.test_client()
    login(alice, hlt.alice.email)
    assert alice.get(f"/secretariat/meetings/FORUM-2027/programme/slots/{first.id}").status_code in (403, 404)


def test_moving_a_speaker_tells_the_organisation(app, client, hlt):
    login(client, hlt.sec.email)
    add_session(client, hlt.meeting)
    st = _accepted(client, hlt, hlt.gov, "Hon. Mover", "minister")
    s = db.session.scalar(select(ProgrammeSession))
    for slot in (s.slots[0], s.slots[2]):
        client.post_form(f"/secretariat/meetings/FORUM-2027/programme/slots/{slot.id}", {"statement": str(st.id)},
                         page="/secretariat/meetings/FORUM-2027/programme")
    mails = [m for m in mail_to(app, hlt.alice.email) if "slot has moved" in m["Subject"]]
    assert len(mails) == 1 and "now speaks on March 2, 2027 at 10:10" in mails[0].get_content()


# Publication, the public programme, iCalendar ---------------------------------------------------------------

def _published(client, hlt, *, new_session=True):
    if client.get("/login").status_code == 200:  # not logged in yet
        login(client, hlt.sec.email)
    if new_session:
        add_session(client, hlt.meeting, online="y", online_link="https://meet.example/hlt")
    st = _accepted(client, hlt, hlt.gov, "Hon. Eliud Owalo", "minister")
    s = db.session.scalar(select(ProgrammeSession))
    client.post_form(f"/secretariat/meetings/FORUM-2027/programme/slots/{s.slots[0].id}", {"statement": str(st.id)},
                     page="/secretariat/meetings/FORUM-2027/programme")
    client.post_form("/secretariat/meetings/FORUM-2027/programme/publish", page="/secretariat/meetings/FORUM-2027/programme")
    return s, st


def test_the_public_programme_shows_the_published_version_only(app, client, hlt):
    public = app.test_client()
    login(client, hlt.sec.email)
    add_session(client, hlt.meeting)
    assert "The programme will be published here." in public.get("/meetings/FORUM-2027/programme").get_data(as_text=True)
    assert public.get("/meetings/FORUM-2027/programme.ics").status_code == 404
    _published(client, hlt, new_session=False)
    page = public.get("/meetings/FORUM-2027/programme").get_data(as_text=True)
    assert "Tuesday, 2 March 2027" in page and "10:00–11:00 · Policy statements" in page
    assert "Hon. Eliud Owalo</strong>, Speaker — Ministry of ICT of Kenya (Kenya)" in page
    assert "Times are local times (Europe/Zurich)." in page and ">iCalendar<" in page
    assert ">Programme</a>" in public.get("/meetings/FORUM-2027").get_data(as_text=True)
    # A draft change is not public until published again.
    client.post_form(f"/secretariat/meetings/FORUM-2027/programme/sessions/{db.session.scalar(select(ProgrammeSession.id))}",
                     {"title": "Policy statements", "kind": "policy_statements", "day": "2027-03-03", "start": "14:00",
                      "end": "15:00", "room": "Room B", "slots": "4", "slot_minutes": "5"},
                     page="/secretariat/meetings/FORUM-2027/programme")
    assert "10:00–11:00" in public.get("/meetings/FORUM-2027/programme").get_data(as_text=True)
    client.post_form("/secretariat/meetings/FORUM-2027/programme/publish", page="/secretariat/meetings/FORUM-2027/programme")
    page = public.get("/meetings/FORUM-2027/programme").get_data(as_text=True)
    assert "14:00–15:00" in page
    assert "Session “Policy statements” moved to 3 March 2027, 14:00." in page
    assert "Session “Policy statements” now in Room B." in page
    assert [v.number for v in db.session.scalars(select(ProgrammeVersion).order_by(ProgrammeVersion.number))] == [1, 2]


def test_the_online_link_is_for_members_of_registered_delegations(app, client, make, hlt):
    from portal.models import Delegation, DelegationState

    _published(client, hlt)
    assert "https://meet.example/hlt" not in app.test_client().get("/meetings/FORUM-2027/programme").get_data(as_text=True)
    member = app.test_client()
    login(member, hlt.alice.email)
    assert "https://meet.example/hlt" not in member.get("/meetings/FORUM-2027/programme").get_data(as_text=True)
    db.session.add(Delegation(meeting=hlt.meeting, organisation=hlt.gov, state=DelegationState.CONFIRMED))
    db.session.commit()
    assert "https://meet.example/hlt" in member.get("/meetings/FORUM-2027/programme").get_data(as_text=True)
    # The page the member was shown is kept for the next member, never given to the public.
    assert "https://meet.example/hlt" not in app.test_client().get("/meetings/FORUM-2027/programme").get_data(as_text=True)


def test_icalendar_parses_back_with_tzid_stable_uids_and_a_growing_sequence(app, client, hlt):
    s, st = _published(client, hlt)
    first = Calendar.from_ical(app.test_client().get("/meetings/FORUM-2027/programme.ics").data)
    (event,) = first.walk("VEVENT")
    assert str(event["uid"]) == s.uid and event["sequence"] == 0
    assert event["dtstart"].params["TZID"] == "Europe/Zurich"
    assert event.decoded("dtstart") == datetime(2027, 3, 2, 10, 0, tzinfo=services.zone(hlt.meeting))
    assert "Hon. Eliud Owalo" in str(event["description"])
    assert first.walk("VTIMEZONE")
    # A calendar client asking again with the ETag is told nothing changed; a renamed meeting is a new file.
    visitor = app.test_client()
    answer = visitor.get("/meetings/FORUM-2027/programme.ics")
    assert answer.headers["ETag"] and answer.headers["Last-Modified"]
    again = visitor.get("/meetings/FORUM-2027/programme.ics", headers={"If-None-Match": answer.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    hlt.meeting.title = "WSIS Forum 2027 (renamed)"
    db.session.commit()
    renamed = visitor.get("/meetings/FORUM-2027/programme.ics", headers={"If-None-Match": answer.headers["ETag"]})
    assert renamed.status_code == 200 and str(Calendar.from_ical(renamed.data)["x-wr-calname"]) == "WSIS Forum 2027 (renamed)"
    client.post_form(f"/secretariat/meetings/FORUM-2027/programme/sessions/{s.id}",
                     {"title": "Policy statements", "kind": "policy_statements", "day": "2027-03-02", "start": "10:30",
                      "end": "11:30", "room": "Room A", "online": "y", "online_link": "https://meet.example/hlt",
                      "slots": "4", "slot_minutes": "5"}, page="/secretariat/meetings/FORUM-2027/programme")
    client.post_form("/secretariat/meetings/FORUM-2027/programme/publish", page="/secretariat/meetings/FORUM-2027/programme")
    (event,) = Calendar.from_ical(app.test_client().get(f"/meetings/FORUM-2027/programme/{s.uid}.ics").data).walk("VEVENT")
    assert str(event["uid"]) == s.uid and event["sequence"] == 1
    assert event.decoded("dtstart").time() == time(10, 30)


def test_publishing_twice_without_a_change_is_refused(client, hlt):
    _published(client, hlt)
    r = client.post_form("/secretariat/meetings/FORUM-2027/programme/publish", page="/secretariat/meetings/FORUM-2027/programme")
    assert "Nothing has changed since the last publication." in client.get(r.headers["Location"]).get_data(as_text=True)
    assert db.session.scalar(select(func.count(ProgrammeVersion.id))) == 1


# Statement texts and the compendium ------------------------------------------------------------------------

def test_the_statement_text_is_moderated_published_with_its_symbol_and_in_the_compendium(app, client, other_client, hlt):
    s, st = _published(client, hlt)
    login(other_client, hlt.alice.email)
    text = b"Kenya's statement: broadband for every county and digital skills for the young.\n"
    r = other_client.post_form("/meetings/FORUM-2027/statement/text",
                               {"language": "en", "file": (io.BytesIO(text), "statement.txt")},
                               page="/meetings/FORUM-2027/statement", content_type="multipart/form-data")
    assert r.status_code == 302
    c = db.session.scalar(select(Contribution).where(Contribution.series == Series.STMT))
    assert c is not None and c.state == ContributionState.SUBMITTED
    v = c.latest_version
    r = client.post_form(f"/secretariat/moderation/{v.id}/decide", {"decision": "publish", "lock": str(v.lock_version)},
                         page=f"/secretariat/moderation/{v.id}")
    assert r.status_code == 302
    db.session.expire_all()
    c = db.session.get(Contribution, c.id)
    assert c.symbol(0) == "WSIS/FORUM-2027/STMT/1-E"
    client.post_form("/secretariat/meetings/FORUM-2027/programme/publish", page="/secretariat/meetings/FORUM-2027/programme")
    page = app.test_client().get("/meetings/FORUM-2027/programme").get_data(as_text=True)
    assert f'href="/documents/{c.id}">Statement<span class="visually-hidden"> Hon. Eliud Owalo</span></a>' in page
    assert "WSIS/FORUM-2027/STMT/1-E" in app.test_client().get("/search?q=broadband+county").get_data(as_text=True)
    pdf = client.get("/secretariat/meetings/FORUM-2027/programme/compendium.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.data))
    text_all = "\n".join(p.extract_text() for p in reader.pages)
    for expected in ("Contents", "Hon. Eliud Owalo", "Ministry of ICT of Kenya", "Kenya", "WSIS/FORUM-2027/STMT/1-E",
                     "broadband for every county"):
        assert expected in text_all, expected


def test_stakeholders_cannot_reach_the_secretariats_programme_pages(client, hlt):
    login(client, hlt.alice.email)
    for url in ("/secretariat/meetings/FORUM-2027/programme", "/secretariat/meetings/FORUM-2027/programme/invite",
                "/secretariat/meetings/FORUM-2027/programme/invitations",
                "/secretariat/meetings/FORUM-2027/programme/compendium.pdf"):
        assert client.get(url).status_code == 403, url
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "access.denied")) >= 4


def test_the_demo_forum_has_a_draft_high_level_track(app, client, runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    states = {inv.organisation.name: inv.state for inv in db.session.scalars(select(Invitation))}
    assert sorted(states.values()) == sorted([InvitationState.ACCEPTED, InvitationState.DECLINED, InvitationState.SENT])
    st = db.session.scalar(select(Statement))
    assert st.speaker_name == "Aminata Ndiaye" and st.slot is not None
    assert st.contribution.state == ContributionState.PUBLISHED and st.contribution.series == Series.STMT
    assert db.session.scalar(select(func.count(ProgrammeVersion.id))) == 0  # a draft
    code = st.meeting.code
    login(client, "secretariat@demo.org", "wsis demo password 2027")
    page = client.get(f"/secretariat/meetings/{code}/programme").get_data(as_text=True)
    assert "Policy statements (1)" in page and "Aminata Ndiaye" in page
    assert "The programme will be published here." in app.test_client().get(
        f"/meetings/{code}/programme").get_data(as_text=True)


# Input found by probing as an attacker would --------------------------------------------------------------------

def test_the_organisations_statement_page_shows_its_request_and_the_text_form(app, client, other_client, hlt):
    _accepted(client, hlt, hlt.gov, "Hon. Page Test", "minister")
    login(other_client, hlt.alice.email)
    r = other_client.get("/meetings/FORUM-2027/statement")
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert "Hon. Page Test" in page and 'type="file"' in page


@pytest.mark.parametrize("deadline, message", [
    ("0001-01-01T00:00", "Enter a date between 1990 and 2100."),
    ("2030-01-01T12:00", "The confirmation deadline must be before the end of the meeting (5 March 2027)."),
])
def test_a_deadline_out_of_range_is_a_message_at_the_field(client, hlt, deadline, message):
    login(client, hlt.sec.email)
    r = invite(client, hlt.meeting, [hlt.gov], deadline=deadline)
    assert r.status_code == 400 and message in r.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Invitation.id))) == 0


def test_odd_values_in_forms_and_addresses_are_refused_not_errors(client, hlt):
    login(client, hlt.sec.email)
    add_session(client, hlt.meeting)
    slot = db.session.scalar(select(ProgrammeSession)).slots[0]
    url = f"/secretariat/meetings/FORUM-2027/programme/slots/{slot.id}"
    for value in ("²", "abc", "99999999999999999999999"):
        assert client.post_form(url, {"statement": value}, page="/secretariat/meetings/FORUM-2027/programme"
                                ).status_code == 400, value
    assert client.get("/secretariat/meetings/FORUM-2027/programme/slots/99999999999999999999999").status_code == 404
    assert client.get("/documents/99999999999999999999999").status_code == 404
    assert invite(client, hlt.meeting, [], organisations=["²"]).status_code == 400
    assert client.get("/secretariat/meetings/FORUM-2027/programme/invite?stakeholder_type=nope").status_code == 200


def test_control_and_override_characters_are_removed_from_what_is_typed(client, hlt):
    login(client, hlt.sec.email)
    add_session(client, hlt.meeting, title="Opening\x00 \u202eRTL\u202c segment\x07")
    assert db.session.scalar(select(ProgrammeSession.title)) == "Opening RTL segment"


def test_a_meeting_that_is_over_takes_no_request_for_a_slot(other_client, hlt):
    login(other_client, hlt.carol.email)  # FORUM-2021, a meeting of the record, ended on 21 May 2021
    r = other_client.post_form("/meetings/FORUM-2021/statement", {
        "speaker_name": "Dr. Carol Ong", "speaker_title": "Chair", "speaker_rank": "other", "speaker_gender": "",
        "participant": "", "preferred_day": "", "reason": "Late."}, page="/meetings/FORUM-2021/statement")
    assert r.status_code == 400
    assert "This meeting is over: its programme takes no more requests." in r.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Statement.id))) == 0


def test_a_long_heading_is_shortened_in_the_compendiums_contents(app):
    from pypdf import PdfReader

    from portal import pdf

    long_org = "Ministère de la Communication, des Télécommunications et de l'Économie numérique du Sénégal"
    with app.app_context():
        data = pdf.compendium(meeting_title="WSIS Forum 2027", meeting_dates="1–5 March 2027", items=[{
            "speaker": "S.E. Mme Aminata Ndiaye", "title": "Ministre de la Communication et de l'Économie numérique",
            "organisation": long_org, "country": "Senegal", "when": "2 March 2027, 10:00",
            "symbol": "WSIS/FORUM-2027/STMT/1-F", "text": "Texte."}])
    pages = PdfReader(io.BytesIO(data)).pages
    line = next(x for x in pages[0].extract_text().splitlines() if "Aminata" in x)
    assert "…" in line and long_org not in line and line.rstrip().endswith(" 2"), line
    assert len(pages) == 2 and "Texte." in pages[1].extract_text()  # no empty page after the contents


def test_a_withdrawn_invitation_says_so_when_answered(app, client, hlt):
    login(client, hlt.sec.email)
    invite(client, hlt.meeting, [hlt.gov])
    inv = the_invitation(hlt.gov)
    client.post_form(f"/secretariat/meetings/FORUM-2027/programme/invitations/{inv.id}/withdraw",
                     page="/secretariat/meetings/FORUM-2027/programme/invitations")
    alice = app.test_client()
    login(alice, hlt.alice.email)
    r = accept(alice, inv)
    body = r.get_data(as_text=True) if r.status_code != 302 else alice.get(r.headers["Location"]).get_data(as_text=True)
    assert "The secretariat has withdrawn this invitation; it can no longer be answered." in body
    assert the_invitation(hlt.gov).state == InvitationState.WITHDRAWN
