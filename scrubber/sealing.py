"""Sealing quarantined lines: AES-256-GCM under a quarantine key kept apart from the pseudonym key.

A sealed quarantine entry keeps its ``source``, ``line``, ``reason`` and ``field`` readable and holds the
raw line only as ``raw_sealed``: base64 of a 12-byte random nonce followed by the ciphertext and its 16-byte
tag. The entry's source, line, reason and field are the associated data, so a sealed line moved to another
entry, or an entry whose reason or place was edited, no longer opens. ``seal_key_id`` names the key
(``scrubber.keys.key_id_of``, the id ``scrubber keygen`` prints) without revealing it.

The AES key is derived from the key material with BLAKE3 in its own context, so even the same 32 bytes
used elsewhere would give another key; the same material as the pseudonym key is still refused, because
whoever holds the sandbox's key must not be able to read the quarantine.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import os
from collections.abc import Mapping
from typing import Any

import blake3
import orjson
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from scrubber.errors import KeyMaterialError
from scrubber.keys import Key, load_key_ring

SEAL_CONTEXT = "scrubber 2026-12 quarantine seal v1"
_AD_PREFIX = b"scrubber quarantine entry v1\x00"
NONCE_BYTES = 12
TAG_BYTES = 16
RAW_SEALED = "raw_sealed"
SEAL_KEY_ID = "seal_key_id"
KEY_FLAGS = ("--quarantine-key-file", "--quarantine-key-env", "--quarantine-key-secret")


class SealBroken(Exception):
    """A sealed line that does not open: its ciphertext, tag or associated entry fields were changed."""


def associated_data(source: Any, line: Any, reason: Any, field: Any) -> bytes:
    """What a sealed line is bound to: the entry's source, line, reason and field, canonically encoded."""
    return _AD_PREFIX + orjson.dumps([source, line, reason, field])


def entry_associated_data(entry: Mapping[str, Any]) -> bytes:
    return associated_data(entry.get("source"), entry.get("line"), entry.get("reason"), entry.get("field"))


def is_sealed(entry: Mapping[str, Any]) -> bool:
    return isinstance(entry.get(RAW_SEALED), str)


class Sealer:
    """Seals and opens raw lines with one quarantine key. Built where it is used (it holds the AES key)."""

    def __init__(self, key: Key) -> None:
        self.key_id = key.key_id
        self._aead = AESGCM(blake3.blake3(key.material, derive_key_context=SEAL_CONTEXT).digest())

    def __repr__(self) -> str:
        return f"Sealer(key_id={self.key_id!r})"

    def seal(self, data: bytes, ad: bytes) -> str:
        nonce = os.urandom(NONCE_BYTES)
        return base64.b64encode(nonce + self._aead.encrypt(nonce, data, ad)).decode("ascii")

    def open(self, token: str, ad: bytes) -> bytes:
        """The raw line. Raises SealBroken (never the cryptography error, never any data)."""
        try:
            blob = base64.b64decode(token.encode("ascii"), validate=True)
        except (binascii.Error, UnicodeEncodeError, ValueError):
            raise SealBroken("raw_sealed is not base64") from None
        if len(blob) < NONCE_BYTES + TAG_BYTES:
            raise SealBroken(f"raw_sealed holds {len(blob)} bytes, fewer than a nonce and a tag")
        try:
            return self._aead.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], ad)
        except InvalidTag:
            raise SealBroken(
                "the tag does not verify: the ciphertext, or the source, line, reason or field it was sealed "
                "with, was changed"
            ) from None

    def seal_into(self, entry: dict[str, Any], data: bytes) -> dict[str, Any]:
        """Add ``raw_sealed`` and ``seal_key_id`` to an entry whose source, line, reason and field are set."""
        entry[RAW_SEALED] = self.seal(data, entry_associated_data(entry))
        entry[SEAL_KEY_ID] = self.key_id
        return entry

    def open_entry(self, entry: Mapping[str, Any]) -> bytes:
        """The raw line of a sealed entry made with this key. Raises SealBroken."""
        return self.open(str(entry[RAW_SEALED]), entry_associated_data(entry))


def load_seal_key(
    *,
    key_file: str | os.PathLike[str] | None = None,
    key_env: str | None = None,
    secret: str | None = None,
    allow_insecure_file: bool = False,
    besides: Key | None = None,
) -> Key | None:
    """The quarantine key from at most one source, or None when none is given (no default variable).

    The same 64-hex format, weak-key and key-file checks as the pseudonym key. ``besides`` is the pseudonym
    key: the same material is refused. Raises KeyMaterialError, every message starting "quarantine key".
    """
    given = [flag for flag, value in zip(KEY_FLAGS, (key_file, key_env, secret), strict=True) if value]
    if not given:
        return None
    if len(given) > 1:
        raise KeyMaterialError(f"quarantine key: give only one of {', '.join(KEY_FLAGS)} (got {', '.join(given)})")
    if key_env and not os.environ.get(key_env):
        raise KeyMaterialError(
            f"quarantine key: environment variable {key_env} (--quarantine-key-env) is not set. "
            f"Export it with 64 hex characters (make a key with: scrubber keygen --out quarantine.key)"
        )
    try:
        ring = load_key_ring(
            key_file=key_file, key_env=key_env or None, secret=secret, allow_insecure_file=allow_insecure_file
        )
    except KeyMaterialError as exc:
        raise KeyMaterialError(f"quarantine key: {exc}") from None
    if ring.retired:
        raise KeyMaterialError(
            f"quarantine key: {given[0]} holds {len(ring.keys)} keys; the quarantine key is one key "
            "(a ring is for pseudonym keys). Keep one line"
        )
    key = ring.current
    if besides is not None and hmac.compare_digest(key.material, besides.material):
        raise KeyMaterialError(
            f"quarantine key: it is the pseudonym key (key id {key.key_id}). The quarantine key must be another "
            "key, so that whoever holds the sandbox's key cannot read the quarantine. Make one with: "
            "scrubber keygen --out quarantine.key"
        )
    return key
