"""portal.storage: generated names, atomic writes, hashes, the orphan sweep and safe downloads."""

from __future__ import annotations

import errno
import hashlib
import io
import os
import re
import time
from pathlib import Path
from urllib.parse import unquote

import pytest
from flask import Flask
from flask_babel import Babel
from werkzeug.exceptions import NotFound
from werkzeug.http import parse_options_header

from portal import storage
from portal.extract import FileRejected
from portal.storage import (
    StorageError,
    StoredFile,
    delete,
    download_response,
    file_hash,
    list_keys,
    path_for,
    safe_display_name,
    save_bytes,
    save_upload,
    sweep_orphans,
    upload_root,
    verify,
)

KEY = re.compile(r"[0-9a-f]{2}/[0-9a-f]{32}")
PDF_BYTES = b"%PDF-1.4\n% Soci\xe9t\xe9 de l'information\n" * 100


@pytest.fixture
def app(tmp_path):
    app = Flask(__name__, instance_path=str(tmp_path / "instance"))
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    Babel(app)  # the size rejection's message is translatable
    with app.app_context():
        yield app


@pytest.fixture
def root(app, tmp_path) -> Path:
    return tmp_path / "uploads"


def all_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


class EndlessStream:
    """A client that keeps sending (a chunked upload with no declared length)."""

    def __init__(self):
        self.sent = 0

    def read(self, size=-1):
        size = 8192 if size is None or size < 0 else size
        self.sent += size
        return b"x" * size


# ---------------------------------------------------------------- saving


def test_upload_is_stored_under_a_generated_name_with_its_hash(app, root, tmp_path):
    upload = io.BytesIO(PDF_BYTES)
    upload.filename = "../../x.pdf"  # what a hostile client could send; storage never looks at it

    stored = save_upload(upload, max_bytes=len(PDF_BYTES))

    assert KEY.fullmatch(stored.key) and stored.key[:2] == stored.key[3:5]
    assert stored == StoredFile(stored.key, hashlib.sha256(PDF_BYTES).hexdigest(), len(PDF_BYTES))
    assert all_files(tmp_path) == [root / stored.key]  # nothing outside the store, no temp left
    assert (root / stored.key).read_bytes() == PDF_BYTES
    assert path_for(stored.key) == root / stored.key
    assert list(list_keys()) == [stored.key]


def test_every_upload_gets_its_own_name(app):
    keys = {save_bytes(b"same bytes").key for _ in range(20)}
    assert len(keys) == 20


def test_upload_root_defaults_to_the_instance_folder_and_is_created(tmp_path):
    app = Flask(__name__, instance_path=str(tmp_path / "inst"))
    with app.app_context():
        assert upload_root() == tmp_path / "inst" / "uploads"
        assert (tmp_path / "inst" / "uploads").is_dir()


def test_an_upload_over_the_limit_is_refused_and_leaves_nothing(app, root):
    stream = EndlessStream()
    with pytest.raises(FileRejected) as info:
        save_upload(stream, max_bytes=100_000)
    assert info.value.reason == "size"
    assert "larger than the limit" in str(info.value.message)
    assert stream.sent <= 100_000 + storage.CHUNK  # stopped reading right after the limit
    assert all_files(root) == []


def test_an_upload_of_exactly_the_limit_is_accepted(app):
    assert save_upload(io.BytesIO(b"a" * 1000), max_bytes=1000).size == 1000


def test_disk_full_gives_a_clear_error_and_leaves_no_temp_file(app, root, monkeypatch):
    real_write = os.write
    calls = []

    def write_until_full(fd, data):
        calls.append(len(data))
        if len(calls) > 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", write_until_full)
    with pytest.raises(StorageError) as info:
        save_upload(io.BytesIO(b"z" * (3 * storage.CHUNK)), max_bytes=10 * storage.CHUNK)
    monkeypatch.undo()

    assert len(calls) == 2  # the first chunk was on disk when the disk filled up
    assert "could not store the file" in str(info.value) and "try again later" in str(info.value)
    assert all_files(root) == []


