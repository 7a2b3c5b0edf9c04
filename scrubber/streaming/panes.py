"""One window pane of a stream: its contents, its deterministic names, and its publication with its audit.

A pane is published as one folder per target, ``<output>/window=<START>_<END>/pane-<INDEX>-<DIGEST>/``
(and the same path under the quarantine), holding one shard per partition,
``part-<TOPIC>-<PARTITION>-<FIRST>-<LAST>.<ext>``, and, in the sandbox folder, ``_audit.json``. The digest
is of the pane's offset ranges, so a replay of the same messages (a restore from a checkpoint) writes the
same names and finds them already published, and a pane with other messages can never take the place of
one already written. Everything is written under a temporary folder first; the quarantine folder is renamed
into place, then the sandbox folder with its audit: on a local or mounted file system a pane's files become
visible in one rename, together with the audit. On an object store, with no folder rename, the files are
copied first and the audit last: only files an audit names are output.
"""

from __future__ import annotations

import hashlib
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
import pyarrow.fs as pafs

from scrubber.io.fs import FsConfig, join_uri
from scrubber.io.publish import AUDIT_NAME, TMP_PREFIX, make_dirs, read_json, stale_temp_dirs, write_json_atomic
from scrubber.io.writers import WRITERS, SinkError
from scrubber.io.writers.modes import PRIVATE_DIR, PRIVATE_FILE, set_mode

STREAM_AUDIT_VERSION = 1
STREAM_TMP_PREFIX = TMP_PREFIX + "stream-"  # a kind of publish.TMP_PREFIX folder, listed by stale_temp_dirs
WINDOW_PREFIX = "window="


@dataclass(frozen=True, slots=True)
class Scrubbed:
    """One message after the core: its place in the topic and either its record or its quarantine entry."""

    topic: str
    partition: int
    offset: int
    record: dict[str, Any] | None
    quarantine: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class OffsetRange:
    """The messages of one partition in a pane: first and last offset and how many there are (fewer than
    ``last - first + 1`` only where the topic itself has gaps: compaction, transaction markers)."""

    topic: str
    partition: int
    first: int
    last: int
    messages: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "topic": self.topic,
            "partition": self.partition,
            "first": self.first,
            "last": self.last,
            "messages": self.messages,
        }


@dataclass
class Pane:
    """What one firing of one window holds, grouped by partition in offset order."""

    window_start_ms: int
    window_end_ms: int
    index: int
    timing: str  # EARLY, ON_TIME, LATE or UNKNOWN (Beam's pane timing)
    records: dict[tuple[str, int], list[dict[str, Any]]] = field(default_factory=dict)
    quarantined: dict[tuple[str, int], list[dict[str, Any]]] = field(default_factory=dict)
    ranges: list[OffsetRange] = field(default_factory=list)

    @classmethod
    def of(cls, start_ms: int, end_ms: int, index: int, timing: str, items: Iterable[Scrubbed]) -> Pane:
        by_partition: dict[tuple[str, int], list[Scrubbed]] = defaultdict(list)
        for item in items:
            by_partition[(item.topic, item.partition)].append(item)
        pane = cls(start_ms, end_ms, index, timing)
        for key in sorted(by_partition):
            rows = sorted(by_partition[key], key=lambda s: s.offset)
            offsets = [s.offset for s in rows]
            if len(set(offsets)) != len(offsets):
                raise ValueError(f"pane of {key[0]}/{key[1]} holds an offset twice")  # a reader bug: fail loud
            pane.records[key] = [s.record for s in rows if s.record is not None]
            pane.quarantined[key] = [s.quarantine for s in rows if s.quarantine is not None]
            pane.ranges.append(OffsetRange(key[0], key[1], offsets[0], offsets[-1], len(offsets)))
        return pane

    @property
    def messages_in(self) -> int:
        return sum(r.messages for r in self.ranges)

    @property
    def records_out(self) -> int:
        return sum(len(v) for v in self.records.values())

    @property
    def records_quarantined(self) -> int:
        return sum(len(v) for v in self.quarantined.values())

    def digest(self) -> str:
        """8 hex digits of sha256 over the offset ranges: the same messages give the same pane name."""
        text = ";".join(f"{r.topic}/{r.partition}:{r.first}-{r.last}:{r.messages}" for r in self.ranges)
        return hashlib.sha256(text.encode()).hexdigest()[:8]

    def folder(self) -> str:
        """``window=<START>_<END>/pane-<INDEX>-<DIGEST>``, the same under the sandbox and the quarantine."""
        return f"{window_name(self.window_start_ms, self.window_end_ms)}/pane-{self.index}-{self.digest()}"


