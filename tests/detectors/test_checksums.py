"""The hand-written validators (checksums, VIN check digit) against python-stdnum and the standards."""

from __future__ import annotations

import random
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import bitcoin, iban, imei, luhn
from stdnum.iso7064 import mod_97_10

from scrubber.detectors import checksums as cs
from scrubber.detectors.finance import IBAN_LENGTHS
from scrubber.detectors.vehicle import check_digit_ok
from tests.eval.corpus import _base58check, _bech32_encode


@given(st.text(alphabet=string.digits, min_size=1, max_size=25))
def test_luhn_matches_stdnum(digits):
    assert cs.luhn_ok(digits) == luhn.is_valid(digits)


@given(st.text(alphabet=string.digits, min_size=14, max_size=14))
def test_luhn_completion_matches_stdnum_imei(body):
    full = body + luhn.calc_check_digit(body)
    assert cs.luhn_ok(full) and imei.is_valid(full)
    wrong = full[:-1] + str((int(full[-1]) + 1) % 10)
    assert not cs.luhn_ok(wrong) and not imei.is_valid(wrong)


@given(st.text(alphabet=string.digits + string.ascii_uppercase, min_size=1, max_size=40))
def test_mod97_matches_stdnum(value):
    assert cs.mod97_ok(value) == mod_97_10.is_valid(value)


def _iban_strings(rng: random.Random, count: int) -> list[str]:
    out = []
    countries = sorted(IBAN_LENGTHS)
    for _ in range(count):
        country = rng.choice(countries)
        bban = "".join(rng.choice(string.digits) for _ in range(IBAN_LENGTHS[country] - 4))
        check = mod_97_10.calc_check_digits(bban + country)
        out.append(country + check + bban)
        out.append(country + f"{(int(check) + rng.randint(1, 96)) % 97:02d}" + bban)
    return out


def test_iban_matches_stdnum_on_valid_and_corrupted_numbers():
    for value in _iban_strings(random.Random(3), 400):
        # stdnum.iban also checks the BBAN structure per country; mod 97 is what both must agree on.
        assert cs.iban_ok(value) == mod_97_10.is_valid(value[4:] + value[:4])
        if iban.is_valid(value):
            assert cs.iban_ok(value)


def test_bitcoin_base58_and_bech32_match_stdnum():
    """stdnum.bitcoin knows base58check and bech32 (segwit v0); bech32m (v1, taproot) is checked below."""
    rng = random.Random(5)
    for _ in range(100):
        for address in (
            _base58check(bytes([rng.choice((0, 5))]) + rng.randbytes(20)),
            _bech32_encode("bc", 0, rng.randbytes(20)),
            _bech32_encode("bc", 0, rng.randbytes(32)),
        ):
            assert bitcoin.is_valid(address), address
            ours = cs.segwit_ok(address) if address.startswith("bc1") else cs.base58check_payload(address) is not None
            assert ours, address
            position = rng.randrange(4, len(address))
            replacement = rng.choice("23456789" if address.startswith("bc1") else "ABCDEFGHJK")
            broken = address[:position] + replacement + address[position + 1 :]
            if broken != address:
                ours_broken = (
                    cs.segwit_ok(broken) if broken.startswith("bc1") else cs.base58check_payload(broken) is not None
                )
                assert ours_broken == bitcoin.is_valid(broken), broken


@pytest.mark.parametrize(
    ("address", "ok"),
    [  # BIP-350 / BIP-86 vectors
        ("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0", True),
        ("BC1SW50QGDZ25J", True),
        ("bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs", True),
        ("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj1", False),
        ("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", True),  # v0 with bech32
        ("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh", False),  # v0 with the bech32m constant
    ],
)
def test_bech32m_vectors(address, ok):
    assert cs.segwit_ok(address) is ok


@settings(max_examples=200)
@given(st.text(alphabet="0123456789ABCDEFGHJKLMNPRSTUVWXYZ", min_size=17, max_size=17))
def test_vin_check_digit_is_iso_3779(vin):
    from stdnum import exceptions  # noqa: F401  (stdnum has no VIN module; a direct computation instead)

    weights = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
    values = {
        **{str(d): d for d in range(10)},
        **dict(
            zip(
                "ABCDEFGHJKLMNPRSTUVWXYZ",
                (1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 7, 9, 2, 3, 4, 5, 6, 7, 8, 9),
                strict=True,
            )
        ),
    }
    remainder = sum(values[c] * w for c, w in zip(vin, weights, strict=True)) % 11
    assert check_digit_ok(vin) == (vin[8] == ("X" if remainder == 10 else str(remainder)))


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("AB123456C", True),
        ("JG103759A", True),
        ("QQ123456C", False),
        ("BG123456A", False),
        ("AB123456E", False),
        ("DA123456A", False),
        ("AO123456A", False),
        ("AB12345C", False),
    ],
)
def test_nino_rules(value, ok):
    assert cs.nino_ok(value) is ok


def test_hetu_agrees_with_stdnum_on_the_old_century_signs_and_takes_the_new_ones():
    import random

    from stdnum.fi import hetu

    rng = random.Random(5)
    for _ in range(3000):
        value = f"{rng.randrange(1, 29):02d}{rng.randrange(1, 13):02d}{rng.randrange(100):02d}"
        value += rng.choice("+-A") + f"{rng.randrange(2, 900):03d}" + rng.choice("0123456789ABCDEFHJKLMNPRSTUVWXY")
        assert cs.hetu_ok(value) is hetu.is_valid(value), value
    # The 2023 signs: the same number with Y (1900s) or B (2000s) in place of - or A keeps its check character.
    assert cs.hetu_ok("131052Y308T") and cs.hetu_ok("010594Y9021")
    assert not cs.hetu_ok("131052Y308U") and not cs.hetu_ok("131052G308T")
