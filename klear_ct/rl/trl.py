"""TRL: `GRPOTrainer(reward_funcs=[klear_ct.rl.trl.reward], train_dataset=<klearct trl export>)`.

TRL calls a reward function as `f(prompts=..., completions=..., **columns)`, every other
dataset column passed as a list; klearct's TRL export has `ground_truth` (tests, judging,
held-out tests). A completion is a string, or for conversational data a list of messages whose
last assistant message is scored. Returns one float per completion."""

from __future__ import annotations

from klear_ct.rl import remote
from klear_ct.rl.scorer import score_many


def completion_text(completion) -> str:
    if isinstance(completion, str):
        return completion
    if isinstance(completion, dict):
        return str(completion.get("content") or "")
    messages = [m for m in completion or [] if isinstance(m, dict)]
    answers = [m for m in messages if m.get("role") == "assistant"] or messages
    return str(answers[-1].get("content") or "") if answers else ""


def score_dicts(completions, ground_truth, mode: str = "binary", reward_url: str | None = None) -> list[dict]:
    samples = [(completion_text(c), g, None) for c, g in zip(completions, ground_truth, strict=True)]
    url = remote.reward_url(reward_url)
    return remote.remote_scores(url, samples, mode) if url else score_many(samples, mode)


def reward(prompts=None, completions=(), ground_truth=(), mode: str = "binary", reward_url: str | None = None,
           **columns) -> list[float]:
    return [d["score"] for d in score_dicts(completions, ground_truth, mode, reward_url)]


def fraction_reward(prompts=None, completions=(), ground_truth=(), **columns) -> list[float]:
    """The share of tests passed (a denser signal than `reward`)."""
    return reward(prompts, completions, ground_truth, mode="fraction", **columns)