def test_a_file_is_invisible_until_completely_written(app, root):
    seen_during_write = []

    class ObservingStream(io.BytesIO):
        def read(self, size=-1):
            seen_during_write.append(
                (sorted(p.name for p in root.rglob("*") if p.is_file()), list(list_keys()))
            )
            return super().read(size)

    stored = save_upload(ObservingStream(b"y" * (3 * storage.CHUNK)), max_bytes=10**6)

    names, keys = seen_during_write[-1]
    assert len(names) == 1 and names[0].startswith(".tmp-")  # only the temp file existed
    assert keys == []  # and no key pointed at a half-written file
    assert [p.name for p in all_files(root)] == [stored.key[3:]]


# ---------------------------------------------------------------- keys, hashes, deletion


@pytest.mark.parametrize(
    "key",
    [
        "../../etc/passwd",
        "ab/../../../etc/passwd",
        "/etc/passwd",
        "AB/ABCDEF0123456789ABCDEF0123456789",
        "ab/cd" + "0" * 30,  # folder does not match the name
        "ab\\ab" + "0" * 30,
        "ab/ab" + "0" * 30 + "\n",
        "ab/ab" + "0" * 29,
        "",
    ],
)
def test_path_for_refuses_anything_but_a_generated_key(app, key):
    with pytest.raises(ValueError):
        path_for(key)
    with pytest.raises(ValueError):
        delete(key)


def test_verify_detects_a_changed_or_missing_file(app, root):
    stored = save_bytes(PDF_BYTES)
    assert verify(stored.key, stored.sha256) and verify(stored.key, stored.sha256.upper())
    assert file_hash(stored.key) == stored.sha256

    (root / stored.key).write_bytes(PDF_BYTES[:-1] + b"!")
    assert not verify(stored.key, stored.sha256)

    delete(stored.key)
    delete(stored.key)  # deleting twice is fine
    assert not verify(stored.key, stored.sha256)
    assert list(list_keys()) == []


def test_sweep_removes_old_orphans_and_temp_files_only(app, root):
    old = time.time() - 7200
    kept_with_row = save_bytes(b"row")
    old_orphan = save_bytes(b"orphan")
    new_orphan = save_bytes(b"just uploaded, row not yet committed")
    old_temp = root / ".tmp-killed-upload"
    new_temp = root / ".tmp-upload-in-progress"
    old_temp.write_bytes(b"half")
    new_temp.write_bytes(b"half")
    for path in (root / kept_with_row.key, root / old_orphan.key, old_temp):
        os.utime(path, (old, old))
    (root / "README").write_text("not ours")

    removed = sweep_orphans({kept_with_row.key}, older_than_seconds=3600)

    assert sorted(removed) == sorted([old_orphan.key, old_temp.name])
    assert sorted(list_keys()) == sorted([kept_with_row.key, new_orphan.key])
    assert new_temp.exists() and (root / "README").exists()


# ---------------------------------------------------------------- display names


@pytest.mark.parametrize(
    "name, expected",
    [
        ("../../x.pdf", "x.pdf"),
        ("..\\x.pdf", "x.pdf"),
        ("C:\\Users\\Marie\\Documents\\déclaration.pdf", "déclaration.pdf"),
        ("/etc/passwd", "passwd"),
        ("файл.pdf", "файл.pdf"),
        ("😆.pdf", "😆.pdf"),
        ("", "document"),
        (None, "document"),
        ("   ", "document"),
        ("../", "document"),
        ("...", "document"),
        (".htaccess", "htaccess"),
        ("rap\x00port\r\n\t\x1b\x7f\x85.pdf", "rapport.pdf"),
        ("facture\u202efdp.exe", "facturefdp.exe"),  # the right-to-left override that shows "exe.pdf"
        ("a\u2066b\u2069c\u200e\u200fd.odt", "abcd.odt"),
        ('le "rapport" d\'été.pdf', 'le "rapport" d\'été.pdf'),
        ("a\r\nSet-Cookie: x=1.pdf", "aSet-Cookie: x=1.pdf"),
        ("Socie\u0301te\u0301 nume\u0301rique.docx", "Société numérique.docx"),
    ],
)
def test_safe_display_name(name, expected):
    assert safe_display_name(name) == expected


