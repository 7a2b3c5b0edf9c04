"""Command-line options several commands share: where the key (or key ring) comes from, and the S3 endpoint."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from scrubber.errors import EXIT_USAGE
from scrubber.io.fs import FsConfig
from scrubber.keys import DEFAULT_KEY_ENV, INSECURE_FILE_FLAG, KeyRing, load_key_ring

DEFAULT_TITLE = f"key (one of; default: the {DEFAULT_KEY_ENV} environment variable)"


def add_key_arguments(
    parser: argparse.ArgumentParser, *, title: str = DEFAULT_TITLE, ring: bool = False
) -> argparse._ArgumentGroup:
    """--key-file / --key-env / --key-secret in one group (returned, for command-specific additions)."""
    what = "a key or a key ring (one 64-hex key per line, current first)" if ring else "64 hex characters"
    group = parser.add_argument_group(title)
    group.add_argument("--key-file", metavar="PATH", help=f"file holding {what} (see: scrubber keygen)")
    group.add_argument("--key-env", metavar="NAME", help=f"environment variable holding {what}")
    group.add_argument(
        "--key-secret", metavar="URI", help="gcp-secret://projects/P/secrets/S/versions/V or aws-secret://NAME"
    )
    group.add_argument(
        INSECURE_FILE_FLAG,
        dest="allow_insecure_key_file",
        action="store_true",
        help="accept a key file that group or others can read, or that another user owns (refused by default)",
    )
    return group


def key_given(args: argparse.Namespace) -> bool:
    return bool(args.key_file or args.key_env or args.key_secret)


def ring_from_args(args: argparse.Namespace) -> KeyRing:
    """The ring from the options of ``add_key_arguments`` (with none, the default environment variable)."""
    return load_key_ring(
        key_file=args.key_file,
        key_env=args.key_env,
        secret=args.key_secret,
        allow_insecure_file=bool(getattr(args, "allow_insecure_key_file", False)),
    )


def parse_command_line(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> argparse.Namespace | int:
    """The parsed options, or the exit code argparse chose (0 after --help, 2 on bad usage)."""
    try:
        return parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as exc:
        return int(exc.code) if isinstance(exc.code, int) else EXIT_USAGE


def add_s3_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--s3-endpoint-url",
        "--s3_endpoint_url",
        dest="s3_endpoint_url",
        metavar="URL",
        help="S3-compatible server; credentials from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY",
    )
    parser.add_argument("--s3-region", "--s3_region_name", dest="s3_region", metavar="REGION")


def fs_config_from_args(args: argparse.Namespace) -> FsConfig:
    return FsConfig(s3_endpoint_url=args.s3_endpoint_url, s3_region=args.s3_region)
