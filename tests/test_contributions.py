"""Contributions: submission, moderation, symbols, revisions, languages, withdrawal, drafts,
public pages and downloads."""

from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import (
    AuditEntry,
    Contribution,
    ContributionEvent,
    ContributionState,
    DocumentFile,
    MeetingStatus,
    Version,
)
from tests.conftest import login, mail_to

S = ContributionState
FRENCH = ("Contribution de la République du Sénégal\n\nLa société de l'information doit réduire "
          "la fracture numérique. Genève, décembre 2003.\n").encode()


def txt(data: bytes = FRENCH, name: str = "contribution-sénégal.txt"):
    return (io.BytesIO(data), name)


def form(meeting, **over):
    data = {"meeting": meeting.code, "title": "Réduire la fracture numérique",
            "summary": "Propositions pour l'accès universel.", "action_lines": ["C2", "C3"],
            "language": "fr", "comments_on": ""}
    data.update(over)
    return data


@pytest.fixture
def world(make):
    return make_world(make)


def make_world(make):
    """A meeting open for contributions, two organisations with members, the secretariat."""
    meeting = make.meeting("FORUM-2027", title="WSIS Forum 2027", symbol_prefix="WSIS/FORUM-2027",
                           status=MeetingStatus.OPEN)
    senegal = make.organisation("Ministère de l'Économie numérique du Sénégal", country="SN")
    alice = make.user("alice@gouv.sn", organisation=senegal, focal_point=True, name="Alice")
    bob = make.user("bob@gouv.sn", organisation=senegal, name="Bob")
    other = make.organisation("Civil Society Caucus", stakeholder_type="civil_society", country="CH")
    carol = make.user("carol@caucus.example", organisation=other, name="Carol")
    sec = make.user("moderator@itu.example", role="secretariat", name="Moderator")
    return type("World", (), dict(meeting=meeting, senegal=senegal, alice=alice, bob=bob,
                                  other=other, carol=carol, sec=sec))


def submit_new(client, meeting, button="submit", **over):
    data = form(meeting, **over)
    data.setdefault("file", txt())
    data[button] = "1"
    return client.post_form("/contributions/new", data, page="/contributions/new",
                            content_type="multipart/form-data")


def only_contribution() -> Contribution:
    return db.session.scalar(select(Contribution))


def publish(client, version, **extra):
    data = {"decision": "publish", "lock": str(version.lock_version)}
    data.update(extra)
    return client.post_form(f"/secretariat/moderation/{version.id}/decide", data,
                            page=f"/secretariat/moderation/{version.id}")


def uploads(app) -> list[Path]:
    root = Path(app.instance_path) / "uploads"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


# The form ---------------------------------------------------------------------------------------------

def test_submission_form_has_labelled_fields(client, world):
    login(client, world.alice.email)
    html = client.get("/contributions/new").get_data(as_text=True)
    for label, field in [("Meeting", "meeting"), ("Title", "title"), ("Summary", "summary"),
                         ("Language", "language"), ("File", "file")]:
        assert f'<label for="{field}">{label}</label>' in html
    assert "<legend>Action lines" in html and 'value="C11"' in html
    assert 'value="Save draft"' in html and 'value="Submit"' in html
    # Only meetings open for contributions are offered.
    assert "FORUM-2027" in html and "PC-3" not in html


def test_people_without_an_organisation_cannot_submit(client, make, world):
    loner = make.user("loner@example.org")
    login(client, loner.email)
    r = client.get("/contributions/new")
    assert r.status_code == 403 and "does not belong to one" in r.get_data(as_text=True)
    pending = make.user("pending@gouv.sn", organisation=world.senegal, membership="pending")
    client.post_form("/logout")
    login(client, pending.email)
    assert client.get("/contributions/new").status_code == 403


# Draft, submit, publish ----------------------------------------------------------------------------------

