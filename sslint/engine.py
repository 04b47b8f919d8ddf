"""One run: paths → load → model → checks → severity and suppression → findings."""

from __future__ import annotations

import gc
import marshal
import os
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

from sslint import cache, catalogue, discover, kustomize, suppress, versions
from sslint.checks import CHECKS
from sslint.finding import Finding, Location, Related
from sslint.load import ParseError, SourceFile, cut, is_template, load, read_piece
from sslint.model import Model, Obj, ObjectRef

STDIN = "-"
# A larger file is reported, not read: it bounds time and memory. (A 60 MB YAML dump with one syntax
# error took 39 s and 2 GB, read whole again for its positions: 64 MiB was too much.)
MAX_FILE_BYTES = 32 * 2**20
# Below these, starting worker processes costs more than it saves (measured on two cores: a run over
# 30 or 100 objects as fast either way, over 300 objects a tenth faster shared, over 1,000 a quarter).
PARALLEL_BYTES = 2**16  # to parse
PARALLEL_OBJECTS = 200  # to check


@dataclass
class Options:
    paths: list[str]
    context: list[str] = field(default_factory=list)  # files and directories, never reported on
    selected: set[str] | None = None  # rule ids; None: every rule
    severities: dict[str, str] = field(default_factory=dict)  # rule id → severity, from the config
    kubernetes_version: str = field(default_factory=versions.default)
    exclude: list[str] = field(default_factory=list)
    stdin_filename: str | None = None
    use_cache: bool = False  # the command line turns it on; --no-cache off
    jobs: int = 1  # processes that load and check large inputs, this one included
    kustomize: bool = False  # build directories holding a kustomization, as kubectl kustomize does
    diff_base: str | None = None  # a git revision to compare StatefulSets with (SS305)
    progress: Callable[[int, int], None] = lambda loaded, total: None  # told (files loaded, of total) as loading goes


@dataclass
class Result:
    findings: list[Finding]  # suppressed ones included, marked
    files: list[str]  # the files linted (reported on)
    notices: list[str]
    internal_errors: list[str] = field(default_factory=list)  # checks that failed: the run is not trustworthy
    # The objects the findings are about. Held here so that a caller that ends its process with the
    # result in hand (the command line) never frees a large model object by object (30 ms at 10,000);
    # a caller that keeps results keeps their models too. Not part of a result's value.
    model: Model | None = field(default=None, compare=False, repr=False)


def _contents(path: Path | str) -> bytes | ParseError:
    """A file's bytes (standard input's for STDIN), or why it is not read: it cannot be, or it is too
    large. Each input is read once, here, and both the run's cache key and its loading take these
    bytes: a pipe (`sslint <(kustomize build)`) or /dev/stdin is read whole, once, and a file that
    changes during the run cannot have its new findings stored under its old bytes."""
    try:
        if path == STDIN:
            raw = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
        else:
            # System calls, not a file object: that would cost as much as the reading, file by file.
            descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))  # (Windows: not text mode)
            try:
                # Asked for its size and one byte more, a read finds the end at once; asked for the
                # bound, it would first set that much memory aside, whatever the file's size.
                size = os.fstat(descriptor).st_size
                if size > MAX_FILE_BYTES:
                    return _too_large()
                chunks = [os.read(descriptor, size + 1)]
                read = len(chunks[0])  # a file's size, and then nothing; else it grew, or is a pipe or a device
                while read <= MAX_FILE_BYTES and (chunk := os.read(descriptor, min(2**20, MAX_FILE_BYTES + 1 - read))):
                    chunks.append(chunk)
                    read += len(chunk)
                raw = chunks[0] if len(chunks) == 1 else b"".join(chunks)
            finally:
                os.close(descriptor)
    except OSError as error:
        return ParseError(1, 1, f"cannot be read: {error.strerror or error}",
                          "Make it a file that the user running sslint can read, or leave it out (--exclude).")
    return _too_large() if len(raw) > MAX_FILE_BYTES else raw


def _too_large() -> ParseError:
    mib = MAX_FILE_BYTES // 2**20
    return ParseError(1, 1, f"larger than {mib} MiB; not read (split the file)",
                      f"Split it into files of at most {mib} MiB (kubectl applies a directory of them alike; dump a "
                      "cluster namespace by namespace), or leave it out (--exclude).")


