"""Catalogue YAML, parsed with line numbers into the models, with precise errors; ``extends:`` resolved.

An error names the file, the line and the rule, and says how to fix it.
"""

from __future__ import annotations

import difflib
import hashlib
import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from scrubber.catalogue.lookup import available_profiles, find_profile, looks_like_path, resolve, unknown_profile
from scrubber.catalogue.models import Catalogue, LoadedCatalogue, TextSettings
from scrubber.errors import CatalogueError
from scrubber.operators import OPERATORS

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


def _rule_at(loc: tuple[Any, ...], data: Any) -> tuple[dict[str, Any] | None, str]:
    """The rule dict an error location points into (``rules[3]`` or ``select.cases[0].rules[2]``) and its label."""
    cursor = data
    rule: dict[str, Any] | None = None
    label = ""
    for position, part in enumerate(loc):
        in_dict = isinstance(cursor, dict) and part in cursor
        if not (in_dict or (isinstance(cursor, list) and isinstance(part, int) and part < len(cursor))):
            break
        cursor = cursor[part]
        if position and loc[position - 1] == "rules" and isinstance(part, int) and isinstance(cursor, dict):
            rule = cursor
            label = ".".join(str(p) for p in loc[: position - 1])
            label = f"{label + '.' if label else ''}rules[{part}]"
    return rule, label


def _explain(error: Any, data: Any) -> str:
    loc: tuple[Any, ...] = tuple(error["loc"])
    kind = error["type"]
    rule, rule_at = _rule_at(loc, data)
    if rule is not None:
        op_name = rule.get("op")
        label = f"{rule_at} (field {rule.get('field', '?')!s}, op {op_name!s})"
        operator = OPERATORS.get(op_name) if isinstance(op_name, str) else None
        if kind in ("union_tag_invalid", "union_tag_not_found"):
            names = ", ".join(OPERATORS)
            hint = difflib.get_close_matches(str(op_name), list(OPERATORS), n=1)
            guess = f" Did you mean {hint[0]!r}?" if hint else ""
            return f"{label}: 'op' must be one of: {names}.{guess}"
        if operator is not None:
            params = ", ".join(operator.rule_model.model_fields)
            field_name = loc[-1]
            item = ""
            if isinstance(field_name, int) and len(loc) >= 2:  # an item of a list parameter (shape: [...])
                field_name, item = loc[-2], f" (item {field_name + 1})"
            if kind == "extra_forbidden":
                hint = difflib.get_close_matches(str(field_name), list(operator.rule_model.model_fields), n=1)
                guess = f" Did you mean {hint[0]!r}?" if hint else ""
                return (
                    f"{label}: {operator.name} has no parameter {field_name!r}.{guess} "
                    f"It takes: {params}.\n  Example: - {operator.example}"
                )
            if field_name == op_name:  # the rule as a whole: parameters that contradict each other
                message = str(error["msg"]).removeprefix("Value error, ")
                return f"{label}: {message}.\n  Example: - {operator.example}"
            return f"{label}: parameter {field_name!r}{item}: {error['msg']}.\n  Example: - {operator.example}"
        return f"{label}: {error['msg']}"
    where = ".".join(str(p) for p in loc) or "the file"
    if kind == "extra_forbidden":
        return f"{where}: unknown key. A catalogue takes: {', '.join(Catalogue.model_fields)}."
    return f"{where}: {error['msg']}"


def _read(text: str, source: str) -> tuple[Catalogue, dict[tuple[Any, ...], int], int]:
    """One file's own model (no base merged in), the line of every node in it and the line of `extends:`."""
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
    extends_line = next(
        (k.start_mark.line + 1 for k, _ in node.value if isinstance(k, yaml.ScalarNode) and k.value == "extends"), 1
    )
    if "extends" in data and "rules" not in data:
        data["rules"] = []  # a catalogue that extends another may add no rules of its own
    try:
        model = Catalogue.model_validate(data)
    except ValidationError as exc:
        messages = []
        for error in exc.errors():
            line_no, _ = _line_for(tuple(error["loc"]), data, lines)
            messages.append(f"{source}:{line_no}: {_explain(error, data)}")
        raise CatalogueError("\n".join(messages)) from None
    return model, lines, extends_line


def _flatten_cases(
    model: Catalogue, lines: dict[tuple[Any, ...], int]
) -> tuple[Catalogue, tuple[int, ...], tuple[int | None, ...]]:
    """The model with every ``select`` case's rules after the common ones in ``rules``, each rule's line,
    and the case each rule belongs to (None for a common rule)."""
    rule_lines = [lines.get(("rules", i), 1) for i in range(len(model.rules))]
    cases: list[int | None] = [None] * len(model.rules)
    if model.select is None:
        return model, tuple(rule_lines), tuple(cases)
    rules = list(model.rules)
    for number, case in enumerate(model.select.cases):
        for j, rule in enumerate(case.rules):
            rules.append(rule)
            rule_lines.append(lines.get(("select", "cases", number, "rules", j), 1))
            cases.append(number)
    return model.model_copy(update={"rules": rules}), tuple(rule_lines), tuple(cases)


