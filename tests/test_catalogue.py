"""Catalogue loading: profiles by name, and broken catalogues with their exact error text."""

from __future__ import annotations

import textwrap

import pytest

from scrubber import Scrubber
from scrubber.catalogue import available_profiles, load_catalogue, parse_catalogue
from scrubber.errors import CatalogueError


def check(tmp_path, test_key, body: str) -> str:
    path = tmp_path / "broken.yaml"
    path.write_text(textwrap.dedent(body))
    with pytest.raises(CatalogueError) as info:
        Scrubber.from_catalogue(path, key=test_key)
    return str(info.value)


def test_profiles_load_by_name(test_key):
    assert {"strict", "pseudonymous"} <= set(available_profiles())
    for name in ("strict", "pseudonymous"):
        assert Scrubber.from_catalogue(name, key=test_key).name == name


def test_unknown_profile_suggests(test_key):
    with pytest.raises(CatalogueError, match="Did you mean 'strict'"):
        Scrubber.from_catalogue("strikt", key=test_key)


def test_unknown_parameter_names_file_line_and_fix(tmp_path, test_key):
    message = check(
        tmp_path,
        test_key,
        """\
        catalogue: t
        rules:
          - field: ts
            op: epoch_second
          - field: client.ip
            op: truncate_ip
            v4_prefx: 24
        """,
    )
    assert message.startswith(f"{tmp_path / 'broken.yaml'}:7: rules[1] (field client.ip, op truncate_ip)")
    assert "truncate_ip has no parameter 'v4_prefx'. Did you mean 'v4_prefix'?" in message
    assert "Example: - {field: client.ip, op: truncate_ip" in message


def test_unknown_operator(tmp_path, test_key):
    message = check(
        tmp_path,
        test_key,
        """\
        catalogue: t
        rules:
          - {field: user_id, op: hash, namespace: user}
        """,
    )
    assert ":3: rules[0] (field user_id, op hash): 'op' must be one of: keep, drop, pseudonymize" in message


def test_wrong_parameter_type(tmp_path, test_key):
    message = check(
        tmp_path,
        test_key,
        """\
        catalogue: t
        rules:
          - field: status
            op: int_range
            min: one hundred
            max: 599
        """,
    )
    assert ":5: rules[0] (field status, op int_range): parameter 'min'" in message
    assert "valid integer" in message


def test_out_of_range_parameter(tmp_path, test_key):
    message = check(
        tmp_path,
        test_key,
        """\
        catalogue: t
        rules:
          - {field: client.ip, op: truncate_ip, v6_prefix: 200}
        """,
    )
    assert ":3: rules[0] (field client.ip, op truncate_ip): parameter 'v6_prefix'" in message
    assert "less than or equal to 128" in message


def test_missing_required_parameter(tmp_path, test_key):
    message = check(
        tmp_path,
        test_key,
        """\
        catalogue: t
        rules:
          - {field: user_id, op: pseudonymize}
        """,
    )
    assert "parameter 'namespace': Field required" in message


def test_key_in_catalogue_is_rejected(tmp_path, test_key):
    message = check(
        tmp_path,
        test_key,
        """\
        catalogue: t
        key: 8f2a1c9e4b7d3f60a5e8c1b29d4f7a36e0b5c8d2f1a4e7b9c3d6f0a2e5b8c1d4
        rules:
          - {field: ts, op: epoch_second}
        """,
    )
    assert ":2: key: unknown key. A catalogue takes:" in message
    assert "8f2a1c9e" not in message


def test_duplicate_rule_for_a_field(tmp_path, test_key):
    message = check(
        tmp_path,
        test_key,
        """\
        catalogue: t
        rules:
          - {field: ts, op: epoch_second}
          - {field: ts, op: drop}
        """,
    )
    assert "broken.yaml:4: rule for 'ts': 'ts' already has a rule at" in message
    assert "broken.yaml:3" in message


def test_leaf_and_children_conflict(tmp_path, test_key):
    message = check(
        tmp_path,
        test_key,
        """\
        catalogue: t
        rules:
          - {field: client, op: drop}
          - {field: client.ip, op: truncate_ip}
        """,
    )
    assert "broken.yaml:4: rule for 'client.ip': 'client' has a rule of its own at" in message