def _load(name: str, contents: bytes | ParseError, sniff: bool = False,
          pieces: tuple[str, list] | None = None) -> SourceFile:
    """A file loaded from its contents (with `pieces`, from those read of it); `sniff`: JSON when
    it begins like JSON (standard input has no extension to say so)."""
    if isinstance(contents, ParseError):
        source = SourceFile(name)
        source.errors.append(contents)
        return source
    return load(contents, name, as_json=_json(name, contents, sniff), pieces=pieces)


def _json(name: str, raw: bytes, sniff: bool = False) -> bool:
    return name.endswith(".json") or (sniff and raw.lstrip()[:1] in (b"{", b"["))


_NUMBER = 4  # bytes of a task number in the pipe the processes take them from
_RESULTS_PIPE = 2**20  # bytes a worker's results pipe is asked to hold: a worker waits only when more are unread


def _room(pipe: int) -> int:
    """How many task numbers `pipe` holds: they are written before anyone reads, so all must fit."""
    import fcntl

    if hasattr(fcntl, "F_GETPIPE_SZ"):
        return fcntl.fcntl(pipe, fcntl.F_GETPIPE_SZ) // _NUMBER
    return 4096 // _NUMBER  # macOS and the BSDs hold 16 KiB at least


def _shared_out(tasks: list, jobs: int, run: Callable[[Any, bool], Any], receive: Callable[[Any, Any], Any],
                progress: Callable[[int], None] = lambda finished: None) -> list:
    """[run(task, here) for task in tasks], computed by this process (here=True) and `jobs` - 1
    forked workers (here=False: run returns marshal data, which this process turns into the result
    with receive(task, data)); the workers see this process's memory as it was at the fork. Each
    process takes the next task when done with one, so that fast and slow shares even out: the
    tasks' numbers wait in a pipe, and reading four bytes from it takes one whole. A worker sends
    each result as soon as it has it, and this process receives them between its own tasks (telling
    `progress` how many are finished), so little is left to receive at the end. A task that no
    worker answered (a worker killed, or failing: it says so on standard error) is run here, where
    an error shows as it would in one process."""
    import fcntl
    import signal

    numbers, numbers_in = os.pipe()
    count = min(len(tasks), _room(numbers_in))  # number k stands for tasks k, k + count, k + 2 * count …
    os.write(numbers_in, b"".join(k.to_bytes(_NUMBER, "little") for k in range(count)))
    os.close(numbers_in)  # once they are taken, a read finds the end

    def take(send: Callable[[int, Any], None], here: bool) -> None:
        while number := os.read(numbers, _NUMBER):
            for n in range(int.from_bytes(number, "little"), len(tasks), count):
                send(n, run(tasks[n], here))

    done: dict[int, Any] = {}
    inbox: dict[int, bytearray] = {}  # a worker's pipe → what has come of it and is not yet taken
    workers: dict[int, int] = {}  # a worker's process id → its pipe
    try:
        for _ in range(jobs - 1):
            # Ctrl-C waits until the worker is recorded: else one could escape the cleanup below,
            # or run it in the worker itself.
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
            try:
                results, results_in = os.pipe()
                try:
                    pid = os.fork()
                except OSError:  # the system refuses another process: those there are share the work
                    os.close(results)
                    os.close(results_in)
                    break
                if pid == 0:  # the worker: whatever happens, it ends here, never returning into the caller
                    _work(take, results_in, [results, *inbox])
                workers[pid] = results
                os.close(results_in)
                if hasattr(fcntl, "F_SETPIPE_SZ"):
                    try:
                        fcntl.fcntl(results, fcntl.F_SETPIPE_SZ, _RESULTS_PIPE)
                    except OSError:
                        pass  # above the system's limit: the pipe keeps its size
                os.set_blocking(results, False)
                inbox[results] = bytearray()
            finally:
                signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})

        def arrived(n: int, data: Any) -> None:
            done[n] = receive(tasks[n], data)

        def keep(n: int, result: Any) -> None:
            done[n] = result
            _receive(inbox, arrived)
            if len(done) < len(tasks):  # all of them is said once, below
                progress(len(done))

        take(keep, True)
        for results in inbox:
            os.set_blocking(results, True)
        _receive(inbox, arrived)
    except BaseException:  # Ctrl-C, above all: the workers end with this process
        for pid, results in workers.items():
            os.set_blocking(results, False)
            if _drain(results, bytearray()):  # else it has ended, and its process id may be another's by now
                os.kill(pid, signal.SIGKILL)
        raise
    finally:
        os.close(numbers)
        for pid, results in workers.items():
            os.close(results)
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass  # SIGCHLD is ignored: the system has reaped it
    every = [done[n] if n in done else run(tasks[n], True) for n in range(len(tasks))]
    progress(len(tasks))
    return every


