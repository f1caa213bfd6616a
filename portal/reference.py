"""Reference data: the eleven WSIS action lines and the meetings of the historical record.
Loaded by `flask --app app init-db`; rows that exist are left as they are."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from portal.extensions import db
from portal.meetings.services import to_utc
from portal.models import GENEVA, ActionLine, Meeting, MeetingStatus, MeetingType

ACTION_LINES = [
    ("C1", "The role of public governance authorities and all stakeholders in the promotion of ICTs for development"),
    ("C2", "Information and communication infrastructure"),
    ("C3", "Access to information and knowledge"),
    ("C4", "Capacity building"),
    ("C5", "Building confidence and security in the use of ICTs"),
    ("C6", "Enabling environment"),
    ("C7", "ICT applications: e-government, e-business, e-learning, e-health, e-employment, "
           "e-environment, e-agriculture, e-science"),
    ("C8", "Cultural diversity and identity, linguistic diversity and local content"),
    ("C9", "Media"),
    ("C10", "Ethical dimensions of the Information Society"),
    ("C11", "International and regional cooperation"),
]

# code, title, type, place, virtual, start, end, deadline (local, Geneva), prefix, description
MEETINGS = [
    ("PC-1", "Geneva phase PrepCom-1", MeetingType.PREPCOM, "Geneva, Switzerland", False,
     date(2002, 7, 1), date(2002, 7, 5), None, "WSIS/PC-1",
     "First meeting of the Preparatory Committee of the Geneva phase."),
    ("PC-2", "Geneva phase PrepCom-2", MeetingType.PREPCOM, "Geneva, Switzerland", False,
     date(2003, 2, 17), date(2003, 2, 28), None, "WSIS/PC-2",
     "Second meeting of the Preparatory Committee of the Geneva phase."),
    ("PC-3", "Geneva phase PrepCom-3", MeetingType.PREPCOM, "Geneva, Switzerland", False,
     date(2003, 9, 15), date(2003, 9, 26), None, "WSIS/PC-3",
     "Third meeting of the Preparatory Committee: further work towards consensus on the draft "
     "Declaration of Principles and the draft Plan of Action."),
    ("SUMMIT-GVA", "World Summit on the Information Society, Geneva phase", MeetingType.SUMMIT,
     "Geneva, Switzerland", False, date(2003, 12, 10), date(2003, 12, 12), None, "WSIS-03/GENEVA",
     "First phase of the Summit. Adopted the Geneva Declaration of Principles and Plan of Action."),
    ("II-PC-1", "Tunis phase PrepCom-1", MeetingType.PREPCOM, "Hammamet, Tunisia", False,
     date(2004, 6, 24), date(2004, 6, 26), datetime(2004, 5, 28, 23, 59), "WSIS-II/PC-1",
     "First meeting of the Preparatory Committee of the Tunis phase. Contributions were due "
     "to the Executive Secretariat before 28 May 2004."),
    ("SUMMIT-TUN", "World Summit on the Information Society, Tunis phase", MeetingType.SUMMIT,
     "Tunis, Tunisia", False, date(2005, 11, 16), date(2005, 11, 18), None, "WSIS-05/TUNIS",
     "Second phase of the Summit. Adopted the Tunis Commitment and the Tunis Agenda for the "
     "Information Society."),
    ("FORUM-2010", "WSIS Forum 2010", MeetingType.FORUM, "Geneva, Switzerland", False,
     date(2010, 5, 10), date(2010, 5, 14), None, "WSIS/FORUM-2010",
     "Presentation of the WSIS Stocktaking report; mid-term review of WSIS implementation."),
    ("FORUM-2018", "WSIS Forum 2018", MeetingType.FORUM, "Geneva, Switzerland", False,
     date(2018, 3, 19), date(2018, 3, 23), datetime(2018, 1, 22, 23, 59), "WSIS/FORUM-2018",
     "High-Level Track on 20-21 March 2018. Policy statements were to be confirmed by "
     "22 January 2018."),
    ("FORUM-2021", "WSIS Forum 2021", MeetingType.FORUM, None, True,
     date(2021, 1, 1), date(2021, 5, 21), datetime(2021, 3, 1, 23, 59), "WSIS/FORUM-2021",
     "Held online: thematic workshops from January 2021, High-Level Track 22-26 March, final "
     "week 17-21 May 2021. Policy statements were to be confirmed by 1 March 2021."),
]


def load_reference_data() -> tuple[int, int]:
    """Insert the action lines and meetings that are missing. Returns (lines, meetings) added."""
    have_lines = set(db.session.scalars(select(ActionLine.code)))
    added_lines = 0
    for n, (code, title) in enumerate(ACTION_LINES, start=1):
        if code not in have_lines:
            db.session.add(ActionLine(code=code, number=n, title=title))
            added_lines += 1
    have_meetings = set(db.session.scalars(select(Meeting.code)))
    added_meetings = 0
    for code, title, mtype, place, virtual, start, end, deadline, prefix, desc in MEETINGS:
        if code in have_meetings:
            continue
        db.session.add(Meeting(
            code=code, title=title, type=mtype, place=place, virtual=virtual,
            start_date=start, end_date=end, deadline_tz=GENEVA,
            deadline_at=to_utc(deadline, GENEVA), accept_late=False, symbol_prefix=prefix,
            status=MeetingStatus.ARCHIVED, description=desc,
        ))
        added_meetings += 1
    db.session.flush()
    return added_lines, added_meetings
