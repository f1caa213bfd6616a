"""Record ids as they arrive from outside (form values, query strings, URLs)."""

from __future__ import annotations

import re

MAX_ID = 2**63 - 1


def as_id(value) -> int | None:
    """A record's id from a form or query value: ASCII digits within a database integer, else None
    ("²" is a digit to str.isdigit, and 10**30 is not an integer any database stores)."""
    text = str(value) if value is not None else ""
    if not re.fullmatch(r"[0-9]{1,19}", text):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None
