"""Everything ``scrubber run`` checks before the pipeline starts: options, key, catalogue, inputs, targets.

Nothing here needs Beam to run a record; a bad option, key, catalogue or target stops the run here,
before any worker starts, and no temporary directory is left behind.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from apache_beam.options.pipeline_options import DirectOptions, PipelineOptions, S3Options, StandardOptions

from scrubber.catalogue import LoadedCatalogue, load_catalogue
from scrubber.core import Scrubber
from scrubber.errors import UsageError
from scrubber.io.fs import FsConfig, InputFile, expand_inputs, join_uri, scheme_of
from scrubber.io.publish import SUMMARY_NAME, existing_outputs, foreign_entries, make_dirs, remove_tree, temp_dir
from scrubber.io.writers import WRITERS, SinkError
from scrubber.keys import Key, load_key
from scrubber.pipelines.options import ScrubOptions, parse_options

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
    key = load_key(key_file=scrub.key_file, key_env=scrub.key_env, secret=scrub.key_secret)
    catalogue = load_catalogue(scrub.scrubber_catalogue)
    scrubber = Scrubber(catalogue, key)  # compiles every rule: a catalogue error stops us here, not on a worker
    layout = WRITERS[scrub.scrubber_format].layout(scrubber.plan.output_shape())

    inputs = expand_inputs(scrub.scrubber_input, fs_config)
    for inp in inputs:
        if inside(inp.uri, scrub.scrubber_output) or inside(inp.uri, scrub.scrubber_quarantine):
            raise UsageError(f"input {inp.uri} is inside --output or --quarantine; read raw logs from elsewhere")
    for flag, target in (("--output", scrub.scrubber_output), ("--quarantine", scrub.scrubber_quarantine)):
        foreign = foreign_entries(fs_config, target)
        if foreign:
            raise UsageError(
                f"{flag} {target} holds {', '.join(foreign[:3])}{' ...' if len(foreign) > 3 else ''}, which "
                "scrubber did not write; it writes only into an empty directory or one holding an earlier run's "
                "output. Choose another directory, or move those files away"
            )
    if not scrub.overwrite:
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

    run_id = new_run_id()
    output_tmp = temp_dir(scrub.scrubber_output, run_id)
    quarantine_tmp = temp_dir(scrub.scrubber_quarantine, run_id)
    try:
        for directory in (scrub.scrubber_output, scrub.scrubber_quarantine, output_tmp, quarantine_tmp):
            make_dirs(fs_config, directory)
    except SinkError:
        for directory in (output_tmp, quarantine_tmp):  # e.g. the quarantine is unwritable: no temp dir stays
            with contextlib.suppress(SinkError):
                remove_tree(fs_config, directory)
        raise
    return Prepared(
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
    )
