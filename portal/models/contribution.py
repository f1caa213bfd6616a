"""Contributions, their versions (revisions) and their files (one per language).

A Contribution is the document under one symbol number. Each Version is one round of
moderation: the first submission, then each revision (Rev.1, Rev.2...). A Version holds the
title, summary and action lines, and one file per language; the file in the contribution's
original language is the original."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, utcnow
from portal.models.enums import (
    LANGUAGE_LETTERS,
    ContributionState,
    ExtractionStatus,
    Language,
    ScanStatus,
    Series,
    enum_column,
)
from portal.models.meeting import ActionLine, Meeting
from portal.models.organisation import Organisation
from portal.models.user import User

version_action_lines = Table(
    "version_action_lines",
    Base.metadata,
    Column("version_id", ForeignKey("versions.id", ondelete="CASCADE"), primary_key=True),
    Column("action_line_id", ForeignKey("action_lines.id", ondelete="RESTRICT"), primary_key=True),
)

contribution_cosponsors = Table(
    "contribution_cosponsors",
    Base.metadata,
    Column("contribution_id", ForeignKey("contributions.id", ondelete="CASCADE"), primary_key=True),
    Column("organisation_id", ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True),
)


class Contribution(Base):
    __tablename__ = "contributions"
    __table_args__ = (
        UniqueConstraint("meeting_id", "series", "number", name="symbol_number"),
        Index("ix_contributions_state_meeting", "state", "meeting_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="RESTRICT"), index=True)
    # None for the secretariat's own documents (drafts of outcome documents).
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    series: Mapped[Series] = mapped_column(enum_column(Series, "series"), default=Series.CONTR)
    number: Mapped[int | None]  # given at first publication
    original_language: Mapped[Language] = mapped_column(enum_column(Language, "language"))
    state: Mapped[ContributionState] = mapped_column(
        enum_column(ContributionState, "contribution_state"), default=ContributionState.DRAFT)
    comments_on_id: Mapped[int | None] = mapped_column(
        ForeignKey("contributions.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    first_published_at: Mapped[datetime | None] = mapped_column(index=True)
    withdrawn_at: Mapped[datetime | None]
    # The version the public sees: the latest published one.
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("versions.id", ondelete="SET NULL", use_alter=True, name="fk_contributions_current_version"))

    meeting: Mapped[Meeting] = relationship()
    organisation: Mapped[Organisation | None] = relationship(foreign_keys=[organisation_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    comments_on: Mapped[Contribution | None] = relationship(remote_side=[id], foreign_keys=[comments_on_id])
    versions: Mapped[list[Version]] = relationship(
        back_populates="contribution", foreign_keys="Version.contribution_id",
        order_by="Version.id", cascade="all, delete-orphan")
    current_version: Mapped[Version | None] = relationship(foreign_keys=[current_version_id], post_update=True)
    cosponsors: Mapped[list[Organisation]] = relationship(secondary=contribution_cosponsors,
                                                          order_by="Organisation.name")
    events: Mapped[list[ContributionEvent]] = relationship(
        back_populates="contribution", order_by="ContributionEvent.id", cascade="all, delete-orphan")

    @property
    def is_public(self) -> bool:
        """Listed publicly: published, or withdrawn after publication (listed as withdrawn)."""
        return self.first_published_at is not None and self.state in (
            ContributionState.PUBLISHED, ContributionState.WITHDRAWN)

    @property
    def latest_version(self) -> Version | None:
        return self.versions[-1] if self.versions else None

    @property
    def language_letter(self) -> str | None:
        return LANGUAGE_LETTERS.get(self.original_language)

    def symbol(self, revision: int | None = None, language: Language | None = None) -> str | None:
        """e.g. WSIS/PC-3/CONTR/12-E, WSIS-05/TUNIS/DOC/6(Rev.1)-E. None before publication."""
        if self.number is None:
            return None
        base = f"{self.meeting.symbol_prefix}/{self.series.value}/{self.number}"
        if revision:
            base += f"(Rev.{revision})"
        letter = LANGUAGE_LETTERS.get(language or self.original_language)
        return f"{base}-{letter}" if letter else base

    def __repr__(self) -> str:  # pragma: no cover
        return f"<Contribution {self.id} {self.state.value}>"


class Version(Base):
    __tablename__ = "versions"
    __table_args__ = (Index("ix_versions_state", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contribution_id: Mapped[int] = mapped_column(ForeignKey("contributions.id", ondelete="CASCADE"), index=True)
    # 0 for the first published version, 1 for Rev.1...; None until published.
    revision: Mapped[int | None]
    state: Mapped[ContributionState] = mapped_column(
        enum_column(ContributionState, "version_state"), default=ContributionState.DRAFT)
    title: Mapped[str] = mapped_column(String(500))
    summary: Mapped[str] = mapped_column(Text, default="")
    late: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Bumped by every change: two moderators deciding at once cannot both win.
    lock_version: Mapped[int] = mapped_column(Integer, default=0)

    contribution: Mapped[Contribution] = relationship(back_populates="versions", foreign_keys=[contribution_id])
    action_lines: Mapped[list[ActionLine]] = relationship(secondary=version_action_lines,
                                                          order_by="ActionLine.number")
    files: Mapped[list[DocumentFile]] = relationship(back_populates="version", order_by="DocumentFile.id",
                                                     cascade="all, delete-orphan")
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def original_file(self) -> DocumentFile | None:
        for f in self.files:
            if f.language == self.contribution.original_language:
                return f
        return self.files[0] if self.files else None

    @property
    def published_files(self) -> list[DocumentFile]:
        return [f for f in self.files if f.published_at is not None]

    @property
    def extraction_failed(self) -> bool:
        return any(f.extraction_status == ExtractionStatus.FAILED for f in self.files)


class DocumentFile(Base):
    """One file of a version, in one language. The bytes live in storage under a generated
    key; the original name is kept for display and downloads only."""

    __tablename__ = "document_files"
    __table_args__ = (UniqueConstraint("version_id", "language", name="one_file_per_language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id", ondelete="CASCADE"), index=True)
    language: Mapped[Language] = mapped_column(enum_column(Language, "file_language"))
    storage_key: Mapped[str] = mapped_column(String(64), unique=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    filename: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(8))        # pdf, docx, odt, txt
    mimetype: Mapped[str] = mapped_column(String(100))
    # Deferred: lists load many files and never show their text (which may be hundreds of kilobytes).
    text: Mapped[str | None] = mapped_column(Text, deferred=True)
    extraction_status: Mapped[ExtractionStatus] = mapped_column(
        enum_column(ExtractionStatus, "extraction_status"), default=ExtractionStatus.PENDING)
    extraction_error: Mapped[str | None] = mapped_column(String(500))
    pages: Mapped[int | None]
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A language version added after publication waits for the secretariat like any upload.
    published_at: Mapped[datetime | None]
    scan_status: Mapped[ScanStatus] = mapped_column(
        enum_column(ScanStatus, "scan_status"), default=ScanStatus.UNSCANNED, server_default="unscanned",
        index=True)
    scan_signature: Mapped[str | None] = mapped_column(String(200))
    scanned_at: Mapped[datetime | None]

    version: Mapped[Version] = relationship(back_populates="files")
    uploaded_by: Mapped[User | None] = relationship()

    @property
    def letter(self) -> str | None:
        return LANGUAGE_LETTERS.get(self.language)

    @property
    def quarantined(self) -> bool:
        """Not yet scanned because the scanner could not be reached, or found infected: nobody but
        its uploader downloads it (an infected file, nobody), and it cannot be published."""
        return self.scan_status in (ScanStatus.PENDING, ScanStatus.INFECTED)


class ContributionEvent(Base):
    """The audit trail of one contribution: every transition, who, when, why."""

    __tablename__ = "contribution_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    contribution_id: Mapped[int] = mapped_column(ForeignKey("contributions.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int | None] = mapped_column(ForeignKey("versions.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str | None] = mapped_column(String(20))
    comment: Mapped[str | None] = mapped_column(Text)

    contribution: Mapped[Contribution] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()
    version: Mapped[Version | None] = relationship()


class SymbolCounter(Base):
    """The last number given in one meeting's series. Incremented inside the publishing
    transaction, so two publications never share a number."""

    __tablename__ = "symbol_counters"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True)
    series: Mapped[Series] = mapped_column(enum_column(Series, "counter_series"), primary_key=True)
    last: Mapped[int] = mapped_column(default=0)


class IndexJob(Base):
    """A contribution whose search entry must be brought in line with the database. Written
    in the same transaction as the change; drained by one writer; replayed after a crash."""

    __tablename__ = "index_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    contribution_id: Mapped[int] = mapped_column(index=True)  # no FK: the row may be gone
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
