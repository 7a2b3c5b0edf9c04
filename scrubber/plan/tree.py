"""The plan tree: a catalogue's selectors turned into map, list and leaf nodes over allow-listed paths.

The tree is plain data: names, globs, flags and rule indexes, no functions. ``compile`` turns it into
closures for this runtime; ``walk`` reads it for explain, verify and the output shape. Another runtime
can execute the same tree from the catalogue's rules.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import functools
from dataclasses import dataclass, field
from typing import Any

from scrubber.catalogue import LoadedCatalogue
from scrubber.catalogue.selectors import parse_selector
from scrubber.errors import CatalogueError
from scrubber.plan.parsers import PARSERS


@dataclass
class Leaf:
    """One rule at its field: the rule's index in the catalogue, its operator and what it writes."""

    rule: int
    op: str
    path: str
    reject: bool  # an invalid value rejects the record (else the field is dropped)
    output_type: str  # string, int64, double or bool
    keeps: bool = True  # False for drop: nothing below reaches the output
    null_absent: bool = False  # a null here means the field is absent (else it is an invalid value)


@dataclass
class ListNode:
    """Every element of a list goes through ``item``."""

    item: Node
    path: str
    keeps: bool = True
    null_absent: bool = False


@dataclass
class MapNode:
    """An object: children by exact name, then by glob in file order; unnamed keys are dropped and counted."""

    path: str
    exact: dict[str, Node] = field(default_factory=dict)
    globs: list[tuple[str, Node]] = field(default_factory=list)
    case_insensitive: bool = False
    parse: str = "none"  # a structure in a string: none, cookie_header or query_string
    keeps: bool = True
    null_absent: bool = False
    required: list[str] = field(default_factory=list)  # keys a record must have here (else rejected)
    renames: dict[str, str] = field(default_factory=dict)  # input name -> output name (a rule's ``to:``)

    def lookup(self, key: Any) -> tuple[Node | None, Any]:
        """The child node for a record key (exact name first, then globs in file order) and the key as named
        in the tree (lower-cased where names are case-insensitive)."""
        if self.case_insensitive and isinstance(key, str):
            key = key.lower()
        child = self.exact.get(key)
        if child is None and self.globs and isinstance(key, str):
            child = next((c for pattern, c in self.globs if fnmatch.fnmatchcase(key, pattern)), None)
        return child, key

    def lookup_output(self, key: Any) -> tuple[Node | None, Any]:
        """The child node for a key of a scrubbed record, where renamed fields carry their output names."""
        if self.renames:
            inputs = self._inputs_by_output
            if key in inputs:
                return self.exact[inputs[key]], key
            if key in self.renames:  # an input name that was renamed away cannot be in the output
                return None, key
        return self.lookup(key)

    @functools.cached_property
    def _inputs_by_output(self) -> dict[str, str]:
        """``renames`` read backwards (computed once, after the tree is built)."""
        return {output: name for name, output in self.renames.items()}

    def as_mapping(self, value: Any) -> dict[Any, Any] | None:
        """The value as a dict, parsing a string when the node declares a structure; None on mismatch."""
        if isinstance(value, dict):
            return value
        parser = PARSERS.get(self.parse)
        return parser(value) if parser is not None and isinstance(value, str) else None

    def children(self) -> list[Node]:
        return [*self.exact.values(), *(child for _, child in self.globs)]


Node = Leaf | ListNode | MapNode


def to_data(node: Node) -> dict[str, Any]:
    """The tree as JSON-ready data, each node tagged with its ``kind``: what another runtime needs, besides
    the catalogue's rules (which ``rule`` indexes), to execute the same plan."""
    data: dict[str, Any] = {"kind": type(node).__name__}
    for spec in dataclasses.fields(node):
        value = getattr(node, spec.name)
        if spec.name == "item":
            value = to_data(value)
        elif spec.name == "exact":
            value = {key: to_data(child) for key, child in value.items()}
        elif spec.name == "globs":
            value = [[pattern, to_data(child)] for pattern, child in value]
        elif isinstance(value, list):
            value = list(value)
        data[spec.name] = value
    return data


def build_tree(catalogue: LoadedCatalogue) -> MapNode:
    """The root node for a catalogue. Raises CatalogueError (file:line) on conflicting selectors."""
    return _TreeBuilder(catalogue).root


