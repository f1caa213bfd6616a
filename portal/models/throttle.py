"""Counters that must hold across worker processes and machines, changed by single conditional
statements so that parallel requests can never slip past a limit.

LoginCounter: failed-login budgets, one row per key ("pair:<email key>:<address>",
"account:<email key>", "address:<address>"), each a count within a fixed window.
UploadSlot: uploads in progress, one row per (key, slot) for keys "account:<id>" and
"address:<address>"; a slot left by a killed process is freed (at once on its own machine)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base


class LoginCounter(Base):
    __tablename__ = "login_counters"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    window_start: Mapped[datetime]
    count: Mapped[int]


class UploadSlot(Base):
    __tablename__ = "upload_slots"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    slot: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    token: Mapped[str] = mapped_column(String(32))
    holder: Mapped[str] = mapped_column(String(80))  # "<host>:<pid>" of the process holding it
    acquired_at: Mapped[datetime]
