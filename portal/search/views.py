"""The search page. (Placeholder until the search work lands.)"""

from __future__ import annotations

from flask import Blueprint, render_template, request

bp = Blueprint("search", __name__)


@bp.get("/search")
def search():
    return render_template("search/results.html", q=(request.args.get("q") or "")[:500])
