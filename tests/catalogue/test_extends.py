"""``extends:``: a catalogue built on another; inherited rules keep their own file:line; the digest covers the bases."""

from __future__ import annotations

import re
import shutil
import textwrap
from pathlib import Path

import pytest

from scrubber import Scrubber
from scrubber.catalogue import RULES_ENV, available_profiles, load_catalogue, parse_catalogue
from scrubber.errors import CatalogueError
from tests.golden import GOLDEN, outcome


def write(path: Path, body: str) -> Path:
    path.write_text(textwrap.dedent(body))
    return path


def flat_pseudonymous() -> str:
    """rules/pseudonymous.yaml with strict's rules pasted in front of its own and no `extends:`."""
    strict = load_catalogue("strict")
    own = Path(load_catalogue("pseudonymous").source).read_text()
    strict_rules = Path(strict.source).read_text().split("\nrules:\n", 1)[1]
    flat, removed = re.subn(r"^extends:.*\n", "", own, flags=re.M)
    assert removed == 1 and flat.count("\nrules:\n") == 1
    return flat.replace("\nrules:\n", "\nrules:\n" + strict_rules, 1)


def test_pseudonymous_extends_strict_and_equals_a_flat_copy(tmp_path, test_key):
    strict, extended = load_catalogue("strict"), load_catalogue("pseudonymous")
    flat = parse_catalogue(flat_pseudonymous(), str(tmp_path / "flat.yaml"))
    assert flat.model.extends is None and extended.model.extends == "strict"
    assert extended.model.model_copy(update={"extends": None}) == flat.model
    assert extended.model.rules[:3] == strict.model.rules
    assert [r.field for r in extended.model.rules[:4]] == ["ts", "status", "retry_count", "request_id"]
    assert strict.model.on_invalid == extended.model.on_invalid == "reject"
    assert extended.bases == (strict.source,) and extended.source.endswith("pseudonymous.yaml")
    assert len(extended.rule_lines) == len(extended.rule_sources) == len(extended.model.rules)
    flat_scrubber = Scrubber(flat, test_key)
    extended_scrubber = Scrubber.from_catalogue("pseudonymous", key=test_key)
    lines = (GOLDEN / "input.jsonl").read_bytes().splitlines()
    assert [outcome(extended_scrubber, line) for line in lines] == [outcome(flat_scrubber, line) for line in lines]
    assert extended_scrubber.plan.output_shape() == flat_scrubber.plan.output_shape()


def test_inherited_rules_report_their_own_file_and_line(tmp_path, test_key):
    strict, extended = load_catalogue("strict"), load_catalogue("pseudonymous")
    for index in range(3):
        assert extended.where(index) == strict.where(index)
        assert extended.rule_sources[index] == strict.source and extended.rule_lines[index] == strict.rule_lines[index]
    assert re.fullmatch(r".*strict\.yaml:\d+", extended.where(0))
    assert extended.where(3).startswith(f"{extended.source}:")
    # A conflict found when the rules are compiled points at the inherited rule's own file and line.
    child = write(
        tmp_path / "child.yaml",
        """\
        catalogue: child
        extends: strict
        rules:
          - {field: ts.seconds, op: drop}
        """,
    )
    with pytest.raises(CatalogueError) as info:
        Scrubber.from_catalogue(child, key=test_key)
    assert str(info.value).startswith(f"{child}:4: rule for 'ts.seconds': 'ts' has a rule of its own at ")
    assert f"{strict.where(0)}," in str(info.value)


def test_redefining_an_inherited_field_names_both_lines(tmp_path):
    strict = load_catalogue("strict")
    child = write(
        tmp_path / "child.yaml",
        """\
        catalogue: child
        extends: strict
        rules:
          - {field: user_id, op: drop}
          - {field: status, op: drop}
        """,
    )
    with pytest.raises(CatalogueError) as info:
        load_catalogue(child)
    assert str(info.value) == (
        f"{child}:5: rule for 'status': 'status' is already defined at {strict.where(1)}, in 'strict', "
        "which this catalogue extends; fields cannot be redefined by an extending catalogue. "
        "Remove this rule to keep the inherited one, or stop extending and copy the rules you want."
    )