def test_duplicate_yaml_key(tmp_path, test_key):
    message = check(
        tmp_path,
        test_key,
        """\
        catalogue: t
        rules:
          - field: ts
            op: epoch_second
            op: drop
        """,
    )
    assert "broken.yaml:5: the key 'op' appears twice" in message


def test_bad_selector(tmp_path, test_key):
    message = check(
        tmp_path,
        test_key,
        """\
        catalogue: t
        rules:
          - {field: 'messages[0].content', op: scan_text}
        """,
    )
    assert "malformed selector" in message and "broken.yaml:3" in message


def test_not_yaml(tmp_path, test_key):
    message = check(tmp_path, test_key, "catalogue: t\nrules: [\n")
    assert "not valid YAML" in message


def test_empty_rules_fail_closed(tmp_path, test_key):
    assert "'rules' is empty" in check(tmp_path, test_key, "catalogue: t\nrules: []\n")


def test_unknown_detector(tmp_path, test_key):
    message = check(
        tmp_path,
        test_key,
        """\
        catalogue: t
        rules:
          - {field: prompt, op: scan_text, detectors: [EMAIL, NOPE]}
        """,
    )
    assert "unknown detector(s) NOPE" in message


def test_digest_changes_with_content():
    one = parse_catalogue("catalogue: a\nrules: [{field: ts, op: epoch_second}]\n", "a")
    two = parse_catalogue("catalogue: a\nrules: [{field: ts, op: drop}]\n", "a")
    assert one.digest != two.digest and one.rule_lines == (2,)


def test_bundled_catalogues_name_every_seed_class():
    """A reviewer must find each identifier class of the seed list decided in the catalogue."""
    text = " ".join(f"{r.field} {r.why}".lower() for r in load_catalogue("pseudonymous").model.rules)
    classes = [
        "mac",
        "imei",
        "imei-sv",
        "bluetooth",
        "bssid",
        "rfid",
        "vin",
        "printer",
        "smart-meter",
        "drone",
        "pacemaker",
        "insulin-pump",
        "e-reader",
        "console",
        "set-top-box",
        "watch",
        "tracker",
        "vr",
        "ip-camera",
        "guid",
        "wake-word",
        "iban",
        "bic",
        "sort code",
        "pan",
        "last four",
        "cvv",
        "pin block",
        "emv",
        "wallet token",
        "pan token",
        "crypto wallet",
        "ifsc",
        "ach",
        "expiry",
        "cardholder",
        "consent",
        "open-banking",
        "bnpl",
        "virtual-card",
        "loyalty",
        "msisdn",
        "imsi",
        "tmsi",
        "suci",
        "guti",
        "sip uri",
        "x-msisdn",
        "p-asserted-identity",
        "diversion",
        "call-id",
        "skype",
        "whatsapp",
        "viber",
        "telegram",
        "signal",
        "threema",
        "wechat",
        "line",
        "teams",
        "slack",
        "matrix",
        "discord",
        "zoom",
        "webex",
        "jitsi",
        "user_agent",
        "os_build",
        "gpu",
        "battery",
        "screen",
        "timezone",
        "fonts",
        "canvas",
        "webgl",
        "audio",
        "cpu_cores",
        "device_memory",
        "touch_points",
        "language",
        "dnt",
        "sec_ch_ua",
        "tls_cipher",
        "ja3",
        "ja4",
        "hsts",
        "dns_resolver",
        "cdn_pop",
        "referrer",
        "utm_",
        "gclid",
        "fbclid",
        "msclkid",
        "dclid",
        "twclid",
        "li_fat_id",
        "mc_cid",
        "_ga",
        "_gid",
        "_gac",
        "_fbp",
        "_fbc",
        "_tt_enable_cookie",
        "_ttp",
        "_rdt_uuid",
        "_pin_unauth",
        "_scid",
        "_sctr",
        "_uetmsclkid",
        "_ym_uid",
        "_ym_d",
        "_hjid",
        "_hjsessionuser",
        "_hjabsolutesessioninprogress",
        "_pk_",
        "forwarded_for",
    ]
    missing = [c for c in classes if c not in text]
    assert not missing, f"classes with no decision in rules/pseudonymous.yaml: {missing}"
