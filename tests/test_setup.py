"""`make run` steps: instance secret, migrations, reference data; all idempotent."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from portal import ConfigurationError, create_app
from portal.extensions import db
from portal.instance_setup import ensure_instance
from portal.models import Meeting, User

ROOT = Path(__file__).resolve().parent.parent


def test_instance_setup_creates_secret_once(tmp_path):
    inst = tmp_path / "inst"
    assert ensure_instance(inst) is True
    first = (inst / "config.py").read_text()
    assert "SECRET_KEY" in first and len(first) > 60
    assert oct((inst / "config.py").stat().st_mode & 0o777) == "0o600"
    assert ensure_instance(inst) is False
    assert (inst / "config.py").read_text() == first


def _flask(inst: Path, *args, input_: str | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, PORTAL_INSTANCE_PATH=str(inst))
    env.pop("FLASK_SECRET_KEY", None)
    return subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, input=input_, timeout=120)


def test_setup_steps_are_idempotent_and_keep_rows(tmp_path):
    inst = tmp_path / "instance"
    ensure_instance(inst)
    r = _flask(inst, "init-db")
    assert r.returncode == 0, r.stderr
    assert "11 action lines, 9 meetings" in r.stdout
    r = _flask(inst, "create-user", "--email", "officer@itu.example", "--name", "Officer",
               "--role", "secretariat", "--password-stdin", input_="a strong passphrase for tests\n")
    assert r.returncode == 0, r.stderr
    r = _flask(inst, "init-db")
    assert r.returncode == 0 and "0 action lines, 0 meetings" in r.stdout

    app = create_app({"SECRET_KEY": "x"}, instance_path=str(inst))
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "officer@itu.example")).is_secretariat
        assert db.session.scalar(select(db.func.count(Meeting.id))) == 9
        db.engine.dispose()


def test_create_user_command(runner, app):
    r = runner.invoke(args=["create-user", "--email", "delegate@gov.example", "--name", "Delegate",
                            "--organisation", "Permanent Mission of Chile", "--country", "CL",
                            "--password-stdin"], input="un mot de passe solide pour Genève\n")
    assert r.exit_code == 0, r.output
    user = db.session.scalar(select(User).where(User.email == "delegate@gov.example"))
    assert user.is_confirmed and user.role.value == "stakeholder"
    assert user.organisation.name == "Permanent Mission of Chile" and user.organisation.is_verified
    assert user.is_focal_point

    r = runner.invoke(args=["create-user", "--email", "delegate@gov.example", "--name", "Again",
                            "--password-stdin"], input="another strong passphrase\n")
    assert r.exit_code != 0 and "already exists" in r.output
    r = runner.invoke(args=["create-user", "--email", "weak@gov.example", "--name", "Weak",
                            "--password-stdin"], input="password1\n")
    assert r.exit_code != 0 and "Password refused" in r.output
    assert db.session.scalar(select(User).where(User.email == "weak@gov.example")) is None


def test_missing_secret_stops_with_one_sentence(tmp_path, monkeypatch):
    monkeypatch.delenv("FLASK_SECRET_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="No SECRET_KEY is set"):
        create_app(instance_path=str(tmp_path / "empty"))


def test_unwritable_instance_stops_with_one_sentence(tmp_path):
    """A folder without write permission, or (for root, who may write anywhere) a read-only mount."""
    ro = tmp_path / "ro"
    ro.mkdir()
    mounted = False
    if os.geteuid() == 0:
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(ro)], capture_output=True)
        if r.returncode != 0:
            pytest.skip("root can write anywhere, and a read-only mount is refused here")
        mounted = True
    else:
        ro.chmod(0o500)
    try:
        with pytest.raises(ConfigurationError, match="not writable"):
            create_app({"SECRET_KEY": "x"}, instance_path=str(ro))
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(ro)], check=False)
