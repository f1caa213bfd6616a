"""The main journeys, in a real browser."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from tests.documents import build_pdf, text_page
from tests.e2e.conftest import DEMO_PASSWORD, SECRETARIAT, log_in, log_out, mail_link

pytestmark = pytest.mark.e2e

PDF_LINES = ("Contribution du Bénin : la fracture numérique et l'accès équitable",
             "aux réseaux communautaires, déclaration de Cotonou.")


@pytest.fixture
def french_pdf(tmp_path):
    path = tmp_path / "contribution-bénin.pdf"
    path.write_bytes(build_pdf(text_page(*PDF_LINES)))
    return path


def submit_contribution(page, pdf, title: str, *, meeting="FORUM-2027", language="fr",
                        labels=None):
    labels = labels or {}
    page.goto("/contributions/new")
    page.get_by_label(labels.get("meeting", "Meeting"), exact=True).select_option(meeting)
    page.get_by_label(labels.get("title", "Title"), exact=True).fill(title)
    page.get_by_label(labels.get("summary", "Summary"), exact=True).fill(
        "Des réseaux communautaires pour les zones rurales.")
    page.get_by_label(re.compile(r"^C3 ")).check()
    page.get_by_label(re.compile(r"^C2 ")).check()
    page.get_by_label(labels.get("language", "Language"), exact=True).select_option(language)
    page.get_by_label(labels.get("file", "File"), exact=True).set_input_files(str(pdf))
    page.get_by_role("button", name=labels.get("submit", "Submit"), exact=True).click()
    page.wait_for_load_state()


def publish_as_secretariat(page, title: str, *, confirm_unverified=False) -> str:
    log_in(page, SECRETARIAT, DEMO_PASSWORD)
    page.goto("/secretariat/moderation")
    page.get_by_role("link", name=title).click()
    if confirm_unverified:
        page.get_by_label("Publish although the organisation is not verified").check()
    page.get_by_role("button", name="Publish", exact=True).click()
    flash = page.locator(".flash-success")
    expect(flash).to_contain_text("Published as")
    return re.search(r"Published as (\S+)\.", flash.inner_text()).group(1)


def test_register_confirm_submit_publish_and_find(page, live, new_page, french_pdf):
    email = "delegue@communication.bj.example"
    page.goto("/register")
    page.get_by_label("Full name").fill("Adjoa Houngbédji")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill("une phrase de passe pour Cotonou 2027")
    page.get_by_label("Organisation", exact=True).fill("Ministère du Numérique et de la Digitalisation du Bénin")
    page.get_by_label("Country").select_option("BJ")
    page.get_by_label("Stakeholder type").select_option("government")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()

    page.goto(mail_link(live, email, "/confirm/"))
    expect(page.locator(".flash-success")).to_contain_text("confirmed")
    log_in(page, email, "une phrase de passe pour Cotonou 2027")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()

    title = "Réseaux communautaires au Bénin"
    submit_contribution(page, french_pdf, title)
    expect(page.locator(".flash-success")).to_contain_text("submitted")
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    log_out(page)

    moderator = new_page()
    symbol = publish_as_secretariat(moderator, title, confirm_unverified=True)
    assert re.fullmatch(r"WSIS/FORUM-2027/CONTR/\d+-F", symbol)

    # The public finds it on the meeting page, under its action lines and in the table.
    visitor = new_page()
    visitor.goto("/meetings/FORUM-2027")
    expect(visitor.get_by_role("link", name=symbol).first).to_be_visible()
    visitor.get_by_role("link", name="As a table").click()
    row = visitor.locator("table.documents tr", has_text=symbol)
    expect(row).to_contain_text("Ministère du Numérique et de la Digitalisation du Bénin")
    expect(row).to_contain_text("Government")
    visitor.get_by_role("link", name=symbol).click()
    with visitor.expect_download() as dl:
        visitor.get_by_role("link", name=symbol).last.click()
    assert dl.value.suggested_filename == symbol.replace("/", "-") + ".pdf"  # the symbol, the detected type

    # And in search, typed without accents, with the words that matched highlighted in a passage.
    visitor.goto("/")
    visitor.get_by_role("search").first.get_by_role("searchbox").fill("fracture numerique cotonou")
    visitor.get_by_role("search").first.get_by_role("button").click()
    hit = visitor.locator(".search-results li", has_text=symbol)
    expect(hit).to_contain_text(title)
    marks = [m.lower() for m in hit.locator("mark").all_inner_texts()]
    assert {"fracture", "numérique", "cotonou"} <= set(marks), marks


def test_search_filters_apply_without_reloading_the_page(page):
    """With JavaScript, a facet, the sort order and the pager replace the results in place; the address
    follows, so Back returns to the previous results."""
    page.goto("/search?q=")
    page.evaluate("window.__samePage = true")
    total_before = page.locator("#search-status").inner_text()
    facet = page.locator("nav[aria-labelledby=facet-action_line] a").first
    facet_label = facet.inner_text()
    facet.click()
    expect(page).to_have_url(re.compile(r"action_line=C\d+"))
    expect(page.locator("#active-filters + ul")).to_contain_text(facet_label)
    assert page.evaluate("window.__samePage === true"), "the page was reloaded"
    expect(page.locator("#search-status")).to_be_focused()
    page.get_by_label("Order").select_option("oldest")
    expect(page).to_have_url(re.compile(r"sort=oldest"))
    assert page.evaluate("window.__samePage === true")
    page.go_back()
    page.go_back()
    expect(page).not_to_have_url(re.compile(r"action_line="))
    expect(page.locator("#search-status")).to_have_text(total_before)
    assert page.evaluate("window.__samePage === true")


def test_a_late_answer_does_not_overwrite_the_results_of_a_later_back(page):
    """Two quick Backs start two requests; when the first one's answer comes last, the page still shows
    the results of the address it is on."""
    page.goto("/search?q=")
    total_before = page.locator("#search-status").inner_text()
    page.locator("nav[aria-labelledby=facet-action_line] a").first.click()
    expect(page).to_have_url(re.compile(r"action_line=C\d+"))
    filtered = page.locator("#search-status").inner_text()
    assert filtered != total_before
    page.get_by_label("Order").select_option("oldest")
    expect(page).to_have_url(re.compile(r"sort=oldest"))

    held = []
    page.route(lambda url: "action_line=" in url and "sort=" not in url, lambda route: held.append(route))
    page.go_back()
    page.wait_for_timeout(200)  # the first Back's request is now held
    page.go_back()
    expect(page).not_to_have_url(re.compile(r"action_line="))
    expect(page.locator("#search-status")).to_have_text(total_before)
    assert held, "the first Back did not ask for its results"
    for route in held:
        try:
            route.continue_()
        except PlaywrightError:  # the portal cancelled the request it no longer needs
            pass
    page.wait_for_timeout(500)
    assert page.locator("#search-status").inner_text() == total_before


def test_return_for_changes_and_resubmit(page, new_page, french_pdf):
    delegate = page
    log_in(delegate, "lucia.restrepo@demo.co", DEMO_PASSWORD)
    title = "Conectividad rural en Colombia"
    submit_contribution(delegate, french_pdf, title, language="es")
    expect(delegate.locator(".flash-success")).to_be_visible()

    moderator = new_page()
    log_in(moderator, SECRETARIAT, DEMO_PASSWORD)
    moderator.goto("/secretariat/moderation")
    moderator.get_by_role("link", name=title).click()
    moderator.get_by_label("Comment to the organisation").fill("Añadan un resumen más preciso, por favor.")
    moderator.get_by_role("button", name="Return for changes").click()
    expect(moderator.locator(".flash-success")).to_contain_text("Returned")

    delegate.reload()
    expect(delegate.get_by_text("Añadan un resumen más preciso")).to_be_visible()
    delegate.get_by_role("link", name="Edit", exact=True).click()
    expect(delegate.get_by_text("Returned for changes:")).to_be_visible()
    delegate.get_by_label("Summary", exact=True).fill("Resumen más preciso: 300 municipios conectados.")
    delegate.get_by_role("button", name="Submit", exact=True).click()
    expect(delegate.locator(".flash-success")).to_contain_text("submitted")

    moderator.goto("/secretariat/moderation")
    moderator.get_by_role("link", name=title).click()
    expect(moderator.get_by_text("300 municipios conectados")).to_be_visible()


def test_withdraw_a_published_contribution(page, new_page):
    log_in(page, "elena.rossi@demo.ch", DEMO_PASSWORD)
    page.goto("/contributions/")
    page.get_by_role("link", name="Renforcement des capacités et e-learning dans les universités").click()
    symbol = page.locator("p.symbol").inner_text().strip()
    page.get_by_role("link", name="Withdraw").click()
    page.get_by_label("Reason (optional)").fill("Remplacée par une contribution commune.")
    page.get_by_role("button", name="Withdraw").click()
    expect(page.locator(".flash-success")).to_contain_text("withdrawn")

    visitor = new_page()
    visitor.goto("/meetings/FORUM-2027?view=table")
    row = visitor.locator("table.documents tr", has_text=symbol)
    expect(row).to_contain_text("withdrawn")
    row.get_by_role("link", name=symbol).click()
    expect(visitor.get_by_text("Withdrawn by the organisation")).to_be_visible()
    expect(visitor.locator("ul.files a")).to_have_count(0)


def test_keyboard_alone_login_submit_and_publish(page, new_page, french_pdf):
    def tab_to(pg, predicate_js: str, limit: int = 60):
        for _ in range(limit):
            pg.keyboard.press("Tab")
            if pg.evaluate(predicate_js):
                return
        raise AssertionError(f"could not reach {predicate_js} with the Tab key")

    # The skip link is the first stop, and it is visible when focused.
    page.goto("/login")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('skip-link')")
    tab_to(page, "document.activeElement.id === 'email'")
    page.keyboard.type("claire.favre@demo.ch")
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()

    page.goto("/contributions/new")
    tab_to(page, "document.activeElement.id === 'meeting'")
    page.keyboard.press("ArrowDown")  # the first open meeting
    page.keyboard.press("Tab")
    page.keyboard.type("Accessibilité numérique en Suisse")
    tab_to(page, "document.activeElement.id === 'action_lines-4'")  # C5
    page.keyboard.press("Space")
    tab_to(page, "document.activeElement.id === 'language'")
    page.keyboard.type("French")
    tab_to(page, "document.activeElement.id === 'file'")
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files(str(french_pdf))
    tab_to(page, "document.activeElement.value === 'Submit'")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(".flash-success")).to_contain_text("submitted")

    moderator = new_page()
    log_in(moderator, SECRETARIAT, DEMO_PASSWORD)
    moderator.goto("/secretariat/moderation")
    tab_to(moderator, "document.activeElement.textContent.trim() === 'Accessibilité numérique en Suisse'")
    with moderator.expect_navigation():
        moderator.keyboard.press("Enter")
    tab_to(moderator, "document.activeElement.value === 'publish'")
    # A visible focus indicator: the focused button has an outline.
    outline = moderator.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", "")
    with moderator.expect_navigation():
        moderator.keyboard.press("Enter")
    expect(moderator.locator(".flash-success")).to_contain_text("Published as WSIS/FORUM-2027/CONTR/")
