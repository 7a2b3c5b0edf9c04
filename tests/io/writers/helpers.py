"""A sample output shape, its Arrow schema and records shaped like scrubbed output."""

from __future__ import annotations

from scrubber.io.fs import FsConfig
from scrubber.io.writers.parquet import arrow_schema

FS = FsConfig()
SHAPE = {
    "ts": "int64",
    "status": "int64",
    "client": {"ip": "string"},
    "geo": {"lat": "double"},
    "messages": {"list": {"role": "string", "content": "string"}},
}
SCHEMA = arrow_schema(SHAPE)
RECORDS = [
    {
        "ts": 1795428902,
        "status": 200,
        "client": {"ip": "203.0.113.0"},
        "geo": {"lat": 47.38},
        "messages": [{"role": "user", "content": "hello <EMAIL>"}],
    },
    {"ts": 1795428903},
    {},
]
