"""The records' free text, sealed with the case's data key (#26 point 1).

What the records keep of a person or a company in words (the employer's name, notes,
summaries, reasons, candidate and document references, email subjects and bodies) is
written sealed: AES-GCM with the case's own data key (core/case_keys.py), the case id and
the column as associated data. Destroying the key at the erasure makes every copy
unreadable where it lies: the live tables, SQLite's WAL, a PostgreSQL dump taken before.

Figures that must outlive an erasure (distinct employers) count keyed pseudonyms: an HMAC
with an installation secret, wrapped by the master key beside the case keys, so a list of
company names cannot be matched against a copy of the records.

Without payload keys (the test stack under the migration switch) nothing is sealed; values
written before this release are plain and read as they are: both retire once no records
older than the release are kept, or `python -m core.sealed seal-existing` has run (docs/
operations.md).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import sys
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidTag

from models.records import ERASED

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from temporalio.client import Client

    from core.case_keys import CaseKeys

# What the records keep in words, by table: written sealed (activities/records.py).
SEALED_COLUMNS: dict[str, tuple[str, ...]] = {
    "cases": ("employer_name", "outcome_reason"),
    "journeys": ("candidate_ref", "documents", "outcome_reason"),
    "case_events": ("summary", "note"),
    "journey_events": ("summary", "note"),
    "notifications": ("subject", "body"),
}
SEALED = "sealed1:"  # the prefix of a sealed value: nonce and ciphertext, base64
PSEUDONYMS = "pseudonyms"  # the installation secret the pseudonyms are keyed with


class Sealer:
    """Seals and opens one case's values; counts with keyed pseudonyms."""

    def __init__(self, case_keys: CaseKeys | None) -> None:
        self._keys = case_keys

    @property
    def active(self) -> bool:
        return self._keys is not None

    def seal(self, case_id: str, column: str, text: str | None) -> str | None:
        if text is None or self._keys is None:
            return text
        cipher = self._keys.key(case_id, True)
        assert cipher is not None, f"case {case_id}: no data key to seal with"
        nonce = os.urandom(12)
        sealed = cipher.encrypt(nonce, text.encode(), _context(case_id, column))
        return SEALED + base64.b64encode(nonce + sealed).decode()

    def open(self, case_id: str, column: str, value: str | None) -> str | None:
        """The text; a value written before sealing as it is; ``ERASED`` once the key is gone."""
        if value is None or not value.startswith(SEALED):
            return value
        if self._keys is None:
            raise ValueError(f"case {case_id}: {column} is sealed and no payload key is configured")
        cipher = self._keys.key(case_id, False)
        if cipher is None:
            return ERASED
        raw = base64.b64decode(value.removeprefix(SEALED))
        try:
            return cipher.decrypt(raw[:12], raw[12:], _context(case_id, column)).decode()
        except InvalidTag:
            raise ValueError(f"case {case_id}: {column} does not open with the case's key") from None

    def seal_row(self, table: str, case_id: str, row: dict[str, Any]) -> dict[str, Any]:
        """The row with its sealed columns (``SEALED_COLUMNS``) sealed."""
        return row | {c: self.seal(case_id, f"{table}.{c}", row[c]) for c in SEALED_COLUMNS[table] if c in row}

    def pseudonym(self, kind: str, value: str) -> str:
        """The same value gives the same pseudonym in this installation, and only here."""
        normal = " ".join(value.lower().split())
        if self._keys is None:
            secret = b"no payload keys: the test stack"  # nothing is sealed there either
        else:
            secret = self._keys.installation_secret(PSEUDONYMS)
        return hmac.new(secret, f"{kind}:{normal}".encode(), hashlib.sha256).hexdigest()[:32]


def _context(case_id: str, column: str) -> bytes:
    return f"{case_id}/{column}".encode()


def sealer_of(client: Client) -> Sealer:
    """The sealer with the client's case keys (the worker's, the office service's)."""
    from core.case_keys import CaseKeyCodec

    codec = client.data_converter.payload_codec
    return Sealer(codec.case_keys if isinstance(codec, CaseKeyCodec) else None)


def seal_existing(engine: Engine, sealer: Sealer) -> int:
    """Seals what was written before sealing, and keeps the employers' and candidates'
    pseudonyms; erased cases are left as the erasure left them. Idempotent: a second run finds nothing; safe
    beside running workers (a row they rewrote meanwhile is left as they wrote it)."""
    from sqlalchemy import and_, not_, or_, select, update

    from records.schema import cases, erasures, journeys, metadata

    assert sealer.active, "no payload keys: nothing can be sealed"
    changed = 0
    for name, columns in SEALED_COLUMNS.items():
        table = metadata.tables[name]
        (key,) = table.primary_key.columns
        plain = or_(*(and_(table.c[c].is_not(None), not_(table.c[c].startswith(SEALED))) for c in columns))
        missing = plain
        if table is cases:
            missing = cases.c.employer_pseudonym.is_(None)
        elif table is journeys:
            missing = and_(journeys.c.candidate_pseudonym.is_(None), journeys.c.candidate_ref != ERASED)
        query = select(table).where(or_(plain, missing), table.c.case_id.not_in(select(erasures.c.case_id)))
        with engine.connect() as conn:
            rows = conn.execute(query).all()
        for row in rows:
            values = {
                c: sealer.seal(row.case_id, f"{name}.{c}", getattr(row, c))
                for c in columns
                if getattr(row, c) is not None and not getattr(row, c).startswith(SEALED)
            }
            if table is cases and row.employer_pseudonym is None:
                name_now = sealer.open(row.case_id, "cases.employer_name", row.employer_name) or ""
                values["employer_pseudonym"] = sealer.pseudonym("employer", name_now)
            if table is journeys and row.candidate_pseudonym is None and row.candidate_ref != ERASED:
                ref_now = sealer.open(row.case_id, "journeys.candidate_ref", row.candidate_ref) or ""
                values["candidate_pseudonym"] = sealer.pseudonym("candidate", ref_now)
            # Only if the row is as read: a worker that wrote it since wrote it sealed (and newer).
            unchanged = and_(
                key == getattr(row, key.name), *(table.c[c] == getattr(row, c) for c in columns if c in values)
            )
            if table is cases:
                unchanged = and_(unchanged, cases.c.employer_name == row.employer_name)
            if table is journeys:
                unchanged = and_(unchanged, journeys.c.candidate_ref == row.candidate_ref)
            with engine.begin() as conn:  # row by row: a run stopped midway is taken up again
                changed += conn.execute(update(table).where(unchanged).values(**values)).rowcount
    return changed


def main(argv: list[str]) -> int:
    """python -m core.sealed seal-existing: once after upgrading, on the server (docs/operations.md)."""
    if argv != ["seal-existing"]:
        print("usage: python -m core.sealed seal-existing", file=sys.stderr)
        return 2
    from core.case_keys import CaseKeys
    from core.client import parse_keys, payload_key_spec
    from core.config import get_settings
    from records.database import create_records_engine, migrate

    settings = get_settings()
    spec = payload_key_spec(settings)
    if spec is None:
        print("error: payload_keys: none configured (WC_PAYLOAD_KEY_FILE or WC_PAYLOAD_KEYS)", file=sys.stderr)
        return 2
    keys, current = parse_keys(spec)
    engine = create_records_engine(settings.database_url)
    try:
        migrate(engine)
        changed = seal_existing(engine, Sealer(CaseKeys(settings.database_url, keys, current)))
    finally:
        engine.dispose()
    print(f"{changed} row(s) sealed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
