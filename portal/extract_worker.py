"""The child side of portal.extract: parse one untrusted file under a time and memory limit.

portal.extract runs this file as ``python -I extract_worker.py``: one JSON job on stdin, one JSON answer on
stdout. It imports nothing from the portal (``-I`` keeps the project off ``sys.path`` and ignores PYTHON*
variables), so a hostile file meets only this code, pypdf, defusedxml and charset-normalizer, inside a
process that may be killed at any moment without harm.

Answers: ``{"status": "ok", ...}`` or ``{"status": "refused", "reason": ...}``. Exit code 3 means the
memory limit was reached.
"""

from __future__ import annotations

import codecs
import contextlib
import io
import json
import logging
import os
import re
import resource
import stat
import sys
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterator
from typing import Any

import charset_normalizer
import defusedxml
from defusedxml import ElementTree as SafeET
from pypdf import PdfReader

EXIT_MEMORY = 3

# Zip limits, checked on the central directory before any entry is unpacked.
MAX_ZIP_ENTRIES = 1000
MAX_ZIP_TOTAL = 200 * 1024 * 1024
MAX_ZIP_RATIO = 100
RATIO_APPLIES_ABOVE = 1024 * 1024
MAX_XML_PART = 50 * 1024 * 1024

DOCX_MAIN = "word/document.xml"
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"

# Wordprocessing namespaces: transitional (what Word writes) and strict.
W_NAMESPACES = (
    "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}",
    "{http://purl.oclc.org/ooxml/wordprocessingml/main}",
)
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
DOCX_SKIP = {"pPr", "rPr", "sectPr", "del", "delText", "instrText", "moveFrom"}
DOCX_EXTRA_PARTS = re.compile(r"word/(?:footnotes|endnotes|header\d*|footer\d*)\.xml")

TEXT_NS = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
OFFICE_NS = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
ODT_PARAGRAPHS = {TEXT_NS + "p", TEXT_NS + "h"}
ODT_SKIP = {TEXT_NS + "tracked-changes", OFFICE_NS + "annotation", OFFICE_NS + "annotation-end"}

# Text: a web page or another markup/document format is not plain text, whatever its name.
MARKUP_START = re.compile(
    r"\A\s*(?:<!--.*?-->\s*)*(?:<(?:\?xml|!doctype|html|head|body|svg)[\s>/]|\{\\rtf)", re.I | re.S
)
# Binary data: C0 controls other than tab, newline, vertical tab, form feed, carriage return; DEL; and, once
# decoded, C1 controls.
BINARY_BYTES = re.compile(rb"[\x00-\x08\x0e-\x1f\x7f]")
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
MAX_BINARY_RATIO = 0.01
SAMPLE = 1_000_000
MIN_COHERENCE = 0.3
MAX_CHAOS = 0.1

# Normalisation: everything in Unicode category Cc except tab and newline, and lone surrogates.
STRIP_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
BLANK_LINES = re.compile(r"\n(?:[ \t]*\n){2,}")
TRAILING_SPACE = re.compile(r"[ \t]+\n")
ODT_SPACE = re.compile(r"[ \t\r\n]+")


