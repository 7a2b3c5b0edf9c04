"""Coordinate pairs: decimal degrees (52.5200, 13.4050 / 52.52°N 13.405°E / geo:52.52,13.405) and DMS."""

from __future__ import annotations

import regex

from scrubber.detectors.base import Example, PatternDetector, compile_pattern, context_words, has_context

PATTERN = compile_pattern(
    r"""
    (?<![\w.,-]|\d\s)
    (?P<id>
      (?P<dec>
        (?P<lat>[-+−]?\d{1,2}\.(?P<latd>\d{2,8}))        # latitude, decimal degrees
        \s?°?\s?(?P<ns>[NSns])?                           # optional degree sign and hemisphere
        (?:\s?[,;/]\s?|\s)                                # one separator
        (?P<lon>[-+−]?\d{1,3}\.(?P<lond>\d{2,8}))        # longitude
        \s?°?(?:\s?(?P<ew>[EWOewo])\b)?                   # optional degree sign and hemisphere
      )
    | (?P<dms>
        \d{1,2}\s?°\s?\d{1,2}\s?['′]\s?(?:\d{1,2}(?:[.,]\d{1,4})?\s?(?:"|″|'')\s?)?[NSns]   # 52°31'12.5"N
        [,;]?\s?
        \d{1,3}\s?°\s?\d{1,2}\s?['′]\s?(?:\d{1,2}(?:[.,]\d{1,4})?\s?(?:"|″|'')\s?)?[EWOewo]  # 13°24'18"E
      )
    )
    (?![\w]|[.,]\d)
    """
)

GEO_WORDS = context_words(
    "lat",
    "lon",
    "lng",
    "latitude",
    "longitude",
    "coordinates",
    "coords",
    "gps",
    "location",
    "position",
    "geo",
    "loc",
    "standort",
    "koordinaten",
    "coordonnées",
    "coordenadas",
    "coordinate",
    "posizione",
    "ubicación",
    "lokalizacja",
    "współrzędne",
    "sijainti",
    "position:",
    "at",
    "near",
    "pin",
    "breitengrad",
)


def validate(match: regex.Match[str], text: str) -> tuple[int, int] | None:
    start, end = match.span("id")
    if match.group("dms"):
        return start, end
    lat = float(match.group("lat").replace("−", "-"))
    lon = float(match.group("lon").replace("−", "-"))
    if abs(lat) > 90 or abs(lon) > 180:
        return None
    marked = bool(match.group("ns") or match.group("ew")) or "°" in match.group("dec")
    precise = len(match.group("latd")) >= 4 and len(match.group("lond")) >= 4
    if (
        marked
        or precise
        or (min(len(match.group("latd")), len(match.group("lond"))) >= 3 and has_context(text, start, GEO_WORDS, 32))
    ):
        return start, end
    return None


DETECTOR = PatternDetector(
    name="COORDINATES",
    pattern=PATTERN,
    validate=validate,
    trigger=r"\d\.\d{2}\d*[^\d\n]{1,6}\d{1,3}\.\d{2}|\d\s?°\s?\d",
    max_len=60,
    priority=60,
    examples=(
        Example("I'm at 52.520008, 13.404954 right now", ("52.520008, 13.404954",)),
        Example("meet at 48.8584° N, 2.2945° E", ("48.8584° N, 2.2945° E",)),
        Example("Pos 40°26'46\"N 79°58'56\"W", ("40°26'46\"N 79°58'56\"W",)),
        Example("prices 12.50, 13.99 and 1.234, 5.678; version 2.14 3.11", ()),
    ),
)
