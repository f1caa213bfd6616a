"""The audit log: logins, failed access, account and moderation decisions."""

from __future__ import annotations

import json
import logging

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import insert

from portal.extensions import db
from portal.models import AuditEntry

log = logging.getLogger("portal.audit")


def _ip() -> str | None:
    return request.remote_addr if has_request_context() else None


def _actor_id(actor) -> int | None:
    if actor is not None:
        return actor.id
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user.id
    return None


def record(action: str, *, actor=None, target=None, detail: dict | str | None = None) -> AuditEntry:
    """Add an entry to the current transaction: it is kept only if the change it describes is."""
    text = json.dumps(detail, ensure_ascii=False, default=str) if isinstance(detail, dict) else detail
    entry = AuditEntry(
        actor_id=_actor_id(actor),
        action=action,
        target_type=type(target).__name__.lower() if target is not None else None,
        target_id=getattr(target, "id", None),
        ip=_ip(),
        detail=text,
    )
    db.session.add(entry)
    log.info("audit %s actor=%s target=%s:%s", action, entry.actor_id, entry.target_type, entry.target_id)
    return entry


def record_now(action: str, *, actor_id: int | None = None, target_type: str | None = None,
               target_id: int | None = None, detail: str | None = None) -> None:
    """Write an entry in its own transaction, whatever happens to the request's: for
    failed logins and refused access, which the request itself does not commit."""
    if actor_id is None:
        actor_id = _actor_id(None)
    with db.engine.begin() as conn:
        conn.execute(
            insert(AuditEntry).values(
                actor_id=actor_id, action=action, target_type=target_type,
                target_id=target_id, ip=_ip(), detail=detail,
            )
        )
    log.info("audit %s actor=%s target=%s:%s", action, actor_id, target_type, target_id)


def denied(what: str) -> None:
    record_now("access.denied", detail=what[:500])
