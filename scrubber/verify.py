"""``scrubber verify``: re-scan a sandbox for identifiers and for fields the catalogue does not allow.

Every record of every data file (Parquet or JSON lines, local, gs:// or s3://; every file below the
sandbox, partitions such as ``dt=2026-11-23/`` included, skipping path segments that start with '.'
or '_') is walked against the catalogue's compiled plan:

- a field (or Parquet column) that no keeping rule allows is a finding (default deny, re-checked);
- a value of the wrong type for its rule is a finding;
- every string is scanned by every registered detector (``build_scanner(None)``), except values
  whose rule makes them look like an identifier on purpose, which are checked by shape instead:
  a pseudonym must be exactly the keyed hash format, and a truncated IP must already be a
  network address (re-truncating it changes nothing);
- a line that cannot be read is a finding (nothing unreadable passes).

With ``--audit`` the stored shards are also checked against the sandbox's audits: the union of the
``output.shards`` of every committed audit (``_audit.json``, or in an incremental sandbox the
``_audits/<run_id>.json`` of each run in ``_inputs.json``), with the erasures of ``_erasures/`` applied
in erasure_id order, must be exactly the data files there, each with its BLAKE3, bytes and rows.
With a key ring (``--key-file`` and the like; never ``SCRUBBER_KEY`` by default, verify needs no key),
the key ids of audits and Parquet shards are sorted into current, retired (a notice) and unknown (a
finding).

Findings name the file, the row (1-based line or Parquet row; 0 for a whole file), the field path and
the kind, never the value. Exit 0 when clean, 1 on any finding, 2 on bad usage, catalogue or key, 3 on
I/O. The catalogue is --catalogue, or the one named in the sandbox's _audit.json (its digest must match).
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from scrubber.arguments import (
    add_key_arguments,
    add_s3_arguments,
    fs_config_from_args,
    key_given,
    parse_command_line,
    ring_from_args,
)
from scrubber.catalogue import LoadedCatalogue, load_catalogue, resolve
from scrubber.core import catalogue_terms
from scrubber.detectors.scanner import TextScanner, build_scanner
from scrubber.errors import (
    EXIT_FINDINGS,
    EXIT_OK,
    CatalogueError,
    RecordRejected,
    ScrubberError,
    UsageError,
    exit_code_for,
)
from scrubber.io.digests import file_digest
from scrubber.io.fs import FsConfig, SourceError, files_below, join_uri, short_error
from scrubber.io.lines import ReadProblem
from scrubber.io.publish import (
    AUDIT_NAME,
    AUDITS_DIR,
    ERASURES_DIR,
    MANIFEST_NAME,
    RUN_ID_PATTERN,
    read_json,
    run_id_of,
)
from scrubber.io.readers import reader_for
from scrubber.io.writers import SinkError
from scrubber.keys import KeyRing
from scrubber.operators import OPERATORS
from scrubber.operators.scan_json import json_strings
from scrubber.plan import Leaf, ListNode, MapNode, Node, ShapeNode, Walker, build_tree, case_roots
from scrubber.plan.walk import child_path
from scrubber.records import decode_line

_PY_TYPES: dict[str, tuple[type, ...]] = {"string": (str,), "int64": (int,), "double": (float, int), "bool": (bool,)}
# Operators whose output looks like an identifier on purpose (a pseudonym, a /24 network): the second
# opinion skips them; our own output checks test their exact shape.
IDENTIFIER_SHAPED_OPS = frozenset({"pseudonymize", "truncate_ip", "round_coord", "epoch_second", "int_range"})

_ARROW_TYPES = {
    "string": pa.string(),
    "int64": pa.int64(),
    "double": pa.float64(),
    "bool": pa.bool_(),
    "json": pa.string(),
}

DESCRIPTION = """\
Re-scan a sandbox (a directory or file of Parquet or JSON lines, local, gs:// or s3://): every
field is checked against the catalogue's allow-list and every string value against every
detector. With --audit, the shards are also checked against the sandbox's audits and erasures,
and with a key ring, their key ids against it. Prints one line per finding (file:row: field path:
kind), never the value. Exit 0 when clean, 1 on any finding."""

EPILOG = """\
examples:
  scrubber verify sandbox/
  scrubber verify --catalogue pseudonymous exports/suspicious.jsonl
  scrubber verify s3://sandbox/2026-11-23 --s3-endpoint-url http://localhost:9000
  scrubber verify --audit --key-file scrubber.keyring sandbox/
  scrubber verify --audit-only sandbox/

The data files are every file below URI (partitions like dt=2026-11-23/ too), skipping names that start
with '.' or '_'. The catalogue comes from --catalogue or from the sandbox's _audit.json (not needed with
--audit-only). Rows are 1-based lines (JSON lines) or rows (Parquet); row 0 is a Parquet file's schema,
or a whole file. Finding kinds:
  <DETECTOR>          an identifier the detector found in a string (EMAIL, IP, ...)
  field_not_allowed   a field that no rule of the catalogue keeps
  column_not_allowed  a Parquet column that no rule keeps (even if all null)
  wrong_type          a value of another type than its rule produces
  not_a_pseudonym     a pseudonymised field that does not hold a pseudonym
  ip_not_truncated    an IP field holding more than the network part
  presidio:<ENTITY>   with --second-opinion: what presidio-analyzer's own recognizers found in a kept
                      string (EMAIL_ADDRESS, PHONE_NUMBER, PERSON with a spaCy model ...)
  expected_field_empty  a field the catalogue marks expected is empty in every record (row 0)
  unreadable          a line or file that cannot be read