def window_name(start_ms: int, end_ms: int) -> str:
    return f"{WINDOW_PREFIX}{_stamp(start_ms)}_{_stamp(end_ms)}"


def _stamp(ms: int) -> str:
    moment = datetime.fromtimestamp(ms / 1000, UTC)
    text = moment.strftime("%Y%m%dT%H%M%S")
    return text + (f".{ms % 1000:03d}Z" if ms % 1000 else "Z")


def shard_name(offsets: OffsetRange, extension: str) -> str:
    """``part-<TOPIC>-<PARTITION>-<FIRST>-<LAST><ext>``: unique per partition and offset range."""
    safe = "".join(c if c.isalnum() or c in "._" else "_" for c in offsets.topic)
    return f"part-{safe}-{offsets.partition}-{offsets.first:020d}-{offsets.last:020d}{extension}"


@dataclass(frozen=True)
class PaneTargets:
    """Where and how panes are published, and what their audits say about the job."""

    fs_config: FsConfig
    output: str
    quarantine: str
    fmt: str  # sandbox format: parquet or jsonl (the quarantine is always jsonl)
    layout: Any  # WRITERS[fmt].layout(shape)
    key_id: str
    catalogue: Mapping[str, Any]  # name, source, digest, rules
    job: Mapping[str, Any]  # run id, topics, group, window seconds: what the audit says about the job


