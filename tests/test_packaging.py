"""The package as users get it: a wheel carrying rules/ and schemas/, and the pre-commit hook as shipped."""

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT, service, statefulset


def test_the_wheel_carries_the_rules_and_schemas(tmp_path):
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(tmp_path), str(ROOT)],
                   check=True, capture_output=True)
    [wheel] = tmp_path.glob("sslint-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for rule in (ROOT / "rules").glob("*.yaml"):
        assert f"sslint/_data/rules/{rule.name}" in names
    for schema in (ROOT / "schemas").glob("*.json"):
        assert f"sslint/_data/schemas/{schema.name}" in names
    assert "sslint/cli.py" in names


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_the_pre_commit_hook_as_shipped(tmp_path):
    """pre-commit installs sslint from this repository (a plain pip install) and runs it on the staged files."""
    repo = tmp_path / "project"
    (repo / "k8s").mkdir(parents=True)
    git(repo, "init", "-q")
    git(repo, "config", "user.email", "t@example.com")
    git(repo, "config", "user.name", "t")
    (repo / "k8s/svc.yaml").write_text(service())
    (repo / "k8s/sts.yaml").write_text(statefulset(replicas=1))
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "init")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "NO_COLOR": "1"}
    pre_commit = [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), "sslint", "--color", "never"]

    # Only the StatefulSet changes; its Service sits in the unchanged sibling file.
    (repo / "k8s/sts.yaml").write_text(statefulset(replicas=1).replace("image: nginx:1.27", "image: nginx:1.28"))
    git(repo, "add", "k8s/sts.yaml")
    clean = subprocess.run(pre_commit, cwd=repo, env=env, capture_output=True, text=True)
    assert clean.returncode == 0, clean.stdout + clean.stderr

    (repo / "k8s/sts.yaml").write_text(statefulset(service="wbe", replicas=1))
    git(repo, "add", "k8s/sts.yaml")
    broken = subprocess.run(pre_commit, cwd=repo, env=env, capture_output=True, text=True)
    assert broken.returncode == 1
    assert "k8s/sts.yaml:6:3: SS102" in broken.stdout and "did you mean 'web'?" in broken.stdout
