"""A data key per case (#13): crypto-shredding for erasure on request.

Every payload of a case's workflows (the case, its journeys, its undeliverable emails) is
encrypted with that case's own data key; the SDK tells the codec which workflow a payload
belongs to (its serialization context), and the case id is part of every workflow id. The
data keys live in the records database (``case_keys``), each wrapped by the master payload
key (AES-GCM, the case id as associated data); destroying a case's key leaves its
histories unreadable wherever they are kept: the server's database, exports, backups.

Payloads outside a case (and those written before per-case keys) use the master key as
before. Master key rotation: the wrapped keys name their master key id, so old master keys
stay in the key file (``core.codec rotate-key-file`` keeps them) and still unwrap; new case
keys are wrapped with the new master key.

A process keeps an unwrapped key for a few seconds only (``KEEP_SECONDS``), then looks again:
once a case is erased, every process (the workers, the office service's codec endpoint)
refuses its payloads within seconds, not at its next restart.
"""

from __future__ import annotations

import asyncio
import copy
import os
import re
import threading
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.converter import SerializationContext, WithSerializationContext

from core.codec import ENCODING, KEY_ID, EncryptionCodec, PayloadKeyError
from models import clock

if TYPE_CHECKING:
    from sqlalchemy import Engine

CASE_ID = re.compile(r"WC-[0-9A-Z]{10}")
CASE_KEY = "case/"  # key id prefix of payloads sealed with a case's data key
INSTALLATION = "installation/"  # key ids of the installation's own secrets (never a case id)
KEEP_SECONDS = 5.0  # how long a process trusts a key it unwrapped before asking the records again


class CaseKeys:
    """The case data keys in the records database, unwrapped on demand and cached."""

    def __init__(self, database_url: str, masters: dict[str, bytes], current: str) -> None:
        self._url = database_url
        self._engine: Engine | None = None
        self._masters = {key_id: AESGCM(key) for key_id, key in masters.items()}
        self._current = current
        self._cache: dict[str, tuple[AESGCM, float]] = {}  # case -> (key, until when it is trusted)
        self._lock = threading.Lock()
        self._secrets: dict[str, bytes] = {}

    def _db(self) -> Engine:
        # SQLAlchemy is imported on the first key read, not with the client: commands that
        # read nothing encrypted (--help, a plain setup) start without it (#14).
        from records.database import create_records_engine

        with self._lock:
            if self._engine is None:
                self._engine = create_records_engine(self._url)
            return self._engine

    def cached(self, case_id: str) -> AESGCM | None:
        """The case's cipher if this process unwrapped its key moments ago: no database, no thread."""
        found = self._cache.get(case_id)
        return found[0] if found is not None and found[1] > time.monotonic() else None

    def key(self, case_id: str, create: bool) -> AESGCM | None:
        """The cipher of the case's data key; made on first use when ``create``; None once destroyed."""
        if (cached := self.cached(case_id)) is not None:
            return cached
        data_key = self._data_key(case_id, create)
        if data_key is None:
            return None
        key = AESGCM(data_key)
        self._cache[case_id] = (key, time.monotonic() + KEEP_SECONDS)
        return key

    def installation_secret(self, name: str) -> bytes:
        """A secret of this installation (e.g. the pseudonyms' key, core/sealed.py): made once,
        kept beside the case keys and wrapped by the master key like them, so a copy of the
        records alone does not reveal it. Never destroyed by an erasure (not a case id)."""
        if (secret := self._secrets.get(name)) is None:
            secret = self._data_key(INSTALLATION + name, True)
            assert secret is not None
            self._secrets[name] = secret
        return secret

    def _data_key(self, case_id: str, create: bool) -> bytes | None:
        row = self._read(case_id)
        if row is None and create:
            from records.database import insert_ignoring_duplicates
            from records.schema import case_keys

            nonce, data_key = os.urandom(12), AESGCM.generate_key(bit_length=256)
            wrapped = nonce + self._masters[self._current].encrypt(nonce, data_key, case_id.encode())
            with self._db().begin() as conn:
                conn.execute(
                    insert_ignoring_duplicates(self._db(), case_keys).values(
                        case_id=case_id,
                        master_key_id=self._current,
                        wrapped_key=wrapped,
                        created_at=clock.now(),
                    )
                )
            row = self._read(case_id)  # another process may have won the race: its key holds
        if row is None:
            return None
        master = self._masters.get(row.master_key_id)
        if master is None:
            raise PayloadKeyError(
                f"case {case_id}: its key is wrapped with master key '{row.master_key_id}', not configured"
            )
        return master.decrypt(row.wrapped_key[:12], row.wrapped_key[12:], case_id.encode())

    def destroy(self, case_id: str) -> bool:
        """Crypto-shredding: the case's payloads can never be read again. Returns whether a key existed."""
        from sqlalchemy import delete

        from records.schema import case_keys

        self._cache.pop(case_id, None)
        with self._db().begin() as conn:
            return bool(conn.execute(delete(case_keys).where(case_keys.c.case_id == case_id)).rowcount)

    def _read(self, case_id: str) -> Any:
        from sqlalchemy import select

        from records.schema import case_keys

        with self._db().connect() as conn:
            return conn.execute(select(case_keys).where(case_keys.c.case_id == case_id)).one_or_none()


