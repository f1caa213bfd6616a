"""Meetings and action lines: public pages and the secretariat's form."""

from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import select

from portal.extensions import db
from portal.models import ActionLine, Meeting, MeetingStatus

VALID = {
    "code": "FORUM-2027", "title": "WSIS Forum 2027", "type": "forum", "place": "Geneva, Switzerland",
    "start_date": "2027-05-10", "end_date": "2027-05-14", "deadline": "2027-03-01T23:59",
    "deadline_tz": "Europe/Zurich", "accept_late": "y", "symbol_prefix": "WSIS/FORUM-2027",
    "status": "open", "description": "Annual forum.\n\nSecond paragraph.",
}


def test_reference_data_is_loaded(app):
    codes = list(db.session.scalars(select(ActionLine.code).order_by(ActionLine.number)))
    assert codes == [f"C{i}" for i in range(1, 12)]
    pc3 = db.session.scalar(select(Meeting).where(Meeting.code == "PC-3"))
    assert (pc3.start_date, pc3.end_date) == (date(2003, 9, 15), date(2003, 9, 26))
    hammamet = db.session.scalar(select(Meeting).where(Meeting.code == "II-PC-1"))
    assert hammamet.place == "Hammamet, Tunisia"
    # 28 May 2004, 23:59 in Geneva (summer time, UTC+2) is 21:59 UTC.
    assert hammamet.deadline_at == datetime(2004, 5, 28, 21, 59, tzinfo=timezone.utc)
    assert db.session.scalar(select(Meeting).where(Meeting.code == "FORUM-2021")).virtual


def test_meetings_list_upcoming_first_then_past(client, make):
    make.meeting("SOON", title="Upcoming forum", start_date=date(2099, 1, 1), end_date=date(2099, 1, 2))
    html = client.get("/meetings/").get_data(as_text=True)
    assert html.index("Upcoming forum") < html.index("Past meetings") < html.index("World Summit on the Information Society, Tunis phase")
    # Past meetings latest first.
    assert html.index("WSIS Forum 2021") < html.index("WSIS Forum 2018") < html.index("Geneva phase PrepCom-1")


def test_meeting_page_shows_dates_place_and_deadline(client):
    html = client.get("/meetings/II-PC-1").get_data(as_text=True)
    assert "Tunis phase PrepCom-1" in html and "Hammamet, Tunisia" in html
    assert "24–26 Jun 2004" in html
    assert "28 May 2004, 23:59 (Geneva time)" in html
    assert client.get("/meetings/NOPE").status_code == 404


def test_virtual_meeting_shows_online(client):
    assert "Online" in client.get("/meetings/FORUM-2021").get_data(as_text=True)


def test_meeting_dates_in_french(client):
    html = client.get("/meetings/II-PC-1", headers={"Accept-Language": "fr-CH,fr;q=0.9"}).get_data(as_text=True)
    assert "24–26 juin 2004" in html and "28 mai 2004" in html


def test_action_line_pages(client):
    html = client.get("/action-lines/").get_data(as_text=True)
    assert "C11" in html and "Building confidence and security in the use of ICTs" in html
    r = client.get("/action-lines/C7")
    assert r.status_code == 200 and "e-agriculture" in r.get_data(as_text=True)
    assert client.get("/action-lines/c7").status_code == 301
    assert client.get("/action-lines/C12").status_code == 404


def test_meeting_form_has_labelled_fields(secretariat_client):
    html = secretariat_client.get("/meetings/new").get_data(as_text=True)
    for label, field in [("Code", "code"), ("Title", "title"), ("Type", "type"), ("Start date", "start_date"),
                         ("End date", "end_date"), ("Contribution deadline", "deadline"),
                         ("Symbol prefix", "symbol_prefix"), ("Status", "status")]:
        assert f'<label for="{field}">{label}</label>' in html
    assert 'value="Save"' in html


def test_secretariat_creates_and_edits_a_meeting(secretariat_client):
    r = secretariat_client.post_form("/meetings/new", VALID, page="/meetings/new")
    assert r.status_code == 302 and r.headers["Location"] == "/meetings/FORUM-2027"
    m = db.session.scalar(select(Meeting).where(Meeting.code == "FORUM-2027"))
    assert m.status == MeetingStatus.OPEN and m.accept_late
    # 1 March 2027 23:59 in Geneva (winter time, UTC+1) is 22:59 UTC.
    assert m.deadline_at == datetime(2027, 3, 1, 22, 59, tzinfo=timezone.utc)
    html = secretariat_client.get("/meetings/FORUM-2027").get_data(as_text=True)
    assert "1 March 2027, 23:59 (Geneva time)" in html and "<p>Second paragraph.</p>" in html

    # Edit: the form shows the deadline in the meeting's zone; change zone and place.
    form = secretariat_client.get("/meetings/FORUM-2027/edit").get_data(as_text=True)
    assert 'value="2027-03-01T23:59"' in form
    data = dict(VALID, place="", virtual="y", deadline_tz="America/New_York", status="closed")
    r = secretariat_client.post_form("/meetings/FORUM-2027/edit", data, page="/meetings/FORUM-2027/edit")
    assert r.status_code == 302
    db.session.refresh(m)
    assert m.virtual and m.place is None and m.status == MeetingStatus.CLOSED
    assert m.deadline_at == datetime(2027, 3, 2, 4, 59, tzinfo=timezone.utc)


def test_meeting_form_errors_keep_input_and_save_nothing(secretariat_client):
    bad = dict(VALID, code="forum 2027!", start_date="2027-05-14", end_date="2027-05-10",
               symbol_prefix="WSIS//bad", deadline="not a date", place="", type="party",
               deadline_tz="Mars/Olympus")
    bad.pop("accept_late")
    r = secretariat_client.post_form("/meetings/new", bad, page="/meetings/new")
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert "Use capital letters, digits and hyphens" in html
    assert "The end date cannot be before the start date." in html
    assert "Letters, digits, hyphens and slashes" in html
    assert "Enter the place" in html
    assert "Choose a time zone from the list." in html
    assert 'value="WSIS Forum 2027"' in html  # what was typed comes back
    assert db.session.scalar(select(db.func.count(Meeting.id)).where(Meeting.title == "WSIS Forum 2027")) == 0


def test_meeting_code_must_be_unique(secretariat_client):
    r = secretariat_client.post_form("/meetings/new", dict(VALID, code="PC-3"), page="/meetings/new")
    assert r.status_code == 400 and "Another meeting already has this code." in r.get_data(as_text=True)


def test_open_meetings_on_home_page(client, make):
    make.meeting("OPEN-1", title="Open consultation 2027", status=MeetingStatus.OPEN,
                 start_date=date(2099, 5, 1), end_date=date(2099, 5, 3))
    html = client.get("/").get_data(as_text=True)
    assert "Open for contributions" in html and "Open consultation 2027" in html
