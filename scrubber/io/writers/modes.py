"""Owner-only modes for raw data on local and mounted file systems: the quarantine and temporary folders.

Files are created with the process umask and then set to exactly ``0600`` (folders ``0700``), so a
permissive umask changes nothing. Object stores have no modes: there, the bucket's policy, server-side
encryption and retention rules do this job (README "Guarantees and limits").
"""

from __future__ import annotations

import os
import stat

from scrubber.io.fs import FsConfig, scheme_of
from scrubber.io.writers.base import SinkError

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


def has_modes(uri: str) -> bool:
    """True for a local (or mounted) path; object stores have no file modes."""
    return scheme_of(uri) in ("", "file")


def set_mode(fs_config: FsConfig, uri: str, mode: int) -> None:
    """chmod a local file or folder; nothing on an object store. Raises SinkError naming the fix."""
    if not has_modes(uri):
        return
    _, path = fs_config.resolve(uri)
    try:
        os.chmod(path, mode)
    except OSError as exc:
        raise SinkError(
            f"cannot make {uri} readable by its owner only (mode {mode:04o}): {exc.strerror or type(exc).__name__}. "
            "It must belong to the user running scrubber, on a file system that keeps Unix modes"
        ) from None


def keep_owner_only(fs_config: FsConfig, uri: str) -> None:
    """Take group and other permissions off a local folder (0755 becomes 0700, a read-only 0555 stays
    read-only as 0500). Raises SinkError naming the fix."""
    mode = mode_of(fs_config, uri)
    if mode is not None and mode & 0o077:
        set_mode(fs_config, uri, mode & PRIVATE_DIR)


def mode_of(fs_config: FsConfig, uri: str) -> int | None:
    """The permission bits of a local file (None on an object store)."""
    if not has_modes(uri):
        return None
    _, path = fs_config.resolve(uri)
    return stat.S_IMODE(os.stat(path).st_mode)
