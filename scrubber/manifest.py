"""The manifest of an incremental sandbox, ``<output>/_inputs.json``: which inputs which committed run published.

A run is committed when the manifest lists it; the manifest is written last. An input is skipped by a
later run when the manifest holds its path with the same size and modification time, or, if those
changed, the same BLAKE3 of its bytes. An input whose content changed is refused: publishing it
again would duplicate the records already taken from it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from scrubber.errors import UsageError
from scrubber.io.digests import FileDigest
from scrubber.io.fs import FsConfig, InputFile, join_uri
from scrubber.io.publish import MANIFEST_NAME, read_json, write_json_atomic
from scrubber.io.writers import SinkError

MANIFEST_VERSION = 1


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PublishedInput(_Strict):
    uri: str
    size: int
    mtime_ns: int | None
    blake3: str
    run_id: str
    accepted_change: str | None = None  # when an edit after publication was accepted unread (--accept-changed)


class CommittedRun(_Strict):
    run_id: str
    finished_at: str
    key_id: str
    audit: str
    consumed_quarantine: list[str] = []


class Manifest(_Strict):
    manifest_version: Literal[1]
    output: str
    runs: list[CommittedRun] = []
    inputs: list[PublishedInput] = []

    def latest(self, uri: str) -> PublishedInput | None:
        found = [entry for entry in self.inputs if entry.uri == uri]
        return found[-1] if found else None

    @property
    def run_ids(self) -> set[str]:
        return {run.run_id for run in self.runs}


def empty_manifest(output: str) -> Manifest:
    return Manifest(manifest_version=MANIFEST_VERSION, output=output)


def load_manifest(fs_config: FsConfig, output: str) -> Manifest | None:
    """The sandbox's manifest, None if it has none. Raises UsageError if it is not a scrubber manifest."""
    uri = join_uri(output, MANIFEST_NAME)
    fs, path = fs_config.resolve(uri)
    try:
        exists = fs.get_file_info(path).is_file
    except OSError:
        exists = False
    if not exists:
        return None
    try:
        data = read_json(fs_config, uri)
    except SinkError as exc:
        raise UsageError(f"{uri} cannot be read as JSON ({exc}); {_FIX}") from None
    try:
        return Manifest.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top)"
        raise UsageError(f"{uri} is not a scrubber manifest: {where}: {first['msg']}; {_FIX}") from None


_FIX = (
    "it lists the inputs earlier runs published. Restore it from a backup, or rebuild the sandbox with a "
    "fresh --output (the audits in _audits/ say which inputs each run read)"
)


def save_manifest(fs_config: FsConfig, output: str, manifest: Manifest) -> None:
    write_json_atomic(fs_config, join_uri(output, MANIFEST_NAME), manifest.model_dump(mode="json"))


@dataclass
class InputPlan:
    """What an incremental run does with each matched input."""

    new: list[InputFile] = field(default_factory=list)
    skipped: list[tuple[InputFile, str]] = field(default_factory=list)  # (input, the run that published it)
    changed: list[tuple[InputFile, PublishedInput]] = field(default_factory=list)


def plan_inputs(
    manifest: Manifest | None, inputs: Sequence[InputFile], digest: Callable[[InputFile], FileDigest]
) -> InputPlan:
    """Sort inputs into new, already published (skipped) and changed since published. Hashes only inputs
    whose path is in the manifest with another size or time."""
    plan = InputPlan()
    for inp in inputs:
        entry = manifest.latest(inp.uri) if manifest is not None else None
        if entry is None:
            plan.new.append(inp)
        elif (entry.size == inp.size and entry.mtime_ns == inp.mtime_ns) or digest(inp).blake3 == entry.blake3:
            plan.skipped.append((inp, entry.run_id))
        else:
            plan.changed.append((inp, entry))
    return plan


def changed_message(changed: Sequence[tuple[InputFile, PublishedInput]]) -> str:
    inp, entry = changed[0]
    more = f" (and {len(changed) - 1} more)" if len(changed) > 1 else ""
    return (
        f"input {inp.uri}{more} changed since run {entry.run_id} published it (size {entry.size:,} -> {inp.size:,} "
        "bytes, and its BLAKE3 differs); reading it again would publish its earlier records twice. If it was "
        "edited on purpose (an erasure at the source), pass --accept-changed to record its new content without "
        "reading it; if new lines were added, move them to a new file, or pass --reprocess-changed"
    )


def with_accepted(
    manifest: Manifest, changed: Sequence[tuple[InputFile, PublishedInput]], digests: Sequence[FileDigest], at: str
) -> Manifest:
    """The manifest with the new size, time and hash of inputs edited after they were published, not read again."""
    updates = {
        inp.uri: entry.model_copy(
            update={"size": inp.size, "mtime_ns": inp.mtime_ns, "blake3": digest.blake3, "accepted_change": at}
        )
        for (inp, entry), digest in zip(changed, digests, strict=True)
    }
    inputs = [updates.pop(e.uri) if e.uri in updates and manifest.latest(e.uri) is e else e for e in manifest.inputs]
    return manifest.model_copy(update={"inputs": inputs})


def with_run(
    manifest: Manifest,
    *,
    run_id: str,
    finished_at: str,
    key_id: str,
    audit: str,
    published: Sequence[PublishedInput],
    consumed_quarantine: Sequence[str],
) -> Manifest:
    """The manifest with one more committed run and the inputs it published."""
    run = CommittedRun(
        run_id=run_id,
        finished_at=finished_at,
        key_id=key_id,
        audit=audit,
        consumed_quarantine=list(consumed_quarantine),
    )
    return manifest.model_copy(update={"runs": [*manifest.runs, run], "inputs": [*manifest.inputs, *published]})
