"""The WSIS Stocktaking: activities that stakeholders carry out to implement the WSIS outcomes.

An Entry is one activity of one organisation (its owner). Each EntryVersion is one round of
moderation, as with contributions: the first description, then each update. The public sees the
entry's current (published) version while an update waits for the secretariat. Every transition is
an EntryEvent. A Call is the secretariat's yearly request to review the entries; an entry confirmed
or updated during a call is "updated for" that call's year (a CallAnswer)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Column,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, utcnow
from portal.models.enums import (
    ActivityStatus,
    EntryState,
    ExtractionStatus,
    Language,
    PartnerRole,
    ScanStatus,
    enum_column,
)
from portal.models.meeting import ActionLine
from portal.models.organisation import Organisation
from portal.models.user import User

entry_version_action_lines = Table(
    "stocktaking_version_action_lines",
    Base.metadata,
    Column("version_id", ForeignKey("stocktaking_versions.id", ondelete="CASCADE"), primary_key=True),
    Column("action_line_id", ForeignKey("action_lines.id", ondelete="RESTRICT"), primary_key=True),
)


class Entry(Base):
    __tablename__ = "stocktaking_entries"
    __table_args__ = (Index("ix_stocktaking_entries_state_org", "state", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    state: Mapped[EntryState] = mapped_column(enum_column(EntryState, "entry_state"), default=EntryState.DRAFT)
    # The secretariat's own reference for imported records: importing again updates, not duplicates.
    external_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    first_published_at: Mapped[datetime | None]
    # When its owner last published an update or confirmed it: "not updated since <year>".
    reviewed_at: Mapped[datetime | None]
    # Not updated in two calls in a row: listed apart and left out of the report's counts.
    inactive: Mapped[bool] = mapped_column(default=False)
    current_version_id: Mapped[int | None] = mapped_column(ForeignKey(
        "stocktaking_versions.id", ondelete="SET NULL", use_alter=True,
        name="fk_stocktaking_entries_current_version"))

    organisation: Mapped[Organisation] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    versions: Mapped[list[EntryVersion]] = relationship(
        back_populates="entry", foreign_keys="EntryVersion.entry_id", order_by="EntryVersion.id",
        cascade="all, delete-orphan")
    current_version: Mapped[EntryVersion | None] = relationship(foreign_keys=[current_version_id],
                                                                post_update=True)
    events: Mapped[list[EntryEvent]] = relationship(back_populates="entry", order_by="EntryEvent.id",
                                                    cascade="all, delete-orphan")
    answers: Mapped[list[CallAnswer]] = relationship(back_populates="entry", cascade="all, delete-orphan")

    @property
    def latest_version(self) -> EntryVersion | None:
        return self.versions[-1] if self.versions else None

    @property
    def pending_version(self) -> EntryVersion | None:
        """The version being written or moderated, if it is not the published one."""
        v = self.latest_version
        return v if v is not None and v.id != self.current_version_id and v.state in (
            EntryState.DRAFT, EntryState.SUBMITTED, EntryState.RETURNED) else None

    @property
    def updated_years(self) -> list[int]:
        return sorted({a.call.year for a in self.answers})

    def __repr__(self) -> str:  # pragma: no cover
        return f"<Entry {self.id} {self.state.value}>"


class EntryVersion(Base):
    __tablename__ = "stocktaking_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("stocktaking_entries.id", ondelete="CASCADE"), index=True)
    state: Mapped[EntryState] = mapped_column(enum_column(EntryState, "entry_version_state"),
                                              default=EntryState.DRAFT)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ActivityStatus] = mapped_column(enum_column(ActivityStatus, "activity_status"))
    start_date: Mapped[date | None]
    end_date: Mapped[date | None]
    websites: Mapped[str] = mapped_column(Text, default="")  # one http(s) address per line
    contact_role: Mapped[str] = mapped_column(String(200), default="")
    looking_for_partners: Mapped[bool] = mapped_column(default=False)
    looking_for_funding: Mapped[bool] = mapped_column(default=False)
    funding_amount: Mapped[int | None]  # whole units of funding_currency
    funding_currency: Mapped[str | None] = mapped_column(String(3))  # ISO 4217
    language: Mapped[Language] = mapped_column(enum_column(Language, "entry_language"))
    is_global: Mapped[bool] = mapped_column(default=False)
    main_action_line_id: Mapped[int | None] = mapped_column(ForeignKey("action_lines.id", ondelete="RESTRICT"))
    # The image: stored bytes (re-encoded), its type and size in pixels.
    image_key: Mapped[str | None] = mapped_column(String(64))
    image_sha256: Mapped[str | None] = mapped_column(String(64))
    image_type: Mapped[str | None] = mapped_column(String(10))  # png, jpeg
    image_width: Mapped[int | None]
    image_height: Mapped[int | None]
    image_alt: Mapped[str] = mapped_column(String(300), default="")
    comment: Mapped[str | None] = mapped_column(Text)  # the secretariat's, when returned or rejected
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Bumped by every change: two moderators deciding at once cannot both win.
    lock_version: Mapped[int] = mapped_column(Integer, default=0)

    entry: Mapped[Entry] = relationship(back_populates="versions", foreign_keys=[entry_id])
    action_lines: Mapped[list[ActionLine]] = relationship(secondary=entry_version_action_lines,
                                                          order_by="ActionLine.number")
    main_action_line: Mapped[ActionLine | None] = relationship(foreign_keys=[main_action_line_id])
    sdg_rows: Mapped[list[EntrySdg]] = relationship(order_by="EntrySdg.goal", cascade="all, delete-orphan")
    country_rows: Mapped[list[EntryCountry]] = relationship(order_by="EntryCountry.country",
                                                            cascade="all, delete-orphan")
    partners: Mapped[list[EntryPartner]] = relationship(order_by="EntryPartner.id", cascade="all, delete-orphan")
    files: Mapped[list[EntryFile]] = relationship(back_populates="version", order_by="EntryFile.id",
                                                  cascade="all, delete-orphan")
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def sdgs(self) -> list[int]:
        return [r.goal for r in self.sdg_rows]

    @property
    def countries(self) -> list[str]:
        return [r.country for r in self.country_rows]

    @property
    def website_list(self) -> list[str]:
        return [w for w in self.websites.splitlines() if w.strip()]


class EntrySdg(Base):
    __tablename__ = "stocktaking_version_sdgs"

    version_id: Mapped[int] = mapped_column(ForeignKey("stocktaking_versions.id", ondelete="CASCADE"),
                                            primary_key=True)
    goal: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)  # 1-17


class EntryCountry(Base):
    __tablename__ = "stocktaking_version_countries"

    version_id: Mapped[int] = mapped_column(ForeignKey("stocktaking_versions.id", ondelete="CASCADE"),
                                            primary_key=True)
    country: Mapped[str] = mapped_column(String(2), primary_key=True)  # ISO 3166-1 alpha-2


class EntryPartner(Base):
    """A partner organisation: one of the portal's organisations, or a name typed in."""

    __tablename__ = "stocktaking_partners"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("stocktaking_versions.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(200))  # the organisation's name when it was chosen
    role: Mapped[PartnerRole] = mapped_column(enum_column(PartnerRole, "partner_role"))

    organisation: Mapped[Organisation | None] = relationship()


class EntryFile(Base):
    """A document attached to a version; received like a contribution's file. A new version shares
    its files' stored bytes with the version it was made from."""

    __tablename__ = "stocktaking_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("stocktaking_versions.id", ondelete="CASCADE"), index=True)
    storage_key: Mapped[str] = mapped_column(String(64), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    filename: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(8))
    mimetype: Mapped[str] = mapped_column(String(100))
    text: Mapped[str | None] = mapped_column(Text, deferred=True)
    extraction_status: Mapped[ExtractionStatus] = mapped_column(
        enum_column(ExtractionStatus, "entry_extraction_status"), default=ExtractionStatus.PENDING)
    pages: Mapped[int | None]
    scan_status: Mapped[ScanStatus] = mapped_column(
        enum_column(ScanStatus, "entry_scan_status"), default=ScanStatus.UNSCANNED)
    scan_signature: Mapped[str | None] = mapped_column(String(200))
    scanned_at: Mapped[datetime | None]
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    version: Mapped[EntryVersion] = relationship(back_populates="files")

    @property
    def quarantined(self) -> bool:
        return self.scan_status in (ScanStatus.PENDING, ScanStatus.INFECTED)


class EntryEvent(Base):
    """The trail of one entry: every transition, who, when, why."""

    __tablename__ = "stocktaking_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("stocktaking_entries.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int | None] = mapped_column(ForeignKey("stocktaking_versions.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str | None] = mapped_column(String(20))
    comment: Mapped[str | None] = mapped_column(Text)

    entry: Mapped[Entry] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class Call(Base):
    """A yearly Stocktaking call: "Stocktaking 2010, answers by 30 March 2010"."""

    __tablename__ = "stocktaking_calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(unique=True)
    deadline: Mapped[datetime]
    message: Mapped[str] = mapped_column(Text, default="")
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Set by send-reminders: the reminder before the deadline, and the closing after it (each once).
    reminded_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]

    opened_by: Mapped[User | None] = relationship()
    answers: Mapped[list[CallAnswer]] = relationship(back_populates="call", cascade="all, delete-orphan")


class CallAnswer(Base):
    """An entry confirmed or updated during a call."""

    __tablename__ = "stocktaking_call_answers"
    __table_args__ = (UniqueConstraint("call_id", "entry_id", name="one_answer_per_call"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("stocktaking_calls.id", ondelete="CASCADE"))
    entry_id: Mapped[int] = mapped_column(ForeignKey("stocktaking_entries.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    updated: Mapped[bool] = mapped_column(default=False)  # False: confirmed as it is

    call: Mapped[Call] = relationship(back_populates="answers")
    entry: Mapped[Entry] = relationship(back_populates="answers")


class ContactMessage(Base):
    """A message sent to an entry's organisation through the portal: kept for the secretariat
    (abuse), never shown to the public."""

    __tablename__ = "stocktaking_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("stocktaking_entries.id", ondelete="CASCADE"), index=True)
    sender_name: Mapped[str] = mapped_column(String(200))
    sender_email: Mapped[str] = mapped_column(String(254))
    body: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    ip: Mapped[str | None] = mapped_column(String(64))


class EntryIndexJob(Base):
    """An entry whose search entry must be brought in line with the database (as IndexJob for
    contributions): written in the same transaction as the change, drained after it commits."""

    __tablename__ = "stocktaking_index_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(index=True)  # no FK: the row may be gone
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
