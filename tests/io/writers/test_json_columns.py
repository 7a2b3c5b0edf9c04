"""A field whose shape varies is a JSON-text Parquet column; our reader decodes it back into the value."""

from __future__ import annotations

from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from scrubber.io.fs import FsConfig
from scrubber.io.json_columns import JSON_METADATA
from scrubber.io.readers import parquet as parquet_reader
from scrubber.io.writers.parquet import arrow_schema, to_table


def test_json_columns_round_trip_through_parquet(tmp_path: Path) -> None:
    shape = {"ts": "int64", "messages": {"list": {"role": "string", "content": "json"}}}
    schema = arrow_schema(shape)
    content = schema.field("messages").type.value_type.field("content")
    assert content.type == pa.string() and content.metadata == JSON_METADATA
    records = [
        {"ts": 1, "messages": [{"role": "user", "content": "plain"}, {"content": [{"type": "text", "text": "x"}]}]},
        {"ts": 2, "messages": [{"role": "assistant"}]},
    ]
    table = to_table(records, schema)
    stored = table.column("messages").to_pylist()[0]
    assert [m["content"] for m in stored] == ['"plain"', '[{"type":"text","text":"x"}]']  # JSON text in the file
    pq.write_table(table, tmp_path / "out.parquet")
    rows = [orjson.loads(item.data) for item in parquet_reader.read(str(tmp_path / "out.parquet"), FsConfig(), None)]
    assert rows[0] == {
        "ts": 1,
        "messages": [{"role": "user", "content": "plain"}, {"role": None, "content": [{"type": "text", "text": "x"}]}],
    }
    assert rows[1] == {"ts": 2, "messages": [{"role": "assistant", "content": None}]}


def test_a_foreign_string_column_stays_a_string(tmp_path: Path) -> None:
    pq.write_table(pa.table({"messages": ['[{"role":"user"}]']}), tmp_path / "export.parquet")
    rows = [orjson.loads(item.data) for item in parquet_reader.read(str(tmp_path / "export.parquet"), FsConfig(), None)]
    assert rows == [{"messages": '[{"role":"user"}]'}]  # only our marked columns are decoded
