"""``scrubber subject``: a data subject's pseudonyms, and the sandbox records that hold them (GDPR Art. 15, 17).

The identifiers a person gives (an e-mail, an account id, a session id) are pseudonymised exactly as
``scrubber run`` does, by the catalogue's own pseudonymize rules built with each key of the ring, so the
printed pseudonyms are the ones in the sandbox. With ``--sandbox`` the records holding one are listed;
with ``--delete`` they are removed by rewriting each shard atomically (``scrubber.io.rewrite``), and an
erasure record ``<sandbox>/_erasures/<erasure_id>.json`` (counts and hashes, never values) lets
``scrubber verify --audit`` account for the changed shards. Identifiers are shown masked, never in full.
"""

from __future__ import annotations

import argparse
import functools
import sys
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import orjson
import pyarrow as pa
import pyarrow.fs as pafs

from scrubber.arguments import (
    add_key_arguments,
    add_s3_arguments,
    fs_config_from_args,
    parse_command_line,
    ring_from_args,
)
from scrubber.catalogue import LoadedCatalogue
from scrubber.errors import EXIT_OK, ScrubberError, UsageError, exit_code_for
from scrubber.io.digests import file_digest
from scrubber.io.fs import FsConfig, SourceError, files_below, join_uri, short_error
from scrubber.io.lines import ReadProblem
from scrubber.io.publish import ERASURES_DIR, make_dirs, stale_temp_dirs, write_json_atomic
from scrubber.io.readers import read_source, sniff
from scrubber.io.rewrite import REWRITABLE, rewrite_without
from scrubber.io.writers import SinkError
from scrubber.keys import Key, KeyRing
from scrubber.operators import OPERATORS, BuildContext, Invalid, RecordScope, Transform
from scrubber.operators.pseudonymize import PseudonymizeRule
from scrubber.plan.walk import child_path
from scrubber.verify import catalogue_for

if TYPE_CHECKING:
    from scrubber.detectors.scanner import TextScanner

ERASURE_VERSION = 1

DESCRIPTION = """\
A data subject's pseudonyms, and the sandbox records that hold them (GDPR Art. 15 access, Art. 17 erasure).

The identifiers (e-mail, account id, session id ...) are pseudonymised as `scrubber run` does: by the
catalogue's pseudonymize rules (normalizers, prefix, with_key_id), in every namespace (or those of
--namespace), with every key of the ring (current and retired, or those of --key-id). Identifiers are
shown masked (their length), never in full. With --sandbox, every record holding one of the pseudonyms
in any string value is listed (file:row: field paths); with --delete those records are removed."""

EPILOG = """\
examples:
  (umask 077; $EDITOR ids.txt)     # one identifier per line; delete the file when the request is done
  scrubber subject --ids-file ids.txt --catalogue pseudonymous --key-file scrubber.key
  scrubber subject --ids-file ids.txt --sandbox sandbox/ --key-file ring.key
  scrubber subject --ids-file - --sandbox sandbox/ --quarantine quarantine/ --key-file ring.key --delete
  scrubber subject --ids-file ids.txt --namespace user --key-id 3f1c0a9e5b2d7c48 --sandbox s3://sandbox/ \\
      --s3-endpoint-url http://localhost:9000

Prefer --ids-file (or - for stdin) to --id: --id values stay in the shell history and show in `ps`.
Each line of the file is one identifier; surrounding whitespace and blank lines are ignored.

what it finds:
  - the sandbox: every file below --sandbox, partitions (dt=YYYY-MM-DD/) too, except path segments
    starting with '.' or '_'. Unfinished runs' .scrubber-tmp-* directories are not searched (it warns).
  - the quarantine (--quarantine): entries whose "raw" line contains an identifier exactly as given
    (another spelling, e.g. an e-mail in other case, is another identifier). A hash-only quarantine
    (run with --quarantine-hash-only: "raw_blake3") or a sealed one (a quarantine key: "raw_sealed")
    cannot be searched; it says how many entries.
  - rules with `salt: per_record` make a different pseudonym in every record: no identifier alone finds
    them. They are named in the output; a request for salted namespaces only is refused (exit 2).
  - identifiers that scan_text replaced in free text are <TYPE> placeholders and link to no one
    (<TYPE:token> pseudonym tokens, with text.pseudonym_tokens, are not looked up).

--delete rewrites each affected shard without the records (a hidden temporary file in the same
directory, renamed over the shard; Parquet keeps its schema and metadata, JSON lines keep their bytes),
then writes <sandbox>/_erasures/<erasure_id>.json: the key ids, namespaces, the number of identifiers,
rows and BLAKE3 hashes of each shard before and after; never an identifier or a pseudonym. A re-run that
finds nothing changes nothing and writes no erasure record. `scrubber verify --audit` applies the
erasure records to the audits' shard hashes.

not touched: the raw logs, backups and copies made from the sandbox. A run from the raw logs brings the
records back: erase them at the source too, or run this erasure again after such a run.

exit codes: 0 ok (also when nothing is found); 2 bad usage, catalogue or key (no identifiers, an
unknown --key-id or --namespace, --delete without --sandbox, only salted namespaces); 3 input/output failure"""


