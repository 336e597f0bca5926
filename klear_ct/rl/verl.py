"""verl: `custom_reward_function.path=<this file>`, `name=compute_score` (or `compute_score_batch`
with verl's batch reward manager).

verl's reward managers call `compute_score(data_source, solution_str, ground_truth,
extra_info, **reward_kwargs)` per sample and log every key of the returned dict; the batch
manager calls `compute_score_batch(data_sources, solution_strs, ground_truths, extra_infos)`.
Extra keyword arguments: `mode` ("binary" | "fraction") and `reward_url` (else KLEARCT_REWARD_URL).

Rows of `export --format atgen` (data_source "klearct_atgen") are scored by the test-generator
reward (`klear_ct.rl.testgen`, always in this process), with its `weights` and `max_bytes` keyword arguments;
`compute_test_score` / `compute_test_score_batch` score every sample that way whatever its data_source."""

from __future__ import annotations

from klear_ct.formats.atgen import DATA_SOURCE as ATGEN_SOURCE
from klear_ct.rl import remote
from klear_ct.rl.scorer import score, score_many
from klear_ct.rl.testgen import MAX_BYTES, score_test, score_tests


def compute_score(data_source, solution_str, ground_truth, extra_info=None, mode: str = "binary",
                  reward_url: str | None = None, weights: dict | None = None, max_bytes: int = MAX_BYTES,
                  **kwargs) -> dict:
    return compute_score_batch([data_source], [solution_str], [ground_truth], [extra_info], mode=mode,
                               reward_url=reward_url, weights=weights, max_bytes=max_bytes)[0]


def compute_score_batch(data_sources, solution_strs, ground_truths, extra_infos=None, mode: str = "binary",
                        reward_url: str | None = None, weights: dict | None = None, max_bytes: int = MAX_BYTES,
                        **kwargs) -> list[dict]:
    extra_infos = extra_infos if extra_infos is not None else [None] * len(solution_strs)
    samples = [(s, g, dict(e) if e is not None else None) for s, g, e in zip(solution_strs, ground_truths, extra_infos,
                                                                           strict=True)]
    tests = [k for k, source in enumerate(data_sources) if source == ATGEN_SOURCE]
    if tests:
        if len(tests) < len(samples):
            raise ValueError(f"a batch mixes {ATGEN_SOURCE} rows with solution rows; their scores have other keys")
        return compute_test_score_batch(data_sources, solution_strs, ground_truths, extra_infos, weights=weights,
                                        max_bytes=max_bytes)
    url = remote.reward_url(reward_url)
    if url:
        return remote.remote_scores(url, samples, mode)
    if len(samples) == 1:
        return [score(*samples[0], mode=mode)]
    return score_many(samples, mode)


def compute_test_score(data_source, solution_str, ground_truth, extra_info=None, weights: dict | None = None,
                       max_bytes: int = MAX_BYTES, **kwargs) -> dict:
    return score_test(solution_str, ground_truth, extra_info, weights, max_bytes=max_bytes)


def compute_test_score_batch(data_sources, solution_strs, ground_truths, extra_infos=None, weights: dict | None = None,
                             max_bytes: int = MAX_BYTES, **kwargs) -> list[dict]:
    extra_infos = extra_infos if extra_infos is not None else [None] * len(solution_strs)
    return score_tests(list(zip(solution_strs, ground_truths, extra_infos, strict=True)), weights, max_bytes=max_bytes)
