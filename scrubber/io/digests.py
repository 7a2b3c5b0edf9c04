"""Content hashes of stored files: what audits record for inputs and shards, and what ``verify --audit`` checks."""

from __future__ import annotations

from dataclasses import dataclass

import blake3
import pyarrow as pa

from scrubber.io.fs import FsConfig, SourceError, short_error

CHUNK_BYTES = 1 << 20


@dataclass(frozen=True, slots=True)
class FileDigest:
    """The BLAKE3-256 of a file's stored bytes (hex) and how many bytes there were."""

    blake3: str
    bytes: int


def file_digest(fs_config: FsConfig, uri: str) -> FileDigest:
    """Hash a stored file (local, gs://, s3://) in one streaming pass. Raises SourceError."""
    fs, path = fs_config.resolve(uri)
    hasher = blake3.blake3()
    size = 0
    try:
        with fs.open_input_stream(path, compression=None) as stream:
            while chunk := stream.read(CHUNK_BYTES):
                hasher.update(chunk)
                size += len(chunk)
    except (OSError, pa.ArrowException) as exc:
        raise SourceError(f"cannot read {uri}: {short_error(exc)}") from None
    return FileDigest(hasher.hexdigest(), size)
