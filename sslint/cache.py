"""An on-disk cache, keyed by content: loaded files, so a changed tree skips parsing what did not
change; whole runs, so an unchanged tree skips everything; and the parsed rule files.

Loaded files are rows of one SQLite database, which a run reads with one query and writes in one
transaction (SQLite's defaults: a crash leaves it whole): a file per entry cost a file's creation
each, and a run over 1,500 files on an empty cache took twice as long as one without it. A run's
result, and the rules, are one file each, written atomically. Entries are marshal data (core types
only: nothing in the cache can construct an object); an unreadable one, or one of another shape, is
parsed again, and a database SQLite finds corrupt is replaced. The keys include the loader's source
(and sslint's whole code, for runs), so a new sslint never reads an older one's entries.

Entries live in generations of GENERATION_DAYS days, a directory each: a run writes to the current
generation, carries over what it reads from the one before, and removes older ones. So an entry
unread for one to two generations is gone (an edited file's old parses, older sslint versions'
entries), and the cache never grows beyond what was used lately; a run that writes pays for it
with one listing of the cache directory. (A run answered whole reads, and carries over, only its
result: its files' parses stay behind, and are parsed again once the result no longer serves.)
"""

from __future__ import annotations

import hashlib
import marshal
import os
import time
from functools import cache
from pathlib import Path

from sslint import load as loader

_CHUNK = 500  # keys per query: SQLite allows 999 parameters before 3.32
GENERATION_DAYS = 30
_DATABASE = "files-2.sqlite3"  # a new table layout takes a new name: versions with different ones never share one


