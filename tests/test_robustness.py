"""Hostile values: every rule meets values of the wrong type anywhere and never raises; the fast
schema check always agrees with jsonschema; bad files, a corrupt cache, a failing check, and
worker processes that die or are interrupted lose nothing."""

import json
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sslint import kubeschema
from sslint.engine import Options, run
from sslint.load import load

ROOT = Path(__file__).resolve().parents[1]
BASE = [d.data for f in sorted((ROOT / "examples").rglob("*.yaml")) for d in load(f.read_bytes(), f.name).documents]
BASE += [d.data for r in sorted((ROOT / "rules").glob("SS[1-4]*.yaml"))
         for e in load(r.read_bytes(), r.name).documents[0].data["examples"]
         for d in load(e["manifest"].encode(), "e.yaml").documents]

OTHER_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70), st.floats(allow_nan=False),
    st.text(max_size=8), st.just("None"), st.just("10Gi"), st.just([]), st.just({}),
    st.lists(st.one_of(st.none(), st.integers(), st.text(max_size=3), st.just({"a": 1})), max_size=3),
    st.dictionaries(st.text(max_size=5), st.one_of(st.none(), st.integers(), st.text(max_size=3)), max_size=3),
)


def paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from paths(item, prefix + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from paths(item, prefix + (index,))


def replaced(value, path, new):
    if not path:
        return new
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[path[0]] = replaced(copy[path[0]], path[1:], new)
    return copy


@st.composite
def mutated_documents(draw):
    documents = draw(st.lists(st.sampled_from(BASE), min_size=1, max_size=4))
    result = []
    for document in documents:
        for _ in range(draw(st.integers(min_value=1, max_value=3))):
            path = draw(st.sampled_from(list(paths(document))[1:]))
            document = replaced(document, path, draw(OTHER_VALUES))
        result.append(document)
    return result


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(documents=mutated_documents())
def test_no_rule_raises_on_values_of_the_wrong_type(tmp_path_factory, documents):
    directory = tmp_path_factory.mktemp("m")
    (directory / "m.json").write_text(json.dumps(documents[0]))
    (directory / "m.yaml").write_text("\n---\n".join(json.dumps(d) for d in documents))
    for version in ("1.25", "1.37"):
        result = run(Options([str(directory)], kubernetes_version=version))
        assert result.internal_errors == []
        for finding in result.findings:
            assert finding.message and finding.location.line >= 1


@settings(max_examples=300, deadline=None)
@given(documents=mutated_documents(), version=st.sampled_from(["1.25", "1.30", "1.37"]))
def test_the_fast_schema_check_agrees_with_jsonschema(documents, version):
    for document in documents:
        if not isinstance(document, dict):
            continue
        api, kind = document.get("apiVersion"), document.get("kind")
        if not isinstance(api, str) or not isinstance(kind, str):
            continue
        validator = kubeschema.validator_for(version, api, kind)
        if validator is not None:
            assert kubeschema.is_valid(version, api, kind, document) == validator.is_valid(document)


# -- files that are not what their name says -------------------------------------------------------

import os  # noqa: E402

import pytest  # noqa: E402

from conftest import service, statefulset  # noqa: E402

GOOD = statefulset(service="missing", replicas=1)


def lint_files(sslint, files: dict, *args):
    run = sslint("--format", "json", "--select", "SS001,SS102", *args, files=files)
    assert run.code in (0, 1), run.err
    return sorted((f["file"], f["rule"], f["message"]) for f in run.findings())


@pytest.mark.parametrize(
    "raw, words",
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", "not UTF-8 text"),
        (b"kind: Service\x00\n", "control characters are not allowed"),
        ("apiVersion: v1\nkind: Service\nmetadata: {name: é}\n".encode("utf-16"), None),
        (b"\xef\xbb\xbfapiVersion: v1\nkind: Service\n", None),
        (b"", None),
    ],
)
def test_bad_bytes_are_a_finding_and_the_rest_is_linted(sslint, tmp_path, raw, words):
    (tmp_path / "odd.yaml").write_bytes(raw)
    found = lint_files(sslint, {"sts.yaml": GOOD})
    assert ("sts.yaml", "SS102") in [(f, r) for f, r, _ in found]
    odd = [m for f, r, m in found if f == "odd.yaml"]
    assert (odd == []) if words is None else (len(odd) == 1 and words in odd[0])


