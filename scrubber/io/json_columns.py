"""JSON-text columns in Parquet: a field whose values vary in shape is written as JSON text and marked
with ``JSON_METADATA``, so that our reader (and ``verify``) decode it back into the value."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

JSON_METADATA = {b"scrubber.encoding": b"json"}


def json_paths(schema: pa.Schema | pa.DataType) -> dict[str, Any]:
    """Where a schema holds JSON-text columns: name -> True, or the same for a struct's fields, or
    ``{"[*]": ...}`` for a list's items. Empty when there are none."""

    def of_type(dtype: pa.DataType) -> Any:
        if pa.types.is_struct(dtype):
            inner = {dtype.field(i).name: of_field(dtype.field(i)) for i in range(dtype.num_fields)}
            inner = {name: spec for name, spec in inner.items() if spec}
            return inner or None
        if pa.types.is_list(dtype) or pa.types.is_large_list(dtype):
            item = of_field(dtype.value_field)
            return {"[*]": item} if item else None
        return None

    def of_field(field: pa.Field) -> Any:
        if field.metadata and field.metadata.get(b"scrubber.encoding") == JSON_METADATA[b"scrubber.encoding"]:
            return True
        return of_type(field.type)

    fields = schema if isinstance(schema, pa.Schema) else schema.fields
    found = {field.name: of_field(field) for field in fields}
    return {name: spec for name, spec in found.items() if spec}


def convert_json(value: Any, paths: Any, convert: Any) -> Any:
    """A copy of a record (or part of one) with ``convert`` applied at every JSON-text path."""
    if paths is True:
        return None if value is None else convert(value)
    if isinstance(value, dict):
        return {key: convert_json(item, paths[key], convert) if key in paths else item for key, item in value.items()}
    if isinstance(value, list) and "[*]" in paths:
        return [convert_json(item, paths["[*]"], convert) for item in value]
    return value
