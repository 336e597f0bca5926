"""`klearct train` (issue 10): the data check on the sample's export (golds 1, incorrect solutions as
the kill matrix says, a corrupted export refused), GRPO with TRL on a tiny offline model with the
real sandbox reward, resumed from its checkpoint, and the verl recipe's keys in verl's own config.

The training and verl tests run in the venv of `make rl-venv` (build/venv-verl: verl and the
`[train]` extra), as tests/test_rl_verl.py does; they skip when it is missing, unless
KLEARCT_REQUIRE_TRAIN=1 / KLEARCT_REQUIRE_VERL=1 (as `make test` sets): then they fail."""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import typer

from klear_ct.rl import pool
from klear_ct.train.metrics import read_log, summarize

ROOT = Path(__file__).resolve().parents[1]
HEAVY_PYTHON = ROOT / "build" / "venv-verl" / "bin" / "python"


def klearct(*args, python=sys.executable, timeout=900):
    return subprocess.run([str(python), "-m", "klear_ct.cli", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, "PYTHONPATH": str(ROOT)})


def heavy_python(gate: str) -> Path:
    """The venv with verl and the train extra; skipped without it unless `gate`=1."""
    found = HEAVY_PYTHON.exists() and any(HEAVY_PYTHON.parent.parent.glob("lib/python*/site-packages/trl"))
    if not found:
        if os.environ.get(gate) == "1":
            pytest.fail(f"{HEAVY_PYTHON} with trl is missing: run `make rl-venv`")
        pytest.skip("the venv of `make rl-venv` (verl + the train extra) is missing")
    return HEAVY_PYTHON


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# -- without the extra, and pure parts --------------------------------------------------------

