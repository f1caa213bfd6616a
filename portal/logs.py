"""Structured logs: one JSON object per line, with the request's id, method, path and user.
Reset and confirmation tokens are cut out of every logged path."""

from __future__ import annotations

import logging
import re
import sys
import uuid

from flask import Flask, g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

TOKEN_PATHS = re.compile(r"(/(?:password/reset|confirm)/)[^/?\s\"]+")


def redact(text: str) -> str:
    return TOKEN_PATHS.sub(r"\1[redacted]", text)


class RequestContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context():
            record.request_id = getattr(g, "request_id", None)
            record.method = request.method
            record.path = redact(request.path)
            record.remote_addr = request.remote_addr
        record.msg = redact(str(record.msg))
        return True


def configure_logging(app: Flask) -> None:
    level = app.config.get("LOG_LEVEL", "INFO")
    handler = logging.StreamHandler(sys.stderr)
    if app.config.get("LOG_FORMAT", "json") == "json":
        handler.setFormatter(JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"}))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RequestContextFilter())
    portal_logger = logging.getLogger("portal")
    portal_logger.handlers[:] = [handler]
    portal_logger.setLevel(level)
    portal_logger.propagate = bool(app.config.get("TESTING"))  # tests capture logs through the root
    app.logger.handlers[:] = [handler]
    app.logger.setLevel(level)

    @app.before_request
    def _request_id():
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if re.fullmatch(r"[A-Za-z0-9._-]{8,64}", incoming) else uuid.uuid4().hex

    @app.after_request
    def _echo_request_id(response):
        if has_request_context() and getattr(g, "request_id", None):
            response.headers["X-Request-ID"] = g.request_id
        return response
