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

import orjson

from scrubber.catalogue import LoadedCatalogue
from scrubber.catalogue.selectors import parse_selector
from scrubber.errors import CatalogueError
from scrubber.operators.base import shape_of
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
    shapes: list[str] | None = None  # the value shapes the rule takes (its ``shape:``); None: every shape


@dataclass
class ListNode:
    """Every element of a list goes through ``item``."""

    item: Node
    path: str
    keeps: bool = True
    null_absent: bool = False
    parse: str = "none"  # json: the list may be JSON text
    not_json_rejects: bool = True
    json_text: bool = True  # parse: json: the scrubbed list is written as JSON text (else as a list)

    def as_list(self, value: Any) -> list[Any] | None:
        if type(value) is list:
            return value  # type: ignore[no-any-return]
        if self.parse == "json" and type(value) is str:
            parsed = parse_json(value)
            return parsed if type(parsed) is list else None
        return None


@dataclass
class MapNode:
    """An object: children by exact name, then by glob in file order; unnamed keys are dropped and counted."""

    path: str
    exact: dict[str, Node] = field(default_factory=dict)
    globs: list[tuple[str, Node]] = field(default_factory=list)
    case_insensitive: bool = False
    parse: str = "none"  # a structure in a string: none, cookie_header, query_string or json
    not_json_rejects: bool = True  # parse: json: a string that is not a JSON object rejects (else dropped)
    json_text: bool = True  # parse: json: the scrubbed object is written as JSON text (else as an object)
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
        if not isinstance(value, str):
            return None
        if self.parse == "json":
            parsed = parse_json(value)
            return parsed if type(parsed) is dict else None
        parser = PARSERS.get(self.parse)
        return parser(value) if parser is not None else None

    def children(self) -> list[Node]:
        return [*self.exact.values(), *(child for _, child in self.globs)]


@dataclass
class ShapeNode:
    """A field whose value varies in shape: ``leaf`` takes the shapes its rule names, ``items`` a list,
    ``fields`` an object (or a string its structure parses). A value of any other shape is invalid."""

    path: str
    leaves: list[Leaf] = field(default_factory=list)  # each with its own shapes; no shape in two of them
    items: ListNode | None = None
    fields: MapNode | None = None
    keeps: bool = True
    null_absent: bool = False
    parse: str = "none"  # json: a string is JSON text, decoded first and then routed by its shape
    not_json_rejects: bool = True
    json_text: bool = True

    def decodes(self, value: Any) -> bool:
        """True for a string to decode as JSON before routing: its structure says it holds JSON text."""
        return self.parse == "json" and type(value) is str

    def route(self, value: Any) -> Node | None:
        """The alternative that takes ``value``, or None."""
        shape = shape_of(value)
        for leaf in self.leaves:
            if shape in (leaf.shapes or ()):
                return leaf
        if shape == "list":
            return self.items
        if shape == "object":
            return self.fields
        if shape == "string":
            if self.fields is not None and self.fields.parse != "none":
                return self.fields
            if self.items is not None and self.items.parse == "json":
                return self.items
        return None

    def shapes(self) -> str:
        """The shapes this node takes, for messages: ``a string, a list or an object``."""
        names = [name for leaf in self.leaves for name in leaf.shapes or ()]
        names += ["list"] if self.items is not None else []
        names += ["object"] if self.fields is not None else []
        spelled = [f"an {name}" if name == "object" else f"a {name}" for name in dict.fromkeys(names)]
        return ", ".join(spelled[:-1]) + (" or " if len(spelled) > 1 else "") + spelled[-1]

    def children(self) -> list[Node]:
        return [*self.leaves, *(node for node in (self.items, self.fields) if node is not None)]

    def leaf_for_output(self, value: Any) -> Leaf | None:
        """The leaf whose output type a scrubbed value has (verify), or the first leaf."""
        for leaf in self.leaves:
            if _OUTPUT_CHECKS.get(leaf.output_type, _is_any)(value):
                return leaf
        return self.leaves[0] if self.leaves else None


def _is_any(value: Any) -> bool:
    return True


