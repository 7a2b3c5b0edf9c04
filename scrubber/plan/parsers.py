"""Structures a catalogue can declare for a string field, so rules can address its parts by name."""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable


def parse_cookie_header(text: str) -> dict[str, str]:
    """``"a=1; b=2"`` -> ``{"a": "1", "b": "2"}``; lenient, unlike http.cookies, which drops odd input."""
    result: dict[str, str] = {}
    for part in text.split(";"):
        name, sep, value = part.partition("=")
        name = name.strip()
        if name and sep:
            result[name] = value.strip()
        elif name:
            result[name] = ""
    return result


def parse_query_string(text: str) -> dict[str, str]:
    """The query parameters of a URL (or of a bare query string) as name -> last value."""
    query = urllib.parse.urlsplit(text).query if ("?" in text or "://" in text) else text
    return dict(urllib.parse.parse_qsl(query, keep_blank_values=True))


PARSERS: dict[str, Callable[[str], dict[str, str]]] = {
    "cookie_header": parse_cookie_header,
    "query_string": parse_query_string,
}