# --- looking up pseudonyms -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Lookup:
    """One identifier in one namespace with one key: its pseudonym (or why it has none), and the fields."""

    identifier: int  # 1-based index in the given identifiers
    namespace: str
    key: Key
    fields: tuple[str, ...]
    pseudonym: str | None
    problem: str = ""


def _no_text_scanner(names: list[str] | None, tokens: bool) -> TextScanner:
    raise RuntimeError("pseudonymize rules need no text scanner")


def pseudonymize_rules(catalogue: LoadedCatalogue) -> list[PseudonymizeRule]:
    """The catalogue's pseudonymize rules (common ones and every select case's), in file order."""
    return [rule for rule in catalogue.model.rules if isinstance(rule, PseudonymizeRule)]


def choose_rules(catalogue: LoadedCatalogue, namespaces: Sequence[str]) -> tuple[list[PseudonymizeRule], list[str]]:
    """(the unsalted rules to look up, notes on salted ones). Raises UsageError when nothing can be looked up."""
    rules = pseudonymize_rules(catalogue)
    known = sorted({rule.namespace for rule in rules})
    name = catalogue.model.catalogue
    unknown = [ns for ns in namespaces if ns not in known]
    if unknown:
        raise UsageError(
            f"catalogue {name!r} has no pseudonymize rule in namespace {', '.join(unknown)}; "
            f"its namespaces: {', '.join(known) or 'none'}"
        )
    wanted = [rule for rule in rules if not namespaces or rule.namespace in namespaces]
    salted = [rule for rule in wanted if rule.salt == "per_record"]
    notes = [
        f"namespace {rule.namespace} ({rule.field}) uses salt: per_record, a new pseudonym in every record: "
        "it cannot be looked up"
        for rule in salted
    ]
    usable = [rule for rule in wanted if rule.salt != "per_record"]
    if not usable:
        what = f"namespace {', '.join(namespaces)}" if namespaces else f"catalogue {name!r}"
        raise UsageError(
            f"nothing to look up: every pseudonymize rule of {what} uses salt: per_record (a pseudonym per record, "
            "which no identifier alone finds)"
            if salted
            else f"catalogue {name!r} has no pseudonymize rule"
        )
    return usable, notes


def choose_keys(ring: KeyRing, key_ids: Sequence[str]) -> list[Key]:
    """The ring's keys, or those of --key-id. Raises KeyMaterialError for an id the ring does not hold."""
    return [ring.by_id(key_id) for key_id in dict.fromkeys(key_ids)] if key_ids else list(ring.keys)


def look_up(identifiers: Sequence[str], rules: Sequence[PseudonymizeRule], keys: Sequence[Key]) -> list[Lookup]:
    """Every identifier's pseudonym per namespace and key, computed by the pseudonymize operator itself.

    Rules of one namespace that give the same pseudonym are one lookup naming all their fields."""
    operator = OPERATORS["pseudonymize"]
    transforms: list[tuple[PseudonymizeRule, Key, Transform]] = [
        (rule, key, operator.build(rule, BuildContext(key=key, scanner_factory=_no_text_scanner)))
        for rule in rules
        for key in keys
    ]
    scope = RecordScope(record=None, detector_counts={})
    merged: dict[tuple[int, str, str, str | None, str], Lookup] = {}
    for number, identifier in enumerate(identifiers, 1):
        for rule, key, transform in transforms:
            try:
                pseudonym, problem = str(transform(identifier, scope)), ""
            except Invalid as exc:
                pseudonym, problem = None, exc.reason
            slot = (number, rule.namespace, key.key_id, pseudonym, problem)
            earlier = merged.get(slot)
            fields = (*earlier.fields, rule.field) if earlier else (rule.field,)
            merged[slot] = Lookup(number, rule.namespace, key, fields, pseudonym, problem)
    return list(merged.values())


