"""The plan's counters: objects whose rules all drop, and unknown fields counted by parent path, never by name."""

from __future__ import annotations

from scrubber import Scrubber


def test_objects_whose_rules_all_drop_are_counted_once(pseudonymous):
    before = dict(pseudonymous.stats.dropped_objects)
    out = pseudonymous.scrub({"ts": 1, "device": {"mac": "00:11:22:33:44:55"}, "payment": "not even an object"})
    assert out == {"ts": 1}
    after = pseudonymous.stats.dropped_objects
    assert after["device"] == before.get("device", 0) + 1 and after["payment"] == before.get("payment", 0) + 1


def test_unknown_fields_are_counted_by_parent_not_name(test_key):
    scrubber = Scrubber.from_catalogue("strict", key=test_key)
    scrubber.scrub({"ts": 1, "alice@example.com": 1, "client": {"ip": "1.2.3.4"}})
    assert scrubber.stats.unknown == {"": 2}
