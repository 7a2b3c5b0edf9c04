"""Evaluation text that nobody in this project wrote, copied from this machine with its provenance.

``python -m tests.eval.real_text_build`` writes ``fixtures/real_text/`` deterministically (sorted walks,
hash-ordered sampling, no clock, no randomness) from what is installed here:

  * ``benign_docstrings``  docstrings of the interpreter's standard library (``ast``), PSF-2.0;
  * ``benign_markdown``    long descriptions in the venv's ``*.dist-info/METADATA``, split into paragraphs;
  * ``benign_man``         man pages (man1/man5/man8) rendered to plain text with groff;
  * ``names_copyright``    real person names labelled from the structure of Debian copyright files and
                           the Author/Maintainer fields of the venv's METADATA;
  * ``names_in_sentences`` half of those names placed into sentence frames written for this file (EN/DE/FR/NL).

Every set is split into ``<set>.dev.jsonl`` and ``<set>.heldout.jsonl`` (heldout: sha256 of the item's
split group starts with 0-3); ``SEALED.sha256`` holds the digest of each heldout file.

``--check`` exits 1 if the files on disk differ from what would be written (only meaningful on a machine with
the same installed content: the inputs are recorded in README.md). ``--baseline`` prints false placeholders
and name recall of the current detectors on the dev files; it never writes.
"""

from __future__ import annotations

import argparse
import ast
import email.parser
import gzip
import hashlib
import itertools
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import sysconfig
import tokenize
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "fixtures" / "real_text"
SITE_PACKAGES = REPO / ".venv" / "lib" / "python3.11" / "site-packages"
MAN_ROOT = Path("/usr/share/man")
MAN_SECTIONS = ("man1", "man5", "man8")
DOC_ROOT = Path("/usr/share/doc")
DPKG_INFO = Path("/var/lib/dpkg/info")

WORD_TARGET = 40_000
OWN_DISTS = {"scrubber"}  # this project's own METADATA is ours, not independent text
SETS = ("benign_docstrings", "benign_markdown", "benign_man", "names_copyright", "names_in_sentences")
NAMES_LICENCE = "copyright-file metadata (factual attribution)"
NAMES_MAX = 3000

EMAIL = re.compile(r"[\w.+%-]+@[\w-]+(?:\.[\w-]+)+")
# Words that say a text names its author; any text containing one is dropped from the benign sets.
AUTHORSHIP = re.compile(
    r"copyright|\bauthor|written by|contributed by|created by|maintained by|developed by|thanks to|"
    r"originally by|patch by|ported by|implemented by|©|\(c\)\s*\d",
    re.IGNORECASE,
)
# An @handle: not part of an e-mail, not a decorator at the start of a line, not `@decorator` in backticks,
# not a dotted/called decorator name.
_AT_NAME = re.compile(r"(?<![\w.`@/])@[A-Za-z0-9][A-Za-z0-9_-]*(?![\w.(@`])")


def has_handle(text: str) -> bool:
    """True if ``text`` has an @handle (a decorator alone at the start of a line is not one)."""
    for match in _AT_NAME.finditer(text):
        line_start = text.rfind("\n", 0, match.start()) + 1
        if text[line_start : match.start()].strip():
            return True
    return False


# "jdoe at example dot org", "<bostic at bsdi.com>": addresses written to dodge harvesters.
OBFUSCATED_EMAIL = re.compile(
    r"[\w.+-]+\s*(?:\bat\b|\[at\]|\(at\)|\{at\})\s*[\w-]+(?:\s*(?:\.|\bdot\b|\[dot\]|\(dot\))\s*[\w-]+)*"
    r"\s*(?:\.|\bdot\b|\[dot\]|\(dot\))\s*(?:com|org|net|edu|de|fr|nl|uk|au|si|io)\b",
    re.IGNORECASE,
)
# Real people's names found by reading every PERSON span the detectors reported on a first build of the benign
# sets (the detectors were not used to filter; these are the hits that were real people, not false alarms).
# A text naming one of them is dropped: it is not free of personal data.
REVIEWED_NAMES = re.compile(
    r"\b(?:J\. Postel|J\. Reynolds|Guido van Rossum|James Clark|Cory Benfield|Cory's|Julian Berman|Thomas Khyn|"
    r"Jeff Preshing|Kernighan|Colin Percival|Solar Designer|Yanick Champoux)\b"
)
# Packages whose documentation shows generated personal data (fake names, addresses): not benign text.
FAKE_DATA_DISTS = {"faker"}


def personal(text: str) -> bool:
    """True if ``text`` names or addresses a person by any rule of this file (no detector is used)."""
    return bool(
        EMAIL.search(text)
        or OBFUSCATED_EMAIL.search(text)
        or AUTHORSHIP.search(text)
        or has_handle(text)
        or REVIEWED_NAMES.search(text)
        or names_in(text)
    )


def names_in(text: str) -> bool:
    """True if ``text`` contains a full name (two or more tokens) found in this machine's copyright files or
    package metadata."""
    known = known_names()
    tokens = []
    for token in _WORD.findall(text):
        token = token.removesuffix("'s").removesuffix("’s")
        tokens.append(token if _INITIAL.match(token) else token.rstrip("."))
    for i in range(len(tokens)):
        for n in range(2, 6):
            if i + n <= len(tokens) and " ".join(tokens[i : i + n]) in known:
                return True
    return False


_WORD = re.compile(r"[^\W\d_](?:[\w'’-]*[^\W_])?\.?")
_KNOWN: set[str] = set()


def known_names() -> set[str]:
    if not _KNOWN:
        for _, _, text, start in [*copyright_lines(), *metadata_lines()]:
            labelled = label_line(text, start)
            if labelled:
                _KNOWN.update(n for n in labelled[1] if len(n.split()) >= 2)
        _KNOWN.add("\0")  # computed
    return _KNOWN


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def n_words(text: str) -> int:
    return len(text.split())


def take_words(items: Iterable[dict[str, Any]], target: int = WORD_TARGET) -> list[dict[str, Any]]:
    """Items in the given order until ``target`` words are reached."""
    out, total = [], 0
    for item in items:
        if total >= target:
            break
        out.append(item)
        total += n_words(item["text"])
    return out


# --------------------------------------------------------------------------------------------- docstrings


