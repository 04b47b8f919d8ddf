"""The cache: a repeat run over unchanged inputs gives the very same report; any change is seen."""

import marshal

import pytest

from conftest import docs, service, statefulset

FILES = {
    "k8s/a.yaml": docs(statefulset(service="web", namespace="db"), statefulset(name="api", service="missing", labels="{app: api}")),
    "k8s/b.yaml": service(namespace="db", spec="type: NodePort"),
    "k8s/c.yaml": "# sslint-ignore-file: SS401 -- budgets live elsewhere\n" + statefulset(name="x", service="Bad", labels="{app: x}"),
    "k8s/bad.yaml": "a: [",
    "k8s/list.json": '{"apiVersion": "v1", "kind": "List", "items": []}',
}


@pytest.fixture
def parsed(tmp_path, monkeypatch):
    """The names of the files a run parses, in order: written to a file, since a worker process
    (forked for a large input) parses some of them, and a list of this process would not see those."""
    import os

    from sslint import engine

    log = tmp_path.parent / f"{tmp_path.name}-parsed"
    load = engine.load

    def logged(raw, name, **options):
        descriptor = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        try:
            os.write(descriptor, f"{name}\n".encode())
        finally:
            os.close(descriptor)
        return load(raw, name, **options)

    monkeypatch.setattr(engine, "load", logged)

    def names(clear: bool = False) -> list[str]:
        found = log.read_text().splitlines() if log.exists() else []
        if clear:
            log.unlink(missing_ok=True)
        return found

    return names


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github", "gitlab", "junit"])
def test_a_repeat_run_gives_the_same_report(sslint, fmt):
    cold = sslint("--format", fmt, "--statistics", files=FILES)
    from sslint import cache

    assert any(p.is_file() for p in (cache.database_path().parent / "runs").rglob("*"))
    warm = sslint("--format", fmt, "--statistics")
    assert (warm.out, warm.err, warm.code) == (cold.out, cold.err, cold.code)
    fresh = sslint("--format", fmt, "--statistics", "--no-cache")
    assert (fresh.out, fresh.code) == (cold.out, cold.code)


def test_changes_to_inputs_or_options_are_seen(sslint, tmp_path):
    first = sslint("--format", "json", files=FILES)
    (tmp_path / "k8s/b.yaml").write_text(service(namespace="db"))  # now headless
    second = sslint("--format", "json")
    assert [f["rule"] for f in first.findings("SS103")] == ["SS103"] and second.findings("SS103") == []
    (tmp_path / "k8s/new.yaml").write_text("a: [")
    assert len(sslint("--format", "json").findings("SS001")) == 2
    assert sslint("--format", "json", "--kubernetes-version", "1.32").findings("SS101") == []
    assert {f["severity"] for f in sslint("--format", "json", "--select", "SS105").findings()} == {"error"}


def test_a_file_changed_during_a_run_leaves_no_stale_result(sslint, tmp_path, monkeypatch):
    """Each input is read once: the run's key and its findings come from the same bytes. (Were the
    file read again to be linted, a run during an edit would store the new text's findings under the
    old text's key, and a later run over the old text would report them.)"""
    from sslint import cache

    old, new = statefulset(service="missing"), docs(statefulset(service="web"), service())
    run_entry = cache.run_entry

    def keyed_then_edited(parts):
        entry = run_entry(parts)
        (tmp_path / "sts.yaml").write_text(new)
        return entry

    monkeypatch.setattr(cache, "run_entry", keyed_then_edited)
    during = sslint("--format", "json", files={"sts.yaml": old})
    monkeypatch.setattr(cache, "run_entry", run_entry)
    assert [f["rule"] for f in during.findings("SS102")] == ["SS102"]  # what it read: the old text
    assert sslint("--format", "json").findings("SS102") == []  # the new text, keyed as itself
    (tmp_path / "sts.yaml").write_text(old)
    assert sslint("--format", "json").out == during.out


def test_standard_input_is_keyed_by_its_bytes_and_name(sslint, monkeypatch):
    from sslint import engine

    sts = statefulset(service="missing")
    first = sslint("--format", "json", "-", stdin=sts)
    with monkeypatch.context() as patched:
        patched.setattr(engine, "_gather", lambda *arguments: pytest.fail("a repeat run loaded its inputs again"))
        assert sslint("--format", "json", "-", stdin=sts).out == first.out
    assert sslint("--format", "json", "-", stdin=docs(sts, service(name="missing"))).findings("SS102") == []
    named = sslint("--format", "json", "--stdin-filename", "k8s/db.yaml", "-", stdin=sts)
    assert [f["file"] for f in named.findings()] == ["k8s/db.yaml"] * len(first.findings())


