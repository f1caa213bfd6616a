"""Database wiring: the engine's per-connection settings and after-commit hooks.

Derived work (mail, later the search index) is queued during a request and run only once
the request's transaction has committed: a rolled-back change never reaches it."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable

from flask import Flask, g, has_app_context, request
from sqlalchemy import event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import Session

from portal import ROOT
from portal.errors import ConfigurationError
from portal.extensions import db, migrate

log = logging.getLogger("portal.db")


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):  # pragma: no cover - trivial
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    timeout = getattr(_sqlite_pragmas, "busy_timeout_ms", 15000)
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute(f"PRAGMA busy_timeout={int(timeout)}")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def register_database(app: Flask) -> None:
    _sqlite_pragmas.busy_timeout_ms = app.config["SQLITE_BUSY_TIMEOUT_MS"]
    try:
        db.init_app(app)
    except (ArgumentError, ImportError, ValueError) as exc:
        raise ConfigurationError(f"The database address {_safe_url(app)} is not valid ({exc}).") from None
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)

    # Import the models so that the metadata knows every table.
    import portal.models  # noqa: F401

    check_connection(app)


def _safe_url(app: Flask) -> str:
    try:
        return make_url(app.config["SQLALCHEMY_DATABASE_URI"]).render_as_string(hide_password=True)
    except ArgumentError:
        return "(unreadable)"


def check_connection(app: Flask) -> None:
    """Connect once at start: a wrong address or an unreachable server is one clear sentence
    now, not a traceback at the first request."""
    with app.app_context():
        try:
            with db.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except SQLAlchemyError as exc:
            reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0][:200]
            raise ConfigurationError(
                f"Cannot connect to the database {_safe_url(app)}: {reason}.") from None


# After-commit hooks --------------------------------------------------------------------
# A service calls `after_commit(fn)`; fn runs once the surrounding transaction commits,
# and is dropped if it rolls back.

def after_commit(fn: Callable[[], None]) -> None:
    if not has_app_context():  # pragma: no cover - services always run in a context
        raise RuntimeError("after_commit needs an application context")
    pending = g.setdefault("_pending_after_commit", [])
    if fn not in pending:  # a hook registered twice in one transaction runs once
        pending.append(fn)


def after_commit_in_own_transaction(fn: Callable[[], None]) -> None:
    """Once the current transaction commits (and, in a request, once the response is sent): run fn in
    a transaction of its own, commit it, and run what it queued in turn (its mail)."""
    def run() -> None:
        fn()
        db.session.commit()
        run_committed_hooks()

    after_commit(run)


def run_committed_hooks() -> None:
    """Run the hooks of transactions that have committed. Called by CLI commands after they
    commit (requests run theirs after the response, see `run_hooks_after_response`)."""
    hooks = g.pop("_committed_hooks", [])
    for fn in dict.fromkeys(hooks):  # a hook registered by several commits runs once
        fn()


def run_hooks_after_response(app: Flask, response):
    """Run the request's committed hooks once its response has been sent (when the server closes
    it), in a fresh application context: mail delivery and index updates neither delay the answer
    nor show in its timing (who has an account must not be guessable from how long a page takes)."""
    hooks = list(dict.fromkeys(g.pop("_committed_hooks", [])))
    if not hooks:
        return response
    base_url = request.host_url.rstrip("/") + request.script_root  # links in mail point where the request came

    def run() -> None:
        with app.test_request_context(base_url=base_url):
            try:
                for fn in hooks:
                    fn()
            except Exception:  # noqa: BLE001 - the response is sent; the work is replayable (outbox, jobs)
                log.exception("work after the response failed")
            finally:
                db.session.remove()

    response.call_on_close(run)
    return response


@event.listens_for(Session, "after_commit")
def _after_commit(session):
    if has_app_context():
        pending = g.pop("_pending_after_commit", [])
        if pending:
            g.setdefault("_committed_hooks", []).extend(pending)


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session, previous_transaction):
    if has_app_context() and not previous_transaction.nested:
        g.pop("_pending_after_commit", None)
