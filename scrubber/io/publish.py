"""Publishing a run: temporary shard directories, the rename into place, and the JSON beside the output.

A run writes every shard under a temporary directory inside the target, ``.scrubber-tmp-<run id>/``
(hidden from DuckDB, pandas, polars and pyarrow datasets, which skip names starting with '.'
or '_'). Only when the whole run has finished are the shards that the run reported renamed into
place as ``part-00000-of-00003.parquet`` and the temporary directory removed. Shards written by
retried attempts are never reported, so they are removed with the directory. A commit that fails
half-way deletes the parts it had already moved, so no partial set stays visible.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.fs as pafs

from scrubber.io.digests import file_digest
from scrubber.io.fs import FsConfig, join_uri
from scrubber.io.writers import WRITERS, ShardInfo, SinkError
from scrubber.io.writers.modes import PRIVATE_FILE, keep_owner_only, set_mode

TMP_PREFIX = ".scrubber-tmp-"
AUDIT_NAME = "_audit.json"
SUMMARY_NAME = "_run_summary.json"
AUDITS_DIR = "_audits"  # an incremental sandbox: one audit per run
MANIFEST_NAME = "_inputs.json"  # an incremental sandbox: the inputs every committed run published
ERASURES_DIR = "_erasures"  # scrubber subject --delete: one record per erasure
RUN_ID_PATTERN = r"\d{8}T\d{6}Z-[0-9a-f]{8}"
_EXTENSIONS = "|".join(re.escape(w.extension) for w in WRITERS.values())
# part-00000-of-00003.parquet (a plain run) or part-<run id>-00000-of-00003.parquet (an incremental run)
PART_RE = re.compile(rf"^part-(?:(?P<run_id>{RUN_ID_PATTERN})-)?\d{{5}}-of-\d{{5}}(?:{_EXTENSIONS})$")
PARTITION_RE = re.compile(r"^dt=(?:\d{4}-\d{2}-\d{2}|unknown)$")
_OURS = frozenset({AUDIT_NAME, AUDITS_DIR, MANIFEST_NAME, ERASURES_DIR})


def temp_dir(target: str, run_id: str) -> str:
    return join_uri(target, TMP_PREFIX + run_id)


def make_dirs(fs_config: FsConfig, uri: str, *, private: bool = False) -> None:
    """Create a folder (and its parents). ``private``: group and others lose every permission on the folder
    itself (0700 when new), also if it existed."""
    fs, path = fs_config.resolve(uri)
    try:
        fs.create_dir(path, recursive=True)
    except (OSError, pa.ArrowException) as exc:
        raise SinkError(f"cannot create directory {uri}: {type(exc).__name__}: {str(exc)[:200]}") from None
    if private:
        keep_owner_only(fs_config, uri)


def existing_outputs(fs_config: FsConfig, target: str) -> list[str]:
    """Files of an earlier run in ``target``: shards and the audit (temporary directories are not outputs)."""
    return sorted(n for n in entries_of(fs_config, target) if PART_RE.match(n) or n == AUDIT_NAME)


def foreign_entries(fs_config: FsConfig, target: str) -> list[str]:
    """Entries of ``target`` that no scrubber run writes: not a shard, not the audit, not a temporary directory.

    A run refuses such a target: publishing there with --overwrite would mix our output with other files,
    and readers of the directory would take them for part of the export.
    """
    return sorted(n for n in entries_of(fs_config, target) if not _written_by_us(n))


def _written_by_us(name: str) -> bool:
    return bool(PART_RE.match(name) or PARTITION_RE.match(name)) or name in _OURS or name.startswith(TMP_PREFIX)


def run_id_of(name: str) -> str | None:
    """The run id in an incremental shard's name, or None."""
    match = PART_RE.match(name.rsplit("/", 1)[-1])
    return match.group("run_id") if match else None


def entries_of(fs_config: FsConfig, target: str) -> list[str]:
    """The names directly in ``target`` ([] if it does not exist yet). Raises SinkError."""
    fs, path = fs_config.resolve(target)
    try:
        info = fs.get_file_info(path)
        if info.type == pafs.FileType.NotFound:
            return []
        if info.type != pafs.FileType.Directory:
            raise SinkError(f"cannot create directory {target}: it exists and is not a directory")
        infos = fs.get_file_info(pafs.FileSelector(path, recursive=False))
    except (OSError, pa.ArrowException) as exc:
        raise SinkError(f"cannot list {target}: {type(exc).__name__}") from None
    return [i.base_name for i in infos]