def test_the_walk_order_and_a_tree_deeper_than_the_python_stack(tmp_path):
    """Each directory's files, then its subdirectories' in name order, depth first; and a tree nested
    1,200 deep (more than Python's recursion limit) is walked to its bottom."""
    from sslint import discover

    for name in ("b/z.yaml", "b/a/x.yaml", "a/c/y.yml", "a/b.json", "top.yaml", ".hidden/h.yaml", "a/notes.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("{}")
    found = [p.relative_to(tmp_path).as_posix() for p in discover.walk(tmp_path, [])]
    assert found == ["top.yaml", "a/b.json", "a/c/y.yml", "b/z.yaml", "b/a/x.yaml"]
    deep = tmp_path / "deep"
    bottom = deep
    deep.mkdir()
    for _ in range(1200):  # one level at a time: Path.mkdir(parents=True) would recurse as deep
        bottom = bottom / "d"
        bottom.mkdir()
    (bottom / "m.yaml").write_text("{}")
    try:
        assert discover.walk(deep, []) == [bottom / "m.yaml"]
    finally:  # bottom up: shutil.rmtree, pytest's cleanup, would recurse as deep
        (bottom / "m.yaml").unlink()
        while bottom != deep:
            bottom.rmdir()
            bottom = bottom.parent


def test_directories_named_like_manifests_and_symlinks(sslint, tmp_path):
    (tmp_path / "dir.yaml").mkdir()
    (tmp_path / "dir.yaml" / "inner.yaml").write_text(GOOD)
    (tmp_path / "broken.yaml").symlink_to(tmp_path / "nowhere.yaml")
    (tmp_path / "loop").mkdir()
    (tmp_path / "loop" / "back").symlink_to(tmp_path, target_is_directory=True)
    os.mkfifo(tmp_path / "pipe.yaml")
    (tmp_path / "cycle.yaml").symlink_to("cycle.yaml")  # following it fails otherwise than "no such file"
    (tmp_path / "plain").write_text("")
    (tmp_path / "through.yaml").symlink_to(tmp_path / "plain" / "x.yaml")
    found = lint_files(sslint, {})
    assert found == [("broken.yaml", "SS001", "cannot be read: No such file or directory"),
                     ("cycle.yaml", "SS001", "cannot be read: Too many levels of symbolic links"),
                     ("dir.yaml/inner.yaml", "SS102", found[2][2]),
                     ("through.yaml", "SS001", "cannot be read: Not a directory")]
    assert {f["fix"] for f in sslint("--format", "json", "--select", "SS001").findings()} == {
        "Make it a file that the user running sslint can read, or leave it out (--exclude)."}


def test_a_file_deleted_after_the_walk(sslint, tmp_path, monkeypatch):
    from sslint import discover

    walk = discover.walk

    def walk_then_delete(root, patterns):
        files = walk(root, patterns)
        (tmp_path / "gone.yaml").unlink()
        return files

    monkeypatch.setattr(discover, "walk", walk_then_delete)
    found = lint_files(sslint, {"gone.yaml": GOOD, "kept.yaml": service()})
    assert found == [("gone.yaml", "SS001", "cannot be read: No such file or directory")]


@contextmanager
def fed(pipe: Path, write):
    """A thread writes to the named pipe with write(stream) while the block runs. Were sslint to open
    the pipe a second time, it would wait for ever for another writer: after 10 s that open is let
    through to find the end, so that the test fails instead of hanging."""
    import threading

    done = threading.Event()

    def feed():
        with open(pipe, "wb", buffering=0) as stream:
            try:
                write(stream)
            except BrokenPipeError:
                pass  # sslint closed it: read as far as it wanted
        if not done.wait(10):
            try:
                os.close(os.open(pipe, os.O_WRONLY | os.O_NONBLOCK))
            except OSError:
                pass

    feeder = threading.Thread(target=feed, daemon=True)  # (left waiting to open, should sslint never read)
    feeder.start()
    yield
    done.set()
    feeder.join(timeout=10)


def test_a_pipe_named_on_the_command_line_is_read_whole(sslint, tmp_path):
    """`sslint <(kustomize build)` names a pipe, whose size says 0: all of it is read, far beyond
    what a pipe holds at once, and the finding at its end keeps its line."""
    os.mkfifo(tmp_path / "built.yaml")
    padding = "".join(f"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c{n}}}\n" for n in range(3000))
    text = padding + "---\n" + GOOD
    with fed(tmp_path / "built.yaml", lambda stream: stream.write(text.encode())):
        run = sslint("--format", "json", "--select", "SS102", "built.yaml")
    [finding] = run.findings()
    assert len(text.encode()) > 2**17 and run.code == 1
    assert (finding["file"], finding["rule"]) == ("built.yaml", "SS102")
    assert finding["line"] == padding.count("\n") + 1 + GOOD[: GOOD.index("serviceName")].count("\n") + 1


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_an_unreadable_file(sslint, tmp_path):
    (tmp_path / "secret.yaml").write_text(GOOD)
    (tmp_path / "secret.yaml").chmod(0)
    assert lint_files(sslint, {}) == [("secret.yaml", "SS001", "cannot be read: Permission denied")]
    assert sslint("--format", "json").findings()[0]["fix"] == \
           "Make it a file that the user running sslint can read, or leave it out (--exclude)."


# -- bounded work: each limit in the README, proven here --------------------------------------------


def test_a_file_over_the_size_limit_is_not_read(sslint, tmp_path, monkeypatch):
    """Its size says so: it is read neither for the cache's key nor to be linted."""
    import pathlib

    from sslint import engine
    from sslint.engine import MAX_FILE_BYTES

    with open(tmp_path / "huge.yaml", "wb") as stream:
        stream.truncate(100 * 2**20)  # 100 MB (sparse): never parsed
    read = []

    opened: dict[int, str] = {}

    class Recording:  # the engine's os, whose reads of a file are recorded by its name
        def __getattr__(self, name):
            return getattr(os, name)

        def open(self, path, flags):
            descriptor = os.open(path, flags)
            opened[descriptor] = Path(path).name
            return descriptor

        def read(self, descriptor, size):
            read.append(opened.get(descriptor))
            return os.read(descriptor, size)

    monkeypatch.setattr(engine, "os", Recording())
    read_bytes = pathlib.Path.read_bytes
    monkeypatch.setattr(pathlib.Path, "read_bytes", lambda path: read.append(path.name) or read_bytes(path))
    found = lint_files(sslint, {"sts.yaml": GOOD})
    assert ("huge.yaml", "SS001", f"larger than {MAX_FILE_BYTES // 2**20} MiB; not read (split the file)") in found
    assert "huge.yaml" not in read and "sts.yaml" in read
    assert [f["fix"] for f in sslint("--format", "json", "huge.yaml").findings()] == [
        f"Split it into files of at most {MAX_FILE_BYTES // 2**20} MiB (kubectl applies a directory of them alike; dump a "
        "cluster namespace by namespace), "
        "or leave it out (--exclude)."]
    read.clear()
    assert lint_files(sslint, {}) == found and "huge.yaml" not in read  # again, answered from the stored result


def test_a_pipe_over_the_size_limit_is_read_only_to_the_limit(sslint, tmp_path, monkeypatch):
    """A pipe's size says nothing: reading stops one byte past the bound."""
    from sslint import engine

    monkeypatch.setattr(engine, "MAX_FILE_BYTES", 2**20)
    os.mkfifo(tmp_path / "endless.yaml")
    written = []

    def write(stream):
        while sum(written) < 8 * 2**20:
            written.append(stream.write(b"# padding\n" * 6554))

    with fed(tmp_path / "endless.yaml", write):
        run = sslint("--format", "json", "--select", "SS001", "endless.yaml")
    assert [(f["file"], f["rule"], f["message"]) for f in run.findings()] == \
           [("endless.yaml", "SS001", "larger than 1 MiB; not read (split the file)")]
    assert sum(written) < 3 * 2**20  # the bound, and what the pipe held when sslint closed it


def test_a_10_mb_line_and_thousands_of_documents_are_linted(sslint):
    long_line = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata: {blob: " + "x" * 10_000_000 + "}\n"
    many = "\n---\n".join(statefulset(name=f"s{n}", service="missing", labels=f"{{app: s{n}}}", replicas=1)
                          for n in range(3000))
    found = lint_files(sslint, {"long.yaml": long_line, "many.yaml": many})
    assert len(found) == 3000 and {r for _, r, _ in found} == {"SS102"}


def test_deep_nesting_is_an_error_not_a_crash(sslint):
    deep = "a: " + "[" * 5000 + "]" * 5000 + "\n"
    deep_json = '{"a": ' + "[" * 100_000 + "]" * 100_000 + "}"
    found = lint_files(sslint, {"deep.yaml": deep, "deep.json": deep_json})
    assert [(f, m) for f, _, m in found] == [("deep.json", "nested more than 256 levels deep; not read"),
                                             ("deep.yaml", "nested more than 256 levels deep; not read")]


def test_python_tags_never_run(sslint, tmp_path):
    marker = tmp_path / "pwned"
    payload = (f"!!python/object/apply:os.system ['touch {marker}']\n---\n"
               f"a: !!python/object/new:subprocess.Popen [['touch', '{marker}']]\n")
    lint_files(sslint, {"evil.yaml": payload})
    assert not marker.exists()


def test_nothing_is_written_but_the_output_and_the_cache(sslint, tmp_path):
    files = {"k8s/sts.yaml": GOOD, "k8s/svc.json": '{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "x"}}'}
    sslint("--format", "sarif", "-o", "report.sarif", "k8s", files=files)
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*")) == [
        "k8s", "k8s/sts.yaml", "k8s/svc.json", "report.sarif"]


