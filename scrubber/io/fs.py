"""Where data lives: local paths, ``gs://`` and ``s3://`` through pyarrow.fs, and expanding input globs.

S3-compatible servers take an endpoint (``FsConfig(s3_endpoint_url=...)``); credentials always come
from the environment (``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY`` or the usual AWS configuration),
never from arguments.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pyarrow as pa
import pyarrow.fs as pafs

from scrubber.errors import ScrubberError

_GLOB_CHARS = frozenset("*?[")


class SourceError(ScrubberError):
    """An input cannot be listed or opened (missing, no permission, unreachable). Names the path only."""


@dataclass(frozen=True, slots=True)
class InputFile:
    """One matched input file: its URI as given back to the user, its size in bytes and modification time."""

    uri: str
    size: int
    mtime_ns: int | None = None


@dataclass(frozen=True)
class FsConfig:
    """How to reach object stores. Picklable; holds no credentials."""

    s3_endpoint_url: str | None = None
    s3_region: str | None = None

    def resolve(self, uri: str) -> tuple[pafs.FileSystem, str]:
        """The file system for a URI or local path, and the path inside it."""
        scheme = scheme_of(uri)
        if scheme == "s3":
            return self._s3(), uri[len("s3://") :].rstrip("/")
        if scheme in ("", "file"):
            path = uri[len("file://") :] if scheme == "file" else uri
            return pafs.LocalFileSystem(), os.path.abspath(os.path.expanduser(path))
        try:
            fs, path = pafs.FileSystem.from_uri(uri)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, OSError) as exc:
            raise SourceError(
                f"{uri}: unsupported location ({short_error(exc)}); use a local path, gs:// or s3://"
            ) from None
        return fs, path.rstrip("/")

    def _s3(self) -> pafs.FileSystem:
        kwargs: dict[str, Any] = {"region": self.s3_region or os.environ.get("AWS_REGION") or "us-east-1"}
        if self.s3_endpoint_url:
            url = self.s3_endpoint_url if "://" in self.s3_endpoint_url else "https://" + self.s3_endpoint_url
            parts = urlsplit(url)
            kwargs["scheme"] = parts.scheme or "https"
            kwargs["endpoint_override"] = parts.netloc
        return pafs.S3FileSystem(**kwargs)


def scheme_of(uri: str) -> str:
    match = re.match(r"^([a-zA-Z][a-zA-Z0-9+.-]*)://", uri)
    return match.group(1).lower() if match else ""


def uri_for(original: str, fs_path: str) -> str:
    """A URI for a path inside the file system that ``original`` resolved to."""
    scheme = scheme_of(original)
    return f"{scheme}://{fs_path}" if scheme not in ("", "file") else fs_path


def join_uri(base: str, *names: str) -> str:
    return "/".join([base.rstrip("/"), *names])


def short_error(exc: BaseException) -> str:
    """An OS/Arrow error without paths or data beyond its first line."""
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:200]


# --- globbing ------------------------------------------------------------------------------------


def _glob_regex(pattern: str) -> re.Pattern[str]:
    """Shell-style: ``*`` and ``?`` stay within a path segment, ``**`` crosses segments, ``[...]`` classes."""
    out = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:[^/]+/)*")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            end = pattern.find("]", i + 1)
            if end < 0:
                out.append(re.escape(c))
            else:
                body = pattern[i + 1 : end]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append(f"[{body}]")
                i = end
        else:
            out.append(re.escape(c))
        i += 1
    return re.compile("".join(out) + r"\Z")


def _hidden(path: str, base: str) -> bool:
    """True if any segment below ``base`` starts with '.' or '_' (temp files, markers, manifests)."""
    relative = path[len(base) :].lstrip("/")
    return any(part.startswith((".", "_")) for part in relative.split("/"))


def expand_inputs(patterns: Sequence[str], fs_config: FsConfig) -> list[InputFile]:
    """Every file matched by the patterns, sorted and de-duplicated. Raises SourceError if one matches nothing.

    A pattern is a file, a directory (its files, not recursive) or a glob. Files whose names start
    with '.' or '_' are skipped unless named exactly.
    """
    found: dict[str, InputFile] = {}
    for pattern in patterns:
        fs, path = fs_config.resolve(pattern)
        matched = _expand_one(fs, path, pattern)
        if not matched:
            raise SourceError(f"no input file matches {pattern!r}")
        for fs_path, size, mtime_ns in matched:
            uri = uri_for(pattern, fs_path)
            found[uri] = InputFile(uri, size, mtime_ns)
    return [found[k] for k in sorted(found)]


def _expand_one(fs: pafs.FileSystem, path: str, pattern: str) -> list[tuple[str, int, int | None]]:
    segments = path.split("/")
    first_glob = next((i for i, s in enumerate(segments) if _GLOB_CHARS & set(s)), None)
    try:
        if first_glob is None:
            info = fs.get_file_info(path)
            if info.type == pafs.FileType.File:
                return [(path, info.size or 0, info.mtime_ns)]
            if info.type == pafs.FileType.Directory:
                infos = fs.get_file_info(pafs.FileSelector(path, recursive=False))
                return sorted(
                    (i.path, i.size or 0, i.mtime_ns)
                    for i in infos
                    if i.type == pafs.FileType.File and not _hidden(i.path, path)
                )
            return []
        base = "/".join(segments[:first_glob]) or "/"
        recursive = first_glob < len(segments) - 1 or "**" in path
        infos = fs.get_file_info(pafs.FileSelector(base, recursive=recursive, allow_not_found=True))
    except (OSError, pa.ArrowException) as exc:
        raise SourceError(f"cannot list {pattern!r}: {short_error(exc)}") from None
    regex = _glob_regex(path)
    return sorted(
        (i.path, i.size or 0, i.mtime_ns)
        for i in infos
        if i.type == pafs.FileType.File and regex.match(i.path) and not _hidden_unless_named(i.path, base, path)
    )


def _hidden_unless_named(found: str, base: str, pattern: str) -> bool:
    """Hidden files are matched only by a pattern segment that itself starts with '.' or '_'."""
    relative = found[len(base) :].lstrip("/").split("/")
    pattern_parts = pattern[len(base) :].lstrip("/").split("/")
    for i, part in enumerate(relative):
        if part.startswith((".", "_")):
            wanted = pattern_parts[i] if i < len(pattern_parts) else ""
            if not wanted.startswith(part[0]):
                return True
    return False


def files_below(uri: str, fs_config: FsConfig, *, allow_empty: bool = False) -> dict[str, str]:
    """The data files of a directory, recursively, as {path relative to ``uri`` ('/'-separated, as audits
    write it): URI}, sorted by path. Path segments starting with '.' or '_' are skipped (temporary
    directories, audits, manifests, erasure records). A file URI is {its name: URI}. Raises SourceError
    if there is nothing (unless ``allow_empty``)."""
    fs, base = fs_config.resolve(uri)
    try:
        info = fs.get_file_info(base)
        if info.type == pafs.FileType.File:
            return {base.rsplit("/", 1)[-1]: uri}
        infos = []
        if info.type == pafs.FileType.Directory:
            infos = fs.get_file_info(pafs.FileSelector(base, recursive=True))
    except (OSError, pa.ArrowException) as exc:
        raise SourceError(f"cannot list {uri!r}: {short_error(exc)}") from None
    if info.type == pafs.FileType.NotFound:
        raise SourceError(f"no input file matches {uri!r}")
    found = {}
    for i in infos:
        relative = i.path[len(base) :].lstrip("/")
        if i.type == pafs.FileType.File and not any(part.startswith((".", "_")) for part in relative.split("/")):
            found[relative] = uri_for(uri, i.path)
    if not found and not allow_empty:
        raise SourceError(f"no input file matches {uri!r}")
    return dict(sorted(found.items()))
