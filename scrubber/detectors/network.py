"""Network and device addresses: MAC (colon, dash and Cisco dotted forms), UUID/GUID, IPv4 and IPv6."""

from __future__ import annotations

import ipaddress

import regex

from scrubber.detectors.base import Example, PatternDetector, compile_pattern, context_words, has_context

MAC_PATTERN = compile_pattern(
    r"""
    (?<![\w:.-])
    (?P<id>
      [0-9A-Fa-f]{2}(?P<sep>[:-])          # first octet and the separator it uses
      (?:[0-9A-Fa-f]{2}(?P=sep)){4}        # four more octets, same separator
      [0-9A-Fa-f]{2}                       # last octet
    |
      [0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}   # Cisco dotted form aaaa.bbbb.cccc
    )
    (?![\w]|[:.-][0-9A-Fa-f])
    """
)

MAC = PatternDetector(
    name="MAC",
    pattern=MAC_PATTERN,
    trigger=r"[0-9A-Fa-f]{2}[:-][0-9A-Fa-f]{2}[:-][0-9A-Fa-f]{2}[:-][0-9A-Fa-f]{2}|[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}",
    max_len=17,
    priority=80,
    examples=(
        Example("wlan0 ether 3c:22:fb:0a:1b:2c up", ("3c:22:fb:0a:1b:2c",)),
        Example("MAC 00-1A-2B-3C-4D-5E, Cisco 001a.2b3c.4d5e", ("00-1A-2B-3C-4D-5E", "001a.2b3c.4d5e")),
        Example("at 10:15:02 mixed 00:1A-2B:3C-4D:5E", ()),
    ),
)

UUID_PATTERN = compile_pattern(
    r"""
    (?<![\w-])
    (?P<id>
      \{[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}  # braced GUID
    |
      [0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}      # 8-4-4-4-12 hex
    )
    (?![\w-])
    """
)


UUID = PatternDetector(
    name="UUID",
    pattern=UUID_PATTERN,
    trigger=r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}",
    max_len=38,
    priority=90,
    examples=(
        Example("request 123e4567-e89b-12d3-a456-426614174000 failed", ("123e4567-e89b-12d3-a456-426614174000",)),
        Example("GUID {6F9619FF-8B86-D011-B42D-00C04FC964FF}", ("{6F9619FF-8B86-D011-B42D-00C04FC964FF}",)),
        Example("sha 9b2f4c1d8e7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c and 123e4567-e89b-12d3-a456", ()),
    ),
)

IPV4_PATTERN = compile_pattern(
    r"""
    (?<![\w.]|\d\.)                             # not inside a longer dotted number or word
    (?P<id>
      (?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)       # first octet
      (?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}  # three more
    )
    (?![\w]|\.\d)                               # not followed by a fifth part
    """
)

VERSION_WORDS = context_words("v", "version", "ver", "release", "build", "firmware", "fw", "os", "android", "ios")
_VERSION_BEFORE = regex.compile(r"\b(?:[vV]|[vV]ersion|[vV]er\.?)\s*\Z")


def validate_ipv4(match: regex.Match[str], text: str) -> tuple[int, int] | None:
    start, end = match.span("id")
    if _VERSION_BEFORE.search(text, max(0, start - 10), start) or has_context(text, start, VERSION_WORDS, 12):
        return None
    return start, end


IPV4 = PatternDetector(
    name="IPV4",
    kind="IP",
    pattern=IPV4_PATTERN,
    validate=validate_ipv4,
    trigger=r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}",
    max_len=15,
    priority=75,
    examples=(
        Example("client 203.0.113.7:51234 connected", ("203.0.113.7",)),
        Example("from 10.0.0.1, 192.168.1.254.", ("10.0.0.1", "192.168.1.254")),
        Example("Server 10.20.30.40 is down", ("10.20.30.40",)),
        Example("version 1.2.3.4, v10.0.0.1, 256.1.1.1, 1.2.3.4.5 and 999.1.1.1", ()),
    ),
)

IPV6_PATTERN = compile_pattern(
    r"""
    (?<![\w:.])                                 # not inside a word or longer address
    (?P<id>
      (?:[0-9A-Fa-f]{1,4}:|::?){1,8}            # hextets and the '::' compression
      (?:[0-9A-Fa-f]{1,4}                       # last hextet ...
        |(?:\d{1,3}\.){3}\d{1,3}                # ... or an embedded IPv4 address
      )?
      (?:%[\w.]{1,16})?                         # optional zone id (fe80::1%eth0)
    )
    (?![\w:]|\.\d)
    """
)


def validate_ipv6(match: regex.Match[str], text: str) -> tuple[int, int] | None:
    start, end = match.span("id")
    value = match.group("id")
    address = value.split("%", 1)[0]
    if address.endswith(":") and not address.endswith("::"):
        address = address[:-1]
        end = start + len(address)
    if address.count(":") < 2 or sum(ch not in ":." for ch in address) < 4:
        return None
    try:
        ipaddress.IPv6Address(address)
    except ValueError:
        return None
    if "%" in value and address == value.split("%", 1)[0]:
        return start, end
    return start, start + len(address)


IPV6 = PatternDetector(
    name="IPV6",
    kind="IP",
    pattern=IPV6_PATTERN,
    validate=validate_ipv6,
    trigger=r"[0-9A-Fa-f]{0,4}:[0-9A-Fa-f]{0,4}:[0-9A-Fa-f.]*",
    max_len=64,
    priority=74,
    examples=(
        Example(
            "peer [2001:db8::1]:443 and 2001:0db8:85a3:0000:0000:8a2e:0370:7334",
            ("2001:db8::1", "2001:0db8:85a3:0000:0000:8a2e:0370:7334"),
        ),
        Example(
            "mapped ::ffff:192.0.2.128, link fe80::1ff:fe23:4567:890a%eth0",
            ("::ffff:192.0.2.128", "fe80::1ff:fe23:4567:890a%eth0"),
        ),
        Example("std::vector at 10:15:02, a::b, MAC 3c:22:fb:0a:1b:2c", ()),
    ),
)

DETECTORS = (MAC, UUID, IPV4, IPV6)
