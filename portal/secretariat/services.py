"""The secretariat's lists (organisations to verify, membership requests, accounts, the audit log)
and its decisions on accounts. Filters come from allow-lists; anything else falls back to the
default."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, func, or_, select

from portal import antivirus
from portal.auth import services as accounts
from portal.extensions import db
from portal.models import (
    AuditEntry,
    DocumentFile,
    Membership,
    MembershipStatus,
    Organisation,
    Role,
    ScanStatus,
    User,
)
from portal.organisations.services import name_filter

ORGANISATION_FILTERS = ("unverified", "verified", "all")
ACCOUNT_FILTERS = ("all", "inactive", "secretariat")


@dataclass
class Dashboard:
    unverified: int
    pending: int
    antivirus: dict  # antivirus.status(): "off", "ok" or "unavailable"
    files_waiting_scan: int
    files_infected: int


def _files(status: ScanStatus) -> int:
    return db.session.scalar(select(func.count(DocumentFile.id)).where(DocumentFile.scan_status == status))


def dashboard() -> Dashboard:
    return Dashboard(
        unverified=db.session.scalar(select(func.count(Organisation.id)).where(Organisation.verified_at.is_(None))),
        pending=db.session.scalar(select(func.count(Membership.id))
                                  .where(Membership.status == MembershipStatus.PENDING)),
        antivirus=antivirus.status(), files_waiting_scan=_files(ScanStatus.PENDING),
        files_infected=_files(ScanStatus.INFECTED))


def organisations(show: str, q: str) -> Select:
    """Organisations, the newest first: unverified, verified or all, optionally by name."""
    stmt = select(Organisation)
    if show == "unverified":
        stmt = stmt.where(Organisation.verified_at.is_(None))
    elif show == "verified":
        stmt = stmt.where(Organisation.verified_at.is_not(None))
    return name_filter(stmt, q).order_by(Organisation.created_at.desc())


def pending_memberships() -> Select:
    return (select(Membership).where(Membership.status == MembershipStatus.PENDING)
            .order_by(Membership.requested_at))


def accounts_list(show: str, q: str) -> Select:
    """Accounts, the newest first: all, the deactivated ones or the secretariat's, optionally those
    whose name or email contains q."""
    stmt = select(User)
    if q:
        like = "%" + q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(or_(func.lower(User.email).like(like, escape="\\"),
                              func.lower(User.name).like(like, escape="\\")))
    if show == "inactive":
        stmt = stmt.where(User.active.is_(False))
    elif show == "secretariat":
        stmt = stmt.where(User.role.in_([Role.SECRETARIAT, Role.ADMIN]))
    return stmt.order_by(User.created_at.desc())


def audit_entries(action: str) -> Select:
    """The audit log, the latest first, optionally the actions that start with `action`."""
    stmt = select(AuditEntry)
    if action:
        stmt = stmt.where(AuditEntry.action.startswith(action, autoescape=True))
    return stmt.order_by(AuditEntry.id.desc())


def set_active(user: User, by: User, active: bool) -> None:
    """Reactivate an account, or deactivate it (which logs it out everywhere)."""
    if active:
        accounts.reactivate(user, by)
    else:
        accounts.deactivate(user, by)