def test_a_corrupt_cache_entry_is_read_again(sslint, tmp_path):
    import os

    from sslint import cache

    first = sslint("--format", "json", files={"sts.yaml": GOOD}).out
    import marshal

    for garbage in (b"\x00garbage", marshal.dumps(12), marshal.dumps(([1], [], {}, False))):
        for entry in cache.directory().rglob("*"):
            if entry.is_file():
                entry.write_bytes(garbage)
        assert sslint("--format", "json").out == first
    assert sslint("--format", "json", "--no-cache").out == first
    assert os.listdir(cache.directory())


def test_a_failing_check_is_an_internal_error_and_every_other_finding_is_kept(sslint, monkeypatch):
    from sslint import checks

    def broken(obj, model, version):
        raise KeyError("boom")
        yield

    monkeypatch.setitem(checks.CHECKS, "SS103", broken)
    run = sslint("--format", "json", files={"sts.yaml": GOOD})
    assert run.code == 2
    assert [f["rule"] for f in run.json["findings"]] == ["SS102"]
    assert "sslint: internal error in SS103 governing-service-not-headless on StatefulSet web (sts.yaml:1:1): KeyError: 'boom'" in run.err


def test_no_network_is_used(sslint, monkeypatch):
    import socket

    def refuse(*args, **kwargs):
        raise AssertionError("sslint opened a socket")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    run = sslint("--format", "sarif", files={"sts.yaml": GOOD, "svc.json": '{"apiVersion": "v1", "kind": "Service"}'})
    assert run.code == 1 and "SS102" in run.out