With --audit (or --audit-only, which skips the detector scan), the shards against the audits: the
output.shards of _audit.json, or of _audits/<run_id>.json for each run in _inputs.json (incremental),
then each erasure of _erasures/ in erasure_id order. Prints the audits, shards, rows and erasures
applied, and (without a key ring) which key ids made the shards. Finding kinds:
  shard_missing       a shard an audit lists is not there
  shard_changed       a shard's stored bytes differ from its recorded BLAKE3 (or size)
  shard_rows_differ   a shard holds another number of rows than recorded
  shard_not_in_audit  a data file that no audit lists (an unfinished run, a file put there by hand)
  audit_not_ok        an audit whose status is not ok
  audit_unreadable    an audit, manifest (_inputs.json) or erasure record that is missing or garbled;
                      stderr says how to fix it
  erasure_does_not_chain  an erasure that started from another shard hash than the one expected
  key_id_differs      a Parquet shard's scrubber.key_id metadata (or an audit's shard entry, or the
                      manifest's run) names another key id than its audit
An audit from before shard hashes (audit_version 1) cannot be checked: exit 2.

Key ids, with a key ring (--key-file, --key-env or --key-secret: one key per line, current first;
without one, verify needs no key): the audits' key ids and the Parquet shards' scrubber.key_id. The
current key is fine; a retired one is a notice on stderr (its shards' pseudonyms do not join with
current ones) and does not change the exit code. Finding kind:
  unknown_key_id      a key id that the ring does not hold

