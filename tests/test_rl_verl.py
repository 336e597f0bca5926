"""verl's own code on a klearct export, in verl's venv (`make rl-venv`, build/venv-verl):
`default_compute_score("codecontests", ..., sandbox_fusion_url=<klearct serve>/run_code)` and
verl's NaiveRewardManager with klearct's compute_score as the custom reward function.

Skipped when that venv is missing, unless KLEARCT_REQUIRE_VERL=1 (as `make test` sets): then it fails."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from test_rl_server import running_server

from klear_ct.formats import export
from klear_ct.model import Problem, Program, TestCase

pytestmark = pytest.mark.docker
ROOT = Path(__file__).resolve().parents[1]
VERL_PYTHON = ROOT / "build" / "venv-verl" / "bin" / "python"

SUM = "import sys\nprint(sum(map(int, sys.stdin.read().split())))\n"
SUM_CPP = "#include <cstdio>\nint main(){long long s=0,x;while(scanf(\"%lld\",&x)==1)s+=x;printf(\"%lld\\n\",s);}\n"
WRONG = "import sys\nprint(sum(map(int, sys.stdin.read().split())) - 1)\n"

# runs inside verl's venv: reads {"url", "rows", "completions"}, prints what verl computed
VERL_SCRIPT = r'''
import json, sys
import numpy as np, torch
from verl import DataProto
from verl.utils.reward_score import default_compute_score
from verl.workers.reward_manager.naive import NaiveRewardManager
import klear_ct.rl.verl as klearct_reward

job = json.load(open(sys.argv[1]))
rows, completions = job["rows"], job["completions"]

def as_float(value):
    if isinstance(value, dict):
        return float(value["score"])
    return float(value[0] if isinstance(value, (tuple, list)) else value)

fusion = [as_float(default_compute_score(rows[0]["data_source"], c, rows[0]["reward_model"]["ground_truth"],
                                         sandbox_fusion_url=job["url"] + "/run_code"))
          for c in completions if "```python" in c]

class CharTokenizer:  # ids are code points; 0 pads
    def decode(self, ids, skip_special_tokens=True):
        return "".join(chr(int(i)) for i in ids if int(i) > 0)

def padded(texts, left):
    width = max(len(t) for t in texts)
    ids = torch.zeros(len(texts), width, dtype=torch.long)
    mask = torch.zeros(len(texts), width, dtype=torch.long)
    for k, t in enumerate(texts):
        codes = torch.tensor([ord(ch) for ch in t])
        if left:
            ids[k, width - len(t):], mask[k, width - len(t):] = codes, 1
        else:
            ids[k, :len(t)], mask[k, :len(t)] = codes, 1
    return ids, mask

prompts, prompt_mask = padded([r["prompt"][0]["content"][-200:] for r in rows for _ in completions], left=True)
responses, response_mask = padded([c for _ in rows for c in completions], left=False)
data = DataProto.from_dict(
    tensors={"prompts": prompts, "responses": responses,
             "attention_mask": torch.cat([prompt_mask, response_mask], dim=1)},
    non_tensors={"data_source": np.array([r["data_source"] for r in rows for _ in completions], dtype=object),
                 "reward_model": np.array([r["reward_model"] for r in rows for _ in completions], dtype=object),
                 "extra_info": np.array([dict(r["extra_info"]) for r in rows for _ in completions], dtype=object)})
manager = NaiveRewardManager(CharTokenizer(), num_examine=0, compute_score=klearct_reward.compute_score)
answer = manager(data, return_dict=True)
print(json.dumps({"fusion": fusion, "naive": answer["reward_tensor"].sum(-1).tolist(),
                  "extra": {k: list(map(float, v)) for k, v in answer["reward_extra_info"].items()
                            if k in ("holdout_score", "format_ok", "sandbox_error")}}))
'''


def verl_python() -> Path:
    if not VERL_PYTHON.exists():
        if os.environ.get("KLEARCT_REQUIRE_VERL") == "1":
            pytest.fail(f"{VERL_PYTHON} is missing: run `make rl-venv`")
        pytest.skip("verl's venv is missing (make rl-venv)")
    return VERL_PYTHON


def test_verl_scores_a_klearct_export(tmp_path):
    python = verl_python()
    problem = Problem(id="sum", statement="Print the sum of the numbers.", time_limit_s=2, memory_limit_mb=256,
                      gold=[Program(lang="python3", code=SUM)])
    tests = [TestCase(problem_id="sum", input=f"{k} {k * 3}\n{k}\n", output=f"{5 * k}\n", kind="generated")
             for k in range(12)]
    export([(problem, tests)], "verl", tmp_path / "verl.parquet", holdout_fraction=0.3)
    rows = pq.read_table(tmp_path / "verl.parquet").to_pylist()
    completions = [f"```python\n{SUM}```", f"```cpp\n{SUM_CPP}```", f"```python\n{WRONG}```", "no code at all"]
    job = tmp_path / "job.json"
    with running_server("--slots", "2") as (url, _):
        job.write_text(json.dumps({"url": url, "rows": rows, "completions": completions}))
        done = subprocess.run([str(python), "-c", VERL_SCRIPT, str(job)], capture_output=True, text=True,
                              timeout=600, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr[-3000:]
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    assert answer["fusion"] == [1.0, 0.0]  # verl's SandboxFusion scorer on klearct serve's /run_code
    assert answer["naive"] == [1.0, 1.0, 0.0, 0.0]  # verl's NaiveRewardManager with klearct's compute_score
    assert answer["extra"]["format_ok"] == [1.0, 1.0, 1.0, 0.0] and answer["extra"]["holdout_score"][0] == 1.0



# runs inside verl's venv: reads [[ground_truth, completion], ...], prints verl's default scores
VERL_PRIME_CODE_SCRIPT = r'''
import json, sys
from verl.utils.reward_score import default_compute_score

def as_float(value):
    return float(value[0] if isinstance(value, (tuple, list)) else value)

print(json.dumps([as_float(default_compute_score("codecontests", completion, truth))
                  for truth, completion in json.load(open(sys.argv[1]))]))
'''


def test_verl_scores_a_function_problem_export(function_sample_validated, tmp_path):
    """verl's own code scorer (prime_code: what default_compute_score runs without a sandbox URL)
    accepts the exported fn_name ground truth: the gold that gave the expected results scores 1,
    the incorrect solution 0. (verl compares results exactly, with no float tolerance.)"""
    python = verl_python()
    export([(p, r.tests) for p, r in function_sample_validated.values()], "verl", tmp_path / "verl.parquet")
    rows = {r["extra_info"]["problem_id"]: r for r in pq.read_table(tmp_path / "verl.parquet").to_pylist()}
    samples, want = [], []
    for pid, (problem, _) in function_sample_validated.items():
        assert rows[pid]["data_source"] == "codecontests"
        truth = rows[pid]["reward_model"]["ground_truth"]
        samples += [[truth, f"```python\n{problem.gold[0].code}```"],
                    [truth, f"```python\n{problem.incorrect[0].program.code}```"]]
        want += [1.0, 0.0]
    job = tmp_path / "job.json"
    job.write_text(json.dumps(samples))
    done = subprocess.run([str(python), "-c", VERL_PRIME_CODE_SCRIPT, str(job)], capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == want
