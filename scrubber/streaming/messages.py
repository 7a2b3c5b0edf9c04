"""A Kafka message as scrubber sees it, and how it becomes a line for the core."""

from __future__ import annotations

from dataclasses import dataclass

from scrubber.io.lines import ReadProblem, SourceLine

DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024


@dataclass(frozen=True, slots=True)
class KafkaMessage:
    """One consumed message: where it sits in the topic, its timestamp (milliseconds since the epoch, as the
    broker reports it) and its value (``None`` for a tombstone)."""

    topic: str
    partition: int
    offset: int
    timestamp_ms: int
    value: bytes | None


def source_of(topic: str, partition: int) -> str:
    """The ``source`` a quarantine entry names for a message: ``kafka://TOPIC/PARTITION``."""
    return f"kafka://{topic}/{partition}"


def to_line(message: KafkaMessage, max_bytes: int = DEFAULT_MAX_MESSAGE_BYTES) -> SourceLine | ReadProblem:
    """The message as a numbered line (its offset is the line number), or a read problem the core quarantines:
    an empty or tombstone message, or one larger than ``max_bytes`` (its first ``max_bytes`` kept as raw)."""
    value = message.value or b""
    line = SourceLine(source_of(message.topic, message.partition), message.offset, value[:max_bytes])
    if not value.strip():
        return ReadProblem(line, "empty_message")
    if len(value) > max_bytes:
        return ReadProblem(line, "message_too_large", len(value) - max_bytes)
    return line
