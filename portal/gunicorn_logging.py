"""gunicorn's access log without secrets: reset and confirmation tokens are cut out of the
request line, the path and the referrer."""

from __future__ import annotations

from gunicorn.glogging import Logger

from portal.logs import redact


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U", "f", "q"):
            if key in atoms and isinstance(atoms[key], str):
                atoms[key] = redact(atoms[key])
        return atoms
