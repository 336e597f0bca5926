"""The reward `klearct train` gives TRL's GRPOTrainer: klearct's TRL adapter (in-process sandbox,
or a `klearct serve` at --reward-url), timed, summarized per step, and each scored completion
written to samples.jsonl with digests of the prompt and ground truth it was scored against."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from pathlib import Path

from klear_ct.rl import trl as trl_adapter
from klear_ct.text import shorten
from klear_ct.train.metrics import StepStats, summarize, verdict_of

SAMPLES_NAME = "samples.jsonl"


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def prompt_text(prompt) -> str:
    """A prompt as TRL passes it (text, or chat messages) as the text of its messages."""
    if isinstance(prompt, str):
        return prompt
    return "\n\n".join(str(m.get("content") or "") for m in prompt or [] if isinstance(m, dict))


class TrainingReward:
    """A TRL reward function: `f(prompts, completions, ground_truth, problem_id, **columns) -> [float]`."""

    __name__ = "klearct"  # TRL names the reward's logged columns after it

    def __init__(self, mode: str = "binary", reward_url: str | None = None, output_dir: Path | None = None):
        self.mode, self.reward_url = mode, reward_url
        self.samples_path = Path(output_dir) / SAMPLES_NAME if output_dir else None
        self.stats = StepStats()
        self._lock = threading.Lock()

    def scores(self, completions, ground_truths) -> list[dict]:
        """Score dicts through the same path training uses (check-data calls this too)."""
        return trl_adapter.score_dicts(list(completions), list(ground_truths), self.mode, self.reward_url)

    def __call__(self, prompts=None, completions=(), ground_truth=(), problem_id=None, trainer_state=None,
                 log_metric=None, **columns) -> list[float]:
        start = time.monotonic()
        results = self.scores(completions, ground_truth)
        self.stats.add(results, time.monotonic() - start)
        if log_metric is not None:  # TRL averages these per logged step (tensorboard / wandb see them)
            summary = summarize(results)
            for name in ("format_ok", "visible_score", "holdout_score"):
                if summary.get(name) is not None:
                    log_metric(f"klearct/{name}", summary[name])
        if self.samples_path is not None:
            self._write_samples(trainer_state, prompts or [None] * len(results), completions, ground_truth,
                                problem_id or [None] * len(results), results)
        return [r["score"] for r in results]

    def _write_samples(self, state, prompts, completions, truths, problem_ids, results) -> None:
        step = state.global_step + 1 if state is not None else None  # the step being computed, as the log counts
        lines = [json.dumps({"step": step, "problem_id": pid, "prompt_sha": digest(prompt_text(p)),
                             "ground_truth_sha": digest(t), "score": r["score"], "verdict": verdict_of(r),
                             "holdout_score": r["holdout_score"],
                             "completion": shorten(trl_adapter.completion_text(c), 400)})
                 for p, c, t, pid, r in zip(prompts, completions, truths, problem_ids, results, strict=True)]
        self.samples_path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock, open(self.samples_path, "a", encoding="utf-8") as f:
            f.write("".join(line + "\n" for line in lines))
