"""Search commands: reindex, check-index. (Placeholder until the search work lands.)"""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    return None