def _work(take: Callable, results: int, others: list[int]) -> NoReturn:
    """A worker's life: it takes tasks until there are none, sending each result down `results`."""
    import signal

    status = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # only the main process answers Ctrl-C
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        for pipe in others:  # the main process's ends: a worker holding them would outlive it
            os.close(pipe)
        take(lambda n, result: _send(results, marshal.dumps((n, result))), False)
        status = 0
    except BaseException:
        import traceback

        message = f"sslint: a worker process failed; the main process does its tasks again:\n{traceback.format_exc()}"
        os.write(2, message.encode(errors="replace"))  # not sys.stderr: whatever buffers it dies with the worker
    finally:
        os._exit(status)


def _drain(pipe: int, buffer: bytearray) -> bool:
    """What a worker's pipe holds (up to its end, if it blocks), onto `buffer`; whether the other end
    is still open: the worker has not ended."""
    try:
        while chunk := os.read(pipe, 2**20):
            buffer += chunk
    except BlockingIOError:
        return True
    return False


def _send(pipe: int, blob: bytes) -> None:
    view = memoryview(len(blob).to_bytes(4, "little") + blob)
    while view:
        view = view[os.write(pipe, view):]


def _receive(inbox: dict[int, bytearray], arrived: Callable[[int, Any], None]) -> None:
    """Whatever the workers' pipes hold (until each ends, if they block), each result given to
    arrived(task number, data)."""
    for results, buffer in inbox.items():
        _drain(results, buffer)
        start = 0
        while len(buffer) - start >= 4:
            size = int.from_bytes(buffer[start : start + 4], "little")
            if len(buffer) - start - 4 < size:
                break
            arrived(*marshal.loads(buffer[start + 4 : start + 4 + size]))
            start += 4 + size
        del buffer[:start]


