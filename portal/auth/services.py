"""Account services. They change the session's objects and flush; the caller commits."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, or_, select, update

from portal import audit
from portal.auth import passwords, throttle, tokens
from portal.db import after_commit_in_own_transaction
from portal.errors import UserError
from portal.extensions import db
from portal.models import (
    LoginAttempt,
    Membership,
    MembershipStatus,
    Organisation,
    Role,
    StakeholderType,
    User,
    UserSession,
)
from portal.notify import send_to_user
from portal.organisations.services import create_organisation, find_organisation, notify_join_request


def normalise_email(email: str) -> str:
    email = email.strip()
    local, _, domain = email.rpartition("@")
    return f"{local}@{domain.lower()}" if local else email


def email_key(email: str) -> str:
    return hashlib.sha256(normalise_email(email).casefold().encode()).hexdigest()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(
        select(User).where(func.lower(User.email) == normalise_email(email).lower())
    )


# Accounts ---------------------------------------------------------------------------

def create_user(
    *, email: str, name: str, password: str | None = None, password_hash: str | None = None,
    role: Role = Role.STAKEHOLDER, confirmed: bool = False
) -> User:
    """An account; give the password, or its hash if it has been computed already."""
    user = User(
        email=normalise_email(email),
        name=" ".join(name.split()),
        password_hash=password_hash or passwords.hash_password(password),
        role=role,
        confirmed_at=datetime.now(timezone.utc) if confirmed else None,
    )
    db.session.add(user)
    db.session.flush()
    return user


def create_member_account(*, email: str, name: str, password: str, role: Role,
                          organisation_name: str | None, country: str | None,
                          stakeholder_type: StakeholderType) -> User:
    """An operator's account creation: a confirmed account, in the named organisation if one is given
    (created and verified if missing; its first member becomes its focal point)."""
    user = create_user(email=email, name=name, password=password, role=role, confirmed=True)
    if organisation_name:
        org = find_organisation(organisation_name)
        if org is None:
            org = create_organisation(name=organisation_name, country=country, stakeholder_type=stakeholder_type)
            org.verified_at = datetime.now(timezone.utc)
        db.session.add(Membership(user=user, organisation=org, status=MembershipStatus.ACTIVE,
                                  focal_point=not org.memberships, decided_at=datetime.now(timezone.utc)))
        db.session.flush()
    return user


@dataclass
class Registration:
    user: User | None
    organisation: Organisation | None
    joined_existing: bool


def register(
    *,
    name: str,
    email: str,
    password: str,
    organisation_name: str,
    country: str | None,
    stakeholder_type: StakeholderType | None,
    locale: str | None = None,
) -> Registration:
    """Create an unconfirmed account and either a request to join an existing organisation
    or a new, unverified organisation with this person as its focal point.

    If the address already has an account, nothing is created and its owner is told by
    email: the page answers the same either way, and takes the same time (the password is hashed
    in both cases; mail goes out after the response), so it reveals nothing."""
    password_hash = passwords.hash_password(password)
    existing = find_user_by_email(email)
    if existing is not None:
        send_to_user(existing, "mail/already_registered.txt",
                     login_url=url_for("auth.login", _external=True),
                     reset_url=url_for("auth.forgot_password", _external=True))
        audit.record("account.register_existing", actor=existing, target=existing)
        return Registration(None, None, False)

    user = create_user(email=email, name=name, password_hash=password_hash)
    user.locale = locale
    org = find_organisation(organisation_name)
    if org is not None:
        membership = Membership(user=user, organisation=org, status=MembershipStatus.PENDING)
        joined = True
    else:
        if stakeholder_type is None:
            raise UserError(_l("A new organisation needs its stakeholder type."), "stakeholder_type")
        org = create_organisation(name=organisation_name, country=country,
                                  stakeholder_type=stakeholder_type)
        membership = Membership(user=user, organisation=org, status=MembershipStatus.ACTIVE,
                                focal_point=True, decided_at=datetime.now(timezone.utc))
        joined = False
    db.session.add(membership)
    db.session.flush()
    audit.record("account.register", actor=user, target=user,
                 detail={"organisation": org.id, "joined_existing": joined})
    send_confirmation(user)
    if joined:
        notify_join_request(membership)
    return Registration(user, org, joined)


def send_confirmation(user: User) -> None:
    token = tokens.make_confirm_token(user)
    send_to_user(user, "mail/confirm_email.txt",
                 confirm_url=url_for("auth.confirm_email", token=token, _external=True),
                 hours=current_app.config["CONFIRM_TOKEN_MAX_AGE"] // 3600)


def resend_confirmation(email: str, ip: str) -> None:
    """Send a new link if the address has an account still waiting for confirmation.
    Throttled like reset requests; says nothing either way. The request does the same work for any
    address: whether it has an account is looked up after the response (`_send_confirmation_to`)."""
    if reset_throttled(email, ip):
        return
    _attempt("reset", email, ip, False)
    after_commit_in_own_transaction(lambda: _send_confirmation_to(email))


def _send_confirmation_to(email: str) -> None:
    user = find_user_by_email(email)
    if user is not None and user.active and not user.is_confirmed:
        send_confirmation(user)


def confirm_email(token: str) -> User | None:
    data = tokens.read_confirm_token(token)
    if data is None:
        return None
    user = db.session.get(User, data[0])
    if user is None or not tokens.email_matches(user, data[1]):
        return None
    if user.confirmed_at is None:
        user.confirmed_at = datetime.now(timezone.utc)
        audit.record("account.confirm", actor=user, target=user)
    return user


# Login and throttling -------------------------------------------------------------------

def _window_start() -> datetime:
    return datetime.now(timezone.utc) - timedelta(seconds=current_app.config["LOGIN_WINDOW_SECONDS"])


def _failures(kind: str, *, key: str | None = None, ip: str | None = None) -> int:
    q = select(func.count(LoginAttempt.id)).where(
        LoginAttempt.kind == kind, LoginAttempt.at >= _window_start()
    )
    if kind == "login":
        q = q.where(LoginAttempt.success.is_(False))
    if key is not None:
        q = q.where(LoginAttempt.email_key == key)
    if ip is not None:
        q = q.where(LoginAttempt.ip == ip)
    return db.session.scalar(q) or 0


def known_address(key: str, ip: str) -> bool:
    """Whether this address logged in to the account (by its email key) successfully before."""
    since = datetime.now(timezone.utc) - timedelta(days=current_app.config["LOGIN_KNOWN_ADDRESS_DAYS"])
    return db.session.scalar(select(LoginAttempt.id).where(
        LoginAttempt.kind == "login", LoginAttempt.success.is_(True), LoginAttempt.email_key == key,
        LoginAttempt.ip == ip, LoginAttempt.at >= since).limit(1)) is not None


def _budgets(key: str, ip: str, trusted_device: bool) -> list[throttle.Budget]:
    cfg = current_app.config
    budgets = [throttle.Budget(f"pair:{key}:{ip}", cfg["LOGIN_MAX_FAILURES_PER_ADDRESS_AND_ACCOUNT"]),
               throttle.Budget(f"address:{ip}", cfg["LOGIN_MAX_FAILURES_PER_IP"])]
    if not (trusted_device or known_address(key, ip)):
        budgets.append(throttle.Budget(f"account:{key}", cfg["LOGIN_MAX_FAILURES_PER_ACCOUNT"]))
    return budgets


def reset_throttled(email: str, ip: str) -> bool:
    cfg = current_app.config
    return (
        _failures("reset", key=email_key(email)) >= cfg["RESET_MAX_REQUESTS_PER_ACCOUNT"]
        or _failures("reset", ip=ip) >= cfg["RESET_MAX_REQUESTS_PER_IP"]
    )


def _attempt(kind: str, email: str, ip: str, success: bool) -> None:
    db.session.add(LoginAttempt(kind=kind, email_key=email_key(email), ip=ip, success=success))


class LoginResult:
    OK = "ok"
    INVALID = "invalid"
    THROTTLED = "throttled"
    UNCONFIRMED = "unconfirmed"
    INACTIVE = "inactive"


def authenticate(email: str, password: str, ip: str, *, trusted_device: bool = False) -> tuple[str, User | None]:
    """Check a login. Unknown addresses and wrong passwords take the same time and give the same
    answer. Every check first takes one unit of each throttle budget it is subject to (`throttle`),
    so that parallel requests never check more passwords than the budgets allow; a login that
    succeeds gives it back. trusted_device: the browser showed this account's device cookie."""
    key = email_key(email)
    budgets = throttle.reserve(_budgets(key, ip, trusted_device),
                               timedelta(seconds=current_app.config["LOGIN_WINDOW_SECONDS"]))
    if budgets is None:
        passwords.dummy_verify(password)
        audit.record("login.throttled", detail={"ip": ip})
        return LoginResult.THROTTLED, None
    user = find_user_by_email(email)
    ok = passwords.verify_password(user.password_hash if user else None, password)
    if not ok or user is None:
        _attempt("login", email, ip, False)
        audit.record("login.failure", actor=user, target=user)
        return LoginResult.INVALID, None
    if not user.active:
        _attempt("login", email, ip, False)
        audit.record("login.inactive", actor=user, target=user)
        return LoginResult.INACTIVE, user
    throttle.give_back(budgets, clear=(f"pair:{key}:{ip}",))
    if not user.is_confirmed:
        audit.record("login.unconfirmed", actor=user, target=user)
        return LoginResult.UNCONFIRMED, user
    _attempt("login", email, ip, True)
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    audit.record("login.success", actor=user, target=user)
    return LoginResult.OK, user


