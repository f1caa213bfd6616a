"""Fixtures: an app on a temporary instance folder, clients that speak CSRF, factories."""

from __future__ import annotations

import contextvars
import os
import re
import shutil
import uuid
from datetime import date, datetime, timezone
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy.pool import NullPool

from portal import create_app
from portal.extensions import db

FAST_HASH = {"ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 1024, "ARGON2_PARALLELISM": 1}
PASSWORD = "correct horse battery staple"

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Client(FlaskClient):
    """A test client with a helper for forms protected by CSRF tokens.

    Each request runs in a fresh context, as under a real server: the test's own application
    context (and its `g` and database session) is not shared with the request."""

    def open(self, *args, **kwargs):
        # Buffered: the body is read and the response closed before the call returns, as a real server
        # closes it once sent; that is when the portal runs its after-commit work (mail, index).
        kwargs.setdefault("buffered", True)
        return contextvars.Context().run(super().open, *args, **kwargs)

    def csrf_token(self, page: str = "/") -> str:
        html = self.get(page).get_data(as_text=True)
        m = CSRF_RE.search(html)
        assert m, f"no CSRF token on {page}"
        return m.group(1)

    def post_form(self, url: str, data: dict | None = None, *, page: str | None = None, **kw):
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token(page or "/"))
        return self.post(url, data=data, **kw)


def _config(tmp: Path, db_uri: str) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "PASSPORT_KEY": "kQ2f3nnlRB6Ff6_EX8o6MKKOl6ZAgYVHvbQ3G4pYy_Q=",
        "SQLALCHEMY_DATABASE_URI": db_uri,
        "SERVER_NAME": None,
        **FAST_HASH,
    }


def _migrate_fresh(uri: str, tmp: Path) -> None:
    from flask_migrate import upgrade

    from portal.reference import load_reference_data

    app = create_app(_config(tmp, uri), instance_path=str(tmp / "instance"))
    with app.app_context():
        upgrade()
        load_reference_data()
        db.session.commit()
        db.engine.dispose()


class SQLiteDatabases:
    """The embedded default: a migrated file copied for each test."""

    def __init__(self, tmp: Path):
        self.template = tmp / "portal.db"
        _migrate_fresh(f"sqlite:///{self.template}", tmp)

    def new(self, tmp: Path, *, empty: bool = False) -> str:
        if empty:
            return f"sqlite:///{tmp / 'empty.db'}"
        dbfile = tmp / "portal.db"
        shutil.copy(self.template, dbfile)
        return f"sqlite:///{dbfile}"

    def drop(self, uri: str) -> None:
        return None


