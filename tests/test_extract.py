"""portal.extract: what a file is, decided by its bytes, and its text, extracted in a bounded child process.

Fixture documents are built here, in tmp_path, from minimal hand-written PDF, DOCX and ODT structures that
carry French text with accents; nothing is downloaded or kept on disk.
"""

from __future__ import annotations

import stat
import time
import zipfile
from pathlib import Path

import pytest
from flask import Flask
from flask_babel import Babel
from pypdf import PdfReader, PdfWriter

from portal.extract import Extraction, FileKind, FileRejected, Inspection, extract_text, inspect_file
from tests.documents import (
    CONTENT_TYPES,
    DOCX_BODY,
    LINE_1,
    LINE_2,
    LINE_3,
    MANIFEST,
    ODT_MIME,
    XML_DECL,
    W,
    build_pdf,
    docx_document,
    make_docx,
    make_odt,
    odt_content,
    png_bytes,
    text_page,
    write,
    write_zip,
)

MB = 1024 * 1024
LIMIT = 20 * MB

def rejected(path: Path, max_bytes: int = LIMIT) -> FileRejected:
    with pytest.raises(FileRejected) as info:
        inspect_file(path, max_bytes=max_bytes)
    return info.value


@pytest.fixture
def french_pdf(tmp_path) -> Path:
    return write(tmp_path / "declaration.pdf", build_pdf(text_page(LINE_1, LINE_2), text_page(LINE_3)))


# ---------------------------------------------------------------- the three document formats


def test_pdf_is_recognised_and_its_french_text_extracted_exactly(french_pdf):
    inspection = inspect_file(french_pdf, max_bytes=LIMIT)
    assert inspection == Inspection(FileKind.PDF, "application/pdf", ".pdf", None, 2)

    result = extract_text(french_pdf, inspection.kind)
    assert result.ok and result.error is None and result.pages == 2
    assert result.text.splitlines() == [LINE_1, LINE_2, "", LINE_3]


def test_docx_text_keeps_runs_tabs_breaks_tables_footnotes_and_headers(tmp_path):
    footnotes = (
        docx_document()
        .replace("w:document", "w:footnotes")
        .replace(
            f"<w:body>{DOCX_BODY}<w:sectPr/></w:body>",
            "<w:footnote w:id='1'><w:p><w:r><w:t>Note : la déclaration de Genève</w:t></w:r></w:p></w:footnote>",
        )
    )
    header = (
        f"{XML_DECL}<w:hdr xmlns:w='{W}'><w:p><w:r><w:t>En-tête : Sommet mondial</w:t></w:r></w:p></w:hdr>"
    )
    path = make_docx(
        tmp_path / "contribution.docx",
        extra=[("word/footnotes.xml", footnotes), ("word/header1.xml", header)],
    )

    inspection = inspect_file(path, max_bytes=LIMIT)
    assert inspection.kind is FileKind.DOCX and inspection.extension == ".docx"
    assert inspection.mimetype == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

    result = extract_text(path, FileKind.DOCX)
    assert result.ok and result.pages is None
    assert result.text.splitlines() == [
        "Société de l'information : la fracture numérique à Genève",
        "Déclaration de principes\t2003",
        "Plan d'action",
        "Cellule : société civile",
        "Note : la déclaration de Genève",
        "En-tête : Sommet mondial",
    ]
    assert "supprimé" not in result.text


def test_odt_text_keeps_headings_spans_spaces_tabs_and_line_breaks(tmp_path):
    path = make_odt(tmp_path / "contribution.odt")

    inspection = inspect_file(path, max_bytes=LIMIT)
    assert inspection == Inspection(FileKind.ODT, "application/vnd.oasis.opendocument.text", ".odt")

    result = extract_text(path, FileKind.ODT)
    assert result.ok
    assert result.text.splitlines() == [
        "Société de l'information",
        "La fracture numérique à Genève,   déclaration\tde principes",
        "Plan d'action",
        "Accès équitable",
        "Avis public",
    ]