def test_draft_is_shared_with_the_organisation_only(app, client, other_client, world):
    login(client, world.alice.email)
    r = submit_new(client, world.meeting, button="save")
    assert r.status_code == 302
    c = only_contribution()
    assert c.state == S.DRAFT and c.organisation_id == world.senegal.id
    f = c.latest_version.files[0]
    assert "fracture numérique" in f.text and f.kind == "txt" and f.filename == "contribution-sénégal.txt"
    url = f"/documents/{c.id}"

    login(other_client, world.bob.email)  # same organisation: sees and edits the draft
    assert other_client.get(url).status_code == 200
    assert other_client.get(f"/contributions/{c.id}/edit").status_code == 200
    other_client.post_form("/logout")
    login(other_client, world.carol.email)  # another organisation: nothing
    assert other_client.get(url).status_code == 404
    assert other_client.get(f"/contributions/{c.id}/edit").status_code == 404
    assert other_client.get(f"/documents/{c.id}/files/{f.id}").status_code == 404
    other_client.post_form("/logout")
    assert other_client.get(url).status_code == 404  # the public neither
    assert "Réduire la fracture" not in other_client.get("/meetings/FORUM-2027").get_data(as_text=True)


def test_submit_publish_and_read(app, client, other_client, world):
    login(client, world.alice.email)
    r = submit_new(client, world.meeting)
    assert r.status_code == 302
    c = only_contribution()
    v = c.latest_version
    assert c.state == S.SUBMITTED and v.submitted_at is not None and not v.late
    assert [x["Subject"] for x in mail_to(app, world.bob.email)] == [
        "Contribution submitted: Réduire la fracture numérique"]
    assert not mail_to(app, world.carol.email)

    login(other_client, world.sec.email)
    queue = other_client.get("/secretariat/moderation").get_data(as_text=True)
    assert "Réduire la fracture numérique" in queue
    item = other_client.get(f"/secretariat/moderation/{v.id}").get_data(as_text=True)
    assert "La société de l&#39;information doit réduire" in item  # the extracted text beside the details

    r = publish(other_client, v)
    assert r.status_code == 302
    db.session.expire_all()
    c = db.session.get(Contribution, c.id)
    assert c.state == S.PUBLISHED and c.number == 1
    assert c.symbol(0) == "WSIS/FORUM-2027/CONTR/1-F"
    subjects = [x["Subject"] for x in mail_to(app, world.alice.email)]
    assert "Published as WSIS/FORUM-2027/CONTR/1-F: Réduire la fracture numérique" in subjects

    # Public: the meeting page (by action line and as a table), the document page, the download.
    public = app.test_client()
    page = public.get("/meetings/FORUM-2027").get_data(as_text=True)
    assert page.count("WSIS/FORUM-2027/CONTR/1-F") == 2  # under C2 and under C3
    table = public.get("/meetings/FORUM-2027?view=table").get_data(as_text=True)
    assert "Ministère de l&#39;Économie numérique du Sénégal" in table and "Government" in table
    doc = public.get(f"/documents/{c.id}").get_data(as_text=True)
    assert "WSIS/FORUM-2027/CONTR/1-F" in doc and "Propositions pour l&#39;accès universel." in doc
    assert "Trail" not in doc  # the trail is for the organisation and the secretariat
    f = c.current_version.files[0]
    r = public.get(f"/documents/{c.id}/files/{f.id}")
    assert r.status_code == 200 and r.data == FRENCH
    assert r.headers["Content-Disposition"].startswith("attachment")
    assert r.headers["Content-Disposition"] == "attachment; filename=WSIS-FORUM-2027-CONTR-1-F.txt"
    assert "contribution-sénégal.txt" in doc  # the uploader's name, shown as text
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in r.headers["Content-Security-Policy"]
    # Counts count published documents.
    assert "1 published document" in public.get("/action-lines/C2").get_data(as_text=True)

    # A second contribution gets the next number.
    submit_new(client, world.meeting, title="Deuxième contribution", language="en")
    v2 = db.session.scalar(select(Version).where(Version.title == "Deuxième contribution"))
    publish(other_client, v2)
    db.session.expire_all()
    assert db.session.get(Version, v2.id).contribution.symbol(0) == "WSIS/FORUM-2027/CONTR/2-E"


