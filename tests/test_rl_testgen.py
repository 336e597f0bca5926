"""The test-generator (ATGEN) reward on scripted answers: in process, and through verl's own
NaiveRewardManager with klearct's compute_score (verl's venv, as in test_rl_verl)."""

from __future__ import annotations

import json
import os
import subprocess

import pyarrow.parquet as pq
import pytest
from test_rl_verl import ROOT, verl_python

from klear_ct.formats import export
from klear_ct.model import IncorrectProgram, Problem, Program, TestCase
from klear_ct.rl.testgen import KEYS, AnswerError, check_weights, parse_answer, score_tests

# any two non-negative integers x y with x + y = n; a checker judges, since many answers are right
STATEMENT = "Given n (0 <= n <= 100), print two non-negative integers x and y with x + y = n."
GOLD = "n = int(input())\nprint(0, n)\n"
BUGGY = "n = int(input())\nprint(1, n - 1)\n"  # wrong only for n = 0
CHECKER = """import sys
n = int(open(sys.argv[1]).read())
try:
    x, y = map(int, open(sys.argv[2]).read().split())
except ValueError:
    sys.exit(1)
sys.exit(0 if x >= 0 and y >= 0 and x + y == n else 1)
"""
VALIDATOR = "import sys\nn = int(sys.stdin.read())\nsys.exit(0 if 0 <= n <= 100 else 1)\n"

# (answer, score, format, valid_input, io_accuracy, attack)
ANSWERS = [
    ("The bug is at n = 0.\n```input\n0\n```\n```output\n0 0\n```", 1.0, 1, 1, 1, 1),  # kills: full score
    ("```input\n5\n```\n```output\n2 3\n```", 0.5, 1, 1, 1, 0),  # right (by the checker), harmless
    ("```input\n0\n```\n```output\n1 1\n```", 0.2, 1, 1, 0, 0),  # the buggy fails it, but the output is wrong
    ("```input\n500\n```\n```output\n0 500\n```", 0.0, 1, 0, 0, 0),  # the validator rejects n = 500
    ("I would test with a big number.", 0.0, 0, 0, 0, 0),  # garbage
    ('{"input": "0", "output": "0 0"}', 1.0, 1, 1, 1, 1),  # the JSON variant
    ("**Input:**\n```\n0\n```\n**Output:**\n```\n0 0\n```", 1.0, 1, 1, 1, 1),  # headings over plain fences
]


def atgen_row(tmp_path) -> dict:
    problem = Problem(id="pair", statement=STATEMENT, time_limit_s=1, gold=[Program(lang="python3", code=GOLD)],
                      incorrect=[IncorrectProgram(id="pair/incorrect-0", program=Program(lang="python3", code=BUGGY))],
                      checker=Program(lang="python3", code=CHECKER),
                      input_validator=Program(lang="python3", code=VALIDATOR))
    tests = [TestCase(problem_id="pair", input="0\n", output="0 0\n", kills=["pair/incorrect-0"]),
             TestCase(problem_id="pair", input="7\n", output="0 7\n")]
    export([(problem, tests)], "atgen", tmp_path / "atgen.parquet")
    [row] = pq.read_table(tmp_path / "atgen.parquet").to_pylist()
    return row


def test_answers_are_read_in_the_documented_variants():
    assert parse_answer("```input\n1 2\n```\ntext\n```output\n3\n```") == ("1 2\n", "3\n")
    assert parse_answer('Answer: {"stdin": ["2", "1 2"], "expected_output": 3}') == ("2\n1 2\n", "3")
    assert parse_answer("Input:\n```text\n4\n```\nExpected output:\n```\n8\n```") == ("4\n", "8\n")
    for bad in ("", "```python\nprint(1)\n```", '{"input": "1"}', "```input\n\n```\n```output\n1\n```"):
        with pytest.raises(AnswerError):
            parse_answer(bad)
    assert check_weights({"attack": 1.0})["attack"] == 1.0
    with pytest.raises(ValueError, match="components"):
        check_weights({"speed": 1.0})


@pytest.mark.docker
def test_scripted_answers_score_by_component_in_process_and_through_verl(tmp_path, docker_sandbox):
    row = atgen_row(tmp_path)
    truth = row["reward_model"]["ground_truth"]
    results = score_tests([(a[0], truth, row["extra_info"]) for a in ANSWERS], sandbox=docker_sandbox)
    assert all(tuple(r) == KEYS for r in results)
    got = [(r["score"], r["format"], r["valid_input"], r["io_accuracy"], r["attack"]) for r in results]
    assert got == [pytest.approx(a[1:]) for a in ANSWERS], [r["detail"] for r in results]
    assert results[0]["buggy_verdict"] == "WA" and results[1]["buggy_verdict"] == "OK"
    assert results[2]["buggy_verdict"] == "" and results[0]["gold_ms"] > 0
    reweighted = score_tests([(ANSWERS[1][0], truth)], weights={"io_accuracy": 0.0}, sandbox=docker_sandbox)
    assert reweighted[0]["score"] == pytest.approx(0.2)
    broken = score_tests([(ANSWERS[0][0], "{}")], sandbox=docker_sandbox)[0]
    assert broken["score"] == 0 and "malformed ground truth" in broken["detail"]

    # verl's NaiveRewardManager calls klear_ct.rl.verl.compute_score on the atgen row (its data_source routes it)
    python = verl_python()
    job = tmp_path / "job.json"
    job.write_text(json.dumps({"row": row, "answers": [a[0] for a in ANSWERS]}))
    done = subprocess.run([str(python), "-c", VERL_SCRIPT, str(job)], capture_output=True, text=True, timeout=600,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr[-3000:]
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    assert answer["naive"] == pytest.approx([a[1] for a in ANSWERS])
    assert answer["extra"]["attack"] == [a[5] for a in ANSWERS]
    assert answer["extra"]["valid_input"] == [a[3] for a in ANSWERS]


VERL_SCRIPT = r'''
import json, sys
import numpy as np, torch
from verl import DataProto
from verl.workers.reward_manager.naive import NaiveRewardManager
import klear_ct.rl.verl as klearct_reward

job = json.load(open(sys.argv[1]))
row, answers = job["row"], job["answers"]

class CharTokenizer:  # ids are code points; 0 pads
    def decode(self, ids, skip_special_tokens=True):
        return "".join(chr(int(i)) for i in ids if int(i) > 0)

def padded(texts):
    width = max(len(t) for t in texts)
    ids = torch.zeros(len(texts), width, dtype=torch.long)
    for k, t in enumerate(texts):
        ids[k, :len(t)] = torch.tensor([ord(ch) for ch in t])
    return ids, (ids > 0).long()

n = len(answers)
prompts, prompt_mask = padded([row["prompt"][0]["content"][-100:]] * n)
responses, response_mask = padded(answers)
data = DataProto.from_dict(
    tensors={"prompts": prompts, "responses": responses,
             "attention_mask": torch.cat([prompt_mask, response_mask], dim=1)},
    non_tensors={"data_source": np.array([row["data_source"]] * n, dtype=object),
                 "reward_model": np.array([row["reward_model"]] * n, dtype=object),
                 "extra_info": np.array([dict(row["extra_info"]) for _ in range(n)], dtype=object)})
manager = NaiveRewardManager(CharTokenizer(), num_examine=0, compute_score=klearct_reward.compute_score)
answer = manager(data, return_dict=True)
print(json.dumps({"naive": answer["reward_tensor"].sum(-1).tolist(),
                  "extra": {k: [float(x) for x in v] for k, v in answer["reward_extra_info"].items()
                            if k in ("attack", "valid_input", "io_accuracy")}}))
'''
