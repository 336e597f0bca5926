"""Shared fixtures. Docker tests fail (never skip) when KLEARCT_REQUIRE_DOCKER=1, as in CI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from klear_ct.sandbox import SandboxError, open_sandbox

REQUIRE_DOCKER = os.environ.get("KLEARCT_REQUIRE_DOCKER") == "1"
SAMPLE = Path(__file__).resolve().parents[1] / "datasets" / "sample" / "problems.jsonl"
FUNCTION_SAMPLE = Path(__file__).resolve().parents[1] / "datasets" / "function_sample" / "problems.jsonl"
_skipped_docker: list[str] = []


@pytest.fixture(scope="session", autouse=True)
def isolated_cache(tmp_path_factory):
    """Compiled-program cache of this test session only."""
    previous = os.environ.get("KLEARCT_CACHE_DIR")
    os.environ["KLEARCT_CACHE_DIR"] = str(tmp_path_factory.mktemp("klearct-cache"))
    yield
    if previous is None:
        os.environ.pop("KLEARCT_CACHE_DIR", None)
    else:
        os.environ["KLEARCT_CACHE_DIR"] = previous


def open_or_skip(backend: str, slots: int = 2):
    try:
        return open_sandbox(backend, slots=slots)
    except SandboxError as e:
        if backend == "docker" and REQUIRE_DOCKER:
            pytest.fail(f"the Docker engine is required here: {e}")
        pytest.skip(f"{backend} sandbox unavailable: {e}")


@pytest.fixture(scope="session")
def docker_sandbox(isolated_cache):
    sandbox = open_or_skip("docker")
    yield sandbox
    sandbox.close()


@pytest.fixture(scope="session")
def local_sandbox(isolated_cache):
    sandbox = open_or_skip("local")
    yield sandbox
    sandbox.close()


@pytest.fixture(scope="session")
def sample_validated(tmp_path_factory, isolated_cache) -> tuple[Path, subprocess.CompletedProcess]:
    """datasets/sample validated once per session by `klearct validate --json` (Docker): the run
    directory and the command's result. Tests read the run; none may change it."""
    run = tmp_path_factory.mktemp("sample") / "run"
    done = subprocess.run([sys.executable, "-m", "klear_ct.cli", "validate", str(SAMPLE), "-o", str(run), "--json"],
                          capture_output=True, text=True, timeout=900)
    return run, done


@pytest.fixture(scope="session")
def sample_run(sample_validated) -> Path:
    """The run directory of `sample_validated`, for the tests that export and score it."""
    run, done = sample_validated
    assert done.returncode in (0, 1), done.stderr  # 1: the sample's broken generator, on purpose
    return run


@pytest.fixture(scope="session")
def function_sample_validated(docker_sandbox) -> dict:
    """datasets/function_sample validated once per session in the Docker sandbox: problem id ->
    (problem, ProblemResult). Tests read it; none may change it."""
    from klear_ct.formats import read_problems
    from klear_ct.pipeline.validate import validate_problem

    return {p.id: (p, validate_problem(p, docker_sandbox)) for p in read_problems(FUNCTION_SAMPLE)}


@pytest.fixture(params=[pytest.param("docker", marks=pytest.mark.docker),
                        pytest.param("local", marks=pytest.mark.local)])
def sandbox(request):
    """Both backends: behaviour that must not depend on the backend is tested on each."""
    return request.getfixturevalue(f"{request.param}_sandbox")


def pytest_runtest_logreport(report):
    if report.skipped and "docker" in report.keywords:
        _skipped_docker.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    if REQUIRE_DOCKER and _skipped_docker:
        print(f"\n{len(_skipped_docker)} Docker test(s) were skipped where Docker is required:")
        for nodeid in _skipped_docker:
            print(f"  {nodeid}")
        session.exitstatus = 1


@pytest.fixture
def fake_openai(monkeypatch):
    """A scripted chat-completions server on 127.0.0.1; OPENAI_* point at it, so nothing reaches a provider."""
    from fake_openai import FakeOpenAI

    with FakeOpenAI() as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.url)
        monkeypatch.setenv("OPENAI_API_KEY", "test-key")
        yield server
