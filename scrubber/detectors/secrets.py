"""Credentials in text: bearer tokens, JWTs, well-known API key formats and 'password=...' style assignments."""

from __future__ import annotations

import base64
import binascii

import regex

from scrubber.detectors.base import Example, PatternDetector, compile_pattern

PATTERN = compile_pattern(
    r"""
    (?<![\w-])
    (?:
      (?i:bearer|token)\s+(?P<bearer>[A-Za-z0-9._~+/-]{16,}=*)          # Authorization: Bearer <token>
    | (?P<jwt>eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,})  # JWT: header.payload.signature
    | (?P<key>
        sk-(?:proj-|ant-(?:api\d\d-)?|live-)?[A-Za-z0-9_-]{20,}           # OpenAI / Anthropic secret keys
      | (?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{16,}                      # Stripe
      | (?:AKIA|ASIA)[0-9A-Z]{16}                                        # AWS access key id
      | gh[pousr]_[A-Za-z0-9]{36,}                                       # GitHub tokens
      | github_pat_[A-Za-z0-9_]{22,}                                     # GitHub fine-grained PAT
      | glpat-[A-Za-z0-9_-]{20,}                                         # GitLab PAT
      | xox[abposr]-[A-Za-z0-9-]{10,}                                    # Slack tokens
      | AIza[0-9A-Za-z_-]{35}                                            # Google API key
      | hf_[A-Za-z0-9]{30,}                                              # Hugging Face token
      | npm_[A-Za-z0-9]{36}                                              # npm token
      | pypi-AgE[A-Za-z0-9_-]{50,}                                       # PyPI token
      | SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}                         # SendGrid
      | (?:sq0atp|sq0csp)-[A-Za-z0-9_-]{22,}                             # Square
      | shp(?:at|ss|pa|ca)_[a-fA-F0-9]{32}                               # Shopify
      )
    | (?i:api[_-]?key|apikey|secret|client[_-]?secret|access[_-]?token|auth[_-]?token
        |password|passwd|pwd|passwort|mot[ ]de[ ]passe|contraseña)               # a credential's name
      ["']?\s*[:=]\s*["']?(?P<assigned>[^\s"',;]{6,})                  # key = value assignments
    )
    (?![\w-])
    """
)


def _jwt_ok(token: str) -> bool:
    header = token.split(".", 1)[0]
    try:
        decoded = base64.urlsafe_b64decode(header + "=" * (-len(header) % 4))
    except (binascii.Error, ValueError):
        return False
    return decoded.startswith(b"{") and b'"' in decoded


def validate(match: regex.Match[str], text: str) -> tuple[int, int] | None:
    for group in ("jwt", "key", "bearer", "assigned"):
        value = match.group(group)
        if value:
            if group == "jwt" and not _jwt_ok(value):
                return None
            if group == "bearer" and not (any(c.isdigit() for c in value) and any(c.isalpha() for c in value)):
                return None
            start, end = match.span(group)
            return int(start), int(end)
    return None


DETECTOR = PatternDetector(
    name="SECRET",
    pattern=PATTERN,
    validate=validate,
    trigger=(
        r"(?i:bearer|token)\s+[A-Za-z0-9._~+/-]{16}|eyJ[A-Za-z0-9_-]{8,}\.eyJ|sk-[A-Za-z0-9_-]{20}|"
        r"(?:sk|pk|rk)_(?:live|test)_|(?:AKIA|ASIA)[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{36}|github_pat_|glpat-|"
        r"xox[abposr]-|AIza[0-9A-Za-z_-]{35}|hf_[A-Za-z0-9]{30}|npm_[A-Za-z0-9]{36}|pypi-AgE|SG\.[A-Za-z0-9_-]{22}\.|"
        r"sq0(?:atp|csp)-|shp(?:at|ss|pa|ca)_|"
        r"(?i:api[_-]?key|apikey|secret|token|password|passwd|pwd|passwort|mot de passe|contraseña)[\"']?\s*[:=]"
    ),
    max_len=2048,
    priority=95,
    examples=(
        Example("Authorization: Bearer abcDEF1234567890ghijKLMN", ("abcDEF1234567890ghijKLMN",)),
        Example(
            "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U ok",
            ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",),
        ),
        Example(
            "key sk-proj-AbCdEfGhIjKlMnOpQrStUvWx12 and AKIAIOSFODNN7EXAMPLE",
            ("sk-proj-AbCdEfGhIjKlMnOpQrStUvWx12", "AKIAIOSFODNN7EXAMPLE"),
        ),
        Example("password: hunter22!", ("hunter22!",)),
        Example("the bearer of bad news; token count 12; sk-short", ()),
    ),
)
