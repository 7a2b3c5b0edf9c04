"""A catalogue compiled into a frozen plan: a tree of map, list and leaf nodes over allow-listed paths.

Executing the plan builds a new record holding only what a rule produced. Unknown keys
are counted per parent path (never by name: a key can itself be personal data).
"""

from __future__ import annotations

import fnmatch
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

from scrubber.catalogue import LoadedCatalogue, Structure
from scrubber.catalogue.selectors import parse_selector
from scrubber.errors import CatalogueError, RecordRejected
from scrubber.operators import DROP, OPERATORS, BuildContext, Invalid, RecordScope, Transform


@dataclass
class Leaf:
    index: int
    transform: Transform
    reject: bool
    is_drop: bool
    path: str
    arrow_type: str


@dataclass
class ListNode:
    item: Node
    path: str


@dataclass
class MapNode:
    path: str
    exact: dict[str, Node] = field(default_factory=dict)
    globs: list[tuple[str, Node]] = field(default_factory=list)
    case_insensitive: bool = False
    parse: str = "none"

    def lookup(self, key: Any) -> tuple[Node | None, Any]:
        """The child node for a record key (exact name first, then globs in file order) and the output key."""
        if self.case_insensitive and isinstance(key, str):
            key = key.lower()
        child = self.exact.get(key)
        if child is None and self.globs and isinstance(key, str):
            child = next((c for pattern, c in self.globs if fnmatch.fnmatchcase(key, pattern)), None)
        return child, key

    def as_mapping(self, value: Any) -> dict[Any, Any] | None:
        """The value as a dict, parsing a string when the node declares a structure; None on mismatch."""
        if isinstance(value, dict):
            return value
        parser = PARSERS.get(self.parse)
        return parser(value) if parser is not None and isinstance(value, str) else None


Node = Leaf | ListNode | MapNode
_MISSING = object()


class Stats:
    """Counters of one Scrubber: per rule, per detector, unknown fields per parent path, rejects.

    Counts only; nothing here changes a result. Fields dropped together by name are counted
    as one set per record and expanded to per-rule counts when read.
    """

    def __init__(self, rule_count: int) -> None:
        self._direct = [0] * (rule_count + 1)  # the extra slot counts structural (non-rule) steps
        self._drop_sets: list[tuple[dict[str, int | str], dict[frozenset[str], int]]] = []
        self.invalid = [0] * (rule_count + 1)
        self.unknown: dict[str, int] = {}
        self.detectors: dict[str, int] = {}
        self.rejected: dict[str, int] = {}
        self._dropped_objects: dict[str, int] = {}
        self.records_in = 0
        self.records_out = 0

    def reject(self, reason: str) -> None:
        """Count one record that went to the quarantine, by reason code."""
        self.rejected[reason] = self.rejected.get(reason, 0) + 1

    def drop_set_counter(self, targets: dict[str, int | str]) -> dict[frozenset[str], int]:
        """A counter for one object's named drops; ``targets`` maps a name to a rule index or object path."""
        counter: dict[frozenset[str], int] = {}
        self._drop_sets.append((targets, counter))
        return counter

    def _expanded(self) -> tuple[list[int], dict[str, int]]:
        applied = list(self._direct)
        objects = dict(self._dropped_objects)
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

    def merge(self, other: Stats) -> None:
        applied, objects = other._expanded()
        for i, n in enumerate(applied):
            self._direct[i] += n
        for i, n in enumerate(other.invalid):
            self.invalid[i] += n
        for target, source in (
            (self.unknown, other.unknown),
            (self.detectors, other.detectors),
            (self.rejected, other.rejected),
            (self._dropped_objects, objects),
        ):
            for k, n in source.items():
                target[k] = target.get(k, 0) + n
        self.records_in += other.records_in
        self.records_out += other.records_out


