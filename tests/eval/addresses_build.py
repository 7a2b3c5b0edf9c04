"""Street addresses and postcodes from other projects' labelled test tables, for measuring an address detector.

``python -m tests.eval.addresses_build`` reads only ``fixtures/real_text/raw/addresses_raw.json`` (excerpts of
openvenues/libpostal, pelias/parser and datamade/usaddress test data, each with repository, path, commit and
licence) and writes, deterministically (no clock, no randomness, no network):

  * ``fixtures/real_text/addresses.dev.jsonl`` and ``addresses.heldout.jsonl``;
  * ``fixtures/real_text/SEALED.round2.sha256``, the ``sha256sum`` line of the heldout file.

Each raw address gives a ``bare`` item (the source string alone) and, unless it spans several lines, a
``sentence`` item (the string inside a sentence frame written for this file, in the country's language, picked
by the sha256 of the address). Spans: ``ADDRESS`` covers house number, road, unit/level/staircase and PO box
(one span per contiguous run), ``POSTCODE`` the postcode; city, district, state, country and house or venue names
are not labelled. The split is by country: a group is heldout when the first hex digit of sha256(group code) is
0-4, except that US is always dev and GB always heldout.

``--check`` exits 1 if the files on disk differ from what would be written.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from tests.eval.real_text_build import check_files, write_files

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "fixtures" / "real_text"
RAW = OUT / "raw" / "addresses_raw.json"
SEAL = OUT / "SEALED.round2.sha256"
DEV = "addresses.dev.jsonl"
HELDOUT = "addresses.heldout.jsonl"

# Source label -> span kind. None: present in the text but deliberately not labelled.
LABELS: dict[str, str | None] = {
    # openvenues/libpostal parser labels
    "house_number": "ADDRESS",
    "road": "ADDRESS",
    "unit": "ADDRESS",
    "level": "ADDRESS",
    "staircase": "ADDRESS",
    "entrance": "ADDRESS",
    "po_box": "ADDRESS",
    "postcode": "POSTCODE",
    "house": None,
    "category": None,
    "near": None,
    "suburb": None,
    "city_district": None,
    "city": None,
    "island": None,
    "state_district": None,
    "state": None,
    "country_region": None,
    "country": None,
    "world_region": None,
    # pelias/parser labels
    "housenumber": "ADDRESS",
    "street": "ADDRESS",
    "unit_type": "ADDRESS",
    "venue": None,
    "locality": None,
    "region": None,
    # datamade/usaddress tags
    "AddressNumberPrefix": "ADDRESS",
    "AddressNumber": "ADDRESS",
    "AddressNumberSuffix": "ADDRESS",
    "StreetNamePreModifier": "ADDRESS",
    "StreetNamePreDirectional": "ADDRESS",
    "StreetNamePreType": "ADDRESS",
    "StreetName": "ADDRESS",
    "StreetNamePostType": "ADDRESS",
    "StreetNamePostDirectional": "ADDRESS",
    "StreetNamePostModifier": "ADDRESS",
    "OccupancyType": "ADDRESS",
    "OccupancyIdentifier": "ADDRESS",
    "SubaddressType": "ADDRESS",
    "SubaddressIdentifier": "ADDRESS",
    "USPSBoxType": "ADDRESS",
    "USPSBoxID": "ADDRESS",
    "USPSBoxGroupType": "ADDRESS",
    "USPSBoxGroupID": "ADDRESS",
    "ZipCode": "POSTCODE",
    "ZipPlus4": "POSTCODE",
    "PlaceName": None,
    "StateName": None,
    "CountryName": None,
    "LandmarkName": None,
    "BuildingName": None,
    "Recipient": None,
    "NotAddress": None,
}

# Two address parts with only this between them are one ADDRESS span ("12/345 Main St", "Road, 23", "18#63").
JOINABLE_GAP = re.compile(r"[\s,.;:/#\-，、]*")

LANG = {
    "DE": "de",
    "AT": "de",
    "CH": "de",
    "FR": "fr",
    "ES": "es",
    "MX": "es",
    "CO": "es",
    "IT": "it",
    "NL": "nl",
    "PL": "pl",
    "PT": "pt",
    "BR": "pt",
    "SE": "sv",
    "DK": "da",
}

# Sentence frames written for this file. The address is inserted verbatim where {address} stands.
TEMPLATES: dict[str, tuple[str, ...]] = {
    "en": (
        "Please send the invoice to {address}.",
        "Customer changed the shipping address to {address}",
        "The parcel could not be delivered to {address}, please confirm.",
        "{address} is listed as the billing address on the account.",
        "New address on file: {address}",
        "The courier found nobody at home at {address} yesterday.",
    ),
    "de": (
        "Meine neue Adresse: {address}",
        "Bitte schicken Sie die Rechnung an {address}.",
        "Die Sendung an {address} konnte nicht zugestellt werden.",
        "Kunde wohnt seit Januar in {address}, bitte Stammdaten aktualisieren.",
        "{address} ist als Rechnungsanschrift hinterlegt.",
    ),
    "fr": (
        "Je réside au {address} depuis mars.",
        "Merci d'envoyer la facture à l'adresse suivante : {address}",
        "Le colis a été retourné, destinataire inconnu au {address}.",
        "Nouvelle adresse de livraison : {address}",
        "{address} est l'adresse enregistrée pour ce client.",
    ),
    "es": (
        "Mi nueva dirección es {address}.",
        "Por favor, envíe la factura a {address}",
        "El paquete no pudo entregarse en {address}, el cliente no estaba.",
        "Dirección de envío actualizada: {address}",
        "{address} figura como domicilio fiscal del cliente.",
    ),
    "it": (
        "Il mio nuovo indirizzo è {address}.",
        "Si prega di inviare la fattura a {address}",
        "Il pacco non è stato consegnato in {address} perché il destinatario era assente.",
        "Indirizzo di spedizione aggiornato: {address}",
        "{address} risulta come indirizzo di fatturazione.",
    ),
    "nl": (
        "Mijn nieuwe adres is {address}.",
        "Stuur de factuur alstublieft naar {address}",
        "Het pakket kon niet worden bezorgd op {address}, er was niemand thuis.",
        "Afleveradres gewijzigd in: {address}",
        "{address} staat geregistreerd als factuuradres.",
    ),
    "pl": (
        "Mój nowy adres to {address}.",
        "Proszę wysłać fakturę na adres {address}",
        "Przesyłka nie została doręczona pod adres {address}, adresat nieobecny.",
        "Zaktualizowany adres dostawy: {address}",
        "{address} jest podany jako adres do faktury.",
    ),
    "pt": (
        "O meu novo endereço é {address}.",
        "Por favor, envie a fatura para {address}",
        "A encomenda não pôde ser entregue em {address}, destinatário ausente.",
        "Endereço de entrega atualizado: {address}",
        "{address} consta como endereço de faturação do cliente.",
    ),
    "sv": (
        "Min nya adress är {address}.",
        "Skicka fakturan till {address}, tack.",
        "Paketet kunde inte levereras till {address} eftersom ingen var hemma.",
        "Uppdaterad leveransadress: {address}",
        "{address} är registrerad som fakturaadress.",
    ),
    "da": (
        "Min nye adresse er {address}.",
        "Send venligst fakturaen til {address}",
        "Pakken kunne ikke leveres til {address}, da ingen var hjemme.",
        "Opdateret leveringsadresse: {address}",
        "{address} er registreret som fakturaadresse.",
    ),
}


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def heldout_group(group: str) -> bool:
    if group == "US":
        return False
    if group == "GB":
        return True
    return sha256(group)[0] in "01234"


def squash(text: str) -> str:
    return " ".join(text.split()).lower()


def _wordish(char: str) -> str:
    """'a' for a letter, 'd' for a digit, '' otherwise; CJK ideographs and kana have no word boundaries."""
    if "\u2e80" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff" or "\uff00" <= char <= "\uffef":
        return ""
    if char.isdigit():
        return "d"
    return "a" if char.isalpha() else ""


def _boundary(text: str, start: int, end: int) -> bool:
    """The match does not cut a run of letters or a run of digits."""
    if start > 0 and _wordish(text[start - 1]) and _wordish(text[start - 1]) == _wordish(text[start]):
        return False
    return not (end < len(text) and _wordish(text[end]) and _wordish(text[end]) == _wordish(text[end - 1]))


def _matches(text: str, value: str) -> list[tuple[int, int]]:
    pattern = re.compile(r"\s+".join(re.escape(piece) for piece in value.split()), re.IGNORECASE)
    return [(m.start(), m.end()) for m in pattern.finditer(text) if _boundary(text, m.start(), m.end())]


def locate(text: str, parts: list[list[str]]) -> list[tuple[int, int, str, str]] | str:
    """Find every part in order; return (start, end, label, value) for the parts found, or why the address fails.

    A part is looked for after the previous one; if it is not there (a source that lists parts out of order),
    anywhere else, but then only a single occurrence is accepted. A labelled part that cannot be placed so makes
    the address fail; an unlabelled one (a venue name the source normalised, say) is just left out.
    """
    found: list[tuple[int, int, str, str]] = []
    cursor = 0
    for label, value in parts:
        if label not in LABELS:
            raise ValueError(f"unmapped label {label!r}")
        free = [(s, e) for s, e in _matches(text, value) if not any(s < fe and fs < e for fs, fe, _, _ in found)]
        after = [(s, e) for s, e in free if s >= cursor]
        if after:
            start, end = after[0]
        elif len(free) == 1:
            start, end = free[0]
        else:
            if LABELS[label] is not None:
                return f"{label} {value!r} {'ambiguous' if free else 'not found'}"
            continue
        found.append((start, end, label, value))
        cursor = max(cursor, end)
    covered = [False] * len(text)
    for start, end, _, _ in found:
        for i in range(start, end):
            covered[i] = True
    loose = "".join(ch if not covered[i] else " " for i, ch in enumerate(text))
    if any(ch.isdigit() for ch in loose):
        return f"unlabelled digits left in {' '.join(loose.split())!r}"
    return sorted(found)


def make_spans(text: str, found: list[tuple[int, int, str, str]]) -> list[dict[str, Any]]:
    spans: list[dict[str, Any]] = []
    run: list[tuple[int, int, str, str]] = []

    def close() -> None:
        if run:
            spans.append({"start": run[0][0], "end": run[-1][1], "kind": "ADDRESS"})
            run.clear()

    for part in found:
        kind = LABELS[part[2]]
        if kind == "ADDRESS":
            if run and not JOINABLE_GAP.fullmatch(text[run[-1][1] : part[0]]):
                close()
            run.append(part)
        elif kind == "POSTCODE":
            close()
            spans.append({"start": part[0], "end": part[1], "kind": "POSTCODE"})
        else:
            close()
    close()
    return sorted(spans, key=lambda s: s["start"])


def verify(text: str, spans: list[dict[str, Any]], found: list[tuple[int, int, str, str]], shift: int) -> None:
    """Every labelled part's text equals its source value (case and whitespace aside), and every span is exactly
    a run of labelled parts of its kind joined by separators only."""
    parts = [(s + shift, e + shift, label, value) for s, e, label, value in found if LABELS[label]]
    for start, end, _, value in parts:
        assert squash(text[start:end]) == squash(value), (text, text[start:end], value)
    previous_end = 0
    for span in spans:
        start, end, kind = span["start"], span["end"], span["kind"]
        assert 0 <= previous_end <= start < end <= len(text), (text, spans)
        assert text[start:end] == text[start:end].strip(), (text, span)
        inside = [p for p in parts if start <= p[0] and p[1] <= end]
        assert inside and inside[0][0] == start and inside[-1][1] == end, (text, span)
        assert all(LABELS[p[2]] == kind for p in inside), (text, span)
        for left, right in itertools.pairwise(inside):
            assert JOINABLE_GAP.fullmatch(text[left[1] : right[0]]), (text, span)
        previous_end = end
    assert sum(1 for p in parts if any(s["start"] <= p[0] and p[1] <= s["end"] for s in spans)) == len(parts)


def build() -> tuple[dict[str, str], list[str]]:
    raw: list[dict[str, Any]] = json.loads(RAW.read_text(encoding="utf-8"))
    items: dict[str, list[dict[str, Any]]] = {DEV: [], HELDOUT: []}
    skipped: list[str] = []
    for entry in raw:
        address = entry["address"].strip()
        group = entry["country_or_group"]
        found = locate(address, entry["parts"])
        if isinstance(found, str):
            skipped.append(f"{group} {address!r}: {found}")
            continue
        lang = LANG.get(group, "en")
        forms: list[tuple[str, str, str | None]] = [("bare", "{address}", None)]
        if "\n" not in address:
            frames = TEMPLATES[lang]
            index = int(sha256(address), 16) % len(frames)
            forms.append(("sentence", frames[index], f"{lang}-{index}"))
        for form, frame, template in forms:
            shift = frame.index("{address}")
            text = frame.replace("{address}", address)
            spans = make_spans(address, found)
            for span in spans:
                span["start"] += shift
                span["end"] += shift
            verify(text, spans, found, shift)
            item: dict[str, Any] = {
                "id": "addr-" + sha256(f"{group}\x00{form}\x00{text}")[:16],
                "source": f"{entry['source_repo']}@{entry['commit']}:{entry['path']}",
                "licence": entry["licence"],
                "kind": "address",
                "group": group,
                "lang": lang,
                "form": form,
                "text": text,
                "spans": spans,
                "components": entry["components"],
            }
            if template:
                item["template"] = template
            items[HELDOUT if heldout_group(group) else DEV].append(item)
    ids = [item["id"] for side in items.values() for item in side]
    assert len(ids) == len(set(ids)), "duplicate ids"
    files = {}
    for name, side in items.items():
        lines = [json.dumps(i, ensure_ascii=False, sort_keys=True) + "\n" for i in sorted(side, key=lambda i: i["id"])]
        files[name] = "".join(lines)
    files[SEAL.name] = f"{sha256(files[HELDOUT])}  {HELDOUT}\n"
    return files, skipped


def summary(files: dict[str, str]) -> None:
    for name in (DEV, HELDOUT):
        groups = Counter(json.loads(line)["group"] for line in files[name].splitlines())
        print(f"{name}: {sum(groups.values())} items, {len(groups)} countries")
        print("  " + ", ".join(f"{g} {n}" for g, n in sorted(groups.items(), key=lambda kv: (-kv[1], kv[0]))))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the files differ from what would be written")
    args = parser.parse_args(argv)
    files, skipped = build()
    encoded = {name: content.encode("utf-8") for name, content in files.items()}
    if args.check:
        return check_files(encoded)
    write_files(encoded)
    for line in skipped:
        print("skipped", line)
    summary(files)
    return 0


if __name__ == "__main__":
    sys.exit(main())