def _load_all(names: list[str], contents: list, use_cache: bool, jobs: int,
              progress: Callable[[int, int], None], sniff: bool = False) -> list[SourceFile]:
    """The files loaded in order: those the cache holds from it, the others parsed (and then stored
    in it). When those to parse are large, they are shared out between this process and `jobs` - 1
    workers, the largest first, a long YAML stream in pieces (load.cut). Each file's contents are
    let go (set to None) once loaded."""
    keys = [cache.file_key(c, _json(name, c, sniff)) if use_cache and isinstance(c, bytes) else None
            for name, c in zip(names, contents)]
    stored = cache.stored_files([k for k in keys if k is not None]) if use_cache else {}
    loaded: list[SourceFile | None] = [None] * len(names)
    for n, key in enumerate(keys):
        if key in stored:
            try:
                loaded[n] = SourceFile.from_plain(names[n], marshal.loads(stored.pop(key)))
                contents[n] = None
            except (EOFError, TypeError, ValueError):
                pass  # an entry of another shape: parse the file again
    parse = [n for n in range(len(names)) if loaded[n] is None]
    fresh: dict[bytes, bytes] = {}  # what was parsed, to store: key → marshal data
    sizes = [len(c) if isinstance(c, bytes) else 0 for c in contents]
    if jobs > 1 and sum(sizes[n] for n in parse) >= PARALLEL_BYTES and hasattr(os, "fork"):
        cuts = {n: c for n in parse if isinstance(contents[n], bytes) and not _json(names[n], contents[n], sniff)
                and (c := cut(contents[n])) is not None}  # file → (its text, its pieces)
        tasks = [(n, piece) for n in parse for piece in (range(len(cuts[n][1])) if n in cuts else [None])]
    else:
        cuts, tasks = {}, []
    if len(tasks) > 1:
        def size(task: tuple[int, int | None]) -> int:
            n, piece = task
            if piece is None:
                return sizes[n]
            start, end, *_ = cuts[n][1][piece]
            return end - start

        def load_one(task: tuple[int, int | None], here: bool):
            n, piece = task
            if piece is not None:
                text, spans = cuts[n]
                read = read_piece(text, *spans[piece])
                return read if here else marshal.dumps(read)
            source = _load(names[n], contents[n], sniff)
            if here:
                contents[n] = None
                return source
            return marshal.dumps(source.to_plain())

        def unpack(task: tuple[int, int | None], data: bytes):  # a worker's file or piece, while the workers go on
            n, piece = task
            if piece is not None:
                return marshal.loads(data)
            contents[n] = None
            if keys[n] is not None:
                fresh[keys[n]] = data
            return SourceFile.from_plain(names[n], marshal.loads(data))

        largest_first = sorted(tasks, key=size, reverse=True)
        shared = _shared_out(largest_first, jobs, load_one, unpack,
                             lambda finished: progress(len(names) - len(parse) + finished * len(parse) // len(tasks),
                                                       len(names)))
        pieces: dict[int, list] = {n: [None] * len(spans) for n, (_, spans) in cuts.items()}
        for (n, piece), result in zip(largest_first, shared):
            if piece is None:
                loaded[n] = result
            else:
                pieces[n][piece] = result
        for n, read in pieces.items():  # (a piece with an error: the file is read whole, here)
            loaded[n] = _load(names[n], contents[n], sniff, (cuts.pop(n)[0], read))
            contents[n] = None
    else:
        for done, n in enumerate(parse, 1):
            loaded[n] = _load(names[n], contents[n], sniff)
            contents[n] = None
            progress(len(names) - len(parse) + done, len(names))
        if not parse:  # all from the cache
            progress(len(names), len(names))
    if use_cache:
        fresh.update((keys[n], marshal.dumps(loaded[n].to_plain())) for n in parse
                     if keys[n] is not None and keys[n] not in fresh)
        cache.store_files(fresh)
    return loaded


def _unique(paths: list[Path], seen: set[str]) -> list[Path]:
    """Paths not seen before (by their resolved location), in order; `seen` grows. Each directory
    is resolved once, and a file only when it is a symlink: resolving costs a system call per
    component (and strings, not Paths: a Path costs more than the system call)."""
    found = []
    directories: dict[str, str] = {}
    for path in paths:
        parent, name = os.path.split(path)
        if parent not in directories:
            directories[parent] = os.path.realpath(parent)
        key = os.path.join(directories[parent], name)
        if os.path.islink(key):
            key = os.path.realpath(key)
        if key not in seen:
            seen.add(key)
            found.append(path)
    return found


def _locate(finding: Finding) -> None:
    obj = finding.obj
    finding.location = Location(obj.source.path, *obj.position(finding.path))
    finding.related_locations = [
        Location(r.obj.source.path, *r.obj.position(r.path), r.message) for r in finding.related
    ]


def _discover(options: Options) -> tuple[list[Path], list[Path], list[Path]]:
    """Directories to build with kustomize, the files to report on, and the context files."""
    stdin = STDIN in options.paths
    given = [p for p in options.paths if p != STDIN]
    built = [Path(p) for p in given if options.kustomize and Path(p).is_dir() and kustomize.kustomization(Path(p))]
    targets = discover.expand([p for p in given if Path(p) not in built], options.exclude)
    context = discover.expand(options.context, options.exclude)
    explicit_files = [Path(p) for p in given if not Path(p).is_dir()]
    if stdin and options.stdin_filename:
        explicit_files.append(Path(options.stdin_filename))
    context += discover.siblings(explicit_files)
    context += [p for p in _resources({path.parent for path in targets + explicit_files})
                if not discover.excluded(p, options.exclude)]
    seen = {os.path.realpath(options.stdin_filename)} if stdin and options.stdin_filename else set()
    return built, _unique(targets, seen), _unique(context, seen)


