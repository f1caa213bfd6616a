"""Listing generations: numbers that grow, in the same transaction, with every change that public
listing pages show. One row per scope: "meeting:<id>" (a meeting's documents), "line:<id>" (an
action line's), "home" (latest contributions and counts) and "all" (organisations, meetings and
action lines themselves, shown everywhere). Worker processes compare them with the numbers their
cached fragments were rendered at; a scope without a row is at 0."""

from __future__ import annotations

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base


class ListingGeneration(Base):
    __tablename__ = "listing_generations"

    scope: Mapped[str] = mapped_column(String(40), primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger, default=0)
