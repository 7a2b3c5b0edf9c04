"""The ``scrubber`` command: check-rules, explain, run, verify, keygen.

Exit codes (stable, for scripts): 0 success; 1 findings (verify found identifiers,
or a run's counts did not add up); 2 bad usage, catalogue or key; 3 input/output failure.
"""

from __future__ import annotations

import argparse
import secrets
import sys
from collections.abc import Sequence
from pathlib import Path

import orjson

from scrubber.arguments import add_key_arguments, key_given
from scrubber.errors import EXIT_IO, EXIT_OK, EXIT_USAGE, CatalogueError, ScrubberError, exit_code_for

_EPILOG = """\
commands:
  run          scrub raw logs into the sandbox (Beam; local runner by default)
  stream       scrub a Kafka topic into windowed sandbox files, each window with its audit (Flink)
  verify       re-scan a sandbox for identifiers; with --audit, check its shards against the audits
  subject      a data subject's pseudonyms, and the sandbox records that hold them (list or --delete)
  quarantine   show quarantine entries, sealed lines opened with the quarantine key (quarantine show)
  explain      show, per field of one record, the rule that applied and its outcome
  check-rules  validate a catalogue and print what it would do
  keygen       make a new random 32-byte key: scrubber keygen --out scrubber.key (mode 0600)

examples:
  scrubber keygen --out scrubber.key
  scrubber check-rules rules/pseudonymous.yaml
  scrubber explain --catalogue pseudonymous --key-file scrubber.key record.json
  scrubber run --input 'logs/*.jsonl.gz' --output sandbox/ --quarantine quarantine/ \\
      --catalogue pseudonymous --key-file scrubber.key
  scrubber verify sandbox/

exit codes: 0 ok, 1 findings or counts that do not add up, 2 bad usage/catalogue/key, 3 input/output failure
"""


def key_from_args(args: argparse.Namespace) -> object:
    from scrubber.arguments import ring_from_args

    return ring_from_args(args).current


