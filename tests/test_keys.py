"""Key loading: sources, refusals, and that key bytes never show up in messages or reprs."""

from __future__ import annotations

import secrets

import pytest

from scrubber import Scrubber
from scrubber.errors import KeyMaterialError
from scrubber.keys import load_key, make_key

CANARY = "c4a7e2f19b3d5860a1e9c7b52f4d8a3e6b0c9d1f2e5a7b4c8d3f6e9a0b2c5d7e"


def test_key_file_hex(tmp_path):
    path = tmp_path / "k"
    path.write_text(CANARY + "\n")
    path.chmod(0o600)
    key = load_key(key_file=path)
    assert key.material == bytes.fromhex(CANARY)
    assert len(key.key_id) == 16 and key.key_id not in CANARY


def test_key_from_env(monkeypatch):
    monkeypatch.setenv("MY_KEY", CANARY)
    assert load_key(key_env="MY_KEY").material == bytes.fromhex(CANARY)
    monkeypatch.setenv("SCRUBBER_KEY", CANARY)
    assert load_key().material == bytes.fromhex(CANARY)


def test_missing_env_key_says_how_to_fix(monkeypatch):
    monkeypatch.delenv("SCRUBBER_KEY", raising=False)
    with pytest.raises(KeyMaterialError, match="SCRUBBER_KEY is not set"):
        load_key()


@pytest.mark.parametrize("text", [CANARY[:62], CANARY[:20], "zz" * 32, ""])
def test_short_or_malformed_keys_are_refused_without_echo(tmp_path, text):
    path = tmp_path / "k"
    path.write_text(text)
    path.chmod(0o600)
    with pytest.raises(KeyMaterialError) as info:
        load_key(key_file=path)
    if text:
        assert text not in str(info.value)
        assert text[:16] not in str(info.value)


def test_unreadable_key_file(tmp_path):
    with pytest.raises(KeyMaterialError, match="cannot read key file"):
        load_key(key_file=tmp_path / "missing")


@pytest.mark.parametrize("material", [bytes(32), b"\x01" * 32, b"0123456" * 4 + b"0123"])
def test_weak_keys_refused_unless_allowed(material):
    with pytest.raises(KeyMaterialError, match="test or placeholder"):
        make_key(material)
    assert make_key(material, allow_weak=True).material == material


def test_scrubber_refuses_short_key():
    with pytest.raises(KeyMaterialError, match="exactly 32 bytes"):
        Scrubber.from_catalogue("strict", key=secrets.token_bytes(16))


def test_key_repr_hides_material():
    key = make_key(bytes.fromhex(CANARY))
    for text in (repr(key), str(key), f"{key}", repr([key])):
        assert CANARY not in text and bytes.fromhex(CANARY).hex() not in text


def test_only_one_source(tmp_path, monkeypatch):
    with pytest.raises(KeyMaterialError, match="only one"):
        load_key(key_file=tmp_path / "k", key_env="X")


def test_unknown_secret_scheme():
    with pytest.raises(KeyMaterialError, match="unknown secret URI"):
        load_key(secret="vault://x")


# --- key rings ----------------------------------------------------------------------------------

RETIRED = "3b9e17c4d2a85f60e1c7b4a92d5f8e03c6a1b7d4e9f2c5a8b0d3e6f9a2c4b7d1"


def test_a_ring_holds_the_current_key_first_and_the_retired_after(tmp_path):
    from scrubber.keys import key_id_of, load_key_ring

    path = tmp_path / "ring"
    path.write_text(f"# rotated 2026-11\n{CANARY}\n\n{RETIRED}  # until 2026-11\n")
    path.chmod(0o600)
    ring = load_key_ring(key_file=path)
    assert ring.current.material == bytes.fromhex(CANARY)
    assert [k.material for k in ring.retired] == [bytes.fromhex(RETIRED)]
    retired_id = key_id_of(bytes.fromhex(RETIRED))
    assert ring.status_of(ring.current.key_id) == "current"
    assert ring.status_of(retired_id) == "retired"
    assert ring.status_of("0" * 16) == "unknown"
    assert ring.by_id(retired_id).material == bytes.fromhex(RETIRED)
    assert load_key(key_file=path).material == bytes.fromhex(CANARY)  # a run writes with the current key
    assert CANARY not in repr(ring) and RETIRED not in repr(ring)


def test_an_unknown_key_id_names_the_ids_of_the_ring(tmp_path):
    from scrubber.keys import load_key_ring

    path = tmp_path / "ring"
    path.write_text(f"{CANARY}\n{RETIRED}\n")
    path.chmod(0o600)
    ring = load_key_ring(key_file=path)
    with pytest.raises(KeyMaterialError) as info:
        ring.by_id("feedfacefeedface")
    message = str(info.value)
    assert "unknown key id 'feedfacefeedface'" in message and all(i in message for i in ring.key_ids)
    assert CANARY not in message and RETIRED not in message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (f"{CANARY}\n{CANARY}\n", "line 2: the same key is in the ring twice"),
        (f"{CANARY}\n{RETIRED[:60]}\n", "line 2: expected 64 hex characters"),
        (f"{CANARY}\n{'00' * 32}\n", "line 2: the key looks like a test or placeholder key"),
    ],
)
def test_a_bad_line_in_a_ring_is_refused_by_line_number(tmp_path, text, message):
    from scrubber.keys import load_key_ring

    path = tmp_path / "ring"
    path.write_text(text)
    path.chmod(0o600)
    with pytest.raises(KeyMaterialError, match=message) as info:
        load_key_ring(key_file=path)
    assert RETIRED[:20] not in str(info.value) and CANARY[:20] not in str(info.value)


def test_a_ring_in_an_environment_variable(monkeypatch):
    from scrubber.keys import load_key_ring

    monkeypatch.setenv("RING", f"{CANARY} {RETIRED}".replace(" ", "\n"))
    assert len(load_key_ring(key_env="RING").keys) == 2
