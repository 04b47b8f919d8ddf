"""An on-disk cache, keyed by content: loaded files, so a changed tree skips parsing what did not
change; whole runs, so an unchanged tree skips everything; and the parsed rule files.

Loaded files are rows of one SQLite database, which a run reads with one query and writes in one
transaction (SQLite's defaults: a crash leaves it whole): a file per entry cost a file's creation
each, and a run over 1,500 files on an empty cache took twice as long as one without it. A run's
result, and the rules, are one file each, written atomically. Entries are marshal data (core types
only: nothing in the cache can construct an object); an unreadable one, or one of another shape, is
parsed again, and a database SQLite finds corrupt is replaced. The keys include the loader's source
(and sslint's whole code, for runs), so a new sslint never reads an older one's entries.
"""

from __future__ import annotations

import hashlib
import marshal
import os
from functools import cache
from pathlib import Path

from sslint import load as loader

_CHUNK = 500  # keys per query: SQLite allows 999 parameters before 3.32


@cache
def directory() -> Path:
    if os.environ.get("SSLINT_CACHE_DIR"):
        return Path(os.environ["SSLINT_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "sslint"


@cache
def _salt() -> bytes:
    """What a file's parse depends on besides its bytes: the loader, its strict checks, ruamel.yaml."""
    from ruamel.yaml import __version__ as ruamel_version

    from sslint import strict

    return hashlib.sha256(Path(loader.__file__).read_bytes() + Path(strict.__file__).read_bytes()
                          + ruamel_version.encode()).digest()


# -- loaded files ------------------------------------------------------------------------------------


def file_key(raw: bytes, as_json: bool) -> bytes:
    return hashlib.sha256(_salt() + (b"J" if as_json else b"Y") + raw).digest()


def _database_path() -> Path:
    return directory() / "files.sqlite3"


def _database():
    return _connect(_database_path())


@cache
def _connect(path: Path):
    import sqlite3

    path.parent.mkdir(parents=True, exist_ok=True)
    database = sqlite3.connect(path, timeout=2)  # another run may be writing (for a few tens of milliseconds)
    database.execute("CREATE TABLE IF NOT EXISTS files (key BLOB PRIMARY KEY, plain BLOB NOT NULL) WITHOUT ROWID")
    return database


def _forget_corrupt(error: Exception) -> None:
    """After a failed query: a database that is corrupt, or not one at all, is removed, so that the
    next use makes a new one; any other failure (locked, unwritable) only costs speed."""
    import sqlite3

    if (getattr(error, "sqlite_errorcode", -1) & 0xFF) in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):  # extended codes too
        _connect.cache_clear()
        try:
            os.unlink(_database_path())
        except OSError:
            pass


def stored_files(keys: list[bytes]) -> dict[bytes, bytes]:
    """The marshal data (of SourceFile.to_plain) of the files stored under these keys, of those that are."""
    import sqlite3

    found: dict[bytes, bytes] = {}
    try:
        for start in range(0, len(keys), _CHUNK):
            chunk = keys[start : start + _CHUNK]
            query = f"SELECT key, plain FROM files WHERE key IN ({', '.join('?' * len(chunk))})"
            found.update(_database().execute(query, chunk))
    except (sqlite3.Error, OSError) as error:
        _forget_corrupt(error)
    return found


def store_files(entries: dict[bytes, bytes]) -> None:
    """Keep these files' marshal data, by key, in one transaction."""
    import sqlite3

    if not entries:
        return
    try:
        with _database() as database:
            database.executemany("INSERT OR IGNORE INTO files VALUES (?, ?)", entries.items())  # a key's value never changes
    except (sqlite3.Error, OSError) as error:
        _forget_corrupt(error)


# -- whole runs and the rules: a file each -----------------------------------------------------------


def fetch(entry: Path):
    try:
        return marshal.loads(entry.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return None


def store(entry: Path, plain) -> None:
    import tempfile  # here: a run answered from the cache, or without it, writes nothing

    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=entry.parent, prefix=".tmp-")
        with os.fdopen(handle, "wb") as stream:
            stream.write(marshal.dumps(plain))
        os.replace(temporary, entry)
    except (OSError, ValueError):
        pass  # a cache that cannot be written only costs speed


@cache
def _code() -> bytes:
    """What a run's result depends on besides its inputs: sslint's code, rules and schemas."""
    from sslint.data import data_dir

    digest = hashlib.sha256()
    package = Path(loader.__file__).resolve().parent
    for path in sorted([*package.rglob("*.py"), *data_dir("rules").glob("*.yaml"), *data_dir("schemas").rglob("*.json")]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.digest()


def _entry(folder: str, start: bytes, parts: list[bytes | str]) -> Path:
    digest = hashlib.sha256(start)
    for part in parts:
        one = hashlib.sha256(b"B" if isinstance(part, bytes) else b"T")  # the bytes "x" are not the text "x"
        one.update(part if isinstance(part, bytes) else part.encode())
        digest.update(one.digest())
    name = digest.hexdigest()
    return directory() / folder / name[:2] / name


def run_entry(parts: list[bytes | str]) -> Path:
    """Where the result of a run is kept, keyed by its parts: the options and the inputs' names (text),
    and each input's bytes, or (text) why they were not read."""
    return _entry("runs", _code(), parts)


def rules_entry(files: list[bytes]) -> Path:
    """Where the parsed rule files are kept, keyed by their bytes."""
    return _entry("rules", _salt(), files)
