"""Messaging handles: Matrix ids (@user:server), fediverse handles (@user@server) and @handles after a platform word."""

from __future__ import annotations

import regex

from scrubber.detectors.base import Example, PatternDetector, compile_pattern, context_words, has_context

PATTERN = compile_pattern(
    r"""
    (?<![\w@./])                               # an @ that starts a token (not an e-mail's @)
    (?P<id>
      @[A-Za-z0-9._=/+-]{1,64}                 # localpart
      (?P<server>
        [:@][A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*\.[A-Za-z]{2,24}  # Matrix ':' or fediverse '@' server
        (?::\d{1,5})?                          # optional port
      )?
    )
    (?![\w@]|\.[A-Za-z0-9])
    """
)

HANDLE_WORDS = context_words(
    "twitter",
    "x",
    "telegram",
    "tg",
    "instagram",
    "insta",
    "ig",
    "tiktok",
    "github",
    "gitlab",
    "mastodon",
    "discord",
    "slack",
    "threads",
    "bluesky",
    "signal",
    "snapchat",
    "reddit",
    "youtube",
    "twitch",
    "skype",
    "handle",
    "username",
    "user name",
    "user",
    "follow",
    "follow me",
    "dm",
    "dm me",
    "ping",
    "reach me",
    "find me",
    "account",
    "nick",
    "nickname",
    "benutzername",
    "pseudo",
    "usuario",
    "utente",
    "profil",
    "profile",
    "matrix",
    "element",
    "wire",
    "threema",
    "kik",
    "linkedin",
    "facebook",
    "fb",
    "cc",
)


def validate(match: regex.Match[str], text: str) -> tuple[int, int] | None:
    start, end = match.span("id")
    if match.group("server"):
        return start, end
    if end - start < 3 or match.group("id")[1:].isdigit():
        return None
    return (start, end) if has_context(text, start, HANDLE_WORDS, 40) else None


DETECTOR = PatternDetector(
    name="HANDLE",
    pattern=PATTERN,
    validate=validate,
    trigger=r"@[A-Za-z0-9._=/+-]",
    max_len=200,
    priority=75,
    examples=(
        Example("my matrix id is @anna.k:matrix.org, ping me", ("@anna.k:matrix.org",)),
        Example("follow me on Twitter: @jdoe_1987", ("@jdoe_1987",)),
        Example("Mastodon @lena@chaos.social", ("@lena@chaos.social",)),
        Example("mail anna@example.org at 10 @ 5pm, decorator @property", ()),
    ),
)