def test_extends_chain_by_relative_path(tmp_path, monkeypatch):
    base = tmp_path / "lib"
    base.mkdir()
    c = write(
        base / "c.yaml",
        """\
        catalogue: c
        description: the root
        on_invalid: drop
        structures:
          cookies: {parse: cookie_header}
          headers: {case_insensitive: true}
        text: {detectors: [EMAIL], pseudonym_tokens: true}
        rules:
          - {field: ts, op: epoch_second}
        """,
    )
    b = write(
        base / "b.yaml",
        """\
        catalogue: b
        extends: ./c.yaml
        structures:
          cookies: {case_insensitive: true}
        text: {detectors: [PHONE]}
        """,
    )
    a = write(
        tmp_path / "a.yaml",
        """\
        catalogue: a
        extends: lib/b.yaml
        rules:
          - {field: status, op: int_range, min: 100, max: 599}
        """,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # a path in `extends:` is relative to the file, not to the working directory
    loaded = load_catalogue(a)
    model = loaded.model
    assert (model.catalogue, model.description, model.on_invalid, model.extends) == ("a", "", "reject", "lib/b.yaml")
    assert [r.field for r in model.rules] == ["ts", "status"]
    assert [loaded.where(i) for i in range(2)] == [f"{c}:9", f"{a}:4"]
    assert loaded.bases == (str(b), str(c))
    assert {k: v.model_dump(include={"parse", "case_insensitive"}) for k, v in model.structures.items()} == {
        "cookies": {"parse": "none", "case_insensitive": True},
        "headers": {"parse": "none", "case_insensitive": True},
    }
    assert model.text.model_dump(include={"detectors", "pseudonym_tokens"}) == {
        "detectors": ["PHONE"],
        "pseudonym_tokens": True,
    }
    assert load_catalogue(b).model.on_invalid == "reject"  # on_invalid is the extending file's own, default reject


def test_extends_cycle_names_the_chain(tmp_path):
    a = write(tmp_path / "a.yaml", "catalogue: a\nextends: ./b.yaml\nrules: [{field: ts, op: drop}]\n")
    b = write(tmp_path / "b.yaml", "catalogue: b\nextends: a.yaml\nrules: [{field: status, op: drop}]\n")
    with pytest.raises(CatalogueError) as info:
        load_catalogue(a)
    assert str(info.value) == (
        f"{b}:2: extends: 'a.yaml' makes a cycle: {a} -> {b} -> {a}. A catalogue cannot extend itself, "
        "directly or through its bases; remove one of these extends: keys."
    )
    itself = write(tmp_path / "self.yaml", "catalogue: s\nextends: self.yaml\n")
    with pytest.raises(CatalogueError, match=re.escape(f"makes a cycle: {itself} -> {itself}.")):
        load_catalogue(itself)


def test_missing_base_names_the_extends_line_and_known_profiles(tmp_path):
    known = ", ".join(available_profiles())
    child = write(
        tmp_path / "child.yaml",
        """\
        catalogue: child
        description: a child
        extends: strikt
        rules: [{field: user_id, op: drop}]
        """,
    )
    with pytest.raises(CatalogueError) as info:
        load_catalogue(child)
    assert str(info.value) == (
        f"{child}:3: extends: no catalogue named 'strikt'. Known profiles: {known}. Did you mean 'strict'? "
        "Name a known profile, or give a path relative to this file (e.g. ./base.yaml)."
    )
    write(child, "catalogue: child\nextends: ../nope.yaml\n")
    with pytest.raises(CatalogueError) as info:
        load_catalogue(child)
    assert str(info.value).startswith(f"{child}:2: extends: catalogue file {tmp_path / '..' / 'nope.yaml'} does not")
    assert f"Known profiles: {known};" in str(info.value)
    write(child, "catalogue: child\nextends: [strict]\n")
    with pytest.raises(CatalogueError, match=re.escape(f"{child}:2: extends: Input should be a valid string")):
        load_catalogue(child)


def test_extending_file_may_add_no_rules(tmp_path):
    child = write(tmp_path / "child.yaml", "catalogue: child\nextends: strict\non_invalid: drop\n")
    loaded = load_catalogue(child)
    assert loaded.model.rules == load_catalogue("strict").model.rules and loaded.model.on_invalid == "drop"


def test_digest_covers_the_base(tmp_path, monkeypatch):
    rules = tmp_path / "rules"
    rules.mkdir()
    for name in ("strict", "pseudonymous"):
        shutil.copy(load_catalogue(name).source, rules / f"{name}.yaml")
    monkeypatch.setenv(RULES_ENV, str(rules))
    before = load_catalogue("pseudonymous")
    assert before.source == str(rules / "pseudonymous.yaml") and before.bases == (str(rules / "strict.yaml"),)
    assert re.fullmatch(r"blake2b:[0-9a-f]{32}", before.digest)
    assert before.digest != load_catalogue("strict").digest
    strict = rules / "strict.yaml"
    strict.write_text(strict.read_text().replace("why: retries, 2 digits", "why: retries (two digits)"))
    after = load_catalogue("pseudonymous")
    assert (rules / "pseudonymous.yaml").read_text() == Path(before.source).read_text()
    assert after.digest != before.digest and re.fullmatch(r"blake2b:[0-9a-f]{32}", after.digest)
