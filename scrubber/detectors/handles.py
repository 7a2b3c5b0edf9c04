"""Messaging handles: Matrix ids (@user:server), fediverse handles (@user@server), @handles after a platform
word, and bare @mentions in running text (not code words, decorators or doc-comment tags)."""

from __future__ import annotations

import regex

from scrubber.detectors.base import Example, PatternDetector, compile_pattern, context_words, has_context, words

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


# Words after an @ that are code, not accounts: doc-comment tags, annotations, decorators, CSS at-rules.
NOT_ACCOUNTS = frozenset(
    words(
        "param params return returns rtype raise raises throws throw type types see since deprecated author "
        "version link code example note todo ivar var cvar exception inheritdoc override suppresswarnings "
        "functionalinterface test before after autowired component service entity inject nullable nonnull notnull "
        "property staticmethod classmethod dataclass abstractmethod cached_property wraps media import font-face "
        "keyframes charset supports page namespace echo everyone here channel all"
    )
)
_MENTION = regex.compile(r"@[A-Za-z0-9_]{2,30}")


def _mention(text: str, start: int, end: int) -> bool:
    """A bare @handle written to someone in running text ("RT @anna_k: ...", "thanks @bob"): letters, digits
    and underscores only, no code word, not a decorator (alone on its line, or before "("), not a key before
    "="."""
    if not _MENTION.fullmatch(text, start, end) or text[start + 1 : end].lower() in NOT_ACCOUNTS:
        return False
    if text[end : end + 1] == "(":
        return False
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    rest = text[end : len(text) if line_end < 0 else line_end]
    if rest.lstrip(" ").startswith("="):
        return False  # a config key: "@loggers = ..."
    return bool(text[line_start:start].strip() or rest.strip())


def validate(match: regex.Match[str], text: str) -> tuple[int, int] | None:
    start, end = match.span("id")
    if match.group("server"):
        return start, end
    if end - start < 3 or match.group("id")[1:].isdigit():
        return None
    if has_context(text, start, HANDLE_WORDS, 40) or _mention(text, start, end):
        return start, end
    return None


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
        Example("RT @LanaDelRey: new video, thanks @bob_k", ("@LanaDelRey", "@bob_k")),
        Example("mail anna@example.org at 10 @ 5pm, decorator @property", ()),
        Example("@dataclass(frozen=True)\n@lru_cache\ndef f(): ...  # @param x the value", ()),
    ),
)
