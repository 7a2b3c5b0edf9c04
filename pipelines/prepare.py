"""Everything ``scrubber run`` checks before the pipeline starts: options, key, catalogue, inputs, targets.

Nothing here needs Beam to run a record; a bad option, key, catalogue or target stops the run here,
before any worker starts, and no temporary directory is left behind.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from apache_beam.options.pipeline_options import DirectOptions, PipelineOptions, S3Options, StandardOptions

from scrubber.catalogue import LoadedCatalogue, load_catalogue
from scrubber.core import Scrubber
from scrubber.errors import UsageError
from scrubber.io.digests import FileDigest, file_digest
from scrubber.io.fs import FsConfig, InputFile, expand_inputs, join_uri, scheme_of
from scrubber.io.publish import (
    AUDIT_NAME,
    MANIFEST_NAME,
    PART_RE,
    SUMMARY_NAME,
    existing_outputs,
    foreign_entries,
    make_dirs,
    remove_tree,
    run_id_of,
    temp_dir,
)
from scrubber.io.writers import WRITERS, SinkError, with_key_id
from scrubber.keys import Key, load_key
from scrubber.manifest import Manifest, changed_message, load_manifest, plan_inputs, with_accepted
from scrubber.pipelines.options import ScrubOptions, parse_options
from scrubber.sealing import load_seal_key

DEFAULT_RUNNER = "FnApiRunner"
FN_API_RUNNER = "apache_beam.runners.portability.fn_api_runner.FnApiRunner"


@dataclass
class Prepared:
    """Everything checked before the pipeline starts."""

    options: PipelineOptions
    scrub: ScrubOptions
    fs_config: FsConfig
    key: Key
    catalogue: LoadedCatalogue
    layout: Any  # what the output format needs from the catalogue (Parquet: the Arrow schema)
    inputs: list[InputFile]
    run_id: str
    runner: str
    output_tmp: str
    quarantine_tmp: str
    summary_uri: str
    local: bool
    argv: list[str]
    incremental: bool = False
    manifest: Manifest | None = None
    replay: list[InputFile] = field(default_factory=list)  # quarantine shards read back (inside --quarantine)
    skipped: list[tuple[InputFile, str]] = field(default_factory=list)  # (input, run that published it)
    accepted: list[str] = field(default_factory=list)  # changed inputs recorded unread (--accept-changed)
    seal_key: Key | None = None  # the quarantine key: rejected lines are sealed with it, sealed entries replayed

    @property
    def quarantine_stores(self) -> str:
        """What a quarantine entry holds besides reason, file and line, as the audit says it."""
        if self.scrub.quarantine_hash_only:
            return "keyed_hash"
        return "sealed_line" if self.seal_key is not None else "line"

    @property
    def seal_key_id(self) -> str | None:
        return self.seal_key.key_id if self.seal_key is not None else None

    @property
    def nothing_to_do(self) -> bool:
        return not self.inputs

    @property
    def replay_uris(self) -> frozenset[str]:
        return frozenset(f.uri for f in self.replay)


def _location(uri: str) -> tuple[str, str]:
    scheme = scheme_of(uri)
    if scheme in ("", "file"):
        path = uri[len("file://") :] if scheme == "file" else uri
        return "", os.path.realpath(os.path.expanduser(path))
    return scheme, uri[len(scheme) + 3 :].rstrip("/")


def inside(child: str, parent: str) -> bool:
    """True if ``child`` is ``parent`` or below it (local paths resolved through symlinks)."""
    (cs, cp), (ps, pp) = _location(child), _location(parent)
    return cs == ps and (cp == pp or cp.startswith(pp.rstrip("/") + "/"))


def new_run_id() -> str:
    """A run's id: its start time (UTC, to the second) and 8 random hex digits."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:8]


