"""``scrubber quarantine show``: the entries of quarantine shards, sealed lines opened with the quarantine key.

Also the quarantine-key options that ``scrubber stream`` shares (``scrubber run`` has its own, as Beam options).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from scrubber.arguments import add_s3_arguments, fs_config_from_args, parse_command_line
from scrubber.errors import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, ScrubberError, UsageError, exit_code_for
from scrubber.io.fs import FsConfig, files_below
from scrubber.io.lines import ReadProblem
from scrubber.io.readers import jsonl
from scrubber.io.readers.quarantine import parse_entry
from scrubber.keys import INSECURE_FILE_FLAG, Key
from scrubber.sealing import RAW_SEALED, SEAL_KEY_ID, SealBroken, Sealer, is_sealed, load_seal_key

PROG = "scrubber quarantine"

DESCRIPTION = """\
Print the entries of quarantine shards (the JSON lines scrubber run and scrubber stream write), one
line per entry, tab-separated:

    SOURCE:LINE    REASON    FIELD    RAW LINE

Reason, source file and line are always readable. What RAW LINE shows depends on the entry:
  "raw"          the line itself (a run without --quarantine-hash-only or a quarantine key)
  "raw_sealed"   the line sealed with AES-256-GCM; shown when you give its quarantine key, else
                 <sealed with key id X> (X names the key, as scrubber keygen printed it)
  "raw_blake3"   <keyed hash only>: a run with --quarantine-hash-only kept no line"""

EPILOG = """\
The quarantine key is the one the run was given with --quarantine-key-file, --quarantine-key-env or
--quarantine-key-secret, never the pseudonym key. A sealed line is bound to its entry's source, line,
reason and field: an edited ciphertext, or a sealed line moved to another entry, no longer opens and is
reported (exit 1), naming the shard and the entry. The key is never printed; lines are printed in full
(they are personal data: mind where the output goes).

examples:
  scrubber quarantine show quarantine/                                    # reasons and places; lines if clear
  scrubber quarantine show --quarantine-key-file quarantine.key quarantine/ --reason not_json
  scrubber quarantine show --quarantine-key-file quarantine.key quarantine/ \\
      --source e2e-gateway-2026-11-23.jsonl --line 6 --raw | scrubber explain --catalogue strict -
  AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... scrubber quarantine show s3://quarantine/2026-11-23/ \\
      --quarantine-key-secret aws-secret://scrubber-quarantine-key --s3-endpoint-url http://localhost:9000

