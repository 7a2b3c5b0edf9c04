"""Crypto wallet addresses: Bitcoin base58check (P2PKH, P2SH), Bitcoin bech32/bech32m, Ethereum (0x + 40 hex)."""

from __future__ import annotations

import regex

from scrubber.detectors.base import Example, PatternDetector, compile_pattern
from scrubber.detectors.checksums import base58check_payload, segwit_ok

PATTERN = compile_pattern(
    r"""
    (?<![\w])
    (?P<id>
      (?P<b58>[13][1-9A-HJ-NP-Za-km-z]{25,34})              # base58check: P2PKH 1..., P2SH 3... (mainnet)
    | (?P<bech>(?:bc|tb|BC|TB)1[02-9ac-hj-np-zAC-HJ-NP-Z]{6,87})  # bech32 / bech32m segwit
    | (?P<eth>0x[0-9a-fA-F]{40})                           # Ethereum account
    )
    (?![\w])
    """
)

_B58_VERSIONS = frozenset({0x00, 0x05})


def validate(match: regex.Match[str], text: str) -> tuple[int, int] | None:
    span = (int(match.start("id")), int(match.end("id")))
    if match.group("b58"):
        payload = base58check_payload(match.group("b58"))
        return span if payload is not None and len(payload) == 21 and payload[0] in _B58_VERSIONS else None
    if match.group("bech"):
        return span if segwit_ok(match.group("bech")) else None
    return span


DETECTOR = PatternDetector(
    name="CRYPTO_WALLET",
    pattern=PATTERN,
    validate=validate,
    trigger=r"\b[13][1-9A-HJ-NP-Za-km-z]{25}|(?:bc|tb)1[02-9ac-hj-np-z]{6}|0x[0-9a-fA-F]{40}",
    trigger_caseless=False,
    max_len=90,
    priority=85,
    examples=(
        Example("send to 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2 please", ("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",)),
        Example(
            "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq or 3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
            ("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"),
        ),
        Example("eth 0x52908400098527886E0F7030069857D2E4169EE7.", ("0x52908400098527886E0F7030069857D2E4169EE7",)),
        Example("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3 bad checksum; bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdx", ()),
    ),
)