def prepare(argv: Sequence[str]) -> Prepared:
    options = parse_options(argv)
    scrub = options.view_as(ScrubOptions)
    s3 = options.view_as(S3Options)
    fs_config = FsConfig(s3_endpoint_url=s3.s3_endpoint_url, s3_region=s3.s3_region_name)

    if inside(scrub.scrubber_quarantine, scrub.scrubber_output):
        raise UsageError(
            f"--quarantine {scrub.scrubber_quarantine} is inside (or equal to) "
            f"--output {scrub.scrubber_output}; "
            "rejected lines must never be in the sandbox. Choose a separate directory."
        )
    key = load_key(
        key_file=scrub.key_file,
        key_env=scrub.key_env,
        secret=scrub.key_secret,
        allow_insecure_file=bool(scrub.allow_insecure_key_file),
    )
    seal_key = load_seal_key(
        key_file=scrub.quarantine_key_file,
        key_env=scrub.quarantine_key_env,
        secret=scrub.quarantine_key_secret,
        allow_insecure_file=bool(scrub.allow_insecure_key_file),
        besides=key,
    )
    catalogue = load_catalogue(scrub.scrubber_catalogue)
    scrubber = Scrubber(catalogue, key)  # compiles every rule: a catalogue error stops us here, not on a worker
    run_id = new_run_id()
    layout = with_key_id(WRITERS[scrub.scrubber_format].layout(scrubber.plan.output_shape()), key.key_id)

    incremental = bool(scrub.incremental)
    inputs = expand_inputs(scrub.scrubber_input, fs_config)
    replay = [inp for inp in inputs if inside(inp.uri, scrub.scrubber_quarantine)]
    for inp in inputs:
        if inside(inp.uri, scrub.scrubber_output):
            raise UsageError(f"input {inp.uri} is inside --output; read raw logs from elsewhere")
    if replay:
        check_replay(replay, scrub.scrubber_quarantine, incremental)
        if len(replay) < len(inputs):
            raise UsageError(
                "a replay reads only quarantine shards: run --input quarantine/ on its own, and raw logs in "
                "another run (the quarantine guard does not apply to a replay, but does to raw logs)"
            )
    for flag, target in (("--output", scrub.scrubber_output), ("--quarantine", scrub.scrubber_quarantine)):
        foreign = foreign_entries(fs_config, target)
        if foreign:
            raise UsageError(
                f"{flag} {target} holds {', '.join(foreign[:3])}{' ...' if len(foreign) > 3 else ''}, which "
                "scrubber did not write; it writes only into an empty directory or one holding an earlier run's "
                "output. Choose another directory, or move those files away"
            )
    manifest, skipped, accepted = None, [], []
    if incremental:
        manifest = incremental_manifest(fs_config, scrub.scrubber_output)
        fresh = [inp for inp in inputs if inp not in replay]
        digests: dict[str, FileDigest] = {}

        def digest(inp: InputFile) -> FileDigest:
            if inp.uri not in digests:
                digests[inp.uri] = file_digest(fs_config, inp.uri)
            return digests[inp.uri]

        plan = plan_inputs(manifest, fresh, digest)
        if plan.changed and not (scrub.reprocess_changed or scrub.accept_changed):
            raise UsageError(changed_message(plan.changed))
        skipped = plan.skipped
        if plan.changed and scrub.accept_changed and manifest is not None:
            accepted = [inp.uri for inp, _ in plan.changed]
            at = datetime.now(UTC).isoformat().replace("+00:00", "Z")
            manifest = with_accepted(manifest, plan.changed, [digest(inp) for inp, _ in plan.changed], at)
            plan.changed = []
        inputs = sorted([*plan.new, *(inp for inp, _ in plan.changed), *replay], key=lambda f: f.uri)
    elif load_manifest(fs_config, scrub.scrubber_output) is not None:
        raise UsageError(
            f"--output {scrub.scrubber_output} is an incremental sandbox (it has {MANIFEST_NAME}); add --incremental, "
            "or choose another directory for a plain run"
        )
    if not scrub.overwrite and not incremental:
        for flag, target in (("--output", scrub.scrubber_output), ("--quarantine", scrub.scrubber_quarantine)):
            earlier = existing_outputs(fs_config, target)
            if earlier:
                raise UsageError(
                    f"{flag} {target} already holds {', '.join(earlier[:3])}"
                    f"{' ...' if len(earlier) > 3 else ''} from an earlier run; pass --overwrite "
                    "or choose an empty directory"
                )

    standard = options.view_as(StandardOptions)
    if not standard.runner:
        standard.runner = DEFAULT_RUNNER
    runner = str(standard.runner)
    if runner == "FnApiRunner":  # Beam 2.62 knows it only by its full name
        standard.runner = FN_API_RUNNER
    direct = options.view_as(DirectOptions)
    local = runner.split(".")[-1] == "FnApiRunner" and (direct.direct_running_mode in (None, "in_memory"))

    output_tmp = temp_dir(scrub.scrubber_output, run_id)
    quarantine_tmp = temp_dir(scrub.scrubber_quarantine, run_id)
    prepared = Prepared(
        options,
        scrub,
        fs_config,
        key,
        catalogue,
        layout,
        inputs,
        run_id,
        runner,
        output_tmp,
        quarantine_tmp,
        join_uri(output_tmp, SUMMARY_NAME),
        local,
        list(argv),
        incremental=incremental,
        manifest=manifest,
        replay=replay,
        skipped=skipped,
        accepted=accepted,
        seal_key=seal_key,
    )
    if prepared.nothing_to_do:  # an incremental run that found nothing new: no directory is made
        return prepared
    try:
        make_dirs(fs_config, scrub.scrubber_output)
        for directory in (scrub.scrubber_quarantine, output_tmp, quarantine_tmp):  # raw lines, or on their way
            make_dirs(fs_config, directory, private=True)
    except SinkError:
        for directory in (output_tmp, quarantine_tmp):  # e.g. the quarantine is unwritable: no temp dir stays
            with contextlib.suppress(SinkError):
                remove_tree(fs_config, directory)
        raise
    return prepared


