"""An on-disk cache of loaded files, keyed by their content, so a repeat run skips parsing.

Entries are marshal data (core types only: nothing in the cache can construct an object), written
atomically, one file per content hash; an unreadable or corrupt entry is parsed again. The key
includes the loader's own source, so a new sslint never reads an older one's entries.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import tempfile
from functools import cache
from pathlib import Path

from sslint import load as loader


@cache
def directory() -> Path:
    if os.environ.get("SSLINT_CACHE_DIR"):
        return Path(os.environ["SSLINT_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "sslint"


@cache
def _salt() -> bytes:
    return hashlib.sha256(Path(loader.__file__).read_bytes()).digest()


def _entry(raw: bytes, as_json: bool) -> Path:
    digest = hashlib.sha256(_salt() + (b"J" if as_json else b"Y") + raw).hexdigest()
    return directory() / digest[:2] / digest


def get(raw: bytes, as_json: bool):
    """The plain form of a file loaded earlier (SourceFile.to_plain), or None."""
    try:
        return marshal.loads(_entry(raw, as_json).read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return None


def put(raw: bytes, as_json: bool, plain: tuple) -> None:
    entry = _entry(raw, as_json)
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=entry.parent, prefix=".tmp-")
        with os.fdopen(handle, "wb") as stream:
            stream.write(marshal.dumps(plain))
        os.replace(temporary, entry)
    except (OSError, ValueError):
        pass  # a cache that cannot be written only costs speed


def load_cached(raw: bytes, path: str, as_json: bool = False) -> loader.SourceFile:
    """load(), or its result from an earlier run of the same bytes."""
    plain = get(raw, as_json)
    if plain is not None:
        try:
            return loader.SourceFile.from_plain(path, plain)
        except (TypeError, ValueError):
            pass  # an entry of another shape: read the file again
    source = loader.load(raw, path, as_json=as_json)
    put(raw, as_json, source.to_plain())
    return source
