"""Every state-changing route needs POST and a CSRF token; oversized and pathological requests get
a clear 4xx; logs never carry tokens."""

from __future__ import annotations

import io
import logging

import pytest
from werkzeug.routing import IntegerConverter, Rule

from portal.logs import redact
from tests.conftest import login


def _url_for_rule(app, rule: Rule) -> str:
    values = {}
    for arg in rule.arguments:
        converter = rule._converters[arg]  # noqa: SLF001
        values[arg] = 1 if isinstance(converter, IntegerConverter) else ("abc" if arg == "token" else "PC-3")
    return app.url_map.bind("localhost").build(rule.endpoint, values, method="POST")


def _post_rules(app) -> list[Rule]:
    return [r for r in app.url_map.iter_rules() if "POST" in r.methods and not r.rule.startswith("/static")]


def test_there_are_state_changing_routes(app):
    assert len(_post_rules(app)) > 15


def test_every_post_route_refuses_a_request_without_csrf_token(app, client, secretariat):
    login(client, secretariat.email)
    checked = []
    for rule in _post_rules(app):
        url = _url_for_rule(app, rule)
        r = client.post(url, data={"value": "1", "decision": "publish"})
        assert r.status_code == 400, (rule.rule, r.status_code)
        assert "The form has expired" in r.get_data(as_text=True)
        checked.append(rule.rule)
    assert "/logout" in checked and "/secretariat/moderation/<int:version_id>/decide" in checked


def test_post_only_routes_refuse_get(app, client, secretariat):
    """A GET never reaches an action: 405, unless the address is also a page (its GET rule shows the form
    that posts to it, e.g. a slot's page and the assignment)."""
    login(client, secretariat.email)
    pages = {r.rule for r in app.url_map.iter_rules() if "GET" in r.methods}
    checked = []
    for rule in _post_rules(app):
        if rule.rule not in pages:
            assert client.get(_url_for_rule(app, rule)).status_code == 405, rule.rule
            checked.append(rule.rule)
    assert "/logout" in checked and "/secretariat/meetings/<code>/programme/publish" in checked


def test_request_over_the_size_limit_is_refused(app, client, make):
    app.config["MAX_CONTENT_LENGTH"] = 50_000
    user = make.user()
    login(client, user.email)
    r = client.post("/contributions/new", data={"file": (io.BytesIO(b"x" * 100_000), "big.txt")},
                    content_type="multipart/form-data")
    assert r.status_code == 413
    assert "The upload is too large" in r.get_data(as_text=True)


def test_chunked_request_over_the_limit_is_refused(app, make):
    app.config["MAX_CONTENT_LENGTH"] = 50_000
    user = make.user()
    c = app.test_client()
    login(c, user.email)
    body = b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\n" + b"x" * 200_000 + b"\r\n--b--\r\n"

    def chunks():
        for i in range(0, len(body), 8192):
            yield body[i:i + 8192]

    r = c.post("/contributions/new", input_stream=io.BytesIO(body), content_type="multipart/form-data; boundary=b",
               headers={"Transfer-Encoding": "chunked"}, environ_overrides={"wsgi.input_terminated": True})
    assert r.status_code == 413


def test_thousands_of_form_parts_are_refused(app, client, make):
    user = make.user()
    login(client, user.email)
    data = {f"f{i}": "x" for i in range(3000)}
    r = client.post("/contributions/new", data=data, content_type="multipart/form-data")
    assert r.status_code == 413


@pytest.mark.parametrize("url", ["/secretariat/moderation?state=published;drop%20table%20users",
                                 "/secretariat/moderation?state=__class__&meeting=%27%20OR%201=1--",
                                 "/secretariat/organisations?show=all%27--", "/secretariat/accounts?show=1;",
                                 "/meetings/PC-3?view=../../etc"])
def test_filters_outside_their_allowlist_are_ignored(secretariat_client, url):
    assert secretariat_client.get(url).status_code == 200


def test_tokens_are_cut_out_of_logged_paths():
    assert redact("GET /password/reset/IjEyMyI.abc-def HTTP/1.1") == "GET /password/reset/[redacted] HTTP/1.1"
    assert redact("/confirm/eyJ1Ijo1fQ.ZZZ?x=1") == "/confirm/[redacted]?x=1"
    assert redact("/meetings/PC-3") == "/meetings/PC-3"


def test_access_log_redacts_tokens():
    from types import SimpleNamespace

    from portal.gunicorn_logging import RedactingLogger

    logger = RedactingLogger(SimpleNamespace(errorlog="-", loglevel="info", accesslog=None, syslog=False,
                                             logconfig=None, logconfig_dict={}, logconfig_json=None,
                                             capture_output=False, disable_redirect_access_to_syslog=False,
                                             access_log_format="%(r)s", user=0, group=0, syslog_addr=None,
                                             syslog_prefix=None, syslog_facility="user", dogstatsd_tags="",
                                             statsd_host=None, statsd_prefix="", env={}))
    req = SimpleNamespace(method="GET", path="/password/reset/SECRETTOKEN", query="", uri="/password/reset/SECRETTOKEN",
                          version=(1, 1), headers=[])
    resp = SimpleNamespace(status="200 OK", sent=10, headers=[], response_length=10)
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": "/password/reset/SECRETTOKEN", "PATH_INFO": "/password/reset/SECRETTOKEN",
               "QUERY_STRING": "", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1"}
    import datetime

    atoms = logger.atoms(resp, req, environ, datetime.timedelta(seconds=0.01))
    assert "SECRETTOKEN" not in atoms["r"] and "SECRETTOKEN" not in atoms["U"]


def test_app_logs_redact_tokens(app, client, caplog):
    caplog.set_level(logging.INFO)
    logging.getLogger("portal.test").info("visited /confirm/TOPSECRET123")
    assert "TOPSECRET123" not in caplog.text