exit codes: 0 ok; 1 findings (a sealed line that does not open, a line that is not a quarantine entry,
a damaged shard); 2 bad usage or key (also: an entry sealed with another key than the one given);
3 input/output failure"""

KEY_TITLE = "quarantine key (one of; never the pseudonym key)"


def add_quarantine_key_arguments(parser: argparse.ArgumentParser, *, insecure_flag: bool = False) -> None:
    """--quarantine-key-file / --quarantine-key-env / --quarantine-key-secret (and, if asked, the insecure flag)."""
    group = parser.add_argument_group(KEY_TITLE)
    group.add_argument(
        "--quarantine-key-file",
        metavar="PATH",
        help="file holding the quarantine key, 64 hex characters, mode 0600 (see: scrubber keygen)",
    )
    group.add_argument("--quarantine-key-env", metavar="NAME", help="environment variable holding it (no default)")
    group.add_argument(
        "--quarantine-key-secret",
        metavar="URI",
        help="gcp-secret://projects/P/secrets/S/versions/V or aws-secret://NAME",
    )
    if insecure_flag:
        group.add_argument(
            INSECURE_FILE_FLAG,
            dest="allow_insecure_key_file",
            action="store_true",
            help="accept a key file that group or others can read, or that another user owns (refused by default)",
        )


def quarantine_key_given(args: argparse.Namespace) -> bool:
    return bool(args.quarantine_key_file or args.quarantine_key_env or args.quarantine_key_secret)


def seal_key_from_args(args: argparse.Namespace, *, besides: Key | None = None) -> Key | None:
    """The quarantine key of ``add_quarantine_key_arguments``, or None; ``besides`` (the pseudonym key) is refused."""
    return load_seal_key(
        key_file=args.quarantine_key_file,
        key_env=args.quarantine_key_env,
        secret=args.quarantine_key_secret,
        allow_insecure_file=bool(getattr(args, "allow_insecure_key_file", False)),
        besides=besides,
    )


# --- show ----------------------------------------------------------------------------------------


@dataclass
class Filters:
    source: str | None = None
    line: int | None = None
    reason: str | None = None

    def keep(self, entry: dict[str, Any]) -> bool:
        source = entry["source"]
        return (
            (self.source is None or source == self.source or source.endswith("/" + self.source))
            and (self.line is None or entry["line"] == self.line)
            and (self.reason is None or entry["reason"] == self.reason)
        )


@dataclass
class Tally:
    """What ``show`` saw, for its closing lines and exit code."""

    shards: int = 0
    entries: int = 0
    opened: int = 0
    locked: Counter[str] = field(default_factory=Counter)  # sealed, no key given: per key id
    other_key: Counter[str] = field(default_factory=Counter)  # sealed with another key than the one given
    first_other: str = ""  # where the first of those is
    hashed: int = 0
    left_out: int = 0  # --raw: entries whose line cannot be printed
    findings: list[str] = field(default_factory=list)


def shard_uris(fs_config: FsConfig, target: str) -> list[str]:
    """A file as given, or the *.jsonl files below a directory (temporary and _ folders skipped)."""
    found = files_below(target, fs_config, allow_empty=True)
    if len(found) == 1 and next(iter(found.values())) == target:
        return [target]
    return [uri for rel, uri in found.items() if rel.endswith(".jsonl")]


def shown_line(
    entry: dict[str, Any], where: str, sealer: Sealer | None, tally: Tally
) -> tuple[bytes | None, str | None]:
    """(the raw line, or None) and the placeholder to print instead, for one entry."""
    raw = entry.get("raw")
    if isinstance(raw, str):
        return raw.encode("utf-8", "backslashreplace"), None
    if is_sealed(entry):
        key_id = str(entry.get(SEAL_KEY_ID, "?"))
        placeholder = f"<sealed with key id {key_id}>"
        if sealer is None:
            tally.locked[key_id] += 1
            return None, placeholder
        if key_id != sealer.key_id:
            tally.other_key[key_id] += 1
            tally.first_other = tally.first_other or where
            return None, placeholder
        try:
            data = sealer.open_entry(entry)
        except SealBroken as exc:
            tally.findings.append(f"{where}: {RAW_SEALED} does not open with key id {sealer.key_id}: {exc}")
            return None, "<seal broken>"
        tally.opened += 1
        return data, None
    if isinstance(entry.get("raw_blake3"), str):
        tally.hashed += 1
        return None, "<keyed hash only>"
    tally.findings.append(f"{where}: the entry holds no line (no raw, raw_sealed or raw_blake3)")
    return None, "<no line>"


def show_shard(
    fs_config: FsConfig, uri: str, sealer: Sealer | None, filters: Filters, raw_only: bool, out: BinaryIO, tally: Tally
) -> None:
    tally.shards += 1
    for item in jsonl.read(uri, fs_config, None):
        if isinstance(item, ReadProblem):
            tally.findings.append(f"{uri}:{item.line.line_no}: the shard is damaged ({item.reason})")
            continue
        entry = parse_entry(item.data)
        if entry is None:
            if item.data.strip():
                tally.findings.append(f"{uri}:{item.line_no}: not a quarantine entry")
            continue
        if not filters.keep(entry):
            continue
        tally.entries += 1
        where = f"{uri}:{item.line_no} (entry for {entry['source']} line {entry['line']}, {entry['reason']})"
        data, placeholder = shown_line(entry, where, sealer, tally)
        if raw_only:
            if data is None:
                tally.left_out += 1
            else:
                out.write(data + b"\n")
            continue
        text = data.decode("utf-8", "backslashreplace") if data is not None else placeholder
        row = f"{entry['source']}:{entry['line']}\t{entry['reason']}\t{entry.get('field') or '-'}\t{text}\n"
        out.write(row.encode("utf-8", "backslashreplace"))


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"


def report(tally: Tally, sealer: Sealer | None, err: Any) -> int:
    """The closing lines on stderr, and the exit code."""
    for finding in tally.findings:
        print(f"{PROG} show: {finding}", file=err)
    parts = [f"{plural(tally.entries, 'entry', 'entries')} from {plural(tally.shards, 'shard')}"]
    if tally.opened:
        parts.append(f"{plural(tally.opened, 'sealed line')} opened with key id {sealer.key_id if sealer else '?'}")
    if tally.hashed:
        parts.append(f"{tally.hashed} hash only")
    if tally.left_out:
        parts.append(f"{tally.left_out} left out of --raw (no line to print)")
    print(f"{PROG} show: " + "; ".join(parts), file=err)
    if tally.locked:
        ids = ", ".join(f"{key_id} ({n})" for key_id, n in sorted(tally.locked.items()))
        print(
            f"{PROG} show: {plural(sum(tally.locked.values()), 'entry is', 'entries are')} sealed, with key id {ids}; "
            "pass "
            "--quarantine-key-file, --quarantine-key-env or --quarantine-key-secret with that key to see their lines",
            file=err,
        )
    if tally.other_key and sealer is not None:
        ids = ", ".join(sorted(tally.other_key))
        print(
            f"{PROG} show: {plural(sum(tally.other_key.values()), 'entry', 'entries')} not opened (the first: "
            f"{tally.first_other}): entry sealed with key id {ids}, you gave key id {sealer.key_id}. "
            "Give the quarantine key that run was given (never the pseudonym key)",
            file=err,
        )
        return EXIT_USAGE
    return EXIT_FINDINGS if tally.findings else EXIT_OK


def cmd_show(args: argparse.Namespace, out: BinaryIO, err: Any) -> int:
    if args.line is not None and args.line < 0:
        raise UsageError("--line is a line number (or, for scrubber stream, a Kafka offset): 0 or more")
    key = seal_key_from_args(args)
    sealer = Sealer(key) if key is not None else None
    fs_config = fs_config_from_args(args)
    filters = Filters(args.source, args.line, args.reason)
    tally = Tally()
    for target in args.targets:
        uris = shard_uris(fs_config, target)
        if not uris:
            print(f"{PROG} show: {target}: no quarantine shard (*.jsonl) there", file=err)
        for uri in uris:
            show_shard(fs_config, uri, sealer, filters, args.raw, out, tally)
    out.flush()
    return report(tally, sealer, err)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Look into a quarantine: scrubber quarantine show --help",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="action", metavar="ACTION")
    show = sub.add_parser(
        "show",
        help="print the entries of quarantine shards, sealed lines opened with the quarantine key",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,
    )
    show.add_argument(
        "targets", nargs="+", metavar="FILE|DIR", help="a quarantine shard, or a quarantine directory (local or s3://)"
    )
    which = show.add_argument_group("which entries (all given must match)")
    which.add_argument(
        "--source", metavar="S", help="the input file the entry names, as a full path or its last part (name)"
    )
    which.add_argument("--line", type=int, metavar="N", help="the line number in that input (a Kafka offset)")
    which.add_argument("--reason", metavar="R", help="the reason code, e.g. not_json or invalid_type")
    show.add_argument(
        "--raw",
        action="store_true",
        help="print only the raw lines, byte for byte, one per entry (entries without a line are left out)",
    )
    add_quarantine_key_arguments(show, insecure_flag=True)
    add_s3_arguments(show)
    return parser


def main(argv: Sequence[str] | None = None, *, out: BinaryIO | None = None) -> int:
    parser = build_parser()
    args = parse_command_line(parser, argv)
    if isinstance(args, int):
        return args
    if args.action is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return cmd_show(args, out or sys.stdout.buffer, sys.stderr)
    except BrokenPipeError:  # the reader of the output stopped (| head): not an error
        if out is None:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # as the Python docs advise for SIGPIPE
        return EXIT_OK
    except (ScrubberError, OSError) as exc:
        print(f"{PROG} {args.action}: {exc}", file=sys.stderr)
        return exit_code_for(exc)


if __name__ == "__main__":
    sys.exit(main())