def _resources(directories: set[Path]) -> list[Path]:
    """The files that the kustomizations of these directories build from (a Service in ../shared that a
    base names): context, so that a file linted alone, as pre-commit passes it, sees what its build holds."""
    return [path for directory in sorted(directories) if kustomize.kustomization(directory)
            for path in kustomize.resource_files(directory)]


@dataclass
class _Inputs:
    """Everything a run reads besides its options: each file's name, contents (its bytes, or why they
    were not read) and whether a kustomization applies it as a patch; the first `targets` files are
    reported on, the others are context; and standard input's contents, when it is an input."""

    names: list[str]
    contents: list
    patches: list[bool]
    targets: int
    stdin: bytes | ParseError | None


def _read(options: Options, target_paths: list[Path], context_paths: list[Path]) -> _Inputs:
    paths = target_paths + context_paths
    return _Inputs([discover.display(path) for path in paths], [_contents(path) for path in paths], _patches(paths),
                   len(target_paths), _contents(STDIN) if STDIN in options.paths else None)


def _patches(paths: list[Path]) -> list[bool]:
    """Whether each file is one a kustomization applies as a patch: a kustomization in the file's own
    directory or above it (overlays/prod naming patches/sts.yaml), or in any directory the run reads
    (one naming ../../common/sts.yaml, which kustomize builds with --load-restrictor
    LoadRestrictionsNone). Each directory's kustomization is read once."""
    named: dict[str, list[Path]] = {}  # directory → the files its kustomization applies as patches
    for directory in {os.path.dirname(os.path.abspath(path)) for path in paths}:  # (strings: cheaper than Paths)
        while directory not in named:  # up to the root, or to a directory whose ancestors were read
            named[directory] = kustomize.patch_files(Path(directory))
            directory = os.path.dirname(directory)
    every = set().union(*named.values())
    names = {patch.name for patch in every}  # (a path is resolved only when its name is a patch's)
    return [path.name in names and path.resolve() in every for path in paths]


def _gather(options: Options, built: list[Path], inputs: _Inputs):
    """The sources to report on (standard input first, then the kustomizations built) and the
    context sources."""
    loaded = _load_all(inputs.names, inputs.contents, options.use_cache, options.jobs, options.progress)
    for source, patch in zip(loaded, inputs.patches):
        source.patch = patch
        if is_template(source.text) and discover.in_chart_templates(Path(source.path)):
            source.documents, source.errors, source.pragmas, source.text, source.template = [], [], {}, "", True
        for document in source.documents:  # a rendered file kept on disk is reported where it is, not at its
            if document.origin_line is not None:  # `# Source:` template, which may not be there (--output-dir)
                document.origin = document.origin_line = None
    sources = loaded[: inputs.targets]
    sources[:0] = [kustomize.build(d, discover.display(kustomize.kustomization(d))) for d in built]
    if inputs.stdin is not None:  # (`helm template … | sslint -`: a long stream is read in pieces too)
        name = options.stdin_filename or "<stdin>"
        sources[:0] = _load_all([name], [inputs.stdin], False, options.jobs, lambda loaded, total: None, sniff=True)
    return sources, loaded[inputs.targets:]


def _run_entry(options: Options, selected: set[str], inputs: _Inputs) -> str:
    """The cache entry of this run: the options, the working directory, and all it reads."""
    settings = repr((sorted(selected), sorted(options.severities.items()), options.kubernetes_version,
                     options.exclude, str(Path.cwd()), inputs.names, inputs.patches, inputs.targets,
                     inputs.stdin is not None, options.stdin_filename))
    contents = inputs.contents + ([inputs.stdin] if inputs.stdin is not None else [])
    return cache.run_entry([settings, *(c.message if isinstance(c, ParseError) else c for c in contents)])


def _result_to_plain(result: Result) -> tuple:
    objects: dict[int, int] = {}
    identities = []
    findings = []
    for f in result.findings:
        if f.obj is not None and id(f.obj) not in objects:
            objects[id(f.obj)] = len(identities)
            identities.append((f.obj.kind, f.obj.namespace, f.obj.name))
        findings.append((f.rule.id, f.message, f.fix, f.severity, f.suppression, f.path,
                         None if f.obj is None else objects[id(f.obj)],
                         (f.location.file, f.location.line, f.location.column),
                         [(r.file, r.line, r.column, r.message) for r in f.related_locations]))
    return identities, findings, result.files, result.notices


