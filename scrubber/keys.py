"""Loading and checking the pseudonymisation key, and the key ring used across a rotation.

A key comes from a key file, an environment variable or a secret manager,
never from a catalogue. It is 32 bytes (or 64 hex characters); anything shorter
is refused. Only a key id derived from the key is ever shown or recorded. A key file that another
user owns, or that group or others may read or write, is refused (``chmod 600``), unless overridden.

A key ring is the same text with several keys, one per line (``#`` starts a comment): the first is
the current key, which runs write with; the others are retired keys, still accepted for lookups
(``scrubber subject``) and recognised by ``scrubber verify``. A single-key file is a ring of one.
"""

from __future__ import annotations

import os
import stat
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


@dataclass(frozen=True)
class KeyRing:
    """The current key and the retired keys still accepted for lookups, newest first."""

    current: Key
    retired: tuple[Key, ...] = ()

    def __repr__(self) -> str:
        return f"KeyRing(current={self.current.key_id!r}, retired={[k.key_id for k in self.retired]!r})"

    __str__ = __repr__

    @property
    def keys(self) -> tuple[Key, ...]:
        return (self.current, *self.retired)

    @property
    def key_ids(self) -> list[str]:
        return [k.key_id for k in self.keys]

    def status_of(self, key_id: str) -> str:
        """'current', 'retired' or 'unknown'."""
        if key_id == self.current.key_id:
            return "current"
        return "retired" if any(k.key_id == key_id for k in self.retired) else "unknown"

    def by_id(self, key_id: str) -> Key:
        """The key with this id. Raises KeyMaterialError naming the ids the ring holds."""
        for key in self.keys:
            if key.key_id == key_id:
                return key
        raise KeyMaterialError(
            f"unknown key id {key_id!r}: the key ring holds {', '.join(self.key_ids)} (current first). "
            "Add the retired key to the ring (one key per line, the current key first) or pick one of those ids"
        )


def parse_key_ring_text(raw: bytes, *, source: str, allow_weak: bool = False) -> KeyRing:
    """One key (see ``parse_key_text``) or several, one per line; ``#`` comments and blank lines are skipped."""
    if len(raw) == KEY_BYTES and not all(0x20 <= b < 0x7F or b in b"\r\n\t" for b in raw):
        return KeyRing(parse_key_text(raw, source=source, allow_weak=allow_weak))  # 32 raw binary bytes
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError:
        return KeyRing(parse_key_text(raw, source=source, allow_weak=allow_weak))  # refused there, with advice
    lines = [line.split("#", 1)[0].strip() for line in text.splitlines()]
    entries = [(n, line) for n, line in enumerate(lines, 1) if line]
    if len(entries) <= 1 and "#" not in text:
        return KeyRing(parse_key_text(raw, source=source, allow_weak=allow_weak))
    if len(entries) <= 1:
        return KeyRing(parse_key_text(entries[0][1].encode() if entries else b"", source=source, allow_weak=allow_weak))
    keys: list[Key] = []
    for line_no, entry in entries:
        key = parse_key_text(entry.encode(), source=f"{source}: line {line_no}", allow_weak=allow_weak)
        if any(k.key_id == key.key_id for k in keys):
            raise KeyMaterialError(
                f"{source}: line {line_no}: the same key is in the ring twice (key id {key.key_id}); a ring holds "
                "each key once. Remove the line, or put a new current key first, made with: "
                f'python -c "import secrets; print(secrets.token_hex({KEY_BYTES}))"'
            )
        keys.append(key)
    return KeyRing(keys[0], tuple(keys[1:]))


def load_key(
    *,
    key_file: str | os.PathLike[str] | None = None,
    key_env: str | None = None,
    secret: str | None = None,
    allow_weak: bool = False,
    allow_insecure_file: bool = False,
) -> Key:
    """The current key from exactly one source (see ``load_key_ring``)."""
    return load_key_ring(
        key_file=key_file,
        key_env=key_env,
        secret=secret,
        allow_weak=allow_weak,
        allow_insecure_file=allow_insecure_file,
    ).current


INSECURE_FILE_FLAG = "--allow-insecure-key-file"


def check_key_file(path: Path, st: os.stat_result) -> None:
    """Refuse a key file that another user owns or that group or others may read or write (as ssh does)."""
    if os.name != "posix":
        return
    if st.st_uid != os.geteuid():
        raise KeyMaterialError(
            f"key file {path} is owned by uid {st.st_uid}, not by you (uid {os.geteuid()}): whoever owns it can "
            f"read or replace the key. Copy it to a file of your own (cp then chmod 600), or pass {INSECURE_FILE_FLAG}"
        )
    if st.st_mode & 0o077:
        raise KeyMaterialError(
            f"key file {path} has mode {stat.S_IMODE(st.st_mode):04o}: group or others can read or change it. "
            f"Fix it with: chmod 600 {path}  (or pass {INSECURE_FILE_FLAG})"
        )


def read_key_file(path: Path, *, allow_insecure: bool = False) -> bytes:
    """The bytes of a key file, after checking its owner and mode on the open file (no race with a rename)."""
    try:
        with path.open("rb") as handle:
            if not allow_insecure:
                check_key_file(path, os.fstat(handle.fileno()))
            return handle.read()
    except OSError as exc:
        raise KeyMaterialError(
            f"cannot read key file {path}: {exc.strerror or type(exc).__name__}. Check the path and its permissions."
        ) from None


def write_key_file(path: Path, text: str) -> None:
    """Create a new key file with mode 0600 whatever the umask; refuse to replace an existing file."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise KeyMaterialError(f"{path} exists; a key is never overwritten. Choose another name") from None
    except OSError as exc:
        raise KeyMaterialError(f"cannot create {path}: {exc.strerror or type(exc).__name__}") from None
    with os.fdopen(fd, "w") as handle:
        os.fchmod(fd, 0o600)
        handle.write(text)


def load_key_ring(
    *,
    key_file: str | os.PathLike[str] | None = None,
    key_env: str | None = None,
    secret: str | None = None,
    allow_weak: bool = False,
    allow_insecure_file: bool = False,
) -> KeyRing:
    """Load the key ring from exactly one source: a file, an environment variable or a secret manager.

    With no source given, the ``SCRUBBER_KEY`` environment variable is used.
    """
    given = [s for s in (key_file, key_env, secret) if s]
    if len(given) > 1:
        raise KeyMaterialError("give only one of --key-file, --key-env and --key-secret")
    if key_file:
        path = Path(key_file)
        raw = read_key_file(path, allow_insecure=allow_insecure_file)
        return parse_key_ring_text(raw, source=f"key file {path}", allow_weak=allow_weak)
    if secret:
        return parse_key_ring_text(read_secret(secret), source=f"secret {secret}", allow_weak=allow_weak)
    env_name = key_env or DEFAULT_KEY_ENV
    value = os.environ.get(env_name)
    if not value:
        raise KeyMaterialError(
            f"no key: environment variable {env_name} is not set. Pass --key-file PATH, "
            f"--key-env NAME or --key-secret URI, or export {env_name}=<{2 * KEY_BYTES} hex characters>."
        )
    return parse_key_ring_text(
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
