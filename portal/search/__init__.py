"""Full-text search of the portal (Whoosh). This package is the only code that imports whoosh."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the search pages and commands. (The index itself opens lazily.)"""
    from portal.search import cli
    from portal.search.views import bp

    app.register_blueprint(bp)
    cli.register(app)


def rebuild_index() -> int:
    """Rebuild the public index from the database. Returns the number of documents indexed."""
    from portal.search import indexer

    rebuild = getattr(indexer, "rebuild", None)
    return rebuild() if rebuild else 0


def index_status() -> dict:
    """The state of the index for /healthz."""
    from portal.search import indexer

    status = getattr(indexer, "status", None)
    return status() if status else {"status": "unknown"}