def _result_from_plain(plain: tuple, rules: dict) -> Result:
    identities, stored, files, notices = plain
    objects = [ObjectRef(*identity) for identity in identities]
    findings = []
    for rule_id, message, fix, severity, suppression, path, obj, location, related in stored:
        finding = Finding(message, None if obj is None else objects[obj], tuple(path), fix, severity=severity,
                          rule=rules[rule_id])
        finding.location, finding.suppression = Location(*location), suppression
        finding.related_locations = [Location(*r) for r in related]
        findings.append(finding)
    return Result(findings, files, notices)


def _check_all(model: Model, rules: dict, work: Iterable[tuple[str, Obj, list[Finding], list[str]]], version: str) -> None:
    """Each (rule, object) check of `work`: its findings, located, and its internal error (a bug in
    one check must not hide every other finding) go to the two lists given with it."""
    for rule_id, obj, findings, internal_errors in work:
        rule = rules[rule_id]
        try:
            produced = list(CHECKS[rule_id](obj, model, version))
        except Exception as error:
            line, column = obj.position(())
            internal_errors.append(f"internal error in {rule.id} {rule.name} on {obj.ref} "
                                   f"({obj.source.path}:{line}:{column}): {type(error).__name__}: {error}")
            continue
        for finding in produced:
            finding.rule = rule
            _locate(finding)
            findings.append(finding)


def _plain(location: Location) -> tuple:
    return location.file, location.line, location.column, location.message


def _check(model: Model, rules: dict, selected: set[str], version: str, jobs: int) -> tuple[list[Finding], list[str]]:
    """Every selected check on every reported object of its kinds (not context, and not owned by another
    object of the model: a dump's ReplicaSets repeat their Deployment). A large model is checked by this
    process and `jobs` - 1 forked workers, which share the model instead of receiving a copy; each
    takes whole rules, so that the indexes a rule builds as it goes are built by few of them, and
    sends back its findings with their positions. (Reading positions allocates, and a forked worker
    pays for a copy of every page it writes to; but measured, its share was no slower for it, while
    this process reading them one by one after the workers were done was time no one shared.)"""
    checks = sorted(selected & CHECKS.keys())
    owned = model.owned  # (bound once: asked for every object)
    reported = [obj for obj in model.objects if not obj.context and not owned(obj)]
    if jobs < 2 or len(model.objects) < PARALLEL_OBJECTS or not hasattr(os, "fork"):
        # One object at a time through every rule that checks it: its data is read while the
        # processor's caches hold it, not once per rule across the whole model (at 50,000 objects,
        # 3 to 6% of the rule time, measured). Each rule's findings on each of its kinds are kept apart,
        # and joined in the order that rule by rule, kind by kind, gives.
        found = {(rule_id, kind): ([], []) for rule_id in checks for kind in rules[rule_id].kinds}
        checked_by: dict[str, list[tuple[str, list, list]]] = defaultdict(list)  # kind → its checks
        for (rule_id, kind), lists in found.items():
            checked_by[kind].append((rule_id, *lists))
        _check_all(model, rules, ((rule_id, obj, *lists) for obj in reported
                                  for rule_id, *lists in checked_by.get(obj.kind, ())), version)
        return [f for findings, _ in found.values() for f in findings], [e for _, errors in found.values() for e in errors]
    by_kind = defaultdict(list)  # kind → the objects reported on, in model order
    for obj in reported:
        by_kind[obj.kind].append(obj)
    work = {rule_id: [obj for kind in rules[rule_id].kinds for obj in by_kind.get(kind, ())] for rule_id in checks}
    largest_first = sorted(work, key=lambda r: len(work[r]), reverse=True)  # the rules with the most objects first
    number = {id(obj): n for n, obj in enumerate(model.objects)}

    def check(rule_id: str, here: bool):
        findings, internal_errors = [], []
        _check_all(model, rules, ((rule_id, obj, findings, internal_errors) for obj in work[rule_id]), version)
        if here:
            return findings, internal_errors
        return [(number[id(f.obj)], f.path, f.message, f.fix, f.severity,
                 [(number[id(r.obj)], r.path, r.message) for r in f.related], _plain(f.location),
                 [_plain(r) for r in f.related_locations]) for f in findings], internal_errors

    def rebuild(rule_id: str, data: tuple) -> tuple[list[Finding], list[str]]:  # a worker's findings
        produced, internal_errors = data
        findings = []
        for n, path, message, fix, severity, related, location, related_locations in produced:
            finding = Finding(message, model.objects[n], tuple(path), fix, severity=severity, rule=rules[rule_id],
                              related=[Related(model.objects[r], tuple(p), m) for r, p, m in related])
            finding.location = Location(*location)
            finding.related_locations = [Location(*r) for r in related_locations]
            findings.append(finding)
        return findings, internal_errors

    done = dict(zip(largest_first, _shared_out(largest_first, jobs, check, rebuild)))
    findings, internal_errors = [], []
    for rule_id in work:  # in rule order, as one process would have found them
        findings += done[rule_id][0]
        internal_errors += done[rule_id][1]
    return findings, internal_errors


