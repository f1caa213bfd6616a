"""Backups, restore and the check of the file store."""

from __future__ import annotations

import io
import json
import threading
from pathlib import Path

from sqlalchemy import func, select

from portal import storage
from portal.extensions import db
from portal.models import Contribution, DocumentFile, MeetingStatus
from tests.conftest import login


def _contribute(client, meeting, title: str, body: bytes):
    data = {"meeting": meeting.code, "title": title, "summary": "", "action_lines": ["C4"], "language": "fr",
            "file": (io.BytesIO(body), "note.txt"), "submit": "1"}
    return client.post_form("/contributions/new", data, page="/contributions/new",
                            content_type="multipart/form-data")


def _setup(make, client):
    meeting = make.meeting("BK-1", status=MeetingStatus.OPEN)
    org = make.organisation("Backup Ministry")
    user = make.user("backup@gov.example", organisation=org)
    login(client, user.email)
    for i in range(3):
        assert _contribute(client, meeting, f"Note {i}", f"Texte numéro {i} de la note.".encode()).status_code == 302
    return meeting


def test_backup_restore_round_trip(app, client, make, runner, tmp_path):
    _setup(make, client)
    dest = tmp_path / "backup-1"
    r = runner.invoke(args=["backup", str(dest)])
    assert r.exit_code == 0, r.output
    manifest = json.loads((dest / "manifest.json").read_text())
    assert len(manifest["files"]) == 3 and manifest["database_sha256"]
    for f in manifest["files"]:
        assert (dest / "uploads" / f["key"]).read_bytes().startswith("Texte numéro".encode())

    # Disaster: a contribution deleted, a file lost.
    victim = db.session.scalar(select(DocumentFile))
    key, sha = victim.storage_key, victim.sha256
    storage.delete(key)
    db.session.delete(db.session.scalar(select(Contribution).order_by(Contribution.id.desc())))
    db.session.commit()
    db.session.remove()

    r = runner.invoke(args=["restore", str(dest), "--yes"])
    assert r.exit_code == 0, r.output
    assert "Restored 3 files" in r.output
    db.session.remove()
    assert db.session.scalar(select(func.count(Contribution.id))) == 3
    assert storage.verify(key, sha)
    r = runner.invoke(args=["verify-storage"])
    assert r.exit_code == 0 and "0 missing, 0 damaged" in r.output


