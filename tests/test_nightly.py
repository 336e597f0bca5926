"""The nightly recipe as a user runs it: the shipped cron and systemd files (deploy/, quoted in the
README) run by hand, their /srv/klearct replaced by a temporary working directory, on a problems
folder that grows between nights; and the per-command spend cap that is each night's LLM budget."""

import json
import os
import re
import shlex
import subprocess
import sys
import threading
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from fake_openai import Reply, prompt_text
from test_generate import KILLER, STATEMENT, Router, fenced, sum_row
from test_llm_nightly import nightly_config

from klear_ct.config import LLMConfig
from klear_ct.llm.budget import Budget
from klear_ct.llm.client import BudgetReached, LLMClient
from klear_ct.store import RunStore

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
SHIPPED = ("klearct-nightly.cron", "klearct-nightly.service", "klearct-nightly.timer", "klearct-retry.service",
           "klearct-retry.timer")
HOME = "/srv/klearct"  # the working directory the shipped files name


def test_the_readme_quotes_every_shipped_file_byte_for_byte():
    readme = (ROOT / "README.md").read_text()
    for name in SHIPPED:
        text = (DEPLOY / name).read_text()
        assert f"deploy/{name}" in readme and f"\n{text}```\n" in readme, f"README does not quote deploy/{name}"


def unit_keys(name: str) -> dict[str, list[str]]:
    keys: dict[str, list[str]] = {}
    for line in (DEPLOY / name).read_text().splitlines():
        if "=" in line and not line.startswith(("#", ";", "[")):
            key, value = line.split("=", 1)
            keys.setdefault(key.strip(), []).append(value.strip())
    return keys


class Home:
    """A user's /srv/klearct: klearct.toml, data/problems/, logs/, and .venv/bin/klearct (this checkout)."""

    def __init__(self, root: Path, base_url: str):
        self.root, self.base_url = root, base_url
        (root / "data" / "problems").mkdir(parents=True)
        (root / "logs").mkdir()
        config = Path(nightly_config(root, base_url))  # root/klearct.toml: the working directory's config
        config.write_text(config.read_text().replace("timeout_s = 2\n", "timeout_s = 60\n") + "[sandbox]\nslots = 2\n")
        entry = root / ".venv" / "bin" / "klearct"
        entry.parent.mkdir(parents=True)
        entry.write_text(f"#!/bin/sh\nexec {shlex.quote(sys.executable)} -m klear_ct.cli \"$@\"\n")
        entry.chmod(0o755)

    def here(self, text: str) -> str:
        return text.replace(HOME, str(self.root))

    def add(self, name: str, problem_ids: list[str]) -> None:
        """A new file in the folder, written under a dot-name (ignored) and renamed, as the README says."""
        hidden = self.root / "data" / "problems" / f".{name}"
        hidden.write_text("".join(json.dumps(sum_row(p, STATEMENT + f"\nTag {p}.\n", incorrect=False)) + "\n"
                                  for p in problem_ids))
        hidden.rename(hidden.with_name(name))

    def systemd(self, name: str) -> subprocess.Popen:
        """The service's ExecStart as systemd starts it: its WorkingDirectory, Environment (the LLM
        server is the test's), stdout and stderr appended to the StandardOutput/StandardError files."""
        unit = unit_keys(name)
        assert unit["WorkingDirectory"] == [HOME] and unit["Type"] == ["oneshot"]
        env = dict(value.split("=", 1) for value in unit["Environment"])
        assert set(env) == {"OPENAI_BASE_URL"}
        out, err = (Path(self.here(unit[key][0]).removeprefix("append:")) for key in ("StandardOutput", "StandardError"))
        with open(out, "a") as stdout, open(err, "a") as stderr:
            return subprocess.Popen(shlex.split(self.here(unit["ExecStart"][0])), cwd=self.root, stdout=stdout,
                                    stderr=stderr, env=os.environ | {"OPENAI_BASE_URL": self.base_url})

    def cron(self, days: str) -> subprocess.Popen:
        """The crontab line for those days of the week, run as cron runs it (/bin/sh, the crontab's variables)."""
        env, lines = {}, {}
        for line in (DEPLOY / "klearct-nightly.cron").read_text().splitlines():
            if match := re.fullmatch(r"([A-Z_]+)=(.*)", line):
                env[match[1]] = match[2]
            elif line and not line.startswith("#"):
                *schedule, command = line.split(None, 5)
                lines[schedule[4]] = command
        env["OPENAI_BASE_URL"] = self.base_url
        return subprocess.Popen(["/bin/sh", "-c", self.here(lines[days])], env=os.environ | env)

    def log(self) -> list[dict]:
        return [json.loads(line) for line in (self.root / "logs" / "nightly.jsonl").read_text().splitlines()]


def finished(job: subprocess.Popen) -> int:
    return job.wait(timeout=300)