def cmd_check_rules(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from scrubber.catalogue import load_catalogue
    from scrubber.core import Scrubber
    from scrubber.keys import make_key

    console = Console()
    status = EXIT_OK
    for name in args.catalogues:
        try:
            loaded = load_catalogue(name)
            # Compiling finds selector conflicts; a throwaway random key is enough for that.
            scrubber = Scrubber(loaded, make_key(secrets.token_bytes(32)))
        except CatalogueError as exc:
            console.print(f"[red]invalid[/red] {name}", highlight=False)
            print(exc, file=sys.stderr)
            status = EXIT_USAGE
            continue
        model = loaded.model
        table = Table(
            title=f"{loaded.source}: catalogue {model.catalogue!r}, {len(model.rules)} rules, "
            f"on_invalid={model.on_invalid}",
            title_justify="left",
        )
        for column in ("line", "field", "op", "parameters", "why"):
            table.add_column(column, overflow="fold")
        for index, rule in enumerate(model.rules):
            params = rule.model_dump(exclude={"field", "op", "why", "on_invalid"}, exclude_defaults=True)
            if rule.on_invalid:
                params["on_invalid"] = rule.on_invalid
            case = loaded.case_of(index)
            field = rule.field
            if case is not None and model.select is not None:  # a select case's rule: say which values
                field = f"{field}  \\[{model.select.field}: {', '.join(model.select.cases[case].values)}]"
            table.add_row(
                loaded.line_of(index),
                field,
                rule.op,
                ", ".join(f"{k}={v}" for k, v in params.items()),
                rule.why,
            )
        console.print(table)
        if model.select is not None:
            console.print(
                f"rules marked \\[{model.select.field}: ...] apply to records with one of those values; "
                "a record whose value no case lists is quarantined (unlisted_value).",
                highlight=False,
            )
        shape = scrubber.plan.output_shape()
        console.print(f"output fields: {orjson.dumps(shape).decode()}", highlight=False)
        console.print("every other field is dropped (default deny). digest " + loaded.digest, highlight=False)
    return status


def cmd_explain(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from scrubber.core import Scrubber
    from scrubber.explain import explain
    from scrubber.keys import make_key

    if key_given(args):
        key = key_from_args(args)
        note = ""
    else:
        key = make_key(secrets.token_bytes(32))
        note = " (no key given: pseudonyms below use a throwaway random key)"
    scrubber = Scrubber.from_catalogue(args.catalogue, key=key)  # type: ignore[arg-type]
    raw = sys.stdin.buffer.read() if args.record == "-" else Path(args.record).read_bytes()
    try:
        record = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        print(f"{args.record}: not a JSON document ({exc}). Pass one JSON object.", file=sys.stderr)
        return EXIT_USAGE
    steps, output, rejected = explain(scrubber, record)
    console = Console()
    table = Table(title=f"catalogue {scrubber.name!r}{note}", title_justify="left")
    for column in ("field", "rule", "outcome"):
        table.add_column(column, overflow="fold")
    for step in steps:
        table.add_row(step.path, step.rule, step.outcome)
    console.print(table)
    if rejected:
        console.print(f"[red]record rejected[/red]: {rejected} -> it would go to the quarantine", highlight=False)
    else:
        console.print("output: " + orjson.dumps(output).decode(), highlight=False, soft_wrap=True)
    return EXIT_OK


def cmd_keygen(args: argparse.Namespace) -> int:
    from scrubber.keys import key_id_of, write_key_file

    material = secrets.token_bytes(32)
    if args.out is None:
        print(material.hex())
        return EXIT_OK
    write_key_file(Path(args.out), material.hex() + "\n")
    print(f"wrote a new key to {args.out} (mode 0600), key id {key_id_of(material)}", file=sys.stderr)
    return EXIT_OK


def cmd_run(argv: Sequence[str]) -> int:
    try:
        from scrubber.pipelines.scrub_logs import main as run_main
    except ImportError as exc:
        print(f"scrubber run needs Apache Beam: pip install 'scrubber[beam]' ({exc})", file=sys.stderr)
        return EXIT_USAGE
    return run_main(list(argv))


def cmd_stream(argv: Sequence[str]) -> int:
    try:
        from scrubber.pipelines.stream import main as stream_main
    except ImportError as exc:
        print(
            f"scrubber stream needs Apache Beam and confluent-kafka: pip install 'scrubber[beam]' ({exc})",
            file=sys.stderr,
        )
        return EXIT_USAGE
    return stream_main(list(argv))


def cmd_verify(argv: Sequence[str]) -> int:
    from scrubber.verify import main as verify_main

    return verify_main(list(argv))


def cmd_subject(argv: Sequence[str]) -> int:
    from scrubber.subject import main as subject_main

    return subject_main(list(argv))


def cmd_quarantine(argv: Sequence[str]) -> int:
    from scrubber.quarantine import main as quarantine_main

    return quarantine_main(list(argv))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="scrubber",
        description="Scrub personal data from LLM gateway logs with a declarative, fail-closed rule catalogue.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("run", help="scrub raw logs into the sandbox (see: scrubber run --help)", add_help=False)
    sub.add_parser("verify", help="re-scan a sandbox for identifiers (see: scrubber verify --help)", add_help=False)
    sub.add_parser(
        "subject", help="a data subject's pseudonyms and records (see: scrubber subject --help)", add_help=False
    )
    sub.add_parser("quarantine", help="show quarantine entries (see: scrubber quarantine show --help)", add_help=False)

    check = sub.add_parser(
        "check-rules",
        help="validate catalogues and print what they do",
        description="Validate catalogue files (or profile names) and print each rule, the output fields "
        "and the digest recorded in audits. Exit 2 if any is invalid.",
        epilog="example: scrubber check-rules rules/pseudonymous.yaml strict",
    )
    check.add_argument("catalogues", nargs="+", metavar="FILE|PROFILE")
    check.set_defaults(func=cmd_check_rules)

    explain_parser = sub.add_parser(
        "explain",
        help="per field: the rule that applied and its outcome",
        description="Show, for each field of one JSON record, which rule applied and what came out. "
        "Input values are masked (type and length only).",
        epilog="example: scrubber explain --catalogue pseudonymous --key-file scrubber.key record.json",
    )
    explain_parser.add_argument("--catalogue", required=True, metavar="NAME|PATH")
    explain_parser.add_argument("record", metavar="RECORD.json", help="a file with one JSON object, or - for stdin")
    add_key_arguments(explain_parser)
    explain_parser.set_defaults(func=cmd_explain)

    keygen = sub.add_parser(
        "keygen",
        help="make a new random key (hex): into a new 0600 file with --out, else on stdout",
        description="Make a new random 32-byte key. With --out the file is created with mode 0600 whatever the "
        "umask, and an existing file is never overwritten; the key id is printed on stderr.",
        epilog="examples:\n  scrubber keygen --out scrubber.key\n"
        "  scrubber keygen --out new.key && (umask 077; cat new.key old.key > ring.key)   # rotation: new key first",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    keygen.add_argument("--out", metavar="FILE", help="create FILE (mode 0600) instead of printing the key")
    keygen.set_defaults(func=cmd_keygen)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        if args_list and args_list[0] == "run":
            return cmd_run(args_list[1:])
        if args_list and args_list[0] == "stream":
            return cmd_stream(args_list[1:])
        if args_list and args_list[0] == "verify":
            return cmd_verify(args_list[1:])
        if args_list and args_list[0] == "subject":
            return cmd_subject(args_list[1:])
        if args_list and args_list[0] == "quarantine":
            return cmd_quarantine(args_list[1:])
        parser = build_parser()
        args = parser.parse_args(args_list)
        if not getattr(args, "func", None):
            parser.print_help()
            return EXIT_USAGE
        return int(args.func(args))
    except ScrubberError as exc:
        print(f"scrubber: {exc}", file=sys.stderr)
        return exit_code_for(exc)
    except OSError as exc:
        print(f"scrubber: {exc.strerror or exc}: {exc.filename or ''}", file=sys.stderr)
        return EXIT_IO


if __name__ == "__main__":
    sys.exit(main())
