"""URLs that carry tracking parameters (utm_*, gclid, fbclid ...). The span is the whole URL; the scanner
rewrites it to the same URL without the tracking parameters (see ``strip_tracking``) instead of a placeholder."""

from __future__ import annotations

import urllib.parse

import regex

from scrubber.detectors.base import Example, PatternDetector, compile_pattern
from scrubber.tracking import TRACKING_PARAMS, is_tracking_param

PATTERN = compile_pattern(
    r"""
    (?<![\w@.])
    (?P<id>
      (?:https?://|www\.)                          # scheme or a bare www. host
      [^\s<>"'`{}|\\^\[\]]{1,2048}                 # host, path, query and fragment
    )
    """
)

_TRAILING = ".,;:!?)]}'\""


def _trim(url: str) -> str:
    """Drop trailing punctuation that belongs to the sentence, keeping a ')' that closes one in the URL."""
    while url and url[-1] in _TRAILING:
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        url = url[:-1]
    return url


def has_tracking(url: str) -> bool:
    query_start = url.find("?")
    if query_start < 0:
        return False
    query = url[query_start + 1 :].split("#", 1)[0]
    return any(is_tracking_param(pair.split("=", 1)[0]) for pair in regex.split(r"[&;]", query) if pair)


def strip_tracking(url: str) -> str:
    """The URL with its tracking parameters removed; every other part, including order and encoding, is kept."""
    parts = urllib.parse.urlsplit(url if "://" in url else "http://" + url)
    kept = [
        p
        for p in regex.split(r"[&;]", parts.query)
        if p and not is_tracking_param(urllib.parse.unquote_plus(p.split("=", 1)[0]))
    ]
    fragment_pairs = parts.fragment.split("&") if "=" in parts.fragment else None
    fragment = parts.fragment
    if fragment_pairs is not None:
        fragment = "&".join(p for p in fragment_pairs if p and not is_tracking_param(p.split("=", 1)[0]))
    rebuilt = urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, "&".join(kept), fragment))
    return rebuilt if "://" in url else rebuilt[len("http://") :]


def validate(match: regex.Match[str], text: str) -> tuple[int, int] | None:
    start = match.start("id")
    url = _trim(match.group("id"))
    return (start, start + len(url)) if has_tracking(url) else None


def _trigger() -> str:
    names = sorted({p.rstrip("*") for p in TRACKING_PARAMS}, key=len, reverse=True)
    return r"(?:https?://|www\.)\S*[?&;](?:" + "|".join(n.replace(".", r"\.") for n in names) + ")"


DETECTOR = PatternDetector(
    name="URL",
    pattern=PATTERN,
    validate=validate,
    trigger=_trigger(),
    trigger_caseless=True,
    max_len=2100,
    priority=20,
    examples=(
        Example(
            "see https://shop.example.com/p/42?utm_source=news&color=red&gclid=abc123.",
            ("https://shop.example.com/p/42?utm_source=news&color=red&gclid=abc123",),
        ),
        Example("plain https://example.com/a?b=1 and www.example.org/?q=utm", ()),
    ),
)
