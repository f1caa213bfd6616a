"""Documents for tests, built in memory: minimal hand-written PDF, DOCX and ODT structures that
carry French text with accents (nothing downloaded, nothing kept on disk)."""

from __future__ import annotations

import struct
import zipfile
import zlib
from pathlib import Path

LINE_1 = "Société de l'information : la fracture numérique à Genève,"
LINE_2 = "déclaration de principes (2003) – « accès équitable » – coût 5 €"
LINE_3 = "Deuxième page : l'œuvre du Sommet mondial"


def pdf_string(text: str) -> bytes:
    """A PDF literal string in WinAnsiEncoding (cp1252), non-ASCII bytes as octal escapes."""
    out = bytearray(b"(")
    for byte in text.encode("cp1252"):
        if byte in b"()\\":
            out += b"\\" + bytes([byte])
        elif 32 <= byte < 127:
            out.append(byte)
        else:
            out += b"\\%03o" % byte
    return bytes(out + b")")


def text_page(*lines: str) -> bytes:
    ops = [b"BT /F1 12 Tf 72 720 Td 16 TL", *(pdf_string(line) + b" Tj T*" for line in lines), b"ET"]
    return b"\n".join(ops)


def build_pdf(*contents: bytes) -> bytes:
    """A valid PDF, one page per content stream, with a Helvetica WinAnsiEncoding font so accents survive."""
    n = len(contents)
    kids = b" ".join(b"%d 0 R" % (4 + 2 * i) for i in range(n))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, n),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    for i, content in enumerate(contents):
        stream = zlib.compress(content)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (5 + 2 * i)
        )
        objects.append(
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(stream), stream)
        )
    out, offsets = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
CONTENT_TYPES = (
    XML_DECL + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
PACKAGE_RELS = (
    XML_DECL + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="word/document.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
    "</Relationships>"
)
DOCX_BODY = (
    # one paragraph in three runs; the tab stop in the paragraph properties is not text
    '<w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr>'
    "<w:r><w:t>Société de l'</w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>information</w:t></w:r>"
    '<w:r><w:t xml:space="preserve"> : la fracture numérique à Genève</w:t></w:r></w:p>'
    # a tab, a line break and a deleted (tracked) passage that must not appear
    "<w:p><w:r><w:t>Déclaration de principes</w:t><w:tab/><w:t>2003</w:t><w:br/><w:t>Plan d'action</w:t></w:r>"
    "<w:del><w:r><w:delText>texte supprimé</w:delText></w:r></w:del></w:p>"
    "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>Cellule : société civile</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"
)


def docx_document(body: str = DOCX_BODY, prolog: str = XML_DECL) -> str:
    return f'{prolog}<w:document xmlns:w="{W}"><w:body>{body}<w:sectPr/></w:body></w:document>'


def write_zip(path: Path, entries, compression=zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression) as zf:
        for name, data in entries:
            zf.writestr(name, data)
    return path


def make_docx(path: Path, document: str | None = None, extra=()) -> Path:
    entries = [
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", PACKAGE_RELS),
        ("word/document.xml", document if document is not None else docx_document()),
        *extra,
    ]
    return write_zip(path, entries)


ODT_MIME = "application/vnd.oasis.opendocument.text"
OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
MANIFEST = (
    XML_DECL + '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
    'manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="'
    + ODT_MIME
    + '"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)
ODT_TEXT = (
    "<text:tracked-changes><text:changed-region text:id='c1'><text:deletion>"
    "<text:p>texte supprimé</text:p></text:deletion></text:changed-region></text:tracked-changes>"
    "<text:h text:outline-level='1'>Société de l'information</text:h>"
    "<text:p>La fracture <text:span text:style-name='T1'>numérique</text:span> à Genève,"
    "<text:s text:c='3'/>déclaration<text:tab/>de principes<text:line-break/>Plan d'action</text:p>"
    "<text:list><text:list-item><text:p>Accès équitable</text:p></text:list-item></text:list>"
    "<text:p>Avis<office:annotation><text:p>commentaire caché</text:p></office:annotation> public</text:p>"
)


def odt_content(body: str = ODT_TEXT, prolog: str = XML_DECL) -> str:
    return (
        f'{prolog}<office:document-content xmlns:office="{OFFICE}" xmlns:text="{TEXT}" office:version="1.2">'
        f"<office:body><office:text>{body}</office:text></office:body></office:document-content>"
    )


def make_odt(
    path: Path, content: str | None = None, mimetype: str = ODT_MIME, manifest: str = MANIFEST
) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), mimetype, compress_type=zipfile.ZIP_STORED)
        zf.writestr("META-INF/manifest.xml", manifest)
        zf.writestr("content.xml", content if content is not None else odt_content())
    return path


def png_bytes() -> bytes:
    """A real 1x1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0\0\0\0"))
        + chunk(b"IEND", b"")
    )


def write(path: Path, data: bytes | str, encoding: str = "utf-8") -> Path:
    path.write_bytes(data.encode(encoding) if isinstance(data, str) else data)
    return path


