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

from scrubber.errors import EXIT_IO, EXIT_OK, EXIT_USAGE, CatalogueError, ScrubberError, exit_code_for

_EPILOG = """\
commands:
  run          scrub raw logs into the sandbox (Beam; local runner by default)
  stream       scrub a Kafka topic into windowed sandbox files, each window with its audit (Flink)
  verify       re-scan a sandbox for identifiers; non-zero exit on any finding
  explain      show, per field of one record, the rule that applied and its outcome
  check-rules  validate a catalogue and print what it would do
  keygen       print a new random 32-byte key (hex) for --key-file

examples:
  scrubber keygen > scrubber.key && chmod 600 scrubber.key
  scrubber check-rules rules/pseudonymous.yaml
  scrubber explain --catalogue pseudonymous --key-file scrubber.key record.json
  scrubber run --input 'logs/*.jsonl.gz' --output sandbox/ --quarantine quarantine/ \\
      --catalogue pseudonymous --key-file scrubber.key
  scrubber verify sandbox/

exit codes: 0 ok, 1 findings or counts that do not add up, 2 bad usage/catalogue/key, 3 input/output failure
"""


def add_key_options(parser: argparse.ArgumentParser) -> None:
    """--key-file / --key-env / --key-secret, shared by every command that needs the key."""
    group = parser.add_argument_group("key (one of; default: the SCRUBBER_KEY environment variable)")
    group.add_argument("--key-file", metavar="PATH", help="file holding 64 hex characters (see: scrubber keygen)")
    group.add_argument("--key-env", metavar="NAME", help="environment variable holding the key in hex")
    group.add_argument(
        "--key-secret", metavar="URI", help="gcp-secret://projects/P/secrets/S/versions/V or aws-secret://NAME"
    )


def key_from_args(args: argparse.Namespace) -> object:
    from scrubber.keys import load_key

    return load_key(key_file=args.key_file, key_env=args.key_env, secret=args.key_secret)


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

    if args.key_file or args.key_env or args.key_secret:
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
    print(secrets.token_hex(32))
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
    add_key_options(explain_parser)
    explain_parser.set_defaults(func=cmd_explain)

    keygen = sub.add_parser(
        "keygen",
        help="print a new random key in hex",
        epilog="example: scrubber keygen > scrubber.key && chmod 600 scrubber.key",
    )
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