def test_long_names_are_cut_to_200_characters_keeping_the_extension():
    cut = safe_display_name("é" * 996 + ".pdf")
    assert len(cut) == 200 and cut.endswith("é.pdf")
    assert len(safe_display_name("x" * 1000)) == 200
    assert safe_display_name("", fallback="contribution") == "contribution"


# ---------------------------------------------------------------- downloads

HOSTILE_NAMES = [
    "../../x.pdf",
    "..\\x.pdf",
    "/etc/passwd",
    "файл.pdf",
    "😆.pdf",
    "",
    "n" * 1000 + ".pdf",
    "a\x00b\x07c.pdf",
    "facture\u202efdp.exe",
    'le "rapport".pdf',
    "a\r\nSet-Cookie: x=1\r\n\r\n<script>.pdf",
    'back\\slash"quote;semi,comma.pdf',
]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_download_header_is_an_attachment_with_the_name_correctly_encoded(app, name):
    stored = save_bytes(PDF_BYTES)
    with app.test_request_context():
        response = download_response(stored.key, download_name=name, mimetype="application/pdf")
        header = response.headers["Content-Disposition"]
        body = b"".join(response.response)
        response.close()

    assert "\r" not in header and "\n" not in header
    disposition, options = parse_options_header(header)
    assert disposition == "attachment"
    assert options["filename"] == safe_display_name(name)
    if not safe_display_name(name).isascii():
        encoded = re.search(r"filename\*=UTF-8''([^;]+)", header).group(1)
        assert unquote(encoded) == safe_display_name(name)
    assert body == PDF_BYTES


def test_download_headers_stop_the_browser_from_rendering_or_sniffing(app):
    stored = save_bytes(b"<script>alert(1)</script>")
    with app.test_request_context():
        response = download_response(stored.key, download_name="page.html", mimetype="text/plain")
        response.close()

    assert response.mimetype == "text/plain"  # as given, never guessed from the name
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert (
        response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox; frame-ancestors 'none'"
    )
    assert response.headers["X-Portal-Download"] == "1"
    assert response.headers["Cross-Origin-Resource-Policy"] == "same-origin"
    assert "no-store" in response.headers["Cache-Control"] and "private" in response.headers["Cache-Control"]


@pytest.mark.parametrize("active", ["text/html", "image/svg+xml", "application/xhtml+xml; charset=utf-8"])
def test_download_never_serves_an_active_content_type(app, active):
    stored = save_bytes(b"<svg onload='alert(1)'/>")
    with app.test_request_context():
        response = download_response(stored.key, download_name="x.svg", mimetype=active)
        response.close()
    assert response.mimetype == "application/octet-stream"


def test_download_supports_revalidation_and_ranges(app):
    stored = save_bytes(PDF_BYTES)
    with app.test_request_context():
        first = download_response(stored.key, download_name="a.pdf", mimetype="application/pdf")
        first.close()
    etag = first.headers["ETag"]
    with app.test_request_context(headers={"If-None-Match": etag}):
        assert (
            download_response(stored.key, download_name="a.pdf", mimetype="application/pdf").status_code
            == 304
        )
    with app.test_request_context(headers={"Range": "bytes=0-3"}):
        partial = download_response(stored.key, download_name="a.pdf", mimetype="application/pdf")
        assert partial.status_code == 206
        assert b"".join(partial.response) == b"%PDF"
        partial.close()


def test_download_of_a_missing_file_is_a_404_not_a_500(app):
    stored = save_bytes(PDF_BYTES)
    delete(stored.key)
    with app.test_request_context(), pytest.raises(NotFound):
        download_response(stored.key, download_name="a.pdf", mimetype="application/pdf")
