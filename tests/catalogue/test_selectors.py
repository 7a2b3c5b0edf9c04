"""Field selectors: a malformed one is an error naming the file and line."""

from __future__ import annotations

from tests.catalogue.helpers import check


def test_bad_selector(tmp_path, test_key):
    message = check(
        tmp_path,
        test_key,
        """\
        catalogue: t
        rules:
          - {field: 'messages[0].content', op: scan_text}
        """,
    )
    assert "malformed selector" in message and "broken.yaml:3" in message