def prune(older_than: timedelta = timedelta(days=30)) -> tuple[int, int]:
    """Delete login attempts, and sessions that expired or ended, older than that. Returns how many
    of each."""
    cutoff = datetime.now(timezone.utc) - older_than
    throttle.prune(cutoff)
    attempts = db.session.execute(delete(LoginAttempt).where(LoginAttempt.at < cutoff)).rowcount
    sessions = db.session.execute(delete(UserSession).where(
        or_(UserSession.expires_at < cutoff, UserSession.revoked_at < cutoff))).rowcount
    return attempts, sessions


# Sessions ---------------------------------------------------------------------------------

def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user: User, *, remember: bool, user_agent: str | None = None) -> str:
    cfg = current_app.config
    lifetime = cfg["REMEMBER_COOKIE_DURATION"] if remember else cfg["PERMANENT_SESSION_LIFETIME"]
    token = secrets.token_urlsafe(32)
    db.session.add(UserSession(
        user=user, token_hash=_token_hash(token), remember=remember,
        expires_at=datetime.now(timezone.utc) + lifetime,
        user_agent=(user_agent or "")[:300] or None,
    ))
    user.session_token = token
    return token


def load_session_user(token: str) -> User | None:
    if not token or len(token) > 100:
        return None
    row = db.session.scalar(select(UserSession).where(UserSession.token_hash == _token_hash(token)))
    now = datetime.now(timezone.utc)
    if row is None or row.revoked_at is not None or row.expires_at < now:
        return None
    user = row.user
    if not user.active:
        return None
    user.session_token = token
    return user


