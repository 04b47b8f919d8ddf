"""An on-disk cache, keyed by content: loaded files, so a changed tree skips parsing what did not
change; and whole runs, so an unchanged tree skips everything.

Entries are marshal data (core types only: nothing in the cache can construct an object), written
atomically, one file per content hash; an unreadable or corrupt entry is parsed again. The key
includes the loader's own source, so a new sslint never reads an older one's entries.
"""

from __future__ import annotations

import hashlib
import marshal
import os
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


def _fetch(entry: Path):
    try:
        return marshal.loads(entry.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return None


def _store(entry: Path, plain) -> None:
    import tempfile  # here: a run answered from the cache, or without it, writes nothing

    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=entry.parent, prefix=".tmp-")
        with os.fdopen(handle, "wb") as stream:
            stream.write(marshal.dumps(plain))
        os.replace(temporary, entry)
    except (OSError, ValueError):
        pass  # a cache that cannot be written only costs speed


def get(raw: bytes, as_json: bool):
    """The plain form of a file loaded earlier (SourceFile.to_plain), or None."""
    return _fetch(_entry(raw, as_json))


def put(raw: bytes, as_json: bool, plain: tuple) -> None:
    _store(_entry(raw, as_json), plain)


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


# -- whole runs ------------------------------------------------------------------------------------


@cache
def _code() -> bytes:
    """What a run's result depends on besides its inputs: sslint's code, rules and schemas."""
    from sslint.data import data_dir

    digest = hashlib.sha256()
    package = Path(loader.__file__).resolve().parent
    for path in sorted([*package.rglob("*.py"), *data_dir("rules").glob("*.yaml"), *data_dir("schemas").rglob("*.json")]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.digest()


def run_entry(parts: list[bytes]) -> Path:
    """Where the result of a run over these inputs (each file's name and bytes, the options) is kept."""
    digest = hashlib.sha256(_code())
    for part in parts:
        digest.update(hashlib.sha256(part).digest())
    name = digest.hexdigest()
    return directory() / "runs" / name[:2] / name


get_run, put_run = _fetch, _store
