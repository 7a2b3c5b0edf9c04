"""Gzip-compressed JSON lines (``1f 8b``), concatenated members included.

A stream that ends early or is corrupt does not stop the run: the lines read before the damage are
yielded as usual (also those inflated from the same read as the damage) and the damage itself becomes
one ``ReadProblem`` at the next line number, which counts the compressed bytes after the damage (the rest
of the file is read to count them). What follows the damage cannot be read: deflate has no points to
resume from.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from scrubber.io.fs import FsConfig
from scrubber.io.lines import Damage, ReadProblem, SourceLine
from scrubber.io.readers.jsonl import open_stream, raw_chunks, split_lines

MAGIC = b"\x1f\x8b"
INFLATE_PIECE_BYTES = 4 << 20


def matches(head: bytes) -> bool:
    return head[:2] == MAGIC


def read(uri: str, fs_config: FsConfig, on_bytes: Callable[[int], None] | None) -> Iterator[SourceLine | ReadProblem]:
    with open_stream(uri, fs_config) as stream:
        yield from split_lines(uri, gunzip(raw_chunks(stream, uri, on_bytes)))


def gunzip(chunks: Iterable[bytes]) -> Iterator[tuple[bytes, Damage | None]]:
    """Decompressed data; a final item carries a problem reason if the stream is damaged.

    Concatenated gzip members (as ``cat a.gz b.gz`` makes) are read one after another. Output is
    produced in bounded pieces, so a small file that inflates hugely does not fill memory at once.
    """
    decomp = zlib.decompressobj(wbits=31)
    in_member = False  # bytes of the current member were fed and its end was not seen yet
    source = iter(chunks)
    for chunk in source:
        data = chunk
        while True:
            if data:
                in_member = True
            before = decomp.copy()  # to recover what precedes a damaged spot in this piece
            try:
                out = decomp.decompress(data, INFLATE_PIECE_BYTES)
            except zlib.error:
                recovered, consumed = _inflate_up_to_damage(before, data)
                unread = len(data) - consumed + sum(len(rest) for rest in source)
                yield recovered, Damage("corrupt_gzip", unread)
                return
            if out:
                yield out, None
            if decomp.eof:
                data = decomp.unused_data
                decomp = zlib.decompressobj(wbits=31)
                in_member = False
                if not data:
                    break
                continue
            data = decomp.unconsumed_tail
            if not data and len(out) < INFLATE_PIECE_BYTES:
                break
    if in_member:
        yield b"", Damage("truncated_gzip")


RECOVERY_STEP_BYTES = 256


def _inflate_up_to_damage(decomp: Any, data: bytes) -> tuple[bytes, int]:
    """What ``decomp`` inflates from ``data`` before the first damaged spot, and how many bytes of ``data``
    were fed before it: fed in small steps, so that only the output of the step holding the damage is lost
    (the lines around it are damaged anyway)."""
    pieces: list[bytes] = []
    total = 0
    consumed = 0
    for start in range(0, len(data), RECOVERY_STEP_BYTES):
        step = data[start : start + RECOVERY_STEP_BYTES]
        try:
            piece = decomp.decompress(step, INFLATE_PIECE_BYTES - total)
        except zlib.error:
            break
        consumed = start + len(step)
        pieces.append(piece)
        total += len(piece)
        if decomp.eof or total >= INFLATE_PIECE_BYTES:
            break
    return b"".join(pieces), consumed
