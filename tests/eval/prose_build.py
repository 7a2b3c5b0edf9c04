"""News, encyclopaedia and social-media text with person names labelled by other projects' annotators.

``python -m tests.eval.prose_build`` reads only the CoNLL-style excerpts in ``fixtures/real_text/raw/``
(``wikigold.conll``, ``gum_news.conll``, ``europeana.bio``, ``wnut17.conll``; each section starts with a
``#### repo=... path=... commit=...`` line and the provenance of each file is in ``<name>.PROVENANCE.md``) and
writes, deterministically (no clock, no randomness, no network):

  * ``fixtures/real_text/prose_<kind>.dev.jsonl`` and ``prose_<kind>.heldout.jsonl`` for the kinds
    ``encyclopedia`` (wikigold: English Wikipedia), ``news`` (GUM: English Wikinews; Europeana Newspapers:
    German, French and Dutch newspapers, OCR text) and ``social`` (WNUT 2017: Twitter, Reddit, YouTube and
    StackExchange posts);
  * ``fixtures/real_text/SEALED.round3.sha256``, the ``sha256sum`` lines of the heldout files.

Tokens are joined with one space, except before closing punctuation and clitics (``,`` ``.`` ``'s`` ``n't``
...) and after opening brackets, so the text reads like prose; a label covers its tokens. ``PERSON`` spans are
the annotators' person entities (B-/I- runs, or runs of I- in IOB1; for GUM, derived from its person
mentions: see ``names_in_mention``); an ``@handle`` (WNUT splits it into ``@`` and the name) is labelled
``HANDLE``: it names an account and scrubber replaces it on purpose. Other entity types are kept as
``entities`` for error analysis and are not labels: a placeholder over an organisation or place is a false
one. A section
read from the middle of a file loses its partial first and last sentence. Items are paragraphs of at most
``MAX_WORDS`` words inside one document (one post each for WNUT). The split is by document: within each kind
and language, the quarter of documents whose sha256 sorts first is heldout.

``--check`` exits 1 if the files on disk differ from what would be written.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.eval.real_text_build import check_files, write_files

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "fixtures" / "real_text"
RAW = OUT / "raw"
SEAL = OUT / "SEALED.round3.sha256"
MAX_WORDS = 120
DOC_SENTENCES = 25
CHUNK = 16_000  # characters per excerpt read from the middle of a file


@dataclass(frozen=True)
class Source:
    file: str
    kind: str  # encyclopedia, news, social
    licence: str
    one_post_per_item: bool = False
    breaks_at_stops: bool = False  # no blank lines between sentences: a sentence ends after . ! ?, and
    # (no document markers either) a document is DOC_SENTENCES sentences
    mentions: bool = False  # person tags mark every mention (pronouns, descriptions): names are derived
    skip_unlabelled: bool = False  # an excerpt without a single person tag was not annotated for persons


SOURCES = (
    Source("wikigold.conll", "encyclopedia", "CC-BY-4.0 (wikigold); text CC-BY-SA (Wikipedia)"),
    Source("gum_news.conll", "news", "CC-BY-4.0 (GUM annotations); text CC-BY-2.5 (Wikinews)", mentions=True),
    Source("europeana.bio", "news", "CC0-1.0 (Europeana Newspapers)", breaks_at_stops=True, skip_unlabelled=True),
    Source("wnut17.conll", "social", "CC-BY-4.0 (WNUT 2017 emerging entities)", one_post_per_item=True),
)
KINDS = ("encyclopedia", "news", "social")
_MARKER = re.compile(r"^#### (.*)$")
_PERSON_TAG = re.compile(r"^(?:([BI])[-_])?(PER|PERSON)$", re.IGNORECASE)
_ENTITY_TAG = re.compile(r"^(?:([BI])[-_])?([A-Za-z][\w-]*)$")
_NO_SPACE_BEFORE = re.compile(r"^(?:[,.;:!?%)\]}]|\.\.\.|'s|'S|n't|'re|'ve|'ll|'d|'m|’s)$")
_NO_SPACE_AFTER = frozenset("([{$")
_CLITICS = frozenset(("s", "t", "m", "d", "ll", "re", "ve", "S", "T"))
_HANDLE = re.compile(r"^@\w{2,}$")
_STOPS = frozenset(".!?")
# A capitalised token of a mention that is no name: pronouns and determiners (GUM tags "He", "The boy").
_NOT_NAMES = frozenset(
    [
        "I",
        "He",
        "She",
        "We",
        "They",
        "You",
        "It",
        "Me",
        "Him",
        "Her",
        "Us",
        "Them",
        "His",
        "Hers",
        "Its",
        "Our",
        "Their",
        "My",
        "Your",
        "The",
        "A",
        "An",
        "This",
        "That",
        "These",
        "Those",
        "Some",
        "All",
        "Many",
        "Most",
        "Several",
        "Both",
        "Each",
        "Every",
        "Other",
    ]
)
_CAPITALISED = re.compile(r"^[^\W\d_][\w'’.-]*$")
_CONNECTORS = frozenset(
    [
        "de",
        "van",
        "von",
        "der",
        "den",
        "di",
        "da",
        "du",
        "del",
        "la",
        "le",
        "bin",
        "ibn",
        "al",
        "el",
        "ben",
        "y",
        "-",
        ".",
    ]
)

Token = tuple[str, str]


@dataclass
class Section:
    meta: dict[str, str]
    lines: list[str]


@dataclass
class Document:
    source: Source
    key: str  # stable id of the document: file, section and position
    lang: str
    origin: str  # repository, path and commit
    sentences: list[list[Token]] = field(default_factory=list)


def sections(path: Path) -> Iterator[Section]:
    """The ``#### key=value ...`` sections of a raw excerpt file (the newline before a marker is not data)."""
    text = path.read_text(encoding="utf-8")
    parts = re.split(r"^#### (.*)\n", text, flags=re.MULTILINE)
    for header, body in zip(parts[1::2], parts[2::2], strict=True):
        meta = dict(part.split("=", 1) for part in header.split() if "=" in part)
        if "chars" in meta:
            body = body[: int(meta["chars"])]
        yield Section(meta, body.split("\n"))


