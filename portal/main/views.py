from __future__ import annotations

from flask import Blueprint, render_template

from portal.contributions import listing
from portal.meetings import services as meetings

bp = Blueprint("main", __name__)


@bp.get("/")
def home():
    upcoming, past = meetings.listing()
    return render_template("main/home.html", upcoming=upcoming, recent=past[:5],
                           open_meetings=meetings.open_meetings(),
                           action_lines=meetings.action_lines(), latest=listing.recent(),
                           line_counts=listing.counts_by_action_line())
