"""The rule catalogue: YAML in rules/, parsed into typed, frozen models with precise errors.

An error names the file, the line and the rule, and says how to fix it.
"""

from __future__ import annotations

import difflib
import hashlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from scrubber.errors import CatalogueError
from scrubber.operators import OPERATORS
from scrubber.operators.base import OnInvalid, RuleBase

RULES_ENV = "SCRUBBER_RULES_DIR"

if TYPE_CHECKING:
    Rule = RuleBase
else:
    # One model per operator, chosen by the value of `op`.
    Rule = Annotated[Union[tuple(op.rule_model for op in OPERATORS.values())], Field(discriminator="op")]  # noqa: UP007


class Structure(BaseModel):
    """How to read one part of a record before rules address its children."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    parse: Literal["none", "cookie_header", "query_string"] = "none"
    case_insensitive: bool = False


class TextSettings(BaseModel):
    """Defaults for ``Scrubber.scrub_text``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    detectors: list[str] | None = None
    pseudonym_tokens: bool = False


class Catalogue(BaseModel):
    """A whole catalogue file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    catalogue: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")
    description: str = ""
    on_invalid: OnInvalid = "reject"
    structures: dict[str, Structure] = {}
    text: TextSettings = TextSettings()
    rules: list[Rule]


class LoadedCatalogue(BaseModel):
    """A parsed catalogue with where it came from: the source, its digest and each rule's line."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    model: Catalogue
    source: str
    digest: str
    rule_lines: tuple[int, ...]

    def where(self, index: int) -> str:
        return f"{self.source}:{self.rule_lines[index]}"


# --- finding a catalogue -------------------------------------------------------------------------


def rules_dirs() -> list[Path]:
    """Where profile names are looked up: $SCRUBBER_RULES_DIR first, then the catalogues shipped in the package.

    The packaged ``scrubber/rules`` is the repository's ``rules/`` (a link in a checkout, a copy in the wheel),
    so a checkout and an installed wheel find the same profiles, and nothing outside the package is searched.
    """
    dirs = []
    if os.environ.get(RULES_ENV):
        dirs.append(Path(os.environ[RULES_ENV]))
    dirs.append(Path(__file__).resolve().parent.parent / "rules")
    return [d for d in dirs if d.is_dir()]


def available_profiles() -> list[str]:
    return sorted({p.stem for d in rules_dirs() for p in d.glob("*.yaml")})


def resolve(name_or_path: str | os.PathLike[str]) -> Path:
    """A catalogue file from a profile name ("strict") or a path."""
    text = os.fspath(name_or_path)
    path = Path(text)
    if path.suffix in (".yaml", ".yml") or os.sep in text or path.exists():
        if not path.is_file():
            raise CatalogueError(f"catalogue file {text} does not exist")
        return path
    for directory in rules_dirs():
        candidate = directory / f"{text}.yaml"
        if candidate.is_file():
            return candidate
    known = available_profiles()
    hint = difflib.get_close_matches(text, known, n=1)
    raise CatalogueError(
        f"no catalogue named {text!r}. Known profiles: {', '.join(known) or 'none'}"
        + (f". Did you mean {hint[0]!r}?" if hint else "")
        + ". Or pass a path to a .yaml file."
    )


# --- YAML with line numbers ----------------------------------------------------------------------


def _to_python(
    loader: yaml.SafeLoader, node: yaml.Node, source: str, lines: dict[tuple[Any, ...], int], path: tuple[Any, ...]
) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, (str, int, float, bool)) or key is None:
                raise CatalogueError(f"{source}:{key_node.start_mark.line + 1}: mapping keys must be plain names")
            if key in result:
                raise CatalogueError(
                    f"{source}:{key_node.start_mark.line + 1}: the key {key!r} appears twice in the same mapping; "
                    "keep one (YAML would silently use the last)."
                )
            result[key] = _to_python(loader, value_node, source, lines, (*path, key))
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_to_python(loader, item, source, lines, (*path, i)) for i, item in enumerate(node.value)]
    return loader.construct_object(node, deep=True)