def test_the_cli_imports_no_training_library():
    done = subprocess.run([sys.executable, "-c", "import sys, klear_ct.cli, klear_ct.train.check, "
                           "klear_ct.train.reward; print(sorted(m for m in ('torch', 'trl', 'transformers') "
                           "if m in sys.modules))"], capture_output=True, text=True, env={**os.environ,
                                                                                         "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0 and done.stdout.strip() == "[]", done.stderr


def test_train_without_the_extra_says_how_to_install_it(tmp_path):
    from klear_ct.train.extra import missing

    if not missing():
        pytest.skip("the train extra is installed in this venv")
    (tmp_path / "x.parquet").write_bytes(b"")
    done = klearct("train", tmp_path / "x.parquet", "--model", "m")
    assert done.returncode == 2
    assert "pip install -e '.[train]'" in done.stderr
    assert "train" in klearct("--help").stdout


def test_step_numbers_and_the_log():
    results = [{"score": 1.0, "format_ok": 1, "first_failure_verdict": "", "sandbox_error": 0, "holdout_score": 0.0,
                "holdout_total": 2},
               {"score": 0.0, "format_ok": 1, "first_failure_verdict": "WA", "sandbox_error": 0,
                "holdout_score": 0.0, "holdout_total": 2},
               {"score": 0.0, "format_ok": 0, "first_failure_verdict": "", "sandbox_error": 0, "holdout_score": -1.0,
                "holdout_total": 0}]
    summary = summarize(results)
    assert summary["verdicts"] == {"OK": 1, "WA": 1, "no_code": 1}
    assert summary["format_ok"] == pytest.approx(2 / 3) and summary["reward_mean"] == pytest.approx(1 / 3)
    assert (summary["visible_score"], summary["holdout_score"], summary["holdout_gap"]) == (0.5, 0.0, 0.5)


def test_the_verl_recipe_uses_the_verl_args_and_the_adapter(tmp_path):
    import klear_ct.rl.verl as adapter

    export = tmp_path / "my data" / "verl.parquet"  # a space: one Hydra value all the same
    export.parent.mkdir()
    export.write_bytes(b"")
    done = klearct("train", export, "--backend", "verl", "--dry-run", "--model", "/m",
                   "--mode", "fraction", "--lora", "--max-steps", "5", "-o", tmp_path / "out")
    assert done.returncode == 0, done.stderr
    words = shlex.split(done.stdout)
    assert words[:3] == ["python", "-m", "verl.trainer.main_ppo"]
    args = dict(w.split("=", 1) for w in words[3:])
    assert args["reward.custom_reward_function.path"] == adapter.__file__
    assert args["+reward.custom_reward_function.reward_kwargs.mode"] == "fraction"
    assert args["data.train_files"] == f"['{export}']"
    assert args["algorithm.adv_estimator"] == "grpo" and args["trainer.total_training_steps"] == "5"
    assert args["actor_rollout_ref.model.lora_rank"] == "16"


# -- the data check (Docker) ------------------------------------------------------------------

@pytest.fixture(scope="module")
def sample_export(sample_run) -> Path:
    """The sample exported for verl inside its run (as `klearct run` writes it), 30 % of tests held out."""
    out = sample_run / "export" / "verl-train.parquet"
    done = klearct("export", sample_run, "--format", "verl", "-o", out, "--max-tests", "6", "--holdout-fraction",
                   "0.3", "--json")
    assert done.returncode == 0, done.stderr
    yield out
    pool.close_shared()


@pytest.fixture(scope="module")
def train_out(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("train") / "out"


@pytest.mark.docker
def test_check_data_scores_golds_one_and_incorrect_as_the_kill_matrix(sample_export, train_out):
    from klear_ct.cli.train import checked
    from klear_ct.train.settings import TrainSettings

    # what training does first; the run is the run directory the export lies in
    checked([sample_export], TrainSettings(model="m", output_dir=train_out), None, force=False, skip=False)
    report = json.loads((train_out / "check-data.json").read_text())
    assert report["ok"] and report["errors"] == [] and report["findings"] == []
    assert report["problems"] == 12 and report["golds"] >= 40 and report["golds_ok"] == report["golds"]
    assert report["incorrect"] >= 20 and report["incorrect_as_expected"] == report["incorrect"]
    assert 0 < report["incorrect_surviving"] < report["incorrect"]  # capped at 6 tests: some kills not exported


@pytest.mark.docker
def test_a_corrupted_export_is_refused_naming_problem_and_test(sample_run, sample_export, tmp_path):
    from klear_ct.cli.train import checked
    from klear_ct.train.settings import TrainSettings

    row = next(r for r in pq.read_table(sample_export).to_pylist() if not r["extra_info"]["checker"])
    truth = json.loads(row["reward_model"]["ground_truth"])
    truth["outputs"][1] = "12345\n"
    row["reward_model"]["ground_truth"] = json.dumps(truth)
    bad = tmp_path / "bad.parquet"  # the corrupted problem alone: the check scores only what is exported
    pq.write_table(pa.Table.from_pylist([row], schema=pq.read_schema(sample_export)), bad)
    problem = row["extra_info"]["problem_id"]

    done = klearct("train", bad, "--check-data", "--run", sample_run)
    assert done.returncode == 1, done.stderr
    assert f"{problem}: gold-0" in done.stderr and "visible test 1 (id " in done.stderr and "got WA" in done.stderr
    with pytest.raises(typer.Exit) as refused:  # training refuses it
        checked([bad], TrainSettings(model="m", output_dir=tmp_path / "out"), sample_run, force=False, skip=False)
    assert refused.value.exit_code == 1
    assert json.loads((tmp_path / "out" / "check-data.json").read_text())["ok"] is False


# -- training (the train extra's venv) -------------------------------------------------------

@pytest.mark.docker
def test_grpo_trains_two_steps_with_the_sandbox_reward_and_resumes(sample_export, train_out, tmp_path):
    python = heavy_python("KLEARCT_REQUIRE_TRAIN")
    done = klearct("train", sample_export, "--make-tiny-model", tmp_path / "tiny", python=python)
    assert done.returncode == 0, done.stderr
    out = train_out  # where the data check passed (else training checks first)
    common = ["--model", tmp_path / "tiny", "-o", out, "--batch-size", "2", "--generations", "2",
              "--max-completion-length", "24", "--max-prompt-length", "2048", "--seed", "1", "-q"]
    first = klearct("train", sample_export, "--max-steps", "2", *common, python=python)
    assert first.returncode == 0, first.stderr[-3000:]
    log = read_log(out)
    assert [r["step"] for r in log] == [1, 2]
    assert all(r["completions"] == 4 and 0.0 <= r["reward_mean"] <= 1.0 and r["reward_s"] > 0 for r in log)
    assert all(r["trl"]["reward"] == r["reward_mean"] for r in log)  # TRL optimised what klearct scored
    assert (out / "checkpoint-2" / "trainer_state.json").exists()

    # every completion was scored against its own prompt's ground truth
    truth_of = {digest("\n\n".join(m["content"] for m in r["prompt"])): (r["extra_info"]["problem_id"],
                                                                        digest(r["reward_model"]["ground_truth"]))
                for r in pq.read_table(sample_export).to_pylist()}
    samples = [json.loads(line) for line in (out / "samples.jsonl").read_text().splitlines()]
    assert len(samples) == 8 and len({s["problem_id"] for s in samples}) >= 2
    assert all(truth_of[s["prompt_sha"]] == (s["problem_id"], s["ground_truth_sha"]) for s in samples)

    again = klearct("train", sample_export, "--max-steps", "3", "--resume", *common, python=python)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "check-data" not in again.stdout  # this export passed in this output directory before
    assert [r["step"] for r in read_log(out)] == [1, 2, 3]
    state = json.loads((out / "checkpoint-3" / "trainer_state.json").read_text())
    assert state["global_step"] == 3 and len(state["log_history"]) >= 3  # continued, not restarted

    report = klearct("train-report", out)
    assert report.returncode == 0 and "<img" in (out / "report.html").read_text()


def test_the_verl_recipe_keys_exist_in_verls_config(tmp_path):
    python = heavy_python("KLEARCT_REQUIRE_VERL")
    export = tmp_path / "my data" / "verl.parquet"  # a space: one Hydra value all the same
    export.parent.mkdir()
    export.write_bytes(b"")
    done = klearct("train", export, "--backend", "verl", "--dry-run", "--model", "/m", "--lora",
                   "--mode", "fraction", "--reward-url", "http://127.0.0.1:8080", "--max-steps", "5")
    assert done.returncode == 0, done.stderr
    overrides = shlex.split(done.stdout)[3:]
    # verl's own hydra config: composing fails on any key the pinned verl does not have
    script = ("import json, os, sys, verl\nfrom hydra import compose, initialize_config_dir\n"
              "d = os.path.join(os.path.dirname(verl.__file__), 'trainer', 'config')\n"
              "with initialize_config_dir(config_dir=d, version_base=None):\n"
              "    cfg = compose(config_name='ppo_trainer', overrides=json.loads(sys.argv[1]))\n"
              "print(json.dumps({'n': cfg.actor_rollout_ref.rollout.n, 'lora': cfg.actor_rollout_ref.model.lora_rank,"
              " 'reward': dict(cfg.reward.custom_reward_function.reward_kwargs), 'adv': cfg.algorithm.adv_estimator,"
              " 'train': list(cfg.data.train_files)}))")
    checked = subprocess.run([str(python), "-c", script, json.dumps(overrides)], capture_output=True, text=True,
                             timeout=300)
    assert checked.returncode == 0, checked.stderr[-3000:]
    assert json.loads(checked.stdout.strip().splitlines()[-1]) == {
        "n": 4, "lora": 16, "adv": "grpo", "reward": {"mode": "fraction", "reward_url": "http://127.0.0.1:8080"},
        "train": [str(export)]}