def test_type_comes_from_the_bytes_not_the_name(tmp_path, french_pdf):
    pdf_named_docx = write(tmp_path / "rapport.docx", french_pdf.read_bytes())
    docx_named_txt = make_docx(tmp_path / "notes.txt")
    text_named_pdf = write(tmp_path / "notes.pdf", "Simple note : réunion à Genève.\n")

    assert inspect_file(pdf_named_docx, max_bytes=LIMIT).kind is FileKind.PDF
    assert inspect_file(docx_named_txt, max_bytes=LIMIT).kind is FileKind.DOCX
    assert inspect_file(text_named_pdf, max_bytes=LIMIT).kind is FileKind.TEXT


def test_pdf_header_must_be_within_the_first_kilobyte(tmp_path, french_pdf):
    near = write(tmp_path / "near.pdf", b"\n" * 500 + french_pdf.read_bytes())
    far = write(tmp_path / "far.pdf", b"\x00" * 2000 + french_pdf.read_bytes())
    assert inspect_file(near, max_bytes=LIMIT).kind is FileKind.PDF
    assert rejected(far).reason == "type"


# ---------------------------------------------------------------- plain text


def test_utf8_text_with_and_without_bom(tmp_path):
    plain = write(tmp_path / "a.txt", "Société numérique à Genève\n")
    bom = write(tmp_path / "b.txt", "\ufeffSociété numérique à Genève\n")

    assert inspect_file(plain, max_bytes=LIMIT).encoding == "utf-8"
    inspection = inspect_file(bom, max_bytes=LIMIT)
    assert (inspection.kind, inspection.mimetype, inspection.encoding) == (
        FileKind.TEXT,
        "text/plain",
        "utf-8-sig",
    )
    for path in (plain, bom):
        assert extract_text(path, FileKind.TEXT).text == "Société numérique à Genève"


def test_cp1252_french_text_is_detected_and_decoded(tmp_path):
    text = (
        "Société de l'information : la fracture numérique à Genève, déclaration de principes.\n"
        "Les délégués ont adopté « la déclaration » ; coût estimé : 5 € par participant.\n"
    )
    path = write(tmp_path / "ancien.txt", text, "cp1252")

    inspection = inspect_file(path, max_bytes=LIMIT)
    assert inspection.kind is FileKind.TEXT and inspection.encoding == "cp1252"
    assert extract_text(path, FileKind.TEXT, encoding=inspection.encoding).text == text.strip()
    assert extract_text(path, FileKind.TEXT).text == text.strip()  # detected again when not given


def test_utf16_text_with_bom_from_notepad_is_accepted(tmp_path):
    path = write(tmp_path / "notepad.txt", "Société numérique à Genève\r\n", "utf-16")
    inspection = inspect_file(path, max_bytes=LIMIT)
    assert inspection.encoding == "utf-16"
    assert (
        extract_text(path, FileKind.TEXT, encoding=inspection.encoding).text == "Société numérique à Genève"
    )


def test_text_in_an_unrecognisable_encoding_asks_for_utf8(tmp_path):
    path = write(tmp_path / "russe.txt", "Информационное общество: цифровой разрыв.", "koi8-r")
    error = rejected(path)
    assert error.reason == "encoding"
    assert "UTF-8" in str(error.message)


def test_text_containing_script_is_still_plain_text(tmp_path):
    body = "Compte rendu\n<script>alert('été')</script>\n"
    path = write(tmp_path / "note.txt", body)
    assert inspect_file(path, max_bytes=LIMIT).kind is FileKind.TEXT
    assert extract_text(path, FileKind.TEXT).text == body.strip()


def test_text_is_normalised_nfc_without_control_characters_or_runs_of_blank_lines(tmp_path):
    path = write(
        tmp_path / "n.txt", "Socie\u0301te\u0301\x07 nume\u0301rique\r\n\r\n\r\n\r\n\x00suite\x1b\tfin  \n"
    )
    result = extract_text(path, FileKind.TEXT, encoding="utf-8")
    assert result.text == "Société numérique\n\nsuite\tfin"