exit codes: 0 clean; 1 findings; 2 bad usage, catalogue or key; 3 input/output failure"""


@dataclass(frozen=True, slots=True)
class Finding:
    file: str
    row: int
    path: str
    kind: str

    def __str__(self) -> str:
        return f"{self.file}:{self.row}: {self.path or '(record)'}: {self.kind}"


class _RecordCheck(Walker):
    """One output record against the tree: (path, kind) for every problem."""

    parse_structures = False
    output_names = True

    def __init__(self, verifier: Verifier) -> None:
        self.verifier = verifier
        self.found: list[tuple[str, str]] = []
        self.filled: set[int] = set()  # rules whose field held a value in this record

    def walk_child(self, node: Node, value: Any, path: str) -> None:
        if value is None:
            return
        if not node.keeps:
            self.on_no_rule(value, path)
            return
        self.walk(node, value, path)

    def on_no_rule(self, value: Any, path: str) -> None:
        if value is None:
            return
        self.found.append((path, "field_not_allowed"))
        self.verifier.scan_all(value, path, self.found)

    def on_wrong_shape(self, node: Node, value: Any, path: str, expected: str) -> None:
        self.found.append((path, "wrong_type"))
        self.verifier.scan_all(value, path, self.found)

    def on_leaf(self, leaf: Leaf, value: Any, path: str) -> None:
        self.filled.add(leaf.rule)
        wanted = _PY_TYPES.get(leaf.output_type, (object,))
        if not isinstance(value, wanted) or (isinstance(value, bool) and leaf.output_type != "bool"):
            self.on_wrong_shape(leaf, value, path, leaf.output_type)
            return
        if isinstance(value, str) or (leaf.output_type == "json" and isinstance(value, (dict, list))):
            self.found += [(path, kind) for kind in self.verifier.output_checks[leaf.rule](value, self.verifier.kinds)]
            second = self.verifier.second_opinion
            if second is not None and leaf.op not in IDENTIFIER_SHAPED_OPS:
                texts = [value] if isinstance(value, str) else list(json_strings(value))
                self.found += [(path, f"presidio:{kind}") for text in texts for kind in second(text)]


class Verifier:
    """Checks records against one catalogue's plan tree and the detectors. Needs no key.

    Each operator says how its output is checked (``Operator.output_check``): by default a string is
    scanned by every registered detector; a pseudonym is checked by its exact shape and a truncated IP
    by truncating it again, because they look like identifiers on purpose.
    """

    def __init__(
        self,
        catalogue: LoadedCatalogue,
        scanner: TextScanner | None = None,
        second_opinion: Callable[[str], list[str]] | None = None,
    ) -> None:
        self.second_opinion = second_opinion  # another project's recognizers: (text) -> entity types found
        self.root = build_tree(catalogue)
        rules = catalogue.model.rules
        self.output_checks = [OPERATORS[rule.op].output_check(rule) for rule in rules]
        extra, allow = catalogue_terms(catalogue.model.text)  # its deny-terms flag, its allow-terms pass
        self.scanner = scanner or build_scanner(None, extra=extra, allow=allow)
        self.expected = {index: rule.field for index, rule in enumerate(rules) if rule.expected}
        self.filled: set[int] = set()  # rules whose field held a value in some record checked so far

    def empty_expected(self) -> list[str]:
        """Fields marked ``expected`` that no record checked so far had."""
        return [field for index, field in self.expected.items() if index not in self.filled]

    def kinds(self, text: str) -> list[str]:
        """The kind of every detector finding in ``text``. JSON text with escapes is decoded first, so that
        ``"Bj\\u00f6rn"`` or an escaped e-mail is scanned as what it says."""
        if "\\" in text and text.lstrip()[:1] in ("{", "["):
            try:
                decoded = orjson.loads(text)
            except orjson.JSONDecodeError:
                pass
            else:
                return [span.kind for leaf in json_strings(decoded) for span in self.scanner.find(leaf)]
        return [span.kind for span in self.scanner.find(text)]

    # -- records ----------------------------------------------------------------------------------

    def check_record(self, record: Any) -> list[tuple[str, str]]:
        """(path, kind) for every problem in one output record."""
        if not isinstance(record, dict):
            return [("", "not_an_object")]
        results = []
        for root in self._roots_for(record):
            check = _RecordCheck(self)
            check.walk_child(root, record, "")
            if not check.found:
                self.filled |= check.filled
                return []
            results.append(check)
        best = min(results, key=lambda check: len(check.found))
        self.filled |= best.filled
        return best.found

    def _roots_for(self, record: dict[Any, Any]) -> list[MapNode]:
        """The trees a record is checked against: with a select, its case's when the output holds the
        value, else every case (a record passes if it is clean under one of them)."""
        if isinstance(self.root, MapNode):
            return [self.root]
        case = self.root.case_for(record)
        return [self.root.cases[case]] if case is not None else self.root.cases

    def scan_all(self, value: Any, path: str, found: list[tuple[str, str]]) -> None:
        """Detector findings anywhere inside a value that is already a finding, to say what it holds."""
        if isinstance(value, str):
            found += [(path, kind) for kind in self.kinds(value)]
        elif isinstance(value, list):
            for i, item in enumerate(value):
                self.scan_all(item, f"{path}[{i}]", found)
        elif isinstance(value, dict):
            for key, item in value.items():
                self.scan_all(item, child_path(path, key), found)

    # -- Parquet schemas --------------------------------------------------------------------------

    def check_schema(self, schema: pa.Schema) -> list[tuple[str, str]]:
        """Every column's type against the tree. With a select, the file holds every case's columns, so a
        problem counts only if every case has it."""
        found: list[tuple[str, str]] = []
        for field in schema:
            per_case = []
            for root in case_roots(self.root):
                child, _ = root.lookup_output(field.name)
                problems: list[tuple[str, str]] = []
                self._check_type(child, field.type, field.name, problems)
                per_case.append(problems)
            found += [problem for problem in per_case[0] if all(problem in other for other in per_case[1:])]
        return found

    def _check_type(self, node: Node | None, dtype: pa.DataType, path: str, found: list[tuple[str, str]]) -> None:
        if node is None or not node.keeps:
            found.append((path, "column_not_allowed"))
            return
        if isinstance(node, Leaf):
            if _ARROW_TYPES.get(node.output_type) != dtype:
                found.append((path, "wrong_type"))
        elif isinstance(node, ShapeNode) or (node.parse == "json" and node.json_text):
            if dtype != pa.string():  # a JSON-string column
                found.append((path, "wrong_type"))
        elif isinstance(node, ListNode):
            if not (pa.types.is_list(dtype) or pa.types.is_large_list(dtype)):
                found.append((path, "wrong_type"))
                return
            self._check_type(node.item, dtype.value_type, f"{path}[*]", found)
        elif isinstance(node, MapNode):
            if not pa.types.is_struct(dtype):
                found.append((path, "wrong_type"))
                return
            for i in range(dtype.num_fields):
                sub = dtype.field(i)
                child, _ = node.lookup_output(sub.name)
                self._check_type(child, sub.type, f"{path}.{sub.name}", found)


# --- files ---------------------------------------------------------------------------------------


def verify_file(verifier: Verifier, uri: str, fs_config: FsConfig) -> tuple[int, list[Finding]]:
    """(records read, findings) for one data file."""
    findings: list[Finding] = []
    records = 0
    reader = reader_for(uri, fs_config)
    if reader.arrow_schema is not None:  # a typed file: its columns are checked too, even all-null ones
        try:
            schema = reader.arrow_schema(uri, fs_config)
        except (OSError, pa.ArrowException):
            return 0, [Finding(uri, 0, "", "unreadable")]
        findings += [Finding(uri, 0, p, k) for p, k in verifier.check_schema(schema)]
    for item in reader.read(uri, fs_config, None):
        if isinstance(item, ReadProblem):
            findings.append(Finding(uri, item.line.line_no, "", "unreadable"))
            continue
        try:
            record = decode_line(item.data)
        except RecordRejected as exc:
            if exc.reason != "empty_line":
                findings.append(Finding(uri, item.line_no, "", "unreadable"))
            continue
        records += 1
        findings += [Finding(uri, item.line_no, p, k) for p, k in verifier.check_record(record)]
    return records, findings


def catalogue_for(uri: str, given: str | None, fs_config: FsConfig) -> LoadedCatalogue:
    """The catalogue to verify against: --catalogue, else the one the sandbox's audit names."""
    if given:
        return load_catalogue(given)
    audit_uri = join_uri(uri, AUDIT_NAME)
    try:
        audit = read_json(fs_config, audit_uri)
    except SinkError:
        raise CatalogueError(
            f"no --catalogue given and no {AUDIT_NAME} in {uri} to name one; pass --catalogue NAME|PATH"
        ) from None
    named = audit.get("catalogue", {}) if isinstance(audit, dict) else {}
    digest = named.get("digest")
    for candidate in (named.get("source"), named.get("name")):
        if not candidate:
            continue
        try:
            path = resolve(str(candidate))
        except CatalogueError:
            continue
        loaded = load_catalogue(path)
        if loaded.digest == digest:
            return loaded
    raise CatalogueError(
        f"the audit in {uri} names catalogue {named.get('name')!r} with digest {digest}, and no catalogue with that "
        "digest was found; pass the exact catalogue with --catalogue PATH"
    )


