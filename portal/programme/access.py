"""Who sees and answers what in the programme. What the caller may not see is a 404."""

from __future__ import annotations

from flask import abort

from portal.extensions import db
from portal.models import Invitation, ProgrammeSession, Slot, Statement
from portal.registrations import access as registrations


def load_invitation_for_org(invitation_id: int) -> Invitation:
    """The invited organisation's focal points (and members allowed to act for it) only."""
    inv = db.session.get(Invitation, invitation_id)
    org = registrations.my_organisation()
    if inv is None or org is None or inv.organisation_id != org.id:
        abort(404)
    return inv


def my_organisation():
    org = registrations.my_organisation()
    if org is None:
        abort(404)
    return org


def load_session(meeting, session_id: int) -> ProgrammeSession:
    s = db.session.get(ProgrammeSession, session_id)
    if s is None or s.meeting_id != meeting.id:
        abort(404)
    return s


def load_slot(meeting, slot_id: int) -> Slot:
    slot = db.session.get(Slot, slot_id)
    if slot is None or slot.session.meeting_id != meeting.id:
        abort(404)
    return slot


def load_statement(meeting, statement_id: int) -> Statement:
    st = db.session.get(Statement, statement_id)
    if st is None or st.meeting_id != meeting.id:
        abort(404)
    return st


def load_invitation(meeting, invitation_id: int) -> Invitation:
    inv = db.session.get(Invitation, invitation_id)
    if inv is None or inv.meeting_id != meeting.id:
        abort(404)
    return inv
