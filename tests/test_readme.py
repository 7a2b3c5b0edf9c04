"""The README's code blocks work: Python examples run and say what they print, rule lists parse, the
check-rules error example is the real message, and shell examples name existing make targets and subcommands.

Blocks are found by their fence's language: ``python`` blocks are run, ``yaml`` blocks that are lists of
rules (``- {field: ...}``) are parsed as a catalogue, the block after "A mistake is reported" is
reproduced with ``scrubber check-rules``, and ``sh`` blocks are read, never run. Other blocks are skipped.
A Python block claims a value with a comment that is a literal, e.g. ``text = f(x)  # "write to <EMAIL>"``.
"""

from __future__ import annotations

import ast
import copy
import io
import re
import shlex
import tokenize
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import pytest

from scrubber import Scrubber
from scrubber.catalogue import parse_catalogue
from scrubber.cli import main
from scrubber.keys import Key
from tests.conftest import TEST_KEY_HEX
from tests.golden import GOLDEN, PROFILES, outcome

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
MAKEFILE = ROOT / "Makefile"
ERROR_EXAMPLE_CUE = "A mistake is reported"


@dataclass(frozen=True)
class Block:
    lang: str  # the fence's language, lower case; "" for a bare fence
    body: str
    line: int  # README line of the first body line
    before: str = field(repr=False)  # the prose between the previous block and this one

    @property
    def id(self) -> str:
        return f"{self.lang or 'plain'}-line{self.line}"


def readme_blocks(text: str) -> list[Block]:
    """Fenced blocks (``` or ~~~, at most three spaces in), in order."""
    blocks: list[Block] = []
    lines = text.splitlines()
    prose: list[str] = []
    i = 0
    while i < len(lines):
        opening = re.match(r" {0,3}(`{3,}|~{3,})\s*([^\s`]*)", lines[i])
        if not opening:
            prose.append(lines[i])
            i += 1
            continue
        fence, lang = opening.groups()
        closing = re.compile(rf" {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}\s*$")
        end = next((j for j in range(i + 1, len(lines)) if closing.match(lines[j])), None)
        assert end is not None, f"README.md:{i + 1}: a code fence that is never closed"
        blocks.append(Block(lang.lower(), "\n".join(lines[i + 1 : end]) + "\n", i + 2, "\n".join(prose)))
        prose = []
        i = end + 1
    return blocks


BLOCKS = readme_blocks(README.read_text(encoding="utf-8"))


def blocks_of(*langs: str, starts: str = "") -> list[Any]:
    chosen = [b for b in BLOCKS if b.lang in langs and b.body.lstrip().startswith(starts)]
    return [pytest.param(b, id=b.id) for b in chosen]


# --- python blocks: run them ---------------------------------------------------------------------


def golden_lines() -> list[bytes]:
    return (GOLDEN / "input.jsonl").read_bytes().splitlines()


@pytest.fixture(scope="module")
def samples(test_key: Key) -> dict[str, tuple[Any, str | None]]:
    """A golden input record every profile keeps, and one every profile rejects for the same reason."""
    scrubbers = [Scrubber.from_catalogue(profile, key=test_key) for profile in PROFILES]
    kept = orjson.loads(golden_lines()[0])  # the first line of fixtures/golden/input.jsonl
    assert all("record" in outcome(s, golden_lines()[0]) for s in scrubbers)
    for line in golden_lines():
        results = [outcome(s, line) for s in scrubbers]
        reasons = {r.get("rejected") for r in results}
        if len(reasons) == 1 and None not in reasons and isinstance(orjson.loads(line), dict):
            return {"kept": (kept, None), "rejected": (orjson.loads(line), reasons.pop())}
    raise AssertionError("fixtures/golden/input.jsonl has no record that every profile rejects alike")


@dataclass(frozen=True)
class Claim:
    line: int  # README line
    expected: Any
    statement: ast.stmt


def claims(block: Block) -> list[Claim]:
    """Statements followed by a comment that is a Python literal: ``x = f()  # "value"``."""
    tree = ast.parse(block.body)
    found = []
    for token in tokenize.generate_tokens(io.StringIO(block.body).readline):
        if token.type != tokenize.COMMENT or not token.line[: token.start[1]].strip():
            continue  # not a comment, or a comment on a line of its own: that claims nothing
        try:
            expected = ast.literal_eval(token.string[1:].strip())
        except (ValueError, SyntaxError):
            continue  # prose, not a claim
        row = token.start[0]
        around = [s for s in ast.walk(tree) if isinstance(s, ast.stmt) and s.lineno <= row <= (s.end_lineno or 0)]
        statement = min(reversed(around), key=lambda s: (s.end_lineno or 0) - s.lineno)  # the innermost one
        found.append(Claim(block.line + row - 1, expected, statement))
    return found