def test_only_a_changed_file_is_parsed_again(sslint, tmp_path, parsed):
    first = sslint("--format", "json", files=FILES)
    parsed(clear=True)
    (tmp_path / "k8s/b.yaml").write_text("# parsed again\n" + service(namespace="db"))  # now headless (and new to the cache)
    second = sslint("--format", "json")
    assert parsed() == ["k8s/b.yaml"]
    assert second.out == sslint("--format", "json", "--no-cache").out != first.out


@pytest.mark.parametrize("garbage", [b"\x00garbage", marshal.dumps(12), marshal.dumps(([1], [], {}, False))],
                         ids=["not marshal", "a number", "another shape"])
def test_a_corrupt_stored_file_is_parsed_again(sslint, tmp_path, garbage):
    import sqlite3

    from sslint import cache

    first = sslint("--format", "json", files=FILES)
    (tmp_path / "k8s/c.yaml").write_text("\n" + FILES["k8s/c.yaml"])  # the run is not the one stored: files are read
    fresh = sslint("--format", "json", "--no-cache").out
    with sqlite3.connect(cache.database_path()) as database:
        assert database.execute("UPDATE files SET plain = ?", (garbage,)).rowcount >= len(FILES)
    assert sslint("--format", "json").out == fresh != first.out


def test_a_database_that_is_none_is_replaced(sslint, tmp_path):
    import sqlite3

    from sslint import cache

    database = cache.database_path()
    database.parent.mkdir(parents=True, exist_ok=True)
    database.write_bytes(b"not a database" * 100)
    first = sslint("--format", "json", files=FILES)
    assert first.out == sslint("--format", "json", "--no-cache").out
    with sqlite3.connect(database) as reopened:
        stored = reopened.execute("SELECT count(*) FROM files").fetchone()[0]
    assert stored >= len(FILES)  # a new one, holding this run's files


def test_concurrent_runs_share_the_cache(tmp_path):
    """Four runs at once over 300 files, on an empty cache and then after an edit (the files from the
    cache, the edited one parsed): each gives the report of a run without the cache."""
    import os
    import subprocess
    import sys

    for n in range(300):
        (tmp_path / "k8s" / f"team{n % 5}").mkdir(parents=True, exist_ok=True)
        (tmp_path / "k8s" / f"team{n % 5}" / f"app{n}.yaml").write_text(
            docs(statefulset(name=f"s{n}", service="missing" if n % 7 == 0 else f"s{n}", labels=f"{{app: s{n}}}"),
                 service(f"s{n}", f"{{app: s{n}}}")))
    env = dict(os.environ, SSLINT_CACHE_DIR=str(tmp_path / "cache"))
    command = [sys.executable, "-m", "sslint", "--format", "json", "--jobs", "1", "k8s"]

    def concurrently() -> set:
        runs = [subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                for _ in range(4)]
        return {(run.communicate(), run.returncode) for run in runs}

    for _ in range(2):
        alone = subprocess.run([*command, "--no-cache"], cwd=tmp_path, env=env, capture_output=True)
        assert concurrently() == {((alone.stdout, b""), 1)}
        (tmp_path / "k8s/team0/app0.yaml").write_text(docs(statefulset(name="s0", labels="{app: s0}"),
                                                            service("s0", "{app: s0}")))


def test_a_context_file_is_not_reported_from_a_stored_run(sslint):
    """`sslint x/a.yaml y/b.yaml` and `sslint x/a.yaml --context y/b.yaml` read the same files."""
    files = {"x/a.yaml": statefulset(name="a", service="missing"), "y/b.yaml": statefulset(name="b", service="missing")}
    both = sslint("--format", "json", "x/a.yaml", "y/b.yaml", files=files)
    assert {f["file"] for f in both.findings()} == {"x/a.yaml", "y/b.yaml"}
    assert {f["file"] for f in sslint("--format", "json", "x/a.yaml", "--context", "y/b.yaml").findings()} == {"x/a.yaml"}


