"""Per-field explanation of what a catalogue does to one record. Input values are masked."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scrubber.core import Scrubber
from scrubber.errors import RecordRejected
from scrubber.operators import DROP, Invalid, RecordScope
from scrubber.plan import Leaf, ListNode, Node


@dataclass(frozen=True)
class Step:
    path: str
    rule: str
    outcome: str


def mask(value: Any) -> str:
    """A value's type and size, never its content."""
    if isinstance(value, str):
        return f"str[{len(value)}]"
    if isinstance(value, (list, dict)):
        return f"{type(value).__name__}[{len(value)}]"
    return type(value).__name__


def explain(scrubber: Scrubber, record: Any) -> tuple[list[Step], dict[str, Any] | None, str | None]:
    """The steps per field, the output (None if rejected) and the rejection reason."""
    steps: list[Step] = []
    rules = scrubber.catalogue.model.rules
    scope = RecordScope(record=record, detector_counts={})

    def walk(node: Node, value: Any, path: str) -> None:
        if isinstance(node, Leaf):
            rule = rules[node.index]
            label = f"{rule.op} (line {scrubber.catalogue.rule_lines[node.index]})"
            try:
                result = node.transform(value, scope)
            except Invalid as exc:
                action = "record rejected" if node.reject else "field dropped"
                steps.append(Step(path, label, f"invalid ({exc.reason}): {action}; input {mask(value)}"))
                return
            if result is DROP:
                steps.append(Step(path, label, f"dropped{': ' + rule.why if rule.why else ''}"))
            else:
                steps.append(Step(path, label, f"{mask(value)} -> {result!r}"[:200]))
            return
        if isinstance(node, ListNode):
            if not isinstance(value, list):
                steps.append(Step(path, "(structure)", f"expected a list, got {mask(value)}"))
                return
            for i, item in enumerate(value):
                walk(node.item, item, f"{path}[{i}]")
            return
        mapping = node.as_mapping(value)
        if mapping is None:
            steps.append(Step(path or "(record)", "(structure)", f"expected an object, got {mask(value)}"))
            return
        if mapping is not value:
            steps.append(Step(path, f"(parsed as {node.parse})", f"{mask(value)} split into parts"))
        for key, item in mapping.items():
            child, name = node.lookup(key)
            sub = f"{path}.{name}" if path else str(name)
            if child is None:
                steps.append(Step(sub, "(no rule)", f"dropped by default deny; input {mask(item)}"))
            else:
                walk(child, item, sub)

    if isinstance(record, dict):
        walk(scrubber.plan.root, record, "")
    try:
        return steps, scrubber.scrub(record), None
    except RecordRejected as exc:
        return steps, None, str(exc)