# -- work shared out between processes -------------------------------------------------------------


def _shared_out(tasks, jobs, run, receive=lambda task, data: data):
    from sslint import engine

    return engine._shared_out(tasks, jobs, run, receive)


def _tagged(slow_first: float = 0.05, result=lambda n: n * n):
    """A task runner whose results say which process computed them, and which records the tasks
    this process ran; the first of them is slow, so that the workers surely take some."""
    import time

    here_ran = []

    def run(n, here):
        if here:
            here_ran.append(n)
            if len(here_ran) == 1:
                time.sleep(slow_first)
        return result(n), here

    return run, here_ran


def _shared_fairly(out, here_ran) -> bool:
    """Some results came from a worker, and this process ran no task twice nor any a worker answered."""
    return any(not here for _, here in out) and sorted(here_ran) == [n for n, (_, here) in enumerate(out) if here]


def _no_worker_left() -> bool:
    """No child process is left, running or unreaped (this reaps any child of the test process)."""
    import os

    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


@pytest.mark.parametrize("jobs", [2, 3])
def test_shared_work_comes_back_whole_in_order_and_shared(jobs, monkeypatch):
    """Results far larger than a pipe holds; and more tasks than the pipe of task numbers has room
    for, so that each number stands for many tasks."""
    from sslint import engine

    run, here_ran = _tagged(result=lambda n: bytes([n]) * 300_000)
    out = _shared_out(list(range(40)), jobs, run)
    assert [value for value, _ in out] == [bytes([n]) * 300_000 for n in range(40)]
    assert _shared_fairly(out, here_ran)
    monkeypatch.setattr(engine, "_room", lambda pipe: 7)  # number k stands for tasks k, k + 7, k + 14 …
    run, here_ran = _tagged()
    out = _shared_out(list(range(20_000)), jobs, run)
    assert [value for value, _ in out] == [n * n for n in range(20_000)]
    assert _shared_fairly(out, here_ran)
    assert all(len({here for _, here in out[k::7]}) == 1 for k in range(7))  # each number's tasks done by its taker
    assert _no_worker_left()


