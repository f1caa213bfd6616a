"""Carrying out a form: receive its file (if any), run one service, commit once. On a user's mistake
(`UserError`) the reason goes on its field, the transaction is rolled back and the stored file deleted,
so that nothing of a refused request stays behind."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import flash
from flask_babel import gettext as _

from portal.errors import UserError
from portal.extensions import db
from portal.uploads import Upload, receive_file

T = TypeVar("T")


def file_given(fs) -> bool:
    """A file was chosen: it has a name, or (a name the browser mangled) some bytes."""
    if fs is None or not hasattr(fs, "stream"):
        return False
    if fs.filename:
        return True
    pos = fs.stream.tell()
    first = fs.stream.read(1)
    fs.stream.seek(pos)
    return bool(first)


def receive(form_field) -> Upload | None:
    """The uploaded file of a form field, or None if none was chosen. A refused file raises UserError
    (its field: the file)."""
    fs = form_field.data
    if not file_given(fs):
        return None
    upload = receive_file(fs.stream, fs.filename)
    if not upload.extraction.ok:
        reason = _(upload.extraction.error) if upload.extraction.error else ""
        flash(_("The text of %(name)s could not be read (%(why)s). The file is kept and the "
                "secretariat will check it.", name=upload.filename, why=reason), "warning")
    return upload


def apply_error(form, exc: UserError) -> None:
    """Put the message on the form field it names, or on the form as a whole."""
    f = getattr(form, exc.field, None) if exc.field else None
    if f is not None and hasattr(f, "errors"):
        f.errors = list(f.errors) + [str(exc.message)]
    else:
        form.form_errors.append(str(exc.message))


def run(form, action: Callable[[], T], upload: Upload | None = None) -> T | None:
    """Run a service and commit. A UserError goes on the form and gives None."""
    try:
        result = action()
        db.session.commit()
        return result
    except UserError as exc:
        db.session.rollback()
        if upload is not None:
            upload.discard()
        apply_error(form, exc)
        return None
    except BaseException:
        db.session.rollback()
        if upload is not None:
            upload.discard()
        raise


def carry_out(form, action: Callable[[Upload | None], T], *, require_file: str | None = None) -> T | None:
    """Receive the form's file, run `action(upload)` and commit. Returns the action's result, or None
    when the form must be shown again with its errors."""
    try:
        upload = receive(form.file)
    except UserError as exc:
        apply_error(form, exc)
        return None
    if upload is None and require_file:
        form.file.errors = list(form.file.errors) + [require_file]
        return None
    return run(form, lambda: action(upload), upload)


def attempt(action: Callable[[], T]) -> tuple[bool, T | None]:
    """For a POST without a form to show again (a button): run a service and commit. Returns (True,
    its result); a UserError is flashed and gives (False, None)."""
    try:
        result = action()
        db.session.commit()
        return True, result
    except UserError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return False, None
    except BaseException:
        db.session.rollback()
        raise
