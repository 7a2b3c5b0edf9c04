"""``scrubber verify``: re-scan a sandbox for identifiers and for fields the catalogue does not allow.

Every record of every data file (Parquet or JSON lines, local, gs:// or s3://) is walked against
the catalogue's compiled plan:

- a field (or Parquet column) that no keeping rule allows is a finding (default deny, re-checked);
- a value of the wrong type for its rule is a finding;
- every string is scanned by every registered detector (``build_scanner(None)``), except values
  whose rule makes them look like an identifier on purpose, which are checked by shape instead:
  a pseudonym must be exactly the keyed hash format, and a truncated IP must already be a
  network address (re-truncating it changes nothing);
- a line that cannot be read is a finding (nothing unreadable passes).

Findings name the file, the row (1-based line or Parquet row), the field path and the kind,
never the value. Exit 0 when clean, 1 on any finding, 2 on bad usage or catalogue, 3 on I/O.
The catalogue is --catalogue, or the one named in the sandbox's _audit.json (its digest must match).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
import pyarrow as pa

from scrubber.catalogue import LoadedCatalogue, load_catalogue, resolve
from scrubber.core import catalogue_terms
from scrubber.detectors.scanner import TextScanner, build_scanner
from scrubber.errors import (
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_USAGE,
    CatalogueError,
    RecordRejected,
    ScrubberError,
    exit_code_for,
)
from scrubber.io.fs import FsConfig, expand_inputs, join_uri
from scrubber.io.lines import ReadProblem
from scrubber.io.publish import AUDIT_NAME, read_json
from scrubber.io.readers import reader_for
from scrubber.io.writers import SinkError
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
detector. Prints one line per finding (file:row: field path: kind), never the value.
Exit 0 when clean, 1 on any finding."""

EPILOG = """\
examples:
  scrubber verify sandbox/
  scrubber verify --catalogue pseudonymous exports/suspicious.jsonl
  scrubber verify s3://sandbox/2026-11-23 --s3-endpoint-url http://localhost:9000

The catalogue comes from --catalogue or from the sandbox's _audit.json. Rows are 1-based lines
(JSON lines) or rows (Parquet); row 0 is a Parquet file's schema. Finding kinds:
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

exit codes: 0 clean; 1 findings; 2 bad usage or catalogue; 3 input/output failure"""


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


def data_files(uri: str, fs_config: FsConfig) -> list[str]:
    """The data files of a sandbox: a file, or the files of a directory (names starting '.' or '_' skipped)."""
    return [f.uri for f in expand_inputs([uri], fs_config)]


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
    parser.add_argument(
        "--s3-endpoint-url",
        "--s3_endpoint_url",
        dest="s3_endpoint_url",
        metavar="URL",
        help="S3-compatible server; credentials from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY",
    )
    parser.add_argument("--s3-region", "--s3_region_name", dest="s3_region", metavar="REGION")
    return parser


def run(args: argparse.Namespace, out: Any = None) -> tuple[int, list[Finding], int]:
    """(files, findings, records). Raises CatalogueError, SourceError."""
    out = out or sys.stdout
    fs_config = FsConfig(s3_endpoint_url=args.s3_endpoint_url, s3_region=args.s3_region)
    catalogue = catalogue_for(args.uri, args.catalogue, fs_config)
    files = data_files(args.uri, fs_config)
    second = None
    if args.second_opinion:
        from scrubber.integrations.presidio import SecondOpinion

        second = SecondOpinion().kinds
    verifier = Verifier(catalogue, second_opinion=second)
    findings: list[Finding] = []

    def report(found: list[Finding]) -> None:
        for finding in found:
            if len(findings) < args.max_findings:
                print(finding, file=out)
            findings.append(finding)

    records = 0
    for uri in files:
        n, found = verify_file(verifier, uri, fs_config)
        records += n
        report(found)
    if records:  # a field marked expected that no record of the whole sandbox has
        report([Finding(args.uri, 0, field, "expected_field_empty") for field in verifier.empty_expected()])
    return len(files), findings, records


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as exc:
        return int(exc.code) if isinstance(exc.code, int) else EXIT_USAGE
    try:
        n_files, findings, records = run(args)
    except (ScrubberError, OSError) as exc:
        print(f"scrubber verify: {exc}", file=sys.stderr)
        return exit_code_for(exc)
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
        print(f"scrubber verify: {args.uri}: {n_files} files, {records:,} records, no findings")
        return EXIT_OK
    kinds = Counter(f.kind for f in findings)
    files = len({f.file for f in findings})
    shown = f" (first {args.max_findings} shown)" if len(findings) > args.max_findings else ""
    print(
        f"scrubber verify: {args.uri}: {len(findings):,} findings{shown} in {files} of {n_files} files, "
        f"{records:,} records: " + ", ".join(f"{k} {n}" for k, n in kinds.most_common()),
        file=sys.stderr,
    )
    return EXIT_FINDINGS


if __name__ == "__main__":
    sys.exit(main())