def _trace_origins(findings: list[Finding]) -> None:
    """Findings on rendered objects (helm template, kustomize) move to the file the object comes from,
    and so do the places they relate to: for a built object, to where the build sets the value, when
    the file it comes from lacks it or holds another."""
    files: dict[str, SourceFile] = {}  # a file of a kustomization's build → its documents
    written: dict[tuple, tuple] = {}  # (origin, kind) → its objects, by name, the names built from it, affixes found
    changes: dict[int, list] = {}  # a build → what changes its objects, in order: (file, target, document, offsets)

    def read(path: Path) -> SourceFile:
        if str(path) not in files:
            files[str(path)] = _load(discover.display(path), _contents(path))
        return files[str(path)]

    def traced(obj: Obj | None, path: tuple, location: Location) -> Location:
        document = obj.document if obj is not None else None
        if document is None or document.origin is None:
            return location
        if document.origin_line is not None:  # helm: lines count from the `# Source:` comment
            return Location(document.origin, max(1, location.line - document.origin_line), location.column,
                            location.message)
        key = (document.origin, obj.kind)  # kustomize: the same object in its origin file
        if key not in written:
            model = Model()
            model.add(read(Path(document.origin)), context=True)
            objects = model.of_kind(obj.kind)
            siblings = [d.data["metadata"].get("name") for d in obj.source.documents
                        if d.origin == document.origin and isinstance(d.data, dict)
                        and d.data.get("kind") == obj.data.get("kind") and isinstance(d.data.get("metadata"), dict)]
            written[key] = (objects, {o.name: o for o in objects if o.name}, siblings, [])
        source = kustomize.source_object(obj.name, *written[key])
        where, whole = kustomize.same_items(obj.data, path, source.data) if source is not None else ((), False)
        found = changed(obj, source, path, where if whole else None)
        if found is not None:
            return Location(*found, location.message)
        line, column = source.position(where) if source else (1, 1)  # (an item the file lacks: at its list)
        return Location(source.source.path if source else discover.display(Path(document.origin)), line, column,
                        location.message)

    def changed(obj: Obj, source: Obj | None, path: tuple, where: tuple | None) -> tuple[str, int, int] | None:
        """Where the build last sets the object's value at `path`, when its own file (`source`, there at
        `where`) lacks the field or holds another value there: a strategic merge patch, a JSON patch's
        operation, or a kustomization's `replicas` entry. A mapping or list the file has too is taken
        from a change only when that sets it whole (else it is the file's, merged)."""
        value, missing = obj.get(*path), object()
        there = source.get(*where, default=missing) if where is not None else missing
        if there is not missing and there == value:
            return None
        if id(obj.source) not in changes:
            changes[id(obj.source)] = [(read(file).path, target, *written_in)
                                       for file, target, key in kustomize.build_changes(Path(obj.source.path).parent)
                                       for written_in in (kustomize.inline_patch(read(file), key) if key else
                                                          ((d, 0, 0) for d in read(file).documents))]
        names = {n for n in (obj.name, source.name if source is not None else None) if n}
        # The names it is built and written by first (b-db's entry is not a-b-db's, whose file names it db);
        # then those it may have had at a level between.
        between = kustomize.names_between(obj.name, source.name) if len(names) == 2 else set()
        for tried in (names, between):
            for file, target, document, lines, columns in reversed(changes[id(obj.source)]):  # (the last applied wins)
                spot = kustomize.set_by(document, target, obj, tried, path, value, whole=there is not missing)
                if spot is not None:
                    line, column = document.nearest(spot)
                    return file, line + lines, column + columns
        return None

    for finding in findings:
        finding.location = traced(finding.obj, finding.path, finding.location)
        finding.related_locations = [traced(related.obj, related.path, location)
                                     for related, location in zip(finding.related, finding.related_locations)]
        if finding.obj is not None and finding.obj.built:  # (overlays build the same base: which one it was)
            finding.message += f" (as {finding.obj.source.path} builds it)"