def data_files(uri: str, fs_config: FsConfig, *, allow_empty: bool = False) -> list[str]:
    """The data files of a sandbox: a file, or every file below a directory, recursively (partitions such as
    ``dt=2026-11-23/``), skipping any path segment that starts with '.' or '_' (temporary directories,
    audits, manifests, erasure records). Raises SourceError if there is nothing (unless ``allow_empty``)."""
    return list(files_below(uri, fs_config, allow_empty=allow_empty).values())


# --- verify --audit: the expected state of a sandbox, from its audits and erasures ---------------------

KEY_ID_METADATA = b"scrubber.key_id"
_RUN_ID = re.compile(rf"^{RUN_ID_PATTERN}$")  # run ids and erasure ids: UTC start time, 8 random hex

_FIX_RUN = "it is written by scrubber run: restore it from a copy, or re-run scrubber run into a fresh sandbox"
_FIX_MANIFEST = (
    "it is the manifest of an incremental sandbox, written last by scrubber run --incremental: restore it from a "
    "copy, or re-run scrubber run --incremental into a fresh sandbox"
)
_FIX_ERASURE = (
    "it is written by scrubber subject --delete: restore it from a copy; until then the shards it rewrote do not "
    "match their audits"
)


@dataclass(slots=True)
class ExpectedShard:
    """What an audit (and the erasures after it) says one shard of the sandbox holds."""

    path: str  # relative to the sandbox, '/'-separated
    rows: int
    bytes: int
    blake3: str
    key_id: str | None


@dataclass
class AuditState:
    """The sandbox as its committed audits and its erasures describe it, and what was wrong with them."""

    shards: dict[str, ExpectedShard] = dataclasses.field(default_factory=dict)
    audits: list[tuple[str, str | None]] = dataclasses.field(default_factory=list)  # (audit uri, key id), in run order
    erasures: int = 0  # erasure records applied
    findings: list[Finding] = dataclasses.field(default_factory=list)
    notes: list[str] = dataclasses.field(default_factory=list)  # how to fix what findings name (stderr)
    # runs whose audit is unreadable: their shards (named part-<run_id>-...) are not reported again
    lost_runs: set[str] = dataclasses.field(default_factory=set)
    complete: bool = True  # False when the audit or manifest itself is unreadable: no shard can be judged

    def unreadable(self, uri: str, why: str, fix: str) -> None:
        self.findings.append(Finding(uri, 0, "(file)", "audit_unreadable"))
        self.notes.append(f"{uri}: {why}; {fix}")

    def lose(self, run_id: str | None) -> None:
        """A run's audit is unusable: its shards are not judged (a plain sandbox's: none can be)."""
        if run_id is None:
            self.complete = False
        else:
            self.lost_runs.add(run_id)


def _exists(fs_config: FsConfig, uri: str) -> bool:
    fs, path = fs_config.resolve(uri)
    try:
        return bool(fs.get_file_info(path).type != pafs.FileType.NotFound)
    except (OSError, pa.ArrowException) as exc:
        raise SourceError(f"cannot look for {uri}: {short_error(exc)}") from None


def _read_record(fs_config: FsConfig, uri: str, state: AuditState, fix: str) -> dict[str, Any] | None:
    """A JSON object written beside the shards, or None (with an ``audit_unreadable`` finding) if it is missing
    or garbled. Other I/O failures raise (exit 3): an unreachable store says nothing about the sandbox."""
    if not _exists(fs_config, uri):
        state.unreadable(uri, "missing", fix)
        return None
    fs, path = fs_config.resolve(uri)
    try:
        with fs.open_input_stream(path, compression=None) as stream:
            data = stream.read()
    except (OSError, pa.ArrowException) as exc:
        raise SourceError(f"cannot read {uri}: {short_error(exc)}") from None
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError:
        state.unreadable(uri, "not valid JSON", fix)
        return None
    if not isinstance(value, dict):
        state.unreadable(uri, "not a JSON object", fix)
        return None
    return value


def _safe_path(value: Any) -> bool:
    """A shard path as audits write it: relative, '/'-separated, never leaving the sandbox."""
    return (
        isinstance(value, str)
        and bool(value)
        and not value.startswith("/")
        and "://" not in value
        and all(part not in ("", ".", "..") for part in value.split("/"))
    )


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _shard_entry(entry: Any) -> bool:
    return (
        isinstance(entry, dict)
        and _safe_path(entry.get("path"))
        and _is_int(entry.get("rows"))
        and _is_int(entry.get("bytes"))
        and isinstance(entry.get("blake3"), str)
        and isinstance(entry.get("key_id"), str | None)
    )


