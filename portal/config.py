"""Safe defaults. Secrets never live here: they come from instance/config.py or from
FLASK_* environment variables (for example FLASK_SECRET_KEY)."""

from datetime import timedelta


class Defaults:
    # Set per instance: `make run` writes a random one into instance/config.py.
    SECRET_KEY = None

    # Database: None means the embedded default, SQLite in the instance folder.
    SQLALCHEMY_DATABASE_URI = None
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    SQLITE_BUSY_TIMEOUT_MS = 15000

    # Sessions and cookies. Cookies are marked Secure automatically on HTTPS requests;
    # set these to True to force it regardless.
    SESSION_COOKIE_NAME = "portal_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    REMEMBER_COOKIE_NAME = "portal_remember"
    REMEMBER_COOKIE_DURATION = timedelta(days=30)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False
    # Number of reverse proxies in front of the portal whose X-Forwarded-* headers are trusted.
    PROXY_COUNT = 0
    # The portal's public address, for links in mail sent by commands (cron jobs), outside any request.
    PUBLIC_URL = "http://127.0.0.1:5000"

    # Accounts
    PASSWORD_MIN_LENGTH = 10
    PASSWORD_MAX_LENGTH = 1000
    # argon2id parameters (RFC 9106 "second recommended" profile).
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 65536  # KiB
    ARGON2_PARALLELISM = 4
    CONFIRM_TOKEN_MAX_AGE = int(timedelta(days=3).total_seconds())
    RESET_TOKEN_MAX_AGE = int(timedelta(hours=1).total_seconds())
    # Login throttling (portal/auth/throttle.py), counted in the database so that it holds across worker
    # processes: failed logins per window, for one account from one address; for one account from all
    # untrusted clients (neither its device cookie nor an address it logged in from before); and from
    # one address to all accounts.
    LOGIN_WINDOW_SECONDS = 15 * 60
    LOGIN_MAX_FAILURES_PER_ADDRESS_AND_ACCOUNT = 5
    LOGIN_MAX_FAILURES_PER_ACCOUNT = 20
    LOGIN_MAX_FAILURES_PER_IP = 30
    LOGIN_KNOWN_ADDRESS_DAYS = 90
    DEVICE_COOKIE_NAME = "portal_device"
    DEVICE_COOKIE_MAX_AGE = int(timedelta(days=180).total_seconds())
    RESET_MAX_REQUESTS_PER_ACCOUNT = 3
    RESET_MAX_REQUESTS_PER_IP = 20

    # Delegation registration. PASSPORT_KEY encrypts passport numbers (`make run` adds one to
    # instance/config.py). The visa support letter's letterhead and signature, one line each.
    PASSPORT_KEY = None
    VISA_LETTER_LETTERHEAD = ("International Telecommunication Union", "WSIS Executive Secretariat",
                              "Place des Nations, 1211 Geneva 20, Switzerland")
    VISA_LETTER_SIGNATORY = ("WSIS Executive Secretariat",)
    REGISTRATION_PAGE_SIZE = 50
    # High-Level Track: how long before its deadline an unanswered invitation is reminded (send-reminders).
    INVITATION_REMINDER_HOURS = 72
    # WSIS Stocktaking: the entry's image (re-encoded, at most MAX_SIDE pixels a side), the reminder of a
    # yearly call (days before its deadline, send-reminders), messages through "Contact this organisation"
    # (per sender address and per entry, within an hour), the page size of listings.
    STOCKTAKING_IMAGE_MAX_BYTES = 5 * 1024 * 1024
    STOCKTAKING_IMAGE_MAX_PIXELS = 40_000_000
    STOCKTAKING_IMAGE_MAX_SIDE = 1600
    STOCKTAKING_CALL_REMINDER_DAYS = 14
    STOCKTAKING_CONTACT_PER_ADDRESS = 5
    STOCKTAKING_CONTACT_PER_ENTRY = 20
    STOCKTAKING_PAGE_SIZE = 20

    # Mail: with no MAIL_SERVER, every message is written as an .eml file under instance/mail/.
    MAIL_SERVER = None
    MAIL_PORT = 587
    MAIL_USE_TLS = True
    MAIL_USE_SSL = False
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    MAIL_TIMEOUT = 10
    MAIL_DEFAULT_SENDER = "WSIS contribution portal <no-reply@wsis-portal.invalid>"
    SECRETARIAT_EMAIL = None

    # Uploads: the largest file accepted, and the limits of text extraction (a child process).
    UPLOAD_MAX_BYTES = 20 * 1024 * 1024
    UPLOAD_FOLDER = None  # None: instance/uploads
    EXTRACT_TIMEOUT_SECONDS = 30
    EXTRACT_MEMORY_MB = 768
    # Virus scanning: ClamAV's clamd, "unix:///run/clamav/clamd.ctl" or "tcp://host:3310". None: uploads
    # are accepted unscanned (the dashboard and /healthz say so).
    ANTIVIRUS_URL = None
    ANTIVIRUS_TIMEOUT_SECONDS = 30

    # Uploads in progress at once, per account and per address (across every worker process), how long a
    # slot held by a process of another machine that died counts, and how long the rest of a refused
    # upload is read (so that the client receives the answer); storage per organisation.
    UPLOADS_CONCURRENT_PER_ACCOUNT = 2
    UPLOADS_CONCURRENT_PER_ADDRESS = 2
    UPLOAD_SLOT_SECONDS = 600
    UPLOAD_REFUSED_DRAIN_SECONDS = 5
    STORAGE_QUOTA_BYTES = 500 * 1024 * 1024

    # Requests: the file plus the form around it.
    MAX_CONTENT_LENGTH = 21 * 1024 * 1024
    MAX_FORM_PARTS = 200
    MAX_FORM_MEMORY_SIZE = 500_000

    # Logs: "json" (one object per line) or "text".
    LOG_FORMAT = "json"
    LOG_LEVEL = "INFO"

    # Interface
    LANGUAGES = None  # None: English and every catalogue in portal/translations
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "Europe/Zurich"
    PAGE_SIZE = 25
    # Rendered meeting and action-line listings kept per worker process (0: none); see
    # portal/contributions/listing_cache.py.
    LISTING_CACHE_ENTRIES = 500

    WTF_CSRF_TIME_LIMIT = None  # valid for the session's life
    WTF_CSRF_SSL_STRICT = True
