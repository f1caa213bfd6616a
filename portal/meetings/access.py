"""Loading a meeting by its code: every meeting is public, so only an unknown code is a 404."""

from __future__ import annotations

from flask import abort

from portal.meetings import services
from portal.models import Meeting


def load_meeting(code: str) -> Meeting:
    meeting = services.get_by_code(code)
    if meeting is None:
        abort(404)
    return meeting


def load_action_line(code: str):
    line = services.get_action_line(code)
    if line is None:
        abort(404)
    return line
