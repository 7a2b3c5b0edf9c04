"""The counters of one Scrubber: per rule, per detector, unknown fields per parent path, and records.

Counts only; nothing here changes a result. ``tally`` is the one place a record is counted, and
``records_in`` is derived from it (out + every rejection), so in = out + quarantined holds by construction.
"""

from __future__ import annotations

from typing import Any


class Stats:
    """Counters of one Scrubber. Fields dropped together by name are counted as one set per record and
    expanded to per-rule counts when read."""

    def __init__(self, rule_count: int) -> None:
        # Applications counted one by one (``applied`` adds the drop sets); the extra last slot counts
        # structural steps (objects and lists), so a parent counts every child the same way.
        self.structural_slot = rule_count
        self.direct = [0] * (rule_count + 1)
        self.invalid = [0] * rule_count
        self.unknown: dict[str, int] = {}
        self.detectors: dict[str, int] = {}
        self.rejected: dict[str, int] = {}
        self.records_out = 0
        self._drop_sets: list[tuple[dict[str, int | str], dict[frozenset[str], int]]] = []

    def tally(self, rejection: str | None) -> None:
        """Count one record: published (``None``) or quarantined with the reason code."""
        if rejection is None:
            self.records_out += 1
        else:
            self.rejected[rejection] = self.rejected.get(rejection, 0) + 1

    @property
    def records_in(self) -> int:
        """Every record counted by ``tally``: out plus quarantined."""
        return self.records_out + sum(self.rejected.values())

    def drop_set_counter(self, targets: dict[str, int | str]) -> dict[frozenset[str], int]:
        """A counter for one object's named drops; ``targets`` maps a name to a rule index or object path."""
        counter: dict[frozenset[str], int] = {}
        self._drop_sets.append((targets, counter))
        return counter

    def _expanded(self) -> tuple[list[int], dict[str, int]]:
        applied = list(self.direct)
        objects: dict[str, int] = {}
        for targets, counter in self._drop_sets:
            for names, n in counter.items():
                for name in names:
                    target = targets[name]
                    if isinstance(target, int):
                        applied[target] += n
                    else:
                        objects[target] = objects.get(target, 0) + n
        return applied[:-1], objects

    @property
    def applied(self) -> list[int]:
        """How often each rule (by index) applied."""
        return self._expanded()[0]

    @property
    def dropped_objects(self) -> dict[str, int]:
        """How often each object whose rules all drop was dropped whole, by path."""
        return self._expanded()[1]

    def as_counts(self) -> dict[str, Any]:
        """Every counter as plain data (ints, lists of ints, dicts of ints), for the audit and Beam metrics."""
        applied, objects = self._expanded()
        return {
            "records_in": self.records_in,
            "records_out": self.records_out,
            "applied": applied,
            "invalid": list(self.invalid),
            "unknown": dict(self.unknown),
            "detectors": dict(self.detectors),
            "rejected": dict(self.rejected),
            "dropped_objects": objects,
        }
