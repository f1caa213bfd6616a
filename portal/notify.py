"""Messages to people, rendered from templates/mail/ in the recipient's language."""

from __future__ import annotations

from flask import current_app, render_template
from flask_babel import force_locale

from portal.mail import queue_mail


def render_message(template: str, locale: str | None, **context) -> tuple[str, str]:
    """A mail template's first line is `Subject: ...`, then a blank line, then the body."""
    with force_locale(locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        text = render_template(template, **context)
    first, _, body = text.lstrip().partition("\n")
    subject = first.removeprefix("Subject:").strip()
    return " ".join(subject.split()), body.strip() + "\n"


def send_to_user(user, template: str, *, reply_to: str | None = None, **context) -> None:
    subject, body = render_message(template, user.locale, user=user, **context)
    queue_mail(user.email, subject, body, reply_to=reply_to)


def send_to_address(address: str, template: str, locale: str | None = None, **context) -> None:
    subject, body = render_message(template, locale, **context)
    queue_mail(address, subject, body)
