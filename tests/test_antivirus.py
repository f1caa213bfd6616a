"""Virus scanning with a real clamd (scripts/with-clamd.sh starts one for `make test`, with the EICAR
test signature and one of the project's own): infected uploads refused with the signature's name and
nothing kept; a scanner that is down or slow holds the file (never downloadable by others, never
publishable) until `flask rescan` checks it; rescans of stored files; what /healthz and the
secretariat's dashboard say."""

from __future__ import annotations

import io
import os
import socket
import threading

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AuditEntry, ContributionState, DocumentFile, ScanStatus, Version
from tests.conftest import login, mail_to
from tests.documents import build_pdf, text_page
from tests.test_contributions import make_world, only_contribution, publish, submit_new, txt, uploads

# The EICAR test file, assembled here so that this source file is not itself flagged by a scanner.
EICAR = bytes.fromhex(
    "58354f2150254041505b345c505a58353428505e2937434329377d2445494341522d5354414e444152442d414e544956"
    "495255532d544553542d46494c452124482b482a")
PORTAL_MARK = b"WSIS-PORTAL-TEST-MALWARE-7f3a"  # the project's own test signature (scripts/with-clamd.sh)


@pytest.fixture
def clamd_url() -> str:
    url = os.environ.get("TEST_ANTIVIRUS_URL")
    if not url:
        if os.environ.get("REQUIRE_ANTIVIRUS_TESTS"):
            pytest.fail("TEST_ANTIVIRUS_URL is not set: run the suite through scripts/with-clamd.sh (make test)")
        pytest.skip("no clamd: run through scripts/with-clamd.sh (make test does)")
    return url


@pytest.fixture
def world(make):
    return make_world(make)


@pytest.fixture
def scanning(app, clamd_url):
    app.config["ANTIVIRUS_URL"] = clamd_url
    return clamd_url


def down(app, tmp_path):
    """A scanner address where nothing answers."""
    app.config["ANTIVIRUS_URL"] = f"unix://{tmp_path}/no-clamd-here.sock"


def files() -> list[DocumentFile]:
    return list(db.session.scalars(select(DocumentFile).order_by(DocumentFile.id)))


def test_an_infected_upload_is_refused_with_the_signature_and_nothing_is_kept(app, client, world, scanning):
    login(client, world.alice.email)
    r = submit_new(client, world.meeting, file=txt(EICAR, "notes.txt"))
    html = r.get_data(as_text=True)
    assert r.status_code == 400
    assert "the virus scanner found Eicar-Test-Signature" in html and "Nothing of it was kept." in html
    assert 'value="Réduire la fracture numérique"' in html  # what was typed stays on the form
    assert only_contribution() is None and files() == [] and uploads(app) == []


def test_the_projects_own_signature_is_found_inside_a_pdf(app, client, world, scanning):
    login(client, world.alice.email)
    pdf = build_pdf(text_page("Contribution", PORTAL_MARK.decode()))
    r = submit_new(client, world.meeting, file=(io.BytesIO(pdf), "contribution.pdf"))
    assert r.status_code == 400 and "Portal.Test.Malware" in r.get_data(as_text=True)
    assert files() == [] and uploads(app) == []


def test_a_clean_upload_is_marked_clean_and_published(app, client, other_client, world, scanning):
    login(client, world.alice.email)
    assert submit_new(client, world.meeting).status_code == 302
    (f,) = files()
    assert f.scan_status == ScanStatus.CLEAN and f.scanned_at is not None
    login(other_client, world.sec.email)
    assert publish(other_client, only_contribution().latest_version).status_code == 302
    assert client.get(f"/documents/{f.version.contribution_id}/files/{f.id}").status_code == 200