def _add_audit(state: AuditState, uri: str, audit: dict[str, Any], run_id: str | None) -> None:
    """Add one committed audit's shards to the expected state. Raises UsageError for an audit from before shard
    hashes (audit_version 1): --audit cannot check such a sandbox at all."""
    output = audit.get("output")
    shards = output.get("shards") if isinstance(output, dict) else None
    version = audit.get("audit_version")
    if shards is None and (not isinstance(version, int) or version < 2):
        raise UsageError(
            f"{uri} predates shard hashes (audit_version {version}): it lists no output.shards, so verify --audit "
            "has nothing to check the shards against. Run verify without --audit (the detector scan still runs), "
            "or re-run this version of scrubber run into a fresh sandbox to get an audit that records them"
        )
    if not isinstance(shards, list) or not all(_shard_entry(entry) for entry in shards):
        state.unreadable(uri, "its output.shards is not a list of {path, rows, bytes, blake3, key_id}", _FIX_RUN)
        state.lose(run_id)
        return
    if run_id is not None and audit.get("run_id") != run_id:
        state.unreadable(uri, f"it is the audit of another run than {run_id}, which the manifest names", _FIX_RUN)
        state.lose(run_id)
        return
    key_id = audit.get("key_id") if isinstance(audit.get("key_id"), str) else None
    state.audits.append((uri, key_id))
    if audit.get("status") != "ok":
        state.findings.append(Finding(uri, 0, "status", "audit_not_ok"))
    for index, entry in enumerate(shards):
        if entry.get("key_id") is not None and key_id is not None and entry["key_id"] != key_id:
            state.findings.append(Finding(uri, 0, f"output.shards[{index}].key_id", "key_id_differs"))
        path = entry["path"]
        state.shards[path] = ExpectedShard(
            path, entry["rows"], entry["bytes"], entry["blake3"], entry.get("key_id") or key_id
        )


def expected_state(root: str, fs_config: FsConfig) -> AuditState:
    """The shards a sandbox should hold: the union of ``output.shards`` of every committed audit (plain:
    ``_audit.json``; incremental: ``_audits/<run_id>.json`` of each run in ``_inputs.json``), then every erasure
    of ``_erasures/`` applied in erasure_id order. Raises UsageError (audit_version 1), SourceError, SinkError."""
    state = AuditState()
    manifest_uri = join_uri(root, MANIFEST_NAME)
    plain_run: str | None = None  # plain mode: erasures from before this run belong to an earlier sandbox
    if _exists(fs_config, manifest_uri) or _exists(fs_config, join_uri(root, AUDITS_DIR)):
        manifest = _read_record(fs_config, manifest_uri, state, _FIX_MANIFEST)
        runs = manifest.get("runs") if manifest is not None else None
        if manifest is not None and not (
            isinstance(runs, list) and all(isinstance(r, dict) and isinstance(r.get("run_id"), str) for r in runs)
        ):
            state.unreadable(manifest_uri, "its runs are not a list of {run_id, audit, ...}", _FIX_MANIFEST)
            runs = None
        if runs is None:
            state.complete = False
            return state
        for index, run in enumerate(runs):
            run_id = run["run_id"]
            relative = run.get("audit") or f"{AUDITS_DIR}/{run_id}.json"
            if not _safe_path(relative):
                state.unreadable(manifest_uri, f"run {run_id} names its audit outside the sandbox", _FIX_MANIFEST)
                state.lose(run_id)
                continue
            audit_uri = join_uri(root, relative)
            audit = _read_record(fs_config, audit_uri, state, _FIX_RUN)
            if audit is None:
                state.lose(run_id)
                continue
            _add_audit(state, audit_uri, audit, run_id)
            if run.get("key_id") not in (None, audit.get("key_id")):
                state.findings.append(Finding(manifest_uri, 0, f"runs[{index}].key_id", "key_id_differs"))
    else:
        audit_uri = join_uri(root, AUDIT_NAME)
        audit = _read_record(fs_config, audit_uri, state, _FIX_RUN)
        if audit is None:
            state.lose(None)
            return state
        _add_audit(state, audit_uri, audit, None)
        plain_run = audit.get("run_id") if isinstance(audit.get("run_id"), str) else None
    _apply_erasures(state, root, fs_config, plain_run)
    return state


def _erasure_entry(entry: Any) -> bool:
    return (
        isinstance(entry, dict)
        and _safe_path(entry.get("path"))
        and isinstance(entry.get("blake3_before"), str)
        and _is_int(entry.get("rows_after"))
        and isinstance(entry.get("blake3_after"), str)
        and _is_int(entry.get("bytes_after"))
    )


def _time(run_id: str) -> str:
    """The UTC start time of a run id or erasure id (the random part says nothing about order)."""
    return run_id.split("-", 1)[0]