def test_every_transition_is_in_the_trail_and_the_audit_log(client, other_client, world):
    login(client, world.alice.email)
    submit_new(client, world.meeting, button="save")
    c = only_contribution()
    client.post_form(f"/contributions/{c.id}/submit")
    login(other_client, world.sec.email)
    v = c.latest_version
    db.session.refresh(v)
    other_client.post_form(f"/secretariat/moderation/{v.id}/decide",
                           {"decision": "return", "comment": "Please add the annex."})
    events = list(db.session.scalars(select(ContributionEvent).where(ContributionEvent.contribution_id == c.id)
                                     .order_by(ContributionEvent.id)))
    assert [(e.action, e.from_state, e.to_state) for e in events] == [
        ("create", None, "draft"), ("submit", "draft", "submitted"), ("return", "submitted", "returned")]
    assert events[-1].comment == "Please add the annex." and events[-1].actor_id == world.sec.id
    page = client.get(f"/documents/{c.id}").get_data(as_text=True)
    assert "Please add the annex." in page and "Returned for changes" in page
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(
        AuditEntry.action == "contribution.return")) == 1


def test_return_edit_resubmit_then_reject(app, client, other_client, world):
    login(client, world.alice.email)
    submit_new(client, world.meeting)
    c = only_contribution()
    v = c.latest_version
    login(other_client, world.sec.email)
    r = other_client.post_form(f"/secretariat/moderation/{v.id}/decide", {"decision": "return", "comment": ""})
    assert r.status_code == 400 and "Say what should be changed." in r.get_data(as_text=True)
    other_client.post_form(f"/secretariat/moderation/{v.id}/decide",
                           {"decision": "return", "comment": "Le titre doit être plus précis."})
    db.session.expire_all()
    assert only_contribution().state == S.RETURNED
    (returned,) = [m for m in mail_to(app, world.bob.email) if m["Subject"].startswith("Returned")]
    assert "Le titre doit être plus précis." in returned.get_body().get_content()

    # The edit form shows the comment, keeps the file when none is chosen, and resubmits.
    page = client.get(f"/contributions/{c.id}/edit").get_data(as_text=True)
    assert "Le titre doit être plus précis." in page and "Leave empty to keep" in page
    data = form(world.meeting, title="Réduire la fracture numérique en Afrique de l'Ouest", submit="1")
    r = client.post_form(f"/contributions/{c.id}/edit", data, content_type="multipart/form-data")
    assert r.status_code == 302
    db.session.expire_all()
    c = only_contribution()
    assert c.state == S.SUBMITTED and c.latest_version.files
    assert c.latest_version.title.endswith("Afrique de l'Ouest")

    r = other_client.post_form(f"/secretariat/moderation/{v.id}/decide",
                               {"decision": "reject", "comment": "Hors sujet."})
    db.session.expire_all()
    assert only_contribution().state == S.REJECTED
    assert any(m["Subject"].startswith("Not published") for m in mail_to(app, world.alice.email))
    assert client.get(f"/contributions/{c.id}/edit").status_code == 302  # nothing left to edit


def test_two_moderators_on_one_item_only_one_decision_counts(client, other_client, app, world):
    login(client, world.alice.email)
    submit_new(client, world.meeting)
    v = only_contribution().latest_version
    lock = v.lock_version
    first, second = other_client, app.test_client()
    login(first, world.sec.email)
    sec2 = db.session.merge(world.sec)  # same role, second browser
    login(second, sec2.email)
    r1 = first.post_form(f"/secretariat/moderation/{v.id}/decide", {"decision": "publish", "lock": str(lock)})
    r2 = second.post_form(f"/secretariat/moderation/{v.id}/decide",
                          {"decision": "reject", "comment": "No.", "lock": str(lock)})
    assert r1.status_code == r2.status_code == 302
    msg = second.get(r2.headers["Location"]).get_data(as_text=True)
    assert "already been decided" in msg
    db.session.expire_all()
    c = only_contribution()
    assert c.state == S.PUBLISHED and c.number == 1
    decisions = list(db.session.scalars(select(ContributionEvent.action).where(
        ContributionEvent.action.in_(["publish", "reject"]))))
    assert decisions == ["publish"]


