"""End-to-end tests: the portal served by gunicorn, driven by Debian's Chromium through
Playwright, as a person uses it. On failure a screenshot is kept in tests/e2e/artifacts/."""

from __future__ import annotations

import re
import shutil
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest

from tests.browser import PASSWORD
from tests.live import LiveServer

HERE = Path(__file__).resolve().parent
ARTIFACTS = HERE / "artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
DEMO_PASSWORD = "wsis demo password 2027"
SECRETARIAT = "secretariat@demo.org"


@pytest.fixture(scope="session")
def live(tmp_path_factory):
    """One portal for the whole run, with the demonstration data loaded."""
    srv = LiveServer(tmp_path_factory.mktemp("e2e") / "instance", workers=2)
    srv.start()
    srv.flask("seed-demo")
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: run `make e2e`, which installs Debian's chromium package.")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-background-networking", "--disable-component-update",
            "--disable-gpu", "--no-first-run", "--disable-sync"])
        yield b
        b.close()


def _context(browser, live, locale: str = "en-GB", **kw):
    kw.setdefault("viewport", {"width": 1280, "height": 900})
    return browser.new_context(base_url=live.url, locale=locale, **kw)


@pytest.fixture
def page(browser, live, request):
    context = _context(browser, live, getattr(request, "param", "en-GB"))
    pg = context.new_page()
    pg.set_default_timeout(15000)
    yield pg
    context.close()


@pytest.fixture
def new_page(browser, live):
    """Make more pages (other people, other languages) in the same test."""
    contexts = []

    def make(locale: str = "en-GB", **kw):
        ctx = _context(browser, live, locale, **kw)
        contexts.append(ctx)
        pg = ctx.new_page()
        pg.set_default_timeout(15000)
        return pg

    yield make
    for ctx in contexts:
        ctx.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        for name in ("page", "new_page"):
            pg = item.funcargs.get(name)
            pages = []
            if name == "page" and pg is not None:
                pages = [pg]
            for i, p in enumerate(pages):
                try:
                    p.screenshot(path=str(ARTIFACTS / f"{item.name}-{i}.png"), full_page=True)
                except Exception:  # noqa: BLE001, S110 - a screenshot is a bonus
                    pass


# Helpers ---------------------------------------------------------------------------------------

def mails_to(live: LiveServer, to: str) -> list:
    out = []
    for p in sorted((live.instance / "mail").glob("*.eml")):
        with open(p, "rb") as fh:
            msg = BytesParser(policy=policy.default).parse(fh)
        if msg["To"] == to:
            out.append(msg)
    return out


def mail_link(live: LiveServer, to: str, path_part: str) -> str:
    """The link of the newest message to `to` that contains `path_part`."""
    folder = live.instance / "mail"
    for p in sorted(folder.glob("*.eml"), reverse=True):
        with open(p, "rb") as fh:
            msg = BytesParser(policy=policy.default).parse(fh)
        if msg["To"] != to:
            continue
        body = msg.get_body(preferencelist=("plain",)).get_content()
        m = re.search(r"https?://\S*" + re.escape(path_part) + r"\S*", body)
        if m:
            return m.group(0)
    raise AssertionError(f"no mail to {to} with a link containing {path_part}")


def log_in(page, email: str, password: str = PASSWORD, *, labels=("Email", "Password", "Log in")):
    page.goto("/login")
    page.get_by_label(labels[0], exact=True).fill(email)
    page.get_by_label(labels[1], exact=True).fill(password)
    page.get_by_role("button", name=labels[2], exact=True).click()
    page.wait_for_load_state()


def log_out(page, label: str = "Log out"):
    page.get_by_role("button", name=label).click()
    page.wait_for_load_state()