def token_tag(line: str) -> Token | None:
    parts = line.split()
    return (parts[0], parts[1]) if len(parts) >= 2 else None


def sentences(section: Section, source: Source) -> list[list[Token] | None]:
    """Sentences of a section in order, ``None`` at a document break; an excerpt read from the middle of a
    file loses its first and last sentence (cut), and the first and last line are partial there."""
    lines = section.lines
    cut_start = int(section.meta.get("offset", 0)) > 0
    cut_end = int(section.meta.get("chars", 0)) >= CHUNK
    if cut_start:
        lines = lines[1:]
    if cut_end:
        lines = lines[:-1]
    out: list[list[Token] | None] = []
    sentence: list[Token] = []
    for line in lines:
        pair = token_tag(line)
        if pair and pair[0] == "-DOCSTART-":
            out += [sentence, None] if sentence else [None]
            sentence = []
        elif pair:
            sentence.append(pair)
            if source.breaks_at_stops and (pair[0] in _STOPS or (len(pair[0]) >= 4 and pair[0][-1] in _STOPS)):
                out.append(sentence)
                sentence = []
        elif sentence:
            out.append(sentence)
            sentence = []
    if sentence:
        out.append(sentence)
    real = [i for i, s in enumerate(out) if s is not None]
    if cut_start and real:
        out[real[0]] = None
    if cut_end and real:
        out[real[-1]] = None
    return out


