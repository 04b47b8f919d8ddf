"""Kustomize: the patch files a kustomization names, and (with --kustomize) its build, traced back
to the files its objects come from."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from sslint.discover import SUFFIXES
from sslint.load import ParseError, SourceFile, load

if TYPE_CHECKING:
    from sslint.model import Obj

NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
ORIGIN = "config.kubernetes.io/origin"


class KustomizeError(Exception):
    """A usage error: no kubectl or kustomize to build with."""


def kustomization(directory: Path) -> Path | None:
    return next((directory / n for n in NAMES if (directory / n).is_file()), None)


def _listed(directory: Path) -> Callable[[str], list]:
    """The lists of the directory's kustomization, by key ([] for a key it lacks or holds otherwise);
    every list is empty when there is none or it cannot be read (another user's, a directory above
    the linted ones)."""
    try:
        found = kustomization(directory)
        source = load(found.read_bytes(), str(found)) if found is not None else None
    except OSError:
        source = None
    spec = source.documents[0].data if source and source.documents and isinstance(source.documents[0].data, dict) else {}
    return lambda key: spec[key] if isinstance(spec.get(key), list) else []


def patch_files(directory: Path) -> list[Path]:
    """The files the directory's kustomization applies as patches (resolved paths), as it lists them;
    none when it cannot be read or lists them in another shape."""
    return [path for path, _, key in _patches(directory) if key is None]


def _patches(directory: Path) -> list[tuple[Path | None, dict | None, tuple | None]]:
    """Each patch the directory's kustomization lists, in its order: a file's (resolved) path, or, for a
    patch it writes inline, the key that holds it; with the entry's target (a patch so aimed may name
    the object as it likes)."""
    listed = _listed(directory)
    entries = [(None, None, ("patchesStrategicMerge", n)) if "\n" in p else (p, None, None)
               for n, p in enumerate(listed("patchesStrategicMerge")) if isinstance(p, str)]
    for field in ("patches", "patchesJson6902"):
        for n, e in enumerate(listed(field)):
            target = e.get("target") if isinstance(e, dict) and isinstance(e.get("target"), dict) else None
            if isinstance(e, dict) and isinstance(e.get("path"), str):
                entries.append((e["path"], target, None))
            elif isinstance(e, dict) and isinstance(e.get("patch"), str):
                entries.append((None, target, (field, n, "patch")))
    try:
        return [((directory / name).resolve() if name is not None else None, target, key) for name, target, key in entries]
    except (OSError, ValueError, RuntimeError):  # (a path with a NUL; a symlink loop, which 3.11 raises as RuntimeError)
        return []


def _aims_at(target: dict, kind: str, names: set[str]) -> bool:
    """Whether a patch entry's target selects an object of this kind that has one of these names (at
    some level of the build): its kind and name, a regular expression, when it gives them."""
    if target.get("kind") not in (None, kind):
        return False
    name = target.get("name")
    if not isinstance(name, str):
        return True
    try:
        return any(re.fullmatch(name, n) for n in names)
    except re.error:
        return name in names


def resource_files(directory: Path) -> list[Path]:
    """The manifest files a build of the directory's kustomization reads as resources: those its
    `resources` (and the older `bases`) and `components` name, and theirs through every directory
    they name, once each; remote ones (URLs) are not fetched."""
    return [path for _, files in _build_tree(directory) for path in files]


def build_changes(directory: Path) -> list[tuple[Path, dict | None, tuple | None]]:
    """What every kustomization a build of the directory reads changes in its objects, in the order it
    applies (the deepest bases' first, the directory's own last): each patch it lists, in its order, as
    a file (with its entry's target) or as the kustomization file and the key that holds it; then the
    kustomization file itself (its `replicas` field, applied after them)."""
    return [change for current, _ in reversed(_build_tree(directory)) if (found := kustomization(current))
            for change in [*((path or found, target, key) for path, target, key in _patches(current)), (found, None, None)]]


def _build_tree(directory: Path) -> list[tuple[Path, list[Path]]]:
    """Each directory a build of this one reads (its own first, then those it names), with the
    manifest files it names."""
    tree: list[tuple[Path, list[Path]]] = []
    pending, seen = [directory], set()
    while pending:
        current = pending.pop()
        try:
            key = current.resolve()
        except (OSError, ValueError, RuntimeError):
            continue
        if key in seen:
            continue
        seen.add(key)
        listed, files = _listed(current), []
        for entry in listed("resources") + listed("bases") + listed("components"):
            if not isinstance(entry, str) or "://" in entry or entry.startswith(("git@", "github.com/")):
                continue
            path = current / entry
            try:
                if path.is_dir():
                    pending.append(path)
                elif path.name.endswith(SUFFIXES) and path.is_file():
                    files.append(path)
            except (OSError, ValueError):
                continue
        tree.append((current, files))
    return tree


def build(directory: Path, shown: str) -> SourceFile:
    """`kubectl kustomize` (or `kustomize build`) of the directory, each document's origin recorded.
    A wrapper kustomization asks for origin annotations without touching the user's files."""
    import shutil
    import subprocess
    import tempfile

    command = ["kubectl", "kustomize"] if shutil.which("kubectl") else ["kustomize", "build"] if shutil.which("kustomize") else None
    if command is None:
        raise KustomizeError("--kustomize needs kubectl (or kustomize) on PATH, and neither is installed")
    with tempfile.TemporaryDirectory(prefix="sslint-kustomize-") as wrapper:
        target = os.path.relpath(directory.resolve(), wrapper)
        Path(wrapper, "kustomization.yaml").write_text(
            f"resources: [{target!r}]\nbuildMetadata: [originAnnotations]\n")
        done = subprocess.run([*command, wrapper], capture_output=True)
        source = load(done.stdout, shown)
        if done.returncode != 0:
            # The last line that says something: kubectl (klog) closes a quoted error with a lone ">".
            message = [line.strip().lstrip("`:").strip() for line in done.stderr.decode(errors="replace").splitlines()]
            reason = next((line for line in reversed(message) if line not in ("", ">")), "no output")
            source.errors.append(ParseError(1, 1, f"kustomize build failed: {reason}",
                                            f"Run `{' '.join(command)} {directory}` to see the whole error, "
                                            "and correct the kustomization or the files it names."))
            return source
        for document in source.documents:
            # Where it comes from: a resource's file (path:), else the kustomization whose generator made it
            # (configuredIn:), else (a patch replaced its annotations) the kustomization built, since the
            # built stream's lines are no file's.
            path = None
            annotations = document.data.get("metadata", {}).get("annotations") if isinstance(document.data, dict) else None
            if isinstance(annotations, dict) and isinstance(annotations.get(ORIGIN), str):
                origin = annotations.pop(ORIGIN)
                if not annotations:
                    del document.data["metadata"]["annotations"]
                said = {key.strip(): value.strip() for key, _, value in (line.partition(":") for line in origin.splitlines())}
                path = said.get("path") or said.get("configuredIn")
            document.origin = os.path.normpath(os.path.join(wrapper, path)) if path else str(kustomization(directory))
    return source


# -- tracing a built object's findings to where the build writes them -------------------------------


def set_by(document, target: dict | None, obj: Obj, names: set, path: tuple, value, whole: bool) -> tuple | None:
    """Where a document of a build (a patch, or a kustomization) sets `value` at the object's `path`, if
    it does (`whole`: it must set that very value, not a part merged into the file's): a strategic merge
    patch of the object (aimed by its entry's target, or by one of `names`), a JSON patch operation its
    entry aims at it, or a kustomization's replicas entry for one of `names`."""
    data, missing = document.data, object()

    def matches(found) -> bool:
        return found is not missing and (found == value or not whole and isinstance(value, (dict, list)))

    if isinstance(data, list):  # JSON 6902: operations
        if target is None or not _aims_at(target, obj.data.get("kind"), names):
            return None
        for n in reversed(range(len(data))):
            operation = data[n]
            if not isinstance(operation, dict) or operation.get("op") not in ("add", "replace"):
                continue
            pointer = _pointer(operation.get("path"))
            if pointer is None or len(pointer) > len(path) or not all(
                    step == at or step == "-" and type(at) is int for step, at in zip(pointer, path)):
                continue
            if matches(walk(operation.get("value"), path[len(pointer):], missing)):
                return (n, "value") + path[len(pointer):]
        return None
    if not isinstance(data, dict):
        return None
    if data.get("kind", "Kustomization") in ("Kustomization", "Component"):  # (its replicas field)
        entries = data.get("replicas") if path == ("spec", "replicas") else None
        for n, entry in enumerate(entries if isinstance(entries, list) else []):
            if isinstance(entry, dict) and entry.get("name") in names and entry.get("count") == value:
                return ("replicas", n, "count")
        return None
    name = data["metadata"].get("name") if isinstance(data.get("metadata"), dict) else None
    if data.get("kind") != obj.data.get("kind") or not (
            _aims_at(target, obj.data.get("kind"), names) if target else name in names):
        return None
    spot, found = same_items(obj.data, path, data)
    return spot if found and matches(walk(data, spot, missing)) else None


def names_between(built: str, written: str) -> set[str]:
    """The names an object may have had at the levels of a build between the name its file writes and
    the built name, which a patch or replicas entry there names it by: the written name with a tail of
    the built name's prefix and a head of its suffix (mid-db, in top-mid-db-x)."""
    if written not in built:
        return set()
    prefix, _, suffix = built.partition(written)
    return {prefix[n:] + written + suffix[:m] for n in range(len(prefix) + 1) for m in range(len(suffix) + 1)} - {built, written}


def _pointer(text) -> tuple | None:
    """A JSON pointer (/spec/replicas) as a field path; list indexes as numbers, `-` (the end) as it is."""
    if not isinstance(text, str) or not text.startswith("/"):
        return None
    steps = [step.replace("~1", "/").replace("~0", "~") for step in text[1:].split("/")]
    return tuple(int(step) if step.isascii() and step.isdigit() else step for step in steps)


def walk(node, path: tuple, missing):
    for step in path:
        if type(node) is dict and step in node:
            node = node[step]
        elif type(node) is list and type(step) is int and 0 <= step < len(node):
            node = node[step]
        else:
            return missing
    return missing if node is None else node


def same_items(built: dict, path: tuple, other) -> tuple[tuple, bool]:
    """`path` of a built object's data as it reads in `other`'s (the file it comes from, or a patch), and
    whether `other` has all of it: a list item with a name of its own in its list (a container, a
    volume) is the item of that name there, as strategic merge matches them, wherever the build put
    it. When `other` has no item of that name, the path stops at the list."""
    node, there, spots = built, other, []
    for step in path:
        spot = step
        if type(node) is list and type(step) is int and 0 <= step < len(node):
            name = node[step].get("name") if type(node[step]) is dict else None
            if isinstance(name, str) and type(there) is list and _named_once(node, name):
                spot = next((n for n, item in enumerate(there) if type(item) is dict and item.get("name") == name), None)
                if spot is None:
                    return tuple(spots), False
            node = node[step]
            there = there[spot] if type(there) is list and 0 <= spot < len(there) else None
        else:
            node = node.get(step) if type(node) is dict else None
            there = there.get(step) if type(there) is dict else None
        spots.append(spot)
    return tuple(spots), True


def _named_once(items: list, name: str) -> bool:
    """Whether one item alone has this name (two mounts of one volume are told apart by mountPath)."""
    return sum(type(item) is dict and item.get("name") == name for item in items) == 1


def source_object(built: str | None, written: list[Obj], by_name: dict, siblings: list, affixes: list) -> Obj | None:
    """The object of the origin file that a built one (named `built`) comes from: one whose name the
    built name holds (namePrefix and nameSuffix add to it). Of several (redis and redis-replicas in
    prod-redis-replicas, or with nameSuffix -replicas in redis-replicas), the one whose prefix and
    suffix turn the most of the file's built names (`siblings`) into names it writes; the prefixes
    and suffixes found so (`affixes`) are tried first. A name that holds none (an overlay's patch renamed
    the object) comes from the file's one object of the kind, if it has one."""
    if not isinstance(built, str):
        return None
    for prefix, suffix in affixes:
        if built.startswith(prefix) and built.endswith(suffix) and built[len(prefix):len(built) - len(suffix)] in by_name:
            return by_name[built[len(prefix):len(built) - len(suffix)]]
    holding = [o for o in written if o.name and o.name in built]
    if len(holding) < 2:
        return holding[0] if holding else written[0] if len(written) == 1 else None

    def affix(candidate: Obj) -> tuple[str, str]:
        at = built.index(candidate.name)
        return built[:at], built[at + len(candidate.name):]

    def explained(candidate: Obj) -> int:
        prefix, suffix = affix(candidate)
        return sum(isinstance(n, str) and n.startswith(prefix) and n.endswith(suffix)
                   and n[len(prefix):len(n) - len(suffix)] in by_name for n in siblings)

    chosen = max(holding, key=lambda o: (explained(o), len(o.name)))
    affixes.append(affix(chosen))
    return chosen


# A literal block scalar's header, from where the key (`patch: |-`), the list item or the scalar is, with its
# indentation indicator before or after the chomping one; then maybe a comment.
_LITERAL_BLOCK = re.compile(r"(?:(?:-|[^\s:#|][^:#]*:)[ \t]+)?(?:[!&]\S*[ \t]+)*\|([1-9]?)[-+]?([1-9]?)[ \t]*(?:#.*)?$")


def inline_patch(kustomization: SourceFile, key: tuple) -> list[tuple]:
    """The documents of a patch a kustomization writes inline (in a block scalar), with how far their
    lines and columns are from the kustomization's."""
    if not kustomization.documents:
        return []
    at = kustomization.documents[0].position_of(key)
    text = walk(kustomization.documents[0].data, key, None)
    lines = kustomization.text.splitlines()
    # Only a literal block (`|`) keeps its lines: a folded one (`>`) or a flow scalar does not.
    header = _LITERAL_BLOCK.match(lines[at[0] - 1][at[1] - 1:]) if at is not None and at[0] <= len(lines) else None
    if header is None or not isinstance(text, str):
        return []
    explicit = next((int(d) for d in header.groups() if d), None)
    if explicit is not None:  # (its indentation indicator counts from its key's, or its list item's dash's)
        line = lines[at[0] - 1]
        before = line[:at[1] - 1].rstrip()
        on_scalar = line[at[1] - 1:].startswith("|") and before.endswith("-")  # (a list item: at its dash)
        indent = (len(before) - 1 if on_scalar else at[1] - 1) + explicit
    else:  # (else from its first line that is not blank)
        body = next((line for line in lines[at[0]:] if line.strip()), "")
        indent = len(body) - len(body.lstrip(" "))
    return [(d, at[0], indent) for d in load(text.encode(), kustomization.path).documents]