def shard_name(index: int, count: int, fmt: str, run_id: str | None = None) -> str:
    middle = f"{run_id}-" if run_id else ""
    return f"part-{middle}{index:05d}-of-{count:05d}{WRITERS[fmt].extension}"


def commit_shards(
    fs_config: FsConfig,
    shards: Sequence[ShardInfo],
    target: str,
    fmt: str,
    *,
    layout: Any = None,
    replace: bool = False,
    write_empty: bool = True,
    run_id: str | None = None,
    private: bool = False,
) -> list[str]:
    """Rename the reported shards into ``target`` as part-NNNNN-of-MMMMM; returns the final names.

    With ``replace`` the shards and audit of an earlier run are removed first (only now, so the old
    output stays readable while the new one is being computed). Empty shards are skipped; if no
    rows were written at all and ``write_empty`` is set, one empty shard is written so that readers
    still find the schema (``layout``: what ``WRITERS[fmt].layout`` returned). With ``run_id`` the names
    carry it (``part-<run id>-00000-of-00003``), so that the shards of many runs sit side by side.
    ``private``: each published file is set to 0600 (the quarantine: raw lines).
    """
    fs, target_path = fs_config.resolve(target)
    if replace:
        for name in existing_outputs(fs_config, target):
            _delete(fs, f"{target_path}/{name}")
    kept = kept_shards(shards)
    names: list[str] = []
    if not kept:
        if not write_empty:
            return names
        name = shard_name(0, 1, fmt, run_id)
        WRITERS[fmt].open(fs_config, join_uri(target, name), layout).close()
        if private:
            set_mode(fs_config, join_uri(target, name), PRIVATE_FILE)
        return [name]
    for index, shard in enumerate(kept):
        name = shard_name(index, len(kept), fmt, run_id)
        _, source_path = fs_config.resolve(shard.path)
        try:
            _move(fs, source_path, f"{target_path}/{name}")
        except (OSError, pa.ArrowException) as exc:
            unpublish(fs_config, target, names)  # no partial set of parts stays visible
            raise SinkError(f"cannot move a shard into {target}: {type(exc).__name__}: {str(exc)[:200]}") from None
        names.append(name)
        if private:
            try:
                set_mode(fs_config, join_uri(target, name), PRIVATE_FILE)
            except SinkError:
                unpublish(fs_config, target, names)
                raise
    return names


def kept_shards(shards: Sequence[ShardInfo]) -> list[ShardInfo]:
    """The shards ``commit_shards`` publishes, in the order of their names: the non-empty ones, by path."""
    return sorted((s for s in shards if s.rows > 0), key=lambda s: s.path)


def _move(fs: pafs.FileSystem, source: str, destination: str) -> None:
    fs.move(source, destination)


def unpublish(fs_config: FsConfig, target: str, names: Sequence[str]) -> list[str]:
    """Best effort: delete files a failed commit already put in ``target``; returns the ones that stayed."""
    fs, target_path = fs_config.resolve(target)
    left = []
    for name in names:
        try:
            fs.delete_file(f"{target_path}/{name}")
        except FileNotFoundError:
            pass
        except (OSError, pa.ArrowException):
            left.append(name)
    return left


def stale_temp_dirs(fs_config: FsConfig, target: str) -> list[str]:
    """Temporary directories (``.scrubber-tmp-*``) in ``target``, e.g. left by a run that was killed."""
    fs, path = fs_config.resolve(target)
    try:
        infos = fs.get_file_info(pafs.FileSelector(path, recursive=False, allow_not_found=True))
    except (OSError, pa.ArrowException) as exc:
        raise SinkError(f"cannot list {target}: {type(exc).__name__}") from None
    return sorted(
        join_uri(target, i.base_name)
        for i in infos
        if i.type == pafs.FileType.Directory and i.base_name.startswith(TMP_PREFIX)
    )


def _delete(fs: pafs.FileSystem, path: str) -> None:
    try:
        fs.delete_file(path)
    except FileNotFoundError:
        pass
    except (OSError, pa.ArrowException) as exc:
        raise SinkError(f"cannot delete {path}: {type(exc).__name__}") from None


