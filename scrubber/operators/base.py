"""What every operator shares: the rule base model, the invalid-value signal and the build context."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Final, Generic, Literal, Self, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

if TYPE_CHECKING:
    from scrubber.detectors.scanner import TextScanner
    from scrubber.keys import Key

OnInvalid = Literal["drop", "reject"]
NullMeaning = Literal["absent", "invalid"]
# The JSON shape of a value, as a rule's ``shape:`` names it.
ValueShape = Literal["string", "number", "boolean", "object", "list"]


def shape_of(value: Any) -> str | None:
    """The ``ValueShape`` of a decoded JSON value; None for a null."""
    kind = type(value)
    if kind is str:
        return "string"
    if kind is bool:
        return "boolean"
    if kind is int or kind is float:
        return "number"
    if kind is dict:
        return "object"
    if kind is list:
        return "list"
    return None


class Invalid(Exception):
    """A value that does not parse for its rule. Carries a reason code, never the value."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RuleBase(BaseModel):
    """Fields every rule has; each operator adds its own parameters in a subclass."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    op: str
    field: str
    why: str = ""
    on_invalid: OnInvalid | None = None
    # Every record of these logs has the field: a run (or a sandbox, for verify) where no record
    # has it fails, as when a column was renamed. Leave it off for fields a source may lack.
    expected: bool = False
    # The record is quarantined (missing_required) when the field, or any object or list on its path,
    # is missing, null or empty after scrubbing; so a record without it is never published.
    required: bool = False
    nulls: NullMeaning | None = None  # overrides the catalogue's ``nulls`` for this field
    # The field's name in the output, in the same object (startTime -> ts), so a source maps into one schema.
    to: str | None = Field(default=None, pattern=r'^[^.\[\]"*?]{1,128}$')
    # The shapes of value this rule takes (content as a string). Values of other shapes go to the rules
    # for fields inside it (``content[*].text`` for a list, ``content.text`` for an object), or are invalid.
    # Unset: the rule takes every value, and no rule may address fields inside it.
    shape: list[ValueShape] | None = Field(default=None, min_length=1)

    output_type: ClassVar[str] = "string"

    def contradictions(self) -> list[str]:
        """Parameters that each parse but cannot hold together (min above max ...); [] when consistent."""
        return []

    @field_validator("shape", mode="before")
    @classmethod
    def _one_shape(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        problems = self.contradictions()
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def arrow_type(self) -> str:
        """Name of the output column type: string, int64, double or bool."""
        return self.output_type


@dataclass(slots=True)
class RecordScope:
    """Per-record state an operator may need: the raw record (for a per-record salt) and counters."""

    record: Any
    detector_counts: dict[str, int]
    _salt: bytes | None = field(default=None, repr=False)

    def salt(self, derive: Callable[[Any], bytes]) -> bytes:
        if self._salt is None:
            self._salt = derive(self.record)
        return self._salt


@dataclass(frozen=True)
class BuildContext:
    """What operators may use when they are compiled: the key and the text scanner."""

    key: Key
    scanner_factory: Callable[[list[str] | None, bool], TextScanner]


class Drop:
    """The type of ``DROP``: the marker an operator returns to remove the field."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "DROP"


DROP: Final = Drop()

# A compiled rule or node: (value, scope) -> the output value, or DROP. Raises Invalid (leaves only).
# Values are JSON-like and arbitrary in shape, so the seam stays Any; DROP is the one marker.
Transform = Callable[[Any, RecordScope], Any]

# How ``scrubber verify`` checks what an operator wrote (a string, or a value for a structured output):
# the kinds of finding in it ([] when clean).
# ``scan`` runs every detector over a string and returns the kinds it found.
OutputCheck = Callable[[Any, Callable[[str], list[str]]], list[str]]


def scan_output(value: str, scan: Callable[[str], list[str]]) -> list[str]:
    """The default output check: every detector's finding in the string."""
    return scan(value)


RuleT = TypeVar("RuleT", bound=RuleBase)


@dataclass(frozen=True)
class Operator(Generic[RuleT]):
    """One registry entry: the rule model, a builder that turns a rule into a transform, and how
    ``verify`` checks its output (a function of the rule; by default the string is scanned)."""

    name: str
    rule_model: type[RuleT]
    build: Callable[[RuleT, BuildContext], Transform]
    summary: str
    example: str
    output_check: Callable[[RuleT], OutputCheck] = lambda rule: scan_output


def ordered(low: int, high: int, low_name: str = "min", high_name: str = "max") -> list[str]:
    """The contradiction of a range whose lower bound is above its upper bound, if it is one."""
    if low > high:
        return [f"{low_name} ({low}) is above {high_name} ({high}), so no value could pass; swap them"]
    return []


def is_ascii_digits(text: str) -> bool:
    """True for a non-empty string of ASCII 0-9 only (str.isdigit also accepts other scripts)."""
    return text.isascii() and text.isdigit()


def strict_int(value: Any) -> int:
    """An int from an int, an integral float or a string of ASCII digits with optional sign."""
    kind = type(value)
    if kind is int:
        return value  # type: ignore[no-any-return]
    if kind is bool:
        raise Invalid("bool_not_int")
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")) or not value.is_integer():
            raise Invalid("not_integral")
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        digits = text[1:] if text[:1] in "+-" else text
        if not is_ascii_digits(digits) or len(digits) > 20:
            raise Invalid("not_an_integer")
        return int(text)
    raise Invalid(f"wrong_type_{type(value).__name__}")
