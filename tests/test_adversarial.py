"""`klearct adversarial` against the scripted chat-completions server and the real Docker sandbox."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pyarrow.parquet as pq
import pytest
from fake_openai import Reply, prompt_text

from klear_ct.model import IncorrectProgram, Problem, Program
from klear_ct.pipeline.batch import with_adversarial
from klear_ct.store import RunStore

READ = "import sys\nt = list(map(int, sys.stdin.read().split()))\n"
GOLDS = [READ + "print(sum(t[1:]))\n", READ + "s = 0\nfor x in t[1:]:\n    s += x\nprint(s)\n"]
KEEP = READ + "print(sum(t[1:6]))\n"  # right for n <= 5 (the example), wrong beyond
TOO_OBVIOUS = READ + "print(sum(t[1:]) + 1)\n"  # wrong on the example too
HARMLESS = READ + "print(sum(x for x in t[1:]))\n"  # a correct rewrite
GENERATOR = ("import random\nrandom.seed(3)\ncases = []\nfor n in (0, 2, 4, 6, 9, 20):\n"
             "    cases.append(f\"{n}\\n{' '.join(str(random.randint(-9, 9)) for _ in range(n))}\\n\")\n"
             "print(repr(cases))\n")
ROW = {"custom_id": "list-sum", "question": "Given n (0 <= n <= 50) and n integers, print their sum.",
       "solutions": GOLDS, "input_generator": GENERATOR, "type": "stdin",
       "input_output": {"inputs": ["3\n1 2 3\n"], "outputs": ["6\n"]}, "time-limit": 1, "memory-limit": 256}


def fenced(*codes: str) -> str:
    return "Here are the variants.\n\n" + "\n".join(f"```python\n{code}```\n" for code in codes)


def klearct(*args, timeout=300):
    return subprocess.run([sys.executable, "-m", "klear_ct.cli", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout)


@pytest.mark.docker
def test_adversarial_keeps_the_subtle_variant_and_a_rerun_asks_nothing(tmp_path, fake_openai):
    problems = tmp_path / "problems.jsonl"
    problems.write_text(json.dumps(ROW) + "\n")
    config = tmp_path / "klearct.toml"
    config.write_text(f'[llm]\nbase_url = "{fake_openai.url}"\nmodel = "scripted"\ntimeout_s = 5\nmax_retries = 0\n')
    run, fresh = tmp_path / "run", tmp_path / "fresh"
    assert klearct("validate", problems, "-o", run).returncode == 0
    shutil.copytree(run, fresh)

    # round 1: three variants; round 2 (told what became of them): the kept one again, and no code
    fake_openai.route = lambda body: Reply(
        fenced(KEEP) + "\nNo more ideas." if "What became of your last variants" in prompt_text(body)
        else fenced(KEEP, TOO_OBVIOUS, HARMLESS))
    done = klearct("adversarial", run, "--config", config, "--variants", "3", "--rounds", "2", "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["kept"] == 1 and summary["requests"] == 2 and len(fake_openai.requests) == 2
    assert "variant 1 was kept" in prompt_text(fake_openai.requests[1])
    assert "variant 2 fails a weak test" in prompt_text(fake_openai.requests[1])

    store = RunStore(run)
    causes = [e["cause"] for e in store.events() if e["stage"] == "adversarial"]
    assert sorted(causes) == ["no_variant", "variant_duplicate", "variant_fails_weak_suite", "variant_kept",
                              "variant_passes_all"]  # round 2 brought nothing new
    [problem] = store.problems()
    [variant] = problem.incorrect
    assert variant.program.code == KEEP and variant.origin == {"source": "adversarial", "round": 1, "model": "scripted"}
    killing = [t for t in store.tests(problem.id) if variant.id in t.kills]
    assert killing and all(t.kind != "public" for t in killing)
    assert any(r["solution_id"] == variant.id and r["killed"] for r in store.solutions(problem.id))

    # the atgen export has it, with its provenance
    assert klearct("export", run, "--format", "atgen", "-o", tmp_path / "atgen.parquet").returncode == 0
    [row] = pq.read_table(tmp_path / "atgen.parquet").to_pylist()
    assert row["buggy_code"] == KEEP and row["origin"] == {"source": "adversarial", "round": 1, "model": "scripted"}

    # a re-run is done already; the same work on a fresh copy of the run is answered by the cache
    again = klearct("adversarial", run, "--config", config, "--variants", "3", "--json")
    assert again.returncode == 0 and json.loads(again.stdout)["skipped"] == 1
    shutil.copytree(run / "llm" / "cache", fresh / "llm" / "cache")
    cached = klearct("adversarial", fresh, "--config", config, "--variants", "3", "--rounds", "2", "--json")
    assert cached.returncode == 0, cached.stderr
    assert json.loads(cached.stdout)["kept"] == 1 and json.loads(cached.stdout)["cached"] == 2
    assert len(fake_openai.requests) == 2  # zero requests sent since the first run

    # validate re-runs the changed problem; its own kill matrix holds the variant
    assert klearct("validate", problems, "-o", run).returncode == 0
    assert any(e["cause"] == "problem_changed" for e in store.events())
    assert [t.id for t in store.tests(problem.id) if variant.id in t.kills] == [t.id for t in killing]


def test_generate_reads_a_problem_with_its_stored_adversarial_solutions(tmp_path):
    store = RunStore(tmp_path / "run")
    row = Problem(id="p", gold=[Program(lang="python3", code=GOLDS[0])])
    variant = IncorrectProgram(id="p/adversarial-1", program=Program(lang="python3", code=KEEP),
                               origin={"source": "adversarial", "round": 1, "model": "m"})
    store.write_problem(row.model_copy(update={"incorrect": [variant]}))
    assert [p.incorrect for p in with_adversarial([row], store)] == [[]]  # adversarial has not finished it
    store.mark_done("p", "adversarial", "ok")
    assert [p.incorrect for p in with_adversarial([row, Problem(id="q")], store)] == [[variant], []]
