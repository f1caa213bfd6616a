"""Who sees and changes a Stocktaking entry. What the caller may not see is a 404.

- A published entry: everyone. Any other (a draft, one with the secretariat, returned, refused,
  archived): the members of its organisation and the secretariat.
- Changing, submitting, confirming, archiving: the confirmed, active members of its organisation
  while it is verified.
- A file: of the published version, everyone (unless quarantined); of any version, the owner and the
  secretariat; an infected file, nobody."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from portal import audit
from portal.extensions import db
from portal.models import Entry, EntryFile, EntryVersion, ScanStatus
from portal.stocktaking import services


def may_see_all(entry: Entry) -> bool:
    user = current_user
    if not user.is_authenticated:
        return False
    if user.is_secretariat:
        return True
    org = user.organisation
    return org is not None and org.id == entry.organisation_id and user.is_confirmed


def load_entry(entry_id: int) -> Entry:
    entry = db.session.get(Entry, entry_id)
    if entry is None or not (services.is_public(entry) or may_see_all(entry)):
        if entry is not None and current_user.is_authenticated:
            audit.denied(f"stocktaking entry {entry_id}")
        abort(404)
    return entry


def load_public(entry_id: int) -> Entry:
    """For the contact form: published entries only."""
    entry = db.session.get(Entry, entry_id)
    if entry is None or not services.is_public(entry):
        abort(404)
    return entry


def load_own(entry_id: int) -> Entry:
    entry = db.session.get(Entry, entry_id)
    if entry is None or not services.is_owner(current_user, entry):
        if entry is not None and current_user.is_authenticated:
            audit.denied(f"stocktaking entry {entry_id} (change)")
        abort(404)
    return entry


def load_for_secretariat(entry_id: int) -> Entry:
    return db.get_or_404(Entry, entry_id)


def load_version(entry: Entry, version_id: int) -> EntryVersion:
    """A version of the history: the published one for everyone, any for those who see it all."""
    v = db.session.get(EntryVersion, version_id)
    if v is None or v.entry_id != entry.id or (v.id != entry.current_version_id and not may_see_all(entry)):
        abort(404)
    return v


def load_file(entry_id: int, file_id: int) -> EntryFile:
    entry = load_entry(entry_id)
    f = db.session.get(EntryFile, file_id)
    if f is None or f.version.entry_id != entry.id or f.scan_status == ScanStatus.INFECTED:
        abort(404)
    if may_see_all(entry):
        return f
    if f.version_id != entry.current_version_id or f.quarantined:
        abort(404)
    return f


def load_image(entry_id: int, version_id: int) -> EntryVersion:
    entry = load_entry(entry_id)
    v = load_version(entry, version_id)
    if not v.image_key:
        abort(404)
    return v
