"""WCAG 2.1 AA: axe-core, run in Chromium, finds no serious or critical violation on the main
pages. axe is injected past the portal's CSP by a context made with bypass_csp=True."""

from __future__ import annotations

import json

import pytest

from tests.e2e.conftest import AXE, DEMO_PASSWORD, SECRETARIAT, log_in

pytestmark = pytest.mark.e2e

PUBLIC_PAGES = ["/", "/meetings/", "/meetings/PC-3", "/meetings/PC-3?view=table", "/action-lines/C3",
                "/documents/2", "/login", "/register", "/search?q=fracture+num%C3%A9rique",
                "/organisations/", "/stocktaking", "/stocktaking/activities", "/stocktaking/activities/1",
                "/stocktaking/activities?sdg=4"]
DELEGATE_PAGES = ["/contributions/new", "/contributions/", "/account", "/meetings/FORUM-2027/delegation",
                  "/delegations/", "/meetings/FORUM-2027",
                  "/stocktaking/new", "/stocktaking/mine"]
SECRETARIAT_PAGES = ["/secretariat/moderation", "/secretariat/moderation/9", "/meetings/new",
                     "/secretariat/organisations", "/secretariat/registrations",
                     "/secretariat/meetings/FORUM-2027/registrations?state=all", "/secretariat/delegations/1",
                     "/secretariat/meetings/FORUM-2027/registrations/summary",
                     "/secretariat/meetings/FORUM-2027/programme", "/secretariat/meetings/FORUM-2027/programme/invite",
                     "/secretariat/meetings/FORUM-2027/programme/sessions/new",
                     "/secretariat/meetings/FORUM-2027/programme/invitations",
                     "/secretariat/meetings/FORUM-2027/programme/slots/1", "/secretariat/stocktaking",
                     "/stocktaking/activities/13"]


def violations(page) -> list[dict]:
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `make e2e`, which installs it from npm.")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                       nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""")
    return [v for v in result if v["impact"] in ("serious", "critical")]


@pytest.fixture
def axe_page(new_page):
    def make(locale="en-GB"):
        return new_page(locale, bypass_csp=True)
    return make


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages(axe_page, path):
    page = axe_page()
    page.goto(path)
    found = violations(page)
    assert found == [], json.dumps(found, indent=1, ensure_ascii=False)


def test_pages_of_a_delegate(axe_page):
    page = axe_page()
    log_in(page, "aminata.ndiaye@demo.sn", DEMO_PASSWORD)
    for path in DELEGATE_PAGES:
        page.goto(path)
        found = violations(page)
        assert found == [], f"{path}: " + json.dumps(found, indent=1, ensure_ascii=False)


def test_pages_of_the_secretariat(axe_page):
    page = axe_page()
    log_in(page, SECRETARIAT, DEMO_PASSWORD)
    for path in SECRETARIAT_PAGES:
        page.goto(path)
        found = violations(page)
        assert found == [], f"{path}: " + json.dumps(found, indent=1, ensure_ascii=False)


def test_form_errors_are_tied_to_their_fields(axe_page):
    page = axe_page()
    page.goto("/register")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_load_state()
    field = page.get_by_label("Full name")
    assert field.get_attribute("aria-invalid") == "true"
    described = field.get_attribute("aria-describedby")
    assert described and page.locator(f"#{described.split()[-1]}").inner_text().strip()
    assert violations(page) == []