def _line_for(loc: tuple[Any, ...], data: Any, lines: dict[tuple[Any, ...], int]) -> tuple[int, tuple[Any, ...]]:
    """The deepest line known for a pydantic error location, skipping discriminator tags."""
    real: tuple[Any, ...] = ()
    cursor = data
    for part in loc:
        in_dict = isinstance(cursor, dict) and part in cursor
        in_list = isinstance(cursor, list) and isinstance(part, int) and part < len(cursor)
        if in_dict or in_list:
            real, cursor = (*real, part), cursor[part]
        elif isinstance(cursor, dict) and cursor.get("op") == part:
            continue
        else:
            break
    while real and real not in lines:
        real = real[:-1]
    return lines.get(real, 1), real


def _explain(error: Any, data: Any) -> str:
    loc: tuple[Any, ...] = tuple(error["loc"])
    kind = error["type"]
    rule = None
    if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int) and isinstance(data.get("rules"), list):
        rules = data["rules"]
        rule = rules[loc[1]] if loc[1] < len(rules) and isinstance(rules[loc[1]], dict) else None
    if rule is not None:
        op_name = rule.get("op")
        label = f"rules[{loc[1]}] (field {rule.get('field', '?')!s}, op {op_name!s})"
        operator = OPERATORS.get(op_name) if isinstance(op_name, str) else None
        if kind in ("union_tag_invalid", "union_tag_not_found"):
            names = ", ".join(OPERATORS)
            hint = difflib.get_close_matches(str(op_name), list(OPERATORS), n=1)
            guess = f" Did you mean {hint[0]!r}?" if hint else ""
            return f"{label}: 'op' must be one of: {names}.{guess}"
        if operator is not None:
            params = ", ".join(operator.rule_model.model_fields)
            field_name = loc[-1]
            if kind == "extra_forbidden":
                hint = difflib.get_close_matches(str(field_name), list(operator.rule_model.model_fields), n=1)
                guess = f" Did you mean {hint[0]!r}?" if hint else ""
                return (
                    f"{label}: {operator.name} has no parameter {field_name!r}.{guess} "
                    f"It takes: {params}.\n  Example: - {operator.example}"
                )
            return f"{label}: parameter {field_name!r}: {error['msg']}.\n  Example: - {operator.example}"
        return f"{label}: {error['msg']}"
    where = ".".join(str(p) for p in loc) or "the file"
    if kind == "extra_forbidden":
        return f"{where}: unknown key. A catalogue takes: {', '.join(Catalogue.model_fields)}."
    return f"{where}: {error['msg']}"


def parse_catalogue(text: str, source: str) -> LoadedCatalogue:
    """Parse catalogue YAML text. Raises CatalogueError naming the source and line."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise CatalogueError(f"{source}{line}: not valid YAML: {getattr(exc, 'problem', exc)}") from None
    if node is None:
        raise CatalogueError(f"{source}: the catalogue is empty. Start from rules/strict.yaml.")
    lines: dict[tuple[Any, ...], int] = {}
    try:
        data = _to_python(loader, node, source, lines, ())
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise CatalogueError(f"{source}:1: a catalogue is a mapping with keys catalogue, rules, ...")
    try:
        model = Catalogue.model_validate(data)
    except ValidationError as exc:
        messages = []
        for error in exc.errors():
            line_no, _ = _line_for(tuple(error["loc"]), data, lines)
            messages.append(f"{source}:{line_no}: {_explain(error, data)}")
        raise CatalogueError("\n".join(messages)) from None
    if not model.rules:
        raise CatalogueError(f"{source}: 'rules' is empty, so every field would be dropped. Add rules.")
    rule_lines = tuple(lines.get(("rules", i), 1) for i in range(len(model.rules)))
    digest = "blake2b:" + hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()
    return LoadedCatalogue(model=model, source=source, digest=digest, rule_lines=rule_lines)


def load_catalogue(name_or_path: str | os.PathLike[str]) -> LoadedCatalogue:
    """Load a catalogue by profile name or path."""
    path = resolve(name_or_path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogueError(f"cannot read catalogue {path}: {exc}") from None
    return parse_catalogue(text, str(path))