@pytest.mark.docker
def test_the_nightly_recipe_validates_only_the_new_problems(tmp_path, fake_openai):
    asked, release = {"c": threading.Event(), "e": threading.Event()}, {"c": threading.Event(), "e": threading.Event()}
    router = Router({"regular generator": [Reply(fenced(KILLER))]})

    def route(body):  # c (2nd night) and e (3rd) wait here the first time, their job holding the run's lock
        text = prompt_text(body)
        if "Tag d." in text:
            return Reply("I cannot write that generator.")  # d fails: no generator passed
        for name, event in asked.items():
            if f"Tag {name}." in text and not event.is_set():
                event.set()
                release[name].wait(120)
        return router(body)

    fake_openai.route = route
    home = Home(tmp_path, fake_openai.url)
    home.add("2026-12-01.jsonl", ["a", "b"])
    assert finished(home.systemd("klearct-nightly.service")) == 0
    first = home.log()[-1]
    assert (first["exit_code"], first["error"], first["validated"], first["already_validated"]) == (0, None, 2, 0)
    assert first["generate"]["done"] == 2 and first["export"]["problems"] == 2 and first["tests"] > 0
    assert len(fake_openai.requests) == 2

    home.add("2026-12-02.jsonl", ["c", "d"])
    night = home.cron("1-6")
    assert asked["c"].wait(120), "the second night never asked for problem c"
    # meanwhile the weekly unit starts on the same run: busy, exit 4, one JSON line, nothing done
    assert finished(home.systemd("klearct-retry.service")) == 4
    release["c"].set()
    assert finished(night) == 1  # d failed; the job itself worked
    busy, second = home.log()[1:]
    assert busy["exit_code"] == 4 and "in use by pid" in busy["error"] and set(busy) == {"run", "exit_code", "error"}
    assert "in use by pid" in (tmp_path / "logs" / "nightly.log").read_text()
    assert (second["exit_code"], second["validated"], second["already_validated"]) == (1, 1, 2)
    assert (second["failed"], second["failed_ids"], second["pending"]) == (1, ["d"], 0)
    assert (second["generate"]["done"], second["generate"]["skipped"]) == (2, 2)
    assert second["export"]["out"] == "runs/nightly/export/verl.parquet" and second["export"]["problems"] == 3
    exported = pq.read_table(tmp_path / second["export"]["out"]).column("extra_info").to_pylist()
    assert sorted(row["problem_id"] for row in exported) == ["a", "b", "c"]

    # the third night is stopped (systemctl stop: SIGTERM) while it works on e: exit 143, its JSON line
    home.add("2026-12-03.jsonl", ["e"])
    third = home.systemd("klearct-nightly.service")
    assert asked["e"].wait(120), "the third night never asked for problem e"
    third.terminate()
    deadline = time.monotonic() + 60
    while (tmp_path / "logs" / "nightly.jsonl").read_text().count("\n") < 4 and time.monotonic() < deadline:
        time.sleep(0.1)
    release["e"].set()
    assert finished(third) == 143
    assert home.log()[3] == {"run": "runs/nightly", "exit_code": 143,
                             "error": "stopped by a signal; the next start resumes where it stopped"}

    # Sunday's line (--retry-failed): e is done; d is done again, its answers all from the cache
    asked_for_d = sum("Tag d." in prompt_text(body) for body in fake_openai.requests)
    assert finished(home.cron("0")) == 1
    sunday = home.log()[-1]
    assert (sunday["validated"], sunday["already_validated"], sunday["failed_ids"]) == (1, 3, ["d"])
    assert sum("Tag d." in prompt_text(body) for body in fake_openai.requests) == asked_for_d
    assert len(home.log()) == 5 and sunday["export"]["problems"] == 4
    # every night ran under the recipe's budget per night
    argv = unit_keys("klearct-nightly.service")["ExecStart"][0].split()
    cap = int(argv[argv.index("--max-tokens-per-command") + 1])
    nights = [c for c in RunStore(tmp_path / "runs" / "nightly").manifest()["commands"] if c["command"] == "generate"]
    assert [c["caps"]["max_tokens_per_command"] for c in nights] == [cap] * 4


def test_a_night_that_cannot_start_still_logs_one_json_line(tmp_path, monkeypatch):
    home = Home(tmp_path, "http://127.0.0.1:9/v1")  # no request is sent
    # the first night on a still empty folder (a file in the making, under a dot-name, does not count)
    (tmp_path / "data" / "problems" / ".2026-12-01.jsonl").write_text("{")
    assert finished(home.systemd("klearct-nightly.service")) == 2
    home.add("2026-12-01.jsonl", ["a"])
    # no Docker engine answering: exit 3
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    assert finished(home.cron("1-6")) == 3
    empty, no_engine = home.log()
    assert empty == {"run": "runs/nightly", "exit_code": 2,
                     "error": "data/problems: no .jsonl, .json or .parquet files in it"}
    assert no_engine["exit_code"] == 3 and "no Docker engine answers" in no_engine["error"]
    errors = (tmp_path / "logs" / "nightly.log").read_text().splitlines()
    assert [line.split(":")[0] for line in errors] == ["error", "error"]


def test_the_per_command_cap_counts_only_what_this_command_spends(fake_openai):
    earlier = [{"prompt_tokens": 900, "completion_tokens": 100}]  # the run's usage log before this command
    config = LLMConfig(base_url=fake_openai.url, model="scripted", max_tokens_per_command=150,
                       max_tokens_per_run=1200)
    fake_openai.route = lambda body: Reply("fine", usage=(100, 50))
    llm = LLMClient(config, budget=Budget(config, earlier))
    llm.complete([{"role": "user", "content": "one"}])  # 150 this command: at its cap, 1150 in the run
    with pytest.raises(BudgetReached, match=r"this command has used 150 tokens of its cap of 150 "
                                            r"\(\[llm\] max_tokens_per_command\)"):
        llm.complete([{"role": "user", "content": "two"}])
    assert len(fake_openai.requests) == 1

    # another night: a fresh command under the same caps may spend again, until the run's cap
    tonight = Budget(config, earlier + [{"prompt_tokens": 100, "completion_tokens": 50}])
    assert tonight.reached() is None
    tonight.add(40, 10)
    assert tonight.reached() == "the run has used 1200 tokens of its cap of 1200 ([llm] max_tokens_per_run)"