def _digest(text: str, base: LoadedCatalogue | None) -> str:
    """blake2b of the file's text; with a base, of the text, a NUL (never in YAML text) and the base's digest."""
    payload = text.encode("utf-8")
    if base is not None:
        payload += b"\0" + base.digest.encode("ascii")
    return "blake2b:" + hashlib.blake2b(payload, digest_size=16).hexdigest()


# --- extends -------------------------------------------------------------------------------------


def _base_path(value: str, source: str, at: str) -> Path:
    """The file ``extends: value`` names: a path relative to the extending file, or a profile name."""
    if looks_like_path(value):
        path = Path(value).expanduser()
        if not path.is_absolute():
            path = Path(source).parent / path
        if not path.is_file():
            raise CatalogueError(
                f"{at}: extends: catalogue file {path} does not exist (a path is relative to the directory of "
                f"{source}). Known profiles: {', '.join(available_profiles()) or 'none'}; "
                "name one of them, or fix the path."
            )
        return path
    found = find_profile(value)
    if found is None:
        unknown = unknown_profile(value)
        raise CatalogueError(
            f"{at}: extends: {unknown}{' ' if unknown.endswith('?') else '. '}Name a known profile, "
            "or give a path relative to this file (e.g. ./base.yaml)."
        )
    return found


def _identity(source: str) -> str:
    try:
        return str(Path(source).resolve())
    except OSError:
        return source


def _load(text: str, source: str, chain: tuple[tuple[str, str], ...]) -> LoadedCatalogue:
    """Parse ``text`` (from ``source``) and, through ``extends:``, its bases. ``chain`` is (identity, source)
    of every catalogue that extends this one, outermost first, to find cycles."""
    model, lines, extends_line = _read(text, source)
    model, own_lines, own_cases = _flatten_cases(model, lines)
    if model.extends is None:
        if not model.rules:
            raise CatalogueError(f"{source}: 'rules' is empty, so every field would be dropped. Add rules.")
        return LoadedCatalogue(
            model=model,
            source=source,
            digest=_digest(text, None),
            rule_lines=own_lines,
            rule_sources=(source,) * len(model.rules),
            rule_cases=own_cases,
        )

    at = f"{source}:{extends_line}"
    path = _base_path(model.extends, source, at)
    base_source = str(path)
    here = (*chain, (_identity(source), source))
    seen = [identity for identity, _ in here]
    if _identity(base_source) in seen:
        loop = [name for _, name in here[seen.index(_identity(base_source)) :]] + [base_source]
        raise CatalogueError(
            f"{at}: extends: {model.extends!r} makes a cycle: {' -> '.join(loop)}. A catalogue cannot extend "
            "itself, directly or through its bases; remove one of these extends: keys."
        )
    try:
        base_text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogueError(f"{at}: extends: cannot read catalogue {path}: {exc}") from None
    base = _load(base_text, base_source, here)

    if base.model.select is not None and model.select is not None:
        raise CatalogueError(
            f"{at}: both this catalogue and its base {base.model.catalogue!r} have select:; a catalogue has one. "
            "Add the cases to one of them."
        )
    inherited: dict[str, int] = {}
    for index, rule in enumerate(base.model.rules):
        if base.case_of(index) is None:
            inherited.setdefault(rule.field, index)
    clashes = []
    for index, rule in enumerate(model.rules):
        if rule.field in inherited:
            other = inherited[rule.field]
            clashes.append(
                f"{source}:{own_lines[index]}: rule for {rule.field!r}: {rule.field!r} is already defined at "
                f"{base.where(other)}, in {base.model.catalogue!r}, which this catalogue extends; "
                "fields cannot be redefined by an extending catalogue. Remove this rule to keep the inherited one, "
                "or stop extending and copy the rules you want."
            )
    if clashes:
        raise CatalogueError("\n".join(clashes))

    rules = [*base.model.rules, *model.rules]
    if not rules:
        raise CatalogueError(f"{source}: 'rules' is empty, so every field would be dropped. Add rules.")
    text_settings = TextSettings.model_validate(
        {**base.model.text.model_dump(), **model.text.model_dump(exclude_unset=True)}
    )
    effective = model.model_copy(
        update={
            "rules": rules,
            "structures": {**base.model.structures, **model.structures},
            "text": text_settings,
            "select": model.select or base.model.select,
        }
    )
    base_cases = base.rule_cases or (None,) * len(base.model.rules)
    return LoadedCatalogue(
        model=effective,
        source=source,
        digest=_digest(text, base),
        rule_lines=(*base.rule_lines, *own_lines),
        rule_sources=(*base.rule_sources, *(source,) * len(model.rules)),
        bases=(base_source, *base.bases),
        rule_cases=(*base_cases, *own_cases),
    )


# --- the entry points ----------------------------------------------------------------------------


def parse_catalogue(text: str, source: str) -> LoadedCatalogue:
    """Parse catalogue YAML text. Raises CatalogueError naming the source and line.

    A base named by ``extends:`` is read from disk: a profile through the rules lookup, a path relative to
    the directory of ``source``.
    """
    return _load(text, source, ())


def load_catalogue(name_or_path: str | os.PathLike[str]) -> LoadedCatalogue:
    """Load a catalogue by profile name or path."""
    path = resolve(name_or_path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogueError(f"cannot read catalogue {path}: {exc}") from None
    return parse_catalogue(text, str(path))