def claimed_value(claim: Claim, namespace: dict[str, Any]) -> Any:
    statement = claim.statement
    if isinstance(statement, ast.Assign | ast.AnnAssign):
        target = statement.targets[0] if isinstance(statement, ast.Assign) else statement.target
        if isinstance(target, ast.Name):
            return namespace[target.id]
    if isinstance(statement, ast.Expr):
        return eval(compile(ast.Expression(statement.value), "README.md", "eval"), namespace)
    pytest.fail(f"README.md:{claim.line}: the test cannot check a claim on a {type(statement).__name__}")


def names_used(block: Block) -> set[str]:
    return {node.id for node in ast.walk(ast.parse(block.body)) if isinstance(node, ast.Name)}


@pytest.mark.parametrize("record", ["kept", "rejected"])
@pytest.mark.parametrize("block", blocks_of("python", "py", "python3"))
def test_python_block_runs_and_shows_what_it_claims(
    block: Block,
    record: str,
    samples: dict[str, tuple[Any, str | None]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Run in a fresh directory holding the key files the block names, with ``raw_record`` (a golden
    input record) and ``quarantine`` (records its calls) defined; run once with a record every profile
    keeps and once with one every profile rejects."""
    raw_record, reason = samples[record]
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SCRUBBER_KEY", TEST_KEY_HEX)
    for name in set(re.findall(r"key_file\s*=\s*['\"]([^'\"]+)['\"]", block.body)) | {"scrubber.key"}:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(TEST_KEY_HEX + "\n")
        (tmp_path / name).chmod(0o600)
    calls: list[tuple[Any, ...]] = []
    namespace: dict[str, Any] = {
        "__name__": "readme",
        "raw_record": copy.deepcopy(raw_record),
        "quarantine": lambda *args: calls.append(args),
    }
    code = compile("\n" * (block.line - 1) + block.body, str(README), "exec")  # tracebacks name README lines
    exec(code, namespace)
    for claim in claims(block):
        assert claimed_value(claim, namespace) == claim.expected, f"README.md:{claim.line}"
    if {"raw_record", "quarantine"} <= names_used(block):
        assert namespace["raw_record"] == raw_record  # the example does not change its input
        assert calls == ([] if reason is None else [(raw_record, reason)])


def test_a_python_claim_is_read_from_its_comment() -> None:
    body = 'a = "x" + "y"  # "xy"\nb = 2  # a comment, not a claim\n# "alone"\n'
    body += 'try:\n    a  # "xy"\n    # "alone"\nexcept KeyError:\n    pass\n'
    found = claims(Block("python", body, 10, ""))
    assert [(c.line, c.expected) for c in found] == [(10, "xy"), (14, "xy")]
    assert [claimed_value(c, {"a": "xy"}) for c in found] == ["xy", "xy"]


# --- yaml blocks that are lists of rules: they parse as a catalogue -------------------------------


@pytest.mark.parametrize("block", blocks_of("yaml", "yml", starts="- {field:"))
def test_yaml_rules_parse_as_a_catalogue(block: Block, test_key: Key) -> None:
    loaded = parse_catalogue("catalogue: readme\nrules:\n" + block.body, f"{README}:{block.line}")
    assert len(loaded.model.rules) == sum(1 for line in block.body.splitlines() if line.startswith("- "))
    Scrubber(loaded, test_key)  # and the rules compile into a plan


# --- the check-rules error example: the real message ----------------------------------------------

UNKNOWN_PARAMETER = re.compile(
    r"(?P<path>[^\s:]+):(?P<line>\d+): rules\[(?P<index>\d+)\] \(field (?P<field>[^,]+), op (?P<op>[\w-]+)\): "
    r"(?P=op) has no parameter '(?P<param>\w+)'"
)


def error_example() -> Block | None:
    for block in BLOCKS:
        if ERROR_EXAMPLE_CUE in block.before.strip().split("\n\n")[-1]:  # in the paragraph right before the block
            return block
    return None


def offending_catalogue(index: int, selector: str, op: str, param: str, line: int, name: str) -> str:
    """A catalogue whose rule number ``index`` (from 0) has the unknown ``param`` on line ``line``."""
    head = [f"catalogue: {name}"]
    rules = ["rules:", *(f"  - {{field: f{i}, op: drop}}" for i in range(index))]
    rule = [f"  - field: {selector}", f"    op: {op}", f"    {param}: 24"]
    padding = line - len(head) - len(rules) - len(rule)
    assert padding >= 0, f"cannot put rules[{index}]'s parameter on line {line}"
    return "\n".join([*head, *["# padding"] * padding, *rules, *rule]) + "\n"


def test_the_check_rules_error_example_is_the_real_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    block = error_example()
    if block is None:
        pytest.skip(f"the README has no block after {ERROR_EXAMPLE_CUE!r}")
    example = block.body.strip("\n")
    match = UNKNOWN_PARAMETER.match(example)
    assert match, f"README.md:{block.line}: not an unknown-parameter error; teach this test to reproduce it"
    relative = Path(match["path"])
    path = tmp_path / relative if not relative.is_absolute() else tmp_path / relative.relative_to("/")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        offending_catalogue(
            int(match["index"]), match["field"], match["op"], match["param"], int(match["line"]), relative.stem
        )
    )
    monkeypatch.chdir(tmp_path)
    capsys.readouterr()
    assert main(["check-rules", str(relative) if not relative.is_absolute() else str(path)]) != 0
    printed = capsys.readouterr().err.replace(str(path), match["path"]).strip("\n")
    assert printed == example


def test_the_offending_catalogue_is_shaped_as_the_example_says() -> None:
    text = offending_catalogue(1, "client.ip", "truncate_ip", "v4_prefx", 7, "mine")
    assert text.splitlines()[6] == "    v4_prefx: 24"
    assert text.count("\n  - ") == 2 and text.startswith("catalogue: mine\n")


# --- sh blocks: the make targets and scrubber subcommands they name exist -------------------------


SEPARATORS = {"&&", "||", "|", ";", "&", "(", ")", "|&", ";;"}


def commands(script: str) -> list[list[str]]:
    """Simple commands of a shell snippet (continuations joined, comments and assignments dropped)."""
    found: list[list[str]] = []
    for line in script.replace("\\\n", " ").splitlines():
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        current: list[str] = []
        redirect_target = False
        for token in [*lexer, ";"]:
            if redirect_target:
                redirect_target = False
            elif re.fullmatch(r"[<>]+&?|&>>?", token):
                redirect_target = True  # the next word is a file, not a command
            elif token in SEPARATORS or set(token) <= set("&|;()"):
                if current:
                    found.append(current)
                current = []
            elif current or not re.fullmatch(r"\w+=.*", token):
                current.append(token)
    return found


def named(script: str) -> tuple[set[str], set[str]]:
    """(make targets, scrubber subcommands) the snippet runs."""
    targets, subcommands = set(), set()
    for words in commands(script):
        program, args = Path(words[0]).name, words[1:]
        if program == "make":
            targets |= {a for a in args if not a.startswith("-") and "=" not in a}
        elif program == "scrubber" and args and not args[0].startswith("-"):
            subcommands.add(args[0])
    return targets, subcommands


def make_targets() -> set[str]:
    targets = set()
    for line in MAKEFILE.read_text().splitlines():
        rule = re.match(r"([^\s:#=][^:#=]*?)\s*::?(?!=)", line)
        if rule and not line.startswith("\t"):
            targets |= {t for t in rule[1].split() if not t.startswith(".") and "$" not in t}
    return targets


def help_text(capsys: pytest.CaptureFixture[str]) -> str:
    capsys.readouterr()
    try:
        code = main(["--help"])
    except SystemExit as exc:
        code = exc.code  # type: ignore[assignment]
    assert code == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("block", blocks_of("sh", "bash", "shell", "console"))
def test_shell_block_names_existing_make_targets_and_subcommands(
    block: Block, capsys: pytest.CaptureFixture[str]
) -> None:
    targets, subcommands = named(block.body)
    assert targets <= make_targets(), f"README.md:{block.line}: no such make target"
    text = help_text(capsys)
    missing = [s for s in sorted(subcommands) if not re.search(rf"^\s+{re.escape(s)}(\s|$)", text, re.M)]
    assert missing == [], f"README.md:{block.line}: not in `scrubber --help`"


def test_shell_commands_are_read_like_a_shell() -> None:
    script = (
        "make run    # scrubs fixtures/logs (make bench is not run)\n"
        "scrubber keygen > scrubber.key && chmod 600 scrubber.key\n"
        "FOO=1 .venv/bin/scrubber run --input 'a b' \\\n    --output x; make -j2 lint test V=1\n"
        "scrubber --help | head\n"
    )
    assert named(script) == ({"run", "lint", "test"}, {"keygen", "run"})
    assert {"run", "test", "lint", "test-engines"} <= make_targets()