def check_replay(replay: list[InputFile], quarantine: str, incremental: bool) -> None:
    """Inputs inside --quarantine are a replay: only with --incremental, and only our own quarantine shards."""
    if not incremental:
        raise UsageError(
            f"input {replay[0].uri} is inside --quarantine. To replay quarantined lines with a fixed catalogue, add "
            "--incremental: the recovered records are added to the sandbox and the replayed shards replaced. "
            "Otherwise read raw logs from elsewhere"
        )
    for inp in replay:
        name = inp.uri.rstrip("/").rsplit("/", 1)[-1]
        parent = inp.uri.rstrip("/").rsplit("/", 1)[0]
        if not (PART_RE.match(name) and name.endswith(".jsonl")) or not inside(quarantine, parent):
            raise UsageError(
                f"{inp.uri} is inside --quarantine but is not a quarantine shard scrubber wrote "
                "(part-[<run id>-]NNNNN-of-MMMMM.jsonl directly in the quarantine); a replay reads only those. "
                "Move other files out of the quarantine"
            )


def incremental_manifest(fs_config: FsConfig, output: str) -> Manifest | None:
    """The manifest of an incremental sandbox; refuses a directory that holds a plain run's output."""
    manifest = load_manifest(fs_config, output)
    earlier = existing_outputs(fs_config, output)
    plain = [name for name in earlier if PART_RE.match(name) and not run_id_of(name)]
    if plain or (manifest is None and AUDIT_NAME in earlier):
        raise UsageError(
            f"--output {output} holds a plain run's output ({', '.join(plain[:2]) or AUDIT_NAME}); an incremental "
            "sandbox starts empty. Choose a new directory for --incremental runs"
        )
    return manifest
