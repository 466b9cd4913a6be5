"""The write side of access control: cockpit users (hashed passwords) and the audit trail of logins, exports and
ETL triggers, and each user's session version (in every session cookie: a password or role change, a removal
and a logout move it, so old cookies stop working). The read side (cockpit.web.auth) calls these; it holds no
INSERT or UPDATE of its own."""
from __future__ import annotations

from sqlalchemy import delete, insert, update
from werkzeug.security import generate_password_hash

from etl import clock
from etl.store import AuditEvent, User

ROLES = ("kiosk", "leader", "analyst", "admin")
MIN_PASSWORD = 10


def _check_role(role: str) -> None:
    if role not in ROLES[1:]:
        raise ValueError(f"role must be one of {', '.join(ROLES[1:])}")


def add_user(engine, username: str, password: str, role: str) -> None:
    """Create the user, or replace its password and role (which ends every session it has: the version moves)."""
    _check_role(role)
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"password must have at least {MIN_PASSWORD} characters")
    values = {"password_hash": generate_password_hash(password), "role": role}
    with engine.begin() as conn:
        changed = conn.execute(update(User).where(User.username == username)
                               .values(**values, session_version=User.session_version + 1)).rowcount
        if not changed:
            conn.execute(insert(User).values(username=username, session_version=0,
                                             created_at=clock.utc_now(), **values))


def set_role(engine, username: str, role: str) -> None:
    """Give the user another role; its sessions end (the next request of an old cookie is anonymous)."""
    _check_role(role)
    with engine.begin() as conn:
        if not conn.execute(update(User).where(User.username == username)
                            .values(role=role, session_version=User.session_version + 1)).rowcount:
            raise LookupError(f"no user {username}")


def remove_user(engine, username: str) -> None:
    """Delete the account; a cookie of it then loads no user, so its sessions end at once."""
    with engine.begin() as conn:
        if not conn.execute(delete(User).where(User.username == username)).rowcount:
            raise LookupError(f"no user {username}")


def end_sessions(engine, username: str) -> None:
    """Logout: every cookie that carries the user's current session version stops working (copies too)."""
    with engine.begin() as conn:
        conn.execute(update(User).where(User.username == username)
                     .values(session_version=User.session_version + 1))


def write_audit(engine, action: str, target: str, detail: str, username: str, who_role: str, address: str = ""):
    """An audit row, in its own transaction so it stands whatever happens next."""
    with engine.begin() as conn:
        conn.execute(insert(AuditEvent).values(at=clock.utc_now(), action=action,
                                               target=target[:256], detail=detail, username=username,
                                               role=who_role, address=address))
