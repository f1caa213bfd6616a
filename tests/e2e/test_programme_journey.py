"""The High-Level Track in a real browser: the secretariat adds a session and invites an organisation, its
focal point accepts from the link in the portal and names the speaker, the secretariat assigns the speaker to
a slot and publishes; the public programme shows the speaker, in English and in French, and its iCalendar
parses back."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar
from playwright.sync_api import expect

from tests.e2e.conftest import DEMO_PASSWORD, SECRETARIAT, log_in, mails_to

pytestmark = pytest.mark.e2e

FOCAL = "irina.petrova@demo.org"
SPEAKER = "Dr Tawfik Jelassi"
TITLE = "Assistant Director-General for Communication and Information"


def test_invite_accept_schedule_publish(new_page, live, tmp_path):
    sec = new_page()
    log_in(sec, SECRETARIAT, DEMO_PASSWORD)
    sec.goto("/meetings/FORUM-2027")
    sec.get_by_role("link", name="Build the programme", exact=True).click()
    sec.get_by_role("link", name="Add session", exact=True).click()
    sec.get_by_label("Title", exact=True).fill("Policy statements (international organisations)")
    sec.get_by_label("Kind", exact=True).select_option(label="Policy statements")
    # The date is the meeting's first day by default.
    sec.get_by_label("Start time", exact=True).fill("15:00")
    sec.get_by_label("End time", exact=True).fill("16:00")
    sec.get_by_label("Room", exact=True).fill("Room B, CICG")
    sec.get_by_label("Slots", exact=True).fill("6")
    sec.get_by_label("Slot length (minutes)", exact=True).fill("10")
    sec.get_by_role("button", name="Save", exact=True).click()
    expect(sec.locator(".flash-success")).to_contain_text("is saved")

    sec.get_by_role("link", name="Invite to speak", exact=True).click()
    sec.get_by_label("Organisations", exact=True).select_option(label="UNESCO — International organisation, France")
    sec.get_by_label("Reference", exact=True).fill("CL-27/020")
    expect(sec.get_by_label("Letter", exact=True)).not_to_be_empty()  # a sensible default letter
    deadline = date.today() + timedelta(days=20)
    sec.get_by_label("Confirmation deadline", exact=True).fill(f"{deadline.isoformat()}T18:00")
    sec.get_by_role("button", name="Send invitations", exact=True).click()
    expect(sec.locator(".flash-success")).to_contain_text("1 invitation sent.")
    subjects = [m["Subject"] for m in mails_to(live, FOCAL)]
    assert any(s.startswith("Action required: confirm by") for s in subjects), subjects

    focal = new_page()
    log_in(focal, FOCAL, DEMO_PASSWORD)
    focal.goto("/meetings/FORUM-2027")
    focal.get_by_role("link", name="Answer the invitation", exact=True).click()
    expect(focal.get_by_role("heading", level=1)).to_have_text("Invitation to deliver a policy statement")
    expect(focal.locator(".letter")).to_contain_text("UNESCO")  # the letter names the organisation
    focal.get_by_label("Speaker's name", exact=True).fill(SPEAKER)
    focal.get_by_label("Speaker's title", exact=True).fill(TITLE)
    focal.get_by_role("button", name="Accept", exact=True).click()
    expect(focal.locator(".flash-success")).to_be_visible()
    expect(focal.get_by_text(f"Speaker: {SPEAKER}, {TITLE}.")).to_be_visible()

    sec.goto("/secretariat/meetings/FORUM-2027/programme")
    section = sec.locator("section.session", has_text="Policy statements (international organisations)")
    section.get_by_role("link", name="Assign a speaker at 15:10", exact=True).click()
    expect(sec.get_by_role("heading", level=1)).to_have_text("Speaker at 15:10")
    sec.get_by_label("Speaker", exact=True).select_option(label=f"{SPEAKER} — UNESCO (Other high-level representative)")
    sec.get_by_role("button", name="Assign", exact=True).click()
    expect(sec.locator(".flash-success")).to_contain_text(f"{SPEAKER} speaks at 15:10.")
    sec.get_by_role("button", name="Publish the programme", exact=True).click()
    expect(sec.locator(".flash-success")).to_contain_text("The programme is published")

    public = new_page()
    public.goto("/meetings/FORUM-2027")
    public.get_by_role("link", name="Programme", exact=True).click()
    session = public.locator("section.session", has_text="Policy statements (international organisations)")
    expect(session).to_contain_text("15:00–16:00")
    expect(session).to_contain_text("Room B, CICG")
    expect(session.locator(".speakers")).to_contain_text(f"15:10 {SPEAKER}, {TITLE} — UNESCO (France)")
    # The demo's scheduled minister, with the link to her published statement.
    opening = public.locator("section.session", has_text="Policy statements (1)")
    expect(opening.get_by_role("link", name="Statement Aminata Ndiaye", exact=True)).to_be_visible()
    with public.expect_download() as info:
        public.get_by_role("link", name="iCalendar", exact=True).click()
    path = Path(tmp_path) / "programme.ics"
    info.value.save_as(path)
    cal = Calendar.from_ical(path.read_bytes())
    summaries = {str(e["SUMMARY"]) for e in cal.walk("VEVENT")}
    assert "Policy statements (international organisations)" in summaries
    assert all(e["DTSTART"].params.get("TZID") == "Europe/Zurich" for e in cal.walk("VEVENT"))

    # The same programme in French: the kinds and the headings are translated.
    fr = new_page("fr-FR")
    fr.goto("/meetings/FORUM-2027/programme")
    expect(fr.get_by_role("heading", level=1)).to_have_text("Programme de la réunion WSIS Forum 2027")
    expect(fr.locator("section.session", has_text="Policy statements (international organisations)")).to_contain_text(
        "Déclarations de politique générale")