def test_publishing_for_an_unverified_organisation_needs_confirmation(make, client, other_client, world):
    new_org = make.organisation("Unverified NGO", verified=False, stakeholder_type="civil_society")
    dave = make.user("dave@ngo.example", organisation=new_org)
    login(client, dave.email)
    submit_new(client, world.meeting)
    v = only_contribution().latest_version
    login(other_client, world.sec.email)
    queue = other_client.get("/secretariat/moderation?unverified=1").get_data(as_text=True)
    assert "Unverified NGO" in queue and "organisation not verified" in queue
    r = publish(other_client, v)
    assert r.status_code == 400 and "is not verified" in r.get_data(as_text=True)
    db.session.expire_all()
    assert only_contribution().state == S.SUBMITTED
    r = publish(other_client, v, confirm_unverified="y")
    assert r.status_code == 302
    db.session.expire_all()
    assert only_contribution().state == S.PUBLISHED


def test_publish_selected(client, other_client, world):
    login(client, world.alice.email)
    for n in range(3):
        submit_new(client, world.meeting, title=f"Contribution {n}")
    ids = list(db.session.scalars(select(Version.id).order_by(Version.id)))
    login(other_client, world.sec.email)
    r = other_client.post_form("/secretariat/moderation/publish-selected", {"selected": [str(i) for i in ids[:2]]},
                               page="/secretariat/moderation")
    assert r.status_code == 302
    db.session.expire_all()
    numbers = sorted(c.number for c in db.session.scalars(select(Contribution)) if c.number)
    assert numbers == [1, 2]
    assert "Contribution 2" in other_client.get("/secretariat/moderation").get_data(as_text=True)


def test_publish_selected_reports_each_refused_item_and_publishes_the_others(client, other_client, world):
    login(client, world.alice.email)
    for n in range(3):
        submit_new(client, world.meeting, title=f"Contribution {n}")
    ids = list(db.session.scalars(select(Version.id).order_by(Version.id)))
    login(other_client, world.sec.email)
    r = publish(other_client, db.session.get(Version, ids[1]))  # decided on its own page meanwhile
    assert r.status_code == 302
    r = other_client.post_form("/secretariat/moderation/publish-selected",
                               {"selected": [str(i) for i in ids] + ["999999"]}, page="/secretariat/moderation")
    assert r.status_code == 302
    page = other_client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Contribution 1: This item has already been decided" in page
    db.session.expire_all()
    published = {v.title: v.contribution.number for v in db.session.scalars(select(Version).order_by(Version.id))}
    assert published == {"Contribution 0": 2, "Contribution 1": 1, "Contribution 2": 3}


# Deadlines -----------------------------------------------------------------------------------------------

def test_late_submission_is_marked(client, world):
    world.meeting.deadline_at = datetime.now(timezone.utc) - timedelta(hours=1)
    db.session.commit()
    login(client, world.alice.email)
    assert submit_new(client, world.meeting).status_code == 302
    assert only_contribution().latest_version.late


def test_meeting_refusing_late_submissions(client, world, app):
    world.meeting.deadline_at = datetime.now(timezone.utc) - timedelta(hours=1)
    world.meeting.accept_late = False
    db.session.commit()
    login(client, world.alice.email)
    r = submit_new(client, world.meeting)
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert "does not accept late contributions" in html and 'value="Réduire la fracture numérique"' in html
    assert db.session.scalar(select(func.count(Contribution.id))) == 0
    assert uploads(app) == []


