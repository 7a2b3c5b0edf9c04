"""The rule catalogue: YAML files in rules/, parsed into typed, frozen models with file:line errors."""

from scrubber.catalogue.loader import (
    Catalogue,
    LoadedCatalogue,
    Structure,
    available_profiles,
    load_catalogue,
    parse_catalogue,
    resolve,
    rules_dirs,
)

__all__ = [
    "Catalogue",
    "LoadedCatalogue",
    "Structure",
    "available_profiles",
    "load_catalogue",
    "parse_catalogue",
    "resolve",
    "rules_dirs",
]
