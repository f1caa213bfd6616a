"""The listing generation: one row whose number grows, in the same transaction, with every change
that public listing pages show (a publication, a withdrawal, a renamed organisation, an edited
meeting). Worker processes compare it with the number their cached fragments were rendered at."""

from __future__ import annotations

from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base


class ListingGeneration(Base):
    __tablename__ = "listing_generation"

    id: Mapped[int] = mapped_column(primary_key=True)
    n: Mapped[int] = mapped_column(default=0)
