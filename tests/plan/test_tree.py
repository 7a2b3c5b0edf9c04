"""The plan tree: conflicting rules (two for one field, one on an object and one inside it) are errors."""

from __future__ import annotations

from tests.catalogue.helpers import check


def test_duplicate_rule_for_a_field(tmp_path, test_key):
    message = check(
        tmp_path,
        test_key,
        """\
        catalogue: t
        rules:
          - {field: ts, op: epoch_second}
          - {field: ts, op: drop}
        """,
    )
    assert "broken.yaml:4: rule for 'ts': 'ts' already has a rule at" in message
    assert "broken.yaml:3" in message


def test_leaf_and_children_conflict(tmp_path, test_key):
    message = check(
        tmp_path,
        test_key,
        """\
        catalogue: t
        rules:
          - {field: client, op: drop}
          - {field: client.ip, op: truncate_ip}
        """,
    )
    assert "broken.yaml:4: rule for 'client.ip': 'client' has a rule of its own at" in message


def test_the_tree_is_plain_data_that_names_every_rule_once(test_key):
    """A later step hands the plan to native code: the tree must be data (names, flags, rule indexes)."""
    import orjson

    from scrubber import Scrubber
    from scrubber.plan import to_data

    scrubber = Scrubber.from_catalogue("pseudonymous", key=test_key)
    data = orjson.loads(orjson.dumps(to_data(scrubber.plan.root)))  # JSON round trip: no functions inside

    def leaves(node):
        if node["kind"] == "Leaf":
            yield node
        elif node["kind"] == "ListNode":
            yield from leaves(node["item"])
        else:
            for child in node["exact"].values():
                yield from leaves(child)
            for _, child in node["globs"]:
                yield from leaves(child)

    found = sorted(leaf["rule"] for leaf in leaves(data))
    assert found == list(range(len(scrubber.catalogue.model.rules)))
    assert data["kind"] == "MapNode" and data["exact"]["cookies"]["parse"] == "cookie_header"
    assert data["exact"]["headers"]["case_insensitive"] is True