def parse_cookie_header(text: str) -> dict[str, str]:
    """``"a=1; b=2"`` -> ``{"a": "1", "b": "2"}``; lenient, unlike http.cookies, which drops odd input."""
    result: dict[str, str] = {}
    for part in text.split(";"):
        name, sep, value = part.partition("=")
        name = name.strip()
        if name and sep:
            result[name] = value.strip()
        elif name:
            result[name] = ""
    return result


def parse_query_string(text: str) -> dict[str, str]:
    """The query parameters of a URL (or of a bare query string) as name -> last value."""
    query = urllib.parse.urlsplit(text).query if ("?" in text or "://" in text) else text
    return dict(urllib.parse.parse_qsl(query, keep_blank_values=True))


PARSERS = {"cookie_header": parse_cookie_header, "query_string": parse_query_string}


class Plan:
    """The compiled catalogue. ``run`` turns a raw record into an allow-listed record."""

    def __init__(self, catalogue: LoadedCatalogue, ctx: BuildContext) -> None:
        self.catalogue = catalogue
        model = catalogue.model
        self.rules = model.rules
        self.root = MapNode(path="")
        self._structures: dict[str, Structure] = dict(model.structures)
        self._owner: dict[str, int] = {}
        for index, rule in enumerate(model.rules):
            transform = OPERATORS[rule.op].build(rule, ctx)
            reject = (rule.on_invalid or model.on_invalid) == "reject"
            leaf = Leaf(index, transform, reject, rule.op == "drop", rule.field, rule.arrow_type())
            self._insert(leaf, index)
        self._apply_structures(self.root)
        self.default_reject = model.on_invalid == "reject"
        self.stats = Stats(len(model.rules))
        self._detector_counts = self.stats.detectors
        self._run_root = self._compile(self.root)

    # -- compiling --------------------------------------------------------------------------------

    def _fail(self, index: int, message: str) -> CatalogueError:
        rule = self.rules[index]
        return CatalogueError(f"{self.catalogue.where(index)}: rule for {rule.field!r}: {message}")

    def _insert(self, leaf: Leaf, index: int) -> None:
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
            existing = self._child(node, key, segment.is_glob)
            target: Node
            if last:
                target = leaf
                for _ in range(segment.list_depth):
                    target = ListNode(item=target, path=path)
                if existing is not None:
                    other = self._owner.get(path, -1)
                    raise self._fail(
                        index, f"{path!r} already has a rule at {self.catalogue.where(other)}; keep one rule per field"
                    )
                self._set_child(node, key, segment.is_glob, target)
                self._owner[path] = index
                return
            if existing is None:
                new_map = MapNode(path=path)
                target = new_map
                for _ in range(segment.list_depth):
                    target = ListNode(item=target, path=path)
                self._set_child(node, key, segment.is_glob, target)
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

    @staticmethod
    def _child(node: MapNode, key: str, is_glob: bool) -> Node | None:
        if is_glob:
            return next((child for pattern, child in node.globs if pattern == key), None)
        return node.exact.get(key)

    @staticmethod
    def _set_child(node: MapNode, key: str, is_glob: bool, child: Node) -> None:
        if is_glob:
            node.globs.append((key, child))
        else:
            node.exact[key] = child

    def _apply_structures(self, node: Node) -> None:
        if isinstance(node, ListNode):
            self._apply_structures(node.item)
        elif isinstance(node, MapNode):
            structure = self._structures.get(node.path)
            if structure is not None:
                node.case_insensitive = structure.case_insensitive
                node.parse = structure.parse
            for child in node.exact.values():
                self._apply_structures(child)
            for _, child in node.globs:
                self._apply_structures(child)

    # -- running ----------------------------------------------------------------------------------
    # Each node compiles into a closure. An object whose rules all drop is never walked (it is
    # counted as one dropped object), and objects with plain names are visited by looking up the
    # allow-listed names instead of walking every key of the record.

    def run(self, record: Any) -> dict[str, Any]:
        """The scrubbed record. Raises RecordRejected. Counts go to ``self.stats``."""
        if type(record) is not dict:
            raise RecordRejected("not_an_object", "", f"a record must be a JSON object, not {type(record).__name__}")
        result = self._run_root(record, RecordScope(record=record, detector_counts=self._detector_counts))
        return {} if result is DROP else result  # type: ignore[no-any-return]

    def _keeps(self, node: Node) -> bool:
        """True if anything below the node can reach the output."""
        if isinstance(node, Leaf):
            return not node.is_drop
        if isinstance(node, ListNode):
            return self._keeps(node.item)
        return any(self._keeps(c) for c in node.exact.values()) or any(self._keeps(c) for _, c in node.globs)

    def _compile(self, node: Node) -> Transform:
        """A function (value, scope) -> result or DROP; a leaf's transform may raise Invalid."""
        if isinstance(node, Leaf):
            return node.transform
        if isinstance(node, ListNode):
            return self._compile_list(node)
        if node.case_insensitive or any(self._keeps(c) for _, c in node.globs):
            return self._compile_scanned_map(node)
        return self._compile_named_map(node)

    def _step(self, node: Node) -> tuple[Transform, int, bool, str]:
        """What a parent needs to run a child: its function, counter slot, reject flag and path."""
        if isinstance(node, Leaf):
            return node.transform, node.index, node.reject, node.path
        return self._compile(node), len(self.rules), True, node.path

    def _mismatch(self, path: str, expected: str) -> Any:
        if self.default_reject:
            raise RecordRejected("wrong_shape", path or "(record)", f"expected {expected}")
        self.stats.unknown[path] = self.stats.unknown.get(path, 0) + 1
        return DROP

    def _compile_list(self, node: ListNode) -> Transform:
        function, index, reject, path = self._step(node.item)
        applied, invalid, mismatch = self.stats._direct, self.stats.invalid, self._mismatch

        def run_list(value: Any, scope: RecordScope) -> Any:
            if type(value) is not list:
                return mismatch(path, "a list")
            items = []
            for item in value:
                try:
                    result = function(item, scope)
                except Invalid as exc:
                    invalid[index] += 1
                    if reject:
                        raise RecordRejected(f"invalid_{exc.reason}", path) from None
                    continue
                applied[index] += 1
                if result is not DROP:
                    items.append(result)
            return items or DROP

        return run_list

    def _drop_target(self, node: Node) -> int | str:
        return node.index if isinstance(node, Leaf) else node.path

    def _compile_named_map(self, node: MapNode) -> Transform:
        keepers = tuple((k, *self._step(c)) for k, c in node.exact.items() if self._keeps(c))
        drop_targets = {k: self._drop_target(c) for k, c in node.exact.items() if not self._keeps(c)}
        drop_keys = frozenset(drop_targets)
        named = drop_keys | {k for k, *_ in keepers}
        drop_globs = tuple((pattern, self._drop_target(c)) for pattern, c in node.globs)
        stats = self.stats
        # The function is generated: one straight block per allow-listed name, with the rule's function,
        # counter slot and reject flag as constants, instead of a loop that unpacks them per record.
        namespace: dict[str, Any] = {
            "MISSING": _MISSING,
            "DROP": DROP,
            "Invalid": Invalid,
            "RecordRejected": RecordRejected,
            "fnmatchcase": fnmatch.fnmatchcase,
            "frozenset": frozenset,
            "isinstance": isinstance,
            "len": len,
            "type": type,
            "dict": dict,
            "as_mapping": node.as_mapping,
            "mismatch": self._mismatch,
            "path": node.path,
            "applied": stats._direct,
            "invalid": stats.invalid,
            "unknown_counts": stats.unknown,
            "drop_keys": drop_keys,
            "named": named,
            "drop_globs": drop_globs,
            "drop_sets": stats.drop_set_counter(drop_targets),
            "glob_drops": stats.drop_set_counter(dict(drop_globs)),
        }
        lines = [
            "def run_named_map(value, scope):",
            "    mapping = value if type(value) is dict else as_mapping(value)",
            "    if mapping is None:",
            "        return mismatch(path, 'an object')",
            "    out = {}",
            "    seen = 0",
            "    get = mapping.get",
        ]
        for number, (key, function, index, reject, where) in enumerate(keepers):
            namespace[f"key{number}"], namespace[f"run{number}"], namespace[f"where{number}"] = key, function, where
            on_invalid = (
                f"raise RecordRejected(f'invalid_{{exc.reason}}', where{number}) from None" if reject else "pass"
            )
            lines += [
                f"    item = get(key{number}, MISSING)",
                "    if item is not MISSING:",
                "        seen += 1",
                "        try:",
                f"            result = run{number}(item, scope)",
                "        except Invalid as exc:",
                f"            invalid[{index}] += 1",
                f"            {on_invalid}",
                "        else:",
                f"            applied[{index}] += 1",
                "            if result is not DROP:",
                f"                out[key{number}] = result",
            ]
        lines.append("    unknown = len(mapping) - seen")
        if drop_keys:
            lines += [
                "    dropped = drop_keys.intersection(mapping)",
                "    if dropped:",
                "        drop_sets[dropped] = drop_sets.get(dropped, 0) + 1",
                "        unknown -= len(dropped)",
            ]
        if drop_globs:
            lines += [
                "    if unknown:  # only records with unnamed keys pay for glob matching",
                "        for key in mapping:",
                "            if key not in named and isinstance(key, str):",
                "                for pattern, _ in drop_globs:",
                "                    if fnmatchcase(key, pattern):",
                "                        hit = frozenset((pattern,))",
                "                        glob_drops[hit] = glob_drops.get(hit, 0) + 1",
                "                        unknown -= 1",
                "                        break",
            ]
        lines += [
            "    if unknown:",
            "        unknown_counts[path] = unknown_counts.get(path, 0) + unknown",
            "    return out or DROP",
        ]
        exec(compile("\n".join(lines), f"<scrubber plan: {node.path or '(record)'}>", "exec"), namespace)
        run_named_map: Transform = namespace["run_named_map"]
        return run_named_map

    def _compile_scanned_map(self, node: MapNode) -> Transform:
        steps = {id(c): self._step(c) for c in [*node.exact.values(), *(c for _, c in node.globs)]}
        path, as_mapping, lookup, mismatch = node.path, node.as_mapping, node.lookup, self._mismatch
        stats = self.stats
        applied, invalid, unknown_counts = stats._direct, stats.invalid, stats.unknown

        def run_scanned_map(value: Any, scope: RecordScope) -> Any:
            mapping = value if type(value) is dict else as_mapping(value)
            if mapping is None:
                return mismatch(path, "an object")
            out: dict[str, Any] = {}
            unknown = 0
            for key, item in mapping.items():
                child, out_key = lookup(key)
                if child is None:
                    unknown += 1
                    continue
                function, index, reject, where = steps[id(child)]
                try:
                    result = function(item, scope)
                except Invalid as exc:
                    invalid[index] += 1
                    if reject:
                        raise RecordRejected(f"invalid_{exc.reason}", where) from None
                    continue
                applied[index] += 1
                if result is not DROP:
                    out[out_key] = result
            if unknown:
                unknown_counts[path] = unknown_counts.get(path, 0) + unknown
            return out or DROP

        return run_scanned_map

    # -- describing -------------------------------------------------------------------------------

    def output_shape(self) -> dict[str, Any]:
        """Nested name -> arrow type name ("string", "int64", ...) or {"list": shape}; drops left out."""

        def shape(node: Node) -> Any:
            if isinstance(node, Leaf):
                return None if node.is_drop else node.arrow_type
            if isinstance(node, ListNode):
                inner = shape(node.item)
                return None if inner is None else {"list": inner}
            fields = {k: s for k, child in node.exact.items() if (s := shape(child)) is not None}
            if any(shape(child) is not None for _, child in node.globs):
                fields["*"] = "glob"
            return fields or None

        return shape(self.root) or {}
