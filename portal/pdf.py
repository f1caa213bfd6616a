"""Every PDF the portal renders (visa support letters first; reports and compendia later) is made here,
with one library: fpdf2, which installs with pip alone, embeds the vendored fonts of portal/fonts/ and
shapes text with HarfBuzz (uharfbuzz), so that names in Arabic (joined, right to left), Chinese and
Cyrillic print as written. Tests read the text back with pypdf."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from flask import current_app
from fpdf import FPDF
from fpdf.enums import XPos, YPos

FONTS = Path(__file__).resolve().parent / "fonts"
BODY = "noto"


class Document(FPDF):
    """An A4 page with the portal's fonts, text shaping, and the letterhead of the configuration."""

    def __init__(self, *, title: str, letterhead: tuple[str, ...] = ()):
        super().__init__(format="A4", unit="mm")
        self.letterhead = letterhead
        self.set_title(title)
        self.set_author(letterhead[0] if letterhead else "WSIS")
        self.set_creator("WSIS contribution portal")
        self.add_font(BODY, "", str(FONTS / "NotoSans-Regular.ttf"))
        self.add_font(BODY, "B", str(FONTS / "NotoSans-Bold.ttf"))
        self.add_font("naskh", "", str(FONTS / "NotoNaskhArabic-Regular.ttf"))
        self.add_font("cjk", "", str(FONTS / "DroidSansFallbackFull.ttf"))
        self.set_fallback_fonts(["naskh", "cjk"], exact_match=False)
        self.set_text_shaping(True)
        self.set_margins(25, 20, 25)
        self.set_auto_page_break(True, margin=20)
        self.add_page()

    def header(self):
        if not self.letterhead:
            return
        self.set_font(BODY, "B", 12)
        self.cell(0, 6, self.letterhead[0], new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(BODY, "", 9)
        for line in self.letterhead[1:]:
            self.cell(0, 4.5, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(8)

    def footer(self):
        self.set_y(-14)
        self.set_font(BODY, "", 8)
        self.cell(0, 5, f"{self.title} — {self.page_no()}", align="C")

    def paragraph(self, text: str, *, size: float = 11, bold: bool = False, gap: float = 3) -> None:
        self.set_font(BODY, "B" if bold else "", size)
        self.multi_cell(0, size * 0.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(gap)

    def facts(self, rows: list[tuple[str, str]]) -> None:
        """Label and value, one pair a line."""
        for name, value in rows:
            self.set_font(BODY, "", 10)
            self.cell(48, 6.5, name)
            self.set_font(BODY, "B", 11)
            self.multi_cell(0, 6.5, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(3)

    def bytes(self) -> bytes:
        return bytes(self.output())


def visa_letter(*, reference: str, issued: date, meeting_title: str, meeting_dates: str, place: str,
                full_name: str, function: str, organisation: str, nationality: str, passport: str,
                arrival: str | None, departure: str | None) -> bytes:
    """A visa support letter for a named participant (in English, the working language of the
    secretariat's letters to consulates)."""
    cfg = current_app.config
    doc = Document(title=f"Visa support letter {reference}", letterhead=tuple(cfg["VISA_LETTER_LETTERHEAD"]))
    doc.set_font(BODY, "", 10)
    doc.cell(0, 5, f"Reference: {reference}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    doc.cell(0, 5, f"Date: {issued.strftime('%d %B %Y').lstrip('0')}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    doc.ln(8)
    doc.paragraph("To the consular authorities concerned", bold=True, size=12)
    doc.paragraph("Visa support letter", bold=True, size=14, gap=5)
    doc.paragraph(f"The secretariat confirms that the person named below is registered as a member of the "
                  f"delegation of {organisation} to the {meeting_title}, to be held in {place} "
                  f"from {meeting_dates}, and asks that a visa be granted for the duration of the meeting.")
    rows = [("Full name", full_name), ("Function", function), ("Organisation", organisation),
            ("Nationality", nationality), ("Passport number", passport), ("Meeting", meeting_title),
            ("Dates", meeting_dates), ("Place", place)]
    if arrival or departure:
        rows.append(("Stay", " – ".join(x for x in (arrival, departure) if x)))
    doc.facts(rows)
    doc.paragraph("This letter does not commit the secretariat to any expense of the participant's travel or "
                  "stay. It is valid for the meeting named above only, and the secretariat may withdraw it.",
                  size=10)
    doc.ln(10)
    for line in cfg["VISA_LETTER_SIGNATORY"]:
        doc.paragraph(line, size=11, gap=0)
    return doc.bytes()


def compendium(*, meeting_title: str, meeting_dates: str, items: list[dict]) -> bytes:
    """The published policy statements of a meeting in one PDF, in programme order, with a table of
    contents: items are {"speaker", "title", "organisation", "country", "when", "symbol", "text"}."""
    cfg = current_app.config
    doc = Document(title=f"Policy statements — {meeting_title}", letterhead=tuple(cfg["VISA_LETTER_LETTERHEAD"]))
    doc.paragraph(meeting_title, bold=True, size=16, gap=1)
    doc.paragraph(f"Policy statements · {meeting_dates}", size=11, gap=6)
    doc.insert_toc_placeholder(_table_of_contents, pages=max(1, (len(items) + 24) // 25))
    for i, item in enumerate(items):
        if i:  # the placeholder above has already begun the first statement's page
            doc.add_page()
        heading = f"{item['speaker']}, {item['title']} — {item['organisation']}"
        doc.start_section(heading, level=0)
        doc.paragraph(item["speaker"], bold=True, size=14, gap=1)
        doc.paragraph(f"{item['title']} · {item['organisation']}" + (f" · {item['country']}" if item["country"] else ""),
                      size=11, gap=1)
        doc.paragraph(f"{item['when']} · {item['symbol']}", size=9, gap=5)
        doc.paragraph(item["text"] or "(The text of this statement could not be read.)", size=10.5)
    return doc.bytes()


def _table_of_contents(doc: FPDF, outline) -> None:
    doc.set_font(BODY, "B", 13)
    doc.cell(0, 8, "Contents", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    doc.ln(2)
    doc.set_font(BODY, "", 10)
    for section in outline:
        doc.cell(150, 6, _fit(doc, section.name, 148))
        doc.cell(0, 6, str(section.page_number), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _fit(doc: FPDF, text: str, width: float) -> str:
    """The text, shortened with an ellipsis until it fits the width (mm) in the current font: a long
    title must not run over the page number beside it."""
    if doc.get_string_width(text) <= width:
        return text
    while text and doc.get_string_width(text + "…") > width:
        text = text[:-1]
    return text.rstrip() + "…"


def stocktaking_report(*, title: str, summary: str, tables: list[tuple[str, list[str], list[list[str]]]],
                       sections: list[tuple[str, list[str]]]) -> bytes:
    """The yearly Stocktaking report: count tables (a heading, the column names, the rows), then the
    entries listed by action line (a heading, one line per entry).."""
    cfg = current_app.config
    doc = Document(title=title, letterhead=tuple(cfg["VISA_LETTER_LETTERHEAD"]))
    doc.paragraph(title, bold=True, size=16, gap=1)
    doc.paragraph(summary, size=10, gap=5)
    for heading, columns, rows in tables:
        doc.paragraph(heading, bold=True, size=12, gap=2)
        doc.set_font(BODY, "", 7.5)
        widths = [12] + [(doc.epw - 12) / (len(columns) - 1)] * (len(columns) - 1)
        with doc.table(col_widths=widths, text_align=["LEFT"] + ["RIGHT"] * (len(columns) - 1),
                       line_height=4.2, first_row_as_headings=True) as table:
            for row in [columns, *rows]:
                cells = table.row()
                for value in row:
                    cells.cell(str(value))
        doc.ln(5)
    for heading, lines in sections:
        if doc.get_y() > doc.h - 50:
            doc.add_page()
        doc.start_section(heading, level=0)
        doc.paragraph(heading, bold=True, size=11, gap=1.5)
        doc.set_font(BODY, "", 8.5)
        for line in lines:
            _line(doc, line)
        doc.ln(3)
    return doc.bytes()


# Scripts whose letters change shape or order with their neighbours (Hebrew, Arabic, Syriac, Thaana, the
# Indic scripts, Thai, Lao, Tibetan, Myanmar, Khmer, Arabic presentation forms): only these need HarfBuzz.
_COMPLEX = re.compile("[\u0590-\u08ff\u0900-\u0dff\u0e00-\u0fff\u1000-\u109f\u1780-\u17ff"
                      "\ufb1d-\ufdff\ufe70-\ufeff]")


def _line(doc: FPDF, text: str, height: float = 4.2) -> None:
    """One line of a long list, as fast as fpdf2 writes it: text shaping only for the scripts that need it
    (a list of ten thousand Latin lines takes a fifth of the time unshaped), and a wrapping cell only for a
    line longer than the page is wide."""
    shaped = bool(_COMPLEX.search(text))
    doc.set_text_shaping(shaped)
    if doc.get_string_width(text) < doc.epw:
        doc.cell(0, height, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    else:
        doc.multi_cell(0, height, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    doc.set_text_shaping(True)
