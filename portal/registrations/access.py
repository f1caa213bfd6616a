"""Who sees and changes a delegation. What the caller may not see is a 404.

- The organisation's page: members who may register (focal points, and members a focal point allowed).
- A delegation for the secretariat: the secretariat's routes require it already.
- A visa support letter: the members of the participant's organisation and the secretariat, while the
  letter is in force."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from portal.extensions import db
from portal.meetings.access import load_meeting
from portal.models import Delegation, DelegationState, MembershipStatus, Participant, VisaLetter
from portal.registrations import services


def my_organisation():
    """The organisation the current user may register delegations for, or None."""
    org = current_user.organisation if current_user.is_authenticated else None
    return org if services.may_register(current_user, org) else None


def load_for_registering(code: str):
    """(meeting, organisation, its delegation or None) for the delegation page."""
    meeting = load_meeting(code)
    org = my_organisation()
    if org is None:
        abort(404)
    return meeting, org, services.delegation_of(meeting, org)


def load_own_participant(code: str, participant_id: int) -> Participant:
    meeting, org, d = load_for_registering(code)
    p = db.session.get(Participant, participant_id)
    if d is None or p is None or p.delegation_id != d.id:
        abort(404)
    return p


def load_delegation(delegation_id: int) -> Delegation:
    """For the secretariat's pages."""
    return db.get_or_404(Delegation, delegation_id)


def load_letter(letter_id: int) -> VisaLetter:
    letter = db.session.get(VisaLetter, letter_id)
    if letter is None or letter.withdrawn_at is not None or not current_user.is_authenticated:
        abort(404)
    d = letter.participant.delegation
    if d.state != DelegationState.CONFIRMED:
        abort(404)
    if current_user.is_secretariat:
        return letter
    m = current_user.membership
    if m is None or m.status != MembershipStatus.ACTIVE or m.organisation_id != d.organisation_id \
            or not current_user.is_confirmed:
        abort(404)
    return letter


def load_letter_for_secretariat(letter_id: int) -> VisaLetter:
    return db.get_or_404(VisaLetter, letter_id)


def load_participant_for_secretariat(participant_id: int) -> Participant:
    return db.get_or_404(Participant, participant_id)