def documents(source: Source) -> Iterator[Document]:
    for number, section in enumerate(sections(RAW / source.file)):
        origin = f"{section.meta['repo']}/{section.meta['path']}@{section.meta['commit'][:12]}"
        lang = section.meta.get("lang", "en")
        found = sentences(section, source)
        if source.skip_unlabelled and not any(_PERSON_TAG.match(t) for s in found if s for _, t in s):
            continue
        doc_number = 0
        doc = Document(source, f"{source.file}:{number}:0", lang, origin)
        for sentence in found:
            if sentence is not None:
                doc.sentences.append(sentence)
            full = source.breaks_at_stops and len(doc.sentences) >= DOC_SENTENCES
            if sentence is None or source.one_post_per_item or full:
                if doc.sentences:
                    yield doc
                    doc_number += 1
                doc = Document(source, f"{source.file}:{number}:{doc_number}", lang, origin)
        if doc.sentences:
            yield doc


def entity_runs(tokens: list[Token]) -> list[tuple[int, int, str]]:
    """(first, last + 1, type) token runs: a run starts at B-, at a change of type, or after O."""
    runs: list[tuple[int, int, str]] = []
    for i, (_, tag) in enumerate(tokens):
        person = _PERSON_TAG.match(tag)
        match = person or _ENTITY_TAG.match(tag)
        if tag in ("O", "o") or not match:
            continue
        begin, kind = match.group(1), "PERSON" if person else match.group(2).upper()
        if runs and runs[-1][1] == i and runs[-1][2] == kind and begin != "B":
            runs[-1] = (runs[-1][0], i + 1, kind)
        else:
            runs.append((i, i + 1, kind))
    return runs


def names_in_mention(tokens: list[Token], first: int, last: int, starts: set[int]) -> list[tuple[int, int, str]]:
    """Name runs inside a mention (GUM): maximal runs of capitalised tokens (particles may join two). A run
    is a ``PERSON`` label when it is the mention's only run that is the whole mention or at least two tokens
    long and is not one word starting a sentence. Every other run is ``UNSURE`` (neither a name to find nor a
    false placeholder when found): "Khaled Al-Maeena, editor of the Saudi Gazette" is one mention with two
    candidate runs, and the labels do not say which is the name."""

    def name_like(token: str) -> bool:
        return (
            bool(_CAPITALISED.match(token))
            and token[0].isupper()
            and token not in _NOT_NAMES
            and not (len(token) > 1 and token.isupper())
        )

    runs: list[tuple[int, int, str]] = []
    i = first
    while i < last:
        if not name_like(tokens[i][0]):
            i += 1
            continue
        j = i + 1
        while j < last and (
            name_like(tokens[j][0]) or (tokens[j][0] in _CONNECTORS and j + 1 < last and name_like(tokens[j + 1][0]))
        ):
            j += 1
        good = ((i == first and j == last) or j - i >= 2) and not (j - i == 1 and i in starts)
        runs.append((i, j, "PERSON" if good else "UNSURE"))
        i = j
    if sum(kind == "PERSON" for _, _, kind in runs) == 1:
        return runs
    return [(a, b, "UNSURE") for a, b, _ in runs]


def detokenise(tokens: list[str]) -> tuple[str, list[tuple[int, int]]]:
    """Text of ``tokens`` and each token's (start, end) in it."""
    out: list[str] = []
    offsets: list[tuple[int, int]] = []
    length, quote_open, glue = 0, False, True
    for i, token in enumerate(tokens):
        following = tokens[i + 1] if i + 1 < len(tokens) else ""
        apostrophe = token in ("'", "’") and following in _CLITICS
        closing = bool(_NO_SPACE_BEFORE.match(token)) or (token == '"' and quote_open) or apostrophe
        closing = closing or token == "_"
        if out and not glue and not closing:
            out.append(" ")
            length += 1
        offsets.append((length, length + len(token)))
        out.append(token)
        length += len(token)
        if token == '"':
            quote_open = not quote_open
        glue = token in _NO_SPACE_AFTER or (token == '"' and quote_open) or apostrophe or token in ("@", "#", "_")
    return "".join(out), offsets


def paragraphs(doc: Document) -> Iterator[tuple[list[Token], set[int]]]:
    """Runs of whole sentences of at most MAX_WORDS tokens (a longer sentence stands alone), with the
    positions where a sentence starts."""
    current: list[Token] = []
    starts: set[int] = set()
    for sentence in doc.sentences:
        if current and len(current) + len(sentence) > MAX_WORDS:
            yield current, starts
            current, starts = [], set()
        starts.add(len(current))
        current = current + sentence
    if current:
        yield current, starts


