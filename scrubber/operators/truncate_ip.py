"""truncate_ip: keep only the network part of an IP address (IPv4 /24, IPv6 /56 by default).

Accepts ports ("203.0.113.7:51234", "[2001:db8::1]:443"), zones ("fe80::1%eth0"),
IPv4-mapped IPv6 (treated as IPv4) and, with ``multiple``, X-Forwarded-For lists.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Callable
from typing import Any, Literal

from pydantic import Field

from scrubber.operators.base import (
    BuildContext,
    Invalid,
    Operator,
    OutputCheck,
    RecordScope,
    RuleBase,
    Transform,
    is_ascii_digits,
)


class TruncateIpRule(RuleBase):
    op: Literal["truncate_ip"]
    v4_prefix: int = Field(default=24, ge=0, le=32)
    v6_prefix: int = Field(default=56, ge=0, le=128)
    multiple: Literal["reject", "first", "last"] = "reject"


def _strip_port_and_zone(text: str) -> str:
    if text.startswith("["):
        end = text.find("]")
        if end < 0:
            raise Invalid("unclosed_bracket")
        rest = text[end + 1 :]
        if rest and not (rest.startswith(":") and is_ascii_digits(rest[1:])):
            raise Invalid("bad_port")
        text = text[1:end]
    elif text.count(":") == 1:
        host, _, port = text.partition(":")
        if not is_ascii_digits(port):
            raise Invalid("bad_port")
        text = host
    zone = text.find("%")
    if zone >= 0 and ":" in text:
        text = text[:zone]
    return text


_OCTET = r"(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
# The stdlib engine: about 3x faster than ``regex`` on this simple pattern, which runs once per record.
_DOTTED_QUAD = re.compile(
    rf"""
    {_OCTET}\.{_OCTET}\.{_OCTET}\.{_OCTET}   # canonical dotted quad: no leading zeros, each <= 255
    (?::[0-9]{{1,5}})?                       # optional port
    """,
    re.VERBOSE | re.ASCII,
)


def _fast_ipv4_24(text: str) -> str | None:
    """The /24 network of a canonical dotted-quad IPv4 (port allowed), or None to fall back to ``ipaddress``."""
    match = _DOTTED_QUAD.fullmatch(text)
    return f"{match[1]}.{match[2]}.{match[3]}.0" if match else None


def truncate_address(text: str, v4_prefix: int = 24, v6_prefix: int = 56) -> str:
    """The network address of ``text`` at the given prefix lengths. Raises Invalid."""
    if v4_prefix == 24:
        fast = _fast_ipv4_24(text)
        if fast is not None:
            return fast
    return _network_address(text, v4_prefix, v6_prefix)


@functools.lru_cache(maxsize=4096)
def _network_address(text: str, v4_prefix: int, v6_prefix: int) -> str:
    """``ipaddress`` parses and prints; the host bits are masked off the integer, which gives the same
    address as ``ip_network(..., strict=False).network_address`` at a quarter of the cost. Cached, as
    a client's address recurs across its requests."""
    host = _strip_port_and_zone(text)
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise Invalid("not_an_ip") from None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    bits = address.max_prefixlen
    prefix = v4_prefix if bits == 32 else v6_prefix
    mask = ((1 << prefix) - 1) << (bits - prefix)
    return str(type(address)(int(address) & mask))


def build(rule: TruncateIpRule, ctx: BuildContext) -> Transform:
    v4, v6, multiple = rule.v4_prefix, rule.v6_prefix, rule.multiple

    def truncate_ip(value: Any, scope: RecordScope) -> Any:
        if type(value) is not str:
            raise Invalid(f"expected_string_not_{type(value).__name__}")
        if v4 == 24 and (fast := _fast_ipv4_24(value)) is not None:
            return fast
        text = value.strip()
        if len(text) > 1024:
            raise Invalid("too_long")
        if "," in text:
            if multiple == "reject":
                raise Invalid("list_not_allowed")
            items = [item.strip() for item in text.split(",") if item.strip()]
            if not items:
                raise Invalid("empty_list")
            text = items[0] if multiple == "first" else items[-1]
        return truncate_address(text, v4, v6)

    return truncate_ip


def output_check(rule: TruncateIpRule) -> OutputCheck:
    """Verify checks that an address is already its own network (truncating it again changes nothing)."""
    v4, v6 = rule.v4_prefix, rule.v6_prefix

    def check(value: str, scan: Callable[[str], list[str]]) -> list[str]:
        try:
            same = truncate_address(value.strip(), v4, v6) == value
        except Invalid:
            same = False
        return [] if same else ["ip_not_truncated"]

    return check


OPERATOR = Operator(
    name="truncate_ip",
    rule_model=TruncateIpRule,
    build=build,
    summary="network part of an IP (IPv4 /24, IPv6 /56); ports, zones, brackets, mapped IPv4 accepted",
    example="{field: client.ip, op: truncate_ip, v4_prefix: 24, v6_prefix: 56}",
    output_check=output_check,
)