def pane_audit(pane: Pane, targets: PaneTargets, files: Mapping[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """The audit of one pane: counts from the messages read, offset ranges, files; never a value."""
    reasons = Counter(e.get("reason", "?") for rows in pane.quarantined.values() for e in rows)
    return {
        "audit_version": STREAM_AUDIT_VERSION,
        "kind": "stream_pane",
        "window": {"start": _iso(pane.window_start_ms), "end": _iso(pane.window_end_ms)},
        "pane": {"index": pane.index, "timing": pane.timing, "digest": pane.digest()},
        "key_id": targets.key_id,
        "catalogue": dict(targets.catalogue),
        "job": dict(targets.job),
        "counts": {
            "messages_in": pane.messages_in,
            "records_out": pane.records_out,
            "records_quarantined": pane.records_quarantined,
            "balanced": pane.messages_in == pane.records_out + pane.records_quarantined,
        },
        "offsets": [r.as_dict() for r in pane.ranges],
        "files": dict(files),
        "quarantine_reasons": dict(sorted(reasons.items())),
    }


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat().replace("+00:00", "Z")


def publish_pane(pane: Pane, targets: PaneTargets) -> tuple[str, bool]:
    """Write the pane's shards and audit, then move them into place. Returns (sandbox folder, newly written);
    a pane already published (the same offset ranges: a replay) is left as it is."""
    if pane.messages_in != pane.records_out + pane.records_quarantined:
        raise SinkError(f"pane {pane.folder()}: {pane.messages_in} messages, but records and entries do not add up")
    folder = pane.folder()
    sandbox_uri = join_uri(targets.output, folder)
    if _exists(targets.fs_config, join_uri(sandbox_uri, AUDIT_NAME)):
        return sandbox_uri, False
    attempt = STREAM_TMP_PREFIX + uuid.uuid4().hex
    sandbox_tmp, quarantine_tmp = join_uri(targets.output, attempt), join_uri(targets.quarantine, attempt)
    files: dict[str, list[dict[str, Any]]] = {"sandbox": [], "quarantine": []}
    make_dirs(targets.fs_config, sandbox_tmp)
    writer = WRITERS[targets.fmt]
    for offsets in pane.ranges:
        key = (offsets.topic, offsets.partition)
        rows = pane.records.get(key, [])
        if rows:
            name = shard_name(offsets, writer.extension)
            shard = writer.open(targets.fs_config, join_uri(sandbox_tmp, name), targets.layout)
            shard.write(rows)
            files["sandbox"].append({"name": name, "rows": shard.close().rows, **offsets.as_dict()})
        entries = pane.quarantined.get(key, [])
        if entries:
            make_dirs(targets.fs_config, quarantine_tmp, private=True)
            name = shard_name(offsets, WRITERS["jsonl"].extension)
            shard = WRITERS["jsonl"].open(targets.fs_config, join_uri(quarantine_tmp, name), None)
            set_mode(targets.fs_config, join_uri(quarantine_tmp, name), PRIVATE_FILE)  # before any raw line
            shard.write(entries)
            files["quarantine"].append({"name": name, "rows": shard.close().rows, **offsets.as_dict()})
    audit = pane_audit(pane, targets, files)
    write_json_atomic(targets.fs_config, join_uri(sandbox_tmp, AUDIT_NAME), audit)
    if files["quarantine"]:
        _move_into_place(targets.fs_config, quarantine_tmp, join_uri(targets.quarantine, folder), private=True)
    _move_into_place(targets.fs_config, sandbox_tmp, sandbox_uri)
    return sandbox_uri, True


def _exists(fs_config: FsConfig, uri: str) -> bool:
    fs, path = fs_config.resolve(uri)
    return bool(fs.get_file_info(path).type != pafs.FileType.NotFound)


def _move_into_place(fs_config: FsConfig, tmp_uri: str, final_uri: str, *, private: bool = False) -> None:
    """One folder rename where the file system has them; else every file, the audit last. ``private``: the
    window folder made on the way is owner-only too (the pane folder already is)."""
    fs, tmp = fs_config.resolve(tmp_uri)
    _, final = fs_config.resolve(final_uri)
    try:
        if _exists(fs_config, final_uri):  # an earlier attempt got this far: same names, same content
            fs.delete_dir(final)
        fs.create_dir(final.rpartition("/")[0], recursive=True)
        if private:
            set_mode(fs_config, final_uri.rpartition("/")[0], PRIVATE_DIR)
        if isinstance(fs, pafs.LocalFileSystem):
            fs.move(tmp, final)
            return
        names = sorted(i.base_name for i in fs.get_file_info(pafs.FileSelector(tmp)))
        fs.create_dir(final, recursive=True)
        for name in sorted(names, key=lambda n: n == AUDIT_NAME):
            fs.copy_file(f"{tmp}/{name}", f"{final}/{name}")
        fs.delete_dir(tmp)
    except (OSError, pa.ArrowException) as exc:
        raise SinkError(f"cannot publish {final_uri}: {type(exc).__name__}: {str(exc)[:200]}") from None


def published_audits(fs_config: FsConfig, output: str) -> list[dict[str, Any]]:
    """Every pane audit under ``output`` (``window=*/pane-*/_audit.json``), in folder order."""
    fs, root = fs_config.resolve(output)
    audits: list[dict[str, Any]] = []
    try:
        windows = fs.get_file_info(pafs.FileSelector(root, allow_not_found=True))
    except (OSError, pa.ArrowException) as exc:
        raise SinkError(f"cannot list {output}: {type(exc).__name__}") from None
    for window in sorted(windows, key=lambda i: i.base_name):
        if window.type != pafs.FileType.Directory or not window.base_name.startswith(WINDOW_PREFIX):
            continue
        for pane in sorted(fs.get_file_info(pafs.FileSelector(window.path)), key=lambda i: i.base_name):
            audit = f"{pane.path}/{AUDIT_NAME}"
            if pane.type == pafs.FileType.Directory and fs.get_file_info(audit).type == pafs.FileType.File:
                audits.append(read_json(fs_config, join_uri(output, window.base_name, pane.base_name, AUDIT_NAME)))
    return audits


def resume_offsets(audits: Sequence[Mapping[str, Any]]) -> dict[tuple[str, int], int]:
    """Where a restarted job reads on: per partition, one past the last offset a published pane holds.
    Panes are written in window order by one writer, so nothing before that offset is missing."""
    nxt: dict[tuple[str, int], int] = {}
    for audit in audits:
        for r in audit.get("offsets", []):
            key = (str(r["topic"]), int(r["partition"]))
            nxt[key] = max(nxt.get(key, 0), int(r["last"]) + 1)
    return nxt


def stale_attempts(fs_config: FsConfig, target: str) -> list[str]:
    """Temporary pane folders left by an attempt that died before its rename (batch runs' are not touched)."""
    return [uri for uri in stale_temp_dirs(fs_config, target) if uri.rpartition("/")[2].startswith(STREAM_TMP_PREFIX)]
