"""The one rules lookup: a profile name is found in $SCRUBBER_RULES_DIR, then in the packaged scrubber/rules."""

from __future__ import annotations

import difflib
import os
from pathlib import Path

from scrubber.errors import CatalogueError

RULES_ENV = "SCRUBBER_RULES_DIR"


def rules_dirs() -> list[Path]:
    """Where profile names are looked up: $SCRUBBER_RULES_DIR first, then the catalogues shipped in the package.

    The packaged ``scrubber/rules`` is the repository's ``rules/`` (a link in a checkout, a copy in the wheel),
    so a checkout and an installed wheel find the same profiles, and nothing outside the package is searched.
    """
    dirs = []
    if os.environ.get(RULES_ENV):
        dirs.append(Path(os.environ[RULES_ENV]))
    dirs.append(Path(__file__).resolve().parent.parent / "rules")
    return [d for d in dirs if d.is_dir()]


def available_profiles() -> list[str]:
    return sorted({p.stem for d in rules_dirs() for p in d.glob("*.yaml")})


def find_profile(name: str) -> Path | None:
    """The file of profile ``name`` in the first of ``rules_dirs()`` that has it, or None."""
    for directory in rules_dirs():
        candidate = directory / f"{name}.yaml"
        if candidate.is_file():
            return candidate
    return None


def looks_like_path(text: str) -> bool:
    """A .yaml/.yml name or anything with a directory separator is a path, not a profile name."""
    return Path(text).suffix in (".yaml", ".yml") or os.sep in text or "/" in text


def unknown_profile(name: str) -> str:
    """The message for a profile name that is not found: the known profiles and the closest one."""
    known = available_profiles()
    hint = difflib.get_close_matches(name, known, n=1)
    return f"no catalogue named {name!r}. Known profiles: {', '.join(known) or 'none'}" + (
        f". Did you mean {hint[0]!r}?" if hint else ""
    )


def resolve(name_or_path: str | os.PathLike[str]) -> Path:
    """A catalogue file from a profile name ("strict") or a path."""
    text = os.fspath(name_or_path)
    path = Path(text)
    if path.suffix in (".yaml", ".yml") or os.sep in text or path.exists():
        if not path.is_file():
            raise CatalogueError(f"catalogue file {text} does not exist")
        return path
    found = find_profile(text)
    if found is not None:
        return found
    raise CatalogueError(unknown_profile(text) + ". Or pass a path to a .yaml file.")
