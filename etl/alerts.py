"""The alert tables and every write to them (issue 14 #1): an episode per (rule, key) from the moment a rule
first fires for it until it clears, and each message sent (fired, resolved, test) with its channel and outcome.
cockpit/web/alerts.py decides what fires; this module keeps the record. etl.store re-exports the tables."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Index, Integer, String, Text, select, update
from sqlalchemy.orm import Mapped, mapped_column

from etl.base import Base


class AlertEpisode(Base):
    """One stretch of time a rule fired for one key (an indicator, a run, a department...): open until cleared."""
    __tablename__ = "alert_episodes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    rule: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(128))
    opened_at: Mapped[datetime] = mapped_column(DateTime)  # naive UTC, as every stamp in the store
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)  # its "fired" message; None while throttled
    text: Mapped[str] = mapped_column(Text, default="")
    __table_args__ = (Index("ix_alert_episodes_open", "rule", "key", "closed_at"),)


class AlertSend(Base):
    """One message to one channel: what it said, about which rule and key, and whether the channel took it."""
    __tablename__ = "alert_sends"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    rule: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16))  # fired | resolved | test
    channel: Mapped[str] = mapped_column(String(64))
    ok: Mapped[bool] = mapped_column(Boolean)
    error: Mapped[str] = mapped_column(Text, default="")
    title: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str] = mapped_column(Text, default="")


def open_episodes(conn) -> dict[tuple[str, str], dict]:
    """The open episodes by (rule, key)."""
    rows = conn.execute(select(AlertEpisode.id, AlertEpisode.rule, AlertEpisode.key, AlertEpisode.opened_at,
                               AlertEpisode.sent_at).where(AlertEpisode.closed_at.is_(None))).all()
    return {(r.rule, r.key): r._asdict() for r in rows}


def last_sent(conn, rule: str, key: str) -> datetime | None:
    """When the newest "fired" message of (rule, key) went, in any episode (the throttle looks back at it)."""
    return conn.execute(select(AlertEpisode.sent_at).where(AlertEpisode.rule == rule, AlertEpisode.key == key,
                                                           AlertEpisode.sent_at.is_not(None))
                        .order_by(AlertEpisode.sent_at.desc()).limit(1)).scalar()


def open_episode(conn, rule: str, key: str, text: str, now: datetime, sent: bool) -> int:
    result = conn.execute(AlertEpisode.__table__.insert().values(rule=rule, key=key, opened_at=now, text=text,
                                                                 sent_at=now if sent else None))
    return int(result.inserted_primary_key[0])


def close_episode(conn, episode_id: int, now: datetime) -> None:
    conn.execute(update(AlertEpisode).where(AlertEpisode.id == episode_id).values(closed_at=now))


def record_send(conn, now: datetime, rule: str, key: str, kind: str, channel: str, ok: bool, error: str,
                title: str, link: str) -> None:
    conn.execute(AlertSend.__table__.insert().values(at=now, rule=rule, key=key, kind=kind, channel=channel, ok=ok,
                                                     error=error[:2000], title=title, link=link))
