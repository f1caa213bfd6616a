"""Passport numbers at rest: encrypted with Fernet (AES-128-CBC and HMAC-SHA256, from the maintained
`cryptography` package) under PASSPORT_KEY, a key of its own kept in instance/config.py or the
environment, never with the data. Decrypted only for the secretariat's page and the visa letter."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app

from portal.errors import ConfigurationError


def _fernet() -> Fernet:
    key = current_app.config.get("PASSPORT_KEY")
    if not key:
        raise ConfigurationError("No PASSPORT_KEY is set: run `make run` once (it adds one to instance/config.py) "
                                 "or set FLASK_PASSPORT_KEY.")
    try:
        return Fernet(key)
    except (ValueError, TypeError):
        raise ConfigurationError("PASSPORT_KEY is not a valid key (32 url-safe base64-encoded bytes; "
                                 "make one with `python -m portal.instance_setup --new-passport-key`).") from None


def new_key() -> str:
    return Fernet.generate_key().decode()


def encrypt(number: str) -> bytes:
    return _fernet().encrypt(number.encode())


def decrypt(token: bytes | None) -> str | None:
    """The passport number, or None if there is none or it cannot be read (another key)."""
    if not token:
        return None
    try:
        return _fernet().decrypt(token).decode()
    except InvalidToken:
        return None


def masked(number: str | None) -> str:
    """For confirmations: the last three characters only."""
    if not number:
        return ""
    return "•" * max(0, len(number) - 3) + number[-3:]
