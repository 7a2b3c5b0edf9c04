"""The Parquet shard writer: the catalogue's schema, nulls for missing fields, nothing outside the schema."""

from __future__ import annotations

from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from scrubber.io.writers import SinkError
from scrubber.io.writers.parquet import ParquetShardWriter, to_table
from tests.io.writers.helpers import FS, RECORDS, SCHEMA


def test_parquet_shard_has_the_catalogue_schema_and_nulls_for_missing_fields(tmp_path: Path) -> None:
    writer = ParquetShardWriter(FS, str(tmp_path / "s.parquet"), SCHEMA, row_group_rows=2)
    for record in RECORDS:
        writer.write([record])
    assert writer.close().rows == 3
    table = pq.read_table(tmp_path / "s.parquet")
    assert table.schema == SCHEMA
    rows = table.to_pylist()
    assert rows[0] == RECORDS[0]
    assert rows[1] == {"ts": 1795428903, "status": None, "client": None, "geo": None, "messages": None}
    assert pq.ParquetFile(tmp_path / "s.parquet").metadata.num_row_groups == 2


def test_parquet_cannot_carry_a_field_outside_the_schema() -> None:
    table = to_table([{"ts": 1, "user_agent": "Mozilla/5.0 secret-ua"}], SCHEMA)
    assert "user_agent" not in table.column_names
    assert b"secret-ua" not in orjson.dumps(table.to_pylist())


def test_a_value_of_the_wrong_type_names_the_column_not_the_value() -> None:
    with pytest.raises(SinkError) as caught:
        to_table([{"ts": 1}, {"ts": "alice@example.com"}], SCHEMA)
    assert "'ts'" in str(caught.value)
    assert "alice" not in str(caught.value)


def test_schema_types_follow_the_shape() -> None:
    assert SCHEMA.field("messages").type == pa.list_(pa.struct([("role", pa.string()), ("content", pa.string())]))
