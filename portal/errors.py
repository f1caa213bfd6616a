"""The one exception for a user's mistake, and the error pages: every error answers with a page of
the portal, never a traceback."""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from portal.extensions import db

log = logging.getLogger("portal.errors")


class ConfigurationError(RuntimeError):
    """The portal cannot start as configured. The message is one sentence for the operator."""


class MissingSecretKey(ConfigurationError):
    """No SECRET_KEY: the instance has not been set up (`make run` writes one)."""


class UserError(Exception):
    """A request that cannot be carried out as asked. Every service raises this one type for a user's
    mistake: `message` is a translatable sentence for that user, `field` names the form field it
    belongs to (None: the form as a whole). The views' form flow (`portal.formflow`) puts it there."""

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return str(self.message)


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        db.session.rollback()
        log.warning("form refused (%s) on %s %s", exc.description, request.method, request.path)
        return render_template("errors/csrf.html"), 400

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        db.session.rollback()
        code = exc.code or 500
        if request.path.startswith("/static/"):
            return exc
        return render_template("errors/error.html", code=code, name=exc.name), code

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        db.session.rollback()
        log.exception("unhandled error on %s %s", request.method, request.path)
        return render_template("errors/error.html", code=500, name=InternalServerError().name), 500
