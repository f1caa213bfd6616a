"""Outgoing mail.

`queue_mail` writes the message into the outbox table in the caller's transaction; once
that transaction commits, the message is sent. With no MAIL_SERVER configured (the
embedded default) a message is written as an .eml file under instance/mail/ and its path
logged, so every flow works offline. A failed send stays in the outbox with its error and
is retried by `flask --app app send-mail`."""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
import uuid
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import or_, select, update

from portal.db import after_commit, run_hooks_after_response
from portal.extensions import db
from portal.models import OutgoingMail

log = logging.getLogger("portal.mail")

CLAIM_TIMEOUT = timedelta(minutes=5)
MAX_ATTEMPTS = 10


def register(app: Flask) -> None:
    @app.after_request
    def _after_response(response):
        return run_hooks_after_response(app, response)


def queue_mail(recipient: str, subject: str, body: str, *, reply_to: str | None = None) -> OutgoingMail:
    msg = OutgoingMail(recipient=recipient, subject=subject, body=body, reply_to=reply_to)
    db.session.add(msg)
    db.session.flush()
    mail_id = msg.id
    after_commit(lambda: deliver(mail_id))
    return msg


def deliver(mail_id: int) -> bool:
    """Send one queued message if nobody else is sending it. Never raises: a failure is
    recorded on the row for the retry command and the secretariat."""
    now = datetime.now(timezone.utc)
    claimed = db.session.execute(
        update(OutgoingMail)
        .where(
            OutgoingMail.id == mail_id,
            OutgoingMail.sent_at.is_(None),
            or_(OutgoingMail.claimed_at.is_(None), OutgoingMail.claimed_at < now - CLAIM_TIMEOUT),
        )
        .values(claimed_at=now, attempts=OutgoingMail.attempts + 1)
    ).rowcount
    db.session.commit()
    if not claimed:
        return False
    msg = db.session.get(OutgoingMail, mail_id)
    try:
        where = _send(msg)
    except Exception as exc:  # noqa: BLE001 - any transport failure is recorded, not raised
        log.warning("mail %s not sent: %s", msg.id, exc.__class__.__name__)
        msg.last_error = f"{exc.__class__.__name__}: {exc}"[:2000]
        msg.claimed_at = None
        db.session.commit()
        return False
    msg.sent_at = datetime.now(timezone.utc)
    msg.delivered_to = where
    msg.last_error = None
    db.session.commit()
    log.info("mail %s sent: %s", msg.id, where)
    return True


def retry_unsent(limit: int = 200) -> tuple[int, int]:
    """Send what is still in the outbox. Returns (sent, failed)."""
    ids = db.session.scalars(
        select(OutgoingMail.id)
        .where(OutgoingMail.sent_at.is_(None), OutgoingMail.attempts < MAX_ATTEMPTS)
        .order_by(OutgoingMail.id)
        .limit(limit)
    ).all()
    sent = sum(1 for i in ids if deliver(i))
    return sent, len(ids) - sent


def _build(msg: OutgoingMail) -> EmailMessage:
    em = EmailMessage()
    em["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    em["To"] = msg.recipient
    em["Subject"] = msg.subject
    em["Date"] = formatdate(localtime=False)
    em["Message-ID"] = make_msgid(domain="wsis-portal")
    em["Auto-Submitted"] = "auto-generated"
    if msg.reply_to:
        em["Reply-To"] = msg.reply_to
    em.set_content(msg.body)
    return em


def _send(msg: OutgoingMail) -> str:
    em = _build(msg)
    cfg = current_app.config
    if not cfg.get("MAIL_SERVER"):
        return _write_eml(em, msg)
    host, port = cfg["MAIL_SERVER"], int(cfg["MAIL_PORT"])
    timeout = cfg["MAIL_TIMEOUT"]
    context = ssl.create_default_context()
    if cfg.get("MAIL_USE_SSL"):
        smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
    with smtp:
        if cfg.get("MAIL_USE_TLS") and not cfg.get("MAIL_USE_SSL"):
            smtp.starttls(context=context)
        if cfg.get("MAIL_USERNAME"):
            smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"] or "")
        smtp.send_message(em)
    return f"smtp:{host}"


def _write_eml(em: EmailMessage, msg: OutgoingMail) -> str:
    folder = Path(current_app.config["MAIL_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    final = folder / f"{stamp}-{msg.id:06d}-{uuid.uuid4().hex[:8]}.eml"
    tmp = final.with_suffix(".eml.tmp")
    with open(tmp, "wb") as fh:
        fh.write(em.as_bytes())
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, final)
    log.info("mail written to %s", final)
    return str(final)