class _TreeBuilder:
    def __init__(self, catalogue: LoadedCatalogue) -> None:
        self.catalogue = catalogue
        model = catalogue.model
        self.root = MapNode(path="")
        self._structures = dict(model.structures)
        self._owner: dict[str, int] = {}
        self._nulls_absent = model.nulls == "absent"
        for index, rule in enumerate(model.rules):
            reject = (rule.on_invalid or model.on_invalid) == "reject"
            null_absent = (rule.nulls or model.nulls) == "absent"
            leaf = Leaf(index, rule.op, rule.field, reject, rule.arrow_type(), rule.op != "drop", null_absent)
            self._insert(leaf, rule.required)
        self._finish(self.root)

    def _fail(self, index: int, message: str) -> CatalogueError:
        rule = self.catalogue.model.rules[index]
        return CatalogueError(f"{self.catalogue.where(index)}: rule for {rule.field!r}: {message}")

    def _insert(self, leaf: Leaf, required: bool) -> None:
        index = leaf.rule
        try:
            segments = parse_selector(leaf.path)
        except ValueError as exc:
            raise self._fail(index, str(exc)) from None
        node: MapNode = self.root
        path = ""
        for position, segment in enumerate(segments):
            last = position == len(segments) - 1
            path = f"{path}.{segment.name}" if path else segment.name
            key = segment.name
            structure = self._structures.get(node.path)
            if structure is not None and structure.case_insensitive:
                key = key.lower()
            existing = _child(node, key, segment.is_glob)
            if required:
                if segment.is_glob:
                    raise self._fail(index, f"required needs named fields; {segment.name!r} is a glob")
                if leaf.op == "drop":
                    raise self._fail(index, "a dropped field cannot be required; remove required or keep it")
                if key not in node.required:
                    node.required.append(key)
            target: Node
            if last:
                target = leaf
                for _ in range(segment.list_depth):
                    target = ListNode(item=target, path=path, null_absent=self._nulls_absent)
                if existing is not None:
                    other = self._owner.get(path, -1)
                    raise self._fail(
                        index, f"{path!r} already has a rule at {self.catalogue.where(other)}; keep one rule per field"
                    )
                self._rename(node, key, segment.is_glob, index)
                _set_child(node, key, segment.is_glob, target)
                self._owner[path] = index
                return
            if existing is None:
                target = MapNode(path=path, null_absent=self._nulls_absent)
                for _ in range(segment.list_depth):
                    target = ListNode(item=target, path=path, null_absent=self._nulls_absent)
                _set_child(node, key, segment.is_glob, target)
                existing = target
                self._owner.setdefault(path, index)
            for _ in range(segment.list_depth):
                if not isinstance(existing, ListNode):
                    raise self._fail(index, f"{path!r} is used both as a list ([*]) and not as one")
                existing = existing.item
            if not isinstance(existing, MapNode):
                other = self._owner.get(path, -1)
                raise self._fail(
                    index,
                    f"{path!r} has a rule of its own at {self.catalogue.where(other)}, "
                    "so rules cannot also address fields inside it",
                )
            node = existing

    def _rename(self, node: MapNode, key: str, is_glob: bool, index: int) -> None:
        """Record rule ``index``'s output name (``to:``) for ``key``; two fields may not meet under one name."""
        rule = self.catalogue.model.rules[index]
        output = rule.to or key
        if rule.to is not None and is_glob:
            raise self._fail(index, f"to: renames one named field; {key!r} is a glob")
        taken = {node.renames.get(name, name): name for name in node.exact}
        if output in taken:
            other = self._owner.get(f"{node.path}.{taken[output]}" if node.path else taken[output], -1)
            raise self._fail(
                index,
                f"its output name {output!r} is already written by the rule at {self.catalogue.where(other)}; "
                "give one of them another name with to:",
            )
        if rule.to is not None:
            node.renames[key] = rule.to

    def _finish(self, node: Node) -> bool:
        """Apply the declared structures and set ``keeps`` bottom-up; returns the node's ``keeps``."""
        if isinstance(node, Leaf):
            return node.keeps
        if isinstance(node, ListNode):
            node.keeps = self._finish(node.item)
            return node.keeps
        structure = self._structures.get(node.path)
        if structure is not None:
            node.case_insensitive = structure.case_insensitive
            node.parse = structure.parse
        kept = [self._finish(child) for child in node.children()]
        node.keeps = any(kept)
        return node.keeps


def _child(node: MapNode, key: str, is_glob: bool) -> Node | None:
    if is_glob:
        return next((child for pattern, child in node.globs if pattern == key), None)
    return node.exact.get(key)


def _set_child(node: MapNode, key: str, is_glob: bool, child: Node) -> None:
    if is_glob:
        node.globs.append((key, child))
    else:
        node.exact[key] = child
