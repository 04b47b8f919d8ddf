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
    """Manifest files below a directory: *.yaml, *.yml, *.json, hidden directories and symlinks to
    directories skipped (as os.walk does), sorted: each directory's files, then its subdirectories'.
    A directory that cannot be listed is passed over, as os.walk does."""
    found: list[Path] = []
    pending = [os.fspath(root)]  # a stack, not recursion: a deep tree never exhausts Python's
    while pending:
        try:
            with os.scandir(pending.pop()) as scan:
                entries = sorted(scan, key=lambda entry: entry.name)
        except OSError:
            continue
        subdirectories = []
        for entry in entries:
            # The entry's own type comes with the listing, without a system call; a symlink to a
            # directory is not a directory here, and is never followed.
            if entry.is_dir(follow_symlinks=False):
                if not entry.name.startswith("."):
                    subdirectories.append(entry.path)
            elif entry.name.endswith(SUFFIXES) and _file_or_unreadable(entry):
                path = Path(entry.path)
                if not excluded(path, patterns):
                    found.append(path)
        pending += reversed(subdirectories)  # the first is taken next, and all below it before the second
    return found


def _file_or_unreadable(entry: os.DirEntry) -> bool:
    """A file, or a symlink that leads to none (broken, a loop, through a file or a directory this user
    cannot enter): kept, so that its read fails and says so. A FIFO or device never is: it would block."""
    try:
        return entry.is_file() or entry.is_symlink() and not os.path.exists(entry.path)
    except OSError:  # following the symlink failed otherwise than "no such file"
        return True


class MissingPath(Exception):
    """A PATH (or context path) that names nothing."""


def expand(paths: list[str], patterns: list[str]) -> list[Path]:
    """Files named by PATH arguments, each directory walked; a missing path is a MissingPath."""
    files = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            files += walk(path, patterns)
        elif path.exists() or path.is_symlink():
            if not excluded(path, patterns):
                files.append(path)
        else:
            raise MissingPath(f"{given}: no such file or directory")
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


def in_chart_templates(path: Path) -> bool:
    """Whether the file lies under a Helm chart's templates/ (beside its Chart.yaml): a template to
    render, even where its actions stand only in strings and it parses as YAML."""
    try:  # (linted from inside templates/, the path shown has no parent to tell; a templates/ may be a symlink)
        paths = {Path(os.path.abspath(path)), path.resolve()}
    except (OSError, RuntimeError):
        return False
    return any(parent.name == "templates" and (parent.parent / "Chart.yaml").is_file()
               for each in paths for parent in each.parents)