def test_extraction_stops_at_max_chars(french_pdf):
    result = extract_text(french_pdf, FileKind.PDF, max_chars=10)
    assert result.ok and result.truncated
    assert result.text == "Société de"


# ---------------------------------------------------------------- files that are not documents


@pytest.mark.parametrize(
    "name, content",
    [
        ("page.pdf", "<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"),
        ("page2.pdf", "\n  <!-- saved page -->\n<HTML><head><title>x</title></head></HTML>"),
        ("image.pdf", '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>'),
        ("image2.pdf", '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>'),
        ("data.pdf", '<?xml version="1.0" encoding="UTF-8"?>\n<note><to>Genève</to></note>'),
        ("letter.docx", "{\\rtf1\\ansi Soci\\'e9t\\'e9}"),
    ],
)
def test_web_pages_svg_xml_and_rtf_are_refused_whatever_their_name(tmp_path, name, content):
    error = rejected(write(tmp_path / name, content))
    assert error.reason == "type"
    assert str(error.message) == "This file is not a PDF, DOCX, ODT or plain-text document."


@pytest.mark.parametrize(
    "name, content",
    [
        ("photo.docx", png_bytes()),
        ("photo.pdf", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"),
        (
            "anim.odt",
            b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00;",
        ),
        ("setup.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64),
        ("tool.txt", b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56),
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504),
        ("random.txt", bytes(range(256)) * 8),
    ],
)
def test_binary_files_are_refused_whatever_their_name(tmp_path, name, content):
    assert rejected(write(tmp_path / name, content)).reason == "type"


@pytest.mark.parametrize(
    "entries",
    [
        [("[Content_Types].xml", CONTENT_TYPES), ("xl/workbook.xml", "<workbook/>")],  # a spreadsheet
        [("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n"), ("Main.class", b"\xca\xfe\xba\xbe")],  # a jar
        [("lisez-moi.txt", "Société")],  # a plain zip
        [("mimetype", "application/vnd.oasis.opendocument.presentation"), ("content.xml", "<a/>")],  # odp
        [("content.xml", "<a/>"), ("mimetype", ODT_MIME)],  # odt mimetype not first
    ],
)
def test_other_zip_files_are_refused(tmp_path, entries):
    assert rejected(write_zip(tmp_path / "archive.docx", entries)).reason == "type"


def test_macro_enabled_word_document_is_refused(tmp_path):
    path = make_docx(tmp_path / "macro.docx", extra=[("word/vbaProject.bin", b"\xd0\xcf\x11\xe0")])
    assert rejected(path).reason == "type"


# ---------------------------------------------------------------- size, emptiness, damage, encryption


def test_zero_byte_file_is_refused_as_empty(tmp_path):
    error = rejected(write(tmp_path / "vide.pdf", b""))
    assert (error.reason, str(error)) == ("empty", "This file is empty.")


def test_file_over_the_limit_is_refused_with_the_limit_in_the_message(tmp_path, french_pdf):
    error = rejected(french_pdf, max_bytes=1024)
    assert error.reason == "size"
    assert str(error.message) == "This file is larger than the limit of 1 KB."
    assert "20 MB" in str(FileRejected("size", max_bytes=LIMIT))


def test_damaged_pdf_and_damaged_zip(tmp_path, french_pdf):
    truncated_pdf = write(tmp_path / "cut.pdf", b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog" + b"\x8f" * 300)
    truncated_docx = write(tmp_path / "cut.docx", make_docx(tmp_path / "whole.docx").read_bytes()[:300])
    for path in (truncated_pdf, truncated_docx):
        error = rejected(path)
        assert error.reason == "damaged"
        assert "damaged" in str(error.message)


def test_encrypted_pdf_is_refused(tmp_path, french_pdf):
    writer = PdfWriter(clone_from=PdfReader(french_pdf))
    writer.encrypt(user_password="secret", algorithm="RC4-128")
    path = tmp_path / "protege.pdf"
    with path.open("wb") as f:
        writer.write(f)

    error = rejected(path)
    assert error.reason == "encrypted"
    assert "password" in str(error.message)
    assert extract_text(path, FileKind.PDF).reason == "encrypted"


def test_encrypted_zip_entry_and_password_protected_odt_are_refused(tmp_path):
    data = bytearray(make_docx(tmp_path / "plain.docx").read_bytes())
    for signature, flag_offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (start := data.find(signature, start)) != -1:
            data[start + flag_offset] |= 0x01
            start += 4
    encrypted_docx = write(tmp_path / "chiffre.docx", bytes(data))
    manifest = MANIFEST.replace(
        'media-type="text/xml"/>', 'media-type="text/xml"><manifest:encryption-data/></manifest:file-entry>'
    )
    encrypted_odt = make_odt(tmp_path / "chiffre.odt", content="\x8f\x01binary", manifest=manifest)

    assert rejected(encrypted_docx).reason == "encrypted"
    assert rejected(encrypted_odt).reason == "encrypted"


# ---------------------------------------------------------------- hostile archives and XML


def test_zip_bomb_with_a_huge_ratio_is_refused_before_unpacking(tmp_path):
    body = docx_document("<w:p><w:r><w:t>" + " " * (30 * MB) + "</w:t></w:r></w:p>")
    path = make_docx(tmp_path / "bomb.docx", document=body)
    assert path.stat().st_size < 200_000

    started = time.monotonic()
    error = rejected(path)
    assert error.reason == "unsafe"
    assert "unsafe" in str(error.message)
    assert time.monotonic() - started < 5
    assert extract_text(path, FileKind.DOCX).reason == "unsafe"


def test_zip_with_thousands_of_entries_is_refused(tmp_path):
    extra = [(f"word/media/image{i}.png", b"x") for i in range(3000)]
    assert rejected(make_docx(tmp_path / "many.docx", extra=extra)).reason == "unsafe"


def test_zip_declaring_more_than_200_mb_in_total_is_refused(tmp_path):
    megabyte = bytes(MB)  # each entry stays under the ratio rule, which starts above 1 MB
    extra = [(f"word/media/{i}.bin", megabyte) for i in range(210)]
    assert rejected(make_docx(tmp_path / "big.docx", extra=extra)).reason == "unsafe"


@pytest.mark.parametrize(
    "entry_name",
    ["../../evil.sh", "/etc/cron.d/evil", "word\\..\\..\\evil.xml", "word/../../evil.xml", "C:/evil.xml"],
)
def test_zip_slip_entries_are_refused(tmp_path, entry_name):
    path = make_docx(tmp_path / "slip.docx", extra=[(entry_name, "<x/>")])
    assert rejected(path).reason == "unsafe"
    assert extract_text(path, FileKind.DOCX).reason == "unsafe"


def test_symlink_entry_is_refused(tmp_path):
    link = zipfile.ZipInfo("word/media/passwd")
    link.create_system = 3
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    path = make_docx(tmp_path / "link.docx", extra=[(link, "/etc/passwd")])
    assert rejected(path).reason == "unsafe"


BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE w:document [\n<!ENTITY lol "lol">\n'
    + "\n".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">'
        for i in range(1, 10)
    )
    + "\n]>\n"
)
XXE = '<?xml version="1.0"?>\n<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'


@pytest.mark.parametrize(
    "prolog, body",
    [(BILLION_LAUGHS, "&lol9;"), (XXE, "&xxe;"), ('<?xml version="1.0"?>\n<!DOCTYPE w:document>\n', "texte")],
)
def test_docx_with_entity_expansion_or_external_entity_is_refused(tmp_path, prolog, body):
    document = docx_document(f"<w:p><w:r><w:t>{body}</w:t></w:r></w:p>", prolog=prolog)
    path = make_docx(tmp_path / "entities.docx", document=document)

    assert rejected(path).reason == "unsafe"
    result = extract_text(path, FileKind.DOCX)
    assert (result.ok, result.reason, result.text) == (False, "unsafe", "")


def test_odt_with_external_entity_is_refused(tmp_path):
    content = odt_content(
        "<text:p>&xxe;</text:p>", prolog=XXE.replace("w:document", "office:document-content")
    )
    path = make_odt(tmp_path / "xxe.odt", content=content)
    assert rejected(path).reason == "unsafe"
    assert "root:" not in extract_text(path, FileKind.ODT).text


def test_doctype_in_a_part_that_is_not_the_main_text_is_refused_too(tmp_path):
    path = make_docx(tmp_path / "styles.docx", extra=[("word/styles.xml", XXE + "<w:styles/>")])
    assert rejected(path).reason == "unsafe"


# ---------------------------------------------------------------- PDFs that fail at extraction


def test_scanned_pdf_without_text_is_accepted_but_flagged(tmp_path):
    path = write(tmp_path / "scan.pdf", build_pdf(b"0.5 g 72 72 400 600 re f"))
    assert inspect_file(path, max_bytes=LIMIT).kind is FileKind.PDF

    result = extract_text(path, FileKind.PDF)
    assert result == Extraction(
        ok=False,
        text="",
        error="No text could be extracted (the PDF may be a scanned image).",
        pages=1,
        reason="no_text",
    )


def test_extraction_past_its_time_limit_is_stopped_and_the_caller_carries_on(tmp_path, french_pdf):
    # A 4 KB PDF whose page takes pypdf many seconds to read.
    slow = write(
        tmp_path / "slow.pdf", build_pdf(b"BT /F1 12 Tf 72 720 Td\n" + b"(abc) Tj 1 0 Td\n" * 300_000)
    )
    assert inspect_file(slow, max_bytes=LIMIT).kind is FileKind.PDF

    started = time.monotonic()
    result = extract_text(slow, FileKind.PDF, timeout=1)
    assert time.monotonic() - started < 3
    assert (result.ok, result.reason) == (False, "timeout")
    assert result.error == "The text could not be extracted within the time limit."

    assert extract_text(french_pdf, FileKind.PDF, timeout=0.001).reason == "timeout"
    assert extract_text(french_pdf, FileKind.PDF).ok


def test_extraction_past_its_memory_limit_is_stopped_and_the_caller_carries_on(tmp_path, french_pdf):
    # A 40 KB PDF whose only string is 40 million characters long once decompressed.
    bomb = write(
        tmp_path / "bomb.pdf", build_pdf(b"BT /F1 12 Tf 72 720 Td (" + b"a" * 40_000_000 + b") Tj ET")
    )
    assert bomb.stat().st_size < 100_000

    result = extract_text(bomb, FileKind.PDF, memory_mb=100)
    assert (result.ok, result.reason) == (False, "memory")
    assert result.error == "The text could not be extracted within the memory limit."
    assert extract_text(french_pdf, FileKind.PDF).ok


def test_inspection_out_of_time_keeps_a_pdf_for_flagging_but_refuses_an_archive(tmp_path, french_pdf):
    # A PDF that makes the parser loop is kept (its extraction will fail and flag it for the secretariat);
    # an archive whose safety could not be established in time is refused.
    assert inspect_file(french_pdf, max_bytes=LIMIT, timeout=0.001).kind is FileKind.PDF
    docx = make_docx(tmp_path / "a.docx")
    with pytest.raises(FileRejected) as info:
        inspect_file(docx, max_bytes=LIMIT, timeout=0.001)
    assert info.value.reason == "unsafe"


def test_extraction_of_a_file_of_another_kind_fails_cleanly(tmp_path, french_pdf):
    result = extract_text(french_pdf, FileKind.DOCX)
    assert (result.ok, result.reason) == (False, "damaged")
    missing = extract_text(tmp_path / "missing.pdf", FileKind.PDF)
    assert (missing.ok, missing.reason) == (False, "unreadable")


# ---------------------------------------------------------------- messages


def test_rejection_messages_are_translatable_sentences_usable_anywhere(tmp_path):
    error = FileRejected("unsafe")
    assert type(error.message).__name__ == "LazyString"
    assert str(error.message).endswith(".")  # outside any app or request

    app = Flask(__name__)
    Babel(app)
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert (
            str(FileRejected("type").message) == "This file is not a PDF, DOCX, ODT or plain-text document."
        )
    with pytest.raises(ValueError):
        FileRejected("bogus")
