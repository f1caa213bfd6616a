"""Migrations: empty to head, one step down and up again, and models that match them."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from portal import create_app
from portal.extensions import db
from portal.models import Base


@pytest.fixture
def empty_app(databases, tmp_path):
    """An app on an empty database (no tables at all)."""
    uri = databases.new(tmp_path, empty=True)
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": uri},
                     instance_path=str(tmp_path / "instance"))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()
    databases.drop(uri)


def _tables() -> set[str]:
    return set(inspect(db.engine).get_table_names()) - {"alembic_version"}


def test_empty_to_head_down_one_and_up_again(empty_app):
    assert _tables() == set()
    upgrade()
    at_head = _tables()
    assert {"users", "organisations", "meetings", "contributions", "versions", "document_files",
            "index_jobs", "outbox"} <= at_head
    downgrade(revision="-1")
    assert _tables() != at_head
    upgrade()
    assert _tables() == at_head


def test_models_match_the_migrations(empty_app):
    upgrade()
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == [], diff
