"""Signed, time-limited links for email confirmation and password reset."""

from __future__ import annotations

import hashlib

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

CONFIRM_SALT = "portal.confirm-email"
RESET_SALT = "portal.reset-password"
DEVICE_SALT = "portal.trusted-device"


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _fingerprint(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:20]


def make_confirm_token(user) -> str:
    return _serializer(CONFIRM_SALT).dumps({"u": user.id, "e": _fingerprint(user.email)})


def make_reset_token(user) -> str:
    # The token carries a fingerprint of the current password hash: once the password has
    # been changed (by this link or otherwise) the link no longer works.
    return _serializer(RESET_SALT).dumps({"u": user.id, "p": _fingerprint(user.password_hash)})


def _load(token: str, salt: str, max_age: int) -> dict | None:
    if not token or len(token) > 500:
        return None
    try:
        data = _serializer(salt).loads(token, max_age=max_age)
    except (SignatureExpired, BadSignature):
        return None
    return data if isinstance(data, dict) else None


def read_confirm_token(token: str) -> tuple[int, str] | None:
    data = _load(token, CONFIRM_SALT, current_app.config["CONFIRM_TOKEN_MAX_AGE"])
    if not data or not isinstance(data.get("u"), int):
        return None
    return data["u"], str(data.get("e"))


def read_reset_token(token: str) -> tuple[int, str] | None:
    data = _load(token, RESET_SALT, current_app.config["RESET_TOKEN_MAX_AGE"])
    if not data or not isinstance(data.get("u"), int):
        return None
    return data["u"], str(data.get("p"))


def email_matches(user, fingerprint: str) -> bool:
    return _fingerprint(user.email) == fingerprint


def password_matches(user, fingerprint: str) -> bool:
    return _fingerprint(user.password_hash) == fingerprint


def make_device_token(email_key: str) -> str:
    """The value of a device cookie: this browser logged in to the account with this email key."""
    return _serializer(DEVICE_SALT).dumps({"k": email_key})


def device_trusted(token: str | None, email_key: str) -> bool:
    data = _load(token or "", DEVICE_SALT, current_app.config["DEVICE_COOKIE_MAX_AGE"])
    return bool(data) and data.get("k") == email_key
