"""Labelled identifier numbers from other projects' recogniser test tables (fixtures/real_text/numbers.*).

``python -m tests.eval.numbers_build`` reads only ``fixtures/real_text/raw/numbers_raw.json`` (the cases copied
from the test tables of microsoft/presidio and LeapBeyond/scrubadub, with repository, path, commit and licence)
and writes, deterministically (no network, no clock, no randomness):

  * ``numbers.dev.jsonl`` and ``numbers.heldout.jsonl``  one item per test case (heldout: sha256 of the id
    starts with 0-3 in hex, 25%);
  * ``SEALED.numbers.sha256``  the sha256sum line of the heldout file (``sha256sum -c SEALED.numbers.sha256``);
  * ``NUMBERS.md``  provenance, the entity mapping, the ``labelled`` rule and the counts.

Positive cases keep the source's expected spans; negative cases (expected 0 results) are items with no span.
The labels are the source projects' own, not ours: where one looks doubtful the item carries a ``note``.
This script never imports the project's detectors, so the set stays independent of them.

``--check`` exits 1 if a file on disk differs from what would be written.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

from tests.eval.real_text_build import check_files, write_files

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "fixtures" / "real_text"
RAW = OUT / "raw" / "numbers_raw.json"
DEV = "numbers.dev.jsonl"
HELDOUT = "numbers.heldout.jsonl"
SEALED = "SEALED.numbers.sha256"
DOC = "NUMBERS.md"
HELDOUT_DIGITS = "0123"  # first hex digit of sha256(id): 4 of 16 = 25 %

# ------------------------------------------------------------------------------------------ entity -> kind

# The source's entity name (presidio's, or scrubadub's filth type) -> the span kind of this project.
KIND: dict[str, str] = {
    # phone, card, bank
    "PHONE_NUMBER": "PHONE",
    "PHONE": "PHONE",  # scrubadub
    "CREDIT_CARD": "CARD",
    "IBAN_CODE": "IBAN",
    "US_BANK_NUMBER": "ACCOUNT_NUMBER",
    "AU_BANK_ACCOUNT_NUMBER": "ACCOUNT_NUMBER",
    # travel and driving documents
    "US_PASSPORT": "PASSPORT",
    "UK_PASSPORT": "PASSPORT",
    "IT_PASSPORT": "PASSPORT",
    "IN_PASSPORT": "PASSPORT",
    "DE_PASSPORT": "PASSPORT",
    "US_DRIVER_LICENSE": "DRIVER_LICENSE",
    "IT_DRIVER_LICENSE": "DRIVER_LICENSE",
    "DE_DRIVER_LICENSE": "DRIVER_LICENSE",
    "DE_FUEHRERSCHEIN": "DRIVER_LICENSE",
    "DRIVERS_LICENCE": "DRIVER_LICENSE",  # scrubadub (UK)
    # national, personal, tax and health identity numbers of people
    "US_SSN": "NATIONAL_ID",
    "US_ITIN": "NATIONAL_ID",
    "UK_NHS": "NATIONAL_ID",
    "UK_NINO": "NATIONAL_ID",
    "ES_NIF": "NATIONAL_ID",
    "ES_NIE": "NATIONAL_ID",
    "IT_FISCAL_CODE": "NATIONAL_ID",
    "IT_IDENTITY_CARD": "NATIONAL_ID",
    "PL_PESEL": "NATIONAL_ID",
    "FI_PERSONAL_IDENTITY_CODE": "NATIONAL_ID",
    "AU_TFN": "NATIONAL_ID",
    "AU_MEDICARE": "NATIONAL_ID",
    "IN_PAN": "NATIONAL_ID",
    "IN_AADHAAR": "NATIONAL_ID",
    "IN_VOTER": "NATIONAL_ID",
    "SG_NRIC_FIN": "NATIONAL_ID",
    "KR_RRN": "NATIONAL_ID",
    "TH_TNIN": "NATIONAL_ID",
    "CA_SIN": "NATIONAL_ID",
    "DE_PERSONAL_ID": "NATIONAL_ID",
    "DE_ID_CARD": "NATIONAL_ID",
    "DE_TAX_ID": "NATIONAL_ID",
    "DE_SOCIAL_SECURITY": "NATIONAL_ID",
    "DE_HEALTH_INSURANCE": "NATIONAL_ID",
    "NATIONAL_INSURANCE_NUMBER": "NATIONAL_ID",  # scrubadub
    "SOCIAL_SECURITY_NUMBER": "NATIONAL_ID",  # scrubadub
    "TAX_REFERENCE_NUMBER": "NATIONAL_ID",  # scrubadub (UK temporary reference number)
    # numbers of organisations (reported, not required)
    "IT_VAT_CODE": "ORG_ID",
    "AU_ABN": "ORG_ID",
    "AU_ACN": "ORG_ID",
    "SG_UEN": "ORG_ID",
    "ABA_ROUTING_NUMBER": "ORG_ID",  # a bank's routing number, not a person's
    # cheap to include
    "CRYPTO": "CRYPTO_WALLET",
    "IP_ADDRESS": "IP",
    "EMAIL_ADDRESS": "EMAIL",
}


def kind_of(entity: str) -> str:
    """Our span kind for a source entity; ``*_PASSPORT_NUMBER`` (presidio's EU passports) are PASSPORT."""
    if entity in KIND:
        return KIND[entity]
    if entity.endswith(("_PASSPORT", "_PASSPORT_NUMBER")):
        return "PASSPORT"
    if entity.endswith("_DRIVER_LICENSE"):
        return "DRIVER_LICENSE"
    raise KeyError(f"no kind for entity {entity!r}: add it to KIND")


# ------------------------------------------------------------------------------------------ labelled

# Cue words per kind. An item is ``labelled`` when one of its kind's cues stands in the WINDOW characters
# right before a value (not reaching back over an earlier value of the same text).
WINDOW = 40
CUES: dict[str, tuple[str, ...]] = {
    "PHONE": ("phone", "telephone", "tel", "mobile", "cell", "call", "fax", "number"),
    "CARD": ("credit card", "card", "cc", "visa", "mastercard", "amex"),
    "IBAN": ("iban", "ibans", "account"),
    "ACCOUNT_NUMBER": ("account", "acct", "bank"),
    "PASSPORT": ("passport", "passports", "travel document", "reisepass", "pasaporte", "passeport"),
    "DRIVER_LICENSE": (
        "driver license",
        "driver's license",
        "driving licence",
        "license",
        "licence",
        "dvla",
        "führerschein",
        "führerscheinnummer",
        "fahrerlaubnis",
        "patente",
    ),
    "NATIONAL_ID": (
        "ssn",
        "social security",
        "national insurance",
        "ni",
        "nino",
        "nhs",
        "nie",
        "nif",
        "dni",
        "pesel",
        "personal identity code",
        "henkilötunnus",
        "hetu",
        "id",
        "ids",
        "identity",
        "identification",
        "identificación",
        "aadhaar",
        "pan",
        "nric",
        "fin",
        "rrn",
        "tnin",
        "national id",
        "sin",
        "nas",
        "tax id",
        "taxpayer",
        "tin",
        "itin",
        "svnr",
        "sozialversicherungsnummer",
        "personalausweis",
        "kvnr",
        "egk-nummer",
        "krankenkasse",
        "voter",
        "trn",
        "paye",
        "reference number",
        "medicare",
        "tfn",
        "fiscal code",
        "codice fiscale",
        "steuer-id",
        "เลขประจำตัวประชาชน",
        "เลขบัตรประชาชน",
    ),
    "ORG_ID": ("abn", "acn", "uen", "vat", "partita iva", "routing", "aba", "company"),
    "CRYPTO_WALLET": ("wallet", "bitcoin", "btc", "address"),
    "IP": ("ip", "ipv4", "ipv6", "ip address"),
    "EMAIL": ("email", "emails", "e-mail", "mail"),
}


def _cue_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = sorted((r"\s+".join(re.escape(part) for part in w.split()) for w in words), key=len, reverse=True)
    # ASCII-only boundaries, so that 'id' is no cue inside 'valid' but Thai cues (no spaces) still match
    return re.compile(r"(?<![A-Za-z0-9])(?:" + "|".join(alternatives) + r")(?![A-Za-z0-9])", re.IGNORECASE)


CUE_RE: dict[str, re.Pattern[str]] = {kind: _cue_pattern(words) for kind, words in CUES.items()}
_DIGIT = re.compile(r"\d")


def is_labelled(text: str, spans: list[tuple[int, int]], kind: str) -> bool:
    """A cue of ``kind`` in the WINDOW characters before any value; for a negative item (no value) before the
    first digit of the text, or anywhere in a text without digits."""
    cue = CUE_RE[kind]
    if not spans:
        digit = _DIGIT.search(text)
        end = digit.start() if digit else len(text)
        return bool(cue.search(text, max(0, end - WINDOW) if digit else 0, end))
    previous_end = 0
    for start, end in sorted(spans):
        if cue.search(text, max(previous_end, start - WINDOW), start):
            return True
        previous_end = end
    return False


# ------------------------------------------------------------------------------------------ build


def item_id(record: dict[str, Any]) -> str:
    key = f"{record['source_repo']}/{record['path']}\n{record['text']}"
    return "num-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def is_heldout(identifier: str) -> bool:
    return hashlib.sha256(identifier.encode("utf-8")).hexdigest()[0] in HELDOUT_DIGITS


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def make_item(record: dict[str, Any]) -> dict[str, Any]:
    text: str = record["text"]
    if not text:
        raise ValueError(f"empty text in {record['path']}")
    kind = kind_of(record["entity"])
    notes = [record["note"]] if record.get("note") else []
    spans: list[tuple[int, int]] = []
    for start, end in record["spans"]:
        if not 0 <= start < end <= len(text):
            raise ValueError(f"span {(start, end)} outside {text!r} ({record['path']})")
        trimmed = trim(text, start, end)
        if trimmed != (start, end):
            notes.append(f"source span ({start}, {end}) trimmed of surrounding whitespace to {trimmed}")
        spans.append(trimmed)
    if record["positive"] != bool(spans):
        raise ValueError(f"positive={record['positive']} but {len(spans)} spans: {text!r} ({record['path']})")
    item: dict[str, Any] = {
        "id": item_id(record),
        "source": f"{record['source_repo']}@{record['commit']}:{record['path']}",
        "licence": record["licence"],
        "kind": "numbers",
        "group": record["recogniser"],
        "entity": record["entity"],
        "target": kind,
        "text": text,
        "spans": [{"start": s, "end": e, "kind": kind} for s, e in spans],
        "positive": bool(spans),
        "labelled": is_labelled(text, spans, kind),
    }
    if notes:
        item["note"] = "; ".join(notes)
    return item


def dumps(items: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(i, ensure_ascii=False, sort_keys=True) + "\n" for i in items).encode("utf-8")


def load_raw() -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = json.loads(RAW.read_text(encoding="utf-8"))
    return records


def build() -> tuple[dict[str, bytes], dict[str, list[dict[str, Any]]], list[dict[str, Any]]]:
    records = load_raw()
    items = sorted((make_item(r) for r in records), key=lambda i: i["id"])
    ids = Counter(i["id"] for i in items)
    if dupes := [k for k, n in ids.items() if n > 1]:
        raise ValueError(f"duplicate ids (same source file and text): {dupes[:5]}")
    splits = {
        "dev": [i for i in items if not is_heldout(i["id"])],
        "heldout": [i for i in items if is_heldout(i["id"])],
    }
    files = {DEV: dumps(splits["dev"]), HELDOUT: dumps(splits["heldout"])}
    files[SEALED] = f"{hashlib.sha256(files[HELDOUT]).hexdigest()}  {HELDOUT}\n".encode()
    files[DOC] = readme(records, splits).encode("utf-8")
    return files, splits, records


# ------------------------------------------------------------------------------------------ counts and doc


def _pn(items: list[dict[str, Any]]) -> str:
    pos = sum(i["positive"] for i in items)
    return f"{pos}+ {len(items) - pos}-"


def count_table(splits: dict[str, list[dict[str, Any]]], key: str) -> list[str]:
    """Rows 'value | dev +/- | heldout +/- | total +/- | labelled' for the values of ``key``."""
    every = splits["dev"] + splits["heldout"]
    rows = [
        f"| {key} | dev (pos+ neg-) | heldout (pos+ neg-) | total (pos+ neg-) | labelled |",
        "|---|---|---|---|---|",
    ]
    for value in sorted({i[key] for i in every}):
        cells = [_pn([i for i in splits[s] if i[key] == value]) for s in ("dev", "heldout")]
        total = [i for i in every if i[key] == value]
        rows.append(f"| {value} | {cells[0]} | {cells[1]} | {_pn(total)} | {sum(i['labelled'] for i in total)} |")
    rows.append(
        f"| **all** | {_pn(splits['dev'])} | {_pn(splits['heldout'])} | {_pn(every)} | "
        f"{sum(i['labelled'] for i in every)} |"
    )
    return rows


def readme(records: list[dict[str, Any]], splits: dict[str, list[dict[str, Any]]]) -> str:
    every = splits["dev"] + splits["heldout"]
    sources: dict[tuple[str, str, str, str], Counter[bool]] = {}
    for r in records:
        sources.setdefault((r["source_repo"], r["path"], r["commit"], r["licence"]), Counter())[r["positive"]] += 1
    source_rows = ["| repository | path | commit | licence | pos+ neg- |", "|---|---|---|---|---|"]
    for (repo, path, commit, licence), c in sorted(sources.items()):
        source_rows.append(f"| {repo} | `{path}` | `{commit}` | {licence} | {c[True]}+ {c[False]}- |")
    entities: dict[str, set[str]] = {}
    for i in every:
        entities.setdefault(i["entity"], set()).add(i["group"])
    mapping_rows = ["| source entity | our kind | groups |", "|---|---|---|"]
    for entity in sorted(entities, key=lambda e: (kind_of(e), e)):
        mapping_rows.append(f"| {entity} | {kind_of(entity)} | {', '.join(sorted(entities[entity]))} |")
    cue_rows = ["| kind | cue words (case-insensitive) |", "|---|---|"]
    for kind, words in CUES.items():
        cue_rows.append(f"| {kind} | {', '.join(words)} |")
    noted = sum("note" in i for i in every)
    n_dev, n_held = len(splits["dev"]), len(splits["heldout"])
    nl = "\n"
    return f"""# Identifier numbers from other projects' recogniser tests

Generated by `PYTHONPATH=. .venv/bin/python -m tests.eval.numbers_build` from `raw/numbers_raw.json` (do not
edit by hand; `--check` exits 1 if a file differs). {len(every)} items: {n_dev} in `numbers.dev.jsonl`, {n_held} in
`numbers.heldout.jsonl`; `SEALED.numbers.sha256` holds the heldout file's sha256 (`cd fixtures/real_text &&
sha256sum -c SEALED.numbers.sha256`). Tune on dev only; do not read the heldout file.

The texts are the hand-written cases of other projects' recogniser tests, copied exactly (Python string
escapes resolved): phone numbers, payment cards, IBANs, bank accounts, passports, driving licences, national,
personal, tax and health identity numbers, organisation numbers, and (cheap to include) e-mail and IP
addresses and crypto wallets. Positive cases keep the source's expected character spans (each one was checked
by slicing); negative cases (the test expects no result) become items with no span. Nobody in this project
wrote a text or a label, and the build never imports the detectors. Where one of the source's labels looks
doubtful it is kept as it is and the item has a `note` ({noted} items). As a check of the copying, the values
of the checksummed groups (IBAN, cards, PESEL, NIF/NIE, NHS, Steuer-ID, TFN/ABN/ACN, SIN, Aadhaar, PAN, RRN,
TNIN, codice fiscale, partita IVA, SSN/ITIN, ABA) were run once through python-stdnum 2.2 (not through this
project's detectors); every disagreement with the source's label is a format strictness of stdnum or is noted.

## Item format

One JSON object per line, keys sorted: `id` (`num-` + the first 16 hex digits of sha256 of
`<repository>/<path>` + newline + `text`), `source` (`repository@commit:path`), `licence`, `kind` (`numbers`),
`group` (the recogniser: `phone`, `credit_card`, `uk_nhs`, ...), `entity` (the source's entity name),
`target` (our kind for that entity, also on negatives), `text`, `spans` (`start`, `end` in characters of
`text`, `kind`), `positive` (has spans), `labelled` (see below) and, on some items, `note`.

A negative item is negative **for its entity only**: a text rejected by one recogniser may hold another kind
of identifier (the `note` says so where we saw it), and a string rejected by a country's format may be a valid
number elsewhere (`A12345678` is no German or UK passport number, yet it has the shape of a US one).
Score negatives per `target`.

## Sources

Cases are taken from the parametrised tables (presidio) and the BEFORE/AFTER docstrings (scrubadub) of these
files; identical texts within one file are kept once, empty texts are skipped. Where presidio gives no
positions (two IPv6 cases, the German Führerschein test) the span is the whole text or the 11-character value
its docstring describes; that is said in the item's `note`. For scrubadub the span is the part of BEFORE that
AFTER replaces with `{{{{PLACEHOLDER}}}}`. Spans are trimmed of surrounding whitespace (one presidio span
starts with a space; noted on the item).

{nl.join(source_rows)}

Licences: microsoft/presidio is MIT, LeapBeyond/scrubadub is Apache-2.0 (its `LICENSE`). Each file's commit
is the stored version the cases were read from (presidio's tables change over time; a case may differ at
other commits).

## Entity mapping

{nl.join(mapping_rows)}

PHONE, CARD, IBAN, ACCOUNT_NUMBER, PASSPORT, DRIVER_LICENSE and NATIONAL_ID are the kinds to detect;
ORG_ID (numbers of companies and banks) is reported, not required; CRYPTO_WALLET, IP and EMAIL are extras.

## `labelled`

`labelled` is true when a cue word of the item's `target` kind stands in the {WINDOW} characters right before a
value ("my ssn is", "phone:", "passport number"), without reaching back over an earlier value of the same
text; a label after the value ("Z8078221M en mi NIE") does not count. For a negative item, which has no value,
the window is the {WINDOW} characters before the first digit (the whole text when it has none), so
"my credit card number is 4012-8888-8888-1882" is a labelled negative. A cue matches case-insensitively with
ASCII letter/digit boundaries on both sides (so `id` is no cue inside `valid`). Cue words per kind:

{nl.join(cue_rows)}

"number" is a PHONE cue because in running text "my US number is ..." means a telephone number.

## Split

An item is heldout when the first hex digit of sha256(`id`) is 0-3 (25 %).

## Counts per group

{nl.join(count_table(splits, "group"))}

## Counts per kind

{nl.join(count_table(splits, "target"))}

## Weaknesses

Most cases are a bare value with no text around it, written to exercise one regular expression and its
checksum; few are sentences, and none looks like a log line. Presidio's positives include deliberately weak
matches (bare digit runs it scores 0.0-0.1 as a US driving licence, bank account or passport), and its
negatives are often one character away from a positive (a wrong check digit), which is what a checksum test
wants. Several groups have only two or three cases. Values are specimen or generated numbers, not real ones.
"""


def report(splits: dict[str, list[dict[str, Any]]]) -> None:
    for split, items in splits.items():
        print(f"{split}: {len(items)} items ({_pn(items)}), labelled {sum(i['labelled'] for i in items)}")
    print("per group (dev | heldout):")
    groups = sorted({i["group"] for s in splits.values() for i in s})
    for group in groups:
        cells = [_pn([i for i in splits[s] if i["group"] == group]) for s in ("dev", "heldout")]
        print(f"  {group:28s} {cells[0]:>10s} | {cells[1]:>10s}")
    print("per kind (dev | heldout):")
    for kind in sorted({i["target"] for s in splits.values() for i in s}):
        cells = [_pn([i for i in splits[s] if i["target"] == kind]) for s in ("dev", "heldout")]
        print(f"  {kind:28s} {cells[0]:>10s} | {cells[1]:>10s}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the files on disk differ")
    args = parser.parse_args(argv)
    files, splits, _ = build()
    if args.check:
        return check_files(files)
    write_files(files)
    report(splits)
    print(f"wrote {', '.join(sorted(files))} to {OUT.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