_OUTPUT_CHECKS = {
    "string": lambda value: isinstance(value, str),
    "int64": lambda value: isinstance(value, int) and not isinstance(value, bool),
    "double": lambda value: isinstance(value, (int, float)) and not isinstance(value, bool),
    "bool": lambda value: isinstance(value, bool),
}


@dataclass
class SelectNode:
    """The record's root chosen by the value at ``field`` (a dotted path): ``cases[i]`` is the tree of the
    common rules plus case ``i``'s; ``values`` maps each listed value to its case."""

    field: str
    values: dict[str, int]
    cases: list[MapNode]
    path: str = ""
    keeps: bool = True
    null_absent: bool = False

    def case_for(self, record: Any) -> int | None:
        """The case of a record, or None when its value is missing or listed by no case."""
        value: Any = record
        for name in self.field.split("."):
            if not isinstance(value, dict):
                return None
            value = value.get(name)
        return self.values.get(value) if isinstance(value, str) else None


Node = Leaf | ListNode | MapNode | ShapeNode
Root = MapNode | SelectNode


def parse_json(text: str) -> Any:
    """The decoded JSON text, or ``NOT_JSON``."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return NOT_JSON


NOT_JSON: Any = object()


def to_data(node: Node | SelectNode) -> dict[str, Any]:
    """The tree as JSON-ready data, each node tagged with its ``kind``: what another runtime needs, besides
    the catalogue's rules (which ``rule`` indexes), to execute the same plan."""
    data: dict[str, Any] = {"kind": type(node).__name__}
    for spec in dataclasses.fields(node):
        value = getattr(node, spec.name)
        if spec.name in ("item", "items", "fields") and value is not None and not isinstance(value, str):
            value = to_data(value)
        elif spec.name == "leaves":
            value = [to_data(leaf) for leaf in value]
        elif spec.name == "exact":
            value = {key: to_data(child) for key, child in value.items()}
        elif spec.name == "globs":
            value = [[pattern, to_data(child)] for pattern, child in value]
        elif spec.name == "cases":
            value = [to_data(child) for child in value]
        elif isinstance(value, (list, dict)):
            value = type(value)(value)
        data[spec.name] = value
    return data


def build_tree(catalogue: LoadedCatalogue) -> Root:
    """The root node for a catalogue (a SelectNode when it has ``select``). Raises CatalogueError (file:line)
    on conflicting selectors."""
    model = catalogue.model
    common = [i for i in range(len(model.rules)) if catalogue.case_of(i) is None]
    if model.select is None:
        return _TreeBuilder(catalogue, common).root
    cases = []
    for number in range(len(model.select.cases)):
        own = [i for i in range(len(model.rules)) if catalogue.case_of(i) == number]
        cases.append(_TreeBuilder(catalogue, common + own).root)
    values = {value: number for number, case in enumerate(model.select.cases) for value in case.values}
    return SelectNode(field=model.select.field, values=values, cases=cases)


def case_roots(root: Root) -> list[MapNode]:
    """The record trees of a root: itself, or each case of a select."""
    return root.cases if isinstance(root, SelectNode) else [root]


_PENDING = Leaf(-1, "pending", "", True, "string")  # a new list's item until the next step sets it


