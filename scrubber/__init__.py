"""scrubber: GDPR log scrubbing driven by a declarative rule catalogue. Imports without Beam."""

from scrubber.core import Scrubber
from scrubber.detectors.base import Span
from scrubber.errors import CatalogueError, KeyMaterialError, RecordRejected, ScrubberError
from scrubber.keys import Key, load_key

__all__ = [
    "CatalogueError",
    "Key",
    "KeyMaterialError",
    "RecordRejected",
    "Scrubber",
    "ScrubberError",
    "Span",
    "load_key",
]
__version__ = "0.1.0"
