"""Carrying out a form that may carry a file: receive the file, run the service, commit once;
on any refusal put the reason on its field, roll back and delete the stored file, so that
nothing of a refused request stays behind."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import flash
from flask_babel import gettext as _

from portal.contributions import services
from portal.contributions.services import ContributionError, Upload
from portal.extensions import db
from portal.extract import FileRejected
from portal.storage import StorageError

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


class Refused(Exception):
    """The file was refused; the reason is on the form's file field."""


def receive(form_field) -> Upload | None:
    """The uploaded file of a form field, or None if none was chosen."""
    fs = form_field.data
    if not file_given(fs):
        return None
    try:
        upload = services.receive_file(fs.stream, fs.filename)
    except FileRejected as exc:
        form_field.errors.append(str(exc.message))
        raise Refused from None
    except StorageError as exc:
        form_field.errors.append(str(exc))
        raise Refused from None
    if not upload.extraction.ok:
        reason = _(upload.extraction.error) if upload.extraction.error else ""
        flash(_("The text of %(name)s could not be read (%(why)s). The file is kept and the "
                "secretariat will check it.", name=upload.filename, why=reason), "warning")
    return upload


def apply_error(form, exc: ContributionError) -> None:
    f = getattr(form, exc.field, None) if exc.field else None
    if f is not None:
        f.errors = list(f.errors) + [str(exc.message)]
    else:
        form.form_errors.append(str(exc.message))


def run(form, upload: Upload | None, action: Callable[[], T]) -> T | None:
    """Run a service and commit. A ContributionError goes on the form and gives None."""
    try:
        result = action()
        db.session.commit()
        return result
    except ContributionError as exc:
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
    """Receive the form's file, run `action(upload)` and commit. Returns the action's result,
    or None when the form must be shown again with its errors."""
    try:
        upload = receive(form.file)
    except Refused:
        return None
    if upload is None and require_file:
        form.file.errors = list(form.file.errors) + [require_file]
        return None
    return run(form, upload, lambda: action(upload))
