"""The WSIS contribution portal: application factory."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask
from werkzeug.routing import IntegerConverter

from portal.config import Defaults
from portal.errors import ConfigurationError, MissingSecretKey
from portal.ids import MAX_ID

ROOT = Path(__file__).resolve().parent.parent


class DatabaseId(IntegerConverter):
    """`<int:...>` in every route: a positive integer a database column holds, otherwise the route does
    not match (404), instead of an integer too large for SQLite or PostgreSQL reaching the query."""

    def __init__(self, url_map, fixed_digits: int = 0, min: int | None = 1, max: int | None = MAX_ID,
                 signed: bool = False) -> None:
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def create_app(test_config: dict | None = None, instance_path: str | None = None) -> Flask:
    instance_path = instance_path or os.environ.get("PORTAL_INSTANCE_PATH") or str(ROOT / "instance")
    app = Flask(
        __name__,
        instance_path=os.path.abspath(instance_path),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    configure(app, test_config)
    app.url_map.converters["int"] = DatabaseId  # before any route is added

    from portal import cli, errors, mail, security, templating, uploads
    from portal.db import register_database
    from portal.extensions import csrf, login_manager
    from portal.i18n import register_i18n
    from portal.logs import configure_logging

    configure_logging(app)

    register_database(app)
    login_manager.init_app(app)
    uploads.register(app)  # before CSRF protection, which reads the body
    csrf.init_app(app)
    security.register(app)
    register_i18n(app)
    templating.register(app)
    mail.register(app)
    register_blueprints(app)
    from portal.search import init_app as init_search

    init_search(app)
    errors.register(app)
    cli.register(app)
    return app


def configure(app: Flask, test_config: dict | None) -> None:
    app.config.from_object(Defaults)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env()
    if test_config:
        app.config.from_mapping(test_config)

    instance = Path(app.instance_path)
    try:
        instance.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigurationError(
            f"The instance folder {instance} cannot be created ({exc.strerror})."
        ) from None
    if not os.access(instance, os.W_OK | os.X_OK):
        raise ConfigurationError(f"The instance folder {instance} is not writable by this user.")

    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + str(instance / "portal.db")
    if not app.config.get("MAIL_DIR"):
        app.config["MAIL_DIR"] = str(instance / "mail")

    if not app.config.get("SECRET_KEY"):
        raise MissingSecretKey(
            "No SECRET_KEY is set: run `make run` once (it writes instance/config.py) "
            "or set FLASK_SECRET_KEY."
        )


def register_blueprints(app: Flask) -> None:
    from portal.auth.views import bp as auth_bp
    from portal.contributions.views import bp as contributions_bp
    from portal.main.views import bp as main_bp
    from portal.meetings.views import bp as meetings_bp
    from portal.moderation.views import bp as moderation_bp
    from portal.organisations.views import bp as organisations_bp
    from portal.programme.views import bp as programme_bp
    from portal.registrations.views import bp as registrations_bp
    from portal.secretariat.views import bp as secretariat_bp
    from portal.stocktaking.views import bp as stocktaking_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(meetings_bp)
    app.register_blueprint(organisations_bp)
    app.register_blueprint(secretariat_bp)
    app.register_blueprint(contributions_bp)
    app.register_blueprint(moderation_bp)
    app.register_blueprint(registrations_bp)
    app.register_blueprint(programme_bp)
    app.register_blueprint(stocktaking_bp)
