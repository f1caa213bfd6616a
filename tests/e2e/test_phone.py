"""Every form fits a 390-pixel-wide phone screen: nothing runs off the right edge, nothing needs
scrolling sideways."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import DEMO_PASSWORD, SECRETARIAT, log_in

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
PUBLIC_FORMS = ["/search?q=information", "/search?q=fracture&meeting=PC-3", "/login", "/register",
                "/password/forgot", "/organisations/", "/", "/stocktaking", "/stocktaking/activities",
                "/stocktaking/activities/1", "/stocktaking/activities/1/contact"]
DELEGATE_FORMS = ["/contributions/new", "/account", "/account/password", "/meetings/FORUM-2027/delegation",
                  "/stocktaking/new"]
SECRETARIAT_FORMS = ["/secretariat/moderation", "/secretariat/organisations", "/secretariat/accounts",
                     "/secretariat/audit", "/meetings/new", "/secretariat/meetings/FORUM-2027/registrations",
                     "/secretariat/delegations/1", "/secretariat/meetings/FORUM-2027/programme",
                     "/secretariat/meetings/FORUM-2027/programme/invite",
                     "/secretariat/meetings/FORUM-2027/programme/sessions/new"]

OVERFLOW = """() => {
    const width = document.documentElement.clientWidth;
    const out = [];
    if (document.documentElement.scrollWidth > width) out.push('page scrolls sideways: ' + document.documentElement.scrollWidth);
    for (const el of document.querySelectorAll('form input:not([type=hidden]), form select, form textarea, form button, form label')) {
        if (el.closest('.table-wrap')) continue;  // a wide table scrolls inside its own frame
        const r = el.getBoundingClientRect();
        if (r.width && (r.right > width + 0.5 || r.left < -0.5)) out.push((el.id || el.name || el.tagName) + ' ' + Math.round(r.left) + '..' + Math.round(r.right));
    }
    return out;
}"""


def _phone(new_page, locale="en-GB"):
    return new_page(locale, viewport=PHONE, is_mobile=True, has_touch=True)


def _overflows(page, paths) -> dict:
    """What runs off the screen, page by page (only the pages where something does)."""
    found = {}
    for path in paths:
        page.goto(path)
        if problems := page.evaluate(OVERFLOW):
            found[path] = problems
    return found


@pytest.mark.parametrize("locale", ["en-GB", "fr-FR", "es-ES"])
def test_public_forms_fit_a_phone(new_page, locale):
    assert _overflows(_phone(new_page, locale), PUBLIC_FORMS) == {}


def test_a_delegates_forms_fit_a_phone(new_page):
    page = _phone(new_page)
    log_in(page, "aminata.ndiaye@demo.sn", DEMO_PASSWORD)
    assert _overflows(page, DELEGATE_FORMS) == {}


def test_the_secretariats_forms_fit_a_phone(new_page):
    page = _phone(new_page)
    log_in(page, SECRETARIAT, DEMO_PASSWORD)
    assert _overflows(page, SECRETARIAT_FORMS) == {}