def test_a_kustomization_that_is_no_input_is_keyed(sslint, tmp_path):
    """Whether a file is a kustomization's patch decides its findings: a `Kustomization` (never an
    input) that names it changes the run."""
    files = {"d/sts.yaml": statefulset(service="missing"), "d/Kustomization": "patches:\n  - path: sts.yaml\n"}
    assert sslint("--format", "json", "d", files=files).findings() == []  # a patch: no whole object
    (tmp_path / "d/Kustomization").unlink()
    assert sslint("--format", "json", "d").out == sslint("--no-cache", "--format", "json", "d").out
    assert "SS102" in {f["rule"] for f in sslint("--format", "json", "d").findings()}


def test_a_file_that_cannot_be_read_keeps_its_fix_through_a_worker(sslint, tmp_path, monkeypatch):
    from sslint import engine

    monkeypatch.setattr(engine, "PARALLEL_BYTES", 1)
    for n in range(40):
        (tmp_path / f"broken{n}.yaml").symlink_to(f"/nonexistent/{n}")
    files = {f"a{n}.yaml": statefulset(name=f"s{n}") for n in range(4)}
    for cached in ([], ["--no-cache"]):
        fixes = {f["fix"] for f in sslint("--jobs", "3", "--format", "json", *cached, files=files).findings("SS001")}
        assert fixes == {"Make it a file that the user running sslint can read, or leave it out (--exclude)."}


def test_no_cache_reads_and_writes_nothing_there(tmp_path):
    """--no-cache (or SSLINT_NO_CACHE) leaves the cache directory alone: sslint's own rule files are
    then parsed, not kept."""
    import os
    import subprocess
    import sys

    (tmp_path / "sts.yaml").write_text(statefulset(service="missing"))
    env = dict(os.environ, SSLINT_CACHE_DIR=str(tmp_path / "cache"))
    for arguments, extra in ((["--no-cache", "sts.yaml"], {}), (["--list-rules"], {"SSLINT_NO_CACHE": "1"}),
                             (["--no-cache", "--explain", "SS102"], {})):
        done = subprocess.run([sys.executable, "-m", "sslint", *arguments], cwd=tmp_path, env={**env, **extra},
                              capture_output=True, text=True)
        assert done.returncode in (0, 1) and done.stdout and not done.stderr
        assert not (tmp_path / "cache").exists()
    subprocess.run([sys.executable, "-m", "sslint", "sts.yaml"], cwd=tmp_path, env=env, capture_output=True)
    [generation] = (tmp_path / "cache").iterdir()
    assert sorted(p.name for p in generation.iterdir()) == ["files-2.sqlite3", "rules", "runs"]


@pytest.fixture
def own_cache(tmp_path, monkeypatch):
    from sslint import cache

    monkeypatch.setenv("SSLINT_CACHE_DIR", str(tmp_path / "cache"))
    cache.directory.cache_clear()


def test_what_a_generation_did_not_use_is_gone_after_the_next(sslint, tmp_path, monkeypatch, own_cache, parsed):
    """A run reads the current generation and the previous one, carries over what it reads from the
    previous one, and removes older ones."""
    import sqlite3

    from sslint import cache

    def keys(generation: int) -> int:
        with sqlite3.connect(cache.database_path(generation)) as database:
            return database.execute("SELECT count(*) FROM files").fetchone()[0]

    monkeypatch.setattr(cache, "_generation", lambda: 100)
    first = sslint("--format", "json", files=FILES)
    assert len(parsed(clear=True)) == len(FILES) and keys(100) == len(FILES)

    monkeypatch.setattr(cache, "_generation", lambda: 101)
    cache._remove_old_generations.cache_clear()
    assert sslint("--format", "json").out == first.out  # the run's result, carried over
    assert parsed() == [] and any((cache.database_path(101).parent / "runs").rglob("*"))
    (tmp_path / "k8s/b.yaml").write_text("# edited\n" + FILES["k8s/b.yaml"])
    edited = sslint("--format", "json").out
    assert parsed(clear=True) == ["k8s/b.yaml"]  # the others from generation 100
    assert keys(101) == len(FILES) and keys(100) == len(FILES)
    assert sorted(p.name for p in cache.directory().iterdir()) == ["generation-100", "generation-101"]

    monkeypatch.setattr(cache, "_generation", lambda: 103)
    cache._remove_old_generations.cache_clear()
    assert sslint("--format", "json").out == edited == sslint("--format", "json", "--no-cache").out
    assert sorted(parsed()) == sorted([*FILES, *FILES])  # nothing left to read, with the cache or without
    assert sorted(p.name for p in cache.directory().iterdir()) == ["generation-103"]