def print_lookups(
    lookups: Sequence[Lookup], identifiers: Sequence[str], ring: KeyRing, notes: Sequence[str], out: Any
) -> None:
    by_identifier: dict[int, list[Lookup]] = {}
    for item in lookups:
        by_identifier.setdefault(item.identifier, []).append(item)
    width = max(len(item.namespace) for item in lookups)
    for number, identifier in enumerate(identifiers, 1):
        print(f"identifier #{number} ({len(identifier)} characters)", file=out)
        for item in by_identifier.get(number, []):
            label = f"key {item.key.key_id} ({ring.status_of(item.key.key_id)})"
            value = item.pseudonym if item.pseudonym is not None else f"(not an identifier here: {item.problem})"
            print(f"  {item.namespace:<{width}}  {label}  {value}  [{', '.join(item.fields)}]", file=out)
    for note in notes:
        print(f"not looked up: {note}", file=out)


# --- finding records -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Hit:
    """One record (1-based line or Parquet row) and where in it something was found."""

    row: int
    where: tuple[str, ...]


@dataclass(slots=True)
class FileHits:
    """The hits of one data file; ``unsearched`` counts rows that could not be read (or are hash-only)."""

    uri: str
    rel: str
    hits: list[Hit] = field(default_factory=list)
    unsearched: int = 0


# (the bytes of one line or row) -> labels of what was found ((): nothing; None: it cannot be searched)
Matcher = Callable[[bytes], tuple[str, ...] | None]


def holders(value: Any, needles: dict[str, str], path: str = "") -> Iterator[tuple[str, str]]:
    """(field path, namespace) of every string value, at any depth, containing one of the pseudonyms."""
    if isinstance(value, str):
        yield from ((path or "(record)", ns) for needle, ns in needles.items() if needle in value)
    elif isinstance(value, dict):
        for name, item in value.items():
            yield from holders(item, needles, child_path(path, name))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from holders(item, needles, f"{path}[{index}]")


def pseudonym_matcher(lookups: Sequence[Lookup]) -> Matcher:
    """Finds records with one of the pseudonyms in a string value. Pseudonyms are never escaped in JSON, so
    the raw bytes are a filter; a line that is not JSON matches on its bytes alone."""
    needles = {item.pseudonym: item.namespace for item in lookups if item.pseudonym is not None}
    encoded = [needle.encode() for needle in needles]

    def match(data: bytes) -> tuple[str, ...]:
        if not any(needle in data for needle in encoded):
            return ()
        try:
            record = orjson.loads(data)
        except orjson.JSONDecodeError:
            return ("(line not JSON)",)
        return tuple(dict.fromkeys(f"{path} [{ns}]" for path, ns in holders(record, needles)))

    return match


def raw_matcher(identifiers: Sequence[str]) -> Matcher:
    """Finds quarantine entries whose raw line holds an identifier verbatim; hash-only and sealed entries cannot be
    searched."""
    encoded = [identifier.encode("utf-8", "surrogatepass") for identifier in identifiers]

    def match(data: bytes) -> tuple[str, ...] | None:
        try:
            entry = orjson.loads(data)
        except orjson.JSONDecodeError:
            entry = None
        if isinstance(entry, dict) and isinstance(entry.get("raw"), str):
            raw = entry["raw"]
            return tuple(f"raw holds identifier #{n}" for n, ident in enumerate(identifiers, 1) if ident in raw)
        if isinstance(entry, dict) and ("raw_blake3" in entry or "raw_sealed" in entry):
            return None  # a keyed hash or an encrypted line: no identifier is visible in it
        return tuple(f"line holds identifier #{n}" for n, ident in enumerate(encoded, 1) if ident in data)

    return match