def end_session(token: str | None) -> None:
    if not token:
        return
    db.session.execute(
        update(UserSession)
        .where(UserSession.token_hash == _token_hash(token), UserSession.revoked_at.is_(None))
        .values(revoked_at=datetime.now(timezone.utc))
    )


def revoke_sessions(user: User) -> None:
    db.session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .values(revoked_at=datetime.now(timezone.utc))
    )


# Profile and passwords --------------------------------------------------------------------------

def update_profile(user: User, *, name: str, locale: str | None) -> None:
    user.name = " ".join(name.split())
    user.locale = locale or None


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Set a new password and end every session of the account (the caller starts a new
    one for the person who changed it). The current password must be given."""
    if not passwords.verify_password(user.password_hash, current_password):
        raise UserError(_l("This is not your current password."), "current")
    user.password_hash = passwords.hash_password(new_password)
    user.password_changed_at = datetime.now(timezone.utc)
    revoke_sessions(user)
    audit.record("account.password_changed", actor=user, target=user)
    send_to_user(user, "mail/password_changed.txt",
                 reset_url=url_for("auth.forgot_password", _external=True))


def request_password_reset(email: str, ip: str) -> None:
    """Send a reset link if the address has an active account. Says nothing either way, and does the
    same work for any address: the account is looked up after the response (`_send_reset_link`)."""
    if reset_throttled(email, ip):
        audit.record("reset.throttled", detail={"ip": ip})
        return
    _attempt("reset", email, ip, False)
    after_commit_in_own_transaction(lambda: _send_reset_link(email))


def _send_reset_link(email: str) -> None:
    user = find_user_by_email(email)
    if user is None or not user.active:
        return
    token = tokens.make_reset_token(user)
    send_to_user(user, "mail/reset_password.txt",
                 reset_url=url_for("auth.reset_password", token=token, _external=True),
                 minutes=current_app.config["RESET_TOKEN_MAX_AGE"] // 60)
    audit.record("reset.requested", actor=user, target=user)


def user_for_reset_token(token: str) -> User | None:
    data = tokens.read_reset_token(token)
    if data is None:
        return None
    user = db.session.get(User, data[0])
    if user is None or not user.active or not tokens.password_matches(user, data[1]):
        return None
    return user


def reset_password(user: User, new_password: str) -> None:
    user.password_hash = passwords.hash_password(new_password)
    user.password_changed_at = datetime.now(timezone.utc)
    # Following the link proves the address, so an unconfirmed account is now confirmed.
    if user.confirmed_at is None:
        user.confirmed_at = datetime.now(timezone.utc)
    revoke_sessions(user)
    audit.record("reset.completed", actor=user, target=user)


# Activation ---------------------------------------------------------------------------------

def deactivate(user: User, by: User) -> None:
    if user.id == by.id:
        raise UserError(_l("You cannot deactivate your own account."))
    user.active = False
    user.deactivated_at = datetime.now(timezone.utc)
    revoke_sessions(user)
    audit.record("account.deactivate", actor=by, target=user)


def reactivate(user: User, by: User) -> None:
    user.active = True
    user.deactivated_at = None
    audit.record("account.reactivate", actor=by, target=user)
