"""generalize: map a detailed value onto a small fixed vocabulary (browser family, language)."""

from __future__ import annotations

from typing import Any, Literal

import regex

from scrubber.operators.base import BuildContext, Invalid, Operator, RecordScope, RuleBase, Transform

# Order matters: Edge and Opera carry "Chrome" in their user agents, Chrome carries "Safari".
_BROWSER_FAMILIES: tuple[tuple[str, str], ...] = (
    ("bot", r"bot|crawler|spider|slurp"),
    ("curl", r"^curl/"),
    ("python", r"python-requests|python-urllib|aiohttp|httpx"),
    ("edge", r"Edg(?:e|A|iOS)?/"),
    ("opera", r"OPR/|Opera"),
    ("samsung", r"SamsungBrowser/"),
    ("firefox", r"Firefox/|FxiOS/"),
    ("chrome", r"Chrome/|CriOS/|Chromium/"),
    ("safari", r"Safari/"),
)
_BROWSER_PATTERNS = [(name, regex.compile(pattern, regex.IGNORECASE)) for name, pattern in _BROWSER_FAMILIES]
_LANGUAGE = regex.compile(r"\s*([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*\s*(?:[;,]|$)")


def browser_family(user_agent: str) -> str:
    for name, pattern in _BROWSER_PATTERNS:
        if pattern.search(user_agent):
            return name
    return "other"


def primary_language(accept_language: str) -> str:
    match = _LANGUAGE.match(accept_language)
    return match.group(1).lower() if match else "other"


_KINDS = {"browser_family": browser_family, "language": primary_language}


class GeneralizeRule(RuleBase):
    op: Literal["generalize"]
    kind: Literal["browser_family", "language"]


def build(rule: GeneralizeRule, ctx: BuildContext) -> Transform:
    mapper = _KINDS[rule.kind]

    def generalize(value: Any, scope: RecordScope) -> Any:
        if not isinstance(value, str):
            raise Invalid(f"expected_string_not_{type(value).__name__}")
        return mapper(value[:2048])

    return generalize


OPERATOR = Operator(
    name="generalize",
    rule_model=GeneralizeRule,
    build=build,
    summary="coarse category: browser_family (user agent -> chrome/firefox/...), language (de-CH,de;q=0.9 -> de)",
    example="{field: client.user_agent, op: generalize, kind: browser_family}",
)