def test_backup_refuses_a_folder_that_is_not_empty(runner, tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    r = runner.invoke(args=["backup", str(tmp_path / "full")])
    assert r.exit_code != 0 and "not empty" in r.output


def test_restore_refuses_a_damaged_backup_and_changes_nothing(app, client, make, runner, tmp_path):
    _setup(make, client)
    dest = tmp_path / "backup-2"
    runner.invoke(args=["backup", str(dest)])
    manifest = json.loads((dest / "manifest.json").read_text())
    (dest / "uploads" / manifest["files"][0]["key"]).write_bytes(b"tampered")
    before = db.session.scalar(select(func.count(Contribution.id)))
    r = runner.invoke(args=["restore", str(dest), "--yes"])
    assert r.exit_code != 0 and "missing or damaged" in r.output
    assert db.session.scalar(select(func.count(Contribution.id))) == before
    r = runner.invoke(args=["restore", str(tmp_path), "--yes"])
    assert r.exit_code != 0 and "not a backup" in r.output


def test_verify_storage_finds_missing_damaged_and_orphans_and_sweeps(app, client, make, runner):
    _setup(make, client)
    files = list(db.session.scalars(select(DocumentFile).order_by(DocumentFile.id)))
    storage.path_for(files[0].storage_key).unlink()
    storage.path_for(files[1].storage_key).write_bytes(b"changed")
    orphan = storage.save_bytes(b"nobody names me")
    r = runner.invoke(args=["verify-storage"])
    assert r.exit_code == 1
    assert "1 missing, 1 damaged, 1 without a row" in r.output
    assert f"orphan: {orphan.key}" in r.output
    import os
    import time

    old = time.time() - 7200
    os.utime(storage.path_for(orphan.key), (old, old))
    r = runner.invoke(args=["verify-storage", "--sweep"])
    assert "Swept 1 orphan" in r.output
    assert not storage.path_for(orphan.key).exists()


def test_backup_while_users_write_restores_consistently(app, client, make, runner, tmp_path):
    meeting = _setup(make, client)
    stop = threading.Event()
    errors = []

    def writer():
        n = 0
        while not stop.is_set() and n < 30:
            r = _contribute(client, meeting, f"Concurrent {n}", f"Texte concurrent {n}".encode() * 200)
            if r.status_code != 302:
                errors.append(r.status_code)
            n += 1

    t = threading.Thread(target=writer)
    t.start()
    dest = tmp_path / "backup-live"
    try:
        r = runner.invoke(args=["backup", str(dest)])
    finally:
        stop.set()
        t.join()
    assert r.exit_code == 0, r.output
    assert errors == []
    r = runner.invoke(args=["restore", str(dest), "--yes"])
    assert r.exit_code == 0, r.output
    db.session.remove()
    rows = db.session.execute(select(DocumentFile.storage_key, DocumentFile.sha256)).all()
    manifest = json.loads((Path(dest) / "manifest.json").read_text())
    assert len(rows) == len(manifest["files"]) >= 3
    for key, sha in rows:
        assert storage.verify(key, sha), key


def test_restore_rebuilds_the_search_index(app, client, other_client, make, runner, tmp_path):
    """After a restore the index holds exactly the restored publications, even when the index was lost."""
    import shutil

    from portal.models import Version
    from portal.search import indexer, store

    _setup(make, client)
    sec = make.user("sec@itu.example", role="secretariat")
    login(other_client, sec.email)
    ids = [str(v) for v in db.session.scalars(select(Version.id))]
    r = other_client.post_form("/secretariat/moderation/publish-selected", {"selected": ids},
                               page="/secretariat/moderation")
    assert r.status_code == 302
    assert "3 documents" in client.get("/search?q=numero").get_data(as_text=True)
    assert runner.invoke(args=["backup", str(tmp_path / "bk")]).exit_code == 0

    # Disaster: a publication deleted and the whole index folder lost.
    db.session.delete(db.session.scalar(select(Contribution).order_by(Contribution.id.desc())))
    db.session.commit()
    db.session.remove()
    index_dir = store.pointer(app).resolve()
    shutil.rmtree(index_dir)

    r = runner.invoke(args=["restore", str(tmp_path / "bk"), "--yes"])
    assert r.exit_code == 0, r.output
    assert "search index rebuilt (3 documents)" in r.output
    db.session.remove()
    assert indexer.check(app).clean
    html = client.get("/search?q=numero").get_data(as_text=True)
    assert "3 documents" in html and "<mark>numéro</mark>" in html
    # The listing the running process had cached (2 documents, after the deletion) is not served.
    assert "(3)" in client.get("/meetings/BK-1").get_data(as_text=True)


def test_restore_refreshes_cached_listings(app, client, other_client, make, runner, tmp_path):
    """A worker's cached listing must not be served for restored data that reaches the same generation
    numbers by another history."""
    from portal.models import Version

    meeting = _setup(make, client)
    sec = make.user("sec@itu.example", role="secretariat")
    login(other_client, sec.email)
    ids = [str(v) for v in db.session.scalars(select(Version.id).order_by(Version.id))]

    def publish(vid):
        r = other_client.post_form("/secretariat/moderation/publish-selected", {"selected": [vid]},
                                   page="/secretariat/moderation")
        assert r.status_code == 302

    publish(ids[0])
    assert runner.invoke(args=["backup", str(tmp_path / "bk")]).exit_code == 0
    publish(ids[1])
    page = client.get(f"/meetings/{meeting.code}").get_data(as_text=True)  # cached: notes 0 and 1
    assert "Note 0" in page and "Note 1" in page

    assert runner.invoke(args=["restore", str(tmp_path / "bk"), "--yes"]).exit_code == 0
    db.session.remove()
    publish(ids[2])  # the restored database moves on to the same numbers as before
    page = client.get(f"/meetings/{meeting.code}").get_data(as_text=True)
    assert "Note 0" in page and "Note 2" in page and "Note 1" not in page


# Restore onto a new machine ------------------------------------------------------------------------------

def _live_with_a_publication(tmp_path, databases):
    import os

    from tests.browser import Session
    from tests.conftest import PASSWORD
    from tests.live import LiveServer

    url = databases.new(tmp_path, empty=True) if os.environ.get("TEST_DATABASE_URL") else None
    old = LiveServer(tmp_path / "old", database_url=url).start()
    old.flask("create-user", "--email", "sec@itu.example", "--name", "Sec", "--role", "secretariat",
              "--password-stdin", input_=PASSWORD + "\n")
    old.flask("create-user", "--email", "d@gov.example", "--name", "D", "--organisation", "Ministry of Backups",
              "--country", "CH", "--password-stdin", input_=PASSWORD + "\n")
    sec = Session(old.url).login("sec@itu.example")
    sec.form("/meetings/new", {"code": "NEW-1", "title": "New machine", "type": "forum", "place": "Geneva",
                               "start_date": "2030-01-10", "end_date": "2030-01-12", "deadline_tz": "Europe/Zurich",
                               "accept_late": "y", "symbol_prefix": "WSIS/NEW-1", "status": "open"},
             page="/meetings/new")
    d = Session(old.url).login("d@gov.example")
    d.form("/contributions/new", {"meeting": "NEW-1", "title": "Sauvegarde", "summary": "", "action_lines": ["C2"],
                                  "language": "fr", "submit": "1"},
           files={"file": ("note.txt", io.BytesIO(b"Texte sauvegarde et restaure ailleurs.\n"), "text/plain")},
           page="/contributions/new")
    vid = sec.get("/secretariat/moderation").text.split('name="selected" value="')[1].split('"')[0]
    sec.form("/secretariat/moderation/publish-selected", {"selected": vid}, page="/secretariat/moderation")
    old.flask("backup", str(tmp_path / "bk"))
    old.stop()
    return old, url


def test_restore_onto_a_new_machine_serves_the_restored_documents(tmp_path, databases):
    import os

    from tests.live import LiveServer

    old, url = _live_with_a_publication(tmp_path, databases)
    new_url = databases.new(tmp_path / "n", empty=True) if url else None
    new = LiveServer(tmp_path / "new", database_url=new_url)
    (new.instance / "config.py").unlink()  # a new machine: nothing in instance/
    r = new.flask("restore", str(tmp_path / "bk"), "--yes")
    assert "a new secret key was written" in r.stderr and "search index rebuilt (1 documents)" in r.stdout
    assert (new.instance / "config.py").read_text() != (old.instance / "config.py").read_text()
    srv = new.start()
    try:
        import requests

        page = requests.get(srv.url + "/search?q=sauvegarde", timeout=30).text
        assert "Sauvegarde" in page and "WSIS/NEW-1/CONTR/1-F" in page
        doc = requests.get(srv.url + "/meetings/NEW-1", timeout=30).text
        href = doc.split('href="/documents/')[1].split('"')[0]
        body = requests.get(srv.url + "/documents/" + href, timeout=30).text
        file_href = body.split('href="/documents/')[1].split('"')[0]
        got = requests.get(srv.url + "/documents/" + file_href, timeout=30)
        assert got.status_code == 200 and got.content == b"Texte sauvegarde et restaure ailleurs.\n"
    finally:
        srv.stop()
    if os.environ.get("TEST_DATABASE_URL"):
        databases.drop(url)
        databases.drop(new_url)


def test_restore_with_config_brings_the_settings_back_and_refuses_to_overwrite_others(tmp_path, databases):
    import os

    from tests.live import LiveServer

    old, url = _live_with_a_publication(tmp_path, databases)
    new_url = databases.new(tmp_path / "n", empty=True) if url else None
    new = LiveServer(tmp_path / "new", database_url=new_url)
    (new.instance / "config.py").unlink()
    r = new.flask("restore", str(tmp_path / "bk"), "--yes", "--with-config")
    assert "the backup's settings were restored" in r.stderr
    assert (new.instance / "config.py").read_bytes() == (old.instance / "config.py").read_bytes()
    assert "search index rebuilt (1 documents)" in r.stdout

    # An instance with settings of its own: the backup's are not forced on it, and nothing is restored.
    other = LiveServer(tmp_path / "other", database_url=new_url, extra_config="PAGE_SIZE = 30\n")
    before = (other.instance / "config.py").read_bytes()
    r = other.flask("restore", str(tmp_path / "bk"), "--yes", "--with-config", check=False)
    assert r.returncode != 0 and "already holds other settings; move it aside" in r.stderr
    assert (other.instance / "config.py").read_bytes() == before
    restored = other.instance / "uploads"
    assert not restored.exists() or not any(p.is_file() for p in restored.rglob("*"))  # no file was restored
    if os.environ.get("TEST_DATABASE_URL"):
        databases.drop(url)
        databases.drop(new_url)
