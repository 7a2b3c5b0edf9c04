"""Deterministic synthetic gateway logs shaped like shared/log-format.md, for benchmarks and tests.

About 30% of records carry identifiers in their text; some texts are long; every record has
the messy variety of the real thing (ts as int/float/ISO, status as string, ports on IPs,
Cookie header strings, fingerprint fields, unknown fields).
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from typing import Any

FIRST = ["Anna", "Jonas", "Marie", "Luca", "Sofia", "Mateo", "Emma", "Noah", "Chloé", "Jakub", "Ingrid", "Pieter"]
LAST = ["Müller", "Rossi", "García", "Kowalski", "Dubois", "Jansen", "Smith", "Andersson", "Novák", "Silva"]
BENIGN = [
    "Can you summarise the attached release notes for version 2.14.3?",
    "Translate the following paragraph into French, keeping the formal tone.",
    "Write a haiku about autumn in the mountains.",
    "Explain the difference between a process and a thread, with an example in Go.",
    "What is the time complexity of heapsort and why?",
    "Draft a polite reply declining the meeting on Thursday at 14:30.",
    "List three risks of the migration plan and how to mitigate each one.",
    "Order 88412 shipped on 2026-11-02; the invoice total was 129.90 EUR.",
]
TEMPLATES = [
    "Hi, I'm {name}. Please send the contract to {email}.",
    "My phone is {phone}, call me after 5pm. Thanks, {name}",
    "Refund to IBAN {iban} please, reference order 55123.",
    "The server at {ip} returns 502 since this morning.",
    "Card {card} was charged twice, can you check?",
    "Log in as {email} from {ip} failed with error 403.",
    "Dear {name}, your ticket 7781 has been updated.",
]
PHONES = ["+49 151 23456789", "+44 20 7946 0958", "+33 6 12 34 56 78", "(415) 555-0132", "+31 6 12345678"]
IBANS = ["DE89 3704 0044 0532 0130 00", "GB82WEST12345698765432", "FR1420041010050500013M02606", "NL91ABNA0417164300"]
CARDS = ["4111 1111 1111 1111", "5500-0000-0000-0004", "340000000000009"]


WORDS = [
    "the",
    "a",
    "an",
    "of",
    "to",
    "and",
    "in",
    "for",
    "on",
    "with",
    "as",
    "by",
    "at",
    "from",
    "about",
    "into",
    "over",
    "after",
    "before",
    "under",
    "between",
    "report",
    "model",
    "data",
    "server",
    "request",
    "error",
    "release",
    "version",
    "update",
    "table",
    "query",
    "index",
    "user",
    "account",
    "summary",
    "draft",
    "review",
    "plan",
    "budget",
    "meeting",
    "schedule",
    "deadline",
    "customer",
    "invoice",
    "order",
    "shipment",
    "explain",
    "translate",
    "summarise",
    "rewrite",
    "compare",
    "list",
    "describe",
    "suggest",
    "improve",
    "check",
    "fix",
    "write",
    "quickly",
    "carefully",
    "briefly",
    "formal",
    "friendly",
    "short",
    "long",
    "detailed",
    "simple",
    "clear",
    "next",
    "last",
    "first",
    "python",
    "golang",
    "rust",
    "java",
    "kubernetes",
    "docker",
    "postgres",
    "redis",
    "kafka",
    "spark",
    "beam",
    "flink",
    "parquet",
    "json",
]


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randrange(6, 18))]
    return " ".join(words).capitalize() + rng.choice([".", "?", "!", ":"])


def _text(rng: random.Random, with_identifier: bool) -> str:
    if not with_identifier and rng.random() < 0.7:
        text = " ".join(_sentence(rng) for _ in range(rng.randrange(1, 4)))
        if rng.random() < 0.3:
            text += " " + rng.choice(BENIGN)
    elif with_identifier:
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        text = rng.choice(TEMPLATES).format(
            name=name,
            email=f"{name.split()[0].lower()}.{rng.randrange(1000)}@example.com",
            phone=rng.choice(PHONES),
            iban=rng.choice(IBANS),
            ip=f"198.51.{rng.randrange(256)}.{rng.randrange(1, 255)}",
            card=rng.choice(CARDS),
        )
    else:
        text = rng.choice(BENIGN)
    if rng.random() < 0.05:
        text = text + " " + " ".join(_sentence(rng) for _ in range(rng.randrange(20, 120)))
    return text


SYSTEM_PROMPTS = [
    "You are a helpful assistant.",
    "You are a concise assistant for the support team of ACME. Answer in the user's language.",
    "You are a coding assistant. Prefer short, correct answers with examples.",
]
USERS = 5_000
SESSIONS_PER_USER = 4


def record(rng: random.Random, index: int) -> dict[str, Any]:
    """One synthetic raw record: users and sessions recur, as they do in real gateway logs."""
    user = rng.randrange(USERS)
    session = user * SESSIONS_PER_USER + rng.randrange(SESSIONS_PER_USER)
    ts: Any = 1763892902 + index
    shape = rng.random()
    if shape < 0.3:
        hms = f"{rng.randrange(24):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d}"
        ts = f"2026-11-23T{hms}.{rng.randrange(1000):03d}Z"
    elif shape < 0.4:
        ts = ts + 0.25
    identifiers = rng.random() < 0.3
    ip = f"203.0.{rng.randrange(256)}.{rng.randrange(1, 255)}"
    if rng.random() < 0.2:
        ip = f"{ip}:{rng.randrange(1024, 65535)}"
    elif rng.random() < 0.1:
        ip = f"[2001:db8:{rng.randrange(65536):x}::{rng.randrange(65536):x}]:443"
    rec: dict[str, Any] = {
        "ts": ts,
        "request_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "session_id": f"{session * 2654435761 % 2**64:016x}",
        "user_id": [
            str(uuid.UUID(int=user * 11400714819323198485 % 2**128, version=4)),
            user,
            f"user{user}@example.org",
        ][user % 3],
        "status": rng.choice([200, 200, 200, "200", 201, 404, 429, 500]),
        "retry_count": rng.choice([0, 0, 0, 1, "2"]),
        "latency_ms": rng.randrange(20, 5000),
        "model": rng.choice(["ft:llama-2-7b:acme:2026-11", "gpt-4o-mini", "mistral-7b-instruct"]),
        "client": {
            "ip": ip,
            "forwarded_for": f"{ip.split(':')[0]}, 10.0.0.{rng.randrange(255)}",
            "user_agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36",
            "accept_language": "de-CH,de;q=0.9,en;q=0.8",
            "ja3": f"{rng.getrandbits(128):032x}",
            "screen": "1920x1080",
            "fonts": ["Arial", "Noto Sans", "DejaVu Sans"],
            "canvas_hash": f"{rng.getrandbits(64):016x}",
        },
        "geo": {"lat": round(rng.uniform(-60, 70), 6), "lon": round(rng.uniform(-170, 170), 6)},
        "url": f"https://chat.example.com/c/{rng.randrange(10**6)}?utm_source=mail&gclid={rng.getrandbits(40):x}",
        "cookies": f"_ga=GA1.2.{rng.getrandbits(30)}.{rng.getrandbits(30)}; "
        f"_gid=GA1.2.{rng.getrandbits(20)}; theme=dark",
        "headers": {"X-Request-Start": str(rng.getrandbits(32)), "X-MSISDN": f"+49151{rng.randrange(10**8):08d}"},
        "trace": {"span": f"{rng.getrandbits(64):x}"},
    }
    if rng.random() < 0.8:
        rec["messages"] = [
            {"role": "system", "content": SYSTEM_PROMPTS[user % len(SYSTEM_PROMPTS)]},
            {"role": "user", "content": _text(rng, identifiers)},
            {"role": "assistant", "content": _text(rng, False)},
        ]
    else:
        rec["prompt"] = _text(rng, identifiers)
        rec["completion"] = _text(rng, False)
    return rec


def records(count: int, seed: int = 20261125) -> Iterator[dict[str, Any]]:
    """``count`` records, the same for the same seed."""
    rng = random.Random(seed)
    for index in range(count):
        yield record(rng, index)
