"""`.sslint.yaml`: found upward from the working directory (or given), validated by its schema."""

from __future__ import annotations

import glob
import json
from dataclasses import dataclass, field
from pathlib import Path

from sslint import cache
from sslint.data import data_dir
from sslint.load import load

FILENAME = ".sslint.yaml"


class ConfigError(Exception):
    """A usage error: the message names the file, the key and what is wrong, on one line."""


@dataclass
class Config:
    path: Path | None = None
    values: dict = field(default_factory=dict)

    def get(self, key: str, default=None):
        return self.values.get(key, default)

    def context_paths(self) -> list[str]:
        base = self.path.parent if self.path else Path.cwd()
        found = []
        for pattern in self.get("context", []):
            found += sorted(glob.glob(str(base / pattern), recursive=True))
        return found


def find(start: Path) -> Path | None:
    for directory in (start, *start.parents):
        candidate = directory / FILENAME
        if candidate.is_file():
            return candidate
    return None


def read(path: Path, use_cache: bool = False) -> Config:
    """The configuration in `path`, checked against its schema; with `use_cache`, bytes that passed
    once are not checked again (importing jsonschema would cost a pre-commit run more than its checks)."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ConfigError(f"{path}: cannot be read: {error.strerror or error}") from None
    source = load(raw, str(path))
    if source.errors:
        error = source.errors[0]
        raise ConfigError(f"{path}:{error.line}:{error.column}: {error.message}")
    if not source.documents:
        return Config(path, {})
    document = source.documents[0]
    config = Config(path, document.data if isinstance(document.data, dict) else {})
    entry = cache.config_entry(raw) if use_cache else None
    if entry and cache.fetch(entry) is True:
        return config
    import jsonschema  # only when there is a configuration to check

    schema = json.loads((data_dir("schemas") / "config.schema.json").read_text())
    error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(schema).iter_errors(document.data))
    if error is not None:
        key_path = tuple(error.absolute_path)
        if error.validator == "additionalProperties":
            extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
            key_path += (extra[0],)
            what = f"unknown key {extra[0]!r}"
        elif key_path == ("kubernetes-version",) and isinstance(error.instance, (int, float)):
            what = f"kubernetes-version must be a quoted string such as \"1.33\", not the number {error.instance}"
        else:
            what = error.message
        line, column = document.positions.get(key_path, (1, 1)) if key_path else (1, 1)
        where = ".".join(map(str, key_path)) or "(top level)"
        raise ConfigError(f"{path}:{line}:{column}: {where}: {what}")
    if entry:
        cache.store(entry, True)
    return config