def data_files(fs_config: FsConfig, uri: str) -> list[tuple[str, str]]:
    """(URI, path relative to ``uri``) of every data file below a directory (see ``files_below``)."""
    fs, base = fs_config.resolve(uri)
    try:
        kind = fs.get_file_info(base).type
    except (OSError, pa.ArrowException) as exc:
        raise SourceError(f"cannot list {uri}: {short_error(exc)}") from None
    if kind == pafs.FileType.NotFound:
        raise SourceError(f"{uri}: no such directory")
    if kind != pafs.FileType.Directory:
        raise UsageError(f"{uri}: not a directory; --sandbox and --quarantine take the directory a run wrote")
    return [(file_uri, rel) for rel, file_uri in files_below(uri, fs_config, allow_empty=True).items()]


def search_file(fs_config: FsConfig, uri: str, rel: str, match: Matcher) -> FileHits:
    """Every line (JSON lines) or row (Parquet) of one file that ``match`` finds something in."""
    result = FileHits(uri, rel)
    for item in read_source(uri, fs_config):
        if isinstance(item, ReadProblem):
            result.unsearched += 1
            continue
        where = match(item.data)
        if where is None:
            result.unsearched += 1
        elif where:
            result.hits.append(Hit(item.line_no, where))
    return result


def search(fs_config: FsConfig, uri: str, match: Matcher) -> list[FileHits]:
    return [search_file(fs_config, file_uri, rel, match) for file_uri, rel in data_files(fs_config, uri)]


def print_hits(found: Sequence[FileHits], what: str, max_lines: int, out: Any) -> None:
    shown = 0
    for result in found:
        for hit in result.hits:
            if shown < max_lines:
                print(f"{result.uri}:{hit.row}: {', '.join(hit.where)}", file=out)
            shown += 1
    if shown > max_lines:
        print(f"(first {max_lines} of {shown} lines shown; see --max-lines)", file=out)
    for result in found:
        if result.hits:
            print(f"{result.uri}: {len(result.hits)} {what}", file=out)
    total = sum(len(result.hits) for result in found)
    files = sum(1 for result in found if result.hits)
    if total:
        print(f"{total} {what} in {files} of {len(found)} files", file=out)
    else:
        print(f"no {what} found in {len(found)} files", file=out)


def warn_unsearched(found: Sequence[FileHits], what: str, why: str) -> None:
    for result in found:
        if result.unsearched:
            print(
                f"scrubber subject: warning: {result.uri}: {result.unsearched} {what} could not be searched: {why}",
                file=sys.stderr,
            )


def warn_temp_dirs(fs_config: FsConfig, uri: str) -> None:
    for temp in stale_temp_dirs(fs_config, uri):
        print(
            f"scrubber subject: warning: {temp} (an unfinished run's files) is not searched; it may hold these "
            "records: remove it",
            file=sys.stderr,
        )


# --- erasing -------------------------------------------------------------------------------------


def new_erasure_id(now: datetime) -> str:
    """Like a run id: the UTC start time to the second and 8 random hex digits."""
    return now.strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:8]


def rewritable(fs_config: FsConfig, found: Sequence[FileHits]) -> list[tuple[FileHits, str]]:
    """The files with hits and their formats. Raises SinkError if one cannot be rewritten (checked before
    anything changes)."""
    affected = [(result, sniff(result.uri, fs_config)) for result in found if result.hits]
    for result, fmt in affected:
        if fmt not in REWRITABLE:
            raise SinkError(
                f"{result.uri}: a {fmt} file cannot be rewritten (only Parquet and JSON lines); nothing was deleted"
            )
    return affected


def erase(
    fs_config: FsConfig, affected: Sequence[tuple[FileHits, str]], match: Matcher, done: list[dict[str, Any]]
) -> None:
    """Rewrite every affected file without its hits, appending one erasure shard entry per rewritten file to
    ``done`` (so that after a failure it still holds the files already rewritten).

    Each file is hashed, searched again and rewritten; the rewrite checks the hash before its rename, so
    the rows removed are exactly those found in the file that ``blake3_before`` names."""
    for result, fmt in affected:
        entry = _erase_file(fs_config, result, fmt, match)
        if entry is not None:
            done.append(entry)