def _apply_erasures(state: AuditState, root: str, fs_config: FsConfig, plain_run: str | None) -> None:
    """Apply every erasure record to the expected shards, oldest first. Each must start from the hash the shard
    is expected to have (``erasure_does_not_chain`` if not); the shard is then expected to hold what it wrote, even
    when it did not chain (so one break is reported once, not again on every shard check after it). In a plain
    sandbox, erasures older than its run (an earlier sandbox replaced with --overwrite) do not apply."""
    directory = join_uri(root, ERASURES_DIR)
    fs, path = fs_config.resolve(directory)
    try:
        infos = fs.get_file_info(pafs.FileSelector(path, recursive=False, allow_not_found=True))
    except (OSError, pa.ArrowException) as exc:
        raise SourceError(f"cannot list {directory}: {short_error(exc)}") from None
    names = [i.base_name for i in infos if i.type == pafs.FileType.File and i.base_name.endswith(".json")]
    records: list[tuple[str, str, dict[str, Any]]] = []
    for name in names:
        if name.startswith((".", "_")):  # a temporary file of an erasure being written
            continue
        uri = join_uri(directory, name)
        erasure = _read_record(fs_config, uri, state, _FIX_ERASURE)
        if erasure is None:
            continue
        shards = erasure.get("shards")
        if not isinstance(shards, list) or not all(_erasure_entry(entry) for entry in shards):
            state.unreadable(
                uri, "its shards are not a list of {path, blake3_before, rows_after, blake3_after, ...}", _FIX_ERASURE
            )
            continue
        erasure_id = erasure.get("erasure_id")
        records.append((erasure_id if isinstance(erasure_id, str) else name.removesuffix(".json"), uri, erasure))
    stale = 0
    for erasure_id, uri, erasure in sorted(records, key=lambda r: (r[0], r[1])):
        if (
            plain_run
            and _RUN_ID.match(plain_run)
            and _RUN_ID.match(erasure_id)
            and _time(erasure_id) < _time(plain_run)
        ):
            stale += 1
            continue
        state.erasures += 1
        for index, entry in enumerate(erasure["shards"]):
            expected = state.shards.get(entry["path"])
            if expected is None or expected.blake3 != entry["blake3_before"]:
                where = f"shards[{index}]" if expected is None else f"shards[{index}].blake3_before"
                state.findings.append(Finding(uri, 0, where, "erasure_does_not_chain"))
                if expected is None:
                    continue
            expected.rows, expected.blake3, expected.bytes = (
                entry["rows_after"],
                entry["blake3_after"],
                entry["bytes_after"],
            )
    if stale:
        state.notes.append(
            f"{stale} erasure records in {directory} are older than the run that wrote this sandbox, so they were "
            "not applied (they describe the sandbox it replaced). That run may have published the erased records "
            "again from the raw logs: run scrubber subject --delete again for those subjects"
        )
    if any(f.kind == "erasure_does_not_chain" for f in state.findings):
        state.notes.append(
            "an erasure that does not chain started from another state of the shard than its audit (and the "
            "erasures before it) describe: the shard was changed outside scrubber, or an erasure record is missing"
        )


# --- verify --audit: the shards as stored --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ShardFacts:
    """What a stored data file says of itself: its rows (None if it cannot be read) and its key id metadata."""

    rows: int | None
    key_id: str | None


def shard_facts(uri: str, fs_config: FsConfig, *, count_lines: bool = True) -> ShardFacts:
    """Rows (a Parquet file's row count; a JSON-lines file's non-blank lines, read) and, for Parquet, the key id
    in its schema metadata (``scrubber.key_id``). ``count_lines=False`` skips reading JSON lines."""
    reader = reader_for(uri, fs_config)
    if reader.name == "parquet":
        fs, path = fs_config.resolve(uri)
        try:
            with fs.open_input_file(path) as handle:
                parquet = pq.ParquetFile(handle)
                metadata = parquet.schema_arrow.metadata or {}
                rows = parquet.metadata.num_rows
        except (OSError, pa.ArrowException):
            return ShardFacts(None, None)
        raw = metadata.get(KEY_ID_METADATA)
        return ShardFacts(rows, raw.decode("utf-8", "replace") if raw is not None else None)
    if not count_lines:
        return ShardFacts(None, None)
    rows = 0
    for item in reader.read(uri, fs_config, None):
        if isinstance(item, ReadProblem) or item.data.strip():
            rows += 1
    return ShardFacts(rows, None)


def check_shards(
    root: str, stored: dict[str, str], state: AuditState, fs_config: FsConfig, *, audit_only: bool
) -> tuple[list[Finding], dict[str, ShardFacts], int]:
    """Every expected shard against the stored file, and every stored data file (relative path -> URI) against
    the audits: (findings, facts per relative path, shards checked)."""
    findings: list[Finding] = []
    facts: dict[str, ShardFacts] = {}
    checked = 0
    for path, expected in sorted(state.shards.items()):
        uri = stored.get(path) or join_uri(root, path)
        if path not in stored and not _exists(fs_config, uri):
            findings.append(Finding(uri, 0, "(file)", "shard_missing"))
            continue
        checked += 1
        digest = file_digest(fs_config, uri)
        if digest.blake3 != expected.blake3 or digest.bytes != expected.bytes:
            findings.append(Finding(uri, 0, "blake3", "shard_changed"))
        fact = facts[path] = shard_facts(uri, fs_config)
        if fact.rows is None:
            if audit_only:  # otherwise the scan has reported it
                findings.append(Finding(uri, 0, "(file)", "unreadable"))
        elif fact.rows != expected.rows:
            findings.append(Finding(uri, 0, "rows", "shard_rows_differ"))
        if fact.key_id is not None and expected.key_id is not None and fact.key_id != expected.key_id:
            findings.append(Finding(uri, 0, "scrubber.key_id", "key_id_differs"))
    for path, uri in sorted(stored.items()):
        if path in state.shards or not state.complete or run_id_of(path) in state.lost_runs:
            continue
        findings.append(Finding(uri, 0, "(file)", "shard_not_in_audit"))
        facts[path] = shard_facts(uri, fs_config, count_lines=False)
    return findings, facts, checked


