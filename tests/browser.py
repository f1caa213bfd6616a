"""An HTTP session against a live portal that fills in CSRF tokens like a browser does."""

from __future__ import annotations

import re

import requests

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
PASSWORD = "correct horse battery staple"


class Session(requests.Session):
    def __init__(self, base_url: str):
        super().__init__()
        self.base = base_url

    def get(self, path, **kw):  # type: ignore[override]
        kw.setdefault("timeout", 60)
        return super().get(self.base + path, **kw)

    def token(self, page: str = "/") -> str:
        m = CSRF_RE.search(self.get(page).text)
        assert m, f"no CSRF token on {page}"
        return m.group(1)

    def form(self, path: str, data: dict | None = None, files=None, page: str | None = None, **kw):
        data = dict(data or {})
        data.setdefault("csrf_token", self.token(page or "/"))
        kw.setdefault("timeout", 120)
        kw.setdefault("allow_redirects", False)
        return self.post(self.base + path, data=data, files=files, **kw)

    def login(self, email: str, password: str = PASSWORD):
        r = self.form("/login", {"email": email, "password": password}, page="/login")
        assert r.status_code == 302, r.text[:500]
        return self
