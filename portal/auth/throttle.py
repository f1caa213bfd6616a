"""Login throttling that holds under parallel requests, across worker processes and machines.

Each budget is one `LoginCounter` row: failures counted in a fixed window. A login attempt first
*reserves* one unit of every budget it is subject to, each with a single conditional statement
(INSERT ... ON CONFLICT DO UPDATE ... WHERE count < limit RETURNING), committed at once on its own
connection; only then is the password checked. So N parallel attempts can never check more passwords
than a budget allows: the check and the counting of a failure are one step. A successful login gives
its reservation back (and clears its own address's budget for the account).

The budgets (OWASP Authentication Cheat Sheet, "Account lockout" and "Slow down online guessing
attacks with device cookies"):
- address and account: a few failures, the usual typos; an attacker on one address is stopped quickly
  without touching the owner elsewhere;
- account, across all addresses: a larger budget, for untrusted clients only. A client is trusted
  for an account when it shows that account's device cookie (set by an earlier successful login in
  that browser) or comes from an address that logged in to it successfully before. So an attack from
  many addresses exhausts the account's budget for untrusted clients, while the owner, from their
  usual browser or address, still logs in;
- address, across all accounts: password spraying from one address.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import and_, case, delete, or_, update
from sqlalchemy.dialects import postgresql, sqlite

from portal.extensions import db
from portal.models import LoginCounter


@dataclass(frozen=True)
class Budget:
    key: str
    limit: int


def _insert(dialect: str):
    return (postgresql if dialect == "postgresql" else sqlite).insert(LoginCounter)


def _reserve_one(conn, budget: Budget, now: datetime, cutoff: datetime) -> bool:
    stmt = _insert(conn.dialect.name).values(key=budget.key, window_start=now, count=1)
    expired = LoginCounter.window_start < cutoff
    stmt = stmt.on_conflict_do_update(
        index_elements=[LoginCounter.key],
        set_={"count": case((expired, 1), else_=LoginCounter.count + 1),
              "window_start": case((expired, now), else_=LoginCounter.window_start)},
        where=or_(expired, LoginCounter.count < budget.limit),
    ).returning(LoginCounter.count)
    return conn.execute(stmt).first() is not None


def reserve(budgets: list[Budget], window: timedelta) -> list[Budget] | None:
    """Take one unit of each budget, or none: the budgets taken, or None (and nothing taken) when one
    is spent. Committed at once, so that every process sees it before any password is checked."""
    now = datetime.now(timezone.utc)
    cutoff = now - window
    taken: list[Budget] = []
    with db.engine.begin() as conn:
        for budget in budgets:
            if not _reserve_one(conn, budget, now, cutoff):
                _give_back(conn, taken)
                return None
            taken.append(budget)
    return taken


def _give_back(conn, budgets: list[Budget]) -> None:
    for budget in budgets:
        conn.execute(update(LoginCounter).where(and_(LoginCounter.key == budget.key, LoginCounter.count > 0))
                     .values(count=LoginCounter.count - 1))


def give_back(budgets: list[Budget], *, clear: tuple[str, ...] = ()) -> None:
    """Return reserved units (the attempt did not fail), and forget the budgets named in clear."""
    with db.engine.begin() as conn:
        _give_back(conn, budgets)
        if clear:
            conn.execute(delete(LoginCounter).where(LoginCounter.key.in_(clear)))


def prune(older_than: datetime) -> int:
    """Delete counters whose window ended before older_than."""
    return db.session.execute(delete(LoginCounter).where(LoginCounter.window_start < older_than)).rowcount
