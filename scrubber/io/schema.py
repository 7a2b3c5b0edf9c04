"""The typed output schema that follows from a catalogue, as a pyarrow schema."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from scrubber.errors import CatalogueError

_SCALARS = {"string": pa.string(), "int64": pa.int64(), "double": pa.float64(), "bool": pa.bool_()}


def _arrow_type(shape: Any, path: str) -> pa.DataType:
    if isinstance(shape, str):
        if shape == "glob":
            raise CatalogueError(
                f"{path or 'the record'}: a glob rule keeps values under names not known in advance, "
                "which a typed Parquet schema cannot hold; use --format jsonl or name the fields."
            )
        return _SCALARS[shape]
    if "list" in shape and len(shape) == 1:
        return pa.list_(_arrow_type(shape["list"], path + "[*]"))
    fields = [pa.field(name, _arrow_type(sub, f"{path}.{name}" if path else name)) for name, sub in shape.items()]
    return pa.struct(fields)


def arrow_schema(shape: dict[str, Any]) -> pa.Schema:
    """Every kept field is nullable: a missing input field is a null, never a made-up value."""
    return pa.schema([pa.field(name, _arrow_type(sub, name)) for name, sub in shape.items()])
