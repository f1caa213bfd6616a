from __future__ import annotations

import time
from datetime import date

from flask import Blueprint, jsonify, render_template
from sqlalchemy import func, select, text

from portal import antivirus
from portal.contributions import listing, listing_cache
from portal.extensions import db
from portal.meetings import services as meetings
from portal.models import IndexJob, OutgoingMail
from portal.search import index_status

bp = Blueprint("main", __name__)


@bp.get("/")
def home():
    def render_content() -> str:
        upcoming, past = meetings.listing()
        return render_template("main/_home.html", upcoming=upcoming, recent=past[:5],
                               open_meetings=meetings.open_meetings(),
                               action_lines=meetings.action_lines(), latest=listing.recent(),
                               line_counts=listing.counts_by_action_line())

    # Upcoming and past meetings depend on the day too.
    content = listing_cache.fragment(("home", date.today().isoformat()), ["home"], render_content)
    return render_template("main/home.html", content=content)


@bp.get("/healthz")
def healthz():
    """For load balancers and monitoring: the database answers, and the state of the index
    (pending indexing jobs, unsent mail). 200 when the database answers, 503 otherwise."""
    started = time.perf_counter()
    body = {"status": "ok"}
    try:
        db.session.execute(text("SELECT 1"))
        body["database"] = "ok"
        body["index_jobs_pending"] = db.session.scalar(select(func.count(IndexJob.id)))
        body["mail_unsent"] = db.session.scalar(
            select(func.count(OutgoingMail.id)).where(OutgoingMail.sent_at.is_(None)))
    except Exception as exc:  # noqa: BLE001 - the answer is the report
        db.session.rollback()
        body.update(status="error", database=exc.__class__.__name__)
        return jsonify(body), 503
    body["index"] = index_status()
    if body["index"].get("status") not in (None, "ok"):
        body["status"] = "degraded"
    body["antivirus"] = antivirus.status()
    if body["antivirus"]["status"] == "off":
        body["antivirus"]["message"] = "Uploads are not scanned for malware: no ANTIVIRUS_URL is set."
    elif body["antivirus"]["status"] != "ok":
        body["status"] = "degraded"
    body["elapsed_ms"] = round((time.perf_counter() - started) * 1000, 1)
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response