def items(doc: Document) -> Iterator[dict[str, Any]]:
    for number, (tokens, starts) in enumerate(paragraphs(doc)):
        text, offsets = detokenise([token for token, _ in tokens])
        spans, entities = [], []

        def span(first: int, last: int, kind: str, offsets: list[tuple[int, int]] = offsets) -> dict[str, Any]:
            return {"start": offsets[first][0], "end": offsets[last - 1][1], "kind": kind}

        for first, last, kind in entity_runs(tokens):
            if kind != "PERSON":
                entities.append(span(first, last, kind))
            elif doc.source.mentions:
                entities.append(span(first, last, "PERSON_MENTION"))
                spans += [span(a, b, kind) for a, b, kind in names_in_mention(tokens, first, last, starts)]
            else:
                spans.append(span(first, last, kind))
        for i, (token, tag) in enumerate(tokens):
            if _HANDLE.match(token) and not _PERSON_TAG.match(tag):
                spans.append(span(i, i + 1, "HANDLE"))
            elif token == "@" and i + 1 < len(tokens) and not _PERSON_TAG.match(tokens[i + 1][1]):
                spans.append(span(i, i + 2, "HANDLE"))  # "@" "name": one handle, written "@name"
        spans.sort(key=lambda s: (s["start"], s["end"]))
        key = f"{doc.key}:{number}"
        yield {
            "id": "prose-" + sha256(key)[:16],
            "group": "doc-" + sha256(doc.key)[:16],
            "source": f"{doc.origin} (section {doc.key.split(':', 1)[1]}, paragraph {number})",
            "licence": doc.source.licence,
            "kind": doc.source.kind,
            "lang": doc.lang,
            "text": text,
            "spans": spans,
            "names": [text[s["start"] : s["end"]] for s in spans if s["kind"] == "PERSON"],
            "entities": entities,
        }


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def build() -> dict[str, str]:
    by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for source in SOURCES:
        for doc in documents(source):
            by_kind[source.kind].extend(items(doc))
    files: dict[str, str] = {}
    seal: list[str] = []
    for kind in KINDS:
        groups: dict[str, set[str]] = defaultdict(set)
        for item in by_kind[kind]:
            groups[item["lang"]].add(item["group"])
        heldout = {g for gs in groups.values() for g in sorted(gs, key=sha256)[: (len(gs) + 3) // 4]}
        for split in ("dev", "heldout"):
            side = [i for i in by_kind[kind] if (i["group"] in heldout) == (split == "heldout")]
            ids = [i["id"] for i in side]
            assert len(ids) == len(set(ids)), "duplicate ids"
            name = f"prose_{kind}.{split}.jsonl"
            files[name] = "".join(
                json.dumps(i, ensure_ascii=False, sort_keys=True) + "\n" for i in sorted(side, key=lambda i: i["id"])
            )
            if split == "heldout":
                seal.append(f"{sha256(files[name])}  {name}\n")
    files[SEAL.name] = "".join(seal)
    return files


def summary(files: dict[str, str]) -> None:
    for name, content in sorted(files.items()):
        if not name.endswith(".jsonl"):
            continue
        rows = [json.loads(line) for line in content.splitlines()]
        langs = Counter(r["lang"] for r in rows)
        names = sum(1 for r in rows for s in r["spans"] if s["kind"] == "PERSON")
        words = sum(len(r["text"].split()) for r in rows)
        docs = len({r["group"] for r in rows})
        print(f"{name}: {len(rows)} items, {docs} documents, {words:,} words, {names} names; {dict(langs)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the files differ from what would be written")
    args = parser.parse_args(argv)
    files = build()
    encoded = {name: content.encode("utf-8") for name, content in files.items()}
    if args.check:
        return check_files(encoded)
    write_files(encoded)
    summary(files)
    return 0


if __name__ == "__main__":
    sys.exit(main())