class _TreeBuilder:
    def __init__(self, catalogue: LoadedCatalogue, indexes: list[int]) -> None:
        self.catalogue = catalogue
        model = catalogue.model
        self.root = MapNode(path="")
        # A structure is named by its field's selector; ``[*]`` is optional (node paths leave it out).
        self._structures = {name.replace("[*]", ""): structure for name, structure in model.structures.items()}
        self._owner: dict[str, int] = {}
        self._nulls_absent = model.nulls == "absent"
        for index in indexes:
            rule = model.rules[index]
            reject = (rule.on_invalid or model.on_invalid) == "reject"
            null_absent = (rule.nulls or model.nulls) == "absent"
            shapes: list[str] | None = list(rule.shape) if rule.shape is not None else None
            leaf = Leaf(index, rule.op, rule.field, reject, rule.arrow_type(), rule.op != "drop", null_absent, shapes)
            self._insert(leaf, rule.required)
        self._finish(self.root)

    def _fail(self, index: int, message: str) -> CatalogueError:
        rule = self.catalogue.model.rules[index]
        return CatalogueError(f"{self.catalogue.where(index)}: rule for {rule.field!r}: {message}")

    def _insert(self, leaf: Leaf, required: bool) -> None:
        """Place ``leaf`` at its path, creating the objects and lists on the way. A position is a key of an
        object or the items of a list; a step's container is what the next step needs (object or list)."""
        index = leaf.rule
        try:
            segments = parse_selector(leaf.path)
        except ValueError as exc:
            raise self._fail(index, str(exc)) from None
        steps: list[tuple[str, str, bool]] = []  # ("key", name, is_glob) or ("items", path, False)
        paths: list[str] = []
        path = ""
        for segment in segments:
            path = f"{path}.{segment.name}" if path else segment.name
            steps.append(("key", segment.name, segment.is_glob))
            paths.append(path)
            steps += [("items", path, False)] * segment.list_depth
            paths += [path] * segment.list_depth
        container: MapNode | ListNode = self.root
        for position, (kind, name, is_glob) in enumerate(steps):
            path = paths[position]
            slot = _Slot(container, self._key(container, name) if isinstance(container, MapNode) else "", is_glob)
            if kind == "key" and required:
                assert isinstance(container, MapNode)
                self._require(container, slot.key, is_glob, leaf)
            if position == len(steps) - 1:
                self._place(leaf, slot, path)
                if isinstance(container, MapNode):
                    self._rename(container, slot.key, is_glob, index)
                return
            wants_list = steps[position + 1][0] == "items"
            container = self._container(slot, wants_list, path, index)

    def _key(self, node: MapNode, name: str) -> str:
        structure = self._structures.get(node.path)
        return name.lower() if structure is not None and structure.case_insensitive else name

    def _require(self, node: MapNode, key: str, is_glob: bool, leaf: Leaf) -> None:
        if is_glob:
            raise self._fail(leaf.rule, f"required needs named fields; {key!r} is a glob")
        if leaf.op == "drop":
            raise self._fail(leaf.rule, "a dropped field cannot be required; remove required or keep it")
        if key not in node.required:
            node.required.append(key)

    def _new(self, wants_list: bool, path: str) -> MapNode | ListNode:
        if wants_list:
            return ListNode(item=_PENDING, path=path, null_absent=self._nulls_absent)
        return MapNode(path=path, null_absent=self._nulls_absent)

    def _container(self, slot: _Slot, wants_list: bool, path: str, index: int) -> MapNode | ListNode:
        """The object or list at a position, created if new; a field with a ``shape:`` rule of its own
        becomes a ShapeNode holding both."""
        wanted: type[MapNode | ListNode] = ListNode if wants_list else MapNode
        existing = slot.get()
        if existing is None:
            created = self._new(wants_list, path)
            slot.put(created)
            self._owner.setdefault(path, index)
            return created
        if isinstance(existing, wanted):
            return existing
        if isinstance(existing, Leaf) and existing.shapes is not None:
            existing = ShapeNode(path=path, leaves=[existing], null_absent=existing.null_absent)
            slot.put(existing)
        if isinstance(existing, ShapeNode):
            alternative = "items" if wants_list else "fields"
            current = getattr(existing, alternative)
            if current is None:
                current = self._new(wants_list, path)
                setattr(existing, alternative, current)
                self._check_overlap(existing, index)
            return current  # type: ignore[no-any-return]
        other = self._owner.get(path, -1)
        if isinstance(existing, Leaf):
            raise self._fail(
                index,
                f"{path!r} has a rule of its own at {self.catalogue.where(other)}, so rules cannot also address "
                "fields inside it; give that rule shape: (for example shape: string) to let its value vary in "
                "shape, with these rules for the list or object form",
            )
        where = self.catalogue.where(other)
        raise self._fail(index, f"{path!r} is used both as a list ([*]) and as an object at {where}")

    def _place(self, leaf: Leaf, slot: _Slot, path: str) -> None:
        index = leaf.rule
        existing = slot.get()
        if existing is None:
            slot.put(leaf)
            self._owner[path] = index
            return
        other = self._owner.get(path, -1)
        if isinstance(existing, Leaf) and existing.shapes is not None and leaf.shapes is not None:
            existing = ShapeNode(path=path, leaves=[existing], null_absent=existing.null_absent)
        if leaf.shapes is None or isinstance(existing, Leaf):
            hint = (
                ""
                if leaf.shapes is not None
                else "; to take some shapes of its value here and the rest there, give each rule shape:"
            )
            raise self._fail(
                index, f"{path!r} already has a rule at {self.catalogue.where(other)}; keep one rule per field{hint}"
            )
        shape = existing if isinstance(existing, ShapeNode) else ShapeNode(path=path, null_absent=leaf.null_absent)
        if isinstance(existing, ListNode):
            shape.items = existing
        elif isinstance(existing, MapNode):
            shape.fields = existing
        shape.leaves.append(leaf)
        shape.null_absent = shape.null_absent and leaf.null_absent
        slot.put(shape)
        self._owner[path] = index
        self._check_overlap(shape, index)

    def _check_overlap(self, shape: ShapeNode, index: int) -> None:
        owners: dict[str, int] = {}
        for leaf in shape.leaves:
            for taken in leaf.shapes or ():
                if taken in owners:
                    raise self._fail(
                        index,
                        f"{shape.path!r}: the rules at {self.catalogue.where(owners[taken])} and "
                        f"{self.catalogue.where(leaf.rule)} both take shape {taken}; give each shape to one rule",
                    )
                owners[taken] = leaf.rule
        for taken, node in (("list", shape.items), ("object", shape.fields)):
            if node is not None and taken in owners:
                raise self._fail(
                    index,
                    f"{shape.path!r}: its rule at {self.catalogue.where(owners[taken])} takes shape {taken}, "
                    f"and rules address fields inside that {taken}; remove {taken} from that rule's shape:",
                )

    def _rename(self, node: MapNode, key: str, is_glob: bool, index: int) -> None:
        """Record rule ``index``'s output name (``to:``) for ``key``; two fields may not meet under one name."""
        rule = self.catalogue.model.rules[index]
        output = rule.to or key
        if rule.to is not None and is_glob:
            raise self._fail(index, f"to: renames one named field; {key!r} is a glob")
        taken = {node.renames.get(name, name): name for name in node.exact if name != key}
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
        structure = self._structures.get(node.path)
        if structure is not None and structure.parse == "json":
            node.parse = "json"
            node.not_json_rejects = structure.not_json == "reject"
            node.json_text = structure.write == "json_text"
        if isinstance(node, ShapeNode):
            node.keeps = any([self._finish(child) for child in node.children()])
            for child in (node.items, node.fields):
                if child is not None and node.parse == "json":
                    child.parse, child.json_text = "none", False  # the shape node decodes and writes
            return node.keeps
        if isinstance(node, ListNode):
            node.keeps = self._finish(node.item)
            item = node.item
            if node.parse == "json" and isinstance(item, MapNode) and item.path == node.path:
                item.parse = "none"  # the list is the JSON text; its items are already decoded
            return node.keeps
        if structure is not None:
            node.case_insensitive = structure.case_insensitive
            node.parse = structure.parse
        kept = [self._finish(child) for child in node.children()]
        node.keeps = any(kept)
        return node.keeps


@dataclass
class _Slot:
    """A position in the tree being built: a key of an object, or the items of a list."""

    container: MapNode | ListNode
    key: str
    is_glob: bool

    def get(self) -> Node | None:
        if isinstance(self.container, ListNode):
            return None if self.container.item is _PENDING else self.container.item
        return _child(self.container, self.key, self.is_glob)

    def put(self, node: Node) -> None:
        if isinstance(self.container, ListNode):
            self.container.item = node
        else:
            _set_child(self.container, self.key, self.is_glob, node)


def _child(node: MapNode, key: str, is_glob: bool) -> Node | None:
    if is_glob:
        return next((child for pattern, child in node.globs if pattern == key), None)
    return node.exact.get(key)


def _set_child(node: MapNode, key: str, is_glob: bool, child: Node) -> None:
    if is_glob:
        node.globs.append((key, child))
    else:
        node.exact[key] = child
