"""The office service's people (#25): passwords, personal access tokens and the access log.

Passwords are Argon2id hashes (argon2-cffi's defaults, RFC 9106's second recommendation);
after three failed logins an account is blocked for a while that doubles with every further
failure (at most 15 minutes), and a good password resets it. A personal access token is
``wc_`` and 256 random bits, shown once; the records keep its SHA-256, its owner, a name,
when it expires, whether it was revoked and when it was last used. Its scope says what it
opens: ``command`` (the command line), ``session`` (a browser's cookie) or ``calendar`` (one
person's calendar feed, read only); a token opens its own scope and nothing else.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, insert, select, update

from models import clock
from records.database import aware
from records.schema import access_log, access_tokens, accounts

TOKEN_PREFIX = "wc_"
COMMAND, SESSION, CALENDAR = "command", "session", "calendar"
FREE_FAILURES = 3
LONGEST_BLOCK = timedelta(minutes=15)
MIN_PASSWORD = 12  # characters (BSI IT-Grundschutz ORP.4.A22 asks for a length fitting the use)

_hasher = PasswordHasher()  # Argon2id


@dataclass(frozen=True)
class Login:
    ok: bool
    blocked_until: datetime | None = None


@dataclass(frozen=True)
class Token:
    token_id: str
    handle: str
    name: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None
    scope: str = COMMAND


def set_password(engine: Engine, handle: str, password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"password: at least {MIN_PASSWORD} characters")
    values = {"password_hash": _hasher.hash(password), "password_set_at": clock.now(), "failed_logins": 0}
    with engine.begin() as conn:
        changed = conn.execute(
            update(accounts).where(accounts.c.handle == handle).values(**values, blocked_until=None)
        ).rowcount
        if not changed:
            conn.execute(insert(accounts).values(handle=handle, **values))


def check_password(engine: Engine, handle: str, password: str) -> Login:
    """Whether ``password`` is ``handle``'s. A blocked account is refused without checking;
    an unknown handle costs the same hashing as a known one (no way to tell them apart)."""
    now = clock.now()
    with engine.connect() as conn:
        row = conn.execute(select(accounts).where(accounts.c.handle == handle)).first()
    if row is not None and (blocked := aware(row.blocked_until)) is not None and blocked > now:
        return Login(ok=False, blocked_until=blocked)
    try:
        _hasher.verify(row.password_hash if row is not None else _DUMMY, password)
        ok = row is not None
    except (VerificationError, InvalidHashError):
        ok = False
    if row is None:
        return Login(ok=False)
    failures = 0 if ok else row.failed_logins + 1
    blocked_until = None
    if failures >= FREE_FAILURES:
        blocked_until = now + min(timedelta(seconds=2 ** (failures - FREE_FAILURES + 1)), LONGEST_BLOCK)
    with engine.begin() as conn:
        conn.execute(
            update(accounts)
            .where(accounts.c.handle == handle)
            .values(failed_logins=failures, blocked_until=blocked_until)
        )
    return Login(ok=ok, blocked_until=blocked_until)


_DUMMY = _hasher.hash(secrets.token_hex(16))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(
    engine: Engine, handle: str, name: str, lifetime: timedelta, scope: str = COMMAND
) -> tuple[str, Token]:
    """A new token for ``handle``: the token itself (shown once) and its record."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = clock.now()
    row = {
        "token_id": secrets.token_hex(6),
        "token_hash": _digest(token),
        "handle": handle,
        "name": name[:64],
        "created_at": now,
        "expires_at": now + lifetime,
        "scope": scope,
    }
    with engine.begin() as conn:
        conn.execute(insert(access_tokens).values(**row))
    return token, _token(row)


