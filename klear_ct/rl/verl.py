"""verl: `custom_reward_function.path=<this file>`, `name=compute_score` (or `compute_score_batch`
with verl's batch reward manager).

verl's reward managers call `compute_score(data_source, solution_str, ground_truth,
extra_info, **reward_kwargs)` per sample and log every key of the returned dict; the batch
manager calls `compute_score_batch(data_sources, solution_strs, ground_truths, extra_infos)`.
Extra keyword arguments: `mode` ("binary" | "fraction") and `reward_url` (else KLEARCT_REWARD_URL)."""

from __future__ import annotations

from klear_ct.rl import remote
from klear_ct.rl.scorer import score, score_many


def compute_score(data_source, solution_str, ground_truth, extra_info=None, mode: str = "binary",
                  reward_url: str | None = None, **kwargs) -> dict:
    return compute_score_batch([data_source], [solution_str], [ground_truth], [extra_info], mode=mode,
                               reward_url=reward_url)[0]


def compute_score_batch(data_sources, solution_strs, ground_truths, extra_infos=None, mode: str = "binary",
                        reward_url: str | None = None, **kwargs) -> list[dict]:
    extra_infos = extra_infos if extra_infos is not None else [None] * len(solution_strs)
    samples = [(s, g, dict(e) if e is not None else None) for s, g, e in zip(solution_strs, ground_truths, extra_infos,
                                                                           strict=True)]
    url = remote.reward_url(reward_url)
    if url:
        return remote.remote_scores(url, samples, mode)
    if len(samples) == 1:
        return [score(*samples[0], mode=mode)]
    return score_many(samples, mode)