class PostgresDatabases:
    """TEST_DATABASE_URL set (make test-postgres): a migrated template database, and a
    database created from it for each test."""

    def __init__(self, admin_url: str, tmp: Path):
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url

        self.base = make_url(admin_url)
        self.admin = create_engine(self.base, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        self.template = "portal_template"
        self._execute(f'DROP DATABASE IF EXISTS "{self.template}"')
        self._execute(f'CREATE DATABASE "{self.template}"')
        _migrate_fresh(self._url(self.template), tmp)

    def _url(self, name: str) -> str:
        return self.base.set(database=name).render_as_string(hide_password=False)

    def _execute(self, sql: str) -> None:
        from sqlalchemy import text

        with self.admin.connect() as conn:
            conn.execute(text(sql))

    def new(self, tmp: Path, *, empty: bool = False) -> str:
        name = f"test_{uuid.uuid4().hex[:16]}"
        template = "template0" if empty else self.template
        self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        return self._url(name)

    def drop(self, uri: str) -> None:
        from sqlalchemy.engine import make_url

        self._execute(f'DROP DATABASE IF EXISTS "{make_url(uri).database}" WITH (FORCE)')


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogues():
    """Compile the interface catalogues (portal/translations/*/LC_MESSAGES/messages.po) when a .mo is
    missing or older than its .po, as `make setup` does, so that a bare `pytest` sees the translations."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    from portal.i18n import TRANSLATIONS_DIR

    for po in TRANSLATIONS_DIR.glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with open(po, "rb") as fh:
            catalog = read_po(fh, locale=po.parent.parent.name)
        tmp = mo.with_name(f".{mo.name}.{os.getpid()}.tmp")
        with open(tmp, "wb") as fh:
            write_mo(fh, catalog)  # fuzzy entries left out, as pybabel compile does
        os.replace(tmp, mo)


@pytest.fixture(scope="session")
def databases(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("template")
    url = os.environ.get("TEST_DATABASE_URL")
    return PostgresDatabases(url, tmp) if url else SQLiteDatabases(tmp)


@pytest.fixture
def instance(tmp_path) -> Path:
    p = tmp_path / "instance"
    p.mkdir()
    return p


@pytest.fixture
def app(databases, instance, tmp_path):
    uri = databases.new(tmp_path)
    app = create_app(_config(tmp_path, uri), instance_path=str(instance))
    app.test_client_class = Client
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()
    databases.drop(uri)


@pytest.fixture
def client(app) -> Client:
    return app.test_client()


@pytest.fixture
def other_client(app) -> Client:
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# Factories ------------------------------------------------------------------------------------

class Factory:
    def __init__(self, app):
        self.app = app
        self.n = 0

    def _next(self) -> int:
        self.n += 1
        return self.n

    def organisation(self, name: str | None = None, *, verified: bool = True, country: str = "CH",
                     stakeholder_type: str = "government"):
        from portal.models import StakeholderType
        from portal.organisations.services import create_organisation

        org = create_organisation(name=name or f"Organisation {self._next()}", country=country,
                                  stakeholder_type=StakeholderType(stakeholder_type))
        if verified:
            org.verified_at = datetime.now(timezone.utc)
        db.session.commit()
        return org

    def user(self, email: str | None = None, *, password: str = PASSWORD, role: str = "stakeholder",
             organisation=None, focal_point: bool = False, membership: str = "active",
             confirmed: bool = True, name: str | None = None):
        from portal.auth.services import create_user
        from portal.models import Membership, MembershipStatus, Role

        n = self._next()
        user = create_user(email=email or f"person{n}@example.org", name=name or f"Person {n}",
                           password=password, role=Role(role), confirmed=confirmed)
        if organisation is not None:
            db.session.add(Membership(user=user, organisation=organisation,
                                      status=MembershipStatus(membership), focal_point=focal_point))
        db.session.commit()
        return user

    def meeting(self, code: str | None = None, **kw):
        from portal.models import Meeting, MeetingStatus, MeetingType

        n = self._next()
        values = dict(code=code or f"TEST-{n}", title=f"Test meeting {n}", type=MeetingType.FORUM,
                      place="Geneva, Switzerland", start_date=date(2027, 3, 1),
                      end_date=date(2027, 3, 5), symbol_prefix=f"WSIS/TEST-{n}",
                      status=MeetingStatus.OPEN)
        values.update(kw)
        m = Meeting(**values)
        db.session.add(m)
        db.session.commit()
        return m


@pytest.fixture
def make(app) -> Factory:
    return Factory(app)


def login(client: Client, email: str, password: str = PASSWORD, remember: bool = False, next_: str | None = None):
    data = {"email": email, "password": password}
    if remember:
        data["remember"] = "y"
    url = "/login" + (f"?next={next_}" if next_ else "")
    return client.post_form(url, data, page="/login")


@pytest.fixture
def secretariat(make):
    return make.user("secretariat@itu.example", role="secretariat", name="Secretariat Officer")


@pytest.fixture
def secretariat_client(client, secretariat) -> Client:
    r = login(client, secretariat.email)
    assert r.status_code == 302
    return client


# Mail -------------------------------------------------------------------------------------------

def sent_mail(app) -> list:
    """Every message written to instance/mail/, oldest first, parsed."""
    folder = Path(app.config["MAIL_DIR"])
    if not folder.exists():
        return []
    out = []
    for p in sorted(folder.glob("*.eml")):
        with open(p, "rb") as fh:
            out.append(BytesParser(policy=policy.default).parse(fh))
    return out


def mail_to(app, address: str) -> list:
    return [m for m in sent_mail(app) if m["To"] == address]


def link_in(message, path_part: str) -> str:
    body = message.get_body(preferencelist=("plain",)).get_content()
    m = re.search(r"https?://\S*" + re.escape(path_part) + r"\S*", body)
    assert m, f"no link containing {path_part} in: {body}"
    return m.group(0)
