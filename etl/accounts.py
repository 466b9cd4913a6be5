"""The write side of access control: cockpit users (hashed passwords) and the audit trail of logins, exports and
ETL triggers. The read side (cockpit.web.auth) calls these; it holds no INSERT or UPDATE of its own."""
from __future__ import annotations

from sqlalchemy import insert
from werkzeug.security import generate_password_hash

from etl.load import upsert_rows
from etl import clock
from etl.store import AuditEvent, User

ROLES = ("kiosk", "leader", "analyst", "admin")
MIN_PASSWORD = 10


def add_user(engine, username: str, password: str, role: str) -> None:
    """Create the user, or replace its password and role."""
    if role not in ROLES[1:]:
        raise ValueError(f"role must be one of {', '.join(ROLES[1:])}")
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"password must have at least {MIN_PASSWORD} characters")
    with engine.begin() as conn:
        upsert_rows(conn, User, [{"username": username, "password_hash": generate_password_hash(password),
                                  "role": role, "created_at": clock.utc_now()}])


def write_audit(engine, action: str, target: str, detail: str, username: str, who_role: str, address: str = ""):
    """An audit row, in its own transaction so it stands whatever happens next."""
    with engine.begin() as conn:
        conn.execute(insert(AuditEvent).values(at=clock.utc_now(), action=action,
                                               target=target[:256], detail=detail, username=username,
                                               role=who_role, address=address))