@cache
def directory() -> Path:
    if os.environ.get("SSLINT_CACHE_DIR"):
        return Path(os.environ["SSLINT_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "sslint"


def _generation() -> int:
    return int(time.time() // (GENERATION_DAYS * 86400))


def _generation_directory(generation: int) -> Path:
    return directory() / f"generation-{generation}"


@cache
def _remove_old_generations() -> None:
    """Once per process, when it first writes: every generation before the previous one goes. Only
    those: the directory may be shared with other files (SSLINT_CACHE_DIR), and one whose clock is
    ahead of this one's may have begun the next generation. Another run may be removing the same,
    or reading from it: it only loses speed."""
    try:
        names = os.listdir(directory())
    except OSError:
        return
    for name in names:
        number = name.removeprefix("generation-")
        if number != name and number.isascii() and number.isdigit() and int(number) < _generation() - 1:
            import shutil  # only then: it imports three compression modules

            shutil.rmtree(directory() / name, ignore_errors=True)


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


def database_path(generation: int | None = None) -> Path:
    return _generation_directory(_generation() if generation is None else generation) / _DATABASE


@cache
def _connect(path: Path, writable: bool = True):
    """The database at `path`, made when `writable`; else opened only to read, when it exists."""
    import sqlite3

    if not writable:
        return sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True, timeout=2)
    path.parent.mkdir(parents=True, exist_ok=True)
    database = sqlite3.connect(path, timeout=2)  # another run may be writing (for a few tens of milliseconds)
    # A parse is kilobytes to hundreds of them: in pages of 64 KiB (the most SQLite allows) and a
    # table with rowids (not WITHOUT ROWID, which suits rows of a few dozen bytes), 1,500 files of
    # 8.5 MB are stored in 14 ms instead of 40, and read in 11 instead of 22. (The page size is set
    # before the table makes the database; an existing database keeps its own.)
    database.execute("PRAGMA page_size = 65536")
    database.execute("CREATE TABLE IF NOT EXISTS files (key BLOB PRIMARY KEY, plain BLOB NOT NULL)")
    return database


def _forget_corrupt(error: Exception, path: Path) -> None:
    """After a failed query: a database that is corrupt, or not one at all, is removed, so that the
    next use makes a new one; any other failure (locked, unwritable) only costs speed."""
    import sqlite3

    if (getattr(error, "sqlite_errorcode", -1) & 0xFF) in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):  # extended codes too
        _connect.cache_clear()
        try:
            os.unlink(path)
        except OSError:
            pass


def stored_files(keys: list[bytes]) -> dict[bytes, bytes]:
    """The marshal data (of SourceFile.to_plain) of the files stored under these keys, of those that
    are: in this generation, or in the previous one (and then carried over into this one)."""
    found = _select(database_path(), keys)
    if len(found) < len(keys):
        carried = _select(database_path(_generation() - 1), [k for k in keys if k not in found], writable=False)
        store_files(carried)
        found.update(carried)
    return found


def _select(path: Path, keys: list[bytes], writable: bool = True) -> dict[bytes, bytes]:
    import sqlite3

    found: dict[bytes, bytes] = {}
    try:
        for start in range(0, len(keys), _CHUNK):
            chunk = keys[start : start + _CHUNK]
            query = f"SELECT key, plain FROM files WHERE key IN ({', '.join('?' * len(chunk))})"
            found.update(_connect(path, writable).execute(query, chunk))
    except (sqlite3.Error, OSError) as error:
        _forget_corrupt(error, path)
    return found


def store_files(entries: dict[bytes, bytes]) -> None:
    """Keep these files' marshal data, by key, in one transaction."""
    import sqlite3

    if not entries:
        return
    path = database_path()
    _remove_old_generations()
    try:
        with _connect(path) as database:
            database.executemany("INSERT OR IGNORE INTO files VALUES (?, ?)", entries.items())  # a key's value never changes
    except (sqlite3.Error, OSError) as error:
        _forget_corrupt(error, path)


# -- whole runs and the rules: a file each -----------------------------------------------------------


def fetch(entry: str):
    """What is stored under `entry` (from run_entry or rules_entry): in this generation, or in the
    previous one (and then carried over into this one); None when nothing readable is."""
    for generation in (_generation(), _generation() - 1):
        try:
            raw = (_generation_directory(generation) / entry).read_bytes()
            plain = marshal.loads(raw)
        except (OSError, EOFError, ValueError, TypeError):
            continue
        if generation != _generation():
            _write(entry, raw)
        return plain
    return None


def store(entry: str, plain) -> None:
    try:
        _write(entry, marshal.dumps(plain))
    except ValueError:
        pass  # nothing marshal can write: not kept


def _write(entry: str, raw: bytes) -> None:
    path = _generation_directory(_generation()) / entry
    _remove_old_generations()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        replace_file(path, raw)
    except OSError:
        pass  # a cache that cannot be written only costs speed


def replace_file(path: Path, data: bytes) -> None:
    """`data` written to `path` whole or not at all: into a new file beside it, under a name no other
    writer takes, then renamed over it. (Not with tempfile, whose import costs a pre-commit run more
    than the writing.) Raises OSError."""
    temporary = path.parent / f".{path.name}.{os.getpid()}-{os.urandom(8).hex()}.tmp"
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # as the umask allows
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


@cache
def _code() -> bytes:
    """What a run's result depends on besides its inputs: sslint's code, rules and schemas."""
    from sslint.data import data_dir

    digest = hashlib.sha256()
    package = Path(loader.__file__).resolve().parent
    for path in sorted([*package.rglob("*.py"), *data_dir("rules").glob("*.yaml"), *data_dir("schemas").rglob("*.json")]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.digest()


def _entry(folder: str, start: bytes, parts: list[bytes | str]) -> str:
    digest = hashlib.sha256(start)
    for part in parts:
        one = hashlib.sha256(b"B" if isinstance(part, bytes) else b"T")  # the bytes "x" are not the text "x"
        one.update(part if isinstance(part, bytes) else part.encode())
        digest.update(one.digest())
    name = digest.hexdigest()
    return f"{folder}/{name[:2]}/{name}"


def run_entry(parts: list[bytes | str]) -> str:
    """Where the result of a run is kept, keyed by its parts: the options and the inputs' names (text),
    and each input's bytes, or (text) why they were not read."""
    return _entry("runs", _code(), parts)


def rules_entry(files: list[bytes]) -> str:
    """Where the parsed rule files are kept, keyed by their bytes."""
    return _entry("rules", _salt(), files)


def config_entry(raw: bytes) -> str:
    """Where it is noted that a configuration file of these bytes passed this sslint's schema check,
    as this ruamel.yaml reads them."""
    return _entry("configs", _code() + _salt(), [raw])