def run(options: Options) -> Result:
    # Loaded data holds no reference cycles: reference counting frees all of it, and the cyclic
    # collector would only walk the growing data again and again (a fifth of the loading time).
    # (ruamel.yaml's pure-Python parser, used where its C parser is missing, leaves some cycles of
    # its own behind: they are collected after the run.)
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _run(options)
    finally:
        if enabled:  # the run's objects join the oldest generation unexamined, not walked at the next allocation
            gc.freeze()
            gc.unfreeze()
            gc.enable()


def _run(options: Options) -> Result:
    rules = catalogue.rules()
    selected = set(rules) if options.selected is None else options.selected
    built, target_paths, context_paths = _discover(options)
    inputs = _read(options, target_paths, context_paths)
    entry = None
    if options.use_cache and not (built or options.diff_base):
        entry = _run_entry(options, selected, inputs)
    if entry is not None:
        plain = cache.fetch(entry)
        if plain is not None:
            try:
                return _result_from_plain(plain, rules)
            except (TypeError, ValueError, KeyError, IndexError):
                pass  # an entry of another shape: run again
    sources, context_sources = _gather(options, built, inputs)
    model = Model()
    for source in sources:
        model.add(source, context=False)
    for source in context_sources:
        model.add(source, context=True)
    if options.diff_base:
        from sslint import history

        model.previous = Model()
        for source in history.revision_sources(options.diff_base, Path.cwd()):
            model.previous.add(source, context=True)

    notices = [f"--kustomize: {path} holds no kustomization, so its files are linted as they are"
               for path in options.paths if options.kustomize and path != STDIN and Path(path).is_dir()
               and Path(path) not in built]
    templates = [s.path for s in sources if s.template]
    if templates:
        notices.append(
            f"skipped {len(templates)} Helm template file{'s' if len(templates) > 1 else ''} "
            f"(render them first: helm template … | sslint -): {', '.join(templates[:3])}"
            + (" …" if len(templates) > 3 else "")
        )

    findings = []
    if "SS001" in selected:
        for source in sources:
            for error in source.errors:
                finding = Finding(error.message, fix=error.fix, rule=rules["SS001"])
                finding.location = Location(source.path, error.line, error.column)
                findings.append(finding)
    checked, internal_errors = _check(model, rules, selected, options.kubernetes_version, options.jobs)
    findings += checked
    for finding in findings:
        finding.severity = options.severities.get(finding.rule.id) or finding.severity or finding.rule.severity
    suppress.apply(findings, {s.path: s.pragmas for s in sources})
    _trace_origins(findings)
    findings.sort(key=lambda f: (f.location.file, f.location.line, f.location.column, f.rule.id))
    # The files read, and those their documents were rendered from (a stream's `# Source:` templates,
    # a kustomization's files), where findings may be reported.
    files = [s.path for s in sources if not s.template]
    read = set(files)
    files += [f for f in dict.fromkeys(d.origin if d.origin_line is not None else discover.display(Path(d.origin))
                                       for s in sources for d in s.documents if d.origin is not None) if f not in read]
    result = Result(findings, files, notices, internal_errors, model)
    if entry is not None and not internal_errors:
        cache.store(entry, _result_to_plain(result))
    return result