def test_with_the_scanner_down_the_file_is_held_and_cannot_reach_anyone_else(
        app, client, other_client, world, tmp_path, runner, clamd_url):
    down(app, tmp_path)
    login(client, world.alice.email)
    r = submit_new(client, world.meeting)
    assert r.status_code == 302
    (f,) = files()
    c = only_contribution()
    assert f.scan_status == ScanStatus.PENDING and c.state == ContributionState.SUBMITTED
    url = f"/documents/{c.id}/files/{f.id}"
    page = client.get(f"/documents/{c.id}").get_data(as_text=True)
    assert "not yet scanned for malware" in page
    assert client.get(url).status_code == 200  # the uploader keeps access to their own file

    colleague = app.test_client()  # a colleague in the same organisation
    login(colleague, world.bob.email)
    assert colleague.get(url).status_code == 404
    login(other_client, world.sec.email)
    assert "file not yet scanned for malware" in other_client.get("/secretariat/moderation").get_data(as_text=True)
    assert other_client.get(url).status_code == 404
    r = publish(other_client, c.latest_version)
    assert r.status_code == 302
    assert "has not been scanned for malware yet" in other_client.get(r.headers["Location"]).get_data(as_text=True)
    db.session.expire_all()
    assert only_contribution().state == ContributionState.SUBMITTED
    # Bulk publication does not publish it either.
    other_client.post_form("/secretariat/moderation/publish-selected", {"selected": [str(c.latest_version.id)]},
                           page="/secretariat/moderation")
    db.session.expire_all()
    assert only_contribution().state == ContributionState.SUBMITTED

    # The scanner is back: the retry job scans it, and it can be published.
    app.config["ANTIVIRUS_URL"] = clamd_url
    result = runner.invoke(args=["rescan", "--pending"])
    assert result.exit_code == 0, result.output
    assert "1 of 1 files scanned: 1 clean, 0 infected" in result.output
    db.session.expire_all()
    assert db.session.get(DocumentFile, f.id).scan_status == ScanStatus.CLEAN
    assert publish(other_client, db.session.get(Version, c.latest_version.id)).status_code == 302
    db.session.expire_all()
    assert only_contribution().state == ContributionState.PUBLISHED
    assert other_client.get(url).status_code == 200


def test_a_scanner_that_does_not_answer_in_time_holds_the_file(app, client, world, tmp_path):
    path = tmp_path / "silent.sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    server.listen(4)
    held = []
    stop = threading.Event()

    def accept_and_say_nothing():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            held.append(conn)  # reads nothing, answers nothing

    t = threading.Thread(target=accept_and_say_nothing, daemon=True)
    t.start()
    app.config.update(ANTIVIRUS_URL=f"unix://{path}", ANTIVIRUS_TIMEOUT_SECONDS=1)
    try:
        login(client, world.alice.email)
        assert submit_new(client, world.meeting).status_code == 302
    finally:
        stop.set()
        t.join()
        for conn in held:
            conn.close()
        server.close()
    (f,) = files()
    assert f.scan_status == ScanStatus.PENDING


def test_the_secretariats_own_document_is_refused_while_the_scanner_is_down(app, client, world, tmp_path):
    down(app, tmp_path)
    login(client, world.sec.email)
    r = client.post_form(f"/secretariat/meetings/{world.meeting.code}/documents/new",
                         {"series": "DOC", "title": "Draft declaration", "summary": "", "action_lines": ["C1"],
                          "language": "en", "file": txt(b"Draft text of the declaration.\n", "draft.txt")},
                         page=f"/secretariat/meetings/{world.meeting.code}/documents/new",
                         content_type="multipart/form-data")
    assert r.status_code == 400 and "The virus scanner could not be reached" in r.get_data(as_text=True)
    assert files() == [] and uploads(app) == []