# --- key ids ---------------------------------------------------------------------------------------


@dataclass
class KeyUse:
    """The shards (and their rows) that one key id made, and the audits that name it."""

    shards: int = 0
    rows: int = 0
    audits: list[str] = dataclasses.field(default_factory=list)


def key_uses(state: AuditState | None, facts: dict[str, ShardFacts]) -> dict[str, KeyUse]:
    """Per key id: the audits naming it and the stored shards made with it (a shard's key is its audit's, else
    its Parquet metadata's)."""
    uses: dict[str, KeyUse] = {}
    owners = state.shards if state is not None else {}
    for audit_uri, key_id in state.audits if state is not None else []:
        if key_id is not None:
            uses.setdefault(key_id, KeyUse()).audits.append(audit_uri)
    for path, fact in facts.items():
        owner = owners.get(path)
        key_id = (owner.key_id if owner is not None else None) or fact.key_id
        if key_id is None:
            continue
        use = uses.setdefault(key_id, KeyUse())
        use.shards += 1
        use.rows += fact.rows or 0
    return uses


def check_key_ids(
    ring: KeyRing, uses: dict[str, KeyUse], state: AuditState | None, facts: dict[str, ShardFacts], uris: dict[str, str]
) -> tuple[list[Finding], list[str]]:
    """(``unknown_key_id`` findings, notices): a key id the ring does not hold is a finding (on each audit that
    names it, and on each Parquet shard whose metadata names it apart from an audit); a retired one is a notice."""
    findings: list[Finding] = []
    notes: list[str] = []
    owners = state.shards if state is not None else {}
    current = ring.current.key_id
    for key_id, use in sorted(uses.items()):
        status = ring.status_of(key_id)
        if status == "retired":
            notes.append(
                f"{use.shards} shards ({use.rows:,} rows) were made with retired key id {key_id}; the current key id "
                f"is {current}: pseudonyms there do not join with current ones"
            )
        elif status == "unknown":
            findings += [Finding(uri, 0, "key_id", "unknown_key_id") for uri in use.audits]
            notes.append(
                f"key id {key_id} ({use.shards} shards, {use.rows:,} rows) is not in the key ring "
                f"({', '.join(ring.key_ids)}; current first): if it is one of yours, add it to the ring as a "
                "retired key (one key per line, the current key first)"
            )
    for path, fact in sorted(facts.items()):
        owner = owners.get(path)
        if fact.key_id is None or (owner is not None and owner.key_id == fact.key_id):
            continue
        if ring.status_of(fact.key_id) == "unknown":
            findings.append(Finding(uris.get(path, path), 0, "scrubber.key_id", "unknown_key_id"))
    return findings, notes


# --- the command ---------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="scrubber verify",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("uri", metavar="URI", help="a sandbox directory or one data file (local, gs://, s3://)")
    parser.add_argument("--catalogue", metavar="NAME|PATH", help="default: the catalogue named in URI/_audit.json")
    parser.add_argument(
        "--max-findings",
        type=int,
        default=100,
        metavar="N",
        help="print at most N finding lines (all are counted; default 100)",
    )
    parser.add_argument(
        "--audit",
        action="store_true",
        help="also check the sandbox's shards against its audits (_audit.json, or _inputs.json and _audits/ of an "
        "incremental sandbox) and its erasures (_erasures/): every shard present with its recorded BLAKE3 and rows, "
        "and no data file that no audit lists",
    )
    parser.add_argument(
        "--audit-only",
        action="store_true",
        help="--audit without the detector scan (needs no catalogue)",
    )
    parser.add_argument(
        "--second-opinion",
        action="store_true",
        help="also run presidio-analyzer's own recognizers (patterns; its NER too when a spaCy model is "
        "installed) over every kept string: an independent check of what our detectors may miss",
    )
    parser.add_argument(
        "--second-opinion-max",
        type=int,
        default=0,
        metavar="N",
        help="with --second-opinion: exit 1 only when it finds more than N (default 0)",
    )
    add_key_arguments(parser, title="key ring (optional, one of; without one verify needs no key)", ring=True)
    add_s3_arguments(parser)
    return parser


@dataclass
class Outcome:
    """What one verify run found: data files, findings, records scanned, and notices for stderr."""

    files: int
    findings: list[Finding]
    records: int
    notes: list[str] = dataclasses.field(default_factory=list)
    rows: int = 0  # rows of the shards checked by --audit