def test_meeting_not_open_is_refused_even_if_forged(client, world, make):
    closed = make.meeting("CLOSED-1", status=MeetingStatus.CLOSED)
    login(client, world.alice.email)
    r = submit_new(client, closed)
    assert r.status_code == 400
    assert db.session.scalar(select(func.count(Contribution.id))) == 0


# Bad input -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("content,name,why", [
    (b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>", "report.pdf", "type"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "report.pdf", "type"),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 200, "picture.docx", "type"),
    (b"", "empty.txt", "empty"),
])
def test_refused_file_keeps_the_form_and_leaves_nothing(app, client, world, content, name, why):
    login(client, world.alice.email)
    r = submit_new(client, world.meeting, file=(io.BytesIO(content), name))
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert 'value="Réduire la fracture numérique"' in html and "Propositions pour l&#39;accès universel." in html
    assert 'id="file-error"' in html
    assert db.session.scalar(select(func.count(Contribution.id))) == 0
    assert db.session.scalar(select(func.count(DocumentFile.id))) == 0
    assert uploads(app) == []


def test_file_over_the_limit_is_refused(app, client, world):
    app.config["UPLOAD_MAX_BYTES"] = 1000
    login(client, world.alice.email)
    r = submit_new(client, world.meeting, file=(io.BytesIO(b"a" * 5000), "big.txt"))
    assert r.status_code == 400 and 'id="file-error"' in r.get_data(as_text=True)
    assert uploads(app) == [] and db.session.scalar(select(func.count(Contribution.id))) == 0


def test_missing_fields_are_reported_each_at_its_field(client, world):
    login(client, world.alice.email)
    r = submit_new(client, world.meeting, title="", action_lines=[], language="xx")
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert "Give the contribution a title." in html
    assert "Choose at least one action line." in html
    assert "Choose a language from the list." in html


def test_submit_without_file_asks_for_it_but_a_draft_can_wait(client, world):
    login(client, world.alice.email)
    data = form(world.meeting, submit="1")
    r = client.post_form("/contributions/new", data, content_type="multipart/form-data")
    assert r.status_code == 400 and "Attach the document to submit it" in r.get_data(as_text=True)
    data = form(world.meeting, save="1")
    assert client.post_form("/contributions/new", data, content_type="multipart/form-data").status_code == 302
    assert only_contribution().state == S.DRAFT


def test_extra_fields_are_ignored(client, world):
    login(client, world.alice.email)
    r = submit_new(client, world.meeting, status="published", organisation_id=str(world.other.id),
                   state="published", number="99")
    assert r.status_code == 302
    c = only_contribution()
    assert c.state == S.SUBMITTED and c.organisation_id == world.senegal.id and c.number is None


