"""The plan tree compiled into closures: ``(value, scope) -> result or DROP``.

An object whose rules all drop is never walked (it is counted as one dropped object), and objects
with plain names are visited by looking up the allow-listed names instead of walking every key of
the record. Only a leaf's operator raises ``Invalid``; ``Compiler.invalid`` is the one place that
counts it and turns it into a rejection or a dropped field. The parents call their children inline
(a call per field costs more than the rest of the step), so each child is a ``Step``: its function,
its counter slot (structural children share one extra slot), whether an invalid value rejects, and
its path.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from typing import Any

import orjson

from scrubber.errors import RecordRejected
from scrubber.operators import DROP, Invalid, RecordScope, Transform
from scrubber.plan.stats import Stats
from scrubber.plan.tree import NOT_JSON, Leaf, ListNode, MapNode, Node, Root, ShapeNode, parse_json

_MISSING = object()


def _as_json_text(function: Transform) -> Transform:
    """A parse: json node's function, with its scrubbed object or list written back as JSON text."""

    def as_json_text(value: Any, scope: RecordScope) -> Any:
        result = function(value, scope)
        return result if result is DROP else orjson.dumps(result).decode("utf-8")

    return as_json_text


Step = tuple[Transform, int, bool, str]


class Compiler:
    """Compiles one tree; ``transforms[i]`` is rule i's operator, built once."""

    def __init__(self, transforms: Sequence[Transform], stats: Stats, default_reject: bool) -> None:
        self.transforms = transforms
        self.stats = stats
        self.default_reject = default_reject
        self.null_absent = [False] * len(transforms)  # per rule, from its leaf: a null at its field means absent

    def compile(self, node: Node) -> Transform:
        """The function of a node. A leaf's is its operator's (its parent counts it, see ``step``)."""
        if isinstance(node, Leaf):
            return self.transforms[node.rule]
        if isinstance(node, ShapeNode):
            shapes = self._shapes(node)
            return _as_json_text(shapes) if node.parse == "json" and node.json_text else shapes
        if isinstance(node, ListNode):
            function = self._list(node)
        elif node.case_insensitive or any(child.keeps for _, child in node.globs):
            function = self._scanned_map(node)
        else:
            function = self._named_map(node)
        return _as_json_text(function) if node.parse == "json" and node.json_text else function

    def compile_root(self, root: Root) -> Transform:
        """The function of a record: the root object's, or, for a select, the one of the record's case."""
        if isinstance(root, MapNode):
            return self.compile(root)
        functions = [self.compile(case) for case in root.cases]
        case_for, where = root.case_for, root.field

        def run_select(record: Any, scope: RecordScope) -> Any:
            case = case_for(record)
            if case is None:
                raise RecordRejected("unlisted_value", where, "no select case lists this value")
            return functions[case](record, scope)

        return run_select

    def step(self, node: Node) -> Step:
        """What a parent needs to run a child: its function, counter slot, reject flag and path."""
        if isinstance(node, Leaf):
            self.null_absent[node.rule] = node.null_absent
            return self.transforms[node.rule], node.rule, node.reject, node.path
        return self.compile(node), self.stats.structural_slot, True, node.path

    @staticmethod
    def _required(node: MapNode) -> tuple[tuple[str, str], ...]:
        """(key as the tree names it, path to report) for every key a record must have in this object."""
        return tuple((key, node.exact[key].path) for key in node.required)

    @staticmethod
    def _check_required(required: tuple[tuple[str, str], ...], out: dict[Any, Any]) -> None:
        for key, where in required:
            if key not in out:
                raise RecordRejected("missing_required", where)

    def invalid(self, index: int, reject: bool, where: str, exc: Invalid, value: Any) -> Any:
        """A leaf's value did not parse: count it, then reject the record or drop the field.

        Every operator refuses a null as invalid, so a null where the catalogue says it means absent ends
        here too, and is neither counted nor rejected (on this rare path, not in every parent's loop).
        """
        if value is None and self.null_absent[index]:
            return DROP
        self.stats.invalid[index] += 1
        if reject:
            raise RecordRejected(f"invalid_{exc.reason}", where) from None
        return DROP

    def _mismatch(self, node: Node, value: Any, expected: str) -> Any:
        """An object or list where the tree expects the other shape, or a null; for parse: json, a string
        that is not the JSON it should hold (its structure's not_json decides)."""
        path = node.path
        if value is None and node.null_absent:
            return DROP
        if not isinstance(node, Leaf) and node.parse == "json" and type(value) is str:
            if node.not_json_rejects:
                raise RecordRejected("not_json", path, f"expected JSON text of {expected}")
        elif self.default_reject:
            raise RecordRejected("wrong_shape", path or "(record)", f"expected {expected}")
        self.stats.unknown[path] = self.stats.unknown.get(path, 0) + 1
        return DROP

    def _shapes(self, node: ShapeNode) -> Transform:
        """Each value to the alternative of its shape; a leaf's invalid values are handled here."""
        leaves = {id(leaf): leaf for leaf in node.leaves}
        for leaf in node.leaves:
            self.null_absent[leaf.rule] = leaf.null_absent
        first = node.leaves[0] if node.leaves else None
        functions = {id(child): self.compile(child) for child in node.children()}
        route, expected, mismatch = node.route, node.shapes(), self._mismatch
        applied, invalid, decodes = self.stats.direct, self.invalid, node.decodes

        def run_shapes(value: Any, scope: RecordScope) -> Any:
            if decodes(value):
                decoded = parse_json(value)
                if decoded is NOT_JSON:
                    return mismatch(node, value, expected)  # its structure's not_json decides
                value = decoded
            target = route(value)
            if target is None:
                if value is None and first is not None and not node.null_absent:
                    return invalid(first.rule, first.reject, first.path, Invalid("null"), value)
                return mismatch(node, value, expected)
            leaf = leaves.get(id(target))
            if leaf is None:
                return functions[id(target)](value, scope)
            try:
                result = functions[id(target)](value, scope)
            except Invalid as exc:
                return invalid(leaf.rule, leaf.reject, leaf.path, exc, value)
            applied[leaf.rule] += 1
            return result

        return run_shapes

    def _list(self, node: ListNode) -> Transform:
        function, index, reject, path = self.step(node.item)
        applied, invalid, mismatch = self.stats.direct, self.invalid, self._mismatch
        as_list = node.as_list

        def run_list(value: Any, scope: RecordScope) -> Any:
            if type(value) is not list:
                parsed = as_list(value)
                if parsed is None:
                    return mismatch(node, value, "a list")
                value = parsed
            items = []
            for item in value:
                try:
                    result = function(item, scope)
                except Invalid as exc:
                    result = invalid(index, reject, path, exc, item)
                else:
                    applied[index] += 1
                if result is not DROP:
                    items.append(result)
            return items or DROP

        return run_list

    @staticmethod
    def _drop_target(node: Node) -> int | str:
        return node.rule if isinstance(node, Leaf) else node.path

    def _named_map(self, node: MapNode) -> Transform:
        keepers = tuple((key, *self.step(child)) for key, child in node.exact.items() if child.keeps)
        drop_targets = {key: self._drop_target(child) for key, child in node.exact.items() if not child.keeps}
        drop_keys = frozenset(drop_targets)
        named = drop_keys | {key for key, *_ in keepers}
        drop_globs = tuple((pattern, self._drop_target(child)) for pattern, child in node.globs)
        drop_sets = self.stats.drop_set_counter(drop_targets)
        glob_drops = self.stats.drop_set_counter(dict(drop_globs))
        path, as_mapping, mismatch = node.path, node.as_mapping, self._mismatch
        applied, invalid, unknown_counts = self.stats.direct, self.invalid, self.stats.unknown
        required, check_required = self._required(node), self._check_required
        renames = dict(node.renames)

        def run_named_map(value: Any, scope: RecordScope) -> Any:
            mapping = value if type(value) is dict else as_mapping(value)
            if mapping is None:
                return mismatch(node, value, "an object")
            out = {}
            seen = 0
            get = mapping.get
            for key, function, index, reject, where in keepers:
                item = get(key, _MISSING)
                if item is _MISSING:
                    continue
                seen += 1
                try:
                    result = function(item, scope)
                except Invalid as exc:
                    result = invalid(index, reject, where, exc, item)
                else:
                    applied[index] += 1
                if result is not DROP:
                    out[key] = result
            unknown = len(mapping) - seen
            if drop_keys:
                dropped = drop_keys.intersection(mapping)
                if dropped:
                    drop_sets[dropped] = drop_sets.get(dropped, 0) + 1
                    unknown -= len(dropped)
            if drop_globs and unknown:  # only records with unnamed keys pay for glob matching
                for key in mapping:
                    if key not in named and isinstance(key, str):
                        for pattern, _ in drop_globs:
                            if fnmatch.fnmatchcase(key, pattern):
                                hit = frozenset((pattern,))
                                glob_drops[hit] = glob_drops.get(hit, 0) + 1
                                unknown -= 1
                                break
            if unknown:
                unknown_counts[path] = unknown_counts.get(path, 0) + unknown
            if required:
                check_required(required, out)
            if renames:
                out = {renames.get(key, key): value for key, value in out.items()}
            return out or DROP

        return run_named_map

    def _scanned_map(self, node: MapNode) -> Transform:
        steps = {id(child): self.step(child) for child in node.children()}
        path, as_mapping, lookup, mismatch = node.path, node.as_mapping, node.lookup, self._mismatch
        applied, invalid, unknown_counts = self.stats.direct, self.invalid, self.stats.unknown
        required, check_required = self._required(node), self._check_required
        renames = dict(node.renames)

        def run_scanned_map(value: Any, scope: RecordScope) -> Any:
            mapping = value if type(value) is dict else as_mapping(value)
            if mapping is None:
                return mismatch(node, value, "an object")
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
                    result = invalid(index, reject, where, exc, item)
                else:
                    applied[index] += 1
                if result is not DROP:
                    out[out_key] = result
            # The same tail as run_named_map's, written out: a shared closure call per object measured
            # +3% instructions per strict record (make bench-instructions, 2026-12-01).
            if unknown:
                unknown_counts[path] = unknown_counts.get(path, 0) + unknown
            if required:
                check_required(required, out)
            if renames:
                out = {renames.get(key, key): value for key, value in out.items()}
            return out or DROP

        return run_scanned_map
