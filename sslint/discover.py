"""Which files a run reads: the walk of the given paths, and the sibling files used as context."""

from __future__ import annotations

import fnmatch
import os
from pathlib import Path

SUFFIXES = (".yaml", ".yml", ".json")


def display(path: Path) -> str:
    """The path as reports show it: relative to the working directory when it lies below it."""
    absolute, here = os.path.abspath(path), os.path.join(os.getcwd(), "")  # not resolved: a symlink keeps its name
    if absolute.startswith(here):  # (abspath has normalised it: only the separators are left to change)
        return absolute[len(here):].replace(os.sep, "/")
    return path.as_posix()


def excluded(path: Path, patterns: list[str]) -> bool:
    if not patterns:
        return False
    shown = display(path)
    return any(fnmatch.fnmatch(shown, p) or fnmatch.fnmatch(path.name, p) for p in patterns)


def walk(root: Path, patterns: list[str]) -> list[Path]:
    """Manifest files below a directory: *.yaml, *.yml, *.json, hidden directories skipped, sorted."""
    found = []
    for directory, subdirectories, files in os.walk(root):
        subdirectories[:] = sorted(d for d in subdirectories if not d.startswith("."))
        for name in sorted(files):
            path = Path(directory, name)
            # a broken symlink is kept (its read fails, and says so); a FIFO or device never is: it would block
            if name.endswith(SUFFIXES) and (path.is_file() or path.is_symlink() and not path.exists()):
                if not excluded(path, patterns):
                    found.append(path)
    return found


def expand(paths: list[str], patterns: list[str]) -> list[Path]:
    """Files named by PATH arguments, each directory walked; a missing path is a ValueError."""
    files = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            files += walk(path, patterns)
        elif path.exists() or path.is_symlink():
            if not excluded(path, patterns):
                files.append(path)
        else:
            raise ValueError(f"{given}: no such file or directory")
    return files


def siblings(files: list[Path]) -> list[Path]:
    """The manifest files beside the given files (same directory, not below it)."""
    found = []
    for directory in sorted({f.parent for f in files}):
        try:
            found += sorted(p for p in directory.iterdir() if p.name.endswith(SUFFIXES) and p.is_file())
        except OSError:
            continue
    return found