class Refused(Exception):
    """The file is refused or unreadable; reason is one of the portal's codes."""

    def __init__(self, reason: str, pages: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.pages = pages


# ---------------------------------------------------------------- process


def main() -> None:
    job = json.loads(sys.stdin.buffer.read(1_000_000))
    logging.basicConfig(level=logging.ERROR)
    warm_up()
    limit_resources(job["memory_mb"], job["cpu_seconds"])
    try:
        answer = json.dumps(run(job), ensure_ascii=False).encode("utf-8")
    except MemoryError:
        os._exit(EXIT_MEMORY)
    sys.stdout.buffer.write(answer)
    sys.stdout.flush()


def warm_up() -> None:
    """Run each parser once on a tiny sample before the limits apply: pypdf and ElementTree import modules
    on first use, and an import that fails for want of memory would pass for a damaged file."""
    stream = zlib.compress(b"BT /F1 12 Tf 72 720 Td (Soci\\351t\\351) Tj ET")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    pdf, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = b"xref\n0 6\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    pdf += xref + b"trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % len(pdf)
    PdfReader(io.BytesIO(pdf), strict=False).pages[0].extract_text()
    list(SafeET.iterparse(io.BytesIO(b"<a><b>t</b></a>"), events=("start", "end"), forbid_dtd=True))
    charset_normalizer.from_bytes(
        "Soci\u00e9t\u00e9 num\u00e9rique \u00e0 Gen\u00e8ve".encode("cp1252")
    ).best()
    normalise("e\u0301")


def limit_resources(memory_mb: int, cpu_seconds: int) -> None:
    """Address space, CPU time (a backstop to the parent's wall clock) and no core files."""
    set_limit(resource.RLIMIT_AS, memory_mb * 1024 * 1024, memory_mb * 1024 * 1024)
    set_limit(resource.RLIMIT_CPU, cpu_seconds, cpu_seconds + 1)
    set_limit(resource.RLIMIT_CORE, 0, 0)


def set_limit(which: int, soft: int, hard: int) -> None:
    current_hard = resource.getrlimit(which)[1]
    if current_hard != resource.RLIM_INFINITY:
        soft, hard = min(soft, current_hard), min(hard, current_hard)
    resource.setrlimit(which, (soft, hard))


def run(job: dict) -> dict:
    try:
        if job["op"] == "inspect":
            return {"status": "ok", **inspect(job["path"], job["candidate"])}
        return {"status": "ok", **extract(job["path"], job["kind"], job.get("encoding"), job["max_chars"])}
    except Refused as refused:
        return {"status": "refused", "reason": refused.reason, "pages": refused.pages}
    except OSError:
        return {"status": "refused", "reason": "unreadable"}


# ---------------------------------------------------------------- inspection


def inspect(path: str, candidate: str) -> dict:
    """What the file is, by structure; raises Refused."""
    if candidate == "pdf":
        return {"kind": "pdf", "pages": open_pdf(path)[1]}
    if candidate == "zip":
        with open_zip(path) as zf:
            kind = classify_zip(zf)
            check_xml_parts(zf)
        return {"kind": kind}
    with open(path, "rb") as f:
        _, encoding = decode_text(f.read())
    return {"kind": "txt", "encoding": encoding}


def open_pdf(path: str) -> tuple[PdfReader, int]:
    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted:
            raise Refused("encrypted")
        pages = len(reader.pages)
    except (Refused, MemoryError, OSError):
        raise
    except Exception as exc:  # noqa: BLE001 -- pypdf raises many types on malformed input
        raise Refused("damaged") from exc
    if pages == 0:
        raise Refused("damaged")
    return reader, pages


@contextlib.contextmanager
def open_zip(path: str) -> Iterator[zipfile.ZipFile]:
    """Open a zip and check its central directory before anything is unpacked."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, ValueError, EOFError, NotImplementedError) as exc:
        raise Refused("damaged") from exc
    with zf:
        check_zip(zf)
        yield zf


def check_zip(zf: zipfile.ZipFile) -> None:
    infos = zf.infolist()
    if len(infos) > MAX_ZIP_ENTRIES:
        raise Refused("unsafe")
    names = [info.filename for info in infos]
    if len(set(names)) != len(names):
        raise Refused("unsafe")
    total = 0
    for info in infos:
        check_zip_entry(info)
        total += info.file_size
    if total > MAX_ZIP_TOTAL:
        raise Refused("unsafe")


def check_zip_entry(info: zipfile.ZipInfo) -> None:
    name = info.filename
    if name.startswith("/") or "\\" in name or ".." in name.split("/") or re.match(r"[A-Za-z]:", name):
        raise Refused("unsafe")
    if stat.S_ISLNK(info.external_attr >> 16):
        raise Refused("unsafe")
    if info.file_size > RATIO_APPLIES_ABOVE and info.file_size > MAX_ZIP_RATIO * max(info.compress_size, 1):
        raise Refused("unsafe")
    if info.flag_bits & 0x1:
        raise Refused("encrypted")


def classify_zip(zf: zipfile.ZipFile) -> str:
    names = set(zf.namelist())
    if "[Content_Types].xml" in names and DOCX_MAIN in names:
        if any(name.lower().endswith("vbaproject.bin") for name in names):
            raise Refused("type")  # a macro-enabled document (.docm), not a DOCX
        return "docx"
    first = zf.infolist()[0] if names else None
    if first and first.filename == "mimetype" and "content.xml" in names:
        if first.file_size == len(ODT_MIMETYPE) and read_entry(zf, first) == ODT_MIMETYPE:
            if odt_is_encrypted(zf):
                raise Refused("encrypted")
            return "odt"
    raise Refused("type")


def odt_is_encrypted(zf: zipfile.ZipFile) -> bool:
    try:
        info = zf.getinfo("META-INF/manifest.xml")
    except KeyError:
        return False
    return b"encryption-data" in read_entry(zf, info)


def read_entry(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    if info.file_size > MAX_XML_PART:
        raise Refused("unsafe")
    try:
        with zf.open(info) as f:
            return f.read(MAX_XML_PART)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
        raise Refused("damaged") from exc


def check_xml_parts(zf: zipfile.ZipFile) -> None:
    """Every XML part must parse with defusedxml, with no DOCTYPE at all."""
    for info in zf.infolist():
        if info.filename.endswith((".xml", ".rels")):
            for event, element in xml_events(zf, info):
                if event == "end":
                    element.clear()


def decode_text(data: bytes) -> tuple[str, str]:
    """Text and its encoding: UTF-8 with or without BOM, UTF-16 with BOM, or a confidently detected legacy
    encoding. Raises Refused("type") for binary data or markup, Refused("encoding") when unsure."""
    encoding = bom_encoding(data)
    if encoding is None:
        if b"\x00" in data or too_many(BINARY_BYTES, data[:SAMPLE]):
            raise Refused("type")
        encoding = "utf-8" if is_utf8(data) else detect_legacy_encoding(data)
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise Refused("encoding") from exc
    if "\x00" in text or too_many(CONTROL_CHARS, text[:SAMPLE]) or MARKUP_START.match(text[:4096]):
        raise Refused("type")
    return text, encoding


def bom_encoding(data: bytes) -> str | None:
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return None


def too_many(pattern: re.Pattern, sample: str | bytes) -> bool:
    return sum(1 for _ in pattern.finditer(sample)) > MAX_BINARY_RATIO * len(sample)


def is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def detect_legacy_encoding(data: bytes) -> str:
    best = charset_normalizer.from_bytes(data).best()
    if best is None or best.chaos > MAX_CHAOS or best.coherence < MIN_COHERENCE:
        raise Refused("encoding")
    return best.encoding


# ---------------------------------------------------------------- extraction


class TextSink:
    """Collects text up to a number of characters."""

    def __init__(self, max_chars: int):
        self.parts: list[str] = []
        self.size = 0
        self.max_chars = max_chars

    @property
    def full(self) -> bool:
        return self.size > self.max_chars

    def add(self, text: str) -> None:
        if not self.full:
            self.parts.append(text)
            self.size += len(text)

    def result(self) -> tuple[str, bool]:
        """The normalised text, cut at max_chars, and whether the source had more."""
        raw = "".join(self.parts)[: 2 * self.max_chars]  # cut first, to bound the memory normalising takes
        return normalise(raw)[: self.max_chars], self.full


def extract(path: str, kind: str, encoding: str | None, max_chars: int) -> dict:
    sink = TextSink(max_chars)
    pages = None
    if kind == "pdf":
        pages = pdf_text(path, sink)
    elif kind in ("docx", "odt"):
        zip_text(path, kind, sink)
    else:
        plain_text(path, encoding, sink)
    text, truncated = sink.result()
    if not text:
        raise Refused("no_text", pages)
    return {"text": text, "pages": pages, "truncated": truncated}


def pdf_text(path: str, sink: TextSink) -> int:
    """Page by page; a page that fails is skipped. Returns the page count."""
    reader, pages = open_pdf(path)
    failed = 0
    for page in reader.pages:
        try:
            sink.add((page.extract_text() or "") + "\n\n")
        except MemoryError:
            raise
        except Exception:  # noqa: BLE001 -- one bad page must not lose the others
            failed += 1
        if sink.full:
            break
    if failed == pages:
        raise Refused("damaged", pages)
    return pages


def zip_text(path: str, kind: str, sink: TextSink) -> None:
    with open_zip(path) as zf:
        if classify_zip(zf) != kind:
            raise Refused("type")
        if kind == "docx":
            extra = sorted(name for name in zf.namelist() if DOCX_EXTRA_PARTS.fullmatch(name))
            parts, tags, skip, render = [DOCX_MAIN, *extra], docx_paragraph_tags(), set(), docx_render
        else:
            parts, tags, skip, render = ["content.xml"], ODT_PARAGRAPHS, ODT_SKIP, odt_render
        for name in parts:
            for paragraph in xml_paragraphs(zf, zf.getinfo(name), tags, skip, render):
                sink.add(paragraph + "\n")
                if sink.full:
                    return


def xml_events(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[tuple[str, Any]]:
    """Stream one XML part with defusedxml: a DOCTYPE (so any entity) is refused as unsafe."""
    if info.file_size > MAX_XML_PART:
        raise Refused("unsafe")
    try:
        with zf.open(info) as source:
            yield from SafeET.iterparse(source, events=("start", "end"), forbid_dtd=True)
    except defusedxml.DefusedXmlException as exc:
        raise Refused("unsafe") from exc
    except (SafeET.ParseError, zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
        raise Refused("damaged") from exc


def xml_paragraphs(
    zf: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    paragraph_tags: set[str],
    skip_tags: set[str],
    render: Callable[[Any], str],
) -> Iterator[str]:
    """Each outermost paragraph of an XML part, rendered, outside the skipped containers. Elements are
    cleared once done with, so memory stays bounded by the largest paragraph."""
    depth = skipping = 0
    for event, element in xml_events(zf, info):
        if element.tag in skip_tags:
            skipping += 1 if event == "start" else -1
        elif element.tag in paragraph_tags:
            depth += 1 if event == "start" else -1
            if event == "end" and depth == 0:
                if not skipping:
                    try:
                        yield render(element)
                    except RecursionError as exc:
                        raise Refused("damaged") from exc
                element.clear()
        elif event == "end" and depth == 0:
            element.clear()


def docx_paragraph_tags() -> set[str]:
    return {ns + "p" for ns in W_NAMESPACES}


def w_name(tag: str) -> str | None:
    for ns in W_NAMESPACES:
        if tag.startswith(ns):
            return tag[len(ns) :]
    return None


def docx_render(paragraph) -> str:
    parts: list[str] = []
    docx_walk(paragraph, parts)
    return "".join(parts)


def docx_walk(element, parts: list[str]) -> None:
    for child in element:
        name = w_name(child.tag)
        if name == "t":
            parts.append(child.text or "")
        elif name == "tab":
            parts.append("\t")
        elif name in ("br", "cr"):
            parts.append("\n")
        elif name == "noBreakHyphen":
            parts.append("-")
        elif name == "p":  # a paragraph inside a text box
            docx_walk(child, parts)
            parts.append("\n")
        elif name not in DOCX_SKIP and child.tag != MC_FALLBACK:
            docx_walk(child, parts)


def odt_render(paragraph) -> str:
    parts: list[str] = []
    odt_walk(paragraph, parts)
    return "".join(parts).strip(" ")


def odt_walk(element, parts: list[str]) -> None:
    if element.text:
        parts.append(ODT_SPACE.sub(" ", element.text))
    for child in element:
        tag = child.tag
        if tag == TEXT_NS + "s":
            parts.append(" " * odt_space_count(child.get(TEXT_NS + "c")))
        elif tag == TEXT_NS + "tab":
            parts.append("\t")
        elif tag == TEXT_NS + "line-break":
            parts.append("\n")
        elif tag in ODT_PARAGRAPHS:  # a paragraph inside a note or frame
            parts.append("\n")
            odt_walk(child, parts)
            parts.append("\n")
        elif tag not in ODT_SKIP:
            odt_walk(child, parts)
        if child.tail:
            parts.append(ODT_SPACE.sub(" ", child.tail))


def odt_space_count(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), 100))
    except ValueError:
        return 1


def plain_text(path: str, encoding: str | None, sink: TextSink) -> None:
    with open(path, "rb") as f:
        data = f.read()
    if encoding:
        try:
            sink.add(data.decode(encoding, errors="replace"))
        except LookupError as exc:
            raise Refused("encoding") from exc
    else:
        sink.add(decode_text(data)[0])


def normalise(text: str) -> str:
    """NFC; line breaks as \\n; no control characters but \\n and \\t; at most one blank line in a row."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").translate({ord("\r"): "\n", ord("\f"): "\n", ord("\v"): "\n"})
    text = STRIP_CHARS.sub("", text)
    text = TRAILING_SPACE.sub("\n", text)
    text = BLANK_LINES.sub("\n\n", text)
    return text.strip()


if __name__ == "__main__":
    main()