def test_script_in_text_and_file_name_is_only_text(app, client, other_client, world):
    login(client, world.alice.email)
    payload = b"<script>alert('x')</script> texte"
    submit_new(client, world.meeting, title="<script>alert(1)</script>",
               file=(io.BytesIO(payload), "'><img src=x onerror=alert(1)>.txt"))
    c = only_contribution()
    page = client.get(f"/documents/{c.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img src=x" not in page
    login(other_client, world.sec.email)
    publish(other_client, c.latest_version)
    f = db.session.scalar(select(DocumentFile))
    r = app.test_client().get(f"/documents/{c.id}/files/{f.id}")
    assert r.data == payload and r.mimetype == "text/plain"
    assert r.headers["Content-Disposition"].startswith("attachment")
    # Named by its symbol and detected type: nothing of the uploader's name reaches the header.
    assert r.headers["Content-Disposition"] == "attachment; filename=WSIS-FORUM-2027-CONTR-1-F.txt"


# Revisions, languages, withdrawal ---------------------------------------------------------------------

def _published(client, other_client, world, **over) -> Contribution:
    login(client, world.alice.email)
    submit_new(client, world.meeting, **over)
    v = db.session.scalars(select(Version).order_by(Version.id.desc())).first()
    login(other_client, world.sec.email)
    publish(other_client, v)
    db.session.expire_all()
    return db.session.get(Contribution, v.contribution_id)


def test_revision_goes_back_to_moderation_and_gets_rev_1(app, client, other_client, world):
    c = _published(client, other_client, world)
    first_file = c.current_version.files[0]
    data = {"title": "Réduire la fracture numérique (révisé)", "summary": "Nouveau résumé",
            "action_lines": ["C2"], "submit": "1",
            "file": (io.BytesIO(b"Texte r\xc3\xa9vis\xc3\xa9 de la contribution."), "revise.txt")}
    r = client.post_form(f"/contributions/{c.id}/revise", data, content_type="multipart/form-data")
    assert r.status_code == 302
    db.session.expire_all()
    c = db.session.get(Contribution, c.id)
    assert c.state == S.PUBLISHED and c.latest_version.state == S.SUBMITTED
    public = app.test_client()
    page = public.get(f"/documents/{c.id}").get_data(as_text=True)
    assert "Réduire la fracture numérique (révisé)" not in page  # the published one stays
    publish(other_client, c.latest_version)
    db.session.expire_all()
    c = db.session.get(Contribution, c.id)
    assert c.current_version.revision == 1
    assert c.symbol(1) == "WSIS/FORUM-2027/CONTR/1(Rev.1)-F"
    page = public.get(f"/documents/{c.id}").get_data(as_text=True)
    assert "WSIS/FORUM-2027/CONTR/1(Rev.1)-F" in page and "History" in page
    assert "WSIS/FORUM-2027/CONTR/1-F" in page  # the earlier version is listed
    r = public.get(f"/documents/{c.id}/files/{first_file.id}")
    assert r.status_code == 200 and r.data == FRENCH  # and still downloadable


def test_language_version_waits_for_the_secretariat(app, client, other_client, world):
    c = _published(client, other_client, world)
    data = {"language": "en", "file": (io.BytesIO(b"English version of the contribution."), "english.txt")}
    r = client.post_form(f"/contributions/{c.id}/languages/new", data, content_type="multipart/form-data")
    assert r.status_code == 302
    f = db.session.scalar(select(DocumentFile).where(DocumentFile.language == "en"))
    assert f.published_at is None
    public = app.test_client()
    assert public.get(f"/documents/{c.id}/files/{f.id}").status_code == 404
    assert "new language version: English" in other_client.get("/secretariat/moderation").get_data(as_text=True)
    r = other_client.post_form(f"/secretariat/moderation/files/{f.id}", {"decision": "publish"})
    assert r.status_code == 302
    page = public.get(f"/documents/{c.id}").get_data(as_text=True)
    assert "WSIS/FORUM-2027/CONTR/1-E" in page and "WSIS/FORUM-2027/CONTR/1-F" in page
    assert "(original)" in page
    assert public.get(f"/documents/{c.id}/files/{f.id}").status_code == 200


def test_withdrawn_published_document_stays_listed_without_files(app, client, other_client, world):
    c = _published(client, other_client, world)
    f = c.current_version.files[0]
    r = client.post_form(f"/contributions/{c.id}/withdraw", {"reason": "Remplacée par une déclaration commune."})
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(Contribution, c.id).state == S.WITHDRAWN
    public = app.test_client()
    page = public.get("/meetings/FORUM-2027").get_data(as_text=True)
    assert "WSIS/FORUM-2027/CONTR/1-F" in page and "withdrawn" in page
    assert "(0)" in public.get("/meetings/FORUM-2027").get_data(as_text=True)  # not counted
    doc = public.get(f"/documents/{c.id}").get_data(as_text=True)
    assert "Withdrawn by the organisation" in doc and f"/files/{f.id}" not in doc
    assert public.get(f"/documents/{c.id}/files/{f.id}").status_code == 404
    assert any(m["Subject"].startswith("Withdrawn") for m in mail_to(app, world.bob.email))


def test_withdrawn_before_publication_disappears_from_the_queue(client, other_client, world):
    login(client, world.alice.email)
    submit_new(client, world.meeting)
    c = only_contribution()
    client.post_form(f"/contributions/{c.id}/withdraw", {"reason": ""})
    login(other_client, world.sec.email)
    assert "Nothing is waiting for moderation." in other_client.get("/secretariat/moderation").get_data(as_text=True)
    assert app_public_404(other_client, c)


def app_public_404(client, c) -> bool:
    client.post_form("/logout")
    return client.get(f"/documents/{c.id}").status_code == 404


def test_cosponsors_are_shown_and_counted_but_cannot_edit(app, client, other_client, world):
    c = _published(client, other_client, world, cosponsors=[str(world.other.id)])
    assert [o.name for o in c.cosponsors] == ["Civil Society Caucus"]
    public = app.test_client()
    assert "Civil Society Caucus" in public.get(f"/documents/{c.id}").get_data(as_text=True)
    org_page = public.get(f"/organisations/{world.other.id}").get_data(as_text=True)
    assert "Co-sponsored documents" in org_page and "WSIS/FORUM-2027/CONTR/1-F" in org_page
    assert "(1)" in org_page
    carol = app.test_client()
    login(carol, world.carol.email)
    assert carol.get(f"/contributions/{c.id}/revise").status_code == 404
    assert carol.post_form(f"/contributions/{c.id}/withdraw", {"reason": "x"}).status_code == 404


# Drafts of the secretariat -------------------------------------------------------------------------------

def test_draft_outcome_document_and_the_contributions_that_answer_it(app, client, other_client, world):
    login(other_client, world.sec.email)
    data = {"series": "DOC", "title": "Projet de Déclaration de principes", "summary": "",
            "action_lines": ["C1", "C11"], "language": "fr",
            "file": (io.BytesIO("Projet de Déclaration de principes.".encode()), "declaration.txt")}
    r = other_client.post_form("/secretariat/meetings/FORUM-2027/documents/new", data,
                               content_type="multipart/form-data")
    assert r.status_code == 302
    draft = db.session.scalar(select(Contribution).where(Contribution.series == "DOC"))
    assert draft.symbol(0) == "WSIS/FORUM-2027/DOC/1-F" and draft.state == S.PUBLISHED

    # Civil society answers it.
    login(client, world.carol.email)
    html = client.get("/contributions/new").get_data(as_text=True)
    assert "Comments on draft" in html and "WSIS/FORUM-2027/DOC/1-F" in html
    submit_new(client, world.meeting, comments_on=str(draft.id), title="Commentaires de la société civile")
    v = db.session.scalar(select(Version).where(Version.title == "Commentaires de la société civile"))
    publish(other_client, v, confirm_unverified="y")
    page = app.test_client().get(f"/documents/{draft.id}").get_data(as_text=True)
    assert "Contributions that comment on this document" in page
    assert "Commentaires de la société civile" in page and "WSIS/FORUM-2027/CONTR/1-F" in page

    # A revision of the draft is published at once as Rev.1.
    data = {"title": "Projet de Déclaration de principes", "summary": "", "action_lines": ["C1"],
            "file": (io.BytesIO("Projet révisé.".encode()), "declaration-rev1.txt")}
    r = other_client.post_form(f"/secretariat/documents/{draft.id}/revise", data,
                               content_type="multipart/form-data")
    assert r.status_code == 302
    assert "WSIS/FORUM-2027/DOC/1(Rev.1)-F" in app.test_client().get(f"/documents/{draft.id}").get_data(as_text=True)


def test_stakeholders_cannot_publish_documents_or_moderate(client, world):
    login(client, world.alice.email)
    assert client.get("/secretariat/moderation").status_code == 403
    assert client.get("/secretariat/meetings/FORUM-2027/documents/new").status_code == 403


def test_unpublished_ids_never_leak(app, client, other_client, world):
    login(client, world.alice.email)
    submit_new(client, world.meeting, title="Secret draft title")
    c = only_contribution()
    f = c.latest_version.files[0]
    login(other_client, world.carol.email)
    for url in [f"/documents/{c.id}", f"/documents/{c.id}/files/{f.id}", f"/contributions/{c.id}/edit",
                f"/contributions/{c.id}/revise", f"/contributions/{c.id}/languages/new",
                f"/documents/{c.id + 1}", f"/documents/{c.id}/files/{f.id + 1}"]:
        assert other_client.get(url).status_code == 404, url
    for url in ["/", "/meetings/FORUM-2027", "/meetings/FORUM-2027?view=table", "/action-lines/C2",
                f"/organisations/{world.senegal.id}", "/meetings/"]:
        assert "Secret draft title" not in app.test_client().get(url).get_data(as_text=True)
    assert "(1)" not in app.test_client().get("/action-lines/").get_data(as_text=True)


# Real documents ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["pdf", "docx", "odt"])
def test_real_documents_with_french_text_are_read(app, client, other_client, world, tmp_path, kind):
    from tests.documents import LINE_1, LINE_2, build_pdf, make_docx, make_odt, text_page

    if kind == "pdf":
        data, expected = build_pdf(text_page(LINE_1, LINE_2)), [LINE_1, LINE_2]
    elif kind == "docx":
        data, expected = make_docx(tmp_path / "x.docx").read_bytes(), ["Société de l'information : la fracture numérique à Genève"]
    else:
        data, expected = make_odt(tmp_path / "x.odt").read_bytes(), ["Société de l'information", "Accès équitable"]
    login(client, world.alice.email)
    # The name says .bin: the type is decided by the bytes.
    r = submit_new(client, world.meeting, file=(io.BytesIO(data), f"contribution-{kind}.bin"))
    assert r.status_code == 302
    f = db.session.scalar(select(DocumentFile))
    assert f.kind == kind and f.extraction_status.value == "ok"
    for line in expected:
        assert line in f.text
    login(other_client, world.sec.email)
    page = other_client.get(f"/secretariat/moderation/{f.version_id}").get_data(as_text=True)
    assert expected[-1].replace("'", "&#39;") in page


def test_scanned_pdf_is_kept_and_flagged(app, client, other_client, world):
    from tests.documents import build_pdf

    login(client, world.alice.email)
    r = submit_new(client, world.meeting, file=(io.BytesIO(build_pdf(b"0 0 m 200 200 l S")), "scan.pdf"))
    assert r.status_code == 302
    assert "could not be read" in client.get(r.headers["Location"]).get_data(as_text=True)
    f = db.session.scalar(select(DocumentFile))
    assert f.extraction_status.value == "failed" and "scanned" in f.extraction_error
    assert only_contribution().state == S.SUBMITTED
    login(other_client, world.sec.email)
    queue = other_client.get("/secretariat/moderation?extraction=failed").get_data(as_text=True)
    assert "Réduire la fracture numérique" in queue and "text not readable" in queue


def test_replacing_the_file_of_a_draft_keeps_one_file_and_deletes_the_old_bytes(app, client, world):
    login(client, world.alice.email)
    submit_new(client, world.meeting, button="save", file=txt(b"Premier texte.\n", "premier.txt"))
    c = only_contribution()
    old_key = c.latest_version.files[0].storage_key
    r = client.post_form(f"/contributions/{c.id}/edit", {**form(world.meeting), "save": "1",
                                                         "file": txt(b"Second texte.\n", "second.txt")},
                         page=f"/contributions/{c.id}/edit", content_type="multipart/form-data")
    assert r.status_code == 302
    db.session.expire_all()
    (f,) = only_contribution().latest_version.files
    assert f.filename == "second.txt" and f.storage_key != old_key
    assert client.get(f"/documents/{c.id}/files/{f.id}").data == b"Second texte.\n"
    assert [p.name for p in uploads(app)] == [f.storage_key.split("/")[-1]]  # the old bytes are gone
