"""Per-field explanation of what a catalogue does to one record. Input values are masked."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scrubber.core import Scrubber
from scrubber.errors import RecordRejected
from scrubber.operators import DROP, Invalid, RecordScope
from scrubber.plan import Leaf, MapNode, Node, SelectNode, Walker


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


class _Explainer(Walker):
    """Runs each leaf's operator on its input value and records what happened, per field."""

    def __init__(self, scrubber: Scrubber, record: Any) -> None:
        self.scrubber = scrubber
        self.scope = RecordScope(record=record, detector_counts={})
        self.steps: list[Step] = []

    def on_leaf(self, leaf: Leaf, value: Any, path: str) -> None:
        catalogue = self.scrubber.catalogue
        rule = catalogue.model.rules[leaf.rule]
        label = f"{rule.op} (line {catalogue.line_of(leaf.rule)})"
        try:
            result = self.scrubber.plan.transforms[leaf.rule](value, self.scope)
        except Invalid as exc:
            action = "record rejected" if leaf.reject else "field dropped"
            self.steps.append(Step(path, label, f"invalid ({exc.reason}): {action}; input {mask(value)}"))
            return
        if result is DROP:
            self.steps.append(Step(path, label, f"dropped{': ' + rule.why if rule.why else ''}"))
        else:
            self.steps.append(Step(path, label, f"{mask(value)} -> {result!r}"[:200]))

    def on_no_rule(self, value: Any, path: str) -> None:
        self.steps.append(Step(path, "(no rule)", f"dropped by default deny; input {mask(value)}"))

    def on_null(self, node: Node, path: str) -> None:
        self.steps.append(Step(path, "(null)", "null means absent here: no output"))

    def on_wrong_shape(self, node: Node, value: Any, path: str, expected: str) -> None:
        self.steps.append(Step(path or "(record)", "(structure)", f"expected {expected}, got {mask(value)}"))

    def on_parsed(self, node: MapNode, value: Any, path: str) -> None:
        self.steps.append(Step(path, f"(parsed as {node.parse})", f"{mask(value)} split into parts"))

    def on_unlisted(self, root: SelectNode, record: Any) -> None:
        listed = ", ".join(repr(value) for value in root.values)
        self.steps.append(Step(root.field, "(select)", f"no case lists this value (cases: {listed}): record rejected"))


def explain(scrubber: Scrubber, record: Any) -> tuple[list[Step], dict[str, Any] | None, str | None]:
    """The steps per field, the output (None if rejected) and the rejection reason."""
    explainer = _Explainer(scrubber, record)
    if isinstance(record, dict):
        explainer.walk_root(scrubber.plan.root, record)
    try:
        return explainer.steps, scrubber.scrub(record), None
    except RecordRejected as exc:
        return explainer.steps, None, str(exc)