def test_a_previous_generation_that_is_no_database_only_costs_speed(sslint, monkeypatch, own_cache):
    from sslint import cache

    monkeypatch.setattr(cache, "_generation", lambda: 100)
    sslint("--format", "json", files=FILES)
    cache.database_path(100).write_bytes(b"not a database" * 100)
    monkeypatch.setattr(cache, "_generation", lambda: 101)
    (cache.database_path(100).parent / "runs").rename(cache.database_path(100).parent / "moved")  # no stored result
    assert sslint("--format", "json").out == sslint("--format", "json", "--no-cache").out
    assert not cache.database_path(100).exists()  # removed, as a corrupt current one is


@pytest.mark.parametrize("write", [lambda cache: cache.store_files({b"key": b"plain"}),
                                   lambda cache: cache.store("runs/ab/cd", ("a", "result"))], ids=["a parse", "a run"])
def test_only_generations_before_the_previous_are_removed(monkeypatch, write, own_cache):
    """The cache directory may be shared (SSLINT_CACHE_DIR), and a clock ahead of this one's may have
    begun the next generation: whatever else is there stays."""
    from sslint import cache

    monkeypatch.setattr(cache, "_generation", lambda: 50)
    there = ["generation-47", "generation-48", "generation-49", "generation-51", "generation-x", "generation-4\u00b2",
             "g7", "runs", "rules", "files.sqlite3", "files.sqlite3.bak", "notes.txt"]
    for name in there:
        (cache.directory() / name).mkdir(parents=True)
        (cache.directory() / name / "kept.txt").write_text("")
    write(cache)
    assert sorted(p.name for p in cache.directory().iterdir()) == sorted(
        {*there, "generation-50"} - {"generation-47", "generation-48"})


def test_a_cache_that_cannot_be_made_only_costs_speed(sslint, tmp_path, monkeypatch):
    from sslint import cache

    (tmp_path / "not-a-directory").write_text("")
    monkeypatch.setenv("SSLINT_CACHE_DIR", str(tmp_path / "not-a-directory"))
    cache.directory.cache_clear()
    first = sslint("--format", "json", files=FILES)
    assert first.code == 1 and first.err == ""
    assert sslint("--format", "json").out == first.out == sslint("--format", "json", "--no-cache").out


def test_a_configuration_is_checked_again_only_when_its_bytes_change(tmp_path):
    """Importing jsonschema to check .sslint.yaml cost a pre-commit run more than its checks: bytes
    that passed are remembered (as this sslint checks them), while a changed file is checked again
    and a bad one fails every run; --no-cache checks it each time."""
    import os
    import subprocess
    import sys

    (tmp_path / "sts.yaml").write_text(statefulset(service="missing"))
    env = dict(os.environ, SSLINT_CACHE_DIR=str(tmp_path / "cache"))
    probe = ("import sys\nfrom sslint.cli import main\ntry:\n    main(sys.argv[1:])\nexcept SystemExit as done:\n"
             "    print(done.code, 'jsonschema' in sys.modules)")

    def run(config: str, *arguments: str) -> tuple[str, str]:
        (tmp_path / ".sslint.yaml").write_text(config)
        done = subprocess.run([sys.executable, "-c", probe, *arguments, "sts.yaml"], cwd=tmp_path, env=env,
                              capture_output=True, text=True)
        return done.stdout.splitlines()[-1], done.stderr

    assert run("fail-on: error\n") == ("1 True", "")
    assert run("fail-on: error\n") == ("1 False", "")
    assert run("fail-on: never\n") == ("0 True", "")
    bad = ("2 True", f"sslint: error: {tmp_path / '.sslint.yaml'}:1:1: fail-on: 'sometimes' is not one of "
                     "['error', 'warning', 'info', 'never']\n")
    assert run("fail-on: sometimes\n") == run("fail-on: sometimes\n") == bad
    assert run("fail-on: never\n", "--no-cache") == ("0 True", "")
