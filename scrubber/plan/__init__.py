"""A catalogue compiled into a plan: the tree (plain data), its closures and its counters.

Executing the plan builds a new record holding only what a rule produced. Unknown keys are counted
per parent path (never by name: a key can itself be personal data).
"""

from __future__ import annotations

from typing import Any

from scrubber.catalogue import LoadedCatalogue
from scrubber.errors import RecordRejected
from scrubber.operators import DROP, OPERATORS, BuildContext, RecordScope, Transform
from scrubber.plan.compile import Compiler
from scrubber.plan.stats import Stats
from scrubber.plan.tree import (
    Leaf,
    ListNode,
    MapNode,
    Node,
    Root,
    SelectNode,
    ShapeNode,
    build_tree,
    case_roots,
    to_data,
)
from scrubber.plan.walk import Walker, output_shape


class Plan:
    """The compiled catalogue. ``run`` turns a raw record into an allow-listed record."""

    def __init__(self, catalogue: LoadedCatalogue, ctx: BuildContext) -> None:
        self.catalogue = catalogue
        model = catalogue.model
        self.root = build_tree(catalogue)
        self.transforms: tuple[Transform, ...] = tuple(OPERATORS[rule.op].build(rule, ctx) for rule in model.rules)
        self.stats = Stats(len(model.rules))
        self._detector_counts = self.stats.detectors
        self._run_root = Compiler(self.transforms, self.stats, model.on_invalid == "reject").compile_root(self.root)

    def run(self, record: Any) -> dict[str, Any]:
        """The scrubbed record. Raises RecordRejected. Counts go to ``self.stats``."""
        if type(record) is not dict:
            raise RecordRejected("not_an_object", "", f"a record must be a JSON object, not {type(record).__name__}")
        result = self._run_root(record, RecordScope(record=record, detector_counts=self._detector_counts))
        return {} if result is DROP else result  # type: ignore[no-any-return]

    def output_shape(self) -> dict[str, Any]:
        return output_shape(self.root)


__all__ = [
    "Leaf",
    "ListNode",
    "MapNode",
    "Node",
    "Plan",
    "Root",
    "SelectNode",
    "ShapeNode",
    "Stats",
    "Walker",
    "build_tree",
    "case_roots",
    "output_shape",
    "to_data",
]