def holder(engine: Engine, token: str, scope: str = COMMAND) -> str | None:
    """The handle a valid token of ``scope`` belongs to (None: unknown, expired, revoked or
    another scope's); notes its use."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    now = clock.now()
    with engine.begin() as conn:
        row = conn.execute(select(access_tokens).where(access_tokens.c.token_hash == _digest(token))).first()
        if row is None or row.revoked_at is not None or aware(row.expires_at) <= now or row.scope != scope:
            return None
        conn.execute(update(access_tokens).where(access_tokens.c.token_id == row.token_id).values(last_used_at=now))
    return str(row.handle)


def token_state(engine: Engine, token: str, scope: str) -> tuple[str, str | None, str | None]:
    """("valid", holder, token id), or ("expired" | "revoked", None, token id), or
    ("unknown", None, None): a link that has run out says so, and shows nothing. Notes a
    valid token's use."""
    if not token.startswith(TOKEN_PREFIX):
        return "unknown", None, None
    now = clock.now()
    with engine.begin() as conn:
        row = conn.execute(select(access_tokens).where(access_tokens.c.token_hash == _digest(token))).first()
        if row is None or row.scope != scope:
            return "unknown", None, None
        if row.revoked_at is not None:
            return "revoked", None, str(row.token_id)
        if aware(row.expires_at) <= now:
            return "expired", None, str(row.token_id)
        conn.execute(update(access_tokens).where(access_tokens.c.token_id == row.token_id).values(last_used_at=now))
    return "valid", str(row.handle), str(row.token_id)


def tokens(engine: Engine, handle: str | None = None, scope: str | None = None) -> list[Token]:
    query = select(access_tokens).order_by(access_tokens.c.created_at)
    if handle is not None:
        query = query.where(access_tokens.c.handle == handle)
    if scope is not None:
        query = query.where(access_tokens.c.scope == scope)
    with engine.connect() as conn:
        return [_token(row._mapping) for row in conn.execute(query)]


def revoke(engine: Engine, token_id: str | None, handle: str | None = None, scope: str | None = None) -> int:
    """Revoke a token (only ``handle``'s own when given; with no id, all of ``handle``'s of
    ``scope``). Returns how many were revoked now."""
    query = update(access_tokens).where(access_tokens.c.revoked_at.is_(None))
    if token_id is not None:
        query = query.where(access_tokens.c.token_id == token_id)
    if handle is not None:
        query = query.where(access_tokens.c.handle == handle)
    if scope is not None:
        query = query.where(access_tokens.c.scope == scope)
    if token_id is None and (handle is None or scope is None):
        raise ValueError("revoke: a token id, or a person and a scope")
    with engine.begin() as conn:
        return int(conn.execute(query.values(revoked_at=clock.now())).rowcount)


def revoke_presented(engine: Engine, token: str) -> bool:
    """Revoke the token itself (signing out)."""
    with engine.begin() as conn:
        return bool(
            conn.execute(
                update(access_tokens)
                .where(access_tokens.c.token_hash == _digest(token), access_tokens.c.revoked_at.is_(None))
                .values(revoked_at=clock.now())
            ).rowcount
        )


def log_access(engine: Engine, handle: str, case_id: str | None, what: str, outcome: int) -> None:
    log_accesses(engine, handle, [case_id], what, outcome)


def log_accesses(engine: Engine, handle: str, case_ids: Sequence[str | None], what: str, outcome: int) -> None:
    """One record per case, in one transaction (a list of many cases)."""
    if not case_ids:
        return
    now = clock.now()
    rows = [{"at": now, "handle": handle, "case_id": c, "what": what[:64], "outcome": outcome} for c in case_ids]
    with engine.begin() as conn:
        conn.execute(insert(access_log), rows)


def accesses(engine: Engine, case_id: str) -> list[Any]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                select(access_log.c.at, access_log.c.handle, access_log.c.what, access_log.c.outcome)
                .where(access_log.c.case_id == case_id)
                .order_by(access_log.c.id)
            )
        )


def _token(row: Any) -> Token:
    return Token(
        token_id=row["token_id"],
        handle=row["handle"],
        name=row["name"],
        created_at=aware(row["created_at"]),
        expires_at=aware(row["expires_at"]),
        revoked_at=aware(row.get("revoked_at")),
        last_used_at=aware(row.get("last_used_at")),
        scope=row.get("scope") or COMMAND,
    )
