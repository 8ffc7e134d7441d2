"""Encryption of every payload Temporal stores (inputs, results, states, notes): no key, no start.

AES-GCM with key rotation: payloads are encrypted with the current key and name their
key id; decoding looks the id up among all configured keys, so after a rotation old
histories still read. Payloads written before encryption was switched on pass through
unchanged only under the migration switch (``allow_plaintext_payloads``); otherwise they are
refused. Search attributes, workflow ids and failure messages are never encrypted by a
codec: they stay free of personal data on their own.

Keys come from WC_PAYLOAD_KEYS as ``id:base64key,...`` (32-byte keys, the first is the
current one), e.g. generated with ``python -m core.codec new-key 2026-11``.
"""

from __future__ import annotations

import base64
import binascii
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.converter import PayloadCodec

ENCODING = b"binary/encrypted"
KEY_ID = "encryption-key-id"


class PayloadKeyError(ValueError):
    """A key setting or an encrypted payload that the configured keys cannot handle."""


# What a payload in plaintext decodes to, unless the migration switch is on: its data is
# dropped, and no payload converter knows the encoding, which names why.
REFUSED = Payload(metadata={"encoding": b"binary/plaintext-refused-encryption-fails-closed"}, data=b"")


def parse_keys(spec: str) -> tuple[dict[str, bytes], str]:
    """``id:base64key,...`` -> (keys by id, current id). Errors name the key at fault."""
    keys: dict[str, bytes] = {}
    current = ""
    for item in (part.strip() for part in spec.split(",") if part.strip()):
        key_id, sep, encoded = item.partition(":")
        if not sep or not key_id:
            raise PayloadKeyError("payload_keys: each key must be ID:BASE64KEY")
        try:
            key = base64.b64decode(encoded, validate=True)
        except binascii.Error:
            raise PayloadKeyError(f"payload_keys: key '{key_id}' is not valid base64") from None
        if len(key) != 32:
            raise PayloadKeyError(f"payload_keys: key '{key_id}' must be 32 bytes (AES-256), not {len(key)}")
        if key_id in keys:
            raise PayloadKeyError(f"payload_keys: key id '{key_id}' given twice")
        keys[key_id] = key
        current = current or key_id
    if not keys:
        raise PayloadKeyError("payload_keys: no key given")
    return keys, current


class EncryptionCodec(PayloadCodec):
    def __init__(self, keys: dict[str, bytes], current: str, plaintext: bool = False) -> None:
        self._ciphers = {key_id: AESGCM(key) for key_id, key in keys.items()}
        self._current = current
        self._plaintext = plaintext  # the migration switch: payloads written before encryption

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        cipher = self._ciphers[self._current]
        result = []
        for payload in payloads:
            nonce = os.urandom(12)
            sealed = cipher.encrypt(nonce, payload.SerializeToString(), self._current.encode())
            result.append(Payload(metadata={"encoding": ENCODING, KEY_ID: self._current.encode()}, data=nonce + sealed))
        return result

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        result = []
        for payload in payloads:
            if payload.metadata.get("encoding") != ENCODING:
                # Refused, but not by raising: a codec error fails the whole workflow task, and
                # the case would be stuck for as long as the plaintext command is pending. An
                # encoding no converter knows fails only the one argument: the Update is
                # rejected, the query fails, the case goes on.
                result.append(payload if self._plaintext else REFUSED)
                continue
            key_id = payload.metadata.get(KEY_ID, b"").decode()
            cipher = self._ciphers.get(key_id)
            if cipher is None:
                raise PayloadKeyError(f"payload encrypted with key '{key_id}', which is not in WC_PAYLOAD_KEYS")
            plain = cipher.decrypt(payload.data[:12], payload.data[12:], key_id.encode())
            result.append(Payload.FromString(plain))
        return result


def new_key(key_id: str) -> str:
    return f"{key_id}:{base64.b64encode(os.urandom(32)).decode()}"


def ensure_key_file(path: Path, key_id: str) -> bool:
    """Create the key file (mode 0600, never printed) unless it exists. Returns whether it did."""
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(new_key(key_id) + "\n")
    return True


def rotate_key_file(path: Path, key_id: str) -> None:
    """Put a new current key in front; the old ones stay, so old histories still read."""
    old = path.read_text().strip()
    path.write_text(f"{new_key(key_id)},{old}\n")
    path.chmod(0o600)


if __name__ == "__main__":
    usage = "usage: python -m core.codec new-key KEY_ID | ensure-key-file PATH KEY_ID | rotate-key-file PATH KEY_ID"
    match sys.argv[1:]:
        case ["new-key", key_id]:
            print(new_key(key_id))
        case ["ensure-key-file", path, key_id]:
            if ensure_key_file(Path(path), key_id):
                print(f"payload key created in {path} (mode 0600)", file=sys.stderr)
        case ["rotate-key-file", path, key_id]:
            rotate_key_file(Path(path), key_id)
            print(f"new current key {key_id} in {path}; older keys kept for reading", file=sys.stderr)
        case _:
            sys.exit(usage)
