"""The operator registry: one explicit dict from name to operator."""

from __future__ import annotations

from typing import Any

from scrubber.operators import (
    drop,
    epoch_second,
    generalize,
    int_range,
    keep,
    pseudonymize,
    round_coord,
    scan_json,
    scan_text,
    strip_params,
    truncate_ip,
)
from scrubber.operators.base import (
    DROP,
    BuildContext,
    Invalid,
    Operator,
    OutputCheck,
    RecordScope,
    RuleBase,
    Transform,
)

OPERATORS: dict[str, Operator[Any]] = {
    op.name: op
    for op in (
        keep.OPERATOR,
        drop.OPERATOR,
        pseudonymize.OPERATOR,
        truncate_ip.OPERATOR,
        round_coord.OPERATOR,
        epoch_second.OPERATOR,
        int_range.OPERATOR,
        strip_params.OPERATOR,
        scan_text.OPERATOR,
        scan_json.OPERATOR,
        generalize.OPERATOR,
    )
}

__all__ = [
    "DROP",
    "OPERATORS",
    "BuildContext",
    "Invalid",
    "Operator",
    "OutputCheck",
    "RecordScope",
    "RuleBase",
    "Transform",
]
