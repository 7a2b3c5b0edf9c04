"""truncate_ip: the network part of IPv4 and IPv6 addresses (ports, brackets, zones, mapped), near misses."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scrubber.operators.base import Invalid
from scrubber.operators.truncate_ip import truncate_address
from tests.operators.helpers import make

IP_CASES = [
    ("203.0.113.7", "203.0.113.0"),
    ("203.0.113.7:51234", "203.0.113.0"),
    (" 10.1.2.3 ", "10.1.2.0"),
    ("255.255.255.255", "255.255.255.0"),
    ("0.0.0.0", "0.0.0.0"),
    ("2001:db8:abcd:12ff::1", "2001:db8:abcd:1200::"),
    ("[2001:db8::1]:443", "2001:db8::"),
    ("[2001:db8:1:2:3:4:5:6]", "2001:db8:1::"),
    ("::ffff:203.0.113.7", "203.0.113.0"),
    ("fe80::1%eth0", "fe80::"),
    ("::1", "::"),
    ("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::"),
]
IP_INVALID = [
    "",
    "not an ip",
    "256.1.1.1",
    "1.2.3",
    "1.2.3.4.5",
    "01.2.3.4",
    "1.2.3.4:port",
    "[2001:db8::1",
    "2001:db8::g",
    "１.２.３.４",
    "1.2.3.4, 5.6.7.8",
    "http://1.2.3.4/",
]


@pytest.mark.parametrize(("value", "expected"), IP_CASES)
def test_truncate_ip(ctx, value, expected):
    assert make(ctx, op="truncate_ip")(value) == expected


@pytest.mark.parametrize("value", IP_INVALID)
def test_truncate_ip_rejects(ctx, value):
    with pytest.raises(Invalid):
        make(ctx, op="truncate_ip")(value)


@pytest.mark.parametrize("value", [12345, None, 1.5, ["1.2.3.4"], {"ip": "1.2.3.4"}, True])
def test_truncate_ip_wrong_types(ctx, value):
    with pytest.raises(Invalid):
        make(ctx, op="truncate_ip")(value)


def test_truncate_ip_forwarded_for_lists(ctx):
    assert make(ctx, op="truncate_ip", multiple="first")("203.0.113.7, 10.0.0.1") == "203.0.113.0"
    assert make(ctx, op="truncate_ip", multiple="last")("203.0.113.7, [2001:db8::1]:80") == "2001:db8::"


@given(st.ip_addresses())
def test_truncate_ip_matches_ipaddress_and_is_idempotent(address):
    once = truncate_address(str(address))
    prefix = 24 if address.version == 4 else 56
    if address.version == 6 and address.ipv4_mapped is not None:
        address, prefix = address.ipv4_mapped, 24
    expected = ipaddress.ip_network((address, prefix), strict=False).network_address
    assert once == str(expected)
    assert truncate_address(once) == once


@given(st.ip_addresses(), st.integers(0, 32), st.integers(0, 128))
def test_truncate_ip_masks_like_ip_network_at_any_prefix(address, v4_prefix, v6_prefix):
    # The integer mask behind truncate_address must give what ipaddress.ip_network gives.
    got = truncate_address(str(address), v4_prefix, v6_prefix)
    if address.version == 6 and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    prefix = v4_prefix if address.version == 4 else v6_prefix
    assert got == str(ipaddress.ip_network((address, prefix), strict=False).network_address)
