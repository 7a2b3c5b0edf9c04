"""Loading and checking the pseudonymisation key.

A key comes from a key file, an environment variable or a secret manager,
never from a catalogue. It is 32 bytes (or 64 hex characters); anything shorter
is refused. Only a key id derived from the key is ever shown or recorded.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import blake3

from scrubber.errors import KeyMaterialError

KEY_BYTES = 32
DEFAULT_KEY_ENV = "SCRUBBER_KEY"
_KEY_ID_CONTEXT = "scrubber 2026-11 key id v1"
_MIN_DISTINCT_BYTES = 8


@dataclass(frozen=True)
class Key:
    """32 bytes of key material and its public id. ``repr`` never shows the material."""

    material: bytes = field(repr=False)
    key_id: str = ""

    def __repr__(self) -> str:
        return f"Key(key_id={self.key_id!r})"

    __str__ = __repr__


def key_id_of(material: bytes) -> str:
    """A 16-hex-character id that names the key in audits without revealing it."""
    return blake3.blake3(material, derive_key_context=_KEY_ID_CONTEXT).hexdigest()[:16]


def make_key(material: bytes, *, allow_weak: bool = False, source: str = "key") -> Key:
    """Check raw key material and wrap it. ``allow_weak`` is for tests with fixed keys only."""
    if not isinstance(material, (bytes, bytearray)):
        raise KeyMaterialError(f"{source}: a key must be bytes, got {type(material).__name__}")
    material = bytes(material)
    if len(material) != KEY_BYTES:
        raise KeyMaterialError(
            f"{source}: a key must be exactly {KEY_BYTES} bytes (or {2 * KEY_BYTES} hex characters), "
            f"got {len(material)} bytes. Make one with: "
            f'python -c "import secrets; print(secrets.token_hex({KEY_BYTES}))" > scrubber.key'
        )
    if not allow_weak and len(set(material)) < _MIN_DISTINCT_BYTES:
        raise KeyMaterialError(
            f"{source}: the key looks like a test or placeholder key (fewer than "
            f"{_MIN_DISTINCT_BYTES} distinct byte values). Generate a random one with "
            f'python -c "import secrets; print(secrets.token_hex({KEY_BYTES}))"'
        )
    return Key(material=material, key_id=key_id_of(material))


def parse_key_text(raw: bytes, *, source: str, allow_weak: bool = False) -> Key:
    """Decode key text: 64 hex characters (whitespace ignored) or exactly 32 raw (binary, not text) bytes."""
    stripped = raw.strip()
    if len(stripped) == 2 * KEY_BYTES:
        try:
            return make_key(bytes.fromhex(stripped.decode("ascii")), allow_weak=allow_weak, source=source)
        except (UnicodeDecodeError, ValueError):
            pass
    if len(raw) == KEY_BYTES:
        if all(0x20 <= b < 0x7F for b in raw):
            # 32 random bytes are all printable ASCII with probability ~1e-14: this is text, e.g. a 16-byte
            # key in hex or a passphrase, with far less than 32 bytes of entropy.
            raise KeyMaterialError(
                f"{source}: {KEY_BYTES} characters of text are not a {KEY_BYTES}-byte key (a {KEY_BYTES // 2}-byte "
                f"key in hex, or a passphrase?). A key is {2 * KEY_BYTES} hex characters. Make one with: "
                f'python -c "import secrets; print(secrets.token_hex({KEY_BYTES}))" > scrubber.key'
            )
        return make_key(raw, allow_weak=allow_weak, source=source)
    raise KeyMaterialError(
        f"{source}: expected {2 * KEY_BYTES} hex characters or {KEY_BYTES} raw bytes "
        f"(found {len(stripped)} characters after trimming). Make one with: "
        f'python -c "import secrets; print(secrets.token_hex({KEY_BYTES}))" > scrubber.key'
    )


def load_key(
    *,
    key_file: str | os.PathLike[str] | None = None,
    key_env: str | None = None,
    secret: str | None = None,
    allow_weak: bool = False,
) -> Key:
    """Load the key from exactly one source: a file, an environment variable or a secret manager.

    With no source given, the ``SCRUBBER_KEY`` environment variable is used.
    """
    given = [s for s in (key_file, key_env, secret) if s]
    if len(given) > 1:
        raise KeyMaterialError("give only one of --key-file, --key-env and --key-secret")
    if key_file:
        path = Path(key_file)
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise KeyMaterialError(
                f"cannot read key file {path}: {exc.strerror or type(exc).__name__}. "
                "Check the path and its permissions."
            ) from None
        return parse_key_text(raw, source=f"key file {path}", allow_weak=allow_weak)
    if secret:
        return parse_key_text(read_secret(secret), source=f"secret {secret}", allow_weak=allow_weak)
    env_name = key_env or DEFAULT_KEY_ENV
    value = os.environ.get(env_name)
    if not value:
        raise KeyMaterialError(
            f"no key: environment variable {env_name} is not set. Pass --key-file PATH, "
            f"--key-env NAME or --key-secret URI, or export {env_name}=<{2 * KEY_BYTES} hex characters>."
        )
    return parse_key_text(
        value.encode("utf-8", "surrogateescape"), source=f"environment variable {env_name}", allow_weak=allow_weak
    )


def read_secret(uri: str) -> bytes:
    """Fetch key text from a secret manager.

    ``gcp-secret://projects/P/secrets/S/versions/V`` uses google-cloud-secret-manager,
    ``aws-secret://NAME`` uses boto3; both are optional installs.
    """
    if uri.startswith("gcp-secret://"):
        try:
            from google.cloud import secretmanager  # type: ignore[import-not-found]
        except ImportError:
            raise KeyMaterialError(
                "gcp-secret:// needs google-cloud-secret-manager: pip install google-cloud-secret-manager"
            ) from None
        client = secretmanager.SecretManagerServiceClient()
        response = client.access_secret_version(name=uri.removeprefix("gcp-secret://"))
        return bytes(response.payload.data)
    if uri.startswith("aws-secret://"):
        try:
            import boto3  # type: ignore[import-not-found]
        except ImportError:
            raise KeyMaterialError("aws-secret:// needs boto3: pip install boto3") from None
        response = boto3.client("secretsmanager").get_secret_value(SecretId=uri.removeprefix("aws-secret://"))
        value = response.get("SecretBinary") or response["SecretString"].encode()
        return bytes(value)
    raise KeyMaterialError(
        "unknown secret URI scheme; use gcp-secret://projects/P/secrets/S/versions/V or aws-secret://NAME"
    )
