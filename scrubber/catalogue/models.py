"""The catalogue's typed, frozen models: what a catalogue file says, and a loaded catalogue with its origins."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal, Self, Union

import regex as regex_module
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from scrubber.operators import OPERATORS
from scrubber.operators.base import NullMeaning, OnInvalid, RuleBase

if TYPE_CHECKING:
    Rule = RuleBase
else:
    # One model per operator, chosen by the value of `op`.
    Rule = Annotated[Union[tuple(op.rule_model for op in OPERATORS.values())], Field(discriminator="op")]  # noqa: UP007


class Structure(BaseModel):
    """How to read one part of a record before rules address its children."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    parse: Literal["none", "cookie_header", "query_string", "json"] = "none"
    case_insensitive: bool = False
    # parse: json only. A string that is not JSON (or not the object or list the rules address)
    # rejects the record (``reject``, reason not_json) or drops the field (``drop``, counted as invalid).
    not_json: OnInvalid = "reject"
    # parse: json only. ``json_text``: the scrubbed structure is written back as JSON text (a tool call's
    # arguments stay a string, as the format requires); ``value``: written as the object or list itself
    # (a Postgres export's JSON column then lands in the same schema as the native JSON of JSON lines).
    write: Literal["json_text", "value"] = "json_text"

    @model_validator(mode="after")
    def _json_options_need_json(self) -> Self:
        for option in ("not_json", "write"):
            if option in self.model_fields_set and self.parse != "json":
                raise ValueError(f"{option} applies to parse: json only, and this structure has parse: {self.parse}")
        return self


class Case(BaseModel):
    """One branch of ``select``: the values that choose it and the rules it adds to the common ones."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    values: list[str] = Field(min_length=1)
    rules: list[Rule]


class Select(BaseModel):
    """Rules chosen by a field's value (``call_type``, ``url``): each record gets the common rules plus
    the rules of the case that lists its value. A value no case lists, or a missing field, quarantines
    the record (``unlisted_value``): fail closed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    field: str = Field(pattern=r"^[^\[\]*?]+$")  # a dotted path to one value, no lists or globs
    cases: list[Case] = Field(min_length=1)

    @model_validator(mode="after")
    def _each_value_once(self) -> Self:
        seen: dict[str, int] = {}
        for number, case in enumerate(self.cases):
            for value in case.values:
                if value in seen:
                    raise ValueError(f"the value {value!r} is listed by cases {seen[value]} and {number}; list it once")
                seen[value] = number
        return self


_KIND = r"^[A-Z][A-Z0-9_]{1,31}$"


class DenyTerm(BaseModel):
    """A term always replaced, whole words in any case (an employee's name), by ``<KIND>``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    term: str = Field(min_length=2, max_length=200)
    kind: str = Field(default="PERSON", pattern=_KIND)


class TextPattern(BaseModel):
    """A catalogue's own detector: every match of ``regex`` becomes ``<KIND>`` (a ticket or staff id)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: str = Field(pattern=_KIND)
    regex: str = Field(min_length=1, max_length=2000)

    @field_validator("regex")
    @classmethod
    def _compiles_and_is_not_empty(cls, value: str) -> str:
        try:
            compiled = regex_module.compile(value)
        except regex_module.error as exc:
            raise ValueError(f"not a valid regular expression: {exc}") from None
        if compiled.fullmatch("") is not None:
            raise ValueError("the pattern matches the empty string; it must match at least one character")
        return value


class TextSettings(BaseModel):
    """What the text detectors use: which detectors, pseudonym tokens, and the catalogue's own words."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    detectors: list[str] | None = None
    pseudonym_tokens: bool = False
    # Never replaced (case as written, whole words): product and project names the name detector takes for
    # people. A name span an allow-term overlaps is dropped; any other span only if the term contains it.
    allow_terms: list[Annotated[str, Field(min_length=2, max_length=200)]] = []
    deny_terms: list[DenyTerm] = []
    patterns: list[TextPattern] = []

    @field_validator("deny_terms", mode="before")
    @classmethod
    def _plain_terms(cls, value: Any) -> Any:
        """A plain string is a PERSON term."""
        return (
            [{"term": item} if isinstance(item, str) else item for item in value] if isinstance(value, list) else value
        )


class Catalogue(BaseModel):
    """A whole catalogue file.

    ``extends`` names a base catalogue (a profile name, or a path relative to this file). In a loaded
    catalogue the base's rules come first in ``rules`` and ``structures`` and ``text`` are merged; ``extends``
    is kept as written, for information only.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    catalogue: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")
    extends: str | None = Field(default=None, min_length=1)
    description: str = ""
    on_invalid: OnInvalid = "reject"
    # What a JSON null (or a Parquet null) in a field means: the field is absent, or an invalid value
    # (then on_invalid decides). A rule's own ``null:`` overrides this for its field.
    nulls: NullMeaning = "invalid"
    structures: dict[str, Structure] = {}
    text: TextSettings = TextSettings()
    rules: list[Rule]
    select: Select | None = None


class LoadedCatalogue(BaseModel):
    """A parsed catalogue with where it came from: the source, its digest and each rule's file and line.

    ``model`` is the effective catalogue (bases merged in). ``source`` is the file that was loaded, ``bases``
    the files it extends, nearest first. ``rule_lines[i]`` and ``rule_sources[i]`` are the line and file that
    rule ``i`` was written in (a base's file for an inherited rule). ``digest`` covers the text of the file and
    of every base.
    """

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    model: Catalogue
    source: str
    digest: str
    rule_lines: tuple[int, ...]
    rule_sources: tuple[str, ...] = ()
    bases: tuple[str, ...] = ()
    # With ``select``, ``model.rules`` holds the common rules and then every case's rules in order;
    # ``rule_cases[i]`` is the case rule ``i`` belongs to (None for a common rule).
    rule_cases: tuple[int | None, ...] = ()

    def case_of(self, index: int) -> int | None:
        return self.rule_cases[index] if self.rule_cases else None

    def where(self, index: int) -> str:
        """``file:line`` of rule ``index``: for an inherited rule, the base file it is written in."""
        source = self.rule_sources[index] if self.rule_sources else self.source
        return f"{source}:{self.rule_lines[index]}"

    def line_of(self, index: int) -> str:
        """Rule ``index``'s line, with its base file's name if it is inherited: ``14`` or ``strict.yaml:14``."""
        source = self.rule_sources[index] if self.rule_sources else self.source
        line = self.rule_lines[index]
        return str(line) if source == self.source else f"{source.rsplit('/', 1)[-1]}:{line}"