def test_a_workers_results_are_received_with_their_task():
    """What a worker sends is turned into its result by the main process, told which task it was."""
    run, here_ran = _tagged()
    out = _shared_out(list(range(200)), 2, run, receive=lambda task, data: ("received", task, data))
    assert all(result in ((n * n, True), ("received", n, (n * n, False))) for n, result in enumerate(out))
    assert any(result[0] == "received" for result in out) and sorted(here_ran) == [
        n for n, result in enumerate(out) if result[0] != "received"]


def test_a_killed_worker_loses_nothing():
    import os
    import signal
    import time

    def run(n, here):
        if not here:
            os.kill(os.getpid(), signal.SIGKILL)  # as the kernel's OOM killer would
        time.sleep(0.001)  # the worker surely takes a task
        return n * n

    assert _shared_out(list(range(200)), 2, run) == [n * n for n in range(200)]
    assert _no_worker_left()


def test_a_failing_worker_says_so_and_loses_nothing(capfd):
    import time

    def run(n, here):
        if not here:
            raise ValueError("only in the worker")
        time.sleep(0.001)  # the worker surely takes a task
        return n * n

    assert _shared_out(list(range(200)), 2, run) == [n * n for n in range(200)]
    error = capfd.readouterr().err
    assert error.startswith("sslint: a worker process failed; the main process does its tasks again:\n")
    assert error.rstrip().endswith("ValueError: only in the worker")
    assert _no_worker_left()


def test_no_worker_at_all_when_the_system_refuses_one(monkeypatch):
    import os

    def refuse():
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", refuse)
    run, here_ran = _tagged()
    assert _shared_out(list(range(200)), 3, run) == [(n * n, True) for n in range(200)]


def test_workers_of_a_process_that_ignores_sigchld():
    """Inherited from whatever started sslint: the system then reaps the workers itself."""
    import signal

    before = signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    try:
        run, here_ran = _tagged()
        out = _shared_out(list(range(200)), 3, run)
    finally:
        signal.signal(signal.SIGCHLD, before)
    assert [value for value, _ in out] == [n * n for n in range(200)] and _shared_fairly(out, here_ran)


def test_a_task_that_fails_fails_as_it_would_in_one_process(capfd):
    def run(n, here):
        if n == 3:
            raise ValueError(f"task {n}")
        return n * n

    with pytest.raises(ValueError, match="task 3"):
        _shared_out(list(range(50)), 2, run)
    assert _no_worker_left()


def test_ctrl_c_ends_the_workers_too():
    """A real SIGINT, while the workers (which ignore it: only this process answers Ctrl-C) sleep
    for an hour: this process ends them before it lets the interrupt go on."""
    import os
    import signal
    import subprocess
    import sys

    code = """if True:
        import os, signal, time
        from sslint import engine

        def run(n, here):
            if here and n > 0:
                os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.01 if here else 3600)
            return n

        try:
            engine._shared_out(list(range(100)), 3, run, lambda task, data: data)
        except KeyboardInterrupt:
            print("interrupted")
    """
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, start_new_session=True)
    try:
        out, _ = process.communicate(timeout=60)
    finally:
        try:
            os.killpg(process.pid, signal.SIGKILL)  # whatever is left of it, should the test fail
            left = True
        except ProcessLookupError:
            left = False
    assert out == "interrupted\n" and process.returncode == 0 and not left
