"""Names of tracking query parameters and cookies, shared by strip_params and the text detectors."""

from __future__ import annotations

import fnmatch
import urllib.parse
from functools import lru_cache

TRACKING_PARAMS: tuple[str, ...] = (
    "utm_*",
    "gclid",
    "gclsrc",
    "gbraid",
    "wbraid",
    "dclid",
    "fbclid",
    "msclkid",
    "twclid",
    "ttclid",
    "li_fat_id",
    "mc_cid",
    "mc_eid",
    "_hsenc",
    "_hsmi",
    "igshid",
    "yclid",
    "_ga",
    "_gl",
    "epik",
    "rdt_cid",
    "scid",
    "srsltid",
    "mkt_tok",
    "oly_anon_id",
    "oly_enc_id",
    "vero_id",
    "wickedid",
    "s_cid",
)

TRACKING_COOKIES: tuple[str, ...] = (
    "_ga",
    "_ga_*",
    "_gid",
    "_gac_*",
    "_gat*",
    "_fbp",
    "_fbc",
    "_tt_enable_cookie",
    "_ttp",
    "_rdt_uuid",
    "_pin_unauth",
    "_scid",
    "_sctr",
    "_uetmsclkid",
    "_uetsid",
    "_uetvid",
    "_ym_uid",
    "_ym_d",
    "_hjid",
    "_hjSessionUser*",
    "_hjSession_*",
    "_hjAbsoluteSessionInProgress",
    "_pk_*",
    "_clck",
    "_clsk",
)


@lru_cache(maxsize=4096)
def is_tracking_param(name: str) -> bool:
    """True if a query parameter name is a known tracker (case-insensitive)."""
    lowered = name.lower()
    return any(fnmatch.fnmatchcase(lowered, pattern) for pattern in TRACKING_PARAMS)


def strip_url(url: str, allow: frozenset[str] = frozenset(), keep_path: bool = True) -> str:
    """The URL without userinfo, fragment, tracking parameters and any parameter not in ``allow``."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    if ":" in (parts.hostname or "") and parts.hostname:
        host = f"[{parts.hostname}]" + (f":{parts.port}" if parts.port is not None else "")
    pairs = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    kept = [(k, v) for k, v in pairs if k in allow and not is_tracking_param(k)]
    query = urllib.parse.urlencode(kept)
    path = parts.path if keep_path else ""
    return urllib.parse.urlunsplit((parts.scheme, host, path, query, ""))