def _erase_file(fs_config: FsConfig, result: FileHits, fmt: str, match: Matcher) -> dict[str, Any] | None:
    before = file_digest(fs_config, result.uri)
    fresh = search_file(fs_config, result.uri, result.rel, match)
    if not fresh.hits:
        return None
    done = rewrite_without(fs_config, result.uri, fmt, [hit.row for hit in fresh.hits], before)
    return {
        "path": result.rel,
        "rows_before": done.rows_before,
        "rows_after": done.rows_after,
        "blake3_before": before.blake3,
        "blake3_after": done.digest.blake3,
        "bytes_after": done.digest.bytes,
    }


def erasure_record(
    at: datetime,
    shards: list[dict[str, Any]],
    quarantine_shards: list[dict[str, Any]],
    *,
    keys: Sequence[Key],
    rules: Sequence[PseudonymizeRule],
    identifiers: int,
) -> dict[str, Any]:
    """The erasure file (erasure_version 1): ids, counts and hashes; never an identifier or a pseudonym."""

    def removed(entries: list[dict[str, Any]]) -> int:
        return sum(entry["rows_before"] - entry["rows_after"] for entry in entries)

    return {
        "erasure_version": ERASURE_VERSION,
        "erasure_id": new_erasure_id(at),
        "at": at.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "key_ids": [key.key_id for key in keys],
        "namespaces": list(dict.fromkeys(rule.namespace for rule in rules)),
        "identifiers": identifiers,
        "records_removed": removed(shards),
        "quarantine_entries_removed": removed(quarantine_shards),
        "shards": shards,
        "quarantine_shards": quarantine_shards,
    }


# (start time, sandbox shard entries, quarantine shard entries) -> the erasure file
Describe = Callable[[datetime, list[dict[str, Any]], list[dict[str, Any]]], dict[str, Any]]


def delete(
    fs_config: FsConfig,
    sandbox: str,
    targets: Sequence[tuple[Sequence[FileHits], Matcher]],
    describe: Describe,
    out: Any,
) -> None:
    """Erase what was found in the sandbox and the quarantine (``targets``), then write the erasure record;
    after a failure, the record of what was done before it."""
    at = datetime.now(UTC)
    affected = [(rewritable(fs_config, found), match) for found, match in targets]  # before anything changes
    done: list[list[dict[str, Any]]] = [[] for _ in targets]

    def record() -> None:
        value = describe(at, *done)
        target = join_uri(sandbox, ERASURES_DIR, f"{value['erasure_id']}.json")
        make_dirs(fs_config, join_uri(sandbox, ERASURES_DIR))
        write_json_atomic(fs_config, target, value)
        print(
            f"erased {value['records_removed']} records from {len(done[0])} shards and "
            f"{value['quarantine_entries_removed']} quarantine entries from {len(done[1])} shards; "
            f"erasure record {target}",
            file=out,
        )

    try:
        for (files, match), entries in zip(affected, done, strict=True):
            erase(fs_config, files, match, entries)
    except ScrubberError:
        if any(done):  # those shards changed: record them before reporting the failure
            record()
        raise
    if any(done):
        record()
    else:
        print("nothing to erase: no record or entry holds these identifiers; no erasure record written", file=out)


