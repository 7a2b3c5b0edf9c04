"""The rule catalogue: YAML files in rules/, parsed into typed, frozen models with file:line errors."""

from scrubber.catalogue.loader import load_catalogue, parse_catalogue
from scrubber.catalogue.lookup import RULES_ENV, available_profiles, resolve, rules_dirs
from scrubber.catalogue.models import Catalogue, LoadedCatalogue, Rule, Structure, TextSettings

__all__ = [
    "RULES_ENV",
    "Catalogue",
    "LoadedCatalogue",
    "Rule",
    "Structure",
    "TextSettings",
    "available_profiles",
    "load_catalogue",
    "parse_catalogue",
    "resolve",
    "rules_dirs",
]