def remove_tree(fs_config: FsConfig, uri: str) -> None:
    fs, path = fs_config.resolve(uri)
    try:
        fs.delete_dir(path)
    except FileNotFoundError:
        pass
    except (OSError, pa.ArrowException) as exc:
        raise SinkError(f"cannot remove {uri}: {type(exc).__name__}") from None


def temp_beside(uri: str, path: str) -> tuple[str, str]:
    """A hidden temporary name beside a file, to be renamed over it: (its file-system path, its URI)."""
    name = f".{path.rpartition('/')[2]}.{uuid.uuid4().hex}.tmp"
    return f"{path.rpartition('/')[0]}/{name}", join_uri(uri.rpartition("/")[0] or ".", name)


def write_json_atomic(fs_config: FsConfig, uri: str, value: Any, *, private: bool = False) -> None:
    """Write JSON to a temporary name beside ``uri``, then rename it over ``uri`` (``private``: mode 0600)."""
    data = orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"
    fs, path = fs_config.resolve(uri)
    tmp, tmp_uri = temp_beside(uri, path)
    try:
        with fs.open_output_stream(tmp, compression=None) as stream:
            stream.write(data)
        if private:
            set_mode(fs_config, tmp_uri, PRIVATE_FILE)
        fs.move(tmp, path)
    except (OSError, pa.ArrowException) as exc:
        raise SinkError(f"cannot write {uri}: {type(exc).__name__}: {str(exc)[:200]}") from None


def read_json(fs_config: FsConfig, uri: str) -> Any:
    fs, path = fs_config.resolve(uri)
    try:
        with fs.open_input_stream(path, compression=None) as stream:
            return orjson.loads(stream.read())
    except orjson.JSONDecodeError:
        raise SinkError(f"{uri} is not JSON") from None
    except (OSError, pa.ArrowException) as exc:
        raise SinkError(f"cannot read {uri}: {type(exc).__name__}: {str(exc)[:200]}") from None


# --- incremental sandboxes -------------------------------------------------------------------------


def describe_shards(fs_config: FsConfig, target: str, paths: Sequence[str], key_id: str) -> list[dict[str, Any]]:
    """What the audit records of each published shard: path (relative to ``target``), rows, bytes, BLAKE3, key id.

    The bytes and hash come from reading the stored file back; the caller adds the rows its writers reported.
    """
    described = []
    for path in paths:
        digest = file_digest(fs_config, join_uri(target, path))
        described.append({"path": path, "bytes": digest.bytes, "blake3": digest.blake3, "key_id": key_id})
    return described


def published_shards(fs_config: FsConfig, target: str) -> list[str]:
    """Shard paths below ``target`` relative to it: part files at the top and in dt= partitions."""
    found = []
    for name in entries_of(fs_config, target):
        if PART_RE.match(name):
            found.append(name)
        elif PARTITION_RE.match(name):
            found += [
                f"{name}/{inner}" for inner in entries_of(fs_config, join_uri(target, name)) if PART_RE.match(inner)
            ]
    return sorted(found)


def run_started(run_id: str) -> datetime:
    """The start time a run id begins with (UTC)."""
    return datetime.strptime(run_id.split("-", 1)[0], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)


def expired_shards(fs_config: FsConfig, target: str, days: int, now: datetime) -> list[tuple[str, str | None]]:
    """Quarantine shards (name, run id) of runs that started more than ``days`` days before ``now``.

    A shard name without a run id is judged by its modification time.
    """
    fs, path = fs_config.resolve(target)
    cutoff = now - timedelta(days=days)
    expired: list[tuple[str, str | None]] = []
    for name in sorted(entries_of(fs_config, target)):
        if not PART_RE.match(name):
            continue
        run_id = run_id_of(name)
        if run_id is not None:
            started = run_started(run_id)
        else:
            mtime = fs.get_file_info(f"{path}/{name}").mtime
            if mtime is None:
                continue
            started = mtime if mtime.tzinfo else mtime.replace(tzinfo=UTC)
        if started < cutoff:
            expired.append((name, run_id))
    return expired


def delete_files(fs_config: FsConfig, target: str, paths: Sequence[str]) -> None:
    """Delete files below ``target`` (relative paths). Raises SinkError."""
    fs, target_path = fs_config.resolve(target)
    for rel in paths:
        _delete(fs, f"{target_path}/{rel}")