# --- the command ---------------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    """Never echoes arguments in an error: a stray one may be an identifier."""

    def error(self, message: str) -> NoReturn:
        if "unrecognized arguments" in message:
            message = "unrecognized arguments (not shown: they may be identifiers); pass identifiers with --ids-file"
        super().error(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="scrubber subject",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ids = parser.add_argument_group("identifiers (at least one)")
    ids.add_argument(
        "--ids-file",
        metavar="FILE",
        help="one identifier per line, - for stdin (recommended: --id values stay in shell history and ps)",
    )
    ids.add_argument("--id", action="append", default=[], metavar="VALUE", help="an identifier (repeatable)")
    parser.add_argument(
        "--namespace",
        action="append",
        default=[],
        metavar="NS",
        help="look up only in this pseudonymize namespace (repeatable; default: every namespace of the catalogue)",
    )
    parser.add_argument("--catalogue", metavar="NAME|PATH", help="default: the catalogue named in SANDBOX/_audit.json")
    parser.add_argument(
        "--sandbox", metavar="URI", help="list the records holding the pseudonyms (local, gs://, s3://)"
    )
    parser.add_argument(
        "--quarantine", metavar="URI", help="also list quarantine entries whose raw line holds an identifier"
    )
    parser.add_argument(
        "--delete", action="store_true", help="remove those records and entries, and write an erasure record"
    )
    parser.add_argument(
        "--max-lines", type=int, default=100, metavar="N", help="print at most N record lines (all are counted)"
    )
    keys = add_key_arguments(
        parser, title="key ring (one of; default: the SCRUBBER_KEY environment variable)", ring=True
    )
    keys.add_argument(
        "--key-id",
        action="append",
        default=[],
        metavar="ID",
        help="use only this key of the ring (repeatable; default: every key, current and retired)",
    )
    add_s3_arguments(parser)
    return parser


def read_identifiers(args: argparse.Namespace) -> list[str]:
    """--id values and the lines of --ids-file, stripped, without blanks and repeats. Raises UsageError."""
    values = list(args.id)
    if args.ids_file:
        try:
            raw = sys.stdin.buffer.read() if args.ids_file == "-" else Path(args.ids_file).read_bytes()
            values += raw.decode("utf-8-sig").splitlines()
        except UnicodeDecodeError:
            raise UsageError(f"--ids-file {args.ids_file}: not UTF-8 text") from None
    identifiers = list(dict.fromkeys(value.strip() for value in values if value.strip()))
    if not identifiers:
        raise UsageError("no identifiers: pass --ids-file FILE (one per line, - for stdin) or --id VALUE")
    return identifiers


def check_usage(args: argparse.Namespace) -> None:
    if args.delete and not args.sandbox:
        raise UsageError("--delete needs --sandbox URI: the erasure record is written there")
    if not args.sandbox and not args.catalogue:
        raise UsageError("pass --catalogue NAME|PATH, or --sandbox URI whose _audit.json names it")
    if args.max_lines < 0:
        raise UsageError("--max-lines must be 0 or more")


def run(args: argparse.Namespace, out: Any = None) -> int:
    """The command. Raises ScrubberError (and SourceError, SinkError for I/O)."""
    out = out or sys.stdout
    check_usage(args)
    identifiers = read_identifiers(args)
    fs_config = fs_config_from_args(args)
    catalogue = catalogue_for(args.sandbox or "", args.catalogue, fs_config)
    rules, notes = choose_rules(catalogue, list(dict.fromkeys(args.namespace)))
    ring = ring_from_args(args)
    keys = choose_keys(ring, args.key_id)
    lookups = look_up(identifiers, rules, keys)
    print(
        f"catalogue {catalogue.model.catalogue!r}, {len(identifiers)} identifiers, "
        f"{len(keys)} of {len(ring.keys)} keys of the ring",
        file=out,
    )
    print_lookups(lookups, identifiers, ring, notes, out)
    if not args.sandbox and not args.quarantine:
        return EXIT_OK
    records = pseudonym_matcher(lookups)
    entries = raw_matcher(identifiers)
    found: list[FileHits] = []
    quarantined: list[FileHits] = []
    if args.sandbox:
        warn_temp_dirs(fs_config, args.sandbox)
        found = search(fs_config, args.sandbox, records)
        print(f"sandbox {args.sandbox}:", file=out)
        print_hits(found, "records", args.max_lines, out)
        warn_unsearched(found, "rows", "they cannot be read")
    if args.quarantine:
        warn_temp_dirs(fs_config, args.quarantine)
        quarantined = search(fs_config, args.quarantine, entries)
        print(f"quarantine {args.quarantine}:", file=out)
        print_hits(quarantined, "quarantine entries", args.max_lines, out)
        warn_unsearched(
            quarantined,
            "entries",
            'a hash-only entry ("raw_blake3", from --quarantine-hash-only) holds a keyed hash of its line, and a '
            'sealed one ("raw_sealed", from a quarantine key) the encrypted line, so no identifier finds it (or the '
            "entry cannot be read); read sealed lines with scrubber quarantine show",
        )
    if args.delete:
        describe = functools.partial(erasure_record, keys=keys, rules=rules, identifiers=len(identifiers))
        delete(fs_config, args.sandbox, [(found, records), (quarantined, entries)], describe, out)
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parse_command_line(parser, argv)
    if isinstance(args, int):
        return args
    try:
        return run(args)
    except (ScrubberError, OSError) as exc:
        print(f"scrubber subject: {exc}", file=sys.stderr)
        return exit_code_for(exc)


if __name__ == "__main__":
    sys.exit(main())