def stdlib_docstrings() -> list[dict[str, Any]]:
    root = Path(sysconfig.get_paths()["stdlib"])
    version = platform.python_version()
    skip_dirs = {"test", "tests", "idle_test", "idlelib", "site-packages", "__pycache__", "lib2to3/tests"}
    found: dict[str, dict[str, Any]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = Path(dirpath).relative_to(root).as_posix()
        dirnames[:] = sorted(
            d for d in dirnames if d not in skip_dirs and f"{rel_dir}/{d}".lstrip("./") not in skip_dirs
        )
        for filename in sorted(filenames):
            if not filename.endswith(".py"):
                continue
            path = Path(dirpath) / filename
            rel = path.relative_to(root).as_posix()
            try:
                with tokenize.open(path) as handle:
                    tree = ast.parse(handle.read())
            except (SyntaxError, UnicodeDecodeError, ValueError):
                continue
            module = rel[:-3].replace("/", ".")
            for qualname, doc in _docstrings(tree):
                text = doc.strip()
                words = n_words(text)
                if words < 4 or words > 800 or personal(text):
                    continue
                key = f"{module}:{qualname}"
                source = f"cpython-{version} stdlib {rel}:{qualname}"
                found.setdefault(sha(key), {"key": key, "source": source, "text": text})
    seen_texts: set[str] = set()
    ordered = []
    for digest in sorted(found):
        entry = found[digest]
        if entry["text"] in seen_texts:
            continue
        seen_texts.add(entry["text"])
        ordered.append(
            {
                "id": "doc-" + sha(entry["source"])[:16],
                "source": entry["source"],
                "licence": "PSF-2.0",
                "kind": "docstring",
                "text": entry["text"],
            }
        )
    return take_words(ordered)


def _docstrings(tree: ast.Module) -> Iterator[tuple[str, str]]:
    doc = ast.get_docstring(tree, clean=True)
    if doc:
        yield "<module>", doc

    def visit(node: ast.AST, prefix: str) -> Iterator[tuple[str, str]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                qualname = f"{prefix}{child.name}"
                text = ast.get_docstring(child, clean=True)
                if text:
                    yield qualname, text
                yield from visit(child, qualname + ".")

    yield from visit(tree, "")


# --------------------------------------------------------------------------------------------- markdown


def dist_infos() -> list[Path]:
    out = []
    for path in sorted(SITE_PACKAGES.glob("*.dist-info")):
        meta = path / "METADATA"
        if meta.is_file():
            out.append(meta)
    return out


def read_metadata(path: Path) -> email.message.Message:
    return email.parser.Parser().parsestr(path.read_text(encoding="utf-8", errors="replace"))


def metadata_licence(msg: email.message.Message) -> str:
    expression = (msg.get("License-Expression") or "").strip()
    if expression:
        return expression
    licence = (msg.get("License") or "").strip()
    if licence and "\n" not in licence and len(licence) <= 100 and not AUTHORSHIP.search(licence):
        return licence
    classifiers = [c.split("::")[-1].strip() for c in msg.get_all("Classifier") or [] if c.startswith("License ::")]
    if classifiers:
        return "; ".join(sorted(set(classifiers)))
    return "see the License field of METADATA"


_DROP_SECTION = re.compile(
    r"author|credit|acknowledg|contributor|maintainer|thank|change ?log|changes|history|release|what'?s new|news|"
    r"sponsor|funding|backer|supporter|team|people|citation|\bcit(e|ing)\b|testimonial|who uses|users",
    re.IGNORECASE,
)
_ATX = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_UNDERLINE = re.compile(r"^([=\-~^\"'`*+#:.])\1{2,}\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")


def blocks(body: str) -> list[tuple[str, str]]:
    """The body as (kind, text) blocks: ('heading:<level key>', title) or ('para', text); fenced code is one
    block. A heading directly followed by text (no blank line) is split off."""
    lines = body.splitlines()
    out: list[tuple[str, str]] = []
    current: list[str] = []

    def flush() -> None:
        if current:
            out.append(("para", "\n".join(current).strip("\n")))
            current.clear()

    i = 0
    while i < len(lines):
        line = lines[i]
        if _FENCE.match(line):
            flush()
            fence = _FENCE.match(line).group(1)  # type: ignore[union-attr]
            code = [line]
            i += 1
            while i < len(lines):
                code.append(lines[i])
                if lines[i].strip().startswith(fence):
                    break
                i += 1
            out.append(("para", "\n".join(code)))
            i += 1
            continue
        atx = _ATX.match(line)
        if atx and not line.startswith(" "):
            flush()
            out.append((f"heading:atx{len(atx.group(1))}", atx.group(2)))
            i += 1
            continue
        # overline + title + underline (RST)
        if (
            _UNDERLINE.match(line)
            and i + 2 < len(lines)
            and lines[i + 1].strip()
            and _UNDERLINE.match(lines[i + 2])
            and lines[i + 2][0] == line[0]
            and not current
        ):
            flush()
            out.append((f"heading:over{line[0]}", lines[i + 1].strip()))
            i += 3
            continue
        if (
            line.strip()
            and not line.startswith((" ", "\t"))
            and i + 1 < len(lines)
            and _UNDERLINE.match(lines[i + 1])
            and len(lines[i + 1].rstrip()) >= len(line.rstrip())
            and not current
        ):
            flush()
            out.append((f"heading:under{lines[i + 1][0]}", line.strip()))
            i += 2
            continue
        if line.strip():
            current.append(line.rstrip())
        else:
            flush()
        i += 1
    flush()
    return out


def heading_levels(kinds: list[str], markdown: bool) -> dict[str, int]:
    levels: dict[str, int] = {}
    for kind in kinds:
        style = kind.removeprefix("heading:")
        if style.startswith("atx"):
            levels[kind] = int(style[3:])
        elif markdown and style in ("under=", "under-"):
            levels[kind] = 1 if style == "under=" else 2
        elif kind not in levels:
            levels[kind] = 10 + len([k for k in levels if not k.startswith("heading:atx")])
    return levels


def markdown_paragraphs(msg: email.message.Message) -> Iterator[tuple[int, str]]:
    body = msg.get_payload()
    if not isinstance(body, str) or not body.strip():
        body = msg.get("Description") or ""
    markdown = "markdown" in (msg.get("Description-Content-Type") or "")
    parts = blocks(body)
    levels = heading_levels([k for k, _ in parts if k.startswith("heading:")], markdown)
    dropping: int | None = None
    index = 0
    for kind, text in parts:
        if kind.startswith("heading:"):
            level = levels[kind]
            if dropping is not None and level <= dropping:
                dropping = None
            if dropping is None and _DROP_SECTION.search(text):
                dropping = level
            continue
        index += 1
        if dropping is not None:
            continue
        if personal(text):
            continue
        if not 3 <= n_words(text) <= MARKDOWN_MAX_WORDS:
            continue
        yield index, text


MARKDOWN_MAX_WORDS = 400


def markdown_items() -> list[dict[str, Any]]:
    candidates: dict[str, dict[str, Any]] = {}
    for meta in dist_infos():
        msg = read_metadata(meta)
        name, version = msg.get("Name", "?"), msg.get("Version", "?")
        if name.lower().replace("_", "-") in OWN_DISTS | FAKE_DATA_DISTS:
            continue
        licence = metadata_licence(msg)
        for index, text in markdown_paragraphs(msg):
            source = f"{name} {version} (site-packages {meta.parent.name}/METADATA description, paragraph {index})"
            candidates.setdefault(
                sha(f"{name}:{text}"),
                {
                    "id": "md-" + sha(source)[:16],
                    "source": source,
                    "licence": licence,
                    "kind": "markdown",
                    "text": text,
                },
            )
    seen: set[str] = set()
    ordered = []
    for digest in sorted(candidates):
        item = candidates[digest]
        if item["text"] not in seen:
            seen.add(item["text"])
            ordered.append(item)
    return take_words(ordered)


# --------------------------------------------------------------------------------------------- man pages

MAN_PER_PACKAGE = 2
MAN_MAX_WORDS = 500
_MAN_DROP = re.compile(
    r"^(AUTHORS?|COPYRIGHT|REPORTING BUGS|SEE ALSO|HISTORY|CONTRIBUTORS|THANKS|ACKNOWLEDG\w*|MAINTAINERS?|"
    r"COLOPHON|TRANSLATORS?|CREDITS|LICEN[CS]E)\b",
    re.IGNORECASE,
)


def dpkg_owners() -> dict[str, str]:
    owners: dict[str, str] = {}
    for listing in sorted(DPKG_INFO.glob("*.list")):
        package = listing.name[: -len(".list")].split(":")[0]
        for line in listing.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("/usr/share/man/man"):
                owners.setdefault(line, package)
    return owners


def dpkg_versions() -> dict[str, str]:
    try:
        out = subprocess.run(
            ["dpkg-query", "-W", "-f", "${Package} ${Version}\n"], capture_output=True, text=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return {}
    return dict(line.split(" ", 1) for line in out.splitlines() if " " in line)


def render_man(path: Path) -> str | None:
    raw = gzip.decompress(path.read_bytes())
    first = next((ln for ln in raw.decode("utf-8", "replace").splitlines() if not ln.startswith(('.\\"', "'\\\""))), "")
    if first.startswith(".so "):
        return None
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C.UTF-8"}
    result = subprocess.run(
        ["groff", "-t", "-Tutf8", "-mandoc", "-rHY=0", "-rLL=2000n", "-P-c", "-P-b", "-P-u"],
        input=raw, capture_output=True, env=env, timeout=60, check=False,
    )  # fmt: skip
    return result.stdout.decode("utf-8", "replace") if result.returncode == 0 else None


def man_text(rendered: str) -> str:
    lines = [ln.rstrip() for ln in rendered.splitlines()]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    if len(lines) < 3:
        return ""
    lines = lines[1:-1]  # groff's header and footer lines
    sections: list[tuple[str, list[str]]] = []
    for line in lines:
        if line and not line[0].isspace():
            sections.append((line.strip(), []))
        elif sections:
            sections[-1][1].append(line)
    out: list[str] = []
    total = 0
    for title, body in sections:
        if _MAN_DROP.match(title):
            continue
        paragraphs: list[str] = []
        chunk: list[str] = []
        for line in [*body, ""]:
            if line.strip():
                chunk.append(line.strip())
            elif chunk:
                paragraphs.append("\n".join(chunk))
                chunk = []
        kept = [p for p in paragraphs if not personal(p)]
        if not kept:
            continue
        section = [title]
        for paragraph in kept:
            if total + n_words(paragraph) > MAN_MAX_WORDS and total > 0:
                break
            section.append(paragraph)
            total += n_words(paragraph)
        if len(section) > 1:
            out.append("\n\n".join(section))
        if total >= MAN_MAX_WORDS:
            break
    return "\n\n".join(out)


def man_items() -> list[dict[str, Any]]:
    if shutil.which("groff") is None:
        raise SystemExit("groff is needed to render the man pages (apt-get install groff)")
    owners = dpkg_owners()
    versions = dpkg_versions()
    pages = []
    for section in MAN_SECTIONS:
        directory = MAN_ROOT / section
        if not directory.is_dir():
            continue
        for path in sorted(directory.iterdir()):
            if path.is_symlink() or not path.name.endswith(".gz") or not path.is_file():
                continue
            package = owners.get(str(path))
            if package is None:
                continue
            page = path.name[: -len(".gz")]
            pages.append((sha(f"{section}/{page}"), section, page, path, package))
    pages.sort()
    per_package: Counter[str] = Counter()
    items = []
    total = 0
    for _, section, page, path, package in pages:
        if total >= WORD_TARGET:
            break
        if per_package[package] >= MAN_PER_PACKAGE:
            continue
        rendered = render_man(path)
        if rendered is None:
            continue
        text = man_text(rendered)
        if n_words(text) < 30:
            continue
        per_package[package] += 1
        version = versions.get(package, "")
        source = f"{path} (man page {page}, Debian package {package}{' ' + version if version else ''})"
        items.append(
            {
                "id": "man-" + sha(f"{section}/{page}")[:16],
                "source": source,
                "licence": f"see /usr/share/doc/{package}/copyright ({package})",
                "kind": "man",
                "text": text,
            }
        )
        total += n_words(text)
    return items


# --------------------------------------------------------------------------------------------- names

PARTICLES = frozenset((
    "van", "von", "de", "der", "den", "di", "da", "du", "del", "della", "dei", "la", "le", "dos", "das", "af",
    "zu", "ten", "ter", "y", "bin", "ibn", "al", "el", "st.", "mac", "ap", "ben"
))  # fmt: skip
TITLES = frozenset((
    "dr", "dr.", "mr", "mr.", "mrs", "mrs.", "ms", "ms.", "prof", "prof.", "sir", "jr", "jr.", "sr", "sr.",
    "ii", "iii", "iv"
))  # fmt: skip
ORG_WORDS = frozenset(
    w.lower()
    for w in (
        "Inc", "Inc.", "Incorporated", "Ltd", "Ltd.", "Limited", "LLC", "L.L.C.", "LLP", "GmbH", "AG", "SA", "S.A.",
        "SAS", "SARL", "AB", "BV", "B.V.", "NV", "N.V.", "Oy", "KK", "K.K.", "Pty", "plc", "PLC", "Co", "Co.",
        "Corp", "Corp.", "Corporation", "Company", "Companies", "Foundation", "Project", "Projects", "Software",
        "Team", "Developers", "Developer", "Contributors", "Contributor", "Authors", "Author", "Free", "University",
        "Universität", "Université", "Universidad", "Institute", "Institut", "Association", "Consortium",
        "Community", "Society", "Network", "Networks", "Group", "Labs", "Lab", "Laboratory", "Laboratories",
        "Systems", "Microsystems", "Technologies", "Technology", "Tech", "Research", "Center", "Centre", "Computer",
        "Computers", "Computing", "Graphics", "Digital", "Equipment", "International", "Media", "Solutions",
        "Services", "Holdings", "Industries", "Enterprises", "Electronics", "Telecom", "Communications", "Studio",
        "Studios", "Games", "Trust", "Council", "Regents", "Board", "Office", "Department", "Government", "Agency",
        "Museum", "Library", "Trustees", "Partners", "Associates", "Organization", "Organisation", "Alliance",
        "Initiative", "Collective", "Maintainers", "Google", "Microsoft", "Apple", "IBM", "Intel", "Oracle", "Sun",
        "Novell", "Canonical", "Debian", "Ubuntu", "Mozilla", "Netscape", "Adobe", "Pixar", "Cisco", "Nokia",
        "Sony", "Samsung", "Facebook", "Meta", "Amazon", "Yahoo", "Hewlett-Packard", "Hewlett", "Packard", "Xerox",
        "Silicon", "Unisys", "Lucent", "Motorola", "Qualcomm", "Broadcom", "Nvidia", "NVIDIA", "AMD", "Red", "Hat",
        "RedHat", "SUSE", "Linux", "GNU", "Python", "Perl", "Apache", "Unicode", "Open", "Source", "Internet",
        "Data", "Others", "Unknown", "Anonymous", "Various", "Copyright", "Holders", "Holder", "Rights", "Reserved",
        "Public", "Domain", "Python", "Org", "Git", "Kernel", "Gnome", "GNOME", "KDE", "Qt", "X", "Consortium",
        "Khronos", "OpenSSL", "OpenLDAP", "Trolltech", "Nominum", "ISC", "Communication", "Informatics",
        "Informatik", "Science", "Sciences", "Engineering", "Press", "Publishing", "Books", "Association", "Server",
        "Servers", "Client", "Toolkit", "Package", "Packages", "Library", "Libraries", "Framework", "Contrib",
        "Committee", "Working", "Editors", "Translators", "Translation", "Translations", "Program", "Programs",
        "Printing", "Print", "Design", "Designs", "Fonts", "Font", "Type", "Foundry", "Ministry", "National",
        "Federal", "State", "Republic", "Bank", "Hospital", "School", "College", "Academy", "Instituto", "Istituto",
        "Fondation", "Stiftung", "Verein", "Gesellschaft", "Centrum", "Centro", "Stichting", "Vereniging", "Bureau",
        "Authority", "Commission", "Microsystem", "Dynamics", "Analytics", "Cloud", "Web", "Online", "Mobile",
        "Wireless", "Audio", "Video", "Image", "Imaging", "Graphic", "Security", "Secure", "Crypto", "Cryptography",
        "Energy", "Motors", "Automotive", "Aerospace", "Robotics", "Scientific", "Instruments", "Products",
        "Technical", "Consulting", "Consultants", "Engineers", "Industrial", "Commercial", "Global", "General",
        "Standard", "Standards", "Interactive", "Entertainment", "Music", "Records", "Film", "Films", "Pictures",
        "Comics", "Arts", "Art", "Corp", "Corporate", "Limited", "Incorporated", "Business", "Machines",
        "Telephone", "Telegraph", "Bell", "Labs", "Laboratories", "Intelligence", "Artificial", "Alphabet",
        "Twitter", "Netflix", "Valve", "Mojang", "Unity", "Epic", "Autodesk", "Symantec", "McAfee", "Kaspersky",
        "Huawei", "Xiaomi", "Lenovo", "Dell", "Acer", "Asus", "Fujitsu", "Hitachi", "Toshiba", "Panasonic", "Sharp",
        "Canon", "Nikon", "Ricoh", "Epson", "Siemens", "Philips", "Ericsson", "Juniper", "Arista", "VMware",
        "Citrix", "Nominum", "Sleepycat", "Berkeley", "California", "Massachusetts", "Technische", "Hochschule",
        "The", "Icons", "Icon", "Prijevod", "Diferenças", "Kungliga", "Tekniska", "Rechenzentrum",
        "Sailburuordetza", "Politikarako", "City", "Support", "Banco", "Santander", "Geek", "President",
        "Netherlands", "Pradesh", "Japan", "Germany", "France", "China", "India", "USA", "America", "Ecole",
        "École", "Normale", "Superieure", "Supérieure", "Mellon", "Space", "Missle", "Missile", "Designer",
        "Ecosystem", "Mechanic", "Demak", "Chaos", "One", "Operation", "Operations", "Mission", "Lab", "Railway",
        "Construction", "Reporters", "Editors", "Edition", "DuPont", "Nemours"
    )
)  # fmt: skip
# Lower-case words that may stand inside an organisation's name.
CONNECTORS = frozenset((
    "of", "the", "for", "and", "in", "at", "on", "&", "de", "der", "des", "du", "la", "le", "für", "et", "y",
    "van", "von"
))  # fmt: skip
# Word parts that mark an institution wherever they stand in a token.
ORG_PARTS = ("universit", "hochschule", "högskol", "hgskol", "institut", "college", "academ", "foundation")
# mdoc/POD remnants seen in copyright files (".An", "Aq", "E<...>").
MARKUP_TOKENS = frozenset({"Aq", "An", "Mt", "Nm", "Ar", "E"})
# Corporate suffixes: "Sun Microsystems, Inc." makes the part before the comma an organisation.
CORP_SUFFIXES = frozenset(
    s.lower()
    for s in (
        "Inc", "Incorporated", "Ltd", "Limited", "LLC", "L.L.C", "LLP", "GmbH", "AG", "SA", "S.A", "SAS", "SARL",
        "AB", "BV", "B.V", "NV", "N.V", "Oy", "KK", "K.K", "Pty", "plc", "Co", "Corp",
    )
)  # fmt: skip
_NAME_TOKEN = re.compile(r"^(?:[^\W\d_]\.|[^\W\d_][^\W\d_]*(?:['’\-][^\W\d_]+)*\.?)$")
_INITIAL = re.compile(r"^(?:[^\W\d_]\.)+$")
_YEARS = re.compile(r"^(?:(?:\d{4}(?:\s*[-–]\s*\d{2,5})?|\d{4}s)\s*[,;:]?\s*)+")
_COPY_PREFIX = re.compile(r"^(?:\s*(?:copyright\s*:?|\(c\)|©|by\b)\s*)+", re.IGNORECASE)
_RIGHTS = re.compile(r"[,.;]?\s*all rights reserved\.?\s*$", re.IGNORECASE)
_SPLIT = re.compile(r"\s*(?:,|;|\band\b|&|\s/\s)\s*")
_FREEFORM = re.compile(r"^\s*(?:copyright\b|\(c\)\s*\d|©)", re.IGNORECASE)


def fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).lower()


def latin_only(name: str) -> bool:
    return all("LATIN" in unicodedata.name(c, "") for c in name if c.isalpha())


def _strip_email(segment: str) -> tuple[str, str | None]:
    """``Name <mail>`` / ``Name (mail)`` / ``Name mail`` / ``mail`` -> (name, mail)."""
    match = EMAIL.search(segment)
    name = segment if not match else segment[: match.start()] + " " + segment[match.end() :]
    if match:
        name = re.sub(r"[<>()\[\]{}]", " ", name)
    name = re.sub(r"\s+", " ", name).strip(" \t\"',:;")
    while name.endswith(".") and not _INITIAL.match(name.split()[-1]) and name.split()[-1].lower() not in TITLES:
        name = name[:-1].rstrip(" \t\"',:;")
    name = name.lstrip(".")
    return name, (match.group(0) if match else None)


def classify(name: str, mail: str | None) -> str:
    """'person' (confident), 'nonperson' (clearly an organisation, a placeholder, nothing) or 'unsure'."""
    if not name:
        return "nonperson"
    if re.fullmatch(
        r"(?:(?:the|its|all|other|many|various|numerous|several)\s+)*(?:other\s+)?"
        r"(?:others|contributors|authors|developers|maintainers|translators)\.?",
        name,
        re.IGNORECASE,
    ):
        return "nonperson"
    if re.fullmatch(r"(?:https?://|www\.)\S+|[\w.-]+\.(?:com|org|net|de|io)\S*", name):
        return "nonperson"  # a bare address
    if re.search(r"https?:|www\.|\bet\.? al\b", name):
        return "unsure"
    tokens = name.split()
    if any(t.lower().strip(".,") in ORG_WORDS or t.lower() in ORG_WORDS for t in tokens) or any(
        part in fold(name) for part in ORG_PARTS
    ):
        # An organisation only if it reads like one's name ("Software in the Public Interest"); with other
        # lower-case words ("This software is copyright (c) by David Golden") the part is not trusted.
        named = all(t[:1].isupper() or not t[:1].isalpha() or t.lower() in CONNECTORS for t in tokens)
        return "nonperson" if named else "unsure"
    if any(t in MARKUP_TOKENS for t in tokens[1:]):
        return "unsure"
    if re.search(r"[\d_/\\|@#$%*+=~<>()\[\]{}!?\"]", name):
        return "unsure"
    if not any(c.islower() for c in name):
        return "unsure"  # all-caps: acronyms, company names
    core = [t for t in tokens if t.lower() not in PARTICLES]
    if not core or len(tokens) > 5:
        return "unsure"
    for position, token in enumerate(core):
        if not _NAME_TOKEN.match(token) or token[0].islower():
            return "unsure"
        if token.endswith(".") and len(token) > 2 and token.lower() not in TITLES and position < len(core) - 1:
            return "unsure"  # "Tomoyuki. Japan": a sentence break, not a name
        if len(core) == 1 and any(c.isupper() for c in token[1:]):
            return "unsure"  # CamelCase mononyms are handles or products
        if token.isupper() and len(token) > 1 and not _INITIAL.match(token) and len(core) < 3:
            return "unsure"
    if tokens[0].lower() in PARTICLES and tokens[0][0].islower():
        return "unsure"
    if all(_INITIAL.match(t) for t in core):
        return "unsure"
    words = [t for t in core if not _INITIAL.match(t)]
    if len(core) >= 2 and words:
        return "person"
    if len(core) == 1 and mail:
        local = fold(mail.split("@")[0])
        token = fold(core[0].rstrip("."))
        letters = re.sub(r"[^a-z]", "", local)
        if len(token) >= 3 and (token in letters or (len(letters) >= 4 and letters in token)):
            return "person"
    return "unsure"


def parse_holders(holders: str) -> list[tuple[str, str | None, str]] | None:
    """Split a holder list into (name, mail, class); None if the line is not a holder list we trust."""
    holders = _RIGHTS.sub("", holders).strip()
    if not holders:
        return None
    # split at separators outside <...>
    segments: list[str] = []
    depth, start = 0, 0
    pieces = []
    for m in re.finditer(r"[<>()]|" + _SPLIT.pattern, holders):
        token = m.group(0)
        if token in "<(":
            depth += 1
        elif token in ">)":
            depth = max(0, depth - 1)
        elif depth == 0:
            pieces.append(holders[start : m.start()])
            start = m.end()
    pieces.append(holders[start:])
    for piece in pieces:
        piece = _YEARS.sub("", piece.strip()).strip()
        piece = _COPY_PREFIX.sub("", piece).strip()
        piece = _YEARS.sub("", piece).strip()
        if piece:
            segments.append(piece)
    out: list[tuple[str, str | None, str]] = []
    for segment in segments:
        if segment.lower().strip(".") in CORP_SUFFIXES:
            # "Foo, Inc." - the part before was an organisation
            if out:
                out[-1] = (out[-1][0], out[-1][1], "nonperson")
            out.append((segment, None, "nonperson"))
            continue
        name, mail = _strip_email(segment)
        name = re.sub(r"\s*,?\s+et\.? al\.?$", "", name)  # "Jane Roe et al." names Jane Roe
        out.append((name, mail, classify(name, mail)))
    return out


def label_line(text: str, holders_start: int) -> tuple[list[dict[str, Any]], list[str]] | None:
    """Spans for a holder line, or None if any holder is unsure or no holder is a person."""
    parsed = parse_holders(text[holders_start:])
    if not parsed or any(c == "unsure" for _, _, c in parsed):
        return None
    persons = [name for name, _, c in parsed if c == "person"]
    if not persons:
        return None
    spans: list[dict[str, Any]] = []
    cursor = holders_start
    for name in persons:
        at = text.find(name, cursor)
        if at < 0:
            return None
        spans.append({"start": at, "end": at + len(name), "kind": "PERSON"})
        cursor = at + len(name)
    for match in EMAIL.finditer(text):
        spans.append({"start": match.start(), "end": match.end(), "kind": "EMAIL"})
    spans.sort(key=lambda s: (s["start"], s["end"]))
    for a, b in itertools.pairwise(spans):
        if b["start"] < a["end"]:
            return None
    return spans, persons


def copyright_lines() -> Iterator[tuple[str, str, str, int]]:
    """(package, file, line text, holders start) for Copyright: fields, their continuation lines and
    free-form copyright lines of every Debian copyright file."""
    seen_files: set[str] = set()
    for directory in sorted(DOC_ROOT.iterdir()):
        path = directory / "copyright"
        if not path.is_file():
            continue
        real = os.path.realpath(path)
        if real in seen_files:
            continue
        seen_files.add(real)
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except UnicodeDecodeError:
            lines = path.read_text(encoding="latin-1").splitlines()
        in_field = False
        for number, line in enumerate(lines, 1):
            if line.startswith("Copyright:"):
                in_field = True
                yield directory.name, f"{path}:{number}", line, len("Copyright:")
                continue
            if in_field and line[:1] in (" ", "\t"):
                stripped = line.strip()
                if stripped and stripped != ".":
                    yield directory.name, f"{path}:{number}", stripped, 0
                continue
            in_field = False
            if _FREEFORM.match(line):
                stripped = line.strip()
                yield directory.name, f"{path}:{number}", stripped, 0


def metadata_lines() -> Iterator[tuple[str, str, str, int]]:
    for meta in dist_infos():
        msg = read_metadata(meta)
        name, version = msg.get("Name", "?"), msg.get("Version", "?")
        if name.lower().replace("_", "-") in OWN_DISTS:
            continue
        for field in ("Author", "Author-email", "Maintainer", "Maintainer-email"):
            for value in msg.get_all(field) or []:
                value = " ".join(value.split())
                if not value:
                    continue
                text = f"{field}: {value}"
                yield f"{name} {version}", f"{meta.parent.name}/METADATA {field}", text, len(field) + 2


def name_items() -> list[dict[str, Any]]:
    used: set[str] = set()
    seen_text: set[str] = set()
    items = []
    for origin, where, text, start in [*copyright_lines(), *metadata_lines()]:
        if text in seen_text or not any(c.islower() for c in text):
            continue
        seen_text.add(text)
        labelled = label_line(text, start)
        if labelled is None:
            continue
        spans, persons = labelled
        keys = [" ".join(fold(p).split()) for p in persons]
        if any(k in used for k in keys) or len(set(keys)) != len(keys):
            continue
        used.update(keys)
        is_deb = where.startswith(str(DOC_ROOT))
        items.append(
            {
                "id": "name-" + sha(text)[:16],
                "source": (f"{where} (Debian package {origin})" if is_deb else f"{where} (Python package {origin})"),
                "licence": NAMES_LICENCE,
                "kind": "copyright" if is_deb else "metadata",
                "text": text,
                "spans": spans,
                "names": persons,
            }
        )
    if len(items) > NAMES_MAX:  # a deterministic subset, by hash of the id
        keep = {i["id"] for i in sorted(items, key=lambda i: sha(str(i["id"])))[:NAMES_MAX]}
        items = [i for i in items if i["id"] in keep]
    return items


# --------------------------------------------------------------------------------------------- sentences

# Sentence frames written for this file: (language, template id, frame, form). Forms: plain = the name as
# written, lower = lower-cased, initial = first name reduced to its initial ("J. Surname").
TEMPLATES: tuple[tuple[str, str, str, str], ...] = (
    ("en", "en-review", "The patch was reviewed by {name} last week.", "plain"),
    ("en", "en-initial-subj", "{name} fixed the race condition in the scheduler.", "plain"),
    ("en", "en-thanks-lower", "thanks {name}!", "lower"),
    ("en", "en-ask", "Can you ask {name} whether the release is ready?", "plain"),
    ("en", "en-colon", "Reported by: {name}", "plain"),
    ("en", "en-list", "Reviewers for this sprint:\n- {name}\n- the on-call rotation", "plain"),
    ("en", "en-possessive", "{name}'s change broke the nightly build.", "plain"),
    ("en", "en-quoted", 'We still need an answer from "{name}" before merging.', "plain"),
    ("en", "en-initials", "I spoke to {name} about the failing tests.", "initial"),
    ("en", "en-assigned", "Assigned to {name}, due Friday.", "plain"),
    ("en", "en-ping-lower", "ping {name} - the CI is red again", "lower"),
    ("de", "de-gepflegt", "{name} hat das Paket lange gepflegt.", "plain"),
    ("de", "de-gemeldet", "Der Fehler wurde von {name} gemeldet.", "plain"),
    ("de", "de-dank", "Vielen Dank an {name} für die schnelle Korrektur!", "plain"),
    ("de", "de-colon", "Ansprechpartner: {name}", "plain"),
    ("de", "de-initials", "Laut {name} ist der Build wieder grün.", "initial"),
    ("de", "de-lower", "danke {name}, das hat geholfen", "lower"),
    ("de", "de-quoted", "Bitte schick die Logs an „{name}“ weiter.", "plain"),
    ("de", "de-list", "Beteiligt:\n- {name} (Übersetzung)", "plain"),
    ("de", "de-gestern", "Gestern hat {name} den Zweig zusammengeführt.", "plain"),
    ("fr", "fr-merci", "Merci à {name} pour la correction.", "plain"),
    ("fr", "fr-signale", "{name} a signalé le problème hier soir.", "plain"),
    ("fr", "fr-correctif", "Le correctif de {name} a été intégré.", "plain"),
    ("fr", "fr-colon", "Responsable : {name}", "plain"),
    ("fr", "fr-quoted", "J'ai transmis le ticket à « {name} ».", "plain"),
    ("fr", "fr-lower", "merci {name} !", "lower"),
    ("fr", "fr-initials", "D'après {name}, la version 2.1 est prête.", "initial"),
    ("fr", "fr-list", "Relecture :\n- {name}, documentation", "plain"),
    ("fr", "fr-demander", "Pouvez-vous demander à {name} de valider la demande ?", "plain"),
    ("nl", "nl-gemeld", "{name} heeft de bug gemeld.", "plain"),
    ("nl", "nl-goedgekeurd", "De wijziging is goedgekeurd door {name}.", "plain"),
    ("nl", "nl-bedankt", "Bedankt {name} voor de snelle fix!", "plain"),
    ("nl", "nl-colon", "Contactpersoon: {name}", "plain"),
    ("nl", "nl-voorstel", "Het voorstel van {name} is overgenomen.", "plain"),
    ("nl", "nl-lower", "dank je {name}, het werkt weer", "lower"),
    ("nl", "nl-initials", "Volgens {name} is de release klaar.", "initial"),
    ("nl", "nl-list", "Documentatie:\n- {name}", "plain"),
    ("nl", "nl-quoted", 'Kun je "{name}" vragen om de logs te sturen?', "plain"),
    ("nl", "nl-gisteren", "Gisteren heeft {name} de branch samengevoegd.", "plain"),
)


def name_form(name: str, form: str) -> str | None:
    if form == "plain":
        return name
    if form == "lower":
        return name.lower()
    tokens = name.split()
    if len(tokens) < 2 or _INITIAL.match(tokens[0]) or tokens[0].lower() in PARTICLES or len(tokens[0]) < 2:
        return None
    return f"{tokens[0][0]}. {' '.join(tokens[1:])}"


def sentence_items(names: list[dict[str, Any]]) -> list[dict[str, Any]]:
    items = []
    for item in names:
        for name in item["names"]:
            digest = sha(name)
            if int(digest[0], 16) >= 8:  # a deterministic half of the names
                continue
            start = int(digest[8:16], 16) % len(TEMPLATES)
            for step in range(len(TEMPLATES)):
                lang, template_id, frame, form = TEMPLATES[(start + step) % len(TEMPLATES)]
                shown = name_form(name, form)
                if shown is not None:
                    break
            assert shown is not None
            at = frame.index("{name}")
            text = frame.replace("{name}", shown)
            items.append(
                {
                    "id": "sent-" + sha(f"{name}\0{template_id}")[:16],
                    "group": item["id"],
                    "source": f"name from {item['source']}; sentence frame {template_id} written for this file",
                    "licence": NAMES_LICENCE + "; frame: this project",
                    "kind": "sentence",
                    "lang": lang,
                    "template": template_id,
                    "form": form,
                    "text": text,
                    "spans": [{"start": at, "end": at + len(shown), "kind": "PERSON"}],
                    "names": [shown],
                }
            )
    return items


# --------------------------------------------------------------------------------------------- writing


def is_heldout(item: dict[str, Any]) -> bool:
    return sha(str(item.get("group", item["id"])))[0] in "0123"


def dumps(items: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(i, ensure_ascii=False, sort_keys=True) + "\n" for i in items).encode("utf-8")


def build() -> tuple[dict[str, bytes], dict[str, list[dict[str, Any]]]]:
    names = name_items()
    sets = {
        "benign_docstrings": stdlib_docstrings(),
        "benign_markdown": markdown_items(),
        "benign_man": man_items(),
        "names_copyright": names,
        "names_in_sentences": sentence_items(names),
    }
    files: dict[str, bytes] = {}
    sealed = []
    for set_name in SETS:
        items = sorted(sets[set_name], key=lambda i: i["id"])
        ids = [i["id"] for i in items]
        assert len(ids) == len(set(ids)), f"duplicate ids in {set_name}"
        dev = [i for i in items if not is_heldout(i)]
        held = [i for i in items if is_heldout(i)]
        files[f"{set_name}.dev.jsonl"] = dumps(dev)
        files[f"{set_name}.heldout.jsonl"] = dumps(held)
        sealed.append(f"{hashlib.sha256(files[f'{set_name}.heldout.jsonl']).hexdigest()}  {set_name}.heldout.jsonl")
    files["SEALED.sha256"] = ("\n".join(sealed) + "\n").encode()
    files["README.md"] = readme(sets).encode("utf-8")
    return files, sets


# --------------------------------------------------------------------------------------------- README


def _stats(items: list[dict[str, Any]]) -> str:
    dev = sum(1 for i in items if not is_heldout(i))
    words = sum(n_words(i["text"]) for i in items)
    return f"{len(items)} items ({dev} dev, {len(items) - dev} heldout), {words:,} words"


def groff_version() -> str:
    try:
        out = subprocess.run(["groff", "--version"], capture_output=True, text=True, check=False).stdout
    except OSError:
        return "groff not found"
    return out.splitlines()[0] if out else "groff"


def readme(sets: dict[str, list[dict[str, Any]]]) -> str:
    names = sets["names_copyright"]
    all_names = [n for i in names for n in i["names"]]
    non_latin = sum(1 for n in all_names if not latin_only(n))
    single = sum(1 for n in all_names if len([t for t in n.split() if t.lower() not in PARTICLES]) == 1)
    initials = sum(1 for n in all_names if any(_INITIAL.match(t) for t in n.split()))
    with_particle = sum(1 for n in all_names if any(t in PARTICLES for t in n.split()))
    accented = sum(1 for n in all_names if not n.isascii())
    deb = sum(1 for i in names if i["kind"] == "copyright")
    meta = len(names) - deb
    multi = sum(1 for i in names if len(i["names"]) > 1)
    emails = sum(1 for i in names for s in i["spans"] if s["kind"] == "EMAIL")
    packages = len({i["source"].rsplit("package ", 1)[-1] for i in names})
    sentences = sets["names_in_sentences"]
    langs = ", ".join(f"{k} {v}" for k, v in sorted(Counter(i["lang"] for i in sentences).items()))
    frames = ", ".join(f"{k} {v}" for k, v in sorted(Counter(t[0] for t in TEMPLATES).items()))
    forms = Counter(i["form"] for i in sentences)
    md_pkgs = len({i["source"].split(" (")[0] for i in sets["benign_markdown"]})
    man_pkgs = len({i["licence"] for i in sets["benign_man"]})
    code_paras = sum(1 for i in sets["benign_markdown"] if i["text"].lstrip().startswith(("```", "~~~", "    ")))
    doc_modules = len({i["source"].split(":")[0] for i in sets["benign_docstrings"]})
    stdlib = sysconfig.get_paths()["stdlib"]
    return f"""# Real text for the detectors' evaluation

Text that nobody in this project wrote, copied from this machine with its provenance, because what is
installed differs between machines. Generated by `PYTHONPATH=. .venv/bin/python -m tests.eval.real_text_build`
(do not edit by hand); `--check` exits 1 if the files differ from what the script would write from *this
machine's* inputs: Python {platform.python_version()} (`{stdlib}`), {len(dist_infos())} dist-infos in the venv,
{groff_version()}, the Debian packages installed at build time. On a machine with other packages `--check`
reports a difference that is no bug. `--baseline` scores the current detectors on the dev files.

Every set is split into `<set>.dev.jsonl` and `<set>.heldout.jsonl`. An item is heldout when the sha256 of its
`id` starts with 0-3 in hex (25%); for `names_in_sentences` the hash is of its `group`, the id of the
`names_copyright` item its name came from, so a name is never dev on one side and heldout on the other.
`SEALED.sha256` holds the sha256 of every heldout file (`sha256sum -c SEALED.sha256`): it is committed before
anyone tunes on dev; tune on dev only and do not read the heldout files.

One JSON object per line: `id`, `source` (where on the machine), `licence`, `kind`, `text`; the name sets
add `spans` (`start`, `end` in characters of `text`, `kind` PERSON or EMAIL) and `names`.

## What "no personal data" means for the benign sets

The three benign sets are meant to hold no personal data, so every span a detector reports in them is a false
placeholder. Before sampling, a text (docstring, paragraph, man-page paragraph) is dropped if it has
  * an e-mail address, or one written to dodge harvesters (`bostic at bsdi.com`, `jdoe [at] example dot org`);
  * the words Copyright, Author(s), ©, "(c) <year>", Written/Contributed/Created/Maintained/Developed/
    Originally/Patch/Ported/Implemented by, Thanks to;
  * an `@handle` (a decorator alone at the start of a line, or `@name` in backticks, is not one);
  * a full name found by the `names_copyright` rules anywhere on this machine (3,000+ real names);
  * one of a short list of real people's names (`REVIEWED_NAMES` in the script: Postel, Guido van Rossum,
    Kernighan, Colin Percival ...) found by reading every PERSON span the detectors reported on a first
    build. The detectors were not used as a filter; only the hits that were real people were listed.
The Faker package's description is left out whole: it shows generated names and addresses.
**Known residue**: fictional and placeholder names used as examples stay (Bob in `gpg -r Bob`, Camila in
typer's "Hello Camila", John Doe, Winston Smith in a quoted novel), as do eponyms (Huffman coding, von Mises,
Mersenne Twister) and names no rule or detector noticed. A detector that flags them is not strictly wrong.

## benign_docstrings — {_stats(sets["benign_docstrings"])}

Docstrings of modules, classes and functions of the CPython {platform.python_version()} standard library, read with
`ast` from the `.py` sources under `{stdlib}` ({doc_modules} modules), skipping `test/`, `tests/`,
`idle_test/`, `idlelib/`, `lib2to3/tests` and `site-packages`. Licence PSF-2.0. Sampled in order of
sha256("module:qualname") until {WORD_TARGET:,} words; docstrings under 4 or over 800 words and exact repeats are
skipped, and the personal-data filter above is applied. Weakness: reference prose for programmers (doctest
examples, example IP addresses such as 192.0.2.0 and 123.45.67.89 are real false-positive sources).

## benign_markdown — {_stats(sets["benign_markdown"])}

The long descriptions (the body after the headers) of the `*.dist-info/METADATA` files in
`.venv/lib/python3.11/site-packages` ({md_pkgs} packages; this project's own `scrubber` and Faker are left out),
split into paragraphs at blank lines; a fenced code block is one paragraph, and code is kept ({code_paras}
items start as code) because code in real docs is a common false-positive source. Licence per item: the
`License-Expression` field, else a one-line `License` field, else the `License ::` classifiers. Whole sections
are dropped when their Markdown or reStructuredText heading mentions authors, credits, acknowledgements,
contributors, maintainers, thanks, changelog/changes, history, release(s), news, sponsors/backers/funding,
team, people, citation, testimonials or users; then the personal-data filter above; paragraphs under 3 or
over {MARKDOWN_MAX_WORDS} words and exact repeats are skipped. Sampled in sha256 order until {WORD_TARGET:,} words.
Weaknesses: badge and link paragraphs keep URLs whose path may hold a GitHub user or organisation name;
project names that look like given names (Rich, Jinja, Typer) stay, as they should in a false-positive test.

## benign_man — {_stats(sets["benign_man"])}

Man pages from `/usr/share/man/man1`, `man5` and `man8` (English only; symlinks and `.so` redirects skipped),
rendered with `groff -t -Tutf8 -mandoc -rHY=0 -rLL=2000n -P-c -P-b -P-u` (no hyphenation, one line per
paragraph, no overstrike); groff's header and footer lines removed, paragraphs separated by blank lines,
section titles kept as a line of their own. Only pages owned by a Debian package (from
`/var/lib/dpkg/info/*.list`, the data `dpkg -S` reads) are used, at most {MAN_PER_PACKAGE} per package
({man_pkgs} packages) and {MAN_MAX_WORDS} words per page (cut at a paragraph), in sha256 order of "section/page"
until {WORD_TARGET:,} words. `source` names the page and the package with its version; licence "see
/usr/share/doc/<package>/copyright". Dropped: the sections AUTHOR(S), COPYRIGHT, REPORTING BUGS, SEE ALSO,
HISTORY, CONTRIBUTORS, THANKS, ACKNOWLEDGEMENTS, MAINTAINERS, COLOPHON, TRANSLATORS, CREDITS, LICENSE, and
every paragraph caught by the personal-data filter. Weaknesses: option lists and synopses are a narrow kind of
text; a converted table loses its columns; gcloud's hundreds of pages are capped like any package.

## names_copyright — {_stats(names)}, {len(all_names):,} distinct names

Real person names, labelled from the *structure* of attribution lines: {deb:,} lines of
`/usr/share/doc/*/copyright` ({packages} packages; DEP-5 `Copyright:` fields with their continuation lines, and
free-form `Copyright (C) <years> <holder>` lines) and {meta} `Author:`, `Author-email:`, `Maintainer:`,
`Maintainer-email:` lines of the venv's METADATA. `text` is the original line (a continuation line without its
indentation).

How labels were derived: the holder part (after `Copyright:`, `(C)`, `©`, years, `by`) is split at commas,
semicolons, "and", "&"; an e-mail in `<...>`, `(...)` or bare is taken off each part, and a trailing "et al."
too. A part is a **person** if it has two or more capitalised name tokens (initials such as "R." and particles
such as van/de/von allowed, at most 5 tokens, no digits or brackets), or one token that matches the local part
of its own e-mail address. It is an **organisation** if a token is in the organisation list (Inc, Ltd, GmbH,
AB, Foundation, Project, Software, Team, Developers, Contributors, Free, University, company names such as
Google or Pixar, place names ...) and the part reads like a name (capitalised words and of/the/for/de ...), or
it is "others", "contributors" and the like. Anything else is unsure, and a line is kept only if none of its
parts is unsure and at least one is a person, so no unlabelled name is left in a kept line. All-caps names,
CamelCase mononyms, names with a sentence break inside and troff/POD remnants (`Aq`, `E<...>`) are unsure.
PERSON spans cover the name exactly; every e-mail address in the line has an EMAIL span ({emails:,} spans).
Deduplicated by name (case- and accent-folded): a line is kept only if none of its names was seen before, so
each name is in exactly one item ({multi} items have more than one name); over {NAMES_MAX:,} kept lines, the first
{NAMES_MAX:,} by sha256 of the id are taken. Licence "{NAMES_LICENCE}".

Counts over the {len(all_names):,} names: **{non_latin} contain non-Latin letters**, {accented} have a non-ASCII
letter, **{single} are a single token** (each with a matching e-mail), {initials} contain an initial,
{with_particle} a particle.

Weaknesses: copyright and author lines are a narrow kind of text (a name after years or before an e-mail has
an easy cue, and year ranges such as 1999-2004 are themselves a false-positive source); the names skew to
Western, mostly male, open-source contributors of the 1990s-2020s, non-Latin names are nearly absent, and a
CJK name written without spaces is one token and so only kept with a matching e-mail; the rules reject unusual
but real names (lower-case, nicknames in quotes, mononyms without e-mail) and may accept a two-word
organisation or pseudonym in no list (reviewed by reading the names whose tokens are not in any given-name
list, about 500; not every item was read).

## names_in_sentences — {_stats(sentences)}

For a deterministic half of the names above (sha256(name) starts with 0-7), one sentence per name from
{len(TEMPLATES)} frames written for this file ({frames}), chosen by the name's hash (items per language:
{langs}): passive "by {{name}}", sentence-initial, after a colon, quoted, possessive, in a list item,
lower-cased ({forms.get("lower", 0)} items) and with the first name cut to an initial "J. Surname"
({forms.get("initial", 0)} items). The frames are ours, the names are independent. The PERSON span is the name
exactly as inserted. Weaknesses: the frames are short and clean (no typos, no log noise around them) and each
sentence has one name.
"""


# --------------------------------------------------------------------------------------------- baseline

STRICT_SKIP = PARTICLES | TITLES


def baseline() -> None:
    """The current detectors on the dev files (the same scores ``make eval`` prints)."""
    sys.path.insert(0, str(REPO))
    from scrubber import Scrubber
    from scrubber.keys import make_key
    from tests.eval.real_text import report

    scrubber = Scrubber.from_catalogue("pseudonymous", key=make_key(bytes(32 * [7]), allow_weak=True))
    report(scrubber.detect)


# --------------------------------------------------------------------------------------------- main


def check_files(files: dict[str, bytes]) -> int:
    """1 (and the names on stderr) if a file under fixtures/real_text/ differs from ``files``, else 0."""
    stale = [name for name, data in files.items() if not (OUT / name).is_file() or (OUT / name).read_bytes() != data]
    for name in stale:
        print(f"differs: fixtures/real_text/{name}", file=sys.stderr)
    return 1 if stale else 0


def write_files(files: dict[str, bytes]) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, data in sorted(files.items()):
        (OUT / name).write_bytes(data)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the files on disk differ")
    parser.add_argument("--baseline", action="store_true", help="score the current detectors on the dev files")
    args = parser.parse_args(argv)
    if args.baseline:
        baseline()
        return 0
    files, _ = build()
    if args.check:
        return check_files(files)
    write_files(files)
    total = sum(len(d) for d in files.values())
    print(f"wrote {len(files)} files, {total:,} bytes, to {OUT.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