def key_ring_from(args: argparse.Namespace) -> KeyRing | None:
    """The key ring given on the command line, or None: verify never falls back to SCRUBBER_KEY."""
    return ring_from_args(args) if key_given(args) else None


def run(args: argparse.Namespace, out: Any = None) -> Outcome:
    """Raises CatalogueError, UsageError, KeyMaterialError, SourceError, SinkError."""
    out = out or sys.stdout
    fs_config = fs_config_from_args(args)
    audit = args.audit or args.audit_only
    ring = key_ring_from(args)
    if audit and _is_file(fs_config, args.uri):
        raise UsageError(f"--audit checks a sandbox directory against its audits; {args.uri} is one file")
    catalogue = None if args.audit_only else catalogue_for(args.uri, args.catalogue, fs_config)
    uris = files_below(args.uri, fs_config, allow_empty=audit)
    files = list(uris.values())
    findings: list[Finding] = []
    outcome = Outcome(len(files), findings, 0)

    def report(found: list[Finding]) -> None:
        for finding in found:
            if len(findings) < args.max_findings:
                print(finding, file=out)
            findings.append(finding)

    if catalogue is not None:
        second = None
        if args.second_opinion:
            from scrubber.integrations.presidio import SecondOpinion

            second = SecondOpinion().kinds
        verifier = Verifier(catalogue, second_opinion=second)
        for uri in files:
            n, found = verify_file(verifier, uri, fs_config)
            outcome.records += n
            report(found)
        if outcome.records:  # a field marked expected that no record of the whole sandbox has
            report([Finding(args.uri, 0, field, "expected_field_empty") for field in verifier.empty_expected()])
    state = None
    if audit:
        state = expected_state(args.uri, fs_config)
        found, facts, checked = check_shards(args.uri, uris, state, fs_config, audit_only=args.audit_only)
        report(sorted(state.findings + found, key=lambda f: (f.file, f.path, f.kind)))
        outcome.notes += state.notes
        outcome.rows = sum(facts[path].rows or 0 for path in state.shards if path in facts)
        print(
            f"scrubber verify: audits: {len(state.audits)} audits, {checked} shards checked, {outcome.rows:,} rows, "
            f"{state.erasures} erasures applied",
            file=out,
        )
    elif ring is not None:  # key ids from the Parquet shards' metadata (JSON lines carry none)
        facts = {path: shard_facts(uri, fs_config, count_lines=False) for path, uri in uris.items()}
    else:
        facts = {}
    uses = key_uses(state, facts)
    if ring is not None:
        found, notes = check_key_ids(ring, uses, state, facts, uris)
        report(found)
        outcome.notes += notes
        if not uses and audit:
            outcome.notes.append("no key ids to check: the audits name none")
        elif not uses:
            outcome.notes.append(
                "no key ids to check: no shard is Parquet with scrubber.key_id metadata; add --audit to check the "
                "audits' key ids"
            )
    elif audit:
        made = "; ".join(f"{key_id}: {use.shards} shards, {use.rows:,} rows" for key_id, use in sorted(uses.items()))
        print(f"scrubber verify: key ids: {made or 'none recorded'}", file=out)
    return outcome


def _is_file(fs_config: FsConfig, uri: str) -> bool:
    fs, path = fs_config.resolve(uri)
    try:
        return bool(fs.get_file_info(path).type == pafs.FileType.File)
    except (OSError, pa.ArrowException) as exc:
        raise SourceError(f"cannot look at {uri}: {short_error(exc)}") from None


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parse_command_line(parser, argv)
    if isinstance(args, int):
        return args
    try:
        outcome = run(args)
    except (ScrubberError, OSError) as exc:
        print(f"scrubber verify: {exc}", file=sys.stderr)
        return exit_code_for(exc)
    for note in outcome.notes:
        print(f"scrubber verify: {note}", file=sys.stderr)
    findings, n_files = outcome.findings, outcome.files
    records = (
        f"{outcome.rows:,} rows (not scanned: --audit-only)" if args.audit_only else f"{outcome.records:,} records"
    )
    second = [f for f in findings if f.kind.startswith("presidio:")]
    own = [f for f in findings if not f.kind.startswith("presidio:")]
    if second:
        per_type = Counter(f.kind for f in second)
        per_field = Counter(f.path.split("[")[0] for f in second)
        print(
            f"scrubber verify: second opinion (presidio): {len(second):,} hits: "
            + ", ".join(f"{k.removeprefix('presidio:')} {n}" for k, n in per_type.most_common())
            + "; by field: "
            + ", ".join(f"{k} {n}" for k, n in per_field.most_common(10)),
            file=sys.stderr,
        )
    if not own and len(second) <= args.second_opinion_max:
        print(f"scrubber verify: {args.uri}: {n_files} files, {records}, no findings")
        return EXIT_OK
    kinds = Counter(f.kind for f in findings)
    files = len({f.file for f in findings})
    shown = f" (first {args.max_findings} shown)" if len(findings) > args.max_findings else ""
    print(
        f"scrubber verify: {args.uri}: {len(findings):,} findings{shown} in {files} of {n_files} files, "
        f"{records}: " + ", ".join(f"{k} {n}" for k, n in kinds.most_common()),
        file=sys.stderr,
    )
    return EXIT_FINDINGS


if __name__ == "__main__":
    sys.exit(main())
