"""The files shipped beside the code (rules/, schemas/), installed or in a source tree."""

from functools import cache
from pathlib import Path


@cache
def data_dir(name: str) -> Path:
    """The directory `name` (rules or schemas): inside the wheel, else the source tree's top level."""
    package = Path(__file__).resolve().parent
    for candidate in (package / "_data" / name, package.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"sslint is installed without its {name}/ directory")
