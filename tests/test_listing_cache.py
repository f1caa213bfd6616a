"""The cached meeting and action-line listings: every change a listing shows reaches it at once,
whichever process or session made it; other changes leave the cache alone."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.contributions import listing_cache
from portal.extensions import db
from portal.models import ActionLine, Contribution, Organisation, Version
from tests.test_contributions import _published, make_world, submit_new


@pytest.fixture
def world(make):
    return make_world(make)


def _generations(*scopes: str) -> tuple[int, ...]:
    db.session.rollback()  # a fresh snapshot
    return listing_cache.generations(list(scopes))


def test_listings_follow_publication_withdrawal_and_renaming(app, client, other_client, world):
    public = app.test_client()
    assert "WSIS/FORUM-2027/CONTR/1-F" not in public.get("/meetings/FORUM-2027").get_data(as_text=True)
    assert "WSIS/FORUM-2027/CONTR/1-F" not in public.get("/action-lines/C2").get_data(as_text=True)

    c = _published(client, other_client, world, title="Réseaux communautaires")
    for url in ("/meetings/FORUM-2027", "/meetings/FORUM-2027?view=table", "/action-lines/C2"):
        page = public.get(url).get_data(as_text=True)
        assert "WSIS/FORUM-2027/CONTR/1-F" in page and "Réseaux communautaires" in page, url

    # A change made elsewhere (another worker process has its own session and cache).
    with Session(db.engine) as other_process:
        other_process.get(Organisation, world.senegal.id).name = "Ministère de la Communication du Sénégal"
        other_process.commit()
    for url in ("/meetings/FORUM-2027", "/action-lines/C3"):
        assert "Ministère de la Communication du Sénégal" in public.get(url).get_data(as_text=True), url

    client.post_form(f"/contributions/{c.id}/withdraw", {"reason": "Remplacée."})
    page = public.get("/meetings/FORUM-2027").get_data(as_text=True)
    assert "withdrawn" in page and "(0)" in page
    assert "withdrawn" in public.get("/action-lines/C2").get_data(as_text=True)


def test_the_french_listing_is_cached_apart(app, client, other_client, world):
    _published(client, other_client, world)
    public = app.test_client()
    english = public.get("/meetings/FORUM-2027").get_data(as_text=True)
    french = public.get("/meetings/FORUM-2027", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "As a table" in english and "As a table" not in french
    assert "Sous forme de tableau" in french


def test_only_changes_that_listings_show_move_their_generations(app, client, other_client, world):
    meeting, other_meeting = f"meeting:{world.meeting.id}", "meeting:999"
    c2, c3, c5 = (f"line:{db.session.scalar(select(ActionLine.id).where(ActionLine.code == code))}"
                  for code in ("C2", "C3", "C5"))
    scopes = ("all", "home", meeting, other_meeting, c2, c3, c5)
    before = _generations(*scopes)

    # A change rolled back leaves the generations where they were.
    world.senegal.name = "Renamed and rolled back"
    db.session.flush()
    db.session.rollback()
    assert _generations(*scopes) == before

    # A publication moves its meeting, its action lines (C2, C3) and the home page, nothing else.
    _published(client, other_client, world)
    after = dict(zip(scopes, _generations(*scopes), strict=True))
    changed = {s for s, b in zip(scopes, before, strict=True) if after[s] != b}
    assert changed == {"home", meeting, c2, c3}

    # A draft (client is logged in as its author) is in no public listing.
    submit_new(client, world.meeting, button="save", action_lines=["C5"])
    assert db.session.scalar(select(func.count(Contribution.id))) == 2
    assert _generations(*scopes) == tuple(after.values())

    # A renamed organisation appears everywhere.
    org = db.session.get(Organisation, world.senegal.id)
    org.name = "Renamed for good"
    db.session.commit()
    assert _generations("all")[0] == after["all"] + 1


def test_cache_serves_without_rerendering(app, world, monkeypatch):
    """Proof that there is a cache at all: a second view renders nothing."""
    from portal.contributions import listing

    public = app.test_client()
    public.get("/meetings/FORUM-2027")
    calls = []
    real = listing.meeting_documents
    monkeypatch.setattr(listing, "meeting_documents", lambda m: calls.append(m) or real(m))
    assert public.get("/meetings/FORUM-2027").status_code == 200
    assert calls == []
    app.config["LISTING_CACHE_ENTRIES"] = 0
    assert public.get("/meetings/FORUM-2027").status_code == 200
    assert len(calls) == 1
    assert db.session.scalar(select(Version)) is None


def test_a_revision_moves_the_document_between_action_lines_at_publication(app, client, other_client, world):
    import io

    from tests.test_contributions import publish

    c = _published(client, other_client, world, title="Réseaux ruraux")  # under C2 and C3
    public = app.test_client()
    assert "Réseaux ruraux" in public.get("/action-lines/C3").get_data(as_text=True)
    assert "Réseaux ruraux" not in public.get("/action-lines/C5").get_data(as_text=True)

    data = {"title": "Réseaux ruraux (révisé)", "summary": "", "action_lines": ["C5"], "submit": "1",
            "file": (io.BytesIO("Texte révisé.".encode()), "revise.txt")}
    assert client.post_form(f"/contributions/{c.id}/revise", data,
                            content_type="multipart/form-data").status_code == 302
    # Submitted, not yet published: the listings still show the published version.
    assert "Réseaux ruraux" in public.get("/action-lines/C3").get_data(as_text=True)
    assert "Réseaux ruraux" not in public.get("/action-lines/C5").get_data(as_text=True)

    db.session.expire_all()
    publish(other_client, db.session.get(Contribution, c.id).latest_version)
    assert "Réseaux ruraux" not in public.get("/action-lines/C3").get_data(as_text=True)
    c5 = public.get("/action-lines/C5").get_data(as_text=True)
    assert "Réseaux ruraux (révisé)" in c5 and "(Rev.1)" in c5
    assert "Réseaux ruraux (révisé)" in public.get("/meetings/FORUM-2027").get_data(as_text=True)


def test_a_published_language_version_shows_in_the_meeting_table(app, client, other_client, world):
    import io

    from portal.models import DocumentFile

    c = _published(client, other_client, world)
    public = app.test_client()
    assert "(+E)" not in public.get("/meetings/FORUM-2027?view=table").get_data(as_text=True)
    data = {"language": "en", "file": (io.BytesIO(b"English version of the contribution."), "english.txt")}
    assert client.post_form(f"/contributions/{c.id}/languages/new", data,
                            content_type="multipart/form-data").status_code == 302
    f = db.session.scalar(select(DocumentFile).where(DocumentFile.language == "en"))
    assert "(+E)" not in public.get("/meetings/FORUM-2027?view=table").get_data(as_text=True)
    assert other_client.post_form(f"/secretariat/moderation/files/{f.id}", {"decision": "publish"}).status_code == 302
    assert "(+E)" in public.get("/meetings/FORUM-2027?view=table").get_data(as_text=True)


def test_generations_move_once_when_the_transaction_commits(app, world):
    """Changes flushed early in a transaction move the generations when it commits, once, in one sorted
    batch (so that two transactions cannot lock the rows in opposite orders)."""
    from portal.models import ListingGeneration

    def seen_elsewhere() -> int:
        with Session(db.engine) as other:
            return other.scalar(select(ListingGeneration.n).where(ListingGeneration.scope == "all")) or 0

    before = _generations("all")[0]
    org = db.session.get(Organisation, world.senegal.id)
    org.name = "First name"
    db.session.flush()
    org.name = "Second name"
    db.session.flush()
    assert seen_elsewhere() == before
    db.session.commit()
    assert seen_elsewhere() == before + 1 == _generations("all")[0]
