"""One walk over a value alongside the plan tree, shared by ``explain`` and ``verify``, and the output shape.

``Walker.walk`` follows the tree into lists and objects (parsing declared structures) and hands every
leaf, every key without a rule and every shape mismatch to a method a subclass overrides.
"""

from __future__ import annotations

from typing import Any

from scrubber.plan.tree import (
    NOT_JSON,
    Leaf,
    ListNode,
    MapNode,
    Node,
    Root,
    SelectNode,
    ShapeNode,
    case_roots,
    parse_json,
)


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
        elif isinstance(node, ShapeNode):
            if node.decodes(value):
                decoded = parse_json(value)
                value = value if decoded is NOT_JSON else decoded
            target = node.route(value)
            if target is None and not self.parse_structures:
                target = node.leaf_for_output(value)  # a scrubbed value has its rule's output type
            if target is None:
                self.on_wrong_shape(node, value, path, node.shapes())
            else:
                self.walk(target, value, path)
        elif isinstance(node, ListNode):
            items = value if isinstance(value, list) else self._parsed(node, value)
            if not isinstance(items, list):
                self.on_wrong_shape(node, value, path, "a list")
                return
            for i, item in enumerate(items):
                self.walk_child(node.item, item, f"{path}[{i}]")
        else:
            mapping = self._parsed(node, value) if not isinstance(value, dict) else value
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

    def walk_root(self, root: Root, record: Any) -> None:
        """Walk a whole record: with a select, along the tree of the record's case (``case_for``)."""
        if isinstance(root, MapNode):
            self.walk_child(root, record, "")
            return
        case = self.case_for(root, record)
        if case is None:
            self.on_unlisted(root, record)
        else:
            self.walk_child(root.cases[case], record, "")

    def case_for(self, root: SelectNode, record: Any) -> int | None:
        """The select case a record is walked with (a subclass may choose another way)."""
        return root.case_for(record)

    def _parsed(self, node: MapNode | ListNode, value: Any) -> Any:
        """A string as the structure its node declares; JSON text is decoded in scrubbed records too,
        since parse: json writes its result back as JSON text."""
        if not isinstance(value, str) or not (self.parse_structures or node.parse == "json"):
            return None
        return node.as_list(value) if isinstance(node, ListNode) else node.as_mapping(value)

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

    def on_unlisted(self, root: SelectNode, record: Any) -> None:
        """A record whose select value no case lists."""


def output_shape(root: Root) -> dict[str, Any]:
    """Nested name -> arrow type name ("string", "int64", ...) or {"list": shape}; drops left out.

    A glob that keeps values is shown as ``{"*": "glob"}``: names not known in advance. A field whose
    shape varies is ``"json"`` (a JSON-string column in Parquet), and so is one that select cases write
    differently. A parse: json structure written back as JSON text is ``"string"``.
    """

    def shape(node: Node) -> Any:
        if not node.keeps:
            return None
        if isinstance(node, Leaf):
            return node.output_type
        if node.parse == "json" and node.json_text:
            return "string"
        if isinstance(node, ShapeNode):
            return "json"
        if node.parse == "json" and node.json_text:
            return "string"
        if isinstance(node, ListNode):
            return {"list": shape(node.item)}
        fields = {node.renames.get(key, key): shape(child) for key, child in node.exact.items() if child.keeps}
        if any(child.keeps for _, child in node.globs):
            fields["*"] = "glob"
        return fields

    merged: Any = None
    for case in case_roots(root):
        merged = _merge_shapes(merged, shape(case) or {})
    return merged or {}


def _merge_shapes(a: Any, b: Any) -> Any:
    """Two output shapes as one: the same type stays, objects merge by name, anything else is ``"json"``."""
    if a is None or a == b:
        return b
    if isinstance(a, dict) and isinstance(b, dict) and ("list" in a) == ("list" in b):
        if "list" in a:
            return {"list": _merge_shapes(a["list"], b["list"])}
        return {**a, **{name: _merge_shapes(a.get(name), sub) for name, sub in b.items()}}
    return "json"
