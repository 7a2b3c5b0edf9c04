"""Parameters that each parse but contradict each other are refused when the catalogue is checked."""

from __future__ import annotations

import pytest

from tests.catalogue.helpers import check


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (
            "{field: status, op: int_range, min: 600, max: 100}",
            "rules[0] (field status, op int_range): min (600) is above max (100), so no value could pass; swap them.",
        ),
        (
            "{field: ts, op: epoch_second, min: 2000000000, max: 1000000000}",
            "rules[0] (field ts, op epoch_second): min (2000000000) is above max (1000000000)",
        ),
        ("{field: model, op: keep, pattern: '[a-'}", "pattern is not a valid regular expression (unterminated"),
        ("{field: role, op: keep, values: []}", "values is empty, so no value could pass"),
        ("{field: model, op: keep, max_length: 0}", "max_length is 0, so no string could pass"),
    ],
)
def test_contradicting_parameters_are_refused_with_file_and_line(tmp_path, test_key, rule, expected):
    message = check(tmp_path, test_key, f"catalogue: t\nrules:\n  - {{field: x, op: drop}}\n  - {rule}\n")
    assert message.startswith(f"{tmp_path / 'broken.yaml'}:4: "), message
    assert expected.replace("rules[0]", "rules[1]") in message
    assert "Example: - " in message


def test_an_equal_min_and_max_is_fine(tmp_path, test_key):
    from scrubber import Scrubber

    path = tmp_path / "ok.yaml"
    path.write_text("catalogue: t\nrules:\n  - {field: status, op: int_range, min: 200, max: 200}\n")
    assert Scrubber.from_catalogue(path, key=test_key).scrub({"status": 200}) == {"status": 200}
