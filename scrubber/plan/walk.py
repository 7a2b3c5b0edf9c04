"""One walk over a value alongside the plan tree, shared by ``explain`` and ``verify``, and the output shape.

``Walker.walk`` follows the tree into lists and objects (parsing declared structures) and hands every
leaf, every key without a rule and every shape mismatch to a method a subclass overrides.
"""

from __future__ import annotations

from typing import Any

from scrubber.plan.tree import Leaf, ListNode, MapNode, Node


def child_path(path: str, name: Any) -> str:
    return f"{path}.{name}" if path else str(name)


class Walker:
    """Walks a value along the tree. Subclasses override the ``on_*`` hooks; defaults do nothing.

    ``parse_structures``: read a string as the structure its node declares (raw records), or expect
    the object itself (scrubbed records, where a parsed structure has become an object).
    """

    parse_structures = True
    output_names = False  # True for scrubbed records: renamed fields carry their output names (to:)

    def walk(self, node: Node, value: Any, path: str = "") -> None:
        if isinstance(node, Leaf):
            self.on_leaf(node, value, path)
        elif isinstance(node, ListNode):
            if not isinstance(value, list):
                self.on_wrong_shape(node, value, path, "a list")
                return
            for i, item in enumerate(value):
                self.walk_child(node.item, item, f"{path}[{i}]")
        else:
            mapping = node.as_mapping(value) if self.parse_structures else value
            if not isinstance(mapping, dict):
                self.on_wrong_shape(node, value, path, "an object")
                return
            if mapping is not value:
                self.on_parsed(node, value, path)
            lookup = node.lookup_output if self.output_names else node.lookup
            for key, item in mapping.items():
                child, name = lookup(key)
                sub = child_path(path, name)
                if child is None:
                    self.on_no_rule(item, sub)
                elif item is None and child.null_absent:
                    self.on_null(child, sub)
                else:
                    self.walk_child(child, item, sub)

    def walk_child(self, node: Node, value: Any, path: str) -> None:
        """Called for every child before it is walked; a subclass may stop here."""
        self.walk(node, value, path)

    def on_leaf(self, leaf: Leaf, value: Any, path: str) -> None:
        """A value at a rule's field."""

    def on_no_rule(self, value: Any, path: str) -> None:
        """A key that no rule names (default deny drops it)."""

    def on_null(self, node: Node, path: str) -> None:
        """A null where the catalogue says a null means the field is absent."""

    def on_wrong_shape(self, node: Node, value: Any, path: str, expected: str) -> None:
        """A value that is not the list or object the tree expects."""

    def on_parsed(self, node: MapNode, value: Any, path: str) -> None:
        """A string split into parts by the structure the node declares."""


def output_shape(root: MapNode) -> dict[str, Any]:
    """Nested name -> arrow type name ("string", "int64", ...) or {"list": shape}; drops left out.

    A glob that keeps values is shown as ``{"*": "glob"}``: names not known in advance.
    """

    def shape(node: Node) -> Any:
        if not node.keeps:
            return None
        if isinstance(node, Leaf):
            return node.output_type
        if isinstance(node, ListNode):
            return {"list": shape(node.item)}
        fields = {node.renames.get(key, key): shape(child) for key, child in node.exact.items() if child.keeps}
        if any(child.keeps for _, child in node.globs):
            fields["*"] = "glob"
        return fields

    return shape(root) or {}