class CaseKeyCodec(EncryptionCodec, WithSerializationContext):
    """Seals a case's payloads with its data key, everything else with the master key."""

    def __init__(
        self,
        keys: dict[str, bytes],
        current: str,
        case_keys: CaseKeys,
        case_id: str | None = None,
        plaintext: bool = False,
    ) -> None:
        super().__init__(keys, current, plaintext)
        self._case_keys = case_keys
        self._case_id = case_id
        # The SDK asks for a codec per payload it converts (its serialization context): one
        # per case, made once, sharing the master ciphers.
        self._per_case: dict[str, CaseKeyCodec] = {}

    @property
    def case_keys(self) -> CaseKeys:
        return self._case_keys

    def with_context(self, context: SerializationContext) -> CaseKeyCodec:
        match = CASE_ID.search(getattr(context, "workflow_id", None) or "")
        if match is None or match.group() == self._case_id:
            return self
        case_id = match.group()
        if (codec := self._per_case.get(case_id)) is None:
            codec = copy.copy(self)
            codec._case_id = case_id
            codec._per_case = self._per_case
            self._per_case[case_id] = codec
        return codec

    async def _cipher(self, case_id: str, create: bool) -> AESGCM | None:
        cached = self._case_keys.cached(case_id)
        return cached if cached is not None else await asyncio.to_thread(self._case_keys.key, case_id, create)

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        if self._case_id is None:
            return await super().encode(payloads)
        key_id = CASE_KEY + self._case_id
        cipher = await self._cipher(self._case_id, True)
        assert cipher is not None
        sealed = []
        for payload in payloads:
            nonce = os.urandom(12)
            data = cipher.encrypt(nonce, payload.SerializeToString(), key_id.encode())
            sealed.append(Payload(metadata={"encoding": ENCODING, KEY_ID: key_id.encode()}, data=nonce + data))
        return sealed

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        opened = []
        for payload in payloads:
            key_id = payload.metadata.get(KEY_ID, b"").decode()
            if payload.metadata.get("encoding") != ENCODING or not key_id.startswith(CASE_KEY):
                opened += await super().decode([payload])
                continue
            case_id = key_id.removeprefix(CASE_KEY)
            cipher = await self._cipher(case_id, False)
            if cipher is None:
                raise PayloadKeyError(f"case {case_id}: its key was destroyed (the case was erased)")
            plain = cipher.decrypt(payload.data[:12], payload.data[12:], key_id.encode())
            opened.append(Payload.FromString(plain))
        return opened
