"""Fast check-digit validators used on candidates: Luhn, ISO 7064 mod 97-10 (IBAN), base58check, bech32.

Each is tested against python-stdnum (tests/detectors/test_checksums.py); they exist because the stdnum versions
normalise and raise, which costs more than the candidates are worth on the hot path.
"""

from __future__ import annotations

import hashlib

_LUHN_DOUBLE = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)


def luhn_ok(digits: str) -> bool:
    """True if a string of ASCII digits passes the Luhn check (the last digit is the check digit)."""
    total = 0
    double = False
    for ch in reversed(digits):
        d = ord(ch) - 48
        if d < 0 or d > 9:
            return False
        total += _LUHN_DOUBLE[d] if double else d
        double = not double
    return bool(digits) and total % 10 == 0


def mod97_ok(alnum: str) -> bool:
    """ISO 7064 mod 97-10 on a string of digits and letters (letters count A=10 .. Z=35)."""
    total = 0
    for ch in alnum:
        if "0" <= ch <= "9":
            total = (total * 10 + ord(ch) - 48) % 97
        elif "A" <= ch <= "Z":
            total = (total * 100 + ord(ch) - 55) % 97
        else:
            return False
    return bool(alnum) and total == 1


def iban_ok(compact: str) -> bool:
    """An upper-case IBAN without spaces: country letters, two check digits and mod 97 == 1."""
    if len(compact) < 15 or len(compact) > 34 or not compact[:2].isalpha() or not compact[2:4].isdigit():
        return False
    return mod97_ok(compact[4:] + compact[:4])


_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {ch: i for i, ch in enumerate(_B58)}


def base58check_payload(value: str) -> bytes | None:
    """The decoded payload (version byte + hash) if ``value`` is valid base58check, else None."""
    number = 0
    for ch in value:
        index = _B58_INDEX.get(ch)
        if index is None:
            return None
        number = number * 58 + index
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    raw = b"\0" * (len(value) - len(value.lstrip("1"))) + raw
    if len(raw) < 5:
        return None
    payload, check = raw[:-4], raw[-4:]
    if hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4] != check:
        return None
    return payload


_BECH32_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32_INDEX = {ch: i for i, ch in enumerate(_BECH32_CHARSET)}
_BECH32_GEN = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
BECH32_CONST = 1
BECH32M_CONST = 0x2BC830A3


def _polymod(values: list[int]) -> int:
    chk = 1
    for value in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ value
        for i in range(5):
            if (top >> i) & 1:
                chk ^= _BECH32_GEN[i]
    return chk


def bech32_decode(value: str) -> tuple[str, list[int], int] | None:
    """(hrp, data without checksum, constant) if ``value`` is bech32 or bech32m (BIP-173/350), else None."""
    if value.lower() != value and value.upper() != value:
        return None
    value = value.lower()
    sep = value.rfind("1")
    if sep < 1 or sep + 7 > len(value) or len(value) > 90:
        return None
    hrp = value[:sep]
    data: list[int] = []
    for ch in value[sep + 1 :]:
        index = _BECH32_INDEX.get(ch)
        if index is None:
            return None
        data.append(index)
    expanded = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    const = _polymod(expanded + data)
    if const not in (BECH32_CONST, BECH32M_CONST):
        return None
    return hrp, data[:-6], const


def segwit_ok(value: str) -> bool:
    """A Bitcoin segwit address (bc1 / tb1): valid bech32 for v0, bech32m for v1+, and a sane program length."""
    decoded = bech32_decode(value)
    if decoded is None:
        return False
    hrp, data, const = decoded
    if hrp not in ("bc", "tb") or not data:
        return False
    version = data[0]
    if version > 16 or (version == 0) != (const == BECH32_CONST):
        return False
    bits = len(data[1:]) * 5 // 8
    if version == 0:
        return bits in (20, 32)
    return 2 <= bits <= 40


def nino_ok(compact: str) -> bool:
    """UK National Insurance number: two prefix letters with HMRC's exclusions, six digits, suffix A-D."""
    if len(compact) != 9 or not compact[2:8].isdigit() or compact[8] not in "ABCD":
        return False
    first, second = compact[0], compact[1]
    if not (first.isalpha() and second.isalpha()) or first in "DFIQUV" or second in "DFIOQUV":
        return False
    return compact[:2] not in ("BG", "GB", "NK", "KN", "TN", "NT", "ZZ")


_HETU_CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"
_HETU_CENTURY = {"+": 1800, "-": 1900, "Y": 1900, "X": 1900, "W": 1900, "V": 1900, "U": 1900}
_HETU_CENTURY.update(dict.fromkeys("ABCDEF", 2000))


def hetu_ok(value: str) -> bool:
    """Finnish henkilötunnus DDMMYY C NNN K, with the century signs of 2023 (Y-U for the 1900s, B-F for the
    2000s) that python-stdnum 2.2 does not know yet; for the old signs it agrees with stdnum.fi.hetu."""
    value = value.upper()
    if len(value) != 11 or value[6] not in _HETU_CENTURY or not (value[:6] + value[7:10]).isdigit():
        return False
    day, month = int(value[:2]), int(value[2:4])
    if not (1 <= day <= 31 and 1 <= month <= 12) or int(value[7:10]) < 2:
        return False
    return _HETU_CHECK[int(value[:6] + value[7:10]) % 31] == value[10]
