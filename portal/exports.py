"""What every table the portal exports shares: cells a spreadsheet opening the file will not run as
formulas (OWASP's advice on CSV injection), in CSV and in XLSX."""

from __future__ import annotations

from openpyxl.cell import WriteOnlyCell

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(row: list) -> list:
    """A cell that starts like a formula (=HYPERLINK(...)) gets a leading apostrophe."""
    return ["'" + v if isinstance(v, str) and v.startswith(FORMULA_START) else v for v in row]


def xlsx_text(ws, row: list) -> list[WriteOnlyCell]:
    """Every cell stored as text: openpyxl would otherwise store a string that starts with = as a formula."""
    cells = []
    for v in row:
        cell = WriteOnlyCell(ws, value=v)
        cell.data_type = "s"
        cells.append(cell)
    return cells