def test_a_rescan_with_new_signatures_finds_an_infected_stored_file(app, client, other_client, world, runner,
                                                                     clamd_url):
    app.config["ANTIVIRUS_URL"] = None  # uploaded before any scanner was configured
    login(client, world.alice.email)
    submit_new(client, world.meeting, file=txt(b"Report\n" + PORTAL_MARK + b"\n", "report.txt"))
    submit_new(client, world.meeting, title="Second", file=txt(b"A clean report.\n", "clean.txt"))
    assert [f.scan_status for f in files()] == [ScanStatus.UNSCANNED, ScanStatus.UNSCANNED]
    login(other_client, world.sec.email)
    for v in db.session.scalars(select(Version)):
        publish(other_client, v)
    infected, clean = files()

    app.config["ANTIVIRUS_URL"] = clamd_url
    result = runner.invoke(args=["rescan"])
    assert result.exit_code == 0, result.output
    assert "2 of 2 files scanned: 1 clean, 1 infected" in result.output
    assert f"infected: file {infected.id} (report.txt): Portal.Test.Malware" in result.output
    db.session.expire_all()
    infected, clean = files()
    assert infected.scan_status == ScanStatus.INFECTED and clean.scan_status == ScanStatus.CLEAN
    url = f"/documents/{infected.version.contribution_id}/files/{infected.id}"
    assert other_client.get(url).status_code == 404  # the secretariat too
    assert client.get(url).status_code == 404  # and the uploader
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "file.infected")) == 1
    (mail,) = mail_to(app, world.alice.email)[-1:]
    assert "found to contain malware" in mail["Subject"] and "report.txt" in mail.get_content()
    assert "1 stored file was found to contain malware" in other_client.get("/secretariat/").get_data(as_text=True)
    page = other_client.get(f"/documents/{infected.version.contribution_id}").get_data(as_text=True)
    assert "malware found (Portal.Test.Malware.UNOFFICIAL): not downloadable" in page
    assert f'href="{url}"' not in page


def test_rescan_says_so_when_no_scanner_is_set_or_it_is_down(app, client, world, runner, tmp_path):
    r = runner.invoke(args=["rescan"])
    assert r.exit_code != 0 and "No ANTIVIRUS_URL is set" in r.output
    down(app, tmp_path)
    login(client, world.alice.email)
    submit_new(client, world.meeting)
    r = runner.invoke(args=["rescan", "--pending"])
    assert r.exit_code != 0 and "The scanner stopped answering" in r.output and "0 of 1 files scanned" in r.output
    db.session.expire_all()
    assert files()[0].scan_status == ScanStatus.PENDING


def test_healthz_and_the_dashboard_say_whether_uploads_are_scanned(app, client, world, tmp_path, clamd_url):
    body = client.get("/healthz").get_json()
    assert body["antivirus"] == {"status": "off",
                                 "message": "Uploads are not scanned for malware: no ANTIVIRUS_URL is set."}
    login(client, world.sec.email)
    assert "Uploads are not scanned for malware" in client.get("/secretariat/").get_data(as_text=True)

    app.config["ANTIVIRUS_URL"] = clamd_url
    body = client.get("/healthz").get_json()
    assert body["antivirus"]["status"] == "ok" and body["antivirus"]["version"].startswith("ClamAV ")
    assert "not scanned" not in client.get("/secretariat/").get_data(as_text=True)

    down(app, tmp_path)
    r = client.get("/healthz")
    assert r.get_json()["antivirus"]["status"] == "unavailable" and r.get_json()["status"] == "degraded"
    assert "The virus scanner cannot be reached" in client.get("/secretariat/").get_data(as_text=True)


def test_an_infected_file_is_refused_as_a_language_version_too(app, client, world, scanning):
    login(client, world.alice.email)
    submit_new(client, world.meeting, button="save")
    c = only_contribution()
    r = client.post_form(f"/contributions/{c.id}/languages/new", {"language": "en", "file": txt(EICAR, "en.txt")},
                         page=f"/contributions/{c.id}/languages/new", content_type="multipart/form-data")
    assert r.status_code == 400 and "Eicar-Test-Signature" in r.get_data(as_text=True)
    assert len(files()) == 1 and len(uploads(app)) == 1
