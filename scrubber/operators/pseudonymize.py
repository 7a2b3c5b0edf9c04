"""pseudonymize: replace an identifier with a keyed BLAKE3-256 pseudonym.

Each namespace gets its own subkey derived from the master key, so the same value
in two namespaces gives unrelated pseudonyms. ``salt: per_record`` mixes in a
salt derived (keyed) from the whole raw record: deterministic, yet unlinkable
across records.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
import uuid
from collections.abc import Callable
from typing import Any, Literal

import blake3
import orjson
from pydantic import Field

from scrubber.operators.base import BuildContext, Invalid, Operator, OutputCheck, RecordScope, RuleBase, Transform

SUBKEY_CONTEXT = "scrubber 2026-11 pseudonym subkey v1 "
SALT_CONTEXT = "scrubber 2026-11 record salt v1"

CACHE_SIZE = 16_384

Normalizer = Literal["strip", "lower", "nfkc", "uuid"]


class PseudonymizeRule(RuleBase):
    op: Literal["pseudonymize"]
    namespace: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$")
    normalize: list[Normalizer] = ["strip"]
    salt: Literal["none", "per_record"] = "none"
    prefix: str = Field(default="", pattern=r"^[A-Za-z0-9_:-]{0,16}$")
    with_key_id: bool = False


def namespace_subkey(master: bytes, namespace: str) -> bytes:
    """The 32-byte subkey of one namespace."""
    return blake3.blake3(master, derive_key_context=SUBKEY_CONTEXT + namespace).digest()


_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _canonical_uuid(text: str) -> str:
    """Lower-case hyphenated form of any UUID spelling (braces, urn:, no hyphens); other text unchanged."""
    lowered = text.lower()
    if _CANONICAL_UUID.fullmatch(lowered):
        return lowered
    try:
        return str(uuid.UUID(text))
    except ValueError:
        return text


_NORMALIZERS: dict[str, Callable[[str], str]] = {
    "strip": str.strip,
    "lower": str.lower,
    "nfkc": lambda text: unicodedata.normalize("NFKC", text),
    "uuid": _canonical_uuid,
}


def record_fingerprint(record: Any) -> bytes:
    """Canonical bytes of a raw record, the input of the per-record salt."""
    try:
        return orjson.dumps(record, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)
    except (TypeError, orjson.JSONEncodeError):
        return json.dumps(record, sort_keys=True, default=repr).encode("utf-8", "surrogatepass")


def build(rule: PseudonymizeRule, ctx: BuildContext) -> Transform:
    hasher = blake3.blake3(key=namespace_subkey(ctx.key.material, rule.namespace))
    salt_hasher = blake3.blake3(key=blake3.blake3(ctx.key.material, derive_key_context=SALT_CONTEXT).digest())
    steps = [_NORMALIZERS[name] for name in rule.normalize]
    head = rule.prefix + (f"{ctx.key.key_id}:" if rule.with_key_id else "")
    per_record = rule.salt == "per_record"

    def derive_salt(record: Any) -> bytes:
        h = salt_hasher.copy()
        h.update(record_fingerprint(record))
        return h.digest()

    def normalized(value: Any) -> str:
        kind = type(value)
        if kind is str:
            text = value
        elif kind is int:
            text = str(value)
        else:
            raise Invalid(f"expected_string_or_int_not_{kind.__name__}")
        for step in steps:
            text = step(text)
        if not text:
            raise Invalid("empty_identifier")
        return text  # type: ignore[no-any-return]

    if per_record:

        def pseudonymize_salted(value: Any, scope: RecordScope) -> Any:
            h = hasher.copy()
            h.update(scope.salt(derive_salt))
            h.update(normalized(value).encode("utf-8", "surrogatepass"))
            return head + h.hexdigest()

        return pseudonymize_salted

    # Identifiers recur (a session makes many requests): a bounded cache of this pure function
    # saves the hashing without changing any result.
    @functools.lru_cache(maxsize=CACHE_SIZE)
    def pseudonym_of(value: str | int) -> str:
        h = hasher.copy()
        h.update(normalized(value).encode("utf-8", "surrogatepass"))
        return head + h.hexdigest()

    def pseudonymize(value: Any, scope: RecordScope) -> Any:
        kind = type(value)
        if kind is not str and kind is not int:  # bools, floats and containers never reach the cache
            raise Invalid(f"expected_string_or_int_not_{kind.__name__}")
        return pseudonym_of(value)

    return pseudonymize


def output_check(rule: PseudonymizeRule) -> OutputCheck:
    """Verify checks a pseudonym by its exact shape: prefix, optional key id, 64 hex."""
    key_id = "(?:[0-9a-f]{16}:)?" if rule.with_key_id else ""
    shape = re.compile(f"{re.escape(rule.prefix)}{key_id}[0-9a-f]{{64}}")

    def check(value: str, scan: Callable[[str], list[str]]) -> list[str]:
        return [] if shape.fullmatch(value) else ["not_a_pseudonym", *scan(value)]

    return check


OPERATOR = Operator(
    name="pseudonymize",
    rule_model=PseudonymizeRule,
    build=build,
    summary="keyed BLAKE3-256 pseudonym (64 hex), one subkey per namespace, optional per-record salt",
    example="{field: user_id, op: pseudonymize, namespace: user, normalize: [strip, lower]}",
    output_check=output_check,
)
