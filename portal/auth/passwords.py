"""Password hashing (argon2id) and the password policy."""

from __future__ import annotations

import unicodedata

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln
from zxcvbn import zxcvbn

ZXCVBN_MAX = 72  # zxcvbn refuses longer input; a longer password is judged on its start


def _hasher() -> PasswordHasher:
    ext = current_app.extensions
    if "portal.hasher" not in ext:
        cfg = current_app.config
        ext["portal.hasher"] = PasswordHasher(
            time_cost=cfg["ARGON2_TIME_COST"],
            memory_cost=cfg["ARGON2_MEMORY_COST"],
            parallelism=cfg["ARGON2_PARALLELISM"],
        )
    return ext["portal.hasher"]


def normalise(password: str) -> str:
    # NIST SP 800-63B: normalise Unicode so that the same characters typed on another
    # keyboard verify.
    return unicodedata.normalize("NFKC", password)


def hash_password(password: str) -> str:
    return _hasher().hash(normalise(password))


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        dummy_verify(password)
        return False
    try:
        return _hasher().verify(password_hash, normalise(password))
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    try:
        return _hasher().check_needs_rehash(password_hash)
    except InvalidHashError:  # pragma: no cover
        return True


def dummy_verify(password: str) -> None:
    """Spend the time of a real verification, so that an unknown address answers as slowly
    as a wrong password."""
    ext = current_app.extensions
    if "portal.dummy_hash" not in ext:
        ext["portal.dummy_hash"] = _hasher().hash("dummy password for timing")
    try:
        _hasher().verify(ext["portal.dummy_hash"], normalise(password))
    except VerificationError:
        pass


def password_problem(password: str, *, user_inputs: list[str] | None = None) -> str | None:
    """None if the password is acceptable, else the reason to show."""
    cfg = current_app.config
    if len(password) < cfg["PASSWORD_MIN_LENGTH"]:
        return _ln("Use at least %(num)d character.", "Use at least %(num)d characters.", cfg["PASSWORD_MIN_LENGTH"])
    if len(password) > cfg["PASSWORD_MAX_LENGTH"]:
        return _ln("Use at most %(num)d character.", "Use at most %(num)d characters.", cfg["PASSWORD_MAX_LENGTH"])
    inputs = [s for s in (user_inputs or []) if s]
    result = zxcvbn(normalise(password)[:ZXCVBN_MAX], user_inputs=inputs)
    if result["score"] < 2:
        return _l(
            "This password is too common or too easy to guess. "
            "Try a longer phrase of several unrelated words."
        )
    return None
