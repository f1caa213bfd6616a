"""The WSIS Stocktaking in a real browser: a member of a verified organisation describes an activity and
submits it, the secretariat publishes it, a visitor finds it through an SDG facet of the browse page and
writes to the organisation; the message reaches the members with the visitor as Reply-To."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DEMO_PASSWORD, SECRETARIAT, log_in, mails_to

pytestmark = pytest.mark.e2e

MEMBER = "claire.favre@demo.ch"
TITLE = "Ocean observation data for coastal communities"


def test_describe_publish_find_by_sdg_and_contact(new_page, live):
    member = new_page()
    log_in(member, MEMBER, DEMO_PASSWORD)
    member.goto("/")
    member.get_by_role("link", name="Stocktaking", exact=True).click()
    member.get_by_role("link", name="Describe an activity", exact=True).click()
    member.get_by_label("Title", exact=True).fill(TITLE)
    member.get_by_label("Description", exact=True).fill("Sensors and open data for fishing communities.\n\n"
                                                         "Run with the coastal authorities.")
    member.get_by_role("group", name="Action lines").get_by_label("C7", exact=False).check()
    member.get_by_role("group", name="Action lines").get_by_label("C3", exact=False).check()
    member.get_by_label("Main action line", exact=True).select_option("C7")
    member.get_by_role("group", name="SDGs").get_by_label("14. Life below water", exact=True).check()
    member.get_by_label("Countries", exact=True).select_option(["SN", "CV"])
    member.get_by_label("Status", exact=True).select_option(label="Planned")
    member.get_by_label("Start date", exact=True).fill("2027-01-01")
    member.get_by_label("End date", exact=True).fill("2026-01-01")
    member.get_by_label("Website", exact=True).fill("https://ocean.example.org")
    member.get_by_label("Looking for partners", exact=True).check()
    member.get_by_role("button", name="Submit", exact=True).click()
    # A clear message at the field, and what was typed is still there.
    expect(member.locator("#end_date-error")).to_contain_text("The end date is before the start date.")
    expect(member.get_by_label("Title", exact=True)).to_have_value(TITLE)
    member.get_by_label("End date", exact=True).fill("2029-12-31")
    member.get_by_role("button", name="Submit", exact=True).click()
    expect(member.locator(".flash-success")).to_contain_text("the secretariat will review the activity")
    expect(member.get_by_role("heading", level=1)).to_have_text(TITLE)

    sec = new_page()
    log_in(sec, SECRETARIAT, DEMO_PASSWORD)
    sec.goto("/secretariat/stocktaking")
    sec.get_by_role("link", name=TITLE, exact=True).click()
    sec.get_by_role("button", name="Publish", exact=True).click()
    expect(sec.locator(".flash-success")).to_contain_text("Published.")

    visitor = new_page()
    visitor.goto("/stocktaking/activities")
    facet = visitor.locator("nav", has=visitor.get_by_role("heading", name="SDG", exact=True))
    facet.get_by_role("link", name="SDG 14: Life below water", exact=True).click()
    results = visitor.locator(".search-results")
    expect(results).to_contain_text(TITLE)
    expect(visitor.get_by_role("status")).to_contain_text("1 activity")
    results.get_by_role("link", name=TITLE, exact=True).click()
    expect(visitor.locator(".flags")).to_contain_text("Looking for partners")
    visitor.get_by_role("link", name="Contact this organisation", exact=True).click()
    visitor.get_by_label("Your name", exact=True).fill("Dana Researcher")
    visitor.get_by_label("Your email", exact=True).fill("dana@university.example")
    visitor.get_by_label("Message", exact=True).fill("We run buoys off Dakar and would like to share data.")
    visitor.get_by_role("button", name="Send", exact=True).click()
    expect(visitor.locator(".flash-success")).to_contain_text("Your message was sent")
    expect(visitor.locator("body")).not_to_contain_text(MEMBER)
    for _ in range(50):  # the mail is written just after the answer is sent
        messages = [m for m in mails_to(live, MEMBER) if m["Subject"].strip().startswith("A message about your activity")]
        if messages:
            break
        time.sleep(0.1)
    message = messages[-1]
    assert message["Reply-To"] == "dana@university.example"
    assert "We run buoys off Dakar" in message.get_body(preferencelist=("plain",)).get_content()
