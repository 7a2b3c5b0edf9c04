"""``make``: one rule of an operator, built and called on a single value as a record's only field."""

from __future__ import annotations

from scrubber.operators import OPERATORS, RecordScope


def make(ctx, **rule):
    op = OPERATORS[rule["op"]]
    model = op.rule_model.model_validate({"field": "x", **rule})
    transform = op.build(model, ctx)
    return lambda value: transform(value, RecordScope(record={"x": value}, detector_counts={}))
